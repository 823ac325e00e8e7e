/*
 * yaml — a thin layer over libfyaml for regua's human-edited files:
 * loading with syntax errors captured as "file:line:col: message",
 * 1-based node lines, and checked access to scalars and mappings.
 *
 * rg_yaml_load() returns an owned document (rg_yaml_free()); nodes are
 * borrowed from it and valid until it is freed.
 */
#ifndef RG_YAML_H
#define RG_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

struct fy_document;
struct fy_node;

typedef struct rg_yaml {
    struct fy_document *doc;
    const char *file; /* borrowed name used in messages */
} rg_yaml;

/* Parses text (YAML or JSON). On a syntax error returns RG_EINVAL with
 * e->where = "file:line" and the parser's message. */
rg_status rg_yaml_load(rg_yaml *y, const char *file, const char *text, size_t len, rg_err *e);
void rg_yaml_free(rg_yaml *y);
/* For a document built outside rg_yaml_load() from text[0..len): decodes
 * its quoted scalars (see yaml_quoted.h) so that rg_yaml_scalar() never
 * asks libfyaml for them. Walks without recursion. False when out of memory. */
bool rg_yaml_decode_quoted(struct fy_document *doc, const char *text, size_t len);
struct fy_node *rg_yaml_root(const rg_yaml *y);
/* Line (1-based) of the first byte that is not valid UTF-8 (NUL, overlong
 * forms and surrogates included), or 0 when the text is clean. */
int rg_yaml_bad_utf8_line(const char *text, size_t len);

int rg_yaml_line(struct fy_node *n); /* 1-based, 0 when unknown */
bool rg_yaml_is_map(struct fy_node *n);
bool rg_yaml_is_seq(struct fy_node *n);
bool rg_yaml_is_scalar(struct fy_node *n);
/* The scalar's text or NULL when n is not a scalar. Quoted scalars are
 * NUL-terminated (they may hold a NUL); plain ones are not. */
const char *rg_yaml_scalar(struct fy_node *n, size_t *len);

/* Fills e with where = "file:line" of node n. */
rg_status rg_yaml_error(const rg_yaml *y, struct fy_node *n, rg_err *e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Copies a scalar into dst (size bytes) or fails naming `key` and the limit. */
rg_status rg_yaml_copy(const rg_yaml *y, struct fy_node *n, const char *key, char *dst, size_t size,
                       rg_err *e);

/* Iterates a mapping: *key and *value receive the next pair; returns false
 * at the end. `iter` must start as NULL. */
bool rg_yaml_map_next(struct fy_node *map, void **iter, struct fy_node **key, struct fy_node **value);
/* Iterates a sequence. */
struct fy_node *rg_yaml_seq_next(struct fy_node *seq, void **iter);

#endif
