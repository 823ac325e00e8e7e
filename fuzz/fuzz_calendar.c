/* Fuzzes the calendar-file parser and the day-window parser, then runs
 * the calendar queries over the parsed result. */
#include "br/holidays.h"
#include "cadence/window.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rg_day_window dw;
    const char *why;
    if (rg_day_window_parse((const char *)data, size, &dw, &why)) {
        if (dw.open && !(dw.from_min >= 0 && dw.from_min < dw.to_min && dw.to_min <= 1440))
            abort();
    } else if (!why) {
        abort();
    }
    rg_calendar *cal = rg_calendar_new();
    if (!cal)
        return 0;
    rg_err e;
    if (rg_calendar_parse(cal, (const char *)data, size, "fuzz", &e) == RG_OK) {
        rg_date d0 = rg_date_from_ymd(2026, 1, 1);
        for (rg_date d = d0; d < d0 + 40; d++) {
            const char *name = NULL;
            rg_is_contact_holiday(cal, d);
            rg_is_bank_holiday(cal, d, &name);
            rg_date eff = rg_effective_due_date(cal, d);
            if (eff != RG_DATE_NONE && (eff < d || !rg_is_bank_business_day(cal, eff)))
                abort();
        }
        rg_add_bank_business_days(cal, d0, 5);
        rg_holiday hs[8];
        rg_holidays_of_year(cal, 2026, hs, 8);
        rg_window w = RG_WINDOW_DEFAULT;
        rg_window_next_open(&w, cal, NULL, 1767225600);
    }
    rg_calendar_free(cal);
    return 0;
}
