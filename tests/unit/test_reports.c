/*
 * The reports (service/reports.h) on a small fixed portfolio, against
 * figures computed by hand (docs/reports.md's rules): every aging bucket
 * and the effective due date, recovery's rows, rate and DSO, the funnels'
 * counts, the last-touch attribution and the cost per channel, promises,
 * the JSON documents and the CSV parsed back.
 *
 * The company is in America/Sao_Paulo (UTC-3). The portfolio (amounts in
 * centavos; "eff" = effective due date, national holidays only):
 *   F1  open  due 2026-12-09          10000        padrao  vip
 *   F2  open  due 2026-11-07 (Sat; eff Mon 11-09) 20000, paid 5000 (P2 11-12)  padrao
 *   F3  open  due 2026-10-09          40000        b2b     sp
 *   F4  open  due 2026-10-20          30000        b2b     sp|vip
 *   F5  open  due 2026-09-01          50000        (no cadence)
 *   F6  paid  due 2026-11-16, paid 11-19 (P6)  8000  padrao
 *   F7  paid  due 2026-11-20, paid 11-01 (P7)  1000
 *   F8  cancelled due 2026-11-10      99999
 *   F9  paid  due 2026-11-25, paid that day (P9)  6000
 *   F10 open  due 2026-11-30           7000        padrao
 *   F11 open  due 2026-10-31 (Sat; 11-02 Finados; eff Tue 11-03)  9000  b2b  sp
 *   F12 paid  due 2026-10-05, paid 11-19 (P12)  4000  b2b
 */
#include "test.h"

#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>

#include "base/date.h"
#include "base/zones.h"
#include "service/reports.h"
#include "store/schema.h"
#include "store/store.h"

#define D(s) "unixepoch('" s "')/86400"
#define T(s) "unixepoch('" s "')"

static const char *const portfolio =
    "INSERT INTO customers (id, external_id, name, created_at, updated_at) VALUES (1, 'C1', 'Maria', 0, 0);"
    "INSERT INTO invoices (id, external_id, customer_id, amount, paid, due_date, status, tags, progress_cadence,"
    " paid_on, created_at, updated_at) VALUES"
    " (1, 'F1', 1, 10000, 0, " D("2026-12-09") ", 'open', 'vip', 'padrao', NULL, 0, 0),"
    " (2, 'F2', 1, 20000, 5000, " D("2026-11-07") ", 'open', '', 'padrao', NULL, 0, 0),"
    " (3, 'F3', 1, 40000, 0, " D("2026-10-09") ", 'open', 'sp', 'b2b', NULL, 0, 0),"
    " (4, 'F4', 1, 30000, 0, " D("2026-10-20") ", 'open', 'sp|vip', 'b2b', NULL, 0, 0),"
    " (5, 'F5', 1, 50000, 0, " D("2026-09-01") ", 'open', '', NULL, NULL, 0, 0),"
    " (6, 'F6', 1, 8000, 8000, " D("2026-11-16") ", 'paid', '', 'padrao', " D("2026-11-19") ", 0, 0),"
    " (7, 'F7', 1, 1000, 1000, " D("2026-11-20") ", 'paid', '', 'padrao', " D("2026-11-01") ", 0, 0),"
    " (8, 'F8', 1, 99999, 0, " D("2026-11-10") ", 'cancelled', '', 'padrao', NULL, 0, 0),"
    " (9, 'F9', 1, 6000, 6000, " D("2026-11-25") ", 'paid', '', 'padrao', " D("2026-11-25") ", 0, 0),"
    " (10, 'F10', 1, 7000, 0, " D("2026-11-30") ", 'open', '', 'padrao', NULL, 0, 0),"
    " (11, 'F11', 1, 9000, 0, " D("2026-10-31") ", 'open', 'sp', 'b2b', NULL, 0, 0),"
    " (12, 'F12', 1, 4000, 4000, " D("2026-10-05") ", 'paid', '', 'b2b', " D("2026-11-19") ", 0, 0);"
    "INSERT INTO payments (invoice_id, amount, paid_at, source, reference, created_at) VALUES"
    " (2, 5000, " T("2026-11-12 15:00") ", 'manual', 'P2', 0),"
    " (6, 8000, " T("2026-11-19 15:00") ", 'manual', 'P6', 0),"
    " (9, 6000, " T("2026-11-25 13:00") ", 'manual', 'P9', 0),"
    " (12, 4000, " T("2026-11-19 15:00") ", 'manual', 'P12', 0),"
    " (7, 1000, " T("2026-11-01 13:00") ", 'manual', 'P7', 0),"
    " (3, 1, " T("2026-12-02 13:00") ", 'manual', 'P3', 0);"
    /* messages: M1..M5 sent in November, M6 in December, M7 never */
    "INSERT INTO messages (id, idempotency_key, customer_id, invoice_id, cadence, source_kind, source_id, channel,"
    " status, planned_for, sent_at, delivered_at, read_at, cost, created_at, updated_at) VALUES"
    " (1, 'k1', 1, 2, 'padrao', 'step', 'd1', 'email', 'delivered', 0, " T("2026-11-10 12:00") ", "
    T("2026-11-10 12:01") ", NULL, 5, 0, 0),"
    " (2, 'k2', 1, 6, 'padrao', 'step', 'd1', 'email', 'delivered', 0, " T("2026-11-17 12:00") ", "
    T("2026-11-17 12:01") ", NULL, 5, 0, 0),"
    " (3, 'k3', 1, 6, 'padrao', 'step', 'd3', 'whatsapp', 'read', 0, " T("2026-11-18 12:00") ", "
    T("2026-11-18 12:01") ", " T("2026-11-18 13:00") ", 30, 0, 0),"
    " (4, 'k4', 1, 11, 'b2b', 'step', 'd1', 'sms', 'sent', 0, " T("2026-11-04 12:00") ", NULL, NULL, 10, 0, 0),"
    " (5, 'k5', 1, 12, 'b2b', 'step', 'd1', 'sms', 'delivered', 0, " T("2026-11-05 12:00") ", "
    T("2026-11-05 12:01") ", NULL, 10, 0, 0),"
    " (6, 'k6', 1, 1, 'padrao', 'step', 'd1', 'email', 'sent', 0, " T("2026-12-02 12:00") ", NULL, NULL, 5, 0, 0),"
    " (7, 'k7', 1, 10, 'padrao', 'step', 'd1', 'email', 'queued', 0, NULL, NULL, NULL, 0, 0, 0);"
    "INSERT INTO promises (customer_id, invoice_id, promised_date, amount, status, source, created_at) VALUES"
    " (1, 2, 0, 5000, 'kept', 'cli', " T("2026-11-10 12:00") "),"
    " (1, 11, 0, 9000, 'broken', 'cli', " T("2026-11-12 12:00") "),"
    " (1, 10, 0, 7000, 'pending', 'cli', " T("2026-11-28 12:00") "),"
    " (1, 3, 0, 2000, 'cancelled', 'cli', " T("2026-11-15 12:00") "),"
    " (1, 3, 0, 1000, 'kept', 'cli', " T("2026-10-30 12:00") ");"
    /* agreements: three made in November (one active, one completed, one
     * broken), one in October */
    "INSERT INTO agreements (customer_id, status, installments, principal, down_payment, interest, total,"
    " down_payment_pct, interest_month_pct, break_after_days, source, created_at) VALUES"
    " (1, 'active', 3, 30000, 3000, 900, 30900, 10, 100, 10, 'portal', " T("2026-11-03 12:00") "),"
    " (1, 'completed', 2, 10000, 1000, 0, 10000, 10, 0, 10, 'portal', " T("2026-11-20 12:00") "),"
    " (1, 'broken', 4, 40000, 4000, 1600, 41600, 10, 100, 10, 'api', " T("2026-11-30 23:30") "),"
    " (1, 'active', 2, 5000, 500, 0, 5000, 10, 0, 10, 'portal', " T("2026-10-31 12:00") ");"
    /* tasks: two open, one claimed, one done, one cancelled */
    "INSERT INTO tasks (kind, customer_id, status, assignee, due_at, created_at) VALUES"
    " ('call', 1, 'open', '', 0, 0), ('call', 1, 'open', '', 0, 0), ('call', 1, 'claimed', 'ana', 0, 0),"
    " ('call', 1, 'done', 'ana', 0, 0), ('call', 1, 'cancelled', '', 0, 0);";

static int64_t count_of(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* The events (M1 opened and clicked; a visit naming M2): written through
 * the store (which keeps messages.opened_at) or, before migration 20, as
 * rows (the migration fills opened_at from them). */
static const rg_event portfolio_events[] = {
    {0, "email.opened", 1794315600, "tracking", 1, 2, 1, NULL}, /* 2026-11-10 13:00 */
    {0, "link.clicked", 1794315660, "tracking", 1, 2, 1, NULL}, /* 13:01 */
    {0, "portal.visited", 1794315720, "api", 1, 2, 2, NULL},    /* 13:02 */
};
static const char *const portfolio_event_rows =
    "INSERT INTO events (type, at, source, customer_id, invoice_id, message_id) VALUES"
    " ('email.opened', " T("2026-11-10 13:00") ", 'tracking', 1, 2, 1),"
    " ('link.clicked', " T("2026-11-10 13:01") ", 'tracking', 1, 2, 1),"
    " ('portal.visited', " T("2026-11-10 13:02") ", 'api', 1, 2, 2);";

static rg_store *store;
static const char *store_path;

/* The portfolio written into a database at the newest schema: the
 * summary tables' triggers count every row as it is inserted. */
static int setup(void **state)
{
    (void)state;
    rg_err e;
    store_path = rg_test_path("reports.db");
    assert_int_equal(rg_store_open(store_path, &store, &e), RG_OK);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(store_path, &db), SQLITE_OK);
    char *msg = NULL;
    int rc = sqlite3_exec(db, portfolio, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fprintf(stderr, "portfolio: %s\n", msg);
    assert_int_equal(rc, SQLITE_OK);
    sqlite3_close(db);
    for (size_t i = 0; i < sizeof portfolio_events / sizeof portfolio_events[0]; i++)
        assert_int_equal(rg_store_event_add(store, &portfolio_events[i], NULL, &e), RG_OK);
    return 0;
}

/* The same portfolio written before the summary's migration, which then
 * fills the summary from the rows (the backfill): the same figures. */
static int setup_migrated(void **state)
{
    (void)state;
    int n = 0;
    while (n < rg_schema_version && !strstr(rg_schema_migrations[n], "CREATE TABLE report_funnel"))
        n++;
    assert_true(n < rg_schema_version);
    store_path = rg_test_path("reports_migrated.db");
    sqlite3 *db;
    assert_int_equal(sqlite3_open(store_path, &db), SQLITE_OK);
    char *msg = NULL;
    for (int i = 0; i < n; i++)
        if (sqlite3_exec(db, rg_schema_migrations[i], NULL, NULL, &msg) != SQLITE_OK)
            fail_msg("migration %d: %s", i + 1, msg);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", n);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    if (sqlite3_exec(db, portfolio, NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(db, portfolio_event_rows, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("portfolio: %s", msg);
    assert_int_equal(count_of(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'report_funnel'"), 0);
    sqlite3_close(db);
    rg_err e;
    assert_int_equal(rg_store_open(store_path, &store, &e), RG_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rg_store_close(store);
    return 0;
}

static rg_date ymd(int y, int m, int d)
{
    return rg_date_from_ymd(y, m, d);
}

static rg_report_params params(void)
{
    rg_report_params p;
    memset(&p, 0, sizeof p);
    p.tz = rg_zones_company(rg_test_zones());
    p.zones = rg_test_zones();
    p.now = 1796817600; /* 2026-12-09T12:00:00Z */
    p.as_of = p.from = p.to = RG_DATE_NONE;
    return p;
}

static void run(const char *name, const rg_report_params *p, rg_report *r)
{
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_report_run(store, name, p, r, &e);
    if (rc != RG_OK)
        fprintf(stderr, "%s: %s: %s\n", name, e.where, e.msg);
    assert_int_equal(rc, RG_OK);
}

static const rg_aging_group *group(const rg_aging_group *g, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(g[i].name, name))
            return &g[i];
    fail_msg("no group %s", name);
    return NULL;
}

static void bucket_is(const rg_report_amount *b, int i, int64_t count, rg_cents amount)
{
    assert_int_equal(b[i].count, count);
    assert_int_equal(b[i].amount, amount);
}

static void test_aging_buckets(void **state)
{
    (void)state;
    rg_report_params p = params();
    p.as_of = ymd(2026, 12, 9);
    rg_report r;
    run("aging", &p, &r);
    assert_int_equal(r.as_of, ymd(2026, 12, 9));
    /* F1 due today; F2 30 days after its effective due (32 after the
     * nominal one) and F10; F4 (50) and F11 (36); F3 (61); F5 (99).
     * F6/F7/F9/F12 are paid, F8 cancelled. */
    bucket_is(r.buckets, 0, 1, 10000);
    bucket_is(r.buckets, 1, 2, 15000 + 7000);
    bucket_is(r.buckets, 2, 2, 30000 + 9000);
    bucket_is(r.buckets, 3, 1, 40000);
    bucket_is(r.buckets, 4, 1, 50000);
    assert_int_equal(r.n_cadences, 3);
    assert_string_equal(r.cadences[0].name, "-");
    assert_string_equal(r.cadences[1].name, "b2b");
    assert_string_equal(r.cadences[2].name, "padrao");
    bucket_is(group(r.cadences, r.n_cadences, "-")->b, 4, 1, 50000);
    bucket_is(group(r.cadences, r.n_cadences, "b2b")->b, 2, 2, 39000);
    bucket_is(group(r.cadences, r.n_cadences, "b2b")->b, 3, 1, 40000);
    bucket_is(group(r.cadences, r.n_cadences, "padrao")->b, 0, 1, 10000);
    bucket_is(group(r.cadences, r.n_cadences, "padrao")->b, 1, 2, 22000);
    bucket_is(group(r.cadences, r.n_cadences, "padrao")->b, 2, 0, 0);
    /* F4 counts under both of its tags */
    assert_int_equal(r.n_tags, 3);
    bucket_is(group(r.tags, r.n_tags, "-")->b, 1, 2, 22000);
    bucket_is(group(r.tags, r.n_tags, "-")->b, 4, 1, 50000);
    bucket_is(group(r.tags, r.n_tags, "sp")->b, 2, 2, 39000);
    bucket_is(group(r.tags, r.n_tags, "sp")->b, 3, 1, 40000);
    bucket_is(group(r.tags, r.n_tags, "vip")->b, 0, 1, 10000);
    bucket_is(group(r.tags, r.n_tags, "vip")->b, 2, 1, 30000);
    rg_report_free(&r);

    /* a day later F1 is 1 day late and F2 31: the buckets move */
    p.as_of = ymd(2026, 12, 10);
    run("aging", &p, &r);
    bucket_is(r.buckets, 0, 0, 0);
    bucket_is(r.buckets, 1, 2, 10000 + 7000);
    bucket_is(r.buckets, 2, 3, 15000 + 30000 + 9000);
    rg_report_free(&r);
}

static void test_aging_json_and_csv(void **state)
{
    (void)state;
    rg_report_params p = params();
    p.as_of = ymd(2026, 12, 9);
    rg_report r;
    run("aging", &p, &r);
    void *doc = NULL;
    rg_err e;
    assert_int_equal(rg_report_json(&r, &doc, &e), RG_OK);
    json_t *j = doc;
    assert_string_equal(json_string_value(json_object_get(j, "as_of")), "2026-12-09");
    json_t *b = json_array_get(json_object_get(j, "buckets"), 2);
    assert_string_equal(json_string_value(json_object_get(b, "name")), "31-60");
    assert_int_equal(json_integer_value(json_object_get(b, "count")), 2);
    assert_string_equal(json_string_value(json_object_get(b, "amount")), "390.00");
    assert_int_equal(json_integer_value(json_object_get(b, "amount_cents")), 39000);
    json_t *b2b = json_object_get(json_object_get(j, "by_cadence"), "b2b");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(b2b, 3), "amount_cents")), 40000);
    json_t *vip = json_object_get(json_object_get(j, "by_tag"), "vip");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(vip, 0), "count")), 1);
    json_decref(j);

    rg_report_table t;
    assert_int_equal(rg_report_table_make(&r, &t, &e), RG_OK);
    size_t len = 0;
    char *csv = rg_report_table_csv(&t, &len);
    assert_non_null(csv);
    assert_int_equal(len, strlen(csv));
    assert_memory_equal(csv, "\xEF\xBB\xBFgroup;name;not_due;not_due_amount;1-30;", 39);
    /* parsed back: rows of `;` fields, pt-BR numbers */
    char *line = strstr(csv, "\r\n") + 2;
    assert_memory_equal(line, "total;;1;100,00;2;220,00;2;390,00;1;400,00;1;500,00\r\n", 53);
    assert_non_null(strstr(csv, "\r\ntag;vip;1;100,00;0;0,00;1;300,00;0;0,00;0;0,00\r\n"));
    assert_non_null(strstr(csv, "\r\ncadence;-;0;0,00;0;0,00;0;0,00;0;0,00;1;500,00\r\n"));
    free(csv);
    rg_report_table_free(&t);
    rg_report_free(&r);
}

static void test_csv_quotes_and_money(void **state)
{
    (void)state;
    char buf[48];
    assert_string_equal(rg_report_money_br(123456789, buf, sizeof buf), "1.234.567,89");
    assert_string_equal(rg_report_money_br(-50, buf, sizeof buf), "-0,50");
    assert_string_equal(rg_report_money_br(0, buf, sizeof buf), "0,00");
    rg_report_table t;
    memset(&t, 0, sizeof t);
    t.n_cols = 2;
    t.cols[0] = "a;b";
    t.cols[1] = "c";
    char *cells[2] = {strdup("x\"y"), strdup("z")};
    t.cells = cells;
    t.n_rows = 1;
    size_t len;
    char *csv = rg_report_table_csv(&t, &len);
    assert_string_equal(csv, "\xEF\xBB\xBF\"a;b\";c\r\n\"x\"\"y\";z\r\n");
    free(csv);
    free(cells[0]);
    free(cells[1]);
}

static void test_recovery(void **state)
{
    (void)state;
    rg_report_params p = params();
    p.from = ymd(2026, 11, 1);
    p.to = ymd(2026, 11, 30);
    p.period = RG_PERIOD_MONTH;
    rg_report r;
    run("recovery", &p, &r);
    assert_int_equal(r.n_rows, 1);
    /* became overdue in November: F11 (11-04), F2 (11-10), F6 (11-17);
     * F9 was paid on time, F10 is overdue from 12-01, F8 cancelled */
    assert_int_equal(r.rows[0].overdue.count, 3);
    assert_int_equal(r.rows[0].overdue.amount, 9000 + 20000 + 8000);
    assert_int_equal(r.rows[0].overdue_recovered, 5000 + 8000);
    double v;
    assert_true(rg_recovery_rate(&r.rows[0], &v));
    assert_true(fabs(v - 13000.0 / 37000.0) < 1e-12);
    /* late payments in November: P2, P6, P12 (P9 on time, P7 before due) */
    assert_int_equal(r.rows[0].recovered.count, 3);
    assert_int_equal(r.rows[0].recovered.amount, 5000 + 8000 + 4000);
    /* DSO = open balance / billed * 30 days */
    assert_int_equal(r.open_balance, 10000 + 15000 + 40000 + 30000 + 50000 + 7000 + 9000);
    assert_int_equal(r.billed, 20000 + 1000 + 8000 + 6000 + 7000); /* F2, F7, F6, F9, F10 */
    assert_true(rg_report_dso(&r, &v));
    assert_true(fabs(v - 161000.0 / 42000.0 * 30.0) < 1e-9);
    void *doc = NULL;
    rg_err e;
    assert_int_equal(rg_report_json(&r, &doc, &e), RG_OK);
    json_t *j = doc;
    assert_true(fabs(json_real_value(json_object_get(j, "dso")) - 115.0) < 1e-9);
    json_t *row = json_array_get(json_object_get(j, "rows"), 0);
    assert_true(fabs(json_real_value(json_object_get(row, "recovery_rate")) - 0.3514) < 1e-9);
    json_decref(j);
    rg_report_free(&r);

    /* weeks, Monday to Sunday, clipped to the period */
    p.from = ymd(2026, 11, 3);
    p.to = ymd(2026, 11, 15);
    p.period = RG_PERIOD_WEEK;
    run("recovery", &p, &r);
    assert_int_equal(r.n_rows, 2);
    assert_int_equal(r.rows[0].start, ymd(2026, 11, 3));
    assert_int_equal(r.rows[0].end, ymd(2026, 11, 8));
    assert_int_equal(r.rows[1].start, ymd(2026, 11, 9));
    assert_int_equal(r.rows[1].end, ymd(2026, 11, 15));
    assert_int_equal(r.rows[0].overdue.amount, 9000);  /* F11 on 11-04 */
    assert_int_equal(r.rows[1].overdue.amount, 20000); /* F2 on 11-10 */
    assert_int_equal(r.rows[0].recovered.count, 0);
    assert_int_equal(r.rows[1].recovered.amount, 5000); /* P2 on 11-12 */
    assert_int_equal(r.total.overdue.amount, 29000);
    rg_report_free(&r);
}

static const rg_funnel_row *funnel(const rg_report *r, const char *cadence, const char *step, const char *channel)
{
    for (size_t i = 0; i < r->n_funnel; i++)
        if (!strcmp(r->funnel[i].cadence, cadence) && !strcmp(r->funnel[i].step, step) &&
            !strcmp(r->funnel[i].channel, channel))
            return &r->funnel[i];
    fail_msg("no funnel row %s/%s/%s", cadence, step, channel);
    return NULL;
}

static void funnel_is(const rg_funnel_row *f, int64_t sent, int64_t delivered, int64_t engaged, int64_t paid_7d,
                      int64_t paid, rg_cents cost, int64_t attr_n, rg_cents attr)
{
    assert_int_equal(f->sent, sent);
    assert_int_equal(f->delivered, delivered);
    assert_int_equal(f->engaged, engaged);
    assert_int_equal(f->paid_7d, paid_7d);
    assert_int_equal(f->paid, paid);
    assert_int_equal(f->cost, cost);
    assert_int_equal(f->attributed.count, attr_n);
    assert_int_equal(f->attributed.amount, attr);
}

static void test_steps(void **state)
{
    (void)state;
    rg_report_params p = params();
    p.from = ymd(2026, 11, 1);
    p.to = ymd(2026, 11, 30);
    rg_report r;
    run("steps", &p, &r);
    assert_int_equal(r.n_funnel, 3);
    /* M4 (F11 unpaid, not delivered), M5 (F12 paid 14 days later; P12's last touch) */
    funnel_is(funnel(&r, "b2b", "d1", ""), 2, 1, 0, 0, 1, 20, 1, 4000);
    /* M1 (opened and clicked: once; P2's last touch), M2 (F6 paid 2 days later) */
    funnel_is(funnel(&r, "padrao", "d1", ""), 2, 2, 1, 1, 1, 10, 1, 5000);
    /* M3 read; the last touch before P6 (after M2) */
    funnel_is(funnel(&r, "padrao", "d3", ""), 1, 1, 1, 1, 1, 30, 1, 8000);
    funnel_is(&r.funnel_total, 5, 4, 2, 2, 3, 60, 3, 17000);
    /* P7 and P9: no message for F7 or F9 */
    assert_int_equal(r.unattributed.count, 2);
    assert_int_equal(r.unattributed.amount, 1000 + 6000);
    rg_report_free(&r);
}

static void test_channels(void **state)
{
    (void)state;
    rg_report_params p = params();
    p.from = ymd(2026, 11, 1);
    p.to = ymd(2026, 11, 30);
    rg_report r;
    run("channels", &p, &r);
    assert_int_equal(r.n_funnel, 3);
    funnel_is(funnel(&r, "", "", "email"), 2, 2, 1, 1, 1, 10, 1, 5000);
    funnel_is(funnel(&r, "", "", "sms"), 2, 1, 0, 0, 1, 20, 1, 4000);
    funnel_is(funnel(&r, "", "", "whatsapp"), 1, 1, 1, 1, 1, 30, 1, 8000);
    double v;
    assert_true(rg_funnel_return(funnel(&r, "", "", "email"), &v));
    assert_true(fabs(v - 500.0) < 1e-12); /* R$ 50,00 recovered per R$ 0,10 */
    assert_true(rg_funnel_return(funnel(&r, "", "", "whatsapp"), &v));
    assert_true(fabs(v - 8000.0 / 30.0) < 1e-12);
    rg_err e;
    rg_report_table t;
    assert_int_equal(rg_report_table_make(&r, &t, &e), RG_OK);
    assert_string_equal(t.cols[0], "channel");
    assert_int_equal(t.n_rows, 4);
    /* whatsapp: cost 0,30, attributed 80,00, 266,67 per real */
    assert_string_equal(t.cells[2 * t.n_cols + 0], "whatsapp");
    assert_string_equal(t.cells[2 * t.n_cols + 6], "0,30");
    assert_string_equal(t.cells[2 * t.n_cols + 8], "80,00");
    assert_string_equal(t.cells[2 * t.n_cols + 9], "266,67");
    rg_report_table_free(&t);
    rg_report_free(&r);

    /* December: M6 alone, no payment */
    p.from = ymd(2026, 12, 1);
    p.to = ymd(2026, 12, 9);
    run("channels", &p, &r);
    assert_int_equal(r.n_funnel, 1);
    funnel_is(funnel(&r, "", "", "email"), 1, 0, 0, 0, 0, 5, 0, 0);
    assert_true(rg_funnel_return(&r.funnel[0], &v)); /* spent, nothing back */
    assert_true(v == 0.0);
    rg_funnel_row free_row;
    memset(&free_row, 0, sizeof free_row);
    assert_false(rg_funnel_return(&free_row, &v)); /* nothing spent: no ratio */
    assert_int_equal(r.unattributed.count, 1); /* P3: F3 had no message */
    rg_report_free(&r);
}

/* ---- the funnels' summary (migration 20): kept by the writes, equal to a rebuild ---- */

/* The summary as the rows say it should be, computed from scratch (the
 * opens from the events, the last touch searched again), minus the
 * summary: both directions must be empty. */
static const char *const summary_diff[] = {
    "SELECT slot, cadence, step, channel, sent, delivered, engaged, cost, paid_m1, paid_0, paid_1_6, paid_7, paid_8,"
    " paid_9 FROM report_funnel WHERE sent OR delivered OR engaged OR cost OR paid_m1 OR paid_0 OR paid_1_6"
    " OR paid_7 OR paid_8 OR paid_9",
    "SELECT m.sent_at / 900, m.cadence, m.source_id, m.channel, count(*), sum(m.delivered_at IS NOT NULL),"
    " sum(m.read_at IS NOT NULL OR EXISTS (SELECT 1 FROM events ev WHERE ev.message_id = m.id"
    "  AND ev.type IN ('email.opened', 'link.clicked'))), sum(m.cost),"
    " sum(coalesce(i.paid_on - m.sent_at / 86400, -99) = -1), sum(coalesce(i.paid_on - m.sent_at / 86400, -99) = 0),"
    " sum(coalesce(i.paid_on - m.sent_at / 86400, -99) BETWEEN 1 AND 6),"
    " sum(coalesce(i.paid_on - m.sent_at / 86400, -99) = 7), sum(coalesce(i.paid_on - m.sent_at / 86400, -99) = 8),"
    " sum(coalesce(i.paid_on - m.sent_at / 86400, -99) >= 9)"
    " FROM messages m LEFT JOIN invoices i ON i.id = m.invoice_id WHERE m.sent_at IS NOT NULL GROUP BY 1, 2, 3, 4",
    "SELECT slot, touched, cadence, step, channel, payments, amount FROM report_attribution"
    " WHERE payments OR amount",
    "SELECT p.paid_at / 900, m.id IS NOT NULL, coalesce(m.cadence, ''), coalesce(m.source_id, ''),"
    " coalesce(m.channel, ''), count(*), sum(p.amount) FROM payments p LEFT JOIN messages m ON m.id ="
    " (SELECT x.id FROM messages x WHERE x.invoice_id = p.invoice_id AND x.sent_at <= p.paid_at"
    "  ORDER BY x.sent_at DESC, x.id DESC LIMIT 1) GROUP BY 1, 2, 3, 4, 5",
};

static void summary_matches_rows(sqlite3 *db)
{
    char sql[4096];
    for (int k = 0; k < 4; k += 2)
        for (int dir = 0; dir < 2; dir++) {
            snprintf(sql, sizeof sql, "SELECT count(*) FROM (%s EXCEPT %s)", summary_diff[k + dir],
                     summary_diff[k + 1 - dir]);
            if (count_of(db, sql) != 0)
                fail_msg("the summary differs from its rows: %s", sql);
        }
    /* each payment carries its invoice's due date */
    assert_int_equal(count_of(db, "SELECT count(*) FROM payments p JOIN invoices i ON i.id = p.invoice_id"
                                  " WHERE p.due_date IS NOT i.due_date"),
                     0);
}

static void exec_sql(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : "?");
}

/* The fixture's summary (kept by the triggers, or filled by the
 * migration) is what its rows say. */
static void test_summary_matches_rows(void **state)
{
    (void)state;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(store_path, &db), SQLITE_OK);
    assert_true(count_of(db, "SELECT count(*) FROM report_funnel") > 0);
    assert_true(count_of(db, "SELECT count(*) FROM report_attribution WHERE touched") > 0);
    summary_matches_rows(db);
    sqlite3_close(db);
}

/* Writes rows (SQL), then checks the summary against them. */
static void write_rows(sqlite3 *db, const char *sql)
{
    exec_sql(db, sql);
    summary_matches_rows(db);
}

/* A new database at the newest schema with customer C1: the store and a
 * connection to write rows with. */
static sqlite3 *scratch(const char *name, rg_store **s)
{
    rg_err e;
    const char *path = rg_test_path(name);
    assert_int_equal(rg_store_open(path, s, &e), RG_OK);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    exec_sql(db, "INSERT INTO customers (id, external_id, name, created_at, updated_at) VALUES (1, 'C1', 'Ana', 0, 0)");
    return db;
}

/* Writes after the fact move the figures of the day a message was sent:
 * a delivery days later, a payment that comes before a message recorded
 * after it, a payment of the invoice, a send undone (sent_at cleared), an
 * open. After each, the summary equals its rebuild from the rows. */
static void test_summary_upkeep(void **state)
{
    (void)state;
    rg_store *s = NULL;
    sqlite3 *db = scratch("reports_upkeep.db", &s);
    rg_store *fixture = store;
    store = s; /* run() reads this database */
    write_rows(db, "INSERT INTO invoices (id, external_id, customer_id, amount, due_date, status, created_at,"
                 " updated_at) VALUES (1, 'F1', 1, 10000, " D("2026-11-20") ", 'open', 0, 0);"
                 /* queued: not in the funnel */
                 "INSERT INTO messages (id, idempotency_key, customer_id, invoice_id, cadence, source_kind,"
                 " source_id, channel, status, planned_for, cost, created_at, updated_at) VALUES"
                 " (1, 'k1', 1, 1, 'padrao', 'step', 'd1', 'email', 'queued', 0, 0, 0, 0);");
    rg_report_params p = params();
    p.from = p.to = ymd(2026, 11, 20);
    rg_report r;
    run("steps", &p, &r);
    assert_int_equal(r.n_funnel, 0);
    rg_report_free(&r);

    /* sent on the 20th (the dispatcher's update) */
    write_rows(db, "UPDATE messages SET status = 'sent', sent_at = " T("2026-11-20 12:00") ", cost = 5 WHERE id = 1");
    /* a payment in part at 14:00: M1 is its last touch */
    write_rows(db, "INSERT INTO payments (invoice_id, amount, paid_at, source, reference, created_at)"
                 " VALUES (1, 3000, " T("2026-11-20 14:00") ", 'manual', 'P1', 0)");
    run("steps", &p, &r);
    funnel_is(funnel(&r, "padrao", "d1", ""), 1, 0, 0, 0, 0, 5, 1, 3000);
    rg_report_free(&r);

    /* a WhatsApp message recorded afterwards as sent at 13:00: now the last touch */
    write_rows(db, "INSERT INTO messages (id, idempotency_key, customer_id, invoice_id, cadence, source_kind,"
                 " source_id, channel, status, planned_for, sent_at, cost, created_at, updated_at) VALUES"
                 " (2, 'k2', 1, 1, 'padrao', 'step', 'd2', 'whatsapp', 'sent', 0, " T("2026-11-20 13:00") ", 30,"
                 " 0, 0)");
    run("steps", &p, &r);
    funnel_is(funnel(&r, "padrao", "d1", ""), 1, 0, 0, 0, 0, 5, 0, 0);
    funnel_is(funnel(&r, "padrao", "d2", ""), 1, 0, 0, 0, 0, 30, 1, 3000);
    rg_report_free(&r);

    /* M1 delivered five days after its day, M2 read; a click and an open
     * of M1 recorded (the store keeps the first: the open at 10:00) */
    write_rows(db, "UPDATE messages SET status = 'delivered', delivered_at = " T("2026-11-25 09:00") " WHERE id = 1;"
                 "UPDATE messages SET status = 'read', delivered_at = " T("2026-11-20 13:01") ", read_at = "
                 T("2026-11-20 13:05") " WHERE id = 2;");
    const rg_event opens[] = {{0, "link.clicked", 1795687260, "tracking", 1, 1, 1, NULL},
                              {0, "email.opened", 1795687200, "tracking", 1, 1, 1, NULL}};
    rg_err e;
    for (int i = 0; i < 2; i++)
        assert_int_equal(rg_store_event_add(s, &opens[i], NULL, &e), RG_OK);
    summary_matches_rows(db);
    assert_int_equal(count_of(db, "SELECT opened_at FROM messages WHERE id = 1"), 1795687200);
    run("steps", &p, &r);
    funnel_is(funnel(&r, "padrao", "d1", ""), 1, 1, 1, 0, 0, 5, 0, 0);
    funnel_is(funnel(&r, "padrao", "d2", ""), 1, 1, 1, 0, 0, 30, 1, 3000);
    rg_report_free(&r);

    /* the invoice paid in full on the 29th: within 7 days of the 20th for both */
    write_rows(db, "INSERT INTO payments (invoice_id, amount, paid_at, source, reference, created_at)"
                 " VALUES (1, 7000, " T("2026-11-29 15:00") ", 'manual', 'P2', 0);"
                 "UPDATE invoices SET paid = 10000, status = 'paid', paid_on = " D("2026-11-29") " WHERE id = 1");
    run("steps", &p, &r); /* P2 is on the 29th: not in this period's attribution */
    funnel_is(funnel(&r, "padrao", "d1", ""), 1, 1, 1, 0, 1, 5, 0, 0);
    funnel_is(funnel(&r, "padrao", "d2", ""), 1, 1, 1, 0, 1, 30, 1, 3000);
    rg_report_free(&r);
    /* (9 days: paid, not within 7; moved to the 27th it is) */
    write_rows(db, "UPDATE invoices SET paid_on = " D("2026-11-27") " WHERE id = 1");
    run("steps", &p, &r);
    funnel_is(funnel(&r, "padrao", "d1", ""), 1, 1, 1, 1, 1, 5, 0, 0);
    rg_report_free(&r);

    /* M2's send undone (the provider refused it after all): P1 goes back to M1 */
    write_rows(db, "UPDATE messages SET status = 'failed', sent_at = NULL, cost = 0 WHERE id = 2");
    run("steps", &p, &r);
    assert_int_equal(r.n_funnel, 1);
    funnel_is(funnel(&r, "padrao", "d1", ""), 1, 1, 1, 1, 1, 5, 1, 3000);
    rg_report_free(&r);
    /* and M1 moved after P1: nothing before P1 any more */
    write_rows(db, "UPDATE messages SET sent_at = " T("2026-11-20 14:30") " WHERE id = 1");
    run("steps", &p, &r);
    funnel_is(funnel(&r, "padrao", "d1", ""), 1, 1, 1, 1, 1, 5, 0, 0);
    assert_int_equal(r.unattributed.count, 1);
    assert_int_equal(r.unattributed.amount, 3000);
    rg_report_free(&r);
    /* recovery: P2 on the 29th, after the due date (20th: a holiday, in
     * effect the 23rd), is money recovered; the due date extended past it
     * (the portal's "Prorrogar"), it is not */
    rg_report_params rp = params(), rp2 = params();
    rp.from = rp.to = ymd(2026, 11, 29);
    rp2.from = rp2.to = ymd(2026, 11, 24); /* the day F1 became overdue; paid since */
    run("recovery", &rp, &r);
    assert_int_equal(r.total.recovered.count, 1);
    assert_int_equal(r.total.recovered.amount, 7000);
    rg_report_free(&r);
    run("recovery", &rp2, &r);
    assert_int_equal(r.total.overdue.count, 1);
    assert_int_equal(r.total.overdue.amount, 10000);
    assert_int_equal(r.total.overdue_recovered, 10000);
    rg_report_free(&r);
    write_rows(db, "UPDATE invoices SET extended_from = due_date, due_date = " D("2026-12-15") " WHERE id = 1");
    run("recovery", &rp, &r);
    assert_int_equal(r.total.recovered.count, 0);
    rg_report_free(&r);
    run("recovery", &rp2, &r); /* paid before its new due date: never overdue */
    assert_int_equal(r.total.overdue.count, 0);
    rg_report_free(&r);
    /* back to the 20th, then cancelled: out of what became overdue */
    write_rows(db, "UPDATE invoices SET due_date = extended_from WHERE id = 1;"
                 "UPDATE invoices SET status = 'cancelled' WHERE id = 1");
    run("recovery", &rp2, &r);
    assert_int_equal(r.total.overdue.count, 0);
    rg_report_free(&r);
    exec_sql(db, "UPDATE invoices SET status = 'paid' WHERE id = 1");

    /* back before P1, then its channel changed (a fallback): P1 follows it */
    write_rows(db, "UPDATE messages SET sent_at = " T("2026-11-20 12:00") " WHERE id = 1;"
                 "UPDATE messages SET channel = 'sms' WHERE id = 1");
    run("channels", &p, &r);
    assert_int_equal(r.n_funnel, 1);
    funnel_is(funnel(&r, "", "", "sms"), 1, 1, 1, 1, 1, 5, 1, 3000);
    assert_int_equal(r.unattributed.count, 0);
    rg_report_free(&r);

    sqlite3_close(db);
    store = fixture;
    rg_store_close(s);
}

/* "Paid" and "within 7 days" count from the company's day of sending, not
 * the UTC day: at 22:30 in Sao Paulo it is already tomorrow in UTC, at
 * 05:00 in Tokyo (UTC+9) it is still yesterday in UTC. */
static void test_summary_company_day(void **state)
{
    (void)state;
    rg_err e;
    rg_store *s = NULL;
    sqlite3 *db = scratch("reports_zone.db", &s);
    write_rows(db, "INSERT INTO invoices (id, external_id, customer_id, amount, paid, due_date, status, paid_on,"
                 " created_at, updated_at) VALUES"
                 " (1, 'F1', 1, 100, 100, " D("2026-11-10") ", 'paid', " D("2026-11-20") ", 0, 0),"
                 " (2, 'F2', 1, 100, 100, " D("2026-11-10") ", 'paid', " D("2026-11-28") ", 0, 0),"
                 " (3, 'F3', 1, 100, 100, " D("2026-11-10") ", 'paid', " D("2026-11-20") ", 0, 0),"
                 " (4, 'F4', 1, 100, 100, " D("2026-11-10") ", 'paid', " D("2026-11-21") ", 0, 0);"
                 "INSERT INTO messages (idempotency_key, customer_id, invoice_id, cadence, source_kind, source_id,"
                 " channel, status, planned_for, sent_at, created_at, updated_at) VALUES"
                 /* 2026-11-21 01:30 UTC = 11-20 22:30 in Sao Paulo */
                 " ('k1', 1, 1, 'c', 'step', 'late', 'sms', 'sent', 0, " T("2026-11-21 01:30") ", 0, 0),"
                 " ('k2', 1, 2, 'c', 'step', 'late', 'sms', 'sent', 0, " T("2026-11-21 01:30") ", 0, 0),"
                 /* 2026-11-20 20:00 UTC = 11-21 05:00 in Tokyo */
                 " ('k3', 1, 3, 'c', 'step', 'early', 'sms', 'sent', 0, " T("2026-11-20 20:00") ", 0, 0),"
                 " ('k4', 1, 4, 'c', 'step', 'early', 'sms', 'sent', 0, " T("2026-11-20 20:00") ", 0, 0);");
    rg_report_params p = params();
    p.from = ymd(2026, 11, 20);
    p.to = ymd(2026, 11, 21);
    rg_report r;
    rg_err_clear(&e);
    assert_int_equal(rg_report_run(s, "steps", &p, &r, &e), RG_OK);
    /* Sao Paulo: F1 paid the day it was sent (UTC: the day before), F2 8
     * days after (UTC: 7) */
    funnel_is(funnel(&r, "c", "late", ""), 2, 0, 0, 1, 2, 0, 0, 0);
    rg_report_free(&r);
    rg_tz *tokyo = NULL;
    assert_int_equal(rg_tz_from_posix("JST-9", &tokyo, &e), RG_OK);
    p.tz = tokyo;
    assert_int_equal(rg_report_run(s, "steps", &p, &r, &e), RG_OK);
    /* Tokyo: sent on the 21st; F3 paid on the 20th (before), F4 the same day */
    funnel_is(funnel(&r, "c", "early", ""), 2, 0, 0, 1, 1, 0, 0, 0);
    rg_report_free(&r);
    rg_tz_free(tokyo);
    sqlite3_close(db);
    rg_store_close(s);
}

static void test_promises(void **state)
{
    (void)state;
    rg_report_params p = params();
    p.from = ymd(2026, 11, 1);
    p.to = ymd(2026, 11, 30);
    rg_report r;
    run("promises", &p, &r);
    assert_int_equal(r.made.count, 4);
    assert_int_equal(r.made.amount, 5000 + 9000 + 7000 + 2000);
    bucket_is(r.by_status, 0, 1, 7000);
    bucket_is(r.by_status, 1, 1, 5000);
    bucket_is(r.by_status, 2, 1, 9000);
    bucket_is(r.by_status, 3, 1, 2000);
    double v;
    assert_true(rg_promises_kept_rate(&r, &v));
    assert_true(fabs(v - 0.5) < 1e-12);
    /* the agreements made in November (company's days: 30/11 23:30 UTC is 20:30 there), by status now */
    assert_int_equal(r.agreements_made.count, 3);
    assert_int_equal(r.agreements_made.amount, 30900 + 10000 + 41600);
    bucket_is(r.agreements_by_status, 0, 1, 30900);
    bucket_is(r.agreements_by_status, 1, 1, 10000);
    bucket_is(r.agreements_by_status, 2, 1, 41600);
    bucket_is(r.agreements_by_status, 3, 0, 0);
    void *doc = NULL;
    rg_err e;
    assert_int_equal(rg_report_json(&r, &doc, &e), RG_OK);
    char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    assert_non_null(strstr(text, "\"agreements\":{\"active\":{\"amount\":\"309.00\",\"amount_cents\":30900,"
                                 "\"count\":1},\"broken\":{\"amount\":\"416.00\""));
    assert_non_null(strstr(text, "\"made\":{\"amount\":\"825.00\",\"amount_cents\":82500,\"count\":3}}"));
    free(text);
    assert_true(rg_agreements_completed_rate(&r, &v)); /* completed / (completed + broken) */
    assert_true(fabs(v - 0.5) < 1e-12);
    assert_true(fabs(json_real_value(json_object_get(json_object_get(doc, "agreements"), "completed_rate")) - 0.5) <
                1e-12);
    json_decref(doc);
    rg_report_table t;
    assert_int_equal(rg_report_table_make(&r, &t, &e), RG_OK);
    size_t len = 0;
    char *csv = rg_report_table_csv(&t, &len);
    assert_non_null(strstr(csv, "agreements_made;3;825,00\r\nagreements_active;1;309,00\r\n"
                                "agreements_completed;1;100,00\r\nagreements_broken;1;416,00\r\n"
                                "agreements_cancelled;0;0,00\r\n"));
    free(csv);
    rg_report_table_free(&t);
    rg_report_free(&r);

    /* none ended either way: no rate */
    p.from = p.to = ymd(2026, 11, 3);
    run("promises", &p, &r);
    bucket_is(&r.agreements_made, 0, 1, 30900);
    assert_false(rg_agreements_completed_rate(&r, &v));
    rg_report_free(&r);
}

static void test_open_tasks(void **state)
{
    (void)state;
    int64_t open = -1, claimed = -1;
    rg_err e;
    assert_int_equal(rg_report_open_tasks(store, &open, &claimed, &e), RG_OK);
    assert_int_equal(open, 2);
    assert_int_equal(claimed, 1);
}

static void test_bad_input(void **state)
{
    (void)state;
    rg_report_params p = params();
    rg_report r;
    rg_err e;
    rg_err_clear(&e);
    assert_int_equal(rg_report_run(store, "agin", &p, &r, &e), RG_EINVAL);
    assert_string_equal(e.where, "report");
    assert_non_null(strstr(e.msg, "aging, recovery"));
    p.from = ymd(2026, 12, 2);
    p.to = ymd(2026, 12, 1);
    assert_int_equal(rg_report_run(store, "recovery", &p, &r, &e), RG_EINVAL);
    assert_string_equal(e.where, "from");
    p.from = ymd(2000, 1, 1);
    assert_int_equal(rg_report_run(store, "recovery", &p, &r, &e), RG_EINVAL);
    assert_string_equal(e.where, "from");
    /* defaults: to = today, from = 29 days before */
    p = params();
    run("promises", &p, &r);
    assert_int_equal(r.to, ymd(2026, 12, 9));
    assert_int_equal(r.from, ymd(2026, 11, 10));
    rg_report_free(&r);
    rg_report_period per;
    assert_true(rg_report_period_parse("week", &per));
    assert_int_equal(per, RG_PERIOD_WEEK);
    assert_false(rg_report_period_parse("year", &per));
}

/* An empty portfolio (a new database: what the dashboard shows before any
 * import): every report runs and says zero — no sorting of absent rows
 * (UBSan, make sanitize). */
static void test_empty(void **state)
{
    (void)state;
    rg_store *empty = NULL;
    rg_err e;
    assert_int_equal(rg_store_open(":memory:", &empty, &e), RG_OK);
    rg_report_params p = params();
    static const char *const names[] = {"aging", "recovery", "steps", "channels", "promises"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        rg_report r;
        rg_err_clear(&e);
        assert_int_equal(rg_report_run(empty, names[i], &p, &r, &e), RG_OK);
        assert_int_equal(r.n_cadences + r.n_tags + r.n_funnel, 0);
        assert_int_equal(r.buckets[0].count + r.open_balance + r.funnel_total.sent + r.made.count, 0);
        if (!strcmp(names[i], "recovery"))
            assert_int_equal(r.n_rows, 30);
        rg_report_free(&r);
    }
    int64_t open = -1, claimed = -1;
    assert_int_equal(rg_report_open_tasks(empty, &open, &claimed, &e), RG_OK);
    assert_int_equal(open + claimed, 0);
    rg_store_close(empty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aging_buckets),
        cmocka_unit_test(test_aging_json_and_csv),
        cmocka_unit_test(test_csv_quotes_and_money),
        cmocka_unit_test(test_recovery),
        cmocka_unit_test(test_steps),
        cmocka_unit_test(test_channels),
        cmocka_unit_test(test_summary_matches_rows),
        cmocka_unit_test(test_summary_upkeep),
        cmocka_unit_test(test_summary_company_day),
        cmocka_unit_test(test_promises),
        cmocka_unit_test(test_open_tasks),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_bad_input),
    };
    const struct CMUnitTest migrated[] = {
        cmocka_unit_test(test_aging_buckets), cmocka_unit_test(test_recovery),
        cmocka_unit_test(test_steps),         cmocka_unit_test(test_channels),
        cmocka_unit_test(test_promises),      cmocka_unit_test(test_summary_matches_rows),
    };
    int failed = cmocka_run_group_tests_name("reports", tests, setup, teardown);
    return failed + cmocka_run_group_tests_name("reports_migrated", migrated, setup_migrated, teardown);
}
