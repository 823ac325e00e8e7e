/*
 * The SQLite backend's functions for the REST API: its keys (api_keys) and
 * the Idempotency-Keys of its writes (api_idempotency), migration 13.
 * Cached statements live in api_st: authentication and idempotency run on
 * every request.
 */
#include <string.h>

#include "store/sqlite_int.h"

enum {
    K_INSERT,
    K_BY_HASH,
    K_BY_ID,
    K_REVOKE,
    K_TOUCH,
    K_IDEM_PURGE,
    K_IDEM_CLAIM,
    K_IDEM_GET,
    K_IDEM_FINISH,
    K_IDEM_RELEASE,
    K_IDEM_MARK,
    K_COUNT
};
_Static_assert(K_COUNT <= RG_SQ_API_STMTS, "raise RG_SQ_API_STMTS");

#define SQ(base) ((rg_sq_common *)(base))

#define KEY_SELECT "SELECT id, name, role, prefix, created_at, revoked_at, last_used_at FROM api_keys "

static sqlite3_stmt *stmt(rg_sq_common *s, int slot, const char *sql, rg_err *e)
{
    if (s->api_st[slot])
        return s->api_st[slot];
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->api_st[slot], NULL) != SQLITE_OK) {
        rg_sq_fail(s, e, "prepare");
        s->api_st[slot] = NULL;
    }
    return s->api_st[slot];
}

void rg_sqk_finalize(rg_sq_common *s)
{
    for (int i = 0; i < RG_SQ_API_STMTS; i++) {
        sqlite3_finalize(s->api_st[i]);
        s->api_st[i] = NULL;
    }
}

static void read_key(sqlite3_stmt *st, rg_apikey_row *k)
{
    memset(k, 0, sizeof *k);
    k->id = sqlite3_column_int64(st, 0);
    rg_sq_col_text(st, 1, k->name, sizeof k->name);
    rg_sq_col_text(st, 2, k->role, sizeof k->role);
    rg_sq_col_text(st, 3, k->prefix, sizeof k->prefix);
    k->created_at = sqlite3_column_int64(st, 4);
    k->revoked_at = rg_sq_col_opt_i64(st, 5, RG_INSTANT_NONE);
    k->last_used_at = rg_sq_col_opt_i64(st, 6, RG_INSTANT_NONE);
}

rg_status rg_sqk_apikey_insert(rg_store *base, rg_apikey_row *k, const char *hash_hex, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = stmt(s, K_INSERT,
                            "INSERT INTO api_keys (name, role, prefix, key_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)"
                            " ON CONFLICT (key_hash) DO NOTHING",
                            e);
    if (!st)
        return e ? e->code : RG_ESTORE;
    rg_sq_bind_text(st, 1, k->name);
    rg_sq_bind_text(st, 2, k->role);
    rg_sq_bind_text(st, 3, k->prefix);
    rg_sq_bind_text(st, 4, hash_hex);
    sqlite3_bind_int64(st, 5, k->created_at);
    rg_status rc = rg_sq_step_done(s, st, e, "adding an API key");
    if (rc != RG_OK)
        return rc;
    if (sqlite3_changes(s->db) == 0)
        return rg_err_set(e, RG_ECONFLICT, "store", "adding an API key: the key is already stored");
    k->id = sqlite3_last_insert_rowid(s->db);
    return RG_OK;
}

rg_status rg_sqk_apikey_get(rg_store *base, const char *hash_hex, int64_t id, rg_apikey_row *out, bool *found,
                            rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *found = false;
    sqlite3_stmt *st = hash_hex ? stmt(s, K_BY_HASH, KEY_SELECT "WHERE key_hash = ?1", e)
                                : stmt(s, K_BY_ID, KEY_SELECT "WHERE id = ?1", e);
    if (!st)
        return e ? e->code : RG_ESTORE;
    if (hash_hex)
        rg_sq_bind_text(st, 1, hash_hex);
    else
        sqlite3_bind_int64(st, 1, id);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        read_key(st, out);
        *found = true;
    }
    rg_sq_done(st);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return rg_sq_fail(s, e, "reading an API key");
    return RG_OK;
}

rg_status rg_sqk_apikey_each(rg_store *base, int64_t after_id, int64_t limit, rg_apikey_fn fn, void *ctx, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, KEY_SELECT "WHERE id > ?1 ORDER BY id LIMIT ?2", -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "listing API keys");
    sqlite3_bind_int64(st, 1, after_id);
    sqlite3_bind_int64(st, 2, limit > 0 ? limit : -1);
    rg_status rc = RG_OK;
    rg_apikey_row k;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        read_key(st, &k);
        if ((rc = fn(ctx, &k)) != RG_OK)
            break;
    }
    if (rc == RG_OK && r != SQLITE_DONE)
        rc = rg_sq_fail(s, e, "listing API keys");
    sqlite3_finalize(st);
    return rc;
}

rg_status rg_sqk_apikey_revoke(rg_store *base, int64_t id, rg_instant at, bool *changed, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *changed = false;
    sqlite3_stmt *st =
        stmt(s, K_REVOKE, "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL", e);
    if (!st)
        return e ? e->code : RG_ESTORE;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, at);
    rg_status rc = rg_sq_step_done(s, st, e, "revoking an API key");
    if (rc == RG_OK)
        *changed = sqlite3_changes(s->db) > 0;
    return rc;
}

rg_status rg_sqk_apikey_touch(rg_store *base, int64_t id, rg_instant at, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = stmt(s, K_TOUCH, "UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1", e);
    if (!st)
        return e ? e->code : RG_ESTORE;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, at);
    return rg_sq_step_done(s, st, e, "recording an API key's use");
}

rg_status rg_sqk_idem_claim(rg_store *base, int64_t api_key_id, const char *key, const char *fingerprint,
                            rg_instant now, rg_instant expired_before, rg_instant abandoned_before, bool *claimed,
                            rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *claimed = false;
    sqlite3_stmt *purge = stmt(s, K_IDEM_PURGE, "DELETE FROM api_idempotency WHERE created_at < ?1", e);
    if (!purge)
        return e ? e->code : RG_ESTORE;
    sqlite3_bind_int64(purge, 1, expired_before);
    rg_status rc = rg_sq_step_done(s, purge, e, "forgetting old Idempotency-Keys");
    if (rc != RG_OK)
        return rc;
    sqlite3_stmt *st = stmt(s, K_IDEM_CLAIM,
                            "INSERT INTO api_idempotency (api_key_id, key, fingerprint, created_at)"
                            " VALUES (?1, ?2, ?3, ?4)"
                            " ON CONFLICT (api_key_id, key) DO UPDATE SET fingerprint = excluded.fingerprint,"
                            "  status = 0, content_type = '', body = '', created_at = excluded.created_at"
                            " WHERE api_idempotency.created_at < ?5"
                            "  OR (api_idempotency.status = 0 AND api_idempotency.created_at < ?6)",
                            e);
    if (!st)
        return e ? e->code : RG_ESTORE;
    sqlite3_bind_int64(st, 1, api_key_id);
    rg_sq_bind_text(st, 2, key);
    rg_sq_bind_text(st, 3, fingerprint);
    sqlite3_bind_int64(st, 4, now);
    sqlite3_bind_int64(st, 5, expired_before);
    sqlite3_bind_int64(st, 6, abandoned_before);
    if ((rc = rg_sq_step_done(s, st, e, "recording an Idempotency-Key")) == RG_OK)
        *claimed = sqlite3_changes(s->db) > 0;
    return rc;
}

rg_status rg_sqk_idem_get(rg_store *base, int64_t api_key_id, const char *key, rg_idem_row *out, rg_buf *body,
                          bool *found, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *found = false;
    sqlite3_stmt *st = stmt(s, K_IDEM_GET,
                            "SELECT fingerprint, status, content_type, created_at, body FROM api_idempotency"
                            " WHERE api_key_id = ?1 AND key = ?2",
                            e);
    if (!st)
        return e ? e->code : RG_ESTORE;
    sqlite3_bind_int64(st, 1, api_key_id);
    rg_sq_bind_text(st, 2, key);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        rg_sq_col_text(st, 0, out->fingerprint, sizeof out->fingerprint);
        out->status = sqlite3_column_int(st, 1);
        rg_sq_col_text(st, 2, out->content_type, sizeof out->content_type);
        out->created_at = sqlite3_column_int64(st, 3);
        if (body) {
            const char *t = (const char *)sqlite3_column_text(st, 4);
            rg_buf_append(body, t ? t : "", (size_t)sqlite3_column_bytes(st, 4));
        }
        *found = true;
    }
    rg_sq_done(st);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return rg_sq_fail(s, e, "reading an Idempotency-Key");
    if (body && body->oom)
        return rg_err_set(e, RG_ENOMEM, "store", "out of memory");
    return RG_OK;
}

/* Only the claim of this request (its created_at): a later request that
 * took the key over owns the row. */
rg_status rg_sqk_idem_finish(rg_store *base, int64_t api_key_id, const char *key, rg_instant claimed_at, int status,
                             const char *content_type, const char *body, size_t body_len, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = stmt(s, K_IDEM_FINISH,
                            "UPDATE api_idempotency SET status = ?3, content_type = ?4, body = ?5"
                            " WHERE api_key_id = ?1 AND key = ?2 AND created_at = ?6 AND status IN (0, 1)",
                            e);
    if (!st)
        return e ? e->code : RG_ESTORE;
    sqlite3_bind_int64(st, 1, api_key_id);
    rg_sq_bind_text(st, 2, key);
    sqlite3_bind_int64(st, 6, claimed_at);
    sqlite3_bind_int(st, 3, status);
    rg_sq_bind_text(st, 4, content_type);
    sqlite3_bind_text(st, 5, body ? body : "", body ? (int)body_len : 0, SQLITE_STATIC);
    return rg_sq_step_done(s, st, e, "recording an Idempotency-Key's answer");
}

rg_status rg_sqk_idem_release(rg_store *base, int64_t api_key_id, const char *key, rg_instant claimed_at, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = stmt(s, K_IDEM_RELEASE,
                            "DELETE FROM api_idempotency WHERE api_key_id = ?1 AND key = ?2 AND status = 0"
                            " AND created_at = ?3",
                            e);
    if (!st)
        return e ? e->code : RG_ESTORE;
    sqlite3_bind_int64(st, 1, api_key_id);
    rg_sq_bind_text(st, 2, key);
    sqlite3_bind_int64(st, 3, claimed_at);
    return rg_sq_step_done(s, st, e, "forgetting an Idempotency-Key");
}

rg_status rg_sqk_idem_mark(rg_store *base, int64_t api_key_id, const char *key, rg_instant claimed_at, bool *held,
                           rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *held = false;
    sqlite3_stmt *st = stmt(s, K_IDEM_MARK,
                            "UPDATE api_idempotency SET status = 1"
                            " WHERE api_key_id = ?1 AND key = ?2 AND created_at = ?3 AND status IN (0, 1)",
                            e);
    if (!st)
        return e ? e->code : RG_ESTORE;
    sqlite3_bind_int64(st, 1, api_key_id);
    rg_sq_bind_text(st, 2, key);
    sqlite3_bind_int64(st, 3, claimed_at);
    rg_status rc = rg_sq_step_done(s, st, e, "marking an Idempotency-Key's request carried out");
    if (rc == RG_OK)
        *held = sqlite3_changes(s->db) > 0;
    return rc;
}
