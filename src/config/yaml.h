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

struct fy_diag;
struct fy_parser;

/* What regua accepts in one YAML (or JSON) file, whatever reads it: larger
 * files and more keys are refused with file:line and the limit named. With
 * these caps and the duplicate-key check done here (a hash per mapping —
 * libfyaml 0.7.12's own check compares each new key with every earlier
 * one: 40,000 keys took 75 s), building a document is linear. */
#define RG_YAML_MAX_BYTES (1024 * 1024)
#define RG_YAML_MAX_KEYS 10000

/* libfyaml 0.7.12 (Debian 12) as regua can trust it: errors collected,
 * never printed; the input copied with padding; only valid UTF-8 parsed,
 * at most RG_YAML_MAX_BYTES; quoted scalars decoded by regua (see
 * yaml_quoted.h); duplicate keys (by their decoded text), keys that are
 * not single values and more than RG_YAML_MAX_KEYS keys reported by regua
 * as syntax errors after libfyaml's. `doc` is the first document, `extra` a
 * second one when the stream has it. */
typedef struct rg_yaml_reader {
    struct fy_diag *diag;
    struct fy_parser *parser;
    struct fy_document *doc;
    struct fy_document *extra;
    char *copy;
    size_t len;
    int bad_utf8_line; /* set when open refuses the text: the first line that
                          is not valid UTF-8 (NUL, overlong forms, surrogates) */
    int refused_line;      /* when open returns RG_EINVAL: where (1-based) ... */
    char refused[160];     /* ... and why: not UTF-8, or larger than RG_YAML_MAX_BYTES */
    int key_error_line;    /* regua's own finding on the keys (0: none) ... */
    char key_error[200];   /* ... yielded last by rg_yaml_reader_next_error() */
} rg_yaml_reader;

typedef struct rg_yaml_syntax_error {
    int line, column;  /* 1-based, 0 when unknown */
    const char *msg;   /* borrowed from the reader */
    const char *token; /* the offending token's bytes (not NUL-terminated), or NULL */
    size_t token_len;
} rg_yaml_syntax_error;

/* RG_OK (syntax errors are then read with rg_yaml_reader_next_error()),
 * RG_EINVAL for text that is not valid UTF-8 or is larger than
 * RG_YAML_MAX_BYTES (refused_line and refused say where and why; nothing was
 * parsed), RG_ENOMEM. The reader is always left closeable. */
rg_status rg_yaml_reader_open(rg_yaml_reader *r, const char *text, size_t len, bool json);
/* Iterates the syntax errors; `iter` must start as NULL. */
bool rg_yaml_reader_next_error(rg_yaml_reader *r, void **iter, rg_yaml_syntax_error *out);
void rg_yaml_reader_close(rg_yaml_reader *r);

typedef struct rg_yaml {
    struct fy_document *doc; /* NULL for an empty file */
    const char *file;        /* borrowed name used in messages */
    rg_yaml_reader reader;
} rg_yaml;

/* Parses text (YAML or JSON). On a syntax error returns RG_EINVAL with
 * e->where = "file:line" and the parser's message. */
rg_status rg_yaml_load(rg_yaml *y, const char *file, const char *text, size_t len, rg_err *e);
void rg_yaml_free(rg_yaml *y);
/* Decodes the quoted scalars of a document parsed from text[0..len) (see
 * yaml_quoted.h) so that rg_yaml_scalar() never asks libfyaml for them.
 * Walks without recursion. False when out of memory. */
bool rg_yaml_decode_quoted(struct fy_document *doc, const char *text, size_t len);
struct fy_node *rg_yaml_root(const rg_yaml *y);

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
