/*
 * webhook_out — the one HTTP call of the outgoing webhooks (docs/api.md,
 * "Outgoing webhooks"): a JSON body POSTed to the receiver's URL with
 * `Content-Type: application/json` and `Regua-Signature: t=T,v1=HEX`,
 * where HEX is HMAC-SHA256(secret, T + "." + body) in lowercase hex.
 *
 * Only this file (and the rest of src/channel/) speaks to the outside;
 * the outbox, retries and leases are service/webhooks.c's.
 */
#ifndef RG_CHANNEL_WEBHOOK_OUT_H
#define RG_CHANNEL_WEBHOOK_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define RG_WEBHOOK_SIG_HEX 65 /* 64 hex digits and the NUL */

/* v1 of the signature: hex of HMAC-SHA256(secret, "T.body"). False only
 * when libsodium cannot start or memory runs out. */
bool rg_webhook_sign(const char *secret, int64_t t, const char *body, size_t len, char out[RG_WEBHOOK_SIG_HEX]);

/* What one POST came to. */
typedef struct rg_webhook_answer {
    long http_status; /* 0: no answer (connection refused, timeout) */
    char error[400];  /* "" on a 2xx; else what went wrong, scrubbed (never the secret) */
} rg_webhook_answer;

/* POSTs body to url, signed with secret at instant t, within timeout_s
 * seconds. A 2xx is delivered (RG_OK); any other answer or none is
 * RG_ETRANSIENT with `a` saying why; RG_ENOMEM when memory ran out. */
rg_status rg_webhook_post(const char *url, const char *secret, int64_t t, const char *body, long timeout_s,
                          rg_webhook_answer *a, rg_err *e);

#endif
