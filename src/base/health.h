/*
 * health — the process-wide registry of degraded components, read by
 * GET /healthz.
 *
 * A component that runs on its own in `regua serve` (the scheduler's
 * cadence set, a paused channel of the dispatcher, …) says it is degraded
 * with rg_health_set(name, reason) and well again with
 * rg_health_clear(name). Setting a name that is set replaces its reason;
 * clearing a name that is not set does nothing. The registry is guarded by
 * its own mutex, held only to copy a few hundred bytes: a reader never waits
 * for the store or for any other lock, so /healthz answers whatever the
 * rest of the process is doing.
 *
 * Names and reasons are copied (names up to RG_HEALTH_NAME_MAX bytes,
 * reasons up to RG_HEALTH_REASON_MAX; longer text is cut at a character
 * boundary and bytes that are not UTF-8 become '?', so the reasons are
 * always valid JSON strings). At most RG_HEALTH_MAX names are held; a set
 * beyond that is counted and reported as one more reason, component
 * "health", until rg_health_reset() (a degraded state is never dropped
 * silently; as its clear cannot be matched, the count stays).
 *
 * Names in use (docs/api.md lists them): "cadences" (serve could not load
 * the cadence set and keeps the last good one), "channel:NAME" (the
 * dispatcher paused a channel, e.g. after SMTP 535).
 */
#ifndef RG_HEALTH_H
#define RG_HEALTH_H

#include <stdbool.h>
#include <stddef.h>

#define RG_HEALTH_MAX 64
#define RG_HEALTH_NAME_MAX 64
#define RG_HEALTH_REASON_MAX 512

typedef struct rg_health_reason {
    char component[RG_HEALTH_NAME_MAX + 1];
    char reason[RG_HEALTH_REASON_MAX + 1];
} rg_health_reason;

/* Marks `component` degraded with `reason` (copied; NULL or "" reads
 * "degraded"). Thread-safe. */
void rg_health_set(const char *component, const char *reason);
/* The same with a printf format. */
void rg_health_setf(const char *component, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Marks `component` healthy again. Thread-safe. */
void rg_health_clear(const char *component);
/* Whether `component` is set now (the reason is copied to reason/n when
 * both are non-NULL). */
bool rg_health_get(const char *component, char *reason, size_t n);
/* Copies up to max reasons, in the order their components were first set,
 * into out and returns how many there are in all (more than max when out
 * was too small). An overflow of the registry adds a last reason with
 * component "health". 0: healthy. */
size_t rg_health_snapshot(rg_health_reason *out, size_t max);
/* Clears every component (tests, and a process that starts over). */
void rg_health_reset(void);

#endif
