/*
 * tasks — the operator task queue (PRODUCT.md §1, §6): claiming a task and
 * closing it with an outcome, a note and, optionally, the customer's
 * promise to pay (service/promises.h, which records `promise.made`).
 * Used by `regua task` and meant for the API.
 *
 * The rules: a done or cancelled task cannot be claimed or closed again
 * (RG_ECONFLICT); a task claimed by someone else cannot be claimed (the
 * same person claiming again is a no-op); closing an open task is allowed
 * (claim and close at once). A task of an open invoice that a hold of
 * every step holds (a dispute: service/holds.h; rg_task_view.held) cannot
 * be claimed, nor closed unless it was claimed before (RG_ECONFLICT),
 * until dispute.resolved. A promise follows the rules of
 * service/promises.h.
 *
 * rg_task_claim() and rg_task_done() each own their transaction (begin,
 * work, commit; rolled back on any refusal: nothing half-written); call
 * them outside one. Results are caller-owned values.
 */
#ifndef RG_TASKS_H
#define RG_TASKS_H

#include <stdbool.h>

#include "base/err.h"
#include "service/promises.h"
#include "store/store.h"

typedef struct rg_task_done_params {
    const char *outcome;     /* required: 1..63 of [a-z0-9_-] ("promised", "no_answer", ...) */
    const char *note;        /* optional free text (UTF-8, at most 511 bytes) */
    const char *assignee;    /* optional: who closed it (default: whoever claimed it) */
    rg_date promise_date;    /* RG_DATE_NONE: no promise */
    rg_cents promise_amount; /* -1: the invoice's open balance */
    const char *source;      /* the event's source: "cli", "api" */
} rg_task_done_params;

typedef struct rg_task_done_result {
    rg_task_view task; /* as it is now (text "") */
    bool promised;
    rg_promise promise; /* when promised */
    int64_t event_id;   /* the promise.made event; 0 when none */
} rg_task_done_result;

/* Checks an assignee (1..63 bytes of UTF-8 text, no control characters); where names the option. */
rg_status rg_task_check_assignee(const char *assignee, const char *where, rg_err *e);

/* Claims task id for assignee. RG_ENOTFOUND for an unknown task,
 * RG_ECONFLICT for a done or cancelled task or one claimed by someone
 * else, RG_EINVAL for a bad assignee. *out is the task afterwards. */
rg_status rg_task_claim(rg_store *s, int64_t id, const char *assignee, rg_instant now, rg_task_view *out,
                        rg_err *e);

/* Every problem of p that needs no task, each handed to bad (the field:
 * "outcome", "note", "as" for the assignee, "promise_date" against today,
 * "promise_amount" of zero); how many. rg_task_done refuses the first
 * (RG_EINVAL) before it looks at the task; the API names them all. */
typedef void (*rg_task_problem_fn)(void *ctx, const char *field, const char *msg);
size_t rg_task_done_check(const rg_task_done_params *p, rg_date today, rg_task_problem_fn bad, void *ctx);

/* Closes task id (see the rules above). today is the local date promises
 * are checked against. */
rg_status rg_task_done(const rg_event_env *env, int64_t id, const rg_task_done_params *p, rg_date today, rg_instant now,
                       rg_task_done_result *out, rg_err *e);

#endif
