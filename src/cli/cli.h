/*
 * cli — the `regua` command line: global options, dispatch to one file per
 * command group (cli_*.c), and the small option parser they share.
 * Commands are thin shells over the service layer: they parse arguments,
 * call a service function and print its result (text, or JSON with --json).
 *
 * Exit codes: 0 ok, 1 bad input or a rejected operation, 2 usage error,
 * 3 an environment failure (database, I/O). Errors go to stderr, one line each.
 */
#ifndef RG_CLI_H
#define RG_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/zones.h"
#include "config/config.h"
#include "service/events.h"
#include "store/store.h"

typedef struct rg_cli {
    const char *prog;       /* "regua" */
    const char *db_path;    /* --db, NULL: from config */
    const char *config_path; /* --config, default ./regua.yaml */
    bool config_explicit;
    bool may_create_db; /* init, import and demo create a missing database; the others refuse it */
    rg_clock clock;
    rg_config config;
    rg_store *store; /* opened on demand by rg_cli_store() */
    rg_zones *zones; /* loaded with the config: the company's zone, customers' zones */
    struct rg_engine *events_engine; /* opened on demand by rg_cli_events() */
    rg_event_env events;
    rg_triggers no_cadences; /* the events' listeners when no cadence directory exists (the webhooks) */
    FILE *out;
    FILE *err;
} rg_cli;

int rg_cli_main(int argc, char **argv);

/* Opens the store (once) from --db or the config; NULL after printing the
 * error. A database file that does not exist is an error (exit 3) unless
 * the command creates one (init, import, demo): a typo in --db must not
 * answer with an empty database. */
rg_store *rg_cli_store(rg_cli *cli);
/* Whether the configured (or --db) database exists: a file that is there,
 * or one that is not a file (":memory:", postgres). */
bool rg_cli_db_exists(const rg_cli *cli);
rg_instant rg_cli_now(const rg_cli *cli);
/* The event service's environment for a command that records events
 * (opened once): the store, the zones, and the triggers of the configured
 * cadences, loaded by an engine without channels. When the cadences
 * directory does not exist no cadence listens (only the webhooks). Problems in
 * cadence files are left for `tick` and `cadence lint` to report; such a
 * cadence is not loaded, as in a tick. NULL after printing the error. */
const rg_event_env *rg_cli_events(rg_cli *cli);
/* The company's zone (`timezone` in the config) and the customers'. */
rg_zones *rg_cli_zones(rg_cli *cli);
const rg_tz *rg_cli_tz(rg_cli *cli);
/* Today where the company is (rg_tz_date of the clock in its zone). */
rg_date rg_cli_today(rg_cli *cli);
/* An option's value read as rg_tz_parse_moment reads it (a bare date,
 * 2027-01-13 or 13/01/2027, is that date where the company is). Prints a
 * usage error naming --opt and returns false when it is not one. */
bool rg_cli_moment(rg_cli *cli, const char *cmd, const char *opt, const char *value, rg_instant *out);
/* Same for a civil date (2027-01-13 or 13/01/2027). */
bool rg_cli_date(rg_cli *cli, const char *cmd, const char *opt, const char *value, rg_date *out);
/* An instant for people: local time where the company is, with its offset. */
const char *rg_cli_time(rg_cli *cli, rg_instant t, char *buf, size_t n);
/* Prints an error (one line, "regua: where: message") and returns the exit code. */
int rg_cli_fail(rg_cli *cli, const rg_err *e);
int rg_cli_usage_error(rg_cli *cli, const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- option parsing shared by the commands ---- */
typedef struct rg_opt {
    const char *name; /* "limit" for --limit */
    bool has_arg;
    const char *arg_name; /* "N" in the help */
    const char *help;
    /* filled by the parser */
    bool set;
    const char *value;
} rg_opt;

typedef struct rg_command {
    const char *name;    /* "import" */
    const char *usage;   /* "regua import customers|invoices|payments FILE.csv [--skip-invalid]" */
    const char *summary; /* one line for `regua --help` */
    const char *details; /* paragraphs for `regua CMD --help` */
    int (*run)(rg_cli *cli, int argc, char **argv);
} rg_command;

/* Parses argv[start..argc): options into opts (terminated by name NULL),
 * positionals into pos (at most max_pos; *npos receives the count).
 * --help prints help for cmd and returns 0 with *help_shown set. Returns
 * -1 (after printing a usage error) on a bad option. */
int rg_cli_parse(rg_cli *cli, const rg_command *cmd, int argc, char **argv, rg_opt *opts,
                 const char **pos, int max_pos, int *npos, bool *help_shown);
void rg_cli_print_help(rg_cli *cli, const rg_command *cmd, const rg_opt *opts);
rg_opt *rg_cli_opt(rg_opt *opts, const char *name);

/* JSON printing: takes ownership of j (a jansson json_t *). Returns 0, or
 * (after saying so on stderr) 1 when j is NULL — a result that could not
 * be built, e.g. a stored text that is not valid UTF-8 — or 3 when it
 * could not be written: callers return it as the command's exit code. */
int rg_cli_print_json(rg_cli *cli, void *j);
/* regua customer anonymize, export (cli_privacy.c) */
int rg_cli_customer_anonymize(rg_cli *cli, const char *external_id, bool yes, bool json);
/* regua customer export (cli_privacy.c) */
int rg_cli_customer_export(rg_cli *cli, const char *external_id);

/* The command groups (each in its own cli_*.c). */
extern const rg_command rg_cmd_init, rg_cmd_import, rg_cmd_customer, rg_cmd_invoice, rg_cmd_pay,
    rg_cmd_serve, rg_cmd_demo, rg_cmd_cnab;
extern const rg_command rg_cmd_cadence, rg_cmd_tick, rg_cmd_simulate, rg_cmd_messages;
extern const rg_command rg_cmd_boleto;
extern const rg_command rg_cmd_pix;
extern const rg_command rg_cmd_doc;
extern const rg_command rg_cmd_task, rg_cmd_bureau, rg_cmd_letters;
extern const rg_command rg_cmd_dispatch;
extern const rg_command rg_cmd_event;
extern const rg_command rg_cmd_apikey;
extern const rg_command rg_cmd_webhooks;
extern const rg_command rg_cmd_optout, rg_cmd_promise, rg_cmd_agreement, rg_cmd_report;
extern const rg_command rg_cmd_user;
extern const rg_command rg_cmd_portal;

/* Writes s to f as a table cell of `width` terminal columns (display width,
 * not bytes: base/width.h) and one space: padded when narrower; when wider,
 * whole, or cut to fit with "…" when `fit`. Every human-readable table
 * pads its text columns with this, so accents never shift a column. */
void rg_cli_cell(FILE *f, const char *s, size_t width, bool fit);

#endif
