/*
 * portal — the customer's self-service portal links (docs/portal.md).
 *
 * A link is PUBLIC_URL "/p/" TOKEN: a token of kind "p" (service/token.h,
 * HMAC-SHA256 with the configured secret) whose payload is
 * "CUSTOMER_ID.EXPIRES" — the customer's internal id and the UTC instant
 * (seconds) after which the link no longer opens. Short enough for an SMS:
 * 39 characters of token for customer 1, 47 for a 7-digit customer id.
 *
 * The page's forms carry a per-link form secret (rg_portal_form_secret):
 * a second HMAC of the whole token, so a POST is accepted only from a page
 * that was served for that link (CSRF).
 *
 * Nothing here touches the store but rg_portal_link_for(), which reads the
 * customer.
 */
#ifndef RG_SERVICE_PORTAL_H
#define RG_SERVICE_PORTAL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "config/config.h"
#include "store/store.h"

/* The longest portal token read (a longer one is not ours). */
#define RG_PORTAL_TOKEN_MAX 128
/* rg_portal_form_secret's text: 22 base64url characters and a NUL. */
#define RG_PORTAL_FORM_SECRET_LEN 23

/* Appends the token naming customer_id until `expires` to out. RG_EUSAGE
 * when no secret is configured. */
rg_status rg_portal_token(const char *secret, int64_t customer_id, rg_instant expires, rg_buf *out, rg_err *e);

/* Appends config's public_url (without a trailing '/') "/p/" and the
 * token to out. RG_EUSAGE naming what is missing: public_url, or the
 * secret (config.secret_env). */
rg_status rg_portal_link(const rg_config *config, int64_t customer_id, rg_instant expires, rg_buf *out, rg_err *e);

/* Reads token[0..len): *customer_id and *expires. RG_EPERM when it is
 * not a portal token signed with secret (tampered, another kind, too
 * long); RG_OK for an expired one too (the caller compares *expires). */
rg_status rg_portal_token_read(const char *secret, const char *token, size_t len, int64_t *customer_id,
                               rg_instant *expires, rg_err *e);

/* The form secret of token[0..len) (NUL-terminated text of
 * RG_PORTAL_FORM_SECRET_LEN bytes); false without a secret. */
bool rg_portal_form_secret(const char *secret, const char *token, size_t len, char out[RG_PORTAL_FORM_SECRET_LEN]);
/* Whether `given` is token's form secret (constant-time). */
bool rg_portal_form_secret_ok(const char *secret, const char *token, size_t len, const char *given);

/* `regua portal link`: the link of the customer with external id ext_id,
 * valid for `days` days from now (1-365). RG_ENOTFOUND naming the
 * customer; RG_EINVAL (where "days") for days out of range; RG_EUSAGE as
 * rg_portal_link. *expires (may be NULL) gets the expiry. */
rg_status rg_portal_link_for(rg_store *s, const rg_config *config, const char *ext_id, int64_t days, rg_instant now,
                             rg_buf *out, rg_instant *expires, rg_err *e);

#endif
