/* Benchmark: one tick over a large portfolio with the log driver, and the
 * storage floor on the same data.
 *
 *   bench_tick prepare DIR [INVOICES] [CUSTOMERS]  builds DIR/base.db once
 *   bench_tick tick DIR                            copies base.db, ticks once, prints the counts
 *   bench_tick floor DIR N                         copies base.db, reads the open invoices and
 *                                                  inserts N outbox rows in one transaction
 *   bench_tick agenda DIR                          copies base.db, ticks once (catch-up), then
 *                                                  times ticks with nothing due and the next
 *                                                  day's tick (the agenda: docs/BENCHMARKS.md)
 * BENCH_ACTIVE=K at prepare: only the first K invoices are in collection
 * (60 days late to 9 days ahead); the others are due 20 to 219 days ahead,
 * so that a day's tick has as much to do as with K invoices alone. With
 * BENCH_ACTIVE_CUSTOMERS=KC too, those K invoices belong to the first KC
 * customers exactly as in `prepare DIR K KC` (same ids, customers and due
 * dates) and the others to the remaining customers: the portfolio of K
 * invoices inside a larger one, with the same invoices due each day.
 * Run each under /usr/bin/time for wall time and peak RSS (see
 * scripts/bench-tick.sh, scripts/bench-agenda.sh and docs/BENCHMARKS.md). */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "br/doc.h"
#include "engine/engine.h"
#include "store/store.h"

static const rg_instant NOW = 1794916800; /* 2026-11-17T12:00:00Z, a Tuesday, 09:00 in Sao Paulo */

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0) {
        perror(path);
        exit(3);
    }
    fclose(f);
}

static int copy_file(const char *from, const char *to)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -f '%s' '%s-wal' '%s-shm' && cp '%s' '%s'", to, to, to, from, to);
    return system(cmd);
}

static void setup_dirs(const char *dir)
{
    char p[600];
    mkdir(dir, 0755);
    snprintf(p, sizeof p, "%s/cadences", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/cadences/dez.yaml", dir);
    write_file(p, "cadence: dez\n"
                  "match: {priority: 1}\n"
                  "window: {weekdays: \"08:00-20:00\", saturday: \"08:00-14:00\", sunday: closed, holidays: closed}\n"
                  "fees: {fine_pct: 2.00, interest_month_pct: 1.00}\n"
                  "steps:\n"
                  "  - {id: s1, at: D-5, send: {channels: [email], template: lembrete}}\n"
                  "  - {id: s2, at: D-1, send: {channels: [email], template: lembrete}}\n"
                  "  - {id: s3, at: D0, send: {channels: [email], template: lembrete}}\n"
                  "  - {id: s4, at: D+1, send: {channels: [email], template: atraso}}\n"
                  "  - {id: s5, at: D+3, send: {channels: [email], template: atraso}}\n"
                  "  - {id: s6, at: D+7, send: {channels: [email], template: atraso}}\n"
                  "  - {id: s7, at: D+10, send: {channels: [email], template: atraso}}\n"
                  "  - {id: s8, at: D+15, send: {channels: [email], template: atraso}}\n"
                  "  - {id: s9, at: D+20, send: {channels: [email], template: atraso}}\n"
                  "  - {id: s10, at: D+30, send: {channels: [email], template: atraso}}\n");
    snprintf(p, sizeof p, "%s/templates", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/templates/lembrete.email", dir);
    write_file(p, "Subject: Lembrete {{invoice.external_id}}\nOlá, {{customer.first_name}}! {{invoice.amount}} vence em "
                  "{{invoice.due_date}}.\n{{company.name}} (CNPJ {{company.cnpj}})\n");
    snprintf(p, sizeof p, "%s/templates/atraso.email", dir);
    write_file(p, "Subject: Em aberto {{invoice.external_id}}\nOlá, {{customer.first_name}}. {{invoice.external_id}} "
                  "venceu em {{invoice.due_date}}: {{invoice.updated_amount}} ({{invoice.days_late}} dias).\n"
                  "{{company.name}} (CNPJ {{company.cnpj}})\n");
}

static int prepare(const char *dir, int64_t n_inv, int64_t n_cust)
{
    setup_dirs(dir);
    char db[600];
    snprintf(db, sizeof db, "%s/base.db", dir);
    unlink(db);
    rg_store *s;
    rg_err e;
    if (rg_store_open(db, &s, &e) != RG_OK || rg_store_begin(s, &e) != RG_OK) {
        fprintf(stderr, "%s: %s\n", e.where, e.msg);
        return 3;
    }
    double t0 = seconds();
    rg_date today = rg_instant_utc_date(NOW);
    const char *sc = getenv("BENCH_SCATTER");
    bool scatter = sc && *sc == '1';
    int64_t active = n_inv;
    const char *ac = getenv("BENCH_ACTIVE");
    if (ac && *ac && !rg_parse_i64(rg_slice_cstr(ac), 0, n_inv, &active)) {
        fprintf(stderr, "BENCH_ACTIVE: a number from 0 to %lld\n", (long long)n_inv);
        return 2;
    }
    int64_t active_cust = n_cust;
    const char *acc = getenv("BENCH_ACTIVE_CUSTOMERS");
    if (acc && *acc && (!rg_parse_i64(rg_slice_cstr(acc), 1, n_cust, &active_cust) || active == n_inv ||
                        active_cust == n_cust)) {
        fprintf(stderr, "BENCH_ACTIVE_CUSTOMERS: a number from 1 to %lld, less than CUSTOMERS, with BENCH_ACTIVE\n",
                (long long)n_cust - 1);
        return 2;
    }
    for (int64_t i = 0; i < n_cust; i++) {
        rg_customer c;
        rg_customer_init(&c);
        snprintf(c.external_id, sizeof c.external_id, "C%07lld", (long long)i);
        snprintf(c.name, sizeof c.name, "Cliente %lld da Silva", (long long)i);
        snprintf(c.email, sizeof c.email, "cliente%lld@exemplo.com.br", (long long)i);
        c.kind = RG_KIND_PF;
        rg_upsert_result r;
        if (rg_store_customer_upsert(s, &c, RG_CF_ALL, NOW, &r, &e) != RG_OK)
            return 3;
    }
    for (int64_t i = 0; i < n_inv; i++) {
        rg_invoice inv;
        rg_invoice_init(&inv);
        snprintf(inv.external_id, sizeof inv.external_id, "F%08lld", (long long)i);
        /* recurring billing: each cycle bills every customer once, so a
         * customer's invoices are one cycle apart in the table (set
         * BENCH_SCATTER=1 for a fully random assignment) */
        inv.customer_id = scatter ? 1 + (i * 7919) % n_cust : 1 + i % n_cust;
        inv.amount = 5000 + (i % 90000);
        inv.due_date = today - 60 + (rg_date)((i / n_cust * 29 + i) % 70); /* 60 days late to 9 days ahead */
        if (active_cust < n_cust && i < active) { /* as in the portfolio of `active` invoices alone */
            inv.customer_id = 1 + i % active_cust;
            inv.due_date = today - 60 + (rg_date)((i / active_cust * 29 + i) % 70);
        } else if (active_cust < n_cust) {
            inv.customer_id = active_cust + 1 + (i - active) % (n_cust - active_cust);
        }
        if (i >= active)
            inv.due_date = today + 20 + (rg_date)(i % 200); /* not in collection yet */
        snprintf(inv.description, sizeof inv.description, "Mensalidade %lld", (long long)i);
        rg_upsert_result r;
        if (rg_store_invoice_upsert(s, &inv, RG_IF_ALL, NOW, &r, &e) != RG_OK)
            return 3;
    }
    if (rg_store_commit(s, &e) != RG_OK)
        return 3;
    rg_store_close(s);
    printf("prepared %lld invoices of %lld customers in %.1f s\n", (long long)n_inv, (long long)n_cust, seconds() - t0);
    return 0;
}

/* The engine on DIR/NAME (a fresh copy of base.db), with the log driver. */
typedef struct bench_env {
    rg_config cfg;
    rg_store *s;
    rg_engine *eng;
} bench_env;

static int open_env(const char *dir, const char *name, bench_env *v)
{
    char base[600], db[600];
    snprintf(base, sizeof base, "%s/base.db", dir);
    snprintf(db, sizeof db, "%s/%s", dir, name);
    if (copy_file(base, db) != 0)
        return 3;
    rg_config *cfg = &v->cfg;
    rg_config_defaults(cfg);
    rg_strlcpy(cfg->database, db, sizeof cfg->database);
    snprintf(cfg->cadences_dir, sizeof cfg->cadences_dir, "%s/cadences", dir);
    snprintf(cfg->templates_dir, sizeof cfg->templates_dir, "%s/templates", dir);
    rg_strlcpy(cfg->company.name, "Exemplo Ltda", sizeof cfg->company.name);
    rg_strlcpy(cfg->company.cnpj, "11222333000181", sizeof cfg->company.cnpj);
    rg_channel_config *ch = &cfg->channels[cfg->n_channels++];
    rg_strlcpy(ch->name, "email", sizeof ch->name);
    rg_strlcpy(ch->driver, "log", sizeof ch->driver);
    ch->n_settings = 1;
    rg_strlcpy(ch->settings[0].key, "path", sizeof ch->settings[0].key);
    snprintf(ch->settings[0].value, sizeof ch->settings[0].value, "%s/email.jsonl", dir);
    unlink(ch->settings[0].value);
    rg_err e;
    if (rg_store_open(db, &v->s, &e) != RG_OK) {
        fprintf(stderr, "%s: %s\n", e.where, e.msg);
        return 3;
    }
    rg_engine_options o = {v->s, &v->cfg, false, 0, 0};
    rg_diags d = RG_DIAGS_INIT;
    if (rg_engine_open(&o, &v->eng, &d, &e) != RG_OK) {
        fprintf(stderr, "%s: %s\n", e.where, e.msg);
        return 3;
    }
    rg_diags_free(&d);
    return 0;
}

static void close_env(bench_env *v)
{
    rg_engine_close(v->eng);
    rg_store_close(v->s);
}

static int tick(const char *dir)
{
    bench_env v;
    if (open_env(dir, "work.db", &v) != 0)
        return 3;
    rg_engine *eng = v.eng;
    rg_err e;
    double t0 = seconds();
    rg_tick_stats st;
    if (rg_engine_tick(eng, NOW, &st, &e) != RG_OK) {
        fprintf(stderr, "%s: %s\n", e.where, e.msg);
        return 3;
    }
    double t1 = seconds();
    printf("tick: %lld open invoices, %lld messages sent, %lld superseded in %.2f s (%.0f invoices/s)\n",
           (long long)st.invoices, (long long)st.sent, (long long)st.superseded, t1 - t0, (double)st.invoices / (t1 - t0));
    printf("messages=%lld\n", (long long)st.messages);
    close_env(&v);
    return 0;
}

/* Ticks at `at`, prints what it did and how long it took; < 0 on failure. */
static double timed_tick(rg_engine *eng, const char *what, rg_instant at)
{
    rg_err e;
    rg_tick_stats st;
    double t0 = seconds();
    if (rg_engine_tick(eng, at, &st, &e) != RG_OK) {
        fprintf(stderr, "%s: %s: %s\n", what, e.where, e.msg);
        return -1;
    }
    double dt = seconds() - t0;
    printf("%s: %.4f s, %lld invoices planned, %lld messages, %lld superseded\n", what, dt, (long long)st.invoices,
           (long long)st.messages, (long long)st.superseded);
    return dt;
}

/* The agenda: the catch-up tick at NOW (every invoice is new, so due),
 * then ticks with nothing due (a minute later, five times), then the next
 * day's tick at the same local hour. */
static int agenda_run(const char *dir)
{
    bench_env v;
    if (open_env(dir, "agenda.db", &v) != 0)
        return 3;
    int rc = 3;
    if (timed_tick(v.eng, "catch-up tick", NOW) < 0)
        goto out;
    for (int k = 1; k <= 5; k++) {
        char what[64];
        snprintf(what, sizeof what, "nothing-due tick %d", k);
        if (timed_tick(v.eng, what, NOW + 60 * k) < 0)
            goto out;
    }
    if (timed_tick(v.eng, "next day's tick", NOW + 86400) < 0)
        goto out;
    if (timed_tick(v.eng, "nothing-due tick after it", NOW + 86400 + 60) < 0)
        goto out;
    rc = 0;
out:
    close_env(&v);
    return rc;
}

/* The storage floor: the same open invoices read, the same number of
 * outbox rows inserted with one prepared statement in one transaction. */
static int floor_run(const char *dir, int64_t n)
{
    char base[600], db[600];
    snprintf(base, sizeof base, "%s/base.db", dir);
    snprintf(db, sizeof db, "%s/floor.db", dir);
    if (copy_file(base, db) != 0)
        return 3;
    sqlite3 *h;
    if (sqlite3_open(db, &h) != SQLITE_OK)
        return 3;
    sqlite3_exec(h, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-131072", NULL, NULL, NULL);
    double t0 = seconds();
    sqlite3_exec(h, "BEGIN", NULL, NULL, NULL);
    sqlite3_stmt *rd, *wr;
    sqlite3_prepare_v2(h,
                       "SELECT i.id, i.external_id, i.customer_id, i.amount, i.paid, i.due_date, i.description, c.name,"
                       " c.email FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE i.status = 'open'"
                       " ORDER BY i.customer_id, i.id",
                       -1, &rd, NULL);
    sqlite3_prepare_v2(h,
                       "INSERT INTO messages (idempotency_key, customer_id, invoice_id, source_kind, source_id, channel,"
                       " subject, body, status, planned_for, created_at, updated_at) VALUES (?1, ?2, ?3, 'step', 's',"
                       " 'email', ?4, ?5, 'sent', ?6, ?6, ?6)",
                       -1, &wr, NULL);
    int64_t read = 0, written = 0;
    char key[64], body[256];
    while (sqlite3_step(rd) == SQLITE_ROW) {
        read++;
        if (written >= n)
            continue;
        snprintf(key, sizeof key, "step:dez:s:%lld", (long long)sqlite3_column_int64(rd, 0));
        /* a body of the length the tick's rendered messages have (~100 bytes) */
        snprintf(body, sizeof body, "Olá, %s! A fatura %s venceu: R$ %lld,%02lld. Exemplo Ltda (CNPJ 11.222.333/0001-81)",
                 (const char *)sqlite3_column_text(rd, 7), (const char *)sqlite3_column_text(rd, 1),
                 (long long)(sqlite3_column_int64(rd, 3) / 100), (long long)(sqlite3_column_int64(rd, 3) % 100));
        sqlite3_bind_text(wr, 1, key, -1, SQLITE_STATIC);
        sqlite3_bind_int64(wr, 2, sqlite3_column_int64(rd, 2));
        sqlite3_bind_int64(wr, 3, sqlite3_column_int64(rd, 0));
        sqlite3_bind_text(wr, 4, "Em aberto F00000000", -1, SQLITE_STATIC);
        sqlite3_bind_text(wr, 5, body, -1, SQLITE_STATIC);
        sqlite3_bind_int64(wr, 6, NOW);
        if (sqlite3_step(wr) != SQLITE_DONE) {
            fprintf(stderr, "floor: %s\n", sqlite3_errmsg(h));
            return 3;
        }
        sqlite3_reset(wr);
        written++;
    }
    sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
    double t1 = seconds();
    printf("floor: read %lld open invoices, inserted %lld outbox rows in %.2f s\n", (long long)read, (long long)written,
           t1 - t0);
    sqlite3_finalize(rd);
    sqlite3_finalize(wr);
    sqlite3_close(h);
    return 0;
}

int main(int argc, char **argv)
{
    int64_t a = 0, b = 0;
    if (argc >= 3 && !strcmp(argv[1], "prepare")) {
        a = 1000000;
        b = 300000;
        if (argc > 3)
            rg_parse_i64(rg_slice_cstr(argv[3]), 1, 100000000, &a);
        if (argc > 4)
            rg_parse_i64(rg_slice_cstr(argv[4]), 1, 100000000, &b);
        return prepare(argv[2], a, b);
    }
    if (argc == 3 && !strcmp(argv[1], "tick"))
        return tick(argv[2]);
    if (argc == 3 && !strcmp(argv[1], "agenda"))
        return agenda_run(argv[2]);
    if (argc == 4 && !strcmp(argv[1], "floor") && rg_parse_i64(rg_slice_cstr(argv[3]), 0, INT64_MAX, &a))
        return floor_run(argv[2], a);
    fprintf(stderr, "usage: bench_tick prepare DIR [INVOICES] [CUSTOMERS] | tick DIR | floor DIR N | agenda DIR\n");
    return 2;
}
