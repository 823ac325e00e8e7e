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
 *
 * Writes that span several rows are wrapped by the caller in
 * rg_store_begin() / rg_store_commit() (or rg_store_rollback()); single
 * calls are atomic on their own.
 */
#ifndef RG_STORE_H
#define RG_STORE_H

#include <stdbool.h>
#include <stdint.h>

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
    RG_IF_BOLETO = 1u << 6, /* boleto_bank, nosso_numero, barcode, linha_digitavel */
    RG_IF_PIX = 1u << 7,
    RG_IF_PAYMENT_URL = 1u << 8,
    RG_IF_TAGS = 1u << 9,
    RG_IF_FEES = 1u << 10,
    RG_IF_ALL = (1u << 11) - 1
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
rg_status rg_store_info_get(rg_store *s, rg_store_info *out, rg_err *e);

rg_status rg_store_begin(rg_store *s, rg_err *e);
rg_status rg_store_commit(rg_store *s, rg_err *e);
void rg_store_rollback(rg_store *s);

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

typedef struct rg_customer_filter {
    const char *tag;    /* NULL: any */
    const char *search; /* NULL: any; matches name, external id or document */
    int64_t after_id;   /* keyset pagination: ids greater than this */
    int64_t limit;      /* 0: no limit */
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
                                    rg_instant now, rg_err *e);

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

#endif
