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
                           "UPDATE invoices SET extended_from = due_date, due_date = ?2, reissued_due_date = NULL,"
                           " reissued_amount = NULL,"
                           " barcode = CASE WHEN ?3 <> '' THEN ?3 ELSE barcode END,"
                           " linha_digitavel = CASE WHEN ?4 <> '' THEN ?4 ELSE linha_digitavel END,"
                           " pix_code = CASE WHEN ?5 <> '' THEN ?5 ELSE pix_code END,"
                           " updated_at = ?6 WHERE id = ?1 AND extended_from IS NULL AND status = 'open'",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "extending invoice");
    sqlite3_bind_int64(st, 1, invoice_id);
    sqlite3_bind_int64(st, 2, r->new_due_date);
    rg_sq_bind_text(st, 3, r->barcode);
    rg_sq_bind_text(st, 4, r->linha_digitavel);
    rg_sq_bind_text(st, 5, r->pix_code);
    sqlite3_bind_int64(st, 6, now);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return rg_sq_fail(s, e, "extending invoice");
    if (sqlite3_changes(s->db) == 0)
        return RG_OK;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO invoice_reissues (invoice_id, at, old_due_date, new_due_date, principal, fine,"
                           " interest, updated_amount, barcode, linha_digitavel, pix_code)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "recording extension");
    sqlite3_bind_int64(st, 1, invoice_id);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, r->old_due_date);
    sqlite3_bind_int64(st, 4, r->new_due_date);
    sqlite3_bind_int64(st, 5, r->principal);
    sqlite3_bind_int64(st, 6, r->fine);
    sqlite3_bind_int64(st, 7, r->interest);
    sqlite3_bind_int64(st, 8, r->updated_amount);
    rg_sq_bind_text(st, 9, r->barcode);
    rg_sq_bind_text(st, 10, r->linha_digitavel);
    rg_sq_bind_text(st, 11, r->pix_code);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return rg_sq_fail(s, e, "recording extension");
    *done = true;
    return RG_OK;
}

rg_status rg_sqx_invoice_extended_from(rg_store *base, int64_t invoice_id, rg_date *from, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = NULL;
    *from = RG_DATE_NONE;
    if (sqlite3_prepare_v2(s->db, "SELECT extended_from FROM invoices WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "reading invoice");
    sqlite3_bind_int64(st, 1, invoice_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        *from = (rg_date)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return rg_sq_fail(s, e, "reading invoice");
    return RG_OK;
}
