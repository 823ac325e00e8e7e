/*
 * arrecadacao — FEBRABAN "arrecadação / recebimento" codes: the 44-digit
 * barcode and the 48-digit linha digitável of utility bills, taxes and
 * other convênios (the codes that start with 8).
 *
 * Barcode: product '8'(1) segment(1) value-id(1) general-DV(1) value(11)
 * company and free part(29). The value id chooses the check-digit rule and
 * the meaning of the value: 6 and 7 use módulo 10, 8 and 9 módulo 11
 * (weights 2..9, remainder 0 or 1 -> 0); 6 and 8 carry the amount in
 * centavos, 7 and 9 a reference quantity (not money). The linha digitável
 * is the barcode in four blocks of 11 digits, each followed by its own DV
 * (same rule). Plain data, nothing to free, no I/O.
 */
#ifndef RG_BR_ARRECADACAO_H
#define RG_BR_ARRECADACAO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/money.h"

typedef struct rg_arrecadacao {
    char segment[2];          /* "1".."7" or "9", see rg_arrec_segment_name */
    char value_id[2];         /* "6".."9" */
    bool value_is_money;      /* value id 6 or 8 */
    rg_cents amount_cents;    /* the value when value_is_money, else 0 */
    int64_t value;            /* the 11-digit value field as read */
    char company[9];          /* positions 16-19, or 16-23 (CNPJ root) for segment 6 */
    char barcode[45];
    char linha_digitavel[49];
    char linha_formatted[56]; /* "85820000001-5 66980270116-2 30001280018-9 67222025113-0" */
} rg_arrecadacao;

/* Decodes a 44-digit barcode or 48-digit linha (digits only or with the
 * usual separators), checking the segment (1-7 or 9: FEBRABAN assigns no
 * other), the value id, every block DV (linha) and the general DV; an
 * error names the check, the expected and the found digit. */
rg_status rg_arrec_decode(const char *s, size_t len, rg_arrecadacao *out, rg_err *e);

/* Builds a code: segment '1'..'7' or '9' (0 and 8 are refused, as in
 * decoding), value_id '6'..'9', value 0..99999999999,
 * rest = barcode positions 16-44 (29 digits). */
rg_status rg_arrec_encode(char segment, char value_id, int64_t value, const char *rest,
                          rg_arrecadacao *out, rg_err *e);

/* "prefeituras", "saneamento", "energia_gas", "telecomunicacoes",
 * "orgaos_governamentais", "carnes_cnpj", "multas_transito",
 * "uso_bancos", or "reservado" for 0 and 8. */
const char *rg_arrec_segment_name(char segment);

/* "real" for 6/8 (the value is the amount), "reference" for 7/9. */
const char *rg_arrec_value_type_name(char value_id);

#endif
