/*
 * json_tasks — the JSON shape of operator tasks, promises, holds, offers,
 * events and bureau listings, shared by the CLI's --json output and (later) the REST API.
 * Like json_model, each function returns a new jansson reference (as
 * void *) or NULL on out of memory. Instants are ISO-8601 UTC, dates ISO,
 * money a decimal string; absent values are null.
 */
#ifndef RG_JSON_TASKS_H
#define RG_JSON_TASKS_H

#include "service/events.h"
#include "service/json_write.h"
#include "service/optouts.h"
#include "service/payments.h"
#include "service/tasks.h"
#include "store/store.h"

/* {"id", "kind", "status", "customer_external_id", "customer_name",
 *  "customer_phone", "invoice_external_id", "source", "assignee", "due_at",
 *  "claimed_at", "done_at", "outcome", "note", "message_id", "text"} */
void *rg_task_view_json(const rg_task_view *t);
/* {"id", "invoice_id"?, "promised_date", "amount", "status", "source",
 *  "created_at", "resolved_at", "grace_days"} */
void *rg_promise_json(const rg_promise *p);
/* {"step" (null: every step), "reason", "promise_id", "created_at",
 *  "released_at", "released_by"} */
void *rg_hold_json(const rg_hold *h);
/* {"id", "source", "waive_interest", "waive_fine", "discount_pct",
 *  "discount", "created_at", "valid_until", "status", "settled_at", "waived"} */
void *rg_offer_json(const rg_offer *o);
/* {"type", "at", "source", "invoice_external_id"? (with invoice), "payload"}; NULL when
 * the stored payload does not parse (text that is not UTF-8) or on no memory */
void *rg_event_json(const rg_event *ev, const char *invoice_external_id);
/* {"status", "notice_at", "requested_at", "listed_at",
 *  "removal_requested_at", "removed_at", "provider_ref", "attempts",
 *  "last_attempt_at", "last_error"} */
void *rg_bureau_listing_json(const rg_bureau_listing *l);

/* What recording a payment did (`regua pay --json`, POST /v1/payments):
 * {"invoice_external_id", "recorded", "amount_cents", "balance_cents",
 *  "status", "reference", "overpaid_cents", "credit_cents", "waived_cents"} */
void *rg_payment_outcome_json(const rg_payment *p, const rg_payment_outcome *out);
/* What recording an event did (`regua event --json`, POST /v1/events):
 * {"type", "event_id", "timers_started", "timers_cancelled"} and
 * "promise_id" (promise.made) or "payment_id", "payment_recorded",
 * "balance_cents" (payment.received). */
void *rg_event_result_json(const char *type, const rg_event_result *r);
/* The same document written with the streaming writer (the one writer:
 * rg_event_result_json parses its text), and as a text to free (NULL: out
 * of memory, or a type that is not UTF-8) — POST /v1/events answers it
 * without a jansson tree. */
void rg_event_result_json_write(rg_jw *w, const char *type, const rg_event_result *r);
char *rg_event_result_json_text(const char *type, const rg_event_result *r);
/* A closed task (`regua task done --json`, POST /v1/tasks/{id}/done):
 * {"task": rg_task_view_json, "promise": rg_promise_json or null,
 *  "event_id": the promise.made event or null} */
void *rg_task_done_json(const rg_task_done_result *r);
/* A promise with whom and what it is about (GET /v1/promises):
 * rg_promise_json's fields and "customer", "invoice" (external ids; null
 * for a promise about the whole debt). */
void *rg_promise_view_json(const rg_promise_view *v);
/* An opt-out (`regua optout list --json`'s items, GET /v1/optouts):
 * {"customer", "channel", "source", "at"} */
void *rg_optout_json(const rg_optout_row *o);
/* What adding or revoking one did (`regua optout add|remove --json`,
 * POST/DELETE /v1/optouts): rg_optout_json's fields and "opted_out" (now),
 * "changed", "event_id" (null when nothing changed). */
void *rg_optout_result_json(const rg_optout_result *r);

#endif
