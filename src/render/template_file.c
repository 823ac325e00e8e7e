#include "render/template_file.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/utf8.h"
#include "render/sms.h"

#define WA_TEXT_MAX 4096 /* WhatsApp Cloud API: text message body limit */

static const char *const channels[] = {"email", "whatsapp", "sms", "voice", "letter", "task", "log"};

struct rg_message_template {
    char name[RG_TEMPLATE_NAME_MAX + 1];
    char channel[16];
    char file[96];      /* "NAME.CHANNEL" */
    char html_file[96]; /* "NAME.email.html" */
    bool has_text, text_ok;
    bool has_html, html_ok;
    rg_template *subject;
    rg_template *body;
    rg_template *html;
    char *wa_name; /* approved WhatsApp template, else NULL */
    char wa_lang[16];
    char *wa_source; /* the whole file, for literal creditor checks */
    rg_template **params;
    size_t n_params;
};

struct rg_template_set {
    rg_message_template **v;
    size_t n, cap;
    rg_template_diags diags;
};

bool rg_template_channel_known(const char *channel)
{
    for (size_t i = 0; i < sizeof channels / sizeof channels[0]; i++)
        if (strcmp(channel, channels[i]) == 0)
            return true;
    return false;
}

/* ---- diagnostics --------------------------------------------------------- */

void rg_template_diags_free(rg_template_diags *d)
{
    if (!d)
        return;
    free(d->v);
    d->v = NULL;
    d->n = d->cap = 0;
}

size_t rg_template_diags_errors(const rg_template_diags *d)
{
    size_t k = 0;
    for (size_t i = 0; i < d->n; i++)
        k += d->v[i].level == RG_DIAG_ERROR;
    return k;
}

const char *rg_template_diag_text(const rg_template_diag *d, char *buf, size_t n)
{
    const char *lvl = d->level == RG_DIAG_ERROR ? "error" : "warning";
    if (d->line > 0)
        snprintf(buf, n, "%s:%d:%d: %s: %s: %s", d->file, d->line, d->col, lvl, d->rule, d->msg);
    else
        snprintf(buf, n, "%s: %s: %s: %s", d->file, lvl, d->rule, d->msg);
    return buf;
}

static bool diag_push(rg_template_diags *d, const rg_template_diag *x)
{
    if (d->n == d->cap) {
        size_t nc = d->cap ? d->cap * 2 : 16;
        rg_template_diag *v = realloc(d->v, nc * sizeof *v);
        if (!v)
            return false;
        d->v = v;
        d->cap = nc;
    }
    d->v[d->n++] = *x;
    return true;
}

static bool diag_add(rg_template_diags *d, rg_diag_level level, const char *file, int line, int col, const char *rule,
                     const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static bool diag_add(rg_template_diags *d, rg_diag_level level, const char *file, int line, int col, const char *rule,
                     const char *fmt, ...)
{
    rg_template_diag x;
    memset(&x, 0, sizeof x);
    x.level = level;
    snprintf(x.file, sizeof x.file, "%s", file);
    x.line = line;
    x.col = col;
    x.rule = rule;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x.msg, sizeof x.msg, fmt, ap);
    va_end(ap);
    return diag_push(d, &x);
}

/* ---- message templates ------------------------------------------------------ */

static void mt_free(rg_message_template *mt)
{
    if (!mt)
        return;
    rg_template_free(mt->subject);
    rg_template_free(mt->body);
    rg_template_free(mt->html);
    free(mt->wa_name);
    free(mt->wa_source);
    for (size_t i = 0; i < mt->n_params; i++)
        rg_template_free(mt->params[i]);
    free(mt->params);
    free(mt);
}

static bool mt_usable(const rg_message_template *mt)
{
    return mt->has_text && mt->text_ok && (!mt->has_html || mt->html_ok);
}

const char *rg_message_template_name(const rg_message_template *mt)
{
    return mt->name;
}

const char *rg_message_template_channel(const rg_message_template *mt)
{
    return mt->channel;
}

const rg_template *rg_message_template_subject(const rg_message_template *mt)
{
    return mt->subject;
}

const rg_template *rg_message_template_body(const rg_message_template *mt)
{
    return mt->body;
}

const rg_template *rg_message_template_html(const rg_message_template *mt)
{
    return mt->html;
}

const char *rg_message_template_wa_name(const rg_message_template *mt)
{
    return mt->wa_name;
}

const char *rg_message_template_wa_lang(const rg_message_template *mt)
{
    return mt->wa_name ? mt->wa_lang : NULL;
}

size_t rg_message_template_wa_param_count(const rg_message_template *mt)
{
    return mt->n_params;
}

const rg_template *rg_message_template_wa_param(const rg_message_template *mt, size_t i)
{
    return i < mt->n_params ? mt->params[i] : NULL;
}

/* ---- creditor (CDC art. 42-A) ------------------------------------------------ */

static bool contains_nocase(const char *hay, const char *needle)
{
    size_t nn = needle ? strlen(needle) : 0;
    if (!hay || nn == 0)
        return false;
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, nn) == 0)
            return true;
    return false;
}

typedef struct creditor {
    const char *name;
    const char *cnpj;
    char cnpj_fmt[40];
} creditor;

static void creditor_init(creditor *c, const char *name, const char *cnpj)
{
    c->name = name && *name ? name : NULL;
    c->cnpj = cnpj && *cnpj ? cnpj : NULL;
    c->cnpj_fmt[0] = '\0';
    if (c->cnpj) {
        rg_buf b = RG_BUF_INIT;
        rg_render_document(c->cnpj, &b);
        if (!b.oom)
            snprintf(c->cnpj_fmt, sizeof c->cnpj_fmt, "%s", rg_buf_cstr(&b));
        rg_buf_free(&b);
    }
}

static void part_creditor(const rg_template *t, const creditor *c, bool *has_name, bool *has_cnpj)
{
    if (rg_template_outputs(t, RG_V_COMPANY_NAME, true) || (c->name && rg_template_text_contains(t, c->name, true)))
        *has_name = true;
    if (rg_template_outputs(t, RG_V_COMPANY_CNPJ, true) ||
        (c->cnpj && (rg_template_text_contains(t, c->cnpj, true) ||
                     (c->cnpj_fmt[0] && rg_template_text_contains(t, c->cnpj_fmt, true)))))
        *has_cnpj = true;
}

static bool template_identifies(const rg_template *t, const creditor *c)
{
    bool n = false, k = false;
    part_creditor(t, c, &n, &k);
    return n && k;
}

static bool wa_identifies(const rg_message_template *mt, const creditor *c)
{
    bool n = false, k = false;
    for (size_t i = 0; i < mt->n_params; i++)
        part_creditor(mt->params[i], c, &n, &k);
    /* the approved body itself lives at Meta; a literal in the file (in a
     * {{! comment}} quoting it) counts */
    if (c->name && contains_nocase(mt->wa_source, c->name))
        n = true;
    if ((c->cnpj && contains_nocase(mt->wa_source, c->cnpj)) ||
        (c->cnpj_fmt[0] && contains_nocase(mt->wa_source, c->cnpj_fmt)))
        k = true;
    return n && k;
}

bool rg_message_template_identifies_creditor(const rg_message_template *mt, const char *company_name,
                                             const char *company_cnpj)
{
    if (!mt || !mt_usable(mt))
        return false;
    creditor c;
    creditor_init(&c, company_name, company_cnpj);
    if (mt->wa_name)
        return wa_identifies(mt, &c);
    if (!mt->body || !template_identifies(mt->body, &c))
        return false;
    return !mt->html || template_identifies(mt->html, &c);
}

/* ---- rendering ----------------------------------------------------------------- */

static bool is_blank_text(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return false;
    return true;
}

/* One line: CR, LF and TAB become spaces, runs of spaces one, no blanks at
 * the ends (WhatsApp rejects parameters with newlines, tabs or more than
 * four spaces in a row; a Subject header must be one line). */
static char *one_line(const char *s, size_t n)
{
    rg_buf b = RG_BUF_INIT;
    bool space = false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '\r' || ch == '\n' || ch == '\t' || ch == ' ') {
            space = b.len > 0;
            continue;
        }
        if (space)
            rg_buf_putc(&b, ' ');
        space = false;
        rg_buf_putc(&b, ch);
    }
    if (b.oom) {
        rg_buf_free(&b);
        return NULL;
    }
    char *r = rg_buf_detach(&b);
    return r ? r : rg_strdup("");
}

void rg_rendered_free(rg_rendered *r)
{
    if (!r)
        return;
    free(r->subject);
    free(r->text);
    free(r->html);
    free(r->wa_template);
    free(r->wa_lang);
    for (size_t i = 0; r->params && i < r->n_params; i++)
        free(r->params[i]);
    free(r->params);
    memset(r, 0, sizeof *r);
}

/* Renders t into a fresh string; a blank result is an error. */
static rg_status render_part(const rg_template *t, const rg_render_vars *v, const char *what, const char *file,
                             char **out, rg_err *e)
{
    rg_buf b = RG_BUF_INIT;
    rg_status st = rg_template_render(t, v, &b, e);
    if (st)
        goto out;
    if (is_blank_text(b.p ? b.p : "", b.len)) {
        st = rg_err_set(e, RG_EINVAL, file, "the %s renders blank; a message is never sent empty", what);
        goto out;
    }
    /* templates are checked at load; a value from the store is not (data
     * written before imports checked it): never send broken text */
    if (!b.oom && !rg_utf8_valid(b.p ? b.p : "", b.len)) {
        st = rg_err_set(e, RG_EINVAL, file,
                        "the %s renders text that is not valid UTF-8 (a stored value such as a name is not);"
                        " a message is never sent with broken text",
                        what);
        goto out;
    }
    *out = rg_buf_detach(&b);
    if (!*out)
        st = rg_err_set(e, RG_ENOMEM, file, "out of memory rendering the %s", what);
out:
    rg_buf_free(&b);
    return st;
}

rg_status rg_message_render(const rg_message_template *mt, const rg_render_vars *v, rg_rendered *out, rg_err *e)
{
    rg_status st = RG_OK;
    char *tmp = NULL;
    memset(out, 0, sizeof *out);
    if (!mt_usable(mt)) {
        st = rg_err_set(e, RG_EINVAL, mt->has_text ? mt->file : mt->html_file,
                        "template %s.%s has errors (`regua cadence lint` on a cadence that uses it shows them)",
                        mt->name, mt->channel);
        goto out;
    }
    if (mt->subject) {
        st = render_part(mt->subject, v, "subject", mt->file, &tmp, e);
        if (st)
            goto out;
        out->subject = one_line(tmp, strlen(tmp));
        if (!out->subject) {
            st = rg_err_set(e, RG_ENOMEM, mt->file, "out of memory rendering the subject");
            goto out;
        }
    }
    if (mt->body) {
        st = render_part(mt->body, v, "body", mt->file, &out->text, e);
        if (st)
            goto out;
    }
    if (mt->html) {
        st = render_part(mt->html, v, "HTML body", mt->html_file, &out->html, e);
        if (st)
            goto out;
    }
    if (mt->wa_name) {
        out->wa_template = rg_strdup(mt->wa_name);
        out->wa_lang = rg_strdup(mt->wa_lang);
        out->params = mt->n_params ? calloc(mt->n_params, sizeof *out->params) : NULL;
        if (!out->wa_template || !out->wa_lang || (mt->n_params && !out->params)) {
            st = rg_err_set(e, RG_ENOMEM, mt->file, "out of memory rendering the parameters");
            goto out;
        }
        rg_buf preview = RG_BUF_INIT;
        for (size_t i = 0; i < mt->n_params && !st; i++) {
            free(tmp);
            tmp = NULL;
            char what[48];
            snprintf(what, sizeof what, "parameter %zu", i + 1);
            st = render_part(mt->params[i], v, what, mt->file, &tmp, e);
            if (st)
                break;
            out->params[i] = one_line(tmp, strlen(tmp));
            out->n_params = i + 1;
            if (!out->params[i]) {
                st = rg_err_set(e, RG_ENOMEM, mt->file, "out of memory rendering the parameters");
                break;
            }
            if (i)
                rg_buf_putc(&preview, '\n');
            rg_buf_puts(&preview, out->params[i]);
        }
        if (!st) {
            out->text = preview.oom ? NULL : rg_buf_detach(&preview);
            if (!out->text)
                out->text = preview.oom ? NULL : rg_strdup("");
            if (!out->text)
                st = rg_err_set(e, RG_ENOMEM, mt->file, "out of memory rendering the parameters");
        }
        rg_buf_free(&preview);
    }
out:
    free(tmp);
    if (st)
        rg_rendered_free(out);
    return st;
}

/* ---- parsing one file ----------------------------------------------------------- */

typedef struct parse_ctx {
    rg_template_set *set;
    const char *file;
    bool oom;
} parse_ctx;

static void note(parse_ctx *p, int line, int col, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void note(parse_ctx *p, int line, int col, const char *rule, const char *fmt, ...)
{
    rg_template_diag x;
    memset(&x, 0, sizeof x);
    x.level = RG_DIAG_ERROR;
    snprintf(x.file, sizeof x.file, "%s", p->file);
    x.line = line;
    x.col = col;
    x.rule = rule;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x.msg, sizeof x.msg, fmt, ap);
    va_end(ap);
    if (!diag_push(&p->set->diags, &x))
        p->oom = true;
}

static void on_compile_error(void *ctx, const rg_template_errpos *pos, const char *msg)
{
    note(ctx, pos->line, pos->col, pos->rule ? pos->rule : RG_RULE_TEMPLATE_SYNTAX, "%s", msg);
}

/* Compiles src[0..len); every compile error becomes a diagnostic, and then
 * *t is NULL. */
static bool compile_part(parse_ctx *p, const char *src, size_t len, rg_template_kind kind, int line, int col,
                         rg_template **t)
{
    rg_template_opts o = {kind, p->file, line, col, on_compile_error, p};
    rg_err e;
    rg_err_clear(&e);
    *t = NULL;
    rg_status st = rg_template_compile(src, len, &o, t, NULL, &e);
    if (st == RG_ENOMEM) {
        p->oom = true;
        return false;
    }
    return st == RG_OK;
}

static size_t chars_in(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            k++;
    return k;
}

static bool starts_nocase(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && strncasecmp(s, prefix, k) == 0;
}

static void parse_email(parse_ctx *p, rg_message_template *mt, const char *s, size_t n)
{
    const char *nl = memchr(s, '\n', n);
    size_t eol = nl ? (size_t)(nl - s) : n;
    if (!starts_nocase(s, eol, "subject:")) {
        note(p, 1, 1, RG_RULE_TEMPLATE_NO_SUBJECT,
             "the first line of an e-mail template must be 'Subject: ...', found '%.*s'", (int)(eol > 60 ? 60 : eol),
             s);
        return;
    }
    size_t a = 8;
    while (a < eol && (s[a] == ' ' || s[a] == '\t'))
        a++;
    size_t b = eol;
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
        b--;
    if (a == b) {
        note(p, 1, (int)chars_in(s, a) + 1, RG_RULE_TEMPLATE_NO_SUBJECT, "empty subject: expected text after 'Subject:'");
        return;
    }
    bool ok = compile_part(p, s + a, b - a, RG_TEMPLATE_TEXT, 1, (int)chars_in(s, a) + 1, &mt->subject);
    size_t body = eol < n ? eol + 1 : n;
    int body_line = 2;
    size_t k = body;
    while (k < n && (s[k] == ' ' || s[k] == '\t'))
        k++;
    if (k < n && s[k] == '\n') { /* one blank line after the Subject, as after mail headers */
        body = k + 1;
        body_line = 3;
    }
    if (body >= n) {
        note(p, 0, 0, RG_RULE_TEMPLATE_EMPTY, "no body after the Subject line");
        return;
    }
    if (!compile_part(p, s + body, n - body, RG_TEMPLATE_TEXT, body_line, 1, &mt->body))
        ok = false;
    mt->text_ok = ok;
}

static bool wa_name_ok(const char *s, size_t n)
{
    if (n == 0 || n > 512)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

/* "pt_BR", "en_US", "es", "fil": 2-3 lowercase letters, optionally _ and 2 capitals. */
static bool wa_lang_ok(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] >= 'a' && s[i] <= 'z')
        i++;
    if (i < 2 || i > 3)
        return false;
    if (i == n)
        return true;
    return n == i + 3 && s[i] == '_' && s[i + 1] >= 'A' && s[i + 1] <= 'Z' && s[i + 2] >= 'A' && s[i + 2] <= 'Z';
}

static void parse_whatsapp(parse_ctx *p, rg_message_template *mt, const char *s, size_t n)
{
    const char *nl = memchr(s, '\n', n);
    size_t eol = nl ? (size_t)(nl - s) : n;
    if (!starts_nocase(s, eol, "template:")) {
        mt->text_ok = compile_part(p, s, n, RG_TEMPLATE_TEXT, 1, 1, &mt->body);
        return;
    }
    /* Template: NAME [LANG] */
    size_t i = 9, tok[2][2];
    int ntok = 0;
    while (i < eol) {
        while (i < eol && (s[i] == ' ' || s[i] == '\t'))
            i++;
        if (i == eol)
            break;
        size_t a = i;
        while (i < eol && s[i] != ' ' && s[i] != '\t')
            i++;
        if (ntok == 2) {
            note(p, 1, (int)chars_in(s, a) + 1, RG_RULE_TEMPLATE_WHATSAPP,
                 "unexpected '%.*s': expected 'Template: APPROVED_NAME [LANG]'", (int)(i - a > 40 ? 40 : i - a), s + a);
            return;
        }
        tok[ntok][0] = a;
        tok[ntok][1] = i - a;
        ntok++;
    }
    if (ntok == 0) {
        note(p, 1, 10, RG_RULE_TEMPLATE_WHATSAPP, "expected the approved template's name after 'Template:'");
        return;
    }
    if (!wa_name_ok(s + tok[0][0], tok[0][1])) {
        note(p, 1, (int)chars_in(s, tok[0][0]) + 1, RG_RULE_TEMPLATE_WHATSAPP,
             "bad approved template name '%.*s': expected lowercase letters, digits and '_'",
             (int)(tok[0][1] > 60 ? 60 : tok[0][1]), s + tok[0][0]);
        return;
    }
    if (ntok == 2 && !wa_lang_ok(s + tok[1][0], tok[1][1])) {
        note(p, 1, (int)chars_in(s, tok[1][0]) + 1, RG_RULE_TEMPLATE_WHATSAPP,
             "bad language '%.*s': expected a code like pt_BR or en_US", (int)(tok[1][1] > 20 ? 20 : tok[1][1]),
             s + tok[1][0]);
        return;
    }
    mt->wa_name = rg_slice_dup((rg_slice){s + tok[0][0], tok[0][1]});
    mt->wa_source = rg_slice_dup((rg_slice){s, n});
    if (!mt->wa_name || !mt->wa_source) {
        p->oom = true;
        return;
    }
    if (ntok == 2)
        snprintf(mt->wa_lang, sizeof mt->wa_lang, "%.*s", (int)tok[1][1], s + tok[1][0]);
    else
        snprintf(mt->wa_lang, sizeof mt->wa_lang, "pt_BR");

    bool ok = true;
    int line = 1;
    for (size_t a = eol; a < n;) {
        a++; /* past '\n' */
        line++;
        const char *e2 = memchr(s + a, '\n', n - a);
        size_t b = e2 ? (size_t)(e2 - s) : n;
        if (!is_blank_text(s + a, b - a)) {
            rg_template *t = NULL;
            if (!compile_part(p, s + a, b - a, RG_TEMPLATE_TEXT, line, 1, &t)) {
                ok = false;
            } else if (rg_template_node_count(t) == 0) {
                rg_template_free(t); /* only comments: not a parameter */
            } else {
                rg_template **v = realloc(mt->params, (mt->n_params + 1) * sizeof *v);
                if (!v) {
                    rg_template_free(t);
                    p->oom = true;
                    return;
                }
                mt->params = v;
                mt->params[mt->n_params++] = t;
            }
        }
        a = b;
    }
    mt->text_ok = ok;
}

static bool name_ok(const char *s, size_t n)
{
    if (n == 0 || n > RG_TEMPLATE_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
            return false;
    return true;
}

static int mt_cmp(const char *name, const char *channel, const rg_message_template *mt)
{
    int c = strcmp(name, mt->name);
    return c ? c : strcmp(channel, mt->channel);
}

/* Index where (name, channel) is or would go, in the sorted set. */
static size_t set_pos(const rg_template_set *s, const char *name, const char *channel, bool *found)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = mt_cmp(name, channel, s->v[mid]);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    *found = false;
    return lo;
}

static rg_message_template *set_entry(rg_template_set *s, const char *name, const char *channel)
{
    bool found;
    size_t at = set_pos(s, name, channel, &found);
    if (found)
        return s->v[at];
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 16;
        rg_message_template **v = realloc(s->v, nc * sizeof *v);
        if (!v)
            return NULL;
        s->v = v;
        s->cap = nc;
    }
    rg_message_template *mt = calloc(1, sizeof *mt);
    if (!mt)
        return NULL;
    snprintf(mt->name, sizeof mt->name, "%s", name);
    snprintf(mt->channel, sizeof mt->channel, "%s", channel);
    memmove(s->v + at + 1, s->v + at, (s->n - at) * sizeof *s->v);
    s->v[at] = mt;
    s->n++;
    return mt;
}

rg_status rg_template_set_new(rg_template_set **out, rg_err *e)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return rg_err_set(e, RG_ENOMEM, "templates", "out of memory");
    return RG_OK;
}

void rg_template_set_free(rg_template_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        mt_free(s->v[i]);
    free(s->v);
    rg_template_diags_free(&s->diags);
    free(s);
}

/* rg_template_set_add, for a file of file_size bytes of which text holds
 * len (a file over the limit is read only up to it). */
static rg_status set_add_sized(rg_template_set *s, const char *file_name, const char *text, size_t len,
                               size_t file_size, rg_err *e)
{
    rg_status st = RG_OK;
    char *norm = NULL;
    size_t fl = strlen(file_name);
    parse_ctx p = {s, file_name, false};
    if (fl == 0 || file_name[0] == '.' || file_name[fl - 1] == '~')
        goto out; /* hidden files and editor backups */
    const char *dot = strchr(file_name, '.');
    size_t nl = dot ? (size_t)(dot - file_name) : fl;
    const char *chan = dot ? dot + 1 : "";
    bool html = strcmp(chan, "email.html") == 0;
    if (!dot || !name_ok(file_name, nl)) {
        note(&p, 0, 0, RG_RULE_TEMPLATE_FILE_NAME,
             "ignored: a template file is NAME.CHANNEL with NAME made of a-z, 0-9, '_' and '-' (at most %d)",
             RG_TEMPLATE_NAME_MAX);
        goto out;
    }
    if (!html && !rg_template_channel_known(chan)) {
        note(&p, 0, 0, RG_RULE_TEMPLATE_UNKNOWN_CHANNEL,
             "unknown channel '%.40s': expected email, email.html, whatsapp, sms, voice, letter, task or log", chan);
        goto out;
    }
    char name[RG_TEMPLATE_NAME_MAX + 1];
    snprintf(name, sizeof name, "%.*s", (int)nl, file_name);
    rg_message_template *mt = set_entry(s, name, html ? "email" : chan);
    if (!mt) {
        p.oom = true;
        goto out;
    }
    if (html ? mt->has_html : mt->has_text) {
        note(&p, 0, 0, RG_RULE_TEMPLATE_FILE_NAME, "added twice; the first one is kept");
        goto out;
    }
    /* From here the template exists: a file that cannot be used makes it
     * broken (with this error), never "missing". */
    snprintf(html ? mt->html_file : mt->file, sizeof mt->file, "%s", file_name);
    if (html)
        mt->has_html = true;
    else
        mt->has_text = true;
    if (file_size > RG_TEMPLATE_FILE_MAX) {
        note(&p, 0, 0, RG_RULE_TEMPLATE_TOO_LARGE,
             "the file has %zu bytes; a template file may have at most %d (256 KiB)", file_size,
             RG_TEMPLATE_FILE_MAX);
        goto out;
    }
    size_t bad = rg_utf8_invalid_at(text, len);
    if (bad < len) {
        int line = 1, col = 1;
        for (size_t i = 0; i < bad; i++) {
            if (text[i] == '\n') {
                line++;
                col = 1;
            } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
                col++;
            }
        }
        note(&p, line, col, RG_RULE_TEMPLATE_ENCODING, "%s byte 0x%02X: template files are UTF-8 text",
             text[bad] ? "invalid UTF-8" : "NUL", (unsigned)(unsigned char)text[bad]);
        goto out;
    }

    /* normalise: no BOM, LF line ends, no trailing blank lines or blanks */
    norm = malloc(len + 1);
    if (!norm) {
        p.oom = true;
        goto out;
    }
    size_t n = 0, i = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    for (; i < len; i++)
        if (!(text[i] == '\r' && i + 1 < len && text[i + 1] == '\n'))
            norm[n++] = text[i];
    while (n > 0 && (norm[n - 1] == '\n' || norm[n - 1] == ' ' || norm[n - 1] == '\t' || norm[n - 1] == '\r'))
        n--;
    norm[n] = '\0';
    if (n == 0) {
        note(&p, 0, 0, RG_RULE_TEMPLATE_EMPTY, "the file is empty");
        goto out;
    }
    if (html)
        mt->html_ok = compile_part(&p, norm, n, RG_TEMPLATE_HTML, 1, 1, &mt->html);
    else if (strcmp(mt->channel, "email") == 0)
        parse_email(&p, mt, norm, n);
    else if (strcmp(mt->channel, "whatsapp") == 0)
        parse_whatsapp(&p, mt, norm, n);
    else
        mt->text_ok = compile_part(&p, norm, n, RG_TEMPLATE_TEXT, 1, 1, &mt->body);
out:
    free(norm);
    if (p.oom)
        st = rg_err_set(e, RG_ENOMEM, file_name, "out of memory loading the template");
    return st;
}

rg_status rg_template_set_add(rg_template_set *s, const char *file_name, const char *text, size_t len, rg_err *e)
{
    return set_add_sized(s, file_name, text, len, len, e);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads a file into *out (*len bytes), stopping soon after
 * RG_TEMPLATE_FILE_MAX; *size is the file's whole size all the same. */
static rg_status read_file(const char *path, char **out, size_t *len, size_t *size, int *err)
{
    rg_status st = RG_OK;
    FILE *f = fopen(path, "rb");
    rg_buf b = RG_BUF_INIT;
    *out = NULL;
    *len = 0;
    *err = 0;
    if (!f) {
        *err = errno;
        return RG_EIO;
    }
    char chunk[8192];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        rg_buf_append(&b, chunk, got);
        if (b.len > RG_TEMPLATE_FILE_MAX)
            break; /* enough to know it is too large; its size is asked below */
    }
    struct stat sb;
    *size = fstat(fileno(f), &sb) == 0 && sb.st_size > 0 && (size_t)sb.st_size > b.len ? (size_t)sb.st_size : b.len;
    if (ferror(f)) {
        *err = errno ? errno : EIO;
        st = RG_EIO;
        goto out;
    }
    if (b.oom) {
        st = RG_ENOMEM;
        goto out;
    }
    *len = b.len;
    *out = rg_buf_detach(&b);
    if (!*out)
        *out = rg_strdup("");
    if (!*out)
        st = RG_ENOMEM;
out:
    fclose(f);
    rg_buf_free(&b);
    return st;
}

rg_status rg_template_set_load(const char *dir, rg_template_set **out, rg_err *e)
{
    rg_status st = RG_OK;
    rg_template_set *s = NULL;
    DIR *d = NULL;
    char **names = NULL;
    size_t n = 0, cap = 0;
    *out = NULL;
    d = opendir(dir);
    if (!d) {
        st = rg_err_set(e, errno == ENOENT ? RG_ENOTFOUND : RG_EIO, dir, "cannot open the templates directory: %s",
                        strerror(errno));
        goto out;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 32;
            char **v = realloc(names, nc * sizeof *v);
            if (!v) {
                st = rg_err_set(e, RG_ENOMEM, dir, "out of memory listing templates");
                goto out;
            }
            names = v;
            cap = nc;
        }
        names[n] = rg_strdup(de->d_name);
        if (!names[n]) {
            st = rg_err_set(e, RG_ENOMEM, dir, "out of memory listing templates");
            goto out;
        }
        n++;
    }
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    st = rg_template_set_new(&s, e);
    if (st)
        goto out;
    for (size_t i = 0; i < n; i++) {
        rg_buf path = RG_BUF_INIT;
        rg_buf_printf(&path, "%s/%s", dir, names[i]);
        struct stat sb;
        if (path.oom) {
            rg_buf_free(&path);
            st = rg_err_set(e, RG_ENOMEM, dir, "out of memory");
            goto out;
        }
        if (stat(path.p, &sb) != 0 || !S_ISREG(sb.st_mode)) {
            rg_buf_free(&path);
            continue; /* subdirectories, dangling links */
        }
        char *text = NULL;
        size_t len = 0, size = 0;
        int err = 0;
        st = read_file(path.p, &text, &len, &size, &err);
        rg_buf_free(&path);
        if (st == RG_ENOMEM) {
            st = rg_err_set(e, RG_ENOMEM, names[i], "out of memory reading the template");
            goto out;
        }
        if (st) {
            st = RG_OK;
            if (!diag_add(&s->diags, RG_DIAG_ERROR, names[i], 0, 0, RG_RULE_TEMPLATE_IO, "cannot read: %s",
                          strerror(err))) {
                st = rg_err_set(e, RG_ENOMEM, names[i], "out of memory");
                goto out;
            }
            continue;
        }
        st = set_add_sized(s, names[i], text, len, size, e);
        free(text);
        if (st)
            goto out;
    }
    *out = s;
    s = NULL;
out:
    if (d)
        closedir(d);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    rg_template_set_free(s);
    return st;
}

/* ---- queries -------------------------------------------------------------------- */

static const rg_message_template *lookup(const rg_template_set *s, const char *name, const char *channel)
{
    if (!s || !name || !channel)
        return NULL;
    bool found;
    size_t at = set_pos(s, name, channel, &found);
    return found ? s->v[at] : NULL;
}

bool rg_template_set_exists(const rg_template_set *s, const char *name, const char *channel)
{
    const rg_message_template *mt = lookup(s, name, channel);
    return mt && (mt->has_text || mt->has_html);
}

const rg_message_template *rg_template_set_get(const rg_template_set *s, const char *name, const char *channel)
{
    const rg_message_template *mt = lookup(s, name, channel);
    return mt && mt_usable(mt) ? mt : NULL;
}

rg_status rg_template_set_find(const rg_template_set *s, const char *name, const char *channel,
                               const rg_message_template **out, rg_err *e)
{
    *out = NULL;
    const rg_message_template *mt = lookup(s, name, channel);
    char where[160];
    snprintf(where, sizeof where, "%s.%s", name ? name : "", channel ? channel : "");
    if (!mt || !mt->has_text) {
        if (channel && strcmp(channel, "email") == 0 && mt && mt->has_html)
            return rg_err_set(e, RG_ENOTFOUND, where,
                              "no template %s.email (there is %s.email.html, but the subject and text body "
                              "live in %s.email)",
                              name, name, name);
        return rg_err_set(e, RG_ENOTFOUND, where, "no template %s.%s in the templates directory", name ? name : "",
                          channel ? channel : "");
    }
    if (!mt_usable(mt))
        return rg_err_set(e, RG_EINVAL, where,
                          "template %s.%s has errors (`regua cadence lint` on a cadence that uses it shows them)",
                          name, channel);
    *out = mt;
    return RG_OK;
}

bool rg_template_set_identifies_creditor(const rg_template_set *s, const char *name, const char *channel,
                                         const char *company_name, const char *company_cnpj)
{
    return rg_message_template_identifies_creditor(rg_template_set_get(s, name, channel), company_name,
                                                   company_cnpj);
}

size_t rg_template_set_count(const rg_template_set *s)
{
    return s ? s->n : 0;
}

const rg_message_template *rg_template_set_at(const rg_template_set *s, size_t i)
{
    return s && i < s->n ? s->v[i] : NULL;
}

/* ---- lint ------------------------------------------------------------------------- */

typedef struct linter {
    rg_template_diags *out;
    bool oom;
} linter;

/* template-may-be-empty: an output, outside its own guard, of a variable
 * that may have no value when the message is sent (vars.def's NEED
 * column, applied to the channel and the use). */
static void lint_may_be_empty(linter *l, const char *file, const rg_template *t, const rg_var_context *cx)
{
    size_t n;
    const rg_template_ref *r = rg_template_refs(t, &n);
    for (size_t i = 0; i < n; i++) {
        if (r[i].kind != RG_REF_OUTPUT || r[i].guarded || !rg_var_may_be_empty(r[i].var, cx))
            continue;
        const rg_var_info *vi = rg_var_info_of(r[i].var);
        const char *nm = vi->name;
        char why[200];
        switch (vi->need) {
        case RG_VAR_CONFIG:
            if (r[i].var == RG_V_PORTAL_URL)
                snprintf(why, sizeof why, "is empty: regua.yaml sets no `public_url`, or the token secret "
                                          "(the variable secret_env names) is not set");
            else
                snprintf(why, sizeof why, "is empty: regua.yaml sets no `%s`", nm);
            break;
        case RG_VAR_EMAIL:
            snprintf(why, sizeof why, "is empty for customers without an e-mail address, and %s messages reach them",
                     cx->channel ? cx->channel : "these");
            break;
        case RG_VAR_PHONE:
            snprintf(why, sizeof why, "is empty for customers without a phone, and %s messages reach them",
                     cx->channel ? cx->channel : "these");
            break;
        case RG_VAR_OFFER:
            snprintf(why, sizeof why,
                     "is filled only when a trigger with `offer:` sends the message, and this template is sent "
                     "without one");
            break;
        case RG_VAR_PROMISE:
            snprintf(why, sizeof why,
                     "is filled only when a trigger on promise.made or promise.broken sends the message, and this "
                     "template is sent otherwise");
            break;
        default:
            snprintf(why, sizeof why, "may be empty when a message is sent");
            break;
        }
        if (!diag_add(l->out, RG_DIAG_ERROR, file, r[i].line, r[i].col, RG_RULE_TEMPLATE_MAY_BE_EMPTY,
                      "{{%s}} %s; then the message is suppressed, never sent: put it inside {{#%s}}...{{/%s}}%s",
                      nm, why, nm, nm, vi->need == RG_VAR_CONFIG ? ", or set it in regua.yaml" : ""))
            l->oom = true;
    }
}

static void lint_no_creditor(linter *l, const char *file)
{
    if (!diag_add(l->out, RG_DIAG_ERROR, file, 0, 0, RG_RULE_TEMPLATE_NO_CREDITOR,
                  "does not identify the creditor: every collection message names it and its CNPJ "
                  "(CDC art. 42-A); use {{company.name}} and {{company.cnpj}} outside optional sections"))
        l->oom = true;
}

/* The load errors of mt's files, all of them. */
static void lint_load(linter *l, const rg_template_set *s, const rg_message_template *mt)
{
    for (size_t i = 0; i < s->diags.n && !l->oom; i++) {
        const rg_template_diag *d = &s->diags.v[i];
        if ((mt->has_text && !strcmp(d->file, mt->file)) || (mt->has_html && !strcmp(d->file, mt->html_file)))
            if (!diag_push(l->out, d))
                l->oom = true;
    }
}

static void lint_entry(linter *l, const rg_message_template *mt, const creditor *c, const rg_render_vars *sample,
                       const rg_var_context *cx)
{
    if (mt->has_html && !mt->has_text) {
        if (!diag_add(l->out, RG_DIAG_ERROR, mt->html_file, 0, 0, RG_RULE_TEMPLATE_HTML_WITHOUT_TEXT,
                      "%s.email.html needs %s.email, which holds the subject and the plain-text body", mt->name,
                      mt->name))
            l->oom = true;
        return;
    }
    if (!mt_usable(mt))
        return; /* its errors were recorded when it was loaded */
    if (mt->subject)
        lint_may_be_empty(l, mt->file, mt->subject, cx);
    if (mt->body)
        lint_may_be_empty(l, mt->file, mt->body, cx);
    if (mt->html)
        lint_may_be_empty(l, mt->html_file, mt->html, cx);
    for (size_t i = 0; i < mt->n_params; i++)
        lint_may_be_empty(l, mt->file, mt->params[i], cx);

    if (mt->wa_name) {
        if (!wa_identifies(mt, c))
            lint_no_creditor(l, mt->file);
    } else {
        if (mt->body && !template_identifies(mt->body, c))
            lint_no_creditor(l, mt->file);
        if (mt->html && !template_identifies(mt->html, c))
            lint_no_creditor(l, mt->html_file);
    }
    if (strcmp(mt->channel, "email") == 0 || strcmp(mt->channel, "letter") == 0) {
        if (mt->body && !rg_template_outputs(mt->body, RG_V_COMPANY_ADDRESS, false) &&
            !diag_add(l->out, RG_DIAG_WARNING, mt->file, 0, 0, RG_RULE_TEMPLATE_NO_CREDITOR_ADDRESS,
                      "CDC art. 42-A also asks for the creditor's address in collection documents: "
                      "add {{#company.address}}{{company.address}}{{/company.address}}"))
            l->oom = true;
    }

    rg_rendered r;
    rg_err e;
    rg_err_clear(&e);
    rg_status st = rg_message_render(mt, sample, &r, &e);
    if (st == RG_ENOMEM) {
        l->oom = true;
        return;
    }
    if (st) {
        if (!diag_add(l->out, RG_DIAG_ERROR, mt->file, 0, 0, RG_RULE_TEMPLATE_RENDER,
                      "does not render with the sample data: %s: %s", e.where, e.msg))
            l->oom = true;
        return;
    }
    if (strcmp(mt->channel, "sms") == 0 && r.text) {
        rg_sms_info si;
        rg_sms_measure(r.text, strlen(r.text), &si);
        if (si.segments > 1 &&
            !diag_add(l->out, RG_DIAG_WARNING, mt->file, 0, 0, RG_RULE_TEMPLATE_SMS_LENGTH,
                      "renders to %zu %s with the sample data, %zu SMS parts (one holds %d); its fixed text "
                      "alone is %zu characters%s",
                      si.units, si.gsm7 ? "GSM-7 characters" : "UCS-2 characters", si.segments, si.gsm7 ? 160 : 70,
                      rg_template_static_chars(mt->body),
                      si.gsm7 ? "" : " (accents such as a-tilde or c-cedilla force UCS-2)"))
            l->oom = true;
    }
    if (strcmp(mt->channel, "whatsapp") == 0 && !mt->wa_name && r.text) {
        size_t chars = chars_in(r.text, strlen(r.text));
        if (chars > WA_TEXT_MAX &&
            !diag_add(l->out, RG_DIAG_WARNING, mt->file, 0, 0, RG_RULE_TEMPLATE_WHATSAPP_LENGTH,
                      "renders to %zu characters with the sample data; WhatsApp accepts at most %d", chars,
                      WA_TEXT_MAX))
            l->oom = true;
    }
    rg_rendered_free(&r);
}

static int diag_order(const rg_template_diag *a, const rg_template_diag *b)
{
    int c = strcmp(a->file, b->file);
    if (c)
        return c;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->col != b->col)
        return a->col < b->col ? -1 : 1;
    return 0;
}

/* Stable insertion sort of out->v[first..n) (a few dozen items). */
static void diags_sort(rg_template_diags *out, size_t first)
{
    for (size_t i = first + 1; i < out->n; i++) {
        rg_template_diag x = out->v[i];
        size_t j = i;
        while (j > first && diag_order(&out->v[j - 1], &x) > 0) {
            out->v[j] = out->v[j - 1];
            j--;
        }
        out->v[j] = x;
    }
}

/* The creditor and the sample as `use` sees them. */
static void use_setup(const rg_template_use *use, creditor *c, rg_render_vars *sample)
{
    const rg_render_vars *co = use ? use->company : NULL;
    creditor_init(c, co ? co->company.name : NULL, co ? co->company.cnpj : NULL);
    *sample = *rg_render_vars_sample();
    if (c->name)
        sample->company.name = c->name;
    if (c->cnpj)
        sample->company.cnpj = c->cnpj;
}

static void use_context(const rg_template_use *use, const char *channel, rg_var_context *cx)
{
    cx->channel = channel;
    cx->company = use ? use->company : NULL;
    cx->offer = use && use->offer;
    cx->promise = use && use->promise;
}

rg_status rg_template_set_check(const rg_template_set *s, const char *name, const char *channel,
                                const rg_template_use *use, rg_template_diags *out, rg_err *e)
{
    const rg_message_template *mt = lookup(s, name, channel);
    if (!mt || !(mt->has_text || mt->has_html))
        return rg_err_set(e, RG_ENOTFOUND, "template lint", "no template %s.%s", name ? name : "",
                          channel ? channel : "");
    size_t first = out->n;
    linter l = {out, false};
    creditor c;
    rg_render_vars sample;
    rg_var_context cx;
    use_setup(use, &c, &sample);
    use_context(use, mt->channel, &cx);
    lint_load(&l, s, mt);
    if (!l.oom)
        lint_entry(&l, mt, &c, &sample, &cx);
    if (l.oom)
        return rg_err_set(e, RG_ENOMEM, "template lint", "out of memory");
    diags_sort(out, first);
    return RG_OK;
}

rg_status rg_template_set_lint(const rg_template_set *s, const rg_template_use *use, rg_template_diags *out,
                               rg_err *e)
{
    size_t first = out->n;
    linter l = {out, false};
    for (size_t i = 0; i < s->diags.n && !l.oom; i++)
        if (!diag_push(out, &s->diags.v[i]))
            l.oom = true;
    creditor c;
    rg_render_vars sample;
    use_setup(use, &c, &sample);
    for (size_t i = 0; i < s->n && !l.oom; i++) {
        rg_var_context cx;
        use_context(use, s->v[i]->channel, &cx);
        lint_entry(&l, s->v[i], &c, &sample, &cx);
    }
    if (l.oom)
        return rg_err_set(e, RG_ENOMEM, "template lint", "out of memory");
    diags_sort(out, first);
    return RG_OK;
}
