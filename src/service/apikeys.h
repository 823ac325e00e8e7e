/*
 * apikeys — the REST API's keys and the Idempotency-Keys of its writes.
 *
 * A key is 32 random bytes (libsodium) written "rk_" + base64url without
 * padding (46 characters); it is shown once, when made, and only its
 * SHA-256 is stored, beside its first characters (the prefix, "rk_AbCdEfGh")
 * so a person can tell keys apart. A key has one role: viewer reads;
 * operator also writes events, payments, tasks, promises and opt-outs;
 * admin does everything (imports, cadences, keys). Each function owns its
 * transaction (docs/api.md, "Authentication and roles").
 *
 * An Idempotency-Key belongs to one API key: the first POST/PATCH with it
 * claims it with the request's fingerprint (SHA-256 of method, path and
 * body); its answer is kept 24 h and replayed to the same request; another
 * request with the key is refused (docs/api.md, "Idempotency"). While the
 * request runs, the claim arms its store handle: the operation's own
 * transaction marks the key carried out as it commits (rg_store_idem_arm),
 * so a process that stops between that commit and recording the answer
 * leaves a key that is never carried out again (RG_IDEM_UNANSWERED).
 */
#ifndef RG_APIKEYS_H
#define RG_APIKEYS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "store/store.h"

typedef enum rg_api_role {
    RG_ROLE_NONE = 0, /* a route anyone may call (no key) */
    RG_ROLE_VIEWER,
    RG_ROLE_OPERATOR,
    RG_ROLE_ADMIN,
} rg_api_role;

/* "admin", "operator", "viewer" ("" for RG_ROLE_NONE). */
const char *rg_api_role_name(rg_api_role r);
/* RG_ROLE_NONE when s names no role. */
rg_api_role rg_api_role_parse(const char *s);

/* "rk_" + 43 characters + NUL, with room to spare. */
#define RG_APIKEY_TEXT_MAX 64
#define RG_APIKEY_PREFIX "rk_"

/* The SHA-256 of a key's text, as 64 lowercase hex digits and a NUL. */
void rg_apikey_hash(const char *key, size_t n, char hex[65]);

/* Makes a key of `role` named `name` (may be NULL or ""; at most 127 bytes
 * of UTF-8 without control characters, else RG_EINVAL naming `name`);
 * `key` receives its text — the only time it is known — and *out the row. */
rg_status rg_apikey_create(rg_store *s, rg_api_role role, const char *name, rg_instant now, rg_apikey_row *out,
                           char key[RG_APIKEY_TEXT_MAX], rg_err *e);
/* The keys with ids above after_id, oldest first, at most limit (0: all). */
rg_status rg_apikey_list(rg_store *s, int64_t after_id, int64_t limit, rg_apikey_fn fn, void *ctx, rg_err *e);
/* Revokes key `id` (*out: the row after). RG_ENOTFOUND when there is no
 * such key, RG_ECONFLICT when it was already revoked. */
rg_status rg_apikey_revoke(rg_store *s, int64_t id, rg_instant now, rg_apikey_row *out, rg_err *e);
/* The key whose text is `key` (n bytes). RG_EPERM when no stored key has
 * that text or it is revoked (e->msg says which). Records last_used_at
 * (at most once a minute per key; a busy store only skips it). */
rg_status rg_apikey_authenticate(rg_store *s, const char *key, size_t n, rg_instant now, rg_apikey_row *out,
                                 rg_err *e);

/* ---- the keys a server has checked (docs/api.md, "API keys") ----
 * A server reads a key's row at most once a second: for
 * RG_APIKEY_TRUST_SECONDS after a check (by the clock's whole seconds) the
 * row it read answers without the store. So a key revoked through this
 * server (rg_apikey_cache_forget) is refused at once, and one revoked by
 * another process (`regua apikey revoke`) before the next second begins.
 * Only keys that authenticated are kept; an unknown or revoked key reads
 * the store each time. Thread-safe. */
#define RG_APIKEY_TRUST_SECONDS 1
#define RG_APIKEY_CACHE_SLOTS 16

typedef struct rg_apikey_cache {
    pthread_mutex_t mu;
    struct rg_apikey_checked {
        unsigned char hash[32]; /* the key's SHA-256 */
        rg_apikey_row row;
        rg_instant checked_at;
        bool used;
    } slot[RG_APIKEY_CACHE_SLOTS];
    size_t next; /* the slot a newly checked key takes when none is free (the oldest) */
} rg_apikey_cache;

void rg_apikey_cache_init(rg_apikey_cache *c);
void rg_apikey_cache_destroy(rg_apikey_cache *c);
/* rg_apikey_authenticate through the cache: the same answers, but a key
 * that authenticated less than RG_APIKEY_TRUST_SECONDS ago (and not
 * before `now`: a clock set back checks again) is not read again. */
rg_status rg_apikey_authenticate_cached(rg_apikey_cache *c, rg_store *s, const char *key, size_t n, rg_instant now,
                                        rg_apikey_row *out, rg_err *e);
/* Forgets key `id` (this server revoked it): its next use reads the store. */
void rg_apikey_cache_forget(rg_apikey_cache *c, int64_t id);

/* ---- Idempotency-Keys ---- */
#define RG_IDEM_TTL_SECONDS 86400
/* A claimed key whose request has not answered after this long was left
 * by a process that stopped: the next request with it takes it over. */
#define RG_IDEM_ABANDONED_SECONDS 600
#define RG_IDEM_KEY_MAX 255

typedef enum rg_idem_outcome {
    RG_IDEM_NEW,      /* claimed: run the request, then rg_idem_end */
    RG_IDEM_REPLAY,   /* the same request answered before: *answer holds it */
    RG_IDEM_MISMATCH, /* the key was used for another request */
    RG_IDEM_RUNNING,  /* the same key's first request has not answered yet */
    RG_IDEM_UNANSWERED, /* its first request was carried out, but the process
                           stopped before its answer was recorded (it was
                           carried out RG_IDEM_ABANDONED_SECONDS ago or more):
                           it is not carried out again, and no answer is known */
} rg_idem_outcome;

typedef struct rg_idem_answer {
    int status;
    char content_type[64];
    rg_buf body;
    rg_instant claimed_at; /* RG_IDEM_NEW: the claim's instant, for rg_idem_end */
} rg_idem_answer;

/* Checks `key` (1..255 printable ASCII characters, else RG_EINVAL naming
 * Idempotency-Key) and claims it for the request, or finds its answer
 * (answer->body is then owned by the caller: rg_buf_free); in one
 * transaction of its own. RG_IDEM_NEW arms `s` (rg_store_idem_arm) until
 * rg_idem_end: the request's operations run on `s`. */
rg_status rg_idem_begin(rg_store *s, int64_t api_key_id, const char *key, const char *method, const char *path,
                        const char *body, size_t body_len, rg_instant now, rg_idem_outcome *outcome,
                        rg_idem_answer *answer, rg_err *e);
/* Disarms `s` and records the answer of the key claimed at claimed_at
 * (answer->claimed_at of rg_idem_begin); a status >= 500 (the request may
 * succeed when retried) gives the key up instead — unless its operation
 * was carried out: then the key stays RG_IDEM_UNANSWERED's. */
rg_status rg_idem_end(rg_store *s, int64_t api_key_id, const char *key, rg_instant claimed_at, int status,
                      const char *content_type, const char *body, size_t body_len, rg_err *e);

#endif
