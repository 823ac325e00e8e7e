/* Opening the engine for the CLI commands. */
#include "cli/engine_cli.h"

static int engine_open(rg_cli *cli, rg_store *s, bool dry_run, rg_cli_engine_mode mode, rg_engine **out);

int rg_cli_engine_open(rg_cli *cli, bool dry_run, rg_cli_engine_mode mode, rg_engine **out)
{
    *out = NULL;
    rg_store *s = rg_cli_store(cli);
    if (!s)
        return 3;
    return engine_open(cli, s, dry_run, mode, out);
}

int rg_cli_cadences_open(rg_cli *cli, rg_engine **out)
{
    *out = NULL;
    return engine_open(cli, NULL, true, RG_CLI_ENGINE_STRICT, out);
}

static int engine_open(rg_cli *cli, rg_store *s, bool dry_run, rg_cli_engine_mode mode, rg_engine **out)
{
    rg_engine_options o = {s, &cli->config, dry_run, 0, 0};
    rg_diags d = RG_DIAGS_INIT;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_engine_open(&o, out, &d, &e);
    if (d.n && mode != RG_CLI_ENGINE_QUIET) {
        rg_buf b = RG_BUF_INIT;
        rg_diags_format(&d, &b);
        fputs(rg_buf_cstr(&b), cli->err);
        rg_buf_free(&b);
    }
    /* the first file that did not load, to name it */
    const char *first = NULL;
    for (size_t i = 0; i < d.n && !first; i++)
        if (d.items[i].severity == RG_SEV_ERROR)
            first = d.items[i].file;
    int exit_code = 0;
    if (rc != RG_OK) {
        exit_code = mode == RG_CLI_ENGINE_QUIET ? rg_status_exit_code(rc) : rg_cli_fail(cli, &e);
    } else if (rg_engine_load_errors(*out) > 0) {
        size_t n = rg_engine_load_errors(*out);
        if (mode == RG_CLI_ENGINE_STRICT) {
            fprintf(cli->err,
                    "%s: %zu problem(s) keep cadences or templates from loading (%s%s); nothing was done:"
                    " fix them (regua cadence lint %s)\n",
                    cli->prog, n, first ? first : "?", n > 1 ? ", ..." : "", cli->config.cadences_dir);
            rg_engine_close(*out);
            *out = NULL;
            exit_code = 1;
        } else {
            fprintf(cli->err, "%s: warning: %zu problem(s) keep cadences or templates from loading (%s%s)\n",
                    cli->prog, n, first ? first : "?", n > 1 ? ", ..." : "");
        }
    }
    rg_diags_free(&d);
    return exit_code;
}
