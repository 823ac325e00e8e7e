/*
 * views — what `regua invoice show` and `regua customer show` show, as one
 * model each, read in ONE read transaction (rg_store_begin_read: every part
 * comes from the same committed state, even while a tick or an import
 * writes). The CLI prints a view as text or, through json_views.h, as the
 * one JSON document, which GET /v1/invoices/{id} and /v1/customers/{id}
 * answer too (http/api_read.c).
 *
 * Ownership: a view filled by rg_*_view_get() owns its arrays (and the
 * events' payloads); release it with the matching _free(), which is
 * NULL-safe and safe on a zeroed view. On failure the view is left zeroed.
 */
#ifndef RG_SERVICE_VIEWS_H
#define RG_SERVICE_VIEWS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "config/config.h"
#include "engine/engine.h"
#include "model/event.h"
#include "store/store.h"

/* A trigger timer waiting for the invoice (or its customer as a whole),
 * with the event types that would cancel it (its trigger's `unless` in the
 * loaded cadences; none known without an engine). */
typedef struct rg_view_timer {
    rg_timer timer;
    rg_event_type *unless; /* owned */
    size_t n_unless;
} rg_view_timer;

typedef struct rg_invoice_view {
    rg_invoice invoice;
    rg_customer customer;
    /* the fine as charged: a consumer's (PF) fine is at most 2% (CDC art. 52 §1) */
    int64_t fine_pct_applied; /* hundredths of a percent; < 0: the invoice has no fine of its own */
    bool fine_capped;
    bool has_explain;         /* false without an engine, or when explaining failed */
    rg_invoice_explain explain;
    rg_instant agenda_at;     /* when the tick looks at it again; RG_INSTANT_NONE: nothing planned or not open */
    bool has_bureau;
    rg_bureau_listing bureau;
    rg_payment *payments;
    size_t n_payments;
    rg_promise *promises;
    size_t n_promises;
    rg_hold *holds;
    size_t n_holds;
    rg_offer *offers;
    size_t n_offers;
    rg_event *events; /* each payload owned (NULL for "{}") */
    size_t n_events;
    rg_view_timer *timers;
    size_t n_timers;
} rg_invoice_view;

/* The invoice with the external id `external_id` and everything about it.
 * eng may be NULL (no cadence is explained, no `unless` named); when given
 * it must be open on the same store handle `s` (its reads join the
 * snapshot). `now` is the instant the cadence is explained at.
 * RG_ENOTFOUND (e names the invoice) when there is no such invoice;
 * s is left outside any transaction. */
rg_status rg_invoice_view_get(rg_store *s, rg_engine *eng, const char *external_id, rg_instant now,
                              rg_invoice_view *out, rg_err *e);
void rg_invoice_view_free(rg_invoice_view *v);
/* The same, inside a read transaction the caller holds (several views
 * from one snapshot: the LGPD export); on failure the view is zeroed. */
rg_status rg_invoice_view_read(rg_store *s, rg_engine *eng, const char *external_id, rg_instant now,
                               rg_invoice_view *out, rg_err *e);
/* A dry-run engine on s from `config`, to explain invoices' cadences (as
 * `regua invoice show` opens one): NULL when the cadences do not load at
 * all; *load_errors (may be NULL) is how many files did not load. Closed
 * with rg_engine_close (NULL-safe). */
rg_engine *rg_view_engine_open(rg_store *s, const rg_config *config, size_t *load_errors);
/* A view engine kept across calls on one store handle s (an HTTP
 * connection's): *eng (opened on s, or NULL) is reused while the files it
 * was loaded from are unchanged (*sig, rg_engine_sources_signature), else
 * closed and opened again (opening one costs ~1.7 ms with the example
 * cadences: the YAML and every template parsed). Returns *eng: NULL when
 * the cadences do not load at all. The caller closes *eng with
 * rg_engine_close before s. */
rg_engine *rg_view_engine_reuse(rg_store *s, const rg_config *config, rg_engine **eng, uint64_t *sig);

typedef struct rg_view_optout {
    char *channel; /* owned */
    char *how;     /* owned: the source ("cli", "api", "link", ...) */
    rg_instant at;
} rg_view_optout;

typedef struct rg_view_event {
    rg_event event;      /* payload owned (NULL for "{}") */
    char invoice[RG_EXTID_MAX + 1]; /* the invoice's external id; "" for an event about the customer as a whole */
} rg_view_event;

typedef struct rg_customer_view {
    rg_customer customer;
    rg_view_optout *optouts;
    size_t n_optouts;
    rg_view_event *events; /* newest first: the customer's own and its invoices' */
    size_t n_events;
} rg_customer_view;

/* The customer with the external id `external_id`, its opt-outs and its
 * events. RG_ENOTFOUND when there is no such customer. */
rg_status rg_customer_view_get(rg_store *s, const char *external_id, rg_customer_view *out, rg_err *e);
void rg_customer_view_free(rg_customer_view *v);
/* The same, inside a read transaction the caller holds. */
rg_status rg_customer_view_read(rg_store *s, const char *external_id, rg_customer_view *out, rg_err *e);

#endif
