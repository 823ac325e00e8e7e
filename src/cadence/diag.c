#include "cadence/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rg_diags_add(rg_diags *d, rg_severity sev, const char *file, int line, int column,
                  const char *rule, const char *fmt, ...)
{
    if (!d || d->oom)
        return;
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        rg_diag *p = realloc(d->items, cap * sizeof *p);
        if (!p) {
            d->oom = true;
            return;
        }
        d->items = p;
        d->cap = cap;
    }
    rg_buf msg = RG_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    char tmp[1024];
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k < 0)
        k = 0;
    if ((size_t)k < sizeof tmp) {
        rg_buf_append(&msg, tmp, (size_t)k);
    } else {
        va_start(ap, fmt);
        char *big = malloc((size_t)k + 1);
        if (big) {
            vsnprintf(big, (size_t)k + 1, fmt, ap);
            rg_buf_append(&msg, big, (size_t)k);
            free(big);
        } else {
            msg.oom = true;
        }
        va_end(ap);
    }
    char *f = rg_strdup(file ? file : "");
    char *m = msg.oom ? NULL : rg_buf_detach(&msg);
    if (!m)
        m = rg_strdup("");
    rg_buf_free(&msg);
    if (!f || !m) {
        free(f);
        free(m);
        d->oom = true;
        return;
    }
    /* One diagnostic, one line; and no terminal escapes from the file. */
    for (char *q = m; *q; q++) {
        unsigned char ch = (unsigned char)*q;
        if (ch == '\n' || ch == '\r' || ch == '\t')
            *q = ' ';
        else if (ch < 0x20 || ch == 0x7f)
            *q = '?';
    }
    d->items[d->n++] = (rg_diag){sev, f, line, column, rule, m};
}

size_t rg_diags_count(const rg_diags *d, size_t from, rg_severity sev)
{
    size_t c = 0;
    if (!d)
        return 0;
    for (size_t i = from; i < d->n; i++)
        if (d->items[i].severity == sev)
            c++;
    return c;
}

/* Sort keys: the file's rank (the order in which files first appear), then
 * line and column. */
typedef struct key {
    size_t rank;
    int line, column;
} key;

static bool before(const key *a, const key *b)
{
    if (a->rank != b->rank)
        return a->rank < b->rank;
    if (a->line != b->line)
        return a->line < b->line;
    return a->column < b->column;
}

void rg_diags_sort(rg_diags *d, size_t from)
{
    if (!d || d->n <= from + 1)
        return;
    size_t n = d->n - from;
    key *k = malloc(n * sizeof *k);
    if (!k) {
        d->oom = true;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const rg_diag *g = &d->items[from + i];
        size_t r = i;
        for (size_t j = 0; j < i; j++) {
            if (strcmp(d->items[from + j].file, g->file) == 0) {
                r = k[j].rank;
                break;
            }
        }
        k[i] = (key){r, g->line, g->column};
    }
    /* Insertion sort: stable, and lists are short. */
    for (size_t i = 1; i < n; i++) {
        rg_diag x = d->items[from + i];
        key xk = k[i];
        size_t j = i;
        while (j > 0 && before(&xk, &k[j - 1])) {
            d->items[from + j] = d->items[from + j - 1];
            k[j] = k[j - 1];
            j--;
        }
        d->items[from + j] = x;
        k[j] = xk;
    }
    free(k);
}

void rg_diags_dedupe(rg_diags *d, size_t from)
{
    if (!d)
        return;
    size_t w = from;
    for (size_t i = from; i < d->n; i++) {
        rg_diag *g = &d->items[i];
        bool dup = false;
        for (size_t j = from; j < w && !dup; j++) {
            const rg_diag *h = &d->items[j];
            dup = h->severity == g->severity && h->line == g->line && h->column == g->column &&
                  strcmp(h->rule, g->rule) == 0 && strcmp(h->file, g->file) == 0 &&
                  strcmp(h->message, g->message) == 0;
        }
        if (dup) {
            free(g->file);
            free(g->message);
        } else {
            d->items[w++] = *g;
        }
    }
    d->n = w;
}

void rg_diags_truncate(rg_diags *d, size_t from)
{
    if (!d)
        return;
    for (size_t i = from; i < d->n; i++) {
        free(d->items[i].file);
        free(d->items[i].message);
    }
    if (from < d->n)
        d->n = from;
}

void rg_diags_free(rg_diags *d)
{
    if (!d)
        return;
    rg_diags_truncate(d, 0);
    free(d->items);
    *d = (rg_diags)RG_DIAGS_INIT;
}

const char *rg_severity_name(rg_severity s)
{
    switch (s) {
    case RG_SEV_ERROR:
        return "error";
    case RG_SEV_WARNING:
        return "warning";
    case RG_SEV_INFO:
        return "info";
    }
    return "?";
}

void rg_diag_format(const rg_diag *g, rg_buf *out)
{
    if (g->line > 0 && g->column > 0)
        rg_buf_printf(out, "%s:%d:%d: %s[%s]: %s\n", g->file, g->line, g->column,
                      rg_severity_name(g->severity), g->rule, g->message);
    else if (g->line > 0)
        rg_buf_printf(out, "%s:%d: %s[%s]: %s\n", g->file, g->line, rg_severity_name(g->severity),
                      g->rule, g->message);
    else
        rg_buf_printf(out, "%s: %s[%s]: %s\n", g->file, rg_severity_name(g->severity), g->rule,
                      g->message);
}

void rg_diags_format(const rg_diags *d, rg_buf *out)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        rg_diag_format(&d->items[i], out);
}
