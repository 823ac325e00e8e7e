/*
 * store — the one interface to persistent state.
 *
 * Callers see only these functions; a backend (SQLite today, PostgreSQL
 * later) implements rg_store_ops in its own file and is chosen by the
 * location string given to rg_store_open(). Only src/store/ speaks SQL.
 *
 * Ownership: rg_store_open() returns an owned handle, released with
 * rg_store_close(). Values passed in are borrowed for the call; values
 * filled out are caller-owned copies (the model types hold no pointers).
 * Callbacks of the *_each functions receive a borrowed value valid only
 * during the call; returning a status other than RG_OK stops the
 * iteration and is returned. A store handle is used by one thread at a time.
 * A write that could not get the database's write lock in time (another
 * connection or process is writing) fails and sets e->code to RG_EBUSY:
 * nothing was written, and the same call may succeed later. rg_store_begin()
 * — where a multi-row write waits for the lock — and the customer, invoice,
 * payment and event calls also return RG_EBUSY; inside a transaction begun
 * with rg_store_begin() no call waits for the lock again.
 *
 * Writes that span several rows are wrapped by the caller in
 * rg_store_begin() / rg_store_commit() (or rg_store_rollback()); single
 * calls are atomic on their own.
 */
#ifndef RG_STORE_H
#define RG_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "model/model.h"

typedef struct rg_store rg_store;

typedef enum { RG_UPSERT_UNCHANGED = 0, RG_UPSERT_INSERTED, RG_UPSERT_UPDATED } rg_upsert_result;

/* Which columns an upsert sets on an existing row (a CSV file sets only the
 * columns it has). A new row always gets every column. */
enum {
    RG_CF_NAME = 1u << 0,
    RG_CF_DOCUMENT = 1u << 1,
    RG_CF_EMAIL = 1u << 2,
    RG_CF_PHONE = 1u << 3,
    RG_CF_WHATSAPP = 1u << 4,
    RG_CF_PREFERRED = 1u << 5,
    RG_CF_TIMEZONE = 1u << 6,
    RG_CF_TAGS = 1u << 7,
    RG_CF_STREET = 1u << 8,
    RG_CF_NUMBER = 1u << 9,
    RG_CF_COMPLEMENT = 1u << 10,
    RG_CF_DISTRICT = 1u << 11,
    RG_CF_CITY = 1u << 12,
    RG_CF_STATE = 1u << 13,
    RG_CF_ZIP = 1u << 14,
    RG_CF_ALL = (1u << 15) - 1
};

enum {
    RG_IF_CUSTOMER = 1u << 0,
    RG_IF_DESCRIPTION = 1u << 1,
    RG_IF_AMOUNT = 1u << 2,
    RG_IF_ISSUE_DATE = 1u << 3,
    RG_IF_DUE_DATE = 1u << 4,
    RG_IF_STATUS = 1u << 5,
    RG_IF_BOLETO = 1u << 6, /* barcode, linha_digitavel */
    RG_IF_PIX = 1u << 7,
    RG_IF_PAYMENT_URL = 1u << 8,
    RG_IF_TAGS = 1u << 9,
    RG_IF_FINE = 1u << 10,
    RG_IF_INTEREST = 1u << 11,
    RG_IF_BOLETO_BANK = 1u << 12,
    RG_IF_NOSSO = 1u << 13,
    RG_IF_ALL = (1u << 14) - 1
};

typedef struct rg_store_info {
    const char *backend; /* "sqlite" */
    char version[32];    /* backend library version */
    int schema_version;
    int64_t customers;
    int64_t invoices;
    int64_t open_invoices;
    int64_t payments;
    int64_t messages;
} rg_store_info;

/* Opens (creating if needed) and migrates. `location` is a file path or
 * "sqlite:PATH"; ":memory:" gives a private in-memory database. */
rg_status rg_store_open(const char *location, rg_store **out, rg_err *e);
void rg_store_close(rg_store *s);
/* A second handle on the same database that only reads, for use on another
 * thread while this one writes; it sees what is committed. RG_EINVAL where
 * the backend has none (an in-memory database). Closed with rg_store_close. */
rg_status rg_store_open_reader(rg_store *s, rg_store **out, rg_err *e);
/* Another read-write handle on the same database, for another thread (the
 * HTTP server gives one to each connection). Its reads see what is committed
 * and never wait for a writer; a write (rg_store_begin, or a single write
 * call) waits at most busy_ms for another connection's write lock, then
 * fails with RG_EBUSY. RG_EINVAL where the backend has none (an in-memory
 * database). Closed with rg_store_close. */
rg_status rg_store_open_peer(rg_store *s, int busy_ms, rg_store **out, rg_err *e);

/* The write-ahead log's checkpointer (docs/internals/wal.md): a thread
 * with its own connection that copies the log back into the database, so
 * that no committing connection waits for that copy and its fsync. Every
 * peer opened from s after this call (rg_store_open_peer) is attached: it
 * commits without checkpointing, and its rg_store_begin waits while the
 * checkpointer holds its gate (the last, short step of a cycle; or, when
 * the log reached four times wal_bytes before a cycle could finish, the
 * rest of that cycle). A cycle starts when the log reaches wal_bytes (0:
 * 64 MB, SQLite's auto-checkpoint interval elsewhere); a reader whose
 * snapshot still needs the log lets it grow until it ends. RG_EINVAL for an
 * in-memory database, RG_ECONFLICT when s already has one. s's own commits
 * are not attached. */
rg_status rg_store_checkpointer_start(rg_store *s, int64_t wal_bytes, rg_err *e);
typedef struct rg_store_ckpt_stats {
    int64_t cycles;        /* checkpoint cycles run */
    int64_t passive;       /* PASSIVE checkpoints among them (the writers went on) */
    int64_t restarts;      /* cycles that copied the whole log, no reader left in it: it starts over */
    int64_t pinned;        /* cycles that could not: a reader's snapshot held the log, another
                              connection kept the write lock, or was checkpointing (then no gated step) */
    int64_t gated;         /* cycles that ran the gated step (the attached writers' pause) */
    int64_t gate_waits;    /* transactions that waited at the gate */
    int64_t max_wal_bytes; /* the longest log an attached connection's commit saw */
} rg_store_ckpt_stats;
/* Zeroes when s has no checkpointer. */
void rg_store_checkpointer_stats(rg_store *s, rg_store_ckpt_stats *out);
/* Stops it: copies the whole log back and truncates the file. Every peer
 * attached to it must be closed first. A no-op without one; rg_store_close
 * of s stops it too. */
void rg_store_checkpointer_stop(rg_store *s);
rg_status rg_store_info_get(rg_store *s, rg_store_info *out, rg_err *e);

rg_status rg_store_begin(rg_store *s, rg_err *e);
/* A read transaction: every read until rg_store_rollback() (or commit)
 * sees the same committed state (a consistent snapshot, taken at the first
 * read), and it never waits for a writer. For what reads several tables to
 * show one thing (service/views.h). */
rg_status rg_store_begin_read(rg_store *s, rg_err *e);
rg_status rg_store_commit(rg_store *s, rg_err *e);
void rg_store_rollback(rg_store *s);
/* Inside a transaction: a savepoint, then either its release (what came
 * after it stays in the transaction) or its rollback (what came after it is
 * undone, the rest of the transaction stays). One level: for services that
 * apply independent items in one transaction. */
rg_status rg_store_savepoint(rg_store *s, rg_err *e);
/* Rows this connection has written since it opened (inserted, updated or
 * deleted; a count that only grows): whether a call wrote anything. */
int64_t rg_store_writes(rg_store *s);
rg_status rg_store_savepoint_release(rg_store *s, rg_err *e);
void rg_store_savepoint_rollback(rg_store *s);
/* Ends the transaction a service began: commits when rc is RG_OK (a
 * failed commit is rolled back and its status returned), else rolls back
 * and returns rc. The one tail of every service that owns its transaction:
 *     rg_status rc = rg_store_begin(s, e);
 *     if (rc == RG_OK) rc = work(...);
 *     return rg_store_end(s, rc, e); */
rg_status rg_store_end(rg_store *s, rg_status rc, rg_err *e);

/* ---- customers ---- */
/* Inserts or updates by external_id; `fields` (RG_CF_*) limits what an
 * update changes. Sets c->id. */
rg_status rg_store_customer_upsert(rg_store *s, rg_customer *c, unsigned fields, rg_instant now,
                                   rg_upsert_result *res, rg_err *e);
/* RG_ENOTFOUND when absent. */
rg_status rg_store_customer_get(rg_store *s, const char *external_id, rg_customer *out, rg_err *e);
rg_status rg_store_customer_get_by_id(rg_store *s, int64_t id, rg_customer *out, rg_err *e);
/* The internal id for an external id; *id = 0 (and RG_OK) when absent. */
rg_status rg_store_customer_id(rg_store *s, const char *external_id, int64_t *id, rg_err *e);

/* What rg_store_customer_anonymize changed. */
typedef struct rg_anonymize_counts {
    int64_t messages_cancelled; /* planned or queued: never to go out */
    int64_t messages_erased;    /* subject, body, html, payload and provider text emptied */
    int64_t events_erased;      /* payloads emptied (the customer's and its invoices') */
    int64_t webhook_bodies_erased; /* the `data` of those events' outgoing webhook deliveries */
    int64_t task_notes_erased;
    int64_t tasks_cancelled;    /* open or claimed */
    int64_t timers_cancelled;   /* waiting trigger timers */
} rg_anonymize_counts;
/* Erases a customer's personal data in place (LGPD), in the caller's
 * transaction: `name` replaces the name; e-mail, phones, address, tags and
 * preferred channel are emptied; the texts of its messages, the payloads
 * of its (and its invoices') events — and of their outgoing webhook
 * deliveries — and its task notes are emptied; what
 * was still to go out or be done is cancelled (reason "anonymized"). Kept:
 * the external id, the document, invoices, payments, promises, opt-outs and
 * every row's dates, statuses and amounts. RG_ENOTFOUND for no such id. */
rg_status rg_store_customer_anonymize(rg_store *s, int64_t customer_id, const char *name, rg_instant now,
                                      rg_anonymize_counts *out, rg_err *e);

typedef struct rg_customer_filter {
    const char *tag;    /* NULL: any */
    const char *search; /* NULL: any; matches name, external id or document */
    int64_t after_id;   /* keyset pagination: ids greater than this */
    int64_t limit;      /* 0: no limit */
    const char *name;        /* NULL: any; else part of the name (ASCII letters in any case) */
    const char *document;    /* NULL: any; else the start of the normalised document */
    const char *external_id; /* NULL: any; else exactly this code */
} rg_customer_filter;
typedef rg_status (*rg_customer_fn)(void *ctx, const rg_customer *c);
rg_status rg_store_customer_each(rg_store *s, const rg_customer_filter *f, rg_customer_fn fn,
                                 void *ctx, rg_err *e);

/* ---- invoices ---- */
/* Inserts or updates by external_id; inv->customer_id must be set.
 * `fields` (RG_IF_*) limits what an update changes. Sets inv->id. */
rg_status rg_store_invoice_upsert(rg_store *s, rg_invoice *inv, unsigned fields, rg_instant now,
                                  rg_upsert_result *res, rg_err *e);
rg_status rg_store_invoice_get(rg_store *s, const char *external_id, rg_invoice *out, rg_err *e);
rg_status rg_store_invoice_get_by_id(rg_store *s, int64_t id, rg_invoice *out, rg_err *e);
/* The invoice a bank return line refers to: by nosso número (leading zeros
 * ignored on both sides), else by external id = the document number. NULL
 * or "" skips a key. RG_ENOTFOUND when neither matches. */
rg_status rg_store_invoice_find_for_bank(rg_store *s, const char *nosso_numero, const char *document_number,
                                         rg_invoice *out, rg_err *e);
/* Sets paid and status together (the payment service decides them). */
rg_status rg_store_invoice_set_paid(rg_store *s, int64_t id, rg_cents paid, rg_invoice_status st,
                                    rg_date paid_on, rg_instant now, rg_err *e);

typedef struct rg_invoice_filter {
    const char *customer_external_id; /* NULL: any */
    int status;                       /* -1: any, else rg_invoice_status */
    rg_date due_from;                 /* RG_DATE_NONE: unbounded */
    rg_date due_to;                   /* RG_DATE_NONE: unbounded */
    int64_t after_id;
    int64_t limit; /* 0: no limit */
} rg_invoice_filter;
void rg_invoice_filter_init(rg_invoice_filter *f);
typedef rg_status (*rg_invoice_fn)(void *ctx, const rg_invoice *inv);
rg_status rg_store_invoice_each(rg_store *s, const rg_invoice_filter *f, rg_invoice_fn fn, void *ctx,
                                rg_err *e);

/* ---- payments ---- */
/* Inserts unless a payment with the same invoice and reference exists;
 * *inserted tells which. Sets p->id either way. */
rg_status rg_store_payment_insert(rg_store *s, rg_payment *p, rg_instant now, bool *inserted,
                                  rg_err *e);
typedef rg_status (*rg_payment_fn)(void *ctx, const rg_payment *p);
rg_status rg_store_payment_each(rg_store *s, int64_t invoice_id, rg_payment_fn fn, void *ctx,
                                rg_err *e);

/* ---- events ---- */
typedef struct rg_event {
    int64_t id;
    char type[32];   /* "payment.received", ... (PRODUCT.md §4) */
    rg_instant at;
    char source[24]; /* "api", "csv", "cli", "engine", "cnab", ... */
    int64_t customer_id; /* 0: none */
    int64_t invoice_id;  /* 0: none */
    int64_t message_id;  /* 0: none */
    const char *payload; /* JSON text, borrowed; NULL for "{}" */
} rg_event;
rg_status rg_store_event_add(rg_store *s, const rg_event *ev, int64_t *id, rg_err *e);
typedef rg_status (*rg_event_fn)(void *ctx, const rg_event *ev);
rg_status rg_store_event_each_for_invoice(rg_store *s, int64_t invoice_id, rg_event_fn fn, void *ctx,
                                          rg_err *e);

/* ---- the agenda (docs/engine.md, "The agenda") ----
 * Every open invoice carries the instant at which the tick must plan it
 * again; a tick reads only the customers with an invoice whose instant
 * has come. The tick stores what the planner computes; every other write
 * that can change what an invoice's plan says (a payment, an import that
 * changed it or its customer, an opt-out, an event, a promise) wakes it
 * in the writer's own transaction. */

/* "The next tick, whatever instant it runs at" — what writers pass unless
 * they mean a later instant (a fake clock may tick before the writer's now). */
#define RG_WAKE_NOW ((rg_instant)0)

/* Moves the invoice's instant to `at` unless it is already earlier, and
 * counts the wake, so that a tick that read the invoice before this wake
 * does not overwrite it. A closed or absent invoice is left alone. A
 * future `at` holds until the invoice is next planned: the tick then
 * stores what the planner computes. */
rg_status rg_store_invoice_wake(rg_store *s, int64_t invoice_id, rg_instant at, rg_err *e);
/* The same for every open invoice of a customer. */
rg_status rg_store_customer_wake(rg_store *s, int64_t customer_id, rg_instant at, rg_err *e);
/* An invoice's stored instant: RG_INSTANT_NONE when nothing is planned;
 * RG_ENOTFOUND when there is no such invoice. */
rg_status rg_store_invoice_agenda(rg_store *s, int64_t invoice_id, rg_instant *next_at, rg_err *e);

/* ---- trigger timers (docs/engine.md, "Events and triggers") ----
 * A trigger of a cadence that waits on an event starts a timer when the
 * event is recorded (rg_event_record); the tick fires it once its moment
 * has come, and an `unless` event cancels it. One row per cadence,
 * trigger and event (UNIQUE): recording or firing twice changes nothing. */
typedef struct rg_timer {
    int64_t id;
    char cadence[64];
    char trigger_id[64];
    int64_t event_id;
    char event_type[32];  /* read back: the starting event's type */
    rg_instant event_at;  /* read back: when it happened */
    char event_payload[512]; /* read back: its payload (cut at 511 bytes) */
    int64_t customer_id;
    int64_t invoice_id;   /* 0: the customer as a whole (a customer-level event) */
    rg_instant fire_at;   /* when it fires (moved to the window's next opening, or the next day under a cap) */
    char status[12];      /* waiting, fired, cancelled */
    char reason[256];     /* what firing did, why it was cancelled or why it waits */
    rg_instant created_at;
    rg_instant done_at;   /* fired or cancelled at; RG_INSTANT_NONE while waiting */
} rg_timer;
typedef rg_status (*rg_timer_fn)(void *ctx, const rg_timer *t);
/* Inserts a waiting timer unless one for the same cadence, trigger and
 * event exists (*inserted says which; t->id is set when inserted). */
rg_status rg_store_timer_add(rg_store *s, rg_timer *t, bool *inserted, rg_err *e);
/* A customer's waiting timers, oldest first. */
rg_status rg_store_timer_waiting_for_customer(rg_store *s, int64_t customer_id, rg_timer_fn fn, void *ctx,
                                              rg_err *e);
/* A customer's waiting timers of one cadence's trigger, oldest first (an
 * event whose type a few triggers' `unless` names reads only theirs). */
rg_status rg_store_timer_waiting_for_trigger(rg_store *s, int64_t customer_id, const char *cadence,
                                             const char *trigger_id, rg_timer_fn fn, void *ctx, rg_err *e);
/* Waiting timers with fire_at <= until and id > after_id, by id, at most
 * limit (0: no limit). */
rg_status rg_store_timer_due(rg_store *s, rg_instant until, int64_t after_id, int64_t limit, rg_timer_fn fn,
                             void *ctx, rg_err *e);
/* Ends a waiting timer: status "fired" or "cancelled", with the reason and
 * instant. *changed is false when it was no longer waiting. */
rg_status rg_store_timer_finish(rg_store *s, int64_t id, const char *status, const char *reason, rg_instant at,
                                bool *changed, rg_err *e);
/* A waiting timer fires later (outside the window, over the cap), and why. */
rg_status rg_store_timer_move(rg_store *s, int64_t id, rg_instant fire_at, const char *reason, rg_err *e);
/* An invoice's timers (every status), oldest first. */
rg_status rg_store_timer_each_for_invoice(rg_store *s, int64_t invoice_id, rg_timer_fn fn, void *ctx, rg_err *e);
/* A customer's open invoices, by id (the index of open invoices per customer). */
rg_status rg_store_customer_open_invoices(rg_store *s, int64_t customer_id, rg_invoice_fn fn, void *ctx, rg_err *e);
/* The customer's invoices paid on or after `since` (paid_on), with their
 * nominal due date: the repeat-offender count of `late_count_12m_min`. */
typedef rg_status (*rg_paid_fn)(void *ctx, rg_date due_date, rg_date paid_on);
rg_status rg_store_customer_paid_each(rg_store *s, int64_t customer_id, rg_date since, rg_paid_fn fn, void *ctx,
                                      rg_err *e);
/* switch_to: the invoice follows `cadence` from now on (its cadence_override). */
rg_status rg_store_invoice_set_cadence(rg_store *s, int64_t invoice_id, const char *cadence, rg_instant now,
                                       rg_err *e);

/* ---- the engine ---- */

/* One open invoice as a tick sees it: with its customer, its cadence
 * progress, the customer's opt-outs and the planned_for instants of the
 * customer's live messages since `recent_since` (for caps). Strings are
 * borrowed for the callback. */
typedef struct rg_tick_row {
    rg_invoice invoice;
    rg_customer customer;
    const char *progress_cadence; /* NULL: no progress yet */
    const char *progress_version;
    const char *progress;         /* "step=S@t;..." */
    const char *optouts;          /* "email|sms" or NULL */
    const char *recent;           /* "t1,t2,..." or NULL */
    const char *paid_history;     /* "due:paid_on,..." of the customer's invoices paid since
                                     late_since (dates as day numbers), or NULL */
    rg_instant next_at;           /* the agenda's instant; RG_INSTANT_NONE: none */
    int64_t agenda_wakes;         /* the wakes counter, to write the new instant back with */
    const char *holds;            /* the invoice's active holds, "PROMISE_ID:STEP" joined by '\n'
                                     (PROMISE_ID 0: none; STEP "": every step), or NULL */
    const char *promises;         /* its pending promises, "ID:LAST_DAY" (date + grace, a day
                                     number) joined by ',', or NULL */
} rg_tick_row;
typedef rg_status (*rg_tick_row_fn)(void *ctx, const rg_tick_row *row);

/* Open invoices ordered by (customer id, invoice id), strictly after the
 * given pair, at most `limit` rows. `recent` is read only when
 * recent_since is not RG_INSTANT_NONE, and paid_history only when
 * late_since is not RG_DATE_NONE (each costs a subquery per row). */
rg_status rg_store_tick_each(rg_store *s, rg_instant recent_since, rg_date late_since, int64_t after_customer,
                             int64_t after_invoice, int64_t limit, rg_tick_row_fn fn, void *ctx,
                             rg_err *e);

/* The open invoices of the customers ids[0..n) (ascending, distinct), in
 * (customer, invoice) order, as rg_store_tick_each reads them. */
rg_status rg_store_tick_customers(rg_store *s, rg_instant recent_since, rg_date late_since, const int64_t *ids,
                                  size_t n, rg_tick_row_fn fn, void *ctx, rg_err *e);

/* The agenda, the tick's side. */
typedef rg_status (*rg_id_fn)(void *ctx, int64_t id);
/* The customers with an open invoice whose instant is at or before `now`,
 * ascending, each once. */
rg_status rg_store_agenda_due_customers(rg_store *s, rg_instant now, rg_id_fn fn, void *ctx, rg_err *e);
/* The customers of the next `limit` open invoices in customer order after
 * customer `after`, ascending, each once; *scanned: how many invoices
 * that was (fewer than limit: the end was reached). */
rg_status rg_store_agenda_customers_after(rg_store *s, int64_t after, int64_t limit, rg_id_fn fn, void *ctx,
                                          int64_t *scanned, rg_err *e);
/* What the stored instants were planned with (a fingerprint of the
 * cadences, calendar and zone) and, while the cadences changed, how far
 * the re-plan has gone: customers up to replan_after are re-planned with
 * replan_fingerprint. */
typedef struct rg_agenda_state {
    char fingerprint[65];
    char replan_fingerprint[65];
    int64_t replan_after;
} rg_agenda_state;
rg_status rg_store_agenda_state_get(rg_store *s, rg_agenda_state *out, rg_err *e);
rg_status rg_store_agenda_state_put(rg_store *s, const rg_agenda_state *st, rg_err *e);

rg_status rg_store_progress_put(rg_store *s, int64_t invoice_id, const char *cadence,
                                const char *version, const char *steps, rg_instant now, rg_err *e);
/* What the tick writes on an invoice it planned, many at once (one per
 * invoice: two writes to the same invoice in one call, which one stays is
 * unspecified): its progress, unless cadence is NULL (then kept), and its
 * agenda instant, unless a wake came since the tick read the row (the
 * invoice's wakes counter is no longer `wakes`: the wake's instant stays). */
typedef struct rg_progress_write {
    int64_t invoice_id;
    const char *cadence; /* NULL: the progress is unchanged */
    const char *version;
    const char *steps;
    rg_instant next_at; /* RG_INSTANT_NONE: nothing planned */
    int64_t wakes;      /* rg_tick_row.agenda_wakes as read */
} rg_progress_write;
rg_status rg_store_progress_put_many(rg_store *s, const rg_progress_write *w, size_t n, rg_err *e);
/* Reads one invoice's progress; *found false when none. Strings copied into
 * the given buffers. */
rg_status rg_store_progress_get(rg_store *s, int64_t invoice_id, char *cadence, size_t cadence_n,
                                char *steps, size_t steps_n, bool *found, rg_err *e);

/* Inserts unless the idempotency key exists (*inserted false, m->id set to
 * the existing message). */
rg_status rg_store_message_insert(rg_store *s, rg_message *m, bool *inserted, rg_err *e);
/* Inserts m[0..n) in statements of many rows; inserted[i] says whether
 * m[i] went in (and then m[i]->id is set) or its key existed. */
rg_status rg_store_message_insert_many(rg_store *s, rg_message *const *m, size_t n, bool *inserted, rg_err *e);
rg_status rg_store_message_link_invoice(rg_store *s, int64_t message_id, int64_t invoice_id, rg_err *e);
rg_status rg_store_message_set_status(rg_store *s, int64_t id, rg_message_status st, const char *reason,
                                      rg_instant sent_at, rg_instant now, rg_err *e);

typedef struct rg_message_filter {
    int status;                        /* -1: any */
    const char *invoice_external_id;   /* NULL: any */
    const char *customer_external_id;  /* NULL: any */
    const char *channel;               /* NULL: any; else the channel's name exactly */
    int64_t after_id;
    int64_t limit; /* 0: all */
    const char *cadence;               /* NULL: any; else the cadence's name exactly */
    rg_instant from, to;               /* 0: unbounded; else from <= when < to, when = sent_at, else planned_for */
} rg_message_filter;
void rg_message_filter_init(rg_message_filter *f);
typedef rg_status (*rg_message_fn)(void *ctx, const rg_message *m);
rg_status rg_store_message_each(rg_store *s, const rg_message_filter *f, rg_message_fn fn, void *ctx,
                                rg_err *e);

rg_status rg_store_task_insert(rg_store *s, rg_task *t, rg_err *e);
typedef rg_status (*rg_task_fn)(void *ctx, const rg_task *t);
/* Open and claimed tasks by due time (all when include_done). */
rg_status rg_store_task_each(rg_store *s, bool include_done, rg_task_fn fn, void *ctx, rg_err *e);

rg_status rg_store_optout_set(rg_store *s, int64_t customer_id, const char *channel, const char *how,
                              rg_instant at, rg_err *e);

/* Records a bureau listing request (status `requested`) unless one exists. */
rg_status rg_store_bureau_request(rg_store *s, int64_t invoice_id, rg_instant notice_at, rg_instant now,
                                  bool *created, rg_err *e);
/* A paid invoice's listing (requested or listed) becomes removal_requested
 * (STJ Súmula 548). *changed tells whether there was one. */
rg_status rg_store_bureau_on_paid(rg_store *s, int64_t invoice_id, rg_instant now, bool *changed,
                                  rg_err *e);
/* "" when none, else the listing status. */
rg_status rg_store_bureau_status(rg_store *s, int64_t invoice_id, char *status, size_t n, rg_err *e);

/* When each step of a cadence was first seen: ids[0..n) are step ids, ""
 * standing for the cadence itself. With `record`, an id not seen before is
 * recorded at `now` (and an earlier `now` lowers what is recorded); out[i]
 * is the first instant it was seen, RG_INSTANT_NONE when never (only
 * without record). */
rg_status rg_store_steps_seen(rg_store *s, const char *cadence, const char *const *ids, size_t n, rg_instant now,
                              bool record, rg_instant *out, rg_err *e);
/* Records that version `version` of `cadence` ran, with its
 * allow_contact_outside_hours reason (NULL: none): first seen at `now`
 * unless it was seen earlier. */
rg_status rg_store_cadence_version_seen(rg_store *s, const char *cadence, const char *version, const char *reason,
                                        rg_instant now, rg_err *e);
/* Every recorded version of `cadence`, the earliest first: fn(ctx,
 * version, first_seen, reason or NULL); a non-OK return stops and is
 * returned. */
typedef rg_status (*rg_cadence_version_fn)(void *ctx, const char *version, rg_instant first_seen, const char *reason);
rg_status rg_store_cadence_versions(rg_store *s, const char *cadence, rg_cadence_version_fn fn, void *ctx, rg_err *e);
/* When a message carrying the invoice under step `step` of `cadence` went
 * out by the `letter` channel (sent, delivered or read): the earliest such
 * sent_at; *at = RG_INSTANT_NONE when none did. */
rg_status rg_store_step_letter_sent_at(rg_store *s, int64_t invoice_id, const char *cadence, const char *step,
                                       rg_instant *at, rg_err *e);

/* Stores a reissue: the history row and the invoice's new instruments. */
rg_status rg_store_invoice_reissue(rg_store *s, int64_t invoice_id, const rg_reissue *r, rg_instant now,
                                   rg_err *e);
/* Moves an open invoice's due date once (the portal's "Prorrogar
 * vencimento"): its due date becomes r->new_due_date (the one before is
 * kept as extended_from), its boleto/PIX r's codes (an empty one keeps
 * the current), an earlier segunda via is superseded (reissued_due_date
 * cleared), and the history row goes to the reissues. *done false (and
 * nothing written) when the invoice is not open or was extended before.
 * An import stating the due date it had before (extended_from) leaves the
 * extended one in place. */
rg_status rg_store_invoice_extend(rg_store *s, int64_t invoice_id, const rg_reissue *r, rg_instant now, bool *done,
                                  rg_err *e);
/* The due date the invoice had before its extension; RG_DATE_NONE when
 * it was never extended. */
rg_status rg_store_invoice_extended_from(rg_store *s, int64_t invoice_id, rg_date *from, rg_err *e);

/* The distinct non-empty customer time zones. */
typedef rg_status (*rg_text_fn)(void *ctx, const char *text);
rg_status rg_store_customer_timezones(rg_store *s, rg_text_fn fn, void *ctx, rg_err *e);
/* The largest message id so far (0 when none). */
rg_status rg_store_message_max_id(rg_store *s, int64_t *id, rg_err *e);

/* A consistent copy of the whole database in a new file (for simulate). */
rg_status rg_store_snapshot(rg_store *s, const char *path, rg_err *e);

/* ---- inbound: provider callbacks, replies, tracking (service/inbound) ---- */

/* What inbound traffic needs to know about a message. */
typedef struct rg_message_ref {
    int64_t id;
    int64_t customer_id;
    int64_t invoice_id; /* 0: none */
    char channel[RG_CHANNEL_MAX + 1];
    rg_message_status status;
    char provider_id[128];
} rg_message_ref;

/* RG_ENOTFOUND when there is no message with this id. */
rg_status rg_store_message_ref(rg_store *s, int64_t id, rg_message_ref *out, rg_err *e);
/* The (latest) message a provider knows by this id; RG_ENOTFOUND when none. */
rg_status rg_store_message_by_provider_id(rg_store *s, const char *provider_id, rg_message_ref *out,
                                          rg_err *e);
/* The message whose idempotency key is `key` — a provider echoed it (WhatsApp's
 * biz_opaque_callback_data) with an id regua never recorded because the
 * answer was lost (a crash, a timeout) — taking `provider_id` as its
 * provider id when it has none yet. RG_ENOTFOUND when none. */
rg_status rg_store_message_by_key(rg_store *s, const char *key, const char *provider_id, rg_message_ref *out,
                                  rg_err *e);
/* Closes the open or claimed task of `kind` that message_id carries (the
 * dispatcher's `review` task of an uncertain message) with outcome and note;
 * *changed false when there is none. */
rg_status rg_store_task_close_for_message(rg_store *s, int64_t message_id, const char *kind, const char *outcome,
                                         const char *note, rg_instant now, bool *changed, rg_err *e);
/* An operator's decision on an `uncertain` message (service/messages.h,
 * `regua messages resolve`): status sent (provider_id when not "", sent_at
 * when the row has none, cost), queued (sent again from next_attempt_at
 * with the same key; attempts back to 0) or failed, with reason. The lease
 * columns are cleared. Only an `uncertain` row changes: *changed false
 * otherwise (a provider's status webhook may have settled it first). */
typedef struct rg_message_resolution {
    int64_t id;
    rg_message_status status; /* RG_MSG_SENT, RG_MSG_QUEUED or RG_MSG_FAILED */
    const char *reason;
    const char *provider_id;    /* sent: "" keeps the column */
    rg_instant sent_at;         /* sent */
    rg_cents cost;              /* sent: the channel's cost_per_message */
    rg_instant next_attempt_at; /* queued */
} rg_message_resolution;
rg_status rg_store_message_resolve(rg_store *s, const rg_message_resolution *r, rg_instant now, bool *changed,
                                   rg_err *e);
/* The latest message sent to a customer on a channel; RG_ENOTFOUND when none. */
rg_status rg_store_message_last_sent(rg_store *s, int64_t customer_id, const char *channel,
                                     rg_message_ref *out, rg_err *e);
/* Applies a provider's report (RG_MSG_SENT, _DELIVERED, _READ or _FAILED) at
 * instant `at` without moving a message backwards: SENT sets sent_at (queued
 * or sending become sent); DELIVERED sets delivered_at (and a missing
 * sent_at; queued..sent become delivered); READ sets read_at (and the missing
 * earlier instants; queued..delivered become read); FAILED makes a queued,
 * sending or sent message failed with `reason`. *changed is false when the
 * report was already known (a provider's retry) or came too late to matter. */
rg_status rg_store_message_track(rg_store *s, int64_t id, rg_message_status st, const char *reason,
                                 rg_instant at, rg_instant now, bool *changed, rg_err *e);
/* Customers reachable at an E.164 number, by id: on WhatsApp (`whatsapp`
 * true: the whatsapp field) or by SMS/voice (the phone, or the whatsapp
 * number of a customer without a phone — as rg_channel_address picks).
 * Fills at most `max`; *n tells how many. */
rg_status rg_store_customers_by_number(rg_store *s, const char *e164, bool whatsapp, rg_customer *out,
                                       size_t max, size_t *n, rg_err *e);
/* Whether an event of `type` at `at` whose payload's provider_id is
 * provider_id was recorded (a provider delivering a webhook twice). */
rg_status rg_store_event_seen(rg_store *s, const char *type, rg_instant at, const char *provider_id, bool *seen,
                              rg_err *e);
/* Whether a customer opted out of a channel. */
rg_status rg_store_optout_get(rg_store *s, int64_t customer_id, const char *channel, bool *found,
                              rg_err *e);

/* ---- the operator task queue, promises and bureau requests (issue 5:
 * letters, bureau, task) ---- */

/* A task with what an operator needs to act on it. */
typedef struct rg_task_view {
    rg_task task;
    int64_t message_id; /* the message a `task` channel task carries; 0: none */
    char customer_external_id[RG_EXTID_MAX + 1];
    char customer_name[RG_NAME_MAX + 1];
    char customer_phone[RG_PHONE_MAX + 1]; /* phone, else WhatsApp number */
    char invoice_external_id[RG_EXTID_MAX + 1]; /* "" when none */
    rg_instant claimed_at; /* RG_INSTANT_NONE when not claimed */
    rg_instant done_at;    /* RG_INSTANT_NONE when not done */
    const char *text;      /* the rendered message ("" none); borrowed, see below */
    char held[64];         /* an open or claimed task of an open invoice that a hold of every step holds (a
                            * dispute): that hold's reason, "dispute"; "" when not held */
} rg_task_view;
typedef rg_status (*rg_task_view_fn)(void *ctx, const rg_task_view *t);

/* Creates the task of a message sent through the `task` channel, unless the
 * message already has one (*inserted false; t->id is then the existing
 * task's). `text` is the rendered message. */
rg_status rg_store_task_insert_for_message(rg_store *s, rg_task *t, int64_t message_id, const char *text,
                                           bool *inserted, rg_err *e);
/* One task; RG_ENOTFOUND when absent. out->text is "" here: the rendered
 * text comes only with rg_store_task_view_each(). */
rg_status rg_store_task_get(rg_store *s, int64_t id, rg_task_view *out, rg_err *e);
/* Open and claimed tasks by due time, then id (every task when
 * include_done). text is valid during the callback. */
rg_status rg_store_task_view_each(rg_store *s, bool include_done, rg_task_view_fn fn, void *ctx, rg_err *e);
/* The same tasks by id (keyset pages for the API): those with id > after_id,
 * at most `limit` (0: all) of them, in id order. */
rg_status rg_store_task_view_page(rg_store *s, bool include_done, int64_t after_id, int64_t limit, rg_task_view_fn fn,
                                  void *ctx, rg_err *e);
/* Claims an open or claimed task for assignee. *changed false when the
 * task is neither (done, cancelled or absent): the caller checks first. */
rg_status rg_store_task_claim(rg_store *s, int64_t id, const char *assignee, rg_instant now, bool *changed,
                              rg_err *e);
/* Closes an open or claimed task with its outcome and note; assignee NULL
 * or "" keeps the current one. *changed as for rg_store_task_claim. */
rg_status rg_store_task_finish(rg_store *s, int64_t id, const char *assignee, const char *outcome,
                               const char *note, rg_instant now, bool *changed, rg_err *e);

/* A promise to pay (PRODUCT.md §1). */
typedef struct rg_promise {
    int64_t id;
    int64_t customer_id;
    int64_t invoice_id; /* 0: the customer's debt as a whole */
    rg_date promised_date;
    rg_cents amount;
    char status[12];  /* pending, kept, broken, cancelled */
    char source[64];  /* "task:12", "portal", "api" */
    rg_instant created_at;
    rg_instant resolved_at; /* RG_INSTANT_NONE while pending */
    int64_t grace_days;     /* days after the date a payment still keeps it (the pausing trigger's) */
} rg_promise;
typedef rg_status (*rg_promise_fn)(void *ctx, const rg_promise *p);
/* Inserts a pending promise; sets p->id. */
rg_status rg_store_promise_insert(rg_store *s, rg_promise *p, rg_err *e);
/* An invoice's promises, oldest first. */
rg_status rg_store_promise_each_for_invoice(rg_store *s, int64_t invoice_id, rg_promise_fn fn, void *ctx,
                                            rg_err *e);
/* Promises with their customer's and invoice's external ids, by id
 * (keyset pages: id > after_id, at most limit; 0: all). */
typedef struct rg_promise_view {
    rg_promise promise;
    char customer_external_id[RG_EXTID_MAX + 1];
    char invoice_external_id[RG_EXTID_MAX + 1]; /* "" for a promise about the whole debt */
} rg_promise_view;
typedef struct rg_promise_filter {
    int64_t customer_id; /* 0: any */
    int64_t invoice_id;  /* 0: any */
    const char *status;  /* NULL: any */
    int64_t after_id;
    int64_t limit;
} rg_promise_filter;
typedef rg_status (*rg_promise_view_fn)(void *ctx, const rg_promise_view *v);
rg_status rg_store_promise_page(rg_store *s, const rg_promise_filter *f, rg_promise_view_fn fn, void *ctx,
                                rg_err *e);

/* ---- installment agreements (acordos; sqlite_agreements.c; the rules are
 * service/agreements.h's) ---- */
typedef struct rg_agreement {
    int64_t id;
    int64_t customer_id;
    char customer_external_id[RG_EXTID_MAX + 1]; /* read side */
    char status[12];          /* active, completed, broken, cancelled */
    int64_t installments;     /* N monthly installments after the down payment */
    rg_cents principal;       /* the originals' open balances */
    rg_cents down_payment;    /* 0: none */
    rg_cents interest;        /* simple interest on the financed part */
    rg_cents total;           /* down_payment + installments' sum = principal + interest */
    int64_t down_payment_pct, interest_month_pct, break_after_days; /* the terms it was made on */
    char source[32];          /* "cli", "api", "portal" */
    rg_instant created_at;
    rg_instant closed_at;     /* RG_INSTANT_NONE while active */
} rg_agreement;
/* One invoice of an agreement, with the invoice as it is now. */
typedef struct rg_agreement_item {
    char role[12];   /* original, installment */
    int64_t seq;     /* installments: 0 the down payment, 1..N; originals 0 */
    rg_cents amount; /* an installment's face value; an original's balance when renegotiated */
    rg_invoice invoice;
} rg_agreement_item;
typedef rg_status (*rg_agreement_fn)(void *ctx, const rg_agreement *a);
typedef rg_status (*rg_agreement_item_fn)(void *ctx, const rg_agreement_item *it);
/* Inserts a->... (status active); sets a->id. */
rg_status rg_store_agreement_insert(rg_store *s, rg_agreement *a, rg_err *e);
rg_status rg_store_agreement_link(rg_store *s, int64_t agreement_id, int64_t invoice_id, const char *role, int64_t seq,
                                  rg_cents amount, rg_err *e);
/* RG_ENOTFOUND (where "agreement") for no such id. */
rg_status rg_store_agreement_get(rg_store *s, int64_t id, rg_agreement *out, rg_err *e);
/* By id, id > after_id; customer_id 0 and status NULL: any; limit 0: all. */
rg_status rg_store_agreement_each(rg_store *s, int64_t customer_id, const char *status, int64_t after_id,
                                  int64_t limit, rg_agreement_fn fn, void *ctx, rg_err *e);
/* Its invoices: the originals (by invoice id) then the installments by seq. */
rg_status rg_store_agreement_items(rg_store *s, int64_t agreement_id, rg_agreement_item_fn fn, void *ctx, rg_err *e);
/* Closes an active agreement (status completed, broken or cancelled). */
rg_status rg_store_agreement_close(rg_store *s, int64_t id, const char *status, rg_instant at, rg_err *e);

/* ---- holds, promise deadlines and offers (issue 11; sqlite_holds.c;
 * the rules are service/holds.h's) ---- */

#define RG_HOLD_STEP_MAX 63
#define RG_HOLD_REASON_MAX 127
/* A hold on an invoice's step ("" = every step). */
typedef struct rg_hold {
    int64_t id;
    int64_t invoice_id;
    char step[RG_HOLD_STEP_MAX + 1];
    char reason[RG_HOLD_REASON_MAX + 1]; /* "promise", "dispute", "trigger:CADENCE/ID" */
    int64_t promise_id;                  /* holds while this promise is pending; 0: none */
    rg_instant created_at;
    rg_instant released_at;              /* RG_INSTANT_NONE while it holds */
    char released_by[RG_HOLD_REASON_MAX + 1];
} rg_hold;
typedef rg_status (*rg_hold_fn)(void *ctx, const rg_hold *h);
/* Adds an active hold unless the same one (invoice, step, reason,
 * promise) is active already (*added false). Sets h->id when added. */
rg_status rg_store_hold_add(rg_store *s, rg_hold *h, bool *added, rg_err *e);
/* Which active holds rg_store_holds_release releases. */
typedef struct rg_hold_filter {
    int64_t invoice_id;        /* 0: any invoice */
    const char *step;          /* NULL: any; "" only the every-step holds */
    const char *reason;        /* NULL: any */
    const char *except_reason; /* NULL: none excepted */
    int64_t promise_id;        /* 0: any */
} rg_hold_filter;
rg_status rg_store_holds_release(rg_store *s, const rg_hold_filter *f, rg_instant at, const char *by,
                                 int64_t *released, rg_err *e);
/* An invoice's holds, oldest first (active only, or every one). */
rg_status rg_store_hold_each(rg_store *s, int64_t invoice_id, bool active_only, rg_hold_fn fn, void *ctx, rg_err *e);
/* An invoice's pending promises and its customer's about the whole debt
 * (no invoice), oldest first (invoice_id 0: every invoice's, and none
 * about a whole debt). */
rg_status rg_store_promise_each_pending(rg_store *s, int64_t invoice_id, rg_promise_fn fn, void *ctx, rg_err *e);
/* grace_days = max(grace_days, days). */
rg_status rg_store_promise_grace(rg_store *s, int64_t promise_id, int64_t days, rg_err *e);
/* A pending promise becomes `status` (kept, broken, cancelled) at `at`;
 * *changed false when it was no longer pending. */
rg_status rg_store_promise_resolve(rg_store *s, int64_t promise_id, const char *status, rg_instant at, bool *changed,
                                   rg_err *e);
/* The sum of an invoice's payments paid at or after `since` (invoice_id 0:
 * of all customer_id's invoices). */
rg_status rg_store_payments_sum_since(rg_store *s, int64_t invoice_id, int64_t customer_id, rg_instant since,
                                      rg_cents *sum, rg_err *e);

/* An offer (a trigger's or step's `offer:`). */
typedef struct rg_offer {
    int64_t id;
    int64_t invoice_id;
    char source[RG_HOLD_REASON_MAX + 1]; /* "trigger:CADENCE/ID", "step:CADENCE/ID", "cli" */
    bool waive_interest;
    bool waive_fine;
    int64_t discount_pct;   /* hundredths of a percent */
    rg_cents discount;      /* off the open balance, in centavos, fixed when made */
    rg_instant created_at;
    rg_instant valid_until; /* valid while now < valid_until */
    char status[12];        /* open, settled, cancelled */
    rg_instant settled_at;  /* RG_INSTANT_NONE */
    rg_cents waived;        /* recorded when a payment of the offer's amount settled the invoice */
} rg_offer;
typedef rg_status (*rg_offer_fn)(void *ctx, const rg_offer *o);
rg_status rg_store_offer_insert(rg_store *s, rg_offer *o, rg_err *e);
/* The invoice's open offer valid at `at` (the latest made); *found false when none. */
rg_status rg_store_offer_current(rg_store *s, int64_t invoice_id, rg_instant at, rg_offer *out, bool *found,
                                 rg_err *e);
/* Whether any invoice has an open offer valid at `at` (one query; the
 * tick asks once and, without, skips rg_store_offer_current per message). */
rg_status rg_store_offer_any(rg_store *s, rg_instant at, bool *any, rg_err *e);
/* Marks an offer settled at `at`, with what was waived. */
rg_status rg_store_offer_settle(rg_store *s, int64_t offer_id, rg_instant at, rg_cents waived, rg_err *e);
/* An invoice's offers, oldest first. */
rg_status rg_store_offer_each(rg_store *s, int64_t invoice_id, rg_offer_fn fn, void *ctx, rg_err *e);

/* A customer's history (customer show): its events — its own and its
 * invoices' — newest first, at most `limit` (0: all); invoice_external_id
 * is "" for an event about the customer as a whole. */
typedef rg_status (*rg_customer_event_fn)(void *ctx, const rg_event *ev, const char *invoice_external_id);
rg_status rg_store_event_each_for_customer(rg_store *s, int64_t customer_id, int64_t limit, rg_customer_event_fn fn,
                                           void *ctx, rg_err *e);
/* Its opt-outs: channel, how (the source: "reply:SAIR", "unsubscribe", ...) and when, by channel. */
typedef rg_status (*rg_optout_fn)(void *ctx, const char *channel, const char *how, rg_instant at);
rg_status rg_store_optout_each(rg_store *s, int64_t customer_id, rg_optout_fn fn, void *ctx, rg_err *e);

/* Opt-outs across customers (service/optouts.h), by customer id then channel. */
typedef struct rg_optout_row {
    int64_t customer_id;
    char customer_external_id[RG_EXTID_MAX + 1];
    char channel[RG_CHANNEL_MAX + 1];
    char how[32]; /* its source: "reply", "unsubscribe", "cli", "api", ... */
    rg_instant at;
} rg_optout_row;
typedef struct rg_optout_filter {
    int64_t customer_id;       /* 0: every customer */
    const char *channel;       /* NULL: every channel */
    int64_t after_customer_id; /* keyset: only customers with a greater id */
    int64_t limit;             /* rows; 0: all */
} rg_optout_filter;
typedef rg_status (*rg_optout_row_fn)(void *ctx, const rg_optout_row *o);
rg_status rg_store_optout_list(rg_store *s, const rg_optout_filter *f, rg_optout_row_fn fn, void *ctx, rg_err *e);
/* Deletes the customer's opt-out of channel; *removed false when there was none. */
rg_status rg_store_optout_remove(rg_store *s, int64_t customer_id, const char *channel, bool *removed, rg_err *e);

/* ---- the REST API's keys and Idempotency-Keys (migration 13) ----
 * Only a key's SHA-256 (hex) is stored; service/apikeys.h makes and checks
 * keys. Instants are RG_INSTANT_NONE when the thing has not happened. */
typedef struct rg_apikey_row {
    int64_t id;
    char name[128];
    char role[12];   /* admin, operator, viewer */
    char prefix[16]; /* the key's first characters, shown to tell keys apart */
    rg_instant created_at;
    rg_instant revoked_at;
    rg_instant last_used_at;
} rg_apikey_row;
typedef rg_status (*rg_apikey_fn)(void *ctx, const rg_apikey_row *k);
/* Inserts a key (k->id set); RG_ECONFLICT when the hash is already there. */
rg_status rg_store_apikey_insert(rg_store *s, rg_apikey_row *k, const char *hash_hex, rg_err *e);
/* By hash, or by id when hash_hex is NULL; *found false when none. */
rg_status rg_store_apikey_get(rg_store *s, const char *hash_hex, int64_t id, rg_apikey_row *out, bool *found,
                              rg_err *e);
/* The keys with ids above after_id, oldest first, at most limit (0: all). */
rg_status rg_store_apikey_each(rg_store *s, int64_t after_id, int64_t limit, rg_apikey_fn fn, void *ctx, rg_err *e);
/* Sets revoked_at on a key not revoked yet (*changed). */
rg_status rg_store_apikey_revoke(rg_store *s, int64_t id, rg_instant at, bool *changed, rg_err *e);
/* Sets last_used_at. */
rg_status rg_store_apikey_touch(rg_store *s, int64_t id, rg_instant at, rg_err *e);

/* One Idempotency-Key of one API key: status 0 while its request runs. */
typedef struct rg_idem_row {
    char fingerprint[65]; /* SHA-256 hex of method, path and body */
    int status;
    char content_type[64];
    rg_instant created_at;
} rg_idem_row;
/* Claims (api_key_id, key) for a request: inserts it running (status 0)
 * with `fingerprint`, or takes over a row created before `expired_before`
 * (any status) or a running one created before `abandoned_before` (its
 * process died). *claimed false when another row holds the key. Also
 * deletes the rows created before expired_before (two statements: call it
 * in a transaction). */
rg_status rg_store_idem_claim(rg_store *s, int64_t api_key_id, const char *key, const char *fingerprint,
                              rg_instant now, rg_instant expired_before, rg_instant abandoned_before, bool *claimed,
                              rg_err *e);
/* The row (its answer's body into *body when non-NULL); *found false when none. */
rg_status rg_store_idem_get(rg_store *s, int64_t api_key_id, const char *key, rg_idem_row *out, rg_buf *body,
                            bool *found, rg_err *e);
/* Records the answer of the key claimed at claimed_at (nothing when a later
 * request took it over). */
rg_status rg_store_idem_finish(rg_store *s, int64_t api_key_id, const char *key, rg_instant claimed_at, int status,
                               const char *content_type, const char *body, size_t body_len, rg_err *e);
/* Gives the key claimed at claimed_at up (its request failed in a way worth
 * a retry) unless its request was carried out (status RG_IDEM_CARRIED_OUT). */
rg_status rg_store_idem_release(rg_store *s, int64_t api_key_id, const char *key, rg_instant claimed_at, rg_err *e);
/* The status of a claimed key whose request's operation committed and
 * whose answer is not recorded yet (never an HTTP status). */
#define RG_IDEM_CARRIED_OUT 1
/* Arms this handle with the key claimed at claimed_at: from then until
 * rg_store_idem_disarm, every rg_store_commit of a transaction begun with
 * rg_store_begin first sets the key's row to RG_IDEM_CARRIED_OUT in that
 * same transaction — the operation and the mark commit together or not at
 * all, so a key whose row still says running was never carried out. When
 * the row is no longer this claim (a later request took the key over
 * after RG_IDEM_ABANDONED_SECONDS), the commit fails with RG_ECONFLICT
 * naming Idempotency-Key and writes nothing (the caller rolls back). */
void rg_store_idem_arm(rg_store *s, int64_t api_key_id, const char *key, rg_instant claimed_at);
void rg_store_idem_disarm(rg_store *s);
/* Whether the handle is armed (a caller that would write on another
 * handle, e.g. the events' group commit, writes on this one instead). */
bool rg_store_idem_armed(const rg_store *s);

/* An invoice's bureau listing (negativação) and its history. Instants are
 * RG_INSTANT_NONE when the step has not happened. */
typedef struct rg_bureau_listing {
    int64_t id;
    int64_t invoice_id;
    char status[20]; /* notice_sent, requested, listed, removal_requested, removed */
    rg_instant notice_at;
    rg_instant requested_at;
    rg_instant listed_at;
    rg_instant removal_requested_at;
    rg_instant removed_at;
    char provider_ref[128];
    int64_t attempts;          /* requests sent to the bureau so far */
    rg_instant last_attempt_at;
    char last_error[256];      /* why the last request failed; "" after a success */
} rg_bureau_listing;
typedef rg_status (*rg_bureau_fn)(void *ctx, const rg_bureau_listing *l);

/* *found false (and *out zeroed) when the invoice has no listing. */
rg_status rg_store_bureau_get(rg_store *s, int64_t invoice_id, rg_bureau_listing *out, bool *found, rg_err *e);
/* Listings waiting for a request to the bureau (status requested or
 * removal_requested), oldest first. */
rg_status rg_store_bureau_pending_each(rg_store *s, rg_bureau_fn fn, void *ctx, rg_err *e);
/* The bureau accepted a request. A listing request: listed_at and
 * provider_ref are set and a `requested` listing becomes `listed` (one
 * that a payment already moved to removal_requested stays so). A removal
 * request: a `removal_requested` listing becomes `removed`. *changed tells
 * whether the status moved. */
rg_status rg_store_bureau_accepted(rg_store *s, int64_t invoice_id, bool removal, const char *provider_ref,
                                   rg_instant now, bool *changed, rg_err *e);
/* A request failed: counts the attempt and keeps the reason; the status
 * stays pending. */
rg_status rg_store_bureau_failed(rg_store *s, int64_t invoice_id, const char *error, rg_instant now, rg_err *e);
/* ---- the dispatcher's outbox ----
 * A queued message is claimed by one dispatcher at a time: the claim moves
 * it to `sending` under a lease (owner + expiry). Every later write is
 * guarded by that lease: a dispatcher whose lease was taken over (it was
 * presumed dead) changes nothing (*held false). */

/* Claims up to `limit` queued messages due at `now` (next_attempt_at <= now),
 * oldest first: on `channel`, or, when channel is NULL, on any channel NOT
 * named in `other_than` ("email|sms"). They become `sending`, leased to
 * `owner` until `lease_until`. fn receives each claimed message (borrowed;
 * customer_external_id and invoice_external_ids filled). */
rg_status rg_store_outbox_claim(rg_store *s, const char *channel, const char *other_than, const char *owner,
                                rg_instant now, rg_instant lease_until, int64_t limit, rg_message_fn fn,
                                void *ctx, rg_err *e);
/* Records that the leased message's current attempt is being handed to a
 * provider that takes no idempotency key (so an expired lease means
 * "maybe delivered"). */
rg_status rg_store_outbox_handed(rg_store *s, int64_t id, const char *owner, rg_instant now, bool *held,
                                 rg_err *e);

/* How a leased message leaves `sending`. NULL strings keep the column. */
typedef struct rg_outbox_result {
    int64_t id;
    const char *owner;          /* the lease it must still hold */
    rg_message_status status;   /* queued (retry, wait, reroute) or a final state */
    const char *reason;
    const char *provider_id;
    int attempts;               /* the new count */
    rg_instant next_attempt_at; /* when queued; 0: keep */
    rg_instant sent_at;         /* when sent; 0: keep */
    rg_cents cost;              /* when sent: the channel's cost_per_message */
    /* a new channel (fallback) or new content (re-rendered) */
    const char *channel;
    const char *fallbacks;
    const char *subject;
    const char *body;
    const char *html;
    const char *payload;
} rg_outbox_result;
rg_status rg_store_outbox_finish(rg_store *s, const rg_outbox_result *r, rg_instant now, bool *held, rg_err *e);

/* Extends every lease `owner` holds to lease_until (a dispatcher that
 * still has work under them: transfers running, outcomes waiting for the
 * store). *n: how many. */
rg_status rg_store_outbox_renew(rg_store *s, const char *owner, rg_instant lease_until, int64_t *n, rg_err *e);

/* A message in `sending`, for recovering leases of dead dispatchers. */
typedef struct rg_outbox_lease {
    int64_t id;
    int64_t customer_id;
    int64_t invoice_id; /* 0: none */
    char owner[128];
    rg_instant lease_until;
    rg_instant handed_at; /* 0: not handed to a provider without idempotency key */
    char channel[RG_CHANNEL_MAX + 1];
    int attempts;
} rg_outbox_lease;
typedef rg_status (*rg_outbox_lease_fn)(void *ctx, const rg_outbox_lease *l);
rg_status rg_store_outbox_leases(rg_store *s, rg_outbox_lease_fn fn, void *ctx, rg_err *e);
/* The earliest next_attempt_at among queued messages; RG_INSTANT_NONE when none. */
rg_status rg_store_outbox_next_due(rg_store *s, rg_instant *at, rg_err *e);
/* How many messages are queued and how many are being sent. */
rg_status rg_store_outbox_counts(rg_store *s, int64_t *queued, int64_t *sending, rg_err *e);

/* The invoices a message is about (the linked ones of a consolidated
 * message, else its invoice); at most max ids. */
rg_status rg_store_message_invoice_ids(rg_store *s, int64_t message_id, int64_t *ids, size_t max, size_t *n,
                                       rg_err *e);
/* The channels the customer opted out of, "email|sms" ("" when none). */
rg_status rg_store_customer_optouts(rg_store *s, int64_t customer_id, char *buf, size_t n, rg_err *e);
/* sent_at of the customer's messages that went out (sent, delivered,
 * read) at or after `since`, except message `exclude`; at most max. */
rg_status rg_store_customer_sends_since(rg_store *s, int64_t customer_id, rg_instant since, int64_t exclude,
                                        rg_instant *out, size_t max, size_t *n, rg_err *e);

/* ---- outgoing webhooks' outbox (sqlite_webhooks.c) ----
 * One delivery per webhook and event; see service/webhooks.h. */
typedef struct rg_webhook_delivery {
    int64_t id;
    char webhook[48];
    int64_t event_id;
    char event_type[32];
    const char *body;         /* borrowed: valid during the callback */
    char status[16];          /* pending, sending, delivered, failed */
    int attempts;             /* every attempt so far */
    int failures;             /* failed attempts since it was queued or re-queued (the backoff) */
    rg_instant next_attempt_at;
    char lease_owner[128];
    rg_instant lease_until;   /* RG_INSTANT_NONE when not leased */
    int last_status;          /* the last answer's HTTP status; 0: none */
    char last_error[512];
    rg_instant delivered_at;  /* RG_INSTANT_NONE until delivered */
    rg_instant created_at, updated_at;
} rg_webhook_delivery;
typedef rg_status (*rg_webhook_delivery_fn)(void *ctx, const rg_webhook_delivery *d);

/* Queues the delivery of event_id to `webhook` (next attempt: now).
 * *inserted false when that webhook already has that event. */
rg_status rg_store_webhook_enqueue(rg_store *s, const char *webhook, int64_t event_id, const char *event_type,
                                   const char *body, rg_instant now, bool *inserted, rg_err *e);
/* In the caller's transaction: every delivery whose lease expired (the
 * process sending it stopped) gets an attempt recorded with `lost_error`
 * and is claimed again; with the pending ones due at `now`, at most
 * `limit` in all (oldest first) become `sending`, leased to owner until
 * lease_until. fn receives each one claimed. */
rg_status rg_store_webhook_claim(rg_store *s, const char *owner, rg_instant now, rg_instant lease_until, int64_t limit,
                                 const char *lost_error, rg_webhook_delivery_fn fn, void *ctx, rg_err *e);
/* How an attempt ended. */
typedef struct rg_webhook_outcome {
    int64_t id;
    const char *owner;        /* the lease it must still hold */
    rg_instant at;            /* the attempt's start (webhook_attempts.at) */
    int http_status;          /* 0: no answer */
    const char *error;        /* "" when delivered (already scrubbed) */
    const char *status;       /* delivered, pending (retry at next_attempt_at) or failed */
    rg_instant next_attempt_at;
    rg_instant answered_at;   /* when the answer came or the attempt gave up: the delivery's updated_at
                               * (and delivered_at), so a retry's wait is counted from the answer */
} rg_webhook_outcome;
/* Records the attempt and the delivery's new state when `owner` still
 * holds its lease (*held false and nothing written otherwise). */
rg_status rg_store_webhook_finish(rg_store *s, const rg_webhook_outcome *o, bool *held, rg_err *e);
/* Deliveries (status NULL: all) with ids below before_id (0: any), newest
 * first, at most limit (0: all): a keyset page. */
rg_status rg_store_webhook_each(rg_store *s, const char *status, int64_t before_id, int64_t limit,
                                rg_webhook_delivery_fn fn, void *ctx, rg_err *e);
/* One delivery; RG_ENOTFOUND when there is none with that id. */
rg_status rg_store_webhook_get(rg_store *s, int64_t id, rg_webhook_delivery_fn fn, void *ctx, rg_err *e);
typedef struct rg_webhook_attempt {
    int64_t id;
    rg_instant at;
    int http_status; /* 0: no answer */
    char error[512];
} rg_webhook_attempt;
typedef rg_status (*rg_webhook_attempt_fn)(void *ctx, const rg_webhook_attempt *a);
/* A delivery's attempts, oldest first. */
rg_status rg_store_webhook_attempts(rg_store *s, int64_t delivery_id, rg_webhook_attempt_fn fn, void *ctx, rg_err *e);
/* A failed delivery back to pending, due at `now`, failures 0 (*changed
 * false when it is not failed). */
rg_status rg_store_webhook_requeue(rg_store *s, int64_t id, rg_instant now, bool *changed, rg_err *e);

/* ---- the web dashboard's users and sessions (service/users.h) ----
 * A user's password is kept only as an Argon2id hash (crypto_pwhash_str),
 * a session only as the SHA-256 (hex) of its cookie. Instants are
 * RG_INSTANT_NONE when the thing has not happened. */
#define RG_EMAIL_MAX 254
typedef struct rg_user_row {
    int64_t id;
    char email[RG_EMAIL_MAX + 1];
    char role[12]; /* admin, operator, viewer */
    rg_instant created_at;
    rg_instant disabled_at;
    rg_instant last_login_at;
} rg_user_row;
typedef rg_status (*rg_user_fn)(void *ctx, const rg_user_row *u);
/* Inserts a user (u->id set); RG_ECONFLICT when the email is taken. */
rg_status rg_store_user_insert(rg_store *s, rg_user_row *u, const char *password_hash, rg_err *e);
/* The user with that email (exact; the service lowercases it); its
 * password hash into hash (hash_n bytes) when hash is not NULL. */
rg_status rg_store_user_get(rg_store *s, const char *email, rg_user_row *out, char *hash, size_t hash_n,
                            bool *found, rg_err *e);
/* Every user, by id. */
rg_status rg_store_user_each(rg_store *s, rg_user_fn fn, void *ctx, rg_err *e);
/* Sets disabled_at on a user not disabled yet (*changed) and deletes its
 * sessions (two statements: call it in a transaction). */
rg_status rg_store_user_disable(rg_store *s, int64_t id, rg_instant at, bool *changed, rg_err *e);
/* Adds a session and records the user's last login; deletes the sessions
 * expired before `now` (three statements: in a transaction). */
rg_status rg_store_session_insert(rg_store *s, const char *token_hash, int64_t user_id, rg_instant now,
                                  rg_instant expires_at, rg_err *e);
/* The user of a session that has not expired at `now` and whose user is
 * not disabled; *found false otherwise. *expires_at: the session's end. */
rg_status rg_store_session_get(rg_store *s, const char *token_hash, rg_instant now, rg_user_row *out,
                               rg_instant *expires_at, bool *found, rg_err *e);
rg_status rg_store_session_delete(rg_store *s, const char *token_hash, rg_err *e);
/* Failed logins at or after `since` for that email and from that ip. */
rg_status rg_store_login_failures(rg_store *s, const char *email, const char *ip, rg_instant since,
                                  int64_t *by_email, int64_t *by_ip, rg_err *e);
/* Records a failed login; deletes those before `purge_before` (two statements). */
rg_status rg_store_login_failure_add(rg_store *s, const char *email, const char *ip, rg_instant at,
                                     rg_instant purge_before, rg_err *e);
/* Forgets the failed logins of an email (after it logged in): they still
 * count for their address (their email becomes ""). */
rg_status rg_store_login_failures_clear(rg_store *s, const char *email, rg_err *e);

/* ---- reports (issue 14; sqlite_reports.c; the rules are service/reports.h's) ----
 * Each query reads an index of the reports' migration (schema.c), grouped in SQL;
 * rows come to fn as up to 3 texts and 12 integers (null[i]: SQL NULL). */
typedef enum rg_report_query {
    /* open invoices with a balance, grouped by due date, cadence, tags:
     * t0 progress_cadence ("" none), t1 tags; i0 due_date, i1 count, i2 balance */
    RG_RQ_OPEN_BY_DUE,
    /* invoices not cancelled due in [a0, a1] (dates), grouped by due date and
     * paid_on (index invoices_report_due): i0 due_date, i1 paid_on (null:
     * not paid), i2 count, i3 sum(amount), i4 sum(min(paid, amount)) */
    RG_RQ_DUE_BETWEEN,
    /* payments made in [a0, a1) (instants) on invoices due before a2
     * (payments_report: payments.due_date is the invoice's, migration 20):
     * i0 paid_at, i1 amount, i2 the invoice's due_date */
    RG_RQ_PAYMENTS_LATE,
    /* the funnels' summary (report_funnel, migration 20) for the messages
     * sent in [a0, a1) (instants; quarter hours), by cadence, step, channel
     * and how the company's day of sending (a2: its UTC offset in seconds)
     * differs from the UTC day: t0 cadence, t1 source_id, t2 channel; i0
     * that difference (-1, 0, 1), i1 sent, i2 delivered, i3 read, opened or
     * clicked, i4 sum(cost), i5..i10 sent messages whose invoice was paid d
     * UTC days after the UTC day they were sent, d = -1, 0, 1..6, 7, 8, 9+ */
    RG_RQ_FUNNEL,
    /* payments made in [a0, a1) (report_attribution) by their last touch:
     * t0 cadence, t1 source_id, t2 channel; i0 1 (0: no message before the
     * payment, texts ""), i1 payments, i2 sum(amount) */
    RG_RQ_ATTRIBUTION,
    /* promises made in [a0, a1) (instants), by status: t0 status; i0 count,
     * i1 sum(amount) */
    RG_RQ_PROMISES,
    /* installment agreements made in [a0, a1) (instants), by status: t0
     * status; i0 count, i1 sum(total) */
    RG_RQ_AGREEMENTS,
    /* the task queue now: open and claimed tasks by status (index
     * tasks_open): t0 status; i0 count */
    RG_RQ_TASKS_OPEN,
} rg_report_query;
typedef struct rg_report_row {
    const char *t[3]; /* borrowed until fn returns; NULL when SQL NULL */
    int64_t i[12];
    bool null[12];
} rg_report_row;
typedef rg_status (*rg_report_row_fn)(void *ctx, const rg_report_row *row);
rg_status rg_store_report_rows(rg_store *s, rg_report_query q, const int64_t *args, size_t n_args,
                               rg_report_row_fn fn, void *ctx, rg_err *e);

/* ---- the dashboard's Canais (sqlite_dash.c; migration 21's index) ---- */
#define RG_MSG_STATUS_COUNT 10 /* RG_MSG_PLANNED .. RG_MSG_UNCERTAIN */
typedef struct rg_channel_stats {
    char channel[RG_CHANNEL_MAX + 1];
    int64_t by_status[RG_MSG_STATUS_COUNT]; /* messages by rg_message_status */
    rg_instant last_sent;   /* sent_at of its newest sent, delivered or read message; RG_INSTANT_NONE: none */
    rg_instant last_failed; /* when its newest failed message failed (updated_at); RG_INSTANT_NONE: none */
    char last_failure[256]; /* that message's reason */
} rg_channel_stats;
typedef rg_status (*rg_channel_stats_fn)(void *ctx, const rg_channel_stats *c);
/* Every channel that has messages, by name: counts from the index
 * (channel, status) alone, the last send and failure at the end of their
 * ranges ("newest" = the highest id). */
rg_status rg_store_channel_stats(rg_store *s, rg_channel_stats_fn fn, void *ctx, rg_err *e);

#endif
