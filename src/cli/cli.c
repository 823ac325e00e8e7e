#include "cli/cli.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/width.h"
#include "channel/scrub.h"
#include "engine/engine.h"
#include "version.h"

static const rg_command *const commands[] = {
    &rg_cmd_init, &rg_cmd_import, &rg_cmd_customer, &rg_cmd_invoice, &rg_cmd_pay, &rg_cmd_event, &rg_cmd_cnab,
    &rg_cmd_serve, &rg_cmd_demo, &rg_cmd_cadence, &rg_cmd_tick, &rg_cmd_simulate, &rg_cmd_messages,
    &rg_cmd_boleto, &rg_cmd_pix, &rg_cmd_doc,
    &rg_cmd_task, &rg_cmd_bureau, &rg_cmd_letters,
    &rg_cmd_dispatch, &rg_cmd_apikey, &rg_cmd_webhooks, &rg_cmd_optout,
    &rg_cmd_promise, &rg_cmd_agreement, &rg_cmd_report, &rg_cmd_portal,
    &rg_cmd_user,
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void print_main_help(FILE *f)
{
    fprintf(f, "regua %s — the régua de cobrança: cadences of reminders and collection actions\n"
               "for every bill, from before its due date to payment.\n\n"
               "Usage: regua [GLOBAL OPTIONS] COMMAND [ARGS] [OPTIONS]\n\nCommands:\n",
            RG_VERSION);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(f, "\nGlobal options (before or after the command):\n"
               "  --db PATH        the database (default: `database` in the config, else regua.db)\n"
               "  --config FILE    the configuration file (default ./regua.yaml; missing = defaults)\n"
               "  --now INSTANT    run as if it were this ISO-8601 instant (also REGUA_NOW);\n"
               "                   e.g. 2026-12-10T09:00:00-03:00; a time without an offset is UTC;\n"
               "                   a bare date (2026-12-10 or 10/12/2026) is noon of that day\n"
               "                   where the company is (`timezone` in the config)\n"
               "  --help           help for regua or for a command\n"
               "  --version        print the version\n\n"
               "Run 'regua COMMAND --help' for a command's options. Exit codes: 0 ok, 1 bad input or\n"
               "rejected operation, 2 usage error, 3 database or I/O failure. Dates and times are\n"
               "printed in the company's time zone with their offset; --json prints UTC (ISO-8601).\n");
}

rg_instant rg_cli_now(const rg_cli *cli)
{
    return rg_clock_now(&cli->clock);
}

rg_zones *rg_cli_zones(rg_cli *cli)
{
    return cli->zones;
}

const rg_tz *rg_cli_tz(rg_cli *cli)
{
    return rg_zones_company(cli->zones);
}

rg_date rg_cli_today(rg_cli *cli)
{
    return rg_tz_date(rg_cli_tz(cli), rg_cli_now(cli));
}

bool rg_cli_moment(rg_cli *cli, const char *cmd, const char *opt, const char *value, rg_instant *out)
{
    if (rg_tz_parse_moment(rg_cli_tz(cli), value, strlen(value), out))
        return true;
    rg_cli_usage_error(cli, cmd,
                       "--%s takes a date (2027-01-13 or 13/01/2027: that day where the company is) or an"
                       " ISO-8601 instant (2027-01-13T10:00:00-03:00), not '%s'",
                       opt, value);
    return false;
}

bool rg_cli_date(rg_cli *cli, const char *cmd, const char *opt, const char *value, rg_date *out)
{
    if (rg_date_parse(value, strlen(value), out))
        return true;
    rg_cli_usage_error(cli, cmd, "--%s takes a date (2027-01-13 or 13/01/2027), not '%s'", opt, value);
    return false;
}

const char *rg_cli_time(rg_cli *cli, rg_instant t, char *buf, size_t n)
{
    return rg_tz_format(rg_cli_tz(cli), t, buf, n);
}

int rg_cli_fail(rg_cli *cli, const rg_err *e)
{
    char buf[800];
    rg_err_text(e, buf, sizeof buf);
    rg_scrub(buf, sizeof buf);
    fprintf(cli->err, "%s: %s\n", cli->prog, buf);
    return rg_status_exit_code(e->code);
}

int rg_cli_usage_error(rg_cli *cli, const char *cmd, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (cmd)
        fprintf(cli->err, "%s %s: %s (see '%s %s --help')\n", cli->prog, cmd, msg, cli->prog, cmd);
    else
        fprintf(cli->err, "%s: %s (see '%s --help')\n", cli->prog, msg, cli->prog);
    return 2;
}

bool rg_cli_db_exists(const rg_cli *cli)
{
    const char *loc = cli->db_path ? cli->db_path : cli->config.database;
    const char *path = !strncmp(loc, "sqlite:", 7) ? loc + 7 : loc;
    return cli->store || strcmp(path, ":memory:") == 0 || strncmp(loc, "postgres", 8) == 0 || access(path, F_OK) == 0;
}

rg_store *rg_cli_store(rg_cli *cli)
{
    if (cli->store)
        return cli->store;
    const char *loc = cli->db_path ? cli->db_path : cli->config.database;
    rg_err e;
    rg_err_clear(&e);
    const char *path = !strncmp(loc, "sqlite:", 7) ? loc + 7 : loc;
    if (!cli->may_create_db && !rg_cli_db_exists(cli)) {
        rg_err_set(&e, RG_EIO, path,
                   "no such database (%s); create it with 'regua init' or 'regua import', or name another"
                   " with --db",
                   cli->db_path ? "from --db" : cli->config.from_file ? "`database` in the config" : "the default");
        rg_cli_fail(cli, &e);
        return NULL;
    }
    if (rg_store_open(loc, &cli->store, &e) != RG_OK) {
        rg_cli_fail(cli, &e);
        return NULL;
    }
    return cli->store;
}

const rg_event_env *rg_cli_events(rg_cli *cli)
{
    if (cli->events.store)
        return &cli->events;
    rg_store *s = rg_cli_store(cli);
    if (!s)
        return NULL;
    struct stat st;
    if (stat(cli->config.cadences_dir, &st) != 0 && errno == ENOENT) {
        /* no cadence listens; the outgoing webhooks do */
        cli->no_cadences = (rg_triggers){NULL, NULL, &cli->config};
        cli->events = (rg_event_env){s, cli->zones, cli->config.n_webhooks ? &cli->no_cadences : NULL};
        return &cli->events;
    }
    rg_engine_options o = {s, &cli->config, true, 0, 0};
    rg_diags d = RG_DIAGS_INIT;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_engine_open(&o, &cli->events_engine, &d, &e);
    rg_diags_free(&d);
    if (rc != RG_OK) {
        rg_cli_fail(cli, &e);
        return NULL;
    }
    cli->events = (rg_event_env){s, cli->zones, rg_engine_triggers(cli->events_engine)};
    return &cli->events;
}

rg_opt *rg_cli_opt(rg_opt *opts, const char *name)
{
    for (rg_opt *o = opts; o && o->name; o++)
        if (!strcmp(o->name, name))
            return o;
    return NULL;
}

void rg_cli_print_help(rg_cli *cli, const rg_command *cmd, const rg_opt *opts)
{
    fprintf(cli->out, "Usage: %s\n\n%s\n", cmd->usage, cmd->summary);
    if (cmd->details && *cmd->details)
        fprintf(cli->out, "\n%s\n", cmd->details);
    bool any = false;
    for (const rg_opt *o = opts; o && o->name; o++) {
        if (!any)
            fprintf(cli->out, "\nOptions:\n");
        any = true;
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", o->name, o->has_arg ? " " : "",
                 o->has_arg ? o->arg_name : "");
        fprintf(cli->out, "  %-24s %s\n", left, o->help);
    }
    fprintf(cli->out, "\nGlobal options: --db PATH, --config FILE, --now INSTANT (see 'regua --help').\n");
}

int rg_cli_parse(rg_cli *cli, const rg_command *cmd, int argc, char **argv, rg_opt *opts,
                 const char **pos, int max_pos, int *npos, bool *help_shown)
{
    *npos = 0;
    *help_shown = false;
    bool only_pos = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!only_pos && !strcmp(a, "--")) {
            only_pos = true;
            continue;
        }
        if (!only_pos && (!strcmp(a, "--help") || !strcmp(a, "-h"))) {
            rg_cli_print_help(cli, cmd, opts);
            *help_shown = true;
            return 0;
        }
        if (!only_pos && a[0] == '-' && a[1] == '-' && a[2]) {
            const char *name = a + 2;
            const char *eq = strchr(name, '=');
            size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
            rg_opt *o = NULL;
            for (rg_opt *p = opts; p && p->name; p++)
                if (strlen(p->name) == nlen && !strncmp(p->name, name, nlen))
                    o = p;
            if (!o) {
                rg_cli_usage_error(cli, cmd->name, "unknown option '--%.*s'", (int)nlen, name);
                return -1;
            }
            if (o->has_arg) {
                if (eq)
                    o->value = eq + 1;
                else if (i + 1 < argc)
                    o->value = argv[++i];
                else {
                    rg_cli_usage_error(cli, cmd->name, "option '--%s' needs a value (%s)", o->name,
                                       o->arg_name);
                    return -1;
                }
            } else if (eq) {
                rg_cli_usage_error(cli, cmd->name, "option '--%s' takes no value", o->name);
                return -1;
            }
            o->set = true;
            continue;
        }
        if (*npos >= max_pos) {
            rg_cli_usage_error(cli, cmd->name, "unexpected argument '%s'", a);
            return -1;
        }
        pos[(*npos)++] = a;
    }
    return 0;
}

int rg_cli_print_json(rg_cli *cli, void *j)
{
    json_t *v = j;
    if (!v) {
        fprintf(cli->err,
                "%s: the result cannot be written as JSON: a stored text is not valid UTF-8 (or memory ran"
                " out); nothing was printed\n",
                cli->prog);
        return 1;
    }
    int rc = json_dumpf(v, cli->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII * 0);
    json_decref(v);
    if (rc != 0 || fputc('\n', cli->out) == EOF) {
        fprintf(cli->err, "%s: cannot write the JSON output\n", cli->prog);
        return 3;
    }
    return 0;
}

/* Removes the global options from argv (they may stand anywhere) and
 * applies them. Returns -1 after a usage error. */
static int take_globals(rg_cli *cli, int *argc, char **argv, const char **now_out)
{
    int w = 1;
    const char *now_text = getenv("REGUA_NOW");
    for (int i = 1; i < *argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        const char *name = NULL;
        if (!strncmp(a, "--db", 4) && (a[4] == '\0' || a[4] == '='))
            slot = &cli->db_path, name = "--db";
        else if (!strncmp(a, "--config", 8) && (a[8] == '\0' || a[8] == '='))
            slot = &cli->config_path, name = "--config";
        else if (!strncmp(a, "--now", 5) && (a[5] == '\0' || a[5] == '='))
            slot = &now_text, name = "--now";
        if (!slot) {
            argv[w++] = argv[i];
            continue;
        }
        const char *eq = strchr(a, '=');
        if (eq) {
            *slot = eq + 1;
        } else if (i + 1 < *argc) {
            *slot = argv[++i];
        } else {
            return rg_cli_usage_error(cli, NULL, "option '%s' needs a value", name), -1;
        }
        if (slot == &cli->config_path)
            cli->config_explicit = true;
    }
    *argc = w;
    argv[w] = NULL;
    if (now_text && *now_text) {
        /* checked here (a usage error comes before anything else); read
         * again once the company's zone is known, for a bare date */
        rg_instant t;
        rg_date d;
        if (!rg_instant_parse(now_text, strlen(now_text), &t) && !rg_date_parse(now_text, strlen(now_text), &d))
            return rg_cli_usage_error(cli, NULL,
                                      "'%s' is not a date or an ISO-8601 instant for --now/REGUA_NOW"
                                      " (e.g. 2026-12-10T09:00:00-03:00)",
                                      now_text),
                   -1;
        *now_out = now_text;
    }
    return 0;
}

int rg_cli_main(int argc, char **argv)
{
    rg_cli cli;
    memset(&cli, 0, sizeof cli);
    cli.prog = "regua";
    cli.out = stdout;
    cli.err = stderr;
    cli.clock = rg_clock_system();
    cli.config_path = "regua.yaml";
    rg_log_init_from_env();
    int rc = 0;
    const char *now_text = NULL;
    if (take_globals(&cli, &argc, argv, &now_text) < 0)
        return 2;
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        if (argc >= 3 && !strcmp(argv[1], "help")) {
            for (size_t i = 0; i < N_COMMANDS; i++) {
                if (!strcmp(commands[i]->name, argv[2])) {
                    char *hargv[] = {argv[2], (char *)"--help", NULL};
                    return commands[i]->run(&cli, 2, hargv);
                }
            }
        }
        print_main_help(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("regua %s\n", RG_VERSION);
        return 0;
    }
    const rg_command *cmd = NULL;
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (!strcmp(commands[i]->name, argv[1]))
            cmd = commands[i];
    if (!cmd)
        return rg_cli_usage_error(&cli, NULL, "unknown command '%s'", argv[1]);

    rg_config_defaults(&cli.config);
    rg_err e;
    rg_err_clear(&e);
    if (rg_config_load(&cli.config, cli.config_path, cli.config_explicit, &e) != RG_OK)
        return rg_cli_fail(&cli, &e);
    /* every secret the configuration names is kept out of what we store, log and print */
    rg_scrub_register_config(&cli.config);
    if (rg_zones_new(cli.config.default_timezone, NULL, &cli.zones, &e) != RG_OK)
        return rg_cli_fail(&cli, &e);
    if (now_text) {
        rg_instant t;
        rg_tz_parse_moment(rg_cli_tz(&cli), now_text, strlen(now_text), &t);
        cli.clock = rg_clock_fixed(t);
    }
    cli.may_create_db = cmd == &rg_cmd_init || cmd == &rg_cmd_import || cmd == &rg_cmd_demo;
    /* argv[1] is the command; the command sees its own name as argv[0] */
    rc = cmd->run(&cli, argc - 1, argv + 1);
    rg_engine_close(cli.events_engine);
    rg_store_close(cli.store);
    rg_zones_free(cli.zones);
    return rc;
}

void rg_cli_cell(FILE *f, const char *s, size_t width, bool fit)
{
    rg_buf b = RG_BUF_INIT;
    rg_buf_cell(&b, s, width, fit);
    rg_buf_putc(&b, ' ');
    if (!b.oom)
        fwrite(b.p, 1, b.len, f);
    rg_buf_free(&b);
}
