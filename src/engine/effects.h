/*
 * effects — what planning one batch of a tick decided, as an ordered list
 * of writes and sends, and their application on the write connection.
 *
 * Planning (read, plan, render) only appends here and touches no store, so
 * the tick can plan the next batch on a second thread while this one's
 * effects are applied. rg_effects_apply() runs them in the order they were
 * appended, after inserting the batch's messages many rows per statement.
 * Ownership: an rg_effects owns its texts and the rendered message bodies;
 * message items point at the batch's customer rows, which must outlive
 * the apply.
 */
#ifndef RG_ENGINE_EFFECTS_H
#define RG_ENGINE_EFFECTS_H

#include "base/buf.h"
#include "engine/engine_int.h"
#include "engine/progress.h"

#define RG_FX_NONE SIZE_MAX

typedef struct rg_fx_message {
    rg_message m; /* subject, body, html and payload are set from the owned texts at apply */
    char *subject, *body, *html, *payload; /* owned (rendered) */
    const rg_customer *customer;           /* the batch row's */
    size_t ids_at;                         /* "F1|F2": its invoices' external ids, in the text arena */
    size_t links_at;                       /* its invoices' ids, in the links vector */
    size_t n_invoices;
    bool consolidated;
    bool created; /* set by apply: the message went in (its key was new) */
} rg_fx_message;

typedef enum {
    RG_FX_PROGRESS,
    RG_FX_TASK,
    RG_FX_BUREAU,
    RG_FX_REISSUE,
    RG_FX_MESSAGE,
    RG_FX_PROMISE_BROKEN,
    RG_FX_OFFER
} rg_fx_kind;

/* An invoice's agenda instant as the tick leaves it (store.h, "the agenda"). */
typedef struct rg_fx_agenda {
    rg_instant next_at; /* once the planned writes are done */
    rg_instant wait_at; /* when the message it waits on was not created (a consolidated one went today) */
    rg_instant read_at; /* as read: an unchanged instant and progress is not written at all */
    int64_t wakes;      /* the wakes counter as read */
} rg_fx_agenda;

typedef struct rg_fx_op {
    rg_fx_kind kind;
    int64_t invoice_id;
    size_t item; /* task, reissue or message index; progress: its text in the arena */
    const rg_cadence *cadence; /* progress; NULL: the progress is unchanged, only the agenda moves */
    size_t after_message;      /* written only once this message is created; RG_FX_NONE: always */
    rg_instant notice_at;      /* bureau */
    rg_fx_agenda agenda;       /* progress */
    int64_t promise_id;        /* promise broken */
    const rg_cadence_step *step; /* offer: the step that makes it (op->cadence its cadence) */
} rg_fx_op;

typedef struct rg_effects {
    rg_fx_op *ops;
    size_t n_ops, cap_ops;
    rg_fx_message *msgs;
    size_t n_msgs, cap_msgs;
    rg_task *tasks;
    size_t n_tasks, cap_tasks;
    rg_reissue *reissues;
    size_t n_reissues, cap_reissues;
    int64_t *links;
    size_t n_links, cap_links;
    rg_buf text;
    bool oom;
    rg_tick_stats stats; /* what planning counted; apply counts the rest */
} rg_effects;

void rg_effects_clear(rg_effects *fx); /* keeps the allocations */
void rg_effects_free(rg_effects *fx);

/* An invoice's new progress (p NULL: unchanged) and agenda instant; with
 * after_message, the progress is written only if that message is created
 * (else the instant is ag.wait_at). */
void rg_fx_progress(rg_effects *fx, int64_t invoice_id, const rg_cadence *c, const rg_progress *p,
                    size_t after_message, const rg_fx_agenda *ag);
/* A step's actions, written only once message `after_message` is created
 * (RG_FX_NONE: always) — nothing of a step happens unless its message goes in. */
void rg_fx_task(rg_effects *fx, const rg_task *t, size_t after_message);
void rg_fx_bureau(rg_effects *fx, int64_t invoice_id, rg_instant notice_at, size_t after_message);
void rg_fx_reissue(rg_effects *fx, int64_t invoice_id, const rg_reissue *r, size_t after_message);
/* The offer of step st (of cadence c), recorded (rg_offer_make) once
 * message after_message is created. */
void rg_fx_offer(rg_effects *fx, int64_t invoice_id, const rg_cadence *c, const rg_cadence_step *st,
                 size_t after_message);
/* A pending promise whose deadline passed unpaid (rg_promise_break). */
void rg_fx_promise_broken(rg_effects *fx, int64_t invoice_id, int64_t promise_id, rg_instant deadline);
/* A new message (zeroed) at the end of the list, its index in *index; NULL
 * when out of memory. The pointer lasts until the next add. */
rg_fx_message *rg_fx_message_add(rg_effects *fx, size_t *index);
/* Records a message's invoices: their ids (to link) and external ids. */
void rg_fx_message_invoices(rg_effects *fx, size_t index, const rg_invoice *const *invs, size_t n);

/* Runs the effects on eng's store (inside the caller's transaction) and
 * delivers the messages of inline channels; adds what it counts to stats. */
rg_status rg_effects_apply(rg_engine *eng, rg_effects *fx, rg_instant now, rg_tick_stats *stats, rg_err *e);

/* a += b, field by field */
void rg_tick_stats_add(rg_tick_stats *a, const rg_tick_stats *b);

#endif
