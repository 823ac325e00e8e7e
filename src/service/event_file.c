#include "service/event_file.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

/* One line's event, its strings kept in the arena (offsets: the arena
 * moves while it grows). */
typedef struct line_event {
    size_t type, id;  /* offsets */
    size_t data;      /* offset, or SIZE_MAX: none */
    bool customer;    /* id is the customer's (else the invoice's) */
    rg_instant at;
    int64_t line;
} line_event;

static const char *const KEYS[] = {"type", "invoice", "customer", "at", "data", NULL};

static rg_status line_err(rg_err *e, const char *name, int64_t line, const char *field, const char *fmt, const char *a)
{
    char where[sizeof e->where];
    snprintf(where, sizeof where, "%s:%lld%s%s", name, (long long)line, field ? ": " : "", field ? field : "");
    return rg_err_set(e, RG_EINVAL, where, fmt, a);
}

static size_t keep(rg_buf *arena, const char *s)
{
    size_t off = arena->len;
    rg_buf_append(arena, s, strlen(s) + 1);
    return off;
}

static rg_status parse_line(const char *name, int64_t line, const char *p, size_t n, const rg_tz *tz, rg_instant now,
                            rg_buf *arena, line_event *out, rg_err *e)
{
    json_error_t je;
    json_t *o = json_loadb(p, n, JSON_REJECT_DUPLICATES, &je);
    if (!o) {
        char why[200];
        snprintf(why, sizeof why, "column %d: %s", je.column, je.text);
        return line_err(e, name, line, NULL, "not JSON: %s", why);
    }
    rg_status rc = RG_OK;
    const char *key;
    json_t *v;
    if (!json_is_object(o)) {
        rc = line_err(e, name, line, NULL, "%s", "each line is one JSON object ({\"type\": ..., \"invoice\": ...})");
        goto out;
    }
    json_object_foreach(o, key, v)
    {
        bool ok = false;
        for (const char *const *k = KEYS; *k && !ok; k++)
            ok = !strcmp(*k, key);
        if (!ok) {
            rc = line_err(e, name, line, key, "'%s' is not one of type, invoice, customer, at, data", key);
            goto out;
        }
    }
    json_t *type = json_object_get(o, "type"), *inv = json_object_get(o, "invoice"),
           *cust = json_object_get(o, "customer"), *at = json_object_get(o, "at"), *data = json_object_get(o, "data");
    if (!json_is_string(type)) {
        rc = line_err(e, name, line, "type", "%s", "the event's type, as text (e.g. \"portal.visited\")");
        goto out;
    }
    if (!inv == !cust) {
        rc = line_err(e, name, line, NULL, "%s", "name the invoice (\"invoice\") or the customer (\"customer\"), one of them");
        goto out;
    }
    json_t *id = inv ? inv : cust;
    if (!json_is_string(id)) {
        rc = line_err(e, name, line, inv ? "invoice" : "customer", "%s", "the external id, as text");
        goto out;
    }
    out->at = now;
    if (at && (!json_is_string(at) ||
               !rg_tz_parse_moment(tz, json_string_value(at), strlen(json_string_value(at)), &out->at))) {
        rc = line_err(e, name, line, "at", "%s",
                      "an ISO-8601 instant (2027-01-13T10:00:00-03:00) or a date (noon where the company is), as text");
        goto out;
    }
    out->data = SIZE_MAX;
    if (data) {
        if (!json_is_object(data)) {
            rc = line_err(e, name, line, "data", "%s", "must be a JSON object ({...})");
            goto out;
        }
        char *text = json_dumps(data, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (!text) {
            rc = rg_err_set(e, RG_ENOMEM, name, "out of memory");
            goto out;
        }
        out->data = keep(arena, text);
        free(text);
    }
    out->type = keep(arena, json_string_value(type));
    out->id = keep(arena, json_string_value(id));
    out->customer = cust != NULL;
    out->line = line;
out:
    json_decref(o);
    return rc;
}

/* The service's where (the request's field, or "event") becomes
 * "NAME:LINE: field", the refused event's line in the file. */
static void name_line(rg_err *e, const char *name, const line_event *ev)
{
    const char *field = strcmp(e->where, "event") ? e->where : NULL;
    char where[sizeof e->where];
    snprintf(where, sizeof where, "%s:%lld%s%s", name, (long long)ev->line, field ? ": " : "", field ? field : "");
    rg_strlcpy(e->where, where, sizeof e->where);
}

rg_status rg_event_submit_lines(const rg_event_env *env, const char *name, const char *text, size_t len,
                                const rg_tz *tz, rg_instant now, const char *source, rg_event_file_report *report,
                                rg_err *e)
{
    memset(report, 0, sizeof *report);
    rg_buf arena = RG_BUF_INIT;
    line_event *ev = NULL;
    size_t n = 0, cap = 0;
    rg_status rc = RG_OK;
    int64_t line = 0;
    for (size_t i = 0; i < len && rc == RG_OK;) {
        const char *p = text + i, *nl = memchr(p, '\n', len - i);
        size_t m = nl ? (size_t)(nl - p) : len - i;
        i += m + (nl ? 1 : 0);
        line++;
        size_t k = 0;
        while (k < m && (p[k] == ' ' || p[k] == '\t' || p[k] == '\r'))
            k++;
        if (k == m)
            continue; /* a blank line */
        if (n == cap) {
            size_t c = cap ? cap * 2 : 256;
            line_event *v = realloc(ev, c * sizeof *v);
            if (!v) {
                rc = rg_err_set(e, RG_ENOMEM, name, "out of memory");
                break;
            }
            ev = v;
            cap = c;
        }
        rc = parse_line(name, line, p, m, tz, now, &arena, &ev[n], e);
        if (rc == RG_OK && arena.oom)
            rc = rg_err_set(e, RG_ENOMEM, name, "out of memory");
        if (rc == RG_OK)
            n++;
    }
    if (rc == RG_OK && n == 0)
        rc = rg_err_set(e, RG_EINVAL, name, "no events (one JSON object a line)");
    rg_event_request *rq = NULL;
    rg_event_result *res = NULL;
    if (rc == RG_OK && (!(rq = calloc(n, sizeof *rq)) || !(res = calloc(n, sizeof *res))))
        rc = rg_err_set(e, RG_ENOMEM, name, "out of memory");
    if (rc == RG_OK) {
        const char *a = rg_buf_cstr(&arena);
        for (size_t i = 0; i < n; i++) {
            rq[i].type = a + ev[i].type;
            rq[i].invoice = ev[i].customer ? NULL : a + ev[i].id;
            rq[i].customer = ev[i].customer ? a + ev[i].id : NULL;
            rq[i].at = ev[i].at;
            rq[i].data = ev[i].data == SIZE_MAX ? NULL : a + ev[i].data;
            rq[i].source = source;
            rq[i].now = now;
        }
        size_t refused = SIZE_MAX;
        if ((rc = rg_event_submit_many(env, rq, n, res, &refused, e)) != RG_OK) {
            if (refused < n)
                name_line(e, name, &ev[refused]);
        } else {
            for (size_t i = 0; i < n; i++) {
                report->events++;
                report->timers_started += res[i].event.timers_started;
                report->timers_cancelled += res[i].event.timers_cancelled;
                report->promises += res[i].promise_id != 0;
                report->payments += res[i].payment_id && res[i].payment_recorded;
            }
        }
    }
    free(rq);
    free(res);
    free(ev);
    rg_buf_free(&arena);
    return rc;
}

rg_status rg_event_submit_file(const rg_event_env *env, const char *path, const rg_tz *tz, rg_instant now,
                               const char *source, rg_event_file_report *report, rg_err *e)
{
    memset(report, 0, sizeof *report);
    bool in = !strcmp(path, "-");
    FILE *f = in ? stdin : fopen(path, "rb");
    if (!f)
        return rg_err_set(e, RG_EIO, path, "cannot open: %s", strerror(errno));
    rg_buf b = RG_BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rg_buf_append(&b, chunk, n);
    bool err = ferror(f);
    if (!in)
        fclose(f);
    if (err || b.oom) {
        rg_buf_free(&b);
        return rg_err_set(e, err ? RG_EIO : RG_ENOMEM, path, "cannot read the file");
    }
    rg_status rc = rg_event_submit_lines(env, in ? "stdin" : path, rg_buf_cstr(&b), b.len, tz, now, source, report, e);
    rg_buf_free(&b);
    return rc;
}
