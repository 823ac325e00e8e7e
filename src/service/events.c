#include "service/events.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "channel/scrub.h"
#include "service/holds.h"
#include "service/optouts.h"
#include "service/payments.h"
#include "service/promises.h"
#include "service/webhooks.h"

/* ---- which cadence listens ---- */

/* Counts the invoices paid after their effective due date (the tick's
 * repeat-offender count). */
typedef struct late_ctx {
    const rg_calendar *calendar;
    int64_t n;
} late_ctx;

static rg_status count_late(void *p, rg_date due, rg_date paid_on)
{
    late_ctx *l = p;
    if (paid_on > rg_effective_due_date(l->calendar, due))
        l->n++;
    return RG_OK;
}

rg_status rg_triggers_cadence_of(const rg_triggers *tr, rg_store *s, const rg_invoice *inv, const rg_customer *cust,
                                 rg_instant at, const rg_cadence **out, rg_err *e)
{
    *out = NULL;
    if (!tr || !tr->cadences)
        return RG_OK;
    if (inv->cadence_override[0] && (*out = rg_cadence_set_find(tr->cadences, inv->cadence_override)))
        return RG_OK;
    char cadence[64], steps[8];
    bool found = false;
    rg_status rc = rg_store_progress_get(s, inv->id, cadence, sizeof cadence, steps, sizeof steps, &found, e);
    if (rc != RG_OK)
        return rc;
    if (found && cadence[0] && (*out = rg_cadence_set_find(tr->cadences, cadence)))
        return RG_OK;
    rg_customer loaded;
    if (!cust) {
        if ((rc = rg_store_customer_get_by_id(s, inv->customer_id, &loaded, e)) != RG_OK)
            return rc;
        cust = &loaded;
    }
    char tagbuf[2 * RG_TAGS_MAX + 2];
    const char *tags[64];
    rg_match_subject subj;
    memset(&subj, 0, sizeof subj);
    subj.kind = cust->kind;
    subj.tags = tags;
    subj.n_tags = rg_match_tags(cust->tags, inv->tags, tagbuf, sizeof tagbuf, tags, 64);
    subj.amount = inv->amount;
    /* the repeat-offender count, as the tick reads it (paid since its UTC date - 365 days),
     * only when some cadence matches on it */
    bool needs_late = false;
    for (size_t i = 0; i < tr->cadences->n && !needs_late; i++)
        needs_late = tr->cadences->items[i]->match.late_count_12m_min > 0;
    if (needs_late) {
        late_ctx lc = {tr->calendar, 0};
        if ((rc = rg_store_customer_paid_each(s, cust->id, rg_instant_utc_date(at) - 365, count_late, &lc, e)) != RG_OK)
            return rc;
        subj.late_count_12m = lc.n;
    }
    *out = rg_cadence_set_choose(tr->cadences, &subj);
    return RG_OK;
}

/* ---- timers: started by the event, cancelled by it ---- */

typedef struct concern {
    const rg_cadence *cadence;
    int64_t invoice_id; /* 0: the customer as a whole */
} concern;

typedef struct concerns {
    concern v[32];
    size_t n;
    const rg_event_env *env;
    rg_instant at;
    rg_err *e;
} concerns;

static void concern_add(concerns *cs, const rg_cadence *c, int64_t invoice_id)
{
    if (!c)
        return;
    for (size_t i = 0; i < cs->n; i++)
        if (cs->v[i].cadence == c && cs->v[i].invoice_id == invoice_id)
            return;
    if (cs->n < sizeof cs->v / sizeof cs->v[0])
        cs->v[cs->n++] = (concern){c, invoice_id};
}

static rg_status open_invoice_cadence(void *p, const rg_invoice *inv)
{
    concerns *cs = p;
    if (inv->status != RG_INV_OPEN)
        return RG_OK;
    const rg_cadence *c;
    rg_status rc = rg_triggers_cadence_of(cs->env->triggers, cs->env->store, inv, NULL, cs->at, &c, cs->e);
    if (rc == RG_OK)
        concern_add(cs, c, 0);
    return rc;
}

/* What the caller already read in this transaction (submit_one): the
 * event's invoice and customer, so that the writer of POST /v1/events does
 * not read them twice per event. NULL: read when needed. */
typedef struct loaded {
    const rg_invoice *invoice;
    const rg_customer *customer;
} loaded;

/* Starts a timer for each trigger of the cadences concerned that waits on
 * this type: the invoice's cadence, or for an event about the customer as
 * a whole, the cadence of each of its open invoices (one timer per
 * cadence, about the customer). */
static rg_status start_timers(const rg_event_env *env, const rg_event_in *ev, const loaded *pre, int64_t event_id,
                              rg_event_out *out, rg_err *e)
{
    const rg_triggers *tr = env->triggers;
    rg_store *s = env->store;
    concerns cs;
    memset(&cs, 0, sizeof cs);
    cs.env = env;
    cs.at = ev->at;
    cs.e = e;
    rg_status rc = RG_OK;
    if (ev->invoice_id) {
        rg_invoice read;
        const rg_invoice *inv = pre->invoice && pre->invoice->id == ev->invoice_id ? pre->invoice : NULL;
        if (!inv) {
            if ((rc = rg_store_invoice_get_by_id(s, ev->invoice_id, &read, e)) != RG_OK)
                return rc;
            inv = &read;
        }
        if (inv->status != RG_INV_OPEN)
            return RG_OK;
        const rg_customer *cust =
            pre->customer && pre->customer->id == inv->customer_id ? pre->customer : NULL;
        const rg_cadence *c;
        if ((rc = rg_triggers_cadence_of(tr, s, inv, cust, ev->at, &c, e)) != RG_OK)
            return rc;
        concern_add(&cs, c, inv->id);
    } else {
        if ((rc = rg_store_customer_open_invoices(s, ev->customer_id, open_invoice_cadence, &cs, e)) != RG_OK)
            return rc;
    }
    for (size_t i = 0; i < cs.n; i++) {
        const rg_cadence *c = cs.v[i].cadence;
        for (size_t k = 0; k < c->n_triggers; k++) {
            const rg_cadence_trigger *t = &c->triggers[k];
            if (t->on != ev->type)
                continue;
            rg_timer tm;
            memset(&tm, 0, sizeof tm);
            rg_strlcpy(tm.cadence, c->name, sizeof tm.cadence);
            rg_strlcpy(tm.trigger_id, t->id, sizeof tm.trigger_id);
            tm.event_id = event_id;
            tm.customer_id = ev->customer_id;
            tm.invoice_id = cs.v[i].invoice_id;
            tm.fire_at = ev->at + t->wait_seconds;
            tm.created_at = ev->at;
            bool inserted;
            if ((rc = rg_store_timer_add(s, &tm, &inserted, e)) != RG_OK)
                return rc;
            if (!inserted)
                continue;
            out->timers_started++;
            /* its moment joins the agenda */
            rc = tm.invoice_id ? rg_store_invoice_wake(s, tm.invoice_id, tm.fire_at, e)
                               : rg_store_customer_wake(s, tm.customer_id, tm.fire_at, e);
            if (rc != RG_OK)
                return rc;
        }
    }
    return RG_OK;
}

rg_status rg_timer_list_keep(void *ctx, const rg_timer *t)
{
    rg_timer_list *w = ctx;
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 8;
        rg_timer *v = realloc(w->v, cap * sizeof *v);
        if (!v)
            return RG_ENOMEM;
        w->v = v;
        w->cap = cap;
    }
    w->v[w->n++] = *t;
    return RG_OK;
}

/* Whether some loaded trigger starts on this type (*on), and whether some
 * trigger's `unless` names it (*unless). */
static void listeners(const rg_cadence_set *set, rg_event_type type, bool *on, bool *unless)
{
    for (size_t i = 0; i < set->n; i++) {
        const rg_cadence *c = set->items[i];
        for (size_t k = 0; k < c->n_triggers; k++) {
            const rg_cadence_trigger *t = &c->triggers[k];
            *on = *on || t->on == type;
            for (size_t u = 0; u < t->n_unless && !*unless; u++)
                *unless = t->unless[u] == type;
        }
    }
}

static const rg_cadence_trigger *find_trigger(const rg_triggers *tr, const char *cadence, const char *id)
{
    const rg_cadence *c = rg_cadence_set_find(tr->cadences, cadence);
    for (size_t i = 0; c && i < c->n_triggers; i++)
        if (!strcmp(c->triggers[i].id, id))
            return &c->triggers[i];
    return NULL;
}

/* Cancels the customer's waiting timers whose `unless` names this type,
 * for the same invoice (an event or a timer about the customer as a whole
 * concerns all of its invoices), when the event happened after the one
 * that started the timer and before it fires. */
/* At most this many triggers' timers are read one trigger at a time;
 * beyond, all of the customer's waiting timers at once. */
#define UNLESS_ONE_BY_ONE 4

static bool unless_names(const rg_cadence_trigger *t, rg_event_type type)
{
    for (size_t u = 0; u < t->n_unless; u++)
        if (t->unless[u] == type)
            return true;
    return false;
}

/* The customer's waiting timers that this type may cancel into *w: those
 * of the triggers whose `unless` names it, read trigger by trigger when
 * they are few (a customer's other timers — most of them, under a stream
 * of events that each start one — are not read), else all of them. */
static rg_status waiting_named(const rg_event_env *env, const rg_event_in *ev, rg_timer_list *w, rg_err *e)
{
    const rg_cadence_set *set = env->triggers->cadences;
    size_t n = 0;
    for (size_t i = 0; i < set->n; i++)
        for (size_t k = 0; k < set->items[i]->n_triggers; k++)
            n += unless_names(&set->items[i]->triggers[k], ev->type);
    if (n > UNLESS_ONE_BY_ONE)
        return rg_store_timer_waiting_for_customer(env->store, ev->customer_id, rg_timer_list_keep, w, e);
    rg_status rc = RG_OK;
    for (size_t i = 0; rc == RG_OK && i < set->n; i++)
        for (size_t k = 0; rc == RG_OK && k < set->items[i]->n_triggers; k++)
            if (unless_names(&set->items[i]->triggers[k], ev->type))
                rc = rg_store_timer_waiting_for_trigger(env->store, ev->customer_id, set->items[i]->name,
                                                        set->items[i]->triggers[k].id, rg_timer_list_keep, w, e);
    return rc;
}

static rg_status cancel_timers(const rg_event_env *env, const rg_event_in *ev, const char *name, int64_t event_id,
                               rg_event_out *out, rg_err *e)
{
    rg_timer_list w = {0};
    rg_status rc = waiting_named(env, ev, &w, e);
    if (rc == RG_ENOMEM)
        rc = rg_err_set(e, RG_ENOMEM, name, "out of memory");
    for (size_t i = 0; rc == RG_OK && i < w.n; i++) {
        const rg_timer *t = &w.v[i];
        if (t->event_id == event_id || ev->at < t->event_at || ev->at >= t->fire_at)
            continue;
        if (ev->invoice_id && t->invoice_id && ev->invoice_id != t->invoice_id)
            continue;
        const rg_cadence_trigger *tg = find_trigger(env->triggers, t->cadence, t->trigger_id);
        if (!tg || !unless_names(tg, ev->type))
            continue;
        char reason[160], when[32];
        snprintf(reason, sizeof reason, "cancelled: %s (event %lld at %s) came first", name, (long long)event_id,
                 rg_instant_format(ev->at, when, sizeof when));
        bool changed;
        if ((rc = rg_store_timer_finish(env->store, t->id, "cancelled", reason, ev->at, &changed, e)) == RG_OK &&
            changed)
            out->timers_cancelled++;
    }
    free(w.v);
    return rc;
}

static rg_status record(const rg_event_env *env, const rg_event_in *ev, const loaded *pre, rg_event_out *out,
                        rg_err *e)
{
    rg_event_out ignored;
    if (!out)
        out = &ignored;
    memset(out, 0, sizeof *out);
    const char *name = rg_event_type_name(ev->type);
    if (!name)
        return rg_err_set(e, RG_EINVAL, "event", "unknown event type %d", (int)ev->type);
    if (ev->at == RG_INSTANT_NONE)
        return rg_err_set(e, RG_EINVAL, name, "the event has no instant");
    if (!ev->source || !ev->source[0])
        return rg_err_set(e, RG_EINVAL, name, "the event has no source");
    if (ev->invoice_id && !ev->customer_id)
        return rg_err_set(e, RG_EINVAL, name, "an event about an invoice names its customer too");
    if (ev->payload) {
        const char *p = ev->payload;
        while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
            p++;
        if (*p != '{')
            return rg_err_set(e, RG_EINVAL, name, "the payload must be a JSON object");
    }
    rg_event row;
    memset(&row, 0, sizeof row);
    rg_strlcpy(row.type, name, sizeof row.type);
    row.at = ev->at;
    if (!rg_strlcpy(row.source, ev->source, sizeof row.source))
        return rg_err_set(e, RG_EINVAL, name, "source '%s' is longer than %zu bytes", ev->source,
                          sizeof row.source - 1);
    row.customer_id = ev->customer_id;
    row.invoice_id = ev->invoice_id;
    row.message_id = ev->message_id;
    /* payloads carry providers' words, which may quote our credentials */
    char *clean = rg_scrub_dup(ev->payload);
    if (ev->payload && !clean)
        return rg_err_set(e, RG_ENOMEM, name, "out of memory");
    row.payload = clean;
    rg_status rc = rg_store_event_add(env->store, &row, &out->event_id, e);
    if (rc == RG_OK) /* a dispute holds its invoice's steps until resolved */
        rc = rg_holds_on_event(env, ev, e);
    if (rc == RG_OK && env->triggers && env->triggers->config && env->triggers->config->n_webhooks) {
        /* the outgoing webhooks' deliveries, in the same transaction */
        rg_webhook_event we = {out->event_id, ev->type, ev->at, ev->customer_id, ev->invoice_id, clean};
        rc = rg_webhooks_on_event(env->store, env->triggers->config, &we, e);
    }
    free(clean);
    if (rc != RG_OK || !env->triggers || !env->triggers->cadences || !ev->customer_id)
        return rc;
    /* most events (deliveries, clicks) start and cancel nothing: then
     * neither the customer's timers nor the invoice's cadence are read */
    bool on = false, unless = false;
    listeners(env->triggers->cadences, ev->type, &on, &unless);
    if (unless && (rc = cancel_timers(env, ev, name, out->event_id, out, e)) != RG_OK)
        return rc;
    return on ? start_timers(env, ev, pre, out->event_id, out, e) : RG_OK;
}

rg_status rg_event_record(const rg_event_env *env, const rg_event_in *ev, rg_event_out *out, rg_err *e)
{
    static const loaded none = {NULL, NULL};
    return record(env, ev, &none, out, e);
}

/* ---- regua event ---- */

/* A money field of data: "123.45" (or a JSON number). */
static rg_status data_money(json_t *v, const char *field, rg_cents *out, rg_err *e)
{
    char where[48], buf[64];
    snprintf(where, sizeof where, "data.%s", field);
    const char *text;
    if (json_is_string(v)) {
        text = json_string_value(v);
    } else if (json_is_number(v)) {
        snprintf(buf, sizeof buf, "%.2f", json_number_value(v));
        text = buf;
    } else {
        return rg_err_set(e, RG_EINVAL, where, "write the amount as text, e.g. \"123.45\"");
    }
    const char *why = NULL;
    if (!rg_money_parse(text, strlen(text), false, out, &why) || *out <= 0)
        return rg_err_set(e, RG_EINVAL, where, "'%s' is not a positive amount%s%s", text, why ? ": " : "",
                          why ? why : "");
    return RG_OK;
}

static rg_status data_text(json_t *v, const char *field, char *dst, size_t n, rg_err *e)
{
    char where[48];
    snprintf(where, sizeof where, "data.%s", field);
    if (!json_is_string(v))
        return rg_err_set(e, RG_EINVAL, where, "must be text");
    if (!rg_strlcpy(dst, json_string_value(v), n))
        return rg_err_set(e, RG_EINVAL, where, "longer than %zu bytes", n - 1);
    return RG_OK;
}

/* Only these keys: a typo is an error, not a silent default. */
static rg_status data_keys(json_t *data, const char *type, const char *const *allowed, rg_err *e)
{
    const char *key;
    json_t *v;
    json_object_foreach(data, key, v)
    {
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = !strcmp(*a, key);
        if (!ok) {
            rg_buf list = RG_BUF_INIT;
            for (const char *const *a = allowed; *a; a++)
                rg_buf_printf(&list, "%s%s", a == allowed ? "" : ", ", *a);
            rg_status rc = rg_err_set(e, RG_EINVAL, "data", "%s takes %s; '%s' is not one of them", type,
                                      rg_buf_cstr(&list), key);
            rg_buf_free(&list);
            return rc;
        }
    }
    return RG_OK;
}

static rg_status submit_promise(const rg_event_env *env, const rg_event_request *rq, const rg_customer *cust,
                                int64_t invoice_id, json_t *data, rg_event_result *out, rg_err *e)
{
    static const char *const keys[] = {"date", "amount", NULL};
    rg_status rc = data_keys(data, "promise.made", keys, e);
    if (rc != RG_OK)
        return rc;
    json_t *d = json_object_get(data, "date");
    if (!d)
        return rg_err_set(e, RG_EINVAL, "data.date", "promise.made needs the promised date: {\"date\": \"AAAA-MM-DD\"}");
    rg_promise_params pp;
    memset(&pp, 0, sizeof pp);
    if (!json_is_string(d) || !rg_date_parse(json_string_value(d), strlen(json_string_value(d)), &pp.date))
        return rg_err_set(e, RG_EINVAL, "data.date", "not a date (AAAA-MM-DD)");
    pp.amount = -1;
    json_t *a = json_object_get(data, "amount");
    if (a && (rc = data_money(a, "amount", &pp.amount, e)) != RG_OK)
        return rc;
    pp.customer_id = cust->id;
    pp.invoice_id = invoice_id;
    pp.source = rq->source;
    pp.event_source = rq->source;
    pp.at = rq->at;
    const rg_tz *tz = rg_zones_for(env->zones, cust->timezone);
    rg_promise pr;
    if ((rc = rg_promise_make(env, &pp, rg_tz_date(tz, rq->now), &pr, &out->event, e)) != RG_OK) {
        if (!strcmp(e->where, "promise_date"))
            rg_strlcpy(e->where, "data.date", sizeof e->where);
        else if (!strcmp(e->where, "promise_amount"))
            rg_strlcpy(e->where, "data.amount", sizeof e->where);
        return rc;
    }
    out->promise_id = pr.id;
    return RG_OK;
}

static rg_status submit_payment(const rg_event_env *env, const rg_event_request *rq, json_t *data,
                                rg_event_result *out, rg_err *e)
{
    static const char *const keys[] = {"amount", "reference", "method", NULL};
    rg_status rc = data_keys(data, "payment.received", keys, e);
    if (rc != RG_OK)
        return rc;
    rg_payment p;
    rg_payment_init(&p);
    p.source = RG_PAY_MANUAL;
    json_t *v = json_object_get(data, "amount");
    if (!v)
        return rg_err_set(e, RG_EINVAL, "data.amount", "payment.received needs the amount: {\"amount\": \"123.45\"}");
    if ((rc = data_money(v, "amount", &p.amount, e)) != RG_OK)
        return rc;
    if ((v = json_object_get(data, "reference")) &&
        (rc = data_text(v, "reference", p.reference, sizeof p.reference, e)) != RG_OK)
        return rc;
    if ((v = json_object_get(data, "method")) && (rc = data_text(v, "method", p.method, sizeof p.method, e)) != RG_OK)
        return rc;
    rg_strlcpy(p.invoice_external_id, rq->invoice, sizeof p.invoice_external_id);
    p.paid_at = rq->at;
    rg_payment_outcome po;
    if ((rc = rg_payment_record(env, &p, rq->now, &po, e)) != RG_OK)
        return rc;
    out->event = po.event;
    out->payment_id = p.id;
    out->payment_recorded = po.recorded;
    out->balance = po.balance;
    return RG_OK;
}

/* optout {"channel": "whatsapp"}: the customer leaves that channel, as a
 * reply SAIR or an unsubscribe link does; its invoices are planned again. */
static rg_status submit_optout(const rg_event_env *env, const rg_event_request *rq, const rg_customer *cust,
                               int64_t invoice_id, json_t *data, rg_event_result *out, rg_err *e)
{
    static const char *const keys[] = {"channel", NULL};
    rg_status rc = data_keys(data, "optout", keys, e);
    if (rc != RG_OK)
        return rc;
    json_t *v = json_object_get(data, "channel");
    if (!v)
        return rg_err_set(e, RG_EINVAL, "data.channel", "optout needs the channel left: {\"channel\": \"whatsapp\"}");
    char channel[RG_CHANNEL_MAX + 1];
    if ((rc = data_text(v, "channel", channel, sizeof channel, e)) != RG_OK)
        return rc;
    bool name_ok = channel[0] != '\0';
    for (const char *p = channel; *p && name_ok; p++)
        name_ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-';
    if (!name_ok)
        return rg_err_set(e, RG_EINVAL, "data.channel", "'%s' is not a channel name (email, whatsapp, sms, ...)",
                          channel);
    bool was = false;
    if ((rc = rg_optout_apply(env->store, cust->id, channel, rq->source, rq->at, &was, e)) != RG_OK)
        return rc;
    json_t *pl = json_pack("{s:s, s:s}", "channel", channel, "how", rq->source);
    char *payload = pl ? json_dumps(pl, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(pl);
    if (!payload)
        return rg_err_set(e, RG_ENOMEM, "optout", "out of memory");
    rg_event_in ev = {RG_EV_OPTOUT, rq->at, rq->source, cust->id, invoice_id, 0, payload};
    rc = rg_event_record(env, &ev, &out->event, e);
    free(payload);
    return rc;
}

/* One event inside the caller's transaction (rg_event_submit, _many). */
static rg_status submit_one(const rg_event_env *env, const rg_event_request *rq, rg_event_result *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    rg_event_type type;
    if (!rq->type || !rg_event_type_parse(rq->type, strlen(rq->type), &type))
        return rg_err_set(e, RG_EINVAL, "type", "unknown event type '%s' ('regua event --help' lists them)",
                          rq->type ? rq->type : "");
    if (rg_event_type_origin(type) == RG_EVO_REGUA)
        return rg_err_set(e, RG_EINVAL, "type", "%s is recorded by regua itself (%s), not reported", rq->type,
                          rg_event_type_description(type));
    if (!rq->invoice == !rq->customer)
        return rg_err_set(e, RG_EINVAL, "event", "name the invoice or the customer, one of them");
    if (rq->customer && rg_event_type_scope(type) == RG_EVS_INVOICE)
        return rg_err_set(e, RG_EINVAL, "customer", "%s is about one invoice: name the invoice", rq->type);
    if (rq->at == RG_INSTANT_NONE)
        return rg_err_set(e, RG_EINVAL, "at", "the event has no instant");
    json_t *data = NULL;
    char *payload = NULL;
    if (rq->data) {
        json_error_t je;
        data = json_loads(rq->data, JSON_REJECT_DUPLICATES, &je);
        if (!data)
            return rg_err_set(e, RG_EINVAL, "data", "not JSON: line %d, column %d: %s", je.line, je.column, je.text);
        if (!json_is_object(data)) {
            json_decref(data);
            return rg_err_set(e, RG_EINVAL, "data", "must be a JSON object ({...})");
        }
        payload = json_dumps(data, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (!payload) {
            json_decref(data);
            return rg_err_set(e, RG_ENOMEM, "data", "out of memory");
        }
    } else {
        data = json_object();
    }
    rg_store *s = env->store;
    rg_customer cust;
    rg_invoice inv;
    rg_status rc = RG_OK;
    /* an event about an invoice reads its customer only when its kind needs
     * the row (a promise, an opt-out) or a cadence is chosen (start_timers) */
    bool need_customer = !rq->invoice || type == RG_EV_PROMISE_MADE || type == RG_EV_OPTOUT;
    if (rq->invoice) {
        if ((rc = rg_store_invoice_get(s, rq->invoice, &inv, e)) == RG_ENOTFOUND)
            rc = rg_err_set(e, RG_ENOTFOUND, "invoice", "no invoice '%s'", rq->invoice);
        if (rc == RG_OK && need_customer)
            rc = rg_store_customer_get_by_id(s, inv.customer_id, &cust, e);
    } else if ((rc = rg_store_customer_get(s, rq->customer, &cust, e)) == RG_ENOTFOUND) {
        rc = rg_err_set(e, RG_ENOTFOUND, "customer", "no customer '%s'", rq->customer);
    }
    if (rc != RG_OK)
        goto out;
    out->customer_id = rq->invoice ? inv.customer_id : cust.id;
    out->invoice_id = rq->invoice ? inv.id : 0;
    if (type == RG_EV_PROMISE_MADE) {
        rc = submit_promise(env, rq, &cust, out->invoice_id, data, out, e);
    } else if (type == RG_EV_PAYMENT_RECEIVED) {
        rc = submit_payment(env, rq, data, out, e);
    } else if (type == RG_EV_OPTOUT) {
        rc = submit_optout(env, rq, &cust, out->invoice_id, data, out, e);
    } else {
        rg_event_in ev = {type, rq->at, rq->source, out->customer_id, out->invoice_id, 0, payload};
        loaded pre = {rq->invoice ? &inv : NULL, need_customer ? &cust : NULL};
        rc = record(env, &ev, &pre, &out->event, e);
    }
out:
    json_decref(data);
    free(payload);
    return rc;
}

rg_status rg_event_submit(const rg_event_env *env, const rg_event_request *rq, rg_event_result *out, rg_err *e)
{
    return rg_event_submit_many(env, rq, 1, out, NULL, e);
}

rg_status rg_event_submit_many(const rg_event_env *env, const rg_event_request *rq, size_t n, rg_event_result *out,
                               size_t *refused, rg_err *e)
{
    rg_status rc = rg_store_begin(env->store, e);
    for (size_t i = 0; rc == RG_OK && i < n; i++)
        if ((rc = submit_one(env, &rq[i], &out[i], e)) != RG_OK && refused)
            *refused = i;
    if (rc == RG_OK)
        rc = rg_store_commit(env->store, e);
    if (rc != RG_OK)
        rg_store_rollback(env->store);
    return rc;
}

/* One pass of rg_event_submit_each: with `savepoints`, each event under
 * its own; without, an event that is refused after it wrote something sets
 * *redo and the pass is rolled back whole. */
static rg_status submit_pass(const rg_event_env *env, const rg_event_request *rq, size_t n, rg_event_result *out,
                             rg_status *rc, rg_err *err, bool savepoints, bool *redo, rg_err *e)
{
    rg_store *s = env->store;
    *redo = false;
    rg_status trc = rg_store_begin(s, e);
    for (size_t i = 0; trc == RG_OK && i < n; i++) {
        rg_err_clear(&err[i]);
        if (savepoints && (trc = rg_store_savepoint(s, e)) != RG_OK)
            break;
        int64_t before = rg_store_writes(s);
        rc[i] = submit_one(env, &rq[i], &out[i], &err[i]);
        /* the store itself failing is no refusal of this event: the whole group fails */
        bool failed = rc[i] == RG_ESTORE || rc[i] == RG_EBUSY || rc[i] == RG_ENOMEM;
        if (savepoints) {
            if (rc[i] == RG_OK)
                trc = rg_store_savepoint_release(s, e);
            else
                rg_store_savepoint_rollback(s);
        } else if (rc[i] != RG_OK && !failed && rg_store_writes(s) != before) {
            rg_store_rollback(s);
            *redo = true;
            return RG_OK;
        }
        if (failed) {
            *e = err[i];
            trc = rc[i];
        }
    }
    if (trc == RG_OK)
        trc = rg_store_commit(s, e);
    if (trc != RG_OK) {
        rg_store_rollback(s);
        for (size_t i = 0; i < n; i++) {
            rc[i] = trc;
            err[i] = *e;
        }
    }
    return trc;
}

rg_status rg_event_submit_each(const rg_event_env *env, const rg_event_request *rq, size_t n, rg_event_result *out,
                               rg_status *rc, rg_err *err, rg_err *e)
{
    /* A savepoint per event costs each page's first image kept for its
     * rollback (~10% of the group writer's time under POST /v1/events).
     * Most refusals — an unknown type, invoice or customer, a bad field —
     * come before an event's first write, and then leave nothing without
     * one. So a group goes first without savepoints; only if a refused
     * event had written something is it rolled back and done again with a
     * savepoint per event. */
    bool redo = false;
    rg_status trc = submit_pass(env, rq, n, out, rc, err, false, &redo, e);
    if (redo)
        trc = submit_pass(env, rq, n, out, rc, err, true, &redo, e);
    return trc;
}
