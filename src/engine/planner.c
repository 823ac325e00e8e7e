#include "engine/planner.h"

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

/* The earlier of two instants, RG_INSTANT_NONE being "never". */
static rg_instant earliest(rg_instant a, rg_instant b)
{
    if (a == RG_INSTANT_NONE)
        return b;
    if (b == RG_INSTANT_NONE)
        return a;
    return a < b ? a : b;
}

/* When step i becomes due, or RG_INSTANT_NONE when it never will (a window
 * that never opens, a listing whose notice is not done). *blocked_forever
 * is set when it can be decided now that it will never be due. */
static rg_instant step_due_at(const rg_plan_input *in, rg_date eff_due, size_t i, bool *no_notice)
{
    const rg_cadence *c = in->cadence;
    const rg_cadence_step *st = &c->steps[i];
    rg_date day = eff_due + st->at_days;
    *no_notice = false;
    if (st->action == RG_ACTION_BUREAU_LISTING) {
        /* the notice must have been done, at least 10 days ago */
        const rg_progress_item *notice =
            st->requires_notice ? rg_progress_find(in->progress, st->requires_notice) : NULL;
        if (!notice) {
            int ni = st->requires_notice ? rg_cadence_step_index(c, st->requires_notice) : -1;
            if (ni < 0)
                *no_notice = true; /* lint refuses this; be safe anyway */
            return RG_INSTANT_NONE;
        }
        if (notice->state != RG_STEP_DONE) {
            *no_notice = true;
            return RG_INSTANT_NONE;
        }
        rg_date local_notice;
        int sod;
        rg_tz_local(in->tz, notice->at, &local_notice, &sod);
        /* "at least 10 days before": the listing's day is 10 full days after */
        rg_date earliest = local_notice + RG_NOTICE_MIN_DAYS;
        if (earliest > day)
            day = earliest;
    }
    return rg_window_first_open_on_or_after_day(&c->window, in->calendar, in->tz, day);
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
    rg_instant later = RG_INSTANT_NONE; /* the agenda's other instants: a listing's day without notice */
    for (size_t i = 0; i < n; i++) {
        if (rg_progress_find(in->progress, c->steps[i].id))
            continue;
        bool no_notice;
        rg_instant t = step_due_at(in, out->effective_due, i, &no_notice);
        if (no_notice) {
            /* decided for good, but only once the listing's day has come:
             * until then the notice may still be sent */
            rg_date day = out->effective_due + c->steps[i].at_days;
            if (day <= today) {
                out->skipped[out->n_skipped] = (int)i;
                out->skipped_state[out->n_skipped++] = RG_STEP_NO_NOTICE;
            } else {
                later = earliest(later, rg_tz_to_utc(in->tz, day, 0));
            }
            continue;
        }
        if (t == RG_INSTANT_NONE)
            continue;
        if (t <= in->now) {
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
        out->n_skipped = 0;
        out->next_due_at = rg_window_next_open(&c->window, in->calendar, in->tz, in->now);
        out->agenda_at = out->next_due_at;
        return;
    }
    size_t latest = 0;
    for (size_t k = 1; k < n_due; k++)
        if (c->steps[due[k]].at_days > c->steps[due[latest]].at_days)
            latest = k;
    for (size_t k = 0; k < n_due; k++) {
        if (k == latest)
            continue;
        out->skipped[out->n_skipped] = due[k];
        out->skipped_state[out->n_skipped++] = RG_STEP_SUPERSEDED;
    }
    out->kind = RG_PLAN_FIRE;
    out->fire = due[latest];
    out->fire_due_at = due_at[latest];
    /* once it fired: a listing that waits for this very step as its notice
     * counts its 10 days from now */
    out->agenda_at = earliest(out->next_due_at, later);
    const char *fired = c->steps[out->fire].id;
    for (size_t i = 0; i < n; i++) {
        const rg_cadence_step *st = &c->steps[i];
        if (st->action != RG_ACTION_BUREAU_LISTING || !st->requires_notice || strcmp(st->requires_notice, fired) != 0 ||
            rg_progress_find(in->progress, st->id))
            continue;
        rg_date day = out->effective_due + st->at_days;
        if (day > today) /* should the notice not go out after all, it is given up on its day */
            out->agenda_at = earliest(out->agenda_at, rg_tz_to_utc(in->tz, day, 0));
        if (today + RG_NOTICE_MIN_DAYS > day)
            day = today + RG_NOTICE_MIN_DAYS;
        out->agenda_at =
            earliest(out->agenda_at, rg_window_first_open_on_or_after_day(&c->window, in->calendar, in->tz, day));
    }
}
