/* Benchmark: the dispatcher sending N messages through the `http` driver to
 * a fast local fake provider (libmicrohttpd in a child process, answering
 * {"id":"b-N"} at once). The messages come from a real tick (N customers,
 * one invoice due today each, a D0 SMS step); the drain runs with the
 * engine's send-time re-check, as `regua dispatch` does. Prints messages/s
 * and the peak RSS during the drain (VmHWM after resetting it).
 * Usage: build/bench/bench_dispatch [MESSAGES] [MAX_IN_FLIGHT] [IDEMPOTENCY_HEADER]
 * IDEMPOTENCY_HEADER `none`: a provider without a key, so on_uncertain is
 * review and every transfer is preceded by its committed handed mark. */
#include <microhttpd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "channel/dispatcher.h"
#include "engine/engine.h"
#include "service/import.h"
#include "store/store.h"

/* CPU seconds (user + system) of this process: the dispatcher's own cost,
 * less sensitive than the wall clock to other work on the machine. */
static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the fake provider (child process) ---- */

static atomic_long served;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *data, size_t *size, void **ctx)
{
    (void)cls;
    (void)url;
    (void)method;
    (void)version;
    (void)data;
    if (!*ctx) {
        *ctx = conn; /* first call: headers only */
        return MHD_YES;
    }
    if (*size) {
        *size = 0; /* body consumed */
        return MHD_YES;
    }
    char body[64];
    int n = snprintf(body, sizeof body, "{\"id\":\"b-%ld\"}", atomic_fetch_add(&served, 1) + 1);
    struct MHD_Response *r = MHD_create_response_from_buffer((size_t)n, body, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(conn, 200, r);
    MHD_destroy_response(r);
    return ret;
}

static pid_t start_fake(int *port)
{
    int fds[2], back[2];
    if (pipe(fds) != 0 || pipe(back) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        close(back[1]);
        struct MHD_Daemon *d =
            MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL_LINUX_ONLY, 0, NULL, NULL, on_request,
                             NULL, MHD_OPTION_THREAD_POOL_SIZE, 2u, MHD_OPTION_CONNECTION_LIMIT, 4096u, MHD_OPTION_END);
        int p = d ? (int)MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port : 0;
        if (write(fds[1], &p, sizeof p) != (ssize_t)sizeof p)
            _exit(1);
        char c;
        while (read(back[0], &c, 1) > 0) /* until the parent goes */
            ;
        MHD_stop_daemon(d);
        _exit(0);
    }
    close(fds[1]);
    close(back[0]); /* back[1] stays open in the parent until exit */
    if (read(fds[0], port, sizeof *port) != (ssize_t)sizeof *port || *port == 0)
        return -1;
    close(fds[0]);
    return pid;
}

/* ---- setup ---- */

static void write_file(const char *dir, const char *name, const char *text)
{
    char p[600];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        perror(p);
        exit(1);
    }
}

static long vm_hwm_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f)) {
        int64_t v;
        if (!strncmp(line, "VmHWM:", 6)) {
            char *p = line + 6, *end;
            while (*p == ' ' || *p == '\t')
                p++;
            end = p;
            while (*end >= '0' && *end <= '9')
                end++;
            if (rg_parse_i64((rg_slice){p, (size_t)(end - p)}, 0, INT64_MAX, &v))
                kb = (long)v;
        }
    }
    if (f)
        fclose(f);
    return kb;
}

static void reset_hwm(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f) {
        fputs("5", f); /* resets VmHWM to the current RSS (Linux >= 4.0) */
        fclose(f);
    }
}

int main(int argc, char **argv)
{
    int64_t n = 20000, inflight = 64;
    const char *idem = argc > 3 ? argv[3] : "Idempotency-Key";
    if ((argc > 1 && !rg_parse_i64(rg_slice_cstr(argv[1]), 1, 10000000, &n)) ||
        (argc > 2 && !rg_parse_i64(rg_slice_cstr(argv[2]), 1, 10000, &inflight)) || argc > 4) {
        fprintf(stderr, "usage: bench_dispatch [MESSAGES] [MAX_IN_FLIGHT] [IDEMPOTENCY_HEADER|none]\n");
        return 2;
    }
    int port;
    pid_t fake = start_fake(&port);
    if (fake < 0) {
        fprintf(stderr, "bench_dispatch: the fake provider did not start\n");
        return 1;
    }
    char dir[] = "/tmp/regua-bench-dispatch-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char p[600];
    snprintf(p, sizeof p, "%s/cadences", dir);
    mkdir(p, 0755);
    write_file(p, "b.yaml",
               "cadence: b\nmatch: {priority: 1}\n"
               "window: {weekdays: \"08:00-20:00\", saturday: closed, sunday: closed, holidays: closed}\n"
               "steps:\n  - {id: hoje, at: D0, send: {channels: [sms], template: hoje}}\n");
    snprintf(p, sizeof p, "%s/templates", dir);
    mkdir(p, 0755);
    write_file(p, "hoje.sms", "Hoje vence {{invoice.external_id}}: {{invoice.amount}}. {{company.name}} (CNPJ "
                              "{{company.cnpj}})\n");
    rg_config cfg;
    rg_config_defaults(&cfg);
    snprintf(cfg.database, sizeof cfg.database, "%s/regua.db", dir);
    snprintf(cfg.cadences_dir, sizeof cfg.cadences_dir, "%s/cadences", dir);
    snprintf(cfg.templates_dir, sizeof cfg.templates_dir, "%s/templates", dir);
    rg_strlcpy(cfg.company.name, "Exemplo Ltda", sizeof cfg.company.name);
    rg_strlcpy(cfg.company.cnpj, "11222333000181", sizeof cfg.company.cnpj);
    rg_channel_config *ch = &cfg.channels[cfg.n_channels++];
    memset(ch, 0, sizeof *ch);
    rg_strlcpy(ch->name, "sms", sizeof ch->name);
    rg_strlcpy(ch->driver, "http", sizeof ch->driver);
    const char *keys[] = {"url", "body", "max_in_flight", "idempotency_header"};
    char vals[4][256];
    snprintf(vals[0], sizeof vals[0], "http://127.0.0.1:%d/sms", port);
    snprintf(vals[1], sizeof vals[1], "{\"to\": \"{{to_digits}}\", \"text\": \"{{body}}\"}");
    snprintf(vals[2], sizeof vals[2], "%lld", (long long)inflight);
    snprintf(vals[3], sizeof vals[3], "%s", idem);
    for (int i = 0; i < 4; i++) {
        rg_strlcpy(ch->settings[i].key, keys[i], sizeof ch->settings[i].key);
        rg_strlcpy(ch->settings[i].value, vals[i], sizeof ch->settings[i].value);
    }
    ch->n_settings = 4;

    rg_store *s;
    rg_err e;
    rg_err_clear(&e);
    if (rg_store_open(cfg.database, &s, &e) != RG_OK) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    rg_buf c = RG_BUF_INIT, f = RG_BUF_INIT;
    rg_buf_puts(&c, "external_id;name;phone\n");
    rg_buf_puts(&f, "external_id,customer_external_id,amount,due_date\n");
    for (int64_t i = 0; i < n; i++) {
        rg_buf_printf(&c, "K%lld;Cliente %lld;+55119%08lld\n", (long long)i, (long long)i, (long long)i);
        rg_buf_printf(&f, "G%lld,K%lld,10.00,2026-11-24\n", (long long)i, (long long)i);
    }
    rg_instant now;
    rg_instant_parse("2026-11-24T12:00:00Z", 20, &now);
    rg_import_report r;
    rg_zones *zones = NULL;
    if (rg_zones_new("America/Sao_Paulo", NULL, &zones, &e) != RG_OK) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    rg_import_options io;
    rg_import_options_init(&io, zones, now);
    if (rg_import_csv_buffer(&(rg_event_env){s, io.zones, NULL}, RG_IMPORT_CUSTOMERS, "c.csv", c.p, c.len, &io, &r, &e) != RG_OK ||
        (rg_import_report_free(&r), rg_import_csv_buffer(&(rg_event_env){s, io.zones, NULL}, RG_IMPORT_INVOICES, "f.csv", f.p, f.len, &io, &r,
                                                           &e)) != RG_OK) {
        fprintf(stderr, "import: %s\n", e.msg);
        return 1;
    }
    rg_import_report_free(&r);
    rg_zones_free(zones);
    rg_buf_free(&c);
    rg_buf_free(&f);
    rg_engine *eng;
    rg_engine_options eo = {s, &cfg, false, 0, 0};
    rg_diags dg = RG_DIAGS_INIT;
    if (rg_engine_open(&eo, &eng, &dg, &e) != RG_OK) {
        fprintf(stderr, "engine: %s\n", e.msg);
        return 1;
    }
    rg_diags_free(&dg);
    rg_tick_stats ts;
    double t0 = seconds();
    if (rg_engine_tick(eng, now, &ts, &e) != RG_OK) {
        fprintf(stderr, "tick: %s\n", e.msg);
        return 1;
    }
    double t_tick = seconds() - t0;
    rg_dispatch_options o;
    memset(&o, 0, sizeof o);
    o.store = s;
    o.config = &cfg;
    o.check = rg_engine_dispatch_check;
    o.check_ctx = eng;
    o.batch = (int)(inflight > 64 ? inflight : 64);
    rg_dispatcher *d;
    if (rg_dispatcher_open(&o, &d, &e) != RG_OK) {
        fprintf(stderr, "dispatcher: %s\n", e.msg);
        return 1;
    }
    long rss_before = vm_hwm_kb();
    reset_hwm();
    rg_clock clock = rg_clock_fixed(now);
    rg_dispatch_stats st;
    t0 = seconds();
    double c0 = cpu_seconds();
    if (rg_dispatcher_drain(d, &clock, &st, &e) != RG_OK) {
        fprintf(stderr, "drain: %s\n", e.msg);
        return 1;
    }
    double t_drain = seconds() - t0, c_drain = cpu_seconds() - c0;
    long rss_drain = vm_hwm_kb();
    printf("tick: %lld messages queued in %.2f s\n", (long long)ts.queued, t_tick);
    printf("dispatch: %lld sent of %lld claimed in %.2f s = %.0f messages/s (max_in_flight %lld)\n",
           (long long)st.sent, (long long)st.claimed, t_drain, (double)st.sent / t_drain, (long long)inflight);
    printf("dispatch CPU: %.2f s = %.1f us per message (this process: claims, re-check, curl, outcomes)\n", c_drain,
           c_drain * 1e6 / (double)(st.sent ? st.sent : 1));
    printf("peak RSS: %ld KB during the drain (%ld KB for the import and tick before it)\n", rss_drain, rss_before);
    rg_dispatcher_close(d);
    rg_engine_close(eng);
    rg_store_close(s);
    kill(fake, SIGTERM);
    waitpid(fake, NULL, 0);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return st.sent == n ? 0 : 1;
}
