/*
 * window — a cadence's legal send window, as data.
 *
 * The cadence parser fills it from `window: {weekdays: "08:00-20:00",
 * saturday: "08:00-14:00", sunday: closed, holidays: closed}`; the calendar
 * evaluates it in the customer's IANA zone (rg_window_next_open in
 * src/cadence/window.c). Times are minutes since local midnight, the
 * interval is [from_min, to_min).
 */
#ifndef RG_WINDOW_H
#define RG_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/date.h"
#include "base/tz.h"
#include "br/holidays.h"

typedef struct rg_day_window {
    bool open;
    int16_t from_min; /* 0..1439 */
    int16_t to_min;   /* from_min < to_min <= 1440 */
} rg_day_window;

typedef struct rg_window {
    rg_day_window weekdays; /* Monday to Friday */
    rg_day_window saturday;
    rg_day_window sunday;
    bool holidays_open; /* `holidays: open`; default closed */
} rg_window;

/* The default when a cadence states no window: weekdays 08:00-20:00,
 * Saturday 08:00-14:00, Sunday and holidays closed. */
#define RG_WINDOW_DEFAULT                                                                          \
    {{true, 480, 1200}, {true, 480, 840}, {false, 0, 0}, false}

/* Parses one day's window: "HH:MM-HH:MM" (H:MM accepted, spaces around
 * the '-' and at the ends ignored, the end may be "24:00") or "closed"
 * (any case). The start must be before the end: a window does not cross
 * midnight. On false *out is zeroed (closed) and *why (may be NULL) says
 * what was wrong; the caller adds where. */
bool rg_day_window_parse(const char *s, size_t len, rg_day_window *out, const char **why);

/* "08:00-20:00" or "closed" into buf (at least 12 bytes); returns buf. */
char *rg_day_window_format(const rg_day_window *w, char *buf, size_t n);

/* The window that applies on local date `day`: by weekday, and closed on
 * a contact holiday (rg_is_contact_holiday) unless holidays_open. */
rg_day_window rg_window_for_day(const rg_window *w, const rg_calendar *cal, rg_date day);

/* Whether `t` falls inside the window, read on the local clock of `tz`
 * (NULL means UTC). `cal` may be NULL (national holidays only). */
bool rg_window_is_open(const rg_window *w, const rg_calendar *cal, const rg_tz *tz, rg_instant t);

/* The first instant >= t inside the window, on the local clock of tz.
 * Local time is followed across DST changes: when a clock jumps forward
 * into an open period the opening is the jump itself, and an hour that
 * repeats is open in both passes if it is inside the window. Searches
 * at most RG_WINDOW_SEARCH_DAYS local days; RG_INSTANT_NONE when the
 * window never opens in that span (e.g. every day closed). */
#define RG_WINDOW_SEARCH_DAYS 400
rg_instant rg_window_next_open(const rg_window *w, const rg_calendar *cal, const rg_tz *tz,
                               rg_instant t);

/* The first open moment on or after local midnight of `local_day`: the
 * planner's "a step becomes due at the first moment on or after its day
 * that is inside the customer's window". */
rg_instant rg_window_first_open_on_or_after_day(const rg_window *w, const rg_calendar *cal,
                                                const rg_tz *tz, rg_date local_day);

/* Remembered answers of rg_window_first_open_on_or_after_day, by window,
 * calendar, zone and day (the invoices of a tick's batch share a few
 * hundred of them). Valid while those objects live unchanged: the engine
 * keeps one per batch. Zero-initialise (memset) before use. */
#define RG_WINDOW_MEMO_SLOTS 512
typedef struct rg_window_memo {
    struct {
        const rg_window *w;
        const rg_calendar *cal;
        const rg_tz *tz;
        rg_date day;
        rg_instant at;
    } slot[RG_WINDOW_MEMO_SLOTS];
} rg_window_memo;

/* rg_window_first_open_on_or_after_day through m (NULL: computed). */
rg_instant rg_window_first_open_memo(rg_window_memo *m, const rg_window *w, const rg_calendar *cal,
                                     const rg_tz *tz, rg_date local_day);

#endif
