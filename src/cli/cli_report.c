/* regua report NAME: the collections team's figures (service/reports.h,
 * docs/reports.md; GET /v1/reports/NAME answers the same JSON). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/width.h"
#include "cli/cli.h"
#include "service/reports.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_report = {
    "report",
    "regua report aging|recovery|steps|channels|promises|forecast [--from D] [--to D] [--as-of D]\n"
    "       [--period day|week|month] [--json|--csv]",
    "Reports: aging, recovery (DSO), funnels per step and channel, promises, forecast",
    "aging     open balance and count by days past the effective due date on --as-of\n"
    "          (not_due, 1-30, 31-60, 61-90, 90+), in total, per cadence and per tag\n"
    "recovery  per --period (default day) from --from to --to: money that became overdue,\n"
    "          how much of it has been paid since (recovery rate), payments on overdue\n"
    "          invoices; the open balance, what fell due in the period, and DSO\n"
    "steps     each cadence's funnel per step for messages sent from --from to --to: sent,\n"
    "          delivered, read/opened/clicked, paid within 7 days, paid; cost; the payments\n"
    "          whose last touch before payment was the step (attributed)\n"
    "channels  the same per channel, with the money recovered per real spent\n"
    "promises  promises made from --from to --to: pending, kept, broken, cancelled; kept rate;\n"
    "          installment agreements made then: active, completed, broken, cancelled; completed rate\n"
    "forecast  the next 30 days of `regua simulate` per day and channel, with cost\n"
    "Dates are the company's (2027-01-13 or 13/01/2027); --to and --as-of default to today,\n"
    "--from to 29 days before --to. Costs are each channel's cost_per_message when the\n"
    "message was sent. Text is a table; --json the document of GET /v1/reports/NAME; --csv a\n"
    "`;`-separated UTF-8 file with a BOM and pt-BR numbers (1.234,56) that Excel opens as is.\n"
    "Formulas and rules: docs/reports.md.",
    run,
};

static void print_table(rg_cli *cli, const rg_report_table *t)
{
    size_t w[16];
    for (size_t i = 0; i < t->n_cols; i++) {
        w[i] = rg_text_width(t->cols[i], strlen(t->cols[i]));
        for (size_t r = 0; r < t->n_rows; r++) {
            size_t x = rg_text_width(t->cells[r * t->n_cols + i], strlen(t->cells[r * t->n_cols + i]));
            if (x > w[i])
                w[i] = x;
        }
    }
    FILE *f = cli->out;
    for (size_t r = 0; r <= t->n_rows; r++) {
        for (size_t i = 0; i < t->n_cols; i++) {
            const char *s = r == 0 ? t->cols[i] : t->cells[(r - 1) * t->n_cols + i];
            size_t pad = w[i] - rg_text_width(s, strlen(s));
            if (i)
                fputs("  ", f);
            if (t->numeric[i])
                fprintf(f, "%*s%s", (int)pad, "", s);
            else
                fprintf(f, "%s%*s", s, i + 1 < t->n_cols ? (int)pad : 0, "");
        }
        fputc('\n', f);
    }
}

static void print_footer(rg_cli *cli, const rg_report *r)
{
    char a[48], b[48], d[16], d2[16];
    double v = 0;
    FILE *f = cli->out;
    switch (r->kind) {
    case RG_REPORT_AGING:
        fprintf(f, "as of %s\n", rg_date_format_iso(r->as_of, d, sizeof d));
        break;
    case RG_REPORT_RECOVERY:
        fprintf(f, "open balance %s; due from %s to %s: %s; DSO: ", rg_report_money_br(r->open_balance, a, sizeof a),
                rg_date_format_iso(r->from, d, sizeof d), rg_date_format_iso(r->to, d2, sizeof d2),
                rg_report_money_br(r->billed, b, sizeof b));
        if (rg_report_dso(r, &v))
            fprintf(f, "%.1f days\n", v);
        else
            fprintf(f, "- (nothing fell due)\n");
        break;
    case RG_REPORT_STEPS:
    case RG_REPORT_CHANNELS:
        fprintf(f, "from %s to %s; payments with no message before them: %lld, %s\n",
                rg_date_format_iso(r->from, d, sizeof d), rg_date_format_iso(r->to, d2, sizeof d2),
                (long long)r->unattributed.count, rg_report_money_br(r->unattributed.amount, a, sizeof a));
        break;
    case RG_REPORT_PROMISES:
        fprintf(f, "from %s to %s; kept rate: ", rg_date_format_iso(r->from, d, sizeof d),
                rg_date_format_iso(r->to, d2, sizeof d2));
        if (rg_promises_kept_rate(r, &v))
            fprintf(f, "%.2f%%\n", v * 100.0);
        else
            fprintf(f, "- (none kept or broken)\n");
        fprintf(f, "agreements completed rate: ");
        if (rg_agreements_completed_rate(r, &v))
            fprintf(f, "%.2f%%\n", v * 100.0);
        else
            fprintf(f, "- (none completed or broken)\n");
        break;
    default:
        fprintf(f, "from %s, %lld days\n", rg_date_format_iso(r->from, d, sizeof d), (long long)r->forecast_days);
        break;
    }
}

static int run(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"from", true, "D", "first day of the period (default: 29 days before --to)", false, NULL},
        {"to", true, "D", "last day of the period (default: today)", false, NULL},
        {"as-of", true, "D", "aging's date (default: today)", false, NULL},
        {"period", true, "P", "recovery's rows: day (default), week (Monday to Sunday) or month", false, NULL},
        {"json", false, NULL, "print JSON (the document of GET /v1/reports/NAME)", false, NULL},
        {"csv", false, NULL, "print CSV for Excel (UTF-8 with BOM, `;`, pt-BR numbers)", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[2];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &rg_cmd_report, argc - 1, argv + 1, opts, pos, 2, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    if (npos != 1)
        return rg_cli_usage_error(cli, "report", "name one report: %s", RG_REPORT_NAMES);
    bool json = rg_cli_opt(opts, "json")->set, csv = rg_cli_opt(opts, "csv")->set;
    if (json && csv)
        return rg_cli_usage_error(cli, "report", "--json and --csv together");
    rg_report_params p;
    memset(&p, 0, sizeof p);
    p.as_of = p.from = p.to = RG_DATE_NONE;
    static const char *const date_opts[] = {"from", "to", "as-of"};
    rg_date *dates[] = {&p.from, &p.to, &p.as_of};
    for (int i = 0; i < 3; i++) {
        const char *v = rg_cli_opt(opts, date_opts[i])->value;
        char name[16];
        snprintf(name, sizeof name, "--%s", date_opts[i]);
        if (v && !rg_cli_date(cli, "report", name, v, dates[i]))
            return 2;
    }
    const char *per = rg_cli_opt(opts, "period")->value;
    if (per && !rg_report_period_parse(per, &p.period))
        return rg_cli_usage_error(cli, "report", "--period takes day, week or month");
    rg_store *s = rg_cli_store(cli);
    if (!s)
        return 3;
    const rg_event_env *env = rg_cli_events(cli);
    if (!env)
        return 1;
    p.config = &cli->config;
    p.calendar = env->triggers ? env->triggers->calendar : NULL;
    p.tz = rg_cli_tz(cli);
    p.zones = rg_cli_zones(cli);
    p.now = rg_cli_now(cli);
    rg_err e;
    rg_err_clear(&e);
    rg_report r;
    rg_status rc = rg_report_run(s, pos[0], &p, &r, &e);
    if (rc != RG_OK) {
        if (rc == RG_EINVAL && (!strcmp(e.where, "from") || !strcmp(e.where, "to"))) {
            char w[sizeof e.where];
            snprintf(w, sizeof w, "--%s", e.where);
            rg_strlcpy(e.where, w, sizeof e.where);
        }
        return rg_cli_fail(cli, &e);
    }
    int code = 0;
    if (json) {
        void *doc = NULL;
        rc = rg_report_json(&r, &doc, &e);
        code = rc == RG_OK ? rg_cli_print_json(cli, doc) : rg_cli_fail(cli, &e);
    } else {
        rg_report_table t;
        rc = rg_report_table_make(&r, &t, &e);
        if (rc != RG_OK)
            code = rg_cli_fail(cli, &e);
        else if (csv) {
            size_t len = 0;
            char *text = rg_report_table_csv(&t, &len);
            if (!text || fwrite(text, 1, len, cli->out) != len)
                code = 3;
            free(text);
        } else {
            print_table(cli, &t);
            print_footer(cli, &r);
        }
        rg_report_table_free(&t);
    }
    rg_report_free(&r);
    return code;
}
