/*
 * webhooks — reading and authenticating what providers POST to regua: the
 * WhatsApp Cloud API's notifications (statuses and inbound messages) and
 * SMS providers' callbacks (a Twilio-style form or a simple JSON object).
 *
 * Pure: bytes in, a batch of items out — no store, no clock, no I/O — so
 * hostile bodies are fuzzed (fuzz/fuzz_webhook.c). A parse either accepts
 * the whole body or fails with RG_EINVAL naming the field (a JSON path such
 * as "entry[0].changes[1].value.statuses[2].id") and what was expected.
 *
 * Ownership: a batch owns its items and their texts; rg_hook_batch_free()
 * releases them (NULL-safe, and safe on a zeroed batch).
 */
#ifndef RG_HTTP_WEBHOOKS_H
#define RG_HTTP_WEBHOOKS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "model/model.h"

/* At most this many statuses and messages in one body. */
#define RG_HOOK_MAX_ITEMS 1000

typedef enum { RG_HOOK_STATUS = 0, RG_HOOK_MESSAGE } rg_hook_kind;

typedef struct rg_hook_item {
    rg_hook_kind kind;
    char provider_id[128];    /* the message's id at the provider */
    rg_message_status status; /* STATUS: RG_MSG_SENT, _DELIVERED, _READ or _FAILED */
    rg_instant at;            /* the provider's time (Unix seconds); 0 when not given */
    char reason[256];         /* STATUS failed: the provider's error, e.g. "131047: Re-engagement message" */
    char key[192];            /* STATUS (WhatsApp): the idempotency key echoed in biz_opaque_callback_data; "" none */
    char from[40];            /* MESSAGE: the sender as given ("5511987654321", "+5511...") */
    char type[24];            /* MESSAGE: "text", "button", "interactive", "image", ... */
    char *text;               /* MESSAGE: owned; NULL when the message carries no text */
} rg_hook_item;

typedef struct rg_hook_batch {
    rg_hook_item *v;
    size_t n, cap;
    size_t ignored; /* well-formed reports regua does not track ("queued", "deleted", other fields) */
} rg_hook_batch;

void rg_hook_batch_free(rg_hook_batch *b);

/* A WhatsApp Cloud API notification: {"object": "whatsapp_business_account",
 * "entry": [{"changes": [{"field": "messages", "value": {"statuses": [...],
 * "messages": [...]}}]}]}. Statuses sent/delivered/read/failed become STATUS
 * items; messages become MESSAGE items (text from text.body, button.text or
 * an interactive reply's title). */
rg_status rg_hook_parse_whatsapp(const char *body, size_t len, rg_hook_batch *out, rg_err *e);

/* An SMS provider's callback. content_type picks the reader (NULL or
 * anything else: a body starting with '{' or '[' is JSON, else a form):
 * - application/x-www-form-urlencoded, Twilio's fields: MessageSid,
 *   MessageStatus (sent, delivered, read, undelivered, failed), ErrorCode,
 *   ErrorMessage; a reply has From and Body (and no MessageStatus, or
 *   "received");
 * - JSON, an object or an array of objects {id, status, error, timestamp}
 *   for a report or {id, from, text, timestamp} for a reply. */
rg_status rg_hook_parse_sms(const char *content_type, const char *body, size_t len, rg_hook_batch *out, rg_err *e);

/* Whether header is "sha256=" followed by the hex HMAC-SHA256 of body under
 * secret (constant-time compare). False for a missing or malformed header. */
bool rg_hook_signature_ok(const char *secret, const char *header, const char *body, size_t len);

/* "sha256=HEX" of body under secret, appended to out (for tests and tools). */
void rg_hook_signature(const char *secret, const char *body, size_t len, rg_buf *out);

/* Compares two secrets without leaking where they differ (the length may
 * leak). False when either is NULL or empty. */
bool rg_hook_secret_equal(const char *a, const char *b);

/* The first value of key in an application/x-www-form-urlencoded body,
 * decoded ('+' is a space, %XX a byte), replacing out's contents; false
 * when the key is absent. */
bool rg_form_get(const char *body, size_t len, const char *key, rg_buf *out);

#endif
