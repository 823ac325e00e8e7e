/* Opening the engine for the CLI commands. */
#include "cli/engine_cli.h"

int rg_cli_engine_open(rg_cli *cli, bool dry_run, bool quiet, rg_engine **out)
{
    *out = NULL;
    rg_store *s = rg_cli_store(cli);
    if (!s)
        return 3;
    rg_engine_options o = {s, &cli->config, dry_run, 0, 0};
    rg_diags d = RG_DIAGS_INIT;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_engine_open(&o, out, &d, &e);
    if (d.n && !quiet) {
        rg_buf b = RG_BUF_INIT;
        rg_diags_format(&d, &b);
        fputs(rg_buf_cstr(&b), cli->err);
        rg_buf_free(&b);
    }
    rg_diags_free(&d);
    if (rc != RG_OK)
        return quiet ? rg_status_exit_code(rc) : rg_cli_fail(cli, &e);
    return 0;
}
