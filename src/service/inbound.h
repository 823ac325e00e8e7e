/*
 * inbound — what comes back from outside: providers' delivery reports,
 * customers' replies, e-mail opens, link clicks and one-click
 * unsubscribes. Each becomes an event (PRODUCT.md §4) and, where it says
 * so, a change to a message or an opt-out; a reply of SAIR, PARAR, STOP
 * or CANCELAR opts the sender out of that channel and queues one
 * confirmation message.
 *
 * src/http/ parses and authenticates the requests and calls these on its
 * connection's own store handle. rg_inbound_apply_batch(), rg_inbound_open(),
 * rg_inbound_click() and rg_inbound_unsubscribe() each own their
 * transaction (all or nothing; call them outside one);
 * rg_inbound_apply_status() and rg_inbound_apply_reply() work inside the
 * caller's (rg_inbound_apply_batch() runs them). Every event goes through
 * rg_event_record().
 * Values passed in are borrowed for the call. `now` is the caller's clock.
 */
#ifndef RG_INBOUND_H
#define RG_INBOUND_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "config/config.h"
#include "service/events.h"
#include "store/store.h"

/* How many customers one phone number may reach (more are ignored). */
#define RG_INBOUND_MAX_CUSTOMERS 8

/* Where inbound events come from (rg_event.source). */
#define RG_INBOUND_SOURCE_WEBHOOK "webhook"
#define RG_INBOUND_SOURCE_TRACKING "tracking"

typedef enum { RG_INBOUND_APPLIED = 0, RG_INBOUND_DUPLICATE, RG_INBOUND_UNKNOWN } rg_inbound_outcome;

/* A provider's delivery report. */
typedef struct rg_inbound_status {
    const char *channel;     /* the channel's name ("whatsapp", "sms"), for the event */
    const char *provider_id; /* the provider's message id */
    rg_message_status status; /* RG_MSG_SENT, _DELIVERED, _READ or _FAILED */
    rg_instant at;            /* the provider's time; 0 or later than now: now */
    const char *reason;       /* FAILED: the provider's explanation; NULL none */
    const char *key;          /* the idempotency key the provider echoed (WhatsApp biz_opaque_callback_data); NULL none */
} rg_inbound_status;

/* Applies a report to the message the provider knows by provider_id (or,
 * when no message has that id, to the one whose idempotency key the
 * provider echoed: its answer was lost, and it takes the provider's id) and
 * records message.delivered / message.read / message.failed (SENT records
 * no event). *outcome: APPLIED, DUPLICATE (already known: no event) or
 * UNKNOWN (no such message: nothing stored). */
rg_status rg_inbound_apply_status(const rg_event_env *env, const rg_inbound_status *st, rg_instant now,
                                  rg_inbound_outcome *outcome, rg_err *e);

/* A message a customer sent us. */
typedef struct rg_inbound_reply {
    const char *channel;     /* the channel's name; opt-outs are per channel */
    bool whatsapp;           /* match the sender against customers' whatsapp numbers (else phone) */
    const char *from;        /* the sender as the provider gives it: "5511987654321" or "+55..." */
    const char *type;        /* "text", "button", "image", ...; NULL: "text" */
    const char *text;        /* NULL when the message has no text */
    const char *provider_id; /* NULL: none */
    rg_instant at;           /* 0 or later than now: now */
} rg_inbound_reply;

typedef struct rg_inbound_reply_result {
    bool duplicate;            /* already recorded (same provider id and time): nothing done */
    size_t customers;          /* how many customers the sender is */
    bool stop;                 /* the text was an opt-out word */
    size_t optouts;            /* customers opted out now (not before) */
    bool confirmation_queued;  /* a confirmation message was queued now (false when one existed) */
    int64_t confirmation_id;   /* the confirmation message's id (new or existing); 0 none */
} rg_inbound_reply_result;

/* Records message.replied for every customer with that number (one event
 * without a customer when nobody has it), linked to the latest message sent
 * to them on the channel. A reply already recorded with the same provider
 * id and time (a provider delivering its webhook twice) is skipped. An opt-out word opts each of them out of the
 * channel (how "reply"), records `optout` when it is new, and queues one
 * confirmation for the first of them — idempotency key
 * "optout-confirm:CUSTOMER:CHANNEL", so a second STOP queues nothing. */
rg_status rg_inbound_apply_reply(const rg_event_env *env, const rg_config *cfg, const rg_inbound_reply *r, rg_instant now,
                                 rg_inbound_reply_result *out, rg_err *e);

/* One item of a provider's webhook: a delivery report or a reply. */
typedef struct rg_inbound_item {
    bool is_reply;
    rg_inbound_status status; /* !is_reply */
    rg_inbound_reply reply;   /* is_reply */
} rg_inbound_item;

typedef struct rg_inbound_batch_result {
    int statuses;   /* reports applied */
    int duplicates; /* reports and replies already known */
    int unknown;    /* reports of messages regua does not know */
    int replies;    /* replies recorded */
    int optouts;    /* customers opted out now */
} rg_inbound_batch_result;

/* Applies items[0..n) in order, in one transaction: all or nothing (the
 * first failure rolls everything back; RG_EBUSY when the write lock
 * stayed taken — the provider retries). */
rg_status rg_inbound_apply_batch(const rg_event_env *env, const rg_config *cfg, const rg_inbound_item *items, size_t n,
                                 rg_instant now, rg_inbound_batch_result *out, rg_err *e);

/* Whether text is one of the opt-out words SAIR, PARAR, STOP, CANCELAR —
 * alone, ignoring case, accents, surrounding spaces and punctuation. */
bool rg_inbound_is_stop_word(const char *text, size_t len);

/* How a channel is named to a customer in pt-BR ("WhatsApp", "SMS",
 * "e-mail"; others as they are). */
const char *rg_inbound_channel_label(const char *channel);

/* The fixed pt-BR confirmation for an opt-out from `channel`, naming the
 * company (cfg->company.name); appended to out. */
void rg_inbound_confirmation_text(const rg_config *cfg, const char *channel, rg_buf *out);

/* email.opened for message_id. RG_ENOTFOUND when there is no such message. */
rg_status rg_inbound_open(const rg_event_env *env, int64_t message_id, rg_instant now, rg_err *e);
/* link.clicked with the URL for message_id. RG_ENOTFOUND when there is no
 * such message. */
rg_status rg_inbound_click(const rg_event_env *env, int64_t message_id, const char *url, rg_instant now, rg_err *e);
/* Opts the customer of message_id out of `channel` (how "unsubscribe") and
 * records `optout` unless they already were (*already true then; NULL-safe).
 * RG_ENOTFOUND when there is no such message. */
rg_status rg_inbound_unsubscribe(const rg_event_env *env, int64_t message_id, const char *channel, rg_instant now,
                                 bool *already, rg_err *e);

#endif
