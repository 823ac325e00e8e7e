/*
 * The SQLite backend's functions for holds on an invoice's steps, the
 * promises' deadlines and offers (issue 11; the rules are in
 * service/holds.h), and the customer's history that `customer show`
 * lists (events, opt-outs). Cached statements live in holds_st.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "store/sqlite_int.h"

enum {
    H_ADD,
    H_RELEASE,
    H_PENDING,
    H_GRACE,
    H_RESOLVE,
    H_PAID_SINCE,
    H_OFFER_INSERT,
    H_OFFER_CURRENT,
    H_OFFER_ANY,
    H_OFFER_SETTLE,
    H_EACH,
    H_COUNT
};
_Static_assert(H_COUNT <= RG_SQ_HOLDS_STMTS, "raise RG_SQ_HOLDS_STMTS");

#define SQ(base) ((rg_sq_common *)(base))

static sqlite3_stmt *stmt(rg_sq_common *s, int slot, const char *sql, rg_err *e)
{
    if (s->holds_st[slot])
        return s->holds_st[slot];
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->holds_st[slot], NULL) != SQLITE_OK) {
        rg_sq_fail(s, e, "prepare");
        s->holds_st[slot] = NULL;
    }
    return s->holds_st[slot];
}

void rg_sqh_finalize(rg_sq_common *s)
{
    for (int i = 0; i < RG_SQ_HOLDS_STMTS; i++) {
        sqlite3_finalize(s->holds_st[i]);
        s->holds_st[i] = NULL;
    }
}

/* ---- holds ---- */

rg_status rg_sqh_hold_add(rg_store *base, rg_hold *h, bool *added, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *added = false;
    sqlite3_stmt *st = stmt(s, H_ADD,
                            "INSERT INTO invoice_holds (invoice_id, step, reason, promise_id, created_at)"
                            " SELECT ?1, ?2, ?3, ?4, ?5 WHERE NOT EXISTS (SELECT 1 FROM invoice_holds"
                            "  WHERE invoice_id = ?1 AND step = ?2 AND reason = ?3 AND coalesce(promise_id, 0) = ?6"
                            "  AND released_at IS NULL)",
                            e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, h->invoice_id);
    rg_sq_bind_text(st, 2, h->step);
    rg_sq_bind_text(st, 3, h->reason);
    rg_sq_bind_opt_i64(st, 4, h->promise_id, 0);
    sqlite3_bind_int64(st, 5, h->created_at);
    sqlite3_bind_int64(st, 6, h->promise_id);
    if (rg_sq_step_done(s, st, e, "recording a hold") != RG_OK)
        return RG_ESTORE;
    if (sqlite3_changes(s->db) > 0) {
        *added = true;
        h->id = sqlite3_last_insert_rowid(s->db);
    }
    return RG_OK;
}

rg_status rg_sqh_holds_release(rg_store *base, const rg_hold_filter *f, rg_instant at, const char *by,
                               int64_t *released, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    if (released)
        *released = 0;
    sqlite3_stmt *st = stmt(s, H_RELEASE,
                            "UPDATE invoice_holds SET released_at = ?6, released_by = ?7"
                            " WHERE (?1 = 0 OR invoice_id = ?1) AND released_at IS NULL AND (?2 IS NULL OR step = ?2)"
                            " AND (?3 IS NULL OR reason = ?3) AND (?4 IS NULL OR reason <> ?4)"
                            " AND (?5 = 0 OR promise_id = ?5)",
                            e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, f->invoice_id);
    if (f->step)
        rg_sq_bind_text(st, 2, f->step);
    else
        sqlite3_bind_null(st, 2);
    if (f->reason)
        rg_sq_bind_text(st, 3, f->reason);
    else
        sqlite3_bind_null(st, 3);
    if (f->except_reason)
        rg_sq_bind_text(st, 4, f->except_reason);
    else
        sqlite3_bind_null(st, 4);
    sqlite3_bind_int64(st, 5, f->promise_id);
    sqlite3_bind_int64(st, 6, at);
    rg_sq_bind_text(st, 7, by ? by : "");
    if (rg_sq_step_done(s, st, e, "releasing holds") != RG_OK)
        return RG_ESTORE;
    if (released)
        *released = sqlite3_changes(s->db);
    return RG_OK;
}

rg_status rg_sqh_hold_each(rg_store *base, int64_t invoice_id, bool active_only, rg_hold_fn fn, void *ctx, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    static const char sql[] = "SELECT id, invoice_id, step, reason, coalesce(promise_id, 0), created_at, released_at,"
                              " released_by FROM invoice_holds WHERE invoice_id = ?1"
                              " AND (?2 = 0 OR released_at IS NULL) ORDER BY id";
    /* The cached statement (the dispatcher's send-time check calls this for
     * every message); a callback that lists holds again while it is being
     * stepped gets a statement of its own. */
    sqlite3_stmt *st = stmt(s, H_EACH, sql, e);
    if (!st)
        return RG_ESTORE;
    bool own = false;
    if (sqlite3_stmt_busy(st)) {
        st = NULL;
        if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
            return rg_sq_fail(s, e, "listing holds");
        own = true;
    }
    sqlite3_bind_int64(st, 1, invoice_id);
    sqlite3_bind_int(st, 2, active_only ? 1 : 0);
    rg_status rc = RG_OK;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        rg_hold h;
        memset(&h, 0, sizeof h);
        h.id = sqlite3_column_int64(st, 0);
        h.invoice_id = sqlite3_column_int64(st, 1);
        rg_sq_col_text(st, 2, h.step, sizeof h.step);
        rg_sq_col_text(st, 3, h.reason, sizeof h.reason);
        h.promise_id = sqlite3_column_int64(st, 4);
        h.created_at = sqlite3_column_int64(st, 5);
        h.released_at = rg_sq_col_opt_i64(st, 6, RG_INSTANT_NONE);
        rg_sq_col_text(st, 7, h.released_by, sizeof h.released_by);
        if ((rc = fn(ctx, &h)) != RG_OK)
            break;
    }
    if (rc == RG_OK && r != SQLITE_DONE)
        rc = rg_sq_fail(s, e, "listing holds");
    if (own)
        sqlite3_finalize(st);
    else
        sqlite3_reset(st);
    return rc;
}

/* ---- promises ---- */

void rg_sq_read_promise(sqlite3_stmt *st, rg_promise *p)
{
    memset(p, 0, sizeof *p);
    p->id = sqlite3_column_int64(st, 0);
    p->customer_id = sqlite3_column_int64(st, 1);
    p->invoice_id = rg_sq_col_opt_i64(st, 2, 0);
    p->promised_date = rg_sq_col_date(st, 3);
    p->amount = sqlite3_column_int64(st, 4);
    rg_sq_col_text(st, 5, p->status, sizeof p->status);
    rg_sq_col_text(st, 6, p->source, sizeof p->source);
    p->created_at = sqlite3_column_int64(st, 7);
    p->resolved_at = rg_sq_col_opt_i64(st, 8, RG_INSTANT_NONE);
    p->grace_days = sqlite3_column_int64(st, 9);
}

rg_status rg_sqh_promise_each_pending(rg_store *base, int64_t invoice_id, rg_promise_fn fn, void *ctx, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = stmt(s, H_PENDING,
                            "SELECT id, customer_id, invoice_id, promised_date, amount, status, source,"
                            " created_at, resolved_at, grace_days FROM promises"
                            " WHERE status = 'pending' AND (?1 = 0 OR invoice_id = ?1"
                            "  OR (invoice_id IS NULL AND customer_id = (SELECT customer_id FROM invoices WHERE id = ?1)))"
                            " ORDER BY created_at, id",
                            e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, invoice_id);
    rg_status rc = RG_OK;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        rg_promise p;
        rg_sq_read_promise(st, &p);
        if ((rc = fn(ctx, &p)) != RG_OK)
            break;
    }
    if (rc == RG_OK && r != SQLITE_DONE)
        rc = rg_sq_fail(s, e, "listing pending promises");
    rg_sq_done(st);
    return rc;
}

rg_status rg_sqh_promise_grace(rg_store *base, int64_t promise_id, int64_t days, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st =
        stmt(s, H_GRACE, "UPDATE promises SET grace_days = max(grace_days, ?2) WHERE id = ?1", e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, promise_id);
    sqlite3_bind_int64(st, 2, days);
    return rg_sq_step_done(s, st, e, "recording a promise's grace");
}

rg_status rg_sqh_promise_resolve(rg_store *base, int64_t promise_id, const char *status, rg_instant at,
                                 bool *changed, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *changed = false;
    sqlite3_stmt *st = stmt(s, H_RESOLVE,
                            "UPDATE promises SET status = ?2, resolved_at = ?3 WHERE id = ?1 AND status = 'pending'",
                            e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, promise_id);
    rg_sq_bind_text(st, 2, status);
    sqlite3_bind_int64(st, 3, at);
    if (rg_sq_step_done(s, st, e, "resolving a promise") != RG_OK)
        return RG_ESTORE;
    *changed = sqlite3_changes(s->db) > 0;
    return RG_OK;
}

rg_status rg_sqh_payments_sum_since(rg_store *base, int64_t invoice_id, int64_t customer_id, rg_instant since,
                                    rg_cents *sum, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *sum = 0;
    sqlite3_stmt *st = stmt(s, H_PAID_SINCE,
                            "SELECT coalesce(sum(p.amount), 0) FROM payments p WHERE p.paid_at >= ?2 AND"
                            " (p.invoice_id = ?1 OR (?1 = 0 AND p.invoice_id IN (SELECT id FROM invoices"
                            "  WHERE customer_id = ?3)))",
                            e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, invoice_id);
    sqlite3_bind_int64(st, 2, since);
    sqlite3_bind_int64(st, 3, customer_id);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        *sum = sqlite3_column_int64(st, 0);
    rg_sq_done(st);
    if (r != SQLITE_ROW)
        return rg_sq_fail(s, e, "summing payments");
    return RG_OK;
}

/* ---- offers ---- */

#define OFFER_SELECT                                                                                            \
    "SELECT id, invoice_id, source, waive_interest, waive_fine, discount_pct, discount, created_at, valid_until," \
    " status, settled_at, waived FROM offers "

static void read_offer(sqlite3_stmt *st, rg_offer *o)
{
    memset(o, 0, sizeof *o);
    o->id = sqlite3_column_int64(st, 0);
    o->invoice_id = sqlite3_column_int64(st, 1);
    rg_sq_col_text(st, 2, o->source, sizeof o->source);
    o->waive_interest = sqlite3_column_int(st, 3) != 0;
    o->waive_fine = sqlite3_column_int(st, 4) != 0;
    o->discount_pct = sqlite3_column_int64(st, 5);
    o->discount = sqlite3_column_int64(st, 6);
    o->created_at = sqlite3_column_int64(st, 7);
    o->valid_until = sqlite3_column_int64(st, 8);
    rg_sq_col_text(st, 9, o->status, sizeof o->status);
    o->settled_at = rg_sq_col_opt_i64(st, 10, RG_INSTANT_NONE);
    o->waived = sqlite3_column_int64(st, 11);
}

rg_status rg_sqh_offer_insert(rg_store *base, rg_offer *o, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = stmt(s, H_OFFER_INSERT,
                            "INSERT INTO offers (invoice_id, source, waive_interest, waive_fine, discount_pct,"
                            " discount, created_at, valid_until) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                            e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, o->invoice_id);
    rg_sq_bind_text(st, 2, o->source);
    sqlite3_bind_int(st, 3, o->waive_interest);
    sqlite3_bind_int(st, 4, o->waive_fine);
    sqlite3_bind_int64(st, 5, o->discount_pct);
    sqlite3_bind_int64(st, 6, o->discount);
    sqlite3_bind_int64(st, 7, o->created_at);
    sqlite3_bind_int64(st, 8, o->valid_until);
    if (rg_sq_step_done(s, st, e, "recording an offer") != RG_OK)
        return RG_ESTORE;
    o->id = sqlite3_last_insert_rowid(s->db);
    rg_strlcpy(o->status, "open", sizeof o->status);
    o->settled_at = RG_INSTANT_NONE;
    return RG_OK;
}

rg_status rg_sqh_offer_current(rg_store *base, int64_t invoice_id, rg_instant at, rg_offer *out, bool *found,
                               rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *found = false;
    /* the newest is chosen here: an ORDER BY would have SQLite build a
     * temporary b-tree on every call, and the engine asks for each message
     * it renders (~30,000 instructions each, with no offer at all) */
    sqlite3_stmt *st = stmt(s, H_OFFER_CURRENT,
                            OFFER_SELECT "WHERE invoice_id = ?1 AND status = 'open' AND created_at <= ?2"
                                         " AND valid_until > ?2",
                            e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, invoice_id);
    sqlite3_bind_int64(st, 2, at);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        rg_offer o;
        read_offer(st, &o);
        if (!*found || o.created_at > out->created_at || (o.created_at == out->created_at && o.id > out->id)) {
            *out = o;
            *found = true;
        }
    }
    rg_sq_done(st);
    if (r != SQLITE_DONE)
        return rg_sq_fail(s, e, "reading the current offer");
    return RG_OK;
}

rg_status rg_sqh_offer_any(rg_store *base, rg_instant at, bool *any, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *any = true; /* on error: look each offer up */
    sqlite3_stmt *st = stmt(s, H_OFFER_ANY,
                            "SELECT EXISTS (SELECT 1 FROM offers WHERE status = 'open' AND created_at <= ?1"
                            " AND valid_until > ?1)",
                            e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, at);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        *any = sqlite3_column_int(st, 0) != 0;
    rg_sq_done(st);
    if (r != SQLITE_ROW)
        return rg_sq_fail(s, e, "looking for open offers");
    return RG_OK;
}

rg_status rg_sqh_offer_settle(rg_store *base, int64_t offer_id, rg_instant at, rg_cents waived, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = stmt(s, H_OFFER_SETTLE,
                            "UPDATE offers SET status = 'settled', settled_at = ?2, waived = ?3 WHERE id = ?1", e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, offer_id);
    sqlite3_bind_int64(st, 2, at);
    sqlite3_bind_int64(st, 3, waived);
    return rg_sq_step_done(s, st, e, "settling an offer");
}

rg_status rg_sqh_offer_each(rg_store *base, int64_t invoice_id, rg_offer_fn fn, void *ctx, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, OFFER_SELECT "WHERE invoice_id = ?1 ORDER BY created_at, id", -1, &st, NULL) !=
        SQLITE_OK)
        return rg_sq_fail(s, e, "listing offers");
    sqlite3_bind_int64(st, 1, invoice_id);
    rg_status rc = RG_OK;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        rg_offer o;
        read_offer(st, &o);
        if ((rc = fn(ctx, &o)) != RG_OK)
            break;
    }
    if (rc == RG_OK && r != SQLITE_DONE)
        rc = rg_sq_fail(s, e, "listing offers");
    sqlite3_finalize(st);
    return rc;
}

/* ---- a customer's history ---- */

rg_status rg_sqh_event_each_for_customer(rg_store *base, int64_t customer_id, int64_t limit, rg_customer_event_fn fn,
                                         void *ctx, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT e.id, e.type, e.at, e.source, e.customer_id, e.invoice_id, e.message_id, e.payload,"
                           " coalesce(i.external_id, '') FROM events e LEFT JOIN invoices i ON i.id = e.invoice_id"
                           " WHERE e.customer_id = ?1 ORDER BY e.at DESC, e.id DESC LIMIT ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "listing the customer's events");
    sqlite3_bind_int64(st, 1, customer_id);
    sqlite3_bind_int64(st, 2, limit > 0 ? limit : -1);
    rg_status rc = RG_OK;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        rg_event ev;
        rg_sq_read_event(st, &ev);
        if ((rc = fn(ctx, &ev, (const char *)sqlite3_column_text(st, 8))) != RG_OK)
            break;
    }
    if (rc == RG_OK && r != SQLITE_DONE)
        rc = rg_sq_fail(s, e, "listing the customer's events");
    sqlite3_finalize(st);
    return rc;
}

rg_status rg_sqh_optout_each(rg_store *base, int64_t customer_id, rg_optout_fn fn, void *ctx, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT channel, how, at FROM customer_optouts WHERE customer_id = ?1 ORDER BY channel",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "listing opt-outs");
    sqlite3_bind_int64(st, 1, customer_id);
    rg_status rc = RG_OK;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if ((rc = fn(ctx, (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
                     sqlite3_column_int64(st, 2))) != RG_OK)
            break;
    }
    if (rc == RG_OK && r != SQLITE_DONE)
        rc = rg_sq_fail(s, e, "listing opt-outs");
    sqlite3_finalize(st);
    return rc;
}
