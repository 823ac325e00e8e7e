/* Shared by the commands that run the dispatcher (dispatch, tick, serve). */
#ifndef RG_DISPATCH_CLI_H
#define RG_DISPATCH_CLI_H

#include <stdio.h>

#include "channel/dispatcher.h"
#include "cli/cli.h"
#include "engine/engine.h"

/* Opens a dispatcher over `store` with `eng` as its send-time re-check.
 * Returns 0 or an exit code (after printing the error). */
int rg_cli_dispatcher_open(rg_cli *cli, rg_store *store, rg_engine *eng, rg_dispatcher **out);
/* A jansson object with the counts (and how many stay queued). */
void *rg_dispatch_stats_json(const rg_dispatch_stats *s, int64_t queued_left);
/* One line: "dispatch: N claimed: ...". */
void rg_dispatch_stats_print(FILE *f, const rg_dispatch_stats *s, int64_t queued_left);

#endif
