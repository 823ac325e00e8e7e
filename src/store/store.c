#include "store/store.h"

#include <string.h>

#include "store/backend.h"

rg_status rg_store_open(const char *location, rg_store **out, rg_err *e)
{
    *out = NULL;
    if (!location || !*location)
        return rg_err_set(e, RG_EUSAGE, "store", "no database location given");
    if (!strncmp(location, "postgres://", 11) || !strncmp(location, "postgresql://", 13))
        return rg_err_set(e, RG_EUSAGE, "store",
                          "the PostgreSQL backend is not built yet; use a SQLite file path");
    if (!strncmp(location, "sqlite:", 7))
        location += 7;
    return rg_sqlite_open(location, out, e);
}

void rg_store_close(rg_store *s)
{
    if (s)
        s->ops->close(s);
}

rg_status rg_store_info_get(rg_store *s, rg_store_info *out, rg_err *e)
{
    return s->ops->info_get(s, out, e);
}

rg_status rg_store_begin(rg_store *s, rg_err *e)
{
    rg_status rc = s->ops->begin(s, e);
    if (rc == RG_OK)
        s->writing = true;
    return rc;
}

rg_status rg_store_begin_read(rg_store *s, rg_err *e)
{
    return s->ops->begin_read(s, e);
}

rg_status rg_store_commit(rg_store *s, rg_err *e)
{
    if (s->writing && s->idem_armed) {
        /* the request's Idempotency-Key is marked carried out in the
         * operation's own transaction (rg_store_idem_arm) */
        bool held = false;
        rg_status rc = s->ops->idem_mark(s, s->idem_api_key_id, s->idem_key, s->idem_claimed_at, &held, e);
        if (rc == RG_OK && !held)
            rc = rg_err_set(e, RG_ECONFLICT, "Idempotency-Key",
                            "a later request with this Idempotency-Key took it over (this one ran so long that"
                            " its key counted as abandoned): nothing of this one was recorded");
        if (rc != RG_OK)
            return rc;
    }
    rg_status rc = s->ops->commit(s, e);
    if (rc == RG_OK)
        s->writing = false;
    return rc;
}

void rg_store_rollback(rg_store *s)
{
    s->ops->rollback(s);
    s->writing = false;
}

rg_status rg_store_savepoint(rg_store *s, rg_err *e)
{
    return s->ops->savepoint(s, e);
}

int64_t rg_store_writes(rg_store *s)
{
    return s->ops->writes(s);
}

rg_status rg_store_savepoint_release(rg_store *s, rg_err *e)
{
    return s->ops->savepoint_release(s, e);
}

void rg_store_savepoint_rollback(rg_store *s)
{
    s->ops->savepoint_rollback(s);
}

rg_status rg_store_end(rg_store *s, rg_status rc, rg_err *e)
{
    if (rc == RG_OK)
        rc = rg_store_commit(s, e);
    if (rc != RG_OK)
        rg_store_rollback(s);
    return rc;
}

rg_status rg_store_customer_upsert(rg_store *s, rg_customer *c, unsigned fields, rg_instant now,
                                   rg_upsert_result *res, rg_err *e)
{
    return s->ops->customer_upsert(s, c, fields, now, res, e);
}

rg_status rg_store_customer_get(rg_store *s, const char *external_id, rg_customer *out, rg_err *e)
{
    return s->ops->customer_get(s, external_id, 0, out, e);
}

rg_status rg_store_customer_get_by_id(rg_store *s, int64_t id, rg_customer *out, rg_err *e)
{
    return s->ops->customer_get(s, NULL, id, out, e);
}

rg_status rg_store_customer_id(rg_store *s, const char *external_id, int64_t *id, rg_err *e)
{
    return s->ops->customer_id(s, external_id, id, e);
}

rg_status rg_store_customer_anonymize(rg_store *s, int64_t customer_id, const char *name, rg_instant now,
                                      rg_anonymize_counts *out, rg_err *e)
{
    return s->ops->customer_anonymize(s, customer_id, name, now, out, e);
}

rg_status rg_store_customer_each(rg_store *s, const rg_customer_filter *f, rg_customer_fn fn,
                                 void *ctx, rg_err *e)
{
    return s->ops->customer_each(s, f, fn, ctx, e);
}

rg_status rg_store_invoice_upsert(rg_store *s, rg_invoice *inv, unsigned fields, rg_instant now,
                                  rg_upsert_result *res, rg_err *e)
{
    return s->ops->invoice_upsert(s, inv, fields, now, res, e);
}

rg_status rg_store_invoice_get(rg_store *s, const char *external_id, rg_invoice *out, rg_err *e)
{
    return s->ops->invoice_get(s, external_id, 0, out, e);
}

rg_status rg_store_invoice_get_by_id(rg_store *s, int64_t id, rg_invoice *out, rg_err *e)
{
    return s->ops->invoice_get(s, NULL, id, out, e);
}

rg_status rg_store_invoice_find_for_bank(rg_store *s, const char *nosso_numero, const char *document_number,
                                         rg_invoice *out, rg_err *e)
{
    return s->ops->invoice_find_for_bank(s, nosso_numero, document_number, out, e);
}

rg_status rg_store_invoice_set_paid(rg_store *s, int64_t id, rg_cents paid, rg_invoice_status st,
                                    rg_date paid_on, rg_instant now, rg_err *e)
{
    return s->ops->invoice_set_paid(s, id, paid, st, paid_on, now, e);
}

void rg_invoice_filter_init(rg_invoice_filter *f)
{
    memset(f, 0, sizeof *f);
    f->status = -1;
    f->due_from = RG_DATE_NONE;
    f->due_to = RG_DATE_NONE;
}

rg_status rg_store_invoice_each(rg_store *s, const rg_invoice_filter *f, rg_invoice_fn fn, void *ctx,
                                rg_err *e)
{
    return s->ops->invoice_each(s, f, fn, ctx, e);
}

rg_status rg_store_payment_insert(rg_store *s, rg_payment *p, rg_instant now, bool *inserted,
                                  rg_err *e)
{
    return s->ops->payment_insert(s, p, now, inserted, e);
}

rg_status rg_store_payment_each(rg_store *s, int64_t invoice_id, rg_payment_fn fn, void *ctx,
                                rg_err *e)
{
    return s->ops->payment_each(s, invoice_id, fn, ctx, e);
}

rg_status rg_store_event_add(rg_store *s, const rg_event *ev, int64_t *id, rg_err *e)
{
    return s->ops->event_add(s, ev, id, e);
}

rg_status rg_store_event_each_for_invoice(rg_store *s, int64_t invoice_id, rg_event_fn fn, void *ctx,
                                          rg_err *e)
{
    return s->ops->event_each_for_invoice(s, invoice_id, fn, ctx, e);
}

rg_status rg_store_tick_each(rg_store *s, rg_instant recent_since, rg_date late_since, int64_t after_customer, int64_t after_invoice, int64_t limit, rg_tick_row_fn fn, void *ctx, rg_err *e)
{
    return s->ops->tick_each(s, recent_since, late_since, after_customer, after_invoice, limit, fn, ctx, e);
}

rg_status rg_store_timer_add(rg_store *s, rg_timer *t, bool *inserted, rg_err *e)
{
    return s->ops->timer_add(s, t, inserted, e);
}

rg_status rg_store_timer_waiting_for_customer(rg_store *s, int64_t customer_id, rg_timer_fn fn, void *ctx,
                                              rg_err *e)
{
    return s->ops->timer_waiting_for_customer(s, customer_id, fn, ctx, e);
}

rg_status rg_store_timer_waiting_for_trigger(rg_store *s, int64_t customer_id, const char *cadence,
                                             const char *trigger_id, rg_timer_fn fn, void *ctx, rg_err *e)
{
    return s->ops->timer_waiting_for_trigger(s, customer_id, cadence, trigger_id, fn, ctx, e);
}

rg_status rg_store_timer_due(rg_store *s, rg_instant until, int64_t after_id, int64_t limit, rg_timer_fn fn,
                             void *ctx, rg_err *e)
{
    return s->ops->timer_due(s, until, after_id, limit, fn, ctx, e);
}

rg_status rg_store_timer_finish(rg_store *s, int64_t id, const char *status, const char *reason, rg_instant at,
                                bool *changed, rg_err *e)
{
    return s->ops->timer_finish(s, id, status, reason, at, changed, e);
}

rg_status rg_store_timer_move(rg_store *s, int64_t id, rg_instant fire_at, const char *reason, rg_err *e)
{
    return s->ops->timer_move(s, id, fire_at, reason, e);
}

rg_status rg_store_timer_each_for_invoice(rg_store *s, int64_t invoice_id, rg_timer_fn fn, void *ctx, rg_err *e)
{
    return s->ops->timer_each_for_invoice(s, invoice_id, fn, ctx, e);
}

rg_status rg_store_customer_open_invoices(rg_store *s, int64_t customer_id, rg_invoice_fn fn, void *ctx, rg_err *e)
{
    return s->ops->customer_open_invoices(s, customer_id, fn, ctx, e);
}

rg_status rg_store_customer_paid_each(rg_store *s, int64_t customer_id, rg_date since, rg_paid_fn fn, void *ctx,
                                      rg_err *e)
{
    return s->ops->customer_paid_each(s, customer_id, since, fn, ctx, e);
}

rg_status rg_store_invoice_set_cadence(rg_store *s, int64_t invoice_id, const char *cadence, rg_instant now,
                                       rg_err *e)
{
    return s->ops->invoice_set_cadence(s, invoice_id, cadence, now, e);
}

rg_status rg_store_invoice_wake(rg_store *s, int64_t invoice_id, rg_instant at, rg_err *e)
{
    return s->ops->invoice_wake(s, invoice_id, at, e);
}

rg_status rg_store_customer_wake(rg_store *s, int64_t customer_id, rg_instant at, rg_err *e)
{
    return s->ops->customer_wake(s, customer_id, at, e);
}

rg_status rg_store_invoice_agenda(rg_store *s, int64_t invoice_id, rg_instant *next_at, rg_err *e)
{
    return s->ops->invoice_agenda(s, invoice_id, next_at, e);
}

rg_status rg_store_tick_customers(rg_store *s, rg_instant recent_since, rg_date late_since, const int64_t *ids,
                                  size_t n, rg_tick_row_fn fn, void *ctx, rg_err *e)
{
    return s->ops->tick_customers(s, recent_since, late_since, ids, n, fn, ctx, e);
}

rg_status rg_store_agenda_due_customers(rg_store *s, rg_instant now, rg_id_fn fn, void *ctx, rg_err *e)
{
    return s->ops->agenda_due_customers(s, now, fn, ctx, e);
}

rg_status rg_store_agenda_customers_after(rg_store *s, int64_t after, int64_t limit, rg_id_fn fn, void *ctx,
                                          int64_t *scanned, rg_err *e)
{
    return s->ops->agenda_customers_after(s, after, limit, fn, ctx, scanned, e);
}

rg_status rg_store_agenda_state_get(rg_store *s, rg_agenda_state *out, rg_err *e)
{
    return s->ops->agenda_state_get(s, out, e);
}

rg_status rg_store_agenda_state_put(rg_store *s, const rg_agenda_state *st, rg_err *e)
{
    return s->ops->agenda_state_put(s, st, e);
}

rg_status rg_store_progress_put(rg_store *s, int64_t invoice_id, const char *cadence, const char *version, const char *steps, rg_instant now, rg_err *e)
{
    return s->ops->progress_put(s, invoice_id, cadence, version, steps, now, e);
}

rg_status rg_store_progress_get(rg_store *s, int64_t invoice_id, char *cadence, size_t cadence_n, char *steps, size_t steps_n, bool *found, rg_err *e)
{
    return s->ops->progress_get(s, invoice_id, cadence, cadence_n, steps, steps_n, found, e);
}

rg_status rg_store_message_insert_many(rg_store *s, rg_message *const *m, size_t n, bool *inserted, rg_err *e)
{
    return s->ops->message_insert_many(s, m, n, inserted, e);
}

rg_status rg_store_progress_put_many(rg_store *s, const rg_progress_write *w, size_t n, rg_err *e)
{
    return s->ops->progress_put_many(s, w, n, e);
}

rg_status rg_store_open_reader(rg_store *s, rg_store **out, rg_err *e)
{
    *out = NULL;
    if (!s->ops->open_reader)
        return rg_err_set(e, RG_EINVAL, "store", "this store has no reader connection");
    return s->ops->open_reader(s, out, e);
}

rg_status rg_store_open_peer(rg_store *s, int busy_ms, rg_store **out, rg_err *e)
{
    *out = NULL;
    if (!s->ops->open_peer)
        return rg_err_set(e, RG_EINVAL, "store", "this store has no second connection");
    return s->ops->open_peer(s, busy_ms, out, e);
}

rg_status rg_store_checkpointer_start(rg_store *s, int64_t wal_bytes, rg_err *e)
{
    if (!s->ops->checkpointer_start)
        return rg_err_set(e, RG_EINVAL, "store", "this store has no checkpointer");
    return s->ops->checkpointer_start(s, wal_bytes, e);
}

void rg_store_checkpointer_stats(rg_store *s, rg_store_ckpt_stats *out)
{
    memset(out, 0, sizeof *out);
    if (s->ops->checkpointer_stats)
        s->ops->checkpointer_stats(s, out);
}

void rg_store_checkpointer_stop(rg_store *s)
{
    if (s && s->ops->checkpointer_stop)
        s->ops->checkpointer_stop(s);
}

rg_status rg_store_message_insert(rg_store *s, rg_message *m, bool *inserted, rg_err *e)
{
    return s->ops->message_insert(s, m, inserted, e);
}

rg_status rg_store_message_link_invoice(rg_store *s, int64_t message_id, int64_t invoice_id, rg_err *e)
{
    return s->ops->message_link_invoice(s, message_id, invoice_id, e);
}

rg_status rg_store_message_set_status(rg_store *s, int64_t id, rg_message_status st, const char *reason, rg_instant sent_at, rg_instant now, rg_err *e)
{
    return s->ops->message_set_status(s, id, st, reason, sent_at, now, e);
}

rg_status rg_store_message_each(rg_store *s, const rg_message_filter *f, rg_message_fn fn, void *ctx, rg_err *e)
{
    return s->ops->message_each(s, f, fn, ctx, e);
}

rg_status rg_store_task_insert(rg_store *s, rg_task *t, rg_err *e)
{
    return s->ops->task_insert(s, t, e);
}

rg_status rg_store_task_each(rg_store *s, bool include_done, rg_task_fn fn, void *ctx, rg_err *e)
{
    return s->ops->task_each(s, include_done, fn, ctx, e);
}

rg_status rg_store_optout_set(rg_store *s, int64_t customer_id, const char *channel, const char *how, rg_instant at, rg_err *e)
{
    return s->ops->optout_set(s, customer_id, channel, how, at, e);
}

rg_status rg_store_bureau_request(rg_store *s, int64_t invoice_id, rg_instant notice_at, rg_instant now, bool *created, rg_err *e)
{
    return s->ops->bureau_request(s, invoice_id, notice_at, now, created, e);
}

rg_status rg_store_bureau_on_paid(rg_store *s, int64_t invoice_id, rg_instant now, bool *changed, rg_err *e)
{
    return s->ops->bureau_on_paid(s, invoice_id, now, changed, e);
}

rg_status rg_store_bureau_status(rg_store *s, int64_t invoice_id, char *status, size_t n, rg_err *e)
{
    return s->ops->bureau_status(s, invoice_id, status, n, e);
}

rg_status rg_store_invoice_reissue(rg_store *s, int64_t invoice_id, const rg_reissue *r, rg_instant now, rg_err *e)
{
    return s->ops->invoice_reissue(s, invoice_id, r, now, e);
}

rg_status rg_store_snapshot(rg_store *s, const char *path, rg_err *e)
{
    return s->ops->snapshot(s, path, e);
}

void rg_message_filter_init(rg_message_filter *f)
{
    memset(f, 0, sizeof *f);
    f->status = -1;
}

rg_status rg_store_customer_timezones(rg_store *s, rg_text_fn fn, void *ctx, rg_err *e)
{
    return s->ops->customer_timezones(s, fn, ctx, e);
}

rg_status rg_store_message_max_id(rg_store *s, int64_t *id, rg_err *e)
{
    return s->ops->message_max_id(s, id, e);
}

/* ---- inbound ---- */

rg_status rg_store_message_ref(rg_store *s, int64_t id, rg_message_ref *out, rg_err *e)
{
    return s->ops->message_ref(s, id, out, e);
}

rg_status rg_store_message_by_provider_id(rg_store *s, const char *provider_id, rg_message_ref *out, rg_err *e)
{
    return s->ops->message_by_provider_id(s, provider_id, out, e);
}

rg_status rg_store_message_last_sent(rg_store *s, int64_t customer_id, const char *channel, rg_message_ref *out,
                                     rg_err *e)
{
    return s->ops->message_last_sent(s, customer_id, channel, out, e);
}

rg_status rg_store_message_by_key(rg_store *s, const char *key, const char *provider_id, rg_message_ref *out,
                                  rg_err *e)
{
    return s->ops->message_by_key(s, key, provider_id, out, e);
}

rg_status rg_store_task_close_for_message(rg_store *s, int64_t message_id, const char *kind, const char *outcome,
                                         const char *note, rg_instant now, bool *changed, rg_err *e)
{
    return s->ops->task_close_for_message(s, message_id, kind, outcome, note, now, changed, e);
}

rg_status rg_store_message_track(rg_store *s, int64_t id, rg_message_status st, const char *reason, rg_instant at,
                                 rg_instant now, bool *changed, rg_err *e)
{
    return s->ops->message_track(s, id, st, reason, at, now, changed, e);
}

rg_status rg_store_customers_by_number(rg_store *s, const char *e164, bool whatsapp, rg_customer *out, size_t max,
                                       size_t *n, rg_err *e)
{
    return s->ops->customers_by_number(s, e164, whatsapp, out, max, n, e);
}

rg_status rg_store_event_seen(rg_store *s, const char *type, rg_instant at, const char *provider_id, bool *seen,
                              rg_err *e)
{
    return s->ops->event_seen(s, type, at, provider_id, seen, e);
}

rg_status rg_store_optout_get(rg_store *s, int64_t customer_id, const char *channel, bool *found, rg_err *e)
{
    return s->ops->optout_get(s, customer_id, channel, found, e);
}

/* ---- tasks, promises, bureau requests ---- */

rg_status rg_store_task_insert_for_message(rg_store *s, rg_task *t, int64_t message_id, const char *text, bool *inserted, rg_err *e)
{
    return s->ops->task_insert_for_message(s, t, message_id, text, inserted, e);
}

rg_status rg_store_task_get(rg_store *s, int64_t id, rg_task_view *out, rg_err *e)
{
    return s->ops->task_get(s, id, out, e);
}

rg_status rg_store_task_view_each(rg_store *s, bool include_done, rg_task_view_fn fn, void *ctx, rg_err *e)
{
    return s->ops->task_view_each(s, include_done, fn, ctx, e);
}

rg_status rg_store_task_view_page(rg_store *s, bool include_done, int64_t after_id, int64_t limit, rg_task_view_fn fn,
                                  void *ctx, rg_err *e)
{
    return s->ops->task_view_page(s, include_done, after_id, limit, fn, ctx, e);
}

rg_status rg_store_task_claim(rg_store *s, int64_t id, const char *assignee, rg_instant now, bool *changed, rg_err *e)
{
    return s->ops->task_claim(s, id, assignee, now, changed, e);
}

rg_status rg_store_task_finish(rg_store *s, int64_t id, const char *assignee, const char *outcome, const char *note, rg_instant now, bool *changed, rg_err *e)
{
    return s->ops->task_finish(s, id, assignee, outcome, note, now, changed, e);
}

rg_status rg_store_promise_insert(rg_store *s, rg_promise *p, rg_err *e)
{
    return s->ops->promise_insert(s, p, e);
}

rg_status rg_store_promise_each_for_invoice(rg_store *s, int64_t invoice_id, rg_promise_fn fn, void *ctx, rg_err *e)
{
    return s->ops->promise_each_for_invoice(s, invoice_id, fn, ctx, e);
}

rg_status rg_store_bureau_get(rg_store *s, int64_t invoice_id, rg_bureau_listing *out, bool *found, rg_err *e)
{
    return s->ops->bureau_get(s, invoice_id, out, found, e);
}

rg_status rg_store_bureau_pending_each(rg_store *s, rg_bureau_fn fn, void *ctx, rg_err *e)
{
    return s->ops->bureau_pending_each(s, fn, ctx, e);
}

rg_status rg_store_bureau_accepted(rg_store *s, int64_t invoice_id, bool removal, const char *provider_ref, rg_instant now, bool *changed, rg_err *e)
{
    return s->ops->bureau_accepted(s, invoice_id, removal, provider_ref, now, changed, e);
}

rg_status rg_store_bureau_failed(rg_store *s, int64_t invoice_id, const char *error, rg_instant now, rg_err *e)
{
    return s->ops->bureau_failed(s, invoice_id, error, now, e);
}

/* ---- the dispatcher's outbox ---- */

rg_status rg_store_outbox_claim(rg_store *s, const char *channel, const char *other_than, const char *owner,
                                rg_instant now, rg_instant lease_until, int64_t limit, rg_message_fn fn,
                                void *ctx, rg_err *e)
{
    return s->ops->outbox_claim(s, channel, other_than, owner, now, lease_until, limit, fn, ctx, e);
}

rg_status rg_store_outbox_handed(rg_store *s, int64_t id, const char *owner, rg_instant now, bool *held,
                                 rg_err *e)
{
    return s->ops->outbox_handed(s, id, owner, now, held, e);
}

rg_status rg_store_outbox_finish(rg_store *s, const rg_outbox_result *r, rg_instant now, bool *held, rg_err *e)
{
    return s->ops->outbox_finish(s, r, now, held, e);
}

rg_status rg_store_message_resolve(rg_store *s, const rg_message_resolution *r, rg_instant now, bool *changed,
                                   rg_err *e)
{
    return s->ops->message_resolve(s, r, now, changed, e);
}

rg_status rg_store_outbox_leases(rg_store *s, rg_outbox_lease_fn fn, void *ctx, rg_err *e)
{
    return s->ops->outbox_leases(s, fn, ctx, e);
}

rg_status rg_store_outbox_next_due(rg_store *s, rg_instant *at, rg_err *e)
{
    return s->ops->outbox_next_due(s, at, e);
}

rg_status rg_store_outbox_renew(rg_store *s, const char *owner, rg_instant lease_until, int64_t *n, rg_err *e)
{
    return s->ops->outbox_renew(s, owner, lease_until, n, e);
}

rg_status rg_store_outbox_counts(rg_store *s, int64_t *queued, int64_t *sending, rg_err *e)
{
    return s->ops->outbox_counts(s, queued, sending, e);
}

rg_status rg_store_message_invoice_ids(rg_store *s, int64_t message_id, int64_t *ids, size_t max, size_t *n,
                                       rg_err *e)
{
    return s->ops->message_invoice_ids(s, message_id, ids, max, n, e);
}

rg_status rg_store_customer_optouts(rg_store *s, int64_t customer_id, char *buf, size_t n, rg_err *e)
{
    return s->ops->customer_optouts(s, customer_id, buf, n, e);
}

rg_status rg_store_customer_sends_since(rg_store *s, int64_t customer_id, rg_instant since, int64_t exclude,
                                        rg_instant *out, size_t max, size_t *n, rg_err *e)
{
    return s->ops->customer_sends_since(s, customer_id, since, exclude, out, max, n, e);
}

rg_status rg_store_steps_seen(rg_store *s, const char *cadence, const char *const *ids, size_t n, rg_instant now,
                              bool record, rg_instant *out, rg_err *e)
{
    return s->ops->steps_seen(s, cadence, ids, n, now, record, out, e);
}

rg_status rg_store_cadence_version_seen(rg_store *s, const char *cadence, const char *version, const char *reason,
                                        rg_instant now, rg_err *e)
{
    return s->ops->cadence_version_seen(s, cadence, version, reason, now, e);
}

rg_status rg_store_cadence_versions(rg_store *s, const char *cadence, rg_cadence_version_fn fn, void *ctx, rg_err *e)
{
    return s->ops->cadence_versions(s, cadence, fn, ctx, e);
}

rg_status rg_store_step_letter_sent_at(rg_store *s, int64_t invoice_id, const char *cadence, const char *step,
                                       rg_instant *at, rg_err *e)
{
    return s->ops->step_letter_sent_at(s, invoice_id, cadence, step, at, e);
}

/* ---- holds, promise deadlines, offers ---- */

rg_status rg_store_hold_add(rg_store *s, rg_hold *h, bool *added, rg_err *e)
{
    return s->ops->hold_add(s, h, added, e);
}

rg_status rg_store_holds_release(rg_store *s, const rg_hold_filter *f, rg_instant at, const char *by,
                                 int64_t *released, rg_err *e)
{
    return s->ops->holds_release(s, f, at, by, released, e);
}

rg_status rg_store_hold_each(rg_store *s, int64_t invoice_id, bool active_only, rg_hold_fn fn, void *ctx, rg_err *e)
{
    return s->ops->hold_each(s, invoice_id, active_only, fn, ctx, e);
}

rg_status rg_store_promise_each_pending(rg_store *s, int64_t invoice_id, rg_promise_fn fn, void *ctx, rg_err *e)
{
    return s->ops->promise_each_pending(s, invoice_id, fn, ctx, e);
}

rg_status rg_store_promise_grace(rg_store *s, int64_t promise_id, int64_t days, rg_err *e)
{
    return s->ops->promise_grace(s, promise_id, days, e);
}

rg_status rg_store_promise_resolve(rg_store *s, int64_t promise_id, const char *status, rg_instant at, bool *changed,
                                   rg_err *e)
{
    return s->ops->promise_resolve(s, promise_id, status, at, changed, e);
}

rg_status rg_store_payments_sum_since(rg_store *s, int64_t invoice_id, int64_t customer_id, rg_instant since,
                                      rg_cents *sum, rg_err *e)
{
    return s->ops->payments_sum_since(s, invoice_id, customer_id, since, sum, e);
}

rg_status rg_store_offer_insert(rg_store *s, rg_offer *o, rg_err *e)
{
    return s->ops->offer_insert(s, o, e);
}

rg_status rg_store_offer_current(rg_store *s, int64_t invoice_id, rg_instant at, rg_offer *out, bool *found,
                                 rg_err *e)
{
    return s->ops->offer_current(s, invoice_id, at, out, found, e);
}

rg_status rg_store_offer_any(rg_store *s, rg_instant at, bool *any, rg_err *e)
{
    return s->ops->offer_any(s, at, any, e);
}

rg_status rg_store_offer_settle(rg_store *s, int64_t offer_id, rg_instant at, rg_cents waived, rg_err *e)
{
    return s->ops->offer_settle(s, offer_id, at, waived, e);
}

rg_status rg_store_offer_each(rg_store *s, int64_t invoice_id, rg_offer_fn fn, void *ctx, rg_err *e)
{
    return s->ops->offer_each(s, invoice_id, fn, ctx, e);
}

rg_status rg_store_event_each_for_customer(rg_store *s, int64_t customer_id, int64_t limit, rg_customer_event_fn fn,
                                           void *ctx, rg_err *e)
{
    return s->ops->event_each_for_customer(s, customer_id, limit, fn, ctx, e);
}

rg_status rg_store_optout_each(rg_store *s, int64_t customer_id, rg_optout_fn fn, void *ctx, rg_err *e)
{
    return s->ops->optout_each(s, customer_id, fn, ctx, e);
}

rg_status rg_store_apikey_insert(rg_store *s, rg_apikey_row *k, const char *hash_hex, rg_err *e)
{
    return s->ops->apikey_insert(s, k, hash_hex, e);
}

rg_status rg_store_apikey_get(rg_store *s, const char *hash_hex, int64_t id, rg_apikey_row *out, bool *found,
                              rg_err *e)
{
    return s->ops->apikey_get(s, hash_hex, id, out, found, e);
}

rg_status rg_store_apikey_each(rg_store *s, int64_t after_id, int64_t limit, rg_apikey_fn fn, void *ctx, rg_err *e)
{
    return s->ops->apikey_each(s, after_id, limit, fn, ctx, e);
}

rg_status rg_store_apikey_revoke(rg_store *s, int64_t id, rg_instant at, bool *changed, rg_err *e)
{
    return s->ops->apikey_revoke(s, id, at, changed, e);
}

rg_status rg_store_apikey_touch(rg_store *s, int64_t id, rg_instant at, rg_err *e)
{
    return s->ops->apikey_touch(s, id, at, e);
}

rg_status rg_store_idem_claim(rg_store *s, int64_t api_key_id, const char *key, const char *fingerprint,
                              rg_instant now, rg_instant expired_before, rg_instant abandoned_before, bool *claimed,
                              rg_err *e)
{
    return s->ops->idem_claim(s, api_key_id, key, fingerprint, now, expired_before, abandoned_before, claimed, e);
}

rg_status rg_store_idem_get(rg_store *s, int64_t api_key_id, const char *key, rg_idem_row *out, rg_buf *body,
                            bool *found, rg_err *e)
{
    return s->ops->idem_get(s, api_key_id, key, out, body, found, e);
}

rg_status rg_store_idem_finish(rg_store *s, int64_t api_key_id, const char *key, rg_instant claimed_at, int status,
                               const char *content_type, const char *body, size_t body_len, rg_err *e)
{
    return s->ops->idem_finish(s, api_key_id, key, claimed_at, status, content_type, body, body_len, e);
}

rg_status rg_store_idem_release(rg_store *s, int64_t api_key_id, const char *key, rg_instant claimed_at, rg_err *e)
{
    return s->ops->idem_release(s, api_key_id, key, claimed_at, e);
}

void rg_store_idem_arm(rg_store *s, int64_t api_key_id, const char *key, rg_instant claimed_at)
{
    s->idem_armed = true;
    s->idem_api_key_id = api_key_id;
    s->idem_claimed_at = claimed_at;
    rg_strlcpy(s->idem_key, key, sizeof s->idem_key);
}

void rg_store_idem_disarm(rg_store *s)
{
    s->idem_armed = false;
}

bool rg_store_idem_armed(const rg_store *s)
{
    return s->idem_armed;
}

rg_status rg_store_webhook_enqueue(rg_store *s, const char *webhook, int64_t event_id, const char *event_type,
                                   const char *body, rg_instant now, bool *inserted, rg_err *e)
{
    return s->ops->webhook_enqueue(s, webhook, event_id, event_type, body, now, inserted, e);
}

rg_status rg_store_webhook_claim(rg_store *s, const char *owner, rg_instant now, rg_instant lease_until, int64_t limit,
                                 const char *lost_error, rg_webhook_delivery_fn fn, void *ctx, rg_err *e)
{
    return s->ops->webhook_claim(s, owner, now, lease_until, limit, lost_error, fn, ctx, e);
}

rg_status rg_store_webhook_finish(rg_store *s, const rg_webhook_outcome *o, bool *held, rg_err *e)
{
    return s->ops->webhook_finish(s, o, held, e);
}

rg_status rg_store_webhook_each(rg_store *s, const char *status, int64_t before_id, int64_t limit,
                                rg_webhook_delivery_fn fn, void *ctx, rg_err *e)
{
    return s->ops->webhook_each(s, status, 0, before_id, limit, fn, ctx, e);
}

typedef struct found_ctx {
    rg_webhook_delivery_fn fn;
    void *ctx;
    bool found;
} found_ctx;

static rg_status found_one(void *p, const rg_webhook_delivery *d)
{
    found_ctx *f = p;
    f->found = true;
    return f->fn(f->ctx, d);
}

rg_status rg_store_webhook_get(rg_store *s, int64_t id, rg_webhook_delivery_fn fn, void *ctx, rg_err *e)
{
    found_ctx f = {fn, ctx, false};
    rg_status rc = s->ops->webhook_each(s, NULL, id, 0, 1, found_one, &f, e);
    if (rc == RG_OK && !f.found)
        return rg_err_set(e, RG_ENOTFOUND, "delivery", "no webhook delivery %lld", (long long)id);
    return rc;
}

rg_status rg_store_webhook_attempts(rg_store *s, int64_t delivery_id, rg_webhook_attempt_fn fn, void *ctx, rg_err *e)
{
    return s->ops->webhook_attempts(s, delivery_id, fn, ctx, e);
}

rg_status rg_store_webhook_requeue(rg_store *s, int64_t id, rg_instant now, bool *changed, rg_err *e)
{
    return s->ops->webhook_requeue(s, id, now, changed, e);
}

rg_status rg_store_optout_list(rg_store *s, const rg_optout_filter *f, rg_optout_row_fn fn, void *ctx, rg_err *e)
{
    return s->ops->optout_list(s, f, fn, ctx, e);
}

rg_status rg_store_optout_remove(rg_store *s, int64_t customer_id, const char *channel, bool *removed, rg_err *e)
{
    return s->ops->optout_remove(s, customer_id, channel, removed, e);
}

rg_status rg_store_invoice_extend(rg_store *s, int64_t invoice_id, const rg_reissue *r, rg_instant now, bool *done,
                                  rg_err *e)
{
    return s->ops->invoice_extend(s, invoice_id, r, now, done, e);
}

rg_status rg_store_invoice_extended_from(rg_store *s, int64_t invoice_id, rg_date *from, rg_err *e)
{
    return s->ops->invoice_extended_from(s, invoice_id, from, e);
}

rg_status rg_store_promise_page(rg_store *s, const rg_promise_filter *f, rg_promise_view_fn fn, void *ctx,
                                rg_err *e)
{
    return s->ops->promise_page(s, f, fn, ctx, e);
}

rg_status rg_store_report_rows(rg_store *s, rg_report_query q, const int64_t *args, size_t n_args,
                               rg_report_row_fn fn, void *ctx, rg_err *e)
{
    return s->ops->report_rows(s, q, args, n_args, fn, ctx, e);
}

rg_status rg_store_agreement_insert(rg_store *s, rg_agreement *a, rg_err *e)
{
    return s->ops->agreement_insert(s, a, e);
}

rg_status rg_store_agreement_link(rg_store *s, int64_t agreement_id, int64_t invoice_id, const char *role, int64_t seq,
                                  rg_cents amount, rg_err *e)
{
    return s->ops->agreement_link(s, agreement_id, invoice_id, role, seq, amount, e);
}

rg_status rg_store_agreement_get(rg_store *s, int64_t id, rg_agreement *out, rg_err *e)
{
    return s->ops->agreement_get(s, id, out, e);
}

rg_status rg_store_agreement_each(rg_store *s, int64_t customer_id, const char *status, int64_t after_id,
                                  int64_t limit, rg_agreement_fn fn, void *ctx, rg_err *e)
{
    return s->ops->agreement_each(s, customer_id, status, after_id, limit, fn, ctx, e);
}

rg_status rg_store_agreement_items(rg_store *s, int64_t agreement_id, rg_agreement_item_fn fn, void *ctx, rg_err *e)
{
    return s->ops->agreement_items(s, agreement_id, fn, ctx, e);
}

rg_status rg_store_agreement_close(rg_store *s, int64_t id, const char *status, rg_instant at, rg_err *e)
{
    return s->ops->agreement_close(s, id, status, at, e);
}

rg_status rg_store_user_insert(rg_store *s, rg_user_row *u, const char *password_hash, rg_err *e)
{
    return s->ops->user_insert(s, u, password_hash, e);
}

rg_status rg_store_user_get(rg_store *s, const char *email, rg_user_row *out, char *hash, size_t hash_n,
                            bool *found, rg_err *e)
{
    return s->ops->user_get(s, email, out, hash, hash_n, found, e);
}

rg_status rg_store_user_each(rg_store *s, rg_user_fn fn, void *ctx, rg_err *e)
{
    return s->ops->user_each(s, fn, ctx, e);
}

rg_status rg_store_user_disable(rg_store *s, int64_t id, rg_instant at, bool *changed, rg_err *e)
{
    return s->ops->user_disable(s, id, at, changed, e);
}

rg_status rg_store_session_insert(rg_store *s, const char *token_hash, int64_t user_id, rg_instant now,
                                  rg_instant expires_at, rg_err *e)
{
    return s->ops->session_insert(s, token_hash, user_id, now, expires_at, e);
}

rg_status rg_store_session_get(rg_store *s, const char *token_hash, rg_instant now, rg_user_row *out,
                               rg_instant *expires_at, bool *found, rg_err *e)
{
    return s->ops->session_get(s, token_hash, now, out, expires_at, found, e);
}

rg_status rg_store_session_delete(rg_store *s, const char *token_hash, rg_err *e)
{
    return s->ops->session_delete(s, token_hash, e);
}

rg_status rg_store_login_failures(rg_store *s, const char *email, const char *ip, rg_instant since,
                                  int64_t *by_email, int64_t *by_ip, rg_err *e)
{
    return s->ops->login_failures(s, email, ip, since, by_email, by_ip, e);
}

rg_status rg_store_login_failure_add(rg_store *s, const char *email, const char *ip, rg_instant at,
                                     rg_instant purge_before, rg_err *e)
{
    return s->ops->login_failure_add(s, email, ip, at, purge_before, e);
}

rg_status rg_store_login_failures_clear(rg_store *s, const char *email, rg_err *e)
{
    return s->ops->login_failures_clear(s, email, e);
}

rg_status rg_store_channel_stats(rg_store *s, rg_channel_stats_fn fn, void *ctx, rg_err *e)
{
    return s->ops->channel_stats(s, fn, ctx, e);
}
