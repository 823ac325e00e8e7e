/*
 * sqlite_extend — a due date moved once (the portal's "Prorrogar
 * vencimento"; service/portal_actions.h rg_portal_extend).
 */
#include <string.h>

#include "store/sqlite_int.h"

#define SQ(base) ((rg_sq_common *)(base))

rg_status rg_sqx_invoice_extend(rg_store *base, int64_t invoice_id, const rg_reissue *r, rg_instant now, bool *done,
                                rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = NULL;
    *done = false;
    /* only an open invoice never extended; its earlier segunda via (if any) is superseded */
    if (sqlite3_prepare_v2(s->db,
                           "UPDATE invoices SET extended_from = due_date, due_date = ?2"
                           " WHERE id = ?1 AND extended_from IS NULL AND status = 'open'",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "extending invoice");
    sqlite3_bind_int64(st, 1, invoice_id);
    sqlite3_bind_int64(st, 2, r->new_due_date);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return rg_sq_fail(s, e, "extending invoice");
    if (sqlite3_changes(s->db) == 0)
        return RG_OK;
    /* the history row and the new codes, as a segunda via's; but this is no segunda via: the due date itself moved */
    if (rg_sqe_invoice_reissue(base, invoice_id, r, now, e) != RG_OK)
        return RG_ESTORE;
    if (sqlite3_prepare_v2(s->db, "UPDATE invoices SET reissued_due_date = NULL, reissued_amount = NULL WHERE id = ?1", -1,
                           &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "extending invoice");
    sqlite3_bind_int64(st, 1, invoice_id);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return rg_sq_fail(s, e, "extending invoice");
    *done = true;
    return RG_OK;
}

rg_status rg_sqx_invoice_extended_from(rg_store *base, int64_t invoice_id, rg_date *from, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *from = RG_DATE_NONE;
    /* prepared once per handle: the portal page reads it for every invoice */
    sqlite3_stmt *st =
        rg_sq_agreement_stmt(s, RG_SQ_AG_EXTENDED_FROM, "SELECT extended_from FROM invoices WHERE id = ?1", e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, invoice_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        *from = (rg_date)sqlite3_column_int64(st, 0);
    rg_status out = rc != SQLITE_ROW && rc != SQLITE_DONE ? rg_sq_fail(s, e, "reading invoice") : RG_OK;
    rg_sq_done(st);
    return out;
}
