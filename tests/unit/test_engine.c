/* The engine end to end on a real SQLite store, with a fake clock: a
 * cadence over 90 days with weekend and holiday due dates, a payment in the
 * middle, an opt-out, caps, consolidation, reissue, task and bureau
 * listing; downtime; idempotence; cadence edits. */
#include "test.h"

#include <stdlib.h>
#include <sys/stat.h>

#include "br/boleto.h"
#include "br/holidays.h"
#include "channel/dispatcher.h"
#include "engine/engine.h"
#include "engine/engine_int.h" /* rg_engine_render */
#include "engine/progress.h"
#include "service/import.h"
#include "service/holds.h"
#include "service/payments.h"
#include "service/promises.h"
#include "store/store.h"

static const char *CADENCE =
    "cadence: teste\n"
    "match: {priority: 1}\n"
    "timezone: America/Sao_Paulo\n"
    "window: {weekdays: \"09:00-18:00\", saturday: closed, sunday: closed, holidays: closed}\n"
    "caps: {per_customer: {max: 2, days: 7}}\n"
    "fees: {fine_pct: 2.00, interest_month_pct: 1.00}\n"
    "steps:\n"
    "  - {id: lembrete, at: D-3, send: {channels: [email], template: lembrete}}\n"
    "  - {id: hoje, at: D0, send: {channels: [whatsapp, sms], template: hoje}}\n"
    "  - {id: atraso, at: D+2, send: {channels: [whatsapp, email], template: atraso}}\n"
    "  - {id: segunda-via, at: D+10, action: reissue, reissue: {due_in_business_days: 3},\n"
    "     send: {channels: [email], template: segunda-via}}\n"
    "  - {id: ligar, at: D+15, action: task, task: {kind: call}}\n"
    "  - {id: aviso, at: D+20, send: {channels: [letter, email], template: aviso}}\n"
    "  - {id: negativar, at: D+31, action: bureau_listing, requires_notice: aviso}\n";

static const char *CONSOLIDATED =
    "cadence: lista\n"
    "match: {priority: 5, tags_any: [consolida]}\n"
    "window: {weekdays: \"09:00-18:00\", saturday: closed, sunday: closed, holidays: closed}\n"
    "consolidate: true\n"
    "steps:\n"
    "  - {id: hoje, at: D0, send: {channels: [email], template: lista}}\n";

#define CREDITOR "{{company.name}} (CNPJ {{company.cnpj}})"

typedef struct env {
    char dir[256];
    rg_config config;
    rg_store *store;
    rg_engine *engine;
    int64_t batch_size; /* 0: the engine's default */
    int64_t replan_limit; /* 0: the engine's default */
    bool full;            /* tick every open invoice (rg_engine_tick_full), not the agenda */
} env;

static void write_file(const char *dir, const char *name, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static rg_instant at(const char *iso)
{
    rg_instant t;
    assert_true(rg_instant_parse(iso, strlen(iso), &t));
    return t;
}

static void setup_env(env *v, const char *name)
{
    v->batch_size = 0;
    v->replan_limit = 0;
    v->full = false;
    snprintf(v->dir, sizeof v->dir, "%s/%s", rg_test_tmpdir(), name);
    char p[512];
    mkdir(v->dir, 0755);
    snprintf(p, sizeof p, "%s/cadences", v->dir);
    mkdir(p, 0755);
    write_file(p, "teste.yaml", CADENCE);
    write_file(p, "lista.yaml", CONSOLIDATED);
    snprintf(p, sizeof p, "%s/templates", v->dir);
    mkdir(p, 0755);
    write_file(p, "lembrete.email", "Subject: Lembrete {{invoice.external_id}}\n"
                                    "Olá, {{customer.first_name}}! {{invoice.amount}} vence em {{invoice.due_date}}. " CREDITOR "\n");
    write_file(p, "hoje.whatsapp", "Hoje vence {{invoice.external_id}}: {{invoice.amount}}. " CREDITOR "\n");
    write_file(p, "hoje.sms", "Hoje vence {{invoice.external_id}}: {{invoice.amount}}. " CREDITOR "\n");
    write_file(p, "atraso.whatsapp", "{{invoice.external_id}} venceu em {{invoice.due_date}} ({{invoice.days_late}} dias): "
                                     "{{invoice.updated_amount}}. " CREDITOR "\n");
    write_file(p, "atraso.email", "Subject: Em aberto {{invoice.external_id}}\n{{invoice.external_id}} venceu em "
                                  "{{invoice.due_date}}: {{invoice.updated_amount}}. " CREDITOR "\n");
    write_file(p, "segunda-via.email", "Subject: Segunda via {{invoice.external_id}}\nNovo vencimento "
                                       "{{invoice.due_date}}: {{invoice.updated_amount}} (multa {{invoice.fine}}, "
                                       "juros {{invoice.interest}}). " CREDITOR "\n");
    write_file(p, "aviso.email", "Subject: Aviso {{invoice.external_id}}\nAviso sobre {{invoice.external_id}}: "
                                 "{{invoice.updated_amount}}. " CREDITOR "\n");
    write_file(p, "aviso.letter", "Aviso sobre {{invoice.external_id}}: {{invoice.updated_amount}}. " CREDITOR "\n");
    write_file(p, "lista.email", "Subject: Vencem hoje\n{{#invoices}}{{invoice.external_id}}={{invoice.amount}};"
                                 "{{/invoices}} " CREDITOR "\n");
    rg_config_defaults(&v->config);
    snprintf(v->config.database, sizeof v->config.database, "%s/regua.db", v->dir);
    snprintf(v->config.cadences_dir, sizeof v->config.cadences_dir, "%s/cadences", v->dir);
    snprintf(v->config.templates_dir, sizeof v->config.templates_dir, "%s/templates", v->dir);
    rg_strlcpy(v->config.company.name, "Exemplo Ltda", sizeof v->config.company.name);
    rg_strlcpy(v->config.company.cnpj, "11222333000181", sizeof v->config.company.cnpj);
    const char *chans[] = {"email", "whatsapp", "sms"};
    char dir[256];
    rg_strlcpy(dir, v->dir, sizeof dir);
    for (size_t i = 0; i < 3; i++) {
        rg_channel_config *c = &v->config.channels[v->config.n_channels++];
        memset(c, 0, sizeof *c);
        rg_strlcpy(c->name, chans[i], sizeof c->name);
        rg_strlcpy(c->driver, "log", sizeof c->driver);
        c->n_settings = 1;
        rg_strlcpy(c->settings[0].key, "path", sizeof c->settings[0].key);
        snprintf(c->settings[0].value, sizeof c->settings[0].value, "%s/out/%s.jsonl", dir, chans[i]);
    }
    rg_err e;
    assert_int_equal(rg_store_open(v->config.database, &v->store, &e), RG_OK);
}

static void open_engine(env *v)
{
    rg_engine_options o = {v->store, &v->config, false, v->batch_size, v->replan_limit};
    rg_diags d = RG_DIAGS_INIT;
    rg_err e;
    rg_status rc = rg_engine_open(&o, &v->engine, &d, &e);
    if (rc != RG_OK || rg_diags_count(&d, 0, RG_SEV_ERROR)) {
        rg_buf b = RG_BUF_INIT;
        rg_diags_format(&d, &b);
        fprintf(stderr, "engine: %s: %s\n%s", e.where, e.msg, rg_buf_cstr(&b));
        rg_buf_free(&b);
        fail();
    }
    rg_diags_free(&d);
}

static void teardown_env(env *v)
{
    rg_engine_close(v->engine);
    rg_store_close(v->store);
}

static void import(env *v, rg_import_kind kind, const char *csv)
{
    rg_import_report r;
    rg_err e;
    rg_status rc = rg_import_csv_buffer(&(rg_event_env){v->store, rg_test_zones(), NULL}, kind, "t.csv", csv, strlen(csv), rg_test_import_options(false, at("2026-10-01T12:00:00Z")), &r, &e);
    if (rc != RG_OK)
        fprintf(stderr, "%s", rg_buf_cstr(&r.text));
    assert_int_equal(rc, RG_OK);
    rg_import_report_free(&r);
}

static void pay(env *v, const char *invoice, rg_cents amount, const char *when)
{
    rg_payment p;
    rg_payment_init(&p);
    rg_strlcpy(p.invoice_external_id, invoice, sizeof p.invoice_external_id);
    p.amount = amount;
    p.paid_at = at(when);
    rg_strlcpy(p.reference, when, sizeof p.reference);
    rg_payment_outcome out;
    rg_err e;
    assert_int_equal(rg_store_begin(v->store, &e), RG_OK);
    assert_int_equal(rg_payment_record(&(rg_event_env){v->store, rg_test_zones(), NULL}, &p, p.paid_at, &out, &e), RG_OK);
    assert_int_equal(rg_store_commit(v->store, &e), RG_OK);
}

static rg_tick_stats tick(env *v, rg_instant t)
{
    rg_tick_stats st;
    rg_err e;
    rg_err_clear(&e);
    if ((v->full ? rg_engine_tick_full : rg_engine_tick)(v->engine, t, &st, &e) != RG_OK) {
        fprintf(stderr, "tick: %s: %s\n", e.where, e.msg);
        fail();
    }
    return st;
}

/* Every message as one line: "CUSTOMER STEP CHANNEL YYYY-MM-DDTHH:MMZ STATUS | body" */
static rg_status line_of(void *p, const rg_message *m)
{
    rg_buf *b = p;
    char t[32];
    rg_instant_format(m->planned_for, t, sizeof t);
    rg_buf_printf(b, "%s %s %s %.16s %s | %s%s%s\n", m->customer_external_id, m->source_id,
                  m->channel[0] ? m->channel : "-", t, rg_message_status_name(m->status), m->body ? m->body : "",
                  m->reason[0] ? " # " : "", m->reason);
    return RG_OK;
}

static rg_status task_line(void *p, const rg_task *t)
{
    char when[32];
    rg_buf_printf(p, "%s %s %s\n", t->kind, t->source, rg_instant_format(t->created_at, when, sizeof when));
    return RG_OK;
}

static rg_status version_line(void *p, const rg_message *m)
{
    rg_buf_printf(p, "%-8.8s %s %s\n", m->source_id, m->cadence_version, m->source_id);
    return RG_OK;
}

static char *all_messages(env *v)
{
    rg_buf b = RG_BUF_INIT;
    rg_message_filter f;
    rg_message_filter_init(&f);
    rg_err e;
    assert_int_equal(rg_store_message_each(v->store, &f, line_of, &b, &e), RG_OK);
    return rg_buf_detach(&b);
}

static const char *CUSTOMERS = "external_id,name,document,email,phone,whatsapp,tags\n"
                               "C1,MARIA DA SILVA,529.982.247-25,maria@exemplo.com.br,,(11) 98765-4321,\n"
                               "C2,João Souza,111.444.777-35,joao@exemplo.com.br,(21) 99876-5432,,\n"
                               "C3,Ana Lima,,ana@exemplo.com.br,,,\n"
                               "C4,Pedro Alves,,pedro@exemplo.com.br,,(31) 99999-0000,\n"
                               "C5,Loja Nova Ltda,11.222.333/0001-81,loja@exemplo.com.br,,,consolida\n";

static const char *INVOICES = "external_id,customer_external_id,amount,due_date\n"
                              "F1,C1,150.00,2026-11-20\n"  /* a Friday and a holiday: effective 11-23 */
                              "F2,C2,1000.00,2026-10-15\n" /* never paid until December */
                              "F3,C3,80.00,2026-10-15\n"
                              "F4,C4,300.00,2026-11-10\n"
                              "F5A,C5,10.00,2026-10-20\n"
                              "F5B,C5,20.00,2026-10-20\n";

/* Every invoice's progress, "EXTERNAL_ID cadence steps" a line. */
static char *all_progress(env *v)
{
    rg_buf b = RG_BUF_INIT;
    const char *ids[] = {"F1", "F2", "F3", "F4", "F5A", "F5B"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        rg_invoice inv;
        rg_err e;
        char cad[64], steps[1024];
        bool found;
        assert_int_equal(rg_store_invoice_get(v->store, ids[i], &inv, &e), RG_OK);
        assert_int_equal(rg_store_progress_get(v->store, inv.id, cad, sizeof cad, steps, sizeof steps, &found, &e), RG_OK);
        rg_buf_printf(&b, "%s %s %s\n", ids[i], cad, steps);
    }
    return rg_buf_detach(&b);
}

/* The same 90 days with any batch size: one batch, or batches that the
 * tick plans on its read-ahead thread while it writes the one before, or
 * that cut a customer's invoices in two; with the agenda, or planning every
 * open invoice at every tick (full). *progress (may be NULL) gets every
 * invoice's progress at the end, *looked_at the invoices the ticks planned. */
static void ninety_days(const char *name, int64_t batch_size, bool full, char **progress, int64_t *looked_at)
{
    env v;
    setup_env(&v, name);
    v.batch_size = batch_size;
    v.full = full;
    int64_t planned = 0;
    import(&v, RG_IMPORT_CUSTOMERS, CUSTOMERS);
    import(&v, RG_IMPORT_INVOICES, INVOICES);
    rg_customer c3;
    rg_err e;
    assert_int_equal(rg_store_customer_get(v.store, "C3", &c3, &e), RG_OK);
    assert_int_equal(rg_store_optout_set(v.store, c3.id, "email", "reply", at("2026-10-01T00:00:00Z"), &e), RG_OK);
    open_engine(&v);
    /* every hour from 2026-10-01 to 2026-12-29, with payments on the way */
    rg_instant start = at("2026-10-01T00:00:00Z");
    for (int h = 0; h < 90 * 24; h++) {
        rg_instant t = start + (rg_instant)h * 3600;
        if (t == at("2026-11-05T15:00:00Z"))
            pay(&v, "F4", 10000, "2026-11-05T15:00:00Z"); /* partial: 100 of 300 */
        if (t == at("2026-11-26T15:00:00Z"))
            pay(&v, "F1", 15000, "2026-11-26T15:00:00Z");
        if (t == at("2026-12-01T15:00:00Z"))
            pay(&v, "F2", 100000, "2026-12-01T15:00:00Z");
        planned += tick(&v, t).invoices;
    }
    if (looked_at)
        *looked_at = planned;
    if (progress)
        *progress = all_progress(&v);
    char *got = all_messages(&v);
    /* Each line checked by hand against the rules:
     * - 10-12 is a holiday (Aparecida): C2's D-3 reminder waits for 10-13 09:00 BRT;
     * - C2 has no WhatsApp: SMS; C3 opted out of e-mail and has no phone: suppressed with the reason;
     * - C2's D+2 (Saturday 10-17) is due Monday 10-19 but the cap (2 a week) holds it to 10-20:
     *   5 days late, R$ 1.000,00 + 2% + 1% a.m. pro rata = R$ 1.021,67;
     * - C5's two invoices due 10-20 go in one consolidated e-mail;
     * - C2's D+10 (Sunday 10-25) reissues on Monday 10-26: 11 days late, new due date 3 bank days on;
     * - C4 paid R$ 100,00 of R$ 300,00 on 11-05: every message says R$ 200,00;
     * - C4's D-3 (Saturday 11-07) goes on Monday 11-09, still before the due date;
     * - F1 is due on 11-20, a Friday holiday: effective 11-23, when D-3 and D0 are both due: only D0 goes;
     * - F1 is paid on 11-26: nothing after. */
    const char *want =
        "C2 lembrete email 2026-10-13T12:00 sent | Olá, João! R$ 1.000,00 vence em 15/10/2026. Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "C3 lembrete - 2026-10-13T12:00 suppressed |  # no channel left: email: opted out\n"
        "C2 hoje sms 2026-10-15T12:00 sent | Hoje vence F2: R$ 1.000,00. Exemplo Ltda (CNPJ 11.222.333/0001-81) # whatsapp: no address\n"
        "C3 hoje - 2026-10-15T12:00 suppressed |  # no channel left: whatsapp: no address; sms: no address\n"
        "C3 atraso - 2026-10-19T12:00 suppressed |  # no channel left: whatsapp: no address; email: opted out\n"
        "C2 atraso email 2026-10-20T12:00 sent | F2 venceu em 15/10/2026: R$ 1.021,67. Exemplo Ltda (CNPJ 11.222.333/0001-81) # whatsapp: no address\n"
        "C5 hoje email 2026-10-20T12:00 sent | F5A=R$ 10,00;F5B=R$ 20,00; Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "C2 segunda-via email 2026-10-26T12:00 sent | Novo vencimento 29/10/2026: R$ 1.023,67 (multa R$ 20,00, juros R$ 3,67). Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "C3 segunda-via - 2026-10-26T12:00 suppressed |  # no channel left: email: opted out\n"
        "C2 aviso email 2026-11-04T12:00 sent | Aviso sobre F2: R$ 1.026,67. Exemplo Ltda (CNPJ 11.222.333/0001-81) # letter: channel not configured\n"
        "C3 aviso - 2026-11-04T12:00 suppressed |  # no channel left: letter: channel not configured; email: opted out\n"
        "C4 lembrete email 2026-11-09T12:00 sent | Olá, Pedro! R$ 200,00 vence em 10/11/2026. Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "C4 hoje whatsapp 2026-11-10T12:00 sent | Hoje vence F4: R$ 200,00. Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "C4 atraso whatsapp 2026-11-16T12:00 sent | F4 venceu em 10/11/2026 (6 dias): R$ 204,40. Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "C1 hoje whatsapp 2026-11-23T12:00 sent | Hoje vence F1: R$ 150,00. Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "C4 segunda-via email 2026-11-23T12:00 sent | Novo vencimento 26/11/2026: R$ 204,87 (multa R$ 4,00, juros R$ 0,87). Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "C1 atraso whatsapp 2026-11-25T12:00 sent | F1 venceu em 20/11/2026 (2 dias): R$ 153,10. Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "C4 aviso email 2026-11-30T12:00 sent | Aviso sobre F4: R$ 205,33. Exemplo Ltda (CNPJ 11.222.333/0001-81) # letter: channel not configured\n";
    assert_string_equal(got, want);
    free(got);

    /* the superseded reminder is recorded, not sent */
    rg_invoice inv;
    assert_int_equal(rg_store_invoice_get(v.store, "F1", &inv, &e), RG_OK);
    char cad[64], steps[1024];
    bool found;
    assert_int_equal(rg_store_progress_get(v.store, inv.id, cad, sizeof cad, steps, sizeof steps, &found, &e), RG_OK);
    assert_true(found);
    assert_string_equal(cad, "teste");
    assert_non_null(strstr(steps, "lembrete=X;"));
    assert_non_null(strstr(steps, "hoje=S@"));

    /* tasks: the D+15 calls of the unpaid invoices (C1 paid before its own);
     * C3 has no phone to call: no task, the step says why */
    rg_buf tasks = RG_BUF_INIT;
    assert_int_equal(rg_store_task_each(v.store, true, task_line, &tasks, &e), RG_OK);
    assert_string_equal(rg_buf_cstr(&tasks), "call step:teste/ligar 2026-10-30T12:00:00Z\n"
                                             "call step:teste/ligar 2026-11-25T12:00:00Z\n");
    rg_buf_free(&tasks);
    assert_int_equal(rg_store_invoice_get(v.store, "F3", &inv, &e), RG_OK);
    assert_int_equal(rg_store_progress_get(v.store, inv.id, cad, sizeof cad, steps, sizeof steps, &found, &e), RG_OK);
    assert_non_null(strstr(steps, "ligar=P"));

    /* bureau: C2 is a consumer (CPF) whose notice of 11-04 went by e-mail, not
     * by letter: F2 is never listed, and its step says why (STJ, REsp
     * 2.056.285/RS); F3's notice was never sent: never listed; C4 has no
     * document: F4 listed on 12-11 (notice 11-30 + 10 days) */
    char status[32];
    assert_int_equal(rg_store_invoice_get(v.store, "F2", &inv, &e), RG_OK);
    assert_int_equal(rg_store_bureau_status(v.store, inv.id, status, sizeof status, &e), RG_OK);
    assert_string_equal(status, "");
    assert_int_equal(rg_store_progress_get(v.store, inv.id, cad, sizeof cad, steps, sizeof steps, &found, &e), RG_OK);
    assert_non_null(strstr(steps, "negativar=L"));
    assert_int_equal(rg_store_invoice_get(v.store, "F3", &inv, &e), RG_OK);
    assert_int_equal(rg_store_bureau_status(v.store, inv.id, status, sizeof status, &e), RG_OK);
    assert_string_equal(status, "");
    assert_int_equal(rg_store_invoice_get(v.store, "F4", &inv, &e), RG_OK);
    assert_int_equal(rg_store_bureau_status(v.store, inv.id, status, sizeof status, &e), RG_OK);
    assert_string_equal(status, "requested");
    /* the reissue of F2 carries the new due date and amount */
    assert_int_equal(rg_store_invoice_get(v.store, "F2", &inv, &e), RG_OK);
    assert_int_equal(inv.reissued_amount, 102367);
    char d[16];
    assert_string_equal(rg_date_format_iso(inv.reissued_due_date, d, sizeof d), "2026-10-29");
    teardown_env(&v);
}

static void test_ninety_days(void **state)
{
    (void)state;
    ninety_days("ninety", 0, false, NULL, NULL);
}

static void test_ninety_days_in_small_batches(void **state)
{
    (void)state;
    ninety_days("ninety-b1", 1, false, NULL, NULL);
    ninety_days("ninety-b2", 2, false, NULL, NULL);
    ninety_days("ninety-b3", 3, false, NULL, NULL);
}

/* The agenda against a full scan: the same 90 days ticked hourly both ways
 * give the same messages (ninety_days checks each against the same lines),
 * tasks, listings, reissues and the same progress for every invoice — while
 * the agenda plans a small part of what the full scan plans. */
static void test_ninety_days_agenda_matches_full_scan(void **state)
{
    (void)state;
    char *with_agenda, *with_full;
    int64_t agenda_planned, full_planned;
    ninety_days("ninety-agenda", 0, false, &with_agenda, &agenda_planned);
    ninety_days("ninety-full", 0, true, &with_full, &full_planned);
    assert_string_equal(with_agenda, with_full);
    free(with_agenda);
    free(with_full);
    /* the full scan plans each open invoice at each of the 2,160 ticks */
    assert_true(full_planned > 5000);
    assert_true(agenda_planned * 10 < full_planned);
}

static int64_t count_messages(env *v)
{
    char *all = all_messages(v);
    int64_t n = 0;
    for (const char *p = all; *p; p++)
        n += *p == '\n';
    free(all);
    return n;
}

/* After downtime only the latest due step fires; the others are recorded
 * as superseded, never sent in a burst. Ticking again (same or earlier
 * instant) creates nothing. */
static void test_downtime_and_idempotence(void **state)
{
    (void)state;
    env v;
    setup_env(&v, "downtime");
    import(&v, RG_IMPORT_CUSTOMERS, "external_id,name,email,whatsapp\nC1,Ana,ana@x.com.br,(11) 98765-4321\n");
    import(&v, RG_IMPORT_INVOICES, "external_id,customer_external_id,amount,due_date\nF1,C1,100.00,2026-10-15\n");
    open_engine(&v);
    /* first tick ever on Wednesday 10-21 10:00 BRT: D-3, D0 and D+2 are all due */
    rg_tick_stats st = tick(&v, at("2026-10-21T13:00:00Z"));
    assert_int_equal(st.fired, 1);
    assert_int_equal(st.superseded, 2);
    assert_int_equal(st.messages, 1);
    char *got = all_messages(&v);
    assert_string_equal(got, "C1 atraso whatsapp 2026-10-21T13:00 sent | F1 venceu em 15/10/2026 (6 dias): R$ 102,20."
                             " Exemplo Ltda (CNPJ 11.222.333/0001-81)\n");
    free(got);
    st = tick(&v, at("2026-10-21T13:00:00Z"));
    assert_int_equal(st.messages, 0);
    assert_int_equal(st.fired, 0);
    st = tick(&v, at("2026-10-21T12:30:00Z"));
    assert_int_equal(st.messages, 0);
    assert_int_equal(count_messages(&v), 1);
    /* the JSON lines the log channel wrote: exactly one */
    char path[512];
    snprintf(path, sizeof path, "%s/out/whatsapp.jsonl", v.dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    int lines = 0;
    for (int c; (c = fgetc(f)) != EOF;)
        lines += c == '\n';
    fclose(f);
    assert_int_equal(lines, 1);
    teardown_env(&v);
}

/* Outside the window nothing fires; inside, it does. */
static void test_window(void **state)
{
    (void)state;
    env v;
    setup_env(&v, "window");
    import(&v, RG_IMPORT_CUSTOMERS, "external_id,name,email,timezone\nC1,Ana,ana@x.com.br,America/Manaus\n");
    import(&v, RG_IMPORT_INVOICES, "external_id,customer_external_id,amount,due_date\nF1,C1,100.00,2026-10-22\n");
    open_engine(&v);
    /* D-3 = Monday 10-19; 09:00 in Manaus is 13:00Z: at 12:30Z (09:30 in Sao Paulo) not yet */
    assert_int_equal(tick(&v, at("2026-10-19T12:30:00Z")).messages, 0);
    assert_int_equal(tick(&v, at("2026-10-19T13:00:00Z")).messages, 1);
    teardown_env(&v);
}

/* A debt five years past due is not collected at all. */
static void test_prescribed(void **state)
{
    (void)state;
    env v;
    setup_env(&v, "prescribed");
    import(&v, RG_IMPORT_CUSTOMERS, "external_id,name,email\nC1,Ana,ana@x.com.br\n");
    import(&v, RG_IMPORT_INVOICES, "external_id,customer_external_id,amount,due_date\n"
                                   "OLD,C1,100.00,2021-10-15\nNEW,C1,100.00,2021-10-20\n");
    open_engine(&v);
    /* 2026-10-19: OLD's effective due 2021-10-15 + 5 years = 2026-10-15, past; NEW's is 2026-10-20 */
    rg_tick_stats st = tick(&v, at("2026-10-19T13:00:00Z"));
    assert_int_equal(st.prescribed, 1);
    assert_int_equal(st.messages, 1); /* NEW's latest due step; OLD gets nothing */
    char *got = all_messages(&v);
    assert_null(strstr(got, "OLD"));
    free(got);
    teardown_env(&v);
}

/* Every invoice's agenda instant, "EXTERNAL_ID instant" a line. */
static char *all_agenda(env *v)
{
    rg_buf b = RG_BUF_INIT;
    const char *ids[] = {"F1", "F2", "F3", "F4", "F5A", "F5B"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        rg_invoice inv;
        rg_instant t;
        rg_err e;
        char when[32];
        assert_int_equal(rg_store_invoice_get(v->store, ids[i], &inv, &e), RG_OK);
        assert_int_equal(rg_store_invoice_agenda(v->store, inv.id, &t, &e), RG_OK);
        rg_buf_printf(&b, "%s %s\n", ids[i], t == RG_INSTANT_NONE ? "-" : rg_instant_format(t, when, sizeof when));
    }
    return rg_buf_detach(&b);
}

/* Ticks a minute apart from *t until the re-plan after a cadence change is
 * done; returns how many ticks that took, each planning at most `most`
 * invoices. */
static int replan_ticks(env *v, rg_instant *t, int64_t most)
{
    for (int n = 1; n <= 20; n++) {
        *t += 60;
        rg_tick_stats st = tick(v, *t);
        assert_true(st.invoices <= most);
        rg_agenda_state as;
        rg_err e;
        assert_int_equal(rg_store_agenda_state_get(v->store, &as, &e), RG_OK);
        if (!as.replan_fingerprint[0]) {
            assert_true(as.fingerprint[0]);
            return n;
        }
        assert_true(as.replan_after > 0);
    }
    fail();
    return 0;
}

/* After a cadence change every open invoice is planned anew, a bounded
 * number per tick from a stored cursor (here 2 invoices a tick, whole
 * customers), and ends where a full tick would. */
static void test_replan_after_a_cadence_change(void **state)
{
    (void)state;
    env v;
    setup_env(&v, "replan");
    v.replan_limit = 2;
    import(&v, RG_IMPORT_CUSTOMERS, CUSTOMERS);
    import(&v, RG_IMPORT_INVOICES, INVOICES);
    open_engine(&v);
    /* the first tick: every invoice is new (due) and the agenda has no
     * fingerprint yet; planning every customer is the whole re-plan, so it
     * ends there (not 2 invoices a tick) and the next tick plans nothing */
    rg_instant t = at("2026-10-01T12:00:00Z");
    assert_int_equal(tick(&v, t).invoices, 6);
    rg_agenda_state as;
    rg_err e;
    assert_int_equal(rg_store_agenda_state_get(v.store, &as, &e), RG_OK);
    assert_true(as.fingerprint[0]);
    assert_string_equal(as.replan_fingerprint, "");
    t += 60;
    assert_int_equal(tick(&v, t).invoices, 0);
    char *before = all_agenda(&v);
    /* F2's D-3 is 10-12, a holiday: 10-13 at 09:00 */
    assert_non_null(strstr(before, "F2 2026-10-13T12:00:00Z\n"));
    /* lembrete moves from D-3 to D-6 */
    rg_engine_close(v.engine);
    char path[600];
    snprintf(path, sizeof path, "%s/cadences/teste.yaml", v.dir);
    char *edited = rg_strdup(CADENCE);
    memcpy(strstr(edited, "at: D-3"), "at: D-6", 7);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(edited, f);
    fclose(f);
    free(edited);
    open_engine(&v);
    /* at most 2 invoices' customers a tick (C5 has two): several ticks */
    int n = replan_ticks(&v, &t, 3);
    assert_true(n >= 3);
    char *after = all_agenda(&v);
    assert_non_null(strstr(after, "F2 2026-10-09T12:00:00Z\n")); /* D-6: Friday 10-09 */
    assert_string_not_equal(before, after);
    /* nothing left to re-plan, and a full tick finds the same instants */
    t += 60;
    assert_int_equal(tick(&v, t).invoices, 0);
    v.full = true;
    t += 60;
    assert_int_equal(tick(&v, t).invoices, 6);
    char *full = all_agenda(&v);
    assert_string_equal(after, full);
    free(before);
    free(after);
    free(full);
    teardown_env(&v);
}

/* Editing a cadence never re-sends what was done: steps are known by id,
 * messages record the version they were planned with. */
static void test_cadence_edit(void **state)
{
    (void)state;
    env v;
    setup_env(&v, "edit");
    import(&v, RG_IMPORT_CUSTOMERS, "external_id,name,email,whatsapp\nC1,Ana,ana@x.com.br,(11) 98765-4321\n");
    import(&v, RG_IMPORT_INVOICES, "external_id,customer_external_id,amount,due_date\nF1,C1,100.00,2026-10-22\n");
    open_engine(&v);
    assert_int_equal(tick(&v, at("2026-10-19T12:00:00Z")).messages, 1); /* lembrete, D-3 */
    rg_engine_close(v.engine);
    /* new version: lembrete moved to D-2 and a new step at D-1 */
    char p[512];
    snprintf(p, sizeof p, "%s/cadences", v.dir);
    char *edited = rg_strdup(CADENCE);
    char *pos = strstr(edited, "at: D-3");
    memcpy(pos, "at: D-2", 7);
    FILE *f;
    char path[600];
    snprintf(path, sizeof path, "%s/teste.yaml", p);
    f = fopen(path, "w");
    fputs(edited, f);
    fputs("  - {id: vespera, at: D-1, send: {channels: [email], template: lembrete}}\n", f);
    fclose(f);
    free(edited);
    open_engine(&v);
    /* D-2: lembrete was done, it does not go again */
    assert_int_equal(tick(&v, at("2026-10-20T12:00:00Z")).messages, 0);
    assert_int_equal(tick(&v, at("2026-10-21T12:00:00Z")).messages, 1); /* vespera */
    rg_buf b = RG_BUF_INIT;
    rg_message_filter mf;
    rg_message_filter_init(&mf);
    rg_err e;
    assert_int_equal(rg_store_message_each(v.store, &mf, version_line, &b, &e), RG_OK);
    /* two messages, two different versions */
    const char *t = rg_buf_cstr(&b);
    const char *nl = strchr(t, '\n');
    assert_non_null(nl);
    assert_true(strncmp(t + 9, nl + 1 + 9, 16) != 0);
    assert_non_null(strstr(t, "lembrete "));
    assert_non_null(strstr(t, "vespera "));
    rg_buf_free(&b);
    teardown_env(&v);
}

/* A consolidated message lists the invoices at one step on one channel;
 * an invoice that becomes due at that step after it went gets its own
 * message the same day (the next day "vence hoje" would be false). */
static void test_consolidation_late_invoice(void **state)
{
    (void)state;
    env v;
    setup_env(&v, "consolidation");
    import(&v, RG_IMPORT_CUSTOMERS, "external_id,name,email,tags\nC5,Loja,loja@x.com.br,consolida\n");
    import(&v, RG_IMPORT_INVOICES, "external_id,customer_external_id,amount,due_date\n"
                                   "A,C5,10.00,2026-10-20\nB,C5,20.00,2026-10-20\n");
    open_engine(&v);
    assert_int_equal(tick(&v, at("2026-10-20T12:00:00Z")).messages, 1);
    import(&v, RG_IMPORT_INVOICES, "external_id,customer_external_id,amount,due_date\nC,C5,30.00,2026-10-20\n");
    rg_tick_stats st = tick(&v, at("2026-10-20T15:00:00Z"));
    assert_int_equal(st.messages, 1);
    assert_int_equal(tick(&v, at("2026-10-20T15:00:00Z")).messages, 0);
    assert_int_equal(tick(&v, at("2026-10-21T12:00:00Z")).messages, 0);
    char *got = all_messages(&v);
    assert_string_equal(got, "C5 hoje email 2026-10-20T12:00 sent | A=R$ 10,00;B=R$ 20,00; Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
                             "C5 hoje email 2026-10-20T15:00 sent | C=R$ 30,00; Exemplo Ltda (CNPJ 11.222.333/0001-81)\n");
    free(got);
    teardown_env(&v);
}

/* Repeat offenders are a segment: a cadence matching late_count_12m_min. */
static void test_repeat_offenders(void **state)
{
    (void)state;
    env v;
    setup_env(&v, "offenders");
    char p[512];
    snprintf(p, sizeof p, "%s/cadences", v.dir);
    write_file(p, "reincidente.yaml",
               "cadence: reincidente\n"
               "match: {priority: 9, late_count_12m_min: 2}\n"
               "window: {weekdays: \"09:00-18:00\", saturday: closed, sunday: closed, holidays: closed}\n"
               "steps:\n"
               "  - {id: cedo, at: D-7, send: {channels: [email], template: lembrete}}\n");
    import(&v, RG_IMPORT_CUSTOMERS, "external_id,name,email\nC1,Ana,ana@x.com.br\nC2,Bia,bia@x.com.br\n");
    import(&v, RG_IMPORT_INVOICES, "external_id,customer_external_id,amount,due_date\n"
                                   "A1,C1,10.00,2026-06-10\nA2,C1,10.00,2026-07-10\nA3,C1,10.00,2026-11-10\n"
                                   "B1,C2,10.00,2026-06-10\nB2,C2,10.00,2026-07-10\nB3,C2,10.00,2026-11-10\n");
    pay(&v, "A1", 1000, "2026-06-20T15:00:00Z"); /* late */
    pay(&v, "A2", 1000, "2026-07-25T15:00:00Z"); /* late */
    pay(&v, "B1", 1000, "2026-06-10T15:00:00Z"); /* on time */
    pay(&v, "B2", 1000, "2026-07-14T15:00:00Z"); /* late */
    open_engine(&v);
    /* 11-03 is D-7 for both: only C1 (two late payments) follows the D-7 cadence */
    tick(&v, at("2026-11-03T12:00:00Z"));
    char *got = all_messages(&v);
    assert_string_equal(got, "C1 cedo email 2026-11-03T12:00 sent | Olá, Ana! R$ 10,00 vence em 10/11/2026."
                             " Exemplo Ltda (CNPJ 11.222.333/0001-81)\n");
    free(got);
    teardown_env(&v);
}

/* The one confirmation of an opt-out goes to the channel just left; any
 * other message to that channel does not. */
static void test_optout_confirmation_passes_recheck(void **state)
{
    (void)state;
    env v;
    setup_env(&v, "optout-confirm");
    import(&v, RG_IMPORT_CUSTOMERS, "external_id,name,email,whatsapp\nC1,Ana,ana@x.com.br,(11) 98765-4321\n");
    rg_customer c;
    rg_err e;
    assert_int_equal(rg_store_customer_get(v.store, "C1", &c, &e), RG_OK);
    assert_int_equal(rg_store_optout_set(v.store, c.id, "whatsapp", "reply", at("2026-10-19T12:00:00Z"), &e), RG_OK);
    open_engine(&v);
    rg_message m;
    memset(&m, 0, sizeof m);
    rg_strlcpy(m.channel, "whatsapp", sizeof m.channel);
    rg_strlcpy(m.source_kind, "manual", sizeof m.source_kind);
    rg_strlcpy(m.source_id, "optout-confirm", sizeof m.source_id);
    m.customer_id = c.id;
    m.body = "Pronto: você não receberá mais mensagens por aqui.";
    rg_dispatch_verdict vd;
    memset(&vd, 0, sizeof vd);
    assert_int_equal(rg_engine_dispatch_check(v.engine, &m, &c, at("2026-10-19T12:01:00Z"), NULL, &vd, &e), RG_OK);
    assert_int_equal(vd.action, RG_DISPATCH_SEND);
    rg_dispatch_verdict_clear(&vd);
    rg_strlcpy(m.source_id, "something-else", sizeof m.source_id);
    memset(&vd, 0, sizeof vd);
    assert_int_equal(rg_engine_dispatch_check(v.engine, &m, &c, at("2026-10-19T12:01:00Z"), NULL, &vd, &e), RG_OK);
    assert_int_not_equal(vd.action, RG_DISPATCH_SEND);
    rg_dispatch_verdict_clear(&vd);
    teardown_env(&v);
}

/* A consolidating cadence with a step in every phase, for the tests below. */
static const char *STEPS =
    "cadence: passos\n"
    "match: {priority: 7, tags_any: [passos]}\n"
    "window: {weekdays: \"09:00-18:00\", saturday: closed, sunday: closed, holidays: closed}\n"
    "caps: {per_customer: {max: 10, days: 7}}\n"
    "fees: {fine_pct: 2.00, interest_month_pct: 1.00}\n"
    "consolidate: true\n"
    "steps:\n"
    "  - {id: lembrete, at: D-2, send: {channels: [email], template: p-lembrete}}\n"
    "  - {id: vespera, at: D-1, send: {channels: [email], template: p-vespera}}\n"
    "  - {id: hoje, at: D0, send: {channels: [email], template: p-hoje}}\n"
    "  - {id: atraso, at: D+1, send: {channels: [email], template: p-atraso}}\n"
    "  - {id: aviso, at: D+5, send: {channels: [email], template: p-aviso}}\n";

static void steps_env(env *v, const char *name, const char *cadence)
{
    setup_env(v, name);
    char p[512];
    snprintf(p, sizeof p, "%s/cadences", v->dir);
    write_file(p, "passos.yaml", cadence);
    snprintf(p, sizeof p, "%s/templates", v->dir);
    write_file(p, "p-lembrete.email", "Subject: Lembrete\n{{#invoices}}{{invoice.external_id}} vence em "
                                      "{{invoice.effective_due_date}}; {{/invoices}}" CREDITOR "\n");
    write_file(p, "p-vespera.email", "Subject: Amanha\n{{#invoices}}{{invoice.external_id}} vence amanha, "
                                     "{{invoice.effective_due_date}}; {{/invoices}}" CREDITOR "\n");
    write_file(p, "p-hoje.email", "Subject: Hoje\n{{#invoices}}{{invoice.external_id}} vence hoje, "
                                  "{{invoice.effective_due_date}} (impresso {{invoice.due_date}}); {{/invoices}}" CREDITOR
                                  "\n");
    write_file(p, "p-atraso.email", "Subject: Atraso\n{{#invoices}}{{invoice.external_id}} venceu em "
                                    "{{invoice.effective_due_date}}, {{invoice.days_late}} dias; {{/invoices}}" CREDITOR
                                    "\n");
    write_file(p, "p-aviso.email", "Subject: Aviso\n{{#invoices}}{{invoice.external_id}} em atraso desde "
                                   "{{invoice.effective_due_date}}; {{/invoices}}pode ser informado aos cadastros. " CREDITOR
                                   "\n");
}

static char *progress_of(env *v, const char *invoice)
{
    rg_invoice inv;
    rg_err e;
    assert_int_equal(rg_store_invoice_get(v->store, invoice, &inv, &e), RG_OK);
    char cad[64], steps[1024];
    bool found;
    assert_int_equal(rg_store_progress_get(v->store, inv.id, cad, sizeof cad, steps, sizeof steps, &found, &e), RG_OK);
    return rg_strdup(found ? steps : "");
}

/* Consolidation by step: one customer with invoices at four different
 * steps on the same day gets one message per step, each describing only
 * the invoices at that step; invoices at the same step share one. No
 * invoice is ever described by another invoice's step, and a step is
 * recorded done only for the invoices its message carried. */
static void test_consolidation_by_step(void **state)
{
    (void)state;
    env v;
    steps_env(&v, "by-step", STEPS);
    import(&v, RG_IMPORT_CUSTOMERS, "external_id,name,email,tags\nC1,Loja,loja@x.com.br,passos\n");
    /* Wednesday 2026-10-21: A and E due today, B yesterday, C five days ago
     * (Friday 10-16), D in two days */
    import(&v, RG_IMPORT_INVOICES, "external_id,customer_external_id,amount,due_date\n"
                                   "A,C1,10.00,2026-10-21\nB,C1,20.00,2026-10-20\nC,C1,30.00,2026-10-16\n"
                                   "D,C1,40.00,2026-10-23\nE,C1,50.00,2026-10-21\n");
    open_engine(&v);
    rg_tick_stats st = tick(&v, at("2026-10-21T12:00:00Z"));
    assert_int_equal(st.messages, 4);
    char *got = all_messages(&v);
    /* in the order the caps would take them: what stops being true soonest */
    assert_string_equal(got,
                        "C1 hoje email 2026-10-21T12:00 sent | A vence hoje, 21/10/2026 (impresso 21/10/2026); E vence "
                        "hoje, 21/10/2026 (impresso 21/10/2026); Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
                        "C1 lembrete email 2026-10-21T12:00 sent | D vence em 23/10/2026; Exemplo Ltda (CNPJ "
                        "11.222.333/0001-81)\n"
                        "C1 atraso email 2026-10-21T12:00 sent | B venceu em 20/10/2026, 1 dias; Exemplo Ltda (CNPJ "
                        "11.222.333/0001-81)\n"
                        "C1 aviso email 2026-10-21T12:00 sent | C em atraso desde 16/10/2026; pode ser informado aos "
                        "cadastros. Exemplo Ltda (CNPJ 11.222.333/0001-81)\n");
    free(got);
    /* each invoice's own step is the one recorded done */
    char *pa = progress_of(&v, "A"), *pc = progress_of(&v, "C"), *pd = progress_of(&v, "D");
    assert_non_null(strstr(pa, "hoje=S@"));
    assert_null(strstr(pa, "atraso"));
    assert_non_null(strstr(pc, "aviso=S@"));
    assert_non_null(strstr(pc, "hoje=X"));
    assert_null(strstr(pc, "hoje=S"));
    assert_non_null(strstr(pd, "lembrete=S@"));
    assert_null(strstr(pd, "aviso"));
    free(pa);
    free(pc);
    free(pd);
    /* the same instant again: nothing new */
    assert_int_equal(tick(&v, at("2026-10-21T12:00:00Z")).messages, 0);
    teardown_env(&v);
}

/* When the cap cannot take all of a customer's messages of the day, the
 * ones that would stop being true soonest go first ("vence hoje" today,
 * then the late notice that holds until the next step); the others wait —
 * the notice that nothing ends goes a week later, listing every invoice
 * that has reached it by then. */
static void test_consolidation_by_step_cap(void **state)
{
    (void)state;
    env v;
    char *cad = rg_strdup(STEPS);
    char *pos = strstr(cad, "max: 10");
    memcpy(pos, "max: 2 ", 7);
    steps_env(&v, "by-step-cap", cad);
    free(cad);
    import(&v, RG_IMPORT_CUSTOMERS, "external_id,name,email,tags\nC1,Loja,loja@x.com.br,passos\n");
    import(&v, RG_IMPORT_INVOICES, "external_id,customer_external_id,amount,due_date\n"
                                   "A,C1,10.00,2026-10-21\nB,C1,20.00,2026-10-20\nC,C1,30.00,2026-10-16\n");
    open_engine(&v);
    rg_tick_stats st = tick(&v, at("2026-10-21T12:00:00Z"));
    assert_int_equal(st.messages, 2);
    assert_int_equal(st.deferred, 1);
    for (int d = 0; d < 9; d++)
        tick(&v, at("2026-10-22T12:00:00Z") + (rg_instant)d * 86400);
    char *got = all_messages(&v);
    assert_string_equal(got,
                        "C1 hoje email 2026-10-21T12:00 sent | A vence hoje, 21/10/2026 (impresso 21/10/2026); Exemplo "
                        "Ltda (CNPJ 11.222.333/0001-81)\n"
                        "C1 atraso email 2026-10-21T12:00 sent | B venceu em 20/10/2026, 1 dias; Exemplo Ltda (CNPJ "
                        "11.222.333/0001-81)\n"
                        "C1 aviso email 2026-10-28T12:00 sent | A em atraso desde 21/10/2026; B em atraso desde "
                        "20/10/2026; C em atraso desde 16/10/2026; pode ser informado aos cadastros. Exemplo Ltda (CNPJ "
                        "11.222.333/0001-81)\n");
    free(got);
    /* A's late step (D+1) waited behind the cap and was overtaken */
    char *pa = progress_of(&v, "A");
    assert_non_null(strstr(pa, "atraso=X"));
    free(pa);
    teardown_env(&v);
}

/* An invoice due on Sunday 10/01/2027 can be paid without charges on Monday
 * 11/01: the D-1 step (Sunday: window closed) would go out on Monday, the
 * due day itself, and is superseded (as D-2 on Saturday); the Monday
 * message says 11/01/2027. */
static void test_effective_due_date(void **state)
{
    (void)state;
    env v;
    steps_env(&v, "effective", STEPS);
    import(&v, RG_IMPORT_CUSTOMERS, "external_id,name,email,tags\nC1,Loja,loja@x.com.br,passos\n");
    import(&v, RG_IMPORT_INVOICES, "external_id,customer_external_id,amount,due_date\nS,C1,10.00,2027-01-10\n");
    open_engine(&v);
    for (int h = 0; h < 5 * 24; h++)
        tick(&v, at("2027-01-07T00:00:00Z") + (rg_instant)h * 3600);
    char *got = all_messages(&v);
    assert_string_equal(got,
                        "C1 hoje email 2027-01-11T12:00 sent | S vence hoje, 11/01/2027 (impresso 10/01/2027); Exemplo "
                        "Ltda (CNPJ 11.222.333/0001-81)\n");
    /* D-2 (Saturday) and D-1 (Sunday) would have gone on the due day: superseded */
    char *ps = progress_of(&v, "S");
    assert_non_null(strstr(ps, "lembrete=X;vespera=X;hoje=S@"));
    free(ps);
    free(got);
    teardown_env(&v);
}

/* Versions: a step added, or a step renamed, at an offset an in-flight
 * invoice already passed is recorded as added-after-passed and never sent;
 * a step added ahead of the invoice is due in its time; an invoice that
 * comes to the cadence later follows every step. */
static void test_version_added_step(void **state)
{
    (void)state;
    env v;
    steps_env(&v, "versions", STEPS);
    import(&v, RG_IMPORT_CUSTOMERS, "external_id,name,email,tags\nC1,Loja,loja@x.com.br,passos\n");
    import(&v, RG_IMPORT_INVOICES, "external_id,customer_external_id,amount,due_date\nA,C1,10.00,2026-10-21\n");
    open_engine(&v);
    assert_int_equal(tick(&v, at("2026-10-21T12:00:00Z")).messages, 1); /* hoje */
    rg_engine_close(v.engine);
    /* v2 on 10-21 at 15:00: hoje renamed hoj2 (D0: passed) and a new step at
     * D+2 (ahead of the invoice) */
    char *cad = rg_strdup(STEPS);
    char *pos = strstr(cad, "id: hoje,");
    memcpy(pos, "id: hoj2,", 9);
    char p[512];
    snprintf(p, sizeof p, "%s/cadences", v.dir);
    rg_buf b = RG_BUF_INIT;
    rg_buf_puts(&b, cad);
    rg_buf_puts(&b, "  - {id: dois, at: D+2, send: {channels: [email], template: p-atraso}}\n");
    write_file(p, "passos.yaml", rg_buf_cstr(&b));
    rg_buf_free(&b);
    free(cad);
    open_engine(&v);
    rg_tick_stats st = tick(&v, at("2026-10-21T18:00:00Z"));
    assert_int_equal(st.messages, 0);
    assert_int_equal(st.added_after, 1);
    char *pa = progress_of(&v, "A");
    assert_non_null(strstr(pa, "hoj2=A"));
    free(pa);
    /* an invoice created now, long past due: the renamed step is not "added"
     * for it (it came after): the latest due step fires (downtime rule) */
    rg_import_report r;
    rg_err e;
    const char *csv = "external_id,customer_external_id,amount,due_date\nN,C1,10.00,2026-10-19\n";
    assert_int_equal(rg_import_csv_buffer(&(rg_event_env){v.store, rg_test_zones(), NULL}, RG_IMPORT_INVOICES, "t.csv", csv, strlen(csv),
                                          rg_test_import_options(false, at("2026-10-21T18:30:00Z")), &r, &e),
                     RG_OK);
    rg_import_report_free(&r);
    for (int d = 1; d <= 5; d++) /* to Monday 10-26 */
        tick(&v, at("2026-10-21T12:00:00Z") + (rg_instant)d * 86400);
    char *got = all_messages(&v);
    assert_string_equal(got,
                        "C1 hoje email 2026-10-21T12:00 sent | A vence hoje, 21/10/2026 (impresso 21/10/2026); Exemplo "
                        "Ltda (CNPJ 11.222.333/0001-81)\n"
                        "C1 atraso email 2026-10-22T12:00 sent | A venceu em 21/10/2026, 1 dias; Exemplo Ltda (CNPJ "
                        "11.222.333/0001-81)\n"
                        "C1 dois email 2026-10-22T12:00 sent | N venceu em 19/10/2026, 3 dias; Exemplo Ltda (CNPJ "
                        "11.222.333/0001-81)\n"
                        "C1 dois email 2026-10-23T12:00 sent | A venceu em 21/10/2026, 2 dias; Exemplo Ltda (CNPJ "
                        "11.222.333/0001-81)\n"
                        "C1 aviso email 2026-10-26T12:00 sent | A em atraso desde 21/10/2026; N em atraso desde "
                        "19/10/2026; pode ser informado aos cadastros. Exemplo Ltda (CNPJ 11.222.333/0001-81)\n");
    free(got);
    teardown_env(&v);
}

/* The customer's preferred channel goes first when it is among the step's
 * channels (the others stay fallbacks, in order); it never reorders a
 * notice that a bureau listing requires. */
static void test_preferred_channel(void **state)
{
    (void)state;
    env v;
    setup_env(&v, "preferred");
    import(&v, RG_IMPORT_CUSTOMERS, "external_id,name,email,whatsapp,phone,preferred_channel\n"
                                    "C1,Ana,ana@x.com.br,(11) 98765-4321,(11) 98765-4321,sms\n"
                                    "C2,Bia,bia@x.com.br,(11) 98765-4322,,email\n");
    import(&v, RG_IMPORT_INVOICES, "external_id,customer_external_id,amount,due_date\n"
                                   "F1,C1,100.00,2026-10-15\nF2,C2,100.00,2026-10-15\n");
    open_engine(&v);
    tick(&v, at("2026-10-15T12:00:00Z")); /* hoje: [whatsapp, sms] */
    /* aviso: [letter, email], required by the listing: C2's preference for
     * e-mail does not move it ahead of the letter (not configured here) */
    tick(&v, at("2026-11-04T12:00:00Z"));
    char *got = all_messages(&v);
    assert_string_equal(got,
                        "C1 hoje sms 2026-10-15T12:00 sent | Hoje vence F1: R$ 100,00. Exemplo Ltda (CNPJ "
                        "11.222.333/0001-81)\n"
                        "C2 hoje whatsapp 2026-10-15T12:00 sent | Hoje vence F2: R$ 100,00. Exemplo Ltda (CNPJ "
                        "11.222.333/0001-81)\n"
                        "C1 aviso email 2026-11-04T12:00 sent | Aviso sobre F1: R$ 102,67. Exemplo Ltda (CNPJ "
                        "11.222.333/0001-81) # letter: channel not configured\n"
                        "C2 aviso email 2026-11-04T12:00 sent | Aviso sobre F2: R$ 102,67. Exemplo Ltda (CNPJ "
                        "11.222.333/0001-81) # letter: channel not configured\n");
    free(got);
    teardown_env(&v);
}

/* The dispatcher's send-time re-check: a step's message held (window, cap)
 * goes out only while its step is still the invoice's current one — a
 * "vence em..." reminder still waiting on the due day, or a late notice
 * once a later step became due, is cancelled and says why. */
static void test_recheck_held_message(void **state)
{
    (void)state;
    env v;
    setup_env(&v, "recheck-held");
    import(&v, RG_IMPORT_CUSTOMERS, "external_id,name,email,whatsapp\nC1,Ana,ana@x.com.br,(11) 98765-4321\n");
    import(&v, RG_IMPORT_INVOICES, "external_id,customer_external_id,amount,due_date\nF1,C1,100.00,2026-10-22\n");
    open_engine(&v);
    rg_err e;
    rg_customer c;
    rg_invoice inv;
    assert_int_equal(rg_store_customer_get(v.store, "C1", &c, &e), RG_OK);
    assert_int_equal(rg_store_invoice_get(v.store, "F1", &inv, &e), RG_OK);
    tick(&v, at("2026-10-19T12:00:00Z")); /* lembrete (D-3) done */
    /* the same reminder, as if it had been queued and held */
    rg_message m;
    memset(&m, 0, sizeof m);
    rg_strlcpy(m.idempotency_key, "held-lembrete", sizeof m.idempotency_key);
    m.customer_id = c.id;
    m.invoice_id = inv.id;
    rg_strlcpy(m.cadence, "teste", sizeof m.cadence);
    rg_strlcpy(m.source_kind, "step", sizeof m.source_kind);
    rg_strlcpy(m.source_id, "lembrete", sizeof m.source_id);
    rg_strlcpy(m.channel, "email", sizeof m.channel);
    rg_strlcpy(m.template_name, "lembrete", sizeof m.template_name);
    m.body = "F1 vence em 22/10/2026";
    m.status = RG_MSG_QUEUED;
    m.planned_for = m.created_at = m.updated_at = at("2026-10-19T12:00:00Z");
    bool inserted;
    assert_int_equal(rg_store_message_insert(v.store, &m, &inserted, &e), RG_OK);
    rg_dispatch_verdict vd;
    memset(&vd, 0, sizeof vd);
    assert_int_equal(rg_engine_dispatch_check(v.engine, &m, &c, at("2026-10-20T13:00:00Z"), NULL, &vd, &e), RG_OK);
    assert_int_equal(vd.action, RG_DISPATCH_SEND);
    rg_dispatch_verdict_clear(&vd);
    /* on the due day (window open) it would be false: cancelled */
    memset(&vd, 0, sizeof vd);
    assert_int_equal(rg_engine_dispatch_check(v.engine, &m, &c, at("2026-10-22T13:00:00Z"), NULL, &vd, &e), RG_OK);
    assert_int_equal(vd.action, RG_DISPATCH_CANCEL);
    assert_string_equal(vd.reason, "not sent: F1: lembrete: the effective due date 22/10/2026 has come (checked at "
                                   "send time)");
    rg_dispatch_verdict_clear(&vd);
    /* a late message (D+2) held past D+10 (Sunday 11-01; 11-02 is a holiday),
     * when the segunda via became due; its step recorded done with it, as
     * the tick records a step with its message */
    char pc[64], steps[1024];
    bool found;
    assert_int_equal(rg_store_progress_get(v.store, inv.id, pc, sizeof pc, steps, sizeof steps, &found, &e), RG_OK);
    assert_true(found);
    rg_progress prog;
    rg_progress_parse(steps, &prog);
    assert_true(rg_progress_set(&prog, "atraso", RG_STEP_DONE, at("2026-10-26T12:00:00Z")));
    rg_buf pb = RG_BUF_INIT;
    rg_progress_format(&prog, &pb);
    assert_int_equal(rg_store_progress_put(v.store, inv.id, pc, "", rg_buf_cstr(&pb), RG_INSTANT_NONE, &e), RG_OK);
    rg_buf_free(&pb);
    rg_strlcpy(m.idempotency_key, "held-atraso", sizeof m.idempotency_key);
    rg_strlcpy(m.source_id, "atraso", sizeof m.source_id);
    assert_int_equal(rg_store_message_insert(v.store, &m, &inserted, &e), RG_OK);
    memset(&vd, 0, sizeof vd);
    assert_int_equal(rg_engine_dispatch_check(v.engine, &m, &c, at("2026-10-26T13:00:00Z"), NULL, &vd, &e), RG_OK);
    assert_int_equal(vd.action, RG_DISPATCH_SEND);
    rg_dispatch_verdict_clear(&vd);
    memset(&vd, 0, sizeof vd);
    assert_int_equal(rg_engine_dispatch_check(v.engine, &m, &c, at("2026-11-03T13:00:00Z"), NULL, &vd, &e), RG_OK);
    assert_int_equal(vd.action, RG_DISPATCH_CANCEL);
    assert_non_null(strstr(vd.reason, "superseded: step segunda-via became due"));
    rg_dispatch_verdict_clear(&vd);
    teardown_env(&v);

    /* consolidated: one held reminder about two invoices (G1 due 10-23, G2
     * due 10-26); on G1's due day it no longer describes G1 but still G2 */
    steps_env(&v, "recheck-partial", STEPS);
    import(&v, RG_IMPORT_CUSTOMERS, "external_id,name,email,tags\nC1,Loja,loja@x.com.br,passos\n");
    import(&v, RG_IMPORT_INVOICES, "external_id,customer_external_id,amount,due_date\n"
                                   "G1,C1,10.00,2026-10-23\nG2,C1,20.00,2026-10-26\n");
    open_engine(&v);
    rg_invoice g1, g2;
    assert_int_equal(rg_store_customer_get(v.store, "C1", &c, &e), RG_OK);
    assert_int_equal(rg_store_invoice_get(v.store, "G1", &g1, &e), RG_OK);
    assert_int_equal(rg_store_invoice_get(v.store, "G2", &g2, &e), RG_OK);
    memset(&m, 0, sizeof m);
    rg_strlcpy(m.idempotency_key, "held-both", sizeof m.idempotency_key);
    m.customer_id = c.id;
    m.invoice_id = g1.id;
    rg_strlcpy(m.cadence, "passos", sizeof m.cadence);
    rg_strlcpy(m.source_kind, "step", sizeof m.source_kind);
    rg_strlcpy(m.source_id, "lembrete", sizeof m.source_id);
    rg_strlcpy(m.channel, "email", sizeof m.channel);
    rg_strlcpy(m.template_name, "p-lembrete", sizeof m.template_name);
    m.body = "G1 e G2";
    m.status = RG_MSG_QUEUED;
    m.planned_for = m.created_at = m.updated_at = at("2026-10-21T12:00:00Z");
    assert_int_equal(rg_store_message_insert(v.store, &m, &inserted, &e), RG_OK);
    assert_int_equal(rg_store_message_link_invoice(v.store, m.id, g1.id, &e), RG_OK);
    assert_int_equal(rg_store_message_link_invoice(v.store, m.id, g2.id, &e), RG_OK);
    /* on 10-23 (G1's due day) G1 is no longer "vence em": re-rendered with G2 only */
    memset(&vd, 0, sizeof vd);
    assert_int_equal(rg_engine_dispatch_check(v.engine, &m, &c, at("2026-10-23T13:00:00Z"), NULL, &vd, &e), RG_OK);
    assert_int_equal(vd.action, RG_DISPATCH_SEND);
    assert_string_equal(vd.body, "G2 vence em 26/10/2026; Exemplo Ltda (CNPJ 11.222.333/0001-81)");
    assert_string_equal(vd.reason, "re-rendered without G1: lembrete: the effective due date 23/10/2026 has come");
    rg_dispatch_verdict_clear(&vd);
    teardown_env(&v);
}

/* ---- holds: promises and disputes (service/holds.h) ---- */

static rg_status promise_status(void *p, const rg_promise *pr)
{
    rg_buf_printf(p, "%s%s", ((rg_buf *)p)->len ? "," : "", pr->status);
    return RG_OK;
}

static rg_status event_type(void *p, const rg_event *ev)
{
    char t[32];
    rg_buf_printf(p, "%s%s@%s/%s", ((rg_buf *)p)->len ? "," : "", ev->type, rg_instant_format(ev->at, t, sizeof t),
                  ev->source);
    return RG_OK;
}

/* The invoice's promises' statuses and its events, for the asserts. */
static char *promises_and_events(env *v, const char *invoice)
{
    rg_invoice inv;
    rg_err e;
    assert_int_equal(rg_store_invoice_get(v->store, invoice, &inv, &e), RG_OK);
    rg_buf b = RG_BUF_INIT;
    assert_int_equal(rg_store_promise_each_for_invoice(v->store, inv.id, promise_status, &b, &e), RG_OK);
    rg_buf_puts(&b, " |");
    rg_buf ev = RG_BUF_INIT;
    assert_int_equal(rg_store_event_each_for_invoice(v->store, inv.id, event_type, &ev, &e), RG_OK);
    rg_buf_printf(&b, " %s", rg_buf_cstr(&ev));
    rg_buf_free(&ev);
    return rg_buf_detach(&b);
}

/* A promise made on 10-20 for 10-28 with a trigger's pause of two steps
 * and two days of grace: segunda-via (due 10-26) and ligar (10-30) are
 * held; the deadline (10-31 00:00 local) is in the agenda; the first tick
 * after it breaks the promise (promise.broken, source engine) and, at the
 * next opening, only the latest due step (ligar) fires, as after downtime. */
static void test_promise_pause_broken(void **state)
{
    (void)state;
    env v;
    setup_env(&v, "promise-broken");
    import(&v, RG_IMPORT_CUSTOMERS, "external_id,name,email,phone\nC1,Ana,ana@x.com.br,(11) 98765-4321\n");
    import(&v, RG_IMPORT_INVOICES, "external_id,customer_external_id,amount,due_date\nF1,C1,100.00,2026-10-15\n");
    open_engine(&v);
    rg_err e;
    rg_tick_stats st = tick(&v, at("2026-10-19T13:00:00Z"));
    assert_int_equal(st.fired, 1); /* atraso */
    rg_invoice inv;
    assert_int_equal(rg_store_invoice_get(v.store, "F1", &inv, &e), RG_OK);
    rg_event_env ev = {v.store, rg_test_zones(), NULL};
    rg_promise_params pp = {inv.customer_id, inv.id, rg_date_from_ymd(2026, 10, 28), -1, "cli", "cli",
                            at("2026-10-20T13:00:00Z"), 0, NULL};
    rg_promise pr;
    assert_int_equal(rg_store_begin(v.store, &e), RG_OK);
    assert_int_equal(rg_promise_make(&ev, &pp, rg_date_from_ymd(2026, 10, 20), &pr, NULL, &e), RG_OK);
    const char *steps[] = {"segunda-via", "ligar"};
    assert_int_equal(rg_holds_pause(v.store, inv.id, steps, 2, "trigger:teste/promessa", pr.id, 2,
                                    at("2026-10-20T13:00:00Z"), &e),
                     RG_OK);
    assert_int_equal(rg_store_commit(v.store, &e), RG_OK);
    st = tick(&v, at("2026-10-20T13:00:00Z"));
    assert_int_equal(st.fired, 0);
    rg_instant next;
    assert_int_equal(rg_store_invoice_agenda(v.store, inv.id, &next, &e), RG_OK);
    assert_int_equal(next, at("2026-10-26T12:00:00Z")); /* segunda-via's day: held, looked at */
    st = tick(&v, at("2026-10-26T13:00:00Z"));
    assert_int_equal(st.fired, 0);
    assert_int_equal(st.held, 1);
    st = tick(&v, at("2026-10-30T13:00:00Z"));
    assert_int_equal(st.fired, 0);
    assert_int_equal(st.held, 2);
    /* invoice show says which due steps wait on a hold */
    rg_customer cust;
    assert_int_equal(rg_store_customer_get(v.store, "C1", &cust, &e), RG_OK);
    rg_invoice_explain ex;
    assert_int_equal(rg_engine_explain(v.engine, &inv, &cust, at("2026-10-30T14:00:00Z"), &ex, &e), RG_OK);
    assert_string_equal(ex.held, "segunda-via, ligar");
    assert_int_equal(rg_store_invoice_agenda(v.store, inv.id, &next, &e), RG_OK);
    assert_int_equal(next, at("2026-10-31T03:00:00Z")); /* the deadline: 10-28 + 2 days, ended */
    char *got = promises_and_events(&v, "F1");
    assert_string_equal(got, "pending | invoice.created@2026-10-01T12:00:00Z/csv,promise.made@2026-10-20T13:00:00Z/cli");
    free(got);
    /* Saturday: the promise is broken, nothing fires (window closed) */
    st = tick(&v, at("2026-10-31T13:00:00Z"));
    assert_int_equal(st.promises_broken, 1);
    assert_int_equal(st.fired, 0);
    got = promises_and_events(&v, "F1");
    assert_non_null(strstr(got, "broken | "));
    assert_non_null(strstr(got, "promise.broken@2026-10-31T03:00:00Z/engine"));
    free(got);
    /* ticking again breaks nothing more */
    st = tick(&v, at("2026-10-31T14:00:00Z"));
    assert_int_equal(st.promises_broken, 0);
    /* Tuesday 11-03 (11-02 is a holiday): ligar fires, segunda-via superseded */
    st = tick(&v, at("2026-11-03T13:00:00Z"));
    assert_int_equal(st.fired, 1);
    assert_int_equal(st.superseded, 1);
    assert_int_equal(st.tasks, 1);
    assert_int_equal(st.held, 0);
    teardown_env(&v);
}

/* Paid by the deadline: kept, the holds released; nothing more is sent. */
static void test_promise_kept(void **state)
{
    (void)state;
    env v;
    setup_env(&v, "promise-kept");
    import(&v, RG_IMPORT_CUSTOMERS, "external_id,name,email,phone\nC1,Ana,ana@x.com.br,(11) 98765-4321\n");
    import(&v, RG_IMPORT_INVOICES, "external_id,customer_external_id,amount,due_date\nF1,C1,100.00,2026-10-15\n");
    open_engine(&v);
    rg_err e;
    tick(&v, at("2026-10-19T13:00:00Z"));
    rg_invoice inv;
    assert_int_equal(rg_store_invoice_get(v.store, "F1", &inv, &e), RG_OK);
    rg_event_env ev = {v.store, rg_test_zones(), NULL};
    rg_promise_params pp = {inv.customer_id, inv.id, rg_date_from_ymd(2026, 10, 28), 6000, "cli", "cli",
                            at("2026-10-20T13:00:00Z"), 0, NULL};
    rg_promise pr;
    assert_int_equal(rg_store_begin(v.store, &e), RG_OK);
    assert_int_equal(rg_promise_make(&ev, &pp, rg_date_from_ymd(2026, 10, 20), &pr, NULL, &e), RG_OK);
    const char *steps[] = {"segunda-via", "ligar"};
    assert_int_equal(rg_holds_pause(v.store, inv.id, steps, 2, "trigger:teste/promessa", pr.id, 2,
                                    at("2026-10-20T13:00:00Z"), &e),
                     RG_OK);
    assert_int_equal(rg_store_commit(v.store, &e), RG_OK);
    int64_t before = count_messages(&v);
    /* 50.00 of the promised 60.00: still pending */
    pay(&v, "F1", 5000, "2026-10-29T15:00:00Z");
    char *got = promises_and_events(&v, "F1");
    assert_non_null(strstr(got, "pending | "));
    free(got);
    /* the rest of the promised amount, on the last day of grace: kept */
    pay(&v, "F1", 1000, "2026-10-30T20:00:00Z");
    got = promises_and_events(&v, "F1");
    assert_non_null(strstr(got, "kept | "));
    assert_null(strstr(got, "promise.broken"));
    free(got);
    bool held;
    char why[64];
    assert_int_equal(rg_holds_check(v.store, inv.id, "ligar", &held, why, sizeof why, &e), RG_OK);
    assert_false(held);
    /* the balance paid: nothing more, no promise.broken */
    pay(&v, "F1", 4000, "2026-11-01T15:00:00Z");
    rg_tick_stats st = tick(&v, at("2026-11-03T13:00:00Z"));
    assert_int_equal(st.promises_broken, 0);
    assert_int_equal(st.fired, 0);
    assert_int_equal(count_messages(&v), before);
    teardown_env(&v);
}

/* A dispute holds every step (and a queued message is not sent) until it
 * is resolved; then only the latest due step fires. */
static void test_dispute(void **state)
{
    (void)state;
    env v;
    setup_env(&v, "dispute");
    import(&v, RG_IMPORT_CUSTOMERS, "external_id,name,email,phone,whatsapp\nC1,Ana,ana@x.com.br,(11) 98765-4321,"
                                    "(11) 98765-4321\n");
    import(&v, RG_IMPORT_INVOICES, "external_id,customer_external_id,amount,due_date\nF1,C1,100.00,2026-10-15\n");
    open_engine(&v);
    rg_err e;
    rg_tick_stats st = tick(&v, at("2026-10-19T13:00:00Z"));
    assert_int_equal(st.fired, 1);
    rg_invoice inv;
    rg_customer c;
    assert_int_equal(rg_store_invoice_get(v.store, "F1", &inv, &e), RG_OK);
    assert_int_equal(rg_store_customer_get(v.store, "C1", &c, &e), RG_OK);
    rg_event_env ev = {v.store, rg_test_zones(), NULL};
    rg_event_in open = {RG_EV_DISPUTE_OPENED, at("2026-10-20T13:00:00Z"), "cli", c.id, inv.id, 0, NULL};
    assert_int_equal(rg_store_begin(v.store, &e), RG_OK);
    assert_int_equal(rg_event_record(&ev, &open, NULL, &e), RG_OK);
    assert_int_equal(rg_store_commit(v.store, &e), RG_OK);
    /* a message queued before the dispute is not sent: deferred while it holds */
    rg_message m;
    memset(&m, 0, sizeof m);
    rg_strlcpy(m.idempotency_key, "queued-atraso", sizeof m.idempotency_key);
    m.customer_id = c.id;
    m.invoice_id = inv.id;
    rg_strlcpy(m.cadence, "teste", sizeof m.cadence);
    rg_strlcpy(m.source_kind, "step", sizeof m.source_kind);
    rg_strlcpy(m.source_id, "atraso", sizeof m.source_id);
    rg_strlcpy(m.channel, "email", sizeof m.channel);
    rg_strlcpy(m.template_name, "atraso", sizeof m.template_name);
    m.body = "F1";
    m.status = RG_MSG_QUEUED;
    m.planned_for = m.created_at = m.updated_at = at("2026-10-19T13:00:00Z");
    bool inserted;
    assert_int_equal(rg_store_message_insert(v.store, &m, &inserted, &e), RG_OK);
    rg_dispatch_verdict vd;
    memset(&vd, 0, sizeof vd);
    assert_int_equal(rg_engine_dispatch_check(v.engine, &m, &c, at("2026-10-20T14:00:00Z"), NULL, &vd, &e), RG_OK);
    assert_int_equal(vd.action, RG_DISPATCH_WAIT);
    assert_string_equal(vd.reason, "waiting: invoice F1 held: dispute (deferred while it holds)");
    assert_int_equal(vd.until, at("2026-10-20T14:00:00Z") + RG_HOLD_RECHECK_SECONDS);
    rg_dispatch_verdict_clear(&vd);
    /* once a later step is due (segunda-via, 10-26), it is no longer current: cancelled */
    memset(&vd, 0, sizeof vd);
    assert_int_equal(rg_engine_dispatch_check(v.engine, &m, &c, at("2026-10-26T13:00:00Z"), NULL, &vd, &e), RG_OK);
    assert_int_equal(vd.action, RG_DISPATCH_CANCEL);
    assert_non_null(strstr(vd.reason, "not sent: F1: "));
    rg_dispatch_verdict_clear(&vd);
    int64_t before = count_messages(&v);
    /* silence through segunda-via (10-26), ligar (10-30), aviso (11-04) */
    const char *days[] = {"2026-10-26T13:00:00Z", "2026-10-30T13:00:00Z", "2026-11-04T13:00:00Z"};
    for (size_t i = 0; i < 3; i++) {
        st = tick(&v, at(days[i]));
        assert_int_equal(st.fired, 0);
        assert_int_equal(st.superseded, 0);
    }
    assert_int_equal(count_messages(&v), before);
    rg_event_in resolved = {RG_EV_DISPUTE_RESOLVED, at("2026-11-05T12:00:00Z"), "cli", c.id, inv.id, 0, NULL};
    assert_int_equal(rg_store_begin(v.store, &e), RG_OK);
    assert_int_equal(rg_event_record(&ev, &resolved, NULL, &e), RG_OK);
    assert_int_equal(rg_store_commit(v.store, &e), RG_OK);
    /* the latest due step (aviso) fires; segunda-via and ligar are superseded */
    st = tick(&v, at("2026-11-05T13:00:00Z"));
    assert_int_equal(st.fired, 1);
    assert_int_equal(st.superseded, 2);
    assert_int_equal(st.tasks, 0);
    assert_int_equal(count_messages(&v), before + 1);
    char *p = progress_of(&v, "F1");
    assert_non_null(strstr(p, "aviso=S"));
    free(p);
    teardown_env(&v);
}

/* A promise about the customer's whole debt (no invoice) pauses its
 * invoices' steps too, and is kept by the promised amount paid on any of
 * them; one that is not, breaks once for the customer. */
/* rg_store_hold_each's statement is cached: a callback that lists another
 * invoice's holds while the first listing is being read must still see
 * both lists whole. */
typedef struct {
    rg_store *store;
    int64_t other;
    int outer, inner;
} nested_holds;

static rg_status count_inner(void *p, const rg_hold *h)
{
    (void)h;
    ((nested_holds *)p)->inner++;
    return RG_OK;
}

static rg_status count_outer(void *p, const rg_hold *h)
{
    (void)h;
    nested_holds *x = p;
    x->outer++;
    rg_err e;
    return rg_store_hold_each(x->store, x->other, false, count_inner, x, &e);
}

static void test_promise_whole_debt(void **state)
{
    (void)state;
    env v;
    setup_env(&v, "promise-whole");
    import(&v, RG_IMPORT_CUSTOMERS, "external_id,name,email,phone\nC1,Ana,ana@x.com.br,(11) 98765-4321\n"
                                    "C2,Bia,bia@x.com.br,(11) 98765-4322\n");
    import(&v, RG_IMPORT_INVOICES, "external_id,customer_external_id,amount,due_date\nF1,C1,100.00,2026-10-15\n"
                                   "F2,C1,50.00,2026-10-15\nG1,C2,100.00,2026-10-15\n");
    open_engine(&v);
    rg_err e;
    tick(&v, at("2026-10-19T13:00:00Z"));
    rg_event_env ev = {v.store, rg_test_zones(), NULL};
    const char *who[] = {"F1", "G1"};
    for (size_t k = 0; k < 2; k++) {
        rg_invoice inv;
        assert_int_equal(rg_store_invoice_get(v.store, who[k], &inv, &e), RG_OK);
        rg_promise_params pp = {inv.customer_id, 0, rg_date_from_ymd(2026, 10, 28), 12000, "cli", "cli",
                                at("2026-10-20T13:00:00Z"), 0, NULL};
        rg_promise pr;
        assert_int_equal(rg_store_begin(v.store, &e), RG_OK);
        assert_int_equal(rg_promise_make(&ev, &pp, rg_date_from_ymd(2026, 10, 20), &pr, NULL, &e), RG_OK);
        const char *steps[] = {"segunda-via"};
        assert_int_equal(rg_holds_pause(v.store, inv.id, steps, 1, "trigger:teste/promessa", pr.id, 0,
                                        at("2026-10-20T13:00:00Z"), &e),
                         RG_OK);
        assert_int_equal(rg_store_commit(v.store, &e), RG_OK);
    }
    rg_tick_stats st = tick(&v, at("2026-10-26T13:00:00Z"));
    assert_int_equal(st.held, 2); /* F1's and G1's segunda-via */
    /* C1 pays 120.00 over its two invoices in time: kept */
    pay(&v, "F2", 5000, "2026-10-27T15:00:00Z");
    pay(&v, "F1", 7000, "2026-10-28T15:00:00Z");
    bool held;
    char why[64];
    rg_invoice f1, g1;
    assert_int_equal(rg_store_invoice_get(v.store, "F1", &f1, &e), RG_OK);
    assert_int_equal(rg_store_invoice_get(v.store, "G1", &g1, &e), RG_OK);
    assert_int_equal(rg_holds_check(v.store, f1.id, "segunda-via", &held, why, sizeof why, &e), RG_OK);
    assert_false(held);
    assert_int_equal(rg_holds_check(v.store, g1.id, "segunda-via", &held, why, sizeof why, &e), RG_OK);
    assert_true(held);
    nested_holds nh = {v.store, g1.id, 0, 0};
    assert_int_equal(rg_store_hold_each(v.store, f1.id, false, count_outer, &nh, &e), RG_OK);
    assert_int_equal(nh.outer, 1); /* F1's released hold */
    assert_int_equal(nh.inner, 1); /* G1's, listed from inside the first listing */
    nh = (nested_holds){v.store, f1.id, 0, 0};
    assert_int_equal(rg_store_hold_each(v.store, g1.id, true, count_outer, &nh, &e), RG_OK);
    assert_int_equal(nh.outer, 1);
    assert_int_equal(nh.inner, 1);
    /* C2 did not pay: broken once, at the deadline; G1's segunda-via goes */
    st = tick(&v, at("2026-10-29T13:00:00Z"));
    assert_int_equal(st.promises_broken, 1);
    assert_int_equal(st.fired, 2); /* F1's segunda-via and G1's */
    assert_int_equal(rg_holds_check(v.store, g1.id, "segunda-via", &held, why, sizeof why, &e), RG_OK);
    assert_false(held);
    teardown_env(&v);
}

/* A step's `offer:`: its message shows the offer (as it will be recorded),
 * the offer is recorded with the message, and a lint refuses an offer
 * without a message. */
static void test_step_offer(void **state)
{
    (void)state;
    env v;
    setup_env(&v, "step-offer");
    char p[512];
    snprintf(p, sizeof p, "%s/cadences", v.dir);
    write_file(p, "desconto.yaml",
               "cadence: desconto\n"
               "match: {priority: 9, tags_any: [desconto]}\n"
               "window: {weekdays: \"09:00-18:00\", saturday: closed, sunday: closed, holidays: closed}\n"
               "fees: {fine_pct: 2.00, interest_month_pct: 1.00}\n"
               "steps:\n"
               "  - {id: proposta, at: D+2, send: {channels: [whatsapp], template: proposta},\n"
               "     offer: {waive_fine: true, discount_pct: 10, valid_days: 5}}\n");
    snprintf(p, sizeof p, "%s/templates", v.dir);
    write_file(p, "proposta.whatsapp", "{{invoice.external_id}}: {{invoice.updated_amount}} ({{offer.description}}, "
                                       "até {{offer.valid_until}}). " CREDITOR "\n");
    import(&v, RG_IMPORT_CUSTOMERS, "external_id,name,email,whatsapp,tags\nC1,Ana,ana@x.com.br,(11) 98765-4321,desconto\n");
    import(&v, RG_IMPORT_INVOICES, "external_id,customer_external_id,amount,due_date\nF1,C1,100.00,2026-10-15\n");
    open_engine(&v);
    rg_err e;
    bool any = true; /* no offer yet: the tick skips the per-message lookup */
    assert_int_equal(rg_store_offer_any(v.store, at("2026-10-19T13:00:00Z"), &any, &e), RG_OK);
    assert_false(any);
    tick(&v, at("2026-10-19T13:00:00Z"));
    char *got = all_messages(&v);
    /* 100.00 - 10.00 + interest 0.13, no fine */
    assert_non_null(strstr(got, "F1: R$ 90,13 (sem multa e com 10% de desconto, até 24/10/2026)."));
    free(got);
    rg_invoice inv;
    assert_int_equal(rg_store_invoice_get(v.store, "F1", &inv, &e), RG_OK);
    rg_offer o;
    bool found;
    assert_int_equal(rg_store_offer_current(v.store, inv.id, at("2026-10-20T13:00:00Z"), &o, &found, &e), RG_OK);
    assert_true(found);
    assert_string_equal(o.source, "step:desconto/proposta");
    assert_int_equal(o.discount, 1000);
    assert_int_equal(o.valid_until, at("2026-10-24T13:00:00Z"));
    /* the current offer is the newest valid one (created_at, then id):
     * a later one wins, one expired or not yet made does not count */
    rg_offer later = o, expired = o, future = o, tie = o;
    later.created_at = at("2026-10-20T10:00:00Z");
    later.discount = 2000;
    expired.created_at = at("2026-10-20T11:00:00Z");
    expired.valid_until = at("2026-10-20T12:00:00Z");
    future.created_at = at("2026-10-21T10:00:00Z");
    assert_int_equal(rg_store_offer_insert(v.store, &later, &e), RG_OK);
    assert_int_equal(rg_store_offer_insert(v.store, &expired, &e), RG_OK);
    assert_int_equal(rg_store_offer_insert(v.store, &future, &e), RG_OK);
    assert_int_equal(rg_store_offer_current(v.store, inv.id, at("2026-10-20T13:00:00Z"), &o, &found, &e), RG_OK);
    assert_true(found);
    assert_int_equal(o.id, later.id);
    tie.created_at = later.created_at;
    tie.discount = 3000;
    assert_int_equal(rg_store_offer_insert(v.store, &tie, &e), RG_OK);
    assert_int_equal(rg_store_offer_current(v.store, inv.id, at("2026-10-20T13:00:00Z"), &o, &found, &e), RG_OK);
    assert_int_equal(o.id, tie.id);
    assert_int_equal(o.discount, 3000);
    assert_int_equal(rg_store_offer_current(v.store, inv.id, at("2026-10-25T13:00:00Z"), &o, &found, &e), RG_OK);
    assert_false(found);
    /* rg_store_offer_any: open and valid at `at` (made by then, not expired) */
    assert_int_equal(rg_store_offer_any(v.store, at("2026-10-20T13:00:00Z"), &any, &e), RG_OK);
    assert_true(any);
    assert_int_equal(rg_store_offer_any(v.store, at("2026-10-19T12:00:00Z"), &any, &e), RG_OK);
    assert_false(any); /* none made yet */
    assert_int_equal(rg_store_offer_any(v.store, at("2026-10-25T13:00:00Z"), &any, &e), RG_OK);
    assert_false(any); /* all expired */
    assert_int_equal(rg_store_offer_settle(v.store, tie.id, at("2026-10-20T14:00:00Z"), 0, &e), RG_OK);
    assert_int_equal(rg_store_offer_settle(v.store, later.id, at("2026-10-20T14:00:00Z"), 0, &e), RG_OK);
    assert_int_equal(rg_store_offer_any(v.store, at("2026-10-23T13:00:00Z"), &any, &e), RG_OK);
    assert_true(any); /* the step's own and `future` are still open */
    teardown_env(&v);

    rg_cadence *c = NULL;
    rg_diags d = RG_DIAGS_INIT;
    const char *bad = "cadence: x\nmatch: {priority: 1}\nsteps:\n"
                      "  - {id: ligar, at: D+2, action: task, task: {kind: call}, offer: {waive_fine: true}}\n";
    rg_cadence_parse(bad, strlen(bad), "x.yaml", RG_CADENCE_YAML, &d, &c);
    rg_buf b = RG_BUF_INIT;
    rg_diags_format(&d, &b);
    assert_non_null(strstr(rg_buf_cstr(&b), "has an `offer` but no `send`"));
    rg_buf_free(&b);
    rg_diags_free(&d);
    rg_cadence_free(c);
}

static rg_status offer_line(void *p, const rg_offer *o)
{
    rg_buf_printf(p, "%s waived=%lld discount=%lld\n", o->status, (long long)o->waived, (long long)o->discount);
    return RG_OK;
}

/* An offer (waive fine and interest, 10% off, 3 days): the step's message
 * shows the offer's amount, {{offer.*}} are filled, a payment of that
 * amount settles the invoice with the rest recorded as waived. */
static void test_offer(void **state)
{
    (void)state;
    env v;
    setup_env(&v, "offer");
    char p[512];
    snprintf(p, sizeof p, "%s/templates", v.dir);
    write_file(p, "oferta.whatsapp", "{{invoice.external_id}}: pague {{offer.amount}} até {{offer.valid_until}} "
                                     "({{offer.description}}; abate {{offer.discount}}). " CREDITOR "\n");
    import(&v, RG_IMPORT_CUSTOMERS, "external_id,name,email,whatsapp\nC1,Ana,ana@x.com.br,(11) 98765-4321\n");
    import(&v, RG_IMPORT_INVOICES, "external_id,customer_external_id,amount,due_date\nF1,C1,100.00,2026-10-15\n");
    open_engine(&v);
    rg_err e;
    rg_invoice inv;
    rg_customer c;
    assert_int_equal(rg_store_invoice_get(v.store, "F1", &inv, &e), RG_OK);
    assert_int_equal(rg_store_customer_get(v.store, "C1", &c, &e), RG_OK);
    rg_cadence_offer terms = {true, true, true, 1000, 3, 0};
    int64_t id = 0;
    assert_int_equal(rg_offer_make(v.store, inv.id, &terms, "trigger:teste/oferta", at("2026-10-19T12:00:00Z"), &id, &e),
                     RG_OK);
    assert_true(id > 0);
    /* atraso (D+2) shows the offer's amount, not R$ 101,xx */
    tick(&v, at("2026-10-19T13:00:00Z"));
    char *got = all_messages(&v);
    assert_non_null(strstr(got, "F1 venceu em 15/10/2026 (4 dias): R$ 90,00."));
    free(got);
    rg_engine_content ct;
    const rg_cadence *cad = rg_cadence_set_find(rg_engine_cadences(v.engine), "teste");
    assert_int_equal(rg_engine_render(v.engine, cad, &c, &inv, 1, "oferta", "whatsapp", at("2026-10-19T14:00:00Z"),
                                      &ct, &e),
                     RG_OK);
    assert_string_equal(ct.body, "F1: pague R$ 90,00 até 22/10/2026 (sem multa e sem juros e com 10% de desconto; "
                                 "abate R$ 12,13). Exemplo Ltda (CNPJ 11.222.333/0001-81)");
    rg_engine_content_free(&ct);
    /* after it expired: the full updated amount again */
    assert_int_equal(rg_engine_render(v.engine, cad, &c, &inv, 1, "atraso", "whatsapp", at("2026-10-23T14:00:00Z"),
                                      &ct, &e),
                     RG_OK);
    assert_null(strstr(ct.body, "R$ 90,00"));
    rg_engine_content_free(&ct);
    /* 80.00 does not settle it; 10.00 more (90.00 in all) is not one payment of the offer's amount either */
    pay(&v, "F1", 8000, "2026-10-20T15:00:00Z");
    assert_int_equal(rg_store_invoice_get(v.store, "F1", &inv, &e), RG_OK);
    assert_int_equal(inv.status, RG_INV_OPEN);
    rg_buf b = RG_BUF_INIT;
    assert_int_equal(rg_store_offer_each(v.store, inv.id, offer_line, &b, &e), RG_OK);
    assert_string_equal(rg_buf_cstr(&b), "open waived=0 discount=1000\n");
    rg_buf_free(&b);
    /* the balance is 20.00 now; the discount (10.00) makes 10.00 enough: settled, 10.00 waived */
    pay(&v, "F1", 1000, "2026-10-21T15:00:00Z");
    assert_int_equal(rg_store_invoice_get(v.store, "F1", &inv, &e), RG_OK);
    assert_int_equal(inv.status, RG_INV_PAID);
    b = (rg_buf)RG_BUF_INIT;
    assert_int_equal(rg_store_offer_each(v.store, inv.id, offer_line, &b, &e), RG_OK);
    assert_string_equal(rg_buf_cstr(&b), "settled waived=1000 discount=1000\n");
    rg_buf_free(&b);
    teardown_env(&v);
}

static rg_status cost_line(void *p, const rg_message *m)
{
    rg_buf_printf(p, "%s %s %s %lld\n", m->source_id, m->channel[0] ? m->channel : "-",
                  rg_message_status_name(m->status), (long long)m->cost);
    return RG_OK;
}

/* cost_per_message (regua.yaml, per channel) is recorded on each message
 * the channel sends; a message not sent costs nothing. */
static void test_cost_per_message(void **state)
{
    (void)state;
    env v;
    setup_env(&v, "cost");
    for (size_t i = 0; i < v.config.n_channels; i++) {
        rg_channel_config *c = &v.config.channels[i];
        if (!strcmp(c->name, "email") || !strcmp(c->name, "sms")) {
            rg_strlcpy(c->settings[c->n_settings].key, "cost_per_message", sizeof c->settings[0].key);
            rg_strlcpy(c->settings[c->n_settings++].value, !strcmp(c->name, "sms") ? "0.09" : "0.01",
                       sizeof c->settings[0].value);
        }
    }
    import(&v, RG_IMPORT_CUSTOMERS, "external_id,name,email,phone\nC1,Ana,ana@x.com.br,(11) 98765-4321\n"
                                    "C2,Bia,,\n");
    import(&v, RG_IMPORT_INVOICES, "external_id,customer_external_id,amount,due_date\n"
                                   "F1,C1,100.00,2026-10-22\nF2,C2,100.00,2026-10-22\n");
    open_engine(&v);
    tick(&v, at("2026-10-19T12:00:00Z")); /* lembrete: email */
    tick(&v, at("2026-10-22T12:00:00Z")); /* hoje: whatsapp (none), sms */
    rg_buf b = RG_BUF_INIT;
    rg_message_filter mf;
    rg_message_filter_init(&mf);
    rg_err e;
    assert_int_equal(rg_store_message_each(v.store, &mf, cost_line, &b, &e), RG_OK);
    assert_string_equal(rg_buf_cstr(&b), "lembrete email sent 1\n"
                                         "lembrete - suppressed 0\n"
                                         "hoje sms sent 9\n"
                                         "hoje - suppressed 0\n");
    rg_buf_free(&b);
    teardown_env(&v);
}

/* ---- sixty days with consolidation, Carnival and Sundays ---- */

static const char *MENSAL =
    "cadence: mensal\n"
    "match: {priority: 20, customer_kind: PF, tags_any: [mensal]}\n"
    "window: {weekdays: \"09:00-18:00\", saturday: closed, sunday: closed, holidays: closed}\n"
    "caps: {per_customer: {max: 10, days: 7}}\n"
    "fees: {fine_pct: 2.00, interest_month_pct: 1.00}\n"
    "consolidate: true\n"
    "steps:\n"
    "  - {id: lembrete, at: D-3, send: {channels: [email], template: m-lembrete}}\n"
    "  - {id: vespera, at: D-1, send: {channels: [whatsapp, sms], template: m-vespera}}\n"
    "  - {id: hoje, at: D0, send: {channels: [whatsapp, email], template: m-hoje}}\n"
    "  - {id: atraso, at: D+2, send: {channels: [email], template: m-atraso}}\n"
    "  - {id: aviso, at: D+10, send: {channels: [letter, email], template: m-aviso}}\n"
    "  - {id: negativar, at: D+21, action: bureau_listing, requires_notice: aviso}\n";

static const char *EMPRESA =
    "cadence: empresa\n"
    "match: {priority: 15, customer_kind: PJ}\n"
    "window: {weekdays: \"09:00-18:00\", saturday: closed, sunday: closed, holidays: closed}\n"
    "fees: {fine_pct: 2.00, interest_month_pct: 1.00}\n"
    "consolidate: true\n"
    "steps:\n"
    "  - {id: lembrete, at: D-5, send: {channels: [email], template: e-lembrete}}\n"
    "  - {id: hoje, at: D0, send: {channels: [email], template: e-hoje}}\n"
    "  - {id: atraso, at: D+3, send: {channels: [email], template: e-atraso}}\n"
    "  - {id: ligar, at: D+7, action: task, task: {kind: call}}\n";

/* The phase each invoice of a sent step message must be in on the
 * message's local day: what "described by its own step" means. */
typedef struct phase_check {
    env *v;
    rg_buf bad;
    int checked;
} phase_check;

static rg_status check_phase(void *p, const rg_message *m)
{
    phase_check *pc = p;
    if (strcmp(m->source_kind, "step") != 0 || m->status != RG_MSG_SENT)
        return RG_OK;
    const rg_cadence *c = rg_cadence_set_find(rg_engine_cadences(pc->v->engine), m->cadence);
    int si = c ? rg_cadence_step_index(c, m->source_id) : -1;
    if (si < 0) {
        rg_buf_printf(&pc->bad, "%s: unknown step %s\n", m->idempotency_key, m->source_id);
        return RG_OK;
    }
    int at_days = c->steps[si].at_days;
    rg_date day = rg_instant_utc_date(m->planned_for - 3 * 3600); /* São Paulo: no DST since 2019 */
    rg_calendar *cal = rg_calendar_new();
    for (const char *q = m->invoice_external_ids; *q;) {
        const char *bar = strchr(q, '|');
        size_t n = bar ? (size_t)(bar - q) : strlen(q);
        char ext[RG_EXTID_MAX + 1];
        snprintf(ext, sizeof ext, "%.*s", (int)n, q);
        q += n + (bar ? 1 : 0);
        rg_invoice inv;
        rg_err e;
        assert_int_equal(rg_store_invoice_get(pc->v->store, ext, &inv, &e), RG_OK);
        rg_date eff = rg_effective_due_date(cal, inv.due_date);
        bool ok = at_days < 0 ? (day < eff && day >= eff + at_days) : at_days == 0 ? day == eff : day > eff;
        pc->checked++;
        if (!ok) {
            char d1[16], d2[16];
            rg_buf_printf(&pc->bad, "%s lists %s (effective due %s) on %s\n", m->idempotency_key, ext,
                          rg_date_format_iso(eff, d1, sizeof d1), rg_date_format_iso(day, d2, sizeof d2));
        }
    }
    rg_calendar_free(cal);
    return RG_OK;
}

static void boleto_for(const char *campo_livre, rg_date due, rg_cents amount, char *linha, size_t n)
{
    rg_boleto b;
    rg_err e;
    assert_int_equal(rg_boleto_encode("341", '9', due, amount, campo_livre, &b, &e), RG_OK);
    rg_strlcpy(linha, b.linha_digitavel, n);
}

/* Sixty days, an hour at a time, of two consolidating cadences (a
 * consumer one with a letter notice and a bureau listing, a business one
 * with a call) over invoices due on weekdays, on Sundays and on Carnival
 * (Monday 8 and Tuesday 9 February 2027: banks closed, so those due dates
 * move to Wednesday 10; the contact windows stay open). Every message's
 * full text is checked, and every invoice of every message is checked to
 * be in the phase of that message's step on the day it went out. */
static void test_sixty_days_carnival(void **state)
{
    (void)state;
    env v;
    setup_env(&v, "sixty");
    char p[512];
    snprintf(p, sizeof p, "%s/cadences", v.dir);
    write_file(p, "mensal.yaml", MENSAL);
    write_file(p, "empresa.yaml", EMPRESA);
    snprintf(p, sizeof p, "%s/templates", v.dir);
    write_file(p, "m-lembrete.email", "Subject: Lembrete\n{{#invoices}}[{{invoice.external_id}} vence "
                                      "{{invoice.effective_due_date}}: {{invoice.amount}}]{{/invoices}} " CREDITOR "\n");
    write_file(p, "m-vespera.whatsapp", "Vence amanha: {{#invoices}}[{{invoice.external_id}} "
                                        "{{invoice.effective_due_date}}]{{/invoices}} " CREDITOR "\n");
    write_file(p, "m-vespera.sms", "Vence amanha: {{#invoices}}[{{invoice.external_id}} "
                                   "{{invoice.effective_due_date}}]{{/invoices}} " CREDITOR "\n");
    write_file(p, "m-hoje.whatsapp", "Vence hoje: {{#invoices}}[{{invoice.external_id}} {{invoice.effective_due_date}} "
                                     "{{invoice.amount}}]{{/invoices}} " CREDITOR "\n");
    write_file(p, "m-hoje.email", "Subject: Hoje\nVence hoje: {{#invoices}}[{{invoice.external_id}} "
                                  "{{invoice.effective_due_date}} {{invoice.amount}}]{{/invoices}} " CREDITOR "\n");
    write_file(p, "m-atraso.email", "Subject: Atraso\nEm atraso: {{#invoices}}[{{invoice.external_id}} venceu "
                                    "{{invoice.effective_due_date}}, {{invoice.days_late}} dias, "
                                    "{{invoice.updated_amount}}]{{/invoices}} " CREDITOR "\n");
    write_file(p, "m-aviso.letter", "Aviso: {{#invoices}}[{{invoice.external_id}} desde {{invoice.effective_due_date}}, "
                                    "{{invoice.updated_amount}}{{#invoice.boleto}}, boleto anexo {{invoice.boleto}}"
                                    "{{/invoice.boleto}}{{^invoice.boleto}}, sem boleto{{/invoice.boleto}}]{{/invoices}} "
                                    "pode ser informado aos cadastros. " CREDITOR "\n");
    write_file(p, "m-aviso.email", "Subject: Aviso\nAviso: {{#invoices}}[{{invoice.external_id}} desde "
                                   "{{invoice.effective_due_date}}, {{invoice.updated_amount}}]{{/invoices}} pode ser "
                                   "informado aos cadastros. " CREDITOR "\n");
    write_file(p, "e-lembrete.email", "Subject: Lembrete\n{{#invoices}}[{{invoice.external_id}} vence "
                                      "{{invoice.effective_due_date}}]{{/invoices}} " CREDITOR "\n");
    write_file(p, "e-hoje.email", "Subject: Hoje\nVence hoje: {{#invoices}}[{{invoice.external_id}} "
                                  "{{invoice.effective_due_date}}]{{/invoices}} " CREDITOR "\n");
    write_file(p, "e-atraso.email", "Subject: Atraso\nEm atraso: {{#invoices}}[{{invoice.external_id}} "
                                    "{{invoice.days_late}} dias, {{invoice.updated_amount}}]{{/invoices}} " CREDITOR "\n");
    /* letters through the log driver: the text and what it encloses are the message's */
    rg_channel_config *lc = &v.config.channels[v.config.n_channels++];
    memset(lc, 0, sizeof *lc);
    rg_strlcpy(lc->name, "letter", sizeof lc->name);
    rg_strlcpy(lc->driver, "log", sizeof lc->driver);
    lc->n_settings = 1;
    rg_strlcpy(lc->settings[0].key, "path", sizeof lc->settings[0].key);
    char dir[256];
    rg_strlcpy(dir, v.dir, sizeof dir);
    snprintf(lc->settings[0].value, sizeof lc->settings[0].value, "%s/out/letter.jsonl", dir);

    import(&v, RG_IMPORT_CUSTOMERS,
           "external_id,name,document,email,whatsapp,phone,street,number,district,city,state,zip,tags\n"
           "M1,Maria da Silva,529.982.247-25,maria@x.com.br,(11) 98765-4321,,Rua A,1,Centro,São Paulo,SP,01001-000,"
           "mensal\n"
           "M2,João Souza,111.444.777-35,joao@x.com.br,,,,,,,,,mensal\n"
           "E1,Loja Nova Ltda,11.222.333/0001-81,loja@x.com.br,,(11) 4000-1234,,,,,,,\n");
    char l1a[64], l1c[64], csv[2048];
    boleto_for("1091234567800057123457000", rg_date_from_ymd(2027, 2, 8), 10000, l1a, sizeof l1a);
    boleto_for("1091234567900057123457000", rg_date_from_ymd(2027, 1, 29), 8000, l1c, sizeof l1c);
    snprintf(csv, sizeof csv,
             "external_id,customer_external_id,amount,due_date,boleto_bank,linha_digitavel\n"
             "M1A,M1,100.00,2027-02-08,341,%s\n" /* Carnival Monday: effective Wednesday 02-10 */
             "M1B,M1,50.00,2027-02-07,,\n"       /* Sunday before Carnival: also 02-10 */
             "M1C,M1,80.00,2027-01-29,341,%s\n"  /* a Friday */
             "M2A,M2,60.00,2027-02-14,,\n"       /* Sunday: effective Monday 02-15 */
             "M2B,M2,70.00,2027-02-03,,\n"       /* a Wednesday */
             "E1A,E1,1000.00,2027-02-09,,\n"     /* Carnival Tuesday: effective 02-10 */
             "E1B,E1,500.00,2027-02-19,,\n"      /* a Friday */
             "E1C,E1,300.00,2027-01-31,,\n",     /* Sunday: effective Monday 02-01 */
             l1a, l1c);
    import(&v, RG_IMPORT_INVOICES, csv);
    open_engine(&v);
    rg_instant start = at("2027-01-15T00:00:00Z");
    for (int h = 0; h < 60 * 24; h++) {
        rg_instant t = start + (rg_instant)h * 3600;
        if (t == at("2027-02-11T15:00:00Z"))
            pay(&v, "M1B", 5000, "2027-02-11T15:00:00Z");
        tick(&v, t);
    }
    char *got = all_messages(&v);
    /* Checked by hand (São Paulo time is UTC-3: 12:00Z is the 09:00 opening):
     * - M1C (Fri 01-29): D-3 Tue, D-1 Thu, D0 Fri; D+2 is Sunday 01-31, so
     *   Monday 02-01, 3 days late: 80,00 + 2% + 1% a month pro rata = 81,68;
     * - E1C (Sunday 01-31, effective Monday 02-01): D-5 01-27, D0 02-01, D+3 02-04;
     * - M2 has neither WhatsApp nor phone: its D-1 is suppressed, saying why;
     * - M1A (Carnival Monday) and M1B (the Sunday before) are both effective
     *   Wednesday 02-10: D-3 (Sunday 02-07) goes on Carnival Monday, D-1 on
     *   Carnival Tuesday (the contact window is open: Carnival is not a national
     *   holiday), D0 on 02-10 — one message each, listing both; M1B is paid on
     *   02-11, so D+2 lists M1A alone;
     * - M1C's notice (D+10, 02-08) goes by letter with a boleto M1C can pay: the
     *   original (due 01-29) is past due, so one with 81,87 due 02-16 (5 bank
     *   business days; Carnival Tuesday is not one) — factor 1724;
     * - M2A is due Sunday 02-14: effective Monday 02-15, when its D-1 (Sunday)
     *   would go out on the due day itself: superseded. On 02-15 M2 gets "vence
     *   hoje" for M2A and, separately, the notice for M2B (D+10 was Saturday
     *   02-13): each message true for what it lists; the notice goes by e-mail
     *   (no postal address);
     * - on 02-15 E1 gets a late notice for E1A (D+3 was Saturday; 5 days late:
     *   1.021,67) and, separately, the reminder for E1B (D-5 was Sunday);
     * - M1A's notice (D+10 Saturday 02-20, so Monday 02-22): 102,40, a boleto
     *   due 03-01 (factor 1737). */
    const char *want =
        "M1 lembrete email 2027-01-26T12:00 sent | [M1C vence 29/01/2027: R$ 80,00] Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "E1 lembrete email 2027-01-27T12:00 sent | [E1C vence 01/02/2027] Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "M1 vespera whatsapp 2027-01-28T12:00 sent | Vence amanha: [M1C 29/01/2027] Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "M1 hoje whatsapp 2027-01-29T12:00 sent | Vence hoje: [M1C 29/01/2027 R$ 80,00] Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "M1 atraso email 2027-02-01T12:00 sent | Em atraso: [M1C venceu 29/01/2027, 3 dias, R$ 81,68] Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "M2 lembrete email 2027-02-01T12:00 sent | [M2B vence 03/02/2027: R$ 70,00] Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "E1 hoje email 2027-02-01T12:00 sent | Vence hoje: [E1C 01/02/2027] Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "M2 vespera - 2027-02-02T12:00 suppressed |  # no channel left: whatsapp: no address; sms: no address\n"
        "M2 hoje email 2027-02-03T12:00 sent | Vence hoje: [M2B 03/02/2027 R$ 70,00] Exemplo Ltda (CNPJ 11.222.333/0001-81) # whatsapp: no address\n"
        "E1 atraso email 2027-02-04T12:00 sent | Em atraso: [E1C 3 dias, R$ 306,30] Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "M2 atraso email 2027-02-05T12:00 sent | Em atraso: [M2B venceu 03/02/2027, 2 dias, R$ 71,45] Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "E1 lembrete email 2027-02-05T12:00 sent | [E1A vence 10/02/2027] Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "M1 lembrete email 2027-02-08T12:00 sent | [M1A vence 10/02/2027: R$ 100,00][M1B vence 10/02/2027: R$ 50,00] Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "M1 aviso letter 2027-02-08T12:00 sent | Aviso: [M1C desde 29/01/2027, R$ 81,87, boleto anexo 34191.09123 34567.900054 71234.570001 4 17240000008187] pode ser informado aos cadastros. Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "M1 vespera whatsapp 2027-02-09T12:00 sent | Vence amanha: [M1A 10/02/2027][M1B 10/02/2027] Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "M1 hoje whatsapp 2027-02-10T12:00 sent | Vence hoje: [M1A 10/02/2027 R$ 100,00][M1B 10/02/2027 R$ 50,00] Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "E1 hoje email 2027-02-10T12:00 sent | Vence hoje: [E1A 10/02/2027] Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "M1 atraso email 2027-02-12T12:00 sent | Em atraso: [M1A venceu 10/02/2027, 2 dias, R$ 102,07] Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "M2 lembrete email 2027-02-12T12:00 sent | [M2A vence 15/02/2027: R$ 60,00] Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "M2 hoje email 2027-02-15T12:00 sent | Vence hoje: [M2A 15/02/2027 R$ 60,00] Exemplo Ltda (CNPJ 11.222.333/0001-81) # whatsapp: no address\n"
        "M2 aviso email 2027-02-15T12:00 sent | Aviso: [M2B desde 03/02/2027, R$ 71,68] pode ser informado aos cadastros. Exemplo Ltda (CNPJ 11.222.333/0001-81) # letter: no address\n"
        "E1 atraso email 2027-02-15T12:00 sent | Em atraso: [E1A 5 dias, R$ 1.021,67] Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "E1 lembrete email 2027-02-15T12:00 sent | [E1B vence 19/02/2027] Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "M2 atraso email 2027-02-17T12:00 sent | Em atraso: [M2A venceu 15/02/2027, 2 dias, R$ 61,24] Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "E1 hoje email 2027-02-19T12:00 sent | Vence hoje: [E1B 19/02/2027] Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "M1 aviso letter 2027-02-22T12:00 sent | Aviso: [M1A desde 10/02/2027, R$ 102,40, boleto anexo 34191.09123 34567.800056 71234.570001 9 17370000010240] pode ser informado aos cadastros. Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "E1 atraso email 2027-02-22T12:00 sent | Em atraso: [E1B 3 dias, R$ 510,50] Exemplo Ltda (CNPJ 11.222.333/0001-81)\n"
        "M2 aviso email 2027-02-25T12:00 sent | Aviso: [M2A desde 15/02/2027, R$ 61,40] pode ser informado aos cadastros. Exemplo Ltda (CNPJ 11.222.333/0001-81) # letter: no address\n";
    assert_string_equal(got, want);
    free(got);
    /* listings: a consumer's only after a notice by letter (M1C on 02-19,
     * 10 days after its letter; M1A on 03-04); M2's notices went by e-mail */
    const char *listed[][2] = {{"M1C", "requested"}, {"M1A", "requested"}, {"M2B", ""}, {"M2A", ""}};
    for (size_t i = 0; i < 4; i++) {
        rg_invoice inv;
        rg_err e;
        char status[32];
        assert_int_equal(rg_store_invoice_get(v.store, listed[i][0], &inv, &e), RG_OK);
        assert_int_equal(rg_store_bureau_status(v.store, inv.id, status, sizeof status, &e), RG_OK);
        assert_string_equal(status, listed[i][1]);
    }
    char *pm = progress_of(&v, "M2B");
    assert_non_null(strstr(pm, "negativar=L"));
    free(pm);
    pm = progress_of(&v, "M2A");
    assert_non_null(strstr(pm, "vespera=X"));
    free(pm);
    /* the business cadence's calls, D+7 of each of E1's invoices */
    rg_buf tasks = RG_BUF_INIT;
    rg_err te;
    assert_int_equal(rg_store_task_each(v.store, true, task_line, &tasks, &te), RG_OK);
    assert_string_equal(rg_buf_cstr(&tasks), "call step:empresa/ligar 2027-02-08T12:00:00Z\n"
                                             "call step:empresa/ligar 2027-02-17T12:00:00Z\n"
                                             "call step:empresa/ligar 2027-02-26T12:00:00Z\n");
    rg_buf_free(&tasks);

    phase_check pc = {&v, RG_BUF_INIT, 0};
    rg_message_filter mf;
    rg_message_filter_init(&mf);
    rg_err e;
    assert_int_equal(rg_store_message_each(v.store, &mf, check_phase, &pc, &e), RG_OK);
    assert_string_equal(rg_buf_cstr(&pc.bad), "");
    assert_true(pc.checked > 10);
    rg_buf_free(&pc.bad);
    teardown_env(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ninety_days),
        cmocka_unit_test(test_ninety_days_in_small_batches),
        cmocka_unit_test(test_ninety_days_agenda_matches_full_scan),
        cmocka_unit_test(test_downtime_and_idempotence),
        cmocka_unit_test(test_window),
        cmocka_unit_test(test_prescribed),
        cmocka_unit_test(test_cadence_edit),
        cmocka_unit_test(test_replan_after_a_cadence_change),
        cmocka_unit_test(test_consolidation_late_invoice),
        cmocka_unit_test(test_repeat_offenders),
        cmocka_unit_test(test_optout_confirmation_passes_recheck),
        cmocka_unit_test(test_consolidation_by_step),
        cmocka_unit_test(test_consolidation_by_step_cap),
        cmocka_unit_test(test_effective_due_date),
        cmocka_unit_test(test_version_added_step),
        cmocka_unit_test(test_preferred_channel),
        cmocka_unit_test(test_recheck_held_message),
        cmocka_unit_test(test_promise_pause_broken),
        cmocka_unit_test(test_promise_kept),
        cmocka_unit_test(test_dispute),
        cmocka_unit_test(test_offer),
        cmocka_unit_test(test_promise_whole_debt),
        cmocka_unit_test(test_step_offer),
        cmocka_unit_test(test_cost_per_message),
        cmocka_unit_test(test_sixty_days_carnival),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
