#include "service/token.h"

#include <sodium.h>
#include <string.h>

#define SIG_BYTES 16

static void mac(const char *secret, const char *kind, const unsigned char *payload, size_t len,
                unsigned char out[crypto_auth_hmacsha256_BYTES])
{
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)kind, strlen(kind));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)":", 1);
    crypto_auth_hmacsha256_update(&st, payload, len);
    crypto_auth_hmacsha256_final(&st, out);
}

rg_status rg_token_sign(const char *secret, const char *kind, const char *payload, size_t len, rg_buf *out,
                        rg_err *e)
{
    if (!secret || !*secret)
        return rg_err_set(e, RG_EUSAGE, "token", "no token secret configured");
    if (sodium_init() < 0)
        return rg_err_set(e, RG_EINTERNAL, "token", "libsodium failed to initialise");
    unsigned char sig[crypto_auth_hmacsha256_BYTES];
    mac(secret, kind, (const unsigned char *)payload, len, sig);
    size_t b64 = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    if (!rg_buf_reserve(out, b64 + 64))
        return rg_err_set(e, RG_ENOMEM, "token", "out of memory");
    sodium_bin2base64(out->p + out->len, b64, (const unsigned char *)payload, len,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out->len += strlen(out->p + out->len);
    rg_buf_putc(out, '.');
    char s64[64];
    sodium_bin2base64(s64, sizeof s64, sig, SIG_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    rg_buf_puts(out, s64);
    return out->oom ? rg_err_set(e, RG_ENOMEM, "token", "out of memory") : RG_OK;
}

rg_status rg_token_verify(const char *secret, const char *kind, const char *token, size_t len, char *payload,
                          size_t n, rg_err *e)
{
    payload[0] = '\0';
    if (!secret || !*secret)
        return rg_err_set(e, RG_EPERM, "token", "no token secret configured");
    if (sodium_init() < 0)
        return rg_err_set(e, RG_EINTERNAL, "token", "libsodium failed to initialise");
    const char *dot = memchr(token, '.', len);
    if (!dot || dot == token)
        return rg_err_set(e, RG_EPERM, "token", "malformed token");
    size_t plen = 0, slen = 0;
    unsigned char sig[SIG_BYTES + 4];
    if (n < 2 || sodium_base642bin((unsigned char *)payload, n - 1, token, (size_t)(dot - token), NULL, &plen, NULL,
                                   sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
        payload[0] = '\0';
        return rg_err_set(e, n < 2 ? RG_EINVAL : RG_EPERM, "token", "malformed token payload");
    }
    payload[plen] = '\0';
    if (sodium_base642bin(sig, sizeof sig, dot + 1, len - (size_t)(dot + 1 - token), NULL, &slen, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        slen != SIG_BYTES) {
        payload[0] = '\0';
        return rg_err_set(e, RG_EPERM, "token", "malformed token signature");
    }
    unsigned char want[crypto_auth_hmacsha256_BYTES];
    mac(secret, kind, (const unsigned char *)payload, plen, want);
    if (sodium_memcmp(want, sig, SIG_BYTES) != 0) {
        payload[0] = '\0';
        return rg_err_set(e, RG_EPERM, "token", "bad token signature");
    }
    return RG_OK;
}
