#include "engine/planner.h"

#include <stdio.h>
#include <string.h>

#include "cadence/window.h"

rg_date rg_prescription_date(rg_date effective_due)
{
    int y, m, d;
    rg_date_to_ymd(effective_due, &y, &m, &d);
    y += RG_PRESCRIPTION_YEARS;
    if (m == 2 && d == 29 && rg_days_in_month(y, 2) == 28) {
        m = 3;
        d = 1;
    }
    return rg_date_from_ymd(y, m, d);
}

int64_t rg_days_late(rg_date effective_due, rg_date today)
{
    return today > effective_due ? (int64_t)(today - effective_due) : 0;
}

void rg_plan_input_init(rg_plan_input *in)
{
    memset(in, 0, sizeof *in);
    in->cadence_seen = RG_INSTANT_NONE;
    in->started = RG_INSTANT_NONE;
    in->notice_letter_at = RG_INSTANT_NONE;
}

/* The earlier of two instants, RG_INSTANT_NONE being "never". */
static rg_instant earliest(rg_instant a, rg_instant b)
{
    if (a == RG_INSTANT_NONE)
        return b;
    if (b == RG_INSTANT_NONE)
        return a;
    return a < b ? a : b;
}

/* Why step i can never be due, decided once its day has come. */
typedef enum { DUE_OK = 0, DUE_NO_NOTICE, DUE_NOT_BY_LETTER, DUE_ASK_LETTER } due_block;

/* When step i becomes due, or RG_INSTANT_NONE when it never will (a window
 * that never opens, a listing whose notice is not done or, for a consumer,
 * did not go by letter: *block says which). */
static rg_instant step_due_at(const rg_plan_input *in, rg_date eff_due, size_t i, due_block *block)
{
    const rg_cadence *c = in->cadence;
    const rg_cadence_step *st = &c->steps[i];
    rg_date day = eff_due + st->at_days;
    *block = DUE_OK;
    if (st->action == RG_ACTION_BUREAU_LISTING) {
        /* the notice must have been done, at least 10 days ago */
        const rg_progress_item *notice =
            st->requires_notice ? rg_progress_find(in->progress, st->requires_notice) : NULL;
        if (!notice) {
            int ni = st->requires_notice ? rg_cadence_step_index(c, st->requires_notice) : -1;
            if (ni < 0)
                *block = DUE_NO_NOTICE; /* lint refuses this; be safe anyway */
            return RG_INSTANT_NONE;
        }
        if (notice->state != RG_STEP_DONE) {
            *block = DUE_NO_NOTICE;
            return RG_INSTANT_NONE;
        }
        rg_instant from = notice->at;
        if (in->notice_by_letter) {
            /* a consumer's notice goes by letter (STJ, REsp 2.056.285/RS) */
            if (!in->notice_letter_step || strcmp(in->notice_letter_step, st->requires_notice) != 0) {
                *block = DUE_ASK_LETTER;
                return RG_INSTANT_NONE;
            }
            if (in->notice_letter_at == RG_INSTANT_NONE) {
                *block = DUE_NOT_BY_LETTER;
                return RG_INSTANT_NONE;
            }
            if (from == RG_INSTANT_NONE || in->notice_letter_at > from)
                from = in->notice_letter_at;
        }
        rg_date local_notice;
        int sod;
        rg_tz_local(in->tz, from, &local_notice, &sod);
        /* "at least 10 days before": the listing's day is 10 full days after */
        rg_date earliest = local_notice + RG_NOTICE_MIN_DAYS;
        if (earliest > day)
            day = earliest;
    }
    return rg_window_first_open_memo(in->window_memo, &c->window, in->calendar, in->tz, day);
}

/* Whether step i has left its phase at local date `today`: a D-n step once
 * the effective due day has begun, a D0 step once the day after it has. */
static bool phase_left(const rg_cadence_step *st, rg_date eff_due, rg_date today)
{
    if (st->at_days < 0)
        return today >= eff_due;
    if (st->at_days == 0)
        return today > eff_due;
    return false;
}

/* Whether step i was added to the cadence after the invoice passed it. */
static bool added_after_passed(const rg_plan_input *in, size_t i, rg_instant due)
{
    if (!in->step_seen || in->cadence_seen == RG_INSTANT_NONE)
        return false;
    rg_instant seen = in->step_seen[i];
    if (seen == RG_INSTANT_NONE || seen <= in->cadence_seen)
        return false; /* in the first version seen: not added */
    if (in->started == RG_INSTANT_NONE || in->started >= seen)
        return false; /* the invoice came to the cadence after the step did */
    return due < seen;
}

bool rg_plan_step_held(const rg_plan_input *in, int step)
{
    for (size_t k = 0; k < in->n_holds; k++) {
        const rg_plan_hold *h = &in->holds[k];
        if (h->step >= 0 && h->step != step)
            continue;
        if (h->promise >= 0 && (size_t)h->promise < in->n_promises && in->promises[h->promise].deadline <= in->now)
            continue; /* its promise is broken now: it no longer holds */
        return true;
    }
    return false;
}

void rg_plan_invoice(const rg_plan_input *in, rg_plan *out)
{
    const rg_cadence *c = in->cadence;
    const rg_invoice *inv = in->invoice;
    memset(out, 0, sizeof *out);
    out->fire = -1;
    out->next_due_at = RG_INSTANT_NONE;
    out->fire_due_at = RG_INSTANT_NONE;
    out->agenda_at = RG_INSTANT_NONE;
    out->effective_due = rg_effective_due_date(in->calendar, inv->due_date);
    if (inv->status != RG_INV_OPEN || rg_invoice_balance(inv) <= 0) {
        out->kind = RG_PLAN_CLOSED;
        return;
    }
    rg_date today;
    int sod;
    rg_tz_local(in->tz, in->now, &today, &sod);
    if (today >= rg_prescription_date(out->effective_due)) {
        out->kind = RG_PLAN_PRESCRIBED;
        return;
    }
    size_t n = c->n_steps < RG_PLAN_MAX_STEPS ? c->n_steps : RG_PLAN_MAX_STEPS;
    int due[RG_PLAN_MAX_STEPS];
    rg_instant due_at[RG_PLAN_MAX_STEPS];
    size_t n_due = 0;
    rg_instant later = RG_INSTANT_NONE; /* the agenda's other instants: a blocked listing's day, a promise's deadline */
    /* promises: broken once their deadline has come; the next deadline is in the agenda */
    for (size_t k = 0; k < in->n_promises; k++) {
        if (in->promises[k].deadline <= in->now) {
            if (out->n_broken < RG_PLAN_MAX_PROMISES)
                out->broken[out->n_broken++] = (int)k;
        } else {
            later = earliest(later, in->promises[k].deadline);
        }
    }
    /* skips decided now whatever the window: recorded even at night */
    for (size_t i = 0; i < n; i++) {
        if (rg_progress_find(in->progress, c->steps[i].id))
            continue;
        due_block block;
        rg_instant t = step_due_at(in, out->effective_due, i, &block);
        if (block != DUE_OK) {
            /* decided for good, but only once the listing's day has come:
             * until then the notice may still be sent */
            rg_date day = out->effective_due + c->steps[i].at_days;
            if (day > today) {
                later = earliest(later, rg_tz_to_utc(in->tz, day, 0));
                continue;
            }
            if (block == DUE_ASK_LETTER) {
                if (!out->needs_notice_letter)
                    out->needs_notice_letter = c->steps[i].requires_notice;
                continue;
            }
            out->skipped[out->n_skipped] = (int)i;
            out->skipped_state[out->n_skipped++] = block == DUE_NO_NOTICE ? RG_STEP_NO_NOTICE : RG_STEP_NOT_BY_LETTER;
            continue;
        }
        if (t == RG_INSTANT_NONE)
            continue;
        if (t <= in->now && rg_plan_step_held(in, (int)i)) {
            /* held: neither fired nor skipped; looked at again when released
             * (a release wakes the invoice; a promise's deadline is above) */
            out->held[out->n_held++] = (int)i;
            continue;
        }
        if (t <= in->now) {
            if (added_after_passed(in, i, t)) {
                out->skipped[out->n_skipped] = (int)i;
                out->skipped_state[out->n_skipped++] = RG_STEP_ADDED_AFTER;
                continue;
            }
            due[n_due] = (int)i;
            due_at[n_due++] = t;
        } else if (out->next_due_at == RG_INSTANT_NONE || t < out->next_due_at) {
            out->next_due_at = t;
        }
    }
    if (n_due == 0) {
        out->kind = RG_PLAN_IDLE;
        out->agenda_at = earliest(out->next_due_at, later);
        return;
    }
    /* due, but a step only fires inside the window: one that waited (a cap,
     * downtime) must not go out at night; it waits for the next opening */
    if (!rg_window_is_open(&c->window, in->calendar, in->tz, in->now)) {
        out->kind = RG_PLAN_IDLE;
        /* keep the decided skips; the due steps wait */
        rg_instant open = rg_window_next_open(&c->window, in->calendar, in->tz, in->now);
        if (open != RG_INSTANT_NONE && (out->next_due_at == RG_INSTANT_NONE || open < out->next_due_at))
            out->next_due_at = open;
        out->agenda_at = earliest(out->next_due_at, later);
        return;
    }
    size_t latest = 0;
    for (size_t k = 1; k < n_due; k++)
        if (c->steps[due[k]].at_days > c->steps[due[latest]].at_days)
            latest = k;
    bool fires = !phase_left(&c->steps[due[latest]], out->effective_due, today);
    for (size_t k = 0; k < n_due; k++) {
        if (k == latest && fires)
            continue;
        out->skipped[out->n_skipped] = due[k];
        out->skipped_state[out->n_skipped++] = RG_STEP_SUPERSEDED;
    }
    out->agenda_at = earliest(out->next_due_at, later);
    if (!fires) {
        out->kind = RG_PLAN_IDLE;
        return;
    }
    out->kind = RG_PLAN_FIRE;
    out->fire = due[latest];
    out->fire_due_at = due_at[latest];
    /* once it fired: a listing that waits for this very step as its notice
     * counts its 10 days from now (from the letter's sending for a
     * consumer: planning then finds it later, and says so), and is decided
     * on its own day should the notice not go out after all */
    const char *fired = c->steps[out->fire].id;
    for (size_t i = 0; i < n; i++) {
        const rg_cadence_step *st = &c->steps[i];
        if (st->action != RG_ACTION_BUREAU_LISTING || !st->requires_notice || strcmp(st->requires_notice, fired) != 0 ||
            rg_progress_find(in->progress, st->id))
            continue;
        rg_date day = out->effective_due + st->at_days;
        if (day > today)
            out->agenda_at = earliest(out->agenda_at, rg_tz_to_utc(in->tz, day, 0));
        if (today + RG_NOTICE_MIN_DAYS > day)
            day = today + RG_NOTICE_MIN_DAYS;
        out->agenda_at =
            earliest(out->agenda_at, rg_window_first_open_memo(in->window_memo, &c->window, in->calendar, in->tz, day));
    }
}

bool rg_plan_step_current(const rg_plan_input *in, int step, char *why, size_t n)
{
    const rg_cadence *c = in->cadence;
    const rg_invoice *inv = in->invoice;
    why[0] = '\0';
    if (step < 0 || (size_t)step >= c->n_steps) {
        snprintf(why, n, "the step is no longer in the cadence");
        return false;
    }
    if (inv->status != RG_INV_OPEN || rg_invoice_balance(inv) <= 0) {
        snprintf(why, n, "the invoice is %s", inv->status == RG_INV_OPEN ? "without balance" : rg_invoice_status_name(inv->status));
        return false;
    }
    const rg_cadence_step *st = &c->steps[step];
    rg_date eff = rg_effective_due_date(in->calendar, inv->due_date);
    rg_date today;
    int sod;
    rg_tz_local(in->tz, in->now, &today, &sod);
    if (phase_left(st, eff, today)) {
        char d[16];
        snprintf(why, n, "%s: the effective due date %s %s", st->id, rg_date_format_br(eff, d, sizeof d),
                 st->at_days < 0 ? "has come" : "has passed");
        return false;
    }
    size_t ns = c->n_steps < RG_PLAN_MAX_STEPS ? c->n_steps : RG_PLAN_MAX_STEPS;
    for (size_t i = 0; i < ns; i++) {
        const rg_cadence_step *later = &c->steps[i];
        if ((int)i == step || later->at_days <= st->at_days)
            continue;
        const rg_progress_item *p = rg_progress_find(in->progress, later->id);
        if (p && p->state != RG_STEP_DONE && p->state != RG_STEP_SUPPRESSED && p->state != RG_STEP_NO_PHONE)
            continue; /* skipped: it never was the invoice's step */
        if (p) {
            snprintf(why, n, "superseded: step %s was already handled", later->id);
            return false;
        }
        due_block block;
        rg_instant t = step_due_at(in, eff, i, &block);
        if (block == DUE_OK && t != RG_INSTANT_NONE && t <= in->now && !added_after_passed(in, i, t) &&
            !rg_plan_step_held(in, (int)i)) {
            snprintf(why, n, "superseded: step %s became due", later->id);
            return false;
        }
    }
    return true;
}

rg_instant rg_plan_step_relevant_until(const rg_plan_input *in, int step)
{
    const rg_cadence *c = in->cadence;
    if (step < 0 || (size_t)step >= c->n_steps)
        return RG_INSTANT_NONE;
    const rg_cadence_step *st = &c->steps[step];
    rg_date eff = rg_effective_due_date(in->calendar, in->invoice->due_date);
    rg_instant until = RG_INSTANT_NONE;
    if (st->at_days <= 0)
        until = rg_window_first_open_memo(in->window_memo, &c->window, in->calendar, in->tz,
                                                     st->at_days < 0 ? eff : eff + 1);
    size_t ns = c->n_steps < RG_PLAN_MAX_STEPS ? c->n_steps : RG_PLAN_MAX_STEPS;
    for (size_t i = 0; i < ns; i++) {
        if ((int)i == step || c->steps[i].at_days <= st->at_days || rg_progress_find(in->progress, c->steps[i].id))
            continue;
        due_block block;
        rg_instant t = step_due_at(in, eff, i, &block);
        if (block == DUE_OK && t != RG_INSTANT_NONE && (until == RG_INSTANT_NONE || t < until))
            until = t;
    }
    return until;
}
