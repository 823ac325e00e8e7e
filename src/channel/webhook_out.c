#include "channel/webhook_out.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "channel/scrub.h"
#include "version.h"

bool rg_webhook_sign(const char *secret, int64_t t, const char *body, size_t len, char out[RG_WEBHOOK_SIG_HEX])
{
    out[0] = '\0';
    if (sodium_init() < 0)
        return false;
    char ts[24];
    int n = snprintf(ts, sizeof ts, "%lld.", (long long)t);
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, (unsigned long long)n);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, (unsigned long long)len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(&st, sizeof st);
    sodium_bin2hex(out, RG_WEBHOOK_SIG_HEX, mac, sizeof mac);
    return true;
}

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    rg_buf *b = ctx;
    size_t len = size * n;
    if (b->len < 160) /* only the start goes into an error text */
        rg_buf_append(b, p, len < 160 ? len : 160);
    return len;
}

/* The start of an answer for an error text: printable ASCII, others '?'. */
static void excerpt(const rg_buf *b, char *out, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < b->len && w + 1 < n && i < 120; i++) {
        unsigned char c = (unsigned char)b->p[i];
        out[w++] = c == '\n' || c == '\r' || c == '\t' ? ' ' : c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    out[w] = '\0';
}

rg_status rg_webhook_post(const char *url, const char *secret, int64_t t, const char *body, long timeout_s,
                          rg_webhook_answer *a, rg_err *e)
{
    memset(a, 0, sizeof *a);
    size_t len = strlen(body);
    char sig[RG_WEBHOOK_SIG_HEX], hsig[160];
    if (!rg_webhook_sign(secret, t, body, len, sig))
        return rg_err_set(e, RG_ENOMEM, "webhook", "libsodium could not start");
    snprintf(hsig, sizeof hsig, "Regua-Signature: t=%lld,v1=%s", (long long)t, sig);
    struct curl_slist *h = NULL, *h2;
    const char *lines[] = {"Content-Type: application/json", hsig, "User-Agent: regua/" RG_VERSION, "Expect:"};
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
        if (!(h2 = curl_slist_append(h, lines[i]))) {
            curl_slist_free_all(h);
            return rg_err_set(e, RG_ENOMEM, "webhook", "out of memory");
        }
        h = h2;
    }
    CURL *c = curl_easy_init();
    if (!c) {
        curl_slist_free_all(h);
        return rg_err_set(e, RG_ENOMEM, "webhook", "libcurl could not create a handle");
    }
    rg_buf answer = RG_BUF_INIT;
    char cerr[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, timeout_s);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    CURLcode cc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->http_status);
    char text[600];
    rg_status rc = RG_OK;
    if (cc != CURLE_OK) {
        a->http_status = 0;
        snprintf(text, sizeof text, "no answer: %s", cerr[0] ? cerr : curl_easy_strerror(cc));
        rc = RG_ETRANSIENT;
    } else if (a->http_status < 200 || a->http_status > 299) {
        char ex[128];
        excerpt(&answer, ex, sizeof ex);
        snprintf(text, sizeof text, "HTTP %ld%s%s", a->http_status, ex[0] ? ": " : "", ex);
        rc = RG_ETRANSIENT;
    }
    if (rc != RG_OK) {
        rg_scrub_copy(a->error, sizeof a->error, text);
        rg_err_set(e, rc, "webhook", "%s", a->error);
    }
    rg_buf_free(&answer);
    curl_easy_cleanup(c);
    curl_slist_free_all(h);
    return rc;
}
