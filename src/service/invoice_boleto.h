/*
 * invoice_boleto — the printed boleto of an invoice: everything
 * br/boleto_pdf needs, taken from the invoice (its linha digitável or
 * barcode, nosso número, fees, PIX copia-e-cola), the customer (the
 * pagador) and the configuration's company (the beneficiário). Used by
 * `regua boleto pdf`, and meant for the letter channel and the portal's
 * download, so every boleto regua prints says the same thing.
 *
 * The code stored with the invoice is decoded again (every check digit
 * checked; the fator de vencimento resolved against `today`), so a bad
 * code is refused here rather than printed. Where the campo livre follows
 * a known bank layout (see br/campo_livre.h) the agência / código do
 * beneficiário and the carteira are read from it.
 *
 * Memory: rg_invoice_boleto holds its own text buffers and an
 * rg_boleto_pdf whose pointers point into them and into the invoice,
 * customer and config given to rg_invoice_boleto_prepare(): those three
 * must stay alive, and the rg_invoice_boleto must not be copied or moved,
 * until the page is drawn. Nothing to free. No I/O.
 */
#ifndef RG_INVOICE_BOLETO_H
#define RG_INVOICE_BOLETO_H

#include <stdbool.h>

#include "base/date.h"
#include "base/err.h"
#include "br/boleto.h"
#include "br/boleto_pdf.h"
#include "config/config.h"
#include "model/model.h"

typedef struct rg_invoice_boleto {
    rg_boleto_pdf pdf;    /* ready for rg_boleto_pdf_add_page() / _write_file() */
    rg_boleto code;       /* the decoded barcode */
    bool hibrido;         /* the invoice has a PIX copia-e-cola: the QR is printed */
    char agencia_codigo[40];
    char carteira[8];
    char pagador_doc[24];
    char pagador_endereco1[300];
    char pagador_endereco2[120];
    char instrucoes[640];
} rg_invoice_boleto;

/* Fills *out for invoice inv of customer c (c may be NULL: no pagador
 * printed) with cfg's company as beneficiário. today (a Brasília date)
 * resolves the fator de vencimento and is printed as the processing date.
 * RG_EINVAL when the invoice has no boleto (where = its external id), when
 * its code does not decode (the failing check is named), or when its
 * boleto_bank disagrees with the code's bank; *out is zeroed on failure. */
rg_status rg_invoice_boleto_prepare(const rg_invoice *inv, const rg_customer *c, const rg_config *cfg,
                                    rg_date today, rg_invoice_boleto *out, rg_err *e);

/* The agência / código do beneficiário (as printed, e.g. "0057 / 12345-7")
 * and the carteira a campo livre (a C string of 25 digits) carries for
 * bank, as far as the bank's layout says; "" for what it does not, or when
 * campo_livre is not 25 digits. ag must hold 40 bytes, cart 8. */
void rg_invoice_boleto_account(const char *bank, const char *campo_livre, char ag[40], char cart[8]);

#endif
