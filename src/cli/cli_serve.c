/* regua serve: the HTTP server, the scheduler (a tick every minute) and the dispatcher. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/health.h"
#include "base/log.h"
#include "channel/dispatcher.h"
#include "cli/cli.h"
#include "cli/dispatch_cli.h"
#include "cli/serve.h"
#include "engine/engine.h"
#include "http/server.h"
#include "service/bureau.h"
#include "service/webhooks.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_serve = {
    "serve",
    "regua serve [--listen HOST:PORT] [--tick-every SECONDS] [--no-scheduler] [--no-dispatch]",
    "Run the HTTP server, the scheduler and the dispatcher until interrupted",
    "Serves the team's dashboard at / (pt-BR pages: Faturas, Tarefas, Clientes, Mensagens,\n"
    "Réguas, Canais, each table with a CSV export; log in at /login as a user of `regua user\n"
    "create`; docs/dashboard.md), the REST API under /v1 (Authorization: Bearer KEY from\n"
    "`regua apikey create`;\n"
    "its OpenAPI 3.1 document, docs/openapi.json, at GET /v1/openapi.json without a key),\n"
    "GET /healthz (JSON: ok or degraded with the reasons, the version, the store), the provider\n"
    "webhooks (/hooks/whatsapp, /hooks/sms/CHANNEL), open and click tracking (/t/o, /t/c) and\n"
    "one-click unsubscribe (/u) — see docs/api.md. Alongside it the\n"
    "scheduler runs the cadences once a minute (as `regua tick --no-dispatch` would) and the\n"
    "dispatcher sends queued messages as they fall due (as `regua dispatch`), each on its own\n"
    "connection to the database. With `webhooks:` in the config, the dispatcher also POSTs the\n"
    "outgoing webhooks' signed deliveries as they fall due, on a connection of its own ('regua\n"
    "webhooks --help'; --no-dispatch stops them too). When a channel has the `bureau` driver,\n"
    "the scheduler also sends the pending credit-bureau requests after each tick (as `regua\n"
    "bureau sync`): a\n"
    "paid invoice's removal goes out within a minute (STJ Súmula 548); a request that fails\n"
    "is retried, waiting 1 minute doubling up to 1 hour, until the bureau acknowledges it.\n"
    "SIGINT or SIGTERM stops claiming new messages, lets the\n"
    "transfers under way finish and be recorded, and exits. The address comes from --listen,\n"
    "else `listen` in the config (default 127.0.0.1:8080). Without a configuration file and\n"
    "with no templates or cadences to load, only the HTTP server runs (a warning says why).\n"
    "The cadence files and templates are read again when they change. While one of them does\n"
    "not load, the scheduler keeps running the last set that loaded (or, when none has yet,\n"
    "does not tick), the error is logged, and /healthz says \"degraded\" with the file and line;\n"
    "the dispatcher keeps that cadence's messages waiting.",
    run,
};

/* The dispatcher's re-check goes through this, so that its engine can be
 * replaced between drains when the cadences are loaded again. */
typedef struct check_ctx {
    rg_engine *eng;
} check_ctx;

static rg_status check(void *ctx, const rg_message *m, const rg_customer *c, rg_instant now, const char *failed,
                       rg_dispatch_verdict *out, rg_err *e)
{
    return rg_engine_dispatch_check(((check_ctx *)ctx)->eng, m, c, now, failed, out, e);
}

/* The scheduler and dispatcher threads and what they share. */
typedef struct workers {
    rg_cli *cli;
    int tick_every; /* seconds; 0: no scheduler */
    bool dispatch;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    bool kick; /* a tick queued messages: dispatch now */
    /* the scheduler's own store and engine (NULL while no cadence set has
     * loaded without errors: then it does not tick) */
    rg_store *s_store;
    rg_engine *s_engine;
    uint64_t sources;   /* signature of the cadence and template files last loaded or tried */
    uint64_t good_gen;  /* bumped (under mu) each time a set loads without errors */
    rg_channel *bureau; /* the scheduler's `bureau` channel; NULL when none is configured */
    /* the dispatcher's */
    rg_store *d_store;
    rg_engine *d_engine;
    check_ctx d_check;
    uint64_t d_gen;     /* the good_gen its engine was opened at */
    rg_dispatcher *d;
    /* the outgoing webhooks' sender (with the dispatcher, when webhooks are configured) */
    rg_store *w_store;
    char w_owner[128];
    pthread_t s_thread, d_thread, w_thread;
    bool s_started, d_started, w_started;
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

/* Says that the cadences did not load: on stderr, in the log and on
 * /healthz (component "cadences"). */
static void report_load_problems(workers *w, const rg_diags *d, const char *failure)
{
    rg_buf b = RG_BUF_INIT;
    rg_diags_format(d, &b);
    fputs(rg_buf_cstr(&b), w->cli->err);
    fflush(w->cli->err);
    rg_buf_free(&b);
    char first[400] = "";
    size_t errors = 0;
    for (size_t i = 0; i < d->n; i++) {
        if (d->items[i].severity != RG_SEV_ERROR)
            continue;
        if (!errors++) {
            rg_buf one = RG_BUF_INIT;
            rg_diag_format(&d->items[i], &one);
            rg_strlcpy(first, rg_buf_cstr(&one), sizeof first);
            first[strcspn(first, "\n")] = '\0';
            rg_buf_free(&one);
        }
    }
    const char *running = w->s_engine ? "the scheduler runs the last set that loaded"
                                       : "the scheduler does not tick until they load";
    if (failure)
        rg_health_setf("cadences", "%s; %s", failure, running);
    else
        rg_health_setf("cadences", "%s%s; %s", first, errors > 1 ? " (and more problems)" : "", running);
    rg_error("cadences: %zu problem(s) keep cadence files or templates from loading (%s); %s", errors,
             failure ? failure : first, running);
}

/* Opens an engine on `store` from the files as they are now. Returns it
 * when everything loaded; else NULL, after reporting why (when `report`). */
static rg_engine *load_engine(workers *w, rg_store *store, bool dry_run, bool report)
{
    rg_engine_options o = {store, &w->cli->config, dry_run, 0, 0};
    rg_diags d = RG_DIAGS_INIT;
    rg_err e;
    rg_err_clear(&e);
    rg_engine *eng = NULL;
    rg_status rc = rg_engine_open(&o, &eng, &d, &e);
    if (rc != RG_OK || rg_engine_load_errors(eng) > 0) {
        char buf[800];
        if (report)
            report_load_problems(w, &d, rc != RG_OK ? rg_err_text(&e, buf, sizeof buf) : NULL);
        rg_engine_close(eng);
        eng = NULL;
    }
    rg_diags_free(&d);
    return eng;
}

/* The scheduler's engine again, when the files changed: a set that loads
 * replaces the running one (and the dispatcher follows); one that does not
 * leaves it running. */
static void reload_if_changed(workers *w)
{
    uint64_t sig = rg_engine_sources_signature(&w->cli->config);
    if (sig == w->sources)
        return;
    w->sources = sig;
    rg_engine *eng = load_engine(w, w->s_store, false, true);
    if (!eng)
        return;
    rg_engine_close(w->s_engine);
    w->s_engine = eng;
    pthread_mutex_lock(&w->mu);
    w->good_gen++;
    pthread_mutex_unlock(&w->mu);
    rg_health_clear("cadences");
    rg_info("cadences: loaded again (%zu cadences)", rg_engine_cadences(eng)->n);
}

/* The pending credit-bureau requests (listings the cadences asked for,
 * removals after payment), each when its retry wait has passed. */
static void bureau_round(workers *w, rg_instant now)
{
    rg_bureau_sync_report r;
    rg_err e;
    rg_err_clear(&e);
    if (rg_bureau_sync_due(w->s_store, &w->cli->config, w->s_engine ? rg_engine_triggers(w->s_engine) : NULL,
                           w->bureau, now, &r, &e) != RG_OK) {
        char buf[800];
        rg_error("scheduler: bureau requests: %s", rg_err_text(&e, buf, sizeof buf));
    } else if (r.listed || r.removed || r.failed) {
        char t[40];
        fprintf(w->cli->out, "bureau at %s: %zu listed, %zu removed, %zu failed\n", rg_cli_time(w->cli, now, t, sizeof t),
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
        reload_if_changed(w);
        rg_instant now = rg_clock_now(&w->cli->clock);
        rg_tick_stats st;
        rg_err e;
        rg_err_clear(&e);
        if (!w->s_engine) {
            /* no cadence set has loaded: no tick (the bureau's removals still go) */
        } else if (rg_engine_tick(w->s_engine, now, &st, &e) != RG_OK) {
            char buf[800];
            rg_error("scheduler: tick failed: %s", rg_err_text(&e, buf, sizeof buf));
        } else {
            if (st.messages || st.tasks || st.reissues || st.bureau_requests) {
                char t[40];
                fprintf(w->cli->out, "tick at %s: %lld messages (%lld sent, %lld queued, %lld suppressed), %lld tasks\n",
                        rg_cli_time(w->cli, now, t, sizeof t), (long long)st.messages, (long long)st.sent,
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

/* The dispatcher's engine follows the scheduler's when a new set loaded. */
static void follow_reload(workers *w)
{
    pthread_mutex_lock(&w->mu);
    uint64_t gen = w->good_gen;
    pthread_mutex_unlock(&w->mu);
    if (gen == w->d_gen)
        return;
    rg_engine *eng = load_engine(w, w->d_store, true, false);
    if (!eng)
        return; /* changed again meanwhile: the scheduler reports it */
    rg_engine_close(w->d_engine);
    w->d_engine = w->d_check.eng = eng;
    w->d_gen = gen;
}

static void *dispatcher_main(void *p)
{
    workers *w = p;
    for (;;) {
        follow_reload(w);
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

/* The outgoing webhooks: the due deliveries every second (service/webhooks.h). */
static void *webhooks_main(void *p)
{
    workers *w = p;
    rg_webhooks_run r = {w->w_store, &w->cli->config, w->w_owner, &w->cli->clock, 0, NULL};
    for (;;) {
        rg_webhooks_stats st;
        rg_err e;
        rg_err_clear(&e);
        long pause = 1000;
        rg_instant now = rg_clock_now(&w->cli->clock);
        if (rg_webhooks_deliver(&r, &st, &e) != RG_OK) {
            char buf[800];
            rg_error("webhooks: %s", rg_err_text(&e, buf, sizeof buf));
            pause = 5000;
        } else if (st.claimed) {
            char t[40];
            fprintf(w->cli->out, "webhooks at %s: %lld delivered, %lld to retry, %lld failed\n",
                    rg_cli_time(w->cli, now, t, sizeof t), (long long)st.delivered, (long long)st.retrying,
                    (long long)st.failed);
            fflush(w->cli->out);
            if (st.claimed >= 20)
                pause = 0; /* more may be due */
        }
        if (wait_for(w, pause, false))
            break;
    }
    return NULL;
}

static void workers_close(workers *w)
{
    rg_store_close(w->w_store);
    w->w_store = NULL;
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

/* Opens a store and an engine for a thread. A cadence file or template
 * that does not load is not a failure here: the scheduler's engine is then
 * set aside (reported; it does not tick with a partial set), the
 * dispatcher's kept (its re-check holds that cadence's messages). */
static rg_status open_engine(workers *w, rg_store **store, rg_engine **eng, bool dry_run, rg_err *e)
{
    rg_cli *cli = w->cli;
    const char *loc = cli->db_path ? cli->db_path : cli->config.database;
    rg_status rc = rg_store_open(loc, store, e);
    if (rc != RG_OK)
        return rc;
    rg_engine_options o = {*store, &cli->config, dry_run, 0, 0};
    rg_diags d = RG_DIAGS_INIT;
    if ((rc = rg_engine_open(&o, eng, &d, e)) == RG_OK && !dry_run) {
        if (rg_engine_load_errors(*eng) > 0) {
            rg_engine_close(*eng);
            *eng = NULL;
            report_load_problems(w, &d, NULL);
        } else {
            if (d.n) { /* warnings */
                rg_buf b = RG_BUF_INIT;
                rg_diags_format(&d, &b);
                fputs(rg_buf_cstr(&b), cli->err);
                rg_buf_free(&b);
            }
            w->good_gen = 1;
            rg_health_clear("cadences");
        }
    }
    rg_diags_free(&d);
    return rc;
}

/* Opens what the threads need; on failure everything is closed again. */
static rg_status workers_open(workers *w, rg_err *e)
{
    rg_status rc = RG_OK;
    w->sources = rg_engine_sources_signature(&w->cli->config);
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
        w->d_check.eng = w->d_engine;
        w->d_gen = w->good_gen;
        o.check = check;
        o.check_ctx = &w->d_check;
        if ((rc = rg_dispatcher_open(&o, &w->d, e)) != RG_OK)
            goto fail;
        for (size_t i = 0; i < w->cli->config.n_webhooks; i++) {
            /* a webhook without its secret sends nothing: say so where it is seen */
            const rg_webhook_config *wh = &w->cli->config.webhooks[i];
            if (rg_webhook_secret(wh))
                continue;
            char component[64];
            snprintf(component, sizeof component, "webhook:%s", wh->name);
            rg_health_setf(component, "the variable %s (secret_env) is not set: its deliveries wait", wh->secret_env);
            fprintf(w->cli->err, "%s: warning: webhook %s: the variable %s (secret_env) is not set: nothing is sent"
                                 " to it until it is\n",
                    w->cli->prog, wh->name, wh->secret_env);
        }
        if (w->cli->config.n_webhooks) {
            const char *loc = w->cli->db_path ? w->cli->db_path : w->cli->config.database;
            if ((rc = rg_store_open(loc, &w->w_store, e)) != RG_OK)
                goto fail;
            char host[64] = "";
            gethostname(host, sizeof host - 1);
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            snprintf(w->w_owner, sizeof w->w_owner, "serve:%s:%ld:%lld.%09ld", host, (long)getpid(),
                     (long long)ts.tv_sec, ts.tv_nsec);
        }
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
    bool paused = false;
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
        paused = w->s_store && !w->s_engine;
        w->s_started = w->s_store && pthread_create(&w->s_thread, NULL, scheduler_main, w) == 0;
        w->d_started = w->d && pthread_create(&w->d_thread, NULL, dispatcher_main, w) == 0;
        w->w_started = w->w_store && pthread_create(&w->w_thread, NULL, webhooks_main, w) == 0;
    }
    fprintf(cli->out, "%sregua is listening on http://%s (port %u) — try /healthz; Ctrl-C stops it\n",
            banner ? banner : "", o.listen, rg_http_port(srv));
    if (run_workers) {
        char sched[128] = "off";
        if (w->s_started)
            snprintf(sched, sizeof sched, "a tick every %d s%s%s", w->tick_every,
                     w->bureau ? ", then the bureau requests" : "",
                     paused ? " (ticks paused until the cadences load: see /healthz)" : "");
        fprintf(cli->out, "scheduler: %s; dispatcher: %s", sched, w->d_started ? "on" : "off");
        if (w->w_started)
            fprintf(cli->out, "; webhooks: %zu configured", cli->config.n_webhooks);
        fputc('\n', cli->out);
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
        if (w->w_started)
            pthread_join(w->w_thread, NULL);
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
