#include "test.h"

#include "base/date.h"
#include "base/tz.h"
#include "br/holidays.h"
#include "cadence/window.h"

#include <stdio.h>
#include <stdlib.h>

static rg_instant at(const char *iso)
{
    rg_instant t;
    if (!rg_instant_parse(iso, strlen(iso), &t))
        fail_msg("bad instant %s", iso);
    return t;
}

static rg_date D(const char *iso)
{
    rg_date d;
    if (!rg_date_parse(iso, strlen(iso), &d))
        fail_msg("bad date %s", iso);
    return d;
}

static void assert_instant(rg_instant got, const char *iso)
{
    char b[32];
    if (got == RG_INSTANT_NONE)
        fail_msg("got RG_INSTANT_NONE, expected %s", iso);
    assert_string_equal(rg_instant_format(got, b, sizeof b), iso);
}

static rg_tz *load(const char *name)
{
    rg_tz *tz = NULL;
    rg_err e;
    if (rg_tz_load(name, &tz, &e) != RG_OK)
        fail_msg("%s: %s", name, e.msg);
    return tz;
}

static void ok_parse(const char *s, bool open, int from, int to)
{
    rg_day_window w = {true, 1, 2};
    const char *why = "x";
    if (!rg_day_window_parse(s, strlen(s), &w, &why))
        fail_msg("\"%s\": %s", s, why);
    assert_int_equal(w.open, open);
    assert_int_equal(w.from_min, from);
    assert_int_equal(w.to_min, to);
}

static void bad_parse(const char *s, const char *why_expected)
{
    rg_day_window w = {true, 1, 2};
    const char *why = NULL;
    assert_false(rg_day_window_parse(s, strlen(s), &w, &why));
    assert_false(w.open);
    assert_int_equal(w.from_min, 0);
    assert_int_equal(w.to_min, 0);
    assert_string_equal(why, why_expected);
}

static void test_parse(void **state)
{
    (void)state;
    ok_parse("08:00-20:00", true, 480, 1200);
    ok_parse("8:00-14:00", true, 480, 840);
    ok_parse("  08:30 - 19:45 ", true, 510, 1185);
    ok_parse("00:00-24:00", true, 0, 1440);
    ok_parse("closed", false, 0, 0);
    ok_parse(" Closed ", false, 0, 0);
    const char *hhmm = "expected a time as HH:MM";
    const char *hours = "hours must be 00..23 (24:00 only as the end of a window)";
    bad_parse("", "empty window (expected \"HH:MM-HH:MM\" or \"closed\")");
    bad_parse("  ", "empty window (expected \"HH:MM-HH:MM\" or \"closed\")");
    bad_parse("08:00", "expected '-' between the start and end times (\"HH:MM-HH:MM\")");
    bad_parse("08:00 20:00", "expected '-' between the start and end times (\"HH:MM-HH:MM\")");
    bad_parse("08-20", hhmm);
    bad_parse("fechado", hhmm);
    bad_parse("080:00-09:00", hhmm);
    bad_parse("08:0-09:00", hhmm);
    bad_parse("08:000-09:00", hhmm);
    bad_parse("08:00-", hhmm);
    bad_parse("08:00-9", hhmm);
    bad_parse("25:00-26:00", hours);
    bad_parse("08:00-24:01", hours);
    bad_parse("24:00-24:00", hours);
    bad_parse("08:60-09:00", "minutes must be 00..59");
    bad_parse("20:00-08:00", "the start must be before the end (a window cannot cross midnight)");
    bad_parse("08:00-08:00", "the start must be before the end (a window cannot cross midnight)");
    bad_parse("08:00-20:00x", "unexpected text after the end time");
    bad_parse("08:00-20:00 closed", "unexpected text after the end time");
    rg_day_window w;
    assert_false(rg_day_window_parse(NULL, 0, &w, NULL));
    char b[16];
    rg_day_window x = {true, 480, 1200};
    assert_string_equal(rg_day_window_format(&x, b, sizeof b), "08:00-20:00");
    x = (rg_day_window){true, 0, 1440};
    assert_string_equal(rg_day_window_format(&x, b, sizeof b), "00:00-24:00");
    x = (rg_day_window){false, 0, 0};
    assert_string_equal(rg_day_window_format(&x, b, sizeof b), "closed");
    x = (rg_day_window){true, 600, 500}; /* nonsense counts as closed */
    assert_string_equal(rg_day_window_format(&x, b, sizeof b), "closed");
}

static void test_for_day(void **state)
{
    (void)state;
    rg_window w = RG_WINDOW_DEFAULT;
    rg_day_window d = rg_window_for_day(&w, NULL, D("2026-05-04")); /* Monday */
    assert_true(d.open);
    assert_int_equal(d.to_min, 1200);
    d = rg_window_for_day(&w, NULL, D("2026-05-09")); /* Saturday */
    assert_int_equal(d.to_min, 840);
    d = rg_window_for_day(&w, NULL, D("2026-05-10")); /* Sunday */
    assert_false(d.open);
    d = rg_window_for_day(&w, NULL, D("2026-04-21")); /* Tiradentes */
    assert_false(d.open);
    w.holidays_open = true;
    d = rg_window_for_day(&w, NULL, D("2026-04-21"));
    assert_true(d.open);
    d = rg_window_for_day(NULL, NULL, D("2026-04-21"));
    assert_false(d.open);
}

static void test_sao_paulo(void **state)
{
    (void)state;
    rg_tz *sp = load("America/Sao_Paulo");
    rg_window w = RG_WINDOW_DEFAULT;
    /* Monday 2026-05-04: 08:00-20:00 local = 11:00Z-23:00Z, closing excluded. */
    assert_false(rg_window_is_open(&w, NULL, sp, at("2026-05-04T10:59:59Z")));
    assert_true(rg_window_is_open(&w, NULL, sp, at("2026-05-04T11:00:00Z")));
    assert_true(rg_window_is_open(&w, NULL, sp, at("2026-05-04T22:59:59Z")));
    assert_false(rg_window_is_open(&w, NULL, sp, at("2026-05-04T23:00:00Z")));
    assert_instant(rg_window_next_open(&w, NULL, sp, at("2026-05-04T10:00:00Z")),
                   "2026-05-04T11:00:00Z");
    assert_instant(rg_window_next_open(&w, NULL, sp, at("2026-05-04T11:00:00Z")),
                   "2026-05-04T11:00:00Z");
    assert_instant(rg_window_next_open(&w, NULL, sp, at("2026-05-04T15:12:13Z")),
                   "2026-05-04T15:12:13Z");
    assert_instant(rg_window_next_open(&w, NULL, sp, at("2026-05-04T23:00:00Z")),
                   "2026-05-05T11:00:00Z");
    /* Saturday 08:00-14:00, Sunday closed: Saturday 14:00 -> Monday 08:00. */
    assert_true(rg_window_is_open(&w, NULL, sp, at("2026-05-09T16:59:59Z")));
    assert_false(rg_window_is_open(&w, NULL, sp, at("2026-05-09T17:00:00Z")));
    assert_instant(rg_window_next_open(&w, NULL, sp, at("2026-05-09T17:00:00Z")),
                   "2026-05-11T11:00:00Z");
    assert_false(rg_window_is_open(&w, NULL, sp, at("2026-05-10T15:00:00Z")));
    /* Tiradentes (Tuesday 2026-04-21) is closed; open when holidays: open. */
    assert_false(rg_window_is_open(&w, NULL, sp, at("2026-04-21T15:00:00Z")));
    assert_instant(rg_window_next_open(&w, NULL, sp, at("2026-04-20T23:30:00Z")),
                   "2026-04-22T11:00:00Z");
    rg_window wh = w;
    wh.holidays_open = true;
    assert_instant(rg_window_next_open(&wh, NULL, sp, at("2026-04-20T23:30:00Z")),
                   "2026-04-21T11:00:00Z");
    /* 20/11/2026 (Friday) closed; Saturday opens at 08:00. */
    assert_instant(rg_window_next_open(&w, NULL, sp, at("2026-11-19T23:00:00Z")),
                   "2026-11-21T11:00:00Z");
    /* Carnival and Corpus Christi are bank days off, not contact holidays. */
    assert_true(rg_window_is_open(&w, NULL, sp, at("2026-02-16T15:00:00Z")));
    assert_true(rg_window_is_open(&w, NULL, sp, at("2026-06-04T15:00:00Z")));
    /* A city holiday from a calendar file closes the window too. */
    rg_calendar *rio = rg_calendar_new();
    rg_err e;
    const char *f = "01-20 São Sebastião\n";
    assert_int_equal(rg_calendar_parse(rio, f, strlen(f), "rio", &e), RG_OK);
    assert_instant(rg_window_next_open(&w, rio, sp, at("2026-01-19T23:00:00Z")),
                   "2026-01-21T11:00:00Z");
    assert_instant(rg_window_next_open(&w, NULL, sp, at("2026-01-19T23:00:00Z")),
                   "2026-01-20T11:00:00Z");
    /* The planner's entry point: first open moment on or after a local day. */
    assert_instant(rg_window_first_open_on_or_after_day(&w, NULL, sp, D("2026-05-04")),
                   "2026-05-04T11:00:00Z");
    assert_instant(rg_window_first_open_on_or_after_day(&w, NULL, sp, D("2026-11-20")),
                   "2026-11-21T11:00:00Z");
    assert_instant(rg_window_first_open_on_or_after_day(&w, rio, sp, D("2026-01-17")),
                   "2026-01-17T11:00:00Z");
    assert_instant(rg_window_first_open_on_or_after_day(&w, rio, sp, D("2026-01-18")),
                   "2026-01-19T11:00:00Z");
    assert_true(rg_window_first_open_on_or_after_day(&w, NULL, sp, RG_DATE_NONE) ==
                RG_INSTANT_NONE);
    rg_calendar_free(rio);
    rg_tz_free(sp);
}

static void test_manaus(void **state)
{
    (void)state;
    rg_tz *am = load("America/Manaus");
    rg_tz *sp = load("America/Sao_Paulo");
    rg_window w = RG_WINDOW_DEFAULT;
    /* 08:00 in Manaus is 12:00Z; at 11:30Z São Paulo is open, Manaus not. */
    assert_true(rg_window_is_open(&w, NULL, sp, at("2026-05-04T11:30:00Z")));
    assert_false(rg_window_is_open(&w, NULL, am, at("2026-05-04T11:30:00Z")));
    assert_instant(rg_window_next_open(&w, NULL, am, at("2026-05-04T11:30:00Z")),
                   "2026-05-04T12:00:00Z");
    /* Monday 23:30 in Manaus is already Tuesday in UTC: the local day rules. */
    assert_false(rg_window_is_open(&w, NULL, am, at("2026-05-05T03:30:00Z")));
    assert_true(rg_window_is_open(&w, NULL, am, at("2026-05-04T23:59:59Z")));
    assert_false(rg_window_is_open(&w, NULL, am, at("2026-05-05T00:00:00Z")));
    assert_instant(rg_window_next_open(&w, NULL, am, at("2026-05-05T00:00:00Z")),
                   "2026-05-05T12:00:00Z");
    /* Friday 20/11/2026 is a holiday: from Thursday night to Saturday 08:00. */
    assert_instant(rg_window_first_open_on_or_after_day(&w, NULL, am, D("2026-11-20")),
                   "2026-11-21T12:00:00Z");
    /* A Sunday-only window waits for the next Sunday. */
    rg_window sun = {{false, 0, 0}, {false, 0, 0}, {true, 600, 660}, false};
    assert_instant(rg_window_next_open(&sun, NULL, am, at("2026-05-04T12:00:00Z")),
                   "2026-05-10T14:00:00Z");
    rg_tz_free(am);
    rg_tz_free(sp);
}

static void test_never_open(void **state)
{
    (void)state;
    rg_window none = {{false, 0, 0}, {false, 0, 0}, {false, 0, 0}, true};
    assert_true(rg_window_next_open(&none, NULL, NULL, at("2026-05-04T12:00:00Z")) ==
                RG_INSTANT_NONE);
    assert_false(rg_window_is_open(&none, NULL, NULL, at("2026-05-04T12:00:00Z")));
    /* Open days exist, but a calendar closes every one of them. */
    rg_calendar *cal = rg_calendar_new();
    rg_err e;
    char text[40000];
    size_t n = 0;
    for (int m = 1; m <= 12; m++)
        for (int d = 1; d <= rg_days_in_month(2024, m); d++)
            n += (size_t)snprintf(text + n, sizeof text - n, "%02d-%02d fechado\n", m, d);
    assert_int_equal(rg_calendar_parse(cal, text, n, "all", &e), RG_OK);
    rg_window w = RG_WINDOW_DEFAULT;
    assert_true(rg_window_next_open(&w, cal, NULL, at("2026-05-04T12:00:00Z")) ==
                RG_INSTANT_NONE);
    w.holidays_open = true;
    assert_instant(rg_window_next_open(&w, cal, NULL, at("2026-05-04T12:00:00Z")),
                   "2026-05-04T12:00:00Z");
    rg_calendar_free(cal);
    /* Nonsense inputs. */
    assert_true(rg_window_next_open(NULL, NULL, NULL, 0) == RG_INSTANT_NONE);
    assert_true(rg_window_next_open(&w, NULL, NULL, RG_INSTANT_NONE) == RG_INSTANT_NONE);
    assert_false(rg_window_is_open(&w, NULL, NULL, INT64_MAX));
}

static void test_dst(void **state)
{
    (void)state;
    rg_tz *ny = load("America/New_York");
    /* Sunday 2026-03-08: clocks jump 02:00 -> 03:00 at 07:00Z. A window
     * from 02:30 opens at the jump, 03:00 EDT. */
    rg_window w = {{false, 0, 0}, {false, 0, 0}, {true, 150, 240}, false};
    assert_instant(rg_window_first_open_on_or_after_day(&w, NULL, ny, D("2026-03-08")),
                   "2026-03-08T07:00:00Z");
    assert_true(rg_window_is_open(&w, NULL, ny, at("2026-03-08T07:00:00Z")));
    assert_false(rg_window_is_open(&w, NULL, ny, at("2026-03-08T06:59:59Z")));
    assert_false(rg_window_is_open(&w, NULL, ny, at("2026-03-08T08:00:00Z"))); /* 04:00 EDT */
    /* A window that lies wholly inside the gap never opens that day. */
    rg_window gap = {{false, 0, 0}, {false, 0, 0}, {true, 135, 165}, false};
    assert_instant(rg_window_first_open_on_or_after_day(&gap, NULL, ny, D("2026-03-08")),
                   "2026-03-15T06:15:00Z");
    /* Sunday 2026-11-01: 01:00-02:00 happens twice (EDT, then EST). A
     * window 01:30-05:00 opens at 01:30 EDT; closed again at 01:00 EST
     * (06:00Z) and reopens at 01:30 EST (06:30Z). */
    rg_window fb = {{false, 0, 0}, {false, 0, 0}, {true, 90, 300}, false};
    assert_instant(rg_window_first_open_on_or_after_day(&fb, NULL, ny, D("2026-11-01")),
                   "2026-11-01T05:30:00Z");
    assert_true(rg_window_is_open(&fb, NULL, ny, at("2026-11-01T05:59:59Z")));
    assert_false(rg_window_is_open(&fb, NULL, ny, at("2026-11-01T06:00:00Z")));
    assert_instant(rg_window_next_open(&fb, NULL, ny, at("2026-11-01T06:00:00Z")),
                   "2026-11-01T06:30:00Z");
    assert_instant(rg_window_next_open(&fb, NULL, ny, at("2026-11-01T06:10:00Z")),
                   "2026-11-01T06:30:00Z");
    rg_tz_free(ny);

    /* São Paulo's last DST started at local midnight 2018-11-04: midnight
     * never happened, the day began at 01:00 (03:00Z). */
    rg_tz *sp = load("America/Sao_Paulo");
    rg_window all = {{true, 0, 1440}, {true, 0, 1440}, {true, 0, 1440}, true};
    assert_instant(rg_window_first_open_on_or_after_day(&all, NULL, sp, D("2018-11-04")),
                   "2018-11-04T03:00:00Z");
    rg_window def = RG_WINDOW_DEFAULT;
    assert_instant(rg_window_first_open_on_or_after_day(&def, NULL, sp, D("2018-11-05")),
                   "2018-11-05T10:00:00Z");
    rg_tz_free(sp);

    /* NULL zone means UTC. */
    assert_instant(rg_window_first_open_on_or_after_day(&def, NULL, NULL, D("2026-05-04")),
                   "2026-05-04T08:00:00Z");
}

/* The memo answers as the computation does, for every window, calendar,
 * zone and day it is asked (slots shared by different keys included). */
static void test_memo(void **state)
{
    (void)state;
    rg_tz *sp = load("America/Sao_Paulo");
    rg_tz *am = load("America/Manaus");
    rg_calendar *rio = rg_calendar_new();
    rg_err e;
    const char *f = "01-20 São Sebastião\n";
    assert_int_equal(rg_calendar_parse(rio, f, strlen(f), "rio", &e), RG_OK);
    rg_window w = RG_WINDOW_DEFAULT, wh = RG_WINDOW_DEFAULT;
    wh.holidays_open = true;
    rg_window_memo *m = calloc(1, sizeof *m);
    assert_non_null(m);
    const rg_window *ws[] = {&w, &wh};
    const rg_calendar *cals[] = {NULL, rio};
    const rg_tz *tzs[] = {sp, am, NULL};
    for (int pass = 0; pass < 2; pass++) /* the second pass answers from the memo */
        for (rg_date d = D("2025-12-01"); d < D("2026-12-31"); d++)
            for (int a = 0; a < 2; a++)
                for (int b = 0; b < 2; b++)
                    for (int c = 0; c < 3; c++)
                        assert_true(rg_window_first_open_memo(m, ws[a], cals[b], tzs[c], d) ==
                                    rg_window_first_open_on_or_after_day(ws[a], cals[b], tzs[c], d));
    assert_instant(rg_window_first_open_memo(m, &w, rio, sp, D("2026-01-20")), "2026-01-21T11:00:00Z");
    assert_instant(rg_window_first_open_memo(m, &wh, rio, sp, D("2026-01-20")), "2026-01-20T11:00:00Z");
    assert_instant(rg_window_first_open_memo(NULL, &w, rio, sp, D("2026-01-20")), "2026-01-21T11:00:00Z");
    assert_true(rg_window_first_open_memo(m, &w, NULL, sp, RG_DATE_NONE) == RG_INSTANT_NONE);
    free(m);
    rg_calendar_free(rio);
    rg_tz_free(am);
    rg_tz_free(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),      cmocka_unit_test(test_for_day),
        cmocka_unit_test(test_sao_paulo),  cmocka_unit_test(test_manaus),
        cmocka_unit_test(test_never_open), cmocka_unit_test(test_dst),
        cmocka_unit_test(test_memo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
