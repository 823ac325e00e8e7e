/* libFuzzer harness for the CSV importer: the first byte picks the kind
 * (customers, invoices, payments), whether invalid rows are skipped and the
 * encoding the file is declared in (none, UTF-8, windows-1252, latin1:
 * docs/import.md); the rest is the file. A small fixed portfolio is present
 * so that invoice and payment rows can match.
 *
 * One in-memory store serves every input: a rejected file is rolled back
 * and leaves it as it was, so only an input whose rows were committed makes
 * the next input start from a fresh store (each input still sees the same
 * portfolio, and a crash reproduces from its input alone). Opening a store
 * (migrations, statements, the portfolio) per input cost most of the time.
 *
 * What must hold: a rejected file leaves nothing behind, and whatever a committed file stored reads back
 * as valid UTF-8 (customers and invoices, every text field): text that is
 * not UTF-8 is refused at the door, or converted when declared. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
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

/* Whether a stored text reads back as UTF-8. */
static bool utf8(const char *text)
{
    return rg_utf8_valid(text, strlen(text));
}

static rg_status check_customer(void *ctx, const rg_customer *c)
{
    (void)ctx;
    const char *f[] = {c->external_id,          c->name,
                       c->document,             c->email,
                       c->phone,                c->whatsapp,
                       c->preferred_channel,    c->timezone,
                       c->tags,                 c->address.street,
                       c->address.number,       c->address.complement,
                       c->address.district,     c->address.city,
                       c->address.state,        c->address.zip};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (!utf8(f[i]))
            abort();
    return RG_OK;
}

static rg_status check_invoice(void *ctx, const rg_invoice *inv)
{
    (void)ctx;
    const char *f[] = {inv->external_id,  inv->customer_external_id, inv->description,
                       inv->boleto_bank,  inv->nosso_numero,         inv->barcode,
                       inv->linha_digitavel, inv->pix_code,          inv->payment_url,
                       inv->tags};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (!utf8(f[i]))
            abort();
    return RG_OK;
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
    static const char *const encodings[] = {NULL, "utf-8", "windows-1252", "latin1"};
    io.encoding = encodings[(data[0] >> 3) & 3];
    rg_import_kind kind = (rg_import_kind)(data[0] % 3);
    rg_import_report r;
    rg_status rc = rg_import_csv_buffer(&env, kind, "fuzz.csv", (const char *)data + 1, size - 1, &io, &r, &e);
    /* a rejected file must leave nothing behind */
    if (rc == RG_EINVAL && r.committed)
        abort();
    dirty = r.committed || rc != RG_EINVAL;
    if (r.committed) {
        rg_customer_filter cf = {.limit = 0};
        rg_invoice_filter inf;
        rg_invoice_filter_init(&inf);
        if (rg_store_customer_each(store, &cf, check_customer, NULL, &e) != RG_OK ||
            rg_store_invoice_each(store, &inf, check_invoice, NULL, &e) != RG_OK)
            abort();
    }
    rg_import_report_free(&r);
    return 0;
}
