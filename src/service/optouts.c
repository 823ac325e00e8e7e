#include "service/optouts.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static rg_status check_name(const char *v, size_t max, const char *extra, const char *where, const char *what,
                            rg_err *e)
{
    if (!v || !v[0])
        return rg_err_set(e, RG_EINVAL, where, "say the %s", what);
    size_t n = strlen(v);
    if (n > max)
        return rg_err_set(e, RG_EINVAL, where, "longer than %zu characters (%zu)", max, n);
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || (c && strchr(extra, c))))
            return rg_err_set(e, RG_EINVAL, where,
                              "'%s' is not a %s name: use lowercase letters, digits, '_' and '-'%s", v, what,
                              extra[0] ? " (and '.', ':')" : "");
    }
    return RG_OK;
}

rg_status rg_optout_check_channel(const char *channel, const char *where, rg_err *e)
{
    return check_name(channel, RG_CHANNEL_MAX, "", where, "channel", e);
}

rg_status rg_optout_check_source(const char *source, const char *where, rg_err *e)
{
    return check_name(source, sizeof ((rg_optout_row *)0)->how - 1, ".:", where, "source", e);
}

rg_status rg_optout_apply(rg_store *s, int64_t customer_id, const char *channel, const char *how, rg_instant at,
                          bool *was, rg_err *e)
{
    rg_status rc = rg_store_optout_get(s, customer_id, channel, was, e);
    if (rc != RG_OK || *was)
        return rc;
    /* the customer's messages now go elsewhere, or nowhere: re-plan its invoices */
    if ((rc = rg_store_optout_set(s, customer_id, channel, how, at, e)) != RG_OK)
        return rc;
    return rg_store_customer_wake(s, customer_id, RG_WAKE_NOW, e);
}

typedef struct find_ctx {
    const char *channel;
    rg_optout_row *row;
    bool found;
} find_ctx;

static rg_status find_one(void *p, const rg_optout_row *o)
{
    find_ctx *f = p;
    if (!strcmp(o->channel, f->channel)) {
        *f->row = *o;
        f->found = true;
    }
    return RG_OK;
}

/* The customer's opt-out of channel into *row; *found false when none. */
static rg_status read_one(rg_store *s, int64_t customer_id, const char *channel, rg_optout_row *row, bool *found,
                          rg_err *e)
{
    rg_optout_filter f = {customer_id, channel, 0, 0};
    find_ctx fc = {channel, row, false};
    rg_status rc = rg_store_optout_list(s, &f, find_one, &fc, e);
    *found = fc.found;
    return rc;
}

static rg_status record(const rg_event_env *env, rg_event_type type, int64_t customer_id, rg_instant at,
                        const char *source, json_t *pl, int64_t *event_id, rg_err *e)
{
    char *payload = pl ? json_dumps(pl, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(pl);
    if (!payload)
        return rg_err_set(e, RG_ENOMEM, "optout", "out of memory");
    rg_event_in ev = {type, at, source, customer_id, 0, 0, payload};
    rg_event_out eo;
    rg_status rc = rg_event_record(env, &ev, &eo, e);
    free(payload);
    *event_id = eo.event_id;
    return rc;
}

static rg_status add_in(const rg_event_env *env, const char *customer, const char *channel, const char *source,
                        rg_instant at, rg_optout_result *out, rg_err *e)
{
    rg_store *s = env->store;
    rg_customer c;
    rg_status rc = rg_store_customer_get(s, customer, &c, e);
    bool was = false, found = false;
    if (rc == RG_OK)
        rc = rg_optout_apply(s, c.id, channel, source, at, &was, e);
    if (rc == RG_OK && !was)
        rc = record(env, RG_EV_OPTOUT, c.id, at, source,
                    json_pack("{s:s, s:s}", "channel", channel, "how", source), &out->event_id, e);
    if (rc == RG_OK)
        rc = read_one(s, c.id, channel, &out->optout, &found, e);
    if (rc == RG_OK && !found)
        rc = rg_err_set(e, RG_EINTERNAL, "optout", "the opt-out of %s from %s was not found after recording it",
                        customer, channel);
    out->opted_out = true;
    out->changed = !was;
    return rc;
}

static rg_status remove_in(const rg_event_env *env, const char *customer, const char *channel, const char *source,
                           rg_instant at, rg_optout_result *out, rg_err *e)
{
    rg_store *s = env->store;
    rg_customer c;
    rg_status rc = rg_store_customer_get(s, customer, &c, e);
    bool found = false, removed = false;
    if (rc == RG_OK)
        rc = read_one(s, c.id, channel, &out->optout, &found, e);
    if (rc != RG_OK)
        return rc;
    if (!found)
        return rg_err_set(e, RG_ENOTFOUND, "channel", "customer %s has not opted out of %s", customer, channel);
    if ((rc = rg_store_optout_remove(s, c.id, channel, &removed, e)) != RG_OK ||
        /* the channel opens again: re-plan its invoices */
        (rc = rg_store_customer_wake(s, c.id, RG_WAKE_NOW, e)) != RG_OK)
        return rc;
    out->changed = removed;
    return record(env, RG_EV_OPTOUT_REVOKED, c.id, at, source,
                  json_pack("{s:s, s:s, s:s}", "channel", channel, "how", out->optout.how, "by", source),
                  &out->event_id, e);
}

typedef rg_status (*op_fn)(const rg_event_env *env, const char *customer, const char *channel, const char *source,
                           rg_instant at, rg_optout_result *out, rg_err *e);

static rg_status in_tx(op_fn fn, const rg_event_env *env, const char *customer, const char *channel,
                       const char *source, rg_instant at, rg_optout_result *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    rg_status rc = rg_optout_check_channel(channel, "channel", e);
    if (rc == RG_OK)
        rc = rg_optout_check_source(source, "source", e);
    if (rc == RG_OK && (!customer || !customer[0]))
        rc = rg_err_set(e, RG_EINVAL, "customer", "name the customer by its external id");
    if (rc == RG_OK)
        rc = rg_store_begin(env->store, e);
    if (rc != RG_OK)
        return rc;
    rc = fn(env, customer, channel, source, at, out, e);
    return rg_store_end(env->store, rc, e);
}

rg_status rg_optout_add(const rg_event_env *env, const char *customer, const char *channel, const char *source,
                        rg_instant at, rg_optout_result *out, rg_err *e)
{
    return in_tx(add_in, env, customer, channel, source, at, out, e);
}

rg_status rg_optout_remove(const rg_event_env *env, const char *customer, const char *channel, const char *source,
                           rg_instant at, rg_optout_result *out, rg_err *e)
{
    return in_tx(remove_in, env, customer, channel, source, at, out, e);
}

rg_status rg_optout_list(rg_store *s, const char *customer, const char *channel, int64_t after_customer_id,
                         int64_t limit, rg_optout_row_fn fn, void *ctx, rg_err *e)
{
    rg_optout_filter f = {0, channel, after_customer_id, limit};
    rg_status rc;
    if (channel && (rc = rg_optout_check_channel(channel, "channel", e)) != RG_OK)
        return rc;
    if (customer) {
        rg_customer c;
        if ((rc = rg_store_customer_get(s, customer, &c, e)) != RG_OK)
            return rc;
        f.customer_id = c.id;
    }
    return rg_store_optout_list(s, &f, fn, ctx, e);
}
