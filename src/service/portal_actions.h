/*
 * portal_actions — what the debtor does on the self-service portal
 * (PRODUCT.md §5; docs/portal.md): promise a date, accept an offer,
 * contest an invoice, leave or come back to a channel. The portal's forms
 * (src/http/portal_actions.c) only parse and call these.
 *
 * Each function owns its transaction (begin, work, commit; rolled back on
 * any refusal: nothing half-written) and records its event through the
 * event service (service/events.h) with source "portal", so the cadences'
 * triggers answer it as they answer any other. The customer is the one
 * the portal link names (by id); an invoice is named by its external id
 * and must be that customer's (RG_ENOTFOUND, where "invoice", otherwise —
 * the portal does not tell whether another customer's invoice exists).
 * Dates are the customer's local dates (rg_tz_date in its zone).
 */
#ifndef RG_SERVICE_PORTAL_ACTIONS_H
#define RG_SERVICE_PORTAL_ACTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "service/events.h"
#include "service/optouts.h"
#include "service/promises.h"
#include "store/store.h"

/* The longest text a contest's reason may be (bytes of UTF-8). */
#define RG_PORTAL_REASON_MAX 500
/* The most portal.extend_max_days may be. */
#define RG_PORTAL_EXTEND_MAX_DAYS 60

/* "Prometer pagamento": the customer promises to pay the invoice's open
 * balance by `date`, today .. today + max_days (the configuration's
 * portal.promise_max_days, 1..RG_PROMISE_MAX_DAYS). Goes the promise path
 * (rg_promise_make: `promise.made`, source "portal", and what the
 * triggers do with it — a `pause` holds the firm steps). One at a time:
 * while a promise about the invoice (or the customer's whole debt) is
 * pending, another is refused with RG_ECONFLICT (where "promise"); once it
 * is kept, broken or cancelled the customer may promise again. RG_EINVAL
 * (where "date") for a date out of the bound, RG_ECONFLICT for an invoice that is
 * not open. */
rg_status rg_portal_promise(const rg_event_env *env, int64_t customer_id, const char *invoice, rg_date date,
                            int64_t max_days, rg_instant now, rg_promise *out, rg_event_out *event, rg_err *e);

/* What the portal page shows about an open invoice's forms (reads only). */
typedef struct rg_portal_invoice_state {
    rg_date promised;    /* the earliest date of a pending promise (the invoice's or about the
                          * whole debt); RG_DATE_NONE: none — then "Prometer pagamento" is offered */
    bool offer_accepted; /* the offer valid at `now` was accepted: "Aceitar oferta" is not offered again */
} rg_portal_invoice_state;
rg_status rg_portal_invoice_state_get(rg_store *s, const rg_invoice *inv, rg_instant now,
                                     rg_portal_invoice_state *out, rg_err *e);

typedef struct rg_portal_offer_result {
    rg_offer offer;   /* the offer accepted */
    bool changed;     /* false: it had been accepted before (nothing recorded again) */
    int64_t event_id; /* the `offer.accepted` event (the first one when !changed) */
} rg_portal_offer_result;

/* "Aceitar oferta": the customer accepts the invoice's offer valid now
 * (service/holds.h) — records `offer.accepted` {"offer_id", "valid_until"}
 * once per offer (accepting it again changes nothing). RG_ECONFLICT (where
 * "offer") when the invoice has no valid offer (none made, expired,
 * settled) or is not open. */
rg_status rg_portal_offer_accept(const rg_event_env *env, int64_t customer_id, const char *invoice, rg_instant now,
                                 rg_portal_offer_result *out, rg_err *e);

typedef struct rg_portal_dispute_result {
    bool changed;     /* false: the invoice was already contested (a dispute holds it): nothing recorded */
    int64_t event_id; /* the `dispute.opened` event; 0 when !changed */
    int64_t task_id;  /* the operator's review task; 0 when !changed */
} rg_portal_dispute_result;

/* "Contestar cobrança": records `dispute.opened` {"reason"} — which holds
 * every step, trigger message, task and bureau action of the invoice
 * until `dispute.resolved` (service/holds.h) — and an operator task of
 * kind "dispute" (source "portal", due now, its text the customer's
 * reason) to review it; that task is not held by the dispute it reviews.
 * RG_EINVAL (where "reason") for an empty reason, one longer than
 * RG_PORTAL_REASON_MAX bytes, not UTF-8 or with control characters other
 * than line breaks and tabs; RG_ECONFLICT for an invoice that is not open. */
rg_status rg_portal_dispute(const rg_event_env *env, int64_t customer_id, const char *invoice, const char *reason,
                            rg_instant now, rg_portal_dispute_result *out, rg_err *e);

typedef struct rg_portal_extend_result {
    rg_date from, to;           /* the due date before and after */
    rg_cents amount;            /* the new boleto's and PIX's amount: the open balance */
    char linha_digitavel[48];   /* the reissued boleto ("" when the invoice has none) */
    char pix_code[RG_PIX_MAX + 1]; /* the reissued PIX ("" when none, or a dynamic one kept as it was) */
    int64_t event_id;           /* the `invoice.extended` event */
} rg_portal_extend_result;

/* "Prorrogar vencimento" (seed 002): moves the open invoice's due date to
 * `date`, once per invoice, at most max_days (the configuration's
 * portal.extend_max_days, 1..RG_PORTAL_EXTEND_MAX_DAYS) after the due date
 * it has: later than that due date and not before today. The invoice's
 * due date becomes `date` for everything — the cadence's steps (D+N count
 * from it), fine and interest (from its effective due date: those of the
 * days before are not charged) — and its boleto and PIX are reissued for
 * the open balance due on `date` (the same campo livre, PIX key and txid;
 * a dynamic PIX is kept as it is). Records `invoice.extended` {"from",
 * "to", "amount"}; the reissue history keeps the row. RG_EINVAL (where
 * "date") for a date out of the bound, (where "invoice") for a boleto
 * that cannot be decoded; RG_ECONFLICT (where "invoice") for an invoice
 * that is not open or was extended before. */
rg_status rg_portal_extend(const rg_event_env *env, int64_t customer_id, const char *invoice, rg_date date,
                           int64_t max_days, rg_instant now, rg_portal_extend_result *out, rg_err *e);

/* "Como prefere ser avisado": opts the customer out of `channel`
 * (opt_out true) or back into it (false), in the opt-out ledger with
 * source "portal" (rg_optout_add / rg_optout_remove: `optout` or
 * `optout.revoked`, its invoices planned again). Coming back to a channel
 * the customer had not left changes nothing (out->changed false), as
 * leaving one it had left. RG_EINVAL (where "channel") for a bad name. */
rg_status rg_portal_channel(const rg_event_env *env, int64_t customer_id, const char *channel, bool opt_out,
                            rg_instant now, rg_optout_result *out, rg_err *e);

/* "Como prefere ser avisado": the customer's preferred channel —
 * email, whatsapp, sms, voice or letter, or "" for none — the one the
 * engine tries first when a step lists it (docs/engine.md, "Channels"),
 * as the import's preferred_channel column sets it (a later customer
 * import with that column replaces it). Its invoices are planned again.
 * *changed false when it was that already. RG_EINVAL (where "channel")
 * for another name. */
rg_status rg_portal_preferred(const rg_event_env *env, int64_t customer_id, const char *channel, rg_instant now,
                              bool *changed, rg_err *e);

#endif
