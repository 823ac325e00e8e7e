/*
 * libFuzzer harness for the portal's form parser (src/http/portal.c,
 * rg_portal_form_parse: the body of every POST /p/TOKEN/ACTION). The input
 * is a body; when it parses, every field lies inside the buffer, there are
 * at most RG_PORTAL_MAX_FIELDS of them, a smaller limit refuses it, and
 * the fields percent-encoded again parse back to the same names and
 * values in the same order.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void encode(char *out, size_t *o, const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' ||
            *c == '_' || *c == '.' || *c == '~')
            out[(*o)++] = (char)*c;
        else if (*c == ' ')
            out[(*o)++] = '+';
        else {
            out[(*o)++] = '%';
            out[(*o)++] = "0123456789ABCDEF"[*c >> 4];
            out[(*o)++] = "0123456789ABCDEF"[*c & 15];
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > RG_PORTAL_BODY_MAX)
        return 0;
    char *buf = malloc(size + 1), *again = malloc(size + 1), *enc = malloc(3 * size + 2 * RG_PORTAL_MAX_FIELDS + 1);
    if (!buf || !again || !enc)
        abort();
    memcpy(buf, data, size);
    buf[size] = '\0';
    memcpy(again, buf, size + 1);
    rg_portal_field f[RG_PORTAL_MAX_FIELDS], g[RG_PORTAL_MAX_FIELDS];
    size_t n = 0, m = 0;
    if (rg_portal_form_parse(buf, f, RG_PORTAL_MAX_FIELDS, &n)) {
        if (n > RG_PORTAL_MAX_FIELDS)
            abort();
        size_t o = 0;
        for (size_t i = 0; i < n; i++) {
            /* inside the buffer, NUL-terminated there */
            if (f[i].name < buf || f[i].name > buf + size || strlen(f[i].name) > size ||
                (f[i].value[0] && (f[i].value < buf || f[i].value + strlen(f[i].value) > buf + size)))
                abort();
            if (i)
                enc[o++] = '&';
            encode(enc, &o, f[i].name);
            enc[o++] = '=';
            encode(enc, &o, f[i].value);
        }
        enc[o] = '\0';
        /* a smaller limit refuses it */
        if (n > 0 && rg_portal_form_parse(again, g, n - 1, &m))
            abort();
        /* encoded again, the same fields */
        if (!rg_portal_form_parse(enc, g, RG_PORTAL_MAX_FIELDS, &m) || m != n)
            abort();
        for (size_t i = 0; i < n; i++)
            if (strcmp(f[i].name, g[i].name) || strcmp(f[i].value, g[i].value))
                abort();
    }
    free(buf);
    free(again);
    free(enc);
    return 0;
}
