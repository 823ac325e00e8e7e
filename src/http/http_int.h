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

#include "base/buf.h"
#include "http/server.h"

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
    pthread_mutex_t pool_mu; /* guards idle/n_idle only */
    rg_store *idle[RG_HTTP_IDLE_STORES];
    size_t n_idle;
    unsigned port;
};

/* What one client connection holds across its requests (server.c). */
typedef struct rg_http_conn {
    rg_store *store; /* NULL until the first rg_http_store() */
} rg_http_conn;

typedef struct rg_http_request {
    rg_http_server *srv;
    struct MHD_Connection *conn;
    rg_http_conn *cx; /* NULL when it could not be allocated */
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
