#include "test.h"

#include "br/doc.h"

#include <stdio.h>

static rg_doc ok(const char *s)
{
    rg_doc d;
    rg_err e;
    rg_err_clear(&e);
    bool r = rg_doc_parse(s, strlen(s), &d, &e);
    if (!r)
        fprintf(stderr, "unexpected failure for \"%s\": %s: %s\n", s, e.where, e.msg);
    assert_true(r);
    return d;
}

static void bad(const char *s, const char *where, const char *msg)
{
    rg_doc d;
    memset(&d, 0x5A, sizeof d);
    rg_err e;
    rg_err_clear(&e);
    assert_false(rg_doc_parse(s, strlen(s), &d, &e));
    assert_int_equal(e.code, RG_EINVAL);
    assert_string_equal(e.where, where);
    assert_string_equal(e.msg, msg);
    /* Out-param zeroed on failure. */
    assert_int_equal(d.kind, RG_DOC_NONE);
    assert_string_equal(d.digits, "");
    assert_string_equal(d.formatted, "");
}

static void test_cpf(void **state)
{
    (void)state;
    /* 529.982.247-25: a CPF common in worked examples of the mod-11 rule;
     * its DVs were recomputed by a separate script (25). */
    rg_doc d = ok("529.982.247-25");
    assert_int_equal(d.kind, RG_DOC_CPF);
    assert_false(d.alnum);
    assert_string_equal(d.digits, "52998224725");
    assert_string_equal(d.formatted, "529.982.247-25");
    d = ok("52998224725");
    assert_string_equal(d.formatted, "529.982.247-25");
    d = ok(" 111.444.777-35 ");
    assert_string_equal(d.digits, "11144477735");
    /* Leading zeros kept. 000.000.001-91: DV1 = (1*2) % 11 = 2 -> 11-2 = 9. */
    d = ok("00000000191");
    assert_string_equal(d.formatted, "000.000.001-91");
    assert_string_equal(rg_doc_kind_name(d.kind), "cpf");
    assert_string_equal(rg_doc_person_kind(d.kind), "PF");

    char dv[2];
    assert_true(rg_cpf_check_digits("529982247", dv));
    assert_memory_equal(dv, "25", 2);
    assert_false(rg_cpf_check_digits("52998224A", dv));
    assert_true(rg_doc_valid("529.982.247-25"));
    assert_false(rg_doc_valid("529.982.247-26"));
    assert_false(rg_doc_valid(NULL));
}

static void test_cnpj(void **state)
{
    (void)state;
    /* 00.000.000/0001-91 is Banco do Brasil's CNPJ. */
    rg_doc d = ok("00.000.000/0001-91");
    assert_int_equal(d.kind, RG_DOC_CNPJ);
    assert_false(d.alnum);
    assert_string_equal(d.digits, "00000000000191");
    assert_string_equal(d.formatted, "00.000.000/0001-91");
    d = ok("11222333000181");
    assert_string_equal(d.formatted, "11.222.333/0001-81");
    assert_string_equal(rg_doc_kind_name(d.kind), "cnpj");
    assert_string_equal(rg_doc_person_kind(d.kind), "PJ");
    assert_string_equal(rg_doc_kind_name(RG_DOC_NONE), "none");
    assert_string_equal(rg_doc_person_kind(RG_DOC_NONE), "");
}

static void test_cnpj_alnum(void **state)
{
    (void)state;
    /* 12.ABC.345/01DE-35: the example of SERPRO's "Cálculo dos dígitos
     * verificadores de CNPJ alfanumérico" (RFB, Nota Técnica COCAD 49/2024). */
    rg_doc d = ok("12.ABC.345/01DE-35");
    assert_int_equal(d.kind, RG_DOC_CNPJ);
    assert_true(d.alnum);
    assert_string_equal(d.digits, "12ABC34501DE35");
    assert_string_equal(d.formatted, "12.ABC.345/01DE-35");
    /* Lowercase is read as uppercase (the same manual's step 2). */
    d = ok("12abc34501de35");
    assert_string_equal(d.digits, "12ABC34501DE35");
    assert_string_equal(d.formatted, "12.ABC.345/01DE-35");
    char dv[2];
    assert_true(rg_cnpj_check_digits("12ABC34501DE", dv));
    assert_memory_equal(dv, "35", 2);
    assert_false(rg_cnpj_check_digits("12abc34501de", dv));
    assert_false(rg_cnpj_check_digits("12ABC34501D-", dv));
    bad("12.ABC.345/01DE-36", "cnpj", "check digit 2 is wrong: expected 5, found 6");
    bad("12.ABC.345/01DE-45", "cnpj", "check digit 1 is wrong: expected 3, found 4");
    bad("12.ABC.345/01DE-3A", "cnpj",
        "the check digits (characters 13-14) must be numeric, found \"3A\"");
}

static void test_errors(void **state)
{
    (void)state;
    bad("", "document", "empty: expected a CPF (11 digits) or a CNPJ (14 characters)");
    bad(" .-/ ", "document", "empty: expected a CPF (11 digits) or a CNPJ (14 characters)");
    bad("5299822472", "document", "10 significant characters: expected 11 (CPF) or 14 (CNPJ)");
    bad("529982247251", "document", "12 significant characters: expected 11 (CPF) or 14 (CNPJ)");
    bad("112223330001810", "document", "15 significant characters: expected 11 (CPF) or 14 (CNPJ)");
    bad("11222333000181000000000", "document",
        "23 significant characters: expected 11 (CPF) or 14 (CNPJ)");
    bad("529_982.247-25", "document", "unexpected character '_' at position 4");
    bad("529\x01" "982", "document", "unexpected byte 0x01 at position 4");
    bad("529.982.247-\xc3\xa9", "document", "unexpected byte 0xC3 at position 13");
    bad("529.982.247-26", "cpf", "check digit 2 is wrong: expected 5, found 6");
    bad("529.982.247-15", "cpf", "check digit 1 is wrong: expected 2, found 1");
    bad("5299822A725", "cpf", "a CPF has digits only, found a letter");
    bad("11222333000182", "cnpj", "check digit 2 is wrong: expected 1, found 2");
    bad("11222333000171", "cnpj", "check digit 1 is wrong: expected 8, found 7");
    /* Repeated sequences: rejected although their DVs hold. */
    bad("111.111.111-11", "cpf", "11111111111 is a repeated sequence, not a CPF");
    bad("00000000000", "cpf", "00000000000 is a repeated sequence, not a CPF");
    bad("99999999999", "cpf", "99999999999 is a repeated sequence, not a CPF");
    bad("00.000.000/0000-00", "cnpj", "00000000000000 is a repeated sequence, not a CNPJ");
    bad("11111111111111", "cnpj", "11111111111111 is a repeated sequence, not a CNPJ");
    /* NULL input and NULL out/err are tolerated. */
    rg_err e;
    assert_false(rg_doc_parse(NULL, 5, NULL, &e));
    assert_true(rg_doc_parse("52998224725", 11, NULL, NULL));
    assert_false(rg_doc_parse("52998224726", 11, NULL, NULL));
}

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

/* Random bases: every valid number parses back to itself, formatted and
 * bare; changing any one digit or check digit is caught. */
static void test_random_round_trip(void **state)
{
    (void)state;
    static const char alnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for (int i = 0; i < 10000; i++) {
        char s[15] = {0};
        char dv[2];
        bool cpf = (i % 2) == 0;
        size_t nb = cpf ? 9 : 12;
        for (size_t k = 0; k < nb; k++)
            s[k] = cpf || (i % 4) == 1 ? (char)('0' + next_rand() % 10) : alnum[next_rand() % 36];
        if (cpf)
            assert_true(rg_cpf_check_digits(s, dv));
        else
            assert_true(rg_cnpj_check_digits(s, dv));
        s[nb] = dv[0];
        s[nb + 1] = dv[1];
        rg_doc d;
        rg_err e;
        size_t n = nb + 2;
        bool same = true;
        for (size_t k = 1; k < n; k++)
            same = same && s[k] == s[0];
        if (same)
            continue;
        assert_true(rg_doc_parse(s, n, &d, &e));
        assert_int_equal(d.kind, cpf ? RG_DOC_CPF : RG_DOC_CNPJ);
        assert_string_equal(d.digits, s);
        rg_doc d2;
        assert_true(rg_doc_parse(d.formatted, strlen(d.formatted), &d2, &e));
        assert_string_equal(d2.digits, s);
        assert_string_equal(d2.formatted, d.formatted);
        /* Change one digit: the parser agrees with the check-digit
         * functions, and a changed check digit is always caught. */
        size_t pos = next_rand() % n;
        char orig = s[pos];
        if (orig < '0' || orig > '9')
            continue;
        s[pos] = (char)('0' + (orig - '0' + 1 + (int)(next_rand() % 9)) % 10);
        char dv2[2];
        if (cpf)
            rg_cpf_check_digits(s, dv2);
        else
            rg_cnpj_check_digits(s, dv2);
        bool expect = dv2[0] == s[nb] && dv2[1] == s[nb + 1];
        if (pos >= nb)
            assert_false(expect);
        assert_int_equal(rg_doc_parse(s, n, &d, &e), expect);
        if (!expect)
            assert_int_equal(d.kind, RG_DOC_NONE);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cpf),
        cmocka_unit_test(test_cnpj),
        cmocka_unit_test(test_cnpj_alnum),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_random_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
