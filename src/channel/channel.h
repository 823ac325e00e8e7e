/*
 * channel — the driver interface every touchpoint leaves through, and the
 * registry of drivers by name. Only src/channel/ speaks to providers.
 *
 * A driver is a table of functions (like SQLite's VFS): open() reads its
 * settings from a channel's config (secrets from the environment variables
 * the config names), send() delivers one rendered message, close() frees.
 * An "inline" driver delivers synchronously and locally (log, task), so the
 * engine may send at planning time; the others go through the outbox and
 * the dispatcher.
 *
 * Ownership: rg_channel_open() returns an owned handle (rg_channel_close());
 * rg_outgoing is borrowed for the duration of send().
 */
#ifndef RG_CHANNEL_H
#define RG_CHANNEL_H

#include <stdbool.h>

#include "base/err.h"
#include "config/config.h"
#include "model/model.h"

typedef struct rg_outgoing {
    const rg_message *message;   /* with subject/body/html rendered */
    const rg_customer *customer;
    const char *to;              /* the address on this channel */
    const char *invoice_ids;     /* "F1|F2" */
} rg_outgoing;

typedef struct rg_send_result {
    bool permanent;              /* a failure not worth retrying */
    char provider_id[128];
    char error[256];
} rg_send_result;

typedef struct rg_channel rg_channel;

typedef struct rg_channel_driver {
    const char *name;
    bool inline_send;
    rg_status (*open)(const rg_channel_config *cfg, void **state, rg_err *e);
    rg_status (*send)(void *state, const rg_outgoing *out, rg_send_result *res, rg_err *e);
    void (*close)(void *state);
} rg_channel_driver;

const rg_channel_driver *rg_channel_driver_find(const char *name);

rg_status rg_channel_open(const rg_channel_config *cfg, rg_channel **out, rg_err *e);
void rg_channel_close(rg_channel *ch);
const char *rg_channel_name(const rg_channel *ch);
bool rg_channel_is_inline(const rg_channel *ch);
rg_status rg_channel_send(rg_channel *ch, const rg_outgoing *out, rg_send_result *res, rg_err *e);

/* The customer's address on a channel ("" when none): e-mail, WhatsApp
 * number, phone (SMS and voice; the WhatsApp number when no phone), the
 * postal address for letters. Writes into buf. */
const char *rg_channel_address(const char *channel, const rg_customer *c, char *buf, size_t n);

#endif
