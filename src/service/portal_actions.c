#include "service/portal_actions.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/utf8.h"
#include "br/boleto.h"
#include "br/pix.h"
#include "service/holds.h"

/* The customer's invoice named `invoice` into *inv; RG_ENOTFOUND (where
 * "invoice") when there is none or it is another customer's. */
static rg_status own_invoice(rg_store *s, int64_t customer_id, const char *invoice, rg_invoice *inv, rg_err *e)
{
    if (!invoice || !invoice[0])
        return rg_err_set(e, RG_EINVAL, "invoice", "name the invoice");
    rg_status rc = rg_store_invoice_get(s, invoice, inv, e);
    if (rc == RG_ENOTFOUND || (rc == RG_OK && inv->customer_id != customer_id))
        return rg_err_set(e, RG_ENOTFOUND, "invoice", "the customer has no invoice %s", invoice);
    return rc;
}

static rg_status must_be_open(const rg_invoice *inv, rg_err *e)
{
    char where[96];
    snprintf(where, sizeof where, "invoice %s", inv->external_id);
    if (inv->status != RG_INV_OPEN)
        return rg_err_set(e, RG_ECONFLICT, where, "is %s", rg_invoice_status_name(inv->status));
    return RG_OK;
}

/* The customer's local date at `now`. */
static rg_status customer_today(const rg_event_env *env, int64_t customer_id, rg_instant now, rg_customer *c,
                                rg_date *today, rg_err *e)
{
    rg_status rc = rg_store_customer_get_by_id(env->store, customer_id, c, e);
    if (rc == RG_OK)
        *today = rg_tz_date(rg_zones_for(env->zones, c->timezone), now);
    return rc;
}

static rg_status record(const rg_event_env *env, rg_event_type type, int64_t customer_id, int64_t invoice_id,
                        rg_instant at, json_t *pl, int64_t *event_id, rg_err *e)
{
    char *payload = pl ? json_dumps(pl, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(pl);
    if (!payload)
        return rg_err_set(e, RG_ENOMEM, "portal", "out of memory");
    rg_event_in ev = {type, at, "portal", customer_id, invoice_id, 0, payload};
    rg_event_out eo;
    memset(&eo, 0, sizeof eo);
    rg_status rc = rg_event_record(env, &ev, &eo, e);
    free(payload);
    *event_id = eo.event_id;
    return rc;
}

/* ---- Prometer pagamento ---- */

/* The earliest promised date among pending promises (*(rg_date *)p). */
static rg_status earliest_pending(void *p, const rg_promise *pr)
{
    rg_date *d = p;
    if (*d == RG_DATE_NONE || pr->promised_date < *d)
        *d = pr->promised_date;
    return RG_OK;
}

rg_status rg_portal_promise(const rg_event_env *env, int64_t customer_id, const char *invoice, rg_date date,
                            int64_t max_days, rg_instant now, rg_promise *out, rg_event_out *event, rg_err *e)
{
    rg_store *s = env->store;
    memset(out, 0, sizeof *out);
    if (event)
        memset(event, 0, sizeof *event);
    if (max_days < 1 || max_days > RG_PROMISE_MAX_DAYS)
        return rg_err_set(e, RG_EINVAL, "portal.promise_max_days", "%lld is not between 1 and %d", (long long)max_days,
                          RG_PROMISE_MAX_DAYS);
    if (date == RG_DATE_NONE)
        return rg_err_set(e, RG_EINVAL, "date", "say the date (AAAA-MM-DD)");
    rg_status rc = rg_store_begin(s, e);
    if (rc != RG_OK)
        return rc;
    rg_customer c;
    rg_invoice inv;
    rg_date today = RG_DATE_NONE;
    char d1[16], d2[16];
    if ((rc = customer_today(env, customer_id, now, &c, &today, e)) == RG_OK &&
        (rc = own_invoice(s, customer_id, invoice, &inv, e)) == RG_OK && (rc = must_be_open(&inv, e)) == RG_OK) {
        if (date < today)
            rc = rg_err_set(e, RG_EINVAL, "date", "%s is in the past (today is %s)",
                            rg_date_format_iso(date, d1, sizeof d1), rg_date_format_iso(today, d2, sizeof d2));
        else if (date > today + max_days)
            rc = rg_err_set(e, RG_EINVAL, "date", "%s is more than %lld days ahead (latest %s)",
                            rg_date_format_iso(date, d1, sizeof d1), (long long)max_days,
                            rg_date_format_iso(today + max_days, d2, sizeof d2));
    }
    rg_date pending = RG_DATE_NONE;
    if (rc == RG_OK && (rc = rg_store_promise_each_pending(s, inv.id, earliest_pending, &pending, e)) == RG_OK &&
        pending != RG_DATE_NONE)
        rc = rg_err_set(e, RG_ECONFLICT, "promise", "invoice %s has a pending promise for %s: one at a time",
                        inv.external_id, rg_date_format_iso(pending, d1, sizeof d1));
    if (rc == RG_OK) {
        rg_promise_params p = {customer_id, inv.id, date, -1, "portal", "portal", now, 0, NULL};
        rc = rg_promise_make(env, &p, today, out, event, e);
    }
    return rg_store_end(s, rc, e);
}

/* ---- Aceitar oferta ---- */

typedef struct accepted_ctx {
    int64_t offer_id;
    int64_t event_id; /* the first offer.accepted of that offer; 0: none */
} accepted_ctx;

static rg_status find_accepted(void *p, const rg_event *ev)
{
    accepted_ctx *a = p;
    if (a->event_id || strcmp(ev->type, rg_event_type_name(RG_EV_OFFER_ACCEPTED)) != 0 || !ev->payload)
        return RG_OK;
    json_t *doc = json_loads(ev->payload, 0, NULL);
    json_t *id = json_object_get(doc, "offer_id");
    if (json_is_integer(id) && json_integer_value(id) == a->offer_id)
        a->event_id = ev->id;
    json_decref(doc);
    return RG_OK;
}

static rg_status offer_in(const rg_event_env *env, int64_t customer_id, const char *invoice, rg_instant now,
                          rg_portal_offer_result *out, rg_err *e)
{
    rg_store *s = env->store;
    rg_invoice inv;
    bool found = false;
    rg_status rc;
    if ((rc = own_invoice(s, customer_id, invoice, &inv, e)) != RG_OK)
        return rc;
    if (inv.status != RG_INV_OPEN)
        return rg_err_set(e, RG_ECONFLICT, "offer", "invoice %s is %s: there is no offer to accept", inv.external_id,
                          rg_invoice_status_name(inv.status));
    if ((rc = rg_store_offer_current(s, inv.id, now, &out->offer, &found, e)) != RG_OK)
        return rc;
    if (!found)
        return rg_err_set(e, RG_ECONFLICT, "offer", "invoice %s has no valid offer", inv.external_id);
    accepted_ctx a = {out->offer.id, 0};
    if ((rc = rg_store_event_each_for_invoice(s, inv.id, find_accepted, &a, e)) != RG_OK)
        return rc;
    if (a.event_id) {
        out->event_id = a.event_id;
        return RG_OK;
    }
    char until[40];
    out->changed = true;
    return record(env, RG_EV_OFFER_ACCEPTED, customer_id, inv.id, now,
                  json_pack("{s:I, s:s}", "offer_id", (json_int_t)out->offer.id, "valid_until",
                            rg_instant_format(out->offer.valid_until, until, sizeof until)),
                  &out->event_id, e);
}

rg_status rg_portal_invoice_state_get(rg_store *s, const rg_invoice *inv, rg_instant now,
                                     rg_portal_invoice_state *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    out->promised = RG_DATE_NONE;
    rg_offer offer;
    bool found = false;
    rg_status rc = rg_store_promise_each_pending(s, inv->id, earliest_pending, &out->promised, e);
    if (rc == RG_OK)
        rc = rg_store_offer_current(s, inv->id, now, &offer, &found, e);
    if (rc == RG_OK && found) {
        accepted_ctx a = {offer.id, 0};
        rc = rg_store_event_each_for_invoice(s, inv->id, find_accepted, &a, e);
        out->offer_accepted = a.event_id != 0;
    }
    return rc;
}

rg_status rg_portal_offer_accept(const rg_event_env *env, int64_t customer_id, const char *invoice, rg_instant now,
                                 rg_portal_offer_result *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    rg_status rc = rg_store_begin(env->store, e);
    if (rc != RG_OK)
        return rc;
    rc = offer_in(env, customer_id, invoice, now, out, e);
    return rg_store_end(env->store, rc, e);
}

/* ---- Contestar cobrança ---- */

static rg_status check_reason(const char *reason, rg_err *e)
{
    if (!reason)
        return rg_err_set(e, RG_EINVAL, "reason", "say why the invoice is contested");
    size_t n = strlen(reason);
    bool text = false;
    for (size_t i = 0; i < n; i++)
        if (reason[i] != ' ' && reason[i] != '\n' && reason[i] != '\r' && reason[i] != '\t')
            text = true;
    if (!text)
        return rg_err_set(e, RG_EINVAL, "reason", "say why the invoice is contested");
    if (n > RG_PORTAL_REASON_MAX)
        return rg_err_set(e, RG_EINVAL, "reason", "longer than %d bytes (%zu)", RG_PORTAL_REASON_MAX, n);
    if (!rg_utf8_valid(reason, n))
        return rg_err_set(e, RG_EINVAL, "reason", "is not UTF-8 text");
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)reason[i];
        if ((ch < 0x20 && ch != '\n' && ch != '\r' && ch != '\t') || ch == 0x7f)
            return rg_err_set(e, RG_EINVAL, "reason", "has a control character at byte %zu", i);
    }
    return RG_OK;
}

typedef struct dispute_ctx {
    bool open;
} dispute_ctx;

static rg_status find_dispute(void *p, const rg_hold *h)
{
    if (!strcmp(h->reason, RG_HOLD_DISPUTE))
        ((dispute_ctx *)p)->open = true;
    return RG_OK;
}

static rg_status dispute_in(const rg_event_env *env, int64_t customer_id, const char *invoice, const char *reason,
                            rg_instant now, rg_portal_dispute_result *out, rg_err *e)
{
    rg_store *s = env->store;
    rg_invoice inv;
    rg_status rc;
    if ((rc = own_invoice(s, customer_id, invoice, &inv, e)) != RG_OK || (rc = must_be_open(&inv, e)) != RG_OK)
        return rc;
    dispute_ctx d = {false};
    if ((rc = rg_store_hold_each(s, inv.id, true, find_dispute, &d, e)) != RG_OK)
        return rc;
    if (d.open)
        return RG_OK;
    /* the event holds the invoice (rg_holds_on_event) */
    if ((rc = record(env, RG_EV_DISPUTE_OPENED, customer_id, inv.id, now, json_pack("{s:s}", "reason", reason),
                     &out->event_id, e)) != RG_OK)
        return rc;
    rg_task t;
    memset(&t, 0, sizeof t);
    rg_strlcpy(t.kind, "dispute", sizeof t.kind);
    t.customer_id = customer_id;
    t.invoice_id = inv.id;
    rg_strlcpy(t.source, "portal", sizeof t.source);
    t.due_at = now;
    t.created_at = now;
    char text[RG_PORTAL_REASON_MAX + 128];
    snprintf(text, sizeof text, "Cliente contestou a fatura %s pelo portal: %s", inv.external_id, reason);
    bool inserted = false;
    /* no message: a task with its own text (message_id 0 never collides) */
    if ((rc = rg_store_task_insert_for_message(s, &t, 0, text, &inserted, e)) != RG_OK)
        return rc;
    out->task_id = t.id;
    out->changed = true;
    return RG_OK;
}

rg_status rg_portal_dispute(const rg_event_env *env, int64_t customer_id, const char *invoice, const char *reason,
                            rg_instant now, rg_portal_dispute_result *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    rg_status rc = check_reason(reason, e);
    if (rc != RG_OK || (rc = rg_store_begin(env->store, e)) != RG_OK)
        return rc;
    rc = dispute_in(env, customer_id, invoice, reason, now, out, e);
    return rg_store_end(env->store, rc, e);
}

/* ---- Prorrogar vencimento ---- */

/* The invoice's boleto and static PIX for r->updated_amount due on
 * r->new_due_date (same bank, campo livre, key, txid). */
static rg_status reissue_codes(const rg_invoice *inv, rg_date today, rg_reissue *r, rg_err *e)
{
    rg_err why;
    const char *code = inv->barcode[0] ? inv->barcode : inv->linha_digitavel;
    if (code[0]) {
        rg_boleto old, nb;
        if (rg_boleto_decode(code, strlen(code), today, &old, &why) != RG_OK ||
            rg_boleto_encode(old.bank, old.currency[0], r->new_due_date, r->updated_amount, old.campo_livre, &nb,
                             &why) != RG_OK)
            return rg_err_set(e, RG_EINVAL, "invoice", "the boleto of %s cannot be reissued: %s", inv->external_id,
                              why.msg);
        rg_strlcpy(r->barcode, nb.barcode, sizeof r->barcode);
        rg_strlcpy(r->linha_digitavel, nb.linha_digitavel, sizeof r->linha_digitavel);
    }
    bool is_static = false;
    /* a dynamic PIX (a URL) is kept: its amount is the PSP's */
    if (inv->pix_code[0] &&
        rg_pix_with_amount(inv->pix_code, r->updated_amount, r->pix_code, sizeof r->pix_code, &is_static, &why) != RG_OK)
        return rg_err_set(e, RG_EINVAL, "invoice", "the PIX of %s cannot be reissued: %s", inv->external_id, why.msg);
    return RG_OK;
}

static rg_status extend_in(const rg_event_env *env, int64_t customer_id, const char *invoice, rg_date date,
                           int64_t max_days, rg_instant now, rg_portal_extend_result *out, rg_err *e)
{
    rg_store *s = env->store;
    rg_customer c;
    rg_invoice inv;
    rg_date today, from;
    rg_status rc;
    char d1[16], d2[16], d3[16], where[96];
    if ((rc = customer_today(env, customer_id, now, &c, &today, e)) != RG_OK ||
        (rc = own_invoice(s, customer_id, invoice, &inv, e)) != RG_OK || (rc = must_be_open(&inv, e)) != RG_OK ||
        (rc = rg_store_invoice_extended_from(s, inv.id, &from, e)) != RG_OK)
        return rc;
    snprintf(where, sizeof where, "invoice %s", inv.external_id);
    if (from != RG_DATE_NONE)
        return rg_err_set(e, RG_ECONFLICT, where, "was extended before (from %s to %s): only once",
                          rg_date_format_iso(from, d1, sizeof d1), rg_date_format_iso(inv.due_date, d2, sizeof d2));
    rg_date latest = inv.due_date + max_days;
    rg_date_format_iso(inv.due_date, d1, sizeof d1);
    rg_date_format_iso(latest, d3, sizeof d3);
    if (latest < today)
        return rg_err_set(e, RG_EINVAL, "date", "the due date %s could be moved up to %s, which has passed", d1, d3);
    if (date <= inv.due_date)
        return rg_err_set(e, RG_EINVAL, "date", "%s is not after the due date %s",
                          rg_date_format_iso(date, d2, sizeof d2), d1);
    if (date < today)
        return rg_err_set(e, RG_EINVAL, "date", "%s is in the past (today is %s)",
                          rg_date_format_iso(date, d2, sizeof d2), rg_date_format_iso(today, d3, sizeof d3));
    if (date > latest)
        return rg_err_set(e, RG_EINVAL, "date", "%s is more than %lld days after the due date %s (latest %s)",
                          rg_date_format_iso(date, d2, sizeof d2), (long long)max_days, d1, d3);
    rg_reissue r;
    memset(&r, 0, sizeof r);
    r.old_due_date = inv.due_date;
    r.new_due_date = date;
    r.principal = r.updated_amount = rg_invoice_balance(&inv);
    if ((rc = reissue_codes(&inv, today, &r, e)) != RG_OK)
        return rc;
    bool done = false;
    if ((rc = rg_store_invoice_extend(s, inv.id, &r, now, &done, e)) != RG_OK)
        return rc;
    if (!done)
        return rg_err_set(e, RG_ECONFLICT, where, "was extended before: only once");
    /* its steps count from the new date: planned again */
    if ((rc = rg_store_invoice_wake(s, inv.id, RG_WAKE_NOW, e)) != RG_OK)
        return rc;
    out->from = inv.due_date;
    out->to = date;
    out->amount = r.updated_amount;
    rg_strlcpy(out->linha_digitavel, r.linha_digitavel, sizeof out->linha_digitavel);
    rg_strlcpy(out->pix_code, r.pix_code, sizeof out->pix_code);
    char amt[32];
    return record(env, RG_EV_INVOICE_EXTENDED, customer_id, inv.id, now,
                  json_pack("{s:s, s:s, s:s}", "from", rg_date_format_iso(out->from, d1, sizeof d1), "to",
                            rg_date_format_iso(out->to, d2, sizeof d2), "amount",
                            rg_money_format_plain(out->amount, amt, sizeof amt)),
                  &out->event_id, e);
}

rg_status rg_portal_extend(const rg_event_env *env, int64_t customer_id, const char *invoice, rg_date date,
                           int64_t max_days, rg_instant now, rg_portal_extend_result *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    if (max_days < 1 || max_days > RG_PORTAL_EXTEND_MAX_DAYS)
        return rg_err_set(e, RG_EINVAL, "portal.extend_max_days", "%lld is not between 1 and %d", (long long)max_days,
                          RG_PORTAL_EXTEND_MAX_DAYS);
    if (date == RG_DATE_NONE)
        return rg_err_set(e, RG_EINVAL, "date", "say the date (AAAA-MM-DD)");
    rg_status rc = rg_store_begin(env->store, e);
    if (rc != RG_OK)
        return rc;
    rc = extend_in(env, customer_id, invoice, date, max_days, now, out, e);
    return rg_store_end(env->store, rc, e);
}

/* ---- Como prefere ser avisado ---- */

static const char *const preferable[] = {"email", "whatsapp", "sms", "voice", "letter"};

static rg_status preferred_in(const rg_event_env *env, int64_t customer_id, const char *channel, rg_instant now,
                              bool *changed, rg_err *e)
{
    rg_customer c;
    rg_status rc = rg_store_customer_get_by_id(env->store, customer_id, &c, e);
    if (rc != RG_OK || !strcmp(c.preferred_channel, channel))
        return rc;
    rg_strlcpy(c.preferred_channel, channel, sizeof c.preferred_channel);
    rg_upsert_result ur;
    if ((rc = rg_store_customer_upsert(env->store, &c, RG_CF_PREFERRED, now, &ur, e)) != RG_OK)
        return rc;
    *changed = true;
    /* the next messages go first where the customer asked */
    return rg_store_customer_wake(env->store, customer_id, RG_WAKE_NOW, e);
}

rg_status rg_portal_preferred(const rg_event_env *env, int64_t customer_id, const char *channel, rg_instant now,
                              bool *changed, rg_err *e)
{
    *changed = false;
    bool ok = channel && !channel[0];
    for (size_t i = 0; channel && i < sizeof preferable / sizeof *preferable; i++)
        ok |= !strcmp(channel, preferable[i]);
    if (!ok)
        return rg_err_set(e, RG_EINVAL, "channel", "'%s' is not email, whatsapp, sms, voice, letter or none",
                          channel ? channel : "");
    rg_status rc = rg_store_begin(env->store, e);
    if (rc != RG_OK)
        return rc;
    rc = preferred_in(env, customer_id, channel, now, changed, e);
    return rg_store_end(env->store, rc, e);
}


rg_status rg_portal_channel(const rg_event_env *env, int64_t customer_id, const char *channel, bool opt_out,
                            rg_instant now, rg_optout_result *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    rg_status rc = rg_optout_check_channel(channel, "channel", e);
    rg_customer c;
    if (rc == RG_OK)
        rc = rg_store_customer_get_by_id(env->store, customer_id, &c, e);
    if (rc != RG_OK)
        return rc;
    if (opt_out)
        return rg_optout_add(env, c.external_id, channel, "portal", now, out, e);
    rc = rg_optout_remove(env, c.external_id, channel, "portal", now, out, e);
    if (rc == RG_ENOTFOUND && e && !strcmp(e->where, "channel")) {
        /* not opted out of it: already reachable there */
        rg_err_clear(e);
        memset(out, 0, sizeof *out);
        return RG_OK;
    }
    return rc;
}
