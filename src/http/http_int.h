/*
 * http_int — what the HTTP server's files share (private to src/http/):
 * the server, one request as a handler sees it, and the response helpers.
 *
 * A handler receives a request whose path parameters and body are borrowed
 * from the connection (valid until the handler returns) and answers with
 * exactly one rg_http_* send call.
 *
 * The store: every client connection runs on its own thread
 * (libmicrohttpd's thread per connection) and gets its own store handle
 * from rg_http_store() — a peer connection to the database
 * (rg_store_open_peer), taken from the server's idle pool on first use and
 * given back when the client's connection closes. Nothing is shared between
 * requests, so nothing is locked: reads never wait for a writer (WAL), and
 * a write waits at most `server.write_wait_ms` for the database's write lock
 * (another process importing, the tick committing) and then fails with
 * RG_EBUSY, which rg_http_send_store_error() answers 503 with Retry-After.
 * A request that blocks blocks only its own connection.
 */
#ifndef RG_HTTP_INT_H
#define RG_HTTP_INT_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <time.h>

#include "base/buf.h"
#include "http/server.h"
#include "service/json_write.h"
#include "service/apikeys.h"
#include "service/portal.h"

/* Request bodies larger than this are refused with 413. */
#define RG_HTTP_BODY_MAX (1024 * 1024)
#define RG_HTTP_MAX_PARAMS 2
/* Store handles kept open for the next connections (the rest are closed). */
#define RG_HTTP_IDLE_STORES 8
/* Seconds a client is told to wait (Retry-After) when the store is busy. */
#define RG_HTTP_RETRY_AFTER "5"

struct rg_http_server {
    struct MHD_Daemon *daemon;
    rg_store *store; /* borrowed: peers are opened from it */
    const rg_config *config;
    const rg_event_env *events;
    rg_clock clock;
    int write_wait_ms;
    bool own_ckpt; /* started the store's checkpointer (rg_store_checkpointer_start): stops it */
    rg_apikey_cache keys; /* the API keys this server checked in the last second (service/apikeys.h) */
    struct rg_rate *portal_rate; /* the portal's per-link and per-address counts (base/ratelimit.h) */
    pthread_mutex_t pool_mu; /* guards idle/n_idle only */
    rg_store *idle[RG_HTTP_IDLE_STORES];
    size_t n_idle;
    unsigned port;
    /* POST /v1/events' group commit (api_write.c): a writer thread, started
     * by the first such request with its own store connection, records the
     * queued events in groups */
    pthread_mutex_t group_mu;
    pthread_cond_t group_work; /* the writer waits for requests (each request on its own item's semaphore) */
    struct rg_http_group_item *group_head, *group_tail;
    rg_store *group_store;
    pthread_t group_thread;
    bool group_running, group_stop;
};

/* api_write.c: stops the group writer (after the daemon, so no request waits). */
void rg_http_group_stop(rg_http_server *s);

/* What one client connection holds across its requests (server.c). */
typedef struct rg_http_conn {
    rg_store *store; /* NULL until the first rg_http_store() */
    /* GET /v1/invoices/{id}'s dry-run engine on `store`, kept while the
     * connection lives (rg_view_engine_reuse); closed before store goes back */
    struct rg_engine *view_engine;
    uint64_t view_sig;
} rg_http_conn;

typedef struct rg_http_request {
    rg_http_server *srv;
    struct MHD_Connection *conn;
    rg_http_conn *cx; /* NULL when it could not be allocated */
    const char *method;
    const char *path; /* as sent: percent-escapes not decoded, no query */
    rg_slice params[RG_HTTP_MAX_PARAMS]; /* the {} parts of the route, in order, decoded: UTF-8, no NUL */
    size_t n_params;
    const char *body; /* NUL-terminated (the NUL is not counted); "" without a body */
    size_t body_len;
} rg_http_request;

typedef enum MHD_Result (*rg_http_handler)(rg_http_request *r);

/* A request header or query argument, or NULL. */
const char *rg_http_header(const rg_http_request *r, const char *name);
const char *rg_http_query(const rg_http_request *r, const char *name);

/* Sends body (consumed) as JSON. */
enum MHD_Result rg_http_send_json(rg_http_request *r, unsigned status, json_t *body);
/* Sends {"error": {"code": code, "message": message}}. */
enum MHD_Result rg_http_send_error(rg_http_request *r, unsigned status, const char *code, const char *message);
/* Sends bytes (copied) with a content type and, when non-NULL, extra
 * headers given as a NULL-terminated list of name, value pairs. */
enum MHD_Result rg_http_send(rg_http_request *r, unsigned status, const char *content_type, const void *data,
                             size_t len, const char *const *headers);

/* This connection's own store handle (see above); NULL with *e set when
 * it cannot be opened. Borrowed until the connection closes; a handler
 * leaves it outside any transaction. */
rg_store *rg_http_store(rg_http_request *r, rg_err *e);
/* Answers a failed store call as JSON: RG_EBUSY is 503 {"error":{"code":
 * "busy"}} with Retry-After (the caller may simply retry), anything else
 * 500 "internal" with `message`; logs it with `what`. */
enum MHD_Result rg_http_send_store_error(rg_http_request *r, const char *what, rg_status rc, const rg_err *e,
                                         const char *message);
rg_instant rg_http_now(const rg_http_request *r);

/* ---- the REST API under /v1 (api.c; docs/api.md) ----
 *
 * server.c hands every /v1 path to api.c, which, before any handler runs:
 * checks `Authorization: Bearer KEY` (missing, wrong or revoked: 401 with
 * WWW-Authenticate) and the route's minimum role (403); replays or refuses
 * an Idempotency-Key on POST/PATCH; parses a JSON body (malformed: 400; not
 * an object: 400). Bodies over RG_HTTP_BODY_MAX are 413, unknown paths 404,
 * other methods 405 — every error as application/problem+json (RFC 9457):
 * {"type", "title", "status", "detail"} and, for 400/422 on fields,
 * "errors": [{"field", "message"}].
 *
 * A handler fills the call's answer and returns; the layer sends it (and
 * stores it for an Idempotency-Key). It never sends anything itself:
 *
 *     static void get_thing(rg_api_call *c) {
 *         rg_thing t; rg_err e; rg_err_clear(&e);
 *         rg_status rc = rg_thing_get(c->store, c->r->params[0], &t, &e); // one service call
 *         if (rc != RG_OK) return rg_api_fail(c, "GET /v1/things/{id}", rc, &e);
 *         rg_api_reply(c, 200, rg_thing_json(&t));                       // the CLI's --json writer
 *     }
 *
 * To add a route: one row in api.c's `api_routes` table (method, pattern
 * with "{}" segments as in server.c, minimum role, body kind, handler), the
 * handler's declaration below, in its own file's block, and its operation
 * in docs/openapi.json (path with "{name}" for each "{}", the role in
 * `security`, parameters with examples, body, responses): the unit test
 * tests/unit/test_openapi.c fails until the two agree, and
 * tests/e2e/test_api_openapi.sh calls it with the document's examples. */

typedef enum rg_api_body {
    RG_API_NO_BODY = 0, /* any body is ignored */
    RG_API_JSON,        /* a JSON object, required: c->body */
    RG_API_JSON_OPT,    /* a JSON object or nothing: c->body NULL when empty */
    RG_API_RAW,         /* the bytes as sent (CSV, YAML): c->r->body, c->r->body_len */
} rg_api_body;

typedef struct rg_api_call {
    rg_http_request *r;       /* path params (r->params), raw body; rg_http_query / rg_http_header */
    rg_store *store;          /* this connection's store, outside any transaction */
    const rg_apikey_row *key; /* the caller's key; NULL on a route open to anyone */
    rg_api_role role;         /* the caller's role */
    json_t *body;             /* RG_API_JSON(_OPT): the parsed object (borrowed) */
    rg_instant now;
    /* the answer: set with the helpers below */
    unsigned status;
    json_t *doc;        /* owned */
    char *text;         /* owned: an answer already written as JSON text (rg_api_reply_text); wins over doc */
    json_t *errors;     /* field errors; non-empty when the handler returns: 422 with them */
    const char *retry_after; /* a 503's Retry-After, NULL none */
} rg_api_call;

typedef void (*rg_api_handler)(rg_api_call *c);

typedef struct rg_api_route {
    const char *method;
    const char *pattern;
    rg_api_role role; /* the least role that may call it (RG_ROLE_NONE: no key needed) */
    rg_api_body body;
    rg_api_handler fn;
} rg_api_route;

/* Answers `status` with doc (consumed) as application/json. A NULL doc (a
 * writer that failed: a stored text not UTF-8, no memory) answers 500. */
void rg_api_reply(rg_api_call *c, unsigned status, json_t *doc);
/* The same with the document already written as JSON text (consumed,
 * malloc'd, NUL-terminated; NULL answers 500): a streamed writer's. */
void rg_api_reply_text(rg_api_call *c, unsigned status, char *text);
/* Answers a problem: status, its title, and the detail. */
void rg_api_problem(rg_api_call *c, unsigned status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Adds {"field", "message"} to the answer's errors: when the handler
 * returns with any, the answer is 422 with all of them. */
void rg_api_field_error(rg_api_call *c, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Answers a failed service call through rg_status_http (err.c):
 * RG_EINVAL 422 with e->where as the field, RG_ENOTFOUND 404, RG_ECONFLICT
 * 409, RG_EPERM 403, RG_EBUSY 503 with Retry-After; 5xx are logged with
 * `what` and say only that the server failed. */
void rg_api_fail(rg_api_call *c, const char *what, rg_status rc, const rg_err *e);
/* The body's field `name` as a string: NULL when absent (then, when
 * required, a field error) or not a string (a field error). */
const char *rg_api_str(rg_api_call *c, const char *name, bool required);
/* A field error for each of the body's fields not in `known` (a
 * NULL-terminated list; NULL: the request takes no field). */
void rg_api_no_other_fields(rg_api_call *c, const char *const *known);

/* The path's {} parameter i (an external id) as a C string in buf; false
 * when it cannot be one (empty, or longer than n - 1 bytes: no `what` has
 * such an id), after answering 404 "no WHAT has external id '...'". */
bool rg_api_path_id(rg_api_call *c, size_t i, const char *what, char *buf, size_t n);
/* The path's {} parameter i as a positive number (an API key's or a
 * webhook delivery's id); false after answering 404 "no WHAT has id '...'"
 * when it is not one. */
bool rg_api_path_number(rg_api_call *c, size_t i, const char *what, int64_t *id);

/* ---- lists: {"data": [...], "next": CURSOR_OR_NULL} ----
 * ?limit= (1..500, default 50) and ?after=CURSOR (a cursor a page gave as
 * `next`: opaque, the last id of the page, so inserts never shift a page).
 *
 *     rg_api_page p;
 *     if (!rg_api_page_start(c, &p)) return;       // bad limit/after: answered 400
 *     f.after_id = p.after; f.limit = p.fetch;     // keyset on id, one more than the page
 *     rc = rg_store_thing_each(c->store, &f, add_one, &p, &e); // add_one: rg_api_page_add
 *     rg_api_page_finish(c, &p, "GET /v1/things", rc, &e);
 */
#define RG_API_LIMIT_DEFAULT 50
#define RG_API_LIMIT_MAX 500
typedef struct rg_api_page {
    int64_t after;  /* the cursor's id; 0: from the start */
    int64_t limit;  /* the page's size */
    int64_t fetch;  /* limit + 1: ask the store for this many */
    rg_buf text;    /* the answer so far: {"data":[ and the items written (owned) */
    rg_jw w;        /* writes into text, inside the data array */
    size_t mark;    /* text's length before the item being written */
    bool mark_comma;
    int64_t n;
    int64_t last_id; /* the id of the page's last item */
    bool more;       /* the store had one more */
} rg_api_page;
bool rg_api_page_start(rg_api_call *c, rg_api_page *p);
/* Adds item (consumed; NULL = cannot be written: RG_EINVAL naming what/ext_id) with its keyset id. */
rg_status rg_api_page_add(rg_api_page *p, int64_t id, json_t *item, const char *what, const char *ext_id, rg_err *e);
/* A streamed item (no json_t): rg_api_page_item gives the writer to write
 * the next item's one value with (NULL: the page is full, this is the
 * store's extra row: p->more); rg_api_page_item_done then counts it with its
 * keyset id, or takes it back when the writer refused it (a text that is not
 * UTF-8: RG_EINVAL naming what/ext_id; RG_ENOMEM).
 *
 *     rg_jw *w = rg_api_page_item(p);
 *     if (!w) return RG_OK;
 *     rg_thing_json_write(w, t);
 *     return rg_api_page_item_done(p, t->id, "thing", t->external_id, e);
 */
rg_jw *rg_api_page_item(rg_api_page *p);
rg_status rg_api_page_item_done(rg_api_page *p, int64_t id, const char *what, const char *ext_id, rg_err *e);
/* Answers the page (rc RG_OK) or the failure; frees the page either way. */
void rg_api_page_finish(rg_api_call *c, rg_api_page *p, const char *what, rg_status rc, const rg_err *e);
/* Frees a page that will not be answered (the handler answers otherwise). */
void rg_api_page_drop(rg_api_page *p);
/* A cursor's text for an id (buffer >= 32), and back (false: not one of ours). */
const char *rg_api_cursor_make(int64_t id, char *buf, size_t n);
bool rg_api_cursor_parse(const char *text, int64_t *id);

/* server.c's side: the /v1 route of method+path (NULL with *fail 404 or
 * 405), the answer to a request, and a problem sent before a handler. */
bool rg_api_is_api_path(const char *path);
/* The route table (tests walk it: tests/unit/test_api_matrix.c). */
const rg_api_route *rg_api_routes(size_t *n);
const rg_api_route *rg_api_find(const char *method, const char *path, unsigned *fail);
enum MHD_Result rg_api_handle(rg_http_request *r, const rg_api_route *rt, unsigned fail);
enum MHD_Result rg_api_send_problem(rg_http_request *r, unsigned status, const char *detail,
                                    const char *const *headers);
/* server.c's route matcher, shared with api.c. */
bool rg_http_match(const char *pattern, const char *path, rg_slice *params, size_t *n);
/* Decodes the percent-escapes of each of the n path parameters (slices of
 * the path as sent) into buf (at least the sum of their lengths + 1 each)
 * and points them there, each NUL-terminated. False, with `why` naming the
 * segment, when one does not decode to text: a '%' without two hex digits,
 * a NUL (%00), or bytes that are not UTF-8. */
bool rg_http_decode_params(rg_slice *params, size_t n, char *buf, char *why, size_t why_n);

/* api.c: GET /v1/customers */
void rg_api_customers_list(rg_api_call *c);
/* api_read.c: GET /v1/invoices, /v1/invoices/{id}, /v1/customers/{id}, /v1/messages, /v1/simulate */
void rg_api_invoices_list(rg_api_call *c);
void rg_api_invoice_get(rg_api_call *c);
/* Answers `status` with the invoice's document (GET /v1/invoices/{id}:
 * `regua invoice show --json`); 404 when there is none. */
void rg_api_invoice_reply(rg_api_call *c, unsigned status, const char *ext_id);
void rg_api_customer_get(rg_api_call *c);
void rg_api_messages_list(rg_api_call *c);
void rg_api_simulate(rg_api_call *c);
void rg_api_report(rg_api_call *c); /* GET /v1/reports/{name}: service/reports.h */
/* api_privacy.c: GET /v1/customers/{id}/export, POST /v1/customers/{id}/anonymize */
void rg_api_customer_export(rg_api_call *c);
void rg_api_customer_anonymize(rg_api_call *c);
/* api_apikeys.c: GET /v1/apikeys, POST /v1/apikeys/{id}/revoke */
void rg_api_apikeys_list(rg_api_call *c);
void rg_api_apikey_revoke(rg_api_call *c);
/* api_admin.c: POST /v1/imports/{kind}; GET /v1/cadences, GET /v1/cadences/{name},
 * POST /v1/cadences/lint */
void rg_api_import(rg_api_call *c);
void rg_api_cadences_list(rg_api_call *c);
void rg_api_cadence_show(rg_api_call *c);
void rg_api_cadence_lint(rg_api_call *c);
/* api_admin.c: POST /v1/invoices, PATCH /v1/invoices/{id}, POST /v1/invoices/{id}/cancel */
void rg_api_invoice_create(rg_api_call *c);
void rg_api_invoice_update(rg_api_call *c);
void rg_api_invoice_cancel(rg_api_call *c);
/* api_write.c: POST /v1/events, POST /v1/payments, GET /v1/tasks, POST /v1/tasks/{id}/claim|done */
void rg_api_events_post(rg_api_call *c);
void rg_api_payments_post(rg_api_call *c);
void rg_api_tasks_list(rg_api_call *c);
void rg_api_task_claim(rg_api_call *c);
void rg_api_task_done(rg_api_call *c);
/* api_write.c: GET /v1/promises, POST /v1/promises */
void rg_api_promises_list(rg_api_call *c);
void rg_api_promises_post(rg_api_call *c);
/* api_agreements.c: GET /v1/agreements, POST /v1/agreements, GET /v1/agreements/{id}, POST .../{id}/cancel */
void rg_api_agreements_list(rg_api_call *c);
void rg_api_agreements_post(rg_api_call *c);
void rg_api_agreement_get(rg_api_call *c);
void rg_api_agreement_cancel(rg_api_call *c);
/* api_write.c: GET /v1/optouts, POST /v1/optouts, DELETE /v1/optouts/{customer}/{channel} */
void rg_api_optouts_list(rg_api_call *c);
void rg_api_optouts_post(rg_api_call *c);
void rg_api_optout_delete(rg_api_call *c);

/* api_webhooks.c: the outgoing webhooks' deliveries */
void rg_api_webhook_deliveries_list(rg_api_call *c);
void rg_api_webhook_delivery_retry(rg_api_call *c);

/* api_openapi.c: GET /v1/openapi.json (no key), docs/openapi.json as
 * built in (build/gen/openapi_json.c, written by scripts/embed.py) */
extern const char rg_openapi_json[];
extern const size_t rg_openapi_json_len;
void rg_api_openapi(rg_api_call *c);

/* hooks.c */
enum MHD_Result rg_http_whatsapp_verify(rg_http_request *r);
enum MHD_Result rg_http_whatsapp_hook(rg_http_request *r);
enum MHD_Result rg_http_sms_hook(rg_http_request *r);

/* page.c: HTML pages */
/* Appends s with & < > " ' escaped. */
void rg_html_escape(rg_buf *b, const char *s);
/* Sends page (text/html) with a Content-Security-Policy (csp; NULL: no
 * script, inline styles, forms to this server only), X-Frame-Options DENY
 * and the extra headers (name, value pairs, NULL-terminated; may be NULL);
 * a page that ran out of memory is a 500. */
enum MHD_Result rg_http_send_html(rg_http_request *r, unsigned status, const rg_buf *page, const char *csp,
                                  const char *const *extra);

/* ---- the team's web dashboard (dash*.c; docs/dashboard.md) ----
 * GET/POST /login, POST /logout and the pages at / for the users of
 * service/users.h: a session cookie, a CSRF token in every form, the API's
 * roles (a viewer's POST is a 403 page). */
enum MHD_Result rg_http_dash_login_page(rg_http_request *r);
enum MHD_Result rg_http_dash_login(rg_http_request *r);
enum MHD_Result rg_http_dash_logout(rg_http_request *r);
enum MHD_Result rg_http_dash_home(rg_http_request *r);
/* dash_pages.c: Faturas, an invoice's timeline, Tarefas and its actions */
enum MHD_Result rg_http_dash_invoices(rg_http_request *r);
enum MHD_Result rg_http_dash_invoice(rg_http_request *r);
enum MHD_Result rg_http_dash_tasks(rg_http_request *r);
enum MHD_Result rg_http_dash_task_claim(rg_http_request *r);
enum MHD_Result rg_http_dash_task_done(rg_http_request *r);
/* dash_customers.c, dash_messages.c, dash_cadences.c, dash_channels.c, dash_csv.c */
enum MHD_Result rg_http_dash_customers(rg_http_request *r);
enum MHD_Result rg_http_dash_customer(rg_http_request *r);
enum MHD_Result rg_http_dash_messages(rg_http_request *r);
enum MHD_Result rg_http_dash_channels(rg_http_request *r);
enum MHD_Result rg_http_dash_cadences(rg_http_request *r);
enum MHD_Result rg_http_dash_forecast(rg_http_request *r);
enum MHD_Result rg_http_dash_cadences_csv(rg_http_request *r);
enum MHD_Result rg_http_dash_channels_csv(rg_http_request *r);
enum MHD_Result rg_http_dash_channel_test(rg_http_request *r);
enum MHD_Result rg_http_dash_invoices_csv(rg_http_request *r);
enum MHD_Result rg_http_dash_customers_csv(rg_http_request *r);
enum MHD_Result rg_http_dash_tasks_csv(rg_http_request *r);
enum MHD_Result rg_http_dash_messages_csv(rg_http_request *r);
/* ---- the customer's portal (portal.c; docs/portal.md) ----
 *
 * GET /p/{token}, GET /p/{token}/boleto/{invoice}.pdf, POST /p/{token}/{action}
 * and GET /static/portal.js. An action is a row of portal.c's
 * portal_actions[] and a function that receives an opened context whose
 * form secret (CSRF) is already checked, reads its fields with
 * rg_portal_form_value(), does ONE service call and answers with
 * rg_portal_redirect() (303 to the page with a flash code of
 * portal_flashes[]). The page writes its forms with rg_portal_form_open(). */
#define RG_PORTAL_MAX_FIELDS 64
/* The most active agreements the page shows. */
#define RG_PORTAL_AGREEMENTS_SHOWN 10
/* A portal POST body larger than this is refused (413 page). */
#define RG_PORTAL_BODY_MAX 8192

typedef struct rg_portal_field {
    const char *name, *value; /* decoded, NUL-terminated, into ctx->form */
} rg_portal_field;

typedef struct rg_portal_ctx {
    rg_http_request *r;
    rg_store *store;   /* the connection's */
    const char *token; /* the link's token (r->params[0]), not NUL-terminated */
    size_t token_len;
    char form_secret[RG_PORTAL_FORM_SECRET_LEN];
    rg_customer customer;
    rg_instant now, expires;
    struct timespec started;
    char *form; /* owned: the decoded body */
    rg_portal_field fields[RG_PORTAL_MAX_FIELDS];
    size_t n_fields;
} rg_portal_ctx;

/* Parses an application/x-www-form-urlencoded body (NUL-terminated,
 * decoded in place: '+' a space, %XX a byte) into at most max fields,
 * *n of them: "a=1&b&=2&&" gives a="1", b="", ""="2" (empty parts are
 * skipped). False — not a form — for a bad escape, an escaped NUL or more
 * than max fields. */
bool rg_portal_form_parse(char *form, rg_portal_field *fields, size_t max, size_t *n);
/* Opens a portal request: the per-address and per-link limits (429 page),
 * the token (404 page), its expiry (410 page), the customer (404 page).
 * False when a page was sent (*ret is the send's result). */
bool rg_portal_open(rg_http_request *r, rg_portal_ctx *ctx, enum MHD_Result *ret);
/* Logs the request's time (info) and frees the context. */
void rg_portal_close(rg_portal_ctx *ctx, const char *what, unsigned status);
/* A form field of the POST, or NULL. */
const char *rg_portal_form_value(const rg_portal_ctx *ctx, const char *name);
/* Writes <form method="post" action="/p/TOKEN/ACTION" ATTRS> with the
 * hidden form secret and, when invoice is not NULL, a hidden "invoice";
 * the caller writes the controls (each with a visible <label>) and </form>. */
void rg_portal_form_open(rg_buf *b, const rg_portal_ctx *ctx, const char *action, const char *invoice,
                         const char *attrs);
/* 303 to /p/TOKEN?m=FLASH#ANCHOR (flash and anchor may be NULL); 204 for
 * the page's own script (header X-Regua-Fetch). */
enum MHD_Result rg_portal_redirect(rg_portal_ctx *ctx, const char *flash, const char *anchor);
/* 303 to /p/TOKEN?m=FLASH&i=INVOICE: a refusal about a field of that
 * invoice's form, shown next to the field (invoice NULL: as rg_portal_redirect). */
enum MHD_Result rg_portal_redirect_invoice(rg_portal_ctx *ctx, const char *flash, const char *invoice);
/* The open invoice `ext` of the context's customer; RG_ENOTFOUND when it is
 * not one (another customer's, paid, unknown). */
rg_status rg_portal_invoice(rg_portal_ctx *ctx, const char *ext, rg_invoice *out, rg_err *e);
/* Records an event of type (by name) of the customer, or of invoice when
 * not NULL, source "portal", data a JSON object or NULL, through the event
 * service in its own transaction; logs a failure and returns it. */
rg_status rg_portal_record(rg_portal_ctx *ctx, const char *type, const char *invoice, const char *data);

struct rg_engine_payable;
/* portal_actions.c: the forms of what the customer can do (docs/portal.md) */
enum MHD_Result rg_portal_action_promise(rg_portal_ctx *ctx);
enum MHD_Result rg_portal_action_offer(rg_portal_ctx *ctx);
enum MHD_Result rg_portal_action_extend(rg_portal_ctx *ctx);
enum MHD_Result rg_portal_action_dispute(rg_portal_ctx *ctx);
enum MHD_Result rg_portal_action_channel(rg_portal_ctx *ctx);
enum MHD_Result rg_portal_action_preferred(rg_portal_ctx *ctx);
/* The server's event environment on the context's store. */
rg_event_env rg_portal_env(const rg_portal_ctx *ctx);
/* The redirect for a service failure that is not about a field ("fatura"
 * for RG_ENOTFOUND, else "ocupado"; logged). */
enum MHD_Result rg_portal_failed(rg_portal_ctx *ctx, const char *what, rg_status rc, const rg_err *e);
/* portal_agreements.c: "Parcelar" (docs/portal.md) */
enum MHD_Result rg_portal_action_agreement(rg_portal_ctx *ctx);
/* The customer's active agreements: installments and renegotiated originals. */
void rg_portal_render_agreements(rg_buf *b, const rg_portal_ctx *ctx);
/* The "Parcelar" section for the page's open invoices (inv, n). */
void rg_portal_render_parcelar(rg_buf *b, const rg_portal_ctx *ctx, const rg_invoice *inv, size_t n);
/* One open invoice's forms (promise, offer, extend, contest), inside its card. */
void rg_portal_render_invoice_actions(rg_buf *b, const rg_portal_ctx *ctx, size_t i, const rg_invoice *inv,
                                      const struct rg_engine_payable *p);
/* The page's "Como prefere ser avisado" section. */
void rg_portal_render_page_actions(rg_buf *b, const rg_portal_ctx *ctx);
enum MHD_Result rg_http_portal_page(rg_http_request *r);
enum MHD_Result rg_http_portal_boleto(rg_http_request *r);
enum MHD_Result rg_http_portal_post(rg_http_request *r);
enum MHD_Result rg_http_portal_js(rg_http_request *r);

/* track.c */
enum MHD_Result rg_http_track_open(rg_http_request *r);
enum MHD_Result rg_http_track_click(rg_http_request *r);
enum MHD_Result rg_http_unsubscribe_page(rg_http_request *r);
enum MHD_Result rg_http_unsubscribe(rg_http_request *r);

#endif
