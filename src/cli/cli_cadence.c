/* regua cadence lint|list|show */
#include <jansson.h>
#include <string.h>

#include "cadence/lint.h"
#include "cadence/load.h"
#include "cli/cli.h"
#include "cli/engine_cli.h"
#include "service/cadences.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_cadence = {
    "cadence",
    "regua cadence lint FILE... [--json]\n"
    "       regua cadence list [--json]\n"
    "       regua cadence show NAME [--json]",
    "Check cadence files, or list and show the cadences loaded from the configured directory",
    "lint prints every problem as FILE:LINE: severity[rule]: message and exits 1 when any is\n"
    "an error (a cadence with errors is never loaded; one with only warnings is). Templates\n"
    "are looked up in the configured templates directory, channels among the built-in ones\n"
    "and those configured. With --json, lint prints {\"files\", \"errors\", \"warnings\",\n"
    "\"infos\", \"diagnostics\": [{\"file\", \"line\", \"column\", \"severity\", \"rule\",\n"
    "\"message\"}]} (line and column 0 when unknown), with the same exit code.\n"
    "show also prints the cadence's allow_contact_outside_hours reason, when it has one, and\n"
    "every version of it the tick has run (JSON: versions_run), each with the reason it had\n"
    "(none when the database does not exist yet).\n"
    "list and show exit 1, naming the file, when any cadence file or template of the\n"
    "configured directories does not load. The API answers the same documents (GET\n"
    "/v1/cadences, GET /v1/cadences/NAME, POST /v1/cadences/lint with a file as the body).\n"
    "See docs/cadences.md for every key and rule.",
    run,
};

/* The versions of a cadence the tick has run, with their reasons. */
typedef struct versions_ctx {
    rg_cli *cli;
    size_t n;
} versions_ctx;

static rg_status one_version(void *p, const char *version, rg_instant first_seen, const char *reason)
{
    versions_ctx *vc = p;
    vc->n++;
    char when[48];
    fprintf(vc->cli->out, "  version %s first run %s%s%s\n", version,
            rg_cli_time(vc->cli, first_seen, when, sizeof when),
            reason ? "; contact outside 08:00-20:00 or on Sunday allowed: " : "", reason ? reason : "");
    return RG_OK;
}

/* The versions the tick has run, from the database; none when it does not
 * exist yet (cadence show needs no database). */
static rg_status versions_run(rg_cli *cli, const char *cadence, versions_ctx *vc, rg_err *e)
{
    if (!rg_cli_db_exists(cli))
        return RG_OK;
    rg_store *s = rg_cli_store(cli);
    if (!s)
        return rg_err_set(e, RG_EIO, "cadence", "the database cannot be opened");
    return rg_store_cadence_versions(s, cadence, one_version, vc, e);
}

static int run(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"json", false, NULL, "print JSON", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[64];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &rg_cmd_cadence, argc - 1, argv + 1, opts, pos, 64, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    if (npos < 1)
        return rg_cli_usage_error(cli, "cadence", "say 'lint FILE...', 'list' or 'show NAME'");
    bool json = rg_cli_opt(opts, "json")->set;
    rg_err e;
    rg_err_clear(&e);
    if (!strcmp(pos[0], "lint")) {
        if (npos < 2)
            return rg_cli_usage_error(cli, "cadence", "lint needs at least one FILE");
        rg_diags d = RG_DIAGS_INIT;
        size_t files = 0;
        rg_err te;
        rg_cadence_lint_input in = {.paths = pos + 1, .n_paths = (size_t)(npos - 1)};
        rg_status rc = rg_cadences_lint(&cli->config, &in, &d, &files, &te);
        if (te.code != RG_OK)
            fprintf(cli->err, "%s: warning: templates not loaded (%s: %s); every template counts as missing\n",
                    cli->prog, te.where, te.msg);
        size_t errors = rg_diags_count(&d, 0, RG_SEV_ERROR);
        size_t warnings = rg_diags_count(&d, 0, RG_SEV_WARNING);
        int printed = 0;
        if (json) {
            printed = rg_cli_print_json(cli, rg_cadence_lint_json(&d, files));
        } else {
            rg_buf b = RG_BUF_INIT;
            rg_diags_format(&d, &b);
            fputs(rg_buf_cstr(&b), cli->out);
            rg_buf_free(&b);
            fprintf(cli->out, "%zu file(s): %zu error(s), %zu warning(s)\n", files, errors, warnings);
        }
        rg_diags_free(&d);
        if ((rc != RG_OK && rc != RG_EINVAL) || printed == 3)
            return 3;
        return errors || printed ? 1 : 0;
    }
    if (!strcmp(pos[0], "list") || !strcmp(pos[0], "show")) {
        if (!strcmp(pos[0], "show") && npos != 2)
            return rg_cli_usage_error(cli, "cadence", "show needs the cadence's NAME");
        rg_engine *eng = NULL;
        int rc = rg_cli_cadences_open(cli, &eng);
        if (rc != 0)
            return rc;
        const rg_cadence_set *set = rg_engine_cadences(eng);
        if (!strcmp(pos[0], "list")) {
            json_t *a = json ? rg_cadence_list_json(set) : NULL;
            for (size_t i = 0; !json && i < set->n; i++) {
                const rg_cadence *c = set->items[i];
                fprintf(cli->out, "%-20s %s  priority %-4lld %2zu steps %2zu triggers  %s\n", c->name, c->version,
                        (long long)c->match.priority, c->n_steps, c->n_triggers, c->file ? c->file : "");
            }
            int jrc = json ? rg_cli_print_json(cli, a) : 0;
            rg_engine_close(eng);
            return jrc;
        }
        const rg_cadence *c = rg_cadence_set_find(set, pos[1]);
        if (!c) {
            rg_engine_close(eng);
            rg_err_set(&e, RG_ENOTFOUND, "cadence", "no cadence named '%s' is loaded (see 'regua cadence list')",
                       pos[1]);
            return rg_cli_fail(cli, &e);
        }
        versions_ctx vc = {cli, 0};
        if (json) {
            void *o = NULL;
            rg_store *s = rg_cli_db_exists(cli) ? rg_cli_store(cli) : NULL;
            if (rg_cli_db_exists(cli) && !s)
                rg_err_set(&e, RG_EIO, "cadence", "the database cannot be opened");
            if (e.code != RG_OK || rg_cadence_show_json(s, c, &o, &e) != RG_OK) {
                rg_engine_close(eng);
                return rg_cli_fail(cli, &e);
            }
            int jrc = rg_cli_print_json(cli, o);
            rg_engine_close(eng);
            return jrc;
        } else {
            fprintf(cli->out, "Cadence %s (version %s, %s)\n", c->name, c->version, c->file ? c->file : "");
            if (c->allow_contact_outside_hours)
                fprintf(cli->out, "  contact outside 08:00-20:00 or on Sunday allowed: %s\n",
                        c->allow_contact_outside_hours);
            for (size_t i = 0; i < c->n_steps; i++) {
                const rg_cadence_step *st = &c->steps[i];
                fprintf(cli->out, "  D%s%-4d %-14s %-14s", st->at_days > 0 ? "+" : st->at_days < 0 ? "" : "",
                        st->at_days, st->id, rg_step_action_name(st->action));
                for (size_t k = 0; k < st->send.channels.n; k++)
                    fprintf(cli->out, "%s%s", k ? "," : "", st->send.channels.v[k]);
                if (st->send.template_name)
                    fprintf(cli->out, "  template %s", st->send.template_name);
                fputc('\n', cli->out);
            }
            for (size_t i = 0; i < c->n_triggers; i++)
                fprintf(cli->out, "  trigger %-20s on %s\n", c->triggers[i].id, rg_event_type_name(c->triggers[i].on));
            fprintf(cli->out, "Versions the tick has run:\n");
            if (versions_run(cli, c->name, &vc, &e) != RG_OK) {
                rg_engine_close(eng);
                return rg_cli_fail(cli, &e);
            }
            if (!vc.n)
                fprintf(cli->out, "  none yet\n");
        }
        rg_engine_close(eng);
        return 0;
    }
    return rg_cli_usage_error(cli, "cadence", "unknown subcommand '%s' (lint, list, show)", pos[0]);
}
