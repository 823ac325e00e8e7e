/*
 * The SQLite backend's outgoing-webhook outbox (store.h, "outgoing
 * webhooks' outbox"): deliveries queued with the event that caused them,
 * claimed under a lease by `serve`, each attempt recorded. Deliveries are
 * rare next to messages (a few per payment), so the statements are
 * prepared per call.
 */
#include <string.h>

#include "store/sqlite_int.h"

#define SQ(base) ((rg_sq_common *)(base))

#define DELIVERY_COLS                                                                                                 \
    "id, webhook, event_id, event_type, body, status, attempts, failures, next_attempt_at, lease_owner,"           \
    " lease_until, last_status, last_error, delivered_at, created_at, updated_at"

static void read_delivery(sqlite3_stmt *st, rg_webhook_delivery *d)
{
    memset(d, 0, sizeof *d);
    d->id = sqlite3_column_int64(st, 0);
    rg_sq_col_text(st, 1, d->webhook, sizeof d->webhook);
    d->event_id = sqlite3_column_int64(st, 2);
    rg_sq_col_text(st, 3, d->event_type, sizeof d->event_type);
    d->body = (const char *)sqlite3_column_text(st, 4);
    if (!d->body)
        d->body = "";
    rg_sq_col_text(st, 5, d->status, sizeof d->status);
    d->attempts = sqlite3_column_int(st, 6);
    d->failures = sqlite3_column_int(st, 7);
    d->next_attempt_at = sqlite3_column_int64(st, 8);
    rg_sq_col_text(st, 9, d->lease_owner, sizeof d->lease_owner);
    d->lease_until = rg_sq_col_opt_i64(st, 10, RG_INSTANT_NONE);
    d->last_status = (int)rg_sq_col_opt_i64(st, 11, 0);
    rg_sq_col_text(st, 12, d->last_error, sizeof d->last_error);
    d->delivered_at = rg_sq_col_opt_i64(st, 13, RG_INSTANT_NONE);
    d->created_at = sqlite3_column_int64(st, 14);
    d->updated_at = sqlite3_column_int64(st, 15);
}

static rg_status each_row(rg_sq_common *s, sqlite3_stmt *st, rg_webhook_delivery_fn fn, void *ctx, const char *what,
                          rg_err *e)
{
    rg_status rc = RG_OK;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        rg_webhook_delivery d;
        read_delivery(st, &d);
        if (fn && (rc = fn(ctx, &d)) != RG_OK)
            break;
    }
    if (rc == RG_OK && r != SQLITE_DONE)
        rc = rg_sq_fail(s, e, what);
    return rc;
}

static sqlite3_stmt *prepare(rg_sq_common *s, const char *sql, const char *what, rg_err *e)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        rg_sq_fail(s, e, what);
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

rg_status rg_sqw_enqueue(rg_store *base, const char *webhook, int64_t event_id, const char *event_type, const char *body,
                         rg_instant now, bool *inserted, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *inserted = false;
    sqlite3_stmt *st = prepare(s,
                               "INSERT INTO webhook_deliveries (webhook, event_id, event_type, body, next_attempt_at,"
                               " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?5)"
                               " ON CONFLICT (webhook, event_id) DO NOTHING",
                               "queueing a webhook delivery", e);
    if (!st)
        return RG_ESTORE;
    rg_sq_bind_text(st, 1, webhook);
    sqlite3_bind_int64(st, 2, event_id);
    rg_sq_bind_text(st, 3, event_type);
    rg_sq_bind_text(st, 4, body);
    sqlite3_bind_int64(st, 5, now);
    rg_status rc = rg_sq_step_done(s, st, e, "queueing a webhook delivery");
    if (rc == RG_OK)
        *inserted = sqlite3_changes(s->db) > 0;
    sqlite3_finalize(st);
    return rc;
}

rg_status rg_sqw_claim(rg_store *base, const char *owner, rg_instant now, rg_instant lease_until, int64_t limit,
                       const char *lost_error, rg_webhook_delivery_fn fn, void *ctx, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    rg_status rc = RG_OK;
    /* a lease that ran out: the process sending it stopped before it
     * recorded an answer — an attempt whose outcome nobody knows */
    sqlite3_stmt *lost = prepare(s,
                                 "INSERT INTO webhook_attempts (delivery_id, at, http_status, error)"
                                 " SELECT id, ?1, NULL, ?2 FROM webhook_deliveries"
                                 " WHERE status = 'sending' AND lease_until < ?1",
                                 "recovering webhook deliveries", e);
    sqlite3_stmt *fix = NULL, *claim = NULL;
    if (!lost)
        return RG_ESTORE;
    sqlite3_bind_int64(lost, 1, now);
    rg_sq_bind_text(lost, 2, lost_error);
    if ((rc = rg_sq_step_done(s, lost, e, "recovering webhook deliveries")) != RG_OK)
        goto out;
    if (!(fix = prepare(s,
                        "UPDATE webhook_deliveries SET status = 'pending', attempts = attempts + 1,"
                        " last_status = NULL, last_error = ?2, lease_owner = '', lease_until = NULL,"
                        " next_attempt_at = ?1, updated_at = ?1 WHERE status = 'sending' AND lease_until < ?1",
                        "recovering webhook deliveries", e))) {
        rc = RG_ESTORE;
        goto out;
    }
    sqlite3_bind_int64(fix, 1, now);
    rg_sq_bind_text(fix, 2, lost_error);
    if ((rc = rg_sq_step_done(s, fix, e, "recovering webhook deliveries")) != RG_OK)
        goto out;
    if (!(claim = prepare(s,
                          "UPDATE webhook_deliveries SET status = 'sending', lease_owner = ?1, lease_until = ?2,"
                          " updated_at = ?3 WHERE id IN (SELECT id FROM webhook_deliveries WHERE status = 'pending'"
                          " AND next_attempt_at <= ?3 ORDER BY next_attempt_at, id LIMIT ?4)"
                          " RETURNING " DELIVERY_COLS,
                          "claiming webhook deliveries", e))) {
        rc = RG_ESTORE;
        goto out;
    }
    rg_sq_bind_text(claim, 1, owner);
    sqlite3_bind_int64(claim, 2, lease_until);
    sqlite3_bind_int64(claim, 3, now);
    sqlite3_bind_int64(claim, 4, limit > 0 ? limit : -1);
    rc = each_row(s, claim, fn, ctx, "claiming webhook deliveries", e);
out:
    sqlite3_finalize(lost);
    sqlite3_finalize(fix);
    sqlite3_finalize(claim);
    return rc;
}

rg_status rg_sqw_finish(rg_store *base, const rg_webhook_outcome *o, bool *held, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *held = false;
    sqlite3_stmt *up = prepare(s,
                               "UPDATE webhook_deliveries SET status = ?3, attempts = attempts + 1,"
                               " failures = CASE WHEN ?3 = 'delivered' THEN failures ELSE failures + 1 END,"
                               " last_status = ?4, last_error = ?5, next_attempt_at = ?6, lease_owner = '',"
                               " lease_until = NULL, delivered_at = CASE WHEN ?3 = 'delivered' THEN ?7 END,"
                               " updated_at = ?7 WHERE id = ?1 AND status = 'sending' AND lease_owner = ?2",
                               "recording a webhook attempt", e);
    sqlite3_stmt *att = NULL;
    if (!up)
        return RG_ESTORE;
    sqlite3_bind_int64(up, 1, o->id);
    rg_sq_bind_text(up, 2, o->owner);
    rg_sq_bind_text(up, 3, o->status);
    rg_sq_bind_opt_i64(up, 4, o->http_status, 0);
    rg_sq_bind_text(up, 5, o->error ? o->error : "");
    sqlite3_bind_int64(up, 6, o->next_attempt_at == RG_INSTANT_NONE ? o->answered_at : o->next_attempt_at);
    sqlite3_bind_int64(up, 7, o->answered_at);
    rg_status rc = rg_sq_step_done(s, up, e, "recording a webhook attempt");
    if (rc != RG_OK || sqlite3_changes(s->db) == 0)
        goto out;
    *held = true;
    if (!(att = prepare(s, "INSERT INTO webhook_attempts (delivery_id, at, http_status, error) VALUES (?1, ?2, ?3, ?4)",
                        "recording a webhook attempt", e))) {
        rc = RG_ESTORE;
        goto out;
    }
    sqlite3_bind_int64(att, 1, o->id);
    sqlite3_bind_int64(att, 2, o->at);
    rg_sq_bind_opt_i64(att, 3, o->http_status, 0);
    rg_sq_bind_text(att, 4, o->error ? o->error : "");
    rc = rg_sq_step_done(s, att, e, "recording a webhook attempt");
out:
    sqlite3_finalize(up);
    sqlite3_finalize(att);
    return rc;
}

rg_status rg_sqw_each(rg_store *base, const char *status, int64_t id, int64_t before_id, int64_t limit,
                      rg_webhook_delivery_fn fn, void *ctx, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = prepare(s,
                               "SELECT " DELIVERY_COLS " FROM webhook_deliveries WHERE (?1 IS NULL OR status = ?1)"
                               " AND (?2 = 0 OR id = ?2) AND (?4 = 0 OR id < ?4) ORDER BY id DESC LIMIT ?3",
                               "listing webhook deliveries", e);
    if (!st)
        return RG_ESTORE;
    if (status)
        rg_sq_bind_text(st, 1, status);
    else
        sqlite3_bind_null(st, 1);
    sqlite3_bind_int64(st, 2, id);
    sqlite3_bind_int64(st, 3, limit > 0 ? limit : -1);
    sqlite3_bind_int64(st, 4, before_id);
    rg_status rc = each_row(s, st, fn, ctx, "listing webhook deliveries", e);
    sqlite3_finalize(st);
    return rc;
}

rg_status rg_sqw_attempts(rg_store *base, int64_t delivery_id, rg_webhook_attempt_fn fn, void *ctx, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = prepare(s,
                               "SELECT id, at, http_status, error FROM webhook_attempts WHERE delivery_id = ?1"
                               " ORDER BY id",
                               "listing webhook attempts", e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, delivery_id);
    rg_status rc = RG_OK;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        rg_webhook_attempt a;
        memset(&a, 0, sizeof a);
        a.id = sqlite3_column_int64(st, 0);
        a.at = sqlite3_column_int64(st, 1);
        a.http_status = (int)rg_sq_col_opt_i64(st, 2, 0);
        rg_sq_col_text(st, 3, a.error, sizeof a.error);
        if ((rc = fn(ctx, &a)) != RG_OK)
            break;
    }
    if (rc == RG_OK && r != SQLITE_DONE)
        rc = rg_sq_fail(s, e, "listing webhook attempts");
    sqlite3_finalize(st);
    return rc;
}

rg_status rg_sqw_requeue(rg_store *base, int64_t id, rg_instant now, bool *changed, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *changed = false;
    sqlite3_stmt *st = prepare(s,
                               "UPDATE webhook_deliveries SET status = 'pending', failures = 0, next_attempt_at = ?2,"
                               " updated_at = ?2 WHERE id = ?1 AND status = 'failed'",
                               "re-queueing a webhook delivery", e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    rg_status rc = rg_sq_step_done(s, st, e, "re-queueing a webhook delivery");
    if (rc == RG_OK)
        *changed = sqlite3_changes(s->db) > 0;
    sqlite3_finalize(st);
    return rc;
}
