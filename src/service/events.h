/*
 * events — the one way an event is recorded (PRODUCT.md §4).
 *
 * Whoever learns that something happened — a payment (regua pay, CSV,
 * CNAB), an import, a provider's webhook, the tracking pixel, an operator
 * closing a task, `regua event`, the engine itself (promise.broken) —
 * calls rg_event_record() inside its own transaction. Recording is what
 * makes the régua listen: the triggers of the cadences concerned that wait
 * on this type start a timer, and the waiting timers whose `unless` names
 * it are cancelled, with the reason (docs/engine.md, "Events and
 * triggers").
 *
 * The types come from one table, model/event_types.def.
 *
 * Ownership: an rg_event_env borrows everything it points to; the zones
 * and the rg_triggers part are read-only while events are recorded and may
 * be shared by threads, each thread with its own store connection.
 */
#ifndef RG_SERVICE_EVENTS_H
#define RG_SERVICE_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "base/zones.h"
#include "br/holidays.h"
#include "cadence/load.h"
#include "config/config.h"
#include "model/event.h"
#include "store/store.h"

/* What listens to events: the loaded cadences' triggers, the bank
 * calendar that tells which cadence an invoice follows, and the outgoing
 * webhooks of the configuration (each event of a type a webhook lists is
 * queued for it: service/webhooks.h). */
typedef struct rg_triggers {
    const rg_cadence_set *cadences; /* NULL: no cadence is installed */
    const rg_calendar *calendar;
    const rg_config *config;        /* its `webhooks`; NULL: none */
} rg_triggers;

typedef struct rg_event_env {
    rg_store *store;              /* the caller's connection, inside the caller's transaction */
    rg_zones *zones;              /* customers' and the company's zones (local dates) */
    const rg_triggers *triggers;  /* NULL: no cadence is installed, so nothing listens */
} rg_event_env;

typedef struct rg_event_in {
    rg_event_type type;
    rg_instant at;        /* when it happened */
    const char *source;   /* who reported it: "cli", "csv", "cnab", "webhook", "tracking", "engine", ... */
    int64_t customer_id;  /* 0 only for an event nobody could be matched to (a reply from an unknown number) */
    int64_t invoice_id;   /* 0: about the customer as a whole */
    int64_t message_id;   /* 0: none */
    const char *payload;  /* a JSON object as text; NULL for {} */
} rg_event_in;

typedef struct rg_event_out {
    int64_t event_id;
    int64_t timers_started;   /* triggers that now wait on (or act upon) this event */
    int64_t timers_cancelled; /* waiting timers this event cancelled through their `unless` */
} rg_event_out;

/*
 * Records one event in the caller's transaction, and what it sets off.
 * RG_EINVAL for a type out of range, a missing instant or source, an
 * invoice without its customer, or a payload that is not a JSON object;
 * store failures as RG_ESTORE. `out` may be NULL.
 */
rg_status rg_event_record(const rg_event_env *env, const rg_event_in *ev, rg_event_out *out, rg_err *e);

/*
 * The cadence whose triggers listen to an invoice's events: its override
 * (cadence_override, set by import or a `switch_to` trigger), else the
 * cadence the tick last planned it on (its progress), else the best
 * `match` at `at`, as the tick would choose it (the repeat-offender count
 * of late_count_12m_min: the customer's invoices paid late since the UTC
 * date of `at` less 365 days, read only when some cadence matches on it).
 * NULL when it follows none.
 */
rg_status rg_triggers_cadence_of(const rg_triggers *tr, rg_store *s, const rg_invoice *inv, const rg_customer *cust,
                                 rg_instant at, const rg_cadence **out, rg_err *e);

/* Timers read into memory (an rg_timer_fn: ctx is the list). */
typedef struct rg_timer_list {
    rg_timer *v;
    size_t n, cap;
} rg_timer_list;
rg_status rg_timer_list_keep(void *ctx, const rg_timer *t);

/* One event as `regua event` (and later the API) reports it. */
typedef struct rg_event_request {
    const char *type;     /* its name, as in model/event_types.def */
    const char *invoice;  /* the invoice's external id, or NULL */
    const char *customer; /* the customer's external id, or NULL (exactly one of the two) */
    rg_instant at;        /* when it happened */
    const char *data;     /* a JSON object as text; NULL: {} */
    const char *source;   /* "cli", "api" */
    rg_instant now;       /* the clock (a promised date is checked against today) */
} rg_event_request;

typedef struct rg_event_result {
    rg_event_out event;
    int64_t customer_id, invoice_id;
    int64_t promise_id;     /* promise.made: the promise */
    int64_t payment_id;     /* payment.received: the payment */
    bool payment_recorded;  /* false: the same payment was recorded before (nothing changed) */
    rg_cents balance;       /* payment.received: the open balance after it */
} rg_event_result;

/*
 * Records one event reported from outside, in its own transaction:
 * promise.made ({"date": "AAAA-MM-DD", "amount": "123.45"}, the amount
 * defaulting to the balance) through rg_promise_make, payment.received
 * ({"amount", "reference", "method"}) through rg_payment_record, optout
 * ({"channel"}: the customer opted out of that channel, how = the source,
 * its invoices planned again), any other type with `data` as its payload. RG_EINVAL (where: the request's
 * field: "type", "invoice", "customer", "at", "data", "data.FIELD"; "event" for neither or both of invoice
 * and customer) for an unknown type, a type only
 * regua records, an invoice-only type named by customer, bad JSON or bad
 * fields; RG_ENOTFOUND for an unknown invoice or customer; nothing is
 * stored then.
 */
rg_status rg_event_submit(const rg_event_env *env, const rg_event_request *rq, rg_event_result *out, rg_err *e);
/* The same for rq[0..n) in one transaction, results in out[0..n): all
 * or nothing — the first refused event (its index in *refused when
 * refused is not NULL; e names its field as above) leaves nothing stored.
 * For callers that receive events in batches (the API, `regua event
 * --file`). */
/*
 * Records n independent events in ONE transaction on env->store — a group
 * commit: each is accepted or refused on its own (a refused one leaves
 * nothing of itself behind, the others stay); rc[i] and err[i] say which,
 * as rg_event_submit would. RG_OK when the transaction committed (whatever
 * was refused); otherwise nothing is stored and every rc[i] is that
 * failure. For callers that gather concurrent requests (the API's POST
 * /v1/events): n commits' worth of work for the price of one. Savepoints
 * only when needed: the group goes first without them, and is done again
 * with one per event only if a refused event had written something.
 */
rg_status rg_event_submit_each(const rg_event_env *env, const rg_event_request *rq, size_t n, rg_event_result *out,
                               rg_status *rc, rg_err *err, rg_err *e);
rg_status rg_event_submit_many(const rg_event_env *env, const rg_event_request *rq, size_t n, rg_event_result *out,
                               size_t *refused, rg_err *e);

#endif
