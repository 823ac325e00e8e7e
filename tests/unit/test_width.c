/* base/width: display columns, not bytes, for the CLI's tables. */
#include "test.h"

#include <string.h>

#include "base/width.h"

static size_t w(const char *s)
{
    return rg_text_width(s, strlen(s));
}

static void test_width(void **state)
{
    (void)state;
    assert_int_equal(w(""), 0);
    assert_int_equal(w("Maria"), 5);
    assert_int_equal(w("Conceição"), 9);                      /* precomposed: 11 bytes */
    assert_int_equal(w("Concei\x63\xcc\xa7\x61\xcc\x83o"), 9);  /* c + U+0327, a + U+0303: 13 bytes */
    assert_int_equal(w("R$ 1.234,56"), 11);
    assert_int_equal(w("a\xe2\x80\x8b" "b"), 2);               /* zero-width space */
    assert_int_equal(w("\xef\xbb\xbf" "x"), 1);                /* BOM */
    assert_int_equal(w("\xe2\x80\xa6"), 1);                    /* … */
    assert_int_equal(w("\xf0\x9f\x98\x80"), 1);                /* an emoji: one (wide not counted) */
    /* bad bytes: one column each */
    assert_int_equal(w("a\xff" "b"), 3);
    assert_int_equal(w("\xc3"), 1);                            /* truncated sequence */
    assert_int_equal(w("\xc0\xaf"), 2);                        /* overlong */
    assert_int_equal(w("\xed\xa0\x80"), 3);                    /* surrogate */
    assert_int_equal(rg_text_width("Conceição", 6), 6);        /* up to n bytes only */
}

static const char *cell(rg_buf *b, const char *s, size_t width, bool fit)
{
    rg_buf_reset(b);
    rg_buf_cell(b, s, width, fit);
    return rg_buf_cstr(b);
}

static void test_cell(void **state)
{
    (void)state;
    rg_buf b = RG_BUF_INIT;
    assert_string_equal(cell(&b, "Maria", 8, false), "Maria   ");
    assert_string_equal(cell(&b, "Conceição", 12, false), "Conceição   ");
    assert_string_equal(cell(&b, "Concei\x63\xcc\xa7\x61\xcc\x83o", 12, false), "Concei\x63\xcc\xa7\x61\xcc\x83o   ");
    assert_string_equal(cell(&b, NULL, 3, false), "   ");
    /* wider: kept whole, or cut to fit with … */
    assert_string_equal(cell(&b, "Maria da Conceição", 6, false), "Maria da Conceição");
    assert_string_equal(cell(&b, "Maria da Conceição", 6, true), "Maria\xe2\x80\xa6");
    assert_string_equal(cell(&b, "João Conceição", 4, true), "Joã\xe2\x80\xa6");
    /* a combining mark stays with its letter */
    assert_string_equal(cell(&b, "Joa\xcc\x83o Silva", 4, true), "Joa\xcc\x83\xe2\x80\xa6");
    assert_string_equal(cell(&b, "Maria", 5, true), "Maria");
    assert_string_equal(cell(&b, "Maria", 0, true), "");
    assert_int_equal(rg_text_width(b.p, b.len), 0);
    /* every cell of a width takes that width */
    const char *names[] = {"Ana", "José", "Conceição", "Concei\x63\xcc\xa7\x61\xcc\x83o", "Ângela Ünal", "abcdefghijklmnop"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        cell(&b, names[i], 10, true);
        assert_int_equal(rg_text_width(b.p, b.len), 10);
    }
    rg_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_width),
        cmocka_unit_test(test_cell),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
