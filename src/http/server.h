/*
 * server — regua's HTTP server (GNU libmicrohttpd, internal thread pool).
 *
 * It owns the listening socket, a thread per client connection and a
 * store handle per connection (opened from the given store with
 * rg_store_open_peer, pooled between connections): reads never wait for a
 * writer, and a write that cannot get the database's write lock within
 * `server.write_wait_ms` answers 503 with Retry-After (http_int.h). The
 * limits `server.max_connections` and `server.max_connections_per_ip` come
 * from the configuration. Two Content-Length headers that differ are
 * refused (400). Routes live in a const table in server.c (method, a path pattern whose
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
    rg_store *store;      /* borrowed, must outlive the server; a database file (not in memory) */
    const rg_config *config; /* borrowed; its `server` limits apply */
    const rg_event_env *events; /* borrowed, required: the zones and triggers of the events the routes
                                   record (its store is not used: each request uses its connection's) */
    rg_clock clock;
    int64_t wal_checkpoint_bytes; /* the write-ahead log's length that starts a checkpoint on the server's own
                                     thread (rg_store_checkpointer_start); 0: 64 MB */
} rg_http_options;

rg_status rg_http_start(const rg_http_options *opt, rg_http_server **out, rg_err *e);
/* The port actually bound (useful with port 0). */
unsigned rg_http_port(const rg_http_server *s);
void rg_http_stop(rg_http_server *s);

#endif
