/*
 * timers — the trigger phase of a tick (docs/engine.md, "Events and
 * triggers"). A timer started by an event (service/events.c) fires at the
 * first tick at or after its moment: its message, task and offer inside
 * the customer's window, and its message under the cadence's caps (else
 * it moves to the next opening, or the next day); pause, resume, postpone
 * and switch_cadence at once. Only while an invoice it concerns is open. Firing does the trigger's actions — the message (its
 * `source` the trigger's id, listing the open invoices the event
 * concerns), the task, the switch of cadence — and marks the timer fired
 * in the same transaction; the message's idempotency key names the
 * cadence, the trigger and the event, so a timer never fires twice.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "cadence/window.h"
#include "channel/channel.h"
#include "engine/effects.h"
#include "engine/engine_int.h"
#include "service/events.h"
#include "service/holds.h"
#include "service/webhooks.h"

/* The timer that ends a `postpone`: the trigger's id and this suffix. */
#define RELEASE "#release"

/* Timers read (and written) per transaction. */
#define TIMER_BATCH 256

/* The open invoices (with a balance) a timer concerns. */
typedef struct invoices {
    rg_invoice *v;
    size_t n, cap;
    rg_engine *eng;
    const rg_cadence *cadence;
    rg_instant now;
    rg_err *e;
} invoices;

static rg_status add_invoice(invoices *l, const rg_invoice *inv)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        rg_invoice *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return RG_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = *inv;
    return RG_OK;
}

static rg_status keep_open_on_cadence(void *p, const rg_invoice *inv)
{
    invoices *l = p;
    if (inv->status != RG_INV_OPEN || rg_invoice_balance(inv) <= 0)
        return RG_OK;
    const rg_cadence *c;
    rg_status rc = rg_triggers_cadence_of(rg_engine_triggers(l->eng), l->eng->store, inv, NULL, l->now, &c, l->e);
    if (rc != RG_OK || c != l->cadence)
        return rc;
    return add_invoice(l, inv);
}

static rg_status keep_any(void *p, const rg_invoice *inv)
{
    return add_invoice(p, inv);
}

static const rg_cadence_trigger *trigger_of(const rg_cadence *c, const char *id)
{
    for (size_t i = 0; c && i < c->n_triggers; i++)
        if (!strcmp(c->triggers[i].id, id))
            return &c->triggers[i];
    return NULL;
}

static rg_status finish(rg_engine *eng, const rg_timer *t, const char *status, const char *reason, rg_instant now,
                        rg_err *e)
{
    bool changed;
    return rg_store_timer_finish(eng->store, t->id, status, reason, now, &changed, e);
}

/* The type of the event that started the timer (RG_EV__COUNT when unknown). */
static rg_event_type started_by(const rg_timer *t)
{
    rg_event_type type;
    return rg_event_type_parse(t->event_type, strlen(t->event_type), &type) ? type : RG_EV__COUNT;
}

/* promise.* events carry the promise: {"promised_date", "amount"}. */
static void promise_of(rg_engine *eng, const rg_timer *t, rg_engine_extras *x)
{
    rg_event_type type = started_by(t);
    if (type != RG_EV_PROMISE_MADE && type != RG_EV_PROMISE_BROKEN)
        return;
    (void)eng;
    json_t *o = json_loads(t->event_payload, 0, NULL);
    const char *d = json_string_value(json_object_get(o, "promised_date"));
    const char *a = json_string_value(json_object_get(o, "amount"));
    rg_date date;
    rg_cents amount;
    const char *why;
    if (d && a && rg_date_parse(d, strlen(d), &date) && rg_money_parse(a, strlen(a), false, &amount, &why)) {
        x->has_promise = true;
        x->promise_date = date;
        x->promise_amount = amount;
    }
    json_decref(o);
}

/* promise.made carries {"promise_id"}: a `pause` holds while it is pending. */
static int64_t promise_id_of(const rg_timer *t)
{
    if (started_by(t) != RG_EV_PROMISE_MADE)
        return 0;
    json_t *o = json_loads(t->event_payload, 0, NULL);
    json_t *v = json_object_get(o, "promise_id");
    int64_t id = json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
    json_decref(o);
    return id;
}

/* pause, resume and switch_cadence: what changes the invoices' plans. They
 * act as soon as the timer is due, even when its message has to wait for
 * the window or the cap (a promise's pause must not wait behind a cap),
 * and doing them again changes nothing. */
static rg_status plan_actions(rg_engine *eng, const rg_cadence *c, const rg_cadence_trigger *tg, const rg_timer *t,
                              const invoices *l, rg_instant now, rg_buf *did, rg_err *e)
{
    rg_status rc = RG_OK;
    char source[160];
    snprintf(source, sizeof source, "trigger:%s/%s", c->name, tg->id);
    if (tg->pause.n) {
        int64_t promise = promise_id_of(t);
        for (size_t k = 0; k < l->n && rc == RG_OK; k++)
            rc = rg_holds_pause(eng->store, l->v[k].id, (const char *const *)tg->pause.v, tg->pause.n, source, promise,
                                tg->pause_grace_days, now, e);
        rg_buf_printf(did, "%spaused %zu step%s%s", did->len ? "; " : "", tg->pause.n, tg->pause.n == 1 ? "" : "s",
                      promise ? " while the promise is pending" : "");
    }
    if (rc == RG_OK && tg->resume.n) {
        int64_t released = 0;
        for (size_t k = 0; k < l->n && rc == RG_OK; k++) {
            int64_t r = 0;
            rc = rg_holds_resume(eng->store, l->v[k].id, (const char *const *)tg->resume.v, tg->resume.n, now, &r, e);
            released += r;
        }
        rg_buf_printf(did, "%sresumed %lld hold%s", did->len ? "; " : "", (long long)released, released == 1 ? "" : "s");
    }
    if (rc == RG_OK && tg->postpone.n) {
        /* held now; a second timer of the same event releases them */
        char reason[200];
        snprintf(reason, sizeof reason, "postpone:%s/%s@%lld", c->name, tg->id, (long long)t->event_id);
        for (size_t k = 0; k < l->n && rc == RG_OK; k++)
            rc = rg_holds_pause(eng->store, l->v[k].id, (const char *const *)tg->postpone.v, tg->postpone.n, reason, 0,
                                0, now, e);
        rg_timer rel;
        memset(&rel, 0, sizeof rel);
        rg_strlcpy(rel.cadence, c->name, sizeof rel.cadence);
        snprintf(rel.trigger_id, sizeof rel.trigger_id, "%s%s", tg->id, RELEASE);
        rel.event_id = t->event_id;
        rel.customer_id = t->customer_id;
        rel.invoice_id = t->invoice_id;
        rel.fire_at = now + tg->postpone_days * 86400;
        rel.created_at = now;
        bool inserted;
        if (rc == RG_OK && (rc = rg_store_timer_add(eng->store, &rel, &inserted, e)) == RG_OK) {
            char when[32];
            rg_buf_printf(did, "%spostponed %zu step%s until %s", did->len ? "; " : "", tg->postpone.n,
                          tg->postpone.n == 1 ? "" : "s", rg_instant_format(rel.fire_at, when, sizeof when));
        }
    }
    if (rc == RG_OK && tg->switch_cadence) {
        if (!rg_cadence_set_find(eng->cadences, tg->switch_cadence)) {
            rg_buf_printf(did, "%snot switched: cadence %s is not loaded", did->len ? "; " : "", tg->switch_cadence);
        } else {
            for (size_t k = 0; k < l->n && rc == RG_OK; k++)
                rc = rg_store_invoice_set_cadence(eng->store, l->v[k].id, tg->switch_cadence, now, e);
            rg_buf_printf(did, "%sswitched to %s", did->len ? "; " : "", tg->switch_cadence);
        }
    }
    return rc;
}

/* Drops from l the invoices a dispute holds (a trigger's message and task
 * wait for dispute.resolved); their names in why. */
static rg_status drop_held(rg_engine *eng, invoices *l, char *why, size_t n, rg_err *e)
{
    size_t kept = 0;
    why[0] = '\0';
    for (size_t k = 0; k < l->n; k++) {
        bool held = false;
        char w[128];
        rg_status rc = rg_holds_check(eng->store, l->v[k].id, NULL, &held, w, sizeof w, e);
        if (rc != RG_OK)
            return rc;
        if (held) {
            size_t len = strlen(why);
            snprintf(why + len, n - len, "%s%s %s", len ? ", " : "", l->v[k].external_id, w);
        } else {
            l->v[kept++] = l->v[k];
        }
    }
    l->n = kept;
    return RG_OK;
}

typedef struct find_event {
    int64_t event_id;
    rg_timer found;
    bool ok;
} find_event;

static rg_status find_timer_event(void *p, const rg_timer *t)
{
    find_event *f = p;
    if (t->event_id == f->event_id) {
        f->found = *t;
        f->ok = true;
    }
    return RG_OK;
}

void rg_engine_trigger_extras(rg_engine *eng, const rg_message *m, rg_engine_extras *x)
{
    memset(x, 0, sizeof *x);
    if (strcmp(m->source_kind, "trigger") != 0)
        return;
    /* the key is trigger:CADENCE:TRIGGER:EVENT */
    const char *colon = strrchr(m->idempotency_key, ':');
    int64_t event_id;
    if (!colon || !m->invoice_id || !rg_parse_i64(rg_slice_cstr(colon + 1), 1, INT64_MAX, &event_id))
        return;
    find_event f = {event_id, {0}, false};
    rg_err e;
    if (rg_store_timer_each_for_invoice(eng->store, m->invoice_id, find_timer_event, &f, &e) == RG_OK && f.ok)
        promise_of(eng, &f.found, x);
}

/* The trigger's message for the customer and invoices, appended to fx;
 * its index in *index, and what happened in why. */
static rg_status plan_trigger_message(rg_engine *eng, const rg_cadence *c, const rg_cadence_trigger *tg,
                                      const rg_timer *t, const rg_customer *cust, const invoices *l,
                                      const rg_engine_extras *x, rg_instant now, rg_effects *fx, size_t *index,
                                      rg_err *e)
{
    char optouts[256];
    rg_status rc = rg_store_customer_optouts(eng->store, cust->id, optouts, sizeof optouts, e);
    if (rc != RG_OK)
        return rc;
    const rg_cadence_send *send = &tg->send;
    int preferred = -1;
    for (size_t i = 0; cust->preferred_channel[0] && i < send->channels.n; i++)
        if (!strcmp(send->channels.v[i], cust->preferred_channel))
            preferred = (int)i;
    char reason[256];
    const char *channel = NULL;
    int pos = rg_engine_pick_channel(eng, send, preferred, cust, optouts, reason, sizeof reason, &channel);
    rg_fx_message *fm = rg_fx_message_add(fx, index);
    if (!fm)
        return rg_err_set(e, RG_ENOMEM, "engine", "out of memory");
    fm->customer = cust;
    rg_message *m = &fm->m;
    snprintf(m->idempotency_key, sizeof m->idempotency_key, "trigger:%s:%s:%lld", c->name, tg->id,
             (long long)t->event_id);
    m->customer_id = cust->id;
    m->invoice_id = l->v[0].id;
    rg_strlcpy(m->cadence, c->name, sizeof m->cadence);
    rg_strlcpy(m->cadence_version, c->version, sizeof m->cadence_version);
    rg_strlcpy(m->source_kind, "trigger", sizeof m->source_kind);
    rg_strlcpy(m->source_id, tg->id, sizeof m->source_id);
    rg_strlcpy(m->template_name, send->template_name ? send->template_name : "", sizeof m->template_name);
    m->planned_for = now;
    m->created_at = m->updated_at = now;
    if (pos < 0) {
        m->status = RG_MSG_SUPPRESSED;
        snprintf(m->reason, sizeof m->reason, "no channel left: %s", reason);
    } else {
        rg_strlcpy(m->channel, channel, sizeof m->channel);
        rg_engine_fallbacks(send, preferred, pos, m->fallbacks, sizeof m->fallbacks);
        rg_strlcpy(m->reason, reason, sizeof m->reason);
        rg_engine_content ct;
        rg_err re;
        rg_err_clear(&re);
        rc = rg_engine_render_x(eng, c, cust, l->v, l->n, m->template_name, channel, now, x, &ct, &re);
        if (rc == RG_ENOMEM) {
            *e = re;
            return rc;
        }
        if (rc != RG_OK) {
            m->status = RG_MSG_SUPPRESSED;
            snprintf(m->reason, sizeof m->reason, "template %s.%s: %s", m->template_name, channel, re.msg);
        } else {
            fm->subject = ct.subject;
            fm->body = ct.body;
            fm->html = ct.html;
            fm->payload = ct.payload;
            int ci = rg_engine_channel_index(eng, channel);
            bool inline_send = eng->dry_run || (ci >= 0 && rg_channel_is_inline(eng->channels[ci].ch));
            m->status = inline_send ? RG_MSG_SENT : RG_MSG_QUEUED;
            if (inline_send) {
                m->sent_at = now;
                m->cost = rg_config_channel_cost(eng->config, channel);
            }
        }
    }
    const rg_invoice **ptrs = calloc(l->n, sizeof *ptrs);
    if (!ptrs)
        return rg_err_set(e, RG_ENOMEM, "engine", "out of memory");
    for (size_t k = 0; k < l->n; k++)
        ptrs[k] = &l->v[k];
    rg_fx_message_invoices(fx, *index, ptrs, l->n);
    free(ptrs);
    return fx->oom ? rg_err_set(e, RG_ENOMEM, "engine", "out of memory") : RG_OK;
}

/* The end of a `postpone`: its holds on the invoices the timer concerns
 * are released (whatever the cadence says now), and they are planned again. */
static rg_status release_postponed(rg_engine *eng, const rg_timer *t, rg_instant now, rg_tick_stats *st, rg_err *e)
{
    char reason[200];
    size_t idn = strlen(t->trigger_id) - strlen(RELEASE);
    snprintf(reason, sizeof reason, "postpone:%s/%.*s@%lld", t->cadence, (int)idn, t->trigger_id,
             (long long)t->event_id);
    invoices l = {NULL, 0, 0, eng, NULL, now, e};
    rg_status rc = RG_OK;
    rg_invoice inv;
    if (t->invoice_id) {
        if ((rc = rg_store_invoice_get_by_id(eng->store, t->invoice_id, &inv, e)) == RG_OK)
            rc = add_invoice(&l, &inv);
    } else {
        rc = rg_store_customer_open_invoices(eng->store, t->customer_id, keep_any, &l, e);
    }
    if (rc == RG_ENOMEM)
        rc = rg_err_set(e, RG_ENOMEM, "engine", "out of memory");
    int64_t released = 0;
    for (size_t k = 0; k < l.n && rc == RG_OK; k++) {
        rg_hold_filter hf = {l.v[k].id, NULL, reason, NULL, 0};
        int64_t n = 0;
        if ((rc = rg_store_holds_release(eng->store, &hf, now, "postpone ended", &n, e)) == RG_OK && n > 0)
            rc = rg_store_invoice_wake(eng->store, l.v[k].id, RG_WAKE_NOW, e);
        released += n;
    }
    free(l.v);
    if (rc != RG_OK)
        return rc;
    char why[200];
    snprintf(why, sizeof why, "fired: the postponement ended (%lld hold%s released)", (long long)released,
             released == 1 ? "" : "s");
    st->timers_fired++;
    return finish(eng, t, "fired", why, now, e);
}

/* One due timer: fired, moved to when it can fire, or cancelled. */
static rg_status fire_one(rg_engine *eng, const rg_timer *t, rg_instant now, rg_effects *fx, rg_tick_stats *st,
                          rg_err *e)
{
    const rg_cadence *c = rg_cadence_set_find(eng->cadences, t->cadence);
    size_t idn = strlen(t->trigger_id), rn = strlen(RELEASE);
    if (idn > rn && !strcmp(t->trigger_id + idn - rn, RELEASE))
        return release_postponed(eng, t, now, st, e);
    const rg_cadence_trigger *tg = trigger_of(c, t->trigger_id);
    char why[256];
    if (!tg) {
        if (eng->load_errors) {
            st->timers_waiting++;
            return rg_store_timer_move(eng->store, t->id, now + 3600,
                                       "waiting: its cadence is not loaded and some cadence files have errors", e);
        }
        snprintf(why, sizeof why, "cancelled: trigger %s/%s is no longer in the cadences", t->cadence, t->trigger_id);
        st->timers_cancelled++;
        return finish(eng, t, "cancelled", why, now, e);
    }
    rg_customer cust;
    rg_status rc = rg_store_customer_get_by_id(eng->store, t->customer_id, &cust, e);
    if (rc != RG_OK)
        return rc;
    invoices l = {NULL, 0, 0, eng, c, now, e};
    if (t->invoice_id) {
        rg_invoice inv;
        if ((rc = rg_store_invoice_get_by_id(eng->store, t->invoice_id, &inv, e)) != RG_OK)
            return rc;
        if (inv.status == RG_INV_OPEN && rg_invoice_balance(&inv) > 0)
            rc = add_invoice(&l, &inv);
        else
            snprintf(why, sizeof why, "cancelled: invoice %s is %s", inv.external_id,
                     inv.status == RG_INV_OPEN ? "without balance" : rg_invoice_status_name(inv.status));
    } else {
        rc = rg_store_customer_open_invoices(eng->store, cust.id, keep_open_on_cadence, &l, e);
        snprintf(why, sizeof why, "cancelled: no open invoice of the customer follows %s", c->name);
    }
    if (rc == RG_ENOMEM)
        rc = rg_err_set(e, RG_ENOMEM, "engine", "out of memory");
    /* `webhook: NAME` tells the company's systems, who want to hear of the
     * event whether or not an invoice is still open (a payment closes it):
     * queued at once, in this transaction; queueing again changes nothing */
    char hook[120] = "";
    if (rc == RG_OK && tg->webhook) {
        const rg_webhook_config *w = rg_config_webhook(eng->config, tg->webhook);
        bool queued = false;
        if (!w)
            snprintf(hook, sizeof hook, "webhook %s is not in regua.yaml: not queued", tg->webhook);
        else if ((rc = rg_webhooks_queue_event(eng->store, w, t->customer_id, t->event_id, &queued, e)) == RG_OK)
            snprintf(hook, sizeof hook, "webhook %s %s", w->name, queued ? "queued" : "already queued");
    }
    if (rc != RG_OK || l.n == 0) {
        if (rc == RG_OK) {
            size_t wl = strlen(why);
            if (hook[0])
                snprintf(why + wl, sizeof why - wl, " (%s)", hook);
            st->timers_cancelled++;
            rc = finish(eng, t, "cancelled", why, now, e);
        }
        free(l.v);
        return rc;
    }
    rg_buf did = RG_BUF_INIT;
    if (hook[0])
        rg_buf_puts(&did, hook);
    if ((rc = plan_actions(eng, c, tg, t, &l, now, &did, e)) != RG_OK)
        goto out;
    bool sends = tg->send.present && tg->send.channels.n > 0;
    bool contacts = sends || tg->task_kind || tg->offer.present;
    if (contacts) {
        /* a dispute holds the trigger's message, task and offer */
        char held[256];
        if ((rc = drop_held(eng, &l, held, sizeof held, e)) != RG_OK)
            goto out;
        if (l.n == 0) {
            const rg_tz *tz = rg_engine_zone(eng, &cust, c);
            rg_instant later =
                rg_window_first_open_on_or_after_day(&c->window, eng->calendar, tz, rg_tz_date(tz, now) + 1);
            char reason[256];
            snprintf(reason, sizeof reason, "%s%swaiting: %s", did.len ? rg_buf_cstr(&did) : "", did.len ? "; " : "",
                     held);
            st->timers_waiting++;
            rc = rg_store_timer_move(eng->store, t->id, later != RG_INSTANT_NONE ? later : now + 86400, reason, e);
            goto out;
        }
    }
    const rg_tz *tz = rg_engine_zone(eng, &cust, c);
    if (contacts) {
        /* what reaches the customer — a message, a task (a call), an offer — only inside the
         * window, like a step; a message also under the cap */
        const char *wait = NULL;
        rg_instant later = RG_INSTANT_NONE;
        bool reached = false;
        if (!rg_window_is_open(&c->window, eng->calendar, tz, now)) {
            later = rg_window_next_open(&c->window, eng->calendar, tz, now);
            wait = "waiting: outside the contact window";
        } else if (sends && (rc = rg_engine_cap_reached(eng, 0, &cust, c, tz, now, &reached, e)) != RG_OK) {
            goto out;
        } else if (reached) {
            later = rg_window_first_open_on_or_after_day(&c->window, eng->calendar, tz, rg_tz_date(tz, now) + 1);
            wait = "waiting: the cadence's cap is reached today";
        }
        if (wait) {
            char reason[256];
            snprintf(reason, sizeof reason, "%s%s%s", did.len ? rg_buf_cstr(&did) : "", did.len ? "; " : "", wait);
            if (later == RG_INSTANT_NONE) {
                st->timers_cancelled++;
                rc = finish(eng, t, "cancelled", "cancelled: the cadence's contact window never opens", now, e);
            } else {
                st->timers_waiting++;
                rc = rg_store_timer_move(eng->store, t->id, later, reason, e);
            }
            goto out;
        }
    }
    rg_effects_clear(fx);
    rg_engine_extras x;
    memset(&x, 0, sizeof x);
    if (tg->offer.present) {
        char source[160];
        snprintf(source, sizeof source, "trigger:%s/%s", c->name, tg->id);
        for (size_t k = 0; k < l.n && rc == RG_OK; k++) {
            int64_t offer_id;
            rc = rg_offer_make(eng->store, l.v[k].id, &tg->offer, source, now, &offer_id, e);
        }
        if (rc != RG_OK)
            goto out;
        rg_buf_printf(&did, "%soffer on %zu invoice%s", did.len ? "; " : "", l.n, l.n == 1 ? "" : "s");
    }
    promise_of(eng, t, &x);
    size_t msg = RG_FX_NONE;
    if (sends && (rc = plan_trigger_message(eng, c, tg, t, &cust, &l, &x, now, fx, &msg, e)) != RG_OK)
        goto out;
    if (tg->task_kind) {
        rg_task task;
        memset(&task, 0, sizeof task);
        rg_strlcpy(task.kind, tg->task_kind, sizeof task.kind);
        task.customer_id = cust.id;
        task.invoice_id = l.v[0].id;
        snprintf(task.source, sizeof task.source, "trigger:%s/%s", c->name, tg->id);
        task.due_at = now;
        task.created_at = now;
        rg_fx_task(fx, &task, msg);
        rg_buf_printf(&did, "%stask %s", did.len ? "; " : "", tg->task_kind);
    }
    if (fx->oom) {
        rc = rg_err_set(e, RG_ENOMEM, "engine", "out of memory");
        goto out;
    }
    if ((rc = rg_effects_apply(eng, fx, now, st, e)) != RG_OK)
        goto out;
    if (msg != RG_FX_NONE) {
        const rg_message *m = &fx->msgs[msg].m;
        if (!fx->msgs[msg].created)
            rg_buf_printf(&did, "%smessage %s existed already", did.len ? "; " : "", m->idempotency_key);
        else if (m->status == RG_MSG_SUPPRESSED)
            rg_buf_printf(&did, "%smessage %lld suppressed: %s", did.len ? "; " : "", (long long)m->id, m->reason);
        else
            rg_buf_printf(&did, "%smessage %lld on %s", did.len ? "; " : "", (long long)m->id, m->channel);
    }
    if (rc == RG_OK) {
        char reason[256];
        snprintf(reason, sizeof reason, "fired: %s", did.len ? rg_buf_cstr(&did) : "nothing to do");
        st->timers_fired++;
        rc = finish(eng, t, "fired", reason, now, e);
    }
out:
    rg_buf_free(&did);
    free(l.v);
    return rc;
}

rg_status rg_engine_fire_timers(rg_engine *eng, rg_instant now, rg_tick_stats *stats, rg_err *e)
{
    rg_timer_list due = {0};
    rg_effects fx;
    memset(&fx, 0, sizeof fx);
    rg_status rc = RG_OK;
    int64_t after = 0;
    for (;;) {
        due.n = 0;
        rc = rg_store_timer_due(eng->store, now, after, TIMER_BATCH, rg_timer_list_keep, &due, e);
        if (rc == RG_ENOMEM)
            rc = rg_err_set(e, RG_ENOMEM, "engine", "out of memory");
        if (rc != RG_OK || due.n == 0)
            break;
        after = due.v[due.n - 1].id;
        if ((rc = rg_store_begin(eng->store, e)) != RG_OK)
            break;
        for (size_t i = 0; i < due.n && rc == RG_OK; i++)
            rc = fire_one(eng, &due.v[i], now, &fx, stats, e);
        if (rc == RG_OK)
            rc = rg_engine_commit(eng, e);
        else
            rg_store_rollback(eng->store);
        if (rc != RG_OK || due.n < TIMER_BATCH)
            break;
    }
    rg_effects_free(&fx);
    free(due.v);
    return rc;
}
