#include "br/dv.h"

int rg_dv_mod10(const char *s, size_t n)
{
    int sum = 0;
    int w = 2;
    for (size_t i = n; i-- > 0;) {
        int p = (s[i] - '0') * w;
        sum += p / 10 + p % 10;
        w = 3 - w;
    }
    return (10 - sum % 10) % 10;
}

long rg_dv_wsum(const char *s, size_t n, int wmin, int wmax)
{
    long sum = 0;
    int w = wmin;
    for (size_t i = n; i-- > 0;) {
        sum += (long)(s[i] - '0') * w;
        w = (w >= wmax) ? wmin : w + 1;
    }
    return sum;
}

int rg_dv_mod11(const char *s, size_t n, int fallback)
{
    int d = 11 - (int)(rg_dv_wsum(s, n, 2, 9) % 11);
    return (d == 0 || d == 10 || d == 11) ? fallback : d;
}

bool rg_dv_all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

long rg_dv_digits(const char *s, size_t len, char *out, size_t cap, const char *where, rg_err *e)
{
    size_t n = 0;
    if (cap == 0)
        return -1;
    out[0] = '\0';
    if (!s)
        len = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '.' || c == '-')
            continue;
        if (c < '0' || c > '9') {
            if (c >= 0x20 && c < 0x7f)
                rg_err_set(e, RG_EINVAL, where, "unexpected character '%c' at position %zu", c, i + 1);
            else
                rg_err_set(e, RG_EINVAL, where, "unexpected byte 0x%02X at position %zu", c, i + 1);
            out[0] = '\0';
            return -1;
        }
        if (n + 1 >= cap) {
            /* Count the rest to report the real length. */
            size_t total = n + 1;
            for (size_t j = i + 1; j < len; j++)
                if (s[j] >= '0' && s[j] <= '9')
                    total++;
            rg_err_set(e, RG_EINVAL, where, "too long: %zu digits, at most %zu expected", total,
                       cap - 1);
            out[0] = '\0';
            return -1;
        }
        out[n++] = (char)c;
    }
    out[n] = '\0';
    return (long)n;
}
