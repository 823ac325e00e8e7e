/*
 * buf — a growable byte buffer (always NUL-terminated) and read-only slices.
 *
 * rg_buf owns its memory: release it with rg_buf_free(). An allocation
 * failure sets the sticky `oom` flag and makes every later append a no-op,
 * so a caller builds a whole text and checks `oom` once at the end.
 * rg_slice borrows: it is valid as long as the bytes it points into.
 */
#ifndef RG_BUF_H
#define RG_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rg_buf {
    char *p;
    size_t len;
    size_t cap;
    bool oom;
} rg_buf;

typedef struct rg_slice {
    const char *p;
    size_t n;
} rg_slice;

#define RG_BUF_INIT {NULL, 0, 0, false}

void rg_buf_free(rg_buf *b);
void rg_buf_reset(rg_buf *b); /* length 0, memory kept */
/* Drops everything after the first len bytes (no-op when len >= length). */
void rg_buf_truncate(rg_buf *b, size_t len);
bool rg_buf_reserve(rg_buf *b, size_t extra);
void rg_buf_append(rg_buf *b, const char *s, size_t n);
void rg_buf_puts(rg_buf *b, const char *s);
void rg_buf_putc(rg_buf *b, char c);
void rg_buf_printf(rg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the NUL-terminated contents ("" for an empty buffer); borrowed. */
const char *rg_buf_cstr(const rg_buf *b);
/* Hands the memory to the caller (free() it); the buffer is left empty. */
char *rg_buf_detach(rg_buf *b);

rg_slice rg_slice_cstr(const char *s);
bool rg_slice_eq(rg_slice a, const char *cstr);
bool rg_slice_eq_nocase(rg_slice a, const char *cstr);
rg_slice rg_slice_trim(rg_slice s);
/* A malloc'd NUL-terminated copy, or NULL on OOM. */
char *rg_slice_dup(rg_slice s);

/* Bounded integer parsing: the whole slice must be the number. */
bool rg_parse_i64(rg_slice s, int64_t min, int64_t max, int64_t *out);

/* Room for one more element of `size` bytes at the end of the array *v
 * holding n of them in *cap allocated (doubling, from 8): a pointer to
 * that slot, or NULL on out of memory (then *v and *cap are unchanged).
 * The caller writes the slot and counts it. */
void *rg_array_grow(void **v, size_t n, size_t *cap, size_t size);

/* strdup that tolerates NULL (returns NULL). */
char *rg_strdup(const char *s);
/* Copies src into dst of size n, always terminating; returns false when truncated. */
bool rg_strlcpy(char *dst, const char *src, size_t n);

#endif
