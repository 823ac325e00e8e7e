/*
 * dispatcher — drains the outbox: the `queued` messages the engine wrote.
 *
 * A drain claims due messages per channel under a lease (`sending`, owner,
 * expiry), asks a re-check hook whether each is still worth sending now
 * (the engine answers: invoice still open, window open, cap respected,
 * channel not opted out), sends through the channel's driver — network
 * drivers concurrently in one curl multi handle, bounded per channel by
 * max_in_flight and rate_per_second — and records the outcome under the
 * same lease:
 *   ok          -> sent (provider id, sent_at)
 *   transient   -> queued again after exponential backoff with jitter
 *                  (Retry-After honoured), up to the channel's max_attempts
 *                  (default 5); then as permanent
 *   permanent   -> the next usable channel of the step (re-rendered by the
 *                  hook) or failed when none is left
 * An attempt that may have reached the provider without an answer (a
 * timeout after the request went, SMTP without a final reply after DATA,
 * a crash before recording) follows the channel's on_uncertain: resend
 * (same idempotency key or Message-ID) or review (status uncertain and an
 * operator task) — never failed. Leases of dead dispatchers are recovered
 * at the start of each drain; at most max_in_flight messages per channel
 * are ever in that window. Outcomes the store cannot take yet (another
 * writer holds it) stay in memory and are written first; a dispatcher
 * never recovers its own leases. A provider refusing the channel itself
 * (SMTP 535) pauses the channel (/healthz "channel:NAME") instead of
 * failing messages. See docs/internals/dispatcher.md.
 *
 * Ownership: rg_dispatcher_open() returns an owned dispatcher
 * (rg_dispatcher_close()) that opens its own channels from the config; it
 * borrows the store, the config and the hook's context, which must outlive
 * it. A dispatcher and its store are used by one thread at a time, except
 * rg_dispatcher_stop(), which any thread may call.
 */
#ifndef RG_DISPATCHER_H
#define RG_DISPATCHER_H

#include <stdbool.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/err.h"
#include "config/config.h"
#include "model/model.h"
#include "store/store.h"

typedef enum rg_dispatch_action {
    RG_DISPATCH_SEND = 0, /* go ahead (with the new content, when set) */
    RG_DISPATCH_WAIT,     /* not now: queued again until `until` (window closed, cap reached) */
    RG_DISPATCH_CANCEL,   /* nothing to collect any more (paid, cancelled): cancelled, with reason */
    RG_DISPATCH_SUPPRESS, /* no usable channel left: suppressed (failed, after a failure), with reason */
    RG_DISPATCH_REROUTE   /* move to `channel` with the new content and go again at once */
} rg_dispatch_action;

/* A hook's answer. Content strings are owned (rg_dispatch_verdict_clear);
 * NULL keeps the message's own. */
typedef struct rg_dispatch_verdict {
    rg_dispatch_action action;
    rg_instant until; /* WAIT */
    char reason[256];
    char channel[RG_CHANNEL_MAX + 1]; /* REROUTE */
    char fallbacks[128];              /* REROUTE: the channels left after it */
    char *subject;
    char *body;
    char *html;
    char *payload;
} rg_dispatch_verdict;

void rg_dispatch_verdict_clear(rg_dispatch_verdict *v);

/* The re-check. `failed` is NULL just before a send; otherwise the
 * message's channel failed for good (why) and the hook picks the next
 * usable channel of m->fallbacks (REROUTE), or says none is left
 * (SUPPRESS) or that the message is moot (CANCEL). */
typedef rg_status (*rg_dispatch_check_fn)(void *ctx, const rg_message *m, const rg_customer *c, rg_instant now,
                                          const char *failed, rg_dispatch_verdict *out, rg_err *e);

typedef struct rg_dispatch_options {
    rg_store *store;            /* borrowed */
    const rg_config *config;    /* borrowed: its channels are opened */
    rg_dispatch_check_fn check; /* NULL: every message goes as planned */
    void *check_ctx;
    int lease_seconds; /* 0: 900 (longer than any transfer: timeouts are at most 600 s) */
    int batch;         /* most messages claimed per channel and round; 0: 64 */
    int backoff_base;  /* seconds before the first retry, doubled each time; 0: 30 */
    int backoff_max;   /* 0: 3600 */
    uint64_t seed;     /* jitter; 0: from the process */
    int stop_grace_ms; /* a stopping drain's wait for a busy store before it returns RG_EBUSY
                        * (the outcomes stay held for the next drain); 0: 30000 */
} rg_dispatch_options;

typedef struct rg_dispatch_stats {
    int64_t claimed;    /* messages claimed */
    int64_t sent;
    int64_t retried;    /* transient failures queued again */
    int64_t rerouted;   /* moved to a fallback channel */
    int64_t waiting;    /* window closed or cap reached: queued for later */
    int64_t cancelled;  /* invoice closed meanwhile */
    int64_t suppressed; /* no usable channel at send time */
    int64_t failed;     /* permanent failure with no channel left */
    int64_t uncertain;  /* status uncertain (on_uncertain: review): may have reached the provider, not resent */
    int64_t paused;     /* waiting because the provider refuses the channel itself (SMTP 535) */
    int64_t recovered;  /* leases of dead dispatchers queued again */
    int64_t lost;       /* outcomes not recorded: the lease had been taken over */
    int64_t busy_waits; /* rounds whose outcomes waited in memory for a store held by another writer */
    int64_t reconciled; /* attempts that may have gone, found at the provider by lookup (then sent, counted there too) */
} rg_dispatch_stats;

typedef struct rg_dispatcher rg_dispatcher;

rg_status rg_dispatcher_open(const rg_dispatch_options *o, rg_dispatcher **out, rg_err *e);
void rg_dispatcher_close(rg_dispatcher *d);

/* Recovers dead leases, then sends every message due at the clock's now
 * until none is left (retries scheduled later stay queued) or a stop was
 * asked; in-flight transfers always finish and are recorded. */
rg_status rg_dispatcher_drain(rg_dispatcher *d, const rg_clock *clock, rg_dispatch_stats *st, rg_err *e);

/* Asks a running or future drain to stop claiming (thread-safe). */
void rg_dispatcher_stop(rg_dispatcher *d);

/* "host:pid:nonce", the lease owner this dispatcher writes. */
const char *rg_dispatcher_owner(const rg_dispatcher *d);

/* The delay before retry number `attempt` (1-based): base * 2^(attempt-1)
 * capped at max, with "equal jitter" (half fixed, half random from r), and
 * never less than retry_after. */
int64_t rg_dispatch_backoff(int attempt, int base, int max, int retry_after, uint64_t r);

#endif
