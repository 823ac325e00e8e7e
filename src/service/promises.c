#include "service/promises.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

static rg_status sum_open(void *ctx, const rg_invoice *inv)
{
    if (rg_invoice_balance(inv) > 0)
        *(rg_cents *)ctx += rg_invoice_balance(inv);
    return RG_OK;
}

rg_status rg_promise_check_date(rg_date date, rg_date today, rg_err *e)
{
    char d1[16], d2[16];
    if (date < today)
        return rg_err_set(e, RG_EINVAL, "promise_date", "%s is in the past (today is %s)",
                          rg_date_format_iso(date, d1, sizeof d1), rg_date_format_iso(today, d2, sizeof d2));
    if (date > today + RG_PROMISE_MAX_DAYS)
        return rg_err_set(e, RG_EINVAL, "promise_date",
                          "%s is more than %d days ahead (latest %s); a longer term is an agreement (acordo)",
                          rg_date_format_iso(date, d1, sizeof d1), RG_PROMISE_MAX_DAYS,
                          rg_date_format_iso(today + RG_PROMISE_MAX_DAYS, d2, sizeof d2));
    return RG_OK;
}

rg_status rg_promise_make(const rg_event_env *env, const rg_promise_params *p, rg_date today, rg_promise *out,
                          rg_event_out *event, rg_err *e)
{
    rg_store *s = env->store;
    rg_status rc;
    char d1[16];
    memset(out, 0, sizeof *out);
    rg_event_out eo;
    if (!event)
        event = &eo;
    memset(event, 0, sizeof *event);
    if ((rc = rg_promise_check_date(p->date, today, e)) != RG_OK)
        return rc;
    rg_cents amount = p->amount;
    if (p->invoice_id) {
        rg_invoice inv;
        if ((rc = rg_store_invoice_get_by_id(s, p->invoice_id, &inv, e)) != RG_OK)
            return rc;
        char where[96];
        snprintf(where, sizeof where, "invoice %s", inv.external_id);
        if (inv.status != RG_INV_OPEN || rg_invoice_balance(&inv) <= 0)
            return rg_err_set(e, RG_ECONFLICT, where, "is %s: there is nothing left to promise",
                              rg_invoice_status_name(inv.status));
        rg_cents balance = rg_invoice_balance(&inv);
        if (amount < 0)
            amount = balance;
        char a1[40], a2[40];
        if (amount > balance)
            return rg_err_set(e, RG_EINVAL, "promise_amount", "%s is more than the open balance of %s (%s)",
                              rg_money_format_brl(amount, a1, sizeof a1), inv.external_id,
                              rg_money_format_brl(balance, a2, sizeof a2));
    } else if (amount < 0) {
        return rg_err_set(e, RG_EINVAL, "promise_amount", "a promise without an invoice must say the amount");
    } else {
        /* a promise about the whole debt needs a debt: the tick keeps its deadline through the open invoices */
        rg_cents balance = 0;
        if ((rc = rg_store_customer_open_invoices(s, p->customer_id, sum_open, &balance, e)) != RG_OK)
            return rc;
        if (balance <= 0) {
            rg_customer c;
            if ((rc = rg_store_customer_get_by_id(s, p->customer_id, &c, e)) != RG_OK)
                return rc;
            char where[96];
            snprintf(where, sizeof where, "customer %s", c.external_id);
            return rg_err_set(e, RG_ECONFLICT, where, "has no open invoice: there is nothing left to promise");
        }
    }
    if (amount <= 0)
        return rg_err_set(e, RG_EINVAL, "promise_amount", "a promise must be of more than zero");

    out->customer_id = p->customer_id;
    out->invoice_id = p->invoice_id;
    out->promised_date = p->date;
    out->amount = amount;
    rg_strlcpy(out->source, p->source, sizeof out->source);
    out->created_at = p->at;
    out->resolved_at = RG_INSTANT_NONE;
    if ((rc = rg_store_promise_insert(s, out, e)) != RG_OK)
        return rc;
    /* a promise may hold steps: what it concerns is planned again at the next tick */
    rc = p->invoice_id ? rg_store_invoice_wake(s, p->invoice_id, RG_WAKE_NOW, e)
                       : rg_store_customer_wake(s, p->customer_id, RG_WAKE_NOW, e);
    if (rc != RG_OK)
        return rc;

    char amt[32];
    json_t *pl = json_pack("{s:I, s:s, s:s}", "promise_id", (json_int_t)out->id, "promised_date",
                           rg_date_format_iso(out->promised_date, d1, sizeof d1), "amount",
                           rg_money_format_plain(amount, amt, sizeof amt));
    if (pl && p->task_id)
        json_object_set_new(pl, "task_id", json_integer(p->task_id));
    if (pl && p->outcome)
        json_object_set_new(pl, "outcome", json_string(p->outcome));
    char *payload = pl ? json_dumps(pl, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(pl);
    if (!payload)
        return rg_err_set(e, RG_ENOMEM, "promise", "out of memory");
    rg_event_in ev = {RG_EV_PROMISE_MADE, p->at, p->event_source && p->event_source[0] ? p->event_source : "cli",
                      p->customer_id, p->invoice_id, 0, payload};
    rc = rg_event_record(env, &ev, event, e);
    free(payload);
    return rc;
}

rg_status rg_promise_list(rg_store *s, const char *customer, const char *invoice, const char *status,
                          int64_t after_id, int64_t limit, rg_promise_view_fn fn, void *ctx, rg_err *e)
{
    static const char *const statuses[] = {"pending", "kept", "broken", "cancelled"};
    rg_promise_filter f = {0, 0, status, after_id, limit};
    rg_status rc;
    if (status) {
        bool ok = false;
        for (size_t i = 0; i < sizeof statuses / sizeof *statuses && !ok; i++)
            ok = !strcmp(status, statuses[i]);
        if (!ok)
            return rg_err_set(e, RG_EINVAL, "status", "'%s' is not pending, kept, broken or cancelled", status);
    }
    if (customer) {
        rg_customer c;
        if ((rc = rg_store_customer_get(s, customer, &c, e)) != RG_OK)
            return rc;
        f.customer_id = c.id;
    }
    if (invoice) {
        rg_invoice inv;
        if ((rc = rg_store_invoice_get(s, invoice, &inv, e)) != RG_OK)
            return rc;
        f.invoice_id = inv.id;
    }
    return rg_store_promise_page(s, &f, fn, ctx, e);
}
