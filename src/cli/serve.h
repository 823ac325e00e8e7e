/* Shared by `regua serve` and `regua demo`: run the server until SIGINT/SIGTERM. */
#ifndef RG_CLI_SERVE_H
#define RG_CLI_SERVE_H

#include "cli/cli.h"

int rg_cli_serve_until_signal(rg_cli *cli, const char *listen, const char *banner);

#endif
