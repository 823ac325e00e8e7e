/* regua simulate: the forecast of what the cadences will do, with no side effect (service/simulate). */
#include <jansson.h>
#include <string.h>

#include "cli/cli.h"
#include "service/json_views.h"
#include "service/simulate.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_simulate = {
    "simulate",
    "regua simulate [--from DATE] [--days N] [--json]",
    "Forecast, day by day, what the cadences will send — changing nothing",
    "Copies the database to a temporary file and ticks that copy at every window opening of\n"
    "each day (the very same planner and engine as 'regua tick', with every channel simulated),\n"
    "and at the moment of each trigger timer already waiting (an event recorded earlier: the\n"
    "offer 3 h after a portal visit), assuming nobody pays and nothing else happens. Starts now\n"
    "(or at the first opening of --from) for --days days\n"
    "(default 30) and prints each message, then the counts per day and channel (days where the\n"
    "company is), then the pending promises — an invoice's, or the customer's whole debt\n"
    "(\"invoice_external_id\": null in --json) —: each one's deadline (the promised date plus\n"
    "grace), the steps it pauses, and whether it breaks within the days simulated (nobody\n"
    "paying, it does at its deadline: promise.broken, and the paused steps resume).\n"
    "If any cadence file or template does not load, it exits 1 naming it.",
    run,
};

static void print_message(rg_cli *cli, const rg_sim_message *m)
{
    char local[40];
    FILE *f = cli->out;
    fprintf(f, "%s  ", rg_cli_time(cli, m->planned_for, local, sizeof local));
    rg_cli_cell(f, m->customer, 10, false);
    rg_cli_cell(f, m->invoices, 14, false);
    rg_cli_cell(f, m->channel[0] ? m->channel : "-", 10, false);
    rg_cli_cell(f, m->step, 14, false);
    rg_cli_cell(f, m->template_name, 18, false);
    fprintf(f, "%s%s%s\n", rg_message_status_name(m->status), m->reason[0] ? ": " : "", m->reason);
}

static void print_promise(rg_cli *cli, const rg_sim_promise *p)
{
    char local[40], steps[256] = "", d[16], who[128];
    for (size_t k = 0; k < p->n_pauses; k++)
        snprintf(steps + strlen(steps), sizeof steps - strlen(steps), "%s%s", k ? ", " : "", p->pauses[k]);
    snprintf(who, sizeof who, p->invoice[0] ? "%s" : "%s (whole debt)", p->invoice[0] ? p->invoice : p->customer);
    fprintf(cli->out, "  %s  promised %s, deadline %s, pauses %s: %s\n", who,
            rg_date_format_iso(p->promised_date, d, sizeof d), rg_cli_time(cli, p->deadline, local, sizeof local),
            steps[0] ? steps : "nothing",
            p->breaks ? "broken then unless paid (promise.broken; the paused steps resume)" : "still pending at the end");
}

/* The forecast as text: each message, the counts per day and channel, the pending promises. */
static void print_simulation(rg_cli *cli, const rg_simulation *s)
{
    for (size_t i = 0; i < s->n_messages; i++)
        print_message(cli, &s->messages[i]);
    fprintf(cli->out, "\nper day and channel:\n");
    for (size_t i = 0; i < s->n_per_day; i++) {
        char d[16];
        fprintf(cli->out, "  %s  %-10s %lld\n", rg_date_format_iso(s->per_day[i].date, d, sizeof d),
                s->per_day[i].channel, (long long)s->per_day[i].count);
    }
    if (s->n_promises)
        fprintf(cli->out, "\npending promises:\n");
    for (size_t i = 0; i < s->n_promises; i++)
        print_promise(cli, &s->promises[i]);
}

static int run(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"from", true, "DATE", "first day (default: today)", false, NULL},
        {"days", true, "N", "how many days (default 30)", false, NULL},
        {"json", false, NULL, "print JSON: the messages and the counts per day and channel", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[1];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &rg_cmd_simulate, argc - 1, argv + 1, opts, pos, 0, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    rg_simulate_params p = {&cli->config, rg_cli_now(cli), RG_DATE_NONE, 30, rg_cli_tz(cli), cli->zones};
    const char *v;
    if ((v = rg_cli_opt(opts, "from")->value) && !rg_cli_date(cli, "simulate", "from", v, &p.from))
        return 2;
    if ((v = rg_cli_opt(opts, "days")->value) && !rg_parse_i64(rg_slice_cstr(v), 1, 366, &p.days))
        return rg_cli_usage_error(cli, "simulate", "--days takes a whole number from 1 to 366");
    rg_store *real = rg_cli_store(cli);
    if (!real)
        return 3;
    rg_err e;
    rg_err_clear(&e);
    rg_diags d = RG_DIAGS_INIT;
    rg_simulation sim;
    rg_status rc = rg_simulate(real, &p, &sim, &d, &e);
    if (d.n) { /* the cadence files' and templates' problems, as a tick prints them */
        rg_buf b = RG_BUF_INIT;
        rg_diags_format(&d, &b);
        fputs(rg_buf_cstr(&b), cli->err);
        rg_buf_free(&b);
    }
    rg_diags_free(&d);
    if (rc != RG_OK)
        return rg_cli_fail(cli, &e);
    int code = 0;
    if (rg_cli_opt(opts, "json")->set) {
        void *j = NULL;
        code = rg_simulation_json(&sim, &j, &e) == RG_OK ? rg_cli_print_json(cli, j) : rg_cli_fail(cli, &e);
    } else {
        print_simulation(cli, &sim);
    }
    rg_simulation_free(&sim);
    return code;
}
