/*
 * The outgoing webhooks' deliveries over the API (docs/api.md, "Outgoing
 * webhooks"): GET /v1/webhooks/deliveries lists them as `regua webhooks
 * deliveries --json` does (newest first; ?status= as its --status; the
 * API's ?limit= and ?after=), POST /v1/webhooks/deliveries/{id}/retry
 * queues a failed one again as `regua webhooks retry` does (admin).
 */
#include <string.h>

#include "http/http_int.h"
#include "service/webhooks.h"

void rg_api_webhook_deliveries_list(rg_api_call *c)
{
    const char *status = rg_http_query(c->r, "status");
    if (status && strcmp(status, "pending") && strcmp(status, "sending") && strcmp(status, "delivered") &&
        strcmp(status, "failed"))
        rg_api_field_error(c, "status", "must be one of pending, sending, delivered, failed");
    rg_api_page p;
    if (!rg_api_page_start(c, &p))
        return;
    rg_err e;
    rg_err_clear(&e);
    rg_webhook_list l;
    /* newest first: the cursor is the page's last (smallest) id */
    rg_status rc = rg_webhooks_page(c->store, status, p.after, p.fetch, &l, &e);
    for (size_t i = 0; rc == RG_OK && i < l.n; i++) {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)l.v[i].d.id);
        rc = rg_api_page_add(&p, l.v[i].d.id, rg_webhook_item_json(&l.v[i]), "webhook delivery", id, &e);
    }
    rg_webhook_list_free(&l); /* empty after a failure */
    rg_api_page_finish(c, &p, "GET /v1/webhooks/deliveries", rc, &e);
}

void rg_api_webhook_delivery_retry(rg_api_call *c)
{
    if (c->body)
        rg_api_no_other_fields(c, NULL);
    if (c->errors)
        return;
    int64_t id = 0;
    if (!rg_api_path_number(c, 0, "webhook delivery", &id))
        return;
    rg_err e;
    rg_err_clear(&e);
    rg_webhook_list one;
    rg_status rc = rg_webhooks_retry(c->store, id, c->now, &one, &e);
    if (rc != RG_OK)
        return rg_api_fail(c, "POST /v1/webhooks/deliveries/{id}/retry", rc, &e);
    rg_api_reply(c, 200, rg_webhook_item_json(&one.v[0]));
    rg_webhook_list_free(&one);
}
