/* The agenda's store side: each writer that can change an invoice's plan
 * wakes it (moves its instant to "the next tick") in its own transaction —
 * import, payments, opt-outs, promises — and the tick's write of a new
 * instant never overwrites a wake it did not see. */
#include "test.h"

#include <stdlib.h>

#include "base/buf.h"
#include "service/import.h"
#include "service/inbound.h"
#include "service/payments.h"
#include "service/tasks.h"
#include "store/store.h"

static rg_instant at(const char *iso)
{
    rg_instant t;
    assert_true(rg_instant_parse(iso, strlen(iso), &t));
    return t;
}

/* A later instant than anything the tests wake to. */
#define LATER ((rg_instant)1800000000)

typedef struct fx {
    rg_store *s;
    rg_event_env env; /* no cadence installed: nothing listens to the events */
} fx;

static void import(fx *f, rg_import_kind kind, const char *csv)
{
    rg_import_report r;
    rg_err e;
    rg_status rc = rg_import_csv_buffer(&f->env, kind, "t.csv", csv, strlen(csv),
                                        rg_test_import_options(false, at("2026-10-01T12:00:00Z")), &r, &e);
    if (rc != RG_OK)
        fprintf(stderr, "%s", rg_buf_cstr(&r.text));
    assert_int_equal(rc, RG_OK);
    rg_import_report_free(&r);
}

static int64_t invoice_id(fx *f, const char *ext)
{
    rg_invoice inv;
    rg_err e;
    assert_int_equal(rg_store_invoice_get(f->s, ext, &inv, &e), RG_OK);
    return inv.id;
}

static rg_instant agenda(fx *f, const char *ext)
{
    rg_instant t;
    rg_err e;
    assert_int_equal(rg_store_invoice_agenda(f->s, invoice_id(f, ext), &t, &e), RG_OK);
    return t;
}

/* What a tick does once it planned an invoice: the new instant, written
 * only while the wakes counter is the one it read. */
static void tick_writes(fx *f, const char *ext, rg_instant next_at, int64_t wakes)
{
    rg_progress_write w = {invoice_id(f, ext), NULL, NULL, NULL, next_at, wakes};
    rg_err e;
    assert_int_equal(rg_store_progress_put_many(f->s, &w, 1, &e), RG_OK);
}

/* The wakes counter as a tick reads it. */
typedef struct one_row {
    int64_t id;
    int64_t wakes;
} one_row;

static rg_status grab(void *p, const rg_tick_row *r)
{
    one_row *o = p;
    if (r->invoice.id == o->id)
        o->wakes = r->agenda_wakes;
    return RG_OK;
}

static int64_t wakes_of(fx *f, const char *ext)
{
    rg_invoice inv;
    rg_err e;
    assert_int_equal(rg_store_invoice_get(f->s, ext, &inv, &e), RG_OK);
    one_row o = {inv.id, -1};
    assert_int_equal(rg_store_tick_customers(f->s, RG_INSTANT_NONE, RG_DATE_NONE, &inv.customer_id, 1, grab, &o, &e),
                     RG_OK);
    return o.wakes;
}

/* Every open invoice planned for LATER, as after a tick. */
static void all_planned(fx *f)
{
    const char *ids[] = {"F1", "F2", "F3"};
    for (size_t i = 0; i < 3; i++)
        tick_writes(f, ids[i], LATER, wakes_of(f, ids[i]));
}

static void setup(fx *f)
{
    rg_err e;
    assert_int_equal(rg_store_open(":memory:", &f->s, &e), RG_OK);
    f->env = (rg_event_env){f->s, rg_test_zones(), NULL};
    import(f, RG_IMPORT_CUSTOMERS, "external_id,name,email,phone\n"
                                   "C1,Ana,ana@x.com.br,(11) 98765-4321\nC2,Bia,bia@x.com.br,\n");
    import(f, RG_IMPORT_INVOICES, "external_id,customer_external_id,amount,due_date\n"
                                  "F1,C1,100.00,2026-10-20\nF2,C1,50.00,2026-11-20\nF3,C2,70.00,2026-10-20\n");
}

static void teardown(fx *f)
{
    rg_store_close(f->s);
}

/* A new invoice is planned by the next tick; the tick's write moves it;
 * a wake moves it back, never later. */
static void test_new_invoice_and_wakes(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    rg_err e;
    assert_int_equal(agenda(&f, "F1"), RG_WAKE_NOW);
    all_planned(&f);
    assert_int_equal(agenda(&f, "F1"), LATER);
    /* a wake at a later instant than the stored one changes nothing */
    assert_int_equal(rg_store_invoice_wake(f.s, invoice_id(&f, "F1"), LATER + 100, &e), RG_OK);
    assert_int_equal(agenda(&f, "F1"), LATER);
    assert_int_equal(rg_store_invoice_wake(f.s, invoice_id(&f, "F1"), LATER - 100, &e), RG_OK);
    assert_int_equal(agenda(&f, "F1"), LATER - 100);
    assert_int_equal(rg_store_invoice_wake(f.s, invoice_id(&f, "F1"), RG_WAKE_NOW, &e), RG_OK);
    assert_int_equal(agenda(&f, "F1"), RG_WAKE_NOW);
    /* nothing planned (NULL) is woken too */
    tick_writes(&f, "F2", RG_INSTANT_NONE, wakes_of(&f, "F2"));
    assert_int_equal(agenda(&f, "F2"), RG_INSTANT_NONE);
    assert_int_equal(rg_store_invoice_wake(f.s, invoice_id(&f, "F2"), LATER, &e), RG_OK);
    assert_int_equal(agenda(&f, "F2"), LATER);
    /* the customer's: only its open invoices */
    all_planned(&f);
    assert_int_equal(rg_store_customer_wake(f.s, 1, RG_WAKE_NOW, &e), RG_OK);
    assert_int_equal(agenda(&f, "F1"), RG_WAKE_NOW);
    assert_int_equal(agenda(&f, "F2"), RG_WAKE_NOW);
    assert_int_equal(agenda(&f, "F3"), LATER);
    teardown(&f);
}

/* A tick that read the invoice before a wake does not overwrite the wake. */
static void test_tick_does_not_overwrite_a_wake(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    rg_err e;
    int64_t read = wakes_of(&f, "F1");                 /* the tick reads the row ... */
    assert_int_equal(rg_store_invoice_wake(f.s, invoice_id(&f, "F1"), RG_WAKE_NOW, &e), RG_OK); /* ... a payment wakes it ... */
    tick_writes(&f, "F1", LATER, read);                /* ... the tick writes what it planned */
    assert_int_equal(agenda(&f, "F1"), RG_WAKE_NOW);   /* the wake stays: the next tick plans it again */
    tick_writes(&f, "F1", LATER, wakes_of(&f, "F1"));
    assert_int_equal(agenda(&f, "F1"), LATER);
    teardown(&f);
}

/* Import: a changed invoice is woken, an unchanged one is not; a changed
 * customer wakes all its open invoices. */
static void test_import_wakes(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    all_planned(&f);
    import(&f, RG_IMPORT_INVOICES, "external_id,customer_external_id,amount,due_date\n"
                                   "F1,C1,100.00,2026-10-20\nF2,C1,50.00,2026-11-27\n");
    assert_int_equal(agenda(&f, "F1"), LATER);
    assert_int_equal(agenda(&f, "F2"), RG_WAKE_NOW);
    all_planned(&f);
    import(&f, RG_IMPORT_CUSTOMERS, "external_id,name,email,timezone\nC1,Ana,ana@x.com.br,America/Manaus\n");
    assert_int_equal(agenda(&f, "F1"), RG_WAKE_NOW);
    assert_int_equal(agenda(&f, "F2"), RG_WAKE_NOW);
    assert_int_equal(agenda(&f, "F3"), LATER);
    teardown(&f);
}

/* A payment wakes the customer's open invoices (the balance; a late one
 * counts for the others' repeat-offender match). */
static void test_payment_wakes_the_customer(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    all_planned(&f);
    rg_payment p;
    rg_payment_init(&p);
    rg_strlcpy(p.invoice_external_id, "F1", sizeof p.invoice_external_id);
    p.amount = 2000;
    p.paid_at = at("2026-10-25T15:00:00Z");
    rg_payment_outcome out;
    rg_err e;
    assert_int_equal(rg_store_begin(f.s, &e), RG_OK);
    assert_int_equal(rg_payment_record(&f.env, &p, p.paid_at, &out, &e), RG_OK);
    assert_int_equal(rg_store_commit(f.s, &e), RG_OK);
    assert_int_equal(agenda(&f, "F1"), RG_WAKE_NOW);
    assert_int_equal(agenda(&f, "F2"), RG_WAKE_NOW);
    assert_int_equal(agenda(&f, "F3"), LATER);
    teardown(&f);
}

/* An opt-out (one-click unsubscribe) wakes the customer's invoices. */
static void test_optout_wakes_the_customer(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    all_planned(&f);
    rg_message m;
    memset(&m, 0, sizeof m);
    rg_strlcpy(m.idempotency_key, "step:t:a:1", sizeof m.idempotency_key);
    m.customer_id = 1;
    m.invoice_id = invoice_id(&f, "F1");
    rg_strlcpy(m.source_kind, "step", sizeof m.source_kind);
    rg_strlcpy(m.source_id, "a", sizeof m.source_id);
    rg_strlcpy(m.channel, "email", sizeof m.channel);
    m.status = RG_MSG_SENT;
    m.planned_for = m.created_at = m.updated_at = at("2026-10-17T12:00:00Z");
    bool ins;
    rg_err e;
    assert_int_equal(rg_store_message_insert(f.s, &m, &ins, &e), RG_OK);
    bool already = true;
    assert_int_equal(rg_inbound_unsubscribe(&f.env, m.id, "email", at("2026-10-18T12:00:00Z"), &already, &e), RG_OK);
    assert_false(already);
    assert_int_equal(agenda(&f, "F1"), RG_WAKE_NOW);
    assert_int_equal(agenda(&f, "F2"), RG_WAKE_NOW);
    assert_int_equal(agenda(&f, "F3"), LATER);
    teardown(&f);
}

/* A promise made when a task is done wakes its invoice. */
static void test_promise_wakes_the_invoice(void **state)
{
    (void)state;
    fx f;
    setup(&f);
    all_planned(&f);
    rg_task t;
    memset(&t, 0, sizeof t);
    rg_strlcpy(t.kind, "call", sizeof t.kind);
    rg_strlcpy(t.source, "step:t/ligar", sizeof t.source);
    t.customer_id = 1;
    t.invoice_id = invoice_id(&f, "F1");
    t.due_at = t.created_at = at("2026-10-25T12:00:00Z");
    rg_err e;
    assert_int_equal(rg_store_task_insert(f.s, &t, &e), RG_OK);
    rg_task_done_params p;
    memset(&p, 0, sizeof p);
    p.outcome = "promised";
    p.promise_date = rg_date_from_ymd(2026, 10, 30);
    p.promise_amount = -1;
    rg_task_done_result r;
    assert_int_equal(rg_task_done(&f.env, t.id, &p, rg_date_from_ymd(2026, 10, 25), at("2026-10-25T13:00:00Z"), &r, &e),
                     RG_OK);
    assert_true(r.promised);
    assert_int_equal(agenda(&f, "F1"), RG_WAKE_NOW);
    assert_int_equal(agenda(&f, "F2"), LATER);
    teardown(&f);
}

/* The tick reads the open invoices of the customers it is given, in
 * (customer, invoice) order, and no others — whether the store reads them
 * through a list (ids far apart) or one range of the index with the
 * missing customers stepped over (ids dense, as in a catch-up). */
typedef struct seen_rows {
    char ext[40][8];
    size_t n;
} seen_rows;

static rg_status seen(void *p, const rg_tick_row *r)
{
    seen_rows *o = p;
    assert_true(o->n < 40);
    snprintf(o->ext[o->n++], sizeof o->ext[0], "%s", r->invoice.external_id);
    return RG_OK;
}

static void expect_read(fx *f, const int64_t *ids, size_t n, const char *want)
{
    seen_rows o = {0};
    rg_err e;
    assert_int_equal(rg_store_tick_customers(f->s, RG_INSTANT_NONE, RG_DATE_NONE, ids, n, seen, &o, &e), RG_OK);
    rg_buf got = RG_BUF_INIT;
    for (size_t i = 0; i < o.n; i++)
        rg_buf_printf(&got, "%s%s", i ? " " : "", o.ext[i]);
    assert_string_equal(rg_buf_cstr(&got), want);
    rg_buf_free(&got);
}

static void test_tick_reads_the_customers_given(void **state)
{
    (void)state;
    fx f;
    rg_err e;
    assert_int_equal(rg_store_open(":memory:", &f.s, &e), RG_OK);
    f.env = (rg_event_env){f.s, rg_test_zones(), NULL};
    rg_buf customers = RG_BUF_INIT, invoices = RG_BUF_INIT;
    rg_buf_puts(&customers, "external_id,name,email\n");
    rg_buf_puts(&invoices, "external_id,customer_external_id,amount,due_date\n");
    for (int c = 1; c <= 12; c++) {
        rg_buf_printf(&customers, "C%d,Cliente %d,c%d@x.com.br\n", c, c, c);
        /* B before A: the order read is the invoices' ids, not their names */
        rg_buf_printf(&invoices, "B%d,C%d,10.00,2026-10-20\nA%d,C%d,20.00,2026-10-21\n", c, c, c, c);
    }
    import(&f, RG_IMPORT_CUSTOMERS, rg_buf_cstr(&customers));
    import(&f, RG_IMPORT_INVOICES, rg_buf_cstr(&invoices));
    rg_buf_free(&customers);
    rg_buf_free(&invoices);
    int64_t id[13];
    for (int c = 1; c <= 12; c++) {
        char ext[8];
        snprintf(ext, sizeof ext, "B%d", c);
        rg_invoice inv;
        assert_int_equal(rg_store_invoice_get(f.s, ext, &inv, &e), RG_OK);
        id[c] = inv.customer_id;
    }
    /* a paid invoice is not read */
    rg_invoice a4;
    assert_int_equal(rg_store_invoice_get(f.s, "A4", &a4, &e), RG_OK);
    assert_int_equal(rg_store_begin(f.s, &e), RG_OK);
    assert_int_equal(rg_store_invoice_set_paid(f.s, a4.id, 2000, RG_INV_PAID, rg_date_from_ymd(2026, 10, 22),
                                               at("2026-10-22T12:00:00Z"), &e),
                     RG_OK);
    assert_int_equal(rg_store_commit(f.s, &e), RG_OK);
    /* dense: customers 2..10 without 6 (one range, 6 stepped over) */
    int64_t dense[] = {id[2], id[3], id[4], id[5], id[7], id[8], id[9], id[10]};
    expect_read(&f, dense, 8, "B2 A2 B3 A3 B4 B5 A5 B7 A7 B8 A8 B9 A9 B10 A10");
    /* sparse: 1 and 12 (a list) */
    int64_t sparse[] = {id[1], id[12]};
    expect_read(&f, sparse, 2, "B1 A1 B12 A12");
    /* one customer, and the last ids of a range */
    expect_read(&f, &id[11], 1, "B11 A11");
    int64_t tail[] = {id[11], id[12]};
    expect_read(&f, tail, 2, "B11 A11 B12 A12");
    teardown(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_invoice_and_wakes),
        cmocka_unit_test(test_tick_does_not_overwrite_a_wake),
        cmocka_unit_test(test_import_wakes),
        cmocka_unit_test(test_payment_wakes_the_customer),
        cmocka_unit_test(test_optout_wakes_the_customer),
        cmocka_unit_test(test_promise_wakes_the_invoice),
        cmocka_unit_test(test_tick_reads_the_customers_given),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
