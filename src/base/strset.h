/*
 * strset — a set of strings, each with an integer value (open addressing,
 * FNV-1a). Used to find duplicates in an input file (value = first line).
 * Owns copies of its keys; release with rg_strset_free().
 */
#ifndef RG_STRSET_H
#define RG_STRSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rg_strset {
    char **keys;
    int64_t *vals;
    size_t cap;
    size_t len;
} rg_strset;

#define RG_STRSET_INIT {NULL, NULL, 0, 0}

void rg_strset_free(rg_strset *s);
/* Adds key with val unless present. Returns 1 when added, 0 when it was
 * present (its value in *existing when non-NULL), -1 on out of memory. */
int rg_strset_add(rg_strset *s, const char *key, int64_t val, int64_t *existing);
bool rg_strset_get(const rg_strset *s, const char *key, int64_t *val);

#endif
