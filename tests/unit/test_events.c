/* The event service (service/events): the type table, and recording —
 * one function for every event, whoever reports it. */
#include "test.h"

#include <stdlib.h>

#include "base/buf.h"
#include "channel/scrub.h"
#include "model/event.h"
#include "service/events.h"
#include "store/store.h"

static rg_instant at(const char *iso)
{
    rg_instant t;
    assert_true(rg_instant_parse(iso, strlen(iso), &t));
    return t;
}

typedef struct fx {
    rg_store *s;
    rg_event_env env;
    rg_customer c;
    rg_invoice inv;
} fx;

static void setup(fx *f)
{
    rg_err e;
    rg_err_clear(&e);
    memset(f, 0, sizeof *f);
    assert_int_equal(rg_store_open(":memory:", &f->s, &e), RG_OK);
    f->env = (rg_event_env){f->s, rg_test_zones(), NULL};
    rg_customer_init(&f->c);
    rg_strlcpy(f->c.external_id, "C1", sizeof f->c.external_id);
    rg_strlcpy(f->c.name, "Maria", sizeof f->c.name);
    rg_upsert_result ur;
    rg_instant t0 = at("2026-12-01T12:00:00Z");
    assert_int_equal(rg_store_customer_upsert(f->s, &f->c, RG_CF_ALL, t0, &ur, &e), RG_OK);
    rg_invoice_init(&f->inv);
    rg_strlcpy(f->inv.external_id, "F1", sizeof f->inv.external_id);
    f->inv.customer_id = f->c.id;
    f->inv.amount = 15000;
    f->inv.due_date = rg_date_from_ymd(2026, 12, 10);
    assert_int_equal(rg_store_invoice_upsert(f->s, &f->inv, RG_IF_ALL, t0, &ur, &e), RG_OK);
}

typedef struct seen {
    rg_event ev[8];
    char payload[8][128];
    size_t n;
} seen;

static rg_status keep(void *p, const rg_event *ev)
{
    seen *s = p;
    if (s->n < 8) {
        s->ev[s->n] = *ev;
        rg_strlcpy(s->payload[s->n], ev->payload ? ev->payload : "", sizeof s->payload[0]);
        s->ev[s->n].payload = NULL;
        s->n++;
    }
    return RG_OK;
}

/* Every type has a unique name that parses back; names follow the table. */
static void test_type_table(void **state)
{
    (void)state;
    for (int i = 0; i < RG_EV__COUNT; i++) {
        const char *n = rg_event_type_name((rg_event_type)i);
        assert_non_null(n);
        rg_event_type t;
        assert_true(rg_event_type_parse(n, strlen(n), &t));
        assert_int_equal(t, i);
        assert_true(rg_event_type_description((rg_event_type)i)[0] != '\0');
        for (int k = 0; k < i; k++)
            assert_string_not_equal(n, rg_event_type_name((rg_event_type)k));
    }
    assert_null(rg_event_type_name(RG_EV__COUNT));
    assert_string_equal(rg_event_type_name(RG_EV_DISPUTE_RESOLVED), "dispute.resolved");
    assert_string_equal(rg_event_type_name(RG_EV_OFFER_ACCEPTED), "offer.accepted");
    rg_event_type t;
    assert_false(rg_event_type_parse("Payment.received", 16, &t));
    assert_false(rg_event_type_parse("payment.receive", 15, &t));
    assert_int_equal(rg_event_type_scope(RG_EV_PORTAL_VISITED), RG_EVS_EITHER);
    assert_int_equal(rg_event_type_scope(RG_EV_DISPUTE_OPENED), RG_EVS_INVOICE);
    assert_int_equal(rg_event_type_origin(RG_EV_PROMISE_BROKEN), RG_EVO_REGUA);
    assert_int_equal(rg_event_type_origin(RG_EV_INVOICE_CREATED), RG_EVO_REGUA);
    assert_int_equal(rg_event_type_origin(RG_EV_BOLETO_DOWNLOADED), RG_EVO_OUTSIDE);
}

static void test_record(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    rg_err e;
    rg_err_clear(&e);
    rg_event_in ev = {RG_EV_BOLETO_DOWNLOADED, at("2026-12-11T15:00:00Z"), "cli", f.c.id, f.inv.id, 0,
                      "{\"via\":\"portal\"}"};
    rg_event_out out;
    assert_int_equal(rg_event_record(&f.env, &ev, &out, &e), RG_OK);
    assert_true(out.event_id > 0);
    seen s;
    memset(&s, 0, sizeof s);
    assert_int_equal(rg_store_event_each_for_invoice(f.s, f.inv.id, keep, &s, &e), RG_OK);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.ev[0].type, "boleto.downloaded");
    assert_string_equal(s.ev[0].source, "cli");
    assert_int_equal(s.ev[0].at, at("2026-12-11T15:00:00Z"));
    assert_int_equal(s.ev[0].customer_id, f.c.id);
    assert_string_equal(s.payload[0], "{\"via\":\"portal\"}");

    /* refused, and nothing stored */
    rg_event_in bad = ev;
    bad.type = RG_EV__COUNT;
    assert_int_equal(rg_event_record(&f.env, &bad, NULL, &e), RG_EINVAL);
    bad = ev;
    bad.at = RG_INSTANT_NONE;
    assert_int_equal(rg_event_record(&f.env, &bad, NULL, &e), RG_EINVAL);
    assert_string_equal(e.msg, "the event has no instant");
    bad = ev;
    bad.source = "";
    assert_int_equal(rg_event_record(&f.env, &bad, NULL, &e), RG_EINVAL);
    bad = ev;
    bad.customer_id = 0;
    assert_int_equal(rg_event_record(&f.env, &bad, NULL, &e), RG_EINVAL);
    bad = ev;
    bad.payload = "[1]";
    assert_int_equal(rg_event_record(&f.env, &bad, NULL, &e), RG_EINVAL);
    assert_string_equal(e.msg, "the payload must be a JSON object");
    bad = ev;
    bad.source = "a-source-that-is-far-too-long-to-keep";
    assert_int_equal(rg_event_record(&f.env, &bad, NULL, &e), RG_EINVAL);
    memset(&s, 0, sizeof s);
    assert_int_equal(rg_store_event_each_for_invoice(f.s, f.inv.id, keep, &s, &e), RG_OK);
    assert_int_equal(s.n, 1);
    rg_store_close(f.s);
}

/* A payload quoting a channel's secret or an Authorization header is
 * stored scrubbed (providers' words reach events). */
static void test_record_scrubs(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    rg_err e;
    rg_err_clear(&e);
    rg_scrub_register("EAAG-events-token-1");
    rg_event_in ev = {RG_EV_MESSAGE_FAILED, at("2026-12-11T15:00:00Z"), "webhook", f.c.id, f.inv.id, 0,
                      "{\"reason\":\"bad token EAAG-events-token-1\",\"h\":\"Authorization: Bearer xyz\"}"};
    assert_int_equal(rg_event_record(&f.env, &ev, NULL, &e), RG_OK);
    seen s;
    memset(&s, 0, sizeof s);
    assert_int_equal(rg_store_event_each_for_invoice(f.s, f.inv.id, keep, &s, &e), RG_OK);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.payload[0], "{\"reason\":\"bad token [redacted]\",\"h\":\"Authorization: Bearer [redacted]\"}");
    rg_scrub_reset();
    rg_store_close(f.s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type_table),
        cmocka_unit_test(test_record),
        cmocka_unit_test(test_record_scrubs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
