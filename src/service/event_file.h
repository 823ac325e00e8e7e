/*
 * event_file — many events from JSON lines, recorded in one transaction
 * (`regua event --file`): one object a line,
 *
 *   {"type": "portal.visited", "invoice": "F1", "at": "2026-11-17T10:00:00-03:00", "data": {...}}
 *
 * with "customer" instead of "invoice" for an event about the customer as
 * a whole; "at" (an ISO-8601 instant, or a date: noon where the company
 * is) defaults to the clock, "data" to {}. Each event goes through
 * rg_event_submit_many (service/events.h) exactly as one `regua event`
 * would, with its timers; blank lines are skipped. All or nothing: the
 * first bad line (where: "FILE:LINE: field") leaves nothing stored.
 * Batching is what makes bulk reporting fast (docs/BENCHMARKS.md, "Events").
 */
#ifndef RG_SERVICE_EVENT_FILE_H
#define RG_SERVICE_EVENT_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/tz.h"
#include "service/events.h"

typedef struct rg_event_file_report {
    int64_t events;           /* recorded (every line's event) */
    int64_t timers_started;
    int64_t timers_cancelled;
    int64_t promises;         /* promise.made lines: promises made */
    int64_t payments;         /* payment.received lines that recorded a payment (not one recorded before) */
} rg_event_file_report;

/* The lines of text[0..len) (name: for errors); tz reads a bare date in
 * "at"; now: the clock (the default "at"); source: "cli". */
rg_status rg_event_submit_lines(const rg_event_env *env, const char *name, const char *text, size_t len,
                                const rg_tz *tz, rg_instant now, const char *source, rg_event_file_report *report,
                                rg_err *e);
/* The same for a file ("-": standard input). */
rg_status rg_event_submit_file(const rg_event_env *env, const char *path, const rg_tz *tz, rg_instant now,
                               const char *source, rg_event_file_report *report, rg_err *e);

#endif
