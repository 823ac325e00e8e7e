/*
 * channels — the dashboard's Canais (service/channels.h).
 */
#include "service/channels.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "br/phone.h"

typedef enum address_kind { ADDR_EMAIL, ADDR_PHONE, ADDR_ANY } address_kind;

/* What a channel's address is: an e-mail for smtp and a channel called
 * email; a phone for http and whatsapp_cloud and the channels called
 * whatsapp, sms or voice (as rg_channel_address reads a customer's); any
 * text otherwise (the log driver under another name). */
static address_kind address_of(const rg_channel_config *cc)
{
    if (!strcmp(cc->driver, "smtp") || !strcmp(cc->name, "email"))
        return ADDR_EMAIL;
    if (!strcmp(cc->driver, "http") || !strcmp(cc->driver, "whatsapp_cloud") || !strcmp(cc->name, "whatsapp") ||
        !strcmp(cc->name, "sms") || !strcmp(cc->name, "voice"))
        return ADDR_PHONE;
    return ADDR_ANY;
}

const char *rg_channel_test_address(const rg_config *cfg, const char *name)
{
    const rg_channel_config *cc = rg_config_channel(cfg, name);
    if (!cc)
        return "any";
    address_kind k = address_of(cc);
    return k == ADDR_EMAIL ? "email" : k == ADDR_PHONE ? "phone" : "any";
}

static bool testable(const char *driver)
{
    return !strcmp(driver, "smtp") || !strcmp(driver, "http") || !strcmp(driver, "whatsapp_cloud") ||
           !strcmp(driver, "log");
}

typedef struct collect {
    rg_channel_status *v;
    size_t n, cap;
    const rg_config *cfg;
} collect;

static rg_channel_status *add(collect *c, const char *name)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        rg_channel_status *v = realloc(c->v, cap * sizeof *v);
        if (!v)
            return NULL;
        c->v = v;
        c->cap = cap;
    }
    rg_channel_status *st = &c->v[c->n++];
    memset(st, 0, sizeof *st);
    rg_strlcpy(st->stats.channel, name, sizeof st->stats.channel);
    st->stats.last_sent = st->stats.last_failed = RG_INSTANT_NONE;
    return st;
}

static rg_status stats_row(void *p, const rg_channel_stats *cs)
{
    collect *c = p;
    rg_channel_status *st = NULL;
    for (size_t i = 0; i < c->n && !st; i++)
        if (!strcmp(c->v[i].stats.channel, cs->channel))
            st = &c->v[i];
    if (!st && !(st = add(c, cs->channel)))
        return RG_ENOMEM;
    st->stats = *cs;
    for (int k = 0; k < RG_MSG_STATUS_COUNT; k++)
        st->total += cs->by_status[k];
    return RG_OK;
}

static int unconfigured_by_name(const void *a, const void *b)
{
    return strcmp(((const rg_channel_status *)a)->stats.channel, ((const rg_channel_status *)b)->stats.channel);
}

rg_status rg_channels_status(rg_store *s, const rg_config *cfg, rg_channel_status **out, size_t *n, rg_err *e)
{
    *out = NULL;
    *n = 0;
    collect c = {NULL, 0, 0, cfg};
    for (size_t i = 0; i < cfg->n_channels; i++) {
        rg_channel_status *st = add(&c, cfg->channels[i].name);
        if (!st) {
            free(c.v);
            return rg_err_set(e, RG_ENOMEM, "channels", "out of memory");
        }
        st->configured = true;
        rg_strlcpy(st->driver, cfg->channels[i].driver, sizeof st->driver);
        st->cost_per_message = rg_config_channel_cost(cfg, cfg->channels[i].name);
        st->can_test = testable(st->driver);
    }
    size_t configured = c.n;
    rg_status rc = rg_store_begin_read(s, e);
    if (rc == RG_OK) {
        rc = rg_store_channel_stats(s, stats_row, &c, e);
        rg_store_rollback(s);
        if (rc == RG_ENOMEM)
            rg_err_set(e, RG_ENOMEM, "channels", "out of memory");
    }
    if (rc != RG_OK) {
        free(c.v);
        return rc;
    }
    if (c.n > configured)
        qsort(c.v + configured, c.n - configured, sizeof *c.v, unconfigured_by_name);
    *out = c.v;
    *n = c.n;
    return RG_OK;
}

rg_status rg_channel_test_send(const rg_config *cfg, rg_store *s, const char *name, const char *to, rg_instant now,
                               rg_channel_test *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    const rg_channel_config *cc = name ? rg_config_channel(cfg, name) : NULL;
    if (!cc)
        return rg_err_set(e, RG_ENOTFOUND, "canal", "there is no channel '%s' in the configuration", name ? name : "");
    if (!testable(cc->driver))
        return rg_err_set(e, RG_EINVAL, "canal", "the %s driver (channel %s) cannot send a test: only smtp, http, "
                          "whatsapp_cloud and log channels can", cc->driver, cc->name);
    const char *why = NULL;
    if (!to || !*to)
        return rg_err_set(e, RG_EINVAL, "destino", "say where to send the test");
    address_kind kind = address_of(cc);
    if (kind == ADDR_EMAIL) {
        if (!rg_email_valid(to, strlen(to), &why))
            return rg_err_set(e, RG_EINVAL, "destino", "'%s' is not an e-mail address: %s", to, why);
        rg_strlcpy(out->to, to, sizeof out->to);
    } else if (kind == ADDR_ANY) {
        if (strlen(to) >= sizeof out->to)
            return rg_err_set(e, RG_EINVAL, "destino", "the address is longer than %zu bytes", sizeof out->to - 1);
        rg_strlcpy(out->to, to, sizeof out->to);
    } else if (!rg_phone_normalize(to, strlen(to), out->to, sizeof out->to, &why))
        return rg_err_set(e, RG_EINVAL, "destino", "'%s' is not a phone number: %s", to, why);

    unsigned char raw[8];
    char hex[17];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    rg_message m;
    memset(&m, 0, sizeof m);
    snprintf(m.idempotency_key, sizeof m.idempotency_key, "teste-%s", hex);
    rg_strlcpy(m.channel, cc->name, sizeof m.channel);
    rg_strlcpy(m.source_kind, "manual", sizeof m.source_kind);
    rg_strlcpy(m.source_id, "teste", sizeof m.source_id);
    m.subject = "Teste de envio da régua";
    char body[512];
    snprintf(body, sizeof body,
             "Mensagem de teste do canal %s, enviada pelo painel da régua de cobrança de %s. Pode ignorar.",
             cc->name, cfg->company.name[0] ? cfg->company.name : "sua empresa");
    m.body = body;
    m.html = "";
    m.payload = "{}";
    m.status = RG_MSG_SENDING;
    m.planned_for = m.created_at = m.updated_at = now;
    rg_customer c;
    memset(&c, 0, sizeof c);
    rg_strlcpy(c.external_id, "teste", sizeof c.external_id);
    rg_strlcpy(c.name, "Teste", sizeof c.name);
    rg_outgoing o = {&m, &c, out->to, ""};
    rg_channel_env env = {cfg, NULL, s};
    rg_channel *ch = NULL;
    rg_status rc = rg_channel_open(cc, &env, &ch, e);
    if (rc != RG_OK)
        return rc;
    rg_err se;
    rg_err_clear(&se);
    rc = rg_channel_send(ch, &o, &out->result, &se);
    if (rc == RG_OK && out->result.outcome == RG_SEND_OK)
        rc = rg_channel_flush(ch, &se);
    rg_channel_close(ch);
    if (rc != RG_OK && rc != RG_EPERMANENT && rc != RG_ETRANSIENT && rc != RG_EIO) {
        *e = se;
        return rc;
    }
    if (rc != RG_OK && !out->result.error[0])
        rg_strlcpy(out->result.error, se.msg, sizeof out->result.error);
    out->sent = rc == RG_OK && out->result.outcome == RG_SEND_OK;
    return RG_OK;
}
