/*
 * recheck — the dispatcher's question "is this message still worth sending
 * now?", answered with the engine's knowledge (rg_engine_dispatch_check).
 *
 * Just before a send (failed == NULL), in this order:
 * 1. The message's invoices: none left open (paid, cancelled, renegotiated,
 *    written off, no balance) -> cancelled, with the reason; every one
 *    still open held (a dispute; a pause of the message's step:
 *    service/holds.h) -> deferred (waits RG_HOLD_RECHECK_SECONDS, then is
 *    checked again: sent once the hold ends, cancelled once its step is no
 *    longer the invoice's current one); some closed or held (a
 *    consolidated message) -> re-rendered with the others only, and the
 *    held ones' step pending again (the one write a check makes).
 *    PRODUCT.md §2: "this is checked again at the moment of sending".
 *    A step's message is true only while its step is the invoice's current
 *    one (rg_plan_step_current: the invoice still in the step's phase, no
 *    later step due or handled): a message held by the window or the cap
 *    that its invoice outgrew meanwhile — a "vence amanhã" still waiting on
 *    the due day — drops that invoice the same way, and is cancelled when
 *    none is left.
 * 2. The cadence still loaded (else cancelled) and its window open in the
 *    customer's zone (else wait for the next opening: never dropped).
 * 3. The cadence's cap, counted on messages that went out in the last
 *    `days` local days (else wait for the next day's opening).
 * 4. The channel: configured, the customer has an address on it, not
 *    opted out -> send; else the next usable channel of the step.
 * After a permanent failure (failed != NULL) only 1 and 4 apply, starting
 * from the message's remaining fallbacks. A new channel is rendered from
 * its own template (NAME.CHANNEL) with the invoices as they are now.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "cadence/window.h"
#include "engine/engine_int.h"
#include "engine/planner.h"
#include "engine/progress.h"
#include "service/holds.h"

#define MAX_INVOICES 64

static void set_reason(rg_dispatch_verdict *v, const char *text)
{
    rg_strlcpy(v->reason, text, sizeof v->reason);
}

/* Why a channel cannot carry the message now ("" when it can). */
static void channel_problem(rg_engine *eng, const char *channel, const rg_customer *c, const char *optouts, char *why,
                            size_t n)
{
    char addr[300];
    why[0] = '\0';
    if (rg_engine_channel_index(eng, channel) < 0)
        snprintf(why, n, "%s: channel not configured", channel);
    else if (!rg_channel_address(channel, c, addr, sizeof addr)[0])
        snprintf(why, n, "%s: no address", channel);
    else if (rg_engine_opted_out(optouts, channel))
        snprintf(why, n, "%s: opted out", channel);
}

static void take_content(rg_dispatch_verdict *v, rg_engine_content *ct)
{
    v->subject = ct->subject;
    v->body = ct->body;
    v->html = ct->html;
    v->payload = ct->payload;
    memset(ct, 0, sizeof *ct);
}

/* The first usable channel of m->fallbacks, rendered: REROUTE; else SUPPRESS. */
static rg_status fall_back(rg_engine *eng, const rg_message *m, const rg_customer *c, const rg_cadence *cad,
                           const rg_invoice *invs, size_t n, const char *optouts, rg_instant now, const char *why,
                           rg_dispatch_verdict *out, rg_err *e)
{
    rg_buf r = RG_BUF_INIT;
    rg_buf_puts(&r, why);
    rg_status rc = RG_OK;
    const char *p = m->fallbacks;
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        char ch[RG_CHANNEL_MAX + 1];
        snprintf(ch, sizeof ch, "%.*s", (int)(len < sizeof ch ? len : sizeof ch - 1), p);
        p += len + (bar ? 1 : 0);
        if (!ch[0])
            continue;
        char problem[320];
        channel_problem(eng, ch, c, optouts, problem, sizeof problem);
        if (!problem[0] && !cad)
            snprintf(problem, sizeof problem, "%s: no cadence to render it with", ch);
        if (problem[0]) {
            rg_buf_printf(&r, "; %s", problem);
            continue;
        }
        rg_engine_content ct;
        rg_err re;
        rg_err_clear(&re);
        rg_engine_extras x;
        rg_engine_trigger_extras(eng, m, &x);
        rc = rg_engine_render_x(eng, cad, c, invs, n, m->template_name, ch, now, &x, &ct, &re);
        if (rc == RG_ENOMEM) {
            *e = re;
            goto out;
        }
        if (rc != RG_OK) {
            rg_buf_printf(&r, "; %s: template %s.%s: %s", ch, m->template_name, ch, re.msg);
            rc = RG_OK;
            continue;
        }
        out->action = RG_DISPATCH_REROUTE;
        rg_strlcpy(out->channel, ch, sizeof out->channel);
        rg_strlcpy(out->fallbacks, p, sizeof out->fallbacks);
        take_content(out, &ct);
        rg_buf_printf(&r, "; falling back to %s", ch);
        set_reason(out, rg_buf_cstr(&r));
        goto out;
    }
    out->action = RG_DISPATCH_SUPPRESS;
    {
        char text[256];
        snprintf(text, sizeof text, "no channel left: %s", rg_buf_cstr(&r));
        set_reason(out, text);
    }
out:
    rg_buf_free(&r);
    return rc;
}

/* Cap: the customer's messages that went out in the last `days` local
 * days, this one excluded, against `max`. */
rg_status rg_engine_cap_reached(rg_engine *eng, int64_t exclude, const rg_customer *c, const rg_cadence *cad,
                                const rg_tz *tz, rg_instant now, bool *reached, rg_err *e)
{
    *reached = false;
    if (cad->caps.max <= 0)
        return RG_OK;
    int64_t days = cad->caps.days > 0 ? cad->caps.days : 1;
    rg_date today;
    int sod;
    rg_tz_local(tz, now, &today, &sod);
    rg_date first = today - (rg_date)(days - 1);
    rg_instant sends[256];
    size_t n;
    rg_status rc = rg_store_customer_sends_since(eng->store, c->id, now - (days + 1) * 86400, exclude, sends, 256, &n, e);
    if (rc != RG_OK)
        return rc;
    int64_t count = 0;
    for (size_t i = 0; i < n; i++) {
        rg_date d;
        rg_tz_local(tz, sends[i], &d, &sod);
        count += d >= first;
    }
    *reached = count >= cad->caps.max;
    return RG_OK;
}

/* Keeps in invs[0..*n) the invoices for which the message's step is still
 * the current one; the others are named in `dropped`. */
static rg_status keep_current(rg_engine *eng, const rg_message *m, const rg_customer *c, const rg_cadence *cad,
                              const rg_tz *tz, rg_instant now, rg_invoice *invs, size_t *n, rg_buf *dropped, rg_err *e)
{
    int step = rg_cadence_step_index(cad, m->source_id);
    rg_status rc = rg_engine_load_seen(eng, now, false, e);
    if (rc != RG_OK)
        return rc;
    size_t kept = 0;
    for (size_t i = 0; i < *n; i++) {
        char pc[64], text[1024];
        bool found = false;
        if ((rc = rg_store_progress_get(eng->store, invs[i].id, pc, sizeof pc, text, sizeof text, &found, e)) != RG_OK)
            return rc;
        rg_progress prog;
        rg_progress_parse(found && !strcmp(pc, cad->name) ? text : NULL, &prog);
        rg_plan_input in;
        rg_engine_plan_input(eng, &in, cad, &invs[i], c, &prog, found ? pc : NULL, tz, now);
        char why[200];
        if (step >= 0 && found && !strcmp(pc, cad->name) && !rg_progress_find(&prog, m->source_id)) {
            /* reopen_held_steps: a hold kept it out of this message once, and
             * the tick fires its step for it on its own after the release */
            snprintf(why, sizeof why, "left out while held; its step %s is pending again", m->source_id);
        } else if (step >= 0 && rg_plan_step_current(&in, step, why, sizeof why)) {
            if (kept != i)
                invs[kept] = invs[i];
            kept++;
            continue;
        }
        if (step < 0)
            snprintf(why, sizeof why, "step %s is no longer in cadence %s", m->source_id, cad->name);
        rg_buf_printf(dropped, "%s%s: %s", dropped->len ? ", " : "", invs[i].external_id, why);
    }
    *n = kept;
    return RG_OK;
}

/* A consolidated message of a step goes now without the invoices a hold
 * keeps back: their step, recorded done when the tick planned the message,
 * is pending again, so that once the hold ends the tick fires the latest
 * due step for them (as after downtime). */
static rg_status reopen_held_steps(rg_engine *eng, const rg_message *m, const rg_cadence *cad,
                                   const rg_invoice *held, size_t n_held, rg_err *e)
{
    for (size_t i = 0; i < n_held; i++) {
        char pc[64], text[1024];
        bool found = false;
        rg_status rc = rg_store_progress_get(eng->store, held[i].id, pc, sizeof pc, text, sizeof text, &found, e);
        if (rc != RG_OK)
            return rc;
        if (!found || strcmp(pc, cad->name))
            continue;
        rg_progress prog;
        rg_progress_parse(text, &prog);
        const rg_progress_item *it = rg_progress_find(&prog, m->source_id);
        if (!it || it->state != RG_STEP_DONE)
            continue;
        rg_progress_unset(&prog, m->source_id);
        rg_buf steps = RG_BUF_INIT;
        rg_progress_format(&prog, &steps);
        rc = steps.oom ? rg_err_set(e, RG_ENOMEM, "engine", "out of memory")
                       : rg_store_progress_put(eng->store, held[i].id, cad->name, cad->version, rg_buf_cstr(&steps),
                                               RG_INSTANT_NONE, e);
        rg_buf_free(&steps);
        if (rc != RG_OK)
            return rc;
    }
    return RG_OK;
}

rg_status rg_engine_dispatch_check(void *ctx, const rg_message *m, const rg_customer *c, rg_instant now,
                                   const char *failed, rg_dispatch_verdict *out, rg_err *e)
{
    rg_engine *eng = ctx;
    rg_dispatch_verdict_clear(out);
    int64_t ids[MAX_INVOICES];
    size_t n_ids = 0, n_open = 0, n_held = 0;
    rg_invoice *invs = NULL, *held_invs = NULL; /* the open ones; those a hold keeps back */
    rg_buf closed = RG_BUF_INIT, held_why = RG_BUF_INIT;
    rg_status rc = rg_store_message_invoice_ids(eng->store, m->id, ids, MAX_INVOICES, &n_ids, e);
    if (rc != RG_OK)
        goto out;
    if (!(invs = calloc(n_ids ? n_ids : 1, sizeof *invs)) || !(held_invs = calloc(n_ids ? n_ids : 1, sizeof *invs))) {
        rc = rg_err_set(e, RG_ENOMEM, "engine", "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n_ids; i++) {
        rg_invoice *inv = &invs[n_open];
        rg_err ie;
        rg_status r = rg_store_invoice_get_by_id(eng->store, ids[i], inv, &ie);
        if (r == RG_ENOTFOUND) {
            rg_buf_printf(&closed, "%sinvoice %lld no longer exists", closed.len ? ", " : "", (long long)ids[i]);
            continue;
        }
        if (r != RG_OK) {
            *e = ie;
            rc = r;
            goto out;
        }
        if (inv->status == RG_INV_OPEN && rg_invoice_balance(inv) > 0) {
            /* held (a dispute; a pause of this very step): not sent now */
            bool held = false;
            char why[160];
            const char *step = !strcmp(m->source_kind, "step") ? m->source_id : NULL;
            if ((rc = rg_holds_check(eng->store, inv->id, step, &held, why, sizeof why, e)) != RG_OK)
                goto out;
            if (held) {
                rg_buf_printf(&closed, "%s%s %s", closed.len ? ", " : "", inv->external_id, why);
                rg_buf_printf(&held_why, "%s%s %s", held_why.len ? ", " : "", inv->external_id, why);
                held_invs[n_held++] = *inv;
                continue;
            }
            n_open++;
            continue;
        }
        rg_buf_printf(&closed, "%s%s %s", closed.len ? ", " : "", inv->external_id,
                      inv->status == RG_INV_OPEN ? "has no balance left" : rg_invoice_status_name(inv->status));
    }
    if (n_ids > 0 && n_open == 0 && n_held == 0) {
        char text[256];
        snprintf(text, sizeof text, "not sent: %s%s (checked at send time)", n_ids == 1 ? "invoice " : "",
                 rg_buf_cstr(&closed));
        out->action = RG_DISPATCH_CANCEL;
        set_reason(out, text);
        goto out;
    }
    const rg_cadence *cad = m->cadence[0] ? rg_cadence_set_find(eng->cadences, m->cadence) : NULL;
    if (m->cadence[0] && !cad) {
        char text[256];
        if (eng->load_errors) {
            /* it may be the file that does not load: wait for it to be fixed */
            snprintf(text, sizeof text, "waiting: cadence %s is not loaded and some cadence files have errors",
                     m->cadence);
            out->action = RG_DISPATCH_WAIT;
            out->until = now + 60 * 60;
        } else {
            snprintf(text, sizeof text, "not sent: cadence %s is no longer loaded", m->cadence);
            out->action = RG_DISPATCH_CANCEL;
        }
        set_reason(out, text);
        goto out;
    }
    const rg_tz *tz = rg_engine_zone(eng, c, cad);
    if (n_open == 0 && n_held > 0) {
        /* every invoice it carries is held (a dispute, a pause of its step): deferred, not
         * cancelled — looked at again every RG_HOLD_RECHECK_SECONDS; it goes once the hold
         * ends if its step is still the invoice's current one (else, as after downtime, the
         * latest due step is the engine's to fire, and this one is cancelled) */
        size_t n_before = n_held;
        rg_buf dropped = RG_BUF_INIT;
        if (cad && !strcmp(m->source_kind, "step") &&
            (rc = keep_current(eng, m, c, cad, tz, now, held_invs, &n_held, &dropped, e)) != RG_OK) {
            rg_buf_free(&dropped);
            goto out;
        }
        char text[256];
        if (n_held == 0) {
            snprintf(text, sizeof text, "not sent: %s (checked at send time)", rg_buf_cstr(&dropped));
            out->action = RG_DISPATCH_CANCEL;
        } else {
            snprintf(text, sizeof text, "waiting: %s%s (deferred while it holds)", n_before == 1 ? "invoice " : "",
                     rg_buf_cstr(&held_why));
            out->action = RG_DISPATCH_WAIT;
            out->until = now + RG_HOLD_RECHECK_SECONDS;
        }
        rg_buf_free(&dropped);
        set_reason(out, text);
        goto out;
    }
    if (cad && !strcmp(m->source_kind, "step")) {
        /* still each invoice's current step? */
        size_t n_open_before = n_open;
        if ((rc = keep_current(eng, m, c, cad, tz, now, invs, &n_open, &closed, e)) != RG_OK)
            goto out;
        if (n_open == 0 && n_open_before > 0) {
            char text[256];
            snprintf(text, sizeof text, "not sent: %s (checked at send time)", rg_buf_cstr(&closed));
            out->action = RG_DISPATCH_CANCEL;
            set_reason(out, text);
            goto out;
        }
    }
    bool partial = n_open < n_ids;
    if (!failed && cad) {
        if (!rg_window_is_open(&cad->window, eng->calendar, tz, now)) {
            rg_instant t = rg_window_next_open(&cad->window, eng->calendar, tz, now);
            if (t == RG_INSTANT_NONE) {
                out->action = RG_DISPATCH_CANCEL;
                set_reason(out, "not sent: the cadence's contact window never opens");
            } else {
                out->action = RG_DISPATCH_WAIT;
                out->until = t;
                set_reason(out, "outside the contact window");
            }
            goto out;
        }
        bool reached;
        if ((rc = rg_engine_cap_reached(eng, m->id, c, cad, tz, now, &reached, e)) != RG_OK)
            goto out;
        if (reached) {
            rg_date today;
            int sod;
            rg_tz_local(tz, now, &today, &sod);
            rg_instant t = rg_window_first_open_on_or_after_day(&cad->window, eng->calendar, tz, today + 1);
            char text[256];
            snprintf(text, sizeof text, "cap of %lld messages in %lld days reached", (long long)cad->caps.max,
                     (long long)(cad->caps.days > 0 ? cad->caps.days : 1));
            out->action = RG_DISPATCH_WAIT;
            out->until = t != RG_INSTANT_NONE ? t : now + 86400;
            set_reason(out, text);
            goto out;
        }
    }
    char optouts[256];
    if ((rc = rg_store_customer_optouts(eng->store, c->id, optouts, sizeof optouts, e)) != RG_OK)
        goto out;
    char why[400];
    if (failed) {
        rg_strlcpy(why, failed, sizeof why);
    } else {
        /* the one confirmation of an opt-out goes to the channel the customer
         * just left (they wrote SAIR there a moment ago) */
        bool confirms_optout = !strcmp(m->source_kind, "manual") && !strcmp(m->source_id, "optout-confirm");
        channel_problem(eng, m->channel, c, confirms_optout ? NULL : optouts, why, sizeof why);
        if (!why[0]) {
            out->action = RG_DISPATCH_SEND;
            if (partial && cad) {
                /* a consolidated message lists only what is still open */
                rg_engine_content ct;
                rg_err re;
                rg_engine_extras x;
                rg_engine_trigger_extras(eng, m, &x);
                rc = rg_engine_render_x(eng, cad, c, invs, n_open, m->template_name, m->channel, now, &x, &ct, &re);
                if (rc == RG_OK && n_held > 0 && !strcmp(m->source_kind, "step") &&
                    (rc = reopen_held_steps(eng, m, cad, held_invs, n_held, e)) != RG_OK) {
                    rg_engine_content_free(&ct);
                    goto out;
                }
                if (rc == RG_OK) {
                    take_content(out, &ct);
                    char text[256];
                    snprintf(text, sizeof text, "re-rendered without %s", rg_buf_cstr(&closed));
                    set_reason(out, text);
                    goto out;
                }
                if (rc == RG_ENOMEM) {
                    *e = re;
                    goto out;
                }
                rc = RG_OK;
                snprintf(why, sizeof why, "%s: template %s.%s: %s", m->channel, m->template_name, m->channel, re.msg);
            } else {
                goto out;
            }
        }
    }
    rc = fall_back(eng, m, c, cad, invs, n_open, optouts, now, why, out, e);
out:
    free(invs);
    free(held_invs);
    rg_buf_free(&closed);
    rg_buf_free(&held_why);
    if (rc != RG_OK)
        rg_dispatch_verdict_clear(out);
    return rc;
}
