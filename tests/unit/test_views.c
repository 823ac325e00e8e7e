/*
 * The show views (service/views.h): a read transaction is one snapshot
 * (rg_store_begin_read), an invoice's and a customer's view hold what
 * `show` prints, read in that snapshot, and the JSON writers make the one
 * document `--json` and the API answer, or name what they cannot write.
 */
#include "test.h"

#include <jansson.h>
#include <sqlite3.h>

#include "base/buf.h"
#include "config/config.h"
#include "engine/engine.h"
#include "service/json_views.h"
#include "service/views.h"
#include "store/store.h"

static const rg_instant NOW = 1794916800;

static rg_store *seeded(const char *name)
{
    rg_err e;
    rg_store *s = NULL;
    assert_int_equal(rg_store_open(rg_test_path(name), &s, &e), RG_OK);
    rg_customer c;
    rg_customer_init(&c);
    rg_strlcpy(c.external_id, "C1", sizeof c.external_id);
    rg_strlcpy(c.name, "Maria", sizeof c.name);
    rg_upsert_result ur;
    assert_int_equal(rg_store_customer_upsert(s, &c, RG_CF_ALL, NOW, &ur, &e), RG_OK);
    rg_invoice inv;
    rg_invoice_init(&inv);
    rg_strlcpy(inv.external_id, "F1", sizeof inv.external_id);
    inv.customer_id = c.id;
    inv.amount = 15000;
    inv.due_date = rg_date_from_ymd(2026, 12, 10);
    assert_int_equal(rg_store_invoice_upsert(s, &inv, RG_IF_ALL, NOW, &ur, &e), RG_OK);
    rg_payment p;
    memset(&p, 0, sizeof p);
    p.invoice_id = inv.id;
    p.amount = 5000;
    p.paid_at = NOW;
    p.source = RG_PAY_MANUAL;
    rg_strlcpy(p.method, "pix", sizeof p.method);
    rg_strlcpy(p.reference, "R1", sizeof p.reference);
    bool inserted;
    assert_int_equal(rg_store_payment_insert(s, &p, NOW, &inserted, &e), RG_OK);
    rg_event ev = {0, "portal.visited", NOW, "api", c.id, 0, 0, "{\"page\": \"/\"}"};
    int64_t id;
    assert_int_equal(rg_store_event_add(s, &ev, &id, &e), RG_OK);
    rg_event ev2 = {0, "invoice.viewed", NOW + 60, "api", c.id, inv.id, 0, NULL};
    assert_int_equal(rg_store_event_add(s, &ev2, &id, &e), RG_OK);
    assert_int_equal(rg_store_optout_set(s, c.id, "sms", "cli", NOW, &e), RG_OK);
    return s;
}

/* Inside a read transaction a handle sees one state: a peer's commit shows
 * only after it ends. */
static void test_read_transaction_is_a_snapshot(void **state)
{
    (void)state;
    rg_err e;
    rg_store *s = seeded("snap.db"), *peer = NULL;
    assert_int_equal(rg_store_open_peer(s, 50, &peer, &e), RG_OK);
    assert_int_equal(rg_store_begin_read(s, &e), RG_OK);
    rg_customer got;
    assert_int_equal(rg_store_customer_get(s, "C1", &got, &e), RG_OK);
    assert_string_equal(got.name, "Maria");
    /* another connection writes and commits meanwhile: not waited for */
    rg_customer c = got;
    rg_strlcpy(c.name, "Outra", sizeof c.name);
    rg_upsert_result ur;
    assert_int_equal(rg_store_customer_upsert(peer, &c, RG_CF_NAME, NOW, &ur, &e), RG_OK);
    assert_int_equal(rg_store_customer_get(s, "C1", &got, &e), RG_OK);
    assert_string_equal(got.name, "Maria");
    rg_store_rollback(s);
    assert_int_equal(rg_store_customer_get(s, "C1", &got, &e), RG_OK);
    assert_string_equal(got.name, "Outra");
    rg_store_close(peer);
    rg_store_close(s);
}

static void test_invoice_view(void **state)
{
    (void)state;
    rg_err e;
    rg_store *s = seeded("inv.db");
    rg_invoice_view v;
    assert_int_equal(rg_invoice_view_get(s, NULL, "F1", NOW, &v, &e), RG_OK);
    assert_string_equal(v.invoice.external_id, "F1");
    assert_string_equal(v.customer.external_id, "C1");
    assert_int_equal(v.n_payments, 1);
    assert_int_equal(v.payments[0].amount, 5000);
    assert_int_equal(v.n_events, 1); /* the invoice's own, not the customer's */
    assert_string_equal(v.events[0].type, "invoice.viewed");
    assert_false(v.has_explain); /* no engine */
    assert_int_equal(v.fine_pct_applied, -1);
    void *j = NULL;
    assert_int_equal(rg_invoice_view_json(&v, &j, &e), RG_OK);
    json_t *o = j;
    assert_string_equal(json_string_value(json_object_get(o, "external_id")), "F1");
    assert_int_equal(json_array_size(json_object_get(o, "payments")), 1);
    assert_int_equal(json_array_size(json_object_get(o, "events")), 1);
    assert_true(json_is_array(json_object_get(o, "timers")));
    assert_null(json_object_get(o, "cadence"));
    json_decref(o);
    rg_invoice_view_free(&v);
    rg_invoice_view_free(&v); /* safe twice */

    /* unknown: RG_ENOTFOUND, a zeroed view, and the handle outside any transaction */
    rg_err_clear(&e);
    assert_int_equal(rg_invoice_view_get(s, NULL, "NOPE", NOW, &v, &e), RG_ENOTFOUND);
    assert_int_equal(v.n_payments, 0);
    assert_null(v.payments);
    assert_int_equal(rg_store_begin(s, &e), RG_OK);
    assert_int_equal(rg_store_commit(s, &e), RG_OK);
    rg_store_close(s);
}

static void test_customer_view(void **state)
{
    (void)state;
    rg_err e;
    rg_store *s = seeded("cust.db");
    rg_customer_view v;
    assert_int_equal(rg_customer_view_get(s, "C1", &v, &e), RG_OK);
    assert_int_equal(v.n_optouts, 1);
    assert_string_equal(v.optouts[0].channel, "sms");
    assert_string_equal(v.optouts[0].how, "cli");
    assert_int_equal(v.n_events, 2);
    assert_string_equal(v.events[0].event.type, "invoice.viewed"); /* newest first */
    assert_string_equal(v.events[0].invoice, "F1");
    assert_string_equal(v.events[1].invoice, "");
    assert_string_equal(v.events[1].event.payload, "{\"page\": \"/\"}");
    void *j = NULL;
    assert_int_equal(rg_customer_view_json(&v, &j, &e), RG_OK);
    json_t *o = j;
    assert_string_equal(json_string_value(json_object_get(o, "name")), "Maria");
    json_t *evs = json_object_get(o, "events");
    assert_string_equal(json_string_value(json_object_get(json_array_get(evs, 0), "invoice_external_id")), "F1");
    assert_true(json_is_null(json_object_get(json_array_get(evs, 1), "invoice_external_id")));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(json_array_get(evs, 1), "payload"), "page")), "/");
    json_decref(o);
    rg_customer_view_free(&v);
    assert_int_equal(rg_customer_view_get(s, "NOPE", &v, &e), RG_ENOTFOUND);
    assert_int_equal(v.n_events, 0);
    rg_store_close(s);
}

/* A part that is not valid UTF-8: no document, and the error names it. */
static void test_json_names_what_it_cannot_write(void **state)
{
    (void)state;
    rg_err e;
    rg_store *s = seeded("bad.db");
    rg_invoice_view v;
    assert_int_equal(rg_invoice_view_get(s, NULL, "F1", NOW, &v, &e), RG_OK);
    rg_strlcpy(v.payments[0].reference, "R\xe3", sizeof v.payments[0].reference);
    void *j = (void *)1;
    rg_err_clear(&e);
    assert_int_equal(rg_invoice_view_json(&v, &j, &e), RG_EINVAL);
    assert_null(j);
    assert_non_null(strstr(e.msg, "F1 cannot be written as JSON"));
    assert_string_equal(e.where, "payment on invoice");
    rg_invoice_view_free(&v);
    rg_store_close(s);
}

/* The API's view engine (rg_view_engine_reuse): kept while the files it
 * loaded stay as they are, opened again when one changes, and it explains
 * with the cadence as the files now say. */
static void test_view_engine_kept_until_its_files_change(void **state)
{
    (void)state;
    rg_err e;
    rg_store *s = seeded("engine.db");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/vengine", rg_test_tmpdir());
    char sub[600];
    snprintf(sub, sizeof sub, "mkdir -p %s/cadences %s/templates", dir, dir);
    assert_int_equal(system(sub), 0);
    rg_config config;
    rg_config_defaults(&config);
    snprintf(config.cadences_dir, sizeof config.cadences_dir, "%s/cadences", dir);
    snprintf(config.templates_dir, sizeof config.templates_dir, "%s/templates", dir);
    rg_strlcpy(config.company.name, "Exemplo Ltda", sizeof config.company.name);
    rg_strlcpy(config.company.cnpj, "11222333000181", sizeof config.company.cnpj);
    rg_channel_config *ch = &config.channels[config.n_channels++];
    memset(ch, 0, sizeof *ch);
    rg_strlcpy(ch->name, "email", sizeof ch->name);
    rg_strlcpy(ch->driver, "log", sizeof ch->driver);
    ch->n_settings = 1;
    rg_strlcpy(ch->settings[0].key, "path", sizeof ch->settings[0].key);
    snprintf(ch->settings[0].value, sizeof ch->settings[0].value, "%s/email.jsonl", dir);
    rg_test_write("vengine/templates/lembrete.email",
                  "Subject: Lembrete {{invoice.external_id}}\n"
                  "{{invoice.amount}} ({{company.name}}, CNPJ {{company.cnpj}})\n");
    const char *cad = "cadence: um\nmatch: {priority: 1}\n"
                      "steps:\n  - {id: s1, at: D-5, send: {channels: [email], template: lembrete}}\n";
    rg_test_write("vengine/cadences/um.yaml", cad);
    rg_engine *eng = NULL;
    uint64_t sig = 0;
    size_t load_errors = 9;
    rg_engine_close(rg_view_engine_open(s, &config, &load_errors));
    assert_int_equal(load_errors, 0);
    rg_engine *first = rg_view_engine_reuse(s, &config, &eng, &sig);
    assert_non_null(first);
    assert_ptr_equal(first, eng);
    rg_invoice_view v;
    assert_int_equal(rg_invoice_view_get(s, eng, "F1", NOW, &v, &e), RG_OK);
    assert_true(v.has_explain);
    assert_string_equal(v.explain.cadence, "um");
    rg_invoice_view_free(&v);
    /* nothing changed: the same engine */
    assert_ptr_equal(rg_view_engine_reuse(s, &config, &eng, &sig), first);
    assert_int_equal(rg_invoice_view_get(s, eng, "F1", NOW, &v, &e), RG_OK);
    assert_string_equal(v.explain.cadence, "um");
    rg_invoice_view_free(&v);
    /* the cadence file changes: opened again, the cadence as it is now explained */
    rg_test_write("vengine/cadences/um.yaml",
                  "cadence: dois\nmatch: {priority: 1}\n"
                  "steps:\n  - {id: s1, at: D-5, send: {channels: [email], template: lembrete}}\n");
    assert_non_null(rg_view_engine_reuse(s, &config, &eng, &sig));
    assert_int_equal(rg_invoice_view_get(s, eng, "F1", NOW, &v, &e), RG_OK);
    assert_true(v.has_explain);
    assert_string_equal(v.explain.cadence, "dois");
    rg_invoice_view_free(&v);
    rg_engine_close(eng);
    rg_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_transaction_is_a_snapshot),
        cmocka_unit_test(test_invoice_view),
        cmocka_unit_test(test_customer_view),
        cmocka_unit_test(test_json_names_what_it_cannot_write),
        cmocka_unit_test(test_view_engine_kept_until_its_files_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
