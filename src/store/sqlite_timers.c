/*
 * The SQLite backend's trigger timers (store.h, "trigger timers"): started
 * and cancelled by the event service, fired by the tick. Its cached
 * statements live in rg_sq_common.timer_st.
 */
#include <string.h>

#include "store/sqlite_int.h"

enum {
    T_ADD,
    T_WAITING_CUSTOMER,
    T_DUE,
    T_FINISH,
    T_MOVE,
    T_INVOICE,
    T_SET_CADENCE,
    T_OPEN_INVOICES,
    T_PAID,
    T_WAITING_TRIGGER,
    T_COUNT
};
_Static_assert(T_COUNT <= RG_SQ_TIMER_STMTS, "raise RG_SQ_TIMER_STMTS");

#define SQ(base) ((rg_sq_common *)(base))

static sqlite3_stmt *timer_stmt(rg_sq_common *s, int slot, const char *sql, rg_err *e)
{
    if (s->timer_st[slot])
        return s->timer_st[slot];
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->timer_st[slot], NULL) != SQLITE_OK) {
        rg_sq_fail(s, e, "prepare");
        s->timer_st[slot] = NULL;
    }
    return s->timer_st[slot];
}

void rg_sqt_finalize(rg_sq_common *s)
{
    for (int i = 0; i < RG_SQ_TIMER_STMTS; i++) {
        sqlite3_finalize(s->timer_st[i]);
        s->timer_st[i] = NULL;
    }
}

rg_status rg_sqt_add(rg_store *base, rg_timer *t, bool *inserted, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *inserted = false;
    sqlite3_stmt *st = timer_stmt(s, T_ADD,
                                  "INSERT INTO trigger_timers (cadence, trigger_id, event_id, customer_id, invoice_id,"
                                  " fire_at, status, reason, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'waiting', ?7, ?8)"
                                  " ON CONFLICT (cadence, trigger_id, event_id) DO NOTHING",
                                  e);
    if (!st)
        return RG_ESTORE;
    rg_sq_bind_text(st, 1, t->cadence);
    rg_sq_bind_text(st, 2, t->trigger_id);
    sqlite3_bind_int64(st, 3, t->event_id);
    sqlite3_bind_int64(st, 4, t->customer_id);
    rg_sq_bind_opt_i64(st, 5, t->invoice_id, 0);
    sqlite3_bind_int64(st, 6, t->fire_at);
    rg_sq_bind_text(st, 7, t->reason);
    sqlite3_bind_int64(st, 8, t->created_at);
    rg_status rc = rg_sq_step_done(s, st, e, "starting a trigger timer");
    if (rc == RG_OK && sqlite3_changes(s->db) > 0) {
        *inserted = true;
        t->id = sqlite3_last_insert_rowid(s->db);
    }
    return rc;
}

#define TIMER_SELECT                                                                                     \
    "SELECT t.id, t.cadence, t.trigger_id, t.event_id, ev.type, ev.at, t.customer_id, t.invoice_id,"    \
    " t.fire_at, t.status, t.reason, t.created_at, t.done_at, ev.payload FROM trigger_timers t"                      \
    " JOIN events ev ON ev.id = t.event_id "

static rg_status each_timer(rg_sq_common *s, sqlite3_stmt *st, rg_timer_fn fn, void *ctx, rg_err *e)
{
    rg_status rc = RG_OK;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        rg_timer t;
        memset(&t, 0, sizeof t);
        t.id = sqlite3_column_int64(st, 0);
        rg_sq_col_text(st, 1, t.cadence, sizeof t.cadence);
        rg_sq_col_text(st, 2, t.trigger_id, sizeof t.trigger_id);
        t.event_id = sqlite3_column_int64(st, 3);
        rg_sq_col_text(st, 4, t.event_type, sizeof t.event_type);
        t.event_at = sqlite3_column_int64(st, 5);
        t.customer_id = sqlite3_column_int64(st, 6);
        t.invoice_id = rg_sq_col_opt_i64(st, 7, 0);
        t.fire_at = sqlite3_column_int64(st, 8);
        rg_sq_col_text(st, 9, t.status, sizeof t.status);
        rg_sq_col_text(st, 10, t.reason, sizeof t.reason);
        t.created_at = sqlite3_column_int64(st, 11);
        t.done_at = rg_sq_col_opt_i64(st, 12, RG_INSTANT_NONE);
        rg_sq_col_text(st, 13, t.event_payload, sizeof t.event_payload);
        if ((rc = fn(ctx, &t)) != RG_OK)
            break;
    }
    if (rc == RG_OK && r != SQLITE_DONE)
        rc = rg_sq_fail(s, e, "listing trigger timers");
    rg_sq_done(st);
    return rc;
}

rg_status rg_sqt_waiting_for_customer(rg_store *base, int64_t customer_id, rg_timer_fn fn, void *ctx, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = timer_stmt(s, T_WAITING_CUSTOMER,
                                  TIMER_SELECT "WHERE t.customer_id = ?1 AND t.status = 'waiting' ORDER BY t.id", e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, customer_id);
    return each_timer(s, st, fn, ctx, e);
}

rg_status rg_sqt_waiting_for_trigger(rg_store *base, int64_t customer_id, const char *cadence, const char *trigger_id,
                                     rg_timer_fn fn, void *ctx, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = timer_stmt(s, T_WAITING_TRIGGER,
                                  TIMER_SELECT "WHERE t.customer_id = ?1 AND t.status = 'waiting' AND t.cadence = ?2"
                                               " AND t.trigger_id = ?3 ORDER BY t.id",
                                  e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, customer_id);
    rg_sq_bind_text(st, 2, cadence);
    rg_sq_bind_text(st, 3, trigger_id);
    return each_timer(s, st, fn, ctx, e);
}

rg_status rg_sqt_due(rg_store *base, rg_instant until, int64_t after_id, int64_t limit, rg_timer_fn fn, void *ctx,
                     rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = timer_stmt(s, T_DUE,
                                  TIMER_SELECT "WHERE t.status = 'waiting' AND t.fire_at <= ?1 AND t.id > ?2"
                                               " ORDER BY t.id LIMIT ?3",
                                  e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, until);
    sqlite3_bind_int64(st, 2, after_id);
    sqlite3_bind_int64(st, 3, limit > 0 ? limit : -1);
    return each_timer(s, st, fn, ctx, e);
}

rg_status rg_sqt_each_for_invoice(rg_store *base, int64_t invoice_id, rg_timer_fn fn, void *ctx, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = timer_stmt(s, T_INVOICE, TIMER_SELECT "WHERE t.invoice_id = ?1 ORDER BY t.id", e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, invoice_id);
    return each_timer(s, st, fn, ctx, e);
}

rg_status rg_sqt_finish(rg_store *base, int64_t id, const char *status, const char *reason, rg_instant at,
                        bool *changed, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *changed = false;
    sqlite3_stmt *st = timer_stmt(s, T_FINISH,
                                  "UPDATE trigger_timers SET status = ?2, reason = ?3, done_at = ?4"
                                  " WHERE id = ?1 AND status = 'waiting'",
                                  e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, id);
    rg_sq_bind_text(st, 2, status);
    rg_sq_bind_text(st, 3, reason);
    sqlite3_bind_int64(st, 4, at);
    rg_status rc = rg_sq_step_done(s, st, e, "ending a trigger timer");
    if (rc == RG_OK)
        *changed = sqlite3_changes(s->db) > 0;
    return rc;
}

rg_status rg_sqt_move(rg_store *base, int64_t id, rg_instant fire_at, const char *reason, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = timer_stmt(s, T_MOVE,
                                  "UPDATE trigger_timers SET fire_at = ?2, reason = ?3 WHERE id = ?1 AND status = 'waiting'",
                                  e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, fire_at);
    rg_sq_bind_text(st, 3, reason);
    return rg_sq_step_done(s, st, e, "moving a trigger timer");
}

rg_status rg_sqt_invoice_set_cadence(rg_store *base, int64_t invoice_id, const char *cadence, rg_instant now,
                                     rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = timer_stmt(s, T_SET_CADENCE,
                                  "UPDATE invoices SET cadence_override = ?2, updated_at = ?3,"
                                  " next_at = 0, agenda_wakes = agenda_wakes + 1 WHERE id = ?1",
                                  e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, invoice_id);
    rg_sq_bind_text(st, 2, cadence);
    sqlite3_bind_int64(st, 3, now);
    return rg_sq_step_done(s, st, e, "switching an invoice's cadence");
}

rg_status rg_sqt_customer_open_invoices(rg_store *base, int64_t customer_id, rg_invoice_fn fn, void *ctx, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st =
        timer_stmt(s, T_OPEN_INVOICES, INVOICE_SELECT "WHERE i.customer_id = ?1 AND i.status = 'open' ORDER BY i.id", e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, customer_id);
    rg_status rc = RG_OK;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        rg_invoice inv;
        rg_sq_read_invoice(st, &inv);
        if ((rc = fn(ctx, &inv)) != RG_OK)
            break;
    }
    if (rc == RG_OK && r != SQLITE_DONE)
        rc = rg_sq_fail(s, e, "listing a customer's open invoices");
    rg_sq_done(st);
    return rc;
}

rg_status rg_sqt_customer_paid_each(rg_store *base, int64_t customer_id, rg_date since, rg_paid_fn fn, void *ctx,
                                    rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = timer_stmt(s, T_PAID,
                                  "SELECT due_date, paid_on FROM invoices WHERE customer_id = ?1"
                                  " AND paid_on IS NOT NULL AND paid_on >= ?2",
                                  e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, customer_id);
    rg_sq_bind_date(st, 2, since);
    rg_status rc = RG_OK;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = fn(ctx, rg_sq_col_date(st, 0), rg_sq_col_date(st, 1))) != RG_OK)
            break;
    if (rc == RG_OK && r != SQLITE_DONE)
        rc = rg_sq_fail(s, e, "listing a customer's paid invoices");
    rg_sq_done(st);
    return rc;
}
