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

static bool before(const rg_diag *a, const rg_diag *b)
{
    if (a->line != b->line)
        return a->line < b->line;
    return a->column < b->column;
}

void rg_diags_sort(rg_diags *d, size_t from)
{
    if (!d)
        return;
    /* Insertion sort: stable, and lists are short. */
    for (size_t i = from + 1; i < d->n; i++) {
        rg_diag x = d->items[i];
        size_t j = i;
        while (j > from && before(&x, &d->items[j - 1])) {
            d->items[j] = d->items[j - 1];
            j--;
        }
        d->items[j] = x;
    }
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
    if (g->line > 0)
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
