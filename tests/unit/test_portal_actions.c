/* What the debtor does on the portal (service/portal_actions): promise a
 * date, accept an offer, contest an invoice, leave or come back to a
 * channel — each in its own transaction, through the event service, and
 * each refusal leaving nothing behind. */
#include "test.h"

#include <stdlib.h>

#include "base/buf.h"
#include "br/boleto.h"
#include "br/pix.h"
#include "cadence/load.h"
#include "service/holds.h"
#include "service/portal_actions.h"
#include "service/tasks.h"
#include "store/store.h"

static rg_instant at(const char *iso)
{
    rg_instant t;
    assert_true(rg_instant_parse(iso, strlen(iso), &t));
    return t;
}

/* a promise.made trigger that pauses the firm steps, as the seeds' cadences do */
static const char CADENCE[] = "cadence: t\n"
                              "match: {}\n"
                              "steps:\n"
                              "  - {id: lembrete, at: D+1, send: {channels: [email], template: x}}\n"
                              "  - {id: ligar, at: D+5, action: task, task: {kind: call}}\n"
                              "triggers:\n"
                              "  - {id: promessa, on: promise.made, pause: [ligar], pause_grace_days: 2}\n";

typedef struct fx {
    rg_store *s;
    rg_event_env env;
    rg_cadence *cad;
    rg_cadence *items[1];
    rg_cadence_set set;
    rg_calendar *cal;
    rg_triggers tr;
    rg_customer c, other;
    rg_invoice inv;  /* F1, open, R$ 150,00, due 2026-12-10 */
    rg_invoice paid; /* F2, paid */
    rg_invoice theirs; /* F3, the other customer's */
    rg_instant now;  /* 2026-12-12 12:00 UTC: 2026-12-12 in São Paulo */
} fx;

static void add_invoice(fx *f, rg_invoice *inv, const char *ext, int64_t customer_id, rg_cents amount)
{
    rg_err e;
    rg_upsert_result ur;
    rg_invoice_init(inv);
    rg_strlcpy(inv->external_id, ext, sizeof inv->external_id);
    inv->customer_id = customer_id;
    inv->amount = amount;
    inv->due_date = rg_date_from_ymd(2026, 12, 10);
    assert_int_equal(rg_store_invoice_upsert(f->s, inv, RG_IF_ALL, at("2026-12-01T12:00:00Z"), &ur, &e), RG_OK);
}

static void add_customer(fx *f, rg_customer *c, const char *ext)
{
    rg_err e;
    rg_upsert_result ur;
    rg_customer_init(c);
    rg_strlcpy(c->external_id, ext, sizeof c->external_id);
    rg_strlcpy(c->name, "Maria", sizeof c->name);
    rg_strlcpy(c->email, "maria@example.com", sizeof c->email);
    assert_int_equal(rg_store_customer_upsert(f->s, c, RG_CF_ALL, at("2026-12-01T12:00:00Z"), &ur, &e), RG_OK);
}

static void setup(fx *f)
{
    rg_err e;
    rg_err_clear(&e);
    memset(f, 0, sizeof *f);
    assert_int_equal(rg_store_open(":memory:", &f->s, &e), RG_OK);
    rg_diags d = RG_DIAGS_INIT;
    assert_int_equal(rg_cadence_parse(CADENCE, strlen(CADENCE), "t.yaml", RG_CADENCE_YAML, &d, &f->cad), RG_OK);
    assert_int_equal(rg_diags_count(&d, 0, RG_SEV_ERROR), 0);
    rg_diags_free(&d);
    f->items[0] = f->cad;
    f->set = (rg_cadence_set){f->items, 1};
    f->cal = rg_calendar_new();
    f->tr = (rg_triggers){&f->set, f->cal, NULL};
    f->env = (rg_event_env){f->s, rg_test_zones(), &f->tr};
    add_customer(f, &f->c, "C1");
    add_customer(f, &f->other, "C2");
    add_invoice(f, &f->inv, "F1", f->c.id, 15000);
    add_invoice(f, &f->paid, "F2", f->c.id, 1000);
    assert_int_equal(rg_store_invoice_set_paid(f->s, f->paid.id, 1000, RG_INV_PAID, rg_date_from_ymd(2026, 12, 6),
                                               at("2026-12-06T12:00:00Z"), &e),
                     RG_OK);
    add_invoice(f, &f->theirs, "F3", f->other.id, 2000);
    f->now = at("2026-12-12T12:00:00Z");
}

static void teardown(fx *f)
{
    rg_store_close(f->s);
    rg_cadence_free(f->cad);
    rg_calendar_free(f->cal);
}

typedef struct seen {
    char text[2048];
    size_t n;
} seen;

static rg_status keep_event(void *p, const rg_event *ev)
{
    seen *s = p;
    size_t l = strlen(s->text);
    snprintf(s->text + l, sizeof s->text - l, "%s %s %s\n", ev->type, ev->source, ev->payload ? ev->payload : "{}");
    s->n++;
    return RG_OK;
}

static seen events_of(fx *f, int64_t invoice_id)
{
    seen s;
    memset(&s, 0, sizeof s);
    rg_err e;
    assert_int_equal(rg_store_event_each_for_invoice(f->s, invoice_id, keep_event, &s, &e), RG_OK);
    return s;
}

static rg_status count_promise(void *p, const rg_promise *pr)
{
    (void)pr;
    (*(int *)p)++;
    return RG_OK;
}

static int promises_of(fx *f, int64_t invoice_id)
{
    int n = 0;
    rg_err e;
    assert_int_equal(rg_store_promise_each_for_invoice(f->s, invoice_id, count_promise, &n, &e), RG_OK);
    return n;
}

/* ---- Prometer pagamento ---- */

static void test_promise(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    rg_err e;
    rg_promise p;
    rg_event_out ev;
    rg_date today = rg_date_from_ymd(2026, 12, 12);

    /* beyond the portal's bound (10 days), though within a promise's 90: refused, nothing stored */
    assert_int_equal(rg_portal_promise(&f.env, f.c.id, "F1", today + 11, 10, f.now, &p, &ev, &e), RG_EINVAL);
    assert_string_equal(e.where, "date");
    assert_string_equal(e.msg, "2026-12-23 is more than 10 days ahead (latest 2026-12-22)");
    assert_int_equal(rg_portal_promise(&f.env, f.c.id, "F1", today - 1, 10, f.now, &p, &ev, &e), RG_EINVAL);
    assert_string_equal(e.where, "date");
    assert_string_equal(e.msg, "2026-12-11 is in the past (today is 2026-12-12)");
    assert_int_equal(rg_portal_promise(&f.env, f.c.id, "F1", RG_DATE_NONE, 10, f.now, &p, &ev, &e), RG_EINVAL);
    assert_string_equal(e.where, "date");
    assert_int_equal(rg_portal_promise(&f.env, f.c.id, "F1", today, 0, f.now, &p, &ev, &e), RG_EINVAL);
    assert_string_equal(e.where, "portal.promise_max_days");
    /* another customer's invoice is not found; a paid one takes no promise */
    assert_int_equal(rg_portal_promise(&f.env, f.c.id, "F3", today + 2, 10, f.now, &p, &ev, &e), RG_ENOTFOUND);
    assert_string_equal(e.where, "invoice");
    assert_int_equal(rg_portal_promise(&f.env, f.c.id, "F9", today + 2, 10, f.now, &p, &ev, &e), RG_ENOTFOUND);
    assert_int_equal(rg_portal_promise(&f.env, f.c.id, "F2", today + 2, 10, f.now, &p, &ev, &e), RG_ECONFLICT);
    assert_int_equal(promises_of(&f, f.inv.id), 0);
    assert_int_equal(events_of(&f, f.inv.id).n, 0);

    /* the last day of the bound: the promise path, with its consequences */
    assert_int_equal(rg_portal_promise(&f.env, f.c.id, "F1", today + 10, 10, f.now, &p, &ev, &e), RG_OK);
    assert_true(p.id > 0);
    assert_int_equal(p.amount, 15000);
    assert_int_equal(p.promised_date, today + 10);
    assert_string_equal(p.source, "portal");
    assert_true(ev.event_id > 0);
    seen s = events_of(&f, f.inv.id);
    assert_int_equal(s.n, 1);
    char want[256];
    snprintf(want, sizeof want, "promise.made portal {\"promise_id\":%lld,\"promised_date\":\"2026-12-22\","
             "\"amount\":\"150.00\"}\n", (long long)p.id);
    assert_string_equal(s.text, want);
    /* the cadence's promise.made trigger answers it (its pause of the firm steps is done by the tick) */
    assert_int_equal(ev.timers_started, 1);

    /* one at a time: while it is pending, a second one is refused (and the page knows it) */
    int64_t first = p.id;
    rg_portal_invoice_state st;
    assert_int_equal(rg_portal_invoice_state_get(f.s, &f.inv, f.now, &st, &e), RG_OK);
    assert_int_equal(st.promised, today + 10);
    assert_int_equal(rg_portal_promise(&f.env, f.c.id, "F1", today + 3, 10, f.now, &p, &ev, &e), RG_ECONFLICT);
    assert_string_equal(e.where, "promise");
    assert_string_equal(e.msg, "invoice F1 has a pending promise for 2026-12-22: one at a time");
    assert_int_equal(promises_of(&f, f.inv.id), 1);
    /* once it is resolved (broken here), the customer may promise again */
    bool changed = false;
    assert_int_equal(rg_store_promise_resolve(f.s, first, "broken", f.now, &changed, &e), RG_OK);
    assert_int_equal(rg_portal_invoice_state_get(f.s, &f.inv, f.now, &st, &e), RG_OK);
    assert_int_equal(st.promised, RG_DATE_NONE);
    assert_int_equal(rg_portal_promise(&f.env, f.c.id, "F1", today + 3, 10, f.now, &p, &ev, &e), RG_OK);
    assert_int_equal(promises_of(&f, f.inv.id), 2);
    teardown(&f);
}

/* ---- Aceitar oferta ---- */

static void test_offer_accept(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    rg_err e;
    rg_portal_offer_result r;

    /* no offer: refused */
    assert_int_equal(rg_portal_offer_accept(&f.env, f.c.id, "F1", f.now, &r, &e), RG_ECONFLICT);
    assert_string_equal(e.where, "offer");
    assert_string_equal(e.msg, "invoice F1 has no valid offer");

    rg_cadence_offer terms;
    memset(&terms, 0, sizeof terms);
    terms.present = true;
    terms.waive_interest = true;
    terms.discount_pct = 1000;
    terms.valid_days = 3;
    int64_t offer_id = 0;
    assert_int_equal(rg_offer_make(f.s, f.inv.id, &terms, "trigger:t/oferta", at("2026-12-11T12:00:00Z"), &offer_id, &e),
                     RG_OK);
    /* another customer's invoice, a paid one */
    assert_int_equal(rg_portal_offer_accept(&f.env, f.c.id, "F3", f.now, &r, &e), RG_ENOTFOUND);
    assert_int_equal(rg_portal_offer_accept(&f.env, f.c.id, "F2", f.now, &r, &e), RG_ECONFLICT);
    assert_string_equal(e.where, "offer");

    rg_portal_invoice_state st;
    assert_int_equal(rg_portal_invoice_state_get(f.s, &f.inv, f.now, &st, &e), RG_OK);
    assert_false(st.offer_accepted);
    assert_int_equal(rg_portal_offer_accept(&f.env, f.c.id, "F1", f.now, &r, &e), RG_OK);
    assert_true(r.changed);
    assert_int_equal(rg_portal_invoice_state_get(f.s, &f.inv, f.now, &st, &e), RG_OK);
    assert_true(st.offer_accepted);
    assert_int_equal(r.offer.id, offer_id);
    assert_int_equal(r.offer.discount, 1500);
    assert_true(r.event_id > 0);
    int64_t first = r.event_id;
    seen s = events_of(&f, f.inv.id);
    char want[256];
    snprintf(want, sizeof want, "offer.accepted portal {\"offer_id\":%lld,\"valid_until\":\"2026-12-14T12:00:00Z\"}\n",
             (long long)offer_id);
    assert_string_equal(s.text, want);
    /* again (a second click): nothing more */
    assert_int_equal(rg_portal_offer_accept(&f.env, f.c.id, "F1", f.now, &r, &e), RG_OK);
    assert_false(r.changed);
    assert_int_equal(r.event_id, first);
    assert_int_equal(events_of(&f, f.inv.id).n, 1);
    /* once it expired: no valid offer (and nothing accepted to show) */
    assert_int_equal(rg_portal_offer_accept(&f.env, f.c.id, "F1", at("2026-12-14T12:00:00Z"), &r, &e), RG_ECONFLICT);
    assert_int_equal(rg_portal_invoice_state_get(f.s, &f.inv, at("2026-12-14T12:00:00Z"), &st, &e), RG_OK);
    assert_false(st.offer_accepted);
    assert_string_equal(e.where, "offer");
    teardown(&f);
}

/* ---- Contestar cobrança ---- */

typedef struct tasks_seen {
    rg_task_view v[4];
    char text[4][600];
    size_t n;
} tasks_seen;

static rg_status keep_task(void *p, const rg_task_view *v)
{
    tasks_seen *t = p;
    if (t->n < 4) {
        t->v[t->n] = *v;
        rg_strlcpy(t->text[t->n], v->text, sizeof t->text[0]);
        t->n++;
    }
    return RG_OK;
}

static void test_dispute(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    rg_err e;
    rg_portal_dispute_result r;

    /* a call task the dispute will hold */
    rg_task call;
    memset(&call, 0, sizeof call);
    rg_strlcpy(call.kind, "call", sizeof call.kind);
    rg_strlcpy(call.source, "step:t/ligar", sizeof call.source);
    call.customer_id = f.c.id;
    call.invoice_id = f.inv.id;
    call.due_at = call.created_at = f.now;
    assert_int_equal(rg_store_task_insert(f.s, &call, &e), RG_OK);

    /* refusals: no reason, blank, too long, control characters, not UTF-8; not the customer's; paid */
    assert_int_equal(rg_portal_dispute(&f.env, f.c.id, "F1", NULL, f.now, &r, &e), RG_EINVAL);
    assert_string_equal(e.where, "reason");
    assert_int_equal(rg_portal_dispute(&f.env, f.c.id, "F1", " \n ", f.now, &r, &e), RG_EINVAL);
    assert_string_equal(e.where, "reason");
    char longer[RG_PORTAL_REASON_MAX + 2];
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    assert_int_equal(rg_portal_dispute(&f.env, f.c.id, "F1", longer, f.now, &r, &e), RG_EINVAL);
    assert_string_equal(e.msg, "longer than 500 bytes (501)");
    assert_int_equal(rg_portal_dispute(&f.env, f.c.id, "F1", "a\x01b", f.now, &r, &e), RG_EINVAL);
    assert_int_equal(rg_portal_dispute(&f.env, f.c.id, "F1", "caf\xe9", f.now, &r, &e), RG_EINVAL);
    assert_string_equal(e.msg, "is not UTF-8 text");
    assert_int_equal(rg_portal_dispute(&f.env, f.c.id, "F3", "não comprei", f.now, &r, &e), RG_ENOTFOUND);
    assert_int_equal(rg_portal_dispute(&f.env, f.c.id, "F2", "não comprei", f.now, &r, &e), RG_ECONFLICT);
    assert_int_equal(events_of(&f, f.inv.id).n, 0);

    assert_int_equal(rg_portal_dispute(&f.env, f.c.id, "F1", "O produto veio com defeito.\nQuero trocar.", f.now, &r, &e),
                     RG_OK);
    assert_true(r.changed);
    assert_true(r.event_id > 0);
    assert_true(r.task_id > 0);
    seen s = events_of(&f, f.inv.id);
    assert_string_equal(s.text, "dispute.opened portal {\"reason\":\"O produto veio com defeito.\\nQuero trocar.\"}\n");
    /* the dispute holds every step */
    bool held = false;
    char why[64];
    assert_int_equal(rg_holds_check(f.s, f.inv.id, "lembrete", &held, why, sizeof why, &e), RG_OK);
    assert_true(held);
    /* the review task: open, not held by the dispute it reviews; the call task is held */
    tasks_seen t;
    memset(&t, 0, sizeof t);
    assert_int_equal(rg_store_task_view_each(f.s, false, keep_task, &t, &e), RG_OK);
    assert_int_equal(t.n, 2);
    const rg_task_view *review = t.v[0].task.id == r.task_id ? &t.v[0] : &t.v[1];
    const rg_task_view *held_call = t.v[0].task.id == r.task_id ? &t.v[1] : &t.v[0];
    assert_string_equal(review->task.kind, "dispute");
    assert_string_equal(review->task.source, "portal");
    assert_string_equal(review->task.status, "open");
    assert_string_equal(review->invoice_external_id, "F1");
    assert_string_equal(review->held, "");
    assert_string_equal(t.text[review == &t.v[0] ? 0 : 1],
                        "Cliente contestou a fatura F1 pelo portal: O produto veio com defeito.\nQuero trocar.");
    assert_string_equal(held_call->held, "dispute");
    rg_task_view claimed;
    assert_int_equal(rg_task_claim(f.s, r.task_id, "ana", f.now, &claimed, &e), RG_OK);
    assert_int_equal(rg_task_claim(f.s, call.id, "ana", f.now, &claimed, &e), RG_ECONFLICT);

    /* contested again while the dispute holds: nothing more */
    assert_int_equal(rg_portal_dispute(&f.env, f.c.id, "F1", "de novo", f.now, &r, &e), RG_OK);
    assert_false(r.changed);
    assert_int_equal(r.task_id, 0);
    assert_int_equal(events_of(&f, f.inv.id).n, 1);
    teardown(&f);
}

/* ---- Prorrogar vencimento ---- */

static void test_extend(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    rg_err e;
    rg_portal_extend_result r;
    rg_upsert_result ur;
    /* F1 with a boleto and a static PIX for R$ 150,00 due 2026-12-10 */
    rg_boleto b;
    assert_int_equal(rg_boleto_encode("001", '9', f.inv.due_date, 15000, "0000001238798777770016818", &b, &e), RG_OK);
    rg_strlcpy(f.inv.barcode, b.barcode, sizeof f.inv.barcode);
    rg_strlcpy(f.inv.linha_digitavel, b.linha_digitavel, sizeof f.inv.linha_digitavel);
    rg_pix_params pp;
    memset(&pp, 0, sizeof pp);
    pp.key = "maria@example.com";
    pp.merchant_name = "Loja";
    pp.merchant_city = "Sao Paulo";
    pp.txid = "F1";
    pp.has_amount = true;
    pp.amount_cents = 15000;
    assert_int_equal(rg_pix_build(&pp, f.inv.pix_code, sizeof f.inv.pix_code, &e), RG_OK);
    assert_int_equal(rg_store_invoice_upsert(f.s, &f.inv, RG_IF_BOLETO | RG_IF_PIX, at("2026-12-01T12:00:00Z"), &ur, &e),
                     RG_OK);
    /* R$ 50,00 of it paid: the new boleto is for the R$ 100,00 open */
    assert_int_equal(rg_store_invoice_set_paid(f.s, f.inv.id, 5000, RG_INV_OPEN, RG_DATE_NONE, f.now, &e), RG_OK);
    rg_date today = rg_date_from_ymd(2026, 12, 12); /* 2 days after the due date */

    /* refusals: out of the bound (7 days after 2026-12-10: 2026-12-17), in the past, not after the due date,
     * another customer's, paid, a bad bound */
    assert_int_equal(rg_portal_extend(&f.env, f.c.id, "F1", rg_date_from_ymd(2026, 12, 18), 7, f.now, &r, &e),
                     RG_EINVAL);
    assert_string_equal(e.where, "date");
    assert_string_equal(e.msg, "2026-12-18 is more than 7 days after the due date 2026-12-10 (latest 2026-12-17)");
    assert_int_equal(rg_portal_extend(&f.env, f.c.id, "F1", today - 1, 7, f.now, &r, &e), RG_EINVAL);
    assert_string_equal(e.msg, "2026-12-11 is in the past (today is 2026-12-12)");
    assert_int_equal(rg_portal_extend(&f.env, f.c.id, "F1", rg_date_from_ymd(2026, 12, 10), 7, f.now, &r, &e),
                     RG_EINVAL);
    assert_string_equal(e.msg, "2026-12-10 is not after the due date 2026-12-10");
    assert_int_equal(rg_portal_extend(&f.env, f.c.id, "F1", today + 2, 1, f.now, &r, &e), RG_EINVAL);
    assert_string_equal(e.msg, "the due date 2026-12-10 could be moved up to 2026-12-11, which has passed");
    assert_int_equal(rg_portal_extend(&f.env, f.c.id, "F1", today + 2, 0, f.now, &r, &e), RG_EINVAL);
    assert_string_equal(e.where, "portal.extend_max_days");
    assert_int_equal(rg_portal_extend(&f.env, f.c.id, "F3", today + 2, 7, f.now, &r, &e), RG_ENOTFOUND);
    assert_int_equal(rg_portal_extend(&f.env, f.c.id, "F2", today + 2, 7, f.now, &r, &e), RG_ECONFLICT);
    assert_int_equal(events_of(&f, f.inv.id).n, 0);

    /* the last day of the bound */
    rg_date to = rg_date_from_ymd(2026, 12, 17);
    assert_int_equal(rg_portal_extend(&f.env, f.c.id, "F1", to, 7, f.now, &r, &e), RG_OK);
    assert_int_equal(r.from, rg_date_from_ymd(2026, 12, 10));
    assert_int_equal(r.to, to);
    assert_int_equal(r.amount, 10000);
    assert_true(r.event_id > 0);
    seen s = events_of(&f, f.inv.id);
    assert_string_equal(s.text,
                        "invoice.extended portal {\"from\":\"2026-12-10\",\"to\":\"2026-12-17\",\"amount\":\"100.00\"}\n");
    rg_invoice now;
    assert_int_equal(rg_store_invoice_get(f.s, "F1", &now, &e), RG_OK);
    assert_int_equal(now.due_date, to);
    assert_int_equal(now.reissued_due_date, RG_DATE_NONE);
    /* the reissued boleto: the same bank and campo livre, the new date and the open balance */
    assert_string_equal(now.linha_digitavel, r.linha_digitavel);
    rg_boleto nb;
    assert_int_equal(rg_boleto_decode(now.barcode, strlen(now.barcode), today, &nb, &e), RG_OK);
    assert_int_equal(nb.due_date, to);
    assert_int_equal(nb.amount_cents, 10000);
    assert_string_equal(nb.campo_livre, "0000001238798777770016818");
    /* the reissued PIX: the same key and txid, the open balance */
    assert_string_equal(now.pix_code, r.pix_code);
    rg_pix px;
    assert_int_equal(rg_pix_parse(now.pix_code, strlen(now.pix_code), &px, &e), RG_OK);
    assert_string_equal(px.key, "maria@example.com");
    assert_string_equal(px.txid, "F1");
    assert_int_equal(px.amount_cents, 10000);
    rg_date from;
    assert_int_equal(rg_store_invoice_extended_from(f.s, f.inv.id, &from, &e), RG_OK);
    assert_int_equal(from, rg_date_from_ymd(2026, 12, 10));

    /* only once */
    assert_int_equal(rg_portal_extend(&f.env, f.c.id, "F1", to, 7, f.now, &r, &e), RG_ECONFLICT);
    assert_string_equal(e.where, "invoice F1");
    assert_string_equal(e.msg, "was extended before (from 2026-12-10 to 2026-12-17): only once");
    assert_int_equal(events_of(&f, f.inv.id).n, 1);

    /* the ERP's next export states the old due date again: the extension stays; a new date replaces it */
    rg_invoice again = now;
    again.due_date = rg_date_from_ymd(2026, 12, 10);
    assert_int_equal(rg_store_invoice_upsert(f.s, &again, RG_IF_DUE_DATE, f.now, &ur, &e), RG_OK);
    assert_int_equal(ur, RG_UPSERT_UNCHANGED);
    assert_int_equal(rg_store_invoice_get(f.s, "F1", &now, &e), RG_OK);
    assert_int_equal(now.due_date, to);
    again.due_date = rg_date_from_ymd(2026, 12, 20);
    assert_int_equal(rg_store_invoice_upsert(f.s, &again, RG_IF_DUE_DATE, f.now, &ur, &e), RG_OK);
    assert_int_equal(ur, RG_UPSERT_UPDATED);
    assert_int_equal(rg_store_invoice_get(f.s, "F1", &now, &e), RG_OK);
    assert_int_equal(now.due_date, rg_date_from_ymd(2026, 12, 20));
    teardown(&f);
}

/* ---- Como prefere ser avisado ---- */

static void test_channel(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    rg_err e;
    rg_optout_result r;
    bool out = false;

    assert_int_equal(rg_portal_channel(&f.env, f.c.id, "What App", true, f.now, &r, &e), RG_EINVAL);
    assert_string_equal(e.where, "channel");
    /* coming back to a channel never left: nothing */
    assert_int_equal(rg_portal_channel(&f.env, f.c.id, "whatsapp", false, f.now, &r, &e), RG_OK);
    assert_false(r.changed);
    assert_int_equal(r.event_id, 0);

    assert_int_equal(rg_portal_channel(&f.env, f.c.id, "whatsapp", true, f.now, &r, &e), RG_OK);
    assert_true(r.changed);
    assert_true(r.opted_out);
    assert_string_equal(r.optout.how, "portal");
    assert_int_equal(rg_store_optout_get(f.s, f.c.id, "whatsapp", &out, &e), RG_OK);
    assert_true(out);
    /* left twice: nothing more */
    assert_int_equal(rg_portal_channel(&f.env, f.c.id, "whatsapp", true, f.now, &r, &e), RG_OK);
    assert_false(r.changed);

    assert_int_equal(rg_portal_channel(&f.env, f.c.id, "whatsapp", false, at("2026-12-13T12:00:00Z"), &r, &e), RG_OK);
    assert_true(r.changed);
    assert_true(r.event_id > 0);
    assert_int_equal(rg_store_optout_get(f.s, f.c.id, "whatsapp", &out, &e), RG_OK);
    assert_false(out);
    teardown(&f);
}

static void test_preferred(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    rg_err e;
    bool changed = true;
    rg_customer c;
    assert_int_equal(rg_portal_preferred(&f.env, f.c.id, "pombo", f.now, &changed, &e), RG_EINVAL);
    assert_string_equal(e.where, "channel");
    assert_false(changed);
    assert_int_equal(rg_portal_preferred(&f.env, f.c.id, "whatsapp", f.now, &changed, &e), RG_OK);
    assert_true(changed);
    assert_int_equal(rg_store_customer_get_by_id(f.s, f.c.id, &c, &e), RG_OK);
    assert_string_equal(c.preferred_channel, "whatsapp");
    /* only that field changed */
    assert_string_equal(c.email, "maria@example.com");
    assert_int_equal(rg_portal_preferred(&f.env, f.c.id, "whatsapp", f.now, &changed, &e), RG_OK);
    assert_false(changed);
    assert_int_equal(rg_portal_preferred(&f.env, f.c.id, "", f.now, &changed, &e), RG_OK);
    assert_true(changed);
    assert_int_equal(rg_store_customer_get_by_id(f.s, f.c.id, &c, &e), RG_OK);
    assert_string_equal(c.preferred_channel, "");
    teardown(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_promise),
        cmocka_unit_test(test_offer_accept),
        cmocka_unit_test(test_dispute),
        cmocka_unit_test(test_extend),
        cmocka_unit_test(test_channel),
        cmocka_unit_test(test_preferred),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
