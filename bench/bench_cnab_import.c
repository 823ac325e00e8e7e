/*
 * bench_cnab_import — `regua cnab import` at scale: 100,000 invoices are
 * imported (CSV, as `regua import`) into a fresh SQLite file, then a CNAB
 * 400 (Itaú) return file with 100,000 liquidations of them, built in memory,
 * is imported through rg_cnab_import_buffer (the code behind the command):
 * one transaction, every line matched by nosso número and recorded as a
 * payment with its event. Then the same file again (all already recorded).
 * Usage: build/bench/bench_cnab_import [DETAILS] [DB_PATH]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "service/cnab_import.h"
#include "service/import.h"
#include "store/store.h"

static const rg_instant NOW = 1774267200; /* 2026-03-23T12:00:00Z */

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

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

static long long face_of(int64_t i)
{
    return 5000 + (i % 90000);
}

/* An Itaú CNAB 400 retorno: one liquidation (06) per invoice, nosso número
 * 10000000 + i, valor pago = face value, credited 17/03/2026. */
static void build_file(rg_buf *f, int64_t n)
{
    char l[401];
    long long total = 0;
    memset(l, ' ', 400);
    l[400] = '\0';
    put(l, 1, 26, "02RETORNO01COBRANCA");
    put(l, 77, 3, "341");
    put(l, 95, 6, "160326");
    putn(l, 395, 6, 1);
    rg_buf_append(f, l, 400);
    rg_buf_puts(f, "\r\n");
    for (int64_t i = 0; i < n; i++) {
        long long face = face_of(i);
        memset(l, ' ', 400);
        put(l, 1, 17, "10212345678000195");
        putn(l, 63, 8, 10000000 + i);
        put(l, 83, 3, "109");
        put(l, 109, 8, "06150326");
        putn(l, 117, 10, i);
        put(l, 147, 6, "100326");
        putn(l, 153, 13, face);
        putn(l, 176, 13, 250);
        putn(l, 215, 13, 0);
        putn(l, 228, 13, 0);
        putn(l, 241, 13, 0);
        putn(l, 254, 13, face);
        putn(l, 267, 13, 0);
        putn(l, 280, 13, 0);
        put(l, 296, 6, "170326");
        putn(l, 395, 6, (i + 2) % 1000000);
        rg_buf_append(f, l, 400);
        rg_buf_puts(f, "\r\n");
        total += face;
    }
    memset(l, ' ', 400);
    put(l, 1, 7, "9201341");
    putn(l, 213, 8, n);
    putn(l, 221, 14, total);
    putn(l, 395, 6, (n + 2) % 1000000);
    rg_buf_append(f, l, 400);
    rg_buf_puts(f, "\r\n");
}

static int run_import(rg_store *s, rg_zones *zones, const rg_buf *f, const char *label, int64_t n)
{
    rg_cnab_import_report r;
    rg_err e;
    double t0 = seconds();
    rg_status rc = rg_cnab_import_buffer(&(rg_event_env){s, zones, NULL}, "bench.ret", f->p, f->len, false, NOW, &r, &e);
    double t1 = seconds();
    if (rc != RG_OK) {
        fprintf(stderr, "%s: %s\n", e.where, e.msg);
        rg_cnab_import_report_free(&r);
        return 1;
    }
    printf("%s: %lld details in %.3f s (%.0f lines/s): %lld recorded, %lld already recorded, %lld unmatched, "
           "%zu corrupt, trailer %s\n",
           label, (long long)n, t1 - t0, (double)n / (t1 - t0), (long long)r.recorded.count,
           (long long)r.already.count, (long long)r.unmatched.count, r.n_corrupt_total, r.totals.ok ? "ok" : "BAD");
    rg_cnab_import_report_free(&r);
    return 0;
}

int main(int argc, char **argv)
{
    int64_t n = 100000;
    if (argc > 1 && !rg_parse_i64(rg_slice_cstr(argv[1]), 1, 999998, &n)) {
        fprintf(stderr, "usage: bench_cnab_import [DETAILS (up to 999998)] [DB_PATH]\n");
        return 2;
    }
    const char *db = argc > 2 ? argv[2] : "/tmp/regua-bench-cnab.db";
    char wal[600], shm[600];
    snprintf(wal, sizeof wal, "%s-wal", db);
    snprintf(shm, sizeof shm, "%s-shm", db);
    unlink(db);
    unlink(wal);
    unlink(shm);

    int64_t n_cust = n / 10 > 0 ? n / 10 : 1;
    rg_buf c = RG_BUF_INIT, inv = RG_BUF_INIT, f = RG_BUF_INIT;
    rg_buf_puts(&c, "external_id,name\n");
    for (int64_t i = 0; i < n_cust; i++)
        rg_buf_printf(&c, "C%07lld,Cliente %lld\n", (long long)i, (long long)i);
    rg_buf_puts(&inv, "external_id,customer_external_id,amount,issue_date,due_date,nosso_numero\n");
    for (int64_t i = 0; i < n; i++) {
        long long face = face_of(i);
        rg_buf_printf(&inv, "F%08lld,C%07lld,%lld.%02lld,2026-03-01,2026-03-10,%lld\n", (long long)i,
                      (long long)(i % n_cust), face / 100, face % 100, (long long)(10000000 + i));
    }
    build_file(&f, n);
    if (c.oom || inv.oom || f.oom)
        return 3;

    rg_store *s;
    rg_err e;
    if (rg_store_open(db, &s, &e) != RG_OK) {
        fprintf(stderr, "%s: %s\n", e.where, e.msg);
        return 3;
    }
    rg_import_report ir;
    rg_zones *zones = NULL;
    if (rg_zones_new("America/Sao_Paulo", NULL, &zones, &e) != RG_OK)
        return fprintf(stderr, "%s\n", e.msg), 1;
    rg_import_options io;
    rg_import_options_init(&io, zones, NOW);
    double t0 = seconds();
    if (rg_import_csv_buffer(&(rg_event_env){s, io.zones, NULL}, RG_IMPORT_CUSTOMERS, "c.csv", c.p, c.len, &io, &ir, &e) != RG_OK)
        return fprintf(stderr, "%s: %s\n", e.where, e.msg), 1;
    rg_import_report_free(&ir);
    if (rg_import_csv_buffer(&(rg_event_env){s, io.zones, NULL}, RG_IMPORT_INVOICES, "f.csv", inv.p, inv.len, &io, &ir, &e) != RG_OK)
        return fprintf(stderr, "%s: %s\n", e.where, e.msg), 1;
    rg_import_report_free(&ir);
    printf("setup: %lld customers, %lld invoices in %.3f s; return file %.1f MB\n", (long long)n_cust,
           (long long)n, seconds() - t0, (double)f.len / 1e6);

    int rc = run_import(s, zones, &f, "import", n);
    if (!rc)
        rc = run_import(s, zones, &f, "import again", n);
    rg_store_close(s);
    rg_zones_free(zones);
    rg_buf_free(&c);
    rg_buf_free(&inv);
    rg_buf_free(&f);
    return rc;
}
