/* The pure planner's agenda: the instant it says to plan an invoice again
 * (rg_plan.agenda_at), once its plan is carried out. */
#include "test.h"

#include <stdlib.h>

#include "base/tz.h"
#include "cadence/cadence.h"
#include "engine/planner.h"

/* Due on Thursday 2026-10-22 (no holiday around): D-3 Monday 10-19, D0
 * 10-22, D+5 Tuesday 10-27, D+10 Sunday 11-01. 09:00 in Sao Paulo is 12:00Z. */
static const char *CADENCE = "cadence: t\n"
                             "match: {priority: 1}\n"
                             "window: {weekdays: \"09:00-18:00\", saturday: closed, sunday: closed, holidays: closed}\n"
                             "steps:\n"
                             "  - {id: lembrete, at: D-3, send: {channels: [email], template: x}}\n"
                             "  - {id: hoje, at: D0, send: {channels: [email], template: x}}\n"
                             "  - {id: aviso, at: D+5, send: {channels: [letter], template: x}}\n"
                             "  - {id: negativar, at: D+10, action: bureau_listing, requires_notice: aviso}\n";

typedef struct fx {
    rg_cadence *c;
    rg_tz *tz;
    rg_invoice inv;
    rg_progress prog;
} fx;

static rg_instant at(const char *iso)
{
    rg_instant t;
    assert_true(rg_instant_parse(iso, strlen(iso), &t));
    return t;
}

static void setup(fx *f)
{
    memset(f, 0, sizeof *f);
    assert_int_equal(rg_cadence_parse(CADENCE, strlen(CADENCE), "t.yaml", RG_CADENCE_YAML, NULL, &f->c), RG_OK);
    rg_err e;
    assert_int_equal(rg_tz_load("America/Sao_Paulo", &f->tz, &e), RG_OK);
    rg_invoice_init(&f->inv);
    rg_strlcpy(f->inv.external_id, "F1", sizeof f->inv.external_id);
    f->inv.amount = 10000;
    f->inv.due_date = rg_date_from_ymd(2026, 10, 22);
    rg_progress_parse(NULL, &f->prog);
}

static void teardown(fx *f)
{
    rg_cadence_free(f->c);
    rg_tz_free(f->tz);
}

static rg_plan plan_at(fx *f, const char *now)
{
    rg_plan_input in;
    rg_plan_input_init(&in);
    in.cadence = f->c;
    in.invoice = &f->inv;
    in.progress = &f->prog;
    in.tz = f->tz;
    in.now = at(now);
    rg_plan p;
    rg_plan_invoice(&in, &p);
    return p;
}

static void done(fx *f, const char *step, char state, const char *when)
{
    assert_true(rg_progress_set(&f->prog, step, state, at(when)));
}

/* Nothing due: the first opening of the next step's day. */
static void test_idle_waits_for_the_next_step(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    rg_plan p = plan_at(&f, "2026-10-10T12:00:00Z");
    assert_int_equal(p.kind, RG_PLAN_IDLE);
    assert_int_equal(p.agenda_at, at("2026-10-19T12:00:00Z"));
    assert_int_equal(p.agenda_at, p.next_due_at);
    /* at that very instant it fires, and points at D0 */
    p = plan_at(&f, "2026-10-19T12:00:00Z");
    assert_int_equal(p.kind, RG_PLAN_FIRE);
    assert_string_equal(f.c->steps[p.fire].id, "lembrete");
    assert_int_equal(p.agenda_at, at("2026-10-22T12:00:00Z"));
    teardown(&f);
}

/* A step due while the window is closed: the next opening. */
static void test_closed_window_waits_for_the_opening(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    rg_plan p = plan_at(&f, "2026-10-19T22:00:00Z"); /* 19:00 in Sao Paulo */
    assert_int_equal(p.kind, RG_PLAN_IDLE);
    assert_int_equal(p.agenda_at, at("2026-10-20T12:00:00Z"));
    /* Friday evening: Monday's opening */
    done(&f, "lembrete", RG_STEP_DONE, "2026-10-19T12:00:00Z");
    p = plan_at(&f, "2026-10-23T22:00:00Z");
    assert_int_equal(p.kind, RG_PLAN_IDLE);
    assert_int_equal(p.agenda_at, at("2026-10-26T12:00:00Z"));
    teardown(&f);
}

/* After downtime the latest due step fires; the next instant is the first
 * step still pending, not one of the superseded ones. */
static void test_after_downtime(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    rg_plan p = plan_at(&f, "2026-10-22T15:00:00Z");
    assert_int_equal(p.kind, RG_PLAN_FIRE);
    assert_string_equal(f.c->steps[p.fire].id, "hoje");
    assert_int_equal(p.n_skipped, 1);
    assert_int_equal(p.agenda_at, at("2026-10-27T12:00:00Z"));
    /* a day later D0 has left its phase: both are superseded, nothing
     * fires, and the next look is still D+5 */
    p = plan_at(&f, "2026-10-23T13:00:00Z");
    assert_int_equal(p.kind, RG_PLAN_IDLE);
    assert_int_equal(p.n_skipped, 2);
    assert_int_equal(p.agenda_at, at("2026-10-27T12:00:00Z"));
    teardown(&f);
}

/* The notice fires now: its listing counts 10 days from now (Friday 11-06),
 * and the listing's own day (Sunday 11-01, local midnight) is looked at too,
 * in case the notice could not go out. */
static void test_notice_fired_now_schedules_the_listing(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    done(&f, "lembrete", RG_STEP_DONE, "2026-10-19T12:00:00Z");
    done(&f, "hoje", RG_STEP_DONE, "2026-10-22T12:00:00Z");
    rg_plan p = plan_at(&f, "2026-10-27T12:00:00Z");
    assert_int_equal(p.kind, RG_PLAN_FIRE);
    assert_string_equal(f.c->steps[p.fire].id, "aviso");
    assert_int_equal(p.agenda_at, at("2026-11-01T03:00:00Z"));
    /* the notice went out: the listing waits for its 10 days */
    done(&f, "aviso", RG_STEP_DONE, "2026-10-27T12:00:00Z");
    p = plan_at(&f, "2026-11-01T03:00:00Z");
    assert_int_equal(p.kind, RG_PLAN_IDLE);
    assert_int_equal(p.agenda_at, at("2026-11-06T12:00:00Z"));
    p = plan_at(&f, "2026-11-06T12:00:00Z");
    assert_int_equal(p.kind, RG_PLAN_FIRE);
    assert_string_equal(f.c->steps[p.fire].id, "negativar");
    assert_int_equal(p.agenda_at, RG_INSTANT_NONE); /* nothing left */
    teardown(&f);
}

/* A notice that found no channel: the listing is given up on its day. */
static void test_listing_without_notice_is_given_up_on_its_day(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    done(&f, "lembrete", RG_STEP_DONE, "2026-10-19T12:00:00Z");
    done(&f, "hoje", RG_STEP_DONE, "2026-10-22T12:00:00Z");
    done(&f, "aviso", RG_STEP_SUPPRESSED, "2026-10-27T12:00:00Z");
    rg_plan p = plan_at(&f, "2026-10-28T12:00:00Z");
    assert_int_equal(p.kind, RG_PLAN_IDLE);
    assert_int_equal(p.n_skipped, 0);
    assert_int_equal(p.agenda_at, at("2026-11-01T03:00:00Z"));
    p = plan_at(&f, "2026-11-01T03:00:00Z");
    assert_int_equal(p.kind, RG_PLAN_IDLE);
    assert_int_equal(p.n_skipped, 1);
    assert_int_equal(p.skipped_state[0], RG_STEP_NO_NOTICE);
    assert_int_equal(p.agenda_at, RG_INSTANT_NONE);
    teardown(&f);
}

/* Paid, or five years past due: nothing will happen by itself. */
static void test_closed_and_prescribed_have_no_instant(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    f.inv.status = RG_INV_PAID;
    f.inv.paid = f.inv.amount;
    rg_plan p = plan_at(&f, "2026-10-10T12:00:00Z");
    assert_int_equal(p.kind, RG_PLAN_CLOSED);
    assert_int_equal(p.agenda_at, RG_INSTANT_NONE);
    f.inv.status = RG_INV_OPEN;
    f.inv.paid = 0;
    p = plan_at(&f, "2031-10-23T12:00:00Z");
    assert_int_equal(p.kind, RG_PLAN_PRESCRIBED);
    assert_int_equal(p.agenda_at, RG_INSTANT_NONE);
    teardown(&f);
}

/* Holds: a held due step neither fires nor is skipped; a promise's
 * deadline is in the agenda and, once come, the promise is reported broken
 * and its hold no longer holds: the latest due step fires, earlier ones are
 * superseded. */
static void test_holds_and_promise_deadline(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    rg_plan_promise pv[1] = {{7, at("2026-10-24T03:00:00Z")}};
    rg_plan_hold hv[1] = {{-1, 0}}; /* every step, while promise 7 is pending */
    rg_plan_input in;
    rg_plan_input_init(&in);
    in.cadence = f.c;
    in.invoice = &f.inv;
    in.progress = &f.prog;
    in.tz = f.tz;
    in.holds = hv;
    in.n_holds = 1;
    in.promises = pv;
    in.n_promises = 1;
    /* D0 (10-22), lembrete and hoje due: both held */
    in.now = at("2026-10-22T13:00:00Z");
    rg_plan p;
    rg_plan_invoice(&in, &p);
    assert_int_equal(p.kind, RG_PLAN_IDLE);
    assert_int_equal(p.n_skipped, 0);
    assert_int_equal(p.n_held, 2);
    assert_int_equal(p.n_broken, 0);
    assert_int_equal(p.agenda_at, at("2026-10-24T03:00:00Z")); /* the deadline, before aviso's day */
    assert_true(rg_plan_step_held(&in, 1));
    /* Monday 10-26 (after the deadline): broken; hoje fires, lembrete superseded */
    in.now = at("2026-10-26T13:00:00Z");
    rg_plan_invoice(&in, &p);
    assert_int_equal(p.n_broken, 1);
    assert_int_equal(p.broken[0], 0);
    assert_int_equal(p.n_held, 0);
    assert_false(rg_plan_step_held(&in, 1));
    assert_int_equal(p.kind, RG_PLAN_IDLE); /* hoje left its phase: superseded too */
    assert_int_equal(p.n_skipped, 2);
    /* a hold on one step until released: the other fires, the held one is not superseded */
    hv[0] = (rg_plan_hold){0, -1};
    in.n_promises = 0;
    in.now = at("2026-10-22T13:00:00Z");
    rg_plan_invoice(&in, &p);
    assert_int_equal(p.kind, RG_PLAN_FIRE);
    assert_string_equal(f.c->steps[p.fire].id, "hoje");
    assert_int_equal(p.n_skipped, 0);
    assert_int_equal(p.n_held, 1);
    teardown(&f);
}

/* The progress text: the start, then each step; only a done step keeps its instant. */
static void test_progress_format(void **state)
{
    (void)state;
    rg_progress p;
    rg_progress_parse(NULL, &p);
    p.since = 1763380800;
    assert_true(rg_progress_set(&p, "d-5", RG_STEP_DONE, 1763035200));
    assert_true(rg_progress_set(&p, "d0", RG_STEP_SUPERSEDED, 1763380800));
    assert_true(rg_progress_set(&p, "old", RG_STEP_DONE, -86401));
    assert_true(rg_progress_set(&p, "zero", RG_STEP_DONE, 0));
    rg_buf b = RG_BUF_INIT;
    rg_progress_format(&p, &b);
    char want[160];
    snprintf(want, sizeof want, "@1763380800;d-5=%c@1763035200;d0=%c;old=%c@-86401;zero=%c@0", RG_STEP_DONE,
             RG_STEP_SUPERSEDED, RG_STEP_DONE, RG_STEP_DONE);
    assert_string_equal(rg_buf_cstr(&b), want);
    rg_progress q;
    rg_progress_parse(rg_buf_cstr(&b), &q);
    assert_int_equal(q.since, 1763380800);
    assert_int_equal(q.n, 4);
    assert_int_equal(rg_progress_find(&q, "old")->at, -86401);
    rg_buf_reset(&b);
    p.since = INT64_MIN + 1;
    p.n = 0;
    rg_progress_format(&p, &b);
    assert_string_equal(rg_buf_cstr(&b), "@-9223372036854775807");
    rg_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_holds_and_promise_deadline),
        cmocka_unit_test(test_progress_format),
        cmocka_unit_test(test_idle_waits_for_the_next_step),
        cmocka_unit_test(test_closed_window_waits_for_the_opening),
        cmocka_unit_test(test_after_downtime),
        cmocka_unit_test(test_notice_fired_now_schedules_the_listing),
        cmocka_unit_test(test_listing_without_notice_is_given_up_on_its_day),
        cmocka_unit_test(test_closed_and_prescribed_have_no_instant),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
