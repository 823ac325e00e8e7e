#include "br/cnab.h"

#include "base/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Layout tables. Positions are 1-based and inclusive of `len` bytes, as in
 * the manuals:
 *   Itaú    — "Cobrança 400 bytes CNAB", Arquivo Retorno (3.2)
 *   Bradesco — "Layout de Cobrança, arquivo retorno CNAB 400" (4008.524.0121)
 *   FEBRABAN — "Layout Padrão CNAB 240, versão 10", Cobrança, Segmentos T/U
 * Only the fields regua uses are listed; the rest of each line is not read.
 */

typedef enum field_type {
    FT_TEXT,    /* any bytes; stored trimmed */
    FT_DIGITS,  /* digits only; stored as text */
    FT_NUM,     /* digits only; an integer */
    FT_MONEY,   /* digits only; centavos (two implied decimals) */
    FT_DMY6,    /* DDMMAA, 20AA; zeros or blanks = no date */
    FT_DMY8     /* DDMMAAAA; zeros or blanks = no date */
} field_type;

typedef enum field_slot {
    S_NONE = 0, /* validated, not stored */
    S_NOSSO, S_DOC, S_USO, S_OCC, S_REASONS,
    S_FACE, S_PAID, S_INTEREST, S_DISCOUNT, S_REBATE, S_IOF, S_FEES, S_OTHER_CREDITS, S_NET,
    S_DUE, S_OCC_DATE, S_CREDIT_DATE,
    S_GENERATED, S_LOTE, S_SEQ, S_COUNT, S_TOTAL, S_RECORDS, S_LOTES
} field_slot;

typedef struct cnab_field {
    const char *name;
    uint16_t start;
    uint16_t len;
    uint8_t type;
    uint8_t slot;
} cnab_field;

#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- CNAB 400, Itaú (341) ---- */
static const cnab_field itau400_header[] = {
    {"data_geracao", 95, 6, FT_DMY6, S_GENERATED},
    {"sequencial", 395, 6, FT_NUM, S_NONE},
};
static const cnab_field itau400_detail[] = {
    {"uso_empresa", 38, 25, FT_TEXT, S_USO},
    {"nosso_numero", 63, 8, FT_DIGITS, S_NOSSO},
    {"codigo_ocorrencia", 109, 2, FT_DIGITS, S_OCC},
    {"data_ocorrencia", 111, 6, FT_DMY6, S_OCC_DATE},
    {"numero_documento", 117, 10, FT_TEXT, S_DOC},
    {"vencimento", 147, 6, FT_DMY6, S_DUE},
    {"valor_titulo", 153, 13, FT_MONEY, S_FACE},
    {"tarifa_cobranca", 176, 13, FT_MONEY, S_FEES},
    {"valor_iof", 215, 13, FT_MONEY, S_IOF},
    {"valor_abatimento", 228, 13, FT_MONEY, S_REBATE},
    {"descontos", 241, 13, FT_MONEY, S_DISCOUNT},
    {"valor_principal", 254, 13, FT_MONEY, S_PAID},
    {"juros_mora_multa", 267, 13, FT_MONEY, S_INTEREST},
    {"outros_creditos", 280, 13, FT_MONEY, S_OTHER_CREDITS},
    {"data_credito", 296, 6, FT_DMY6, S_CREDIT_DATE},
    {"erros_mensagem", 378, 8, FT_TEXT, S_REASONS},
    {"sequencial", 395, 6, FT_NUM, S_NONE},
};
static const cnab_field itau400_trailer[] = {
    {"quantidade_detalhes", 213, 8, FT_NUM, S_COUNT},
    {"valor_total_informado", 221, 14, FT_MONEY, S_TOTAL},
    {"sequencial", 395, 6, FT_NUM, S_NONE},
};

/* ---- CNAB 400, Bradesco (237) ---- */
static const cnab_field bradesco400_header[] = {
    {"data_gravacao", 95, 6, FT_DMY6, S_GENERATED},
    {"sequencial", 395, 6, FT_NUM, S_NONE},
};
static const cnab_field bradesco400_detail[] = {
    {"controle_participante", 38, 25, FT_TEXT, S_USO},
    {"nosso_numero", 71, 12, FT_TEXT, S_NOSSO}, /* 11 digits + DV, which may be 'P' */
    {"codigo_ocorrencia", 109, 2, FT_DIGITS, S_OCC},
    {"data_ocorrencia", 111, 6, FT_DMY6, S_OCC_DATE},
    {"numero_documento", 117, 10, FT_TEXT, S_DOC},
    {"vencimento", 147, 6, FT_DMY6, S_DUE},
    {"valor_titulo", 153, 13, FT_MONEY, S_FACE},
    {"despesas_cobranca", 176, 13, FT_MONEY, S_FEES},
    {"valor_iof", 215, 13, FT_MONEY, S_IOF},
    {"valor_abatimento", 228, 13, FT_MONEY, S_REBATE},
    {"desconto_concedido", 241, 13, FT_MONEY, S_DISCOUNT},
    {"valor_pago", 254, 13, FT_MONEY, S_PAID},
    {"juros_mora", 267, 13, FT_MONEY, S_INTEREST},
    {"outros_creditos", 280, 13, FT_MONEY, S_OTHER_CREDITS},
    {"data_credito", 296, 6, FT_DMY6, S_CREDIT_DATE},
    {"motivos_rejeicao", 319, 10, FT_TEXT, S_REASONS},
    {"sequencial", 395, 6, FT_NUM, S_NONE},
};
static const cnab_field bradesco400_trailer[] = {
    {"quantidade_titulos", 18, 8, FT_NUM, S_COUNT},
    {"valor_total", 26, 14, FT_MONEY, S_TOTAL},
    {"sequencial", 395, 6, FT_NUM, S_NONE},
};

/* ---- CNAB 240, FEBRABAN v10 ---- */
static const cnab_field febraban240_header[] = {
    {"lote", 4, 4, FT_NUM, S_NONE},
    {"data_geracao", 144, 8, FT_DMY8, S_GENERATED},
};
static const cnab_field febraban240_lote_header[] = {
    {"lote", 4, 4, FT_NUM, S_LOTE},
};
static const cnab_field febraban240_t[] = {
    {"lote", 4, 4, FT_NUM, S_LOTE},
    {"sequencial_lote", 9, 5, FT_NUM, S_SEQ},
    {"codigo_movimento", 16, 2, FT_DIGITS, S_OCC},
    {"nosso_numero", 38, 20, FT_TEXT, S_NOSSO},
    {"numero_documento", 59, 15, FT_TEXT, S_DOC},
    {"vencimento", 74, 8, FT_DMY8, S_DUE},
    {"valor_titulo", 82, 15, FT_MONEY, S_FACE},
    {"uso_empresa", 106, 25, FT_TEXT, S_USO},
    {"valor_tarifa", 199, 15, FT_MONEY, S_FEES},
    {"motivo_ocorrencia", 214, 10, FT_TEXT, S_REASONS},
};
static const cnab_field febraban240_u[] = {
    {"lote", 4, 4, FT_NUM, S_LOTE},
    {"sequencial_lote", 9, 5, FT_NUM, S_SEQ},
    {"codigo_movimento", 16, 2, FT_DIGITS, S_NONE},
    {"juros_multa", 18, 15, FT_MONEY, S_INTEREST},
    {"desconto", 33, 15, FT_MONEY, S_DISCOUNT},
    {"abatimento", 48, 15, FT_MONEY, S_REBATE},
    {"valor_iof", 63, 15, FT_MONEY, S_IOF},
    {"valor_pago", 78, 15, FT_MONEY, S_PAID},
    {"valor_liquido", 93, 15, FT_MONEY, S_NET},
    {"outros_creditos", 123, 15, FT_MONEY, S_OTHER_CREDITS},
    {"data_ocorrencia", 138, 8, FT_DMY8, S_OCC_DATE},
    {"data_credito", 146, 8, FT_DMY8, S_CREDIT_DATE},
};
static const cnab_field febraban240_lote_trailer[] = {
    {"lote", 4, 4, FT_NUM, S_LOTE},
    {"quantidade_registros", 18, 6, FT_NUM, S_RECORDS},
    {"quantidade_titulos", 24, 6, FT_NUM, S_COUNT},
    {"valor_total", 30, 17, FT_MONEY, S_TOTAL},
};
static const cnab_field febraban240_trailer[] = {
    {"quantidade_lotes", 18, 6, FT_NUM, S_LOTES},
    {"quantidade_registros", 24, 6, FT_NUM, S_RECORDS},
};

/* Occurrence codes -> kind. Codes not listed are RG_CNAB_OTHER. */
typedef struct occ_kind {
    char code[3];
    uint8_t kind;
} occ_kind;

/* Itaú CNAB 400, nota 17 of the manual. */
static const occ_kind itau400_kinds[] = {
    {"02", RG_CNAB_ENTRY_CONFIRMED}, {"03", RG_CNAB_REJECTED},
    {"05", RG_CNAB_WRITE_OFF},       /* alteração de dados - baixa */
    {"06", RG_CNAB_LIQUIDATION},     {"07", RG_CNAB_LIQUIDATION}, /* parcial */
    {"08", RG_CNAB_LIQUIDATION},     /* em cartório */
    {"09", RG_CNAB_WRITE_OFF},       {"10", RG_CNAB_WRITE_OFF}, /* baixa por ter sido liquidado */
    {"15", RG_CNAB_REJECTED},        {"16", RG_CNAB_REJECTED}, {"17", RG_CNAB_REJECTED},
};
/* Bradesco CNAB 400, identificação de ocorrência (109-110). */
static const occ_kind bradesco400_kinds[] = {
    {"02", RG_CNAB_ENTRY_CONFIRMED}, {"03", RG_CNAB_REJECTED},
    {"06", RG_CNAB_LIQUIDATION},     {"09", RG_CNAB_WRITE_OFF}, {"10", RG_CNAB_WRITE_OFF},
    {"15", RG_CNAB_LIQUIDATION},     /* em cartório */
    {"17", RG_CNAB_LIQUIDATION},     /* após baixa ou título não registrado */
    {"24", RG_CNAB_REJECTED},        /* entrada rejeitada por CEP irregular */
    {"27", RG_CNAB_REJECTED},        {"30", RG_CNAB_REJECTED}, {"32", RG_CNAB_REJECTED},
};
/* FEBRABAN CNAB 240 v10, código de movimento retorno (C044). */
static const occ_kind febraban240_kinds[] = {
    {"02", RG_CNAB_ENTRY_CONFIRMED}, {"03", RG_CNAB_REJECTED},
    {"06", RG_CNAB_LIQUIDATION},     {"09", RG_CNAB_WRITE_OFF},
    {"17", RG_CNAB_LIQUIDATION},     /* após baixa ou de título não registrado */
    {"26", RG_CNAB_REJECTED},        {"30", RG_CNAB_REJECTED},
};

typedef struct layout400 {
    const char *bank;
    const cnab_field *header, *detail, *trailer;
    size_t n_header, n_detail, n_trailer;
    const occ_kind *kinds;
    size_t n_kinds;
} layout400;

static const layout400 layouts400[] = {
    {"341", itau400_header, itau400_detail, itau400_trailer, NFIELDS(itau400_header),
     NFIELDS(itau400_detail), NFIELDS(itau400_trailer), itau400_kinds, NFIELDS(itau400_kinds)},
    {"237", bradesco400_header, bradesco400_detail, bradesco400_trailer, NFIELDS(bradesco400_header),
     NFIELDS(bradesco400_detail), NFIELDS(bradesco400_trailer), bradesco400_kinds,
     NFIELDS(bradesco400_kinds)},
};

/* ---- field extraction ---- */

/* What one record yields: an entry plus the non-entry figures. */
typedef struct record {
    rg_cnab_entry en;
    rg_date generated;
    int64_t lote, seq, count, records, lotes;
    rg_cents total;
} record;

typedef struct bad_field {
    const char *name;
    char msg[160];
} bad_field;

static bool all_byte(const char *p, size_t n, char c)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != c)
            return false;
    return true;
}

static bool digits(const char *p, size_t n, int64_t *out)
{
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned char)p[i] - '0';
        if (d > 9)
            return false;
        v = v * 10 + (int64_t)d;
    }
    *out = v;
    return true;
}

/* Copies p[0..n) trimmed of spaces into dst (size cap). */
static void copy_trim(char *dst, size_t cap, const char *p, size_t n)
{
    while (n && p[0] == ' ') {
        p++;
        n--;
    }
    while (n && p[n - 1] == ' ')
        n--;
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, p, n);
    dst[n] = '\0';
}

/* Shows up to 20 bytes of a field, non-printables as '?'. */
static void show(char *dst, size_t cap, const char *p, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n && i < 20 && k + 1 < cap; i++) {
        unsigned char c = (unsigned char)p[i];
        dst[k++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    dst[k] = '\0';
}

static bool parse_date(const char *p, size_t n, rg_date *out)
{
    int64_t dd, mm, yy;
    if (all_byte(p, n, '0') || all_byte(p, n, ' ')) {
        *out = RG_DATE_NONE;
        return true;
    }
    if (!digits(p, 2, &dd) || !digits(p + 2, 2, &mm) || !digits(p + 4, n - 4, &yy))
        return false;
    if (n == 6)
        yy += 2000;
    if (!rg_date_valid_ymd((int)yy, (int)mm, (int)dd))
        return false;
    *out = rg_date_from_ymd((int)yy, (int)mm, (int)dd);
    return true;
}

static void store(record *r, uint8_t slot, int64_t v, rg_date d)
{
    switch (slot) {
    case S_FACE: r->en.face_value = v; break;
    case S_PAID: r->en.paid = v; break;
    case S_INTEREST: r->en.interest = v; break;
    case S_DISCOUNT: r->en.discount = v; break;
    case S_REBATE: r->en.rebate = v; break;
    case S_IOF: r->en.iof = v; break;
    case S_FEES: r->en.fees = v; break;
    case S_OTHER_CREDITS: r->en.other_credits = v; break;
    case S_NET: r->en.net_credit = v; break;
    case S_DUE: r->en.due_date = d; break;
    case S_OCC_DATE: r->en.occurrence_date = d; break;
    case S_CREDIT_DATE: r->en.credit_date = d; break;
    case S_GENERATED: r->generated = d; break;
    case S_LOTE: r->lote = v; break;
    case S_SEQ: r->seq = v; break;
    case S_COUNT: r->count = v; break;
    case S_TOTAL: r->total = v; break;
    case S_RECORDS: r->records = v; break;
    case S_LOTES: r->lotes = v; break;
    default: break;
    }
}

static void store_text(record *r, uint8_t slot, const char *p, size_t n)
{
    switch (slot) {
    case S_NOSSO: copy_trim(r->en.nosso_numero, sizeof r->en.nosso_numero, p, n); break;
    case S_DOC: copy_trim(r->en.documento, sizeof r->en.documento, p, n); break;
    case S_USO: copy_trim(r->en.uso_empresa, sizeof r->en.uso_empresa, p, n); break;
    case S_OCC: copy_trim(r->en.occurrence, sizeof r->en.occurrence, p, n); break;
    case S_REASONS: copy_trim(r->en.reasons, sizeof r->en.reasons, p, n); break;
    default: break;
    }
}

/* Reads every field of a record; stops at the first bad one and describes
 * it in *bad. The line is known to be long enough for every field. */
static bool extract(const char *line, const cnab_field *fs, size_t nf, record *r, bad_field *bad)
{
    for (size_t i = 0; i < nf; i++) {
        const cnab_field *f = &fs[i];
        const char *p = line + f->start - 1;
        size_t n = f->len;
        int64_t v = 0;
        rg_date d = RG_DATE_NONE;
        char seen[24];
        switch (f->type) {
        case FT_TEXT:
            store_text(r, f->slot, p, n);
            break;
        case FT_DIGITS:
        case FT_NUM:
        case FT_MONEY:
            if (!digits(p, n, &v)) {
                show(seen, sizeof seen, p, n);
                bad->name = f->name;
                snprintf(bad->msg, sizeof bad->msg, "positions %u-%u: expected %u digits, found \"%s\"",
                         (unsigned)f->start, (unsigned)(f->start + n - 1), (unsigned)n, seen);
                return false;
            }
            if (f->type == FT_DIGITS)
                store_text(r, f->slot, p, n);
            else
                store(r, f->slot, v, d);
            break;
        case FT_DMY6:
        case FT_DMY8:
            if (!parse_date(p, n, &d)) {
                show(seen, sizeof seen, p, n);
                bad->name = f->name;
                snprintf(bad->msg, sizeof bad->msg,
                         "positions %u-%u: expected a date %s (or zeros), found \"%s\"", (unsigned)f->start,
                         (unsigned)(f->start + n - 1), n == 6 ? "DDMMAA" : "DDMMAAAA", seen);
                return false;
            }
            store(r, f->slot, v, d);
            break;
        default:
            break;
        }
    }
    return true;
}

/* ---- the parse state ---- */

typedef struct parser {
    rg_cnab_file *f;
    size_t cap_entries;
    bool oom;
    const occ_kind *kinds;
    size_t n_kinds;
    bool lotes_ok; /* CNAB 240: every lote agreed with its trailer */
} parser;

static void diag(parser *ps, size_t line, rg_cnab_severity sev, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void diag(parser *ps, size_t line, rg_cnab_severity sev, const char *field, const char *fmt, ...)
{
    rg_cnab_file *f = ps->f;
    f->n_diags_total++;
    if (f->n_diags >= RG_CNAB_MAX_DIAGS)
        return;
    if (!f->diags) {
        f->diags = calloc(RG_CNAB_MAX_DIAGS, sizeof *f->diags);
        if (!f->diags) {
            ps->oom = true;
            return;
        }
    }
    rg_cnab_diag *d = &f->diags[f->n_diags++];
    d->line = line;
    d->severity = sev;
    rg_strlcpy(d->field, field, sizeof d->field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
}

static void bad_diag(parser *ps, size_t line, const bad_field *b)
{
    diag(ps, line, RG_CNAB_ERROR, b->name, "%s", b->msg);
}

static rg_cnab_kind classify(const occ_kind *t, size_t n, const char *occ)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].code[0] == occ[0] && t[i].code[1] == occ[1] && occ[2] == '\0')
            return (rg_cnab_kind)t[i].kind;
    return RG_CNAB_OTHER;
}

static void add_entry(parser *ps, const rg_cnab_entry *en)
{
    rg_cnab_file *f = ps->f;
    if (f->n_entries == ps->cap_entries) {
        size_t cap = ps->cap_entries ? ps->cap_entries * 2 : 64;
        rg_cnab_entry *p = realloc(f->entries, cap * sizeof *p);
        if (!p) {
            ps->oom = true;
            return;
        }
        f->entries = p;
        ps->cap_entries = cap;
    }
    rg_cnab_entry *dst = &f->entries[f->n_entries++];
    *dst = *en;
    dst->kind = classify(ps->kinds, ps->n_kinds, dst->occurrence);
    f->totals.summed += dst->face_value;
}

static void record_init(record *r, size_t line)
{
    memset(r, 0, sizeof *r);
    r->en.line = line;
    r->en.due_date = RG_DATE_NONE;
    r->en.occurrence_date = RG_DATE_NONE;
    r->en.credit_date = RG_DATE_NONE;
    r->generated = RG_DATE_NONE;
}

/* ---- lines ---- */

typedef struct line_iter {
    const char *p, *end;
    size_t no;
} line_iter;

/* True when p..end holds only line ends and DOS end-of-file bytes. */
static bool only_trailing_junk(const char *p, const char *end)
{
    for (; p < end; p++)
        if (*p != '\r' && *p != '\n' && *p != 0x1a)
            return false;
    return true;
}

/* Next physical line without its LF/CRLF. The file ends where only empty
 * lines and DOS end-of-file bytes (0x1A) remain; a 0x1A ending the last
 * line is dropped. */
static bool next_line(line_iter *it, const char **lp, size_t *ln)
{
    if (it->p >= it->end)
        return false;
    const char *s = it->p;
    if ((*s == '\r' || *s == '\n' || *s == 0x1a) && only_trailing_junk(s, it->end)) {
        it->p = it->end;
        return false;
    }
    const char *nl = memchr(s, '\n', (size_t)(it->end - s));
    const char *e = nl ? nl : it->end;
    it->p = nl ? nl + 1 : it->end;
    size_t n = (size_t)(e - s);
    if (n && s[n - 1] == '\r')
        n--;
    if (!nl || only_trailing_junk(it->p, it->end)) {
        if (n && s[n - 1] == 0x1a)
            n--;
        if (n && s[n - 1] == '\r')
            n--;
        if (n == 0)
            return false;
    }
    it->no++;
    *lp = s;
    *ln = n;
    return true;
}

static bool check_length(parser *ps, size_t no, size_t n, size_t want)
{
    if (n == want)
        return true;
    diag(ps, no, RG_CNAB_ERROR, "line", "expected %zu characters, found %zu", want, n);
    return false;
}

/* ---- CNAB 400 ---- */

static void parse400(parser *ps, const layout400 *lay, line_iter *it)
{
    rg_cnab_file *f = ps->f;
    const char *l;
    size_t n;
    record r;
    bad_field bad;
    bool trailer_seen = false;
    f->totals.declared_records = -1;
    f->totals.records = -1;
    while (!ps->oom && next_line(it, &l, &n)) {
        size_t no = it->no;
        if (!check_length(ps, no, n, 400)) {
            if (n && l[0] == '1')
                f->totals.counted++;
            continue;
        }
        if (trailer_seen) {
            diag(ps, no, RG_CNAB_ERROR, "record_type", "record after the trailer (line %zu)", f->totals.line);
            continue;
        }
        record_init(&r, no);
        if (l[0] == '1') {
            f->totals.counted++;
            if (!extract(l, lay->detail, lay->n_detail, &r, &bad)) {
                bad_diag(ps, no, &bad);
                continue;
            }
            add_entry(ps, &r.en);
        } else if (l[0] == '9') {
            trailer_seen = true;
            if (!extract(l, lay->trailer, lay->n_trailer, &r, &bad)) {
                bad_diag(ps, no, &bad);
                f->totals.line = no;
                continue;
            }
            f->totals.present = true;
            f->totals.line = no;
            f->totals.declared_count = r.count;
            f->totals.declared_total = r.total;
        } else {
            char c[4];
            show(c, sizeof c, l, 1);
            diag(ps, no, RG_CNAB_ERROR, "record_type", "expected '1' (detail) or '9' (trailer), found '%s'", c);
        }
    }
}

/* ---- CNAB 240 ---- */

typedef struct lote_state {
    bool open;
    size_t header_line;
    int64_t lote;
    int64_t records; /* lines of this lote so far, header included */
    int64_t t_count;
    rg_cents t_total;
} lote_state;

static void close_pending_t(parser *ps, record *pending, bool *has_pending)
{
    if (*has_pending) {
        diag(ps, pending->en.line, RG_CNAB_ERROR, "segment",
             "segment T (lote %lld, sequence %lld) is not followed by its segment U", (long long)pending->lote,
             (long long)pending->seq);
        *has_pending = false;
    }
}

static void parse240(parser *ps, line_iter *it)
{
    rg_cnab_file *f = ps->f;
    const char *l;
    size_t n;
    record r, t;
    record_init(&t, 0);
    bad_field bad;
    bool has_t = false;
    bool trailer_seen = false;
    bool lotes_ok = true;
    int64_t n_lotes = 0;
    lote_state lot = {0};
    f->totals.records = 1; /* the header de arquivo */
    while (!ps->oom && next_line(it, &l, &n)) {
        size_t no = it->no;
        f->totals.records++;
        if (lot.open)
            lot.records++;
        if (!check_length(ps, no, n, 240)) {
            if (n >= 14 && l[7] == '3' && l[13] == 'T')
                f->totals.counted++;
            continue;
        }
        if (trailer_seen) {
            diag(ps, no, RG_CNAB_ERROR, "record_type", "record after the trailer de arquivo (line %zu)",
                 f->totals.line);
            continue;
        }
        record_init(&r, no);
        char type = l[7];
        if (type != '3')
            close_pending_t(ps, &t, &has_t);
        switch (type) {
        case '1':
            if (lot.open)
                diag(ps, no, RG_CNAB_ERROR, "record_type",
                     "header de lote while lote %lld (line %zu) has no trailer", (long long)lot.lote,
                     lot.header_line);
            memset(&lot, 0, sizeof lot);
            if (!extract(l, febraban240_lote_header, NFIELDS(febraban240_lote_header), &r, &bad)) {
                bad_diag(ps, no, &bad);
                break;
            }
            lot.open = true;
            lot.header_line = no;
            lot.lote = r.lote;
            lot.records = 1;
            n_lotes++;
            break;
        case '2':
        case '4':
            break; /* registros iniciais / finais do lote: nothing for us */
        case '3': {
            char seg = l[13];
            if (seg == 'T') {
                f->totals.counted++;
                lot.t_count++;
                close_pending_t(ps, &t, &has_t);
                if (!extract(l, febraban240_t, NFIELDS(febraban240_t), &r, &bad)) {
                    bad_diag(ps, no, &bad);
                    break;
                }
                t = r;
                has_t = true;
                lot.t_total += r.en.face_value;
            } else if (seg == 'U') {
                if (!extract(l, febraban240_u, NFIELDS(febraban240_u), &r, &bad)) {
                    bad_diag(ps, no, &bad);
                    has_t = false; /* its T goes with it: the pair is unreadable */
                    break;
                }
                if (!has_t || t.lote != r.lote || t.seq + 1 != r.seq) {
                    close_pending_t(ps, &t, &has_t);
                    diag(ps, no, RG_CNAB_ERROR, "segment",
                         "segment U (lote %lld, sequence %lld) without the segment T before it",
                         (long long)r.lote, (long long)r.seq);
                    break;
                }
                has_t = false;
                rg_cnab_entry en = t.en;
                en.interest = r.en.interest;
                en.discount = r.en.discount;
                en.rebate = r.en.rebate;
                en.iof = r.en.iof;
                en.paid = r.en.paid;
                en.net_credit = r.en.net_credit;
                en.other_credits = r.en.other_credits;
                en.occurrence_date = r.en.occurrence_date;
                en.credit_date = r.en.credit_date;
                add_entry(ps, &en);
            } else {
                close_pending_t(ps, &t, &has_t);
            }
            break;
        }
        case '5':
            if (!lot.open) {
                diag(ps, no, RG_CNAB_ERROR, "record_type", "trailer de lote without a header de lote");
                lotes_ok = false;
                break;
            }
            if (!extract(l, febraban240_lote_trailer, NFIELDS(febraban240_lote_trailer), &r, &bad)) {
                bad_diag(ps, no, &bad);
                lotes_ok = false;
                lot.open = false;
                break;
            }
            if (r.records != lot.records) {
                diag(ps, no, RG_CNAB_WARNING, "trailer_lote.records",
                     "lote %lld declares %lld records, counted %lld", (long long)lot.lote, (long long)r.records,
                     (long long)lot.records);
                lotes_ok = false;
            }
            if (r.count != lot.t_count || r.total != lot.t_total) {
                char a[32], b[32];
                diag(ps, no, RG_CNAB_WARNING, "trailer_lote.titulos",
                     "lote %lld declares %lld títulos worth %s, details have %lld worth %s", (long long)lot.lote,
                     (long long)r.count, rg_money_format_plain(r.total, a, sizeof a), (long long)lot.t_count,
                     rg_money_format_plain(lot.t_total, b, sizeof b));
                lotes_ok = false;
            }
            f->totals.declared_count += r.count;
            f->totals.declared_total += r.total;
            lot.open = false;
            break;
        case '9':
            trailer_seen = true;
            f->totals.line = no;
            if (lot.open) {
                diag(ps, no, RG_CNAB_ERROR, "record_type", "lote %lld (line %zu) has no trailer de lote",
                     (long long)lot.lote, lot.header_line);
                lotes_ok = false;
                lot.open = false;
            }
            if (!extract(l, febraban240_trailer, NFIELDS(febraban240_trailer), &r, &bad)) {
                bad_diag(ps, no, &bad);
                break;
            }
            f->totals.present = true;
            f->totals.declared_records = r.records;
            if (r.lotes != n_lotes) {
                diag(ps, no, RG_CNAB_WARNING, "trailer.lotes", "declares %lld lotes, found %lld",
                     (long long)r.lotes, (long long)n_lotes);
                lotes_ok = false;
            }
            break;
        default: {
            char c[4];
            show(c, sizeof c, l + 7, 1);
            diag(ps, no, RG_CNAB_ERROR, "record_type",
                 "position 8: expected a record type 1, 2, 3, 4, 5 or 9, found '%s'", c);
            break;
        }
        }
    }
    close_pending_t(ps, &t, &has_t);
    if (lot.open) {
        diag(ps, it->no + 1, RG_CNAB_ERROR, "record_type", "lote %lld (line %zu) has no trailer de lote",
             (long long)lot.lote, lot.header_line);
        lotes_ok = false;
    }
    ps->lotes_ok = lotes_ok;
}

/* ---- entry point ---- */

static const layout400 *find400(const char *bank)
{
    for (size_t i = 0; i < NFIELDS(layouts400); i++)
        if (memcmp(layouts400[i].bank, bank, 3) == 0)
            return &layouts400[i];
    return NULL;
}

rg_cnab_kind rg_cnab_classify(rg_cnab_layout layout, const char *bank, const char *occurrence)
{
    if (!occurrence)
        return RG_CNAB_OTHER;
    if (layout == RG_CNAB_240)
        return classify(febraban240_kinds, NFIELDS(febraban240_kinds), occurrence);
    if (layout == RG_CNAB_400 && bank && strlen(bank) == 3) {
        const layout400 *lay = find400(bank);
        if (lay)
            return classify(lay->kinds, lay->n_kinds, occurrence);
    }
    return RG_CNAB_OTHER;
}

const char *rg_cnab_kind_name(rg_cnab_kind k)
{
    switch (k) {
    case RG_CNAB_LIQUIDATION: return "liquidation";
    case RG_CNAB_ENTRY_CONFIRMED: return "entry_confirmed";
    case RG_CNAB_REJECTED: return "rejected";
    case RG_CNAB_WRITE_OFF: return "write_off";
    case RG_CNAB_OTHER: break;
    }
    return "other";
}

const char *rg_cnab_diag_text(const rg_cnab_file *f, const rg_cnab_diag *d, char *buf, size_t n)
{
    if (!buf || n == 0)
        return "";
    snprintf(buf, n, "%s:%zu: %s: %s%s", f && f->file_name ? f->file_name : "", d->line, d->field,
             d->severity == RG_CNAB_WARNING ? "warning: " : "", d->msg);
    return buf;
}

void rg_cnab_file_free(rg_cnab_file *f)
{
    if (!f)
        return;
    free(f->file_name);
    free(f->entries);
    free(f->diags);
    free(f);
}

/* Compares what the trailer declares with what the details add up to. */
static void check_totals(parser *ps)
{
    rg_cnab_file *f = ps->f;
    rg_cnab_totals *t = &f->totals;
    if (!t->present) {
        if (!t->line)
            diag(ps, f->n_lines + 1, RG_CNAB_ERROR, "trailer", "the file has no trailer record ('9')");
        t->ok = false;
        return;
    }
    bool ok = true;
    if (f->layout == RG_CNAB_400) {
        if (t->declared_count != t->counted) {
            diag(ps, t->line, RG_CNAB_WARNING, "trailer.count", "declares %lld detail records, the file has %lld",
                 (long long)t->declared_count, (long long)t->counted);
            ok = false;
        }
        if (t->declared_total != t->summed) {
            char a[32], b[32];
            diag(ps, t->line, RG_CNAB_WARNING, "trailer.total",
                 "declares a total of %s, the parsed details add up to %s",
                 rg_money_format_plain(t->declared_total, a, sizeof a), rg_money_format_plain(t->summed, b, sizeof b));
            ok = false;
        }
    } else {
        if (t->declared_records != t->records) {
            diag(ps, t->line, RG_CNAB_WARNING, "trailer.records", "declares %lld records, the file has %lld",
                 (long long)t->declared_records, (long long)t->records);
            ok = false;
        }
        if (!ps->lotes_ok || t->declared_count != t->counted || t->declared_total != t->summed)
            ok = false;
    }
    t->ok = ok;
}

/* Reads the header (first line) into f: layout, bank, generation date. */
static rg_status read_header(parser *ps, const char *l, size_t n, const layout400 **lay400, rg_err *e)
{
    rg_cnab_file *f = ps->f;
    const char *where = f->file_name[0] ? f->file_name : "cnab";
    char seen[24];
    record r;
    bad_field bad;
    record_init(&r, 1);
    if (n == 400 && l[0] == '0') {
        if (l[1] != '2') {
            show(seen, sizeof seen, l + 1, 1);
            return rg_err_set(e, RG_EINVAL, where,
                              "line 1: position 2: expected '2' (arquivo retorno), found '%s' — not a return file",
                              seen);
        }
        memcpy(f->bank, l + 76, 3);
        f->bank[3] = '\0';
        *lay400 = find400(f->bank);
        if (!*lay400) {
            show(seen, sizeof seen, l + 76, 3);
            return rg_err_set(e, RG_EINVAL, where,
                              "line 1: positions 77-79: bank \"%s\" has no CNAB 400 layout (supported: 341, 237)",
                              seen);
        }
        f->layout = RG_CNAB_400;
        ps->kinds = (*lay400)->kinds;
        ps->n_kinds = (*lay400)->n_kinds;
        if (!extract(l, (*lay400)->header, (*lay400)->n_header, &r, &bad))
            bad_diag(ps, 1, &bad);
        f->generated = r.generated;
        return RG_OK;
    }
    if (n == 240 && l[7] == '0') {
        int64_t bank;
        if (!digits(l, 3, &bank)) {
            show(seen, sizeof seen, l, 3);
            return rg_err_set(e, RG_EINVAL, where, "line 1: positions 1-3: expected a bank code, found \"%s\"",
                              seen);
        }
        if (l[142] != '2') {
            show(seen, sizeof seen, l + 142, 1);
            return rg_err_set(e, RG_EINVAL, where,
                              "line 1: position 143: expected '2' (arquivo retorno), found '%s' — not a return file",
                              seen);
        }
        memcpy(f->bank, l, 3);
        f->bank[3] = '\0';
        f->layout = RG_CNAB_240;
        ps->kinds = febraban240_kinds;
        ps->n_kinds = NFIELDS(febraban240_kinds);
        if (!extract(l, febraban240_header, NFIELDS(febraban240_header), &r, &bad))
            bad_diag(ps, 1, &bad);
        f->generated = r.generated;
        return RG_OK;
    }
    return rg_err_set(e, RG_EINVAL, where,
                      "line 1: not a CNAB retorno header: expected 400 characters starting \"02\" or 240 "
                      "characters with '0' at position 8, found %zu characters",
                      n);
}

rg_status rg_cnab_parse(const char *data, size_t len, const char *file_name, rg_cnab_file **out, rg_err *e)
{
    rg_status st = RG_OK;
    parser ps = {0};
    if (out)
        *out = NULL;
    if (!out || (!data && len))
        return rg_err_set(e, RG_EINTERNAL, "cnab", "rg_cnab_parse: NULL argument");
    ps.f = calloc(1, sizeof *ps.f);
    if (!ps.f || !(ps.f->file_name = rg_strdup(file_name ? file_name : ""))) {
        st = rg_err_set(e, RG_ENOMEM, "cnab", "out of memory");
        goto out;
    }
    ps.f->generated = RG_DATE_NONE;
    ps.lotes_ok = true;

    line_iter it = {data, data + len, 0};
    const char *l;
    size_t n;
    if (!next_line(&it, &l, &n)) {
        st = rg_err_set(e, RG_EINVAL, ps.f->file_name[0] ? ps.f->file_name : "cnab", "the file is empty");
        goto out;
    }
    const layout400 *lay400 = NULL;
    st = read_header(&ps, l, n, &lay400, e);
    if (st != RG_OK)
        goto out;
    if (ps.f->layout == RG_CNAB_400)
        parse400(&ps, lay400, &it);
    else
        parse240(&ps, &it);
    ps.f->n_lines = it.no;
    check_totals(&ps);
    if (ps.oom) {
        st = rg_err_set(e, RG_ENOMEM, ps.f->file_name, "out of memory after %zu lines", it.no);
        goto out;
    }
    *out = ps.f;
    ps.f = NULL;
out:
    rg_cnab_file_free(ps.f);
    return st;
}
