/*
 * sqlite_optouts — the opt-out list across customers and revoking one
 * (service/optouts.h). The rows are read in the primary key's order
 * (customer, channel), so a page after a customer is one index range.
 */
#include <string.h>

#include "store/sqlite_int.h"

#define SQ(base) ((rg_sq_common *)(base))

rg_status rg_sqo_optout_list(rg_store *base, const rg_optout_filter *f, rg_optout_row_fn fn, void *ctx, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT o.customer_id, c.external_id, o.channel, o.how, o.at FROM customer_optouts o"
                           " JOIN customers c ON c.id = o.customer_id"
                           " WHERE o.customer_id > ?1 AND (?2 = 0 OR o.customer_id = ?2) AND (?3 IS NULL OR o.channel = ?3)"
                           " ORDER BY o.customer_id, o.channel LIMIT ?4",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "listing opt-outs");
    sqlite3_bind_int64(st, 1, f->after_customer_id);
    sqlite3_bind_int64(st, 2, f->customer_id);
    if (f->channel)
        rg_sq_bind_text(st, 3, f->channel);
    else
        sqlite3_bind_null(st, 3);
    sqlite3_bind_int64(st, 4, f->limit > 0 ? f->limit : -1);
    rg_status rc = RG_OK;
    int r;
    rg_optout_row row;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        memset(&row, 0, sizeof row);
        row.customer_id = sqlite3_column_int64(st, 0);
        rg_sq_col_text(st, 1, row.customer_external_id, sizeof row.customer_external_id);
        rg_sq_col_text(st, 2, row.channel, sizeof row.channel);
        rg_sq_col_text(st, 3, row.how, sizeof row.how);
        row.at = sqlite3_column_int64(st, 4);
        if ((rc = fn(ctx, &row)) != RG_OK)
            break;
    }
    if (rc == RG_OK && r != SQLITE_DONE)
        rc = rg_sq_fail(s, e, "listing opt-outs");
    sqlite3_finalize(st);
    return rc;
}

rg_status rg_sqo_optout_remove(rg_store *base, int64_t customer_id, const char *channel, bool *removed, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *removed = false;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "DELETE FROM customer_optouts WHERE customer_id = ?1 AND channel = ?2", -1, &st,
                           NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "revoking opt-out");
    sqlite3_bind_int64(st, 1, customer_id);
    rg_sq_bind_text(st, 2, channel);
    rg_status rc = RG_OK;
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = rg_sq_fail(s, e, "revoking opt-out");
    else
        *removed = sqlite3_changes(s->db) > 0;
    sqlite3_finalize(st);
    return rc;
}
