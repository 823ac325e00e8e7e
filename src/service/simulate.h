/*
 * simulate — the forecast of what the cadences will do, changing nothing
 * (`regua simulate`; docs/engine.md). The database is copied to a
 * temporary file (rg_store_snapshot), a dry-run engine is opened on the
 * copy from the configuration, and the copy is ticked at every window
 * opening of each day and at the moment of each trigger timer already
 * waiting, as if nobody paid and nothing else happened. The result is a
 * model (rg_simulation) the CLI prints as text and rg_simulation_json
 * (json_views.h) writes as the one JSON document of `simulate --json`.
 *
 * Ownership: rg_simulate fills an rg_simulation that owns its arrays and
 * strings; rg_simulation_free releases it (NULL-safe, safe on a zeroed
 * one). The temporary copy is removed before rg_simulate returns.
 */
#ifndef RG_SERVICE_SIMULATE_H
#define RG_SERVICE_SIMULATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/tz.h"
#include "base/zones.h"
#include "cadence/diag.h"
#include "config/config.h"
#include "model/model.h"
#include "store/store.h"

typedef struct rg_simulate_params {
    const rg_config *config; /* the cadences, templates and calendar to simulate */
    rg_instant now;
    rg_date from;            /* RG_DATE_NONE: today (a first full tick at `now`) */
    int64_t days;            /* 1..366 */
    const rg_tz *tz;         /* the company's zone: the days of per_day */
    rg_zones *zones;         /* the customers' zones: the promises' deadlines */
} rg_simulate_params;

/* One message the simulation made. */
typedef struct rg_sim_message {
    int64_t id; /* in the copy: names a message JSON cannot hold */
    rg_instant planned_for;
    char customer[RG_EXTID_MAX + 1];
    char *invoices; /* owned: "F1|F2" */
    char cadence[64];
    char step[64];         /* the step or trigger id */
    char source_kind[8];   /* "step", "trigger" */
    char channel[RG_CHANNEL_MAX + 1];
    char template_name[64];
    rg_message_status status;
    char *reason; /* owned ("" when none) */
    char *body;   /* owned ("" when none) */
} rg_sim_message;

/* How many messages one day (where the company is) has on one channel
 * ("-" when none), in the order the days and channels first appear. */
typedef struct rg_sim_count {
    rg_date date;
    char channel[RG_CHANNEL_MAX + 1];
    int64_t count;
} rg_sim_count;

/* A promise pending as the simulation starts. */
typedef struct rg_sim_promise {
    int64_t id;
    char invoice[RG_EXTID_MAX + 1]; /* "": the customer's whole debt */
    char customer[RG_EXTID_MAX + 1];
    rg_date promised_date;
    rg_cents amount;
    int64_t grace_days;
    rg_instant deadline; /* the end of the promised date (customer's zone) plus grace */
    char **pauses;       /* owned: the steps it holds, each once ("*": every step) */
    size_t n_pauses;
    bool breaks;         /* its deadline falls within the days simulated */
} rg_sim_promise;

typedef struct rg_simulation {
    rg_sim_message *messages;
    size_t n_messages;
    rg_sim_count *per_day;
    size_t n_per_day;
    rg_sim_promise *promises;
    size_t n_promises;
} rg_simulation;

/* Runs the simulation on a copy of `real`. *diags (caller-owned, may be
 * NULL) receives the cadence files' and templates' problems; when any
 * keeps one from loading, nothing is simulated: RG_EINVAL naming the
 * first such file. RG_EINVAL also for days out of 1..366. */
rg_status rg_simulate(rg_store *real, const rg_simulate_params *p, rg_simulation *out, rg_diags *diags,
                      rg_err *e);
void rg_simulation_free(rg_simulation *s);

#endif
