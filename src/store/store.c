#include "store/store.h"

#include <string.h>

#include "store/backend.h"

rg_status rg_store_open(const char *location, rg_store **out, rg_err *e)
{
    *out = NULL;
    if (!location || !*location)
        return rg_err_set(e, RG_EUSAGE, "store", "no database location given");
    if (!strncmp(location, "postgres://", 11) || !strncmp(location, "postgresql://", 13))
        return rg_err_set(e, RG_EUSAGE, "store",
                          "the PostgreSQL backend is not built yet; use a SQLite file path");
    if (!strncmp(location, "sqlite:", 7))
        location += 7;
    return rg_sqlite_open(location, out, e);
}

void rg_store_close(rg_store *s)
{
    if (s)
        s->ops->close(s);
}

rg_status rg_store_info_get(rg_store *s, rg_store_info *out, rg_err *e)
{
    return s->ops->info_get(s, out, e);
}

rg_status rg_store_begin(rg_store *s, rg_err *e)
{
    return s->ops->begin(s, e);
}

rg_status rg_store_commit(rg_store *s, rg_err *e)
{
    return s->ops->commit(s, e);
}

void rg_store_rollback(rg_store *s)
{
    s->ops->rollback(s);
}

rg_status rg_store_customer_upsert(rg_store *s, rg_customer *c, unsigned fields, rg_instant now,
                                   rg_upsert_result *res, rg_err *e)
{
    return s->ops->customer_upsert(s, c, fields, now, res, e);
}

rg_status rg_store_customer_get(rg_store *s, const char *external_id, rg_customer *out, rg_err *e)
{
    return s->ops->customer_get(s, external_id, 0, out, e);
}

rg_status rg_store_customer_get_by_id(rg_store *s, int64_t id, rg_customer *out, rg_err *e)
{
    return s->ops->customer_get(s, NULL, id, out, e);
}

rg_status rg_store_customer_id(rg_store *s, const char *external_id, int64_t *id, rg_err *e)
{
    return s->ops->customer_id(s, external_id, id, e);
}

rg_status rg_store_customer_each(rg_store *s, const rg_customer_filter *f, rg_customer_fn fn,
                                 void *ctx, rg_err *e)
{
    return s->ops->customer_each(s, f, fn, ctx, e);
}

rg_status rg_store_invoice_upsert(rg_store *s, rg_invoice *inv, unsigned fields, rg_instant now,
                                  rg_upsert_result *res, rg_err *e)
{
    return s->ops->invoice_upsert(s, inv, fields, now, res, e);
}

rg_status rg_store_invoice_get(rg_store *s, const char *external_id, rg_invoice *out, rg_err *e)
{
    return s->ops->invoice_get(s, external_id, 0, out, e);
}

rg_status rg_store_invoice_get_by_id(rg_store *s, int64_t id, rg_invoice *out, rg_err *e)
{
    return s->ops->invoice_get(s, NULL, id, out, e);
}

rg_status rg_store_invoice_find_for_bank(rg_store *s, const char *nosso_numero, const char *document_number,
                                         rg_invoice *out, rg_err *e)
{
    return s->ops->invoice_find_for_bank(s, nosso_numero, document_number, out, e);
}

rg_status rg_store_invoice_set_paid(rg_store *s, int64_t id, rg_cents paid, rg_invoice_status st,
                                    rg_instant now, rg_err *e)
{
    return s->ops->invoice_set_paid(s, id, paid, st, now, e);
}

void rg_invoice_filter_init(rg_invoice_filter *f)
{
    memset(f, 0, sizeof *f);
    f->status = -1;
    f->due_from = RG_DATE_NONE;
    f->due_to = RG_DATE_NONE;
}

rg_status rg_store_invoice_each(rg_store *s, const rg_invoice_filter *f, rg_invoice_fn fn, void *ctx,
                                rg_err *e)
{
    return s->ops->invoice_each(s, f, fn, ctx, e);
}

rg_status rg_store_payment_insert(rg_store *s, rg_payment *p, rg_instant now, bool *inserted,
                                  rg_err *e)
{
    return s->ops->payment_insert(s, p, now, inserted, e);
}

rg_status rg_store_payment_each(rg_store *s, int64_t invoice_id, rg_payment_fn fn, void *ctx,
                                rg_err *e)
{
    return s->ops->payment_each(s, invoice_id, fn, ctx, e);
}

rg_status rg_store_event_add(rg_store *s, const rg_event *ev, int64_t *id, rg_err *e)
{
    return s->ops->event_add(s, ev, id, e);
}

rg_status rg_store_event_each_for_invoice(rg_store *s, int64_t invoice_id, rg_event_fn fn, void *ctx,
                                          rg_err *e)
{
    return s->ops->event_each_for_invoice(s, invoice_id, fn, ctx, e);
}
