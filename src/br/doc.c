#include "br/doc.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* A character's value in the check-digit sums: ASCII code - 48 (IN RFB
 * 2.229/2024), so '0'..'9' are 0..9 and 'A'..'Z' are 17..42. */
static int char_value(char c)
{
    return (int)(unsigned char)c - 48;
}

/* The mod-11 check digit of s[0..n) with weights running n+1-offset down
 * to 2 (CPF) or cycling 2..9 from the right (CNPJ). */
static int mod11_dv(const char *s, size_t n, int max_weight)
{
    int sum = 0;
    int w = 2;
    for (size_t i = n; i-- > 0;) {
        sum += char_value(s[i]) * w;
        w = (w == max_weight) ? 2 : w + 1;
    }
    int r = sum % 11;
    return r < 2 ? 0 : 11 - r;
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static bool all_alnum_upper(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z')))
            return false;
    return true;
}

bool rg_cpf_check_digits(const char base[9], char dv[2])
{
    if (!all_digits(base, 9))
        return false;
    char tmp[10];
    memcpy(tmp, base, 9);
    int d1 = mod11_dv(tmp, 9, 11); /* weights 10..2 == 2..10 from the right */
    tmp[9] = (char)('0' + d1);
    int d2 = mod11_dv(tmp, 10, 11); /* weights 11..2 */
    dv[0] = (char)('0' + d1);
    dv[1] = (char)('0' + d2);
    return true;
}

bool rg_cnpj_check_digits(const char base[12], char dv[2])
{
    if (!all_alnum_upper(base, 12))
        return false;
    char tmp[13];
    memcpy(tmp, base, 12);
    int d1 = mod11_dv(tmp, 12, 9); /* weights 5432 98765432 */
    tmp[12] = (char)('0' + d1);
    int d2 = mod11_dv(tmp, 13, 9); /* weights 65432 98765432 */
    dv[0] = (char)('0' + d1);
    dv[1] = (char)('0' + d2);
    return true;
}

static bool is_punct(char c)
{
    return c == '.' || c == '-' || c == '/' || c == ' ' || c == '\t';
}

static bool all_same(const char *s, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (s[i] != s[0])
            return false;
    return true;
}

static void format_doc(rg_doc *d)
{
    const char *g = d->digits;
    if (d->kind == RG_DOC_CPF)
        snprintf(d->formatted, sizeof d->formatted, "%.3s.%.3s.%.3s-%.2s", g, g + 3, g + 6, g + 9);
    else
        snprintf(d->formatted, sizeof d->formatted, "%.2s.%.3s.%.3s/%.4s-%.2s", g, g + 2, g + 5,
                 g + 8, g + 12);
}

bool rg_doc_parse(const char *s, size_t len, rg_doc *out, rg_err *e)
{
    rg_doc d;
    memset(&d, 0, sizeof d);
    if (out)
        memset(out, 0, sizeof *out);
    if (!s)
        len = 0;

    size_t n = 0;       /* significant characters seen */
    bool letters = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (is_punct(c))
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) {
            unsigned char uc = (unsigned char)s[i];
            if (isprint(uc))
                rg_err_set(e, RG_EINVAL, "document", "unexpected character '%c' at position %zu",
                           s[i], i + 1);
            else
                rg_err_set(e, RG_EINVAL, "document",
                           "unexpected byte 0x%02X at position %zu", uc, i + 1);
            return false;
        }
        if (c >= 'A')
            letters = true;
        if (n < 14)
            d.digits[n] = c;
        n++;
    }
    if (n == 0)
        return rg_err_set(e, RG_EINVAL, "document", "empty: expected a CPF (11 digits) or a CNPJ (14 characters)"), false;
    if (n != 11 && n != 14)
        return rg_err_set(e, RG_EINVAL, "document",
                          "%zu significant characters: expected 11 (CPF) or 14 (CNPJ)", n),
               false;

    char dv[2];
    if (n == 11) {
        d.kind = RG_DOC_CPF;
        if (letters)
            return rg_err_set(e, RG_EINVAL, "cpf", "a CPF has digits only, found a letter"), false;
        if (all_same(d.digits, 11))
            return rg_err_set(e, RG_EINVAL, "cpf", "%s is a repeated sequence, not a CPF", d.digits),
                   false;
        rg_cpf_check_digits(d.digits, dv);
        for (int k = 0; k < 2; k++)
            if (d.digits[9 + k] != dv[k])
                return rg_err_set(e, RG_EINVAL, "cpf",
                                  "check digit %d is wrong: expected %c, found %c", k + 1, dv[k],
                                  d.digits[9 + k]),
                       false;
    } else {
        d.kind = RG_DOC_CNPJ;
        if (!all_digits(d.digits + 12, 2))
            return rg_err_set(e, RG_EINVAL, "cnpj",
                              "the check digits (characters 13-14) must be numeric, found \"%.2s\"",
                              d.digits + 12),
                   false;
        if (all_same(d.digits, 14))
            return rg_err_set(e, RG_EINVAL, "cnpj", "%s is a repeated sequence, not a CNPJ", d.digits),
                   false;
        d.alnum = !all_digits(d.digits, 12);
        rg_cnpj_check_digits(d.digits, dv);
        for (int k = 0; k < 2; k++)
            if (d.digits[12 + k] != dv[k])
                return rg_err_set(e, RG_EINVAL, "cnpj",
                                  "check digit %d is wrong: expected %c, found %c", k + 1, dv[k],
                                  d.digits[12 + k]),
                       false;
    }
    format_doc(&d);
    if (out)
        *out = d;
    return true;
}

bool rg_doc_valid(const char *s)
{
    return s && rg_doc_parse(s, strlen(s), NULL, NULL);
}

const char *rg_doc_kind_name(rg_doc_kind k)
{
    switch (k) {
    case RG_DOC_CPF: return "cpf";
    case RG_DOC_CNPJ: return "cnpj";
    default: return "none";
    }
}

const char *rg_doc_person_kind(rg_doc_kind k)
{
    switch (k) {
    case RG_DOC_CPF: return "PF";
    case RG_DOC_CNPJ: return "PJ";
    default: return "";
    }
}
