/* Benchmark: 100,000 events recorded through the event service —
 * rg_event_submit_many, BATCH events per transaction (BATCH 1 is
 * rg_event_submit, what `regua event` does: a transaction each) — with
 * their trigger timers: half the events start a timer (portal.visited,
 * email.opened), the other half come later and cancel through `unless`
 * the ones still waiting (boleto.downloaded, message.replied). Prints
 * events/s. The invoices have been planned once (their progress names
 * the cadence), as in a running installation.
 * Usage: build/bench/bench_events [EVENTS] [BATCH] [DB_PATH]
 *        build/bench/bench_events EVENTS file DIR
 * The second form records nothing: it builds DIR/regua.db the same way and
 * writes DIR/events.jsonl (the same events), the cadence, its templates
 * and DIR/regua.yaml, for `regua --config DIR/regua.yaml event --file
 * DIR/events.jsonl` (scripts/bench-events.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "br/doc.h"
#include "cadence/load.h"
#include "service/events.h"
#include "service/import.h"
#include "store/store.h"

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char CADENCE[] =
    "cadence: bench\n"
    "match: {}\n"
    "steps:\n"
    "  - {id: hoje, at: D0, send: {channels: [email], template: x}}\n"
    "triggers:\n"
    "  - {id: portal, on: portal.visited, wait: 3h,\n"
    "     unless: [boleto.downloaded, pix.copied, payment.received, promise.made],\n"
    "     send: {channels: [whatsapp], template: oferta}, offer: {waive_interest: true, valid_days: 3}}\n"
    "  - {id: abriu, on: email.opened, wait: 48h, unless: [message.replied, payment.received, portal.visited],\n"
    "     send: {channels: [whatsapp, sms], template: outro}}\n";

static void write_file(const char *dir, const char *name, const char *text)
{
    char p[700];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        perror(p);
        exit(3);
    }
}

/* The CLI's files: config, the cadence and its templates. */
static void write_install(const char *dir)
{
    char p[700];
    snprintf(p, sizeof p, "%s/cadences", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/templates", dir);
    mkdir(p, 0755);
    write_file(dir, "cadences/bench.yaml", CADENCE);
    write_file(dir, "templates/x.email", "Subject: Fatura {{invoice.external_id}}\nOlá, {{customer.first_name}}. {{company.name}}, CNPJ {{company.cnpj}}.\n");
    write_file(dir, "templates/oferta.whatsapp", "Olá, {{customer.first_name}}: {{offer.amount}} até {{offer.valid_until}}. {{company.name}}, CNPJ {{company.cnpj}}.\n");
    write_file(dir, "templates/outro.whatsapp", "Olá, {{customer.first_name}}. {{company.name}}, CNPJ {{company.cnpj}}.\n");
    write_file(dir, "templates/outro.sms", "Ola, {{customer.first_name}}. {{company.name}}, CNPJ {{company.cnpj}}.\n");
    char yaml[2400];
    snprintf(yaml, sizeof yaml,
             "database: %s/regua.db\ncadences: %s/cadences\ntemplates: %s/templates\n"
             "company: {name: Exemplo Ltda, cnpj: 11.222.333/0001-81}\nchannels:\n"
             "  email: {driver: log, path: %s/email.jsonl}\n  whatsapp: {driver: log, path: %s/whatsapp.jsonl}\n"
             "  sms: {driver: log, path: %s/sms.jsonl}\n",
             dir, dir, dir, dir, dir, dir);
    write_file(dir, "regua.yaml", yaml);
}

int main(int argc, char **argv)
{
    int64_t n_ev = 100000;
    int64_t batch = 1;
    bool to_file = argc == 4 && !strcmp(argv[2], "file");
    if ((argc > 1 && !rg_parse_i64(rg_slice_cstr(argv[1]), 2, 100000000, &n_ev)) ||
        (argc > 2 && !to_file && !rg_parse_i64(rg_slice_cstr(argv[2]), 1, 100000, &batch))) {
        fprintf(stderr, "usage: bench_events [EVENTS] [BATCH] [DB_PATH] | bench_events EVENTS file DIR\n");
        return 2;
    }
    char dbp[600];
    if (to_file) {
        mkdir(argv[3], 0755);
        write_install(argv[3]);
        snprintf(dbp, sizeof dbp, "%s/regua.db", argv[3]);
    }
    const char *db = to_file ? dbp : argc > 3 ? argv[3] : "/tmp/regua-bench-events.db";
    int64_t n_inv = n_ev / 2, n_cust = n_inv / 10 > 0 ? n_inv / 10 : 1;
    char wal[600], shm[600];
    snprintf(wal, sizeof wal, "%s-wal", db);
    snprintf(shm, sizeof shm, "%s-shm", db);
    unlink(db);
    unlink(wal);
    unlink(shm);

    /* the portfolio: customers and invoices, as an import makes them */
    rg_buf c = RG_BUF_INIT, f = RG_BUF_INIT;
    rg_buf_puts(&c, "external_id,name,document,email,whatsapp,tags\n");
    for (int64_t i = 0; i < n_cust; i++) {
        char base[10], dv[2];
        snprintf(base, sizeof base, "%09lld", 100000000 + (long long)i * 7);
        rg_cpf_check_digits(base, dv);
        rg_buf_printf(&c, "C%07lld,Cliente %lld,%.9s%c%c,c%lld@exemplo.com.br,+55119%04lld%04lld,plano-mensal\n",
                      (long long)i, (long long)i, base, dv[0], dv[1], (long long)i, (long long)(i % 10000),
                      (long long)((i * 31) % 10000));
    }
    rg_buf_puts(&f, "external_id,customer_external_id,amount,due_date\n");
    for (int64_t i = 0; i < n_inv; i++)
        rg_buf_printf(&f, "F%08lld,C%07lld,%lld.00,2026-12-%02lld\n", (long long)i, (long long)(i % n_cust),
                      (long long)(50 + i % 900), (long long)(1 + i % 28));
    rg_store *s;
    rg_err e;
    rg_zones *zones = NULL;
    if (c.oom || f.oom || rg_store_open(db, &s, &e) != RG_OK || rg_zones_new("America/Sao_Paulo", NULL, &zones, &e) != RG_OK) {
        fprintf(stderr, "setup: %s\n", e.msg);
        return 3;
    }
    rg_import_report r;
    rg_import_options io;
    rg_import_options_init(&io, zones, 1795000000);
    rg_event_env bare = {s, zones, NULL};
    if (rg_import_csv_buffer(&bare, RG_IMPORT_CUSTOMERS, "c.csv", c.p, c.len, &io, &r, &e) != RG_OK)
        return 1;
    rg_import_report_free(&r);
    if (rg_import_csv_buffer(&bare, RG_IMPORT_INVOICES, "f.csv", f.p, f.len, &io, &r, &e) != RG_OK)
        return 1;
    rg_import_report_free(&r);

    /* what listens: one cadence with the seeds' two waiting triggers */
    rg_cadence *cad = NULL;
    rg_diags d = RG_DIAGS_INIT;
    if (rg_cadence_parse(CADENCE, strlen(CADENCE), "bench.yaml", RG_CADENCE_YAML, &d, &cad) != RG_OK ||
        rg_diags_count(&d, 0, RG_SEV_ERROR) != 0) {
        fprintf(stderr, "the cadence does not parse\n");
        return 1;
    }
    rg_diags_free(&d);
    rg_cadence *items[1] = {cad};
    rg_cadence_set set = {items, 1};
    rg_calendar *cal = rg_calendar_new();
    rg_triggers tr = {&set, cal, NULL};
    rg_event_env env = {s, zones, &tr};
    /* as after a first tick: each invoice's progress names its cadence */
    if (rg_store_begin(s, &e) != RG_OK)
        return 3;
    for (int64_t i = 1; i <= n_inv; i++)
        if (rg_store_progress_put(s, i, cad->name, cad->version, "", 1795000000, &e) != RG_OK) {
            fprintf(stderr, "progress: %s\n", e.msg);
            return 3;
        }
    if (rg_store_commit(s, &e) != RG_OK)
        return 3;

    static const char *const start[] = {"portal.visited", "email.opened"};
    static const char *const stop[] = {"boleto.downloaded", "message.replied"};
    rg_instant t0 = 1795000000;
    if (to_file) { /* the same events as JSON lines, for `regua event --file` */
        char p[700], when[32];
        snprintf(p, sizeof p, "%s/events.jsonl", argv[3]);
        FILE *out = fopen(p, "w");
        if (!out)
            return 3;
        for (int64_t k = 0; k < n_ev; k++) {
            int64_t inv = k % n_inv;
            fprintf(out, "{\"type\": \"%s\", \"invoice\": \"F%08lld\", \"at\": \"%s\"}\n",
                    k >= n_inv ? stop[inv % 2] : start[inv % 2], (long long)inv,
                    rg_instant_format(t0 + k, when, sizeof when));
        }
        if (fclose(out) != 0)
            return 3;
        printf("wrote %lld events to %s\n", (long long)n_ev, p);
        rg_store_close(s);
        rg_cadence_free(cad);
        rg_calendar_free(cal);
        rg_zones_free(zones);
        rg_buf_free(&c);
        rg_buf_free(&f);
        return 0;
    }
    int64_t started = 0, cancelled = 0;
    double a = seconds();
    rg_event_request *rq = calloc((size_t)batch, sizeof *rq);
    rg_event_result *out = calloc((size_t)batch, sizeof *out);
    char (*ids)[16] = calloc((size_t)batch, sizeof *ids);
    if (!rq || !out || !ids)
        return 3;
    for (int64_t k = 0; k < n_ev;) {
        int64_t m = 0;
        for (; m < batch && k < n_ev; m++, k++) {
            int64_t inv = k % n_inv;
            bool second = k >= n_inv; /* the second pass cancels what the first started */
            snprintf(ids[m], sizeof ids[m], "F%08lld", (long long)inv);
            rq[m] = (rg_event_request){second ? stop[inv % 2] : start[inv % 2], ids[m], NULL, t0 + k, NULL, "bench",
                                       t0 + k};
        }
        if (rg_event_submit_many(&env, rq, (size_t)m, out, NULL, &e) != RG_OK) {
            fprintf(stderr, "events before %lld: %s: %s\n", (long long)k, e.where, e.msg);
            return 1;
        }
        for (int64_t i = 0; i < m; i++) {
            started += out[i].event.timers_started;
            cancelled += out[i].event.timers_cancelled;
        }
    }
    double b = seconds();
    printf("events: %lld in %.3f s (%.0f events/s), %lld per transaction; timers started %lld, cancelled %lld\n",
           (long long)n_ev, b - a, (double)n_ev / (b - a), (long long)batch, (long long)started, (long long)cancelled);
    free(rq);
    free(out);
    free(ids);
    rg_store_close(s);
    rg_cadence_free(cad);
    rg_calendar_free(cal);
    rg_zones_free(zones);
    rg_buf_free(&c);
    rg_buf_free(&f);
    return 0;
}
