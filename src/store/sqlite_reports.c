/*
 * sqlite_reports — the reports' queries (service/reports.h), each one pass
 * over an index of the reports' migration (schema.c) and grouped here, so that a report over a
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
    [RG_RQ_PAYMENTS_LATE] = {"SELECT p.paid_at, p.amount, i.due_date FROM payments p"
                             " JOIN invoices i ON i.id = p.invoice_id"
                             " WHERE p.paid_at >= ?1 AND p.paid_at < ?2 AND i.due_date < ?3",
                             3, 0, 3, "reading the payments of the period"},
    [RG_RQ_FUNNEL_SENT] = {"SELECT cadence, source_id, channel, count(*), sum(delivered_at IS NOT NULL),"
                           " sum(read_at IS NOT NULL), sum(cost) FROM messages"
                           " WHERE sent_at IS NOT NULL AND sent_at >= ?1 AND sent_at < ?2"
                           " GROUP BY cadence, source_id, channel",
                           2, 3, 4, "reading the messages of the period"},
    /* from the opens and clicks recorded since the period began: far fewer
     * than its messages */
    [RG_RQ_FUNNEL_OPENED] = {"SELECT m.cadence, m.source_id, m.channel, count(DISTINCT m.id)"
                             " FROM events ev CROSS JOIN messages m ON m.id = ev.message_id"
                             " WHERE ev.type IN ('email.opened', 'link.clicked') AND ev.at >= ?1"
                             " AND m.sent_at >= ?1 AND m.sent_at < ?2 AND m.read_at IS NULL"
                             " GROUP BY m.cadence, m.source_id, m.channel",
                             2, 3, 1, "reading the opens and clicks of the period"},
    /* from the invoices paid since the period began, each one's messages
     * sent in the period on or before the day it was paid */
    [RG_RQ_FUNNEL_PAID] = {"SELECT m.cadence, m.source_id, m.channel,"
                           " sum(i.paid_on <= (m.sent_at + ?3) / 86400 + 7), count(*)"
                           " FROM invoices i CROSS JOIN messages m ON m.invoice_id = i.id"
                           " WHERE i.paid_on IS NOT NULL AND i.paid_on >= ?4"
                           " AND m.sent_at IS NOT NULL AND m.sent_at >= ?1 AND m.sent_at < ?2"
                           " AND i.paid_on >= (m.sent_at + ?3) / 86400"
                           " GROUP BY m.cadence, m.source_id, m.channel",
                           4, 3, 2, "reading the invoices paid since the period began"},
    /* the last touch's cadence, step and channel in one text (unit
     * separators), read from messages_invoice_sent alone: no message row
     * is visited; split below */
    [RG_RQ_ATTRIBUTION] = {"SELECT (SELECT x.cadence || char(31) || x.source_id || char(31) || x.channel"
                           "  FROM messages x WHERE x.invoice_id = p.invoice_id AND x.sent_at IS NOT NULL"
                           "  AND x.sent_at <= p.paid_at ORDER BY x.sent_at DESC LIMIT 1) AS k,"
                           " count(*), sum(p.amount) FROM payments p"
                           " WHERE p.paid_at >= ?1 AND p.paid_at < ?2 GROUP BY k",
                           2, 1, 2, "attributing the payments of the period"},
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
    char key[512];
    int nt = queries[q].n_text, ni = queries[q].n_int;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        memset(&row, 0, sizeof row);
        for (int i = 0; i < nt; i++)
            row.t[i] = (const char *)sqlite3_column_text(st, i);
        if (q == RG_RQ_ATTRIBUTION && row.t[0]) { /* "cadence\x1fstep\x1fchannel" */
            rg_strlcpy(key, row.t[0], sizeof key);
            char *a = strchr(key, '\x1f'), *b = a ? strchr(a + 1, '\x1f') : NULL;
            if (!a || !b) {
                rc = rg_err_set(e, RG_EINTERNAL, "report", "a message's cadence, step or channel holds a unit separator");
                break;
            }
            *a = *b = '\0';
            row.t[0] = key;
            row.t[1] = a + 1;
            row.t[2] = b + 1;
        }
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
