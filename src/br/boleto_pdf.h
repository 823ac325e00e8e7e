/*
 * boleto_pdf — draws a boleto (recibo do pagador + ficha de compensação,
 * with the ITF barcode and, for a boleto híbrido, the PIX QR code) as a PDF
 * page with libharu.
 *
 * The caller supplies every printed value in an rg_boleto_pdf: the 44-digit
 * barcode and the linha digitável come from br/boleto (this module does not
 * compute them; it only checks that the two agree digit for digit, check
 * digits of the linha aside). Text is UTF-8 and is printed through the
 * built-in Helvetica fonts in WinAnsiEncoding (CP1252), which covers every
 * Portuguese letter (á à â ã é ê í ó ô õ ú ü ç and capitals); characters
 * outside CP1252 print as '?'.
 *
 * Page geometry follows the FEBRABAN boleto layout: A4 portrait, recibo on
 * top, a dashed cut line, the ficha de compensação below; the barcode is
 * interleaved 2 of 5 with narrow bars of 0.254 mm, wide = 3 × narrow,
 * start 0000 / stop 100, 13 mm high (103 mm long for 44 digits), with quiet
 * zones of at least 10 narrow widths.
 *
 * Memory: an rg_boleto_pdf only borrows its strings for the duration of a
 * call. rg_boleto_pdf_add_page() draws into a document the caller owns
 * (the letter batch interleaves its own pages); the other functions own
 * their document. The one function that does I/O is
 * rg_boleto_pdf_write_file().
 */
#ifndef RG_BR_BOLETO_PDF_H
#define RG_BR_BOLETO_PDF_H

#include <hpdf.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/date.h"
#include "base/err.h"
#include "base/money.h"

typedef struct rg_boleto_pdf {
    const char *bank_code;        /* "341" (required) */
    const char *bank_name;        /* "Itaú Unibanco S.A."; NULL -> "Banco 341" */
    const char *barcode;          /* 44 digits (required) */
    const char *linha_digitavel;  /* 47 digits, with or without the usual dots and spaces (required) */
    const char *local_pagamento;  /* NULL -> "Pagável em qualquer banco até o vencimento" */

    rg_date due_date;             /* vencimento (required) */
    rg_date document_date;        /* data do documento; RG_DATE_NONE prints blank */
    rg_date processing_date;      /* data de processamento; RG_DATE_NONE prints blank */

    const char *beneficiario_nome;
    const char *beneficiario_doc;     /* CPF/CNPJ as it should print */
    const char *beneficiario_endereco;
    const char *agencia_codigo;       /* "1234 / 56789-0" */

    const char *numero_documento;
    const char *especie_doc;          /* "DM", "DS" ...; NULL -> "DM" */
    const char *aceite;               /* "N" / "S"; NULL -> "N" */
    const char *carteira;             /* "109" */
    const char *nosso_numero;         /* as it should print, "109/12345678-9" */

    rg_cents valor_documento;
    rg_cents desconto;                /* (-) desconto / abatimento; 0 prints blank */
    rg_cents mora_multa;              /* (+) mora / multa; 0 prints blank */
    rg_cents valor_cobrado;           /* (=) valor cobrado; 0 prints blank */

    const char *pagador_nome;
    const char *pagador_doc;          /* CPF/CNPJ as it should print */
    const char *pagador_endereco1;    /* street, number, district */
    const char *pagador_endereco2;    /* CEP, city, UF */
    const char *sacador_avalista;     /* NULL -> blank */

    const char *instrucoes;           /* lines separated by '\n'; at most 8 print */
    const char *pix_copia_cola;       /* BR Code payload; NULL or "" -> no QR (not híbrido) */
} rg_boleto_pdf;

/* A new document with compression on; free it with HPDF_Free(). */
rg_status rg_boleto_pdf_new_doc(HPDF_Doc *out, rg_err *e);

/* Appends one A4 page with the boleto b to doc. RG_EINVAL names the first
 * missing or malformed field (bank_code, barcode, linha_digitavel,
 * due_date, a linha that does not match the barcode, a PIX payload too long
 * for a QR code); RG_EINTERNAL when libharu fails. On failure the page may
 * have been added half-drawn: discard the document. */
rg_status rg_boleto_pdf_add_page(HPDF_Doc doc, const rg_boleto_pdf *b, rg_err *e);

/* n boletos, one page each, as PDF bytes appended to out. */
rg_status rg_boleto_pdf_render(const rg_boleto_pdf *b, size_t n, rg_buf *out, rg_err *e);

/* n boletos, one page each, written to path (RG_EIO when it cannot be). */
rg_status rg_boleto_pdf_write_file(const rg_boleto_pdf *b, size_t n, const char *path, rg_err *e);

/* The check digit printed after a bank code ("341" -> '7', "001" -> '9',
 * "104" -> '0', "748" -> 'X'): the COMPE digit for the banks listed in
 * boleto_pdf.c, else modulo 11 with weights 2..4 from the right. '\0' when
 * code is not three digits. */
char rg_boleto_pdf_bank_dv(const char *code);

/* The ITF (interleaved 2 of 5) elements for an even number of digits:
 * widths in narrow units (1 or 3), alternating bar, space, bar, ...
 * starting with the start pattern (bar 1, space 1, bar 1, space 1) and
 * ending with the stop pattern (bar 3, space 1, bar 1). Writes at most cap
 * elements and returns how many there are (4 + 5 * n + 3), or 0 when the
 * input has an odd length or a non-digit. */
size_t rg_boleto_pdf_itf(const char *digits, size_t n, unsigned char *widths, size_t cap);

/* Converts UTF-8 to CP1252 (WinAnsiEncoding) into out (always terminated,
 * truncated to cap - 1 bytes); invalid or unmapped sequences become '?',
 * control characters a space. Returns out. */
char *rg_boleto_pdf_cp1252(const char *utf8, char *out, size_t cap);

#endif
