#include "base/width.h"

#include <stdint.h>
#include <string.h>

/* Decodes the code point at s[0..n); *len its bytes (1 for a bad byte,
 * which returns UINT32_MAX). */
static uint32_t decode(const unsigned char *s, size_t n, size_t *len)
{
    unsigned char c = s[0];
    size_t need;
    uint32_t cp, min;
    *len = 1;
    if (c < 0x80)
        return c;
    if ((c & 0xE0) == 0xC0) {
        need = 1;
        cp = c & 0x1F;
        min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        need = 2;
        cp = c & 0x0F;
        min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        need = 3;
        cp = c & 0x07;
        min = 0x10000;
    } else {
        return UINT32_MAX;
    }
    if (need >= n)
        return UINT32_MAX;
    for (size_t k = 1; k <= need; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return UINT32_MAX;
        cp = cp << 6 | (s[k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return UINT32_MAX;
    *len = need + 1;
    return cp;
}

static bool zero_width(uint32_t cp)
{
    return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) || (cp >= 0x1DC0 && cp <= 0x1DFF) ||
           (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE20 && cp <= 0xFE2F) || (cp >= 0x200B && cp <= 0x200F) ||
           cp == 0x2060 || cp == 0xFEFF;
}

size_t rg_text_width(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        size_t len;
        uint32_t cp = decode((const unsigned char *)s + i, n - i, &len);
        if (cp == UINT32_MAX || !zero_width(cp))
            w++;
        i += len;
    }
    return w;
}

void rg_buf_cell(rg_buf *out, const char *s, size_t width, bool fit)
{
    if (!s)
        s = "";
    size_t n = strlen(s);
    size_t w = rg_text_width(s, n);
    size_t keep = n;
    if (fit && w > width) {
        /* the bytes of the first width - 1 columns, with the marks that
         * follow the last of them */
        size_t cols = 0, i = 0;
        size_t room = width ? width - 1 : 0;
        while (i < n) {
            size_t len;
            uint32_t cp = decode((const unsigned char *)s + i, n - i, &len);
            bool zw = cp != UINT32_MAX && zero_width(cp);
            if (!zw && cols == room)
                break;
            if (!zw)
                cols++;
            i += len;
        }
        keep = i;
        w = cols;
    }
    rg_buf_append(out, s, keep);
    if (keep < n && width) {
        rg_buf_puts(out, "\xE2\x80\xA6"); /* … */
        w++;
    }
    for (; w < width; w++)
        rg_buf_putc(out, ' ');
}
