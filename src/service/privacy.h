/*
 * privacy — what the LGPD asks of regua about one person: erase their
 * personal data while keeping the financial records the law requires
 * (docs/privacy.md).
 */
#ifndef RG_PRIVACY_H
#define RG_PRIVACY_H

#include "config/config.h"
#include "service/events.h"

/* The name an anonymized customer keeps. */
#define RG_ANONYMIZED_NAME "Titular anonimizado"

typedef struct rg_anonymize_result {
    int64_t customer_id;
    int64_t event_id; /* the customer.anonymized event */
    rg_anonymize_counts counts;
} rg_anonymize_result;

/*
 * Anonymizes the customer `external_id` in its own transaction on
 * env->store (rg_store_customer_anonymize says what goes and what stays),
 * and records `customer.anonymized` (source `source`, payload the counts).
 * Refused while the customer has open invoices — collecting a debt is a
 * legal basis to keep the data (LGPD art. 7, X) and a régua without an
 * address cannot collect — with RG_ECONFLICT naming how many and the first;
 * RG_ENOTFOUND for an unknown customer. Running it again erases what
 * arrived since (a new import's data) and records another event.
 */
/* {"customer", "name", "event_id", "messages_cancelled", "messages_erased",
 *  "events_erased", "webhook_bodies_erased", "task_notes_erased",
 *  "tasks_cancelled", "timers_cancelled"}: what `customer anonymize --json`
 * prints and the API answers (a new jansson reference, NULL on no memory). */
void *rg_anonymize_result_json(const char *external_id, const rg_anonymize_result *r);

rg_status rg_customer_anonymize(const rg_event_env *env, const char *external_id, const char *source, rg_instant now,
                                rg_anonymize_result *out, rg_err *e);

/*
 * Everything stored about the customer `external_id` (LGPD art. 18, II), as
 * one JSON document read in one read transaction on s (*out, a new jansson
 * reference as void *):
 *   {"exported_at", "customer": the document of `customer show --json`
 *    (with its opt-outs and events), "invoices": [the document of `invoice
 *    show --json` of each of its invoices, every status], "messages": [each
 *    message as `messages list --json` shows it, with its "html" and
 *    provider "payload"], "tasks": [each task, done ones too]}.
 * A dry-run engine opened on s from `config` explains each invoice's
 * cadence as `invoice show` does (none when the cadences do not load), so
 * the CLI and the API give the same document.
 * RG_ENOTFOUND for an unknown customer; RG_EINVAL naming the record when a
 * stored text cannot be written as JSON (never a shorter document).
 */
rg_status rg_customer_export(rg_store *s, const rg_config *config, const char *external_id, rg_instant now,
                             void **out, rg_err *e);

#endif
