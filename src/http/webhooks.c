#include "http/webhooks.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"

/* Unix seconds accepted as a provider's time (up to 2100-01-01). */
#define AT_MAX 4102444800LL

void rg_hook_batch_free(rg_hook_batch *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n; i++)
        free(b->v[i].text);
    free(b->v);
    memset(b, 0, sizeof *b);
}

/* A new zeroed item at the end of the batch in *out. */
static rg_status push(rg_hook_batch *b, rg_hook_kind kind, rg_hook_item **out, rg_err *e)
{
    *out = NULL;
    if (b->n >= RG_HOOK_MAX_ITEMS)
        return rg_err_set(e, RG_EINVAL, "body", "more than %d statuses and messages in one request",
                          RG_HOOK_MAX_ITEMS);
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 8;
        rg_hook_item *v = realloc(b->v, cap * sizeof *v);
        if (!v)
            return rg_err_set(e, RG_ENOMEM, "body", "out of memory");
        b->v = v;
        b->cap = cap;
    }
    rg_hook_item *it = &b->v[b->n++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    *out = it;
    return RG_OK;
}

/* Drops the last item (after a parse error on it). */
static void pop(rg_hook_batch *b)
{
    if (b->n) {
        b->n--;
        free(b->v[b->n].text);
        b->v[b->n].text = NULL;
    }
}

static bool status_from_name(const char *s, rg_message_status *st)
{
    static const struct {
        const char *name;
        rg_message_status st;
    } map[] = {
        {"sent", RG_MSG_SENT},         {"delivered", RG_MSG_DELIVERED}, {"read", RG_MSG_READ},
        {"failed", RG_MSG_FAILED},     {"undelivered", RG_MSG_FAILED},  {"rejected", RG_MSG_FAILED},
        {"expired", RG_MSG_FAILED},
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (!strcmp(map[i].name, s)) {
            *st = map[i].st;
            return true;
        }
    return false;
}

/* ---- JSON helpers: each names the path of what is wrong ---- */

/* A string member copied into dst (size n): absent is fine when !required. */
static rg_status json_str(json_t *o, const char *key, const char *path, bool required, char *dst, size_t n,
                          rg_err *e)
{
    json_t *v = json_object_get(o, key);
    dst[0] = '\0';
    if (!v || json_is_null(v)) {
        if (required)
            return rg_err_set(e, RG_EINVAL, path, "'%s' is missing (expected a string)", key);
        return RG_OK;
    }
    if (!json_is_string(v))
        return rg_err_set(e, RG_EINVAL, path, "'%s' must be a string", key);
    size_t len = json_string_length(v);
    if (len >= n)
        return rg_err_set(e, RG_EINVAL, path, "'%s' is longer than %zu bytes", key, n - 1);
    memcpy(dst, json_string_value(v), len);
    dst[len] = '\0';
    return RG_OK;
}

/* Unix seconds as a string of digits (WhatsApp) or a number; absent: 0. */
static rg_status json_time(json_t *o, const char *key, const char *path, rg_instant *at, rg_err *e)
{
    json_t *v = json_object_get(o, key);
    int64_t t = 0;
    *at = 0;
    if (!v || json_is_null(v))
        return RG_OK;
    if (json_is_integer(v))
        t = json_integer_value(v);
    else if (!json_is_string(v) ||
             !rg_parse_i64((rg_slice){json_string_value(v), json_string_length(v)}, 0, AT_MAX, &t))
        return rg_err_set(e, RG_EINVAL, path, "'%s' must be Unix seconds (a number or a string of digits)", key);
    if (t < 0 || t > AT_MAX)
        return rg_err_set(e, RG_EINVAL, path, "'%s' is out of range: %lld", key, (long long)t);
    *at = (rg_instant)t;
    return RG_OK;
}

/* The array member key of o: NULL and RG_OK when absent. */
static rg_status json_arr(json_t *o, const char *key, const char *path, bool required, json_t **out, rg_err *e)
{
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return required ? rg_err_set(e, RG_EINVAL, path, "'%s' is missing (expected an array)", key) : RG_OK;
    if (!json_is_array(v))
        return rg_err_set(e, RG_EINVAL, path, "'%s' must be an array", key);
    *out = v;
    return RG_OK;
}

/* Without JSON_ALLOW_NUL, jansson refuses "\u0000": every string is a C string. */
static json_t *parse_json(const char *body, size_t len, rg_err *e)
{
    json_error_t je;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        rg_err_set(e, RG_EINVAL, "body", "not valid JSON at line %d column %d: %s", je.line, je.column, je.text);
    return root;
}

static rg_status set_text(rg_hook_item *it, const char *s, size_t len, rg_err *e)
{
    free(it->text);
    it->text = malloc(len + 1);
    if (!it->text)
        return rg_err_set(e, RG_ENOMEM, "body", "out of memory");
    memcpy(it->text, s, len);
    it->text[len] = '\0';
    return RG_OK;
}

/* A string found by following keys from o, or NULL. */
static json_t *dig(json_t *o, const char *k1, const char *k2, const char *k3)
{
    json_t *v = json_object_get(o, k1);
    if (v && k2)
        v = json_object_get(v, k2);
    if (v && k3)
        v = json_object_get(v, k3);
    return json_is_string(v) ? v : NULL;
}

/* ---- WhatsApp Cloud API ---- */

static rg_status wa_error_reason(json_t *st, const char *path, char *reason, size_t n, rg_err *e)
{
    json_t *errors;
    rg_status rc = json_arr(st, "errors", path, false, &errors, e);
    reason[0] = '\0';
    if (rc != RG_OK || !errors || !json_array_size(errors))
        return rc;
    json_t *first = json_array_get(errors, 0);
    if (!json_is_object(first))
        return rg_err_set(e, RG_EINVAL, path, "'errors[0]' must be an object");
    json_t *code = json_object_get(first, "code");
    json_t *title = dig(first, "title", NULL, NULL);
    json_t *message = dig(first, "message", NULL, NULL);
    json_t *details = dig(first, "error_data", "details", NULL);
    const char *text = title ? json_string_value(title) : message ? json_string_value(message) : "error";
    if (json_is_integer(code))
        snprintf(reason, n, "%lld: %s", (long long)json_integer_value(code), text);
    else
        snprintf(reason, n, "%s", text);
    if (details) {
        size_t used = strlen(reason);
        snprintf(reason + used, n - used, " (%s)", json_string_value(details));
    }
    return RG_OK;
}

static rg_status wa_status(json_t *st, const char *path, rg_hook_batch *b, rg_err *e)
{
    char status[32];
    if (!json_is_object(st))
        return rg_err_set(e, RG_EINVAL, path, "expected an object");
    rg_hook_item tmp;
    memset(&tmp, 0, sizeof tmp);
    rg_status rc;
    if ((rc = json_str(st, "id", path, true, tmp.provider_id, sizeof tmp.provider_id, e)) != RG_OK ||
        (rc = json_str(st, "status", path, true, status, sizeof status, e)) != RG_OK ||
        (rc = json_time(st, "timestamp", path, &tmp.at, e)) != RG_OK ||
        (rc = json_str(st, "biz_opaque_callback_data", path, false, tmp.key, sizeof tmp.key, e)) != RG_OK)
        return rc;
    if (!tmp.provider_id[0])
        return rg_err_set(e, RG_EINVAL, path, "'id' is empty");
    /* WhatsApp also reports e.g. "deleted" and "warning": not ours to track */
    if (!status_from_name(status, &tmp.status)) {
        b->ignored++;
        return RG_OK;
    }
    if (tmp.status == RG_MSG_FAILED && (rc = wa_error_reason(st, path, tmp.reason, sizeof tmp.reason, e)) != RG_OK)
        return rc;
    rg_hook_item *it;
    if ((rc = push(b, RG_HOOK_STATUS, &it, e)) != RG_OK)
        return rc;
    *it = tmp;
    return RG_OK;
}

static rg_status wa_message(json_t *m, const char *path, rg_hook_batch *b, rg_err *e)
{
    if (!json_is_object(m))
        return rg_err_set(e, RG_EINVAL, path, "expected an object");
    rg_hook_item *it;
    rg_status rc = push(b, RG_HOOK_MESSAGE, &it, e);
    if (rc != RG_OK)
        return rc;
    if ((rc = json_str(m, "from", path, true, it->from, sizeof it->from, e)) != RG_OK ||
        (rc = json_str(m, "id", path, false, it->provider_id, sizeof it->provider_id, e)) != RG_OK ||
        (rc = json_str(m, "type", path, false, it->type, sizeof it->type, e)) != RG_OK ||
        (rc = json_time(m, "timestamp", path, &it->at, e)) != RG_OK)
        goto fail;
    if (!it->from[0]) {
        rc = rg_err_set(e, RG_EINVAL, path, "'from' is empty");
        goto fail;
    }
    if (!it->type[0])
        rg_strlcpy(it->type, "text", sizeof it->type);
    json_t *text = NULL;
    if (!strcmp(it->type, "text")) {
        json_t *t = json_object_get(m, "text");
        if (!json_is_object(t) || !(text = dig(t, "body", NULL, NULL))) {
            rc = rg_err_set(e, RG_EINVAL, path, "a text message needs 'text.body' (a string)");
            goto fail;
        }
    } else if (!strcmp(it->type, "button")) {
        text = dig(m, "button", "text", NULL);
    } else if (!strcmp(it->type, "interactive")) {
        text = dig(m, "interactive", "button_reply", "title");
        if (!text)
            text = dig(m, "interactive", "list_reply", "title");
    }
    if (text && (rc = set_text(it, json_string_value(text), json_string_length(text), e)) != RG_OK)
        goto fail;
    return RG_OK;
fail:
    pop(b);
    return rc;
}

rg_status rg_hook_parse_whatsapp(const char *body, size_t len, rg_hook_batch *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    json_t *root = parse_json(body, len, e);
    if (!root)
        return RG_EINVAL;
    rg_status rc = RG_OK;
    char path[160];
    json_t *entries, *object;
    if (!json_is_object(root)) {
        rc = rg_err_set(e, RG_EINVAL, "body", "expected a JSON object");
        goto out;
    }
    object = json_object_get(root, "object");
    if (object && (!json_is_string(object) || strcmp(json_string_value(object), "whatsapp_business_account") != 0)) {
        rc = rg_err_set(e, RG_EINVAL, "object", "expected \"whatsapp_business_account\"");
        goto out;
    }
    if ((rc = json_arr(root, "entry", "body", true, &entries, e)) != RG_OK)
        goto out;
    for (size_t i = 0; i < json_array_size(entries); i++) {
        json_t *entry = json_array_get(entries, i), *changes;
        snprintf(path, sizeof path, "entry[%zu]", i);
        if (!json_is_object(entry)) {
            rc = rg_err_set(e, RG_EINVAL, path, "expected an object");
            goto out;
        }
        if ((rc = json_arr(entry, "changes", path, true, &changes, e)) != RG_OK)
            goto out;
        for (size_t j = 0; j < json_array_size(changes); j++) {
            json_t *change = json_array_get(changes, j), *statuses, *messages;
            snprintf(path, sizeof path, "entry[%zu].changes[%zu]", i, j);
            if (!json_is_object(change)) {
                rc = rg_err_set(e, RG_EINVAL, path, "expected an object");
                goto out;
            }
            json_t *field = json_object_get(change, "field");
            json_t *value = json_object_get(change, "value");
            if (field && !json_is_string(field)) {
                rc = rg_err_set(e, RG_EINVAL, path, "'field' must be a string");
                goto out;
            }
            if (field && strcmp(json_string_value(field), "messages") != 0) {
                out->ignored++; /* e.g. template status or account updates */
                continue;
            }
            if (!json_is_object(value)) {
                rc = rg_err_set(e, RG_EINVAL, path, "'value' must be an object");
                goto out;
            }
            snprintf(path, sizeof path, "entry[%zu].changes[%zu].value", i, j);
            if ((rc = json_arr(value, "statuses", path, false, &statuses, e)) != RG_OK ||
                (rc = json_arr(value, "messages", path, false, &messages, e)) != RG_OK)
                goto out;
            if (!statuses && !messages)
                out->ignored++;
            for (size_t k = 0; k < json_array_size(statuses); k++) {
                snprintf(path, sizeof path, "entry[%zu].changes[%zu].value.statuses[%zu]", i, j, k);
                if ((rc = wa_status(json_array_get(statuses, k), path, out, e)) != RG_OK)
                    goto out;
            }
            for (size_t k = 0; k < json_array_size(messages); k++) {
                snprintf(path, sizeof path, "entry[%zu].changes[%zu].value.messages[%zu]", i, j, k);
                if ((rc = wa_message(json_array_get(messages, k), path, out, e)) != RG_OK)
                    goto out;
            }
        }
    }
out:
    json_decref(root);
    if (rc != RG_OK)
        rg_hook_batch_free(out);
    return rc;
}

/* ---- SMS ---- */

static rg_status sms_json_item(json_t *o, const char *path, rg_hook_batch *b, rg_err *e)
{
    if (!json_is_object(o))
        return rg_err_set(e, RG_EINVAL, path, "expected an object");
    json_t *status = json_object_get(o, "status");
    json_t *text = json_object_get(o, "text");
    rg_status rc;
    char name[32];
    if (status && !json_is_null(status)) {
        if ((rc = json_str(o, "status", path, true, name, sizeof name, e)) != RG_OK)
            return rc;
        if (strcmp(name, "received") != 0) {
            rg_hook_item tmp;
            memset(&tmp, 0, sizeof tmp);
            if ((rc = json_str(o, "id", path, true, tmp.provider_id, sizeof tmp.provider_id, e)) != RG_OK ||
                (rc = json_time(o, "timestamp", path, &tmp.at, e)) != RG_OK)
                return rc;
            if (!tmp.provider_id[0])
                return rg_err_set(e, RG_EINVAL, path, "'id' is empty");
            if (!status_from_name(name, &tmp.status)) {
                b->ignored++;
                return RG_OK;
            }
            if (tmp.status == RG_MSG_FAILED) {
                json_t *err = json_object_get(o, "error");
                if (json_is_string(err))
                    rg_strlcpy(tmp.reason, json_string_value(err), sizeof tmp.reason);
                else if (err && !json_is_null(err))
                    return rg_err_set(e, RG_EINVAL, path, "'error' must be a string");
            }
            rg_hook_item *it;
            if ((rc = push(b, RG_HOOK_STATUS, &it, e)) != RG_OK)
                return rc;
            *it = tmp;
            return RG_OK;
        }
    }
    if (!text || json_is_null(text))
        return rg_err_set(e, RG_EINVAL, path, "expected 'status' (a delivery report) or 'text' (a reply)");
    if (!json_is_string(text))
        return rg_err_set(e, RG_EINVAL, path, "'text' must be a string");
    rg_hook_item *it;
    if ((rc = push(b, RG_HOOK_MESSAGE, &it, e)) != RG_OK)
        return rc;
    rg_strlcpy(it->type, "text", sizeof it->type);
    if ((rc = json_str(o, "from", path, true, it->from, sizeof it->from, e)) != RG_OK ||
        (rc = json_str(o, "id", path, false, it->provider_id, sizeof it->provider_id, e)) != RG_OK ||
        (rc = json_time(o, "timestamp", path, &it->at, e)) != RG_OK ||
        (rc = set_text(it, json_string_value(text), json_string_length(text), e)) != RG_OK) {
        pop(b);
        return rc;
    }
    if (!it->from[0]) {
        pop(b);
        return rg_err_set(e, RG_EINVAL, path, "'from' is empty");
    }
    return RG_OK;
}

static rg_status sms_json(const char *body, size_t len, rg_hook_batch *out, rg_err *e)
{
    json_t *root = parse_json(body, len, e);
    if (!root)
        return RG_EINVAL;
    rg_status rc = RG_OK;
    char path[48];
    if (json_is_array(root)) {
        for (size_t i = 0; i < json_array_size(root) && rc == RG_OK; i++) {
            snprintf(path, sizeof path, "[%zu]", i);
            rc = sms_json_item(json_array_get(root, i), path, out, e);
        }
    } else if (json_is_object(root)) {
        rc = sms_json_item(root, "body", out, e);
    } else {
        rc = rg_err_set(e, RG_EINVAL, "body", "expected a JSON object or an array of objects");
    }
    json_decref(root);
    return rc;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes one form component into out (appending). */
static void form_decode(const char *s, size_t n, rg_buf *out)
{
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '+')
            rg_buf_putc(out, ' ');
        else if (s[i] == '%' && i + 2 < n && (hi = hexval(s[i + 1])) >= 0 && (lo = hexval(s[i + 2])) >= 0) {
            rg_buf_putc(out, (char)(hi * 16 + lo));
            i += 2;
        } else
            rg_buf_putc(out, s[i]);
    }
}

bool rg_form_get(const char *body, size_t len, const char *key, rg_buf *out)
{
    rg_buf k = RG_BUF_INIT;
    bool found = false;
    rg_buf_reset(out);
    for (size_t i = 0; i < len && !found;) {
        const char *amp = memchr(body + i, '&', len - i);
        size_t end = amp ? (size_t)(amp - body) : len;
        const char *eq = memchr(body + i, '=', end - i);
        size_t kend = eq ? (size_t)(eq - body) : end;
        rg_buf_reset(&k);
        form_decode(body + i, kend - i, &k);
        if (!k.oom && k.len == strlen(key) && !memcmp(k.p, key, k.len)) {
            found = true;
            if (eq)
                form_decode(eq + 1, end - kend - 1, out);
        }
        i = end + 1;
    }
    rg_buf_free(&k);
    return found;
}

/* A form value copied into dst; absent: "". */
static rg_status form_str(const char *body, size_t len, const char *key, char *dst, size_t n, rg_buf *tmp,
                          rg_err *e)
{
    dst[0] = '\0';
    if (!rg_form_get(body, len, key, tmp))
        return RG_OK;
    if (tmp->oom)
        return rg_err_set(e, RG_ENOMEM, "body", "out of memory");
    if (tmp->len >= n)
        return rg_err_set(e, RG_EINVAL, key, "longer than %zu bytes", n - 1);
    if (tmp->len && memchr(tmp->p, '\0', tmp->len))
        return rg_err_set(e, RG_EINVAL, key, "contains a NUL byte");
    if (!rg_utf8_valid(tmp->p, tmp->len))
        return rg_err_set(e, RG_EINVAL, key, "is not valid UTF-8");
    memcpy(dst, rg_buf_cstr(tmp), tmp->len + 1);
    return RG_OK;
}

static rg_status sms_form(const char *body, size_t len, rg_hook_batch *out, rg_err *e)
{
    rg_buf tmp = RG_BUF_INIT;
    char status[32], code[16], message[200];
    rg_hook_item item;
    memset(&item, 0, sizeof item);
    rg_status rc;
    if ((rc = form_str(body, len, "MessageSid", item.provider_id, sizeof item.provider_id, &tmp, e)) != RG_OK ||
        (rc = form_str(body, len, "MessageStatus", status, sizeof status, &tmp, e)) != RG_OK)
        goto out;
    if (status[0] && strcmp(status, "received") != 0 && strcmp(status, "receiving") != 0) {
        if (!item.provider_id[0]) {
            rc = rg_err_set(e, RG_EINVAL, "MessageSid", "missing (a status callback names its message)");
            goto out;
        }
        if (!status_from_name(status, &item.status)) {
            out->ignored++;
            goto out;
        }
        if (item.status == RG_MSG_FAILED) {
            if ((rc = form_str(body, len, "ErrorCode", code, sizeof code, &tmp, e)) != RG_OK ||
                (rc = form_str(body, len, "ErrorMessage", message, sizeof message, &tmp, e)) != RG_OK)
                goto out;
            snprintf(item.reason, sizeof item.reason, "%s%s%s", code[0] ? code : status,
                     message[0] ? ": " : "", message);
        }
        rg_hook_item *it;
        if ((rc = push(out, RG_HOOK_STATUS, &it, e)) != RG_OK)
            goto out;
        item.kind = RG_HOOK_STATUS;
        *it = item;
        goto out;
    }
    if (!rg_form_get(body, len, "Body", &tmp)) {
        rc = rg_err_set(e, RG_EINVAL, "body", "expected MessageStatus (a status callback) or Body (a reply)");
        goto out;
    }
    if (tmp.oom || memchr(rg_buf_cstr(&tmp), '\0', tmp.len)) {
        rc = tmp.oom ? rg_err_set(e, RG_ENOMEM, "body", "out of memory")
                     : rg_err_set(e, RG_EINVAL, "Body", "contains a NUL byte");
        goto out;
    }
    if (!rg_utf8_valid(tmp.p, tmp.len)) {
        rc = rg_err_set(e, RG_EINVAL, "Body", "is not valid UTF-8");
        goto out;
    }
    item.kind = RG_HOOK_MESSAGE;
    rg_strlcpy(item.type, "text", sizeof item.type);
    if ((rc = set_text(&item, rg_buf_cstr(&tmp), tmp.len, e)) != RG_OK)
        goto out;
    if ((rc = form_str(body, len, "From", item.from, sizeof item.from, &tmp, e)) != RG_OK)
        goto out;
    if (!item.from[0]) {
        rc = rg_err_set(e, RG_EINVAL, "From", "missing (a reply names its sender)");
        goto out;
    }
    rg_hook_item *it;
    if ((rc = push(out, RG_HOOK_MESSAGE, &it, e)) != RG_OK)
        goto out;
    *it = item;
    item.text = NULL; /* now owned by the batch */
out:
    free(item.text);
    rg_buf_free(&tmp);
    return rc;
}

static bool type_is(const char *content_type, const char *want)
{
    size_t n = strlen(want);
    if (!content_type)
        return false;
    while (*content_type == ' ')
        content_type++;
    return !strncasecmp(content_type, want, n) &&
           (content_type[n] == '\0' || content_type[n] == ';' || content_type[n] == ' ');
}

rg_status rg_hook_parse_sms(const char *content_type, const char *body, size_t len, rg_hook_batch *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    rg_status rc;
    bool json;
    if (type_is(content_type, "application/json"))
        json = true;
    else if (type_is(content_type, "application/x-www-form-urlencoded"))
        json = false;
    else {
        size_t i = 0;
        while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'))
            i++;
        json = i < len && (body[i] == '{' || body[i] == '[');
    }
    rc = json ? sms_json(body, len, out, e) : sms_form(body, len, out, e);
    if (rc != RG_OK)
        rg_hook_batch_free(out);
    return rc;
}

/* ---- signatures ---- */

static void hmac(const char *secret, const char *body, size_t len, unsigned char mac[crypto_auth_hmacsha256_BYTES])
{
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
}

bool rg_hook_signature_ok(const char *secret, const char *header, const char *body, size_t len)
{
    unsigned char want[crypto_auth_hmacsha256_BYTES], got[crypto_auth_hmacsha256_BYTES];
    size_t got_len = 0;
    const char *end = NULL;
    if (!secret || !*secret || !header || strncmp(header, "sha256=", 7) != 0 || sodium_init() < 0)
        return false;
    const char *hex = header + 7;
    if (strlen(hex) != 2 * sizeof got ||
        sodium_hex2bin(got, sizeof got, hex, strlen(hex), NULL, &got_len, &end) != 0 || got_len != sizeof got ||
        *end != '\0')
        return false;
    hmac(secret, body, len, want);
    return sodium_memcmp(want, got, sizeof got) == 0;
}

void rg_hook_signature(const char *secret, const char *body, size_t len, rg_buf *out)
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char hex[2 * crypto_auth_hmacsha256_BYTES + 1];
    if (sodium_init() < 0)
        return;
    hmac(secret, body, len, mac);
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    rg_buf_puts(out, "sha256=");
    rg_buf_puts(out, hex);
}

bool rg_hook_secret_equal(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    size_t n = strlen(a);
    if (n != strlen(b))
        return false;
    return n > 0 && sodium_memcmp(a, b, n) == 0;
}
