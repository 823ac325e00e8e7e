/*
 * privacy — what the LGPD asks of regua about one person: erase their
 * personal data while keeping the financial records the law requires
 * (docs/privacy.md).
 */
#ifndef RG_PRIVACY_H
#define RG_PRIVACY_H

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
rg_status rg_customer_anonymize(const rg_event_env *env, const char *external_id, const char *source, rg_instant now,
                                rg_anonymize_result *out, rg_err *e);

#endif
