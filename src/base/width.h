/*
 * width — how many columns a text takes on a terminal, for the tables the
 * CLI prints for people. Bytes are not columns: "Conceição" is 10 bytes and
 * 9 columns (11 bytes when its accents are combining marks).
 *
 * A column per code point, except: combining marks (U+0300-036F,
 * U+1AB0-1AFF, U+1DC0-1DFF, U+20D0-20FF, U+FE20-FE2F) and zero-width
 * characters (U+200B-200F, U+2060, U+FEFF) take none. East Asian wide
 * characters count one (not needed here). A byte that does not start a
 * valid UTF-8 sequence counts one, as the terminal shows one replacement.
 * Pure functions; the cell appends to a caller's rg_buf.
 */
#ifndef RG_WIDTH_H
#define RG_WIDTH_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

/* Columns s[0..n) takes. */
size_t rg_text_width(const char *s, size_t n);

/* Appends s (NUL-terminated; NULL is "") as a table cell of `width`
 * columns: padded with spaces when narrower; when wider, kept whole unless
 * `fit`, which cuts it at a character boundary (its combining marks kept)
 * to width - 1 columns and adds "…". */
void rg_buf_cell(rg_buf *out, const char *s, size_t width, bool fit);

#endif
