/*
 * The `http` driver: a generic HTTP provider for SMS and voice (Twilio,
 * Zenvia and the like are presets of it, see docs/channels.md). One
 * request per message: `method` to `url`, the `headers` (values may name
 * secrets as ${ENV_VAR}), and a `body` template rendered with the message
 * and escaped for its `content_type` (json or form). Success is any 2xx;
 * the provider's message id is read from the JSON answer at `id_pointer`
 * (RFC 6901, default /id). The message's idempotency key goes in the
 * `idempotency_header` (default Idempotency-Key; `none` for providers
 * that take none — then the dispatcher never resends an uncertain
 * attempt). Basic authentication from `username_env`/`password_env`.
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "channel/channel.h"
#include "channel/provider.h"
#include "channel/scrub.h"

#define MAX_HEADERS 16

typedef struct http_state {
    char name[24];
    rg_ptpl *url;
    rg_ptpl *body;
    char method[8];
    const char *content_type; /* static */
    bool has_content_type;    /* the headers set one */
    char *headers[MAX_HEADERS]; /* "Name: value", expanded (may hold secrets) */
    size_t n_headers;
    char idem_header[64]; /* "" none */
    char id_pointer[128];
    long timeout_ms;
    char *username; /* from the environment */
    char *password;
} http_state;

typedef struct http_req {
    rg_provider_resp resp;
    struct curl_slist *hdrs;
    char *body;
    char *url;
} http_req;

static void wipe_free(char *s)
{
    if (s) {
        memset(s, 0, strlen(s));
        free(s);
    }
}

static void http_close(void *state)
{
    http_state *s = state;
    if (!s)
        return;
    rg_ptpl_free(s->url);
    rg_ptpl_free(s->body);
    for (size_t i = 0; i < s->n_headers; i++)
        wipe_free(s->headers[i]);
    wipe_free(s->username);
    wipe_free(s->password);
    free(s);
}

static bool header_name_ok(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c >= 0x7f || strchr("()<>@,;:\\\"/[]?={}", c))
            return false;
    }
    return true;
}

static rg_status secret_from_env(const rg_channel_config *cfg, const char *key, char **out, rg_err *e)
{
    const char *var = rg_channel_setting(cfg, key);
    *out = NULL;
    if (!var || !*var)
        return RG_OK;
    const char *v = getenv(var);
    if (!v)
        return rg_err_set(e, RG_EINVAL, key, "the environment variable %s (named by %s) is not set", var, key);
    if (!(*out = rg_strdup(v)))
        return rg_err_set(e, RG_ENOMEM, key, "out of memory");
    return RG_OK;
}

static rg_status parse_headers(http_state *s, const char *text, rg_err *e)
{
    for (const char *p = text; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len) {
            const char *colon = memchr(p, ':', len);
            if (!colon || !header_name_ok(p, (size_t)(colon - p)))
                return rg_err_set(e, RG_EINVAL, "headers", "a header must be 'Name: value' with a valid name");
            if (s->n_headers == MAX_HEADERS)
                return rg_err_set(e, RG_EINVAL, "headers", "too many headers (at most %d)", MAX_HEADERS);
            size_t nlen = (size_t)(colon - p);
            char raw[1024], val[1024], where[64];
            rg_slice v = rg_slice_trim((rg_slice){colon + 1, len - nlen - 1});
            snprintf(raw, sizeof raw, "%.*s", (int)v.n, v.p);
            snprintf(where, sizeof where, "headers: %.*s", (int)(nlen < 40 ? nlen : 40), p);
            rg_status rc = rg_provider_expand_env(raw, where, val, sizeof val, e);
            if (rc != RG_OK)
                return rc;
            if (strpbrk(val, "\r\n")) {
                memset(val, 0, sizeof val);
                return rg_err_set(e, RG_EINVAL, where, "a header value must be one line");
            }
            rg_buf h = RG_BUF_INIT;
            rg_buf_printf(&h, "%.*s: %s", (int)nlen, p, val);
            memset(val, 0, sizeof val);
            if (h.oom)
                return rg_err_set(e, RG_ENOMEM, "headers", "out of memory");
            if (nlen == 12 && !strncasecmp(p, "Content-Type", 12))
                s->has_content_type = true;
            s->headers[s->n_headers++] = rg_buf_detach(&h);
        }
        p = nl ? nl + 1 : NULL;
    }
    return RG_OK;
}

static rg_status http_open(const rg_channel_config *cfg, const rg_channel_env *env, void **state, rg_err *e)
{
    (void)env;
    *state = NULL;
    http_state *s = calloc(1, sizeof *s);
    if (!s)
        return rg_err_set(e, RG_ENOMEM, "http", "out of memory");
    rg_status rc;
    rg_strlcpy(s->name, cfg->name, sizeof s->name);
    const char *url = rg_channel_setting(cfg, "url");
    const char *body = rg_channel_setting(cfg, "body");
    const char *method = rg_channel_setting(cfg, "method");
    const char *ctype = rg_channel_setting(cfg, "content_type");
    const char *idem = rg_channel_setting(cfg, "idempotency_header");
    const char *ptr = rg_channel_setting(cfg, "id_pointer");
    rg_pesc esc = RG_PESC_JSON;
    if (!url || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)) {
        rc = rg_err_set(e, RG_EINVAL, "url", "the http driver needs 'url' (http:// or https://)");
        goto fail;
    }
    if (!body || !*body) {
        rc = rg_err_set(e, RG_EINVAL, "body", "the http driver needs 'body' (a template of the request body)");
        goto fail;
    }
    if (!method || !strcmp(method, "POST") || !strcmp(method, "post"))
        rg_strlcpy(s->method, "POST", sizeof s->method);
    else if (!strcasecmp(method, "PUT") || !strcasecmp(method, "PATCH")) {
        for (size_t i = 0; method[i] && i + 1 < sizeof s->method; i++)
            s->method[i] = (char)(method[i] & ~0x20);
    } else {
        rc = rg_err_set(e, RG_EINVAL, "method", "'method' must be POST, PUT or PATCH, not '%s'", method);
        goto fail;
    }
    if (!ctype || !strcmp(ctype, "json") || !strcmp(ctype, "application/json")) {
        s->content_type = "application/json";
    } else if (!strcmp(ctype, "form") || !strcmp(ctype, "application/x-www-form-urlencoded")) {
        s->content_type = "application/x-www-form-urlencoded";
        esc = RG_PESC_FORM;
    } else {
        rc = rg_err_set(e, RG_EINVAL, "content_type", "'content_type' must be json or form, not '%s'", ctype);
        goto fail;
    }
    if ((rc = rg_ptpl_compile(url, RG_PESC_URL, "url", &s->url, e)) != RG_OK ||
        (rc = rg_ptpl_compile(body, esc, "body", &s->body, e)) != RG_OK)
        goto fail;
    if (!idem)
        rg_strlcpy(s->idem_header, "Idempotency-Key", sizeof s->idem_header);
    else if (*idem && strcmp(idem, "none") != 0) {
        if (!header_name_ok(idem, strlen(idem)) || strlen(idem) >= sizeof s->idem_header) {
            rc = rg_err_set(e, RG_EINVAL, "idempotency_header",
                            "'idempotency_header' must be a header name (or none), not '%s'", idem);
            goto fail;
        }
        rg_strlcpy(s->idem_header, idem, sizeof s->idem_header);
    }
    rg_strlcpy(s->id_pointer, ptr ? ptr : "/id", sizeof s->id_pointer);
    if (s->id_pointer[0] && s->id_pointer[0] != '/') {
        rc = rg_err_set(e, RG_EINVAL, "id_pointer", "'id_pointer' must be a JSON pointer such as /id or /messages/0/id");
        goto fail;
    }
    if ((rc = rg_provider_timeout(cfg, 30000, &s->timeout_ms, e)) != RG_OK)
        goto fail;
    const char *hdrs = rg_channel_setting(cfg, "headers");
    if (hdrs && (rc = parse_headers(s, hdrs, e)) != RG_OK)
        goto fail;
    if ((rc = secret_from_env(cfg, "username_env", &s->username, e)) != RG_OK ||
        (rc = secret_from_env(cfg, "password_env", &s->password, e)) != RG_OK)
        goto fail;
    if (!s->username != !s->password) {
        rc = rg_err_set(e, RG_EINVAL, "username_env", "basic authentication needs both username_env and password_env");
        goto fail;
    }
    *state = s;
    return RG_OK;
fail:
    http_close(s);
    return rc;
}

static void req_free(http_req *r)
{
    if (!r)
        return;
    rg_provider_resp_free(&r->resp);
    curl_slist_free_all(r->hdrs);
    free(r->body);
    free(r->url);
    free(r);
}

static rg_status http_prepare(void *state, const rg_outgoing *out, void **easy_out, void **req_out, rg_err *e)
{
    http_state *s = state;
    *easy_out = *req_out = NULL;
    rg_status rc = RG_OK;
    CURL *easy = NULL;
    http_req *r = calloc(1, sizeof *r);
    rg_provider_vars v;
    rg_provider_vars_init(&v, out);
    rg_buf url = RG_BUF_INIT, body = RG_BUF_INIT, idem = RG_BUF_INIT;
    if (!r)
        goto oom;
    rg_ptpl_render(s->url, &v, &url);
    rg_ptpl_render(s->body, &v, &body);
    if (url.oom || body.oom)
        goto oom;
    size_t body_len = body.len;
    r->url = rg_buf_detach(&url);
    r->body = rg_buf_detach(&body);
    if (!r->url || !r->body)
        goto oom;
    for (size_t i = 0; i < s->n_headers; i++) {
        struct curl_slist *n = curl_slist_append(r->hdrs, s->headers[i]);
        if (!n)
            goto oom;
        r->hdrs = n;
    }
    if (!s->has_content_type) {
        rg_buf_printf(&idem, "Content-Type: %s", s->content_type);
        struct curl_slist *n = idem.oom ? NULL : curl_slist_append(r->hdrs, rg_buf_cstr(&idem));
        if (!n)
            goto oom;
        r->hdrs = n;
    }
    if (s->idem_header[0]) {
        rg_buf_reset(&idem);
        rg_buf_printf(&idem, "%s: %s", s->idem_header, out->message->idempotency_key);
        struct curl_slist *n = idem.oom ? NULL : curl_slist_append(r->hdrs, rg_buf_cstr(&idem));
        if (!n)
            goto oom;
        r->hdrs = n;
    }
    struct curl_slist *n = curl_slist_append(r->hdrs, "Expect:");
    if (!n)
        goto oom;
    r->hdrs = n;
    if (!(easy = curl_easy_init()))
        goto oom;
    rg_provider_easy_common(easy, s->timeout_ms, &r->resp);
    curl_easy_setopt(easy, CURLOPT_URL, r->url);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, r->hdrs);
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, r->body);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    if (strcmp(s->method, "POST") != 0)
        curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, s->method);
    if (s->username) {
        curl_easy_setopt(easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(easy, CURLOPT_USERNAME, s->username);
        curl_easy_setopt(easy, CURLOPT_PASSWORD, s->password);
    }
    *easy_out = easy;
    *req_out = r;
    goto out;
oom:
    rc = rg_err_set(e, RG_ENOMEM, s->name, "out of memory");
    if (easy)
        curl_easy_cleanup(easy);
    req_free(r);
out:
    rg_buf_free(&url);
    rg_buf_free(&body);
    rg_buf_free(&idem);
    rg_provider_vars_clear(&v);
    return rc;
}

static void http_complete(void *state, void *easy, void *req, int curl_code, long http_status, rg_send_result *res)
{
    http_state *s = state;
    http_req *r = req;
    rg_provider_outcome(easy, curl_code, http_status, &r->resp, res);
    if (res->outcome == RG_SEND_OK && s->id_pointer[0]) {
        json_t *root = json_loadb(rg_buf_cstr(&r->resp.body), r->resp.body.len, 0, NULL);
        json_t *id = rg_json_pointer(root, s->id_pointer);
        if (json_is_string(id))
            rg_scrub_copy(res->provider_id, sizeof res->provider_id, json_string_value(id));
        else if (json_is_integer(id))
            snprintf(res->provider_id, sizeof res->provider_id, "%lld", (long long)json_integer_value(id));
        json_decref(root);
    }
    curl_easy_cleanup(easy);
    req_free(r);
}

static rg_status http_send(void *state, const rg_outgoing *out, rg_send_result *res, rg_err *e)
{
    void *easy, *req;
    memset(res, 0, sizeof *res);
    rg_status rc = http_prepare(state, out, &easy, &req, e);
    if (rc != RG_OK)
        return rc;
    CURLcode cc = curl_easy_perform(easy);
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    http_complete(state, easy, req, (int)cc, status, res);
    if (res->outcome == RG_SEND_OK)
        return RG_OK;
    return rg_err_set(e, res->outcome == RG_SEND_TRANSIENT ? RG_ETRANSIENT : RG_EPERMANENT, ((http_state *)state)->name,
                      "%s", res->error);
}

const rg_channel_driver rg_driver_http = {
    .name = "http",
    .inline_send = false,
    .open = http_open,
    .send = http_send,
    .prepare = http_prepare,
    .complete = http_complete,
    .close = http_close,
};
