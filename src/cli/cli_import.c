/* regua import customers|invoices|payments FILE.csv */
#include <string.h>

#include "cli/cli.h"
#include "service/import.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_import = {
    "import",
    "regua import customers|invoices|payments FILE.csv [--skip-invalid] [--encoding ENC] [--clear COLUMNS] [--json]",
    "Import customers, invoices or payments from a CSV file (UTF-8 or --encoding; ',' or ';')",
    "The whole file is checked first: if any row is invalid nothing is imported and every\n"
    "problem is printed as FILE:LINE: column: message (exit 1). --skip-invalid imports the\n"
    "valid rows and reports the rest, committing every 20,000 rows so that `regua serve`'s\n"
    "webhooks are not held up by a long import (after a database failure the rows before it\n"
    "stay; import the file again). Rows are matched by external id, so importing the same\n"
    "file again changes nothing; a payment is identified by invoice and reference.\n"
    "The file must be UTF-8: a byte that is not refuses the whole file; a file saved by Excel\n"
    "is usually windows-1252 — say so with --encoding windows-1252 (or latin1) and it is\n"
    "converted. Every row has as many fields as the header. An empty field never erases what\n"
    "is stored: to clear a column, list it in --clear (e.g. --clear whatsapp,tags).\n"
    "A bare date (paid_at) is that day where the company is. With --json the result is one\n"
    "document: {kind, imported, rows, inserted, updated, unchanged, invalid, problems,\n"
    "warnings}, each problem {field: \"LINE:COLUMN\", message} (POST /v1/imports/KIND answers\n"
    "the same). Columns: docs/import.md.",
    run,
};

static int run(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"skip-invalid", false, NULL, "import the valid rows and report the invalid ones", false, NULL},
        {"encoding", true, "ENC", "the file's encoding: utf-8 (default), windows-1252 (Excel) or latin1", false, NULL},
        {"clear", true, "COLUMNS", "columns (comma-separated) whose empty fields clear the stored value", false, NULL},
        {"json", false, NULL, "print the result as JSON", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[2];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &rg_cmd_import, argc - 1, argv + 1, opts, pos, 2, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    rg_import_kind kind;
    if (npos != 2 || !rg_import_kind_parse(pos[0], &kind))
        return rg_cli_usage_error(cli, "import", "say what to import and from which file, e.g. 'regua import invoices faturas.csv'");
    const rg_event_env *env = rg_cli_events(cli);
    if (!env)
        return 3;
    rg_import_report r;
    rg_err e;
    rg_err_clear(&e);
    rg_import_options io;
    rg_import_options_init(&io, rg_cli_zones(cli), rg_cli_now(cli));
    io.skip_invalid = rg_cli_opt(opts, "skip-invalid")->set;
    io.encoding = rg_cli_opt(opts, "encoding")->value;
    io.clear = rg_cli_opt(opts, "clear")->value;
    /* all-or-nothing was given up: let the server's writers in between batches */
    io.batch_rows = RG_IMPORT_BATCH_ROWS;
    io.batch_pause_ms = RG_IMPORT_BATCH_PAUSE_MS;
    rg_status rc = rg_import_csv_file(env, kind, pos[1], &io, &r, &e);
    if (r.text.len)
        fputs(rg_buf_cstr(&r.text), cli->err);
    if (rg_cli_opt(opts, "json")->set && (rc == RG_OK || rc == RG_EINVAL)) {
        rg_cli_print_json(cli, rg_import_report_json(kind, &r));
    } else if (rc == RG_OK) {
        fprintf(cli->out, "%s: %lld rows: %lld new, %lld updated, %lld unchanged%s",
                pos[1], (long long)r.rows, (long long)r.inserted, (long long)r.updated,
                (long long)r.unchanged, r.invalid ? "" : "\n");
        if (r.invalid)
            fprintf(cli->out, ", %lld invalid rows skipped\n", (long long)r.invalid);
    }
    rg_import_report_free(&r);
    if (rc != RG_OK)
        return rg_cli_fail(cli, &e);
    return 0;
}
