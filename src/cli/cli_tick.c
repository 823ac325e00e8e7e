/* regua tick: plan what the agenda says is due (or every open invoice: --full) and send it. */
#include <jansson.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/dispatch_cli.h"
#include "cli/engine_cli.h"
#include "engine/engine.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_tick = {
    "tick",
    "regua tick [--at WHEN] [--full] [--no-dispatch] [--json]",
    "Send what is due now, then exit (for cron)",
    "Runs the cadences once at --at (default: now, or --now; a bare date is noon of that day\n"
    "where the company is). It plans the customers the\n"
    "agenda says have something due (an open invoice whose next instant has come), with all\n"
    "their open invoices: the latest step that is due fires and earlier due ones are recorded\n"
    "as superseded; messages go out on the first usable channel inside the customer's window\n"
    "and caps; each invoice planned gets its next instant. After a change of the cadences,\n"
    "calendar or default zone, each tick also re-plans up to 100,000 more open invoices until\n"
    "all are planned anew. --full plans every open invoice (recovery; as slow as the\n"
    "portfolio is large). Running it twice for the same instant creates nothing new. Channels\n"
    "with an inline driver (log, letter, task) are delivered at once; the others are queued,\n"
    "and then sent by the dispatcher in the same run (as `regua dispatch` would, the outgoing\n"
    "webhooks' due deliveries too) unless --no-dispatch. If any cadence file or template\n"
    "does not load, nothing is done and the command exits 1 naming it (its invoices would\n"
    "otherwise fall to another cadence, or to none).",
    run,
};

void *rg_tick_stats_json(const rg_tick_stats *s)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
                     " s:I, s:I, s:I, s:I, s:I}",
                     "invoices", (json_int_t)s->invoices, "no_cadence", (json_int_t)s->no_cadence, "prescribed",
                     (json_int_t)s->prescribed, "fired", (json_int_t)s->fired, "superseded",
                     (json_int_t)s->superseded, "no_notice", (json_int_t)s->no_notice, "not_by_letter",
                     (json_int_t)s->not_by_letter, "added_after", (json_int_t)s->added_after, "no_phone",
                     (json_int_t)s->no_phone, "messages",
                     (json_int_t)s->messages, "sent", (json_int_t)s->sent, "queued", (json_int_t)s->queued,
                     "suppressed", (json_int_t)s->suppressed, "deferred", (json_int_t)s->deferred, "tasks",
                     (json_int_t)s->tasks, "reissues", (json_int_t)s->reissues, "bureau_requests",
                     (json_int_t)s->bureau_requests, "held", (json_int_t)s->held, "promises_broken",
                     (json_int_t)s->promises_broken, "timers_fired", (json_int_t)s->timers_fired, "timers_waiting",
                     (json_int_t)s->timers_waiting, "timers_cancelled", (json_int_t)s->timers_cancelled, "agreements_completed",
                     (json_int_t)s->agreements_completed, "agreements_broken", (json_int_t)s->agreements_broken);
}

static int run(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"at", true, "WHEN", "the instant to tick at (ISO-8601; a bare date is noon of that day where"
                             " the company is; default now)", false, NULL},
        {"full", false, NULL, "plan every open invoice, not only what the agenda says is due", false, NULL},
        {"no-dispatch", false, NULL, "plan only: leave the queued messages for `regua dispatch`", false, NULL},
        {"json", false, NULL, "print the counts as JSON", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[1];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &rg_cmd_tick, argc - 1, argv + 1, opts, pos, 0, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    rg_instant at = rg_cli_now(cli);
    const char *v = rg_cli_opt(opts, "at")->value;
    if (v && !rg_cli_moment(cli, "tick", "at", v, &at))
        return 2;
    rg_engine *eng = NULL;
    int rc = rg_cli_engine_open(cli, false, RG_CLI_ENGINE_STRICT, &eng);
    if (rc != 0)
        return rc;
    rg_tick_stats st;
    rg_err e;
    rg_err_clear(&e);
    rg_status (*tick)(rg_engine *, rg_instant, rg_tick_stats *, rg_err *) =
        rg_cli_opt(opts, "full")->set ? rg_engine_tick_full : rg_engine_tick;
    if (tick(eng, at, &st, &e) != RG_OK) {
        rg_engine_close(eng);
        return rg_cli_fail(cli, &e);
    }
    bool dispatch = !rg_cli_opt(opts, "no-dispatch")->set;
    rg_dispatch_stats ds;
    memset(&ds, 0, sizeof ds);
    int64_t queued = 0, sending = 0;
    rg_webhooks_stats ws;
    memset(&ws, 0, sizeof ws);
    if (dispatch) {
        /* the dispatcher runs at the same instant as the tick */
        rg_clock clock = rg_clock_fixed(at);
        if (!v)
            clock = cli->clock;
        rg_dispatcher *d = NULL;
        if ((rc = rg_cli_dispatcher_open(cli, cli->store, eng, &d)) != 0) {
            rg_engine_close(eng);
            return rc;
        }
        rg_status r = rg_dispatcher_drain(d, &clock, &ds, &e);
        if (r == RG_OK)
            r = rg_store_outbox_counts(cli->store, &queued, &sending, &e);
        rg_dispatcher_close(d);
        if (r != RG_OK) {
            rg_engine_close(eng);
            return rg_cli_fail(cli, &e);
        }
        /* signed with the real time (a receiver refuses an old `t`), not --at */
        if ((rc = rg_cli_webhooks_drain(cli, cli->store, &cli->clock, &ws)) != 0) {
            rg_engine_close(eng);
            return rc;
        }
    }
    rg_engine_close(eng);
    if (rg_cli_opt(opts, "json")->set) {
        json_t *j = rg_tick_stats_json(&st);
        if (j && dispatch)
            json_object_set_new(j, "dispatch", rg_dispatch_stats_json(&ds, queued));
        if (j && dispatch && cli->config.n_webhooks)
            json_object_set_new(j, "webhooks", rg_webhooks_stats_json(&ws));
        return rg_cli_print_json(cli, j);
    } else {
        char t[40];
        fprintf(cli->out,
                "tick at %s: %lld open invoices planned (%lld without cadence); %lld steps fired, %lld superseded;"
                " %lld messages (%lld sent, %lld queued, %lld suppressed); %lld waiting (cap); %lld tasks,"
                " %lld reissues, %lld bureau requests; triggers: %lld fired, %lld waiting, %lld cancelled\n",
                rg_cli_time(cli, at, t, sizeof t), (long long)st.invoices, (long long)st.no_cadence,
                (long long)st.fired, (long long)st.superseded, (long long)st.messages, (long long)st.sent,
                (long long)st.queued, (long long)st.suppressed, (long long)st.deferred, (long long)st.tasks,
                (long long)st.reissues, (long long)st.bureau_requests, (long long)st.timers_fired,
                (long long)st.timers_waiting, (long long)st.timers_cancelled);
        if (st.held || st.promises_broken)
            fprintf(cli->out, "held: %lld due steps (promise, pause, dispute); %lld promises broken\n",
                    (long long)st.held, (long long)st.promises_broken);
        if (st.agreements_completed || st.agreements_broken)
            fprintf(cli->out, "agreements: %lld completed, %lld broken\n", (long long)st.agreements_completed,
                    (long long)st.agreements_broken);
        if (dispatch) {
            rg_dispatch_stats_print(cli->out, &ds, queued);
            rg_webhooks_stats_print(cli, &ws);
        }
    }
    return 0;
}
