/* regua messages list */
#include <jansson.h>
#include <string.h>

#include "cli/cli.h"
#include "service/json_model.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_messages = {
    "messages",
    "regua messages list [--status S] [--invoice ID] [--customer ID] [--limit N] [--json]",
    "List the messages (touchpoints) the cadences planned, sent or suppressed",
    "Status is one of planned, queued, sending, sent, delivered, read, failed, cancelled,\n"
    "suppressed, uncertain. Every suppression or cancellation carries its reason. uncertain:\n"
    "an attempt may have reached the provider and the channel's on_uncertain is review; an\n"
    "operator task (regua task list) goes with it.",
    run,
};

typedef struct list_ctx {
    rg_cli *cli;
    json_t *array;
    rg_err *e;
} list_ctx;

static rg_status each(void *p, const rg_message *m)
{
    list_ctx *lc = p;
    char source[80];
    snprintf(source, sizeof source, "%s:%s", m->source_kind, m->source_id);
    if (lc->array) {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)m->id);
        return rg_json_append(lc->array, rg_message_json(m), "message", id, lc->e);
    }
    char planned[40];
    FILE *f = lc->cli->out;
    fprintf(f, "%6lld %s ", (long long)m->id, rg_cli_time(lc->cli, m->planned_for, planned, sizeof planned));
    rg_cli_cell(f, m->customer_external_id, 10, false);
    rg_cli_cell(f, m->invoice_external_ids, 12, false);
    rg_cli_cell(f, m->channel[0] ? m->channel : "-", 10, false);
    rg_cli_cell(f, source, 28, false);
    rg_cli_cell(f, m->template_name, 18, false);
    fprintf(f, "%s%s%s\n", rg_message_status_name(m->status), m->reason[0] ? ": " : "", m->reason);
    return RG_OK;
}

static int run(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"status", true, "S", "only messages with this status", false, NULL},
        {"invoice", true, "ID", "only messages about this invoice (external id)", false, NULL},
        {"customer", true, "ID", "only messages to this customer (external id)", false, NULL},
        {"limit", true, "N", "print at most N messages", false, NULL},
        {"json", false, NULL, "print a JSON array", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[1];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &rg_cmd_messages, argc - 1, argv + 1, opts, pos, 1, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    if (npos != 1 || strcmp(pos[0], "list") != 0)
        return rg_cli_usage_error(cli, "messages", "say 'list'");
    rg_message_filter f;
    rg_message_filter_init(&f);
    const char *v;
    if ((v = rg_cli_opt(opts, "status")->value)) {
        rg_message_status st;
        if (!rg_message_status_parse(v, &st))
            return rg_cli_usage_error(cli, "messages", "unknown status '%s'", v);
        f.status = (int)st;
    }
    f.invoice_external_id = rg_cli_opt(opts, "invoice")->value;
    f.customer_external_id = rg_cli_opt(opts, "customer")->value;
    if ((v = rg_cli_opt(opts, "limit")->value) && !rg_parse_i64(rg_slice_cstr(v), 1, INT64_MAX, &f.limit))
        return rg_cli_usage_error(cli, "messages", "--limit takes a positive whole number");
    rg_store *s = rg_cli_store(cli);
    if (!s)
        return 3;
    bool json = rg_cli_opt(opts, "json")->set;
    rg_err e;
    rg_err_clear(&e);
    list_ctx lc = {cli, json ? json_array() : NULL, &e};
    if (rg_store_message_each(s, &f, each, &lc, &e) != RG_OK) {
        json_decref(lc.array);
        return rg_cli_fail(cli, &e);
    }
    return json ? rg_cli_print_json(cli, lc.array) : 0;
}
