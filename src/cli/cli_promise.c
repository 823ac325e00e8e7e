/* regua promise list: customers' promises to pay (GET /v1/promises). */
#include <jansson.h>
#include <string.h>

#include "cli/cli.h"
#include "service/json_model.h"
#include "service/json_tasks.h"
#include "service/promises.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_promise = {
    "promise",
    "regua promise list [--customer ID] [--invoice ID] [--status S] [--limit N] [--json]",
    "List customers' promises to pay, with their status",
    "Promises come from closing a task (task done --promise-date), the event promise.made\n"
    "(regua event, POST /v1/events, POST /v1/promises) and the portal. list shows them by id:\n"
    "the customer and invoice (\"-\" for a promise about the whole debt), the promised date\n"
    "and amount, the status (pending, kept, broken, cancelled) and where it came from.\n"
    "--customer and --invoice take external ids (an unknown one is exit 1); --status is one\n"
    "of pending, kept, broken, cancelled. --json prints the items of GET /v1/promises (the\n"
    "same filters: ?customer, ?invoice, ?status): each promise with \"customer\" and \"invoice\".",
    run,
};

typedef struct list_ctx {
    rg_cli *cli;
    json_t *array;
    size_t n;
    rg_err *e;
} list_ctx;

static rg_status print_promise(void *p, const rg_promise_view *v)
{
    list_ctx *lc = p;
    lc->n++;
    if (lc->array)
        return rg_json_append(lc->array, rg_promise_view_json(v), "promise of customer", v->customer_external_id,
                              lc->e);
    char d[16], amount[40];
    FILE *f = lc->cli->out;
    fprintf(f, "%6lld  ", (long long)v->promise.id);
    rg_cli_cell(f, v->customer_external_id, 16, false);
    rg_cli_cell(f, v->invoice_external_id[0] ? v->invoice_external_id : "-", 16, false);
    fprintf(f, "%10s %15s  %-9s  %s\n", rg_date_format_iso(v->promise.promised_date, d, sizeof d),
            rg_money_format_brl(v->promise.amount, amount, sizeof amount), v->promise.status, v->promise.source);
    return RG_OK;
}

static int run(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"customer", true, "ID", "only this customer's promises (external id)", false, NULL},
        {"invoice", true, "ID", "only promises about this invoice (external id)", false, NULL},
        {"status", true, "S", "only promises with this status: pending, kept, broken, cancelled", false, NULL},
        {"limit", true, "N", "print at most N promises", false, NULL},
        {"json", false, NULL, "print JSON (an array: GET /v1/promises' items)", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[2];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &rg_cmd_promise, argc - 1, argv + 1, opts, pos, 2, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    if (npos < 1)
        return rg_cli_usage_error(cli, "promise", "say 'list'");
    if (strcmp(pos[0], "list") != 0)
        return rg_cli_usage_error(cli, "promise", "unknown subcommand '%s' (list)", pos[0]);
    if (npos != 1)
        return rg_cli_usage_error(cli, "promise", "list takes no arguments (--customer ID filters)");
    int64_t limit = 0;
    const char *v = rg_cli_opt(opts, "limit")->value;
    if (v && !rg_parse_i64(rg_slice_cstr(v), 1, INT64_MAX, &limit))
        return rg_cli_usage_error(cli, "promise", "--limit takes a positive whole number");
    rg_store *s = rg_cli_store(cli);
    if (!s)
        return 3;
    bool json = rg_cli_opt(opts, "json")->set;
    rg_err e;
    rg_err_clear(&e);
    list_ctx lc = {cli, json ? json_array() : NULL, 0, &e};
    rg_status rc = rg_promise_list(s, rg_cli_opt(opts, "customer")->value, rg_cli_opt(opts, "invoice")->value,
                                   rg_cli_opt(opts, "status")->value, 0, limit, print_promise, &lc, &e);
    if (rc != RG_OK) {
        json_decref(lc.array);
        if (rc == RG_EINVAL && !strcmp(e.where, "status")) /* the filter: the option's name */
            rg_strlcpy(e.where, "--status", sizeof e.where);
        return rg_cli_fail(cli, &e);
    }
    if (json)
        return rg_cli_print_json(cli, lc.array);
    if (lc.n == 0)
        fprintf(cli->out, "no promises\n");
    return 0;
}
