#include "test.h"

#include "import/csv.h"

static void expect_row(rg_csv *c, size_t line, size_t n, const char *const *fields)
{
    rg_csv_row row;
    rg_err e;
    assert_int_equal(rg_csv_next(c, &row, &e), RG_OK);
    assert_int_equal(row.line, line);
    assert_int_equal(row.n, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(row.field[i].n, strlen(fields[i]));
        assert_memory_equal(row.field[i].p, fields[i], row.field[i].n);
    }
}

static void test_comma_and_quotes(void **state)
{
    (void)state;
    const char *text = "a,b,c\n1,\"x, y\",\"he said \"\"hi\"\"\"\r\n\n2,\"multi\nline\",3\n";
    rg_csv c;
    rg_csv_init(&c, text, strlen(text));
    assert_int_equal(c.delim, ',');
    expect_row(&c, 1, 3, (const char *[]){"a", "b", "c"});
    expect_row(&c, 2, 3, (const char *[]){"1", "x, y", "he said \"hi\""});
    expect_row(&c, 4, 3, (const char *[]){"2", "multi\nline", "3"});
    rg_csv_row row;
    assert_int_equal(rg_csv_next(&c, &row, NULL), RG_ENOTFOUND);
    rg_csv_free(&c);
}

static void test_semicolon_and_bom(void **state)
{
    (void)state;
    const char *text = "\xEF\xBB\xBFid;valor\n1;1.234,56\n";
    rg_csv c;
    rg_csv_init(&c, text, strlen(text));
    assert_int_equal(c.delim, ';');
    expect_row(&c, 1, 2, (const char *[]){"id", "valor"});
    expect_row(&c, 2, 2, (const char *[]){"1", "1.234,56"});
    rg_csv_free(&c);
}

static void test_unbalanced_quote_resumes(void **state)
{
    (void)state;
    const char *text = "a,b\n1,\"oops\n2,ok\n";
    rg_csv c;
    rg_csv_init(&c, text, strlen(text));
    expect_row(&c, 1, 2, (const char *[]){"a", "b"});
    rg_csv_row row;
    rg_err e;
    assert_int_equal(rg_csv_next(&c, &row, &e), RG_EINVAL);
    assert_string_equal(e.where, "2");
    assert_non_null(strstr(e.msg, "unbalanced quote"));
    expect_row(&c, 3, 2, (const char *[]){"2", "ok"});
    rg_csv_free(&c);
}

static void test_garbage_after_quote(void **state)
{
    (void)state;
    const char *text = "a,b\n\"x\"y,2\n3,4\n";
    rg_csv c;
    rg_csv_init(&c, text, strlen(text));
    expect_row(&c, 1, 2, (const char *[]){"a", "b"});
    rg_csv_row row;
    rg_err e;
    assert_int_equal(rg_csv_next(&c, &row, &e), RG_EINVAL);
    assert_string_equal(e.where, "2");
    expect_row(&c, 3, 2, (const char *[]){"3", "4"});
    rg_csv_free(&c);
}

static void test_empty_fields(void **state)
{
    (void)state;
    const char *text = "a,b,c\n,,\n";
    rg_csv c;
    rg_csv_init(&c, text, strlen(text));
    expect_row(&c, 1, 3, (const char *[]){"a", "b", "c"});
    expect_row(&c, 2, 3, (const char *[]){"", "", ""});
    rg_csv_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_comma_and_quotes),
        cmocka_unit_test(test_semicolon_and_bom),
        cmocka_unit_test(test_unbalanced_quote_resumes),
        cmocka_unit_test(test_garbage_after_quote),
        cmocka_unit_test(test_empty_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
