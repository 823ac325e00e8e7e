/*
 * libFuzzer harness for the payment-code decoder (boleto barcode / linha
 * digitável and arrecadação). Any input must be rejected cleanly or
 * decode to a code that re-encodes to exactly the same digits.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "br/arrecadacao.h"
#include "br/boleto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rg_date today = rg_date_from_ymd(2026, 1, 1);
    rg_code c;
    rg_err e;
    if (rg_code_decode((const char *)data, size, today, &c, &e) != RG_OK) {
        if (c.type != RG_CODE_NONE || e.msg[0] == '\0')
            abort();
        return 0;
    }
    if (c.type == RG_CODE_BANCARIO) {
        rg_boleto b;
        if (rg_boleto_encode(c.boleto.bank, c.boleto.currency[0], c.boleto.due_date,
                             c.boleto.amount_cents, c.boleto.campo_livre, &b, &e) != RG_OK)
            abort();
        if (strcmp(b.barcode, c.boleto.barcode) != 0 ||
            strcmp(b.linha_digitavel, c.boleto.linha_digitavel) != 0)
            abort();
        rg_boleto d;
        if (rg_boleto_decode(b.linha_formatted, strlen(b.linha_formatted), today, &d, &e) != RG_OK ||
            d.due_date != c.boleto.due_date)
            abort();
    } else if (c.type == RG_CODE_ARRECADACAO) {
        rg_arrecadacao a;
        if (rg_arrec_encode(c.arrec.segment[0], c.arrec.value_id[0], c.arrec.value,
                            c.arrec.barcode + 15, &a, &e) != RG_OK)
            abort();
        if (strcmp(a.barcode, c.arrec.barcode) != 0 ||
            strcmp(a.linha_digitavel, c.arrec.linha_digitavel) != 0)
            abort();
    } else {
        abort();
    }
    return 0;
}
