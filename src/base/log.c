#include "base/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static rg_log_level current = RG_LOG_WARN;
static _Atomic(rg_log_filter) filter;

void rg_log_set_filter(rg_log_filter f)
{
    atomic_store(&filter, f);
}

void rg_log_set_level(rg_log_level l)
{
    current = l;
}

void rg_log_init_from_env(void)
{
    const char *v = getenv("REGUA_LOG");
    if (!v)
        return;
    if (!strcmp(v, "error"))
        current = RG_LOG_ERROR;
    else if (!strcmp(v, "warn"))
        current = RG_LOG_WARN;
    else if (!strcmp(v, "info"))
        current = RG_LOG_INFO;
    else if (!strcmp(v, "debug"))
        current = RG_LOG_DEBUG;
}

void rg_log(rg_log_level l, const char *fmt, ...)
{
    static const char *names[] = {"error", "warning", "info", "debug"};
    if (l > current)
        return;
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    rg_log_filter f = atomic_load(&filter);
    if (f)
        f(line, sizeof line);
    fprintf(stderr, "regua: %s: %s\n", names[l], line);
}
