/*
 * webhooks — the outgoing webhooks (docs/api.md, "Outgoing webhooks"):
 * an outbox of signed deliveries, one per webhook and event.
 *
 * Queueing happens where the event is recorded: rg_event_record() calls
 * rg_webhooks_on_event() in the caller's transaction for every webhook of
 * the configuration whose `events` list the type, and a trigger's
 * `webhook: NAME` action calls rg_webhooks_queue() for its event. The
 * body — {"id", "type", "occurred_at", "invoice", "customer", "data"} —
 * is built then and stored; `id` is the event's id, so the same event is
 * the same delivery (a receiver de-duplicates on it), whoever queued it.
 *
 * Delivery is `serve`'s webhook thread calling rg_webhooks_deliver():
 * claim the due deliveries under a lease (its own transaction), POST each
 * (channel/webhook_out.h), record the attempt. A 2xx is delivered; any
 * other answer or none is retried after 1 min, 5 min, 30 min, 2 h, 6 h,
 * 12 h and 24 h, and after the 8th failed attempt the delivery is
 * `failed` (`regua webhooks retry ID` queues it again). A lease that runs
 * out — the process died while sending — is recorded as an attempt with
 * no answer and the delivery is sent again: at least once.
 *
 * Ownership: lists are owned by the caller (rg_webhook_list_free).
 */
#ifndef RG_SERVICE_WEBHOOKS_H
#define RG_SERVICE_WEBHOOKS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/err.h"
#include "channel/webhook_out.h"
#include "config/config.h"
#include "model/event.h"
#include "store/store.h"

/* The event a delivery carries (borrowed strings). */
typedef struct rg_webhook_event {
    int64_t id;
    rg_event_type type;
    rg_instant at;
    int64_t customer_id; /* 0: none */
    int64_t invoice_id;  /* 0: none */
    const char *payload; /* a JSON object as text; NULL: {} */
} rg_webhook_event;

/* Queues ev for every webhook of cfg whose `events` lists its type (in the
 * caller's transaction). cfg NULL: nothing. */
rg_status rg_webhooks_on_event(rg_store *s, const rg_config *cfg, const rg_webhook_event *ev, rg_err *e);
/* Queues ev for webhook w (in the caller's transaction); *queued false when
 * w already had it. */
rg_status rg_webhooks_queue(rg_store *s, const rg_webhook_config *w, const rg_webhook_event *ev, bool *queued,
                            rg_err *e);

/* The same for the recorded event `event_id` of customer `customer_id`
 * (a trigger's `webhook: NAME` action), read back whole from the store.
 * RG_ENOTFOUND when the customer has no such event. */
rg_status rg_webhooks_queue_event(rg_store *s, const rg_webhook_config *w, int64_t customer_id, int64_t event_id,
                                  bool *queued, rg_err *e);

/* The wait before the attempt after `failures` failed ones (1-based), or
 * -1 when none is left (the delivery fails). */
int64_t rg_webhooks_backoff(int failures);

/* What one round of rg_webhooks_deliver did. */
typedef struct rg_webhooks_stats {
    int64_t claimed, delivered, retrying, failed, lost;
} rg_webhooks_stats;

/* The POST (rg_webhook_post by default; tests give their own). */
typedef rg_status (*rg_webhook_post_fn)(const char *url, const char *secret, int64_t t, const char *body,
                                        long timeout_s, rg_webhook_answer *a, rg_err *e);

typedef struct rg_webhooks_run {
    rg_store *store;        /* the thread's own connection */
    const rg_config *config;
    const char *owner;      /* the lease owner: unique per process ("host:pid:random") */
    const rg_clock *clock;  /* when each attempt is made (its `t`) */
    int64_t limit;          /* deliveries sent per round at most (0: 20) */
    rg_webhook_post_fn post; /* NULL: rg_webhook_post */
} rg_webhooks_run;

/* Sends the deliveries due, oldest first, one at a time: claims one (its
 * own transaction; a lease of the longest timeout_seconds + 5 s), POSTs
 * it and records the attempt — until none is due or `limit` were sent. A
 * delivery whose webhook is no longer configured, or whose secret_env is
 * unset, is a failed attempt saying so. Store failures are returned. */
rg_status rg_webhooks_deliver(const rg_webhooks_run *r, rg_webhooks_stats *st, rg_err *e);

/* A delivery with its attempts, as `regua webhooks deliveries` shows it. */
typedef struct rg_webhook_item {
    rg_webhook_delivery d; /* d.body owned (freed by rg_webhook_list_free) */
    rg_webhook_attempt *attempts;
    size_t n_attempts;
} rg_webhook_item;
typedef struct rg_webhook_list {
    rg_webhook_item *v;
    size_t n, cap;
} rg_webhook_list;

/* Deliveries (status NULL: all; else pending, sending, delivered or
 * failed — RG_EINVAL naming "status" otherwise), newest first. */
rg_status rg_webhooks_list(rg_store *s, const char *status, rg_webhook_list *out, rg_err *e);
/* The same, one keyset page (GET /v1/webhooks/deliveries): ids below
 * before_id (0: from the newest), at most limit (0: all); read in one
 * snapshot. */
rg_status rg_webhooks_page(rg_store *s, const char *status, int64_t before_id, int64_t limit, rg_webhook_list *out,
                           rg_err *e);
void rg_webhook_list_free(rg_webhook_list *l);
/* The JSON of one delivery (a new jansson reference as void *; NULL when
 * memory ran out or a text is not UTF-8). */
void *rg_webhook_item_json(const rg_webhook_item *it);

/* Queues a failed delivery again, due now, its backoff restarted. In its
 * own transaction. RG_ENOTFOUND for an unknown id, RG_ECONFLICT when the
 * delivery is not failed. The delivery as it is then goes in *out (owned:
 * rg_webhook_list_free) when out is not NULL. */
rg_status rg_webhooks_retry(rg_store *s, int64_t id, rg_instant now, rg_webhook_list *out, rg_err *e);

#endif
