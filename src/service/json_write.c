#include "service/json_write.h"

#include <jansson.h>
#include <string.h>

#include "base/utf8.h"

void rg_jw_init(rg_jw *w, rg_buf *out)
{
    w->out = out;
    w->comma = false;
    w->bad = false;
}

bool rg_jw_ok(const rg_jw *w)
{
    return !w->bad && !w->out->oom;
}

/* The ',' a value or key needs after the container's previous one. */
static void sep(rg_jw *w)
{
    if (w->comma)
        rg_buf_putc(w->out, ',');
}

static void jw_open(rg_jw *w, char c)
{
    sep(w);
    rg_buf_putc(w->out, c);
    w->comma = false;
}

static void jw_close(rg_jw *w, char c)
{
    rg_buf_putc(w->out, c);
    w->comma = true;
}

void rg_jw_object(rg_jw *w)
{
    jw_open(w, '{');
}

void rg_jw_object_end(rg_jw *w)
{
    jw_close(w, '}');
}

void rg_jw_array(rg_jw *w)
{
    jw_open(w, '[');
}

void rg_jw_array_end(rg_jw *w)
{
    jw_close(w, ']');
}

void rg_jw_key(rg_jw *w, const char *key)
{
    size_t n = strlen(key);
    if (!rg_buf_reserve(w->out, n + 4))
        return;
    char *p = w->out->p + w->out->len;
    if (w->comma)
        *p++ = ',';
    *p++ = '"';
    memcpy(p, key, n);
    p += n;
    *p++ = '"';
    *p++ = ':';
    *p = '\0';
    w->out->len = (size_t)(p - w->out->p);
    w->comma = false;
}

/* The escaped text of s[0..n) (valid UTF-8) between quotes: runs that need
 * no escape are copied whole. */
static void put_escaped(rg_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    rg_buf_reserve(b, n + 2);
    rg_buf_putc(b, '"');
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        rg_buf_append(b, s + run, i - run);
        run = i + 1;
        char esc[6] = {'\\', 0};
        size_t len = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            len = 6;
        }
        rg_buf_append(b, esc, len);
    }
    rg_buf_append(b, s + run, n - run);
    rg_buf_putc(b, '"');
}

void rg_jw_stringn(rg_jw *w, const char *s, size_t n)
{
    sep(w);
    w->comma = true;
    if (!rg_utf8_valid(s, n)) {
        w->bad = true;
        rg_buf_append(w->out, "null", 4); /* keeps the text well formed; the document is refused anyway */
        return;
    }
    put_escaped(w->out, s, n);
}

void rg_jw_string(rg_jw *w, const char *s)
{
    rg_jw_stringn(w, s, strlen(s));
}

void rg_jw_null(rg_jw *w)
{
    sep(w);
    rg_buf_append(w->out, "null", 4);
    w->comma = true;
}

void rg_jw_opt_string(rg_jw *w, const char *s)
{
    if (s && *s)
        rg_jw_string(w, s);
    else
        rg_jw_null(w);
}

void rg_jw_bool(rg_jw *w, bool v)
{
    sep(w);
    rg_buf_append(w->out, v ? "true" : "false", v ? 4 : 5);
    w->comma = true;
}

void rg_jw_int(rg_jw *w, int64_t v)
{
    char d[24];
    char *p = d + sizeof d;
    /* the magnitude as unsigned: INT64_MIN has no positive int64 */
    uint64_t a = v < 0 ? (uint64_t)(-(v + 1)) + 1u : (uint64_t)v;
    do {
        *--p = (char)('0' + a % 10);
        a /= 10;
    } while (a);
    if (v < 0)
        *--p = '-';
    sep(w);
    rg_buf_append(w->out, p, (size_t)(d + sizeof d - p));
    w->comma = true;
}

void rg_jw_kstring(rg_jw *w, const char *key, const char *s)
{
    rg_jw_key(w, key);
    rg_jw_string(w, s);
}

void rg_jw_kopt_string(rg_jw *w, const char *key, const char *s)
{
    rg_jw_key(w, key);
    rg_jw_opt_string(w, s);
}

void rg_jw_kint(rg_jw *w, const char *key, int64_t v)
{
    rg_jw_key(w, key);
    rg_jw_int(w, v);
}

static int dump_to(const char *text, size_t n, void *b)
{
    rg_buf_append(b, text, n);
    return ((rg_buf *)b)->oom ? -1 : 0;
}

void rg_jw_json(rg_jw *w, const void *json)
{
    sep(w);
    w->comma = true;
    if (json_dump_callback(json, dump_to, w->out, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) != 0 &&
        !w->out->oom)
        w->bad = true;
}
