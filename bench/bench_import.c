/* Benchmark: import 10,000 customers and 100,000 invoices from CSV into a
 * fresh SQLite file, as `regua import` does. Prints rows/s and wall time.
 * Usage: build/bench/bench_import [INVOICES] [DB_PATH] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "br/doc.h"
#include "service/import.h"
#include "store/store.h"

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    int64_t n_inv = 100000;
    if (argc > 1 && !rg_parse_i64(rg_slice_cstr(argv[1]), 1, 100000000, &n_inv)) {
        fprintf(stderr, "usage: bench_import [INVOICES] [DB_PATH]\n");
        return 2;
    }
    const char *db = argc > 2 ? argv[2] : "/tmp/regua-bench-import.db";
    int n_cust = (int)(n_inv / 10 > 0 ? n_inv / 10 : 1);
    char wal[600], shm[600];
    snprintf(wal, sizeof wal, "%s-wal", db);
    snprintf(shm, sizeof shm, "%s-shm", db);
    unlink(db);
    unlink(wal);
    unlink(shm);

    rg_buf c = RG_BUF_INIT, f = RG_BUF_INIT;
    rg_buf_puts(&c, "external_id,name,document,email,phone,tags\n");
    for (int i = 0; i < n_cust; i++) {
        char base[10], dv[2];
        snprintf(base, sizeof base, "%09d", 100000000 + i * 7);
        rg_cpf_check_digits(base, dv);
        rg_buf_printf(&c, "C%07d,Cliente %d da Silva,%.9s%c%c,cliente%d@exemplo.com.br,(11) 9%04d-%04d,plano-mensal\n",
                      i, i, base, dv[0], dv[1], i, i % 10000, (i * 31) % 10000);
    }
    rg_buf_puts(&f, "external_id,customer_external_id,description,amount,issue_date,due_date,tags\n");
    for (int64_t i = 0; i < n_inv; i++)
        rg_buf_printf(&f, "F%08lld,C%07lld,Mensalidade %lld,%lld.%02lld,2026-11-01,2026-12-%02lld,plano-mensal\n",
                      (long long)i, (long long)(i % n_cust), (long long)i, (long long)(50 + i % 900),
                      (long long)(i % 100), (long long)(1 + i % 28));
    if (c.oom || f.oom)
        return 3;

    rg_store *s;
    rg_err e;
    if (rg_store_open(db, &s, &e) != RG_OK) {
        fprintf(stderr, "%s: %s\n", e.where, e.msg);
        return 3;
    }
    rg_import_report r;
    rg_zones *zones = NULL;
    if (rg_zones_new("America/Sao_Paulo", NULL, &zones, &e) != RG_OK) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    rg_import_options io;
    rg_import_options_init(&io, zones, 1795000000);
    double t0 = seconds();
    if (rg_import_csv_buffer(&(rg_event_env){s, io.zones, NULL}, RG_IMPORT_CUSTOMERS, "customers.csv", c.p, c.len, &io, &r, &e) != RG_OK) {
        fprintf(stderr, "%s: %s\n%s", e.where, e.msg, rg_buf_cstr(&r.text));
        return 1;
    }
    rg_import_report_free(&r);
    double t1 = seconds();
    if (rg_import_csv_buffer(&(rg_event_env){s, io.zones, NULL}, RG_IMPORT_INVOICES, "invoices.csv", f.p, f.len, &io, &r, &e) != RG_OK) {
        fprintf(stderr, "%s: %s\n%s", e.where, e.msg, rg_buf_cstr(&r.text));
        return 1;
    }
    double t2 = seconds();
    printf("customers: %d rows in %.3f s (%.0f rows/s)\n", n_cust, t1 - t0, n_cust / (t1 - t0));
    printf("invoices: %lld rows (%lld new) in %.3f s (%.0f rows/s), file %.1f MB\n", (long long)n_inv,
           (long long)r.inserted, t2 - t1, (double)n_inv / (t2 - t1), (double)f.len / 1e6);
    rg_import_report_free(&r);
    double t3 = seconds();
    rg_import_csv_buffer(&(rg_event_env){s, io.zones, NULL}, RG_IMPORT_INVOICES, "invoices.csv", f.p, f.len, &io, &r, &e);
    double t4 = seconds();
    printf("invoices again (all unchanged: %lld) in %.3f s\n", (long long)r.unchanged, t4 - t3);
    rg_import_report_free(&r);
    rg_store_close(s);
    rg_zones_free(zones);
    rg_buf_free(&c);
    rg_buf_free(&f);
    return 0;
}
