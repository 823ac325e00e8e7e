#include "base/health.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/utf8.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static rg_health_reason table[RG_HEALTH_MAX]; /* [0, n_set) set, in the order first set */
static size_t n_set;
static size_t overflow; /* sets refused for want of room (sticky until reset: their clear is unknown) */

/* Copies src into dst (size cap), keeping whole UTF-8 characters and
 * turning other bytes and control characters into '?'. */
static void copy_text(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src), i = 0, o = 0;
    while (i < n) {
        size_t bad = i + rg_utf8_invalid_at(src + i, n - i);
        for (size_t k; i < bad; i += k) {
            k = 1;
            while (i + k < bad && ((unsigned char)src[i + k] & 0xC0) == 0x80)
                k++;
            if (o + k >= cap)
                goto out;
            bool control = k == 1 && ((unsigned char)src[i] < 0x20 || src[i] == 0x7F);
            if (control)
                dst[o] = '?';
            else
                memcpy(dst + o, src + i, k);
            o += control ? 1 : k;
        }
        if (i < n) {
            if (o + 1 >= cap)
                goto out;
            dst[o++] = '?';
            i++;
        }
    }
out:
    dst[o] = '\0';
}

static size_t find(const char *component)
{
    for (size_t i = 0; i < n_set; i++)
        if (strncmp(table[i].component, component, RG_HEALTH_NAME_MAX) == 0)
            return i;
    return n_set;
}

void rg_health_set(const char *component, const char *reason)
{
    if (!component)
        return;
    char name[RG_HEALTH_NAME_MAX + 1];
    copy_text(name, sizeof name, component);
    pthread_mutex_lock(&mu);
    size_t i = find(name);
    if (i == n_set) {
        if (n_set == RG_HEALTH_MAX) {
            overflow++;
            pthread_mutex_unlock(&mu);
            return;
        }
        n_set++;
        memcpy(table[i].component, name, sizeof name);
    }
    copy_text(table[i].reason, sizeof table[i].reason, reason && *reason ? reason : "degraded");
    pthread_mutex_unlock(&mu);
}

void rg_health_setf(const char *component, const char *fmt, ...)
{
    char reason[RG_HEALTH_REASON_MAX + 1];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    rg_health_set(component, reason);
}

void rg_health_clear(const char *component)
{
    if (!component)
        return;
    char name[RG_HEALTH_NAME_MAX + 1];
    copy_text(name, sizeof name, component);
    pthread_mutex_lock(&mu);
    size_t i = find(name);
    if (i < n_set) {
        memmove(&table[i], &table[i + 1], (n_set - i - 1) * sizeof table[0]);
        n_set--;
    }
    pthread_mutex_unlock(&mu);
}

bool rg_health_get(const char *component, char *reason, size_t cap)
{
    if (!component)
        return false;
    char name[RG_HEALTH_NAME_MAX + 1];
    copy_text(name, sizeof name, component);
    pthread_mutex_lock(&mu);
    size_t i = find(name);
    bool found = i < n_set;
    if (found && reason && cap) {
        strncpy(reason, table[i].reason, cap - 1);
        reason[cap - 1] = '\0';
    }
    pthread_mutex_unlock(&mu);
    return found;
}

size_t rg_health_snapshot(rg_health_reason *out, size_t max)
{
    pthread_mutex_lock(&mu);
    size_t total = n_set + (overflow ? 1 : 0);
    for (size_t i = 0; i < n_set && i < max; i++)
        out[i] = table[i];
    if (overflow && n_set < max) {
        memset(&out[n_set], 0, sizeof out[n_set]);
        memcpy(out[n_set].component, "health", sizeof "health");
        snprintf(out[n_set].reason, sizeof out[n_set].reason,
                 "%zu components could not be recorded: more than %d were degraded at once", overflow,
                 RG_HEALTH_MAX);
    }
    pthread_mutex_unlock(&mu);
    return total;
}

void rg_health_reset(void)
{
    pthread_mutex_lock(&mu);
    n_set = 0;
    overflow = 0;
    pthread_mutex_unlock(&mu);
}
