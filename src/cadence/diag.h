/*
 * diag — diagnostics as data: what `regua cadence lint` prints and what the
 * cadence loader returns.
 *
 * A diagnostic is {severity, file, line, column, rule id, message}. The rule
 * id is a short stable name (`unknown-key`, `fine-above-cdc`, ...) that users
 * and tests can match on; the message says what was found and what was
 * expected. An rg_diags list owns its items and their strings: release it
 * with rg_diags_free(). Appending never fails loudly: an allocation failure
 * sets the sticky `oom` flag (check it once at the end, as with rg_buf).
 * Line numbers are 1-based; 0 means "the whole file"; column 0 means unknown.
 * A message is always one line: newlines and tabs become spaces, other
 * control characters '?', so text quoted from a file cannot break the
 * output or reach a terminal as an escape sequence.
 */
#ifndef RG_DIAG_H
#define RG_DIAG_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

typedef enum rg_severity {
    RG_SEV_ERROR = 0, /* the cadence is not loaded; `lint` exits 1 */
    RG_SEV_WARNING,   /* loaded; the law depends on channel, state or contract */
    RG_SEV_INFO       /* loaded; a documented choice was made for the user */
} rg_severity;

typedef struct rg_diag {
    rg_severity severity;
    char *file;       /* owned; as the caller named it */
    int line;         /* 1-based; 0 = whole file */
    int column;       /* 1-based; 0 = unknown */
    const char *rule; /* static string, e.g. "unknown-key" */
    char *message;    /* owned */
} rg_diag;

typedef struct rg_diags {
    rg_diag *items;
    size_t n;
    size_t cap;
    bool oom;
} rg_diags;

#define RG_DIAGS_INIT {NULL, 0, 0, false}

/* Appends one diagnostic; `rule` must be a string with static lifetime. */
void rg_diags_add(rg_diags *d, rg_severity sev, const char *file, int line, int column,
                  const char *rule, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Number of diagnostics of severity `sev` among items [from, n). */
size_t rg_diags_count(const rg_diags *d, size_t from, rg_severity sev);

/* Stable-sorts items [from, n) by file — in the order files first appear
 * there, so a cadence comes before the templates it names — then line and
 * column, keeping the order of diagnostics on the same position. */
void rg_diags_sort(rg_diags *d, size_t from);

/* Drops items [from, n) equal in every field to an earlier one of that
 * range (a template used by several cadences is reported once). */
void rg_diags_dedupe(rg_diags *d, size_t from);

/* Drops items [from, n). */
void rg_diags_truncate(rg_diags *d, size_t from);

void rg_diags_free(rg_diags *d);

const char *rg_severity_name(rg_severity s); /* "error", "warning", "info" */

/* Appends "FILE:LINE: error[rule]: message\n" ("FILE:LINE:COLUMN: ..."
 * when the column is known, "FILE: ..." when line is 0). */
void rg_diag_format(const rg_diag *g, rg_buf *out);
/* Every item, one per line, in order. */
void rg_diags_format(const rg_diags *d, rg_buf *out);

#endif
