/* regua portal link: a customer's self-service portal link (docs/portal.md). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "service/portal.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_portal = {
    "portal",
    "regua portal link CUSTOMER_EXTERNAL_ID [--days N] [--json]",
    "Print a customer's self-service portal link",
    "link prints PUBLIC_URL/p/TOKEN: the customer's portal page (open invoices with the amount\n"
    "updated today, PIX copia-e-cola, boleto PDF). The token is signed with the secret in the\n"
    "environment variable named by secret_env (default REGUA_SECRET) and names the customer and\n"
    "when the link expires: --days N from now (1-365; default portal.link_days in regua.yaml,\n"
    "30). Messages carry the same link as {{portal_url}}. Needs public_url in regua.yaml and the\n"
    "secret (exit 2 without them); an unknown customer is exit 1. --json prints\n"
    "{\"customer\", \"url\", \"expires_at\"}.",
    run,
};

static int run(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"days", true, "N", "the link is valid N days from now (1-365; default portal.link_days)", false, NULL},
        {"json", false, NULL, "print {\"customer\", \"url\", \"expires_at\"}", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[3];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &rg_cmd_portal, argc - 1, argv + 1, opts, pos, 3, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    if (npos < 1)
        return rg_cli_usage_error(cli, "portal", "say 'link CUSTOMER_EXTERNAL_ID'");
    if (strcmp(pos[0], "link") != 0)
        return rg_cli_usage_error(cli, "portal", "unknown subcommand '%s' (link)", pos[0]);
    if (npos != 2)
        return rg_cli_usage_error(cli, "portal", "link takes one customer external id");
    int64_t days = cli->config.portal.link_days;
    const char *v = rg_cli_opt(opts, "days")->value;
    if (v && !rg_parse_i64(rg_slice_cstr(v), 1, 365, &days))
        return rg_cli_usage_error(cli, "portal", "--days takes a whole number of days from 1 to 365, not '%s'", v);
    rg_store *s = rg_cli_store(cli);
    if (!s)
        return 3;
    rg_err e;
    rg_err_clear(&e);
    rg_buf url = RG_BUF_INIT;
    rg_instant expires;
    rg_status rc = rg_portal_link_for(s, &cli->config, pos[1], days, rg_cli_now(cli), &url, &expires, &e);
    int code = 0;
    if (rc != RG_OK)
        code = rg_cli_fail(cli, &e);
    else if (url.oom) {
        rg_err_set(&e, RG_ENOMEM, "portal", "out of memory");
        code = rg_cli_fail(cli, &e);
    }
    else if (rg_cli_opt(opts, "json")->set) {
        char at[32];
        rg_instant_format(expires, at, sizeof at);
        json_t *o = json_pack("{s:s, s:s, s:s}", "customer", pos[1], "url", rg_buf_cstr(&url), "expires_at", at);
        char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        fprintf(cli->out, "%s\n", text ? text : "null");
        free(text);
        json_decref(o);
    } else {
        fprintf(cli->out, "%s\n", rg_buf_cstr(&url));
    }
    rg_buf_free(&url);
    return code;
}
