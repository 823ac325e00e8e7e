/*
 * csv — an RFC 4180 reader over a memory buffer.
 *
 * The delimiter (',' or ';') is detected from the header line: whichever
 * occurs more often outside quotes. Quoted fields may hold delimiters,
 * doubled quotes and line breaks. A UTF-8 BOM is skipped; CRLF and LF both
 * end records. Each row reports the physical line it starts on. An
 * unbalanced quote is reported at the line it opened and reading resumes on
 * the next line, so later rows are still checked.
 *
 * Ownership: the reader borrows the buffer (it must outlive the reader);
 * a row's fields are valid until the next rg_csv_next() or rg_csv_free().
 */
#ifndef RG_CSV_H
#define RG_CSV_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

#define RG_CSV_MAX_FIELDS 64

typedef struct rg_csv_row {
    size_t line; /* 1-based physical line where the record starts */
    size_t n;    /* number of fields */
    rg_slice field[RG_CSV_MAX_FIELDS];
} rg_csv_row;

typedef struct rg_csv {
    const char *p;
    const char *end;
    char delim;
    size_t line;
    rg_buf scratch; /* unescaped field bytes of the current row */
    size_t offs[RG_CSV_MAX_FIELDS];
    size_t lens[RG_CSV_MAX_FIELDS];
} rg_csv;

void rg_csv_init(rg_csv *c, const char *data, size_t len);
void rg_csv_free(rg_csv *c);

/* Reads the next record. Returns RG_OK with row filled, RG_ENOTFOUND at
 * the end of input, or RG_EINVAL with e->where = "LINE" for a malformed
 * record (reading may continue with the next call). Blank lines are
 * skipped. */
rg_status rg_csv_next(rg_csv *c, rg_csv_row *row, rg_err *e);

#endif
