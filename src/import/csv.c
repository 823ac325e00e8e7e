#include "import/csv.h"

#include <stdio.h>
#include <string.h>

static char detect_delimiter(const char *p, const char *end)
{
    size_t commas = 0, semis = 0;
    int quoted = 0;
    for (; p < end && (quoted || (*p != '\n' && *p != '\r')); p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (!quoted && *p == ',')
            commas++;
        else if (!quoted && *p == ';')
            semis++;
    }
    return semis > commas ? ';' : ',';
}

void rg_csv_init(rg_csv *c, const char *data, size_t len)
{
    memset(c, 0, sizeof *c);
    c->p = data;
    c->end = data + len;
    if (len >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB &&
        (unsigned char)data[2] == 0xBF)
        c->p += 3;
    c->line = 1;
    c->delim = detect_delimiter(c->p, c->end);
}

void rg_csv_free(rg_csv *c)
{
    rg_buf_free(&c->scratch);
}

static void skip_to_next_line(rg_csv *c, const char *from, size_t from_line)
{
    const char *q = memchr(from, '\n', (size_t)(c->end - from));
    c->p = q ? q + 1 : c->end;
    c->line = from_line + 1;
}

rg_status rg_csv_next(rg_csv *c, rg_csv_row *row, rg_err *e)
{
    /* skip blank lines */
    while (c->p < c->end && (*c->p == '\n' || *c->p == '\r')) {
        if (*c->p == '\n')
            c->line++;
        c->p++;
    }
    if (c->p >= c->end)
        return RG_ENOTFOUND;

    const char *start = c->p;
    size_t start_line = c->line;
    size_t nf = 0;
    row->line = start_line;
    rg_buf_reset(&c->scratch);
    const char *p = c->p;
    char where[32];
    snprintf(where, sizeof where, "%zu", start_line);

    for (;;) {
        if (nf == RG_CSV_MAX_FIELDS) {
            skip_to_next_line(c, start, start_line);
            return rg_err_set(e, RG_EINVAL, where, "more than %d fields", RG_CSV_MAX_FIELDS);
        }
        c->offs[nf] = c->scratch.len;
        if (p < c->end && *p == '"') {
            size_t quote_line = c->line;
            p++;
            for (;;) {
                if (p >= c->end) {
                    snprintf(where, sizeof where, "%zu", quote_line);
                    skip_to_next_line(c, start, start_line);
                    return rg_err_set(e, RG_EINVAL, where,
                                      "unbalanced quote: the quoted field opened here never closes");
                }
                if (*p == '"') {
                    if (p + 1 < c->end && p[1] == '"') {
                        rg_buf_putc(&c->scratch, '"');
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                if (*p == '\n')
                    c->line++;
                rg_buf_putc(&c->scratch, *p++);
            }
            if (p < c->end && *p != c->delim && *p != '\n' && *p != '\r') {
                snprintf(where, sizeof where, "%zu", c->line);
                skip_to_next_line(c, p, c->line);
                return rg_err_set(e, RG_EINVAL, where,
                                  "unexpected character '%c' after a closing quote (field %zu)", *p,
                                  nf + 1);
            }
        } else {
            const char *s = p;
            while (p < c->end && *p != c->delim && *p != '\n' && *p != '\r')
                p++;
            rg_buf_append(&c->scratch, s, (size_t)(p - s));
        }
        c->lens[nf] = c->scratch.len - c->offs[nf];
        nf++;
        if (p < c->end && *p == c->delim) {
            p++;
            continue;
        }
        break;
    }
    /* end of record */
    if (p < c->end && *p == '\r')
        p++;
    if (p < c->end && *p == '\n') {
        p++;
        c->line++;
    }
    c->p = p;
    if (c->scratch.oom)
        return rg_err_set(e, RG_ENOMEM, where, "out of memory reading the row");
    row->n = nf;
    const char *base = rg_buf_cstr(&c->scratch);
    for (size_t i = 0; i < nf; i++) {
        row->field[i].p = base + c->offs[i];
        row->field[i].n = c->lens[i];
    }
    return RG_OK;
}
