/*
 * Tests for br/boleto_pdf. The rendered pages are rasterised with poppler
 * (`pdftoppm -r 300`) and read back with zbar (`zbarimg`, I2/5 enabled):
 * the barcode must decode to exactly the 44 digits and the QR code to
 * exactly the PIX payload. The sample boleto is an Itaú carteira 109
 * título built by the FEBRABAN rules (barcode DV modulo 11, linha DVs
 * modulo 10, fator de vencimento counted from 22/02/2025 = 1000).
 */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/buf.h"
#include "base/date.h"
#include "br/boleto_pdf.h"

static const char BARCODE[] = "34198141200000150001091234567800057123457000";
static const char LINHA[] = "34191.09123 34567.800056 71234.570001 8 14120000015000";
static const char PIX[] =
    "00020101021226900014br.gov.bcb.pix2568qrpix.example.com.br/qr/v2/cobv/9d36b84f-c70b-478f-b95c-12729b90ca25"
    "5204000053039865406150.005802BR5925REGUA COBRANCA E SERVICOS6009SAO PAULO62070503***6304ABCD";

static rg_boleto_pdf sample(void)
{
    rg_boleto_pdf b = {0};
    b.bank_code = "341";
    b.bank_name = "Itaú Unibanco S.A.";
    b.barcode = BARCODE;
    b.linha_digitavel = LINHA;
    b.due_date = rg_date_from_ymd(2026, 4, 10);
    b.document_date = rg_date_from_ymd(2026, 3, 16);
    b.processing_date = rg_date_from_ymd(2026, 3, 16);
    b.beneficiario_nome = "Régua Cobrança e Serviços Ltda";
    b.beneficiario_doc = "12.345.678/0001-95";
    b.beneficiario_endereco = "Av. Paulista, 1000 - Bela Vista - São Paulo/SP - 01310-100";
    b.agencia_codigo = "0057 / 12345-7";
    b.numero_documento = "NF-2026-0001";
    b.carteira = "109";
    b.nosso_numero = "109/12345678-0";
    b.valor_documento = 15000;
    b.desconto = 500;
    b.mora_multa = 0;
    b.valor_cobrado = 14500;
    b.pagador_nome = "João da Conceição Araújo";
    b.pagador_doc = "123.456.789-09";
    b.pagador_endereco1 = "Rua das Acácias, 45, apto 12 - Jardim São Luís";
    b.pagador_endereco2 = "04860-000 - São Paulo - SP";
    b.instrucoes = "Após o vencimento cobrar multa de 2,00% e juros de 1,00% ao mês.\n"
                   "Desconto de R$ 5,00 até o vencimento.";
    b.pix_copia_cola = PIX;
    return b;
}

/* ---- helpers ---- */

/* Runs a shell command and returns its stdout (owned). */
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

/* Rasterises page `page` of pdf at 300 dpi and returns zbarimg's raw output. */
static char *decode_page(const char *pdf, int page)
{
    char cmd[1024];
    const char *png = rg_test_path("page");
    snprintf(cmd, sizeof cmd, "pdftoppm -r 300 -png -singlefile -f %d -l %d '%s' '%s' && "
             "zbarimg --raw -q -Si25.enable '%s.png' 2>/dev/null", page, page, pdf, png, png);
    return run(cmd);
}

/* True when `line` is one whole line of text. */
static bool has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)) != NULL; p++) {
        bool start = p == text || p[-1] == '\n';
        bool end = p[n] == '\n' || p[n] == '\0';
        if (start && end)
            return true;
    }
    return false;
}

static int count_lines(const char *text)
{
    int n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    return n;
}

/* The linha digitável (47 digits) of a barcode: fields 1-3 with their
 * modulo 10 digits, the general DV, fator + valor (FEBRABAN layout). */
static int mod10(const char *s, size_t n)
{
    int sum = 0, w = 2;
    for (size_t i = n; i-- > 0;) {
        int p = (s[i] - '0') * w;
        sum += p / 10 + p % 10;
        w = w == 2 ? 1 : 2;
    }
    return (10 - sum % 10) % 10;
}

static void linha_of(const char *bar, char out[48])
{
    char f1[9], f2[10], f3[10];
    memcpy(f1, bar, 4);
    memcpy(f1 + 4, bar + 19, 5);
    memcpy(f2, bar + 24, 10);
    memcpy(f3, bar + 34, 10);
    size_t k = 0;
    memcpy(out + k, f1, 9);
    k += 9;
    out[k++] = (char)('0' + mod10(f1, 9));
    memcpy(out + k, f2, 10);
    k += 10;
    out[k++] = (char)('0' + mod10(f2, 10));
    memcpy(out + k, f3, 10);
    k += 10;
    out[k++] = (char)('0' + mod10(f3, 10));
    out[k++] = bar[4];
    memcpy(out + k, bar + 5, 14);
    k += 14;
    out[k] = '\0';
}

/* ---- pure parts ---- */

static void test_bank_dv(void **state)
{
    (void)state;
    assert_int_equal(rg_boleto_pdf_bank_dv("341"), '7');
    assert_int_equal(rg_boleto_pdf_bank_dv("237"), '2');
    assert_int_equal(rg_boleto_pdf_bank_dv("001"), '9');
    assert_int_equal(rg_boleto_pdf_bank_dv("104"), '0'); /* CAIXA prints 104-0 */
    assert_int_equal(rg_boleto_pdf_bank_dv("748"), 'X'); /* Sicredi prints 748-X */
    assert_int_equal(rg_boleto_pdf_bank_dv("756"), '0');
    assert_int_equal(rg_boleto_pdf_bank_dv("033"), '7');
    assert_int_equal(rg_boleto_pdf_bank_dv("422"), '7'); /* not in the table: modulo 11 */
    assert_int_equal(rg_boleto_pdf_bank_dv("070"), '1');
    assert_int_equal(rg_boleto_pdf_bank_dv("000"), '0'); /* 11 - 0 = 11 -> 0 */
    assert_int_equal(rg_boleto_pdf_bank_dv("34"), '\0');
    assert_int_equal(rg_boleto_pdf_bank_dv("34a"), '\0');
    assert_int_equal(rg_boleto_pdf_bank_dv(NULL), '\0');
}

static void test_itf(void **state)
{
    (void)state;
    unsigned char w[300];
    /* "12": bars of 1 = W N N N W, spaces of 2 = N W N N W */
    size_t n = rg_boleto_pdf_itf("12", 2, w, sizeof w);
    assert_int_equal(n, 4 + 10 + 3);
    static const unsigned char want[] = {1, 1, 1, 1, 3, 1, 1, 3, 1, 1, 1, 1, 3, 3, 3, 1, 1};
    assert_memory_equal(w, want, sizeof want);
    n = rg_boleto_pdf_itf(BARCODE, 44, w, sizeof w);
    assert_int_equal(n, 227);
    /* every digit has exactly two wide elements: 4 + 22*2*(2*3+3*1) + 5 = 405 narrow units */
    unsigned total = 0;
    for (size_t i = 0; i < n; i++)
        total += w[i];
    assert_int_equal(total, 405);
    assert_int_equal(w[n - 3], 3);
    assert_int_equal(w[n - 2], 1);
    assert_int_equal(w[n - 1], 1);
    assert_int_equal(rg_boleto_pdf_itf("123", 3, w, sizeof w), 0);
    assert_int_equal(rg_boleto_pdf_itf("1a", 2, w, sizeof w), 0);
    assert_int_equal(rg_boleto_pdf_itf(NULL, 2, w, sizeof w), 0);
    assert_int_equal(rg_boleto_pdf_itf("00", 2, NULL, 0), 17); /* size query */
    assert_int_equal(rg_boleto_pdf_itf("00", 2, w, 5), 17);    /* truncated write, full count */
}

static void test_cp1252(void **state)
{
    (void)state;
    char out[64];
    assert_string_equal(rg_boleto_pdf_cp1252("Conceição", out, sizeof out), "Concei\xe7\xe3o");
    assert_string_equal(rg_boleto_pdf_cp1252("ÁÉÍÓÚÂÊÔÃÕÇÜàèü", out, sizeof out),
                        "\xc1\xc9\xcd\xd3\xda\xc2\xca\xd4\xc3\xd5\xc7\xdc\xe0\xe8\xfc");
    assert_string_equal(rg_boleto_pdf_cp1252("€ — “x” …", out, sizeof out), "\x80 \x97 \x93x\x94 \x85");
    assert_string_equal(rg_boleto_pdf_cp1252("a\xff" "b\xc3(c", out, sizeof out), "a?b?(c");
    assert_string_equal(rg_boleto_pdf_cp1252("\xe0\x80\xaf", out, sizeof out), "???"); /* overlong */
    assert_string_equal(rg_boleto_pdf_cp1252("\xed\xa0\x80", out, sizeof out), "???"); /* surrogate */
    assert_string_equal(rg_boleto_pdf_cp1252("ok😀", out, sizeof out), "ok?");
    assert_string_equal(rg_boleto_pdf_cp1252("a\tb\nc", out, sizeof out), "a b c");
    assert_string_equal(rg_boleto_pdf_cp1252("ação", out, 3), "a\xe7");
    assert_string_equal(rg_boleto_pdf_cp1252(NULL, out, sizeof out), "");
}

static void expect_invalid(const rg_boleto_pdf *b, const char *where, const char *msg)
{
    rg_buf out = RG_BUF_INIT;
    rg_err e;
    rg_err_clear(&e);
    assert_int_equal(rg_boleto_pdf_render(b, 1, &out, &e), RG_EINVAL);
    assert_string_equal(e.where, where);
    assert_string_equal(e.msg, msg);
    assert_int_equal(out.len, 0);
    rg_buf_free(&out);
}

static void test_validation(void **state)
{
    (void)state;
    rg_boleto_pdf b = sample();
    b.bank_code = "34";
    expect_invalid(&b, "boleto_pdf: bank_code", "expected three digits, found \"34\"");
    b = sample();
    b.barcode = "3419814120000015000109123456780005712345700";
    expect_invalid(&b, "boleto_pdf: barcode",
                   "expected 44 digits, found \"3419814120000015000109123456780005712345700\"");
    b = sample();
    b.linha_digitavel = "34191.09123 34567.800056 71234.570001 8 1412000001500";
    expect_invalid(&b, "boleto_pdf: linha_digitavel",
                   "expected 47 digits (dots and spaces allowed), found "
                   "\"34191.09123 34567.800056 71234.570001 8 1412000001500\"");
    b = sample();
    b.linha_digitavel = "34191.09123 34567.800056 71234.570001 8 14120000015001";
    expect_invalid(&b, "boleto_pdf: linha_digitavel",
                   "does not match the barcode: the linha gives 34198141200000150011091234567800057123457000, "
                   "the barcode is 34198141200000150001091234567800057123457000");
    b = sample();
    b.bank_code = "237";
    expect_invalid(&b, "boleto_pdf: bank_code", "is 237 but the barcode starts with 341");
    b = sample();
    b.due_date = RG_DATE_NONE;
    expect_invalid(&b, "boleto_pdf: due_date", "a boleto needs a vencimento");
    b = sample();
    char big[3000];
    memset(big, 'a', sizeof big - 1); /* byte mode: level M holds 2331 */
    big[sizeof big - 1] = '\0';
    b.pix_copia_cola = big;
    expect_invalid(&b, "boleto_pdf: pix_copia_cola: qr",
                   "cannot encode 2999 bytes as a QR code (level M holds at most 2331)");

    rg_buf out = RG_BUF_INIT;
    rg_err e;
    assert_int_equal(rg_boleto_pdf_render(&b, 0, &out, &e), RG_EINVAL);
    assert_string_equal(e.msg, "no boleto to render");
    b = sample();
    b.barcode = "x";
    rg_boleto_pdf two[2] = {sample(), b};
    assert_int_equal(rg_boleto_pdf_render(two, 2, &out, &e), RG_EINVAL);
    assert_string_equal(e.where, "boleto 2: boleto_pdf: barcode");
    assert_int_equal(rg_boleto_pdf_add_page(NULL, &b, &e), RG_EINTERNAL);
    rg_buf_free(&out);
}

/* ---- rendering, read back ---- */

static void test_render_and_decode(void **state)
{
    (void)state;
    rg_boleto_pdf b = sample();
    const char *pdf = rg_test_path("boleto.pdf");
    rg_err e;
    rg_err_clear(&e);
    if (rg_boleto_pdf_write_file(&b, 1, pdf, &e) != RG_OK)
        fail_msg("%s: %s", e.where, e.msg);
    char *got = decode_page(pdf, 1);
    assert_true(has_line(got, BARCODE));
    assert_true(has_line(got, PIX));
    assert_int_equal(count_lines(got), 2);
    free(got);

    /* the text layer carries the accents (WinAnsiEncoding round trip) */
    char cmd[600];
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' -", pdf);
    char *txt = run(cmd);
    assert_non_null(strstr(txt, "João da Conceição Araújo"));
    assert_non_null(strstr(txt, "Régua Cobrança e Serviços Ltda"));
    assert_non_null(strstr(txt, "341-7"));
    assert_non_null(strstr(txt, LINHA));
    assert_non_null(strstr(txt, "Recibo do Pagador"));
    assert_non_null(strstr(txt, "Ficha de Compensação"));
    assert_non_null(strstr(txt, "10/04/2026"));
    assert_non_null(strstr(txt, "150,00"));
    assert_non_null(strstr(txt, "145,00"));
    assert_non_null(strstr(txt, "Pague com Pix"));
    free(txt);
}

/* Without PIX there is no QR; the linha may be given as bare digits. */
static void test_not_hibrido(void **state)
{
    (void)state;
    rg_boleto_pdf b = sample();
    b.pix_copia_cola = NULL;
    b.linha_digitavel = "34191091233456780005671234570001814120000015000";
    b.bank_name = NULL;
    const char *pdf = rg_test_path("plain.pdf");
    rg_err e;
    assert_int_equal(rg_boleto_pdf_write_file(&b, 1, pdf, &e), RG_OK);
    char *got = decode_page(pdf, 1);
    assert_string_equal(got, "34198141200000150001091234567800057123457000\n");
    free(got);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' -", pdf);
    char *txt = run(cmd);
    assert_non_null(strstr(txt, "Banco 341"));
    assert_null(strstr(txt, "Pague com Pix"));
    assert_non_null(strstr(txt, LINHA)); /* formatted from the bare digits */
    free(txt);
}

/* A page added to a document that already has a (letter) page. */
static void test_add_page_to_existing_doc(void **state)
{
    (void)state;
    HPDF_Doc doc = NULL;
    rg_err e;
    assert_int_equal(rg_boleto_pdf_new_doc(&doc, &e), RG_OK);
    HPDF_Page letter = HPDF_AddPage(doc);
    assert_non_null(letter);
    HPDF_Page_SetSize(letter, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    rg_boleto_pdf b = sample();
    assert_int_equal(rg_boleto_pdf_add_page(doc, &b, &e), RG_OK);
    const char *pdf = rg_test_path("letter.pdf");
    assert_int_equal(HPDF_SaveToFile(doc, pdf), HPDF_OK);
    HPDF_Free(doc);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "pdfinfo '%s' | grep '^Pages:'", pdf);
    char *info = run(cmd);
    assert_string_equal(info, "Pages:           2\n");
    free(info);
    char *got = decode_page(pdf, 2);
    assert_true(has_line(got, BARCODE));
    assert_true(has_line(got, PIX));
    free(got);
}

/* Random 44-digit codes (fixed seed) survive print + scan exactly. */
static void test_random_codes_round_trip(void **state)
{
    (void)state;
    enum { N = 4 };
    char bars[N][45], linhas[N][48];
    rg_boleto_pdf b[N];
    unsigned long long x = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < N; i++) {
        memcpy(bars[i], "341", 3);
        for (int k = 3; k < 44; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            bars[i][k] = (char)('0' + (int)(x % 10));
        }
        bars[i][44] = '\0';
        linha_of(bars[i], linhas[i]);
        b[i] = sample();
        b[i].barcode = bars[i];
        b[i].linha_digitavel = linhas[i];
        b[i].pix_copia_cola = i % 2 ? PIX : NULL;
    }
    const char *pdf = rg_test_path("random.pdf");
    rg_err e;
    rg_err_clear(&e);
    if (rg_boleto_pdf_write_file(b, N, pdf, &e) != RG_OK)
        fail_msg("%s: %s", e.where, e.msg);
    for (int i = 0; i < N; i++) {
        char *got = decode_page(pdf, i + 1);
        if (!has_line(got, bars[i]))
            fail_msg("page %d: expected %s, zbar read: %s", i + 1, bars[i], got);
        assert_int_equal(count_lines(got), i % 2 ? 2 : 1);
        free(got);
    }
}

static void test_render_to_buffer(void **state)
{
    (void)state;
    rg_boleto_pdf b[3] = {sample(), sample(), sample()};
    rg_buf out = RG_BUF_INIT;
    rg_err e;
    assert_int_equal(rg_boleto_pdf_render(b, 3, &out, &e), RG_OK);
    assert_true(out.len > 1000);
    assert_memory_equal(out.p, "%PDF-", 5);
    assert_non_null(strstr(out.p + out.len - 8, "%%EOF"));
    const char *pdf = rg_test_write("buf.pdf", "");
    FILE *fp = fopen(pdf, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(out.p, 1, out.len, fp), out.len);
    fclose(fp);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "pdfinfo '%s' | grep '^Pages:'", pdf);
    char *info = run(cmd);
    assert_string_equal(info, "Pages:           3\n");
    free(info);
    rg_buf_free(&out);

    assert_int_equal(rg_boleto_pdf_write_file(b, 1, "/nonexistent-dir/x.pdf", &e), RG_EIO);
    assert_string_equal(e.where, "/nonexistent-dir/x.pdf");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bank_dv),
        cmocka_unit_test(test_itf),
        cmocka_unit_test(test_cp1252),
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_render_and_decode),
        cmocka_unit_test(test_not_hibrido),
        cmocka_unit_test(test_add_page_to_existing_doc),
        cmocka_unit_test(test_random_codes_round_trip),
        cmocka_unit_test(test_render_to_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
