/* libFuzzer harness for the CSV importer: the first byte picks the kind
 * (customers, invoices, payments) and whether invalid rows are skipped; the
 * rest is the file. A small fixed portfolio is present so that invoice and
 * payment rows can match.
 *
 * One in-memory store serves every input: a rejected file is rolled back
 * and leaves it as it was, so only an input whose rows were committed makes
 * the next input start from a fresh store (each input still sees the same
 * portfolio, and a crash reproduces from its input alone). Opening a store
 * (migrations, statements, the portfolio) per input cost most of the time.
 *
 * What must hold: a rejected file leaves nothing behind. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "service/import.h"
#include "store/store.h"

static const char *CUSTOMERS = "external_id,name,document\nC1,Ana,529.982.247-25\nC2,Bia,\n";
static const char *INVOICES = "external_id,customer_external_id,amount,due_date\nF1,C1,10.00,2026-12-01\n";

static rg_store *store;
static rg_zones *zones;
static rg_event_env env; /* the store and zones the import records its events with */
static bool dirty; /* the last input committed rows: start the next from a fresh store */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fresh_store(void)
{
    rg_err e;
    rg_store_close(store);
    store = NULL;
    if (!zones && rg_zones_new("America/Sao_Paulo", NULL, &zones, &e) != RG_OK)
        abort();
    if (rg_store_open(":memory:", &store, &e) != RG_OK)
        abort();
    rg_import_options io;
    rg_import_options_init(&io, zones, 0);
    rg_import_report r;
    env = (rg_event_env){store, zones, NULL};
    if (rg_import_csv_buffer(&env, RG_IMPORT_CUSTOMERS, "seed", CUSTOMERS, strlen(CUSTOMERS), &io, &r, &e) != RG_OK)
        abort();
    rg_import_report_free(&r);
    if (rg_import_csv_buffer(&env, RG_IMPORT_INVOICES, "seed", INVOICES, strlen(INVOICES), &io, &r, &e) != RG_OK)
        abort();
    rg_import_report_free(&r);
    dirty = false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (!store || dirty)
        fresh_store();
    rg_err e;
    rg_import_options io;
    rg_import_options_init(&io, zones, 1795000000);
    io.skip_invalid = data[0] & 4;
    rg_import_kind kind = (rg_import_kind)(data[0] % 3);
    rg_import_report r;
    rg_status rc = rg_import_csv_buffer(&env, kind, "fuzz.csv", (const char *)data + 1, size - 1, &io, &r, &e);
    /* a rejected file must leave nothing behind */
    if (rc == RG_EINVAL && r.committed)
        abort();
    dirty = r.committed || rc != RG_EINVAL;
    rg_import_report_free(&r);
    return 0;
}
