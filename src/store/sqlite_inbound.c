/*
 * The SQLite backend's functions for inbound traffic: finding messages by
 * id or by the provider's id, applying delivery reports, finding customers
 * by phone number and reading opt-outs. Statement slots 36..46.
 */
#include <string.h>

#include "store/sqlite_int.h"

enum {
    I_MSG_REF = 36,
    I_MSG_PROVIDER,
    I_MSG_LAST_SENT,
    I_TRACK_SENT,
    I_TRACK_DELIVERED,
    I_TRACK_READ,
    I_TRACK_FAILED,
    I_CUST_WHATSAPP,
    I_CUST_PHONE,
    I_OPTOUT_GET,
    I_EVENT_SEEN,
    I_END
};
_Static_assert(I_END <= RG_SQ_ENGINE_STMTS, "raise RG_SQ_ENGINE_STMTS");

#define SQ(base) ((rg_sq_common *)(base))
#define MSG_REF_SELECT "SELECT id, customer_id, invoice_id, channel, status, provider_id FROM messages "

/* Steps a statement selecting MSG_REF_SELECT's columns into *out. */
static rg_status read_ref(rg_sq_common *s, sqlite3_stmt *st, rg_message_ref *out, rg_err *e, const char *what)
{
    int r = sqlite3_step(st);
    rg_status rc = RG_OK;
    if (r == SQLITE_ROW) {
        out->id = sqlite3_column_int64(st, 0);
        out->customer_id = sqlite3_column_int64(st, 1);
        out->invoice_id = rg_sq_col_opt_i64(st, 2, 0);
        rg_sq_col_text(st, 3, out->channel, sizeof out->channel);
        const unsigned char *status = sqlite3_column_text(st, 4);
        if (!status || !rg_message_status_parse((const char *)status, &out->status))
            out->status = RG_MSG_PLANNED;
        rg_sq_col_text(st, 5, out->provider_id, sizeof out->provider_id);
    } else if (r == SQLITE_DONE) {
        rc = rg_err_set(e, RG_ENOTFOUND, "store", "no such message (%s)", what);
    } else {
        rc = rg_sq_fail(s, e, what);
    }
    rg_sq_done(st);
    if (rc != RG_OK)
        memset(out, 0, sizeof *out);
    return rc;
}

rg_status rg_sqe_message_ref(rg_store *base, int64_t id, rg_message_ref *out, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = rg_sq_engine_stmt(s, I_MSG_REF, MSG_REF_SELECT "WHERE id = ?1", e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, id);
    return read_ref(s, st, out, e, "message by id");
}

rg_status rg_sqe_message_by_provider_id(rg_store *base, const char *provider_id, rg_message_ref *out, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    memset(out, 0, sizeof *out);
    if (!provider_id || !*provider_id)
        return rg_err_set(e, RG_ENOTFOUND, "store", "no such message (empty provider id)");
    sqlite3_stmt *st = rg_sq_engine_stmt(
        s, I_MSG_PROVIDER, MSG_REF_SELECT "WHERE provider_id = ?1 AND provider_id <> '' ORDER BY id DESC LIMIT 1", e);
    if (!st)
        return RG_ESTORE;
    rg_sq_bind_text(st, 1, provider_id);
    return read_ref(s, st, out, e, "message by provider id");
}

/* Rare (a report about an answer regua lost): statements prepared per call,
 * no cached slot. */
rg_status rg_sqe_message_by_key(rg_store *base, const char *key, const char *provider_id, rg_message_ref *out,
                                rg_err *e)
{
    rg_sq_common *s = SQ(base);
    memset(out, 0, sizeof *out);
    if (!key || !*key)
        return rg_err_set(e, RG_ENOTFOUND, "store", "no such message (empty key)");
    sqlite3_stmt *st = NULL;
    if (provider_id && *provider_id) {
        if (sqlite3_prepare_v2(s->db, "UPDATE messages SET provider_id = ?2 WHERE idempotency_key = ?1"
                                      " AND provider_id = ''",
                               -1, &st, NULL) != SQLITE_OK)
            return rg_sq_fail(s, e, "adopting a provider id");
        rg_sq_bind_text(st, 1, key);
        rg_sq_bind_text(st, 2, provider_id);
        int r = sqlite3_step(st);
        sqlite3_finalize(st);
        if (r != SQLITE_DONE)
            return rg_sq_fail(s, e, "adopting a provider id");
    }
    if (sqlite3_prepare_v2(s->db, MSG_REF_SELECT "WHERE idempotency_key = ?1", -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "message by key");
    rg_sq_bind_text(st, 1, key);
    rg_status rc = read_ref(s, st, out, e, "message by key");
    sqlite3_finalize(st);
    return rc;
}

rg_status rg_sqe_task_close_for_message(rg_store *base, int64_t message_id, const char *kind, const char *outcome,
                                        const char *note, rg_instant now, bool *changed, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *changed = false;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "UPDATE tasks SET status = 'done', outcome = ?3, note = ?4, done_at = ?5"
                           " WHERE message_id = ?1 AND kind = ?2 AND status IN ('open', 'claimed')",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "closing a message's task");
    sqlite3_bind_int64(st, 1, message_id);
    rg_sq_bind_text(st, 2, kind);
    rg_sq_bind_text(st, 3, outcome);
    rg_sq_bind_text(st, 4, note ? note : "");
    sqlite3_bind_int64(st, 5, now);
    int r = sqlite3_step(st);
    sqlite3_finalize(st);
    if (r != SQLITE_DONE)
        return rg_sq_fail(s, e, "closing a message's task");
    *changed = sqlite3_changes(s->db) > 0;
    return RG_OK;
}

rg_status rg_sqe_message_last_sent(rg_store *base, int64_t customer_id, const char *channel, rg_message_ref *out,
                                   rg_err *e)
{
    rg_sq_common *s = SQ(base);
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = rg_sq_engine_stmt(s, I_MSG_LAST_SENT,
                                         MSG_REF_SELECT "WHERE customer_id = ?1 AND channel = ?2"
                                                        " AND sent_at IS NOT NULL ORDER BY id DESC LIMIT 1",
                                         e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, customer_id);
    rg_sq_bind_text(st, 2, channel);
    return read_ref(s, st, out, e, "last message sent");
}

rg_status rg_sqe_message_track(rg_store *base, int64_t id, rg_message_status status, const char *reason,
                               rg_instant at, rg_instant now, bool *changed, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *changed = false;
    int slot;
    const char *sql;
    switch (status) {
    case RG_MSG_SENT:
        slot = I_TRACK_SENT;
        sql = "UPDATE messages SET sent_at = coalesce(sent_at, ?2),"
              " status = CASE WHEN status IN ('queued', 'sending', 'uncertain') THEN 'sent' ELSE status END,"
              " updated_at = ?3 WHERE id = ?1 AND (sent_at IS NULL OR status IN ('queued', 'sending', 'uncertain'))";
        break;
    case RG_MSG_DELIVERED:
        slot = I_TRACK_DELIVERED;
        sql = "UPDATE messages SET delivered_at = ?2, sent_at = coalesce(sent_at, ?2),"
              " status = CASE WHEN status IN ('queued', 'sending', 'sent', 'uncertain') THEN 'delivered' ELSE status END,"
              " updated_at = ?3 WHERE id = ?1 AND delivered_at IS NULL";
        break;
    case RG_MSG_READ:
        slot = I_TRACK_READ;
        sql = "UPDATE messages SET read_at = ?2, delivered_at = coalesce(delivered_at, ?2),"
              " sent_at = coalesce(sent_at, ?2), status = CASE WHEN status IN ('queued', 'sending', 'sent',"
              " 'delivered', 'uncertain') THEN 'read' ELSE status END, updated_at = ?3 WHERE id = ?1 AND read_at IS NULL";
        break;
    case RG_MSG_FAILED:
        slot = I_TRACK_FAILED;
        sql = "UPDATE messages SET status = 'failed', reason = coalesce(?4, reason), updated_at = ?3"
              " WHERE id = ?1 AND status IN ('queued', 'sending', 'sent', 'uncertain')";
        break;
    default:
        return rg_err_set(e, RG_EINTERNAL, "store", "a provider report cannot set status %s",
                          rg_message_status_name(status));
    }
    sqlite3_stmt *st = rg_sq_engine_stmt(s, slot, sql, e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, at);
    sqlite3_bind_int64(st, 3, now);
    if (status == RG_MSG_FAILED && reason)
        rg_sq_bind_text(st, 4, reason);
    if (rg_sq_step_done(s, st, e, "applying a delivery report") != RG_OK)
        return RG_ESTORE;
    *changed = sqlite3_changes(s->db) > 0;
    return RG_OK;
}

rg_status rg_sqe_customers_by_number(rg_store *base, const char *e164, bool whatsapp, rg_customer *out, size_t max,
                                     size_t *n, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *n = 0;
    sqlite3_stmt *st =
        whatsapp ? rg_sq_engine_stmt(s, I_CUST_WHATSAPP, CUSTOMER_SELECT "WHERE whatsapp = ?1 AND ?1 <> '' ORDER BY id",
                                     e)
                 : rg_sq_engine_stmt(s, I_CUST_PHONE,
                                     CUSTOMER_SELECT "WHERE ?1 <> '' AND (phone = ?1 OR (phone = '' AND whatsapp = ?1))"
                                                     " ORDER BY id",
                                     e);
    if (!st)
        return RG_ESTORE;
    rg_sq_bind_text(st, 1, e164);
    int r = SQLITE_DONE;
    while (*n < max && (r = sqlite3_step(st)) == SQLITE_ROW)
        rg_sq_read_customer(st, 0, &out[(*n)++]);
    rg_status rc = *n == max || r == SQLITE_DONE ? RG_OK : rg_sq_fail(s, e, "finding customers by number");
    rg_sq_done(st);
    if (rc != RG_OK)
        *n = 0;
    return rc;
}

rg_status rg_sqe_optout_get(rg_store *base, int64_t customer_id, const char *channel, bool *found, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *found = false;
    sqlite3_stmt *st = rg_sq_engine_stmt(
        s, I_OPTOUT_GET, "SELECT 1 FROM customer_optouts WHERE customer_id = ?1 AND channel = ?2", e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, customer_id);
    rg_sq_bind_text(st, 2, channel);
    int r = sqlite3_step(st);
    *found = r == SQLITE_ROW;
    rg_sq_done(st);
    return r == SQLITE_ROW || r == SQLITE_DONE ? RG_OK : rg_sq_fail(s, e, "reading opt-out");
}

rg_status rg_sqe_event_seen(rg_store *base, const char *type, rg_instant at, const char *provider_id, bool *seen,
                            rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *seen = false;
    sqlite3_stmt *st = rg_sq_engine_stmt(s, I_EVENT_SEEN,
                                         "SELECT 1 FROM events WHERE type = ?1 AND at = ?2"
                                         " AND json_extract(payload, '$.provider_id') = ?3 LIMIT 1",
                                         e);
    if (!st)
        return RG_ESTORE;
    rg_sq_bind_text(st, 1, type);
    sqlite3_bind_int64(st, 2, at);
    rg_sq_bind_text(st, 3, provider_id);
    int r = sqlite3_step(st);
    *seen = r == SQLITE_ROW;
    rg_sq_done(st);
    return r == SQLITE_ROW || r == SQLITE_DONE ? RG_OK : rg_sq_fail(s, e, "looking for an event");
}
