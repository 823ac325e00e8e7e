/*
 * cnab — parser for bank return files (arquivos de retorno de cobrança).
 *
 * Reads a whole CNAB return file held in memory and turns it into a list of
 * entries (one per título the bank reports on), trailer totals checked
 * against the details, and a list of diagnostics. Three layouts:
 *   - CNAB 400 of Itaú (341) and Bradesco (237), detected from the header
 *     record ('0' at 1, '2' = retorno at 2, bank code at 77-79);
 *   - CNAB 240 in the FEBRABAN v10 layout, any bank, detected from the
 *     header de arquivo (bank at 1-3, '0' at 8, '2' = retorno at 143);
 *     segment T and the U that follows it (same lote, next sequence
 *     number) make one entry.
 * The layouts are tables of {name, start, length, type} with 1-based
 * positions as printed in the bank manuals (see cnab.c and
 * docs/internals/cnab.md for the sources).
 *
 * A corrupt line (wrong length, a non-digit in a numeric field, an invalid
 * date, a U without its T, an unknown record type) does not stop the parse:
 * it becomes a diagnostic naming its line and field, the line is skipped,
 * and the rest of the file is still read. Only a file whose first record is
 * not a recognisable retorno header fails as a whole (RG_EINVAL).
 *
 * Pure: no I/O, no clock. Memory: rg_cnab_parse() returns an owned
 * rg_cnab_file; release it with rg_cnab_file_free() (NULL-safe). Every
 * string inside it is owned by it.
 */
#ifndef RG_BR_CNAB_H
#define RG_BR_CNAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/date.h"
#include "base/err.h"
#include "base/money.h"

typedef enum rg_cnab_layout {
    RG_CNAB_400 = 400,
    RG_CNAB_240 = 240
} rg_cnab_layout;

/* What an occurrence code means for collection, per bank table. */
typedef enum rg_cnab_kind {
    RG_CNAB_OTHER = 0,       /* informational: instructions, protest, fees... */
    RG_CNAB_LIQUIDATION,     /* the título was paid (normal, partial, in cartório, after baixa) */
    RG_CNAB_ENTRY_CONFIRMED, /* entrada confirmada: the bank registered the título */
    RG_CNAB_REJECTED,        /* entrada/instrução/alteração rejeitada */
    RG_CNAB_WRITE_OFF        /* baixa: the título left the bank's portfolio unpaid (or after payment) */
} rg_cnab_kind;

typedef struct rg_cnab_entry {
    size_t line;              /* 1-based line of the detail (of segment T for CNAB 240) */
    char nosso_numero[21];    /* the bank's id of the título, spaces trimmed, zeros kept */
    char documento[16];       /* número do documento / seu número, trimmed */
    char uso_empresa[26];     /* the company's own control field (uso da empresa), trimmed */
    char occurrence[3];       /* two-digit occurrence (movimento) code */
    rg_cnab_kind kind;
    char reasons[11];         /* motivos / erros as given (CNAB 240 214-223, 400 varies), trimmed */
    rg_cents face_value;      /* valor nominal do título */
    rg_cents paid;            /* valor pago (Itaú: valor principal) */
    rg_cents interest;        /* juros de mora e multa */
    rg_cents discount;        /* desconto concedido */
    rg_cents rebate;          /* abatimento */
    rg_cents iof;
    rg_cents fees;            /* tarifa / despesas de cobrança */
    rg_cents other_credits;   /* outros créditos */
    rg_cents net_credit;      /* valor líquido creditado (CNAB 240 only; 0 in CNAB 400) */
    rg_date due_date;         /* vencimento, RG_DATE_NONE when zero/blank */
    rg_date occurrence_date;  /* data da ocorrência, RG_DATE_NONE when zero/blank */
    rg_date credit_date;      /* data do crédito, RG_DATE_NONE when zero/blank */
} rg_cnab_entry;

typedef enum rg_cnab_severity {
    RG_CNAB_ERROR = 1,  /* the line was skipped */
    RG_CNAB_WARNING     /* the file is inconsistent (totals); entries were kept */
} rg_cnab_severity;

typedef struct rg_cnab_diag {
    size_t line;              /* 1-based; for a missing trailer, one past the last line */
    rg_cnab_severity severity;
    char field[32];           /* "nosso_numero", "line", "record_type", "trailer.count" ... */
    char msg[200];            /* what was expected and what was found */
} rg_cnab_diag;

/* Trailer totals and what the details add up to. CNAB 400: the trailer
 * record '9' (Itaú: quantidade de detalhes 213-220 / valor total informado
 * 221-234; Bradesco: quantidade 18-25 / valor 26-39). CNAB 240: the
 * trailers de lote ('5', quantidade de registros 18-23, títulos em cobrança
 * simples 24-29 / valor 30-46, summed over lotes) and the trailer de
 * arquivo ('9', lotes 18-23, registros 24-29). */
typedef struct rg_cnab_totals {
    bool present;             /* the (file) trailer was found and read */
    size_t line;              /* its line */
    int64_t declared_count;   /* títulos / detail records the trailer(s) declare */
    rg_cents declared_total;  /* their declared value */
    int64_t counted;          /* detail records seen (CNAB 240: segments T), corrupt ones too */
    rg_cents summed;          /* sum of face_value of the entries parsed */
    int64_t declared_records; /* CNAB 240: records in the file per trailer de arquivo; 400: -1 */
    int64_t records;          /* lines seen (CNAB 240); 400: -1 */
    bool ok;                  /* present and every declared figure matches */
} rg_cnab_totals;

#define RG_CNAB_MAX_DIAGS 1000

typedef struct rg_cnab_file {
    char *file_name;          /* as given to rg_cnab_parse ("" when NULL) */
    rg_cnab_layout layout;
    char bank[4];             /* "341", "237", ... */
    rg_date generated;        /* data de geração from the header, RG_DATE_NONE when absent */
    rg_cnab_entry *entries;
    size_t n_entries;
    rg_cnab_diag *diags;      /* at most RG_CNAB_MAX_DIAGS kept ... */
    size_t n_diags;
    size_t n_diags_total;     /* ... of this many */
    size_t n_lines;           /* physical lines read (a trailing EOF 0x1A line not counted) */
    rg_cnab_totals totals;
} rg_cnab_file;

/* Parses data[0..len) (bytes of a whole return file; file_name is used in
 * messages and may be NULL). On RG_OK *out is an owned file, even when it
 * carries diagnostics. Fails with RG_EINVAL when the first record is not a
 * supported retorno header (layout, bank, or remessa instead of retorno),
 * RG_ENOMEM on allocation failure; *out is NULL then. */
rg_status rg_cnab_parse(const char *data, size_t len, const char *file_name, rg_cnab_file **out, rg_err *e);

void rg_cnab_file_free(rg_cnab_file *f);

/* Classifies an occurrence code for a layout and bank (the tables in
 * cnab.c); unknown codes are RG_CNAB_OTHER. */
rg_cnab_kind rg_cnab_classify(rg_cnab_layout layout, const char *bank, const char *occurrence);

/* "liquidation", "entry_confirmed", "rejected", "write_off", "other". */
const char *rg_cnab_kind_name(rg_cnab_kind k);

/* "file.ret:12: nosso_numero: expected ..."; into buf of size n. */
const char *rg_cnab_diag_text(const rg_cnab_file *f, const rg_cnab_diag *d, char *buf, size_t n);

#endif
