/*
 * libFuzzer harness for the Pix BR Code parser and builder.
 * Inputs starting with '#' are split at '\n' into key or URL, name, city,
 * description and txid and fed to rg_pix_build: whatever it accepts must
 * parse back to the same fields. Any other input goes to rg_pix_parse,
 * which must reject it cleanly or return fields within their limits and a
 * CRC that matches the content.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "br/pix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void build_mode(const char *s, size_t n)
{
    char buf[1024];
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *f[6] = {NULL};
    char *p = buf + 1;
    for (int i = 0; i < 6; i++) {
        f[i] = p;
        char *nl = strchr(p, '\n');
        if (!nl) {
            p = p + strlen(p);
            continue;
        }
        *nl = '\0';
        p = nl + 1;
    }
    rg_pix_params pp = {0};
    bool dynamic = f[0][0] == 'u';
    if (dynamic)
        pp.url = f[0] + 1;
    else
        pp.key = f[0];
    pp.merchant_name = f[1];
    pp.merchant_city = f[2];
    pp.description = f[3];
    pp.txid = f[4];
    if (f[5][0]) {
        pp.has_amount = true;
        pp.amount_cents = (rg_cents)strtoll(f[5], NULL, 10);
    }
    char out[RG_PIX_PAYLOAD_MAX];
    rg_err e;
    if (rg_pix_build(&pp, out, sizeof out, &e) != RG_OK) {
        if (out[0] != '\0')
            abort();
        return;
    }
    rg_pix x;
    if (rg_pix_parse(out, strlen(out), &x, &e) != RG_OK)
        abort();
    char norm[32];
    if (strcmp(x.merchant_name, rg_pix_normalize(pp.merchant_name, 25, norm, sizeof norm)) != 0)
        abort();
    if (strcmp(x.merchant_city, rg_pix_normalize(pp.merchant_city, 15, norm, sizeof norm)) != 0)
        abort();
    if (x.has_amount != pp.has_amount || (pp.has_amount && x.amount_cents != pp.amount_cents))
        abort();
    if (dynamic ? (x.type != RG_PIX_DYNAMIC) : (x.type != RG_PIX_STATIC || strcmp(x.key, pp.key)))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    if (size > 0 && s[0] == '#') {
        build_mode(s, size);
        return 0;
    }
    rg_pix x;
    rg_err e;
    if (rg_pix_parse(s, size, &x, &e) != RG_OK) {
        if (x.type != RG_PIX_NONE || e.msg[0] == '\0')
            abort();
        return 0;
    }
    if (x.type == RG_PIX_NONE || strlen(x.merchant_name) > RG_PIX_NAME_MAX ||
        strlen(x.merchant_city) > RG_PIX_CITY_MAX || strlen(x.txid) > RG_PIX_TXID_MAX ||
        strlen(x.crc) != 4)
        abort();
    return 0;
}
