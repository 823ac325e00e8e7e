/* regua cadence lint|list|show */
#include <jansson.h>
#include <string.h>

#include "cadence/lint.h"
#include "cadence/load.h"
#include "cli/cli.h"
#include "cli/engine_cli.h"
#include "render/template_file.h"
#include "service/json_model.h"

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
    "configured directories does not load. See docs/cadences.md for every key and rule.",
    run,
};

static json_t *strlist_json(const rg_strlist *l)
{
    json_t *a = json_array();
    for (size_t i = 0; i < l->n; i++)
        json_array_append_new(a, json_string(l->v[i]));
    return a;
}

static json_t *diags_json(const rg_diags *d, size_t files)
{
    json_t *a = json_array();
    for (size_t i = 0; i < d->n; i++) {
        const rg_diag *g = &d->items[i];
        json_array_append_new(a, json_pack("{s:s, s:i, s:i, s:s, s:s, s:s}", "file", g->file, "line", g->line,
                                           "column", g->column, "severity", rg_severity_name(g->severity), "rule",
                                           g->rule, "message", g->message));
    }
    return json_pack("{s:I, s:I, s:I, s:I, s:o}", "files", (json_int_t)files, "errors",
                     (json_int_t)rg_diags_count(d, 0, RG_SEV_ERROR), "warnings",
                     (json_int_t)rg_diags_count(d, 0, RG_SEV_WARNING), "infos",
                     (json_int_t)rg_diags_count(d, 0, RG_SEV_INFO), "diagnostics", a);
}

static json_t *cadence_json(const rg_cadence *c, bool full)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:b, s:i, s:i}", "cadence", c->name, "version", c->version, "file",
                          c->file ? c->file : "", "priority", (json_int_t)c->match.priority, "consolidate",
                          c->consolidate, "steps", (int)c->n_steps, "triggers", (int)c->n_triggers);
    if (!full)
        return o;
    json_object_set_new(o, "allow_contact_outside_hours",
                        c->allow_contact_outside_hours ? json_string(c->allow_contact_outside_hours) : json_null());
    json_t *steps = json_array();
    for (size_t i = 0; i < c->n_steps; i++) {
        const rg_cadence_step *st = &c->steps[i];
        char at[16];
        snprintf(at, sizeof at, "D%s%d", st->at_days > 0 ? "+" : st->at_days < 0 ? "" : "", st->at_days);
        json_t *s = json_pack("{s:s, s:s, s:s}", "id", st->id, "at", at, "action", rg_step_action_name(st->action));
        if (st->send.present) {
            json_object_set_new(s, "channels", strlist_json(&st->send.channels));
            json_object_set_new(s, "template", json_string(st->send.template_name ? st->send.template_name : ""));
        }
        if (st->requires_notice)
            json_object_set_new(s, "requires_notice", json_string(st->requires_notice));
        json_array_append_new(steps, s);
    }
    json_object_set_new(o, "steps", steps);
    json_t *tr = json_array();
    for (size_t i = 0; i < c->n_triggers; i++)
        json_array_append_new(tr, json_pack("{s:s, s:s, s:I}", "id", c->triggers[i].id, "on",
                                            rg_event_type_name(c->triggers[i].on), "wait_seconds",
                                            (json_int_t)c->triggers[i].wait_seconds));
    json_object_set_new(o, "triggers", tr);
    return o;
}

/* The versions of a cadence the tick has run, with their reasons. */
typedef struct versions_ctx {
    rg_cli *cli;
    json_t *array; /* NULL: print text */
    size_t n;
    rg_err *e;
} versions_ctx;

static rg_status one_version(void *p, const char *version, rg_instant first_seen, const char *reason)
{
    versions_ctx *vc = p;
    vc->n++;
    char when[48];
    if (vc->array) {
        return rg_json_append(vc->array,
                              json_pack("{s:s, s:s, s:s?}", "version", version, "first_seen",
                                        rg_instant_format(first_seen, when, sizeof when),
                                        "allow_contact_outside_hours", reason),
                              "cadence version", version, vc->e);
    } else {
        fprintf(vc->cli->out, "  version %s first run %s%s%s\n", version,
                rg_cli_time(vc->cli, first_seen, when, sizeof when),
                reason ? "; contact outside 08:00-20:00 or on Sunday allowed: " : "", reason ? reason : "");
    }
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
        rg_template_set *templates = NULL;
        if (rg_template_set_load(cli->config.templates_dir, &templates, &e) != RG_OK) {
            fprintf(cli->err, "%s: warning: templates not loaded (%s: %s); every template counts as missing\n",
                    cli->prog, e.where, e.msg);
            templates = NULL;
        }
        rg_lint_install li = {&cli->config, templates, true};
        rg_lint_env env = rg_engine_lint_env(&li);
        rg_diags d = RG_DIAGS_INIT;
        size_t files = 0;
        rg_status rc = rg_cadence_lint_paths(pos + 1, (size_t)(npos - 1), &env, &d, &files);
        size_t errors = rg_diags_count(&d, 0, RG_SEV_ERROR);
        size_t warnings = rg_diags_count(&d, 0, RG_SEV_WARNING);
        int printed = 0;
        if (json) {
            printed = rg_cli_print_json(cli, diags_json(&d, files));
        } else {
            rg_buf b = RG_BUF_INIT;
            rg_diags_format(&d, &b);
            fputs(rg_buf_cstr(&b), cli->out);
            rg_buf_free(&b);
            fprintf(cli->out, "%zu file(s): %zu error(s), %zu warning(s)\n", files, errors, warnings);
        }
        rg_diags_free(&d);
        rg_template_set_free(templates);
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
            json_t *a = json ? json_array() : NULL;
            for (size_t i = 0; i < set->n; i++) {
                const rg_cadence *c = set->items[i];
                if (a)
                    json_array_append_new(a, cadence_json(c, false));
                else
                    fprintf(cli->out, "%-20s %s  priority %-4lld %2zu steps %2zu triggers  %s\n", c->name, c->version,
                            (long long)c->match.priority, c->n_steps, c->n_triggers, c->file ? c->file : "");
            }
            int jrc = a ? rg_cli_print_json(cli, a) : 0;
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
        versions_ctx vc = {cli, json ? json_array() : NULL, 0, &e};
        if (json) {
            json_t *o = cadence_json(c, true);
            if (versions_run(cli, c->name, &vc, &e) != RG_OK) {
                json_decref(o);
                json_decref(vc.array);
                rg_engine_close(eng);
                return rg_cli_fail(cli, &e);
            }
            if (json_object_set_new(o, "versions_run", vc.array) != 0) {
                json_decref(o);
                o = NULL; /* rg_cli_print_json says it cannot be written */
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
