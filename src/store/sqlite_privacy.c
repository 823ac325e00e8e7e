/*
 * The SQLite backend's privacy operations (LGPD): a customer's personal
 * data erased in place, the financial records kept. Rare operations: their
 * statements are prepared for each call.
 */
#include <sqlite3.h>

#include "store/sqlite_int.h"

#define SQ(base) ((rg_sq_common *)(base))

/* Runs one prepared statement binding ?1 = customer id and ?2 = now; adds
 * the rows it changed to *changed when not NULL. */
static rg_status run(rg_sq_common *s, const char *sql, int64_t customer_id, rg_instant now, int64_t *changed,
                     const char *what, rg_err *e)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return rg_sq_fail(s, e, what);
    }
    sqlite3_bind_int64(st, 1, customer_id);
    if (sqlite3_bind_parameter_count(st) >= 2)
        sqlite3_bind_int64(st, 2, now);
    int r = sqlite3_step(st);
    sqlite3_finalize(st);
    if (r != SQLITE_DONE)
        return rg_sq_fail(s, e, what);
    if (changed)
        *changed += sqlite3_changes(s->db);
    return RG_OK;
}

rg_status rg_sqp_customer_anonymize(rg_store *base, int64_t customer_id, const char *name, rg_instant now,
                                    rg_anonymize_counts *out, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    *out = (rg_anonymize_counts){0};
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "UPDATE customers SET name = ?2, email = '', phone = '', whatsapp = '',"
                           " preferred_channel = '', tags = '', street = '', number = '', complement = '',"
                           " district = '', city = '', state = '', zip = '', updated_at = ?3 WHERE id = ?1",
                           -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return rg_sq_fail(s, e, "anonymizing the customer");
    }
    sqlite3_bind_int64(st, 1, customer_id);
    rg_sq_bind_text(st, 2, name);
    sqlite3_bind_int64(st, 3, now);
    int r = sqlite3_step(st);
    sqlite3_finalize(st);
    if (r != SQLITE_DONE)
        return rg_sq_fail(s, e, "anonymizing the customer");
    if (sqlite3_changes(s->db) != 1)
        return rg_err_set(e, RG_ENOTFOUND, "customer", "no customer with id %lld", (long long)customer_id);
    rg_status rc;
    /* what was still to go out is not sent to nobody */
    if ((rc = run(s,
                  "UPDATE messages SET status = 'cancelled', reason = 'anonymized', next_attempt_at = NULL,"
                  " updated_at = ?2 WHERE customer_id = ?1 AND (status = 'planned' OR status = 'queued')",
                  customer_id, now, &out->messages_cancelled, "cancelling the customer's messages", e)) != RG_OK)
        return rc;
    /* the texts sent (names, amounts in context, addresses in provider
     * answers); the rows stay: when, which channel, what status, the cost */
    if ((rc = run(s,
                  "UPDATE messages SET subject = '', body = '', html = '', payload = '{}',"
                  " reason = CASE WHEN reason = 'anonymized' THEN reason ELSE '' END, updated_at = ?2"
                  " WHERE customer_id = ?1 AND (subject <> '' OR body <> '' OR html <> '' OR payload <> '{}'"
                  " OR (reason <> '' AND reason <> 'anonymized'))",
                  customer_id, now, &out->messages_erased, "erasing the customer's messages", e)) != RG_OK)
        return rc;
    /* events keep their type and time; their payloads (a reply's text, a
     * visit's details) go */
    if ((rc = run(s,
                  "UPDATE events SET payload = '{}' WHERE payload <> '{}' AND (customer_id = ?1"
                  " OR invoice_id IN (SELECT id FROM invoices WHERE customer_id = ?1))",
                  customer_id, now, &out->events_erased, "erasing the customer's events", e)) != RG_OK)
        return rc;
    /* the copies of those events sent to the company's webhooks */
    if ((rc = run(s,
                  "UPDATE webhook_deliveries SET body = json_set(body, '$.data', json('{}'))"
                  " WHERE json_extract(body, '$.data') <> '{}' AND event_id IN (SELECT id FROM events"
                  " WHERE customer_id = ?1 OR invoice_id IN (SELECT id FROM invoices WHERE customer_id = ?1))",
                  customer_id, now, &out->webhook_bodies_erased, "erasing the customer's webhook deliveries",
                  e)) != RG_OK)
        return rc;
    if ((rc = run(s, "UPDATE tasks SET note = '' WHERE customer_id = ?1 AND note <> ''", customer_id, now,
                  &out->task_notes_erased, "erasing the customer's task notes", e)) != RG_OK)
        return rc;
    if ((rc = run(s,
                  "UPDATE tasks SET status = 'cancelled', outcome = 'anonymized', done_at = ?2"
                  " WHERE customer_id = ?1 AND (status = 'open' OR status = 'claimed')",
                  customer_id, now, &out->tasks_cancelled, "cancelling the customer's tasks", e)) != RG_OK)
        return rc;
    return run(s,
               "UPDATE trigger_timers SET status = 'cancelled', reason = 'anonymized'"
               " WHERE customer_id = ?1 AND status = 'waiting'",
               customer_id, now, &out->timers_cancelled, "cancelling the customer's timers", e);
}
