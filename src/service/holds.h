/*
 * holds — what stops an invoice's steps for a while: a promise to pay, a
 * trigger's `pause`, a dispute; and the offers a trigger (or a step) makes
 * (PRODUCT.md §4; docs/engine.md, "Promises, disputes and offers").
 *
 * A hold names a step of the invoice's cadence, or every step (""). While
 * it holds, the planner neither fires nor skips that step; once it is
 * released, the invoice is planned again and, as after downtime, only the
 * latest due step fires (the earlier ones are recorded as superseded).
 *
 * - A `pause` for a promise (promise_id != 0) holds while that promise is
 *   pending. The promise's deadline is the end of its date plus
 *   grace_days (the pausing trigger's pause_grace_days), local time of
 *   the customer: paid by then (the balance, or the promised amount since
 *   the promise was made) it is kept (rg_payment_record); the first tick
 *   after it, unpaid, records `promise.broken` (source "engine"), marks it
 *   broken and releases its holds. The deadline is in the agenda.
 * - A dispute (`dispute.opened`) holds every step, trigger message, task
 *   and bureau action of the invoice (reason "dispute") until
 *   `dispute.resolved`. A listing already requested is not withdrawn; no
 *   new one is requested while it is open. A message already queued for the
 *   invoice is not sent while it holds: deferred by the send-time re-check
 *   (looked at again every RG_HOLD_RECHECK_SECONDS), it goes after
 *   dispute.resolved if its step is still the current one, else it is
 *   cancelled and the latest due step fires instead; its open tasks are
 *   listed held and cannot be claimed (service/tasks.h).
 * - rg_holds_resume releases the named steps' holds (n_steps 0: all of
 *   them) except a dispute's, which only `dispute.resolved` lifts.
 *
 * Each function wakes the invoice (the agenda) itself and runs inside the
 * caller's transaction.
 */
#ifndef RG_SERVICE_HOLDS_H
#define RG_SERVICE_HOLDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/tz.h"
#include "cadence/cadence.h"
#include "service/events.h"
#include "store/store.h"

#define RG_HOLD_DISPUTE "dispute"
#define RG_OFFER_DEFAULT_VALID_DAYS 3
/* A queued message whose every invoice is held waits this long before the
 * dispatcher looks at it again (engine/recheck.c). */
#define RG_HOLD_RECHECK_SECONDS 3600

/* Holds steps[0..n_steps) of the invoice (n_steps 0: every step) for
 * `reason` ("promise", "trigger:CADENCE/ID"). With promise_id, only while
 * that promise is pending (nothing is held when it is not), and the
 * promise's grace becomes at least grace_days. A hold already in place is
 * not doubled. RG_EINVAL for an empty reason or a negative grace. */
rg_status rg_holds_pause(rg_store *s, int64_t invoice_id, const char *const *steps, size_t n_steps,
                         const char *reason, int64_t promise_id, int64_t grace_days, rg_instant at, rg_err *e);

/* Releases the holds on steps[0..n_steps) (n_steps 0: every hold) but a
 * dispute's; *released (may be NULL) says how many. */
rg_status rg_holds_resume(rg_store *s, int64_t invoice_id, const char *const *steps, size_t n_steps, rg_instant at,
                          int64_t *released, rg_err *e);

/* What an event does to holds, called by rg_event_record for every event
 * it records: dispute.opened holds every step of its invoice, and
 * dispute.resolved lifts that. Other types: nothing. */
rg_status rg_holds_on_event(const rg_event_env *env, const rg_event_in *ev, rg_err *e);

/* Whether `step` of the invoice is held now (step NULL: a trigger's
 * message, task or bureau action, which only an every-step hold — a
 * dispute — holds); *why names the reason ("held: dispute"). */
rg_status rg_holds_check(rg_store *s, int64_t invoice_id, const char *step, bool *held, char *why, size_t why_n,
                         rg_err *e);

/* The instant a promise for `date` with `grace_days` is broken unpaid:
 * the start of the day after date + grace, in the customer's zone. */
rg_instant rg_promise_deadline(const rg_tz *tz, rg_date date, int64_t grace_days);

/* The engine, at the first tick after a promise's deadline: marks the
 * pending promise broken (resolved at `deadline`), releases its holds and
 * records `promise.broken` (source "engine", at `deadline`). *changed false
 * (and nothing done) when the promise was no longer pending. */
rg_status rg_promise_break(const rg_event_env *env, int64_t invoice_id, int64_t promise_id, rg_instant deadline,
                           bool *changed, rg_err *e);

/* The payment path (rg_payment_record), after payment p was applied to
 * the invoice (inv: as it is now): each pending promise of the invoice
 * paid by its deadline — the invoice paid, or the promised amount paid
 * since the promise was made — is kept, and its holds released; one whose
 * deadline had passed when the invoice was paid is broken (the tick no
 * longer plans a paid invoice). */
rg_status rg_promises_on_payment(const rg_event_env *env, const rg_invoice *inv, const rg_payment *p, rg_err *e);

/* Records an offer on the invoice: the terms of `offer`, the discount on
 * the open balance in centavos (discount_pct, hundredths of a percent,
 * rounded half up), valid for offer->valid_days (0: 3) days from `at`.
 * `source` says who made it ("trigger:CADENCE/ID", "step:CADENCE/ID").
 * RG_ECONFLICT for an invoice that is not open. */
rg_status rg_offer_make(rg_store *s, int64_t invoice_id, const rg_cadence_offer *offer, const char *source,
                        rg_instant at, int64_t *offer_id, rg_err *e);

/* The payment path: whether payment p settles open invoice inv (as it
 * was before p) under its offer valid at p->paid_at — p pays at least the
 * open balance less the offer's discount (fine and interest are not part
 * of the balance: waiving them asks nothing here). When it does, the
 * offer is marked settled with what was waived (the balance left unpaid)
 * and *waived says it; else *waived is 0. */
rg_status rg_offer_settle_payment(rg_store *s, const rg_invoice *inv, const rg_payment *p, rg_cents *waived,
                                  rg_err *e);

/* The amounts of an offer on an invoice whose open balance is `balance`
 * and whose fine and interest, at the moment, are `fine` and `interest`:
 * what the customer pays (*amount) and what is waived (*waived). */
void rg_offer_amounts(const rg_offer *o, rg_cents balance, rg_cents fine, rg_cents interest, rg_cents *amount,
                      rg_cents *waived);

/* A pt-BR description of an offer's terms that reads after "o valor
 * fica": "sem juros", "sem multa e sem juros e com 10% de desconto". */
const char *rg_offer_describe(const rg_offer *o, char *buf, size_t n);

#endif
