/*
 * event — the types of event regua knows (PRODUCT.md §4), from one table
 * (model/event_types.def): their names, whether they concern an invoice
 * or may concern a customer as a whole, and who may report them.
 *
 * Pure data: the recording itself is service/events.h.
 */
#ifndef RG_MODEL_EVENT_H
#define RG_MODEL_EVENT_H

#include <stdbool.h>
#include <stddef.h>

typedef enum rg_event_type {
#define RG_EVENT(id, name, scope, origin, desc) RG_EV_##id,
#include "model/event_types.def"
#undef RG_EVENT
    RG_EV__COUNT
} rg_event_type;

typedef enum rg_event_scope {
    RG_EVS_INVOICE, /* always about one invoice */
    RG_EVS_EITHER   /* about an invoice, or about the customer as a whole */
} rg_event_scope;

typedef enum rg_event_origin {
    RG_EVO_OUTSIDE, /* anyone may report it */
    RG_EVO_REGUA    /* only regua records it */
} rg_event_origin;

/* "payment.received" ... ; NULL for an out-of-range value. */
const char *rg_event_type_name(rg_event_type t);
/* Exact, case-sensitive lookup of s[0..len). */
bool rg_event_type_parse(const char *s, size_t len, rg_event_type *out);
rg_event_scope rg_event_type_scope(rg_event_type t);
rg_event_origin rg_event_type_origin(rg_event_type t);
/* One line saying what happened ("" for an out-of-range value). */
const char *rg_event_type_description(rg_event_type t);

#endif
