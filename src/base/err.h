/*
 * err — the one status enum and the one error value of regua.
 *
 * Every fallible function returns an rg_status and, when given a non-NULL
 * rg_err *, fills it with a message that says where and what. The error
 * value is plain data (no heap), so it can be copied, returned and dropped
 * freely. Exactly one function maps a status to a CLI exit code and exactly
 * one maps it to an HTTP status.
 */
#ifndef RG_ERR_H
#define RG_ERR_H

#include <stddef.h>

typedef enum rg_status {
    RG_OK = 0,
    RG_EINVAL,     /* bad input: malformed value, failed validation */
    RG_ENOTFOUND,  /* the named object does not exist */
    RG_ECONFLICT,  /* violates a uniqueness or state rule */
    RG_EUSAGE,     /* the command line is wrong */
    RG_EPERM,      /* not allowed (auth, role, signature) */
    RG_EIO,        /* file or network I/O failed */
    RG_ESTORE,     /* the store failed (not the caller's fault) */
    RG_ENOMEM,     /* allocation failed */
    RG_ETRANSIENT, /* a provider failed in a way worth retrying */
    RG_EPERMANENT, /* a provider refused for good */
    RG_EINTERNAL,  /* a bug: an invariant did not hold */
    RG_EBUSY       /* the store's write lock is held elsewhere: nothing done, try again later */
} rg_status;

typedef struct rg_err {
    rg_status code;
    char where[160]; /* "file.csv:12: due_date", "regua.yaml:4", "store" ... */
    char msg[512];
} rg_err;

/* Sets *e (when e is non-NULL) and returns code, so callers can write
 * `return rg_err_set(e, RG_EINVAL, where, "bad %s", x);`. */
rg_status rg_err_set(rg_err *e, rg_status code, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Clears *e to RG_OK with empty strings. NULL-safe. */
void rg_err_clear(rg_err *e);

/* Prefixes e->where with `prefix` ("prefix: where"), e.g. to add a file name. */
void rg_err_prefix(rg_err *e, const char *prefix);

/* "where: msg", or "msg" when where is empty; into buf of size n. */
const char *rg_err_text(const rg_err *e, char *buf, size_t n);

const char *rg_status_name(rg_status s);

/* The only mapping from status to process exit code (0 ok, 1 bad input or
 * rejected operation, 2 usage, 3 environment/internal failure). */
int rg_status_exit_code(rg_status s);

/* The only mapping from status to HTTP status code. */
int rg_status_http(rg_status s);

#endif
