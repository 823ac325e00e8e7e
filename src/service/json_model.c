#include "service/json_model.h"

#include <jansson.h>
#include <string.h>

#include "base/utf8.h"
#include "br/doc.h"
#include "service/json_write.h"

static json_t *tags_json(const char *tags)
{
    json_t *a = json_array();
    const char *p = tags;
    while (a && *p) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n && json_array_append_new(a, json_stringn(p, n)) != 0) {
            json_decref(a);
            return NULL; /* a tag that is not UTF-8: the record cannot be written */
        }
        p += n + (bar ? 1 : 0);
    }
    return a;
}

static json_t *instant_json(rg_instant t)
{
    char b[32];
    return t == 0 || t == RG_INSTANT_NONE ? json_null() : json_string(rg_instant_format(t, b, sizeof b));
}

static json_t *money_json(rg_cents v)
{
    char b[32];
    return json_string(rg_money_format_plain(v, b, sizeof b));
}

static json_t *opt_string(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

void *rg_customer_json(const rg_customer *c)
{
    rg_doc doc;
    const char *formatted = c->document;
    if (c->document[0] && rg_doc_parse(c->document, strlen(c->document), &doc, NULL))
        formatted = doc.formatted;
    json_t *addr = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "street", c->address.street,
                             "number", c->address.number, "complement", c->address.complement,
                             "district", c->address.district, "city", c->address.city, "state",
                             c->address.state, "zip", c->address.zip);
    return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
                     "external_id", c->external_id, "name", c->name, "document", opt_string(formatted),
                     "kind", opt_string(rg_customer_kind_name(c->kind)), "email", opt_string(c->email),
                     "phone", opt_string(c->phone), "whatsapp", opt_string(c->whatsapp),
                     "preferred_channel", opt_string(c->preferred_channel), "timezone",
                     opt_string(c->timezone), "tags", tags_json(c->tags), "address", addr,
                     "created_at", instant_json(c->created_at), "updated_at",
                     instant_json(c->updated_at));
}

/* The models' member shapes on the streaming writer: a date, an instant
 * (null when unset) and money (a decimal string), as instant_json and
 * money_json make them. */
static void jw_date(rg_jw *w, const char *key, rg_date d)
{
    char b[16];
    rg_jw_key(w, key);
    if (d == RG_DATE_NONE)
        rg_jw_null(w);
    else
        rg_jw_string(w, rg_date_format_iso(d, b, sizeof b));
}

static void jw_instant(rg_jw *w, const char *key, rg_instant t)
{
    char b[32];
    rg_jw_key(w, key);
    if (t == 0 || t == RG_INSTANT_NONE)
        rg_jw_null(w);
    else
        rg_jw_string(w, rg_instant_format(t, b, sizeof b));
}

static void jw_money(rg_jw *w, const char *key, rg_cents v)
{
    char b[32];
    rg_jw_kstring(w, key, rg_money_format_plain(v, b, sizeof b));
}

/* A rate in hundredths of a percent as money_json writes it; null when unset (< 0). */
static void jw_pct(rg_jw *w, const char *key, int64_t pct)
{
    if (pct >= 0) {
        jw_money(w, key, pct);
        return;
    }
    rg_jw_key(w, key);
    rg_jw_null(w);
}

/* "a|b" -> ["a", "b"] (empty parts skipped), as tags_json. */
static void jw_bar_list(rg_jw *w, const char *key, const char *list)
{
    rg_jw_key(w, key);
    rg_jw_array(w);
    for (const char *p = list; *p;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n)
            rg_jw_stringn(w, p, n);
        p += n + (bar ? 1 : 0);
    }
    rg_jw_array_end(w);
}

void rg_invoice_json_write(rg_jw *w, const rg_invoice *inv)
{
    rg_jw_object(w);
    rg_jw_kstring(w, "external_id", inv->external_id);
    rg_jw_kstring(w, "customer_external_id", inv->customer_external_id);
    rg_jw_kopt_string(w, "description", inv->description);
    jw_money(w, "amount", inv->amount);
    rg_jw_kint(w, "amount_cents", inv->amount);
    jw_money(w, "paid", inv->paid);
    rg_jw_kint(w, "paid_cents", inv->paid);
    jw_money(w, "balance", rg_invoice_balance(inv));
    rg_jw_kint(w, "balance_cents", rg_invoice_balance(inv));
    jw_date(w, "issue_date", inv->issue_date);
    jw_date(w, "due_date", inv->due_date);
    rg_jw_kstring(w, "status", rg_invoice_status_name(inv->status));
    rg_jw_kopt_string(w, "boleto_bank", inv->boleto_bank);
    rg_jw_kopt_string(w, "nosso_numero", inv->nosso_numero);
    rg_jw_kopt_string(w, "barcode", inv->barcode);
    rg_jw_kopt_string(w, "linha_digitavel", inv->linha_digitavel);
    rg_jw_kopt_string(w, "pix_code", inv->pix_code);
    rg_jw_kopt_string(w, "payment_url", inv->payment_url);
    jw_pct(w, "fine_pct", inv->fine_pct);
    jw_pct(w, "interest_month_pct", inv->interest_month_pct);
    jw_money(w, "credit", rg_invoice_credit(inv));
    rg_jw_kint(w, "credit_cents", rg_invoice_credit(inv));
    jw_bar_list(w, "tags", inv->tags);
    jw_date(w, "reissued_due_date", inv->reissued_due_date);
    jw_instant(w, "created_at", inv->created_at);
    jw_instant(w, "updated_at", inv->updated_at);
    rg_jw_object_end(w);
}

void *rg_invoice_json(const rg_invoice *inv)
{
    rg_buf b = RG_BUF_INIT;
    rg_jw w;
    rg_jw_init(&w, &b);
    rg_invoice_json_write(&w, inv);
    json_t *o = rg_jw_ok(&w) ? json_loadb(b.p, b.len, 0, NULL) : NULL;
    rg_buf_free(&b);
    return o;
}

void *rg_payment_json(const rg_payment *p)
{
    return json_pack("{s:s, s:o, s:I, s:o, s:s, s:s, s:s}", "invoice_external_id",
                     p->invoice_external_id, "amount", money_json(p->amount), "amount_cents",
                     (json_int_t)p->amount, "paid_at", instant_json(p->paid_at), "method", p->method,
                     "source", rg_payment_source_name(p->source), "reference", p->reference);
}

void *rg_apikey_json(const rg_apikey_row *k)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:o}", "id", (json_int_t)k->id, "name", k->name, "role", k->role,
                     "prefix", k->prefix, "created_at", instant_json(k->created_at), "revoked_at",
                     instant_json(k->revoked_at), "last_used_at", instant_json(k->last_used_at));
}

void *rg_user_json(const rg_user_row *u)
{
    return json_pack("{s:I, s:s, s:s, s:o, s:o, s:o}", "id", (json_int_t)u->id, "email", u->email, "role", u->role,
                     "created_at", instant_json(u->created_at), "disabled_at", instant_json(u->disabled_at),
                     "last_login_at", instant_json(u->last_login_at));
}

void *rg_invoice_ids_json(const char *ids)
{
    json_t *a = json_array();
    for (const char *q = ids ? ids : ""; a && *q;) {
        const char *bar = strchr(q, '|');
        size_t n = bar ? (size_t)(bar - q) : strlen(q);
        if (n && json_array_append_new(a, json_stringn(q, n)) != 0) {
            json_decref(a);
            return NULL;
        }
        q += n + (bar ? 1 : 0);
    }
    return a;
}

void *rg_message_json(const rg_message *m)
{
    char source[80];
    snprintf(source, sizeof source, "%s:%s", m->source_kind, m->source_id);
    json_t *o = json_pack("{s:I, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:s}", "id",
                          (json_int_t)m->id, "customer_external_id", m->customer_external_id,
                          "invoice_external_ids", rg_invoice_ids_json(m->invoice_external_ids), "cadence", m->cadence,
                          "cadence_version", m->cadence_version, "source", source, "channel", m->channel, "template",
                          m->template_name, "status", rg_message_status_name(m->status), "reason",
                          opt_string(m->reason), "planned_for", instant_json(m->planned_for), "sent_at",
                          instant_json(m->sent_at), "subject", m->subject ? m->subject : "", "body",
                          m->body ? m->body : "");
    if (!o)
        return NULL;
    char cost[32];
    if (json_object_set_new(o, "attempts", json_integer(m->attempts)) != 0 ||
        json_object_set_new(o, "provider_id", opt_string(m->provider_id)) != 0 ||
        json_object_set_new(o, "cost", json_string(rg_money_format_plain(m->cost, cost, sizeof cost))) != 0 ||
        json_object_set_new(o, "cost_cents", json_integer(m->cost)) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

rg_status rg_json_append(void *array, void *item, const char *what, const char *id, rg_err *e)
{
    if (item && json_array_append_new(array, item) == 0)
        return RG_OK;
    return rg_json_unwritable(what, id, e);
}

rg_status rg_json_unwritable(const char *what, const char *id, rg_err *e)
{
    bool utf8 = id && rg_utf8_valid(id, strlen(id));
    return rg_err_set(e, RG_EINVAL, what, "%s%s cannot be written as JSON: one of its texts is not valid UTF-8"
                      " (or memory ran out); nothing was printed",
                      utf8 ? id : "a record", utf8 ? "" : " (its id is not valid UTF-8)");
}
