/*
 * clock — the one way to ask what time it is.
 *
 * A clock is either the system clock or a fixed instant (`--now`,
 * REGUA_NOW, tests). Code that needs "now" receives an rg_clock (or an
 * rg_instant computed from one) and never calls time() itself.
 */
#ifndef RG_CLOCK_H
#define RG_CLOCK_H

#include <stdbool.h>

#include "base/date.h"

typedef struct rg_clock {
    bool fixed;
    rg_instant at; /* when fixed */
} rg_clock;

rg_clock rg_clock_system(void);
rg_clock rg_clock_fixed(rg_instant at);
rg_instant rg_clock_now(const rg_clock *c);

#endif
