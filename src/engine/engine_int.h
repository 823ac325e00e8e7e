/*
 * engine_int — what the engine's files share (private to src/engine/):
 * the engine's state and the helpers the send-time re-check
 * (engine/recheck.c) reuses from the tick, so both decide alike.
 */
#ifndef RG_ENGINE_INT_H
#define RG_ENGINE_INT_H

#include "base/tz.h"
#include "base/zones.h"
#include "br/holidays.h"
#include "channel/channel.h"
#include "engine/engine.h"
#include "engine/planner.h"
#include "render/template_file.h"

#define MAX_CHANNELS RG_CONFIG_MAX_CHANNELS

/* When a loaded cadence and each of its steps were first seen (versions). */
typedef struct rg_engine_seen {
    const rg_cadence *cadence;
    rg_instant cadence_seen;
    rg_instant *steps; /* cadence->n_steps, in its order */
} rg_engine_seen;

struct rg_engine {
    rg_store *store;
    const rg_config *config;
    bool dry_run;
    int64_t batch_size;
    rg_cadence_set *cadences;
    rg_template_set *templates;
    rg_calendar *calendar;
    rg_tz_cache *tzs;
    size_t n_channels;
    struct {
        char name[24];
        rg_channel *ch; /* NULL in dry runs */
    } channels[MAX_CHANNELS];
    int64_t replan_limit;
    char fingerprint[65]; /* what the agenda's instants depend on (engine.c, agenda_fingerprint) */
    int64_t max_cap_days;
    bool needs_late_count; /* some cadence matches on late_count_12m_min */
    size_t load_errors;    /* cadence files and templates that did not load */
    rg_engine_seen *seen;  /* one per loaded cadence, once read (eng->cadences order) */
    rg_instant seen_at;    /* the tick instant they were recorded at; RG_INSTANT_NONE: not recorded */
    rg_channel_env chan_env;
    rg_triggers triggers; /* the cadences, calendar and zones above, for the event service */
    rg_zones *zones;      /* for the events the engine records (promise.broken) */
};

/* The index of a configured channel, or -1. */
int rg_engine_channel_index(const rg_engine *eng, const char *name);
/* Whether "email|sms" names channel. */
bool rg_engine_opted_out(const char *optouts, const char *channel);
/* The planner's holds and promises for an invoice on cadence c, from the
 * tick row's texts (rg_tick_row.holds, .promises), with deadlines in zone
 * tz; into in (pointing at the arrays given). */
void rg_engine_plan_holds(const rg_cadence *c, const rg_tz *tz, const char *holds, const char *promises,
                          rg_plan_hold *hv, rg_plan_promise *pv, rg_plan_input *in);

/* The customer's zone: its own, else the cadence's, else the default. */
const rg_tz *rg_engine_zone(rg_engine *eng, const rg_customer *c, const rg_cadence *cad);

/* Rendered content (owned strings; NULL where the channel has none). */
typedef struct rg_engine_content {
    char *subject;
    char *body;
    char *html;
    char *payload; /* approved WhatsApp template: {"wa_template","wa_lang","params"} */
} rg_engine_content;
void rg_engine_content_free(rg_engine_content *c);

/* Renders NAME.CHANNEL for the customer and invoices as the tick would at
 * `now` (amounts, days late and fees in the customer's zone). Fails, with
 * the reason, when the template is missing, broken or leaves a hole. */
rg_status rg_engine_render(rg_engine *eng, const rg_cadence *c, const rg_customer *cust, const rg_invoice *invs,
                           size_t n, const char *template_name, const char *channel, rg_instant now,
                           rg_engine_content *out, rg_err *e);

/* What a trigger's message shows besides the invoices (and their offer,
 * read from the store): the promise it answers (promise.*). */
typedef struct rg_engine_extras {
    bool has_promise;
    rg_date promise_date;
    rg_cents promise_amount;
} rg_engine_extras;
/* rg_engine_render with the extras (NULL: none). */
rg_status rg_engine_render_x(rg_engine *eng, const rg_cadence *c, const rg_customer *cust, const rg_invoice *invs,
                             size_t n, const char *template_name, const char *channel, rg_instant now,
                             const rg_engine_extras *x, rg_engine_content *out, rg_err *e);
/* The first usable channel of a send (position in the order with the
 * customer's preferred channel, index `preferred`, first; -1 when none,
 * with the reasons in reason) and its name in *channel. */
int rg_engine_pick_channel(const rg_engine *eng, const rg_cadence_send *send, int preferred, const rg_customer *c,
                           const char *optouts, char *reason, size_t n, const char **channel);
/* The channels after position pos, "a|b", for the dispatcher's fallback. */
void rg_engine_fallbacks(const rg_cadence_send *send, int preferred, int pos, char *out, size_t n);
/* For a trigger's message (source_kind "trigger"), what it was rendered
 * with besides the invoices and their offer: the promise of the event that
 * set it off; zeroed otherwise. The dispatcher re-renders with it (a
 * fallback channel, a consolidated list). */
void rg_engine_trigger_extras(rg_engine *eng, const rg_message *m, rg_engine_extras *x);
/* Whether the customer's messages that went out in the cadence's cap
 * window (local days, message `exclude` not counted) reach its cap. */
rg_status rg_engine_cap_reached(rg_engine *eng, int64_t exclude, const rg_customer *c, const rg_cadence *cad,
                                const rg_tz *tz, rg_instant now, bool *reached, rg_err *e);
/* Flushes the inline channels, then commits (rolls back when a flush fails). */
rg_status rg_engine_commit(rg_engine *eng, rg_err *e);
/* The trigger phase of a tick (engine/timers.c): fires the waiting timers
 * whose moment has come, each in the customer's window and under the
 * caps, or moves it to when it can fire. */
rg_status rg_engine_fire_timers(rg_engine *eng, rg_instant now, rg_tick_stats *stats, rg_err *e);

/* When c and its steps were first seen (NULL when not read). */
const rg_engine_seen *rg_engine_seen_of(const rg_engine *eng, const rg_cadence *c);
/* Reads (with record: records at now, in its own transaction) when each
 * loaded cadence and step was first seen. */
rg_status rg_engine_load_seen(rg_engine *eng, rg_instant now, bool record, rg_err *e);
/* The planner's input for invoice inv on cadence c: the versions and
 * where the invoice started on c (progress_cadence: the cadence of the
 * stored progress, NULL when none). Sets prog->since when not set. */
void rg_engine_plan_input(const rg_engine *eng, rg_plan_input *in, const rg_cadence *c, const rg_invoice *inv,
                          const rg_customer *cust, rg_progress *prog, const char *progress_cadence, const rg_tz *tz,
                          rg_instant now);

#endif
