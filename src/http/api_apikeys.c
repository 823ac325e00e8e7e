/*
 * The API keys over the API (admin): GET /v1/apikeys lists them as
 * `apikey list --json` does; POST /v1/apikeys/{id}/revoke revokes one. A
 * key is made only by `regua apikey create`: an answer with the key would
 * be kept whole for an Idempotency-Key's replay, and only hashes are stored.
 */
#include <string.h>

#include "http/http_int.h"
#include "service/json_model.h"

static rg_status add_key(void *ctx, const rg_apikey_row *k)
{
    void **a = ctx;
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)k->id);
    return rg_api_page_add(a[0], k->id, rg_apikey_json(k), "API key", id, a[1]);
}

void rg_api_apikeys_list(rg_api_call *c)
{
    rg_api_page p;
    if (!rg_api_page_start(c, &p))
        return;
    rg_err e;
    rg_err_clear(&e);
    void *ctx[2] = {&p, &e};
    rg_status rc = rg_apikey_list(c->store, p.after, p.fetch, add_key, ctx, &e);
    rg_api_page_finish(c, &p, "GET /v1/apikeys", rc, &e);
}

void rg_api_apikey_revoke(rg_api_call *c)
{
    if (c->body)
        rg_api_no_other_fields(c, NULL);
    if (c->errors)
        return;
    int64_t id = 0;
    if (!rg_api_path_number(c, 0, "API key", &id))
        return;
    rg_apikey_row k;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_apikey_revoke(c->store, id, c->now, &k, &e);
    if (rc != RG_OK)
        return rg_api_fail(c, "POST /v1/apikeys/{id}/revoke", rc, &e);
    rg_apikey_cache_forget(&c->r->srv->keys, id); /* refused by this server from its next request */
    rg_api_reply(c, 200, rg_apikey_json(&k));
}
