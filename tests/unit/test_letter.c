/* The letter channel: the page layout (channel/letter_pdf), the day's
 * directory and batch (channel/letter_batch) and the `letter` driver with
 * a store. PDFs are read back with poppler (pdfinfo for the page count,
 * pdftotext for the text and its accents) and zbar (zbarimg, I2/5) for the
 * boleto's barcode, as in test_boleto_pdf.c. */
#include "test.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "br/boleto.h"
#include "channel/channel.h"
#include "channel/letter_batch.h"
#include "channel/letter_pdf.h"
#include "store/store.h"

static rg_instant at(const char *iso)
{
    rg_instant t;
    assert_true(rg_instant_parse(iso, strlen(iso), &t));
    return t;
}

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

static int pdf_pages(const char *pdf)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "pdfinfo '%s' | sed -n 's/^Pages: *//p'", pdf);
    char *o = run(cmd);
    int64_t n = -1;
    o[strcspn(o, "\n")] = '\0';
    if (!rg_parse_i64(rg_slice_cstr(o), 0, 100000, &n))
        n = -1;
    free(o);
    return (int)n;
}

static char *pdf_text(const char *pdf, int first, int last)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 -f %d -l %d '%s' -", first, last, pdf);
    return run(cmd);
}

static char *decode_page(const char *pdf, int page)
{
    char cmd[1024];
    const char *png = rg_test_path("page");
    snprintf(cmd, sizeof cmd,
             "pdftoppm -r 300 -png -singlefile -f %d -l %d '%s' '%s' && "
             "zbarimg --raw -q -Si25.enable '%s.png' 2>/dev/null",
             page, page, pdf, png, png);
    char *o = run(cmd);
    o[strcspn(o, "\r\n")] = '\0';
    return o;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    rg_buf b = RG_BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rg_buf_append(&b, chunk, n);
    fclose(f);
    if (!b.p)
        rg_buf_puts(&b, "");
    return rg_buf_detach(&b);
}

/* A boleto of bank 341 for R$ 150,00 due 2026-12-10 (campo livre of the
 * Itaú layout, as in test_invoice_boleto.c). */
static rg_boleto BOLETO;

static void make_boleto(void)
{
    rg_err e;
    assert_int_equal(rg_boleto_encode("341", '9', rg_date_from_ymd(2026, 12, 10), 15000, "1091234567800057123457000",
                                      &BOLETO, &e),
                     RG_OK);
}

static void fill_letter(rg_letter *l, rg_boleto_pdf *b, const char *body)
{
    memset(l, 0, sizeof *l);
    l->reference = "Ref. mensagem 5 · step:teste:aviso:1";
    l->date = rg_date_from_ymd(2026, 12, 14);
    l->sender[0] = "Exemplo Serviços Ltda";
    l->sender[1] = "CNPJ 11.222.333/0001-81";
    l->sender[2] = "Av. Paulista, 1000 - Bela Vista, São Paulo/SP";
    l->n_sender = 3;
    l->return_line = "Remetente: Exemplo Serviços Ltda";
    l->recipient[0] = "Maria José da Conceição";
    l->recipient[1] = "Rua das Acácias, 123 apto 45";
    l->recipient[2] = "Jardim Paulistano";
    l->recipient[3] = "CEP 01452-000  São Paulo - SP";
    l->n_recipient = 4;
    l->subject = "Aviso de débito em aberto";
    l->body = body;
    if (b) {
        make_boleto();
        memset(b, 0, sizeof *b);
        b->bank_code = "341";
        b->barcode = BOLETO.barcode;
        b->linha_digitavel = BOLETO.linha_digitavel;
        b->due_date = rg_date_from_ymd(2026, 12, 10);
        b->document_date = RG_DATE_NONE;
        b->processing_date = RG_DATE_NONE;
        b->valor_documento = 15000;
        b->beneficiario_nome = "Exemplo Serviços Ltda";
        b->pagador_nome = "Maria José da Conceição";
        l->boletos = b;
        l->n_boletos = 1;
    }
}

static void test_date_text(void **state)
{
    (void)state;
    char b[64];
    assert_string_equal(rg_letter_date_text(rg_date_from_ymd(2026, 12, 10), b, sizeof b), "10 de dezembro de 2026");
    assert_string_equal(rg_letter_date_text(rg_date_from_ymd(2027, 3, 1), b, sizeof b), "1 de março de 2027");
}

static void test_layout(void **state)
{
    (void)state;
    rg_err e;
    rg_err_clear(&e);
    HPDF_Doc doc;
    rg_letter l;
    rg_boleto_pdf b;
    fill_letter(&l, &b, "Prezada Maria,\n\nNão identificamos o pagamento da fatura F1, de R$ 150,00.\n\nAtenciosamente,\n"
                        "Exemplo Serviços Ltda");
    assert_int_equal(rg_boleto_pdf_new_doc(&doc, &e), RG_OK);
    int pages = 0;
    assert_int_equal(rg_letter_pdf_add(doc, &l, &pages, &e), RG_OK);
    assert_int_equal(pages, 2);
    const char *pdf = rg_test_path("layout.pdf");
    assert_int_equal(HPDF_SaveToFile(doc, pdf), HPDF_OK);
    HPDF_Free(doc);
    assert_int_equal(pdf_pages(pdf), 2);
    char *t = pdf_text(pdf, 1, 1);
    const char *want[] = {"Exemplo Serviços Ltda", "CNPJ 11.222.333/0001-81", "Maria José da Conceição",
                          "Rua das Acácias, 123 apto 45", "CEP 01452-000 São Paulo - SP", "14 de dezembro de 2026",
                          "Aviso de débito em aberto", "Não identificamos o pagamento da fatura F1, de R$ 150,00.",
                          "Ref. mensagem 5 · step:teste:aviso:1", "página 1 de 1"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        if (!strstr(t, want[i]))
            fail_msg("'%s' not in page 1:\n%s", want[i], t);
    free(t);
    char *bars = decode_page(pdf, 2);
    assert_string_equal(bars, BOLETO.barcode);
    free(bars);

    /* a long text continues on more pages, each numbered */
    rg_buf body = RG_BUF_INIT;
    for (int i = 1; i <= 90; i++)
        rg_buf_printf(&body, "Linha %d do aviso, com acentuação: ção, ã, é, ü.\n", i);
    fill_letter(&l, NULL, rg_buf_cstr(&body));
    assert_int_equal(rg_boleto_pdf_new_doc(&doc, &e), RG_OK);
    assert_int_equal(rg_letter_pdf_add(doc, &l, &pages, &e), RG_OK);
    assert_int_equal(pages, 3);
    const char *pdf2 = rg_test_path("long.pdf");
    assert_int_equal(HPDF_SaveToFile(doc, pdf2), HPDF_OK);
    HPDF_Free(doc);
    t = pdf_text(pdf2, 1, 3);
    assert_non_null(strstr(t, "Linha 1 do aviso, com acentuação: ção, ã, é, ü."));
    assert_non_null(strstr(t, "Linha 90 do aviso"));
    assert_non_null(strstr(t, "página 3 de 3"));
    free(t);
    rg_buf_free(&body);

    /* a word wider than the line is broken, not lost */
    char word[400];
    memset(word, 'x', sizeof word - 1);
    word[sizeof word - 1] = '\0';
    fill_letter(&l, NULL, word);
    assert_int_equal(rg_boleto_pdf_new_doc(&doc, &e), RG_OK);
    assert_int_equal(rg_letter_pdf_add(doc, &l, &pages, &e), RG_OK);
    assert_int_equal(pages, 1);
    HPDF_Free(doc);

    /* no recipient; a bad boleto */
    fill_letter(&l, NULL, "x");
    l.n_recipient = 0;
    assert_int_equal(rg_boleto_pdf_new_doc(&doc, &e), RG_OK);
    assert_int_equal(rg_letter_pdf_add(doc, &l, &pages, &e), RG_EINVAL);
    assert_string_equal(e.msg, "a letter needs a recipient (name and postal address)");
    fill_letter(&l, &b, "x");
    b.barcode = "123";
    assert_int_equal(rg_letter_pdf_add(doc, &l, &pages, &e), RG_EINVAL);
    assert_non_null(strstr(e.where, "boleto 1"));
    HPDF_Free(doc);
}

static void test_batch(void **state)
{
    (void)state;
    rg_err e;
    rg_err_clear(&e);
    const char *dir = rg_test_path("batch");
    rg_letter l;
    rg_boleto_pdf b;
    fill_letter(&l, &b, "Prezada Maria,\n\nSegue o boleto.");
    rg_letter_manifest m = {5,  "step:teste:aviso:1", "C1", "Maria José da Conceição", "Rua das Acácias, 123 apto 45",
                            "Jardim Paulistano", "São Paulo", "SP", "01452-000", "F1"};
    rg_date day = rg_date_from_ymd(2026, 12, 14);
    bool added = false, found = true;
    char rel[128];
    assert_int_equal(rg_letter_batch_find(dir, m.idempotency_key, &found, rel, sizeof rel, &e), RG_OK);
    assert_false(found);
    assert_int_equal(rg_letter_batch_add(dir, day, &l, &m, &added, rel, sizeof rel, &e), RG_OK);
    assert_true(added);
    assert_string_equal(rel, "2026-12-14/0001-5");
    /* the same key again, even on another day: not added */
    assert_int_equal(rg_letter_batch_add(dir, day + 1, &l, &m, &added, rel, sizeof rel, &e), RG_OK);
    assert_false(added);
    assert_string_equal(rel, "2026-12-14/0001-5");
    /* a second letter, without a boleto */
    rg_letter l2;
    fill_letter(&l2, NULL, "Prezado João,\n\nAviso.");
    l2.recipient[0] = "João, \"o Padeiro\"";
    rg_letter_manifest m2 = {6, "step:teste:aviso:2", "C2", "João, \"o Padeiro\"", "Rua B, 2", "", "Rio de Janeiro", "RJ",
                             "20000-000", "F2"};
    assert_int_equal(rg_letter_batch_add(dir, day, &l2, &m2, &added, rel, sizeof rel, &e), RG_OK);
    assert_true(added);
    assert_string_equal(rel, "2026-12-14/0002-6");
    char p[1024];
    snprintf(p, sizeof p, "%s/2026-12-14/0001-5.pdf", dir);
    assert_int_equal(pdf_pages(p), 2);
    snprintf(p, sizeof p, "%s/2026-12-14/0002-6.json", dir);
    assert_true(exists(p));

    rg_letter_build_report r;
    assert_int_equal(rg_letter_batch_build(dir, day, &r, &e), RG_OK);
    assert_int_equal(r.letters, 2);
    assert_int_equal(r.pages, 3);
    assert_int_equal(r.duplicates, 0);
    snprintf(p, sizeof p, "%s/cartas-2026-12-14.pdf", dir);
    assert_string_equal(r.pdf, p);
    assert_int_equal(pdf_pages(r.pdf), 3);
    char *bars = decode_page(r.pdf, 2);
    assert_string_equal(bars, BOLETO.barcode);
    free(bars);
    char *t = pdf_text(r.pdf, 3, 3);
    assert_non_null(strstr(t, "João, \"o Padeiro\""));
    free(t);
    char *csv = slurp(r.csv);
    assert_non_null(csv);
    assert_string_equal(csv, "seq,message_id,customer_external_id,name,address_line1,address_line2,city,state,cep,"
                             "invoice_ids,pages,first_page,idempotency_key\r\n"
                             "1,5,C1,Maria José da Conceição,\"Rua das Acácias, 123 apto 45\",Jardim Paulistano,São Paulo,"
                             "SP,01452-000,F1,2,1,step:teste:aviso:1\r\n"
                             "2,6,C2,\"João, \"\"o Padeiro\"\"\",\"Rua B, 2\",,Rio de Janeiro,RJ,20000-000,F2,1,3,"
                             "step:teste:aviso:2\r\n");
    free(csv);

    /* a copy left by a crash between the letter and its key: dropped */
    char from[1024], to[1024];
    snprintf(from, sizeof from, "cp '%s/2026-12-14/0001-5.json' '%s/2026-12-14/0003-5.json'", dir, dir);
    assert_int_equal(system(from), 0);
    assert_int_equal(rg_letter_batch_build(dir, day, &r, &e), RG_OK);
    assert_int_equal(r.letters, 2);
    assert_int_equal(r.duplicates, 1);
    /* the next letter takes the place after the largest */
    rg_letter_manifest m3 = m2;
    m3.message_id = 9;
    m3.idempotency_key = "step:teste:aviso:3";
    assert_int_equal(rg_letter_batch_add(dir, day, &l2, &m3, &added, rel, sizeof rel, &e), RG_OK);
    assert_string_equal(rel, "2026-12-14/0004-9");

    /* a day without letters writes nothing */
    assert_int_equal(rg_letter_batch_build(dir, day + 3, &r, &e), RG_OK);
    assert_int_equal(r.letters, 0);
    assert_string_equal(r.pdf, "");

    /* a broken letter file stops the build and is named */
    snprintf(to, sizeof to, "%s/2026-12-14/0005-10.json", dir);
    FILE *f = fopen(to, "w");
    assert_non_null(f);
    fputs("{\"version\": 2}", f);
    fclose(f);
    assert_int_equal(rg_letter_batch_build(dir, day, &r, &e), RG_EINVAL);
    assert_string_equal(e.where, to);
    assert_string_equal(e.msg, "not a version 1 letter file (version, manifest, letter)");
    f = fopen(to, "w");
    assert_non_null(f);
    fputs("{not json", f);
    fclose(f);
    rg_letter_file lf;
    assert_int_equal(rg_letter_file_load(to, &lf, &e), RG_EINVAL);
    assert_non_null(strstr(e.msg, "not a letter file: "));
    unlink(to);

    /* a letter that cannot print is refused and leaves nothing */
    fill_letter(&l, &b, "x");
    b.linha_digitavel = "00000";
    rg_letter_manifest m4 = m;
    m4.idempotency_key = "step:teste:aviso:4";
    m4.message_id = 11;
    assert_int_equal(rg_letter_batch_add(dir, day, &l, &m4, &added, rel, sizeof rel, &e), RG_EINVAL);
    assert_false(added);
    assert_int_equal(rg_letter_batch_find(dir, m4.idempotency_key, &found, rel, sizeof rel, &e), RG_OK);
    assert_false(found);
    snprintf(p, sizeof p, "%s/2026-12-14/0005-11.json", dir);
    assert_false(exists(p));
}

/* ---- the driver, with a store ---- */

typedef struct fx {
    rg_store *s;
    rg_config cfg;
    rg_customer c;
    rg_customer nowhere; /* no postal address */
    rg_invoice f1;       /* open, with a boleto */
    rg_invoice f2;       /* paid, with a boleto */
} fx;

static void setup(fx *f, const char *dir)
{
    rg_err e;
    rg_err_clear(&e);
    memset(f, 0, sizeof *f);
    assert_int_equal(rg_store_open(":memory:", &f->s, &e), RG_OK);
    rg_config_defaults(&f->cfg);
    rg_strlcpy(f->cfg.company.name, "Exemplo Serviços Ltda", sizeof f->cfg.company.name);
    rg_strlcpy(f->cfg.company.cnpj, "11222333000181", sizeof f->cfg.company.cnpj);
    rg_strlcpy(f->cfg.company.cnpj_formatted, "11.222.333/0001-81", sizeof f->cfg.company.cnpj_formatted);
    rg_strlcpy(f->cfg.company.address, "Av. Paulista, 1000 - São Paulo/SP", sizeof f->cfg.company.address);
    rg_strlcpy(f->cfg.company.phone, "(11) 4000-1234", sizeof f->cfg.company.phone);
    rg_channel_config *cc = &f->cfg.channels[f->cfg.n_channels++];
    rg_strlcpy(cc->name, "letter", sizeof cc->name);
    rg_strlcpy(cc->driver, "letter", sizeof cc->driver);
    cc->n_settings = 1;
    rg_strlcpy(cc->settings[0].key, "dir", sizeof cc->settings[0].key);
    rg_strlcpy(cc->settings[0].value, dir, sizeof cc->settings[0].value);

    rg_upsert_result ur;
    rg_instant t0 = at("2026-11-01T12:00:00Z");
    rg_customer_init(&f->c);
    rg_strlcpy(f->c.external_id, "C1", sizeof f->c.external_id);
    rg_strlcpy(f->c.name, "Maria José da Conceição", sizeof f->c.name);
    rg_strlcpy(f->c.document, "52998224725", sizeof f->c.document);
    f->c.kind = RG_KIND_PF;
    rg_strlcpy(f->c.address.street, "Rua das Acácias", sizeof f->c.address.street);
    rg_strlcpy(f->c.address.number, "123", sizeof f->c.address.number);
    rg_strlcpy(f->c.address.complement, "apto 45", sizeof f->c.address.complement);
    rg_strlcpy(f->c.address.district, "Jardim Paulistano", sizeof f->c.address.district);
    rg_strlcpy(f->c.address.city, "São Paulo", sizeof f->c.address.city);
    rg_strlcpy(f->c.address.state, "SP", sizeof f->c.address.state);
    rg_strlcpy(f->c.address.zip, "01452000", sizeof f->c.address.zip);
    assert_int_equal(rg_store_customer_upsert(f->s, &f->c, RG_CF_ALL, t0, &ur, &e), RG_OK);
    rg_customer_init(&f->nowhere);
    rg_strlcpy(f->nowhere.external_id, "C2", sizeof f->nowhere.external_id);
    rg_strlcpy(f->nowhere.name, "Sem Endereço", sizeof f->nowhere.name);
    assert_int_equal(rg_store_customer_upsert(f->s, &f->nowhere, RG_CF_ALL, t0, &ur, &e), RG_OK);

    make_boleto();
    rg_invoice_init(&f->f1);
    rg_strlcpy(f->f1.external_id, "F1", sizeof f->f1.external_id);
    rg_strlcpy(f->f1.description, "Mensalidade", sizeof f->f1.description);
    rg_strlcpy(f->f1.boleto_bank, "341", sizeof f->f1.boleto_bank);
    rg_strlcpy(f->f1.linha_digitavel, BOLETO.linha_digitavel, sizeof f->f1.linha_digitavel);
    f->f1.customer_id = f->c.id;
    f->f1.amount = 15000;
    f->f1.due_date = rg_date_from_ymd(2026, 12, 10);
    assert_int_equal(rg_store_invoice_upsert(f->s, &f->f1, RG_IF_ALL, t0, &ur, &e), RG_OK);
    f->f2 = f->f1;
    f->f2.id = 0;
    rg_strlcpy(f->f2.external_id, "F2", sizeof f->f2.external_id);
    assert_int_equal(rg_store_invoice_upsert(f->s, &f->f2, RG_IF_ALL, t0, &ur, &e), RG_OK);
    assert_int_equal(rg_store_invoice_set_paid(f->s, f->f2.id, 15000, RG_INV_PAID, rg_date_from_ymd(2026, 12, 1), t0, &e),
                     RG_OK);
}

static void message(rg_message *m, int64_t id, const char *key, const char *sent_at)
{
    memset(m, 0, sizeof *m);
    m->id = id;
    rg_strlcpy(m->idempotency_key, key, sizeof m->idempotency_key);
    rg_strlcpy(m->channel, "letter", sizeof m->channel);
    m->body = "Prezada Maria,\n\nSegue o boleto atualizado.\n\nExemplo Serviços Ltda (CNPJ 11.222.333/0001-81)";
    m->planned_for = at(sent_at);
    m->sent_at = m->planned_for;
}

static void test_driver(void **state)
{
    (void)state;
    const char *dir = rg_test_path("driver");
    fx f;
    setup(&f, dir);
    rg_err e;
    rg_err_clear(&e);
    rg_channel *ch = NULL;
    rg_channel_env none = {&f.cfg, NULL, NULL};
    assert_int_equal(rg_channel_open(&f.cfg.channels[0], &none, &ch, &e), RG_EINTERNAL);
    rg_channel_env env = {&f.cfg, NULL, f.s};
    assert_int_equal(rg_channel_open(&f.cfg.channels[0], &env, &ch, &e), RG_OK);
    assert_true(rg_channel_is_inline(ch));

    /* 23:30 in São Paulo on 12-14 is 02:30Z on 12-15: the letter is of the 14th.
     * F1's boleto was due 12-10: the engine named in the payload the boleto to
     * enclose instead (the updated amount, due 12-21) */
    rg_boleto updated;
    assert_int_equal(rg_boleto_encode("341", '9', rg_date_from_ymd(2026, 12, 21), 15315, "1091234567800057123457000",
                                      &updated, &e),
                     RG_OK);
    char payload[256];
    snprintf(payload, sizeof payload, "{\"boletos\": [{\"invoice\": \"F1\", \"barcode\": \"%s\"}]}", updated.barcode);
    rg_message m;
    message(&m, 3, "step:teste:aviso:1", "2026-12-15T02:30:00Z");
    m.invoice_id = f.f1.id;
    m.payload = payload;
    rg_outgoing og = {&m, &f.c, "", "F1|F2"};
    rg_send_result res;
    assert_int_equal(rg_channel_send(ch, &og, &res, &e), RG_OK);
    assert_int_equal(res.outcome, RG_SEND_OK);
    assert_string_equal(res.provider_id, "letter:2026-12-14/0001-3");
    assert_int_equal(rg_channel_send(ch, &og, &res, &e), RG_OK);
    assert_string_equal(res.provider_id, "letter:2026-12-14/0001-3");

    /* without the engine's list, an expired boleto is never enclosed: a
     * letter alone (its own day, to keep the 14th's batch as it is) */
    message(&m, 6, "step:teste:aviso:9", "2026-12-15T15:00:00Z");
    m.invoice_id = f.f1.id;
    rg_outgoing og9 = {&m, &f.c, "", "F1"};
    assert_int_equal(rg_channel_send(ch, &og9, &res, &e), RG_OK);
    assert_int_equal(res.outcome, RG_SEND_OK);

    /* no postal address: a permanent failure, so the next channel is tried */
    message(&m, 4, "step:teste:aviso:2", "2026-12-14T15:00:00Z");
    rg_outgoing og2 = {&m, &f.nowhere, "", ""};
    assert_int_equal(rg_channel_send(ch, &og2, &res, &e), RG_EINVAL);
    assert_int_equal(res.outcome, RG_SEND_PERMANENT);
    assert_string_equal(res.error, "C2: no postal address (street, city, state and zip are needed for a letter)");

    /* a bad stored boleto: refused, nothing kept */
    rg_upsert_result ur;
    rg_invoice bad = f.f1;
    bad.id = 0;
    rg_strlcpy(bad.external_id, "F3", sizeof bad.external_id);
    bad.linha_digitavel[10] = bad.linha_digitavel[10] == '1' ? '2' : '1';
    assert_int_equal(rg_store_invoice_upsert(f.s, &bad, RG_IF_ALL, at("2026-11-01T12:00:00Z"), &ur, &e), RG_OK);
    message(&m, 5, "step:teste:aviso:3", "2026-12-14T15:00:00Z");
    rg_outgoing og3 = {&m, &f.c, "", "F3"};
    assert_int_equal(rg_channel_send(ch, &og3, &res, &e), RG_EINVAL);
    assert_int_equal(res.outcome, RG_SEND_PERMANENT);
    assert_non_null(strstr(res.error, "invoice F3"));

    /* closing builds the day's batch: the letter, then F1's boleto (F2 is paid) */
    rg_channel_close(ch);
    char p[1024];
    snprintf(p, sizeof p, "%s/cartas-2026-12-14.pdf", dir);
    assert_int_equal(pdf_pages(p), 2);
    char *t = pdf_text(p, 1, 1);
    const char *want[] = {"Exemplo Serviços Ltda", "CNPJ 11.222.333/0001-81", "Av. Paulista, 1000 - São Paulo/SP",
                          "Maria José da Conceição", "Rua das Acácias, 123 apto 45", "Jardim Paulistano",
                          "CEP 01452-000 São Paulo - SP", "14 de dezembro de 2026", "Segue o boleto atualizado.",
                          "Ref. mensagem 3 · step:teste:aviso:1"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        if (!strstr(t, want[i]))
            fail_msg("'%s' not in page 1:\n%s", want[i], t);
    free(t);
    char *bars = decode_page(p, 2);
    assert_string_equal(bars, updated.barcode);
    free(bars);
    snprintf(p, sizeof p, "%s/cartas-2026-12-15.pdf", dir);
    assert_int_equal(pdf_pages(p), 1);
    snprintf(p, sizeof p, "%s/cartas-2026-12-14.pdf", dir);
    snprintf(p, sizeof p, "%s/cartas-2026-12-14.csv", dir);
    char *csv = slurp(p);
    assert_non_null(csv);
    assert_non_null(strstr(csv, "\r\n1,3,C1,Maria José da Conceição,\"Rua das Acácias, 123 apto 45\",Jardim Paulistano,"
                                "São Paulo,SP,01452-000,F1|F2,2,1,step:teste:aviso:1\r\n"));
    free(csv);
    rg_store_close(f.s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_text),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_batch),
        cmocka_unit_test(test_driver),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
