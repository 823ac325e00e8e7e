/*
 * token — short signed strings for links that leave regua: the open pixel,
 * click tracking (the URL is inside the signature, so it is never an open
 * redirect), one-click unsubscribe and the customer portal.
 *
 * A token is base64url(payload) "." base64url(HMAC-SHA256(secret, kind ":"
 * payload)) truncated to 16 bytes. The kind ("o", "c", "u", "p") is part
 * of what is signed, so a token of one kind is never accepted as another.
 * Payloads are short texts chosen by the caller (ids, an expiry, a URL).
 */
#ifndef RG_TOKEN_H
#define RG_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

/* Appends the token for (kind, payload) to out. */
rg_status rg_token_sign(const char *secret, const char *kind, const char *payload, size_t len, rg_buf *out,
                        rg_err *e);

/* Checks token[0..len) and writes its payload (NUL-terminated) into
 * payload (size n). RG_EPERM when the signature is wrong or the token is
 * malformed; RG_EINVAL when the payload does not fit. Constant-time compare. */
rg_status rg_token_verify(const char *secret, const char *kind, const char *token, size_t len, char *payload,
                          size_t n, rg_err *e);

#endif
