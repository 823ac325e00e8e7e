#include "config/config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/money.h"
#include "base/tz.h"
#include "br/doc.h"
#include "config/yaml.h"

void rg_config_defaults(rg_config *c)
{
    memset(c, 0, sizeof *c);
    rg_strlcpy(c->database, "regua.db", sizeof c->database);
    rg_strlcpy(c->listen, "127.0.0.1:8080", sizeof c->listen);
    c->server.max_connections = 256;
    c->server.max_connections_per_ip = 32;
    c->server.write_wait_ms = 5000;
    rg_strlcpy(c->default_timezone, "America/Sao_Paulo", sizeof c->default_timezone);
    rg_strlcpy(c->cadences_dir, "cadences", sizeof c->cadences_dir);
    rg_strlcpy(c->templates_dir, "templates", sizeof c->templates_dir);
    rg_strlcpy(c->secret_env, "REGUA_SECRET", sizeof c->secret_env);
    c->legal_interest_month_pct = -1;
    c->portal.agreements = (rg_agreement_config){6, 5000, 2000, 100, 3, 10};
    c->portal.link_days = 30;
    c->portal.promise_max_days = 10;
    c->portal.extend_max_days = 7;
    c->portal.rate_token_per_min = 60;
    c->portal.rate_ip_per_min = 300;
}

/* Driver -> the settings it accepts (besides the common ones). */
typedef struct driver_spec {
    const char *driver;
    const char *keys[16];
} driver_spec;

static const driver_spec drivers[] = {
    {"log", {"path"}},
    {"smtp", {"url", "from", "username_env", "password_env", "reply_to", "unsubscribe_mailto", "ca_file", "starttls",
              "timeout_seconds"}},
    {"whatsapp_cloud", {"base_url", "phone_number_id", "token_env", "app_secret_env", "verify_token_env", "language", "timeout"}},
    {"http", {"url", "method", "headers", "body", "id_pointer", "content_type", "idempotency_header", "timeout", "username_env", "password_env", "webhook_secret_env",
              "lookup_url", "lookup_list", "lookup_body", "lookup_to"}},
    {"letter", {"dir"}},
    {"bureau", {"url", "secret_env"}},
    {"task", {"assignee"}},
};
static const char *const common_keys[] = {"max_in_flight", "rate_per_second", "cost_per_message",
                                          "max_attempts", "on_uncertain"};

static const driver_spec *find_driver(const char *name)
{
    for (size_t i = 0; i < sizeof drivers / sizeof *drivers; i++)
        if (!strcmp(drivers[i].driver, name))
            return &drivers[i];
    return NULL;
}

static bool key_allowed(const driver_spec *d, const char *key)
{
    for (size_t i = 0; i < sizeof common_keys / sizeof *common_keys; i++)
        if (!strcmp(common_keys[i], key))
            return true;
    for (size_t i = 0; i < 14 && d->keys[i]; i++)
        if (!strcmp(d->keys[i], key))
            return true;
    return false;
}

static void resolve_path(char *path, size_t size, const char *base_dir)
{
    if (!path[0] || path[0] == '/' || !base_dir || !base_dir[0] || !strcmp(base_dir, "."))
        return;
    char tmp[RG_CONFIG_PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s/%s", base_dir, path);
    rg_strlcpy(path, tmp, size);
}

static bool key_is(struct fy_node *k, const char *name)
{
    size_t len;
    const char *s = rg_yaml_scalar(k, &len);
    return s && strlen(name) == len && !memcmp(s, name, len);
}

static rg_status unknown_key(const rg_yaml *y, struct fy_node *k, const char *section, const char *allowed,
                             rg_err *e)
{
    size_t len;
    const char *s = rg_yaml_scalar(k, &len);
    return rg_yaml_error(y, k, e, "unknown key '%.*s' in %s (allowed: %s)", (int)(s ? len : 1),
                         s ? s : "?", section, allowed);
}

static rg_status parse_channel(const rg_yaml *y, struct fy_node *name, struct fy_node *body,
                               rg_channel_config *ch, rg_err *e)
{
    rg_status rc;
    if ((rc = rg_yaml_copy(y, name, "channel name", ch->name, sizeof ch->name, e)) != RG_OK)
        return rc;
    ch->line = rg_yaml_line(name);
    if (!rg_yaml_is_map(body))
        return rg_yaml_error(y, name, e, "channel '%s' must be a mapping with at least 'driver'", ch->name);
    void *it = NULL;
    struct fy_node *k, *v;
    const driver_spec *spec = NULL;
    /* driver first, so that keys can be checked against it */
    while (rg_yaml_map_next(body, &it, &k, &v)) {
        if (key_is(k, "driver")) {
            if ((rc = rg_yaml_copy(y, v, "driver", ch->driver, sizeof ch->driver, e)) != RG_OK)
                return rc;
            if (!(spec = find_driver(ch->driver)))
                return rg_yaml_error(y, v, e,
                                     "unknown driver '%s' for channel '%s' (drivers: log, smtp,"
                                     " whatsapp_cloud, http, letter, bureau, task)",
                                     ch->driver, ch->name);
        }
    }
    if (!spec)
        return rg_yaml_error(y, name, e, "channel '%s' needs a 'driver'", ch->name);
    it = NULL;
    while (rg_yaml_map_next(body, &it, &k, &v)) {
        if (key_is(k, "driver"))
            continue;
        size_t klen;
        const char *ks = rg_yaml_scalar(k, &klen);
        char key[32];
        if (!ks || klen >= sizeof key)
            return rg_yaml_error(y, k, e, "bad key in channel '%s'", ch->name);
        memcpy(key, ks, klen);
        key[klen] = '\0';
        if (!key_allowed(spec, key)) {
            rg_buf allowed = RG_BUF_INIT;
            for (size_t i = 0; i < 14 && spec->keys[i]; i++)
                rg_buf_printf(&allowed, "%s, ", spec->keys[i]);
            rg_buf_puts(&allowed, "max_in_flight, rate_per_second, cost_per_message, max_attempts, on_uncertain");
            char section[80];
            snprintf(section, sizeof section, "channel '%s' (driver %s)", ch->name, ch->driver);
            rc = unknown_key(y, k, section, rg_buf_cstr(&allowed), e);
            rg_buf_free(&allowed);
            return rc;
        }
        if (ch->n_settings == RG_CONFIG_MAX_SETTINGS)
            return rg_yaml_error(y, k, e, "too many settings in channel '%s'", ch->name);
        rg_setting *st = &ch->settings[ch->n_settings++];
        rg_strlcpy(st->key, key, sizeof st->key);
        st->line = rg_yaml_line(k);
        if (!strcmp(key, "headers")) {
            if (!rg_yaml_is_map(v))
                return rg_yaml_error(y, k, e, "'headers' must be a mapping of header names to values");
            rg_buf hb = RG_BUF_INIT;
            void *hit = NULL;
            struct fy_node *hk, *hv;
            while (rg_yaml_map_next(v, &hit, &hk, &hv)) {
                size_t hl, vl;
                const char *hs = rg_yaml_scalar(hk, &hl), *vs = rg_yaml_scalar(hv, &vl);
                if (!hs || !vs) {
                    rg_buf_free(&hb);
                    return rg_yaml_error(y, hk, e, "a header must be 'Name: value'");
                }
                rg_buf_printf(&hb, "%.*s: %.*s\n", (int)hl, hs, (int)vl, vs);
            }
            if (hb.len >= sizeof st->value) {
                rg_buf_free(&hb);
                return rg_yaml_error(y, k, e, "'headers' is too long");
            }
            rg_strlcpy(st->value, rg_buf_cstr(&hb), sizeof st->value);
            rg_buf_free(&hb);
        } else if ((rc = rg_yaml_copy(y, v, key, st->value, sizeof st->value, e)) != RG_OK) {
            return rc;
        }
        if (!strcmp(key, "max_in_flight") || !strcmp(key, "max_attempts")) {
            int64_t n;
            if (!rg_parse_i64(rg_slice_cstr(st->value), 1, 10000, &n))
                return rg_yaml_error(y, v, e, "'%s' must be a whole number from 1 to 10000", key);
        } else if (!strcmp(key, "on_uncertain")) {
            if (strcmp(st->value, "resend") != 0 && strcmp(st->value, "review") != 0)
                return rg_yaml_error(y, v, e,
                                     "'on_uncertain' must be resend (send again with the same Message-ID or"
                                     " idempotency key) or review (status uncertain and a task), not '%s'",
                                     st->value);
        } else if (!strcmp(key, "rate_per_second") || !strcmp(key, "cost_per_message")) {
            rg_cents n;
            if (!rg_money_parse(st->value, strlen(st->value), false, &n, NULL))
                return rg_yaml_error(y, v, e, "'%s' must be a number such as 10 or 0.05", key);
        }
    }
    return RG_OK;
}

static rg_status parse_company(rg_config *c, const rg_yaml *y, struct fy_node *map, rg_err *e)
{
    rg_status rc = RG_OK;
    void *it = NULL;
    struct fy_node *k, *v;
    if (!rg_yaml_is_map(map))
        return rg_yaml_error(y, map, e, "'company' must be a mapping (name, cnpj, email, phone, contact, address)");
    while (rg_yaml_map_next(map, &it, &k, &v)) {
        if (key_is(k, "name"))
            rc = rg_yaml_copy(y, v, "name", c->company.name, sizeof c->company.name, e);
        else if (key_is(k, "email"))
            rc = rg_yaml_copy(y, v, "email", c->company.email, sizeof c->company.email, e);
        else if (key_is(k, "phone"))
            rc = rg_yaml_copy(y, v, "phone", c->company.phone, sizeof c->company.phone, e);
        else if (key_is(k, "contact"))
            rc = rg_yaml_copy(y, v, "contact", c->company.contact, sizeof c->company.contact, e);
        else if (key_is(k, "address"))
            rc = rg_yaml_copy(y, v, "address", c->company.address, sizeof c->company.address, e);
        else if (key_is(k, "cnpj")) {
            char raw[40];
            if ((rc = rg_yaml_copy(y, v, "cnpj", raw, sizeof raw, e)) != RG_OK)
                return rc;
            rg_doc doc;
            rg_err de;
            if (!rg_doc_parse(raw, strlen(raw), &doc, &de) || doc.kind != RG_DOC_CNPJ)
                return rg_yaml_error(y, v, e, "company cnpj '%s' is not a valid CNPJ%s%s", raw,
                                     de.msg[0] ? ": " : "", de.msg);
            rg_strlcpy(c->company.cnpj, doc.digits, sizeof c->company.cnpj);
            rg_strlcpy(c->company.cnpj_formatted, doc.formatted, sizeof c->company.cnpj_formatted);
        } else
            return unknown_key(y, k, "company", "name, cnpj, email, phone, contact, address", e);
        if (rc != RG_OK)
            return rc;
    }
    return RG_OK;
}

static bool webhook_name_ok(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
            return false;
    return true;
}

static bool webhook_url_ok(const char *u)
{
    const char *rest = !strncmp(u, "https://", 8) ? u + 8 : !strncmp(u, "http://", 7) ? u + 7 : NULL;
    if (!rest || !*rest || *rest == '/')
        return false;
    for (const char *p = u; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return false;
    return true;
}

#define WEBHOOK_KEYS "name, url, secret_env, events, timeout_seconds"

/* One item of `webhooks:`: a mapping with name, url, secret_env, events. */
static rg_status parse_webhook(rg_config *c, const rg_yaml *y, struct fy_node *item, rg_webhook_config *w, rg_err *e)
{
    rg_status rc = RG_OK;
    if (!rg_yaml_is_map(item))
        return rg_yaml_error(y, item, e, "each webhook must be a mapping (" WEBHOOK_KEYS ")");
    w->line = rg_yaml_line(item);
    w->timeout_seconds = 10;
    struct fy_node *k, *v, *events = NULL, *events_key = item, *name_node = item, *url_node = item;
    void *it = NULL;
    while (rc == RG_OK && rg_yaml_map_next(item, &it, &k, &v)) {
        if (key_is(k, "name")) {
            name_node = v;
            rc = rg_yaml_copy(y, v, "name", w->name, sizeof w->name, e);
        } else if (key_is(k, "url")) {
            url_node = v;
            rc = rg_yaml_copy(y, v, "url", w->url, sizeof w->url, e);
        } else if (key_is(k, "secret_env")) {
            rc = rg_yaml_copy(y, v, "secret_env", w->secret_env, sizeof w->secret_env, e);
        } else if (key_is(k, "timeout_seconds")) {
            char raw[16];
            if ((rc = rg_yaml_copy(y, v, "timeout_seconds", raw, sizeof raw, e)) == RG_OK &&
                !rg_parse_i64(rg_slice_cstr(raw), 1, 120, &w->timeout_seconds))
                rc = rg_yaml_error(y, v, e, "webhook timeout_seconds must be a whole number from 1 to 120");
        } else if (key_is(k, "events")) {
            events = v;
            events_key = k;
        } else {
            rc = unknown_key(y, k, "a webhook", WEBHOOK_KEYS, e);
        }
    }
    if (rc != RG_OK)
        return rc;
    if (!w->name[0])
        return rg_yaml_error(y, item, e, "a webhook needs a 'name' (letters a-z, digits, '_' or '-')");
    if (!webhook_name_ok(w->name))
        return rg_yaml_error(y, name_node, e, "webhook name '%s' may only hold letters a-z, digits, '_' and '-'",
                             w->name);
    for (size_t i = 0; i < c->n_webhooks; i++)
        if (!strcmp(c->webhooks[i].name, w->name))
            return rg_yaml_error(y, name_node, e, "duplicate webhook name '%s' (first at line %d)", w->name,
                                 c->webhooks[i].line);
    if (!w->url[0])
        return rg_yaml_error(y, item, e, "webhook '%s' needs a 'url' (http:// or https://)", w->name);
    if (!webhook_url_ok(w->url))
        return rg_yaml_error(y, url_node, e,
                             "webhook '%s': url '%s' must be an http:// or https:// URL with a host and no spaces",
                             w->name, w->url);
    if (!w->secret_env[0])
        return rg_yaml_error(y, item, e,
                             "webhook '%s' needs 'secret_env': the environment variable that holds its signing"
                             " secret",
                             w->name);
    if (!events || !rg_yaml_is_seq(events))
        return rg_yaml_error(y, events ? events_key : item, e,
                             "webhook '%s' needs 'events': a list of event types, e.g. [payment.received]", w->name);
    void *sit = NULL;
    struct fy_node *ev;
    size_t n = 0;
    while ((ev = rg_yaml_seq_next(events, &sit)) != NULL) {
        size_t len;
        const char *s = rg_yaml_scalar(ev, &len);
        rg_event_type t;
        if (!s || !rg_event_type_parse(s, len, &t))
            return rg_yaml_error(y, ev, e, "webhook '%s': unknown event type '%.*s' ('regua event --help' lists them)",
                                 w->name, s ? (int)len : 1, s ? s : "?");
        w->events[t] = true;
        n++;
    }
    if (!n)
        return rg_yaml_error(y, events_key, e, "webhook '%s': 'events' lists no event type", w->name);
    return RG_OK;
}

static rg_status parse_webhooks(rg_config *c, const rg_yaml *y, struct fy_node *seq, rg_err *e)
{
    if (!rg_yaml_is_seq(seq))
        return rg_yaml_error(y, seq, e, "'webhooks' must be a list of {" WEBHOOK_KEYS "}");
    void *it = NULL;
    struct fy_node *item;
    while ((item = rg_yaml_seq_next(seq, &it)) != NULL) {
        if (c->n_webhooks == RG_CONFIG_MAX_WEBHOOKS)
            return rg_yaml_error(y, item, e, "too many webhooks (at most %d)", RG_CONFIG_MAX_WEBHOOKS);
        rg_webhook_config *w = &c->webhooks[c->n_webhooks];
        memset(w, 0, sizeof *w);
        rg_status rc = parse_webhook(c, y, item, w, e);
        if (rc != RG_OK)
            return rc;
        c->n_webhooks++;
    }
    return RG_OK;
}

/* A section of whole-number settings, each in a stated range. */
typedef struct int_key {
    const char *key;
    int64_t min, max;
    size_t off; /* of the int64_t in rg_config */
} int_key;

/* Sets the setting named by k (one of keys[0..n)) from v; unknown_key
 * naming `allowed` for a key not among them. */
static rg_status set_int(rg_config *c, const rg_yaml *y, struct fy_node *k, struct fy_node *v, const char *section,
                         const int_key *keys, size_t n, const char *allowed, rg_err *e)
{
    size_t i = 0;
    while (i < n && !key_is(k, keys[i].key))
        i++;
    if (i == n)
        return unknown_key(y, k, section, allowed, e);
    char raw[32];
    rg_status rc = rg_yaml_copy(y, v, keys[i].key, raw, sizeof raw, e);
    if (rc != RG_OK)
        return rc;
    int64_t *dst = (int64_t *)(void *)((char *)c + keys[i].off);
    if (!rg_parse_i64(rg_slice_cstr(raw), keys[i].min, keys[i].max, dst))
        return rg_yaml_error(y, v, e, "%s.%s must be a whole number from %lld to %lld", section, keys[i].key,
                             (long long)keys[i].min, (long long)keys[i].max);
    return RG_OK;
}

static rg_status parse_ints(rg_config *c, const rg_yaml *y, struct fy_node *map, const char *section,
                            const int_key *keys, size_t n, const char *allowed, rg_err *e)
{
    if (!rg_yaml_is_map(map))
        return rg_yaml_error(y, map, e, "'%s' must be a mapping (%s)", section, allowed);
    void *it = NULL;
    struct fy_node *k, *v;
    rg_status rc = RG_OK;
    while (rc == RG_OK && rg_yaml_map_next(map, &it, &k, &v))
        rc = set_int(c, y, k, v, section, keys, n, allowed, e);
    return rc;
}

/* server: the HTTP server's limits. */
static rg_status parse_server(rg_config *c, const rg_yaml *y, struct fy_node *map, rg_err *e)
{
    static const int_key keys[] = {
        {"max_connections", 1, 10000, offsetof(rg_config, server.max_connections)},
        {"max_connections_per_ip", 0, 10000, offsetof(rg_config, server.max_connections_per_ip)},
        {"write_wait_ms", 0, 60000, offsetof(rg_config, server.write_wait_ms)},
    };
    return parse_ints(c, y, map, "server", keys, sizeof keys / sizeof *keys,
                      "max_connections, max_connections_per_ip, write_wait_ms", e);
}

#define AGREEMENT_KEYS                                                                                        \
    "max_installments, min_installment, down_payment_pct, interest_month_pct, down_payment_days, break_after_days"

/* portal.agreements: each a number in a stated range (docs/agreements.md). */
static rg_status parse_agreements(rg_agreement_config *a, const rg_yaml *y, struct fy_node *map, rg_err *e)
{
    if (!rg_yaml_is_map(map))
        return rg_yaml_error(y, map, e, "'portal.agreements' must be a mapping (" AGREEMENT_KEYS ")");
    void *it = NULL;
    struct fy_node *k, *v;
    while (rg_yaml_map_next(map, &it, &k, &v)) {
        size_t klen;
        const char *ks = rg_yaml_scalar(k, &klen);
        char key[32], raw[32];
        if (!ks || klen >= sizeof key)
            return unknown_key(y, k, "portal.agreements", AGREEMENT_KEYS, e);
        memcpy(key, ks, klen);
        key[klen] = '\0';
        rg_status rc = rg_yaml_copy(y, v, key, raw, sizeof raw, e);
        if (rc != RG_OK)
            return rc;
        int64_t n = 0;
        if (!strcmp(key, "min_installment")) {
            if (!rg_money_parse(raw, strlen(raw), false, &a->min_installment, NULL) || a->min_installment < 1)
                return rg_yaml_error(y, v, e, "portal.agreements.min_installment must be an amount such as 50.00");
        } else if (!strcmp(key, "down_payment_pct") || !strcmp(key, "interest_month_pct")) {
            bool down = key[0] == 'd';
            int64_t max = down ? 9000 : 1000;
            if (!rg_pct_parse(raw, strlen(raw), &n, NULL) || n < 0 || n > max)
                return rg_yaml_error(y, v, e, "portal.agreements.%s must be a percentage from 0 to %d, such as %s", key,
                                     down ? 90 : 10, down ? "20" : "1.0");
            *(down ? &a->down_payment_pct : &a->interest_month_pct) = n;
        } else {
            static const struct {
                const char *key;
                int64_t min, max;
                size_t off;
            } ints[] = {
                {"max_installments", 1, 60, offsetof(rg_agreement_config, max_installments)},
                {"down_payment_days", 1, 3, offsetof(rg_agreement_config, down_payment_days)},
                {"break_after_days", 1, 90, offsetof(rg_agreement_config, break_after_days)},
            };
            size_t i = 0;
            while (i < sizeof ints / sizeof *ints && strcmp(ints[i].key, key))
                i++;
            if (i == sizeof ints / sizeof *ints)
                return unknown_key(y, k, "portal.agreements", AGREEMENT_KEYS, e);
            if (!rg_parse_i64(rg_slice_cstr(raw), ints[i].min, ints[i].max, &n))
                return rg_yaml_error(y, v, e, "portal.agreements.%s must be a whole number from %lld to %lld", key,
                                     (long long)ints[i].min, (long long)ints[i].max);
            *(int64_t *)(void *)((char *)a + ints[i].off) = n;
        }
    }
    return RG_OK;
}

#define PORTAL_KEYS "agreements, link_days, rate_token_per_min, rate_ip_per_min, promise_max_days, extend_max_days"

/* portal: the customer's portal — its links and limits (docs/portal.md)
 * and the installment agreements it offers (docs/agreements.md). */
static rg_status parse_portal(rg_config *c, const rg_yaml *y, struct fy_node *map, rg_err *e)
{
    static const int_key keys[] = {
        {"link_days", 1, 365, offsetof(rg_config, portal.link_days)},
        {"rate_token_per_min", 0, 100000, offsetof(rg_config, portal.rate_token_per_min)},
        {"rate_ip_per_min", 0, 1000000, offsetof(rg_config, portal.rate_ip_per_min)},
        {"promise_max_days", 1, 90 /* RG_PROMISE_MAX_DAYS */, offsetof(rg_config, portal.promise_max_days)},
        {"extend_max_days", 1, 60 /* RG_PORTAL_EXTEND_MAX_DAYS */, offsetof(rg_config, portal.extend_max_days)},
    };
    if (!rg_yaml_is_map(map))
        return rg_yaml_error(y, map, e, "'portal' must be a mapping (" PORTAL_KEYS ")");
    void *it = NULL;
    struct fy_node *k, *v;
    while (rg_yaml_map_next(map, &it, &k, &v)) {
        rg_status rc;
        if (key_is(k, "agreements"))
            rc = parse_agreements(&c->portal.agreements, y, v, e);
        else
            rc = set_int(c, y, k, v, "portal", keys, sizeof keys / sizeof *keys, PORTAL_KEYS, e);
        if (rc != RG_OK)
            return rc;
    }
    return RG_OK;
}

rg_status rg_config_parse(rg_config *c, const char *name, const char *base_dir, const char *text,
                          size_t len, rg_err *e)
{
    rg_yaml y;
    rg_status rc = rg_yaml_load(&y, name, text, len, e);
    if (rc != RG_OK)
        return rc;
    struct fy_node *root = rg_yaml_root(&y); /* NULL for an empty file: defaults */
    if (root && !rg_yaml_is_map(root)) {
        rc = rg_yaml_error(&y, root, e, "the configuration must be a mapping of keys to values");
        goto out;
    }
    void *it = NULL;
    struct fy_node *k, *v;
    while (rc == RG_OK && root && rg_yaml_map_next(root, &it, &k, &v)) {
        if (key_is(k, "database"))
            rc = rg_yaml_copy(&y, v, "database", c->database, sizeof c->database, e);
        else if (key_is(k, "listen"))
            rc = rg_yaml_copy(&y, v, "listen", c->listen, sizeof c->listen, e);
        else if (key_is(k, "public_url"))
            rc = rg_yaml_copy(&y, v, "public_url", c->public_url, sizeof c->public_url, e);
        else if (key_is(k, "timezone")) {
            if ((rc = rg_yaml_copy(&y, v, "timezone", c->default_timezone, sizeof c->default_timezone, e)) == RG_OK) {
                rg_tz *tz = NULL;
                rg_err te;
                if (rg_tz_load(c->default_timezone, &tz, &te) != RG_OK)
                    rc = rg_yaml_error(&y, v, e, "timezone '%s' is not an IANA time zone installed here (%s);"
                                       " e.g. America/Sao_Paulo", c->default_timezone, te.msg);
                rg_tz_free(tz);
            }
        }
        else if (key_is(k, "cadences"))
            rc = rg_yaml_copy(&y, v, "cadences", c->cadences_dir, sizeof c->cadences_dir, e);
        else if (key_is(k, "templates"))
            rc = rg_yaml_copy(&y, v, "templates", c->templates_dir, sizeof c->templates_dir, e);
        else if (key_is(k, "secret_env"))
            rc = rg_yaml_copy(&y, v, "secret_env", c->secret_env, sizeof c->secret_env, e);
        else if (key_is(k, "calendar"))
            rc = rg_yaml_copy(&y, v, "calendar", c->calendar_file, sizeof c->calendar_file, e);
        else if (key_is(k, "legal_interest_month_pct")) {
            char raw[32];
            if ((rc = rg_yaml_copy(&y, v, "legal_interest_month_pct", raw, sizeof raw, e)) == RG_OK &&
                !rg_pct_parse(raw, strlen(raw), &c->legal_interest_month_pct, NULL))
                rc = rg_yaml_error(&y, v, e, "legal_interest_month_pct must be a percentage such as 0.45");
        } else if (key_is(k, "company"))
            rc = parse_company(c, &y, v, e);
        else if (key_is(k, "server"))
            rc = parse_server(c, &y, v, e);
        else if (key_is(k, "webhooks"))
            rc = parse_webhooks(c, &y, v, e);
        else if (key_is(k, "portal"))
            rc = parse_portal(c, &y, v, e);
        else if (key_is(k, "channels")) {
            if (!rg_yaml_is_map(v)) {
                rc = rg_yaml_error(&y, k, e, "'channels' must map channel names to their settings");
                break;
            }
            void *cit = NULL;
            struct fy_node *ck, *cv;
            while (rc == RG_OK && rg_yaml_map_next(v, &cit, &ck, &cv)) {
                if (c->n_channels == RG_CONFIG_MAX_CHANNELS) {
                    rc = rg_yaml_error(&y, ck, e, "too many channels (at most %d)", RG_CONFIG_MAX_CHANNELS);
                    break;
                }
                rg_channel_config *ch = &c->channels[c->n_channels];
                memset(ch, 0, sizeof *ch);
                if ((rc = parse_channel(&y, ck, cv, ch, e)) == RG_OK)
                    c->n_channels++;
            }
        } else
            rc = unknown_key(&y, k, "regua.yaml",
                             "database, listen, server, public_url, timezone, company, cadences, templates,"
                             " calendar, legal_interest_month_pct, secret_env, channels, webhooks, portal",
                             e);
    }
    if (rc == RG_OK && c->listen[0] && !strchr(c->listen, ':'))
        rc = rg_err_set(e, RG_EINVAL, name, "listen must be host:port, e.g. 127.0.0.1:8080");
    if (rc == RG_OK && c->public_url[0] && strncmp(c->public_url, "http://", 7) &&
        strncmp(c->public_url, "https://", 8))
        rc = rg_err_set(e, RG_EINVAL, name, "public_url must start with http:// or https://");
    if (rc == RG_OK) {
        if (strncmp(c->database, "postgres", 8))
            resolve_path(c->database, sizeof c->database, base_dir);
        resolve_path(c->cadences_dir, sizeof c->cadences_dir, base_dir);
        resolve_path(c->templates_dir, sizeof c->templates_dir, base_dir);
        resolve_path(c->calendar_file, sizeof c->calendar_file, base_dir);
        for (size_t i = 0; i < c->n_channels; i++)
            for (size_t j = 0; j < c->channels[i].n_settings; j++) {
                rg_setting *st = &c->channels[i].settings[j];
                if (!strcmp(st->key, "path") || !strcmp(st->key, "dir") || !strcmp(st->key, "ca_file"))
                    resolve_path(st->value, sizeof st->value, base_dir);
            }
    }
out:
    rg_yaml_free(&y);
    return rc;
}

rg_status rg_config_load(rg_config *c, const char *path, bool required, rg_err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT && !required)
            return RG_OK;
        return rg_err_set(e, RG_EIO, path, "cannot open the configuration: %s", strerror(errno));
    }
    rg_buf b = RG_BUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rg_buf_append(&b, chunk, n);
    fclose(f);
    if (b.oom) {
        rg_buf_free(&b);
        return rg_err_set(e, RG_ENOMEM, path, "out of memory");
    }
    char dir[RG_CONFIG_PATH_MAX];
    rg_strlcpy(dir, path, sizeof dir);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        rg_strlcpy(dir, ".", sizeof dir);
    rg_strlcpy(c->file, path, sizeof c->file);
    c->from_file = true;
    rg_status rc = rg_config_parse(c, path, dir, rg_buf_cstr(&b), b.len, e);
    rg_buf_free(&b);
    return rc;
}

const rg_channel_config *rg_config_channel(const rg_config *c, const char *name)
{
    for (size_t i = 0; i < c->n_channels; i++)
        if (!strcmp(c->channels[i].name, name))
            return &c->channels[i];
    return NULL;
}

const rg_webhook_config *rg_config_webhook(const rg_config *c, const char *name)
{
    for (size_t i = 0; name && i < c->n_webhooks; i++)
        if (!strcmp(c->webhooks[i].name, name))
            return &c->webhooks[i];
    return NULL;
}

const char *rg_webhook_secret(const rg_webhook_config *w)
{
    const char *v = w && w->secret_env[0] ? getenv(w->secret_env) : NULL;
    return v && *v ? v : NULL;
}

const char *rg_channel_setting(const rg_channel_config *ch, const char *key)
{
    for (size_t i = 0; ch && i < ch->n_settings; i++)
        if (!strcmp(ch->settings[i].key, key))
            return ch->settings[i].value;
    return NULL;
}

rg_cents rg_config_channel_cost(const rg_config *c, const char *name)
{
    const char *v = rg_channel_setting(rg_config_channel(c, name), "cost_per_message");
    rg_cents cost = 0;
    /* validated at load (a number such as 0.05) */
    if (!v || !rg_money_parse(v, strlen(v), false, &cost, NULL) || cost < 0)
        return 0;
    return cost;
}

const char *rg_config_secret(const rg_config *c)
{
    const char *v = c->secret_env[0] ? getenv(c->secret_env) : NULL;
    return v && strlen(v) >= 16 ? v : NULL;
}
