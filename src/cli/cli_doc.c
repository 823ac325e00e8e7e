/* regua doc check DOC */
#include <jansson.h>
#include <string.h>

#include "br/doc.h"
#include "cli/cli.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_doc = {
    "doc",
    "regua doc check DOC [--json]",
    "Check a CPF or CNPJ",
    "DOC is a CPF (11 digits) or a CNPJ (14 characters, the alphanumeric CNPJ of IN RFB\n"
    "2.229/2024 included), with or without its dots, slash and hyphen. The check digits are\n"
    "verified, and sequences of one repeated digit are refused. A valid document prints its\n"
    "kind and formatted form; an invalid one exits 1 naming what is wrong (the expected\n"
    "check digit, a bad character, the length).\n"
    "JSON: {\"valid\": true, \"kind\": \"cpf\"|\"cnpj\", \"formatted\"}, or {\"valid\": false,\n"
    "\"error\"} (exit 1).",
    run,
};

static int run(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"json", false, NULL, "print the result as JSON", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[2];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &rg_cmd_doc, argc - 1, argv + 1, opts, pos, 2, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    if (npos < 1 || strcmp(pos[0], "check") != 0)
        return rg_cli_usage_error(cli, "doc", npos < 1 ? "say 'check DOC'" : "unknown subcommand (check)");
    if (npos != 2)
        return rg_cli_usage_error(cli, "doc", "check needs the CPF or CNPJ");
    bool json = rg_cli_opt(opts, "json")->set;
    rg_err e;
    rg_err_clear(&e);
    rg_doc d;
    if (!rg_doc_parse(pos[1], strlen(pos[1]), &d, &e)) {
        if (json) {
            char msg[800];
            rg_cli_print_json(cli, json_pack("{s:b, s:s}", "valid", 0, "error", rg_err_text(&e, msg, sizeof msg)));
        }
        return rg_cli_fail(cli, &e);
    }
    if (json) {
        rg_cli_print_json(cli, json_pack("{s:b, s:s, s:s}", "valid", 1, "kind", rg_doc_kind_name(d.kind),
                                         "formatted", d.formatted));
        return 0;
    }
    fprintf(cli->out, "valid %s: %s\n", d.kind == RG_DOC_CPF ? "CPF" : "CNPJ", d.formatted);
    return 0;
}
