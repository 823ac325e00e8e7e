/*
 * planner — the pure heart of the engine: given a cadence, an invoice, what
 * already happened to it (its progress), the calendar, the customer's time
 * zone and the instant `now`, it says what is due. No I/O, no clock, no
 * globals: the same inputs always give the same plan, which is what lets
 * `regua simulate` forecast with the very code `regua tick` runs.
 *
 * The rules (PRODUCT.md §2):
 * - Offsets count in calendar days from the effective due date (the nominal
 *   one moved to the next bank business day).
 * - A step becomes due at the first moment on or after its day that is
 *   inside the customer's window (local time, holidays closed unless open),
 *   and fires only while the window is open: one that had to wait (a cap,
 *   downtime) goes out at the next opening, never at night.
 * - Among the steps that are due and neither done nor skipped, only the
 *   latest (largest offset) fires; the earlier ones are skipped as
 *   superseded. This one rule covers downtime and closed windows.
 * - A bureau listing is due only when its notice step was done at least
 *   10 days before; if the notice was skipped it is never listed.
 * - Closed invoices (paid, cancelled, renegotiated, written off, no
 *   balance) get nothing; a debt whose effective due date is five years
 *   past is prescribed (CC art. 206 §5 I) and gets nothing either.
 * - The plan also says when to look at the invoice again (agenda_at):
 *   the tick stores it, and reads only the invoices whose instant came.
 */
#ifndef RG_PLANNER_H
#define RG_PLANNER_H

#include <stddef.h>

#include "br/holidays.h"
#include "base/tz.h"
#include "cadence/cadence.h"
#include "engine/progress.h"
#include "model/model.h"

#define RG_PLAN_MAX_STEPS RG_PROGRESS_MAX
#define RG_NOTICE_MIN_DAYS 10
#define RG_PRESCRIPTION_YEARS 5

typedef struct rg_plan_input {
    const rg_cadence *cadence;
    const rg_invoice *invoice;
    const rg_progress *progress;
    const rg_calendar *calendar;
    const rg_tz *tz; /* the customer's zone */
    rg_instant now;
} rg_plan_input;

typedef enum rg_plan_kind {
    RG_PLAN_IDLE = 0,   /* nothing due now */
    RG_PLAN_FIRE,       /* `fire` is due now */
    RG_PLAN_CLOSED,     /* the invoice is not open or has no balance */
    RG_PLAN_PRESCRIBED  /* over five years past due: not collected at all */
} rg_plan_kind;

typedef struct rg_plan {
    rg_plan_kind kind;
    rg_date effective_due;
    int fire;                /* step index, -1 when none */
    rg_instant fire_due_at;  /* when that step became due */
    size_t n_skipped;
    int skipped[RG_PLAN_MAX_STEPS];
    char skipped_state[RG_PLAN_MAX_STEPS]; /* RG_STEP_SUPERSEDED or RG_STEP_NO_NOTICE */
    rg_instant next_due_at;  /* the next instant a pending step becomes due; RG_INSTANT_NONE */
    /* The agenda: the next instant at which planning this invoice again can
     * change anything, once this plan is carried out (the fired step done
     * now, the skipped ones recorded) — a pending step becoming due, the
     * window opening for a step that waits, the day a bureau listing counts
     * from its notice (fired now: from now), or is given up for want of
     * one. RG_INSTANT_NONE: nothing will happen by itself (closed,
     * prescribed, every step done). Never later than what can happen;
     * at worst earlier (planning then finds nothing to do). */
    rg_instant agenda_at;
} rg_plan;

void rg_plan_invoice(const rg_plan_input *in, rg_plan *out);

/* The date a debt due on `effective_due` prescribes. */
rg_date rg_prescription_date(rg_date effective_due);

/* Days late at `today` (local date) for an effective due date; 0 when not late. */
int64_t rg_days_late(rg_date effective_due, rg_date today);

#endif
