/*
 * bureau — the requests regua sends to a credit-bureau integration
 * (negativação) and the status they leave on the invoice's listing.
 *
 * The engine records a listing request when a cadence's bureau_listing
 * step fires (status `requested`, after the notice step); a payment moves
 * a requested or listed listing to `removal_requested` (STJ Súmula 548:
 * removal within 5 business days of payment). rg_bureau_sync() sends every
 * pending one through the channel whose driver is `bureau` — a signed JSON
 * POST (see channel/bureau.c) with a stable Idempotency-Key per listing and
 * action — and on a 2xx answer moves it to `listed` or `removed`. Any
 * failure leaves it pending with the attempt counted and the reason kept,
 * for the next sync. A listing request whose invoice is no longer open
 * (cancelled, renegotiated, written off) is not sent: it is reported as
 * skipped and stays as it is.
 *
 * The request body (rg_bureau_request_json):
 *   {"type": "listing.request" | "removal.request",
 *    "idempotency_key": "regua-bureau-list-ID" | "regua-bureau-remove-ID",
 *    "listing_id": ID, "sent_at": INSTANT,
 *    "creditor": {"name", "cnpj"},
 *    "debtor": {"external_id", "name", "document", "kind",
 *               "address": {"street", "number", "complement", "district",
 *                           "city", "state", "zip"}},
 *    "debt": {"invoice_external_id", "description", "amount", "balance",
 *             "issue_date", "due_date", "paid_on"},
 *    "notice_at", "requested_at", "listed_at", "removal_requested_at",
 *    "provider_ref"}
 * Amounts are decimal strings ("1234.56"), dates ISO, instants ISO UTC,
 * absent values null.
 *
 * Memory: rg_bureau_sync_report owns its items (rg_bureau_sync_report_free,
 * NULL-safe). Network I/O happens outside any store transaction; each
 * status change is one atomic store call.
 */
#ifndef RG_BUREAU_H
#define RG_BUREAU_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "channel/channel.h"
#include "config/config.h"
#include "service/events.h"
#include "store/store.h"

typedef struct rg_bureau_sync_item {
    int64_t invoice_id;
    char invoice_external_id[RG_EXTID_MAX + 1];
    char action[8];  /* "list" or "remove" */
    char result[12]; /* "listed", "removed", "failed", "skipped", "pending" */
    char status[20]; /* the listing's status afterwards */
    char detail[256];
} rg_bureau_sync_item;

typedef struct rg_bureau_sync_report {
    size_t listed, removed, failed, skipped;
    rg_bureau_sync_item *items;
    size_t n;
} rg_bureau_sync_report;

void rg_bureau_sync_report_free(rg_bureau_sync_report *r);

/* The idempotency key of a listing's request: "regua-bureau-list-ID" or
 * "regua-bureau-remove-ID" (ID = the listing's id). */
void rg_bureau_idempotency_key(const rg_bureau_listing *l, bool removal, char *out, size_t n);

/* Appends the request body (see above) to out. */
rg_status rg_bureau_request_json(const rg_bureau_listing *l, const rg_invoice *inv, const rg_customer *c,
                                 const rg_config *cfg, bool removal, rg_instant now, rg_buf *out, rg_err *e);

/* The configuration's first channel whose driver is `bureau`, or NULL. */
const rg_channel_config *rg_bureau_channel_config(const rg_config *cfg);

/* Sends every pending request once through ch (a `bureau` channel).
 * Returns RG_OK even when requests failed (see the report); an error
 * only when the store fails. A listing request whose invoice a hold keeps
 * back — a dispute, or (with tr, the loaded cadences) a hold on the
 * bureau_listing step of the cadence the invoice follows, such as a
 * promise's `pause: [negativar]` — is not sent: reported skipped ("held:
 * ...: not sent while it holds") and left pending. */
rg_status rg_bureau_sync(rg_store *s, const rg_config *cfg, const rg_triggers *tr, rg_channel *ch, rg_instant now,
                         rg_bureau_sync_report *out, rg_err *e);

/* The wait before a request that failed `attempts` times is tried again by
 * rg_bureau_sync_due: 1 minute, doubling per attempt, at most 1 hour. */
int64_t rg_bureau_retry_seconds(int64_t attempts);

/* As rg_bureau_sync, for the scheduler of `regua serve` (each round):
 * a request whose last attempt failed is sent again only once its wait
 * (rg_bureau_retry_seconds) has passed — retried until the bureau
 * acknowledges it, without hammering a bureau that is down. */
rg_status rg_bureau_sync_due(rg_store *s, const rg_config *cfg, const rg_triggers *tr, rg_channel *ch, rg_instant now,
                             rg_bureau_sync_report *out, rg_err *e);

#endif
