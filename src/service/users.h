/*
 * users — the web dashboard's people: users, their sessions, the login
 * rate limit (docs/dashboard.md, "Users and sessions").
 *
 * A user is an email (stored lowercase), a role — the API's roles
 * (service/apikeys.h): viewer reads; operator also works tasks, promises
 * and payments; admin everything — and a password kept only as an
 * Argon2id hash (libsodium crypto_pwhash_str, its "interactive" limits).
 * A login makes a session: 32 random bytes written base64url (the cookie),
 * of which only the SHA-256 is stored, valid RG_SESSION_SECONDS. Its forms'
 * CSRF token is derived from the cookie (rg_session_csrf), so it needs no
 * storage and changes with every session.
 *
 * Login attempts are limited: after RG_LOGIN_MAX_PER_EMAIL failed logins
 * for one email, or RG_LOGIN_MAX_PER_IP from one address, within
 * RG_LOGIN_WINDOW_SECONDS, further attempts are refused without checking
 * the password until the window has passed. A successful login forgets
 * its email's failures (they still count for their address). Each
 * function owns its transaction.
 */
#ifndef RG_USERS_H
#define RG_USERS_H

#include <stdbool.h>

#include "base/err.h"
#include "service/apikeys.h"
#include "store/store.h"

#define RG_SESSION_SECONDS (12 * 3600)
#define RG_LOGIN_WINDOW_SECONDS (15 * 60)
#define RG_LOGIN_MAX_PER_EMAIL 5
#define RG_LOGIN_MAX_PER_IP 20
#define RG_PASSWORD_MIN 10
#define RG_PASSWORD_MAX 1024
/* base64url of 32 bytes (43 characters) and a NUL, with room to spare. */
#define RG_SESSION_TOKEN_MAX 64

/* Checks and lowercases an email into out (RG_EMAIL_MAX + 1 bytes):
 * 3..254 bytes, one '@' with text on both sides, no spaces or control
 * characters; else RG_EINVAL naming `where`. */
rg_status rg_user_email_norm(const char *email, const char *where, char *out, rg_err *e);

/* Makes a user; RG_EINVAL naming "email", "role" or the password (at
 * least RG_PASSWORD_MIN bytes, at most RG_PASSWORD_MAX; where "user", since
 * a "password: ..." text is scrubbed from errors), RG_ECONFLICT when the
 * email is taken. */
rg_status rg_user_create(rg_store *s, const char *email, rg_api_role role, const char *password, rg_instant now,
                         rg_user_row *out, rg_err *e);
rg_status rg_user_list(rg_store *s, rg_user_fn fn, void *ctx, rg_err *e);
/* Disables a user and ends its sessions: RG_ENOTFOUND when no user has
 * that email, RG_ECONFLICT when it is already disabled. */
rg_status rg_user_disable(rg_store *s, const char *email, rg_instant now, rg_user_row *out, rg_err *e);

typedef enum rg_login_outcome {
    RG_LOGIN_OK,
    RG_LOGIN_BAD,     /* unknown email, wrong password or a disabled user (not told apart) */
    RG_LOGIN_LIMITED, /* too many failed logins: refused without checking */
} rg_login_outcome;

typedef struct rg_session {
    char token[RG_SESSION_TOKEN_MAX]; /* the cookie's value; known only at login */
    char csrf[65];                    /* rg_session_csrf(token) */
    rg_user_row user;
    rg_api_role role;
    rg_instant expires_at;
} rg_session;

/* Checks email and password (from `ip`, for the rate limit) and on
 * success makes a session (*out). A failure is recorded. The rg_status
 * reports only store failures. */
rg_status rg_user_login(rg_store *s, const char *email, const char *password, const char *ip, rg_instant now,
                        rg_login_outcome *outcome, rg_session *out, rg_err *e);
/* The session whose cookie is `token`: *valid false when it is unknown,
 * expired or its user disabled. out->token is the token. */
rg_status rg_user_session(rg_store *s, const char *token, rg_instant now, rg_session *out, bool *valid, rg_err *e);
/* Ends the session whose cookie is `token` (nothing when there is none). */
rg_status rg_user_logout(rg_store *s, const char *token, rg_err *e);
/* The forms' CSRF token of a session: hex SHA-256 of "regua-csrf:" + token. */
void rg_session_csrf(const char *token, char csrf[65]);

#endif
