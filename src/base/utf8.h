/*
 * utf8 — checking and converting text at the door. Every text regua reads
 * (CSV, YAML, templates, JSON bodies) is UTF-8; a file in another encoding
 * is converted on request (`regua import --encoding windows-1252`), never
 * guessed.
 */
#ifndef RG_UTF8_H
#define RG_UTF8_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

/* Offset of the first byte of s[0..n) that does not start a valid UTF-8
 * sequence (overlong forms, surrogates, code points above U+10FFFF and
 * truncated sequences included), or of the first NUL; n when the text is
 * clean. */
size_t rg_utf8_invalid_at(const char *s, size_t n);

/* True when s[0..n) is valid UTF-8 without NUL bytes. */
bool rg_utf8_valid(const char *s, size_t n);

/* The encodings rg_utf8_convert reads: "utf-8" (checked, copied),
 * "windows-1252" (alias "cp1252") and "latin1" (alias "iso-8859-1"). */
bool rg_utf8_encoding_known(const char *encoding);

/* Converts s[0..n) from `encoding` to UTF-8, appended to *out (iconv of
 * the C library). RG_EINVAL for an unknown encoding, or for a byte that
 * has no character in it (windows-1252 leaves 0x81, 0x8D, 0x8F, 0x90
 * and 0x9D undefined), with *bad_at set to its offset; RG_ENOMEM. */
rg_status rg_utf8_convert(const char *encoding, const char *s, size_t n, rg_buf *out, size_t *bad_at, rg_err *e);

#endif
