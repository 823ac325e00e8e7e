#include "service/users.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "base/buf.h"

#define TOKEN_BYTES 32
#define FAILURES_KEPT_SECONDS 86400

rg_status rg_user_email_norm(const char *email, const char *where, char *out, rg_err *e)
{
    out[0] = '\0';
    size_t n = email ? strlen(email) : 0;
    if (n < 3 || n > RG_EMAIL_MAX)
        return rg_err_set(e, RG_EINVAL, where, "must be an email address of 3 to %d bytes", RG_EMAIL_MAX);
    const char *at = strchr(email, '@');
    if (!at || at == email || !at[1] || strchr(at + 1, '@'))
        return rg_err_set(e, RG_EINVAL, where, "'%s' is not an email address (one @ with text on both sides)",
                          email);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)email[i];
        if (c <= 0x20 || c == 0x7f)
            return rg_err_set(e, RG_EINVAL, where, "has a space or a control character");
        out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : (char)c;
    }
    out[n] = '\0';
    return RG_OK;
}

rg_status rg_user_create(rg_store *s, const char *email, rg_api_role role, const char *password, rg_instant now,
                         rg_user_row *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    rg_status rc = rg_user_email_norm(email, "email", out->email, e);
    if (rc != RG_OK)
        return rc;
    if (role == RG_ROLE_NONE)
        return rg_err_set(e, RG_EINVAL, "role", "must be admin, operator or viewer");
    size_t pn = password ? strlen(password) : 0;
    if (pn < RG_PASSWORD_MIN)
        return rg_err_set(e, RG_EINVAL, "user", "the password is %zu bytes long; at least %d", pn,
                          RG_PASSWORD_MIN);
    if (pn > RG_PASSWORD_MAX)
        return rg_err_set(e, RG_EINVAL, "user", "the password is %zu bytes long; at most %d", pn,
                          RG_PASSWORD_MAX);
    if (sodium_init() < 0)
        return rg_err_set(e, RG_EINTERNAL, "user", "libsodium could not start");
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, password, pn, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return rg_err_set(e, RG_ENOMEM, "user", "hashing the password needs more memory than there is");
    rg_strlcpy(out->role, rg_api_role_name(role), sizeof out->role);
    out->created_at = now;
    out->disabled_at = RG_INSTANT_NONE;
    out->last_login_at = RG_INSTANT_NONE;
    if ((rc = rg_store_begin(s, e)) != RG_OK)
        return rc;
    if ((rc = rg_store_user_insert(s, out, hash, e)) != RG_OK || (rc = rg_store_commit(s, e)) != RG_OK)
        rg_store_rollback(s);
    return rc;
}

rg_status rg_user_list(rg_store *s, rg_user_fn fn, void *ctx, rg_err *e)
{
    return rg_store_user_each(s, fn, ctx, e);
}

rg_status rg_user_disable(rg_store *s, const char *email, rg_instant now, rg_user_row *out, rg_err *e)
{
    char norm[RG_EMAIL_MAX + 1];
    rg_status rc = rg_user_email_norm(email, "email", norm, e);
    if (rc != RG_OK)
        return rc;
    if ((rc = rg_store_begin(s, e)) != RG_OK)
        return rc;
    bool found = false, changed = false;
    if ((rc = rg_store_user_get(s, norm, out, NULL, 0, &found, e)) != RG_OK)
        goto fail;
    if (!found) {
        rc = rg_err_set(e, RG_ENOTFOUND, "email", "no user has the email %s", norm);
        goto fail;
    }
    if ((rc = rg_store_user_disable(s, out->id, now, &changed, e)) != RG_OK)
        goto fail;
    if (!changed) {
        rc = rg_err_set(e, RG_ECONFLICT, "email", "the user %s is already disabled", norm);
        goto fail;
    }
    if ((rc = rg_store_commit(s, e)) != RG_OK)
        goto fail;
    out->disabled_at = now;
    return RG_OK;
fail:
    rg_store_rollback(s);
    return rc;
}

void rg_session_csrf(const char *token, char csrf[65])
{
    crypto_hash_sha256_state st;
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)"regua-csrf:", 11);
    crypto_hash_sha256_update(&st, (const unsigned char *)token, strlen(token));
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(csrf, 65, h, sizeof h);
}

/* A hash no password matches in practice: an unknown email costs the same
 * time as a wrong password, so the answer's delay does not tell emails apart. */
static char decoy_hash[crypto_pwhash_STRBYTES];
static bool decoy_ok;
static pthread_once_t decoy_once = PTHREAD_ONCE_INIT;

static void make_decoy(void)
{
    unsigned char raw[16];
    char pw[33];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(pw, sizeof pw, raw, sizeof raw);
    decoy_ok = crypto_pwhash_str(decoy_hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                 crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
}

rg_status rg_user_login(rg_store *s, const char *email, const char *password, const char *ip, rg_instant now,
                        rg_login_outcome *outcome, rg_session *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    *outcome = RG_LOGIN_BAD;
    if (sodium_init() < 0)
        return rg_err_set(e, RG_EINTERNAL, "user", "libsodium could not start");
    char norm[RG_EMAIL_MAX + 1];
    rg_err ignored;
    bool well_formed = rg_user_email_norm(email, "email", norm, &ignored) == RG_OK;
    if (!well_formed) /* still counted against the address */
        rg_strlcpy(norm, "", sizeof norm);
    if (!ip)
        ip = "";
    int64_t by_email = 0, by_ip = 0;
    rg_status rc = rg_store_login_failures(s, norm, ip, now - RG_LOGIN_WINDOW_SECONDS, &by_email, &by_ip, e);
    if (rc != RG_OK)
        return rc;
    if ((well_formed && by_email >= RG_LOGIN_MAX_PER_EMAIL) || by_ip >= RG_LOGIN_MAX_PER_IP) {
        *outcome = RG_LOGIN_LIMITED;
        return RG_OK;
    }
    char hash[crypto_pwhash_STRBYTES] = "";
    bool found = false;
    if (well_formed && (rc = rg_store_user_get(s, norm, &out->user, hash, sizeof hash, &found, e)) != RG_OK)
        return rc;
    size_t pn = password ? strlen(password) : 0;
    bool good = false;
    if (found && pn <= RG_PASSWORD_MAX) {
        good = crypto_pwhash_str_verify(hash, password, pn) == 0 && out->user.disabled_at == RG_INSTANT_NONE;
    } else {
        pthread_once(&decoy_once, make_decoy);
        if (decoy_ok && pn <= RG_PASSWORD_MAX && crypto_pwhash_str_verify(decoy_hash, password ? password : "", pn) == 0)
            good = false; /* the decoy's password is random: nothing to do either way */
    }
    sodium_memzero(hash, sizeof hash);
    if ((rc = rg_store_begin(s, e)) != RG_OK)
        return rc;
    if (!good) {
        if ((rc = rg_store_login_failure_add(s, norm, ip, now, now - FAILURES_KEPT_SECONDS, e)) != RG_OK ||
            (rc = rg_store_commit(s, e)) != RG_OK) {
            rg_store_rollback(s);
            return rc;
        }
        memset(out, 0, sizeof *out);
        return RG_OK;
    }
    unsigned char raw[TOKEN_BYTES];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out->token, sizeof out->token, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    char th[65];
    rg_apikey_hash(out->token, strlen(out->token), th);
    out->expires_at = now + RG_SESSION_SECONDS;
    if ((rc = rg_store_session_insert(s, th, out->user.id, now, out->expires_at, e)) != RG_OK ||
        (rc = rg_store_login_failures_clear(s, norm, e)) != RG_OK || (rc = rg_store_commit(s, e)) != RG_OK) {
        rg_store_rollback(s);
        memset(out, 0, sizeof *out);
        return rc;
    }
    out->user.last_login_at = now;
    out->role = rg_api_role_parse(out->user.role);
    rg_session_csrf(out->token, out->csrf);
    *outcome = RG_LOGIN_OK;
    return RG_OK;
}

static bool token_shape(const char *token)
{
    size_t n = token ? strlen(token) : 0;
    if (n == 0 || n >= RG_SESSION_TOKEN_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = token[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    }
    return true;
}

rg_status rg_user_session(rg_store *s, const char *token, rg_instant now, rg_session *out, bool *valid, rg_err *e)
{
    memset(out, 0, sizeof *out);
    *valid = false;
    if (!token_shape(token))
        return RG_OK;
    char th[65];
    rg_apikey_hash(token, strlen(token), th);
    bool found = false;
    rg_status rc = rg_store_session_get(s, th, now, &out->user, &out->expires_at, &found, e);
    if (rc != RG_OK || !found)
        return rc;
    rg_strlcpy(out->token, token, sizeof out->token);
    rg_session_csrf(token, out->csrf);
    out->role = rg_api_role_parse(out->user.role);
    *valid = out->role != RG_ROLE_NONE;
    return RG_OK;
}

rg_status rg_user_logout(rg_store *s, const char *token, rg_err *e)
{
    if (!token_shape(token))
        return RG_OK;
    char th[65];
    rg_apikey_hash(token, strlen(token), th);
    return rg_store_session_delete(s, th, e); /* one statement */
}
