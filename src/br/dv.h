/*
 * dv — the check-digit arithmetic shared by the Brazilian codes.
 *
 * Boletos, arrecadação codes and the banks' nosso-número rules all use the
 * same two families: "módulo 10" (weights 2,1,2,1... from the right, the
 * digits of each product summed) and "módulo 11" (a weighted sum with
 * weights cycling from the right, then a bank-specific mapping of the
 * remainder). These functions compute the sums and the common mappings;
 * the callers (boleto.c, arrecadacao.c, campo_livre.c) pick the rule.
 * Inputs are ASCII digit strings of known length; the callers check them.
 * Pure functions, no state.
 */
#ifndef RG_BR_DV_H
#define RG_BR_DV_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

/* FEBRABAN módulo 10: (10 - sum % 10) % 10, sum over s[0..n) with weights
 * 2,1,2,1... from the rightmost digit, two-digit products summed digit by
 * digit. Used by the linha digitável fields, arrecadação (value id 6/7)
 * and Itaú's DACs. */
int rg_dv_mod10(const char *s, size_t n);

/* Weighted sum of s[0..n) with weights wmin, wmin+1, ... wmax, wmin, ...
 * starting at the rightmost digit. The basis of every módulo 11 rule. */
long rg_dv_wsum(const char *s, size_t n, int wmin, int wmax);

/* Módulo 11, weights 2..9: 11 - (sum % 11), with results 0, 10 and 11
 * mapped to `fallback`. The boleto general digit uses fallback 1; Caixa
 * uses 0. */
int rg_dv_mod11(const char *s, size_t n, int fallback);

/* Copies the digits of s[0..len) into out (capacity cap, NUL-terminated),
 * skipping the separators people type or print in codes: space, tab,
 * newline, '.' and '-'. Any other byte is an error naming it and its
 * 1-based position; so is a code longer than cap - 1 digits. `where` names
 * the input in the error. Returns the number of digits, or -1 on error
 * (out is then ""). */
long rg_dv_digits(const char *s, size_t len, char *out, size_t cap, const char *where, rg_err *e);

/* True when s[0..n) are all ASCII digits. */
bool rg_dv_all_digits(const char *s, size_t n);

#endif
