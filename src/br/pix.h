/*
 * pix — Pix BR Codes ("copia e cola" / QR payloads), EMV MPM as specified
 * by the Banco Central's "Manual de Padrões para Iniciação do Pix" (the
 * BR Code annex): generation of static and dynamic codes and parsing of
 * any BR Code into its fields.
 *
 * Layout: a sequence of TLVs (2-digit id, 2-digit length, value). 00
 * payload format "01"; 01 point of initiation ("12": single use); 26 Pix
 * merchant account (00 GUI "br.gov.bcb.pix", 01 key | 25 payload URL, 02
 * description); 52 MCC; 53 currency "986"; 54 amount ("10.50"); 58 "BR";
 * 59 merchant name (<= 25); 60 city (<= 15); 62 additional data (05 txid:
 * up to 25 [A-Za-z0-9], "***" when none); 63 CRC16/CCITT-FALSE (poly
 * 0x1021, init 0xFFFF) over the whole payload including "6304", 4
 * uppercase hex digits. A static code carries the key; a dynamic one
 * carries the URL of its payload (no "https://") and txid "***".
 *
 * Lengths are counted in bytes; generated codes are pure ASCII (names,
 * cities and descriptions are normalised: accents stripped, controls
 * dropped, spaces collapsed). Plain data with fixed arrays; nothing to
 * free; no I/O.
 */
#ifndef RG_BR_PIX_H
#define RG_BR_PIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/money.h"

#define RG_PIX_PAYLOAD_MAX 512 /* buffer size that always holds a generated code */
#define RG_PIX_NAME_MAX 25
#define RG_PIX_CITY_MAX 15
#define RG_PIX_TXID_MAX 25
#define RG_PIX_MAX_CENTS 999999999999LL /* "9999999999.99": the 13-character field */

typedef enum rg_pix_type {
    RG_PIX_NONE = 0,
    RG_PIX_STATIC,  /* key in 26.01 */
    RG_PIX_DYNAMIC  /* payload URL in 26.25 */
} rg_pix_type;

/* What a code says. Strings are NUL-terminated and "" when absent. */
typedef struct rg_pix {
    rg_pix_type type;
    char key[100];
    char url[100];
    char description[100];
    char merchant_name[RG_PIX_NAME_MAX + 1];
    char merchant_city[RG_PIX_CITY_MAX + 1];
    bool has_amount;
    rg_cents amount_cents;         /* 0 when !has_amount */
    char txid[RG_PIX_TXID_MAX + 1]; /* "***" when the code names none */
    char crc[5];                   /* "1D3D" */
    char mcc[5];                   /* "0000" */
    bool single_use;               /* tag 01 is "12" */
} rg_pix;

/* What to generate. All strings borrowed; NULL or "" when not given. */
typedef struct rg_pix_params {
    const char *key;           /* static: CPF, CNPJ, e-mail, +55 phone or random key (EVP) */
    const char *url;           /* dynamic: payload location ("https://" is dropped) */
    const char *description;   /* static only, optional */
    const char *merchant_name; /* required; normalised and cut to 25 */
    const char *merchant_city; /* required; normalised and cut to 15 */
    const char *txid;          /* static only: up to 25 [A-Za-z0-9]; "***" when not given */
    bool has_amount;
    rg_cents amount_cents;     /* 1 .. RG_PIX_MAX_CENTS when has_amount */
    const char *mcc;           /* 4 digits, default "0000" */
    bool single_use;           /* emit 01 = "12" */
} rg_pix_params;

/* Builds a BR Code into out (cap >= RG_PIX_PAYLOAD_MAX is always enough).
 * Exactly one of key and url must be given. Fails (RG_EINVAL, where = the
 * parameter) on a bad key, txid, amount, an empty name or city after
 * normalisation, or a merchant account template over 99 bytes. */
rg_status rg_pix_build(const rg_pix_params *p, char *out, size_t cap, rg_err *e);

/* Parses any BR Code (surrounding whitespace ignored), checks its CRC and
 * the Pix fields. Errors name the tag ("tag 59", "tag 26.01", "offset 40")
 * and what was wrong; *out is zeroed on failure. */
rg_status rg_pix_parse(const char *s, size_t len, rg_pix *out, rg_err *e);

/* A static BR Code `code` built again for `amount` (the same key,
 * description, merchant and txid) into out; *is_static false (out "", RG_OK)
 * when code is a dynamic one. Fails as rg_pix_parse / rg_pix_build do. */
rg_status rg_pix_with_amount(const char *code, rg_cents amount, char *out, size_t cap, bool *is_static, rg_err *e);

/* CRC16/CCITT-FALSE of s[0..n). */
uint16_t rg_pix_crc16(const char *s, size_t n);

/* Normalises UTF-8 (or stray Latin-1) text to printable ASCII: accented
 * Latin letters lose their accents, other non-ASCII and control characters
 * are dropped, runs of spaces become one, the ends are trimmed, and the
 * result is cut to at most max characters. Returns out (cap bytes). */
char *rg_pix_normalize(const char *in, size_t max, char *out, size_t cap);

/* "static" / "dynamic" / "none". */
const char *rg_pix_type_name(rg_pix_type t);

#endif
