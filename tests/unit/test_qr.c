/*
 * Tests for br/qr: the PNG is read back with zbarimg, the SVG is parsed by
 * Python's XML parser (well-formedness) and its modules counted.
 */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/buf.h"
#include "br/qr.h"

static const char PIX[] =
    "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de "
    "Tal6008BRASILIA62070503***63041D3D";

static char *run(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        fail_msg("cannot run %s", cmd);
    rg_buf out = RG_BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        rg_buf_append(&out, chunk, n);
    pclose(p);
    if (!out.p)
        rg_buf_puts(&out, "");
    return rg_buf_detach(&out);
}

static int dark_count(const rg_qr *q)
{
    int n = 0;
    for (int y = 0; y < q->width; y++)
        for (int x = 0; x < q->width; x++)
            n += rg_qr_dark(q, x, y);
    return n;
}

static void test_encode(void **state)
{
    (void)state;
    rg_qr q;
    rg_err e;
    assert_int_equal(rg_qr_encode("regua", &q, &e), RG_OK);
    assert_int_equal(q.width, 21); /* version 1 */
    /* finder pattern corners: dark ring, light ring, dark 3x3 centre */
    assert_true(rg_qr_dark(&q, 0, 0));
    assert_true(rg_qr_dark(&q, 6, 6));
    assert_false(rg_qr_dark(&q, 1, 1));
    assert_true(rg_qr_dark(&q, 3, 3));
    assert_true(rg_qr_dark(&q, 20, 0));
    assert_true(rg_qr_dark(&q, 0, 20));
    assert_false(rg_qr_dark(&q, 7, 7)); /* separator */
    assert_false(rg_qr_dark(&q, -1, 0));
    assert_false(rg_qr_dark(&q, 21, 0));
    assert_false(rg_qr_dark(NULL, 0, 0));
    rg_qr_free(&q);
    assert_null(q.modules);
    rg_qr_free(&q); /* twice is fine */
    rg_qr_free(NULL);

    assert_int_equal(rg_qr_encode(PIX, &q, &e), RG_OK);
    assert_int_equal((q.width - 17) % 4, 0);
    assert_true(q.width >= 41);
    rg_qr_free(&q);

    q.width = 9;
    assert_int_equal(rg_qr_encode("", &q, &e), RG_EINVAL);
    assert_string_equal(e.msg, "the text to encode is empty");
    assert_int_equal(q.width, 0);
    assert_null(q.modules);
    char big[2400];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(rg_qr_encode(big, &q, &e), RG_EINVAL);
    assert_string_equal(e.msg, "cannot encode 2399 bytes as a QR code (level M holds at most 2331)");
    big[2331] = '\0';
    assert_int_equal(rg_qr_encode(big, &q, &e), RG_OK); /* the limit itself fits (version 40) */
    assert_int_equal(q.width, 177);
    rg_qr_free(&q);
    assert_int_equal(rg_qr_encode(NULL, &q, &e), RG_EINTERNAL);
}

static void test_png_decodes(void **state)
{
    (void)state;
    static const char *texts[] = {PIX, "Olá, régua! Cobrança nº 42 — ação", "https://pay.example/p/abc?x=1&y=2"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        const char *png = rg_test_path(i == 1 ? "q.PNG" : "q.png");
        rg_err e;
        rg_err_clear(&e);
        if (rg_qr_write_file(texts[i], png, &e) != RG_OK)
            fail_msg("%s: %s", e.where, e.msg);
        char cmd[600];
        snprintf(cmd, sizeof cmd, "zbarimg --raw -q '%s' 2>/dev/null", png);
        char *got = run(cmd);
        char want[512];
        snprintf(want, sizeof want, "%s\n", texts[i]);
        assert_string_equal(got, want);
        free(got);
        /* 8 px per module, 4 modules of quiet zone each side: the IHDR size */
        rg_qr q;
        assert_int_equal(rg_qr_encode(texts[i], &q, &e), RG_OK);
        unsigned char head[24];
        FILE *fp = fopen(png, "rb");
        assert_non_null(fp);
        assert_int_equal(fread(head, 1, sizeof head, fp), sizeof head);
        fclose(fp);
        unsigned w = (unsigned)head[16] << 24 | (unsigned)head[17] << 16 | (unsigned)head[18] << 8 | head[19];
        unsigned h = (unsigned)head[20] << 24 | (unsigned)head[21] << 16 | (unsigned)head[22] << 8 | head[23];
        assert_int_equal(w, (unsigned)(q.width + 8) * 8);
        assert_int_equal(h, (unsigned)(q.width + 8) * 8);
        rg_qr_free(&q);
    }
}

static void test_png_buffer(void **state)
{
    (void)state;
    rg_qr q;
    rg_err e;
    rg_buf b = RG_BUF_INIT;
    assert_int_equal(rg_qr_encode("regua", &q, &e), RG_OK);
    assert_int_equal(rg_qr_png(&q, 2, &b, &e), RG_OK);
    assert_memory_equal(b.p, "\x89PNG\r\n\x1a\n", 8);
    /* IHDR width/height: (21 + 8) * 2 = 58 */
    assert_int_equal((unsigned char)b.p[19], 58);
    assert_int_equal((unsigned char)b.p[23], 58);
    assert_int_equal(rg_qr_png(&q, 0, &b, &e), RG_EINVAL);
    assert_string_equal(e.msg, "scale must be 1..64 pixels per module, got 0");
    assert_int_equal(rg_qr_png(&q, 65, &b, &e), RG_EINVAL);
    assert_int_equal(rg_qr_png(NULL, 2, &b, &e), RG_EINTERNAL);
    rg_buf_free(&b);
    rg_qr_free(&q);
}

static void test_svg(void **state)
{
    (void)state;
    const char *svg = rg_test_path("q.svg");
    rg_err e;
    assert_int_equal(rg_qr_write_file(PIX, svg, &e), RG_OK);
    rg_qr q;
    assert_int_equal(rg_qr_encode(PIX, &q, &e), RG_OK);
    const int side = q.width + 2 * RG_QR_QUIET;
    /* well-formed XML; viewBox of `side` modules; one rect per dark module plus the background */
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "python3 -c \"import sys,xml.etree.ElementTree as E; r=E.parse(sys.argv[1]).getroot(); "
             "ns='{http://www.w3.org/2000/svg}'; "
             "print(r.tag, r.get('viewBox'), r.get('width'), len(list(r.iter(ns+'rect'))))\" '%s' 2>&1",
             svg);
    char *got = run(cmd);
    char want[200];
    snprintf(want, sizeof want, "{http://www.w3.org/2000/svg}svg 0 0 %d %d %d %d\n", side, side, side * 8,
             dark_count(&q) + 1);
    assert_string_equal(got, want);
    free(got);
    /* every dark module sits inside the quiet zone border */
    rg_buf b = RG_BUF_INIT;
    assert_int_equal(rg_qr_svg(&q, 200, &b, &e), RG_OK);
    assert_non_null(strstr(b.p, "width=\"200\" height=\"200\""));
    assert_non_null(strstr(b.p, "<rect x=\"4\" y=\"4\" width=\"1\" height=\"1\"/>")); /* finder corner */
    assert_null(strstr(b.p, "<rect x=\"3\" "));
    assert_int_equal(rg_qr_svg(&q, 0, &b, &e), RG_EINVAL);
    rg_buf_free(&b);
    rg_qr_free(&q);
}

static void test_write_errors(void **state)
{
    (void)state;
    rg_err e;
    assert_int_equal(rg_qr_write_file("x", rg_test_path("q.jpg"), &e), RG_EINVAL);
    assert_string_equal(e.msg, "expected a file name ending in .png or .svg");
    assert_int_equal(rg_qr_write_file("x", rg_test_path("noext"), &e), RG_EINVAL);
    assert_int_equal(rg_qr_write_file("x", "/nonexistent-dir/q.png", &e), RG_EIO);
    assert_string_equal(e.where, "/nonexistent-dir/q.png");
    assert_string_equal(e.msg, "cannot create: No such file or directory");
    assert_int_equal(rg_qr_write_file("", rg_test_path("empty.svg"), &e), RG_EINVAL);
    assert_int_equal(rg_qr_write_file(NULL, "a.png", &e), RG_EINTERNAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode),
        cmocka_unit_test(test_png_decodes),
        cmocka_unit_test(test_png_buffer),
        cmocka_unit_test(test_svg),
        cmocka_unit_test(test_write_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
