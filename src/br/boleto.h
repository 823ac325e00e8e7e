/*
 * boleto — the FEBRABAN boleto bancário: 44-digit barcode and 47-digit
 * linha digitável, both directions, and the fator de vencimento.
 *
 * Barcode (44): bank(3) currency(1) general-DV(1) factor(4) amount(10)
 * campo-livre(25). The general DV is módulo 11 (weights 2..9) over the
 * other 43 digits, 0/10/11 -> 1. Linha digitável (47): field 1 = bank,
 * currency and campo livre 1-5, + mod-10 DV; field 2 = campo livre 6-15
 * + DV; field 3 = campo livre 16-25 + DV; field 4 = general DV; field 5 =
 * factor + amount.
 *
 * Fator de vencimento: days from 1997-10-07, so 1000 = 2000-07-03 and
 * 9999 = 2025-02-21; on 2025-02-22 the factor restarted at 1000 and it
 * repeats every 9000 days (9999 again on 2049-10-13, 1000 on 2049-10-14).
 * A factor therefore names one date per cycle; decoding picks the one
 * inside FEBRABAN's acceptance window around `today`: from 3000 days
 * before to 5500 days after. Factor 0000 means "no due date". Factors
 * 0001-0999 only exist in the first cycle (1997-10-08 .. 2000-07-02).
 *
 * rg_code_decode() takes either boleto form or an arrecadação code (see
 * arrecadacao.h) and says which it was. Everything is plain data with
 * fixed arrays: nothing to free. No I/O, no clock: the caller passes today.
 */
#ifndef RG_BR_BOLETO_H
#define RG_BR_BOLETO_H

#include <stdbool.h>
#include <stddef.h>

#include "base/date.h"
#include "base/err.h"
#include "base/money.h"
#include "br/arrecadacao.h"

#define RG_BOLETO_MAX_CENTS 9999999999LL /* the 10-digit amount field */
#define RG_BOLETO_WINDOW_BEFORE 3000     /* days before today a due date may lie */
#define RG_BOLETO_WINDOW_AFTER 5500      /* days after today */

typedef struct rg_boleto {
    char bank[4];             /* "341" */
    char currency[2];         /* "9" (real) or "0" (other currency) */
    int factor;               /* 0 .. 9999 */
    rg_date due_date;         /* RG_DATE_NONE when the factor is 0000 */
    rg_cents amount_cents;    /* 0 .. RG_BOLETO_MAX_CENTS */
    char campo_livre[26];
    char barcode[45];
    char linha_digitavel[48];
    char linha_formatted[55]; /* "34191.75124 34567.840813 05367.890000 1 43290000000000" */
} rg_boleto;

/* The factor for a due date: 0 for RG_DATE_NONE, else per the cycles
 * above. Fails (RG_EINVAL) for dates before 1997-10-08. */
rg_status rg_boleto_factor(rg_date due, int *factor, rg_err *e);

/* The due date a factor names, resolved against today with the acceptance
 * window. Factor 0 gives RG_DATE_NONE. Fails when the factor is out of
 * 0..9999 or names no date inside the window; *out is then RG_DATE_NONE. */
rg_status rg_boleto_factor_date(int factor, rg_date today, rg_date *out, rg_err *e);

/* Builds both forms. bank: 3 digits; currency: '9' or '0'; due: a date or
 * RG_DATE_NONE; amount 0..RG_BOLETO_MAX_CENTS; campo_livre: 25 digits
 * (see campo_livre.h to build one from a bank's fields). *out is zeroed
 * on failure and the error names the bad argument. */
rg_status rg_boleto_encode(const char *bank, char currency, rg_date due, rg_cents amount,
                           const char *campo_livre, rg_boleto *out, rg_err *e);

/* Decodes a barcode (44 digits) or a linha digitável (47 digits), with or
 * without dots, spaces and hyphens, checking every digit: a wrong field DV
 * or general DV fails with the field, the expected and the found digit.
 * The due date is resolved against today. Arrecadação codes are refused
 * here (use rg_code_decode). */
rg_status rg_boleto_decode(const char *s, size_t len, rg_date today, rg_boleto *out, rg_err *e);

/* Just the linha <-> barcode conversions, for 47/44 digit strings (no
 * separators). Both check every DV. out must hold 45 / 48 bytes. */
rg_status rg_boleto_linha_to_barcode(const char linha[47], char out[45], rg_err *e);
void rg_boleto_barcode_to_linha(const char barcode[44], char out[48]);

typedef enum rg_code_type {
    RG_CODE_NONE = 0,
    RG_CODE_BANCARIO,    /* boleto bancário (ficha de compensação) */
    RG_CODE_ARRECADACAO  /* arrecadação / convênio (utilities, taxes) */
} rg_code_type;

typedef struct rg_code {
    rg_code_type type;
    rg_boleto boleto;        /* when type == RG_CODE_BANCARIO */
    rg_arrecadacao arrec;    /* when type == RG_CODE_ARRECADACAO */
} rg_code;

/* Any payment code a customer may paste: boleto barcode (44) or linha
 * (47), arrecadação barcode (44, starting with 8) or linha (48). */
rg_status rg_code_decode(const char *s, size_t len, rg_date today, rg_code *out, rg_err *e);

/* "bancario" / "arrecadacao" / "none". */
const char *rg_code_type_name(rg_code_type t);

#endif
