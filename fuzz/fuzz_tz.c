/* Fuzzes the TZif reader and the POSIX TZ string parser, then drives the
 * zone through every query (offsets, local <-> UTC, transitions, windows).
 * Input starting with 'P' is a TZ string; anything else is TZif bytes. */
#include "base/tz.h"
#include "cadence/window.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rg_tz *tz = NULL;
    rg_err e;
    if (size > 0 && data[0] == 'P') {
        char *s = malloc(size);
        if (!s)
            return 0;
        memcpy(s, data + 1, size - 1);
        s[size - 1] = '\0';
        rg_tz_from_posix(s, &tz, &e);
        free(s);
    } else {
        rg_tz_parse(data, size, "fuzz", &tz, &e);
    }
    if (!tz)
        return 0;
    static const rg_instant probes[] = {INT64_MIN, -100000000000000LL, -2208988800LL, 0,
                                        1000000000,  1767225600,          4102444800LL,
                                        100000000000000LL, INT64_MAX};
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        rg_instant t = probes[i];
        int32_t off = rg_tz_offset_at(tz, t);
        if (off < -89999 || off > 93599)
            abort();
        rg_date d;
        int sod;
        rg_tz_local(tz, t, &d, &sod);
        if (sod < 0 || sod >= 86400)
            abort();
        rg_instant back = rg_tz_to_utc(tz, d, sod);
        if (t > -10000000000000LL && t < 10000000000000LL) {
            /* A local time that happened maps back to an instant showing it. */
            rg_date d2;
            int sod2;
            rg_tz_local(tz, back, &d2, &sod2);
            if (d2 != d || sod2 != sod || back > t)
                abort();
        }
        rg_instant n = t;
        for (int k = 0; k < 20; k++) {
            rg_instant nx = rg_tz_next_transition(tz, n);
            if (nx == RG_INSTANT_NONE)
                break;
            if (nx <= n)
                abort(); /* must progress */
            if (rg_tz_offset_at(tz, nx - 1) != rg_tz_offset_at(tz, n))
                abort(); /* the offset is constant between transitions */
            n = nx;
        }
    }
    rg_window w = RG_WINDOW_DEFAULT;
    rg_instant o = rg_window_next_open(&w, NULL, tz, 1767225600);
    if (o != RG_INSTANT_NONE && !rg_window_is_open(&w, NULL, tz, o))
        abort();
    rg_tz_free(tz);
    return 0;
}
