/* Shared by the commands that run the engine (tick, simulate, cadence). */
#ifndef RG_ENGINE_CLI_H
#define RG_ENGINE_CLI_H

#include "cli/cli.h"
#include "engine/engine.h"

/* Opens the store and the engine; unless quiet, prints the cadence files'
 * problems and any failure to stderr. Returns 0 or an exit code. */
int rg_cli_engine_open(rg_cli *cli, bool dry_run, bool quiet, rg_engine **out);
void *rg_tick_stats_json(const rg_tick_stats *s);


#endif
