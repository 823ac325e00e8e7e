/*
 * json_model — the JSON shape of the core objects, shared by the CLI's
 * --json output and the REST API so both say the same thing. Each function
 * returns a new jansson reference (json_t *, as void * to keep jansson out
 * of this header's users) or NULL on out of memory.
 */
#ifndef RG_JSON_MODEL_H
#define RG_JSON_MODEL_H

#include "base/err.h"
#include "model/model.h"
#include "service/json_write.h"
#include "store/store.h"

void *rg_customer_json(const rg_customer *c);
/* An invoice's document: {"external_id", "customer_external_id",
 * "description", "amount", "amount_cents", "paid", "paid_cents", "balance",
 * "balance_cents", "issue_date", "due_date", "status", "boleto_bank",
 * "nosso_numero", "barcode", "linha_digitavel", "pix_code", "payment_url",
 * "fine_pct", "interest_month_pct", "credit", "credit_cents", "tags",
 * "reissued_due_date", "created_at", "updated_at"}. rg_invoice_json_write
 * is its one writer (streaming: a list page writes each row straight into
 * its buffer, service/json_write.h; a text that is not UTF-8 sets w->bad);
 * rg_invoice_json reads what it writes back as a jansson object (NULL when
 * it cannot be written) for the documents that build on it. */
void rg_invoice_json_write(rg_jw *w, const rg_invoice *inv);
void *rg_invoice_json(const rg_invoice *inv);
void *rg_payment_json(const rg_payment *p);
/* An API key as `apikey list --json` shows it (never the key: only its prefix). */
void *rg_apikey_json(const rg_apikey_row *k);
/* A dashboard user as `user list --json` shows it (never its password hash). */
void *rg_user_json(const rg_user_row *u);
/* A message as `messages list --json` shows it. */
void *rg_message_json(const rg_message *m);
/* "F1|F2" (how the store lists a message's invoices) -> ["F1", "F2"]: the
 * one JSON shape of a list of invoice ids. */
void *rg_invoice_ids_json(const char *ids);

/* Appends `item` (a new reference, may be NULL) to `array`. A NULL item is
 * a record that cannot be written as JSON — a text that is not valid
 * UTF-8 (jansson refuses it), or no memory: RG_EINVAL naming it (`what`
 * and `id`, e.g. "customer", "C1") so a list is never silently shorter. */
rg_status rg_json_append(void *array, void *item, const char *what, const char *id, rg_err *e);
/* The error rg_json_append sets: RG_EINVAL, "WHAT: ID cannot be written as
 * JSON ...", for a record (or a part of one) jansson refused. */
rg_status rg_json_unwritable(const char *what, const char *id, rg_err *e);

#endif
