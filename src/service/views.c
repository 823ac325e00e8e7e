#include "service/views.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "br/fees.h"

static rg_status oom(rg_err *e, const char *what)
{
    return rg_err_set(e, RG_ENOMEM, what, "out of memory");
}

/* ---- the invoice ---- */

typedef struct inv_ctx {
    rg_invoice_view *v;
    size_t cap_payments, cap_promises, cap_holds, cap_offers, cap_events, cap_timers;
    rg_err *e;
} inv_ctx;

/* keep_X: a callback of rg_store_X_each that appends a copy of the row to the view's array */
#define KEEP(fn, type, arr, n, cap)                                                                            \
    static rg_status fn(void *p, const type *row)                                                            \
    {                                                                                                        \
        inv_ctx *c = p;                                                                                      \
        type *slot = rg_array_grow((void **)&c->v->arr, c->v->n, &c->cap, sizeof *slot);                    \
        if (!slot)                                                                                           \
            return oom(c->e, "invoice");                                                                     \
        *slot = *row;                                                                                        \
        c->v->n++;                                                                                           \
        return RG_OK;                                                                                        \
    }
KEEP(keep_payment, rg_payment, payments, n_payments, cap_payments)
KEEP(keep_promise, rg_promise, promises, n_promises, cap_promises)
KEEP(keep_hold, rg_hold, holds, n_holds, cap_holds)
KEEP(keep_offer, rg_offer, offers, n_offers, cap_offers)
#undef KEEP

/* A copy of ev whose payload the copy owns. */
static bool copy_event(rg_event *dst, const rg_event *ev)
{
    *dst = *ev;
    dst->payload = NULL;
    if (ev->payload && !(dst->payload = strdup(ev->payload)))
        return false;
    return true;
}

static rg_status keep_event(void *p, const rg_event *ev)
{
    inv_ctx *c = p;
    rg_event *slot = rg_array_grow((void **)&c->v->events, c->v->n_events, &c->cap_events, sizeof *slot);
    if (!slot || !copy_event(slot, ev))
        return oom(c->e, "invoice");
    c->v->n_events++;
    return RG_OK;
}

/* The trigger of a timer in the loaded cadences, or NULL. */
static const rg_cadence_trigger *timer_trigger(rg_engine *eng, const rg_timer *t)
{
    const rg_cadence *c = eng ? rg_cadence_set_find(rg_engine_cadences(eng), t->cadence) : NULL;
    for (size_t i = 0; c && i < c->n_triggers; i++)
        if (!strcmp(c->triggers[i].id, t->trigger_id))
            return &c->triggers[i];
    return NULL;
}

typedef struct timer_ctx {
    inv_ctx *ic;
    rg_engine *eng;
} timer_ctx;

/* The waiting timers that concern the invoice: its own and those about its
 * customer as a whole (an event with no invoice in view). */
static rg_status keep_timer(void *p, const rg_timer *t)
{
    timer_ctx *tc = p;
    inv_ctx *c = tc->ic;
    if (t->invoice_id != c->v->invoice.id && t->invoice_id != 0)
        return RG_OK;
    rg_view_timer *slot = rg_array_grow((void **)&c->v->timers, c->v->n_timers, &c->cap_timers, sizeof *slot);
    if (!slot)
        return oom(c->e, "invoice");
    memset(slot, 0, sizeof *slot);
    slot->timer = *t;
    const rg_cadence_trigger *tg = timer_trigger(tc->eng, t);
    if (tg && tg->n_unless) {
        if (!(slot->unless = malloc(tg->n_unless * sizeof *slot->unless)))
            return oom(c->e, "invoice");
        memcpy(slot->unless, tg->unless, tg->n_unless * sizeof *slot->unless);
        slot->n_unless = tg->n_unless;
    }
    c->v->n_timers++;
    return RG_OK;
}

static rg_status read_invoice(rg_store *s, rg_engine *eng, const char *external_id, rg_instant now,
                              rg_invoice_view *v, rg_err *e)
{
    rg_status rc;
    if ((rc = rg_store_invoice_get(s, external_id, &v->invoice, e)) != RG_OK ||
        (rc = rg_store_customer_get_by_id(s, v->invoice.customer_id, &v->customer, e)) != RG_OK)
        return rc;
    const rg_invoice *inv = &v->invoice;
    v->fine_capped = v->customer.kind == RG_KIND_PF && inv->fine_pct > RG_FEE_FINE_MAX_PF;
    v->fine_pct_applied = v->fine_capped ? RG_FEE_FINE_MAX_PF : inv->fine_pct;
    /* the cadence it follows, its progress and what comes next: shown when
     * it can be worked out (a cadence that does not load leaves it out) */
    rg_err xe;
    rg_err_clear(&xe);
    v->has_explain = eng && rg_engine_explain(eng, inv, &v->customer, now, &v->explain, &xe) == RG_OK;
    inv_ctx ic = {v, 0, 0, 0, 0, 0, 0, e};
    timer_ctx tc = {&ic, eng};
    if ((rc = rg_store_timer_waiting_for_customer(s, inv->customer_id, keep_timer, &tc, e)) != RG_OK ||
        (rc = rg_store_bureau_get(s, inv->id, &v->bureau, &v->has_bureau, e)) != RG_OK ||
        (inv->status == RG_INV_OPEN && (rc = rg_store_invoice_agenda(s, inv->id, &v->agenda_at, e)) != RG_OK) ||
        (rc = rg_store_payment_each(s, inv->id, keep_payment, &ic, e)) != RG_OK ||
        (rc = rg_store_promise_each_for_invoice(s, inv->id, keep_promise, &ic, e)) != RG_OK ||
        (rc = rg_store_hold_each(s, inv->id, false, keep_hold, &ic, e)) != RG_OK ||
        (rc = rg_store_offer_each(s, inv->id, keep_offer, &ic, e)) != RG_OK ||
        (rc = rg_store_event_each_for_invoice(s, inv->id, keep_event, &ic, e)) != RG_OK)
        return rc;
    return RG_OK;
}

rg_status rg_invoice_view_read(rg_store *s, rg_engine *eng, const char *external_id, rg_instant now,
                               rg_invoice_view *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    out->agenda_at = RG_INSTANT_NONE;
    rg_status rc = read_invoice(s, eng, external_id, now, out, e);
    if (rc != RG_OK) {
        rg_invoice_view_free(out);
        out->agenda_at = RG_INSTANT_NONE;
    }
    return rc;
}

rg_status rg_invoice_view_get(rg_store *s, rg_engine *eng, const char *external_id, rg_instant now,
                              rg_invoice_view *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    out->agenda_at = RG_INSTANT_NONE;
    rg_status rc = rg_store_begin_read(s, e);
    if (rc != RG_OK)
        return rc;
    rc = rg_invoice_view_read(s, eng, external_id, now, out, e);
    rg_store_rollback(s); /* it only read */
    return rc;
}

rg_engine *rg_view_engine_open(rg_store *s, const rg_config *config, size_t *load_errors)
{
    rg_engine_options o = {s, config, true, 0, 0};
    rg_diags d = RG_DIAGS_INIT;
    rg_engine *eng = NULL;
    rg_err oe;
    rg_err_clear(&oe);
    if (rg_engine_open(&o, &eng, &d, &oe) != RG_OK)
        eng = NULL;
    rg_diags_free(&d);
    if (load_errors)
        *load_errors = eng ? rg_engine_load_errors(eng) : 0;
    return eng;
}

rg_engine *rg_view_engine_reuse(rg_store *s, const rg_config *config, rg_engine **eng, uint64_t *sig)
{
    uint64_t now_sig = rg_engine_sources_signature(config);
    if (*eng && now_sig == *sig) {
        rg_engine_forget_seen(*eng); /* what the scheduler recorded since is read again */
        return *eng;
    }
    rg_engine_close(*eng);
    *eng = rg_view_engine_open(s, config, NULL);
    *sig = now_sig;
    return *eng;
}

void rg_invoice_view_free(rg_invoice_view *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n_events; i++)
        free((char *)v->events[i].payload);
    for (size_t i = 0; i < v->n_timers; i++)
        free(v->timers[i].unless);
    free(v->payments);
    free(v->promises);
    free(v->holds);
    free(v->offers);
    free(v->events);
    free(v->timers);
    memset(v, 0, sizeof *v);
}

/* ---- the customer ---- */

typedef struct cust_ctx {
    rg_customer_view *v;
    size_t cap_optouts, cap_events;
    rg_err *e;
} cust_ctx;

static rg_status keep_optout(void *p, const char *channel, const char *how, rg_instant at)
{
    cust_ctx *c = p;
    rg_view_optout *slot = rg_array_grow((void **)&c->v->optouts, c->v->n_optouts, &c->cap_optouts, sizeof *slot);
    if (!slot)
        return oom(c->e, "customer");
    slot->channel = strdup(channel);
    slot->how = strdup(how);
    slot->at = at;
    c->v->n_optouts++; /* counted even when a copy failed: free() frees what was made */
    return slot->channel && slot->how ? RG_OK : oom(c->e, "customer");
}

static rg_status keep_customer_event(void *p, const rg_event *ev, const char *invoice)
{
    cust_ctx *c = p;
    rg_view_event *slot = rg_array_grow((void **)&c->v->events, c->v->n_events, &c->cap_events, sizeof *slot);
    if (!slot || !copy_event(&slot->event, ev))
        return oom(c->e, "customer");
    rg_strlcpy(slot->invoice, invoice ? invoice : "", sizeof slot->invoice);
    c->v->n_events++;
    return RG_OK;
}

rg_status rg_customer_view_read(rg_store *s, const char *external_id, rg_customer_view *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    cust_ctx cc = {out, 0, 0, e};
    rg_status rc;
    if ((rc = rg_store_customer_get(s, external_id, &out->customer, e)) == RG_OK &&
        (rc = rg_store_optout_each(s, out->customer.id, keep_optout, &cc, e)) == RG_OK)
        rc = rg_store_event_each_for_customer(s, out->customer.id, 0, keep_customer_event, &cc, e);
    if (rc != RG_OK)
        rg_customer_view_free(out);
    return rc;
}

rg_status rg_customer_view_get(rg_store *s, const char *external_id, rg_customer_view *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    rg_status rc = rg_store_begin_read(s, e);
    if (rc != RG_OK)
        return rc;
    rc = rg_customer_view_read(s, external_id, out, e);
    rg_store_rollback(s); /* it only read */
    return rc;
}

void rg_customer_view_free(rg_customer_view *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n_optouts; i++) {
        free(v->optouts[i].channel);
        free(v->optouts[i].how);
    }
    for (size_t i = 0; i < v->n_events; i++)
        free((char *)v->events[i].event.payload);
    free(v->optouts);
    free(v->events);
    memset(v, 0, sizeof *v);
}
