#include "test.h"

#include "br/pix.h"

#include <stdio.h>

/* The static BR Code example of the Banco Central's "Manual de Padrões
 * para Iniciação do Pix" (BR Code annex), with its CRC 1D3D. */
static const char *BCB_STATIC =
    "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-42665544000052040000530398658"
    "02BR5913Fulano de Tal6008BRASILIA62070503***63041D3D";

#define expect_err(st, e, msg) expect_err_at(__LINE__, st, e, msg)
static void expect_err_at(int line, rg_status st, const rg_err *e, const char *msg)
{
    if (st == RG_OK || strcmp(e->msg, msg) != 0)
        fprintf(stderr, "line %d: got status %d where=\"%s\" msg=\"%s\"\n", line, st, e->where,
                e->msg);
    assert_int_not_equal(st, RG_OK);
    assert_string_equal(e->msg, msg);
}

static rg_pix parse_ok(const char *s)
{
    rg_pix x;
    rg_err e;
    rg_err_clear(&e);
    rg_status st = rg_pix_parse(s, strlen(s), &x, &e);
    if (st != RG_OK)
        fprintf(stderr, "parse %s: %s\n", s, e.msg);
    assert_int_equal(st, RG_OK);
    return x;
}

#define parse_bad(s, msg) parse_bad_at(__LINE__, s, msg)
static void parse_bad_at(int line, const char *s, const char *msg)
{
    rg_pix x;
    memset(&x, 0x41, sizeof x);
    rg_err e;
    rg_err_clear(&e);
    expect_err_at(line, rg_pix_parse(s, strlen(s), &x, &e), &e, msg);
    assert_string_equal(e.where, "brcode");
    assert_int_equal(x.type, RG_PIX_NONE);
    assert_string_equal(x.crc, "");
}

/* body + "6304" + its CRC, to build well-formed codes with bad content. */
static const char *with_crc(const char *body)
{
    static char buf[1024];
    snprintf(buf, sizeof buf, "%s6304", body);
    size_t n = strlen(buf);
    snprintf(buf + n, sizeof buf - n, "%04X", rg_pix_crc16(buf, n));
    return buf;
}

static void test_crc(void **state)
{
    (void)state;
    /* CRC-16/CCITT-FALSE check value. */
    assert_int_equal(rg_pix_crc16("123456789", 9), 0x29B1);
    assert_int_equal(rg_pix_crc16("", 0), 0xFFFF);
    size_t n = strlen(BCB_STATIC);
    assert_int_equal(rg_pix_crc16(BCB_STATIC, n - 4), 0x1D3D);
}

static void test_parse_bcb_example(void **state)
{
    (void)state;
    rg_pix x = parse_ok(BCB_STATIC);
    assert_int_equal(x.type, RG_PIX_STATIC);
    assert_string_equal(rg_pix_type_name(x.type), "static");
    assert_string_equal(x.key, "123e4567-e12b-12d1-a456-426655440000");
    assert_string_equal(x.url, "");
    assert_string_equal(x.description, "");
    assert_string_equal(x.merchant_name, "Fulano de Tal");
    assert_string_equal(x.merchant_city, "BRASILIA");
    assert_false(x.has_amount);
    assert_int_equal(x.amount_cents, 0);
    assert_string_equal(x.txid, "***");
    assert_string_equal(x.crc, "1D3D");
    assert_string_equal(x.mcc, "0000");
    assert_false(x.single_use);
    /* Pasted with a trailing newline, or with a lowercase CRC. */
    char buf[256];
    snprintf(buf, sizeof buf, "  %s\n", BCB_STATIC);
    x = parse_ok(buf);
    assert_string_equal(x.crc, "1D3D");
    snprintf(buf, sizeof buf, "%s", BCB_STATIC);
    buf[strlen(buf) - 1] = 'd';
    buf[strlen(buf) - 3] = 'd';
    x = parse_ok(buf);
    assert_string_equal(x.crc, "1D3D");
}

static void test_build_bcb_example(void **state)
{
    (void)state;
    /* The same fields give the manual's code byte for byte. */
    char out[RG_PIX_PAYLOAD_MAX];
    rg_err e;
    rg_pix_params p = {.key = "123e4567-e12b-12d1-a456-426655440000",
                       .merchant_name = "Fulano de Tal",
                       .merchant_city = "BRASILIA"};
    assert_int_equal(rg_pix_build(&p, out, sizeof out, &e), RG_OK);
    assert_string_equal(out, BCB_STATIC);
    p.txid = "***";
    assert_int_equal(rg_pix_build(&p, out, sizeof out, &e), RG_OK);
    assert_string_equal(out, BCB_STATIC);
}

static void test_build_static(void **state)
{
    (void)state;
    char out[RG_PIX_PAYLOAD_MAX];
    rg_err e;
    /* Expected payloads assembled by hand from the manual's layout; the
     * CRCs were computed by a separate Python CRC-16/CCITT-FALSE. */
    rg_pix_params p = {.key = "52998224725",
                       .merchant_name = "José da Conceição Açaí",
                       .merchant_city = "São Paulo",
                       .description = "Mensalidade março",
                       .txid = "FAT2026001",
                       .has_amount = true,
                       .amount_cents = 12345};
    assert_int_equal(rg_pix_build(&p, out, sizeof out, &e), RG_OK);
    assert_string_equal(out, "00020126540014br.gov.bcb.pix011152998224725"
                             "0217Mensalidade marco520400005303986"
                             "5406123.455802BR5922Jose da Conceicao Acai6009Sao Paulo"
                             "62140510FAT20260016304"
                             "A964");
    rg_pix x = parse_ok(out);
    assert_int_equal(x.type, RG_PIX_STATIC);
    assert_string_equal(x.key, "52998224725");
    assert_string_equal(x.description, "Mensalidade marco");
    assert_string_equal(x.merchant_name, "Jose da Conceicao Acai");
    assert_string_equal(x.merchant_city, "Sao Paulo");
    assert_true(x.has_amount);
    assert_int_equal(x.amount_cents, 12345);
    assert_string_equal(x.txid, "FAT2026001");

    /* Amount formats, single use, MCC. */
    p = (rg_pix_params){.key = "fulano@example.com", .merchant_name = "A", .merchant_city = "B",
                        .has_amount = true, .amount_cents = 5, .single_use = true, .mcc = "5411"};
    assert_int_equal(rg_pix_build(&p, out, sizeof out, &e), RG_OK);
    assert_non_null(strstr(out, "54040.05"));
    assert_int_equal(strncmp(out, "000201010212", 12), 0);
    x = parse_ok(out);
    assert_true(x.single_use);
    assert_string_equal(x.mcc, "5411");
    assert_int_equal(x.amount_cents, 5);
    p.amount_cents = RG_PIX_MAX_CENTS;
    assert_int_equal(rg_pix_build(&p, out, sizeof out, &e), RG_OK);
    assert_non_null(strstr(out, "54139999999999.99"));
    assert_int_equal(parse_ok(out).amount_cents, RG_PIX_MAX_CENTS);
    /* Other key kinds. */
    p = (rg_pix_params){.merchant_name = "A", .merchant_city = "B"};
    const char *keys[] = {"+5511987654321", "11222333000181", "12ABC34501DE35",
                          "123E4567-E12B-12D1-A456-426655440000", "a.b@c.com.br"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        p.key = keys[i];
        assert_int_equal(rg_pix_build(&p, out, sizeof out, &e), RG_OK);
        assert_string_equal(parse_ok(out).key, keys[i]);
    }
}

static void test_build_dynamic(void **state)
{
    (void)state;
    char out[RG_PIX_PAYLOAD_MAX];
    rg_err e;
    rg_pix_params p = {.url = "https://pix.example.com/qr/v2/9d36b84fc70b478fb95c12729b90ca25",
                       .merchant_name = "Escola Aprender Ltda",
                       .merchant_city = "Belo Horizonte",
                       .has_amount = true,
                       .amount_cents = 45000,
                       .single_use = true};
    assert_int_equal(rg_pix_build(&p, out, sizeof out, &e), RG_OK);
    /* Layout by hand from the manual; CRC by the separate Python script. */
    assert_string_equal(out, "00020101021226760014br.gov.bcb.pix2554pix.example.com/qr/v2/"
                             "9d36b84fc70b478fb95c12729b90ca25520400005303986"
                             "5406450.005802BR5920Escola Aprender Ltda"
                             "6014Belo Horizonte62070503***6304"
                             "17FF");
    rg_pix x = parse_ok(out);
    assert_int_equal(x.type, RG_PIX_DYNAMIC);
    assert_string_equal(rg_pix_type_name(x.type), "dynamic");
    assert_string_equal(x.url, "pix.example.com/qr/v2/9d36b84fc70b478fb95c12729b90ca25");
    assert_string_equal(x.key, "");
    assert_string_equal(x.txid, "***");
    assert_int_equal(x.amount_cents, 45000);
    assert_true(x.single_use);
    /* Without https:// the same. */
    p.url = "pix.example.com/qr/v2/9d36b84fc70b478fb95c12729b90ca25";
    char out2[RG_PIX_PAYLOAD_MAX];
    assert_int_equal(rg_pix_build(&p, out2, sizeof out2, &e), RG_OK);
    assert_string_equal(out2, out);
}

/* rg_pix_with_amount: a static code again with another amount; a dynamic one is left alone. */
static void test_with_amount(void **state)
{
    (void)state;
    char code[RG_PIX_PAYLOAD_MAX], out[RG_PIX_PAYLOAD_MAX];
    rg_err e;
    bool is_static = false;
    rg_pix_params p = {.key = "cobranca@exemplo.com.br", .merchant_name = "Loja", .merchant_city = "Recife",
                       .txid = "F7", .description = "fatura", .has_amount = true, .amount_cents = 15000};
    assert_int_equal(rg_pix_build(&p, code, sizeof code, &e), RG_OK);
    assert_int_equal(rg_pix_with_amount(code, 9990, out, sizeof out, &is_static, &e), RG_OK);
    assert_true(is_static);
    p.amount_cents = 9990;
    char want[RG_PIX_PAYLOAD_MAX];
    assert_int_equal(rg_pix_build(&p, want, sizeof want, &e), RG_OK);
    assert_string_equal(out, want);
    rg_pix_params d = {.url = "pix.example.com/qr/v2/9d36b84fc70b478fb95c12729b90ca25", .merchant_name = "Loja",
                       .merchant_city = "Recife"};
    assert_int_equal(rg_pix_build(&d, code, sizeof code, &e), RG_OK);
    assert_int_equal(rg_pix_with_amount(code, 9990, out, sizeof out, &is_static, &e), RG_OK);
    assert_false(is_static);
    assert_string_equal(out, "");
    assert_int_equal(rg_pix_with_amount("000201xx", 9990, out, sizeof out, &is_static, &e), RG_EINVAL);
}

static void test_normalize(void **state)
{
    (void)state;
    char b[64];
    assert_string_equal(rg_pix_normalize("José Ação", 25, b, sizeof b), "Jose Acao");
    assert_string_equal(rg_pix_normalize("  ÀÉÎÕÜ çñ  ß Æ  ", 25, b, sizeof b), "AEIOU cn ss AE");
    /* Non-Latin-1 characters and controls are dropped; spaces collapse. */
    assert_string_equal(rg_pix_normalize("Loja \xe2\x80\x94 Centro\t\x01 €", 25, b, sizeof b),
                        "Loja Centro");
    /* Stray Latin-1 bytes are read as Latin-1. */
    assert_string_equal(rg_pix_normalize("S\xe3o Jo\xe3o", 25, b, sizeof b), "Sao Joao");
    /* Cut at max characters, no trailing space. */
    assert_string_equal(rg_pix_normalize("Distribuidora de Alimentos Boa Vista", 25, b, sizeof b),
                        "Distribuidora de Alimento");
    assert_string_equal(rg_pix_normalize("Rio de Janeiro City", 15, b, sizeof b),
                        "Rio de Janeiro");
    assert_string_equal(rg_pix_normalize("ÆÆÆ", 5, b, sizeof b), "AEAE");
    assert_string_equal(rg_pix_normalize(NULL, 5, b, sizeof b), "");
    assert_string_equal(rg_pix_normalize("abcdef", 25, b, 4), "abc");
}

#define build_bad(...) build_bad_at(__LINE__, __VA_ARGS__)
static void build_bad_at(int line, rg_pix_params p, const char *where, const char *msg)
{
    char out[RG_PIX_PAYLOAD_MAX];
    memcpy(out, "junk", 5);
    rg_err e;
    rg_err_clear(&e);
    expect_err_at(line, rg_pix_build(&p, out, sizeof out, &e), &e, msg);
    assert_string_equal(e.where, where);
    assert_string_equal(out, "");
}

static void test_build_errors(void **state)
{
    (void)state;
    build_bad((rg_pix_params){.merchant_name = "A", .merchant_city = "B"}, "key",
              "a key (static) or a URL (dynamic) is required");
    build_bad((rg_pix_params){.key = "a@b.co", .url = "x.com/1", .merchant_name = "A",
                              .merchant_city = "B"},
              "url", "give either a key (static) or a URL (dynamic), not both");
    build_bad((rg_pix_params){.key = "a@b.co", .merchant_name = " \xe2\x80\x94 ",
                              .merchant_city = "B"},
              "merchant_name", "required (up to 25 characters)");
    build_bad((rg_pix_params){.key = "a@b.co", .merchant_name = "A"}, "merchant_city",
              "required (up to 15 characters)");
    build_bad((rg_pix_params){.key = "52998224726", .merchant_name = "A", .merchant_city = "B"},
              "key", "CPF key: check digit 2 is wrong: expected 5, found 6");
    build_bad((rg_pix_params){.key = "11222333000182", .merchant_name = "A", .merchant_city = "B"},
              "key", "CNPJ key: check digit 2 is wrong: expected 1, found 2");
    build_bad((rg_pix_params){.key = "+55 11 98765-4321", .merchant_name = "A",
                              .merchant_city = "B"},
              "key", "a key has no spaces or non-ASCII characters (position 4)");
    build_bad((rg_pix_params){.key = "+55119", .merchant_name = "A", .merchant_city = "B"}, "key",
              "a phone key is + and 8 to 15 digits (E.164, e.g. +5511987654321)");
    build_bad((rg_pix_params){.key = "a@b", .merchant_name = "A", .merchant_city = "B"}, "key",
              "\"a@b\" is not an e-mail address");
    build_bad((rg_pix_params){.key = "chave", .merchant_name = "A", .merchant_city = "B"}, "key",
              "\"chave\" is not a Pix key (CPF, CNPJ, e-mail, +55 phone or random key)");
    build_bad((rg_pix_params){.key = "a@b.co", .merchant_name = "A", .merchant_city = "B",
                              .txid = "FAT-1"},
              "txid", "only letters and digits, found '-' at position 4");
    build_bad((rg_pix_params){.key = "a@b.co", .merchant_name = "A", .merchant_city = "B",
                              .txid = "12345678901234567890123456"},
              "txid", "26 characters, at most 25");
    build_bad((rg_pix_params){.url = "x.com/1", .merchant_name = "A", .merchant_city = "B",
                              .txid = "ABC"},
              "txid",
              "a dynamic code carries its txid in the payload at the URL; tag 62.05 is ***");
    build_bad((rg_pix_params){.url = "x.com/1", .merchant_name = "A", .merchant_city = "B",
                              .description = "x"},
              "description", "a dynamic code carries its description in the payload at the URL");
    build_bad((rg_pix_params){.url = "https://", .merchant_name = "A", .merchant_city = "B"},
              "url", "0 characters without https://, expected 1 .. 77");
    build_bad((rg_pix_params){.url = "x.com/a b", .merchant_name = "A", .merchant_city = "B"},
              "url", "no spaces or non-ASCII characters (position 8)");
    build_bad((rg_pix_params){.key = "a@b.co", .merchant_name = "A", .merchant_city = "B",
                              .has_amount = true},
              "amount",
              "0 centavos: must be 0.01 .. 9999999999.99 (omit it for an open amount)");
    build_bad((rg_pix_params){.key = "a@b.co", .merchant_name = "A", .merchant_city = "B",
                              .has_amount = true, .amount_cents = RG_PIX_MAX_CENTS + 1},
              "amount",
              "1000000000000 centavos: must be 0.01 .. 9999999999.99 (omit it for an open "
              "amount)");
    build_bad((rg_pix_params){.key = "a@b.co", .merchant_name = "A", .merchant_city = "B",
                              .mcc = "54"},
              "mcc", "expected 4 digits, found \"54\"");
    /* key + description over 73 characters. */
    build_bad((rg_pix_params){.key = "123e4567-e12b-12d1-a456-426655440000",
                              .merchant_name = "A", .merchant_city = "B",
                              .description = "Mensalidade de novembro de 2026, turma B"},
              "description",
              "the Pix account field (tag 26) would exceed 99 bytes: the key and description "
              "together may have at most 73 characters (36 + 40 given)");
    rg_err e;
    char small[8];
    rg_pix_params ok = {.key = "a@b.co", .merchant_name = "A", .merchant_city = "B"};
    assert_int_equal(rg_pix_build(&ok, small, sizeof small, &e), RG_EINTERNAL);
    assert_int_equal(rg_pix_build(NULL, small, sizeof small, &e), RG_EINTERNAL);
}

static void test_parse_errors(void **state)
{
    (void)state;
    parse_bad("", "empty code");
    parse_bad(" \n", "empty code");
    /* CRC: one changed character anywhere. */
    char buf[256];
    snprintf(buf, sizeof buf, "%s", BCB_STATIC);
    buf[60] = 'X';
    parse_bad(buf, "CRC mismatch: the code says 1D3D but its content gives 6229 (altered or "
                   "truncated copy)");
    snprintf(buf, sizeof buf, "%s", BCB_STATIC);
    memcpy(buf + strlen(buf) - 4, "1D3E", 4);
    parse_bad(buf, "CRC mismatch: the code says 1D3E but its content gives 1D3D (altered or "
                   "truncated copy)");
    memcpy(buf + strlen(buf) - 4, "1D3G", 4);
    parse_bad(buf, "tag 63 (CRC): \"1D3G\" is not 4 hex digits");
    /* Truncated copies. */
    snprintf(buf, sizeof buf, "%.*s", (int)strlen(BCB_STATIC) - 2, BCB_STATIC);
    parse_bad(buf, "tag 63 at offset 129: declares 4 bytes but only 2 remain (truncated)");
    snprintf(buf, sizeof buf, "%.*s", 102, BCB_STATIC);
    parse_bad(buf, "tag 59 at offset 89: declares 13 bytes but only 9 remain (truncated)");
    parse_bad("000201260", "offset 6: truncated field header (3 bytes left, a field starts with "
                           "2-digit id and 2-digit length)");
    parse_bad("000201XY04abcd", "offset 6: field id must be 2 digits, found \"XY\"");
    parse_bad("0002012a04abcd", "offset 6: field id must be 2 digits, found \"2a\"");
    parse_bad("00020159a4abcd", "tag 59 at offset 6: length must be 2 digits");
    parse_bad("0002015904ab", "tag 59 at offset 6: declares 4 bytes but only 2 remain (truncated)");
    parse_bad("00020159001", "tag 59 at offset 6: empty value");
    parse_bad("0002015903a\x01" "b", "tag 59: control character 0x01 in its value");
    parse_bad("000201", "no CRC: the code must end with tag 63");
    parse_bad("00020163041D3D5802BR", "tag 63 (CRC) must be the last field, with 4 hex digits");
    parse_bad("0002016302AB", "tag 63 (CRC) must be the last field, with 4 hex digits");
    parse_bad(with_crc("5802BR000201"), "a BR Code starts with tag 00 (payload format), found tag 58");
    parse_bad(with_crc("000202"), "tag 00 (payload format indicator) must be \"01\", found \"02\"");
    parse_bad(with_crc("0002015802BR5802BR"), "tag 58 appears twice");
    parse_bad(with_crc("0002010102135802BR"),
              "tag 01 (point of initiation) must be 11 or 12, found \"13\"");
    /* The Pix account. */
    const char *tail = "52040000530398658" "02BR5913Fulano de Tal6008BRASILIA62070503***";
    char body[512];
    snprintf(body, sizeof body, "000201%s", tail);
    parse_bad(with_crc(body), "no Pix account: none of tags 26-51 has GUI br.gov.bcb.pix");
    snprintf(body, sizeof body, "0002012624" "0014br.com.outro.x0102ab" "%s", tail);
    parse_bad(with_crc(body), "no Pix account: none of tags 26-51 has GUI br.gov.bcb.pix");
    snprintf(body, sizeof body, "0002012633" "0014br.gov.bcb.pix0104a@b.2503x/y" "%s", tail);
    parse_bad(with_crc(body),
              "tag 26 has both a key (26.01) and a URL (26.25); a code is static or dynamic");
    snprintf(body, sizeof body, "0002012625" "0014br.gov.bcb.pix0203abc" "%s", tail);
    parse_bad(with_crc(body), "tag 26 has neither a key (26.01) nor a URL (26.25)");
    snprintf(body, sizeof body, "0002012625" "0014br.gov.bcb.pix0109abc" "%s", tail);
    parse_bad(with_crc(body),
              "tag 26.01 at offset 28: declares 9 bytes but only 3 remain (truncated)");
    snprintf(body, sizeof body, "0002012628" "0014br.gov.bcb.pix0101a0101b" "%s", tail);
    parse_bad(with_crc(body), "tag 26.01 appears twice");
    /* Another scheme's template before Pix's is skipped; GUI in capitals ok. */
    snprintf(body, sizeof body,
             "0002012624" "0014br.com.outro.x0102ab" "2729" "0014BR.GOV.BCB.PIX0107a@b.com"
             "%s",
             tail);
    rg_pix x = parse_ok(with_crc(body));
    assert_string_equal(x.key, "a@b.com");
    /* Mandatory fields and their values. */
    const char *acct = "26290014br.gov.bcb.pix0107a@b.com";
    snprintf(body, sizeof body, "000201%s530398658" "02BR5901A6001B", acct);
    parse_bad(with_crc(body), "tag 52 (merchant category code) must be 4 digits; it is missing");
    snprintf(body, sizeof body, "000201%s52040a00530398658" "02BR5901A6001B", acct);
    parse_bad(with_crc(body), "tag 52 (merchant category code) must be 4 digits");
    snprintf(body, sizeof body, "000201%s52040000530384058" "02BR5901A6001B", acct);
    parse_bad(with_crc(body), "tag 53 (currency) must be 986 (BRL)");
    snprintf(body, sizeof body, "000201%s5204000058" "02BR5901A6001B", acct);
    parse_bad(with_crc(body), "tag 53 (currency) must be 986 (BRL); it is missing");
    snprintf(body, sizeof body, "000201%s52040000530398658" "02US5901A6001B", acct);
    parse_bad(with_crc(body), "tag 58 (country) must be BR");
    snprintf(body, sizeof body, "000201%s5204000053039865901A6001B", acct);
    parse_bad(with_crc(body), "tag 58 (country) must be BR; it is missing");
    snprintf(body, sizeof body, "000201%s52040000530398658" "02BR6001B", acct);
    parse_bad(with_crc(body), "tag 59 (merchant name) is missing");
    snprintf(body, sizeof body, "000201%s52040000530398658" "02BR5901A", acct);
    parse_bad(with_crc(body), "tag 60 (merchant city) is missing");
    snprintf(body, sizeof body,
             "000201%s52040000530398658" "02BR5926ABCDEFGHIJKLMNOPQRSTUVWXYZ6001B", acct);
    parse_bad(with_crc(body), "tag 59 (merchant name): 26 bytes, at most 25");
    snprintf(body, sizeof body, "000201%s52040000530398658" "02BR5901A6016ABCDEFGHIJKLMNOP",
             acct);
    parse_bad(with_crc(body), "tag 60 (merchant city): 16 bytes, at most 15");
    const char *amounts_bad[] = {"1,00", "1.", ".5", "1.234", "-1", "1.2a", "12345678901234"};
    for (size_t i = 0; i < sizeof amounts_bad / sizeof amounts_bad[0]; i++) {
        snprintf(body, sizeof body, "000201%s52040000530398654%02zu%s5802BR5901A6001B", acct,
                 strlen(amounts_bad[i]), amounts_bad[i]);
        char msg[128];
        snprintf(msg, sizeof msg, "tag 54 (amount): \"%s\" is not an amount like 10.50",
                 amounts_bad[i]);
        parse_bad(with_crc(body), msg);
    }
    const struct {
        const char *text;
        rg_cents cents;
    } amounts_ok[] = {{"10", 1000}, {"10.5", 1050}, {"0.01", 1}, {"9999999999.99", 999999999999LL}};
    for (size_t i = 0; i < sizeof amounts_ok / sizeof amounts_ok[0]; i++) {
        snprintf(body, sizeof body, "000201%s52040000530398654%02zu%s5802BR5901A6001B", acct,
                 strlen(amounts_ok[i].text), amounts_ok[i].text);
        x = parse_ok(with_crc(body));
        assert_int_equal(x.amount_cents, amounts_ok[i].cents);
    }
    /* txid. */
    snprintf(body, sizeof body, "000201%s52040000530398658" "02BR5901A6001B62070503a-b", acct);
    parse_bad(with_crc(body),
              "tag 62.05 (txid): only letters and digits or ***, found '-' at position 2");
    snprintf(body, sizeof body,
             "000201%s52040000530398658" "02BR5901A6001B62300526ABCDEFGHIJKLMNOPQRSTUVWXYZ", acct);
    parse_bad(with_crc(body), "tag 62.05 (txid): 26 characters, at most 25");
    snprintf(body, sizeof body, "000201%s52040000530398658" "02BR5901A6001B62070509abc", acct);
    parse_bad(with_crc(body), "tag 62.05 at offset 74: declares 9 bytes but only 3 remain (truncated)");
    snprintf(body, sizeof body, "000201%s52040000530398658" "02BR5901A6001B62125001X0503abc",
             acct);
    x = parse_ok(with_crc(body));
    assert_string_equal(x.txid, "abc");
    snprintf(body, sizeof body, "000201%s52040000530398658" "02BR5901A6001B", acct);
    x = parse_ok(with_crc(body));
    assert_string_equal(x.txid, "");
    rg_err e;
    assert_int_equal(rg_pix_parse(NULL, 10, NULL, &e), RG_EINVAL);
}

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static void random_text(char *out, size_t n, const char *alphabet)
{
    size_t k = strlen(alphabet);
    for (size_t i = 0; i < n; i++)
        out[i] = alphabet[rnd() % k];
    out[n] = '\0';
}

/* Generate -> parse gives the fields back and a valid CRC, 10,000 times. */
static void test_random_round_trip(void **state)
{
    (void)state;
    static const char *names[] = {"Padaria Pão Quente", "Clínica São Lucas", "Açougue Boi Bom",
                                  "Escola Criança Feliz Ltda", "Zé", "Distribuidora Ômega S.A.",
                                  "Condomínio Edifício Ipê Amarelo"};
    static const char *cities[] = {"São Paulo", "Florianópolis", "Goiânia", "Rio de Janeiro",
                                   "Macapá", "Niterói"};
    for (int i = 0; i < 10000; i++) {
        rg_pix_params p = {0};
        char key[80], url[80], desc[60], txid[30];
        bool dynamic = rnd() % 2;
        if (dynamic) {
            random_text(url, 10 + rnd() % 60, "abcdefghijklmnopqrstuvwxyz0123456789./-");
            p.url = url;
        } else {
            snprintf(key, sizeof key, "%08x-%04x-4%03x-a%03x-%08x%04x", rnd(), rnd() % 65536,
                     rnd() % 4096, rnd() % 4096, rnd(), rnd() % 65536);
            p.key = key;
            if (rnd() % 2) {
                random_text(desc, rnd() % 30, "abc def ghi JKL 0123");
                p.description = desc;
            }
            if (rnd() % 2) {
                random_text(txid, 1 + rnd() % 25, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef0123456789");
                p.txid = txid;
            }
        }
        p.merchant_name = names[rnd() % 7];
        p.merchant_city = cities[rnd() % 6];
        p.has_amount = rnd() % 3 != 0;
        p.amount_cents = p.has_amount ? 1 + ((rg_cents)rnd() * 65536 + rnd() % 65536) %
                                                RG_PIX_MAX_CENTS
                                      : 0;
        p.single_use = rnd() % 2;
        char out[RG_PIX_PAYLOAD_MAX];
        rg_err e;
        rg_status st = rg_pix_build(&p, out, sizeof out, &e);
        if (st != RG_OK)
            fprintf(stderr, "build: %s: %s\n", e.where, e.msg);
        assert_int_equal(st, RG_OK);
        rg_pix x = parse_ok(out);
        assert_int_equal(x.type, dynamic ? RG_PIX_DYNAMIC : RG_PIX_STATIC);
        if (dynamic) {
            assert_string_equal(x.url, url);
            assert_string_equal(x.txid, "***");
        } else {
            assert_string_equal(x.key, key);
            char nd[100];
            rg_pix_normalize(p.description, 99, nd, sizeof nd);
            assert_string_equal(x.description, nd);
            assert_string_equal(x.txid, p.txid ? txid : "***");
        }
        char nn[32], nc[32];
        assert_string_equal(x.merchant_name, rg_pix_normalize(p.merchant_name, 25, nn, sizeof nn));
        assert_string_equal(x.merchant_city, rg_pix_normalize(p.merchant_city, 15, nc, sizeof nc));
        assert_int_equal(x.has_amount, p.has_amount);
        assert_int_equal(x.amount_cents, p.amount_cents);
        assert_int_equal(x.single_use, p.single_use);
        size_t n = strlen(out);
        char crc[5];
        snprintf(crc, sizeof crc, "%04X", rg_pix_crc16(out, n - 4));
        assert_string_equal(x.crc, crc);
        assert_string_equal(out + n - 4, crc);
        /* Any one changed byte is caught (by the CRC or the structure). */
        size_t pos = rnd() % n;
        char c = out[pos];
        out[pos] = (char)(c == 'Z' ? 'Y' : c + 1);
        assert_int_not_equal(rg_pix_parse(out, n, &x, &e), RG_OK);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc),
        cmocka_unit_test(test_parse_bcb_example),
        cmocka_unit_test(test_build_bcb_example),
        cmocka_unit_test(test_build_static),
        cmocka_unit_test(test_build_dynamic),
        cmocka_unit_test(test_with_amount),
        cmocka_unit_test(test_normalize),
        cmocka_unit_test(test_build_errors),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_random_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
