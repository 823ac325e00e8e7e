/*
 * cadence — a régua de cobrança file (YAML, or the same structure as JSON)
 * turned into a typed, owned struct; and the `match` rules that decide which
 * cadence an invoice follows.
 *
 * rg_cadence_parse() is pure (no I/O, no clock): text in, struct and
 * diagnostics out. It checks the shape of the file (syntax, unknown keys,
 * types, values such as `at: D+3`, windows and durations); the rules that
 * need the whole cadence or outside knowledge (templates, channels, the law)
 * are in cadence/lint.h, and cadence/load.h reads files and directories.
 * The interface is the example in PRODUCT.md §2; every key is described for
 * users in docs/cadences.md.
 *
 * Ownership: an rg_cadence and everything it points to is owned by the
 * caller of rg_cadence_parse()/rg_cadence_load() and released with
 * rg_cadence_free() (NULL-safe). Every `int ...line` field is the 1-based
 * line of that element in the source file (0 when absent), kept so that
 * lint can point at it.
 */
#ifndef RG_CADENCE_H
#define RG_CADENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/money.h"
#include "cadence/diag.h"
#include "cadence/window.h"
#include "model/event.h"
#include "model/model.h"

/* rg_customer_kind comes from model/model.h; in a match RG_KIND_ANY (== RG_KIND_UNKNOWN) means either. */

/* An owned list of strings, each with the line it was written on. */
typedef struct rg_strlist {
    char **v;
    int *line;
    size_t n;
} rg_strlist;

typedef struct rg_cadence_match {
    bool present;             /* false: no `match:` key; never chosen by rg_cadence_choose */
    int64_t priority;         /* higher wins; default 0 */
    rg_customer_kind customer_kind; /* RG_KIND_ANY when absent */
    rg_strlist tags_any;      /* empty: no condition */
    rg_strlist tags_all;      /* empty: no condition */
    bool has_min_amount;
    rg_cents min_amount;      /* inclusive */
    bool has_max_amount;
    rg_cents max_amount;      /* inclusive */
    int64_t late_count_12m_min; /* 0: no condition */
    int line;
    int customer_kind_line;
} rg_cadence_match;

typedef struct rg_cadence_caps {
    int64_t max;  /* messages per customer, all channels and invoices; 0 = no cap */
    int64_t days; /* in a rolling window of this many days */
    int line;
} rg_cadence_caps;

typedef struct rg_cadence_fees {
    int64_t fine_pct;           /* hundredths of a percent (2.00% = 200); 0 when absent */
    bool interest_stated;       /* false: the legal default applies (Selic − IPCA,
                                   Lei 14.905/2024; CC art. 406) */
    int64_t interest_month_pct; /* hundredths of a percent a month; 0 when not stated */
    int line;
    int fine_line;
    int interest_line;
} rg_cadence_fees;

typedef struct rg_cadence_send {
    bool present;
    rg_strlist channels; /* in the order they are tried */
    char *template_name; /* NULL when the key is missing (a lint error) */
    int template_line;
    int line;
} rg_cadence_send;

typedef enum rg_step_action {
    RG_ACTION_SEND = 0,      /* `action` absent or `send`: only the send block */
    RG_ACTION_REISSUE,       /* new boleto/PIX with the updated amount (+ send) */
    RG_ACTION_TASK,          /* a task for a person */
    RG_ACTION_BUREAU_LISTING /* negativação */
} rg_step_action;

/* "send", "reissue", "task", "bureau_listing". */
const char *rg_step_action_name(rg_step_action a);

typedef struct rg_cadence_offer {
    bool present;
    bool waive_interest;
    bool waive_fine;
    int64_t discount_pct; /* hundredths of a percent off the amount; 0 = none */
    int64_t valid_days;   /* default 3 */
    int line;
} rg_cadence_offer;

typedef struct rg_cadence_step {
    char *id;
    int line;
    int at_days; /* calendar days from the due date: D-5 = -5, D0 = 0, D+3 = 3 */
    int at_line; /* 0 when `at` is missing or malformed (then at_days is 0) */
    rg_step_action action;
    int action_line;
    rg_cadence_send send;
    int64_t reissue_due_in_business_days; /* RG_ACTION_REISSUE: default 3 */
    char *task_kind;                      /* RG_ACTION_TASK: e.g. "call" */
    char *requires_notice;                /* RG_ACTION_BUREAU_LISTING: the notice step's id */
    int requires_notice_line;
    rg_cadence_offer offer; /* an offer the step makes when it fires (with a message) */
} rg_cadence_step;


typedef struct rg_cadence_trigger {
    char *id;
    int line;
    rg_event_type on;
    int on_line;
    int64_t wait_seconds; /* 0: act at once */
    int wait_line;        /* 0 when `wait` is absent */
    rg_event_type *unless; /* cancel if any of these happened during the wait */
    int *unless_line;
    size_t n_unless;
    rg_cadence_send send;
    rg_cadence_offer offer;
    rg_strlist pause;  /* step ids */
    rg_strlist resume; /* step ids */
    int64_t pause_grace_days;
    char *switch_cadence; /* NULL when absent */
    int switch_cadence_line;
    char *task_kind; /* NULL when absent */
    int task_line;
    char *webhook; /* the name of a webhook of regua.yaml `webhooks:`; NULL when absent */
    int webhook_line;
    rg_strlist postpone;   /* `postpone: {steps: [...], days: N}`: step ids held for postpone_days */
    int64_t postpone_days; /* 1..365 */
    int postpone_line;
} rg_cadence_trigger;

/* `portal: {agreements: {...}}`: this cadence's installment-agreement terms
 * (docs/agreements.md), each key stated overriding regua.yaml's
 * portal.agreements for invoices on this cadence. Index by
 * RG_CADENCE_AG_*; percentages in hundredths, money in centavos. */
enum {
    RG_CADENCE_AG_MAX_INSTALLMENTS, RG_CADENCE_AG_MIN_INSTALLMENT, RG_CADENCE_AG_DOWN_PAYMENT_PCT,
    RG_CADENCE_AG_INTEREST_MONTH_PCT, RG_CADENCE_AG_DOWN_PAYMENT_DAYS, RG_CADENCE_AG_BREAK_AFTER_DAYS,
    RG_CADENCE_AG__COUNT
};
typedef struct rg_cadence_agreements {
    bool has[RG_CADENCE_AG__COUNT];
    int64_t v[RG_CADENCE_AG__COUNT];
    int line;
} rg_cadence_agreements;

typedef struct rg_cadence {
    char *name; /* `cadence:` */
    int name_line;
    char *file;         /* as given to the parser, for diagnostics */
    char version[17];   /* 16 hex chars of a BLAKE2b hash of the normalized
                           document: equal for equal content, whatever the
                           comments, spacing, key order or YAML/JSON form */
    rg_cadence_match match;
    char *timezone;     /* IANA name; "" when the file states none: the company's zone */
    int timezone_line;
    rg_window window;   /* default RG_WINDOW_DEFAULT, key by key */
    int window_line;
    int window_day_line[3]; /* weekdays, saturday, sunday */
    int holidays_line;
    rg_cadence_caps caps;
    rg_cadence_fees fees;
    bool consolidate; /* default false */
    /* `allow_contact_outside_hours`: why this cadence may contact customers
     * outside 08:00-20:00 or on Sunday (one line, at most
     * RG_CADENCE_REASON_MAX bytes); NULL when absent, and then lint refuses
     * such a window. Part of the document, hence of `version`. */
    char *allow_contact_outside_hours;
    int allow_outside_line;
    rg_cadence_agreements agreements; /* `portal.agreements` */
    rg_cadence_step *steps; /* in file order */
    size_t n_steps;
    rg_cadence_trigger *triggers; /* in file order */
    size_t n_triggers;
} rg_cadence;

typedef enum rg_cadence_format {
    RG_CADENCE_YAML = 0, /* YAML 1.2; a JSON document is valid YAML too */
    RG_CADENCE_JSON      /* strict JSON (what the API receives) */
} rg_cadence_format;

/* Longest `allow_contact_outside_hours` reason, in bytes. */
#define RG_CADENCE_REASON_MAX 300

/* Largest accepted input; a cadence is a page of text. */
#define RG_CADENCE_MAX_BYTES (1024 * 1024)

/*
 * Parses text[0..len) (named `file` in diagnostics) into *out, appending
 * every problem to `diags` (rule ids: syntax, unsupported, unknown-key,
 * bad-type, bad-value, missing-key, missing-template, bad-offset,
 * bad-window, unknown-event, action-mismatch, empty-trigger).
 *
 * Best effort, for lint: as long as the text is a YAML/JSON mapping, *out
 * receives a cadence even when diagnostics contain errors, with bad values
 * left at their defaults, so that lint can report everything at once. Never
 * run such a cadence: rg_cadence_load() (lint.h) only returns clean ones.
 * Returns RG_OK when a struct was produced, RG_EINVAL (with *out NULL and
 * at least one error diagnostic) when the text cannot be read as a
 * mapping (syntax, encoding, size, several documents, anchors, aliases or
 * tags), RG_ENOMEM when memory ran out. `diags` may be NULL.
 */
rg_status rg_cadence_parse(const char *text, size_t len, const char *file, rg_cadence_format fmt,
                           rg_diags *diags, rg_cadence **out);

void rg_cadence_free(rg_cadence *c);

/* Index of the step named `id`, or -1. */
int rg_cadence_step_index(const rg_cadence *c, const char *id);

/* Who an invoice is: the facts `match` looks at. Borrowed strings. */
typedef struct rg_match_subject {
    rg_customer_kind kind;   /* RG_KIND_PF or RG_KIND_PJ */
    const char *const *tags; /* customer and invoice tags together */
    size_t n_tags;
    rg_cents amount;         /* the invoice amount */
    int64_t late_count_12m;  /* invoices paid late in the last 12 months */
} rg_match_subject;

/* The tags `match` looks at: the customer's "a|b" and the invoice's "c|d"
 * together, split into out[0..max) (pointers into buf, which receives a
 * copy). Returns the count. */
size_t rg_match_tags(const char *customer_tags, const char *invoice_tags, char *buf, size_t bufn, const char **out,
                     size_t max);

/*
 * True when every condition of c->match holds for s: kind equal (unless
 * the match says any), at least one of tags_any present, all of tags_all
 * present (tags compare ASCII case-insensitively), min_amount <= amount <=
 * max_amount, late_count_12m >= late_count_12m_min. A cadence without a
 * `match` key never matches; `match: {}` matches everything.
 */
bool rg_cadence_matches(const rg_cadence *c, const rg_match_subject *s);

/*
 * The cadence the subject follows: among those that match, the highest
 * priority; equal priorities are broken by the smaller name (byte order,
 * strcmp), so the choice never depends on file or load order. NULL when
 * none matches (the invoice follows no cadence). NULL entries are skipped.
 */
const rg_cadence *rg_cadence_choose(const rg_cadence *const *cadences, size_t n,
                                    const rg_match_subject *s);

#endif
