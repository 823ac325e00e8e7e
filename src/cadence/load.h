/*
 * load — cadence files and directories from disk: the I/O half of the
 * cadence module (parsing and lint stay pure in cadence.c and lint.c).
 *
 * A directory's cadences are every *.yaml, *.yml and *.json file in it (not
 * in subdirectories; names starting with '.' are skipped), read in name
 * order. A file whose diagnostics contain an error is reported and not
 * loaded; warnings do not stop a file. Across files, two cadences with the
 * same name are both refused (rule `duplicate-cadence`), and a trigger's
 * `switch_cadence` must name a loaded cadence (rule `unknown-cadence`).
 *
 * Ownership: an rg_cadence_set owns its cadences; release it with
 * rg_cadence_set_free() (NULL-safe). Pointers returned by _find/_choose are
 * borrowed and valid until the set is freed.
 */
#ifndef RG_CADENCE_LOAD_H
#define RG_CADENCE_LOAD_H

#include <stddef.h>

#include "base/err.h"
#include "cadence/cadence.h"
#include "cadence/diag.h"
#include "cadence/lint.h"

typedef struct rg_cadence_set {
    rg_cadence **items; /* sorted by file name */
    size_t n;
} rg_cadence_set;

/* ".json" files are strict JSON; anything else is YAML. */
rg_cadence_format rg_cadence_format_for_path(const char *path);

/* Reads, parses and lints one file. *out is NULL unless the file has no
 * error. Returns RG_OK, RG_EINVAL (errors in the file), RG_EIO (cannot
 * read it; also reported as rule `io`) or RG_ENOMEM. */
rg_status rg_cadence_load_file(const char *path, const rg_lint_env *env, rg_diags *d,
                               rg_cadence **out);

/* Loads the cadences of directory `dir` into a new set (*out, never NULL
 * on RG_OK, possibly empty). Files with errors are left out and their
 * diagnostics appended to `d`. Returns RG_OK even when some files were
 * refused (check rg_diags_count(d, ..., RG_SEV_ERROR)), RG_EIO when the
 * directory cannot be read, RG_ENOMEM. */
rg_status rg_cadence_set_load_dir(const char *dir, const rg_lint_env *env, rg_diags *d,
                                  rg_cadence_set **out);

/*
 * `regua cadence lint PATH...`: every path is a file or a directory (whose
 * cadence files are all linted). All the files are checked as one set:
 * duplicate names are errors; a `switch_cadence` to a cadence outside the
 * set is a warning (`unknown-cadence`), since only part of the set may have
 * been named. Returns RG_EINVAL when any error was reported (exit code 1
 * through rg_status_exit_code), RG_OK otherwise, RG_ENOMEM. *files (may be
 * NULL) gets the number of files linted, directories expanded.
 */
rg_status rg_cadence_lint_paths(const char *const *paths, size_t n, const rg_lint_env *env, rg_diags *d,
                                size_t *files);

/* The same lint for one text (the API's body), named `name` in the
 * diagnostics, in format fmt: as rg_cadence_lint_paths of a single file. */
rg_status rg_cadence_lint_text(const char *text, size_t len, const char *name, rg_cadence_format fmt,
                               const rg_lint_env *env, rg_diags *d);

const rg_cadence *rg_cadence_set_find(const rg_cadence_set *s, const char *name);
/* rg_cadence_choose over the set; NULL when nothing matches. */
const rg_cadence *rg_cadence_set_choose(const rg_cadence_set *s, const rg_match_subject *m);
void rg_cadence_set_free(rg_cadence_set *s);

#endif
