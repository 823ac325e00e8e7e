#include "br/boleto.h"

#include <stdio.h>
#include <string.h>

#include "br/dv.h"

#define WHERE "boleto"
#define CYCLE 9000 /* factors 1000..9999 */

/* Factor 0 would be 1997-10-07; factor 1000 is 2000-07-03 (FEBRABAN,
 * "Manual Operacional do Fator de Vencimento", and Carta-Circular BCB
 * 2.926/2000), after which the factor runs 1000..9999 and wraps. */
static rg_date epoch0(void)
{
    return rg_date_from_ymd(1997, 10, 7);
}

static rg_date base1000(void)
{
    return rg_date_from_ymd(2000, 7, 3);
}

rg_status rg_boleto_factor(rg_date due, int *factor, rg_err *e)
{
    if (factor)
        *factor = 0;
    if (due == RG_DATE_NONE)
        return RG_OK;
    if (due <= epoch0())
        return rg_err_set(e, RG_EINVAL, WHERE,
                          "due date before 1997-10-08 has no fator de vencimento");
    int f;
    if (due < base1000())
        f = (int)(due - epoch0());
    else
        f = 1000 + (int)((due - base1000()) % CYCLE);
    if (factor)
        *factor = f;
    return RG_OK;
}

rg_status rg_boleto_factor_date(int factor, rg_date today, rg_date *out, rg_err *e)
{
    if (out)
        *out = RG_DATE_NONE;
    if (factor < 0 || factor > 9999)
        return rg_err_set(e, RG_EINVAL, WHERE, "fator de vencimento %d is out of 0000-9999",
                          factor);
    if (factor == 0)
        return RG_OK;
    if (today == RG_DATE_NONE || today < -1000000 || today > 1000000)
        return rg_err_set(e, RG_EINTERNAL, WHERE, "today is not a usable date");
    int64_t lo = (int64_t)today - RG_BOLETO_WINDOW_BEFORE;
    int64_t hi = (int64_t)today + RG_BOLETO_WINDOW_AFTER;
    int64_t d;
    if (factor < 1000) {
        d = (int64_t)epoch0() + factor;
    } else {
        d = (int64_t)base1000() + (factor - 1000);
        if (d < lo)
            d += ((lo - d + CYCLE - 1) / CYCLE) * CYCLE;
    }
    if (d < lo || d > hi) {
        char a[16], b[16];
        rg_date_format_iso((rg_date)lo, a, sizeof a);
        rg_date_format_iso((rg_date)hi, b, sizeof b);
        return rg_err_set(e, RG_EINVAL, WHERE,
                          "fator de vencimento %04d names no due date inside the acceptance "
                          "window %s .. %s (3000 days before to 5500 days after today)",
                          factor, a, b);
    }
    if (out)
        *out = (rg_date)d;
    return RG_OK;
}

static int general_dv(const char bc[44])
{
    char b43[43];
    memcpy(b43, bc, 4);
    memcpy(b43 + 4, bc + 5, 39);
    return rg_dv_mod11(b43, 43, 1);
}

void rg_boleto_barcode_to_linha(const char bc[44], char out[48])
{
    /* field 1: bank, currency, campo livre 1-5 */
    memcpy(out, bc, 4);
    memcpy(out + 4, bc + 19, 5);
    out[9] = (char)('0' + rg_dv_mod10(out, 9));
    /* field 2: campo livre 6-15 */
    memcpy(out + 10, bc + 24, 10);
    out[20] = (char)('0' + rg_dv_mod10(out + 10, 10));
    /* field 3: campo livre 16-25 */
    memcpy(out + 21, bc + 34, 10);
    out[31] = (char)('0' + rg_dv_mod10(out + 21, 10));
    /* field 4: general DV; field 5: factor and amount */
    out[32] = bc[4];
    memcpy(out + 33, bc + 5, 14);
    out[47] = '\0';
}

rg_status rg_boleto_linha_to_barcode(const char l[47], char out[45], rg_err *e)
{
    static const struct {
        size_t start, len;
    } fields[3] = {{0, 9}, {10, 10}, {21, 10}};
    out[0] = '\0';
    if (!rg_dv_all_digits(l, 47))
        return rg_err_set(e, RG_EINVAL, WHERE, "a linha digitável has 47 digits");
    for (int k = 0; k < 3; k++) {
        int want = rg_dv_mod10(l + fields[k].start, fields[k].len);
        char got = l[fields[k].start + fields[k].len];
        if (got - '0' != want)
            return rg_err_set(e, RG_EINVAL, WHERE,
                              "linha digitável field %d check digit (mod 10) is wrong: "
                              "expected %d, found %c",
                              k + 1, want, got);
    }
    memcpy(out, l, 4);          /* bank, currency */
    out[4] = l[32];             /* general DV */
    memcpy(out + 5, l + 33, 14); /* factor, amount */
    memcpy(out + 19, l + 4, 5);
    memcpy(out + 24, l + 10, 10);
    memcpy(out + 34, l + 21, 10);
    out[44] = '\0';
    return RG_OK;
}

static void format_linha(const char l[47], char out[55])
{
    snprintf(out, 55, "%.5s.%.5s %.5s.%.6s %.5s.%.6s %c %.14s", l, l + 5, l + 10, l + 15, l + 21,
             l + 26, l[32], l + 33);
}

/* Completes *b from a barcode whose digits are all checked. */
static void fill(rg_boleto *b, const char bc[44], int factor, rg_date due, rg_cents amount)
{
    memcpy(b->bank, bc, 3);
    b->bank[3] = '\0';
    b->currency[0] = bc[3];
    b->currency[1] = '\0';
    b->factor = factor;
    b->due_date = due;
    b->amount_cents = amount;
    memcpy(b->campo_livre, bc + 19, 25);
    b->campo_livre[25] = '\0';
    memcpy(b->barcode, bc, 44);
    b->barcode[44] = '\0';
    rg_boleto_barcode_to_linha(bc, b->linha_digitavel);
    format_linha(b->linha_digitavel, b->linha_formatted);
}

rg_status rg_boleto_encode(const char *bank, char currency, rg_date due, rg_cents amount,
                           const char *campo_livre, rg_boleto *out, rg_err *e)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!bank || strlen(bank) != 3 || !rg_dv_all_digits(bank, 3))
        return rg_err_set(e, RG_EINVAL, "bank", "expected the 3-digit bank code, found \"%s\"",
                          bank ? bank : "");
    if (currency != '9' && currency != '0')
        return rg_err_set(e, RG_EINVAL, "currency", "expected 9 (real) or 0 (other currency)");
    if (amount < 0 || amount > RG_BOLETO_MAX_CENTS)
        return rg_err_set(e, RG_EINVAL, "amount",
                          "%lld centavos does not fit the 10-digit amount field (0 .. "
                          "99999999.99)",
                          (long long)amount);
    if (!campo_livre || strlen(campo_livre) != 25 || !rg_dv_all_digits(campo_livre, 25))
        return rg_err_set(e, RG_EINVAL, "campo_livre", "expected 25 digits, found \"%s\"",
                          campo_livre ? campo_livre : "");
    int factor = 0;
    if (rg_boleto_factor(due, &factor, e) != RG_OK)
        return RG_EINVAL;
    char bc[45];
    snprintf(bc, sizeof bc, "%.3s%c0%04d%010lld%.25s", bank, currency, factor,
             (long long)amount, campo_livre);
    bc[4] = (char)('0' + general_dv(bc));
    rg_boleto b;
    memset(&b, 0, sizeof b);
    fill(&b, bc, factor, due, amount);
    if (out)
        *out = b;
    return RG_OK;
}

/* Decodes an already extracted digit string of n digits. */
static rg_status decode_digits(const char *d, long n, rg_date today, rg_boleto *out, rg_err *e)
{
    char bc[45];
    if (n == 47) {
        if (rg_boleto_linha_to_barcode(d, bc, e) != RG_OK)
            return RG_EINVAL;
    } else if (n == 44) {
        if (d[0] == '8')
            return rg_err_set(e, RG_EINVAL, WHERE,
                              "starts with 8: an arrecadação code, not a boleto bancário");
        memcpy(bc, d, 44);
        bc[44] = '\0';
    } else {
        return rg_err_set(e, RG_EINVAL, WHERE,
                          "%ld digits: expected 44 (barcode) or 47 (linha digitável)", n);
    }
    if (bc[3] != '9' && bc[3] != '0')
        return rg_err_set(e, RG_EINVAL, WHERE,
                          "currency code (position 4) must be 9 (real) or 0, found %c", bc[3]);
    int want = general_dv(bc);
    if (bc[4] - '0' != want)
        return rg_err_set(e, RG_EINVAL, WHERE,
                          "general check digit (mod 11) is wrong: expected %d, found %c", want,
                          bc[4]);
    int factor = (bc[5] - '0') * 1000 + (bc[6] - '0') * 100 + (bc[7] - '0') * 10 + (bc[8] - '0');
    rg_date due = RG_DATE_NONE;
    rg_status st = rg_boleto_factor_date(factor, today, &due, e);
    if (st != RG_OK)
        return st;
    rg_cents amount = 0;
    for (int i = 9; i < 19; i++)
        amount = amount * 10 + (bc[i] - '0');
    fill(out, bc, factor, due, amount);
    return RG_OK;
}

rg_status rg_boleto_decode(const char *s, size_t len, rg_date today, rg_boleto *out, rg_err *e)
{
    rg_boleto b;
    memset(&b, 0, sizeof b);
    if (out)
        memset(out, 0, sizeof *out);
    char d[64];
    long n = rg_dv_digits(s, len, d, sizeof d, WHERE, e);
    if (n < 0)
        return RG_EINVAL;
    rg_status st = decode_digits(d, n, today, &b, e);
    if (st == RG_OK && out)
        *out = b;
    return st;
}

rg_status rg_code_decode(const char *s, size_t len, rg_date today, rg_code *out, rg_err *e)
{
    if (out)
        memset(out, 0, sizeof *out);
    char d[64];
    long n = rg_dv_digits(s, len, d, sizeof d, "code", e);
    if (n < 0)
        return RG_EINVAL;
    rg_code c;
    memset(&c, 0, sizeof c);
    rg_status st;
    if (n == 48 || (n == 44 && d[0] == '8')) {
        c.type = RG_CODE_ARRECADACAO;
        st = rg_arrec_decode(d, (size_t)n, &c.arrec, e);
    } else if (n == 44 || n == 47) {
        c.type = RG_CODE_BANCARIO;
        st = decode_digits(d, n, today, &c.boleto, e);
    } else {
        return rg_err_set(e, RG_EINVAL, "code",
                          "%ld digits: expected 44 (barcode), 47 (boleto linha digitável) or 48 "
                          "(arrecadação linha digitável)",
                          n);
    }
    if (st == RG_OK && out)
        *out = c;
    return st;
}

const char *rg_code_type_name(rg_code_type t)
{
    switch (t) {
    case RG_CODE_BANCARIO: return "bancario";
    case RG_CODE_ARRECADACAO: return "arrecadacao";
    default: return "none";
    }
}
