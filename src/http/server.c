#include "http/server.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "version.h"

struct rg_http_server {
    struct MHD_Daemon *daemon;
    rg_store *store;
    const rg_config *config;
    rg_clock clock;
    pthread_mutex_t store_lock;
    unsigned port;
};

typedef struct request {
    rg_http_server *srv;
    struct MHD_Connection *conn;
    const char *method;
    const char *path;
} request;

static enum MHD_Result send_json(request *r, unsigned status, json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(body);
    if (!text)
        text = strdup("{\"error\":\"out of memory\"}");
    if (!text)
        return MHD_NO;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ret = MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result send_error(request *r, unsigned status, const char *code, const char *msg)
{
    return send_json(r, status, json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", msg));
}

static enum MHD_Result handle_healthz(request *r)
{
    rg_store_info info;
    rg_err e;
    rg_err_clear(&e);
    pthread_mutex_lock(&r->srv->store_lock);
    rg_status rc = rg_store_info_get(r->srv->store, &info, &e);
    pthread_mutex_unlock(&r->srv->store_lock);
    char now[32];
    rg_instant_format(rg_clock_now(&r->srv->clock), now, sizeof now);
    if (rc != RG_OK)
        return send_json(r, MHD_HTTP_SERVICE_UNAVAILABLE,
                         json_pack("{s:s, s:s, s:s, s:{s:s, s:s}}", "status", "error", "version", RG_VERSION,
                                   "now", now, "store", "status", "error", "message", e.msg));
    return send_json(r, MHD_HTTP_OK,
                     json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:i, s:I, s:I, s:I}}", "status", "ok",
                               "version", RG_VERSION, "now", now, "store", "status", "ok", "backend",
                               info.backend, "version", info.version, "schema_version", info.schema_version,
                               "customers", (json_int_t)info.customers, "invoices",
                               (json_int_t)info.invoices, "open_invoices", (json_int_t)info.open_invoices));
}

typedef struct route {
    const char *method;
    const char *path;
    enum MHD_Result (*fn)(request *r);
} route;

static const route routes[] = {
    {"GET", "/healthz", handle_healthz},
};

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    (void)upload_data;
    if (*con_cls == NULL) {
        /* first call for this request: headers only */
        static int marker;
        *con_cls = &marker;
        return MHD_YES;
    }
    if (*upload_size) {
        /* bodies are read by the API handlers that need them (later); drain */
        *upload_size = 0;
        return MHD_YES;
    }
    request r = {cls, conn, method, url};
    bool path_known = false;
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        if (strcmp(routes[i].path, url) != 0)
            continue;
        path_known = true;
        if (!strcmp(routes[i].method, method) || (!strcmp(method, "HEAD") && !strcmp(routes[i].method, "GET")))
            return routes[i].fn(&r);
    }
    if (path_known)
        return send_error(&r, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed", "method not allowed here");
    return send_error(&r, MHD_HTTP_NOT_FOUND, "not_found", "no such route");
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
    if (!parse_listen(opt->listen, &sa))
        return rg_err_set(e, RG_EINVAL, "listen", "'%s' is not host:port with an IPv4 address (e.g. 127.0.0.1:8080)",
                          opt->listen);
    rg_http_server *s = calloc(1, sizeof *s);
    if (!s)
        return rg_err_set(e, RG_ENOMEM, "http", "out of memory");
    s->store = opt->store;
    s->config = opt->config;
    s->clock = opt->clock;
    pthread_mutex_init(&s->store_lock, NULL);
    s->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL_LINUX_ONLY |
                                     MHD_USE_ERROR_LOG,
                                 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                                 MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(opt->threads ? opt->threads : 4),
                                 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
                                 MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(256 * 1024), MHD_OPTION_END);
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
