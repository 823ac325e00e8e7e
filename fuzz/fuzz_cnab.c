/* libFuzzer harness for br/cnab: any bytes must parse or fail cleanly, and
 * every entry and diagnostic must be well-formed. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "br/cnab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rg_cnab_file *f = NULL;
    rg_err e;
    if (rg_cnab_parse((const char *)data, size, "fuzz.ret", &f, &e) != RG_OK) {
        if (f)
            abort();
        return 0;
    }
    if (f->n_diags > RG_CNAB_MAX_DIAGS || f->n_diags > f->n_diags_total)
        abort();
    for (size_t i = 0; i < f->n_entries; i++) {
        const rg_cnab_entry *en = &f->entries[i];
        if (strlen(en->occurrence) != 2 || en->line < 2 || en->line > f->n_lines)
            abort();
        if (en->face_value < 0 || en->paid < 0)
            abort();
    }
    char buf[512];
    for (size_t i = 0; i < f->n_diags; i++)
        (void)rg_cnab_diag_text(f, &f->diags[i], buf, sizeof buf);
    rg_cnab_file_free(f);
    return 0;
}
