/* regua webhooks deliveries | retry: the outgoing webhooks' outbox (service/webhooks.h). */
#include <jansson.h>
#include <string.h>

#include "cli/cli.h"
#include "service/json_model.h"
#include "service/webhooks.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_webhooks = {
    "webhooks",
    "regua webhooks deliveries [--status S] [--json]\n"
    "       regua webhooks retry DELIVERY_ID [--json]",
    "List the outgoing webhooks' deliveries; queue a failed one again",
    "Each event of a type a webhook lists (`webhooks:` in regua.yaml), and each event a\n"
    "trigger's `webhook: NAME` action names, is queued for that webhook when it is recorded,\n"
    "and `regua serve` POSTs it (without serve: the next `regua dispatch` or `regua tick`),\n"
    "signed (Regua-Signature: t=UNIX_SECONDS,v1=HMAC-SHA256 hex of\n"
    "t.body with the webhook's secret; see docs/api.md, \"Outgoing webhooks\"). A 2xx answer\n"
    "is delivered; anything else, or no answer, is retried after 1 min, 5 min, 30 min, 2 h,\n"
    "6 h, 12 h and 24 h; after the 8th failed attempt the delivery is failed.\n"
    "`deliveries` lists them, newest first: status (pending, sending, delivered, failed),\n"
    "attempts, the last answer; --json adds the body and every attempt (when, HTTP status,\n"
    "error). `retry` queues a failed delivery again, due at once, its backoff restarted\n"
    "(exit 1 when it is not failed); --json prints the delivery as `deliveries --json` does.",
    run,
};

static int retry(rg_cli *cli, int npos, const char **pos, bool json)
{
    int64_t id;
    if (npos != 2 || !rg_parse_i64(rg_slice_cstr(pos[1]), 1, INT64_MAX, &id))
        return rg_cli_usage_error(cli, "webhooks",
                                  "retry needs a DELIVERY_ID (a positive number, see 'regua webhooks deliveries"
                                  " --status failed')");
    rg_store *s = rg_cli_store(cli);
    if (!s)
        return 3;
    rg_err e;
    rg_err_clear(&e);
    rg_webhook_list one;
    if (rg_webhooks_retry(s, id, rg_cli_now(cli), &one, &e) != RG_OK)
        return rg_cli_fail(cli, &e);
    int rc = 0;
    if (json)
        rc = rg_cli_print_json(cli, rg_webhook_item_json(&one.v[0]));
    else
        fprintf(cli->out, "webhook delivery %lld: pending again (regua serve, dispatch or tick sends it)\n",
                (long long)id);
    rg_webhook_list_free(&one);
    return rc;
}

static int run(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"status", true, "S", "deliveries: only this status (pending, sending, delivered, failed)", false, NULL},
        {"json", false, NULL, "print JSON (deliveries: an array; retry: the delivery)", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[2];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &rg_cmd_webhooks, argc - 1, argv + 1, opts, pos, 2, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    if (npos >= 1 && !strcmp(pos[0], "retry")) {
        if (rg_cli_opt(opts, "status")->set)
            return rg_cli_usage_error(cli, "webhooks", "retry takes no --status");
        return retry(cli, npos, pos, rg_cli_opt(opts, "json")->set);
    }
    if (npos != 1 || strcmp(pos[0], "deliveries") != 0)
        return rg_cli_usage_error(cli, "webhooks", "say 'deliveries' or 'retry DELIVERY_ID'");
    rg_store *s = rg_cli_store(cli);
    if (!s)
        return 3;
    rg_err e;
    rg_err_clear(&e);
    rg_webhook_list l;
    if (rg_webhooks_list(s, rg_cli_opt(opts, "status")->value, &l, &e) != RG_OK) {
        if (!strcmp(e.where, "status"))
            rg_strlcpy(e.where, "--status", sizeof e.where);
        return rg_cli_fail(cli, &e);
    }
    int rc = 0;
    if (rg_cli_opt(opts, "json")->set) {
        json_t *a = json_array();
        for (size_t i = 0; a && i < l.n; i++) {
            char id[24];
            snprintf(id, sizeof id, "%lld", (long long)l.v[i].d.id);
            if (rg_json_append(a, rg_webhook_item_json(&l.v[i]), "webhook delivery", id, &e) != RG_OK) {
                json_decref(a);
                rg_webhook_list_free(&l);
                return rg_cli_fail(cli, &e);
            }
        }
        rc = rg_cli_print_json(cli, a);
    } else {
        for (size_t i = 0; i < l.n; i++) {
            const rg_webhook_delivery *d = &l.v[i].d;
            char created[40], last[600] = "";
            if (d->last_status)
                snprintf(last, sizeof last, "HTTP %d%s%s", d->last_status, d->last_error[0] ? ": " : "",
                         d->last_error);
            else if (d->last_error[0])
                snprintf(last, sizeof last, "%s", d->last_error);
            fprintf(cli->out, "%6lld %s ", (long long)d->id, rg_cli_time(cli, d->created_at, created, sizeof created));
            rg_cli_cell(cli->out, d->webhook, 12, false);
            rg_cli_cell(cli->out, d->event_type, 20, false);
            fprintf(cli->out, "event %-6lld %-9s %d attempt%s%s%s\n", (long long)d->event_id, d->status, d->attempts,
                    d->attempts == 1 ? "" : "s", last[0] ? "; last: " : "", last);
        }
    }
    rg_webhook_list_free(&l);
    return rc;
}
