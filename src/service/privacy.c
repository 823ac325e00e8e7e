#include "service/privacy.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "service/json_model.h"
#include "service/json_tasks.h"
#include "service/json_views.h"
#include "service/views.h"

typedef struct open_invoices {
    int64_t n;
    char first[RG_EXTID_MAX + 1];
} open_invoices;

static rg_status count_open(void *p, const rg_invoice *inv)
{
    open_invoices *o = p;
    if (o->n++ == 0)
        rg_strlcpy(o->first, inv->external_id, sizeof o->first);
    return RG_OK;
}

static rg_status anonymize(const rg_event_env *env, const char *external_id, const char *source, rg_instant now,
                           rg_anonymize_result *out, rg_err *e)
{
    rg_store *s = env->store;
    rg_status rc = rg_store_customer_id(s, external_id, &out->customer_id, e);
    if (rc != RG_OK)
        return rc;
    rg_invoice_filter f;
    rg_invoice_filter_init(&f);
    f.customer_external_id = external_id;
    f.status = RG_INV_OPEN;
    open_invoices o = {0};
    if ((rc = rg_store_invoice_each(s, &f, count_open, &o, e)) != RG_OK)
        return rc;
    if (o.n > 0)
        return rg_err_set(e, RG_ECONFLICT, external_id,
                          "has %lld open invoice%s (%s%s): a debt being collected is a legal basis to keep the"
                          " data; anonymize once they are paid or cancelled",
                          (long long)o.n, o.n == 1 ? "" : "s", o.first, o.n > 1 ? ", ..." : "");
    if ((rc = rg_store_customer_anonymize(s, out->customer_id, RG_ANONYMIZED_NAME, now, &out->counts, e)) != RG_OK)
        return rc;
    const rg_anonymize_counts *c = &out->counts;
    json_t *pl = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "messages_cancelled",
                           (json_int_t)c->messages_cancelled, "messages_erased", (json_int_t)c->messages_erased,
                           "events_erased", (json_int_t)c->events_erased, "webhook_bodies_erased",
                           (json_int_t)c->webhook_bodies_erased, "task_notes_erased", (json_int_t)c->task_notes_erased,
                           "tasks_cancelled", (json_int_t)c->tasks_cancelled, "timers_cancelled",
                           (json_int_t)c->timers_cancelled);
    char *payload = pl ? json_dumps(pl, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(pl);
    if (!payload)
        return rg_err_set(e, RG_ENOMEM, "customer", "out of memory");
    rg_event_in ev = {RG_EV_CUSTOMER_ANONYMIZED, now, source, out->customer_id, 0, 0, payload};
    rg_event_out eo;
    rc = rg_event_record(env, &ev, &eo, e);
    free(payload);
    if (rc == RG_OK)
        out->event_id = eo.event_id;
    return rc;
}

rg_status rg_customer_anonymize(const rg_event_env *env, const char *external_id, const char *source, rg_instant now,
                                rg_anonymize_result *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    rg_status rc = rg_store_begin(env->store, e);
    if (rc != RG_OK)
        return rc;
    if ((rc = anonymize(env, external_id, source, now, out, e)) != RG_OK) {
        rg_store_rollback(env->store);
        return rc;
    }
    return rg_store_commit(env->store, e);
}

void *rg_anonymize_result_json(const char *external_id, const rg_anonymize_result *r)
{
    const rg_anonymize_counts *c = &r->counts;
    return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "customer", external_id, "name",
                     RG_ANONYMIZED_NAME, "event_id", (json_int_t)r->event_id, "messages_cancelled",
                     (json_int_t)c->messages_cancelled, "messages_erased", (json_int_t)c->messages_erased,
                     "events_erased", (json_int_t)c->events_erased, "webhook_bodies_erased",
                     (json_int_t)c->webhook_bodies_erased, "task_notes_erased", (json_int_t)c->task_notes_erased,
                     "tasks_cancelled", (json_int_t)c->tasks_cancelled, "timers_cancelled",
                     (json_int_t)c->timers_cancelled);
}

/* ---- export ---- */

typedef struct id_list {
    int64_t *id;
    char (*ext)[RG_EXTID_MAX + 1];
    size_t n, cap;
    int64_t customer_id; /* tasks: keep this customer's */
} id_list;

static rg_status keep_id(id_list *l, int64_t id, const char *ext)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        int64_t *ids = realloc(l->id, cap * sizeof *ids);
        if (!ids)
            return RG_ENOMEM;
        l->id = ids;
        char (*exts)[RG_EXTID_MAX + 1] = realloc(l->ext, cap * sizeof *exts);
        if (!exts)
            return RG_ENOMEM;
        l->ext = exts;
        l->cap = cap;
    }
    l->id[l->n] = id;
    rg_strlcpy(l->ext[l->n], ext ? ext : "", sizeof l->ext[0]);
    l->n++;
    return RG_OK;
}

static rg_status keep_invoice(void *p, const rg_invoice *inv)
{
    return keep_id(p, inv->id, inv->external_id);
}

static rg_status keep_task(void *p, const rg_task *t)
{
    id_list *l = p;
    return t->customer_id == l->customer_id ? keep_id(l, t->id, NULL) : RG_OK;
}

typedef struct msg_ctx {
    json_t *array;
    rg_err *e;
} msg_ctx;

static rg_status keep_message(void *p, const rg_message *m)
{
    msg_ctx *c = p;
    json_t *o = rg_message_json(m);
    if (o) {
        json_t *html = json_string(m->html ? m->html : "");
        json_error_t je;
        json_t *payload = m->payload && m->payload[0] ? json_loads(m->payload, 0, &je) : json_object();
        if (!html || !payload || json_object_set_new(o, "html", html) != 0 ||
            json_object_set_new(o, "payload", payload) != 0) {
            json_decref(o);
            o = NULL;
        }
    }
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)m->id);
    return rg_json_append(c->array, o, "message", id, c->e);
}

static rg_status export_read(rg_store *s, rg_engine *eng, const char *external_id, rg_instant now, json_t *doc,
                             rg_err *e)
{
    rg_customer_view cv;
    rg_status rc = rg_customer_view_read(s, external_id, &cv, e);
    if (rc != RG_OK)
        return rc;
    void *cj = NULL;
    rc = rg_customer_view_json(&cv, &cj, e);
    int64_t customer_id = cv.customer.id;
    rg_customer_view_free(&cv);
    if (rc != RG_OK)
        return rc;
    json_object_set_new(doc, "customer", cj);

    id_list inv = {0}, tasks = {0};
    tasks.customer_id = customer_id;
    json_t *invoices = json_array(), *messages = json_array(), *task_docs = json_array();
    json_object_set_new(doc, "invoices", invoices);
    json_object_set_new(doc, "messages", messages);
    json_object_set_new(doc, "tasks", task_docs);
    if (!invoices || !messages || !task_docs)
        return rg_err_set(e, RG_ENOMEM, "export", "out of memory");
    rg_invoice_filter f;
    rg_invoice_filter_init(&f);
    f.customer_external_id = external_id;
    if ((rc = rg_store_invoice_each(s, &f, keep_invoice, &inv, e)) == RG_ENOMEM)
        rc = rg_err_set(e, RG_ENOMEM, "export", "out of memory");
    for (size_t i = 0; rc == RG_OK && i < inv.n; i++) {
        rg_invoice_view iv;
        if ((rc = rg_invoice_view_read(s, eng, inv.ext[i], now, &iv, e)) != RG_OK)
            break;
        void *ij = NULL;
        rc = rg_invoice_view_json(&iv, &ij, e);
        rg_invoice_view_free(&iv);
        if (rc == RG_OK)
            rc = rg_json_append(invoices, ij, "invoice", inv.ext[i], e);
    }
    if (rc == RG_OK) {
        rg_message_filter mf;
        rg_message_filter_init(&mf);
        mf.customer_external_id = external_id;
        msg_ctx mc = {messages, e};
        rc = rg_store_message_each(s, &mf, keep_message, &mc, e);
    }
    if (rc == RG_OK && (rc = rg_store_task_each(s, true, keep_task, &tasks, e)) == RG_ENOMEM)
        rc = rg_err_set(e, RG_ENOMEM, "export", "out of memory");
    for (size_t i = 0; rc == RG_OK && i < tasks.n; i++) {
        rg_task_view tv;
        if ((rc = rg_store_task_get(s, tasks.id[i], &tv, e)) != RG_OK)
            break;
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)tasks.id[i]);
        rc = rg_json_append(task_docs, rg_task_view_json(&tv), "task", id, e);
    }
    free(inv.id);
    free(inv.ext);
    free(tasks.id);
    free(tasks.ext);
    return rc;
}

rg_status rg_customer_export(rg_store *s, const rg_config *config, const char *external_id, rg_instant now,
                             void **out, rg_err *e)
{
    *out = NULL;
    rg_engine *eng = rg_view_engine_open(s, config, NULL);
    char at[32];
    json_t *doc = json_pack("{s:s}", "exported_at", rg_instant_format(now, at, sizeof at));
    if (!doc) {
        rg_engine_close(eng);
        return rg_err_set(e, RG_ENOMEM, "export", "out of memory");
    }
    rg_status rc = rg_store_begin_read(s, e);
    if (rc == RG_OK) {
        rc = export_read(s, eng, external_id, now, doc, e);
        rg_store_rollback(s); /* it only read */
    }
    rg_engine_close(eng);
    if (rc != RG_OK) {
        json_decref(doc);
        return rc;
    }
    *out = doc;
    return RG_OK;
}
