#include "service/json_model.h"

#include <jansson.h>
#include <string.h>

#include "br/doc.h"

static json_t *tags_json(const char *tags)
{
    json_t *a = json_array();
    const char *p = tags;
    while (a && *p) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n)
            json_array_append_new(a, json_stringn(p, n));
        p += n + (bar ? 1 : 0);
    }
    return a;
}

static json_t *date_json(rg_date d)
{
    char b[16];
    return d == RG_DATE_NONE ? json_null() : json_string(rg_date_format_iso(d, b, sizeof b));
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

void *rg_invoice_json(const rg_invoice *inv)
{
    json_t *o = json_pack(
        "{s:s, s:s, s:o, s:o, s:I, s:o, s:I, s:o, s:I, s:o, s:o, s:s}", "external_id",
        inv->external_id, "customer_external_id", inv->customer_external_id, "description",
        opt_string(inv->description), "amount", money_json(inv->amount), "amount_cents",
        (json_int_t)inv->amount, "paid", money_json(inv->paid), "paid_cents", (json_int_t)inv->paid,
        "balance", money_json(rg_invoice_balance(inv)), "balance_cents",
        (json_int_t)rg_invoice_balance(inv), "issue_date", date_json(inv->issue_date), "due_date",
        date_json(inv->due_date), "status", rg_invoice_status_name(inv->status));
    if (!o)
        return NULL;
    json_object_set_new(o, "boleto_bank", opt_string(inv->boleto_bank));
    json_object_set_new(o, "nosso_numero", opt_string(inv->nosso_numero));
    json_object_set_new(o, "barcode", opt_string(inv->barcode));
    json_object_set_new(o, "linha_digitavel", opt_string(inv->linha_digitavel));
    json_object_set_new(o, "pix_code", opt_string(inv->pix_code));
    json_object_set_new(o, "payment_url", opt_string(inv->payment_url));
    json_object_set_new(o, "fine_pct", inv->fine_pct < 0 ? json_null() : money_json(inv->fine_pct));
    json_object_set_new(o, "interest_month_pct",
                        inv->interest_month_pct < 0 ? json_null() : money_json(inv->interest_month_pct));
    json_object_set_new(o, "tags", tags_json(inv->tags));
    json_object_set_new(o, "reissued_due_date", date_json(inv->reissued_due_date));
    json_object_set_new(o, "created_at", instant_json(inv->created_at));
    json_object_set_new(o, "updated_at", instant_json(inv->updated_at));
    return o;
}

void *rg_payment_json(const rg_payment *p)
{
    return json_pack("{s:s, s:o, s:I, s:o, s:s, s:s, s:s}", "invoice_external_id",
                     p->invoice_external_id, "amount", money_json(p->amount), "amount_cents",
                     (json_int_t)p->amount, "paid_at", instant_json(p->paid_at), "method", p->method,
                     "source", rg_payment_source_name(p->source), "reference", p->reference);
}
