/* Credit-bureau requests: the listing's store functions (requested ->
 * listed -> removal_requested -> removed, failures counted), the request
 * body, the `bureau` driver's settings and answer classification, and a
 * sync against a closed local port (the listing stays pending). The signed
 * POST against a live fake is in tests/e2e/test_bureau.sh. */
#include "test.h"

#include <stdlib.h>

#include "base/buf.h"
#include "channel/channel.h"
#include "service/bureau.h"
#include "service/holds.h"
#include "service/payments.h"
#include "store/store.h"

static rg_instant at(const char *iso)
{
    rg_instant t;
    assert_true(rg_instant_parse(iso, strlen(iso), &t));
    return t;
}

typedef struct fx {
    rg_store *s;
    rg_config cfg;
    rg_customer c;
    rg_invoice inv;
} fx;

static void setup(fx *f)
{
    rg_err e;
    rg_err_clear(&e);
    memset(f, 0, sizeof *f);
    assert_int_equal(rg_store_open(":memory:", &f->s, &e), RG_OK);
    rg_config_defaults(&f->cfg);
    rg_strlcpy(f->cfg.company.name, "Exemplo Serviços Ltda", sizeof f->cfg.company.name);
    rg_strlcpy(f->cfg.company.cnpj, "11222333000181", sizeof f->cfg.company.cnpj);
    rg_customer_init(&f->c);
    rg_strlcpy(f->c.external_id, "C1", sizeof f->c.external_id);
    rg_strlcpy(f->c.name, "Maria José", sizeof f->c.name);
    rg_strlcpy(f->c.document, "52998224725", sizeof f->c.document);
    f->c.kind = RG_KIND_PF;
    rg_strlcpy(f->c.address.street, "Rua das Acácias", sizeof f->c.address.street);
    rg_strlcpy(f->c.address.number, "123", sizeof f->c.address.number);
    rg_strlcpy(f->c.address.city, "São Paulo", sizeof f->c.address.city);
    rg_strlcpy(f->c.address.state, "SP", sizeof f->c.address.state);
    rg_strlcpy(f->c.address.zip, "01452000", sizeof f->c.address.zip);
    rg_upsert_result ur;
    rg_instant t0 = at("2026-11-01T12:00:00Z");
    assert_int_equal(rg_store_customer_upsert(f->s, &f->c, RG_CF_ALL, t0, &ur, &e), RG_OK);
    rg_invoice_init(&f->inv);
    rg_strlcpy(f->inv.external_id, "F1", sizeof f->inv.external_id);
    rg_strlcpy(f->inv.description, "Mensalidade", sizeof f->inv.description);
    f->inv.customer_id = f->c.id;
    f->inv.amount = 15000;
    f->inv.issue_date = rg_date_from_ymd(2026, 11, 1);
    f->inv.due_date = rg_date_from_ymd(2026, 11, 10);
    assert_int_equal(rg_store_invoice_upsert(f->s, &f->inv, RG_IF_ALL, t0, &ur, &e), RG_OK);
}

static void add_channel(fx *f, const char *url, const char *secret_env)
{
    rg_channel_config *cc = &f->cfg.channels[f->cfg.n_channels++];
    memset(cc, 0, sizeof *cc);
    rg_strlcpy(cc->name, "bureau", sizeof cc->name);
    rg_strlcpy(cc->driver, "bureau", sizeof cc->driver);
    if (url) {
        rg_strlcpy(cc->settings[cc->n_settings].key, "url", sizeof cc->settings[0].key);
        rg_strlcpy(cc->settings[cc->n_settings++].value, url, sizeof cc->settings[0].value);
    }
    if (secret_env) {
        rg_strlcpy(cc->settings[cc->n_settings].key, "secret_env", sizeof cc->settings[0].key);
        rg_strlcpy(cc->settings[cc->n_settings++].value, secret_env, sizeof cc->settings[0].value);
    }
}

static void test_listing_lifecycle(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    rg_err e;
    rg_err_clear(&e);
    rg_bureau_listing l;
    bool found = true, created = false, changed = false;
    assert_int_equal(rg_store_bureau_get(f.s, f.inv.id, &l, &found, &e), RG_OK);
    assert_false(found);
    assert_int_equal(rg_store_bureau_request(f.s, f.inv.id, at("2026-11-25T12:00:00Z"), at("2026-12-10T12:00:00Z"),
                                             &created, &e),
                     RG_OK);
    assert_true(created);
    assert_int_equal(rg_store_bureau_get(f.s, f.inv.id, &l, &found, &e), RG_OK);
    assert_true(found);
    assert_string_equal(l.status, "requested");
    assert_int_equal(l.notice_at, at("2026-11-25T12:00:00Z"));
    assert_int_equal(l.requested_at, at("2026-12-10T12:00:00Z"));
    assert_int_equal(l.listed_at, RG_INSTANT_NONE);
    assert_int_equal(l.attempts, 0);

    /* a failure counts and keeps the reason; still pending */
    assert_int_equal(rg_store_bureau_failed(f.s, f.inv.id, "HTTP 503", at("2026-12-10T13:00:00Z"), &e), RG_OK);
    assert_int_equal(rg_store_bureau_get(f.s, f.inv.id, &l, &found, &e), RG_OK);
    assert_string_equal(l.status, "requested");
    assert_int_equal(l.attempts, 1);
    assert_string_equal(l.last_error, "HTTP 503");
    assert_int_equal(l.last_attempt_at, at("2026-12-10T13:00:00Z"));

    assert_int_equal(rg_store_bureau_accepted(f.s, f.inv.id, false, "NEG-1", at("2026-12-10T14:00:00Z"), &changed, &e),
                     RG_OK);
    assert_true(changed);
    assert_int_equal(rg_store_bureau_get(f.s, f.inv.id, &l, &found, &e), RG_OK);
    assert_string_equal(l.status, "listed");
    assert_int_equal(l.listed_at, at("2026-12-10T14:00:00Z"));
    assert_string_equal(l.provider_ref, "NEG-1");
    assert_int_equal(l.attempts, 2);
    assert_string_equal(l.last_error, "");

    /* paid: removal requested (STJ Súmula 548), then removed */
    assert_int_equal(rg_store_bureau_on_paid(f.s, f.inv.id, at("2026-12-20T12:00:00Z"), &changed, &e), RG_OK);
    assert_true(changed);
    assert_int_equal(rg_store_bureau_accepted(f.s, f.inv.id, true, "", at("2026-12-20T13:00:00Z"), &changed, &e), RG_OK);
    assert_true(changed);
    assert_int_equal(rg_store_bureau_get(f.s, f.inv.id, &l, &found, &e), RG_OK);
    assert_string_equal(l.status, "removed");
    assert_int_equal(l.removal_requested_at, at("2026-12-20T12:00:00Z"));
    assert_int_equal(l.removed_at, at("2026-12-20T13:00:00Z"));
    assert_string_equal(l.provider_ref, "NEG-1"); /* an empty answer keeps the reference */

    assert_int_equal(rg_store_bureau_accepted(f.s, 999, true, "", at("2026-12-20T13:00:00Z"), &changed, &e),
                     RG_ENOTFOUND);
    assert_string_equal(e.msg, "invoice id 999 has no bureau listing");
    rg_store_close(f.s);
}

static void test_listing_paid_meanwhile(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    rg_err e;
    rg_err_clear(&e);
    bool created, changed;
    assert_int_equal(rg_store_bureau_request(f.s, f.inv.id, at("2026-11-25T12:00:00Z"), at("2026-12-10T12:00:00Z"),
                                             &created, &e),
                     RG_OK);
    assert_int_equal(rg_store_bureau_on_paid(f.s, f.inv.id, at("2026-12-10T12:30:00Z"), &changed, &e), RG_OK);
    /* the listing request was in flight: the bureau accepted it, but the
     * listing stays removal_requested (listed_at recorded) */
    assert_int_equal(rg_store_bureau_accepted(f.s, f.inv.id, false, "NEG-7", at("2026-12-10T13:00:00Z"), &changed, &e),
                     RG_OK);
    assert_false(changed);
    rg_bureau_listing l;
    bool found;
    assert_int_equal(rg_store_bureau_get(f.s, f.inv.id, &l, &found, &e), RG_OK);
    assert_string_equal(l.status, "removal_requested");
    assert_int_equal(l.listed_at, at("2026-12-10T13:00:00Z"));
    assert_string_equal(l.provider_ref, "NEG-7");
    rg_store_close(f.s);
}

static void test_request_json(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    rg_err e;
    rg_err_clear(&e);
    rg_bureau_listing l;
    memset(&l, 0, sizeof l);
    l.id = 7;
    l.invoice_id = f.inv.id;
    rg_strlcpy(l.status, "requested", sizeof l.status);
    l.notice_at = at("2026-11-25T12:00:00Z");
    l.requested_at = at("2026-12-10T12:00:00Z");
    l.listed_at = l.removal_requested_at = l.removed_at = RG_INSTANT_NONE;
    char key[64];
    rg_bureau_idempotency_key(&l, false, key, sizeof key);
    assert_string_equal(key, "regua-bureau-list-7");
    rg_bureau_idempotency_key(&l, true, key, sizeof key);
    assert_string_equal(key, "regua-bureau-remove-7");
    rg_buf b = RG_BUF_INIT;
    assert_int_equal(rg_bureau_request_json(&l, &f.inv, &f.c, &f.cfg, false, at("2026-12-10T15:00:00Z"), &b, &e), RG_OK);
    assert_string_equal(
        rg_buf_cstr(&b),
        "{\"type\":\"listing.request\",\"idempotency_key\":\"regua-bureau-list-7\",\"listing_id\":7,"
        "\"sent_at\":\"2026-12-10T15:00:00Z\",\"creditor\":{\"name\":\"Exemplo Serviços Ltda\",\"cnpj\":\"11222333000181\"},"
        "\"debtor\":{\"external_id\":\"C1\",\"name\":\"Maria José\",\"document\":\"52998224725\",\"kind\":\"PF\","
        "\"address\":{\"street\":\"Rua das Acácias\",\"number\":\"123\",\"complement\":\"\",\"district\":\"\","
        "\"city\":\"São Paulo\",\"state\":\"SP\",\"zip\":\"01452000\"}},"
        "\"debt\":{\"invoice_external_id\":\"F1\",\"description\":\"Mensalidade\",\"amount\":\"150.00\","
        "\"balance\":\"150.00\",\"issue_date\":\"2026-11-01\",\"due_date\":\"2026-11-10\",\"paid_on\":null},"
        "\"notice_at\":\"2026-11-25T12:00:00Z\",\"requested_at\":\"2026-12-10T12:00:00Z\",\"listed_at\":null,"
        "\"removal_requested_at\":null,\"provider_ref\":null}");
    rg_buf_reset(&b);
    rg_strlcpy(l.provider_ref, "NEG-1", sizeof l.provider_ref);
    l.listed_at = at("2026-12-10T16:00:00Z");
    assert_int_equal(rg_bureau_request_json(&l, &f.inv, &f.c, &f.cfg, true, at("2026-12-20T15:00:00Z"), &b, &e), RG_OK);
    assert_non_null(strstr(rg_buf_cstr(&b), "{\"type\":\"removal.request\",\"idempotency_key\":\"regua-bureau-remove-7\""));
    assert_non_null(strstr(rg_buf_cstr(&b), "\"listed_at\":\"2026-12-10T16:00:00Z\""));
    assert_non_null(strstr(rg_buf_cstr(&b), "\"provider_ref\":\"NEG-1\"}"));
    rg_buf_free(&b);
    rg_store_close(f.s);
}

static void test_driver_settings(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    rg_err e;
    rg_err_clear(&e);
    rg_channel *ch = NULL;
    rg_channel_env env = {&f.cfg, NULL, f.s};
    unsetenv("REGUA_TEST_BUREAU_SECRET");

    add_channel(&f, NULL, "REGUA_TEST_BUREAU_SECRET");
    assert_int_equal(rg_channel_open(&f.cfg.channels[0], &env, &ch, &e), RG_EINVAL);
    assert_string_equal(e.where, "bureau: url");
    assert_string_equal(e.msg, "the bureau driver needs 'url' (the integration's endpoint)");
    f.cfg.n_channels = 0;
    add_channel(&f, "ftp://example.com/x", "REGUA_TEST_BUREAU_SECRET");
    assert_int_equal(rg_channel_open(&f.cfg.channels[0], &env, &ch, &e), RG_EINVAL);
    assert_string_equal(e.msg, "'ftp://example.com/x' is not an http:// or https:// URL");
    f.cfg.n_channels = 0;
    add_channel(&f, "http://127.0.0.1:1/x", NULL);
    assert_int_equal(rg_channel_open(&f.cfg.channels[0], &env, &ch, &e), RG_EINVAL);
    assert_string_equal(e.where, "bureau: secret_env");
    f.cfg.n_channels = 0;
    add_channel(&f, "http://127.0.0.1:1/x", "REGUA_TEST_BUREAU_SECRET");
    assert_int_equal(rg_channel_open(&f.cfg.channels[0], &env, &ch, &e), RG_EINVAL);
    assert_string_equal(e.msg, "the environment variable REGUA_TEST_BUREAU_SECRET (the bureau signing secret) is not set");
    assert_null(ch);
    setenv("REGUA_TEST_BUREAU_SECRET", "segredo-de-teste", 1);
    assert_int_equal(rg_channel_open(&f.cfg.channels[0], &env, &ch, &e), RG_OK);
    assert_false(rg_channel_is_inline(ch));
    assert_ptr_equal(rg_bureau_channel_config(&f.cfg), &f.cfg.channels[0]);

    /* answers, classified without a transfer */
    const rg_channel_driver *d = rg_channel_driver_of(ch);
    rg_message m;
    memset(&m, 0, sizeof m);
    rg_strlcpy(m.idempotency_key, "regua-bureau-list-1", sizeof m.idempotency_key);
    rg_outgoing og = {&m, &f.c, "", "F1"};
    void *easy, *req;
    assert_int_equal(d->prepare(rg_channel_state(ch), &og, &easy, &req, &e), RG_EINVAL);
    assert_null(easy);
    assert_string_equal(e.msg, "message 0 has no request body: the bureau channel sends the requests built by "
                               "`regua bureau sync`, not cadence messages");
    m.payload = "{\"type\":\"listing.request\"}";
    const struct {
        int curl_code;
        long http;
        rg_send_outcome outcome;
        const char *error;
    } cases[] = {
        {0, 200, RG_SEND_OK, ""},
        {0, 201, RG_SEND_OK, ""},
        {0, 503, RG_SEND_TRANSIENT, "HTTP 503"},
        {0, 429, RG_SEND_TRANSIENT, "HTTP 429"},
        {0, 408, RG_SEND_TRANSIENT, "HTTP 408"},
        {0, 400, RG_SEND_PERMANENT, "HTTP 400"},
        {0, 401, RG_SEND_PERMANENT, "HTTP 401"},
        {7, 0, RG_SEND_TRANSIENT, "transport: Couldn't connect to server"},
        {28, 0, RG_SEND_TRANSIENT, "transport: Timeout was reached"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(d->prepare(rg_channel_state(ch), &og, &easy, &req, &e), RG_OK);
        assert_non_null(easy);
        rg_send_result res;
        d->complete(rg_channel_state(ch), easy, req, cases[i].curl_code, cases[i].http, &res);
        assert_int_equal(res.outcome, cases[i].outcome);
        assert_string_equal(res.error, cases[i].error);
    }
    rg_channel_close(ch);
    rg_store_close(f.s);
}

static void test_sync_unreachable_and_skipped(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    rg_err e;
    rg_err_clear(&e);
    setenv("REGUA_TEST_BUREAU_SECRET", "segredo-de-teste", 1);
    add_channel(&f, "http://127.0.0.1:1/bureau", "REGUA_TEST_BUREAU_SECRET");
    rg_channel *ch = NULL;
    rg_channel_env env = {&f.cfg, NULL, f.s};
    assert_int_equal(rg_channel_open(&f.cfg.channels[0], &env, &ch, &e), RG_OK);

    /* a second invoice, cancelled after its listing was requested */
    rg_invoice inv2;
    rg_invoice_init(&inv2);
    rg_strlcpy(inv2.external_id, "F2", sizeof inv2.external_id);
    inv2.customer_id = f.c.id;
    inv2.amount = 1000;
    inv2.due_date = rg_date_from_ymd(2026, 11, 10);
    inv2.status = RG_INV_CANCELLED;
    rg_upsert_result ur;
    assert_int_equal(rg_store_invoice_upsert(f.s, &inv2, RG_IF_ALL, at("2026-11-01T12:00:00Z"), &ur, &e), RG_OK);
    bool created;
    assert_int_equal(rg_store_bureau_request(f.s, f.inv.id, at("2026-11-25T12:00:00Z"), at("2026-12-10T12:00:00Z"),
                                             &created, &e),
                     RG_OK);
    assert_int_equal(rg_store_bureau_request(f.s, inv2.id, at("2026-11-25T12:00:00Z"), at("2026-12-10T12:00:00Z"),
                                             &created, &e),
                     RG_OK);

    rg_bureau_sync_report r;
    assert_int_equal(rg_bureau_sync(f.s, &f.cfg, NULL, ch, at("2026-12-10T13:00:00Z"), &r, &e), RG_OK);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.failed, 1);
    assert_int_equal(r.skipped, 1);
    assert_int_equal(r.listed, 0);
    assert_string_equal(r.items[0].invoice_external_id, "F1");
    assert_string_equal(r.items[0].action, "list");
    assert_string_equal(r.items[0].result, "failed");
    assert_string_equal(r.items[0].status, "requested");
    assert_string_equal(r.items[0].detail, "transport: Couldn't connect to server (will retry)");
    assert_string_equal(r.items[1].invoice_external_id, "F2");
    assert_string_equal(r.items[1].result, "skipped");
    assert_string_equal(r.items[1].detail, "the invoice is cancelled: not listed");
    rg_bureau_sync_report_free(&r);
    rg_bureau_sync_report_free(NULL);

    rg_bureau_listing l;
    bool found;
    assert_int_equal(rg_store_bureau_get(f.s, f.inv.id, &l, &found, &e), RG_OK);
    assert_string_equal(l.status, "requested");
    assert_int_equal(l.attempts, 1);
    assert_string_equal(l.last_error, "transport: Couldn't connect to server");

    /* a dispute open on F1: its request is not sent while it holds (it stays requested) */
    rg_event_env ev = {f.s, rg_test_zones(), NULL};
    rg_event_in open = {RG_EV_DISPUTE_OPENED, at("2026-12-10T13:00:10Z"), "cli", f.c.id, f.inv.id, 0, NULL};
    assert_int_equal(rg_event_record(&ev, &open, NULL, &e), RG_OK);
    assert_int_equal(rg_bureau_sync(f.s, &f.cfg, NULL, ch, at("2026-12-10T13:00:20Z"), &r, &e), RG_OK);
    assert_string_equal(r.items[0].invoice_external_id, "F1");
    assert_string_equal(r.items[0].result, "skipped");
    assert_string_equal(r.items[0].detail, "held: dispute: not sent while it holds");
    rg_bureau_sync_report_free(&r);
    rg_event_in resolved = {RG_EV_DISPUTE_RESOLVED, at("2026-12-10T13:00:30Z"), "cli", f.c.id, f.inv.id, 0, NULL};
    assert_int_equal(rg_event_record(&ev, &resolved, NULL, &e), RG_OK);

    /* the scheduler's round waits before trying a failure again: 1 minute,
     * doubling, at most an hour */
    assert_int_equal(rg_bureau_retry_seconds(1), 60);
    assert_int_equal(rg_bureau_retry_seconds(2), 120);
    assert_int_equal(rg_bureau_retry_seconds(6), 1920);
    assert_int_equal(rg_bureau_retry_seconds(7), 3600);
    assert_int_equal(rg_bureau_retry_seconds(1000), 3600);
    assert_int_equal(rg_bureau_sync_due(f.s, &f.cfg, NULL, ch, at("2026-12-10T13:00:59Z"), &r, &e), RG_OK);
    assert_int_equal(r.n, 1); /* only F2's (skipped, not a failure) */
    assert_string_equal(r.items[0].invoice_external_id, "F2");
    rg_bureau_sync_report_free(&r);
    assert_int_equal(rg_bureau_sync_due(f.s, &f.cfg, NULL, ch, at("2026-12-10T13:01:00Z"), &r, &e), RG_OK);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.failed, 1);
    rg_bureau_sync_report_free(&r);

    /* paid now: the pending request becomes a removal */
    rg_payment p;
    rg_payment_init(&p);
    rg_strlcpy(p.invoice_external_id, "F1", sizeof p.invoice_external_id);
    p.amount = 15000;
    p.source = RG_PAY_MANUAL;
    rg_payment_outcome po;
    assert_int_equal(rg_payment_record(&(rg_event_env){f.s, rg_test_zones(), NULL}, &p, at("2026-12-11T12:00:00Z"), &po, &e), RG_OK);
    assert_int_equal(rg_bureau_sync(f.s, &f.cfg, NULL, ch, at("2026-12-11T13:00:00Z"), &r, &e), RG_OK);
    assert_string_equal(r.items[0].action, "remove");
    assert_string_equal(r.items[0].status, "removal_requested");
    rg_bureau_sync_report_free(&r);
    rg_channel_close(ch);
    rg_store_close(f.s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_listing_lifecycle), cmocka_unit_test(test_listing_paid_meanwhile),
        cmocka_unit_test(test_request_json),      cmocka_unit_test(test_driver_settings),
        cmocka_unit_test(test_sync_unreachable_and_skipped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
