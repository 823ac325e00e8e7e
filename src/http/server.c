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

rg_store *rg_http_store_lock(rg_http_request *r)
{
    pthread_mutex_lock(&r->srv->store_lock);
    return r->srv->store;
}

void rg_http_store_unlock(rg_http_request *r)
{
    pthread_mutex_unlock(&r->srv->store_lock);
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

enum MHD_Result rg_http_send_json(rg_http_request *r, unsigned status, json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(body);
    static const char oom[] = "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}";
    enum MHD_Result ret;
    if (!text)
        ret = rg_http_send(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "application/json; charset=utf-8", oom, sizeof oom - 1,
                           NULL);
    else
        ret = rg_http_send(r, status, "application/json; charset=utf-8", text, strlen(text), NULL);
    free(text);
    return ret;
}

enum MHD_Result rg_http_send_error(rg_http_request *r, unsigned status, const char *code, const char *message)
{
    json_t *body = json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", message);
    if (!body) /* a message that is not valid UTF-8 */
        body = json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", "the request was refused");
    return rg_http_send_json(r, status, body);
}

/* ---- handlers ---- */

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
    rg_status rc = rg_store_info_get(rg_http_store_lock(r), &info, &e);
    rg_http_store_unlock(r);
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
};

static bool match(const char *pattern, const char *path, rg_slice *params, size_t *n)
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
    unsigned fail;   /* 404 or 405 decided from the headers; 0 none */
    bool too_big;
    rg_buf body;
} conn_state;

static const route *find_route(const char *method, const char *url, unsigned *fail)
{
    rg_slice params[RG_HTTP_MAX_PARAMS];
    size_t n;
    bool path_known = false;
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        if (!match(routes[i].pattern, url, params, &n))
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
    return rg_http_send_error(r, MHD_HTTP_CONTENT_TOO_LARGE, "body_too_large", msg);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
    (void)version;
    rg_http_request r = {.srv = cls, .conn = conn, .method = method, .path = url, .body = ""};
    conn_state *st = *con_cls;
    if (!st) {
        /* first call for this request: headers only */
        if (!(st = calloc(1, sizeof *st)))
            return MHD_NO;
        *con_cls = st;
        st->rt = find_route(method, url, &st->fail);
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        int64_t declared = 0;
        if (st->rt && st->rt->body && cl &&
            (!rg_parse_i64(rg_slice_cstr(cl), 0, INT64_MAX, &declared) || declared > RG_HTTP_BODY_MAX))
            return too_large(&r); /* answered before the body: MHD drops it and closes */
        return MHD_YES;
    }
    if (*upload_size) {
        /* a part of the body: kept for routes that read one (up to the cap), else dropped */
        if (st->rt && st->rt->body && !st->too_big) {
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
    if (!st->rt)
        return rg_http_send_error(&r, st->fail, st->fail == MHD_HTTP_NOT_FOUND ? "not_found" : "method_not_allowed",
                                  st->fail == MHD_HTTP_NOT_FOUND ? "no such route" : "method not allowed here");
    if (st->too_big)
        return too_large(&r);
    if (st->body.oom)
        return rg_http_send_error(&r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", "out of memory");
    match(st->rt->pattern, url, r.params, &r.n_params);
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
    pthread_mutex_init(&s->store_lock, NULL);
    s->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL_LINUX_ONLY |
                                     MHD_USE_ERROR_LOG,
                                 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                                 MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(opt->threads ? opt->threads : 4),
                                 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
                                 MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(256 * 1024),
                                 MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
    if (!s->daemon) {
        pthread_mutex_destroy(&s->store_lock);
        free(s);
        return rg_err_set(e, RG_EIO, opt->listen, "cannot listen (is the port in use?)");
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : ntohs(sa.sin_port);
    *out = s;
    return RG_OK;
}

unsigned rg_http_port(const rg_http_server *s)
{
    return s->port;
}

void rg_http_stop(rg_http_server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->daemon);
    pthread_mutex_destroy(&s->store_lock);
    free(s);
}
