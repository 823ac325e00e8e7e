#include "test.h"

#include "base/buf.h"
#include "base/date.h"
#include "base/err.h"
#include "base/money.h"
#include "base/utf8.h"

static rg_cents money(const char *s)
{
    rg_cents v = -1;
    const char *why = NULL;
    assert_true(rg_money_parse(s, strlen(s), false, &v, &why));
    return v;
}

static void money_bad(const char *s)
{
    rg_cents v = 7;
    const char *why = NULL;
    assert_false(rg_money_parse(s, strlen(s), false, &v, &why));
    assert_non_null(why);
    assert_int_equal(v, 0);
}

static void test_money_parse(void **state)
{
    (void)state;
    assert_int_equal(money("1234.56"), 123456);
    assert_int_equal(money("1.234,56"), 123456);
    assert_int_equal(money("1234,5"), 123450);
    assert_int_equal(money("1234"), 123400);
    assert_int_equal(money("0,01"), 1);
    assert_int_equal(money("R$ 1.234.567,89"), 123456789);
    assert_int_equal(money(" 10.00 "), 1000);
    money_bad("");
    money_bad("12.345");     /* three decimals, not a thousands group without comma */
    money_bad("1.23,00");    /* group of two */
    money_bad("1,234.56");   /* US thousands: comma makes it pt-BR, then '.' misplaced */
    money_bad("12a");
    money_bad("-5.00");
    money_bad("1.");
    money_bad("99999999999999999999");
    rg_cents v;
    assert_true(rg_money_parse("-5,00", 5, true, &v, NULL));
    assert_int_equal(v, -500);
}

static void test_money_format(void **state)
{
    (void)state;
    char b[40];
    assert_string_equal(rg_money_format_brl(123456, b, sizeof b), "R$ 1.234,56");
    assert_string_equal(rg_money_format_brl(5, b, sizeof b), "R$ 0,05");
    assert_string_equal(rg_money_format_brl(100000000, b, sizeof b), "R$ 1.000.000,00");
    assert_string_equal(rg_money_format_brl(-50, b, sizeof b), "-R$ 0,50");
    assert_string_equal(rg_money_format_plain(123456, b, sizeof b), "1234.56");
    assert_string_equal(rg_money_format_plain(-1, b, sizeof b), "-0.01");
    assert_string_equal(rg_money_format_brl(0, b, sizeof b), "R$ 0,00");
    assert_string_equal(rg_money_format_brl(99999, b, sizeof b), "R$ 999,99");
    assert_string_equal(rg_money_format_brl(-123456789, b, sizeof b), "-R$ 1.234.567,89");
    assert_string_equal(rg_money_format_brl(INT64_MAX, b, sizeof b), "R$ 92.233.720.368.547.758,07");
    assert_string_equal(rg_money_format_brl(INT64_MIN, b, sizeof b), "-R$ 92.233.720.368.547.758,08");
    char small[6]; /* cut as snprintf would */
    assert_string_equal(rg_money_format_brl(123456, small, sizeof small), "R$ 1.");
    /* written without printf: the same as grouping printf's digits */
    for (rg_cents v = -2000000; v <= 2000000; v += 997) {
        char want[48], digits[32], grouped[48];
        unsigned long long a = v < 0 ? (unsigned long long)-v : (unsigned long long)v;
        int nd = snprintf(digits, sizeof digits, "%llu", a / 100), g = 0;
        for (int i = 0; i < nd; i++) {
            if (i > 0 && (nd - i) % 3 == 0)
                grouped[g++] = '.';
            grouped[g++] = digits[i];
        }
        grouped[g] = '\0';
        snprintf(want, sizeof want, "%sR$ %s,%02llu", v < 0 ? "-" : "", grouped, a % 100);
        assert_string_equal(rg_money_format_brl(v, b, sizeof b), want);
    }
}

static void test_dates(void **state)
{
    (void)state;
    rg_date d;
    char b[16];
    assert_true(rg_date_parse("2026-12-10", 10, &d));
    assert_string_equal(rg_date_format_br(d, b, sizeof b), "10/12/2026");
    rg_date e;
    assert_true(rg_date_parse("10/12/2026", 10, &e));
    assert_int_equal(d, e);
    assert_int_equal(rg_date_from_ymd(1970, 1, 1), 0);
    assert_int_equal(rg_date_weekday(rg_date_from_ymd(2026, 11, 24)), 2); /* Tuesday */
    assert_false(rg_date_parse("2026-02-29", 10, &d));
    assert_true(rg_date_parse("2024-02-29", 10, &d));
    assert_false(rg_date_parse("2026-13-01", 10, &d));
    assert_false(rg_date_parse("2026/12/01", 10, &d));
    /* Round trip across many years. */
    for (rg_date x = -800000; x < 800000; x += 97) {
        int y, m, dd;
        rg_date_to_ymd(x, &y, &m, &dd);
        assert_int_equal(rg_date_from_ymd(y, m, dd), x);
    }
}

static void test_instants(void **state)
{
    (void)state;
    rg_instant t;
    char b[32];
    assert_true(rg_instant_parse("2026-12-10T09:30:00Z", 20, &t));
    assert_string_equal(rg_instant_format(t, b, sizeof b), "2026-12-10T09:30:00Z");
    rg_instant u;
    assert_true(rg_instant_parse("2026-12-10T06:30:00-03:00", 25, &u));
    assert_int_equal(t, u);
    assert_true(rg_instant_parse("2026-12-10T06:30-0300", 21, &u));
    assert_int_equal(t, u);
    assert_true(rg_instant_parse("2026-12-10 09:30:00.123", 23, &u));
    assert_int_equal(t, u);
    assert_true(rg_instant_parse("2026-12-10", 10, &u));
    assert_string_equal(rg_instant_format(u, b, sizeof b), "2026-12-10T00:00:00Z");
    assert_false(rg_instant_parse("2026-12-10T25:00Z", 17, &u));
    assert_false(rg_instant_parse("2026-12-10T09:30:00+", 20, &u));
    assert_false(rg_instant_parse("yesterday", 9, &u));
    /* written without printf for years 0..9999: the same as printf's */
    for (rg_instant x = -62167219200LL - 86400 * 3; x < 253402300800LL + 86400 * 3; x += 86400LL * 17 + 3607) {
        int y, m, d;
        rg_date_to_ymd(rg_instant_utc_date(x), &y, &m, &d);
        int sod = rg_instant_utc_seconds_of_day(x);
        char want[64], got[64];
        snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, sod / 3600, sod / 60 % 60, sod % 60);
        assert_string_equal(rg_instant_format(x, got, sizeof got), want);
    }
    assert_string_equal(rg_instant_format(-1, b, sizeof b), "1969-12-31T23:59:59Z");
    char small[8]; /* cut as snprintf would */
    assert_string_equal(rg_instant_format(t, small, sizeof small), "2026-12");
}

static void test_buf_and_parse(void **state)
{
    (void)state;
    rg_buf b = RG_BUF_INIT;
    for (int i = 0; i < 1000; i++)
        rg_buf_printf(&b, "%d,", i);
    assert_false(b.oom);
    assert_int_equal(strncmp(rg_buf_cstr(&b), "0,1,2,", 6), 0);
    rg_buf_free(&b);
    int64_t v;
    assert_true(rg_parse_i64(rg_slice_cstr("-42"), -100, 100, &v));
    assert_int_equal(v, -42);
    assert_false(rg_parse_i64(rg_slice_cstr("101"), -100, 100, &v));
    assert_false(rg_parse_i64(rg_slice_cstr("4x"), -100, 100, &v));
    assert_false(rg_parse_i64(rg_slice_cstr("99999999999999999999"), INT64_MIN, INT64_MAX, &v));
}

static void test_err(void **state)
{
    (void)state;
    rg_err e;
    assert_int_equal(rg_err_set(&e, RG_EINVAL, "a.csv:3: amount", "bad %s", "x"), RG_EINVAL);
    char t[256];
    assert_string_equal(rg_err_text(&e, t, sizeof t), "a.csv:3: amount: bad x");
    assert_int_equal(rg_status_exit_code(RG_EUSAGE), 2);
    assert_int_equal(rg_status_exit_code(RG_EINVAL), 1);
    assert_int_equal(rg_status_http(RG_ENOTFOUND), 404);
    /* a store held by another writer: try again later */
    assert_int_equal(rg_status_http(RG_EBUSY), 503);
    assert_int_equal(rg_status_exit_code(RG_EBUSY), 3);
    assert_string_equal(rg_status_name(RG_EBUSY), "busy");
}

static void test_utf8(void **state)
{
    (void)state;
    const char ok[] = "Conceição 😀 ação";
    assert_true(rg_utf8_valid(ok, strlen(ok)));
    assert_int_equal(rg_utf8_invalid_at("Concei\xe7\xe3o", 9), 6);     /* Latin-1 */
    assert_int_equal(rg_utf8_invalid_at("a\xc0\xaf", 3), 1);           /* overlong '/' */
    assert_int_equal(rg_utf8_invalid_at("a\xed\xa0\x80", 4), 1);       /* a surrogate */
    assert_int_equal(rg_utf8_invalid_at("a\xf4\x90\x80\x80", 5), 1);   /* above U+10FFFF */
    assert_int_equal(rg_utf8_invalid_at("ab\xc3", 3), 2);               /* cut short */
    assert_int_equal(rg_utf8_invalid_at("a\0b", 3), 1);                 /* NUL */
    rg_buf b = RG_BUF_INIT;
    size_t bad = 99;
    rg_err e;
    assert_int_equal(rg_utf8_convert("windows-1252", "Concei\xe7\xe3o \x80 \x93x\x94", 15, &b, &bad, &e), RG_OK);
    assert_string_equal(rg_buf_cstr(&b), "Conceição € “x”");
    rg_buf_reset(&b);
    assert_int_equal(rg_utf8_convert("latin1", "P\xe3o", 3, &b, &bad, &e), RG_OK);
    assert_string_equal(rg_buf_cstr(&b), "Pão");
    rg_buf_reset(&b);
    assert_int_equal(rg_utf8_convert("cp1252", "ab\x81", 3, &b, &bad, &e), RG_EINVAL); /* undefined */
    assert_int_equal(bad, 2);
    rg_buf_reset(&b);
    assert_int_equal(rg_utf8_convert("utf-8", "ab\xe3", 3, &b, &bad, &e), RG_EINVAL);
    assert_int_equal(bad, 2);
    assert_int_equal(rg_utf8_convert("ebcdic", "x", 1, &b, &bad, &e), RG_EINVAL);
    assert_false(rg_utf8_encoding_known("ebcdic"));
    assert_true(rg_utf8_encoding_known("Windows-1252"));
    rg_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_money_parse), cmocka_unit_test(test_money_format),
        cmocka_unit_test(test_dates),       cmocka_unit_test(test_instants),
        cmocka_unit_test(test_buf_and_parse), cmocka_unit_test(test_err),
        cmocka_unit_test(test_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
