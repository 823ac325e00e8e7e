#include "channel/mail.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "service/token.h"

/* RFC 2047: an encoded-word is at most 75 characters; 39 bytes of text make
 * "=?UTF-8?B?" + 52 base64 characters + "?=" = 64, which keeps a folded
 * header line under the recommended 78. */
#define WORD_BYTES 39
/* Longer unstructured values are encoded (and so folded) even when ASCII. */
#define PLAIN_HEADER_MAX 900

static bool is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

static bool prefix_nocase(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    if (len < n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)s[i]) != lower((unsigned char)prefix[i]))
            return false;
    return true;
}

/* RFC 5322 atext. */
static bool is_atext(unsigned char c)
{
    return is_alpha(c) || is_digit(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static bool dot_atom(const char *s, size_t n)
{
    if (n == 0 || s[0] == '.' || s[n - 1] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.') {
            if (s[i + 1] == '.')
                return false;
        } else if (!is_atext((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

static bool domain_ok(const char *s, size_t n)
{
    if (n == 0 || n > 253)
        return false;
    size_t label = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (label == 0 || label > 63 || s[i - 1] == '-' || s[i - label] == '-')
                return false;
            label = 0;
        } else if (is_alpha((unsigned char)s[i]) || is_digit((unsigned char)s[i]) || s[i] == '-') {
            label++;
        } else {
            return false;
        }
    }
    return true;
}

bool rg_mail_addr_valid(const char *addr)
{
    size_t n = strlen(addr);
    if (n < 3 || n > RG_MAIL_ADDR_MAX)
        return false;
    const char *at = strrchr(addr, '@');
    if (!at)
        return false;
    size_t local = (size_t)(at - addr);
    return local >= 1 && local <= 64 && dot_atom(addr, local) && domain_ok(at + 1, n - local - 1);
}

static rg_slice trim(const char *s, size_t n)
{
    while (n && is_space((unsigned char)*s))
        s++, n--;
    while (n && is_space((unsigned char)s[n - 1]))
        n--;
    return (rg_slice){s, n};
}

rg_status rg_mail_parse_mailbox(const char *s, const char *what, char name[RG_MAIL_NAME_MAX + 1],
                                char addr[RG_MAIL_ADDR_MAX + 1], rg_err *e)
{
    name[0] = addr[0] = '\0';
    rg_slice t = trim(s, strlen(s));
    rg_slice a = t, nm = {t.p, 0};
    if (t.n && t.p[t.n - 1] == '>') {
        const char *lt = NULL;
        for (size_t i = t.n; i-- > 0;)
            if (t.p[i] == '<') {
                lt = t.p + i;
                break;
            }
        if (!lt)
            return rg_err_set(e, RG_EINVAL, what, "'%s' has a '>' without '<'", s);
        a = trim(lt + 1, (size_t)(t.p + t.n - 1 - (lt + 1)));
        nm = trim(t.p, (size_t)(lt - t.p));
    }
    if (a.n > RG_MAIL_ADDR_MAX)
        return rg_err_set(e, RG_EINVAL, what, "the address in '%s' is longer than %d characters", s,
                          RG_MAIL_ADDR_MAX);
    memcpy(addr, a.p, a.n);
    addr[a.n] = '\0';
    if (!rg_mail_addr_valid(addr)) {
        addr[0] = '\0';
        return rg_err_set(e, RG_EINVAL, what, "'%s' is not an e-mail address (want addr@domain or Name <addr@domain>)",
                          s);
    }
    size_t o = 0;
    bool quoted = nm.n >= 2 && nm.p[0] == '"' && nm.p[nm.n - 1] == '"';
    size_t from = quoted ? 1 : 0, to = quoted ? nm.n - 1 : nm.n;
    for (size_t i = from; i < to; i++) {
        char c = nm.p[i];
        if (quoted && c == '\\' && i + 1 < to)
            c = nm.p[++i];
        if ((unsigned char)c < 0x20 || c == 0x7f || o == RG_MAIL_NAME_MAX) {
            name[0] = addr[0] = '\0';
            return rg_err_set(e, RG_EINVAL, what, "the name in '%s' is too long or has control characters", s);
        }
        name[o++] = c;
    }
    name[o] = '\0';
    return RG_OK;
}

/* Control characters (CR and LF above all) become spaces. */
static void put_clean(rg_buf *out, const char *s, size_t n)
{
    size_t start = out->len;
    rg_buf_append(out, s, n);
    if (out->oom)
        return;
    for (size_t i = start; i < out->len; i++)
        if ((unsigned char)out->p[i] < 0x20 || out->p[i] == 0x7f)
            out->p[i] = ' ';
}

/* B encoded-words of whole UTF-8 characters, separated by CRLF SP. */
static void put_words(rg_buf *out, const char *s, size_t n)
{
    size_t i = 0;
    bool first = true;
    while (i < n || first) {
        size_t end = i + WORD_BYTES < n ? i + WORD_BYTES : n;
        if (end < n) {
            size_t cut = end;
            while (cut > i && ((unsigned char)s[cut] & 0xC0) == 0x80)
                cut--;
            if (cut > i)
                end = cut;
        }
        char raw[WORD_BYTES];
        for (size_t k = i; k < end; k++)
            raw[k - i] = ((unsigned char)s[k] < 0x20 || s[k] == 0x7f) ? ' ' : s[k];
        char b64[sodium_base64_ENCODED_LEN(WORD_BYTES, sodium_base64_VARIANT_ORIGINAL)];
        sodium_bin2base64(b64, sizeof b64, (const unsigned char *)raw, end - i, sodium_base64_VARIANT_ORIGINAL);
        if (!first)
            rg_buf_puts(out, "\r\n ");
        rg_buf_printf(out, "=?UTF-8?B?%s?=", b64);
        first = false;
        i = end;
    }
}

static bool ascii_printable(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return false;
    return true;
}

void rg_mail_put_text(rg_buf *out, const char *value)
{
    size_t n = strlen(value);
    if (ascii_printable(value, n) && n <= PLAIN_HEADER_MAX && !strstr(value, "=?"))
        put_clean(out, value, n);
    else
        put_words(out, value, n);
}

void rg_mail_put_mailbox(rg_buf *out, const char *name, const char *addr)
{
    size_t n = strlen(name);
    if (n) {
        /* a name longer than any we accept is encoded, and so folded */
        bool plain = n <= RG_MAIL_NAME_MAX && ascii_printable(name, n) && !strstr(name, "=?");
        bool atoms = plain && name[0] != ' ' && name[n - 1] != ' ';
        for (size_t i = 0; i < n && atoms; i++)
            atoms = is_atext((unsigned char)name[i]) || name[i] == ' ';
        if (atoms) {
            rg_buf_append(out, name, n);
        } else if (plain) {
            rg_buf_putc(out, '"');
            for (size_t i = 0; i < n; i++) {
                if (name[i] == '"' || name[i] == '\\')
                    rg_buf_putc(out, '\\');
                put_clean(out, name + i, 1);
            }
            rg_buf_putc(out, '"');
        } else {
            put_words(out, name, n);
        }
        rg_buf_puts(out, " <");
        put_clean(out, addr, strlen(addr));
        rg_buf_putc(out, '>');
    } else {
        put_clean(out, addr, strlen(addr));
    }
}

char *rg_mail_date(rg_instant t, char *buf, size_t n)
{
    static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    rg_date d = rg_instant_utc_date(t);
    int sod = rg_instant_utc_seconds_of_day(t), y, m, day;
    rg_date_to_ymd(d, &y, &m, &day);
    snprintf(buf, n, "%s, %02d %s %04d %02d:%02d:%02d +0000", wd[rg_date_weekday(d)], day, mo[m - 1], y,
             sod / 3600, sod / 60 % 60, sod % 60);
    return buf;
}

void rg_mail_message_id(rg_buf *out, int64_t message_id, const char *idempotency_key, const char *domain)
{
    unsigned char h[8];
    char hex[2 * sizeof h + 1];
    crypto_generichash(h, sizeof h, (const unsigned char *)idempotency_key, strlen(idempotency_key), NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    rg_buf_printf(out, "<regua-%lld-%s@", (long long)message_id, hex);
    put_clean(out, domain, strlen(domain));
    rg_buf_putc(out, '>');
}

void rg_mail_crlf(rg_buf *out, const char *text, size_t len)
{
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] != '\r' && text[i] != '\n')
            continue;
        rg_buf_append(out, text + run, i - run);
        rg_buf_append(out, "\r\n", 2);
        if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
            i++;
        run = i + 1;
    }
    rg_buf_append(out, text + run, len - run);
}

static void put_escaped(rg_buf *out, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *r = NULL;
        switch (s[i]) {
        case '&': r = "&amp;"; break;
        case '<': r = "&lt;"; break;
        case '>': r = "&gt;"; break;
        case '"': r = "&quot;"; break;
        case '\'': r = "&#39;"; break;
        default: continue;
        }
        rg_buf_append(out, s + run, i - run);
        rg_buf_puts(out, r);
        run = i + 1;
    }
    rg_buf_append(out, s + run, n - run);
}

/* Length of the URL starting at s (which starts with http:// or https://):
 * up to a space, quote or angle bracket, without trailing punctuation and
 * without closing parentheses it did not open ("(see https://x.test/a)."). */
static size_t url_len(const char *s, size_t n)
{
    size_t k = 0;
    long depth = 0;
    while (k < n && (unsigned char)s[k] > 0x20 && s[k] != 0x7f && !strchr("<>\"'`", s[k])) {
        depth += s[k] == '(' ? 1 : s[k] == ')' ? -1 : 0;
        k++;
    }
    while (k && (strchr(".,;:!?]}", s[k - 1]) || (s[k - 1] == ')' && depth < 0))) {
        if (s[k - 1] == ')')
            depth++;
        k--;
    }
    return k;
}

static size_t url_start(const char *s, size_t n)
{
    size_t p = prefix_nocase(s, n, "http://") ? 7 : prefix_nocase(s, n, "https://") ? 8 : 0;
    return p && n > p ? p : 0;
}

/* One line of text, escaped, with URLs linked. */
static void put_line(rg_buf *out, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        if ((s[i] != 'h' && s[i] != 'H') || (i > 0 && (is_alpha((unsigned char)s[i - 1]) ||
                                                       is_digit((unsigned char)s[i - 1]))))
            continue;
        size_t p = url_start(s + i, n - i);
        if (!p)
            continue;
        size_t u = url_len(s + i, n - i);
        if (u <= p)
            continue;
        put_escaped(out, s + run, i - run);
        rg_buf_puts(out, "<a href=\"");
        put_escaped(out, s + i, u);
        rg_buf_puts(out, "\">");
        put_escaped(out, s + i, u);
        rg_buf_puts(out, "</a>");
        i += u - 1;
        run = i + 1;
    }
    put_escaped(out, s + run, n - run);
}

void rg_mail_text_to_html(rg_buf *out, const char *text, size_t len)
{
    rg_buf_puts(out, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n");
    bool in_p = false;
    size_t i = 0;
    while (i < len) {
        size_t e = i;
        while (e < len && text[e] != '\n' && text[e] != '\r')
            e++;
        rg_slice line = {text + i, e - i};
        if (trim(line.p, line.n).n == 0) {
            if (in_p)
                rg_buf_puts(out, "</p>\n");
            in_p = false;
        } else {
            rg_buf_puts(out, in_p ? "<br>\n" : "<p>");
            in_p = true;
            put_line(out, line.p, line.n);
        }
        if (e < len && text[e] == '\r' && e + 1 < len && text[e + 1] == '\n')
            e++;
        i = e + 1;
    }
    if (in_p)
        rg_buf_puts(out, "</p>\n");
    rg_buf_puts(out, "</body></html>\n");
}

/* ---- tracking ---- */

static void put_utf8(rg_buf *out, unsigned long cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    rg_buf_append(out, b, n);
}

/* Length of a character reference at s ("&amp;", "&#38;", "&#x26;") and
 * its code point; 0 when it is not one we decode. */
static size_t char_ref(const char *s, size_t n, unsigned long *cp)
{
    static const struct {
        const char *name;
        unsigned long cp;
    } named[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    for (size_t i = 0; i < sizeof named / sizeof *named; i++)
        if (prefix_nocase(s, n, named[i].name)) {
            *cp = named[i].cp;
            return strlen(named[i].name);
        }
    if (n < 4 || s[1] != '#')
        return 0;
    bool hex = s[2] == 'x' || s[2] == 'X';
    size_t k = hex ? 3 : 2;
    unsigned long v = 0;
    size_t digits = 0;
    for (; k < n && digits < 8; k++, digits++) {
        unsigned char c = (unsigned char)s[k];
        int d = is_digit(c) ? c - '0' : (hex && lower(c) >= 'a' && lower(c) <= 'f') ? lower(c) - 'a' + 10 : -1;
        if (d < 0)
            break;
        v = v * (hex ? 16 : 10) + (unsigned long)d;
    }
    if (!digits || k >= n || s[k] != ';' || v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return k + 1;
}

/* The href value decoded and trimmed into url; false when it is not an
 * http(s) URL worth tracking. */
static bool tracked_url(const char *v, size_t n, const char *base, size_t base_len, rg_buf *url)
{
    rg_buf_reset(url);
    for (size_t i = 0; i < n && url->len <= RG_MAIL_TRACK_URL_MAX;) {
        unsigned long cp;
        size_t r = v[i] == '&' ? char_ref(v + i, n - i, &cp) : 0;
        if (r) {
            put_utf8(url, cp);
            i += r;
        } else {
            rg_buf_putc(url, v[i++]);
        }
    }
    if (url->oom)
        return false;
    rg_slice u = trim(url->p ? url->p : "", url->len);
    if (u.n > RG_MAIL_TRACK_URL_MAX || !url_start(u.p, u.n))
        return false;
    for (size_t i = 0; i < u.n; i++)
        if ((unsigned char)u.p[i] < 0x20 || u.p[i] == 0x7f)
            return false;
    if (u.n >= base_len + 3 && !memcmp(u.p, base, base_len) && !memcmp(u.p + base_len, "/t/", 3))
        return false;
    memmove(url->p, u.p, u.n);
    url->len = u.n;
    url->p[u.n] = '\0';
    return true;
}

static size_t find_nocase(const char *s, size_t from, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = from; i + k <= n; i++)
        if (prefix_nocase(s + i, n - i, needle))
            return i;
    return n;
}

static rg_status put_click(rg_buf *out, const rg_mail_tracking *t, const char *base, size_t base_len,
                           const rg_buf *url, rg_buf *payload, rg_buf *tok, rg_err *e)
{
    rg_buf_reset(payload);
    rg_buf_reset(tok);
    rg_buf_printf(payload, "%lld|", (long long)t->message_id);
    rg_buf_append(payload, url->p, url->len);
    if (payload->oom)
        return rg_err_set(e, RG_ENOMEM, "mail", "out of memory");
    rg_status rc = rg_token_sign(t->secret, "c", payload->p, payload->len, tok, e);
    if (rc != RG_OK)
        return rc;
    rg_buf_puts(out, "href=\"");
    put_escaped(out, base, base_len);
    rg_buf_puts(out, "/t/c/");
    rg_buf_append(out, tok->p, tok->len);
    rg_buf_putc(out, '"');
    return RG_OK;
}

rg_status rg_mail_track_html(rg_buf *out, const char *html, size_t len, const rg_mail_tracking *t, rg_err *e)
{
    rg_status rc = RG_OK;
    rg_buf url = RG_BUF_INIT, tmp = RG_BUF_INIT, tok = RG_BUF_INIT;
    const char *base = t->public_url;
    size_t base_len = strlen(base);
    while (base_len && base[base_len - 1] == '/')
        base_len--;
    size_t body_close = SIZE_MAX;
    size_t i = 0;
    while (i < len) {
        if (html[i] != '<') {
            const char *lt = memchr(html + i, '<', len - i);
            size_t j = lt ? (size_t)(lt - html) : len;
            rg_buf_append(out, html + i, j - i);
            i = j;
            continue;
        }
        if (prefix_nocase(html + i, len - i, "<!--")) {
            size_t end = find_nocase(html, i + 4, len, "-->");
            size_t j = end < len ? end + 3 : len;
            rg_buf_append(out, html + i, j - i);
            i = j;
            continue;
        }
        size_t j = i + 1;
        bool closing = j < len && html[j] == '/';
        if (closing)
            j++;
        if (j >= len || !is_alpha((unsigned char)html[j])) {
            rg_buf_putc(out, '<');
            i++;
            continue;
        }
        size_t ns = j;
        while (j < len && (is_alpha((unsigned char)html[j]) || is_digit((unsigned char)html[j])))
            j++;
        char name[8] = "";
        if (j - ns < sizeof name)
            for (size_t k = ns; k < j; k++)
                name[k - ns] = (char)lower((unsigned char)html[k]);
        if (closing) {
            if (!strcmp(name, "body"))
                body_close = out->len;
            const char *gt = memchr(html + j, '>', len - j);
            size_t end = gt ? (size_t)(gt - html) + 1 : len;
            rg_buf_append(out, html + i, end - i);
            i = end;
            continue;
        }
        rg_buf_append(out, html + i, j - i);
        bool linky = !strcmp(name, "a") || !strcmp(name, "area");
        while (j < len) {
            size_t ws = j;
            while (j < len && (is_space((unsigned char)html[j]) || html[j] == '/'))
                j++;
            rg_buf_append(out, html + ws, j - ws);
            if (j >= len)
                break;
            if (html[j] == '>') {
                rg_buf_putc(out, '>');
                j++;
                break;
            }
            /* an attribute name (HTML allows a leading '=' in it) */
            size_t an = j++;
            while (j < len && !is_space((unsigned char)html[j]) && html[j] != '=' && html[j] != '>' &&
                   html[j] != '/')
                j++;
            size_t an_end = j, k = j;
            while (k < len && is_space((unsigned char)html[k]))
                k++;
            if (k >= len || html[k] != '=') {
                rg_buf_append(out, html + an, an_end - an);
                continue;
            }
            k++;
            while (k < len && is_space((unsigned char)html[k]))
                k++;
            size_t vs, ve, after;
            bool closed = true;
            if (k < len && (html[k] == '"' || html[k] == '\'')) {
                const char *q = memchr(html + k + 1, html[k], len - k - 1);
                vs = k + 1;
                ve = q ? (size_t)(q - html) : len;
                after = q ? ve + 1 : len;
                closed = q != NULL;
            } else {
                vs = k;
                ve = k;
                while (ve < len && !is_space((unsigned char)html[ve]) && html[ve] != '>')
                    ve++;
                after = ve;
            }
            if (linky && closed && an_end - an == 4 && prefix_nocase(html + an, 4, "href") &&
                tracked_url(html + vs, ve - vs, base, base_len, &url)) {
                if ((rc = put_click(out, t, base, base_len, &url, &tmp, &tok, e)) != RG_OK)
                    goto out;
            } else {
                rg_buf_append(out, html + an, after - an);
            }
            j = after;
        }
        i = j;
        if (!strcmp(name, "script") || !strcmp(name, "style")) {
            size_t end = find_nocase(html, i, len, !strcmp(name, "script") ? "</script" : "</style");
            rg_buf_append(out, html + i, end - i);
            i = end;
        }
    }

    /* the open pixel, before the last </body> */
    rg_buf_reset(&tmp);
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)t->message_id);
    rg_buf_puts(&tmp, "<img src=\"");
    put_escaped(&tmp, base, base_len);
    rg_buf_puts(&tmp, "/t/o/");
    if ((rc = rg_token_sign(t->secret, "o", id, strlen(id), &tmp, e)) != RG_OK)
        goto out;
    rg_buf_puts(&tmp, ".gif\" width=\"1\" height=\"1\" alt=\"\">");
    if (body_close != SIZE_MAX && !out->oom) {
        rg_buf_reset(&url);
        rg_buf_append(&url, out->p + body_close, out->len - body_close);
        out->len = body_close;
        rg_buf_append(out, tmp.p, tmp.len);
        rg_buf_append(out, url.p, url.len);
    } else {
        rg_buf_append(out, tmp.p, tmp.len);
    }
    if (out->oom || tmp.oom || url.oom)
        rc = rg_err_set(e, RG_ENOMEM, "mail", "out of memory");
out:
    rg_buf_free(&url);
    rg_buf_free(&tmp);
    rg_buf_free(&tok);
    return rc;
}

void rg_mail_list_unsubscribe(rg_buf *out, const char *mailto, const char *public_url, const char *token,
                              bool *one_click)
{
    bool url = public_url && *public_url && token && *token;
    if (one_click)
        *one_click = url && strncasecmp(public_url, "https://", 8) == 0;
    if (mailto && *mailto) {
        rg_buf_printf(out, "<mailto:%s?subject=unsubscribe", mailto);
        if (token && *token)
            rg_buf_printf(out, "-%s", token);
        rg_buf_putc(out, '>');
    }
    if (url) {
        size_t n = strlen(public_url);
        while (n && public_url[n - 1] == '/')
            n--;
        rg_buf_puts(out, mailto && *mailto ? ", <" : "<");
        rg_buf_append(out, public_url, n);
        rg_buf_printf(out, "/u/%s>", token);
    }
}
