/*
 * The SQLite backend's cadence-history functions: when each cadence step
 * was first seen (versions: a step added after an invoice passed it is
 * skipped), each version with its allow_contact_outside_hours reason, and
 * whether a notice went by letter (a consumer's listing).
 * Both run rarely — once per engine and cadence, once per listing due —
 * so their statements are prepared per call.
 */
#include "store/sqlite_int.h"

#define SQ(base) ((rg_sq_common *)(base))

rg_status rg_sqe_steps_seen(rg_store *base, const char *cadence, const char *const *ids, size_t n, rg_instant now,
                            bool record, rg_instant *out, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *put = NULL, *get = NULL;
    rg_status rc = RG_OK;
    if (record && sqlite3_prepare_v2(s->db,
                                     "INSERT INTO cadence_steps_seen (cadence, step, first_seen) VALUES (?1, ?2, ?3)"
                                     " ON CONFLICT (cadence, step) DO UPDATE SET first_seen = excluded.first_seen"
                                     " WHERE excluded.first_seen < cadence_steps_seen.first_seen",
                                     -1, &put, NULL) != SQLITE_OK) {
        rc = rg_sq_fail(s, e, "recording cadence steps");
        goto out;
    }
    if (sqlite3_prepare_v2(s->db, "SELECT first_seen FROM cadence_steps_seen WHERE cadence = ?1 AND step = ?2", -1,
                           &get, NULL) != SQLITE_OK) {
        rc = rg_sq_fail(s, e, "reading cadence steps");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        out[i] = RG_INSTANT_NONE;
        if (put) {
            rg_sq_bind_text(put, 1, cadence);
            rg_sq_bind_text(put, 2, ids[i]);
            sqlite3_bind_int64(put, 3, now);
            if ((rc = rg_sq_step_done(s, put, e, "recording cadence steps")) != RG_OK)
                goto out;
        }
        rg_sq_bind_text(get, 1, cadence);
        rg_sq_bind_text(get, 2, ids[i]);
        int r = sqlite3_step(get);
        if (r == SQLITE_ROW)
            out[i] = sqlite3_column_int64(get, 0);
        rg_sq_done(get);
        if (r != SQLITE_ROW && r != SQLITE_DONE) {
            rc = rg_sq_fail(s, e, "reading cadence steps");
            goto out;
        }
    }
out:
    sqlite3_finalize(put);
    sqlite3_finalize(get);
    return rc;
}

rg_status rg_sqe_cadence_version_seen(rg_store *base, const char *cadence, const char *version, const char *reason,
                                      rg_instant now, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO cadence_versions (cadence, version, first_seen, allow_contact_outside_hours)"
                           " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (cadence, version) DO UPDATE SET"
                           " first_seen = excluded.first_seen WHERE excluded.first_seen < cadence_versions.first_seen",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "recording the cadence's version");
    rg_sq_bind_text(st, 1, cadence);
    rg_sq_bind_text(st, 2, version);
    sqlite3_bind_int64(st, 3, now);
    if (reason)
        rg_sq_bind_text(st, 4, reason);
    else
        sqlite3_bind_null(st, 4);
    rg_status rc = rg_sq_step_done(s, st, e, "recording the cadence's version");
    sqlite3_finalize(st);
    return rc;
}

rg_status rg_sqe_cadence_versions(rg_store *base, const char *cadence, rg_cadence_version_fn fn, void *ctx, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = NULL;
    rg_status rc = RG_OK;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT version, first_seen, allow_contact_outside_hours FROM cadence_versions"
                           " WHERE cadence = ?1 ORDER BY first_seen, version",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "reading the cadence's versions");
    rg_sq_bind_text(st, 1, cadence);
    int r;
    while (rc == RG_OK && (r = sqlite3_step(st)) == SQLITE_ROW)
        rc = fn(ctx, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1),
                (const char *)sqlite3_column_text(st, 2));
    if (rc == RG_OK && r != SQLITE_DONE)
        rc = rg_sq_fail(s, e, "reading the cadence's versions");
    sqlite3_finalize(st);
    return rc;
}

rg_status rg_sqe_step_letter_sent_at(rg_store *base, int64_t invoice_id, const char *cadence, const char *step,
                                     rg_instant *at, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *st = NULL;
    *at = RG_INSTANT_NONE;
    /* a consolidated message names its first invoice and links the others */
    if (sqlite3_prepare_v2(s->db,
                           "SELECT min(coalesce(m.sent_at, m.planned_for)) FROM messages m"
                           " WHERE m.cadence = ?2 AND m.source_kind = 'step' AND m.source_id = ?3"
                           " AND m.channel = 'letter' AND m.status IN ('sent', 'delivered', 'read')"
                           " AND (m.invoice_id = ?1 OR m.id IN (SELECT l.message_id FROM message_invoices l"
                           " WHERE l.invoice_id = ?1))",
                           -1, &st, NULL) != SQLITE_OK)
        return rg_sq_fail(s, e, "looking for the notice's letter");
    sqlite3_bind_int64(st, 1, invoice_id);
    rg_sq_bind_text(st, 2, cadence);
    rg_sq_bind_text(st, 3, step);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        *at = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return r == SQLITE_ROW || r == SQLITE_DONE ? RG_OK : rg_sq_fail(s, e, "looking for the notice's letter");
}
