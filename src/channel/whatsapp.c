/*
 * The `whatsapp_cloud` driver: the WhatsApp Cloud API (Meta Graph API).
 * POST {base_url}/{phone_number_id}/messages with `Authorization: Bearer`
 * and the token read from the environment variable named by token_env.
 *
 * A message whose payload names an approved template ({"wa_template",
 * "wa_lang", "params"}, from a NAME.whatsapp file starting with
 * `Template: NAME [LANG]`) goes as type "template" with one body text
 * parameter per line; any other goes as type "text", which the Cloud API
 * accepts only inside the customer's 24-hour service window (outside it
 * the answer is error 131047: a permanent failure, so the dispatcher falls
 * back to the step's next channel).
 *
 * The Cloud API takes no idempotency key. The message's key travels in
 * biz_opaque_callback_data, which Meta echoes in the status webhooks, so a
 * delivery can be matched to its message; the dispatcher never resends an
 * attempt whose outcome it did not record (docs/internals/dispatcher.md).
 *
 * Outcomes: 2xx ok (the id at /messages/0/id); 429, 5xx and the
 * throttling / temporary error codes (4, 80007, 130429, 131056, 1, 2,
 * 131000, 131016, 133004) transient; other 4xx permanent. Sources: Meta,
 * "WhatsApp Cloud API — Error codes" and "Messages" reference.
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "channel/channel.h"
#include "channel/provider.h"
#include "channel/scrub.h"

typedef struct wa_state {
    char name[24];
    char url[600];
    char *auth; /* "Authorization: Bearer ..." (secret) */
    char language[16];
    long timeout_ms;
} wa_state;

typedef struct wa_req {
    rg_provider_resp resp;
    struct curl_slist *hdrs;
    char *body;
} wa_req;

static void wa_close(void *state)
{
    wa_state *s = state;
    if (!s)
        return;
    if (s->auth) {
        memset(s->auth, 0, strlen(s->auth));
        free(s->auth);
    }
    free(s);
}

static rg_status wa_open(const rg_channel_config *cfg, const rg_channel_env *env, void **state, rg_err *e)
{
    (void)env;
    *state = NULL;
    wa_state *s = calloc(1, sizeof *s);
    if (!s)
        return rg_err_set(e, RG_ENOMEM, "whatsapp_cloud", "out of memory");
    rg_status rc;
    rg_strlcpy(s->name, cfg->name, sizeof s->name);
    const char *base = rg_channel_setting(cfg, "base_url");
    const char *phone = rg_channel_setting(cfg, "phone_number_id");
    const char *token_env = rg_channel_setting(cfg, "token_env");
    const char *lang = rg_channel_setting(cfg, "language");
    if (!base || !*base)
        base = "https://graph.facebook.com/v21.0";
    if (strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0) {
        rc = rg_err_set(e, RG_EINVAL, "base_url", "'base_url' must start with http:// or https://");
        goto fail;
    }
    if (!phone || !*phone || strspn(phone, "0123456789") != strlen(phone)) {
        rc = rg_err_set(e, RG_EINVAL, "phone_number_id",
                        "the whatsapp_cloud driver needs 'phone_number_id' (the numeric id of the sending number)");
        goto fail;
    }
    if (!token_env || !*token_env) {
        rc = rg_err_set(e, RG_EINVAL, "token_env",
                        "the whatsapp_cloud driver needs 'token_env' (the environment variable holding the access token)");
        goto fail;
    }
    const char *token = getenv(token_env);
    if (!token || !*token) {
        rc = rg_err_set(e, RG_EINVAL, "token_env", "the environment variable %s (named by token_env) is not set",
                        token_env);
        goto fail;
    }
    size_t blen = strlen(base);
    snprintf(s->url, sizeof s->url, "%.*s/%s/messages", (int)(blen && base[blen - 1] == '/' ? blen - 1 : blen), base,
             phone);
    rg_buf a = RG_BUF_INIT;
    rg_buf_printf(&a, "Authorization: Bearer %s", token);
    if (a.oom || strpbrk(token, "\r\n")) {
        rg_buf_free(&a);
        rc = rg_err_set(e, a.oom ? RG_ENOMEM : RG_EINVAL, "token_env", "the token in %s is unusable", token_env);
        goto fail;
    }
    s->auth = rg_buf_detach(&a);
    rg_strlcpy(s->language, lang && *lang ? lang : "pt_BR", sizeof s->language);
    if ((rc = rg_provider_timeout(cfg, 30000, &s->timeout_ms, e)) != RG_OK)
        goto fail;
    *state = s;
    return RG_OK;
fail:
    wa_close(s);
    return rc;
}

/* The request body (owned JSON text) for a message. */
static char *wa_body(const wa_state *s, const rg_provider_vars *v)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "messaging_product", json_string("whatsapp"));
    json_object_set_new(o, "recipient_type", json_string("individual"));
    json_object_set_new(o, "to", json_string(v->to_digits));
    if (v->wa_template[0]) {
        json_t *t = json_object();
        json_object_set_new(t, "name", json_string(v->wa_template));
        json_object_set_new(t, "language",
                            json_pack("{s:s}", "code", v->wa_lang[0] ? v->wa_lang : s->language));
        if (v->n_params) {
            json_t *params = json_array();
            for (size_t i = 0; i < v->n_params; i++)
                json_array_append_new(params, json_pack("{s:s, s:s}", "type", "text", "text", v->params[i]));
            json_object_set_new(t, "components",
                                json_pack("[{s:s, s:o}]", "type", "body", "parameters", params));
        }
        json_object_set_new(o, "type", json_string("template"));
        json_object_set_new(o, "template", t);
    } else {
        json_object_set_new(o, "type", json_string("text"));
        json_object_set_new(o, "text", json_pack("{s:b, s:s}", "preview_url", 0, "body", v->body));
    }
    json_object_set_new(o, "biz_opaque_callback_data", json_string(v->idempotency_key));
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return text;
}

static void req_free(wa_req *r)
{
    if (!r)
        return;
    rg_provider_resp_free(&r->resp);
    curl_slist_free_all(r->hdrs);
    free(r->body);
    free(r);
}

static rg_status wa_prepare(void *state, const rg_outgoing *out, void **easy_out, void **req_out, rg_err *e)
{
    wa_state *s = state;
    *easy_out = *req_out = NULL;
    CURL *easy = NULL;
    rg_provider_vars v;
    rg_provider_vars_init(&v, out);
    wa_req *r = calloc(1, sizeof *r);
    if (!v.to_digits[0]) {
        req_free(r);
        rg_provider_vars_clear(&v);
        return rg_err_set(e, RG_EINVAL, s->name, "no WhatsApp number to send to");
    }
    if (!r || !(r->body = wa_body(s, &v)))
        goto oom;
    const char *lines[] = {s->auth, "Content-Type: application/json", "Expect:"};
    for (size_t i = 0; i < 3; i++) {
        struct curl_slist *n = curl_slist_append(r->hdrs, lines[i]);
        if (!n)
            goto oom;
        r->hdrs = n;
    }
    if (!(easy = curl_easy_init()))
        goto oom;
    rg_provider_easy_common(easy, s->timeout_ms, &r->resp);
    curl_easy_setopt(easy, CURLOPT_URL, s->url);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, r->hdrs);
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, r->body);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(r->body));
    rg_provider_vars_clear(&v);
    *easy_out = easy;
    *req_out = r;
    return RG_OK;
oom:
    rg_provider_vars_clear(&v);
    req_free(r);
    return rg_err_set(e, RG_ENOMEM, s->name, "out of memory");
}

static bool transient_code(int64_t code)
{
    static const int64_t codes[] = {1, 2, 4, 80007, 130429, 131000, 131016, 131056, 133004};
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
        if (codes[i] == code)
            return true;
    return false;
}

static void wa_complete(void *state, void *easy, void *req, int curl_code, long http_status, rg_send_result *res)
{
    (void)state;
    wa_req *r = req;
    rg_provider_outcome(easy, curl_code, http_status, &r->resp, res);
    json_t *root = curl_code == CURLE_OK ? json_loadb(rg_buf_cstr(&r->resp.body), r->resp.body.len, 0, NULL) : NULL;
    if (res->outcome == RG_SEND_OK) {
        json_t *id = rg_json_pointer(root, "/messages/0/id");
        if (json_is_string(id))
            rg_scrub_copy(res->provider_id, sizeof res->provider_id, json_string_value(id));
    } else if (json_is_integer(rg_json_pointer(root, "/error/code"))) {
        int64_t code = json_integer_value(rg_json_pointer(root, "/error/code"));
        const char *msg = json_string_value(rg_json_pointer(root, "/error/message"));
        const char *details = json_string_value(rg_json_pointer(root, "/error/error_data/details"));
        if (http_status >= 400 && http_status < 500 && http_status != 429)
            res->outcome = transient_code(code) ? RG_SEND_TRANSIENT : RG_SEND_PERMANENT;
        if (code == 131047)
            snprintf(res->error, sizeof res->error,
                     "WhatsApp error 131047: outside the customer's 24-hour service window (free text needs a"
                     " customer message in the last 24 hours; use an approved template)");
        else {
            /* composed whole, scrubbed, then cut: Meta's texts may quote our request */
            rg_buf b = RG_BUF_INIT;
            rg_buf_printf(&b, "WhatsApp error %lld (HTTP %ld): %s%s%s", (long long)code, http_status, msg ? msg : "",
                          details ? " — " : "", details ? details : "");
            rg_scrub_copy(res->error, sizeof res->error, b.oom ? "WhatsApp error (out of memory)" : rg_buf_cstr(&b));
            rg_buf_free(&b);
        }
    }
    json_decref(root);
    curl_easy_cleanup(easy);
    req_free(r);
}

static rg_status wa_send(void *state, const rg_outgoing *out, rg_send_result *res, rg_err *e)
{
    void *easy, *req;
    memset(res, 0, sizeof *res);
    rg_status rc = wa_prepare(state, out, &easy, &req, e);
    if (rc != RG_OK)
        return rc;
    CURLcode cc = curl_easy_perform(easy);
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    wa_complete(state, easy, req, (int)cc, status, res);
    if (res->outcome == RG_SEND_OK)
        return RG_OK;
    return rg_err_set(e, res->outcome == RG_SEND_TRANSIENT ? RG_ETRANSIENT : RG_EPERMANENT, ((wa_state *)state)->name,
                      "%s", res->error);
}

const rg_channel_driver rg_driver_whatsapp_cloud = {
    .name = "whatsapp_cloud",
    .inline_send = false,
    .open = wa_open,
    .send = wa_send,
    .prepare = wa_prepare,
    .complete = wa_complete,
    .close = wa_close,
};
