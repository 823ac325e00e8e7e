/*
 * doc — CPF and CNPJ: validation, kind detection and formatting.
 *
 * A CPF is 9 digits + 2 check digits (mod 11, weights 10..2 and 11..2). A
 * CNPJ is 12 characters + 2 numeric check digits (mod 11, weights 2..9
 * from the right). Since IN RFB 2.229/2024 the 12 base characters of a CNPJ
 * may be [0-9A-Z]; each character counts as (ASCII code - 48), so digits
 * keep their value and 'A' is 17 ... 'Z' is 42. Purely numeric CNPJs are
 * the special case where every character is a digit.
 *
 * Input may carry the usual punctuation ('.', '-', '/') and spaces anywhere;
 * lowercase letters are taken as uppercase. The kind comes from the number
 * of significant characters: 11 is a CPF (digits only), 14 a CNPJ. A
 * sequence of one repeated character (000.000.000-00, 11111111111 ...) is
 * rejected even when its check digits happen to hold.
 *
 * Everything here is plain data with fixed arrays: no allocation, nothing
 * to free.
 */
#ifndef RG_BR_DOC_H
#define RG_BR_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

typedef enum rg_doc_kind {
    RG_DOC_NONE = 0,
    RG_DOC_CPF,  /* pessoa física */
    RG_DOC_CNPJ  /* pessoa jurídica */
} rg_doc_kind;

typedef struct rg_doc {
    rg_doc_kind kind;
    bool alnum;          /* CNPJ with at least one letter in its base */
    char digits[15];     /* normalized: 11 or 14 chars [0-9A-Z], NUL-terminated */
    char formatted[19];  /* "000.000.000-00" or "00.000.000/0000-00" (letters kept) */
} rg_doc;

/* Parses and validates s[0..len) (a CPF or a CNPJ, with or without
 * punctuation). Returns true and fills *out, or returns false, zeroes *out
 * and fills *e (RG_EINVAL, where "cpf", "cnpj" or "document") with what was
 * wrong: a bad character and its position, the wrong length, a repeated
 * sequence, or which check digit failed with the expected value. */
bool rg_doc_parse(const char *s, size_t len, rg_doc *out, rg_err *e);

/* Convenience: rg_doc_parse on a C string, discarding the details. */
bool rg_doc_valid(const char *s);

/* "cpf" / "cnpj" / "none". */
const char *rg_doc_kind_name(rg_doc_kind k);
/* "PF" for a CPF, "PJ" for a CNPJ, "" otherwise. */
const char *rg_doc_person_kind(rg_doc_kind k);

/* Check digits for a base: 9 digits (CPF) or 12 chars [0-9A-Z] (CNPJ).
 * Writes the two digits as characters into dv[0], dv[1]. Returns false when
 * the base is not of that shape. Useful to build test numbers. */
bool rg_cpf_check_digits(const char base[9], char dv[2]);
bool rg_cnpj_check_digits(const char base[12], char dv[2]);

#endif
