/*
 * The LGPD over the API: GET /v1/customers/{id}/export (viewer: the same
 * document as `regua customer export`), POST /v1/customers/{id}/anonymize
 * (admin: as `regua customer anonymize --yes --json`; 409 while an invoice
 * is open). docs/privacy.md.
 */
#include <jansson.h>
#include <string.h>

#include "http/http_int.h"
#include "service/privacy.h"

void rg_api_customer_export(rg_api_call *c)
{
    char id[RG_EXTID_MAX + 1];
    if (!rg_api_path_id(c, 0, "customer", id, sizeof id))
        return;
    void *doc = NULL;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_customer_export(c->store, c->r->srv->config, id, c->now, &doc, &e);
    if (rc != RG_OK)
        return rg_api_fail(c, "GET /v1/customers/{id}/export", rc, &e);
    rg_api_reply(c, 200, doc);
}

void rg_api_customer_anonymize(rg_api_call *c)
{
    if (c->body)
        rg_api_no_other_fields(c, NULL);
    if (c->errors)
        return;
    char id[RG_EXTID_MAX + 1];
    if (!rg_api_path_id(c, 0, "customer", id, sizeof id))
        return;
    rg_event_env env = *c->r->srv->events;
    env.store = c->store;
    rg_anonymize_result r;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_customer_anonymize(&env, id, "api", c->now, &r, &e);
    if (rc != RG_OK)
        return rg_api_fail(c, "POST /v1/customers/{id}/anonymize", rc, &e);
    rg_api_reply(c, 200, rg_anonymize_result_json(id, &r));
}
