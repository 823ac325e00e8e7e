/* The agreement arithmetic (service/agreements.h): exact centavos, the
 * remainder on the last installment, business-day dates, the refusals; and
 * the `portal.agreements` configuration. */
#include "test.h"

#include <stdio.h>
#include <string.h>

#include "base/date.h"
#include "br/holidays.h"
#include "cadence/cadence.h"
#include "config/config.h"
#include "service/agreements.h"

static rg_date D(const char *iso)
{
    rg_date d;
    if (!rg_date_parse(iso, strlen(iso), &d))
        fail_msg("bad date %s", iso);
    return d;
}

static void assert_date(rg_date got, const char *iso)
{
    char b[16];
    assert_string_equal(rg_date_format_iso(got, b, sizeof b), iso);
}

static rg_agreement_config defaults(void)
{
    rg_config c;
    rg_config_defaults(&c);
    return c.portal.agreements;
}

static void test_defaults(void **state)
{
    (void)state;
    rg_agreement_config a = defaults();
    assert_int_equal(a.max_installments, 6);
    assert_int_equal(a.min_installment, 5000);
    assert_int_equal(a.down_payment_pct, 2000);
    assert_int_equal(a.interest_month_pct, 100);
    assert_int_equal(a.down_payment_days, 3);
    assert_int_equal(a.break_after_days, 10);
}

/* R$ 500,01, 20% down, 1% a month simple, 3 installments:
 * D = 100,00; F = 400,01; J = round(400,01 x 3%) = 12,00; F + J = 412,01;
 * each 137,33, the last 137,35 (the remainder 0,02). */
static void test_worked_example(void **state)
{
    (void)state;
    rg_agreement_config a = defaults();
    rg_agreement_plan p;
    rg_err e;
    /* Tuesday 03/11/2026: 3 bank business days -> Friday 06/11 */
    assert_int_equal(rg_agreement_plan_make(&a, NULL, 50001, 3, D("2026-11-03"), &p, &e), RG_OK);
    assert_int_equal(p.down_payment, 10000);
    assert_int_equal(p.financed, 40001);
    assert_int_equal(p.interest, 1200);
    assert_int_equal(p.installment, 13733);
    assert_int_equal(p.last_installment, 13735);
    assert_int_equal(p.total, 51201);
    assert_int_equal(p.down_payment + 2 * p.installment + p.last_installment, p.total);
    assert_date(p.down_payment_due, "2026-11-06");
    assert_date(p.due[1], "2026-12-06");
    assert_date(p.due[3], "2027-02-06");
    assert_int_equal(rg_agreement_plan_amount(&p, 0), 10000);
    assert_int_equal(rg_agreement_plan_amount(&p, 2), 13733);
    assert_int_equal(rg_agreement_plan_amount(&p, 3), 13735);
}

/* Every principal and N: the parts add up to the total exactly, the last
 * installment carries less than N centavos more, never less. */
static void test_sums(void **state)
{
    (void)state;
    rg_agreement_config a = defaults();
    a.min_installment = 1;
    a.max_installments = 24;
    rg_agreement_plan p;
    rg_err e;
    for (rg_cents P = 1000; P < 2000000; P = P * 3 + 7)
        for (int64_t n = 1; n <= 24; n++) {
            for (int64_t pct = 0; pct <= 5000; pct += 1250) {
                a.down_payment_pct = pct;
                a.interest_month_pct = pct / 10;
                if (rg_agreement_plan_make(&a, NULL, P, n, D("2026-11-03"), &p, &e) != RG_OK)
                    continue; /* an installment below one centavo */
                assert_int_equal(p.down_payment + p.financed, P);
                assert_int_equal(p.total, P + p.interest);
                assert_int_equal(p.down_payment + (n - 1) * p.installment + p.last_installment, p.total);
                assert_true(p.last_installment >= p.installment && p.last_installment - p.installment < n);
            }
        }
}

/* Rounding is half up: 20% of 0,03 = 0,006 -> 0,01; 1% of 0,50 = 0,005 -> 0,01. */
static void test_rounding(void **state)
{
    (void)state;
    rg_agreement_config a = defaults();
    a.min_installment = 1;
    rg_agreement_plan p;
    rg_err e;
    assert_int_equal(rg_agreement_plan_make(&a, NULL, 3, 1, D("2026-11-03"), &p, &e), RG_OK);
    assert_int_equal(p.down_payment, 1);
    a.down_payment_pct = 0;
    assert_int_equal(rg_agreement_plan_make(&a, NULL, 50, 1, D("2026-11-03"), &p, &e), RG_OK);
    assert_int_equal(p.down_payment, 0);
    assert_int_equal(p.interest, 1);
    assert_int_equal(p.last_installment, 51);
}

/* The down payment skips weekends and bank holidays; month ends clamp. */
static void test_dates(void **state)
{
    (void)state;
    rg_agreement_config a = defaults();
    a.down_payment_days = 1;
    rg_agreement_plan p;
    rg_err e;
    /* Thursday 19/11/2026 + 1 business day: Friday 20/11 is a national holiday -> Monday 23/11 */
    assert_int_equal(rg_agreement_plan_make(&a, NULL, 100000, 2, D("2026-11-19"), &p, &e), RG_OK);
    assert_date(p.down_payment_due, "2026-11-23");
    /* Friday 30/01/2026 + 1 business day: Monday 02/02; + 1 month 02/03 */
    assert_int_equal(rg_agreement_plan_make(&a, NULL, 100000, 2, D("2026-01-30"), &p, &e), RG_OK);
    assert_date(p.down_payment_due, "2026-02-02");
    assert_date(p.due[1], "2026-03-02");
    /* Thursday 29/01/2026 + 1 -> Friday 30/01; + 1 month: 28/02 (clamped), + 2: 30/03 */
    assert_int_equal(rg_agreement_plan_make(&a, NULL, 100000, 2, D("2026-01-29"), &p, &e), RG_OK);
    assert_date(p.down_payment_due, "2026-01-30");
    assert_date(p.due[1], "2026-02-28");
    assert_date(p.due[2], "2026-03-30");
    /* a calendar file's bank holiday counts too */
    rg_calendar *cal = rg_calendar_new();
    const char *text = "2026-11-23 bank feriado local\n";
    assert_int_equal(rg_calendar_parse(cal, text, strlen(text), "cal", &e), RG_OK);
    assert_int_equal(rg_agreement_plan_make(&a, cal, 100000, 2, D("2026-11-19"), &p, &e), RG_OK);
    assert_date(p.down_payment_due, "2026-11-24");
    rg_calendar_free(cal);
}

static void test_refusals(void **state)
{
    (void)state;
    rg_agreement_config a = defaults();
    rg_agreement_plan p;
    rg_err e;
    /* above max_installments */
    assert_int_equal(rg_agreement_plan_make(&a, NULL, 100000, 7, D("2026-11-03"), &p, &e), RG_EINVAL);
    assert_string_equal(e.where, "installments");
    assert_non_null(strstr(e.msg, "from 1 to 6"));
    assert_int_equal(rg_agreement_plan_make(&a, NULL, 100000, 0, D("2026-11-03"), &p, &e), RG_EINVAL);
    /* R$ 200,00: F = 160,00; 3 x (160 + 4,80)/3 = 54,93 fits; 4 x 41,60 does not */
    assert_int_equal(rg_agreement_plan_make(&a, NULL, 20000, 3, D("2026-11-03"), &p, &e), RG_OK);
    assert_int_equal(p.installment, 5493);
    assert_int_equal(rg_agreement_plan_make(&a, NULL, 20000, 4, D("2026-11-03"), &p, &e), RG_EINVAL);
    assert_string_equal(e.where, "installments");
    assert_non_null(strstr(e.msg, "below the minimum installment R$ 50,00: at most 3"));
    /* too small for any */
    assert_int_equal(rg_agreement_plan_make(&a, NULL, 5000, 2, D("2026-11-03"), &p, &e), RG_EINVAL);
    assert_non_null(strstr(e.msg, "too small"));
    /* nothing owed */
    assert_int_equal(rg_agreement_plan_make(&a, NULL, 0, 1, D("2026-11-03"), &p, &e), RG_EINVAL);
    assert_string_equal(e.where, "invoices");
}

static rg_status parse(rg_config *c, const char *text, rg_err *e)
{
    rg_config_defaults(c);
    return rg_config_parse(c, "regua.yaml", "/etc/regua", text, strlen(text), e);
}

static void test_config(void **state)
{
    (void)state;
    rg_config c;
    rg_err e;
    assert_int_equal(parse(&c,
                           "portal:\n  agreements: {max_installments: 12, min_installment: 80.50, down_payment_pct: 10,"
                           " interest_month_pct: 1.99, down_payment_days: 1, break_after_days: 15}\n",
                           &e),
                     RG_OK);
    assert_int_equal(c.portal.agreements.max_installments, 12);
    assert_int_equal(c.portal.agreements.min_installment, 8050);
    assert_int_equal(c.portal.agreements.down_payment_pct, 1000);
    assert_int_equal(c.portal.agreements.interest_month_pct, 199);
    assert_int_equal(c.portal.agreements.down_payment_days, 1);
    assert_int_equal(c.portal.agreements.break_after_days, 15);
    static const struct {
        const char *yaml, *msg;
    } bad[] = {
        {"portal:\n  agreements:\n    max_installments: 61\n", "regua.yaml:3: portal.agreements.max_installments must be a whole number from 1 to 60"},
        {"portal:\n  agreements:\n    down_payment_days: 4\n", "regua.yaml:3: portal.agreements.down_payment_days must be"},
        {"portal:\n  agreements:\n    down_payment_pct: 95\n", "regua.yaml:3: portal.agreements.down_payment_pct must be a percentage from 0 to 90"},
        {"portal:\n  agreements:\n    interest_month_pct: abc\n", "regua.yaml:3: portal.agreements.interest_month_pct"},
        {"portal:\n  agreements:\n    min_installment: zero\n", "regua.yaml:3: portal.agreements.min_installment must be an amount"},
        {"portal:\n  agreements:\n    parcelas: 3\n", "regua.yaml:3: unknown key 'parcelas' in portal.agreements"},
        {"portal:\n  acordos: {}\n", "regua.yaml:2: unknown key 'acordos' in portal"},
        {"portal: 3\n", "regua.yaml:1: 'portal' must be a mapping"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(parse(&c, bad[i].yaml, &e), RG_EINVAL);
        char text[600];
        rg_err_text(&e, text, sizeof text);
        if (!strstr(text, bad[i].msg))
            fail_msg("%s: got '%s', want '%s'", bad[i].yaml, text, bad[i].msg);
    }
}

/* A cadence's `portal: {agreements: ...}`: the keys it states, in the
 * ranges regua.yaml allows, errors with file:line. */
static void test_cadence_terms(void **state)
{
    (void)state;
    const char *good = "cadence: x\nmatch: {priority: 1}\nportal:\n  agreements: {max_installments: 3, min_installment: 80.00,"
                       " interest_month_pct: 0}\nsteps:\n  - {id: a, at: D0, action: task, task: {kind: call}}\n";
    rg_diags d = RG_DIAGS_INIT;
    rg_cadence *c = NULL;
    assert_int_equal(rg_cadence_parse(good, strlen(good), "t.yaml", RG_CADENCE_YAML, &d, &c), RG_OK);
    assert_int_equal(rg_diags_count(&d, 0, RG_SEV_ERROR), 0);
    const rg_cadence_agreements *a = &c->agreements;
    assert_true(a->has[RG_CADENCE_AG_MAX_INSTALLMENTS] && a->v[RG_CADENCE_AG_MAX_INSTALLMENTS] == 3);
    assert_true(a->has[RG_CADENCE_AG_MIN_INSTALLMENT] && a->v[RG_CADENCE_AG_MIN_INSTALLMENT] == 8000);
    assert_true(a->has[RG_CADENCE_AG_INTEREST_MONTH_PCT] && a->v[RG_CADENCE_AG_INTEREST_MONTH_PCT] == 0);
    assert_false(a->has[RG_CADENCE_AG_DOWN_PAYMENT_PCT] || a->has[RG_CADENCE_AG_BREAK_AFTER_DAYS]);
    rg_cadence_free(c);
    rg_diags_free(&d);
    static const struct {
        const char *portal, *msg;
    } bad[] = {
        {"portal:\n  agreements: {max_installments: 61}\n", "t.yaml:4: error[bad-value]: `max_installments` must be between 1 and 60"},
        {"portal:\n  agreements: {down_payment_days: 0}\n", "t.yaml:4: error[bad-value]: `down_payment_days` must be between 1 and 3"},
        {"portal:\n  agreements: {parcelas: 2}\n", "t.yaml:4: error[unknown-key]"},
        {"portal:\n  acordos: {}\n", "t.yaml:4: error[unknown-key]"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char text[400];
        snprintf(text, sizeof text, "cadence: x\nmatch: {priority: 1}\n%ssteps:\n  - {id: a, at: D0, action: task, task: {kind: call}}\n",
                 bad[i].portal);
        rg_diags bd = RG_DIAGS_INIT;
        rg_cadence *bc = NULL;
        rg_cadence_parse(text, strlen(text), "t.yaml", RG_CADENCE_YAML, &bd, &bc);
        rg_buf b = RG_BUF_INIT;
        rg_diags_format(&bd, &b);
        if (!strstr(rg_buf_cstr(&b), bad[i].msg))
            fail_msg("%s: got '%s', want '%s'", bad[i].portal, rg_buf_cstr(&b), bad[i].msg);
        rg_buf_free(&b);
        rg_cadence_free(bc);
        rg_diags_free(&bd);
    }
}

/* An installment is an invoice carrying the tag acordo (tags "a|b|c"). */
static void test_is_installment(void **state)
{
    (void)state;
    rg_invoice inv;
    rg_invoice_init(&inv);
    static const struct {
        const char *tags;
        bool want;
    } cases[] = {{"acordo", true}, {"a|acordo", true}, {"acordo|z", true}, {"a|acordo|z", true}, {"", false},
                 {"acordos", false}, {"xacordo", false}, {"a|acordo2|b", false}, {"acord", false}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rg_strlcpy(inv.tags, cases[i].tags, sizeof inv.tags);
        if (rg_agreement_is_installment(&inv) != cases[i].want)
            fail_msg("tags '%s': want %d", cases[i].tags, cases[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults), cmocka_unit_test(test_worked_example), cmocka_unit_test(test_sums),
        cmocka_unit_test(test_rounding), cmocka_unit_test(test_dates),          cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_config), cmocka_unit_test(test_cadence_terms),
        cmocka_unit_test(test_is_installment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
