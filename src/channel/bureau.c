/*
 * The `bureau` driver (network): POSTs a request built by service/bureau
 * (the outgoing message's payload, a JSON document) to the credit-bureau
 * integration at `url`, signed with the secret held by the environment
 * variable named by `secret_env`:
 *   Content-Type: application/json
 *   X-Regua-Signature: sha256=HEX   HMAC-SHA256(secret, body), lowercase hex
 *   Idempotency-Key: KEY            the message's idempotency key
 * A 2xx answer is accepted (its JSON "id" or "protocol", when a string, is
 * the provider's reference); 408, 425, 429 and 5xx and transport failures
 * are transient; any other status is a permanent refusal. The secret is
 * never logged nor put in an error.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "channel/channel.h"
#include "channel/scrub.h"
#include "version.h"

#define RESPONSE_MAX (64 * 1024)

typedef struct bureau_state {
    char url[1024];
    unsigned char *secret;
    size_t secret_len;
} bureau_state;

typedef struct bureau_req {
    struct curl_slist *headers;
    rg_buf response;
    bool truncated;
} bureau_req;

static rg_status bureau_open(const rg_channel_config *cfg, const rg_channel_env *env, void **state, rg_err *e)
{
    (void)env;
    const char *url = rg_channel_setting(cfg, "url");
    const char *secret_env = rg_channel_setting(cfg, "secret_env");
    if (!url || !*url)
        return rg_err_set(e, RG_EINVAL, "url", "the bureau driver needs 'url' (the integration's endpoint)");
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
        return rg_err_set(e, RG_EINVAL, "url", "'%s' is not an http:// or https:// URL", url);
    if (!secret_env || !*secret_env)
        return rg_err_set(e, RG_EINVAL, "secret_env",
                          "the bureau driver needs 'secret_env' (the environment variable holding the signing secret)");
    const char *secret = getenv(secret_env);
    if (!secret || !*secret)
        return rg_err_set(e, RG_EINVAL, "secret_env", "the environment variable %s (the bureau signing secret) is not set",
                          secret_env);
    if (sodium_init() < 0)
        return rg_err_set(e, RG_EINTERNAL, "bureau", "libsodium failed to initialise");
    bureau_state *s = calloc(1, sizeof *s);
    if (!s)
        return rg_err_set(e, RG_ENOMEM, "bureau", "out of memory");
    if (!rg_strlcpy(s->url, url, sizeof s->url)) {
        free(s);
        return rg_err_set(e, RG_EINVAL, "url", "longer than %zu bytes", sizeof s->url - 1);
    }
    s->secret_len = strlen(secret);
    s->secret = malloc(s->secret_len);
    if (!s->secret) {
        free(s);
        return rg_err_set(e, RG_ENOMEM, "bureau", "out of memory");
    }
    memcpy(s->secret, secret, s->secret_len);
    *state = s;
    return RG_OK;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    bureau_req *r = userdata;
    size_t n = size * nmemb;
    size_t room = r->response.len < RESPONSE_MAX ? RESPONSE_MAX - r->response.len : 0;
    if (n > room)
        r->truncated = true;
    rg_buf_append(&r->response, ptr, n < room ? n : room);
    return n;
}

static void req_free(bureau_req *r)
{
    if (!r)
        return;
    curl_slist_free_all(r->headers);
    rg_buf_free(&r->response);
    free(r);
}

/* "sha256=" + lowercase hex of HMAC-SHA256(secret, body). */
static void signature(const bureau_state *s, const char *body, size_t len, char out[7 + 64 + 1])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, s->secret, s->secret_len);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, "sha256=", 7);
    sodium_bin2hex(out + 7, 65, mac, sizeof mac);
    sodium_memzero(&st, sizeof st);
}

static rg_status add_header(bureau_req *r, const char *h, rg_err *e)
{
    struct curl_slist *n = curl_slist_append(r->headers, h);
    if (!n)
        return rg_err_set(e, RG_ENOMEM, "bureau", "out of memory");
    r->headers = n;
    return RG_OK;
}

static rg_status bureau_prepare(void *state, const rg_outgoing *out, void **easy, void **req, rg_err *e)
{
    bureau_state *s = state;
    *easy = NULL;
    *req = NULL;
    const rg_message *m = out->message;
    if (!m->payload || !m->payload[0])
        return rg_err_set(e, RG_EINVAL, "bureau",
                          "message %lld has no request body: the bureau channel sends the requests built by"
                          " `regua bureau sync`, not cadence messages",
                          (long long)m->id);
    for (const char *c = m->idempotency_key; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            return rg_err_set(e, RG_EINVAL, "bureau", "the idempotency key has a control character");
    bureau_req *r = calloc(1, sizeof *r);
    if (!r)
        return rg_err_set(e, RG_ENOMEM, "bureau", "out of memory");
    size_t len = strlen(m->payload);
    char sig[7 + 64 + 1];
    signature(s, m->payload, len, sig);
    char h[300];
    rg_status rc = add_header(r, "Content-Type: application/json", e);
    if (rc == RG_OK)
        rc = add_header(r, "Accept: application/json", e);
    if (rc == RG_OK) {
        snprintf(h, sizeof h, "X-Regua-Signature: %s", sig);
        rc = add_header(r, h, e);
    }
    if (rc == RG_OK && m->idempotency_key[0]) {
        snprintf(h, sizeof h, "Idempotency-Key: %s", m->idempotency_key);
        rc = add_header(r, h, e);
    }
    if (rc == RG_OK)
        rc = add_header(r, "User-Agent: regua/" RG_VERSION, e);
    if (rc == RG_OK)
        rc = add_header(r, "Expect:", e); /* no 100-continue round trip */
    if (rc != RG_OK) {
        req_free(r);
        return rc;
    }
    CURL *c = curl_easy_init();
    if (!c) {
        req_free(r);
        return rg_err_set(e, RG_ENOMEM, "bureau", "libcurl could not create a handle");
    }
    curl_easy_setopt(c, CURLOPT_URL, s->url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
    curl_easy_setopt(c, CURLOPT_COPYPOSTFIELDS, m->payload);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, r->headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    *easy = c;
    *req = r;
    return RG_OK;
}

/* The provider's reference from a JSON answer: "id" or "protocol". */
static void provider_ref(const rg_buf *body, char *out, size_t n)
{
    out[0] = '\0';
    if (!body->len)
        return;
    json_error_t je;
    json_t *j = json_loadb(body->p, body->len, 0, &je);
    if (!json_is_object(j)) {
        json_decref(j);
        return;
    }
    const char *keys[] = {"id", "protocol"};
    for (size_t i = 0; i < 2 && !out[0]; i++) {
        json_t *v = json_object_get(j, keys[i]);
        if (json_is_string(v))
            rg_strlcpy(out, json_string_value(v), n);
        else if (json_is_integer(v))
            snprintf(out, n, "%lld", (long long)json_integer_value(v));
    }
    json_decref(j);
}

/* A short excerpt of the answer for the error message: at most 160
 * bytes of valid UTF-8 (control characters become spaces, invalid bytes
 * '?'), never cut inside a character. */
static void excerpt(const rg_buf *body, char *out, size_t n)
{
    size_t w = 0, i = 0;
    const unsigned char *p = (const unsigned char *)body->p;
    while (i < body->len) {
        unsigned char c = p[i];
        size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        bool valid = len > 0 && i + len <= body->len && !(len == 2 && c < 0xC2);
        for (size_t k = 1; valid && k < len; k++)
            valid = (p[i + k] & 0xC0) == 0x80;
        size_t take = valid ? len : 1;
        if (w + take + 1 > n || w + take > 160)
            break;
        if (!valid)
            out[w++] = '?';
        else if (len == 1)
            out[w++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
        else
            for (size_t k = 0; k < len; k++)
                out[w++] = (char)p[i + k];
        i += take;
    }
    out[w] = '\0';
}

static void bureau_complete(void *state, void *easy, void *req, int curl_code, long http_status, rg_send_result *res)
{
    (void)state;
    bureau_req *r = req;
    CURL *c = easy;
    memset(res, 0, sizeof *res);
    char ex[200] = "";
    if (r) {
        rg_scrub_buf(&r->response); /* before the cut: the integration may echo our signature's secret */
        excerpt(&r->response, ex, sizeof ex);
    }
    if (curl_code != CURLE_OK) {
        res->outcome = RG_SEND_TRANSIENT;
        snprintf(res->error, sizeof res->error, "transport: %s", curl_easy_strerror((CURLcode)curl_code));
    } else if (http_status >= 200 && http_status < 300) {
        res->outcome = RG_SEND_OK;
        if (r)
            provider_ref(&r->response, res->provider_id, sizeof res->provider_id);
    } else if (http_status == 408 || http_status == 425 || http_status == 429 || http_status >= 500) {
        res->outcome = RG_SEND_TRANSIENT;
        curl_off_t ra = 0;
        if (c && curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0)
            res->retry_after = ra > 86400 ? 86400 : (int)ra;
        snprintf(res->error, sizeof res->error, "HTTP %ld%s%s", http_status, ex[0] ? ": " : "", ex);
    } else {
        res->outcome = RG_SEND_PERMANENT;
        snprintf(res->error, sizeof res->error, "HTTP %ld%s%s", http_status, ex[0] ? ": " : "", ex);
    }
    req_free(r);
    if (c)
        curl_easy_cleanup(c);
}

static rg_status bureau_send(void *state, const rg_outgoing *out, rg_send_result *res, rg_err *e)
{
    void *easy = NULL, *req = NULL;
    rg_status rc = bureau_prepare(state, out, &easy, &req, e);
    if (rc != RG_OK) {
        res->outcome = RG_SEND_PERMANENT;
        rg_strlcpy(res->error, e ? e->msg : "cannot prepare the request", sizeof res->error);
        return rc;
    }
    CURLcode cc = curl_easy_perform(easy);
    long status = 0;
    if (cc == CURLE_OK)
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    bureau_complete(state, easy, req, (int)cc, status, res);
    if (res->outcome == RG_SEND_OK)
        return RG_OK;
    return rg_err_set(e, res->outcome == RG_SEND_TRANSIENT ? RG_ETRANSIENT : RG_EPERMANENT, "bureau", "%s",
                      res->error);
}

static void bureau_close(void *state)
{
    bureau_state *s = state;
    if (!s)
        return;
    if (s->secret) {
        sodium_memzero(s->secret, s->secret_len);
        free(s->secret);
    }
    free(s);
}

const rg_channel_driver rg_driver_bureau = {
    .name = "bureau",
    .inline_send = false,
    .open = bureau_open,
    .send = bureau_send,
    .prepare = bureau_prepare,
    .complete = bureau_complete,
    .close = bureau_close,
};
