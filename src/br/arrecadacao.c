#include "br/arrecadacao.h"

#include <stdio.h>
#include <string.h>

#include "br/dv.h"

#define WHERE "arrecadacao"

static bool uses_mod10(char value_id)
{
    return value_id == '6' || value_id == '7';
}

/* The DV of s[0..n) under the rule the value id selects. */
static int block_dv(const char *s, size_t n, char value_id)
{
    if (uses_mod10(value_id))
        return rg_dv_mod10(s, n);
    int r = (int)(rg_dv_wsum(s, n, 2, 9) % 11);
    return r < 2 ? 0 : 11 - r;
}

static const char *rule_name(char value_id)
{
    return uses_mod10(value_id) ? "mod 10" : "mod 11";
}

static int general_dv(const char bc[44])
{
    char b43[43];
    memcpy(b43, bc, 3);
    memcpy(b43 + 3, bc + 4, 40);
    return block_dv(b43, 43, bc[2]);
}

/* Fills the derived fields of *a from a checked barcode. */
static void fill(rg_arrecadacao *a, const char bc[44])
{
    memcpy(a->barcode, bc, 44);
    a->barcode[44] = '\0';
    a->segment[0] = bc[1];
    a->value_id[0] = bc[2];
    a->value_is_money = bc[2] == '6' || bc[2] == '8';
    int64_t v = 0;
    for (int i = 4; i < 15; i++)
        v = v * 10 + (bc[i] - '0');
    a->value = v;
    a->amount_cents = a->value_is_money ? v : 0;
    size_t clen = bc[1] == '6' ? 8 : 4;
    memcpy(a->company, bc + 15, clen);
    a->company[clen] = '\0';
    char *l = a->linha_digitavel;
    char *f = a->linha_formatted;
    for (int k = 0; k < 4; k++) {
        const char *blk = bc + 11 * k;
        char dv = (char)('0' + block_dv(blk, 11, bc[2]));
        memcpy(l + 12 * k, blk, 11);
        l[12 * k + 11] = dv;
        memcpy(f + 14 * k, blk, 11);
        f[14 * k + 11] = '-';
        f[14 * k + 12] = dv;
        f[14 * k + 13] = ' ';
    }
    l[48] = '\0';
    f[55] = '\0';
}

/* FEBRABAN's segments: 1-7 and 9; 0 and 8 are not assigned to anyone. */
static bool segment_ok(char segment)
{
    return (segment >= '1' && segment <= '7') || segment == '9';
}

static rg_status check_head(const char *bc, rg_err *e)
{
    if (bc[0] != '8')
        return rg_err_set(e, RG_EINVAL, WHERE,
                          "an arrecadação code starts with 8 (product id), found %c", bc[0]);
    if (!segment_ok(bc[1]))
        return rg_err_set(e, RG_EINVAL, WHERE,
                          "segment (second digit) must be 1 to 7 or 9 (0 and 8 are not assigned), found %c",
                          bc[1]);
    if (bc[2] < '6' || bc[2] > '9')
        return rg_err_set(e, RG_EINVAL, WHERE,
                          "value id (third digit) must be 6, 7, 8 or 9, found %c", bc[2]);
    return RG_OK;
}

rg_status rg_arrec_decode(const char *s, size_t len, rg_arrecadacao *out, rg_err *e)
{
    rg_arrecadacao a;
    memset(&a, 0, sizeof a);
    if (out)
        memset(out, 0, sizeof *out);
    char d[64];
    long n = rg_dv_digits(s, len, d, sizeof d, WHERE, e);
    if (n < 0)
        return RG_EINVAL;
    char bc[45];
    if (n == 48) {
        if (check_head(d, e) != RG_OK)
            return RG_EINVAL;
        for (int k = 0; k < 4; k++) {
            int want = block_dv(d + 12 * k, 11, d[2]);
            if (d[12 * k + 11] - '0' != want)
                return rg_err_set(e, RG_EINVAL, WHERE,
                                  "block %d check digit (%s) is wrong: expected %d, found %c",
                                  k + 1, rule_name(d[2]), want, d[12 * k + 11]);
            memcpy(bc + 11 * k, d + 12 * k, 11);
        }
    } else if (n == 44) {
        memcpy(bc, d, 44);
    } else {
        return rg_err_set(e, RG_EINVAL, WHERE,
                          "%ld digits: expected 44 (barcode) or 48 (linha digitável)", n);
    }
    bc[44] = '\0';
    if (check_head(bc, e) != RG_OK)
        return RG_EINVAL;
    int want = general_dv(bc);
    if (bc[3] - '0' != want)
        return rg_err_set(e, RG_EINVAL, WHERE,
                          "general check digit (position 4, %s) is wrong: expected %d, found %c",
                          rule_name(bc[2]), want, bc[3]);
    fill(&a, bc);
    if (out)
        *out = a;
    return RG_OK;
}

rg_status rg_arrec_encode(char segment, char value_id, int64_t value, const char *rest,
                          rg_arrecadacao *out, rg_err *e)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!segment_ok(segment))
        return rg_err_set(e, RG_EINVAL, WHERE, "segment must be 1 to 7 or 9 (0 and 8 are not assigned)");
    if (value_id < '6' || value_id > '9')
        return rg_err_set(e, RG_EINVAL, WHERE, "value id must be 6, 7, 8 or 9");
    if (value < 0 || value > 99999999999LL)
        return rg_err_set(e, RG_EINVAL, WHERE, "value must fit 11 digits, got %lld",
                          (long long)value);
    if (!rest || strlen(rest) != 29 || !rg_dv_all_digits(rest, 29))
        return rg_err_set(e, RG_EINVAL, WHERE, "positions 16-44 must be 29 digits");
    char bc[45];
    bc[0] = '8';
    bc[1] = segment;
    bc[2] = value_id;
    bc[3] = '0';
    snprintf(bc + 4, 12, "%011lld", (long long)value);
    memcpy(bc + 15, rest, 29);
    bc[44] = '\0';
    bc[3] = (char)('0' + general_dv(bc));
    rg_arrecadacao a;
    memset(&a, 0, sizeof a);
    fill(&a, bc);
    if (out)
        *out = a;
    return RG_OK;
}

const char *rg_arrec_segment_name(char segment)
{
    switch (segment) {
    case '1': return "prefeituras";
    case '2': return "saneamento";
    case '3': return "energia_gas";
    case '4': return "telecomunicacoes";
    case '5': return "orgaos_governamentais";
    case '6': return "carnes_cnpj";
    case '7': return "multas_transito";
    case '9': return "uso_bancos";
    default: return "reservado"; /* 0 and 8: refused by decode and encode */
    }
}

const char *rg_arrec_value_type_name(char value_id)
{
    return (value_id == '6' || value_id == '8') ? "real" : "reference";
}
