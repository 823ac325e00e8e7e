/* The event service (service/events): the type table, and recording —
 * one function for every event, whoever reports it. */
#include "test.h"

#include <stdlib.h>

#include "base/buf.h"
#include "cadence/load.h"
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

/* ---- timers: started and cancelled by recording ---- */

static const char CADENCE[] =
    "cadence: t\n"
    "match: {}\n"
    "steps:\n"
    "  - {id: hoje, at: D0, send: {channels: [email], template: x}}\n"
    "triggers:\n"
    "  - {id: portal, on: portal.visited, wait: 3h, unless: [boleto.downloaded, payment.received],\n"
    "     send: {channels: [whatsapp], template: oferta}}\n"
    "  - {id: abriu, on: email.opened, wait: 48h, unless: [message.replied],\n"
    "     send: {channels: [sms], template: outro}}\n";

typedef struct tfx {
    fx f;
    rg_cadence *c;
    rg_cadence *items[1];
    rg_cadence_set set;
    rg_calendar *cal;
    rg_triggers tr;
    rg_invoice inv2;
} tfx;

static void tsetup(tfx *t)
{
    setup(&t->f);
    rg_diags d = RG_DIAGS_INIT;
    assert_int_equal(rg_cadence_parse(CADENCE, strlen(CADENCE), "t.yaml", RG_CADENCE_YAML, &d, &t->c), RG_OK);
    assert_int_equal(rg_diags_count(&d, 0, RG_SEV_ERROR), 0);
    rg_diags_free(&d);
    t->items[0] = t->c;
    t->set = (rg_cadence_set){t->items, 1};
    t->cal = rg_calendar_new();
    t->tr = (rg_triggers){&t->set, t->cal, NULL};
    t->f.env.triggers = &t->tr;
    rg_err e;
    rg_upsert_result ur;
    rg_invoice_init(&t->inv2);
    rg_strlcpy(t->inv2.external_id, "F2", sizeof t->inv2.external_id);
    t->inv2.customer_id = t->f.c.id;
    t->inv2.amount = 5000;
    t->inv2.due_date = rg_date_from_ymd(2026, 12, 10);
    assert_int_equal(rg_store_invoice_upsert(t->f.s, &t->inv2, RG_IF_ALL, at("2026-12-01T12:00:00Z"), &ur, &e), RG_OK);
}

static void tteardown(tfx *t)
{
    rg_store_close(t->f.s);
    rg_cadence_free(t->c);
    rg_calendar_free(t->cal);
}

typedef struct tlist {
    rg_timer v[16];
    size_t n;
} tlist;

static rg_status keep_t(void *p, const rg_timer *t)
{
    tlist *l = p;
    if (l->n < 16)
        l->v[l->n++] = *t;
    return RG_OK;
}

static tlist all_timers(tfx *t)
{
    tlist l;
    memset(&l, 0, sizeof l);
    rg_err e;
    assert_int_equal(rg_store_timer_due(t->f.s, INT64_MAX - 1, 0, 0, keep_t, &l, &e), RG_OK);
    return l;
}

static rg_event_out rec(tfx *t, rg_event_type type, int64_t invoice_id, const char *when)
{
    rg_err e;
    rg_err_clear(&e);
    rg_event_in ev = {type, at(when), "cli", t->f.c.id, invoice_id, 0, NULL};
    rg_event_out out;
    assert_int_equal(rg_event_record(&t->f.env, &ev, &out, &e), RG_OK);
    return out;
}

/* An event starts the timers of the triggers waiting on its type: one per
 * trigger, at + wait; about the customer as a whole, one per cadence. Its
 * moment joins the agenda. */
static void test_timers_start(void **state)
{
    (void)state;
    tfx t;
    tsetup(&t);
    rg_err e;
    rg_instant next;
    /* the tick planned the invoices: their instants are later than the timer */
    assert_int_equal(rg_store_progress_put(t.f.s, t.f.inv.id, "t", t.c->version, "", at("2026-12-01T12:00:00Z"), &e),
                     RG_OK);
    rg_event_out o = rec(&t, RG_EV_PORTAL_VISITED, 0, "2026-12-11T13:00:00Z");
    assert_int_equal(o.timers_started, 1);
    tlist l = all_timers(&t);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].cadence, "t");
    assert_string_equal(l.v[0].trigger_id, "portal");
    assert_int_equal(l.v[0].invoice_id, 0);
    assert_int_equal(l.v[0].event_id, o.event_id);
    assert_int_equal(l.v[0].fire_at, at("2026-12-11T16:00:00Z"));
    assert_int_equal(rg_store_invoice_agenda(t.f.s, t.f.inv.id, &next, &e), RG_OK);
    assert_true(next <= at("2026-12-11T16:00:00Z"));
    /* about an invoice: that invoice's timer */
    o = rec(&t, RG_EV_EMAIL_OPENED, t.f.inv.id, "2026-12-11T13:00:00Z");
    assert_int_equal(o.timers_started, 1);
    l = all_timers(&t);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.v[1].invoice_id, t.f.inv.id);
    assert_int_equal(l.v[1].fire_at, at("2026-12-13T13:00:00Z"));
    /* no trigger waits on this type */
    o = rec(&t, RG_EV_LINK_CLICKED, t.f.inv.id, "2026-12-11T13:00:00Z");
    assert_int_equal(o.timers_started, 0);
    /* a paid invoice sets nothing off */
    assert_int_equal(rg_store_invoice_set_paid(t.f.s, t.inv2.id, 5000, RG_INV_PAID, rg_date_from_ymd(2026, 12, 11),
                                               at("2026-12-11T13:00:00Z"), &e),
                     RG_OK);
    o = rec(&t, RG_EV_EMAIL_OPENED, t.inv2.id, "2026-12-11T13:00:00Z");
    assert_int_equal(o.timers_started, 0);
    /* nothing listens without cadences */
    t.f.env.triggers = NULL;
    o = rec(&t, RG_EV_EMAIL_OPENED, t.f.inv.id, "2026-12-11T14:00:00Z");
    assert_int_equal(o.timers_started, 0);
    assert_int_equal(all_timers(&t).n, 2);
    tteardown(&t);
}

/* An `unless` event cancels the waiting timers of the same invoice (or of
 * the customer) that it happened between the start and the fire time of,
 * with the reason; others stay. */
static void test_timers_unless(void **state)
{
    (void)state;
    tfx t;
    tsetup(&t);
    rec(&t, RG_EV_PORTAL_VISITED, 0, "2026-12-11T13:00:00Z");            /* customer: timer 1 */
    rec(&t, RG_EV_EMAIL_OPENED, t.f.inv.id, "2026-12-11T13:00:00Z");     /* F1: timer 2 */
    /* another invoice's reply, one before the start, one after the fire time: no */
    assert_int_equal(rec(&t, RG_EV_MESSAGE_REPLIED, t.inv2.id, "2026-12-11T14:00:00Z").timers_cancelled, 0);
    assert_int_equal(rec(&t, RG_EV_MESSAGE_REPLIED, t.f.inv.id, "2026-12-11T12:00:00Z").timers_cancelled, 0);
    assert_int_equal(rec(&t, RG_EV_MESSAGE_REPLIED, t.f.inv.id, "2026-12-13T13:00:00Z").timers_cancelled, 0);
    /* a type the trigger does not name: no */
    assert_int_equal(rec(&t, RG_EV_PIX_COPIED, t.f.inv.id, "2026-12-11T14:00:00Z").timers_cancelled, 0);
    tlist l = all_timers(&t);
    assert_int_equal(l.n, 2);
    /* the customer's timer is cancelled by any of its invoices' downloads */
    rg_event_out o = rec(&t, RG_EV_BOLETO_DOWNLOADED, t.inv2.id, "2026-12-11T14:00:00Z");
    assert_int_equal(o.timers_cancelled, 1);
    /* the invoice's timer by a reply about the customer as a whole */
    o = rec(&t, RG_EV_MESSAGE_REPLIED, 0, "2026-12-12T10:00:00Z");
    assert_int_equal(o.timers_cancelled, 1);
    assert_int_equal(all_timers(&t).n, 0);
    tlist w;
    memset(&w, 0, sizeof w);
    rg_err e;
    assert_int_equal(rg_store_timer_each_for_invoice(t.f.s, t.f.inv.id, keep_t, &w, &e), RG_OK);
    assert_int_equal(w.n, 1);
    assert_string_equal(w.v[0].status, "cancelled");
    assert_int_equal(w.v[0].done_at, at("2026-12-12T10:00:00Z"));
    char want[128];
    snprintf(want, sizeof want, "cancelled: message.replied (event %lld at 2026-12-12T10:00:00Z) came first",
             (long long)o.event_id);
    assert_string_equal(w.v[0].reason, want);
    tteardown(&t);
}

/* The timers an `unless` type may cancel are read trigger by trigger when
 * few triggers name it, all at once beyond four: either way exactly those
 * triggers' timers are cancelled, and the other triggers' stay. */
static const char MANY_UNLESS[] =
    "cadence: m\n"
    "match: {}\n"
    "steps:\n"
    "  - {id: hoje, at: D0, send: {channels: [email], template: x}}\n"
    "triggers:\n"
    "  - {id: a1, on: portal.visited, wait: 3h, unless: [boleto.downloaded, pix.copied], send: {channels: [sms], template: o}}\n"
    "  - {id: a2, on: portal.visited, wait: 3h, unless: [boleto.downloaded, pix.copied], send: {channels: [sms], template: o}}\n"
    "  - {id: a3, on: portal.visited, wait: 3h, unless: [boleto.downloaded], send: {channels: [sms], template: o}}\n"
    "  - {id: a4, on: portal.visited, wait: 3h, unless: [boleto.downloaded], send: {channels: [sms], template: o}}\n"
    "  - {id: a5, on: portal.visited, wait: 3h, unless: [boleto.downloaded], send: {channels: [sms], template: o}}\n"
    "  - {id: keep, on: portal.visited, wait: 3h, unless: [message.replied], send: {channels: [sms], template: o}}\n";

static void test_timers_unless_many(void **state)
{
    (void)state;
    tfx t;
    tsetup(&t);
    rg_cadence *m;
    rg_diags d = RG_DIAGS_INIT;
    assert_int_equal(rg_cadence_parse(MANY_UNLESS, strlen(MANY_UNLESS), "m.yaml", RG_CADENCE_YAML, &d, &m), RG_OK);
    assert_int_equal(rg_diags_count(&d, 0, RG_SEV_ERROR), 0);
    rg_diags_free(&d);
    t.items[0] = m;
    /* the customer's six timers, and twice over: an earlier visit's too */
    assert_int_equal(rec(&t, RG_EV_PORTAL_VISITED, 0, "2026-12-11T13:00:00Z").timers_started, 6);
    assert_int_equal(rec(&t, RG_EV_PORTAL_VISITED, 0, "2026-12-11T13:30:00Z").timers_started, 6);
    /* two triggers name pix.copied: read one by one */
    assert_int_equal(rec(&t, RG_EV_PIX_COPIED, 0, "2026-12-11T14:00:00Z").timers_cancelled, 4);
    /* five name boleto.downloaded: read all at once; a1 and a2's are done already */
    assert_int_equal(rec(&t, RG_EV_BOLETO_DOWNLOADED, 0, "2026-12-11T14:10:00Z").timers_cancelled, 6);
    tlist l = all_timers(&t);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0].trigger_id, "keep");
    assert_string_equal(l.v[1].trigger_id, "keep");
    t.items[0] = t.c;
    rg_cadence_free(m);
    tteardown(&t);
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

/* rg_event_submit_many: one transaction, all or nothing; the refused
 * event is named. */
static void test_submit_many(void **state)
{
    (void)state;
    tfx t;
    tsetup(&t);
    rg_err e;
    rg_err_clear(&e);
    rg_event_request rq[3] = {
        {"portal.visited", "F1", NULL, at("2026-12-11T13:00:00Z"), NULL, "api", at("2026-12-11T13:00:00Z")},
        {"email.opened", "F2", NULL, at("2026-12-11T13:00:00Z"), NULL, "api", at("2026-12-11T13:00:00Z")},
        {"email.opened", "F9", NULL, at("2026-12-11T13:00:00Z"), NULL, "api", at("2026-12-11T13:00:00Z")},
    };
    rg_event_result out[3];
    size_t refused = 0;
    assert_int_equal(rg_event_submit_many(&t.f.env, rq, 3, out, &refused, &e), RG_ENOTFOUND);
    assert_int_equal(refused, 2);
    assert_string_equal(e.where, "invoice");
    assert_int_equal(all_timers(&t).n, 0);
    seen s;
    memset(&s, 0, sizeof s);
    assert_int_equal(rg_store_event_each_for_invoice(t.f.s, t.f.inv.id, keep, &s, &e), RG_OK);
    assert_int_equal(s.n, 0);
    assert_int_equal(rg_event_submit_many(&t.f.env, rq, 2, out, NULL, &e), RG_OK);
    assert_int_equal(out[0].event.timers_started, 1);
    assert_int_equal(out[1].event.timers_started, 1);
    assert_int_equal(out[1].invoice_id, t.inv2.id);
    assert_int_equal(all_timers(&t).n, 2);
    tteardown(&t);
}

/* rg_event_submit_each: one transaction, each event on its own — the
 * refused ones (unknown invoice, a type regua records) leave nothing, the
 * others are recorded with their timers, and each says how it went. */
static void test_submit_each(void **state)
{
    (void)state;
    tfx t;
    tsetup(&t);
    rg_err e;
    rg_err_clear(&e);
    rg_event_request rq[4] = {
        {"portal.visited", "F1", NULL, at("2026-12-11T13:00:00Z"), NULL, "api", at("2026-12-11T13:00:00Z")},
        {"email.opened", "F9", NULL, at("2026-12-11T13:00:00Z"), NULL, "api", at("2026-12-11T13:00:00Z")},
        {"promise.broken", "F1", NULL, at("2026-12-11T13:00:00Z"), NULL, "api", at("2026-12-11T13:00:00Z")},
        {"email.opened", "F2", NULL, at("2026-12-11T13:00:00Z"), NULL, "api", at("2026-12-11T13:00:00Z")},
    };
    rg_event_result out[4];
    rg_status rc[4];
    rg_err err[4];
    assert_int_equal(rg_event_submit_each(&t.f.env, rq, 4, out, rc, err, &e), RG_OK);
    assert_int_equal(rc[0], RG_OK);
    assert_int_equal(rc[1], RG_ENOTFOUND);
    assert_string_equal(err[1].where, "invoice");
    assert_int_equal(rc[2], RG_EINVAL);
    assert_string_equal(err[2].where, "type");
    assert_int_equal(rc[3], RG_OK);
    assert_int_equal(out[0].event.timers_started, 1);
    assert_int_equal(out[3].event.timers_started, 1);
    assert_int_equal(out[3].invoice_id, t.inv2.id);
    assert_int_equal(all_timers(&t).n, 2);
    seen s;
    memset(&s, 0, sizeof s);
    assert_int_equal(rg_store_event_each_for_invoice(t.f.s, t.f.inv.id, keep, &s, &e), RG_OK);
    assert_int_equal(s.n, 1); /* portal.visited; not the refused promise.broken */

    /* an event refused after it wrote (the opt-out stored, then its event's
     * source found too long): the group is done again, each event under a
     * savepoint — nothing of it stays, the others are recorded */
    static const char *const long_source = "a-source-that-is-far-too-long-to-keep";
    rg_event_request rq2[3] = {
        {"email.opened", "F1", NULL, at("2026-12-11T13:10:00Z"), NULL, "api", at("2026-12-11T13:10:00Z")},
        {"optout", NULL, "C1", at("2026-12-11T13:10:00Z"), "{\"channel\": \"email\"}", long_source,
         at("2026-12-11T13:10:00Z")},
        {"email.opened", "F2", NULL, at("2026-12-11T13:10:00Z"), NULL, "api", at("2026-12-11T13:10:00Z")},
    };
    int64_t writes = rg_store_writes(t.f.s);
    assert_int_equal(rg_event_submit_each(&t.f.env, rq2, 3, out, rc, err, &e), RG_OK);
    assert_true(rg_store_writes(t.f.s) > writes);
    assert_int_equal(rc[0], RG_OK);
    assert_int_equal(rc[1], RG_EINVAL);
    assert_int_equal(rc[2], RG_OK);
    assert_int_equal(out[0].event.timers_started, 1);
    assert_int_equal(out[2].event.timers_started, 1);
    assert_int_equal(all_timers(&t).n, 4);
    bool opted = true;
    assert_int_equal(rg_store_optout_get(t.f.s, t.f.c.id, "email", &opted, &e), RG_OK);
    assert_false(opted);
    /* the store failing fails them all: inside a transaction already, BEGIN fails */
    assert_int_equal(rg_store_begin(t.f.s, &e), RG_OK);
    assert_int_not_equal(rg_event_submit_each(&t.f.env, rq, 1, out, rc, err, &e), RG_OK);
    assert_int_not_equal(rc[0], RG_OK);
    rg_store_rollback(t.f.s);
    tteardown(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type_table),
        cmocka_unit_test(test_record),
        cmocka_unit_test(test_timers_start),
        cmocka_unit_test(test_timers_unless),
        cmocka_unit_test(test_timers_unless_many),
        cmocka_unit_test(test_submit_many),
        cmocka_unit_test(test_submit_each),
        cmocka_unit_test(test_record_scrubs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
