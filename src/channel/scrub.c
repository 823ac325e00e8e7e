#include "channel/scrub.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"

/* A form to replace: a secret, an encoding of it, or a base64 fragment. */
typedef struct pat {
    char *p;
    size_t n;
} pat;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pat *pats;      /* longest first */
static size_t n_pats, cap_pats;
static char **names;   /* extra header names, lower case */
static size_t n_names, cap_names;
static unsigned char first[256]; /* first bytes of the patterns */

/* Header and field names whose values are credentials, lower case. */
static const char *const known_names[] = {
    "authorization", "proxy-authorization", "x-api-token", "x-api-key",    "api-key",      "api_key",
    "apikey",        "x-auth-token",        "auth-token",  "auth_token",   "access_token", "x-access-token",
    "password",      "client_secret",
};
#define N_KNOWN (sizeof known_names / sizeof *known_names)

/* Authentication schemes kept before the redacted value. */
static const char *const schemes[] = {"bearer", "basic", "token", "digest", "bot", "key", "oauth", "negotiate"};

static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void wipe_free(char *p, size_t n)
{
    if (p) {
        volatile char *v = p;
        for (size_t i = 0; i < n; i++)
            v[i] = 0;
        free(p);
    }
}

/* ---- the registry (callers hold mu) ---- */

static void add_pat_locked(const char *s, size_t n)
{
    if (n < RG_SCRUB_MIN)
        return;
    for (size_t i = 0; i < n_pats; i++)
        if (pats[i].n == n && !memcmp(pats[i].p, s, n))
            return;
    if (n_pats == cap_pats) {
        size_t nc = cap_pats ? cap_pats * 2 : 32;
        pat *np = realloc(pats, nc * sizeof *np);
        if (!np)
            return;
        pats = np;
        cap_pats = nc;
    }
    char *copy = malloc(n + 1);
    if (!copy)
        return;
    memcpy(copy, s, n);
    copy[n] = '\0';
    /* keep longest first: a whole form wins over a fragment of it */
    size_t at = 0;
    while (at < n_pats && pats[at].n >= n)
        at++;
    memmove(pats + at + 1, pats + at, (n_pats - at) * sizeof *pats);
    pats[at] = (pat){copy, n};
    n_pats++;
    first[(unsigned char)s[0]] = 1;
}

/* base64 of s (no padding) into b. */
static void b64(rg_buf *b, const unsigned char *s, size_t n, const char *alphabet, bool pad)
{
    size_t i = 0;
    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
        rg_buf_putc(b, alphabet[v >> 18 & 63]);
        rg_buf_putc(b, alphabet[v >> 12 & 63]);
        rg_buf_putc(b, alphabet[v >> 6 & 63]);
        rg_buf_putc(b, alphabet[v & 63]);
    }
    if (i < n) {
        uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0);
        rg_buf_putc(b, alphabet[v >> 18 & 63]);
        rg_buf_putc(b, alphabet[v >> 12 & 63]);
        if (i + 1 < n)
            rg_buf_putc(b, alphabet[v >> 6 & 63]);
        if (pad) {
            if (i + 1 >= n)
                rg_buf_putc(b, '=');
            rg_buf_putc(b, '=');
        }
    }
}

static void wipe_buf(rg_buf *b)
{
    if (b->p) {
        volatile char *v = b->p;
        for (size_t i = 0; i < b->cap; i++)
            v[i] = 0;
    }
    rg_buf_free(b);
}

/* The whole base64 forms of s, and the fragments of its encoding that
 * depend on s alone at each alignment inside a longer encoded text. */
static void add_b64_locked(const unsigned char *s, size_t n, bool fragments)
{
    static const char *const alphabets[] = {b64_std, b64_url};
    rg_buf b = RG_BUF_INIT;
    for (size_t k = 0; k < 2; k++) {
        rg_buf_reset(&b);
        b64(&b, s, n, alphabets[k], k == 0);
        if (!b.oom)
            add_pat_locked(b.p, b.len);
        if (!fragments)
            continue;
        for (size_t a = 0; a < 3; a++) {
            /* a bytes before the secret: output character i covers bits
             * 6i..6i+5; those wholly inside the secret's bits are
             * ceil(8a/6) .. floor(8(a+n)/6) - 1 */
            unsigned char *tmp = calloc(1, a + n);
            if (!tmp)
                break;
            memcpy(tmp + a, s, n);
            rg_buf_reset(&b);
            b64(&b, tmp, a + n, alphabets[k], false);
            wipe_free((char *)tmp, a + n);
            size_t i0 = (8 * a + 5) / 6, i1 = 8 * (a + n) / 6;
            if (!b.oom && i1 > i0 && i1 <= b.len)
                add_pat_locked(b.p + i0, i1 - i0);
        }
    }
    wipe_buf(&b);
}

static void add_secret_locked(const char *secret)
{
    size_t n = secret ? strlen(secret) : 0;
    if (n < RG_SCRUB_MIN)
        return;
    add_pat_locked(secret, n);
    /* percent-encoded (a query string, a form body) and JSON-escaped */
    rg_buf b = RG_BUF_INIT;
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)secret[i];
        bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                          c == '.' || c == '_' || c == '~';
        if (unreserved) {
            rg_buf_putc(&b, (char)c);
        } else {
            rg_buf_putc(&b, '%');
            rg_buf_putc(&b, hex[c >> 4]);
            rg_buf_putc(&b, hex[c & 15]);
        }
    }
    if (!b.oom)
        add_pat_locked(b.p, b.len);
    for (int slash = 0; slash < 2; slash++) {
        rg_buf_reset(&b);
        for (size_t i = 0; i < n; i++) {
            char c = secret[i];
            if (c == '"' || c == '\\' || (slash && c == '/'))
                rg_buf_putc(&b, '\\');
            rg_buf_putc(&b, c);
        }
        if (!b.oom)
            add_pat_locked(b.p, b.len);
    }
    wipe_buf(&b);
    add_b64_locked((const unsigned char *)secret, n, true);
}

static void log_filter(char *line, size_t size)
{
    rg_scrub(line, size);
}

void rg_scrub_register(const char *secret)
{
    pthread_mutex_lock(&mu);
    add_secret_locked(secret);
    pthread_mutex_unlock(&mu);
    rg_log_set_filter(log_filter);
}

void rg_scrub_register_login(const char *user, const char *password)
{
    if (!password || strlen(password) < RG_SCRUB_MIN)
        return;
    pthread_mutex_lock(&mu);
    add_secret_locked(password);
    if (user) {
        size_t ul = strlen(user), pl = strlen(password);
        size_t n = 2 * ul + pl + 2;
        unsigned char *blob = malloc(n);
        if (blob) {
            /* Basic: user:pass */
            memcpy(blob, user, ul);
            blob[ul] = ':';
            memcpy(blob + ul + 1, password, pl);
            add_b64_locked(blob, ul + 1 + pl, false);
            /* AUTH PLAIN: authzid \0 authcid \0 passwd, with and without the authzid */
            memcpy(blob, user, ul);
            blob[ul] = 0;
            memcpy(blob + ul + 1, user, ul);
            blob[2 * ul + 1] = 0;
            memcpy(blob + 2 * ul + 2, password, pl);
            add_b64_locked(blob, n, false);
            add_b64_locked(blob + ul, n - ul, false);
            wipe_free((char *)blob, n);
        }
    }
    pthread_mutex_unlock(&mu);
    rg_log_set_filter(log_filter);
}

void rg_scrub_register_header(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (!n)
        return;
    pthread_mutex_lock(&mu);
    bool known = false;
    for (size_t i = 0; i < N_KNOWN && !known; i++)
        known = !strcasecmp(known_names[i], name);
    for (size_t i = 0; i < n_names && !known; i++)
        known = !strcasecmp(names[i], name);
    if (!known && n_names == cap_names) {
        size_t nc = cap_names ? cap_names * 2 : 8;
        char **nn = realloc(names, nc * sizeof *nn);
        if (nn) {
            names = nn;
            cap_names = nc;
        }
    }
    if (!known && n_names < cap_names) {
        char *copy = rg_strdup(name);
        if (copy) {
            for (char *p = copy; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                    *p = (char)(*p + 32);
            names[n_names++] = copy;
        }
    }
    pthread_mutex_unlock(&mu);
}

void rg_scrub_reset(void)
{
    pthread_mutex_lock(&mu);
    for (size_t i = 0; i < n_pats; i++)
        wipe_free(pats[i].p, pats[i].n);
    free(pats);
    pats = NULL;
    n_pats = cap_pats = 0;
    for (size_t i = 0; i < n_names; i++)
        free(names[i]);
    free(names);
    names = NULL;
    n_names = cap_names = 0;
    memset(first, 0, sizeof first);
    pthread_mutex_unlock(&mu);
}

/* The variable a setting names, when it is set. */
static const char *env_value(const char *var)
{
    return var && *var ? getenv(var) : NULL;
}

void rg_scrub_register_channel(const rg_channel_config *cfg)
{
    const char *user = NULL, *password = NULL;
    for (size_t i = 0; i < cfg->n_settings; i++) {
        const rg_setting *st = &cfg->settings[i];
        size_t kl = strlen(st->key);
        if (kl > 4 && !strcmp(st->key + kl - 4, "_env")) {
            const char *v = env_value(st->value);
            if (!strcmp(st->key, "username_env"))
                user = v;
            else if (!strcmp(st->key, "password_env"))
                password = v;
            else
                rg_scrub_register(v);
        }
        /* ${VAR} in a value (the http driver's headers): the variable is a
         * secret, and so is the header it fills */
        for (const char *p = strstr(st->value, "${"); p; p = strstr(p + 2, "${")) {
            const char *close = strchr(p + 2, '}');
            char var[64];
            size_t vl = close ? (size_t)(close - p - 2) : 0;
            if (!vl || vl >= sizeof var)
                continue;
            memcpy(var, p + 2, vl);
            var[vl] = '\0';
            rg_scrub_register(env_value(var));
            if (!strcmp(st->key, "headers")) {
                /* the header's name starts its line */
                const char *line = p;
                while (line > st->value && line[-1] != '\n')
                    line--;
                const char *colon = memchr(line, ':', (size_t)(p - line));
                char name[64];
                size_t nl = colon ? (size_t)(colon - line) : 0;
                if (nl && nl < sizeof name) {
                    memcpy(name, line, nl);
                    name[nl] = '\0';
                    rg_scrub_register_header(name);
                }
            }
        }
    }
    if (password)
        rg_scrub_register_login(user, password);
}

void rg_scrub_register_config(const rg_config *cfg)
{
    for (size_t i = 0; i < cfg->n_channels; i++)
        rg_scrub_register_channel(&cfg->channels[i]);
    rg_scrub_register(env_value(cfg->secret_env[0] ? cfg->secret_env : "REGUA_SECRET"));
    for (size_t i = 0; i < cfg->n_webhooks; i++) /* the outgoing webhooks' signing secrets */
        rg_scrub_register(env_value(cfg->webhooks[i].secret_env));
}

/* ---- scrubbing ---- */

static bool name_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static bool value_end(unsigned char c)
{
    return c <= ' ' || c == 0x7f || strchr("\"'\\,;&<>(){}[]", c) != NULL;
}

/* Whether a header name starts at in[i]: then *keep is how many bytes
 * stay (name, separator, scheme) and *end where the value ends. */
static bool header_at(const char *in, size_t len, size_t i, size_t *keep, size_t *end)
{
    if (i > 0 && name_char((unsigned char)in[i - 1]))
        return false;
    size_t nlen = 0;
    for (size_t k = 0; k < N_KNOWN + n_names && !nlen; k++) {
        const char *nm = k < N_KNOWN ? known_names[k] : names[k - N_KNOWN];
        size_t l = strlen(nm);
        if (l <= len - i && !strncasecmp(in + i, nm, l) && (i + l == len || !name_char((unsigned char)in[i + l])))
            nlen = l;
    }
    if (!nlen)
        return false;
    size_t j = i + nlen;
    while (j < len && j - i - nlen < 8 && (in[j] == ' ' || in[j] == '"' || in[j] == '\'' || in[j] == '\\'))
        j++;
    if (j >= len || (in[j] != ':' && in[j] != '='))
        return false;
    j++;
    size_t stop = j + 8;
    while (j < len && j < stop && (in[j] == ' ' || in[j] == '"' || in[j] == '\'' || in[j] == '\\'))
        j++;
    /* a scheme word stays: "Bearer [redacted]" */
    size_t w = j;
    while (w < len && ((in[w] | 32) >= 'a' && (in[w] | 32) <= 'z'))
        w++;
    if (w < len && in[w] == ' ' && w > j) {
        for (size_t k = 0; k < sizeof schemes / sizeof *schemes; k++)
            if (strlen(schemes[k]) == w - j && !strncasecmp(in + j, schemes[k], w - j)) {
                j = w + 1;
                break;
            }
    }
    size_t v = j;
    while (v < len && !value_end((unsigned char)in[v]))
        v++;
    size_t ml = strlen(RG_SCRUB_MARK);
    if (v == j || (len - j >= ml && !memcmp(in + j, RG_SCRUB_MARK, ml)))
        return false;
    *keep = j - i;
    *end = v;
    return true;
}

/* Scrubs in[0..len) into out; returns the replacements (caller holds mu). */
static size_t scrub_locked(const char *in, size_t len, rg_buf *out)
{
    size_t count = 0, i = 0, lit = 0;
    while (i < len) {
        unsigned char c = (unsigned char)in[i];
        size_t keep, end;
        if (((c | 32) >= 'a' && (c | 32) <= 'z') && header_at(in, len, i, &keep, &end)) {
            rg_buf_append(out, in + lit, i + keep - lit);
            rg_buf_puts(out, RG_SCRUB_MARK);
            i = lit = end;
            count++;
            continue;
        }
        if (first[c]) {
            size_t matched = 0;
            for (size_t k = 0; k < n_pats && !matched; k++) {
                const pat *p = &pats[k];
                if ((unsigned char)p->p[0] != c)
                    continue;
                if (p->n <= len - i) {
                    if (!memcmp(in + i, p->p, p->n))
                        matched = p->n;
                } else if (len - i >= RG_SCRUB_MIN && !memcmp(in + i, p->p, len - i)) {
                    matched = len - i; /* the text was cut inside this form */
                }
            }
            if (matched) {
                rg_buf_append(out, in + lit, i - lit);
                rg_buf_puts(out, RG_SCRUB_MARK);
                i = lit = i + matched;
                count++;
                continue;
            }
        }
        i++;
    }
    if (count)
        rg_buf_append(out, in + lit, len - lit);
    return count;
}

/* Copies s[0..len) into dst (size bytes), cut at a character boundary. */
static void copy_cut(char *dst, size_t size, const char *s, size_t len)
{
    size_t n = len < size - 1 ? len : size - 1;
    if (n < len) {
        /* do not end inside a UTF-8 sequence */
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memmove(dst, s, n);
    dst[n] = '\0';
}

size_t rg_scrub_copy(char *dst, size_t n, const char *src)
{
    if (!dst || !n)
        return 0;
    if (!src)
        src = "";
    size_t len = strlen(src);
    rg_buf out = RG_BUF_INIT;
    pthread_mutex_lock(&mu);
    size_t count = scrub_locked(src, len, &out);
    pthread_mutex_unlock(&mu);
    if (!count)
        copy_cut(dst, n, src, len);
    else if (out.oom)
        rg_strlcpy(dst, RG_SCRUB_MARK, n);
    else
        copy_cut(dst, n, out.p, out.len);
    rg_buf_free(&out);
    return count;
}

size_t rg_scrub(char *text, size_t size)
{
    if (!text || !size)
        return 0;
    text[strnlen(text, size - 1)] = '\0';
    return rg_scrub_copy(text, size, text);
}

size_t rg_scrub_buf(rg_buf *b)
{
    if (!b || b->oom || !b->len)
        return 0;
    rg_buf out = RG_BUF_INIT;
    pthread_mutex_lock(&mu);
    size_t count = scrub_locked(b->p, b->len, &out);
    pthread_mutex_unlock(&mu);
    if (!count) {
        rg_buf_free(&out);
        return 0;
    }
    if (out.oom) {
        rg_buf_free(&out);
        rg_buf_reset(b);
        b->oom = true;
        return count;
    }
    rg_buf_free(b);
    *b = out;
    return count;
}

char *rg_scrub_dup(const char *s)
{
    if (!s)
        return NULL;
    rg_buf b = RG_BUF_INIT;
    rg_buf_puts(&b, s);
    rg_scrub_buf(&b);
    if (b.oom) {
        rg_buf_free(&b);
        return NULL;
    }
    char *r = rg_buf_detach(&b);
    return r ? r : rg_strdup("");
}
