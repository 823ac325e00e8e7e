/*
 * progress — where an invoice stands in its cadence: for each step already
 * handled, whether it was done or skipped (and why), and when.
 *
 * It is stored as one short text per invoice ("@1794000000;lembrete=X;vespera=S@1795000000":
 * the instant the invoice started on the cadence, then its steps — a done
 * step keeps its instant, a skipped one only its state), so a tick reads it with the invoice and writes it
 * back in a single row — the planner's whole history of that invoice.
 * Steps are identified by their `id`, so editing a cadence never re-sends
 * what was done. rg_progress is plain data.
 */
#ifndef RG_PROGRESS_H
#define RG_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/date.h"

#define RG_PROGRESS_MAX 48
#define RG_STEP_ID_MAX 63

typedef enum rg_step_state {
    RG_STEP_DONE = 'S',          /* fired: its message went in (sent or queued) or its action was done */
    RG_STEP_SUPERSEDED = 'X',    /* a later step became due first, or the invoice left its phase */
    RG_STEP_NO_NOTICE = 'N',     /* a bureau listing whose notice was never sent */
    RG_STEP_SUPPRESSED = 'Z',    /* fired, but no channel could carry it */
    RG_STEP_ADDED_AFTER = 'A',   /* added to the cadence after the invoice had passed its offset */
    RG_STEP_NOT_BY_LETTER = 'L', /* a consumer's listing whose notice did not go by letter */
    RG_STEP_NO_PHONE = 'P'       /* a call task for a customer with no phone to call */
} rg_step_state;

typedef struct rg_progress_item {
    char step_id[RG_STEP_ID_MAX + 1];
    char state; /* rg_step_state */
    rg_instant at; /* when it was done; RG_INSTANT_NONE for a skipped step read back */
} rg_progress_item;

typedef struct rg_progress {
    rg_instant since; /* the invoice on this cadence since; RG_INSTANT_NONE when not recorded */
    size_t n;
    rg_progress_item items[RG_PROGRESS_MAX];
} rg_progress;

/* Parses the stored text; unknown or malformed items are dropped (the
 * text is written only by rg_progress_format). NULL text = empty. */
void rg_progress_parse(const char *text, rg_progress *out);
void rg_progress_format(const rg_progress *p, rg_buf *out);

/* Copies only the items in use (an rg_progress is mostly empty room). */
void rg_progress_copy(rg_progress *dst, const rg_progress *src);
const rg_progress_item *rg_progress_find(const rg_progress *p, const char *step_id);
/* Adds or replaces; false when full. */
bool rg_progress_set(rg_progress *p, const char *step_id, char state, rg_instant at);
/* Forgets a step (pending again); false when it was not there. */
bool rg_progress_unset(rg_progress *p, const char *step_id);
const char *rg_step_state_reason(char state); /* "done", "superseded", ... */
/* The state in words for people ("skipped: added after the invoice passed it"). */
const char *rg_step_state_text(char state);

#endif
