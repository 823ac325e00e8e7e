/*
 * ratelimit — "at most N hits per key per minute", in memory, for the
 * portal's per-link and per-address limits.
 *
 * Fixed windows: a key's count starts again at each whole UTC minute of
 * the instant given. Keys are hashed (SipHash, keyed at random per table)
 * into RG_RATE_SLOTS slots; a slot remembers one key, so when two keys
 * meet in one slot the newer takes it over and the older starts from zero
 * — the limit is never stricter than stated, sometimes looser under heavy
 * collision. Thread-safe (one mutex). Owned: rg_rate_new / rg_rate_free.
 */
#ifndef RG_RATELIMIT_H
#define RG_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/date.h"

#define RG_RATE_SLOTS 8192

typedef struct rg_rate rg_rate;

/* NULL when out of memory. */
rg_rate *rg_rate_new(void);
void rg_rate_free(rg_rate *r);
/* Counts a hit of key[0..len) at `now`; false when it is over `limit`
 * hits in now's minute (the hit is still counted). limit 0: always true. */
bool rg_rate_hit(rg_rate *r, const void *key, size_t len, int64_t limit, rg_instant now);

#endif
