#include "service/portal.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "model/model.h"
#include "service/token.h"

rg_status rg_portal_token(const char *secret, int64_t customer_id, rg_instant expires, rg_buf *out, rg_err *e)
{
    char payload[48];
    int n = snprintf(payload, sizeof payload, "%lld.%lld", (long long)customer_id, (long long)expires);
    return rg_token_sign(secret, "p", payload, (size_t)n, out, e);
}

rg_status rg_portal_link(const rg_config *config, int64_t customer_id, rg_instant expires, rg_buf *out, rg_err *e)
{
    if (!config->public_url[0])
        return rg_err_set(e, RG_EUSAGE, "public_url",
                          "portal links need public_url in regua.yaml (the address customers reach regua at)");
    const char *secret = rg_config_secret(config);
    if (!secret)
        return rg_err_set(e, RG_EUSAGE, config->secret_env,
                          "portal links need the token secret: set the environment variable %s (at least 16 bytes)",
                          config->secret_env);
    size_t n = strlen(config->public_url);
    while (n && config->public_url[n - 1] == '/')
        n--;
    rg_buf_append(out, config->public_url, n);
    rg_buf_puts(out, "/p/");
    return rg_portal_token(secret, customer_id, expires, out, e);
}

rg_status rg_portal_token_read(const char *secret, const char *token, size_t len, int64_t *customer_id,
                               rg_instant *expires, rg_err *e)
{
    *customer_id = 0;
    *expires = 0;
    if (len > RG_PORTAL_TOKEN_MAX)
        return rg_err_set(e, RG_EPERM, "token", "not a portal link");
    char payload[64];
    if (rg_token_verify(secret, "p", token, len, payload, sizeof payload, e) != RG_OK)
        return rg_err_set(e, RG_EPERM, "token", "not a portal link");
    char *dot = strchr(payload, '.');
    int64_t id, exp;
    if (!dot || !rg_parse_i64((rg_slice){payload, (size_t)(dot - payload)}, 1, INT64_MAX, &id) ||
        !rg_parse_i64(rg_slice_cstr(dot + 1), 0, INT64_MAX, &exp))
        return rg_err_set(e, RG_EPERM, "token", "not a portal link");
    *customer_id = id;
    *expires = (rg_instant)exp;
    return RG_OK;
}

static bool form_mac(const char *secret, const char *token, size_t len, unsigned char mac[crypto_auth_hmacsha256_BYTES])
{
    if (!secret || !*secret || sodium_init() < 0)
        return false;
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)"portal-form:", 12);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)token, len);
    crypto_auth_hmacsha256_final(&st, mac);
    return true;
}

bool rg_portal_form_secret(const char *secret, const char *token, size_t len, char out[RG_PORTAL_FORM_SECRET_LEN])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    out[0] = '\0';
    if (!form_mac(secret, token, len, mac))
        return false;
    sodium_bin2base64(out, RG_PORTAL_FORM_SECRET_LEN, mac, 16, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return true;
}

bool rg_portal_form_secret_ok(const char *secret, const char *token, size_t len, const char *given)
{
    char want[RG_PORTAL_FORM_SECRET_LEN];
    if (!given || strlen(given) != RG_PORTAL_FORM_SECRET_LEN - 1 || !rg_portal_form_secret(secret, token, len, want))
        return false;
    return sodium_memcmp(want, given, RG_PORTAL_FORM_SECRET_LEN - 1) == 0;
}

rg_status rg_portal_link_for(rg_store *s, const rg_config *config, const char *ext_id, int64_t days, rg_instant now,
                             rg_buf *out, rg_instant *expires, rg_err *e)
{
    if (expires)
        *expires = 0;
    if (days < 1 || days > 365)
        return rg_err_set(e, RG_EINVAL, "days", "the link's validity must be from 1 to 365 days, not %lld",
                          (long long)days);
    rg_customer c;
    rg_status rc = rg_store_customer_get(s, ext_id, &c, e);
    if (rc == RG_ENOTFOUND)
        return rg_err_set(e, RG_ENOTFOUND, ext_id, "no customer with external id '%s'", ext_id);
    if (rc != RG_OK)
        return rc;
    rg_instant exp = now + (rg_instant)days * 86400;
    if ((rc = rg_portal_link(config, c.id, exp, out, e)) == RG_OK && expires)
        *expires = exp;
    return rc;
}
