/*
 * The SQLite backend's outbox functions for the dispatcher: claiming
 * queued messages under a lease, lease-guarded outcomes, recovery of
 * leases, and the reads the send-time re-check needs. Cached statements
 * use the engine slots 20..29.
 *
 * A claim is one UPDATE ... RETURNING statement: SQLite serialises
 * writers, so two dispatchers (threads or processes) never claim the same
 * row. (A PostgreSQL backend would use SELECT ... FOR UPDATE SKIP LOCKED.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "store/sqlite_int.h"

enum {
    D_CLAIM_CHANNEL = 20,
    D_CLAIM_OTHERS,
    D_HANDED,
    D_FINISH,
    D_INVOICE_IDS,
    D_OPTOUTS,
    D_SENDS_SINCE,
    D_NEXT_DUE,
    D_COUNTS,
    D_RENEW,
};

#define SQ(base) ((rg_sq_common *)(base))

#define CLAIM_SET                                                                                                     \
    "UPDATE messages SET status = 'sending', lease_owner = ?1, lease_until = ?2, handed_at = NULL, updated_at = ?3" \
    " WHERE id IN (SELECT id FROM messages WHERE status = 'queued' AND next_attempt_at <= ?3 AND "

#define CLAIM_RETURNING                                                                                              \
    " ORDER BY next_attempt_at, id LIMIT ?5)"                                                                        \
    " RETURNING id, idempotency_key, customer_id,"                                                                   \
    " (SELECT c.external_id FROM customers c WHERE c.id = messages.customer_id), invoice_id,"                       \
    " coalesce((SELECT group_concat(i.external_id, '|') FROM message_invoices mi JOIN invoices i"                   \
    "   ON i.id = mi.invoice_id WHERE mi.message_id = messages.id),"                                                 \
    "   (SELECT i.external_id FROM invoices i WHERE i.id = messages.invoice_id), ''),"                               \
    " cadence, cadence_version, source_kind, source_id, channel, fallbacks, template, subject, body, html,"          \
    " status, reason, attempts, provider_id, planned_for, sent_at, created_at, updated_at, payload, cost"

static void bind_opt_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}


rg_status rg_sqe_outbox_claim(rg_store *base, const char *channel, const char *other_than, const char *owner,
                              rg_instant now, rg_instant lease_until, int64_t limit, rg_message_fn fn, void *ctx,
                              rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st =
        channel ? rg_sq_engine_stmt(s, D_CLAIM_CHANNEL, CLAIM_SET "channel = ?4" CLAIM_RETURNING, e)
                : rg_sq_engine_stmt(s, D_CLAIM_OTHERS,
                                    CLAIM_SET "instr('|' || ?4 || '|', '|' || channel || '|') = 0" CLAIM_RETURNING, e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_text(st, 1, owner, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, lease_until);
    sqlite3_bind_int64(st, 3, now);
    rg_sq_bind_text(st, 4, channel ? channel : other_than);
    sqlite3_bind_int64(st, 5, limit > 0 ? limit : 1);
    rg_message *m = malloc(sizeof *m);
    if (!m) {
        rg_sq_done(st);
        return rg_err_set(e, RG_ENOMEM, "store", "out of memory");
    }
    /* SQLite makes every change on the first step; the rows follow. */
    rg_status rc = RG_OK;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        rg_sq_read_message(st, m);
        if (rc == RG_OK)
            rc = fn(ctx, m); /* keep stepping: every claimed row must be seen */
    }
    free(m);
    if (r != SQLITE_DONE)
        rc = rg_sq_fail(s, e, "claiming queued messages");
    rg_sq_done(st);
    return rc;
}

rg_status rg_sqe_outbox_handed(rg_store *base, int64_t id, const char *owner, rg_instant now, bool *held, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *held = false;
    sqlite3_stmt *st = rg_sq_engine_stmt(s, D_HANDED,
                                         "UPDATE messages SET handed_at = ?3 WHERE id = ?1 AND status = 'sending'"
                                         " AND lease_owner = ?2",
                                         e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, id);
    rg_sq_bind_text(st, 2, owner);
    sqlite3_bind_int64(st, 3, now);
    if (rg_sq_step_done(s, st, e, "marking message handed to provider") != RG_OK)
        return RG_ESTORE;
    *held = sqlite3_changes(s->db) > 0;
    return RG_OK;
}

rg_status rg_sqe_outbox_finish(rg_store *base, const rg_outbox_result *r, rg_instant now, bool *held, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *held = false;
    sqlite3_stmt *st = rg_sq_engine_stmt(
        s, D_FINISH,
        "UPDATE messages SET status = ?3, reason = coalesce(?4, reason), provider_id = coalesce(?5, provider_id),"
        " attempts = ?6, next_attempt_at = coalesce(?7, next_attempt_at), sent_at = coalesce(?8, sent_at),"
        " channel = coalesce(?9, channel), fallbacks = coalesce(?10, fallbacks), subject = coalesce(?11, subject),"
        " body = coalesce(?12, body), html = coalesce(?13, html), payload = coalesce(?14, payload),"
        " lease_owner = '', lease_until = NULL, handed_at = NULL, updated_at = ?15,"
        " cost = CASE WHEN ?3 = 'sent' THEN ?16 ELSE cost END"
        " WHERE id = ?1 AND status = 'sending' AND lease_owner = ?2",
        e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, r->id);
    rg_sq_bind_text(st, 2, r->owner);
    rg_sq_bind_text(st, 3, rg_message_status_name(r->status));
    bind_opt_text(st, 4, r->reason);
    bind_opt_text(st, 5, r->provider_id);
    sqlite3_bind_int(st, 6, r->attempts);
    rg_sq_bind_opt_i64(st, 7, r->next_attempt_at, 0);
    rg_sq_bind_opt_i64(st, 8, r->sent_at, 0);
    bind_opt_text(st, 9, r->channel);
    bind_opt_text(st, 10, r->fallbacks);
    bind_opt_text(st, 11, r->subject);
    bind_opt_text(st, 12, r->body);
    bind_opt_text(st, 13, r->html);
    bind_opt_text(st, 14, r->payload);
    sqlite3_bind_int64(st, 15, now);
    sqlite3_bind_int64(st, 16, r->cost);
    if (rg_sq_step_done(s, st, e, "recording a send's outcome") != RG_OK)
        return RG_ESTORE;
    *held = sqlite3_changes(s->db) > 0;
    return RG_OK;
}

rg_status rg_sqe_outbox_leases(rg_store *base, rg_outbox_lease_fn fn, void *ctx, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT id, lease_owner, lease_until, handed_at, channel, attempts, customer_id, invoice_id"
                           " FROM messages"
                           " WHERE status = 'sending' ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "listing leased messages");
    rg_status rc = RG_OK;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        rg_outbox_lease l;
        memset(&l, 0, sizeof l);
        l.id = sqlite3_column_int64(st, 0);
        rg_sq_col_text(st, 1, l.owner, sizeof l.owner);
        l.lease_until = rg_sq_col_opt_i64(st, 2, 0);
        l.handed_at = rg_sq_col_opt_i64(st, 3, 0);
        rg_sq_col_text(st, 4, l.channel, sizeof l.channel);
        l.attempts = sqlite3_column_int(st, 5);
        l.customer_id = sqlite3_column_int64(st, 6);
        l.invoice_id = rg_sq_col_opt_i64(st, 7, 0);
        if ((rc = fn(ctx, &l)) != RG_OK)
            break;
    }
    if (rc == RG_OK && r != SQLITE_DONE)
        rc = rg_sq_fail(s, e, "listing leased messages");
    sqlite3_finalize(st);
    return rc;
}

rg_status rg_sqe_outbox_renew(rg_store *base, const char *owner, rg_instant lease_until, int64_t *n, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *n = 0;
    sqlite3_stmt *st = rg_sq_engine_stmt(s, D_RENEW,
                                         "UPDATE messages SET lease_until = ?2 WHERE status = 'sending'"
                                         " AND lease_owner = ?1 AND lease_until < ?2",
                                         e);
    if (!st)
        return RG_ESTORE;
    rg_sq_bind_text(st, 1, owner);
    sqlite3_bind_int64(st, 2, lease_until);
    if (rg_sq_step_done(s, st, e, "renewing the dispatcher's leases") != RG_OK)
        return e->code == RG_EBUSY ? RG_EBUSY : RG_ESTORE;
    *n = sqlite3_changes(s->db);
    return RG_OK;
}

rg_status rg_sqe_outbox_next_due(rg_store *base, rg_instant *at, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *at = RG_INSTANT_NONE;
    sqlite3_stmt *st =
        rg_sq_engine_stmt(s, D_NEXT_DUE, "SELECT min(next_attempt_at) FROM messages WHERE status = 'queued'", e);
    if (!st)
        return RG_ESTORE;
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        *at = sqlite3_column_int64(st, 0);
    rg_sq_done(st);
    return r == SQLITE_ROW ? RG_OK : rg_sq_fail(s, e, "reading the outbox");
}

rg_status rg_sqe_outbox_counts(rg_store *base, int64_t *queued, int64_t *sending, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *queued = *sending = 0;
    sqlite3_stmt *st = rg_sq_engine_stmt(s, D_COUNTS,
                                         "SELECT (SELECT count(*) FROM messages WHERE status = 'queued'),"
                                         " (SELECT count(*) FROM messages WHERE status = 'sending')",
                                         e);
    if (!st)
        return RG_ESTORE;
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        *queued = sqlite3_column_int64(st, 0);
        *sending = sqlite3_column_int64(st, 1);
    }
    rg_sq_done(st);
    return r == SQLITE_ROW ? RG_OK : rg_sq_fail(s, e, "counting the outbox");
}

rg_status rg_sqe_message_invoice_ids(rg_store *base, int64_t message_id, int64_t *ids, size_t max, size_t *n,
                                     rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *n = 0;
    sqlite3_stmt *st = rg_sq_engine_stmt(s, D_INVOICE_IDS,
                                         "SELECT invoice_id FROM message_invoices WHERE message_id = ?1"
                                         " UNION SELECT invoice_id FROM messages WHERE id = ?1"
                                         " AND invoice_id IS NOT NULL ORDER BY 1",
                                         e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, message_id);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        if (*n < max)
            ids[(*n)++] = sqlite3_column_int64(st, 0);
    rg_sq_done(st);
    return r == SQLITE_DONE ? RG_OK : rg_sq_fail(s, e, "reading a message's invoices");
}

rg_status rg_sqe_customer_optouts(rg_store *base, int64_t customer_id, char *buf, size_t n, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    buf[0] = '\0';
    sqlite3_stmt *st = rg_sq_engine_stmt(
        s, D_OPTOUTS, "SELECT group_concat(channel, '|') FROM customer_optouts WHERE customer_id = ?1", e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, customer_id);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        rg_sq_col_text(st, 0, buf, n);
    rg_sq_done(st);
    return r == SQLITE_ROW ? RG_OK : rg_sq_fail(s, e, "reading opt-outs");
}

rg_status rg_sqe_customer_sends_since(rg_store *base, int64_t customer_id, rg_instant since, int64_t exclude,
                                      rg_instant *out, size_t max, size_t *n, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *n = 0;
    sqlite3_stmt *st = rg_sq_engine_stmt(s, D_SENDS_SINCE,
                                         "SELECT sent_at FROM messages WHERE customer_id = ?1 AND sent_at >= ?2"
                                         " AND id <> ?3 AND status IN ('sent', 'delivered', 'read')"
                                         " ORDER BY sent_at",
                                         e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, customer_id);
    sqlite3_bind_int64(st, 2, since);
    sqlite3_bind_int64(st, 3, exclude);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        if (*n < max)
            out[(*n)++] = sqlite3_column_int64(st, 0);
    rg_sq_done(st);
    return r == SQLITE_DONE ? RG_OK : rg_sq_fail(s, e, "reading the customer's recent messages");
}

rg_status rg_sqe_message_resolve(rg_store *base, const rg_message_resolution *r, rg_instant now, bool *changed,
                                 rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *changed = false;
    /* rare (an operator's command): prepared per call */
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "UPDATE messages SET status = ?2, reason = ?3,"
                           " provider_id = CASE WHEN ?2 = 'sent' AND ?4 <> '' THEN ?4 ELSE provider_id END,"
                           " sent_at = CASE WHEN ?2 = 'sent' THEN coalesce(sent_at, ?5) ELSE sent_at END,"
                           " cost = CASE WHEN ?2 = 'sent' THEN ?6 ELSE 0 END,"
                           " next_attempt_at = CASE WHEN ?2 = 'queued' THEN ?7 ELSE next_attempt_at END,"
                           " attempts = CASE WHEN ?2 = 'queued' THEN 0 ELSE attempts END,"
                           " lease_owner = '', lease_until = NULL, handed_at = NULL, updated_at = ?8"
                           " WHERE id = ?1 AND status = 'uncertain'",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "resolving a message");
    sqlite3_bind_int64(st, 1, r->id);
    rg_sq_bind_text(st, 2, rg_message_status_name(r->status));
    rg_sq_bind_text(st, 3, r->reason ? r->reason : "");
    rg_sq_bind_text(st, 4, r->provider_id ? r->provider_id : "");
    sqlite3_bind_int64(st, 5, r->sent_at);
    sqlite3_bind_int64(st, 6, r->cost);
    sqlite3_bind_int64(st, 7, r->next_attempt_at);
    sqlite3_bind_int64(st, 8, now);
    rg_status rc = sqlite3_step(st) == SQLITE_DONE ? RG_OK : rg_sq_fail(s, e, "resolving a message");
    if (rc == RG_OK)
        *changed = sqlite3_changes(s->db) > 0;
    sqlite3_finalize(st);
    return rc;
}
