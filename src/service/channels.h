/*
 * channels — the dashboard's Canais: each channel's status (configured or
 * not, driver, cost per message, messages by status, last send and last
 * failure) and a test send through the real channel code (src/channel).
 * docs/dashboard.md.
 */
#ifndef RG_SERVICE_CHANNELS_H
#define RG_SERVICE_CHANNELS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "channel/channel.h"
#include "config/config.h"
#include "store/store.h"

typedef struct rg_channel_status {
    rg_channel_stats stats;  /* name, counts, last send and failure (zero counts: no message yet) */
    bool configured;         /* in regua.yaml's channels */
    char driver[24];         /* "" when not configured */
    rg_cents cost_per_message;
    bool can_test;           /* a driver a test can go through: smtp, http, whatsapp_cloud, log */
    int64_t total;
} rg_channel_status;

/* Every configured channel in the configuration's order, then the channels
 * that only old messages name, by name; read in one read transaction.
 * *out is malloc'd (free it). */
rg_status rg_channels_status(rg_store *s, const rg_config *cfg, rg_channel_status **out, size_t *n, rg_err *e);

typedef struct rg_channel_test {
    char to[256];           /* the address as sent to (a phone normalised to E.164) */
    bool sent;              /* the provider accepted it (or the log driver wrote it) */
    rg_send_result result;  /* provider_id, or error (scrubbed of secrets) */
} rg_channel_test;

/* What a test through channel `name` takes: "email" (an smtp channel, or
 * one called email), "phone" (http, whatsapp_cloud, or a channel called
 * whatsapp, sms or voice: normalised to E.164), "any" (the rest). */
const char *rg_channel_test_address(const rg_config *cfg, const char *name);

/* Sends a test message through channel `name` of cfg to `to` (the address
 * rg_channel_test_address says; phones normalised to E.164): a message of its own (idempotency key "teste-" + random, no
 * customer, no invoice), nothing recorded in the store. RG_ENOTFOUND (where
 * "canal") for a channel not in cfg; RG_EINVAL (where "canal") for a driver
 * that cannot take a test (letter, task, bureau), (where "destino") for a
 * bad address. A refusal by the provider is RG_OK with out->sent false. */
rg_status rg_channel_test_send(const rg_config *cfg, rg_store *s, const char *name, const char *to, rg_instant now,
                               rg_channel_test *out, rg_err *e);

#endif
