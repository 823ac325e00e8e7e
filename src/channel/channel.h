/*
 * channel — the driver interface every touchpoint leaves through, and the
 * registry of drivers by name. Only src/channel/ speaks to providers.
 *
 * A driver is a table of functions (like SQLite's VFS). open() reads its
 * settings from a channel's config (secrets from the environment variables
 * the config names — never from the file, never logged). Then either:
 * - inline drivers (log, letter, task) deliver synchronously and locally
 *   with send(); the engine may call them at planning time;
 * - network drivers (smtp, whatsapp_cloud, http, bureau) implement
 *   prepare()/complete(): prepare() builds a libcurl easy handle for one
 *   message (the dispatcher adds it to its multi handle, bounded per
 *   channel by max_in_flight and rate_per_second), and complete() turns
 *   the transfer's result into an rg_send_result. They may also offer
 *   send() as a blocking convenience built on the same two functions.
 * Each request carries the message's idempotency key wherever the provider
 * accepts one (a header or a field). Inline drivers must be idempotent by
 * that key themselves (a line, a file or a task per key): after a crash the
 * dispatcher may hand them the same message again. The dispatcher owns
 * CURLOPT_PRIVATE of the easy handles prepare() returns.
 *
 * Secrets: rg_channel_open() registers the channel's secrets with
 * channel/scrub.h; a driver passes every text built from a provider's answer
 * through it (whole, before cutting it into rg_send_result.error).
 *
 * Ownership: rg_channel_open() returns an owned handle (rg_channel_close()).
 * rg_outgoing is borrowed for the duration of the call that receives it;
 * prepare() must copy what the request needs.
 */
#ifndef RG_CHANNEL_H
#define RG_CHANNEL_H

#include <stdbool.h>

#include "base/err.h"
#include "config/config.h"
#include "model/model.h"
#include "store/store.h"

typedef enum rg_send_outcome {
    RG_SEND_OK = 0,    /* accepted by the provider (or written, for inline drivers) */
    RG_SEND_TRANSIENT, /* timeouts, 5xx, 429: worth retrying later */
    RG_SEND_PERMANENT  /* 4xx, invalid address, outside the WhatsApp service window: fall back */
} rg_send_outcome;

/* What a failed attempt can have done, as far as the driver knows. */
typedef enum rg_send_reach {
    RG_REACH_UNKNOWN = 0, /* the dispatcher judges from the HTTP status and whether the request left */
    RG_REACH_NONE,        /* surely not acted on: refused or cut before the message itself went (SMTP before DATA) */
    RG_REACH_MAYBE        /* the message went and no final answer came back: it may have been accepted */
} rg_send_reach;

typedef struct rg_send_result {
    rg_send_outcome outcome;
    rg_send_reach reach;   /* failures only */
    bool channel_fault;    /* the provider refuses the channel itself (SMTP 535: our credentials): pause it */
    int retry_after;       /* seconds the provider asked to wait (429 Retry-After); 0 none */
    char provider_id[128]; /* the provider's message id */
    char error[256];       /* what went wrong, for the message's reason (no secrets) */
} rg_send_result;

/* What the drivers need besides the message: where regua is reachable
 * (tracking pixel, click links, one-click unsubscribe) and the creditor. */
typedef struct rg_channel_env {
    const rg_config *config;
    const char *token_secret; /* HMAC key for tracking tokens; NULL: no tracking */
    /* The store, for the inline drivers that read from it or record in it
     * (letter: the invoices' boletos; task: the task it creates). They run
     * on the caller's thread, inside the caller's transaction when there is
     * one. Required by those two drivers (open() fails without it). */
    rg_store *store;
} rg_channel_env;

typedef struct rg_outgoing {
    const rg_message *message;   /* id, idempotency key, channel, subject/body/html, payload */
    const rg_customer *customer;
    const char *to;              /* the address on this channel */
    const char *invoice_ids;     /* "F1|F2" */
} rg_outgoing;

typedef struct rg_channel rg_channel;

typedef struct rg_channel_driver {
    const char *name;
    bool inline_send;
    rg_status (*open)(const rg_channel_config *cfg, const rg_channel_env *env, void **state, rg_err *e);
    /* blocking delivery; required for inline drivers, optional otherwise */
    rg_status (*send)(void *state, const rg_outgoing *out, rg_send_result *res, rg_err *e);
    /* network drivers: *easy receives a CURL * ready to run, *req the
     * driver's per-request data (response buffer, headers) */
    rg_status (*prepare)(void *state, const rg_outgoing *out, void **easy, void **req, rg_err *e);
    /* called once per prepared request after the transfer ended (curl_code
     * is a CURLcode, http_status 0 when none); frees req and the easy handle */
    void (*complete)(void *state, void *easy, void *req, int curl_code, long http_status, rg_send_result *res);
    /* optional: asks the provider whether it has the message `out` (an
     * attempt that may have reached it: the answer was lost, or a dispatcher
     * died before recording it). Blocking. *found with its provider id;
     * RG_OK with *found false when the provider's list has no such message;
     * an error when the lookup itself failed (nothing can be concluded). */
    rg_status (*lookup)(void *state, const rg_outgoing *out, bool *found, char *provider_id, size_t n, rg_err *e);
    /* optional: make everything sent so far durable (the engine calls it
     * before committing a batch, so no committed "sent" outlives its line) */
    rg_status (*flush)(void *state, rg_err *e);
    void (*close)(void *state);
} rg_channel_driver;

const rg_channel_driver *rg_channel_driver_find(const char *name);

rg_status rg_channel_open(const rg_channel_config *cfg, const rg_channel_env *env, rg_channel **out, rg_err *e);
void rg_channel_close(rg_channel *ch);
const char *rg_channel_name(const rg_channel *ch);
const rg_channel_config *rg_channel_config_of(const rg_channel *ch);
const rg_channel_driver *rg_channel_driver_of(const rg_channel *ch);
void *rg_channel_state(rg_channel *ch);
bool rg_channel_is_inline(const rg_channel *ch);
/* Calls the driver's flush() when it has one. */
rg_status rg_channel_flush(rg_channel *ch, rg_err *e);
/* Whether a resend of the same message is deduplicated downstream: inline
 * drivers (local, keyed), and the http driver unless its
 * idempotency_header is `none`. The dispatcher resends an attempt whose
 * outcome it did not record only on such channels. */
bool rg_channel_takes_key(const rg_channel *ch);
/* What the dispatcher does with an attempt whose outcome it cannot know
 * (no final answer after the message went, or a crash before recording
 * it): true resend it (with the same Message-ID or idempotency key), false
 * review (status `uncertain` and an operator task). The channel's
 * `on_uncertain` setting, else resend for e-mail (smtp: the Message-ID is
 * stable, mailbox providers collapse it) and for channels that take a key
 * (rg_channel_takes_key), review for the others. */
bool rg_channel_resends_uncertain(const rg_channel *ch);
/* Whether the channel can ask its provider about a message (the http
 * driver with `lookup_url`: Twilio's message list). */
bool rg_channel_can_lookup(const rg_channel *ch);
/* The driver's lookup(); RG_EINTERNAL when it has none. */
rg_status rg_channel_lookup(rg_channel *ch, const rg_outgoing *out, bool *found, char *provider_id, size_t n,
                            rg_err *e);
/* Blocking send through the driver's send(). */
rg_status rg_channel_send(rg_channel *ch, const rg_outgoing *out, rg_send_result *res, rg_err *e);

/* The customer's address on a channel ("" when none): e-mail, WhatsApp
 * number, phone (SMS and voice; the WhatsApp number when no phone), the
 * postal address for letters. Writes into buf. */
const char *rg_channel_address(const char *channel, const rg_customer *c, char *buf, size_t n);

#endif
