/*
 * Provider webhooks: the WhatsApp Cloud API (verification handshake and
 * signed notifications) and SMS providers (signed with the channel's
 * webhook secret). Bodies are authenticated before they are parsed, parsed
 * whole before anything is stored, and stored in one transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "http/http_int.h"
#include "http/webhooks.h"
#include "service/inbound.h"

/* The longest hub.challenge echoed back. */
#define CHALLENGE_MAX 256

/* The value of the environment variable a channel setting names, or NULL
 * when the setting, the variable or its value is missing. */
static const char *channel_secret(const rg_channel_config *ch, const char *key)
{
    const char *env = rg_channel_setting(ch, key);
    const char *v = env && *env ? getenv(env) : NULL;
    return v && *v ? v : NULL;
}

static bool is_whatsapp(const rg_channel_config *ch)
{
    return !strcmp(ch->driver, "whatsapp_cloud");
}

enum MHD_Result rg_http_whatsapp_verify(rg_http_request *r)
{
    const char *mode = rg_http_query(r, "hub.mode");
    const char *token = rg_http_query(r, "hub.verify_token");
    const char *challenge = rg_http_query(r, "hub.challenge");
    if (!mode || strcmp(mode, "subscribe") != 0 || !token || !challenge)
        return rg_http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_request",
                                  "expected hub.mode=subscribe, hub.verify_token and hub.challenge");
    if (strlen(challenge) > CHALLENGE_MAX)
        return rg_http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_request", "hub.challenge is too long");
    const rg_config *cfg = r->srv->config;
    for (size_t i = 0; i < cfg->n_channels; i++) {
        const rg_channel_config *ch = &cfg->channels[i];
        if (is_whatsapp(ch) && rg_hook_secret_equal(token, channel_secret(ch, "verify_token_env")))
            return rg_http_send(r, MHD_HTTP_OK, "text/plain; charset=utf-8", challenge, strlen(challenge), NULL);
    }
    rg_warn("GET /hooks/whatsapp: the verify token does not match any whatsapp_cloud channel");
    return rg_http_send_error(r, MHD_HTTP_FORBIDDEN, "forbidden", "the verify token does not match");
}

/* Stores a parsed batch for a channel (one transaction, in the service). */
static rg_status apply_batch(rg_http_request *r, const char *channel, bool whatsapp, const rg_hook_batch *b,
                             rg_inbound_batch_result *c, rg_err *e)
{
    memset(c, 0, sizeof *c);
    rg_store *s = rg_http_store(r, e);
    if (!s)
        return e->code;
    rg_event_env env = *r->srv->events;
    env.store = s;
    rg_instant now = rg_http_now(r);
    rg_inbound_item *items = calloc(b->n ? b->n : 1, sizeof *items);
    if (!items)
        return rg_err_set(e, RG_ENOMEM, channel, "out of memory");
    for (size_t i = 0; i < b->n; i++) {
        const rg_hook_item *it = &b->v[i];
        items[i].is_reply = it->kind != RG_HOOK_STATUS;
        if (it->kind == RG_HOOK_STATUS)
            items[i].status = (rg_inbound_status){channel, it->provider_id, it->status, it->at,
                                                  it->reason[0] ? it->reason : NULL, it->key[0] ? it->key : NULL};
        else
            items[i].reply = (rg_inbound_reply){channel, whatsapp, it->from, it->type, it->text,
                                                it->provider_id[0] ? it->provider_id : NULL, it->at};
    }
    rg_status rc = rg_inbound_apply_batch(&env, r->srv->config, items, b->n, now, c, e);
    free(items);
    return rc;
}

static enum MHD_Result answer(rg_http_request *r, const char *what, const char *channel, rg_status rc,
                              const rg_hook_batch *b, const rg_inbound_batch_result *c, const rg_err *e)
{
    if (rc != RG_OK) {
        char where[160];
        snprintf(where, sizeof where, "%s (%s)", what, channel);
        /* the provider retries a 5xx later (503 busy with Retry-After); the transaction was rolled back */
        return rg_http_send_store_error(r, where, rc, e, "could not store the notification");
    }
    return rg_http_send_json(r, MHD_HTTP_OK,
                             json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:i}", "channel", channel, "statuses",
                                       c->statuses, "duplicates", c->duplicates, "unknown", c->unknown, "replies",
                                       c->replies, "optouts", c->optouts, "ignored", (int)b->ignored));
}

static enum MHD_Result bad_body(rg_http_request *r, const char *what, rg_status rc, const rg_err *e)
{
    char text[700];
    rg_err_text(e, text, sizeof text);
    if (rc == RG_ENOMEM)
        return rg_http_send_error(r, (unsigned)rg_status_http(rc), "internal", "out of memory");
    /* a payload the parser cannot read is malformed (400), as the API's malformed JSON */
    rg_info("%s: refused a body: %s", what, text);
    return rg_http_send_error(r, MHD_HTTP_BAD_REQUEST, "bad_request", text);
}

enum MHD_Result rg_http_whatsapp_hook(rg_http_request *r)
{
    const rg_config *cfg = r->srv->config;
    const char *sig = rg_http_header(r, "X-Hub-Signature-256");
    const rg_channel_config *ch = NULL;
    bool any_secret = false;
    for (size_t i = 0; i < cfg->n_channels && !ch; i++) {
        const rg_channel_config *c = &cfg->channels[i];
        const char *secret = is_whatsapp(c) ? channel_secret(c, "app_secret_env") : NULL;
        any_secret |= secret != NULL;
        if (secret && rg_hook_signature_ok(secret, sig, r->body, r->body_len))
            ch = &cfg->channels[i];
    }
    if (!any_secret) {
        rg_warn("POST /hooks/whatsapp: refused: no whatsapp_cloud channel has an app secret (app_secret_env)");
        return rg_http_send_error(r, MHD_HTTP_FORBIDDEN, "forbidden", "no WhatsApp app secret is configured");
    }
    if (!ch) {
        rg_warn("POST /hooks/whatsapp: refused: %s X-Hub-Signature-256", sig ? "wrong" : "missing");
        return rg_http_send_error(r, MHD_HTTP_FORBIDDEN, "forbidden",
                                  sig ? "X-Hub-Signature-256 does not match the body"
                                      : "X-Hub-Signature-256 is missing");
    }
    rg_hook_batch b;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_hook_parse_whatsapp(r->body, r->body_len, &b, &e);
    if (rc != RG_OK)
        return bad_body(r, "POST /hooks/whatsapp", rc, &e);
    rg_inbound_batch_result c;
    rc = apply_batch(r, ch->name, true, &b, &c, &e);
    enum MHD_Result ret = answer(r, "POST /hooks/whatsapp", ch->name, rc, &b, &c, &e);
    rg_hook_batch_free(&b);
    return ret;
}

enum MHD_Result rg_http_sms_hook(rg_http_request *r)
{
    char name[RG_CHANNEL_MAX + 1];
    const rg_channel_config *ch = NULL;
    if (r->params[0].n < sizeof name) {
        memcpy(name, r->params[0].p, r->params[0].n);
        name[r->params[0].n] = '\0';
        ch = rg_config_channel(r->srv->config, name);
    }
    if (!ch)
        return rg_http_send_error(r, MHD_HTTP_NOT_FOUND, "not_found", "no channel with this name is configured");
    const char *secret = channel_secret(ch, "webhook_secret_env");
    if (!secret) {
        rg_warn("POST /hooks/sms/%s: refused: the channel has no webhook secret (webhook_secret_env)", ch->name);
        return rg_http_send_error(r, MHD_HTTP_FORBIDDEN, "forbidden",
                                  "this channel has no webhook secret (webhook_secret_env)");
    }
    const char *sig = rg_http_header(r, "X-Regua-Signature");
    if (!rg_hook_signature_ok(secret, sig, r->body, r->body_len)) {
        rg_warn("POST /hooks/sms/%s: refused: %s X-Regua-Signature", ch->name, sig ? "wrong" : "missing");
        return rg_http_send_error(r, MHD_HTTP_FORBIDDEN, "forbidden",
                                  sig ? "X-Regua-Signature does not match the body" : "X-Regua-Signature is missing");
    }
    rg_hook_batch b;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_hook_parse_sms(rg_http_header(r, "Content-Type"), r->body, r->body_len, &b, &e);
    if (rc != RG_OK)
        return bad_body(r, "POST /hooks/sms", rc, &e);
    rg_inbound_batch_result c;
    rc = apply_batch(r, ch->name, false, &b, &c, &e);
    enum MHD_Result ret = answer(r, "POST /hooks/sms", ch->name, rc, &b, &c, &e);
    rg_hook_batch_free(&b);
    return ret;
}
