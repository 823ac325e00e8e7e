/*
 * api_read — the API's read routes (docs/api.md): GET /v1/invoices (a
 * filtered, paginated list), GET /v1/invoices/{id} and GET
 * /v1/customers/{id} (the documents of `invoice show --json` and
 * `customer show --json`, from the same service views and JSON writers),
 * GET /v1/messages (filtered, paginated), GET /v1/simulate (`regua simulate
 * --json`, service/simulate). Ids in paths are the ERP's
 * external ids. Each handler parses, makes one service or store read and
 * answers through api.c's helpers.
 */
#include <string.h>

#include "http/http_int.h"
#include "service/json_model.h"
#include "service/json_views.h"
#include "service/reports.h"
#include "service/simulate.h"
#include "service/views.h"

/* Answers the document a JSON writer made (wrc RG_OK), else the failure to
 * write it: a stored text that is not UTF-8 is the server's fault (500). */
static void reply_doc(rg_api_call *c, const char *what, rg_status wrc, void *doc, const rg_err *e)
{
    if (wrc != RG_OK)
        rg_api_fail(c, what, RG_EINTERNAL, e);
    else
        rg_api_reply(c, 200, doc);
}

/* A query date (?due_from=2026-12-10): false with a field error when bad. */
static bool query_date(rg_api_call *c, const char *name, rg_date *out)
{
    const char *v = rg_http_query(c->r, name);
    if (v && !rg_date_parse(v, strlen(v), out)) {
        rg_api_field_error(c, name, "must be a date (2026-12-10 or 10/12/2026)");
        return false;
    }
    return true;
}

/* A query text filter: NULL when absent; a field error when empty or too long. */
static const char *query_text(rg_api_call *c, const char *name, size_t max)
{
    const char *v = rg_http_query(c->r, name);
    if (v && (!*v || strlen(v) > max)) {
        rg_api_field_error(c, name, "must be between 1 and %zu bytes", max);
        return NULL;
    }
    return v;
}

/* ---- GET /v1/invoices ---- */

typedef struct page_ctx {
    rg_api_page *p;
    rg_err *e;
} page_ctx;

/* Each row straight into the page's text: no json_t per invoice. */
static rg_status add_invoice(void *ctx, const rg_invoice *inv)
{
    page_ctx *pc = ctx;
    rg_jw *w = rg_api_page_item(pc->p);
    if (!w)
        return RG_OK;
    rg_invoice_json_write(w, inv);
    return rg_api_page_item_done(pc->p, inv->id, "invoice", inv->external_id, pc->e);
}

void rg_api_invoices_list(rg_api_call *c)
{
    rg_invoice_filter f;
    rg_invoice_filter_init(&f);
    const char *v;
    if ((v = rg_http_query(c->r, "status"))) {
        rg_invoice_status st;
        if (rg_invoice_status_parse(v, &st))
            f.status = (int)st;
        else
            rg_api_field_error(c, "status", "must be one of open, paid, cancelled, renegotiated, written_off");
    }
    f.customer_external_id = query_text(c, "customer", RG_EXTID_MAX);
    query_date(c, "due_from", &f.due_from);
    query_date(c, "due_to", &f.due_to);
    rg_api_page p;
    if (!rg_api_page_start(c, &p)) /* answers 400 with every bad parameter, these included */
        return;
    f.after_id = p.after;
    f.limit = p.fetch;
    rg_err e;
    rg_err_clear(&e);
    page_ctx pc = {&p, &e};
    rg_status rc = rg_store_invoice_each(c->store, &f, add_invoice, &pc, &e);
    rg_api_page_finish(c, &p, "GET /v1/invoices", rc, &e);
}

/* ---- GET /v1/invoices/{id} ---- */

void rg_api_invoice_get(rg_api_call *c)
{
    char id[RG_EXTID_MAX + 1];
    if (!rg_api_path_id(c, 0, "invoice", id, sizeof id))
        return;
    rg_api_invoice_reply(c, 200, id);
}

void rg_api_invoice_reply(rg_api_call *c, unsigned status, const char *id)
{
    rg_err e;
    rg_err_clear(&e);
    rg_invoice_view v;
    rg_http_conn *cx = c->r->cx; /* set: c->store is the connection's */
    rg_engine *eng = rg_view_engine_reuse(c->store, c->r->srv->config, &cx->view_engine, &cx->view_sig);
    rg_status rc = rg_invoice_view_get(c->store, eng, id, c->now, &v, &e);
    if (rc != RG_OK) {
        rg_api_fail(c, "GET /v1/invoices/{id}", rc, &e);
        return;
    }
    void *doc = NULL;
    if (rg_invoice_view_json(&v, &doc, &e) != RG_OK)
        rg_api_fail(c, "GET /v1/invoices/{id}", RG_EINTERNAL, &e); /* stored text that is not UTF-8 */
    else
        rg_api_reply(c, status, doc);
    rg_invoice_view_free(&v);
}

/* ---- GET /v1/customers/{id} ---- */

void rg_api_customer_get(rg_api_call *c)
{
    char id[RG_EXTID_MAX + 1];
    if (!rg_api_path_id(c, 0, "customer", id, sizeof id))
        return;
    rg_err e;
    rg_err_clear(&e);
    rg_customer_view v;
    rg_status rc = rg_customer_view_get(c->store, id, &v, &e);
    if (rc != RG_OK) {
        rg_api_fail(c, "GET /v1/customers/{id}", rc, &e);
        return;
    }
    void *doc = NULL;
    rg_status wrc = rg_customer_view_json(&v, &doc, &e);
    reply_doc(c, "GET /v1/customers/{id}", wrc, doc, &e);
    rg_customer_view_free(&v);
}

/* ---- GET /v1/messages ---- */

static rg_status add_message(void *ctx, const rg_message *m)
{
    page_ctx *pc = ctx;
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)m->id);
    return rg_api_page_add(pc->p, m->id, rg_message_json(m), "message", id, pc->e);
}

void rg_api_messages_list(rg_api_call *c)
{
    rg_message_filter f;
    rg_message_filter_init(&f);
    const char *v;
    if ((v = rg_http_query(c->r, "status"))) {
        rg_message_status st;
        if (rg_message_status_parse(v, &st))
            f.status = (int)st;
        else
            rg_api_field_error(c, "status",
                               "must be one of planned, queued, sending, sent, delivered, read, failed, cancelled,"
                               " suppressed, uncertain");
    }
    f.channel = query_text(c, "channel", 63);
    f.invoice_external_id = query_text(c, "invoice", RG_EXTID_MAX);
    f.customer_external_id = query_text(c, "customer", RG_EXTID_MAX);
    rg_api_page p;
    if (!rg_api_page_start(c, &p))
        return;
    f.after_id = p.after;
    f.limit = p.fetch;
    rg_err e;
    rg_err_clear(&e);
    page_ctx pc = {&p, &e};
    rg_status rc = rg_store_message_each(c->store, &f, add_message, &pc, &e);
    rg_api_page_finish(c, &p, "GET /v1/messages", rc, &e);
}

/* ---- GET /v1/simulate ---- */

void rg_api_simulate(rg_api_call *c)
{
    rg_http_server *srv = c->r->srv;
    rg_simulate_params p = {srv->config, c->now, RG_DATE_NONE, 30, rg_zones_company(srv->events->zones),
                            srv->events->zones};
    query_date(c, "from", &p.from);
    const char *v = rg_http_query(c->r, "days");
    if (v && !rg_parse_i64(rg_slice_cstr(v), 1, 366, &p.days))
        rg_api_field_error(c, "days", "must be a whole number from 1 to 366");
    if (c->errors) {
        rg_api_problem(c, 400, "bad query parameters");
        return;
    }
    rg_err e;
    rg_err_clear(&e);
    rg_simulation sim;
    rg_status rc = rg_simulate(c->store, &p, &sim, NULL, &e);
    if (rc == RG_EINVAL) { /* a cadence file or template that does not load: the server's files, not the request */
        rg_api_problem(c, 409, "%s: %s", e.where, e.msg);
        return;
    }
    if (rc != RG_OK) {
        rg_api_fail(c, "GET /v1/simulate", rc, &e);
        return;
    }
    void *doc = NULL;
    rg_status wrc = rg_simulation_json(&sim, &doc, &e);
    reply_doc(c, "GET /v1/simulate", wrc, doc, &e);
    rg_simulation_free(&sim);
}

/* ---- GET /v1/reports/{name} ---- */

void rg_api_report(rg_api_call *c)
{
    rg_http_server *srv = c->r->srv;
    char name[32];
    if (!rg_api_path_id(c, 0, "report", name, sizeof name))
        return;
    const rg_triggers *tr = srv->events->triggers;
    rg_report_params p = {srv->config, tr ? tr->calendar : NULL, rg_zones_company(srv->events->zones),
                          srv->events->zones, c->now, RG_DATE_NONE, RG_DATE_NONE, RG_DATE_NONE, RG_PERIOD_DAY};
    query_date(c, "from", &p.from);
    query_date(c, "to", &p.to);
    query_date(c, "as_of", &p.as_of);
    const char *v = rg_http_query(c->r, "period");
    if (v && !rg_report_period_parse(v, &p.period))
        rg_api_field_error(c, "period", "must be day, week or month");
    if (c->errors) {
        rg_api_problem(c, 400, "bad query parameters");
        return;
    }
    rg_err e;
    rg_err_clear(&e);
    rg_report rep;
    rg_status rc = rg_report_run(c->store, name, &p, &rep, &e);
    if (rc == RG_EINVAL && !strcmp(e.where, "report")) {
        rg_api_problem(c, 404, "%s", e.msg);
        return;
    }
    if (rc == RG_EINVAL && (!strcmp(e.where, "from") || !strcmp(e.where, "to"))) {
        rg_api_field_error(c, e.where, "%s", e.msg);
        rg_api_problem(c, 400, "bad query parameters");
        return;
    }
    if (rc == RG_EINVAL) { /* forecast: a cadence file or template that does not load */
        rg_api_problem(c, 409, "%s: %s", e.where, e.msg);
        return;
    }
    if (rc != RG_OK) {
        rg_api_fail(c, "GET /v1/reports/{name}", rc, &e);
        return;
    }
    void *doc = NULL;
    rg_status wrc = rg_report_json(&rep, &doc, &e);
    reply_doc(c, "GET /v1/reports/{name}", wrc, doc, &e);
    rg_report_free(&rep);
}
