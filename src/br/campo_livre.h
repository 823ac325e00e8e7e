/*
 * campo_livre — the 25-digit "campo livre" of a boleto (barcode positions
 * 20-44), built from a bank's own fields following each bank's published
 * layout, together with the nosso número as the bank prints it.
 *
 * Supported banks (one table row each, see campo_livre.c):
 *   001 Banco do Brasil  convênio of 4, 6 (NN of 5, or 17 with carteira
 *                        16/18 and service 21) or 7 digits
 *   033 Santander        "9" + código do beneficiário + NN(12)+DV + IOF + carteira
 *   104 Caixa (SIGCB)    código do beneficiário + DV, NN in three parts, DV
 *   237 Bradesco         agência + carteira + NN(11) + conta(7) + "0"
 *   341 Itaú             carteira + NN + DACs (carteiras 106, 107, 122, 142,
 *                        143, 195, 196, 198 use seu número + código do cliente)
 *   756 Sicoob           carteira + cooperativa + modalidade + cliente + NN+DV + parcela
 *
 * Fields are borrowed C strings of digits (NULL or "" when not given),
 * given without their check digits; shorter values are zero-padded on the
 * left, extra leading zeros are dropped. Which fields each bank needs, and
 * the defaults, are in docs/internals/br-codes.md. Plain data, no
 * allocation.
 */
#ifndef RG_BR_CAMPO_LIVRE_H
#define RG_BR_CAMPO_LIVRE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

typedef struct rg_boleto_fields {
    const char *agencia;             /* agência / cooperativa, without DV */
    const char *conta;               /* conta corrente, without DV */
    const char *carteira;
    const char *nosso_numero;        /* the sequence the beneficiary assigns, without DV */
    const char *convenio;            /* BB; for the others an alias of codigo_beneficiario */
    const char *codigo_beneficiario; /* Caixa, Santander, Sicoob; Itaú's código do cliente */
    const char *seu_numero;          /* Itaú special carteiras (up to 7 digits) */
    const char *modalidade;          /* Sicoob, default "01" */
    const char *parcela;             /* Sicoob, default "001" */
} rg_boleto_fields;

typedef struct rg_campo_livre {
    char campo_livre[26];
    char nosso_numero[32]; /* as printed: "175/12345678-4", "06/00000000525-P", "14000000000000001-4" */
} rg_campo_livre;

/* Builds the campo livre for bank (3 digits). Fails with RG_EINVAL naming
 * the field (where = field name) and what was expected; an unsupported
 * bank is RG_EINVAL with where = "bank". *out is zeroed on failure. */
rg_status rg_campo_livre_build(const char *bank, const rg_boleto_fields *f, rg_campo_livre *out,
                               rg_err *e);

/* The i-th supported bank code ("001", ...), NULL past the end. */
const char *rg_campo_livre_bank(size_t i);
/* "Banco do Brasil", "Itaú" ...; NULL for an unsupported code. */
const char *rg_campo_livre_bank_name(const char *bank);

#endif
