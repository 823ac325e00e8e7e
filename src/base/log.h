/*
 * log — one-line diagnostics on stderr.
 *
 * The level comes from REGUA_LOG (error, warn, info, debug; default warn)
 * or rg_log_set_level(). Never log secrets: callers pass only names and ids
 * (a filter, rg_log_set_filter(), replaces the known ones anyway).
 */
#ifndef RG_LOG_H
#define RG_LOG_H

#include <stddef.h>

typedef enum { RG_LOG_ERROR, RG_LOG_WARN, RG_LOG_INFO, RG_LOG_DEBUG } rg_log_level;

void rg_log_set_level(rg_log_level l);
void rg_log_init_from_env(void);
void rg_log(rg_log_level l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A function every line passes through before it is written (the line, in
 * a buffer of `size` bytes, may be rewritten in place): channel/scrub
 * installs one that replaces secrets. NULL: none. */
typedef void (*rg_log_filter)(char *line, size_t size);
void rg_log_set_filter(rg_log_filter f);

#define rg_error(...) rg_log(RG_LOG_ERROR, __VA_ARGS__)
#define rg_warn(...) rg_log(RG_LOG_WARN, __VA_ARGS__)
#define rg_info(...) rg_log(RG_LOG_INFO, __VA_ARGS__)
#define rg_debug(...) rg_log(RG_LOG_DEBUG, __VA_ARGS__)

#endif
