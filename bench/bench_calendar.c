/* Measures the calendar primitives the planner calls per invoice: zone
 * lookup through the cache, offsets, local <-> UTC, effective due dates
 * and the first open moment of a day. Prints ns per call. */
#include "base/tz.h"
#include "br/holidays.h"
#include "cadence/window.h"

#include <stdio.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define N 1000000

int main(void)
{
    rg_err e;
    rg_tz_cache *c = rg_tz_cache_new(NULL);
    const rg_tz *tz = NULL;
    volatile int64_t sink = 0;
    double t0 = now_s();
    for (int i = 0; i < N; i++) {
        if (rg_tz_cache_get(c, "America/Sao_Paulo", &tz, &e) != RG_OK)
            return 1;
        sink += (int64_t)(intptr_t)tz;
    }
    double t1 = now_s();
    printf("rg_tz_cache_get x%d: %.3f s (%.0f ns/call)\n", N, t1 - t0, (t1 - t0) * 1e9 / N);

    rg_tz *raw = NULL;
    t0 = now_s();
    for (int i = 0; i < 1000; i++) {
        rg_tz_load("America/Sao_Paulo", &raw, &e);
        rg_tz_free(raw);
    }
    t1 = now_s();
    printf("rg_tz_load (uncached) x1000: %.3f s (%.0f us/call)\n", t1 - t0, (t1 - t0) * 1e6 / 1000);

    const rg_tz *ny = NULL;
    rg_tz_cache_get(c, "America/New_York", &ny, &e);
    rg_instant base = 1767225600; /* 2026-01-01 */
    t0 = now_s();
    for (int i = 0; i < N; i++)
        sink += rg_tz_offset_at(ny, base + (rg_instant)i * 977);
    t1 = now_s();
    printf("rg_tz_offset_at (New_York) x%d: %.0f ns/call\n", N, (t1 - t0) * 1e9 / N);
    t0 = now_s();
    for (int i = 0; i < N; i++)
        sink += rg_tz_offset_at(ny, 7258118400LL + (rg_instant)i * 977); /* 2200: footer */
    t1 = now_s();
    printf("rg_tz_offset_at (New_York, footer rule) x%d: %.0f ns/call\n", N, (t1 - t0) * 1e9 / N);
    rg_date d0 = rg_date_from_ymd(2026, 1, 1);
    t0 = now_s();
    for (int i = 0; i < N; i++)
        sink += rg_tz_to_utc(tz, d0 + i % 3650, 8 * 3600);
    t1 = now_s();
    printf("rg_tz_to_utc (Sao_Paulo) x%d: %.0f ns/call\n", N, (t1 - t0) * 1e9 / N);

    t0 = now_s();
    for (int i = 0; i < N; i++)
        sink += rg_effective_due_date(NULL, d0 + i % 3650);
    t1 = now_s();
    printf("rg_effective_due_date x%d: %.0f ns/call\n", N, (t1 - t0) * 1e9 / N);

    rg_window w = RG_WINDOW_DEFAULT;
    t0 = now_s();
    for (int i = 0; i < N; i++)
        sink += rg_window_first_open_on_or_after_day(&w, NULL, tz, d0 + i % 3650);
    t1 = now_s();
    printf("rg_window_first_open_on_or_after_day (Sao_Paulo) x%d: %.0f ns/call\n", N,
           (t1 - t0) * 1e9 / N);
    rg_tz_cache_free(c);
    return sink == 42;
}
