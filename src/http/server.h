/*
 * server — regua's HTTP server (GNU libmicrohttpd, internal thread pool).
 *
 * It owns the listening socket and a store handle shared by the request
 * threads under a mutex (SQLite handles are not for concurrent use).
 * Routes live in a const table in server.c (method, a path pattern whose
 * segments may hold a "{}" parameter, whether a body is read); bodies are
 * capped at RG_HTTP_BODY_MAX (413 beyond). Handlers are thin shells over the
 * service layer, like the CLI commands: /healthz here, the provider
 * webhooks in hooks.c, tracking and unsubscribe in track.c (docs/api.md).
 * Started by `regua serve` and `regua demo`.
 */
#ifndef RG_HTTP_SERVER_H
#define RG_HTTP_SERVER_H

#include "base/clock.h"
#include "base/err.h"
#include "config/config.h"
#include "service/events.h"
#include "store/store.h"

typedef struct rg_http_server rg_http_server;

typedef struct rg_http_options {
    const char *listen;   /* "127.0.0.1:8080" */
    rg_store *store;      /* borrowed; must outlive the server */
    const rg_config *config; /* borrowed */
    const rg_event_env *events; /* borrowed, required: the zones and triggers of the events the routes
                                   record (its store is not used: every request uses the server's) */
    rg_clock clock;
    unsigned threads;     /* 0: 4 */
} rg_http_options;

rg_status rg_http_start(const rg_http_options *opt, rg_http_server **out, rg_err *e);
/* The port actually bound (useful with port 0). */
unsigned rg_http_port(const rg_http_server *s);
void rg_http_stop(rg_http_server *s);

#endif
