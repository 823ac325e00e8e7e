/*
 * api — the REST API's layer under /v1 (http_int.h): the route table with
 * each route's least role, Bearer authentication, problem+json errors,
 * Idempotency-Keys, JSON bodies and paginated lists. Handlers fill an
 * rg_api_call; this file sends (and, for an Idempotency-Key, stores) it.
 */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "http/http_int.h"
#include "service/json_model.h"

#define JSON_TYPE "application/json; charset=utf-8"
#define PROBLEM_TYPE "application/problem+json; charset=utf-8"

/* ---- the routes: one row each (http_int.h) ---- */

static const rg_api_route api_routes[] = {
    {"GET", "/v1/customers", RG_ROLE_VIEWER, RG_API_NO_BODY, rg_api_customers_list},
    {"GET", "/v1/customers/{}", RG_ROLE_VIEWER, RG_API_NO_BODY, rg_api_customer_get},
    {"GET", "/v1/invoices", RG_ROLE_VIEWER, RG_API_NO_BODY, rg_api_invoices_list},
    {"GET", "/v1/invoices/{}", RG_ROLE_VIEWER, RG_API_NO_BODY, rg_api_invoice_get},
    {"GET", "/v1/messages", RG_ROLE_VIEWER, RG_API_NO_BODY, rg_api_messages_list},
    {"GET", "/v1/simulate", RG_ROLE_VIEWER, RG_API_NO_BODY, rg_api_simulate},
    {"GET", "/v1/reports/{}", RG_ROLE_VIEWER, RG_API_NO_BODY, rg_api_report},
    {"GET", "/v1/customers/{}/export", RG_ROLE_VIEWER, RG_API_NO_BODY, rg_api_customer_export},
    {"POST", "/v1/customers/{}/anonymize", RG_ROLE_ADMIN, RG_API_JSON_OPT, rg_api_customer_anonymize},
    {"GET", "/v1/apikeys", RG_ROLE_ADMIN, RG_API_NO_BODY, rg_api_apikeys_list},
    {"POST", "/v1/apikeys/{}/revoke", RG_ROLE_ADMIN, RG_API_JSON_OPT, rg_api_apikey_revoke},
    {"POST", "/v1/imports/{}", RG_ROLE_ADMIN, RG_API_RAW, rg_api_import},
    {"GET", "/v1/cadences", RG_ROLE_VIEWER, RG_API_NO_BODY, rg_api_cadences_list},
    {"POST", "/v1/cadences/lint", RG_ROLE_ADMIN, RG_API_RAW, rg_api_cadence_lint},
    {"GET", "/v1/cadences/{}", RG_ROLE_VIEWER, RG_API_NO_BODY, rg_api_cadence_show},
    {"POST", "/v1/invoices", RG_ROLE_ADMIN, RG_API_JSON, rg_api_invoice_create},
    {"PATCH", "/v1/invoices/{}", RG_ROLE_ADMIN, RG_API_JSON, rg_api_invoice_update},
    {"POST", "/v1/invoices/{}/cancel", RG_ROLE_ADMIN, RG_API_JSON_OPT, rg_api_invoice_cancel},
    {"POST", "/v1/events", RG_ROLE_OPERATOR, RG_API_JSON, rg_api_events_post},
    {"POST", "/v1/payments", RG_ROLE_OPERATOR, RG_API_JSON, rg_api_payments_post},
    {"GET", "/v1/tasks", RG_ROLE_VIEWER, RG_API_NO_BODY, rg_api_tasks_list},
    {"POST", "/v1/tasks/{}/claim", RG_ROLE_OPERATOR, RG_API_JSON, rg_api_task_claim},
    {"POST", "/v1/tasks/{}/done", RG_ROLE_OPERATOR, RG_API_JSON, rg_api_task_done},
    {"GET", "/v1/promises", RG_ROLE_VIEWER, RG_API_NO_BODY, rg_api_promises_list},
    {"POST", "/v1/promises", RG_ROLE_OPERATOR, RG_API_JSON, rg_api_promises_post},
    {"GET", "/v1/agreements", RG_ROLE_VIEWER, RG_API_NO_BODY, rg_api_agreements_list},
    {"POST", "/v1/agreements", RG_ROLE_OPERATOR, RG_API_JSON, rg_api_agreements_post},
    {"GET", "/v1/agreements/{}", RG_ROLE_VIEWER, RG_API_NO_BODY, rg_api_agreement_get},
    {"POST", "/v1/agreements/{}/cancel", RG_ROLE_OPERATOR, RG_API_JSON_OPT, rg_api_agreement_cancel},
    {"GET", "/v1/optouts", RG_ROLE_VIEWER, RG_API_NO_BODY, rg_api_optouts_list},
    {"POST", "/v1/optouts", RG_ROLE_OPERATOR, RG_API_JSON, rg_api_optouts_post},
    {"DELETE", "/v1/optouts/{}/{}", RG_ROLE_OPERATOR, RG_API_NO_BODY, rg_api_optout_delete},
    {"GET", "/v1/webhooks/deliveries", RG_ROLE_VIEWER, RG_API_NO_BODY, rg_api_webhook_deliveries_list},
    {"POST", "/v1/webhooks/deliveries/{}/retry", RG_ROLE_ADMIN, RG_API_JSON_OPT, rg_api_webhook_delivery_retry},
    {"GET", "/v1/openapi.json", RG_ROLE_NONE, RG_API_NO_BODY, rg_api_openapi},
};

const rg_api_route *rg_api_routes(size_t *n)
{
    *n = sizeof api_routes / sizeof *api_routes;
    return api_routes;
}

bool rg_api_is_api_path(const char *path)
{
    return !strcmp(path, "/v1") || !strncmp(path, "/v1/", 4);
}

const rg_api_route *rg_api_find(const char *method, const char *path, unsigned *fail)
{
    rg_slice params[RG_HTTP_MAX_PARAMS];
    size_t n;
    bool known = false;
    for (size_t i = 0; i < sizeof api_routes / sizeof *api_routes; i++) {
        if (!rg_http_match(api_routes[i].pattern, path, params, &n))
            continue;
        known = true;
        if (!strcmp(api_routes[i].method, method) || (!strcmp(method, "HEAD") && !strcmp(api_routes[i].method, "GET")))
            return &api_routes[i];
    }
    *fail = known ? MHD_HTTP_METHOD_NOT_ALLOWED : MHD_HTTP_NOT_FOUND;
    return NULL;
}

/* The methods of the routes matching path, "GET, HEAD, POST" (405's Allow). */
static const char *allowed(const char *path, char *buf, size_t n)
{
    rg_slice params[RG_HTTP_MAX_PARAMS];
    size_t np, len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof api_routes / sizeof *api_routes; i++) {
        if (!rg_http_match(api_routes[i].pattern, path, params, &np) || strstr(buf, api_routes[i].method))
            continue;
        bool get = !strcmp(api_routes[i].method, "GET");
        int w = snprintf(buf + len, n - len, "%s%s%s", len ? ", " : "", api_routes[i].method, get ? ", HEAD" : "");
        if (w < 0 || (size_t)w >= n - len)
            break;
        len += (size_t)w;
    }
    return buf;
}

/* ---- problems (RFC 9457) ---- */

typedef struct problem_kind {
    unsigned status;
    const char *slug; /* type: "urn:regua:problem:" slug */
    const char *title;
} problem_kind;

static const problem_kind kinds[] = {
    {400, "bad-request", "Bad Request"},
    {401, "unauthorized", "Unauthorized"},
    {403, "forbidden", "Forbidden"},
    {404, "not-found", "Not Found"},
    {405, "method-not-allowed", "Method Not Allowed"},
    {409, "conflict", "Conflict"},
    {413, "too-large", "Content Too Large"},
    {422, "invalid", "Unprocessable Content"},
    {500, "internal", "Internal Server Error"},
    {502, "provider", "Bad Gateway"},
    {503, "unavailable", "Service Unavailable"},
};

static const problem_kind *kind_of(unsigned status)
{
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (kinds[i].status == status)
            return &kinds[i];
    return &kinds[status >= 500 ? 8 : 0];
}

static json_t *problem_doc(unsigned status, const char *detail)
{
    const problem_kind *k = kind_of(status);
    char type[64];
    snprintf(type, sizeof type, "urn:regua:problem:%s", k->slug);
    json_t *d = json_pack("{s:s, s:s, s:i, s:s}", "type", type, "title", k->title, "status", (int)status, "detail",
                          detail);
    if (!d) /* a detail that is not UTF-8 */
        d = json_pack("{s:s, s:s, s:i, s:s}", "type", type, "title", k->title, "status", (int)status, "detail",
                      "the request was refused");
    return d;
}

enum MHD_Result rg_api_send_problem(rg_http_request *r, unsigned status, const char *detail,
                                    const char *const *headers)
{
    json_t *d = problem_doc(status, detail);
    char *text = d ? json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(d);
    static const char oom[] = "{\"type\":\"urn:regua:problem:internal\",\"title\":\"Internal Server Error\","
                              "\"status\":500,\"detail\":\"out of memory\"}";
    enum MHD_Result ret = text ? rg_http_send(r, status, PROBLEM_TYPE, text, strlen(text), headers)
                               : rg_http_send(r, 500, PROBLEM_TYPE, oom, sizeof oom - 1, NULL);
    free(text);
    return ret;
}

static void set_doc(rg_api_call *c, unsigned status, json_t *doc)
{
    json_decref(c->doc);
    free(c->text);
    c->text = NULL;
    c->status = status;
    c->doc = doc;
}

void rg_api_problem(rg_api_call *c, unsigned status, const char *fmt, ...)
{
    char detail[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    set_doc(c, status, problem_doc(status, detail));
}

void rg_api_reply(rg_api_call *c, unsigned status, json_t *doc)
{
    if (!doc) {
        rg_error("%s %s: the answer could not be written as JSON (a stored text that is not UTF-8, or no memory)",
                 c->r->method, c->r->path);
        rg_api_problem(c, 500, "the answer could not be written as JSON");
        return;
    }
    set_doc(c, status, doc);
}

void rg_api_reply_text(rg_api_call *c, unsigned status, char *text)
{
    if (!text) {
        rg_error("%s %s: the answer could not be written (no memory)", c->r->method, c->r->path);
        rg_api_problem(c, 500, "the answer could not be written as JSON");
        return;
    }
    set_doc(c, status, NULL);
    c->text = text;
}

void rg_api_field_error(rg_api_call *c, const char *field, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!c->errors)
        c->errors = json_array();
    json_t *one = json_pack("{s:s, s:s}", "field", field, "message", msg);
    if (!one)
        one = json_pack("{s:s, s:s}", "field", "?", "message", "a field name or value that is not UTF-8");
    json_array_append_new(c->errors, one);
}

void rg_api_fail(rg_api_call *c, const char *what, rg_status rc, const rg_err *e)
{
    unsigned status = (unsigned)rg_status_http(rc);
    if (rc == RG_EINVAL) {
        rg_api_field_error(c, e && e->where[0] ? e->where : "body", "%s", e ? e->msg : "is not valid");
        return;
    }
    if (status >= 500) {
        char text[700];
        rg_err_text(e, text, sizeof text);
        if (rc == RG_EBUSY) {
            rg_warn("%s: answered 503: the database's write lock stayed with another writer for %d ms (%s)", what,
                    c->r->srv->write_wait_ms, text);
            c->retry_after = RG_HTTP_RETRY_AFTER;
            rg_api_problem(c, status, "the database is busy with another write; retry later");
        } else {
            rg_error("%s: %s", what, text);
            rg_api_problem(c, status, "the server could not complete the request (see its log)");
        }
        return;
    }
    char text[700];
    rg_api_problem(c, status, "%s", rg_err_text(e, text, sizeof text));
}

const char *rg_api_str(rg_api_call *c, const char *name, bool required)
{
    json_t *v = c->body ? json_object_get(c->body, name) : NULL;
    if (!v || json_is_null(v)) {
        if (required)
            rg_api_field_error(c, name, "is required");
        return NULL;
    }
    if (!json_is_string(v)) {
        rg_api_field_error(c, name, "must be a string");
        return NULL;
    }
    return json_string_value(v);
}

void rg_api_no_other_fields(rg_api_call *c, const char *const *known)
{
    const char *name;
    json_t *v;
    if (!c->body)
        return;
    json_object_foreach(c->body, name, v) {
        bool ok = false;
        for (size_t i = 0; known && known[i] && !ok; i++)
            ok = !strcmp(known[i], name);
        if (!ok)
            rg_api_field_error(c, name, "is not a field of this request");
    }
}

/* ---- lists ---- */

#define CURSOR_TAG "id:"

const char *rg_api_cursor_make(int64_t id, char *buf, size_t n)
{
    char raw[32];
    int len = snprintf(raw, sizeof raw, CURSOR_TAG "%lld", (long long)id);
    if (n < sodium_base64_ENCODED_LEN((size_t)len, sodium_base64_VARIANT_URLSAFE_NO_PADDING)) {
        if (n)
            buf[0] = '\0';
        return buf;
    }
    sodium_bin2base64(buf, n, (const unsigned char *)raw, (size_t)len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return buf;
}

bool rg_api_cursor_parse(const char *text, int64_t *id)
{
    unsigned char raw[32];
    size_t len = 0;
    const char *end = NULL;
    size_t tn = strlen(text);
    if (tn == 0 || tn > 40 ||
        sodium_base642bin(raw, sizeof raw - 1, text, tn, NULL, &len, &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) !=
            0 ||
        end != text + tn)
        return false;
    raw[len] = '\0';
    size_t tag = strlen(CURSOR_TAG);
    if (len <= tag || memcmp(raw, CURSOR_TAG, tag) != 0)
        return false;
    /* digits only: no sign, space or leading zero, so each id has one cursor */
    for (size_t i = tag; i < len; i++)
        if (raw[i] < '0' || raw[i] > '9' || (i == tag && raw[i] == '0'))
            return false;
    return rg_parse_i64((rg_slice){(const char *)raw + tag, len - tag}, 1, INT64_MAX, id);
}

bool rg_api_page_start(rg_api_call *c, rg_api_page *p)
{
    memset(p, 0, sizeof *p);
    p->limit = RG_API_LIMIT_DEFAULT;
    const char *limit = rg_http_query(c->r, "limit");
    const char *after = rg_http_query(c->r, "after");
    if (limit && !rg_parse_i64(rg_slice_cstr(limit), 1, RG_API_LIMIT_MAX, &p->limit))
        rg_api_field_error(c, "limit", "must be a whole number from 1 to %d", RG_API_LIMIT_MAX);
    if (after && !rg_api_cursor_parse(after, &p->after))
        rg_api_field_error(c, "after", "is not a cursor this API gave (use a page's `next`)");
    if (c->errors) {
        rg_api_problem(c, 400, "bad query parameters");
        return false;
    }
    p->fetch = p->limit + 1;
    rg_jw_init(&p->w, &p->text);
    rg_jw_object(&p->w);
    rg_jw_key(&p->w, "data");
    rg_jw_array(&p->w);
    return true;
}

rg_jw *rg_api_page_item(rg_api_page *p)
{
    if (p->n >= p->limit) { /* the one asked for beyond the page */
        p->more = true;
        return NULL;
    }
    p->mark = p->text.len;
    p->mark_comma = p->w.comma;
    return &p->w;
}

rg_status rg_api_page_item_done(rg_api_page *p, int64_t id, const char *what, const char *ext_id, rg_err *e)
{
    if (p->text.oom)
        return rg_err_set(e, RG_ENOMEM, what, "out of memory writing the page");
    if (p->w.bad) { /* taken back: the page never holds half an item */
        rg_buf_truncate(&p->text, p->mark);
        p->w.comma = p->mark_comma;
        p->w.bad = false;
        return rg_json_unwritable(what, ext_id, e);
    }
    p->n++;
    p->last_id = id;
    return RG_OK;
}

rg_status rg_api_page_add(rg_api_page *p, int64_t id, json_t *item, const char *what, const char *ext_id, rg_err *e)
{
    rg_jw *w = rg_api_page_item(p);
    if (!w || !item) {
        json_decref(item);
        return w ? rg_json_unwritable(what, ext_id, e) : RG_OK;
    }
    rg_jw_json(w, item);
    json_decref(item);
    return rg_api_page_item_done(p, id, what, ext_id, e);
}

void rg_api_page_drop(rg_api_page *p)
{
    rg_buf_free(&p->text);
}

void rg_api_page_finish(rg_api_call *c, rg_api_page *p, const char *what, rg_status rc, const rg_err *e)
{
    if (rc == RG_OK) {
        char cur[64];
        rg_jw_array_end(&p->w);
        rg_jw_key(&p->w, "next");
        if (p->more)
            rg_jw_string(&p->w, rg_api_cursor_make(p->last_id, cur, sizeof cur));
        else
            rg_jw_null(&p->w);
        rg_jw_object_end(&p->w);
        if (p->text.oom)
            rc = RG_ENOMEM;
    }
    if (rc != RG_OK) {
        rg_api_page_drop(p);
        if (rc == RG_EINVAL) /* a record that cannot be written as JSON: the server's data, not the request */
            rc = RG_EINTERNAL;
        rg_api_fail(c, what, rc, e);
        return;
    }
    rg_api_reply_text(c, 200, rg_buf_detach(&p->text));
}

bool rg_api_path_number(rg_api_call *c, size_t i, const char *what, int64_t *id)
{
    rg_slice p = i < c->r->n_params ? c->r->params[i] : (rg_slice){"", 0};
    char text[24];
    *id = 0;
    if (p.n < sizeof text) {
        memcpy(text, p.p, p.n);
        text[p.n] = '\0';
    }
    if (p.n >= sizeof text || !rg_parse_i64(rg_slice_cstr(text), 1, INT64_MAX, id)) {
        rg_api_problem(c, 404, "no %s has id '%.*s'", what, (int)(p.n > 40 ? 40 : p.n), p.p);
        return false;
    }
    return true;
}

bool rg_api_path_id(rg_api_call *c, size_t i, const char *what, char *buf, size_t n)
{
    rg_slice p = i < c->r->n_params ? c->r->params[i] : (rg_slice){"", 0};
    if (p.n == 0 || p.n >= n) {
        rg_api_problem(c, 404, "no %s has external id '%.*s%s'", what, p.n > 40 ? 40 : (int)p.n, p.p,
                       p.n > 40 ? "..." : "");
        return false;
    }
    memcpy(buf, p.p, p.n);
    buf[p.n] = '\0';
    return true;
}

/* ---- GET /v1/customers ---- */

static rg_status add_customer(void *ctx, const rg_customer *cu)
{
    void **a = ctx;
    return rg_api_page_add(a[0], cu->id, rg_customer_json(cu), "customer", cu->external_id, a[1]);
}

void rg_api_customers_list(rg_api_call *c)
{
    rg_api_page p;
    if (!rg_api_page_start(c, &p))
        return;
    rg_customer_filter f;
    memset(&f, 0, sizeof f);
    f.tag = rg_http_query(c->r, "tag");
    f.search = rg_http_query(c->r, "search");
    f.after_id = p.after;
    f.limit = p.fetch;
    rg_err e;
    rg_err_clear(&e);
    void *ctx[2] = {&p, &e};
    rg_status rc = rg_store_customer_each(c->store, &f, add_customer, ctx, &e);
    rg_api_page_finish(c, &p, "GET /v1/customers", rc, &e);
}

/* ---- the layer ---- */

static bool is_write(const char *method)
{
    return !strcmp(method, "POST") || !strcmp(method, "PATCH");
}

/* The key of `Authorization: Bearer KEY` (the scheme in any case), or NULL. */
static const char *bearer(const rg_http_request *r, size_t *n)
{
    const char *h = rg_http_header(r, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return NULL;
    h += 7;
    while (*h == ' ')
        h++;
    size_t len = strlen(h);
    while (len && h[len - 1] == ' ')
        len--;
    *n = len;
    return len ? h : NULL;
}

/* Settles the call's answer: field errors become 400 (query, decided
 * before the handler) or 422; a handler that set nothing is a 500. Returns
 * the text to send (caller frees; NULL: out of memory) and its type. */
static char *settle(rg_api_call *c, const char **ctype)
{
    if (c->errors && json_array_size(c->errors)) {
        unsigned status = c->status == 400 ? 400 : 422;
        json_t *d = problem_doc(status, status == 400 ? "bad query parameters"
                                        : json_array_size(c->errors) == 1 ? "a field is not valid"
                                                                          : "fields are not valid");
        if (d)
            json_object_set(d, "errors", c->errors);
        set_doc(c, status, d);
    }
    if (!c->doc && !c->text) {
        rg_error("%s %s: the handler gave no answer", c->r->method, c->r->path);
        set_doc(c, 500, problem_doc(500, "the server could not complete the request (see its log)"));
    }
    *ctype = c->status >= 400 ? PROBLEM_TYPE : JSON_TYPE;
    if (c->text) { /* already written (a streamed list page) */
        char *t = c->text;
        c->text = NULL;
        return t;
    }
    return c->doc ? json_dumps(c->doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
}

static enum MHD_Result send_text(rg_api_call *c, const char *text, const char *ctype)
{
    if (!text)
        return rg_api_send_problem(c->r, 500, "out of memory", NULL);
    const char *headers[3] = {NULL};
    if (c->retry_after && c->status == 503) {
        headers[0] = "Retry-After";
        headers[1] = c->retry_after;
    }
    return rg_http_send(c->r, c->status, ctype, text, strlen(text), headers);
}

/* Settles, sends and frees the call. */
static enum MHD_Result send_call(rg_api_call *c)
{
    const char *ctype;
    char *text = settle(c, &ctype);
    enum MHD_Result ret = send_text(c, text, ctype);
    free(text);
    json_decref(c->doc);
    json_decref(c->errors);
    free(c->text);
    c->doc = c->errors = NULL;
    c->text = NULL;
    return ret;
}

static enum MHD_Result unauthorized(rg_http_request *r, const char *detail, bool invalid)
{
    const char *h[] = {"WWW-Authenticate", invalid ? "Bearer realm=\"regua\", error=\"invalid_token\""
                                                   : "Bearer realm=\"regua\"",
                       NULL};
    return rg_api_send_problem(r, 401, detail, h);
}

/* Answers a call that could not run: store errors before the handler. */
static enum MHD_Result early_fail(rg_http_request *r, const char *what, rg_status rc, const rg_err *e)
{
    rg_api_call c = {.r = r};
    rg_api_fail(&c, what, rc, e);
    return send_call(&c);
}

static enum MHD_Result replay(rg_http_request *r, rg_idem_answer *a)
{
    static const char *const h[] = {"Idempotent-Replayed", "true", NULL};
    enum MHD_Result ret = rg_http_send(r, (unsigned)a->status, a->content_type[0] ? a->content_type : JSON_TYPE,
                                       a->body.p ? a->body.p : "", a->body.len, h);
    rg_buf_free(&a->body);
    return ret;
}

enum MHD_Result rg_api_handle(rg_http_request *r, const rg_api_route *rt, unsigned fail)
{
    char what[160];
    snprintf(what, sizeof what, "%s %s", r->method, rt ? rt->pattern : r->path);
    rg_err e;
    rg_err_clear(&e);
    rg_api_call c = {.r = r, .now = rg_http_now(r)};
    rg_apikey_row key;
    if (!rt || rt->role != RG_ROLE_NONE) {
        size_t n = 0;
        const char *k = bearer(r, &n);
        if (!k)
            return unauthorized(r, "an API key is required: Authorization: Bearer KEY", false);
        if (!(c.store = rg_http_store(r, &e)))
            return early_fail(r, what, e.code, &e);
        /* a key checked in the last second is not read again (service/apikeys.h) */
        rg_status rc = rg_apikey_authenticate_cached(&r->srv->keys, c.store, k, n, c.now, &key, &e);
        if (rc == RG_EPERM) {
            rg_info("%s: refused: %s", what, e.msg);
            return unauthorized(r, e.msg, true);
        }
        if (rc != RG_OK)
            return early_fail(r, what, rc, &e);
        c.key = &key;
        c.role = rg_api_role_parse(key.role);
    }
    if (!rt && fail == MHD_HTTP_METHOD_NOT_ALLOWED) {
        char allow[80];
        const char *h[] = {"Allow", allowed(r->path, allow, sizeof allow), NULL};
        return rg_api_send_problem(r, fail, "method not allowed here", h);
    }
    if (!rt)
        return rg_api_send_problem(r, fail, "no such route", NULL);
    if (c.role < rt->role) {
        char msg[160];
        snprintf(msg, sizeof msg, "this API key's role (%s) cannot do this: it needs %s", rg_api_role_name(c.role),
                 rg_api_role_name(rt->role));
        return rg_api_send_problem(r, MHD_HTTP_FORBIDDEN, msg, NULL);
    }
    /* GET /v1/openapi.json serves built-in text: no store (a database that
     * is down or busy does not hide the API's description) */
    if (!c.store && rt->fn != rg_api_openapi && !(c.store = rg_http_store(r, &e)))
        return early_fail(r, what, e.code, &e);

    /* Idempotency-Key: claimed before the handler runs (arming the store:
     * the operation's transaction marks it carried out), answered after */
    const char *idem = c.key && is_write(r->method) ? rg_http_header(r, "Idempotency-Key") : NULL;
    rg_instant claimed_at = 0;
    if (idem) {
        rg_idem_outcome out;
        rg_idem_answer ans;
        rg_status rc = rg_idem_begin(c.store, c.key->id, idem, r->method, r->path, r->body, r->body_len, c.now, &out,
                                     &ans, &e);
        if (rc == RG_EINVAL) {
            c.status = 400;
            rg_api_field_error(&c, e.where, "%s", e.msg);
            return send_call(&c);
        }
        if (rc != RG_OK)
            return early_fail(r, what, rc, &e);
        if (out == RG_IDEM_REPLAY)
            return replay(r, &ans);
        if (out == RG_IDEM_MISMATCH)
            return rg_api_send_problem(r, 422, "this Idempotency-Key was used for another request (another method, "
                                               "path or body) in the last 24 hours", NULL);
        if (out == RG_IDEM_RUNNING) {
            static const char *const h[] = {"Retry-After", "1", NULL};
            return rg_api_send_problem(r, 409, "this Idempotency-Key's first request is still running; retry", h);
        }
        if (out == RG_IDEM_UNANSWERED)
            return rg_api_send_problem(r, 409, "this Idempotency-Key's first request was carried out, but the server"
                                               " stopped before recording its answer: it is not carried out again;"
                                               " read the result instead (e.g. GET the resource)", NULL);
        claimed_at = ans.claimed_at;
    }

    /* the body */
    json_t *parsed = NULL;
    if (rt->body == RG_API_JSON || (rt->body == RG_API_JSON_OPT && r->body_len > 0)) {
        json_error_t je;
        if (r->body_len == 0) {
            rg_api_problem(&c, 400, "a JSON object is required as the body");
        } else if (!(parsed = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &je))) {
            rg_api_problem(&c, 400, "the body is not valid JSON: line %d, column %d: %s", je.line, je.column, je.text);
        } else if (!json_is_object(parsed)) {
            rg_api_problem(&c, 400, "the body must be a JSON object");
        }
        c.body = json_is_object(parsed) ? parsed : NULL;
    }
    if (!c.doc)
        rt->fn(&c);
    if (c.store)
        rg_store_rollback(c.store); /* a handler leaves no transaction open; a no-op otherwise */

    const char *ctype;
    char *text = settle(&c, &ctype);
    if (idem) {
        /* recorded before it is sent: a retry after this answer finds it */
        rg_err ie;
        rg_err_clear(&ie);
        if (rg_idem_end(c.store, c.key->id, idem, claimed_at, text ? (int)c.status : 500, ctype, text ? text : "",
                        text ? strlen(text) : 0, &ie) != RG_OK)
            rg_warn("%s: Idempotency-Key %s: the answer was not recorded: %s", what, idem, ie.msg);
    }
    enum MHD_Result ret = send_text(&c, text, ctype);
    free(text);
    json_decref(parsed);
    json_decref(c.doc);
    json_decref(c.errors);
    free(c.text);
    return ret;
}
