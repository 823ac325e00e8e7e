/*
 * engine — the tick: plans every open invoice against its cadence and
 * turns what is due into messages, tasks, reissues and bureau requests.
 *
 * The engine owns what a tick needs loaded once: the cadences (linted;
 * those with errors are not loaded), the templates, the holiday calendar,
 * the time-zone cache and the channels. It borrows the store and the
 * config, which must outlive it. The decisions themselves come from the
 * pure planner (engine/planner.h); this module does the I/O around it.
 *
 * A tick reads the customers the agenda says have something due, in
 * batches of whole customers (so caps and consolidation see all of a
 * customer's invoices at once), and writes each batch in the tick's
 * transaction: ticking twice for the same instant creates nothing new
 * (the progress, the stored instants and the messages' idempotency keys).
 */
#ifndef RG_ENGINE_H
#define RG_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "cadence/diag.h"
#include "cadence/lint.h"
#include "cadence/load.h"
#include "channel/dispatcher.h"
#include "config/config.h"
#include "service/events.h"
#include "store/store.h"

typedef struct rg_engine rg_engine;

/* A letter encloses the boleto the customer can pay now; when the current
 * one is past due, it encloses one generated with the amount updated to
 * the letter's date, due this many bank business days after it. */
#define RG_LETTER_BOLETO_DAYS 5

typedef struct rg_engine_options {
    rg_store *store;          /* borrowed */
    const rg_config *config;  /* borrowed */
    bool dry_run;             /* simulate: no channel is opened; every message counts as sent */
    int64_t batch_size;       /* invoices per transaction; 0: 5000 */
    int64_t replan_limit;     /* after a cadence change, open invoices re-planned per tick; 0: RG_REPLAN_LIMIT */
} rg_engine_options;

/* How many open invoices a tick re-plans after the cadences (or the
 * calendar, or the default zone) changed, besides what is due. */
#define RG_REPLAN_LIMIT 100000

typedef struct rg_tick_stats {
    int64_t invoices;     /* open invoices looked at */
    int64_t no_cadence;   /* ... that follow no cadence */
    int64_t prescribed;   /* ... over five years past due */
    int64_t fired;        /* steps fired */
    int64_t superseded;   /* steps skipped because a later one was due */
    int64_t no_notice;    /* bureau listings skipped for want of a notice */
    int64_t not_by_letter; /* consumers' listings skipped: the notice did not go by letter */
    int64_t added_after;  /* steps skipped: added to the cadence after the invoice passed them */
    int64_t no_phone;     /* call tasks skipped: the customer has no phone */
    int64_t messages;     /* messages created */
    int64_t sent;         /* ... delivered at once (inline channels) */
    int64_t queued;       /* ... left for the dispatcher */
    int64_t suppressed;   /* ... with no usable channel or a render failure */
    int64_t deferred;     /* steps waiting: over the cap, or consolidated today already */
    int64_t tasks;
    int64_t reissues;
    int64_t bureau_requests;
    int64_t timers_fired;     /* trigger timers fired (their actions done) */
    int64_t timers_waiting;   /* ... due but moved: outside the window, or over the cap */
    int64_t timers_cancelled; /* ... due but cancelled: nothing open left to act on */
    int64_t held;            /* due steps a hold (promise, pause, dispute) kept from firing */
    int64_t promises_broken; /* promises whose deadline passed unpaid: promise.broken recorded */
    int64_t agreements_completed; /* every installment paid: agreement.completed recorded */
    int64_t agreements_broken;    /* an installment past break_after_days: agreement.broken recorded */
} rg_tick_stats;

/* What cadence lint checks against: the channels configured (besides the
 * built-in ones) and the templates loaded (NULL: none, every template
 * counts as missing). */
typedef struct rg_template_set rg_template_set;
typedef struct rg_lint_install {
    const rg_config *config;
    const rg_template_set *templates;
    /* also the templates' warnings (lengths, the creditor's address):
     * `regua cadence lint` asks for them; loading the engine does not, so
     * that every tick does not repeat them */
    bool template_warnings;
} rg_lint_install;
/* The lint environment for an installation; `in` must outlive it. Used by
 * rg_engine_open and `regua cadence lint` alike. */
rg_lint_env rg_engine_lint_env(const rg_lint_install *in);

/* Loads cadences, templates, calendar and channels. Problems found in the
 * cadence files and the templates are in *diags (an error means that
 * cadence or template is not loaded: see rg_engine_load_errors); a failure
 * to read the directories or open a channel is an error. */
rg_status rg_engine_open(const rg_engine_options *opt, rg_engine **out, rg_diags *diags, rg_err *e);
/* How many cadence files and templates failed to load (errors in the
 * diagnostics of rg_engine_open). Commands that act on the cadences refuse
 * to run when it is not 0; the dispatcher's re-check keeps a message of a
 * cadence that is not loaded waiting, instead of cancelling it, while it
 * is not 0. */
size_t rg_engine_load_errors(const rg_engine *eng);
void rg_engine_close(rg_engine *eng);
/* A signature of what rg_engine_open reads from disk — every file of the
 * cadences and templates directories and the calendar file (name, size,
 * modification time) — that changes when they change: `serve` reloads
 * its engine, and the API its view engines, on a new one. */
uint64_t rg_engine_sources_signature(const rg_config *c);
/* Forgets what the engine read from the store to explain invoices (when
 * each cadence step was first seen): an engine kept across requests reads
 * it again at its next explanation. */
void rg_engine_forget_seen(rg_engine *eng);

const rg_cadence_set *rg_engine_cadences(const rg_engine *eng);

/* What the event service needs to start and cancel triggers: this
 * engine's cadences and calendar (valid until rg_engine_close). */
const rg_triggers *rg_engine_triggers(const rg_engine *eng);

/* The tick: plans the customers with something due on the agenda (an
 * invoice whose stored instant is at or before now), each with all of its
 * open invoices, and stores each planned invoice's next instant. After a
 * change of the cadences, calendar or default zone it also re-plans up to
 * replan_limit more invoices per tick, customer by customer, from a stored
 * cursor, until every instant is planned with the new set. */
rg_status rg_engine_tick(rg_engine *eng, rg_instant now, rg_tick_stats *stats, rg_err *e);
/* The same, planning every open invoice (`regua tick --full`: recovery, and
 * the reference the agenda is tested against); the re-plan is then done. */
rg_status rg_engine_tick_full(rg_engine *eng, rg_instant now, rg_tick_stats *stats, rg_err *e);

/* Where an invoice stands: the cadence it follows (or why none), its
 * progress, and what comes next — for `regua invoice show` and the API. */
typedef struct rg_invoice_explain {
    char cadence[64];        /* "" when it follows none */
    char version[17];
    const char *state;       /* "follows", "no-cadence", "closed", "prescribed" */
    rg_date effective_due;
    char progress[1024];     /* the stored progress text, "" when none */
    char next_step[64];      /* the next step to become due, "" when none */
    rg_instant next_due_at;  /* RG_INSTANT_NONE when none */
    char held[512];          /* the due steps a hold keeps back, "a, b" ("" when none) */
} rg_invoice_explain;

rg_status rg_engine_explain(rg_engine *eng, const rg_invoice *inv, const rg_customer *c, rg_instant now,
                            rg_invoice_explain *out, rg_err *e);

/* What a customer can pay for one open invoice now, as the portal shows
 * it (docs/portal.md): the open balance with fine and interest to today's
 * local date under the cadence the invoice follows (its terms as messages
 * show them), or the amount of the offer valid now; the boleto payable now
 * — the current one while its effective due date has not passed, else one
 * generated for today's updated amount, due RG_LETTER_BOLETO_DAYS bank
 * business days later (the letter's enclosure) — and the PIX copia-e-cola
 * of `amount` (a static code rebuilt with it; a dynamic one as it is). */
typedef struct rg_engine_payable {
    rg_cents balance;  /* the open principal */
    rg_cents fine, interest;
    rg_cents amount;   /* what to pay now (the offer's amount while one holds) */
    int64_t days_late; /* after the effective due date, on today's local date */
    rg_date due_date;  /* the due date shown: the reissued one, else the nominal */
    rg_date today;     /* the customer's local date at `now` */
    bool offer;        /* an offer holds now */
    rg_cents offer_waived;
    rg_instant offer_valid_until;
    rg_date offer_last_day; /* the customer's local date of its last valid instant */
    char offer_text[128];
    bool boleto;           /* a boleto is payable now */
    bool boleto_generated; /* generated for today (the current one is past due) */
    char barcode[45];
    char linha[55];        /* formatted */
    rg_date boleto_due;
    rg_cents boleto_amount;
    char pix[RG_PIX_MAX + 1]; /* "" when the invoice has no PIX */
} rg_engine_payable;

/* Fills *out for the open invoice inv of customer cust at now (reads the
 * invoice's offer and stored cadence on the engine's store). */
rg_status rg_engine_payable_get(rg_engine *eng, const rg_invoice *inv, const rg_customer *cust, rg_instant now,
                                rg_engine_payable *out, rg_err *e);

/* The instants at which some customer's window opens on the local date
 * `day` (one per cadence and time zone in use), sorted, for simulate.
 * Writes at most max; returns the count. */
size_t rg_engine_openings(rg_engine *eng, rg_date day, rg_instant *out, size_t max, rg_err *e);

/* The dispatcher's send-time re-check (an rg_dispatch_check_fn; ctx is
 * the engine): the invoices still open, the cadence's window open and cap
 * respected, the channel usable — else cancel, wait, or move to the next
 * channel of the step, rendered from its own template (engine/recheck.c).
 * An engine opened with dry_run serves here too: it needs channel names,
 * not open channels. */
rg_status rg_engine_dispatch_check(void *ctx, const rg_message *m, const rg_customer *c, rg_instant now,
                                   const char *failed, rg_dispatch_verdict *out, rg_err *e);

#endif
