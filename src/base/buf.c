#include "base/buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void rg_buf_free(rg_buf *b)
{
    if (!b)
        return;
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->oom = false;
}

void rg_buf_reset(rg_buf *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
}

void rg_buf_truncate(rg_buf *b, size_t len)
{
    if (len >= b->len)
        return;
    b->len = len;
    b->p[len] = '\0';
}

bool rg_buf_reserve(rg_buf *b, size_t extra)
{
    if (b->oom)
        return false;
    if (extra > SIZE_MAX / 2 - b->len) {
        b->oom = true;
        return false;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

void rg_buf_append(rg_buf *b, const char *s, size_t n)
{
    if (!rg_buf_reserve(b, n))
        return;
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void rg_buf_puts(rg_buf *b, const char *s)
{
    rg_buf_append(b, s, strlen(s));
}

void rg_buf_putc(rg_buf *b, char c)
{
    rg_buf_append(b, &c, 1);
}

void rg_buf_printf(rg_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        rg_buf_append(b, small, (size_t)n);
        return;
    }
    if (!rg_buf_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

const char *rg_buf_cstr(const rg_buf *b)
{
    return b->p ? b->p : "";
}

char *rg_buf_detach(rg_buf *b)
{
    char *p = b->p;
    if (!p)
        p = calloc(1, 1);
    b->p = NULL;
    b->len = b->cap = 0;
    return p;
}

rg_slice rg_slice_cstr(const char *s)
{
    rg_slice r = {s ? s : "", s ? strlen(s) : 0};
    return r;
}

bool rg_slice_eq(rg_slice a, const char *cstr)
{
    size_t n = strlen(cstr);
    return a.n == n && memcmp(a.p, cstr, n) == 0;
}

bool rg_slice_eq_nocase(rg_slice a, const char *cstr)
{
    size_t n = strlen(cstr);
    return a.n == n && strncasecmp(a.p, cstr, n) == 0;
}

rg_slice rg_slice_trim(rg_slice s)
{
    while (s.n && (s.p[0] == ' ' || s.p[0] == '\t' || s.p[0] == '\r' || s.p[0] == '\n')) {
        s.p++;
        s.n--;
    }
    while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t' || s.p[s.n - 1] == '\r' ||
                   s.p[s.n - 1] == '\n'))
        s.n--;
    return s;
}

char *rg_slice_dup(rg_slice s)
{
    char *p = malloc(s.n + 1);
    if (!p)
        return NULL;
    if (s.n)
        memcpy(p, s.p, s.n);
    p[s.n] = '\0';
    return p;
}

bool rg_parse_i64(rg_slice s, int64_t min, int64_t max, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    *out = 0;
    if (s.n && (s.p[0] == '-' || s.p[0] == '+')) {
        neg = s.p[0] == '-';
        i++;
    }
    if (i == s.n)
        return false;
    uint64_t v = 0;
    for (; i < s.n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
        if (v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(s.p[i] - '0');
        if (v > (uint64_t)INT64_MAX + 1)
            return false;
    }
    int64_t r;
    if (neg)
        r = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    else if (v > (uint64_t)INT64_MAX)
        return false;
    else
        r = (int64_t)v;
    if (r < min || r > max)
        return false;
    *out = r;
    return true;
}

char *rg_strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

bool rg_strlcpy(char *dst, const char *src, size_t n)
{
    if (n == 0)
        return false;
    size_t len = strlen(src);
    size_t c = len < n - 1 ? len : n - 1;
    memcpy(dst, src, c);
    dst[c] = '\0';
    return c == len;
}

void *rg_array_grow(void **v, size_t n, size_t *cap, size_t size)
{
    if (n == *cap) {
        size_t c = *cap ? *cap * 2 : 8;
        if (c > SIZE_MAX / size)
            return NULL;
        void *q = realloc(*v, c * size);
        if (!q)
            return NULL;
        *v = q;
        *cap = c;
    }
    return (char *)*v + n * size;
}
