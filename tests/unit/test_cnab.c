/*
 * Tests for br/cnab. The fixture files are built here field by field at the
 * positions of the bank manuals (Itaú "Cobrança 400 bytes CNAB" arquivo
 * retorno; Bradesco "Layout de cobrança CNAB 400" arquivo retorno;
 * FEBRABAN "Layout padrão CNAB 240 v10", segmentos T e U), so each test
 * states the bytes it feeds in.
 */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/buf.h"
#include "base/date.h"
#include "br/cnab.h"

/* ---- fixture builder ---- */

typedef struct line {
    char b[401];
    size_t n;
} line;

static void blank(line *l, size_t n)
{
    memset(l->b, ' ', n);
    l->b[n] = '\0';
    l->n = n;
}

/* Puts text at 1-based `start`, left-aligned and space-padded to len. */
static void put(line *l, int start, int len, const char *s)
{
    size_t sl = strlen(s);
    for (int i = 0; i < len; i++)
        l->b[start - 1 + i] = (size_t)i < sl ? s[i] : ' ';
}

/* Puts a number at `start`, zero-padded to len. */
static void putn(line *l, int start, int len, long long v)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%0*lld", len, v);
    put(l, start, len, tmp);
}

static void add(rg_buf *f, const line *l, const char *eol)
{
    rg_buf_append(f, l->b, l->n);
    rg_buf_puts(f, eol);
}

static rg_date ymd(int y, int m, int d)
{
    return rg_date_from_ymd(y, m, d);
}

/* CNAB 400 header (retorno) for a bank. */
static void h400(line *l, const char *bank, const char *bank_name)
{
    blank(l, 400);
    put(l, 1, 9, "02RETORNO");
    put(l, 10, 2, "01");
    put(l, 12, 15, "COBRANCA");
    put(l, 47, 30, "REGUA COBRANCA LTDA");
    put(l, 77, 3, bank);
    put(l, 80, 15, bank_name);
    put(l, 95, 6, "160326");
    putn(l, 395, 6, 1);
}

typedef struct d400 {
    const char *nosso;
    const char *uso;
    const char *occ;
    const char *occ_date; /* DDMMAA */
    const char *doc;
    const char *due;
    long long face, fees, iof, rebate, discount, paid, interest, other;
    const char *credit;
    const char *reasons;
} d400;

static void itau_detail(line *l, const d400 *d, int seq)
{
    blank(l, 400);
    put(l, 1, 1, "1");
    put(l, 2, 2, "02");
    put(l, 4, 14, "12345678000195");
    put(l, 18, 4, "1234");
    put(l, 22, 2, "00");
    put(l, 24, 5, "56789");
    put(l, 29, 1, "0");
    put(l, 38, 25, d->uso);
    put(l, 63, 8, d->nosso);
    put(l, 83, 3, "109");
    put(l, 86, 8, d->nosso);
    put(l, 108, 1, "I");
    put(l, 109, 2, d->occ);
    put(l, 111, 6, d->occ_date);
    put(l, 117, 10, d->doc);
    put(l, 127, 8, d->nosso);
    put(l, 147, 6, d->due);
    putn(l, 153, 13, d->face);
    put(l, 166, 3, "341");
    put(l, 169, 5, "01234");
    put(l, 174, 2, "01");
    putn(l, 176, 13, d->fees);
    putn(l, 215, 13, d->iof);
    putn(l, 228, 13, d->rebate);
    putn(l, 241, 13, d->discount);
    putn(l, 254, 13, d->paid);
    putn(l, 267, 13, d->interest);
    putn(l, 280, 13, d->other);
    put(l, 296, 6, d->credit);
    putn(l, 312, 13, 0);
    put(l, 325, 30, "MARIA DA SILVA");
    put(l, 378, 8, d->reasons);
    put(l, 393, 2, "AA");
    putn(l, 395, 6, seq);
}

static void bradesco_detail(line *l, const d400 *d, int seq)
{
    blank(l, 400);
    put(l, 1, 1, "1");
    put(l, 2, 2, "02");
    put(l, 4, 14, "12345678000195");
    put(l, 18, 3, "000");
    put(l, 21, 17, "00090123400567890");
    put(l, 38, 25, d->uso);
    putn(l, 63, 8, 0);
    put(l, 71, 12, d->nosso);
    putn(l, 83, 10, 0);
    putn(l, 93, 12, 0);
    put(l, 105, 1, " ");
    put(l, 106, 2, "00");
    put(l, 108, 1, "9");
    put(l, 109, 2, d->occ);
    put(l, 111, 6, d->occ_date);
    put(l, 117, 10, d->doc);
    put(l, 127, 20, d->nosso);
    put(l, 147, 6, d->due);
    putn(l, 153, 13, d->face);
    put(l, 166, 3, "237");
    put(l, 169, 5, "01234");
    putn(l, 176, 13, d->fees);
    putn(l, 189, 13, 0);
    putn(l, 202, 13, 0);
    putn(l, 215, 13, d->iof);
    putn(l, 228, 13, d->rebate);
    putn(l, 241, 13, d->discount);
    putn(l, 254, 13, d->paid);
    putn(l, 267, 13, d->interest);
    putn(l, 280, 13, d->other);
    put(l, 296, 6, d->credit);
    put(l, 319, 10, d->reasons);
    putn(l, 395, 6, seq);
}

static void itau_trailer(line *l, long long count, long long total, int seq)
{
    blank(l, 400);
    put(l, 1, 7, "9201341");
    putn(l, 18, 8, count);
    putn(l, 26, 14, total);
    putn(l, 208, 5, 1);
    putn(l, 213, 8, count);
    putn(l, 221, 14, total);
    putn(l, 395, 6, seq);
}

static void bradesco_trailer(line *l, long long count, long long total, int seq)
{
    blank(l, 400);
    put(l, 1, 7, "9201237");
    putn(l, 18, 8, count);
    putn(l, 26, 14, total);
    putn(l, 395, 6, seq);
}

static const d400 itau_paid = {"00012345", "INV-2026-0001", "06", "150326", "NF0001", "100326",
                               15000, 250, 0, 0, 0, 15330, 330, 0, "170326", ""};
static const d400 itau_entry = {"00012346", "INV-2026-0002", "02", "020326", "NF0002", "100426",
                                9990, 0, 0, 0, 0, 0, 0, 0, "000000", ""};
static const d400 itau_reject = {"00012347", "INV-2026-0003", "03", "020326", "NF0003", "100426",
                                 5000, 0, 0, 0, 0, 0, 0, 0, "      ", "AB120000"};

/* An Itaú file with the three details above; CRLF and a final 0x1A. */
static void itau_file(rg_buf *f)
{
    line l;
    h400(&l, "341", "BANCO ITAU SA");
    add(f, &l, "\r\n");
    itau_detail(&l, &itau_paid, 2);
    add(f, &l, "\r\n");
    itau_detail(&l, &itau_entry, 3);
    add(f, &l, "\r\n");
    itau_detail(&l, &itau_reject, 4);
    add(f, &l, "\r\n");
    itau_trailer(&l, 3, 15000 + 9990 + 5000, 5);
    add(f, &l, "\r\n");
    rg_buf_putc(f, 0x1a);
}

static rg_cnab_file *parse_ok(const rg_buf *f, const char *name)
{
    rg_cnab_file *cf = NULL;
    rg_err e;
    rg_err_clear(&e);
    rg_status st = rg_cnab_parse(f->p, f->len, name, &cf, &e);
    if (st != RG_OK)
        fail_msg("parse failed: %s: %s", e.where, e.msg);
    assert_non_null(cf);
    return cf;
}

/* Asserts the number of diagnostics, printing them all when it differs. */
static void expect_ndiags(const rg_cnab_file *cf, size_t n)
{
    if (cf->n_diags != n) {
        char t[400];
        for (size_t i = 0; i < cf->n_diags; i++)
            print_message("diag %zu: %s\n", i, rg_cnab_diag_text(cf, &cf->diags[i], t, sizeof t));
    }
    assert_int_equal(cf->n_diags, n);
}

static void assert_diag(const rg_cnab_file *cf, size_t i, size_t line_no, rg_cnab_severity sev, const char *field,
                        const char *msg)
{
    assert_true(i < cf->n_diags);
    assert_int_equal(cf->diags[i].line, line_no);
    assert_int_equal(cf->diags[i].severity, sev);
    assert_string_equal(cf->diags[i].field, field);
    if (msg)
        assert_string_equal(cf->diags[i].msg, msg);
}

/* ---- CNAB 400 Itaú ---- */

static void test_itau_400(void **state)
{
    (void)state;
    rg_buf f = RG_BUF_INIT;
    itau_file(&f);
    rg_cnab_file *cf = parse_ok(&f, "CN16036A.RET");
    assert_int_equal(cf->layout, RG_CNAB_400);
    assert_string_equal(cf->bank, "341");
    assert_string_equal(cf->file_name, "CN16036A.RET");
    assert_int_equal(cf->generated, ymd(2026, 3, 16));
    assert_int_equal(cf->n_lines, 5);
    expect_ndiags(cf, 0);
    assert_int_equal(cf->n_entries, 3);

    const rg_cnab_entry *a = &cf->entries[0];
    assert_int_equal(a->line, 2);
    assert_string_equal(a->nosso_numero, "00012345");
    assert_string_equal(a->documento, "NF0001");
    assert_string_equal(a->uso_empresa, "INV-2026-0001");
    assert_string_equal(a->occurrence, "06");
    assert_int_equal(a->kind, RG_CNAB_LIQUIDATION);
    assert_int_equal(a->face_value, 15000);
    assert_int_equal(a->paid, 15330);
    assert_int_equal(a->interest, 330);
    assert_int_equal(a->fees, 250);
    assert_int_equal(a->discount, 0);
    assert_int_equal(a->net_credit, 0);
    assert_int_equal(a->due_date, ymd(2026, 3, 10));
    assert_int_equal(a->occurrence_date, ymd(2026, 3, 15));
    assert_int_equal(a->credit_date, ymd(2026, 3, 17));
    assert_string_equal(a->reasons, "");

    const rg_cnab_entry *b = &cf->entries[1];
    assert_int_equal(b->line, 3);
    assert_string_equal(b->occurrence, "02");
    assert_int_equal(b->kind, RG_CNAB_ENTRY_CONFIRMED);
    assert_int_equal(b->credit_date, RG_DATE_NONE); /* "000000" */

    const rg_cnab_entry *c = &cf->entries[2];
    assert_int_equal(c->kind, RG_CNAB_REJECTED);
    assert_string_equal(c->reasons, "AB120000");
    assert_int_equal(c->credit_date, RG_DATE_NONE); /* blanks */

    assert_true(cf->totals.present);
    assert_true(cf->totals.ok);
    assert_int_equal(cf->totals.line, 5);
    assert_int_equal(cf->totals.declared_count, 3);
    assert_int_equal(cf->totals.counted, 3);
    assert_int_equal(cf->totals.declared_total, 29990);
    assert_int_equal(cf->totals.summed, 29990);
    assert_int_equal(cf->totals.declared_records, -1);
    rg_cnab_file_free(cf);
    rg_buf_free(&f);
}

/* LF only, no final newline, no EOF byte. */
static void test_itau_lf_no_final_newline(void **state)
{
    (void)state;
    rg_buf f = RG_BUF_INIT;
    line l;
    h400(&l, "341", "BANCO ITAU SA");
    add(&f, &l, "\n");
    itau_detail(&l, &itau_paid, 2);
    add(&f, &l, "\n");
    itau_trailer(&l, 1, 15000, 3);
    add(&f, &l, "");
    rg_cnab_file *cf = parse_ok(&f, NULL);
    assert_string_equal(cf->file_name, "");
    assert_int_equal(cf->n_lines, 3);
    assert_int_equal(cf->n_entries, 1);
    expect_ndiags(cf, 0);
    assert_true(cf->totals.ok);
    rg_cnab_file_free(cf);

    /* 0x1A glued to the last line */
    rg_buf_putc(&f, 0x1a);
    cf = parse_ok(&f, NULL);
    assert_int_equal(cf->n_lines, 3);
    expect_ndiags(cf, 0);
    rg_cnab_file_free(cf);

    /* trailing blank lines and EOF bytes after the trailer */
    rg_buf_puts(&f, "\r\n\r\n\n\x1a\n");
    cf = parse_ok(&f, NULL);
    assert_int_equal(cf->n_lines, 3);
    expect_ndiags(cf, 0);
    rg_cnab_file_free(cf);

    /* ... but a blank line before more records is a corrupt line */
    rg_buf_reset(&f);
    h400(&l, "341", "BANCO ITAU SA");
    add(&f, &l, "\n");
    itau_detail(&l, &itau_paid, 2);
    add(&f, &l, "\n\n");
    itau_trailer(&l, 1, 15000, 3);
    add(&f, &l, "\n");
    cf = parse_ok(&f, NULL);
    expect_ndiags(cf, 1);
    assert_diag(cf, 0, 3, RG_CNAB_ERROR, "line", "expected 400 characters, found 0");
    assert_int_equal(cf->n_entries, 1);
    assert_true(cf->totals.ok);
    rg_cnab_file_free(cf);
    rg_buf_free(&f);
}

/* ---- CNAB 400 Bradesco ---- */

static void bradesco_file(rg_buf *f)
{
    static const d400 liq = {"00000001234P", "CTRL-77", "06", "050326", "DOC7", "040326",
                             20000, 180, 0, 0, 500, 19900, 400, 0, "060326", "0000000000"};
    static const d400 after_baixa = {"00000001235", "CTRL-78", "17", "050326", "DOC8", "010226",
                                     10000, 0, 0, 0, 0, 10000, 0, 0, "060326", ""};
    static const d400 baixa = {"00000001236", "CTRL-79", "09", "050326", "DOC9", "010226",
                               7000, 0, 0, 0, 0, 0, 0, 0, "000000", ""};
    static const d400 cep = {"00000001237", "CTRL-80", "24", "050326", "DOC10", "010426",
                             3000, 0, 0, 0, 0, 0, 0, 0, "000000", "0000000048"};
    line l;
    h400(&l, "237", "BRADESCO");
    add(f, &l, "\n");
    bradesco_detail(&l, &liq, 2);
    add(f, &l, "\n");
    bradesco_detail(&l, &after_baixa, 3);
    add(f, &l, "\n");
    bradesco_detail(&l, &baixa, 4);
    add(f, &l, "\n");
    bradesco_detail(&l, &cep, 5);
    add(f, &l, "\n");
    bradesco_trailer(&l, 4, 40000, 6);
    add(f, &l, "\n");
}

static void test_bradesco_400(void **state)
{
    (void)state;
    rg_buf f = RG_BUF_INIT;
    bradesco_file(&f);
    rg_cnab_file *cf = parse_ok(&f, "CB050301.RET");
    assert_string_equal(cf->bank, "237");
    expect_ndiags(cf, 0);
    assert_int_equal(cf->n_entries, 4);
    const rg_cnab_entry *a = &cf->entries[0];
    assert_string_equal(a->nosso_numero, "00000001234P");
    assert_string_equal(a->uso_empresa, "CTRL-77");
    assert_string_equal(a->documento, "DOC7");
    assert_int_equal(a->kind, RG_CNAB_LIQUIDATION);
    assert_int_equal(a->face_value, 20000);
    assert_int_equal(a->discount, 500);
    assert_int_equal(a->interest, 400);
    assert_int_equal(a->paid, 19900);
    assert_int_equal(a->fees, 180);
    assert_int_equal(a->credit_date, ymd(2026, 3, 6));
    assert_string_equal(a->reasons, "0000000000");
    assert_string_equal(cf->entries[1].nosso_numero, "00000001235"); /* right-trimmed */
    assert_int_equal(cf->entries[1].kind, RG_CNAB_LIQUIDATION);
    assert_int_equal(cf->entries[2].kind, RG_CNAB_WRITE_OFF);
    assert_int_equal(cf->entries[3].kind, RG_CNAB_REJECTED);
    assert_string_equal(cf->entries[3].reasons, "0000000048");
    assert_true(cf->totals.ok);
    assert_int_equal(cf->totals.declared_total, 40000);
    rg_cnab_file_free(cf);
    rg_buf_free(&f);
}

/* ---- CNAB 400 corrupt lines ---- */

static void test_400_corrupt_lines(void **state)
{
    (void)state;
    rg_buf f = RG_BUF_INIT;
    line l;
    h400(&l, "341", "BANCO ITAU SA");
    add(&f, &l, "\r\n");
    itau_detail(&l, &itau_paid, 2); /* 2: fine */
    add(&f, &l, "\r\n");
    itau_detail(&l, &itau_entry, 3); /* 3: a short line */
    l.n = 399;
    add(&f, &l, "\r\n");
    itau_detail(&l, &itau_entry, 4); /* 4: letter in valor principal */
    l.b[260] = 'X';
    add(&f, &l, "\r\n");
    itau_detail(&l, &itau_entry, 5); /* 5: 31 February */
    put(&l, 111, 6, "310226");
    add(&f, &l, "\r\n");
    itau_detail(&l, &itau_entry, 6); /* 6: unknown record type */
    l.b[0] = '7';
    add(&f, &l, "\r\n");
    itau_detail(&l, &itau_entry, 7); /* 7: a blank in the nosso número */
    put(&l, 63, 8, "0001 345");
    add(&f, &l, "\r\n");
    itau_detail(&l, &itau_reject, 8); /* 8: fine */
    add(&f, &l, "\r\n");
    itau_trailer(&l, 6, 15000 + 4 * 9990 + 5000, 9); /* 6 detail records ('1'), two parsed */
    add(&f, &l, "\r\n");
    itau_detail(&l, &itau_entry, 10); /* 10: after the trailer */
    add(&f, &l, "\r\n");

    rg_cnab_file *cf = parse_ok(&f, "bad.ret");
    assert_int_equal(cf->n_entries, 2);
    assert_int_equal(cf->entries[0].line, 2);
    assert_int_equal(cf->entries[1].line, 8);
    expect_ndiags(cf, 7);
    assert_diag(cf, 0, 3, RG_CNAB_ERROR, "line", "expected 400 characters, found 399");
    assert_diag(cf, 1, 4, RG_CNAB_ERROR, "valor_principal",
                "positions 254-266: expected 13 digits, found \"0000000X00000\"");
    assert_diag(cf, 2, 5, RG_CNAB_ERROR, "data_ocorrencia",
                "positions 111-116: expected a date DDMMAA (or zeros), found \"310226\"");
    assert_diag(cf, 3, 6, RG_CNAB_ERROR, "record_type", "expected '1' (detail) or '9' (trailer), found '7'");
    assert_diag(cf, 4, 7, RG_CNAB_ERROR, "nosso_numero",
                "positions 63-70: expected 8 digits, found \"0001 345\"");
    assert_diag(cf, 5, 10, RG_CNAB_ERROR, "record_type", "record after the trailer (line 9)");
    /* count agrees (6 records of type 1 incl. corrupt ones); the value cannot */
    assert_diag(cf, 6, 9, RG_CNAB_WARNING, "trailer.total",
                "declares a total of 599.60, the parsed details add up to 200.00");
    assert_int_equal(cf->totals.counted, 6);
    assert_false(cf->totals.ok);
    rg_cnab_file_free(cf);
    rg_buf_free(&f);
}

static void test_400_totals_mismatch(void **state)
{
    (void)state;
    rg_buf f = RG_BUF_INIT;
    line l;
    h400(&l, "341", "BANCO ITAU SA");
    add(&f, &l, "\n");
    itau_detail(&l, &itau_paid, 2);
    add(&f, &l, "\n");
    itau_detail(&l, &itau_entry, 3);
    add(&f, &l, "\n");
    itau_trailer(&l, 3, 24991, 4);
    add(&f, &l, "\n");
    rg_cnab_file *cf = parse_ok(&f, "t.ret");
    assert_int_equal(cf->n_entries, 2);
    assert_false(cf->totals.ok);
    assert_true(cf->totals.present);
    expect_ndiags(cf, 2);
    assert_diag(cf, 0, 4, RG_CNAB_WARNING, "trailer.count", "declares 3 detail records, the file has 2");
    assert_diag(cf, 1, 4, RG_CNAB_WARNING, "trailer.total",
                "declares a total of 249.91, the parsed details add up to 249.90");
    char buf[300];
    assert_string_equal(rg_cnab_diag_text(cf, &cf->diags[0], buf, sizeof buf),
                        "t.ret:4: trailer.count: warning: declares 3 detail records, the file has 2");
    rg_cnab_file_free(cf);
    rg_buf_free(&f);
}

static void test_400_no_trailer_and_bad_trailer(void **state)
{
    (void)state;
    rg_buf f = RG_BUF_INIT;
    line l;
    h400(&l, "341", "BANCO ITAU SA");
    add(&f, &l, "\n");
    itau_detail(&l, &itau_paid, 2);
    add(&f, &l, "\n");
    rg_cnab_file *cf = parse_ok(&f, "n.ret");
    assert_int_equal(cf->n_entries, 1);
    assert_false(cf->totals.present);
    assert_false(cf->totals.ok);
    expect_ndiags(cf, 1);
    assert_diag(cf, 0, 3, RG_CNAB_ERROR, "trailer", "the file has no trailer record ('9')");
    rg_cnab_file_free(cf);

    itau_trailer(&l, 1, 15000, 3);
    put(&l, 213, 8, "0000000A");
    add(&f, &l, "\n");
    cf = parse_ok(&f, "n.ret");
    assert_false(cf->totals.present);
    assert_false(cf->totals.ok);
    expect_ndiags(cf, 1);
    assert_diag(cf, 0, 3, RG_CNAB_ERROR, "quantidade_detalhes",
                "positions 213-220: expected 8 digits, found \"0000000A\"");
    rg_cnab_file_free(cf);
    rg_buf_free(&f);
}

/* A bad generation date in the header is a diagnostic, not a failure. */
static void test_400_bad_header_date(void **state)
{
    (void)state;
    rg_buf f = RG_BUF_INIT;
    line l;
    h400(&l, "237", "BRADESCO");
    put(&l, 95, 6, "991326");
    add(&f, &l, "\n");
    bradesco_trailer(&l, 0, 0, 2);
    add(&f, &l, "\n");
    rg_cnab_file *cf = parse_ok(&f, "h.ret");
    assert_int_equal(cf->generated, RG_DATE_NONE);
    expect_ndiags(cf, 1);
    assert_diag(cf, 0, 1, RG_CNAB_ERROR, "data_gravacao",
                "positions 95-100: expected a date DDMMAA (or zeros), found \"991326\"");
    assert_true(cf->totals.ok);
    rg_cnab_file_free(cf);
    rg_buf_free(&f);
}

static void test_diag_cap(void **state)
{
    (void)state;
    rg_buf f = RG_BUF_INIT;
    line l;
    h400(&l, "341", "BANCO ITAU SA");
    add(&f, &l, "\n");
    for (int i = 0; i < 1500; i++)
        rg_buf_puts(&f, "garbage\n");
    itau_trailer(&l, 0, 0, 1502);
    add(&f, &l, "\n");
    rg_cnab_file *cf = parse_ok(&f, "g.ret");
    assert_int_equal(cf->n_diags, RG_CNAB_MAX_DIAGS);
    assert_int_equal(cf->n_diags_total, 1500);
    assert_int_equal(cf->n_entries, 0);
    assert_true(cf->totals.ok);
    assert_diag(cf, 999, 1001, RG_CNAB_ERROR, "line", "expected 400 characters, found 7");
    rg_cnab_file_free(cf);
    rg_buf_free(&f);
}

/* ---- header failures ---- */

static void parse_fails(const char *data, size_t len, const char *name, const char *where, const char *msg)
{
    rg_cnab_file *cf = (rg_cnab_file *)1;
    rg_err e;
    rg_err_clear(&e);
    assert_int_equal(rg_cnab_parse(data, len, name, &cf, &e), RG_EINVAL);
    assert_null(cf);
    assert_int_equal(e.code, RG_EINVAL);
    assert_string_equal(e.where, where);
    assert_string_equal(e.msg, msg);
}

static void test_header_errors(void **state)
{
    (void)state;
    parse_fails("", 0, "x.ret", "x.ret", "the file is empty");
    parse_fails("\x1a", 1, NULL, "cnab", "the file is empty");
    parse_fails("hello\n", 6, "x.ret", "x.ret",
                "line 1: not a CNAB retorno header: expected 400 characters starting \"02\" or 240 characters "
                "with '0' at position 8, found 5 characters");
    line l;
    h400(&l, "341", "BANCO ITAU SA");
    l.b[1] = '1'; /* remessa */
    parse_fails(l.b, l.n, "r.rem", "r.rem",
                "line 1: position 2: expected '2' (arquivo retorno), found '1' — not a return file");
    h400(&l, "001", "BANCO DO BRASIL");
    parse_fails(l.b, l.n, "bb.ret", "bb.ret",
                "line 1: positions 77-79: bank \"001\" has no CNAB 400 layout (supported: 341, 237)");
    blank(&l, 240);
    put(&l, 1, 8, "34100000");
    put(&l, 143, 1, "1");
    parse_fails(l.b, l.n, "r240.rem", "r240.rem",
                "line 1: position 143: expected '2' (arquivo retorno), found '1' — not a return file");
    put(&l, 1, 3, "3A1");
    put(&l, 143, 1, "2");
    parse_fails(l.b, l.n, "r240.ret", "r240.ret", "line 1: positions 1-3: expected a bank code, found \"3A1\"");

    rg_err e;
    assert_int_equal(rg_cnab_parse("x", 1, "x", NULL, &e), RG_EINTERNAL);
}

/* ---- CNAB 240 ---- */

static void h240(line *l, const char *bank)
{
    blank(l, 240);
    put(l, 1, 3, bank);
    put(l, 4, 4, "0000");
    put(l, 8, 1, "0");
    put(l, 18, 1, "2");
    put(l, 19, 14, "12345678000195");
    put(l, 73, 30, "REGUA COBRANCA LTDA");
    put(l, 103, 30, "BANCO EXEMPLO");
    put(l, 143, 1, "2");
    put(l, 144, 8, "16032026");
    put(l, 152, 6, "101500");
    putn(l, 158, 6, 42);
    put(l, 164, 3, "103");
}

static void hlote240(line *l, const char *bank, int lote)
{
    blank(l, 240);
    put(l, 1, 3, bank);
    putn(l, 4, 4, lote);
    put(l, 8, 1, "1");
    put(l, 9, 1, "T");
    put(l, 10, 2, "01");
    put(l, 14, 3, "060");
}

typedef struct d240 {
    const char *occ;
    const char *nosso;
    const char *doc;
    const char *due; /* DDMMAAAA */
    long long face;
    const char *uso;
    long long fee;
    const char *reasons;
    long long interest, discount, rebate, iof, paid, net, other;
    const char *occ_date, *credit;
} d240;

static void t240(line *l, const char *bank, int lote, int seq, const d240 *d)
{
    blank(l, 240);
    put(l, 1, 3, bank);
    putn(l, 4, 4, lote);
    put(l, 8, 1, "3");
    putn(l, 9, 5, seq);
    put(l, 14, 1, "T");
    put(l, 16, 2, d->occ);
    put(l, 18, 5, "01234");
    put(l, 23, 1, "5");
    put(l, 24, 12, "000000056789");
    put(l, 36, 1, "0");
    put(l, 38, 20, d->nosso);
    put(l, 58, 1, "1");
    put(l, 59, 15, d->doc);
    put(l, 74, 8, d->due);
    putn(l, 82, 15, d->face);
    putn(l, 97, 3, 0);
    put(l, 106, 25, d->uso);
    put(l, 131, 2, "09");
    put(l, 133, 1, "1");
    put(l, 134, 15, "000012345678909");
    put(l, 149, 40, "JOAO PAGADOR");
    putn(l, 199, 15, d->fee);
    put(l, 214, 10, d->reasons);
}

static void u240(line *l, const char *bank, int lote, int seq, const d240 *d)
{
    blank(l, 240);
    put(l, 1, 3, bank);
    putn(l, 4, 4, lote);
    put(l, 8, 1, "3");
    putn(l, 9, 5, seq);
    put(l, 14, 1, "U");
    put(l, 16, 2, d->occ);
    putn(l, 18, 15, d->interest);
    putn(l, 33, 15, d->discount);
    putn(l, 48, 15, d->rebate);
    putn(l, 63, 15, d->iof);
    putn(l, 78, 15, d->paid);
    putn(l, 93, 15, d->net);
    putn(l, 108, 15, 0);
    putn(l, 123, 15, d->other);
    put(l, 138, 8, d->occ_date);
    put(l, 146, 8, d->credit);
}

static void tlote240(line *l, const char *bank, int lote, int records, int count, long long total)
{
    blank(l, 240);
    put(l, 1, 3, bank);
    putn(l, 4, 4, lote);
    put(l, 8, 1, "5");
    putn(l, 18, 6, records);
    putn(l, 24, 6, count);
    putn(l, 30, 17, total);
}

static void t240file(line *l, const char *bank, int lotes, int records)
{
    blank(l, 240);
    put(l, 1, 3, bank);
    put(l, 4, 4, "9999");
    put(l, 8, 1, "9");
    putn(l, 18, 6, lotes);
    putn(l, 24, 6, records);
}

static const d240 c240_paid = {"06", "00000000000000123456", "FAT-100", "10032026", 125000, "INV-100", 195,
                               "", 2500, 1000, 0, 0, 126500, 126305, 0, "14032026", "15032026"};
static const d240 c240_entry = {"02", "123457", "FAT-101", "10042026", 5050, "INV-101", 0,
                                "", 0, 0, 0, 0, 0, 0, 0, "02032026", "00000000"};

static void file240(rg_buf *f, const char *eol)
{
    line l;
    h240(&l, "001");
    add(f, &l, eol);
    hlote240(&l, "001", 1);
    add(f, &l, eol);
    t240(&l, "001", 1, 1, &c240_paid);
    add(f, &l, eol);
    u240(&l, "001", 1, 2, &c240_paid);
    add(f, &l, eol);
    t240(&l, "001", 1, 3, &c240_entry);
    add(f, &l, eol);
    u240(&l, "001", 1, 4, &c240_entry);
    add(f, &l, eol);
    tlote240(&l, "001", 1, 6, 2, 125000 + 5050);
    add(f, &l, eol);
    t240file(&l, "001", 1, 8);
    add(f, &l, eol);
}

static void test_240(void **state)
{
    (void)state;
    rg_buf f = RG_BUF_INIT;
    file240(&f, "\r\n");
    rg_cnab_file *cf = parse_ok(&f, "RET240.TXT");
    assert_int_equal(cf->layout, RG_CNAB_240);
    assert_string_equal(cf->bank, "001");
    assert_int_equal(cf->generated, ymd(2026, 3, 16));
    expect_ndiags(cf, 0);
    assert_int_equal(cf->n_entries, 2);
    const rg_cnab_entry *a = &cf->entries[0];
    assert_int_equal(a->line, 3);
    assert_string_equal(a->occurrence, "06");
    assert_int_equal(a->kind, RG_CNAB_LIQUIDATION);
    assert_string_equal(a->nosso_numero, "00000000000000123456");
    assert_string_equal(a->documento, "FAT-100");
    assert_string_equal(a->uso_empresa, "INV-100");
    assert_int_equal(a->due_date, ymd(2026, 3, 10));
    assert_int_equal(a->face_value, 125000);
    assert_int_equal(a->fees, 195);
    assert_int_equal(a->interest, 2500);
    assert_int_equal(a->discount, 1000);
    assert_int_equal(a->paid, 126500);
    assert_int_equal(a->net_credit, 126305);
    assert_int_equal(a->occurrence_date, ymd(2026, 3, 14));
    assert_int_equal(a->credit_date, ymd(2026, 3, 15));
    const rg_cnab_entry *b = &cf->entries[1];
    assert_int_equal(b->line, 5);
    assert_string_equal(b->nosso_numero, "123457");
    assert_int_equal(b->kind, RG_CNAB_ENTRY_CONFIRMED);
    assert_int_equal(b->credit_date, RG_DATE_NONE);
    assert_true(cf->totals.present);
    assert_true(cf->totals.ok);
    assert_int_equal(cf->totals.line, 8);
    assert_int_equal(cf->totals.declared_records, 8);
    assert_int_equal(cf->totals.records, 8);
    assert_int_equal(cf->totals.declared_count, 2);
    assert_int_equal(cf->totals.counted, 2);
    assert_int_equal(cf->totals.declared_total, 130050);
    assert_int_equal(cf->totals.summed, 130050);
    rg_cnab_file_free(cf);

    rg_buf_reset(&f);
    file240(&f, "\n");
    cf = parse_ok(&f, "RET240.TXT");
    assert_int_equal(cf->n_entries, 2);
    assert_true(cf->totals.ok);
    rg_cnab_file_free(cf);
    rg_buf_free(&f);
}

static void test_240_pairing_errors(void **state)
{
    (void)state;
    rg_buf f = RG_BUF_INIT;
    line l;
    h240(&l, "756");
    add(&f, &l, "\n");                   /* 1 */
    hlote240(&l, "756", 1);
    add(&f, &l, "\n");                   /* 2 */
    u240(&l, "756", 1, 1, &c240_paid);   /* 3: U with no T */
    add(&f, &l, "\n");
    t240(&l, "756", 1, 2, &c240_paid);   /* 4: T ... */
    add(&f, &l, "\n");
    t240(&l, "756", 1, 3, &c240_entry);  /* 5: ... followed by another T */
    add(&f, &l, "\n");
    u240(&l, "756", 1, 5, &c240_entry);  /* 6: U with the wrong sequence */
    add(&f, &l, "\n");
    t240(&l, "756", 1, 6, &c240_paid);   /* 7: T ... */
    add(&f, &l, "\n");
    u240(&l, "756", 1, 7, &c240_paid);   /* 8: ... U with a bad credit date */
    put(&l, 146, 8, "32032026");
    add(&f, &l, "\n");
    t240(&l, "756", 1, 8, &c240_entry);  /* 9: T with a letter in the value */
    l.b[90] = 'O';
    add(&f, &l, "\n");
    u240(&l, "756", 1, 9, &c240_entry);  /* 10: its U, now orphan */
    add(&f, &l, "\n");
    blank(&l, 240);                      /* 11: segment Y, ignored */
    put(&l, 1, 14, "7560001300010Y");
    add(&f, &l, "\n");
    t240(&l, "756", 1, 11, &c240_entry); /* 12: good pair */
    add(&f, &l, "\n");
    u240(&l, "756", 1, 12, &c240_entry); /* 13 */
    add(&f, &l, "\n");
    t240(&l, "756", 1, 13, &c240_paid);  /* 14: T then the lote trailer */
    add(&f, &l, "\n");
    tlote240(&l, "756", 1, 14, 6, 5 * 125000);
    add(&f, &l, "\n");                   /* 15 */
    blank(&l, 240);                      /* 16: unknown record type */
    put(&l, 1, 8, "75600017");
    add(&f, &l, "\n");
    t240file(&l, "756", 1, 17);          /* 17 */
    add(&f, &l, "\n");

    rg_cnab_file *cf = parse_ok(&f, "sicoob.ret");
    assert_int_equal(cf->n_entries, 1);
    assert_int_equal(cf->entries[0].line, 12);
    assert_string_equal(cf->entries[0].nosso_numero, "123457");
    expect_ndiags(cf, 10);
    assert_diag(cf, 0, 3, RG_CNAB_ERROR, "segment",
                "segment U (lote 1, sequence 1) without the segment T before it");
    assert_diag(cf, 1, 4, RG_CNAB_ERROR, "segment",
                "segment T (lote 1, sequence 2) is not followed by its segment U");
    assert_diag(cf, 2, 5, RG_CNAB_ERROR, "segment",
                "segment T (lote 1, sequence 3) is not followed by its segment U");
    assert_diag(cf, 3, 6, RG_CNAB_ERROR, "segment",
                "segment U (lote 1, sequence 5) without the segment T before it");
    assert_diag(cf, 4, 8, RG_CNAB_ERROR, "data_credito",
                "positions 146-153: expected a date DDMMAAAA (or zeros), found \"32032026\"");
    assert_diag(cf, 5, 9, RG_CNAB_ERROR, "valor_titulo",
                "positions 82-96: expected 15 digits, found \"000000000O05050\"");
    assert_diag(cf, 6, 10, RG_CNAB_ERROR, "segment",
                "segment U (lote 1, sequence 9) without the segment T before it");
    assert_diag(cf, 7, 14, RG_CNAB_ERROR, "segment",
                "segment T (lote 1, sequence 13) is not followed by its segment U");
    assert_diag(cf, 8, 15, RG_CNAB_WARNING, "trailer_lote.titulos",
                "lote 1 declares 6 títulos worth 6250.00, details have 6 worth 3851.00");
    assert_diag(cf, 9, 16, RG_CNAB_ERROR, "record_type",
                "position 8: expected a record type 1, 2, 3, 4, 5 or 9, found '7'");
    /* T records: lines 4, 5, 7, 9, 12, 14 = 6 (the corrupt one too); declared 6 worth 6250.00 */
    assert_int_equal(cf->totals.counted, 6);
    assert_int_equal(cf->totals.declared_count, 6);
    assert_true(cf->totals.present);
    assert_false(cf->totals.ok); /* the value differs: parsed Ts sum to 3*125000 + 5050 */
    rg_cnab_file_free(cf);
    rg_buf_free(&f);
}

static void test_240_totals_and_structure(void **state)
{
    (void)state;
    rg_buf f = RG_BUF_INIT;
    line l;
    h240(&l, "341");
    add(&f, &l, "\n");                           /* 1 */
    tlote240(&l, "341", 1, 2, 0, 0);             /* 2: trailer de lote without header */
    add(&f, &l, "\n");
    hlote240(&l, "341", 1);                      /* 3 */
    add(&f, &l, "\n");
    t240(&l, "341", 1, 1, &c240_paid);           /* 4 */
    add(&f, &l, "\n");
    u240(&l, "341", 1, 2, &c240_paid);           /* 5 */
    add(&f, &l, "\n");
    tlote240(&l, "341", 1, 5, 2, 125001);        /* 6: records 4 not 5; títulos 1 worth 1250.00 */
    add(&f, &l, "\n");
    hlote240(&l, "341", 2);                      /* 7 */
    add(&f, &l, "\n");
    hlote240(&l, "341", 3);                      /* 8: lote 2 never closed */
    add(&f, &l, "\n");
    t240(&l, "341", 3, 1, &c240_entry);          /* 9 */
    add(&f, &l, "\n");
    u240(&l, "341", 3, 2, &c240_entry);          /* 10: lote 3 closed by nothing */
    add(&f, &l, "\n");
    t240file(&l, "341", 2, 99);                  /* 11: 3 lotes, 11 records */
    add(&f, &l, "\n");
    rg_cnab_file *cf = parse_ok(&f, "itau240.ret");
    assert_int_equal(cf->n_entries, 2);
    expect_ndiags(cf, 7);
    assert_diag(cf, 0, 2, RG_CNAB_ERROR, "record_type", "trailer de lote without a header de lote");
    assert_diag(cf, 1, 6, RG_CNAB_WARNING, "trailer_lote.records", "lote 1 declares 5 records, counted 4");
    assert_diag(cf, 2, 6, RG_CNAB_WARNING, "trailer_lote.titulos",
                "lote 1 declares 2 títulos worth 1250.01, details have 1 worth 1250.00");
    assert_diag(cf, 3, 8, RG_CNAB_ERROR, "record_type", "header de lote while lote 2 (line 7) has no trailer");
    assert_diag(cf, 4, 11, RG_CNAB_ERROR, "record_type", "lote 3 (line 8) has no trailer de lote");
    assert_diag(cf, 5, 11, RG_CNAB_WARNING, "trailer.lotes", "declares 2 lotes, found 3");
    assert_diag(cf, 6, 11, RG_CNAB_WARNING, "trailer.records", "declares 99 records, the file has 11");
    assert_false(cf->totals.ok);
    rg_cnab_file_free(cf);

    /* A lote still open at the end of a file without trailer de arquivo. */
    rg_buf_reset(&f);
    h240(&l, "341");
    add(&f, &l, "\n");
    hlote240(&l, "341", 1);
    add(&f, &l, "\n");
    t240(&l, "341", 1, 1, &c240_paid);
    add(&f, &l, "\n");
    cf = parse_ok(&f, "cut.ret");
    assert_int_equal(cf->n_entries, 0);
    expect_ndiags(cf, 3);
    assert_diag(cf, 0, 3, RG_CNAB_ERROR, "segment",
                "segment T (lote 1, sequence 1) is not followed by its segment U");
    assert_diag(cf, 1, 4, RG_CNAB_ERROR, "record_type", "lote 1 (line 2) has no trailer de lote");
    assert_diag(cf, 2, 4, RG_CNAB_ERROR, "trailer", "the file has no trailer record ('9')");
    rg_cnab_file_free(cf);

    /* Short line, a bad trailer de lote, a bad lote header, and a line after the trailer. */
    rg_buf_reset(&f);
    h240(&l, "341");
    add(&f, &l, "\n");                 /* 1 */
    hlote240(&l, "341", 1);
    put(&l, 4, 4, "00a1");
    add(&f, &l, "\n");                 /* 2 */
    hlote240(&l, "341", 1);
    add(&f, &l, "\n");                 /* 3 */
    t240(&l, "341", 1, 1, &c240_paid);
    l.n = 200;
    add(&f, &l, "\n");                 /* 4: short T, still counted */
    tlote240(&l, "341", 1, 4, 1, 125000);
    put(&l, 30, 17, "0000000000012500x");
    add(&f, &l, "\n");                 /* 5 */
    t240file(&l, "341", 1, 6);
    put(&l, 24, 6, "00000?");
    add(&f, &l, "\n");                 /* 6 */
    t240file(&l, "341", 1, 6);
    add(&f, &l, "\n");                 /* 7 */
    cf = parse_ok(&f, "x.ret");
    expect_ndiags(cf, 5);
    assert_diag(cf, 0, 2, RG_CNAB_ERROR, "lote", "positions 4-7: expected 4 digits, found \"00a1\"");
    assert_diag(cf, 1, 4, RG_CNAB_ERROR, "line", "expected 240 characters, found 200");
    assert_diag(cf, 2, 5, RG_CNAB_ERROR, "valor_total",
                "positions 30-46: expected 17 digits, found \"0000000000012500x\"");
    assert_diag(cf, 3, 6, RG_CNAB_ERROR, "quantidade_registros",
                "positions 24-29: expected 6 digits, found \"00000?\"");
    assert_diag(cf, 4, 7, RG_CNAB_ERROR, "record_type", "record after the trailer de arquivo (line 6)");
    /* the trailer is there but unreadable: no "missing trailer" on top */
    assert_int_equal(cf->totals.counted, 1);
    assert_false(cf->totals.present);
    rg_cnab_file_free(cf);
    rg_buf_free(&f);
}

static void test_classify(void **state)
{
    (void)state;
    assert_int_equal(rg_cnab_classify(RG_CNAB_400, "341", "06"), RG_CNAB_LIQUIDATION);
    assert_int_equal(rg_cnab_classify(RG_CNAB_400, "341", "07"), RG_CNAB_LIQUIDATION);
    assert_int_equal(rg_cnab_classify(RG_CNAB_400, "341", "08"), RG_CNAB_LIQUIDATION);
    assert_int_equal(rg_cnab_classify(RG_CNAB_400, "341", "09"), RG_CNAB_WRITE_OFF);
    assert_int_equal(rg_cnab_classify(RG_CNAB_400, "341", "10"), RG_CNAB_WRITE_OFF);
    assert_int_equal(rg_cnab_classify(RG_CNAB_400, "341", "14"), RG_CNAB_OTHER);
    assert_int_equal(rg_cnab_classify(RG_CNAB_400, "341", "16"), RG_CNAB_REJECTED);
    assert_int_equal(rg_cnab_classify(RG_CNAB_400, "237", "15"), RG_CNAB_LIQUIDATION);
    assert_int_equal(rg_cnab_classify(RG_CNAB_400, "237", "10"), RG_CNAB_WRITE_OFF);
    assert_int_equal(rg_cnab_classify(RG_CNAB_400, "237", "28"), RG_CNAB_OTHER);
    assert_int_equal(rg_cnab_classify(RG_CNAB_400, "001", "06"), RG_CNAB_OTHER);
    assert_int_equal(rg_cnab_classify(RG_CNAB_400, NULL, "06"), RG_CNAB_OTHER);
    assert_int_equal(rg_cnab_classify(RG_CNAB_240, "104", "17"), RG_CNAB_LIQUIDATION);
    assert_int_equal(rg_cnab_classify(RG_CNAB_240, "104", "26"), RG_CNAB_REJECTED);
    assert_int_equal(rg_cnab_classify(RG_CNAB_240, "104", "9"), RG_CNAB_OTHER);
    assert_int_equal(rg_cnab_classify(RG_CNAB_240, "104", "060"), RG_CNAB_OTHER);
    assert_int_equal(rg_cnab_classify(RG_CNAB_240, "104", NULL), RG_CNAB_OTHER);
    assert_string_equal(rg_cnab_kind_name(RG_CNAB_LIQUIDATION), "liquidation");
    assert_string_equal(rg_cnab_kind_name(RG_CNAB_ENTRY_CONFIRMED), "entry_confirmed");
    assert_string_equal(rg_cnab_kind_name(RG_CNAB_REJECTED), "rejected");
    assert_string_equal(rg_cnab_kind_name(RG_CNAB_WRITE_OFF), "write_off");
    assert_string_equal(rg_cnab_kind_name(RG_CNAB_OTHER), "other");
    rg_cnab_file_free(NULL);
}

/* The checked-in sample files (also the fuzz seeds) parse cleanly. */
static void test_data_files(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        size_t entries;
    } files[] = {
        {"tests/data/cnab/itau400.ret", 3},
        {"tests/data/cnab/bradesco400.ret", 4},
        {"tests/data/cnab/febraban240.ret", 2},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[512];
        const char *root = getenv("REGUA_ROOT");
        snprintf(path, sizeof path, "%s/%s", root ? root : ".", files[i].path);
        FILE *fp = fopen(path, "rb");
        if (!fp)
            fail_msg("cannot open %s", path);
        rg_buf f = RG_BUF_INIT;
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
            rg_buf_append(&f, chunk, n);
        fclose(fp);
        rg_cnab_file *cf = parse_ok(&f, files[i].path);
        expect_ndiags(cf, 0);
        assert_int_equal(cf->n_entries, files[i].entries);
        assert_true(cf->totals.ok);
        rg_cnab_file_free(cf);
        rg_buf_free(&f);
    }
}

/* Writes the sample files (run by hand: REGUA_WRITE_CNAB_DATA=1). */
static void write_samples(void)
{
    if (!getenv("REGUA_WRITE_CNAB_DATA"))
        return;
    rg_buf f = RG_BUF_INIT;
    itau_file(&f);
    FILE *fp = fopen("tests/data/cnab/itau400.ret", "wb");
    if (fp) {
        fwrite(f.p, 1, f.len, fp);
        fclose(fp);
    }
    rg_buf_reset(&f);
    bradesco_file(&f);
    fp = fopen("tests/data/cnab/bradesco400.ret", "wb");
    if (fp) {
        fwrite(f.p, 1, f.len, fp);
        fclose(fp);
    }
    rg_buf_reset(&f);
    file240(&f, "\r\n");
    fp = fopen("tests/data/cnab/febraban240.ret", "wb");
    if (fp) {
        fwrite(f.p, 1, f.len, fp);
        fclose(fp);
    }
    rg_buf_free(&f);
}

int main(void)
{
    write_samples();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_itau_400),
        cmocka_unit_test(test_itau_lf_no_final_newline),
        cmocka_unit_test(test_bradesco_400),
        cmocka_unit_test(test_400_corrupt_lines),
        cmocka_unit_test(test_400_totals_mismatch),
        cmocka_unit_test(test_400_no_trailer_and_bad_trailer),
        cmocka_unit_test(test_400_bad_header_date),
        cmocka_unit_test(test_diag_cap),
        cmocka_unit_test(test_header_errors),
        cmocka_unit_test(test_240),
        cmocka_unit_test(test_240_pairing_errors),
        cmocka_unit_test(test_240_totals_and_structure),
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_data_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
