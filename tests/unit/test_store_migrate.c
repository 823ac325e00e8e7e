/* Migrations that rebuild a table keep every row and every reference to
 * it: a database made by the migrations before `uncertain` (with messages,
 * their invoices and a task pointing at one) opens, migrates, and keeps
 * them; the new status is accepted, foreign keys are enforced again after. */
#include "test.h"

#include <sqlite3.h>
#include <unistd.h>

#include "store/schema.h"
#include "store/store.h"

/* The number of the migration that adds 'uncertain' (the rebuild). */
static int uncertain_migration(void)
{
    for (int i = 0; i < rg_schema_version; i++)
        if (strstr(rg_schema_migrations[i], "'suppressed', 'uncertain'"))
            return i + 1;
    fail_msg("no migration adds 'uncertain'");
    return 0;
}

static void exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", sql, err ? err : "?");
}

/* A database at the version before the rebuild (n - 1), open with sqlite3. */
static sqlite3 *old_db(const char *name, int n, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", rg_test_tmpdir(), name);
    unlink(path);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    for (int i = 0; i < n - 1; i++)
        exec(db, rg_schema_migrations[i]);
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", n - 1);
    exec(db, pragma);
    return db;
}

static rg_status on_message(void *p, const rg_message *m)
{
    rg_message *out = p;
    *out = *m;
    out->subject = out->body = out->html = out->payload = NULL;
    return RG_OK;
}

static rg_status on_lease(void *p, const rg_outbox_lease *l)
{
    *(rg_outbox_lease *)p = *l;
    return RG_OK;
}

static void test_rebuild_keeps_rows(void **state)
{
    (void)state;
    char path[512];
    int n = uncertain_migration();
    sqlite3 *db = old_db("migrate.db", n, path, sizeof path);
    exec(db, "PRAGMA foreign_keys = ON");
    exec(db, "INSERT INTO customers (id, external_id, name, created_at, updated_at) VALUES (1, 'C1', 'Ana', 1, 1);"
             "INSERT INTO invoices (id, external_id, customer_id, amount, due_date, created_at, updated_at)"
             " VALUES (1, 'F1', 1, 1000, 20000, 1, 1);"
             "INSERT INTO messages (id, idempotency_key, customer_id, invoice_id, source_kind, source_id, channel,"
             " body, status, reason, attempts, planned_for, handed_at, created_at, updated_at)"
             " VALUES (7, 'k7', 1, 1, 'step', 's', 'whatsapp', 'Olá', 'sending', 'r', 2, 100, 150, 1, 1);"
             "INSERT INTO message_invoices (message_id, invoice_id) VALUES (7, 1);"
             "INSERT INTO tasks (kind, customer_id, due_at, created_at, message_id) VALUES ('call', 1, 1, 1, 7);");
    sqlite3_close(db);

    rg_store *s = NULL;
    rg_err e;
    assert_int_equal(rg_store_open(path, &s, &e), RG_OK);
    rg_message m;
    memset(&m, 0, sizeof m);
    rg_message_filter f;
    rg_message_filter_init(&f);
    assert_int_equal(rg_store_message_each(s, &f, on_message, &m, &e), RG_OK);
    assert_int_equal(m.id, 7);
    assert_string_equal(m.idempotency_key, "k7");
    assert_int_equal(m.status, RG_MSG_SENDING);
    assert_int_equal(m.attempts, 2);
    assert_string_equal(m.invoice_external_ids, "F1");
    /* the lease keeps its handed mark (the column moved with the row) */
    rg_outbox_lease l;
    memset(&l, 0, sizeof l);
    assert_int_equal(rg_store_outbox_leases(s, on_lease, &l, &e), RG_OK);
    assert_int_equal(l.id, 7);
    assert_int_equal(l.handed_at, 150);
    assert_int_equal(l.customer_id, 1);
    assert_int_equal(l.invoice_id, 1);
    rg_outbox_result r;
    memset(&r, 0, sizeof r);
    r.id = 7;
    r.owner = "";
    r.status = RG_MSG_UNCERTAIN;
    r.attempts = 3;
    bool held;
    assert_int_equal(rg_store_outbox_finish(s, &r, 200, &held, &e), RG_OK);
    assert_true(held);
    f.status = RG_MSG_UNCERTAIN;
    memset(&m, 0, sizeof m);
    assert_int_equal(rg_store_message_each(s, &f, on_message, &m, &e), RG_OK);
    assert_int_equal(m.id, 7);
    rg_store_close(s);

    /* every reference survived, the schema is the new one, and foreign keys
     * are on again for the store's connections */
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT (SELECT count(*) FROM message_invoices WHERE message_id = 7),"
                                        " (SELECT count(*) FROM tasks WHERE message_id = 7),"
                                        " (SELECT attempts FROM messages WHERE id = 7),"
                                        " (SELECT count(*) FROM sqlite_schema WHERE type = 'index'"
                                        "   AND tbl_name = 'messages' AND name LIKE 'messages_%'),"
                                        " (SELECT count(*) FROM sqlite_schema WHERE name = 'messages_new')",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    assert_int_equal(sqlite3_column_int(st, 1), 1);
    assert_int_equal(sqlite3_column_int(st, 2), 3);
    /* pending, customer, invoice, provider, outbox, leased, uncertain (the reports' report_sent and
     * invoice_sent of migration 18 are dropped by 20: the summary tables replace them); channel_status
     * (21: the dashboard's Canais) */
    assert_int_equal(sqlite3_column_int(st, 3), 8);
    assert_int_equal(sqlite3_column_int(st, 4), 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* A migration that would leave a dangling reference is refused whole. */
static void test_foreign_keys_checked(void **state)
{
    (void)state;
    char path[512];
    int n = uncertain_migration();
    sqlite3 *db = old_db("migrate_fk.db", n, path, sizeof path);
    /* foreign keys off on this connection: a task pointing to no message */
    exec(db, "INSERT INTO customers (id, external_id, name, created_at, updated_at) VALUES (1, 'C1', 'Ana', 1, 1);"
             "INSERT INTO tasks (kind, customer_id, due_at, created_at, message_id) VALUES ('call', 1, 1, 1, 99);");
    sqlite3_close(db);
    rg_store *s = NULL;
    rg_err e;
    assert_int_equal(rg_store_open(path, &s, &e), RG_ESTORE);
    assert_non_null(strstr(e.msg, "pointing to no messages"));
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), n - 1); /* nothing half-done */
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* The number of the migration that writes the hot tables' CHECKs as OR
 * chains (12). */
static int or_checks_migration(void)
{
    for (int i = 0; i < rg_schema_version; i++)
        if (strstr(rg_schema_migrations[i], "CREATE TABLE trigger_timers_new"))
            return i + 1;
    fail_msg("no migration rebuilds trigger_timers");
    return 0;
}

/* How many temporary b-trees a statement opens (EXPLAIN's OpenEphemeral). */
static int ephemerals(sqlite3 *db, const char *sql)
{
    char explain[1024];
    snprintf(explain, sizeof explain, "EXPLAIN %s", sql);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, explain, -1, &st, NULL), SQLITE_OK);
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW)
        n += !strcmp((const char *)sqlite3_column_text(st, 1), "OpenEphemeral");
    sqlite3_finalize(st);
    return n;
}

/* Messages and timers are rebuilt with the same rows; their CHECKs refuse
 * what they refused, and writing a row no longer builds a temporary b-tree
 * per CHECK (an IN list of three or more values did: docs/BENCHMARKS.md). */
static void test_or_checks_keep_rows_and_refusals(void **state)
{
    (void)state;
    char path[512];
    int n = or_checks_migration();
    sqlite3 *db = old_db("migrate_or.db", n, path, sizeof path);
    exec(db, "INSERT INTO customers (id, external_id, name, created_at, updated_at) VALUES (1, 'C1', 'Ana', 1, 1);"
             "INSERT INTO invoices (id, external_id, customer_id, amount, due_date, created_at, updated_at)"
             " VALUES (1, 'F1', 1, 1000, 20000, 1, 1);"
             "INSERT INTO messages (id, idempotency_key, customer_id, invoice_id, source_kind, source_id, channel,"
             " body, status, planned_for, created_at, updated_at)"
             " VALUES (7, 'k7', 1, 1, 'trigger', 't', 'sms', 'Oi', 'uncertain', 100, 1, 1);"
             "INSERT INTO tasks (kind, customer_id, due_at, created_at, message_id) VALUES ('review', 1, 1, 1, 7);"
             "INSERT INTO events (id, type, at, source, customer_id, invoice_id) VALUES (3, 'email.opened', 50,"
             " 'cli', 1, 1);"
             "INSERT INTO trigger_timers (id, cadence, trigger_id, event_id, customer_id, invoice_id, fire_at, status,"
             " reason, created_at, done_at) VALUES (5, 'c', 'abriu', 3, 1, 1, 90, 'cancelled', 'r', 50, 60);");
    const char *msg_insert = "INSERT INTO messages (idempotency_key, customer_id, source_kind, source_id, status,"
                             " planned_for, created_at, updated_at) VALUES ('k8', 1, 'step', 's', 'sent', 1, 1, 1)";
    const char *timer_finish = "UPDATE trigger_timers SET status = 'fired' WHERE id = 5";
    assert_true(ephemerals(db, msg_insert) > 0); /* before: the IN lists */
    assert_true(ephemerals(db, timer_finish) > 0);
    sqlite3_close(db);

    rg_store *s = NULL;
    rg_err e;
    assert_int_equal(rg_store_open(path, &s, &e), RG_OK);
    rg_store_close(s);

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(ephemerals(db, msg_insert), 0);
    assert_int_equal(ephemerals(db, timer_finish), 0);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT (SELECT status || source_kind || body FROM messages WHERE id = 7),"
                                        " (SELECT count(*) FROM tasks WHERE message_id = 7),"
                                        " (SELECT status || reason || done_at || event_id FROM trigger_timers"
                                        "   WHERE id = 5),"
                                        " (SELECT count(*) FROM sqlite_schema WHERE type = 'index'"
                                        "   AND tbl_name = 'trigger_timers' AND name LIKE 'trigger_timers_%'),"
                                        " (SELECT count(*) FROM sqlite_schema WHERE name LIKE '%_new')",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "uncertaintriggerOi");
    assert_int_equal(sqlite3_column_int(st, 1), 1);
    assert_string_equal((const char *)sqlite3_column_text(st, 2), "cancelledr603");
    assert_int_equal(sqlite3_column_int(st, 3), 3); /* due, customer, invoice */
    assert_int_equal(sqlite3_column_int(st, 4), 0);
    sqlite3_finalize(st);
    /* the CHECKs still refuse what is not a status or a kind */
    assert_int_equal(sqlite3_exec(db, "UPDATE messages SET status = 'lost' WHERE id = 7", NULL, NULL, NULL),
                     SQLITE_CONSTRAINT);
    assert_int_equal(sqlite3_exec(db, "UPDATE messages SET source_kind = 'robot' WHERE id = 7", NULL, NULL, NULL),
                     SQLITE_CONSTRAINT);
    assert_int_equal(sqlite3_exec(db, "UPDATE trigger_timers SET status = 'late' WHERE id = 5", NULL, NULL, NULL),
                     SQLITE_CONSTRAINT);
    assert_int_equal(sqlite3_exec(db, msg_insert, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, timer_finish, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

/* The query plan's details of sql on db, joined with " | ". */
static void plan_of(sqlite3 *db, const char *sql, char *out, size_t n)
{
    char eqp[1024];
    snprintf(eqp, sizeof eqp, "EXPLAIN QUERY PLAN %s", sql);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, eqp, -1, &st, NULL), SQLITE_OK);
    out[0] = '\0';
    while (sqlite3_step(st) == SQLITE_ROW) {
        size_t len = strlen(out);
        snprintf(out + len, n - len, "%s | ", (const char *)sqlite3_column_text(st, 3));
    }
    sqlite3_finalize(st);
}

/* Migration 16 (events-perf2): an `unless` reads one trigger's waiting timers of a
 * customer through the index alone (customer, cadence, trigger), not every
 * waiting timer of the customer; the customer's own query still uses it.
 * (The statements are sqlite_timers.c's WHERE clauses.) */
static void test_waiting_timers_indexed(void **state)
{
    (void)state;
    char path[512], plan[2048];
    sqlite3 *db = old_db("plan.db", rg_schema_version + 1, path, sizeof path);
    plan_of(db,
            "SELECT t.id FROM trigger_timers t JOIN events ev ON ev.id = t.event_id WHERE t.customer_id = ?1"
            " AND t.status = 'waiting' AND t.cadence = ?2 AND t.trigger_id = ?3 ORDER BY t.id",
            plan, sizeof plan);
    if (!strstr(plan, "trigger_timers_customer (customer_id=? AND cadence=? AND trigger_id=?)"))
        fail_msg("the unless query's plan: %s", plan);
    plan_of(db,
            "SELECT t.id FROM trigger_timers t JOIN events ev ON ev.id = t.event_id WHERE t.customer_id = ?1"
            " AND t.status = 'waiting' ORDER BY t.id",
            plan, sizeof plan);
    if (!strstr(plan, "trigger_timers_customer (customer_id=?)"))
        fail_msg("the customer's timers' plan: %s", plan);
    sqlite3_close(db);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rebuild_keeps_rows),
        cmocka_unit_test(test_foreign_keys_checked),
        cmocka_unit_test(test_or_checks_keep_rows_and_refusals),
        cmocka_unit_test(test_waiting_timers_indexed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
