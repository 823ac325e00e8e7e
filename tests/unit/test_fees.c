#include "test.h"

#include "base/date.h"
#include "br/fees.h"

#include <limits.h>

/* Rules: CDC (Lei 8.078/1990) art. 52 §1 caps a consumer fine at 2%;
 * interest is simple, pro rata die over a 30-day month; the legal rate
 * (taxa legal) is CC art. 406 as amended by Lei 14.905/2024, published
 * monthly by the Banco Central with six decimals (CMN Res. 5.171/2024). */

static rg_date D(const char *iso)
{
    rg_date d;
    if (!rg_date_parse(iso, strlen(iso), &d))
        fail_msg("bad date %s", iso);
    return d;
}

static void test_fine(void **state)
{
    (void)state;
    assert_int_equal(rg_fee_fine(100000, 200), 2000); /* R$ 1.000,00 x 2% = R$ 20,00 */
    assert_int_equal(rg_fee_fine(12345, 200), 247);   /* 246.9 -> 247 */
    assert_int_equal(rg_fee_fine(25, 200), 1);        /* 0.5 -> 1 (half up) */
    assert_int_equal(rg_fee_fine(75, 200), 2);        /* 1.5 -> 2 */
    assert_int_equal(rg_fee_fine(24, 200), 0);        /* 0.48 -> 0 */
    assert_int_equal(rg_fee_fine(99999, 150), 1500);  /* 1499.985 -> 1500 */
    assert_int_equal(rg_fee_fine(0, 200), 0);
    assert_int_equal(rg_fee_fine(-100, 200), 0);
    assert_int_equal(rg_fee_fine(100000, 0), 0);
    assert_int_equal(rg_fee_fine(100000, -5), 0);
    assert_int_equal(rg_fee_fine(INT64_MAX, 10000), INT64_MAX);
}

static void test_interest(void **state)
{
    (void)state;
    assert_int_equal(rg_fee_interest(100000, 100, 15), 500); /* 1% a.m., 15 days */
    assert_int_equal(rg_fee_interest(100000, 100, 30), 1000);
    assert_int_equal(rg_fee_interest(100000, 100, 45), 1500);
    assert_int_equal(rg_fee_interest(100000, 100, 1), 33);   /* 33.33 -> 33 */
    assert_int_equal(rg_fee_interest(100000, 100, 2), 67);   /* 66.67 -> 67 */
    assert_int_equal(rg_fee_interest(12345, 100, 15), 62);   /* 61.725 -> 62 */
    assert_int_equal(rg_fee_interest(1500, 100, 1), 1);      /* 0.5 -> 1 (half up) */
    assert_int_equal(rg_fee_interest(1499, 100, 1), 0);      /* 0.4997 -> 0 */
    assert_int_equal(rg_fee_interest(100000, 100, 0), 0);
    assert_int_equal(rg_fee_interest(100000, 100, -3), 0);
    assert_int_equal(rg_fee_interest(100000, 0, 15), 0);
    assert_int_equal(rg_fee_interest(0, 100, 15), 0);
    /* Legal rate in millionths of a percent: 0.579200% a.m. */
    assert_int_equal(rg_fee_interest_micro(100000, 579200, 30), 579); /* 579.2 */
    assert_int_equal(rg_fee_interest_micro(100000, 579200, 10), 193); /* 193.07 */
    assert_int_equal(rg_fee_interest_micro(100000, 1000000, 15), rg_fee_interest(100000, 100, 15));
    /* No overflow, saturation at the edge. */
    assert_int_equal(rg_fee_interest(INT64_MAX, 10000, INT_MAX), INT64_MAX);
    assert_int_equal(rg_fee_interest(100000, INT64_MAX, 1), INT64_MAX);
    assert_int_equal(rg_fee_interest(100000000000LL, 100, 3650), 121666666667LL); /* R$ 1 bi, 10 years */
}

static void test_updated_amount(void **state)
{
    (void)state;
    rg_fee_terms t = {.fine_pct = 200, .basis = RG_INTEREST_CONTRACT, .interest_month_pct = 100};
    rg_fee_breakdown b;
    rg_err e;
    /* R$ 1.000,00, 2% fine, 1% a.m., 15 days late = 1000.00 + 20.00 + 5.00 = 1025.00 */
    assert_int_equal(rg_fee_updated_amount(100000, &t, 15, &b, &e), RG_OK);
    assert_int_equal(b.principal, 100000);
    assert_int_equal(b.fine, 2000);
    assert_int_equal(b.interest, 500);
    assert_int_equal(b.total, 102500);
    assert_int_equal(b.days_late, 15);
    assert_int_equal(b.basis, RG_INTEREST_CONTRACT);
    assert_int_equal(b.rate_month_micro, 1000000);
    /* Odd cents: each component rounded on its own, then summed. */
    assert_int_equal(rg_fee_updated_amount(12345, &t, 15, &b, &e), RG_OK);
    assert_int_equal(b.fine, 247);
    assert_int_equal(b.interest, 62);
    assert_int_equal(b.total, 12654);
    /* On time: nothing added. */
    assert_int_equal(rg_fee_updated_amount(100000, &t, 0, &b, &e), RG_OK);
    assert_int_equal(b.total, 100000);
    assert_int_equal(b.fine, 0);
    assert_int_equal(rg_fee_updated_amount(100000, &t, -4, &b, &e), RG_OK);
    assert_int_equal(b.total, 100000);
    assert_int_equal(b.days_late, 0);
    /* One day late: the whole fine, one day of interest. */
    assert_int_equal(rg_fee_updated_amount(100000, &t, 1, &b, &e), RG_OK);
    assert_int_equal(b.total, 100000 + 2000 + 33);

    /* No contract rate: the legal rate from configuration, never 1%. */
    rg_fee_terms legal = {.fine_pct = 200, .basis = RG_INTEREST_LEGAL};
    assert_int_equal(rg_fee_updated_amount(100000, &legal, 30, &b, &e), RG_EINVAL);
    assert_string_equal(e.where, "fees.interest");
    assert_string_equal(e.msg, "no contract interest rate and no legal rate configured: set the "
                               "taxa legal (CC art. 406, Lei 14.905/2024) or state "
                               "interest_month_pct");
    assert_int_equal(b.total, 0);
    legal.legal_rate_set = true;
    legal.legal_month_micro = 579200;
    assert_int_equal(rg_fee_updated_amount(100000, &legal, 30, &b, &e), RG_OK);
    assert_int_equal(b.interest, 579);
    assert_int_equal(b.total, 100000 + 2000 + 579);
    assert_int_equal(b.basis, RG_INTEREST_LEGAL);
    assert_int_equal(b.rate_month_micro, 579200);
    /* A negative legal rate counts as zero (CC art. 406 §3). */
    legal.legal_month_micro = -100000;
    assert_int_equal(rg_fee_updated_amount(100000, &legal, 30, &b, &e), RG_OK);
    assert_int_equal(b.interest, 0);
    assert_int_equal(b.rate_month_micro, 0);
    legal.legal_month_micro = 100000001;
    assert_int_equal(rg_fee_updated_amount(100000, &legal, 30, &b, &e), RG_EINVAL);
    assert_string_equal(e.where, "fees.legal_rate");

    /* Bad terms. */
    assert_int_equal(rg_fee_updated_amount(-1, &t, 3, &b, &e), RG_EINVAL);
    assert_string_equal(e.msg, "principal is negative (-1 centavos)");
    rg_fee_terms bad = t;
    bad.fine_pct = 10001;
    assert_int_equal(rg_fee_updated_amount(100, &bad, 3, &b, &e), RG_EINVAL);
    assert_string_equal(e.where, "fees.fine_pct");
    assert_string_equal(e.msg, "fine of 10001 hundredths of a percent is outside 0..10000 (0-100%)");
    bad = t;
    bad.interest_month_pct = -1;
    assert_int_equal(rg_fee_updated_amount(100, &bad, 3, &b, &e), RG_EINVAL);
    assert_string_equal(e.where, "fees.interest_month_pct");
    bad.basis = (rg_interest_basis)7;
    assert_int_equal(rg_fee_updated_amount(100, &bad, 3, &b, &e), RG_EINVAL);
    assert_int_equal(rg_fee_updated_amount(100, NULL, 3, &b, &e), RG_EINVAL);
    /* Too large to represent. */
    assert_int_equal(rg_fee_updated_amount(INT64_MAX - 10, &t, 3, &b, &e), RG_EINVAL);
    assert_string_equal(e.msg, "updated amount does not fit in 64 bits");
    assert_int_equal(b.total, 0);
}

/* CDC art. 52 §1 at run time: a consumer is never charged more than 2%. */
static void test_consumer_cap(void **state)
{
    (void)state;
    rg_fee_terms t = {.fine_pct = 1000, .basis = RG_INTEREST_CONTRACT, .interest_month_pct = 100};
    rg_fee_breakdown b;
    rg_err e;
    assert_int_equal(rg_fee_updated_amount(100000, &t, 15, &b, &e), RG_OK);
    assert_int_equal(b.fine, 10000); /* a company agreed to 10% */
    assert_false(b.fine_capped);
    assert_int_equal(b.fine_pct, 1000);
    t.consumer = true;
    assert_int_equal(rg_fee_updated_amount(100000, &t, 15, &b, &e), RG_OK);
    assert_int_equal(b.fine, 2000);
    assert_true(b.fine_capped);
    assert_int_equal(b.fine_pct, RG_FEE_FINE_MAX_PF);
    assert_int_equal(b.total, 100000 + 2000 + 500);
    t.fine_pct = 150; /* under the cap: as stated, not capped */
    assert_int_equal(rg_fee_updated_amount(100000, &t, 15, &b, &e), RG_OK);
    assert_int_equal(b.fine, 1500);
    assert_false(b.fine_capped);
    t.fine_pct = 1000; /* on time: no fine, nothing to cap */
    assert_int_equal(rg_fee_updated_amount(100000, &t, 0, &b, &e), RG_OK);
    assert_int_equal(b.fine, 0);
}

static void test_days_late(void **state)
{
    (void)state;
    /* 20/11/2026 (Friday holiday) -> effective Monday 23/11. */
    assert_int_equal(rg_fee_days_late(NULL, D("2026-11-20"), D("2026-11-23")), 0);
    assert_int_equal(rg_fee_days_late(NULL, D("2026-11-20"), D("2026-11-24")), 1);
    assert_int_equal(rg_fee_days_late(NULL, D("2026-11-21"), D("2026-11-30")), 7);
    assert_int_equal(rg_fee_days_late(NULL, D("2026-11-19"), D("2026-11-23")), 4);
    assert_int_equal(rg_fee_days_late(NULL, D("2026-11-19"), D("2026-11-19")), 0);
    assert_int_equal(rg_fee_days_late(NULL, D("2026-11-19"), D("2026-11-01")), 0);
    /* Year end: 31/12/2026 -> 04/01/2027. */
    assert_int_equal(rg_fee_days_late(NULL, D("2026-12-31"), D("2027-01-04")), 0);
    assert_int_equal(rg_fee_days_late(NULL, D("2026-12-31"), D("2027-01-05")), 1);
    /* A state bank holiday from a calendar file moves it too. */
    rg_calendar *cal = rg_calendar_new();
    rg_err e;
    const char *f = "07-09 bank Revolução Constitucionalista\n";
    assert_int_equal(rg_calendar_parse(cal, f, strlen(f), "sp", &e), RG_OK);
    assert_int_equal(rg_fee_days_late(cal, D("2026-07-09"), D("2026-07-10")), 0);
    assert_int_equal(rg_fee_days_late(NULL, D("2026-07-09"), D("2026-07-10")), 1);
    rg_calendar_free(cal);
    assert_int_equal(rg_fee_days_late(NULL, RG_DATE_NONE, D("2026-07-10")), 0);
}

static void test_fine_allowed(void **state)
{
    (void)state;
    assert_true(rg_fee_fine_allowed(true, 200));
    assert_true(rg_fee_fine_allowed(true, 0));
    assert_false(rg_fee_fine_allowed(true, 201));
    assert_false(rg_fee_fine_allowed(true, -1));
    assert_true(rg_fee_fine_allowed(false, 1000));
    assert_true(rg_fee_fine_allowed(false, 10000));
    assert_false(rg_fee_fine_allowed(false, 10001));
    assert_false(rg_fee_fine_allowed(false, -1));
}

static void rate_ok(const char *s, int64_t want)
{
    int64_t v = -1;
    const char *why = NULL;
    if (!rg_rate_parse_micro(s, strlen(s), &v, &why))
        fail_msg("\"%s\": %s", s, why);
    assert_int_equal(v, want);
}

static void rate_bad(const char *s, const char *why_expected)
{
    int64_t v = -1;
    const char *why = NULL;
    assert_false(rg_rate_parse_micro(s, strlen(s), &v, &why));
    assert_int_equal(v, 0);
    assert_string_equal(why, why_expected);
}

static void test_rate_parse(void **state)
{
    (void)state;
    rate_ok("0,5792", 579200);
    rate_ok("0.579200", 579200);
    rate_ok("1", 1000000);
    rate_ok(" 1,5 % ", 1500000);
    rate_ok("0,000001", 1);
    rate_ok("100", 100000000);
    rate_ok("0", 0);
    rate_bad("", "empty rate");
    rate_bad(" % ", "empty rate");
    rate_bad("0,1234567", "more than six decimal places");
    rate_bad("100,000001", "rate above 100% a month");
    rate_bad("1000", "rate above 100% a month");
    rate_bad("abc", "expected a percentage like 0,579200 or 1.5");
    rate_bad(".5", "expected a percentage like 0,579200 or 1.5");
    rate_bad("-1", "expected a percentage like 0,579200 or 1.5");
    rate_bad("1,5x", "expected a percentage like 0,579200 or 1.5");
    rate_bad("1.", "expected digits after the decimal separator");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fine),        cmocka_unit_test(test_interest),
        cmocka_unit_test(test_updated_amount), cmocka_unit_test(test_days_late),
        cmocka_unit_test(test_fine_allowed), cmocka_unit_test(test_rate_parse),
        cmocka_unit_test(test_consumer_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
