/*
 * promises — a customer's promise to pay (PRODUCT.md §1, §4): made by an
 * operator closing a task, by `regua event promise.made`, later by the
 * portal and the API; always through rg_promise_make(), which records the
 * `promise.made` event through the event service.
 *
 * The rules: the date is today or later and at most RG_PROMISE_MAX_DAYS
 * ahead (a longer term is an agreement, not a promise); the amount
 * defaults to the invoice's open balance and cannot exceed it; an invoice
 * that is no longer open takes no promise. A promise about the customer as
 * a whole (no invoice) must state its amount, and needs an open invoice
 * with a balance (RG_ECONFLICT "customer X has no open invoice"); when the
 * customer's last open invoice closes, such a pending promise ends there
 * (service/holds.h: kept when it was paid in time, broken when late,
 * cancelled when cancelled or renegotiated).
 *
 * The caller owns the transaction.
 */
#ifndef RG_SERVICE_PROMISES_H
#define RG_SERVICE_PROMISES_H

#include "base/err.h"
#include "service/events.h"
#include "store/store.h"

#define RG_PROMISE_MAX_DAYS 90

typedef struct rg_promise_params {
    int64_t customer_id;
    int64_t invoice_id;    /* 0: the customer's debt as a whole */
    rg_date date;          /* the promised date */
    rg_cents amount;       /* -1: the invoice's open balance */
    const char *source;    /* the promise's origin: "task:12", "cli", "api", "portal" */
    const char *event_source; /* the event's source: "cli", "api", "portal" */
    rg_instant at;         /* when it was made */
    int64_t task_id;       /* the task it was made on; 0: none */
    const char *outcome;   /* the task's outcome, for the event; NULL: none */
} rg_promise_params;

/* The promised date's rule alone: today or later, at most
 * RG_PROMISE_MAX_DAYS ahead; RG_EINVAL (where "promise_date") otherwise. */
rg_status rg_promise_check_date(rg_date date, rg_date today, rg_err *e);

/* Creates the pending promise and records `promise.made`. `today` is the
 * local date the promised date is checked against; *event (may be NULL)
 * receives the event's id and the timers it started or cancelled. RG_EINVAL for a date
 * out of range or a bad amount (where: "promise_date", "promise_amount"),
 * RG_ECONFLICT for an invoice that is not open. */
rg_status rg_promise_make(const rg_event_env *env, const rg_promise_params *p, rg_date today, rg_promise *out,
                          rg_event_out *event, rg_err *e);

/* Promises by id (the API's GET /v1/promises): of the customer and/or
 * invoice named by external id (NULL: any) and with status (NULL: any;
 * else pending, kept, broken or cancelled), id > after_id, at most limit
 * (0: all). RG_ENOTFOUND (where "customer", "invoice") for an unknown one,
 * RG_EINVAL (where "status") for another status. */
rg_status rg_promise_list(rg_store *s, const char *customer, const char *invoice, const char *status,
                          int64_t after_id, int64_t limit, rg_promise_view_fn fn, void *ctx, rg_err *e);

#endif
