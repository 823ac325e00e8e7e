/*
 * bench_cnab_parse — builds a CNAB 400 (Itaú) return file with 100,000
 * detail lines in memory and parses it with rg_cnab_parse, printing
 * lines per second. Usage: bench_cnab_parse [details] [rounds]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "br/cnab.h"

static void put(char *l, int start, int len, const char *s)
{
    size_t sl = strlen(s);
    for (int i = 0; i < len; i++)
        l[start - 1 + i] = (size_t)i < sl ? s[i] : ' ';
}

static void putn(char *l, int start, int len, long long v)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%0*lld", len, v);
    put(l, start, len, tmp);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    long details = argc > 1 ? strtol(argv[1], NULL, 10) : 100000;
    long rounds = argc > 2 ? strtol(argv[2], NULL, 10) : 5;
    if (details < 1 || rounds < 1)
        return 2;
    rg_buf f = RG_BUF_INIT;
    char l[401];
    long long total = 0;
    memset(l, ' ', 400);
    l[400] = '\0';
    put(l, 1, 26, "02RETORNO01COBRANCA");
    put(l, 77, 3, "341");
    put(l, 95, 6, "160326");
    putn(l, 395, 6, 1);
    rg_buf_append(&f, l, 400);
    rg_buf_puts(&f, "\r\n");
    for (long i = 0; i < details; i++) {
        long long face = 1000 + (i % 50000);
        memset(l, ' ', 400);
        put(l, 1, 1, "1");
        put(l, 2, 16, "0212345678000195");
        char uso[32];
        snprintf(uso, sizeof uso, "INV-%08ld", i);
        put(l, 38, 25, uso);
        putn(l, 63, 8, 10000000 + i);
        put(l, 83, 3, "109");
        put(l, 109, 8, i % 3 ? "06150326" : "02150326");
        putn(l, 117, 10, i);
        put(l, 147, 6, "100326");
        putn(l, 153, 13, face);
        putn(l, 176, 13, 250);
        putn(l, 215, 13, 0);
        putn(l, 228, 13, 0);
        putn(l, 241, 13, 0);
        putn(l, 254, 13, i % 3 ? face + 33 : 0);
        putn(l, 267, 13, i % 3 ? 33 : 0);
        putn(l, 280, 13, 0);
        put(l, 296, 6, i % 3 ? "170326" : "000000");
        putn(l, 395, 6, (i + 2) % 1000000);
        rg_buf_append(&f, l, 400);
        rg_buf_puts(&f, "\r\n");
        total += face;
    }
    memset(l, ' ', 400);
    put(l, 1, 7, "9201341");
    putn(l, 213, 8, details);
    putn(l, 221, 14, total);
    putn(l, 395, 6, (details + 2) % 1000000);
    rg_buf_append(&f, l, 400);
    rg_buf_puts(&f, "\r\n");
    if (f.oom)
        return 3;

    double best = 1e9;
    size_t lines = 0;
    for (long r = 0; r < rounds; r++) {
        rg_cnab_file *cf = NULL;
        rg_err e;
        double t0 = now_s();
        if (rg_cnab_parse(f.p, f.len, "bench.ret", &cf, &e) != RG_OK) {
            fprintf(stderr, "%s: %s\n", e.where, e.msg);
            return 1;
        }
        double dt = now_s() - t0;
        if (cf->n_entries != (size_t)details || !cf->totals.ok || cf->n_diags) {
            fprintf(stderr, "unexpected: %zu entries, %zu diags, totals ok %d\n", cf->n_entries, cf->n_diags,
                    cf->totals.ok);
            return 1;
        }
        lines = cf->n_lines;
        rg_cnab_file_free(cf);
        if (dt < best)
            best = dt;
    }
    printf("cnab400 parse: %zu lines (%.1f MB) in %.3f s (best of %ld) = %.0f lines/s\n", lines,
           (double)f.len / 1e6, best, rounds, (double)lines / best);
    rg_buf_free(&f);
    return 0;
}
