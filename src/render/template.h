/*
 * template — a mustache subset compiled once, rendered many times.
 *
 * Tags: {{name}} (HTML-escaped in an HTML template), {{{name}}} and
 * {{& name}} (never escaped), {{#name}}...{{/name}} (over the invoices list:
 * once per invoice, with invoice.* naming the current one; over any other
 * variable: once when it has a value that is not empty, zero or R$ 0,00),
 * {{^name}}...{{/name}} (when {{#name}} would not render), {{! comment}}.
 * Whitespace is allowed inside tags. A section, inverted-section, close or
 * comment tag alone on its line takes the whole line with it (mustache's
 * "standalone" rule), so templates can put them on lines of their own.
 * Not supported, and compile errors: partials, set-delimiter, the implicit
 * iterator ".", {{#invoices}} inside {{#invoices}}, nesting deeper than 32.
 *
 * Every name is checked at compile time against the variable table
 * (render/vars.def): an unknown name is a compile error with its line and
 * column. A variable with no value at render time is a render error naming
 * it, never an empty hole in the message; {{#name}}...{{/name}} is how a
 * template makes a variable optional.
 *
 * Memory: rg_template_compile copies the source; the rg_template owns it
 * and everything it returns by pointer (refs, source), which stay valid
 * until rg_template_free(). Rendering reads the template and the variables
 * and appends to the caller's rg_buf; a template may be rendered from
 * several threads at once.
 */
#ifndef RG_RENDER_TEMPLATE_H
#define RG_RENDER_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "render/vars.h"

/* Lint rule ids (stable; they appear in lint output). */
#define RG_RULE_TEMPLATE_SYNTAX "template-syntax"
#define RG_RULE_TEMPLATE_UNKNOWN_VARIABLE "template-unknown-variable"

#define RG_TEMPLATE_MAX_DEPTH 32

typedef enum rg_template_kind {
    RG_TEMPLATE_TEXT = 0, /* plain text: nothing is escaped */
    RG_TEMPLATE_HTML      /* {{name}} escapes & < > " ' */
} rg_template_kind;

/* Where a compile error is, for lint output. */
typedef struct rg_template_errpos {
    int line;
    int col;          /* in characters (UTF-8 code points), from 1 */
    const char *rule; /* RG_RULE_TEMPLATE_SYNTAX or RG_RULE_TEMPLATE_UNKNOWN_VARIABLE */
} rg_template_errpos;

typedef struct rg_template_opts {
    rg_template_kind kind;
    const char *name; /* prefix of positions, "atraso.email" (NULL: "template") */
    int line;         /* line number of src[0] in its file (0 means 1) */
    int col;          /* column of src[0] on that line (0 means 1) */
    /* Called for every compile error, in source order (the compiler goes
     * on after an error, at the next tag, up to 50 errors; a last call with
     * line 0 says it stopped). NULL: only the first error, through e and
     * errpos. */
    void (*on_error)(void *ctx, const rg_template_errpos *pos, const char *msg);
    void *error_ctx;
} rg_template_opts;

typedef enum rg_template_ref_kind {
    RG_REF_OUTPUT,  /* {{name}}, {{{name}}}, {{& name}} */
    RG_REF_SECTION, /* {{#name}} */
    RG_REF_INVERTED /* {{^name}} */
} rg_template_ref_kind;

/* One use of a variable, in source order. */
typedef struct rg_template_ref {
    rg_var_id var;
    rg_template_ref_kind kind;
    int line;
    int col;
    /* Inside {{#var}} on this very variable (for invoice.*, with no
     * {{#invoices}} in between): it cannot be missing when rendered. */
    bool guarded;
    /* Inside any section other than {{#invoices}}, or inside an inverted
     * one: it may not be rendered at all. */
    bool conditional;
} rg_template_ref;

typedef struct rg_template rg_template;

/* Compiles src[0..len). On failure *out is NULL, e says where and what
 * ("atraso.email:3:7", "unknown variable 'invoice.valor' ...") for the
 * first error and errpos (optional) gets its position and rule; every
 * error goes to opts->on_error. */
rg_status rg_template_compile(const char *src, size_t len, const rg_template_opts *opts, rg_template **out,
                              rg_template_errpos *errpos, rg_err *e);

void rg_template_free(rg_template *t); /* NULL-safe */

/* Appends the rendering to out. On failure (a variable with no value, or
 * out of memory) out is left as it was and e names the variable and its
 * position. */
rg_status rg_template_render(const rg_template *t, const rg_render_vars *v, rg_buf *out, rg_err *e);

rg_template_kind rg_template_kind_of(const rg_template *t);
const rg_template_ref *rg_template_refs(const rg_template *t, size_t *n);
/* The source as given to compile (NUL-terminated). */
const char *rg_template_source(const rg_template *t, size_t *len);
/* Characters (code points) of literal text, tags and variables excluded. */
size_t rg_template_static_chars(const rg_template *t);
/* Whether some {{var}} output of `id` is there; with unconditional, only
 * one that renders whenever the template does (not `conditional`). */
bool rg_template_outputs(const rg_template *t, rg_var_id id, bool unconditional);

/* Whether literal text of the template contains needle (ASCII case
 * ignored, within one stretch of text between tags); with unconditional,
 * only text that renders whenever the template does. */
bool rg_template_text_contains(const rg_template *t, const char *needle, bool unconditional);
/* Number of compiled pieces; 0 for a template that is empty or only comments. */
size_t rg_template_node_count(const rg_template *t);

#endif
