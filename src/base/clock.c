#include "base/clock.h"

#include <time.h>

rg_clock rg_clock_system(void)
{
    rg_clock c = {false, 0};
    return c;
}

rg_clock rg_clock_fixed(rg_instant at)
{
    rg_clock c = {true, at};
    return c;
}

rg_instant rg_clock_now(const rg_clock *c)
{
    if (c && c->fixed)
        return c->at;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (rg_instant)ts.tv_sec;
}
