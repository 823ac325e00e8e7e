/*
 * json_tasks — the JSON shape of operator tasks, promises and bureau
 * listings, shared by the CLI's --json output and (later) the REST API.
 * Like json_model, each function returns a new jansson reference (as
 * void *) or NULL on out of memory. Instants are ISO-8601 UTC, dates ISO,
 * money a decimal string; absent values are null.
 */
#ifndef RG_JSON_TASKS_H
#define RG_JSON_TASKS_H

#include "store/store.h"

/* {"id", "kind", "status", "customer_external_id", "customer_name",
 *  "customer_phone", "invoice_external_id", "source", "assignee", "due_at",
 *  "claimed_at", "done_at", "outcome", "note", "message_id", "text"} */
void *rg_task_view_json(const rg_task_view *t);
/* {"id", "invoice_id"?, "promised_date", "amount", "status", "source",
 *  "created_at", "resolved_at"} */
void *rg_promise_json(const rg_promise *p);
/* {"status", "notice_at", "requested_at", "listed_at",
 *  "removal_requested_at", "removed_at", "provider_ref", "attempts",
 *  "last_attempt_at", "last_error"} */
void *rg_bureau_listing_json(const rg_bureau_listing *l);

#endif
