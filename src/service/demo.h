/*
 * demo — a deterministic, realistic, fictitious portfolio for `regua demo`:
 * a few hundred customers (valid CPFs and CNPJs, Brazilian phones and
 * addresses), invoices spread over past and coming due dates around the
 * clock's date, some of them paid. The same seed and date give the same
 * data. Nothing here is a real person or company.
 */
#ifndef RG_DEMO_H
#define RG_DEMO_H

#include "base/zones.h"
#include "service/events.h"
#include "store/store.h"

typedef struct rg_demo_stats {
    int customers;
    int invoices;
    int payments;
} rg_demo_stats;

rg_status rg_demo_populate(const rg_event_env *env, rg_instant now, int customers, rg_demo_stats *out, rg_err *e);

#endif
