/*
 * backend — what a store backend implements (private to src/store/).
 *
 * Each function mirrors the public rg_store_* function of the same name;
 * store.c holds the thin wrappers and picks the backend from the location.
 */
#ifndef RG_STORE_BACKEND_H
#define RG_STORE_BACKEND_H

#include "store/store.h"

typedef struct rg_store_ops {
    const char *name;
    void (*close)(rg_store *s);
    rg_status (*open_reader)(rg_store *s, rg_store **out, rg_err *e);
    rg_status (*open_peer)(rg_store *s, int busy_ms, rg_store **out, rg_err *e);
    rg_status (*checkpointer_start)(rg_store *s, int64_t wal_bytes, rg_err *e);
    void (*checkpointer_stats)(rg_store *s, rg_store_ckpt_stats *out);
    void (*checkpointer_stop)(rg_store *s);
    rg_status (*info_get)(rg_store *s, rg_store_info *out, rg_err *e);
    rg_status (*begin)(rg_store *s, rg_err *e);
    rg_status (*begin_read)(rg_store *s, rg_err *e);
    rg_status (*commit)(rg_store *s, rg_err *e);
    void (*rollback)(rg_store *s);
    rg_status (*savepoint)(rg_store *s, rg_err *e);
    int64_t (*writes)(rg_store *s);
    rg_status (*savepoint_release)(rg_store *s, rg_err *e);
    void (*savepoint_rollback)(rg_store *s);
    rg_status (*customer_upsert)(rg_store *s, rg_customer *c, unsigned fields, rg_instant now,
                                 rg_upsert_result *res, rg_err *e);
    rg_status (*customer_get)(rg_store *s, const char *external_id, int64_t id, rg_customer *out,
                              rg_err *e);
    rg_status (*customer_id)(rg_store *s, const char *external_id, int64_t *id, rg_err *e);
    rg_status (*customer_anonymize)(rg_store *s, int64_t customer_id, const char *name, rg_instant now,
                                    rg_anonymize_counts *out, rg_err *e);
    rg_status (*customer_each)(rg_store *s, const rg_customer_filter *f, rg_customer_fn fn, void *ctx,
                               rg_err *e);
    rg_status (*invoice_upsert)(rg_store *s, rg_invoice *inv, unsigned fields, rg_instant now,
                                rg_upsert_result *res, rg_err *e);
    rg_status (*invoice_get)(rg_store *s, const char *external_id, int64_t id, rg_invoice *out,
                             rg_err *e);
    rg_status (*invoice_find_for_bank)(rg_store *s, const char *nosso_numero, const char *document_number,
                                       rg_invoice *out, rg_err *e);
    rg_status (*invoice_set_paid)(rg_store *s, int64_t id, rg_cents paid, rg_invoice_status st,
                                  rg_date paid_on, rg_instant now, rg_err *e);
    rg_status (*invoice_each)(rg_store *s, const rg_invoice_filter *f, rg_invoice_fn fn, void *ctx,
                              rg_err *e);
    rg_status (*payment_insert)(rg_store *s, rg_payment *p, rg_instant now, bool *inserted, rg_err *e);
    rg_status (*payment_each)(rg_store *s, int64_t invoice_id, rg_payment_fn fn, void *ctx, rg_err *e);
    rg_status (*event_add)(rg_store *s, const rg_event *ev, int64_t *id, rg_err *e);
    rg_status (*event_each_for_invoice)(rg_store *s, int64_t invoice_id, rg_event_fn fn, void *ctx,
                                        rg_err *e);
    rg_status (*timer_add)(rg_store *s, rg_timer *t, bool *inserted, rg_err *e);
    rg_status (*timer_waiting_for_customer)(rg_store *s, int64_t customer_id, rg_timer_fn fn, void *ctx, rg_err *e);
    rg_status (*timer_waiting_for_trigger)(rg_store *s, int64_t customer_id, const char *cadence,
                                           const char *trigger_id, rg_timer_fn fn, void *ctx, rg_err *e);
    rg_status (*timer_due)(rg_store *s, rg_instant until, int64_t after_id, int64_t limit, rg_timer_fn fn, void *ctx,
                           rg_err *e);
    rg_status (*timer_finish)(rg_store *s, int64_t id, const char *status, const char *reason, rg_instant at,
                              bool *changed, rg_err *e);
    rg_status (*timer_move)(rg_store *s, int64_t id, rg_instant fire_at, const char *reason, rg_err *e);
    rg_status (*timer_each_for_invoice)(rg_store *s, int64_t invoice_id, rg_timer_fn fn, void *ctx, rg_err *e);
    rg_status (*customer_open_invoices)(rg_store *s, int64_t customer_id, rg_invoice_fn fn, void *ctx, rg_err *e);
    rg_status (*customer_paid_each)(rg_store *s, int64_t customer_id, rg_date since, rg_paid_fn fn, void *ctx,
                                    rg_err *e);
    rg_status (*invoice_set_cadence)(rg_store *s, int64_t invoice_id, const char *cadence, rg_instant now, rg_err *e);
    rg_status (*invoice_wake)(rg_store *s, int64_t invoice_id, rg_instant at, rg_err *e);
    rg_status (*customer_wake)(rg_store *s, int64_t customer_id, rg_instant at, rg_err *e);
    rg_status (*invoice_agenda)(rg_store *s, int64_t invoice_id, rg_instant *next_at, rg_err *e);
    rg_status (*tick_customers)(rg_store *s, rg_instant recent_since, rg_date late_since, const int64_t *ids,
                                size_t n, rg_tick_row_fn fn, void *ctx, rg_err *e);
    rg_status (*agenda_due_customers)(rg_store *s, rg_instant now, rg_id_fn fn, void *ctx, rg_err *e);
    rg_status (*agenda_customers_after)(rg_store *s, int64_t after, int64_t limit, rg_id_fn fn, void *ctx,
                                        int64_t *scanned, rg_err *e);
    rg_status (*agenda_state_get)(rg_store *s, rg_agenda_state *out, rg_err *e);
    rg_status (*agenda_state_put)(rg_store *s, const rg_agenda_state *st, rg_err *e);
    rg_status (*tick_each)(rg_store *s, rg_instant recent_since, rg_date late_since, int64_t after_customer, int64_t after_invoice, int64_t limit, rg_tick_row_fn fn, void *ctx, rg_err *e);
    rg_status (*progress_put)(rg_store *s, int64_t invoice_id, const char *cadence, const char *version, const char *steps, rg_instant now, rg_err *e);
    rg_status (*progress_put_many)(rg_store *s, const rg_progress_write *w, size_t n, rg_err *e);
    rg_status (*progress_get)(rg_store *s, int64_t invoice_id, char *cadence, size_t cadence_n, char *steps, size_t steps_n, bool *found, rg_err *e);
    rg_status (*message_insert)(rg_store *s, rg_message *m, bool *inserted, rg_err *e);
    rg_status (*message_insert_many)(rg_store *s, rg_message *const *m, size_t n, bool *inserted, rg_err *e);
    rg_status (*message_link_invoice)(rg_store *s, int64_t message_id, int64_t invoice_id, rg_err *e);
    rg_status (*message_set_status)(rg_store *s, int64_t id, rg_message_status st, const char *reason, rg_instant sent_at, rg_instant now, rg_err *e);
    rg_status (*message_each)(rg_store *s, const rg_message_filter *f, rg_message_fn fn, void *ctx, rg_err *e);
    rg_status (*task_insert)(rg_store *s, rg_task *t, rg_err *e);
    rg_status (*task_each)(rg_store *s, bool include_done, rg_task_fn fn, void *ctx, rg_err *e);
    rg_status (*optout_set)(rg_store *s, int64_t customer_id, const char *channel, const char *how, rg_instant at, rg_err *e);
    rg_status (*bureau_request)(rg_store *s, int64_t invoice_id, rg_instant notice_at, rg_instant now, bool *created, rg_err *e);
    rg_status (*bureau_on_paid)(rg_store *s, int64_t invoice_id, rg_instant now, bool *changed, rg_err *e);
    rg_status (*bureau_status)(rg_store *s, int64_t invoice_id, char *status, size_t n, rg_err *e);
    rg_status (*invoice_reissue)(rg_store *s, int64_t invoice_id, const rg_reissue *r, rg_instant now, rg_err *e);
    rg_status (*snapshot)(rg_store *s, const char *path, rg_err *e);
    rg_status (*customer_timezones)(rg_store *s, rg_text_fn fn, void *ctx, rg_err *e);
    rg_status (*message_max_id)(rg_store *s, int64_t *id, rg_err *e);
    rg_status (*steps_seen)(rg_store *s, const char *cadence, const char *const *ids, size_t n, rg_instant now, bool record, rg_instant *out, rg_err *e);
    rg_status (*cadence_version_seen)(rg_store *s, const char *cadence, const char *version, const char *reason, rg_instant now, rg_err *e);
    rg_status (*cadence_versions)(rg_store *s, const char *cadence, rg_cadence_version_fn fn, void *ctx, rg_err *e);
    rg_status (*step_letter_sent_at)(rg_store *s, int64_t invoice_id, const char *cadence, const char *step, rg_instant *at, rg_err *e);
    /* inbound */
    rg_status (*message_ref)(rg_store *s, int64_t id, rg_message_ref *out, rg_err *e);
    rg_status (*message_by_provider_id)(rg_store *s, const char *provider_id, rg_message_ref *out, rg_err *e);
    rg_status (*message_last_sent)(rg_store *s, int64_t customer_id, const char *channel, rg_message_ref *out, rg_err *e);
    rg_status (*message_by_key)(rg_store *s, const char *key, const char *provider_id, rg_message_ref *out, rg_err *e);
    rg_status (*task_close_for_message)(rg_store *s, int64_t message_id, const char *kind, const char *outcome,
                                        const char *note, rg_instant now, bool *changed, rg_err *e);
    rg_status (*message_track)(rg_store *s, int64_t id, rg_message_status st, const char *reason, rg_instant at, rg_instant now, bool *changed, rg_err *e);
    rg_status (*customers_by_number)(rg_store *s, const char *e164, bool whatsapp, rg_customer *out, size_t max, size_t *n, rg_err *e);
    rg_status (*event_seen)(rg_store *s, const char *type, rg_instant at, const char *provider_id, bool *seen, rg_err *e);
    rg_status (*optout_get)(rg_store *s, int64_t customer_id, const char *channel, bool *found, rg_err *e);
    /* tasks, promises, bureau requests (sqlite_tasks_bureau.c) */
    rg_status (*task_insert_for_message)(rg_store *s, rg_task *t, int64_t message_id, const char *text, bool *inserted, rg_err *e);
    rg_status (*task_get)(rg_store *s, int64_t id, rg_task_view *out, rg_err *e);
    rg_status (*task_view_each)(rg_store *s, bool include_done, rg_task_view_fn fn, void *ctx, rg_err *e);
    rg_status (*task_view_page)(rg_store *s, bool include_done, int64_t after_id, int64_t limit, rg_task_view_fn fn,
                                void *ctx, rg_err *e);
    rg_status (*task_claim)(rg_store *s, int64_t id, const char *assignee, rg_instant now, bool *changed, rg_err *e);
    rg_status (*task_finish)(rg_store *s, int64_t id, const char *assignee, const char *outcome, const char *note, rg_instant now, bool *changed, rg_err *e);
    rg_status (*promise_insert)(rg_store *s, rg_promise *p, rg_err *e);
    rg_status (*promise_each_for_invoice)(rg_store *s, int64_t invoice_id, rg_promise_fn fn, void *ctx, rg_err *e);
    rg_status (*bureau_get)(rg_store *s, int64_t invoice_id, rg_bureau_listing *out, bool *found, rg_err *e);
    rg_status (*bureau_pending_each)(rg_store *s, rg_bureau_fn fn, void *ctx, rg_err *e);
    rg_status (*bureau_accepted)(rg_store *s, int64_t invoice_id, bool removal, const char *provider_ref, rg_instant now, bool *changed, rg_err *e);
    rg_status (*bureau_failed)(rg_store *s, int64_t invoice_id, const char *error, rg_instant now, rg_err *e);
    /* the dispatcher's outbox */
    rg_status (*outbox_claim)(rg_store *s, const char *channel, const char *other_than, const char *owner, rg_instant now, rg_instant lease_until, int64_t limit, rg_message_fn fn, void *ctx, rg_err *e);
    rg_status (*outbox_handed)(rg_store *s, int64_t id, const char *owner, rg_instant now, bool *held, rg_err *e);
    rg_status (*outbox_finish)(rg_store *s, const rg_outbox_result *r, rg_instant now, bool *held, rg_err *e);
    rg_status (*message_resolve)(rg_store *s, const rg_message_resolution *r, rg_instant now, bool *changed, rg_err *e);
    rg_status (*outbox_leases)(rg_store *s, rg_outbox_lease_fn fn, void *ctx, rg_err *e);
    rg_status (*outbox_next_due)(rg_store *s, rg_instant *at, rg_err *e);
    rg_status (*outbox_renew)(rg_store *s, const char *owner, rg_instant lease_until, int64_t *n, rg_err *e);
    rg_status (*outbox_counts)(rg_store *s, int64_t *queued, int64_t *sending, rg_err *e);
    rg_status (*message_invoice_ids)(rg_store *s, int64_t message_id, int64_t *ids, size_t max, size_t *n, rg_err *e);
    rg_status (*customer_optouts)(rg_store *s, int64_t customer_id, char *buf, size_t n, rg_err *e);
    rg_status (*customer_sends_since)(rg_store *s, int64_t customer_id, rg_instant since, int64_t exclude, rg_instant *out, size_t max, size_t *n, rg_err *e);
    /* holds, promise deadlines, offers (sqlite_holds.c) */
    rg_status (*hold_add)(rg_store *s, rg_hold *h, bool *added, rg_err *e);
    rg_status (*holds_release)(rg_store *s, const rg_hold_filter *f, rg_instant at, const char *by, int64_t *released, rg_err *e);
    rg_status (*hold_each)(rg_store *s, int64_t invoice_id, bool active_only, rg_hold_fn fn, void *ctx, rg_err *e);
    rg_status (*promise_each_pending)(rg_store *s, int64_t invoice_id, rg_promise_fn fn, void *ctx, rg_err *e);
    rg_status (*promise_grace)(rg_store *s, int64_t promise_id, int64_t days, rg_err *e);
    rg_status (*promise_resolve)(rg_store *s, int64_t promise_id, const char *status, rg_instant at, bool *changed, rg_err *e);
    rg_status (*payments_sum_since)(rg_store *s, int64_t invoice_id, int64_t customer_id, rg_instant since, rg_cents *sum, rg_err *e);
    rg_status (*offer_insert)(rg_store *s, rg_offer *o, rg_err *e);
    rg_status (*offer_current)(rg_store *s, int64_t invoice_id, rg_instant at, rg_offer *out, bool *found, rg_err *e);
    rg_status (*offer_any)(rg_store *s, rg_instant at, bool *any, rg_err *e);
    rg_status (*offer_settle)(rg_store *s, int64_t offer_id, rg_instant at, rg_cents waived, rg_err *e);
    rg_status (*offer_each)(rg_store *s, int64_t invoice_id, rg_offer_fn fn, void *ctx, rg_err *e);
    rg_status (*event_each_for_customer)(rg_store *s, int64_t customer_id, int64_t limit, rg_customer_event_fn fn, void *ctx, rg_err *e);
    rg_status (*optout_each)(rg_store *s, int64_t customer_id, rg_optout_fn fn, void *ctx, rg_err *e);
    rg_status (*report_rows)(rg_store *s, rg_report_query q, const int64_t *args, size_t n_args,
                             rg_report_row_fn fn, void *ctx, rg_err *e);
    rg_status (*agreement_insert)(rg_store *s, rg_agreement *a, rg_err *e);
    rg_status (*agreement_link)(rg_store *s, int64_t agreement_id, int64_t invoice_id, const char *role, int64_t seq,
                                rg_cents amount, rg_err *e);
    rg_status (*agreement_get)(rg_store *s, int64_t id, rg_agreement *out, rg_err *e);
    rg_status (*agreement_each)(rg_store *s, int64_t customer_id, const char *status, int64_t after_id, int64_t limit,
                                rg_agreement_fn fn, void *ctx, rg_err *e);
    rg_status (*agreement_items)(rg_store *s, int64_t agreement_id, rg_agreement_item_fn fn, void *ctx, rg_err *e);
    rg_status (*agreement_close)(rg_store *s, int64_t id, const char *status, rg_instant at, rg_err *e);
    rg_status (*invoice_extend)(rg_store *s, int64_t invoice_id, const rg_reissue *r, rg_instant now, bool *done, rg_err *e);
    rg_status (*invoice_extended_from)(rg_store *s, int64_t invoice_id, rg_date *from, rg_err *e);
    rg_status (*promise_page)(rg_store *s, const rg_promise_filter *f, rg_promise_view_fn fn, void *ctx, rg_err *e);
    rg_status (*optout_list)(rg_store *s, const rg_optout_filter *f, rg_optout_row_fn fn, void *ctx, rg_err *e);
    rg_status (*optout_remove)(rg_store *s, int64_t customer_id, const char *channel, bool *removed, rg_err *e);
    /* the API's keys and Idempotency-Keys (sqlite_api.c) */
    rg_status (*apikey_insert)(rg_store *s, rg_apikey_row *k, const char *hash_hex, rg_err *e);
    rg_status (*apikey_get)(rg_store *s, const char *hash_hex, int64_t id, rg_apikey_row *out, bool *found, rg_err *e);
    rg_status (*apikey_each)(rg_store *s, int64_t after_id, int64_t limit, rg_apikey_fn fn, void *ctx, rg_err *e);
    rg_status (*apikey_revoke)(rg_store *s, int64_t id, rg_instant at, bool *changed, rg_err *e);
    rg_status (*apikey_touch)(rg_store *s, int64_t id, rg_instant at, rg_err *e);
    rg_status (*idem_claim)(rg_store *s, int64_t api_key_id, const char *key, const char *fingerprint, rg_instant now,
                            rg_instant expired_before, rg_instant abandoned_before, bool *claimed, rg_err *e);
    rg_status (*idem_get)(rg_store *s, int64_t api_key_id, const char *key, rg_idem_row *out, rg_buf *body,
                          bool *found, rg_err *e);
    rg_status (*idem_finish)(rg_store *s, int64_t api_key_id, const char *key, rg_instant claimed_at, int status,
                             const char *content_type,
                             const char *body, size_t body_len, rg_err *e);
    rg_status (*idem_release)(rg_store *s, int64_t api_key_id, const char *key, rg_instant claimed_at, rg_err *e);
    rg_status (*idem_mark)(rg_store *s, int64_t api_key_id, const char *key, rg_instant claimed_at, bool *held,
                           rg_err *e);
    /* outgoing webhooks (sqlite_webhooks.c) */
    rg_status (*webhook_enqueue)(rg_store *s, const char *webhook, int64_t event_id, const char *event_type, const char *body, rg_instant now, bool *inserted, rg_err *e);
    rg_status (*webhook_claim)(rg_store *s, const char *owner, rg_instant now, rg_instant lease_until, int64_t limit, const char *lost_error, rg_webhook_delivery_fn fn, void *ctx, rg_err *e);
    rg_status (*webhook_finish)(rg_store *s, const rg_webhook_outcome *o, bool *held, rg_err *e);
    rg_status (*webhook_each)(rg_store *s, const char *status, int64_t id, int64_t before_id, int64_t limit, rg_webhook_delivery_fn fn, void *ctx, rg_err *e);
    rg_status (*webhook_attempts)(rg_store *s, int64_t delivery_id, rg_webhook_attempt_fn fn, void *ctx, rg_err *e);
    rg_status (*webhook_requeue)(rg_store *s, int64_t id, rg_instant now, bool *changed, rg_err *e);
    /* the dashboard's users and sessions (sqlite_users.c) */
    rg_status (*user_insert)(rg_store *s, rg_user_row *u, const char *password_hash, rg_err *e);
    rg_status (*user_get)(rg_store *s, const char *email, rg_user_row *out, char *hash, size_t hash_n, bool *found, rg_err *e);
    rg_status (*user_each)(rg_store *s, rg_user_fn fn, void *ctx, rg_err *e);
    rg_status (*user_disable)(rg_store *s, int64_t id, rg_instant at, bool *changed, rg_err *e);
    rg_status (*session_insert)(rg_store *s, const char *token_hash, int64_t user_id, rg_instant now, rg_instant expires_at, rg_err *e);
    rg_status (*session_get)(rg_store *s, const char *token_hash, rg_instant now, rg_user_row *out, rg_instant *expires_at, bool *found, rg_err *e);
    rg_status (*session_delete)(rg_store *s, const char *token_hash, rg_err *e);
    rg_status (*login_failures)(rg_store *s, const char *email, const char *ip, rg_instant since, int64_t *by_email, int64_t *by_ip, rg_err *e);
    rg_status (*login_failure_add)(rg_store *s, const char *email, const char *ip, rg_instant at, rg_instant purge_before, rg_err *e);
    rg_status (*login_failures_clear)(rg_store *s, const char *email, rg_err *e);
    /* the dashboard's pages (sqlite_dash.c) */
    rg_status (*channel_stats)(rg_store *s, rg_channel_stats_fn fn, void *ctx, rg_err *e);
} rg_store_ops;

struct rg_store {
    const rg_store_ops *ops;
    bool writing; /* inside a transaction begun with rg_store_begin */
    /* the Idempotency-Key a commit marks carried out (rg_store_idem_arm) */
    bool idem_armed;
    int64_t idem_api_key_id;
    rg_instant idem_claimed_at;
    char idem_key[256];
};

rg_status rg_sqlite_open(const char *path, rg_store **out, rg_err *e);

#endif
