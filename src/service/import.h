/*
 * import — CSV files from the ERP into the store: customers, invoices,
 * payments (column lists in docs/import.md).
 *
 * The whole file is checked in one transaction: every problem is reported
 * as "FILE:LINE: column: message"; if any row is invalid nothing is kept
 * (the transaction is rolled back) unless skip_invalid is set, in which
 * case the valid rows are kept and the rest reported. Rows are upserted by
 * external id, so importing the same file twice changes nothing.
 *
 * Only with skip_invalid may a file be committed in batches (batch_rows):
 * the caller has already given up "all or nothing", so the write lock is
 * let go between batches (batch_pause_ms) and other writers — the server's
 * webhooks — get their turn. A store failure then keeps the batches
 * committed before it (report->kept_rows); importing the file again
 * completes it. The
 * events an import causes (invoice.created|updated|cancelled,
 * payment.received) go through rg_event_record() in the same transaction.
 *
 * The text must be UTF-8 (or is converted from the encoding the caller
 * names); a byte that is not text refuses the whole file, whatever
 * skip_invalid says. A row with fewer or more fields than the header is
 * invalid. An empty field leaves the stored value as it is, unless its
 * column is listed in `clear`. A fine above 2% on a consumer's (PF)
 * invoice is refused (CDC art. 52 §1).
 */
#ifndef RG_IMPORT_H
#define RG_IMPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/zones.h"
#include "service/events.h"
#include "store/store.h"

/* The batches `regua import --skip-invalid` commits: about a second of
 * writing each, then a pause longer than SQLite's longest busy-wait step
 * (100 ms), so a writer waiting for the lock takes it. */
#define RG_IMPORT_BATCH_ROWS 20000
#define RG_IMPORT_BATCH_PAUSE_MS 150

typedef enum { RG_IMPORT_CUSTOMERS, RG_IMPORT_INVOICES, RG_IMPORT_PAYMENTS } rg_import_kind;

/* One problem or warning line of a report: its line, its column (a static
 * name, NULL for a problem of the whole row or file) and its message
 * (report->text[msg_off .. msg_off + msg_len)). */
typedef struct rg_import_problem {
    size_t line;
    const char *column;
    size_t msg_off, msg_len;
    bool warning;
} rg_import_problem;

typedef struct rg_import_report {
    int64_t rows;      /* data rows read */
    int64_t inserted;  /* new customers/invoices, or payments recorded */
    int64_t updated;
    int64_t unchanged; /* identical rows, or payments already recorded */
    int64_t invalid;   /* rows with at least one problem */
    int64_t problems;  /* number of problem lines */
    int64_t warnings;  /* lines "FILE:LINE: warning: ..." (kept rows worth a look: an overpayment) */
    bool committed;    /* false when the file was rejected */
    int64_t batches;   /* transactions committed (1 without batch_rows) */
    int64_t kept_rows; /* rows read by the last commit: after a failure, what stayed */
    rg_buf text;       /* the problem and warning lines, one per line; owned */
    rg_import_problem *items; /* the same lines, structured (n_items; owned) */
    size_t n_items, cap_items;
} rg_import_report;

void rg_import_report_free(rg_import_report *r);

bool rg_import_kind_parse(const char *s, rg_import_kind *out);
const char *rg_import_kind_name(rg_import_kind k);

/* The document of `regua import ... --json` and POST /v1/imports/{kind}
 * (json_t *): {"kind", "imported", "rows", "inserted", "updated",
 * "unchanged", "invalid", "problems": [{"field", "message"}],
 * "warnings": [{"field", "message"}]} where field is "LINE:COLUMN" (or
 * "LINE" for a problem of the whole row). NULL: out of memory. */
void *rg_import_report_json(rg_import_kind kind, const rg_import_report *r);
/* Just the problems (not the warnings) as [{"field", "message"}]. */
void *rg_import_problems_json(const rg_import_report *r, bool warnings);

/* How a file is imported. Initialise with rg_import_options_init() and
 * set what differs. */
typedef struct rg_import_options {
    bool skip_invalid;    /* keep the valid rows and report the others */
    const char *encoding; /* NULL / "utf-8": the file must be UTF-8; "windows-1252" or "latin1": converted */
    const char *clear;    /* NULL, or "whatsapp,tags": columns whose empty fields clear the stored
                             value (otherwise an empty field leaves it as it is) */
    rg_zones *zones;      /* borrowed, required: a bare date (paid_at) is that date where the company is */
    rg_instant now;       /* the clock */
    int64_t batch_rows;     /* with skip_invalid: commit every this many rows (0: one transaction) */
    int64_t batch_pause_ms; /* between batches, time for other writers to take the lock */
} rg_import_options;

void rg_import_options_init(rg_import_options *o, rg_zones *zones, rg_instant now);

/* Imports data[0..len), naming it `name` in messages. Returns RG_OK when
 * the rows were kept (possibly with skipped invalid ones), RG_EINVAL when
 * the file was rejected (report->text says why), other codes for store
 * failures. */
rg_status rg_import_csv_buffer(const rg_event_env *env, rg_import_kind kind, const char *name, const char *data,
                               size_t len, const rg_import_options *o, rg_import_report *report, rg_err *e);

/* ---- one invoice: the API's POST/PATCH /v1/invoices, .../cancel ----
 * A one-row `regua import invoices` of the given columns (the CSV's names),
 * in its own transaction: the same checks, upsert, events
 * (invoice.created|updated|cancelled) and agenda wake as the file.
 * CREATE refuses an existing external id (RG_ECONFLICT); UPDATE and CANCEL
 * an unknown one (RG_ENOTFOUND) and keep the stored value of every column
 * not given; CANCEL sets status cancelled. A field whose value is NULL is
 * cleared (as --clear). RG_EINVAL: report->items name every bad column
 * (line 1), nothing written. A closed invoice (any status but open) is
 * RG_ECONFLICT naming its status: CANCEL refuses it (e->where "status");
 * UPDATE refuses to change its status, amount, due_date or
 * customer_external_id (e->where that column; the same value is no change). */
typedef enum { RG_INVOICE_CREATE, RG_INVOICE_UPDATE, RG_INVOICE_CANCEL } rg_invoice_write;
typedef struct rg_import_field {
    const char *column; /* a column of docs/import.md's invoices */
    const char *value;  /* NULL: clear it */
} rg_import_field;
rg_status rg_invoice_write_one(const rg_event_env *env, rg_invoice_write mode, const char *external_id,
                               const rg_import_field *fields, size_t n, const rg_import_options *o,
                               rg_import_report *report, rg_err *e);

/* Reads the file at path and imports it. */
rg_status rg_import_csv_file(const rg_event_env *env, rg_import_kind kind, const char *path, const rg_import_options *o,
                             rg_import_report *report, rg_err *e);

#endif
