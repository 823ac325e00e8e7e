/*
 * cadences — the installed cadences as `regua cadence list|show|lint` and
 * the API's /v1/cadences routes show them: one set of JSON writers and one
 * lint, so the CLI's --json and the API say the same thing.
 */
#ifndef RG_SERVICE_CADENCES_H
#define RG_SERVICE_CADENCES_H

#include <stdbool.h>
#include <stddef.h>

#include "cadence/load.h"
#include "config/config.h"
#include "engine/engine.h"
#include "store/store.h"

/* The installed cadences: a dry-run engine on config's directories (no
 * store). RG_EINVAL naming the first file when any cadence file or
 * template does not load (the CLI's list/show refuse then too). */
rg_status rg_cadences_open(const rg_config *config, rg_engine **out, rg_err *e);

/* `regua cadence list --json` / GET /v1/cadences (json_t *): [{"cadence",
 * "version", "file", "priority", "consolidate", "steps", "triggers"}]. */
void *rg_cadence_list_json(const rg_cadence_set *set);
/* `regua cadence show --json` / GET /v1/cadences/{name} (json_t * in *out):
 * the cadence in full and `versions_run`, the versions the tick has run
 * (read from s; s NULL: none). */
rg_status rg_cadence_show_json(rg_store *s, const rg_cadence *c, void **out, rg_err *e);

/* What lint reads: files and directories, or one text (the API's body,
 * named `name` in the diagnostics). */
typedef struct rg_cadence_lint_input {
    const char *const *paths;
    size_t n_paths;
    const char *text; /* non-NULL: lint this instead of paths */
    size_t len;
    const char *name;
    rg_cadence_format format;
} rg_cadence_lint_input;

/* Lints against the installation (its channels, the templates of its
 * templates directory with their warnings, its webhooks); never installs
 * anything. Returns as rg_cadence_lint_paths (RG_OK, RG_EINVAL when any
 * error was found, RG_ENOMEM); *files gets how many files were linted.
 * When the templates directory cannot be read, *templates_err says why
 * (code set) and every template counts as missing. */
rg_status rg_cadences_lint(const rg_config *config, const rg_cadence_lint_input *in, rg_diags *d, size_t *files,
                           rg_err *templates_err);
/* `regua cadence lint --json` / POST /v1/cadences/lint (json_t *):
 * {"files", "errors", "warnings", "infos", "diagnostics": [{"file",
 * "line", "column", "severity", "rule", "message"}]}. */
void *rg_cadence_lint_json(const rg_diags *d, size_t files);

#endif
