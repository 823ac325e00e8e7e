/*
 * libFuzzer harness for the CPF/CNPJ parser: any input is rejected cleanly
 * or gives a document whose digits and formatted text parse back to it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "br/doc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rg_doc d, d2;
    rg_err e;
    if (!rg_doc_parse((const char *)data, size, &d, &e)) {
        if (d.kind != RG_DOC_NONE || e.msg[0] == '\0')
            abort();
        return 0;
    }
    if (!rg_doc_parse(d.formatted, strlen(d.formatted), &d2, &e) ||
        strcmp(d.digits, d2.digits) != 0 || d.kind != d2.kind)
        abort();
    if (!rg_doc_parse(d.digits, strlen(d.digits), &d2, &e) ||
        strcmp(d.formatted, d2.formatted) != 0)
        abort();
    return 0;
}
