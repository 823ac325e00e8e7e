/*
 * The `log` driver: appends each rendered message as one JSON line to a
 * file (dry runs, tests, the demo). It counts as sent. The line carries the
 * idempotency key, so a reader can drop a line written twice after a crash.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "channel/channel.h"

typedef struct log_state {
    FILE *f;
    char path[RG_CONFIG_PATH_MAX];
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
    *state = s;
    return RG_OK;
}

static rg_status log_send(void *state, const rg_outgoing *out, rg_send_result *res, rg_err *e)
{
    log_state *s = state;
    const rg_message *m = out->message;
    char planned[32];
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "idempotency_key",
                          m->idempotency_key, "channel", m->channel, "to", out->to ? out->to : "",
                          "customer_external_id", out->customer->external_id, "invoice_external_ids",
                          out->invoice_ids ? out->invoice_ids : "", "cadence", m->cadence, "source",
                          m->source_id, "template", m->template_name, "planned_for",
                          rg_instant_format(m->planned_for, planned, sizeof planned), "subject",
                          m->subject ? m->subject : "", "body", m->body ? m->body : "");
    char *line = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    if (!line)
        return rg_err_set(e, RG_ENOMEM, "log", "out of memory");
    int w = fprintf(s->f, "%s\n", line);
    free(line);
    if (w < 0 || fflush(s->f) != 0) {
        res->outcome = RG_SEND_TRANSIENT;
        snprintf(res->error, sizeof res->error, "write failed: %s", strerror(errno));
        return rg_err_set(e, RG_EIO, s->path, "cannot write: %s", strerror(errno));
    }
    snprintf(res->provider_id, sizeof res->provider_id, "log:%lld", (long long)m->id);
    return RG_OK;
}

static void log_close(void *state)
{
    log_state *s = state;
    if (!s)
        return;
    if (s->f)
        fclose(s->f);
    free(s);
}

const rg_channel_driver rg_driver_log = {"log", true, log_open, log_send, NULL, NULL, log_close};
