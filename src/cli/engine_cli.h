/* Shared by the commands that run the engine (tick, simulate, cadence). */
#ifndef RG_ENGINE_CLI_H
#define RG_ENGINE_CLI_H

#include "cli/cli.h"
#include "engine/engine.h"

typedef enum rg_cli_engine_mode {
    /* print the cadence files' and templates' problems; when one did not
     * load, fail (exit 1) naming it: a tick with a cadence missing would
     * let its invoices fall to another cadence, or to none */
    RG_CLI_ENGINE_STRICT,
    /* print the problems and go on with what loaded (*load_errors tells) */
    RG_CLI_ENGINE_WARN,
    /* print nothing but one warning line when something did not load */
    RG_CLI_ENGINE_QUIET
} rg_cli_engine_mode;

/* Opens the store and the engine. Returns 0 or an exit code (after
 * printing why). rg_cli_cadences_open opens a dry-run engine without a
 * store, for what only reads the cadences (cadence list, show); strict. */
int rg_cli_engine_open(rg_cli *cli, bool dry_run, rg_cli_engine_mode mode, rg_engine **out);
int rg_cli_cadences_open(rg_cli *cli, rg_engine **out);
void *rg_tick_stats_json(const rg_tick_stats *s);


#endif
