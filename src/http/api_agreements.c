/*
 * api_agreements — installment agreements (acordos; docs/agreements.md):
 * POST /v1/agreements (operator: `regua agreement create --json`),
 * GET /v1/agreements (viewer: `agreement list --json`, pages by id) and
 * GET /v1/agreements/{id} (viewer: `agreement show --json`), POST
 * /v1/agreements/{id}/cancel (operator: `agreement cancel --json`). One service
 * call each (service/agreements.h), one writer (rg_agreement_json).
 */
#include <string.h>

#include "http/http_int.h"
#include "service/agreements.h"

static rg_status add_agreement(void *ctx, const rg_agreement *a)
{
    void **v = ctx;
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)a->id);
    return rg_api_page_add(v[0], a->id, rg_agreement_json(a, NULL), "agreement", id, v[1]);
}

void rg_api_agreements_list(rg_api_call *c)
{
    rg_api_page p;
    if (!rg_api_page_start(c, &p))
        return;
    rg_err e;
    rg_err_clear(&e);
    void *ctx[2] = {&p, &e};
    rg_status rc = rg_agreement_list(c->store, rg_http_query(c->r, "customer"), rg_http_query(c->r, "status"), p.after,
                                     p.fetch, add_agreement, ctx, &e);
    /* the filters are checked before any row is read */
    if ((rc == RG_EINVAL || rc == RG_ENOTFOUND) && strcmp(e.where, "agreement") != 0) {
        rg_api_page_drop(&p);
        if (rc == RG_EINVAL) {
            c->status = 400;
            rg_api_field_error(c, e.where, "%s", e.msg);
        } else {
            rg_api_problem(c, 404, "%s", e.msg);
        }
        return;
    }
    rg_api_page_finish(c, &p, "GET /v1/agreements", rc, &e);
}

static void reply_view(rg_api_call *c, unsigned status, rg_agreement_view *v)
{
    rg_api_reply(c, status, rg_agreement_json(&v->agreement, v));
    rg_agreement_view_free(v);
}

void rg_api_agreement_get(rg_api_call *c)
{
    int64_t id;
    if (!rg_api_path_number(c, 0, "agreement", &id))
        return;
    rg_agreement_view v;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_agreement_load(c->store, id, &v, &e);
    if (rc != RG_OK)
        return rg_api_fail(c, "GET /v1/agreements/{id}", rc, &e);
    reply_view(c, 200, &v);
}

/* POST /v1/agreements {"customer", "invoices": [...], "installments"}. */
void rg_api_agreements_post(rg_api_call *c)
{
    static const char *const known[] = {"customer", "invoices", "installments", NULL};
    rg_api_no_other_fields(c, known);
    const char *customer = rg_api_str(c, "customer", true);
    json_t *inv = json_object_get(c->body, "invoices");
    const char *ids[RG_AGREEMENT_MAX_INVOICES];
    size_t n = 0;
    if (!json_is_array(inv) || json_array_size(inv) == 0)
        rg_api_field_error(c, "invoices", "a list of the customer's open invoices (external ids), at least one");
    else if (json_array_size(inv) > RG_AGREEMENT_MAX_INVOICES)
        rg_api_field_error(c, "invoices", "at most %d invoices in one agreement", RG_AGREEMENT_MAX_INVOICES);
    else
        for (size_t i = 0; i < json_array_size(inv); i++) {
            const char *s = json_string_value(json_array_get(inv, i));
            if (!s || !*s) {
                rg_api_field_error(c, "invoices", "item %zu is not an invoice's external id (a string)", i);
                break;
            }
            ids[n++] = s;
        }
    json_t *nj = json_object_get(c->body, "installments");
    int64_t installments = 0;
    if (!json_is_integer(nj) || json_integer_value(nj) < 1 || json_integer_value(nj) > RG_AGREEMENT_MAX_INSTALLMENTS)
        rg_api_field_error(c, "installments", "a whole number of monthly installments, 1 to %d",
                           RG_AGREEMENT_MAX_INSTALLMENTS);
    else
        installments = (int64_t)json_integer_value(nj);
    if (c->errors)
        return;
    rg_event_env env = *c->r->srv->events;
    env.store = c->store;
    rg_agreement_request rq = {customer, ids, n, installments, "api", c->now};
    rg_agreement_view v;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_agreement_create(&env, c->r->srv->config, &rq, &v, &e);
    if (rc != RG_OK)
        return rg_api_fail(c, "POST /v1/agreements", rc, &e);
    reply_view(c, 201, &v);
}

/* POST /v1/agreements/{id}/cancel (no body, or {}). */
void rg_api_agreement_cancel(rg_api_call *c)
{
    if (c->body)
        rg_api_no_other_fields(c, NULL);
    if (c->errors)
        return;
    int64_t id;
    if (!rg_api_path_number(c, 0, "agreement", &id))
        return;
    rg_event_env env = *c->r->srv->events;
    env.store = c->store;
    rg_agreement_view v;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_agreement_cancel(&env, id, "api", c->now, &v, &e);
    if (rc != RG_OK)
        return rg_api_fail(c, "POST /v1/agreements/{id}/cancel", rc, &e);
    reply_view(c, 200, &v);
}
