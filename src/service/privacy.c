#include "service/privacy.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

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
    json_t *pl = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "messages_cancelled", (json_int_t)c->messages_cancelled,
                           "messages_erased", (json_int_t)c->messages_erased, "events_erased",
                           (json_int_t)c->events_erased, "task_notes_erased", (json_int_t)c->task_notes_erased,
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
