#include "service/payments.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/utf8.h"
#include "service/holds.h"

rg_status rg_payment_record(const rg_event_env *env, rg_payment *p, rg_instant now,
                            rg_payment_outcome *out, rg_err *e)
{
    rg_store *s = env->store;
    rg_zones *zones = env->zones;
    rg_invoice inv;
    rg_status rc;
    memset(out, 0, sizeof *out);
    if (p->amount <= 0)
        return rg_err_set(e, RG_EINVAL, "amount", "a payment must be greater than zero");
    /* text is stored only as UTF-8: it is printed, and written as JSON */
    if (!rg_utf8_valid(p->method, strlen(p->method)))
        return rg_err_set(e, RG_EINVAL, "method", "not valid UTF-8 text (check the encoding of what sent it)");
    if (!rg_utf8_valid(p->reference, strlen(p->reference)))
        return rg_err_set(e, RG_EINVAL, "reference", "not valid UTF-8 text (check the encoding of what sent it)");
    if ((rc = rg_store_invoice_get(s, p->invoice_external_id, &inv, e)) != RG_OK)
        return rc;
    p->invoice_id = inv.id;
    if (p->paid_at == RG_INSTANT_NONE || p->paid_at == 0)
        p->paid_at = now;
    if (!p->reference[0]) {
        char at[32], amount[32];
        snprintf(p->reference, sizeof p->reference, "%s:%s:%s", rg_payment_source_name(p->source),
                 rg_instant_format(p->paid_at, at, sizeof at),
                 rg_money_format_plain(p->amount, amount, sizeof amount));
    }
    bool inserted = false;
    if ((rc = rg_store_payment_insert(s, p, now, &inserted, e)) != RG_OK)
        return rc;
    out->recorded = inserted;
    out->status = inv.status;
    out->balance = rg_invoice_balance(&inv);
    out->credit = rg_invoice_credit(&inv);
    if (!inserted)
        return RG_OK;
    rg_cents open_before = inv.status == RG_INV_OPEN ? rg_invoice_balance(&inv) : 0;

    rg_cents paid = inv.paid + p->amount;
    rg_invoice_status status = inv.status;
    /* a payment of an offer's amount while it is valid settles the
     * invoice; the part left unpaid is recorded on the offer as waived */
    rg_cents waived = 0;
    if ((rc = rg_offer_settle_payment(s, &inv, p, &waived, e)) != RG_OK)
        return rc;
    /* Only an open invoice becomes paid; money received on a cancelled or
     * renegotiated one is recorded and left for a person to look at. */
    if (status == RG_INV_OPEN && (paid >= inv.amount || waived > 0))
        status = RG_INV_PAID;
    rg_date paid_on = RG_DATE_NONE;
    if (status == RG_INV_PAID && inv.status != RG_INV_PAID) {
        /* the day it was paid where the customer is (else the company) */
        rg_customer c;
        if ((rc = rg_store_customer_get_by_id(s, inv.customer_id, &c, e)) != RG_OK)
            return rc;
        paid_on = rg_tz_date(rg_zones_for(zones, c.timezone), p->paid_at);
    }
    if ((rc = rg_store_invoice_set_paid(s, inv.id, paid, status, paid_on, now, e)) != RG_OK)
        return rc;
    /* re-planned at the next tick: a partial payment leaves a new balance, and
     * a late one counts for the customer's other invoices (late_count_12m_min) */
    if ((rc = rg_store_customer_wake(s, inv.customer_id, RG_WAKE_NOW, e)) != RG_OK)
        return rc;
    if (status == RG_INV_PAID) {
        /* STJ Súmula 548: a paid debt's bureau listing is removed promptly */
        bool changed = false;
        if ((rc = rg_store_bureau_on_paid(s, inv.id, now, &changed, e)) != RG_OK)
            return rc;
    }
    inv.paid = paid;
    inv.status = status;
    /* a pending promise paid by its deadline is kept (its paused steps released) */
    if ((rc = rg_promises_on_payment(env, &inv, p, e)) != RG_OK)
        return rc;
    out->status = status;
    out->balance = rg_invoice_balance(&inv);
    out->credit = rg_invoice_credit(&inv);
    out->overpaid = p->amount > open_before ? p->amount - open_before : 0;
    out->waived = waived;

    char amount[32], at[32];
    json_t *pl = json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:s}", "payment_id", (json_int_t)p->id, "amount",
                           rg_money_format_plain(p->amount, amount, sizeof amount), "amount_cents",
                           (json_int_t)p->amount, "paid_at", rg_instant_format(p->paid_at, at, sizeof at), "source",
                           rg_payment_source_name(p->source), "method", p->method, "reference", p->reference,
                           "invoice_status", rg_invoice_status_name(status));
    if (pl && waived > 0)
        json_object_set_new(pl, "waived_cents", json_integer((json_int_t)waived));
    if (pl && out->overpaid > 0)
        json_object_set_new(pl, "overpaid_cents", json_integer((json_int_t)out->overpaid));
    char *payload = pl ? json_dumps(pl, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(pl);
    if (!payload)
        return rg_err_set(e, RG_ENOMEM, "payment", "out of memory");

    rg_event_in ev = {RG_EV_PAYMENT_RECEIVED, p->paid_at, rg_payment_source_name(p->source), inv.customer_id,
                      inv.id, 0, payload};
    rc = rg_event_record(env, &ev, &out->event, e);
    free(payload);
    return rc;
}

rg_status rg_payment_submit(const rg_event_env *env, rg_payment *p, rg_instant now, rg_payment_outcome *out,
                            rg_err *e)
{
    rg_status rc = rg_store_begin(env->store, e);
    if (rc == RG_OK)
        rc = rg_payment_record(env, p, now, out, e);
    return rg_store_end(env->store, rc, e);
}
