/*
 * The `task` driver (inline): a message sent through it becomes an
 * operator task of kind "message" in the queue (`regua task list`),
 * carrying the rendered text, due when the message was planned, for the
 * channel's `assignee` when set. One message makes one task: sending the
 * same message again finds the task it already made.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "channel/channel.h"

typedef struct task_state {
    rg_store *store;
    char assignee[64];
} task_state;

static rg_status task_open(const rg_channel_config *cfg, const rg_channel_env *env, void **state, rg_err *e)
{
    if (!env || !env->store)
        return rg_err_set(e, RG_EINTERNAL, "task", "the task driver needs the store (rg_channel_env.store)");
    const char *assignee = rg_channel_setting(cfg, "assignee");
    task_state *s = calloc(1, sizeof *s);
    if (!s)
        return rg_err_set(e, RG_ENOMEM, "task", "out of memory");
    s->store = env->store;
    if (assignee && !rg_strlcpy(s->assignee, assignee, sizeof s->assignee)) {
        free(s);
        return rg_err_set(e, RG_EINVAL, "assignee", "longer than %zu bytes", sizeof s->assignee - 1);
    }
    *state = s;
    return RG_OK;
}

static rg_status task_send(void *state, const rg_outgoing *out, rg_send_result *res, rg_err *e)
{
    task_state *s = state;
    const rg_message *m = out->message;
    rg_task t;
    memset(&t, 0, sizeof t);
    rg_strlcpy(t.kind, "message", sizeof t.kind);
    t.customer_id = out->customer->id;
    t.invoice_id = m->invoice_id;
    if (m->cadence[0])
        snprintf(t.source, sizeof t.source, "%s:%s/%s", m->source_kind[0] ? m->source_kind : "step", m->cadence,
                 m->source_id);
    else
        snprintf(t.source, sizeof t.source, "%s:%s", m->source_kind[0] ? m->source_kind : "manual", m->source_id);
    rg_strlcpy(t.assignee, s->assignee, sizeof t.assignee);
    t.due_at = m->planned_for;
    t.created_at = m->sent_at > 0 ? m->sent_at : m->planned_for;
    rg_buf text = RG_BUF_INIT;
    if (m->subject && m->subject[0])
        rg_buf_printf(&text, "%s\n\n", m->subject);
    rg_buf_puts(&text, m->body ? m->body : "");
    if (text.oom) {
        rg_buf_free(&text);
        res->outcome = RG_SEND_TRANSIENT;
        rg_strlcpy(res->error, "out of memory", sizeof res->error);
        return rg_err_set(e, RG_ENOMEM, "task", "out of memory");
    }
    bool inserted = false;
    rg_status rc = rg_store_task_insert_for_message(s->store, &t, m->id, rg_buf_cstr(&text), &inserted, e);
    rg_buf_free(&text);
    if (rc != RG_OK) {
        res->outcome = RG_SEND_TRANSIENT;
        snprintf(res->error, sizeof res->error, "cannot create the task: %s", e ? e->msg : "store error");
        return rc;
    }
    res->outcome = RG_SEND_OK;
    snprintf(res->provider_id, sizeof res->provider_id, "task:%lld", (long long)t.id);
    return RG_OK;
}

static void task_close(void *state)
{
    free(state);
}

const rg_channel_driver rg_driver_task = {
    .name = "task",
    .inline_send = true,
    .open = task_open,
    .send = task_send,
    .close = task_close,
};
