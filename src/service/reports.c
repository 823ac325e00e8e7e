/* The reports (service/reports.h; the rules: docs/reports.md). */
#include "service/reports.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/money.h"
#include "service/simulate.h"

static const char *const kind_names[RG_REPORT_COUNT] = {"aging", "recovery", "steps", "channels", "promises",
                                                        "forecast"};
const char *const rg_aging_bucket_names[RG_AGING_BUCKETS] = {"not_due", "1-30", "31-60", "61-90", "90+"};
static const char *const promise_statuses[RG_PROMISE_STATUSES] = {"pending", "kept", "broken", "cancelled"};
static const char *const agreement_statuses[RG_AGREEMENT_STATUSES] = {"active", "completed", "broken", "cancelled"};

#define MAX_RANGE_DAYS 3660
#define FORECAST_DAYS 30
/* the longest a nominal due date moves to the next bank business day
 * (Carnival's Monday and Tuesday after a weekend, with room) */
#define EFFECTIVE_SLACK 10

const char *rg_report_name(rg_report_kind k)
{
    return k >= 0 && k < RG_REPORT_COUNT ? kind_names[k] : NULL;
}

bool rg_report_period_parse(const char *s, rg_report_period *out)
{
    static const char *const names[] = {"day", "week", "month"};
    for (int i = 0; i < 3; i++)
        if (s && !strcmp(s, names[i])) {
            *out = (rg_report_period)i;
            return true;
        }
    return false;
}

static const char *period_name(rg_report_period p)
{
    return p == RG_PERIOD_WEEK ? "week" : p == RG_PERIOD_MONTH ? "month" : "day";
}

int rg_aging_bucket(int64_t days)
{
    return days <= 0 ? 0 : days <= 30 ? 1 : days <= 60 ? 2 : days <= 90 ? 3 : 4;
}

static rg_status nomem(rg_err *e)
{
    return rg_err_set(e, RG_ENOMEM, "report", "out of memory");
}

/* ---- aging ---- */

static rg_aging_group *group_find(rg_aging_group **arr, size_t *n, const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*arr)[i].name, name))
            return &(*arr)[i];
    rg_aging_group *g = realloc(*arr, (*n + 1) * sizeof **arr);
    if (!g)
        return NULL;
    *arr = g;
    memset(&g[*n], 0, sizeof g[*n]);
    if (!(g[*n].name = strdup(name)))
        return NULL;
    return &g[(*n)++];
}

typedef struct aging_ctx {
    rg_report *r;
    const rg_calendar *cal;
    rg_err *e;
} aging_ctx;

static rg_status add_aging(aging_ctx *ac, rg_aging_group **arr, size_t *n, const char *name, int b, int64_t count,
                           rg_cents amount)
{
    rg_aging_group *g = group_find(arr, n, name);
    if (!g)
        return nomem(ac->e);
    g->b[b].count += count;
    g->b[b].amount += amount;
    return RG_OK;
}

static rg_status aging_row(void *ctx, const rg_report_row *row)
{
    aging_ctx *ac = ctx;
    rg_report *r = ac->r;
    rg_date eff = rg_effective_due_date(ac->cal, (rg_date)row->i[0]);
    int b = rg_aging_bucket((int64_t)r->as_of - (int64_t)eff);
    int64_t count = row->i[1];
    rg_cents amount = row->i[2];
    r->buckets[b].count += count;
    r->buckets[b].amount += amount;
    rg_status rc = add_aging(ac, &r->cadences, &r->n_cadences, row->t[0] && *row->t[0] ? row->t[0] : "-", b, count,
                             amount);
    const char *tags = row->t[1] ? row->t[1] : "";
    if (rc == RG_OK && !*tags)
        return add_aging(ac, &r->tags, &r->n_tags, "-", b, count, amount);
    while (rc == RG_OK && *tags) { /* "a|b|c": the invoice counts under each of its tags */
        const char *bar = strchr(tags, '|');
        size_t len = bar ? (size_t)(bar - tags) : strlen(tags);
        char tag[RG_TAGS_MAX + 1];
        if (len > RG_TAGS_MAX)
            len = RG_TAGS_MAX;
        memcpy(tag, tags, len);
        tag[len] = '\0';
        if (len)
            rc = add_aging(ac, &r->tags, &r->n_tags, tag, b, count, amount);
        tags += bar ? (size_t)(bar - tags) + 1 : strlen(tags);
    }
    return rc;
}

static int group_cmp(const void *a, const void *b)
{
    return strcmp(((const rg_aging_group *)a)->name, ((const rg_aging_group *)b)->name);
}

static rg_status run_aging(rg_store *s, const rg_report_params *p, rg_report *r, rg_err *e)
{
    aging_ctx ac = {r, p->calendar, e};
    rg_status rc = rg_store_report_rows(s, RG_RQ_OPEN_BY_DUE, NULL, 0, aging_row, &ac, e);
    /* (qsort's array may not be NULL, even for no element: an empty portfolio) */
    if (rc == RG_OK && r->n_cadences)
        qsort(r->cadences, r->n_cadences, sizeof *r->cadences, group_cmp);
    if (rc == RG_OK && r->n_tags)
        qsort(r->tags, r->n_tags, sizeof *r->tags, group_cmp);
    return rc;
}

/* ---- recovery ---- */

static rg_date period_start(rg_report_period p, rg_date d)
{
    if (p == RG_PERIOD_WEEK)
        return d - (rg_date)((rg_date_weekday(d) + 6) % 7); /* Monday */
    if (p == RG_PERIOD_MONTH) {
        int y, m, dd;
        rg_date_to_ymd(d, &y, &m, &dd);
        return rg_date_from_ymd(y, m, 1);
    }
    return d;
}

static rg_recovery_row *row_for(rg_report *r, rg_date d)
{
    if (d < r->from || d > r->to)
        return NULL;
    size_t lo = 0, hi = r->n_rows;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (r->rows[mid].end < d)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < r->n_rows ? &r->rows[lo] : NULL;
}

#define EFF_MEMO 1024

typedef struct recovery_ctx {
    rg_report *r;
    const rg_report_params *p;
    /* the effective due dates computed, by nominal due date mod EFF_MEMO */
    rg_date memo_due[EFF_MEMO], memo_eff[EFF_MEMO];
} recovery_ctx;

/* rg_effective_due_date, remembered: a year of payments names a few
 * hundred due dates */
static rg_date effective(recovery_ctx *rc, rg_date due)
{
    size_t k = (size_t)((int64_t)due & (EFF_MEMO - 1));
    if (rc->memo_due[k] != due) {
        rc->memo_due[k] = due;
        rc->memo_eff[k] = rg_effective_due_date(rc->p->calendar, due);
    }
    return rc->memo_eff[k];
}

static rg_status due_row(void *ctx, const rg_report_row *row)
{
    recovery_ctx *rc = ctx;
    rg_report *r = rc->r;
    rg_date due = (rg_date)row->i[0];
    if (due >= r->from && due <= r->to)
        r->billed += row->i[3];
    rg_date eff = effective(rc, due);
    if (!row->null[1] && (rg_date)row->i[1] <= eff)
        return RG_OK; /* paid in time: never overdue */
    rg_recovery_row *x = row_for(r, eff + 1);
    if (x) {
        x->overdue.count += row->i[2];
        x->overdue.amount += row->i[3];
        x->overdue_recovered += row->i[4];
    }
    return RG_OK;
}

static rg_status late_payment(void *ctx, const rg_report_row *row)
{
    recovery_ctx *rc = ctx;
    rg_date d = rg_tz_date(rc->p->tz, row->i[0]);
    if (d <= effective(rc, (rg_date)row->i[2]))
        return RG_OK;
    rg_recovery_row *x = row_for(rc->r, d);
    if (x) {
        x->recovered.count++;
        x->recovered.amount += row->i[1];
    }
    return RG_OK;
}

static rg_status open_balance_row(void *ctx, const rg_report_row *row)
{
    ((rg_report *)ctx)->open_balance += row->i[2];
    return RG_OK;
}

static rg_instant day_start(const rg_report_params *p, rg_date d)
{
    return rg_tz_to_utc(p->tz, d, 0);
}

static rg_status run_recovery(rg_store *s, const rg_report_params *p, rg_report *r, rg_err *e)
{
    r->period = p->period;
    for (rg_date d = r->from; d <= r->to;) {
        rg_date next;
        if (p->period == RG_PERIOD_WEEK)
            next = period_start(p->period, d) + 7;
        else if (p->period == RG_PERIOD_MONTH) {
            int y, m, dd;
            rg_date_to_ymd(d, &y, &m, &dd);
            next = m == 12 ? rg_date_from_ymd(y + 1, 1, 1) : rg_date_from_ymd(y, m + 1, 1);
        } else
            next = d + 1;
        rg_recovery_row *rows = realloc(r->rows, (r->n_rows + 1) * sizeof *rows);
        if (!rows)
            return nomem(e);
        r->rows = rows;
        memset(&rows[r->n_rows], 0, sizeof rows[r->n_rows]);
        rows[r->n_rows].start = d;
        rows[r->n_rows].end = next - 1 < r->to ? next - 1 : r->to;
        r->n_rows++;
        d = next;
    }
    recovery_ctx *rc = calloc(1, sizeof *rc);
    if (!rc)
        return nomem(e);
    rc->r = r;
    rc->p = p;
    for (size_t i = 0; i < EFF_MEMO; i++)
        rc->memo_due[i] = RG_DATE_NONE;
    int64_t due_args[2] = {r->from - 1 - EFFECTIVE_SLACK, r->to};
    int64_t pay_args[3] = {day_start(p, r->from), day_start(p, r->to + 1), r->to};
    rg_status st = rg_store_report_rows(s, RG_RQ_DUE_BETWEEN, due_args, 2, due_row, rc, e);
    if (st == RG_OK)
        st = rg_store_report_rows(s, RG_RQ_PAYMENTS_LATE, pay_args, 3, late_payment, rc, e);
    if (st == RG_OK)
        st = rg_store_report_rows(s, RG_RQ_OPEN_BY_DUE, NULL, 0, open_balance_row, r, e);
    for (size_t i = 0; st == RG_OK && i < r->n_rows; i++) {
        r->total.overdue.count += r->rows[i].overdue.count;
        r->total.overdue.amount += r->rows[i].overdue.amount;
        r->total.overdue_recovered += r->rows[i].overdue_recovered;
        r->total.recovered.count += r->rows[i].recovered.count;
        r->total.recovered.amount += r->rows[i].recovered.amount;
    }
    r->total.start = r->from;
    r->total.end = r->to;
    free(rc);
    return st;
}

bool rg_recovery_rate(const rg_recovery_row *row, double *out)
{
    if (row->overdue.amount <= 0)
        return false;
    *out = (double)row->overdue_recovered / (double)row->overdue.amount;
    return true;
}

bool rg_report_dso(const rg_report *r, double *out)
{
    if (r->billed <= 0)
        return false;
    *out = (double)r->open_balance / (double)r->billed * (double)(r->to - r->from + 1);
    return true;
}

/* ---- steps and channels ---- */

typedef struct funnel_ctx {
    rg_report *r;
    bool by_channel;
    rg_err *e;
} funnel_ctx;

static rg_funnel_row *funnel_find(funnel_ctx *fc, const rg_report_row *row)
{
    rg_report *r = fc->r;
    const char *cad = fc->by_channel ? "" : row->t[0] && *row->t[0] ? row->t[0] : "-";
    const char *step = fc->by_channel ? "" : row->t[1] && *row->t[1] ? row->t[1] : "-";
    const char *chan = !fc->by_channel ? "" : row->t[2] && *row->t[2] ? row->t[2] : "-";
    for (size_t i = 0; i < r->n_funnel; i++) {
        rg_funnel_row *f = &r->funnel[i];
        if (!strcmp(f->cadence, cad) && !strcmp(f->step, step) && !strcmp(f->channel, chan))
            return f;
    }
    rg_funnel_row *f = realloc(r->funnel, (r->n_funnel + 1) * sizeof *f);
    if (!f)
        return NULL;
    r->funnel = f;
    f = &f[r->n_funnel];
    memset(f, 0, sizeof *f);
    r->n_funnel++;
    f->cadence = strdup(cad);
    f->step = strdup(step);
    f->channel = strdup(chan);
    return f->cadence && f->step && f->channel ? f : NULL;
}

/* One row of the summary: i0 = the company's day of sending minus the UTC
 * day (-1, 0 or 1, the same for the whole quarter hour), i5..i10 the
 * messages whose invoice was paid d UTC days after the UTC day of sending,
 * d = -1, 0, 1..6, 7, 8, 9+. Paid within 7 days: the company's d (d - i0)
 * in 0..7; paid: d - i0 >= 0. */
static rg_status funnel_row(void *ctx, const rg_report_row *row)
{
    funnel_ctx *fc = ctx;
    int64_t adj = row->i[0];
    const int64_t *c = &row->i[5]; /* -1, 0, 1..6, 7, 8, 9+ */
    if (adj < -1 || adj > 1)
        return rg_err_set(fc->e, RG_EINTERNAL, "report", "a UTC offset of a day or more");
    rg_funnel_row *f = funnel_find(fc, row);
    if (!f)
        return nomem(fc->e);
    f->sent += row->i[1];
    f->delivered += row->i[2];
    f->engaged += row->i[3];
    f->cost += row->i[4];
    if (adj < 0) {
        f->paid_7d += c[0] + c[1] + c[2];
        f->paid += c[0] + c[1] + c[2] + c[3] + c[4] + c[5];
    } else if (adj == 0) {
        f->paid_7d += c[1] + c[2] + c[3];
        f->paid += c[1] + c[2] + c[3] + c[4] + c[5];
    } else {
        f->paid_7d += c[2] + c[3] + c[4];
        f->paid += c[2] + c[3] + c[4] + c[5];
    }
    return RG_OK;
}

static rg_status attribution_row(void *ctx, const rg_report_row *row)
{
    funnel_ctx *fc = ctx;
    if (!row->i[0]) { /* no message before the payment */
        fc->r->unattributed.count += row->i[1];
        fc->r->unattributed.amount += row->i[2];
        return RG_OK;
    }
    rg_funnel_row *f = funnel_find(fc, row);
    if (!f)
        return nomem(fc->e);
    f->attributed.count += row->i[1];
    f->attributed.amount += row->i[2];
    return RG_OK;
}

static int funnel_cmp(const void *a, const void *b)
{
    const rg_funnel_row *x = a, *y = b;
    int c = strcmp(x->cadence, y->cadence);
    if (!c)
        c = strcmp(x->step, y->step);
    return c ? c : strcmp(x->channel, y->channel);
}

static rg_status run_funnel(rg_store *s, const rg_report_params *p, rg_report *r, bool by_channel, rg_err *e)
{
    funnel_ctx fc = {r, by_channel, e};
    rg_instant a = day_start(p, r->from), b = day_start(p, r->to + 1);
    int64_t args[3] = {a, b, rg_tz_offset_at(p->tz, p->now)};
    rg_status rc = rg_store_report_rows(s, RG_RQ_FUNNEL, args, 3, funnel_row, &fc, e);
    if (rc == RG_OK)
        rc = rg_store_report_rows(s, RG_RQ_ATTRIBUTION, args, 2, attribution_row, &fc, e);
    if (rc != RG_OK)
        return rc;
    if (r->n_funnel)
        qsort(r->funnel, r->n_funnel, sizeof *r->funnel, funnel_cmp);
    rg_funnel_row *t = &r->funnel_total;
    for (size_t i = 0; i < r->n_funnel; i++) {
        const rg_funnel_row *f = &r->funnel[i];
        t->sent += f->sent;
        t->delivered += f->delivered;
        t->engaged += f->engaged;
        t->paid_7d += f->paid_7d;
        t->paid += f->paid;
        t->cost += f->cost;
        t->attributed.count += f->attributed.count;
        t->attributed.amount += f->attributed.amount;
    }
    return RG_OK;
}

bool rg_funnel_return(const rg_funnel_row *f, double *out)
{
    if (f->cost <= 0)
        return false;
    *out = (double)f->attributed.amount / (double)f->cost;
    return true;
}

/* ---- promises ---- */

/* One row of t0 status, i0 count, i1 amount: under its status (one of
 * names) and in made. */
static void count_by_status(const rg_report_row *row, const char *const *names, int n, rg_report_amount *made,
                            rg_report_amount *by)
{
    for (int i = 0; i < n; i++)
        if (row->t[0] && !strcmp(row->t[0], names[i])) {
            by[i].count += row->i[0];
            by[i].amount += row->i[1];
        }
    made->count += row->i[0];
    made->amount += row->i[1];
}

static rg_status promise_row(void *ctx, const rg_report_row *row)
{
    rg_report *r = ctx;
    count_by_status(row, promise_statuses, RG_PROMISE_STATUSES, &r->made, r->by_status);
    return RG_OK;
}

static rg_status agreement_row(void *ctx, const rg_report_row *row)
{
    rg_report *r = ctx;
    count_by_status(row, agreement_statuses, RG_AGREEMENT_STATUSES, &r->agreements_made, r->agreements_by_status);
    return RG_OK;
}

/* a / (a + b) by count; false when both are 0 */
static bool share(const rg_report_amount *a, const rg_report_amount *b, double *out)
{
    int64_t d = a->count + b->count;
    if (d <= 0)
        return false;
    *out = (double)a->count / (double)d;
    return true;
}

bool rg_agreements_completed_rate(const rg_report *r, double *out)
{
    return share(&r->agreements_by_status[1], &r->agreements_by_status[2], out);
}

typedef struct task_counts {
    int64_t open, claimed;
} task_counts;

static rg_status task_row(void *ctx, const rg_report_row *row)
{
    task_counts *c = ctx;
    if (row->t[0] && !strcmp(row->t[0], "claimed"))
        c->claimed += row->i[0];
    else
        c->open += row->i[0];
    return RG_OK;
}

rg_status rg_report_open_tasks(rg_store *s, int64_t *open, int64_t *claimed, rg_err *e)
{
    task_counts c = {0, 0};
    *open = *claimed = 0;
    rg_status rc = rg_store_report_rows(s, RG_RQ_TASKS_OPEN, NULL, 0, task_row, &c, e);
    if (rc == RG_OK) {
        *open = c.open;
        *claimed = c.claimed;
    }
    return rc;
}

bool rg_promises_kept_rate(const rg_report *r, double *out)
{
    return share(&r->by_status[1], &r->by_status[2], out);
}

/* ---- forecast ---- */

static int by_cadence_channel(const void *a, const void *b)
{
    const rg_forecast_row *x = a, *y = b;
    int c = strcmp(x->cadence, y->cadence);
    return c ? c : strcmp(x->channel, y->channel);
}

static rg_status run_forecast(rg_store *s, const rg_report_params *p, rg_report *r, rg_err *e)
{
    rg_simulate_params sp = {p->config, p->now, RG_DATE_NONE, FORECAST_DAYS, p->tz, p->zones};
    rg_simulation sim;
    memset(&sim, 0, sizeof sim);
    rg_status rc = rg_simulate(s, &sp, &sim, NULL, e);
    if (rc != RG_OK)
        return rc;
    r->forecast_days = FORECAST_DAYS;
    r->from = rg_tz_date(p->tz, p->now);
    r->to = r->from + FORECAST_DAYS - 1;
    if (sim.n_per_day && !(r->forecast = calloc(sim.n_per_day, sizeof *r->forecast))) {
        rg_simulation_free(&sim);
        return nomem(e);
    }
    for (size_t i = 0; i < sim.n_per_day; i++) {
        rg_forecast_row *f = &r->forecast[r->n_forecast++];
        f->date = sim.per_day[i].date;
        rg_strlcpy(f->channel, sim.per_day[i].channel, sizeof f->channel);
        f->count = sim.per_day[i].count;
        f->cost = f->count * (p->config ? rg_config_channel_cost(p->config, f->channel) : 0);
    }
    /* per cadence and channel: the same messages (per_day counts each one) */
    size_t cap = 0;
    for (size_t i = 0; i < sim.n_messages; i++) {
        const rg_sim_message *m = &sim.messages[i];
        const char *channel = m->channel[0] ? m->channel : "-";
        rg_forecast_row *f = NULL;
        for (size_t k = 0; k < r->n_forecast_by_cadence && !f; k++)
            if (!strcmp(r->forecast_by_cadence[k].cadence, m->cadence) &&
                !strcmp(r->forecast_by_cadence[k].channel, channel))
                f = &r->forecast_by_cadence[k];
        if (!f) {
            f = rg_array_grow((void **)&r->forecast_by_cadence, r->n_forecast_by_cadence, &cap, sizeof *f);
            if (!f) {
                rg_simulation_free(&sim);
                return nomem(e);
            }
            memset(f, 0, sizeof *f);
            r->n_forecast_by_cadence++;
            f->date = RG_DATE_NONE;
            rg_strlcpy(f->cadence, m->cadence, sizeof f->cadence);
            rg_strlcpy(f->channel, channel, sizeof f->channel);
        }
        f->count++;
        f->cost += p->config ? rg_config_channel_cost(p->config, channel) : 0;
    }
    if (r->n_forecast_by_cadence)
        qsort(r->forecast_by_cadence, r->n_forecast_by_cadence, sizeof *r->forecast_by_cadence, by_cadence_channel);
    rg_simulation_free(&sim);
    return RG_OK;
}

/* ---- running ---- */

rg_status rg_report_run(rg_store *s, const char *name, const rg_report_params *p, rg_report *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    int k = 0;
    while (k < RG_REPORT_COUNT && (!name || strcmp(name, kind_names[k])))
        k++;
    if (k == RG_REPORT_COUNT)
        return rg_err_set(e, RG_EINVAL, "report", "unknown report '%s' (%s)", name ? name : "", RG_REPORT_NAMES);
    out->kind = (rg_report_kind)k;
    rg_date today = rg_tz_date(p->tz, p->now);
    out->as_of = p->as_of != RG_DATE_NONE ? p->as_of : today;
    out->to = p->to != RG_DATE_NONE ? p->to : today;
    out->from = p->from != RG_DATE_NONE ? p->from : out->to - 29;
    if (out->from > out->to)
        return rg_err_set(e, RG_EINVAL, "from", "from is after to");
    if (out->to - out->from >= MAX_RANGE_DAYS)
        return rg_err_set(e, RG_EINVAL, "from", "at most %d days from from to to", MAX_RANGE_DAYS);
    if (out->kind == RG_REPORT_FORECAST) {
        rg_status rc = run_forecast(s, p, out, e);
        if (rc != RG_OK)
            rg_report_free(out);
        return rc;
    }
    rg_status rc = rg_store_begin_read(s, e);
    if (rc != RG_OK)
        return rc;
    switch (out->kind) {
    case RG_REPORT_AGING:
        rc = run_aging(s, p, out, e);
        break;
    case RG_REPORT_RECOVERY:
        rc = run_recovery(s, p, out, e);
        break;
    case RG_REPORT_STEPS:
        rc = run_funnel(s, p, out, false, e);
        break;
    case RG_REPORT_CHANNELS:
        rc = run_funnel(s, p, out, true, e);
        break;
    default: {
        int64_t args[2] = {day_start(p, out->from), day_start(p, out->to + 1)};
        rc = rg_store_report_rows(s, RG_RQ_PROMISES, args, 2, promise_row, out, e);
        if (rc == RG_OK)
            rc = rg_store_report_rows(s, RG_RQ_AGREEMENTS, args, 2, agreement_row, out, e);
        break;
    }
    }
    rg_store_rollback(s);
    if (rc != RG_OK)
        rg_report_free(out);
    return rc;
}

static void groups_free(rg_aging_group *g, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(g[i].name);
    free(g);
}

void rg_report_free(rg_report *r)
{
    if (!r)
        return;
    groups_free(r->cadences, r->n_cadences);
    groups_free(r->tags, r->n_tags);
    free(r->rows);
    for (size_t i = 0; i < r->n_funnel; i++) {
        free(r->funnel[i].cadence);
        free(r->funnel[i].step);
        free(r->funnel[i].channel);
    }
    free(r->funnel);
    free(r->forecast);
    free(r->forecast_by_cadence);
    memset(r, 0, sizeof *r);
}

/* ---- JSON ---- */

static json_t *jdate(rg_date d)
{
    char buf[16];
    return json_string(rg_date_format_iso(d, buf, sizeof buf));
}

static json_t *jrate(bool ok, double v)
{
    return ok ? json_real(round(v * 10000.0) / 10000.0) : json_null();
}

/* {"amount": "1234.56", "amount_cents": 123456} (and "count" unless < 0) under `prefix` names */
static void set_money(json_t *o, const char *key, rg_cents v)
{
    char buf[40], k[64];
    json_object_set_new(o, key, json_string(rg_money_format_plain(v, buf, sizeof buf)));
    snprintf(k, sizeof k, "%s_cents", key);
    json_object_set_new(o, k, json_integer(v));
}

static json_t *jamount(const rg_report_amount *a)
{
    json_t *o = json_object();
    json_object_set_new(o, "count", json_integer(a->count));
    set_money(o, "amount", a->amount);
    return o;
}

static json_t *jbuckets(const rg_report_amount *b)
{
    json_t *a = json_array();
    for (int i = 0; i < RG_AGING_BUCKETS; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(rg_aging_bucket_names[i]));
        json_object_set_new(o, "count", json_integer(b[i].count));
        set_money(o, "amount", b[i].amount);
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *jgroups(const rg_aging_group *g, size_t n)
{
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++)
        json_object_set_new(o, g[i].name, jbuckets(g[i].b));
    return o;
}

static json_t *jrecovery_row(const rg_recovery_row *x)
{
    json_t *o = json_object();
    json_object_set_new(o, "start", jdate(x->start));
    json_object_set_new(o, "end", jdate(x->end));
    json_object_set_new(o, "became_overdue", jamount(&x->overdue));
    set_money(o, "overdue_recovered", x->overdue_recovered);
    double v = 0;
    bool ok = rg_recovery_rate(x, &v);
    json_object_set_new(o, "recovery_rate", jrate(ok, v));
    json_object_set_new(o, "recovered", jamount(&x->recovered));
    return o;
}

static json_t *jfunnel(const rg_funnel_row *f, rg_report_kind k)
{
    json_t *o = json_object();
    if (k == RG_REPORT_STEPS) {
        json_object_set_new(o, "cadence", json_string(f->cadence));
        json_object_set_new(o, "step", json_string(f->step));
    } else if (k == RG_REPORT_CHANNELS) {
        json_object_set_new(o, "channel", json_string(f->channel));
    }
    json_object_set_new(o, "sent", json_integer(f->sent));
    json_object_set_new(o, "delivered", json_integer(f->delivered));
    json_object_set_new(o, "read_opened_clicked", json_integer(f->engaged));
    json_object_set_new(o, "paid_within_7_days", json_integer(f->paid_7d));
    json_object_set_new(o, "paid", json_integer(f->paid));
    set_money(o, "cost", f->cost);
    json_object_set_new(o, "attributed", jamount(&f->attributed));
    double v = 0;
    bool ok = rg_funnel_return(f, &v);
    json_object_set_new(o, "recovered_per_real", jrate(ok, v));
    return o;
}

rg_status rg_report_json(const rg_report *r, void **out, rg_err *e)
{
    json_t *o = json_object();
    if (!o)
        return nomem(e);
    json_object_set_new(o, "report", json_string(kind_names[r->kind]));
    double v = 0;
    bool ok;
    switch (r->kind) {
    case RG_REPORT_AGING: {
        json_object_set_new(o, "as_of", jdate(r->as_of));
        json_object_set_new(o, "buckets", jbuckets(r->buckets));
        json_object_set_new(o, "by_cadence", jgroups(r->cadences, r->n_cadences));
        json_object_set_new(o, "by_tag", jgroups(r->tags, r->n_tags));
        break;
    }
    case RG_REPORT_RECOVERY: {
        json_object_set_new(o, "from", jdate(r->from));
        json_object_set_new(o, "to", jdate(r->to));
        json_object_set_new(o, "period", json_string(period_name(r->period)));
        json_t *a = json_array();
        for (size_t i = 0; i < r->n_rows; i++)
            json_array_append_new(a, jrecovery_row(&r->rows[i]));
        json_object_set_new(o, "rows", a);
        json_object_set_new(o, "total", jrecovery_row(&r->total));
        set_money(o, "open_balance", r->open_balance);
        set_money(o, "billed", r->billed);
        ok = rg_report_dso(r, &v);
        json_object_set_new(o, "dso", ok ? json_real(round(v * 10.0) / 10.0) : json_null());
        break;
    }
    case RG_REPORT_STEPS:
    case RG_REPORT_CHANNELS: {
        json_object_set_new(o, "from", jdate(r->from));
        json_object_set_new(o, "to", jdate(r->to));
        json_t *a = json_array();
        for (size_t i = 0; i < r->n_funnel; i++)
            json_array_append_new(a, jfunnel(&r->funnel[i], r->kind));
        json_object_set_new(o, r->kind == RG_REPORT_STEPS ? "steps" : "channels", a);
        json_object_set_new(o, "total", jfunnel(&r->funnel_total, RG_REPORT_COUNT));
        json_object_set_new(o, "unattributed", jamount(&r->unattributed));
        break;
    }
    case RG_REPORT_PROMISES: {
        json_object_set_new(o, "from", jdate(r->from));
        json_object_set_new(o, "to", jdate(r->to));
        json_object_set_new(o, "made", jamount(&r->made));
        for (int i = 0; i < RG_PROMISE_STATUSES; i++)
            json_object_set_new(o, promise_statuses[i], jamount(&r->by_status[i]));
        ok = rg_promises_kept_rate(r, &v);
        json_object_set_new(o, "kept_rate", jrate(ok, v));
        json_t *ag = json_object();
        json_object_set_new(ag, "made", jamount(&r->agreements_made));
        for (int i = 0; i < RG_AGREEMENT_STATUSES; i++)
            json_object_set_new(ag, agreement_statuses[i], jamount(&r->agreements_by_status[i]));
        ok = rg_agreements_completed_rate(r, &v);
        json_object_set_new(ag, "completed_rate", jrate(ok, v));
        json_object_set_new(o, "agreements", ag);
        break;
    }
    default: {
        json_object_set_new(o, "from", jdate(r->from));
        json_object_set_new(o, "days", json_integer(r->forecast_days));
        json_t *a = json_array();
        int64_t count = 0;
        rg_cents cost = 0;
        for (size_t i = 0; i < r->n_forecast; i++) {
            json_t *x = json_object();
            json_object_set_new(x, "date", jdate(r->forecast[i].date));
            json_object_set_new(x, "channel", json_string(r->forecast[i].channel));
            json_object_set_new(x, "count", json_integer(r->forecast[i].count));
            set_money(x, "cost", r->forecast[i].cost);
            json_array_append_new(a, x);
            count += r->forecast[i].count;
            cost += r->forecast[i].cost;
        }
        json_object_set_new(o, "per_day", a);
        json_t *bc = json_array();
        for (size_t i = 0; i < r->n_forecast_by_cadence; i++) {
            json_t *x = json_object();
            json_object_set_new(x, "cadence", json_string(r->forecast_by_cadence[i].cadence));
            json_object_set_new(x, "channel", json_string(r->forecast_by_cadence[i].channel));
            json_object_set_new(x, "count", json_integer(r->forecast_by_cadence[i].count));
            set_money(x, "cost", r->forecast_by_cadence[i].cost);
            json_array_append_new(bc, x);
        }
        json_object_set_new(o, "by_cadence", bc);
        json_t *t = json_object();
        json_object_set_new(t, "count", json_integer(count));
        set_money(t, "cost", cost);
        json_object_set_new(o, "total", t);
        break;
    }
    }
    *out = o;
    return RG_OK;
}

/* ---- tables and CSV ---- */

char *rg_report_money_br(rg_cents v, char *buf, size_t n)
{
    char tmp[48];
    rg_money_format_brl(v, tmp, sizeof tmp); /* "R$ 1.234,56" / "-R$ 0,50" */
    const char *digits = strstr(tmp, "R$");
    digits = digits ? digits + 2 : tmp;
    while (*digits == ' ' || (unsigned char)*digits == 0xC2 || (unsigned char)*digits == 0xA0)
        digits++;
    snprintf(buf, n, "%s%s", v < 0 ? "-" : "", digits);
    return buf;
}

static void rate_br(bool ok, double v, char *buf, size_t n)
{
    if (!ok) {
        buf[0] = '\0';
        return;
    }
    int64_t h = (int64_t)llround(v * 10000.0); /* hundredths of a percent */
    char tmp[48];
    rg_report_money_br(h, tmp, sizeof tmp);
    snprintf(buf, n, "%s", tmp);
}

static void cols(rg_report_table *t, const char *const *names, const bool *numeric, size_t n)
{
    t->n_cols = n;
    for (size_t i = 0; i < n; i++) {
        t->cols[i] = names[i];
        t->numeric[i] = numeric[i];
    }
}

/* Appends one row of n_cols cells (copied). */
static rg_status row(rg_report_table *t, const char *const *cells, rg_err *e)
{
    if (t->n_rows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        char **c = realloc(t->cells, cap * t->n_cols * sizeof *c);
        if (!c)
            return nomem(e);
        t->cells = c;
        t->cap = cap;
    }
    char **dst = &t->cells[t->n_rows * t->n_cols];
    for (size_t i = 0; i < t->n_cols; i++)
        dst[i] = NULL;
    t->n_rows++;
    for (size_t i = 0; i < t->n_cols; i++)
        if (!(dst[i] = strdup(cells[i])))
            return nomem(e);
    return RG_OK;
}

typedef char cell[48];

static void int_cell(cell c, int64_t v)
{
    snprintf(c, sizeof(cell), "%lld", (long long)v);
}

static rg_status aging_rows(rg_report_table *t, const char *group, const char *name, const rg_report_amount *b,
                            rg_err *e)
{
    cell c[2 * RG_AGING_BUCKETS];
    const char *cells[2 + 2 * RG_AGING_BUCKETS] = {group, name};
    for (int i = 0; i < RG_AGING_BUCKETS; i++) {
        int_cell(c[2 * i], b[i].count);
        rg_report_money_br(b[i].amount, c[2 * i + 1], sizeof c[0]);
        cells[2 + 2 * i] = c[2 * i];
        cells[3 + 2 * i] = c[2 * i + 1];
    }
    return row(t, cells, e);
}

static rg_status recovery_table_row(rg_report_table *t, const rg_recovery_row *x, bool total, rg_err *e)
{
    cell c[8];
    if (total) {
        rg_strlcpy(c[0], "total", sizeof c[0]);
        c[1][0] = '\0';
    } else {
        rg_date_format_iso(x->start, c[0], sizeof c[0]);
        rg_date_format_iso(x->end, c[1], sizeof c[1]);
    }
    int_cell(c[2], x->overdue.count);
    rg_report_money_br(x->overdue.amount, c[3], sizeof c[3]);
    rg_report_money_br(x->overdue_recovered, c[4], sizeof c[4]);
    double v = 0;
    bool ok = rg_recovery_rate(x, &v);
    rate_br(ok, v, c[5], sizeof c[5]);
    int_cell(c[6], x->recovered.count);
    rg_report_money_br(x->recovered.amount, c[7], sizeof c[7]);
    const char *cells[8] = {c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]};
    return row(t, cells, e);
}

static rg_status funnel_table_row(rg_report_table *t, const rg_funnel_row *f, bool steps, bool total, rg_err *e)
{
    cell c[10];
    const char *cells[12];
    size_t n = 0;
    if (steps) {
        cells[n++] = total ? "total" : f->cadence;
        cells[n++] = total ? "" : f->step;
    } else {
        cells[n++] = total ? "total" : f->channel;
    }
    int_cell(c[0], f->sent);
    int_cell(c[1], f->delivered);
    int_cell(c[2], f->engaged);
    int_cell(c[3], f->paid_7d);
    int_cell(c[4], f->paid);
    rg_report_money_br(f->cost, c[5], sizeof c[5]);
    int_cell(c[6], f->attributed.count);
    rg_report_money_br(f->attributed.amount, c[7], sizeof c[7]);
    double v = 0;
    bool ok = rg_funnel_return(f, &v);
    if (ok)
        rg_report_money_br((rg_cents)llround(v * 100.0), c[8], sizeof c[8]);
    else
        c[8][0] = '\0';
    for (int i = 0; i < 9; i++)
        cells[n++] = c[i];
    return row(t, cells, e);
}

rg_status rg_report_table_make(const rg_report *r, rg_report_table *t, rg_err *e)
{
    memset(t, 0, sizeof *t);
    rg_status rc = RG_OK;
    switch (r->kind) {
    case RG_REPORT_AGING: {
        static const char *const names[] = {"group", "name", "not_due", "not_due_amount", "1-30", "1-30_amount",
                                            "31-60", "31-60_amount", "61-90", "61-90_amount", "90+", "90+_amount"};
        static const bool num[] = {0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
        cols(t, names, num, 12);
        rc = aging_rows(t, "total", "", r->buckets, e);
        for (size_t i = 0; rc == RG_OK && i < r->n_cadences; i++)
            rc = aging_rows(t, "cadence", r->cadences[i].name, r->cadences[i].b, e);
        for (size_t i = 0; rc == RG_OK && i < r->n_tags; i++)
            rc = aging_rows(t, "tag", r->tags[i].name, r->tags[i].b, e);
        break;
    }
    case RG_REPORT_RECOVERY: {
        static const char *const names[] = {"start", "end", "became_overdue", "became_overdue_amount",
                                            "overdue_recovered", "recovery_rate_pct", "recovered",
                                            "recovered_amount"};
        static const bool num[] = {0, 0, 1, 1, 1, 1, 1, 1};
        cols(t, names, num, 8);
        for (size_t i = 0; rc == RG_OK && i < r->n_rows; i++)
            rc = recovery_table_row(t, &r->rows[i], false, e);
        if (rc == RG_OK)
            rc = recovery_table_row(t, &r->total, true, e);
        break;
    }
    case RG_REPORT_STEPS:
    case RG_REPORT_CHANNELS: {
        bool steps = r->kind == RG_REPORT_STEPS;
        static const char *const names[] = {"cadence", "step", "sent", "delivered", "read_opened_clicked",
                                            "paid_within_7_days", "paid", "cost", "attributed",
                                            "attributed_amount", "recovered_per_real"};
        static const bool num[] = {0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1};
        if (steps)
            cols(t, names, num, 11);
        else {
            cols(t, names + 1, num + 1, 10);
            t->cols[0] = "channel";
        }
        for (size_t i = 0; rc == RG_OK && i < r->n_funnel; i++)
            rc = funnel_table_row(t, &r->funnel[i], steps, false, e);
        if (rc == RG_OK)
            rc = funnel_table_row(t, &r->funnel_total, steps, true, e);
        break;
    }
    case RG_REPORT_PROMISES: {
        static const char *const names[] = {"status", "count", "amount"};
        static const bool num[] = {0, 1, 1};
        cols(t, names, num, 3);
        for (int i = -1; rc == RG_OK && i < RG_PROMISE_STATUSES; i++) {
            const rg_report_amount *a = i < 0 ? &r->made : &r->by_status[i];
            cell c[2];
            int_cell(c[0], a->count);
            rg_report_money_br(a->amount, c[1], sizeof c[1]);
            const char *cells[3] = {i < 0 ? "made" : promise_statuses[i], c[0], c[1]};
            rc = row(t, cells, e);
        }
        for (int i = -1; rc == RG_OK && i < RG_AGREEMENT_STATUSES; i++) {
            const rg_report_amount *a = i < 0 ? &r->agreements_made : &r->agreements_by_status[i];
            cell c[3];
            snprintf(c[0], sizeof c[0], "agreements_%s", i < 0 ? "made" : agreement_statuses[i]);
            int_cell(c[1], a->count);
            rg_report_money_br(a->amount, c[2], sizeof c[2]);
            const char *cells[3] = {c[0], c[1], c[2]};
            rc = row(t, cells, e);
        }
        break;
    }
    default: {
        static const char *const names[] = {"date", "channel", "messages", "cost"};
        static const bool num[] = {0, 0, 1, 1};
        cols(t, names, num, 4);
        int64_t count = 0;
        rg_cents cost = 0;
        for (size_t i = 0; rc == RG_OK && i < r->n_forecast; i++) {
            cell c[3];
            rg_date_format_iso(r->forecast[i].date, c[0], sizeof c[0]);
            int_cell(c[1], r->forecast[i].count);
            rg_report_money_br(r->forecast[i].cost, c[2], sizeof c[2]);
            const char *cells[4] = {c[0], r->forecast[i].channel, c[1], c[2]};
            rc = row(t, cells, e);
            count += r->forecast[i].count;
            cost += r->forecast[i].cost;
        }
        if (rc == RG_OK) {
            cell c[2];
            int_cell(c[0], count);
            rg_report_money_br(cost, c[1], sizeof c[1]);
            const char *cells[4] = {"total", "", c[0], c[1]};
            rc = row(t, cells, e);
        }
        break;
    }
    }
    if (rc != RG_OK)
        rg_report_table_free(t);
    return rc;
}

void rg_report_table_free(rg_report_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
        free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof *t);
}

static void csv_field(rg_buf *b, const char *s)
{
    if (!strpbrk(s, ";\"\r\n")) {
        rg_buf_puts(b, s);
        return;
    }
    rg_buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            rg_buf_putc(b, '"');
        rg_buf_putc(b, *s);
    }
    rg_buf_putc(b, '"');
}

void rg_report_csv_row(rg_buf *b, const char *const *cells, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            rg_buf_putc(b, ';');
        csv_field(b, cells[i] ? cells[i] : "");
    }
    rg_buf_puts(b, "\r\n");
}

char *rg_report_table_csv(const rg_report_table *t, size_t *len)
{
    rg_buf b = RG_BUF_INIT;
    rg_buf_puts(&b, RG_CSV_BOM);
    rg_report_csv_row(&b, t->cols, t->n_cols);
    for (size_t r = 0; r < t->n_rows; r++)
        rg_report_csv_row(&b, (const char *const *)&t->cells[r * t->n_cols], t->n_cols);
    if (b.oom) {
        rg_buf_free(&b);
        return NULL;
    }
    *len = b.len;
    return rg_buf_detach(&b);
}
