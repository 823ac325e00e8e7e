/*
 * cnab_import — reconciles a bank return file (CNAB 400 Itaú/Bradesco,
 * CNAB 240 FEBRABAN; read by br/cnab) with the store.
 *
 * Each liquidation is matched to its invoice (by nosso número, leading
 * zeros ignored; for Bradesco also without its check digit; else by the
 * document number = the invoice's external id) and recorded through
 * service/payments: source `cnab`, method "boleto", amount = valor pago
 * (the título's face value when the bank reports a liquidation with no
 * amount paid), paid_at = the credit date (else the occurrence date, else
 * the file's generation date, else `now`) at noon where the company is
 * (env->zones). Every other
 * occurrence (entries confirmed, rejections, write-offs, ...) is only
 * reported. Corrupt lines (the parser's diagnostics) are reported with
 * their line and field and the rest of the file is still processed; the
 * trailer's totals are checked and the result reported.
 *
 * One transaction per file: everything the file records is committed
 * together, or nothing is (a store failure rolls the whole file back). A
 * dry run does the same work and rolls back, so its report says exactly
 * what a real import would do and nothing changes.
 *
 * An incomplete file — no readable trailer ('9'), which is what a file cut
 * in transfer looks like, mid-line or not — records nothing: the entries
 * are matched and reported as a dry run would, the transaction is rolled
 * back, report->incomplete is set and the call fails with RG_EINVAL naming
 * the line where the trailer should be. RG_CNABI_ACCEPT_PARTIAL records its
 * complete lines anyway (report->incomplete still says so).
 *
 * Idempotence: a payment's reference is "cnab:HASH:LINE", HASH being the
 * first 16 hex digits of the BLAKE2b (crypto_generichash) of the file's
 * content without CR bytes and without the line feeds and 0x1A (DOS
 * end-of-file) bytes at its end, so the same file imported again —
 * renamed, or converted between CRLF and LF — records nothing new. A
 * liquidation whose invoice already has a `cnab` payment from another file
 * with the same amount and day paid (a bank re-sending the same liquidation
 * in a regenerated file) is not recorded either; it is reported as a
 * duplicate with the earlier reference.
 *
 * Memory: the report owns its arrays and file name; release it with
 * rg_cnab_import_report_free() (NULL-safe, safe on a zeroed report, and
 * needed after a failed import too).
 */
#ifndef RG_CNAB_IMPORT_H
#define RG_CNAB_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/zones.h"
#include "br/cnab.h"
#include "model/model.h"
#include "service/events.h"
#include "store/store.h"

/* What happened to one entry of the file. */
typedef enum rg_cnab_outcome {
    RG_CNABI_RECORDED = 0, /* liquidation matched to an invoice; payment recorded */
    RG_CNABI_ALREADY,      /* liquidation matched; this file's payment was recorded before */
    RG_CNABI_DUPLICATE,    /* liquidation matched; the same payment came in another file */
    RG_CNABI_UNMATCHED,    /* liquidation with no invoice for its nosso número or document */
    RG_CNABI_OCCURRENCE    /* any other occurrence: reported, nothing recorded */
} rg_cnab_outcome;

#define RG_CNABI_REF_MAX 48

typedef struct rg_cnab_import_item {
    size_t line;                    /* the entry's line (segment T in CNAB 240) */
    rg_cnab_outcome outcome;
    rg_cnab_kind kind;
    char occurrence[3];
    char nosso_numero[21];
    char documento[16];
    char reasons[11];
    char invoice[RG_EXTID_MAX + 1]; /* external id of the matched invoice; "" when none */
    bool matched;                   /* an invoice was found (always false for UNMATCHED) */
    bool was_open;                  /* matched: the invoice was open before this entry */
    rg_cents amount;                /* liquidations: the payment's amount; others: face value */
    rg_cents face_value;
    rg_cents discount;              /* desconto + abatimento the bank granted */
    rg_instant paid_at;             /* liquidations: when it was paid */
    rg_invoice_status status;       /* matched: the invoice's status after the entry */
    rg_cents balance;               /* matched: its open balance after the entry */
    char reference[RG_CNABI_REF_MAX];    /* liquidations: "cnab:HASH:LINE" */
    char duplicate_of[RG_CNABI_REF_MAX]; /* DUPLICATE: the reference already recorded */
} rg_cnab_import_item;

typedef struct rg_cnab_import_sum {
    int64_t count;
    rg_cents cents;
} rg_cnab_import_sum;

typedef struct rg_cnab_import_report {
    char *file_name;  /* as given; owned */
    char hash[17];    /* the content hash used in references */
    rg_cnab_layout layout;
    char bank[4];
    rg_date generated; /* from the header, RG_DATE_NONE when absent */
    size_t n_lines;
    bool dry_run;
    bool accept_partial; /* RG_CNABI_ACCEPT_PARTIAL was given */
    bool incomplete;     /* no readable trailer: the file may have been cut */
    bool committed; /* the file's payments were kept (false on a dry run, a refused incomplete file, a failure) */

    /* One per entry the parser returned, in file order, except the
     * liquidations without any amount (those are in `corrupt`). */
    rg_cnab_import_item *items;
    size_t n_items;

    /* Liquidations, by outcome (cents = payment amounts). */
    rg_cnab_import_sum recorded, already, duplicate, unmatched;
    int64_t paid_in_full; /* recorded payments that left their invoice paid */
    int64_t partial;      /* recorded payments that left an open balance */
    int64_t not_open;     /* recorded on an invoice that was not open (paid, cancelled, ...) */
    /* Other occurrences by kind (index rg_cnab_kind; cents = face values);
     * the RG_CNAB_LIQUIDATION slot stays zero. */
    rg_cnab_import_sum occurrences[RG_CNAB_WRITE_OFF + 1];

    /* Lines that could not be used: the parser's errors (wrong length, bad
     * digits, bad dates, orphan segments, ...) and liquidations without
     * any amount, sorted by line. At most RG_CNAB_MAX_DIAGS are kept;
     * n_corrupt_total counts them all. */
    rg_cnab_diag *corrupt;
    size_t n_corrupt;
    size_t n_corrupt_total;

    /* The trailer check: the parser's totals and every trailer finding
     * (count or value mismatch, missing trailer). */
    rg_cnab_totals totals;
    rg_cnab_diag *trailer_issues;
    size_t n_trailer_issues;
} rg_cnab_import_report;

/* Flags of an import. */
enum {
    RG_CNABI_DRY_RUN = 1u << 0,        /* do everything, report it, roll it back */
    RG_CNABI_ACCEPT_PARTIAL = 1u << 1, /* record the complete lines of a file without its trailer */
};

/* Imports data[0..len), naming it `name` (may be NULL) in the report and
 * messages; `flags` are RG_CNABI_*. Returns RG_OK when the file was
 * processed — even with unmatched, corrupt or inconsistent lines, which the
 * report lists; RG_EINVAL with the full report (report->incomplete) when
 * the file has no readable trailer and RG_CNABI_ACCEPT_PARTIAL was not
 * given: nothing was recorded; RG_EINVAL (and a report with only the file
 * name) when it is not a supported return file at all; RG_ESTORE/RG_ENOMEM
 * when the import failed and was rolled back. *report is always
 * initialised; free it. */
rg_status rg_cnab_import_buffer(const rg_event_env *env, const char *name, const char *data, size_t len,
                                unsigned flags, rg_instant now, rg_cnab_import_report *report, rg_err *e);

/* Reads the file at path (RG_EIO when it cannot) and imports it. */
rg_status rg_cnab_import_file(const rg_event_env *env, const char *path, unsigned flags, rg_instant now,
                              rg_cnab_import_report *report, rg_err *e);

void rg_cnab_import_report_free(rg_cnab_import_report *r);

/* True when the file had no corrupt line and its trailer checked out. */
bool rg_cnab_import_clean(const rg_cnab_import_report *r);

/* "recorded", "already_recorded", "duplicate", "unmatched", "occurrence". */
const char *rg_cnab_outcome_name(rg_cnab_outcome o);

/* The report as JSON (a new jansson json_t *, as void *; NULL on out of
 * memory), shared by `regua cnab import --json` and the API. Shape in
 * docs/cnab.md. */
void *rg_cnab_import_report_json(const rg_cnab_import_report *r);

#endif
