/* regua messages list | resolve */
#include <jansson.h>
#include <string.h>

#include "cli/cli.h"
#include "service/json_model.h"
#include "service/messages.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_messages = {
    "messages",
    "regua messages list [--status S] [--channel C] [--invoice ID] [--customer ID] [--limit N] [--json]\n"
    "       regua messages resolve MESSAGE_ID --sent|--resend|--failed [--note TEXT]\n"
    "                              [--provider-id ID] [--as NAME] [--json]",
    "List the messages (touchpoints); resolve one left uncertain",
    "Status is one of planned, queued, sending, sent, delivered, read, failed, cancelled,\n"
    "suppressed, uncertain. Every suppression or cancellation carries its reason. uncertain:\n"
    "an attempt may have reached the provider and the channel's on_uncertain is review; an\n"
    "operator task (kind review, regua task list) goes with it.\n"
    "`resolve` is what the operator does after checking with the provider or the customer:\n"
    "--sent (it arrived; --provider-id records the provider's id), --resend (it did not:\n"
    "queued again now with the same idempotency key, attempts from 0) or --failed (give it\n"
    "up). The note goes into the message's reason and its review task is closed (outcome\n"
    "sent, resent or failed). Only an uncertain message is resolved (exit 1 otherwise).",
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

static int resolve(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"sent", false, NULL, "it reached the customer: mark it sent", false, NULL},
        {"resend", false, NULL, "it did not: send it again (same idempotency key)", false, NULL},
        {"failed", false, NULL, "give it up: mark it failed", false, NULL},
        {"note", true, "TEXT", "why (goes into the reason and the review task)", false, NULL},
        {"provider-id", true, "ID", "with --sent: the provider's id for it", false, NULL},
        {"as", true, "NAME", "who decided", false, NULL},
        {"json", false, NULL, "print the message as JSON", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[2];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &rg_cmd_messages, argc - 1, argv + 1, opts, pos, 2, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    int64_t id;
    if (npos != 2 || !rg_parse_i64(rg_slice_cstr(pos[1]), 1, INT64_MAX, &id))
        return rg_cli_usage_error(cli, "messages", "resolve needs a MESSAGE_ID (a positive number, see 'regua"
                                                   " messages list --status uncertain')");
    rg_resolve_params p;
    memset(&p, 0, sizeof p);
    int n = 0;
    static const char *names[] = {"sent", "resend", "failed"};
    for (int i = 0; i < 3; i++)
        if (rg_cli_opt(opts, names[i])->set) {
            p.action = (rg_resolve_action)i;
            n++;
        }
    if (n != 1)
        return rg_cli_usage_error(cli, "messages", "resolve takes exactly one of --sent, --resend, --failed");
    p.note = rg_cli_opt(opts, "note")->value;
    p.provider_id = rg_cli_opt(opts, "provider-id")->value;
    p.by = rg_cli_opt(opts, "as")->value;
    p.config = &cli->config;
    rg_store *s = rg_cli_store(cli);
    if (!s)
        return 3;
    rg_err e;
    rg_err_clear(&e);
    rg_message_ref ref;
    if (rg_message_resolve(s, id, &p, rg_cli_now(cli), &ref, &e) != RG_OK)
        return rg_cli_fail(cli, &e);
    if (rg_cli_opt(opts, "json")->set) {
        json_t *o = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)ref.id, "status",
                              rg_message_status_name(ref.status), "channel", ref.channel, "provider_id",
                              ref.provider_id);
        return rg_cli_print_json(cli, o);
    }
    fprintf(cli->out, "message %lld: %s%s; review task closed\n", (long long)id, rg_message_status_name(ref.status),
            p.action == RG_RESOLVE_RESEND ? " (the next dispatch sends it)" : "");
    return 0;
}

static int run(rg_cli *cli, int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "resolve"))
        return resolve(cli, argc, argv);
    rg_opt opts[] = {
        {"status", true, "S", "only messages with this status", false, NULL},
        {"channel", true, "C", "only messages on this channel (as a step names it: email, sms, whatsapp, ...)", false,
         NULL},
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
    f.channel = rg_cli_opt(opts, "channel")->value;
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
