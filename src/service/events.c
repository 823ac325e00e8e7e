#include "service/events.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "channel/scrub.h"
#include "service/holds.h"

rg_status rg_event_record(const rg_event_env *env, const rg_event_in *ev, rg_event_out *out, rg_err *e)
{
    rg_event_out ignored;
    if (!out)
        out = &ignored;
    memset(out, 0, sizeof *out);
    const char *name = rg_event_type_name(ev->type);
    if (!name)
        return rg_err_set(e, RG_EINVAL, "event", "unknown event type %d", (int)ev->type);
    if (ev->at == RG_INSTANT_NONE)
        return rg_err_set(e, RG_EINVAL, name, "the event has no instant");
    if (!ev->source || !ev->source[0])
        return rg_err_set(e, RG_EINVAL, name, "the event has no source");
    if (ev->invoice_id && !ev->customer_id)
        return rg_err_set(e, RG_EINVAL, name, "an event about an invoice names its customer too");
    if (ev->payload) {
        const char *p = ev->payload;
        while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
            p++;
        if (*p != '{')
            return rg_err_set(e, RG_EINVAL, name, "the payload must be a JSON object");
    }
    rg_event row;
    memset(&row, 0, sizeof row);
    rg_strlcpy(row.type, name, sizeof row.type);
    row.at = ev->at;
    if (!rg_strlcpy(row.source, ev->source, sizeof row.source))
        return rg_err_set(e, RG_EINVAL, name, "source '%s' is longer than %zu bytes", ev->source,
                          sizeof row.source - 1);
    row.customer_id = ev->customer_id;
    row.invoice_id = ev->invoice_id;
    row.message_id = ev->message_id;
    /* payloads carry providers' words, which may quote our credentials */
    char *clean = rg_scrub_dup(ev->payload);
    if (ev->payload && !clean)
        return rg_err_set(e, RG_ENOMEM, name, "out of memory");
    row.payload = clean;
    rg_status rc = rg_store_event_add(env->store, &row, &out->event_id, e);
    free(clean);
    if (rc == RG_OK) /* a dispute holds its invoice's steps until resolved */
        rc = rg_holds_on_event(env, ev, e);
    return rc;
}
