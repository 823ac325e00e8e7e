/* The store's multi-row writes the tick uses: messages 32 rows per
 * statement (ids matched back to each message by key, existing keys left
 * alone) and progress in multi-row UPDATEs, with the rest one row at a time. */
#include "test.h"

#include "base/buf.h"
#include "store/store.h"

static const rg_instant NOW = 1794916800;

typedef struct many {
    rg_store *s;
    int64_t customer;
    int64_t invoice;
} many;

static void setup(many *f)
{
    rg_err e;
    assert_int_equal(rg_store_open(":memory:", &f->s, &e), RG_OK);
    rg_customer c;
    rg_customer_init(&c);
    rg_strlcpy(c.external_id, "C1", sizeof c.external_id);
    rg_strlcpy(c.name, "Maria", sizeof c.name);
    rg_upsert_result ur;
    assert_int_equal(rg_store_customer_upsert(f->s, &c, RG_CF_ALL, NOW, &ur, &e), RG_OK);
    f->customer = c.id;
    rg_invoice inv;
    rg_invoice_init(&inv);
    rg_strlcpy(inv.external_id, "F1", sizeof inv.external_id);
    inv.customer_id = c.id;
    inv.amount = 1000;
    inv.due_date = rg_date_from_ymd(2026, 12, 10);
    assert_int_equal(rg_store_invoice_upsert(f->s, &inv, RG_IF_ALL, NOW, &ur, &e), RG_OK);
    f->invoice = inv.id;
}

static void message(const many *f, rg_message *m, int k)
{
    memset(m, 0, sizeof *m);
    snprintf(m->idempotency_key, sizeof m->idempotency_key, "step:c:s%d:1", k);
    snprintf(m->provider_id, sizeof m->provider_id, "p%d", k); /* to find it again by id */
    m->customer_id = f->customer;
    m->invoice_id = f->invoice;
    rg_strlcpy(m->source_kind, "step", sizeof m->source_kind);
    snprintf(m->source_id, sizeof m->source_id, "s%d", k);
    rg_strlcpy(m->channel, "email", sizeof m->channel);
    m->body = "Olá";
    m->status = RG_MSG_SENT;
    m->planned_for = m->sent_at = m->created_at = NOW;
}

static void test_message_insert_many(void **state)
{
    (void)state;
    many f;
    setup(&f);
    rg_err e;
    enum { N = 70 }; /* two full statements of 32 and 6 rows one at a time */
    static rg_message msgs[N];
    rg_message *ptr[N];
    bool inserted[N];
    for (int k = 0; k < N; k++) {
        message(&f, &msgs[k], k);
        ptr[k] = &msgs[k];
    }
    /* keys 3, 40 and 69 exist already: in a full statement, and in the tail */
    int64_t existing[3];
    const int taken[3] = {3, 40, 69};
    for (int t = 0; t < 3; t++) {
        rg_message old;
        message(&f, &old, taken[t]);
        bool in;
        assert_int_equal(rg_store_message_insert(f.s, &old, &in, &e), RG_OK);
        assert_true(in);
        existing[t] = old.id;
    }
    assert_int_equal(rg_store_message_insert_many(f.s, ptr, N, inserted, &e), RG_OK);
    for (int k = 0; k < N; k++) {
        bool was_taken = k == 3 || k == 40 || k == 69;
        assert_int_equal(inserted[k], !was_taken);
        rg_message_ref ref;
        assert_int_equal(rg_store_message_by_provider_id(f.s, msgs[k].provider_id, &ref, &e), RG_OK);
        if (!was_taken)
            assert_int_equal(ref.id, msgs[k].id); /* the id is this message's, not another row's */
    }
    for (int t = 0; t < 3; t++) {
        rg_message_ref ref;
        assert_int_equal(rg_store_message_by_provider_id(f.s, msgs[taken[t]].provider_id, &ref, &e), RG_OK);
        assert_int_equal(ref.id, existing[t]); /* the existing message is left alone */
    }
    /* again: every key exists now */
    assert_int_equal(rg_store_message_insert_many(f.s, ptr, N, inserted, &e), RG_OK);
    for (int k = 0; k < N; k++)
        assert_false(inserted[k]);
    rg_store_close(f.s);
}

static void test_progress_put_many(void **state)
{
    (void)state;
    many f;
    setup(&f);
    rg_err e;
    /* 33 invoices: one statement of 32 rows and one write alone */
    enum { N = 33 };
    rg_progress_write w[N];
    char steps[N][32];
    int64_t ids[N];
    for (int k = 0; k < N; k++) {
        rg_invoice inv;
        rg_invoice_init(&inv);
        snprintf(inv.external_id, sizeof inv.external_id, "G%d", k);
        inv.customer_id = f.customer;
        inv.amount = 1000;
        inv.due_date = rg_date_from_ymd(2026, 12, 10);
        rg_upsert_result ur;
        assert_int_equal(rg_store_invoice_upsert(f.s, &inv, RG_IF_ALL, NOW, &ur, &e), RG_OK);
        ids[k] = inv.id;
        snprintf(steps[k], sizeof steps[k], "s%d=S@%d", k, k);
        w[k] = (rg_progress_write){inv.id, k % 2 ? "impar" : "par", "v1", steps[k], RG_INSTANT_NONE, 0};
    }
    assert_int_equal(rg_store_progress_put_many(f.s, w, N, &e), RG_OK);
    for (int k = 0; k < N; k++) {
        char cadence[64], got[256];
        bool found;
        assert_int_equal(rg_store_progress_get(f.s, ids[k], cadence, sizeof cadence, got, sizeof got, &found, &e),
                         RG_OK);
        assert_true(found);
        assert_string_equal(cadence, k % 2 ? "impar" : "par");
        assert_string_equal(got, steps[k]);
    }
    rg_store_close(f.s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_message_insert_many),
        cmocka_unit_test(test_progress_put_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
