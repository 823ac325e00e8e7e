/*
 * http_int — what the HTTP server's files share (private to src/http/):
 * the server, one request as a handler sees it, and the response helpers.
 *
 * A handler receives a request whose path parameters and body are borrowed
 * from the connection (valid until the handler returns) and answers with
 * exactly one rg_http_* send call. Handlers touch the store only between
 * rg_http_store_lock() and rg_http_store_unlock().
 */
#ifndef RG_HTTP_INT_H
#define RG_HTTP_INT_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>

#include "base/buf.h"
#include "http/server.h"

/* Request bodies larger than this are refused with 413. */
#define RG_HTTP_BODY_MAX (1024 * 1024)
#define RG_HTTP_MAX_PARAMS 2

struct rg_http_server {
    struct MHD_Daemon *daemon;
    rg_store *store;
    const rg_config *config;
    const rg_event_env *events;
    rg_clock clock;
    pthread_mutex_t store_lock;
    unsigned port;
};

typedef struct rg_http_request {
    rg_http_server *srv;
    struct MHD_Connection *conn;
    const char *method;
    const char *path;
    rg_slice params[RG_HTTP_MAX_PARAMS]; /* the {} parts of the route, in order */
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

/* The store, locked for this thread; and its release. */
rg_store *rg_http_store_lock(rg_http_request *r);
void rg_http_store_unlock(rg_http_request *r);
rg_instant rg_http_now(const rg_http_request *r);

/* hooks.c */
enum MHD_Result rg_http_whatsapp_verify(rg_http_request *r);
enum MHD_Result rg_http_whatsapp_hook(rg_http_request *r);
enum MHD_Result rg_http_sms_hook(rg_http_request *r);

/* track.c */
enum MHD_Result rg_http_track_open(rg_http_request *r);
enum MHD_Result rg_http_track_click(rg_http_request *r);
enum MHD_Result rg_http_unsubscribe_page(rg_http_request *r);
enum MHD_Result rg_http_unsubscribe(rg_http_request *r);

#endif
