/* regua optout list|add|remove: who asked not to be contacted, on which channel. */
#include <jansson.h>
#include <string.h>

#include "cli/cli.h"
#include "service/json_model.h"
#include "service/json_tasks.h"
#include "service/optouts.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_optout = {
    "optout",
    "regua optout list [--customer ID] [--channel CH] [--json]\n"
    "       regua optout add CUSTOMER_ID --channel CH [--source S] [--json]\n"
    "       regua optout remove CUSTOMER_ID --channel CH [--source S] [--json]",
    "List, record and revoke customers' opt-outs, per channel",
    "A customer opted out of a channel gets nothing more on it (the tick plans the other\n"
    "channels, or none). Opt-outs come from replies (SAIR, PARAR, STOP, CANCELAR: source\n"
    "reply), unsubscribe links (unsubscribe), the event `optout`, the API (api) and this\n"
    "command (cli, or --source). list shows them by customer and channel. add records one\n"
    "and records the event `optout` (an opt-out already there is kept as it was: nothing\n"
    "changes). remove revokes one — the customer asked to be reached there again — and\n"
    "records `optout.revoked` with the revoked source and who revoked it (--source); the\n"
    "customer's invoices are planned again either way. An unknown customer, or removing an\n"
    "opt-out that is not there, is exit 1. CH is a channel name (email, whatsapp, sms, ...);\n"
    "S is lowercase letters, digits, '_', '-', '.' and ':' (at most 31), e.g. atendimento.",
    run,
};

typedef struct list_ctx {
    rg_cli *cli;
    json_t *array;
    size_t n;
    rg_err *e;
} list_ctx;

static rg_status print_optout(void *p, const rg_optout_row *o)
{
    list_ctx *lc = p;
    lc->n++;
    if (lc->array)
        return rg_json_append(lc->array, rg_optout_json(o), "opt-out of customer", o->customer_external_id, lc->e);
    char at[40];
    FILE *f = lc->cli->out;
    rg_cli_cell(f, o->customer_external_id, 16, true);
    fprintf(f, "%-10s %s  %s\n", o->channel, rg_cli_time(lc->cli, o->at, at, sizeof at), o->how);
    return RG_OK;
}

static int list(rg_cli *cli, const char *customer, const char *channel, bool json)
{
    rg_store *s = rg_cli_store(cli);
    if (!s)
        return 3;
    rg_err e;
    rg_err_clear(&e);
    list_ctx lc = {cli, json ? json_array() : NULL, 0, &e};
    if (rg_optout_list(s, customer, channel, 0, 0, print_optout, &lc, &e) != RG_OK) {
        json_decref(lc.array);
        return rg_cli_fail(cli, &e);
    }
    if (json)
        return rg_cli_print_json(cli, lc.array);
    if (lc.n == 0)
        fprintf(cli->out, "no opt-outs\n");
    return 0;
}

static int change(rg_cli *cli, bool add, const char *customer, const char *channel, const char *source, bool json)
{
    if (!channel)
        return rg_cli_usage_error(cli, "optout", "%s needs --channel CH", add ? "add" : "remove");
    const rg_event_env *env = rg_cli_events(cli);
    if (!env)
        return 3;
    rg_err e;
    rg_err_clear(&e);
    rg_optout_result r;
    rg_status rc = add ? rg_optout_add(env, customer, channel, source, rg_cli_now(cli), &r, &e)
                       : rg_optout_remove(env, customer, channel, source, rg_cli_now(cli), &r, &e);
    if (rc != RG_OK)
        return rg_cli_fail(cli, &e);
    if (json)
        return rg_cli_print_json(cli, rg_optout_result_json(&r));
    char at[40];
    if (add && !r.changed)
        fprintf(cli->out, "%s was already opted out of %s (since %s, %s): nothing changed\n", customer, channel,
                rg_cli_time(cli, r.optout.at, at, sizeof at), r.optout.how);
    else if (add)
        fprintf(cli->out, "%s opted out of %s (%s)\n", customer, channel, r.optout.how);
    else
        fprintf(cli->out, "%s's opt-out of %s (since %s, %s) revoked: %s may be used again\n", customer, channel,
                rg_cli_time(cli, r.optout.at, at, sizeof at), r.optout.how, channel);
    return 0;
}

static int run(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"customer", true, "ID", "list: only this customer's (external id)", false, NULL},
        {"channel", true, "CH", "the channel (list: only this one)", false, NULL},
        {"source", true, "S", "add/remove: who recorded or revoked it (default cli)", false, NULL},
        {"json", false, NULL, "print JSON", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[3];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &rg_cmd_optout, argc - 1, argv + 1, opts, pos, 3, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    if (npos < 1)
        return rg_cli_usage_error(cli, "optout", "say list, add CUSTOMER_ID or remove CUSTOMER_ID");
    bool json = rg_cli_opt(opts, "json")->set;
    const char *channel = rg_cli_opt(opts, "channel")->value;
    const char *source = rg_cli_opt(opts, "source")->value;
    if (!strcmp(pos[0], "list")) {
        if (npos != 1)
            return rg_cli_usage_error(cli, "optout", "list takes no arguments (--customer ID filters)");
        if (source)
            return rg_cli_usage_error(cli, "optout", "--source goes with add and remove");
        return list(cli, rg_cli_opt(opts, "customer")->value, channel, json);
    }
    bool add = !strcmp(pos[0], "add");
    if (!add && strcmp(pos[0], "remove") != 0)
        return rg_cli_usage_error(cli, "optout", "unknown subcommand '%s' (list, add, remove)", pos[0]);
    if (npos != 2)
        return rg_cli_usage_error(cli, "optout", "%s needs the CUSTOMER_ID (its external id)", pos[0]);
    if (rg_cli_opt(opts, "customer")->value)
        return rg_cli_usage_error(cli, "optout", "name the customer as the argument, not --customer");
    return change(cli, add, pos[1], channel, source ? source : "cli", json);
}
