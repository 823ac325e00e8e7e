/* http/svg: the dashboard's server-drawn bar charts — the axis, the bars'
 * geometry, escaping, the accessible name and the table alternative. */
#include "test.h"

#include <string.h>

#include "http/svg.h"

static size_t occurrences(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

static void test_axis(void **state)
{
    (void)state;
    assert_int_equal(rg_svg_axis_max(-5), 1);
    assert_int_equal(rg_svg_axis_max(0), 1);
    assert_int_equal(rg_svg_axis_max(1), 1);
    assert_int_equal(rg_svg_axis_max(2), 2);
    assert_int_equal(rg_svg_axis_max(3), 5);
    assert_int_equal(rg_svg_axis_max(7), 10);
    assert_int_equal(rg_svg_axis_max(11), 20);
    assert_int_equal(rg_svg_axis_max(21), 25);
    assert_int_equal(rg_svg_axis_max(26), 50);
    assert_int_equal(rg_svg_axis_max(51), 100);
    assert_int_equal(rg_svg_axis_max(250), 250);
    assert_int_equal(rg_svg_axis_max(23133071), 25000000);
    assert_int_equal(rg_svg_axis_max(INT64_MAX / 2), INT64_MAX / 2); /* no round number fits: the value */
}

static void test_count(void **state)
{
    (void)state;
    char b[32];
    assert_string_equal(rg_svg_count_br(0, b, sizeof b), "0");
    assert_string_equal(rg_svg_count_br(999, b, sizeof b), "999");
    assert_string_equal(rg_svg_count_br(1000, b, sizeof b), "1.000");
    assert_string_equal(rg_svg_count_br(1234567, b, sizeof b), "1.234.567");
    assert_string_equal(rg_svg_count_br(-1234, b, sizeof b), "-1.234");
    assert_string_equal(rg_svg_count_br(INT64_MIN, b, sizeof b), "-9.223.372.036.854.775.808");
}

static const char *const CATS[] = {"A vencer", "1 a 30 <dias>", "Mais & mais"};

static void test_vertical(void **state)
{
    (void)state;
    static const char *const series[] = {"Saldo"};
    const int64_t values[] = {25000, 12500, -100};
    const char *notes[] = {"2", "1", "0"};
    rg_svg_chart c = {.id = "g1", .title = "Saldo <por> atraso", .desc = "Barras & números", .cat_header = "Faixa",
                      .unit = RG_SVG_MONEY, .n_cats = 3, .n_series = 1, .cats = CATS, .series = series,
                      .values = values, .notes = notes, .notes_header = "Faturas"};
    rg_buf b = RG_BUF_INIT;
    rg_svg_chart_write(&b, &c);
    const char *s = rg_buf_cstr(&b);
    /* the accessible name: the svg is an image labelled by its title and desc */
    assert_non_null(strstr(s, "<figure class=\"chart\" id=\"g1\"><svg "));
    assert_non_null(strstr(s, "role=\"img\" aria-labelledby=\"g1-t g1-d\""));
    assert_non_null(strstr(s, "<title id=\"g1-t\">Saldo &lt;por&gt; atraso</title>"));
    assert_non_null(strstr(s, "<desc id=\"g1-d\">Barras &amp; números</desc>"));
    /* the axis ends at R$ 250 (25000 cents), in 5 steps of R$ 50, whole reais */
    assert_non_null(strstr(s, ">R$ 250</text>"));
    assert_non_null(strstr(s, ">R$ 50</text>"));
    assert_non_null(strstr(s, ">R$ 0</text>"));
    assert_int_equal(occurrences(s, "<line "), 6);
    /* one bar per value, its height in proportion (the plot is 200 high), a negative one flat */
    assert_int_equal(occurrences(s, "<rect "), 3);
    assert_non_null(strstr(s, "height=\"200.0\" fill=\"#12355b\"><title>A vencer: R$ 250,00</title></rect>"));
    assert_non_null(strstr(s, "height=\"100.0\" fill=\"#12355b\"><title>1 a 30 &lt;dias&gt;: R$ 125,00</title>"));
    assert_non_null(strstr(s, "height=\"0.0\" fill=\"#12355b\"><title>Mais &amp; mais: -R$ 1,00</title>"));
    /* few bars: their values written above them */
    assert_non_null(strstr(s, ">R$ 125,00</text>"));
    /* no legend for one series */
    assert_null(strstr(s, "y=\"8\" width=\"12\""));
    /* the table alternative, with the notes column */
    assert_non_null(strstr(s, "<details><summary>Ver os números</summary><table id=\"g1-tabela\">"));
    assert_non_null(strstr(s, "<th scope=\"col\">Faixa</th><th scope=\"col\" class=\"n\">Saldo</th>"
                              "<th scope=\"col\" class=\"n\">Faturas</th>"));
    assert_non_null(strstr(s, "<tr><th scope=\"row\">1 a 30 &lt;dias&gt;</th><td class=\"n\">R$ 125,00</td>"
                              "<td class=\"n\">1</td></tr>"));
    assert_non_null(strstr(s, "</table></details></figure>"));
    assert_null(strstr(s, "<dias>"));
    rg_buf_free(&b);
}

static void test_grouped(void **state)
{
    (void)state;
    static const char *const series[] = {"Venceu", "Recuperado"};
    const int64_t values[] = {10, 3, 0, 7, 4, 4};
    rg_svg_chart c = {.id = "g2", .title = "Semanas", .desc = "d", .cat_header = "Semana", .unit = RG_SVG_COUNT,
                      .n_cats = 3, .n_series = 2, .cats = CATS, .series = series, .values = values};
    rg_buf b = RG_BUF_INIT;
    rg_svg_chart_write(&b, &c);
    const char *s = rg_buf_cstr(&b);
    /* 6 bars and 2 legend keys, in the series' colours */
    assert_int_equal(occurrences(s, "<rect "), 8);
    assert_int_equal(occurrences(s, "fill=\"#b35c00\""), 4);
    assert_non_null(strstr(s, ">Recuperado</text>"));
    /* counts: the axis ends at 10, in 5 steps of 2 (4 would not fall on whole numbers) */
    assert_int_equal(occurrences(s, "<line "), 6);
    assert_non_null(strstr(s, ">8</text>"));
    assert_non_null(strstr(s, "height=\"200.0\" fill=\"#12355b\"><title>A vencer — Venceu: 10</title>"));
    assert_non_null(strstr(s, "<title>1 a 30 &lt;dias&gt; — Recuperado: 7</title>"));
    assert_non_null(strstr(s, "<td class=\"n\">10</td><td class=\"n\">3</td>"));
    assert_non_null(strstr(s, ">Venceu</th><th scope=\"col\" class=\"n\">Recuperado</th></tr>"));
    rg_buf_free(&b);
    /* small counts still get an axis of at least 5 */
    const int64_t ones[] = {1, 0, 0, 0, 0, 0};
    c.values = ones;
    rg_svg_chart_write(&b, &c);
    assert_non_null(strstr(rg_buf_cstr(&b), "height=\"40.0\""));
    assert_non_null(strstr(rg_buf_cstr(&b), ">5</text>"));
    rg_buf_free(&b);
}

static void test_horizontal_and_empty(void **state)
{
    (void)state;
    static const char *const series[] = {"Mensagens"};
    const int64_t values[] = {2000, 1000, 0};
    const char *notes[] = {"100,00%", "50,00%", NULL};
    rg_svg_chart c = {.id = "f", .title = "Funil", .desc = "d", .cat_header = "Etapa", .horizontal = true,
                      .unit = RG_SVG_COUNT, .n_cats = 3, .n_series = 1, .cats = CATS, .series = series,
                      .values = values, .notes = notes, .notes_header = "Das enviadas"};
    rg_buf b = RG_BUF_INIT;
    rg_svg_chart_write(&b, &c);
    const char *s = rg_buf_cstr(&b);
    /* the bars span 240 units at the axis' end (2000) */
    assert_non_null(strstr(s, "width=\"240.0\" height=\"22.0\" fill=\"#12355b\"><title>A vencer: 2.000</title>"));
    assert_non_null(strstr(s, "width=\"120.0\""));
    assert_non_null(strstr(s, ">2.000 (100,00%)</text>"));
    assert_non_null(strstr(s, ">0</text>")); /* no note: the value alone */
    assert_non_null(strstr(s, "<td class=\"n\">1.000</td><td class=\"n\">50,00%</td>"));
    assert_non_null(strstr(s, "<td class=\"n\">0</td><td class=\"n\"></td>"));
    rg_buf_free(&b);
    c.n_cats = 0;
    rg_svg_chart_write(&b, &c);
    assert_string_equal(rg_buf_cstr(&b), "<figure class=\"chart\" id=\"f\"><figcaption>Funil</figcaption>"
                                         "<p class=\"muted\">Nada a mostrar neste período.</p></figure>");
    rg_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_axis),
        cmocka_unit_test(test_count),
        cmocka_unit_test(test_vertical),
        cmocka_unit_test(test_grouped),
        cmocka_unit_test(test_horizontal_and_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
