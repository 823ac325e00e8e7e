/* regua bureau sync: send the pending credit-bureau requests once. */
#include <jansson.h>
#include <string.h>

#include "channel/channel.h"
#include "cli/cli.h"
#include "service/json_model.h"
#include "service/bureau.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_bureau = {
    "bureau",
    "regua bureau sync [--json]",
    "Send the pending credit-bureau listing and removal requests (negativação)",
    "Sends every listing the cadences requested (status requested) and every removal a\n"
    "payment requested (status removal_requested, STJ Súmula 548) to the integration of the\n"
    "channel whose driver is `bureau`, as signed JSON POSTs (X-Regua-Signature: sha256=HEX,\n"
    "Idempotency-Key). A 2xx answer moves the listing to listed / removed; a failure leaves\n"
    "it pending for the next run and exits 3. Run it from cron, e.g. every hour.",
    run,
};

static int run(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"json", false, NULL, "print the results as JSON", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[2];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &rg_cmd_bureau, argc - 1, argv + 1, opts, pos, 2, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    if (npos != 1 || strcmp(pos[0], "sync") != 0)
        return rg_cli_usage_error(cli, "bureau", npos ? "unknown subcommand '%s' (sync)" : "say sync%s",
                                  npos ? pos[0] : "");
    rg_err e;
    rg_err_clear(&e);
    const rg_channel_config *cc = rg_bureau_channel_config(&cli->config);
    if (!cc) {
        rg_err_set(&e, RG_EINVAL, cli->config.file[0] ? cli->config.file : "regua.yaml",
                   "no channel with driver 'bureau' (add one under channels: with url and secret_env)");
        return rg_cli_fail(cli, &e);
    }
    rg_store *s = rg_cli_store(cli);
    if (!s)
        return 3;
    rg_channel_env env = {&cli->config, NULL, s};
    rg_channel *ch = NULL;
    if (rg_channel_open(cc, &env, &ch, &e) != RG_OK)
        return rg_cli_fail(cli, &e);
    /* the cadences tell which step is the listing, so a hold on it (a promise's pause) keeps it back */
    const rg_event_env *events = rg_cli_events(cli);
    if (!events) {
        rg_channel_close(ch);
        return 3;
    }
    rg_bureau_sync_report r;
    rg_status rc = rg_bureau_sync(s, &cli->config, events->triggers, ch, rg_cli_now(cli), &r, &e);
    rg_channel_close(ch);
    if (rc != RG_OK) {
        rg_bureau_sync_report_free(&r);
        return rg_cli_fail(cli, &e);
    }
    if (rg_cli_opt(opts, "json")->set) {
        json_t *items = json_array();
        for (size_t i = 0; i < r.n; i++) {
            const rg_bureau_sync_item *it = &r.items[i];
            if (rg_json_append(items,
                               json_pack("{s:s, s:s, s:s, s:s, s:o}", "invoice_external_id", it->invoice_external_id,
                                         "action", it->action, "result", it->result, "status", it->status, "detail",
                                         it->detail[0] ? json_string(it->detail) : json_null()),
                               "bureau request for invoice", it->invoice_external_id, &e) != RG_OK) {
                json_decref(items);
                rg_bureau_sync_report_free(&r);
                return rg_cli_fail(cli, &e);
            }
        }
        int jrc = rg_cli_print_json(cli, json_pack("{s:I, s:I, s:I, s:I, s:o}", "listed", (json_int_t)r.listed,
                                                   "removed", (json_int_t)r.removed, "failed", (json_int_t)r.failed,
                                                   "skipped", (json_int_t)r.skipped, "requests", items));
        if (jrc) {
            rg_bureau_sync_report_free(&r);
            return jrc;
        }
    } else {
        for (size_t i = 0; i < r.n; i++) {
            const rg_bureau_sync_item *it = &r.items[i];
            rg_cli_cell(cli->out, it->invoice_external_id, 16, false);
            fprintf(cli->out, "%-6s %-8s -> %-18s %s\n", it->action, it->result, it->status, it->detail);
        }
        fprintf(cli->out, "bureau sync: %zu listed, %zu removed, %zu failed, %zu skipped\n", r.listed, r.removed,
                r.failed, r.skipped);
    }
    int code = r.failed ? 3 : 0;
    rg_bureau_sync_report_free(&r);
    return code;
}
