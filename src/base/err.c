#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

rg_status rg_err_set(rg_err *e, rg_status code, const char *where, const char *fmt, ...)
{
    if (!e)
        return code;
    e->code = code;
    snprintf(e->where, sizeof e->where, "%s", where ? where : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return code;
}

void rg_err_clear(rg_err *e)
{
    if (!e)
        return;
    e->code = RG_OK;
    e->where[0] = '\0';
    e->msg[0] = '\0';
}

void rg_err_prefix(rg_err *e, const char *prefix)
{
    if (!e || !prefix || !*prefix)
        return;
    char old[sizeof e->where];
    memcpy(old, e->where, sizeof old);
    if (old[0])
        snprintf(e->where, sizeof e->where, "%s: %s", prefix, old);
    else
        snprintf(e->where, sizeof e->where, "%s", prefix);
}

const char *rg_err_text(const rg_err *e, char *buf, size_t n)
{
    if (!e || n == 0)
        return "";
    if (e->where[0])
        snprintf(buf, n, "%s: %s", e->where, e->msg);
    else
        snprintf(buf, n, "%s", e->msg);
    return buf;
}

const char *rg_status_name(rg_status s)
{
    switch (s) {
    case RG_OK: return "ok";
    case RG_EINVAL: return "invalid";
    case RG_ENOTFOUND: return "not_found";
    case RG_ECONFLICT: return "conflict";
    case RG_EUSAGE: return "usage";
    case RG_EPERM: return "forbidden";
    case RG_EIO: return "io";
    case RG_ESTORE: return "store";
    case RG_ENOMEM: return "no_memory";
    case RG_ETRANSIENT: return "transient";
    case RG_EPERMANENT: return "permanent";
    case RG_EINTERNAL: return "internal";
    case RG_EBUSY: return "busy";
    }
    return "unknown";
}

int rg_status_exit_code(rg_status s)
{
    switch (s) {
    case RG_OK: return 0;
    case RG_EUSAGE: return 2;
    case RG_EINVAL:
    case RG_ENOTFOUND:
    case RG_ECONFLICT:
    case RG_EPERM:
    case RG_EPERMANENT: return 1;
    case RG_EIO:
    case RG_ESTORE:
    case RG_ENOMEM:
    case RG_ETRANSIENT:
    case RG_EINTERNAL:
    case RG_EBUSY: return 3;
    }
    return 3;
}

int rg_status_http(rg_status s)
{
    switch (s) {
    case RG_OK: return 200;
    case RG_EINVAL: return 422;
    case RG_EUSAGE: return 400;
    case RG_ENOTFOUND: return 404;
    case RG_ECONFLICT: return 409;
    case RG_EPERM: return 403;
    case RG_ETRANSIENT: return 503;
    case RG_EPERMANENT: return 502;
    case RG_EIO:
    case RG_ESTORE:
    case RG_ENOMEM:
    case RG_EINTERNAL: return 500;
    case RG_EBUSY: return 503;
    }
    return 500;
}
