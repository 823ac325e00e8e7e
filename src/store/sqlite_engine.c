/*
 * The SQLite backend's engine functions: the tick stream, cadence progress,
 * messages, tasks, opt-outs, bureau listings, reissues and snapshots.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "store/sqlite_int.h"

enum {
    E_TICK,
    E_PROGRESS_PUT,
    E_PROGRESS_GET,
    E_MSG_INSERT,
    E_MSG_FIND,
    E_MSG_LINK,
    E_MSG_STATUS,
    E_TASK_INSERT,
    E_OPTOUT,
    E_BUREAU_REQUEST,
    E_BUREAU_PAID,
    E_BUREAU_STATUS,
    E_REISSUE_ROW,
    E_REISSUE_INVOICE,
    E_MSG_INSERT_MANY,
    E_PROGRESS_PUT_MANY,
    E_TICK_CUSTOMERS,
    E_PROGRESS_PUT_ONE,
    E_HOLDS_ANY,
    E_TICK_RANGE,
    E_COUNT
};
_Static_assert(E_COUNT <= 20, "engine slots end where sqlite_dispatch.c's begin");

/* Rows per multi-row statement: one statement opens the table's and its
 * indexes' cursors once for all of them, which is most of the cost of a
 * one-row insert. */
#define MANY_ROWS 32

sqlite3_stmt *rg_sq_engine_stmt(rg_sq_common *s, int slot, const char *sql, rg_err *e)
{
    if (s->engine_st[slot])
        return s->engine_st[slot];
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->engine_st[slot], NULL) != SQLITE_OK) {
        rg_sq_fail(s, e, "prepare");
        s->engine_st[slot] = NULL;
    }
    return s->engine_st[slot];
}

void rg_sq_engine_finalize(rg_sq_common *s)
{
    for (int i = 0; i < RG_SQ_ENGINE_STMTS; i++) {
        sqlite3_finalize(s->engine_st[i]);
        s->engine_st[i] = NULL;
    }
    rg_sqa_finalize(s);
    rg_sqt_finalize(s);
    rg_sqh_finalize(s);
    rg_sqk_finalize(s);
    rg_sqag_finalize(s);
}

#define SQ(base) ((rg_sq_common *)(base))

/* A cached statement whose SQL is built at run time (multi-row statements);
 * frees sql. NULL with *e set when out of memory or the prepare fails. */
static sqlite3_stmt *built_stmt(rg_sq_common *s, int slot, rg_buf *sql, rg_err *e)
{
    sqlite3_stmt *st = NULL;
    if (sql->oom)
        rg_err_set(e, RG_ENOMEM, "store", "out of memory");
    else
        st = rg_sq_engine_stmt(s, slot, rg_buf_cstr(sql), e);
    rg_buf_free(sql);
    return st;
}


/* ---- tick stream ---- */

/* The invoice and customer columns come first, in the orders that
 * rg_sq_read_invoice / rg_sq_read_customer expect (offset 25 for the
 * customer). ?1: recent_since, ?5: late_since. */
#define TICK_SELECT                                                                                                    \
    "SELECT i.id, i.external_id, i.customer_id, c.external_id, i.description, i.amount, i.paid,"                      \
    " i.issue_date, i.due_date, i.status, i.boleto_bank, i.nosso_numero, i.barcode,"                                  \
    " i.linha_digitavel, i.pix_code, i.payment_url, i.fine_pct, i.interest_month_pct, i.tags,"                        \
    " i.cadence_override, i.reissued_due_date, i.reissued_amount, i.created_at, i.updated_at, i.paid_on,"            \
    " c.id, c.external_id, c.name, c.document, c.kind, c.email, c.phone, c.whatsapp, c.preferred_channel,"           \
    " c.timezone, c.tags, c.street, c.number, c.complement, c.district, c.city, c.state, c.zip,"                     \
    " c.created_at, c.updated_at,"                                                                                    \
    " i.progress_cadence, i.progress_version, i.progress,"                                                            \
    " (SELECT group_concat(o.channel, '|') FROM customer_optouts o WHERE o.customer_id = c.id),"                     \
    " CASE WHEN ?1 IS NOT NULL THEN (SELECT group_concat(m.planned_for) FROM messages m WHERE m.customer_id = c.id"  \
    "   AND m.planned_for >= ?1 AND m.status NOT IN ('cancelled', 'suppressed', 'failed')) END,"                     \
    " CASE WHEN ?5 IS NOT NULL THEN (SELECT group_concat(h.due_date || ':' || h.paid_on) FROM invoices h"            \
    "   WHERE h.customer_id = c.id AND h.paid_on IS NOT NULL AND h.paid_on >= ?5) END,"                              \
    " i.next_at, i.agenda_wakes,"                                                                                     \
    " CASE WHEN :holds THEN (SELECT group_concat(coalesce(h.promise_id, 0) || ':' || h.step, char(10))"              \
    "   FROM invoice_holds h WHERE h.invoice_id = i.id AND h.released_at IS NULL) END,"                              \
    " CASE WHEN :holds THEN (SELECT group_concat(x) FROM ("                                                           \
    "   SELECT p.id || ':' || (p.promised_date + p.grace_days) AS x FROM promises p"                                  \
    "    WHERE p.invoice_id = i.id AND p.status = 'pending'"                                                          \
    "   UNION ALL SELECT q.id || ':' || (q.promised_date + q.grace_days) FROM promises q"                             \
    "    WHERE q.customer_id = i.customer_id AND q.status = 'pending' AND q.invoice_id IS NULL)) END"                 \
    " FROM invoices i JOIN customers c ON c.id = i.customer_id"

/* Binds TICK_SELECT's :holds — whether any hold is active or any promise
 * pending: without, the per-row subqueries are not run at all (a tick
 * reading a million invoices pays nothing for them). */
static rg_status bind_holds_gate(rg_sq_common *s, sqlite3_stmt *st, rg_err *e)
{
    sqlite3_stmt *q = rg_sq_engine_stmt(s, E_HOLDS_ANY,
                                        "SELECT EXISTS (SELECT 1 FROM invoice_holds WHERE released_at IS NULL)"
                                        " OR EXISTS (SELECT 1 FROM promises WHERE status = 'pending')",
                                        e);
    if (!q)
        return RG_ESTORE;
    int r = sqlite3_step(q);
    int any = r == SQLITE_ROW ? sqlite3_column_int(q, 0) : 1;
    rg_sq_done(q);
    if (r != SQLITE_ROW)
        return rg_sq_fail(s, e, "looking for holds");
    sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":holds"), any);
    return RG_OK;
}

/* Steps a TICK_SELECT statement (bound) through fn; resets it. With
 * `only`, the rows of customers not in only[0..n_only) (ascending) are
 * stepped over. */
static rg_status tick_rows(rg_sq_common *s, sqlite3_stmt *st, const int64_t *only, size_t n_only, rg_tick_row_fn fn,
                           void *ctx, rg_err *e)
{
    rg_status rc = RG_OK;
    int r;
    rg_tick_row *row = malloc(sizeof *row);
    if (!row) {
        rg_sq_done(st);
        return rg_err_set(e, RG_ENOMEM, "store", "out of memory");
    }
    size_t at = 0;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (only) {
            int64_t customer = sqlite3_column_int64(st, 2);
            while (at < n_only && only[at] < customer)
                at++;
            if (at == n_only || only[at] != customer)
                continue;
        }
        rg_sq_read_invoice(st, &row->invoice);
        rg_sq_read_customer(st, 25, &row->customer);
        row->progress_cadence = (const char *)sqlite3_column_text(st, 45);
        row->progress_version = (const char *)sqlite3_column_text(st, 46);
        row->progress = (const char *)sqlite3_column_text(st, 47);
        row->optouts = (const char *)sqlite3_column_text(st, 48);
        row->recent = (const char *)sqlite3_column_text(st, 49);
        row->paid_history = (const char *)sqlite3_column_text(st, 50);
        row->next_at = rg_sq_col_opt_i64(st, 51, RG_INSTANT_NONE);
        row->agenda_wakes = sqlite3_column_int64(st, 52);
        row->holds = (const char *)sqlite3_column_text(st, 53);
        row->promises = (const char *)sqlite3_column_text(st, 54);
        if ((rc = fn(ctx, row)) != RG_OK)
            break;
    }
    free(row);
    if (rc == RG_OK && r != SQLITE_DONE)
        rc = rg_sq_fail(s, e, "reading open invoices");
    rg_sq_done(st);
    return rc;
}

rg_status rg_sqe_tick_each(rg_store *base, rg_instant recent_since, rg_date late_since, int64_t after_customer, int64_t after_invoice,
                           int64_t limit, rg_tick_row_fn fn, void *ctx, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = rg_sq_engine_stmt(
        s, E_TICK,
        TICK_SELECT " WHERE i.status = 'open' AND (i.customer_id > ?2 OR (i.customer_id = ?2 AND i.id > ?3))"
                    " ORDER BY i.customer_id, i.id LIMIT ?4",
        e);
    if (!st)
        return RG_ESTORE;
    rg_sq_bind_opt_i64(st, 1, recent_since, RG_INSTANT_NONE);
    sqlite3_bind_int64(st, 2, after_customer);
    sqlite3_bind_int64(st, 3, after_invoice);
    sqlite3_bind_int64(st, 4, limit > 0 ? limit : -1);
    rg_sq_bind_date(st, 5, late_since);
    if (bind_holds_gate(s, st, e) != RG_OK) {
        rg_sq_done(st);
        return RG_ESTORE;
    }
    return tick_rows(s, st, NULL, 0, fn, ctx, e);
}

/* Customers per statement of rg_sqe_tick_customers' IN list. */
#define TICK_CUSTOMERS 64

/* Ids this dense (at most one id in 8 of their span missing) are read as one
 * range in the index's order, the missing customers' rows stepped over: one
 * descent of the index instead of one per customer, which is what a tick
 * planning the whole portfolio (a new portfolio's catch-up, a re-plan) pays
 * for each customer. Sparser ids would read too many rows for nothing. */
static bool ids_dense(const int64_t *ids, size_t n)
{
    return n > 1 && (uint64_t)(ids[n - 1] - ids[0]) < (uint64_t)(n + n / 8);
}

static rg_status tick_range(rg_sq_common *s, rg_instant recent_since, rg_date late_since, const int64_t *ids, size_t n,
                            rg_tick_row_fn fn, void *ctx, rg_err *e)
{
    sqlite3_stmt *st = rg_sq_engine_stmt(
        s, E_TICK_RANGE,
        TICK_SELECT " WHERE i.status = 'open' AND i.customer_id BETWEEN ?2 AND ?3 ORDER BY i.customer_id, i.id", e);
    if (!st)
        return RG_ESTORE;
    rg_sq_bind_opt_i64(st, 1, recent_since, RG_INSTANT_NONE);
    sqlite3_bind_int64(st, 2, ids[0]);
    sqlite3_bind_int64(st, 3, ids[n - 1]);
    rg_sq_bind_date(st, 5, late_since);
    if (bind_holds_gate(s, st, e) != RG_OK) {
        rg_sq_done(st);
        return RG_ESTORE;
    }
    return tick_rows(s, st, ids, n, fn, ctx, e);
}

rg_status rg_sqe_tick_customers(rg_store *base, rg_instant recent_since, rg_date late_since, const int64_t *ids,
                                size_t n, rg_tick_row_fn fn, void *ctx, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    if (ids_dense(ids, n))
        return tick_range(s, recent_since, late_since, ids, n, fn, ctx, e);
    sqlite3_stmt *st = s->engine_st[E_TICK_CUSTOMERS];
    if (!st) {
        rg_buf sql = RG_BUF_INIT;
        rg_buf_puts(&sql, TICK_SELECT " WHERE i.status = 'open' AND i.customer_id IN (");
        for (int k = 0; k < TICK_CUSTOMERS; k++)
            rg_buf_printf(&sql, "%s?%d", k ? ", " : "", 6 + k);
        rg_buf_puts(&sql, ") ORDER BY i.customer_id, i.id");
        if (!(st = built_stmt(s, E_TICK_CUSTOMERS, &sql, e)))
            return RG_ESTORE;
    }
    for (size_t i = 0; i < n; i += TICK_CUSTOMERS) {
        rg_sq_bind_opt_i64(st, 1, recent_since, RG_INSTANT_NONE);
        rg_sq_bind_date(st, 5, late_since);
        if (bind_holds_gate(s, st, e) != RG_OK) { /* tick_rows clears the bindings */
            rg_sq_done(st);
            return RG_ESTORE;
        }
        for (size_t k = 0; k < TICK_CUSTOMERS; k++) /* the rest repeat the last id */
            sqlite3_bind_int64(st, 6 + (int)k, ids[i + k < n ? i + k : n - 1]);
        rg_status rc = tick_rows(s, st, NULL, 0, fn, ctx, e);
        if (rc != RG_OK)
            return rc;
    }
    return RG_OK;
}

/* ---- progress ---- */

rg_status rg_sqe_progress_put(rg_store *base, int64_t invoice_id, const char *cadence, const char *version,
                              const char *steps, rg_instant now, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = rg_sq_engine_stmt(
        s, E_PROGRESS_PUT,
        "UPDATE invoices SET progress_cadence = ?2, progress_version = ?3, progress = ?4 WHERE id = ?1",
        e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, invoice_id);
    rg_sq_bind_text(st, 2, cadence);
    rg_sq_bind_text(st, 3, version);
    rg_sq_bind_text(st, 4, steps);
    (void)now;
    return rg_sq_step_done(s, st, e, "recording cadence progress");
}

/* UPDATE ... FROM (VALUES ...) of `rows` rows, each (id, cadence, version,
 * steps, next_at, wakes): a NULL cadence keeps the progress; next_at is
 * written only while the wakes counter is the one the tick read. */
static sqlite3_stmt *plan_put_stmt(rg_sq_common *s, int slot, int rows, rg_err *e)
{
    if (s->engine_st[slot])
        return s->engine_st[slot];
    rg_buf sql = RG_BUF_INIT;
    rg_buf_puts(&sql, "UPDATE invoices SET progress_cadence = coalesce(v.column2, progress_cadence),"
                      " progress_version = CASE WHEN v.column2 IS NULL THEN progress_version ELSE v.column3 END,"
                      " progress = CASE WHEN v.column2 IS NULL THEN progress ELSE v.column4 END,"
                      " next_at = CASE WHEN agenda_wakes = v.column6 THEN v.column5 ELSE next_at END FROM (VALUES ");
    for (int r = 0; r < rows; r++) {
        int b = 6 * r;
        rg_buf_printf(&sql, "%s(?%d, ?%d, ?%d, ?%d, ?%d, ?%d)", r ? ", " : "", b + 1, b + 2, b + 3, b + 4, b + 5, b + 6);
    }
    rg_buf_puts(&sql, ") AS v WHERE invoices.id = v.column1");
    return built_stmt(s, slot, &sql, e);
}

static void bind_plan_put(sqlite3_stmt *st, int r, const rg_progress_write *x)
{
    int b = 6 * r;
    sqlite3_bind_int64(st, b + 1, x->invoice_id);
    if (x->cadence) {
        rg_sq_bind_text(st, b + 2, x->cadence);
        rg_sq_bind_text(st, b + 3, x->version);
        rg_sq_bind_text(st, b + 4, x->steps);
    } else {
        sqlite3_bind_null(st, b + 2);
        sqlite3_bind_null(st, b + 3);
        sqlite3_bind_null(st, b + 4);
    }
    rg_sq_bind_opt_i64(st, b + 5, x->next_at, RG_INSTANT_NONE);
    sqlite3_bind_int64(st, b + 6, x->wakes);
}

rg_status rg_sqe_progress_put_many(rg_store *base, const rg_progress_write *w, size_t n, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    size_t i = 0;
    if (n >= MANY_ROWS) {
        sqlite3_stmt *st = plan_put_stmt(s, E_PROGRESS_PUT_MANY, MANY_ROWS, e);
        if (!st)
            return RG_ESTORE;
        for (; n - i >= MANY_ROWS; i += MANY_ROWS) {
            for (int r = 0; r < MANY_ROWS; r++)
                bind_plan_put(st, r, &w[i + (size_t)r]);
            if (rg_sq_step_done(s, st, e, "recording cadence progress") != RG_OK)
                return RG_ESTORE;
        }
    }
    if (i < n) {
        sqlite3_stmt *st = plan_put_stmt(s, E_PROGRESS_PUT_ONE, 1, e);
        if (!st)
            return RG_ESTORE;
        for (; i < n; i++) {
            bind_plan_put(st, 0, &w[i]);
            if (rg_sq_step_done(s, st, e, "recording cadence progress") != RG_OK)
                return RG_ESTORE;
        }
    }
    return RG_OK;
}

rg_status rg_sqe_progress_get(rg_store *base, int64_t invoice_id, char *cadence, size_t cadence_n, char *steps,
                              size_t steps_n, bool *found, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st =
        rg_sq_engine_stmt(s, E_PROGRESS_GET,
                          "SELECT progress_cadence, progress FROM invoices WHERE id = ?1 AND progress_cadence IS NOT NULL", e);
    *found = false;
    cadence[0] = steps[0] = '\0';
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, invoice_id);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        *found = true;
        rg_sq_col_text(st, 0, cadence, cadence_n);
        rg_sq_col_text(st, 1, steps, steps_n);
    }
    rg_sq_done(st);
    return r == SQLITE_ROW || r == SQLITE_DONE ? RG_OK : rg_sq_fail(s, e, "reading cadence progress");
}

/* ---- messages ---- */

#define MSG_INSERT_COLS                                                                            \
    "INSERT INTO messages (idempotency_key, customer_id, invoice_id, cadence, cadence_version,"     \
    " source_kind, source_id, channel, fallbacks, template, subject, body, html, status, reason,"  \
    " attempts, provider_id, planned_for, next_attempt_at, sent_at, created_at, updated_at, payload, cost) VALUES "
#define MSG_PARAMS 22 /* bound per row: the 24 columns with planned_for and created_at used twice */

/* Binds a message's values to parameters at+1 .. at+MSG_PARAMS. */
static void bind_message(sqlite3_stmt *st, int at, const rg_message *m)
{
    rg_sq_bind_text(st, at + 1, m->idempotency_key);
    sqlite3_bind_int64(st, at + 2, m->customer_id);
    rg_sq_bind_opt_i64(st, at + 3, m->invoice_id, 0);
    rg_sq_bind_text(st, at + 4, m->cadence);
    rg_sq_bind_text(st, at + 5, m->cadence_version);
    rg_sq_bind_text(st, at + 6, m->source_kind);
    rg_sq_bind_text(st, at + 7, m->source_id);
    rg_sq_bind_text(st, at + 8, m->channel);
    rg_sq_bind_text(st, at + 9, m->fallbacks);
    rg_sq_bind_text(st, at + 10, m->template_name);
    rg_sq_bind_text(st, at + 11, m->subject);
    rg_sq_bind_text(st, at + 12, m->body);
    rg_sq_bind_text(st, at + 13, m->html);
    rg_sq_bind_text(st, at + 14, rg_message_status_name(m->status));
    rg_sq_bind_text(st, at + 15, m->reason);
    sqlite3_bind_int(st, at + 16, m->attempts);
    rg_sq_bind_text(st, at + 17, m->provider_id);
    sqlite3_bind_int64(st, at + 18, m->planned_for);
    rg_sq_bind_opt_i64(st, at + 19, m->sent_at, 0);
    sqlite3_bind_int64(st, at + 20, m->created_at);
    if (m->payload)
        rg_sq_bind_text(st, at + 21, m->payload);
    else
        sqlite3_bind_null(st, at + 21);
    sqlite3_bind_int64(st, at + 22, m->cost);
}

/* The VALUES tuple of row r: parameters r*MSG_PARAMS+1 .. +MSG_PARAMS. */
static void message_values(rg_buf *sql, int r)
{
    int b = r * MSG_PARAMS;
    rg_buf_printf(sql, "%s(", r ? ", " : "");
    for (int k = 1; k <= 18; k++)
        rg_buf_printf(sql, "?%d, ", b + k);
    rg_buf_printf(sql, "?%d, ?%d, ?%d, ?%d, coalesce(?%d, '{}'), ?%d)", b + 18, b + 19, b + 20, b + 20, b + 21,
                  b + 22);
}

rg_status rg_sqe_message_insert(rg_store *base, rg_message *m, bool *inserted, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *inserted = false;
    sqlite3_stmt *st = s->engine_st[E_MSG_INSERT];
    if (!st) {
        rg_buf sql = RG_BUF_INIT;
        rg_buf_puts(&sql, MSG_INSERT_COLS);
        message_values(&sql, 0);
        rg_buf_puts(&sql, " ON CONFLICT (idempotency_key) DO NOTHING");
        if (!(st = built_stmt(s, E_MSG_INSERT, &sql, e)))
            return RG_ESTORE;
    }
    bind_message(st, 0, m);
    if (rg_sq_step_done(s, st, e, "recording message") != RG_OK)
        return RG_ESTORE;
    if (sqlite3_changes(s->db) > 0) {
        *inserted = true;
        m->id = sqlite3_last_insert_rowid(s->db);
        return RG_OK;
    }
    if (!(st = rg_sq_engine_stmt(s, E_MSG_FIND, "SELECT id FROM messages WHERE idempotency_key = ?1", e)))
        return RG_ESTORE;
    rg_sq_bind_text(st, 1, m->idempotency_key);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        m->id = sqlite3_column_int64(st, 0);
    rg_sq_done(st);
    return r == SQLITE_ROW ? RG_OK : rg_sq_fail(s, e, "finding message");
}

rg_status rg_sqe_message_insert_many(rg_store *base, rg_message *const *m, size_t n, bool *inserted, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    size_t i = 0;
    sqlite3_stmt *st = s->engine_st[E_MSG_INSERT_MANY];
    if (!st && n >= MANY_ROWS) {
        rg_buf sql = RG_BUF_INIT;
        rg_buf_puts(&sql, MSG_INSERT_COLS);
        for (int r = 0; r < MANY_ROWS; r++)
            message_values(&sql, r);
        rg_buf_puts(&sql, " ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, idempotency_key");
        if (!(st = built_stmt(s, E_MSG_INSERT_MANY, &sql, e)))
            return RG_ESTORE;
    }
    for (; n - i >= MANY_ROWS; i += MANY_ROWS) {
        for (int r = 0; r < MANY_ROWS; r++) {
            bind_message(st, r * MSG_PARAMS, m[i + (size_t)r]);
            inserted[i + (size_t)r] = false;
        }
        /* the rows that went in come back (in no promised order): match by key */
        size_t hint = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            const char *key = (const char *)sqlite3_column_text(st, 1);
            for (size_t t = 0; key && t < MANY_ROWS; t++) {
                size_t k = i + (hint + t) % MANY_ROWS;
                if (!inserted[k] && !strcmp(m[k]->idempotency_key, key)) {
                    inserted[k] = true;
                    m[k]->id = sqlite3_column_int64(st, 0);
                    hint = (hint + t + 1) % MANY_ROWS;
                    break;
                }
            }
        }
        rg_sq_done(st);
        if (rc != SQLITE_DONE)
            return rg_sq_fail(s, e, "recording messages");
    }
    for (; i < n; i++)
        if (rg_sqe_message_insert(base, m[i], &inserted[i], e) != RG_OK)
            return RG_ESTORE;
    return RG_OK;
}

rg_status rg_sqe_message_link_invoice(rg_store *base, int64_t message_id, int64_t invoice_id, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = rg_sq_engine_stmt(s, E_MSG_LINK,
                                         "INSERT INTO message_invoices (message_id, invoice_id) VALUES (?1, ?2)"
                                         " ON CONFLICT DO NOTHING",
                                         e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, message_id);
    sqlite3_bind_int64(st, 2, invoice_id);
    return rg_sq_step_done(s, st, e, "linking message to invoice");
}

rg_status rg_sqe_message_set_status(rg_store *base, int64_t id, rg_message_status status, const char *reason,
                                    rg_instant sent_at, rg_instant now, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = rg_sq_engine_stmt(s, E_MSG_STATUS,
                                         "UPDATE messages SET status = ?2, reason = coalesce(?3, reason),"
                                         " sent_at = CASE WHEN ?2 IN ('sent', 'delivered', 'read')"
                                         "  THEN coalesce(?4, sent_at) END,"
                                         " cost = CASE WHEN ?2 IN ('sent', 'delivered', 'read') THEN cost ELSE 0 END,"
                                         " updated_at = ?5 WHERE id = ?1",
                                         e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, id);
    rg_sq_bind_text(st, 2, rg_message_status_name(status));
    if (reason)
        rg_sq_bind_text(st, 3, reason);
    rg_sq_bind_opt_i64(st, 4, sent_at, 0);
    sqlite3_bind_int64(st, 5, now);
    return rg_sq_step_done(s, st, e, "updating message");
}

/* The MESSAGE_SELECT columns (see sqlite_int.h) into *m; texts borrowed
 * from the statement until its next step. */
void rg_sq_read_message(sqlite3_stmt *st, rg_message *m)
{
    memset(m, 0, sizeof *m);
    m->id = sqlite3_column_int64(st, 0);
    rg_sq_col_text(st, 1, m->idempotency_key, sizeof m->idempotency_key);
    m->customer_id = sqlite3_column_int64(st, 2);
    rg_sq_col_text(st, 3, m->customer_external_id, sizeof m->customer_external_id);
    m->invoice_id = rg_sq_col_opt_i64(st, 4, 0);
    rg_sq_col_text(st, 5, m->invoice_external_ids, sizeof m->invoice_external_ids);
    rg_sq_col_text(st, 6, m->cadence, sizeof m->cadence);
    rg_sq_col_text(st, 7, m->cadence_version, sizeof m->cadence_version);
    rg_sq_col_text(st, 8, m->source_kind, sizeof m->source_kind);
    rg_sq_col_text(st, 9, m->source_id, sizeof m->source_id);
    rg_sq_col_text(st, 10, m->channel, sizeof m->channel);
    rg_sq_col_text(st, 11, m->fallbacks, sizeof m->fallbacks);
    rg_sq_col_text(st, 12, m->template_name, sizeof m->template_name);
    m->subject = (const char *)sqlite3_column_text(st, 13);
    m->body = (const char *)sqlite3_column_text(st, 14);
    m->html = (const char *)sqlite3_column_text(st, 15);
    const unsigned char *status = sqlite3_column_text(st, 16);
    if (!status || !rg_message_status_parse((const char *)status, &m->status))
        m->status = RG_MSG_PLANNED;
    rg_sq_col_text(st, 17, m->reason, sizeof m->reason);
    m->attempts = sqlite3_column_int(st, 18);
    rg_sq_col_text(st, 19, m->provider_id, sizeof m->provider_id);
    m->planned_for = sqlite3_column_int64(st, 20);
    m->sent_at = rg_sq_col_opt_i64(st, 21, 0);
    m->created_at = sqlite3_column_int64(st, 22);
    m->updated_at = sqlite3_column_int64(st, 23);
    m->payload = (const char *)sqlite3_column_text(st, 24);
    m->cost = sqlite3_column_int64(st, 25);
}

rg_status rg_sqe_message_each(rg_store *base, const rg_message_filter *f, rg_message_fn fn, void *ctx, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = NULL;
#define MESSAGE_LIST                                                                                           \
    "SELECT m.id, m.idempotency_key, m.customer_id, c.external_id, m.invoice_id,"                             \
    " coalesce((SELECT group_concat(i.external_id, '|') FROM message_invoices mi JOIN invoices i"            \
    "   ON i.id = mi.invoice_id WHERE mi.message_id = m.id),"                                                \
    "   (SELECT external_id FROM invoices WHERE id = m.invoice_id), ''),"                                    \
    " m.cadence, m.cadence_version, m.source_kind, m.source_id, m.channel, m.fallbacks, m.template,"         \
    " m.subject, m.body, m.html, m.status, m.reason, m.attempts, m.provider_id, m.planned_for,"              \
    " m.sent_at, m.created_at, m.updated_at, m.payload, m.cost"                                              \
    " FROM messages m JOIN customers c ON c.id = m.customer_id "
#define MESSAGE_LIST_TAIL                                                                                      \
    " AND (?2 IS NULL OR m.status = ?2) AND (?6 IS NULL OR m.channel = ?6) AND (?7 IS NULL OR m.cadence = ?7)"  \
    " AND (?8 IS NULL OR coalesce(m.sent_at, m.planned_for) >= ?8)"                                           \
    " AND (?9 IS NULL OR coalesce(m.sent_at, m.planned_for) < ?9) ORDER BY m.id LIMIT ?5"
    /* An invoice's messages or a customer's through their indexes, not a walk
     * over every message from after_id on (a page among a million). */
    const char *sql =
        f && f->invoice_external_id
            ? MESSAGE_LIST "WHERE m.id > ?1 AND m.id IN (SELECT mi.message_id FROM message_invoices mi"
                           "   WHERE mi.invoice_id = (SELECT id FROM invoices WHERE external_id = ?4)"
                           "  UNION ALL SELECT id FROM messages"
                           "   WHERE invoice_id = (SELECT id FROM invoices WHERE external_id = ?4))"
                           " AND (?3 IS NULL OR c.external_id = ?3)" MESSAGE_LIST_TAIL
        : f && f->customer_external_id
            ? MESSAGE_LIST "WHERE m.customer_id = (SELECT id FROM customers WHERE external_id = ?3) AND m.id > ?1"
                  MESSAGE_LIST_TAIL
        /* one channel's messages in one status (the dashboard's "failed on
         * sms") through messages_channel_status, in id order */
        : f && f->channel && f->status >= 0
            ? MESSAGE_LIST "WHERE m.channel = ?6 AND m.status = ?2 AND m.id > ?1" MESSAGE_LIST_TAIL
            : MESSAGE_LIST "WHERE m.id > ?1" MESSAGE_LIST_TAIL;
#undef MESSAGE_LIST
#undef MESSAGE_LIST_TAIL
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "listing messages");
    sqlite3_bind_int64(st, 1, f ? f->after_id : 0);
    if (f && f->status >= 0)
        rg_sq_bind_text(st, 2, rg_message_status_name((rg_message_status)f->status));
    if (f && f->customer_external_id)
        rg_sq_bind_text(st, 3, f->customer_external_id);
    if (f && f->invoice_external_id)
        rg_sq_bind_text(st, 4, f->invoice_external_id);
    sqlite3_bind_int64(st, 5, f && f->limit > 0 ? f->limit : -1);
    if (f && f->channel)
        rg_sq_bind_text(st, 6, f->channel);
    if (f && f->cadence)
        rg_sq_bind_text(st, 7, f->cadence);
    if (f && f->from)
        sqlite3_bind_int64(st, 8, f->from);
    if (f && f->to)
        sqlite3_bind_int64(st, 9, f->to);
    rg_status rc = RG_OK;
    int r;
    rg_message *m = calloc(1, sizeof *m);
    if (!m) {
        sqlite3_finalize(st);
        return rg_err_set(e, RG_ENOMEM, "store", "out of memory");
    }
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        rg_sq_read_message(st, m);
        if ((rc = fn(ctx, m)) != RG_OK)
            break;
    }
    free(m);
    if (rc == RG_OK && r != SQLITE_DONE)
        rc = rg_sq_fail(s, e, "listing messages");
    sqlite3_finalize(st);
    return rc;
}

/* ---- tasks ---- */

rg_status rg_sqe_task_insert(rg_store *base, rg_task *t, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = rg_sq_engine_stmt(
        s, E_TASK_INSERT,
        "INSERT INTO tasks (kind, customer_id, invoice_id, source, assignee, due_at, status, outcome, note,"
        " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, coalesce(nullif(?7, ''), 'open'), ?8, ?9, ?10)",
        e);
    if (!st)
        return RG_ESTORE;
    rg_sq_bind_text(st, 1, t->kind);
    sqlite3_bind_int64(st, 2, t->customer_id);
    rg_sq_bind_opt_i64(st, 3, t->invoice_id, 0);
    rg_sq_bind_text(st, 4, t->source);
    rg_sq_bind_text(st, 5, t->assignee);
    sqlite3_bind_int64(st, 6, t->due_at);
    rg_sq_bind_text(st, 7, t->status);
    rg_sq_bind_text(st, 8, t->outcome);
    rg_sq_bind_text(st, 9, t->note);
    sqlite3_bind_int64(st, 10, t->created_at);
    if (rg_sq_step_done(s, st, e, "creating task") != RG_OK)
        return RG_ESTORE;
    t->id = sqlite3_last_insert_rowid(s->db);
    return RG_OK;
}

rg_status rg_sqe_task_each(rg_store *base, bool include_done, rg_task_fn fn, void *ctx, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT id, kind, customer_id, invoice_id, source, assignee, due_at, status, outcome,"
                           " note, created_at FROM tasks WHERE ?1 OR status IN ('open', 'claimed')"
                           " ORDER BY due_at, id",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "listing tasks");
    sqlite3_bind_int(st, 1, include_done);
    rg_status rc = RG_OK;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        rg_task t;
        memset(&t, 0, sizeof t);
        t.id = sqlite3_column_int64(st, 0);
        rg_sq_col_text(st, 1, t.kind, sizeof t.kind);
        t.customer_id = sqlite3_column_int64(st, 2);
        t.invoice_id = rg_sq_col_opt_i64(st, 3, 0);
        rg_sq_col_text(st, 4, t.source, sizeof t.source);
        rg_sq_col_text(st, 5, t.assignee, sizeof t.assignee);
        t.due_at = sqlite3_column_int64(st, 6);
        rg_sq_col_text(st, 7, t.status, sizeof t.status);
        rg_sq_col_text(st, 8, t.outcome, sizeof t.outcome);
        rg_sq_col_text(st, 9, t.note, sizeof t.note);
        t.created_at = sqlite3_column_int64(st, 10);
        if ((rc = fn(ctx, &t)) != RG_OK)
            break;
    }
    if (rc == RG_OK && r != SQLITE_DONE)
        rc = rg_sq_fail(s, e, "listing tasks");
    sqlite3_finalize(st);
    return rc;
}

/* ---- opt-outs ---- */

rg_status rg_sqe_optout_set(rg_store *base, int64_t customer_id, const char *channel, const char *how,
                            rg_instant at, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = rg_sq_engine_stmt(s, E_OPTOUT,
                                         "INSERT INTO customer_optouts (customer_id, channel, at, how)"
                                         " VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                                         e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, customer_id);
    rg_sq_bind_text(st, 2, channel);
    sqlite3_bind_int64(st, 3, at);
    rg_sq_bind_text(st, 4, how);
    return rg_sq_step_done(s, st, e, "recording opt-out");
}

/* ---- bureau ---- */

rg_status rg_sqe_bureau_request(rg_store *base, int64_t invoice_id, rg_instant notice_at, rg_instant now,
                                bool *created, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *created = false;
    sqlite3_stmt *st = rg_sq_engine_stmt(s, E_BUREAU_REQUEST,
                                         "INSERT INTO bureau_listings (invoice_id, status, notice_at, requested_at)"
                                         " VALUES (?1, 'requested', ?2, ?3) ON CONFLICT (invoice_id) DO NOTHING",
                                         e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, invoice_id);
    sqlite3_bind_int64(st, 2, notice_at);
    sqlite3_bind_int64(st, 3, now);
    if (rg_sq_step_done(s, st, e, "requesting bureau listing") != RG_OK)
        return RG_ESTORE;
    *created = sqlite3_changes(s->db) > 0;
    return RG_OK;
}

rg_status rg_sqe_bureau_on_paid(rg_store *base, int64_t invoice_id, rg_instant now, bool *changed, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *changed = false;
    sqlite3_stmt *st = rg_sq_engine_stmt(s, E_BUREAU_PAID,
                                         "UPDATE bureau_listings SET status = 'removal_requested',"
                                         " removal_requested_at = ?2 WHERE invoice_id = ?1"
                                         " AND status IN ('requested', 'listed')",
                                         e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, invoice_id);
    sqlite3_bind_int64(st, 2, now);
    if (rg_sq_step_done(s, st, e, "requesting bureau removal") != RG_OK)
        return RG_ESTORE;
    *changed = sqlite3_changes(s->db) > 0;
    return RG_OK;
}

rg_status rg_sqe_bureau_status(rg_store *base, int64_t invoice_id, char *status, size_t n, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    status[0] = '\0';
    sqlite3_stmt *st =
        rg_sq_engine_stmt(s, E_BUREAU_STATUS, "SELECT status FROM bureau_listings WHERE invoice_id = ?1", e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, invoice_id);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        rg_sq_col_text(st, 0, status, n);
    rg_sq_done(st);
    return r == SQLITE_ROW || r == SQLITE_DONE ? RG_OK : rg_sq_fail(s, e, "reading bureau listing");
}

/* ---- reissue ---- */

rg_status rg_sqe_invoice_reissue(rg_store *base, int64_t invoice_id, const rg_reissue *r, rg_instant now, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = rg_sq_engine_stmt(
        s, E_REISSUE_ROW,
        "INSERT INTO invoice_reissues (invoice_id, at, old_due_date, new_due_date, principal, fine, interest,"
        " updated_amount, barcode, linha_digitavel, pix_code) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, invoice_id);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, r->old_due_date);
    sqlite3_bind_int64(st, 4, r->new_due_date);
    sqlite3_bind_int64(st, 5, r->principal);
    sqlite3_bind_int64(st, 6, r->fine);
    sqlite3_bind_int64(st, 7, r->interest);
    sqlite3_bind_int64(st, 8, r->updated_amount);
    rg_sq_bind_text(st, 9, r->barcode);
    rg_sq_bind_text(st, 10, r->linha_digitavel);
    rg_sq_bind_text(st, 11, r->pix_code);
    if (rg_sq_step_done(s, st, e, "recording reissue") != RG_OK)
        return RG_ESTORE;
    if (!(st = rg_sq_engine_stmt(s, E_REISSUE_INVOICE,
                                 "UPDATE invoices SET reissued_due_date = ?2, reissued_amount = ?3,"
                                 " barcode = CASE WHEN ?4 <> '' THEN ?4 ELSE barcode END,"
                                 " linha_digitavel = CASE WHEN ?5 <> '' THEN ?5 ELSE linha_digitavel END,"
                                 " pix_code = CASE WHEN ?6 <> '' THEN ?6 ELSE pix_code END,"
                                 " updated_at = ?7 WHERE id = ?1",
                                 e)))
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, invoice_id);
    sqlite3_bind_int64(st, 2, r->new_due_date);
    sqlite3_bind_int64(st, 3, r->updated_amount);
    rg_sq_bind_text(st, 4, r->barcode);
    rg_sq_bind_text(st, 5, r->linha_digitavel);
    rg_sq_bind_text(st, 6, r->pix_code);
    sqlite3_bind_int64(st, 7, now);
    return rg_sq_step_done(s, st, e, "updating reissued invoice");
}

/* ---- snapshot ---- */

rg_status rg_sqe_snapshot(rg_store *base, const char *path, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "VACUUM INTO ?1", -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "snapshot");
    rg_sq_bind_text(st, 1, path);
    int r = sqlite3_step(st);
    sqlite3_finalize(st);
    if (r != SQLITE_DONE)
        return rg_sq_fail(s, e, "snapshot");
    return RG_OK;
}

rg_status rg_sqe_customer_timezones(rg_store *base, rg_text_fn fn, void *ctx, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT DISTINCT timezone FROM customers WHERE timezone <> '' ORDER BY 1", -1, &st,
                           NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "listing time zones");
    rg_status rc = RG_OK;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = fn(ctx, (const char *)sqlite3_column_text(st, 0))) != RG_OK)
            break;
    if (rc == RG_OK && r != SQLITE_DONE)
        rc = rg_sq_fail(s, e, "listing time zones");
    sqlite3_finalize(st);
    return rc;
}

rg_status rg_sqe_message_max_id(rg_store *base, int64_t *id, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = NULL;
    *id = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT coalesce(max(id), 0) FROM messages", -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "reading messages");
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return r == SQLITE_ROW ? RG_OK : rg_sq_fail(s, e, "reading messages");
}
