#include "service/bureau.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/holds.h"

void rg_bureau_sync_report_free(rg_bureau_sync_report *r)
{
    if (!r)
        return;
    free(r->items);
    memset(r, 0, sizeof *r);
}

void rg_bureau_idempotency_key(const rg_bureau_listing *l, bool removal, char *out, size_t n)
{
    snprintf(out, n, "regua-bureau-%s-%lld", removal ? "remove" : "list", (long long)l->id);
}

static json_t *instant_json(rg_instant t)
{
    char buf[32];
    return t == RG_INSTANT_NONE || t == 0 ? json_null() : json_string(rg_instant_format(t, buf, sizeof buf));
}

static json_t *date_json(rg_date d)
{
    char buf[16];
    return d == RG_DATE_NONE ? json_null() : json_string(rg_date_format_iso(d, buf, sizeof buf));
}

static json_t *money_json(rg_cents v)
{
    char buf[32];
    return json_string(rg_money_format_plain(v, buf, sizeof buf));
}

rg_status rg_bureau_request_json(const rg_bureau_listing *l, const rg_invoice *inv, const rg_customer *c,
                                 const rg_config *cfg, bool removal, rg_instant now, rg_buf *out, rg_err *e)
{
    char key[64];
    rg_bureau_idempotency_key(l, removal, key, sizeof key);
    const rg_address *a = &c->address;
    json_t *addr = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "street", a->street, "number", a->number,
                             "complement", a->complement, "district", a->district, "city", a->city, "state",
                             a->state, "zip", a->zip);
    json_t *debtor = json_pack("{s:s, s:s, s:s, s:s, s:o}", "external_id", c->external_id, "name", c->name,
                               "document", c->document, "kind", rg_customer_kind_name(c->kind), "address", addr);
    json_t *debt = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "invoice_external_id", inv->external_id,
                             "description", inv->description, "amount", money_json(inv->amount), "balance",
                             money_json(rg_invoice_balance(inv)), "issue_date", date_json(inv->issue_date),
                             "due_date", date_json(inv->due_date), "paid_on", date_json(inv->paid_on));
    json_t *creditor = json_pack("{s:s, s:s}", "name", cfg->company.name, "cnpj", cfg->company.cnpj);
    json_t *root = json_pack("{s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "type",
                             removal ? "removal.request" : "listing.request", "idempotency_key", key, "listing_id",
                             (json_int_t)l->id, "sent_at", instant_json(now), "creditor", creditor, "debtor", debtor,
                             "debt", debt, "notice_at", instant_json(l->notice_at), "requested_at",
                             instant_json(l->requested_at), "listed_at", instant_json(l->listed_at),
                             "removal_requested_at", instant_json(l->removal_requested_at), "provider_ref",
                             l->provider_ref[0] ? json_string(l->provider_ref) : json_null());
    char *text = root ? json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(root);
    if (!text)
        return rg_err_set(e, RG_EINVAL, "bureau", "cannot build the request for invoice %s (out of memory or text that is not UTF-8)",
                          inv->external_id);
    rg_buf_puts(out, text);
    free(text);
    if (out->oom)
        return rg_err_set(e, RG_ENOMEM, "bureau", "out of memory building the request");
    return RG_OK;
}

const rg_channel_config *rg_bureau_channel_config(const rg_config *cfg)
{
    for (size_t i = 0; i < cfg->n_channels; i++)
        if (!strcmp(cfg->channels[i].driver, "bureau"))
            return &cfg->channels[i];
    return NULL;
}

typedef struct collected {
    rg_bureau_listing *v;
    size_t n, cap;
} collected;

static rg_status collect(void *ctx, const rg_bureau_listing *l)
{
    collected *c = ctx;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 32;
        rg_bureau_listing *v = realloc(c->v, cap * sizeof *v);
        if (!v)
            return RG_ENOMEM;
        c->v = v;
        c->cap = cap;
    }
    c->v[c->n++] = *l;
    return RG_OK;
}

/* Whether a hold keeps a listing request of the invoice back: a dispute
 * (every step), or a hold on the bureau_listing step of the cadence the
 * invoice follows (a promise's `pause: [negativar]`); *why names it. */
static rg_status listing_held(rg_store *s, const rg_triggers *tr, const rg_invoice *inv, const rg_customer *cust,
                              rg_instant now, bool *held, char *why, size_t n, rg_err *e)
{
    rg_status rc = rg_holds_check(s, inv->id, NULL, held, why, n, e);
    if (rc != RG_OK || *held || !tr)
        return rc;
    const rg_cadence *c = NULL;
    if ((rc = rg_triggers_cadence_of(tr, s, inv, cust, now, &c, e)) != RG_OK)
        return rc;
    for (size_t i = 0; c && i < c->n_steps && !*held; i++)
        if (c->steps[i].action == RG_ACTION_BUREAU_LISTING)
            rc = rg_holds_check(s, inv->id, c->steps[i].id, held, why, n, e);
    return rc;
}

static rg_status sync_one(rg_store *s, const rg_config *cfg, const rg_triggers *tr, rg_channel *ch,
                          const rg_bureau_listing *l, rg_instant now, rg_bureau_sync_report *rep,
                          rg_bureau_sync_item *it, rg_err *e)
{
    rg_status rc;
    bool removal = !strcmp(l->status, "removal_requested");
    it->invoice_id = l->invoice_id;
    rg_strlcpy(it->action, removal ? "remove" : "list", sizeof it->action);
    rg_strlcpy(it->status, l->status, sizeof it->status);
    rg_invoice inv;
    rg_customer cust;
    if ((rc = rg_store_invoice_get_by_id(s, l->invoice_id, &inv, e)) != RG_OK ||
        (rc = rg_store_customer_get_by_id(s, inv.customer_id, &cust, e)) != RG_OK)
        return rc;
    rg_strlcpy(it->invoice_external_id, inv.external_id, sizeof it->invoice_external_id);
    if (!removal && inv.status != RG_INV_OPEN) {
        rg_strlcpy(it->result, "skipped", sizeof it->result);
        snprintf(it->detail, sizeof it->detail, "the invoice is %s: not listed", rg_invoice_status_name(inv.status));
        rep->skipped++;
        return RG_OK;
    }
    if (!removal) {
        /* a dispute open, or the listing step paused (a promise): no new listing
         * (one already made stays); the request waits */
        bool held = false;
        char why[160];
        if ((rc = listing_held(s, tr, &inv, &cust, now, &held, why, sizeof why, e)) != RG_OK)
            return rc;
        if (held) {
            rg_strlcpy(it->result, "skipped", sizeof it->result);
            snprintf(it->detail, sizeof it->detail, "%s: not sent while it holds", why);
            rep->skipped++;
            return RG_OK;
        }
    }
    rg_buf body = RG_BUF_INIT;
    if ((rc = rg_bureau_request_json(l, &inv, &cust, cfg, removal, now, &body, e)) != RG_OK) {
        rg_buf_free(&body);
        return rc;
    }
    rg_message m;
    memset(&m, 0, sizeof m);
    m.id = l->id;
    rg_bureau_idempotency_key(l, removal, m.idempotency_key, sizeof m.idempotency_key);
    m.customer_id = cust.id;
    m.invoice_id = inv.id;
    rg_strlcpy(m.channel, rg_channel_name(ch), sizeof m.channel);
    rg_strlcpy(m.source_kind, "manual", sizeof m.source_kind);
    rg_strlcpy(m.source_id, removal ? "bureau-removal" : "bureau-listing", sizeof m.source_id);
    m.payload = rg_buf_cstr(&body);
    m.planned_for = now;
    rg_outgoing og = {&m, &cust, "", inv.external_id};
    rg_send_result res;
    rg_err se;
    rg_err_clear(&se);
    rg_status sent = rg_channel_send(ch, &og, &res, &se);
    rg_buf_free(&body);
    if (sent == RG_OK && res.outcome == RG_SEND_OK) {
        bool changed = false;
        if ((rc = rg_store_bureau_accepted(s, l->invoice_id, removal, res.provider_id, now, &changed, e)) != RG_OK)
            return rc;
        rg_bureau_listing after;
        bool found;
        if ((rc = rg_store_bureau_get(s, l->invoice_id, &after, &found, e)) != RG_OK)
            return rc;
        rg_strlcpy(it->status, after.status, sizeof it->status);
        if (changed) {
            rg_strlcpy(it->result, removal ? "removed" : "listed", sizeof it->result);
            *(removal ? &rep->removed : &rep->listed) += 1;
        } else {
            /* listed at the bureau, but paid meanwhile: removal goes next */
            rg_strlcpy(it->result, "pending", sizeof it->result);
            snprintf(it->detail, sizeof it->detail, "accepted; the listing is now %s", after.status);
        }
        if (res.provider_id[0] && !it->detail[0])
            snprintf(it->detail, sizeof it->detail, "bureau reference %s", res.provider_id);
        return RG_OK;
    }
    const char *why = res.error[0] ? res.error : se.msg;
    snprintf(it->detail, sizeof it->detail, "%s (%s)", why,
             res.outcome == RG_SEND_PERMANENT ? "refused" : "will retry");
    rg_strlcpy(it->result, "failed", sizeof it->result);
    rep->failed++;
    return rg_store_bureau_failed(s, l->invoice_id, why, now, e);
}

int64_t rg_bureau_retry_seconds(int64_t attempts)
{
    int64_t w = 60;
    for (int64_t k = 1; k < attempts && w < 3600; k++)
        w *= 2;
    return w < 3600 ? w : 3600;
}

static rg_status sync(rg_store *s, const rg_config *cfg, const rg_triggers *tr, rg_channel *ch, rg_instant now,
                      bool due_only, rg_bureau_sync_report *out, rg_err *e);

rg_status rg_bureau_sync(rg_store *s, const rg_config *cfg, const rg_triggers *tr, rg_channel *ch, rg_instant now,
                         rg_bureau_sync_report *out, rg_err *e)
{
    return sync(s, cfg, tr, ch, now, false, out, e);
}

rg_status rg_bureau_sync_due(rg_store *s, const rg_config *cfg, const rg_triggers *tr, rg_channel *ch, rg_instant now,
                             rg_bureau_sync_report *out, rg_err *e)
{
    return sync(s, cfg, tr, ch, now, true, out, e);
}

static rg_status sync(rg_store *s, const rg_config *cfg, const rg_triggers *tr, rg_channel *ch, rg_instant now,
                      bool due_only, rg_bureau_sync_report *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    collected c = {NULL, 0, 0};
    rg_status rc = rg_store_bureau_pending_each(s, collect, &c, e);
    if (rc == RG_ENOMEM)
        rg_err_set(e, RG_ENOMEM, "bureau", "out of memory");
    if (rc != RG_OK)
        goto out;
    if (c.n && !(out->items = calloc(c.n, sizeof *out->items))) {
        rc = rg_err_set(e, RG_ENOMEM, "bureau", "out of memory");
        goto out;
    }
    for (size_t i = 0; i < c.n; i++) {
        const rg_bureau_listing *l = &c.v[i];
        /* a failure waits before it is tried again (the error is kept) */
        if (due_only && l->last_error[0] && l->attempts > 0 && l->last_attempt_at != RG_INSTANT_NONE &&
            now < l->last_attempt_at + rg_bureau_retry_seconds(l->attempts))
            continue;
        if ((rc = sync_one(s, cfg, tr, ch, l, now, out, &out->items[out->n], e)) != RG_OK)
            break;
        out->n++;
    }
out:
    free(c.v);
    return rc;
}
