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
 *
 * Reconciliation (`lookup_url`, e.g. Twilio's message list): lookup() GETs
 * that URL (a template like `url`) with the same authentication and looks
 * in the JSON array at `lookup_list` (default /messages) for an item whose
 * `lookup_body` (default /body) is the message's body and whose `lookup_to`
 * (default /to), when present, is its recipient; the item's `id_pointer` is
 * the provider's id. The dispatcher asks before calling an attempt
 * uncertain.
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "channel/channel.h"
#include "channel/provider.h"
#include "channel/scrub.h"

#define MAX_HEADERS 16
#define LOOKUP_MAX_MS 10000L /* a lookup's time limit, whatever the channel's timeout */

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
    rg_ptpl *lookup_url; /* NULL: no lookup */
    char lookup_list[128], lookup_body[128], lookup_to[128];
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
    rg_ptpl_free(s->lookup_url);
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

/* A JSON pointer setting (key), default def. */
static rg_status pointer_setting(const rg_channel_config *cfg, const char *key, const char *def, char *out, size_t n,
                                 rg_err *e)
{
    const char *v = rg_channel_setting(cfg, key);
    if (!v)
        v = def;
    if ((*v && *v != '/') || strlen(v) >= n)
        return rg_err_set(e, RG_EINVAL, key, "'%s' must be a JSON pointer such as %s", key, def);
    rg_strlcpy(out, v, n);
    return RG_OK;
}

static rg_status open_lookup(http_state *s, const rg_channel_config *cfg, rg_err *e)
{
    const char *url = rg_channel_setting(cfg, "lookup_url");
    if (!url || !*url) {
        const char *keys[] = {"lookup_list", "lookup_body", "lookup_to"};
        for (size_t i = 0; i < 3; i++)
            if (rg_channel_setting(cfg, keys[i]))
                return rg_err_set(e, RG_EINVAL, keys[i], "'%s' needs 'lookup_url'", keys[i]);
        return RG_OK;
    }
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
        return rg_err_set(e, RG_EINVAL, "lookup_url", "'lookup_url' must be http:// or https://");
    rg_status rc = rg_ptpl_compile(url, RG_PESC_URL, "lookup_url", &s->lookup_url, e);
    if (rc == RG_OK)
        rc = pointer_setting(cfg, "lookup_list", "/messages", s->lookup_list, sizeof s->lookup_list, e);
    if (rc == RG_OK)
        rc = pointer_setting(cfg, "lookup_body", "/body", s->lookup_body, sizeof s->lookup_body, e);
    if (rc == RG_OK)
        rc = pointer_setting(cfg, "lookup_to", "/to", s->lookup_to, sizeof s->lookup_to, e);
    if (rc == RG_OK && !s->id_pointer[0])
        rc = rg_err_set(e, RG_EINVAL, "lookup_url", "'lookup_url' needs 'id_pointer' (the id in each listed item)");
    return rc;
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
    if ((rc = open_lookup(s, cfg, e)) != RG_OK)
        goto fail;
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

/* Whether a listed recipient is ours: the same address, or the same digits. */
static bool same_recipient(const char *listed, const rg_provider_vars *v)
{
    if (!strcmp(listed, v->to))
        return true;
    char digits[32];
    size_t k = 0;
    for (const char *p = listed; *p && k + 1 < sizeof digits; p++)
        if (*p >= '0' && *p <= '9')
            digits[k++] = *p;
    digits[k] = '\0';
    return k > 0 && !strcmp(digits, v->to_digits);
}

static rg_status http_lookup(void *state, const rg_outgoing *out, bool *found, char *provider_id, size_t n,
                             rg_err *e)
{
    http_state *s = state;
    *found = false;
    if (!s->lookup_url)
        return rg_err_set(e, RG_EINTERNAL, s->name, "no lookup_url");
    rg_provider_vars v;
    rg_provider_vars_init(&v, out);
    rg_buf url = RG_BUF_INIT;
    rg_provider_resp resp;
    memset(&resp, 0, sizeof resp);
    struct curl_slist *hdrs = NULL;
    CURL *easy = NULL;
    json_t *root = NULL;
    rg_status rc = RG_OK;
    rg_ptpl_render(s->lookup_url, &v, &url);
    for (size_t i = 0; i < s->n_headers; i++) {
        struct curl_slist *h = curl_slist_append(hdrs, s->headers[i]);
        if (!h) {
            url.oom = true;
            break;
        }
        hdrs = h;
    }
    if (url.oom || !(easy = curl_easy_init())) {
        rc = rg_err_set(e, RG_ENOMEM, s->name, "out of memory");
        goto out;
    }
    /* blocking, beside the dispatcher's other transfers: at most 10 s */
    rg_provider_easy_common(easy, s->timeout_ms < LOOKUP_MAX_MS ? s->timeout_ms : LOOKUP_MAX_MS, &resp);
    curl_easy_setopt(easy, CURLOPT_URL, rg_buf_cstr(&url));
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    if (s->username) {
        curl_easy_setopt(easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(easy, CURLOPT_USERNAME, s->username);
        curl_easy_setopt(easy, CURLOPT_PASSWORD, s->password);
    }
    CURLcode cc = curl_easy_perform(easy);
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    if (cc != CURLE_OK || status < 200 || status >= 300) {
        rg_send_result res;
        memset(&res, 0, sizeof res);
        rg_provider_outcome(easy, (int)cc, status, &resp, &res);
        char text[300];
        snprintf(text, sizeof text, "lookup failed: %s", res.error);
        rg_scrub(text, sizeof text);
        rc = rg_err_set(e, RG_ETRANSIENT, s->name, "%s", text);
        goto out;
    }
    json_error_t je;
    root = json_loadb(rg_buf_cstr(&resp.body), resp.body.len, 0, &je);
    json_t *list = rg_json_pointer(root, s->lookup_list);
    if (!json_is_array(list)) {
        rc = rg_err_set(e, RG_ETRANSIENT, s->name, "lookup failed: the answer has no list at %s%s", s->lookup_list,
                        resp.truncated ? " (answer over 64 KiB, cut)" : "");
        goto out;
    }
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
    {
        json_t *body = rg_json_pointer(item, s->lookup_body);
        if (!json_is_string(body) || strcmp(json_string_value(body), v.body) != 0)
            continue;
        json_t *to = s->lookup_to[0] ? rg_json_pointer(item, s->lookup_to) : NULL;
        if (json_is_string(to) && !same_recipient(json_string_value(to), &v))
            continue;
        json_t *id = rg_json_pointer(item, s->id_pointer);
        if (json_is_string(id) && json_string_value(id)[0])
            rg_scrub_copy(provider_id, n, json_string_value(id));
        else if (json_is_integer(id))
            snprintf(provider_id, n, "%lld", (long long)json_integer_value(id));
        else
            continue;
        *found = true;
        break;
    }
out:
    json_decref(root);
    if (easy)
        curl_easy_cleanup(easy);
    curl_slist_free_all(hdrs);
    rg_provider_resp_free(&resp);
    rg_buf_free(&url);
    rg_provider_vars_clear(&v);
    return rc;
}

const rg_channel_driver rg_driver_http = {
    .name = "http",
    .inline_send = false,
    .open = http_open,
    .send = http_send,
    .prepare = http_prepare,
    .complete = http_complete,
    .lookup = http_lookup,
    .close = http_close,
};
