/*
 * sqlite_int — what the SQLite backend's files share (private to src/store/).
 */
#ifndef RG_SQLITE_INT_H
#define RG_SQLITE_INT_H

#include <sqlite3.h>

#include "store/backend.h"

#define RG_SQ_ENGINE_STMTS 48
#define RG_SQ_AGENDA_STMTS 16
#define RG_SQ_TIMER_STMTS 11
#define RG_SQ_HOLDS_STMTS 16
#define RG_SQ_API_STMTS 12
#define RG_SQ_AGREEMENT_STMTS 2

/* sqlite_ckpt.c: the write-ahead log's checkpointer (a thread and its own
 * connection). A connection attached to it commits without checkpointing;
 * its rg_store_begin waits at the checkpointer's gate (rg_sq_ckpt_enter). */
typedef struct rg_sq_ckpt rg_sq_ckpt;
rg_status rg_sq_ckpt_start(const char *path, int64_t wal_bytes, rg_sq_ckpt **out, rg_err *e);
rg_status rg_sq_ckpt_attach(rg_sq_ckpt *k, sqlite3 *db, rg_err *e);
/* Around an attached connection's write transaction: enter waits while the
 * gate is closed, leave once the transaction has ended. */
void rg_sq_ckpt_enter(rg_sq_ckpt *k);
void rg_sq_ckpt_leave(rg_sq_ckpt *k);
void rg_sq_ckpt_stats(rg_sq_ckpt *k, rg_store_ckpt_stats *out);
/* Joins the thread, copies the whole log back and truncates it: after
 * every attached connection is closed. */
void rg_sq_ckpt_stop(rg_sq_ckpt *k);

/* The part of the SQLite store every backend file may touch. */
typedef struct rg_sq_common {
    rg_store base;
    sqlite3 *db;
    rg_sq_ckpt *ckpt;     /* the checkpointer this handle started (owned), or NULL */
    rg_sq_ckpt *attached; /* a peer's: the checkpointer of the handle it was opened from, or NULL */
    bool in_ckpt_txn;     /* attached, inside a write transaction counted by rg_sq_ckpt_enter */
    sqlite3_stmt *engine_st[RG_SQ_ENGINE_STMTS]; /* sqlite_engine.c's statements */
    sqlite3_stmt *agenda_st[RG_SQ_AGENDA_STMTS]; /* sqlite_agenda.c's statements */
    sqlite3_stmt *timer_st[RG_SQ_TIMER_STMTS];   /* sqlite_timers.c's statements */
    sqlite3_stmt *holds_st[RG_SQ_HOLDS_STMTS];   /* sqlite_holds.c's statements */
    sqlite3_stmt *api_st[RG_SQ_API_STMTS];       /* sqlite_api.c's statements */
    sqlite3_stmt *agreement_st[RG_SQ_AGREEMENT_STMTS]; /* the portal page's reads: sqlite_agreements.c, sqlite_extend.c */
} rg_sq_common;

#define CUSTOMER_SELECT                                                                            \
    "SELECT id, external_id, name, document, kind, email, phone, whatsapp, preferred_channel,"     \
    " timezone, tags, street, number, complement, district, city, state, zip, created_at,"        \
    " updated_at FROM customers "

#define INVOICE_SELECT                                                                             \
    "SELECT i.id, i.external_id, i.customer_id, c.external_id, i.description, i.amount, i.paid,"   \
    " i.issue_date, i.due_date, i.status, i.boleto_bank, i.nosso_numero, i.barcode,"               \
    " i.linha_digitavel, i.pix_code, i.payment_url, i.fine_pct, i.interest_month_pct, i.tags,"     \
    " i.cadence_override, i.reissued_due_date, i.reissued_amount, i.created_at, i.updated_at, i.paid_on"      \
    " FROM invoices i JOIN customers c ON c.id = i.customer_id "


rg_status rg_sq_fail(rg_sq_common *s, rg_err *e, const char *what);
/* sqlite_privacy.c */
rg_status rg_sqp_customer_anonymize(rg_store *s, int64_t customer_id, const char *name, rg_instant now,
                                    rg_anonymize_counts *out, rg_err *e);
rg_status rg_sq_exec(rg_sq_common *s, const char *sql, rg_err *e);
rg_status rg_sq_step_done(rg_sq_common *s, sqlite3_stmt *st, rg_err *e, const char *what);
void rg_sq_done(sqlite3_stmt *st);
void rg_sq_bind_text(sqlite3_stmt *st, int i, const char *v);
void rg_sq_bind_date(sqlite3_stmt *st, int i, rg_date d);
void rg_sq_bind_opt_i64(sqlite3_stmt *st, int i, int64_t v, int64_t none);
void rg_sq_col_text(sqlite3_stmt *st, int i, char *dst, size_t n);
rg_date rg_sq_col_date(sqlite3_stmt *st, int i);
int64_t rg_sq_col_opt_i64(sqlite3_stmt *st, int i, int64_t none);
/* Reads the CUSTOMER_SELECT columns starting at column `at`. */
void rg_sq_read_customer(sqlite3_stmt *st, int at, rg_customer *c);
void rg_sq_read_invoice(sqlite3_stmt *st, rg_invoice *inv);
/* An event row: id, type, at, source, customer_id, invoice_id, message_id,
 * payload (the payload borrowed from the statement). */
void rg_sq_read_event(sqlite3_stmt *st, rg_event *ev);
/* A promise row: id, customer_id, invoice_id, promised_date, amount,
 * status, source, created_at, resolved_at, grace_days. */
void rg_sq_read_promise(sqlite3_stmt *st, rg_promise *p);
/* A message row in the column order of rg_store_message_each's SELECT. */
void rg_sq_read_message(sqlite3_stmt *st, rg_message *m);
/* A cached statement of sqlite_engine.c (slot < RG_SQ_ENGINE_STMTS). */
sqlite3_stmt *rg_sq_engine_stmt(rg_sq_common *s, int slot, const char *sql, rg_err *e);
void rg_sq_engine_finalize(rg_sq_common *s);

/* sqlite_engine.c: the engine's functions (see store.h). */
rg_status rg_sqe_tick_customers(rg_store *s, rg_instant recent_since, rg_date late_since, const int64_t *ids, size_t n,
                                rg_tick_row_fn fn, void *ctx, rg_err *e);
rg_status rg_sqe_tick_each(rg_store *s, rg_instant recent_since, rg_date late_since, int64_t after_customer, int64_t after_invoice, int64_t limit, rg_tick_row_fn fn, void *ctx, rg_err *e);
rg_status rg_sqe_progress_put(rg_store *s, int64_t invoice_id, const char *cadence, const char *version, const char *steps, rg_instant now, rg_err *e);
rg_status rg_sqe_progress_put_many(rg_store *s, const rg_progress_write *w, size_t n, rg_err *e);
rg_status rg_sqe_progress_get(rg_store *s, int64_t invoice_id, char *cadence, size_t cadence_n, char *steps, size_t steps_n, bool *found, rg_err *e);
rg_status rg_sqe_message_insert(rg_store *s, rg_message *m, bool *inserted, rg_err *e);
rg_status rg_sqe_message_insert_many(rg_store *s, rg_message *const *m, size_t n, bool *inserted, rg_err *e);
rg_status rg_sqe_message_link_invoice(rg_store *s, int64_t message_id, int64_t invoice_id, rg_err *e);
rg_status rg_sqe_message_set_status(rg_store *s, int64_t id, rg_message_status st, const char *reason, rg_instant sent_at, rg_instant now, rg_err *e);
rg_status rg_sqe_message_each(rg_store *s, const rg_message_filter *f, rg_message_fn fn, void *ctx, rg_err *e);
rg_status rg_sqe_task_insert(rg_store *s, rg_task *t, rg_err *e);
rg_status rg_sqe_task_each(rg_store *s, bool include_done, rg_task_fn fn, void *ctx, rg_err *e);
rg_status rg_sqe_optout_set(rg_store *s, int64_t customer_id, const char *channel, const char *how, rg_instant at, rg_err *e);
rg_status rg_sqe_bureau_request(rg_store *s, int64_t invoice_id, rg_instant notice_at, rg_instant now, bool *created, rg_err *e);
rg_status rg_sqe_bureau_on_paid(rg_store *s, int64_t invoice_id, rg_instant now, bool *changed, rg_err *e);
rg_status rg_sqe_bureau_status(rg_store *s, int64_t invoice_id, char *status, size_t n, rg_err *e);
rg_status rg_sqe_invoice_reissue(rg_store *s, int64_t invoice_id, const rg_reissue *r, rg_instant now, rg_err *e);
rg_status rg_sqe_snapshot(rg_store *s, const char *path, rg_err *e);
rg_status rg_sqe_customer_timezones(rg_store *s, rg_text_fn fn, void *ctx, rg_err *e);
rg_status rg_sqe_message_max_id(rg_store *s, int64_t *id, rg_err *e);
/* sqlite_cadence.c: cadence steps first seen, a notice's letter (statements prepared per call: rare). */
rg_status rg_sqe_steps_seen(rg_store *s, const char *cadence, const char *const *ids, size_t n, rg_instant now, bool record, rg_instant *out, rg_err *e);
rg_status rg_sqe_cadence_version_seen(rg_store *s, const char *cadence, const char *version, const char *reason, rg_instant now, rg_err *e);
rg_status rg_sqe_cadence_versions(rg_store *s, const char *cadence, rg_cadence_version_fn fn, void *ctx, rg_err *e);
rg_status rg_sqe_step_letter_sent_at(rg_store *s, int64_t invoice_id, const char *cadence, const char *step, rg_instant *at, rg_err *e);

/* sqlite_agenda.c: the agenda (see store.h); its statements live in agenda_st. */
rg_status rg_sqa_invoice_wake(rg_store *s, int64_t invoice_id, rg_instant at, rg_err *e);
rg_status rg_sqa_customer_wake(rg_store *s, int64_t customer_id, rg_instant at, rg_err *e);
rg_status rg_sqa_invoice_agenda(rg_store *s, int64_t invoice_id, rg_instant *next_at, rg_err *e);
rg_status rg_sqa_due_customers(rg_store *s, rg_instant now, rg_id_fn fn, void *ctx, rg_err *e);
rg_status rg_sqa_customers_after(rg_store *s, int64_t after, int64_t limit, rg_id_fn fn, void *ctx, int64_t *scanned,
                                 rg_err *e);
rg_status rg_sqa_state_get(rg_store *s, rg_agenda_state *out, rg_err *e);
rg_status rg_sqa_state_put(rg_store *s, const rg_agenda_state *st, rg_err *e);
void rg_sqa_finalize(rg_sq_common *s);
/* sqlite_timers.c: trigger timers (see store.h); its statements live in timer_st. */
rg_status rg_sqt_add(rg_store *s, rg_timer *t, bool *inserted, rg_err *e);
rg_status rg_sqt_waiting_for_trigger(rg_store *base, int64_t customer_id, const char *cadence, const char *trigger_id,
                                     rg_timer_fn fn, void *ctx, rg_err *e);
rg_status rg_sqt_waiting_for_customer(rg_store *s, int64_t customer_id, rg_timer_fn fn, void *ctx, rg_err *e);
rg_status rg_sqt_due(rg_store *s, rg_instant until, int64_t after_id, int64_t limit, rg_timer_fn fn, void *ctx,
                     rg_err *e);
rg_status rg_sqt_finish(rg_store *s, int64_t id, const char *status, const char *reason, rg_instant at, bool *changed,
                        rg_err *e);
rg_status rg_sqt_move(rg_store *s, int64_t id, rg_instant fire_at, const char *reason, rg_err *e);
rg_status rg_sqt_each_for_invoice(rg_store *s, int64_t invoice_id, rg_timer_fn fn, void *ctx, rg_err *e);
rg_status rg_sqt_customer_open_invoices(rg_store *s, int64_t customer_id, rg_invoice_fn fn, void *ctx, rg_err *e);
rg_status rg_sqt_customer_paid_each(rg_store *s, int64_t customer_id, rg_date since, rg_paid_fn fn, void *ctx,
                                    rg_err *e);
rg_status rg_sqt_invoice_set_cadence(rg_store *s, int64_t invoice_id, const char *cadence, rg_instant now, rg_err *e);
void rg_sqt_finalize(rg_sq_common *s);

/* sqlite_holds.c: holds, promise deadlines, offers (see store.h). */
void rg_sqh_finalize(rg_sq_common *s);
rg_status rg_sqh_hold_add(rg_store *s, rg_hold *h, bool *added, rg_err *e);
rg_status rg_sqh_holds_release(rg_store *s, const rg_hold_filter *f, rg_instant at, const char *by, int64_t *released, rg_err *e);
rg_status rg_sqh_hold_each(rg_store *s, int64_t invoice_id, bool active_only, rg_hold_fn fn, void *ctx, rg_err *e);
rg_status rg_sqh_promise_each_pending(rg_store *s, int64_t invoice_id, rg_promise_fn fn, void *ctx, rg_err *e);
rg_status rg_sqh_promise_grace(rg_store *s, int64_t promise_id, int64_t days, rg_err *e);
rg_status rg_sqh_promise_resolve(rg_store *s, int64_t promise_id, const char *status, rg_instant at, bool *changed, rg_err *e);
rg_status rg_sqh_payments_sum_since(rg_store *s, int64_t invoice_id, int64_t customer_id, rg_instant since, rg_cents *sum, rg_err *e);
rg_status rg_sqh_offer_insert(rg_store *s, rg_offer *o, rg_err *e);
rg_status rg_sqh_offer_current(rg_store *s, int64_t invoice_id, rg_instant at, rg_offer *out, bool *found, rg_err *e);
rg_status rg_sqh_offer_any(rg_store *s, rg_instant at, bool *any, rg_err *e);
rg_status rg_sqh_offer_settle(rg_store *s, int64_t offer_id, rg_instant at, rg_cents waived, rg_err *e);
rg_status rg_sqh_offer_each(rg_store *s, int64_t invoice_id, rg_offer_fn fn, void *ctx, rg_err *e);
rg_status rg_sqh_event_each_for_customer(rg_store *s, int64_t customer_id, int64_t limit, rg_customer_event_fn fn, void *ctx, rg_err *e);
rg_status rg_sqh_optout_each(rg_store *s, int64_t customer_id, rg_optout_fn fn, void *ctx, rg_err *e);

/* sqlite_api.c: the REST API's keys and Idempotency-Keys (see store.h); statements in api_st. */
void rg_sqk_finalize(rg_sq_common *s);
rg_status rg_sqk_apikey_insert(rg_store *s, rg_apikey_row *k, const char *hash_hex, rg_err *e);
rg_status rg_sqk_apikey_get(rg_store *s, const char *hash_hex, int64_t id, rg_apikey_row *out, bool *found, rg_err *e);
rg_status rg_sqk_apikey_each(rg_store *s, int64_t after_id, int64_t limit, rg_apikey_fn fn, void *ctx, rg_err *e);
rg_status rg_sqk_apikey_revoke(rg_store *s, int64_t id, rg_instant at, bool *changed, rg_err *e);
rg_status rg_sqk_apikey_touch(rg_store *s, int64_t id, rg_instant at, rg_err *e);
rg_status rg_sqk_idem_claim(rg_store *s, int64_t api_key_id, const char *key, const char *fingerprint, rg_instant now,
                            rg_instant expired_before, rg_instant abandoned_before, bool *claimed, rg_err *e);
rg_status rg_sqk_idem_get(rg_store *s, int64_t api_key_id, const char *key, rg_idem_row *out, rg_buf *body,
                          bool *found, rg_err *e);
rg_status rg_sqk_idem_finish(rg_store *s, int64_t api_key_id, const char *key, rg_instant claimed_at, int status,
                             const char *content_type, const char *body, size_t body_len, rg_err *e);
rg_status rg_sqk_idem_release(rg_store *s, int64_t api_key_id, const char *key, rg_instant claimed_at, rg_err *e);
rg_status rg_sqk_idem_mark(rg_store *s, int64_t api_key_id, const char *key, rg_instant claimed_at, bool *held,
                           rg_err *e);

/* sqlite_inbound.c: provider callbacks, replies and tracking (slots 36..47). */
rg_status rg_sqe_message_ref(rg_store *s, int64_t id, rg_message_ref *out, rg_err *e);
rg_status rg_sqe_message_by_provider_id(rg_store *s, const char *provider_id, rg_message_ref *out, rg_err *e);
rg_status rg_sqe_message_last_sent(rg_store *s, int64_t customer_id, const char *channel, rg_message_ref *out, rg_err *e);
rg_status rg_sqe_message_by_key(rg_store *s, const char *key, const char *provider_id, rg_message_ref *out, rg_err *e);
rg_status rg_sqe_task_close_for_message(rg_store *s, int64_t message_id, const char *kind, const char *outcome,
                                        const char *note, rg_instant now, bool *changed, rg_err *e);
rg_status rg_sqe_message_track(rg_store *s, int64_t id, rg_message_status st, const char *reason, rg_instant at, rg_instant now, bool *changed, rg_err *e);
rg_status rg_sqe_customers_by_number(rg_store *s, const char *e164, bool whatsapp, rg_customer *out, size_t max, size_t *n, rg_err *e);
rg_status rg_sqe_event_seen(rg_store *s, const char *type, rg_instant at, const char *provider_id, bool *seen, rg_err *e);
rg_status rg_sqe_optout_get(rg_store *s, int64_t customer_id, const char *channel, bool *found, rg_err *e);
/* sqlite_webhooks.c: the outgoing webhooks' outbox (statements prepared per call). */
rg_status rg_sqw_enqueue(rg_store *s, const char *webhook, int64_t event_id, const char *event_type, const char *body,
                         rg_instant now, bool *inserted, rg_err *e);
rg_status rg_sqw_claim(rg_store *s, const char *owner, rg_instant now, rg_instant lease_until, int64_t limit,
                       const char *lost_error, rg_webhook_delivery_fn fn, void *ctx, rg_err *e);
rg_status rg_sqw_finish(rg_store *s, const rg_webhook_outcome *o, bool *held, rg_err *e);
rg_status rg_sqw_each(rg_store *s, const char *status, int64_t id, int64_t before_id, int64_t limit, rg_webhook_delivery_fn fn, void *ctx,
                      rg_err *e);
rg_status rg_sqw_attempts(rg_store *s, int64_t delivery_id, rg_webhook_attempt_fn fn, void *ctx, rg_err *e);
rg_status rg_sqw_requeue(rg_store *s, int64_t id, rg_instant now, bool *changed, rg_err *e);
/* sqlite_tasks_bureau.c: tasks, promises and bureau requests (see store.h). */
rg_status rg_sqe_task_insert_for_message(rg_store *s, rg_task *t, int64_t message_id, const char *text, bool *inserted, rg_err *e);
rg_status rg_sqe_task_get(rg_store *s, int64_t id, rg_task_view *out, rg_err *e);
rg_status rg_sqe_task_view_each(rg_store *s, bool include_done, rg_task_view_fn fn, void *ctx, rg_err *e);
rg_status rg_sqe_task_view_page(rg_store *s, bool include_done, int64_t after_id, int64_t limit, rg_task_view_fn fn,
                                void *ctx, rg_err *e);
rg_status rg_sqe_task_claim(rg_store *s, int64_t id, const char *assignee, rg_instant now, bool *changed, rg_err *e);
rg_status rg_sqe_task_finish(rg_store *s, int64_t id, const char *assignee, const char *outcome, const char *note, rg_instant now, bool *changed, rg_err *e);
rg_status rg_sqe_promise_insert(rg_store *s, rg_promise *p, rg_err *e);
rg_status rg_sqe_promise_each_for_invoice(rg_store *s, int64_t invoice_id, rg_promise_fn fn, void *ctx, rg_err *e);
rg_status rg_sqe_bureau_get(rg_store *s, int64_t invoice_id, rg_bureau_listing *out, bool *found, rg_err *e);
rg_status rg_sqe_bureau_pending_each(rg_store *s, rg_bureau_fn fn, void *ctx, rg_err *e);
rg_status rg_sqe_bureau_accepted(rg_store *s, int64_t invoice_id, bool removal, const char *provider_ref, rg_instant now, bool *changed, rg_err *e);
rg_status rg_sqe_bureau_failed(rg_store *s, int64_t invoice_id, const char *error, rg_instant now, rg_err *e);
/* sqlite_dispatch.c: the dispatcher's outbox (engine statement slots 20..29). */
rg_status rg_sqe_outbox_claim(rg_store *s, const char *channel, const char *other_than, const char *owner, rg_instant now, rg_instant lease_until, int64_t limit, rg_message_fn fn, void *ctx, rg_err *e);
rg_status rg_sqe_outbox_handed(rg_store *s, int64_t id, const char *owner, rg_instant now, bool *held, rg_err *e);
rg_status rg_sqe_outbox_finish(rg_store *s, const rg_outbox_result *r, rg_instant now, bool *held, rg_err *e);
rg_status rg_sqe_message_resolve(rg_store *s, const rg_message_resolution *r, rg_instant now, bool *changed, rg_err *e);
rg_status rg_sqe_outbox_leases(rg_store *s, rg_outbox_lease_fn fn, void *ctx, rg_err *e);
rg_status rg_sqe_outbox_next_due(rg_store *s, rg_instant *at, rg_err *e);
rg_status rg_sqe_outbox_renew(rg_store *s, const char *owner, rg_instant lease_until, int64_t *n, rg_err *e);
rg_status rg_sqe_outbox_counts(rg_store *s, int64_t *queued, int64_t *sending, rg_err *e);
rg_status rg_sqe_message_invoice_ids(rg_store *s, int64_t message_id, int64_t *ids, size_t max, size_t *n, rg_err *e);
rg_status rg_sqe_customer_optouts(rg_store *s, int64_t customer_id, char *buf, size_t n, rg_err *e);
rg_status rg_sqe_customer_sends_since(rg_store *s, int64_t customer_id, rg_instant since, int64_t exclude, rg_instant *out, size_t max, size_t *n, rg_err *e);

/* sqlite_optouts.c */
rg_status rg_sqo_optout_list(rg_store *s, const rg_optout_filter *f, rg_optout_row_fn fn, void *ctx, rg_err *e);
rg_status rg_sqo_optout_remove(rg_store *s, int64_t customer_id, const char *channel, bool *removed, rg_err *e);

/* sqlite_promises.c */
/* sqlite_reports.c */
rg_status rg_sqr_report_rows(rg_store *s, rg_report_query q, const int64_t *args, size_t n_args,
                             rg_report_row_fn fn, void *ctx, rg_err *e);
/* A statement of the portal page's reads, prepared once per handle (slot
 * < RG_SQ_AGREEMENT_STMTS; reset it with rg_sq_done after use). */
sqlite3_stmt *rg_sq_agreement_stmt(rg_sq_common *s, int slot, const char *sql, rg_err *e);
void rg_sqag_finalize(rg_sq_common *s);
enum { RG_SQ_AG_EACH, RG_SQ_AG_EXTENDED_FROM };
rg_status rg_sqa_agreement_insert(rg_store *s, rg_agreement *a, rg_err *e);
rg_status rg_sqa_agreement_link(rg_store *s, int64_t agreement_id, int64_t invoice_id, const char *role, int64_t seq,
                                rg_cents amount, rg_err *e);
rg_status rg_sqa_agreement_get(rg_store *s, int64_t id, rg_agreement *out, rg_err *e);
rg_status rg_sqa_agreement_each(rg_store *s, int64_t customer_id, const char *status, int64_t after_id, int64_t limit,
                                rg_agreement_fn fn, void *ctx, rg_err *e);
rg_status rg_sqa_agreement_items(rg_store *s, int64_t agreement_id, rg_agreement_item_fn fn, void *ctx, rg_err *e);
rg_status rg_sqa_agreement_close(rg_store *s, int64_t id, const char *status, rg_instant at, rg_err *e);
rg_status rg_sqx_invoice_extend(rg_store *s, int64_t invoice_id, const rg_reissue *r, rg_instant now, bool *done, rg_err *e);
rg_status rg_sqx_invoice_extended_from(rg_store *s, int64_t invoice_id, rg_date *from, rg_err *e);
rg_status rg_sqp_promise_page(rg_store *s, const rg_promise_filter *f, rg_promise_view_fn fn, void *ctx, rg_err *e);

/* sqlite_users.c: the dashboard's users, sessions and failed logins (statements prepared per call). */
rg_status rg_squ_user_insert(rg_store *s, rg_user_row *u, const char *password_hash, rg_err *e);
rg_status rg_squ_user_get(rg_store *s, const char *email, rg_user_row *out, char *hash, size_t hash_n, bool *found, rg_err *e);
rg_status rg_squ_user_each(rg_store *s, rg_user_fn fn, void *ctx, rg_err *e);
rg_status rg_squ_user_disable(rg_store *s, int64_t id, rg_instant at, bool *changed, rg_err *e);
rg_status rg_squ_session_insert(rg_store *s, const char *token_hash, int64_t user_id, rg_instant now, rg_instant expires_at, rg_err *e);
rg_status rg_squ_session_get(rg_store *s, const char *token_hash, rg_instant now, rg_user_row *out, rg_instant *expires_at, bool *found, rg_err *e);
rg_status rg_squ_session_delete(rg_store *s, const char *token_hash, rg_err *e);
rg_status rg_squ_login_failures(rg_store *s, const char *email, const char *ip, rg_instant since, int64_t *by_email, int64_t *by_ip, rg_err *e);
rg_status rg_squ_login_failure_add(rg_store *s, const char *email, const char *ip, rg_instant at, rg_instant purge_before, rg_err *e);
rg_status rg_squ_login_failures_clear(rg_store *s, const char *email, rg_err *e);

/* sqlite_dash.c: the dashboard's pages. */
rg_status rg_sqd_channel_stats(rg_store *s, rg_channel_stats_fn fn, void *ctx, rg_err *e);

#endif
