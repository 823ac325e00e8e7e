/*
 * bench_yaml — how long regua's YAML reader (rg_yaml_reader_open, used for
 * regua.yaml and every cadence file) takes on one flat mapping of N keys,
 * against libfyaml's own document builder with its duplicate-key check
 * (what the reader did before: a comparison of each new key with every
 * earlier one) measured in the same run as the peer.
 *
 * Usage: bench_yaml [N...]   (default: 1000 5000 10000 40000)
 * The peer is skipped above 10,000 keys unless BENCH_YAML_PEER_ALL=1 is set
 * (40,000 keys took it 75 s).
 */
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "config/yaml.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    static const long def[] = {1000, 5000, 10000, 40000};
    size_t n_sizes = argc > 1 ? (size_t)(argc - 1) : sizeof def / sizeof def[0];
    const bool peer_all = getenv("BENCH_YAML_PEER_ALL") != NULL;
    printf("%8s %10s %14s %24s\n", "keys", "bytes", "regua reader", "libfyaml with dup check");
    for (size_t i = 0; i < n_sizes; i++) {
        long n = argc > 1 ? strtol(argv[i + 1], NULL, 10) : def[i];
        rg_buf b = RG_BUF_INIT;
        for (long k = 0; k < n; k++)
            rg_buf_printf(&b, "key_%ld: value %ld\n", k, k);
        if (b.oom)
            return 1;
        double t0 = now_s();
        rg_yaml_reader r;
        rg_status st = rg_yaml_reader_open(&r, b.p, b.len, false);
        void *it = NULL;
        rg_yaml_syntax_error se;
        bool refused = st != RG_OK || rg_yaml_reader_next_error(&r, &it, &se);
        rg_yaml_reader_close(&r);
        double ours = now_s() - t0;
        char peer[64] = "skipped";
        if (n <= 10000 || peer_all) {
            struct fy_parse_cfg cfg;
            memset(&cfg, 0, sizeof cfg);
            cfg.flags = FYPCF_QUIET;
            t0 = now_s();
            struct fy_document *d = fy_document_build_from_string(&cfg, b.p, b.len);
            snprintf(peer, sizeof peer, "%.3f s", now_s() - t0);
            fy_document_destroy(d);
        }
        printf("%8ld %10zu %9.3f s%s %24s\n", n, b.len, ours, refused ? " (refused)" : "", peer);
        rg_buf_free(&b);
    }
    return 0;
}
