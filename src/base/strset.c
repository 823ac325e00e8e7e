#include "base/strset.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

static uint64_t hash(const char *k)
{
    uint64_t h = 1469598103934665603ull;
    for (; *k; k++) {
        h ^= (unsigned char)*k;
        h *= 1099511628211ull;
    }
    return h;
}

void rg_strset_free(rg_strset *s)
{
    for (size_t i = 0; i < s->cap; i++)
        free(s->keys[i]);
    free(s->keys);
    free(s->vals);
    memset(s, 0, sizeof *s);
}

static size_t find(const rg_strset *s, const char *key)
{
    size_t i = (size_t)hash(key) & (s->cap - 1);
    while (s->keys[i] && strcmp(s->keys[i], key) != 0)
        i = (i + 1) & (s->cap - 1);
    return i;
}

static bool grow(rg_strset *s)
{
    size_t cap = s->cap ? s->cap * 2 : 64;
    char **keys = calloc(cap, sizeof *keys);
    int64_t *vals = calloc(cap, sizeof *vals);
    if (!keys || !vals) {
        free(keys);
        free(vals);
        return false;
    }
    rg_strset old = *s;
    s->keys = keys;
    s->vals = vals;
    s->cap = cap;
    for (size_t i = 0; i < old.cap; i++) {
        if (old.keys[i]) {
            size_t j = find(s, old.keys[i]);
            s->keys[j] = old.keys[i];
            s->vals[j] = old.vals[i];
        }
    }
    free(old.keys);
    free(old.vals);
    return true;
}

int rg_strset_add(rg_strset *s, const char *key, int64_t val, int64_t *existing)
{
    if ((s->len + 1) * 2 > s->cap && !grow(s))
        return -1;
    size_t i = find(s, key);
    if (s->keys[i]) {
        if (existing)
            *existing = s->vals[i];
        return 0;
    }
    if (!(s->keys[i] = rg_strdup(key)))
        return -1;
    s->vals[i] = val;
    s->len++;
    return 1;
}

bool rg_strset_get(const rg_strset *s, const char *key, int64_t *val)
{
    if (!s->cap)
        return false;
    size_t i = find(s, key);
    if (!s->keys[i])
        return false;
    if (val)
        *val = s->vals[i];
    return true;
}
