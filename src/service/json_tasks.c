#include "service/json_tasks.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

static json_t *instant_or_null(rg_instant t)
{
    char b[32];
    return t == RG_INSTANT_NONE || t == 0 ? json_null() : json_string(rg_instant_format(t, b, sizeof b));
}

static json_t *text_or_null(const char *s)
{
    return s && s[0] ? json_string(s) : json_null();
}

void *rg_task_view_json(const rg_task_view *v)
{
    const rg_task *t = &v->task;
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id",
                     (json_int_t)t->id, "kind", t->kind, "status", t->status, "customer_external_id",
                     v->customer_external_id, "customer_name", v->customer_name, "customer_phone",
                     text_or_null(v->customer_phone), "invoice_external_id", text_or_null(v->invoice_external_id),
                     "source", t->source, "assignee", text_or_null(t->assignee), "due_at", instant_or_null(t->due_at),
                     "claimed_at", instant_or_null(v->claimed_at), "done_at", instant_or_null(v->done_at), "outcome",
                     text_or_null(t->outcome), "note", text_or_null(t->note), "message_id",
                     v->message_id ? json_integer((json_int_t)v->message_id) : json_null(), "text",
                     text_or_null(v->text), "held", text_or_null(v->held));
}

void *rg_promise_json(const rg_promise *p)
{
    char d[16], amount[32];
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:I}", "id", (json_int_t)p->id, "promised_date",
                     rg_date_format_iso(p->promised_date, d, sizeof d), "amount",
                     rg_money_format_plain(p->amount, amount, sizeof amount), "status", p->status, "source",
                     p->source, "created_at", instant_or_null(p->created_at), "resolved_at",
                     instant_or_null(p->resolved_at), "grace_days", (json_int_t)p->grace_days);
}

void *rg_bureau_listing_json(const rg_bureau_listing *l)
{
    return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:o}", "status", l->status, "notice_at",
                     instant_or_null(l->notice_at), "requested_at", instant_or_null(l->requested_at), "listed_at",
                     instant_or_null(l->listed_at), "removal_requested_at", instant_or_null(l->removal_requested_at),
                     "removed_at", instant_or_null(l->removed_at), "provider_ref", text_or_null(l->provider_ref),
                     "attempts", (json_int_t)l->attempts, "last_attempt_at", instant_or_null(l->last_attempt_at),
                     "last_error", text_or_null(l->last_error));
}

void *rg_hold_json(const rg_hold *h)
{
    return json_pack("{s:o, s:s, s:o, s:o, s:o, s:o}", "step", text_or_null(h->step), "reason", h->reason,
                     "promise_id", h->promise_id ? json_integer((json_int_t)h->promise_id) : json_null(),
                     "created_at", instant_or_null(h->created_at), "released_at", instant_or_null(h->released_at),
                     "released_by", text_or_null(h->released_by));
}

void *rg_offer_json(const rg_offer *o)
{
    char pct[32], discount[32], waived[32];
    snprintf(pct, sizeof pct, "%lld.%02lld", (long long)(o->discount_pct / 100), (long long)(o->discount_pct % 100));
    return json_pack("{s:I, s:s, s:b, s:b, s:s, s:s, s:o, s:o, s:s, s:o, s:s}", "id", (json_int_t)o->id, "source",
                     o->source, "waive_interest", o->waive_interest, "waive_fine", o->waive_fine, "discount_pct",
                     pct, "discount", rg_money_format_plain(o->discount, discount, sizeof discount), "created_at",
                     instant_or_null(o->created_at), "valid_until", instant_or_null(o->valid_until), "status",
                     o->status, "settled_at", instant_or_null(o->settled_at), "waived",
                     rg_money_format_plain(o->waived, waived, sizeof waived));
}

void *rg_event_json(const rg_event *ev, const char *invoice_external_id)
{
    char at[32];
    json_error_t je;
    /* a payload that does not parse (text that is not UTF-8, stored before
     * the doors checked it) makes the event one JSON cannot hold: NULL, so
     * the caller names it, never an empty payload */
    json_t *payload = json_loads(ev->payload ? ev->payload : "{}", 0, &je);
    if (!payload)
        return NULL;
    json_t *o = json_pack("{s:s, s:s, s:s, s:o}", "type", ev->type, "at", rg_instant_format(ev->at, at, sizeof at),
                          "source", ev->source, "payload", payload);
    if (o && invoice_external_id &&
        json_object_set_new(o, "invoice_external_id",
                            invoice_external_id[0] ? json_string(invoice_external_id) : json_null()) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

void *rg_payment_outcome_json(const rg_payment *p, const rg_payment_outcome *out)
{
    return json_pack("{s:s, s:b, s:I, s:I, s:s, s:s, s:I, s:I, s:I}", "invoice_external_id", p->invoice_external_id,
                     "recorded", out->recorded, "amount_cents", (json_int_t)p->amount, "balance_cents",
                     (json_int_t)out->balance, "status", rg_invoice_status_name(out->status), "reference",
                     p->reference, "overpaid_cents", (json_int_t)out->overpaid, "credit_cents",
                     (json_int_t)out->credit, "waived_cents", (json_int_t)out->waived);
}

void rg_event_result_json_write(rg_jw *w, const char *type, const rg_event_result *r)
{
    rg_jw_object(w);
    rg_jw_kstring(w, "type", type);
    rg_jw_kint(w, "event_id", r->event.event_id);
    rg_jw_kint(w, "timers_started", r->event.timers_started);
    rg_jw_kint(w, "timers_cancelled", r->event.timers_cancelled);
    if (r->promise_id)
        rg_jw_kint(w, "promise_id", r->promise_id);
    if (r->payment_id) {
        rg_jw_kint(w, "payment_id", r->payment_id);
        rg_jw_key(w, "payment_recorded");
        rg_jw_bool(w, r->payment_recorded);
        rg_jw_kint(w, "balance_cents", r->balance);
    }
    rg_jw_object_end(w);
}

char *rg_event_result_json_text(const char *type, const rg_event_result *r)
{
    rg_buf b = RG_BUF_INIT;
    rg_jw w;
    rg_jw_init(&w, &b);
    rg_event_result_json_write(&w, type, r);
    if (!rg_jw_ok(&w)) {
        rg_buf_free(&b);
        return NULL;
    }
    return rg_buf_detach(&b);
}

void *rg_event_result_json(const char *type, const rg_event_result *r)
{
    char *t = rg_event_result_json_text(type, r);
    json_t *o = t ? json_loads(t, 0, NULL) : NULL;
    free(t);
    return o;
}

void *rg_task_done_json(const rg_task_done_result *r)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "task", rg_task_view_json(&r->task));
    json_object_set_new(o, "promise", r->promised ? rg_promise_json(&r->promise) : json_null());
    json_object_set_new(o, "event_id", r->event_id ? json_integer((json_int_t)r->event_id) : json_null());
    return o;
}

void *rg_optout_json(const rg_optout_row *o)
{
    char at[32];
    return json_pack("{s:s, s:s, s:s, s:s}", "customer", o->customer_external_id, "channel", o->channel, "source",
                     o->how, "at", rg_instant_format(o->at, at, sizeof at));
}

void *rg_optout_result_json(const rg_optout_result *r)
{
    json_t *o = rg_optout_json(&r->optout);
    if (o) {
        json_object_set_new(o, "opted_out", json_boolean(r->opted_out));
        json_object_set_new(o, "changed", json_boolean(r->changed));
        json_object_set_new(o, "event_id", r->event_id ? json_integer((json_int_t)r->event_id) : json_null());
    }
    return o;
}

void *rg_promise_view_json(const rg_promise_view *v)
{
    json_t *o = rg_promise_json(&v->promise);
    if (o) {
        json_object_set_new(o, "customer", json_string(v->customer_external_id));
        json_object_set_new(o, "invoice", text_or_null(v->invoice_external_id));
    }
    return o;
}
