/*
 * json_views — the one JSON document of each view (service/views.h):
 * `regua invoice show --json` writes rg_invoice_view_json and
 * `regua customer show --json` rg_customer_view_json, and GET /v1/invoices/{id}
 * and /v1/customers/{id} answer the same (http/api_read.c). Instants are ISO-8601
 * UTC, dates ISO, money a decimal string (and *_cents); absent values null.
 *
 * Each sets *out to a new jansson reference (json_t *, as void *) and
 * returns RG_OK, or returns RG_EINVAL naming the part that cannot be
 * written (a stored text that is not valid UTF-8, or no memory) with *out
 * NULL: a document is whole or not written at all.
 */
#ifndef RG_JSON_VIEWS_H
#define RG_JSON_VIEWS_H

#include "service/simulate.h"
#include "service/views.h"

/* rg_invoice_json's fields, then "fine_pct_applied", "fine_capped",
 * "cadence" (only when explained: {"held", "name", "version", "state",
 * "effective_due_date", "steps": [{"step", "state", "description", "at"}],
 * "next_step", "next_due_at"}), "agenda_at", "bureau", "promises", "holds",
 * "offers", "payments", "events", "timers": [{"id", "cadence", "trigger",
 * "about", "event_id", "event_type", "event_at", "fire_at", "unless",
 * "reason"}]. */
rg_status rg_invoice_view_json(const rg_invoice_view *v, void **out, rg_err *e);
/* rg_customer_json's fields, then "optouts": [{"channel", "source", "at"}]
 * and "events" (newest first, each with its "invoice_external_id" when it
 * is an invoice's). */
rg_status rg_customer_view_json(const rg_customer_view *v, void **out, rg_err *e);

/* `regua simulate --json`: {"messages": [{"planned_for",
 * "customer_external_id", "invoice_external_ids", "cadence", "step",
 * "source_kind", "channel", "template", "status", "body"}], "per_day":
 * [{"date", "channel", "count"}], "promises": [{"invoice_external_id"
 * (null: the whole debt), "customer_external_id", "promise_id",
 * "promised_date", "amount", "grace_days", "deadline", "pauses",
 * "breaks"}]}. */
rg_status rg_simulation_json(const rg_simulation *s, void **out, rg_err *e);

#endif
