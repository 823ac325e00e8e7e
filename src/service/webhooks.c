#include "service/webhooks.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "channel/scrub.h"

/* ---- queueing ---- */

/* The body {"id", "type", "occurred_at", "invoice", "customer", "data"}
 * (owned text; NULL when memory ran out). */
static rg_status event_body(rg_store *s, const rg_webhook_event *ev, char **out, rg_err *e)
{
    *out = NULL;
    rg_status rc = RG_OK;
    json_t *inv = json_null(), *cust = json_null(), *data = NULL, *root = NULL;
    if (ev->invoice_id) {
        rg_invoice i;
        if ((rc = rg_store_invoice_get_by_id(s, ev->invoice_id, &i, e)) != RG_OK)
            return rc;
        inv = json_string(i.external_id);
    }
    if (ev->customer_id) {
        rg_customer c;
        if ((rc = rg_store_customer_get_by_id(s, ev->customer_id, &c, e)) != RG_OK) {
            json_decref(inv);
            return rc;
        }
        cust = json_string(c.external_id);
    }
    data = ev->payload ? json_loads(ev->payload, 0, NULL) : json_object();
    if (!json_is_object(data)) { /* recorded payloads are objects; keep the text otherwise */
        json_decref(data);
        data = json_object();
    }
    char when[32];
    root = json_object();
    if (root && inv && cust && data) {
        json_object_set_new(root, "id", json_integer(ev->id));
        json_object_set_new(root, "type", json_string(rg_event_type_name(ev->type)));
        json_object_set_new(root, "occurred_at", json_string(rg_instant_format(ev->at, when, sizeof when)));
        json_object_set(root, "invoice", inv);
        json_object_set(root, "customer", cust);
        json_object_set(root, "data", data);
        *out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    }
    json_decref(root);
    json_decref(inv);
    json_decref(cust);
    json_decref(data);
    if (!*out)
        return rg_err_set(e, RG_ENOMEM, "webhook", "the body of event %lld could not be written (out of memory or"
                          " a stored text that is not UTF-8)", (long long)ev->id);
    return RG_OK;
}

rg_status rg_webhooks_queue(rg_store *s, const rg_webhook_config *w, const rg_webhook_event *ev, bool *queued,
                            rg_err *e)
{
    bool ignored;
    if (!queued)
        queued = &ignored;
    *queued = false;
    char *body = NULL;
    rg_status rc = event_body(s, ev, &body, e);
    if (rc == RG_OK)
        rc = rg_store_webhook_enqueue(s, w->name, ev->id, rg_event_type_name(ev->type), body, ev->at, queued, e);
    free(body);
    return rc;
}

rg_status rg_webhooks_on_event(rg_store *s, const rg_config *cfg, const rg_webhook_event *ev, rg_err *e)
{
    char *body = NULL;
    rg_status rc = RG_OK;
    for (size_t i = 0; cfg && rc == RG_OK && i < cfg->n_webhooks; i++) {
        const rg_webhook_config *w = &cfg->webhooks[i];
        if ((unsigned)ev->type >= RG_EV__COUNT || !w->events[ev->type])
            continue;
        if (!body && (rc = event_body(s, ev, &body, e)) != RG_OK)
            break;
        bool queued;
        rc = rg_store_webhook_enqueue(s, w->name, ev->id, rg_event_type_name(ev->type), body, ev->at, &queued, e);
    }
    free(body);
    return rc;
}

typedef struct find_event {
    int64_t id;
    bool found;
    rg_webhook_event ev;
    char *payload; /* owned copy */
} find_event;

static rg_status find_one(void *p, const rg_event *ev, const char *invoice_external_id)
{
    (void)invoice_external_id;
    find_event *f = p;
    if (f->found || ev->id != f->id)
        return RG_OK;
    rg_event_type type;
    if (!rg_event_type_parse(ev->type, strlen(ev->type), &type))
        return RG_OK;
    f->payload = ev->payload ? strdup(ev->payload) : NULL;
    if (ev->payload && !f->payload)
        return RG_ENOMEM;
    f->ev = (rg_webhook_event){ev->id, type, ev->at, ev->customer_id, ev->invoice_id, f->payload};
    f->found = true;
    return RG_OK;
}

rg_status rg_webhooks_queue_event(rg_store *s, const rg_webhook_config *w, int64_t customer_id, int64_t event_id,
                                  bool *queued, rg_err *e)
{
    find_event f;
    memset(&f, 0, sizeof f);
    f.id = event_id;
    rg_status rc = rg_store_event_each_for_customer(s, customer_id, 0, find_one, &f, e);
    if (rc == RG_ENOMEM)
        rc = rg_err_set(e, RG_ENOMEM, "webhook", "out of memory");
    if (rc == RG_OK && !f.found)
        rc = rg_err_set(e, RG_ENOTFOUND, "webhook", "customer %lld has no event %lld", (long long)customer_id,
                        (long long)event_id);
    if (rc == RG_OK)
        rc = rg_webhooks_queue(s, w, &f.ev, queued, e);
    free(f.payload);
    return rc;
}

/* ---- delivering ---- */

static const int64_t backoff_s[] = {60, 5 * 60, 30 * 60, 2 * 3600, 6 * 3600, 12 * 3600, 24 * 3600};
#define N_BACKOFF ((int)(sizeof backoff_s / sizeof backoff_s[0]))

int64_t rg_webhooks_backoff(int failures)
{
    return failures >= 1 && failures <= N_BACKOFF ? backoff_s[failures - 1] : -1;
}

static rg_status keep_item(void *p, const rg_webhook_delivery *d);

/* Claims the oldest due delivery (one transaction) under a lease that
 * outlives its attempt; *got false when none is due. */
static rg_status claim_one(const rg_webhooks_run *r, rg_instant now, int64_t timeout_s, rg_webhook_list *l, bool *got,
                           rg_err *e)
{
    static const char lost[] =
        "no answer recorded: the process sending it stopped before the lease ran out; sent again";
    rg_webhook_list_free(l);
    rg_status rc = rg_store_begin(r->store, e);
    if (rc != RG_OK)
        return rc;
    rc = rg_store_webhook_claim(r->store, r->owner, now, now + timeout_s + 5, 1, lost, keep_item, l, e);
    if (rc == RG_ENOMEM)
        rc = rg_err_set(e, RG_ENOMEM, "webhooks", "out of memory");
    rc = rg_store_end(r->store, rc, e);
    *got = rc == RG_OK && l->n == 1;
    return rc;
}

rg_status rg_webhooks_deliver(const rg_webhooks_run *r, rg_webhooks_stats *st, rg_err *e)
{
    memset(st, 0, sizeof *st);
    rg_webhook_post_fn post = r->post ? r->post : rg_webhook_post;
    int64_t timeout_max = 10;
    for (size_t i = 0; i < r->config->n_webhooks; i++)
        if (r->config->webhooks[i].timeout_seconds > timeout_max)
            timeout_max = r->config->webhooks[i].timeout_seconds;
    rg_webhook_list l = {0};
    rg_status rc = RG_OK;
    int64_t limit = r->limit > 0 ? r->limit : 20;
    bool got = true;
    /* one at a time: each lease covers one attempt, however long the round */
    for (int64_t n = 0; rc == RG_OK && n < limit; n++) {
        rg_instant now = rg_clock_now(r->clock);
        if ((rc = claim_one(r, now, timeout_max, &l, &got, e)) != RG_OK || !got)
            break;
        const rg_webhook_delivery *d = &l.v[0].d;
        st->claimed++;
        const rg_webhook_config *w = rg_config_webhook(r->config, d->webhook);
        const char *secret = rg_webhook_secret(w);
        rg_webhook_answer a;
        memset(&a, 0, sizeof a);
        rg_status sent = RG_ETRANSIENT;
        if (!w) {
            snprintf(a.error, sizeof a.error, "webhook '%s' is no longer in the configuration", d->webhook);
        } else if (!secret) {
            snprintf(a.error, sizeof a.error, "webhook '%s': the variable %s (secret_env) is not set: not sent",
                     w->name, w->secret_env);
        } else {
            rg_err pe;
            rg_err_clear(&pe);
            sent = post(w->url, secret, now, d->body, (long)w->timeout_seconds, &a, &pe);
            if (sent == RG_ENOMEM) {
                rc = rg_err_set(e, RG_ENOMEM, "webhooks", "out of memory");
                break;
            }
        }
        rg_instant done = rg_clock_now(r->clock);
        rg_webhook_outcome o = {d->id, r->owner, now, (int)a.http_status, "", "delivered", RG_INSTANT_NONE, done};
        if (sent != RG_OK) {
            int64_t wait = rg_webhooks_backoff(d->failures + 1);
            o.status = wait < 0 ? "failed" : "pending";
            o.next_attempt_at = wait < 0 ? RG_INSTANT_NONE : done + wait;
            o.error = a.error[0] ? a.error : "failed";
        }
        bool held;
        if ((rc = rg_store_webhook_finish(r->store, &o, &held, e)) != RG_OK)
            break;
        if (!held) {
            st->lost++;
            rg_warn("webhooks: delivery %lld: the lease ran out before the answer was recorded (another process"
                    " sends it again)",
                    (long long)d->id);
        } else if (sent == RG_OK) {
            st->delivered++;
        } else if (!strcmp(o.status, "failed")) {
            st->failed++;
            rg_warn("webhooks: delivery %lld (%s, event %lld) failed for good: %s", (long long)d->id, d->webhook,
                    (long long)d->event_id, o.error);
        } else {
            st->retrying++;
        }
    }
    rg_webhook_list_free(&l);
    return rc;
}

/* ---- listing, re-queueing ---- */

static rg_status keep_item(void *p, const rg_webhook_delivery *d)
{
    rg_webhook_list *l = p;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        rg_webhook_item *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return RG_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    rg_webhook_item *it = &l->v[l->n];
    memset(it, 0, sizeof *it);
    it->d = *d;
    if (!(it->d.body = strdup(d->body)))
        return RG_ENOMEM;
    l->n++;
    return RG_OK;
}

static rg_status keep_attempt(void *p, const rg_webhook_attempt *a)
{
    rg_webhook_item *it = p;
    rg_webhook_attempt *v = realloc(it->attempts, (it->n_attempts + 1) * sizeof *v);
    if (!v)
        return RG_ENOMEM;
    it->attempts = v;
    it->attempts[it->n_attempts++] = *a;
    return RG_OK;
}

rg_status rg_webhooks_page(rg_store *s, const char *status, int64_t before_id, int64_t limit, rg_webhook_list *out,
                           rg_err *e)
{
    memset(out, 0, sizeof *out);
    if (status && strcmp(status, "pending") && strcmp(status, "sending") && strcmp(status, "delivered") &&
        strcmp(status, "failed"))
        return rg_err_set(e, RG_EINVAL, "status", "'%s' is not a delivery status (pending, sending, delivered, failed)",
                          status);
    rg_status rc = rg_store_begin_read(s, e);
    if (rc != RG_OK)
        return rc;
    rc = rg_store_webhook_each(s, status, before_id, limit, keep_item, out, e);
    for (size_t i = 0; rc == RG_OK && i < out->n; i++)
        rc = rg_store_webhook_attempts(s, out->v[i].d.id, keep_attempt, &out->v[i], e);
    rg_store_rollback(s); /* a read: nothing to commit */
    if (rc == RG_ENOMEM)
        rc = rg_err_set(e, RG_ENOMEM, "webhooks", "out of memory");
    if (rc != RG_OK)
        rg_webhook_list_free(out);
    return rc;
}

rg_status rg_webhooks_list(rg_store *s, const char *status, rg_webhook_list *out, rg_err *e)
{
    return rg_webhooks_page(s, status, 0, 0, out, e);
}

void rg_webhook_list_free(rg_webhook_list *l)
{
    for (size_t i = 0; l && i < l->n; i++) {
        free((char *)l->v[i].d.body);
        free(l->v[i].attempts);
    }
    if (l) {
        free(l->v);
        memset(l, 0, sizeof *l);
    }
}

static json_t *instant_or_null(rg_instant t)
{
    char buf[32];
    return t == RG_INSTANT_NONE ? json_null() : json_string(rg_instant_format(t, buf, sizeof buf));
}

void *rg_webhook_item_json(const rg_webhook_item *it)
{
    const rg_webhook_delivery *d = &it->d;
    json_t *body = json_loads(d->body, 0, NULL);
    json_t *attempts = json_array();
    for (size_t i = 0; attempts && i < it->n_attempts; i++) {
        const rg_webhook_attempt *a = &it->attempts[i];
        json_t *one = json_pack("{s:o, s:o, s:s}", "at", instant_or_null(a->at), "http_status",
                                a->http_status ? json_integer(a->http_status) : json_null(), "error", a->error);
        if (!one || json_array_append_new(attempts, one) != 0) {
            json_decref(attempts);
            attempts = NULL;
        }
    }
    bool pending = !strcmp(d->status, "pending");
    json_t *j = json_pack("{s:I, s:s, s:I, s:s, s:s, s:i, s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:o}", "id",
                          (json_int_t)d->id, "webhook", d->webhook, "event_id", (json_int_t)d->event_id, "event_type",
                          d->event_type, "status", d->status, "attempts", d->attempts, "next_attempt_at",
                          pending && d->failures ? instant_or_null(d->next_attempt_at) : json_null(), "last_status",
                          d->last_status ? json_integer(d->last_status) : json_null(), "delivered_at",
                          instant_or_null(d->delivered_at), "last_error", d->last_error, "created_at",
                          instant_or_null(d->created_at), "updated_at", instant_or_null(d->updated_at), "body",
                          body ? body : json_null(), "attempt_log", attempts ? attempts : json_null());
    return j;
}

rg_status rg_webhooks_retry(rg_store *s, int64_t id, rg_instant now, rg_webhook_list *out, rg_err *e)
{
    rg_webhook_list one = {0};
    rg_status rc = rg_store_begin(s, e);
    if (rc != RG_OK)
        return rc;
    bool changed = false;
    if ((rc = rg_store_webhook_requeue(s, id, now, &changed, e)) == RG_OK)
        rc = rg_store_webhook_get(s, id, keep_item, &one, e);
    if (rc == RG_ENOMEM)
        rc = rg_err_set(e, RG_ENOMEM, "webhooks", "out of memory");
    if (rc == RG_OK && !changed)
        rc = rg_err_set(e, RG_ECONFLICT, "delivery",
                        "webhook delivery %lld is %s, not failed: only a failed delivery is queued again",
                        (long long)id, one.v[0].d.status);
    if (rc == RG_OK)
        rc = rg_store_webhook_attempts(s, id, keep_attempt, &one.v[0], e);
    rc = rg_store_end(s, rc, e);
    if (rc == RG_OK && out)
        *out = one;
    else
        rg_webhook_list_free(&one);
    return rc;
}
