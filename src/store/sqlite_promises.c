/*
 * sqlite_promises — promises across invoices and customers, by id (the
 * API's keyset pages; service/promises.h rg_promise_list).
 */
#include <string.h>

#include "store/sqlite_int.h"

#define SQ(base) ((rg_sq_common *)(base))

rg_status rg_sqp_promise_page(rg_store *base, const rg_promise_filter *f, rg_promise_view_fn fn, void *ctx,
                              rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT p.id, p.customer_id, p.invoice_id, p.promised_date, p.amount, p.status, p.source,"
                           " p.created_at, p.resolved_at, p.grace_days, c.external_id, coalesce(i.external_id, '')"
                           " FROM promises p JOIN customers c ON c.id = p.customer_id"
                           " LEFT JOIN invoices i ON i.id = p.invoice_id"
                           " WHERE p.id > ?1 AND (?2 = 0 OR p.customer_id = ?2) AND (?3 = 0 OR p.invoice_id = ?3)"
                           " AND (?4 IS NULL OR p.status = ?4) ORDER BY p.id LIMIT ?5",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "listing promises");
    sqlite3_bind_int64(st, 1, f->after_id);
    sqlite3_bind_int64(st, 2, f->customer_id);
    sqlite3_bind_int64(st, 3, f->invoice_id);
    if (f->status)
        rg_sq_bind_text(st, 4, f->status);
    else
        sqlite3_bind_null(st, 4);
    sqlite3_bind_int64(st, 5, f->limit > 0 ? f->limit : -1);
    rg_status rc = RG_OK;
    int r;
    rg_promise_view v;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        memset(&v, 0, sizeof v);
        rg_sq_read_promise(st, &v.promise);
        rg_sq_col_text(st, 10, v.customer_external_id, sizeof v.customer_external_id);
        rg_sq_col_text(st, 11, v.invoice_external_id, sizeof v.invoice_external_id);
        if ((rc = fn(ctx, &v)) != RG_OK)
            break;
    }
    if (rc == RG_OK && r != SQLITE_DONE)
        rc = rg_sq_fail(s, e, "listing promises");
    sqlite3_finalize(st);
    return rc;
}
