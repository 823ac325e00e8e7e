/*
 * sqlite_agreements — installment agreements (acordos) and their invoices
 * (service/agreements.h holds the rules).
 */
#include <string.h>

#include "store/sqlite_int.h"

#define SQ(base) ((rg_sq_common *)(base))

static rg_status run(rg_sq_common *s, sqlite3_stmt *st, rg_err *e, const char *what)
{
    int r = sqlite3_step(st);
    sqlite3_finalize(st);
    if (r != SQLITE_DONE && r != SQLITE_ROW)
        return rg_sq_fail(s, e, what);
    return RG_OK;
}

rg_status rg_sqa_agreement_insert(rg_store *base, rg_agreement *a, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO agreements (customer_id, status, installments, principal, down_payment,"
                           " interest, total, down_payment_pct, interest_month_pct, break_after_days, source,"
                           " created_at) VALUES (?1, 'active', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "storing an agreement");
    sqlite3_bind_int64(st, 1, a->customer_id);
    sqlite3_bind_int64(st, 2, a->installments);
    sqlite3_bind_int64(st, 3, a->principal);
    sqlite3_bind_int64(st, 4, a->down_payment);
    sqlite3_bind_int64(st, 5, a->interest);
    sqlite3_bind_int64(st, 6, a->total);
    sqlite3_bind_int64(st, 7, a->down_payment_pct);
    sqlite3_bind_int64(st, 8, a->interest_month_pct);
    sqlite3_bind_int64(st, 9, a->break_after_days);
    rg_sq_bind_text(st, 10, a->source);
    sqlite3_bind_int64(st, 11, a->created_at);
    rg_status rc = run(s, st, e, "storing an agreement");
    if (rc == RG_OK) {
        a->id = sqlite3_last_insert_rowid(s->db);
        rg_strlcpy(a->status, "active", sizeof a->status);
        a->closed_at = RG_INSTANT_NONE;
    }
    return rc;
}

rg_status rg_sqa_agreement_link(rg_store *base, int64_t agreement_id, int64_t invoice_id, const char *role,
                                int64_t seq, rg_cents amount, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO agreement_invoices (agreement_id, invoice_id, role, seq, amount)"
                           " VALUES (?1, ?2, ?3, ?4, ?5)",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "storing an agreement's invoice");
    sqlite3_bind_int64(st, 1, agreement_id);
    sqlite3_bind_int64(st, 2, invoice_id);
    rg_sq_bind_text(st, 3, role);
    sqlite3_bind_int64(st, 4, seq);
    sqlite3_bind_int64(st, 5, amount);
    return run(s, st, e, "storing an agreement's invoice");
}

#define AGREEMENT_SELECT                                                                                      \
    "SELECT a.id, a.customer_id, c.external_id, a.status, a.installments, a.principal, a.down_payment,"      \
    " a.interest, a.total, a.down_payment_pct, a.interest_month_pct, a.break_after_days, a.source,"          \
    " a.created_at, a.closed_at FROM agreements a JOIN customers c ON c.id = a.customer_id "

static void read_agreement(sqlite3_stmt *st, rg_agreement *a)
{
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(st, 0);
    a->customer_id = sqlite3_column_int64(st, 1);
    rg_sq_col_text(st, 2, a->customer_external_id, sizeof a->customer_external_id);
    rg_sq_col_text(st, 3, a->status, sizeof a->status);
    a->installments = sqlite3_column_int64(st, 4);
    a->principal = sqlite3_column_int64(st, 5);
    a->down_payment = sqlite3_column_int64(st, 6);
    a->interest = sqlite3_column_int64(st, 7);
    a->total = sqlite3_column_int64(st, 8);
    a->down_payment_pct = sqlite3_column_int64(st, 9);
    a->interest_month_pct = sqlite3_column_int64(st, 10);
    a->break_after_days = sqlite3_column_int64(st, 11);
    rg_sq_col_text(st, 12, a->source, sizeof a->source);
    a->created_at = sqlite3_column_int64(st, 13);
    a->closed_at = rg_sq_col_opt_i64(st, 14, RG_INSTANT_NONE);
}

rg_status rg_sqa_agreement_get(rg_store *base, int64_t id, rg_agreement *out, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, AGREEMENT_SELECT "WHERE a.id = ?1", -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "reading an agreement");
    sqlite3_bind_int64(st, 1, id);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        read_agreement(st, out);
    sqlite3_finalize(st);
    if (r == SQLITE_ROW)
        return RG_OK;
    if (r == SQLITE_DONE)
        return rg_err_set(e, RG_ENOTFOUND, "agreement", "no agreement %lld", (long long)id);
    return rg_sq_fail(s, e, "reading an agreement");
}

sqlite3_stmt *rg_sq_agreement_stmt(rg_sq_common *s, int slot, const char *sql, rg_err *e)
{
    if (s->agreement_st[slot])
        return s->agreement_st[slot];
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->agreement_st[slot], NULL) != SQLITE_OK) {
        rg_sq_fail(s, e, "prepare");
        s->agreement_st[slot] = NULL;
    }
    return s->agreement_st[slot];
}

void rg_sqag_finalize(rg_sq_common *s)
{
    for (int i = 0; i < RG_SQ_AGREEMENT_STMTS; i++) {
        sqlite3_finalize(s->agreement_st[i]);
        s->agreement_st[i] = NULL;
    }
}

/* Prepared once per handle: the portal page lists a customer's active agreements on every view. */
rg_status rg_sqa_agreement_each(rg_store *base, int64_t customer_id, const char *status, int64_t after_id,
                                int64_t limit, rg_agreement_fn fn, void *ctx, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = rg_sq_agreement_stmt(s, RG_SQ_AG_EACH,
                                            AGREEMENT_SELECT "WHERE a.id > ?1 AND (?2 = 0 OR a.customer_id = ?2)"
                                                             " AND (?3 IS NULL OR a.status = ?3) ORDER BY a.id LIMIT ?4",
                                            e);
    if (!st)
        return RG_ESTORE;
    sqlite3_bind_int64(st, 1, after_id);
    sqlite3_bind_int64(st, 2, customer_id);
    if (status)
        rg_sq_bind_text(st, 3, status);
    else
        sqlite3_bind_null(st, 3);
    sqlite3_bind_int64(st, 4, limit > 0 ? limit : -1);
    rg_status rc = RG_OK;
    int r;
    rg_agreement a;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        read_agreement(st, &a);
        if ((rc = fn(ctx, &a)) != RG_OK)
            break;
    }
    if (rc == RG_OK && r != SQLITE_DONE)
        rc = rg_sq_fail(s, e, "listing agreements");
    rg_sq_done(st);
    return rc;
}

rg_status rg_sqa_agreement_items(rg_store *base, int64_t agreement_id, rg_agreement_item_fn fn, void *ctx, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = NULL;
    /* the invoice's columns first, as rg_sq_read_invoice reads them */
    if (sqlite3_prepare_v2(s->db,
                           "SELECT i.id, i.external_id, i.customer_id, c.external_id, i.description, i.amount, i.paid,"
                           " i.issue_date, i.due_date, i.status, i.boleto_bank, i.nosso_numero, i.barcode,"
                           " i.linha_digitavel, i.pix_code, i.payment_url, i.fine_pct, i.interest_month_pct, i.tags,"
                           " i.cadence_override, i.reissued_due_date, i.reissued_amount, i.created_at, i.updated_at,"
                           " i.paid_on, ai.role, ai.seq, ai.amount"
                           " FROM agreement_invoices ai JOIN invoices i ON i.id = ai.invoice_id"
                           " JOIN customers c ON c.id = i.customer_id WHERE ai.agreement_id = ?1"
                           " ORDER BY ai.role DESC, ai.seq, i.id",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "reading an agreement's invoices");
    sqlite3_bind_int64(st, 1, agreement_id);
    rg_status rc = RG_OK;
    int r;
    rg_agreement_item it;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        memset(&it, 0, sizeof it);
        rg_sq_read_invoice(st, &it.invoice);
        rg_sq_col_text(st, 25, it.role, sizeof it.role);
        it.seq = sqlite3_column_int64(st, 26);
        it.amount = sqlite3_column_int64(st, 27);
        if ((rc = fn(ctx, &it)) != RG_OK)
            break;
    }
    if (rc == RG_OK && r != SQLITE_DONE)
        rc = rg_sq_fail(s, e, "reading an agreement's invoices");
    sqlite3_finalize(st);
    return rc;
}

rg_status rg_sqa_agreement_close(rg_store *base, int64_t id, const char *status, rg_instant at, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "UPDATE agreements SET status = ?2, closed_at = ?3 WHERE id = ?1 AND status = 'active'",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "closing an agreement");
    sqlite3_bind_int64(st, 1, id);
    rg_sq_bind_text(st, 2, status);
    sqlite3_bind_int64(st, 3, at);
    return run(s, st, e, "closing an agreement");
}
