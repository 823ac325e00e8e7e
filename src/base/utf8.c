#include "base/utf8.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

size_t rg_utf8_invalid_at(const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        if (c == 0)
            return i;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        uint32_t min, cp;
        if (c >= 0xC2 && c <= 0xDF)
            need = 1, min = 0x80, cp = c & 0x1F;
        else if ((c & 0xF0) == 0xE0)
            need = 2, min = 0x800, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4)
            need = 3, min = 0x10000, cp = c & 0x07;
        else
            return i;
        if (need >= n - i)
            return i;
        for (size_t k = 1; k <= need; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += need + 1;
    }
    return n;
}

bool rg_utf8_valid(const char *s, size_t n)
{
    return rg_utf8_invalid_at(s, n) == n;
}

/* regua's name -> iconv's */
static const char *iconv_name(const char *encoding)
{
    static const struct {
        const char *name, *iconv;
    } known[] = {
        {"utf-8", "UTF-8"},         {"utf8", "UTF-8"},        {"windows-1252", "WINDOWS-1252"},
        {"cp1252", "WINDOWS-1252"}, {"latin1", "ISO-8859-1"}, {"iso-8859-1", "ISO-8859-1"},
    };
    for (size_t i = 0; encoding && i < sizeof known / sizeof *known; i++)
        if (!strcasecmp(encoding, known[i].name))
            return known[i].iconv;
    return NULL;
}

bool rg_utf8_encoding_known(const char *encoding)
{
    return iconv_name(encoding) != NULL;
}

rg_status rg_utf8_convert(const char *encoding, const char *s, size_t n, rg_buf *out, size_t *bad_at, rg_err *e)
{
    const char *from = iconv_name(encoding);
    if (bad_at)
        *bad_at = 0;
    if (!from)
        return rg_err_set(e, RG_EINVAL, "encoding",
                          "'%s' is not an encoding regua reads (utf-8, windows-1252, latin1)", encoding);
    if (!strcmp(from, "UTF-8")) {
        size_t bad = rg_utf8_invalid_at(s, n);
        if (bad < n) {
            if (bad_at)
                *bad_at = bad;
            return rg_err_set(e, RG_EINVAL, "encoding", "byte 0x%02X is not valid UTF-8", (unsigned char)s[bad]);
        }
        rg_buf_append(out, s, n);
        return out->oom ? rg_err_set(e, RG_ENOMEM, "encoding", "out of memory") : RG_OK;
    }
    iconv_t cd = iconv_open("UTF-8", from);
    if (cd == (iconv_t)-1)
        return rg_err_set(e, RG_EINVAL, "encoding", "this system cannot convert from %s", from);
    rg_status rc = RG_OK;
    char *in = (char *)s;
    size_t left = n;
    while (left > 0) {
        char chunk[4096];
        char *o = chunk;
        size_t room = sizeof chunk;
        size_t r = iconv(cd, &in, &left, &o, &room);
        rg_buf_append(out, chunk, (size_t)(o - chunk));
        if (r == (size_t)-1 && errno != E2BIG) {
            size_t at = (size_t)(in - s);
            if (bad_at)
                *bad_at = at;
            rc = rg_err_set(e, RG_EINVAL, "encoding", "byte 0x%02X is not a %s character",
                            at < n ? (unsigned char)s[at] : 0, encoding);
            break;
        }
    }
    iconv_close(cd);
    if (rc == RG_OK && out->oom)
        rc = rg_err_set(e, RG_ENOMEM, "encoding", "out of memory");
    /* a NUL converts to a NUL: refuse it like any other control byte */
    if (rc == RG_OK) {
        const char *nul = memchr(s, 0, n);
        if (nul) {
            if (bad_at)
                *bad_at = (size_t)(nul - s);
            rc = rg_err_set(e, RG_EINVAL, "encoding", "a NUL byte is not text");
        }
    }
    return rc;
}
