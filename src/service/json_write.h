/*
 * json_write — a streaming JSON writer: values go straight to the end of an
 * rg_buf, with no tree of json_t in between. The model writers that lists
 * call per row (json_model.h: rg_invoice_json_write) use it, so a page of
 * 100 invoices is one growing buffer instead of ~3,000 jansson objects
 * dumped at the end.
 *
 * The text is what jansson's json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER)
 * writes for the same values (tests/unit/test_json_write.c checks it
 * against jansson): no spaces; in strings `"` and `\` escaped, the control
 * characters below U+0020 as \b \f \n \r \t or \u00XX (upper-case hex),
 * every other character as itself (UTF-8, "/" and U+007F unescaped);
 * integers in decimal.
 *
 * A string that is not valid UTF-8 (overlong forms, surrogates, code points
 * above U+10FFFF, truncated sequences; jansson refuses the same ones) sets
 * the sticky `bad` flag: the document cannot be written. Out of memory is
 * the buffer's own sticky `oom`. Check both once at the end (rg_jw_ok).
 * The writer keeps no container stack: the caller opens and closes
 * objects and arrays in order, and writes a key before each member.
 */
#ifndef RG_JSON_WRITE_H
#define RG_JSON_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

typedef struct rg_jw {
    rg_buf *out; /* borrowed: the text is appended to it */
    bool comma;  /* the next value or key of the open container needs a ',' before it */
    bool bad;    /* a string was not valid UTF-8 */
} rg_jw;

void rg_jw_init(rg_jw *w, rg_buf *out);
/* True when everything written so far is in out (no bad text, no OOM). */
bool rg_jw_ok(const rg_jw *w);

void rg_jw_object(rg_jw *w);
void rg_jw_object_end(rg_jw *w);
void rg_jw_array(rg_jw *w);
void rg_jw_array_end(rg_jw *w);
/* An object member's key. `key` is written as is: a literal of the code,
 * ASCII with nothing to escape (never a text from outside). */
void rg_jw_key(rg_jw *w, const char *key);

void rg_jw_string(rg_jw *w, const char *s);
void rg_jw_stringn(rg_jw *w, const char *s, size_t n);
/* null for NULL or "", else the string: how the models write an absent text. */
void rg_jw_opt_string(rg_jw *w, const char *s);
void rg_jw_int(rg_jw *w, int64_t v);
void rg_jw_bool(rg_jw *w, bool v);
void rg_jw_null(rg_jw *w);

/* A jansson value (json_t *, borrowed), as json_dumps writes it: for the
 * models not yet written with rg_jw. */
void rg_jw_json(rg_jw *w, const void *json);

/* `key` then the value: the common member shapes of the models. */
void rg_jw_kstring(rg_jw *w, const char *key, const char *s);
void rg_jw_kopt_string(rg_jw *w, const char *key, const char *s);
void rg_jw_kint(rg_jw *w, const char *key, int64_t v);

#endif
