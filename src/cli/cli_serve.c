/* regua serve: the HTTP server, the scheduler (a tick every minute) and the dispatcher. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "channel/dispatcher.h"
#include "cli/cli.h"
#include "cli/dispatch_cli.h"
#include "cli/serve.h"
#include "engine/engine.h"
#include "http/server.h"
#include "service/bureau.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_serve = {
    "serve",
    "regua serve [--listen HOST:PORT] [--tick-every SECONDS] [--no-scheduler] [--no-dispatch]",
    "Run the HTTP server, the scheduler and the dispatcher until interrupted",
    "Serves GET /healthz (JSON: ok or degraded with the reasons, the version, the store), the provider\n"
    "webhooks (/hooks/whatsapp, /hooks/sms/CHANNEL), open and click tracking (/t/o, /t/c) and\n"
    "one-click unsubscribe (/u) — see docs/api.md. Alongside it the\n"
    "scheduler runs the cadences once a minute (as `regua tick --no-dispatch` would) and the\n"
    "dispatcher sends queued messages as they fall due (as `regua dispatch`), each on its own\n"
    "connection to the database. When a channel has the `bureau` driver, the scheduler also\n"
    "sends the pending credit-bureau requests after each tick (as `regua bureau sync`): a\n"
    "paid invoice's removal goes out within a minute (STJ Súmula 548); a request that fails\n"
    "is retried, waiting 1 minute doubling up to 1 hour, until the bureau acknowledges it.\n"
    "SIGINT or SIGTERM stops claiming new messages, lets the\n"
    "transfers under way finish and be recorded, and exits. The address comes from --listen,\n"
    "else `listen` in the config (default 127.0.0.1:8080). Without a configuration file and\n"
    "with no templates or cadences to load, only the HTTP server runs (a warning says why).",
    run,
};

/* The scheduler and dispatcher threads and what they share. */
typedef struct workers {
    rg_cli *cli;
    int tick_every; /* seconds; 0: no scheduler */
    bool dispatch;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    bool kick; /* a tick queued messages: dispatch now */
    /* the scheduler's own store and engine */
    rg_store *s_store;
    rg_engine *s_engine;
    rg_channel *bureau; /* the scheduler's `bureau` channel; NULL when none is configured */
    /* the dispatcher's */
    rg_store *d_store;
    rg_engine *d_engine;
    rg_dispatcher *d;
    pthread_t s_thread, d_thread;
    bool s_started, d_started;
} workers;

static void deadline_in(struct timespec *ts, long ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* Waits up to ms for stop (or, when kick is given, a kick). Returns stop. */
static bool wait_for(workers *w, long ms, bool take_kick)
{
    struct timespec ts;
    deadline_in(&ts, ms);
    pthread_mutex_lock(&w->mu);
    while (!w->stop && !(take_kick && w->kick))
        if (pthread_cond_timedwait(&w->cv, &w->mu, &ts) != 0)
            break;
    if (take_kick)
        w->kick = false;
    bool stop = w->stop;
    pthread_mutex_unlock(&w->mu);
    return stop;
}

/* The pending credit-bureau requests (listings the cadences asked for,
 * removals after payment), each when its retry wait has passed. */
static void bureau_round(workers *w, rg_instant now)
{
    rg_bureau_sync_report r;
    rg_err e;
    rg_err_clear(&e);
    if (rg_bureau_sync_due(w->s_store, &w->cli->config, w->bureau, now, &r, &e) != RG_OK) {
        char buf[800];
        rg_error("scheduler: bureau requests: %s", rg_err_text(&e, buf, sizeof buf));
    } else if (r.listed || r.removed || r.failed) {
        char t[32];
        fprintf(w->cli->out, "bureau at %s: %zu listed, %zu removed, %zu failed\n", rg_instant_format(now, t, sizeof t),
                r.listed, r.removed, r.failed);
        for (size_t i = 0; i < r.n; i++)
            if (!strcmp(r.items[i].result, "failed"))
                fprintf(w->cli->out, "  %s %s failed: %s\n", r.items[i].invoice_external_id, r.items[i].action,
                        r.items[i].detail);
        fflush(w->cli->out);
    }
    rg_bureau_sync_report_free(&r);
}

static void *scheduler_main(void *p)
{
    workers *w = p;
    for (;;) {
        rg_instant now = rg_clock_now(&w->cli->clock);
        rg_tick_stats st;
        rg_err e;
        rg_err_clear(&e);
        if (rg_engine_tick(w->s_engine, now, &st, &e) != RG_OK) {
            char buf[800];
            rg_error("scheduler: tick failed: %s", rg_err_text(&e, buf, sizeof buf));
        } else {
            if (st.messages || st.tasks || st.reissues || st.bureau_requests) {
                char t[32];
                fprintf(w->cli->out, "tick at %s: %lld messages (%lld sent, %lld queued, %lld suppressed), %lld tasks\n",
                        rg_instant_format(now, t, sizeof t), (long long)st.messages, (long long)st.sent,
                        (long long)st.queued, (long long)st.suppressed, (long long)st.tasks);
                fflush(w->cli->out);
            }
            if (st.queued) {
                pthread_mutex_lock(&w->mu);
                w->kick = true;
                pthread_cond_broadcast(&w->cv);
                pthread_mutex_unlock(&w->mu);
            }
        }
        if (w->bureau)
            bureau_round(w, now);
        if (wait_for(w, (long)w->tick_every * 1000, false))
            break;
    }
    return NULL;
}

static void *dispatcher_main(void *p)
{
    workers *w = p;
    for (;;) {
        rg_dispatch_stats st;
        rg_err e;
        rg_err_clear(&e);
        long pause = 1000;
        if (rg_dispatcher_drain(w->d, &w->cli->clock, &st, &e) != RG_OK) {
            char buf[800];
            rg_error("dispatcher: %s", rg_err_text(&e, buf, sizeof buf));
            pause = 5000;
        } else if (st.claimed || st.recovered || st.uncertain) {
            int64_t queued = 0, sending = 0;
            rg_store_outbox_counts(w->d_store, &queued, &sending, NULL);
            rg_dispatch_stats_print(w->cli->out, &st, queued);
            fflush(w->cli->out);
        }
        if (wait_for(w, pause, true))
            break;
    }
    return NULL;
}

static void workers_close(workers *w)
{
    rg_dispatcher_close(w->d);
    rg_engine_close(w->d_engine);
    rg_store_close(w->d_store);
    rg_channel_close(w->bureau);
    rg_engine_close(w->s_engine);
    rg_store_close(w->s_store);
    w->bureau = NULL;
    w->d = NULL;
    w->d_engine = w->s_engine = NULL;
    w->d_store = w->s_store = NULL;
}

static rg_status open_engine(workers *w, rg_store **store, rg_engine **eng, bool dry_run, rg_err *e)
{
    rg_cli *cli = w->cli;
    const char *loc = cli->db_path ? cli->db_path : cli->config.database;
    rg_status rc = rg_store_open(loc, store, e);
    if (rc != RG_OK)
        return rc;
    rg_engine_options o = {*store, &cli->config, dry_run, 0, 0};
    rg_diags d = RG_DIAGS_INIT;
    rc = rg_engine_open(&o, eng, &d, e);
    if (d.n && !dry_run) {
        /* the scheduler's engine reports the cadence problems once */
        rg_buf b = RG_BUF_INIT;
        rg_diags_format(&d, &b);
        fputs(rg_buf_cstr(&b), cli->err);
        rg_buf_free(&b);
    }
    rg_diags_free(&d);
    return rc;
}

/* Opens what the threads need; on failure everything is closed again. */
static rg_status workers_open(workers *w, rg_err *e)
{
    rg_status rc = RG_OK;
    if (w->tick_every > 0 && (rc = open_engine(w, &w->s_store, &w->s_engine, false, e)) != RG_OK)
        goto fail;
    const rg_channel_config *bc = rg_bureau_channel_config(&w->cli->config);
    if (w->tick_every > 0 && bc) {
        rg_channel_env env = {&w->cli->config, NULL, w->s_store};
        if ((rc = rg_channel_open(bc, &env, &w->bureau, e)) != RG_OK)
            goto fail;
    }
    if (w->dispatch) {
        if ((rc = open_engine(w, &w->d_store, &w->d_engine, true, e)) != RG_OK)
            goto fail;
        rg_dispatch_options o;
        memset(&o, 0, sizeof o);
        o.store = w->d_store;
        o.config = &w->cli->config;
        o.check = rg_engine_dispatch_check;
        o.check_ctx = w->d_engine;
        if ((rc = rg_dispatcher_open(&o, &w->d, e)) != RG_OK)
            goto fail;
    }
    return RG_OK;
fail:
    workers_close(w);
    return rc;
}

static int serve(rg_cli *cli, const char *listen, const char *banner, workers *w)
{
    const rg_event_env *env = rg_cli_events(cli);
    if (!env)
        return 3;
    rg_store *s = env->store;
    /* Block the stop signals before any thread exists, so only sigwait()
     * below receives them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    rg_err e;
    rg_err_clear(&e);
    bool run_workers = w && (w->tick_every > 0 || w->dispatch);
    if (run_workers && workers_open(w, &e) != RG_OK) {
        if (cli->config.from_file)
            return rg_cli_fail(cli, &e);
        char buf[800];
        fprintf(cli->err, "%s: warning: the scheduler and the dispatcher are off: %s\n", cli->prog,
                rg_err_text(&e, buf, sizeof buf));
        run_workers = false;
        rg_err_clear(&e);
    }
    rg_http_options o;
    memset(&o, 0, sizeof o);
    o.listen = listen ? listen : cli->config.listen;
    o.store = s;
    o.config = &cli->config;
    o.events = env;
    o.clock = cli->clock;
    rg_http_server *srv = NULL;
    if (rg_http_start(&o, &srv, &e) != RG_OK) {
        if (run_workers)
            workers_close(w);
        return rg_cli_fail(cli, &e);
    }
    if (run_workers) {
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&w->cv, &ca);
        pthread_condattr_destroy(&ca);
        pthread_mutex_init(&w->mu, NULL);
        w->s_started = w->s_engine && pthread_create(&w->s_thread, NULL, scheduler_main, w) == 0;
        w->d_started = w->d && pthread_create(&w->d_thread, NULL, dispatcher_main, w) == 0;
    }
    fprintf(cli->out, "%sregua is listening on http://%s (port %u) — try /healthz; Ctrl-C stops it\n",
            banner ? banner : "", o.listen, rg_http_port(srv));
    if (run_workers) {
        char sched[80] = "off";
        if (w->s_started)
            snprintf(sched, sizeof sched, "a tick every %d s%s", w->tick_every,
                     w->bureau ? ", then the bureau requests" : "");
        fprintf(cli->out, "scheduler: %s; dispatcher: %s\n", sched, w->d_started ? "on" : "off");
    }
    fflush(cli->out);
    int sig = 0;
    sigwait(&set, &sig);
    fprintf(cli->out, "regua: stopping (signal %d)\n", sig);
    fflush(cli->out);
    if (run_workers) {
        pthread_mutex_lock(&w->mu);
        w->stop = true;
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
        if (w->d)
            rg_dispatcher_stop(w->d);
        if (w->s_started)
            pthread_join(w->s_thread, NULL);
        if (w->d_started)
            pthread_join(w->d_thread, NULL);
        workers_close(w);
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
    }
    rg_http_stop(srv);
    return 0;
}

int rg_cli_serve_until_signal(rg_cli *cli, const char *listen, const char *banner)
{
    return serve(cli, listen, banner, NULL);
}

static int run(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"listen", true, "HOST:PORT", "address to listen on (default from the config)", false, NULL},
        {"tick-every", true, "SECONDS", "seconds between scheduler ticks (default 60)", false, NULL},
        {"no-scheduler", false, NULL, "do not run the cadences", false, NULL},
        {"no-dispatch", false, NULL, "do not send queued messages", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[1];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &rg_cmd_serve, argc - 1, argv + 1, opts, pos, 0, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    workers w;
    memset(&w, 0, sizeof w);
    w.cli = cli;
    w.tick_every = 60;
    const char *te = rg_cli_opt(opts, "tick-every")->value;
    if (te) {
        int64_t v;
        if (!rg_parse_i64(rg_slice_cstr(te), 1, 86400, &v))
            return rg_cli_usage_error(cli, "serve", "--tick-every takes a whole number of seconds from 1 to 86400");
        w.tick_every = (int)v;
    }
    if (rg_cli_opt(opts, "no-scheduler")->set)
        w.tick_every = 0;
    w.dispatch = !rg_cli_opt(opts, "no-dispatch")->set;
    return serve(cli, rg_cli_opt(opts, "listen")->value, NULL, &w);
}
