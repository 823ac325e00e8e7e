#include "test.h"

#include "base/date.h"
#include "base/err.h"
#include "base/tz.h"
#include "base/zones.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* Zone facts below come from the IANA tz database (the system's
 * /usr/share/zoneinfo) and Brazilian law: Decreto 9.772/2019 ended DST in
 * Brazil from 2019 on; Brazil's last DST ran 2018-11-04 to 2019-02-17. */

static rg_instant at(const char *iso)
{
    rg_instant t;
    assert_true(rg_instant_parse(iso, strlen(iso), &t));
    return t;
}

static rg_date day(const char *iso)
{
    rg_date d;
    assert_true(rg_date_parse(iso, strlen(iso), &d));
    return d;
}

static rg_tz *load(const char *name)
{
    rg_tz *tz = NULL;
    rg_err e;
    rg_err_clear(&e);
    rg_status st = rg_tz_load(name, &tz, &e);
    if (st != RG_OK)
        fail_msg("%s: %s", name, e.msg);
    return tz;
}

static void assert_local(const rg_tz *tz, rg_instant t, const char *date, int h, int m)
{
    rg_date d;
    int sod;
    rg_tz_local(tz, t, &d, &sod);
    char b[16];
    assert_string_equal(rg_date_format_iso(d, b, sizeof b), date);
    assert_int_equal(sod, h * 3600 + m * 60);
}

static void assert_instant(rg_instant got, const char *iso)
{
    char b[32];
    assert_string_equal(rg_instant_format(got, b, sizeof b), iso);
}

static void test_sao_paulo(void **state)
{
    (void)state;
    rg_tz *tz = load("America/Sao_Paulo");
    assert_string_equal(rg_tz_name(tz), "America/Sao_Paulo");
    /* In DST (-02:00) on 2018-12-01; -03:00 ever since 2019. */
    assert_int_equal(rg_tz_offset_at(tz, at("2018-12-01T12:00:00Z")), -7200);
    assert_int_equal(rg_tz_offset_at(tz, at("2019-03-01T12:00:00Z")), -10800);
    assert_int_equal(rg_tz_offset_at(tz, at("2019-12-01T12:00:00Z")), -10800);
    assert_int_equal(rg_tz_offset_at(tz, at("2026-01-15T12:00:00Z")), -10800);
    /* The 2018 transitions, exactly. */
    assert_int_equal(rg_tz_offset_at(tz, at("2018-11-04T02:59:59Z")), -10800);
    assert_int_equal(rg_tz_offset_at(tz, at("2018-11-04T03:00:00Z")), -7200);
    assert_int_equal(rg_tz_offset_at(tz, at("2019-02-17T01:59:59Z")), -7200);
    assert_int_equal(rg_tz_offset_at(tz, at("2019-02-17T02:00:00Z")), -10800);
    assert_local(tz, at("2026-03-10T02:30:00Z"), "2026-03-09", 23, 30);
    assert_local(tz, at("2018-12-01T12:00:00Z"), "2018-12-01", 10, 0);
    /* Gap: 2018-11-04 00:00-01:00 local never happened; 00:30 -> the end
     * of the gap, 03:00Z (01:00 -02). */
    assert_instant(rg_tz_to_utc(tz, day("2018-11-04"), 1800), "2018-11-04T03:00:00Z");
    assert_instant(rg_tz_to_utc(tz, day("2018-11-04"), 0), "2018-11-04T03:00:00Z");
    assert_instant(rg_tz_to_utc(tz, day("2018-11-04"), 3600), "2018-11-04T03:00:00Z");
    assert_instant(rg_tz_to_utc(tz, day("2018-11-04"), 3601), "2018-11-04T03:00:01Z");
    /* Overlap: 2019-02-16 23:00-24:00 local happened twice; earlier one. */
    assert_instant(rg_tz_to_utc(tz, day("2019-02-16"), 23 * 3600 + 1800), "2019-02-17T01:30:00Z");
    assert_instant(rg_tz_to_utc(tz, day("2019-02-16"), 22 * 3600 + 3599), "2019-02-17T00:59:59Z");
    assert_instant(rg_tz_to_utc(tz, day("2019-02-17"), 0), "2019-02-17T03:00:00Z");
    /* Plain. */
    assert_instant(rg_tz_to_utc(tz, day("2026-05-04"), 8 * 3600), "2026-05-04T11:00:00Z");
    /* After the last transition the footer "<-03>3" rules; nothing changes. */
    assert_int_equal(rg_tz_offset_at(tz, at("2400-07-01T00:00:00Z")), -10800);
    /* "Fat" tzdata files add a no-change transition at 2^31-1 s for 32-bit
     * readers; either way the offset never changes again. */
    rg_instant nx = rg_tz_next_transition(tz, at("2019-03-01T00:00:00Z"));
    assert_true(nx == RG_INSTANT_NONE || (nx == INT32_MAX && rg_tz_offset_at(tz, nx) == -10800));
    assert_true(rg_tz_next_transition(tz, at("2039-01-01T00:00:00Z")) == RG_INSTANT_NONE);
    assert_instant(rg_tz_next_transition(tz, at("2018-06-01T00:00:00Z")), "2018-11-04T03:00:00Z");
    rg_tz_free(tz);
}

static void test_manaus_noronha(void **state)
{
    (void)state;
    rg_tz *m = load("America/Manaus");
    rg_tz *n = load("America/Noronha");
    assert_int_equal(rg_tz_offset_at(m, at("2026-06-01T12:00:00Z")), -14400);
    assert_int_equal(rg_tz_offset_at(m, at("2026-12-01T12:00:00Z")), -14400);
    assert_int_equal(rg_tz_offset_at(n, at("2026-06-01T12:00:00Z")), -7200);
    assert_int_equal(rg_tz_offset_at(n, at("2026-12-01T12:00:00Z")), -7200);
    assert_instant(rg_tz_to_utc(m, day("2026-06-01"), 8 * 3600), "2026-06-01T12:00:00Z");
    assert_instant(rg_tz_to_utc(n, day("2026-06-01"), 8 * 3600), "2026-06-01T10:00:00Z");
    assert_local(m, at("2026-06-01T03:59:00Z"), "2026-05-31", 23, 59);
    rg_tz_free(m);
    rg_tz_free(n);
}

static void test_new_york_2026(void **state)
{
    (void)state;
    rg_tz *tz = load("America/New_York");
    /* DST starts Sunday 2026-03-08 02:00 EST = 07:00Z. */
    assert_instant(rg_tz_next_transition(tz, at("2026-01-01T00:00:00Z")), "2026-03-08T07:00:00Z");
    assert_int_equal(rg_tz_offset_at(tz, at("2026-03-08T06:59:59Z")), -18000);
    assert_int_equal(rg_tz_offset_at(tz, at("2026-03-08T07:00:00Z")), -14400);
    /* Gap 02:00-03:00: every local time in it maps to the transition. */
    assert_instant(rg_tz_to_utc(tz, day("2026-03-08"), 2 * 3600), "2026-03-08T07:00:00Z");
    assert_instant(rg_tz_to_utc(tz, day("2026-03-08"), 2 * 3600 + 1800), "2026-03-08T07:00:00Z");
    assert_instant(rg_tz_to_utc(tz, day("2026-03-08"), 3 * 3600), "2026-03-08T07:00:00Z");
    assert_instant(rg_tz_to_utc(tz, day("2026-03-08"), 3600 + 3599), "2026-03-08T06:59:59Z");
    assert_local(tz, at("2026-03-08T07:00:00Z"), "2026-03-08", 3, 0);
    /* DST ends Sunday 2026-11-01 02:00 EDT = 06:00Z; 01:00-02:00 repeats. */
    assert_instant(rg_tz_next_transition(tz, at("2026-03-08T07:00:00Z")), "2026-11-01T06:00:00Z");
    assert_instant(rg_tz_to_utc(tz, day("2026-11-01"), 3600 + 1800), "2026-11-01T05:30:00Z");
    assert_instant(rg_tz_to_utc(tz, day("2026-11-01"), 3600), "2026-11-01T05:00:00Z");
    assert_instant(rg_tz_to_utc(tz, day("2026-11-01"), 2 * 3600), "2026-11-01T07:00:00Z");
    assert_local(tz, at("2026-11-01T05:30:00Z"), "2026-11-01", 1, 30);
    assert_local(tz, at("2026-11-01T06:30:00Z"), "2026-11-01", 1, 30);
    /* Far future: past the file's transitions, the footer
     * "EST5EDT,M3.2.0,M11.1.0" gives 2200-03-09 07:00Z and 2200-11-02 06:00Z. */
    assert_int_equal(rg_tz_offset_at(tz, at("2200-07-01T00:00:00Z")), -14400);
    assert_int_equal(rg_tz_offset_at(tz, at("2200-01-01T00:00:00Z")), -18000);
    assert_instant(rg_tz_next_transition(tz, at("2200-01-01T00:00:00Z")), "2200-03-09T07:00:00Z");
    assert_instant(rg_tz_next_transition(tz, at("2200-03-09T07:00:00Z")), "2200-11-02T06:00:00Z");
    assert_int_equal(rg_tz_offset_at(tz, at("2200-11-02T05:59:59Z")), -14400);
    assert_int_equal(rg_tz_offset_at(tz, at("2200-11-02T06:00:00Z")), -18000);
    assert_instant(rg_tz_to_utc(tz, day("2200-03-09"), 2 * 3600 + 900), "2200-03-09T07:00:00Z");
    /* Extreme instants are clamped, not overflowed. */
    assert_int_equal(rg_tz_offset_at(tz, INT64_MAX), rg_tz_offset_at(tz, 100000000000000LL));
    rg_date d;
    int sod;
    rg_tz_local(tz, INT64_MIN, &d, &sod);
    assert_true(sod >= 0 && sod < 86400);
    rg_tz_free(tz);
}

static void test_posix_strings(void **state)
{
    (void)state;
    rg_tz *tz = NULL;
    rg_err e;
    assert_int_equal(rg_tz_from_posix("<-03>3", &tz, &e), RG_OK);
    assert_int_equal(rg_tz_offset_at(tz, at("2026-01-01T00:00:00Z")), -10800);
    assert_int_equal(rg_tz_offset_at(tz, at("1950-07-01T00:00:00Z")), -10800);
    rg_tz_free(tz);

    assert_int_equal(rg_tz_from_posix("EST5EDT,M3.2.0,M11.1.0", &tz, &e), RG_OK);
    assert_instant(rg_tz_next_transition(tz, at("2026-01-01T00:00:00Z")), "2026-03-08T07:00:00Z");
    assert_int_equal(rg_tz_offset_at(tz, at("2026-07-01T00:00:00Z")), -14400);
    rg_tz_free(tz);

    /* Brazil's old southern-hemisphere rule, DST across the new year:
     * 2018-11-04 00:00 -03 to 2019-02-17 00:00 -02 (midnight rules). */
    assert_int_equal(rg_tz_from_posix("<-03>3<-02>,M11.1.0/0,M2.3.0/0", &tz, &e), RG_OK);
    assert_int_equal(rg_tz_offset_at(tz, at("2018-12-01T12:00:00Z")), -7200);
    assert_int_equal(rg_tz_offset_at(tz, at("2019-01-31T12:00:00Z")), -7200);
    assert_int_equal(rg_tz_offset_at(tz, at("2019-06-01T12:00:00Z")), -10800);
    assert_int_equal(rg_tz_offset_at(tz, at("2018-11-04T02:59:59Z")), -10800);
    assert_int_equal(rg_tz_offset_at(tz, at("2018-11-04T03:00:00Z")), -7200);
    assert_int_equal(rg_tz_offset_at(tz, at("2019-02-17T01:59:59Z")), -7200);
    assert_int_equal(rg_tz_offset_at(tz, at("2019-02-17T02:00:00Z")), -10800);
    rg_tz_free(tz);

    /* Lord Howe: half-hour DST, explicit offsets with minutes. */
    assert_int_equal(rg_tz_from_posix("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", &tz, &e), RG_OK);
    assert_int_equal(rg_tz_offset_at(tz, at("2026-01-01T00:00:00Z")), 39600);
    assert_int_equal(rg_tz_offset_at(tz, at("2026-07-01T00:00:00Z")), 37800);
    rg_tz_free(tz);

    /* Julian forms: J60 is 1 March every year (Feb 29 never counts);
     * zero-based day 59 is 29 February in leap years, 1 March otherwise. */
    assert_int_equal(rg_tz_from_posix("AAA0BBB,J60/0,J300/0", &tz, &e), RG_OK);
    assert_int_equal(rg_tz_offset_at(tz, at("2024-02-29T23:59:59Z")), 0);
    assert_int_equal(rg_tz_offset_at(tz, at("2024-03-01T00:00:00Z")), 3600);
    rg_tz_free(tz);
    assert_int_equal(rg_tz_from_posix("AAA0BBB,59/0,300/0", &tz, &e), RG_OK);
    assert_int_equal(rg_tz_offset_at(tz, at("2024-02-28T23:59:59Z")), 0);
    assert_int_equal(rg_tz_offset_at(tz, at("2024-02-29T00:00:00Z")), 3600);
    assert_int_equal(rg_tz_offset_at(tz, at("2025-03-01T00:00:00Z")), 3600);
    assert_int_equal(rg_tz_offset_at(tz, at("2025-02-28T23:59:59Z")), 0);
    rg_tz_free(tz);

    /* RFC 8536 extension: DST all year ("EST5EDT,0/0,J365/25"). */
    assert_int_equal(rg_tz_from_posix("EST5EDT,0/0,J365/25", &tz, &e), RG_OK);
    assert_int_equal(rg_tz_offset_at(tz, at("2026-01-01T00:00:00Z")), -14400);
    assert_int_equal(rg_tz_offset_at(tz, at("2026-06-01T00:00:00Z")), -14400);
    assert_int_equal(rg_tz_offset_at(tz, at("2026-12-31T23:00:00Z")), -14400);
    rg_tz_free(tz);

    /* A rule whose order flips between years changes the offset at the
     * start of the year; next_transition reports it (fuzzer finding). */
    assert_int_equal(rg_tz_from_posix("EST5EDT,M3.2.0,M3.2.6", &tz, &e), RG_OK);
    assert_int_equal(rg_tz_offset_at(tz, at("2026-01-01T04:59:59Z")), -14400);
    assert_int_equal(rg_tz_offset_at(tz, at("2026-01-01T05:00:00Z")), -18000);
    assert_instant(rg_tz_next_transition(tz, at("2026-01-01T00:00:00Z")), "2026-01-01T05:00:00Z");
    assert_instant(rg_tz_next_transition(tz, at("2026-01-01T05:00:00Z")), "2026-03-08T07:00:00Z");
    rg_tz_free(tz);

    /* Errors. */
    static const char *bad[] = {"EST5EDT", "E5", "<-03", "<-03>", "EST25", "EST5EDT,M13.1.0,M11.1.0",
                                "EST5EDT,M3.6.0,M11.1.0", "EST5EDT,M3.2.7,M11.1.0", "EST5EDT,J0,J5",
                                "EST5EDT,M3.2.0", "EST5EDT,M3.2.0,M11.1.0x", "EST5EDT,M3.2.0/168,J5",
                                "", "EST5:60"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tz = (rg_tz *)1;
        rg_err_clear(&e);
        assert_int_equal(rg_tz_from_posix(bad[i], &tz, &e), RG_EINVAL);
        assert_null(tz);
        assert_non_null(strstr(e.msg, "TZ string"));
    }
    assert_int_equal(rg_tz_from_posix("EST5EDT", &tz, &e), RG_EINVAL);
    assert_string_equal(e.msg, "TZ string \"EST5EDT\": daylight time without a rule (expected "
                               "\",start[/time],end[/time]\")");
}

static void test_bad_names(void **state)
{
    (void)state;
    rg_tz *tz = (rg_tz *)1;
    rg_err e;
    assert_int_equal(rg_tz_load("../../etc/passwd", &tz, &e), RG_EINVAL);
    assert_null(tz);
    assert_string_equal(e.where, "tz");
    assert_string_equal(e.msg, "bad time zone name \"../../etc/passwd\": zone name contains \"..\"");
    assert_int_equal(rg_tz_load("/etc/localtime", &tz, &e), RG_EINVAL);
    assert_non_null(strstr(e.msg, "starts with '/'"));
    assert_int_equal(rg_tz_load("America/Sao Paulo", &tz, &e), RG_EINVAL);
    assert_non_null(strstr(e.msg, "may only contain"));
    assert_int_equal(rg_tz_load("", &tz, &e), RG_EINVAL);
    assert_non_null(strstr(e.msg, "empty zone name"));
    assert_int_equal(rg_tz_load(NULL, &tz, &e), RG_EINVAL);
    assert_int_equal(rg_tz_load("America/", &tz, &e), RG_EINVAL);
    assert_non_null(strstr(e.msg, "empty component"));
    assert_int_equal(rg_tz_load("America//Manaus", &tz, &e), RG_EINVAL);
    char longname[200];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_int_equal(rg_tz_load(longname, &tz, &e), RG_EINVAL);
    assert_non_null(strstr(e.msg, "longer than 128"));
    const char *why = NULL;
    assert_true(rg_tz_name_valid("Etc/GMT+3", &why));
    assert_true(rg_tz_name_valid("America/Argentina/Buenos_Aires", &why));
    assert_false(rg_tz_name_valid("America/Sao_Paulo.bak", &why));
    assert_non_null(why);
}

static void test_missing_zone(void **state)
{
    (void)state;
    rg_tz *tz = (rg_tz *)1;
    rg_err e;
    assert_int_equal(rg_tz_load("America/Atlantida", &tz, &e), RG_ENOTFOUND);
    assert_null(tz);
    assert_string_equal(e.msg, "unknown time zone \"America/Atlantida\": "
                               "/usr/share/zoneinfo/America/Atlantida does not exist");
    assert_int_equal(rg_tz_load("America", &tz, &e), RG_ENOTFOUND);
    assert_non_null(strstr(e.msg, "is not a zone file"));
    assert_int_equal(rg_status_exit_code(RG_ENOTFOUND), 1);
}

static void test_malformed_files(void **state)
{
    (void)state;
    const char *dir = rg_test_tmpdir();
    rg_test_write("NotTZif", "hello, this is not a zone file at all, really not at all");
    rg_tz *tz = (rg_tz *)1;
    rg_err e;
    assert_int_equal(rg_tz_load_dir(dir, "NotTZif", &tz, &e), RG_EINVAL);
    assert_null(tz);
    assert_string_equal(e.msg, "zone NotTZif: not a TZif file (no \"TZif\" header)");

    /* A real file cut short at every length fails cleanly. */
    FILE *f = fopen("/usr/share/zoneinfo/America/Sao_Paulo", "rb");
    assert_non_null(f);
    unsigned char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_true(n > 100 && n < sizeof buf);
    assert_int_equal(rg_tz_parse(buf, n, "full", &tz, &e), RG_OK);
    rg_tz_free(tz);
    for (size_t cut = 0; cut < n; cut++) {
        assert_int_equal(rg_tz_parse(buf, cut, "cut", &tz, &e), RG_EINVAL);
        assert_null(tz);
    }

    /* Files over RG_TZ_FILE_MAX are refused before reading. */
    char *big = malloc(RG_TZ_FILE_MAX + 2);
    assert_non_null(big);
    memset(big, 'x', RG_TZ_FILE_MAX + 1);
    big[RG_TZ_FILE_MAX + 1] = '\0';
    rg_test_write("Big", big);
    free(big);
    assert_int_equal(rg_tz_load_dir(dir, "Big", &tz, &e), RG_EINVAL);
    assert_non_null(strstr(e.msg, "is larger than 262144 bytes"));
    assert_null(tz);

    /* Leap-second ("right/") zones are refused with a reason. */
    assert_int_equal(rg_tz_load("right/America/Sao_Paulo", &tz, &e), RG_EINVAL);
    assert_non_null(strstr(e.msg, "leap-second"));
}

/* Builds a TZif file (version '2', or 0 for version 1 only). */
static size_t build_tzif(unsigned char *out, char version, const int64_t *trans,
                         const uint8_t *idx, uint32_t nt, const int32_t *offs, uint32_t ntypes,
                         const char *footer)
{
    size_t p = 0;
    for (int pass = 0; pass < (version ? 2 : 1); pass++) {
        unsigned tsize = pass == 0 ? 4 : 8;
        memcpy(out + p, "TZif", 4);
        out[p + 4] = (unsigned char)version;
        memset(out + p + 5, 0, 15);
        uint32_t counts[6] = {0, 0, 0, nt, ntypes, 4};
        for (int i = 0; i < 6; i++) {
            out[p + 20 + i * 4] = (unsigned char)(counts[i] >> 24);
            out[p + 21 + i * 4] = (unsigned char)(counts[i] >> 16);
            out[p + 22 + i * 4] = (unsigned char)(counts[i] >> 8);
            out[p + 23 + i * 4] = (unsigned char)counts[i];
        }
        p += 44;
        for (uint32_t i = 0; i < nt; i++)
            for (unsigned b = 0; b < tsize; b++)
                out[p++] = (unsigned char)((uint64_t)trans[i] >> (8 * (tsize - 1 - b)));
        for (uint32_t i = 0; i < nt; i++)
            out[p++] = idx[i];
        for (uint32_t i = 0; i < ntypes; i++) {
            uint32_t o = (uint32_t)offs[i];
            out[p++] = (unsigned char)(o >> 24);
            out[p++] = (unsigned char)(o >> 16);
            out[p++] = (unsigned char)(o >> 8);
            out[p++] = (unsigned char)o;
            out[p++] = 0;
            out[p++] = 0;
        }
        memcpy(out + p, "ABC", 4);
        p += 4;
    }
    if (version) {
        size_t fl = strlen(footer);
        out[p++] = '\n';
        memcpy(out + p, footer, fl);
        p += fl;
        out[p++] = '\n';
    }
    return p;
}

static void test_synthetic_files(void **state)
{
    (void)state;
    unsigned char buf[512];
    rg_tz *tz = NULL;
    rg_err e;
    /* Version 1 only: one transition, read from the 32-bit block. */
    int64_t tr[] = {1000000000};
    uint8_t ix[] = {1};
    int32_t offs[] = {-10800, -7200};
    size_t n = build_tzif(buf, 0, tr, ix, 1, offs, 2, "");
    assert_int_equal(rg_tz_parse(buf, n, "v1", &tz, &e), RG_OK);
    assert_int_equal(rg_tz_offset_at(tz, 999999999), -10800);
    assert_int_equal(rg_tz_offset_at(tz, 1000000000), -7200);
    assert_true(rg_tz_next_transition(tz, 1000000000) == RG_INSTANT_NONE);
    rg_tz_free(tz);

    /* Version 2, no transitions: the footer rules all times. */
    n = build_tzif(buf, '2', NULL, NULL, 0, offs, 1, "<-05>5");
    assert_int_equal(rg_tz_parse(buf, n, "v2", &tz, &e), RG_OK);
    assert_int_equal(rg_tz_offset_at(tz, at("1900-01-01T00:00:00Z")), -18000);
    assert_int_equal(rg_tz_offset_at(tz, at("2300-01-01T00:00:00Z")), -18000);
    rg_tz_free(tz);

    /* Version 2, empty footer: the last type holds forever. */
    n = build_tzif(buf, '2', tr, ix, 1, offs, 2, "");
    assert_int_equal(rg_tz_parse(buf, n, "v2", &tz, &e), RG_OK);
    assert_int_equal(rg_tz_offset_at(tz, at("2300-01-01T00:00:00Z")), -7200);
    rg_tz_free(tz);

    /* Transitions out of order. */
    int64_t tr2[] = {2000, 1000};
    uint8_t ix2[] = {0, 1};
    n = build_tzif(buf, '2', tr2, ix2, 2, offs, 2, "");
    assert_int_equal(rg_tz_parse(buf, n, "bad", &tz, &e), RG_EINVAL);
    assert_string_equal(e.msg, "zone bad: transition 1 is not after transition 0");
    /* A transition naming a type that does not exist. */
    uint8_t ix3[] = {5};
    n = build_tzif(buf, '2', tr, ix3, 1, offs, 2, "");
    assert_int_equal(rg_tz_parse(buf, n, "bad", &tz, &e), RG_EINVAL);
    assert_string_equal(e.msg, "zone bad: transition 0 names local time type 5 of 2");
    /* An absurd offset. */
    int32_t offs3[] = {200000};
    n = build_tzif(buf, '2', NULL, NULL, 0, offs3, 1, "");
    assert_int_equal(rg_tz_parse(buf, n, "bad", &tz, &e), RG_EINVAL);
    assert_non_null(strstr(e.msg, "UT offset 200000"));
    /* A bad footer. */
    n = build_tzif(buf, '2', tr, ix, 1, offs, 2, "EST5EDT");
    assert_int_equal(rg_tz_parse(buf, n, "bad", &tz, &e), RG_EINVAL);
    assert_non_null(strstr(e.msg, "footer TZ string \"EST5EDT\""));
    /* Footer without its closing newline. */
    n = build_tzif(buf, '2', tr, ix, 1, offs, 2, "<-03>3");
    assert_int_equal(rg_tz_parse(buf, n - 1, "bad", &tz, &e), RG_EINVAL);
    assert_non_null(strstr(e.msg, "footer is not terminated"));
    assert_null(tz);
}

static void test_utc_zone(void **state)
{
    (void)state;
    const rg_tz *u = rg_tz_utc();
    assert_string_equal(rg_tz_name(u), "UTC");
    assert_int_equal(rg_tz_offset_at(u, at("2026-03-08T07:00:00Z")), 0);
    assert_instant(rg_tz_to_utc(u, day("2026-03-08"), 3600), "2026-03-08T01:00:00Z");
    assert_true(rg_tz_next_transition(u, 0) == RG_INSTANT_NONE);
    rg_tz_free((rg_tz *)u); /* a no-op */
    rg_tz_free(NULL);
}

static void test_cache(void **state)
{
    (void)state;
    rg_tz_cache *c = rg_tz_cache_new(NULL);
    assert_non_null(c);
    const rg_tz *a = NULL, *b = NULL;
    rg_err e;
    assert_int_equal(rg_tz_cache_get(c, "America/Sao_Paulo", &a, &e), RG_OK);
    assert_int_equal(rg_tz_cache_get(c, "America/Sao_Paulo", &b, &e), RG_OK);
    assert_ptr_equal(a, b);
    assert_int_equal(rg_tz_offset_at(a, at("2026-01-01T00:00:00Z")), -10800);
    assert_int_equal(rg_tz_cache_size(c), 1);
    /* A bad name is refused and not stored. */
    assert_int_equal(rg_tz_cache_get(c, "../x", &a, &e), RG_EINVAL);
    assert_null(a);
    assert_int_equal(rg_tz_cache_size(c), 1);
    /* A missing zone is remembered with its error. */
    rg_err_clear(&e);
    assert_int_equal(rg_tz_cache_get(c, "America/Atlantida", &a, &e), RG_ENOTFOUND);
    assert_non_null(strstr(e.msg, "America/Atlantida"));
    assert_int_equal(rg_tz_cache_size(c), 2);
    rg_err_clear(&e);
    assert_int_equal(rg_tz_cache_get(c, "America/Atlantida", &a, &e), RG_ENOTFOUND);
    assert_non_null(strstr(e.msg, "does not exist"));
    assert_int_equal(rg_tz_cache_size(c), 2);
    /* Many zones: the table grows and every entry stays reachable. */
    static const char *zones[] = {
        "America/Manaus", "America/Noronha", "America/New_York", "America/Belem",
        "America/Fortaleza", "America/Recife", "America/Bahia", "America/Cuiaba",
        "America/Campo_Grande", "America/Porto_Velho", "America/Boa_Vista", "America/Rio_Branco",
        "America/Eirunepe", "America/Araguaina", "America/Maceio", "America/Santarem",
        "Europe/Lisbon", "Europe/London", "Asia/Tokyo", "UTC", "Etc/GMT+3"};
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
            assert_int_equal(rg_tz_cache_get(c, zones[i], &a, &e), RG_OK);
            assert_string_equal(rg_tz_name(a), zones[i]);
        }
    for (int i = 0; i < 100; i++) {
        char nm[40];
        snprintf(nm, sizeof nm, "Nowhere/Zone_%d", i);
        assert_int_equal(rg_tz_cache_get(c, nm, &a, &e), RG_ENOTFOUND);
    }
    assert_int_equal(rg_tz_cache_size(c), 2 + 21 + 100);
    assert_int_equal(rg_tz_cache_get(c, "Etc/GMT+3", &a, &e), RG_OK);
    assert_int_equal(rg_tz_offset_at(a, 0), -10800);
    rg_tz_cache_free(c);
    rg_tz_cache_free(NULL);

    /* A cache over another directory. */
    c = rg_tz_cache_new(rg_test_tmpdir());
    assert_int_equal(rg_tz_cache_get(c, "America/Sao_Paulo", &a, &e), RG_ENOTFOUND);
    rg_tz_cache_free(c);
}

/* The one way to a local date, to an instant from a bare date, and to a
 * time for people. */
static void test_local_dates(void **state)
{
    (void)state;
    rg_tz *sp = load("America/Sao_Paulo");
    rg_tz *ny = load("America/New_York");
    rg_tz *noronha = load("America/Noronha");
    /* 02:30Z on the 13th is still the 12th in São Paulo, not in UTC */
    assert_int_equal(rg_tz_date(sp, at("2027-01-13T02:30:00Z")), day("2027-01-12"));
    assert_int_equal(rg_tz_date(sp, at("2027-01-13T03:00:00Z")), day("2027-01-13"));
    assert_int_equal(rg_tz_date(noronha, at("2027-01-13T01:30:00Z")), day("2027-01-12"));
    assert_int_equal(rg_tz_date(noronha, at("2027-01-13T02:00:00Z")), day("2027-01-13"));
    /* DST: 03:59Z on 2026-03-08 is still the 7th in New York (EST), 04:30Z in July the 1st (EDT) */
    assert_int_equal(rg_tz_date(ny, at("2026-03-08T04:59:00Z")), day("2026-03-07"));
    assert_int_equal(rg_tz_date(ny, at("2026-07-02T03:59:00Z")), day("2026-07-01"));
    assert_int_equal(rg_tz_date(ny, at("2026-07-02T04:00:00Z")), day("2026-07-02"));

    /* a bare date is that day where the zone is: its noon */
    rg_instant t;
    assert_true(rg_tz_parse_moment(sp, "2027-01-13", 10, &t));
    assert_instant(t, "2027-01-13T15:00:00Z");
    assert_int_equal(rg_tz_date(sp, t), day("2027-01-13"));
    assert_true(rg_tz_parse_moment(sp, "13/01/2027", 10, &t));
    assert_instant(t, "2027-01-13T15:00:00Z");
    assert_true(rg_tz_parse_moment(ny, "13/07/2026", 10, &t));
    assert_instant(t, "2026-07-13T16:00:00Z");
    /* an instant is an instant, whatever the zone */
    assert_true(rg_tz_parse_moment(sp, "2027-01-13T00:00:00Z", 20, &t));
    assert_instant(t, "2027-01-13T00:00:00Z");
    assert_true(rg_tz_parse_moment(sp, "2027-01-13T10:00:00-03:00", 25, &t));
    assert_instant(t, "2027-01-13T13:00:00Z");
    assert_false(rg_tz_parse_moment(sp, "31/02/2027", 10, &t));
    assert_false(rg_tz_parse_moment(sp, "13/01/2027T10:00", 16, &t));
    assert_false(rg_tz_parse_moment(sp, "amanhã", 7, &t));
    assert_int_equal(t, RG_INSTANT_NONE);

    char b[40];
    assert_string_equal(rg_tz_format(sp, at("2027-01-13T02:30:00Z"), b, sizeof b), "2027-01-12 23:30:00 -03:00");
    assert_string_equal(rg_tz_format(ny, at("2026-07-01T12:00:00Z"), b, sizeof b), "2026-07-01 08:00:00 -04:00");
    assert_string_equal(rg_tz_format(rg_tz_utc(), at("2026-07-01T12:00:00Z"), b, sizeof b), "2026-07-01 12:00:00 +00:00");
    rg_tz *kolkata = load("Asia/Kolkata");
    assert_string_equal(rg_tz_format(kolkata, at("2026-07-01T12:00:00Z"), b, sizeof b), "2026-07-01 17:30:00 +05:30");
    rg_tz_free(kolkata);
    rg_tz_free(noronha);
    rg_tz_free(ny);
    rg_tz_free(sp);
}

/* The customer's zone, else the company's. */
static void test_zones(void **state)
{
    (void)state;
    rg_zones *z = NULL;
    rg_err e;
    assert_int_equal(rg_zones_new("America/Sao_Paolo", NULL, &z, &e), RG_ENOTFOUND);
    assert_null(z);
    assert_int_equal(rg_zones_new("../x", NULL, &z, &e), RG_EINVAL);
    assert_int_equal(rg_zones_new("America/Sao_Paulo", NULL, &z, &e), RG_OK);
    assert_string_equal(rg_tz_name(rg_zones_company(z)), "America/Sao_Paulo");
    assert_ptr_equal(rg_zones_for(z, NULL), rg_zones_company(z));
    assert_ptr_equal(rg_zones_for(z, ""), rg_zones_company(z));
    assert_ptr_equal(rg_zones_for(z, "Nowhere/Else"), rg_zones_company(z));
    assert_string_equal(rg_tz_name(rg_zones_for(z, "America/Manaus")), "America/Manaus");
    /* 03:30Z on the 13th: the 13th for the company, the 12th in Manaus */
    rg_instant t = at("2027-01-13T03:30:00Z");
    assert_int_equal(rg_tz_date(rg_zones_company(z), t), day("2027-01-13"));
    assert_int_equal(rg_tz_date(rg_zones_for(z, "America/Manaus"), t), day("2027-01-12"));
    rg_zones_free(z);
    rg_zones_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sao_paulo),       cmocka_unit_test(test_manaus_noronha),
        cmocka_unit_test(test_new_york_2026),   cmocka_unit_test(test_posix_strings),
        cmocka_unit_test(test_bad_names),       cmocka_unit_test(test_missing_zone),
        cmocka_unit_test(test_malformed_files), cmocka_unit_test(test_synthetic_files),
        cmocka_unit_test(test_utc_zone),        cmocka_unit_test(test_cache),
        cmocka_unit_test(test_local_dates),     cmocka_unit_test(test_zones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
