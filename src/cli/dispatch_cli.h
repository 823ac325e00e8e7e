/* Shared by the commands that run the dispatcher (dispatch, tick, serve). */
#ifndef RG_DISPATCH_CLI_H
#define RG_DISPATCH_CLI_H

#include <stdio.h>

#include "channel/dispatcher.h"
#include "cli/cli.h"
#include "engine/engine.h"
#include "service/webhooks.h"

/* Opens a dispatcher over `store` with `eng` as its send-time re-check.
 * Returns 0 or an exit code (after printing the error). */
int rg_cli_dispatcher_open(rg_cli *cli, rg_store *store, rg_engine *eng, rg_dispatcher **out);
/* A jansson object with the counts (and how many stay queued). */
void *rg_dispatch_stats_json(const rg_dispatch_stats *s, int64_t queued_left);
/* One line: "dispatch: N claimed: ...". */
void rg_dispatch_stats_print(FILE *f, const rg_dispatch_stats *s, int64_t queued_left);

/* Sends the outgoing webhooks' deliveries due at `clock` (rounds of
 * rg_webhooks_deliver until one finds fewer than its limit), as `regua
 * dispatch` and `regua tick` do without `serve`; warns on cli->err for a
 * webhook whose secret_env is unset. Nothing when the config has no
 * webhooks. Returns 0 or an exit code (after printing the error). */
int rg_cli_webhooks_drain(rg_cli *cli, rg_store *store, const rg_clock *clock, rg_webhooks_stats *st);
/* {"claimed", "delivered", "retrying", "failed", "lost"} (jansson). */
void *rg_webhooks_stats_json(const rg_webhooks_stats *st);
/* One line: "webhooks: N delivered, ..." (nothing without webhooks). */
void rg_webhooks_stats_print(rg_cli *cli, const rg_webhooks_stats *st);

#endif
