/*
 * sqlite_dash — what the dashboard's pages read beyond the lists: each
 * channel's messages by status (Canais), through the index
 * messages_channel_status (migration 21) so that 3,000,000 messages are
 * counted without reading a message row, and each channel's newest send and
 * failure found at the end of their (channel, status) ranges.
 */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"

#define SQ(base) ((rg_sq_common *)(base))
#define MAX_CHANNELS 64

/* The newest message (highest id) of channel in status through st: its
 * first column raises *at when later (and then reason, its second column,
 * is copied); nothing when there is none. */
static rg_status newest(rg_sq_common *s, sqlite3_stmt *st, const char *channel, const char *status,
                        rg_instant *at, char *reason, size_t n, rg_err *e)
{
    sqlite3_reset(st);
    rg_sq_bind_text(st, 1, channel);
    rg_sq_bind_text(st, 2, status);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        rg_instant t = sqlite3_column_type(st, 0) == SQLITE_NULL ? RG_INSTANT_NONE : sqlite3_column_int64(st, 0);
        if (t != RG_INSTANT_NONE && (*at == RG_INSTANT_NONE || t > *at)) {
            *at = t;
            if (reason)
                rg_sq_col_text(st, 1, reason, n);
        }
        return RG_OK;
    }
    return r == SQLITE_DONE ? RG_OK : rg_sq_fail(s, e, "reading a channel's newest message");
}

rg_status rg_sqd_channel_stats(rg_store *base, rg_channel_stats_fn fn, void *ctx, rg_err *e)
{
    rg_sq_common *s = SQ(base);
    sqlite3_stmt *counts = NULL, *sent = NULL, *failed = NULL;
    rg_status rc = RG_OK;
    rg_channel_stats *v = calloc(MAX_CHANNELS, sizeof *v);
    size_t n = 0;
    if (!v)
        return rg_err_set(e, RG_ENOMEM, "store", "out of memory");
    if (sqlite3_prepare_v2(s->db,
                           "SELECT channel, status, count(*) FROM messages INDEXED BY messages_channel_status"
                           " GROUP BY channel, status ORDER BY channel",
                           -1, &counts, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db,
                           "SELECT sent_at, '' FROM messages INDEXED BY messages_channel_status"
                           " WHERE channel = ?1 AND status = ?2 ORDER BY id DESC LIMIT 1",
                           -1, &sent, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db,
                           "SELECT updated_at, reason FROM messages INDEXED BY messages_channel_status"
                           " WHERE channel = ?1 AND status = ?2 ORDER BY id DESC LIMIT 1",
                           -1, &failed, NULL) != SQLITE_OK) {
        rc = rg_sq_fail(s, e, "reading the channels");
        goto out;
    }
    int r;
    while ((r = sqlite3_step(counts)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(counts, 0);
        const char *status = (const char *)sqlite3_column_text(counts, 1);
        name = name ? name : "";
        if (n == 0 || strcmp(v[n - 1].channel, name) != 0) {
            if (n == MAX_CHANNELS)
                continue; /* more channels than any configuration holds: the rest unread */
            rg_strlcpy(v[n].channel, name, sizeof v[n].channel);
            v[n].last_sent = v[n].last_failed = RG_INSTANT_NONE;
            n++;
        }
        rg_message_status st;
        if (status && rg_message_status_parse(status, &st) && (int)st < RG_MSG_STATUS_COUNT)
            v[n - 1].by_status[st] += sqlite3_column_int64(counts, 2);
    }
    if (r != SQLITE_DONE) {
        rc = rg_sq_fail(s, e, "counting the channels' messages");
        goto out;
    }
    static const char *const went[] = {"sent", "delivered", "read"};
    for (size_t i = 0; i < n && rc == RG_OK; i++) {
        for (size_t k = 0; k < 3 && rc == RG_OK; k++)
            rc = newest(s, sent, v[i].channel, went[k], &v[i].last_sent, NULL, 0, e);
        if (rc == RG_OK)
            rc = newest(s, failed, v[i].channel, "failed", &v[i].last_failed, v[i].last_failure,
                        sizeof v[i].last_failure, e);
    }
    for (size_t i = 0; i < n && rc == RG_OK; i++)
        rc = fn(ctx, &v[i]);
out:
    sqlite3_finalize(counts);
    sqlite3_finalize(sent);
    sqlite3_finalize(failed);
    free(v);
    return rc;
}
