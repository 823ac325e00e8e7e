/* regua apikey create|list|revoke: the REST API's keys. */
#include <jansson.h>
#include <sodium.h>
#include <string.h>

#include "cli/cli.h"
#include "service/apikeys.h"
#include "service/json_model.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_apikey = {
    "apikey",
    "regua apikey create --role admin|operator|viewer [--name NAME] [--json]\n"
    "       regua apikey list [--json]\n"
    "       regua apikey revoke ID [--json]",
    "Make, list and revoke the REST API's keys (Authorization: Bearer KEY)",
    "create makes a key and prints it alone on stdout, once (--json: the key's document of\n"
    "list --json with the key as \"key\"): only its SHA-256 is stored, so it cannot be shown again. The role says what the key may do: viewer reads; operator\n"
    "also writes events, payments, tasks, promises and opt-outs; admin everything (imports,\n"
    "cadences, keys). list shows every key: id, role, prefix (the key's first characters),\n"
    "name, when it was made, last used and revoked. revoke ID refuses the key from then on\n"
    "(401; a running serve, which checks a key at most once a second, from the next second) and prints the key (--json: its document); a key already revoked or an unknown ID is exit 1. NAME is UTF-8 text, at most\n"
    "127 bytes. See docs/api.md.",
    run,
};

typedef struct list_ctx {
    rg_cli *cli;
    json_t *array;
    rg_err *e;
} list_ctx;

static rg_status print_key(void *p, const rg_apikey_row *k)
{
    list_ctx *lc = p;
    if (lc->array) {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)k->id);
        return rg_json_append(lc->array, rg_apikey_json(k), "API key", id, lc->e);
    }
    FILE *f = lc->cli->out;
    char made[40], used[40], revoked[40];
    fprintf(f, "%4lld  %-8s %-12s ", (long long)k->id, k->role, k->prefix);
    rg_cli_cell(f, k->name[0] ? k->name : "-", 20, true);
    fprintf(f, "made %s  used %s  %s%s\n", rg_cli_time(lc->cli, k->created_at, made, sizeof made),
            k->last_used_at == RG_INSTANT_NONE ? "never" : rg_cli_time(lc->cli, k->last_used_at, used, sizeof used),
            k->revoked_at == RG_INSTANT_NONE ? "active" : "revoked ",
            k->revoked_at == RG_INSTANT_NONE ? "" : rg_cli_time(lc->cli, k->revoked_at, revoked, sizeof revoked));
    return RG_OK;
}

static int run(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"role", true, "ROLE", "create: admin, operator or viewer", false, NULL},
        {"name", true, "NAME", "create: a name to tell the key apart (e.g. erp)", false, NULL},
        {"json", false, NULL, "print JSON", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[3];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &rg_cmd_apikey, argc - 1, argv + 1, opts, pos, 3, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    if (npos < 1)
        return rg_cli_usage_error(cli, "apikey", "say 'create', 'list' or 'revoke ID'");
    const char *sub = pos[0];
    const char *role_text = rg_cli_opt(opts, "role")->value;
    const char *name = rg_cli_opt(opts, "name")->value;
    bool json = rg_cli_opt(opts, "json")->set;
    rg_err e;
    rg_err_clear(&e);
    if (!strcmp(sub, "create")) {
        if (npos != 1)
            return rg_cli_usage_error(cli, "apikey", "create takes no arguments (--role, --name)");
        if (!role_text)
            return rg_cli_usage_error(cli, "apikey", "create needs --role admin|operator|viewer");
        rg_api_role role = rg_api_role_parse(role_text);
        if (role == RG_ROLE_NONE)
            return rg_cli_usage_error(cli, "apikey", "--role: '%s' is not admin, operator or viewer", role_text);
        rg_store *s = rg_cli_store(cli);
        if (!s)
            return 3;
        rg_apikey_row k;
        char key[RG_APIKEY_TEXT_MAX];
        if (rg_apikey_create(s, role, name, rg_cli_now(cli), &k, key, &e) != RG_OK) {
            if (e.code == RG_EINVAL && !strcmp(e.where, "name"))
                rg_strlcpy(e.where, "--name", sizeof e.where);
            return rg_cli_fail(cli, &e);
        }
        if (json) {
            json_t *o = rg_apikey_json(&k);
            if (o)
                json_object_set_new(o, "key", json_string(key));
            sodium_memzero(key, sizeof key);
            return rg_cli_print_json(cli, o);
        }
        fprintf(cli->out, "%s\n", key);
        fflush(cli->out);
        sodium_memzero(key, sizeof key);
        fprintf(cli->err, "regua: made API key %lld (%s, %s): keep it now, it is not shown again\n",
                (long long)k.id, k.role, k.prefix);
        return 0;
    }
    if (role_text || name)
        return rg_cli_usage_error(cli, "apikey", "--role and --name are for create");
    if (!strcmp(sub, "list")) {
        if (npos != 1)
            return rg_cli_usage_error(cli, "apikey", "list takes no arguments");
        rg_store *s = rg_cli_store(cli);
        if (!s)
            return 3;
        list_ctx lc = {cli, json ? json_array() : NULL, &e};
        if (rg_apikey_list(s, 0, 0, print_key, &lc, &e) != RG_OK) {
            json_decref(lc.array);
            return rg_cli_fail(cli, &e);
        }
        return json ? rg_cli_print_json(cli, lc.array) : 0;
    }
    if (!strcmp(sub, "revoke")) {
        int64_t id;
        if (npos != 2 || !rg_parse_i64(rg_slice_cstr(pos[1]), 1, INT64_MAX, &id))
            return rg_cli_usage_error(cli, "apikey", "revoke needs the key's ID (a number, from apikey list)");
        rg_store *s = rg_cli_store(cli);
        if (!s)
            return 3;
        rg_apikey_row k;
        if (rg_apikey_revoke(s, id, rg_cli_now(cli), &k, &e) != RG_OK)
            return rg_cli_fail(cli, &e);
        if (json)
            return rg_cli_print_json(cli, rg_apikey_json(&k));
        fprintf(cli->out, "revoked API key %lld (%s, %s)\n", (long long)k.id, k.role, k.prefix);
        return 0;
    }
    return rg_cli_usage_error(cli, "apikey", "unknown subcommand '%s' (create, list, revoke)", sub);
}
