#include "channel/provider.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "channel/scrub.h"

/* ---- variables ---- */

void rg_provider_vars_init(rg_provider_vars *v, const rg_outgoing *out)
{
    memset(v, 0, sizeof *v);
    const rg_message *m = out->message;
    v->to = out->to ? out->to : "";
    size_t k = 0;
    for (const char *p = v->to; *p && k + 1 < sizeof v->to_digits; p++)
        if (*p >= '0' && *p <= '9')
            v->to_digits[k++] = *p;
    v->to_digits[k] = '\0';
    v->body = m->body ? m->body : "";
    v->subject = m->subject ? m->subject : "";
    v->idempotency_key = m->idempotency_key;
    snprintf(v->message_id, sizeof v->message_id, "%lld", (long long)m->id);
    v->channel = m->channel;
    v->template_name = m->template_name;
    v->customer_external_id = out->customer ? out->customer->external_id : "";
    v->customer_name = out->customer ? out->customer->name : "";
    v->invoice_ids = out->invoice_ids ? out->invoice_ids : "";
    v->wa_template = "";
    v->wa_lang = "";
    if (m->payload && *m->payload && strcmp(m->payload, "{}") != 0) {
        v->payload = json_loads(m->payload, 0, NULL);
        json_t *t = json_object_get(v->payload, "wa_template");
        json_t *l = json_object_get(v->payload, "wa_lang");
        json_t *ps = json_object_get(v->payload, "params");
        if (json_is_string(t))
            v->wa_template = json_string_value(t);
        if (json_is_string(l))
            v->wa_lang = json_string_value(l);
        size_t i;
        json_t *p;
        json_array_foreach(ps, i, p)
        {
            if (v->n_params < RG_PROVIDER_MAX_PARAMS && json_is_string(p))
                v->params[v->n_params++] = json_string_value(p);
        }
    }
}

void rg_provider_vars_clear(rg_provider_vars *v)
{
    json_decref(v->payload);
    v->payload = NULL;
}

/* ---- templates ---- */

enum {
    V_TO,
    V_TO_DIGITS,
    V_BODY,
    V_SUBJECT,
    V_IDEMPOTENCY_KEY,
    V_MESSAGE_ID,
    V_CHANNEL,
    V_TEMPLATE,
    V_CUSTOMER_EXTERNAL_ID,
    V_CUSTOMER_NAME,
    V_INVOICE_IDS,
    V_WA_TEMPLATE,
    V_WA_LANG,
    V_PARAMS_JSON,
    V_PARAM /* params.N */
};

static const char *const var_names[] = {
    "to",          "to_digits",   "body",        "subject",         "idempotency_key",
    "message_id",  "channel",     "template",    "customer_external_id", "customer_name",
    "invoice_ids", "wa_template", "wa_lang",     "params_json",
};
#define N_VAR_NAMES (sizeof var_names / sizeof var_names[0])

typedef struct seg {
    int var;    /* -1: literal */
    int param;  /* for V_PARAM: 0-based */
    size_t off; /* literal */
    size_t len;
} seg;

struct rg_ptpl {
    char *text;
    rg_pesc esc;
    seg *segs;
    size_t n;
};

void rg_ptpl_free(rg_ptpl *t)
{
    if (!t)
        return;
    free(t->text);
    free(t->segs);
    free(t);
}

static bool add_seg(rg_ptpl *t, size_t *cap, seg s)
{
    if (t->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        seg *ns = realloc(t->segs, nc * sizeof *ns);
        if (!ns)
            return false;
        t->segs = ns;
        *cap = nc;
    }
    t->segs[t->n++] = s;
    return true;
}

rg_status rg_ptpl_compile(const char *text, rg_pesc esc, const char *where, rg_ptpl **out, rg_err *e)
{
    *out = NULL;
    rg_ptpl *t = calloc(1, sizeof *t);
    if (!t || !(t->text = rg_strdup(text))) {
        free(t);
        return rg_err_set(e, RG_ENOMEM, where, "out of memory");
    }
    t->esc = esc;
    size_t cap = 0, i = 0, lit = 0, len = strlen(text);
    rg_status rc = RG_OK;
    while (i < len) {
        if (text[i] != '{' || text[i + 1] != '{') {
            i++;
            continue;
        }
        const char *close = strstr(text + i + 2, "}}");
        if (!close) {
            rc = rg_err_set(e, RG_EINVAL, where, "'{{' at offset %zu is never closed with '}}'", i);
            goto fail;
        }
        if (i > lit && !add_seg(t, &cap, (seg){-1, 0, lit, i - lit}))
            goto oom;
        rg_slice name = rg_slice_trim((rg_slice){text + i + 2, (size_t)(close - (text + i + 2))});
        seg s = {-1, 0, 0, 0};
        for (size_t k = 0; k < N_VAR_NAMES; k++)
            if (rg_slice_eq(name, var_names[k]))
                s.var = (int)k;
        int64_t pn;
        if (s.var < 0 && name.n > 7 && !memcmp(name.p, "params.", 7) &&
            rg_parse_i64((rg_slice){name.p + 7, name.n - 7}, 1, RG_PROVIDER_MAX_PARAMS, &pn)) {
            s.var = V_PARAM;
            s.param = (int)pn - 1;
        }
        if (s.var < 0) {
            rc = rg_err_set(e, RG_EINVAL, where,
                            "unknown variable {{%.*s}} (known: to, to_digits, body, subject, idempotency_key,"
                            " message_id, channel, template, customer_external_id, customer_name, invoice_ids,"
                            " wa_template, wa_lang, params_json, params.1 .. params.%d)",
                            (int)name.n, name.p, RG_PROVIDER_MAX_PARAMS);
            goto fail;
        }
        if (!add_seg(t, &cap, s))
            goto oom;
        i = (size_t)(close - text) + 2;
        lit = i;
    }
    if (len > lit && !add_seg(t, &cap, (seg){-1, 0, lit, len - lit}))
        goto oom;
    *out = t;
    return RG_OK;
oom:
    rc = rg_err_set(e, RG_ENOMEM, where, "out of memory");
fail:
    rg_ptpl_free(t);
    return rc;
}

void rg_provider_escape(rg_buf *b, const char *s, rg_pesc esc)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if (esc == RG_PESC_JSON) {
            if (c == '"' || c == '\\') {
                rg_buf_putc(b, '\\');
                rg_buf_putc(b, (char)c);
            } else if (c == '\n') {
                rg_buf_puts(b, "\\n");
            } else if (c == '\r') {
                rg_buf_puts(b, "\\r");
            } else if (c == '\t') {
                rg_buf_puts(b, "\\t");
            } else if (c < 0x20 || c == 0x7f) {
                rg_buf_printf(b, "\\u%04x", c);
            } else {
                rg_buf_putc(b, (char)c);
            }
            continue;
        }
        bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                          c == '.' || c == '_' || c == '~';
        if (unreserved) {
            rg_buf_putc(b, (char)c);
        } else if (esc == RG_PESC_FORM && c == ' ') {
            rg_buf_putc(b, '+');
        } else {
            rg_buf_putc(b, '%');
            rg_buf_putc(b, hex[c >> 4]);
            rg_buf_putc(b, hex[c & 15]);
        }
    }
}

static void put_params_json(rg_buf *b, const rg_provider_vars *v, rg_pesc esc)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < v->n_params; i++)
        json_array_append_new(a, json_string(v->params[i]));
    char *s = a ? json_dumps(a, JSON_COMPACT) : NULL;
    json_decref(a);
    if (!s) {
        b->oom = true;
        return;
    }
    if (esc == RG_PESC_JSON)
        rg_buf_puts(b, s);
    else
        rg_provider_escape(b, s, esc);
    free(s);
}

void rg_ptpl_render(const rg_ptpl *t, const rg_provider_vars *v, rg_buf *b)
{
    for (size_t i = 0; i < t->n; i++) {
        const seg *s = &t->segs[i];
        const char *val = "";
        switch (s->var) {
        case -1:
            rg_buf_append(b, t->text + s->off, s->len);
            continue;
        case V_PARAMS_JSON:
            put_params_json(b, v, t->esc);
            continue;
        case V_TO: val = v->to; break;
        case V_TO_DIGITS: val = v->to_digits; break;
        case V_BODY: val = v->body; break;
        case V_SUBJECT: val = v->subject; break;
        case V_IDEMPOTENCY_KEY: val = v->idempotency_key; break;
        case V_MESSAGE_ID: val = v->message_id; break;
        case V_CHANNEL: val = v->channel; break;
        case V_TEMPLATE: val = v->template_name; break;
        case V_CUSTOMER_EXTERNAL_ID: val = v->customer_external_id; break;
        case V_CUSTOMER_NAME: val = v->customer_name; break;
        case V_INVOICE_IDS: val = v->invoice_ids; break;
        case V_WA_TEMPLATE: val = v->wa_template; break;
        case V_WA_LANG: val = v->wa_lang; break;
        case V_PARAM: val = (size_t)s->param < v->n_params ? v->params[s->param] : ""; break;
        default: break;
        }
        rg_provider_escape(b, val ? val : "", t->esc);
    }
}

/* ---- environment ---- */

rg_status rg_provider_expand_env(const char *s, const char *where, char *dst, size_t n, rg_err *e)
{
    rg_buf b = RG_BUF_INIT;
    rg_status rc = RG_OK;
    for (const char *p = s; *p;) {
        if (p[0] == '$' && p[1] == '{') {
            const char *close = strchr(p + 2, '}');
            char name[64];
            size_t len = close ? (size_t)(close - (p + 2)) : 0;
            if (!close || len == 0 || len >= sizeof name) {
                rc = rg_err_set(e, RG_EINVAL, where, "'${' must be followed by an environment variable name and '}'");
                goto out;
            }
            memcpy(name, p + 2, len);
            name[len] = '\0';
            const char *val = getenv(name);
            if (!val) {
                rc = rg_err_set(e, RG_EINVAL, where, "the environment variable %s is not set", name);
                goto out;
            }
            rg_buf_puts(&b, val);
            p = close + 1;
        } else {
            rg_buf_putc(&b, *p++);
        }
    }
    if (b.oom) {
        rc = rg_err_set(e, RG_ENOMEM, where, "out of memory");
        goto out;
    }
    if (b.len >= n) {
        rc = rg_err_set(e, RG_EINVAL, where, "the value is too long once expanded (at most %zu bytes)", n - 1);
        goto out;
    }
    memcpy(dst, rg_buf_cstr(&b), b.len + 1);
out:
    if (rc != RG_OK && n)
        dst[0] = '\0';
    /* the expansion may hold a secret: wipe the scratch copy */
    if (b.p)
        memset(b.p, 0, b.cap);
    rg_buf_free(&b);
    return rc;
}

/* ---- JSON pointer (RFC 6901) ---- */

json_t *rg_json_pointer(json_t *root, const char *ptr)
{
    if (!ptr || !*ptr)
        return root;
    if (*ptr != '/')
        return NULL;
    json_t *cur = root;
    const char *p = ptr;
    char tok[256];
    while (cur && *p == '/') {
        p++;
        size_t k = 0;
        while (*p && *p != '/') {
            char c = *p++;
            if (c == '~') {
                if (*p == '0')
                    c = '~';
                else if (*p == '1')
                    c = '/';
                else
                    return NULL;
                p++;
            }
            if (k + 1 >= sizeof tok)
                return NULL;
            tok[k++] = c;
        }
        tok[k] = '\0';
        if (json_is_object(cur)) {
            cur = json_object_get(cur, tok);
        } else if (json_is_array(cur)) {
            int64_t idx;
            if (k == 0 || (k > 1 && tok[0] == '0') || !rg_parse_i64(rg_slice_cstr(tok), 0, INT32_MAX, &idx))
                return NULL;
            cur = json_array_get(cur, (size_t)idx);
        } else {
            return NULL;
        }
    }
    return cur;
}

/* ---- responses ---- */

#define RESP_MAX (64 * 1024)

size_t rg_provider_write_cb(char *p, size_t size, size_t n, void *ud)
{
    rg_provider_resp *r = ud;
    size_t len = size * n;
    size_t room = r->body.len < RESP_MAX ? RESP_MAX - r->body.len : 0;
    if (len > room)
        r->truncated = true;
    rg_buf_append(&r->body, p, len < room ? len : room);
    return len;
}

void rg_provider_resp_free(rg_provider_resp *r)
{
    if (r)
        rg_buf_free(&r->body);
}

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static bool num(const char *s, size_t len, int64_t max, int64_t *out)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return rg_parse_i64((rg_slice){s, len}, 0, max, out);
}

bool rg_provider_http_date(const char *s, rg_instant *out)
{
    /* "Sun, 06 Nov 1994 08:49:37 GMT": exactly 29 characters */
    if (!s || strlen(s) != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
        s[19] != ':' || s[22] != ':' || s[25] != ' ' || strcmp(s + 26, "GMT") != 0)
        return false;
    int64_t d, y, hh, mm, ss;
    int mon = 0;
    for (int i = 0; i < 12; i++)
        if (!memcmp(s + 8, months[i], 3))
            mon = i + 1;
    if (!mon || !num(s + 5, 2, 31, &d) || !num(s + 12, 4, 9999, &y) || !num(s + 17, 2, 23, &hh) ||
        !num(s + 20, 2, 59, &mm) || !num(s + 23, 2, 60, &ss) || !rg_date_valid_ymd((int)y, mon, (int)d))
        return false;
    *out = rg_instant_from_civil(rg_date_from_ymd((int)y, mon, (int)d), (int)hh, (int)mm, (int)ss);
    return true;
}

int rg_provider_retry_after(const char *retry_after, const char *date)
{
    if (!retry_after)
        return 0;
    rg_slice sl = rg_slice_trim(rg_slice_cstr(retry_after));
    int64_t secs;
    if (sl.n && num(sl.p, sl.n, 86400 * 7, &secs))
        return (int)secs;
    rg_instant at, now;
    if (rg_provider_http_date(retry_after, &at) && rg_provider_http_date(date, &now))
        return at > now ? (int)(at - now > 86400 * 7 ? 86400 * 7 : at - now) : 0;
    return 0;
}

void rg_provider_easy_common(CURL *easy, long timeout_ms, rg_provider_resp *resp)
{
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 10000 ? timeout_ms : 10000L);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, rg_provider_write_cb);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, resp);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
}

void rg_provider_excerpt(const char *s, size_t len, char *out, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < len && k + 1 < n; i++) {
        unsigned char c = (unsigned char)s[i];
        out[k++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
    }
    if (k > 0 && (unsigned char)out[k - 1] >= 0x80) {
        /* do not end inside a UTF-8 sequence */
        while (k > 0 && ((unsigned char)out[k - 1] & 0xC0) == 0x80)
            k--;
        if (k > 0 && (unsigned char)out[k - 1] >= 0xC0)
            k--;
    }
    out[k] = '\0';
}

void rg_provider_outcome(CURL *easy, int curl_code, long http_status, const rg_provider_resp *resp,
                         rg_send_result *res)
{
    res->outcome = RG_SEND_OK;
    res->retry_after = 0;
    res->error[0] = '\0';
    if (curl_code != CURLE_OK) {
        res->outcome = RG_SEND_TRANSIENT;
        rg_scrub_copy(res->error, sizeof res->error, curl_easy_strerror((CURLcode)curl_code));
        return;
    }
    if (http_status >= 200 && http_status < 300)
        return;
    /* the whole answer is scrubbed before it is cut: a provider may echo our credentials */
    char ex[160];
    rg_buf clean = RG_BUF_INIT;
    rg_buf_append(&clean, rg_buf_cstr(&resp->body), resp->body.len);
    rg_scrub_buf(&clean);
    rg_provider_excerpt(clean.oom ? "" : rg_buf_cstr(&clean), clean.oom ? 0 : clean.len, ex, sizeof ex);
    rg_buf_free(&clean);
    snprintf(res->error, sizeof res->error, "HTTP %ld%s%s", http_status, ex[0] ? ": " : "", ex);
    if (http_status == 408 || http_status == 425 || http_status == 429 || http_status >= 500) {
        res->outcome = RG_SEND_TRANSIENT;
        struct curl_header *h = NULL;
        char ra[64], date[64];
        ra[0] = date[0] = '\0';
        /* each call invalidates the previous answer: copy */
        if (easy && curl_easy_header(easy, "Retry-After", 0, CURLH_HEADER, -1, &h) == CURLHE_OK)
            rg_strlcpy(ra, h->value, sizeof ra);
        if (easy && ra[0] && curl_easy_header(easy, "Date", 0, CURLH_HEADER, -1, &h) == CURLHE_OK)
            rg_strlcpy(date, h->value, sizeof date);
        res->retry_after = rg_provider_retry_after(ra[0] ? ra : NULL, date);
    } else {
        res->outcome = RG_SEND_PERMANENT;
    }
}

rg_status rg_provider_timeout(const rg_channel_config *cfg, long default_ms, long *ms, rg_err *e)
{
    const char *t = rg_channel_setting(cfg, "timeout");
    *ms = default_ms;
    if (!t)
        return RG_OK;
    int64_t v;
    if (!rg_parse_i64(rg_slice_trim(rg_slice_cstr(t)), 1, 600, &v))
        return rg_err_set(e, RG_EINVAL, "timeout", "'timeout' must be a whole number of seconds from 1 to 600, not '%s'",
                          t);
    *ms = (long)v * 1000;
    return RG_OK;
}
