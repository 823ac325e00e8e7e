#include "engine/effects.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "channel/channel.h"
#include "service/holds.h"

/* Room for one more element in *v (of `size` bytes each); false when out of memory. */
static bool grow(void **v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return true;
    size_t c = *cap ? *cap * 2 : 64;
    void *p = realloc(*v, c * size);
    if (!p)
        return false;
    *v = p;
    *cap = c;
    return true;
}

static rg_fx_op *add_op(rg_effects *fx, rg_fx_kind kind, int64_t invoice_id)
{
    if (fx->oom || !grow((void **)&fx->ops, &fx->cap_ops, fx->n_ops, sizeof *fx->ops)) {
        fx->oom = true;
        return NULL;
    }
    rg_fx_op *op = &fx->ops[fx->n_ops++];
    memset(op, 0, sizeof *op);
    op->kind = kind;
    op->invoice_id = invoice_id;
    op->after_message = RG_FX_NONE;
    return op;
}

static void free_message_texts(rg_fx_message *x)
{
    free(x->subject);
    free(x->body);
    free(x->html);
    free(x->payload);
}

void rg_effects_clear(rg_effects *fx)
{
    for (size_t i = 0; i < fx->n_msgs; i++)
        free_message_texts(&fx->msgs[i]);
    fx->n_ops = fx->n_msgs = fx->n_tasks = fx->n_reissues = fx->n_links = 0;
    if (fx->text.oom)
        rg_buf_free(&fx->text);
    else
        rg_buf_reset(&fx->text);
    fx->oom = false;
    memset(&fx->stats, 0, sizeof fx->stats);
}

void rg_effects_free(rg_effects *fx)
{
    rg_effects_clear(fx);
    free(fx->ops);
    free(fx->msgs);
    free(fx->tasks);
    free(fx->reissues);
    free(fx->links);
    rg_buf_free(&fx->text);
    memset(fx, 0, sizeof *fx);
}

void rg_fx_progress(rg_effects *fx, int64_t invoice_id, const rg_cadence *c, const rg_progress *p,
                    size_t after_message, const rg_fx_agenda *ag)
{
    if (!p && ag->next_at == ag->read_at && (after_message == RG_FX_NONE || ag->wait_at == ag->read_at))
        return; /* nothing changes */
    size_t at = fx->text.len;
    if (p) {
        rg_progress_format(p, &fx->text);
        rg_buf_putc(&fx->text, '\0');
    }
    rg_fx_op *op = add_op(fx, RG_FX_PROGRESS, invoice_id);
    if (!op || fx->text.oom) {
        fx->oom = true;
        return;
    }
    op->item = at;
    op->cadence = p ? c : NULL;
    op->after_message = after_message;
    op->agenda = *ag;
}

void rg_fx_task(rg_effects *fx, const rg_task *t, size_t after_message)
{
    rg_fx_op *op = add_op(fx, RG_FX_TASK, t->invoice_id);
    if (!op)
        return;
    op->after_message = after_message;
    if (!grow((void **)&fx->tasks, &fx->cap_tasks, fx->n_tasks, sizeof *fx->tasks)) {
        fx->oom = true;
        return;
    }
    op->item = fx->n_tasks;
    fx->tasks[fx->n_tasks++] = *t;
}

void rg_fx_bureau(rg_effects *fx, int64_t invoice_id, rg_instant notice_at, size_t after_message)
{
    rg_fx_op *op = add_op(fx, RG_FX_BUREAU, invoice_id);
    if (op) {
        op->notice_at = notice_at;
        op->after_message = after_message;
    }
}

void rg_fx_offer(rg_effects *fx, int64_t invoice_id, const rg_cadence *c, const rg_cadence_step *st,
                 size_t after_message)
{
    rg_fx_op *op = add_op(fx, RG_FX_OFFER, invoice_id);
    if (op) {
        op->cadence = c;
        op->step = st;
        op->after_message = after_message;
    }
}

void rg_fx_promise_broken(rg_effects *fx, int64_t invoice_id, int64_t promise_id, rg_instant deadline)
{
    rg_fx_op *op = add_op(fx, RG_FX_PROMISE_BROKEN, invoice_id);
    if (op) {
        op->promise_id = promise_id;
        op->notice_at = deadline;
    }
}

void rg_fx_reissue(rg_effects *fx, int64_t invoice_id, const rg_reissue *r, size_t after_message)
{
    rg_fx_op *op = add_op(fx, RG_FX_REISSUE, invoice_id);
    if (!op)
        return;
    op->after_message = after_message;
    if (!grow((void **)&fx->reissues, &fx->cap_reissues, fx->n_reissues, sizeof *fx->reissues)) {
        fx->oom = true;
        return;
    }
    op->item = fx->n_reissues;
    fx->reissues[fx->n_reissues++] = *r;
}

rg_fx_message *rg_fx_message_add(rg_effects *fx, size_t *index)
{
    rg_fx_op *op = add_op(fx, RG_FX_MESSAGE, 0);
    if (!op)
        return NULL;
    if (!grow((void **)&fx->msgs, &fx->cap_msgs, fx->n_msgs, sizeof *fx->msgs)) {
        fx->oom = true;
        return NULL;
    }
    op->item = *index = fx->n_msgs;
    rg_fx_message *x = &fx->msgs[fx->n_msgs++];
    memset(x, 0, sizeof *x);
    return x;
}

void rg_fx_message_invoices(rg_effects *fx, size_t index, const rg_invoice *const *invs, size_t n)
{
    rg_fx_message *x = &fx->msgs[index];
    x->ids_at = fx->text.len;
    x->links_at = fx->n_links;
    x->n_invoices = n;
    for (size_t k = 0; k < n; k++) {
        if (k)
            rg_buf_putc(&fx->text, '|');
        rg_buf_puts(&fx->text, invs[k]->external_id);
        if (!grow((void **)&fx->links, &fx->cap_links, fx->n_links, sizeof *fx->links)) {
            fx->oom = true;
            return;
        }
        fx->links[fx->n_links++] = invs[k]->id;
    }
    rg_buf_putc(&fx->text, '\0');
    if (fx->text.oom)
        fx->oom = true;
}

/* After its insert: links, counts and, on an inline channel, the send. */
static rg_status deliver(rg_engine *eng, const rg_effects *fx, rg_fx_message *x, rg_instant now,
                         rg_tick_stats *st, rg_err *e)
{
    rg_message *m = &x->m;
    if (!x->created) {
        if (x->consolidated) {
            /* today's consolidated message of this step already went: these wait for tomorrow */
            st->deferred += (int64_t)x->n_invoices;
            st->fired -= (int64_t)x->n_invoices;
        }
        return RG_OK;
    }
    st->messages++;
    rg_status rc;
    for (size_t k = 0; x->n_invoices > 1 && k < x->n_invoices; k++)
        if ((rc = rg_store_message_link_invoice(eng->store, m->id, fx->links[x->links_at + k], e)) != RG_OK)
            return rc;
    if (m->status == RG_MSG_SUPPRESSED) {
        st->suppressed++;
        return RG_OK;
    }
    if (m->status == RG_MSG_QUEUED) {
        st->queued++;
        return RG_OK;
    }
    if (!eng->dry_run) {
        int ci = rg_engine_channel_index(eng, m->channel);
        char addr[300];
        rg_outgoing og = {m, x->customer, rg_channel_address(m->channel, x->customer, addr, sizeof addr),
                          fx->text.p + x->ids_at};
        rg_send_result sr;
        rg_err se;
        if (rg_channel_send(eng->channels[ci].ch, &og, &sr, &se) != RG_OK) {
            /* an inline channel that fails leaves the message for the dispatcher */
            if ((rc = rg_store_message_set_status(eng->store, m->id, RG_MSG_QUEUED, se.msg, 0, now, e)) != RG_OK)
                return rc;
            st->queued++;
            return RG_OK;
        }
    }
    st->sent++;
    return RG_OK;
}

rg_status rg_effects_apply(rg_engine *eng, rg_effects *fx, rg_instant now, rg_tick_stats *st, rg_err *e)
{
    if (fx->oom)
        return rg_err_set(e, RG_ENOMEM, "engine", "out of memory");
    rg_status rc = RG_OK;
    rg_message **ms = malloc((fx->n_msgs ? fx->n_msgs : 1) * sizeof *ms);
    bool *inserted = malloc((fx->n_msgs ? fx->n_msgs : 1) * sizeof *inserted);
    rg_progress_write *pw = malloc((fx->n_ops ? fx->n_ops : 1) * sizeof *pw);
    size_t n_pw = 0;
    if (!ms || !inserted || !pw) {
        rc = rg_err_set(e, RG_ENOMEM, "engine", "out of memory");
        goto out;
    }
    for (size_t i = 0; i < fx->n_msgs; i++) {
        rg_fx_message *x = &fx->msgs[i];
        x->m.subject = x->subject;
        x->m.body = x->body;
        x->m.html = x->html;
        x->m.payload = x->payload;
        ms[i] = &x->m;
    }
    if ((rc = rg_store_message_insert_many(eng->store, ms, fx->n_msgs, inserted, e)) != RG_OK)
        goto out;
    for (size_t i = 0; i < fx->n_msgs; i++)
        fx->msgs[i].created = inserted[i];
    for (size_t i = 0; i < fx->n_ops && rc == RG_OK; i++) {
        const rg_fx_op *op = &fx->ops[i];
        if (op->kind != RG_FX_MESSAGE && op->kind != RG_FX_PROGRESS && op->after_message != RG_FX_NONE &&
            !fx->msgs[op->after_message].created)
            continue; /* its step's message did not go in: the step waits (progress: see below) */
        switch (op->kind) {
        case RG_FX_PROGRESS: {
            bool waits = op->after_message != RG_FX_NONE && !fx->msgs[op->after_message].created;
            rg_progress_write *w = &pw[n_pw];
            *w = (rg_progress_write){op->invoice_id, NULL, NULL, NULL, waits ? op->agenda.wait_at : op->agenda.next_at,
                                     op->agenda.wakes};
            if (op->cadence && !waits) {
                w->cadence = op->cadence->name;
                w->version = op->cadence->version;
                w->steps = fx->text.p + op->item;
            }
            if (w->cadence || w->next_at != op->agenda.read_at)
                n_pw++;
            break;
        }
        case RG_FX_TASK:
            rc = rg_store_task_insert(eng->store, &fx->tasks[op->item], e);
            st->tasks++;
            break;
        case RG_FX_BUREAU: {
            bool created = false;
            rc = rg_store_bureau_request(eng->store, op->invoice_id, op->notice_at, now, &created, e);
            st->bureau_requests += created;
            break;
        }
        case RG_FX_REISSUE:
            rc = rg_store_invoice_reissue(eng->store, op->invoice_id, &fx->reissues[op->item], now, e);
            st->reissues++;
            break;
        case RG_FX_MESSAGE:
            rc = deliver(eng, fx, &fx->msgs[op->item], now, st, e);
            break;
        case RG_FX_OFFER: {
            char source[160];
            snprintf(source, sizeof source, "step:%s/%s", op->cadence->name, op->step->id);
            rc = rg_offer_make(eng->store, op->invoice_id, &op->step->offer, source, now, NULL, e);
            break;
        }
        case RG_FX_PROMISE_BROKEN: {
            /* recorded like any event, so that triggers can answer it */
            rg_event_env env = {eng->store, eng->zones, &eng->triggers};
            bool changed = false;
            rc = rg_promise_break(&env, op->invoice_id, op->promise_id, op->notice_at, &changed, e);
            st->promises_broken += changed;
            break;
        }
        }
    }
    if (rc == RG_OK)
        rc = rg_store_progress_put_many(eng->store, pw, n_pw, e);
out:
    free(ms);
    free(inserted);
    free(pw);
    return rc;
}

void rg_tick_stats_add(rg_tick_stats *a, const rg_tick_stats *b)
{
    a->invoices += b->invoices;
    a->no_cadence += b->no_cadence;
    a->prescribed += b->prescribed;
    a->fired += b->fired;
    a->superseded += b->superseded;
    a->no_notice += b->no_notice;
    a->not_by_letter += b->not_by_letter;
    a->added_after += b->added_after;
    a->no_phone += b->no_phone;
    a->messages += b->messages;
    a->sent += b->sent;
    a->queued += b->queued;
    a->suppressed += b->suppressed;
    a->deferred += b->deferred;
    a->tasks += b->tasks;
    a->reissues += b->reissues;
    a->bureau_requests += b->bureau_requests;
    a->timers_fired += b->timers_fired;
    a->timers_waiting += b->timers_waiting;
    a->timers_cancelled += b->timers_cancelled;
    a->held += b->held;
    a->promises_broken += b->promises_broken;
}
