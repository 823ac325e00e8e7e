/*
 * The admin's routes of the REST API (docs/api.md): CSV imports
 * (POST /v1/imports/{kind}), the same service and document as `regua
 * import --json`.
 */
#include <jansson.h>
#include <string.h>

#include "http/http_int.h"
#include "service/import.h"

/* A query flag: absent (false), true/false/1/0; else a field error. */
static bool query_flag(rg_api_call *c, const char *name)
{
    const char *v = rg_http_query(c->r, name);
    if (!v || !strcmp(v, "false") || !strcmp(v, "0"))
        return false;
    if (!strcmp(v, "true") || !strcmp(v, "1") || !v[0])
        return true;
    rg_api_field_error(c, name, "'%s' is not true or false", v);
    return false;
}

/* ---- POST /v1/imports/{customers|invoices|payments} ---- */

void rg_api_import(rg_api_call *c)
{
    rg_slice k = c->r->params[0];
    char kname[16];
    rg_import_kind kind;
    if (k.n >= sizeof kname || (memcpy(kname, k.p, k.n), kname[k.n] = '\0', !rg_import_kind_parse(kname, &kind))) {
        rg_api_problem(c, 404, "nothing to import as '%.*s': customers, invoices or payments", (int)(k.n > 40 ? 40 : k.n),
                       k.p);
        return;
    }
    rg_import_options io;
    rg_import_options_init(&io, c->r->srv->events->zones, c->now);
    io.skip_invalid = query_flag(c, "skip_invalid");
    io.encoding = rg_http_query(c->r, "encoding");
    io.clear = rg_http_query(c->r, "clear");
    if (c->errors) {
        c->status = 400; /* a query parameter */
        return;
    }
    rg_event_env env = *c->r->srv->events;
    env.store = c->store;
    rg_import_report rep;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_import_csv_buffer(&env, kind, "body", c->r->body, c->r->body_len, &io, &rep, &e);
    if (rc == RG_OK) {
        rg_api_reply(c, 200, rg_import_report_json(kind, &rep));
    } else if (rc == RG_EINVAL && !rep.committed) {
        /* refused: every problem, numbered by line */
        json_t *probs = rg_import_problems_json(&rep, false), *one;
        size_t i;
        json_array_foreach(probs, i, one) {
            rg_api_field_error(c, json_string_value(json_object_get(one, "field")), "%s",
                               json_string_value(json_object_get(one, "message")));
        }
        json_decref(probs);
        if (!c->errors)
            rg_api_fail(c, "POST /v1/imports/{kind}", rc, &e);
    } else if (rc == RG_EUSAGE) {
        /* an option: the query parameter of the CLI's --flag */
        c->status = 400;
        rg_api_field_error(c, !strncmp(e.where, "--", 2) ? e.where + 2 : e.where, "%s", e.msg);
    } else {
        rg_api_fail(c, "POST /v1/imports/{kind}", rc, &e);
    }
    rg_import_report_free(&rep);
}
