/* regua user create|list|disable: the web dashboard's users. */
#include <jansson.h>
#include <sodium.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "service/json_model.h"
#include "service/users.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_user = {
    "user",
    "regua user create EMAIL --role admin|operator|viewer [--json]\n"
    "       regua user list [--json]\n"
    "       regua user disable EMAIL [--json]",
    "Make, list and disable the web dashboard's users (regua serve, /login)",
    "create makes a user who logs in to the dashboard with EMAIL (kept lowercase) and a\n"
    "password of at least 10 bytes: read from standard input (its first line) when that is\n"
    "not a terminal, else asked twice without echo. Only its Argon2id hash is stored. The\n"
    "role is the API's: viewer reads; operator also claims and closes tasks, registers\n"
    "promises; admin everything. list shows every user: id, role, email, when made, last\n"
    "login, disabled. disable EMAIL refuses the user's logins from then on and ends its\n"
    "sessions; an unknown or already disabled EMAIL is exit 1. See docs/dashboard.md.",
    run,
};

/* Reads a line (without its end) into buf; false at end of input. */
static bool read_line(FILE *f, char *buf, size_t n)
{
    if (!fgets(buf, (int)n, f))
        return false;
    size_t len = strlen(buf);
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
        buf[--len] = '\0';
    return true;
}

static bool prompt(rg_cli *cli, const char *question, char *buf, size_t n)
{
    struct termios old, quiet;
    bool tty = tcgetattr(STDIN_FILENO, &old) == 0;
    fputs(question, cli->err);
    fflush(cli->err);
    if (tty) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    bool ok = read_line(stdin, buf, n);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', cli->err);
    }
    return ok;
}

static int read_password(rg_cli *cli, char *pw, size_t n)
{
    if (!isatty(STDIN_FILENO)) {
        if (!read_line(stdin, pw, n)) {
            fprintf(cli->err, "regua: user create: no password on standard input\n");
            return 1;
        }
        return 0;
    }
    char again[RG_PASSWORD_MAX + 2];
    if (!prompt(cli, "Password: ", pw, n) || !prompt(cli, "Password again: ", again, sizeof again)) {
        fprintf(cli->err, "regua: user create: no password given\n");
        return 1;
    }
    bool same = strcmp(pw, again) == 0;
    sodium_memzero(again, sizeof again);
    if (!same) {
        fprintf(cli->err, "regua: user create: the two passwords do not match\n");
        return 1;
    }
    return 0;
}

typedef struct list_ctx {
    rg_cli *cli;
    json_t *array;
    rg_err *e;
} list_ctx;

static rg_status print_user(void *p, const rg_user_row *u)
{
    list_ctx *lc = p;
    if (lc->array) {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)u->id);
        return rg_json_append(lc->array, rg_user_json(u), "user", id, lc->e);
    }
    FILE *f = lc->cli->out;
    char made[40], login[40], off[40];
    fprintf(f, "%4lld  %-8s ", (long long)u->id, u->role);
    rg_cli_cell(f, u->email, 32, true);
    fprintf(f, "made %s  login %s  %s%s\n", rg_cli_time(lc->cli, u->created_at, made, sizeof made),
            u->last_login_at == RG_INSTANT_NONE ? "never" : rg_cli_time(lc->cli, u->last_login_at, login, sizeof login),
            u->disabled_at == RG_INSTANT_NONE ? "active" : "disabled ",
            u->disabled_at == RG_INSTANT_NONE ? "" : rg_cli_time(lc->cli, u->disabled_at, off, sizeof off));
    return RG_OK;
}

static int run(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"role", true, "ROLE", "create: admin, operator or viewer", false, NULL},
        {"json", false, NULL, "print JSON", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[3];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &rg_cmd_user, argc - 1, argv + 1, opts, pos, 3, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    if (npos < 1)
        return rg_cli_usage_error(cli, "user", "say 'create EMAIL', 'list' or 'disable EMAIL'");
    const char *sub = pos[0];
    const char *role_text = rg_cli_opt(opts, "role")->value;
    bool json = rg_cli_opt(opts, "json")->set;
    rg_err e;
    rg_err_clear(&e);
    if (!strcmp(sub, "create")) {
        if (npos != 2)
            return rg_cli_usage_error(cli, "user", "create needs the user's EMAIL (and --role)");
        if (!role_text)
            return rg_cli_usage_error(cli, "user", "create needs --role admin|operator|viewer");
        rg_api_role role = rg_api_role_parse(role_text);
        if (role == RG_ROLE_NONE)
            return rg_cli_usage_error(cli, "user", "--role: '%s' is not admin, operator or viewer", role_text);
        char norm[RG_EMAIL_MAX + 1];
        if (rg_user_email_norm(pos[1], "EMAIL", norm, &e) != RG_OK)
            return rg_cli_fail(cli, &e);
        rg_store *s = rg_cli_store(cli);
        if (!s)
            return 3;
        char pw[RG_PASSWORD_MAX + 2];
        int rc = read_password(cli, pw, sizeof pw);
        if (rc)
            return rc;
        rg_user_row u;
        rg_status st = rg_user_create(s, norm, role, pw, rg_cli_now(cli), &u, &e);
        sodium_memzero(pw, sizeof pw);
        if (st != RG_OK)
            return rg_cli_fail(cli, &e);
        if (json)
            return rg_cli_print_json(cli, rg_user_json(&u));
        fprintf(cli->out, "made user %lld: %s (%s)\n", (long long)u.id, u.email, u.role);
        return 0;
    }
    if (role_text)
        return rg_cli_usage_error(cli, "user", "--role is for create");
    if (!strcmp(sub, "list")) {
        if (npos != 1)
            return rg_cli_usage_error(cli, "user", "list takes no arguments");
        rg_store *s = rg_cli_store(cli);
        if (!s)
            return 3;
        list_ctx lc = {cli, json ? json_array() : NULL, &e};
        if (rg_user_list(s, print_user, &lc, &e) != RG_OK) {
            json_decref(lc.array);
            return rg_cli_fail(cli, &e);
        }
        return json ? rg_cli_print_json(cli, lc.array) : 0;
    }
    if (!strcmp(sub, "disable")) {
        if (npos != 2)
            return rg_cli_usage_error(cli, "user", "disable needs the user's EMAIL");
        rg_store *s = rg_cli_store(cli);
        if (!s)
            return 3;
        rg_user_row u;
        if (rg_user_disable(s, pos[1], rg_cli_now(cli), &u, &e) != RG_OK)
            return rg_cli_fail(cli, &e);
        if (json)
            return rg_cli_print_json(cli, rg_user_json(&u));
        fprintf(cli->out, "disabled user %lld: %s\n", (long long)u.id, u.email);
        return 0;
    }
    return rg_cli_usage_error(cli, "user", "unknown subcommand '%s' (create, list, disable)", sub);
}
