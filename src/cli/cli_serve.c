/* regua serve: the HTTP server (and, as they arrive, the scheduler and dispatcher). */
#include <signal.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/serve.h"
#include "http/server.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_serve = {
    "serve",
    "regua serve [--listen HOST:PORT]",
    "Run the HTTP server until interrupted",
    "Serves GET /healthz (JSON with the version and the store's status), the provider\n"
    "webhooks (/hooks/whatsapp, /hooks/sms/CHANNEL), open and click tracking (/t/o, /t/c) and\n"
    "one-click unsubscribe (/u) — see docs/api.md. Stops cleanly on SIGINT or SIGTERM. The\n"
    "address comes from --listen, else `listen` in the config (default 127.0.0.1:8080).",
    run,
};

int rg_cli_serve_until_signal(rg_cli *cli, const char *listen, const char *banner)
{
    rg_store *s = rg_cli_store(cli);
    if (!s)
        return 3;
    /* Block the stop signals before the server's threads exist, so only
     * sigwait() below receives them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    rg_http_options o;
    memset(&o, 0, sizeof o);
    o.listen = listen ? listen : cli->config.listen;
    o.store = s;
    o.config = &cli->config;
    o.clock = cli->clock;
    rg_http_server *srv = NULL;
    rg_err e;
    rg_err_clear(&e);
    if (rg_http_start(&o, &srv, &e) != RG_OK)
        return rg_cli_fail(cli, &e);
    fprintf(cli->out, "%sregua is listening on http://%s (port %u) — try /healthz; Ctrl-C stops it\n",
            banner ? banner : "", o.listen, rg_http_port(srv));
    fflush(cli->out);
    int sig = 0;
    sigwait(&set, &sig);
    fprintf(cli->out, "regua: stopping (signal %d)\n", sig);
    rg_http_stop(srv);
    return 0;
}

static int run(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"listen", true, "HOST:PORT", "address to listen on (default from the config)", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[1];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &rg_cmd_serve, argc - 1, argv + 1, opts, pos, 0, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    return rg_cli_serve_until_signal(cli, rg_cli_opt(opts, "listen")->value, NULL);
}
