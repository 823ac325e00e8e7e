#include "service/import.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/strset.h"
#include "base/utf8.h"
#include "br/boleto.h"
#include "br/doc.h"
#include "br/fees.h"
#include "br/pix.h"
#include "br/phone.h"
#include "import/csv.h"
#include "service/payments.h"

/* Column tables: the order is the index used by the row handlers. */
enum { C_EXT, C_NAME, C_DOC, C_EMAIL, C_PHONE, C_WHATSAPP, C_PREF, C_TZ, C_TAGS, C_STREET, C_NUMBER,
       C_COMPLEMENT, C_DISTRICT, C_CITY, C_STATE, C_ZIP, C_NCOLS_CUSTOMER };
enum { I_EXT, I_CUSTOMER, I_DESC, I_AMOUNT, I_ISSUE, I_DUE, I_STATUS, I_BANK, I_LINHA, I_PIX, I_URL,
       I_TAGS, I_NOSSO, I_FINE, I_INTEREST, I_NCOLS };
enum { P_INVOICE, P_AMOUNT, P_PAID_AT, P_METHOD, P_REFERENCE, P_NCOLS };

typedef struct column_spec {
    const char *name;
    bool required;
    unsigned field_bit; /* RG_CF_* / RG_IF_* the column sets on update */
} column_spec;

static const column_spec customer_columns[C_NCOLS_CUSTOMER] = {
    {"external_id", true, 0},       {"name", true, RG_CF_NAME},
    {"document", false, RG_CF_DOCUMENT}, {"email", false, RG_CF_EMAIL},
    {"phone", false, RG_CF_PHONE},  {"whatsapp", false, RG_CF_WHATSAPP},
    {"preferred_channel", false, RG_CF_PREFERRED}, {"timezone", false, RG_CF_TIMEZONE},
    {"tags", false, RG_CF_TAGS},    {"street", false, RG_CF_STREET},
    {"number", false, RG_CF_NUMBER}, {"complement", false, RG_CF_COMPLEMENT},
    {"district", false, RG_CF_DISTRICT}, {"city", false, RG_CF_CITY},
    {"state", false, RG_CF_STATE},  {"zip", false, RG_CF_ZIP},
};

static const column_spec invoice_columns[I_NCOLS] = {
    {"external_id", true, 0},
    {"customer_external_id", true, RG_IF_CUSTOMER},
    {"description", false, RG_IF_DESCRIPTION},
    {"amount", true, RG_IF_AMOUNT},
    {"issue_date", false, RG_IF_ISSUE_DATE},
    {"due_date", true, RG_IF_DUE_DATE},
    {"status", false, RG_IF_STATUS},
    {"boleto_bank", false, RG_IF_BOLETO_BANK},
    {"linha_digitavel", false, RG_IF_BOLETO},
    {"pix_code", false, RG_IF_PIX},
    {"payment_url", false, RG_IF_PAYMENT_URL},
    {"tags", false, RG_IF_TAGS},
    {"nosso_numero", false, RG_IF_NOSSO},
    {"fine_pct", false, RG_IF_FINE},
    {"interest_month_pct", false, RG_IF_INTEREST},
};

static const column_spec payment_columns[P_NCOLS] = {
    {"invoice_external_id", true, 0}, {"amount", true, 0}, {"paid_at", false, 0},
    {"method", false, 0},             {"reference", false, 0},
};

static const char *const channel_names[] = {"email", "whatsapp", "sms", "voice", "letter"};

typedef struct importer {
    const rg_event_env *env;
    rg_store *store;
    const char *name;
    rg_import_report *report;
    const column_spec *cols;
    size_t ncols;
    int map[RG_CSV_MAX_FIELDS]; /* csv field index -> column index, -1 unknown */
    int where[RG_CSV_MAX_FIELDS]; /* column -> csv index or -1 */
    bool clear[RG_CSV_MAX_FIELDS]; /* column -> an empty field clears it (--clear) */
    size_t header_fields;
    const rg_csv_row *row;
    bool row_bad;
    rg_strset seen;
    rg_strset customer_ids; /* customer external id -> id, looked up once per file */
    rg_instant now;
    rg_zones *zones;
} importer;

static void problem(importer *im, size_t line, const char *column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Appends "msg\n" to the report's text (its prefix already written) and
 * the structured item pointing at msg. */
static void add_item(rg_import_report *r, size_t line, const char *column, bool warning, const char *msg)
{
    size_t off = r->text.len, n = strlen(msg);
    rg_buf_printf(&r->text, "%s\n", msg);
    if (r->text.oom)
        return;
    if (r->n_items == r->cap_items) {
        size_t cap = r->cap_items ? r->cap_items * 2 : 16;
        rg_import_problem *p = realloc(r->items, cap * sizeof *p);
        if (!p) {
            r->text.oom = true; /* reported as out of memory with the text */
            return;
        }
        r->items = p;
        r->cap_items = cap;
    }
    r->items[r->n_items++] = (rg_import_problem){line, column, off, n, warning};
}

static void problem(importer *im, size_t line, const char *column, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (column)
        rg_buf_printf(&im->report->text, "%s:%zu: %s: ", im->name, line, column);
    else
        rg_buf_printf(&im->report->text, "%s:%zu: ", im->name, line);
    add_item(im->report, line, column, false, msg);
    im->report->problems++;
    im->row_bad = true;
}

/* The trimmed value of column c in the current row ("" when absent). */
static rg_slice get(const importer *im, int c)
{
    int f = im->where[c];
    rg_slice none = {"", 0};
    if (f < 0 || (size_t)f >= im->row->n)
        return none;
    return rg_slice_trim(im->row->field[f]);
}

static bool has(const importer *im, int c)
{
    return im->where[c] >= 0;
}

/* The fields an update of the current row may change: the columns whose
 * value is not empty, and the empty ones listed in --clear. An empty
 * field never erases what is stored otherwise. */
static unsigned row_bits(const importer *im)
{
    unsigned bits = 0;
    for (size_t c = 0; c < im->ncols; c++)
        if (has(im, (int)c) && (get(im, (int)c).n > 0 || im->clear[c]))
            bits |= im->cols[c].field_bit;
    return bits;
}

static bool copy_text(importer *im, int c, char *dst, size_t size)
{
    rg_slice v = get(im, c);
    if (v.n >= size) {
        problem(im, im->row->line, im->cols[c].name, "longer than %zu characters", size - 1);
        dst[0] = '\0';
        return false;
    }
    for (size_t i = 0; i < v.n; i++) {
        if ((unsigned char)v.p[i] < 0x20 && v.p[i] != '\t') {
            problem(im, im->row->line, im->cols[c].name, "contains a control character");
            dst[0] = '\0';
            return false;
        }
    }
    memcpy(dst, v.p, v.n);
    dst[v.n] = '\0';
    return true;
}

static bool required(importer *im, int c)
{
    if (get(im, c).n == 0) {
        problem(im, im->row->line, im->cols[c].name, "is required");
        return false;
    }
    return true;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "b | a|a" -> "a|b" (trimmed, sorted, no duplicates, no empties). */
static void parse_tags(importer *im, int c, char *dst, size_t size)
{
    rg_slice v = get(im, c);
    char tmp[RG_TAGS_MAX + 1];
    const char *items[64];
    size_t n = 0;
    dst[0] = '\0';
    if (v.n >= sizeof tmp) {
        problem(im, im->row->line, im->cols[c].name, "longer than %zu characters", sizeof tmp - 1);
        return;
    }
    memcpy(tmp, v.p, v.n);
    tmp[v.n] = '\0';
    char *p = tmp;
    while (p && n < 64) {
        char *bar = strchr(p, '|');
        if (bar)
            *bar = '\0';
        rg_slice t = rg_slice_trim(rg_slice_cstr(p));
        ((char *)t.p)[t.n] = '\0';
        if (t.n)
            items[n++] = t.p;
        p = bar ? bar + 1 : NULL;
    }
    qsort(items, n, sizeof *items, cmp_str);
    rg_buf b = RG_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (i && !strcmp(items[i], items[i - 1]))
            continue;
        if (b.len)
            rg_buf_putc(&b, '|');
        rg_buf_puts(&b, items[i]);
    }
    rg_strlcpy(dst, rg_buf_cstr(&b), size);
    rg_buf_free(&b);
}

static bool parse_money_col(importer *im, int c, rg_cents *out)
{
    rg_slice v = get(im, c);
    const char *why = NULL;
    if (!rg_money_parse(v.p, v.n, false, out, &why)) {
        problem(im, im->row->line, im->cols[c].name, "'%.*s' is not an amount (%s); use 1234.56 or 1.234,56",
                (int)v.n, v.p, why);
        return false;
    }
    return true;
}

static bool parse_date_col(importer *im, int c, rg_date *out)
{
    rg_slice v = get(im, c);
    if (!rg_date_parse(v.p, v.n, out)) {
        problem(im, im->row->line, im->cols[c].name,
                "'%.*s' is not a valid date; use 2026-12-10 or 10/12/2026", (int)v.n, v.p);
        return false;
    }
    return true;
}

static bool parse_pct_col(importer *im, int c, int64_t *out)
{
    rg_slice v = get(im, c);
    const char *why = NULL;
    if (v.n == 0) {
        *out = -1;
        return true;
    }
    if (!rg_pct_parse(v.p, v.n, out, &why)) {
        problem(im, im->row->line, im->cols[c].name, "'%.*s' is not a percentage (%s)", (int)v.n, v.p, why);
        return false;
    }
    return true;
}

static void check_duplicate(importer *im, const char *key, const char *column)
{
    int64_t first = 0;
    int r = rg_strset_add(&im->seen, key, (int64_t)im->row->line, &first);
    if (r == 0)
        problem(im, im->row->line, column, "duplicate '%s' in this file (first at line %lld)", key,
                (long long)first);
    else if (r < 0)
        problem(im, im->row->line, column, "out of memory");
}

static bool timezone_exists(const char *tz)
{
    char path[128];
    if (strstr(tz, "..") || tz[0] == '/')
        return false;
    for (const char *p = tz; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '/' || *p == '_' || *p == '-' || *p == '+'))
            return false;
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", tz);
    return access(path, R_OK) == 0;
}

/* ---- rows ---- */

static rg_status customer_row(importer *im, rg_err *e)
{
    rg_customer c;
    rg_customer_init(&c);
    size_t line = im->row->line;
    if (required(im, C_EXT) && copy_text(im, C_EXT, c.external_id, sizeof c.external_id))
        check_duplicate(im, c.external_id, "external_id");
    if (required(im, C_NAME))
        copy_text(im, C_NAME, c.name, sizeof c.name);
    rg_slice v = get(im, C_DOC);
    if (v.n) {
        rg_doc doc;
        rg_err de;
        if (!rg_doc_parse(v.p, v.n, &doc, &de)) {
            problem(im, line, "document", "'%.*s': %s", (int)v.n, v.p, de.msg);
        } else {
            rg_strlcpy(c.document, doc.digits, sizeof c.document);
            c.kind = doc.kind == RG_DOC_CPF ? RG_KIND_PF : RG_KIND_PJ;
        }
    }
    const char *why;
    if ((v = get(im, C_EMAIL)).n) {
        if (!rg_email_valid(v.p, v.n, &why))
            problem(im, line, "email", "'%.*s': %s", (int)v.n, v.p, why);
        else
            copy_text(im, C_EMAIL, c.email, sizeof c.email);
    }
    if ((v = get(im, C_PHONE)).n && !rg_phone_normalize(v.p, v.n, c.phone, sizeof c.phone, &why))
        problem(im, line, "phone", "'%.*s': %s", (int)v.n, v.p, why);
    if ((v = get(im, C_WHATSAPP)).n &&
        !rg_phone_normalize(v.p, v.n, c.whatsapp, sizeof c.whatsapp, &why))
        problem(im, line, "whatsapp", "'%.*s': %s", (int)v.n, v.p, why);
    if ((v = get(im, C_PREF)).n) {
        bool ok = false;
        for (size_t i = 0; i < sizeof channel_names / sizeof *channel_names; i++)
            ok |= rg_slice_eq(v, channel_names[i]);
        if (!ok)
            problem(im, line, "preferred_channel", "'%.*s' is not a channel (email, whatsapp, sms, voice, letter)",
                    (int)v.n, v.p);
        else
            copy_text(im, C_PREF, c.preferred_channel, sizeof c.preferred_channel);
    }
    if ((v = get(im, C_TZ)).n && copy_text(im, C_TZ, c.timezone, sizeof c.timezone) &&
        !timezone_exists(c.timezone))
        problem(im, line, "timezone", "'%s' is not an IANA time zone (e.g. America/Sao_Paulo)", c.timezone);
    parse_tags(im, C_TAGS, c.tags, sizeof c.tags);
    copy_text(im, C_STREET, c.address.street, sizeof c.address.street);
    copy_text(im, C_NUMBER, c.address.number, sizeof c.address.number);
    copy_text(im, C_COMPLEMENT, c.address.complement, sizeof c.address.complement);
    copy_text(im, C_DISTRICT, c.address.district, sizeof c.address.district);
    copy_text(im, C_CITY, c.address.city, sizeof c.address.city);
    if ((v = get(im, C_STATE)).n) {
        char uf[3] = {0};
        if (v.n == 2) {
            uf[0] = (char)(v.p[0] & ~0x20);
            uf[1] = (char)(v.p[1] & ~0x20);
        }
        if (!rg_uf_valid(uf, v.n))
            problem(im, line, "state", "'%.*s' is not a Brazilian state (UF, e.g. SP)", (int)v.n, v.p);
        else
            memcpy(c.address.state, uf, 3);
    }
    if ((v = get(im, C_ZIP)).n) {
        size_t nd = 0;
        bool ok = true;
        for (size_t i = 0; i < v.n; i++) {
            if (v.p[i] >= '0' && v.p[i] <= '9' && nd < 8)
                c.address.zip[nd++] = v.p[i];
            else if (v.p[i] != '-' && v.p[i] != '.')
                ok = false;
        }
        c.address.zip[nd] = '\0';
        if (!ok || nd != 8)
            problem(im, line, "zip", "'%.*s' is not a CEP (8 digits, e.g. 01310-100)", (int)v.n, v.p);
    }
    if (im->row_bad)
        return RG_OK;
    rg_upsert_result res;
    rg_status rc = rg_store_customer_upsert(im->store, &c, row_bits(im), im->now, &res, e);
    if (rc != RG_OK)
        return rc;
    /* its zone, tags or kind may change what its invoices' cadences say */
    if (res == RG_UPSERT_UPDATED && (rc = rg_store_customer_wake(im->store, c.id, RG_WAKE_NOW, e)) != RG_OK)
        return rc;
    im->report->inserted += res == RG_UPSERT_INSERTED;
    im->report->updated += res == RG_UPSERT_UPDATED;
    im->report->unchanged += res == RG_UPSERT_UNCHANGED;
    return RG_OK;
}

static bool digits_only(rg_slice v, char *dst, size_t size, size_t *nd)
{
    size_t n = 0;
    for (size_t i = 0; i < v.n; i++) {
        char ch = v.p[i];
        if (ch >= '0' && ch <= '9') {
            if (n + 1 >= size)
                return false;
            dst[n++] = ch;
        } else if (ch != ' ' && ch != '.') {
            return false;
        }
    }
    dst[n] = '\0';
    *nd = n;
    return true;
}

static rg_status invoice_row(importer *im, rg_err *e)
{
    rg_invoice inv;
    rg_invoice_init(&inv);
    size_t line = im->row->line;
    rg_status rc;
    rg_customer_kind kind = RG_KIND_UNKNOWN;
    unsigned derived = 0; /* fields filled from another column */
    if (required(im, I_EXT) && copy_text(im, I_EXT, inv.external_id, sizeof inv.external_id))
        check_duplicate(im, inv.external_id, "external_id");
    if (required(im, I_CUSTOMER) &&
        copy_text(im, I_CUSTOMER, inv.customer_external_id, sizeof inv.customer_external_id)) {
        /* the cache holds id * 4 + kind: the kind decides the legal fine */
        int64_t cached = 0;
        if (!rg_strset_get(&im->customer_ids, inv.customer_external_id, &cached)) {
            rg_customer cust;
            rc = rg_store_customer_get(im->store, inv.customer_external_id, &cust, e);
            if (rc == RG_OK)
                cached = cust.id * 4 + (int64_t)cust.kind;
            else if (rc != RG_ENOTFOUND)
                return rc;
            if (cached && rg_strset_add(&im->customer_ids, inv.customer_external_id, cached, NULL) < 0)
                return rg_err_set(e, RG_ENOMEM, "import", "out of memory");
        }
        inv.customer_id = cached / 4;
        kind = (rg_customer_kind)(cached % 4);
        if (inv.customer_id == 0)
            problem(im, line, "customer_external_id", "no customer with external id '%s' (import customers first)",
                    inv.customer_external_id);
    }
    copy_text(im, I_DESC, inv.description, sizeof inv.description);
    if (required(im, I_AMOUNT) && parse_money_col(im, I_AMOUNT, &inv.amount) && inv.amount == 0)
        problem(im, line, "amount", "must be greater than zero");
    if (required(im, I_DUE))
        parse_date_col(im, I_DUE, &inv.due_date);
    rg_slice v;
    if ((v = get(im, I_ISSUE)).n && parse_date_col(im, I_ISSUE, &inv.issue_date) &&
        inv.due_date != RG_DATE_NONE && inv.issue_date > inv.due_date)
        problem(im, line, "issue_date", "is after the due date");
    if ((v = get(im, I_STATUS)).n) {
        char st[24];
        if (v.n >= sizeof st || (memcpy(st, v.p, v.n), st[v.n] = '\0', !rg_invoice_status_parse(st, &inv.status)))
            problem(im, line, "status", "'%.*s' is not one of open, paid, cancelled, renegotiated, written_off",
                    (int)v.n, v.p);
    }
    if ((v = get(im, I_BANK)).n) {
        size_t nd;
        if (!digits_only(v, inv.boleto_bank, sizeof inv.boleto_bank, &nd) || nd != 3)
            problem(im, line, "boleto_bank", "'%.*s' is not a 3-digit bank code (e.g. 341)", (int)v.n, v.p);
    }
    if ((v = get(im, I_LINHA)).n) {
        rg_boleto bol;
        rg_err be;
        /* the factor's cycle is resolved against today where the company is */
        if (rg_boleto_decode(v.p, v.n, rg_tz_date(rg_zones_company(im->zones), im->now), &bol, &be) != RG_OK) {
            problem(im, line, "linha_digitavel", "%s", be.msg);
        } else {
            rg_strlcpy(inv.linha_digitavel, bol.linha_digitavel, sizeof inv.linha_digitavel);
            rg_strlcpy(inv.barcode, bol.barcode, sizeof inv.barcode);
            if (!inv.boleto_bank[0]) {
                rg_strlcpy(inv.boleto_bank, bol.bank, sizeof inv.boleto_bank);
                derived |= RG_IF_BOLETO_BANK;
            } else if (strcmp(inv.boleto_bank, bol.bank) != 0)
                problem(im, line, "boleto_bank", "'%s' but the linha digitável is of bank %s", inv.boleto_bank,
                        bol.bank);
        }
    }
    copy_text(im, I_NOSSO, inv.nosso_numero, sizeof inv.nosso_numero);
    if ((v = get(im, I_PIX)).n) {
        rg_pix px;
        rg_err pe;
        if (rg_pix_parse(v.p, v.n, &px, &pe) != RG_OK)
            problem(im, line, "pix_code", "not a valid PIX copia-e-cola: %s", pe.msg);
        else
            copy_text(im, I_PIX, inv.pix_code, sizeof inv.pix_code);
    }
    if ((v = get(im, I_URL)).n) {
        if (!(v.n > 8 && (!memcmp(v.p, "https://", 8) || !memcmp(v.p, "http://", 7))))
            problem(im, line, "payment_url", "must be an http:// or https:// address");
        else
            copy_text(im, I_URL, inv.payment_url, sizeof inv.payment_url);
    }
    parse_tags(im, I_TAGS, inv.tags, sizeof inv.tags);
    if (parse_pct_col(im, I_FINE, &inv.fine_pct) && inv.fine_pct >= 0 &&
        !rg_fee_fine_allowed(kind == RG_KIND_PF, inv.fine_pct)) {
        char pct[32], max[32];
        rg_pct_format(inv.fine_pct, pct, sizeof pct);
        rg_pct_format(RG_FEE_FINE_MAX_PF, max, sizeof max);
        if (kind == RG_KIND_PF)
            problem(im, line, "fine_pct",
                    "%s%% is above the %s%% fine a consumer (PF) may be charged (CDC art. 52 §1)", pct, max);
        else
            problem(im, line, "fine_pct", "%s%% is not a fine (0 to 100%%)", pct);
    }
    parse_pct_col(im, I_INTEREST, &inv.interest_month_pct);
    if (im->row_bad)
        return RG_OK;
    rg_upsert_result res;
    if ((rc = rg_store_invoice_upsert(im->store, &inv, row_bits(im) | derived, im->now, &res, e)) != RG_OK)
        return rc;
    /* a new invoice is planned by the next tick anyway; a changed one is re-planned */
    if (res == RG_UPSERT_UPDATED && (rc = rg_store_invoice_wake(im->store, inv.id, RG_WAKE_NOW, e)) != RG_OK)
        return rc;
    im->report->inserted += res == RG_UPSERT_INSERTED;
    im->report->updated += res == RG_UPSERT_UPDATED;
    im->report->unchanged += res == RG_UPSERT_UNCHANGED;
    if (res != RG_UPSERT_UNCHANGED) {
        rg_event_type type = res == RG_UPSERT_INSERTED ? RG_EV_INVOICE_CREATED
                             : (has(im, I_STATUS) && inv.status == RG_INV_CANCELLED) ? RG_EV_INVOICE_CANCELLED
                                                                                    : RG_EV_INVOICE_UPDATED;
        rg_event_in ev = {type, im->now, "csv", inv.customer_id, inv.id, 0, NULL};
        if ((rc = rg_event_record(im->env, &ev, NULL, e)) != RG_OK)
            return rc;
    }
    return RG_OK;
}

static rg_status payment_row(importer *im, rg_err *e)
{
    rg_payment p;
    rg_payment_init(&p);
    p.source = RG_PAY_CSV;
    size_t line = im->row->line;
    if (required(im, P_INVOICE))
        copy_text(im, P_INVOICE, p.invoice_external_id, sizeof p.invoice_external_id);
    if (required(im, P_AMOUNT) && parse_money_col(im, P_AMOUNT, &p.amount) && p.amount == 0)
        problem(im, line, "amount", "must be greater than zero");
    rg_slice v = get(im, P_PAID_AT);
    if (v.n) {
        /* a bare date is that day where the company is */
        if (!rg_tz_parse_moment(rg_zones_company(im->zones), v.p, v.n, &p.paid_at))
            problem(im, line, "paid_at",
                    "'%.*s' is not a date (2027-01-13 or 13/01/2027) or an ISO-8601 instant", (int)v.n, v.p);
    } else {
        p.paid_at = im->now;
    }
    copy_text(im, P_METHOD, p.method, sizeof p.method);
    copy_text(im, P_REFERENCE, p.reference, sizeof p.reference);
    if (p.reference[0] && p.invoice_external_id[0]) {
        char key[RG_EXTID_MAX + RG_REF_MAX + 4];
        snprintf(key, sizeof key, "%s\x1f%s", p.invoice_external_id, p.reference);
        int64_t first = 0;
        if (rg_strset_add(&im->seen, key, (int64_t)line, &first) == 0)
            problem(im, line, "reference", "the same payment appears twice in this file (first at line %lld)",
                    (long long)first);
    }
    if (im->row_bad)
        return RG_OK;
    rg_payment_outcome out;
    rg_err pe;
    rg_status rc = rg_payment_record(im->env, &p, im->now, &out, &pe);
    if (rc == RG_ENOTFOUND) {
        problem(im, line, "invoice_external_id", "no invoice with external id '%s'", p.invoice_external_id);
        return RG_OK;
    }
    if (rc != RG_OK) {
        if (e)
            *e = pe;
        return rc;
    }
    if (out.recorded)
        im->report->inserted++;
    else
        im->report->unchanged++;
    if (out.overpaid > 0) {
        char over[40], credit[40], msg[300];
        snprintf(msg, sizeof msg, "%s is beyond what was open on %s (%s); recorded, shown as a credit of %s",
                 rg_money_format_brl(out.overpaid, over, sizeof over), p.invoice_external_id,
                 rg_invoice_status_name(out.status),
                 rg_money_format_brl(out.credit > 0 ? out.credit : out.overpaid, credit, sizeof credit));
        rg_buf_printf(&im->report->text, "%s:%zu: warning: amount: ", im->name, line);
        add_item(im->report, line, "amount", true, msg);
        im->report->warnings++;
    }
    return RG_OK;
}

/* ---- driver ---- */

/* The 1-based line of byte `at` of text, counting from line `line` at
 * byte `from`. */
static size_t line_at(const char *text, size_t from, size_t at, size_t line)
{
    for (size_t i = from; i < at; i++)
        line += text[i] == '\n';
    return line;
}

#define ENCODING_PROBLEMS_MAX 10

/* The file's text as UTF-8 in text and n: data itself when it is valid
 * UTF-8 (the default), else converted from `encoding` into *conv. A byte
 * that is not text in the file's encoding is a problem at its line: the
 * whole file is refused, since a file in the wrong encoding is wrong on
 * every line that has an accent. */
static bool decode_text(importer *im, const char *encoding, const char *data, size_t len, rg_buf *conv,
                        const char **text, size_t *n)
{
    bool utf8 = !encoding || !*encoding || !strcasecmp(encoding, "utf-8") || !strcasecmp(encoding, "utf8");
    if (utf8) {
        size_t from = 0, line = 1, reported = 0;
        for (size_t at; (at = rg_utf8_invalid_at(data + from, len - from) + from) < len;) {
            line = line_at(data, from, at, line);
            if (++reported <= ENCODING_PROBLEMS_MAX)
                problem(im, line, NULL, "byte 0x%02X is not UTF-8 text%s", (unsigned char)data[at],
                        reported == 1 ? "; nothing was imported. A file saved by Excel or an older ERP is"
                                        " usually windows-1252: import it with --encoding windows-1252"
                                      : "");
            const char *nl = memchr(data + at, '\n', len - at);
            if (!nl)
                break;
            from = (size_t)(nl - data);
        }
        if (reported > ENCODING_PROBLEMS_MAX)
            problem(im, line, NULL, "and %zu more lines that are not UTF-8", reported - ENCODING_PROBLEMS_MAX);
        *text = data;
        *n = len;
        return reported == 0;
    }
    /* a UTF-8 file with accents read as windows-1252 would be stored as
     * "ConceiÃ§Ã£o": refuse that instead of guessing */
    bool ascii = true;
    for (size_t i = 0; i < len && ascii; i++)
        ascii = (unsigned char)data[i] < 0x80;
    if (!ascii && rg_utf8_valid(data, len)) {
        problem(im, 1, NULL, "the file is already UTF-8 (its accents are UTF-8 sequences), not %s; import it"
                             " without --encoding", encoding);
        return false;
    }
    size_t bad = 0;
    rg_err ce;
    rg_status rc = rg_utf8_convert(encoding, data, len, conv, &bad, &ce);
    if (rc == RG_ENOMEM) {
        problem(im, 1, NULL, "out of memory converting the file");
        return false;
    }
    if (rc != RG_OK) {
        problem(im, line_at(data, 0, bad, 1), NULL, "%s; nothing was imported", ce.msg);
        return false;
    }
    *text = rg_buf_cstr(conv);
    *n = conv->len;
    return true;
}

/* --clear: which columns an empty field clears. */
static bool parse_clear(importer *im, const char *list, rg_err *e)
{
    for (const char *p = list; p && *p;) {
        const char *comma = strchr(p, ',');
        rg_slice name = rg_slice_trim((rg_slice){p, comma ? (size_t)(comma - p) : strlen(p)});
        p = comma ? comma + 1 : NULL;
        if (!name.n)
            continue;
        size_t c = 0;
        while (c < im->ncols && !rg_slice_eq_nocase(name, im->cols[c].name))
            c++;
        if (c == im->ncols || !im->cols[c].field_bit) {
            rg_buf known = RG_BUF_INIT;
            for (size_t k = 0; k < im->ncols; k++)
                if (im->cols[k].field_bit && !im->cols[k].required)
                    rg_buf_printf(&known, "%s%s", known.len ? ", " : "", im->cols[k].name);
            rg_err_set(e, RG_EUSAGE, "--clear", "'%.*s' is not a column that can be cleared here (%s)", (int)name.n,
                       name.p, known.len ? rg_buf_cstr(&known) : "none");
            rg_buf_free(&known);
            return false;
        }
        if (im->cols[c].required)
            return rg_err_set(e, RG_EUSAGE, "--clear", "'%s' is required: it cannot be cleared", im->cols[c].name),
                   false;
        im->clear[c] = true;
    }
    return true;
}

static bool read_header(importer *im, const rg_csv_row *row)
{
    im->header_fields = row->n;
    for (size_t c = 0; c < im->ncols; c++)
        im->where[c] = -1;
    bool ok = true;
    for (size_t f = 0; f < row->n; f++) {
        rg_slice h = rg_slice_trim(row->field[f]);
        im->map[f] = -1;
        for (size_t c = 0; c < im->ncols; c++) {
            if (rg_slice_eq_nocase(h, im->cols[c].name)) {
                if (im->where[c] >= 0) {
                    problem(im, row->line, im->cols[c].name, "column appears twice in the header");
                    ok = false;
                }
                im->where[c] = (int)f;
                im->map[f] = (int)c;
            }
        }
        if (im->map[f] < 0) {
            rg_buf list = RG_BUF_INIT;
            for (size_t c = 0; c < im->ncols; c++)
                rg_buf_printf(&list, "%s%s", c ? ", " : "", im->cols[c].name);
            problem(im, row->line, "header", "unknown column '%.*s' (known columns: %s)", (int)h.n, h.p,
                    rg_buf_cstr(&list));
            rg_buf_free(&list);
            ok = false;
        }
    }
    for (size_t c = 0; c < im->ncols; c++) {
        if (im->cols[c].required && im->where[c] < 0) {
            problem(im, row->line, "header", "required column '%s' is missing", im->cols[c].name);
            ok = false;
        }
    }
    return ok;
}

void rg_import_report_free(rg_import_report *r)
{
    if (!r)
        return;
    rg_buf_free(&r->text);
    free(r->items);
    r->items = NULL;
    r->n_items = r->cap_items = 0;
}

const char *rg_import_kind_name(rg_import_kind k)
{
    switch (k) {
    case RG_IMPORT_CUSTOMERS: return "customers";
    case RG_IMPORT_INVOICES: return "invoices";
    case RG_IMPORT_PAYMENTS: return "payments";
    }
    return "?";
}

bool rg_import_kind_parse(const char *s, rg_import_kind *out)
{
    if (!strcmp(s, "customers"))
        *out = RG_IMPORT_CUSTOMERS;
    else if (!strcmp(s, "invoices"))
        *out = RG_IMPORT_INVOICES;
    else if (!strcmp(s, "payments"))
        *out = RG_IMPORT_PAYMENTS;
    else
        return false;
    return true;
}

void rg_import_options_init(rg_import_options *o, rg_zones *zones, rg_instant now)
{
    memset(o, 0, sizeof *o);
    o->zones = zones;
    o->now = now;
}

rg_status rg_import_csv_buffer(const rg_event_env *env, rg_import_kind kind, const char *name, const char *data,
                               size_t len, const rg_import_options *o, rg_import_report *report, rg_err *e)
{
    importer im;
    rg_csv csv;
    rg_csv_row row;
    rg_status rc = RG_OK;
    bool in_tx = false;
    memset(report, 0, sizeof *report);
    memset(&im, 0, sizeof im);
    rg_store *s = env->store;
    im.env = env;
    im.store = s;
    im.name = name;
    im.report = report;
    im.now = o->now;
    im.zones = o->zones;
    bool skip_invalid = o->skip_invalid;
    /* batches only where all-or-nothing was given up (docs/import.md) */
    int64_t batch_rows = skip_invalid && o->batch_rows > 0 ? o->batch_rows : 0, in_batch = 0;
    rg_buf conv = RG_BUF_INIT;
    switch (kind) {
    case RG_IMPORT_CUSTOMERS: im.cols = customer_columns; im.ncols = C_NCOLS_CUSTOMER; break;
    case RG_IMPORT_INVOICES: im.cols = invoice_columns; im.ncols = I_NCOLS; break;
    case RG_IMPORT_PAYMENTS: im.cols = payment_columns; im.ncols = P_NCOLS; break;
    }
    rg_csv_init(&csv, "", 0);
    if (o->encoding && !rg_utf8_encoding_known(o->encoding)) {
        rc = rg_err_set(e, RG_EUSAGE, "--encoding", "'%s' is not an encoding regua reads (utf-8, windows-1252, latin1)",
                        o->encoding);
        goto out;
    }
    if (!parse_clear(&im, o->clear, e)) {
        rc = RG_EUSAGE;
        goto out;
    }
    if (!decode_text(&im, o->encoding, data, len, &conv, &data, &len)) {
        rc = RG_EINVAL;
        goto out;
    }
    rg_csv_init(&csv, data, len);
    rg_err ce;
    rc = rg_csv_next(&csv, &row, &ce);
    if (rc == RG_ENOTFOUND) {
        problem(&im, 1, NULL, "the file is empty: a header row is required");
        rc = RG_EINVAL;
        goto out;
    }
    if (rc != RG_OK) {
        problem(&im, (size_t)strtoul(ce.where, NULL, 10), NULL, "%s", ce.msg);
        rc = RG_EINVAL;
        goto out;
    }
    if (!read_header(&im, &row)) {
        rc = RG_EINVAL;
        goto out;
    }
    if ((rc = rg_store_begin(s, e)) != RG_OK)
        goto out;
    in_tx = true;
    for (;;) {
        rc = rg_csv_next(&csv, &row, &ce);
        if (rc == RG_ENOTFOUND) {
            rc = RG_OK;
            break;
        }
        report->rows++;
        im.row_bad = false;
        if (rc != RG_OK) {
            problem(&im, (size_t)strtoul(ce.where, NULL, 10), NULL, "%s", ce.msg);
            report->invalid++;
            continue;
        }
        im.row = &row;
        if ((row.n != 1 || row.field[0].n != 0) && row.n != im.header_fields)
            problem(&im, row.line, NULL,
                    "%zu fields but the header has %zu: every row has every column (an empty value is"
                    " written as an empty field)",
                    row.n, im.header_fields);
        switch (kind) {
        case RG_IMPORT_CUSTOMERS: rc = customer_row(&im, e); break;
        case RG_IMPORT_INVOICES: rc = invoice_row(&im, e); break;
        case RG_IMPORT_PAYMENTS: rc = payment_row(&im, e); break;
        }
        if (rc != RG_OK) {
            rg_err_prefix(e, name);
            goto out;
        }
        if (im.row_bad)
            report->invalid++;
        if (batch_rows && ++in_batch >= batch_rows) {
            if ((rc = rg_store_commit(s, e)) != RG_OK)
                goto out;
            in_tx = false;
            report->committed = true;
            report->batches++;
            report->kept_rows = report->rows;
            in_batch = 0;
            if (o->batch_pause_ms > 0) {
                struct timespec pause = {(time_t)(o->batch_pause_ms / 1000), (long)(o->batch_pause_ms % 1000) * 1000000L};
                nanosleep(&pause, NULL);
            }
            if ((rc = rg_store_begin(s, e)) != RG_OK)
                goto out;
            in_tx = true;
        }
    }
    if (report->text.oom) {
        rc = rg_err_set(e, RG_ENOMEM, name, "out of memory");
        goto out;
    }
    if (report->invalid > 0 && !skip_invalid) {
        rc = RG_EINVAL;
        goto out;
    }
    rc = rg_store_commit(s, e);
    if (rc == RG_OK) {
        in_tx = false;
        report->committed = true;
        report->batches++;
        report->kept_rows = report->rows;
    }
out:
    if (in_tx)
        rg_store_rollback(s);
    if (rc == RG_EINVAL && !report->committed)
        rg_err_set(e, RG_EINVAL, name, "%lld problem(s); nothing was imported", (long long)report->problems);
    else if (rc != RG_OK && report->kept_rows > 0) {
        char why[sizeof e->msg], where[sizeof e->where];
        rg_strlcpy(why, e->msg, sizeof why);
        rg_strlcpy(where, e->where, sizeof where);
        rg_err_set(e, rc, where, "%s; the first %lld rows were kept (committed in batches of %lld with"
                   " --skip-invalid): importing the file again completes it", why, (long long)report->kept_rows,
                   (long long)batch_rows);
    }
    rg_csv_free(&csv);
    rg_buf_free(&conv);
    rg_strset_free(&im.seen);
    rg_strset_free(&im.customer_ids);
    return rc;
}

static bool field_of_column(const char *name)
{
    for (size_t c = 0; c < I_NCOLS; c++)
        if (!strcmp(invoice_columns[c].name, name))
            return true;
    return false;
}

/* The field of the one-row import named column, or NULL. */
static const rg_import_field *field_of(const rg_import_field *f, size_t n, const char *column)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(f[i].column, column))
            return &f[i];
    return NULL;
}

/* An invoice that is not open (paid, cancelled, renegotiated, written off)
 * is closed: an update may change how it is described, not what it
 * charges, to whom, or its status. RG_ECONFLICT naming the first such
 * field the update changed (`was`: the invoice before it). */
static rg_status closed_unchanged(rg_store *s, const rg_invoice *was, rg_err *e)
{
    rg_invoice now;
    rg_status rc = rg_store_invoice_get_by_id(s, was->id, &now, e);
    if (rc != RG_OK)
        return rc;
    const char *field = now.status != was->status           ? "status"
                        : now.amount != was->amount           ? "amount"
                        : now.due_date != was->due_date       ? "due_date"
                        : now.customer_id != was->customer_id ? "customer_external_id"
                                                              : NULL;
    if (!field)
        return RG_OK;
    return rg_err_set(e, RG_ECONFLICT, field, "invoice '%s' is %s: only an open invoice's status, amount, due_date "
                      "and customer_external_id can change", was->external_id, rg_invoice_status_name(was->status));
}

rg_status rg_invoice_write_one(const rg_event_env *env, rg_invoice_write mode, const char *external_id,
                               const rg_import_field *fields, size_t n, const rg_import_options *o,
                               rg_import_report *report, rg_err *e)
{
    importer im;
    memset(report, 0, sizeof *report);
    memset(&im, 0, sizeof im);
    rg_store *s = env->store;
    im.env = env;
    im.store = s;
    im.name = "invoice";
    im.report = report;
    im.now = o->now;
    im.zones = o->zones;
    im.cols = invoice_columns;
    im.ncols = I_NCOLS;
    rg_csv_row header, row;
    memset(&header, 0, sizeof header);
    memset(&row, 0, sizeof row);
    header.line = row.line = 1;
    if (n + 2 > RG_CSV_MAX_FIELDS)
        return rg_err_set(e, RG_EINVAL, "body", "more than %d fields", RG_CSV_MAX_FIELDS - 2);
    rg_invoice cur;
    char amount[32], due[16];
    const char *kept[I_NCOLS] = {NULL}; /* UPDATE, CANCEL: what a column not given keeps */
    rg_status rc = rg_store_begin(s, e);
    if (rc != RG_OK)
        return rc;
    rc = rg_store_invoice_get(s, external_id, &cur, e);
    if (rc == RG_OK && mode == RG_INVOICE_CREATE) {
        rc = rg_err_set(e, RG_ECONFLICT, "external_id", "invoice '%s' exists already (PATCH /v1/invoices/%s changes it)",
                        external_id, external_id);
        goto out;
    }
    if (rc == RG_ENOTFOUND && mode != RG_INVOICE_CREATE) {
        rc = rg_err_set(e, RG_ENOTFOUND, "invoice", "no invoice has external id '%s'", external_id);
        goto out;
    }
    if (rc != RG_OK && rc != RG_ENOTFOUND)
        goto out;
    if (mode == RG_INVOICE_CANCEL && cur.status != RG_INV_OPEN) {
        rc = rg_err_set(e, RG_ECONFLICT, "status", "invoice '%s' is %s: only an open invoice can be cancelled",
                        external_id, rg_invoice_status_name(cur.status));
        goto out;
    }
    /* the header: external_id, every required column (empty: "is required"), the fields */
    if (mode != RG_INVOICE_CREATE) {
        kept[I_CUSTOMER] = cur.customer_external_id;
        kept[I_AMOUNT] = rg_money_format_plain(cur.amount, amount, sizeof amount);
        kept[I_DUE] = rg_date_format_iso(cur.due_date, due, sizeof due);
    }
    if (mode == RG_INVOICE_CANCEL)
        kept[I_STATUS] = "cancelled";
    for (size_t c = 0; c < I_NCOLS; c++) {
        const rg_import_field *f = field_of(fields, n, invoice_columns[c].name);
        if (c != I_EXT && !invoice_columns[c].required && !kept[c] && !f)
            continue;
        const char *v = c == I_EXT ? external_id : (f && mode != RG_INVOICE_CANCEL) ? f->value : kept[c];
        header.field[header.n++] = rg_slice_cstr(invoice_columns[c].name);
        row.field[row.n++] = rg_slice_cstr(v ? v : "");
    }
    for (size_t i = 0; i < n; i++) /* a name that is no column: refused by read_header */
        if (!field_of_column(fields[i].column)) {
            header.field[header.n++] = rg_slice_cstr(fields[i].column);
            row.field[row.n++] = rg_slice_cstr(fields[i].value ? fields[i].value : "");
        }
    if (!read_header(&im, &header)) {
        rc = RG_EINVAL;
        goto out;
    }
    /* null: clear the column (a required one stays empty: "is required") */
    for (size_t i = 0; i < n && mode != RG_INVOICE_CANCEL; i++)
        for (size_t c = 0; c < I_NCOLS && !fields[i].value; c++)
            if (!strcmp(invoice_columns[c].name, fields[i].column) && !invoice_columns[c].required)
                im.clear[c] = true;
    im.header_fields = row.n;
    im.row = &row;
    report->rows = 1;
    if ((rc = invoice_row(&im, e)) != RG_OK)
        goto out;
    if (report->text.oom) {
        rc = rg_err_set(e, RG_ENOMEM, "invoice", "out of memory");
        goto out;
    }
    if (im.row_bad) {
        report->invalid = 1;
        rc = rg_err_set(e, RG_EINVAL, "invoice", "%lld problem(s); nothing was written", (long long)report->problems);
        goto out;
    }
    if (mode == RG_INVOICE_UPDATE && cur.status != RG_INV_OPEN && (rc = closed_unchanged(s, &cur, e)) != RG_OK)
        goto out;
    if ((rc = rg_store_commit(s, e)) == RG_OK) {
        report->committed = true;
        report->batches = 1;
        report->kept_rows = 1;
        rg_strset_free(&im.seen);
        rg_strset_free(&im.customer_ids);
        return RG_OK;
    }
out:
    rg_store_rollback(s);
    rg_strset_free(&im.seen);
    rg_strset_free(&im.customer_ids);
    return rc;
}

rg_status rg_import_csv_file(const rg_event_env *env, rg_import_kind kind, const char *path, const rg_import_options *o,
                             rg_import_report *report, rg_err *e)
{
    memset(report, 0, sizeof *report);
    FILE *f = fopen(path, "rb");
    if (!f)
        return rg_err_set(e, RG_EIO, path, "cannot open: %s", strerror(errno));
    rg_buf b = RG_BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rg_buf_append(&b, chunk, n);
    bool err = ferror(f);
    fclose(f);
    if (err || b.oom) {
        rg_buf_free(&b);
        return rg_err_set(e, err ? RG_EIO : RG_ENOMEM, path, "cannot read the file");
    }
    rg_status rc = rg_import_csv_buffer(env, kind, path, rg_buf_cstr(&b), b.len, o, report, e);
    rg_buf_free(&b);
    return rc;
}

/* ---- the report as JSON (the CLI's --json and the API's answer) ---- */

void *rg_import_problems_json(const rg_import_report *r, bool warnings)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < r->n_items; i++) {
        const rg_import_problem *p = &r->items[i];
        if (p->warning != warnings)
            continue;
        char field[64];
        if (p->column)
            snprintf(field, sizeof field, "%zu:%s", p->line, p->column);
        else
            snprintf(field, sizeof field, "%zu", p->line);
        /* the message quotes the file's text, which may not be UTF-8 */
        json_t *one = json_pack("{s:s, s:s#}", "field", field, "message", r->text.p + p->msg_off, (int)p->msg_len);
        if (!one)
            one = json_pack("{s:s, s:s}", "field", field, "message", "a value that is not UTF-8 text");
        if (json_array_append_new(a, one) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

void *rg_import_report_json(rg_import_kind kind, const rg_import_report *r)
{
    return json_pack("{s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "kind", rg_import_kind_name(kind), "imported",
                     r->committed, "rows", (json_int_t)r->rows, "inserted", (json_int_t)r->inserted, "updated",
                     (json_int_t)r->updated, "unchanged", (json_int_t)r->unchanged, "invalid",
                     (json_int_t)r->invalid, "problems", rg_import_problems_json(r, false), "warnings",
                     rg_import_problems_json(r, true));
}
