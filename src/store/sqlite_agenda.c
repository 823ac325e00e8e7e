/*
 * The SQLite backend's agenda: each open invoice's next_at (the instant the
 * tick must plan it again) and the wakes that move it. Its cached
 * statements live in rg_sq_common.agenda_st.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"

enum {
    A_WAKE_INVOICE,
    A_WAKE_CUSTOMER,
    A_GET,
    A_DUE,
    A_AFTER,
    A_STATE_GET,
    A_STATE_PUT,
    A_COUNT
};
_Static_assert(A_COUNT <= RG_SQ_AGENDA_STMTS, "raise RG_SQ_AGENDA_STMTS");

#define SQ(base) ((rg_sq_common *)(base))

static sqlite3_stmt *agenda_stmt(rg_sq_common *s, int slot, const char *sql, rg_err *e)
{
    if (s->agenda_st[slot])
        return s->agenda_st[slot];
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->agenda_st[slot], NULL) != SQLITE_OK) {
        rg_sq_fail(s, e, "prepare");
        s->agenda_st[slot] = NULL;
    }
    return s->agenda_st[slot];
}

void rg_sqa_finalize(rg_sq_common *s)
{
    for (int i = 0; i < RG_SQ_AGENDA_STMTS; i++) {
        sqlite3_finalize(s->agenda_st[i]);
        s->agenda_st[i] = NULL;
    }
}

/* ---- wakes ---- */

/* next_at = min(next_at, at), NULL being "never"; the counter tells a tick
 * that read the row before this write not to overwrite it. */
#define WAKE_SET                                                                                   \
    "UPDATE invoices SET next_at = CASE WHEN next_at IS NULL OR next_at > ?2 THEN ?2 ELSE next_at END," \
    " agenda_wakes = agenda_wakes + 1 "

rg_status rg_sqa_invoice_wake(rg_store *base, int64_t invoice_id, rg_instant at, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = agenda_stmt(s, A_WAKE_INVOICE, WAKE_SET "WHERE id = ?1 AND status = 'open'", e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, invoice_id);
    sqlite3_bind_int64(st, 2, at);
    return rg_sq_step_done(s, st, e, "waking an invoice");
}

rg_status rg_sqa_customer_wake(rg_store *base, int64_t customer_id, rg_instant at, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st =
        agenda_stmt(s, A_WAKE_CUSTOMER, WAKE_SET "WHERE customer_id = ?1 AND status = 'open'", e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, customer_id);
    sqlite3_bind_int64(st, 2, at);
    return rg_sq_step_done(s, st, e, "waking a customer's invoices");
}

rg_status rg_sqa_invoice_agenda(rg_store *base, int64_t invoice_id, rg_instant *next_at, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *next_at = RG_INSTANT_NONE;
    sqlite3_stmt *st = agenda_stmt(s, A_GET, "SELECT next_at FROM invoices WHERE id = ?1", e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, invoice_id);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        *next_at = rg_sq_col_opt_i64(st, 0, RG_INSTANT_NONE);
    rg_sq_done(st);
    if (r == SQLITE_DONE)
        return rg_err_set(e, RG_ENOTFOUND, "invoice", "no invoice with id %lld", (long long)invoice_id);
    return r == SQLITE_ROW ? RG_OK : rg_sq_fail(s, e, "reading an invoice's agenda");
}

/* ---- the tick's side ---- */

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

rg_status rg_sqa_due_customers(rg_store *base, rg_instant now, rg_id_fn fn, void *ctx, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    /* the range of the agenda's index only (covering: no row is read);
     * asked for sorted and distinct ids, SQLite would rather walk every
     * open invoice by customer, so the ids are sorted here */
    sqlite3_stmt *st = agenda_stmt(s, A_DUE,
                                   "SELECT customer_id FROM invoices INDEXED BY invoices_agenda"
                                   " WHERE status = 'open' AND next_at <= ?1",
                                   e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, now);
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            size_t c = cap ? cap * 2 : 1024;
            int64_t *v = realloc(ids, c * sizeof *v);
            if (!v) {
                rg_sq_done(st);
                free(ids);
                return rg_err_set(e, RG_ENOMEM, "store", "out of memory");
            }
            ids = v;
            cap = c;
        }
        ids[n++] = sqlite3_column_int64(st, 0);
    }
    rg_sq_done(st);
    if (r != SQLITE_DONE) {
        free(ids);
        return rg_sq_fail(s, e, "reading the agenda");
    }
    if (n > 1)
        qsort(ids, n, sizeof *ids, cmp_id);
    rg_status rc = RG_OK;
    for (size_t i = 0; i < n && rc == RG_OK; i++)
        if (i == 0 || ids[i] != ids[i - 1])
            rc = fn(ctx, ids[i]);
    free(ids);
    return rc;
}

rg_status rg_sqa_customers_after(rg_store *base, int64_t after, int64_t limit, rg_id_fn fn, void *ctx,
                                 int64_t *scanned, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *scanned = 0;
    sqlite3_stmt *st = agenda_stmt(s, A_AFTER,
                                   "SELECT customer_id FROM invoices WHERE status = 'open' AND customer_id > ?1"
                                   " ORDER BY customer_id LIMIT ?2",
                                   e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int64(st, 2, limit);
    rg_status rc = RG_OK;
    int r;
    int64_t last = after;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        ++*scanned;
        if (id != last && (rc = fn(ctx, id)) != RG_OK)
            break;
        last = id;
    }
    if (rc == RG_OK && r != SQLITE_DONE)
        rc = rg_sq_fail(s, e, "reading customers to re-plan");
    rg_sq_done(st);
    return rc;
}

rg_status rg_sqa_state_get(rg_store *base, rg_agenda_state *out, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = agenda_stmt(
        s, A_STATE_GET, "SELECT fingerprint, replan_fingerprint, replan_after FROM agenda_state WHERE id = 1", e);
    if (!st)
        return RG_ESTORE;
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        rg_sq_col_text(st, 0, out->fingerprint, sizeof out->fingerprint);
        rg_sq_col_text(st, 1, out->replan_fingerprint, sizeof out->replan_fingerprint);
        out->replan_after = sqlite3_column_int64(st, 2);
    }
    rg_sq_done(st);
    return r == SQLITE_ROW || r == SQLITE_DONE ? RG_OK : rg_sq_fail(s, e, "reading the agenda's state");
}

rg_status rg_sqa_state_put(rg_store *base, const rg_agenda_state *in, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = agenda_stmt(s, A_STATE_PUT,
                                   "INSERT INTO agenda_state (id, fingerprint, replan_fingerprint, replan_after)"
                                   " VALUES (1, ?1, ?2, ?3) ON CONFLICT (id) DO UPDATE SET"
                                   " fingerprint = excluded.fingerprint,"
                                   " replan_fingerprint = excluded.replan_fingerprint,"
                                   " replan_after = excluded.replan_after",
                                   e);
    if (!st)
        return RG_ESTORE;
    rg_sq_bind_text(st, 1, in->fingerprint);
    rg_sq_bind_text(st, 2, in->replan_fingerprint);
    sqlite3_bind_int64(st, 3, in->replan_after);
    return rg_sq_step_done(s, st, e, "recording the agenda's state");
}
