/*
 * sqlite_reports — the reports' queries (service/reports.h), each one pass
 * over an index of the reports' migration (schema.c 18) or a summary table
 * (schema.c 20, kept by triggers) and grouped here, so that a report over a
 * million invoices hands the service a few thousand rows at most.
 */
#include <string.h>

#include "store/sqlite_int.h"

#define SQ(base) ((rg_sq_common *)(base))

static const struct {
    const char *sql;
    size_t n_args;
    int n_text, n_int;
    const char *what;
} queries[] = {
    [RG_RQ_OPEN_BY_DUE] = {"SELECT coalesce(progress_cadence, ''), tags, due_date, count(*), sum(amount - paid)"
                           " FROM invoices WHERE status = 'open' AND amount > paid"
                           " GROUP BY due_date, progress_cadence, tags",
                           0, 2, 3, "reading the open invoices"},
    [RG_RQ_DUE_BETWEEN] = {"SELECT due_date, paid_on, count(*), sum(amount), sum(min(paid, amount))"
                           " FROM invoices WHERE due_date BETWEEN ?1 AND ?2 AND status <> 'cancelled'"
                           " GROUP BY due_date, paid_on",
                           2, 0, 5, "reading the invoices due in the period"},
    [RG_RQ_PAYMENTS_LATE] = {"SELECT paid_at, amount, due_date FROM payments"
                             " WHERE paid_at >= ?1 AND paid_at < ?2 AND due_date < ?3",
                             3, 0, 3, "reading the payments of the period"},
    /* the summary rows of the period's quarter hours, summed per key and
     * per how the company's day of sending differs from the UTC day (rows
     * whose messages all left again, their sends undone, are 0: skipped) */
    [RG_RQ_FUNNEL] = {"SELECT cadence, step, channel, (slot * 900 + ?3) / 86400 - slot * 900 / 86400 AS adj,"
                      " sum(sent), sum(delivered), sum(engaged), sum(cost), sum(paid_m1), sum(paid_0),"
                      " sum(paid_1_6), sum(paid_7), sum(paid_8), sum(paid_9)"
                      " FROM report_funnel WHERE slot >= ?1 / 900 AND slot < ?2 / 900"
                      " GROUP BY cadence, step, channel, adj HAVING sum(sent) > 0",
                      3, 3, 11, "reading the messages of the period"},
    [RG_RQ_ATTRIBUTION] = {"SELECT cadence, step, channel, touched, sum(payments), sum(amount)"
                           " FROM report_attribution WHERE slot >= ?1 / 900 AND slot < ?2 / 900"
                           " GROUP BY touched, cadence, step, channel HAVING sum(payments) > 0",
                           2, 3, 3, "attributing the payments of the period"},
    [RG_RQ_PROMISES] = {"SELECT status, count(*), sum(amount) FROM promises"
                        " WHERE created_at >= ?1 AND created_at < ?2 GROUP BY status",
                        2, 1, 2, "reading the promises of the period"},
    [RG_RQ_AGREEMENTS] = {"SELECT status, count(*), sum(total) FROM agreements"
                          " WHERE created_at >= ?1 AND created_at < ?2 GROUP BY status",
                          2, 1, 2, "reading the agreements of the period"},
    [RG_RQ_TASKS_OPEN] = {"SELECT status, count(*) FROM tasks INDEXED BY tasks_open"
                          " WHERE status IN ('open', 'claimed') GROUP BY status",
                          0, 1, 1, "counting the open tasks"},
};

rg_status rg_sqr_report_rows(rg_store *base, rg_report_query q, const int64_t *args, size_t n_args,
                             rg_report_row_fn fn, void *ctx, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    if ((size_t)q >= sizeof queries / sizeof queries[0] || !queries[q].sql || n_args != queries[q].n_args)
        return rg_err_set(e, RG_EINVAL, "report", "bad report query %d with %zu arguments", (int)q, n_args);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, queries[q].sql, -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, queries[q].what);
    for (size_t i = 0; i < n_args; i++)
        sqlite3_bind_int64(st, (int)i + 1, args[i]);
    rg_status rc = RG_OK;
    int r;
    rg_report_row row;
    int nt = queries[q].n_text, ni = queries[q].n_int;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        memset(&row, 0, sizeof row);
        for (int i = 0; i < nt; i++)
            row.t[i] = (const char *)sqlite3_column_text(st, i);
        for (int i = 0; i < ni; i++) {
            row.null[i] = sqlite3_column_type(st, nt + i) == SQLITE_NULL;
            row.i[i] = sqlite3_column_int64(st, nt + i);
        }
        if ((rc = fn(ctx, &row)) != RG_OK)
            break;
    }
    if (rc == RG_OK && r != SQLITE_DONE)
        rc = rg_sq_fail(s, e, queries[q].what);
    sqlite3_finalize(st);
    return rc;
}
