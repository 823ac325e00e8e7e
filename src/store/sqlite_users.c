/*
 * The SQLite backend's dashboard users, sessions and failed logins
 * (store.h, "the web dashboard's users and sessions"). A page reads its
 * session once; the statements are prepared per call.
 */
#include <string.h>

#include "store/sqlite_int.h"

#define SQ(base) ((rg_sq_common *)(base))

#define USER_COLS "u.id, u.email, u.role, u.created_at, u.disabled_at, u.last_login_at"

static void read_user(sqlite3_stmt *st, rg_user_row *u)
{
    memset(u, 0, sizeof *u);
    u->id = sqlite3_column_int64(st, 0);
    rg_sq_col_text(st, 1, u->email, sizeof u->email);
    rg_sq_col_text(st, 2, u->role, sizeof u->role);
    u->created_at = sqlite3_column_int64(st, 3);
    u->disabled_at = rg_sq_col_opt_i64(st, 4, RG_INSTANT_NONE);
    u->last_login_at = rg_sq_col_opt_i64(st, 5, RG_INSTANT_NONE);
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

/* Runs a statement without rows and finalizes it. */
static rg_status run(rg_sq_common *s, sqlite3_stmt *st, const char *what, rg_err *e)
{
    int r = sqlite3_step(st);
    rg_status rc = (r == SQLITE_DONE || r == SQLITE_ROW) ? RG_OK : rg_sq_fail(s, e, what);
    sqlite3_finalize(st);
    return rc;
}

rg_status rg_squ_user_insert(rg_store *base, rg_user_row *u, const char *password_hash, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = prepare(s,
                               "INSERT INTO users (email, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)"
                               " ON CONFLICT (email) DO NOTHING",
                               "adding a user", e);
    if (!st)
        return e ? e->code : RG_ESTORE;
    rg_sq_bind_text(st, 1, u->email);
    rg_sq_bind_text(st, 2, u->role);
    rg_sq_bind_text(st, 3, password_hash);
    sqlite3_bind_int64(st, 4, u->created_at);
    rg_status rc = run(s, st, "adding a user", e);
    if (rc != RG_OK)
        return rc;
    if (sqlite3_changes(s->db) == 0)
        return rg_err_set(e, RG_ECONFLICT, "email", "a user with the email %s already exists", u->email);
    u->id = sqlite3_last_insert_rowid(s->db);
    return RG_OK;
}

rg_status rg_squ_user_get(rg_store *base, const char *email, rg_user_row *out, char *hash, size_t hash_n,
                          bool *found, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *found = false;
    sqlite3_stmt *st =
        prepare(s, "SELECT " USER_COLS ", u.password_hash FROM users u WHERE u.email = ?1", "reading a user", e);
    if (!st)
        return e ? e->code : RG_ESTORE;
    rg_sq_bind_text(st, 1, email);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        read_user(st, out);
        if (hash)
            rg_sq_col_text(st, 6, hash, hash_n);
        *found = true;
    }
    sqlite3_finalize(st);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return rg_sq_fail(s, e, "reading a user");
    return RG_OK;
}

rg_status rg_squ_user_each(rg_store *base, rg_user_fn fn, void *ctx, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = prepare(s, "SELECT " USER_COLS " FROM users u ORDER BY u.id", "listing users", e);
    if (!st)
        return e ? e->code : RG_ESTORE;
    rg_status rc = RG_OK;
    rg_user_row u;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        read_user(st, &u);
        if ((rc = fn(ctx, &u)) != RG_OK)
            break;
    }
    if (rc == RG_OK && r != SQLITE_DONE)
        rc = rg_sq_fail(s, e, "listing users");
    sqlite3_finalize(st);
    return rc;
}

rg_status rg_squ_user_disable(rg_store *base, int64_t id, rg_instant at, bool *changed, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *changed = false;
    sqlite3_stmt *st = prepare(s, "UPDATE users SET disabled_at = ?2 WHERE id = ?1 AND disabled_at IS NULL",
                               "disabling a user", e);
    if (!st)
        return e ? e->code : RG_ESTORE;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, at);
    rg_status rc = run(s, st, "disabling a user", e);
    if (rc != RG_OK)
        return rc;
    *changed = sqlite3_changes(s->db) > 0;
    if (!(st = prepare(s, "DELETE FROM user_sessions WHERE user_id = ?1", "ending a user's sessions", e)))
        return e ? e->code : RG_ESTORE;
    sqlite3_bind_int64(st, 1, id);
    return run(s, st, "ending a user's sessions", e);
}

rg_status rg_squ_session_insert(rg_store *base, const char *token_hash, int64_t user_id, rg_instant now,
                                rg_instant expires_at, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = prepare(s, "DELETE FROM user_sessions WHERE expires_at <= ?1", "ending expired sessions", e);
    if (!st)
        return e ? e->code : RG_ESTORE;
    sqlite3_bind_int64(st, 1, now);
    rg_status rc = run(s, st, "ending expired sessions", e);
    if (rc != RG_OK)
        return rc;
    if (!(st = prepare(s,
                       "INSERT INTO user_sessions (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
                       "adding a session", e)))
        return e ? e->code : RG_ESTORE;
    rg_sq_bind_text(st, 1, token_hash);
    sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int64(st, 4, expires_at);
    if ((rc = run(s, st, "adding a session", e)) != RG_OK)
        return rc;
    if (!(st = prepare(s, "UPDATE users SET last_login_at = ?2 WHERE id = ?1", "recording a login", e)))
        return e ? e->code : RG_ESTORE;
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_int64(st, 2, now);
    return run(s, st, "recording a login", e);
}

rg_status rg_squ_session_get(rg_store *base, const char *token_hash, rg_instant now, rg_user_row *out,
                             rg_instant *expires_at, bool *found, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *found = false;
    sqlite3_stmt *st = prepare(s,
                               "SELECT " USER_COLS ", x.expires_at FROM user_sessions x JOIN users u ON u.id = x.user_id"
                               " WHERE x.token_hash = ?1 AND x.expires_at > ?2 AND u.disabled_at IS NULL",
                               "reading a session", e);
    if (!st)
        return e ? e->code : RG_ESTORE;
    rg_sq_bind_text(st, 1, token_hash);
    sqlite3_bind_int64(st, 2, now);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        read_user(st, out);
        if (expires_at)
            *expires_at = sqlite3_column_int64(st, 6);
        *found = true;
    }
    sqlite3_finalize(st);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return rg_sq_fail(s, e, "reading a session");
    return RG_OK;
}

rg_status rg_squ_session_delete(rg_store *base, const char *token_hash, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = prepare(s, "DELETE FROM user_sessions WHERE token_hash = ?1", "ending a session", e);
    if (!st)
        return e ? e->code : RG_ESTORE;
    rg_sq_bind_text(st, 1, token_hash);
    return run(s, st, "ending a session", e);
}

static rg_status count(rg_sq_common *s, const char *sql, const char *key, rg_instant since, int64_t *n, rg_err *e)
{
    *n = 0;
    sqlite3_stmt *st = prepare(s, sql, "counting failed logins", e);
    if (!st)
        return e ? e->code : RG_ESTORE;
    rg_sq_bind_text(st, 1, key);
    sqlite3_bind_int64(st, 2, since);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        *n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (r != SQLITE_ROW)
        return rg_sq_fail(s, e, "counting failed logins");
    return RG_OK;
}

rg_status rg_squ_login_failures(rg_store *base, const char *email, const char *ip, rg_instant since,
                                int64_t *by_email, int64_t *by_ip, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    rg_status rc = count(s, "SELECT count(*) FROM login_failures WHERE email = ?1 AND at >= ?2", email, since,
                         by_email, e);
    if (rc != RG_OK)
        return rc;
    return count(s, "SELECT count(*) FROM login_failures WHERE ip = ?1 AND at >= ?2", ip, since, by_ip, e);
}

rg_status rg_squ_login_failure_add(rg_store *base, const char *email, const char *ip, rg_instant at,
                                   rg_instant purge_before, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = prepare(s, "DELETE FROM login_failures WHERE at < ?1", "forgetting old failed logins", e);
    if (!st)
        return e ? e->code : RG_ESTORE;
    sqlite3_bind_int64(st, 1, purge_before);
    rg_status rc = run(s, st, "forgetting old failed logins", e);
    if (rc != RG_OK)
        return rc;
    if (!(st = prepare(s, "INSERT INTO login_failures (email, ip, at) VALUES (?1, ?2, ?3)", "recording a failed login",
                       e)))
        return e ? e->code : RG_ESTORE;
    rg_sq_bind_text(st, 1, email);
    rg_sq_bind_text(st, 2, ip);
    sqlite3_bind_int64(st, 3, at);
    return run(s, st, "recording a failed login", e);
}

rg_status rg_squ_login_failures_clear(rg_store *base, const char *email, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = prepare(s, "UPDATE login_failures SET email = '' WHERE email = ?1", "forgetting failed logins", e);
    if (!st)
        return e ? e->code : RG_ESTORE;
    rg_sq_bind_text(st, 1, email);
    return run(s, st, "forgetting failed logins", e);
}
