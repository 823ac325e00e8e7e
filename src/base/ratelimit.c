#include "base/ratelimit.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>

typedef struct slot {
    uint64_t key; /* the key's hash; 0: empty */
    int64_t minute;
    int64_t count;
} slot;

struct rg_rate {
    pthread_mutex_t mu;
    unsigned char hash_key[crypto_shorthash_KEYBYTES];
    slot slots[RG_RATE_SLOTS];
};

rg_rate *rg_rate_new(void)
{
    if (sodium_init() < 0)
        return NULL;
    rg_rate *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    pthread_mutex_init(&r->mu, NULL);
    crypto_shorthash_keygen(r->hash_key);
    return r;
}

void rg_rate_free(rg_rate *r)
{
    if (!r)
        return;
    pthread_mutex_destroy(&r->mu);
    free(r);
}

bool rg_rate_hit(rg_rate *r, const void *key, size_t len, int64_t limit, rg_instant now)
{
    if (limit <= 0)
        return true;
    unsigned char h[crypto_shorthash_BYTES];
    crypto_shorthash(h, key, len, r->hash_key);
    uint64_t k = 0;
    for (size_t i = 0; i < 8; i++)
        k = k << 8 | h[i];
    if (!k)
        k = 1;
    int64_t minute = now >= 0 ? now / 60 : (now - 59) / 60;
    pthread_mutex_lock(&r->mu);
    slot *s = &r->slots[k % RG_RATE_SLOTS];
    if (s->key != k || s->minute != minute) {
        s->key = k;
        s->minute = minute;
        s->count = 0;
    }
    int64_t count = ++s->count;
    pthread_mutex_unlock(&r->mu);
    return count <= limit;
}
