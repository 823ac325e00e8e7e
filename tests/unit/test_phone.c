#include "test.h"

#include "br/phone.h"

static void ok_phone(const char *in, const char *want)
{
    char out[20];
    const char *why = NULL;
    assert_true(rg_phone_normalize(in, strlen(in), out, sizeof out, &why));
    assert_string_equal(out, want);
}

static void bad_phone(const char *in)
{
    char out[20];
    const char *why = NULL;
    assert_false(rg_phone_normalize(in, strlen(in), out, sizeof out, &why));
    assert_non_null(why);
}

static void test_phones(void **state)
{
    (void)state;
    ok_phone("(11) 98765-4321", "+5511987654321");
    ok_phone("11987654321", "+5511987654321");
    ok_phone("011 98765 4321", "+5511987654321");
    ok_phone("+55 11 98765-4321", "+5511987654321");
    ok_phone("5511987654321", "+5511987654321");
    ok_phone("(21) 3456-7890", "+552134567890");
    ok_phone("+1 415 555 0100", "+14155550100");
    bad_phone("(10) 98765-4321"); /* DDD 10 does not exist */
    bad_phone("(11) 88765-4321"); /* 9-digit number not starting with 9 */
    bad_phone("12345");
    bad_phone("11 9876x4321");
    bad_phone("+55 11 9");
}

static void test_emails(void **state)
{
    (void)state;
    const char *why;
    assert_true(rg_email_valid("maria@exemplo.com.br", 20, &why));
    assert_true(rg_email_valid("a.b+c@x.io", 10, &why));
    assert_false(rg_email_valid("maria.exemplo.com", 17, &why));
    assert_false(rg_email_valid("@x.com", 6, &why));
    assert_false(rg_email_valid("a@b", 3, &why));
    assert_false(rg_email_valid("a@b@c.com", 9, &why));
    assert_false(rg_email_valid("a b@c.com", 9, &why));
    assert_false(rg_email_valid("a@.com", 6, &why));
    assert_false(rg_email_valid("a@b.c", 5, &why));
}

static void test_ufs(void **state)
{
    (void)state;
    assert_true(rg_uf_valid("SP", 2));
    assert_true(rg_uf_valid("TO", 2));
    assert_false(rg_uf_valid("XX", 2));
    assert_false(rg_uf_valid("S", 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phones),
        cmocka_unit_test(test_emails),
        cmocka_unit_test(test_ufs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
