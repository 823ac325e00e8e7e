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
#include <stdint.h>

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

#endif
