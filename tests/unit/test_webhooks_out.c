/* The outgoing webhooks (service/webhooks, channel/webhook_out): the
 * signature, queueing with the event, the backoff, leases. */
#include "test.h"

#include <stdlib.h>

#include "config/config.h"
#include "service/events.h"
#include "service/webhooks.h"
#include "store/store.h"

static rg_instant at(const char *iso)
{
    rg_instant t;
    assert_true(rg_instant_parse(iso, strlen(iso), &t));
    return t;
}

/* A known vector: HMAC-SHA256("whsec_test_secret", "1700000000." + body),
 * as Python's hmac.new(secret, b"1700000000." + body, sha256).hexdigest()
 * computes it. */
static void test_signature_vector(void **state)
{
    (void)state;
    const char *body = "{\"id\":1,\"type\":\"payment.received\"}";
    char sig[RG_WEBHOOK_SIG_HEX];
    assert_true(rg_webhook_sign("whsec_test_secret", 1700000000, body, strlen(body), sig));
    assert_string_equal(sig, "921ff62130bd9750bb94599453b34d3d0f62c64d2c6f93b1a1147426c9335699");
    /* another t, another signature */
    char other[RG_WEBHOOK_SIG_HEX];
    assert_true(rg_webhook_sign("whsec_test_secret", 1700000001, body, strlen(body), other));
    assert_string_not_equal(sig, other);
}

typedef struct fx {
    rg_store *s;
    rg_config cfg;
    rg_triggers tr;
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
    rg_config_defaults(&f->cfg);
    const char *yaml = "webhooks:\n"
                       "  - {name: erp, url: 'http://127.0.0.1:9/h', secret_env: TEST_WH_SECRET,"
                       " events: [payment.received, portal.visited]}\n"
                       "  - {name: bi, url: 'http://127.0.0.1:9/bi', secret_env: TEST_WH_SECRET, events: [portal.visited]}\n";
    assert_int_equal(rg_config_parse(&f->cfg, "regua.yaml", ".", yaml, strlen(yaml), &e), RG_OK);
    f->tr = (rg_triggers){NULL, NULL, &f->cfg};
    f->env = (rg_event_env){f->s, rg_test_zones(), &f->tr};
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
    setenv("TEST_WH_SECRET", "test-webhook-secret", 1);
}

static void record(fx *f, rg_event_type type, bool invoice, const char *payload, rg_instant when, int64_t *id)
{
    rg_err e;
    rg_err_clear(&e);
    rg_event_in ev = {type, when, "cli", f->c.id, invoice ? f->inv.id : 0, 0, payload};
    rg_event_out out;
    assert_int_equal(rg_store_begin(f->s, &e), RG_OK);
    assert_int_equal(rg_event_record(&f->env, &ev, &out, &e), RG_OK);
    assert_int_equal(rg_store_commit(f->s, &e), RG_OK);
    *id = out.event_id;
}

/* Recording an event queues one delivery per webhook that lists its type,
 * with the body {"id", "type", "occurred_at", "invoice", "customer", "data"}. */
static void test_queue_on_event(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    rg_err e;
    int64_t ev1, ev2, ev3;
    record(&f, RG_EV_PAYMENT_RECEIVED, true, "{\"amount\":\"150.00\"}", at("2026-12-02T10:00:00Z"), &ev1);
    record(&f, RG_EV_PORTAL_VISITED, false, NULL, at("2026-12-02T11:00:00Z"), &ev2);
    record(&f, RG_EV_EMAIL_OPENED, false, NULL, at("2026-12-02T11:30:00Z"), &ev3); /* nobody listens */
    rg_webhook_list l;
    assert_int_equal(rg_webhooks_list(f.s, NULL, &l, &e), RG_OK);
    assert_int_equal(l.n, 3); /* newest first */
    assert_string_equal(l.v[2].d.webhook, "erp");
    assert_int_equal(l.v[2].d.event_id, ev1);
    assert_string_equal(l.v[2].d.status, "pending");
    char want[256];
    snprintf(want, sizeof want,
             "{\"id\":%lld,\"type\":\"payment.received\",\"occurred_at\":\"2026-12-02T10:00:00Z\",\"invoice\":\"F1\","
             "\"customer\":\"C1\",\"data\":{\"amount\":\"150.00\"}}",
             (long long)ev1);
    assert_string_equal(l.v[2].d.body, want);
    assert_int_equal(l.v[1].d.event_id, ev2);
    assert_int_equal(l.v[0].d.event_id, ev2);
    snprintf(want, sizeof want,
             "{\"id\":%lld,\"type\":\"portal.visited\",\"occurred_at\":\"2026-12-02T11:00:00Z\",\"invoice\":null,"
             "\"customer\":\"C1\",\"data\":{}}",
             (long long)ev2);
    assert_string_equal(l.v[0].d.body, want);
    rg_webhook_list_free(&l);
    /* the same event queued again for the same webhook (a trigger's action) is the same delivery */
    rg_webhook_event we = {ev1, RG_EV_PAYMENT_RECEIVED, at("2026-12-02T10:00:00Z"), f.c.id, f.inv.id, NULL};
    bool queued = true;
    assert_int_equal(rg_webhooks_queue(f.s, rg_config_webhook(&f.cfg, "erp"), &we, &queued, &e), RG_OK);
    assert_false(queued);
    assert_int_equal(rg_webhooks_queue(f.s, rg_config_webhook(&f.cfg, "bi"), &we, &queued, &e), RG_OK);
    assert_true(queued);
    /* a bad status filter names the field */
    assert_int_equal(rg_webhooks_list(f.s, "sent", &l, &e), RG_EINVAL);
    assert_string_equal(e.where, "status");
    rg_store_close(f.s);
}

/* A fake receiver: answers from a script, remembers what it got. */
static int answers[16];
static size_t n_answers, n_posts;
static char last_secret[64], last_url[128];
static int64_t last_t;
static rg_clock *slow_clock; /* when set, each answer takes slow_seconds on it */
static int64_t slow_seconds;

static rg_status fake_post(const char *url, const char *secret, int64_t t, const char *body, long timeout_s,
                           rg_webhook_answer *a, rg_err *e)
{
    (void)body;
    (void)timeout_s;
    memset(a, 0, sizeof *a);
    rg_strlcpy(last_secret, secret, sizeof last_secret);
    rg_strlcpy(last_url, url, sizeof last_url);
    last_t = t;
    if (slow_clock)
        slow_clock->at += slow_seconds;
    int st = answers[n_posts < n_answers ? n_posts : n_answers - 1];
    n_posts++;
    a->http_status = st;
    if (st >= 200 && st < 300)
        return RG_OK;
    snprintf(a->error, sizeof a->error, st ? "HTTP %d: no" : "no answer: refused", st);
    return rg_err_set(e, RG_ETRANSIENT, "webhook", "%s", a->error);
}

/* One round of the webhooks thread at instant t. */
static rg_status deliver_at(const rg_webhooks_run *r, rg_clock *clk, rg_instant t, rg_webhooks_stats *st)
{
    rg_err e;
    rg_err_clear(&e);
    clk->at = t;
    return rg_webhooks_deliver(r, st, &e);
}

/* 2xx delivers; anything else is retried after 1 min, 5 min, 30 min, 2 h,
 * 6 h, 12 h, 24 h, then failed; each attempt recorded; retry re-queues. */
static void test_backoff_and_retry(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    rg_err e;
    int64_t ev;
    rg_instant t = at("2026-12-02T10:00:00Z");
    record(&f, RG_EV_PAYMENT_RECEIVED, true, NULL, t, &ev);
    n_posts = 0;
    n_answers = 1;
    answers[0] = 500;
    rg_clock clk = rg_clock_fixed(t);
    rg_webhooks_run r = {f.s, &f.cfg, "test:1", &clk, 0, fake_post};
    rg_webhooks_stats st;
    static const int64_t waits[] = {60, 300, 1800, 7200, 21600, 43200, 86400};
    for (int i = 0; i < 7; i++) {
        assert_int_equal(deliver_at(&r, &clk, t, &st), RG_OK);
        assert_int_equal(st.claimed, 1);
        assert_int_equal(st.retrying, 1);
        assert_int_equal(rg_webhooks_backoff(i + 1), waits[i]);
        /* not due a second before the wait is over */
        assert_int_equal(deliver_at(&r, &clk, t + waits[i] - 1, &st), RG_OK);
        assert_int_equal(st.claimed, 0);
        t += waits[i];
    }
    assert_string_equal(last_secret, "test-webhook-secret");
    assert_string_equal(last_url, "http://127.0.0.1:9/h");
    assert_int_equal(last_t, t - waits[6]);
    assert_int_equal(deliver_at(&r, &clk, t, &st), RG_OK);
    assert_int_equal(st.failed, 1);
    assert_int_equal(n_posts, 8);
    rg_webhook_list l;
    assert_int_equal(rg_webhooks_list(f.s, "failed", &l, &e), RG_OK);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.v[0].d.attempts, 8);
    assert_int_equal(l.v[0].n_attempts, 8);
    assert_int_equal(l.v[0].attempts[0].http_status, 500);
    assert_string_equal(l.v[0].attempts[0].error, "HTTP 500: no");
    int64_t id = l.v[0].d.id;
    rg_webhook_list_free(&l);
    /* queued again: due at once, the backoff from the start */
    rg_webhook_list one;
    assert_int_equal(rg_webhooks_retry(f.s, id, t + 10, &one, &e), RG_OK);
    assert_string_equal(one.v[0].d.status, "pending");
    assert_int_equal(one.v[0].d.failures, 0);
    assert_int_equal(one.v[0].n_attempts, 8);
    rg_webhook_list_free(&one);
    answers[0] = 204;
    assert_int_equal(deliver_at(&r, &clk, t + 10, &st), RG_OK);
    assert_int_equal(st.delivered, 1);
    assert_int_equal(rg_webhooks_list(f.s, "delivered", &l, &e), RG_OK);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.v[0].d.attempts, 9);
    assert_int_equal(l.v[0].d.last_status, 204);
    assert_int_equal(l.v[0].d.delivered_at, t + 10);
    rg_webhook_list_free(&l);
    /* only a failed delivery is queued again */
    assert_int_equal(rg_webhooks_retry(f.s, id, t + 20, NULL, &e), RG_ECONFLICT);
    assert_non_null(strstr(e.msg, "is delivered, not failed"));
    assert_int_equal(rg_webhooks_retry(f.s, 999, t + 20, NULL, &e), RG_ENOTFOUND);
    rg_store_close(f.s);
}

/* A delivery whose lease ran out (the process died mid-POST) is recorded
 * as an attempt with no answer and sent again; the first owner, should it
 * come back, records nothing. An unset secret is a failed attempt. */
static void test_lease_and_secret(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    rg_err e;
    int64_t ev;
    rg_instant t = at("2026-12-02T10:00:00Z");
    record(&f, RG_EV_PAYMENT_RECEIVED, true, NULL, t, &ev);
    /* process A claims it and dies */
    assert_int_equal(rg_store_begin(f.s, &e), RG_OK);
    assert_int_equal(rg_store_webhook_claim(f.s, "A", t, t + 15, 10, "lost", NULL, NULL, &e), RG_OK);
    assert_int_equal(rg_store_commit(f.s, &e), RG_OK);
    n_posts = 0;
    n_answers = 1;
    answers[0] = 200;
    rg_clock clk = rg_clock_fixed(t);
    rg_webhooks_run r = {f.s, &f.cfg, "B", &clk, 0, fake_post};
    rg_webhooks_stats st;
    assert_int_equal(deliver_at(&r, &clk, t + 14, &st), RG_OK);
    assert_int_equal(st.claimed, 0); /* A's lease holds */
    assert_int_equal(deliver_at(&r, &clk, t + 16, &st), RG_OK);
    assert_int_equal(st.delivered, 1);
    rg_webhook_list l;
    assert_int_equal(rg_webhooks_list(f.s, NULL, &l, &e), RG_OK);
    assert_string_equal(l.v[0].d.status, "delivered");
    assert_int_equal(l.v[0].d.attempts, 2);
    assert_int_equal(l.v[0].n_attempts, 2);
    assert_int_equal(l.v[0].attempts[0].http_status, 0);
    assert_non_null(strstr(l.v[0].attempts[0].error, "the process sending it stopped before the lease ran out"));
    assert_int_equal(l.v[0].attempts[1].http_status, 200);
    rg_webhook_list_free(&l);
    /* A comes back: its lease is gone, nothing is written */
    bool held = true;
    rg_webhook_outcome o = {1, "A", t + 20, 500, "late", "pending", t + 80, t + 20};
    assert_int_equal(rg_store_webhook_finish(f.s, &o, &held, &e), RG_OK);
    assert_false(held);
    /* the secret's variable unset: an attempt that says so, retried later */
    record(&f, RG_EV_PORTAL_VISITED, false, NULL, t + 30, &ev);
    unsetenv("TEST_WH_SECRET");
    n_posts = 0;
    assert_int_equal(deliver_at(&r, &clk, t + 30, &st), RG_OK);
    assert_int_equal(st.claimed, 2);
    assert_int_equal(st.retrying, 2);
    assert_int_equal(n_posts, 0);
    assert_int_equal(rg_webhooks_list(f.s, "pending", &l, &e), RG_OK);
    assert_int_equal(l.n, 2);
    assert_non_null(strstr(l.v[0].d.last_error, "the variable TEST_WH_SECRET (secret_env) is not set"));
    rg_webhook_list_free(&l);
    rg_store_close(f.s);
}

/* A slow receiver (here 25 s to answer 500): the attempt is recorded at
 * its start, the delivery's updated_at at the answer, and the retry waits
 * the whole minute after the answer — not 35 s. */
static void test_backoff_counts_from_the_answer(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    rg_err e;
    int64_t ev;
    rg_instant t = at("2026-12-02T10:00:00Z");
    record(&f, RG_EV_PAYMENT_RECEIVED, true, NULL, t, &ev);
    n_posts = 0;
    n_answers = 2;
    answers[0] = 500;
    answers[1] = 200;
    rg_clock clk = rg_clock_fixed(t);
    slow_clock = &clk;
    slow_seconds = 25;
    rg_webhooks_run r = {f.s, &f.cfg, "test:1", &clk, 0, fake_post};
    rg_webhooks_stats st;
    assert_int_equal(deliver_at(&r, &clk, t, &st), RG_OK);
    assert_int_equal(st.retrying, 1);
    rg_webhook_list l;
    assert_int_equal(rg_webhooks_list(f.s, "pending", &l, &e), RG_OK);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.v[0].attempts[0].at, t);
    assert_int_equal(l.v[0].d.next_attempt_at, t + 25 + 60);
    rg_webhook_list_free(&l);
    assert_int_equal(deliver_at(&r, &clk, t + 25 + 59, &st), RG_OK);
    assert_int_equal(st.claimed, 0);
    assert_int_equal(deliver_at(&r, &clk, t + 25 + 60, &st), RG_OK);
    assert_int_equal(st.delivered, 1);
    assert_int_equal(rg_webhooks_list(f.s, "delivered", &l, &e), RG_OK);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.v[0].d.delivered_at, t + 25 + 60 + 25);
    rg_webhook_list_free(&l);
    slow_clock = NULL;
    rg_store_close(f.s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signature_vector),
        cmocka_unit_test(test_queue_on_event),
        cmocka_unit_test(test_backoff_and_retry),
        cmocka_unit_test(test_backoff_counts_from_the_answer),
        cmocka_unit_test(test_lease_and_secret),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
