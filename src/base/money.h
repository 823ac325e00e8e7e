/*
 * money — amounts as int64_t centavos, never floating point.
 *
 * Parsing accepts "1234.56", "1234", "1.234,56", "1234,5" and an optional
 * "R$" prefix: a comma makes the text pt-BR (dots are then thousands
 * separators, in groups of three). More than two decimal places is an
 * error, never a silent rounding. Percentages (fees) are int64_t basis
 * points of a percent: 2.00% is 200 — see rg_pct_parse.
 */
#ifndef RG_MONEY_H
#define RG_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t rg_cents;

/* Parses s[0..len) into *out. Returns false (and leaves *out 0) on any
 * malformed text; `why` (may be NULL) receives a short reason. Negative
 * amounts are accepted only with allow_negative. */
bool rg_money_parse(const char *s, size_t len, bool allow_negative, rg_cents *out, const char **why);

/* "R$ 1.234,56" / "-R$ 0,50". Returns buf. n >= 32 is always enough. */
char *rg_money_format_brl(rg_cents v, char *buf, size_t n);

/* "1234.56" / "-0.50" (for CSV and JSON-as-text). */
char *rg_money_format_plain(rg_cents v, char *buf, size_t n);

/* A percentage with up to two decimals, "2", "2.00", "1,5" -> hundredths of
 * a percent (200, 200, 150). */
bool rg_pct_parse(const char *s, size_t len, int64_t *out_hundredths, const char **why);

/* "2,00%" style is for humans; this gives "2.00". */
char *rg_pct_format(int64_t hundredths, char *buf, size_t n);

#endif
