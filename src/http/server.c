#include "http/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/health.h"
#include "base/ratelimit.h"
#include "engine/engine.h"
#include "base/log.h"
#include "base/utf8.h"
#include "http/http_int.h"
#include "version.h"

/* ---- helpers for handlers (http_int.h) ---- */

const char *rg_http_header(const rg_http_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *rg_http_query(const rg_http_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

/* ---- each connection's store ---- */

/* A store handle for a connection: an idle one, else a new peer. Opening
 * is serialised with the pool (the server's handle is only read for its
 * file name, but it is one handle). */
static rg_status take_store(rg_http_server *s, rg_store **out, rg_err *e)
{
    rg_status rc = RG_OK;
    pthread_mutex_lock(&s->pool_mu);
    if (s->n_idle)
        *out = s->idle[--s->n_idle];
    else
        rc = rg_store_open_peer(s->store, s->write_wait_ms, out, e);
    pthread_mutex_unlock(&s->pool_mu);
    return rc;
}

static void give_back(rg_http_server *s, rg_store *st)
{
    if (!st)
        return;
    rg_store_rollback(st); /* a no-op unless a handler left a transaction open */
    pthread_mutex_lock(&s->pool_mu);
    if (s->n_idle < RG_HTTP_IDLE_STORES) {
        s->idle[s->n_idle++] = st;
        st = NULL;
    }
    pthread_mutex_unlock(&s->pool_mu);
    rg_store_close(st);
}

rg_store *rg_http_store(rg_http_request *r, rg_err *e)
{
    if (!r->cx) {
        rg_err_set(e, RG_ENOMEM, "http", "out of memory");
        return NULL;
    }
    if (!r->cx->store && take_store(r->srv, &r->cx->store, e) != RG_OK)
        return NULL;
    return r->cx->store;
}

/* libmicrohttpd's connection notifications: a context per client
 * connection, whose store goes back to the pool when it closes. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    (void)conn;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        *socket_context = calloc(1, sizeof(rg_http_conn));
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
        rg_http_conn *cx = *socket_context;
        if (cx) {
            rg_engine_close(cx->view_engine); /* it reads through cx->store: first */
            give_back(cls, cx->store);
        }
        free(cx);
        *socket_context = NULL;
    }
}

rg_instant rg_http_now(const rg_http_request *r)
{
    return rg_clock_now(&r->srv->clock);
}

enum MHD_Result rg_http_send(rg_http_request *r, unsigned status, const char *content_type, const void *data,
                             size_t len, const char *const *headers)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)(uintptr_t)data, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    bool cache_set = false;
    for (size_t i = 0; headers && headers[i]; i += 2) {
        MHD_add_response_header(resp, headers[i], headers[i + 1]);
        cache_set |= strcasecmp(headers[i], "Cache-Control") == 0;
    }
    if (content_type)
        MHD_add_response_header(resp, "Content-Type", content_type);
    if (!cache_set)
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    /* links carry tokens: never hand them to another site as a referrer */
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    enum MHD_Result ret = MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result send_json_h(rg_http_request *r, unsigned status, json_t *body, const char *const *headers)
{
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(body);
    static const char oom[] = "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}";
    enum MHD_Result ret;
    if (!text)
        ret = rg_http_send(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "application/json; charset=utf-8", oom, sizeof oom - 1,
                           NULL);
    else
        ret = rg_http_send(r, status, "application/json; charset=utf-8", text, strlen(text), headers);
    free(text);
    return ret;
}

enum MHD_Result rg_http_send_json(rg_http_request *r, unsigned status, json_t *body)
{
    return send_json_h(r, status, body, NULL);
}

static json_t *error_body(const char *code, const char *message)
{
    json_t *body = json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", message);
    if (!body) /* a message that is not valid UTF-8 */
        body = json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", "the request was refused");
    return body;
}

enum MHD_Result rg_http_send_error(rg_http_request *r, unsigned status, const char *code, const char *message)
{
    return send_json_h(r, status, error_body(code, message), NULL);
}

enum MHD_Result rg_http_send_store_error(rg_http_request *r, const char *what, rg_status rc, const rg_err *e,
                                         const char *message)
{
    char text[700];
    rg_err_text(e, text, sizeof text);
    if (rc == RG_EBUSY) {
        static const char *const retry[] = {"Retry-After", RG_HTTP_RETRY_AFTER, NULL};
        rg_warn("%s: answered 503: the database's write lock stayed with another writer for %d ms (%s)", what,
                r->srv->write_wait_ms, text);
        return send_json_h(r, (unsigned)rg_status_http(rc),
                           error_body("busy", "the database is busy with another write; retry later"), retry);
    }
    rg_error("%s: %s", what, text);
    /* the request was checked before the store was called: what fails now is the server's (5xx) */
    unsigned status = (unsigned)rg_status_http(rc);
    return rg_http_send_error(r, status >= 500 ? status : MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", message);
}

/* GET /healthz: the process's health registry (base/health.h) and the
 * store's counts. "ok" or "degraded" answer 200 (the server runs; the
 * reasons say what needs a person); a store that cannot be read answers
 * 503 "error". */
static enum MHD_Result handle_healthz(rg_http_request *r)
{
    rg_health_reason reasons[RG_HEALTH_MAX + 1];
    size_t n_reasons = rg_health_snapshot(reasons, sizeof reasons / sizeof *reasons);
    json_t *list = json_array();
    for (size_t i = 0; i < n_reasons && i < sizeof reasons / sizeof *reasons; i++)
        json_array_append_new(list, json_pack("{s:s, s:s}", "component", reasons[i].component, "reason",
                                              reasons[i].reason));
    rg_store_info info;
    rg_err e;
    rg_err_clear(&e);
    /* this connection's own handle: a read, which never waits for a writer */
    rg_store *st = rg_http_store(r, &e);
    rg_status rc = st ? rg_store_info_get(st, &info, &e) : e.code;
    char now[32];
    rg_instant_format(rg_http_now(r), now, sizeof now);
    json_t *store;
    if (rc != RG_OK)
        store = json_pack("{s:s, s:s}", "status", "error", "message", e.msg);
    else
        store = json_pack("{s:s, s:s, s:s, s:i, s:I, s:I, s:I}", "status", "ok", "backend", info.backend, "version",
                          info.version, "schema_version", info.schema_version, "customers",
                          (json_int_t)info.customers, "invoices", (json_int_t)info.invoices, "open_invoices",
                          (json_int_t)info.open_invoices);
    const char *status = rc != RG_OK ? "error" : n_reasons ? "degraded" : "ok";
    return rg_http_send_json(r, rc != RG_OK ? MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_OK,
                             json_pack("{s:s, s:o, s:s, s:s, s:o}", "status", status, "reasons", list, "version",
                                       RG_VERSION, "now", now, "store", store));
}

/* ---- routing ---- */

/* A route's pattern is a path whose segments may hold one "{}": it matches
 * a non-empty run of characters other than '/', keeping the segment's
 * literal prefix and suffix ("/t/o/{}.gif"). */
typedef struct route {
    const char *method;
    const char *pattern;
    bool body; /* the handler reads a request body (at most RG_HTTP_BODY_MAX) */
    rg_http_handler fn;
} route;

static const route routes[] = {
    {"GET", "/healthz", false, handle_healthz},
    {"GET", "/hooks/whatsapp", false, rg_http_whatsapp_verify},
    {"POST", "/hooks/whatsapp", true, rg_http_whatsapp_hook},
    {"POST", "/hooks/sms/{}", true, rg_http_sms_hook},
    {"GET", "/t/o/{}.gif", false, rg_http_track_open},
    {"GET", "/t/c/{}", false, rg_http_track_click},
    {"GET", "/u/{}", false, rg_http_unsubscribe_page},
    {"POST", "/u/{}", true, rg_http_unsubscribe},
    /* the team's dashboard (dash*.c) */
    {"GET", "/", false, rg_http_dash_home},
    {"GET", "/login", false, rg_http_dash_login_page},
    {"POST", "/login", true, rg_http_dash_login},
    {"POST", "/logout", true, rg_http_dash_logout},
    {"GET", "/faturas", false, rg_http_dash_invoices},
    {"GET", "/faturas/{}", false, rg_http_dash_invoice},
    {"GET", "/tarefas", false, rg_http_dash_tasks},
    {"POST", "/tarefas/{}/assumir", true, rg_http_dash_task_claim},
    {"POST", "/tarefas/{}/concluir", true, rg_http_dash_task_done},
    {"GET", "/clientes", false, rg_http_dash_customers},
    {"GET", "/clientes/{}", false, rg_http_dash_customer},
    {"GET", "/mensagens", false, rg_http_dash_messages},
    {"GET", "/reguas", false, rg_http_dash_cadences},
    {"GET", "/reguas/previsao", false, rg_http_dash_forecast},
    {"GET", "/canais", false, rg_http_dash_channels},
    {"POST", "/canais/{}/teste", true, rg_http_dash_channel_test},
    {"GET", "/faturas.csv", false, rg_http_dash_invoices_csv},
    {"GET", "/clientes.csv", false, rg_http_dash_customers_csv},
    {"GET", "/tarefas.csv", false, rg_http_dash_tasks_csv},
    {"GET", "/mensagens.csv", false, rg_http_dash_messages_csv},
    {"GET", "/reguas.csv", false, rg_http_dash_cadences_csv},
    {"GET", "/canais.csv", false, rg_http_dash_channels_csv},
    {"GET", "/p/{}", false, rg_http_portal_page},
    {"GET", "/p/{}/boleto/{}.pdf", false, rg_http_portal_boleto},
    {"POST", "/p/{}/{}", true, rg_http_portal_post},
    {"GET", "/static/portal.js", false, rg_http_portal_js},
};

bool rg_http_match(const char *pattern, const char *path, rg_slice *params, size_t *n)
{
    *n = 0;
    const char *p = pattern, *u = path;
    while (*p && *u) {
        if (*p != '/' || *u != '/')
            return false;
        p++;
        u++;
        const char *pe = strchrnul(p, '/'), *ue = strchrnul(u, '/');
        size_t plen = (size_t)(pe - p), ulen = (size_t)(ue - u);
        const char *brace = memmem(p, plen, "{}", 2);
        if (!brace) {
            if (plen != ulen || memcmp(p, u, plen) != 0)
                return false;
        } else {
            size_t pre = (size_t)(brace - p), suf = plen - pre - 2;
            if (ulen < pre + suf + 1 || memcmp(u, p, pre) != 0 || memcmp(ue - suf, brace + 2, suf) != 0 ||
                *n >= RG_HTTP_MAX_PARAMS)
                return false;
            params[(*n)++] = (rg_slice){u + pre, ulen - pre - suf};
        }
        p = pe;
        u = ue;
    }
    return *p == '\0' && *u == '\0';
}

/* What one request carries between the calls of on_request. */
typedef struct conn_state {
    const route *rt; /* NULL when refused (fail) */
    bool api;                 /* a /v1 path: api.c answers it */
    const rg_api_route *api_rt; /* NULL when refused (fail) */
    unsigned fail;   /* 404 or 405 decided from the headers; 0 none */
    bool too_big;
    bool started; /* on_request has seen the headers */
    char *raw;    /* the path as sent, still percent-encoded; NULL: not known */
    char *decoded; /* the path parameters, decoded, each NUL-terminated */
    rg_buf body;
} conn_state;

/* MHD's URI log callback, called with the request's URI as sent, before
 * MHD decodes its percent-escapes: routes are matched on that path, so an
 * id holding "%2F" stays one segment ("F/1"), and each parameter is
 * decoded alone (decode_params). Its result is the request's conn_state. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    (void)conn;
    conn_state *st = calloc(1, sizeof *st);
    if (st)
        st->raw = strndup(uri, strcspn(uri, "?")); /* NULL: routed on MHD's decoded path */
    return st;
}

static int hex_value(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

bool rg_http_decode_params(rg_slice *params, size_t n, char *buf, char *why, size_t why_n)
{
    char *out = buf;
    for (size_t i = 0; i < n; i++) {
        rg_slice p = params[i];
        char *start = out;
        const char *bad = NULL;
        for (size_t k = 0; k < p.n && !bad; k++) {
            if (p.p[k] != '%') {
                *out++ = p.p[k];
                continue;
            }
            int hi = k + 2 < p.n ? hex_value(p.p[k + 1]) : -1, lo = hi >= 0 ? hex_value(p.p[k + 2]) : -1;
            if (hi < 0 || lo < 0)
                bad = "has a '%' that is not followed by two hex digits";
            else if (!(*out++ = (char)(hi * 16 + lo)))
                bad = "holds a NUL byte (%00)";
            k += 2;
        }
        *out = '\0';
        if (!bad && !rg_utf8_valid(start, (size_t)(out - start)))
            bad = "is not UTF-8 text once its percent-escapes are decoded";
        if (bad) {
            char shown[81]; /* as sent, bytes outside printable ASCII as '?' */
            size_t m = p.n < sizeof shown - 1 ? p.n : sizeof shown - 1;
            for (size_t k = 0; k < m; k++)
                shown[k] = p.p[k] >= 0x20 && p.p[k] < 0x7f ? p.p[k] : '?';
            shown[m] = '\0';
            snprintf(why, why_n, "the path's segment '%s' %s", shown, bad);
            return false;
        }
        params[i] = (rg_slice){start, (size_t)(out - start)};
        out++;
    }
    return true;
}

/* r's path parameters decoded (rg_http_decode_params) into st->decoded. */
static bool decode_params(rg_http_request *r, conn_state *st, char *why, size_t n)
{
    size_t total = 1;
    for (size_t i = 0; i < r->n_params; i++)
        total += r->params[i].n + 1;
    free(st->decoded);
    if (!(st->decoded = malloc(total))) {
        snprintf(why, n, "out of memory");
        return false;
    }
    return rg_http_decode_params(r->params, r->n_params, st->decoded, why, n);
}

/* Whether the request's route reads a body (kept up to RG_HTTP_BODY_MAX). */
static bool wants_body(const conn_state *st)
{
    return st->api ? st->api_rt && st->api_rt->body != RG_API_NO_BODY : st->rt && st->rt->body;
}

static const route *find_route(const char *method, const char *url, unsigned *fail)
{
    rg_slice params[RG_HTTP_MAX_PARAMS];
    size_t n;
    bool path_known = false;
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        if (!rg_http_match(routes[i].pattern, url, params, &n))
            continue;
        path_known = true;
        if (!strcmp(routes[i].method, method) || (!strcmp(method, "HEAD") && !strcmp(routes[i].method, "GET")))
            return &routes[i];
    }
    *fail = path_known ? MHD_HTTP_METHOD_NOT_ALLOWED : MHD_HTTP_NOT_FOUND;
    return NULL;
}

static enum MHD_Result too_large(rg_http_request *r)
{
    char msg[96];
    snprintf(msg, sizeof msg, "the request body is larger than %d bytes", RG_HTTP_BODY_MAX);
    if (rg_api_is_api_path(r->path))
        return rg_api_send_problem(r, MHD_HTTP_CONTENT_TOO_LARGE, msg, NULL);
    return rg_http_send_error(r, MHD_HTTP_CONTENT_TOO_LARGE, "body_too_large", msg);
}

/* The framing headers as sent: how many Content-Length fields, whether
 * they all say the same, and whether Transfer-Encoding came too. */
typedef struct framing {
    unsigned n_length;
    bool lengths_differ;
    const char *first;
    bool transfer_encoding;
} framing;

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    framing *f = cls;
    if (!strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH)) {
        if (f->n_length++ == 0)
            f->first = value;
        else if (!value || !f->first || strcmp(value, f->first) != 0)
            f->lengths_differ = true;
    } else if (!strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING)) {
        f->transfer_encoding = true;
    }
    return MHD_YES;
}

/* libmicrohttpd 0.9.75 (Debian 12) frames a body by the first
 * Content-Length and ignores any other (upstream fixed it only in 1.0.4,
 * April 2026): a front proxy that reads the last one would see another
 * request in the same bytes (request smuggling). Two Content-Length fields
 * that differ, or Content-Length beside Transfer-Encoding (RFC 9112 §6.3),
 * are refused with 400 and the connection is closed. Returns whether it
 * refused the request (then *ret is the send's result). */
static bool refuse_framing(rg_http_request *r, enum MHD_Result *ret)
{
    framing f = {0};
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, count_framing, &f);
    const char *why = f.lengths_differ                      ? "two different Content-Length headers"
                      : f.n_length && f.transfer_encoding ? "both Content-Length and Transfer-Encoding"
                                                            : NULL;
    if (!why)
        return false;
    static const char *const close_it[] = {"Connection", "close", NULL};
    rg_info("%s %s: refused a request with %s", r->method, r->path, why);
    char msg[96];
    snprintf(msg, sizeof msg, "the request has %s", why);
    *ret = send_json_h(r, MHD_HTTP_BAD_REQUEST, error_body("bad_request", msg), close_it);
    return true;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
    (void)version;
    rg_http_request r = {.srv = cls, .conn = conn, .method = method, .path = url, .body = ""};
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    r.cx = ci ? ci->socket_context : NULL;
    conn_state *st = *con_cls;
    if (!st) { /* on_uri could not make it */
        if (!(st = calloc(1, sizeof *st)))
            return MHD_NO;
        *con_cls = st;
    }
    if (st->raw)
        r.path = url = st->raw; /* routes match the path as sent; decode_params decodes their ids */
    if (!st->started) {
        /* first call for this request: headers only */
        st->started = true;
        enum MHD_Result ret;
        if (refuse_framing(&r, &ret))
            return ret; /* answered before the body: MHD closes the connection */
        if ((st->api = rg_api_is_api_path(url)))
            st->api_rt = rg_api_find(method, url, &st->fail);
        else
            st->rt = find_route(method, url, &st->fail);
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        int64_t declared = 0;
        if (wants_body(st) && cl &&
            (!rg_parse_i64(rg_slice_cstr(cl), 0, INT64_MAX, &declared) || declared > RG_HTTP_BODY_MAX))
            return too_large(&r); /* answered before the body: MHD drops it and closes */
        return MHD_YES;
    }
    if (*upload_size) {
        /* a part of the body: kept for routes that read one (up to the cap), else dropped */
        if (wants_body(st) && !st->too_big) {
            if (st->body.len + *upload_size > RG_HTTP_BODY_MAX) {
                st->too_big = true;
                rg_buf_free(&st->body);
            } else {
                rg_buf_append(&st->body, upload_data, *upload_size);
            }
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (st->api) {
        if (st->too_big)
            return too_large(&r);
        if (st->body.oom)
            return rg_api_send_problem(&r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory", NULL);
        char why[200];
        if (st->api_rt && rg_http_match(st->api_rt->pattern, url, r.params, &r.n_params) &&
            !decode_params(&r, st, why, sizeof why))
            return rg_api_send_problem(&r, MHD_HTTP_BAD_REQUEST, why, NULL);
        r.body = rg_buf_cstr(&st->body);
        r.body_len = st->body.len;
        return rg_api_handle(&r, st->api_rt, st->fail);
    }
    if (!st->rt)
        return rg_http_send_error(&r, st->fail, st->fail == MHD_HTTP_NOT_FOUND ? "not_found" : "method_not_allowed",
                                  st->fail == MHD_HTTP_NOT_FOUND ? "no such route" : "method not allowed here");
    if (st->too_big)
        return too_large(&r);
    if (st->body.oom)
        return rg_http_send_error(&r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", "out of memory");
    char why[200];
    if (rg_http_match(st->rt->pattern, url, r.params, &r.n_params) && !decode_params(&r, st, why, sizeof why))
        return rg_http_send_error(&r, MHD_HTTP_BAD_REQUEST, "bad_request", why);
    r.body = rg_buf_cstr(&st->body);
    r.body_len = st->body.len;
    return st->rt->fn(&r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    conn_state *st = *con_cls;
    if (st) {
        rg_buf_free(&st->body);
        free(st->raw);
        free(st->decoded);
        free(st);
        *con_cls = NULL;
    }
}

static bool parse_listen(const char *listen, struct sockaddr_in *sa)
{
    char host[64];
    const char *colon = strrchr(listen, ':');
    if (!colon || (size_t)(colon - listen) >= sizeof host)
        return false;
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    int64_t port;
    if (!rg_parse_i64(rg_slice_cstr(colon + 1), 0, 65535, &port))
        return false;
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (!host[0] || !strcmp(host, "*"))
        sa->sin_addr.s_addr = htonl(INADDR_ANY);
    else if (!strcmp(host, "localhost"))
        sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    else if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
        return false;
    return true;
}

static void close_idle(rg_http_server *s)
{
    for (size_t i = 0; i < s->n_idle; i++)
        rg_store_close(s->idle[i]);
    s->n_idle = 0;
}

rg_status rg_http_start(const rg_http_options *opt, rg_http_server **out, rg_err *e)
{
    *out = NULL;
    struct sockaddr_in sa;
    if (!opt->events || !opt->events->zones)
        return rg_err_set(e, RG_EINVAL, "http", "the server needs the event environment (zones, triggers)");
    if (!parse_listen(opt->listen, &sa))
        return rg_err_set(e, RG_EINVAL, "listen", "'%s' is not host:port with an IPv4 address (e.g. 127.0.0.1:8080)",
                          opt->listen);
    rg_http_server *s = calloc(1, sizeof *s);
    if (!s)
        return rg_err_set(e, RG_ENOMEM, "http", "out of memory");
    s->store = opt->store;
    s->config = opt->config;
    s->events = opt->events;
    s->clock = opt->clock;
    s->write_wait_ms = (int)opt->config->server.write_wait_ms;
    rg_apikey_cache_init(&s->keys);
    if (!(s->portal_rate = rg_rate_new())) {
        rg_apikey_cache_destroy(&s->keys);
        free(s);
        return rg_err_set(e, RG_ENOMEM, "http", "out of memory");
    }
    pthread_mutex_init(&s->pool_mu, NULL);
    pthread_mutex_init(&s->group_mu, NULL);
    pthread_cond_init(&s->group_work, NULL);
    /* the write-ahead log's checkpointer: every connection's store below is
     * attached to it, so no request waits for a checkpoint inside a commit
     * (store.h); a database that cannot have one (in memory) is refused
     * before anything listens */
    rg_store *first = NULL;
    rg_status rc = rg_store_checkpointer_start(s->store, opt->wal_checkpoint_bytes, e);
    if ((s->own_ckpt = rc == RG_OK))
        rc = rg_store_open_peer(s->store, s->write_wait_ms, &first, e);
    if (rc != RG_OK) {
        if (rc == RG_EINVAL)
            rg_err_set(e, RG_EINVAL, "serve",
                       "the HTTP server needs a database file (each connection opens its own): not an in-memory one");
        goto fail;
    }
    s->idle[s->n_idle++] = first;
    /* A thread per client connection, each with its own store handle: a
     * request waiting for the write lock holds up no other (http_int.h). */
    unsigned per_ip = (unsigned)opt->config->server.max_connections_per_ip;
    s->daemon = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ERROR_LOG, 0, NULL,
        NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)opt->config->server.max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
        MHD_OPTION_THREAD_STACK_SIZE, (size_t)(1024 * 1024), MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024), MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_END);
    if (!s->daemon) {
        rc = rg_err_set(e, RG_EIO, opt->listen, "cannot listen (is the port in use?)");
        goto fail;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : ntohs(sa.sin_port);
    *out = s;
    return RG_OK;
fail:
    close_idle(s);
    if (s->own_ckpt)
        rg_store_checkpointer_stop(s->store);
    rg_rate_free(s->portal_rate);
    rg_apikey_cache_destroy(&s->keys);
    pthread_mutex_destroy(&s->pool_mu);
    pthread_mutex_destroy(&s->group_mu);
    pthread_cond_destroy(&s->group_work);
    free(s);
    return rc;
}

unsigned rg_http_port(const rg_http_server *s)
{
    return s->port;
}

void rg_http_stop(rg_http_server *s)
{
    if (!s)
        return;
    /* joins every connection's thread; each gave its store back on close */
    MHD_stop_daemon(s->daemon);
    rg_http_group_stop(s);
    close_idle(s);
    /* every attached store is closed: the log copied back and emptied */
    if (s->own_ckpt)
        rg_store_checkpointer_stop(s->store);
    rg_rate_free(s->portal_rate);
    rg_apikey_cache_destroy(&s->keys);
    pthread_mutex_destroy(&s->pool_mu);
    pthread_mutex_destroy(&s->group_mu);
    pthread_cond_destroy(&s->group_work);
    free(s);
}
