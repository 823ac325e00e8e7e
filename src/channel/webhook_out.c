#include "channel/webhook_out.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "channel/provider.h"
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
    rg_provider_resp answer = {RG_BUF_INIT, false};
    char cerr[CURL_ERROR_SIZE] = "";
    /* no signals, the time limit, http(s) only, no redirects, the answer capped */
    rg_provider_easy_common(c, timeout_s * 1000L, &answer);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
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
        rg_provider_excerpt(answer.body.p ? answer.body.p : "", answer.body.len < 120 ? answer.body.len : 120, ex,
                            sizeof ex);
        snprintf(text, sizeof text, "HTTP %ld%s%s", a->http_status, ex[0] ? ": " : "", ex);
        rc = RG_ETRANSIENT;
    }
    if (rc != RG_OK) {
        rg_scrub_copy(a->error, sizeof a->error, text);
        rg_err_set(e, rc, "webhook", "%s", a->error);
    }
    rg_provider_resp_free(&answer);
    curl_easy_cleanup(c);
    curl_slist_free_all(h);
    return rc;
}
