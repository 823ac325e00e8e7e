#include "cadence/window.h"

#include "base/buf.h"

#include <stdio.h>

/* Instants beyond this are not evaluated (matches base/tz clamping). */
#define T_LIMIT 100000000000000LL

static const rg_day_window CLOSED = {false, 0, 0};

static bool sane(const rg_day_window *d)
{
    return d->open && d->from_min >= 0 && d->from_min < d->to_min && d->to_min <= 1440;
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t';
}

/* H:MM or HH:MM at s[*i..n) -> minutes; hours up to 24 (24:00 only). */
static bool parse_hhmm(const char *s, size_t n, size_t *i, int *out, const char **why)
{
    size_t k = *i;
    int h = 0, digits = 0;
    while (k < n && s[k] >= '0' && s[k] <= '9' && digits < 3) {
        h = h * 10 + (s[k] - '0');
        k++;
        digits++;
    }
    if (digits == 0 || digits > 2 || k >= n || s[k] != ':' || k + 2 >= n ||
        s[k + 1] < '0' || s[k + 1] > '9' || s[k + 2] < '0' || s[k + 2] > '9') {
        *why = "expected a time as HH:MM";
        return false;
    }
    int m = (s[k + 1] - '0') * 10 + (s[k + 2] - '0');
    k += 3;
    if (k < n && s[k] >= '0' && s[k] <= '9') {
        *why = "expected a time as HH:MM";
        return false;
    }
    if (m > 59) {
        *why = "minutes must be 00..59";
        return false;
    }
    if (h > 24 || (h == 24 && m != 0)) {
        *why = "hours must be 00..23 (24:00 only as the end of a window)";
        return false;
    }
    *out = h * 60 + m;
    *i = k;
    return true;
}

bool rg_day_window_parse(const char *s, size_t len, rg_day_window *out, const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    *out = CLOSED;
    *why = NULL;
    if (!s)
        len = 0;
    size_t i = 0, n = len;
    while (i < n && is_ws(s[i]))
        i++;
    while (n > i && is_ws(s[n - 1]))
        n--;
    if (i == n) {
        *why = "empty window (expected \"HH:MM-HH:MM\" or \"closed\")";
        return false;
    }
    rg_slice word = {s + i, n - i};
    if (rg_slice_eq_nocase(word, "closed"))
        return true;
    int from, to;
    if (!parse_hhmm(s, n, &i, &from, why))
        return false;
    while (i < n && is_ws(s[i]))
        i++;
    if (i >= n || s[i] != '-') {
        *why = "expected '-' between the start and end times (\"HH:MM-HH:MM\")";
        return false;
    }
    i++;
    while (i < n && is_ws(s[i]))
        i++;
    if (!parse_hhmm(s, n, &i, &to, why))
        return false;
    if (i != n) {
        *why = "unexpected text after the end time";
        return false;
    }
    if (from >= 1440) {
        *why = "hours must be 00..23 (24:00 only as the end of a window)";
        return false;
    }
    if (from >= to) {
        *why = "the start must be before the end (a window cannot cross midnight)";
        return false;
    }
    *out = (rg_day_window){true, (int16_t)from, (int16_t)to};
    return true;
}

char *rg_day_window_format(const rg_day_window *w, char *buf, size_t n)
{
    if (!w || !sane(w))
        snprintf(buf, n, "closed");
    else
        snprintf(buf, n, "%02d:%02d-%02d:%02d", w->from_min / 60, w->from_min % 60,
                 w->to_min / 60, w->to_min % 60);
    return buf;
}

rg_day_window rg_window_for_day(const rg_window *w, const rg_calendar *cal, rg_date day)
{
    if (!w)
        return CLOSED;
    const rg_day_window *d;
    switch (rg_date_weekday(day)) {
    case 0: d = &w->sunday; break;
    case 6: d = &w->saturday; break;
    default: d = &w->weekdays; break;
    }
    if (!sane(d))
        return CLOSED;
    if (!w->holidays_open && rg_is_contact_holiday(cal, day))
        return CLOSED;
    return *d;
}

bool rg_window_is_open(const rg_window *w, const rg_calendar *cal, const rg_tz *tz, rg_instant t)
{
    if (!w || t > T_LIMIT || t < -T_LIMIT)
        return false;
    rg_date day;
    int sod;
    rg_tz_local(tz ? tz : rg_tz_utc(), t, &day, &sod);
    rg_day_window d = rg_window_for_day(w, cal, day);
    return d.open && sod >= d.from_min * 60 && sod < d.to_min * 60;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

rg_instant rg_window_next_open(const rg_window *w, const rg_calendar *cal, const rg_tz *tz,
                               rg_instant t)
{
    if (!w || t > T_LIMIT || t < -T_LIMIT)
        return RG_INSTANT_NONE;
    if (!sane(&w->weekdays) && !sane(&w->saturday) && !sane(&w->sunday))
        return RG_INSTANT_NONE;
    if (!tz)
        tz = rg_tz_utc();
    /* Walk spans of constant UTC offset; inside one, local time runs in
     * step with UTC, so the first open local second of the span maps back
     * exactly. */
    int64_t a = t;
    int64_t first_day = RG_DATE_NONE;
    for (;;) {
        if (a > T_LIMIT)
            return RG_INSTANT_NONE;
        int32_t o = rg_tz_offset_at(tz, a);
        int64_t b = rg_tz_next_transition(tz, a);
        /* a zone file may name transitions out of any useful range: treat
         * them as "no further transition" rather than overflow */
        if (b != RG_INSTANT_NONE && (b > T_LIMIT || b <= a))
            b = RG_INSTANT_NONE;
        int64_t la = a + o;
        int64_t lb = b == RG_INSTANT_NONE ? INT64_MAX : b + o;
        int64_t day = floor_div(la, 86400);
        if (first_day == RG_DATE_NONE)
            first_day = day;
        for (; day * 86400 < lb; day++) {
            if (day - first_day > RG_WINDOW_SEARCH_DAYS)
                return RG_INSTANT_NONE;
            rg_day_window d = rg_window_for_day(w, cal, (rg_date)day);
            if (!d.open)
                continue;
            int64_t s = day * 86400 + d.from_min * 60;
            int64_t e = day * 86400 + d.to_min * 60;
            if (s < la)
                s = la;
            if (e > lb)
                e = lb;
            if (s < e)
                return s - o;
        }
        if (b == RG_INSTANT_NONE)
            return RG_INSTANT_NONE;
        a = b;
    }
}

rg_instant rg_window_first_open_on_or_after_day(const rg_window *w, const rg_calendar *cal,
                                                const rg_tz *tz, rg_date local_day)
{
    if (local_day == RG_DATE_NONE)
        return RG_INSTANT_NONE;
    if (!tz)
        tz = rg_tz_utc();
    return rg_window_next_open(w, cal, tz, rg_tz_to_utc(tz, local_day, 0));
}

rg_instant rg_window_first_open_memo(rg_window_memo *m, const rg_window *w, const rg_calendar *cal,
                                     const rg_tz *tz, rg_date local_day)
{
    if (!m)
        return rg_window_first_open_on_or_after_day(w, cal, tz, local_day);
    uintptr_t h = (uintptr_t)w ^ ((uintptr_t)tz >> 4) ^ ((uintptr_t)cal >> 8);
    h = (h >> 4) * 31u + (uintptr_t)(uint32_t)local_day;
    size_t k = (size_t)(h % RG_WINDOW_MEMO_SLOTS);
    if (m->slot[k].w == w && m->slot[k].cal == cal && m->slot[k].tz == tz && m->slot[k].day == local_day && w)
        return m->slot[k].at;
    rg_instant at = rg_window_first_open_on_or_after_day(w, cal, tz, local_day);
    m->slot[k].w = w;
    m->slot[k].cal = cal;
    m->slot[k].tz = tz;
    m->slot[k].day = local_day;
    m->slot[k].at = at;
    return at;
}
