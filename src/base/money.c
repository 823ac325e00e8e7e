#include "base/money.h"

#include "base/buf.h"

#include <stdio.h>
#include <string.h>

static bool fail(const char **why, const char *msg, rg_cents *out)
{
    if (why)
        *why = msg;
    *out = 0;
    return false;
}

static void trim(const char **s, size_t *len)
{
    while (*len && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}

/* Parses a decimal number with `scale` fractional digits at most into an
 * integer scaled by 10^scale. */
static bool parse_scaled(const char *s, size_t len, bool allow_negative, int scale, int64_t *out,
                         const char **why)
{
    trim(&s, &len);
    if (len >= 2 && s[0] == 'R' && s[1] == '$') {
        s += 2;
        len -= 2;
        trim(&s, &len);
    }
    bool neg = false;
    if (len && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        s++;
        len--;
    }
    if (len == 0)
        return fail(why, "empty amount", out);
    if (neg && !allow_negative)
        return fail(why, "negative amount", out);

    bool ptbr = memchr(s, ',', len) != NULL;
    char dec = ptbr ? ',' : '.';
    char thou = ptbr ? '.' : 0;

    int64_t whole = 0;
    int64_t frac = 0;
    int frac_digits = 0;
    bool in_frac = false;
    int group = -1; /* digits since the last thousands separator, -1 when none seen */
    int int_digits = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            int d = c - '0';
            if (in_frac) {
                if (++frac_digits > scale)
                    return fail(why, scale == 2 ? "more than two decimal places" : "too many decimal places", out);
                frac = frac * 10 + d;
            } else {
                if (whole > (INT64_MAX / 1000 - d) / 10)
                    return fail(why, "amount too large", out);
                whole = whole * 10 + d;
                int_digits++;
                if (group >= 0)
                    group++;
            }
        } else if (c == dec && !in_frac) {
            if (group >= 0 && group != 3)
                return fail(why, "misplaced thousands separator", out);
            if (int_digits == 0)
                return fail(why, "missing digits before the decimal separator", out);
            in_frac = true;
        } else if (thou && c == thou && !in_frac) {
            if (int_digits == 0 || (group >= 0 && group != 3) || (group < 0 && int_digits > 3))
                return fail(why, "misplaced thousands separator", out);
            group = 0;
        } else {
            return fail(why, "unexpected character in amount", out);
        }
    }
    if (!in_frac && group >= 0 && group != 3)
        return fail(why, "misplaced thousands separator", out);
    if (in_frac && frac_digits == 0)
        return fail(why, "missing digits after the decimal separator", out);
    if (int_digits == 0)
        return fail(why, "no digits in amount", out);
    for (int i = frac_digits; i < scale; i++)
        frac *= 10;
    int64_t mul = 1;
    for (int i = 0; i < scale; i++)
        mul *= 10;
    if (whole > (INT64_MAX - frac) / mul)
        return fail(why, "amount too large", out);
    int64_t v = whole * mul + frac;
    *out = neg ? -v : v;
    return true;
}

bool rg_money_parse(const char *s, size_t len, bool allow_negative, rg_cents *out, const char **why)
{
    return parse_scaled(s, len, allow_negative, 2, out, why);
}

bool rg_pct_parse(const char *s, size_t len, int64_t *out, const char **why)
{
    while (len && (s[len - 1] == '%' || s[len - 1] == ' '))
        len--;
    return parse_scaled(s, len, false, 2, out, why);
}

char *rg_money_format_brl(rg_cents v, char *buf, size_t n)
{
    /* INT64_MIN cannot be negated; it is not a real amount anyway. */
    unsigned long long a = v < 0 ? (unsigned long long)(-(v + 1)) + 1u : (unsigned long long)v;
    /* written right to left without printf (a message shows several) */
    char tmp[48];
    size_t i = sizeof tmp;
    tmp[--i] = '\0';
    tmp[--i] = (char)('0' + a % 10);
    tmp[--i] = (char)('0' + a / 10 % 10);
    tmp[--i] = ',';
    unsigned long long r = a / 100;
    int nd = 0;
    do {
        if (nd > 0 && nd % 3 == 0)
            tmp[--i] = '.';
        tmp[--i] = (char)('0' + r % 10);
        r /= 10;
        nd++;
    } while (r);
    tmp[--i] = ' ';
    tmp[--i] = '$';
    tmp[--i] = 'R';
    if (v < 0)
        tmp[--i] = '-';
    if (n > 0) /* truncated as snprintf would */
        rg_strlcpy(buf, tmp + i, n);
    return buf;
}

char *rg_money_format_plain(rg_cents v, char *buf, size_t n)
{
    /* what snprintf("%s%llu.%02llu") writes, without it (a list page
     * writes five per invoice) */
    unsigned long long a = v < 0 ? (unsigned long long)(-(v + 1)) + 1u : (unsigned long long)v;
    char tmp[32];
    size_t i = sizeof tmp;
    tmp[--i] = '\0';
    tmp[--i] = (char)('0' + a % 10);
    tmp[--i] = (char)('0' + a / 10 % 10);
    tmp[--i] = '.';
    a /= 100;
    do {
        tmp[--i] = (char)('0' + a % 10);
        a /= 10;
    } while (a);
    if (v < 0)
        tmp[--i] = '-';
    if (n > 0) /* truncated as snprintf would */
        rg_strlcpy(buf, tmp + i, n);
    return buf;
}

char *rg_pct_format(int64_t h, char *buf, size_t n)
{
    return rg_money_format_plain(h, buf, n);
}
