/*
 * The admin's routes of the REST API (docs/api.md): CSV imports
 * (POST /v1/imports/{kind}), the same service and document as `regua
 * import --json`; the cadences (GET /v1/cadences, /v1/cadences/{name},
 * POST /v1/cadences/lint) as `regua cadence list|show|lint --json`; the
 * invoices an ERP writes one at a time (POST /v1/invoices, PATCH
 * /v1/invoices/{id}, POST /v1/invoices/{id}/cancel), each a one-row
 * `regua import invoices` (rg_invoice_write_one).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "http/http_int.h"
#include "service/cadences.h"
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

/* ---- cadences: GET /v1/cadences, GET /v1/cadences/{name}, POST /v1/cadences/lint ---- */

/* A page of `regua cadence list --json`'s items; an item's keyset id is its
 * 1-based position in that list. */
void rg_api_cadences_list(rg_api_call *c)
{
    rg_api_page p;
    if (!rg_api_page_start(c, &p))
        return;
    rg_engine *eng = NULL;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_cadences_open(c->r->srv->config, &eng, &e);
    if (rc != RG_OK) {
        rg_api_page_drop(&p);
        return rg_api_fail(c, "GET /v1/cadences", rc == RG_EINVAL ? RG_ECONFLICT : rc, &e); /* a file that does not load */
    }
    json_t *all = rg_cadence_list_json(rg_engine_cadences(eng)), *one;
    size_t i;
    rc = all ? RG_OK : RG_ENOMEM;
    json_array_foreach(all, i, one) {
        if ((int64_t)i + 1 <= p.after)
            continue;
        if (p.more || (rc = rg_api_page_add(&p, (int64_t)i + 1, json_incref(one), "cadence",
                                            json_string_value(json_object_get(one, "cadence")), &e)) != RG_OK)
            break;
    }
    json_decref(all);
    rg_engine_close(eng);
    rg_api_page_finish(c, &p, "GET /v1/cadences", rc, &e);
}

void rg_api_cadence_show(rg_api_call *c)
{
    rg_slice p = c->r->params[0];
    char name[128];
    if (p.n >= sizeof name) {
        rg_api_problem(c, 404, "no cadence named '%.40s...' is loaded", p.p);
        return;
    }
    memcpy(name, p.p, p.n);
    name[p.n] = '\0';
    rg_engine *eng = NULL;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_cadences_open(c->r->srv->config, &eng, &e);
    if (rc != RG_OK)
        return rg_api_fail(c, "GET /v1/cadences/{name}", rc == RG_EINVAL ? RG_ECONFLICT : rc, &e);
    const rg_cadence *cad = rg_cadence_set_find(rg_engine_cadences(eng), name);
    void *doc = NULL;
    if (!cad)
        rg_api_problem(c, 404, "no cadence named '%s' is loaded (GET /v1/cadences lists them)", name);
    else if ((rc = rg_cadence_show_json(c->store, cad, &doc, &e)) != RG_OK)
        rg_api_fail(c, "GET /v1/cadences/{name}", rc == RG_EINVAL ? RG_EINTERNAL : rc, &e);
    else
        rg_api_reply(c, 200, doc);
    rg_engine_close(eng);
}

/* The body's format from its Content-Type (no parameters, any case);
 * false: answered 415-like 400 naming the header. */
static bool lint_format(rg_api_call *c, rg_cadence_format *fmt)
{
    const char *ct = rg_http_header(c->r, "Content-Type");
    size_t n = ct ? strcspn(ct, "; ") : 0;
    static const char *const yaml[] = {"application/yaml", "text/yaml", "application/x-yaml", "text/x-yaml", NULL};
    if (ct && n == strlen("application/json") && !strncasecmp(ct, "application/json", n)) {
        *fmt = RG_CADENCE_JSON;
        return true;
    }
    for (size_t i = 0; ct && yaml[i]; i++)
        if (n == strlen(yaml[i]) && !strncasecmp(ct, yaml[i], n)) {
            *fmt = RG_CADENCE_YAML;
            return true;
        }
    c->status = 400;
    rg_api_field_error(c, "Content-Type", "'%.*s' is not a cadence's type: application/yaml (or text/yaml) or "
                       "application/json", (int)(n > 60 ? 60 : n), ct ? ct : "");
    return false;
}

void rg_api_cadence_lint(rg_api_call *c)
{
    rg_cadence_lint_input in = {.text = c->r->body, .len = c->r->body_len, .name = "body"};
    if (!lint_format(c, &in.format))
        return;
    rg_diags d = RG_DIAGS_INIT;
    size_t files = 0;
    rg_err te;
    rg_status rc = rg_cadences_lint(c->r->srv->config, &in, &d, &files, &te);
    if (te.code != RG_OK)
        rg_warn("POST /v1/cadences/lint: templates not loaded (%s: %s); every template counts as missing", te.where,
                te.msg);
    if (rc == RG_OK || rc == RG_EINVAL)
        rg_api_reply(c, 200, rg_cadence_lint_json(&d, files));
    else
        rg_api_fail(c, "POST /v1/cadences/lint", rc,
                    &(rg_err){.code = rc, .where = "lint", .msg = "out of memory"});
    rg_diags_free(&d);
}

/* ---- invoices: POST /v1/invoices, PATCH /v1/invoices/{id}, POST /v1/invoices/{id}/cancel ---- */

/* The body's fields: the invoices CSV's columns, `customer` for the
 * customer's external id (docs/import.md). */
static const char *const invoice_fields[] = {
    "external_id", "customer",    "description", "amount",   "issue_date",         "due_date",
    "status",      "boleto_bank", "linha_digitavel", "pix_code", "payment_url",     "tags",
    "nosso_numero", "fine_pct",   "interest_month_pct", NULL,
};
#define INVOICE_FIELDS (sizeof invoice_fields / sizeof *invoice_fields - 1)

typedef struct invoice_body {
    rg_import_field f[INVOICE_FIELDS];
    size_t n;
    char *owned[INVOICE_FIELDS]; /* texts made from numbers and lists */
    size_t n_owned;
} invoice_body;

/* The body as import fields: a string as it is, a number as its JSON text,
 * tags as a list of strings or "a|b", null (PATCH) to clear the column. */
static void invoice_fields_read(rg_api_call *c, invoice_body *b, bool allow_null)
{
    memset(b, 0, sizeof *b);
    rg_api_no_other_fields(c, invoice_fields);
    for (size_t i = 1; i < INVOICE_FIELDS; i++) { /* external_id: the caller's */
        const char *name = invoice_fields[i];
        json_t *v = json_object_get(c->body, name);
        if (!v)
            continue;
        const char *column = !strcmp(name, "customer") ? "customer_external_id" : name;
        const char *text = NULL;
        if (json_is_string(v)) {
            text = json_string_value(v);
        } else if (json_is_number(v) && strcmp(name, "customer") != 0) {
            text = b->owned[b->n_owned++] = json_dumps(v, JSON_ENCODE_ANY);
        } else if (json_is_array(v) && !strcmp(name, "tags")) {
            rg_buf t = RG_BUF_INIT;
            size_t k;
            json_t *tag;
            json_array_foreach(v, k, tag) {
                if (!json_is_string(tag)) {
                    rg_api_field_error(c, name, "must be a list of strings or \"a|b\"");
                    break;
                }
                rg_buf_printf(&t, "%s%s", k ? "|" : "", json_string_value(tag));
            }
            text = b->owned[b->n_owned++] = t.oom ? NULL : rg_strdup(rg_buf_cstr(&t));
            rg_buf_free(&t);
        } else if (json_is_null(v) && allow_null) {
            text = NULL; /* clear it */
        } else {
            rg_api_field_error(c, name, json_is_null(v) ? "cannot be null when creating an invoice (leave it out)"
                                                        : "must be a string");
            continue;
        }
        if (!text && !json_is_null(v)) {
            rg_api_problem(c, 500, "out of memory");
            continue;
        }
        b->f[b->n++] = (rg_import_field){column, text};
    }
}

static void invoice_body_free(invoice_body *b)
{
    for (size_t i = 0; i < b->n_owned; i++)
        free(b->owned[i]);
}

/* Writes the invoice through the import's one-row path and answers its
 * document (GET /v1/invoices/{id}) with `status`. */
static void invoice_write(rg_api_call *c, const char *what, rg_invoice_write mode, const char *id,
                          const invoice_body *b, unsigned status)
{
    rg_import_options io;
    rg_import_options_init(&io, c->r->srv->events->zones, c->now);
    rg_event_env env = *c->r->srv->events;
    env.store = c->store;
    rg_import_report rep;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_invoice_write_one(&env, mode, id, b ? b->f : NULL, b ? b->n : 0, &io, &rep, &e);
    if (rc == RG_OK) {
        rg_api_invoice_reply(c, status, id);
    } else if (rc == RG_EINVAL && rep.n_items) {
        for (size_t i = 0; i < rep.n_items; i++) {
            const rg_import_problem *p = &rep.items[i];
            if (p->warning)
                continue;
            const char *field = !p->column ? "body"
                                : !strcmp(p->column, "customer_external_id") ? "customer"
                                                                             : p->column;
            rg_api_field_error(c, field, "%.*s", (int)p->msg_len, rep.text.p + p->msg_off);
        }
    } else {
        if (!strcmp(e.where, "customer_external_id")) /* the body's name for it */
            rg_strlcpy(e.where, "customer", sizeof e.where);
        rg_api_fail(c, what, rc, &e);
    }
    rg_import_report_free(&rep);
}

/* The path's invoice id into buf; false (answered 404) when too long. */
static bool invoice_param(rg_api_call *c, char *buf, size_t n)
{
    rg_slice p = c->r->params[0];
    if (p.n >= n) {
        rg_api_problem(c, 404, "no invoice has external id '%.40s...'", p.p);
        return false;
    }
    memcpy(buf, p.p, p.n);
    buf[p.n] = '\0';
    return true;
}

void rg_api_invoice_create(rg_api_call *c)
{
    invoice_body b;
    const char *id = rg_api_str(c, "external_id", true);
    invoice_fields_read(c, &b, false);
    if (id && strlen(id) > RG_EXTID_MAX)
        rg_api_field_error(c, "external_id", "longer than %d characters", RG_EXTID_MAX);
    if (!c->errors && !c->doc)
        invoice_write(c, "POST /v1/invoices", RG_INVOICE_CREATE, id, &b, 201);
    invoice_body_free(&b);
}

void rg_api_invoice_update(rg_api_call *c)
{
    char id[RG_EXTID_MAX + 1];
    if (!invoice_param(c, id, sizeof id))
        return;
    const char *body_id = rg_api_str(c, "external_id", false);
    if (body_id && strcmp(body_id, id) != 0)
        rg_api_field_error(c, "external_id", "cannot be changed (it is '%s' in the path)", id);
    invoice_body b;
    invoice_fields_read(c, &b, true);
    if (!c->errors && !c->doc)
        invoice_write(c, "PATCH /v1/invoices/{id}", RG_INVOICE_UPDATE, id, &b, 200);
    invoice_body_free(&b);
}

void rg_api_invoice_cancel(rg_api_call *c)
{
    if (c->body)
        rg_api_no_other_fields(c, NULL);
    if (c->errors)
        return;
    char id[RG_EXTID_MAX + 1];
    if (!invoice_param(c, id, sizeof id))
        return;
    invoice_write(c, "POST /v1/invoices/{id}/cancel", RG_INVOICE_CANCEL, id, NULL, 200);
}
