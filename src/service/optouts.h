/*
 * optouts — a customer leaving a channel, and coming back (PRODUCT.md §6,
 * LGPD): listing, recording and revoking opt-outs per channel, each with
 * its source (how: "reply", "unsubscribe", "cli", "api", or the source a
 * caller names). `regua optout list|add|remove` and /v1/optouts call
 * these; a reply SAIR (service/inbound.h), an unsubscribe link and the
 * event `optout` (service/events.h) record opt-outs through
 * rg_optout_apply().
 *
 * rg_optout_add() and rg_optout_remove() each own their transaction: the
 * opt-out, the customer's invoices planned again (a channel opens or
 * closes) and the event (`optout`, `optout.revoked`) — all or nothing.
 */
#ifndef RG_SERVICE_OPTOUTS_H
#define RG_SERVICE_OPTOUTS_H

#include <stdbool.h>

#include "base/err.h"
#include "service/events.h"
#include "store/store.h"

/* Checks a channel name (1..24 of [a-z0-9_-]); where names the field. */
rg_status rg_optout_check_channel(const char *channel, const char *where, rg_err *e);
/* Checks a source (1..31 of [a-z0-9_.:-]); where names the field. */
rg_status rg_optout_check_source(const char *source, const char *where, rg_err *e);

/* Inside the caller's transaction: opts customer_id out of channel with
 * `how` at `at` and wakes its invoices, unless it already was (*was true:
 * nothing changed). Records no event. */
rg_status rg_optout_apply(rg_store *s, int64_t customer_id, const char *channel, const char *how, rg_instant at,
                          bool *was, rg_err *e);

/* Opt-outs by customer id then channel: of the customer `customer` (an
 * external id; NULL: everyone) and of `channel` (NULL: every channel),
 * after the customer with id after_customer_id, at most limit rows (0:
 * all). RG_ENOTFOUND (where "customer") for an unknown customer, RG_EINVAL
 * (where "channel") for a bad channel name. */
rg_status rg_optout_list(rg_store *s, const char *customer, const char *channel, int64_t after_customer_id,
                         int64_t limit, rg_optout_row_fn fn, void *ctx, rg_err *e);

typedef struct rg_optout_result {
    rg_optout_row optout;  /* the opt-out: as it is now (add), or as it was (remove) */
    bool opted_out;        /* the customer is opted out of the channel now */
    bool changed;          /* false: add found it already (optout is the first one, kept) */
    int64_t event_id;      /* the `optout` / `optout.revoked` event; 0 when nothing changed */
} rg_optout_result;

/* Opts the customer (external id) out of channel, source `source`, at
 * `at`. Already opted out: nothing changes (changed false). RG_ENOTFOUND
 * (where "customer") for an unknown customer; RG_EINVAL (where "channel",
 * "source") for a bad name. */
rg_status rg_optout_add(const rg_event_env *env, const char *customer, const char *channel, const char *source,
                        rg_instant at, rg_optout_result *out, rg_err *e);
/* Revokes the customer's opt-out of channel (the customer may be reached
 * there again) and records `optout.revoked` {"channel", "how": the revoked
 * one's source, "by": source}. RG_ENOTFOUND (where "customer") for an
 * unknown customer, (where "channel") when it is not opted out of it. */
rg_status rg_optout_remove(const rg_event_env *env, const char *customer, const char *channel, const char *source,
                           rg_instant at, rg_optout_result *out, rg_err *e);

#endif
