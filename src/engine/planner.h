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
 * - A step belongs to a phase of the invoice: before the effective due
 *   date (D-n), on it (D0) or after it (D+n). A due step whose phase the
 *   invoice has left — a D-n step once the effective due day has begun, a
 *   D0 step once the day after it has begun — is superseded too, even when
 *   no later step is due: "vence amanhã" never goes out on the due day.
 * - Versions: a step first seen (step_seen) after its cadence was
 *   (cadence_seen), whose due instant was already past when it was first
 *   seen, for an invoice that was on the cadence by then (started), is
 *   skipped as added-after-passed: editing a cadence never fires a step
 *   the invoice has already gone by (a renamed step is a new step).
 * - A bureau listing is due only when its notice step was done at least
 *   10 days before; if the notice was skipped it is never listed. For a
 *   consumer (PF) the notice must have gone by letter (STJ, REsp
 *   2.056.285/RS): the 10 days count from the letter's sending
 *   (notice_letter_at); a listing whose day has come without such a
 *   letter is skipped as notice-not-by-letter. The planner does not look
 *   the letter up: when it would need to know and notice_letter_step is
 *   not that notice, it says so (needs_notice_letter) and the caller plans
 *   again with the answer.
 * - Closed invoices (paid, cancelled, renegotiated, written off, no
 *   balance) get nothing; a debt whose effective due date is five years
 *   past is prescribed (CC art. 206 §5 I) and gets nothing either.
 * - Holds (service/holds.h): a held step neither fires nor is skipped; a
 *   hold tied to a promise holds until the promise's deadline. Once a hold
 *   is gone the usual rule applies: only the latest due step fires. A
 *   pending promise whose deadline has come is reported (broken) for the
 *   caller to break; the earliest deadline still ahead is in agenda_at.
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
#define RG_PLAN_MAX_PROMISES 8
#define RG_PLAN_MAX_HOLDS 32

/* A hold on a step (service/holds.h). */
typedef struct rg_plan_hold {
    int step;    /* index in cadence->steps; -1: every step */
    int promise; /* holds while in->promises[promise] is pending and its deadline is ahead; -1: until released */
} rg_plan_hold;

/* A pending promise of the invoice and the instant it is broken unpaid
 * (rg_promise_deadline: the end of its date plus grace). */
typedef struct rg_plan_promise {
    int64_t id;
    rg_instant deadline;
} rg_plan_promise;

typedef struct rg_plan_input {
    const rg_cadence *cadence;
    const rg_invoice *invoice;
    const rg_progress *progress;
    const rg_calendar *calendar;
    const rg_tz *tz; /* the customer's zone */
    /* where the window's openings are remembered (NULL: computed each
     * time); the plan is the same either way */
    rg_window_memo *window_memo;
    rg_instant now;
    /* versions: when each step (cadence->steps order) and the cadence were
     * first seen; NULL / RG_INSTANT_NONE: unknown, nothing is skipped for it */
    const rg_instant *step_seen;
    rg_instant cadence_seen;
    rg_instant started;        /* the invoice on this cadence since; RG_INSTANT_NONE: just now */
    /* a consumer's listing needs its notice by letter */
    bool notice_by_letter;          /* the customer is PF */
    const char *notice_letter_step; /* the notice step notice_letter_at was looked up for; NULL: none */
    rg_instant notice_letter_at;    /* when that notice went by letter; RG_INSTANT_NONE: never */
    /* holds and pending promises (NULL/0: none) */
    const rg_plan_hold *holds;
    size_t n_holds;
    const rg_plan_promise *promises;
    size_t n_promises;
} rg_plan_input;

/* A plan input with the "unknown" markers set; fill the rest. */
void rg_plan_input_init(rg_plan_input *in);

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
    char skipped_state[RG_PLAN_MAX_STEPS]; /* RG_STEP_SUPERSEDED, _NO_NOTICE, _ADDED_AFTER, _NOT_BY_LETTER */
    rg_instant next_due_at;  /* the next instant a pending step becomes due; RG_INSTANT_NONE */
    const char *needs_notice_letter; /* a PF listing's day has come: look up when this notice step
                                        went by letter and plan again (NULL: nothing to look up) */
    /* The agenda: the next instant at which planning this invoice again can
     * change anything, once this plan is carried out (the fired step done
     * now, the skipped ones recorded) — a pending step becoming due, the
     * window opening for a step that waits, the day a bureau listing counts
     * from its notice (fired now: from now), or is decided (its day, for a
     * notice not done or not by letter). RG_INSTANT_NONE: nothing will
     * happen by itself (closed, prescribed, every step done). Never later
     * than what can happen; at worst earlier (planning then finds nothing
     * to do). */
    rg_instant agenda_at;
    /* promises whose deadline has come (indexes into in->promises): the
     * caller breaks them (rg_promise_break); their holds no longer hold */
    size_t n_broken;
    int broken[RG_PLAN_MAX_PROMISES];
    /* due steps a hold keeps from firing (or from being skipped) */
    size_t n_held;
    int held[RG_PLAN_MAX_STEPS];
} rg_plan;

/* Whether step `step` is held at in->now. */
bool rg_plan_step_held(const rg_plan_input *in, int step);

void rg_plan_invoice(const rg_plan_input *in, rg_plan *out);

/* Until when step `step`, due now, goes on describing the invoice: the
 * first opening of the day its phase ends (a D-n step: the effective due
 * day; a D0 step: the day after), or the instant a later step (not done,
 * not skipped) becomes due, whichever is first; RG_INSTANT_NONE when
 * nothing ends it. When a cap cannot take all of a customer's messages,
 * the ones that would stop being true soonest go first. */
rg_instant rg_plan_step_relevant_until(const rg_plan_input *in, int step);

/* Whether step `step` (its message planned earlier) still describes the
 * invoice at in->now: the invoice is open, still in the step's phase (see
 * above) and no later step (larger offset) not skipped has become due.
 * When not, *why says why ("superseded: STEP became due", "the due date
 * has come", ...). For the dispatcher's send-time re-check. */
bool rg_plan_step_current(const rg_plan_input *in, int step, char *why, size_t n);

/* The date a debt due on `effective_due` prescribes. */
rg_date rg_prescription_date(rg_date effective_due);

/* Days late at `today` (local date) for an effective due date; 0 when not late. */
int64_t rg_days_late(rg_date effective_due, rg_date today);

#endif
