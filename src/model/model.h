/*
 * model — the core objects of PRODUCT.md §1 as plain C values.
 *
 * Text fields are fixed-size, NUL-terminated arrays with the limits below
 * (the importer and API reject longer input with a clear error), so a value
 * can be copied, reused across rows of a stream and dropped without frees.
 * Money is rg_cents, civil dates rg_date, instants rg_instant (UTC).
 * Ids: `id` is the store's internal integer; `external_id` is the ERP's.
 */
#ifndef RG_MODEL_H
#define RG_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/date.h"
#include "base/money.h"

#define RG_EXTID_MAX 64
#define RG_NAME_MAX 160
#define RG_EMAIL_MAX 254
#define RG_PHONE_MAX 20
#define RG_TAGS_MAX 256
#define RG_TZNAME_MAX 48
#define RG_CHANNEL_MAX 24
#define RG_DOC_MAX 20
#define RG_DESC_MAX 200
#define RG_URL_MAX 512
#define RG_PIX_MAX 512
#define RG_REF_MAX 160

/* A customer's kind comes from its document; a customer without one is
 * RG_KIND_UNKNOWN. In a cadence's `match`, the same zero value means "any". */
typedef enum { RG_KIND_UNKNOWN = 0, RG_KIND_PF, RG_KIND_PJ } rg_customer_kind;
#define RG_KIND_ANY RG_KIND_UNKNOWN

typedef struct rg_address {
    char street[128];
    char number[16];
    char complement[64];
    char district[64];
    char city[64];
    char state[3];
    char zip[10]; /* 8 digits */
} rg_address;

typedef struct rg_customer {
    int64_t id;
    char external_id[RG_EXTID_MAX + 1];
    char name[RG_NAME_MAX + 1];
    char document[RG_DOC_MAX + 1]; /* normalised: digits (and letters for an alphanumeric CNPJ) */
    rg_customer_kind kind;         /* derived from the document */
    char email[RG_EMAIL_MAX + 1];
    char phone[RG_PHONE_MAX + 1];    /* E.164 */
    char whatsapp[RG_PHONE_MAX + 1]; /* E.164 */
    char preferred_channel[RG_CHANNEL_MAX + 1];
    char timezone[RG_TZNAME_MAX + 1]; /* IANA; "" means the default */
    char tags[RG_TAGS_MAX + 1];       /* "a|b|c", sorted, no duplicates */
    rg_address address;
    rg_instant created_at;
    rg_instant updated_at;
} rg_customer;

typedef enum {
    RG_INV_OPEN = 0,
    RG_INV_PAID,
    RG_INV_CANCELLED,
    RG_INV_RENEGOTIATED,
    RG_INV_WRITTEN_OFF
} rg_invoice_status;

typedef struct rg_invoice {
    int64_t id;
    char external_id[RG_EXTID_MAX + 1];
    int64_t customer_id;
    char customer_external_id[RG_EXTID_MAX + 1];
    char description[RG_DESC_MAX + 1];
    rg_cents amount;      /* face value */
    rg_cents paid;        /* sum of recorded payments */
    rg_date issue_date;   /* RG_DATE_NONE when unknown */
    rg_date due_date;     /* nominal due date, as issued */
    rg_invoice_status status;
    char boleto_bank[4];
    char nosso_numero[32];
    char barcode[45];
    char linha_digitavel[48];
    char pix_code[RG_PIX_MAX + 1];
    char payment_url[RG_URL_MAX + 1];
    int64_t fine_pct;           /* hundredths of a percent; -1: the cadence's */
    int64_t interest_month_pct; /* hundredths of a percent; -1: the cadence's */
    char tags[RG_TAGS_MAX + 1];
    char cadence_override[64]; /* "" unless switched by an action */
    rg_date reissued_due_date; /* RG_DATE_NONE unless reissued */
    rg_cents reissued_amount;  /* updated amount carried by the reissue */
    rg_date paid_on;           /* local date it became paid; RG_DATE_NONE */
    rg_instant created_at;
    rg_instant updated_at;
} rg_invoice;

typedef enum {
    RG_PAY_API = 0,
    RG_PAY_CSV,
    RG_PAY_CNAB,
    RG_PAY_PIX,
    RG_PAY_MANUAL
} rg_payment_source;

typedef struct rg_payment {
    int64_t id;
    int64_t invoice_id;
    char invoice_external_id[RG_EXTID_MAX + 1];
    rg_cents amount;
    rg_instant paid_at;
    char method[24];
    rg_payment_source source;
    char reference[RG_REF_MAX + 1];
    rg_instant created_at;
} rg_payment;

typedef enum {
    RG_MSG_PLANNED = 0,
    RG_MSG_QUEUED,
    RG_MSG_SENDING,
    RG_MSG_SENT,
    RG_MSG_DELIVERED,
    RG_MSG_READ,
    RG_MSG_FAILED,
    RG_MSG_CANCELLED,
    RG_MSG_SUPPRESSED,
    RG_MSG_UNCERTAIN /* may have reached the provider: an operator reviews it (on_uncertain: review) */
} rg_message_status;

/* One touchpoint. The rendered texts are borrowed pointers (owned by
 * whoever built the value, or by the store row during a callback). */
typedef struct rg_message {
    int64_t id;
    char idempotency_key[192];
    int64_t customer_id;
    char customer_external_id[RG_EXTID_MAX + 1];
    int64_t invoice_id; /* the (first) invoice; all of them in invoice_external_ids */
    char invoice_external_ids[512]; /* "F1|F2" (read side) */
    char cadence[64];
    char cadence_version[17];
    char source_kind[8]; /* "step", "trigger", "manual" */
    char source_id[64];  /* the step or trigger id */
    char channel[RG_CHANNEL_MAX + 1];
    char fallbacks[128]; /* channels still to try, "sms|email" */
    char template_name[64];
    const char *subject;
    const char *body;
    const char *html;
    const char *payload; /* JSON with channel-specific parts (WhatsApp template name, language, parameters) */
    rg_message_status status;
    char reason[256];
    int attempts;
    char provider_id[128];
    rg_instant planned_for;
    rg_instant sent_at; /* 0: not sent */
    rg_cents cost;      /* the channel's cost_per_message, once sent (0 before) */
    rg_instant created_at;
    rg_instant updated_at;
} rg_message;

typedef struct rg_task {
    int64_t id;
    char kind[32]; /* "call", "review", ... */
    int64_t customer_id;
    int64_t invoice_id; /* 0: none */
    char source[96];    /* "step:mensal-pf/ligar" */
    char assignee[64];
    rg_instant due_at;
    char status[12]; /* open, claimed, done, cancelled */
    char outcome[64];
    char note[512];
    rg_instant created_at;
} rg_task;

/* A reissued bill (segunda via): the updated amount and new instruments. */
typedef struct rg_reissue {
    rg_date old_due_date;
    rg_date new_due_date;
    rg_cents principal; /* the open balance it was computed on */
    rg_cents fine;
    rg_cents interest;
    rg_cents updated_amount;
    char barcode[45];
    char linha_digitavel[48];
    char pix_code[RG_PIX_MAX + 1];
} rg_reissue;

const char *rg_message_status_name(rg_message_status s);
bool rg_message_status_parse(const char *s, rg_message_status *out);

const char *rg_customer_kind_name(rg_customer_kind k); /* "PF", "PJ", "" */
const char *rg_invoice_status_name(rg_invoice_status s);
/* The status as pages show it (pt-BR): em aberto, paga, cancelada, renegociada, baixada. */
const char *rg_invoice_status_label_pt(rg_invoice_status s);
bool rg_invoice_status_parse(const char *s, rg_invoice_status *out);
const char *rg_payment_source_name(rg_payment_source s);
bool rg_payment_source_parse(const char *s, rg_payment_source *out);

/* The open balance: face value minus payments, never below zero. */
rg_cents rg_invoice_balance(const rg_invoice *inv);
/* What was paid beyond the face value (a credit of the customer), 0 when none. */
rg_cents rg_invoice_credit(const rg_invoice *inv);

/* Zeroes a value and sets its "none" markers (dates, overrides). */
void rg_customer_init(rg_customer *c);
void rg_invoice_init(rg_invoice *inv);
void rg_payment_init(rg_payment *p);

#endif
