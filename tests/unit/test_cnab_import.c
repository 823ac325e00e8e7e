/*
 * Tests for service/cnab_import. The return files are built here field by
 * field at the positions of the bank manuals, as tests/unit/test_cnab.c
 * does (Itaú "Cobrança 400 bytes CNAB" arquivo retorno; Bradesco "Layout de
 * cobrança CNAB 400" arquivo retorno; FEBRABAN "Layout padrão CNAB 240
 * v10", segmentos T e U); customers and invoices come in through the CSV
 * importer into an in-memory store.
 */
#include "test.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>

#include "base/buf.h"
#include "base/date.h"
#include "service/cnab_import.h"
#include "service/import.h"
#include "store/store.h"

static const rg_instant NOW = 1774267200; /* 2026-03-23T12:00:00Z, fixed */

/* ---- fixture builder (positions as in test_cnab.c) ---- */

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

static void put(line *l, int start, int len, const char *s)
{
    size_t sl = strlen(s);
    for (int i = 0; i < len; i++)
        l->b[start - 1 + i] = (size_t)i < sl ? s[i] : ' ';
}

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

static void h400(line *l, const char *bank, const char *generated)
{
    blank(l, 400);
    put(l, 1, 9, "02RETORNO");
    put(l, 10, 2, "01");
    put(l, 12, 15, "COBRANCA");
    put(l, 47, 30, "REGUA COBRANCA LTDA");
    put(l, 77, 3, bank);
    put(l, 80, 15, !strcmp(bank, "341") ? "BANCO ITAU SA" : "BRADESCO");
    put(l, 95, 6, generated);
    putn(l, 395, 6, 1);
}

typedef struct d400 {
    const char *nosso;
    const char *occ;
    const char *occ_date; /* DDMMAA */
    const char *doc;
    long long face, discount, paid, interest;
    const char *credit; /* DDMMAA */
    const char *reasons;
} d400;

static void itau_detail(line *l, const d400 *d, int seq)
{
    blank(l, 400);
    put(l, 1, 1, "1");
    put(l, 2, 2, "02");
    put(l, 4, 14, "12345678000195");
    put(l, 38, 25, "");
    put(l, 63, 8, d->nosso);
    put(l, 83, 3, "109");
    put(l, 86, 8, d->nosso);
    put(l, 108, 1, "I");
    put(l, 109, 2, d->occ);
    put(l, 111, 6, d->occ_date);
    put(l, 117, 10, d->doc);
    put(l, 147, 6, "100326");
    putn(l, 153, 13, d->face);
    put(l, 166, 3, "341");
    putn(l, 176, 13, 0);
    putn(l, 215, 13, 0);
    putn(l, 228, 13, 0);
    putn(l, 241, 13, d->discount);
    putn(l, 254, 13, d->paid);
    putn(l, 267, 13, d->interest);
    putn(l, 280, 13, 0);
    put(l, 296, 6, d->credit);
    put(l, 378, 8, d->reasons);
    putn(l, 395, 6, seq);
}

static void bradesco_detail(line *l, const d400 *d, int seq)
{
    blank(l, 400);
    put(l, 1, 1, "1");
    put(l, 2, 2, "02");
    put(l, 4, 14, "12345678000195");
    put(l, 21, 17, "00090123400567890");
    putn(l, 63, 8, 0);
    put(l, 71, 12, d->nosso);
    putn(l, 83, 10, 0);
    putn(l, 93, 12, 0);
    put(l, 108, 1, "9");
    put(l, 109, 2, d->occ);
    put(l, 111, 6, d->occ_date);
    put(l, 117, 10, d->doc);
    put(l, 147, 6, "040326");
    putn(l, 153, 13, d->face);
    put(l, 166, 3, "237");
    putn(l, 176, 13, 0);
    putn(l, 189, 13, 0);
    putn(l, 202, 13, 0);
    putn(l, 215, 13, 0);
    putn(l, 228, 13, 0);
    putn(l, 241, 13, d->discount);
    putn(l, 254, 13, d->paid);
    putn(l, 267, 13, d->interest);
    putn(l, 280, 13, 0);
    put(l, 296, 6, d->credit);
    put(l, 319, 10, d->reasons);
    putn(l, 395, 6, seq);
}

static void trailer400(line *l, const char *bank, long long count, long long total, int seq)
{
    blank(l, 400);
    put(l, 1, 4, "9201");
    put(l, 5, 3, bank);
    if (!strcmp(bank, "341")) {
        putn(l, 213, 8, count);
        putn(l, 221, 14, total);
    } else {
        putn(l, 18, 8, count);
        putn(l, 26, 14, total);
    }
    putn(l, 395, 6, seq);
}

/* A CNAB 400 file: header, the details, a trailer declaring their count
 * and face total (plus the given error in the total). */
static void file400(rg_buf *f, const char *bank, const char *generated, const d400 *const *ds, size_t n,
                    long long total_error, const char *eol)
{
    line l;
    long long total = 0;
    h400(&l, bank, generated);
    add(f, &l, eol);
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(bank, "341"))
            itau_detail(&l, ds[i], (int)i + 2);
        else
            bradesco_detail(&l, ds[i], (int)i + 2);
        total += ds[i]->face;
        add(f, &l, eol);
    }
    trailer400(&l, bank, (long long)n, total + total_error, (int)n + 2);
    add(f, &l, eol);
}

/* CNAB 240 */
static void h240(line *l)
{
    blank(l, 240);
    put(l, 1, 3, "001");
    put(l, 4, 4, "0000");
    put(l, 8, 1, "0");
    put(l, 18, 1, "2");
    put(l, 19, 14, "12345678000195");
    put(l, 73, 30, "REGUA COBRANCA LTDA");
    put(l, 143, 1, "2");
    put(l, 144, 8, "16032026");
    put(l, 152, 6, "101500");
    putn(l, 158, 6, 42);
    put(l, 164, 3, "103");
}

static void hlote240(line *l)
{
    blank(l, 240);
    put(l, 1, 3, "001");
    putn(l, 4, 4, 1);
    put(l, 8, 1, "1");
    put(l, 9, 1, "T");
    put(l, 10, 2, "01");
    put(l, 14, 3, "060");
}

typedef struct d240 {
    const char *occ;
    const char *nosso;
    const char *doc;
    long long face, interest, discount, paid, net;
    const char *occ_date, *credit; /* DDMMAAAA */
} d240;

static void t240(line *l, int seq, const d240 *d)
{
    blank(l, 240);
    put(l, 1, 3, "001");
    putn(l, 4, 4, 1);
    put(l, 8, 1, "3");
    putn(l, 9, 5, seq);
    put(l, 14, 1, "T");
    put(l, 16, 2, d->occ);
    put(l, 18, 5, "01234");
    put(l, 24, 12, "000000056789");
    put(l, 38, 20, d->nosso);
    put(l, 59, 15, d->doc);
    put(l, 74, 8, "10032026");
    putn(l, 82, 15, d->face);
    putn(l, 97, 3, 0);
    putn(l, 199, 15, 0);
}

static void u240(line *l, int seq, const d240 *d)
{
    blank(l, 240);
    put(l, 1, 3, "001");
    putn(l, 4, 4, 1);
    put(l, 8, 1, "3");
    putn(l, 9, 5, seq);
    put(l, 14, 1, "U");
    put(l, 16, 2, d->occ);
    putn(l, 18, 15, d->interest);
    putn(l, 33, 15, d->discount);
    putn(l, 48, 15, 0);
    putn(l, 63, 15, 0);
    putn(l, 78, 15, d->paid);
    putn(l, 93, 15, d->net);
    putn(l, 108, 15, 0);
    putn(l, 123, 15, 0);
    put(l, 138, 8, d->occ_date);
    put(l, 146, 8, d->credit);
}

static void file240(rg_buf *f, const d240 *const *ds, size_t n)
{
    line l;
    long long total = 0;
    h240(&l);
    add(f, &l, "\r\n");
    hlote240(&l);
    add(f, &l, "\r\n");
    for (size_t i = 0; i < n; i++) {
        t240(&l, (int)(2 * i + 1), ds[i]);
        add(f, &l, "\r\n");
        u240(&l, (int)(2 * i + 2), ds[i]);
        add(f, &l, "\r\n");
        total += ds[i]->face;
    }
    blank(&l, 240);
    put(&l, 1, 3, "001");
    putn(&l, 4, 4, 1);
    put(&l, 8, 1, "5");
    putn(&l, 18, 6, (int)(2 * n + 2));
    putn(&l, 24, 6, (int)n);
    putn(&l, 30, 17, total);
    add(f, &l, "\r\n");
    blank(&l, 240);
    put(&l, 1, 3, "001");
    put(&l, 4, 4, "9999");
    put(&l, 8, 1, "9");
    putn(&l, 18, 6, 1);
    putn(&l, 24, 6, (int)(2 * n + 4));
    add(f, &l, "\r\n");
}

/* ---- store fixture ---- */

static const char *INVOICES =
    "external_id,customer_external_id,amount,due_date,nosso_numero\n"
    "NF0001,C1,150.00,2026-03-10,12345\n"       /* Itaú nosso 00012345 */
    "INV-DOC,C1,200.00,2026-03-10,\n"           /* matched by document number */
    "PARC,C1,300.00,2026-03-10,777\n"           /* a partial payment */
    "BR1234,C1,200.00,2026-03-04,00000001234\n" /* Bradesco: nosso 00000001234P (with DV) */
    "BR1235,C2,100.00,2026-02-01,1235\n"        /* Bradesco after baixa */
    "T240,C2,1250.00,2026-03-10,123456\n"       /* CNAB 240 */
    "E240,C2,50.50,2026-04-10,123457\n";

static rg_store *open_store(void)
{
    rg_store *s = NULL;
    rg_err e;
    rg_import_report r;
    assert_int_equal(rg_store_open(":memory:", &s, &e), RG_OK);
    const char *c = "external_id,name\nC1,Maria da Silva\nC2,Padaria Pão Quente\n";
    assert_int_equal(rg_import_csv_buffer(&(rg_event_env){s, rg_test_zones(), NULL}, RG_IMPORT_CUSTOMERS, "c.csv", c, strlen(c), rg_test_import_options(false, NOW), &r, &e), RG_OK);
    rg_import_report_free(&r);
    assert_int_equal(
        rg_import_csv_buffer(&(rg_event_env){s, rg_test_zones(), NULL}, RG_IMPORT_INVOICES, "f.csv", INVOICES, strlen(INVOICES), rg_test_import_options(false, NOW), &r, &e), RG_OK);
    assert_int_equal(r.inserted, 7);
    rg_import_report_free(&r);
    return s;
}

/* flags: 0, or RG_CNABI_DRY_RUN / RG_CNABI_ACCEPT_PARTIAL (true is a dry run) */
static rg_status import(rg_store *s, const char *name, const rg_buf *f, unsigned flags, rg_cnab_import_report *r)
{
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_cnab_import_buffer(&(rg_event_env){s, rg_test_zones(), NULL}, name, f->p, f->len, flags, NOW, r, &e);
    if (rc != RG_OK && rc != RG_EINVAL)
        print_message("import: %s: %s\n", e.where, e.msg);
    return rc;
}

static rg_invoice invoice(rg_store *s, const char *ext)
{
    rg_invoice inv;
    rg_err e;
    assert_int_equal(rg_store_invoice_get(s, ext, &inv, &e), RG_OK);
    return inv;
}

static int64_t payments(rg_store *s)
{
    rg_store_info info;
    rg_err e;
    assert_int_equal(rg_store_info_get(s, &info, &e), RG_OK);
    return info.payments;
}

typedef struct pay_list {
    rg_payment p[4];
    int n;
} pay_list;

static rg_status collect(void *ctx, const rg_payment *p)
{
    pay_list *l = ctx;
    if (l->n < 4)
        l->p[l->n] = *p;
    l->n++;
    return RG_OK;
}

static pay_list payments_of(rg_store *s, const char *ext)
{
    pay_list l;
    memset(&l, 0, sizeof l);
    rg_err e;
    rg_invoice inv = invoice(s, ext);
    assert_int_equal(rg_store_payment_each(s, inv.id, collect, &l, &e), RG_OK);
    return l;
}

static const rg_cnab_import_item *item_at(const rg_cnab_import_report *r, size_t line_no)
{
    for (size_t i = 0; i < r->n_items; i++)
        if (r->items[i].line == line_no)
            return &r->items[i];
    fail_msg("no item for line %zu", line_no);
    return NULL;
}

/* ---- Itaú 400 ---- */

static const d400 itau_paid = {"00012345", "06", "150326", "NF0001", 15000, 0, 15330, 330, "170326", ""};
static const d400 itau_by_doc = {"00099999", "06", "150326", "INV-DOC", 20000, 0, 20000, 0, "170326", ""};
static const d400 itau_unknown = {"00055555", "06", "150326", "NF9999", 4000, 0, 4000, 0, "170326", ""};
static const d400 itau_partial = {"00000777", "07", "150326", "PARC", 30000, 0, 10000, 0, "170326", ""};
static const d400 itau_entry = {"00012346", "02", "020326", "E240", 5050, 0, 0, 0, "000000", ""};
static const d400 itau_reject = {"00012347", "03", "020326", "NF0003", 5000, 0, 0, 0, "      ", "AB120000"};

static void itau_main_file(rg_buf *f, const char *eol)
{
    const d400 *ds[] = {&itau_paid, &itau_by_doc, &itau_unknown, &itau_partial, &itau_entry, &itau_reject};
    file400(f, "341", "160326", ds, 6, 0, eol);
}

static void test_itau_import(void **state)
{
    (void)state;
    rg_store *s = open_store();
    rg_buf f = RG_BUF_INIT;
    itau_main_file(&f, "\r\n");
    rg_cnab_import_report r;
    assert_int_equal(import(s, "CN16036A.RET", &f, false, &r), RG_OK);
    assert_string_equal(r.file_name, "CN16036A.RET");
    assert_int_equal(r.layout, RG_CNAB_400);
    assert_string_equal(r.bank, "341");
    assert_int_equal(r.generated, rg_date_from_ymd(2026, 3, 16));
    assert_int_equal(r.n_lines, 8);
    assert_int_equal(strlen(r.hash), 16);
    assert_true(r.committed);
    assert_false(r.dry_run);
    assert_int_equal(r.n_items, 6);

    /* liquidations: two matched and paid in full, one partial, one unmatched */
    assert_int_equal(r.recorded.count, 3);
    assert_int_equal(r.recorded.cents, 15330 + 20000 + 10000);
    assert_int_equal(r.paid_in_full, 2);
    assert_int_equal(r.partial, 1);
    assert_int_equal(r.not_open, 0);
    assert_int_equal(r.already.count, 0);
    assert_int_equal(r.duplicate.count, 0);
    assert_int_equal(r.unmatched.count, 1);
    assert_int_equal(r.unmatched.cents, 4000);

    /* by nosso número (00012345 = 12345) */
    const rg_cnab_import_item *a = item_at(&r, 2);
    assert_int_equal(a->outcome, RG_CNABI_RECORDED);
    assert_int_equal(a->kind, RG_CNAB_LIQUIDATION);
    assert_string_equal(a->invoice, "NF0001");
    assert_true(a->matched);
    assert_true(a->was_open);
    assert_int_equal(a->amount, 15330); /* valor pago, interest included */
    assert_int_equal(a->paid_at, rg_instant_from_civil(rg_date_from_ymd(2026, 3, 17), 15, 0, 0)); /* noon in São Paulo */
    assert_int_equal(a->status, RG_INV_PAID);
    assert_int_equal(a->balance, 0);
    char ref[64];
    snprintf(ref, sizeof ref, "cnab:%s:2", r.hash);
    assert_string_equal(a->reference, ref);
    rg_invoice inv = invoice(s, "NF0001");
    assert_int_equal(inv.status, RG_INV_PAID);
    assert_int_equal(inv.paid, 15330);
    pay_list pl = payments_of(s, "NF0001");
    assert_int_equal(pl.n, 1);
    assert_int_equal(pl.p[0].source, RG_PAY_CNAB);
    assert_string_equal(pl.p[0].method, "boleto");
    assert_string_equal(pl.p[0].reference, ref);
    assert_int_equal(pl.p[0].amount, 15330);
    assert_int_equal(pl.p[0].paid_at, a->paid_at);

    /* by document number (nosso 00099999 is nobody's) */
    const rg_cnab_import_item *b = item_at(&r, 3);
    assert_int_equal(b->outcome, RG_CNABI_RECORDED);
    assert_string_equal(b->invoice, "INV-DOC");
    assert_int_equal(invoice(s, "INV-DOC").status, RG_INV_PAID);

    /* unmatched: listed with its line and nosso número, nothing recorded */
    const rg_cnab_import_item *c = item_at(&r, 4);
    assert_int_equal(c->outcome, RG_CNABI_UNMATCHED);
    assert_false(c->matched);
    assert_string_equal(c->nosso_numero, "00055555");
    assert_string_equal(c->documento, "NF9999");
    assert_string_equal(c->invoice, "");
    assert_int_equal(c->amount, 4000);

    /* partial (Itaú 07): the invoice stays open with its balance */
    const rg_cnab_import_item *d = item_at(&r, 5);
    assert_int_equal(d->outcome, RG_CNABI_RECORDED);
    assert_string_equal(d->occurrence, "07");
    assert_int_equal(d->status, RG_INV_OPEN);
    assert_int_equal(d->balance, 20000);
    inv = invoice(s, "PARC");
    assert_int_equal(inv.status, RG_INV_OPEN);
    assert_int_equal(inv.paid, 10000);

    /* other occurrences: reported by kind, nothing recorded */
    const rg_cnab_import_item *en = item_at(&r, 6);
    assert_int_equal(en->outcome, RG_CNABI_OCCURRENCE);
    assert_int_equal(en->kind, RG_CNAB_ENTRY_CONFIRMED);
    assert_string_equal(en->invoice, "E240"); /* matched by document, for the report */
    assert_int_equal(en->amount, 5050);
    assert_int_equal(en->paid_at, RG_INSTANT_NONE);
    assert_string_equal(en->reference, "");
    const rg_cnab_import_item *rj = item_at(&r, 7);
    assert_int_equal(rj->kind, RG_CNAB_REJECTED);
    assert_false(rj->matched);
    assert_string_equal(rj->reasons, "AB120000");
    assert_int_equal(r.occurrences[RG_CNAB_ENTRY_CONFIRMED].count, 1);
    assert_int_equal(r.occurrences[RG_CNAB_ENTRY_CONFIRMED].cents, 5050);
    assert_int_equal(r.occurrences[RG_CNAB_REJECTED].count, 1);
    assert_int_equal(r.occurrences[RG_CNAB_REJECTED].cents, 5000);
    assert_int_equal(r.occurrences[RG_CNAB_WRITE_OFF].count, 0);
    assert_int_equal(r.occurrences[RG_CNAB_LIQUIDATION].count, 0);
    assert_int_equal(invoice(s, "E240").status, RG_INV_OPEN);
    assert_int_equal(payments(s), 3);

    assert_int_equal(r.n_corrupt, 0);
    assert_int_equal(r.n_corrupt_total, 0);
    assert_true(r.totals.ok);
    assert_int_equal(r.n_trailer_issues, 0);
    assert_true(rg_cnab_import_clean(&r));
    rg_cnab_import_report_free(&r);
    rg_buf_free(&f);
    rg_store_close(s);
}

/* The payment.received event carries the reference (file hash and line). */
typedef struct ev_list {
    char types[8][32];
    char payload[8][512];
    char source[8][24];
    int n;
} ev_list;

static rg_status collect_ev(void *ctx, const rg_event *ev)
{
    ev_list *l = ctx;
    if (l->n < 8) {
        rg_strlcpy(l->types[l->n], ev->type, sizeof l->types[0]);
        rg_strlcpy(l->payload[l->n], ev->payload ? ev->payload : "{}", sizeof l->payload[0]);
        rg_strlcpy(l->source[l->n], ev->source, sizeof l->source[0]);
    }
    l->n++;
    return RG_OK;
}

static void test_event(void **state)
{
    (void)state;
    rg_store *s = open_store();
    rg_buf f = RG_BUF_INIT;
    const d400 *ds[] = {&itau_paid};
    file400(&f, "341", "160326", ds, 1, 0, "\n");
    rg_cnab_import_report r;
    assert_int_equal(import(s, "a.ret", &f, false, &r), RG_OK);
    ev_list l;
    memset(&l, 0, sizeof l);
    rg_err e;
    assert_int_equal(rg_store_event_each_for_invoice(s, invoice(s, "NF0001").id, collect_ev, &l, &e), RG_OK);
    /* by instant: the payment (17/03) before invoice.created (NOW, 23/03) */
    assert_int_equal(l.n, 2);
    assert_string_equal(l.types[0], "payment.received");
    assert_string_equal(l.types[1], "invoice.created");
    assert_string_equal(l.source[0], "cnab");
    char want[80];
    snprintf(want, sizeof want, "\"reference\":\"cnab:%s:2\"", r.hash);
    assert_non_null(strstr(l.payload[0], want));
    assert_non_null(strstr(l.payload[0], "\"invoice_status\":\"paid\""));
    rg_cnab_import_report_free(&r);
    rg_buf_free(&f);
    rg_store_close(s);
}

/* ---- idempotence ---- */

static void test_second_import_records_nothing(void **state)
{
    (void)state;
    rg_store *s = open_store();
    rg_buf f = RG_BUF_INIT;
    itau_main_file(&f, "\r\n");
    rg_cnab_import_report r1, r2;
    assert_int_equal(import(s, "CN16036A.RET", &f, false, &r1), RG_OK);
    assert_int_equal(payments(s), 3);

    /* the same file again */
    assert_int_equal(import(s, "CN16036A.RET", &f, false, &r2), RG_OK);
    assert_int_equal(r2.recorded.count, 0);
    assert_int_equal(r2.already.count, 3);
    assert_int_equal(r2.already.cents, 15330 + 20000 + 10000);
    assert_int_equal(r2.unmatched.count, 1);
    assert_int_equal(item_at(&r2, 2)->outcome, RG_CNABI_ALREADY);
    assert_int_equal(item_at(&r2, 2)->status, RG_INV_PAID);
    assert_int_equal(item_at(&r2, 5)->balance, 20000);
    assert_string_equal(r2.hash, r1.hash);
    assert_int_equal(payments(s), 3);
    assert_int_equal(invoice(s, "PARC").paid, 10000);
    rg_cnab_import_report_free(&r2);

    /* renamed, with LF line endings and a DOS EOF byte: the same content */
    rg_buf g = RG_BUF_INIT;
    itau_main_file(&g, "\n");
    rg_buf_putc(&g, 0x1a);
    assert_int_equal(import(s, "copia de CN16036A.txt", &g, false, &r2), RG_OK);
    assert_string_equal(r2.hash, r1.hash);
    /* the hash: BLAKE2b-256 of the records joined by LF, no final LF or 0x1A */
    unsigned char h[crypto_generichash_BYTES];
    char hex[2 * sizeof h + 1];
    assert_int_equal(crypto_generichash(h, sizeof h, (const unsigned char *)g.p, g.len - 2, NULL, 0), 0);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    hex[16] = '\0';
    assert_string_equal(r1.hash, hex);
    assert_int_equal(r2.recorded.count, 0);
    assert_int_equal(r2.already.count, 3);
    assert_int_equal(payments(s), 3);
    rg_cnab_import_report_free(&r2);
    rg_cnab_import_report_free(&r1);
    rg_buf_free(&f);
    rg_buf_free(&g);
    rg_store_close(s);
}

/* A regenerated file (another generation date in the header) reporting the
 * same liquidation: another hash, but the same invoice, amount and credit
 * date are already recorded from the first file — not recorded twice. A
 * new liquidation in it is recorded. */
static void test_duplicate_from_another_file(void **state)
{
    (void)state;
    rg_store *s = open_store();
    rg_buf f = RG_BUF_INIT, g = RG_BUF_INIT;
    const d400 *first[] = {&itau_paid, &itau_partial};
    file400(&f, "341", "160326", first, 2, 0, "\r\n");
    rg_cnab_import_report r1, r2;
    assert_int_equal(import(s, "a.ret", &f, false, &r1), RG_OK);
    assert_int_equal(r1.recorded.count, 2);

    /* the partial one again (same amount and date) and a second partial payment */
    static const d400 second_partial = {"00000777", "07", "180326", "PARC", 30000, 0, 5000, 0, "190326", ""};
    const d400 *again[] = {&itau_partial, &itau_paid, &second_partial};
    file400(&g, "341", "200326", again, 3, 0, "\r\n");
    assert_int_equal(import(s, "b.ret", &g, false, &r2), RG_OK);
    assert_string_not_equal(r2.hash, r1.hash);
    assert_int_equal(r2.duplicate.count, 2);
    assert_int_equal(r2.duplicate.cents, 10000 + 15330);
    assert_int_equal(r2.recorded.count, 1);
    assert_int_equal(r2.recorded.cents, 5000);
    const rg_cnab_import_item *d = item_at(&r2, 2);
    assert_int_equal(d->outcome, RG_CNABI_DUPLICATE);
    char want[64];
    snprintf(want, sizeof want, "cnab:%s:3", r1.hash);
    assert_string_equal(d->duplicate_of, want);
    assert_int_equal(item_at(&r2, 3)->outcome, RG_CNABI_DUPLICATE);
    assert_int_equal(item_at(&r2, 4)->outcome, RG_CNABI_RECORDED);
    assert_int_equal(item_at(&r2, 4)->balance, 15000);
    assert_int_equal(invoice(s, "PARC").paid, 15000);
    assert_int_equal(payments(s), 3);
    rg_cnab_import_report_free(&r1);
    rg_cnab_import_report_free(&r2);

    /* two equal partial payments in one file are two payments */
    rg_buf_reset(&f);
    static const d400 p1 = {"00000777", "07", "210326", "PARC", 30000, 0, 1000, 0, "220326", ""};
    const d400 *twice[] = {&p1, &p1};
    file400(&f, "341", "220326", twice, 2, 0, "\n");
    assert_int_equal(import(s, "c.ret", &f, false, &r1), RG_OK);
    assert_int_equal(r1.recorded.count, 2);
    assert_int_equal(r1.duplicate.count, 0);
    assert_int_equal(invoice(s, "PARC").paid, 17000);
    rg_cnab_import_report_free(&r1);
    rg_buf_free(&f);
    rg_buf_free(&g);
    rg_store_close(s);
}

/* ---- dry run ---- */

static void test_dry_run(void **state)
{
    (void)state;
    rg_store *s = open_store();
    rg_buf f = RG_BUF_INIT;
    itau_main_file(&f, "\r\n");
    rg_cnab_import_report dry, real;
    assert_int_equal(import(s, "x.ret", &f, RG_CNABI_DRY_RUN, &dry), RG_OK);
    assert_true(dry.dry_run);
    assert_false(dry.committed);
    assert_int_equal(dry.recorded.count, 3);
    assert_int_equal(dry.paid_in_full, 2);
    assert_int_equal(dry.partial, 1);
    assert_int_equal(dry.unmatched.count, 1);
    assert_int_equal(item_at(&dry, 2)->status, RG_INV_PAID); /* what it would become */
    /* nothing changed */
    assert_int_equal(payments(s), 0);
    assert_int_equal(invoice(s, "NF0001").status, RG_INV_OPEN);
    assert_int_equal(invoice(s, "NF0001").paid, 0);
    assert_int_equal(payments_of(s, "NF0001").n, 0);

    /* the real import does exactly what the dry run said */
    assert_int_equal(import(s, "x.ret", &f, false, &real), RG_OK);
    assert_true(real.committed);
    assert_int_equal(real.n_items, dry.n_items);
    for (size_t i = 0; i < real.n_items; i++) {
        assert_int_equal(real.items[i].outcome, dry.items[i].outcome);
        assert_int_equal(real.items[i].amount, dry.items[i].amount);
        assert_int_equal(real.items[i].status, dry.items[i].status);
        assert_int_equal(real.items[i].balance, dry.items[i].balance);
        assert_string_equal(real.items[i].reference, dry.items[i].reference);
    }
    assert_int_equal(payments(s), 3);

    /* and a dry run of an imported file says it is all recorded already */
    rg_cnab_import_report_free(&dry);
    assert_int_equal(import(s, "x.ret", &f, RG_CNABI_DRY_RUN, &dry), RG_OK);
    assert_int_equal(dry.already.count, 3);
    assert_int_equal(dry.recorded.count, 0);
    rg_cnab_import_report_free(&dry);
    rg_cnab_import_report_free(&real);
    rg_buf_free(&f);
    rg_store_close(s);
}

/* ---- corrupt lines and the trailer ---- */

static void test_corrupt_lines(void **state)
{
    (void)state;
    rg_store *s = open_store();
    rg_buf f = RG_BUF_INIT;
    line l;
    h400(&l, "341", "160326");
    add(&f, &l, "\r\n");
    itau_detail(&l, &itau_paid, 2); /* 2: fine */
    add(&f, &l, "\r\n");
    itau_detail(&l, &itau_by_doc, 3); /* 3: a short line */
    l.n = 399;
    add(&f, &l, "\r\n");
    itau_detail(&l, &itau_by_doc, 4); /* 4: a letter in valor principal */
    l.b[260] = 'X';
    add(&f, &l, "\r\n");
    itau_detail(&l, &itau_partial, 5); /* 5: fine */
    add(&f, &l, "\r\n");
    static const d400 no_amount = {"00055556", "06", "150326", "NF8888", 0, 0, 0, 0, "170326", ""};
    itau_detail(&l, &no_amount, 6); /* 6: a liquidation without any amount */
    add(&f, &l, "\r\n");
    trailer400(&l, "341", 5, 15000 + 20000 + 20000 + 30000 + 0, 7);
    add(&f, &l, "\r\n");

    rg_cnab_import_report r;
    assert_int_equal(import(s, "bad.ret", &f, false, &r), RG_OK);
    assert_true(r.committed);
    /* the good lines are recorded */
    assert_int_equal(r.recorded.count, 2);
    assert_int_equal(invoice(s, "NF0001").status, RG_INV_PAID);
    assert_int_equal(invoice(s, "PARC").paid, 10000);
    assert_int_equal(invoice(s, "INV-DOC").paid, 0);
    assert_int_equal(payments(s), 2);
    assert_int_equal(r.n_items, 2);
    /* the corrupt ones are reported with line, field and message, by line */
    assert_int_equal(r.n_corrupt, 3);
    assert_int_equal(r.n_corrupt_total, 3);
    assert_int_equal(r.corrupt[0].line, 3);
    assert_string_equal(r.corrupt[0].field, "line");
    assert_string_equal(r.corrupt[0].msg, "expected 400 characters, found 399");
    assert_int_equal(r.corrupt[1].line, 4);
    assert_string_equal(r.corrupt[1].field, "valor_principal");
    assert_string_equal(r.corrupt[1].msg, "positions 254-266: expected 13 digits, found \"0000000X20000\"");
    assert_int_equal(r.corrupt[2].line, 6);
    assert_string_equal(r.corrupt[2].field, "valor_pago");
    assert_string_equal(r.corrupt[2].msg, "occurrence 06 is a liquidation but neither the amount paid nor the face"
                                          " value is given; nothing recorded");
    /* the trailer's count matches (5 detail records); its value cannot */
    assert_false(r.totals.ok);
    assert_int_equal(r.n_trailer_issues, 1);
    assert_int_equal(r.trailer_issues[0].line, 7);
    assert_string_equal(r.trailer_issues[0].field, "trailer.total");
    assert_false(rg_cnab_import_clean(&r));
    rg_cnab_import_report_free(&r);
    rg_buf_free(&f);
    rg_store_close(s);
}

static void test_trailer_mismatch_and_missing(void **state)
{
    (void)state;
    rg_store *s = open_store();
    rg_buf f = RG_BUF_INIT;
    const d400 *ds[] = {&itau_paid};
    file400(&f, "341", "160326", ds, 1, 1, "\n"); /* total off by one centavo */
    rg_cnab_import_report r;
    assert_int_equal(import(s, "t.ret", &f, false, &r), RG_OK);
    assert_int_equal(r.recorded.count, 1); /* still recorded, and reported */
    assert_true(r.committed);
    assert_true(r.totals.present);
    assert_false(r.totals.ok);
    assert_int_equal(r.totals.declared_total, 15001);
    assert_int_equal(r.totals.summed, 15000);
    assert_int_equal(r.n_corrupt_total, 0);
    assert_int_equal(r.n_trailer_issues, 1);
    assert_int_equal(r.trailer_issues[0].line, 3);
    assert_string_equal(r.trailer_issues[0].field, "trailer.total");
    assert_string_equal(r.trailer_issues[0].msg, "declares a total of 150.01, the parsed details add up to 150.00");
    assert_false(rg_cnab_import_clean(&r));
    rg_cnab_import_report_free(&r);

    /* no trailer at all (a file cut between lines): reported as a trailer
     * issue, not as a corrupt line; nothing is recorded but the report
     * shows what --accept-partial would record */
    rg_buf_reset(&f);
    line l;
    h400(&l, "341", "160326");
    add(&f, &l, "\n");
    itau_detail(&l, &itau_partial, 2);
    add(&f, &l, "\n");
    rg_invoice before = invoice(s, "PARC");
    rg_err e;
    assert_int_equal(rg_cnab_import_buffer(&(rg_event_env){s, rg_test_zones(), NULL}, "cut.ret", f.p, f.len, 0, NOW, &r, &e), RG_EINVAL);
    assert_string_equal(e.where, "cut.ret:3");
    assert_non_null(strstr(e.msg, "no trailer record ('9'): the file is incomplete"));
    assert_non_null(strstr(e.msg, "--accept-partial"));
    assert_true(r.incomplete);
    assert_false(r.committed);
    assert_int_equal(r.recorded.count, 1);
    assert_false(r.totals.present);
    assert_int_equal(r.n_corrupt_total, 0);
    assert_int_equal(r.n_trailer_issues, 1);
    assert_int_equal(r.trailer_issues[0].line, 3);
    assert_string_equal(r.trailer_issues[0].field, "trailer");
    assert_false(rg_cnab_import_clean(&r));
    rg_cnab_import_report_free(&r);
    assert_int_equal(invoice(s, "PARC").paid, before.paid);
    /* a dry run says the same: the import would refuse it */
    assert_int_equal(import(s, "cut.ret", &f, RG_CNABI_DRY_RUN, &r), RG_EINVAL);
    assert_true(r.incomplete);
    rg_cnab_import_report_free(&r);
    /* --accept-partial records the complete lines */
    assert_int_equal(import(s, "cut.ret", &f, RG_CNABI_ACCEPT_PARTIAL, &r), RG_OK);
    assert_true(r.incomplete);
    assert_true(r.committed);
    assert_int_equal(r.recorded.count, 1);
    rg_cnab_import_report_free(&r);
    assert_int_equal(invoice(s, "PARC").paid, before.paid + 10000);
    rg_buf_free(&f);
    rg_store_close(s);
}

/* A file cut in the middle of a line: its complete lines are not recorded
 * (the cut line is corrupt, the trailer missing) unless --accept-partial. */
static void test_cut_mid_line(void **state)
{
    (void)state;
    rg_store *s = open_store();
    rg_buf f = RG_BUF_INIT;
    line l;
    h400(&l, "341", "160326");
    add(&f, &l, "\r\n");
    itau_detail(&l, &itau_paid, 2);
    add(&f, &l, "\r\n");
    itau_detail(&l, &itau_partial, 3);
    l.n = 217; /* the transfer stopped here */
    add(&f, &l, "");
    rg_cnab_import_report r;
    rg_err e;
    assert_int_equal(rg_cnab_import_buffer(&(rg_event_env){s, rg_test_zones(), NULL}, "cut.ret", f.p, f.len, 0, NOW, &r, &e), RG_EINVAL);
    assert_string_equal(e.where, "cut.ret:4");
    assert_true(r.incomplete);
    assert_false(r.committed);
    assert_int_equal(r.recorded.count, 1); /* what --accept-partial would record */
    assert_int_equal(r.n_corrupt_total, 1);
    assert_int_equal(r.corrupt[0].line, 3);
    rg_cnab_import_report_free(&r);
    assert_int_equal(invoice(s, "NF0001").paid, 0);
    assert_int_equal(import(s, "cut.ret", &f, RG_CNABI_ACCEPT_PARTIAL, &r), RG_OK);
    assert_true(r.committed);
    assert_int_equal(r.recorded.count, 1);
    rg_cnab_import_report_free(&r);
    assert_int_not_equal(invoice(s, "NF0001").paid, 0);
    rg_buf_free(&f);
    rg_store_close(s);
}

/* ---- Bradesco 400 ---- */

static void test_bradesco(void **state)
{
    (void)state;
    rg_store *s = open_store();
    rg_buf f = RG_BUF_INIT;
    /* nosso número with its DV 'P'; the invoice has it without */
    static const d400 liq = {"00000001234P", "06", "050326", "DOC7", 20000, 500, 19900, 400, "060326",
                             "0000000000"};
    static const d400 after_baixa = {"00000001235", "17", "050326", "DOC8", 10000, 0, 0, 0, "060326", ""};
    static const d400 baixa = {"00000001236", "09", "050326", "INV-DOC", 7000, 0, 0, 0, "000000", ""};
    static const d400 cep = {"00000001237", "24", "050326", "DOC10", 3000, 0, 0, 0, "000000", "0000000048"};
    static const d400 other = {"00000001238", "14", "050326", "DOC11", 1000, 0, 0, 0, "000000", ""};
    const d400 *ds[] = {&liq, &after_baixa, &baixa, &cep, &other};
    file400(&f, "237", "050326", ds, 5, 0, "\n");
    rg_cnab_import_report r;
    assert_int_equal(import(s, "CB050301.RET", &f, false, &r), RG_OK);
    assert_string_equal(r.bank, "237");
    assert_int_equal(r.recorded.count, 2);
    const rg_cnab_import_item *a = item_at(&r, 2);
    assert_int_equal(a->outcome, RG_CNABI_RECORDED);
    assert_string_equal(a->invoice, "BR1234");
    assert_int_equal(a->amount, 19900);
    assert_int_equal(a->discount, 500);
    /* the bank granted a discount: 199.00 paid leaves 1.00 open */
    assert_int_equal(a->status, RG_INV_OPEN);
    assert_int_equal(a->balance, 100);
    assert_int_equal(a->paid_at, rg_instant_from_civil(rg_date_from_ymd(2026, 3, 6), 15, 0, 0)); /* noon in São Paulo */
    /* 17 (liquidação após baixa) with no valor pago: the face value */
    const rg_cnab_import_item *b = item_at(&r, 3);
    assert_int_equal(b->outcome, RG_CNABI_RECORDED);
    assert_string_equal(b->invoice, "BR1235");
    assert_int_equal(b->amount, 10000);
    assert_int_equal(b->status, RG_INV_PAID);
    assert_int_equal(invoice(s, "BR1235").status, RG_INV_PAID);
    assert_int_equal(r.paid_in_full, 1);
    assert_int_equal(r.partial, 1);
    /* baixa, rejection, other: reported */
    assert_int_equal(item_at(&r, 4)->kind, RG_CNAB_WRITE_OFF);
    assert_string_equal(item_at(&r, 4)->invoice, "INV-DOC");
    assert_int_equal(item_at(&r, 4)->status, RG_INV_OPEN);
    assert_int_equal(invoice(s, "INV-DOC").status, RG_INV_OPEN); /* a baixa changes nothing */
    assert_int_equal(item_at(&r, 5)->kind, RG_CNAB_REJECTED);
    assert_string_equal(item_at(&r, 5)->reasons, "0000000048");
    assert_int_equal(item_at(&r, 6)->kind, RG_CNAB_OTHER);
    assert_int_equal(r.occurrences[RG_CNAB_WRITE_OFF].count, 1);
    assert_int_equal(r.occurrences[RG_CNAB_WRITE_OFF].cents, 7000);
    assert_int_equal(r.occurrences[RG_CNAB_REJECTED].count, 1);
    assert_int_equal(r.occurrences[RG_CNAB_OTHER].count, 1);
    assert_true(r.totals.ok);
    assert_int_equal(payments(s), 2);
    rg_cnab_import_report_free(&r);
    rg_buf_free(&f);
    rg_store_close(s);
}

/* ---- CNAB 240 ---- */

static void test_240(void **state)
{
    (void)state;
    rg_store *s = open_store();
    rg_buf f = RG_BUF_INIT;
    static const d240 paid = {"06", "00000000000000123456", "FAT-100", 125000, 2500, 1000, 126500, 126305,
                              "14032026", "15032026"};
    static const d240 entry = {"02", "123457", "FAT-101", 5050, 0, 0, 0, 0, "02032026", "00000000"};
    static const d240 no_credit = {"17", "99", "NF0001", 15000, 0, 0, 15000, 15000, "13032026", "00000000"};
    const d240 *ds[] = {&paid, &entry, &no_credit};
    file240(&f, ds, 3);
    rg_cnab_import_report r;
    assert_int_equal(import(s, "RET240.TXT", &f, false, &r), RG_OK);
    assert_int_equal(r.layout, RG_CNAB_240);
    assert_string_equal(r.bank, "001");
    assert_int_equal(r.n_items, 3);
    const rg_cnab_import_item *a = item_at(&r, 3); /* segment T's line */
    assert_int_equal(a->outcome, RG_CNABI_RECORDED);
    assert_string_equal(a->invoice, "T240");
    assert_int_equal(a->amount, 126500);
    assert_int_equal(a->paid_at, rg_instant_from_civil(rg_date_from_ymd(2026, 3, 15), 15, 0, 0)); /* noon in São Paulo */
    assert_int_equal(invoice(s, "T240").status, RG_INV_PAID);
    const rg_cnab_import_item *b = item_at(&r, 5);
    assert_int_equal(b->kind, RG_CNAB_ENTRY_CONFIRMED);
    assert_string_equal(b->invoice, "E240");
    /* no credit date: the occurrence date; matched by document number */
    const rg_cnab_import_item *c = item_at(&r, 7);
    assert_int_equal(c->outcome, RG_CNABI_RECORDED);
    assert_string_equal(c->invoice, "NF0001");
    assert_int_equal(c->paid_at, rg_instant_from_civil(rg_date_from_ymd(2026, 3, 13), 15, 0, 0)); /* noon in São Paulo */
    assert_true(r.totals.ok);
    assert_int_equal(r.totals.records, 10);
    assert_true(rg_cnab_import_clean(&r));
    assert_int_equal(payments(s), 2);
    rg_cnab_import_report_free(&r);
    rg_buf_free(&f);
    rg_store_close(s);
}

/* ---- invoices that are not open ---- */

static void test_not_open_invoice(void **state)
{
    (void)state;
    rg_store *s = open_store();
    rg_import_report ir;
    rg_err e;
    const char *csv = "external_id,customer_external_id,amount,due_date,status\nNF0001,C1,150.00,2026-03-10,cancelled\n";
    assert_int_equal(rg_import_csv_buffer(&(rg_event_env){s, rg_test_zones(), NULL}, RG_IMPORT_INVOICES, "u.csv", csv, strlen(csv), rg_test_import_options(false, NOW), &ir, &e),
                     RG_OK);
    rg_import_report_free(&ir);
    rg_buf f = RG_BUF_INIT;
    const d400 *ds[] = {&itau_paid};
    file400(&f, "341", "160326", ds, 1, 0, "\n");
    rg_cnab_import_report r;
    assert_int_equal(import(s, "a.ret", &f, false, &r), RG_OK);
    /* the money is recorded; the invoice stays cancelled; the report says so */
    assert_int_equal(r.recorded.count, 1);
    assert_int_equal(r.not_open, 1);
    assert_int_equal(r.paid_in_full, 0);
    assert_false(item_at(&r, 2)->was_open);
    assert_int_equal(item_at(&r, 2)->status, RG_INV_CANCELLED);
    assert_int_equal(invoice(s, "NF0001").status, RG_INV_CANCELLED);
    assert_int_equal(invoice(s, "NF0001").paid, 15330);
    rg_cnab_import_report_free(&r);
    rg_buf_free(&f);
    rg_store_close(s);
}

/* An invoice whose boleto is from another bank does not match by nosso
 * número (nosso números are only unique within a bank). */
static void test_other_bank_nosso(void **state)
{
    (void)state;
    rg_store *s = open_store();
    rg_import_report ir;
    rg_err e;
    const char *csv = "external_id,customer_external_id,amount,due_date,nosso_numero,boleto_bank\n"
                      "BRX,C1,10.00,2026-03-10,4444,237\n";
    assert_int_equal(rg_import_csv_buffer(&(rg_event_env){s, rg_test_zones(), NULL}, RG_IMPORT_INVOICES, "b.csv", csv, strlen(csv), rg_test_import_options(false, NOW), &ir, &e),
                     RG_OK);
    rg_import_report_free(&ir);
    rg_buf f = RG_BUF_INIT;
    static const d400 itau = {"00004444", "06", "150326", "ZZ", 1000, 0, 1000, 0, "170326", ""};
    const d400 *ds[] = {&itau};
    file400(&f, "341", "160326", ds, 1, 0, "\n");
    rg_cnab_import_report r;
    assert_int_equal(import(s, "itau.ret", &f, false, &r), RG_OK);
    assert_int_equal(r.unmatched.count, 1);
    assert_int_equal(r.recorded.count, 0);
    rg_cnab_import_report_free(&r);

    rg_buf_reset(&f);
    static const d400 brad = {"00000004444", "06", "150326", "ZZ", 1000, 0, 1000, 0, "170326", ""};
    const d400 *bs[] = {&brad};
    file400(&f, "237", "160326", bs, 1, 0, "\n");
    assert_int_equal(import(s, "brad.ret", &f, false, &r), RG_OK);
    assert_int_equal(r.recorded.count, 1);
    assert_string_equal(r.items[0].invoice, "BRX");
    assert_int_equal(invoice(s, "BRX").status, RG_INV_PAID);
    rg_cnab_import_report_free(&r);
    rg_buf_free(&f);
    rg_store_close(s);
}

/* ---- whole-file failures ---- */

static void test_not_a_return_file(void **state)
{
    (void)state;
    rg_store *s = open_store();
    rg_buf f = RG_BUF_INIT;
    rg_buf_puts(&f, "external_id,amount\nF1,10.00\n");
    rg_cnab_import_report r;
    rg_err e;
    assert_int_equal(rg_cnab_import_buffer(&(rg_event_env){s, rg_test_zones(), NULL}, "faturas.csv", f.p, f.len, false, NOW, &r, &e), RG_EINVAL);
    assert_string_equal(e.where, "faturas.csv");
    assert_string_equal(r.file_name, "faturas.csv");
    assert_int_equal(r.n_items, 0);
    assert_false(r.committed);
    rg_cnab_import_report_free(&r);

    /* a remessa is refused */
    rg_buf_reset(&f);
    line l;
    h400(&l, "341", "160326");
    l.b[1] = '1';
    add(&f, &l, "\n");
    assert_int_equal(rg_cnab_import_buffer(&(rg_event_env){s, rg_test_zones(), NULL}, "r.rem", f.p, f.len, false, NOW, &r, &e), RG_EINVAL);
    assert_string_equal(e.msg, "line 1: position 2: expected '2' (arquivo retorno), found '1' — not a return file");
    rg_cnab_import_report_free(&r);
    assert_int_equal(payments(s), 0);

    /* files */
    assert_int_equal(rg_cnab_import_file(&(rg_event_env){s, rg_test_zones(), NULL}, rg_test_path("nope.ret"), false, NOW, &r, &e), RG_EIO);
    assert_string_equal(r.file_name, rg_test_path("nope.ret"));
    rg_cnab_import_report_free(&r);
    rg_cnab_import_report_free(NULL);
    rg_buf_free(&f);
    rg_store_close(s);
}

static void test_file_variant(void **state)
{
    (void)state;
    rg_store *s = open_store();
    rg_buf f = RG_BUF_INIT;
    itau_main_file(&f, "\r\n");
    const char *path = rg_test_write("CN16036A.RET", rg_buf_cstr(&f));
    rg_cnab_import_report r, r2;
    rg_err e;
    assert_int_equal(rg_cnab_import_file(&(rg_event_env){s, rg_test_zones(), NULL}, path, false, NOW, &r, &e), RG_OK);
    assert_string_equal(r.file_name, path);
    assert_int_equal(r.recorded.count, 3);
    /* the hash is the content's: the same as importing the buffer */
    assert_int_equal(import(s, "other", &f, RG_CNABI_DRY_RUN, &r2), RG_OK);
    assert_string_equal(r2.hash, r.hash);
    assert_int_equal(r2.already.count, 3);
    rg_cnab_import_report_free(&r);
    rg_cnab_import_report_free(&r2);
    rg_buf_free(&f);
    rg_store_close(s);
}

/* ---- JSON ---- */

static void test_json(void **state)
{
    (void)state;
    rg_store *s = open_store();
    rg_buf f = RG_BUF_INIT;
    itau_main_file(&f, "\r\n");
    rg_cnab_import_report r;
    assert_int_equal(import(s, "CN16036A.RET", &f, RG_CNABI_DRY_RUN, &r), RG_OK);
    json_t *j = rg_cnab_import_report_json(&r);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "file")), "CN16036A.RET");
    assert_string_equal(json_string_value(json_object_get(j, "layout")), "CNAB 400");
    assert_string_equal(json_string_value(json_object_get(j, "bank")), "341");
    assert_string_equal(json_string_value(json_object_get(j, "generated")), "2026-03-16");
    assert_true(json_is_true(json_object_get(j, "dry_run")));
    assert_true(json_is_false(json_object_get(j, "committed")));
    assert_true(json_is_true(json_object_get(j, "clean")));
    json_t *rec = json_object_get(j, "recorded");
    assert_int_equal(json_integer_value(json_object_get(rec, "count")), 3);
    assert_int_equal(json_integer_value(json_object_get(rec, "amount_cents")), 45330);
    assert_int_equal(json_integer_value(json_object_get(rec, "invoices_paid")), 2);
    assert_int_equal(json_integer_value(json_object_get(rec, "partial")), 1);
    json_t *first = json_array_get(json_object_get(rec, "items"), 0);
    assert_int_equal(json_integer_value(json_object_get(first, "line")), 2);
    assert_string_equal(json_string_value(json_object_get(first, "invoice")), "NF0001");
    assert_string_equal(json_string_value(json_object_get(first, "status")), "paid");
    assert_string_equal(json_string_value(json_object_get(first, "paid_at")), "2026-03-17T15:00:00Z");
    json_t *un = json_object_get(j, "unmatched");
    assert_int_equal(json_integer_value(json_object_get(un, "count")), 1);
    json_t *u0 = json_array_get(json_object_get(un, "items"), 0);
    assert_int_equal(json_integer_value(json_object_get(u0, "line")), 4);
    assert_string_equal(json_string_value(json_object_get(u0, "nosso_numero")), "00055555");
    assert_true(json_is_null(json_object_get(u0, "invoice")));
    json_t *occ = json_object_get(j, "other_occurrences");
    json_t *rej = json_object_get(occ, "rejected");
    assert_int_equal(json_integer_value(json_object_get(rej, "count")), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(rej, "items"), 0), "reasons")),
                        "AB120000");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(occ, "write_off"), "count")), 0);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "corrupt_lines"), "count")), 0);
    json_t *tr = json_object_get(j, "trailer");
    assert_true(json_is_true(json_object_get(tr, "ok")));
    assert_int_equal(json_integer_value(json_object_get(tr, "declared_count")), 6);
    assert_true(json_is_null(json_object_get(tr, "records")));
    json_decref(j);
    rg_cnab_import_report_free(&r);
    rg_buf_free(&f);
    rg_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_itau_import),
        cmocka_unit_test(test_event),
        cmocka_unit_test(test_second_import_records_nothing),
        cmocka_unit_test(test_duplicate_from_another_file),
        cmocka_unit_test(test_dry_run),
        cmocka_unit_test(test_corrupt_lines),
        cmocka_unit_test(test_trailer_mismatch_and_missing),
        cmocka_unit_test(test_cut_mid_line),
        cmocka_unit_test(test_bradesco),
        cmocka_unit_test(test_240),
        cmocka_unit_test(test_not_open_invoice),
        cmocka_unit_test(test_other_bank_nosso),
        cmocka_unit_test(test_not_a_return_file),
        cmocka_unit_test(test_file_variant),
        cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
