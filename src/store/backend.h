/*
 * backend — what a store backend implements (private to src/store/).
 *
 * Each function mirrors the public rg_store_* function of the same name;
 * store.c holds the thin wrappers and picks the backend from the location.
 */
#ifndef RG_STORE_BACKEND_H
#define RG_STORE_BACKEND_H

#include "store/store.h"

typedef struct rg_store_ops {
    const char *name;
    void (*close)(rg_store *s);
    rg_status (*info_get)(rg_store *s, rg_store_info *out, rg_err *e);
    rg_status (*begin)(rg_store *s, rg_err *e);
    rg_status (*commit)(rg_store *s, rg_err *e);
    void (*rollback)(rg_store *s);
    rg_status (*customer_upsert)(rg_store *s, rg_customer *c, unsigned fields, rg_instant now,
                                 rg_upsert_result *res, rg_err *e);
    rg_status (*customer_get)(rg_store *s, const char *external_id, int64_t id, rg_customer *out,
                              rg_err *e);
    rg_status (*customer_id)(rg_store *s, const char *external_id, int64_t *id, rg_err *e);
    rg_status (*customer_each)(rg_store *s, const rg_customer_filter *f, rg_customer_fn fn, void *ctx,
                               rg_err *e);
    rg_status (*invoice_upsert)(rg_store *s, rg_invoice *inv, unsigned fields, rg_instant now,
                                rg_upsert_result *res, rg_err *e);
    rg_status (*invoice_get)(rg_store *s, const char *external_id, int64_t id, rg_invoice *out,
                             rg_err *e);
    rg_status (*invoice_find_for_bank)(rg_store *s, const char *nosso_numero, const char *document_number,
                                       rg_invoice *out, rg_err *e);
    rg_status (*invoice_set_paid)(rg_store *s, int64_t id, rg_cents paid, rg_invoice_status st,
                                  rg_instant now, rg_err *e);
    rg_status (*invoice_each)(rg_store *s, const rg_invoice_filter *f, rg_invoice_fn fn, void *ctx,
                              rg_err *e);
    rg_status (*payment_insert)(rg_store *s, rg_payment *p, rg_instant now, bool *inserted, rg_err *e);
    rg_status (*payment_each)(rg_store *s, int64_t invoice_id, rg_payment_fn fn, void *ctx, rg_err *e);
    rg_status (*event_add)(rg_store *s, const rg_event *ev, int64_t *id, rg_err *e);
    rg_status (*event_each_for_invoice)(rg_store *s, int64_t invoice_id, rg_event_fn fn, void *ctx,
                                        rg_err *e);
} rg_store_ops;

struct rg_store {
    const rg_store_ops *ops;
};

rg_status rg_sqlite_open(const char *path, rg_store **out, rg_err *e);

#endif
