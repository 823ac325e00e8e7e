/* regua dispatch: drain the outbox once. */
#include <jansson.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/dispatch_cli.h"
#include "cli/engine_cli.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_dispatch = {
    "dispatch",
    "regua dispatch [--json]",
    "Send the queued messages that are due now, once, then exit",
    "Claims every queued message due now (a lease that expires if the process dies), checks\n"
    "again that it is still worth sending (invoice open, window open, cap respected, channel\n"
    "not opted out), sends it through its channel's driver and records the outcome.\n"
    "Transient failures are retried later with exponential backoff (a later run or `regua\n"
    "serve` picks them up); permanent ones fall back to the step's next channel. Leases left\n"
    "by a dispatcher that died are recovered first. An attempt that may have reached the\n"
    "provider (no answer, or a crash) follows the channel's on_uncertain: resend (same\n"
    "idempotency key or Message-ID) or review (status uncertain and a task); a provider\n"
    "refusing the channel itself (SMTP 535) pauses that channel. Before calling an attempt\n"
    "uncertain, a channel with lookup_url asks its provider's message list and records a\n"
    "message found there as sent (\"reconciled\"). When a cadence file or a template does\n"
    "not load, the others' messages are sent, that cadence's wait (never cancelled for it),\n"
    "and the command exits 1 naming the file. Then it POSTs the outgoing webhooks'\n"
    "deliveries that are due (`webhooks:` in regua.yaml; signed, retried with backoff, the\n"
    "same as `regua serve` does: 'regua webhooks --help'); --json adds their counts as\n"
    "\"webhooks\". See docs/channels.md and docs/api.md, \"Outgoing webhooks\".",
    run,
};

int rg_cli_dispatcher_open(rg_cli *cli, rg_store *store, rg_engine *eng, rg_dispatcher **out)
{
    rg_dispatch_options o;
    memset(&o, 0, sizeof o);
    o.store = store;
    o.config = &cli->config;
    o.check = rg_engine_dispatch_check;
    o.check_ctx = eng;
    rg_err e;
    rg_err_clear(&e);
    if (rg_dispatcher_open(&o, out, &e) != RG_OK)
        return rg_cli_fail(cli, &e);
    return 0;
}

void *rg_dispatch_stats_json(const rg_dispatch_stats *s, int64_t queued_left)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "claimed",
                     (json_int_t)s->claimed, "sent", (json_int_t)s->sent, "retried", (json_int_t)s->retried,
                     "rerouted", (json_int_t)s->rerouted, "waiting", (json_int_t)s->waiting, "cancelled",
                     (json_int_t)s->cancelled, "suppressed", (json_int_t)s->suppressed, "failed",
                     (json_int_t)s->failed, "uncertain", (json_int_t)s->uncertain, "paused", (json_int_t)s->paused,
                     "recovered", (json_int_t)s->recovered, "lost", (json_int_t)s->lost, "busy_waits",
                     (json_int_t)s->busy_waits, "reconciled", (json_int_t)s->reconciled, "queued",
                     (json_int_t)queued_left);
}

void rg_dispatch_stats_print(FILE *f, const rg_dispatch_stats *s, int64_t queued_left)
{
    fprintf(f,
            "dispatch: %lld claimed: %lld sent, %lld to retry, %lld moved to another channel, %lld waiting"
            " (window or cap), %lld waiting for a paused channel, %lld cancelled, %lld suppressed, %lld failed,"
            " %lld uncertain (to review); %lld leases recovered; %lld still queued\n",
            (long long)s->claimed, (long long)s->sent, (long long)s->retried, (long long)s->rerouted,
            (long long)s->waiting, (long long)s->paused, (long long)s->cancelled, (long long)s->suppressed,
            (long long)s->failed, (long long)s->uncertain, (long long)s->recovered, (long long)queued_left);
}

int rg_cli_webhooks_drain(rg_cli *cli, rg_store *store, const rg_clock *clock, rg_webhooks_stats *st)
{
    memset(st, 0, sizeof *st);
    if (!cli->config.n_webhooks)
        return 0;
    for (size_t i = 0; i < cli->config.n_webhooks; i++) {
        const rg_webhook_config *wh = &cli->config.webhooks[i];
        if (!rg_webhook_secret(wh))
            fprintf(cli->err, "%s: warning: webhook %s: the variable %s (secret_env) is not set: its deliveries are"
                              " not sent (each attempt says so)\n",
                    cli->prog, wh->name, wh->secret_env);
    }
    char host[64] = "", owner[128];
    gethostname(host, sizeof host - 1);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(owner, sizeof owner, "dispatch:%s:%ld:%lld.%09ld", host, (long)getpid(), (long long)ts.tv_sec,
             ts.tv_nsec);
    rg_webhooks_run r = {store, &cli->config, owner, clock, 20, NULL};
    for (;;) {
        rg_webhooks_stats round;
        rg_err e;
        rg_err_clear(&e);
        if (rg_webhooks_deliver(&r, &round, &e) != RG_OK)
            return rg_cli_fail(cli, &e);
        st->claimed += round.claimed;
        st->delivered += round.delivered;
        st->retrying += round.retrying;
        st->failed += round.failed;
        st->lost += round.lost;
        if (round.claimed < r.limit)
            return 0; /* none left due (a retried one is due later) */
    }
}

void *rg_webhooks_stats_json(const rg_webhooks_stats *st)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I}", "claimed", (json_int_t)st->claimed, "delivered",
                     (json_int_t)st->delivered, "retrying", (json_int_t)st->retrying, "failed",
                     (json_int_t)st->failed, "lost", (json_int_t)st->lost);
}

void rg_webhooks_stats_print(rg_cli *cli, const rg_webhooks_stats *st)
{
    if (cli->config.n_webhooks)
        fprintf(cli->out, "webhooks: %lld delivered, %lld to retry, %lld failed\n", (long long)st->delivered,
                (long long)st->retrying, (long long)st->failed);
}

static int run(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"json", false, NULL, "print the counts as JSON", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[1];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &rg_cmd_dispatch, argc - 1, argv + 1, opts, pos, 0, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    /* the engine only answers the re-check: it opens no channel */
    rg_engine *eng = NULL;
    int rc = rg_cli_engine_open(cli, true, RG_CLI_ENGINE_WARN, &eng);
    if (rc != 0)
        return rc;
    rg_dispatcher *d = NULL;
    if ((rc = rg_cli_dispatcher_open(cli, cli->store, eng, &d)) != 0) {
        rg_engine_close(eng);
        return rc;
    }
    rg_dispatch_stats st;
    rg_err e;
    rg_err_clear(&e);
    int64_t queued = 0, sending = 0;
    if (rg_dispatcher_drain(d, &cli->clock, &st, &e) != RG_OK ||
        rg_store_outbox_counts(cli->store, &queued, &sending, &e) != RG_OK) {
        rg_dispatcher_close(d);
        rg_engine_close(eng);
        return rg_cli_fail(cli, &e);
    }
    /* the messages of a cadence that did not load waited; say it failed */
    int load_failed = rg_engine_load_errors(eng) ? 1 : 0;
    rg_dispatcher_close(d);
    rg_engine_close(eng);
    /* the outgoing webhooks too: a cron without `serve` sends them */
    rg_webhooks_stats ws;
    if ((rc = rg_cli_webhooks_drain(cli, cli->store, &cli->clock, &ws)) != 0)
        return rc;
    if (rg_cli_opt(opts, "json")->set) {
        json_t *j = rg_dispatch_stats_json(&st, queued);
        if (j && cli->config.n_webhooks)
            json_object_set_new(j, "webhooks", rg_webhooks_stats_json(&ws));
        int jrc = rg_cli_print_json(cli, j);
        return jrc ? jrc : load_failed;
    }
    rg_dispatch_stats_print(cli->out, &st, queued);
    rg_webhooks_stats_print(cli, &ws);
    return load_failed;
}
