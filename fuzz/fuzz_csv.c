/* libFuzzer harness for the CSV importer: the first byte picks the kind
 * (customers, invoices, payments); the rest is the file. A small fixed
 * portfolio is present so that invoice and payment rows can match. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "service/import.h"
#include "store/store.h"

static const char *CUSTOMERS = "external_id,name,document\nC1,Ana,529.982.247-25\nC2,Bia,\n";
static const char *INVOICES = "external_id,customer_external_id,amount,due_date\nF1,C1,10.00,2026-12-01\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    rg_store *s = NULL;
    rg_err e;
    if (rg_store_open(":memory:", &s, &e) != RG_OK)
        abort();
    static rg_zones *zones;
    if (!zones && rg_zones_new("America/Sao_Paulo", NULL, &zones, &e) != RG_OK)
        abort();
    rg_import_options io;
    rg_import_options_init(&io, zones, 0);
    rg_import_report r;
    if (rg_import_csv_buffer(&(rg_event_env){s, io.zones, NULL}, RG_IMPORT_CUSTOMERS, "seed", CUSTOMERS, strlen(CUSTOMERS), &io, &r, &e) != RG_OK)
        abort();
    rg_import_report_free(&r);
    if (rg_import_csv_buffer(&(rg_event_env){s, io.zones, NULL}, RG_IMPORT_INVOICES, "seed", INVOICES, strlen(INVOICES), &io, &r, &e) != RG_OK)
        abort();
    rg_import_report_free(&r);
    rg_import_kind kind = (rg_import_kind)(data[0] % 3);
    io.now = 1795000000;
    io.skip_invalid = data[0] & 4;
    rg_status rc = rg_import_csv_buffer(&(rg_event_env){s, io.zones, NULL}, kind, "fuzz.csv", (const char *)data + 1, size - 1, &io, &r, &e);
    /* a rejected file must leave nothing behind */
    if (rc == RG_EINVAL && r.committed)
        abort();
    rg_import_report_free(&r);
    rg_store_close(s);
    return 0;
}
