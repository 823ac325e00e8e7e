/* Benchmark peer: a bare libmicrohttpd server started with the same daemon
 * options as regua's (a thread per connection, poll, the same limits),
 * whose one handler reads the request body, if any, and answers 200 with a
 * small JSON body. Driven by wrk beside `regua serve` in the same run
 * (scripts/bench-api.sh), it shows what the HTTP layer alone costs on the
 * machine, so the ratio shows regua's own work per request.
 * Usage: build/bench/bench_http_bare PORT   (runs until SIGINT or SIGTERM) */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **state)
{
    (void)cls;
    (void)url;
    (void)method;
    (void)version;
    (void)upload;
    if (!*state) { /* the headers: come back for the body */
        *state = conn;
        return MHD_YES;
    }
    if (*upload_size) { /* a piece of the body: consumed */
        *upload_size = 0;
        return MHD_YES;
    }
    static const char body[] = "{\"ok\":true}";
    struct MHD_Response *r = MHD_create_response_from_buffer(sizeof body - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

int main(int argc, char **argv)
{
    int64_t port = 0;
    if (argc != 2 || !rg_parse_i64(rg_slice_cstr(argv[1]), 1, 65535, &port)) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ERROR_LOG,
        (uint16_t)port, NULL, NULL, on_request, NULL, MHD_OPTION_CONNECTION_LIMIT, (unsigned)256,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)0, MHD_OPTION_THREAD_STACK_SIZE, (size_t)(1024 * 1024),
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
        MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "bench_http_bare: cannot listen on port %lld\n", (long long)port);
        return 1;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    printf("listening on 127.0.0.1:%lld\n", (long long)port);
    fflush(stdout);
    while (!stop)
        pause();
    MHD_stop_daemon(d);
    return 0;
}
