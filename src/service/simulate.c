#include "service/simulate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "engine/engine.h"
#include "service/holds.h"

static rg_status oom(rg_err *e)
{
    return rg_err_set(e, RG_ENOMEM, "simulate", "out of memory");
}

static int cmp_instant(const void *a, const void *b)
{
    rg_instant x = *(const rg_instant *)a, y = *(const rg_instant *)b;
    return x < y ? -1 : x > y;
}

/* ---- the pending promises as the simulation starts ---- */

typedef struct promises_ctx {
    const rg_simulate_params *p;
    rg_store *store;
    rg_simulation *out;
    size_t cap;
    rg_err *e;
} promises_ctx;

typedef struct pauses_ctx {
    int64_t promise_id;
    rg_sim_promise *sp;
    size_t cap;
} pauses_ctx;

/* Adds the step a hold of the promise keeps (once: the same step held on
 * several invoices is named once). */
static rg_status pause_of(void *v, const rg_hold *h)
{
    pauses_ctx *pa = v;
    if (h->promise_id != pa->promise_id)
        return RG_OK;
    const char *step = h->step[0] ? h->step : "*";
    for (size_t k = 0; k < pa->sp->n_pauses; k++)
        if (!strcmp(pa->sp->pauses[k], step))
            return RG_OK;
    char **slot = rg_array_grow((void **)&pa->sp->pauses, pa->sp->n_pauses, &pa->cap, sizeof *slot);
    if (!slot || !(*slot = strdup(step)))
        return RG_ENOMEM;
    pa->sp->n_pauses++;
    return RG_OK;
}

typedef struct invoice_pauses {
    rg_store *store;
    pauses_ctx *pa;
    rg_err *e;
} invoice_pauses;

/* The holds of one of the customer's open invoices that a whole-debt promise keeps. */
static rg_status pauses_of_invoice(void *v, const rg_invoice *inv)
{
    invoice_pauses *ip = v;
    return rg_store_hold_each(ip->store, inv->id, true, pause_of, ip->pa, ip->e);
}

static rg_status pending_promise(void *v, const rg_promise *pr)
{
    promises_ctx *pc = v;
    rg_invoice inv;
    rg_customer c;
    rg_status rc;
    memset(&inv, 0, sizeof inv);
    if (pr->invoice_id && (rc = rg_store_invoice_get_by_id(pc->store, pr->invoice_id, &inv, pc->e)) != RG_OK)
        return rc;
    if ((rc = rg_store_customer_get_by_id(pc->store, pr->customer_id, &c, pc->e)) != RG_OK)
        return rc;
    rg_sim_promise *sp = rg_array_grow((void **)&pc->out->promises, pc->out->n_promises, &pc->cap, sizeof *sp);
    if (!sp)
        return oom(pc->e);
    memset(sp, 0, sizeof *sp);
    pc->out->n_promises++; /* counted now: rg_simulation_free frees what it holds */
    sp->id = pr->id;
    rg_strlcpy(sp->invoice, pr->invoice_id ? inv.external_id : "", sizeof sp->invoice);
    rg_strlcpy(sp->customer, c.external_id, sizeof sp->customer);
    sp->promised_date = pr->promised_date;
    sp->amount = pr->amount;
    sp->grace_days = pr->grace_days;
    sp->deadline = rg_promise_deadline(rg_zones_for(pc->p->zones, c.timezone), pr->promised_date, pr->grace_days);
    pauses_ctx pa = {pr->id, sp, 0};
    invoice_pauses ip = {pc->store, &pa, pc->e};
    /* a promise about the whole debt holds on each open invoice of the customer */
    rc = pr->invoice_id ? rg_store_hold_each(pc->store, inv.id, true, pause_of, &pa, pc->e)
                        : rg_store_customer_open_invoices(pc->store, c.id, pauses_of_invoice, &ip, pc->e);
    return rc == RG_ENOMEM ? oom(pc->e) : rc;
}

/* ---- the messages made ---- */

typedef struct collect_ctx {
    const rg_simulate_params *p;
    int64_t min_id;
    rg_simulation *out;
    size_t cap_messages, cap_per_day;
    rg_err *e;
} collect_ctx;

static rg_status count_day(collect_ctx *cc, rg_date day, const char *channel)
{
    rg_simulation *s = cc->out;
    for (size_t i = 0; i < s->n_per_day; i++)
        if (s->per_day[i].date == day && !strcmp(s->per_day[i].channel, channel)) {
            s->per_day[i].count++;
            return RG_OK;
        }
    rg_sim_count *slot = rg_array_grow((void **)&s->per_day, s->n_per_day, &cc->cap_per_day, sizeof *slot);
    if (!slot)
        return oom(cc->e);
    memset(slot, 0, sizeof *slot);
    slot->date = day;
    rg_strlcpy(slot->channel, channel, sizeof slot->channel);
    slot->count = 1;
    s->n_per_day++;
    return RG_OK;
}

static rg_status collect(void *v, const rg_message *m)
{
    collect_ctx *cc = v;
    if (m->id <= cc->min_id)
        return RG_OK;
    rg_status rc = count_day(cc, rg_tz_date(cc->p->tz, m->planned_for), m->channel[0] ? m->channel : "-");
    if (rc != RG_OK)
        return rc;
    rg_simulation *s = cc->out;
    rg_sim_message *sm = rg_array_grow((void **)&s->messages, s->n_messages, &cc->cap_messages, sizeof *sm);
    if (!sm)
        return oom(cc->e);
    memset(sm, 0, sizeof *sm);
    s->n_messages++;
    sm->id = m->id;
    sm->planned_for = m->planned_for;
    rg_strlcpy(sm->customer, m->customer_external_id, sizeof sm->customer);
    rg_strlcpy(sm->cadence, m->cadence, sizeof sm->cadence);
    rg_strlcpy(sm->step, m->source_id, sizeof sm->step);
    rg_strlcpy(sm->source_kind, m->source_kind, sizeof sm->source_kind);
    rg_strlcpy(sm->channel, m->channel, sizeof sm->channel);
    rg_strlcpy(sm->template_name, m->template_name, sizeof sm->template_name);
    sm->status = m->status;
    if (!(sm->invoices = strdup(m->invoice_external_ids)) || !(sm->reason = strdup(m->reason)) ||
        !(sm->body = strdup(m->body ? m->body : "")))
        return oom(cc->e);
    return RG_OK;
}

/* ---- the run ---- */

/* Opens the dry-run engine on the copy; refuses when a cadence file or
 * template did not load (a cadence missing would let its invoices fall to
 * another cadence, or to none). */
static rg_status open_engine(rg_store *copy, const rg_simulate_params *p, rg_diags *d, rg_engine **eng, rg_err *e)
{
    rg_engine_options o = {copy, p->config, true, 0, 0};
    rg_status rc = rg_engine_open(&o, eng, d, e);
    if (rc != RG_OK)
        return rc;
    size_t n = rg_engine_load_errors(*eng);
    if (n == 0)
        return RG_OK;
    const char *first = NULL;
    for (size_t i = 0; i < d->n && !first; i++)
        if (d->items[i].severity == RG_SEV_ERROR)
            first = d->items[i].file;
    rg_err_set(e, RG_EINVAL, first ? first : "cadences",
               "%zu problem(s) keep cadences or templates from loading; nothing was simulated:"
               " fix them (regua cadence lint %s)",
               n, p->config->cadences_dir);
    rg_engine_close(*eng);
    *eng = NULL;
    return RG_EINVAL;
}

/* Ticks the copy through the days: a first full tick at `now` (without
 * --from), then at every window opening and every waiting timer's moment. */
static rg_status run_days(rg_engine *eng, rg_store *copy, const rg_simulate_params *p, rg_instant *last,
                          rg_err *e)
{
    rg_date from = p->from != RG_DATE_NONE ? p->from : rg_tz_date(p->tz, p->now);
    rg_status rc;
    /* the first tick plans every open invoice (whatever the copy's agenda
     * says, e.g. a re-plan still under way); the others follow the agenda */
    *last = RG_INSTANT_NONE;
    if (p->from == RG_DATE_NONE) {
        rg_tick_stats st;
        if ((rc = rg_engine_tick_full(eng, p->now, &st, e)) != RG_OK)
            return rc;
        *last = p->now;
    }
    /* the trigger timers already waiting fire at their moment (a tick
     * then), or at the next opening when it falls outside the window */
    rg_timer_list waiting = {0};
    rc = rg_store_timer_due(copy, INT64_MAX - 1, 0, 0, rg_timer_list_keep, &waiting, e);
    rg_instant *timers = NULL;
    size_t nt = 0;
    if (rc == RG_OK && waiting.n && !(timers = malloc(waiting.n * sizeof *timers)))
        rc = RG_ENOMEM;
    for (size_t i = 0; rc == RG_OK && i < waiting.n; i++)
        timers[nt++] = waiting.v[i].fire_at;
    free(waiting.v);
    if (rc != RG_OK) {
        free(timers);
        return rc == RG_ENOMEM ? oom(e) : rc;
    }
    if (nt)
        qsort(timers, nt, sizeof *timers, cmp_instant);
    size_t ti = 0;
    for (int64_t d = 0; d < p->days && rc == RG_OK; d++) {
        rg_instant at[128 + 64];
        size_t n = rg_engine_openings(eng, from + (rg_date)d, at, 128, e);
        rg_instant next[128];
        size_t m = rg_engine_openings(eng, from + (rg_date)d + 1, next, 128, e);
        rg_instant day_end = m ? next[0] : rg_instant_from_civil(from + (rg_date)d + 2, 0, 0, 0);
        /* the timers due before the next day's first opening */
        while (ti < nt && timers[ti] < day_end && n < sizeof at / sizeof at[0])
            at[n++] = timers[ti++];
        qsort(at, n, sizeof *at, cmp_instant);
        for (size_t k = 0; k < n && rc == RG_OK; k++) {
            if (*last != RG_INSTANT_NONE && at[k] <= *last)
                continue;
            rg_tick_stats st;
            rc = (*last == RG_INSTANT_NONE ? rg_engine_tick_full : rg_engine_tick)(eng, at[k], &st, e);
            if (rc == RG_OK)
                *last = at[k];
        }
    }
    free(timers);
    return rc;
}

static rg_status simulate_copy(rg_store *copy, const rg_simulate_params *p, rg_simulation *out, rg_diags *d,
                               rg_err *e)
{
    rg_engine *eng = NULL;
    rg_status rc = open_engine(copy, p, d, &eng, e);
    int64_t min_id = 0;
    if (rc == RG_OK)
        rc = rg_store_message_max_id(copy, &min_id, e);
    promises_ctx pc = {p, copy, out, 0, e};
    if (rc == RG_OK)
        rc = rg_store_promise_each_pending(copy, 0, pending_promise, &pc, e);
    rg_instant last = RG_INSTANT_NONE;
    if (rc == RG_OK)
        rc = run_days(eng, copy, p, &last, e);
    if (rc == RG_OK) {
        collect_ctx cc = {p, min_id, out, 0, 0, e};
        rg_message_filter f;
        rg_message_filter_init(&f);
        f.after_id = min_id;
        rc = rg_store_message_each(copy, &f, collect, &cc, e);
    }
    /* whether each promise broke within the days simulated (nobody paid) */
    for (size_t i = 0; rc == RG_OK && i < out->n_promises; i++)
        out->promises[i].breaks = last != RG_INSTANT_NONE && out->promises[i].deadline <= last;
    rg_engine_close(eng);
    return rc;
}

rg_status rg_simulate(rg_store *real, const rg_simulate_params *p, rg_simulation *out, rg_diags *diags,
                      rg_err *e)
{
    memset(out, 0, sizeof *out);
    if (p->days < 1 || p->days > 366)
        return rg_err_set(e, RG_EINVAL, "days", "must be a whole number from 1 to 366");
    char tmp[] = "/tmp/regua-simulate-XXXXXX";
    int fd = mkstemp(tmp);
    if (fd < 0)
        return rg_err_set(e, RG_EIO, "simulate", "cannot create a temporary file");
    close(fd);
    unlink(tmp); /* VACUUM INTO wants a new file */
    rg_diags local = RG_DIAGS_INIT;
    rg_store *copy = NULL;
    rg_status rc = rg_store_snapshot(real, tmp, e);
    if (rc == RG_OK)
        rc = rg_store_open(tmp, &copy, e);
    if (rc == RG_OK)
        rc = simulate_copy(copy, p, out, diags ? diags : &local, e);
    rg_store_close(copy);
    rg_diags_free(&local);
    unlink(tmp);
    char side[sizeof tmp + 8];
    snprintf(side, sizeof side, "%s-wal", tmp);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", tmp);
    unlink(side);
    if (rc != RG_OK)
        rg_simulation_free(out);
    return rc;
}

void rg_simulation_free(rg_simulation *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_messages; i++) {
        free(s->messages[i].invoices);
        free(s->messages[i].reason);
        free(s->messages[i].body);
    }
    for (size_t i = 0; i < s->n_promises; i++) {
        for (size_t k = 0; k < s->promises[i].n_pauses; k++)
            free(s->promises[i].pauses[k]);
        free(s->promises[i].pauses);
    }
    free(s->messages);
    free(s->per_day);
    free(s->promises);
    memset(s, 0, sizeof *s);
}
