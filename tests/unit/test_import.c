#include "test.h"

#include <sqlite3.h>

#include "br/boleto.h"
#include "br/pix.h"
#include "service/import.h"
#include "service/payments.h"
#include "store/store.h"

static const rg_instant NOW = 1795000000; /* 2026-11-18T... UTC, fixed */

static rg_store *open_store(void)
{
    rg_store *s = NULL;
    rg_err e;
    assert_int_equal(rg_store_open(":memory:", &s, &e), RG_OK);
    return s;
}

static rg_status import(rg_store *s, rg_import_kind kind, const char *name, const char *text, bool skip,
                        rg_import_report *r)
{
    rg_err e;
    rg_err_clear(&e);
    return rg_import_csv_buffer(&(rg_event_env){s, rg_test_zones(), NULL}, kind, name, text, strlen(text), rg_test_import_options(skip, NOW), r, &e);
}

static const char *CUSTOMERS =
    "external_id,name,document,email,phone,whatsapp,preferred_channel,timezone,tags,street,number,"
    "complement,district,city,state,zip\n"
    "C1,Maria da Silva,529.982.247-25,maria@exemplo.com.br,(11) 98765-4321,11987654321,whatsapp,,"
    "plano-mensal|vip,Rua A,10,,Centro,São Paulo,sp,01310-100\n"
    "C2,Padaria Pão Quente Ltda,11.222.333/0001-81,contas@paoquente.com.br,(21) 3456-7890,,,America/Sao_Paulo,"
    "b2b,,,,,,,\n"
    "C3,Loja Nova,12.ABC.345/01DE-35,,,,email,America/Manaus,,,,,,,,\n";

static void load_customers(rg_store *s)
{
    rg_import_report r;
    assert_int_equal(import(s, RG_IMPORT_CUSTOMERS, "clientes.csv", CUSTOMERS, false, &r), RG_OK);
    assert_int_equal(r.inserted, 3);
    rg_import_report_free(&r);
}

static void test_customers_import_and_idempotence(void **state)
{
    (void)state;
    rg_store *s = open_store();
    load_customers(s);
    rg_customer c;
    rg_err e;
    assert_int_equal(rg_store_customer_get(s, "C1", &c, &e), RG_OK);
    assert_string_equal(c.document, "52998224725");
    assert_int_equal(c.kind, RG_KIND_PF);
    assert_string_equal(c.phone, "+5511987654321");
    assert_string_equal(c.whatsapp, "+5511987654321");
    assert_string_equal(c.tags, "plano-mensal|vip");
    assert_string_equal(c.address.state, "SP");
    assert_string_equal(c.address.zip, "01310100");
    assert_int_equal(rg_store_customer_get(s, "C2", &c, &e), RG_OK);
    assert_int_equal(c.kind, RG_KIND_PJ);
    assert_string_equal(c.phone, "+552134567890");
    assert_int_equal(rg_store_customer_get(s, "C3", &c, &e), RG_OK);
    assert_int_equal(c.kind, RG_KIND_PJ); /* alphanumeric CNPJ */
    assert_string_equal(c.document, "12ABC34501DE35");

    /* the same file again changes nothing */
    rg_import_report r;
    assert_int_equal(import(s, RG_IMPORT_CUSTOMERS, "clientes.csv", CUSTOMERS, false, &r), RG_OK);
    assert_int_equal(r.inserted, 0);
    assert_int_equal(r.updated, 0);
    assert_int_equal(r.unchanged, 3);
    rg_import_report_free(&r);

    /* a later file with fewer columns updates only what it has */
    assert_int_equal(import(s, RG_IMPORT_CUSTOMERS, "novo.csv",
                            "external_id;name;email\nC1;Maria da Silva;maria.silva@exemplo.com.br\n", false, &r),
                     RG_OK);
    assert_int_equal(r.updated, 1);
    rg_import_report_free(&r);
    assert_int_equal(rg_store_customer_get(s, "C1", &c, &e), RG_OK);
    assert_string_equal(c.email, "maria.silva@exemplo.com.br");
    assert_string_equal(c.phone, "+5511987654321"); /* untouched */
    rg_store_close(s);
}

/* A short or long row is refused; an empty field clears nothing unless
 * its column is in `clear`; text must be UTF-8 unless an encoding is given. */
static void test_rows_fields_and_clear(void **state)
{
    (void)state;
    rg_store *s = open_store();
    load_customers(s);
    rg_import_report r;
    rg_customer c;
    rg_err e;
    assert_int_equal(import(s, RG_IMPORT_CUSTOMERS, "curto.csv", "external_id,name,whatsapp,tags\nC1,Maria\n", true, &r),
                     RG_OK); /* --skip-invalid: the bad row is skipped, not half-imported */
    assert_int_equal(r.invalid, 1);
    assert_non_null(strstr(rg_buf_cstr(&r.text), "curto.csv:2: 2 fields but the header has 4"));
    rg_import_report_free(&r);
    assert_int_equal(import(s, RG_IMPORT_CUSTOMERS, "vazio.csv", "external_id,name,whatsapp,tags,email\nC1,Maria,,,\n",
                            false, &r),
                     RG_OK);
    rg_import_report_free(&r);
    assert_int_equal(rg_store_customer_get(s, "C1", &c, &e), RG_OK);
    assert_string_equal(c.name, "Maria");
    assert_string_equal(c.whatsapp, "+5511987654321");
    assert_string_equal(c.tags, "plano-mensal|vip");
    assert_string_equal(c.email, "maria@exemplo.com.br");
    rg_import_options o = *rg_test_import_options(false, NOW);
    o.clear = "tags, WhatsApp";
    const char *csv = "external_id,name,whatsapp,tags,email\nC1,Maria,,,\n";
    assert_int_equal(rg_import_csv_buffer(&(rg_event_env){s, rg_test_zones(), NULL}, RG_IMPORT_CUSTOMERS, "vazio.csv", csv, strlen(csv), &o, &r, &e), RG_OK);
    rg_import_report_free(&r);
    assert_int_equal(rg_store_customer_get(s, "C1", &c, &e), RG_OK);
    assert_string_equal(c.whatsapp, "");
    assert_string_equal(c.tags, "");
    assert_string_equal(c.email, "maria@exemplo.com.br");
    o.clear = "name";
    assert_int_equal(rg_import_csv_buffer(&(rg_event_env){s, rg_test_zones(), NULL}, RG_IMPORT_CUSTOMERS, "vazio.csv", csv, strlen(csv), &o, &r, &e), RG_EUSAGE);
    rg_import_report_free(&r);
    o.clear = NULL;

    /* invoices: the linha's bank fills an empty boleto_bank; fees split */
    assert_int_equal(import(s, RG_IMPORT_INVOICES, "f.csv",
                            "external_id,customer_external_id,amount,due_date,fine_pct,interest_month_pct\n"
                            "F1,C2,10.00,2026-12-10,5,1\n",
                            false, &r),
                     RG_OK);
    rg_import_report_free(&r);
    assert_int_equal(import(s, RG_IMPORT_INVOICES, "f.csv",
                            "external_id,customer_external_id,amount,due_date,fine_pct,interest_month_pct\n"
                            "F1,C2,10.00,2026-12-10,,2\n",
                            false, &r),
                     RG_OK);
    rg_import_report_free(&r);
    rg_invoice inv;
    assert_int_equal(rg_store_invoice_get(s, "F1", &inv, &e), RG_OK);
    assert_int_equal(inv.fine_pct, 500); /* kept */
    assert_int_equal(inv.interest_month_pct, 200);
    /* a consumer's fine above 2% is refused at the door */
    assert_int_equal(import(s, RG_IMPORT_INVOICES, "pf.csv",
                            "external_id,customer_external_id,amount,due_date,fine_pct\nF2,C1,10.00,2026-12-10,2.01\n",
                            false, &r),
                     RG_EINVAL);
    assert_non_null(strstr(rg_buf_cstr(&r.text), "pf.csv:2: fine_pct: 2.01% is above the 2.00% fine a consumer (PF)"
                                                 " may be charged (CDC art. 52 §1)"));
    rg_import_report_free(&r);

    /* encodings */
    const char *latin = "external_id,name\nC9,Jo\xe3o\n";
    assert_int_equal(import(s, RG_IMPORT_CUSTOMERS, "l.csv", latin, true, &r), RG_EINVAL); /* even with skip */
    assert_false(r.committed);
    assert_non_null(strstr(rg_buf_cstr(&r.text), "l.csv:2: byte 0xE3 is not UTF-8 text"));
    rg_import_report_free(&r);
    o.encoding = "windows-1252";
    assert_int_equal(rg_import_csv_buffer(&(rg_event_env){s, rg_test_zones(), NULL}, RG_IMPORT_CUSTOMERS, "l.csv", latin, strlen(latin), &o, &r, &e), RG_OK);
    rg_import_report_free(&r);
    assert_int_equal(rg_store_customer_get(s, "C9", &c, &e), RG_OK);
    assert_string_equal(c.name, "João");
    rg_store_close(s);
}

static int64_t count_invoices(rg_store *s)
{
    rg_store_info info;
    rg_err e;
    assert_int_equal(rg_store_info_get(s, &info, &e), RG_OK);
    return info.invoices;
}

static void test_invoices_ptbr_and_semicolons(void **state)
{
    (void)state;
    rg_store *s = open_store();
    load_customers(s);
    rg_import_report r;
    const char *csv = "external_id;customer_external_id;description;amount;issue_date;due_date;tags\n"
                      "F1;C1;\"Mensalidade; dezembro\";1.234,56;01/12/2026;10/12/2026;plano-mensal\n"
                      "F2;C2;Pedido 7;99.90;2026-11-01;2026-11-20;\n";
    assert_int_equal(import(s, RG_IMPORT_INVOICES, "faturas.csv", csv, false, &r), RG_OK);
    assert_int_equal(r.inserted, 2);
    rg_import_report_free(&r);
    rg_invoice inv;
    rg_err e;
    assert_int_equal(rg_store_invoice_get(s, "F1", &inv, &e), RG_OK);
    assert_int_equal(inv.amount, 123456);
    assert_string_equal(inv.description, "Mensalidade; dezembro");
    char b[16];
    assert_string_equal(rg_date_format_iso(inv.due_date, b, sizeof b), "2026-12-10");
    assert_int_equal(inv.status, RG_INV_OPEN);
    assert_int_equal(rg_store_invoice_get(s, "F2", &inv, &e), RG_OK);
    assert_int_equal(inv.amount, 9990);
    rg_store_close(s);
}

static void test_broken_file_changes_nothing(void **state)
{
    (void)state;
    rg_store *s = open_store();
    load_customers(s);
    const char *good = "external_id,customer_external_id,amount,due_date\nF0,C1,10.00,2026-12-01\n";
    rg_import_report r;
    assert_int_equal(import(s, RG_IMPORT_INVOICES, "ok.csv", good, false, &r), RG_OK);
    rg_import_report_free(&r);

    const char *bad = "external_id,customer_external_id,amount,due_date\n"
                      "F1,C1,10.00,2026-12-01\n"
                      "F2,C1,10.00,2026-02-30\n"     /* bad date */
                      "F3,C9,10.00,2026-12-01\n"     /* unknown customer */
                      "F1,C2,5.00,2026-12-01\n"      /* duplicate external id */
                      "F4,C1,12.345,2026-12-01\n"    /* bad amount */
                      "F0,C1,11.00,2026-12-01\n"     /* would update F0: must not */
                      "F5,C1,\"10.00,2026-12-01\n"   /* unbalanced quote */
                      "F6,C2,7.00,2026-12-03\n";
    assert_int_equal(import(s, RG_IMPORT_INVOICES, "faturas.csv", bad, false, &r), RG_EINVAL);
    const char *text = rg_buf_cstr(&r.text);
    assert_non_null(strstr(text, "faturas.csv:3: due_date: '2026-02-30' is not a valid date"));
    assert_non_null(strstr(text, "faturas.csv:4: customer_external_id: no customer with external id 'C9'"));
    assert_non_null(strstr(text, "faturas.csv:5: external_id: duplicate 'F1' in this file (first at line 2)"));
    assert_non_null(strstr(text, "faturas.csv:6: amount: '12.345' is not an amount"));
    assert_non_null(strstr(text, "faturas.csv:8: unbalanced quote"));
    assert_int_equal(r.problems, 5);
    assert_false(r.committed);
    rg_import_report_free(&r);
    /* nothing changed: F0 keeps its amount, no new invoices */
    assert_int_equal(count_invoices(s), 1);
    rg_invoice inv;
    rg_err e;
    assert_int_equal(rg_store_invoice_get(s, "F0", &inv, &e), RG_OK);
    assert_int_equal(inv.amount, 1000);

    /* --skip-invalid keeps the good rows */
    assert_int_equal(import(s, RG_IMPORT_INVOICES, "faturas.csv", bad, true, &r), RG_OK);
    assert_true(r.committed);
    assert_int_equal(r.invalid, 5);
    rg_import_report_free(&r);
    assert_int_equal(rg_store_invoice_get(s, "F0", &inv, &e), RG_OK);
    assert_int_equal(inv.amount, 1100);
    assert_int_equal(rg_store_invoice_get(s, "F6", &inv, &e), RG_OK);
    assert_int_equal(rg_store_invoice_get(s, "F2", &inv, &e), RG_ENOTFOUND);
    rg_store_close(s);
}

static void test_customer_row_errors(void **state)
{
    (void)state;
    rg_store *s = open_store();
    rg_import_report r;
    const char *bad = "external_id,name,document,email,phone,state,zip,preferred_channel,timezone\n"
                      "X1,Ana,529.982.247-24,ana@x.com,11987654321,SP,01310100,,\n"
                      "X2,,,ana@,,,,,\n"
                      "X3,Bia,,,(10) 98765-4321,ZZ,123,fax,Mars/Olympus\n";
    assert_int_equal(import(s, RG_IMPORT_CUSTOMERS, "c.csv", bad, false, &r), RG_EINVAL);
    const char *t = rg_buf_cstr(&r.text);
    assert_non_null(strstr(t, "c.csv:2: document: '529.982.247-24'"));
    assert_non_null(strstr(t, "c.csv:3: name: is required"));
    assert_non_null(strstr(t, "c.csv:3: email: 'ana@'"));
    assert_non_null(strstr(t, "c.csv:4: phone: '(10) 98765-4321': unknown DDD"));
    assert_non_null(strstr(t, "c.csv:4: state: 'ZZ'"));
    assert_non_null(strstr(t, "c.csv:4: zip: '123'"));
    assert_non_null(strstr(t, "c.csv:4: preferred_channel: 'fax'"));
    assert_non_null(strstr(t, "c.csv:4: timezone: 'Mars/Olympus'"));
    rg_import_report_free(&r);
    rg_store_info info;
    rg_err e;
    rg_store_info_get(s, &info, &e);
    assert_int_equal(info.customers, 0);
    rg_store_close(s);
}

static void test_header_errors(void **state)
{
    (void)state;
    rg_store *s = open_store();
    rg_import_report r;
    assert_int_equal(import(s, RG_IMPORT_INVOICES, "f.csv", "external_id,amount,vencimento\n1,2,3\n", false, &r),
                     RG_EINVAL);
    const char *t = rg_buf_cstr(&r.text);
    assert_non_null(strstr(t, "f.csv:1: header: unknown column 'vencimento'"));
    assert_non_null(strstr(t, "f.csv:1: header: required column 'customer_external_id' is missing"));
    assert_non_null(strstr(t, "f.csv:1: header: required column 'due_date' is missing"));
    rg_import_report_free(&r);
    assert_int_equal(import(s, RG_IMPORT_INVOICES, "empty.csv", "", false, &r), RG_EINVAL);
    assert_non_null(strstr(rg_buf_cstr(&r.text), "empty.csv:1: the file is empty"));
    rg_import_report_free(&r);
    rg_store_close(s);
}

static void test_payments(void **state)
{
    (void)state;
    rg_store *s = open_store();
    load_customers(s);
    rg_import_report r;
    assert_int_equal(import(s, RG_IMPORT_INVOICES, "f.csv",
                            "external_id,customer_external_id,amount,due_date\nF1,C1,100.00,2026-12-01\n"
                            "F2,C2,50.00,2026-12-01\n",
                            false, &r),
                     RG_OK);
    rg_import_report_free(&r);
    const char *pays = "invoice_external_id,amount,paid_at,method,reference\n"
                       "F1,40.00,2026-12-01,pix,E2E-1\n"
                       "F2,50.00,2026-12-02T10:00:00-03:00,boleto,B-9\n";
    assert_int_equal(import(s, RG_IMPORT_PAYMENTS, "p.csv", pays, false, &r), RG_OK);
    assert_int_equal(r.inserted, 2);
    rg_import_report_free(&r);
    /* the same payments again: nothing new */
    assert_int_equal(import(s, RG_IMPORT_PAYMENTS, "p.csv", pays, false, &r), RG_OK);
    assert_int_equal(r.inserted, 0);
    assert_int_equal(r.unchanged, 2);
    rg_import_report_free(&r);
    rg_invoice inv;
    rg_err e;
    assert_int_equal(rg_store_invoice_get(s, "F1", &inv, &e), RG_OK);
    assert_int_equal(inv.status, RG_INV_OPEN); /* partial */
    assert_int_equal(rg_invoice_balance(&inv), 6000);
    assert_int_equal(rg_store_invoice_get(s, "F2", &inv, &e), RG_OK);
    assert_int_equal(inv.status, RG_INV_PAID);

    /* duplicate within a file and unknown invoice are problems */
    assert_int_equal(import(s, RG_IMPORT_PAYMENTS, "q.csv",
                            "invoice_external_id,amount,reference\nF1,1.00,R\nF1,1.00,R\nF9,1.00,X\n", false, &r),
                     RG_EINVAL);
    assert_non_null(strstr(rg_buf_cstr(&r.text), "q.csv:3: reference: the same payment appears twice"));
    assert_non_null(strstr(rg_buf_cstr(&r.text), "q.csv:4: invoice_external_id: no invoice with external id 'F9'"));
    rg_import_report_free(&r);
    assert_int_equal(rg_store_invoice_get(s, "F1", &inv, &e), RG_OK);
    assert_int_equal(inv.paid, 4000);

    /* the service: a payment without reference, recorded twice, is one */
    rg_payment p;
    rg_payment_init(&p);
    memcpy(p.invoice_external_id, "F1", 3);
    p.amount = 6000;
    p.paid_at = NOW;
    rg_payment_outcome out;
    assert_int_equal(rg_payment_record(&(rg_event_env){s, rg_test_zones(), NULL}, &p, NOW, &out, &e), RG_OK);
    assert_true(out.recorded);
    assert_int_equal(out.status, RG_INV_PAID);
    rg_payment_init(&p);
    memcpy(p.invoice_external_id, "F1", 3);
    p.amount = 6000;
    p.paid_at = NOW;
    assert_int_equal(rg_payment_record(&(rg_event_env){s, rg_test_zones(), NULL}, &p, NOW, &out, &e), RG_OK);
    assert_false(out.recorded);

    /* rg_payment_submit owns its transaction: a refusal leaves none open,
     * a payment is committed (a second submit of it changes nothing) */
    rg_payment_init(&p);
    memcpy(p.invoice_external_id, "F9", 3);
    p.amount = 100;
    assert_int_equal(rg_payment_submit(&(rg_event_env){s, rg_test_zones(), NULL}, &p, NOW, &out, &e), RG_ENOTFOUND);
    assert_int_equal(rg_store_begin(s, &e), RG_OK);
    rg_store_rollback(s);
    for (int i = 0; i < 2; i++) {
        rg_payment_init(&p);
        memcpy(p.invoice_external_id, "F1", 3);
        memcpy(p.reference, "R-SUBMIT", 9);
        p.amount = 500;
        p.paid_at = NOW;
        assert_int_equal(rg_payment_submit(&(rg_event_env){s, rg_test_zones(), NULL}, &p, NOW, &out, &e), RG_OK);
        assert_int_equal(out.recorded, i == 0);
        assert_int_equal(rg_store_begin(s, &e), RG_OK);
        rg_store_rollback(s);
    }
    rg_store_close(s);
}

static void test_find_for_bank(void **state)
{
    (void)state;
    rg_store *s = open_store();
    load_customers(s);
    rg_import_report r;
    assert_int_equal(import(s, RG_IMPORT_INVOICES, "f.csv",
                            "external_id,customer_external_id,amount,due_date,nosso_numero\n"
                            "F1,C1,100.00,2026-12-01,00012345\nF2,C1,100.00,2026-12-01,\n",
                            false, &r),
                     RG_OK);
    rg_import_report_free(&r);
    rg_invoice inv;
    rg_err e;
    assert_int_equal(rg_store_invoice_find_for_bank(s, "12345", NULL, &inv, &e), RG_OK);
    assert_string_equal(inv.external_id, "F1");
    assert_int_equal(rg_store_invoice_find_for_bank(s, "000000012345", "F2", &inv, &e), RG_OK);
    assert_string_equal(inv.external_id, "F1");
    assert_int_equal(rg_store_invoice_find_for_bank(s, "999", "F2", &inv, &e), RG_OK);
    assert_string_equal(inv.external_id, "F2");
    assert_int_equal(rg_store_invoice_find_for_bank(s, "0000", "", &inv, &e), RG_ENOTFOUND);
    rg_store_close(s);
}

static void test_boleto_and_pix_columns(void **state)
{
    (void)state;
    rg_store *s = open_store();
    load_customers(s);
    rg_boleto b;
    rg_err e;
    assert_int_equal(rg_boleto_encode("341", '9', rg_date_from_ymd(2026, 12, 10), 123456,
                                      "1090000000001234567890000", &b, &e),
                     RG_OK);
    char pix[512];
    rg_pix_params pp;
    memset(&pp, 0, sizeof pp);
    pp.key = "financeiro@exemplo.com.br";
    pp.merchant_name = "Exemplo Servicos";
    pp.merchant_city = "Sao Paulo";
    pp.has_amount = true;
    pp.amount_cents = 123456;
    assert_int_equal(rg_pix_build(&pp, pix, sizeof pix, &e), RG_OK);
    char bad_linha[48];
    memcpy(bad_linha, b.linha_digitavel, 48);
    bad_linha[9] = bad_linha[9] == '0' ? '1' : '0'; /* field 1 check digit */
    char csv[2048];
    snprintf(csv, sizeof csv,
             "external_id,customer_external_id,amount,due_date,linha_digitavel,pix_code\n"
             "F1,C1,1234.56,2026-12-10,%s,%s\n"
             "F2,C1,10.00,2026-12-10,%s,\n"
             "F3,C1,10.00,2026-12-10,,%.*sX\n",
             b.linha_formatted, pix, bad_linha, (int)strlen(pix) - 1, pix);
    rg_import_report r;
    assert_int_equal(import(s, RG_IMPORT_INVOICES, "f.csv", csv, false, &r), RG_EINVAL);
    const char *t = rg_buf_cstr(&r.text);
    assert_non_null(strstr(t, "f.csv:3: linha_digitavel: "));
    assert_non_null(strstr(t, "check digit"));
    assert_non_null(strstr(t, "f.csv:4: pix_code: not a valid PIX copia-e-cola"));
    assert_int_equal(r.problems, 2);
    rg_import_report_free(&r);
    assert_int_equal(import(s, RG_IMPORT_INVOICES, "f.csv", csv, true, &r), RG_OK);
    rg_import_report_free(&r);
    rg_invoice inv;
    assert_int_equal(rg_store_invoice_get(s, "F1", &inv, &e), RG_OK);
    assert_string_equal(inv.linha_digitavel, b.linha_digitavel);
    assert_string_equal(inv.barcode, b.barcode);
    assert_string_equal(inv.boleto_bank, "341");
    assert_string_equal(inv.pix_code, pix);
    rg_store_close(s);
}

/* Batches (docs/import.md): only with skip_invalid. A store failure at row
 * 5 (a trigger in another connection plays the failing database) keeps the
 * two batches of two rows committed before it, and says so; without
 * skip_invalid the same file keeps nothing. */
static void test_batches_only_when_skipping(void **state)
{
    (void)state;
    const char *path = rg_test_path("batches.db");
    remove(path);
    rg_store *s = NULL;
    rg_err e;
    assert_int_equal(rg_store_open(path, &s, &e), RG_OK);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TRIGGER fail_c5 BEFORE INSERT ON customers WHEN NEW.external_id = 'C5'"
                                  " BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    const char *csv = "external_id,name\nC1,A\nC2,B\nbad,\nC4,D\nC5,E\nC6,F\n";
    rg_import_options io = *rg_test_import_options(false, NOW);
    io.batch_rows = 2;
    rg_import_report r;
    rg_event_env env = {s, rg_test_zones(), NULL};
    /* all or nothing: batch_rows is ignored, the failure keeps nothing */
    rg_err_clear(&e);
    assert_int_equal(rg_import_csv_buffer(&env, RG_IMPORT_CUSTOMERS, "c.csv", csv, strlen(csv), &io, &r, &e), RG_ESTORE);
    assert_false(r.committed);
    assert_int_equal(r.kept_rows, 0);
    assert_null(strstr(e.msg, "kept"));
    rg_import_report_free(&r);
    int64_t id = -1;
    assert_int_equal(rg_store_customer_id(s, "C1", &id, &e), RG_OK);
    assert_int_equal(id, 0);
    /* skipping invalid rows: batches of 2 rows (the invalid one counts) */
    io.skip_invalid = true;
    rg_err_clear(&e);
    assert_int_equal(rg_import_csv_buffer(&env, RG_IMPORT_CUSTOMERS, "c.csv", csv, strlen(csv), &io, &r, &e), RG_ESTORE);
    assert_true(r.committed);
    assert_int_equal(r.batches, 2);
    assert_int_equal(r.kept_rows, 4);
    assert_non_null(strstr(e.msg, "disk full (simulated)"));
    assert_non_null(strstr(e.msg, "the first 4 rows were kept (committed in batches of 2 with --skip-invalid)"));
    rg_import_report_free(&r);
    const char *kept[] = {"C1", "C2", "C4"};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(rg_store_customer_id(s, kept[i], &id, &e), RG_OK);
        assert_true(id > 0);
    }
    assert_int_equal(rg_store_customer_id(s, "C6", &id, &e), RG_OK);
    assert_int_equal(id, 0);
    /* once the database is well, the same file completes it */
    assert_int_equal(sqlite3_exec(db, "DROP TRIGGER fail_c5", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(rg_import_csv_buffer(&env, RG_IMPORT_CUSTOMERS, "c.csv", csv, strlen(csv), &io, &r, &e), RG_OK);
    assert_int_equal(r.inserted, 2);
    assert_int_equal(r.unchanged, 3);
    assert_int_equal(r.batches, 4); /* after rows 2, 4, 6 and at the end */
    assert_int_equal(r.kept_rows, 6);
    rg_import_report_free(&r);
    sqlite3_close(db);
    rg_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_customers_import_and_idempotence),
        cmocka_unit_test(test_invoices_ptbr_and_semicolons),
        cmocka_unit_test(test_broken_file_changes_nothing),
        cmocka_unit_test(test_customer_row_errors),
        cmocka_unit_test(test_header_errors),
        cmocka_unit_test(test_payments),
        cmocka_unit_test(test_rows_fields_and_clear),
        cmocka_unit_test(test_find_for_bank),
        cmocka_unit_test(test_boleto_and_pix_columns),
        cmocka_unit_test(test_batches_only_when_skipping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
