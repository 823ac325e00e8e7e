/*
 * lint — the cadence rules. One static function per group of rules; each
 * rule id is a string literal here and a section of docs/cadences.md.
 */
#include "cadence/lint.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/money.h"

/* A bureau listing needs its notice at least this many days before. */
#define NOTICE_MIN_DAYS 10
/* CDC art. 52 §1: fine at most 2% for consumers (hundredths of a percent). */
#define CDC_MAX_FINE 200
/* The window rules: no contact before 08:00 or after 20:00 (minutes). */
#define WINDOW_EARLIEST 480
#define WINDOW_LATEST 1200

static const char *const builtin_channels[] = {"email", "whatsapp", "sms", "voice", "letter"};

bool rg_channel_builtin(const char *channel)
{
    if (!channel)
        return false;
    for (size_t i = 0; i < sizeof builtin_channels / sizeof builtin_channels[0]; i++)
        if (strcmp(builtin_channels[i], channel) == 0)
            return true;
    return false;
}

/* One template and channel of the cadence, with where it is first used
 * and what every one of its senders fills. */
typedef struct tuse {
    const char *tpl, *ch;
    int line;
    bool offer, promise;
} tuse;

typedef struct lctx {
    const rg_cadence *c;
    const rg_lint_env *env;
    rg_diags *d;
    const char *file;
    tuse *uses;
    size_t n_uses;
} lctx;

static const char *name_or(const char *s)
{
    return s ? s : "?";
}

/* Can this cadence reach consumers (PF)? Everything but `customer_kind: PJ`. */
static bool can_match_pf(const rg_cadence *c)
{
    return c->match.customer_kind != RG_KIND_PJ;
}

static void offset_text(int days, char *b, size_t n)
{
    if (days == 0)
        snprintf(b, n, "D0");
    else
        snprintf(b, n, "D%+d", days);
}

/* ---- steps and triggers: ids and references ------------------------- */

static void lint_steps(lctx *l)
{
    const rg_cadence *c = l->c;
    for (size_t i = 0; i < c->n_steps; i++) {
        const rg_cadence_step *s = &c->steps[i];
        for (size_t j = 0; s->id && j < i; j++) {
            if (c->steps[j].id && strcmp(c->steps[j].id, s->id) == 0) {
                rg_diags_add(l->d, RG_SEV_ERROR, l->file, s->line, 0, "duplicate-step",
                             "step id `%s` is already used by the step at line %d; every step "
                             "needs its own id",
                             s->id, c->steps[j].line);
                break;
            }
        }
        for (size_t j = 0; s->at_line && j < i; j++) {
            const rg_cadence_step *o = &c->steps[j];
            if (o->at_line && o->at_days == s->at_days) {
                char b[16];
                offset_text(s->at_days, b, sizeof b);
                rg_diags_add(l->d, RG_SEV_ERROR, l->file, s->at_line, 0, "overlapping-steps",
                             "steps `%s` (line %d) and `%s` both run at %s; give each day one "
                             "step (a step may send on several channels)",
                             name_or(o->id), o->line, name_or(s->id), b);
                break;
            }
        }
    }
}

static void check_step_ref(lctx *l, const char *ref, int line, const char *what)
{
    if (ref && rg_cadence_step_index(l->c, ref) < 0)
        rg_diags_add(l->d, RG_SEV_ERROR, l->file, line, 0, "unknown-step-ref",
                     "%s names step `%s`, which this cadence does not have", what, ref);
}

static void lint_triggers(lctx *l)
{
    const rg_cadence *c = l->c;
    for (size_t i = 0; i < c->n_triggers; i++) {
        const rg_cadence_trigger *t = &c->triggers[i];
        if (t->id) {
            int si = rg_cadence_step_index(c, t->id);
            bool dup = false;
            for (size_t j = 0; j < i && !dup; j++) {
                if (c->triggers[j].id && strcmp(c->triggers[j].id, t->id) == 0) {
                    rg_diags_add(l->d, RG_SEV_ERROR, l->file, t->line, 0, "duplicate-trigger",
                                 "trigger id `%s` is already used by the trigger at line %d",
                                 t->id, c->triggers[j].line);
                    dup = true;
                }
            }
            if (!dup && si >= 0)
                rg_diags_add(l->d, RG_SEV_ERROR, l->file, t->line, 0, "duplicate-trigger",
                             "trigger id `%s` is already used by the step at line %d; messages "
                             "record the step or trigger that made them, so ids must differ",
                             t->id, c->steps[si].line);
        }
        char what[96];
        snprintf(what, sizeof what, "trigger `%s`: `pause`", name_or(t->id));
        for (size_t k = 0; k < t->pause.n; k++)
            check_step_ref(l, t->pause.v[k], t->pause.line[k], what);
        snprintf(what, sizeof what, "trigger `%s`: `resume`", name_or(t->id));
        for (size_t k = 0; k < t->resume.n; k++)
            check_step_ref(l, t->resume.v[k], t->resume.line[k], what);
        snprintf(what, sizeof what, "trigger `%s`: `postpone`", name_or(t->id));
        for (size_t k = 0; k < t->postpone.n; k++)
            check_step_ref(l, t->postpone.v[k], t->postpone.line[k], what);
        if (t->n_unless && t->wait_seconds == 0 && !t->wait_line)
            rg_diags_add(l->d, RG_SEV_WARNING, l->file, t->unless_line[0], 0,
                         "unless-without-wait",
                         "trigger `%s` has `unless` but no `wait`: the conditions are checked "
                         "when the wait ends, so with no wait they never stop it",
                         name_or(t->id));
        if (t->webhook && l->env && l->env->webhook_known && !l->env->webhook_known(l->env->ctx, t->webhook))
            rg_diags_add(l->d, RG_SEV_ERROR, l->file, t->webhook_line, 0, "unknown-webhook",
                         "trigger `%s`: `webhook: %s` names no webhook of regua.yaml `webhooks:`",
                         name_or(t->id), t->webhook);
        if (t->switch_cadence && c->name && strcmp(t->switch_cadence, c->name) == 0)
            rg_diags_add(l->d, RG_SEV_ERROR, l->file, t->switch_cadence_line, 0, "bad-value",
                         "trigger `%s` switches to its own cadence `%s`", name_or(t->id),
                         c->name);
    }
}

/* ---- bureau listing (negativação) ------------------------------------- */

static bool has_channel(const rg_cadence_send *s, const char *ch)
{
    for (size_t i = 0; i < s->channels.n; i++)
        if (strcmp(s->channels.v[i], ch) == 0)
            return true;
    return false;
}

static bool first_channel_is(const rg_cadence_send *s, const char *ch)
{
    return s->channels.n > 0 && strcmp(s->channels.v[0], ch) == 0;
}

static void lint_bureau(lctx *l)
{
    const rg_cadence *c = l->c;
    for (size_t i = 0; i < c->n_steps; i++) {
        const rg_cadence_step *b = &c->steps[i];
        if (b->action != RG_ACTION_BUREAU_LISTING)
            continue;
        if (!b->requires_notice) {
            rg_diags_add(l->d, RG_SEV_ERROR, l->file, b->line, 0, "bureau-without-notice",
                         "step `%s` lists the customer with a credit bureau but names no notice: "
                         "add `requires_notice: STEP` pointing to a step that sends a notice at "
                         "least %d days earlier (CDC art. 43 §2)",
                         name_or(b->id), NOTICE_MIN_DAYS);
            continue;
        }
        int ni = rg_cadence_step_index(c, b->requires_notice);
        if (ni < 0) {
            char what[96];
            snprintf(what, sizeof what, "step `%s`: `requires_notice`", name_or(b->id));
            check_step_ref(l, b->requires_notice, b->requires_notice_line, what);
            continue;
        }
        const rg_cadence_step *n = &c->steps[ni];
        if (!n->send.present || n->action == RG_ACTION_TASK ||
            n->action == RG_ACTION_BUREAU_LISTING) {
            rg_diags_add(l->d, RG_SEV_ERROR, l->file, b->requires_notice_line, 0,
                         "bureau-without-notice",
                         "step `%s`: the notice step `%s` sends no message; the notice must be "
                         "sent to the customer (CDC art. 43 §2)",
                         name_or(b->id), b->requires_notice);
            continue;
        }
        if (b->at_line && n->at_line && b->at_days - n->at_days < NOTICE_MIN_DAYS) {
            char bt[16], nt[16];
            offset_text(b->at_days, bt, sizeof bt);
            offset_text(n->at_days, nt, sizeof nt);
            int gap = b->at_days - n->at_days;
            rg_diags_add(l->d, RG_SEV_ERROR, l->file, b->requires_notice_line, 0,
                         "notice-too-late",
                         "the notice `%s` (%s) comes %d day%s before the listing `%s` (%s); it "
                         "must come at least %d days before (CDC art. 43 §2)",
                         n->id, nt, gap, gap == 1 || gap == -1 ? "" : "s", name_or(b->id), bt,
                         NOTICE_MIN_DAYS);
        }
        if (can_match_pf(c) && !first_channel_is(&n->send, "letter")) {
            int line = n->send.line ? n->send.line : n->line;
            if (has_channel(&n->send, "letter"))
                rg_diags_add(l->d, RG_SEV_ERROR, l->file, line, 0, "notice-not-by-letter",
                             "the notice `%s` before the bureau listing `%s` tries `%s` before "
                             "`letter`: channels are tried in order and only one is used, so a "
                             "consumer who has that address never gets the letter, and a PF is "
                             "listed only after a notice by letter (CDC art. 43 §2; STJ REsp "
                             "2.056.285/RS); put `letter` first (or set `match: {customer_kind: "
                             "PJ}`)",
                             n->id, name_or(b->id), n->send.channels.n ? n->send.channels.v[0] : "?");
            else
                rg_diags_add(l->d, RG_SEV_ERROR, l->file, line, 0, "notice-not-by-letter",
                             "the notice `%s` before the bureau listing `%s` is not sent by "
                             "letter; for consumers the notice must be a letter to their address, "
                             "not an e-mail or SMS alone (CDC art. 43 §2; STJ REsp 2.056.285/RS), "
                             "and a PF is never listed without one: make `letter` its first "
                             "channel (or set `match: {customer_kind: PJ}`)",
                             n->id, name_or(b->id));
        }
    }
}

/* ---- fees ------------------------------------------------------------- */

static void lint_fees(lctx *l)
{
    const rg_cadence *c = l->c;
    if (c->fees.fine_pct > CDC_MAX_FINE && can_match_pf(c)) {
        char b[32];
        rg_diags_add(l->d, RG_SEV_ERROR, l->file, c->fees.fine_line, 0, "fine-above-cdc",
                     "a fine of %s%% is above the 2%% that CDC art. 52 §1 allows for consumers, "
                     "and this cadence can match PF customers (set `match: {customer_kind: PJ}` "
                     "if it is only for companies)",
                     rg_pct_format(c->fees.fine_pct, b, sizeof b));
    }
    if (!c->fees.interest_stated && !c->fees.interest_line)
        rg_diags_add(l->d, RG_SEV_INFO, l->file, c->fees.line ? c->fees.line : c->name_line, 0,
                     "legal-default-interest",
                     "no `interest_month_pct`: late interest follows the legal default rate "
                     "(Selic minus IPCA, CC art. 406 as amended by Lei 14.905/2024); state the "
                     "rate of the contract to charge it instead");
}

/* ---- window ----------------------------------------------------------- */

/* Contact outside 08:00-20:00 and on Sunday is refused (CDC art. 42 and 71;
 * PRODUCT.md: lint rejects it) unless the cadence states why with
 * `allow_contact_outside_hours: "reason"`; then it is a warning that quotes
 * the reason. A reason with nothing to allow is a warning too (an inert
 * setting). Holidays open stay a warning: state and city law differ. */
static void window_rule(lctx *l, int line, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void window_rule(lctx *l, int line, const char *rule, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    const char *why = l->c->allow_contact_outside_hours;
    if (why)
        rg_diags_add(l->d, RG_SEV_WARNING, l->file, line, 0, rule,
                     "%s; allowed by `allow_contact_outside_hours` (line %d): \"%s\"", what,
                     l->c->allow_outside_line, why);
    else
        rg_diags_add(l->d, RG_SEV_ERROR, l->file, line, 0, rule,
                     "%s; contact outside 08:00-20:00 and on Sunday can be abusive collection "
                     "(CDC art. 42 and 71) and several states forbid it: change the window, or "
                     "state why with `allow_contact_outside_hours: \"reason\"`",
                     what);
}

static void lint_window(lctx *l)
{
    const rg_cadence *c = l->c;
    static const char *const names[3] = {"weekdays", "saturday", "sunday"};
    const rg_day_window *days[3] = {&c->window.weekdays, &c->window.saturday, &c->window.sunday};
    bool outside = false;
    for (int i = 0; i < 3; i++) {
        const rg_day_window *w = days[i];
        int line = c->window_day_line[i] ? c->window_day_line[i] : c->window_line;
        if (!w->open)
            continue;
        if (w->from_min < WINDOW_EARLIEST) {
            outside = true;
            window_rule(l, line, "window-early", "`%s` opens at %02d:%02d, before 08:00", names[i],
                        w->from_min / 60, w->from_min % 60);
        }
        if (w->to_min > WINDOW_LATEST) {
            outside = true;
            window_rule(l, line, "window-late", "`%s` closes at %02d:%02d, after 20:00", names[i],
                        w->to_min / 60, w->to_min % 60);
        }
    }
    if (c->window.sunday.open) {
        outside = true;
        window_rule(l, c->window_day_line[2] ? c->window_day_line[2] : c->window_line, "sunday-open",
                    "the window is open on Sunday, the day of rest");
    }
    if (c->allow_contact_outside_hours && !outside)
        rg_diags_add(l->d, RG_SEV_WARNING, l->file, c->allow_outside_line, 0, "allow-outside-unused",
                     "`allow_contact_outside_hours` is set, but the window stays within 08:00-20:00 "
                     "and Sunday is closed: there is nothing to allow; remove it");
    if (c->window.holidays_open)
        rg_diags_add(l->d, RG_SEV_WARNING, l->file, c->holidays_line ? c->holidays_line : c->window_line,
                     0, "holidays-open",
                     "the window is open on holidays; collection that disturbs rest is barred by "
                     "CDC art. 42 and 71, and several state laws forbid it on holidays");
}

/* ---- channels and templates ------------------------------------------ */

static bool channel_known(const lctx *l, const char *ch)
{
    if (l->env && l->env->channel_known)
        return l->env->channel_known(l->env->ctx, ch);
    return rg_channel_builtin(ch);
}

/* Records that `s` sends its template on channel `ch` (line `line`) with
 * what the sender fills; one entry per template and channel. */
static void note_use(lctx *l, const rg_cadence_send *s, const char *ch, int line, bool offer, bool promise)
{
    for (size_t i = 0; i < l->n_uses; i++) {
        tuse *u = &l->uses[i];
        if (strcmp(u->tpl, s->template_name) == 0 && strcmp(u->ch, ch) == 0) {
            u->offer = u->offer && offer;
            u->promise = u->promise && promise;
            return;
        }
    }
    tuse *p = realloc(l->uses, (l->n_uses + 1) * sizeof *p);
    if (!p) {
        l->d->oom = true;
        return;
    }
    l->uses = p;
    l->uses[l->n_uses++] = (tuse){s->template_name, ch, line, offer, promise};
}

static void lint_send(lctx *l, const rg_cadence_send *s, bool offer, bool promise)
{
    if (!s->present)
        return;
    for (size_t i = 0; i < s->channels.n; i++) {
        const char *ch = s->channels.v[i];
        int line = s->channels.line[i];
        if (!channel_known(l, ch)) {
            rg_diags_add(l->d, RG_SEV_ERROR, l->file, line, 0, "unknown-channel",
                         "unknown channel `%s`; the built-in channels are email, whatsapp, "
                         "sms, voice and letter (the configuration may add others)",
                         ch);
            continue;
        }
        if (s->template_name)
            note_use(l, s, ch, s->template_line ? s->template_line : s->line, offer, promise);
    }
}

/* Each template and channel once: missing, or every problem of the file
 * itself (at its own FILE:LINE) plus one line here saying this cadence
 * cannot use it. */
static void lint_templates(lctx *l)
{
    if (!l->env || !l->env->template_exists)
        return;
    for (size_t i = 0; i < l->n_uses; i++) {
        const tuse *u = &l->uses[i];
        if (!l->env->template_exists(l->env->ctx, u->tpl, u->ch)) {
            rg_diags_add(l->d, RG_SEV_ERROR, l->file, u->line, 0, "unknown-template",
                         "no template `%s` for channel %s: create the file %s.%s (every channel "
                         "of a send needs one)",
                         u->tpl, u->ch, u->tpl, u->ch);
            continue;
        }
        if (!l->env->template_check)
            continue;
        rg_diags t = RG_DIAGS_INIT;
        rg_lint_template_use use = {u->offer, u->promise};
        l->env->template_check(l->env->ctx, u->tpl, u->ch, &use, &t);
        if (t.oom)
            l->d->oom = true;
        size_t errors = rg_diags_count(&t, 0, RG_SEV_ERROR);
        if (errors) {
            const rg_diag *first = NULL;
            for (size_t k = 0; k < t.n && !first; k++)
                if (t.items[k].severity == RG_SEV_ERROR)
                    first = &t.items[k];
            rg_buf b = RG_BUF_INIT;
            rg_diag_format(first, &b);
            if (b.len && b.p[b.len - 1] == '\n')
                b.p[--b.len] = '\0';
            rg_diags_add(l->d, RG_SEV_ERROR, l->file, u->line, 0, "template-broken",
                         "template %s.%s cannot be used (%zu %s); the first: %s", u->tpl, u->ch, errors,
                         errors == 1 ? "error, listed at its own line" : "errors, each listed at its own line",
                         b.oom ? "?" : rg_buf_cstr(&b));
            rg_buf_free(&b);
        }
        for (size_t k = 0; k < t.n; k++) {
            const rg_diag *g = &t.items[k];
            rg_diags_add(l->d, g->severity, g->file, g->line, g->column, g->rule, "%s", g->message);
        }
        rg_diags_free(&t);
    }
}

static bool on_promise(const rg_cadence_trigger *t)
{
    return t->on == RG_EV_PROMISE_MADE || t->on == RG_EV_PROMISE_BROKEN;
}

void rg_cadence_lint(const rg_cadence *c, const rg_lint_env *env, rg_diags *d)
{
    if (!c || !d)
        return;
    lctx l = {c, env, d, c->file ? c->file : "", NULL, 0};
    if (!c->match.present)
        rg_diags_add(d, RG_SEV_INFO, l.file, c->name_line, 0, "no-match",
                     "no `match`: no invoice follows this cadence by itself; it is reached only "
                     "through a trigger's `switch_cadence` (use `match: {}` to match every "
                     "invoice)");
    lint_window(&l);
    lint_fees(&l);
    lint_steps(&l);
    lint_bureau(&l);
    lint_triggers(&l);
    for (size_t i = 0; i < c->n_steps; i++)
        lint_send(&l, &c->steps[i].send, c->steps[i].offer.present, false);
    for (size_t i = 0; i < c->n_triggers; i++) {
        const rg_cadence_trigger *t = &c->triggers[i];
        lint_send(&l, &t->send, t->offer.present, on_promise(t));
    }
    lint_templates(&l);
    free(l.uses);
}

rg_status rg_cadence_load(const char *text, size_t len, const char *file, rg_cadence_format fmt,
                          const rg_lint_env *env, rg_diags *d, rg_cadence **out)
{
    rg_diags local = RG_DIAGS_INIT;
    rg_diags *dd = d ? d : &local;
    size_t start = dd->n;
    rg_cadence *c = NULL;
    *out = NULL;
    rg_status st = rg_cadence_parse(text, len, file, fmt, dd, &c);
    if (st == RG_OK) {
        rg_cadence_lint(c, env, dd);
        if (dd->oom)
            st = RG_ENOMEM;
        else if (rg_diags_count(dd, start, RG_SEV_ERROR) > 0)
            st = RG_EINVAL;
    }
    rg_diags_sort(dd, start);
    if (st == RG_OK) {
        *out = c;
        c = NULL;
    }
    rg_cadence_free(c);
    rg_diags_free(&local);
    return st;
}
