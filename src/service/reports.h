/*
 * reports — the collections team's figures (issue 14; docs/reports.md has
 * every formula and rule): aging, recovery, steps, channels, promises,
 * forecast. One implementation behind `regua report NAME`, GET
 * /v1/reports/NAME and the dashboard's pages:
 *
 *     rg_report r;
 *     rg_report_run(store, "aging", &params, &r, &e);   // the model
 *     rg_report_json(&r, &doc, &e);                     // --json and the API
 *     rg_report_table(&r, &t, &e);                      // text table and --csv
 *     rg_report_free(&r);
 *
 * Reading only: each report reads in one read transaction of its own
 * (forecast: on a copy, service/simulate.h). Money in centavos; dates are
 * the company's (params.tz); rates are fractions (0.25), NaN-free: a rate
 * whose denominator is 0 is "none" (JSON null, "" in tables).
 *
 * Ownership: rg_report_run fills an rg_report that owns its arrays and
 * strings; rg_report_free releases it (safe on a zeroed one). Tables the
 * same with rg_report_table_free.
 */
#ifndef RG_SERVICE_REPORTS_H
#define RG_SERVICE_REPORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/tz.h"
#include "base/zones.h"
#include "br/holidays.h"
#include "config/config.h"
#include "store/store.h"

typedef enum rg_report_kind {
    RG_REPORT_AGING,
    RG_REPORT_RECOVERY,
    RG_REPORT_STEPS,
    RG_REPORT_CHANNELS,
    RG_REPORT_PROMISES,
    RG_REPORT_FORECAST,
    RG_REPORT_COUNT
} rg_report_kind;

/* "aging", "recovery", ... (NULL for a bad kind). */
const char *rg_report_name(rg_report_kind k);
/* "aging, recovery, steps, channels, promises, forecast" */
#define RG_REPORT_NAMES "aging, recovery, steps, channels, promises, forecast"

typedef enum rg_report_period { RG_PERIOD_DAY, RG_PERIOD_WEEK, RG_PERIOD_MONTH } rg_report_period;
/* "day", "week", "month" -> *out; false for anything else. */
bool rg_report_period_parse(const char *s, rg_report_period *out);

typedef struct rg_report_params {
    const rg_config *config;     /* cost_per_message (channels), forecast's cadences */
    const rg_calendar *calendar; /* effective due dates; NULL: national holidays only */
    const rg_tz *tz;             /* the company's zone: instants -> dates */
    rg_zones *zones;             /* forecast (the customers' zones) */
    rg_instant now;
    rg_date as_of;               /* RG_DATE_NONE: today (aging's date; recovery's DSO balance) */
    rg_date from, to;            /* RG_DATE_NONE: to = today, from = to - 29 */
    rg_report_period period;     /* recovery's rows (default day) */
} rg_report_params;

/* A count and its money. */
typedef struct rg_report_amount {
    int64_t count;
    rg_cents amount;
} rg_report_amount;

#define RG_AGING_BUCKETS 5
/* "not_due", "1-30", "31-60", "61-90", "90+" */
extern const char *const rg_aging_bucket_names[RG_AGING_BUCKETS];
/* The bucket of an invoice `days` days past its effective due date. */
int rg_aging_bucket(int64_t days);

typedef struct rg_aging_group {
    char *name; /* owned: a cadence or a tag ("-": none) */
    rg_report_amount b[RG_AGING_BUCKETS];
} rg_aging_group;

/* recovery: one row per day, week (Monday to Sunday) or month. */
typedef struct rg_recovery_row {
    rg_date start, end;          /* the row's days, clipped to [from, to] */
    rg_report_amount overdue;    /* invoices that became overdue on those days (amount: their amounts) */
    rg_cents overdue_recovered;  /* of those, what has been paid since (by now) */
    rg_report_amount recovered;  /* payments made on those days on invoices already overdue */
} rg_recovery_row;

/* steps and channels: one funnel row. */
typedef struct rg_funnel_row {
    char *cadence;  /* owned ("" in channels) */
    char *step;     /* owned ("" in channels) */
    char *channel;  /* owned ("" in steps) */
    int64_t sent, delivered, engaged, paid_7d, paid;
    rg_cents cost;
    rg_report_amount attributed; /* payments whose last touch this was */
} rg_funnel_row;

typedef struct rg_forecast_row {
    rg_date date;                     /* RG_DATE_NONE in forecast_by_cadence (the whole 30 days) */
    char channel[RG_CHANNEL_MAX + 1];
    int64_t count;
    rg_cents cost;
    char cadence[64];                 /* forecast_by_cadence only ("" elsewhere) */
} rg_forecast_row;

#define RG_PROMISE_STATUSES 4 /* pending, kept, broken, cancelled */
#define RG_AGREEMENT_STATUSES 4 /* active, completed, broken, cancelled */

typedef struct rg_report {
    rg_report_kind kind;
    rg_date as_of, from, to;
    /* aging */
    rg_report_amount buckets[RG_AGING_BUCKETS];
    rg_aging_group *cadences, *tags;
    size_t n_cadences, n_tags;
    /* recovery */
    rg_report_period period;
    rg_recovery_row *rows;
    size_t n_rows;
    rg_recovery_row total;
    rg_cents open_balance; /* every open invoice's balance, now */
    rg_cents billed;       /* invoices (not cancelled) due in [from, to] */
    /* steps, channels */
    rg_funnel_row *funnel;
    size_t n_funnel;
    rg_funnel_row funnel_total;
    rg_report_amount unattributed; /* payments with no message before them */
    /* promises: made = the sum of by_status */
    rg_report_amount made, by_status[RG_PROMISE_STATUSES];
    /* and the installment agreements made in the period (amount: their
     * total), by their status now */
    rg_report_amount agreements_made, agreements_by_status[RG_AGREEMENT_STATUSES];
    /* forecast */
    rg_forecast_row *forecast;
    size_t n_forecast;
    rg_forecast_row *forecast_by_cadence; /* the same messages per cadence and channel, by cadence then channel */
    size_t n_forecast_by_cadence;
    int64_t forecast_days;
} rg_report;

/* Runs report `name` (RG_EINVAL where "report" naming the known ones;
 * RG_EINVAL where "from"/"to" for from > to or more than 3660 days).
 * forecast: the next 30 days from today (from/to/as_of ignored). */
rg_status rg_report_run(rg_store *s, const char *name, const rg_report_params *p, rg_report *out, rg_err *e);
void rg_report_free(rg_report *r);

/* The task queue now (not a report: no period): open and claimed tasks,
 * each counted once (the dashboard's Visão geral; `regua task list`). */
rg_status rg_report_open_tasks(rg_store *s, int64_t *open, int64_t *claimed, rg_err *e);

/* The rates, each a fraction; false when its denominator is 0. */
bool rg_recovery_rate(const rg_recovery_row *row, double *out);   /* overdue_recovered / overdue.amount */
bool rg_report_dso(const rg_report *r, double *out);               /* open_balance / billed * days */
bool rg_funnel_return(const rg_funnel_row *f, double *out);        /* attributed.amount / cost */
bool rg_promises_kept_rate(const rg_report *r, double *out);       /* kept / (kept + broken), by count */
bool rg_agreements_completed_rate(const rg_report *r, double *out); /* completed / (completed + broken) */

/* The one JSON document of each report (docs/reports.md): a new jansson
 * reference in *out (json_t *, as void *). */
rg_status rg_report_json(const rg_report *r, void **out, rg_err *e);

/* The report as one table: column names, numeric columns, rows of
 * pt-BR formatted cells (1.234,56; rates as percentages 45,67). */
typedef struct rg_report_table {
    size_t n_cols;
    const char *cols[16];
    bool numeric[16];
    char **cells; /* owned: n_rows * n_cols strings */
    size_t n_rows, cap;
} rg_report_table;
rg_status rg_report_table_make(const rg_report *r, rg_report_table *t, rg_err *e);
void rg_report_table_free(rg_report_table *t);
/* CSV for Excel in pt-BR: UTF-8 with a BOM, `;` between fields, CRLF,
 * fields with ; " or a line break quoted. Returns a malloc'd string (NULL:
 * no memory), *len its length. */
char *rg_report_table_csv(const rg_report_table *t, size_t *len);
/* The CSV rules above for one record: n cells (NULL as "") separated by
 * `;`, quoted when they hold ; " or a line break, then CRLF — appended to
 * b. rg_report_table_csv writes each of its rows with it; the dashboard's
 * streamed exports too (after RG_CSV_BOM). */
void rg_report_csv_row(rg_buf *b, const char *const *cells, size_t n);
#define RG_CSV_BOM "\xEF\xBB\xBF"

/* "1.234,56" / "-0,50" (buf >= 32). */
char *rg_report_money_br(rg_cents v, char *buf, size_t n);

#endif
