/*
 * scrub — keeps the channels' secrets out of every text regua stores, logs
 * or prints.
 *
 * A process-wide registry of secrets (thread-safe). rg_channel_open()
 * registers the secrets of the channel it opens, and the CLI registers
 * those of the whole configuration once it is loaded, so every process that
 * can meet a secret knows it. A secret is the value of the environment
 * variable named by any `*_env` setting of a channel (token_env,
 * password_env, secret_env, app_secret_env, ... — but not username_env: a
 * user name is not a secret, it is only scrubbed inside the blobs below), a
 * `${VAR}` expanded in a setting (the http driver's headers), and the token
 * secret of regua itself and each outgoing webhook's signing secret. For each secret these forms are replaced:
 *   - the value itself, percent-encoded and JSON-escaped;
 *   - its base64 (standard and URL-safe alphabets), alone or anywhere inside
 *     a longer base64 text: the part of the encoding that depends only on
 *     the secret is matched at each of the three byte alignments, which
 *     covers the SMTP AUTH PLAIN blob (user\0user\0pass), HTTP Basic
 *     (user:pass) and AUTH LOGIN;
 *   - the whole blobs of a username_env/password_env pair.
 * Also, whatever the registry holds, the value after the name of an
 * authentication header or field — Authorization, Proxy-Authorization,
 * X-API-TOKEN, X-API-Key, Api-Key, access_token, password, client_secret,
 * and every header a configuration gives a ${VAR} value — followed by ':' or
 * '=' (quoted or not): "Authorization: Bearer abc" becomes
 * "Authorization: Bearer [redacted]".
 * Values shorter than RG_SCRUB_MIN bytes are not registered (they would
 * blank ordinary words); neither are base64 fragments shorter than that.
 *
 * Where it is applied: by each network driver on the provider's answer before
 * it is cut into an error text, by the dispatcher on every reason it
 * records, by the inbound service on providers' failure reasons, by
 * rg_event_record() on every event payload, by the log (a filter installed
 * on the first registration) and by the CLI's error line.
 *
 * Ownership: the registry copies what it is given (wiped by
 * rg_scrub_reset()). rg_scrub_dup() returns an owned copy (free()).
 */
#ifndef RG_CHANNEL_SCRUB_H
#define RG_CHANNEL_SCRUB_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "config/config.h"

#define RG_SCRUB_MARK "[redacted]"
#define RG_SCRUB_MIN 4

/* Registers every secret of a configuration: each channel's (see above)
 * and the token secret. Unset variables are skipped. Idempotent. */
void rg_scrub_register_config(const rg_config *cfg);
/* The same for one channel. */
void rg_scrub_register_channel(const rg_channel_config *cfg);
/* One secret value and its forms. */
void rg_scrub_register(const char *secret);
/* A user name and password: the Basic (user:pass) and AUTH PLAIN
 * (user\0user\0pass, \0user\0pass) blobs, and the password itself. */
void rg_scrub_register_login(const char *user, const char *password);
/* A header or field name whose values are secret (case-insensitive). */
void rg_scrub_register_header(const char *name);
/* Forgets everything registered (the values are wiped). For tests. */
void rg_scrub_reset(void);

/* Replaces, in the NUL-terminated text held in a buffer of `size` bytes,
 * every secret form with RG_SCRUB_MARK. A text that ends with the first
 * RG_SCRUB_MIN or more bytes of a secret form (cut before it reached here)
 * has that end replaced too. When the result does not fit it is cut at a
 * UTF-8 character boundary. Returns how many replacements were made. */
size_t rg_scrub(char *text, size_t size);
/* The same on a buffer, which may grow (b->oom on failure: then emptied). */
size_t rg_scrub_buf(rg_buf *b);
/* Scrubs src into dst (n bytes), cut at a UTF-8 character boundary when it
 * does not fit: compose an error text whole, then copy it with this, so a
 * cut never leaves part of a secret. Returns the replacements. */
size_t rg_scrub_copy(char *dst, size_t n, const char *src);
/* A scrubbed copy of s (NULL: NULL, or out of memory). */
char *rg_scrub_dup(const char *s);

#endif
