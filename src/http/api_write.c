/*
 * api_write — the REST API's operator writes (docs/api.md): events,
 * payments, the task queue, promises and opt-outs. Each handler checks the body (every bad
 * field named: 422), calls the one service function of the operation — it
 * owns its transaction — and answers the JSON document the CLI prints with
 * --json for the same operation.
 */
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/tz.h"
#include "http/http_int.h"
#include "service/json_tasks.h"
#include "service/optouts.h"
#include "service/payments.h"
#include "service/promises.h"
#include "service/tasks.h"

/* The event service's view of this call: the server's triggers and zones,
 * this connection's store. */
static rg_event_env env_of(const rg_api_call *c)
{
    rg_event_env env = *c->r->srv->events;
    env.store = c->store;
    return env;
}

/* Whether the body has field `name` (null counts as absent). */
static bool has(const rg_api_call *c, const char *name)
{
    json_t *v = c->body ? json_object_get(c->body, name) : NULL;
    return v && !json_is_null(v);
}

static const rg_tz *company_tz(const rg_api_call *c)
{
    return rg_zones_company(c->r->srv->events->zones);
}

/* A moment field (an ISO-8601 instant, or a date: noon where the company
 * is); absent: dflt. False (a field error) when it is not one. */
static bool moment_field(rg_api_call *c, const char *name, rg_instant dflt, rg_instant *out)
{
    *out = dflt;
    const char *v = rg_api_str(c, name, false);
    if (!v)
        return !has(c, name);
    if (rg_tz_parse_moment(company_tz(c), v, strlen(v), out))
        return true;
    rg_api_field_error(c, name,
                       "'%s' is not an ISO-8601 instant (2027-01-13T10:00:00-03:00) or a date (2027-01-13 or "
                       "13/01/2027: noon where the company is)",
                       v);
    return false;
}

/* A service's refusal, with its `where` renamed to the request's field
 * (map: pairs of service name, body name; NULL-terminated). */
static void fail_named(rg_api_call *c, const char *what, rg_status rc, rg_err *e, const char *const *map)
{
    for (size_t i = 0; rc == RG_EINVAL && map && map[i]; i += 2)
        if (!strcmp(e->where, map[i])) {
            rg_strlcpy(e->where, map[i + 1], sizeof e->where);
            break;
        }
    rg_api_fail(c, what, rc, e);
}

/* A list's filter the service refused (RG_EINVAL: 400 naming the query
 * parameter; RG_ENOTFOUND: 404): true when answered (the page dropped). */
static bool filter_refused(rg_api_call *c, rg_api_page *p, rg_status rc, const rg_err *e)
{
    if (rc != RG_EINVAL && rc != RG_ENOTFOUND)
        return false;
    rg_api_page_drop(p);
    if (rc == RG_EINVAL) {
        c->status = 400;
        rg_api_field_error(c, e->where, "%s", e->msg);
    } else {
        rg_api_problem(c, 404, "%s", e->msg);
    }
    return true;
}

/* ---- POST /v1/events ---- */

/* Group commit. Each request queues its event and waits; one writer
 * thread (started by the first request, with its own store connection)
 * takes every queued event — at most GROUP_MAX — records them in one
 * transaction (rg_event_submit_each: each accepted or refused on its own)
 * and wakes their requests. Under load one commit serves many requests,
 * which would otherwise queue one by one for SQLite's write lock (each
 * waiter sleeping in the busy handler); alone, a request is its own group. */
#define GROUP_MAX 256

typedef struct rg_http_group_item {
    rg_event_request rq;
    rg_event_result out;
    rg_status rc;
    rg_err e;
    sem_t done; /* posted by the writer once out/rc/e are set: wakes this request alone */
    struct rg_http_group_item *next;
} rg_http_group_item;

static void record_group(rg_http_server *srv, rg_http_group_item **items, size_t n)
{
    rg_event_request *rq = calloc(n, sizeof *rq);
    rg_event_result *out = calloc(n, sizeof *out);
    rg_status *rc = calloc(n, sizeof *rc);
    rg_err *err = calloc(n, sizeof *err), e;
    rg_err_clear(&e);
    if (!rq || !out || !rc || !err) {
        rg_err_set(&e, RG_ENOMEM, "events", "out of memory");
        for (size_t i = 0; i < n; i++) {
            items[i]->rc = RG_ENOMEM;
            items[i]->e = e;
        }
    } else {
        for (size_t i = 0; i < n; i++)
            rq[i] = items[i]->rq;
        rg_event_env env = *srv->events;
        env.store = srv->group_store;
        rg_event_submit_each(&env, rq, n, out, rc, err, &e);
        for (size_t i = 0; i < n; i++) {
            items[i]->out = out[i];
            items[i]->rc = rc[i];
            items[i]->e = err[i];
        }
    }
    free(rq);
    free(out);
    free(rc);
    free(err);
}

static void *group_writer(void *p)
{
    rg_http_server *srv = p;
    pthread_mutex_lock(&srv->group_mu);
    while (!srv->group_stop || srv->group_head) {
        if (!srv->group_head) {
            pthread_cond_wait(&srv->group_work, &srv->group_mu);
            continue;
        }
        rg_http_group_item *items[GROUP_MAX];
        size_t n = 0;
        while (srv->group_head && n < GROUP_MAX) {
            items[n++] = srv->group_head;
            srv->group_head = srv->group_head->next;
        }
        if (!srv->group_head)
            srv->group_tail = NULL;
        pthread_mutex_unlock(&srv->group_mu);
        record_group(srv, items, n);
        /* each request of the group woken on its own (not a broadcast that
         * wakes every waiter, most of them to sleep again); the item is on
         * its request's stack, which returns once woken: not touched after */
        for (size_t i = 0; i < n; i++)
            sem_post(&items[i]->done);
        pthread_mutex_lock(&srv->group_mu);
    }
    pthread_mutex_unlock(&srv->group_mu);
    return NULL;
}

/* Starts the writer (group_mu held); false when it cannot (no connection,
 * no thread): the request then records its event alone. */
static bool group_start(rg_http_server *srv)
{
    if (srv->group_running)
        return true;
    rg_err ignored;
    if (!srv->group_store && rg_store_open_peer(srv->store, srv->write_wait_ms, &srv->group_store, &ignored) != RG_OK)
        return false;
    srv->group_running = pthread_create(&srv->group_thread, NULL, group_writer, srv) == 0;
    return srv->group_running;
}

void rg_http_group_stop(rg_http_server *srv)
{
    pthread_mutex_lock(&srv->group_mu);
    bool running = srv->group_running;
    srv->group_stop = true;
    pthread_cond_broadcast(&srv->group_work);
    pthread_mutex_unlock(&srv->group_mu);
    if (running)
        pthread_join(srv->group_thread, NULL);
    rg_store_close(srv->group_store);
    srv->group_store = NULL;
}

static rg_status submit_grouped(rg_api_call *c, const rg_event_request *rq, rg_event_result *out, rg_err *e)
{
    rg_http_server *srv = c->r->srv;
    rg_http_group_item me = {.rq = *rq};
    pthread_mutex_lock(&srv->group_mu);
    /* an Idempotency-Key's event is recorded on the request's own connection,
     * whose commit marks the key carried out (rg_store_idem_arm) */
    if (srv->group_stop || rg_store_idem_armed(c->store) || !group_start(srv) || sem_init(&me.done, 0, 0) != 0) {
        pthread_mutex_unlock(&srv->group_mu);
        rg_event_env env = env_of(c);
        return rg_event_submit(&env, rq, out, e);
    }
    if (srv->group_tail)
        srv->group_tail->next = &me;
    else
        srv->group_head = &me;
    srv->group_tail = &me;
    pthread_cond_signal(&srv->group_work);
    pthread_mutex_unlock(&srv->group_mu);
    while (sem_wait(&me.done) != 0) /* EINTR only */
        ;
    sem_destroy(&me.done);
    *out = me.out;
    *e = me.e;
    return me.rc;
}

void rg_api_events_post(rg_api_call *c)
{
    static const char *const known[] = {"type", "invoice", "customer", "occurred_at", "data", NULL};
    rg_api_no_other_fields(c, known);
    rg_event_request rq;
    memset(&rq, 0, sizeof rq);
    rq.type = rg_api_str(c, "type", true);
    rq.invoice = rg_api_str(c, "invoice", false);
    rq.customer = rg_api_str(c, "customer", false);
    if (has(c, "invoice") == has(c, "customer"))
        rg_api_field_error(c, "invoice", "name the invoice (\"invoice\") or the customer (\"customer\"): one of them");
    rq.source = "api";
    rq.now = c->now;
    moment_field(c, "occurred_at", c->now, &rq.at);
    json_t *data = json_object_get(c->body, "data");
    char *text = NULL;
    if (data && !json_is_null(data)) {
        if (!json_is_object(data))
            rg_api_field_error(c, "data", "must be a JSON object ({...})");
        else if (!(text = json_dumps(data, JSON_COMPACT | JSON_PRESERVE_ORDER))) {
            rg_api_problem(c, 500, "out of memory");
            return;
        }
    }
    rq.data = text;
    if (c->errors) {
        free(text);
        return;
    }
    rg_event_result out;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = submit_grouped(c, &rq, &out, &e);
    free(text);
    if (rc != RG_OK) {
        static const char *const map[] = {"at", "occurred_at", "event", "invoice", NULL};
        fail_named(c, "POST /v1/events", rc, &e, map);
        return;
    }
    rg_api_reply_text(c, 201, rg_event_result_json_text(rq.type, &out));
}

/* ---- POST /v1/payments ---- */

/* Copies a text field into dst; a field error when it does not fit. */
static void copy_field(rg_api_call *c, const char *name, bool required, char *dst, size_t n)
{
    const char *v = rg_api_str(c, name, required);
    if (v && !rg_strlcpy(dst, v, n))
        rg_api_field_error(c, name, "longer than %zu bytes", n - 1);
}

void rg_api_payments_post(rg_api_call *c)
{
    static const char *const known[] = {"invoice", "amount", "paid_at", "method", "reference", NULL};
    rg_api_no_other_fields(c, known);
    rg_payment p;
    rg_payment_init(&p);
    p.source = RG_PAY_API;
    copy_field(c, "invoice", true, p.invoice_external_id, sizeof p.invoice_external_id);
    const char *amount = rg_api_str(c, "amount", true);
    const char *why = NULL;
    if (amount && (!rg_money_parse(amount, strlen(amount), false, &p.amount, &why) || p.amount == 0))
        rg_api_field_error(c, "amount", "'%s' is not a positive amount%s%s (use \"1234.56\" or \"1.234,56\")", amount,
                           why ? ": " : "", why ? why : "");
    moment_field(c, "paid_at", c->now, &p.paid_at);
    copy_field(c, "method", false, p.method, sizeof p.method);
    copy_field(c, "reference", false, p.reference, sizeof p.reference);
    if (c->errors)
        return;
    rg_event_env env = env_of(c);
    rg_payment_outcome out;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_payment_submit(&env, &p, c->now, &out, &e);
    if (rc != RG_OK) {
        static const char *const map[] = {"invoice_external_id", "invoice", NULL};
        fail_named(c, "POST /v1/payments", rc, &e, map);
        return;
    }
    /* the same invoice and reference again: the first payment stands, nothing changed */
    rg_api_reply(c, out.recorded ? 201 : 200, rg_payment_outcome_json(&p, &out));
}

/* ---- tasks ---- */

/* The task id of the path ({id}); false (answered 404) when it is not one. */
static bool task_id(rg_api_call *c, int64_t *id)
{
    if (rg_parse_i64(c->r->params[0], 1, INT64_MAX, id))
        return true;
    rg_api_problem(c, 404, "no task with id '%.*s' (task ids are positive numbers)", (int)c->r->params[0].n,
                   c->r->params[0].p);
    return false;
}

/* Adds an item whose id is its name in errors; ctx is {page, err}. */
static rg_status add_by_id(void *ctx, int64_t id, json_t *item, const char *what)
{
    void **a = ctx;
    char text[24];
    snprintf(text, sizeof text, "%lld", (long long)id);
    return rg_api_page_add(a[0], id, item, what, text, a[1]);
}

static rg_status add_task(void *ctx, const rg_task_view *v)
{
    return add_by_id(ctx, v->task.id, rg_task_view_json(v), "task");
}

void rg_api_tasks_list(rg_api_call *c)
{
    const char *all = rg_http_query(c->r, "all");
    bool every = all && (!strcmp(all, "true") || !strcmp(all, "1"));
    if (all && !every && strcmp(all, "false") != 0 && strcmp(all, "0") != 0) {
        c->status = 400;
        rg_api_field_error(c, "all", "'%s' is not true or false", all);
        return;
    }
    rg_api_page p;
    if (!rg_api_page_start(c, &p))
        return;
    rg_err e;
    rg_err_clear(&e);
    void *ctx[2] = {&p, &e};
    rg_status rc = rg_store_task_view_page(c->store, every, p.after, p.fetch, add_task, ctx, &e);
    rg_api_page_finish(c, &p, "GET /v1/tasks", rc, &e);
}

static const char *const task_map[] = {"as", "assignee", NULL};

void rg_api_task_claim(rg_api_call *c)
{
    static const char *const known[] = {"assignee", NULL};
    int64_t id;
    if (!task_id(c, &id))
        return;
    rg_api_no_other_fields(c, known);
    const char *as = rg_api_str(c, "assignee", true);
    if (c->errors)
        return;
    rg_task_view v;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_task_claim(c->store, id, as, c->now, &v, &e);
    if (rc != RG_OK) {
        fail_named(c, "POST /v1/tasks/{id}/claim", rc, &e, task_map);
        return;
    }
    rg_api_reply(c, 200, rg_task_view_json(&v));
}

/* One of rg_task_done_check's problems as the answer's field error, unless
 * the body's reading named that field already. */
static void task_problem(void *ctx, const char *field, const char *msg)
{
    rg_api_call *c = ctx;
    if (!strcmp(field, "as"))
        field = "assignee";
    json_t *one;
    size_t i;
    json_array_foreach(c->errors, i, one) {
        if (!strcmp(json_string_value(json_object_get(one, "field")), field))
            return;
    }
    rg_api_field_error(c, field, "%s", msg);
}

void rg_api_task_done(rg_api_call *c)
{
    static const char *const known[] = {"outcome", "note", "assignee", "promise_date", "promise_amount", NULL};
    int64_t id;
    if (!task_id(c, &id))
        return;
    rg_api_no_other_fields(c, known);
    rg_task_done_params p;
    memset(&p, 0, sizeof p);
    p.outcome = rg_api_str(c, "outcome", true);
    p.note = rg_api_str(c, "note", false);
    p.assignee = rg_api_str(c, "assignee", false);
    p.promise_date = RG_DATE_NONE;
    p.promise_amount = -1;
    p.source = "api";
    const char *v = rg_api_str(c, "promise_date", false);
    if (v && !rg_date_parse(v, strlen(v), &p.promise_date))
        rg_api_field_error(c, "promise_date", "'%s' is not a date (2026-12-10 or 10/12/2026)", v);
    if ((v = rg_api_str(c, "promise_amount", false))) {
        const char *why = NULL;
        if (!has(c, "promise_date"))
            rg_api_field_error(c, "promise_amount", "goes with promise_date");
        else if (!rg_money_parse(v, strlen(v), false, &p.promise_amount, &why))
            rg_api_field_error(c, "promise_amount", "'%s' is not an amount%s%s", v, why ? ": " : "", why ? why : "");
    }
    /* every field the service would refuse, named at once (it refuses the first) */
    rg_date today = rg_tz_date(company_tz(c), c->now);
    if (!c->doc)
        rg_task_done_check(&p, today, task_problem, c);
    if (c->errors || c->doc)
        return;
    rg_event_env env = env_of(c);
    rg_task_done_result r;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_task_done(&env, id, &p, today, c->now, &r, &e);
    if (rc != RG_OK) {
        fail_named(c, "POST /v1/tasks/{id}/done", rc, &e, task_map);
        return;
    }
    rg_api_reply(c, 200, rg_task_done_json(&r));
}

/* ---- opt-outs ---- */

/* A page of opt-outs never splits a customer's: the cursor is the last
 * customer's id. Rows are read one customer beyond the page; when the
 * page would end inside a customer, that customer's rows move to the next
 * page (or, when it alone fills the page, all of them stay). */
typedef struct optout_page {
    rg_optout_row *v;
    size_t n, cap;
} optout_page;

static rg_status keep_optout(void *ctx, const rg_optout_row *o)
{
    optout_page *pg = ctx;
    rg_optout_row *slot = rg_array_grow((void **)&pg->v, pg->n, &pg->cap, sizeof *pg->v);
    if (!slot)
        return RG_ENOMEM;
    *slot = *o;
    pg->n++;
    return RG_OK;
}

void rg_api_optouts_list(rg_api_call *c)
{
    rg_api_page p;
    if (!rg_api_page_start(c, &p))
        return;
    const char *customer = rg_http_query(c->r, "customer"), *channel = rg_http_query(c->r, "channel");
    optout_page pg = {NULL, 0, 0};
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_optout_list(c->store, customer, channel, p.after, p.fetch, keep_optout, &pg, &e);
    if (filter_refused(c, &p, rc, &e)) { /* a bad channel or an unknown customer */
        free(pg.v);
        return;
    }
    size_t take = pg.n;
    bool more = false;
    if (rc == RG_OK && pg.n > (size_t)p.limit) {
        more = true;
        /* one row beyond the page: end at the last whole customer */
        int64_t cut = pg.v[p.limit].customer_id;
        take = (size_t)p.limit;
        while (take > 0 && pg.v[take - 1].customer_id == cut)
            take--;
        if (take == 0) { /* one customer fills the page: all of its rows (the next page may be empty) */
            pg.n = 0;
            rg_optout_filter f = {pg.v[0].customer_id, channel, p.after, 0};
            rc = rg_store_optout_list(c->store, &f, keep_optout, &pg, &e);
            take = pg.n;
        }
        p.limit = (int64_t)pg.n;
    }
    for (size_t i = 0; rc == RG_OK && i < take; i++)
        rc = rg_api_page_add(&p, pg.v[i].customer_id, rg_optout_json(&pg.v[i]), "opt-out of customer",
                             pg.v[i].customer_external_id, &e);
    p.more = more;
    if (rc == RG_ENOMEM && !e.msg[0])
        rg_err_set(&e, RG_ENOMEM, "optouts", "out of memory");
    free(pg.v);
    rg_api_page_finish(c, &p, "GET /v1/optouts", rc, &e);
}

static void optout_done(rg_api_call *c, const char *what, rg_status rc, rg_err *e, const rg_optout_result *r,
                        unsigned status)
{
    if (rc != RG_OK) {
        rg_api_fail(c, what, rc, e);
        return;
    }
    rg_api_reply(c, status, rg_optout_result_json(r));
}

void rg_api_optouts_post(rg_api_call *c)
{
    static const char *const known[] = {"customer", "channel", "source", NULL};
    rg_api_no_other_fields(c, known);
    const char *customer = rg_api_str(c, "customer", true), *channel = rg_api_str(c, "channel", true);
    const char *source = rg_api_str(c, "source", false);
    rg_err e;
    rg_err_clear(&e);
    if (channel && rg_optout_check_channel(channel, "channel", &e) != RG_OK)
        rg_api_field_error(c, "channel", "%s", e.msg);
    if (source && rg_optout_check_source(source, "source", &e) != RG_OK)
        rg_api_field_error(c, "source", "%s", e.msg);
    if (c->errors)
        return;
    rg_event_env env = env_of(c);
    rg_optout_result r;
    rg_status rc = rg_optout_add(&env, customer, channel, source ? source : "api", c->now, &r, &e);
    /* already opted out: 200 with the first opt-out, nothing changed */
    optout_done(c, "POST /v1/optouts", rc, &e, &r, r.changed ? 201 : 200);
}

void rg_api_optout_delete(rg_api_call *c)
{
    char customer[RG_EXTID_MAX + 1], channel[RG_CHANNEL_MAX + 1];
    const rg_slice *pc = &c->r->params[0], *ph = &c->r->params[1];
    if (pc->n >= sizeof customer || ph->n >= sizeof channel) {
        rg_api_problem(c, 404, "no such opt-out");
        return;
    }
    memcpy(customer, pc->p, pc->n);
    customer[pc->n] = '\0';
    memcpy(channel, ph->p, ph->n);
    channel[ph->n] = '\0';
    const char *source = rg_http_query(c->r, "source");
    rg_err e;
    rg_err_clear(&e);
    if (source && rg_optout_check_source(source, "source", &e) != RG_OK) {
        c->status = 400;
        rg_api_field_error(c, "source", "%s", e.msg);
        return;
    }
    rg_event_env env = env_of(c);
    rg_optout_result r;
    rg_status rc = rg_optout_remove(&env, customer, channel, source ? source : "api", c->now, &r, &e);
    /* a channel name that is not one names no opt-out */
    optout_done(c, "DELETE /v1/optouts/{customer}/{channel}", rc == RG_EINVAL ? RG_ENOTFOUND : rc, &e, &r, 200);
}

/* ---- promises ---- */

static rg_status add_promise(void *ctx, const rg_promise_view *v)
{
    return add_by_id(ctx, v->promise.id, rg_promise_view_json(v), "promise");
}

void rg_api_promises_list(rg_api_call *c)
{
    rg_api_page p;
    if (!rg_api_page_start(c, &p))
        return;
    rg_err e;
    rg_err_clear(&e);
    void *ctx[2] = {&p, &e};
    rg_status rc = rg_promise_list(c->store, rg_http_query(c->r, "customer"), rg_http_query(c->r, "invoice"),
                                   rg_http_query(c->r, "status"), p.after, p.fetch, add_promise, ctx, &e);
    /* the filters are checked before any row is read: a row that cannot be written is RG_EINVAL "promise" */
    if (strcmp(e.where, "promise") != 0 && filter_refused(c, &p, rc, &e))
        return;
    rg_api_page_finish(c, &p, "GET /v1/promises", rc, &e);
}

/* POST /v1/promises: the event promise.made (as `regua event promise.made
 * --data '{"date", "amount"}'`), its document the answer. */
void rg_api_promises_post(rg_api_call *c)
{
    static const char *const known[] = {"invoice", "customer", "date", "amount", NULL};
    rg_api_no_other_fields(c, known);
    rg_event_request rq;
    memset(&rq, 0, sizeof rq);
    rq.type = "promise.made";
    rq.invoice = rg_api_str(c, "invoice", false);
    rq.customer = rg_api_str(c, "customer", false);
    if (has(c, "invoice") == has(c, "customer"))
        rg_api_field_error(c, "invoice", "name the invoice (\"invoice\") or the customer (\"customer\"): one of them");
    const char *date = rg_api_str(c, "date", true);
    rg_date d;
    if (date && !rg_date_parse(date, strlen(date), &d))
        rg_api_field_error(c, "date", "'%s' is not a date (2026-12-10 or 10/12/2026)", date);
    json_t *amount = json_object_get(c->body, "amount");
    if (amount && !json_is_string(amount) && !json_is_null(amount))
        rg_api_field_error(c, "amount", "must be a string (\"150.00\" or \"150,00\")");
    if (c->errors)
        return;
    json_t *data = json_pack("{s:s}", "date", date);
    if (data && json_is_string(amount))
        json_object_set(data, "amount", amount);
    char *text = data ? json_dumps(data, JSON_COMPACT) : NULL;
    json_decref(data);
    if (!text) {
        rg_api_problem(c, 500, "out of memory");
        return;
    }
    rq.data = text;
    rq.source = "api";
    rq.now = c->now;
    rq.at = c->now;
    rg_event_env env = env_of(c);
    rg_event_result out;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_event_submit(&env, &rq, &out, &e);
    free(text);
    if (rc != RG_OK) {
        static const char *const map[] = {"data.date", "date", "data.amount", "amount", "event", "invoice", NULL};
        fail_named(c, "POST /v1/promises", rc, &e, map);
        return;
    }
    rg_api_reply_text(c, 201, rg_event_result_json_text(rq.type, &out));
}
