#include "channel/channel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "channel/scrub.h"

extern const rg_channel_driver rg_driver_log;
extern const rg_channel_driver rg_driver_letter;
extern const rg_channel_driver rg_driver_bureau;
extern const rg_channel_driver rg_driver_task;
extern const rg_channel_driver rg_driver_http;
extern const rg_channel_driver rg_driver_whatsapp_cloud;
extern const rg_channel_driver rg_driver_smtp;

static const rg_channel_driver *const drivers[] = {
    &rg_driver_log,  &rg_driver_letter,           &rg_driver_bureau, &rg_driver_task,
    &rg_driver_http, &rg_driver_whatsapp_cloud, &rg_driver_smtp,
};

struct rg_channel {
    const rg_channel_driver *driver;
    const rg_channel_config *config;
    void *state;
    char name[24];
};

const rg_channel_driver *rg_channel_driver_find(const char *name)
{
    for (size_t i = 0; i < sizeof drivers / sizeof *drivers; i++)
        if (!strcmp(drivers[i]->name, name))
            return drivers[i];
    return NULL;
}

rg_status rg_channel_open(const rg_channel_config *cfg, const rg_channel_env *env, rg_channel **out, rg_err *e)
{
    *out = NULL;
    const rg_channel_driver *d = rg_channel_driver_find(cfg->driver);
    if (!d) {
        char names[160] = "";
        for (size_t i = 0; i < sizeof drivers / sizeof *drivers; i++) {
            size_t l = strlen(names);
            snprintf(names + l, sizeof names - l, "%s%s", i ? ", " : "", drivers[i]->name);
        }
        return rg_err_set(e, RG_EUSAGE, cfg->name, "the '%s' driver is not available in this build yet (available: %s)",
                          cfg->driver, names);
    }
    /* whatever this channel's provider echoes, its secrets never reach a text */
    rg_scrub_register_channel(cfg);
    if (env && env->token_secret)
        rg_scrub_register(env->token_secret);
    rg_channel *ch = calloc(1, sizeof *ch);
    if (!ch)
        return rg_err_set(e, RG_ENOMEM, cfg->name, "out of memory");
    ch->driver = d;
    ch->config = cfg;
    rg_strlcpy(ch->name, cfg->name, sizeof ch->name);
    rg_status rc = d->open(cfg, env, &ch->state, e);
    if (rc != RG_OK) {
        free(ch);
        rg_err_prefix(e, cfg->name);
        return rc;
    }
    *out = ch;
    return RG_OK;
}

void rg_channel_close(rg_channel *ch)
{
    if (!ch)
        return;
    ch->driver->close(ch->state);
    free(ch);
}

const char *rg_channel_name(const rg_channel *ch)
{
    return ch->name;
}

const rg_channel_config *rg_channel_config_of(const rg_channel *ch)
{
    return ch->config;
}

const rg_channel_driver *rg_channel_driver_of(const rg_channel *ch)
{
    return ch->driver;
}

void *rg_channel_state(rg_channel *ch)
{
    return ch->state;
}

bool rg_channel_is_inline(const rg_channel *ch)
{
    return ch->driver->inline_send;
}

rg_status rg_channel_flush(rg_channel *ch, rg_err *e)
{
    return ch->driver->flush ? ch->driver->flush(ch->state, e) : RG_OK;
}

bool rg_channel_takes_key(const rg_channel *ch)
{
    if (ch->driver->inline_send)
        return true;
    if (!strcmp(ch->driver->name, "http")) {
        const char *h = rg_channel_setting(ch->config, "idempotency_header");
        return !h || (*h && strcmp(h, "none") != 0);
    }
    return false;
}

bool rg_channel_resends_uncertain(const rg_channel *ch)
{
    const char *v = rg_channel_setting(ch->config, "on_uncertain");
    if (v && *v)
        return !strcmp(v, "resend");
    return !strcmp(ch->driver->name, "smtp") || rg_channel_takes_key(ch);
}

bool rg_channel_can_lookup(const rg_channel *ch)
{
    if (!ch->driver->lookup)
        return false;
    const char *u = rg_channel_setting(ch->config, "lookup_url");
    return u && *u;
}

rg_status rg_channel_lookup(rg_channel *ch, const rg_outgoing *out, bool *found, char *provider_id, size_t n,
                            rg_err *e)
{
    *found = false;
    if (n)
        provider_id[0] = '\0';
    if (!rg_channel_can_lookup(ch))
        return rg_err_set(e, RG_EINTERNAL, ch->name, "the channel has no lookup");
    return ch->driver->lookup(ch->state, out, found, provider_id, n, e);
}

rg_status rg_channel_send(rg_channel *ch, const rg_outgoing *out, rg_send_result *res, rg_err *e)
{
    memset(res, 0, sizeof *res);
    if (!ch->driver->send)
        return rg_err_set(e, RG_EINTERNAL, ch->name, "the %s driver has no blocking send", ch->driver->name);
    return ch->driver->send(ch->state, out, res, e);
}

const char *rg_channel_address(const char *channel, const rg_customer *c, char *buf, size_t n)
{
    buf[0] = '\0';
    if (!strcmp(channel, "email"))
        rg_strlcpy(buf, c->email, n);
    else if (!strcmp(channel, "whatsapp"))
        rg_strlcpy(buf, c->whatsapp, n);
    else if (!strcmp(channel, "sms") || !strcmp(channel, "voice"))
        rg_strlcpy(buf, c->phone[0] ? c->phone : c->whatsapp, n);
    else if (!strcmp(channel, "letter")) {
        if (c->address.street[0] && c->address.city[0] && c->address.state[0] && c->address.zip[0])
            snprintf(buf, n, "%s, %s%s%s - %s, %s/%s, CEP %.5s-%.3s", c->address.street, c->address.number,
                     c->address.complement[0] ? " " : "", c->address.complement, c->address.district,
                     c->address.city, c->address.state, c->address.zip, c->address.zip + 5);
    } else if (!strcmp(channel, "task") || !strcmp(channel, "log"))
        rg_strlcpy(buf, c->external_id, n);
    return buf;
}
