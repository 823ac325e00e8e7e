/*
 * Tests for service/invoice_boleto: an invoice, its customer and the
 * company become the rg_boleto_pdf the renderer draws. Codes are built
 * with br/boleto and br/campo_livre, so the account data read back from
 * the campo livre is checked against the fields that made it. Itaú's
 * agência/conta DAC 0057/12345-7 is the worked example of Itaú's
 * "Cobrança — boleto, Anexo 4".
 */
#include "test.h"

#include "br/boleto.h"
#include "br/campo_livre.h"
#include "config/config.h"
#include "service/invoice_boleto.h"

/* ---- account data from the campo livre ---- */

static void account_of(const char *bank, const rg_boleto_fields *f, char ag[40], char cart[8])
{
    rg_campo_livre cl;
    rg_err e;
    rg_err_clear(&e);
    assert_int_equal(rg_campo_livre_build(bank, f, &cl, &e), RG_OK);
    rg_invoice_boleto_account(bank, cl.campo_livre, ag, cart);
}

static void test_account_itau(void **state)
{
    (void)state;
    char ag[40], cart[8];
    rg_boleto_fields f = {.agencia = "57", .conta = "12345", .carteira = "109", .nosso_numero = "12345678"};
    account_of("341", &f, ag, cart);
    assert_string_equal(ag, "0057 / 12345-7");
    assert_string_equal(cart, "109");
    /* a special carteira carries seu número and código do cliente, no agência */
    rg_boleto_fields s = {.agencia = "57", .conta = "12345", .carteira = "198", .nosso_numero = "12345678",
                          .seu_numero = "1234567", .codigo_beneficiario = "54321"};
    account_of("341", &s, ag, cart);
    assert_string_equal(ag, "");
    assert_string_equal(cart, "198");
}

static void test_account_bradesco_sicoob(void **state)
{
    (void)state;
    char ag[40], cart[8];
    rg_boleto_fields b = {.agencia = "1172", .conta = "403005", .carteira = "6", .nosso_numero = "75896452"};
    account_of("237", &b, ag, cart);
    assert_string_equal(ag, "1172 / 0403005");
    assert_string_equal(cart, "06");
    rg_boleto_fields s = {.agencia = "4133", .codigo_beneficiario = "1234567", .nosso_numero = "89"};
    account_of("756", &s, ag, cart);
    assert_string_equal(ag, "4133 / 1234567");
    assert_string_equal(cart, "1");
}

static void test_account_santander_caixa(void **state)
{
    (void)state;
    char ag[40], cart[8];
    rg_boleto_fields s = {.codigo_beneficiario = "282818", .carteira = "101", .nosso_numero = "566612457800"};
    account_of("033", &s, ag, cart);
    assert_string_equal(ag, "0282818");
    assert_string_equal(cart, "101");
    rg_boleto_fields c = {.codigo_beneficiario = "5507", .nosso_numero = "19"};
    account_of("104", &c, ag, cart);
    assert_string_equal(ag, "005507-7"); /* mod 11 of 005507: 7*2+5*4+5*5 = 59, 11 - 4 */
    assert_string_equal(cart, "RG");
    c.carteira = "2";
    account_of("104", &c, ag, cart);
    assert_string_equal(cart, "SR");
}

static void test_account_bb(void **state)
{
    (void)state;
    char ag[40], cart[8];
    rg_boleto_fields c4 = {.convenio = "1234", .nosso_numero = "5", .agencia = "3014", .conta = "10000",
                           .carteira = "18"};
    account_of("001", &c4, ag, cart);
    assert_string_equal(ag, "3014 / 00010000");
    assert_string_equal(cart, "18");
    rg_boleto_fields c6 = {.convenio = "123456", .nosso_numero = "5", .agencia = "3014", .conta = "10000",
                           .carteira = "17"};
    account_of("001", &c6, ag, cart);
    assert_string_equal(ag, "3014 / 00010000");
    assert_string_equal(cart, "17");
    rg_boleto_fields c7 = {.convenio = "1234567", .nosso_numero = "5", .carteira = "18"};
    account_of("001", &c7, ag, cart);
    assert_string_equal(ag, "");
    assert_string_equal(cart, "18");
    /* convênio 6 with a 17-digit nosso número: the campo livre ends in 21, no account */
    rg_boleto_fields n17 = {.convenio = "123456", .nosso_numero = "12345678901234567", .carteira = "18"};
    account_of("001", &n17, ag, cart);
    assert_string_equal(ag, "");
    assert_string_equal(cart, "");
}

static void test_account_unknown_or_bad(void **state)
{
    (void)state;
    char ag[40] = "x", cart[8] = "x";
    rg_invoice_boleto_account("422", "1234567890123456789012345", ag, cart);
    assert_string_equal(ag, "");
    assert_string_equal(cart, "");
    snprintf(ag, sizeof ag, "x");
    rg_invoice_boleto_account("341", "12345", ag, cart);
    assert_string_equal(ag, "");
    rg_invoice_boleto_account("341", "10912345678000571234570A0", ag, cart);
    assert_string_equal(ag, "");
    rg_invoice_boleto_account(NULL, NULL, ag, cart);
    assert_string_equal(ag, "");
}

/* ---- prepare ---- */

typedef struct fixture {
    rg_config cfg;
    rg_customer c;
    rg_invoice inv;
    rg_boleto code;
} fixture;

static const char PIX[] = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR"
                          "5913Fulano de Tal6008BRASILIA62070503***63041D3D";

static void make(fixture *f, rg_date due, rg_cents amount)
{
    memset(f, 0, sizeof *f);
    rg_config_defaults(&f->cfg);
    snprintf(f->cfg.company.name, sizeof f->cfg.company.name, "Exemplo Serviços Ltda");
    snprintf(f->cfg.company.cnpj, sizeof f->cfg.company.cnpj, "11222333000181");
    snprintf(f->cfg.company.cnpj_formatted, sizeof f->cfg.company.cnpj_formatted, "11.222.333/0001-81");
    snprintf(f->cfg.company.address, sizeof f->cfg.company.address, "Av. Paulista, 1000 - São Paulo/SP");
    rg_customer_init(&f->c);
    snprintf(f->c.name, sizeof f->c.name, "Maria da Conceição");
    snprintf(f->c.document, sizeof f->c.document, "52998224725");
    snprintf(f->c.address.street, sizeof f->c.address.street, "Rua das Flores");
    snprintf(f->c.address.number, sizeof f->c.address.number, "123");
    snprintf(f->c.address.complement, sizeof f->c.address.complement, "apto 4");
    snprintf(f->c.address.district, sizeof f->c.address.district, "Centro");
    snprintf(f->c.address.city, sizeof f->c.address.city, "São Paulo");
    snprintf(f->c.address.state, sizeof f->c.address.state, "SP");
    snprintf(f->c.address.zip, sizeof f->c.address.zip, "01310100");
    rg_invoice_init(&f->inv);
    snprintf(f->inv.external_id, sizeof f->inv.external_id, "F1");
    snprintf(f->inv.description, sizeof f->inv.description, "Mensalidade");
    f->inv.amount = 123456;
    f->inv.issue_date = rg_date_from_ymd(2026, 12, 1);
    f->inv.due_date = rg_date_from_ymd(2026, 12, 10);
    f->inv.fine_pct = -1;
    f->inv.interest_month_pct = -1;
    rg_err e;
    rg_err_clear(&e);
    assert_int_equal(rg_boleto_encode("341", '9', due, amount, "1091234567800057123457000", &f->code, &e),
                     RG_OK);
    snprintf(f->inv.linha_digitavel, sizeof f->inv.linha_digitavel, "%s", f->code.linha_digitavel);
}

static const rg_date TODAY = 20781; /* 2026-11-24 */

static void test_prepare_full(void **state)
{
    (void)state;
    assert_int_equal(TODAY, rg_date_from_ymd(2026, 11, 24));
    fixture f;
    make(&f, rg_date_from_ymd(2026, 12, 10), 123456);
    snprintf(f.inv.boleto_bank, sizeof f.inv.boleto_bank, "341");
    snprintf(f.inv.nosso_numero, sizeof f.inv.nosso_numero, "109/12345678-0");
    snprintf(f.inv.pix_code, sizeof f.inv.pix_code, "%s", PIX);
    f.inv.fine_pct = 200;
    f.inv.interest_month_pct = 105;
    rg_invoice_boleto ib;
    rg_err e;
    rg_err_clear(&e);
    assert_int_equal(rg_invoice_boleto_prepare(&f.inv, &f.c, &f.cfg, TODAY, &ib, &e), RG_OK);
    const rg_boleto_pdf *p = &ib.pdf;
    assert_string_equal(p->bank_code, "341");
    assert_string_equal(p->bank_name, "Itaú");
    assert_string_equal(p->barcode, f.code.barcode);
    assert_string_equal(p->linha_digitavel, f.code.linha_digitavel);
    assert_int_equal(p->due_date, rg_date_from_ymd(2026, 12, 10));
    assert_int_equal(p->document_date, rg_date_from_ymd(2026, 12, 1));
    assert_int_equal(p->processing_date, TODAY);
    assert_int_equal(p->valor_documento, 123456);
    assert_string_equal(p->beneficiario_nome, "Exemplo Serviços Ltda");
    assert_string_equal(p->beneficiario_doc, "11.222.333/0001-81");
    assert_string_equal(p->beneficiario_endereco, "Av. Paulista, 1000 - São Paulo/SP");
    assert_string_equal(p->agencia_codigo, "0057 / 12345-7");
    assert_string_equal(p->carteira, "109");
    assert_string_equal(p->numero_documento, "F1");
    assert_string_equal(p->nosso_numero, "109/12345678-0");
    assert_string_equal(p->pagador_nome, "Maria da Conceição");
    assert_string_equal(p->pagador_doc, "529.982.247-25");
    assert_string_equal(p->pagador_endereco1, "Rua das Flores, 123 - apto 4 - Centro");
    assert_string_equal(p->pagador_endereco2, "CEP 01310-100 - São Paulo/SP");
    assert_string_equal(p->instrucoes, "Referente a: Mensalidade\n"
                                       "Após o vencimento, cobrar multa de 2,00%.\n"
                                       "Após o vencimento, cobrar juros de mora de 1,05% ao mês (pro rata die).\n"
                                       "Pague também com Pix: QR Code e Pix Copia e Cola no recibo do pagador.\n");
    assert_true(ib.hibrido);
    assert_string_equal(p->pix_copia_cola, PIX);
    /* the renderer accepts it */
    rg_buf pdf;
    memset(&pdf, 0, sizeof pdf);
    assert_int_equal(rg_boleto_pdf_render(p, 1, &pdf, &e), RG_OK);
    assert_true(pdf.len > 1000);
    assert_memory_equal(pdf.p, "%PDF-", 5);
    rg_buf_free(&pdf);
}

static void test_prepare_minimal(void **state)
{
    (void)state;
    /* factor 0000 and amount 0: the invoice's due date and amount print;
     * no customer: no pagador; no pix: not híbrido; the barcode alone works */
    fixture f;
    make(&f, RG_DATE_NONE, 0);
    f.inv.linha_digitavel[0] = '\0';
    snprintf(f.inv.barcode, sizeof f.inv.barcode, "%s", f.code.barcode);
    f.inv.description[0] = '\0';
    rg_invoice_boleto ib;
    rg_err e;
    rg_err_clear(&e);
    assert_int_equal(rg_invoice_boleto_prepare(&f.inv, NULL, &f.cfg, TODAY, &ib, &e), RG_OK);
    assert_int_equal(ib.pdf.due_date, rg_date_from_ymd(2026, 12, 10));
    assert_int_equal(ib.pdf.valor_documento, 123456);
    assert_null(ib.pdf.pagador_nome);
    assert_null(ib.pdf.pix_copia_cola);
    assert_false(ib.hibrido);
    assert_string_equal(ib.pdf.instrucoes, "");
    /* a reissued invoice without amounts in its code prints the reissue */
    f.inv.reissued_due_date = rg_date_from_ymd(2026, 12, 20);
    f.inv.reissued_amount = 130000;
    assert_int_equal(rg_invoice_boleto_prepare(&f.inv, NULL, &f.cfg, TODAY, &ib, &e), RG_OK);
    assert_int_equal(ib.pdf.due_date, rg_date_from_ymd(2026, 12, 20));
    assert_int_equal(ib.pdf.valor_documento, 130000);
}

static void test_prepare_customer_without_address(void **state)
{
    (void)state;
    fixture f;
    make(&f, rg_date_from_ymd(2026, 12, 10), 123456);
    memset(&f.c.address, 0, sizeof f.c.address);
    snprintf(f.c.address.city, sizeof f.c.address.city, "Recife");
    snprintf(f.c.document, sizeof f.c.document, "12ABC34501DE35");
    rg_invoice_boleto ib;
    rg_err e;
    rg_err_clear(&e);
    assert_int_equal(rg_invoice_boleto_prepare(&f.inv, &f.c, &f.cfg, TODAY, &ib, &e), RG_OK);
    assert_string_equal(ib.pdf.pagador_doc, "12.ABC.345/01DE-35");
    assert_string_equal(ib.pdf.pagador_endereco1, "");
    assert_string_equal(ib.pdf.pagador_endereco2, "Recife");
}

static void test_prepare_errors(void **state)
{
    (void)state;
    fixture f;
    rg_invoice_boleto ib;
    rg_err e;
    char buf[800];

    make(&f, rg_date_from_ymd(2026, 12, 10), 123456);
    f.inv.linha_digitavel[0] = '\0';
    rg_err_clear(&e);
    assert_int_equal(rg_invoice_boleto_prepare(&f.inv, &f.c, &f.cfg, TODAY, &ib, &e), RG_EINVAL);
    assert_string_equal(rg_err_text(&e, buf, sizeof buf),
                        "invoice F1: has no boleto (neither a linha digitável nor a barcode)");
    assert_null(ib.pdf.barcode);

    make(&f, rg_date_from_ymd(2026, 12, 10), 123456);
    f.inv.linha_digitavel[46] = f.inv.linha_digitavel[46] == '9' ? '0' : (char)(f.inv.linha_digitavel[46] + 1);
    rg_err_clear(&e);
    assert_int_equal(rg_invoice_boleto_prepare(&f.inv, &f.c, &f.cfg, TODAY, &ib, &e), RG_EINVAL);
    assert_non_null(strstr(rg_err_text(&e, buf, sizeof buf),
                           "invoice F1: linha digitável: boleto: general check digit (mod 11) is wrong"));

    make(&f, rg_date_from_ymd(2026, 12, 10), 123456);
    snprintf(f.inv.boleto_bank, sizeof f.inv.boleto_bank, "237");
    rg_err_clear(&e);
    assert_int_equal(rg_invoice_boleto_prepare(&f.inv, &f.c, &f.cfg, TODAY, &ib, &e), RG_EINVAL);
    assert_string_equal(rg_err_text(&e, buf, sizeof buf),
                        "invoice F1: boleto_bank is 237 but its boleto's code is from bank 341");

    /* a barcode and a linha of two different boletos */
    fixture g;
    make(&g, rg_date_from_ymd(2026, 12, 11), 123456);
    make(&f, rg_date_from_ymd(2026, 12, 10), 123456);
    snprintf(f.inv.barcode, sizeof f.inv.barcode, "%s", g.code.barcode);
    rg_err_clear(&e);
    assert_int_equal(rg_invoice_boleto_prepare(&f.inv, &f.c, &f.cfg, TODAY, &ib, &e), RG_EINVAL);
    assert_string_equal(rg_err_text(&e, buf, sizeof buf),
                        "invoice F1: its linha digitável and its barcode are different codes");
    /* the same boleto in both forms is fine */
    snprintf(f.inv.barcode, sizeof f.inv.barcode, "%s", f.code.barcode);
    assert_int_equal(rg_invoice_boleto_prepare(&f.inv, &f.c, &f.cfg, TODAY, &ib, &e), RG_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_account_itau),
        cmocka_unit_test(test_account_bradesco_sicoob),
        cmocka_unit_test(test_account_santander_caixa),
        cmocka_unit_test(test_account_bb),
        cmocka_unit_test(test_account_unknown_or_bad),
        cmocka_unit_test(test_prepare_full),
        cmocka_unit_test(test_prepare_minimal),
        cmocka_unit_test(test_prepare_customer_without_address),
        cmocka_unit_test(test_prepare_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
