#include "service/tasks.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

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

rg_status rg_task_claim(rg_store *s, int64_t id, const char *assignee, rg_instant now, rg_task_view *out,
                        rg_err *e)
{
    rg_status rc;
    memset(out, 0, sizeof *out);
    if ((rc = rg_task_check_assignee(assignee, "as", e)) != RG_OK)
        return rc;
    rg_task_view v;
    if ((rc = rg_store_task_get(s, id, &v, e)) != RG_OK)
        return rc;
    if ((rc = refuse_closed(&v, "claimed", e)) != RG_OK)
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

static rg_status add_promise(rg_store *s, const rg_task_view *v, const rg_task_done_params *p, rg_date today,
                             rg_instant now, rg_task_done_result *out, rg_err *e)
{
    rg_status rc;
    char d1[16], d2[16];
    if (p->promise_date < today)
        return rg_err_set(e, RG_EINVAL, "promise_date", "%s is in the past (today is %s)",
                          rg_date_format_iso(p->promise_date, d1, sizeof d1), rg_date_format_iso(today, d2, sizeof d2));
    if (p->promise_date > today + RG_PROMISE_MAX_DAYS)
        return rg_err_set(e, RG_EINVAL, "promise_date",
                          "%s is more than %d days ahead (latest %s); a longer term is an agreement (acordo)",
                          rg_date_format_iso(p->promise_date, d1, sizeof d1), RG_PROMISE_MAX_DAYS,
                          rg_date_format_iso(today + RG_PROMISE_MAX_DAYS, d2, sizeof d2));
    rg_cents amount = p->promise_amount;
    if (v->task.invoice_id) {
        rg_invoice inv;
        if ((rc = rg_store_invoice_get_by_id(s, v->task.invoice_id, &inv, e)) != RG_OK)
            return rc;
        char where[96];
        snprintf(where, sizeof where, "invoice %s", inv.external_id);
        if (inv.status != RG_INV_OPEN || rg_invoice_balance(&inv) <= 0)
            return rg_err_set(e, RG_ECONFLICT, where, "is %s: there is nothing left to promise",
                              rg_invoice_status_name(inv.status));
        rg_cents balance = rg_invoice_balance(&inv);
        if (amount < 0)
            amount = balance;
        char a1[40], a2[40];
        if (amount > balance)
            return rg_err_set(e, RG_EINVAL, "promise_amount", "%s is more than the open balance of %s (%s)",
                              rg_money_format_brl(amount, a1, sizeof a1), inv.external_id,
                              rg_money_format_brl(balance, a2, sizeof a2));
    } else if (amount < 0) {
        return rg_err_set(e, RG_EINVAL, "promise_amount", "the task has no invoice: say the amount promised");
    }
    if (amount <= 0)
        return rg_err_set(e, RG_EINVAL, "promise_amount", "a promise must be of more than zero");

    rg_promise *pr = &out->promise;
    memset(pr, 0, sizeof *pr);
    pr->customer_id = v->task.customer_id;
    pr->invoice_id = v->task.invoice_id;
    pr->promised_date = p->promise_date;
    pr->amount = amount;
    snprintf(pr->source, sizeof pr->source, "task:%lld", (long long)v->task.id);
    pr->created_at = now;
    pr->resolved_at = RG_INSTANT_NONE;
    if ((rc = rg_store_promise_insert(s, pr, e)) != RG_OK)
        return rc;
    /* a promise may hold steps: re-plan what it concerns at the next tick */
    rc = pr->invoice_id ? rg_store_invoice_wake(s, pr->invoice_id, RG_WAKE_NOW, e)
                        : rg_store_customer_wake(s, pr->customer_id, RG_WAKE_NOW, e);
    if (rc != RG_OK)
        return rc;
    out->promised = true;

    char amt[32];
    json_t *pl = json_pack("{s:I, s:s, s:s, s:I, s:s}", "promise_id", (json_int_t)pr->id, "promised_date",
                           rg_date_format_iso(pr->promised_date, d1, sizeof d1), "amount",
                           rg_money_format_plain(amount, amt, sizeof amt), "task_id", (json_int_t)v->task.id,
                           "outcome", p->outcome);
    char *payload = pl ? json_dumps(pl, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(pl);
    if (!payload)
        return rg_err_set(e, RG_ENOMEM, "tasks", "out of memory");
    rg_event ev;
    memset(&ev, 0, sizeof ev);
    rg_strlcpy(ev.type, "promise.made", sizeof ev.type);
    ev.at = now;
    rg_strlcpy(ev.source, p->source && p->source[0] ? p->source : "cli", sizeof ev.source);
    ev.customer_id = v->task.customer_id;
    ev.invoice_id = v->task.invoice_id;
    ev.payload = payload;
    rc = rg_store_event_add(s, &ev, &out->event_id, e);
    free(payload);
    return rc;
}

rg_status rg_task_done(rg_store *s, int64_t id, const rg_task_done_params *p, rg_date today, rg_instant now,
                       rg_task_done_result *out, rg_err *e)
{
    rg_status rc;
    memset(out, 0, sizeof *out);
    if ((rc = check_outcome(p->outcome, e)) != RG_OK)
        return rc;
    if (p->note && strlen(p->note) > 511)
        return rg_err_set(e, RG_EINVAL, "note", "longer than 511 bytes (%zu)", strlen(p->note));
    if (p->assignee && p->assignee[0] && (rc = rg_task_check_assignee(p->assignee, "as", e)) != RG_OK)
        return rc;
    rg_task_view v;
    if ((rc = rg_store_task_get(s, id, &v, e)) != RG_OK)
        return rc;
    if ((rc = refuse_closed(&v, "done again", e)) != RG_OK)
        return rc;
    if (p->promise_date != RG_DATE_NONE && (rc = add_promise(s, &v, p, today, now, out, e)) != RG_OK)
        return rc;
    bool changed = false;
    if ((rc = rg_store_task_finish(s, id, p->assignee, p->outcome, p->note ? p->note : "", now, &changed, e)) !=
        RG_OK)
        return rc;
    if (!changed)
        return rg_err_set(e, RG_ECONFLICT, "task", "task %lld changed while being closed; try again", (long long)id);
    return rg_store_task_get(s, id, &out->task, e);
}
