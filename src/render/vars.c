#include "render/vars.h"

#include <stdio.h>
#include <string.h>

static const rg_var_info table[] = {
#define RG_VAR(id, name, type, need, desc) {RG_V_##id, name, RG_VAR_##type, RG_VAR_##need, desc},
#include "render/vars.def"
#undef RG_VAR
};

_Static_assert(sizeof table / sizeof table[0] == RG_V__COUNT, "vars.def and rg_var_id agree");

void rg_render_invoice_init(rg_render_invoice *inv)
{
    memset(inv, 0, sizeof *inv);
    inv->amount = RG_RENDER_NO_MONEY;
    inv->updated_amount = RG_RENDER_NO_MONEY;
    inv->fine = RG_RENDER_NO_MONEY;
    inv->interest = RG_RENDER_NO_MONEY;
    inv->due_date = RG_DATE_NONE;
    inv->original_due_date = RG_DATE_NONE;
    inv->effective_due_date = RG_DATE_NONE;
    inv->days_late = RG_RENDER_NO_INT;
}

void rg_render_vars_init(rg_render_vars *v)
{
    memset(v, 0, sizeof *v);
    v->offer.valid_until = RG_DATE_NONE;
    v->offer.discount = RG_RENDER_NO_MONEY;
    v->offer.amount = RG_RENDER_NO_MONEY;
    v->promise.date = RG_DATE_NONE;
    v->promise.amount = RG_RENDER_NO_MONEY;
    v->bureau.listing_date = RG_DATE_NONE;
}

const rg_var_info *rg_var_table(size_t *n)
{
    if (n)
        *n = sizeof table / sizeof table[0];
    return table;
}

const rg_var_info *rg_var_info_of(rg_var_id id)
{
    if ((unsigned)id >= (unsigned)RG_V__COUNT)
        return NULL;
    return &table[id];
}

const rg_var_info *rg_var_find(const char *s, size_t len)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strlen(table[i].name) == len && memcmp(table[i].name, s, len) == 0)
            return &table[i];
    return NULL;
}

const char *rg_var_type_name(rg_var_type t)
{
    switch (t) {
    case RG_VAR_TEXT: return "text";
    case RG_VAR_MONEY: return "money";
    case RG_VAR_DATE: return "date";
    case RG_VAR_INT: return "int";
    case RG_VAR_LIST: return "list";
    }
    return "?";
}

const char *rg_var_need_name(rg_var_need n)
{
    switch (n) {
    case RG_VAR_REQUIRED: return "required";
    case RG_VAR_MAY: return "may be empty";
    case RG_VAR_CONFIG: return "configuration";
    case RG_VAR_EMAIL: return "e-mail address";
    case RG_VAR_PHONE: return "phone";
    case RG_VAR_OFFER: return "offer trigger";
    case RG_VAR_PROMISE: return "promise trigger";
    }
    return "?";
}

static bool is_channel(const char *ch, const char *name)
{
    return ch && strcmp(ch, name) == 0;
}

bool rg_var_may_be_empty(rg_var_id id, const rg_var_context *cx)
{
    const rg_var_info *vi = rg_var_info_of(id);
    if (!vi)
        return true;
    switch (vi->need) {
    case RG_VAR_REQUIRED: return false;
    case RG_VAR_MAY: return true;
    case RG_VAR_CONFIG: {
        if (!cx || !cx->company)
            return true;
        rg_buf b = RG_BUF_INIT;
        bool has = rg_var_format(cx->company, NULL, id, &b) && !b.oom;
        rg_buf_free(&b);
        return !has;
    }
    case RG_VAR_EMAIL: return !(cx && is_channel(cx->channel, "email"));
    case RG_VAR_PHONE:
        return !(cx && (is_channel(cx->channel, "sms") || is_channel(cx->channel, "voice") ||
                        is_channel(cx->channel, "whatsapp")));
    case RG_VAR_OFFER: return !(cx && cx->offer);
    case RG_VAR_PROMISE: return !(cx && cx->promise);
    }
    return true;
}

/* ---- values ------------------------------------------------------------ */

typedef enum { VAL_NONE, VAL_TEXT, VAL_MONEY, VAL_DATE, VAL_INT, VAL_LIST } val_kind;

typedef struct val {
    val_kind kind;
    const char *text;
    int64_t num; /* money, int, list length */
    rg_date date;
} val;

static bool blank(const char *s)
{
    if (!s)
        return true;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return false;
    return true;
}

static val v_text(const char *s)
{
    val r = {VAL_NONE, NULL, 0, 0};
    if (!blank(s)) {
        r.kind = VAL_TEXT;
        r.text = s;
    }
    return r;
}

static val v_money(rg_cents c)
{
    val r = {VAL_NONE, NULL, 0, 0};
    if (c != RG_RENDER_NO_MONEY) {
        r.kind = VAL_MONEY;
        r.num = c;
    }
    return r;
}

static val v_int(int64_t i)
{
    val r = {VAL_NONE, NULL, 0, 0};
    if (i != RG_RENDER_NO_INT) {
        r.kind = VAL_INT;
        r.num = i;
    }
    return r;
}

static val v_date(rg_date d)
{
    val r = {VAL_NONE, NULL, 0, 0};
    if (d != RG_DATE_NONE) {
        r.kind = VAL_DATE;
        r.date = d;
    }
    return r;
}

/* Sum of one money field over the invoices; no value when any is absent,
 * when there are none, or on overflow. */
static val v_sum(const rg_render_vars *v, bool updated)
{
    val none = {VAL_NONE, NULL, 0, 0};
    if (!v->invoices || v->n_invoices == 0)
        return none;
    rg_cents sum = 0;
    for (size_t i = 0; i < v->n_invoices; i++) {
        rg_cents c = updated ? v->invoices[i].updated_amount : v->invoices[i].amount;
        if (c == RG_RENDER_NO_MONEY || __builtin_add_overflow(sum, c, &sum))
            return none;
    }
    return v_money(sum);
}

static val lookup(const rg_render_vars *v, const rg_render_invoice *cur, rg_var_id id)
{
    val none = {VAL_NONE, NULL, 0, 0};
    if (!cur && v->invoices && v->n_invoices > 0)
        cur = &v->invoices[0];
    switch (id) {
    case RG_V_CUSTOMER_NAME: return v_text(v->customer.name);
    case RG_V_CUSTOMER_FIRST_NAME: return v_text(v->customer.name);
    case RG_V_CUSTOMER_DOCUMENT: return v_text(v->customer.document);
    case RG_V_CUSTOMER_EMAIL: return v_text(v->customer.email);
    case RG_V_CUSTOMER_PHONE: return v_text(v->customer.phone);
    case RG_V_INVOICES: {
        val r = {VAL_LIST, NULL, v->invoices ? (int64_t)v->n_invoices : 0, 0};
        return r;
    }
    case RG_V_TOTALS_AMOUNT: return v_sum(v, false);
    case RG_V_TOTALS_UPDATED_AMOUNT: return v_sum(v, true);
    case RG_V_TOTALS_INVOICE_COUNT: return v_int(v->invoices ? (int64_t)v->n_invoices : 0);
    case RG_V_PORTAL_URL: return v_text(v->portal_url);
    case RG_V_UNSUBSCRIBE_URL: return v_text(v->unsubscribe_url);
    case RG_V_MESSAGE_ID: return v_text(v->message_id);
    case RG_V_COMPANY_NAME: return v_text(v->company.name);
    case RG_V_COMPANY_CNPJ: return v_text(v->company.cnpj);
    case RG_V_COMPANY_ADDRESS: return v_text(v->company.address);
    case RG_V_COMPANY_PHONE: return v_text(v->company.phone);
    case RG_V_COMPANY_EMAIL: return v_text(v->company.email);
    case RG_V_COMPANY_CONTACT: return v_text(v->company.contact);
    case RG_V_OFFER_DESCRIPTION: return v_text(v->offer.description);
    case RG_V_OFFER_VALID_UNTIL: return v_date(v->offer.valid_until);
    case RG_V_OFFER_DISCOUNT: return v_money(v->offer.discount);
    case RG_V_OFFER_AMOUNT: return v_money(v->offer.amount);
    case RG_V_PROMISE_DATE: return v_date(v->promise.date);
    case RG_V_PROMISE_AMOUNT: return v_money(v->promise.amount);
    case RG_V_BUREAU_LISTING_DATE: return v_date(v->bureau.listing_date);
    default: break;
    }
    if (!cur)
        return none;
    switch (id) {
    case RG_V_INVOICE_EXTERNAL_ID: return v_text(cur->external_id);
    case RG_V_INVOICE_DESCRIPTION: return v_text(cur->description);
    case RG_V_INVOICE_AMOUNT: return v_money(cur->amount);
    case RG_V_INVOICE_UPDATED_AMOUNT: return v_money(cur->updated_amount);
    case RG_V_INVOICE_FINE: return v_money(cur->fine);
    case RG_V_INVOICE_INTEREST: return v_money(cur->interest);
    case RG_V_INVOICE_DUE_DATE: return v_date(cur->due_date);
    case RG_V_INVOICE_EFFECTIVE_DUE_DATE:
        return v_date(cur->effective_due_date != RG_DATE_NONE ? cur->effective_due_date : cur->due_date);
    case RG_V_INVOICE_ORIGINAL_DUE_DATE:
        return v_date(cur->original_due_date != RG_DATE_NONE ? cur->original_due_date : cur->due_date);
    case RG_V_INVOICE_DAYS_LATE: return v_int(cur->days_late);
    case RG_V_INVOICE_LINHA_DIGITAVEL: return v_text(cur->linha_digitavel);
    case RG_V_INVOICE_PIX_CODE: return v_text(cur->pix_code);
    case RG_V_INVOICE_PAYMENT_URL: return v_text(cur->payment_url);
    case RG_V_INVOICE_BOLETO_URL: return v_text(cur->boleto_url);
    case RG_V_INVOICE_BOLETO: return v_text(cur->boleto);
    default: break;
    }
    return none;
}

bool rg_var_truthy(const rg_render_vars *v, const rg_render_invoice *cur, rg_var_id id)
{
    val x = lookup(v, cur, id);
    switch (x.kind) {
    case VAL_NONE: return false;
    case VAL_TEXT:
        if (id == RG_V_CUSTOMER_FIRST_NAME) {
            rg_buf b = RG_BUF_INIT;
            rg_render_first_name(x.text, &b);
            bool t = b.len > 0;
            rg_buf_free(&b);
            return t;
        }
        return true;
    case VAL_MONEY:
    case VAL_INT:
    case VAL_LIST: return x.num != 0;
    case VAL_DATE: return true;
    }
    return false;
}

bool rg_var_format(const rg_render_vars *v, const rg_render_invoice *cur, rg_var_id id, rg_buf *out)
{
    val x = lookup(v, cur, id);
    char tmp[64];
    size_t before = out->len;
    switch (x.kind) {
    case VAL_NONE:
    case VAL_LIST: return false;
    case VAL_TEXT:
        if (id == RG_V_CUSTOMER_FIRST_NAME)
            rg_render_first_name(x.text, out);
        else if (id == RG_V_CUSTOMER_DOCUMENT || id == RG_V_COMPANY_CNPJ)
            rg_render_document(x.text, out);
        else if (id == RG_V_CUSTOMER_PHONE || id == RG_V_COMPANY_PHONE)
            rg_render_phone(x.text, out);
        else
            rg_buf_puts(out, x.text);
        return out->len > before || out->oom;
    case VAL_MONEY: rg_buf_puts(out, rg_money_format_brl(x.num, tmp, sizeof tmp)); return true;
    case VAL_DATE: rg_buf_puts(out, rg_date_format_br(x.date, tmp, sizeof tmp)); return true;
    case VAL_INT: rg_buf_printf(out, "%lld", (long long)x.num); return true;
    }
    return false;
}

/* ---- text helpers ------------------------------------------------------- */

/* Latin-1 letters in UTF-8 are C3 80..C3 9E (upper, but not C3 97 "×") and
 * C3 A0..C3 BE (lower, but not C3 B7 "÷"); the pairs differ by 0x20. */
static bool is_upper_at(const unsigned char *p, size_t n)
{
    if (p[0] >= 'A' && p[0] <= 'Z')
        return true;
    return n >= 2 && p[0] == 0xC3 && p[1] >= 0x80 && p[1] <= 0x9E && p[1] != 0x97;
}

static bool is_lower_at(const unsigned char *p, size_t n)
{
    if (p[0] >= 'a' && p[0] <= 'z')
        return true;
    return n >= 2 && p[0] == 0xC3 && p[1] >= 0xA0 && p[1] <= 0xBE && p[1] != 0xB7 && p[1] != 0x9F;
}

static size_t utf8_len(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0)
        return 2;
    if ((c & 0xF0) == 0xE0)
        return 3;
    if ((c & 0xF8) == 0xF0)
        return 4;
    return 1;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void rg_render_first_name(const char *name, rg_buf *out)
{
    if (!name)
        return;
    while (is_space(*name))
        name++;
    size_t n = 0;
    while (name[n] && !is_space(name[n]))
        n++;
    const unsigned char *w = (const unsigned char *)name;
    bool upper = false, lower = false;
    for (size_t i = 0; i < n;) {
        size_t k = utf8_len(w[i]);
        if (k > n - i)
            k = n - i;
        upper |= is_upper_at(w + i, n - i);
        lower |= is_lower_at(w + i, n - i);
        i += k;
    }
    if (upper && lower) { /* mixed case is the person's own spelling: keep it */
        rg_buf_append(out, name, n);
        return;
    }
    bool start = true;
    for (size_t i = 0; i < n;) {
        size_t k = utf8_len(w[i]);
        if (k > n - i)
            k = n - i;
        unsigned char c[4] = {0, 0, 0, 0};
        memcpy(c, w + i, k);
        if (start && is_lower_at(c, k)) {
            if (k == 1)
                c[0] = (unsigned char)(c[0] - 32);
            else
                c[1] = (unsigned char)(c[1] - 0x20);
        } else if (!start && is_upper_at(c, k)) {
            if (k == 1)
                c[0] = (unsigned char)(c[0] + 32);
            else
                c[1] = (unsigned char)(c[1] + 0x20);
        }
        rg_buf_append(out, (const char *)c, k);
        start = c[0] == '-';
        i += k;
    }
}

static bool all_in(const char *s, size_t n, bool letters)
{
    for (size_t i = 0; i < n; i++) {
        bool digit = s[i] >= '0' && s[i] <= '9';
        bool upper = s[i] >= 'A' && s[i] <= 'Z';
        if (!digit && !(letters && upper))
            return false;
    }
    return true;
}

void rg_render_document(const char *doc, rg_buf *out)
{
    size_t n = strlen(doc);
    if (n == 11 && all_in(doc, 11, false)) {
        rg_buf_printf(out, "%.3s.%.3s.%.3s-%.2s", doc, doc + 3, doc + 6, doc + 9);
    } else if (n == 14 && all_in(doc, 12, true) && all_in(doc + 12, 2, false)) {
        rg_buf_printf(out, "%.2s.%.3s.%.3s/%.4s-%.2s", doc, doc + 2, doc + 5, doc + 8, doc + 12);
    } else {
        rg_buf_puts(out, doc);
    }
}

void rg_render_phone(const char *phone, rg_buf *out)
{
    size_t n = strlen(phone);
    if (n >= 3 && memcmp(phone, "+55", 3) == 0 && (n == 13 || n == 14) && all_in(phone + 3, n - 3, false)) {
        const char *p = phone + 3;
        size_t local = n - 5; /* after the two-digit area code: 8 or 9 digits */
        rg_buf_printf(out, "(%.2s) %.*s-%.4s", p, (int)(local - 4), p + 2, p + 2 + local - 4);
    } else {
        rg_buf_puts(out, phone);
    }
}

/* ---- sample --------------------------------------------------------------- */

/* A consolidated message about three late invoices: the first is the one of
 * PRODUCT.md's examples (R$ 1.234,56 due 10/12/2026), three days late with a
 * 2% fine and 1% a month interest pro rata die. */
static const rg_render_invoice sample_invoices[] = {
    {
        .external_id = "NF-2026-0042",
        .description = "Mensalidade dezembro/2026",
        .amount = 123456,
        .updated_amount = 126048,
        .fine = 2469,
        .interest = 123,
        .due_date = 20797, /* 2026-12-10 */
        .original_due_date = 20797,
        .days_late = 3,
        .linha_digitavel = "34191.79001 01043.510047 91020.150008 1 10230000123456",
        .pix_code = "00020101021226830014br.gov.bcb.pix2561pix.example.com/qr/v2/"
                    "cobv/9d36b84f5204000053039865802BR5917ACME TELECOM LTDA6009SAO PAULO"
                    "62070503***6304ABCD",
        .payment_url = "https://pagar.example.com/i/NF-2026-0042",
        .boleto_url = "https://pagar.example.com/b/NF-2026-0042.pdf",
        .effective_due_date = 20797,
        .boleto = "34191.79001 01043.510047 91020.150008 1 10230000123456",
    },
    {
        .external_id = "NF-2026-0043",
        .description = "Taxa de instalação",
        .amount = 8990,
        .updated_amount = 9179,
        .fine = 180,
        .interest = 9,
        .due_date = 20797,
        .original_due_date = 20797,
        .days_late = 3,
        .linha_digitavel = "34191.79001 01043.510047 91020.150008 2 10230000008990",
        .pix_code = "00020101021226830014br.gov.bcb.pix2561pix.example.com/qr/v2/cobv/"
                    "77aa01c35204000053039865802BR5917ACME TELECOM LTDA6009SAO PAULO"
                    "62070503***6304EF01",
        .payment_url = "https://pagar.example.com/i/NF-2026-0043",
        .boleto_url = "https://pagar.example.com/b/NF-2026-0043.pdf",
        .effective_due_date = 20797,
        .boleto = "34191.79001 01043.510047 91020.150008 2 10230000008990",
    },
    {
        .external_id = "NF-2026-0051",
        .description = "Serviço adicional <Wi-Fi> & suporte",
        .amount = 4500,
        .updated_amount = 4500,
        .fine = 0,
        .interest = 0,
        .due_date = 20802, /* 2026-12-15 */
        .original_due_date = 20795, /* 2026-12-08, reissued */
        .days_late = 0,
        .linha_digitavel = "34191.79001 01043.510047 91020.150008 3 10280000004500",
        .pix_code = "00020101021226830014br.gov.bcb.pix2561pix.example.com/qr/v2/cobv/"
                    "5c0e9b2a5204000053039865802BR5917ACME TELECOM LTDA6009SAO PAULO"
                    "62070503***63042345",
        .payment_url = "https://pagar.example.com/i/NF-2026-0051",
        .boleto_url = "https://pagar.example.com/b/NF-2026-0051.pdf",
        .effective_due_date = 20802,
        .boleto = "34191.79001 01043.510047 91020.150008 3 10280000004500",
    },
};

static const rg_render_vars sample = {
    .customer = {"MARIA DA SILVA SANTOS", "12345678909", "maria.santos@example.com", "+5511987654321"},
    .invoices = sample_invoices,
    .n_invoices = sizeof sample_invoices / sizeof sample_invoices[0],
    .portal_url = "https://portal.example.com/c/8Xk2",
    .unsubscribe_url = "https://portal.example.com/sair/8Xk2",
    .message_id = "msg-000123",
    .company = {"Acme Telecom Ltda", "12345678000195", "Rua das Flores, 100, Centro, São Paulo/SP, 01001-000",
                "+551140001234", "cobranca@acme.example.com", "WhatsApp (11) 4000-1234, seg. a sex., 8h às 18h"},
    .offer = {"sem multa e sem juros", 20805 /* 2026-12-18 */, 2781, 136946},
    .promise = {20806 /* 2026-12-19 */, 139727},
    .bureau = {20837 /* 2027-01-19, D+40 */},
};

const rg_render_vars *rg_render_vars_sample(void)
{
    return &sample;
}

/* ---- docs ------------------------------------------------------------------ */

void rg_var_doc_table(rg_buf *out)
{
    rg_buf_puts(out, "| variable | type | presence | description |\n");
    rg_buf_puts(out, "| --- | --- | --- | --- |\n");
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        rg_buf_printf(out, "| `%s` | %s | %s | ", table[i].name, rg_var_type_name(table[i].type),
                      rg_var_need_name(table[i].need));
        for (const char *d = table[i].description; *d; d++) {
            if (*d == '|')
                rg_buf_putc(out, '\\');
            rg_buf_putc(out, *d);
        }
        rg_buf_puts(out, " |\n");
    }
}
