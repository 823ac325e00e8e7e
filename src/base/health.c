#include "base/health.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static rg_health_reason table[RG_HEALTH_MAX]; /* [0, n) set, in the order first set */
static size_t n;
static size_t overflow; /* sets refused for want of room (sticky until reset: their clear is unknown) */

/* The length of the valid UTF-8 sequence at s (at most `left` bytes), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t left)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, min = 0x10000;
    else
        return 0;
    if (len > left)
        return 0;
    unsigned cp = c & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* Copies src into dst (size cap), keeping whole UTF-8 characters and
 * turning other bytes and control characters into '?'. */
static void copy_text(char *dst, size_t cap, const char *src)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t left = strlen(src), o = 0;
    while (left) {
        size_t k = utf8_seq(s, left);
        if (k == 0 || (k == 1 && (*s < 0x20 || *s == 0x7F))) {
            if (o + 1 >= cap)
                break;
            dst[o++] = '?';
            k = k ? k : 1;
        } else {
            if (o + k >= cap)
                break;
            memcpy(dst + o, s, k);
            o += k;
        }
        s += k;
        left -= k;
    }
    dst[o] = '\0';
}

static size_t find(const char *component)
{
    for (size_t i = 0; i < n; i++)
        if (strncmp(table[i].component, component, RG_HEALTH_NAME_MAX) == 0)
            return i;
    return n;
}

void rg_health_set(const char *component, const char *reason)
{
    if (!component)
        return;
    char name[RG_HEALTH_NAME_MAX + 1];
    copy_text(name, sizeof name, component);
    pthread_mutex_lock(&mu);
    size_t i = find(name);
    if (i == n) {
        if (n == RG_HEALTH_MAX) {
            overflow++;
            pthread_mutex_unlock(&mu);
            return;
        }
        n++;
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
    if (i < n) {
        memmove(&table[i], &table[i + 1], (n - i - 1) * sizeof table[0]);
        n--;
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
    bool found = i < n;
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
    size_t total = n + (overflow ? 1 : 0);
    for (size_t i = 0; i < n && i < max; i++)
        out[i] = table[i];
    if (overflow && n < max) {
        memset(&out[n], 0, sizeof out[n]);
        memcpy(out[n].component, "health", sizeof "health");
        snprintf(out[n].reason, sizeof out[n].reason,
                 "%zu components could not be recorded: more than %d were degraded at once", overflow,
                 RG_HEALTH_MAX);
    }
    pthread_mutex_unlock(&mu);
    return total;
}

void rg_health_reset(void)
{
    pthread_mutex_lock(&mu);
    n = 0;
    overflow = 0;
    pthread_mutex_unlock(&mu);
}
