/*
 * messages — what an operator does with a message the dispatcher left
 * `uncertain` (it may have reached the provider; the channel's
 * on_uncertain is review, docs/channels.md): after checking with the
 * provider or the customer, mark it sent, send it again, or give it up.
 * Used by `regua messages resolve` and meant for the API.
 *
 * rg_message_resolve() owns its transaction: the message changes and its
 * open `review` task closes (outcome sent, resent or failed; the note), or
 * nothing is written.
 */
#ifndef RG_SERVICE_MESSAGES_H
#define RG_SERVICE_MESSAGES_H

#include "base/err.h"
#include "config/config.h"
#include "store/store.h"

typedef enum rg_resolve_action {
    RG_RESOLVE_SENT,   /* it did reach the customer: sent (provider id optional) */
    RG_RESOLVE_RESEND, /* it did not: queued again now, same idempotency key, attempts from 0 */
    RG_RESOLVE_FAILED  /* give it up: failed */
} rg_resolve_action;

typedef struct rg_resolve_params {
    rg_resolve_action action;
    const char *note;          /* optional (UTF-8, at most 200 bytes): goes into the reason and the task */
    const char *provider_id;   /* optional, RG_RESOLVE_SENT only (printable ASCII, at most 127 bytes) */
    const char *by;            /* optional: who decided (UTF-8, at most 63 bytes) */
    const rg_config *config;   /* for the channel's cost_per_message when sent; NULL: cost 0 */
} rg_resolve_params;

/* Resolves message id. RG_ENOTFOUND: no such message; RG_ECONFLICT: it is
 * not `uncertain` (e.g. a provider's status webhook settled it); RG_EINVAL:
 * a bad note, provider id or name. *out: the message afterwards (may be NULL). */
rg_status rg_message_resolve(rg_store *s, int64_t id, const rg_resolve_params *p, rg_instant now,
                             rg_message_ref *out, rg_err *e);

/* "sent", "resend" or "failed". */
const char *rg_resolve_action_name(rg_resolve_action a);

#endif
