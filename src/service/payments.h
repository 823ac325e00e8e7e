/*
 * payments — recording a payment against an invoice: the one place that
 * decides what a payment does (balance, status, event). Used by the CLI
 * (`regua pay`), the CSV importer, the CNAB importer and the API alike.
 *
 * rg_payment_submit() is one payment reported from outside (`regua pay`,
 * POST /v1/payments): it owns its transaction. rg_payment_record() is the
 * same work inside the caller's transaction, for callers that record many
 * (the importers) or a payment as part of something else (events, demo).
 */
#ifndef RG_PAYMENTS_H
#define RG_PAYMENTS_H

#include <stdbool.h>

#include "model/model.h"
#include "service/events.h"
#include "store/store.h"

typedef struct rg_payment_outcome {
    bool recorded;       /* false: the same payment was already recorded */
    rg_cents balance;    /* open balance after the payment */
    rg_invoice_status status; /* invoice status after the payment */
    rg_cents overpaid;   /* the part of this payment beyond the open balance (0: none): the
                            callers warn; the invoice shows it as a credit */
    rg_cents credit;     /* the invoice's credit after the payment (paid beyond its amount) */
    rg_cents waived;     /* settled under an offer: the balance it left unpaid, recorded as waived
                            (service/holds.h); 0 otherwise */
    rg_event_out event;  /* the payment.received event and the timers it started or cancelled */
} rg_payment_outcome;

/* Records p against the invoice p->invoice_external_id (p->invoice_id is
 * filled). An empty reference is derived from source, instant and amount,
 * so the same payment recorded twice is still one payment. Marks the
 * invoice paid when the payments cover its face value (the day it was
 * paid is the civil date of p->paid_at in the customer's zone, else the
 * company's: env->zones) — or when it pays the amount of the invoice's
 * offer valid then (the rest recorded on the offer as waived) — keeps the
 * invoice's pending promises it pays in time (service/holds.h) and records `payment.received` through
 * rg_event_record(). Money beyond the open balance (an invoice already
 * paid, or a payment larger than what was left) is recorded all the same
 * and reported in out->overpaid and the event's `overpaid_cents`.
 * RG_ENOTFOUND for an
 * unknown invoice, RG_EINVAL for a non-positive amount or a method or
 * reference that is not UTF-8 text (nothing is written then). */
rg_status rg_payment_record(const rg_event_env *env, rg_payment *p, rg_instant now, rg_payment_outcome *out,
                            rg_err *e);

/* rg_payment_record() in its own transaction on env->store: everything or
 * nothing (RG_EBUSY when the write lock stayed taken). */
rg_status rg_payment_submit(const rg_event_env *env, rg_payment *p, rg_instant now, rg_payment_outcome *out,
                            rg_err *e);

#endif
