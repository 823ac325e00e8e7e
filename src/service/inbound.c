#include "service/inbound.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "br/phone.h"
#include "channel/scrub.h"
#include "service/optouts.h"

/* The longest text kept in an event's payload (a WhatsApp text is at most
 * 4096 characters). */
#define TEXT_MAX 4096

/* The opt-out words, upper-case ASCII (PRODUCT.md §3). */
static const char *const stop_words[] = {"SAIR", "PARAR", "STOP", "CANCELAR"};

static rg_instant clamp_at(rg_instant at, rg_instant now)
{
    return at > 0 && at <= now ? at : now;
}

/* The length of the valid UTF-8 sequence at p (at most n bytes), 0 when
 * invalid (overlong forms, surrogates and values past U+10FFFF too). */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    if (p[0] < 0x80)
        return 1;
    size_t len = p[0] >= 0xC2 && p[0] <= 0xDF   ? 2
                 : p[0] >= 0xE0 && p[0] <= 0xEF ? 3
                 : p[0] >= 0xF0 && p[0] <= 0xF4 ? 4
                                                : 0;
    if (!len || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0) || (p[0] == 0xF0 && p[1] < 0x90) ||
        (p[0] == 0xF4 && p[1] >= 0x90))
        return 0;
    return len;
}

/* A JSON string of s: invalid UTF-8 bytes become '?', NUL bytes are
 * dropped and the text is cut at `max` bytes on a character boundary. */
static json_t *json_text(const char *s, size_t max)
{
    size_t n = strlen(s);
    rg_buf b = RG_BUF_INIT;
    for (size_t i = 0; i < n && b.len < max;) {
        size_t k = utf8_seq((const unsigned char *)s + i, n - i);
        if (!k) {
            rg_buf_putc(&b, '?');
            i++;
        } else if (b.len + k > max) {
            break;
        } else {
            rg_buf_append(&b, s + i, k);
            i += k;
        }
    }
    json_t *j = b.oom ? NULL : json_stringn(rg_buf_cstr(&b), b.len);
    rg_buf_free(&b);
    return j;
}

/* Records an event with a JSON payload (consumed). */
static rg_status add_event(const rg_event_env *env, rg_event_type type, const char *source, rg_instant at,
                           int64_t customer_id, int64_t invoice_id, int64_t message_id, json_t *payload, rg_err *e)
{
    char *text = payload ? json_dumps(payload, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(payload);
    if (!text)
        return rg_err_set(e, RG_ENOMEM, "inbound", "out of memory building the %s event", rg_event_type_name(type));
    rg_event_in ev = {type, at, source, customer_id, invoice_id, message_id, text};
    rg_status rc = rg_event_record(env, &ev, NULL, e);
    free(text);
    return rc;
}

/* Sets key to a cleaned string when s is non-NULL. */
static void set_text(json_t *o, const char *key, const char *s, size_t max)
{
    if (o && s)
        json_object_set_new(o, key, json_text(s, max));
}

/* ---- delivery reports ---- */

/* The event a report records; false when it records none. */
static bool status_event(rg_message_status st, rg_event_type *out)
{
    switch (st) {
    case RG_MSG_DELIVERED: *out = RG_EV_MESSAGE_DELIVERED; return true;
    case RG_MSG_READ: *out = RG_EV_MESSAGE_READ; return true;
    case RG_MSG_FAILED: *out = RG_EV_MESSAGE_FAILED; return true;
    default: return false;
    }
}

rg_status rg_inbound_apply_status(const rg_event_env *env, const rg_inbound_status *st, rg_instant now,
                                  rg_inbound_outcome *outcome, rg_err *e)
{
    rg_store *s = env->store;
    *outcome = RG_INBOUND_UNKNOWN;
    if (st->status != RG_MSG_SENT && st->status != RG_MSG_DELIVERED && st->status != RG_MSG_READ &&
        st->status != RG_MSG_FAILED)
        return rg_err_set(e, RG_EINVAL, "status", "a provider cannot report '%s'", rg_message_status_name(st->status));
    rg_message_ref m;
    rg_status rc = rg_store_message_by_provider_id(s, st->provider_id, &m, e);
    if (rc == RG_ENOTFOUND && st->key && *st->key) {
        /* an answer regua lost (a crash, a timeout): the echoed key finds it */
        rg_err_clear(e);
        rc = rg_store_message_by_key(s, st->key, st->provider_id, &m, e);
    }
    if (rc == RG_ENOTFOUND) {
        rg_err_clear(e);
        return RG_OK;
    }
    if (rc != RG_OK)
        return rc;
    rg_instant at = clamp_at(st->at, now);
    bool changed = false;
    /* a provider's words may quote our credentials */
    char reason[512];
    if (st->reason)
        rg_scrub_copy(reason, sizeof reason, st->reason);
    if ((rc = rg_store_message_track(s, m.id, st->status, st->reason ? reason : NULL, at, now, &changed, e)) != RG_OK)
        return rc;
    *outcome = changed ? RG_INBOUND_APPLIED : RG_INBOUND_DUPLICATE;
    if (changed && m.status == RG_MSG_UNCERTAIN) {
        /* the provider settled what the dispatcher could not know: the review is done */
        char note[160], ts[32];
        snprintf(note, sizeof note, "the provider reported %s at %s", rg_message_status_name(st->status),
                 rg_instant_format(at, ts, sizeof ts));
        bool closed;
        if ((rc = rg_store_task_close_for_message(s, m.id, "review", "reconciled", note, now, &closed, e)) != RG_OK)
            return rc;
    }
    rg_event_type type;
    if (!changed || !status_event(st->status, &type))
        return RG_OK;
    json_t *p = json_object();
    set_text(p, "channel", st->channel ? st->channel : m.channel, 64);
    set_text(p, "provider_id", st->provider_id, 256);
    set_text(p, "status", rg_message_status_name(st->status), 32);
    if (st->status == RG_MSG_FAILED)
        set_text(p, "reason", st->reason ? reason : "", 512);
    return add_event(env, type, RG_INBOUND_SOURCE_WEBHOOK, at, m.customer_id, m.invoice_id, m.id, p, e);
}

/* ---- replies ---- */

/* Folds one UTF-8 letter of Latin-1 Supplement (U+00C0..U+00FF, bytes C3 xx) to
 * its upper-case ASCII base letter; 0 when it is not one. */
static char fold_latin1(unsigned char b0, unsigned char b1)
{
    if (b0 != 0xC3 || b1 < 0x80 || b1 > 0xBF)
        return 0;
    unsigned cp = b1 + 0x40u;
    if (cp >= 0xE0 && cp <= 0xFE && cp != 0xF7)
        cp -= 0x20; /* lower to upper case */
    if (cp >= 0xC0 && cp <= 0xC5)
        return 'A';
    if (cp == 0xC7)
        return 'C';
    if (cp >= 0xC8 && cp <= 0xCB)
        return 'E';
    if (cp >= 0xCC && cp <= 0xCF)
        return 'I';
    if (cp == 0xD1)
        return 'N';
    if ((cp >= 0xD2 && cp <= 0xD6) || cp == 0xD8)
        return 'O';
    if (cp >= 0xD9 && cp <= 0xDC)
        return 'U';
    return 0;
}

static bool is_trim(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f' || c == '.' || c == ',' ||
           c == '!' || c == '?' || c == ';' || c == ':' || c == '"' || c == '\'' || c == '*' || c == '-' ||
           c == '_';
}

bool rg_inbound_is_stop_word(const char *text, size_t len)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t i = 0, end = len;
    /* also trims a no-break space (C2 A0) at either end */
    for (;;) {
        if (i < end && is_trim(p[i]))
            i++;
        else if (i + 1 < end && p[i] == 0xC2 && p[i + 1] == 0xA0)
            i += 2;
        else
            break;
    }
    for (;;) {
        if (end > i && is_trim(p[end - 1]))
            end--;
        else if (end >= i + 2 && p[end - 2] == 0xC2 && p[end - 1] == 0xA0)
            end -= 2;
        else
            break;
    }
    char word[16];
    size_t n = 0;
    while (i < end) {
        char c;
        if (p[i] < 0x80) {
            c = p[i] >= 'a' && p[i] <= 'z' ? (char)(p[i] - 'a' + 'A') : (char)p[i];
            i++;
        } else if (i + 1 < end && (c = fold_latin1(p[i], p[i + 1])) != 0) {
            i += 2;
        } else {
            return false;
        }
        if (n + 1 >= sizeof word)
            return false;
        word[n++] = c;
    }
    word[n] = '\0';
    for (size_t k = 0; k < sizeof stop_words / sizeof *stop_words; k++)
        if (!strcmp(word, stop_words[k]))
            return true;
    return false;
}

const char *rg_inbound_channel_label(const char *channel)
{
    if (!strcmp(channel, "whatsapp"))
        return "WhatsApp";
    if (!strcmp(channel, "sms"))
        return "SMS";
    if (!strcmp(channel, "email"))
        return "e-mail";
    if (!strcmp(channel, "voice"))
        return "ligação";
    return channel;
}

void rg_inbound_confirmation_text(const rg_config *cfg, const char *channel, rg_buf *out)
{
    const char *company = cfg && cfg->company.name[0] ? cfg->company.name : NULL;
    rg_buf_printf(out,
                  "Pronto: você não receberá mais mensagens de cobrança%s%s por %s. "
                  "Se mudar de ideia, é só falar com a gente.",
                  company ? " de " : "", company ? company : "", rg_inbound_channel_label(channel));
}

/* The sender as E.164 ("+5511987654321"); false when it is not a number. */
static bool sender_number(const char *from, bool whatsapp, char *out, size_t n)
{
    char tmp[40];
    const char *why = NULL;
    out[0] = '\0';
    if (!from || !*from || strlen(from) > 32)
        return false;
    /* WhatsApp gives international numbers without the '+' */
    snprintf(tmp, sizeof tmp, "%s%s", whatsapp && from[0] != '+' ? "+" : "", from);
    return rg_phone_normalize(tmp, strlen(tmp), out, n, &why);
}

/* WhatsApp may report a Brazilian mobile without its ninth digit
 * (+55 DD 8 digits): the number with it, or false when not such a case. */
static bool br_ninth_digit(const char *e164, char *out, size_t n)
{
    if (strncmp(e164, "+55", 3) != 0 || strlen(e164) != 13 || e164[5] < '6' || e164[5] > '9')
        return false;
    snprintf(out, n, "%.5s9%s", e164, e164 + 5);
    return true;
}

static rg_status queue_confirmation(rg_store *s, const rg_config *cfg, const rg_customer *c, const char *channel,
                                    rg_instant now, rg_inbound_reply_result *out, rg_err *e)
{
    rg_buf body = RG_BUF_INIT;
    rg_inbound_confirmation_text(cfg, channel, &body);
    if (body.oom)
        return rg_err_set(e, RG_ENOMEM, "inbound", "out of memory");
    rg_message m;
    memset(&m, 0, sizeof m);
    snprintf(m.idempotency_key, sizeof m.idempotency_key, "optout-confirm:%lld:%s", (long long)c->id, channel);
    m.customer_id = c->id;
    rg_strlcpy(m.customer_external_id, c->external_id, sizeof m.customer_external_id);
    rg_strlcpy(m.source_kind, "manual", sizeof m.source_kind);
    rg_strlcpy(m.source_id, "optout-confirm", sizeof m.source_id);
    rg_strlcpy(m.channel, channel, sizeof m.channel);
    m.subject = "";
    m.body = rg_buf_cstr(&body);
    m.html = "";
    m.payload = "{\"optout_confirmation\":true}";
    m.status = RG_MSG_QUEUED;
    m.planned_for = now;
    m.created_at = now;
    m.updated_at = now;
    bool inserted = false;
    rg_status rc = rg_store_message_insert(s, &m, &inserted, e);
    rg_buf_free(&body);
    if (rc != RG_OK)
        return rc;
    out->confirmation_queued = inserted;
    out->confirmation_id = m.id;
    return RG_OK;
}

static json_t *reply_payload(const rg_inbound_reply *r, const char *number)
{
    json_t *p = json_object();
    set_text(p, "channel", r->channel, 64);
    set_text(p, "from", number[0] ? number : r->from ? r->from : "", 64);
    set_text(p, "type", r->type ? r->type : "text", 32);
    set_text(p, "text", r->text, TEXT_MAX);
    set_text(p, "provider_id", r->provider_id, 256);
    return p;
}

rg_status rg_inbound_apply_reply(const rg_event_env *env, const rg_config *cfg, const rg_inbound_reply *r, rg_instant now,
                                 rg_inbound_reply_result *out, rg_err *e)
{
    rg_store *s = env->store;
    memset(out, 0, sizeof *out);
    rg_status rc = RG_OK;
    rg_instant at = clamp_at(r->at, now);
    char number[24], other[24];
    size_t n = 0;
    if (r->provider_id && *r->provider_id) {
        if ((rc = rg_store_event_seen(s, rg_event_type_name(RG_EV_MESSAGE_REPLIED), at, r->provider_id, &out->duplicate, e)) != RG_OK ||
            out->duplicate)
            return rc;
    }
    rg_customer *cs = calloc(RG_INBOUND_MAX_CUSTOMERS, sizeof *cs);
    if (!cs)
        return rg_err_set(e, RG_ENOMEM, "inbound", "out of memory");
    if (sender_number(r->from, r->whatsapp, number, sizeof number)) {
        if ((rc = rg_store_customers_by_number(s, number, r->whatsapp, cs, RG_INBOUND_MAX_CUSTOMERS, &n, e)) != RG_OK)
            goto out;
        if (n == 0 && r->whatsapp && br_ninth_digit(number, other, sizeof other)) {
            if ((rc = rg_store_customers_by_number(s, other, true, cs, RG_INBOUND_MAX_CUSTOMERS, &n, e)) != RG_OK)
                goto out;
            if (n)
                rg_strlcpy(number, other, sizeof number);
        }
    }
    out->customers = n;
    out->stop = r->text && rg_inbound_is_stop_word(r->text, strlen(r->text));
    if (n == 0) {
        rc = add_event(env, RG_EV_MESSAGE_REPLIED, RG_INBOUND_SOURCE_WEBHOOK, at, 0, 0, 0, reply_payload(r, number), e);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        rg_message_ref last;
        rc = rg_store_message_last_sent(s, cs[i].id, r->channel, &last, e);
        if (rc == RG_ENOTFOUND) {
            rg_err_clear(e);
            rc = RG_OK;
        } else if (rc != RG_OK) {
            goto out;
        }
        if ((rc = add_event(env, RG_EV_MESSAGE_REPLIED, RG_INBOUND_SOURCE_WEBHOOK, at, cs[i].id, last.invoice_id, last.id,
                            reply_payload(r, number), e)) != RG_OK)
            goto out;
        if (!out->stop)
            continue;
        bool already = false;
        if ((rc = rg_optout_apply(s, cs[i].id, r->channel, "reply", at, &already, e)) != RG_OK)
            goto out;
        if (!already) {
            out->optouts++;
            json_t *p = json_object();
            set_text(p, "channel", r->channel, 64);
            set_text(p, "how", "reply", 16);
            set_text(p, "text", r->text, 64);
            rc = add_event(env, RG_EV_OPTOUT, RG_INBOUND_SOURCE_WEBHOOK, at, cs[i].id, last.invoice_id, last.id, p, e);
            if (rc != RG_OK)
                goto out;
        }
        if (i == 0 && (rc = queue_confirmation(s, cfg, &cs[i], r->channel, now, out, e)) != RG_OK)
            goto out;
    }
out:
    free(cs);
    return rc;
}

/* ---- tracking ---- */

static rg_status message_for(rg_store *s, int64_t message_id, rg_message_ref *m, rg_err *e)
{
    rg_status rc = rg_store_message_ref(s, message_id, m, e);
    if (rc == RG_ENOTFOUND)
        return rg_err_set(e, RG_ENOTFOUND, "message", "no message with id %lld", (long long)message_id);
    return rc;
}

static rg_status open_in(const rg_event_env *env, int64_t message_id, rg_instant now, rg_err *e)
{
    rg_store *s = env->store;
    rg_message_ref m;
    rg_status rc = message_for(s, message_id, &m, e);
    if (rc != RG_OK)
        return rc;
    json_t *p = json_object();
    set_text(p, "channel", m.channel, 64);
    return add_event(env, RG_EV_EMAIL_OPENED, RG_INBOUND_SOURCE_TRACKING, now, m.customer_id, m.invoice_id, m.id, p, e);
}

static rg_status click_in(const rg_event_env *env, int64_t message_id, const char *url, rg_instant now,
                           rg_err *e)
{
    rg_store *s = env->store;
    rg_message_ref m;
    rg_status rc = message_for(s, message_id, &m, e);
    if (rc != RG_OK)
        return rc;
    json_t *p = json_object();
    set_text(p, "channel", m.channel, 64);
    set_text(p, "url", url, 2048);
    return add_event(env, RG_EV_LINK_CLICKED, RG_INBOUND_SOURCE_TRACKING, now, m.customer_id, m.invoice_id, m.id, p, e);
}

static rg_status unsubscribe_in(const rg_event_env *env, int64_t message_id, const char *channel, rg_instant now, bool *already,
                                 rg_err *e)
{
    rg_store *s = env->store;
    bool was = false;
    if (already)
        *already = false;
    rg_message_ref m;
    rg_status rc = message_for(s, message_id, &m, e);
    if (rc != RG_OK)
        return rc;
    if ((rc = rg_optout_apply(s, m.customer_id, channel, "unsubscribe", now, &was, e)) != RG_OK)
        return rc;
    if (already)
        *already = was;
    if (was)
        return RG_OK;
    json_t *p = json_object();
    set_text(p, "channel", channel, 64);
    set_text(p, "how", "unsubscribe", 16);
    return add_event(env, RG_EV_OPTOUT, RG_INBOUND_SOURCE_TRACKING, now, m.customer_id, m.invoice_id, m.id, p, e);
}

rg_status rg_inbound_open(const rg_event_env *env, int64_t message_id, rg_instant now, rg_err *e)
{
    rg_status rc = rg_store_begin(env->store, e);
    if (rc == RG_OK)
        rc = open_in(env, message_id, now, e);
    return rg_store_end(env->store, rc, e);
}

rg_status rg_inbound_click(const rg_event_env *env, int64_t message_id, const char *url, rg_instant now, rg_err *e)
{
    rg_status rc = rg_store_begin(env->store, e);
    if (rc == RG_OK)
        rc = click_in(env, message_id, url, now, e);
    return rg_store_end(env->store, rc, e);
}

rg_status rg_inbound_unsubscribe(const rg_event_env *env, int64_t message_id, const char *channel, rg_instant now,
                                 bool *already, rg_err *e)
{
    rg_status rc = rg_store_begin(env->store, e);
    if (rc == RG_OK)
        rc = unsubscribe_in(env, message_id, channel, now, already, e);
    return rg_store_end(env->store, rc, e);
}

rg_status rg_inbound_apply_batch(const rg_event_env *env, const rg_config *cfg, const rg_inbound_item *items, size_t n,
                                 rg_instant now, rg_inbound_batch_result *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    /* waits at most the store's busy time for the write lock (RG_EBUSY) */
    rg_status rc = rg_store_begin(env->store, e);
    for (size_t i = 0; rc == RG_OK && i < n; i++) {
        const rg_inbound_item *it = &items[i];
        if (!it->is_reply) {
            rg_inbound_outcome o;
            if ((rc = rg_inbound_apply_status(env, &it->status, now, &o, e)) == RG_OK) {
                out->statuses += o == RG_INBOUND_APPLIED;
                out->duplicates += o == RG_INBOUND_DUPLICATE;
                out->unknown += o == RG_INBOUND_UNKNOWN;
            }
        } else {
            rg_inbound_reply_result r;
            if ((rc = rg_inbound_apply_reply(env, cfg, &it->reply, now, &r, e)) == RG_OK) {
                out->replies += !r.duplicate;
                out->duplicates += r.duplicate;
                out->optouts += (int)r.optouts;
            }
        }
    }
    return rg_store_end(env->store, rc, e);
}
