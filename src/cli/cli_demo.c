/* regua demo: build the configured database with a fictitious portfolio and serve it. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/engine_cli.h"
#include "cli/serve.h"
#include "service/demo.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_demo = {
    "demo",
    "regua demo [--customers N] [--listen HOST:PORT] [--no-serve]",
    "Create the database with a fictitious portfolio, its 120 days of history and a dashboard login; serve it",
    "Builds the database anew (--db, else `database` in the config — the repository's\n"
    "regua.yaml says demo.db — else regua.db) with a deterministic, fictitious portfolio\n"
    "(customers with valid CPFs and CNPJs, monthly bills with boletos and PIX codes) and its\n"
    "last 120 days of history, made by running the real engine day by day on a fixed clock:\n"
    "each day's bills, the tick at 10:00 (messages go to the channels configured, the log\n"
    "files of the demo's regua.yaml), the customers' answers — e-mail opens and clicks,\n"
    "delivery and read reports, portal visits, promises kept and broken, disputes,\n"
    "installment agreements (portal.agreements' terms) completed and broken — and\n"
    "payments (most on time, more after a reminder, some late, a tail never). Then it ticks\n"
    "once at the clock's time and runs the server like 'regua serve'. The same --customers\n"
    "and date (--now) give the same database.\n"
    "It also makes the dashboard's user demo@regua.local (role admin) with a new random\n"
    "password and prints the dashboard's URL and that login once (only the password's hash\n"
    "is stored; 'regua user create' makes more users).\n"
    "An existing database is replaced only if it is a regua demo database (or empty).",
    run,
};

static rg_status demo_tick(void *ctx, rg_instant now, rg_err *e)
{
    rg_tick_stats ts;
    return rg_engine_tick(ctx, now, &ts, e);
}

static bool remove_db(const char *path, rg_err *e)
{
    const char *suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        char p[600];
        snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
        if (unlink(p) != 0 && errno != ENOENT) {
            rg_err_set(e, RG_EIO, p, "cannot remove: %s", strerror(errno));
            return false;
        }
    }
    return true;
}

static int run(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"customers", true, "N", "how many customers (default 300)", false, NULL},
        {"listen", true, "HOST:PORT", "address to listen on (default from the config)", false, NULL},
        {"no-serve", false, NULL, "build the database and exit", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[1];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &rg_cmd_demo, argc - 1, argv + 1, opts, pos, 0, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    int64_t n = 300;
    const char *v = rg_cli_opt(opts, "customers")->value;
    if (v && !rg_parse_i64(rg_slice_cstr(v), 1, 1000000, &n))
        return rg_cli_usage_error(cli, "demo", "--customers takes a whole number from 1 to 1000000");
    /* the same file every other command of this configuration uses */
    if (!cli->db_path)
        cli->db_path = cli->config.database;
    rg_err e;
    rg_err_clear(&e);
    if (access(cli->db_path, F_OK) == 0) {
        /* refuse to wipe a database that is not a demo one */
        rg_store *probe = rg_cli_store(cli);
        if (!probe)
            return 3;
        rg_customer c;
        rg_store_info info;
        if (rg_store_info_get(probe, &info, &e) != RG_OK)
            return rg_cli_fail(cli, &e);
        bool is_demo = info.customers == 0 || rg_store_customer_get(probe, "CLI-00001", &c, &e) == RG_OK;
        rg_store_close(probe);
        cli->store = NULL;
        if (!is_demo) {
            rg_err_set(&e, RG_ECONFLICT, cli->db_path, "exists and is not a regua demo database; not replacing it");
            return rg_cli_fail(cli, &e);
        }
        if (!remove_db(cli->db_path, &e))
            return rg_cli_fail(cli, &e);
    }
    const rg_event_env *env = rg_cli_events(cli);
    if (!env)
        return 3;
    rg_engine *eng = NULL;
    /* without loadable cadences (it said why) the history has no messages */
    if (rg_cli_engine_open(cli, false, RG_CLI_ENGINE_STRICT, &eng) != 0)
        eng = NULL;
    rg_demo_stats st;
    rg_demo_params dp = {.env = env, .config = &cli->config, .now = rg_cli_now(cli), .customers = (int)n, .days = 120,
                         .tick = eng ? demo_tick : NULL, .tick_ctx = eng};
    if (rg_demo_build(&dp, &st, &e) != RG_OK) {
        rg_engine_close(eng);
        return rg_cli_fail(cli, &e);
    }
    /* the dashboard's login, its password shown only here */
    char password[RG_DEMO_PASSWORD_SIZE];
    if (rg_demo_user(rg_cli_store(cli), rg_cli_now(cli), password, &e) != RG_OK) {
        rg_engine_close(eng);
        return rg_cli_fail(cli, &e);
    }
    const char *listen = rg_cli_opt(opts, "listen")->value;
    if (!listen)
        listen = cli->config.listen;
    char login[512];
    snprintf(login, sizeof login,
             "dashboard: http://%s/ — log in as %s with the password %s (shown only now; it changes with every"
             " 'regua demo')\n",
             listen, RG_DEMO_EMAIL, password);
    sodium_memzero(password, sizeof password);
    char banner[1536];
    int used = snprintf(banner, sizeof banner,
                        "%s: %d customers, %d invoices, %d payments over %d days of history: %d messages sent,"
                        " %d e-mails opened, %d links clicked, %d portal visits, %d promises, %d disputes, %d agreements"
                        " (fictitious data)\n",
                        cli->db_path, st.customers, st.invoices, st.payments, st.days, st.messages, st.opens,
                        st.clicks, st.portal_visits, st.promises, st.disputes, st.agreements);
    /* one tick now, so the demo opens with the cadences at work today */
    if (eng) {
        rg_tick_stats ts;
        if (rg_engine_tick(eng, rg_cli_now(cli), &ts, &e) == RG_OK && ts.fired + ts.superseded > 0)
            snprintf(banner + used, sizeof banner - (size_t)used,
                     "first tick: %lld steps fired, %lld messages (%lld sent, %lld suppressed), %lld tasks,"
                     " %lld reissues — see 'regua --db %s messages list'\n",
                     (long long)ts.fired, (long long)ts.messages, (long long)ts.sent, (long long)ts.suppressed,
                     (long long)ts.tasks, (long long)ts.reissues, cli->db_path);
        else if (e.code == RG_OK)
            snprintf(banner + used, sizeof banner - (size_t)used,
                     "first tick: nothing goes out right now (outside the contact windows, e.g. 08:00-20:00"
                     " in Sao Paulo); the scheduler ticks every minute. To see what the next days will send:"
                     " regua --db %s simulate --days 7\n",
                     cli->db_path);
        else
            rg_cli_fail(cli, &e);
        rg_engine_close(eng);
    }
    used = (int)strlen(banner);
    snprintf(banner + used, sizeof banner - (size_t)used, "%s", login);
    sodium_memzero(login, sizeof login);
    if (rg_cli_opt(opts, "no-serve")->set) {
        fputs(banner, cli->out);
        sodium_memzero(banner, sizeof banner);
        return 0;
    }
    int code = rg_cli_serve_until_signal(cli, rg_cli_opt(opts, "listen")->value, banner);
    sodium_memzero(banner, sizeof banner);
    return code;
}
