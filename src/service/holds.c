#include "service/holds.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/zones.h"

static rg_status add_hold(rg_store *s, int64_t invoice_id, const char *step, const char *reason, int64_t promise_id,
                          rg_instant at, rg_err *e)
{
    rg_hold h;
    memset(&h, 0, sizeof h);
    h.invoice_id = invoice_id;
    if (!rg_strlcpy(h.step, step, sizeof h.step))
        return rg_err_set(e, RG_EINVAL, "pause", "step '%s' is longer than %zu bytes", step, sizeof h.step - 1);
    if (!rg_strlcpy(h.reason, reason, sizeof h.reason))
        return rg_err_set(e, RG_EINVAL, "pause", "reason '%s' is longer than %zu bytes", reason,
                          sizeof h.reason - 1);
    h.promise_id = promise_id;
    h.created_at = at;
    bool added;
    return rg_store_hold_add(s, &h, &added, e);
}

/* Finds one pending promise of an invoice. */
typedef struct promise_get {
    int64_t id;
    rg_promise p;
    bool found;
} promise_get;

static rg_status get_pending(void *ctx, const rg_promise *p)
{
    promise_get *x = ctx;
    if (p->id == x->id) {
        x->p = *p;
        x->found = true;
    }
    return RG_OK;
}

rg_status rg_holds_pause(rg_store *s, int64_t invoice_id, const char *const *steps, size_t n_steps,
                         const char *reason, int64_t promise_id, int64_t grace_days, rg_instant at, rg_err *e)
{
    rg_status rc;
    if (!reason || !reason[0])
        return rg_err_set(e, RG_EINVAL, "pause", "a hold needs a reason");
    if (grace_days < 0)
        return rg_err_set(e, RG_EINVAL, "pause_grace_days", "%lld is negative", (long long)grace_days);
    if (promise_id) {
        promise_get x = {promise_id, {0}, false};
        if ((rc = rg_store_promise_each_pending(s, invoice_id, get_pending, &x, e)) != RG_OK)
            return rc;
        if (!x.found)
            return RG_OK; /* kept, broken or cancelled already: nothing to hold for */
        if (grace_days > 0 && (rc = rg_store_promise_grace(s, promise_id, grace_days, e)) != RG_OK)
            return rc;
    }
    if (n_steps == 0) {
        rc = add_hold(s, invoice_id, "", reason, promise_id, at, e);
    } else {
        rc = RG_OK;
        for (size_t i = 0; i < n_steps && rc == RG_OK; i++)
            rc = add_hold(s, invoice_id, steps[i], reason, promise_id, at, e);
    }
    if (rc != RG_OK)
        return rc;
    return rg_store_invoice_wake(s, invoice_id, RG_WAKE_NOW, e);
}

rg_status rg_holds_resume(rg_store *s, int64_t invoice_id, const char *const *steps, size_t n_steps, rg_instant at,
                          int64_t *released, rg_err *e)
{
    rg_status rc = RG_OK;
    int64_t total = 0;
    rg_hold_filter f = {invoice_id, NULL, NULL, RG_HOLD_DISPUTE, 0};
    if (n_steps == 0) {
        rc = rg_store_holds_release(s, &f, at, "resume", &total, e);
    } else {
        for (size_t i = 0; i < n_steps && rc == RG_OK; i++) {
            int64_t n = 0;
            f.step = steps[i];
            rc = rg_store_holds_release(s, &f, at, "resume", &n, e);
            total += n;
        }
    }
    if (released)
        *released = total;
    if (rc == RG_OK && total > 0)
        rc = rg_store_invoice_wake(s, invoice_id, RG_WAKE_NOW, e);
    return rc;
}

static rg_status resolve(const rg_event_env *env, const rg_promise *p, const char *status, rg_instant at,
                         rg_instant deadline, bool *changed, rg_err *e);
static rg_status whole_debt_on_close(const rg_event_env *env, const rg_event_in *ev, rg_err *e);

rg_status rg_holds_on_event(const rg_event_env *env, const rg_event_in *ev, rg_err *e)
{
    if (!ev->invoice_id)
        return RG_OK;
    if (ev->type == RG_EV_PAYMENT_RECEIVED || ev->type == RG_EV_INVOICE_UPDATED || ev->type == RG_EV_INVOICE_CANCELLED)
        return whole_debt_on_close(env, ev, e);
    if (ev->type == RG_EV_DISPUTE_OPENED)
        return rg_holds_pause(env->store, ev->invoice_id, NULL, 0, RG_HOLD_DISPUTE, 0, 0, ev->at, e);
    if (ev->type == RG_EV_DISPUTE_RESOLVED) {
        rg_hold_filter f = {ev->invoice_id, NULL, RG_HOLD_DISPUTE, NULL, 0};
        int64_t n = 0;
        rg_status rc = rg_store_holds_release(env->store, &f, ev->at, "dispute.resolved", &n, e);
        if (rc == RG_OK && n > 0)
            rc = rg_store_invoice_wake(env->store, ev->invoice_id, RG_WAKE_NOW, e);
        return rc;
    }
    return RG_OK;
}

typedef struct check_ctx {
    const char *step;
    bool held;
    char *why;
    size_t why_n;
} check_ctx;

static rg_status check_one(void *p, const rg_hold *h)
{
    check_ctx *x = p;
    if (x->held)
        return RG_OK;
    if (h->step[0] && (!x->step || strcmp(h->step, x->step) != 0))
        return RG_OK;
    x->held = true;
    if (x->why && x->why_n)
        snprintf(x->why, x->why_n, "held: %s", h->reason);
    return RG_OK;
}

rg_status rg_holds_check(rg_store *s, int64_t invoice_id, const char *step, bool *held, char *why, size_t why_n,
                         rg_err *e)
{
    check_ctx x = {step, false, why, why_n};
    if (why && why_n)
        why[0] = '\0';
    rg_status rc = rg_store_hold_each(s, invoice_id, true, check_one, &x, e);
    *held = x.held;
    return rc;
}

rg_instant rg_promise_deadline(const rg_tz *tz, rg_date date, int64_t grace_days)
{
    return rg_tz_to_utc(tz, date + (rg_date)grace_days + 1, 0);
}

/* Marks promise p `status` at `at`, releases its holds, records
 * promise.broken when broken. */
static rg_status resolve(const rg_event_env *env, const rg_promise *p, const char *status, rg_instant at,
                         rg_instant deadline, bool *changed, rg_err *e)
{
    rg_store *s = env->store;
    rg_status rc = rg_store_promise_resolve(s, p->id, status, at, changed, e);
    if (rc != RG_OK || !*changed)
        return rc;
    char by[64];
    snprintf(by, sizeof by, "promise %s", status);
    /* its holds, on whichever invoices (a promise about the whole debt holds each) */
    rg_hold_filter f = {0, NULL, NULL, NULL, p->id};
    int64_t n = 0;
    if ((rc = rg_store_holds_release(s, &f, at, by, &n, e)) != RG_OK)
        return rc;
    rc = p->invoice_id ? rg_store_invoice_wake(s, p->invoice_id, RG_WAKE_NOW, e)
                       : rg_store_customer_wake(s, p->customer_id, RG_WAKE_NOW, e);
    if (rc != RG_OK)
        return rc;
    if (strcmp(status, "broken") != 0)
        return RG_OK;
    char d1[16], amt[32], dl[32];
    json_t *pl = json_pack("{s:I, s:s, s:s, s:I, s:s}", "promise_id", (json_int_t)p->id, "promised_date",
                           rg_date_format_iso(p->promised_date, d1, sizeof d1), "amount",
                           rg_money_format_plain(p->amount, amt, sizeof amt), "grace_days",
                           (json_int_t)p->grace_days, "deadline", rg_instant_format(deadline, dl, sizeof dl));
    char *payload = pl ? json_dumps(pl, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(pl);
    if (!payload)
        return rg_err_set(e, RG_ENOMEM, "promise", "out of memory");
    rg_event_in ev = {RG_EV_PROMISE_BROKEN, at, "engine", p->customer_id, p->invoice_id, 0, payload};
    rc = rg_event_record(env, &ev, NULL, e);
    free(payload);
    return rc;
}

typedef struct promise_list {
    rg_promise v[16];
    size_t n;
} promise_list;

static rg_status collect_promise(void *ctx, const rg_promise *p)
{
    promise_list *l = ctx;
    if (l->n < sizeof l->v / sizeof l->v[0])
        l->v[l->n++] = *p;
    return RG_OK;
}

static rg_status count_open(void *ctx, const rg_invoice *inv)
{
    (void)inv;
    ++*(int64_t *)ctx;
    return RG_OK;
}

/* After an event that may have closed the invoice (paid, cancelled, ...):
 * when the customer has no open invoice left, its pending promises about
 * the whole debt cannot be planned by the tick any more, so they end here —
 * kept when the last one was paid (a payment, or an import marking it
 * paid) by the deadline, broken when that came after, cancelled when the
 * debt went away otherwise (cancelled, renegotiated: nothing left to pay). */
static rg_status whole_debt_on_close(const rg_event_env *env, const rg_event_in *ev, rg_err *e)
{
    rg_store *s = env->store;
    promise_list l = {.n = 0};
    rg_status rc = rg_store_promise_each_pending(s, ev->invoice_id, collect_promise, &l, e);
    size_t n = 0;
    for (size_t i = 0; i < l.n; i++)
        if (!l.v[i].invoice_id)
            l.v[n++] = l.v[i];
    if (rc != RG_OK || n == 0)
        return rc;
    int64_t open = 0;
    if ((rc = rg_store_customer_open_invoices(s, ev->customer_id, count_open, &open, e)) != RG_OK || open > 0)
        return rc;
    rg_customer c;
    if ((rc = rg_store_customer_get_by_id(s, ev->customer_id, &c, e)) != RG_OK)
        return rc;
    const rg_tz *tz = rg_zones_for(env->zones, c.timezone);
    rg_invoice inv;
    if ((rc = rg_store_invoice_get_by_id(s, ev->invoice_id, &inv, e)) != RG_OK)
        return rc;
    bool paid = inv.status == RG_INV_PAID;
    for (size_t i = 0; i < n && rc == RG_OK; i++) {
        const rg_promise *p = &l.v[i];
        rg_instant deadline = rg_promise_deadline(tz, p->promised_date, p->grace_days);
        bool changed;
        if (!paid)
            rc = resolve(env, p, "cancelled", ev->at, deadline, &changed, e);
        else if (ev->at >= deadline)
            rc = resolve(env, p, "broken", deadline, deadline, &changed, e);
        else
            rc = resolve(env, p, "kept", ev->at, deadline, &changed, e);
    }
    return rc;
}

rg_status rg_promise_break(const rg_event_env *env, int64_t invoice_id, int64_t promise_id, rg_instant deadline,
                           bool *changed, rg_err *e)
{
    *changed = false;
    promise_get x = {promise_id, {0}, false};
    rg_status rc = rg_store_promise_each_pending(env->store, invoice_id, get_pending, &x, e);
    if (rc != RG_OK || !x.found)
        return rc; /* kept or resolved meanwhile: nothing to break */
    return resolve(env, &x.p, "broken", deadline, deadline, changed, e);
}

rg_status rg_promises_on_payment(const rg_event_env *env, const rg_invoice *inv, const rg_payment *pay, rg_err *e)
{
    rg_store *s = env->store;
    promise_list l = {.n = 0};
    rg_status rc = rg_store_promise_each_pending(s, inv->id, collect_promise, &l, e);
    if (rc != RG_OK || l.n == 0)
        return rc;
    rg_customer c;
    if ((rc = rg_store_customer_get_by_id(s, inv->customer_id, &c, e)) != RG_OK)
        return rc;
    const rg_tz *tz = rg_zones_for(env->zones, c.timezone);
    bool paid = inv->status == RG_INV_PAID || rg_invoice_balance(inv) <= 0;
    for (size_t i = 0; i < l.n && rc == RG_OK; i++) {
        const rg_promise *p = &l.v[i];
        rg_instant deadline = rg_promise_deadline(tz, p->promised_date, p->grace_days);
        bool changed;
        if (pay->paid_at >= deadline) {
            /* too late to keep it; the tick does not plan a paid invoice, so say it here */
            if (paid && p->invoice_id)
                rc = resolve(env, p, "broken", deadline, deadline, &changed, e);
            continue;
        }
        /* an invoice's promise: that invoice paid, or the promised amount paid on it since;
         * a promise about the whole debt: the promised amount paid on any of the customer's invoices */
        bool kept = paid && p->invoice_id;
        if (!kept) {
            rg_cents since = 0;
            if ((rc = rg_store_payments_sum_since(s, p->invoice_id, p->customer_id, p->created_at, &since, e)) !=
                RG_OK)
                break;
            kept = since >= p->amount;
        }
        if (kept)
            rc = resolve(env, p, "kept", pay->paid_at, deadline, &changed, e);
    }
    return rc;
}

rg_status rg_offer_make(rg_store *s, int64_t invoice_id, const rg_cadence_offer *offer, const char *source,
                        rg_instant at, int64_t *offer_id, rg_err *e)
{
    rg_invoice inv;
    rg_status rc = rg_store_invoice_get_by_id(s, invoice_id, &inv, e);
    if (rc != RG_OK)
        return rc;
    if (offer_id)
        *offer_id = 0;
    if (inv.status != RG_INV_OPEN || rg_invoice_balance(&inv) <= 0) {
        char where[96];
        snprintf(where, sizeof where, "invoice %s", inv.external_id);
        return rg_err_set(e, RG_ECONFLICT, where, "is %s: there is nothing to offer on",
                          rg_invoice_status_name(inv.status));
    }
    if (offer->discount_pct < 0 || offer->discount_pct > 10000 || offer->valid_days < 0)
        return rg_err_set(e, RG_EINVAL, "offer", "discount_pct must be 0..100%% and valid_days not negative");
    rg_offer o;
    memset(&o, 0, sizeof o);
    o.invoice_id = invoice_id;
    rg_strlcpy(o.source, source && source[0] ? source : "cli", sizeof o.source);
    o.waive_interest = offer->waive_interest;
    o.waive_fine = offer->waive_fine;
    o.discount_pct = offer->discount_pct;
    rg_cents balance = rg_invoice_balance(&inv);
    o.discount = (balance * offer->discount_pct + 5000) / 10000;
    o.created_at = at;
    int64_t days = offer->valid_days > 0 ? offer->valid_days : RG_OFFER_DEFAULT_VALID_DAYS;
    o.valid_until = at + days * 86400;
    if ((rc = rg_store_offer_insert(s, &o, e)) != RG_OK)
        return rc;
    if (offer_id)
        *offer_id = o.id;
    /* the amount the next messages show changes: plan it again */
    return rg_store_invoice_wake(s, invoice_id, RG_WAKE_NOW, e);
}

void rg_offer_amounts(const rg_offer *o, rg_cents balance, rg_cents fine, rg_cents interest, rg_cents *amount,
                      rg_cents *waived)
{
    rg_cents discount = o->discount < balance ? o->discount : balance;
    rg_cents w = discount + (o->waive_fine ? fine : 0) + (o->waive_interest ? interest : 0);
    *amount = balance + fine + interest - w;
    *waived = w;
}

const char *rg_offer_describe(const rg_offer *o, char *buf, size_t n)
{
    /* reads after "o valor fica ..." */
    const char *waived = o->waive_fine && o->waive_interest ? "sem multa e sem juros"
                         : o->waive_interest                 ? "sem juros"
                         : o->waive_fine                     ? "sem multa"
                                                             : "";
    char pct[32];
    if (o->discount_pct % 100 == 0) /* "10", "12,5" (pt-BR) */
        snprintf(pct, sizeof pct, "%lld", (long long)(o->discount_pct / 100));
    else
        snprintf(pct, sizeof pct, "%lld,%02lld", (long long)(o->discount_pct / 100), (long long)(o->discount_pct % 100));
    if (o->discount_pct > 0)
        snprintf(buf, n, "%s%scom %s%% de desconto", waived, waived[0] ? " e " : "", pct);
    else
        snprintf(buf, n, "%s", waived[0] ? waived : "com condição especial");
    return buf;
}

rg_status rg_offer_settle_payment(rg_store *s, const rg_invoice *inv, const rg_payment *p, rg_cents *waived,
                                  rg_err *e)
{
    *waived = 0;
    rg_cents balance = rg_invoice_balance(inv);
    if (inv->status != RG_INV_OPEN || balance <= 0 || p->amount >= balance)
        return RG_OK; /* nothing to settle under an offer */
    rg_offer o;
    bool found = false;
    rg_status rc = rg_store_offer_current(s, inv->id, p->paid_at, &o, &found, e);
    if (rc != RG_OK || !found)
        return rc;
    rg_cents discount = o.discount < balance ? o.discount : balance;
    if (p->amount < balance - discount)
        return RG_OK;
    *waived = balance - p->amount;
    return rg_store_offer_settle(s, o.id, p->paid_at, *waived, e);
}
