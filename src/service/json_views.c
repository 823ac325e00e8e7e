#include "service/json_views.h"

#include <jansson.h>
#include <string.h>

#include "base/money.h"
#include "engine/progress.h"
#include "service/json_model.h"
#include "service/json_tasks.h"

static json_t *instant_or_null(rg_instant t)
{
    char b[32];
    return t != RG_INSTANT_NONE ? json_string(rg_instant_format(t, b, sizeof b)) : json_null();
}

static json_t *timer_json(const rg_view_timer *vt)
{
    const rg_timer *t = &vt->timer;
    char fire[32], at[32];
    json_t *unless = json_array();
    for (size_t k = 0; unless && k < vt->n_unless; k++)
        if (json_array_append_new(unless, json_string(rg_event_type_name(vt->unless[k]))) != 0) {
            json_decref(unless);
            return NULL;
        }
    return json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:o, s:s}", "id", (json_int_t)t->id, "cadence",
                     t->cadence, "trigger", t->trigger_id, "about", t->invoice_id ? "invoice" : "customer", "event_id",
                     (json_int_t)t->event_id, "event_type", t->event_type, "event_at",
                     rg_instant_format(t->event_at, at, sizeof at), "fire_at",
                     rg_instant_format(t->fire_at, fire, sizeof fire), "unless", unless, "reason", t->reason);
}

/* {"held", "name", "version", "state", "effective_due_date", "steps", "next_step", "next_due_at"} */
static json_t *explain_json(const rg_invoice_explain *ex)
{
    char eff[16];
    int bad = 0;
    json_t *steps = json_array();
    rg_progress prog;
    rg_progress_parse(ex->progress, &prog);
    for (size_t i = 0; i < prog.n; i++)
        bad |= json_array_append_new(
            steps, json_pack("{s:s, s:s, s:s, s:o}", "step", prog.items[i].step_id, "state",
                             rg_step_state_reason(prog.items[i].state), "description",
                             rg_step_state_text(prog.items[i].state), "at", instant_or_null(prog.items[i].at)));
    json_t *held = json_array();
    for (const char *h = ex->held; *h;) {
        const char *comma = strstr(h, ", ");
        size_t len = comma ? (size_t)(comma - h) : strlen(h);
        bad |= json_array_append_new(held, json_stringn(h, len));
        h += len + (comma ? 2 : 0);
    }
    if (bad) {
        json_decref(steps);
        json_decref(held);
        return NULL;
    }
    return json_pack("{s:o, s:o, s:o, s:s, s:s, s:o, s:o, s:o}", "held", held, "name",
                     ex->cadence[0] ? json_string(ex->cadence) : json_null(), "version",
                     ex->version[0] ? json_string(ex->version) : json_null(), "state", ex->state,
                     "effective_due_date", rg_date_format_iso(ex->effective_due, eff, sizeof eff), "steps", steps,
                     "next_step", ex->next_step[0] ? json_string(ex->next_step) : json_null(), "next_due_at",
                     instant_or_null(ex->next_due_at));
}

/* Sets o[key] to a new array of the n items item(i) (rc, e in scope; item,
 * what and id may use i); RG_EINVAL naming `what` `id` when one cannot be
 * written, RG_ENOMEM when the array cannot be set. */
#define ARRAY_OF(o, key, n, item, what, id)                                                                    \
    do {                                                                                                     \
        json_t *a_ = json_array();                                                                           \
        for (size_t i = 0; rc == RG_OK && i < (n); i++)                                                      \
            rc = rg_json_append(a_, (item), (what), (id), e);                                                \
        if (rc != RG_OK)                                                                                     \
            json_decref(a_);                                                                                 \
        else if (json_object_set_new((o), (key), a_) != 0)                                                   \
            rc = rg_err_set(e, RG_ENOMEM, (key), "out of memory");                                           \
    } while (0)

rg_status rg_invoice_view_json(const rg_invoice_view *v, void **out, rg_err *e)
{
    *out = NULL;
    const char *id = v->invoice.external_id;
    json_t *o = rg_invoice_json(&v->invoice);
    if (!o)
        return rg_json_unwritable("invoice", id, e);
    char pct[32], at[32];
    int bad = 0;
    bad |= json_object_set_new(o, "fine_pct_applied",
                               v->fine_pct_applied < 0
                                   ? json_null()
                                   : json_string(rg_pct_format(v->fine_pct_applied, pct, sizeof pct)));
    bad |= json_object_set_new(o, "fine_capped",
                               v->fine_capped ? json_string("CDC art. 52 §1: a consumer's fine is at most 2%")
                                              : json_null());
    if (v->has_explain)
        bad |= json_object_set_new(o, "cadence", explain_json(&v->explain));
    bad |= json_object_set_new(o, "agenda_at",
                               v->agenda_at != RG_INSTANT_NONE
                                   ? json_string(rg_instant_format(v->agenda_at, at, sizeof at))
                                   : json_null());
    bad |= json_object_set_new(o, "bureau", v->has_bureau ? rg_bureau_listing_json(&v->bureau) : json_null());
    if (bad) {
        json_decref(o);
        return rg_json_unwritable("invoice", id, e);
    }
    rg_status rc = RG_OK;
    ARRAY_OF(o, "promises", v->n_promises, rg_promise_json(&v->promises[i]), "promise on invoice", id);
    ARRAY_OF(o, "holds", v->n_holds, rg_hold_json(&v->holds[i]), "hold on invoice", id);
    ARRAY_OF(o, "offers", v->n_offers, rg_offer_json(&v->offers[i]), "offer on invoice", id);
    ARRAY_OF(o, "payments", v->n_payments, rg_payment_json(&v->payments[i]), "payment on invoice", id);
    ARRAY_OF(o, "events", v->n_events, rg_event_json(&v->events[i], NULL), "event on invoice", id);
    ARRAY_OF(o, "timers", v->n_timers, timer_json(&v->timers[i]), "timer of invoice", id);
    if (rc != RG_OK) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return RG_OK;
}

static json_t *optout_json(const rg_view_optout *oo)
{
    char t[32];
    return json_pack("{s:s, s:s, s:s}", "channel", oo->channel, "source", oo->how, "at",
                     rg_instant_format(oo->at, t, sizeof t));
}

rg_status rg_customer_view_json(const rg_customer_view *v, void **out, rg_err *e)
{
    *out = NULL;
    const char *id = v->customer.external_id;
    json_t *o = rg_customer_json(&v->customer);
    if (!o)
        return rg_json_unwritable("customer", id, e);
    rg_status rc = RG_OK;
    ARRAY_OF(o, "optouts", v->n_optouts, optout_json(&v->optouts[i]), "opt-out of customer", id);
    ARRAY_OF(o, "events", v->n_events, rg_event_json(&v->events[i].event, v->events[i].invoice), "event of customer",
             id);
    if (rc != RG_OK) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return RG_OK;
}

/* ---- simulate ---- */

static json_t *sim_message_json(const rg_sim_message *m)
{
    char planned[32];
    return json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "planned_for",
                     rg_instant_format(m->planned_for, planned, sizeof planned), "customer_external_id", m->customer,
                     "invoice_external_ids", rg_invoice_ids_json(m->invoices), "cadence", m->cadence, "step", m->step,
                     "source_kind", m->source_kind, "channel", m->channel, "template", m->template_name, "status",
                     rg_message_status_name(m->status), "body", m->body);
}

static json_t *sim_count_json(const rg_sim_count *c)
{
    char d[16];
    return json_pack("{s:s, s:s, s:I}", "date", rg_date_format_iso(c->date, d, sizeof d), "channel", c->channel,
                     "count", (json_int_t)c->count);
}

static json_t *sim_promise_json(const rg_sim_promise *p)
{
    char d[16], amount[32], dl[32];
    json_t *pauses = json_array();
    for (size_t i = 0; pauses && i < p->n_pauses; i++)
        if (json_array_append_new(pauses, json_string(p->pauses[i])) != 0) {
            json_decref(pauses);
            return NULL;
        }
    return json_pack("{s:o, s:s, s:I, s:s, s:s, s:I, s:s, s:o, s:b}", "invoice_external_id",
                     p->invoice[0] ? json_string(p->invoice) : json_null(), "customer_external_id", p->customer,
                     "promise_id", (json_int_t)p->id, "promised_date",
                     rg_date_format_iso(p->promised_date, d, sizeof d), "amount",
                     rg_money_format_plain(p->amount, amount, sizeof amount), "grace_days", (json_int_t)p->grace_days,
                     "deadline", rg_instant_format(p->deadline, dl, sizeof dl), "pauses", pauses, "breaks",
                     p->breaks);
}

rg_status rg_simulation_json(const rg_simulation *s, void **out, rg_err *e)
{
    *out = NULL;
    json_t *o = json_object();
    if (!o)
        return rg_err_set(e, RG_ENOMEM, "simulate", "out of memory");
    rg_status rc = RG_OK;
    char id[24];
    ARRAY_OF(o, "messages", s->n_messages, sim_message_json(&s->messages[i]), "simulated message",
             (snprintf(id, sizeof id, "%lld", (long long)s->messages[i].id), id));
    ARRAY_OF(o, "per_day", s->n_per_day, sim_count_json(&s->per_day[i]), "simulated day", s->per_day[i].channel);
    ARRAY_OF(o, "promises", s->n_promises, sim_promise_json(&s->promises[i]),
             s->promises[i].invoice[0] ? "promise of invoice" : "promise of customer",
             s->promises[i].invoice[0] ? s->promises[i].invoice : s->promises[i].customer);
    if (rc != RG_OK) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return RG_OK;
}
