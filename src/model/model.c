#include "model/model.h"

#include <string.h>

const char *rg_customer_kind_name(rg_customer_kind k)
{
    switch (k) {
    case RG_KIND_PF: return "PF";
    case RG_KIND_PJ: return "PJ";
    case RG_KIND_UNKNOWN: break;
    }
    return "";
}

static const char *const invoice_status_names[] = {"open", "paid", "cancelled", "renegotiated",
                                                   "written_off"};

const char *rg_invoice_status_name(rg_invoice_status s)
{
    if ((unsigned)s < sizeof invoice_status_names / sizeof *invoice_status_names)
        return invoice_status_names[s];
    return "open";
}

const char *rg_invoice_status_label_pt(rg_invoice_status s)
{
    static const char *const labels[] = {"em aberto", "paga", "cancelada", "renegociada", "baixada"};
    _Static_assert(sizeof labels / sizeof *labels == sizeof invoice_status_names / sizeof *invoice_status_names,
                   "a pt-BR label for each invoice status");
    return (unsigned)s < sizeof labels / sizeof *labels ? labels[s] : "";
}

bool rg_invoice_status_parse(const char *s, rg_invoice_status *out)
{
    for (unsigned i = 0; i < sizeof invoice_status_names / sizeof *invoice_status_names; i++) {
        if (!strcmp(s, invoice_status_names[i])) {
            *out = (rg_invoice_status)i;
            return true;
        }
    }
    return false;
}

static const char *const payment_source_names[] = {"api", "csv", "cnab", "pix", "manual"};

const char *rg_payment_source_name(rg_payment_source s)
{
    if ((unsigned)s < sizeof payment_source_names / sizeof *payment_source_names)
        return payment_source_names[s];
    return "api";
}

bool rg_payment_source_parse(const char *s, rg_payment_source *out)
{
    for (unsigned i = 0; i < sizeof payment_source_names / sizeof *payment_source_names; i++) {
        if (!strcmp(s, payment_source_names[i])) {
            *out = (rg_payment_source)i;
            return true;
        }
    }
    return false;
}

rg_cents rg_invoice_balance(const rg_invoice *inv)
{
    rg_cents b = inv->amount - inv->paid;
    return b > 0 ? b : 0;
}

rg_cents rg_invoice_credit(const rg_invoice *inv)
{
    rg_cents c = inv->paid - inv->amount;
    return c > 0 ? c : 0;
}

void rg_customer_init(rg_customer *c)
{
    memset(c, 0, sizeof *c);
}

void rg_invoice_init(rg_invoice *inv)
{
    memset(inv, 0, sizeof *inv);
    inv->issue_date = RG_DATE_NONE;
    inv->due_date = RG_DATE_NONE;
    inv->fine_pct = -1;
    inv->interest_month_pct = -1;
    inv->reissued_due_date = RG_DATE_NONE;
    inv->paid_on = RG_DATE_NONE;
}

void rg_payment_init(rg_payment *p)
{
    memset(p, 0, sizeof *p);
}

static const char *const message_status_names[] = {"planned",   "queued", "sending",
                                                   "sent",      "delivered", "read",
                                                   "failed",    "cancelled", "suppressed",
                                                   "uncertain"};

const char *rg_message_status_name(rg_message_status s)
{
    if ((unsigned)s < sizeof message_status_names / sizeof *message_status_names)
        return message_status_names[s];
    return "planned";
}

bool rg_message_status_parse(const char *s, rg_message_status *out)
{
    for (unsigned i = 0; i < sizeof message_status_names / sizeof *message_status_names; i++) {
        if (!strcmp(s, message_status_names[i])) {
            *out = (rg_message_status)i;
            return true;
        }
    }
    return false;
}
