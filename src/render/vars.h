/*
 * vars — the variables a message template can use, and their pt-BR text.
 *
 * The table in render/vars.def names every variable with its type and
 * whether it is always present; the compiler checks names against it and
 * the renderer asks this module for a variable's text. rg_render_vars is
 * the typed value the planner fills for one message: start from
 * rg_render_vars_init() / rg_render_invoice_init(), which set every field
 * to "no value" (NULL text, RG_RENDER_NO_MONEY, RG_RENDER_NO_INT,
 * RG_DATE_NONE); an empty or all-blank text is also "no value".
 *
 * Memory: rg_render_vars only borrows. Every string and the invoices array
 * must stay valid while templates render with it; nothing here keeps a
 * pointer after a call returns. Formatting appends to a caller's rg_buf.
 *
 * Formatting: money "R$ 1.234,56" (rg_money_format_brl), dates
 * "dd/mm/aaaa" (rg_date_format_br), CPF "123.456.789-09" and CNPJ
 * "12.345.678/0001-95" (also the alphanumeric CNPJ) from their bare
 * characters, Brazilian E.164 phones "(11) 98765-4321", and
 * customer.first_name derived from customer.name. totals.* are derived
 * from invoices[]; invoice.original_due_date falls back to the due date.
 */
#ifndef RG_RENDER_VARS_H
#define RG_RENDER_VARS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/date.h"
#include "base/money.h"

#define RG_RENDER_NO_MONEY INT64_MIN
#define RG_RENDER_NO_INT INT64_MIN

typedef enum rg_var_id {
#define RG_VAR(id, name, type, need, desc) RG_V_##id,
#include "render/vars.def"
#undef RG_VAR
    RG_V__COUNT
} rg_var_id;

typedef enum rg_var_type {
    RG_VAR_TEXT,
    RG_VAR_MONEY,
    RG_VAR_DATE,
    RG_VAR_INT,
    RG_VAR_LIST
} rg_var_type;

typedef enum rg_var_need {
    RG_VAR_REQUIRED, /* never empty: the planner always fills it */
    RG_VAR_MAY,      /* may be empty: templates guard it with a section */
    RG_VAR_CONFIG,   /* from regua.yaml `company:`; empty when not configured */
    RG_VAR_EMAIL,    /* the customer's e-mail: present on the email channel */
    RG_VAR_PHONE,    /* the customer's phone: present on sms, voice, whatsapp */
    RG_VAR_OFFER,    /* filled when a trigger or step with `offer:` sends the message */
    RG_VAR_PROMISE   /* filled when a trigger on promise.made/broken sends it */
} rg_var_need;

typedef struct rg_var_info {
    rg_var_id id;
    const char *name; /* "invoice.amount" */
    rg_var_type type;
    rg_var_need need;
    const char *description;
} rg_var_info;

typedef struct rg_render_invoice {
    const char *external_id;
    const char *description;
    rg_cents amount;
    rg_cents updated_amount;
    rg_cents fine;
    rg_cents interest;
    rg_date due_date;
    rg_date original_due_date; /* RG_DATE_NONE: same as due_date */
    rg_date effective_due_date; /* RG_DATE_NONE: same as due_date */
    int64_t days_late;
    const char *linha_digitavel;
    const char *pix_code;
    const char *payment_url;
    const char *boleto_url;
    const char *boleto; /* linha digitavel of a boleto payable now (a letter: the one enclosed) */
} rg_render_invoice;

typedef struct rg_render_vars {
    struct {
        const char *name;
        const char *document; /* bare digits (formatted here) or already formatted */
        const char *email;
        const char *phone; /* E.164 or as it should show */
    } customer;
    const rg_render_invoice *invoices; /* n_invoices items; invoice.* is invoices[0] */
    size_t n_invoices;
    const char *portal_url;
    const char *unsubscribe_url;
    const char *message_id;
    struct {
        const char *name;
        const char *cnpj; /* bare or formatted */
        const char *address;
        const char *phone;
        const char *email;
        const char *contact;
    } company;
    struct {
        const char *description;
        rg_date valid_until;
        rg_cents discount;
        rg_cents amount;
    } offer;
    struct {
        rg_date date;
        rg_cents amount;
    } promise;
    struct {
        rg_date listing_date;
    } bureau;
} rg_render_vars;

/* Every field "no value". */
void rg_render_vars_init(rg_render_vars *v);
void rg_render_invoice_init(rg_render_invoice *inv);

/* The variable table, in vars.def order (index == id). */
const rg_var_info *rg_var_table(size_t *n);
const rg_var_info *rg_var_info_of(rg_var_id id);
/* The variable called s[0..len), or NULL. */
const rg_var_info *rg_var_find(const char *s, size_t len);
const char *rg_var_type_name(rg_var_type t); /* "text", "money", ... */
/* "required", "may be empty", "configuration", "e-mail address",
 * "phone", "offer trigger", "promise trigger" (the docs' presence column). */
const char *rg_var_need_name(rg_var_need n);

/* What a sender guarantees when a message is rendered, for
 * rg_var_may_be_empty(): the channel, the company.* values the engine
 * fills from the configuration, and whether offer.* / promise.* are
 * filled (the sending trigger has an offer / reacts to a promise). */
typedef struct rg_var_context {
    const char *channel;      /* NULL: unknown (EMAIL and PHONE may be empty) */
    const rg_render_vars *company; /* only company.* is read; NULL: none configured */
    bool offer;
    bool promise;
} rg_var_context;

/* Whether variable `id` may have no value when a message is sent in
 * context `cx` (its NEED column of vars.def, applied). */
bool rg_var_may_be_empty(rg_var_id id, const rg_var_context *cx);

/* Appends the text of variable `id` to out and returns true; returns false
 * (appending nothing) when it has no value. `cur` is the invoice that
 * invoice.* names (NULL: the first invoice). A list has no text. */
bool rg_var_format(const rg_render_vars *v, const rg_render_invoice *cur, rg_var_id id, rg_buf *out);

/* Whether {{#id}} renders its body: a value that is not empty, not R$ 0,00,
 * not 0; for the list, at least one invoice. */
bool rg_var_truthy(const rg_render_vars *v, const rg_render_invoice *cur, rg_var_id id);

/* Text helpers used by rg_var_format, exposed for tests and callers. */
void rg_render_first_name(const char *name, rg_buf *out);
void rg_render_document(const char *doc, rg_buf *out);
void rg_render_phone(const char *phone, rg_buf *out);

/* A complete, realistic sample (every field filled, three invoices) for
 * lint, previews and tests. Static data, valid for the program's life. */
const rg_render_vars *rg_render_vars_sample(void);

/* The Markdown table of every variable (docs/internals/templates.md holds
 * exactly this text; a unit test checks it). */
void rg_var_doc_table(rg_buf *out);

#endif
