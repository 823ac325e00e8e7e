/* The operator task queue: the store functions (tasks of the `task`
 * channel, listing, claim, finish, promises), the service rules
 * (service/tasks: claim, done, promise.made) and the `task` driver. */
#include "test.h"

#include <stdlib.h>

#include "base/buf.h"
#include "channel/channel.h"
#include "service/tasks.h"
#include "store/store.h"

static rg_instant at(const char *iso)
{
    rg_instant t;
    assert_true(rg_instant_parse(iso, strlen(iso), &t));
    return t;
}

typedef struct fx {
    rg_store *s;
    rg_customer c;
    rg_invoice inv;   /* F1, open, R$ 150,00 with R$ 50,00 paid */
    rg_invoice paid;  /* F2, paid */
    int64_t msg_id;   /* a message for the task channel */
} fx;

static void setup(fx *f)
{
    rg_err e;
    rg_err_clear(&e);
    memset(f, 0, sizeof *f);
    assert_int_equal(rg_store_open(":memory:", &f->s, &e), RG_OK);
    rg_customer_init(&f->c);
    rg_strlcpy(f->c.external_id, "C1", sizeof f->c.external_id);
    rg_strlcpy(f->c.name, "Maria José", sizeof f->c.name);
    rg_strlcpy(f->c.phone, "+5511987654321", sizeof f->c.phone);
    rg_upsert_result ur;
    rg_instant t0 = at("2026-12-01T12:00:00Z");
    assert_int_equal(rg_store_customer_upsert(f->s, &f->c, RG_CF_ALL, t0, &ur, &e), RG_OK);
    rg_invoice_init(&f->inv);
    rg_strlcpy(f->inv.external_id, "F1", sizeof f->inv.external_id);
    f->inv.customer_id = f->c.id;
    f->inv.amount = 15000;
    f->inv.due_date = rg_date_from_ymd(2026, 12, 10);
    assert_int_equal(rg_store_invoice_upsert(f->s, &f->inv, RG_IF_ALL, t0, &ur, &e), RG_OK);
    assert_int_equal(rg_store_invoice_set_paid(f->s, f->inv.id, 5000, RG_INV_OPEN, RG_DATE_NONE, t0, &e), RG_OK);
    f->inv.paid = 5000;
    rg_invoice_init(&f->paid);
    rg_strlcpy(f->paid.external_id, "F2", sizeof f->paid.external_id);
    f->paid.customer_id = f->c.id;
    f->paid.amount = 1000;
    f->paid.due_date = rg_date_from_ymd(2026, 12, 5);
    assert_int_equal(rg_store_invoice_upsert(f->s, &f->paid, RG_IF_ALL, t0, &ur, &e), RG_OK);
    assert_int_equal(rg_store_invoice_set_paid(f->s, f->paid.id, 1000, RG_INV_PAID, rg_date_from_ymd(2026, 12, 6), t0, &e),
                     RG_OK);
    rg_message m;
    memset(&m, 0, sizeof m);
    rg_strlcpy(m.idempotency_key, "step:teste:revisar:1", sizeof m.idempotency_key);
    m.customer_id = f->c.id;
    m.invoice_id = f->inv.id;
    rg_strlcpy(m.cadence, "teste", sizeof m.cadence);
    rg_strlcpy(m.source_kind, "step", sizeof m.source_kind);
    rg_strlcpy(m.source_id, "revisar", sizeof m.source_id);
    rg_strlcpy(m.channel, "task", sizeof m.channel);
    m.body = "Ligar para Maria";
    m.status = RG_MSG_SENT;
    m.planned_for = at("2026-12-11T12:00:00Z");
    m.created_at = m.updated_at = m.planned_for;
    bool ins;
    assert_int_equal(rg_store_message_insert(f->s, &m, &ins, &e), RG_OK);
    assert_true(ins);
    f->msg_id = m.id;
}

static int64_t add_call_task(fx *f, const char *due, int64_t invoice_id)
{
    rg_task t;
    memset(&t, 0, sizeof t);
    rg_strlcpy(t.kind, "call", sizeof t.kind);
    rg_strlcpy(t.source, "step:teste/ligar", sizeof t.source);
    t.customer_id = f->c.id;
    t.invoice_id = invoice_id;
    t.due_at = at(due);
    t.created_at = t.due_at;
    rg_err e;
    assert_int_equal(rg_store_task_insert(f->s, &t, &e), RG_OK);
    return t.id;
}

typedef struct seen {
    char text[1024];
} seen;

static rg_status collect(void *p, const rg_task_view *v)
{
    seen *s = p;
    char due[32];
    snprintf(s->text + strlen(s->text), sizeof s->text - strlen(s->text), "%lld %s %s %s %s %s %s %s [%s]\n",
             (long long)v->task.id, v->task.kind, v->task.status, v->customer_external_id, v->customer_phone,
             v->invoice_external_id[0] ? v->invoice_external_id : "-", rg_instant_format(v->task.due_at, due, sizeof due),
             v->task.assignee[0] ? v->task.assignee : "-", v->text);
    return RG_OK;
}

static void test_store_tasks(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    rg_err e;
    rg_err_clear(&e);
    int64_t t1 = add_call_task(&f, "2026-12-12T12:00:00Z", f.inv.id);
    int64_t t2 = add_call_task(&f, "2026-12-11T09:00:00Z", 0);

    /* a message task: once per message */
    rg_task t;
    memset(&t, 0, sizeof t);
    rg_strlcpy(t.kind, "message", sizeof t.kind);
    rg_strlcpy(t.source, "step:teste/revisar", sizeof t.source);
    rg_strlcpy(t.assignee, "fila", sizeof t.assignee);
    t.customer_id = f.c.id;
    t.invoice_id = f.inv.id;
    t.due_at = at("2026-12-11T12:00:00Z");
    t.created_at = t.due_at;
    bool ins = false;
    assert_int_equal(rg_store_task_insert_for_message(f.s, &t, f.msg_id, "Ligar para Maria", &ins, &e), RG_OK);
    assert_true(ins);
    int64_t t3 = t.id;
    t.id = 0;
    assert_int_equal(rg_store_task_insert_for_message(f.s, &t, f.msg_id, "outra", &ins, &e), RG_OK);
    assert_false(ins);
    assert_int_equal(t.id, t3);

    seen s = {""};
    assert_int_equal(rg_store_task_view_each(f.s, false, collect, &s, &e), RG_OK);
    char want[1024];
    snprintf(want, sizeof want,
             "%lld call open C1 +5511987654321 - 2026-12-11T09:00:00Z - []\n"
             "%lld message open C1 +5511987654321 F1 2026-12-11T12:00:00Z fila [Ligar para Maria]\n"
             "%lld call open C1 +5511987654321 F1 2026-12-12T12:00:00Z - []\n",
             (long long)t2, (long long)t3, (long long)t1);
    assert_string_equal(s.text, want);

    /* claim, finish; a finished task is neither claimed nor finished again */
    bool changed = false;
    assert_int_equal(rg_store_task_claim(f.s, t1, "ana", at("2026-12-12T13:00:00Z"), &changed, &e), RG_OK);
    assert_true(changed);
    rg_task_view v;
    assert_int_equal(rg_store_task_get(f.s, t1, &v, &e), RG_OK);
    assert_string_equal(v.task.status, "claimed");
    assert_string_equal(v.task.assignee, "ana");
    assert_int_equal(v.claimed_at, at("2026-12-12T13:00:00Z"));
    assert_int_equal(v.done_at, RG_INSTANT_NONE);
    assert_string_equal(v.text, "");
    assert_int_equal(rg_store_task_finish(f.s, t1, NULL, "no_answer", "caixa postal", at("2026-12-12T14:00:00Z"), &changed,
                                          &e),
                     RG_OK);
    assert_true(changed);
    assert_int_equal(rg_store_task_get(f.s, t1, &v, &e), RG_OK);
    assert_string_equal(v.task.status, "done");
    assert_string_equal(v.task.assignee, "ana");
    assert_string_equal(v.task.outcome, "no_answer");
    assert_string_equal(v.task.note, "caixa postal");
    assert_int_equal(v.done_at, at("2026-12-12T14:00:00Z"));
    assert_int_equal(rg_store_task_claim(f.s, t1, "bia", at("2026-12-12T15:00:00Z"), &changed, &e), RG_OK);
    assert_false(changed);
    assert_int_equal(rg_store_task_finish(f.s, t1, "bia", "paid", "", at("2026-12-12T15:00:00Z"), &changed, &e), RG_OK);
    assert_false(changed);

    /* the open list drops it, --all keeps it */
    memset(&s, 0, sizeof s);
    assert_int_equal(rg_store_task_view_each(f.s, false, collect, &s, &e), RG_OK);
    assert_null(strstr(s.text, "done"));
    memset(&s, 0, sizeof s);
    assert_int_equal(rg_store_task_view_each(f.s, true, collect, &s, &e), RG_OK);
    assert_non_null(strstr(s.text, " call done C1 "));

    assert_int_equal(rg_store_task_get(f.s, 999, &v, &e), RG_ENOTFOUND);
    assert_string_equal(e.msg, "no task with id 999");
    rg_store_close(f.s);
}

static rg_status count_promises(void *p, const rg_promise *pr)
{
    rg_promise *last = p;
    *last = *pr;
    return RG_OK;
}

typedef struct evs {
    char text[2048];
} evs;

static rg_status collect_event(void *p, const rg_event *ev)
{
    evs *x = p;
    snprintf(x->text + strlen(x->text), sizeof x->text - strlen(x->text), "%s %s %s\n", ev->type, ev->source,
             ev->payload ? ev->payload : "{}");
    return RG_OK;
}

static void test_claim_rules(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    rg_err e;
    rg_err_clear(&e);
    int64_t t1 = add_call_task(&f, "2026-12-12T12:00:00Z", f.inv.id);
    rg_task_view v;
    rg_instant now = at("2026-12-12T13:00:00Z");

    assert_int_equal(rg_task_claim(f.s, 42, "ana", now, &v, &e), RG_ENOTFOUND);
    /* the service owns its transaction: a refusal leaves none open */
    assert_int_equal(rg_store_begin(f.s, &e), RG_OK);
    rg_store_rollback(f.s);
    assert_string_equal(e.msg, "no task with id 42");
    assert_int_equal(rg_task_claim(f.s, t1, "", now, &v, &e), RG_EINVAL);
    assert_string_equal(e.where, "as");
    assert_string_equal(e.msg, "say who (a name, at most 63 bytes)");
    assert_int_equal(rg_task_claim(f.s, t1, "a\tb", now, &v, &e), RG_EINVAL);
    assert_string_equal(e.msg, "a control character at byte 2");

    assert_int_equal(rg_task_claim(f.s, t1, "ana", now, &v, &e), RG_OK);
    assert_string_equal(v.task.status, "claimed");
    assert_string_equal(v.task.assignee, "ana");
    /* the same person again: fine; someone else: refused */
    assert_int_equal(rg_task_claim(f.s, t1, "ana", now + 60, &v, &e), RG_OK);
    assert_int_equal(v.claimed_at, now);
    assert_int_equal(rg_task_claim(f.s, t1, "bia", now, &v, &e), RG_ECONFLICT);
    assert_string_equal(e.where, "task 1");
    assert_string_equal(e.msg, "is already claimed by ana");

    rg_task_done_params p;
    memset(&p, 0, sizeof p);
    p.outcome = "no_answer";
    p.promise_date = RG_DATE_NONE;
    p.promise_amount = -1;
    rg_task_done_result r;
    assert_int_equal(rg_task_done(&(rg_event_env){f.s, rg_test_zones(), NULL}, t1, &p, rg_date_from_ymd(2026, 12, 12), now, &r, &e), RG_OK);
    assert_false(r.promised);
    assert_int_equal(r.event_id, 0);
    assert_string_equal(r.task.task.status, "done");
    assert_string_equal(r.task.task.assignee, "ana");

    /* a done task: not claimed, not done again */
    assert_int_equal(rg_task_claim(f.s, t1, "ana", now, &v, &e), RG_ECONFLICT);
    assert_string_equal(e.msg, "is already done (outcome 'no_answer', at 2026-12-12T13:00:00Z, by ana); a done task "
                               "cannot be claimed");
    assert_int_equal(rg_task_done(&(rg_event_env){f.s, rg_test_zones(), NULL}, t1, &p, rg_date_from_ymd(2026, 12, 12), now, &r, &e), RG_ECONFLICT);
    assert_string_equal(e.msg, "is already done (outcome 'no_answer', at 2026-12-12T13:00:00Z, by ana); a done task "
                               "cannot be done again");
    rg_store_close(f.s);
}

static void test_done_with_promise(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    rg_err e;
    rg_err_clear(&e);
    int64_t t1 = add_call_task(&f, "2026-12-12T12:00:00Z", f.inv.id);
    rg_instant now = at("2026-12-12T13:00:00Z");
    rg_date today = rg_date_from_ymd(2026, 12, 12);
    rg_task_done_params p;
    memset(&p, 0, sizeof p);
    p.outcome = "promised";
    p.note = "paga na sexta";
    p.assignee = "bia";
    p.promise_date = rg_date_from_ymd(2026, 12, 18);
    p.promise_amount = -1; /* the open balance: R$ 100,00 */
    p.source = "cli";
    rg_task_done_result r;
    assert_int_equal(rg_task_done(&(rg_event_env){f.s, rg_test_zones(), NULL}, t1, &p, today, now, &r, &e), RG_OK);
    assert_true(r.promised);
    assert_true(r.event_id > 0);
    assert_int_equal(r.promise.amount, 10000);
    assert_string_equal(r.promise.status, "pending");
    assert_string_equal(r.task.task.status, "done");
    assert_string_equal(r.task.task.assignee, "bia");
    assert_string_equal(r.task.task.outcome, "promised");
    assert_string_equal(r.task.task.note, "paga na sexta");

    rg_promise last;
    memset(&last, 0, sizeof last);
    assert_int_equal(rg_store_promise_each_for_invoice(f.s, f.inv.id, count_promises, &last, &e), RG_OK);
    assert_int_equal(last.id, r.promise.id);
    assert_int_equal(last.customer_id, f.c.id);
    assert_int_equal(last.invoice_id, f.inv.id);
    assert_int_equal(last.promised_date, rg_date_from_ymd(2026, 12, 18));
    assert_int_equal(last.amount, 10000);
    assert_string_equal(last.status, "pending");
    assert_string_equal(last.source, "task:1");
    assert_int_equal(last.created_at, now);
    assert_int_equal(last.resolved_at, RG_INSTANT_NONE);

    evs x = {""};
    assert_int_equal(rg_store_event_each_for_invoice(f.s, f.inv.id, collect_event, &x, &e), RG_OK);
    assert_non_null(strstr(x.text, "promise.made cli {\"promise_id\":1,\"promised_date\":\"2026-12-18\","
                                   "\"amount\":\"100.00\",\"task_id\":1,\"outcome\":\"promised\"}\n"));
    rg_store_close(f.s);
}

static void test_done_errors(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    rg_err e;
    rg_err_clear(&e);
    int64_t t1 = add_call_task(&f, "2026-12-12T12:00:00Z", f.inv.id);
    int64_t t2 = add_call_task(&f, "2026-12-12T12:00:00Z", 0);
    int64_t t3 = add_call_task(&f, "2026-12-12T12:00:00Z", f.paid.id);
    rg_instant now = at("2026-12-12T13:00:00Z");
    rg_date today = rg_date_from_ymd(2026, 12, 12);
    rg_task_done_params p;
    memset(&p, 0, sizeof p);
    p.promise_date = RG_DATE_NONE;
    p.promise_amount = -1;
    rg_task_done_result r;

    p.outcome = NULL;
    assert_int_equal(rg_task_done(&(rg_event_env){f.s, rg_test_zones(), NULL}, t1, &p, today, now, &r, &e), RG_EINVAL);
    assert_string_equal(e.msg, "say the outcome (e.g. promised, no_answer, paid, refused)");
    p.outcome = "Promised";
    assert_int_equal(rg_task_done(&(rg_event_env){f.s, rg_test_zones(), NULL}, t1, &p, today, now, &r, &e), RG_EINVAL);
    assert_string_equal(e.where, "outcome");
    assert_string_equal(e.msg, "'Promised' has 'P' at position 1; use lowercase letters, digits, '_' and '-'");
    p.outcome = "promised";
    char longnote[600];
    memset(longnote, 'x', sizeof longnote - 1);
    longnote[sizeof longnote - 1] = '\0';
    p.note = longnote;
    assert_int_equal(rg_task_done(&(rg_event_env){f.s, rg_test_zones(), NULL}, t1, &p, today, now, &r, &e), RG_EINVAL);
    assert_string_equal(e.msg, "longer than 511 bytes (599)");
    p.note = NULL;
    assert_int_equal(rg_task_done(&(rg_event_env){f.s, rg_test_zones(), NULL}, 77, &p, today, now, &r, &e), RG_ENOTFOUND);
    assert_int_equal(rg_store_begin(f.s, &e), RG_OK); /* no transaction left open */
    rg_store_rollback(f.s);

    p.promise_date = rg_date_from_ymd(2026, 12, 11);
    assert_int_equal(rg_task_done(&(rg_event_env){f.s, rg_test_zones(), NULL}, t1, &p, today, now, &r, &e), RG_EINVAL);
    assert_string_equal(e.where, "promise_date");
    assert_string_equal(e.msg, "2026-12-11 is in the past (today is 2026-12-12)");
    p.promise_date = today + RG_PROMISE_MAX_DAYS + 1;
    assert_int_equal(rg_task_done(&(rg_event_env){f.s, rg_test_zones(), NULL}, t1, &p, today, now, &r, &e), RG_EINVAL);
    assert_string_equal(e.msg, "2027-03-13 is more than 90 days ahead (latest 2027-03-12); a longer term is an "
                               "agreement (acordo)");
    p.promise_date = today; /* today is allowed */
    p.promise_amount = 10001;
    assert_int_equal(rg_task_done(&(rg_event_env){f.s, rg_test_zones(), NULL}, t1, &p, today, now, &r, &e), RG_EINVAL);
    assert_string_equal(e.where, "promise_amount");
    assert_string_equal(e.msg, "R$ 100,01 is more than the open balance of F1 (R$ 100,00)");
    p.promise_amount = 0;
    assert_int_equal(rg_task_done(&(rg_event_env){f.s, rg_test_zones(), NULL}, t1, &p, today, now, &r, &e), RG_EINVAL);
    assert_string_equal(e.msg, "a promise must be of more than zero");
    /* no invoice: the amount must be said */
    p.promise_amount = -1;
    assert_int_equal(rg_task_done(&(rg_event_env){f.s, rg_test_zones(), NULL}, t2, &p, today, now, &r, &e), RG_EINVAL);
    assert_string_equal(e.msg, "the task has no invoice: say the amount promised");
    p.promise_amount = 2500;
    assert_int_equal(rg_task_done(&(rg_event_env){f.s, rg_test_zones(), NULL}, t2, &p, today, now, &r, &e), RG_OK);
    assert_true(r.promised);
    assert_int_equal(r.promise.invoice_id, 0);
    assert_int_equal(r.promise.amount, 2500);
    /* a paid invoice takes no promise */
    p.promise_amount = -1;
    assert_int_equal(rg_task_done(&(rg_event_env){f.s, rg_test_zones(), NULL}, t3, &p, today, now, &r, &e), RG_ECONFLICT);
    assert_string_equal(e.where, "invoice F2");
    assert_string_equal(e.msg, "is paid: there is nothing left to promise");
    /* t1 was never closed by the failures */
    rg_task_view v;
    assert_int_equal(rg_store_task_get(f.s, t1, &v, &e), RG_OK);
    assert_string_equal(v.task.status, "open");
    rg_store_close(f.s);
}

static void test_task_channel(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    rg_err e;
    rg_err_clear(&e);
    rg_config cfg;
    rg_config_defaults(&cfg);
    rg_channel_config *cc = &cfg.channels[cfg.n_channels++];
    rg_strlcpy(cc->name, "task", sizeof cc->name);
    rg_strlcpy(cc->driver, "task", sizeof cc->driver);
    cc->n_settings = 1;
    rg_strlcpy(cc->settings[0].key, "assignee", sizeof cc->settings[0].key);
    rg_strlcpy(cc->settings[0].value, "fila", sizeof cc->settings[0].value);

    rg_channel *ch = NULL;
    rg_channel_env none = {&cfg, NULL, NULL};
    assert_int_equal(rg_channel_open(cc, &none, &ch, &e), RG_EINTERNAL);
    assert_string_equal(e.msg, "the task driver needs the store (rg_channel_env.store)");
    assert_null(ch);

    rg_channel_env env = {&cfg, NULL, f.s};
    assert_int_equal(rg_channel_open(cc, &env, &ch, &e), RG_OK);
    assert_true(rg_channel_is_inline(ch));
    rg_message m;
    memset(&m, 0, sizeof m);
    m.id = f.msg_id;
    rg_strlcpy(m.idempotency_key, "step:teste:revisar:1", sizeof m.idempotency_key);
    m.invoice_id = f.inv.id;
    rg_strlcpy(m.cadence, "teste", sizeof m.cadence);
    rg_strlcpy(m.source_kind, "step", sizeof m.source_kind);
    rg_strlcpy(m.source_id, "revisar", sizeof m.source_id);
    m.body = "Ligar para Maria: F1 vencida.";
    m.planned_for = at("2026-12-11T12:00:00Z");
    m.sent_at = m.planned_for;
    rg_outgoing og = {&m, &f.c, "C1", "F1"};
    rg_send_result res;
    assert_int_equal(rg_channel_send(ch, &og, &res, &e), RG_OK);
    assert_int_equal(res.outcome, RG_SEND_OK);
    assert_string_equal(res.provider_id, "task:1");
    /* again: the same task */
    assert_int_equal(rg_channel_send(ch, &og, &res, &e), RG_OK);
    assert_string_equal(res.provider_id, "task:1");
    rg_channel_close(ch);

    seen s = {""};
    assert_int_equal(rg_store_task_view_each(f.s, true, collect, &s, &e), RG_OK);
    assert_string_equal(s.text, "1 message open C1 +5511987654321 F1 2026-12-11T12:00:00Z fila [Ligar para Maria: F1 "
                                "vencida.]\n");
    rg_task_view v;
    assert_int_equal(rg_store_task_get(f.s, 1, &v, &e), RG_OK);
    assert_string_equal(v.task.source, "step:teste/revisar");
    assert_int_equal(v.message_id, f.msg_id);
    rg_store_close(f.s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_tasks),     cmocka_unit_test(test_claim_rules), cmocka_unit_test(test_done_with_promise),
        cmocka_unit_test(test_done_errors),     cmocka_unit_test(test_task_channel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
