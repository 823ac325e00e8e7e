/* regua init: create (or migrate) the database. */
#include <jansson.h>
#include <string.h>

#include "cli/cli.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_init = {
    "init",
    "regua init [--json]",
    "Create the database (or bring its schema up to date) and report its status",
    "The database is --db, else `database` in the config, else ./regua.db. Running it again\n"
    "is harmless.",
    run,
};

static int run(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"json", false, NULL, "print the status as JSON", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[1];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &rg_cmd_init, argc - 1, argv + 1, opts, pos, 0, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    rg_store *s = rg_cli_store(cli);
    if (!s)
        return 3;
    rg_store_info info;
    rg_err e;
    rg_err_clear(&e);
    if (rg_store_info_get(s, &info, &e) != RG_OK)
        return rg_cli_fail(cli, &e);
    const char *loc = cli->db_path ? cli->db_path : cli->config.database;
    if (rg_cli_opt(opts, "json")->set)
        return rg_cli_print_json(cli, json_pack("{s:s, s:s, s:i, s:I, s:I}", "database", loc, "backend", info.backend,
                                         "schema_version", info.schema_version, "customers",
                                         (json_int_t)info.customers, "invoices", (json_int_t)info.invoices));
    else
        fprintf(cli->out, "%s: ready (%s %s, schema version %d): %lld customers, %lld invoices\n", loc,
                info.backend, info.version, info.schema_version, (long long)info.customers,
                (long long)info.invoices);
    return 0;
}
