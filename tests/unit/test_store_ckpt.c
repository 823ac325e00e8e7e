/*
 * The write-ahead log's checkpointer (store.h rg_store_checkpointer_start,
 * src/store/sqlite_ckpt.c): attached connections commit without copying
 * the log back; a thread of its own does, and the log stays under its
 * bound (four times the threshold, plus the transaction that crossed it)
 * — through a plain peer and through the HTTP server's group writer of
 * POST /v1/events. A reader that pins the log lets it grow, and the first
 * cycle after the reader ends brings it back. Stopping copies everything
 * back and empties the log; the database is whole.
 */
#include "test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "http/server.h"
#include "service/apikeys.h"
#include "store/store.h"

#define NOW 1795521600 /* 2026-11-24T12:00:00Z */
/* The threshold of these tests: 64 KiB of log (16 frames of 4 KiB pages). */
#define WAL_BYTES (64 * 1024)
#define FRAME (4096 + 24)
/* The bound: four times the threshold, plus what one small transaction adds. */
#define BOUND (4 * WAL_BYTES + 32 * FRAME)

static int64_t wal_size(const char *db)
{
    char p[600];
    snprintf(p, sizeof p, "%s-wal", db);
    struct stat st;
    return stat(p, &st) == 0 ? (int64_t)st.st_size : 0;
}

/* A new database, migrated, its log empty (the migrations' frames copied
 * back when the last connection closed). */
static rg_store *fresh(const char *path)
{
    rg_err e;
    rg_store *s = NULL;
    assert_int_equal(rg_store_open(path, &s, &e), RG_OK);
    rg_store_close(s);
    assert_int_equal(wal_size(path), 0);
    assert_int_equal(rg_store_open(path, &s, &e), RG_OK);
    return s;
}

/* One customer written in its own transaction through s. */
static void commit_one(rg_store *s, int i)
{
    rg_err e;
    rg_customer c;
    rg_customer_init(&c);
    snprintf(c.external_id, sizeof c.external_id, "C%06d", i);
    snprintf(c.name, sizeof c.name, "Cliente %d da Silva Pereira", i);
    rg_upsert_result ur;
    assert_int_equal(rg_store_begin(s, &e), RG_OK);
    assert_int_equal(rg_store_customer_upsert(s, &c, RG_CF_ALL, NOW, &ur, &e), RG_OK);
    assert_int_equal(rg_store_commit(s, &e), RG_OK);
}

/* The database is whole and holds `table` rows as counted. */
static void check_whole(const char *path, const char *count_sql, int64_t want)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(db, count_sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int64(st, 0), want);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* The log stayed under the bound (max: the largest file seen after each
 * commit) and was restarted; the checkpointer's statistics. */
static rg_store_ckpt_stats check_bounded(rg_store *s, int64_t max)
{
    rg_store_ckpt_stats st;
    rg_store_checkpointer_stats(s, &st);
    assert_true(max <= BOUND);
    assert_true(st.max_wal_bytes <= BOUND);
    assert_true(st.restarts > 0);
    return st;
}

static void test_peer_commits_stay_bounded(void **state)
{
    (void)state;
    rg_err e;
    rg_store *peer = NULL;
    const char *path = rg_test_path("ckpt.db");
    rg_store *s = fresh(path);
    assert_int_equal(rg_store_checkpointer_start(s, WAL_BYTES, &e), RG_OK);
    assert_int_equal(rg_store_checkpointer_start(s, WAL_BYTES, &e), RG_ECONFLICT);
    assert_int_equal(rg_store_open_peer(s, 5000, &peer, &e), RG_OK);
    int64_t max = 0;
    const int n = 3000;
    for (int i = 0; i < n; i++) {
        commit_one(peer, i);
        int64_t w = wal_size(path);
        max = w > max ? w : max;
    }
    /* a few frames a commit, 3000 commits: tens of MB of log without checkpoints */
    rg_store_ckpt_stats st = check_bounded(s, max);
    assert_true(st.passive > 0);
    assert_true(st.gated > 0);
    /* the copying was the checkpointer's: the peer's commits do none of it
     * (without the checkpointer the same peer copies at 64 MB only) */
    rg_store_close(peer);
    rg_store_checkpointer_stop(s);
    assert_int_equal(wal_size(path), 0); /* copied back and emptied */
    rg_store_checkpointer_stats(s, &st);
    assert_int_equal(st.cycles, 0); /* no checkpointer now */
    rg_store_close(s);
    check_whole(path, "SELECT count(*) FROM customers", n);
}

static void test_without_checkpointer_the_peer_lets_it_grow(void **state)
{
    (void)state;
    rg_err e;
    rg_store *peer = NULL;
    const char *path = rg_test_path("nockpt.db");
    rg_store *s = fresh(path);
    assert_int_equal(rg_store_open_peer(s, 5000, &peer, &e), RG_OK);
    for (int i = 0; i < 600; i++)
        commit_one(peer, i);
    /* the contrast of the test above: the same commits, auto-checkpoint at 64 MB */
    assert_true(wal_size(path) > BOUND);
    rg_store_close(peer);
    rg_store_close(s);
}

static void test_a_reader_pins_the_log(void **state)
{
    (void)state;
    rg_err e;
    rg_store *peer = NULL, *reader = NULL;
    const char *path = rg_test_path("pinned.db");
    rg_store *s = fresh(path);
    assert_int_equal(rg_store_checkpointer_start(s, WAL_BYTES, &e), RG_OK);
    assert_int_equal(rg_store_open_peer(s, 5000, &peer, &e), RG_OK);
    assert_int_equal(rg_store_open_reader(s, &reader, &e), RG_OK);
    commit_one(peer, 0);
    /* a read transaction keeps the snapshot of one customer */
    assert_int_equal(rg_store_begin_read(reader, &e), RG_OK);
    rg_store_info info;
    assert_int_equal(rg_store_info_get(reader, &info, &e), RG_OK);
    assert_int_equal(info.customers, 1);
    int i = 1;
    for (; i < 300; i++)
        commit_one(peer, i);
    rg_store_ckpt_stats st;
    rg_store_checkpointer_stats(s, &st);
    /* no checkpoint may copy what the reader must not see: the log grows
     * past the bound, every commit still succeeds, the cycles say why */
    assert_true(wal_size(path) > BOUND);
    assert_true(st.pinned > 0);
    int64_t restarts = st.restarts;
    assert_int_equal(rg_store_info_get(reader, &info, &e), RG_OK);
    assert_int_equal(info.customers, 1);
    rg_store_rollback(reader);
    /* the reader gone, the next cycle copies it all, the log starts over
     * and its file is cut back */
    for (int k = 0; k < 2000; k++) {
        commit_one(peer, i++);
        rg_store_checkpointer_stats(s, &st);
        if (st.restarts > restarts && wal_size(path) <= BOUND)
            break;
    }
    assert_true(st.restarts > restarts);
    assert_true(wal_size(path) <= BOUND);
    rg_store_close(reader);
    rg_store_close(peer);
    rg_store_close(s); /* stops the checkpointer too */
    assert_int_equal(wal_size(path), 0);
    check_whole(path, "SELECT count(*) FROM customers", i);
}

/* Another process holding the log's checkpoint lock (byte 121 of the -shm
 * file: SQLite's WAL_CKPT_LOCK, as another connection's checkpoint holds
 * it): a child that takes it, says so on `ready` and lets go when `go` is
 * written or closed. */
static pid_t hold_checkpoint_lock(const char *db, int *go_fd)
{
    int ready[2], go[2];
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(go), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(ready[0]);
        close(go[1]);
        char p[600];
        snprintf(p, sizeof p, "%s-shm", db);
        int fd = open(p, O_RDWR);
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 121, .l_len = 1};
        char ok = fd >= 0 && fcntl(fd, F_SETLK, &fl) == 0 ? 'y' : 'n';
        if (write(ready[1], &ok, 1) != 1)
            _exit(1);
        char c;
        while (read(go[0], &c, 1) < 0)
            ;
        _exit(0);
    }
    close(ready[1]);
    close(go[0]);
    char ok = 0;
    assert_int_equal(read(ready[0], &ok, 1), 1);
    close(ready[0]);
    assert_int_equal(ok, 'y');
    *go_fd = go[1];
    return pid;
}

static void test_another_checkpointer_holds_the_lock(void **state)
{
    (void)state;
    rg_err e;
    rg_store *peer = NULL;
    const char *path = rg_test_path("busy.db");
    rg_store *s = fresh(path);
    assert_int_equal(rg_store_checkpointer_start(s, WAL_BYTES, &e), RG_OK);
    assert_int_equal(rg_store_open_peer(s, 5000, &peer, &e), RG_OK);
    commit_one(peer, 0); /* the -shm file exists */
    int go;
    pid_t child = hold_checkpoint_lock(path, &go);
    rg_store_ckpt_stats st;
    int i = 1;
    for (; i < 300; i++)
        commit_one(peer, i);
    for (int k = 0; k < 1000; k++) { /* the checkpointer has tried at least once */
        rg_store_checkpointer_stats(s, &st);
        if (st.pinned > 0)
            break;
        commit_one(peer, i++);
    }
    /* the copying is the other checkpointer's business: cycles end at once,
     * without pausing the writers for a gated step that could not succeed */
    assert_true(st.pinned > 0);
    assert_int_equal(st.restarts, 0);
    assert_int_equal(st.gated, 0);
    close(go);
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    /* the lock free again, a cycle restarts the log */
    for (int k = 0; k < 2000; k++) {
        commit_one(peer, i++);
        rg_store_checkpointer_stats(s, &st);
        if (st.restarts > 0 && wal_size(path) <= BOUND)
            break;
    }
    assert_true(st.restarts > 0);
    assert_true(st.gated > 0);
    assert_true(wal_size(path) <= BOUND);
    rg_store_close(peer);
    rg_store_close(s);
    check_whole(path, "SELECT count(*) FROM customers", i);
}

static void test_in_memory_has_none(void **state)
{
    (void)state;
    rg_err e;
    rg_store *s = NULL;
    assert_int_equal(rg_store_open(":memory:", &s, &e), RG_OK);
    assert_int_equal(rg_store_checkpointer_start(s, 0, &e), RG_EINVAL);
    assert_int_equal(rg_store_checkpointer_start(s, -1, &e), RG_EINVAL);
    rg_store_close(s);
}

/* POST path with body on its own connection; the status. */
static int post(unsigned port, const char *path, const char *key, const char *body)
{
    char req[1024];
    int n = snprintf(req, sizeof req,
                     "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer %s\r\n"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                     path, key, strlen(body), body);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(send(fd, req, (size_t)n, MSG_NOSIGNAL), n);
    char got[4096];
    size_t len = 0;
    ssize_t k;
    while (len < sizeof got - 1 && (k = recv(fd, got + len, sizeof got - 1 - len, 0)) > 0)
        len += (size_t)k;
    close(fd);
    got[len] = 0;
    int64_t status = 0;
    assert_true(len > 12 && rg_parse_i64((rg_slice){got + 9, 3}, 100, 599, &status));
    return (int)status;
}

static void test_group_writer_stays_bounded(void **state)
{
    (void)state;
    rg_err e;
    rg_config cfg;
    rg_config_defaults(&cfg);
    static const char yaml[] = "company: {name: Exemplo Ltda, cnpj: 11.222.333/0001-81}\n";
    assert_int_equal(rg_config_parse(&cfg, "test.yaml", rg_test_tmpdir(), yaml, strlen(yaml), &e), RG_OK);
    const char *path = rg_test_path("group.db");
    rg_store *s = fresh(path);
    rg_customer c;
    rg_customer_init(&c);
    rg_strlcpy(c.external_id, "C1", sizeof c.external_id);
    rg_strlcpy(c.name, "Maria", sizeof c.name);
    rg_upsert_result ur;
    assert_int_equal(rg_store_customer_upsert(s, &c, RG_CF_ALL, NOW, &ur, &e), RG_OK);
    rg_invoice inv;
    rg_invoice_init(&inv);
    rg_strlcpy(inv.external_id, "F1", sizeof inv.external_id);
    inv.customer_id = c.id;
    inv.amount = 10000;
    inv.issue_date = rg_date_from_ymd(2026, 11, 1);
    inv.due_date = rg_date_from_ymd(2026, 12, 10);
    assert_int_equal(rg_store_invoice_upsert(s, &inv, RG_IF_ALL, NOW, &ur, &e), RG_OK);
    rg_apikey_row row;
    char key[RG_APIKEY_TEXT_MAX];
    assert_int_equal(rg_apikey_create(s, RG_ROLE_OPERATOR, "ckpt", NOW, &row, key, &e), RG_OK);
    rg_store_close(s);
    s = fresh(path); /* the log empty again */
    rg_event_env events = {NULL, rg_test_zones(), NULL};
    rg_http_options o = {.listen = "127.0.0.1:0", .store = s, .config = &cfg, .events = &events,
                         .clock = rg_clock_fixed(NOW), .wal_checkpoint_bytes = WAL_BYTES};
    rg_http_server *srv = NULL;
    assert_int_equal(rg_http_start(&o, &srv, &e), RG_OK);
    unsigned port = rg_http_port(srv);
    int64_t max = 0;
    const int n = 1500;
    for (int i = 0; i < n; i++) {
        assert_int_equal(post(port, "/v1/events", key, "{\"type\": \"portal.visited\", \"invoice\": \"F1\"}"), 201);
        int64_t w = wal_size(path);
        max = w > max ? w : max;
    }
    rg_store_ckpt_stats st = check_bounded(s, max);
    rg_http_stop(srv); /* stops the server's checkpointer: the log copied back and emptied */
    assert_int_equal(wal_size(path), 0);
    rg_store_checkpointer_stats(s, &st);
    assert_int_equal(st.cycles, 0);
    rg_store_close(s);
    check_whole(path, "SELECT count(*) FROM events WHERE type = 'portal.visited'", n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_peer_commits_stay_bounded),
        cmocka_unit_test(test_without_checkpointer_the_peer_lets_it_grow),
        cmocka_unit_test(test_a_reader_pins_the_log),
        cmocka_unit_test(test_another_checkpointer_holds_the_lock),
        cmocka_unit_test(test_in_memory_has_none),
        cmocka_unit_test(test_group_writer_stays_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
