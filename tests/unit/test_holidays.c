#include "test.h"

#include "base/buf.h"
#include "base/date.h"
#include "br/holidays.h"

#include <stdio.h>
#include <stdlib.h>

/* Sources: national holidays — Lei 662/1949 as amended by Lei
 * 10.607/2002, Lei 6.802/1980 (12 October), Lei 14.759/2023 (20 November,
 * from 2024). Bank non-business days — CMN Resolução 4.880/2020 (Carnival
 * Monday/Tuesday, Corpus Christi) and FEBRABAN's yearly notices of no
 * banking hours on the last weekday of the year (2022-12-30, 2023-12-29,
 * 2025-12-31). The 2026 list matches FEBRABAN's published 2026 calendar. */

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
    if (got == RG_DATE_NONE)
        fail_msg("got RG_DATE_NONE, expected %s", iso);
    assert_string_equal(rg_date_format_iso(got, b, sizeof b), iso);
}

static void test_easter(void **state)
{
    (void)state;
    static const char *known[] = {
        "1583-04-10", "1818-03-22", "1943-04-25", "1961-04-02", "2000-04-23", "2008-03-23",
        "2011-04-24", "2019-04-21", "2024-03-31", "2025-04-20", "2026-04-05", "2027-03-28",
        "2030-04-21", "2038-04-25", "2100-03-28", "2285-03-22", "9999-03-28"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        int y = (int)strtol(known[i], NULL, 10);
        assert_date(rg_easter(y), known[i]);
    }
    /* Every Easter is a Sunday between 22 March and 25 April. */
    for (int y = 1583; y <= 9999; y++) {
        rg_date e = rg_easter(y);
        assert_int_equal(rg_date_weekday(e), 0);
        assert_true(e >= rg_date_from_ymd(y, 3, 22) && e <= rg_date_from_ymd(y, 4, 25));
    }
}

static void test_national(void **state)
{
    (void)state;
    const char *name = "x";
    assert_true(rg_is_national_holiday(D("2026-01-01"), &name));
    assert_string_equal(name, "Confraternização Universal");
    assert_true(rg_is_national_holiday(D("2026-04-03"), &name));
    assert_string_equal(name, "Paixão de Cristo");
    assert_true(rg_is_national_holiday(D("2026-04-21"), &name));
    assert_string_equal(name, "Tiradentes");
    assert_true(rg_is_national_holiday(D("2026-05-01"), &name));
    assert_string_equal(name, "Dia do Trabalho");
    assert_true(rg_is_national_holiday(D("2026-09-07"), &name));
    assert_string_equal(name, "Independência do Brasil");
    assert_true(rg_is_national_holiday(D("2026-10-12"), &name));
    assert_string_equal(name, "Nossa Senhora Aparecida");
    assert_true(rg_is_national_holiday(D("2026-11-02"), &name));
    assert_string_equal(name, "Finados");
    assert_true(rg_is_national_holiday(D("2026-11-15"), &name));
    assert_string_equal(name, "Proclamação da República");
    assert_true(rg_is_national_holiday(D("2026-11-20"), &name));
    assert_string_equal(name, "Dia Nacional de Zumbi e da Consciência Negra");
    assert_true(rg_is_national_holiday(D("2026-12-25"), &name));
    assert_string_equal(name, "Natal");
    /* 20 November: national only from 2024 (Lei 14.759/2023). */
    assert_false(rg_is_national_holiday(D("2023-11-20"), &name));
    assert_null(name);
    assert_true(rg_is_national_holiday(D("2024-11-20"), NULL));
    assert_true(rg_is_bank_business_day(NULL, D("2023-11-20"))); /* a Monday */
    assert_false(rg_is_bank_business_day(NULL, D("2024-11-20"))); /* a Wednesday */
    /* 12 October: from 1980 (Lei 6.802/1980). */
    assert_false(rg_is_national_holiday(D("1979-10-12"), NULL));
    assert_true(rg_is_national_holiday(D("1980-10-12"), NULL));
    /* Carnival and Corpus Christi are not national holidays. */
    assert_false(rg_is_national_holiday(D("2026-02-16"), NULL));
    assert_false(rg_is_national_holiday(D("2026-02-17"), NULL));
    assert_false(rg_is_national_holiday(D("2026-06-04"), NULL));
    assert_false(rg_is_national_holiday(D("2026-04-02"), NULL)); /* Maundy Thursday */
    assert_false(rg_is_national_holiday(D("2026-04-05"), NULL)); /* Easter Sunday */
    assert_false(rg_is_national_holiday(RG_DATE_NONE, &name));
    assert_null(name);
}

static void test_bank_days(void **state)
{
    (void)state;
    const char *name = NULL;
    /* Carnival 2026 = 16-17 February; Ash Wednesday is a business day
     * (banks open at noon). */
    assert_true(rg_is_bank_holiday(NULL, D("2026-02-16"), &name));
    assert_string_equal(name, "Carnaval (segunda-feira)");
    assert_true(rg_is_bank_holiday(NULL, D("2026-02-17"), &name));
    assert_string_equal(name, "Carnaval (terça-feira)");
    assert_true(rg_is_bank_business_day(NULL, D("2026-02-18")));
    assert_true(rg_is_bank_business_day(NULL, D("2026-02-13")));
    /* Corpus Christi 2026 = 4 June (Easter + 60). */
    assert_true(rg_is_bank_holiday(NULL, D("2026-06-04"), &name));
    assert_string_equal(name, "Corpus Christi");
    assert_true(rg_is_bank_business_day(NULL, D("2026-06-05")));
    /* Last weekday of the year: no banking hours (FEBRABAN). */
    assert_true(rg_is_bank_holiday(NULL, D("2026-12-31"), &name));
    assert_string_equal(name, "Último dia útil do ano (sem expediente bancário)");
    assert_true(rg_is_bank_holiday(NULL, D("2025-12-31"), NULL));
    assert_true(rg_is_bank_holiday(NULL, D("2022-12-30"), NULL)); /* 31st a Saturday */
    assert_true(rg_is_bank_business_day(NULL, D("2022-12-29")));
    assert_true(rg_is_bank_holiday(NULL, D("2023-12-29"), NULL)); /* 31st a Sunday */
    assert_true(rg_is_bank_business_day(NULL, D("2023-12-28")));
    assert_true(rg_is_bank_business_day(NULL, D("2026-12-30")));
    /* Weekends are not business days but not "holidays" either. */
    assert_false(rg_is_bank_business_day(NULL, D("2026-11-21")));
    assert_false(rg_is_bank_holiday(NULL, D("2026-11-21"), &name));
    assert_null(name);
    assert_true(rg_is_bank_business_day(NULL, D("2026-11-19")));
    /* Out of range. */
    assert_false(rg_is_bank_business_day(NULL, RG_DATE_NONE));
    assert_true(rg_next_bank_business_day(NULL, RG_DATE_NONE) == RG_DATE_NONE);
}

static void test_due_dates(void **state)
{
    (void)state;
    /* 20/11/2026 is a Friday holiday; Saturday and Sunday follow. */
    assert_date(rg_effective_due_date(NULL, D("2026-11-20")), "2026-11-23");
    assert_date(rg_effective_due_date(NULL, D("2026-11-21")), "2026-11-23");
    assert_date(rg_effective_due_date(NULL, D("2026-11-22")), "2026-11-23");
    assert_date(rg_effective_due_date(NULL, D("2026-11-23")), "2026-11-23");
    assert_date(rg_effective_due_date(NULL, D("2026-11-19")), "2026-11-19");
    /* Saturday before Carnival -> Ash Wednesday. */
    assert_date(rg_effective_due_date(NULL, D("2026-02-14")), "2026-02-18");
    /* Good Friday -> Monday. */
    assert_date(rg_effective_due_date(NULL, D("2026-04-03")), "2026-04-06");
    /* Corpus Christi (Thursday) -> Friday. */
    assert_date(rg_effective_due_date(NULL, D("2026-06-04")), "2026-06-05");
    /* Year end: 31/12/2026 (Thu, no banking) -> 01/01 holiday -> weekend -> Mon 04/01/2027. */
    assert_date(rg_effective_due_date(NULL, D("2026-12-31")), "2027-01-04");
    /* 20/11/2023 was not a holiday (Monday). */
    assert_date(rg_effective_due_date(NULL, D("2023-11-20")), "2023-11-20");
}

static void test_add_business_days(void **state)
{
    (void)state;
    assert_date(rg_add_bank_business_days(NULL, D("2026-11-13"), 3), "2026-11-18");
    assert_date(rg_add_bank_business_days(NULL, D("2026-11-19"), 1), "2026-11-23");
    assert_date(rg_add_bank_business_days(NULL, D("2026-11-19"), 0), "2026-11-19");
    assert_date(rg_add_bank_business_days(NULL, D("2026-11-21"), 0), "2026-11-21");
    assert_date(rg_add_bank_business_days(NULL, D("2026-11-23"), -1), "2026-11-19");
    assert_date(rg_add_bank_business_days(NULL, D("2026-02-14"), 1), "2026-02-18");
    assert_date(rg_add_bank_business_days(NULL, D("2026-02-13"), 3), "2026-02-20");
    /* Twenty business days across Carnival: 2026-02-02 (Mon) + 20 -> 2026-03-04. */
    assert_date(rg_add_bank_business_days(NULL, D("2026-02-02"), 20), "2026-03-04");
    assert_true(rg_add_bank_business_days(NULL, D("2026-02-02"), 1000000) == RG_DATE_NONE);
    assert_true(rg_add_bank_business_days(NULL, RG_DATE_NONE, 1) == RG_DATE_NONE);
}

static void test_contact_holidays(void **state)
{
    (void)state;
    const char *name = NULL;
    assert_true(rg_is_contact_holiday(NULL, D("2026-04-03")));
    assert_true(rg_contact_holiday_name(NULL, D("2026-11-20"), &name));
    assert_string_equal(name, "Dia Nacional de Zumbi e da Consciência Negra");
    /* Bank-only days are not contact holidays. */
    assert_false(rg_is_contact_holiday(NULL, D("2026-02-16")));
    assert_false(rg_is_contact_holiday(NULL, D("2026-06-04")));
    assert_false(rg_contact_holiday_name(NULL, D("2026-12-31"), &name));
    assert_null(name);
}

static const char SP_FILE[] =
    "\xEF\xBB\xBF# Feriados de São Paulo (capital)\r\n"
    "01-25        Aniversário de São Paulo     # municipal\r\n"
    "\r\n"
    "07-09  bank  Revolução Constitucionalista de 1932\n"
    "   20/11 contact   Consciência Negra (municipal)\n"
    "easter+60    Corpus Christi (municipal)\n"
    "2026-06-05   Ponte de Corpus Christi\n"
    "02-29 Dia bissexto #2\n"
    "easter+300   Teste atravessa o ano\n"
    "11/09/2026   BANK  Feriado bancário local";

static void test_calendar_file(void **state)
{
    (void)state;
    rg_calendar *cal = rg_calendar_new();
    rg_err e;
    assert_int_equal(rg_calendar_parse(cal, SP_FILE, strlen(SP_FILE), "sp.txt", &e), RG_OK);
    assert_int_equal(rg_calendar_size(cal), 8);
    const char *name = NULL;
    /* Contact holidays from the file. */
    assert_true(rg_contact_holiday_name(cal, D("2027-01-25"), &name));
    assert_string_equal(name, "Aniversário de São Paulo");
    assert_true(rg_is_bank_business_day(cal, D("2027-01-25"))); /* contact scope only */
    assert_true(rg_contact_holiday_name(cal, D("2026-06-04"), &name));
    assert_string_equal(name, "Corpus Christi (municipal)");
    assert_true(rg_contact_holiday_name(cal, D("2026-06-05"), &name));
    assert_string_equal(name, "Ponte de Corpus Christi");
    assert_false(rg_is_contact_holiday(cal, D("2027-06-05")));
    assert_true(rg_is_bank_business_day(cal, D("2026-06-05")));
    /* A national holiday's name wins on a shared date. */
    assert_true(rg_contact_holiday_name(cal, D("2026-11-20"), &name));
    assert_string_equal(name, "Dia Nacional de Zumbi e da Consciência Negra");
    assert_true(rg_contact_holiday_name(cal, D("2023-11-20"), &name));
    assert_string_equal(name, "Consciência Negra (municipal)");
    assert_true(rg_is_bank_business_day(cal, D("2023-11-20")));
    /* `bank` scope: a bank holiday too, and due dates move. */
    assert_true(rg_is_bank_holiday(cal, D("2026-07-09"), &name));
    assert_string_equal(name, "Revolução Constitucionalista de 1932");
    assert_date(rg_effective_due_date(cal, D("2026-07-09")), "2026-07-10");
    assert_date(rg_effective_due_date(NULL, D("2026-07-09")), "2026-07-09");
    assert_true(rg_is_bank_holiday(cal, D("2026-09-11"), &name));
    assert_string_equal(name, "Feriado bancário local");
    assert_false(rg_is_bank_holiday(cal, D("2027-09-11"), NULL));
    assert_date(rg_add_bank_business_days(cal, D("2026-07-08"), 1), "2026-07-10");
    /* 02-29 only in leap years; " #2" is a comment, "#" inside a word is not. */
    assert_true(rg_contact_holiday_name(cal, D("2024-02-29"), &name));
    assert_string_equal(name, "Dia bissexto");
    /* easter+300 from 2026 lands in 2027. */
    assert_true(rg_is_contact_holiday(cal, D("2027-01-30")));
    assert_true(rg_is_contact_holiday(cal, D("2028-01-22")));

    /* Listing 2026: national, bank-only and file entries, sorted. */
    rg_holiday hs[64];
    size_t n = rg_holidays_of_year(cal, 2026, hs, 64);
    char line[4096] = "";
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        char b[16];
        used += (size_t)snprintf(line + used, sizeof line - used, "%s %x %s\n",
                                 rg_date_format_iso(hs[i].date, b, sizeof b), hs[i].flags,
                                 hs[i].name);
    }
    assert_string_equal(line, "2026-01-01 7 Confraternização Universal\n"
                              "2026-01-25 c Aniversário de São Paulo\n"
                              "2026-02-14 c Teste atravessa o ano\n"
                              "2026-02-16 2 Carnaval (segunda-feira)\n"
                              "2026-02-17 2 Carnaval (terça-feira)\n"
                              "2026-04-03 7 Paixão de Cristo\n"
                              "2026-04-21 7 Tiradentes\n"
                              "2026-05-01 7 Dia do Trabalho\n"
                              "2026-06-04 2 Corpus Christi\n"
                              "2026-06-04 c Corpus Christi (municipal)\n"
                              "2026-06-05 c Ponte de Corpus Christi\n"
                              "2026-07-09 e Revolução Constitucionalista de 1932\n"
                              "2026-09-07 7 Independência do Brasil\n"
                              "2026-09-11 e Feriado bancário local\n"
                              "2026-10-12 7 Nossa Senhora Aparecida\n"
                              "2026-11-02 7 Finados\n"
                              "2026-11-15 7 Proclamação da República\n"
                              "2026-11-20 7 Dia Nacional de Zumbi e da Consciência Negra\n"
                              "2026-11-20 c Consciência Negra (municipal)\n"
                              "2026-12-25 7 Natal\n"
                              "2026-12-31 2 Último dia útil do ano (sem expediente bancário)\n");
    /* Sizing call and truncated output. */
    assert_int_equal(rg_holidays_of_year(cal, 2026, NULL, 0), 21);
    assert_int_equal(rg_holidays_of_year(cal, 2026, hs, 3), 21);
    assert_string_equal(hs[2].name, "Teste atravessa o ano");
    /* National only: 2026 has 10 national and 4 bank-only days; 2023 has 9 national. */
    assert_int_equal(rg_holidays_of_year(NULL, 2026, NULL, 0), 14);
    assert_int_equal(rg_holidays_of_year(NULL, 2023, NULL, 0), 13);
    assert_int_equal(rg_holidays_of_year(NULL, 0, NULL, 0), 0);
    /* easter+300 of 2025 is 2026-02-14 (listed above); 2027 includes
     * easter+300 of 2026; 2024 includes 29 February. */
    n = rg_holidays_of_year(cal, 2027, hs, 64);
    bool found = false;
    for (size_t i = 0; i < n; i++)
        found |= hs[i].date == D("2027-01-30");
    assert_true(found);
    assert_int_equal(rg_holidays_of_year(cal, 2024, NULL, 0), rg_holidays_of_year(cal, 2025, NULL, 0) + 1);
    rg_calendar_free(cal);
    rg_calendar_free(NULL);
}

static void bad_line(const char *text, const char *where, const char *msg)
{
    rg_calendar *cal = rg_calendar_new();
    rg_err e;
    rg_err_clear(&e);
    assert_int_equal(rg_calendar_parse(cal, "01-25 ok\n", 9, "f.txt", &e), RG_OK);
    assert_int_equal(rg_calendar_parse(cal, text, strlen(text), "f.txt", &e), RG_EINVAL);
    assert_string_equal(e.where, where);
    assert_string_equal(e.msg, msg);
    assert_int_equal(rg_calendar_size(cal), 1); /* nothing of the bad file was added */
    rg_calendar_free(cal);
}

static void test_calendar_errors(void **state)
{
    (void)state;
    bad_line("01-01 a\n2026-13-01 X\n", "f.txt:2", "\"2026-13-01\" is not a valid date");
    bad_line("13-01 X", "f.txt:1", "\"13-01\" is not a day of the year (MM-DD: month 13, day 1)");
    bad_line("# c\n\n02-30 X", "f.txt:3",
             "\"02-30\" is not a day of the year (MM-DD: month 2, day 30)");
    bad_line("31/04 X", "f.txt:1", "\"31/04\" is not a day of the year (DD/MM: month 4, day 31)");
    bad_line("tomorrow X", "f.txt:1",
             "expected a date (YYYY-MM-DD, DD/MM/YYYY, MM-DD, DD/MM or easter+N), found "
             "\"tomorrow\"");
    bad_line("1-25 X", "f.txt:1",
             "expected a date (YYYY-MM-DD, DD/MM/YYYY, MM-DD, DD/MM or easter+N), found \"1-25\"");
    bad_line("easter+400 X", "f.txt:1",
             "expected easter, easter+N or easter-N with N in 0..366, found \"easter+400\"");
    bad_line("easterx X", "f.txt:1",
             "expected easter, easter+N or easter-N with N in 0..366, found \"easterx\"");
    bad_line("01-25", "f.txt:1", "missing the holiday name after the date");
    bad_line("01-25   # only a comment", "f.txt:1", "missing the holiday name after the date");
    bad_line("01-25 bank", "f.txt:1", "missing the holiday name after the date and scope");
    bad_line("01-25 Nome \xFF", "f.txt:1", "holiday name is not valid UTF-8 (byte 12)");
    bad_line("01-25 Nome \xC3", "f.txt:1", "holiday name is not valid UTF-8 (byte 12)");
    bad_line("01-25 Nome\x01x", "f.txt:1", "holiday name contains a control character (byte 11)");
    char longl[200] = "01-25 ";
    memset(longl + 6, 'a', 121);
    longl[127] = '\0';
    bad_line(longl, "f.txt:1", "holiday name is 121 bytes (at most 120)");
    rg_calendar *cal = rg_calendar_new();
    rg_err e;
    assert_int_equal(rg_calendar_parse(cal, "01-25 a\0b", 9, "nul.txt", &e), RG_EINVAL);
    assert_string_equal(e.where, "nul.txt:1");
    assert_string_equal(e.msg, "line contains a NUL byte");
    /* Empty text and comments only are fine. */
    assert_int_equal(rg_calendar_parse(cal, "", 0, NULL, &e), RG_OK);
    assert_int_equal(rg_calendar_parse(cal, "# nada\n\n  \n", 11, NULL, &e), RG_OK);
    assert_int_equal(rg_calendar_size(cal), 0);
    rg_calendar_free(cal);
    assert_int_equal(rg_calendar_parse(NULL, "", 0, NULL, &e), RG_EINVAL);
}

static void test_calendar_load(void **state)
{
    (void)state;
    rg_calendar *cal = rg_calendar_new();
    rg_err e;
    const char *p = rg_test_write("rio.txt", "01-20 São Sebastião\n04-23 bank São Jorge\n");
    assert_int_equal(rg_calendar_load(cal, p, &e), RG_OK);
    assert_int_equal(rg_calendar_size(cal), 2);
    assert_true(rg_is_contact_holiday(cal, D("2026-01-20")));
    assert_false(rg_is_bank_business_day(cal, D("2026-04-23")));
    /* Errors name the file and line. */
    p = rg_test_write("bad.txt", "01-20 São Sebastião\n04-31 x\n");
    assert_int_equal(rg_calendar_load(cal, p, &e), RG_EINVAL);
    char want[600];
    snprintf(want, sizeof want, "%s:2", p);
    assert_string_equal(e.where, want);
    assert_int_equal(rg_calendar_load(cal, rg_test_path("none.txt"), &e), RG_ENOTFOUND);
    assert_string_equal(e.where, rg_test_path("none.txt"));
    assert_string_equal(e.msg, "calendar file does not exist");
    assert_int_equal(rg_calendar_load(cal, rg_test_tmpdir(), &e), RG_EINVAL);
    assert_string_equal(e.msg, "not a regular file");
    assert_int_equal(rg_calendar_load(cal, NULL, &e), RG_EINVAL);
    /* Over 1 MiB is refused before reading. */
    char *big = malloc(1024 * 1024 + 2);
    assert_non_null(big);
    memset(big, '#', 1024 * 1024 + 1);
    big[1024 * 1024 + 1] = '\0';
    p = rg_test_write("big.txt", big);
    free(big);
    assert_int_equal(rg_calendar_load(cal, p, &e), RG_EINVAL);
    assert_string_equal(e.msg, "calendar file larger than 1048576 bytes");
    assert_int_equal(rg_calendar_size(cal), 2);
    rg_calendar_free(cal);
}

static void test_every_day_closed(void **state)
{
    (void)state;
    /* A file that closes every day of the year: searches stop, they do not loop. */
    rg_buf b = RG_BUF_INIT;
    for (int m = 1; m <= 12; m++)
        for (int d = 1; d <= rg_days_in_month(2024, m); d++)
            rg_buf_printf(&b, "%02d-%02d bank fechado\n", m, d);
    rg_calendar *cal = rg_calendar_new();
    rg_err e;
    assert_int_equal(rg_calendar_parse(cal, b.p, b.len, "all", &e), RG_OK);
    assert_int_equal(rg_calendar_size(cal), 366);
    assert_true(rg_next_bank_business_day(cal, D("2026-01-01")) == RG_DATE_NONE);
    assert_true(rg_effective_due_date(cal, D("2026-01-01")) == RG_DATE_NONE);
    assert_true(rg_add_bank_business_days(cal, D("2026-01-01"), 1) == RG_DATE_NONE);
    assert_true(rg_is_contact_holiday(cal, D("2026-05-05")));
    rg_calendar_free(cal);
    rg_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_easter),           cmocka_unit_test(test_national),
        cmocka_unit_test(test_bank_days),        cmocka_unit_test(test_due_dates),
        cmocka_unit_test(test_add_business_days), cmocka_unit_test(test_contact_holidays),
        cmocka_unit_test(test_calendar_file),    cmocka_unit_test(test_calendar_errors),
        cmocka_unit_test(test_calendar_load),    cmocka_unit_test(test_every_day_closed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
