/*
 * The `log` driver: appends each rendered message as one JSON line to a
 * file (dry runs, tests, the demo). It counts as sent. The line carries the
 * idempotency key, so a reader can drop a line written twice after a crash.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "channel/channel.h"

typedef struct log_state {
    FILE *f;
    char path[RG_CONFIG_PATH_MAX];
    rg_buf line; /* reused for every message */
} log_state;

static rg_status make_parent_dirs(const char *path, rg_err *e)
{
    char dir[RG_CONFIG_PATH_MAX];
    rg_strlcpy(dir, path, sizeof dir);
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0755) != 0 && errno != EEXIST)
            return rg_err_set(e, RG_EIO, dir, "cannot create directory: %s", strerror(errno));
        *p = '/';
    }
    return RG_OK;
}

static rg_status log_open(const rg_channel_config *cfg, const rg_channel_env *env, void **state, rg_err *e)
{
    (void)env;
    const char *path = rg_channel_setting(cfg, "path");
    if (!path || !*path)
        return rg_err_set(e, RG_EINVAL, "path", "the log driver needs 'path' (a file to append to)");
    log_state *s = calloc(1, sizeof *s);
    if (!s)
        return rg_err_set(e, RG_ENOMEM, "log", "out of memory");
    rg_strlcpy(s->path, path, sizeof s->path);
    if (strcmp(path, "/dev/null") != 0 && make_parent_dirs(path, e) != RG_OK) {
        free(s);
        return RG_EIO;
    }
    s->f = fopen(path, "a");
    if (!s->f) {
        rg_err_set(e, RG_EIO, path, "cannot open for appending: %s", strerror(errno));
        free(s);
        return RG_EIO;
    }
    setvbuf(s->f, NULL, _IOFBF, 1 << 16);
    *state = s;
    return RG_OK;
}

/* Appends s as a JSON string (quotes included). */
static void json_str(rg_buf *b, const char *s)
{
    rg_buf_putc(b, '"');
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    for (;;) {
        /* copy the run of characters that need no escaping in one go */
        const unsigned char *run = p;
        while (*p >= 0x20 && *p != '"' && *p != '\\')
            p++;
        rg_buf_append(b, (const char *)run, (size_t)(p - run));
        if (!*p)
            break;
        switch (*p) {
        case '"': rg_buf_puts(b, "\\\""); break;
        case '\\': rg_buf_puts(b, "\\\\"); break;
        case '\n': rg_buf_puts(b, "\\n"); break;
        case '\r': rg_buf_puts(b, "\\r"); break;
        case '\t': rg_buf_puts(b, "\\t"); break;
        default: rg_buf_printf(b, "\\u%04x", *p);
        }
        p++;
    }
    rg_buf_putc(b, '"');
}

static void json_field(rg_buf *b, const char *key, const char *value, bool first)
{
    if (!first)
        rg_buf_putc(b, ',');
    json_str(b, key);
    rg_buf_putc(b, ':');
    json_str(b, value);
}

/* The invoices a message carries ("F1|F2", as the store lists them) as a
 * JSON array, ["F1", "F2"]: the one shape of a list of invoice ids. */
static void json_ids(rg_buf *b, const char *key, const char *ids)
{
    rg_buf_putc(b, ',');
    json_str(b, key);
    rg_buf_puts(b, ":[");
    rg_buf one = RG_BUF_INIT;
    for (const char *p = ids ? ids : ""; *p;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        rg_buf_reset(&one);
        rg_buf_append(&one, p, n);
        if (p != ids)
            rg_buf_putc(b, ',');
        json_str(b, rg_buf_cstr(&one));
        p += n + (bar != NULL);
    }
    b->oom |= one.oom;
    rg_buf_free(&one);
    rg_buf_putc(b, ']');
}

static rg_status log_send(void *state, const rg_outgoing *out, rg_send_result *res, rg_err *e)
{
    log_state *s = state;
    const rg_message *m = out->message;
    char planned[32];
    rg_buf *b = &s->line;
    rg_buf_reset(b);
    rg_buf_putc(b, '{');
    json_field(b, "idempotency_key", m->idempotency_key, true);
    json_field(b, "channel", m->channel, false);
    json_field(b, "to", out->to, false);
    json_field(b, "customer_external_id", out->customer->external_id, false);
    json_ids(b, "invoice_external_ids", out->invoice_ids);
    json_field(b, "cadence", m->cadence, false);
    json_field(b, "source", m->source_id, false);
    json_field(b, "template", m->template_name, false);
    json_field(b, "planned_for", rg_instant_format(m->planned_for, planned, sizeof planned), false);
    json_field(b, "subject", m->subject, false);
    json_field(b, "body", m->body, false);
    rg_buf_puts(b, "}\n");
    if (b->oom)
        return rg_err_set(e, RG_ENOMEM, "log", "out of memory");
    if (fwrite(b->p, 1, b->len, s->f) != b->len) {
        res->outcome = RG_SEND_TRANSIENT;
        snprintf(res->error, sizeof res->error, "write failed: %s", strerror(errno));
        return rg_err_set(e, RG_EIO, s->path, "cannot write: %s", strerror(errno));
    }
    snprintf(res->provider_id, sizeof res->provider_id, "log:%lld", (long long)m->id);
    return RG_OK;
}

static rg_status log_flush(void *state, rg_err *e)
{
    log_state *s = state;
    if (fflush(s->f) != 0)
        return rg_err_set(e, RG_EIO, s->path, "cannot write: %s", strerror(errno));
    return RG_OK;
}

static void log_close(void *state)
{
    log_state *s = state;
    if (!s)
        return;
    if (s->f)
        fflush(s->f);
    rg_buf_free(&s->line);
    if (s->f)
        fclose(s->f);
    free(s);
}

const rg_channel_driver rg_driver_log = {
    .name = "log",
    .inline_send = true,
    .open = log_open,
    .send = log_send,
    .flush = log_flush,
    .close = log_close,
};
