/*
 * letter_pdf — lays out one collection letter with libharu: A4 portrait,
 * pt-BR, followed by the boleto page of each invoice it carries (drawn by
 * br/boleto_pdf), into a document the caller owns (the letter batch puts
 * many letters in one file).
 *
 * The first page places the recipient where a window envelope shows it
 * (DIN 5008 form B, which fits the usual DL/C5/C6/5 window envelopes sold
 * in Brazil): the address field is 20 mm from the left edge and 45 mm from
 * the top, 85 × 45 mm, with the sender's return line in small type at its
 * top and the recipient (name, street, district, "CEP 00000-000 Cidade -
 * UF", as the Correios ask) below. Above it, the sender's letterhead
 * (name, CNPJ, address, contacts); below, the date line ("10 de dezembro
 * de 2026"), the subject in bold and the body, wrapped to the text width,
 * continued on further pages when long. Fold marks at 105 and 210 mm and a
 * punch mark at 148.5 mm sit in the left margin; every page's foot carries
 * the reference and "página i de n" so the print house can check a set.
 *
 * Text is UTF-8 and prints in Helvetica / WinAnsiEncoding (CP1252, every
 * Portuguese letter); characters outside CP1252 print as '?'.
 *
 * Memory: an rg_letter borrows every string for the duration of the call.
 * No I/O.
 */
#ifndef RG_LETTER_PDF_H
#define RG_LETTER_PDF_H

#include <hpdf.h>
#include <stddef.h>

#include "base/date.h"
#include "base/err.h"
#include "br/boleto_pdf.h"

#define RG_LETTER_MAX_LINES 6 /* sender and recipient lines */

typedef struct rg_letter {
    const char *reference;  /* printed at the foot of each page (message id / key); may be NULL */
    rg_date date;           /* the date line; RG_DATE_NONE: none */
    const char *sender[RG_LETTER_MAX_LINES];    /* letterhead: name first (bold) */
    size_t n_sender;
    const char *return_line; /* the small "Remetente: ..." line in the window; NULL: none */
    const char *recipient[RG_LETTER_MAX_LINES]; /* name first */
    size_t n_recipient;
    const char *subject;    /* NULL or "": none */
    const char *body;       /* the text; '\n' ends a line, a blank line separates paragraphs */
    const rg_boleto_pdf *boletos; /* one page each, after the letter */
    size_t n_boletos;
} rg_letter;

/* Appends the letter's pages, then its boletos' pages, to doc and sets
 * *pages to how many were added. RG_EINVAL when there is no recipient or
 * a boleto is malformed (prefixed "boleto N"); RG_EINTERNAL when libharu
 * fails. On failure pages may have been added: discard the document. */
rg_status rg_letter_pdf_add(HPDF_Doc doc, const rg_letter *l, int *pages, rg_err *e);

/* "10 de dezembro de 2026" into buf. */
char *rg_letter_date_text(rg_date d, char *buf, size_t n);

#endif
