/*
 * The SQLite backend's functions for the operator task queue, promises to
 * pay and bureau (negativação) requests. Cached statements use the engine
 * slots 30..35; the listings prepare their statement per call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "store/sqlite_int.h"

enum {
    S_TASK_FOR_MESSAGE = 30,
    S_TASK_CLAIM = 31,
    S_TASK_FINISH = 32,
    S_PROMISE_INSERT = 33,
    S_BUREAU_ACCEPTED = 34,
    S_BUREAU_FAILED = 35,
};

#define SQ(base) ((rg_sq_common *)(base))

static rg_instant col_instant(sqlite3_stmt *st, int i)
{
    return rg_sq_col_opt_i64(st, i, RG_INSTANT_NONE);
}

/* ---- tasks ---- */

rg_status rg_sqe_task_insert_for_message(rg_store *base, rg_task *t, int64_t message_id, const char *text,
                                         bool *inserted, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *inserted = false;
    sqlite3_stmt *st = rg_sq_engine_stmt(
        s, S_TASK_FOR_MESSAGE,
        "INSERT INTO tasks (kind, customer_id, invoice_id, source, assignee, due_at, status, created_at,"
        " message_id, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open', ?7, ?8, ?9) ON CONFLICT DO NOTHING",
        e);
    if (!st)
        return RG_ESTORE;
    rg_sq_bind_text(st, 1, t->kind);
    sqlite3_bind_int64(st, 2, t->customer_id);
    rg_sq_bind_opt_i64(st, 3, t->invoice_id, 0);
    rg_sq_bind_text(st, 4, t->source);
    rg_sq_bind_text(st, 5, t->assignee);
    sqlite3_bind_int64(st, 6, t->due_at);
    sqlite3_bind_int64(st, 7, t->created_at);
    rg_sq_bind_opt_i64(st, 8, message_id, 0);
    rg_sq_bind_text(st, 9, text);
    if (rg_sq_step_done(s, st, e, "creating task") != RG_OK)
        return RG_ESTORE;
    if (sqlite3_changes(s->db) > 0) {
        *inserted = true;
        t->id = sqlite3_last_insert_rowid(s->db);
        return RG_OK;
    }
    /* the message already has its task */
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT id FROM tasks WHERE message_id = ?1", -1, &q, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "finding task");
    sqlite3_bind_int64(q, 1, message_id);
    rg_status rc = RG_OK;
    if (sqlite3_step(q) == SQLITE_ROW)
        t->id = sqlite3_column_int64(q, 0);
    else
        rc = rg_sq_fail(s, e, "finding task");
    sqlite3_finalize(q);
    return rc;
}

#define TASK_VIEW_SELECT                                                                                   \
    "SELECT t.id, t.kind, t.customer_id, t.invoice_id, t.source, t.assignee, t.due_at, t.status, t.outcome," \
    " t.note, t.created_at, t.message_id, c.external_id, c.name,"                                          \
    " CASE WHEN c.phone <> '' THEN c.phone ELSE c.whatsapp END, coalesce(i.external_id, ''),"             \
    " t.claimed_at, t.done_at, t.text,"                                                                    \
    " CASE WHEN i.status = 'open' AND t.status IN ('open', 'claimed') AND t.kind <> 'dispute'"                \
    " THEN (SELECT h.reason FROM invoice_holds h" \
    "   WHERE h.invoice_id = t.invoice_id AND h.step = '' AND h.released_at IS NULL ORDER BY h.id LIMIT 1) END" \
    " FROM tasks t JOIN customers c ON c.id = t.customer_id LEFT JOIN invoices i ON i.id = t.invoice_id "

static void read_task_view(sqlite3_stmt *st, rg_task_view *v)
{
    memset(v, 0, sizeof *v);
    rg_task *t = &v->task;
    t->id = sqlite3_column_int64(st, 0);
    rg_sq_col_text(st, 1, t->kind, sizeof t->kind);
    t->customer_id = sqlite3_column_int64(st, 2);
    t->invoice_id = rg_sq_col_opt_i64(st, 3, 0);
    rg_sq_col_text(st, 4, t->source, sizeof t->source);
    rg_sq_col_text(st, 5, t->assignee, sizeof t->assignee);
    t->due_at = sqlite3_column_int64(st, 6);
    rg_sq_col_text(st, 7, t->status, sizeof t->status);
    rg_sq_col_text(st, 8, t->outcome, sizeof t->outcome);
    rg_sq_col_text(st, 9, t->note, sizeof t->note);
    t->created_at = sqlite3_column_int64(st, 10);
    v->message_id = rg_sq_col_opt_i64(st, 11, 0);
    rg_sq_col_text(st, 12, v->customer_external_id, sizeof v->customer_external_id);
    rg_sq_col_text(st, 13, v->customer_name, sizeof v->customer_name);
    rg_sq_col_text(st, 14, v->customer_phone, sizeof v->customer_phone);
    rg_sq_col_text(st, 15, v->invoice_external_id, sizeof v->invoice_external_id);
    v->claimed_at = col_instant(st, 16);
    v->done_at = col_instant(st, 17);
    const unsigned char *text = sqlite3_column_text(st, 18);
    v->text = text ? (const char *)text : "";
    rg_sq_col_text(st, 19, v->held, sizeof v->held);
}

rg_status rg_sqe_task_get(rg_store *base, int64_t id, rg_task_view *out, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, TASK_VIEW_SELECT "WHERE t.id = ?1", -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "reading task");
    sqlite3_bind_int64(st, 1, id);
    rg_status rc = RG_OK;
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        read_task_view(st, out);
        out->text = "";
    } else if (r == SQLITE_DONE) {
        rc = rg_err_set(e, RG_ENOTFOUND, "task", "no task with id %lld", (long long)id);
    } else {
        rc = rg_sq_fail(s, e, "reading task");
    }
    sqlite3_finalize(st);
    return rc;
}

/* Calls fn for each row of a prepared task view statement, then finalizes it. */
static rg_status each_task_view(rg_sq_common *s, sqlite3_stmt *st, rg_task_view_fn fn, void *ctx, rg_err *e)
{
    rg_status rc = RG_OK;
    int r;
    rg_task_view *v = malloc(sizeof *v);
    if (!v) {
        sqlite3_finalize(st);
        return rg_err_set(e, RG_ENOMEM, "store", "out of memory");
    }
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        read_task_view(st, v);
        if ((rc = fn(ctx, v)) != RG_OK)
            break;
    }
    if (rc == RG_OK && r != SQLITE_DONE)
        rc = rg_sq_fail(s, e, "listing tasks");
    free(v);
    sqlite3_finalize(st);
    return rc;
}

rg_status rg_sqe_task_view_each(rg_store *base, bool include_done, rg_task_view_fn fn, void *ctx, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           TASK_VIEW_SELECT "WHERE ?1 OR t.status IN ('open', 'claimed') ORDER BY t.due_at, t.id",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "listing tasks");
    sqlite3_bind_int(st, 1, include_done);
    return each_task_view(s, st, fn, ctx, e);
}

rg_status rg_sqe_task_view_page(rg_store *base, bool include_done, int64_t after_id, int64_t limit, rg_task_view_fn fn,
                                void *ctx, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           TASK_VIEW_SELECT "WHERE (?1 OR t.status IN ('open', 'claimed')) AND t.id > ?2"
                                            " ORDER BY t.id LIMIT ?3",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "listing tasks");
    sqlite3_bind_int(st, 1, include_done);
    sqlite3_bind_int64(st, 2, after_id);
    sqlite3_bind_int64(st, 3, limit > 0 ? limit : -1);
    return each_task_view(s, st, fn, ctx, e);
}

rg_status rg_sqe_task_claim(rg_store *base, int64_t id, const char *assignee, rg_instant now, bool *changed,
                            rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *changed = false;
    sqlite3_stmt *st = rg_sq_engine_stmt(s, S_TASK_CLAIM,
                                         "UPDATE tasks SET status = 'claimed', assignee = ?2,"
                                         " claimed_at = coalesce(claimed_at, ?3)"
                                         " WHERE id = ?1 AND status IN ('open', 'claimed')",
                                         e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, id);
    rg_sq_bind_text(st, 2, assignee);
    sqlite3_bind_int64(st, 3, now);
    if (rg_sq_step_done(s, st, e, "claiming task") != RG_OK)
        return RG_ESTORE;
    *changed = sqlite3_changes(s->db) > 0;
    return RG_OK;
}

rg_status rg_sqe_task_finish(rg_store *base, int64_t id, const char *assignee, const char *outcome,
                             const char *note, rg_instant now, bool *changed, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *changed = false;
    sqlite3_stmt *st = rg_sq_engine_stmt(s, S_TASK_FINISH,
                                         "UPDATE tasks SET status = 'done',"
                                         " assignee = CASE WHEN ?2 <> '' THEN ?2 ELSE assignee END,"
                                         " outcome = ?3, note = ?4, done_at = ?5"
                                         " WHERE id = ?1 AND status IN ('open', 'claimed')",
                                         e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, id);
    rg_sq_bind_text(st, 2, assignee);
    rg_sq_bind_text(st, 3, outcome);
    rg_sq_bind_text(st, 4, note);
    sqlite3_bind_int64(st, 5, now);
    if (rg_sq_step_done(s, st, e, "closing task") != RG_OK)
        return RG_ESTORE;
    *changed = sqlite3_changes(s->db) > 0;
    return RG_OK;
}

/* ---- promises ---- */

rg_status rg_sqe_promise_insert(rg_store *base, rg_promise *p, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = rg_sq_engine_stmt(s, S_PROMISE_INSERT,
                                         "INSERT INTO promises (customer_id, invoice_id, promised_date, amount,"
                                         " status, source, created_at)"
                                         " VALUES (?1, ?2, ?3, ?4, coalesce(nullif(?5, ''), 'pending'), ?6, ?7)",
                                         e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, p->customer_id);
    rg_sq_bind_opt_i64(st, 2, p->invoice_id, 0);
    sqlite3_bind_int64(st, 3, p->promised_date);
    sqlite3_bind_int64(st, 4, p->amount);
    rg_sq_bind_text(st, 5, p->status);
    rg_sq_bind_text(st, 6, p->source);
    sqlite3_bind_int64(st, 7, p->created_at);
    if (rg_sq_step_done(s, st, e, "recording promise") != RG_OK)
        return RG_ESTORE;
    p->id = sqlite3_last_insert_rowid(s->db);
    if (!p->status[0])
        rg_strlcpy(p->status, "pending", sizeof p->status);
    return RG_OK;
}

rg_status rg_sqe_promise_each_for_invoice(rg_store *base, int64_t invoice_id, rg_promise_fn fn, void *ctx,
                                          rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT id, customer_id, invoice_id, promised_date, amount, status, source, created_at,"
                           " resolved_at, grace_days FROM promises WHERE invoice_id = ?1 ORDER BY created_at, id",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "listing promises");
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
        rc = rg_sq_fail(s, e, "listing promises");
    sqlite3_finalize(st);
    return rc;
}

/* ---- bureau ---- */

#define BUREAU_SELECT                                                                                      \
    "SELECT id, invoice_id, status, notice_at, requested_at, listed_at, removal_requested_at, removed_at," \
    " provider_ref, attempts, last_attempt_at, last_error FROM bureau_listings "

static void read_listing(sqlite3_stmt *st, rg_bureau_listing *l)
{
    memset(l, 0, sizeof *l);
    l->id = sqlite3_column_int64(st, 0);
    l->invoice_id = sqlite3_column_int64(st, 1);
    rg_sq_col_text(st, 2, l->status, sizeof l->status);
    l->notice_at = col_instant(st, 3);
    l->requested_at = col_instant(st, 4);
    l->listed_at = col_instant(st, 5);
    l->removal_requested_at = col_instant(st, 6);
    l->removed_at = col_instant(st, 7);
    rg_sq_col_text(st, 8, l->provider_ref, sizeof l->provider_ref);
    l->attempts = sqlite3_column_int64(st, 9);
    l->last_attempt_at = col_instant(st, 10);
    rg_sq_col_text(st, 11, l->last_error, sizeof l->last_error);
}

rg_status rg_sqe_bureau_get(rg_store *base, int64_t invoice_id, rg_bureau_listing *out, bool *found, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    memset(out, 0, sizeof *out);
    *found = false;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, BUREAU_SELECT "WHERE invoice_id = ?1", -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "reading bureau listing");
    sqlite3_bind_int64(st, 1, invoice_id);
    rg_status rc = RG_OK;
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        read_listing(st, out);
        *found = true;
    } else if (r != SQLITE_DONE) {
        rc = rg_sq_fail(s, e, "reading bureau listing");
    }
    sqlite3_finalize(st);
    return rc;
}

rg_status rg_sqe_bureau_pending_each(rg_store *base, rg_bureau_fn fn, void *ctx, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, BUREAU_SELECT "WHERE status IN ('requested', 'removal_requested') ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "listing bureau requests");
    rg_status rc = RG_OK;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        rg_bureau_listing l;
        read_listing(st, &l);
        if ((rc = fn(ctx, &l)) != RG_OK)
            break;
    }
    if (rc == RG_OK && r != SQLITE_DONE)
        rc = rg_sq_fail(s, e, "listing bureau requests");
    sqlite3_finalize(st);
    return rc;
}

rg_status rg_sqe_bureau_accepted(rg_store *base, int64_t invoice_id, bool removal, const char *provider_ref,
                                 rg_instant now, bool *changed, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *changed = false;
    sqlite3_stmt *st = rg_sq_engine_stmt(
        s, S_BUREAU_ACCEPTED,
        "UPDATE bureau_listings SET"
        " listed_at = CASE WHEN ?2 = 0 THEN coalesce(listed_at, ?4) ELSE listed_at END,"
        " removed_at = CASE WHEN ?2 = 1 AND status = 'removal_requested' THEN ?4 ELSE removed_at END,"
        " provider_ref = CASE WHEN ?3 <> '' THEN ?3 ELSE provider_ref END,"
        " status = CASE WHEN ?2 = 0 AND status = 'requested' THEN 'listed'"
        "  WHEN ?2 = 1 AND status = 'removal_requested' THEN 'removed' ELSE status END,"
        " attempts = attempts + 1, last_attempt_at = ?4, last_error = ''"
        " WHERE invoice_id = ?1 RETURNING status",
        e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, invoice_id);
    sqlite3_bind_int(st, 2, removal ? 1 : 0);
    rg_sq_bind_text(st, 3, provider_ref);
    sqlite3_bind_int64(st, 4, now);
    int r = sqlite3_step(st);
    char status[20] = "";
    if (r == SQLITE_ROW) {
        rg_sq_col_text(st, 0, status, sizeof status);
        r = sqlite3_step(st);
    }
    rg_sq_done(st);
    if (r != SQLITE_DONE)
        return rg_sq_fail(s, e, "recording bureau answer");
    if (!status[0])
        return rg_err_set(e, RG_ENOTFOUND, "bureau", "invoice id %lld has no bureau listing", (long long)invoice_id);
    *changed = !strcmp(status, removal ? "removed" : "listed");
    return RG_OK;
}

rg_status rg_sqe_bureau_failed(rg_store *base, int64_t invoice_id, const char *error, rg_instant now, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = rg_sq_engine_stmt(s, S_BUREAU_FAILED,
                                         "UPDATE bureau_listings SET attempts = attempts + 1, last_attempt_at = ?3,"
                                         " last_error = ?2 WHERE invoice_id = ?1",
                                         e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, invoice_id);
    rg_sq_bind_text(st, 2, error);
    sqlite3_bind_int64(st, 3, now);
    return rg_sq_step_done(s, st, e, "recording bureau failure");
}
