#include "br/pix.h"

#include <stdio.h>
#include <string.h>

#include "br/doc.h"

#define WHERE "brcode"
#define GUI "br.gov.bcb.pix"

uint16_t rg_pix_crc16(const char *s, size_t n)
{
    uint16_t crc = 0xFFFF;
    for (size_t i = 0; i < n; i++) {
        crc ^= (uint16_t)((unsigned char)s[i] << 8);
        for (int b = 0; b < 8; b++)
            crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
    }
    return crc;
}

const char *rg_pix_type_name(rg_pix_type t)
{
    switch (t) {
    case RG_PIX_STATIC: return "static";
    case RG_PIX_DYNAMIC: return "dynamic";
    default: return "none";
    }
}

/* ---- normalisation --------------------------------------------------- */

/* ASCII for U+00C0..U+00FF (Latin-1 letters); "" drops the character. */
static const char *const latin1[64] = {
    "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
    "D", "N", "O", "O", "O", "O", "O", "x", "O", "U", "U", "U", "U", "Y", "TH", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",
};

/* Decodes one UTF-8 sequence at s (n bytes left) into *cp; returns its
 * length, or 1 with *cp = the byte for invalid input (read as Latin-1). */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t len = 0;
    uint32_t v = 0;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2;
        v = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        v = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        v = c & 0x07;
    }
    if (len == 0 || len > n)
        goto latin;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            goto latin;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if ((len == 2 && v < 0x80) || (len == 3 && v < 0x800) || (len == 4 && v < 0x10000))
        goto latin;
    *cp = v;
    return len;
latin:
    *cp = c;
    return 1;
}

char *rg_pix_normalize(const char *in, size_t max, char *out, size_t cap)
{
    if (cap == 0)
        return out;
    size_t n = 0;
    size_t limit = max < cap - 1 ? max : cap - 1;
    const unsigned char *s = (const unsigned char *)(in ? in : "");
    size_t left = strlen((const char *)s);
    bool space = false;
    while (left > 0 && n < limit) {
        uint32_t cp;
        size_t k = utf8_next(s, left, &cp);
        s += k;
        left -= k;
        const char *rep = NULL;
        char one[2] = {0, 0};
        if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0xA0) {
            space = n > 0;
            continue;
        } else if (cp > 0x20 && cp < 0x7F) {
            one[0] = (char)cp;
            rep = one;
        } else if (cp >= 0xC0 && cp <= 0xFF) {
            rep = latin1[cp - 0xC0];
        } else {
            continue; /* controls and everything else outside Latin-1 */
        }
        if (!*rep)
            continue;
        size_t rl = strlen(rep);
        if (n + (space ? 1 : 0) + rl > limit)
            break;
        if (space)
            out[n++] = ' ';
        space = false;
        memcpy(out + n, rep, rl);
        n += rl;
    }
    out[n] = '\0';
    return out;
}

/* ---- building -------------------------------------------------------- */

static bool given(const char *s)
{
    return s && *s;
}

/* Appends id + 2-digit length + value. */
static bool put(char *out, size_t cap, size_t *n, const char *id, const char *v, size_t vlen)
{
    if (vlen > 99 || *n + 4 + vlen >= cap)
        return false;
    snprintf(out + *n, cap - *n, "%s%02zu", id, vlen);
    memcpy(out + *n + 4, v, vlen);
    *n += 4 + vlen;
    out[*n] = '\0';
    return true;
}

static bool is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_hex_lower_or_upper(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_uuid(const char *k, size_t n)
{
    if (n != 36)
        return false;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (k[i] != '-')
                return false;
        } else if (!is_hex_lower_or_upper(k[i])) {
            return false;
        }
    }
    return true;
}

/* A Pix key: CPF, CNPJ (digits or alphanumeric), +E.164 phone, e-mail, or
 * a random key (UUID). */
static rg_status check_key(const char *k, rg_err *e)
{
    size_t n = strlen(k);
    if (n > 77)
        return rg_err_set(e, RG_EINVAL, "key", "%zu characters, at most 77", n);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)k[i] <= 0x20 || (unsigned char)k[i] >= 0x7F)
            return rg_err_set(e, RG_EINVAL, "key",
                              "a key has no spaces or non-ASCII characters (position %zu)", i + 1);
    if (k[0] == '+') {
        size_t d = 0;
        for (size_t i = 1; i < n; i++)
            if (k[i] >= '0' && k[i] <= '9')
                d++;
        if (d != n - 1 || d < 8 || d > 15 || k[1] == '0')
            return rg_err_set(e, RG_EINVAL, "key",
                              "a phone key is + and 8 to 15 digits (E.164, e.g. +5511987654321)");
        return RG_OK;
    }
    if (strchr(k, '@')) {
        const char *at = strchr(k, '@');
        if (at == k || strchr(at + 1, '@') || !strchr(at + 1, '.') || at[1] == '.' ||
            k[n - 1] == '.')
            return rg_err_set(e, RG_EINVAL, "key", "\"%s\" is not an e-mail address", k);
        return RG_OK;
    }
    if (is_uuid(k, n))
        return RG_OK;
    if (n == 11 || n == 14) {
        rg_doc d;
        rg_err de;
        if (!rg_doc_parse(k, n, &d, &de))
            return rg_err_set(e, RG_EINVAL, "key", "%s key: %s", n == 11 ? "CPF" : "CNPJ", de.msg);
        return RG_OK;
    }
    return rg_err_set(e, RG_EINVAL, "key",
                      "\"%s\" is not a Pix key (CPF, CNPJ, e-mail, +55 phone or random key)", k);
}

rg_status rg_pix_build(const rg_pix_params *p, char *out, size_t cap, rg_err *e)
{
    if (out && cap)
        out[0] = '\0';
    if (!p || !out || cap < 64)
        return rg_err_set(e, RG_EINTERNAL, WHERE, "no parameters or no room for the code");
    bool dynamic = given(p->url);
    if (given(p->key) == dynamic)
        return rg_err_set(e, RG_EINVAL, dynamic ? "url" : "key",
                          dynamic ? "give either a key (static) or a URL (dynamic), not both"
                                  : "a key (static) or a URL (dynamic) is required");
    char name[RG_PIX_NAME_MAX + 1], city[RG_PIX_CITY_MAX + 1], desc[100], url[100];
    rg_pix_normalize(p->merchant_name, RG_PIX_NAME_MAX, name, sizeof name);
    rg_pix_normalize(p->merchant_city, RG_PIX_CITY_MAX, city, sizeof city);
    if (!name[0])
        return rg_err_set(e, RG_EINVAL, "merchant_name", "required (up to 25 characters)");
    if (!city[0])
        return rg_err_set(e, RG_EINVAL, "merchant_city", "required (up to 15 characters)");
    desc[0] = '\0';
    if (given(p->description)) {
        if (dynamic)
            return rg_err_set(e, RG_EINVAL, "description",
                              "a dynamic code carries its description in the payload at the URL");
        rg_pix_normalize(p->description, sizeof desc - 1, desc, sizeof desc);
    }
    const char *txid = "***";
    if (given(p->txid) && strcmp(p->txid, "***") != 0) {
        if (dynamic)
            return rg_err_set(e, RG_EINVAL, "txid",
                              "a dynamic code carries its txid in the payload at the URL; tag "
                              "62.05 is ***");
        size_t tl = strlen(p->txid);
        if (tl > RG_PIX_TXID_MAX)
            return rg_err_set(e, RG_EINVAL, "txid", "%zu characters, at most 25", tl);
        for (size_t i = 0; i < tl; i++)
            if (!is_alnum(p->txid[i]))
                return rg_err_set(e, RG_EINVAL, "txid",
                                  "only letters and digits, found '%c' at position %zu",
                                  p->txid[i], i + 1);
        txid = p->txid;
    }
    if (p->has_amount && (p->amount_cents <= 0 || p->amount_cents > RG_PIX_MAX_CENTS))
        return rg_err_set(e, RG_EINVAL, "amount",
                          "%lld centavos: must be 0.01 .. 9999999999.99 (omit it for an open "
                          "amount)",
                          (long long)p->amount_cents);
    const char *mcc = given(p->mcc) ? p->mcc : "0000";
    if (strlen(mcc) != 4 || strspn(mcc, "0123456789") != 4)
        return rg_err_set(e, RG_EINVAL, "mcc", "expected 4 digits, found \"%s\"", mcc);

    /* Merchant account template (tag 26). */
    char mai[128];
    size_t mn = 0;
    bool ok = put(mai, sizeof mai, &mn, "00", GUI, strlen(GUI));
    if (dynamic) {
        const char *u = p->url;
        if (strncmp(u, "https://", 8) == 0 || strncmp(u, "HTTPS://", 8) == 0)
            u += 8;
        size_t ul = strlen(u);
        if (ul == 0 || ul > 77)
            return rg_err_set(e, RG_EINVAL, "url", "%zu characters without https://, expected 1 .. 77",
                              ul);
        for (size_t i = 0; i < ul; i++)
            if ((unsigned char)u[i] <= 0x20 || (unsigned char)u[i] >= 0x7F)
                return rg_err_set(e, RG_EINVAL, "url",
                                  "no spaces or non-ASCII characters (position %zu)", i + 1);
        snprintf(url, sizeof url, "%s", u);
        ok = ok && put(mai, sizeof mai, &mn, "25", url, ul);
    } else {
        if (check_key(p->key, e) != RG_OK)
            return RG_EINVAL;
        ok = ok && put(mai, sizeof mai, &mn, "01", p->key, strlen(p->key));
        if (ok && desc[0])
            ok = put(mai, sizeof mai, &mn, "02", desc, strlen(desc));
    }
    if (!ok || mn > 99)
        return rg_err_set(e, RG_EINVAL, "description",
                          "the Pix account field (tag 26) would exceed 99 bytes: the key and "
                          "description together may have at most 73 characters (%zu + %zu given)",
                          p->key ? strlen(p->key) : 0, strlen(desc));

    char add[32];
    size_t an = 0;
    put(add, sizeof add, &an, "05", txid, strlen(txid));

    char amount[24];
    size_t n = 0;
    ok = put(out, cap, &n, "00", "01", 2);
    if (p->single_use)
        ok = ok && put(out, cap, &n, "01", "12", 2);
    ok = ok && put(out, cap, &n, "26", mai, mn) && put(out, cap, &n, "52", mcc, 4) &&
         put(out, cap, &n, "53", "986", 3);
    if (ok && p->has_amount) {
        int al = snprintf(amount, sizeof amount, "%lld.%02lld",
                          (long long)(p->amount_cents / 100), (long long)(p->amount_cents % 100));
        ok = put(out, cap, &n, "54", amount, (size_t)al);
    }
    ok = ok && put(out, cap, &n, "58", "BR", 2) && put(out, cap, &n, "59", name, strlen(name)) &&
         put(out, cap, &n, "60", city, strlen(city)) && put(out, cap, &n, "62", add, an);
    if (!ok || n + 8 >= cap) {
        out[0] = '\0';
        return rg_err_set(e, RG_EINTERNAL, WHERE, "output buffer of %zu bytes is too small", cap);
    }
    memcpy(out + n, "6304", 4);
    n += 4;
    snprintf(out + n, cap - n, "%04X", rg_pix_crc16(out, n));
    return RG_OK;
}

/* ---- parsing ----------------------------------------------------------- */

typedef struct tlv {
    const char *p; /* the template's bytes */
    size_t n;
    size_t pos;
    const char *ctx; /* "" for the top level, "26." for a nested template */
    size_t base;     /* offset of p inside the whole code, for messages */
} tlv;

/* Reads the next TLV. Returns 1 with *id, *v, *vn set; 0 at the end; -1
 * on a malformed TLV (error set). */
static int tlv_next(tlv *t, int *id, const char **v, size_t *vn, rg_err *e)
{
    if (t->pos >= t->n)
        return 0;
    size_t off = t->base + t->pos;
    const char *h = t->p + t->pos;
    size_t left = t->n - t->pos;
    if (left < 4) {
        rg_err_set(e, RG_EINVAL, WHERE, "offset %zu: truncated field header (%zu bytes left, "
                                       "a field starts with 2-digit id and 2-digit length)",
                   off, left);
        return -1;
    }
    if (h[0] < '0' || h[0] > '9' || h[1] < '0' || h[1] > '9') {
        rg_err_set(e, RG_EINVAL, WHERE, "offset %zu: field id must be 2 digits, found \"%c%c\"",
                   off, (h[0] >= 0x20 && h[0] < 0x7f) ? h[0] : '?',
                   (h[1] >= 0x20 && h[1] < 0x7f) ? h[1] : '?');
        return -1;
    }
    *id = (h[0] - '0') * 10 + (h[1] - '0');
    if (h[2] < '0' || h[2] > '9' || h[3] < '0' || h[3] > '9') {
        rg_err_set(e, RG_EINVAL, WHERE, "tag %s%02d at offset %zu: length must be 2 digits",
                   t->ctx, *id, off);
        return -1;
    }
    size_t len = (size_t)((h[2] - '0') * 10 + (h[3] - '0'));
    if (len > left - 4) {
        rg_err_set(e, RG_EINVAL, WHERE,
                   "tag %s%02d at offset %zu: declares %zu bytes but only %zu remain (truncated)",
                   t->ctx, *id, off, len, left - 4);
        return -1;
    }
    if (len == 0) {
        rg_err_set(e, RG_EINVAL, WHERE, "tag %s%02d at offset %zu: empty value", t->ctx, *id, off);
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)h[4 + i];
        if (c < 0x20 || c == 0x7F) {
            rg_err_set(e, RG_EINVAL, WHERE, "tag %s%02d: control character 0x%02X in its value",
                       t->ctx, *id, c);
            return -1;
        }
    }
    *v = h + 4;
    *vn = len;
    t->pos += 4 + len;
    return 1;
}

static bool all_digits(const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] < '0' || v[i] > '9')
            return false;
    return true;
}

static bool eq_nocase(const char *a, size_t an, const char *b)
{
    size_t bn = strlen(b);
    if (an != bn)
        return false;
    for (size_t i = 0; i < an; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

static void copy(char *dst, size_t cap, const char *v, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, v, n);
    dst[n] = '\0';
}

/* "10", "10.5", "10.50" -> centavos. */
static bool parse_amount(const char *v, size_t n, rg_cents *out)
{
    if (n == 0 || n > 13)
        return false;
    rg_cents units = 0;
    size_t i = 0;
    for (; i < n && v[i] >= '0' && v[i] <= '9'; i++)
        units = units * 10 + (v[i] - '0');
    if (i == 0)
        return false;
    rg_cents cents = 0;
    if (i < n) {
        if (v[i] != '.')
            return false;
        size_t dec = n - i - 1;
        if (dec == 0 || dec > 2)
            return false;
        for (size_t k = i + 1; k < n; k++) {
            if (v[k] < '0' || v[k] > '9')
                return false;
            cents = cents * 10 + (v[k] - '0');
        }
        if (dec == 1)
            cents *= 10;
    }
    *out = units * 100 + cents;
    return true;
}

/* Parses the Pix merchant account template into *x. Returns 1 when it is
 * the Pix one, 0 when it belongs to another scheme, -1 on error. */
static int parse_account(const char *v, size_t vn, size_t base, int tag, rg_pix *x, rg_err *e)
{
    char ctx[8];
    snprintf(ctx, sizeof ctx, "%02d.", tag);
    tlv t = {v, vn, 0, ctx, base};
    int id;
    const char *sv;
    size_t sn;
    int r;
    bool pix = false, seen[100] = {false};
    const char *key = NULL, *url = NULL, *desc = NULL;
    size_t keyn = 0, urln = 0, descn = 0;
    while ((r = tlv_next(&t, &id, &sv, &sn, e)) == 1) {
        if (seen[id]) {
            rg_err_set(e, RG_EINVAL, WHERE, "tag %s%02d appears twice", ctx, id);
            return -1;
        }
        seen[id] = true;
        if (id == 0)
            pix = eq_nocase(sv, sn, GUI);
        else if (id == 1)
            key = sv, keyn = sn;
        else if (id == 2)
            desc = sv, descn = sn;
        else if (id == 25)
            url = sv, urln = sn;
    }
    if (r < 0)
        return -1;
    if (!pix)
        return 0;
    if (key && url) {
        rg_err_set(e, RG_EINVAL, WHERE,
                   "tag %d has both a key (%s01) and a URL (%s25); a code is static or dynamic",
                   tag, ctx, ctx);
        return -1;
    }
    if (!key && !url) {
        rg_err_set(e, RG_EINVAL, WHERE, "tag %d has neither a key (%s01) nor a URL (%s25)", tag,
                   ctx, ctx);
        return -1;
    }
    if (key) {
        if (keyn > 77) {
            rg_err_set(e, RG_EINVAL, WHERE, "tag %s01 (key): %zu bytes, at most 77", ctx, keyn);
            return -1;
        }
        x->type = RG_PIX_STATIC;
        copy(x->key, sizeof x->key, key, keyn);
    } else {
        if (urln > 77) {
            rg_err_set(e, RG_EINVAL, WHERE, "tag %s25 (URL): %zu bytes, at most 77", ctx, urln);
            return -1;
        }
        x->type = RG_PIX_DYNAMIC;
        copy(x->url, sizeof x->url, url, urln);
    }
    if (desc)
        copy(x->description, sizeof x->description, desc, descn);
    return 1;
}

static rg_status parse_txid(const char *v, size_t vn, size_t base, rg_pix *x, rg_err *e)
{
    tlv t = {v, vn, 0, "62.", base};
    int id;
    const char *sv;
    size_t sn;
    int r;
    bool seen[100] = {false};
    while ((r = tlv_next(&t, &id, &sv, &sn, e)) == 1) {
        if (seen[id])
            return rg_err_set(e, RG_EINVAL, WHERE, "tag 62.%02d appears twice", id);
        seen[id] = true;
        if (id != 5)
            continue;
        bool stars = sn == 3 && memcmp(sv, "***", 3) == 0;
        if (!stars) {
            if (sn > RG_PIX_TXID_MAX)
                return rg_err_set(e, RG_EINVAL, WHERE,
                                  "tag 62.05 (txid): %zu characters, at most 25", sn);
            for (size_t i = 0; i < sn; i++)
                if (!is_alnum(sv[i]))
                    return rg_err_set(e, RG_EINVAL, WHERE,
                                      "tag 62.05 (txid): only letters and digits or ***, found "
                                      "'%c' at position %zu",
                                      sv[i], i + 1);
        }
        copy(x->txid, sizeof x->txid, sv, sn);
    }
    return r < 0 ? RG_EINVAL : RG_OK;
}

rg_status rg_pix_parse(const char *s, size_t len, rg_pix *out, rg_err *e)
{
    rg_pix x;
    memset(&x, 0, sizeof x);
    if (out)
        memset(out, 0, sizeof *out);
    if (!s)
        len = 0;
    while (len > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[0] == '\r')) {
        s++;
        len--;
    }
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' ||
                       s[len - 1] == '\r'))
        len--;
    if (len == 0)
        return rg_err_set(e, RG_EINVAL, WHERE, "empty code");

    tlv t = {s, len, 0, "", 0};
    int id, r;
    const char *v;
    size_t vn;
    bool seen[100] = {false};
    const char *tags[100] = {NULL};
    size_t tagn[100] = {0}, tagoff[100] = {0};
    bool crc_seen = false;
    while ((r = tlv_next(&t, &id, &v, &vn, e)) == 1) {
        size_t off = (size_t)(v - s) - 4;
        if (off == 0 && id != 0)
            return rg_err_set(e, RG_EINVAL, WHERE,
                              "a BR Code starts with tag 00 (payload format), found tag %02d", id);
        if (seen[id])
            return rg_err_set(e, RG_EINVAL, WHERE, "tag %02d appears twice", id);
        seen[id] = true;
        tags[id] = v;
        tagn[id] = vn;
        tagoff[id] = off;
        if (id == 63) {
            if (vn != 4 || t.pos != len)
                return rg_err_set(e, RG_EINVAL, WHERE,
                                  "tag 63 (CRC) must be the last field, with 4 hex digits");
            crc_seen = true;
        }
    }
    if (r < 0)
        return RG_EINVAL;
    if (!crc_seen)
        return rg_err_set(e, RG_EINVAL, WHERE, "no CRC: the code must end with tag 63");
    char crc[5];
    copy(crc, sizeof crc, tags[63], 4);
    for (int i = 0; i < 4; i++) {
        if (!is_hex_lower_or_upper(crc[i]))
            return rg_err_set(e, RG_EINVAL, WHERE, "tag 63 (CRC): \"%s\" is not 4 hex digits", crc);
        if (crc[i] >= 'a')
            crc[i] = (char)(crc[i] - 'a' + 'A');
    }
    char want[5];
    snprintf(want, sizeof want, "%04X", rg_pix_crc16(s, len - 4));
    if (strcmp(crc, want) != 0)
        return rg_err_set(e, RG_EINVAL, WHERE,
                          "CRC mismatch: the code says %s but its content gives %s (altered or "
                          "truncated copy)",
                          crc, want);
    memcpy(x.crc, crc, 5);

    if (tagn[0] != 2 || memcmp(tags[0], "01", 2) != 0)
        return rg_err_set(e, RG_EINVAL, WHERE,
                          "tag 00 (payload format indicator) must be \"01\", found \"%.*s\"",
                          (int)tagn[0], tags[0]);
    if (seen[1]) {
        if (tagn[1] != 2 || (memcmp(tags[1], "11", 2) != 0 && memcmp(tags[1], "12", 2) != 0))
            return rg_err_set(e, RG_EINVAL, WHERE,
                              "tag 01 (point of initiation) must be 11 or 12, found \"%.*s\"",
                              (int)tagn[1], tags[1]);
        x.single_use = tags[1][1] == '2';
    }
    /* The Pix merchant account: one of the templates 26..51. */
    int found = 0;
    for (int k = 26; k <= 51 && !found; k++) {
        if (!seen[k])
            continue;
        found = parse_account(tags[k], tagn[k], tagoff[k] + 4, k, &x, e);
        if (found < 0)
            return RG_EINVAL;
    }
    if (!found)
        return rg_err_set(e, RG_EINVAL, WHERE,
                          "no Pix account: none of tags 26-51 has GUI br.gov.bcb.pix");
    if (!seen[52] || tagn[52] != 4 || !all_digits(tags[52], 4))
        return rg_err_set(e, RG_EINVAL, WHERE,
                          "tag 52 (merchant category code) must be 4 digits%s",
                          seen[52] ? "" : "; it is missing");
    copy(x.mcc, sizeof x.mcc, tags[52], 4);
    if (!seen[53] || tagn[53] != 3 || memcmp(tags[53], "986", 3) != 0)
        return rg_err_set(e, RG_EINVAL, WHERE, "tag 53 (currency) must be 986 (BRL)%s",
                          seen[53] ? "" : "; it is missing");
    if (seen[54]) {
        if (!parse_amount(tags[54], tagn[54], &x.amount_cents))
            return rg_err_set(e, RG_EINVAL, WHERE,
                              "tag 54 (amount): \"%.*s\" is not an amount like 10.50", (int)tagn[54],
                              tags[54]);
        x.has_amount = true;
    }
    if (!seen[58] || tagn[58] != 2 || memcmp(tags[58], "BR", 2) != 0)
        return rg_err_set(e, RG_EINVAL, WHERE, "tag 58 (country) must be BR%s",
                          seen[58] ? "" : "; it is missing");
    if (!seen[59])
        return rg_err_set(e, RG_EINVAL, WHERE, "tag 59 (merchant name) is missing");
    if (tagn[59] > RG_PIX_NAME_MAX)
        return rg_err_set(e, RG_EINVAL, WHERE, "tag 59 (merchant name): %zu bytes, at most 25",
                          tagn[59]);
    copy(x.merchant_name, sizeof x.merchant_name, tags[59], tagn[59]);
    if (!seen[60])
        return rg_err_set(e, RG_EINVAL, WHERE, "tag 60 (merchant city) is missing");
    if (tagn[60] > RG_PIX_CITY_MAX)
        return rg_err_set(e, RG_EINVAL, WHERE, "tag 60 (merchant city): %zu bytes, at most 15",
                          tagn[60]);
    copy(x.merchant_city, sizeof x.merchant_city, tags[60], tagn[60]);
    if (seen[62] && parse_txid(tags[62], tagn[62], tagoff[62] + 4, &x, e) != RG_OK)
        return RG_EINVAL;
    if (out)
        *out = x;
    return RG_OK;
}

rg_status rg_pix_with_amount(const char *code, rg_cents amount, char *out, size_t cap, bool *is_static, rg_err *e)
{
    rg_pix px;
    out[0] = '\0';
    *is_static = false;
    rg_status rc = rg_pix_parse(code, strlen(code), &px, e);
    if (rc != RG_OK || px.type != RG_PIX_STATIC)
        return rc;
    *is_static = true;
    rg_pix_params pp;
    memset(&pp, 0, sizeof pp);
    pp.key = px.key;
    pp.description = px.description;
    pp.merchant_name = px.merchant_name;
    pp.merchant_city = px.merchant_city;
    pp.txid = px.txid;
    pp.has_amount = true;
    pp.amount_cents = amount;
    if ((rc = rg_pix_build(&pp, out, cap, e)) != RG_OK)
        out[0] = '\0';
    return rc;
}
