/* regua messages list */
#include <jansson.h>
#include <string.h>

#include "cli/cli.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_messages = {
    "messages",
    "regua messages list [--status S] [--invoice ID] [--customer ID] [--limit N] [--json]",
    "List the messages (touchpoints) the cadences planned, sent or suppressed",
    "Status is one of planned, queued, sending, sent, delivered, read, failed, cancelled,\n"
    "suppressed. Every suppression or cancellation carries its reason.",
    run,
};

typedef struct list_ctx {
    rg_cli *cli;
    json_t *array;
} list_ctx;

static json_t *instant_or_null(rg_instant t)
{
    char b[32];
    return t ? json_string(rg_instant_format(t, b, sizeof b)) : json_null();
}

static rg_status each(void *p, const rg_message *m)
{
    list_ctx *lc = p;
    char source[80];
    snprintf(source, sizeof source, "%s:%s", m->source_kind, m->source_id);
    if (lc->array) {
        json_t *ids = json_array();
        for (const char *q = m->invoice_external_ids; *q;) {
            const char *bar = strchr(q, '|');
            size_t n = bar ? (size_t)(bar - q) : strlen(q);
            json_array_append_new(ids, json_stringn(q, n));
            q += n + (bar ? 1 : 0);
        }
        json_t *o = json_pack("{s:I, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:s}", "id",
                              (json_int_t)m->id, "customer_external_id", m->customer_external_id,
                              "invoice_external_ids", ids, "cadence", m->cadence, "cadence_version",
                              m->cadence_version, "source", source, "channel", m->channel, "template",
                              m->template_name, "status", rg_message_status_name(m->status), "reason",
                              m->reason[0] ? json_string(m->reason) : json_null(), "planned_for",
                              instant_or_null(m->planned_for), "sent_at", instant_or_null(m->sent_at), "subject",
                              m->subject ? m->subject : "", "body", m->body ? m->body : "");
        json_object_set_new(o, "attempts", json_integer(m->attempts));
        json_object_set_new(o, "provider_id", m->provider_id[0] ? json_string(m->provider_id) : json_null());
        char cost[32];
        json_object_set_new(o, "cost", json_string(rg_money_format_plain(m->cost, cost, sizeof cost)));
        json_object_set_new(o, "cost_cents", json_integer(m->cost));
        json_array_append_new(lc->array, o);
        return RG_OK;
    }
    char planned[32];
    FILE *f = lc->cli->out;
    fprintf(f, "%6lld %s ", (long long)m->id, rg_instant_format(m->planned_for, planned, sizeof planned));
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
    list_ctx lc = {cli, json ? json_array() : NULL};
    rg_err e;
    rg_err_clear(&e);
    if (rg_store_message_each(s, &f, each, &lc, &e) != RG_OK) {
        json_decref(lc.array);
        return rg_cli_fail(cli, &e);
    }
    if (json)
        rg_cli_print_json(cli, lc.array);
    return 0;
}
