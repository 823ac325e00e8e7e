#include "render/template.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum node_type { N_TEXT, N_VAR, N_SECTION, N_INVERTED } node_type;

typedef struct node {
    node_type type;
    rg_var_id var;
    bool escape;  /* N_VAR: HTML-escape the value */
    size_t off;   /* N_TEXT: offset in src */
    size_t len;   /* N_TEXT: length */
    size_t end;   /* N_SECTION / N_INVERTED: index of the first node after the body */
    bool cond;    /* inside a section other than {{#invoices}}, or an inverted one */
    int line;
    int col;
} node;

struct rg_template {
    rg_template_kind kind;
    char *name;
    char *src;
    size_t src_len;
    node *nodes;
    size_t n_nodes;
    rg_template_ref *refs;
    size_t n_refs;
    size_t static_chars;
};

/* ---- compiler ------------------------------------------------------------- */

typedef struct open_section {
    size_t node;
    rg_var_id var; /* RG_V__COUNT: an unknown name (already reported) */
    bool inverted;
    int line;
    int col;
    size_t name_off, name_len; /* of an unknown name, to match its close */
} open_section;

/* Compile errors reported per template before giving up. */
#define MAX_ERRORS 50

typedef struct compiler {
    const char *src;
    size_t len;
    const char *name;
    rg_template_kind kind;
    int line0;
    int col0;
    /* position cache for pos_at() */
    size_t p_off;
    int p_line;
    int p_col;
    node *nodes;
    size_t n_nodes, cap_nodes;
    rg_template_ref *refs;
    size_t n_refs, cap_refs;
    open_section stack[RG_TEMPLATE_MAX_DEPTH];
    int depth;
    rg_template_errpos *errpos;
    rg_err *e;
    const rg_template_opts *opts;
    int n_errors;
} compiler;

/* Line and column (code points, from 1) of byte offset off. */
static void pos_at(compiler *c, size_t off, int *line, int *col)
{
    if (off < c->p_off) {
        c->p_off = 0;
        c->p_line = c->line0;
        c->p_col = c->col0;
    }
    while (c->p_off < off && c->p_off < c->len) {
        unsigned char ch = (unsigned char)c->src[c->p_off++];
        if (ch == '\n') {
            c->p_line++;
            c->p_col = 1;
        } else if ((ch & 0xC0) != 0x80) {
            c->p_col++;
        }
    }
    *line = c->p_line;
    *col = c->p_col;
}

/* Records a compile error at line:col: the first goes to e and errpos
 * (what rg_template_compile returns), every one to opts->on_error. */
static void error_lc(compiler *c, int line, int col, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void error_lc(compiler *c, int line, int col, const char *rule, const char *fmt, ...)
{
    char where[160];
    snprintf(where, sizeof where, "%s:%d:%d", c->name, line, col);
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->n_errors++ == 0) {
        if (c->errpos) {
            c->errpos->line = line;
            c->errpos->col = col;
            c->errpos->rule = rule;
        }
        rg_err_set(c->e, RG_EINVAL, where, "%s", msg);
    }
    if (c->opts && c->opts->on_error) {
        rg_template_errpos pos = {line, col, rule};
        c->opts->on_error(c->opts->error_ctx, &pos, msg);
    }
}

#define error_at(c, off, rule, ...)                                                                               \
    do {                                                                                                          \
        int l_, k_;                                                                                               \
        pos_at((c), (off), &l_, &k_);                                                                             \
        error_lc((c), l_, k_, (rule), __VA_ARGS__);                                                               \
    } while (0)

static rg_status oom(compiler *c)
{
    if (c->errpos) {
        c->errpos->line = 0;
        c->errpos->col = 0;
        c->errpos->rule = RG_RULE_TEMPLATE_SYNTAX;
    }
    return rg_err_set(c->e, RG_ENOMEM, c->name, "out of memory compiling the template");
}

static bool grow(void **p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return true;
    size_t nc = *cap ? *cap * 2 : 16;
    if (nc > SIZE_MAX / size)
        return false;
    void *q = realloc(*p, nc * size);
    if (!q)
        return false;
    *p = q;
    *cap = nc;
    return true;
}

static node *push_node(compiler *c, node_type type, size_t off)
{
    if (!grow((void **)&c->nodes, &c->cap_nodes, c->n_nodes, sizeof(node)))
        return NULL;
    node *n = &c->nodes[c->n_nodes++];
    memset(n, 0, sizeof *n);
    n->type = type;
    pos_at(c, off, &n->line, &n->col);
    for (int i = 0; i < c->depth; i++)
        if (c->stack[i].inverted || c->stack[i].var != RG_V_INVOICES)
            n->cond = true;
    return n;
}

static rg_status emit_text(compiler *c, size_t from, size_t to)
{
    if (to <= from)
        return RG_OK;
    node *n = push_node(c, N_TEXT, from);
    if (!n)
        return oom(c);
    n->off = from;
    n->len = to - from;
    return RG_OK;
}

static bool is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

static bool is_ws(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static bool is_name_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
           ch == '.' || ch == '-';
}

static size_t edit_distance(const char *a, size_t na, const char *b)
{
    size_t nb = strlen(b);
    size_t row[64];
    if (na >= 63 || nb >= 63)
        return SIZE_MAX;
    for (size_t j = 0; j <= nb; j++)
        row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[nb];
}

/* The variable a misspelt name most likely meant, or NULL. */
static const char *suggest(const char *s, size_t n)
{
    size_t count;
    const rg_var_info *t = rg_var_table(&count);
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; i < count; i++) {
        size_t tn = strlen(t[i].name);
        /* "first_name" -> "customer.first_name" */
        if (tn > n && t[i].name[tn - n - 1] == '.' && memcmp(t[i].name + tn - n, s, n) == 0)
            return t[i].name;
        size_t d = edit_distance(s, n, t[i].name);
        if (d < best_d) {
            best_d = d;
            best = t[i].name;
        }
    }
    return best;
}

static void add_ref(compiler *c, rg_var_id var, rg_template_ref_kind kind, int line, int col, bool *ok)
{
    if (!grow((void **)&c->refs, &c->cap_refs, c->n_refs, sizeof(rg_template_ref))) {
        *ok = false;
        return;
    }
    rg_template_ref *r = &c->refs[c->n_refs++];
    r->var = var;
    r->kind = kind;
    r->line = line;
    r->col = col;
    r->guarded = false;
    r->conditional = false;
    bool invoice_scoped = strncmp(rg_var_info_of(var)->name, "invoice.", 8) == 0;
    bool scope_open = true;
    for (int i = c->depth - 1; i >= 0; i--) {
        const open_section *s = &c->stack[i];
        if (s->inverted || s->var != RG_V_INVOICES)
            r->conditional = true;
        if (scope_open && !s->inverted && s->var == var)
            r->guarded = true;
        if (invoice_scoped && s->var == RG_V_INVOICES && !s->inverted)
            scope_open = false;
    }
    *ok = true;
}

/* Is the tag [ts, te) alone on its line? If so, *line_from is where its line
 * starts and *line_to just past its newline (or the end). */
static bool standalone(const compiler *c, size_t text_start, size_t ts, size_t te, size_t *line_from, size_t *line_to)
{
    size_t i = ts;
    while (i > text_start && is_blank(c->src[i - 1]))
        i--;
    if (i > 0 && c->src[i - 1] != '\n')
        return false;
    size_t j = te;
    while (j < c->len && is_blank(c->src[j]))
        j++;
    if (j < c->len) {
        if (c->src[j] == '\n')
            j++;
        else if (c->src[j] == '\r' && j + 1 < c->len && c->src[j + 1] == '\n')
            j += 2;
        else
            return false;
    }
    *line_from = i;
    *line_to = j;
    return true;
}

/* Offset just past the next "}}" at or after `from`, or 0 when none: where
 * parsing resumes after a malformed tag. */
static size_t after_close(const compiler *c, size_t from)
{
    if (from >= c->len)
        return 0;
    const char *close = memmem(c->src + from, c->len - from, "}}", 2);
    return close ? (size_t)(close - c->src) + 2 : 0;
}

static bool is_placeholder_for(const compiler *c, const open_section *s, size_t off, size_t len)
{
    return s->var == RG_V__COUNT && s->name_len == len && memcmp(c->src + s->name_off, c->src + off, len) == 0;
}

/* Compiles the whole source; after an error it goes on where it can (the
 * next tag), so that every error is reported, up to MAX_ERRORS. Returns
 * RG_EINVAL (the first error in c->e) when there was any. */
static rg_status compile_all(compiler *c)
{
    size_t text_start = 0;
    size_t pos = 0;
    rg_status st = RG_OK;
    bool capped = false;
    for (;;) {
        if (c->n_errors >= MAX_ERRORS) {
            capped = true;
            break;
        }
        const char *p = NULL;
        if (pos + 1 < c->len)
            p = memmem(c->src + pos, c->len - pos, "{{", 2);
        if (!p) {
            st = emit_text(c, text_start, c->len);
            if (st)
                return st;
            break;
        }
        size_t ts = (size_t)(p - c->src);
        size_t q = ts + 2;
        char sigil = q < c->len ? c->src[q] : '\0';
        size_t te;
        size_t name_off = 0, name_len = 0;
        if (sigil == '!') {
            const char *close = memmem(c->src + q, c->len - q, "}}", 2);
            if (!close) {
                error_at(c, ts, RG_RULE_TEMPLATE_SYNTAX,
                         "unclosed comment: expected '}}' to close '{{!' before the end of the template");
                break;
            }
            te = (size_t)(close - c->src) + 2;
        } else if (sigil == '=' || sigil == '>' || sigil == '<') {
            if (sigil == '=')
                error_at(c, ts, RG_RULE_TEMPLATE_SYNTAX, "set-delimiter tags '{{=...=}}' are not supported");
            else
                error_at(c, ts, RG_RULE_TEMPLATE_SYNTAX, "partials '{{>name}}' are not supported");
            if (!(pos = after_close(c, q)))
                break;
            text_start = pos;
            continue;
        } else {
            bool triple = sigil == '{';
            if (sigil == '{' || sigil == '&' || sigil == '#' || sigil == '^' || sigil == '/')
                q++;
            else
                sigil = '\0';
            while (q < c->len && is_ws(c->src[q]))
                q++;
            name_off = q;
            while (q < c->len && is_name_char(c->src[q]))
                q++;
            name_len = q - name_off;
            while (q < c->len && is_ws(c->src[q]))
                q++;
            const char *closer = triple ? "}}}" : "}}";
            size_t cl = triple ? 3 : 2;
            if (name_len == 0) {
                if (q >= c->len) {
                    error_at(c, ts, RG_RULE_TEMPLATE_SYNTAX,
                             "unclosed tag: expected a variable name and '%s' before the end of the template", closer);
                    break;
                }
                char got[8] = {c->src[q], 0};
                if (c->src[q] == '}')
                    error_at(c, q, RG_RULE_TEMPLATE_SYNTAX, "empty tag: expected a variable name before '%s'", closer);
                else
                    error_at(c, q, RG_RULE_TEMPLATE_SYNTAX,
                             "unexpected '%s' in tag: expected a variable name (letters, digits, '_', '.')", got);
                if (!(pos = after_close(c, q)))
                    break;
                text_start = pos;
                continue;
            }
            if (q + cl > c->len || memcmp(c->src + q, closer, cl) != 0) {
                size_t k = q;
                while (k < c->len && c->src[k] == '}')
                    k++;
                if (triple && q + 2 <= c->len && memcmp(c->src + q, "}}", 2) == 0) {
                    error_at(c, q, RG_RULE_TEMPLATE_SYNTAX, "expected '}}}' to close '{{{', found '}}'");
                } else if (k == c->len) { /* the end came first, maybe inside the closing braces */
                    error_at(c, ts, RG_RULE_TEMPLATE_SYNTAX, "unclosed tag: expected '%s' before the end of the template",
                             closer);
                    break;
                } else {
                    char got[8] = {c->src[q], 0};
                    error_at(c, q, RG_RULE_TEMPLATE_SYNTAX, "unexpected '%s' in tag: expected '%s'", got, closer);
                }
                if (!(pos = after_close(c, q)))
                    break;
                text_start = pos;
                continue;
            }
            te = q + cl;
            if (triple)
                sigil = '&';
        }

        /* literal text before the tag; standalone block tags take their line */
        size_t text_end = ts;
        size_t next_text = te;
        if (sigil == '#' || sigil == '^' || sigil == '/' || sigil == '!') {
            size_t from, to;
            if (standalone(c, text_start, ts, te, &from, &to)) {
                text_end = from;
                next_text = to;
            }
        }
        st = emit_text(c, text_start, text_end);
        if (st)
            return st;
        text_start = next_text;
        pos = te;
        if (sigil == '!')
            continue;

        char nm[96];
        snprintf(nm, sizeof nm, "%.*s", (int)(name_len > 80 ? 80 : name_len), c->src + name_off);
        const rg_var_info *vi = rg_var_find(c->src + name_off, name_len);
        int line, col;
        pos_at(c, ts, &line, &col);
        if (!vi && sigil == '/' && c->depth > 0 && is_placeholder_for(c, &c->stack[c->depth - 1], name_off, name_len)) {
            c->depth--; /* closes an unknown section, already reported */
            continue;
        }
        if (!vi) {
            const char *sg = suggest(c->src + name_off, name_len);
            char hint[128] = "";
            if (sg)
                snprintf(hint, sizeof hint, " (did you mean '%s'?)", sg);
            error_at(c, name_off, RG_RULE_TEMPLATE_UNKNOWN_VARIABLE,
                     "unknown variable '%s'%s; see docs/internals/templates.md for the list", nm, hint);
            if ((sigil == '#' || sigil == '^') && c->depth < RG_TEMPLATE_MAX_DEPTH) {
                /* keep its place, so that its close is not an error too */
                open_section *s = &c->stack[c->depth++];
                *s = (open_section){0, RG_V__COUNT, sigil == '^', line, col, name_off, name_len};
            }
            continue;
        }
        bool ok = true;
        if (sigil == '\0' || sigil == '&') {
            if (vi->type == RG_VAR_LIST) {
                error_at(c, name_off, RG_RULE_TEMPLATE_SYNTAX,
                         "'%s' is a list: write {{#%s}}...{{/...}} around what repeats for each item", nm, nm);
                continue;
            }
            node *n = push_node(c, N_VAR, ts);
            if (!n)
                return oom(c);
            n->var = vi->id;
            n->escape = sigil == '\0' && c->kind == RG_TEMPLATE_HTML;
            add_ref(c, vi->id, RG_REF_OUTPUT, line, col, &ok);
        } else if (sigil == '#' || sigil == '^') {
            if (c->depth >= RG_TEMPLATE_MAX_DEPTH) {
                error_at(c, ts, RG_RULE_TEMPLATE_SYNTAX, "sections nested deeper than %d levels",
                         RG_TEMPLATE_MAX_DEPTH);
                break;
            }
            if (sigil == '#' && vi->id == RG_V_INVOICES)
                for (int i = 0; i < c->depth; i++)
                    if (c->stack[i].var == RG_V_INVOICES && !c->stack[i].inverted) {
                        error_at(c, ts, RG_RULE_TEMPLATE_SYNTAX,
                                 "{{#invoices}} cannot be nested inside another {{#invoices}}");
                        break;
                    }
            add_ref(c, vi->id, sigil == '#' ? RG_REF_SECTION : RG_REF_INVERTED, line, col, &ok);
            node *n = push_node(c, sigil == '#' ? N_SECTION : N_INVERTED, ts);
            if (!n || !ok)
                return oom(c);
            n->var = vi->id;
            open_section *s = &c->stack[c->depth++];
            *s = (open_section){c->n_nodes - 1, vi->id, sigil == '^', line, col, 0, 0};
        } else { /* '/' */
            int at = c->depth - 1;
            while (at >= 0 && c->stack[at].var != vi->id)
                at--;
            bool only_unknown_between = at >= 0;
            for (int i = at + 1; i < c->depth && only_unknown_between; i++)
                only_unknown_between = c->stack[i].var == RG_V__COUNT;
            if (c->depth == 0) {
                error_at(c, ts, RG_RULE_TEMPLATE_SYNTAX, "'{{/%s}}' closes nothing: no section is open", nm);
                continue;
            }
            if (!only_unknown_between) {
                const open_section *top = &c->stack[c->depth - 1];
                if (top->var == RG_V__COUNT)
                    error_at(c, ts, RG_RULE_TEMPLATE_SYNTAX,
                             "mismatched '{{/%s}}': expected {{/%.*s}} to close the section opened at %d:%d", nm,
                             (int)(top->name_len > 80 ? 80 : top->name_len), c->src + top->name_off, top->line,
                             top->col);
                else
                    error_at(c, ts, RG_RULE_TEMPLATE_SYNTAX,
                             "mismatched '{{/%s}}': expected {{/%s}} to close the section opened at %d:%d", nm,
                             rg_var_info_of(top->var)->name, top->line, top->col);
                if (at < 0)
                    continue; /* nothing to close: skip it */
            }
            /* close it, and any section left open inside it */
            for (int i = c->depth - 1; i >= at; i--)
                if (c->stack[i].var != RG_V__COUNT)
                    c->nodes[c->stack[i].node].end = c->n_nodes;
            c->depth = at;
        }
        if (!ok)
            return oom(c);
    }
    for (int i = c->depth - 1; i >= 0 && !capped; i--) {
        const open_section *s = &c->stack[i];
        if (s->var == RG_V__COUNT)
            continue; /* its unknown name was reported */
        const char *nm = rg_var_info_of(s->var)->name;
        error_lc(c, s->line, s->col, RG_RULE_TEMPLATE_SYNTAX,
                 "unclosed section '{{%c%s}}': expected '{{/%s}}' before the end of the template",
                 s->inverted ? '^' : '#', nm, nm);
    }
    if (capped && c->opts && c->opts->on_error) {
        rg_template_errpos stop = {0, 0, RG_RULE_TEMPLATE_SYNTAX};
        c->opts->on_error(c->opts->error_ctx, &stop, "too many errors; the rest of the template was not checked");
    }
    return c->n_errors ? RG_EINVAL : RG_OK;
}

static size_t count_chars(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            k++;
    return k;
}

rg_status rg_template_compile(const char *src, size_t len, const rg_template_opts *opts, rg_template **out,
                              rg_template_errpos *errpos, rg_err *e)
{
    rg_status st = RG_OK;
    rg_template *t = NULL;
    compiler c;
    memset(&c, 0, sizeof c);
    *out = NULL;
    if (errpos) {
        errpos->line = 0;
        errpos->col = 0;
        errpos->rule = NULL;
    }
    const char *name = opts && opts->name ? opts->name : "template";
    t = calloc(1, sizeof *t);
    if (!t) {
        st = rg_err_set(e, RG_ENOMEM, name, "out of memory compiling the template");
        goto out;
    }
    t->kind = opts ? opts->kind : RG_TEMPLATE_TEXT;
    t->name = rg_strdup(name);
    t->src = malloc(len + 1);
    if (!t->name || !t->src) {
        st = rg_err_set(e, RG_ENOMEM, name, "out of memory compiling the template");
        goto out;
    }
    if (len)
        memcpy(t->src, src, len);
    t->src[len] = '\0';
    t->src_len = len;

    c.src = t->src;
    c.len = len;
    c.name = t->name;
    c.kind = t->kind;
    c.line0 = opts && opts->line > 0 ? opts->line : 1;
    c.col0 = opts && opts->col > 0 ? opts->col : 1;
    c.p_line = c.line0;
    c.p_col = c.col0;
    c.errpos = errpos;
    c.e = e;
    c.opts = opts;
    st = compile_all(&c);
    if (st)
        goto out;
    t->nodes = c.nodes;
    t->n_nodes = c.n_nodes;
    t->refs = c.refs;
    t->n_refs = c.n_refs;
    c.nodes = NULL;
    c.refs = NULL;
    for (size_t i = 0; i < t->n_nodes; i++)
        if (t->nodes[i].type == N_TEXT)
            t->static_chars += count_chars(t->src + t->nodes[i].off, t->nodes[i].len);
    *out = t;
    t = NULL;
out:
    free(c.nodes);
    free(c.refs);
    rg_template_free(t);
    return st;
}

void rg_template_free(rg_template *t)
{
    if (!t)
        return;
    free(t->name);
    free(t->src);
    free(t->nodes);
    free(t->refs);
    free(t);
}

/* ---- renderer ------------------------------------------------------------- */

typedef struct renderer {
    const rg_template *t;
    const rg_render_vars *v;
    const rg_render_invoice *cur; /* NULL: invoices[0] */
    rg_buf *out;
    rg_buf scratch;
    rg_err *e;
} renderer;

static void append_html(rg_buf *out, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: continue;
        }
        rg_buf_append(out, s + run, i - run);
        rg_buf_puts(out, rep);
        run = i + 1;
    }
    rg_buf_append(out, s + run, n - run);
}

static rg_status render_range(renderer *r, size_t from, size_t to)
{
    const rg_template *t = r->t;
    for (size_t i = from; i < to;) {
        const node *n = &t->nodes[i];
        switch (n->type) {
        case N_TEXT:
            rg_buf_append(r->out, t->src + n->off, n->len);
            i++;
            break;
        case N_VAR:
            rg_buf_reset(&r->scratch);
            if (!rg_var_format(r->v, r->cur, n->var, &r->scratch)) {
                const rg_var_info *vi = rg_var_info_of(n->var);
                char where[160];
                snprintf(where, sizeof where, "%s:%d:%d", t->name, n->line, n->col);
                if (vi->need == RG_VAR_REQUIRED)
                    return rg_err_set(r->e, RG_EINVAL, where, "variable %s has no value (it is always required)",
                                      vi->name);
                if (vi->need == RG_VAR_CONFIG)
                    return rg_err_set(r->e, RG_EINVAL, where,
                                      "variable %s has no value: set it in regua.yaml, or write "
                                      "{{#%s}}...{{%s}}...{{/%s}}",
                                      vi->name, vi->name, vi->name, vi->name);
                return rg_err_set(r->e, RG_EINVAL, where,
                                  "variable %s has no value; to make it optional, write "
                                  "{{#%s}}...{{%s}}...{{/%s}}",
                                  vi->name, vi->name, vi->name, vi->name);
            }
            if (r->scratch.oom)
                return rg_err_set(r->e, RG_ENOMEM, t->name, "out of memory rendering the template");
            if (n->escape)
                append_html(r->out, r->scratch.p, r->scratch.len);
            else
                rg_buf_append(r->out, r->scratch.p, r->scratch.len);
            i++;
            break;
        case N_SECTION:
        case N_INVERTED: {
            rg_status st = RG_OK;
            if (n->type == N_SECTION && n->var == RG_V_INVOICES) {
                const rg_render_invoice *saved = r->cur;
                for (size_t k = 0; r->v->invoices && k < r->v->n_invoices && !st; k++) {
                    r->cur = &r->v->invoices[k];
                    st = render_range(r, i + 1, n->end);
                }
                r->cur = saved;
            } else if (rg_var_truthy(r->v, r->cur, n->var) == (n->type == N_SECTION)) {
                st = render_range(r, i + 1, n->end);
            }
            if (st)
                return st;
            i = n->end;
            break;
        }
        }
    }
    return RG_OK;
}

rg_status rg_template_render(const rg_template *t, const rg_render_vars *v, rg_buf *out, rg_err *e)
{
    size_t mark = out->len;
    renderer r = {t, v, NULL, out, RG_BUF_INIT, e};
    rg_status st = render_range(&r, 0, t->n_nodes);
    if (!st && out->oom)
        st = rg_err_set(e, RG_ENOMEM, t->name, "out of memory rendering the template");
    rg_buf_free(&r.scratch);
    if (st && !out->oom) {
        out->len = mark;
        if (out->p)
            out->p[mark] = '\0';
    }
    return st;
}

rg_template_kind rg_template_kind_of(const rg_template *t)
{
    return t->kind;
}

const rg_template_ref *rg_template_refs(const rg_template *t, size_t *n)
{
    *n = t->n_refs;
    return t->refs;
}

const char *rg_template_source(const rg_template *t, size_t *len)
{
    if (len)
        *len = t->src_len;
    return t->src;
}

size_t rg_template_static_chars(const rg_template *t)
{
    return t->static_chars;
}

bool rg_template_outputs(const rg_template *t, rg_var_id id, bool unconditional)
{
    for (size_t i = 0; i < t->n_refs; i++)
        if (t->refs[i].var == id && t->refs[i].kind == RG_REF_OUTPUT && (!unconditional || !t->refs[i].conditional))
            return true;
    return false;
}

bool rg_template_text_contains(const rg_template *t, const char *needle, bool unconditional)
{
    size_t nn = needle ? strlen(needle) : 0;
    if (nn == 0)
        return false;
    for (size_t i = 0; i < t->n_nodes; i++) {
        const node *n = &t->nodes[i];
        if (n->type != N_TEXT || (unconditional && n->cond) || n->len < nn)
            continue;
        const char *p = t->src + n->off;
        for (size_t k = 0; k + nn <= n->len; k++)
            if (strncasecmp(p + k, needle, nn) == 0)
                return true;
    }
    return false;
}

size_t rg_template_node_count(const rg_template *t)
{
    return t->n_nodes;
}
