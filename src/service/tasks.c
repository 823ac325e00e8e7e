#include "service/tasks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/utf8.h"

rg_status rg_task_check_assignee(const char *assignee, const char *where, rg_err *e)
{
    if (!assignee || !assignee[0])
        return rg_err_set(e, RG_EINVAL, where, "say who (a name, at most 63 bytes)");
    size_t n = strlen(assignee);
    if (n > 63)
        return rg_err_set(e, RG_EINVAL, where, "longer than 63 bytes (%zu)", n);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)assignee[i] < 0x20 || assignee[i] == 0x7f)
            return rg_err_set(e, RG_EINVAL, where, "a control character at byte %zu", i + 1);
    if (!rg_utf8_valid(assignee, n))
        return rg_err_set(e, RG_EINVAL, where, "not valid UTF-8 text (check the terminal's encoding)");
    return RG_OK;
}

static rg_status check_outcome(const char *o, rg_err *e)
{
    if (!o || !o[0])
        return rg_err_set(e, RG_EINVAL, "outcome", "say the outcome (e.g. promised, no_answer, paid, refused)");
    size_t n = strlen(o);
    if (n > 63)
        return rg_err_set(e, RG_EINVAL, "outcome", "longer than 63 characters (%zu)", n);
    for (size_t i = 0; i < n; i++) {
        char c = o[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return rg_err_set(e, RG_EINVAL, "outcome",
                              "'%s' has '%c' at position %zu; use lowercase letters, digits, '_' and '-'", o, c,
                              i + 1);
    }
    return RG_OK;
}

/* Refuses a done or cancelled task (RG_ECONFLICT saying why); RG_OK otherwise. */
static rg_status refuse_closed(const rg_task_view *v, const char *what, rg_err *e)
{
    char where[32];
    snprintf(where, sizeof where, "task %lld", (long long)v->task.id);
    if (!strcmp(v->task.status, "done")) {
        char at[32] = "";
        if (v->done_at != RG_INSTANT_NONE)
            rg_instant_format(v->done_at, at, sizeof at);
        return rg_err_set(e, RG_ECONFLICT, where, "is already done (outcome '%s'%s%s%s%s); a done task cannot be %s",
                          v->task.outcome, at[0] ? ", at " : "", at, v->task.assignee[0] ? ", by " : "",
                          v->task.assignee[0] ? v->task.assignee : "", what);
    }
    if (!strcmp(v->task.status, "cancelled"))
        return rg_err_set(e, RG_ECONFLICT, where, "was cancelled; a cancelled task cannot be %s", what);
    return RG_OK;
}

/* Refuses a task a dispute holds (RG_ECONFLICT saying until when). */
static rg_status refuse_held(const rg_task_view *v, const char *what, rg_err *e)
{
    if (!v->held[0])
        return RG_OK;
    char where[32];
    snprintf(where, sizeof where, "task %lld", (long long)v->task.id);
    return rg_err_set(e, RG_ECONFLICT, where, "is held: %s on invoice %s; it can be %s once it is lifted%s", v->held,
                      v->invoice_external_id,
                      what, !strcmp(v->held, "dispute") ? " (dispute.resolved)" : "");
}

static rg_status claim_in(rg_store *s, int64_t id, const char *assignee, rg_instant now, rg_task_view *out,
                          rg_err *e)
{
    rg_status rc;
    rg_task_view v;
    if ((rc = rg_store_task_get(s, id, &v, e)) != RG_OK)
        return rc;
    if ((rc = refuse_closed(&v, "claimed", e)) != RG_OK || (rc = refuse_held(&v, "claimed", e)) != RG_OK)
        return rc;
    if (!strcmp(v.task.status, "claimed") && strcmp(v.task.assignee, assignee) != 0 && v.task.assignee[0]) {
        char where[32];
        snprintf(where, sizeof where, "task %lld", (long long)id);
        return rg_err_set(e, RG_ECONFLICT, where, "is already claimed by %s",
                          v.task.assignee);
    }
    bool changed = false;
    if ((rc = rg_store_task_claim(s, id, assignee, now, &changed, e)) != RG_OK)
        return rc;
    if (!changed)
        return rg_err_set(e, RG_ECONFLICT, "task", "task %lld changed while being claimed; try again", (long long)id);
    return rg_store_task_get(s, id, out, e);
}

rg_status rg_task_claim(rg_store *s, int64_t id, const char *assignee, rg_instant now, rg_task_view *out,
                        rg_err *e)
{
    memset(out, 0, sizeof *out);
    rg_status rc = rg_task_check_assignee(assignee, "as", e);
    if (rc == RG_OK)
        rc = rg_store_begin(s, e);
    if (rc != RG_OK)
        return rc;
    rc = claim_in(s, id, assignee, now, out, e);
    return rg_store_end(s, rc, e);
}

static rg_status add_promise(const rg_event_env *env, const rg_task_view *v, const rg_task_done_params *p,
                             rg_date today, rg_instant now, rg_task_done_result *out, rg_err *e)
{
    if (!v->task.invoice_id && p->promise_amount < 0)
        return rg_err_set(e, RG_EINVAL, "promise_amount", "the task has no invoice: say the amount promised");
    char source[64];
    snprintf(source, sizeof source, "task:%lld", (long long)v->task.id);
    rg_promise_params pp = {v->task.customer_id, v->task.invoice_id, p->promise_date, p->promise_amount, source,
                            p->source && p->source[0] ? p->source : "cli", now, v->task.id, p->outcome};
    rg_event_out eo;
    rg_status rc = rg_promise_make(env, &pp, today, &out->promise, &eo, e);
    out->event_id = eo.event_id;
    out->promised = rc == RG_OK;
    return rc;
}

/* The dispatcher's review task of a message still `uncertain` is closed
 * by deciding about the message (service/messages.h), never alone: a done
 * task would leave the message uncertain with nobody looking at it. */
static rg_status refuse_uncertain_review(rg_store *s, const rg_task_view *v, rg_err *e)
{
    if (!v->message_id || strcmp(v->task.kind, "review") != 0)
        return RG_OK;
    rg_message_ref m;
    rg_status rc = rg_store_message_ref(s, v->message_id, &m, e);
    if (rc == RG_ENOTFOUND)
        return RG_OK;
    if (rc != RG_OK)
        return rc;
    if (m.status != RG_MSG_UNCERTAIN)
        return RG_OK;
    return rg_err_set(e, RG_ECONFLICT, "task",
                      "task %lld reviews message %lld, which is still uncertain: decide with 'regua messages resolve"
                      " %lld --sent|--resend|--failed' (that closes the task)",
                      (long long)v->task.id, (long long)v->message_id, (long long)v->message_id);
}

static rg_status check_note(const char *note, rg_err *e)
{
    if (note && strlen(note) > 511)
        return rg_err_set(e, RG_EINVAL, "note", "longer than 511 bytes (%zu)", strlen(note));
    if (note && !rg_utf8_valid(note, strlen(note)))
        return rg_err_set(e, RG_EINVAL, "note", "not valid UTF-8 text (check the terminal's encoding)");
    return RG_OK;
}

/* Hands one check's refusal to bad; 1 when there was one. */
static size_t report(rg_status rc, const rg_err *e, rg_task_problem_fn bad, void *ctx)
{
    if (rc == RG_OK)
        return 0;
    bad(ctx, e->where, e->msg);
    return 1;
}

size_t rg_task_done_check(const rg_task_done_params *p, rg_date today, rg_task_problem_fn bad, void *ctx)
{
    rg_err e;
    size_t n = report(check_outcome(p->outcome, &e), &e, bad, ctx);
    n += report(check_note(p->note, &e), &e, bad, ctx);
    if (p->assignee && p->assignee[0])
        n += report(rg_task_check_assignee(p->assignee, "as", &e), &e, bad, ctx);
    if (p->promise_date != RG_DATE_NONE)
        n += report(rg_promise_check_date(p->promise_date, today, &e), &e, bad, ctx);
    if (p->promise_amount == 0)
        n += report(rg_err_set(&e, RG_EINVAL, "promise_amount", "a promise must be of more than zero"), &e, bad,
                    ctx);
    return n;
}

/* rg_task_done_check's first problem, as an error. */
static void first_problem(void *ctx, const char *field, const char *msg)
{
    rg_err *e = ctx;
    if (e->code == RG_OK)
        rg_err_set(e, RG_EINVAL, field, "%s", msg);
}

static rg_status done_in(const rg_event_env *env, int64_t id, const rg_task_done_params *p, rg_date today,
                         rg_instant now, rg_task_done_result *out, rg_err *e)
{
    rg_store *s = env->store;
    rg_status rc;
    rg_task_view v;
    if ((rc = rg_store_task_get(s, id, &v, e)) != RG_OK)
        return rc;
    if ((rc = refuse_closed(&v, "done again", e)) != RG_OK)
        return rc;
    if ((rc = refuse_uncertain_review(s, &v, e)) != RG_OK)
        return rc;
    /* a held task is not taken up; one claimed before the hold may be closed by whoever is on it */
    if (strcmp(v.task.status, "claimed") != 0 && (rc = refuse_held(&v, "closed", e)) != RG_OK)
        return rc;
    if (p->promise_date != RG_DATE_NONE && (rc = add_promise(env, &v, p, today, now, out, e)) != RG_OK)
        return rc;
    bool changed = false;
    if ((rc = rg_store_task_finish(s, id, p->assignee, p->outcome, p->note ? p->note : "", now, &changed, e)) !=
        RG_OK)
        return rc;
    if (!changed)
        return rg_err_set(e, RG_ECONFLICT, "task", "task %lld changed while being closed; try again", (long long)id);
    return rg_store_task_get(s, id, &out->task, e);
}

rg_status rg_task_done(const rg_event_env *env, int64_t id, const rg_task_done_params *p, rg_date today,
                       rg_instant now, rg_task_done_result *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    rg_err_clear(e);
    rg_task_done_check(p, today, first_problem, e);
    rg_status rc = e->code;
    if (rc == RG_OK)
        rc = rg_store_begin(env->store, e);
    if (rc != RG_OK)
        return rc;
    rc = done_in(env, id, p, today, now, out, e);
    return rg_store_end(env->store, rc, e);
}
