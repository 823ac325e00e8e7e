/*
 * demo — a deterministic, realistic, fictitious portfolio and its history for `regua demo`:
 * a few hundred customers (valid CPFs and CNPJs, Brazilian phones and
 * addresses) and 120 days of their bills, the cadences' messages and the
 * customers' answers, made by running the real engine day by day on a
 * fixed clock. The same seed and date give the same data. Nothing here is a real person or company.
 */
#ifndef RG_DEMO_H
#define RG_DEMO_H

#include "base/zones.h"
#include "config/config.h"
#include "service/events.h"
#include "store/store.h"

typedef struct rg_demo_stats {
    int customers;
    int invoices;
    int payments;
    int days;          /* days of history ticked */
    int messages;      /* messages the history's ticks sent */
    int opens, clicks; /* e-mail opens and link clicks recorded */
    int portal_visits;
    int promises;
    int disputes;
    int agreements;    /* installment agreements made through the portal */
} rg_demo_stats;

/* The engine's tick at an instant (the CLI passes rg_engine_tick). */
typedef rg_status (*rg_demo_tick_fn)(void *ctx, rg_instant now, rg_err *e);

typedef struct rg_demo_params {
    const rg_event_env *env; /* its store outside a transaction */
    const rg_config *config; /* portal.agreements' terms; NULL: no agreements */
    rg_instant now;          /* the history ends the day before its local date */
    int customers;
    int days;                /* how far back the history starts (regua demo: 120) */
    uint64_t seed;           /* 0: the default seed */
    rg_demo_tick_fn tick;    /* called once a day at 10:00 local; NULL: no cadence runs */
    void *tick_ctx;
} rg_demo_params;

/*
 * Builds the history: the customers on its first day; day by day from
 * `days` days ago until yesterday, the bills issued that day (monthly, 10
 * days before their due date), the tick at 10:00, the customers' answers
 * to the messages it sent (e-mail opens and clicks, WhatsApp/SMS delivery
 * and read reports and a few failures, portal visits, promises through the
 * portal — some kept, some broken —, a dispute, installment agreements
 * (acordos) whose installments are paid or one left unpaid) and the day's payments
 * (most before the due date, more 1-3 days after a reminder, some late, a
 * tail never). Finally today's bills, untouched: the caller ticks at now.
 * Every choice comes from a pseudo-random sequence of the seed, and every
 * instant from the local dates: the same seed, customers and date give the
 * same database. Each step owns its transaction.
 */
rg_status rg_demo_build(const rg_demo_params *p, rg_demo_stats *out, rg_err *e);

/* The demo's login: the dashboard user RG_DEMO_EMAIL, role admin, with a
 * new random password (12 letters and digits, no look-alikes) written to
 * password (RG_DEMO_PASSWORD_SIZE bytes) — only its hash is stored, so the
 * caller prints it once. RG_ECONFLICT when the user exists. */
#define RG_DEMO_EMAIL "demo@regua.local"
#define RG_DEMO_PASSWORD_SIZE 13
rg_status rg_demo_user(rg_store *s, rg_instant now, char *password, rg_err *e);

#endif
