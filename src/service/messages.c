#include "service/messages.h"

#include <stdio.h>
#include <string.h>

#include "base/utf8.h"
#include "service/tasks.h"

const char *rg_resolve_action_name(rg_resolve_action a)
{
    switch (a) {
    case RG_RESOLVE_SENT:
        return "sent";
    case RG_RESOLVE_RESEND:
        return "resend";
    case RG_RESOLVE_FAILED:
        return "failed";
    }
    return "?";
}

static rg_status check_text(const char *s, size_t max, const char *where, rg_err *e)
{
    if (!s)
        return RG_OK;
    size_t n = strlen(s);
    if (n > max)
        return rg_err_set(e, RG_EINVAL, where, "at most %zu bytes, not %zu", max, n);
    if (!rg_utf8_valid(s, n))
        return rg_err_set(e, RG_EINVAL, where, "not UTF-8 text");
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20)
            return rg_err_set(e, RG_EINVAL, where, "control characters are not allowed");
    return RG_OK;
}

static rg_status check(const rg_resolve_params *p, rg_err *e)
{
    if (p->action != RG_RESOLVE_SENT && p->action != RG_RESOLVE_RESEND && p->action != RG_RESOLVE_FAILED)
        return rg_err_set(e, RG_EINVAL, "resolve", "say sent, resend or failed");
    rg_status rc;
    if ((rc = check_text(p->note, 200, "note", e)) != RG_OK)
        return rc;
    if (p->by && *p->by && (rc = rg_task_check_assignee(p->by, "as", e)) != RG_OK)
        return rc;
    if (p->provider_id && *p->provider_id) {
        if (p->action != RG_RESOLVE_SENT)
            return rg_err_set(e, RG_EINVAL, "provider-id", "a provider id goes only with sent");
        size_t n = strlen(p->provider_id);
        if (n > 127)
            return rg_err_set(e, RG_EINVAL, "provider-id", "at most 127 characters");
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)p->provider_id[i] <= ' ' || (unsigned char)p->provider_id[i] >= 0x7f)
                return rg_err_set(e, RG_EINVAL, "provider-id", "printable characters without spaces only");
    }
    return RG_OK;
}

static rg_status resolve_in(rg_store *s, int64_t id, const rg_resolve_params *p, rg_instant now,
                            rg_message_ref *ref, rg_err *e)
{
    rg_status rc = rg_store_message_ref(s, id, ref, e);
    if (rc == RG_ENOTFOUND)
        return rg_err_set(e, RG_ENOTFOUND, "message", "message %lld does not exist", (long long)id);
    if (rc != RG_OK)
        return rc;
    if (ref->status != RG_MSG_UNCERTAIN)
        return rg_err_set(e, RG_ECONFLICT, "message",
                          "message %lld is %s, not uncertain: only an uncertain message is resolved", (long long)id,
                          rg_message_status_name(ref->status));
    char who[96] = "", reason[256];
    if (p->by && *p->by)
        snprintf(who, sizeof who, " (%s)", p->by);
    static const char *what[] = {"marked sent by the operator", "sent again at the operator's request",
                                 "given up by the operator"};
    snprintf(reason, sizeof reason, "%s%s%s%s", what[p->action], who, p->note && *p->note ? ": " : "",
             p->note ? p->note : "");
    rg_message_resolution r;
    memset(&r, 0, sizeof r);
    r.id = id;
    r.reason = reason;
    switch (p->action) {
    case RG_RESOLVE_SENT:
        r.status = RG_MSG_SENT;
        r.provider_id = p->provider_id;
        r.sent_at = now;
        r.cost = p->config ? rg_config_channel_cost(p->config, ref->channel) : 0;
        break;
    case RG_RESOLVE_RESEND:
        r.status = RG_MSG_QUEUED;
        r.next_attempt_at = now;
        break;
    case RG_RESOLVE_FAILED:
        r.status = RG_MSG_FAILED;
        break;
    }
    bool changed;
    if ((rc = rg_store_message_resolve(s, &r, now, &changed, e)) != RG_OK)
        return rc;
    if (!changed)
        return rg_err_set(e, RG_ECONFLICT, "message", "message %lld changed meanwhile; look again", (long long)id);
    static const char *outcome[] = {"sent", "resent", "failed"};
    bool closed;
    if ((rc = rg_store_task_close_for_message(s, id, "review", outcome[p->action], reason, now, &closed, e)) != RG_OK)
        return rc;
    return rg_store_message_ref(s, id, ref, e);
}

rg_status rg_message_resolve(rg_store *s, int64_t id, const rg_resolve_params *p, rg_instant now,
                             rg_message_ref *out, rg_err *e)
{
    rg_status rc = check(p, e);
    if (rc != RG_OK)
        return rc;
    rg_message_ref ref;
    if ((rc = rg_store_begin(s, e)) != RG_OK)
        return rc;
    if ((rc = resolve_in(s, id, p, now, &ref, e)) != RG_OK) {
        rg_store_rollback(s);
        return rc;
    }
    if ((rc = rg_store_commit(s, e)) != RG_OK)
        return rc;
    if (out)
        *out = ref;
    return RG_OK;
}
