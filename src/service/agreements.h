/*
 * agreements — installment agreements (acordos; PRODUCT.md §5,
 * docs/agreements.md): a customer's selected open invoices become one
 * debt paid as a down payment (entrada) and N monthly installments, each
 * a new invoice `ACORDO-{id}-{k}` (k 0 the down payment, 1..N) tagged
 * `acordo`, so it follows the cadence matched for `tags: [acordo]`; the
 * originals become `renegotiated` (nothing more is sent about them;
 * `invoice.updated` with {"status": "renegotiated", "agreement": id}).
 *
 * The arithmetic (exact in centavos; half-up rounding), with P the
 * originals' open balances, d = down_payment_pct, i = interest_month_pct,
 * N the installments:
 *   down payment  D = round(P x d / 100)
 *   financed      F = P - D
 *   interest      J = round(F x i / 100 x N)        (simple interest, N months)
 *   installments  each = floor((F + J) / N); the last = F + J - (N - 1) x each
 *   total         D + F + J = P + J
 * The down payment is due `down_payment_days` bank business days after
 * today (br/holidays); installment k is due k months after it (the same
 * day of the month, or the month's last day). A plan whose installment is
 * below min_installment, or with more than max_installments, is refused.
 *
 * The tick (rg_agreements_check) settles active agreements: every
 * installment paid -> `completed`; an installment still open more than
 * break_after_days after its effective due date -> `broken`: its open
 * installments are cancelled, and what was paid on the agreement is
 * credited to the originals (oldest due date first, as a payment with
 * method "acordo" and reference "ACORDO-{id}", no payment.received event);
 * the originals still owing are reopened on their cadence
 * (`invoice.updated` {"status": "open"|"paid", "agreement": id}).
 */
#ifndef RG_SERVICE_AGREEMENTS_H
#define RG_SERVICE_AGREEMENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "br/holidays.h"
#include "config/config.h"
#include "service/events.h"
#include "store/store.h"

#define RG_AGREEMENT_MAX_INVOICES 100
#define RG_AGREEMENT_MAX_INSTALLMENTS 60
/* The tag every installment invoice carries. */
#define RG_AGREEMENT_TAG "acordo"

typedef struct rg_agreement_plan {
    int64_t installments;        /* N */
    rg_cents principal;          /* P */
    rg_cents down_payment;       /* D (0: none) */
    rg_cents financed;           /* F */
    rg_cents interest;           /* J */
    rg_cents total;              /* P + J */
    rg_cents installment;        /* installments 1..N-1 */
    rg_cents last_installment;   /* installment N (the rounding remainder) */
    rg_date down_payment_due;    /* also the base of the installments' dates */
    rg_date due[RG_AGREEMENT_MAX_INSTALLMENTS + 1]; /* [0] the down payment, [k] installment k */
} rg_agreement_plan;

/* The plan of N installments for principal P on `today` (pure). RG_EINVAL
 * (where "installments") for N out of 1..max_installments or an
 * installment below min_installment (the message names the largest N that
 * fits), (where "invoices") for P <= 0. */
rg_status rg_agreement_plan_make(const rg_agreement_config *cfg, const rg_calendar *cal, rg_cents principal,
                                 int64_t n, rg_date today, rg_agreement_plan *out, rg_err *e);
/* Installment k's amount (0 the down payment). */
rg_cents rg_agreement_plan_amount(const rg_agreement_plan *p, int64_t k);

/* One agreement with its invoices, as `agreement show --json` and GET
 * /v1/agreements/{id} report it. */
typedef struct rg_agreement_view {
    rg_agreement agreement;
    rg_agreement_item *items;
    size_t n_items, cap_items;
} rg_agreement_view;
void rg_agreement_view_free(rg_agreement_view *v);

typedef struct rg_agreement_request {
    const char *customer;          /* external id */
    const char *const *invoices;   /* external ids of the customer's open invoices */
    size_t n_invoices;
    int64_t installments;          /* N */
    const char *source;            /* "cli", "api", "portal" */
    rg_instant now;
} rg_agreement_request;

/* Whether the invoice carries the tag `acordo` (an agreement's installment). */
bool rg_agreement_is_installment(const rg_invoice *inv);
/* What the portal adds to the checks (source "portal"): the customer
 * cannot put an installment of an agreement (tag acordo) nor an invoice
 * held by a dispute into an agreement — RG_ECONFLICT (where "invoices"). */
rg_status rg_agreement_portal_check(rg_store *s, const rg_invoice *inv, rg_err *e);

/* Makes the agreement in its own transaction (env->store): checks, the
 * plan, the installments' invoices (with boleto/PIX derived from the first
 * original that has them: same bank and campo livre, same PIX key, the
 * installment's amount and due date), the originals renegotiated, the
 * events invoice.created (each installment) and agreement.created. Errors
 * name the field: RG_ENOTFOUND "customer"/"invoices", RG_EINVAL
 * "invoices"/"installments", RG_ECONFLICT "invoices" for an invoice not
 * open (or another customer's; from the portal, see
 * rg_agreement_portal_check). Nothing is written on failure. */
rg_status rg_agreement_create(const rg_event_env *env, const rg_config *cfg, const rg_agreement_request *rq,
                              rg_agreement_view *out, rg_err *e);

/* The plans on offer (1..max_installments, those whose installment
 * reaches min_installment) for the customer's invoices named (by external
 * id; checked as rg_agreement_create checks them) at `now`; *plans
 * (malloc'd, free()) holds *n_plans, by N ascending, possibly none. Reads
 * only. For the portal's "Parcelar" and `regua agreement plans`. */
rg_status rg_agreement_plans(const rg_event_env *env, const rg_config *cfg, const char *customer,
                             const char *const *invoices, size_t n, rg_instant now, rg_agreement_plan **plans,
                             size_t *n_plans, rg_err *e);
/* One plan as JSON (json_t *): {installments, principal, down_payment,
 * down_payment_due, interest, total, installment, last_installment,
 * schedule: [{number, due_date, amount}]}. */
void *rg_agreement_plan_json(const rg_agreement_plan *p);

/* Loads one agreement and its invoices (RG_ENOTFOUND where "agreement"). */
rg_status rg_agreement_load(rg_store *s, int64_t id, rg_agreement_view *out, rg_err *e);

/* Agreements by id > after_id of the customer (external id; NULL any) and
 * with status (NULL any; else active, completed, broken, cancelled); limit
 * 0: all. RG_ENOTFOUND "customer", RG_EINVAL "status". */
rg_status rg_agreement_list(rg_store *s, const char *customer, const char *status, int64_t after_id, int64_t limit,
                            rg_agreement_fn fn, void *ctx, rg_err *e);

/* The operator cancels an active agreement (`regua agreement cancel`,
 * POST /v1/agreements/{id}/cancel), in its own transaction — what a break
 * does, at once and without a late installment: the open installments are
 * cancelled (invoice.cancelled); the paid ones stay paid, and what was paid
 * on the agreement is credited to the originals still renegotiated, oldest
 * due date first (payments with method "acordo", reference "ACORDO-{id}",
 * no payment.received); each original is reopened on its cadence with
 * what it still owes, or paid when the credit covers it
 * (invoice.updated); the agreement becomes `cancelled` and
 * `agreement.cancelled` {"agreement", "cancelled", "reopened"} is recorded
 * (on the first reopened original; customer-level when none). The events
 * carry `source`. *out is the agreement after it. RG_ENOTFOUND (where
 * "agreement") for no such id, RG_ECONFLICT (where "agreement") for one
 * that is not active (completed, broken, cancelled): nothing changes. */
rg_status rg_agreement_cancel(const rg_event_env *env, int64_t id, const char *source, rg_instant now,
                              rg_agreement_view *out, rg_err *e);

/* What a tick settled. */
typedef struct rg_agreement_check_stats {
    int64_t completed, broken;
} rg_agreement_check_stats;

/* Settles every active agreement at `now` (see above), in the caller's
 * transaction. */
rg_status rg_agreements_check(const rg_event_env *env, rg_instant now, rg_agreement_check_stats *st, rg_err *e);

/* The one writer (json_t *) of an agreement: the summary (with `items`
 * NULL: the list's item) or the whole view. */
void *rg_agreement_json(const rg_agreement *a, const rg_agreement_view *v);

#endif
