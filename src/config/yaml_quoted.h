/*
 * yaml_quoted — the value of a YAML 1.2 quoted flow scalar, decoded from
 * its source text (the bytes between the quotes).
 *
 * libfyaml 0.7.12 (Debian 12) leaks its atom-iterator chunk array when it
 * formats a quoted scalar with many consecutive escapes or blank lines
 * (upstream pantoniou/libfyaml#233), so regua never asks it for the text
 * of a quoted scalar: the parser still validates the syntax and places
 * the token, and this decoder produces the value. It assumes the parser
 * accepted the scalar; it never fails on any input.
 */
#ifndef RG_YAML_QUOTED_H
#define RG_YAML_QUOTED_H

#include <stddef.h>

#include "base/buf.h"

typedef enum rg_yaml_quote { RG_YAML_SINGLE_QUOTED, RG_YAML_DOUBLE_QUOTED } rg_yaml_quote;

/* Appends the decoded value of raw[0..len) to out (check out->oom). */
void rg_yaml_unquote(rg_yaml_quote style, const char *raw, size_t len, rg_buf *out);

#endif
