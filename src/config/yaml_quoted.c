#include "config/yaml_quoted.h"

#include <stdbool.h>
#include <stdint.h>

static bool is_white(char c)
{
    return c == ' ' || c == '\t';
}

/* Length of the line break at s[i] (CR LF, LF or CR), 0 when there is none. */
static size_t break_len(const char *s, size_t n, size_t i)
{
    if (i >= n)
        return 0;
    if (s[i] == '\n')
        return 1;
    if (s[i] == '\r')
        return i + 1 < n && s[i + 1] == '\n' ? 2 : 1;
    return 0;
}

/* Called just after a line break: skips the lines that hold only
 * whitespace and the next line's indentation; returns how many empty
 * lines there were (each one is a line feed in the value). */
static size_t skip_empty_lines(const char *s, size_t n, size_t *i)
{
    size_t empty = 0;
    for (;;) {
        size_t j = *i;
        while (j < n && is_white(s[j]))
            j++;
        size_t br = break_len(s, n, j);
        *i = j;
        if (!br)
            return empty;
        empty++;
        *i = j + br;
    }
}

static void put_utf8(rg_buf *out, uint32_t cp)
{
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        cp = 0xFFFD;
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    rg_buf_append(out, u, n);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes the escape whose letter is at s[i] (just after the backslash);
 * returns the index after it. An escape the parser would have refused is
 * kept as written. */
static size_t decode_escape(const char *s, size_t n, size_t i, rg_buf *out)
{
    static const char simple_from[] = "0abt\tnvfre \"/\\";
    static const char simple_to[] = "\0\a\b\t\t\n\v\f\r\x1b \"/\\";
    char c = s[i];
    for (size_t k = 0; k < sizeof simple_from - 1; k++) {
        if (c == simple_from[k]) {
            rg_buf_putc(out, simple_to[k]);
            return i + 1;
        }
    }
    size_t digits = 0;
    switch (c) {
    case 'N':
        put_utf8(out, 0x85);
        return i + 1;
    case '_':
        put_utf8(out, 0xA0);
        return i + 1;
    case 'L':
        put_utf8(out, 0x2028);
        return i + 1;
    case 'P':
        put_utf8(out, 0x2029);
        return i + 1;
    case 'x':
        digits = 2;
        break;
    case 'u':
        digits = 4;
        break;
    case 'U':
        digits = 8;
        break;
    default:
        break;
    }
    uint32_t cp = 0;
    bool valid = digits > 0 && i + digits < n;
    for (size_t k = 1; valid && k <= digits; k++) {
        int d = hex_digit(s[i + k]);
        if (d < 0)
            valid = false;
        else
            cp = cp << 4 | (uint32_t)d;
    }
    if (!valid) {
        rg_buf_putc(out, '\\');
        return i;
    }
    put_utf8(out, cp);
    return i + 1 + digits;
}

void rg_yaml_unquote(rg_yaml_quote style, const char *raw, size_t len, rg_buf *out)
{
    /* Output length after the last character that is not line-trailing
     * whitespace: a folded line break drops what follows it. */
    size_t content_end = out->len;
    size_t i = 0;
    while (i < len) {
        char c = raw[i];
        size_t br = break_len(raw, len, i);
        if (br) {
            rg_buf_truncate(out, content_end);
            i += br;
            size_t empty = skip_empty_lines(raw, len, &i);
            if (empty == 0)
                rg_buf_putc(out, ' ');
            for (size_t k = 0; k < empty; k++)
                rg_buf_putc(out, '\n');
            content_end = out->len;
            continue;
        }
        if (is_white(c)) {
            rg_buf_putc(out, c);
            i++;
            continue;
        }
        if (style == RG_YAML_SINGLE_QUOTED && c == '\'') {
            rg_buf_putc(out, '\'');
            i += i + 1 < len && raw[i + 1] == '\'' ? 2 : 1;
        } else if (style == RG_YAML_DOUBLE_QUOTED && c == '\\' && i + 1 < len) {
            size_t escaped_break = break_len(raw, len, i + 1);
            if (escaped_break) {
                /* an escaped line break joins the lines, keeping the
                 * whitespace before the backslash */
                i += 1 + escaped_break;
                size_t empty = skip_empty_lines(raw, len, &i);
                for (size_t k = 0; k < empty; k++)
                    rg_buf_putc(out, '\n');
            } else {
                i = decode_escape(raw, len, i + 1, out);
            }
        } else {
            rg_buf_putc(out, c);
            i++;
        }
        content_end = out->len;
    }
}
