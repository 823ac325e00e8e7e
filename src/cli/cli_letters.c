/* regua letters build: (re)build a day's print-ready letter batch. */
#include <jansson.h>
#include <string.h>

#include "channel/letter_batch.h"
#include "cli/cli.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_letters = {
    "letters",
    "regua letters build [--date DATE] [--json]",
    "Build a day's print-ready letter batch (PDF + CSV manifest) for the print house",
    "The letter channel keeps each letter of a day in DIR/YYYY-MM-DD/ (DIR is the channel's\n"
    "`dir`) and rebuilds DIR/cartas-YYYY-MM-DD.pdf (every letter followed by its boleto\n"
    "pages) and DIR/cartas-YYYY-MM-DD.csv (the manifest) when a tick that sent letters\n"
    "ends. This command rebuilds them for --date (default: today in the configured time\n"
    "zone), for every channel whose driver is `letter`.",
    run,
};

static int run(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"date", true, "DATE", "the day to build (default: today)", false, NULL},
        {"json", false, NULL, "print the result as JSON", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[2];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &rg_cmd_letters, argc - 1, argv + 1, opts, pos, 2, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    if (npos != 1 || strcmp(pos[0], "build") != 0)
        return rg_cli_usage_error(cli, "letters", npos ? "unknown subcommand '%s' (build)" : "say build%s",
                                  npos ? pos[0] : "");
    rg_date day = rg_cli_today(cli);
    const char *v = rg_cli_opt(opts, "date")->value;
    if (v && !rg_cli_date(cli, "letters", "date", v, &day))
        return 2;
    bool json = rg_cli_opt(opts, "json")->set;
    json_t *arr = json ? json_array() : NULL;
    rg_err e;
    rg_err_clear(&e);
    size_t channels = 0;
    char d[16];
    rg_date_format_iso(day, d, sizeof d);
    for (size_t i = 0; i < cli->config.n_channels; i++) {
        const rg_channel_config *cc = &cli->config.channels[i];
        if (strcmp(cc->driver, "letter") != 0)
            continue;
        channels++;
        const char *dir = rg_channel_setting(cc, "dir");
        if (!dir || !*dir) {
            json_decref(arr);
            rg_err_set(&e, RG_EINVAL, cc->name, "the letter channel has no 'dir'");
            return rg_cli_fail(cli, &e);
        }
        rg_letter_build_report r;
        if (rg_letter_batch_build(dir, day, &r, &e) != RG_OK) {
            json_decref(arr);
            return rg_cli_fail(cli, &e);
        }
        if (json) {
            json_array_append_new(arr, json_pack("{s:s, s:s, s:I, s:I, s:I, s:o, s:o}", "channel", cc->name, "date", d,
                                                 "letters", (json_int_t)r.letters, "pages", (json_int_t)r.pages,
                                                 "duplicates", (json_int_t)r.duplicates, "pdf",
                                                 r.pdf[0] ? json_string(r.pdf) : json_null(), "csv",
                                                 r.csv[0] ? json_string(r.csv) : json_null()));
        } else if (r.letters == 0) {
            fprintf(cli->out, "%s: no letters on %s\n", cc->name, d);
        } else {
            fprintf(cli->out, "%s: %zu letters, %d pages -> %s, %s\n", cc->name, r.letters, r.pages, r.pdf, r.csv);
        }
    }
    if (!channels) {
        json_decref(arr);
        rg_err_set(&e, RG_EINVAL, cli->config.file[0] ? cli->config.file : "regua.yaml",
                   "no channel with driver 'letter'");
        return rg_cli_fail(cli, &e);
    }
    return json ? rg_cli_print_json(cli, arr) : 0;
}
