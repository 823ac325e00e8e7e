/*
 * The SQLite backend: WAL, foreign keys, STRICT tables, every statement
 * prepared once (persistent) with bound values, migrations at open.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "store/backend.h"
#include "store/schema.h"
#include "store/sqlite_int.h"

enum {
    ST_CUSTOMER_ID,
    ST_CUSTOMER_INSERT,
    ST_CUSTOMER_UPDATE,
    ST_CUSTOMER_BY_EXT,
    ST_CUSTOMER_BY_ID,
    ST_INVOICE_ID,
    ST_INVOICE_INSERT,
    ST_INVOICE_UPDATE,
    ST_INVOICE_BY_EXT,
    ST_INVOICE_BY_ID,
    ST_INVOICE_SET_PAID,
    ST_INVOICE_BY_NOSSO,
    ST_INVOICE_LIST,
    ST_INVOICE_LIST_CUSTOMER,
    ST_PAYMENT_INSERT,
    ST_PAYMENT_FIND,
    ST_PAYMENT_EACH,
    ST_EVENT_INSERT,
    ST_EVENT_EACH_INVOICE,
    ST_MESSAGE_OPENED,
    ST_SAVEPOINT,
    ST_SAVEPOINT_RELEASE,
    ST_SAVEPOINT_ROLLBACK,
    ST_COUNT
};

typedef struct sqlite_store {
    rg_sq_common c;
    sqlite3_stmt *st[ST_COUNT];
    char *sql[ST_COUNT]; /* statements built at open (owned) */
} sqlite_store;

/* Columns an upsert may set, in binding order, with the field bit that
 * lets an update touch them. */
typedef struct col_desc {
    const char *name;
    unsigned bit;
} col_desc;

static const col_desc customer_cols[] = {
    {"name", RG_CF_NAME},           {"document", RG_CF_DOCUMENT},
    {"kind", RG_CF_DOCUMENT},       {"email", RG_CF_EMAIL},
    {"phone", RG_CF_PHONE},         {"whatsapp", RG_CF_WHATSAPP},
    {"preferred_channel", RG_CF_PREFERRED}, {"timezone", RG_CF_TIMEZONE},
    {"tags", RG_CF_TAGS},           {"street", RG_CF_STREET},
    {"number", RG_CF_NUMBER},       {"complement", RG_CF_COMPLEMENT},
    {"district", RG_CF_DISTRICT},   {"city", RG_CF_CITY},
    {"state", RG_CF_STATE},         {"zip", RG_CF_ZIP},
};
#define N_CUSTOMER_COLS (sizeof customer_cols / sizeof customer_cols[0])

static const col_desc invoice_cols[] = {
    {"customer_id", RG_IF_CUSTOMER},  {"description", RG_IF_DESCRIPTION},
    {"amount", RG_IF_AMOUNT},         {"issue_date", RG_IF_ISSUE_DATE},
    {"due_date", RG_IF_DUE_DATE},     {"status", RG_IF_STATUS},
    {"boleto_bank", RG_IF_BOLETO_BANK}, {"nosso_numero", RG_IF_NOSSO},
    {"barcode", RG_IF_BOLETO},        {"linha_digitavel", RG_IF_BOLETO},
    {"pix_code", RG_IF_PIX},          {"payment_url", RG_IF_PAYMENT_URL},
    {"fine_pct", RG_IF_FINE},         {"interest_month_pct", RG_IF_INTEREST},
    {"tags", RG_IF_TAGS},
};
#define N_INVOICE_COLS (sizeof invoice_cols / sizeof invoice_cols[0])

static const char *const fixed_sql[ST_COUNT] = {
    [ST_CUSTOMER_ID] = "SELECT id FROM customers WHERE external_id = ?1",
    [ST_SAVEPOINT] = "SAVEPOINT item",
    [ST_SAVEPOINT_RELEASE] = "RELEASE item",
    [ST_SAVEPOINT_ROLLBACK] = "ROLLBACK TO item",
    [ST_CUSTOMER_BY_EXT] = CUSTOMER_SELECT "WHERE external_id = ?1",
    [ST_CUSTOMER_BY_ID] = CUSTOMER_SELECT "WHERE id = ?1",
    [ST_INVOICE_ID] = "SELECT id FROM invoices WHERE external_id = ?1",
    [ST_INVOICE_BY_EXT] = INVOICE_SELECT "WHERE i.external_id = ?1",
    /* a page: keyset on the primary key (SEARCH i USING INTEGER PRIMARY KEY
     * (rowid>?), then each row's customer by its primary key) */
    [ST_INVOICE_LIST] = INVOICE_SELECT "WHERE i.id > ?1 AND (?3 IS NULL OR i.status = ?3)"
                                       " AND (?4 IS NULL OR i.due_date >= ?4) AND (?5 IS NULL OR i.due_date <= ?5)"
                                       " ORDER BY i.id LIMIT ?6",
    /* one customer's: through invoices_customer (customer_id, then id), not a
     * walk over every invoice from after_id on (a page of a customer with few
     * invoices among a million) */
    [ST_INVOICE_LIST_CUSTOMER] =
        INVOICE_SELECT "WHERE i.customer_id = (SELECT id FROM customers WHERE external_id = ?2) AND i.id > ?1"
                       " AND (?3 IS NULL OR i.status = ?3)"
                       " AND (?4 IS NULL OR i.due_date >= ?4) AND (?5 IS NULL OR i.due_date <= ?5)"
                       " ORDER BY i.id LIMIT ?6",
    [ST_INVOICE_BY_ID] = INVOICE_SELECT "WHERE i.id = ?1",
    [ST_INVOICE_BY_NOSSO] = INVOICE_SELECT "WHERE i.nosso_numero <> '' AND ltrim(i.nosso_numero, '0') = ltrim(?1, '0')"
                            " ORDER BY i.id LIMIT 1",
    [ST_INVOICE_SET_PAID] = "UPDATE invoices SET paid = ?2, status = ?3, updated_at = ?4,"
                            " paid_on = coalesce(?5, paid_on) WHERE id = ?1",
    [ST_PAYMENT_INSERT] = "INSERT INTO payments (invoice_id, amount, paid_at, method, source,"
                          " reference, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                          " ON CONFLICT (invoice_id, reference) DO NOTHING",
    [ST_PAYMENT_FIND] = "SELECT id FROM payments WHERE invoice_id = ?1 AND reference = ?2",
    [ST_PAYMENT_EACH] = "SELECT p.id, p.invoice_id, i.external_id, p.amount, p.paid_at, p.method,"
                        " p.source, p.reference, p.created_at FROM payments p"
                        " JOIN invoices i ON i.id = p.invoice_id WHERE p.invoice_id = ?1"
                        " ORDER BY p.paid_at, p.id",
    [ST_EVENT_INSERT] = "INSERT INTO events (type, at, source, customer_id, invoice_id, message_id,"
                        " payload) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_EVENT_EACH_INVOICE] = "SELECT id, type, at, source, customer_id, invoice_id, message_id,"
                              " payload FROM events WHERE invoice_id = ?1 ORDER BY at, id",
    /* the reports' messages.opened_at (migration 20): the first open or
     * click; its trigger moves the message's funnel row */
    [ST_MESSAGE_OPENED] = "UPDATE messages SET opened_at = ?2 WHERE id = ?1 AND (opened_at IS NULL OR opened_at > ?2)",
};

/* SQLITE_BUSY (and SQLITE_LOCKED) mean another connection holds the lock
 * for longer than this connection's busy timeout: RG_EBUSY, worth a retry. */
static rg_status code_of(sqlite3 *db)
{
    int rc = sqlite3_errcode(db) & 0xFF;
    return rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? RG_EBUSY : RG_ESTORE;
}

/* The status of a call that failed after a callee set *e (RG_EBUSY or
 * RG_ESTORE), for the functions below that pass the failure on. */
static rg_status failed(const rg_err *e)
{
    return e && e->code == RG_EBUSY ? RG_EBUSY : RG_ESTORE;
}

rg_status rg_sq_fail(rg_sq_common *s, rg_err *e, const char *what)
{
    return rg_err_set(e, code_of(s->db), "store", "%s: %s", what, sqlite3_errmsg(s->db));
}

/* Builds "INSERT INTO t (ext, cols..., created_at, updated_at) VALUES (?1..)"
 * and the masked UPDATE whose WHERE makes an unchanged row a no-op.
 * Parameters: insert ?1 external_id, ?2.. cols, ?N now;
 * update ?1 id, ?2 mask, ?3.. cols, ?N now. */
static char *build_insert(const char *table, const col_desc *cols, size_t n)
{
    rg_buf b = RG_BUF_INIT;
    rg_buf_printf(&b, "INSERT INTO %s (external_id", table);
    for (size_t i = 0; i < n; i++)
        rg_buf_printf(&b, ", %s", cols[i].name);
    rg_buf_puts(&b, ", created_at, updated_at) VALUES (?1");
    for (size_t i = 0; i < n; i++)
        rg_buf_printf(&b, ", ?%zu", i + 2);
    rg_buf_printf(&b, ", ?%zu, ?%zu) ON CONFLICT (external_id) DO NOTHING", n + 2, n + 2);
    if (b.oom) {
        rg_buf_free(&b);
        return NULL;
    }
    return rg_buf_detach(&b);
}

static char *build_update(const char *table, const col_desc *cols, size_t n)
{
    rg_buf b = RG_BUF_INIT;
    rg_buf_printf(&b, "UPDATE %s SET ", table);
    /* an invoice's due date moved by the portal (extended_from) stays when
     * an update states the one it had before again (the ERP's next export) */
    bool invoices = !strcmp(table, "invoices");
    for (size_t i = 0; i < n; i++) {
        const char *keep = invoices && !strcmp(cols[i].name, "due_date") ? " AND extended_from IS NOT ?" : "";
        rg_buf_printf(&b, "%s = CASE WHEN (?2 & %u) <> 0%s", cols[i].name, cols[i].bit, keep);
        if (keep[0])
            rg_buf_printf(&b, "%zu", i + 3);
        rg_buf_printf(&b, " THEN ?%zu ELSE %s END, ", i + 3, cols[i].name);
    }
    rg_buf_printf(&b, "updated_at = ?%zu WHERE id = ?1 AND (0", n + 3);
    for (size_t i = 0; i < n; i++) {
        const char *keep = invoices && !strcmp(cols[i].name, "due_date") ? " AND extended_from IS NOT ?" : "";
        rg_buf_printf(&b, " OR ((?2 & %u) <> 0 AND %s IS NOT ?%zu%s", cols[i].bit, cols[i].name, i + 3, keep);
        if (keep[0])
            rg_buf_printf(&b, "%zu", i + 3);
        rg_buf_puts(&b, ")");
    }
    rg_buf_puts(&b, ")");
    if (b.oom) {
        rg_buf_free(&b);
        return NULL;
    }
    return rg_buf_detach(&b);
}

static sqlite3_stmt *stmt(sqlite_store *s, int which, rg_err *e)
{
    if (s->st[which])
        return s->st[which];
    const char *sql = s->sql[which] ? s->sql[which] : fixed_sql[which];
    if (sqlite3_prepare_v3(s->c.db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st[which], NULL) !=
        SQLITE_OK) {
        rg_sq_fail(&s->c, e, "prepare");
        s->st[which] = NULL;
        return NULL;
    }
    return s->st[which];
}

void rg_sq_done(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

void rg_sq_bind_text(sqlite3_stmt *st, int i, const char *v)
{
    sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_STATIC);
}

void rg_sq_bind_date(sqlite3_stmt *st, int i, rg_date d)
{
    if (d == RG_DATE_NONE)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int64(st, i, d);
}

void rg_sq_bind_opt_i64(sqlite3_stmt *st, int i, int64_t v, int64_t none)
{
    if (v == none)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int64(st, i, v);
}

void rg_sq_col_text(sqlite3_stmt *st, int i, char *dst, size_t n)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    rg_strlcpy(dst, t ? (const char *)t : "", n);
}

rg_date rg_sq_col_date(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? RG_DATE_NONE
                                                      : (rg_date)sqlite3_column_int64(st, i);
}

int64_t rg_sq_col_opt_i64(sqlite3_stmt *st, int i, int64_t none)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? none : sqlite3_column_int64(st, i);
}

rg_status rg_sq_exec(rg_sq_common *s, const char *sql, rg_err *e)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        rg_status rc = rg_err_set(e, code_of(s->db), "store", "%s", msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return rc;
    }
    return RG_OK;
}

/* ---- lifecycle ---- */

static void sq_close(rg_store *base)
{
    sqlite_store *s = (sqlite_store *)base;
    for (int i = 0; i < ST_COUNT; i++) {
        sqlite3_finalize(s->st[i]);
        free(s->sql[i]);
    }
    rg_sq_engine_finalize(&s->c);
    if (s->c.in_ckpt_txn) /* closed inside a write transaction: it ends here */
        rg_sq_ckpt_leave(s->c.attached);
    rg_sq_ckpt_stop(s->c.ckpt);
    sqlite3_close(s->c.db);
    free(s);
}

static int user_version(sqlite_store *s)
{
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(s->c.db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Whether migration n left a row whose foreign key points nowhere (*e says
 * which); run inside the migration's transaction. */
static bool foreign_keys_broken(sqlite_store *s, int n, rg_err *e)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->c.db, "PRAGMA foreign_key_check", -1, &st, NULL) != SQLITE_OK) {
        rg_sq_fail(&s->c, e, "checking foreign keys");
        return true;
    }
    int r = sqlite3_step(st);
    bool broken = r != SQLITE_DONE;
    if (r == SQLITE_ROW)
        rg_err_set(e, RG_ESTORE, "store", "migration %d would leave a row of %s (rowid %lld) pointing to no %s", n,
                   (const char *)sqlite3_column_text(st, 0), (long long)sqlite3_column_int64(st, 1),
                   (const char *)sqlite3_column_text(st, 2));
    else if (broken)
        rg_sq_fail(&s->c, e, "checking foreign keys");
    sqlite3_finalize(st);
    return broken;
}

static rg_status migrate(sqlite_store *s, rg_err *e)
{
    int v = user_version(s);
    if (v < 0)
        return rg_sq_fail(&s->c, e, "reading the schema version");
    if (v > rg_schema_version)
        return rg_err_set(e, RG_ESTORE, "store",
                          "the database has schema version %d but this regua knows only up to %d;"
                          " use a newer regua",
                          v, rg_schema_version);
    if (v == rg_schema_version)
        return RG_OK;
    /* A migration may rebuild a table (SQLite changes a CHECK no other way):
     * foreign keys are off while they run (the pragma is a no-op inside a
     * transaction) and checked before each commit. */
    if (rg_sq_exec(&s->c, "PRAGMA foreign_keys = OFF", e) != RG_OK)
        return failed(e);
    rg_status rc = RG_OK;
    for (int i = v; i < rg_schema_version && rc == RG_OK; i++) {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", i + 1);
        if (rg_sq_exec(&s->c, "BEGIN IMMEDIATE", e) != RG_OK) {
            rc = failed(e);
            break;
        }
        if (rg_sq_exec(&s->c, rg_schema_migrations[i], e) != RG_OK || foreign_keys_broken(s, i + 1, e) ||
            rg_sq_exec(&s->c, pragma, e) != RG_OK) {
            rg_err_prefix(e, "migration");
            rg_sq_exec(&s->c, "ROLLBACK", NULL);
            rc = failed(e);
            break;
        }
        if (rg_sq_exec(&s->c, "COMMIT", e) != RG_OK)
            rc = failed(e);
    }
    rg_err fe;
    if (rg_sq_exec(&s->c, "PRAGMA foreign_keys = ON", &fe) != RG_OK && rc == RG_OK) {
        *e = fe;
        rc = failed(e);
    }
    return rc;
}

static const rg_store_ops sqlite_ops;

/* The statements built from the column tables (an upsert's INSERT and its
 * masked UPDATE), for a connection that writes. */
static rg_status build_statements(sqlite_store *s, rg_err *e)
{
    s->sql[ST_CUSTOMER_INSERT] = build_insert("customers", customer_cols, N_CUSTOMER_COLS);
    s->sql[ST_CUSTOMER_UPDATE] = build_update("customers", customer_cols, N_CUSTOMER_COLS);
    s->sql[ST_INVOICE_INSERT] = build_insert("invoices", invoice_cols, N_INVOICE_COLS);
    s->sql[ST_INVOICE_UPDATE] = build_update("invoices", invoice_cols, N_INVOICE_COLS);
    for (int i = 0; i < ST_COUNT; i++)
        if (!s->sql[i] && !fixed_sql[i])
            return rg_err_set(e, RG_ENOMEM, "store", "out of memory");
    return RG_OK;
}

/* Opens one connection to path with the given flags and busy timeout and
 * runs the pragmas; *out is NULL on failure (everything closed). */
static rg_status connect_db(const char *path, int flags, int busy_ms, const char *pragmas, sqlite_store **out,
                            rg_err *e)
{
    *out = NULL;
    sqlite_store *s = calloc(1, sizeof *s);
    if (!s)
        return rg_err_set(e, RG_ENOMEM, "store", "out of memory");
    s->c.base.ops = &sqlite_ops;
    rg_status rc = RG_OK;
    if (sqlite3_open_v2(path, &s->c.db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        rc = rg_err_set(e, RG_ESTORE, path, "cannot open database: %s",
                        s->c.db ? sqlite3_errmsg(s->c.db) : "out of memory");
    } else {
        sqlite3_busy_timeout(s->c.db, busy_ms);
        sqlite3_extended_result_codes(s->c.db, 1);
        if ((rc = rg_sq_exec(&s->c, pragmas, e)) != RG_OK)
            rg_err_prefix(e, path);
    }
    if (rc != RG_OK) {
        sq_close(&s->c.base);
        return rc;
    }
    *out = s;
    return RG_OK;
}

rg_status rg_sqlite_open(const char *path, rg_store **out, rg_err *e)
{
    sqlite_store *s;
    *out = NULL;
    rg_status rc = connect_db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 10000,
                              "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                              " PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;"
                              /* a 128 MB page cache: ticks and imports touch many pages more than once */
                              " PRAGMA cache_size = -131072;"
                              /* checkpoint every 64 MB of WAL rather than every 4 MB: fewer, larger copies */
                              " PRAGMA wal_autocheckpoint = 16384;",
                              &s, e);
    if (rc != RG_OK)
        return rc;
    if ((rc = migrate(s, e)) != RG_OK)
        rg_err_prefix(e, path);
    else
        rc = build_statements(s, e);
    if (rc != RG_OK) {
        sq_close(&s->c.base);
        return rc;
    }
    *out = &s->c.base;
    return RG_OK;
}

/* The file behind a connection, or NULL for an in-memory database. */
static const char *file_of(sqlite_store *s)
{
    const char *path = sqlite3_db_filename(s->c.db, "main");
    return path && *path ? path : NULL;
}

/* Another read-write connection to the same (already migrated) file, for
 * another thread: WAL lets its reads run beside any writer; its writes wait
 * at most busy_ms for the write lock (then RG_EBUSY). */
static rg_status sq_open_peer(rg_store *base, int busy_ms, rg_store **out, rg_err *e)
{
    const char *path = file_of((sqlite_store *)base);
    sqlite_store *s;
    *out = NULL;
    if (!path)
        return rg_err_set(e, RG_EINVAL, "store", "an in-memory database has no second connection");
    rg_status rc = connect_db(path, SQLITE_OPEN_READWRITE, busy_ms,
                              "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
                              " PRAGMA temp_store = MEMORY; PRAGMA cache_size = -8192;"
                              /* the main connection's checkpoint policy (every 64 MB, not 4),
                               * unless base has a checkpointer: then the peer is attached to it
                               * below and checkpoints nothing itself (sqlite_ckpt.c) */
                              " PRAGMA wal_autocheckpoint = 16384;",
                              &s, e);
    if (rc != RG_OK)
        return rc;
    rg_sq_ckpt *k = ((sqlite_store *)base)->c.ckpt;
    if ((rc = build_statements(s, e)) == RG_OK && k && (rc = rg_sq_ckpt_attach(k, s->c.db, e)) == RG_OK)
        s->c.attached = k;
    if (rc != RG_OK) {
        sq_close(&s->c.base);
        return rc;
    }
    *out = &s->c.base;
    return RG_OK;
}

static rg_status sq_checkpointer_start(rg_store *base, int64_t wal_bytes, rg_err *e)
{
    sqlite_store *s = (sqlite_store *)base;
    const char *path = file_of(s);
    if (!path)
        return rg_err_set(e, RG_EINVAL, "store", "an in-memory database has no write-ahead log to checkpoint");
    if (s->c.ckpt)
        return rg_err_set(e, RG_ECONFLICT, "store", "this store's checkpointer is already running");
    return rg_sq_ckpt_start(path, wal_bytes, &s->c.ckpt, e);
}

static void sq_checkpointer_stats(rg_store *base, rg_store_ckpt_stats *out)
{
    sqlite_store *s = (sqlite_store *)base;
    if (s->c.ckpt)
        rg_sq_ckpt_stats(s->c.ckpt, out);
}

static void sq_checkpointer_stop(rg_store *base)
{
    sqlite_store *s = (sqlite_store *)base;
    rg_sq_ckpt_stop(s->c.ckpt);
    s->c.ckpt = NULL;
}

/* A second, read-only connection to the same database file, for a tick's
 * read-ahead on another thread (each connection is used by one thread).
 * An in-memory database has no second connection: RG_EINVAL. */
static rg_status sq_open_reader(rg_store *base, rg_store **out, rg_err *e)
{
    const char *path = file_of((sqlite_store *)base);
    sqlite_store *s;
    *out = NULL;
    if (!path)
        return rg_err_set(e, RG_EINVAL, "store", "an in-memory database has no second connection");
    /* the reader walks the open invoices once: a small cache will do */
    rg_status rc = connect_db(path, SQLITE_OPEN_READONLY, 10000, "PRAGMA query_only = ON; PRAGMA cache_size = -16384;",
                              &s, e);
    if (rc == RG_OK)
        *out = &s->c.base;
    return rc;
}

static int64_t count(sqlite_store *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t n = -1;
    if (sqlite3_prepare_v2(s->c.db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static rg_status sq_info_get(rg_store *base, rg_store_info *out, rg_err *e)
{
    sqlite_store *s = (sqlite_store *)base;
    memset(out, 0, sizeof *out);
    out->backend = "sqlite";
    rg_strlcpy(out->version, sqlite3_libversion(), sizeof out->version);
    out->schema_version = user_version(s);
    out->customers = count(s, "SELECT count(*) FROM customers");
    out->invoices = count(s, "SELECT count(*) FROM invoices");
    out->open_invoices = count(s, "SELECT count(*) FROM invoices WHERE status = 'open'");
    out->payments = count(s, "SELECT count(*) FROM payments");
    out->messages = count(s, "SELECT count(*) FROM messages");
    if (out->schema_version < 0 || out->customers < 0)
        return rg_sq_fail(&s->c, e, "reading store status");
    return RG_OK;
}

/* An attached connection's write transaction is counted by its
 * checkpointer (it waits at the gate first) until it has ended. */
static void ckpt_txn_ended(sqlite_store *s)
{
    if (s->c.in_ckpt_txn && sqlite3_get_autocommit(s->c.db)) {
        s->c.in_ckpt_txn = false;
        rg_sq_ckpt_leave(s->c.attached);
    }
}

static rg_status sq_begin(rg_store *base, rg_err *e)
{
    sqlite_store *s = (sqlite_store *)base;
    if (s->c.attached && !s->c.in_ckpt_txn) {
        rg_sq_ckpt_enter(s->c.attached);
        s->c.in_ckpt_txn = true;
    }
    rg_status rc = rg_sq_exec(&s->c, "BEGIN IMMEDIATE", e);
    ckpt_txn_ended(s); /* when it failed */
    return rc;
}

/* DEFERRED: no lock until the first read, which fixes the snapshot (WAL). */
static rg_status sq_begin_read(rg_store *base, rg_err *e)
{
    return rg_sq_exec(&((sqlite_store *)base)->c, "BEGIN DEFERRED", e);
}

static rg_status sq_commit(rg_store *base, rg_err *e)
{
    sqlite_store *s = (sqlite_store *)base;
    rg_status rc = rg_sq_exec(&s->c, "COMMIT", e);
    ckpt_txn_ended(s);
    return rc;
}

static void sq_rollback(rg_store *base)
{
    sqlite_store *s = (sqlite_store *)base;
    if (!sqlite3_get_autocommit(s->c.db))
        rg_sq_exec(&s->c, "ROLLBACK", NULL);
    ckpt_txn_ended(s);
}

/* A savepoint inside the transaction: what follows can be undone alone
 * (prepared once: a group commit takes one per item). */
static rg_status sq_savepoint(rg_store *base, rg_err *e)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3_stmt *st = stmt(s, ST_SAVEPOINT, e);
    return st ? rg_sq_step_done(&s->c, st, e, "savepoint") : RG_ESTORE;
}

static int64_t sq_writes(rg_store *base)
{
    return (int64_t)sqlite3_total_changes64(((sqlite_store *)base)->c.db);
}

static rg_status sq_savepoint_release(rg_store *base, rg_err *e)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3_stmt *st = stmt(s, ST_SAVEPOINT_RELEASE, e);
    return st ? rg_sq_step_done(&s->c, st, e, "releasing a savepoint") : RG_ESTORE;
}

static void sq_savepoint_rollback(rg_store *base)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3_stmt *st = stmt(s, ST_SAVEPOINT_ROLLBACK, NULL);
    if (st && rg_sq_step_done(&s->c, st, NULL, "rolling back to a savepoint") == RG_OK)
        sq_savepoint_release(base, NULL);
}

/* ---- generic helpers ---- */

/* Looks up an id by external id; *id = 0 when absent. */
static rg_status lookup_id(sqlite_store *s, int which, const char *external_id, int64_t *id, rg_err *e)
{
    sqlite3_stmt *st = stmt(s, which, e);
    *id = 0;
    if (!st)
        return failed(e);
    rg_sq_bind_text(st, 1, external_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    rg_sq_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return rg_sq_fail(&s->c, e, "lookup");
    return RG_OK;
}

rg_status rg_sq_step_done(rg_sq_common *s, sqlite3_stmt *st, rg_err *e, const char *what)
{
    int rc = sqlite3_step(st);
    rg_sq_done(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return rg_sq_fail(s, e, what);
    return RG_OK;
}

/* ---- customers ---- */

static void bind_customer_cols(sqlite3_stmt *st, int first, const rg_customer *c)
{
    int i = first;
    rg_sq_bind_text(st, i++, c->name);
    rg_sq_bind_text(st, i++, c->document);
    rg_sq_bind_text(st, i++, rg_customer_kind_name(c->kind));
    rg_sq_bind_text(st, i++, c->email);
    rg_sq_bind_text(st, i++, c->phone);
    rg_sq_bind_text(st, i++, c->whatsapp);
    rg_sq_bind_text(st, i++, c->preferred_channel);
    rg_sq_bind_text(st, i++, c->timezone);
    rg_sq_bind_text(st, i++, c->tags);
    rg_sq_bind_text(st, i++, c->address.street);
    rg_sq_bind_text(st, i++, c->address.number);
    rg_sq_bind_text(st, i++, c->address.complement);
    rg_sq_bind_text(st, i++, c->address.district);
    rg_sq_bind_text(st, i++, c->address.city);
    rg_sq_bind_text(st, i++, c->address.state);
    rg_sq_bind_text(st, i++, c->address.zip);
}

/* Insert first (the common case in an import); an existing external id
 * makes it a no-op, and then the masked update decides whether anything
 * changed. The binders fill the columns from the value at `first`. */
static rg_status upsert(sqlite_store *s, int ins, int upd, int by_ext, size_t ncols, const char *external_id,
                        unsigned fields, rg_instant now, void (*bind)(sqlite3_stmt *, int, const void *),
                        const void *value, int64_t *id, rg_upsert_result *res, rg_err *e)
{
    *res = RG_UPSERT_UNCHANGED;
    sqlite3_stmt *st = stmt(s, ins, e);
    if (!st)
        return failed(e);
    rg_sq_bind_text(st, 1, external_id);
    bind(st, 2, value);
    sqlite3_bind_int64(st, (int)ncols + 2, now);
    if (rg_sq_step_done(&s->c, st, e, "inserting") != RG_OK)
        return failed(e);
    if (sqlite3_changes(s->c.db) > 0) {
        *id = sqlite3_last_insert_rowid(s->c.db);
        *res = RG_UPSERT_INSERTED;
        return RG_OK;
    }
    if (lookup_id(s, by_ext, external_id, id, e) != RG_OK)
        return failed(e);
    if (!(st = stmt(s, upd, e)))
        return failed(e);
    sqlite3_bind_int64(st, 1, *id);
    sqlite3_bind_int64(st, 2, fields);
    bind(st, 3, value);
    sqlite3_bind_int64(st, (int)ncols + 3, now);
    if (rg_sq_step_done(&s->c, st, e, "updating") != RG_OK)
        return failed(e);
    if (sqlite3_changes(s->c.db) > 0)
        *res = RG_UPSERT_UPDATED;
    return RG_OK;
}

static void bind_customer_value(sqlite3_stmt *st, int first, const void *v)
{
    bind_customer_cols(st, first, v);
}

static rg_status sq_customer_upsert(rg_store *base, rg_customer *c, unsigned fields, rg_instant now,
                                    rg_upsert_result *res, rg_err *e)
{
    return upsert((sqlite_store *)base, ST_CUSTOMER_INSERT, ST_CUSTOMER_UPDATE, ST_CUSTOMER_ID, N_CUSTOMER_COLS,
                  c->external_id, fields, now, bind_customer_value, c, &c->id, res, e);
}

void rg_sq_read_customer(sqlite3_stmt *st, int at, rg_customer *c)
{
    rg_customer_init(c);
    c->id = sqlite3_column_int64(st, at + 0);
    rg_sq_col_text(st, at + 1, c->external_id, sizeof c->external_id);
    rg_sq_col_text(st, at + 2, c->name, sizeof c->name);
    rg_sq_col_text(st, at + 3, c->document, sizeof c->document);
    const unsigned char *k = sqlite3_column_text(st, at + 4);
    c->kind = k && !strcmp((const char *)k, "PF") ? RG_KIND_PF
              : k && !strcmp((const char *)k, "PJ") ? RG_KIND_PJ
                                                    : RG_KIND_UNKNOWN;
    rg_sq_col_text(st, at + 5, c->email, sizeof c->email);
    rg_sq_col_text(st, at + 6, c->phone, sizeof c->phone);
    rg_sq_col_text(st, at + 7, c->whatsapp, sizeof c->whatsapp);
    rg_sq_col_text(st, at + 8, c->preferred_channel, sizeof c->preferred_channel);
    rg_sq_col_text(st, at + 9, c->timezone, sizeof c->timezone);
    rg_sq_col_text(st, at + 10, c->tags, sizeof c->tags);
    rg_sq_col_text(st, at + 11, c->address.street, sizeof c->address.street);
    rg_sq_col_text(st, at + 12, c->address.number, sizeof c->address.number);
    rg_sq_col_text(st, at + 13, c->address.complement, sizeof c->address.complement);
    rg_sq_col_text(st, at + 14, c->address.district, sizeof c->address.district);
    rg_sq_col_text(st, at + 15, c->address.city, sizeof c->address.city);
    rg_sq_col_text(st, at + 16, c->address.state, sizeof c->address.state);
    rg_sq_col_text(st, at + 17, c->address.zip, sizeof c->address.zip);
    c->created_at = sqlite3_column_int64(st, at + 18);
    c->updated_at = sqlite3_column_int64(st, at + 19);
}

static rg_status sq_customer_get(rg_store *base, const char *external_id, int64_t id, rg_customer *out,
                                 rg_err *e)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3_stmt *st = stmt(s, external_id ? ST_CUSTOMER_BY_EXT : ST_CUSTOMER_BY_ID, e);
    rg_customer_init(out);
    if (!st)
        return failed(e);
    if (external_id)
        rg_sq_bind_text(st, 1, external_id);
    else
        sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        rg_sq_read_customer(st, 0, out);
    rg_sq_done(st);
    if (rc == SQLITE_ROW)
        return RG_OK;
    if (rc != SQLITE_DONE)
        return rg_sq_fail(&s->c, e, "reading customer");
    if (external_id)
        return rg_err_set(e, RG_ENOTFOUND, "customer", "no customer with external id '%s'", external_id);
    return rg_err_set(e, RG_ENOTFOUND, "customer", "no customer with id %lld", (long long)id);
}

static rg_status sq_customer_id(rg_store *base, const char *external_id, int64_t *id, rg_err *e)
{
    return lookup_id((sqlite_store *)base, ST_CUSTOMER_ID, external_id, id, e);
}

static rg_status sq_customer_each(rg_store *base, const rg_customer_filter *f, rg_customer_fn fn,
                                  void *ctx, rg_err *e)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3_stmt *st = NULL;
    rg_status rc = RG_OK;
#define CUSTOMER_WHERE                                                                                      \
    " AND (?2 IS NULL OR ('|' || tags || '|') LIKE ('%|' || ?2 || '|%'))"                               \
    " AND (?3 IS NULL OR name LIKE ('%' || ?3 || '%') OR external_id = ?3 OR document = ?3)"               \
    " AND (?5 IS NULL OR instr(lower(name), lower(?5)) > 0) AND (?6 IS NULL OR substr(document, 1, length(?6)) = ?6)" \
    " ORDER BY id LIMIT ?4"
    /* one code: through the unique index on external_id */
    const char *sql = f && f->external_id ? CUSTOMER_SELECT "WHERE external_id = ?7 AND id > ?1" CUSTOMER_WHERE
                                          : CUSTOMER_SELECT "WHERE id > ?1" CUSTOMER_WHERE;
#undef CUSTOMER_WHERE
    if (sqlite3_prepare_v2(s->c.db, sql, -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(&s->c, e, "listing customers");
    sqlite3_bind_int64(st, 1, f ? f->after_id : 0);
    if (f && f->tag)
        rg_sq_bind_text(st, 2, f->tag);
    if (f && f->search)
        rg_sq_bind_text(st, 3, f->search);
    sqlite3_bind_int64(st, 4, f && f->limit > 0 ? f->limit : -1);
    if (f && f->name)
        rg_sq_bind_text(st, 5, f->name);
    if (f && f->document)
        rg_sq_bind_text(st, 6, f->document);
    if (f && f->external_id)
        rg_sq_bind_text(st, 7, f->external_id);
    rg_customer c;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        rg_sq_read_customer(st, 0, &c);
        if ((rc = fn(ctx, &c)) != RG_OK)
            goto out;
    }
    if (r != SQLITE_DONE)
        rc = rg_sq_fail(&s->c, e, "listing customers");
out:
    sqlite3_finalize(st);
    return rc;
}

/* ---- invoices ---- */

static void bind_invoice_cols(sqlite3_stmt *st, int first, const rg_invoice *inv)
{
    int i = first;
    sqlite3_bind_int64(st, i++, inv->customer_id);
    rg_sq_bind_text(st, i++, inv->description);
    sqlite3_bind_int64(st, i++, inv->amount);
    rg_sq_bind_date(st, i++, inv->issue_date);
    rg_sq_bind_date(st, i++, inv->due_date);
    rg_sq_bind_text(st, i++, rg_invoice_status_name(inv->status));
    rg_sq_bind_text(st, i++, inv->boleto_bank);
    rg_sq_bind_text(st, i++, inv->nosso_numero);
    rg_sq_bind_text(st, i++, inv->barcode);
    rg_sq_bind_text(st, i++, inv->linha_digitavel);
    rg_sq_bind_text(st, i++, inv->pix_code);
    rg_sq_bind_text(st, i++, inv->payment_url);
    rg_sq_bind_opt_i64(st, i++, inv->fine_pct, -1);
    rg_sq_bind_opt_i64(st, i++, inv->interest_month_pct, -1);
    rg_sq_bind_text(st, i++, inv->tags);
}

static void bind_invoice_value(sqlite3_stmt *st, int first, const void *v)
{
    bind_invoice_cols(st, first, v);
}

static rg_status sq_invoice_upsert(rg_store *base, rg_invoice *inv, unsigned fields, rg_instant now,
                                   rg_upsert_result *res, rg_err *e)
{
    return upsert((sqlite_store *)base, ST_INVOICE_INSERT, ST_INVOICE_UPDATE, ST_INVOICE_ID, N_INVOICE_COLS,
                  inv->external_id, fields, now, bind_invoice_value, inv, &inv->id, res, e);
}

void rg_sq_read_invoice(sqlite3_stmt *st, rg_invoice *inv)
{
    rg_invoice_init(inv);
    inv->id = sqlite3_column_int64(st, 0);
    rg_sq_col_text(st, 1, inv->external_id, sizeof inv->external_id);
    inv->customer_id = sqlite3_column_int64(st, 2);
    rg_sq_col_text(st, 3, inv->customer_external_id, sizeof inv->customer_external_id);
    rg_sq_col_text(st, 4, inv->description, sizeof inv->description);
    inv->amount = sqlite3_column_int64(st, 5);
    inv->paid = sqlite3_column_int64(st, 6);
    inv->issue_date = rg_sq_col_date(st, 7);
    inv->due_date = rg_sq_col_date(st, 8);
    const unsigned char *status = sqlite3_column_text(st, 9);
    if (!status || !rg_invoice_status_parse((const char *)status, &inv->status))
        inv->status = RG_INV_OPEN;
    rg_sq_col_text(st, 10, inv->boleto_bank, sizeof inv->boleto_bank);
    rg_sq_col_text(st, 11, inv->nosso_numero, sizeof inv->nosso_numero);
    rg_sq_col_text(st, 12, inv->barcode, sizeof inv->barcode);
    rg_sq_col_text(st, 13, inv->linha_digitavel, sizeof inv->linha_digitavel);
    rg_sq_col_text(st, 14, inv->pix_code, sizeof inv->pix_code);
    rg_sq_col_text(st, 15, inv->payment_url, sizeof inv->payment_url);
    inv->fine_pct = rg_sq_col_opt_i64(st, 16, -1);
    inv->interest_month_pct = rg_sq_col_opt_i64(st, 17, -1);
    rg_sq_col_text(st, 18, inv->tags, sizeof inv->tags);
    rg_sq_col_text(st, 19, inv->cadence_override, sizeof inv->cadence_override);
    inv->reissued_due_date = rg_sq_col_date(st, 20);
    inv->reissued_amount = rg_sq_col_opt_i64(st, 21, 0);
    inv->created_at = sqlite3_column_int64(st, 22);
    inv->updated_at = sqlite3_column_int64(st, 23);
    inv->paid_on = rg_sq_col_date(st, 24);
}

static rg_status sq_invoice_get(rg_store *base, const char *external_id, int64_t id, rg_invoice *out,
                                rg_err *e)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3_stmt *st = stmt(s, external_id ? ST_INVOICE_BY_EXT : ST_INVOICE_BY_ID, e);
    rg_invoice_init(out);
    if (!st)
        return failed(e);
    if (external_id)
        rg_sq_bind_text(st, 1, external_id);
    else
        sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        rg_sq_read_invoice(st, out);
    rg_sq_done(st);
    if (rc == SQLITE_ROW)
        return RG_OK;
    if (rc != SQLITE_DONE)
        return rg_sq_fail(&s->c, e, "reading invoice");
    if (external_id)
        return rg_err_set(e, RG_ENOTFOUND, "invoice", "no invoice with external id '%s'", external_id);
    return rg_err_set(e, RG_ENOTFOUND, "invoice", "no invoice with id %lld", (long long)id);
}

static rg_status sq_invoice_find_for_bank(rg_store *base, const char *nosso_numero, const char *document_number,
                                          rg_invoice *out, rg_err *e)
{
    sqlite_store *s = (sqlite_store *)base;
    rg_invoice_init(out);
    if (nosso_numero && nosso_numero[0] && nosso_numero[strspn(nosso_numero, "0")]) {
        sqlite3_stmt *st = stmt(s, ST_INVOICE_BY_NOSSO, e);
        if (!st)
            return failed(e);
        rg_sq_bind_text(st, 1, nosso_numero);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            rg_sq_read_invoice(st, out);
        rg_sq_done(st);
        if (rc == SQLITE_ROW)
            return RG_OK;
        if (rc != SQLITE_DONE)
            return rg_sq_fail(&s->c, e, "finding invoice by nosso numero");
    }
    if (document_number && document_number[0]) {
        rg_status r = sq_invoice_get(base, document_number, 0, out, e);
        if (r != RG_ENOTFOUND)
            return r;
    }
    return rg_err_set(e, RG_ENOTFOUND, "invoice", "no invoice with nosso numero '%s' or external id '%s'",
                      nosso_numero ? nosso_numero : "", document_number ? document_number : "");
}

static rg_status sq_invoice_set_paid(rg_store *base, int64_t id, rg_cents paid, rg_invoice_status status,
                                     rg_date paid_on, rg_instant now, rg_err *e)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3_stmt *st = stmt(s, ST_INVOICE_SET_PAID, e);
    if (!st)
        return failed(e);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, paid);
    rg_sq_bind_text(st, 3, rg_invoice_status_name(status));
    sqlite3_bind_int64(st, 4, now);
    rg_sq_bind_date(st, 5, paid_on);
    return rg_sq_step_done(&s->c, st, e, "updating invoice payment");
}

static rg_status sq_invoice_each(rg_store *base, const rg_invoice_filter *f, rg_invoice_fn fn, void *ctx,
                                 rg_err *e)
{
    sqlite_store *s = (sqlite_store *)base;
    rg_status rc = RG_OK;
    int which = f && f->customer_external_id ? ST_INVOICE_LIST_CUSTOMER : ST_INVOICE_LIST;
    /* the prepared statement of the handle, unless a callback lists again
     * while it runs: then a statement of its own for the inner list */
    sqlite3_stmt *own = NULL;
    sqlite3_stmt *st = s->st[which];
    if (st && sqlite3_stmt_busy(st)) {
        if (sqlite3_prepare_v2(s->c.db, fixed_sql[which], -1, &own, NULL) != SQLITE_OK)
            return rg_sq_fail(&s->c, e, "listing invoices");
        st = own;
    } else if (!(st = stmt(s, which, e))) {
        return failed(e);
    }
    sqlite3_bind_int64(st, 1, f ? f->after_id : 0);
    if (f && f->customer_external_id)
        rg_sq_bind_text(st, 2, f->customer_external_id);
    if (f && f->status >= 0)
        rg_sq_bind_text(st, 3, rg_invoice_status_name((rg_invoice_status)f->status));
    rg_sq_bind_date(st, 4, f ? f->due_from : RG_DATE_NONE);
    rg_sq_bind_date(st, 5, f ? f->due_to : RG_DATE_NONE);
    sqlite3_bind_int64(st, 6, f && f->limit > 0 ? f->limit : -1);
    rg_invoice inv;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        rg_sq_read_invoice(st, &inv);
        if ((rc = fn(ctx, &inv)) != RG_OK)
            goto out;
    }
    if (r != SQLITE_DONE)
        rc = rg_sq_fail(&s->c, e, "listing invoices");
out:
    if (own)
        sqlite3_finalize(own);
    else
        rg_sq_done(st);
    return rc;
}

/* ---- payments ---- */

static rg_status sq_payment_insert(rg_store *base, rg_payment *p, rg_instant now, bool *inserted,
                                   rg_err *e)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3_stmt *st = stmt(s, ST_PAYMENT_INSERT, e);
    *inserted = false;
    if (!st)
        return failed(e);
    sqlite3_bind_int64(st, 1, p->invoice_id);
    sqlite3_bind_int64(st, 2, p->amount);
    sqlite3_bind_int64(st, 3, p->paid_at);
    rg_sq_bind_text(st, 4, p->method);
    rg_sq_bind_text(st, 5, rg_payment_source_name(p->source));
    rg_sq_bind_text(st, 6, p->reference);
    sqlite3_bind_int64(st, 7, now);
    if (rg_sq_step_done(&s->c, st, e, "recording payment") != RG_OK)
        return failed(e);
    if (sqlite3_changes(s->c.db) > 0) {
        *inserted = true;
        p->id = sqlite3_last_insert_rowid(s->c.db);
        return RG_OK;
    }
    if (!(st = stmt(s, ST_PAYMENT_FIND, e)))
        return failed(e);
    sqlite3_bind_int64(st, 1, p->invoice_id);
    rg_sq_bind_text(st, 2, p->reference);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        p->id = sqlite3_column_int64(st, 0);
    rg_sq_done(st);
    return rc == SQLITE_ROW ? RG_OK : rg_sq_fail(&s->c, e, "finding payment");
}

static rg_status sq_payment_each(rg_store *base, int64_t invoice_id, rg_payment_fn fn, void *ctx,
                                 rg_err *e)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3_stmt *st = stmt(s, ST_PAYMENT_EACH, e);
    rg_status rc = RG_OK;
    if (!st)
        return failed(e);
    sqlite3_bind_int64(st, 1, invoice_id);
    rg_payment p;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        rg_payment_init(&p);
        p.id = sqlite3_column_int64(st, 0);
        p.invoice_id = sqlite3_column_int64(st, 1);
        rg_sq_col_text(st, 2, p.invoice_external_id, sizeof p.invoice_external_id);
        p.amount = sqlite3_column_int64(st, 3);
        p.paid_at = sqlite3_column_int64(st, 4);
        rg_sq_col_text(st, 5, p.method, sizeof p.method);
        const unsigned char *src = sqlite3_column_text(st, 6);
        if (!src || !rg_payment_source_parse((const char *)src, &p.source))
            p.source = RG_PAY_API;
        rg_sq_col_text(st, 7, p.reference, sizeof p.reference);
        p.created_at = sqlite3_column_int64(st, 8);
        if ((rc = fn(ctx, &p)) != RG_OK)
            break;
    }
    if (rc == RG_OK && r != SQLITE_DONE)
        rc = rg_sq_fail(&s->c, e, "listing payments");
    rg_sq_done(st);
    return rc;
}

/* ---- events ---- */

static rg_status sq_event_add(rg_store *base, const rg_event *ev, int64_t *id, rg_err *e)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3_stmt *st = stmt(s, ST_EVENT_INSERT, e);
    if (id)
        *id = 0;
    if (!st)
        return failed(e);
    rg_sq_bind_text(st, 1, ev->type);
    sqlite3_bind_int64(st, 2, ev->at);
    rg_sq_bind_text(st, 3, ev->source);
    rg_sq_bind_opt_i64(st, 4, ev->customer_id, 0);
    rg_sq_bind_opt_i64(st, 5, ev->invoice_id, 0);
    rg_sq_bind_opt_i64(st, 6, ev->message_id, 0);
    rg_sq_bind_text(st, 7, ev->payload ? ev->payload : "{}");
    if (rg_sq_step_done(&s->c, st, e, "recording event") != RG_OK)
        return failed(e);
    if (id)
        *id = sqlite3_last_insert_rowid(s->c.db);
    /* an open or a click of a message: here rather than a trigger on events,
     * which every event would pay for (docs/reports.md) */
    if (ev->message_id > 0 && (!strcmp(ev->type, "email.opened") || !strcmp(ev->type, "link.clicked"))) {
        if (!(st = stmt(s, ST_MESSAGE_OPENED, e)))
            return failed(e);
        sqlite3_bind_int64(st, 1, ev->message_id);
        sqlite3_bind_int64(st, 2, ev->at);
        if (rg_sq_step_done(&s->c, st, e, "recording a message's first open") != RG_OK)
            return failed(e);
    }
    return RG_OK;
}

void rg_sq_read_event(sqlite3_stmt *st, rg_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->id = sqlite3_column_int64(st, 0);
    rg_sq_col_text(st, 1, ev->type, sizeof ev->type);
    ev->at = sqlite3_column_int64(st, 2);
    rg_sq_col_text(st, 3, ev->source, sizeof ev->source);
    ev->customer_id = rg_sq_col_opt_i64(st, 4, 0);
    ev->invoice_id = rg_sq_col_opt_i64(st, 5, 0);
    ev->message_id = rg_sq_col_opt_i64(st, 6, 0);
    ev->payload = (const char *)sqlite3_column_text(st, 7);
}

static rg_status sq_event_each_for_invoice(rg_store *base, int64_t invoice_id, rg_event_fn fn,
                                           void *ctx, rg_err *e)
{
    sqlite_store *s = (sqlite_store *)base;
    sqlite3_stmt *st = stmt(s, ST_EVENT_EACH_INVOICE, e);
    rg_status rc = RG_OK;
    if (!st)
        return failed(e);
    sqlite3_bind_int64(st, 1, invoice_id);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        rg_event ev;
        rg_sq_read_event(st, &ev);
        if ((rc = fn(ctx, &ev)) != RG_OK)
            break;
    }
    if (rc == RG_OK && r != SQLITE_DONE)
        rc = rg_sq_fail(&s->c, e, "listing events");
    rg_sq_done(st);
    return rc;
}

static const rg_store_ops sqlite_ops = {
    .name = "sqlite",
    .customer_timezones = rg_sqe_customer_timezones,
    .message_max_id = rg_sqe_message_max_id,
    .steps_seen = rg_sqe_steps_seen,
    .cadence_version_seen = rg_sqe_cadence_version_seen,
    .cadence_versions = rg_sqe_cadence_versions,
    .step_letter_sent_at = rg_sqe_step_letter_sent_at,
    .task_insert_for_message = rg_sqe_task_insert_for_message,
    .task_get = rg_sqe_task_get,
    .task_view_each = rg_sqe_task_view_each,
    .task_view_page = rg_sqe_task_view_page,
    .task_claim = rg_sqe_task_claim,
    .task_finish = rg_sqe_task_finish,
    .promise_insert = rg_sqe_promise_insert,
    .promise_each_for_invoice = rg_sqe_promise_each_for_invoice,
    .hold_add = rg_sqh_hold_add,
    .holds_release = rg_sqh_holds_release,
    .hold_each = rg_sqh_hold_each,
    .promise_each_pending = rg_sqh_promise_each_pending,
    .promise_grace = rg_sqh_promise_grace,
    .promise_resolve = rg_sqh_promise_resolve,
    .payments_sum_since = rg_sqh_payments_sum_since,
    .offer_insert = rg_sqh_offer_insert,
    .offer_current = rg_sqh_offer_current,
    .offer_any = rg_sqh_offer_any,
    .offer_settle = rg_sqh_offer_settle,
    .offer_each = rg_sqh_offer_each,
    .event_each_for_customer = rg_sqh_event_each_for_customer,
    .optout_each = rg_sqh_optout_each,
    .optout_list = rg_sqo_optout_list,
    .promise_page = rg_sqp_promise_page,
    .report_rows = rg_sqr_report_rows,
    .agreement_insert = rg_sqa_agreement_insert,
    .agreement_link = rg_sqa_agreement_link,
    .agreement_get = rg_sqa_agreement_get,
    .agreement_each = rg_sqa_agreement_each,
    .agreement_items = rg_sqa_agreement_items,
    .agreement_close = rg_sqa_agreement_close,
    .invoice_extend = rg_sqx_invoice_extend,
    .invoice_extended_from = rg_sqx_invoice_extended_from,
    .optout_remove = rg_sqo_optout_remove,
    .apikey_insert = rg_sqk_apikey_insert,
    .apikey_get = rg_sqk_apikey_get,
    .apikey_each = rg_sqk_apikey_each,
    .apikey_revoke = rg_sqk_apikey_revoke,
    .apikey_touch = rg_sqk_apikey_touch,
    .idem_claim = rg_sqk_idem_claim,
    .idem_get = rg_sqk_idem_get,
    .idem_finish = rg_sqk_idem_finish,
    .idem_release = rg_sqk_idem_release,
    .idem_mark = rg_sqk_idem_mark,
    .bureau_get = rg_sqe_bureau_get,
    .bureau_pending_each = rg_sqe_bureau_pending_each,
    .bureau_accepted = rg_sqe_bureau_accepted,
    .bureau_failed = rg_sqe_bureau_failed,
    .timer_add = rg_sqt_add,
    .timer_waiting_for_customer = rg_sqt_waiting_for_customer,
    .timer_waiting_for_trigger = rg_sqt_waiting_for_trigger,
    .timer_due = rg_sqt_due,
    .timer_finish = rg_sqt_finish,
    .timer_move = rg_sqt_move,
    .timer_each_for_invoice = rg_sqt_each_for_invoice,
    .customer_open_invoices = rg_sqt_customer_open_invoices,
    .customer_paid_each = rg_sqt_customer_paid_each,
    .invoice_set_cadence = rg_sqt_invoice_set_cadence,
    .invoice_wake = rg_sqa_invoice_wake,
    .customer_wake = rg_sqa_customer_wake,
    .invoice_agenda = rg_sqa_invoice_agenda,
    .tick_customers = rg_sqe_tick_customers,
    .agenda_due_customers = rg_sqa_due_customers,
    .agenda_customers_after = rg_sqa_customers_after,
    .agenda_state_get = rg_sqa_state_get,
    .agenda_state_put = rg_sqa_state_put,
    .tick_each = rg_sqe_tick_each,
    .progress_put = rg_sqe_progress_put,
    .progress_put_many = rg_sqe_progress_put_many,
    .progress_get = rg_sqe_progress_get,
    .message_insert = rg_sqe_message_insert,
    .message_insert_many = rg_sqe_message_insert_many,
    .message_link_invoice = rg_sqe_message_link_invoice,
    .message_set_status = rg_sqe_message_set_status,
    .message_each = rg_sqe_message_each,
    .task_insert = rg_sqe_task_insert,
    .task_each = rg_sqe_task_each,
    .optout_set = rg_sqe_optout_set,
    .bureau_request = rg_sqe_bureau_request,
    .bureau_on_paid = rg_sqe_bureau_on_paid,
    .bureau_status = rg_sqe_bureau_status,
    .invoice_reissue = rg_sqe_invoice_reissue,
    .snapshot = rg_sqe_snapshot,
    .close = sq_close,
    .open_reader = sq_open_reader,
    .open_peer = sq_open_peer,
    .checkpointer_start = sq_checkpointer_start,
    .checkpointer_stats = sq_checkpointer_stats,
    .checkpointer_stop = sq_checkpointer_stop,
    .info_get = sq_info_get,
    .begin = sq_begin,
    .begin_read = sq_begin_read,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .savepoint = sq_savepoint,
    .writes = sq_writes,
    .savepoint_release = sq_savepoint_release,
    .savepoint_rollback = sq_savepoint_rollback,
    .customer_upsert = sq_customer_upsert,
    .customer_get = sq_customer_get,
    .customer_id = sq_customer_id,
    .customer_anonymize = rg_sqp_customer_anonymize,
    .customer_each = sq_customer_each,
    .invoice_upsert = sq_invoice_upsert,
    .invoice_get = sq_invoice_get,
    .invoice_find_for_bank = sq_invoice_find_for_bank,
    .invoice_set_paid = sq_invoice_set_paid,
    .invoice_each = sq_invoice_each,
    .payment_insert = sq_payment_insert,
    .payment_each = sq_payment_each,
    .event_add = sq_event_add,
    .event_each_for_invoice = sq_event_each_for_invoice,
    .message_ref = rg_sqe_message_ref,
    .message_by_provider_id = rg_sqe_message_by_provider_id,
    .message_last_sent = rg_sqe_message_last_sent,
    .message_track = rg_sqe_message_track,
    .message_by_key = rg_sqe_message_by_key,
    .task_close_for_message = rg_sqe_task_close_for_message,
    .customers_by_number = rg_sqe_customers_by_number,
    .event_seen = rg_sqe_event_seen,
    .optout_get = rg_sqe_optout_get,
    .outbox_claim = rg_sqe_outbox_claim,
    .outbox_handed = rg_sqe_outbox_handed,
    .outbox_finish = rg_sqe_outbox_finish,
    .message_resolve = rg_sqe_message_resolve,
    .outbox_leases = rg_sqe_outbox_leases,
    .outbox_next_due = rg_sqe_outbox_next_due,
    .outbox_renew = rg_sqe_outbox_renew,
    .outbox_counts = rg_sqe_outbox_counts,
    .message_invoice_ids = rg_sqe_message_invoice_ids,
    .customer_optouts = rg_sqe_customer_optouts,
    .customer_sends_since = rg_sqe_customer_sends_since,
    .webhook_enqueue = rg_sqw_enqueue,
    .webhook_claim = rg_sqw_claim,
    .webhook_finish = rg_sqw_finish,
    .webhook_each = rg_sqw_each,
    .webhook_attempts = rg_sqw_attempts,
    .webhook_requeue = rg_sqw_requeue,
    .user_insert = rg_squ_user_insert,
    .user_get = rg_squ_user_get,
    .user_each = rg_squ_user_each,
    .user_disable = rg_squ_user_disable,
    .session_insert = rg_squ_session_insert,
    .session_get = rg_squ_session_get,
    .session_delete = rg_squ_session_delete,
    .login_failures = rg_squ_login_failures,
    .login_failure_add = rg_squ_login_failure_add,
    .login_failures_clear = rg_squ_login_failures_clear,
    .channel_stats = rg_sqd_channel_stats,
};
