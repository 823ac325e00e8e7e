/*
 * sqlite_ckpt — the write-ahead log's checkpointer (store.h,
 * docs/internals/wal.md).
 *
 * SQLite copies the WAL back into the database file (a checkpoint, which
 * waits for fsync) inside the commit of whichever connection crosses
 * wal_autocheckpoint: under the HTTP server that is the group writer of
 * POST /v1/events, and every request queued behind that commit waits with
 * it. Here the connections attached to a checkpointer (every peer opened
 * from the store that started it) commit with auto-checkpoint off; their
 * commits only tell the checkpointer how long the log is (the WAL hook),
 * and a thread with its own connection does the copying:
 *
 *  1. once the log reaches `soft` frames, PASSIVE checkpoints — they never
 *     take the write lock, the writers go on — each followed by an
 *     fdatasync of the database file (a checkpoint that does not reach the
 *     log's end does not sync the database: the one that does would flush
 *     every page copied since), until what is left is small (SMALL_FRAMES)
 *     or stops shrinking;
 *  2. then the gate closes (an attached connection's rg_store_begin waits
 *     for it to open), the attached write transactions under way end, and
 *     one RESTART checkpoint copies what the writers added meanwhile and
 *     waits, a bounded while (BUSY_CALLS), for other connections' readers
 *     and writers to leave the log; the gate opens again. Done, the next
 *     commit writes the log from its start (and journal_size_limit
 *     truncates the file). That step is the writers' only pause: the copy
 *     of what they wrote during the last round, and its two fsyncs (log,
 *     database) — short if the disk keeps up with the writers, else as
 *     long as the disk needs.
 *
 * PASSIVE alone never catches a writer that writes without pause (the
 * log is never copied whole, so never restarted: an earlier attempt let it
 * grow to 453 MB); the short gated step bounds it. If a commit finds the
 * log at `hard` frames before the cycle has finished, the gate closes at
 * once: the writers wait for the copy (as every writer did inside
 * auto-checkpoint before) rather than let the log grow.
 *
 * A reader whose snapshot still needs the log (a long read transaction,
 * on any connection or process) pins it: no checkpoint may copy frames
 * newer than its snapshot, nor restart the log under it. The RESTART then
 * gives up after its bounded wait (counted as `pinned`), the writers are
 * let go, and the next cycle starts only when the log has grown by
 * another `soft` frames: the log grows while the reader lasts, and the
 * first cycle after it ends copies it all and restarts it.
 */
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/sqlite_int.h"

/* The RESTART's wait for the write lock and for readers: BUSY_CALLS naps of
 * BUSY_NAP_US (~10 ms), so a long reader holds the writers at the gate
 * that long at most. */
#define BUSY_CALLS 50
#define BUSY_NAP_US 200
/* At most this many PASSIVE checkpoints per cycle. */
#define PASSIVE_ROUNDS 8
/* PASSIVE rounds go on until the frames left for the gated step are this few. */
#define SMALL_FRAMES 256
/* The default log size that starts a cycle, and the hard bound's multiple. */
#define DEFAULT_WAL_BYTES (64 * 1024 * 1024)
#define HARD_FACTOR 4
/* The longest the gate waits for the attached transactions under way. */
#define IDLE_WAIT_MS 1000

struct rg_sq_ckpt {
    pthread_mutex_t mu;
    pthread_cond_t work; /* the thread waits for a cycle to be wanted (or stop) */
    pthread_cond_t open; /* attached connections wait for the gate to open */
    pthread_cond_t idle; /* the thread waits for the attached transactions to end */
    pthread_t thread;
    sqlite3 *db;    /* the checkpointer's own connection (used by its thread alone) */
    int db_fd;      /* the database file, opened again: fdatasync flushes what the checkpoints copied */
    int frame_size; /* page size + the frame header */
    int soft, hard; /* frames */
    int next_at;    /* the log length that starts the next cycle */
    int frames;     /* the log's length at the last attached commit */
    int active;     /* attached write transactions under way */
    bool wanted, gate, stop;
    rg_store_ckpt_stats st;
};

static int nap_busy(void *ctx, int calls)
{
    (void)ctx;
    if (calls >= BUSY_CALLS)
        return 0;
    struct timespec ts = {0, BUSY_NAP_US * 1000L};
    nanosleep(&ts, NULL);
    return 1;
}

/* The WAL hook of an attached connection: after each of its commits, with
 * the log's length in frames. Runs on the committing thread: no copying
 * here, only the count and, past the thresholds, a word to the thread. */
static int on_commit(void *ctx, sqlite3 *db, const char *name, int frames)
{
    (void)db;
    (void)name;
    rg_sq_ckpt *k = ctx;
    pthread_mutex_lock(&k->mu);
    k->frames = frames;
    int64_t bytes = (int64_t)frames * k->frame_size + 32;
    if (bytes > k->st.max_wal_bytes)
        k->st.max_wal_bytes = bytes;
    if (frames < k->soft)
        k->next_at = k->soft; /* the log was restarted (by a cycle, or another process) */
    if (frames >= k->next_at && !k->wanted) {
        k->wanted = true;
        pthread_cond_signal(&k->work);
    }
    /* the hard bound: the next transactions wait for the cycle under way */
    if (k->wanted && frames >= k->next_at + (k->hard - k->soft))
        k->gate = true;
    pthread_mutex_unlock(&k->mu);
    return SQLITE_OK;
}

void rg_sq_ckpt_enter(rg_sq_ckpt *k)
{
    pthread_mutex_lock(&k->mu);
    if (k->gate) {
        k->st.gate_waits++;
        while (k->gate)
            pthread_cond_wait(&k->open, &k->mu);
    }
    k->active++;
    pthread_mutex_unlock(&k->mu);
}

void rg_sq_ckpt_leave(rg_sq_ckpt *k)
{
    pthread_mutex_lock(&k->mu);
    if (--k->active == 0 && k->gate)
        pthread_cond_signal(&k->idle);
    pthread_mutex_unlock(&k->mu);
}

/* Closes the gate and waits for the attached write transactions under way
 * to end (at most IDLE_WAIT_MS: a thread that would hold one while it
 * waits for another attached connection's write would otherwise never let
 * go; the RESTART then waits its bounded while for the lock instead). */
static void close_gate(rg_sq_ckpt *k)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += IDLE_WAIT_MS * 1000000L;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    pthread_mutex_lock(&k->mu);
    k->gate = true;
    while (k->active > 0)
        if (pthread_cond_timedwait(&k->idle, &k->mu, &until) != 0)
            break;
    pthread_mutex_unlock(&k->mu);
}

/* One cycle: PASSIVE rounds, then the gated RESTART (see the top). */
static void cycle(rg_sq_ckpt *k)
{
    int log = 0, done = 0, left = INT_MAX;
    for (int i = 0; i < PASSIVE_ROUNDS; i++) {
        if (sqlite3_wal_checkpoint_v2(k->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done) != SQLITE_OK) {
            /* SQLITE_BUSY: another connection is checkpointing (the tick's
             * auto-checkpoint, a CLI process): it does the copying; no gated
             * step now (its RESTART would find the same), again once the log
             * has grown by a quarter of the threshold */
            pthread_mutex_lock(&k->mu);
            k->st.cycles++;
            k->st.pinned++;
            k->next_at = (k->frames > INT_MAX - k->hard ? INT_MAX - k->hard : k->frames) + k->soft / 4 + 1;
            k->wanted = false;
            k->gate = false;
            pthread_cond_broadcast(&k->open);
            pthread_mutex_unlock(&k->mu);
            return;
        }
        /* A checkpoint that does not reach the log's end (the writers went
         * on) copies without syncing the database, and the sync of the one
         * that does — the gated step — would flush every page copied
         * since: flushed here, the writers going on. */
        if (k->db_fd >= 0)
            fdatasync(k->db_fd);
        pthread_mutex_lock(&k->mu);
        k->st.passive++;
        bool hard = k->gate;
        /* what the writers added while it copied (it copies the log as it was when it began) */
        int now_left = (k->frames > log ? k->frames : log) - done;
        pthread_mutex_unlock(&k->mu);
        if (hard || now_left <= SMALL_FRAMES || now_left >= left)
            break;
        left = now_left;
    }
    close_gate(k);
    int rc = sqlite3_wal_checkpoint_v2(k->db, NULL, SQLITE_CHECKPOINT_RESTART, &log, &done);
    pthread_mutex_lock(&k->mu);
    k->st.cycles++;
    k->st.gated++;
    if (rc == SQLITE_OK) {
        k->st.restarts++;
        k->next_at = k->soft;
    } else {
        /* a reader still needs the log (or a writer outside this process
         * kept the lock): try again once it has grown by `soft` more */
        k->st.pinned++;
        k->next_at = (log > INT_MAX - k->soft ? INT_MAX - k->hard : log) + k->soft;
    }
    k->wanted = false;
    k->gate = false;
    pthread_cond_broadcast(&k->open);
    pthread_mutex_unlock(&k->mu);
}

static void *run(void *p)
{
    rg_sq_ckpt *k = p;
    pthread_mutex_lock(&k->mu);
    for (;;) {
        while (!k->wanted && !k->stop)
            pthread_cond_wait(&k->work, &k->mu);
        if (k->stop)
            break;
        pthread_mutex_unlock(&k->mu);
        cycle(k);
        pthread_mutex_lock(&k->mu);
    }
    pthread_mutex_unlock(&k->mu);
    return NULL;
}

rg_status rg_sq_ckpt_start(const char *path, int64_t wal_bytes, rg_sq_ckpt **out, rg_err *e)
{
    *out = NULL;
    if (wal_bytes < 0)
        return rg_err_set(e, RG_EINVAL, "store", "the checkpoint threshold must not be negative");
    rg_sq_ckpt *k = calloc(1, sizeof *k);
    if (!k)
        return rg_err_set(e, RG_ENOMEM, "store", "out of memory");
    if (sqlite3_open_v2(path, &k->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        rg_status rc = rg_err_set(e, RG_ESTORE, path, "cannot open database: %s",
                                  k->db ? sqlite3_errmsg(k->db) : "out of memory");
        sqlite3_close(k->db);
        free(k);
        return rc;
    }
    /* synchronous NORMAL: a checkpoint syncs the log, then the database */
    sqlite3_exec(k->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
    sqlite3_busy_handler(k->db, nap_busy, NULL);
    int page = 4096;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(k->db, "PRAGMA page_size", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        page = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    k->frame_size = page + 24;
    int64_t soft = (wal_bytes ? wal_bytes : DEFAULT_WAL_BYTES) / k->frame_size;
    k->soft = soft < 2 ? 2 : soft > INT_MAX / (2 * HARD_FACTOR) ? INT_MAX / (2 * HARD_FACTOR) : (int)soft;
    k->hard = k->soft * HARD_FACTOR;
    k->next_at = k->soft;
    k->db_fd = open(path, O_RDONLY | O_CLOEXEC);
    pthread_mutex_init(&k->mu, NULL);
    pthread_cond_init(&k->work, NULL);
    pthread_cond_init(&k->open, NULL);
    pthread_cond_init(&k->idle, NULL);
    if (pthread_create(&k->thread, NULL, run, k) != 0) {
        pthread_mutex_destroy(&k->mu);
        pthread_cond_destroy(&k->work);
        pthread_cond_destroy(&k->open);
        pthread_cond_destroy(&k->idle);
        if (k->db_fd >= 0)
            close(k->db_fd);
        sqlite3_close(k->db);
        free(k);
        return rg_err_set(e, RG_ENOMEM, "store", "cannot start the checkpointer's thread");
    }
    *out = k;
    return RG_OK;
}

rg_status rg_sq_ckpt_attach(rg_sq_ckpt *k, sqlite3 *db, rg_err *e)
{
    char sql[128];
    /* no checkpoint inside this connection's commits; after the log is
     * restarted its file is cut back to the soft size */
    snprintf(sql, sizeof sql, "PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = %lld",
             (long long)k->soft * k->frame_size);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return rg_err_set(e, RG_ESTORE, "store", "cannot attach to the checkpointer: %s", sqlite3_errmsg(db));
    sqlite3_wal_hook(db, on_commit, k); /* after the pragma: it would replace the hook */
    return RG_OK;
}

void rg_sq_ckpt_stats(rg_sq_ckpt *k, rg_store_ckpt_stats *out)
{
    pthread_mutex_lock(&k->mu);
    *out = k->st;
    pthread_mutex_unlock(&k->mu);
}

void rg_sq_ckpt_stop(rg_sq_ckpt *k)
{
    if (!k)
        return;
    pthread_mutex_lock(&k->mu);
    k->stop = true;
    pthread_cond_signal(&k->work);
    pthread_mutex_unlock(&k->mu);
    pthread_join(k->thread, NULL);
    k->gate = false; /* nobody is attached any more: for form's sake */
    /* the attached connections are closed: copy everything back and empty
     * the log file (waiting for other connections a while, like a writer) */
    sqlite3_busy_timeout(k->db, 5000);
    sqlite3_wal_checkpoint_v2(k->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    sqlite3_close(k->db);
    if (k->db_fd >= 0)
        close(k->db_fd);
    pthread_mutex_destroy(&k->mu);
    pthread_cond_destroy(&k->work);
    pthread_cond_destroy(&k->open);
    pthread_cond_destroy(&k->idle);
    free(k);
}
