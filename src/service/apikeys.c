#include "service/apikeys.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "base/utf8.h"

/* last_used_at is written at most this often per key (a write per request
 * would make every read wait for the write lock). */
#define TOUCH_EVERY_SECONDS 60
#define KEY_BYTES 32
#define PREFIX_CHARS 11 /* "rk_" and 8 characters */

const char *rg_api_role_name(rg_api_role r)
{
    switch (r) {
    case RG_ROLE_VIEWER: return "viewer";
    case RG_ROLE_OPERATOR: return "operator";
    case RG_ROLE_ADMIN: return "admin";
    case RG_ROLE_NONE: break;
    }
    return "";
}

rg_api_role rg_api_role_parse(const char *s)
{
    if (!s)
        return RG_ROLE_NONE;
    if (!strcmp(s, "viewer"))
        return RG_ROLE_VIEWER;
    if (!strcmp(s, "operator"))
        return RG_ROLE_OPERATOR;
    if (!strcmp(s, "admin"))
        return RG_ROLE_ADMIN;
    return RG_ROLE_NONE;
}

static void sha256_hex(const unsigned char *data, size_t n, char hex[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, n);
    sodium_bin2hex(hex, 65, h, sizeof h);
}

void rg_apikey_hash(const char *key, size_t n, char hex[65])
{
    sha256_hex((const unsigned char *)key, n, hex);
}

static rg_status check_name(const char *name, rg_err *e)
{
    size_t n = strlen(name);
    if (n > 127)
        return rg_err_set(e, RG_EINVAL, "name", "is %zu bytes long; at most 127", n);
    if (!rg_utf8_valid(name, n))
        return rg_err_set(e, RG_EINVAL, "name", "is not valid UTF-8");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return rg_err_set(e, RG_EINVAL, "name", "has a control character");
    return RG_OK;
}

rg_status rg_apikey_create(rg_store *s, rg_api_role role, const char *name, rg_instant now, rg_apikey_row *out,
                           char key[RG_APIKEY_TEXT_MAX], rg_err *e)
{
    memset(out, 0, sizeof *out);
    key[0] = '\0';
    if (role == RG_ROLE_NONE)
        return rg_err_set(e, RG_EINVAL, "role", "must be admin, operator or viewer");
    if (!name)
        name = "";
    rg_status rc = check_name(name, e);
    if (rc != RG_OK)
        return rc;
    if (sodium_init() < 0)
        return rg_err_set(e, RG_EINTERNAL, "apikey", "libsodium could not start");
    unsigned char raw[KEY_BYTES];
    randombytes_buf(raw, sizeof raw);
    memcpy(key, RG_APIKEY_PREFIX, sizeof RG_APIKEY_PREFIX);
    sodium_bin2base64(key + strlen(RG_APIKEY_PREFIX), RG_APIKEY_TEXT_MAX - strlen(RG_APIKEY_PREFIX), raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    char hex[65];
    rg_apikey_hash(key, strlen(key), hex);
    rg_strlcpy(out->name, name, sizeof out->name);
    rg_strlcpy(out->role, rg_api_role_name(role), sizeof out->role);
    memcpy(out->prefix, key, PREFIX_CHARS);
    out->prefix[PREFIX_CHARS] = '\0';
    out->created_at = now;
    out->revoked_at = RG_INSTANT_NONE;
    out->last_used_at = RG_INSTANT_NONE;
    if ((rc = rg_store_begin(s, e)) != RG_OK)
        goto fail;
    if ((rc = rg_store_apikey_insert(s, out, hex, e)) != RG_OK || (rc = rg_store_commit(s, e)) != RG_OK) {
        rg_store_rollback(s);
        goto fail;
    }
    return RG_OK;
fail:
    sodium_memzero(key, RG_APIKEY_TEXT_MAX);
    return rc;
}

rg_status rg_apikey_list(rg_store *s, int64_t after_id, int64_t limit, rg_apikey_fn fn, void *ctx, rg_err *e)
{
    return rg_store_apikey_each(s, after_id, limit, fn, ctx, e);
}

rg_status rg_apikey_revoke(rg_store *s, int64_t id, rg_instant now, rg_apikey_row *out, rg_err *e)
{
    rg_status rc = rg_store_begin(s, e);
    if (rc != RG_OK)
        return rc;
    bool found = false, changed = false;
    if ((rc = rg_store_apikey_get(s, NULL, id, out, &found, e)) != RG_OK)
        goto fail;
    if (!found) {
        rc = rg_err_set(e, RG_ENOTFOUND, "apikey", "no API key has id %lld", (long long)id);
        goto fail;
    }
    if ((rc = rg_store_apikey_revoke(s, id, now, &changed, e)) != RG_OK)
        goto fail;
    if (!changed) {
        rc = rg_err_set(e, RG_ECONFLICT, "apikey", "API key %lld (%s) is already revoked", (long long)id,
                        out->prefix);
        goto fail;
    }
    if ((rc = rg_store_commit(s, e)) != RG_OK)
        goto fail;
    out->revoked_at = now;
    return RG_OK;
fail:
    rg_store_rollback(s);
    return rc;
}

rg_status rg_apikey_authenticate(rg_store *s, const char *key, size_t n, rg_instant now, rg_apikey_row *out,
                                 rg_err *e)
{
    size_t pn = strlen(RG_APIKEY_PREFIX);
    if (n <= pn || n >= RG_APIKEY_TEXT_MAX || memcmp(key, RG_APIKEY_PREFIX, pn) != 0)
        return rg_err_set(e, RG_EPERM, "Authorization", "this is not a regua API key (rk_...)");
    char hex[65];
    rg_apikey_hash(key, n, hex);
    bool found = false;
    rg_status rc = rg_store_apikey_get(s, hex, 0, out, &found, e);
    if (rc != RG_OK)
        return rc;
    if (!found)
        return rg_err_set(e, RG_EPERM, "Authorization", "unknown API key");
    if (out->revoked_at != RG_INSTANT_NONE)
        return rg_err_set(e, RG_EPERM, "Authorization", "this API key (%s) was revoked", out->prefix);
    if (out->last_used_at == RG_INSTANT_NONE || now - out->last_used_at >= TOUCH_EVERY_SECONDS) {
        rg_err te;
        rg_err_clear(&te);
        /* one statement: atomic on its own; a busy store only delays the record */
        if (rg_store_apikey_touch(s, out->id, now, &te) == RG_OK)
            out->last_used_at = now;
        else if (te.code != RG_EBUSY)
            rg_warn("API key %s: last use not recorded: %s", out->prefix, te.msg);
    }
    return RG_OK;
}

/* ---- the keys a server has checked ---- */

void rg_apikey_cache_init(rg_apikey_cache *c)
{
    memset(c, 0, sizeof *c);
    pthread_mutex_init(&c->mu, NULL);
}

void rg_apikey_cache_destroy(rg_apikey_cache *c)
{
    pthread_mutex_destroy(&c->mu);
    sodium_memzero(c->slot, sizeof c->slot);
}

static bool fresh(const struct rg_apikey_checked *k, rg_instant now)
{
    return k->used && now >= k->checked_at && now - k->checked_at < RG_APIKEY_TRUST_SECONDS;
}

rg_status rg_apikey_authenticate_cached(rg_apikey_cache *c, rg_store *s, const char *key, size_t n, rg_instant now,
                                        rg_apikey_row *out, rg_err *e)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)key, n);
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < RG_APIKEY_CACHE_SLOTS; i++)
        if (fresh(&c->slot[i], now) && sodium_memcmp(c->slot[i].hash, h, sizeof h) == 0) {
            *out = c->slot[i].row;
            pthread_mutex_unlock(&c->mu);
            return RG_OK;
        }
    pthread_mutex_unlock(&c->mu);
    rg_status rc = rg_apikey_authenticate(s, key, n, now, out, e);
    pthread_mutex_lock(&c->mu);
    /* its slot: the one it had, else a free or stale one, else the oldest */
    size_t at = RG_APIKEY_CACHE_SLOTS;
    for (size_t i = 0; i < RG_APIKEY_CACHE_SLOTS && at == RG_APIKEY_CACHE_SLOTS; i++)
        if (c->slot[i].used && sodium_memcmp(c->slot[i].hash, h, sizeof h) == 0)
            at = i;
    if (rc == RG_OK) {
        for (size_t i = 0; i < RG_APIKEY_CACHE_SLOTS && at == RG_APIKEY_CACHE_SLOTS; i++)
            if (!fresh(&c->slot[i], now))
                at = i;
        if (at == RG_APIKEY_CACHE_SLOTS) {
            at = c->next;
            c->next = (c->next + 1) % RG_APIKEY_CACHE_SLOTS;
        }
        memcpy(c->slot[at].hash, h, sizeof h);
        c->slot[at].row = *out;
        c->slot[at].checked_at = now;
        c->slot[at].used = true;
    } else if (at < RG_APIKEY_CACHE_SLOTS) {
        c->slot[at].used = false; /* revoked (or the store failed): not trusted any more */
    }
    pthread_mutex_unlock(&c->mu);
    return rc;
}

void rg_apikey_cache_forget(rg_apikey_cache *c, int64_t id)
{
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < RG_APIKEY_CACHE_SLOTS; i++)
        if (c->slot[i].used && c->slot[i].row.id == id)
            c->slot[i].used = false;
    pthread_mutex_unlock(&c->mu);
}

/* ---- Idempotency-Keys ---- */

static rg_status check_idem_key(const char *key, rg_err *e)
{
    size_t n = strlen(key);
    if (n == 0 || n > RG_IDEM_KEY_MAX)
        return rg_err_set(e, RG_EINVAL, "Idempotency-Key", "must be 1 to %d characters long", RG_IDEM_KEY_MAX);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)key[i] < 0x21 || (unsigned char)key[i] > 0x7e)
            return rg_err_set(e, RG_EINVAL, "Idempotency-Key", "must be printable ASCII without spaces");
    return RG_OK;
}

static void fingerprint(const char *method, const char *path, const char *body, size_t body_len, char hex[65])
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)method, strlen(method) + 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)path, strlen(path) + 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)body, body_len);
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(hex, 65, h, sizeof h);
}

rg_status rg_idem_begin(rg_store *s, int64_t api_key_id, const char *key, const char *method, const char *path,
                        const char *body, size_t body_len, rg_instant now, rg_idem_outcome *outcome,
                        rg_idem_answer *answer, rg_err *e)
{
    memset(answer, 0, sizeof *answer);
    *outcome = RG_IDEM_NEW;
    rg_store_idem_disarm(s); /* a new request on this handle */
    rg_status rc = check_idem_key(key, e);
    if (rc != RG_OK)
        return rc;
    char fp[65];
    fingerprint(method, path, body ? body : "", body_len, fp);
    /* one transaction (one commit): old keys forgotten, this one claimed or its row read */
    bool claimed = false, found = false;
    rg_idem_row row;
    if ((rc = rg_store_begin(s, e)) != RG_OK)
        return rc;
    rc = rg_store_idem_claim(s, api_key_id, key, fp, now, now - RG_IDEM_TTL_SECONDS, now - RG_IDEM_ABANDONED_SECONDS,
                             &claimed, e);
    if (rc == RG_OK && !claimed)
        rc = rg_store_idem_get(s, api_key_id, key, &row, &answer->body, &found, e);
    if (rc == RG_OK)
        rc = rg_store_commit(s, e);
    if (rc != RG_OK) {
        rg_store_rollback(s);
        rg_buf_free(&answer->body);
        return rc;
    }
    if (claimed) {
        answer->claimed_at = now;
        rg_store_idem_arm(s, api_key_id, key, now);
        return RG_OK;
    }
    if (!found) /* cannot happen: the claim saw the row in this transaction */
        return rg_err_set(e, RG_EINTERNAL, "Idempotency-Key", "the key's row vanished");
    if (strcmp(row.fingerprint, fp) != 0)
        *outcome = RG_IDEM_MISMATCH;
    else if (row.status == 0 ||
             (row.status == RG_IDEM_CARRIED_OUT && row.created_at >= now - RG_IDEM_ABANDONED_SECONDS))
        *outcome = RG_IDEM_RUNNING; /* carried out, its answer on the way */
    else if (row.status == RG_IDEM_CARRIED_OUT)
        *outcome = RG_IDEM_UNANSWERED;
    else {
        *outcome = RG_IDEM_REPLAY;
        answer->status = row.status;
        rg_strlcpy(answer->content_type, row.content_type, sizeof answer->content_type);
        return RG_OK;
    }
    rg_buf_free(&answer->body);
    return RG_OK;
}

rg_status rg_idem_end(rg_store *s, int64_t api_key_id, const char *key, rg_instant claimed_at, int status,
                      const char *content_type, const char *body, size_t body_len, rg_err *e)
{
    rg_store_idem_disarm(s);
    if (status >= 500)
        return rg_store_idem_release(s, api_key_id, key, claimed_at, e);
    return rg_store_idem_finish(s, api_key_id, key, claimed_at, status, content_type, body, body_len, e);
}
