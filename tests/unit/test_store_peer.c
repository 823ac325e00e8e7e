/*
 * Peer connections (rg_store_open_peer): another read-write handle on the
 * same file. While another connection holds the write lock, a peer still
 * reads (WAL), and a write waits its busy budget and fails with RG_EBUSY —
 * nothing half-done, and the same call succeeds once the lock is free.
 */
#include "test.h"

#include <sqlite3.h>

#include "base/buf.h"
#include "store/store.h"

static const rg_instant NOW = 1794916800;

static void customer(rg_customer *c, const char *ext)
{
    rg_customer_init(c);
    rg_strlcpy(c->external_id, ext, sizeof c->external_id);
    rg_strlcpy(c->name, "Maria", sizeof c->name);
}

static void test_peer_reads_beside_a_writer(void **state)
{
    (void)state;
    rg_err e;
    rg_store *s = NULL, *peer = NULL;
    const char *path = rg_test_path("peer.db");
    assert_int_equal(rg_store_open(path, &s, &e), RG_OK);
    rg_customer c;
    customer(&c, "C1");
    rg_upsert_result ur;
    assert_int_equal(rg_store_customer_upsert(s, &c, RG_CF_ALL, NOW, &ur, &e), RG_OK);
    assert_int_equal(rg_store_open_peer(s, 50, &peer, &e), RG_OK);

    /* another process takes the write lock and writes without committing */
    sqlite3 *other = NULL;
    assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE; UPDATE customers SET name = 'Outra'", NULL, NULL, NULL),
                     SQLITE_OK);

    /* the peer reads what is committed, without waiting */
    rg_customer got;
    assert_int_equal(rg_store_customer_get(peer, "C1", &got, &e), RG_OK);
    assert_string_equal(got.name, "Maria");
    rg_store_info info;
    assert_int_equal(rg_store_info_get(peer, &info, &e), RG_OK);
    assert_int_equal(info.customers, 1);

    /* a write waits 50 ms, then RG_EBUSY: a transaction, and a single write */
    rg_err_clear(&e);
    assert_int_equal(rg_store_begin(peer, &e), RG_EBUSY);
    assert_int_equal(e.code, RG_EBUSY);
    rg_customer c2;
    customer(&c2, "C2");
    assert_int_equal(rg_store_customer_upsert(peer, &c2, RG_CF_ALL, NOW, &ur, &e), RG_EBUSY);

    /* once the lock is free, the same calls succeed */
    assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(rg_store_begin(peer, &e), RG_OK);
    assert_int_equal(rg_store_customer_upsert(peer, &c2, RG_CF_ALL, NOW, &ur, &e), RG_OK);
    assert_int_equal(ur, RG_UPSERT_INSERTED);
    assert_int_equal(rg_store_commit(peer, &e), RG_OK);
    assert_int_equal(rg_store_customer_get(s, "C2", &got, &e), RG_OK);
    /* a peer writes with foreign keys on, like the first handle */
    rg_invoice inv;
    rg_invoice_init(&inv);
    rg_strlcpy(inv.external_id, "F1", sizeof inv.external_id);
    inv.customer_id = 999999;
    inv.amount = 100;
    inv.due_date = rg_date_from_ymd(2026, 12, 10);
    assert_int_not_equal(rg_store_invoice_upsert(peer, &inv, RG_IF_ALL, NOW, &ur, &e), RG_OK);

    sqlite3_close(other);
    rg_store_close(peer);
    rg_store_close(s);
}

static void test_no_peer_in_memory(void **state)
{
    (void)state;
    rg_err e;
    rg_store *s = NULL, *peer = (rg_store *)&e;
    assert_int_equal(rg_store_open(":memory:", &s, &e), RG_OK);
    assert_int_equal(rg_store_open_peer(s, 50, &peer, &e), RG_EINVAL);
    assert_null(peer);
    rg_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_peer_reads_beside_a_writer),
        cmocka_unit_test(test_no_peer_in_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
