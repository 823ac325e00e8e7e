#include "engine/engine.h"

#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/tz.h"
#include "br/boleto.h"
#include "br/doc.h"
#include "br/fees.h"
#include "br/holidays.h"
#include "br/pix.h"
#include "cadence/window.h"
#include "channel/channel.h"
#include "engine/effects.h"
#include "engine/engine_int.h"
#include "service/agreements.h"
#include "service/holds.h"
#include "service/portal.h"
#include "engine/planner.h"
#include "engine/progress.h"
#include "render/template_file.h"
#include "render/vars.h"
#include "version.h"

/* ---- loading ---- */

static bool lint_channel_known(void *p, const char *channel)
{
    const rg_lint_install *l = p;
    return rg_channel_builtin(channel) || rg_config_channel(l->config, channel) != NULL;
}

static bool lint_webhook_known(void *p, const char *name)
{
    const rg_lint_install *l = p;
    return rg_config_webhook(l->config, name) != NULL;
}

static bool lint_template_exists(void *p, const char *name, const char *channel)
{
    const rg_lint_install *l = p;
    return l->templates && rg_template_set_exists(l->templates, name, channel);
}

/* company.* as every message gets them: from regua.yaml `company:`, "" as
 * no value. The lint of templates reads the same, so what it calls empty
 * is what a message would have. */
static void company_vars(const rg_config *cfg, rg_render_vars *v)
{
    v->company.name = cfg->company.name[0] ? cfg->company.name : NULL;
    v->company.cnpj = cfg->company.cnpj[0] ? cfg->company.cnpj : NULL;
    v->company.email = cfg->company.email[0] ? cfg->company.email : NULL;
    v->company.phone = cfg->company.phone[0] ? cfg->company.phone : NULL;
    v->company.address = cfg->company.address[0] ? cfg->company.address : NULL;
    v->company.contact = cfg->company.contact[0] ? cfg->company.contact : NULL;
}

static void lint_template_check(void *p, const char *name, const char *channel, const rg_lint_template_use *use,
                                rg_diags *d)
{
    const rg_lint_install *l = p;
    if (!l->templates)
        return;
    rg_render_vars company;
    rg_render_vars_init(&company);
    company_vars(l->config, &company);
    /* {{portal_url}} is filled when the link can be made (render_message_x) */
    if (l->config->public_url[0] && rg_config_secret(l->config))
        company.portal_url = l->config->public_url;
    rg_template_use tu = {&company, use->offer, use->promise};
    rg_template_diags td = {NULL, 0, 0};
    rg_err e;
    rg_err_clear(&e);
    if (rg_template_set_check(l->templates, name, channel, &tu, &td, &e) == RG_ENOMEM)
        d->oom = true;
    for (size_t i = 0; i < td.n; i++) {
        const rg_template_diag *x = &td.v[i];
        if (x->level != RG_DIAG_ERROR && !l->template_warnings)
            continue;
        char file[RG_CONFIG_PATH_MAX + 128];
        snprintf(file, sizeof file, "%s/%s", l->config->templates_dir, x->file);
        rg_diags_add(d, x->level == RG_DIAG_ERROR ? RG_SEV_ERROR : RG_SEV_WARNING, file, x->line, x->col, x->rule,
                     "%s", x->msg);
    }
    rg_template_diags_free(&td);
}

rg_lint_env rg_engine_lint_env(const rg_lint_install *in)
{
    return (rg_lint_env){(void *)in, lint_channel_known, lint_template_exists, lint_template_check, lint_webhook_known};
}

/* Bump when the planner's rules change what instants it computes: the
 * stored instants are then re-planned, as after a cadence change. */
#define RG_AGENDA_RULES "agenda-2" /* 2: holds and promise deadlines */

/* What the stored instants depend on besides each invoice's own data: the
 * planner's rules, the cadences (names and versions, in the set's order),
 * the calendar file's text and the default zone. A tick that finds another
 * fingerprint stored re-plans every open invoice, a bounded number per
 * tick. Channels, templates and fees change no instant. */
static rg_status agenda_fingerprint(rg_engine *eng, rg_err *e)
{
    crypto_generichash_state st;
    unsigned char h[32];
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    const char *parts[] = {RG_AGENDA_RULES, RG_VERSION, eng->config->default_timezone};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        crypto_generichash_update(&st, (const unsigned char *)parts[i], strlen(parts[i]) + 1);
    for (size_t i = 0; i < eng->cadences->n; i++) {
        const rg_cadence *c = eng->cadences->items[i];
        crypto_generichash_update(&st, (const unsigned char *)c->name, strlen(c->name) + 1);
        crypto_generichash_update(&st, (const unsigned char *)c->version, strlen(c->version) + 1);
    }
    if (eng->config->calendar_file[0]) {
        FILE *f = fopen(eng->config->calendar_file, "rb");
        if (!f)
            return rg_err_set(e, RG_EIO, eng->config->calendar_file, "cannot read the calendar file");
        unsigned char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0)
            crypto_generichash_update(&st, buf, n);
        bool bad = ferror(f);
        fclose(f);
        if (bad)
            return rg_err_set(e, RG_EIO, eng->config->calendar_file, "cannot read the calendar file");
    }
    crypto_generichash_final(&st, h, sizeof h);
    for (size_t i = 0; i < sizeof h; i++)
        snprintf(eng->fingerprint + 2 * i, 3, "%02x", h[i]);
    return RG_OK;
}

rg_status rg_engine_open(const rg_engine_options *opt, rg_engine **out, rg_diags *diags, rg_err *e)
{
    rg_status rc;
    *out = NULL;
    rg_engine *eng = calloc(1, sizeof *eng);
    if (!eng)
        return rg_err_set(e, RG_ENOMEM, "engine", "out of memory");
    eng->store = opt->store;
    eng->config = opt->config;
    eng->dry_run = opt->dry_run;
    eng->batch_size = opt->batch_size > 0 ? opt->batch_size : 5000;
    eng->seen_at = RG_INSTANT_NONE;
    eng->replan_limit = opt->replan_limit > 0 ? opt->replan_limit : RG_REPLAN_LIMIT;
    eng->chan_env.config = opt->config;
    eng->chan_env.token_secret = rg_config_secret(opt->config);
    eng->chan_env.store = opt->store;
    if ((rc = rg_template_set_load(opt->config->templates_dir, &eng->templates, e)) != RG_OK)
        goto fail;
    if (!(eng->calendar = rg_calendar_new())) {
        rc = rg_err_set(e, RG_ENOMEM, "engine", "out of memory");
        goto fail;
    }
    if (opt->config->calendar_file[0] &&
        (rc = rg_calendar_load(eng->calendar, opt->config->calendar_file, e)) != RG_OK)
        goto fail;
    if (!(eng->tzs = rg_tz_cache_new(NULL))) {
        rc = rg_err_set(e, RG_ENOMEM, "engine", "out of memory");
        goto fail;
    }
    if ((rc = rg_zones_new(opt->config->default_timezone, NULL, &eng->zones, e)) != RG_OK)
        goto fail;
    rg_lint_install li = {opt->config, eng->templates, false};
    rg_lint_env env = rg_engine_lint_env(&li);
    rg_diags local = RG_DIAGS_INIT;
    rg_diags *dd = diags ? diags : &local;
    size_t first = dd->n;
    /* a template that does not load is a failure of its own, used or not */
    for (size_t i = 0; i < rg_template_set_count(eng->templates); i++) {
        const rg_message_template *mt = rg_template_set_at(eng->templates, i);
        const char *name = rg_message_template_name(mt), *channel = rg_message_template_channel(mt);
        if (rg_template_set_get(eng->templates, name, channel))
            continue;
        /* its first load error says why */
        char why[700] = "", file[RG_CONFIG_PATH_MAX + 96];
        rg_template_diags td = {NULL, 0, 0};
        rg_err te;
        if (rg_template_set_check(eng->templates, name, channel, NULL, &td, &te) == RG_OK) {
            for (size_t k = 0; k < td.n && !why[0]; k++)
                if (td.v[k].level == RG_DIAG_ERROR)
                    rg_template_diag_text(&td.v[k], why, sizeof why);
        } else {
            rg_strlcpy(why, te.msg, sizeof why);
        }
        rg_template_diags_free(&td);
        snprintf(file, sizeof file, "%s/%s.%s", opt->config->templates_dir, name, channel);
        rg_diags_add(dd, RG_SEV_ERROR, file, 0, 0, "template-broken", "the template does not load: %s",
                     why[0] ? why : "it has errors");
    }
    rc = rg_cadence_set_load_dir(opt->config->cadences_dir, &env, dd, &eng->cadences);
    eng->load_errors = rg_diags_count(dd, first, RG_SEV_ERROR);
    rg_diags_free(&local);
    if (rc != RG_OK) {
        rg_err_set(e, rc, opt->config->cadences_dir, "cannot load the cadences");
        goto fail;
    }
    eng->triggers = (rg_triggers){eng->cadences, eng->calendar, opt->config};
    for (size_t i = 0; i < eng->cadences->n; i++) {
        const rg_cadence *c = eng->cadences->items[i];
        if (c->caps.max > 0 && c->caps.days > eng->max_cap_days)
            eng->max_cap_days = c->caps.days;
        if (c->match.late_count_12m_min > 0)
            eng->needs_late_count = true;
    }
    if ((rc = agenda_fingerprint(eng, e)) != RG_OK)
        goto fail;
    for (size_t i = 0; i < opt->config->n_channels; i++) {
        const rg_channel_config *cc = &opt->config->channels[i];
        rg_strlcpy(eng->channels[eng->n_channels].name, cc->name, sizeof eng->channels[0].name);
        if (!opt->dry_run && (rc = rg_channel_open(cc, &eng->chan_env, &eng->channels[eng->n_channels].ch, e)) != RG_OK)
            goto fail;
        eng->n_channels++;
    }
    *out = eng;
    return RG_OK;
fail:
    rg_engine_close(eng);
    return rc;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

static uint64_t file_signature(int which, const char *name, const char *path)
{
    struct stat st;
    uint64_t h = fnv(14695981039346656037ULL, &which, sizeof which);
    h = fnv(h, name, strlen(name));
    if (stat(path, &st) != 0)
        return fnv(h, "-", 1);
    h = fnv(h, &st.st_size, sizeof st.st_size);
    h = fnv(h, &st.st_mtim.tv_sec, sizeof st.st_mtim.tv_sec);
    return fnv(h, &st.st_mtim.tv_nsec, sizeof st.st_mtim.tv_nsec);
}

uint64_t rg_engine_sources_signature(const rg_config *c)
{
    const char *dirs[] = {c->cadences_dir, c->templates_dir};
    uint64_t sig = 0;
    for (int i = 0; i < 2; i++) {
        DIR *d = opendir(dirs[i]);
        if (!d) {
            sig += file_signature(i, "", dirs[i]);
            continue;
        }
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            if (de->d_name[0] == '.')
                continue;
            char path[RG_CONFIG_PATH_MAX + 300];
            snprintf(path, sizeof path, "%s/%s", dirs[i], de->d_name);
            sig += file_signature(i, de->d_name, path); /* a sum: the listing order does not matter */
        }
        closedir(d);
    }
    if (c->calendar_file[0])
        sig += file_signature(2, "", c->calendar_file);
    return sig;
}

void rg_engine_forget_seen(rg_engine *eng)
{
    if (eng->seen)
        for (size_t i = 0; i < eng->cadences->n; i++)
            free(eng->seen[i].steps);
    free(eng->seen);
    eng->seen = NULL;
    eng->seen_at = RG_INSTANT_NONE;
}

void rg_engine_close(rg_engine *eng)
{
    if (!eng)
        return;
    for (size_t i = 0; i < eng->n_channels; i++)
        rg_channel_close(eng->channels[i].ch);
    rg_engine_forget_seen(eng);
    rg_cadence_set_free(eng->cadences);
    rg_template_set_free(eng->templates);
    rg_calendar_free(eng->calendar);
    rg_tz_cache_free(eng->tzs);
    rg_zones_free(eng->zones);
    free(eng);
}

size_t rg_engine_load_errors(const rg_engine *eng)
{
    return eng->load_errors;
}

const rg_cadence_set *rg_engine_cadences(const rg_engine *eng)
{
    return eng->cadences;
}

const rg_triggers *rg_engine_triggers(const rg_engine *eng)
{
    return &eng->triggers;
}

int rg_engine_channel_index(const rg_engine *eng, const char *name)
{
    for (size_t i = 0; i < eng->n_channels; i++)
        if (!strcmp(eng->channels[i].name, name))
            return (int)i;
    return -1;
}

/* ---- the batch ---- */

enum { ROW_PROGRESS_CADENCE, ROW_PROGRESS, ROW_OPTOUTS, ROW_RECENT, ROW_PAID_HISTORY, ROW_HOLDS, ROW_PROMISES, ROW_TEXTS };
#define ROW_NO_TEXT SIZE_MAX

typedef struct row {
    rg_tick_row r; /* its string pointers are the store's and dead after the read */
    size_t text_at[ROW_TEXTS]; /* offsets into the batch's text arena */
    /* set by resolve_texts() once the batch is read */
    const char *progress_cadence;
    const char *progress;
    const char *optouts;
    const char *recent;
    const char *paid_history;
    const char *holds;
    const char *promises;
} row;

/* The rows of one read, with their variable texts copied into one arena
 * (one allocation per batch instead of five per invoice). */
typedef struct batch {
    row *rows;
    size_t n, cap;
    rg_buf texts;
    bool oom;
} batch;

static size_t keep_text(batch *b, const char *s)
{
    if (!s)
        return ROW_NO_TEXT;
    size_t at = b->texts.len;
    rg_buf_append(&b->texts, s, strlen(s) + 1);
    return at;
}

static void resolve_texts(batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        row *r = &b->rows[i];
        const char *t[ROW_TEXTS];
        for (int k = 0; k < ROW_TEXTS; k++)
            t[k] = r->text_at[k] == ROW_NO_TEXT ? NULL : b->texts.p + r->text_at[k];
        r->progress_cadence = t[ROW_PROGRESS_CADENCE];
        r->progress = t[ROW_PROGRESS];
        r->optouts = t[ROW_OPTOUTS];
        r->recent = t[ROW_RECENT];
        r->paid_history = t[ROW_PAID_HISTORY];
        r->holds = t[ROW_HOLDS];
        r->promises = t[ROW_PROMISES];
    }
}

static rg_status collect(void *p, const rg_tick_row *tr)
{
    batch *b = p;
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        row *rows = realloc(b->rows, cap * sizeof *rows);
        if (!rows) {
            b->oom = true;
            return RG_ENOMEM;
        }
        b->rows = rows;
        b->cap = cap;
    }
    row *r = &b->rows[b->n++];
    r->r = *tr;
    r->text_at[ROW_PROGRESS_CADENCE] = keep_text(b, tr->progress_cadence);
    r->text_at[ROW_PROGRESS] = keep_text(b, tr->progress);
    r->text_at[ROW_OPTOUTS] = keep_text(b, tr->optouts);
    r->text_at[ROW_RECENT] = keep_text(b, tr->recent);
    r->text_at[ROW_PAID_HISTORY] = keep_text(b, tr->paid_history);
    r->text_at[ROW_HOLDS] = keep_text(b, tr->holds);
    r->text_at[ROW_PROMISES] = keep_text(b, tr->promises);
    if (b->texts.oom) {
        b->oom = true;
        return RG_ENOMEM;
    }
    return RG_OK;
}

static void batch_clear(batch *b)
{
    b->n = 0;
    rg_buf_reset(&b->texts);
}

static void batch_free(batch *b)
{
    rg_buf_free(&b->texts);
    free(b->rows);
    memset(b, 0, sizeof *b);
}

/* Appends the next rows of the tick's order to b, texts resolved. */
static rg_status read_rows(rg_store *from, batch *b, rg_instant recent_since, rg_date late_since, int64_t after_c,
                           int64_t after_i, int64_t limit, rg_err *e)
{
    rg_status rc = rg_store_tick_each(from, recent_since, late_since, after_c, after_i, limit, collect, b, e);
    if (b->oom)
        rc = rg_err_set(e, RG_ENOMEM, "engine", "out of memory");
    if (rc == RG_OK)
        resolve_texts(b);
    return rc;
}

/* Reads the next rows of the tick's order into b, texts resolved. */
static rg_status read_batch(rg_store *from, batch *b, rg_instant recent_since, rg_date late_since, int64_t after_c,
                            int64_t after_i, int64_t limit, rg_err *e)
{
    batch_clear(b);
    return read_rows(from, b, recent_since, late_since, after_c, after_i, limit, e);
}

/* ---- per customer ---- */

/* A step that fired: its message (when it has a send) and its actions
 * are planned together, so that nothing of a step happens unless its
 * message goes in. */
typedef struct pending {
    size_t row;
    const rg_cadence *cadence;
    const rg_tz *tz;      /* the customer's zone for this cadence */
    int step;
    rg_instant due_at;
    rg_instant relevant_until; /* when it stops describing the invoice; RG_INSTANT_NONE: never */
    int preferred;        /* index of the customer's preferred channel in the step's list, -1 */
    int channel;          /* position (in the order with the preferred channel first) of the chosen one */
    char reason[256];     /* why earlier channels were skipped */
    rg_progress progress; /* the invoice's progress to write once its message goes in */
    bool reissued;
    bool grouped; /* already carried by an earlier consolidated message */
    rg_reissue reissue;
    rg_fx_agenda agenda; /* the invoice's instant once its message goes in, or when it has to wait */
} pending;

typedef struct customer_ctx {
    rg_engine *eng;
    rg_instant now;
    const rg_tz *tz;
    rg_date today;
    bool consumer; /* the customer is a PF: fines capped by CDC art. 52 §1 */
    rg_instant recent[256];
    size_t n_recent;
    rg_store *reader; /* where the plan stage may read (a consumer's notice letter) */
    const rg_cadence_offer *step_offer; /* the offer of the step being planned (its message shows it) */
    bool no_offers; /* the tick found no open offer valid at now: skip the per-invoice lookup */
    rg_window_memo *memo; /* the batch's window openings (NULL: computed each time) */
    const char *zone_name; /* the last zone zone_for found, and it */
    const rg_tz *zone_tz;
} customer_ctx;

bool rg_engine_opted_out(const char *optouts, const char *channel)
{
    if (!optouts)
        return false;
    size_t n = strlen(channel);
    for (const char *p = optouts; *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && !memcmp(p, channel, n))
            return true;
        p += len + (bar ? 1 : 0);
    }
    return false;
}

/* The index in send->channels of the channel tried at position pos, when
 * the channel at index `preferred` (-1: none) goes first and the others
 * keep their order. */
static size_t channel_at(const rg_cadence_send *send, int preferred, size_t pos)
{
    if (preferred < 0 || (size_t)preferred >= send->channels.n)
        return pos;
    if (pos == 0)
        return (size_t)preferred;
    return pos - 1 < (size_t)preferred ? pos - 1 : pos;
}

/* The customer's preferred channel's index in the step's list, when it is
 * there and may go first: never in a notice a listing requires (its order
 * is a legal choice: a consumer's notice goes by letter). -1 otherwise. */
static int preferred_index(const rg_cadence *c, const rg_cadence_step *st, const rg_customer *cust)
{
    if (!cust->preferred_channel[0])
        return -1;
    for (size_t i = 0; i < c->n_steps; i++)
        if (c->steps[i].action == RG_ACTION_BUREAU_LISTING && c->steps[i].requires_notice &&
            !strcmp(c->steps[i].requires_notice, st->id))
            return -1;
    for (size_t i = 0; i < st->send.channels.n; i++)
        if (!strcmp(st->send.channels.v[i], cust->preferred_channel))
            return (int)i;
    return -1;
}

/* The position of the first usable channel of a send (in the order with
 * the preferred one first), or -1; reasons for the skipped ones. */
static int choose_channel(const rg_engine *eng, const rg_cadence_send *send, int preferred, const rg_customer *c,
                          const char *optouts, char *reason, size_t n)
{
    rg_buf why = RG_BUF_INIT;
    int chosen = -1;
    for (size_t pos = 0; pos < send->channels.n; pos++) {
        const char *ch = send->channels.v[channel_at(send, preferred, pos)];
        char addr[300];
        if (rg_engine_channel_index(eng, ch) < 0)
            rg_buf_printf(&why, "%s%s: channel not configured", why.len ? "; " : "", ch);
        else if (!rg_channel_address(ch, c, addr, sizeof addr)[0])
            rg_buf_printf(&why, "%s%s: no address", why.len ? "; " : "", ch);
        else if (rg_engine_opted_out(optouts, ch))
            rg_buf_printf(&why, "%s%s: opted out", why.len ? "; " : "", ch);
        else {
            chosen = (int)pos;
            break;
        }
    }
    rg_strlcpy(reason, rg_buf_cstr(&why), n);
    rg_buf_free(&why);
    return chosen;
}

int rg_engine_pick_channel(const rg_engine *eng, const rg_cadence_send *send, int preferred, const rg_customer *c,
                           const char *optouts, char *reason, size_t n, const char **channel)
{
    int pos = choose_channel(eng, send, preferred, c, optouts, reason, n);
    *channel = pos >= 0 ? send->channels.v[channel_at(send, preferred, (size_t)pos)] : NULL;
    return pos;
}

void rg_engine_fallbacks(const rg_cadence_send *send, int preferred, int pos, char *out, size_t n)
{
    size_t fb = 0;
    out[0] = '\0';
    for (size_t p = (size_t)pos + 1; p < send->channels.n; p++) {
        int w = snprintf(out + fb, n - fb, "%s%s", fb ? "|" : "", send->channels.v[channel_at(send, preferred, p)]);
        if (w < 0 || (size_t)w >= n - fb) {
            out[fb] = '\0';
            break;
        }
        fb += (size_t)w;
    }
}

static void parse_recent(customer_ctx *cx, const char *recent)
{
    cx->n_recent = 0;
    for (const char *p = recent; p && *p && cx->n_recent < 256;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        int64_t v;
        rg_slice sl = {p, len};
        if (rg_parse_i64(sl, 0, INT64_MAX, &v))
            cx->recent[cx->n_recent++] = v;
        p += len + (comma ? 1 : 0);
    }
}

/* Caps count messages by the customer's local calendar day: `max` in the
 * last `days` days including today. Over it, a step waits for the next day
 * on which it fits — a day, not an hour, so that a forecast ticking at each
 * window opening agrees with a scheduler ticking every minute. */
static bool cap_allows(const customer_ctx *cx, const rg_cadence *c)
{
    if (c->caps.max <= 0)
        return true;
    rg_date first = cx->today - (rg_date)(c->caps.days > 0 ? c->caps.days - 1 : 0);
    int64_t count = 0;
    for (size_t i = 0; i < cx->n_recent; i++) {
        rg_date d;
        int sod;
        rg_tz_local(cx->tz, cx->recent[i], &d, &sod);
        count += d >= first;
    }
    return count < c->caps.max;
}

/* Fine and interest on the open balance: the invoice's own terms, else the
 * cadence's; without a contract rate, the legal rate (Lei 14.905/2024)
 * when configured, else no interest — never a silent 1%. A consumer's fine
 * is never above 2% (br/fees caps it, whatever the terms say). */
static void compute_fees(const rg_engine *eng, const rg_cadence *c, const rg_invoice *inv, bool consumer,
                         int64_t days_late, rg_fee_breakdown *fb)
{
    rg_fee_terms t;
    memset(&t, 0, sizeof t);
    t.fine_pct = inv->fine_pct >= 0 ? inv->fine_pct : c->fees.fine_pct;
    t.consumer = consumer;
    if (inv->interest_month_pct >= 0 || c->fees.interest_stated) {
        t.basis = RG_INTEREST_CONTRACT;
        t.interest_month_pct = inv->interest_month_pct >= 0 ? inv->interest_month_pct : c->fees.interest_month_pct;
    } else {
        t.basis = RG_INTEREST_LEGAL;
        t.legal_rate_set = eng->config->legal_interest_month_pct >= 0;
        t.legal_month_micro = eng->config->legal_interest_month_pct * 10000;
    }
    rg_err e;
    rg_cents balance = rg_invoice_balance(inv);
    if (rg_fee_updated_amount(balance, &t, (int)days_late, fb, &e) != RG_OK) {
        /* terms out of range were refused by lint and import; be safe */
        memset(fb, 0, sizeof *fb);
        fb->principal = fb->total = balance;
    }
}

/* An invoice's offer valid now, as the messages show it. */
typedef struct offer_view {
    bool present;
    rg_offer o;
    rg_cents amount; /* what to pay under it */
    rg_cents waived; /* what it takes off */
} offer_view;

/* The invoice's offer valid at cx->now (service/holds.h), read on the
 * plan stage's connection (the engine's own outside a tick). */
static void current_offer(const customer_ctx *cx, const rg_invoice *inv, offer_view *ov)
{
    memset(ov, 0, sizeof *ov);
    if (cx->no_offers)
        return;
    rg_store *s = cx->reader ? cx->reader : cx->eng->store;
    rg_err e;
    bool found = false;
    if (rg_store_offer_current(s, inv->id, cx->now, &ov->o, &found, &e) != RG_OK)
        rg_warn("invoice %s: its offer could not be read (%s): the amounts shown have no offer", inv->external_id,
                e.msg);
    ov->present = found;
}

/* Fine and interest as compute_fees, with the invoice's offer valid now
 * applied (waived fine or interest at zero; the total is the offer's
 * amount): while an offer holds, the amount shown everywhere is its. */
static void invoice_fees(const customer_ctx *cx, const rg_cadence *c, const rg_invoice *inv, int64_t late,
                         rg_fee_breakdown *fb, offer_view *ov)
{
    compute_fees(cx->eng, c, inv, cx->consumer, late, fb);
    offer_view local;
    if (!ov)
        ov = &local;
    if (cx->step_offer && cx->step_offer->present) {
        /* the offer this step makes (recorded with its message, rg_offer_make): as it will be */
        memset(ov, 0, sizeof *ov);
        ov->present = true;
        ov->o.waive_interest = cx->step_offer->waive_interest;
        ov->o.waive_fine = cx->step_offer->waive_fine;
        ov->o.discount_pct = cx->step_offer->discount_pct;
        ov->o.discount = (fb->principal * cx->step_offer->discount_pct + 5000) / 10000;
        ov->o.valid_until =
            cx->now + (cx->step_offer->valid_days > 0 ? cx->step_offer->valid_days : RG_OFFER_DEFAULT_VALID_DAYS) * 86400;
    } else {
        current_offer(cx, inv, ov);
    }
    if (!ov->present)
        return;
    rg_offer_amounts(&ov->o, fb->principal, fb->fine, fb->interest, &ov->amount, &ov->waived);
    if (ov->o.waive_fine)
        fb->fine = 0;
    if (ov->o.waive_interest)
        fb->interest = 0;
    fb->total = ov->amount;
}

/* Fills a render invoice from a row; strings point into the row. ov (may
 * be NULL) gets the invoice's offer. */
static void fill_render_invoice(const customer_ctx *cx, const rg_cadence *c, const rg_invoice *inv,
                                const rg_reissue *re, rg_render_invoice *ri, offer_view *ov)
{
    rg_render_invoice_init(ri);
    rg_date eff = rg_effective_due_date(cx->eng->calendar, inv->due_date);
    int64_t late = rg_days_late(eff, cx->today);
    rg_cents balance = rg_invoice_balance(inv);
    ri->external_id = inv->external_id;
    ri->description = inv->description;
    ri->amount = balance;
    ri->days_late = late;
    rg_fee_breakdown fb;
    invoice_fees(cx, c, inv, late, &fb, ov);
    ri->fine = fb.fine;
    ri->interest = fb.interest;
    ri->updated_amount = fb.total;
    if (re) {
        ri->due_date = re->new_due_date;
        ri->original_due_date = inv->due_date;
        ri->updated_amount = re->updated_amount;
        ri->fine = re->fine;
        ri->interest = re->interest;
        ri->linha_digitavel = re->linha_digitavel[0] ? re->linha_digitavel : inv->linha_digitavel;
        ri->pix_code = re->pix_code[0] ? re->pix_code : inv->pix_code;
    } else {
        ri->due_date = inv->reissued_due_date != RG_DATE_NONE ? inv->reissued_due_date : inv->due_date;
        if (inv->reissued_due_date != RG_DATE_NONE)
            ri->original_due_date = inv->due_date;
        ri->linha_digitavel = inv->linha_digitavel;
        ri->pix_code = inv->pix_code;
    }
    if (ri->linha_digitavel && !ri->linha_digitavel[0])
        ri->linha_digitavel = NULL;
    if (ri->pix_code && !ri->pix_code[0])
        ri->pix_code = NULL;
    ri->payment_url = inv->payment_url[0] ? inv->payment_url : NULL;
    /* the last day to pay the current boleto without charges */
    ri->effective_due_date = rg_effective_due_date(cx->eng->calendar, ri->due_date);
    /* a boleto the customer can pay now: the current one, while not past due */
    if (ri->linha_digitavel && ri->effective_due_date >= cx->today)
        ri->boleto = ri->linha_digitavel;
}

/* Computes a segunda via: fees on the open balance, a new due date some
 * bank business days ahead, and new boleto/PIX codes when the invoice had
 * them (same campo livre / PIX key, new amount and due date). */
static void compute_reissue_days(const customer_ctx *cx, const rg_cadence *c, const rg_invoice *inv,
                                 int64_t due_in_business_days, rg_reissue *re);

static void compute_reissue(const customer_ctx *cx, const rg_cadence *c, const rg_cadence_step *st,
                            const rg_invoice *inv, rg_reissue *re)
{
    compute_reissue_days(cx, c, inv, st->reissue_due_in_business_days, re);
}

/* The static PIX code `code` rebuilt for `amount` (same key, merchant,
 * txid) into out; a code that is not static goes out as it is when
 * keep_dynamic, else out is "". */
static void pix_with_amount(const char *code, rg_cents amount, char *out, size_t n, bool keep_dynamic)
{
    rg_err e;
    bool is_static = false;
    if (rg_pix_with_amount(code, amount, out, n, &is_static, &e) == RG_OK && !is_static && keep_dynamic)
        rg_strlcpy(out, code, n);
}

static void compute_reissue_days(const customer_ctx *cx, const rg_cadence *c, const rg_invoice *inv,
                                 int64_t due_in_business_days, rg_reissue *re)
{
    memset(re, 0, sizeof *re);
    rg_date eff = rg_effective_due_date(cx->eng->calendar, inv->due_date);
    int64_t late = rg_days_late(eff, cx->today);
    rg_fee_breakdown fb;
    re->principal = rg_invoice_balance(inv);
    invoice_fees(cx, c, inv, late, &fb, NULL);
    re->fine = fb.fine;
    re->interest = fb.interest;
    re->updated_amount = fb.total;
    re->old_due_date = inv->reissued_due_date != RG_DATE_NONE ? inv->reissued_due_date : inv->due_date;
    re->new_due_date = rg_add_bank_business_days(cx->eng->calendar, cx->today, (int)due_in_business_days);
    rg_err e;
    if (inv->linha_digitavel[0] || inv->barcode[0]) {
        const char *code = inv->barcode[0] ? inv->barcode : inv->linha_digitavel;
        rg_boleto old, nb;
        if (rg_boleto_decode(code, strlen(code), cx->today, &old, &e) == RG_OK &&
            rg_boleto_encode(old.bank, old.currency[0], re->new_due_date, re->updated_amount, old.campo_livre,
                             &nb, &e) == RG_OK) {
            rg_strlcpy(re->barcode, nb.barcode, sizeof re->barcode);
            rg_strlcpy(re->linha_digitavel, nb.linha_digitavel, sizeof re->linha_digitavel);
        } else {
            rg_warn("invoice %s: the boleto could not be reissued (%s); the message carries the old code",
                    inv->external_id, e.msg);
        }
    }
    if (inv->pix_code[0])
        pix_with_amount(inv->pix_code, re->updated_amount, re->pix_code, sizeof re->pix_code, false);
}

/* What a letter encloses for one invoice: the boleto the customer can pay
 * now. The current one (the reissued one after a segunda via) while its
 * effective due date has not passed; else one generated for the letter's
 * date — same campo livre, the amount updated to that date, due
 * RG_LETTER_BOLETO_DAYS bank business days later; nothing when the
 * invoice has no boleto (or it cannot be decoded). */
typedef struct letter_boleto {
    bool present;
    bool generated;
    char barcode[45];
    char linha[55]; /* formatted: "34191.75124 34567.840813 05367.890000 1 43290000000000" */
    char pix[RG_PIX_MAX + 1];
    rg_date due;
    rg_cents amount;
} letter_boleto;

static void letter_enclosure(const customer_ctx *cx, const rg_cadence *c, const rg_invoice *inv,
                             const rg_reissue *re, letter_boleto *lb)
{
    memset(lb, 0, sizeof *lb);
    rg_err e;
    rg_boleto b;
    if (re && re->barcode[0]) { /* reissued by this very step */
        if (rg_boleto_decode(re->barcode, strlen(re->barcode), cx->today, &b, &e) != RG_OK)
            return;
        rg_strlcpy(lb->pix, re->pix_code, sizeof lb->pix);
    } else {
        const char *code = inv->barcode[0] ? inv->barcode : inv->linha_digitavel;
        if (!code[0] || rg_boleto_decode(code, strlen(code), cx->today, &b, &e) != RG_OK)
            return;
        rg_date due = inv->reissued_due_date != RG_DATE_NONE ? inv->reissued_due_date : inv->due_date;
        if (b.due_date != RG_DATE_NONE)
            due = b.due_date;
        if (rg_effective_due_date(cx->eng->calendar, due) < cx->today) {
            /* past due: a boleto with the updated amount, for the letter's date */
            rg_reissue gen;
            compute_reissue_days(cx, c, inv, RG_LETTER_BOLETO_DAYS, &gen);
            if (!gen.barcode[0] || rg_boleto_decode(gen.barcode, strlen(gen.barcode), cx->today, &b, &e) != RG_OK)
                return;
            lb->generated = true;
            rg_strlcpy(lb->pix, gen.pix_code, sizeof lb->pix);
        }
    }
    lb->present = true;
    rg_strlcpy(lb->barcode, b.barcode, sizeof lb->barcode);
    rg_strlcpy(lb->linha, b.linha_formatted, sizeof lb->linha);
    lb->due = b.due_date;
    lb->amount = b.amount_cents;
}

/* For a letter: each invoice's enclosure (the render invoice then names
 * it: invoice.boleto and invoice.linha_digitavel; lb must outlive the
 * render) and the message payload that tells the letter driver exactly
 * what to enclose: {"boletos": [{"invoice", "barcode", "due_date",
 * "amount", "generated", "pix"}]} (owned text; NULL when out of memory). */
static char *letter_payload(const customer_ctx *cx, const rg_cadence *c, const rg_invoice *const *invs,
                            const rg_reissue *const *res, rg_render_invoice *ri, letter_boleto *lb, size_t n)
{
    json_t *arr = json_array();
    for (size_t k = 0; k < n; k++) {
        letter_enclosure(cx, c, invs[k], res ? res[k] : NULL, &lb[k]);
        if (!lb[k].present) {
            ri[k].boleto = NULL;
            continue;
        }
        ri[k].boleto = lb[k].linha;
        ri[k].linha_digitavel = lb[k].linha;
        if (lb[k].pix[0])
            ri[k].pix_code = lb[k].pix;
        char due[16], amount[32];
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b}", "invoice", invs[k]->external_id, "barcode", lb[k].barcode,
                              "due_date", lb[k].due != RG_DATE_NONE ? rg_date_format_iso(lb[k].due, due, sizeof due) : "",
                              "amount", rg_money_format_plain(lb[k].amount, amount, sizeof amount), "generated",
                              lb[k].generated);
        if (o && lb[k].pix[0])
            json_object_set_new(o, "pix", json_string(lb[k].pix));
        json_array_append_new(arr, o);
    }
    json_t *root = json_pack("{s:o}", "boletos", arr);
    char *text = root ? json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(root);
    return text;
}

/* Renders NAME.CHANNEL for a customer and its invoices; for an approved
 * WhatsApp template also the channel payload (owned JSON text in
 * *payload). Fails with the reason when the template is missing, broken
 * or leaves a hole. */
static rg_status render_message_x(rg_engine *eng, const rg_customer *cust, rg_render_invoice *ri, size_t n,
                                  const offer_view *ov, const char *template_name, const char *channel,
                                  const rg_engine_extras *x, rg_instant now, rg_rendered *out, char **payload,
                                  rg_err *e)
{
    *payload = NULL;
    rg_render_vars v;
    rg_render_vars_init(&v);
    /* {{portal_url}}: the customer's portal link, valid portal.link_days
     * from now; empty without public_url or the token secret */
    rg_buf portal = RG_BUF_INIT;
    rg_err pe;
    if (eng->config->public_url[0] && eng->chan_env.token_secret &&
        rg_portal_link(eng->config, cust->id, now + eng->config->portal.link_days * 86400, &portal, &pe) == RG_OK &&
        !portal.oom)
        v.portal_url = rg_buf_cstr(&portal);
    char offer_text[128];
    if (ov && ov->present) { /* {{offer.*}}: the first invoice's offer valid now */
        v.offer.description = rg_offer_describe(&ov->o, offer_text, sizeof offer_text);
        v.offer.valid_until = rg_tz_date(rg_engine_zone(eng, cust, NULL), ov->o.valid_until - 1);
        v.offer.discount = ov->waived;
        v.offer.amount = ov->amount;
    }
    if (x && x->has_promise) { /* {{promise.*}}: a trigger answering promise.made or promise.broken */
        v.promise.date = x->promise_date;
        v.promise.amount = x->promise_amount;
    }
    v.customer.name = cust->name;
    v.customer.document = cust->document;
    v.customer.email = cust->email;
    v.customer.phone = cust->phone[0] ? cust->phone : cust->whatsapp;
    v.invoices = ri;
    v.n_invoices = n;
    company_vars(eng->config, &v);
    const rg_message_template *mt = NULL;
    rg_status rc;
    rc = rg_template_set_find(eng->templates, template_name, channel, &mt, e);
    if (rc == RG_OK)
        rc = rg_message_render(mt, &v, out, e);
    rg_buf_free(&portal);
    if (rc != RG_OK)
        return rc;
    if (out->wa_template) {
        json_t *params = json_array();
        for (size_t i = 0; i < out->n_params; i++)
            json_array_append_new(params, json_string(out->params[i]));
        json_t *pl = json_pack("{s:s, s:s, s:o}", "wa_template", out->wa_template, "wa_lang",
                               out->wa_lang ? out->wa_lang : "pt_BR", "params", params);
        *payload = pl ? json_dumps(pl, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref(pl);
        if (!*payload) {
            rg_rendered_free(out);
            return rg_err_set(e, RG_ENOMEM, "engine", "out of memory");
        }
    }
    return RG_OK;
}

static rg_status render_message(rg_engine *eng, const rg_customer *cust, rg_render_invoice *ri, size_t n,
                                const offer_view *ov, const char *template_name, const char *channel, rg_instant now,
                                rg_rendered *out, char **payload, rg_err *e)
{
    return render_message_x(eng, cust, ri, n, ov, template_name, channel, NULL, now, out, payload, e);
}

rg_status rg_engine_render(rg_engine *eng, const rg_cadence *c, const rg_customer *cust, const rg_invoice *invs,
                           size_t n, const char *template_name, const char *channel, rg_instant now,
                           rg_engine_content *out, rg_err *e)
{
    return rg_engine_render_x(eng, c, cust, invs, n, template_name, channel, now, NULL, out, e);
}

rg_status rg_engine_render_x(rg_engine *eng, const rg_cadence *c, const rg_customer *cust, const rg_invoice *invs,
                             size_t n, const char *template_name, const char *channel, rg_instant now,
                             const rg_engine_extras *x, rg_engine_content *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    customer_ctx cx;
    memset(&cx, 0, sizeof cx);
    cx.eng = eng;
    cx.now = now;
    cx.tz = rg_engine_zone(eng, cust, c);
    cx.consumer = cust->kind == RG_KIND_PF;
    int sod;
    rg_tz_local(cx.tz, now, &cx.today, &sod);
    rg_render_invoice *ri = calloc(n ? n : 1, sizeof *ri);
    letter_boleto *lb = calloc(n ? n : 1, sizeof *lb);
    const rg_invoice **ip = calloc(n ? n : 1, sizeof *ip);
    char *letter = NULL;
    rg_status rc = RG_OK;
    if (!ri || !lb || !ip) {
        rc = rg_err_set(e, RG_ENOMEM, "engine", "out of memory");
        goto done;
    }
    offer_view ov = {0};
    for (size_t k = 0; k < n; k++) {
        fill_render_invoice(&cx, c, &invs[k], NULL, &ri[k], k == 0 ? &ov : NULL);
        ip[k] = &invs[k];
    }
    if (!strcmp(channel, "letter") && c && !(letter = letter_payload(&cx, c, ip, NULL, ri, lb, n))) {
        rc = rg_err_set(e, RG_ENOMEM, "engine", "out of memory");
        goto done;
    }
    rg_rendered r;
    memset(&r, 0, sizeof r);
    rc = render_message_x(eng, cust, ri, n, &ov, template_name, channel, x, now, &r, &out->payload, e);
    if (rc == RG_OK && letter) {
        free(out->payload);
        out->payload = letter;
        letter = NULL;
    }
done:
    free(letter);
    free(ri);
    free(lb);
    free(ip);
    if (rc != RG_OK)
        return rc;
    out->subject = r.subject;
    out->body = r.text;
    out->html = r.html;
    r.subject = r.text = r.html = NULL;
    rg_rendered_free(&r);
    return RG_OK;
}

void rg_engine_content_free(rg_engine_content *c)
{
    if (!c)
        return;
    free(c->subject);
    free(c->body);
    free(c->html);
    free(c->payload);
    memset(c, 0, sizeof *c);
}

/* Renders one message for the pending steps pend[0..n) — one invoice, or
 * several of the same step when consolidated — and appends it to the
 * batch's effects, its index in *index. Recording and delivery happen at
 * apply. */
static rg_status plan_message(customer_ctx *cx, batch *b, pending *const *pend, size_t n, const char *key,
                              bool consolidated, rg_effects *fx, size_t *index, rg_err *e)
{
    rg_engine *eng = cx->eng;
    const pending *lead = pend[0]; /* every one is at the same step, on the same channel */
    const rg_cadence *c = lead->cadence;
    const rg_cadence_step *st = &c->steps[lead->step];
    const rg_cadence_send *send = &st->send;
    const rg_customer *cust = &b->rows[lead->row].r.customer;
    const char *channel = send->channels.v[channel_at(send, lead->preferred, (size_t)lead->channel)];

    rg_render_invoice *ri = calloc(n, sizeof *ri);
    const rg_invoice **invs = calloc(n, sizeof *invs);
    if (!ri || !invs) {
        free(ri);
        free(invs);
        return rg_err_set(e, RG_ENOMEM, "engine", "out of memory");
    }
    offer_view ov = {0};
    for (size_t k = 0; k < n; k++) {
        invs[k] = &b->rows[pend[k]->row].r.invoice;
        fill_render_invoice(cx, pend[k]->cadence, invs[k], pend[k]->reissued ? &pend[k]->reissue : NULL, &ri[k],
                            k == 0 ? &ov : NULL);
    }
    /* a letter encloses the boleto each invoice can be paid with now */
    letter_boleto *lb = NULL;
    char *letter = NULL;
    if (!strcmp(channel, "letter")) {
        const rg_reissue **res = calloc(n, sizeof *res);
        lb = calloc(n, sizeof *lb);
        if (res && lb) {
            for (size_t k = 0; k < n; k++)
                res[k] = pend[k]->reissued ? &pend[k]->reissue : NULL;
            letter = letter_payload(cx, c, invs, res, ri, lb, n);
        }
        free(res);
        if (!letter) {
            free(lb);
            free(ri);
            free(invs);
            return rg_err_set(e, RG_ENOMEM, "engine", "out of memory");
        }
    }
    rg_fx_message *x = rg_fx_message_add(fx, index);
    if (!x) {
        free(letter);
        free(lb);
        free(ri);
        free(invs);
        return rg_err_set(e, RG_ENOMEM, "engine", "out of memory");
    }
    x->customer = cust;
    x->consolidated = consolidated;
    rg_message *m = &x->m;
    rg_strlcpy(m->idempotency_key, key, sizeof m->idempotency_key);
    m->customer_id = cust->id;
    m->invoice_id = invs[0]->id;
    rg_strlcpy(m->cadence, c->name, sizeof m->cadence);
    rg_strlcpy(m->cadence_version, c->version, sizeof m->cadence_version);
    rg_strlcpy(m->source_kind, "step", sizeof m->source_kind);
    rg_strlcpy(m->source_id, st->id, sizeof m->source_id);
    rg_strlcpy(m->channel, channel, sizeof m->channel);
    size_t fb = 0;
    for (size_t pos = (size_t)lead->channel + 1; pos < send->channels.n; pos++) {
        int w = snprintf(m->fallbacks + fb, sizeof m->fallbacks - fb, "%s%s", fb ? "|" : "",
                         send->channels.v[channel_at(send, lead->preferred, pos)]);
        if (w < 0 || (size_t)w >= sizeof m->fallbacks - fb)
            break;
        fb += (size_t)w;
    }
    rg_strlcpy(m->template_name, send->template_name ? send->template_name : "", sizeof m->template_name);
    m->planned_for = cx->now;
    m->created_at = m->updated_at = cx->now;
    rg_strlcpy(m->reason, lead->reason, sizeof m->reason);

    rg_rendered out;
    memset(&out, 0, sizeof out);
    rg_err re;
    rg_err_clear(&re);
    if (render_message(eng, cust, ri, n, &ov, m->template_name, channel, cx->now, &out, &x->payload, &re) != RG_OK) {
        /* never an empty hole: the message is suppressed, and says why */
        m->status = RG_MSG_SUPPRESSED;
        snprintf(m->reason, sizeof m->reason, "template %s.%s: %s", m->template_name, channel, re.msg);
    } else {
        x->subject = out.subject;
        x->body = out.text;
        x->html = out.html;
        out.subject = out.text = out.html = NULL;
        if (letter) {
            free(x->payload);
            x->payload = letter;
            letter = NULL;
        }
        int ci = rg_engine_channel_index(eng, channel);
        bool inline_send = eng->dry_run || (ci >= 0 && rg_channel_is_inline(eng->channels[ci].ch));
        m->status = inline_send ? RG_MSG_SENT : RG_MSG_QUEUED;
        if (inline_send) {
            m->sent_at = cx->now;
            m->cost = rg_config_channel_cost(eng->config, channel); /* reset if the send fails */
        }
        /* it counts against the cap from now on */
        if (cx->n_recent < 256)
            cx->recent[cx->n_recent++] = m->planned_for;
    }
    rg_rendered_free(&out);
    rg_fx_message_invoices(fx, *index, invs, n);
    free(letter);
    free(lb);
    free(ri);
    free(invs);
    return fx->oom ? rg_err_set(e, RG_ENOMEM, "engine", "out of memory") : RG_OK;
}

/* The zone's name rg_engine_zone looks up. */
static const char *zone_name(const rg_engine *eng, const rg_customer *c, const rg_cadence *cad)
{
    return c->timezone[0] ? c->timezone
           : (cad && cad->timezone && cad->timezone[0]) ? cad->timezone
                                                         : eng->config->default_timezone;
}

const rg_tz *rg_engine_zone(rg_engine *eng, const rg_customer *c, const rg_cadence *cad)
{
    const char *name = zone_name(eng, c, cad);
    const rg_tz *tz = NULL;
    rg_err e;
    if (rg_tz_cache_get(eng->tzs, name, &tz, &e) != RG_OK || !tz) {
        rg_warn("customer %s: time zone '%s' unusable (%s); using %s", c->external_id, name, e.msg,
                eng->config->default_timezone);
        if (rg_tz_cache_get(eng->tzs, eng->config->default_timezone, &tz, &e) != RG_OK)
            tz = rg_tz_utc();
    }
    return tz;
}

/* Invoices paid after their effective due date, from "due:paid_on,..." —
 * the repeat-offender count `late_count_12m_min` matches on. *until (may
 * be NULL): when the count next drops, as the oldest of them leaves the
 * 12 months (a tick reads the payments since its UTC date - 365 days);
 * RG_INSTANT_NONE when none counts. */
static int64_t late_count(const rg_engine *eng, const char *history, rg_instant *until)
{
    int64_t n = 0;
    rg_date oldest = RG_DATE_NONE;
    for (const char *p = history; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *colon = memchr(p, ':', len);
        int64_t due, paid;
        if (colon && rg_parse_i64((rg_slice){p, (size_t)(colon - p)}, INT32_MIN, INT32_MAX, &due) &&
            rg_parse_i64((rg_slice){colon + 1, len - (size_t)(colon + 1 - p)}, INT32_MIN, INT32_MAX, &paid) &&
            paid > rg_effective_due_date(eng->calendar, (rg_date)due)) {
            n++;
            if (oldest == RG_DATE_NONE || paid < oldest)
                oldest = (rg_date)paid;
        }
        p += len + (comma ? 1 : 0);
    }
    if (until)
        *until = oldest == RG_DATE_NONE ? RG_INSTANT_NONE : rg_instant_from_civil(oldest + 366, 0, 0, 0);
    return n;
}

/* rg_engine_zone, remembering the last zone found (a customer's invoices
 * share it): the cache's lookup validates the name and locks each time. */
static const rg_tz *zone_for(customer_ctx *cx, const rg_customer *c, const rg_cadence *cad)
{
    const char *name = zone_name(cx->eng, c, cad);
    if (cx->zone_name && !strcmp(cx->zone_name, name))
        return cx->zone_tz;
    const rg_tz *tz = NULL;
    rg_err e;
    if (rg_tz_cache_get(cx->eng->tzs, name, &tz, &e) == RG_OK && tz) {
        cx->zone_name = name;
        cx->zone_tz = tz;
        return tz;
    }
    return rg_engine_zone(cx->eng, c, cad); /* warns, falls back */
}

/* The earlier of two instants, RG_INSTANT_NONE being "never". */
static rg_instant earliest(rg_instant a, rg_instant b)
{
    if (a == RG_INSTANT_NONE)
        return b;
    if (b == RG_INSTANT_NONE)
        return a;
    return a < b ? a : b;
}

/* When a step that has to wait today (over the cap, today's consolidated
 * message already sent) is looked at again: the window's first opening
 * on a later local day, in the zone and day cx holds. */
static rg_instant next_day_opening(const customer_ctx *cx, const rg_cadence *c)
{
    return rg_window_first_open_memo(cx->memo, &c->window, cx->eng->calendar, cx->tz, cx->today + 1);
}

/* The cadence an invoice follows: its override, else the best match.
 * *until (may be NULL): when the match may change by itself (the
 * customer's late payments leaving the 12 months), RG_INSTANT_NONE when
 * it cannot. */
static const rg_cadence *cadence_for(const rg_engine *eng, const rg_invoice *inv, const rg_customer *cust,
                                     const char *paid_history, rg_instant *until)
{
    if (until)
        *until = RG_INSTANT_NONE;
    if (inv->cadence_override[0]) {
        const rg_cadence *c = rg_cadence_set_find(eng->cadences, inv->cadence_override);
        if (c)
            return c;
    }
    char tagbuf[2 * RG_TAGS_MAX + 2];
    const char *tags[64];
    rg_match_subject subj;
    memset(&subj, 0, sizeof subj);
    subj.kind = cust->kind;
    subj.tags = tags;
    subj.n_tags = rg_match_tags(cust->tags, inv->tags, tagbuf, sizeof tagbuf, tags, 64);
    subj.amount = inv->amount;
    subj.late_count_12m = late_count(eng, paid_history, eng->needs_late_count ? until : NULL);
    return rg_cadence_set_choose(eng->cadences, &subj);
}

/* ---- versions: when cadences and steps were first seen ---- */

const rg_engine_seen *rg_engine_seen_of(const rg_engine *eng, const rg_cadence *c)
{
    if (!eng->seen)
        return NULL;
    for (size_t i = 0; i < eng->cadences->n; i++)
        if (eng->seen[i].cadence == c)
            return &eng->seen[i];
    return NULL;
}

rg_status rg_engine_load_seen(rg_engine *eng, rg_instant now, bool record, rg_err *e)
{
    if (eng->seen && (!record || (eng->seen_at != RG_INSTANT_NONE && now >= eng->seen_at)))
        return RG_OK; /* read already; recorded at an instant no later than now */
    if (!eng->seen && !(eng->seen = calloc(eng->cadences->n ? eng->cadences->n : 1, sizeof *eng->seen)))
        return rg_err_set(e, RG_ENOMEM, "engine", "out of memory");
    rg_status rc = RG_OK;
    bool tx = false;
    if (record) {
        if ((rc = rg_store_begin(eng->store, e)) != RG_OK)
            return rc;
        tx = true;
    }
    for (size_t i = 0; i < eng->cadences->n && rc == RG_OK; i++) {
        const rg_cadence *c = eng->cadences->items[i];
        rg_engine_seen *sn = &eng->seen[i];
        sn->cadence = c;
        size_t n = c->n_steps + 1;
        const char **ids = calloc(n, sizeof *ids);
        rg_instant *at = calloc(n, sizeof *at);
        if (!ids || !at || (!sn->steps && !(sn->steps = calloc(c->n_steps ? c->n_steps : 1, sizeof *sn->steps)))) {
            free(ids);
            free(at);
            rc = rg_err_set(e, RG_ENOMEM, "engine", "out of memory");
            break;
        }
        ids[0] = "";
        for (size_t k = 0; k < c->n_steps; k++)
            ids[k + 1] = c->steps[k].id;
        rc = rg_store_steps_seen(eng->store, c->name, ids, n, now, record, at, e);
        if (rc == RG_OK && record)
            rc = rg_store_cadence_version_seen(eng->store, c->name, c->version, c->allow_contact_outside_hours, now, e);
        if (rc == RG_OK) {
            sn->cadence_seen = at[0];
            for (size_t k = 0; k < c->n_steps; k++)
                sn->steps[k] = at[k + 1];
        }
        free(ids);
        free(at);
    }
    if (tx) {
        if (rc == RG_OK)
            rc = rg_store_commit(eng->store, e);
        else
            rg_store_rollback(eng->store);
    }
    if (rc == RG_OK && record)
        eng->seen_at = now;
    return rc;
}

void rg_engine_plan_input(const rg_engine *eng, rg_plan_input *in, const rg_cadence *c, const rg_invoice *inv,
                          const rg_customer *cust, rg_progress *prog, const char *progress_cadence, const rg_tz *tz,
                          rg_instant now)
{
    rg_plan_input_init(in);
    in->cadence = c;
    in->invoice = inv;
    in->progress = prog;
    in->calendar = eng->calendar;
    in->tz = tz;
    in->now = now;
    const rg_engine_seen *sn = rg_engine_seen_of(eng, c);
    if (sn) {
        in->step_seen = sn->steps;
        in->cadence_seen = sn->cadence_seen;
    }
    /* on this cadence since: as recorded, else since the invoice exists;
     * an invoice that comes from another cadence starts now */
    if (progress_cadence && strcmp(progress_cadence, c->name) != 0)
        in->started = RG_INSTANT_NONE;
    else if (prog->since != RG_INSTANT_NONE)
        in->started = prog->since;
    else
        in->started = inv->created_at;
    if (prog->since == RG_INSTANT_NONE)
        prog->since = in->started != RG_INSTANT_NONE ? in->started : now;
    in->notice_by_letter = cust->kind == RG_KIND_PF;
}

void rg_engine_plan_holds(const rg_cadence *c, const rg_tz *tz, const char *holds, const char *promises,
                          rg_plan_hold *hv, rg_plan_promise *pv, rg_plan_input *in)
{
    size_t np = 0, nh = 0;
    int64_t pid[RG_PLAN_MAX_PROMISES];
    /* "ID:LAST_DAY,..." */
    for (const char *p = promises; p && *p && np < RG_PLAN_MAX_PROMISES;) {
        char *end;
        long long id = strtoll(p, &end, 10);
        if (*end != ':')
            break;
        long long last = strtoll(end + 1, &end, 10);
        pid[np] = id;
        pv[np].id = id;
        pv[np++].deadline = rg_tz_to_utc(tz, (rg_date)last + 1, 0);
        p = *end == ',' ? end + 1 : end;
    }
    /* "PROMISE_ID:STEP\n..." */
    for (const char *p = holds; p && *p && nh < RG_PLAN_MAX_HOLDS;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *end;
        long long promise = strtoll(p, &end, 10);
        if (*end == ':') {
            char step[RG_HOLD_STEP_MAX + 1];
            size_t sl = len - (size_t)(end + 1 - p);
            snprintf(step, sizeof step, "%.*s", (int)(sl < sizeof step ? sl : sizeof step - 1), end + 1);
            int si = step[0] ? rg_cadence_step_index(c, step) : -1;
            int pi = -1;
            if (promise) {
                pi = -2;
                for (size_t k = 0; k < np; k++)
                    if (pid[k] == promise)
                        pi = (int)k;
            }
            /* a step this cadence does not have, or a promise no longer pending: nothing held */
            if ((!step[0] || si >= 0) && pi != -2) {
                hv[nh].step = si;
                hv[nh++].promise = pi;
            }
        }
        p += len + (nl ? 1 : 0);
    }
    in->holds = hv;
    in->n_holds = nh;
    in->promises = pv;
    in->n_promises = np;
}

/* Plans invoice inv; when a consumer's listing needs to know whether its
 * notice went by letter, looks it up (on `reader`) and plans again. */
static rg_status plan_with_letter(customer_ctx *cx, rg_plan_input *in, rg_plan *plan, rg_err *e)
{
    rg_plan_invoice(in, plan);
    if (!plan->needs_notice_letter || !cx->reader)
        return RG_OK;
    rg_instant at;
    rg_status rc = rg_store_step_letter_sent_at(cx->reader, in->invoice->id, in->cadence->name,
                                                plan->needs_notice_letter, &at, e);
    if (rc != RG_OK)
        return rc;
    in->notice_letter_step = plan->needs_notice_letter;
    in->notice_letter_at = at;
    rg_plan_invoice(in, plan);
    return RG_OK;
}

/* Whether the customer has a number to call (the phone, else WhatsApp). */
static bool has_phone(const rg_customer *c)
{
    return c->phone[0] || c->whatsapp[0];
}

/* The step's actions (reissue, task, bureau request), written only once
 * message `after` goes in (RG_FX_NONE: at once). cx->tz/today are the
 * invoice's. */
static void plan_actions(customer_ctx *cx, batch *b, pending *pd, size_t after, rg_effects *fx)
{
    const rg_cadence *c = pd->cadence;
    const rg_cadence_step *st = &c->steps[pd->step];
    const rg_invoice *inv = &b->rows[pd->row].r.invoice;
    const rg_customer *cust = &b->rows[pd->row].r.customer;
    if (st->action == RG_ACTION_TASK) {
        rg_task t;
        memset(&t, 0, sizeof t);
        rg_strlcpy(t.kind, st->task_kind ? st->task_kind : "call", sizeof t.kind);
        t.customer_id = cust->id;
        t.invoice_id = inv->id;
        snprintf(t.source, sizeof t.source, "step:%s/%s", c->name, st->id);
        t.due_at = cx->now;
        t.created_at = cx->now;
        rg_fx_task(fx, &t, after);
    } else if (st->action == RG_ACTION_BUREAU_LISTING) {
        const rg_progress_item *notice = rg_progress_find(&pd->progress, st->requires_notice);
        rg_fx_bureau(fx, inv->id, notice && notice->at != RG_INSTANT_NONE ? notice->at : cx->now, after);
    } else if (st->action == RG_ACTION_REISSUE) {
        compute_reissue(cx, c, st, inv, &pd->reissue);
        rg_fx_reissue(fx, inv->id, &pd->reissue, after);
        pd->reissued = true;
    }
}

/* The customer's zone and local date for an invoice on cadence c. */
static void set_zone(customer_ctx *cx, const rg_customer *cust, const rg_cadence *c)
{
    cx->consumer = cust->kind == RG_KIND_PF;
    cx->tz = zone_for(cx, cust, c);
    int sod;
    rg_tz_local(cx->tz, cx->now, &cx->today, &sod);
}

/* Orders pending steps for the caps: the message that would stop being
 * true soonest first (a "vence hoje" before an "em atraso" that stays true
 * until the next step), then the most advanced step, then the invoice's
 * order. */
static int cmp_pending(const void *a, const void *b)
{
    const pending *x = *(pending *const *)a, *y = *(pending *const *)b;
    if (x->relevant_until != y->relevant_until) {
        if (x->relevant_until == RG_INSTANT_NONE)
            return 1;
        if (y->relevant_until == RG_INSTANT_NONE)
            return -1;
        return x->relevant_until < y->relevant_until ? -1 : 1;
    }
    int ax = x->cadence->steps[x->step].at_days, ay = y->cadence->steps[y->step].at_days;
    if (ax != ay)
        return ax > ay ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* Plans one customer's invoices rows[from, to): what fires, what is
 * skipped, the messages (rendered, one per step — or per step and channel
 * when consolidated), tasks, listings, reissues and progress, all appended
 * to fx. Touches no store but `reader`, to look up a consumer's notice
 * letter when a listing is due. */
static rg_status plan_customer(rg_engine *eng, rg_store *reader, batch *b, size_t from, size_t to, rg_instant now,
                               bool no_offers, rg_window_memo *memo, rg_effects *fx, rg_err *e)
{
    rg_tick_stats *stats = &fx->stats;
    customer_ctx cx;
    memset(&cx, 0, sizeof cx);
    cx.eng = eng;
    cx.now = now;
    cx.reader = reader;
    cx.no_offers = no_offers;
    cx.memo = memo;
    parse_recent(&cx, b->rows[from].recent);
    pending *pend = calloc(to - from, sizeof *pend);
    pending **order = calloc(to - from, sizeof *order);
    size_t n_pend = 0;
    rg_status rc = RG_OK;
    if (!pend || !order) {
        rc = rg_err_set(e, RG_ENOMEM, "engine", "out of memory");
        goto out;
    }

    for (size_t i = from; i < to; i++) {
        row *r = &b->rows[i];
        rg_invoice *inv = &r->r.invoice;
        const rg_customer *cust = &r->r.customer;
        stats->invoices++;
        /* the agenda: when to plan this invoice again (never, unless said below) */
        rg_fx_agenda ag = {RG_INSTANT_NONE, RG_INSTANT_NONE, r->r.next_at, r->r.agenda_wakes};
        rg_instant match_until;
        const rg_cadence *c = cadence_for(eng, inv, cust, r->paid_history, &match_until);
        if (!c) {
            stats->no_cadence++;
            rg_fx_progress(fx, inv->id, NULL, NULL, RG_FX_NONE, &ag);
            continue;
        }
        set_zone(&cx, cust, c);
        rg_progress prog;
        bool same = r->progress_cadence && !strcmp(r->progress_cadence, c->name);
        rg_progress_parse(same ? r->progress : NULL, &prog);
        rg_plan_input in;
        rg_engine_plan_input(eng, &in, c, inv, cust, &prog, r->progress_cadence, cx.tz, now);
        in.window_memo = memo;
        rg_plan_hold hv[RG_PLAN_MAX_HOLDS];
        rg_plan_promise pv[RG_PLAN_MAX_PROMISES];
        /* deadlines where the customer is (else the company): as the payment
         * path counts them (the zone only matters to a promise) */
        rg_engine_plan_holds(c, r->promises ? zone_for(&cx, cust, NULL) : NULL, r->holds, r->promises, hv, pv, &in);
        rg_plan plan;
        if ((rc = plan_with_letter(&cx, &in, &plan, e)) != RG_OK)
            goto out;
        /* a promise whose deadline passed unpaid is broken (promise.broken) */
        for (size_t k = 0; k < plan.n_broken; k++)
            rg_fx_promise_broken(fx, inv->id, in.promises[plan.broken[k]].id, in.promises[plan.broken[k]].deadline);
        stats->held += (int64_t)plan.n_held;
        if (plan.kind == RG_PLAN_PRESCRIBED || plan.kind == RG_PLAN_CLOSED) {
            stats->prescribed += plan.kind == RG_PLAN_PRESCRIBED;
            rg_fx_progress(fx, inv->id, NULL, NULL, RG_FX_NONE, &ag);
            continue;
        }
        /* once planned, the next instant; a step that has to wait (cap,
         * today's consolidated message gone) is looked at again tomorrow */
        ag.next_at = earliest(plan.agenda_at, match_until);
        ag.wait_at = earliest(next_day_opening(&cx, c), match_until);
        bool dirty = false;
        for (size_t k = 0; k < plan.n_skipped; k++) {
            char state = plan.skipped_state[k];
            rg_progress_set(&prog, c->steps[plan.skipped[k]].id, state, now);
            switch (state) {
            case RG_STEP_SUPERSEDED: stats->superseded++; break;
            case RG_STEP_ADDED_AFTER: stats->added_after++; break;
            case RG_STEP_NOT_BY_LETTER: stats->not_by_letter++; break;
            default: stats->no_notice++; break;
            }
            dirty = true;
        }
        if (plan.kind == RG_PLAN_FIRE) {
            const rg_cadence_step *st = &c->steps[plan.fire];
            bool wants_message = st->send.present && st->send.channels.n > 0;
            stats->fired++;
            pending *pd = &pend[n_pend];
            memset(pd, 0, sizeof *pd);
            pd->row = i;
            pd->cadence = c;
            pd->tz = cx.tz;
            pd->step = plan.fire;
            pd->due_at = plan.fire_due_at;
            pd->relevant_until = rg_plan_step_relevant_until(&in, plan.fire);
            pd->preferred = -1;
            if (st->action == RG_ACTION_TASK && (!st->task_kind || !strcmp(st->task_kind, "call")) &&
                !has_phone(cust)) {
                /* nobody to call: no task; the cadence goes on to its next step */
                rg_progress_set(&prog, st->id, RG_STEP_NO_PHONE, now);
                stats->no_phone++;
                stats->fired--;
                dirty = true;
            } else if (!wants_message) {
                rg_progress_set(&prog, st->id, RG_STEP_DONE, now);
                rg_progress_copy(&pd->progress, &prog);
                plan_actions(&cx, b, pd, RG_FX_NONE, fx);
                dirty = true;
            } else {
                pd->preferred = preferred_index(c, st, cust);
                pd->channel = choose_channel(eng, &st->send, pd->preferred, cust, r->optouts, pd->reason,
                                             sizeof pd->reason);
                rg_progress_set(&prog, st->id, pd->channel < 0 ? RG_STEP_SUPPRESSED : RG_STEP_DONE, now);
                rg_progress_copy(&pd->progress, &prog);
                if (pd->channel >= 0) {
                    pd->agenda = ag;
                    order[n_pend] = pd;
                    n_pend++;
                    continue; /* progress and actions go with the message */
                }
                /* no channel left: the step's actions happen, and a
                 * suppressed message says why nothing went out */
                plan_actions(&cx, b, pd, RG_FX_NONE, fx);
                size_t index;
                rg_fx_message *x = rg_fx_message_add(fx, &index);
                if (!x) {
                    rc = rg_err_set(e, RG_ENOMEM, "engine", "out of memory");
                    goto out;
                }
                rg_message *m = &x->m;
                x->customer = cust;
                snprintf(m->idempotency_key, sizeof m->idempotency_key, "step:%s:%s:%lld", c->name, st->id,
                         (long long)inv->id);
                m->customer_id = cust->id;
                m->invoice_id = inv->id;
                rg_strlcpy(m->cadence, c->name, sizeof m->cadence);
                rg_strlcpy(m->cadence_version, c->version, sizeof m->cadence_version);
                rg_strlcpy(m->source_kind, "step", sizeof m->source_kind);
                rg_strlcpy(m->source_id, st->id, sizeof m->source_id);
                rg_strlcpy(m->template_name, st->send.template_name ? st->send.template_name : "",
                           sizeof m->template_name);
                m->status = RG_MSG_SUPPRESSED;
                snprintf(m->reason, sizeof m->reason, "no channel left: %s", pd->reason);
                m->planned_for = now;
                m->created_at = m->updated_at = now;
                const rg_invoice *one = inv;
                rg_fx_message_invoices(fx, index, &one, 1);
                dirty = true;
            }
        }
        rg_fx_progress(fx, inv->id, c, dirty ? &prog : NULL, RG_FX_NONE, &ag);
    }

    /* messages: one per pending step — with consolidation, one per step and
     * channel listing every invoice at that step; when the cap cuts, the
     * messages that would stop being true soonest go first */
    qsort(order, n_pend, sizeof *order, cmp_pending);
    for (size_t k = 0; k < n_pend; k++) {
        pending *pd = order[k];
        if (pd->grouped)
            continue;
        const rg_cadence *c = pd->cadence;
        const rg_cadence_step *st = &c->steps[pd->step];
        const rg_customer *cust = &b->rows[pd->row].r.customer;
        const char *channel = st->send.channels.v[channel_at(&st->send, pd->preferred, (size_t)pd->channel)];
        char key[192];
        size_t group_n = 1;
        pending *group[64];
        group[0] = pd;
        set_zone(&cx, cust, c);
        if (c->consolidate) {
            /* the other invoices at this very step, on the same channel, join */
            for (size_t j = k + 1; j < n_pend && group_n < 64; j++) {
                pending *q = order[j];
                if (!q->grouped && q->cadence == c && q->step == pd->step &&
                    !strcmp(st->send.channels.v[channel_at(&st->send, q->preferred, (size_t)q->channel)], channel)) {
                    group[group_n++] = q;
                    q->grouped = true;
                }
            }
            /* the day's message of this step; one planned later the same day
             * (an invoice imported or become due since) gets its own: the key
             * names its first invoice */
            char day[16];
            snprintf(key, sizeof key, "cons:%s:%lld:%s:%s:%s:%lld", c->name, (long long)cust->id, st->id, channel,
                     rg_date_format_iso(cx.today, day, sizeof day), (long long)b->rows[pd->row].r.invoice.id);
        } else {
            snprintf(key, sizeof key, "step:%s:%s:%lld", c->name, st->id,
                     (long long)b->rows[pd->row].r.invoice.id);
        }
        if (!cap_allows(&cx, c)) {
            /* over the cap: the step waits for the next day it fits */
            stats->deferred += (int64_t)group_n;
            stats->fired -= (int64_t)group_n;
            for (size_t g = 0; g < group_n; g++) { /* looked at again tomorrow */
                rg_fx_agenda wait = group[g]->agenda;
                wait.next_at = wait.wait_at;
                rg_fx_progress(fx, b->rows[group[g]->row].r.invoice.id, group[g]->cadence, NULL, RG_FX_NONE, &wait);
            }
            continue;
        }
        /* the message about to be added: its actions and progress follow it */
        size_t next = fx->n_msgs;
        cx.step_offer = &st->offer; /* a step's offer: its message and reissue show it */
        for (size_t g = 0; g < group_n; g++) {
            plan_actions(&cx, b, group[g], next, fx);
            if (st->offer.present)
                rg_fx_offer(fx, b->rows[group[g]->row].r.invoice.id, c, st, next);
        }
        size_t index;
        rc = plan_message(&cx, b, group, group_n, key, c->consolidate, fx, &index, e);
        cx.step_offer = NULL;
        if (rc != RG_OK)
            goto out;
        /* a consolidated message whose key existed (today's of this step
         * went already) leaves its steps waiting for tomorrow */
        for (size_t g = 0; g < group_n; g++)
            rg_fx_progress(fx, b->rows[group[g]->row].r.invoice.id, group[g]->cadence, &group[g]->progress,
                           c->consolidate ? index : RG_FX_NONE, &group[g]->agenda);
    }
    if (fx->oom)
        rc = rg_err_set(e, RG_ENOMEM, "engine", "out of memory");
out:
    free(order);
    free(pend);
    return rc;
}

#define RG_TICK_COMMIT_ROWS 250000
/* Customers asked of the store at a time while filling a batch (it reads
 * them in one range when their ids are dense, else 64 per statement). */
#define RG_TICK_READ_CUSTOMERS 256

/* What the inline channels wrote must be durable before the transaction
 * that says "sent" commits. */
rg_status rg_engine_commit(rg_engine *eng, rg_err *e)
{
    rg_status rc = RG_OK;
    for (size_t k = 0; rc == RG_OK && k < eng->n_channels; k++)
        if (eng->channels[k].ch)
            rc = rg_channel_flush(eng->channels[k].ch, e);
    if (rc != RG_OK) {
        rg_store_rollback(eng->store);
        return rc;
    }
    return rg_store_commit(eng->store, e);
}

/* The customers a tick plans, ascending and distinct. */
typedef struct idvec {
    int64_t *v;
    size_t n, cap;
} idvec;

static rg_status idvec_add(void *p, int64_t id)
{
    idvec *x = p;
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 1024;
        int64_t *v = realloc(x->v, cap * sizeof *v);
        if (!v)
            return RG_ENOMEM;
        x->v = v;
        x->cap = cap;
    }
    x->v[x->n++] = id;
    return RG_OK;
}

/* a ∪ b into out (all ascending and distinct). */
static rg_status idvec_union(const idvec *a, const idvec *b, idvec *out)
{
    size_t i = 0, j = 0;
    while (i < a->n || j < b->n) {
        int64_t id;
        if (j == b->n || (i < a->n && a->v[i] < b->v[j]))
            id = a->v[i++];
        else if (i == a->n || b->v[j] < a->v[i])
            id = b->v[j++];
        else
            id = a->v[i++], j++;
        if (idvec_add(out, id) != RG_OK)
            return RG_ENOMEM;
    }
    return RG_OK;
}

/* One batch of the tick: whole customers from `from` on, read and planned
 * into effects. Runs on the read-ahead thread when there is one. */
typedef struct job {
    rg_engine *eng;
    rg_store *src; /* the reader connection, or the engine's own */
    rg_instant now, recent_since;
    bool no_offers; /* no open offer valid at now (asked once per tick) */
    const idvec *customers;
    size_t from, to; /* customers[from, to) are this batch's */
    batch b;
    rg_effects fx;
    rg_status rc;
    rg_err e;
} job;

static void prepare_job(job *j)
{
    rg_engine *eng = j->eng;
    batch *b = &j->b;
    rg_effects_clear(&j->fx);
    batch_clear(b);
    j->rc = RG_OK;
    rg_date late_since = eng->needs_late_count ? rg_instant_utc_date(j->now) - 365 : RG_DATE_NONE;
    /* whole customers (caps and consolidation see all of a customer's
     * invoices) until the batch is full */
    j->to = j->from;
    while (j->rc == RG_OK && j->to < j->customers->n && (int64_t)b->n < eng->batch_size) {
        size_t k = j->customers->n - j->to < RG_TICK_READ_CUSTOMERS ? j->customers->n - j->to : RG_TICK_READ_CUSTOMERS;
        j->rc = rg_store_tick_customers(j->src, j->recent_since, late_since, j->customers->v + j->to, k, collect, b, &j->e);
        if (b->oom)
            j->rc = rg_err_set(&j->e, RG_ENOMEM, "engine", "out of memory");
        j->to += k;
    }
    if (j->rc != RG_OK)
        return;
    resolve_texts(b);
    /* the window's openings, shared by the batch's invoices (NULL if out of memory: computed each time) */
    rg_window_memo *memo = calloc(1, sizeof *memo);
    for (size_t i = 0; i < b->n && j->rc == RG_OK;) {
        size_t k = i + 1;
        while (k < b->n && b->rows[k].r.customer.id == b->rows[i].r.customer.id)
            k++;
        j->rc = plan_customer(eng, j->src, b, i, k, j->now, j->no_offers, memo, &j->fx, &j->e);
        i = k;
    }
    free(memo);
}

static void *prepare_thread(void *p)
{
    prepare_job(p);
    return NULL;
}

/* The re-plan's walk: customers in id order, those not due this tick
 * collected (a due customer is planned anyway, every open invoice of it). */
typedef struct replan_walk {
    idvec *out;
    const idvec *due; /* ascending */
    int64_t last;     /* the last customer seen */
    int64_t fresh;    /* customers collected that are not due */
} replan_walk;

static rg_status replan_collect(void *p, int64_t id)
{
    replan_walk *w = p;
    w->last = id;
    size_t lo = 0, hi = w->due->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->due->v[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < w->due->n && w->due->v[lo] == id)
        return RG_OK;
    w->fresh++;
    return idvec_add(w->out, id);
}

/* Which customers this tick plans: those with an invoice due on the
 * agenda, and while the cadences changed (or in a full tick) the next
 * customers of the re-plan, whose every open invoice is planned anew.
 * Due customers are planned anyway: a stretch of the re-plan's order made
 * only of them costs it nothing, so the cursor moves past it and reads the
 * next stretch (after a new portfolio's catch-up, where every invoice is
 * due, the re-plan ends in that tick instead of taking limit-sized ticks).
 * *state becomes what to store once the tick is done. */
static rg_status tick_customers(rg_engine *eng, rg_instant now, bool full, idvec *out, rg_agenda_state *state,
                                bool *state_changed, rg_err *e)
{
    rg_status rc = rg_store_agenda_state_get(eng->store, state, e);
    if (rc != RG_OK)
        return rc;
    *state_changed = false;
    idvec due = {0}, replan = {0};
    if ((rc = rg_store_agenda_due_customers(eng->store, now, idvec_add, &due, e)) == RG_ENOMEM)
        rc = rg_err_set(e, RG_ENOMEM, "engine", "out of memory");
    if (rc == RG_OK && (full || strcmp(state->fingerprint, eng->fingerprint) != 0)) {
        int64_t after = !full && !strcmp(state->replan_fingerprint, eng->fingerprint) ? state->replan_after : 0;
        int64_t limit = full ? INT64_MAX : eng->replan_limit, scanned = 0;
        replan_walk w = {&replan, &due, after, 0};
        do {
            w.fresh = 0;
            rc = rg_store_agenda_customers_after(eng->store, w.last, limit, replan_collect, &w, &scanned, e);
        } while (rc == RG_OK && scanned == limit && w.fresh == 0);
        if (rc == RG_ENOMEM)
            rc = rg_err_set(e, RG_ENOMEM, "engine", "out of memory");
        if (rc == RG_OK) {
            if (scanned < limit) { /* done: every instant is planned with this set */
                rg_strlcpy(state->fingerprint, eng->fingerprint, sizeof state->fingerprint);
                state->replan_fingerprint[0] = '\0';
                state->replan_after = 0;
            } else {
                rg_strlcpy(state->replan_fingerprint, eng->fingerprint, sizeof state->replan_fingerprint);
                state->replan_after = w.last;
            }
            *state_changed = true;
        }
    }
    if (rc == RG_OK && idvec_union(&due, &replan, out) != RG_OK)
        rc = rg_err_set(e, RG_ENOMEM, "engine", "out of memory");
    free(due.v);
    free(replan.v);
    return rc;
}

static rg_status run_tick(rg_engine *eng, rg_instant now, bool full, rg_tick_stats *stats, rg_err *e)
{
    memset(stats, 0, sizeof *stats);
    /* versions: which steps are new since the cadence was first seen
     * (committed before the batches, which read on another connection) */
    rg_status seen_rc = rg_engine_load_seen(eng, now, true, e);
    if (seen_rc != RG_OK)
        return seen_rc;
    /* agreements first (service/agreements.h): a broken one reopens its
     * originals, planned below, and its agreement.broken may start timers */
    rg_event_env env = {eng->store, eng->zones, &eng->triggers};
    rg_agreement_check_stats ag = {0};
    rg_status rc = rg_store_begin(eng->store, e);
    if (rc == RG_OK)
        rc = rg_agreements_check(&env, now, &ag, e);
    if ((rc = rg_store_end(eng->store, rc, e)) != RG_OK)
        return rc;
    stats->agreements_completed = ag.completed;
    stats->agreements_broken = ag.broken;
    /* the trigger phase: timers whose moment has come fire first (a
     * pause or a switch of cadence then counts for the steps below) */
    rc = rg_engine_fire_timers(eng, now, stats, e);
    if (rc != RG_OK)
        return rc;
    idvec customers = {0};
    rg_agenda_state state;
    bool state_changed = false;
    rc = tick_customers(eng, now, full, &customers, &state, &state_changed, e);
    if (rc != RG_OK || customers.n == 0) {
        if (rc == RG_OK && state_changed)
            rc = rg_store_agenda_state_put(eng->store, &state, e);
        free(customers.v);
        return rc;
    }
    /* a second connection plans the next batch while this one writes;
     * without one (an in-memory database) the tick runs in one thread */
    rg_store *reader = NULL;
    rg_err ignored;
    if (rg_store_open_reader(eng->store, &reader, &ignored) != RG_OK)
        reader = NULL;
    /* the messages show an invoice's current offer: with none open at all
     * (the usual case), skip the lookup for each of them. Asked after the
     * timers fired (they may make offers); an offer this tick's steps make
     * is shown from the step (cx.step_offer), and one made elsewhere after
     * this has created_at > now, which the lookup would not see either */
    bool any_offer = true;
    if (rg_store_offer_any(reader ? reader : eng->store, now, &any_offer, &ignored) != RG_OK)
        any_offer = true;
    job jobs[2];
    memset(jobs, 0, sizeof jobs);
    for (int k = 0; k < 2; k++) {
        jobs[k].no_offers = !any_offer;
        jobs[k].eng = eng;
        jobs[k].now = now;
        jobs[k].customers = &customers;
        jobs[k].src = reader ? reader : eng->store;
        /* caps need the customer's recent messages; without caps, skip the read */
        jobs[k].recent_since = eng->max_cap_days > 0 ? now - (eng->max_cap_days + 1) * 86400 : RG_INSTANT_NONE;
    }
    prepare_job(&jobs[0]);
    bool in_tx = false;
    int64_t since_commit = 0;
    for (int cur = 0;; cur = 1 - cur) {
        job *j = &jobs[cur], *nx = &jobs[1 - cur];
        if ((rc = j->rc) != RG_OK) {
            *e = j->e;
            break;
        }
        bool last = j->to == customers.n;
        pthread_t th;
        bool ahead = false;
        if (!last) {
            /* the next batch starts with the next customer: nothing this
             * batch writes concerns it, so it may be read (on the reader,
             * which sees only what is committed) and planned meanwhile */
            nx->from = j->to;
            ahead = reader && pthread_create(&th, NULL, prepare_thread, nx) == 0;
        }
        if (!in_tx) {
            if ((rc = rg_store_begin(eng->store, e)) == RG_OK)
                in_tx = true;
        }
        if (rc == RG_OK && (rc = rg_effects_apply(eng, &j->fx, now, stats, e)) == RG_OK) {
            rg_tick_stats_add(stats, &j->fx.stats);
            since_commit += (int64_t)j->b.n;
            /* the re-plan's cursor moves with the last batch's writes */
            if (last && state_changed)
                rc = rg_store_agenda_state_put(eng->store, &state, e);
            /* commit every RG_TICK_COMMIT_ROWS invoices: large enough that a
             * page the batches keep touching (an invoice's, an index's) is
             * written to the WAL few times — with invoices scattered in the
             * table, 50,000 cost 40% more than 250,000 — and small enough
             * that the write lock is held seconds, not the whole tick */
            if (rc == RG_OK && (last || since_commit >= RG_TICK_COMMIT_ROWS)) {
                since_commit = 0;
                if ((rc = rg_engine_commit(eng, e)) == RG_OK)
                    in_tx = false; /* else rolled back below */
            }
        }
        if (ahead)
            pthread_join(th, NULL);
        else if (rc == RG_OK && !last)
            prepare_job(nx);
        if (rc != RG_OK || last)
            break;
    }
    if (in_tx) {
        if (rc == RG_OK)
            rc = rg_engine_commit(eng, e);
        else
            rg_store_rollback(eng->store);
    }
    for (int k = 0; k < 2; k++) {
        batch_free(&jobs[k].b);
        rg_effects_free(&jobs[k].fx);
    }
    rg_store_close(reader);
    free(customers.v);
    /* events the batches recorded (promise.broken at a deadline) may have
     * started timers due now: they fire in this tick, not the next one */
    if (rc == RG_OK)
        rc = rg_engine_fire_timers(eng, now, stats, e);
    return rc;
}

rg_status rg_engine_tick(rg_engine *eng, rg_instant now, rg_tick_stats *stats, rg_err *e)
{
    return run_tick(eng, now, false, stats, e);
}

rg_status rg_engine_tick_full(rg_engine *eng, rg_instant now, rg_tick_stats *stats, rg_err *e)
{
    return run_tick(eng, now, true, stats, e);
}

/* ---- openings, for simulate ---- */

typedef struct zones {
    char names[64][48];
    size_t n;
} zones;

static void zones_add(zones *z, const char *name)
{
    if (!name || !*name || z->n == 64)
        return;
    for (size_t i = 0; i < z->n; i++)
        if (!strcmp(z->names[i], name))
            return;
    rg_strlcpy(z->names[z->n++], name, sizeof z->names[0]);
}

static rg_status zone_cb(void *p, const char *name)
{
    zones_add(p, name);
    return RG_OK;
}

static int cmp_instant(const void *a, const void *b)
{
    rg_instant x = *(const rg_instant *)a, y = *(const rg_instant *)b;
    return x < y ? -1 : x > y;
}

size_t rg_engine_openings(rg_engine *eng, rg_date day, rg_instant *out, size_t max, rg_err *e)
{
    zones z;
    memset(&z, 0, sizeof z);
    zones_add(&z, eng->config->default_timezone);
    for (size_t i = 0; i < eng->cadences->n; i++)
        zones_add(&z, eng->cadences->items[i]->timezone);
    if (rg_store_customer_timezones(eng->store, zone_cb, &z, e) != RG_OK)
        return 0;
    size_t n = 0;
    for (size_t zi = 0; zi < z.n; zi++) {
        const rg_tz *tz;
        if (rg_tz_cache_get(eng->tzs, z.names[zi], &tz, e) != RG_OK)
            continue;
        for (size_t ci = 0; ci < eng->cadences->n && n < max; ci++) {
            rg_instant t = rg_window_first_open_on_or_after_day(&eng->cadences->items[ci]->window, eng->calendar, tz, day);
            if (t == RG_INSTANT_NONE)
                continue;
            rg_date local;
            int sod;
            rg_tz_local(tz, t, &local, &sod);
            if (local != day)
                continue; /* closed that day */
            bool dup = false;
            for (size_t k = 0; k < n; k++)
                dup |= out[k] == t;
            if (!dup)
                out[n++] = t;
        }
    }
    qsort(out, n, sizeof *out, cmp_instant);
    return n;
}

/* ---- explain ---- */

rg_status rg_engine_explain(rg_engine *eng, const rg_invoice *inv, const rg_customer *cust, rg_instant now,
                            rg_invoice_explain *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    out->next_due_at = RG_INSTANT_NONE;
    out->effective_due = rg_effective_due_date(eng->calendar, inv->due_date);
    char stored_cadence[64];
    bool found = false;
    if (rg_store_progress_get(eng->store, inv->id, stored_cadence, sizeof stored_cadence, out->progress,
                              sizeof out->progress, &found, e) != RG_OK)
        return RG_ESTORE;
    /* the same row a tick would read, for the customer's payment history */
    batch b;
    memset(&b, 0, sizeof b);
    rg_date late_since = eng->needs_late_count ? rg_instant_utc_date(now) - 365 : RG_DATE_NONE;
    if (inv->status == RG_INV_OPEN &&
        read_batch(eng->store, &b, RG_INSTANT_NONE, late_since, inv->customer_id, inv->id - 1, 1, e) != RG_OK) {
        batch_free(&b);
        return RG_ESTORE;
    }
    const rg_cadence *c = cadence_for(eng, inv, cust, b.n ? b.rows[0].paid_history : NULL, NULL);
    rg_plan_hold hv[RG_PLAN_MAX_HOLDS];
    rg_plan_promise pv[RG_PLAN_MAX_PROMISES];
    rg_plan_input holds; /* the invoice's holds and promises, as the tick reads them */
    memset(&holds, 0, sizeof holds);
    if (c && b.n)
        rg_engine_plan_holds(c, rg_engine_zone(eng, cust, NULL), b.rows[0].holds, b.rows[0].promises, hv, pv, &holds);
    batch_free(&b);
    if (!c) {
        out->state = "no-cadence";
        return RG_OK;
    }
    rg_strlcpy(out->cadence, c->name, sizeof out->cadence);
    rg_strlcpy(out->version, c->version, sizeof out->version);
    if (found && strcmp(stored_cadence, c->name) != 0)
        out->progress[0] = '\0';
    rg_plan_input in;
    if (rg_engine_load_seen(eng, now, false, e) != RG_OK)
        return RG_ESTORE;
    customer_ctx cx;
    memset(&cx, 0, sizeof cx);
    cx.eng = eng;
    cx.now = now;
    cx.reader = eng->store;
    const rg_tz *tz = zone_for(&cx, cust, c);
    rg_progress prog;
    rg_progress_parse(out->progress, &prog);
    rg_engine_plan_input(eng, &in, c, inv, cust, &prog, found ? stored_cadence : NULL, tz, now);
    in.holds = holds.holds;
    in.n_holds = holds.n_holds;
    in.promises = holds.promises;
    in.n_promises = holds.n_promises;
    rg_plan plan;
    if (plan_with_letter(&cx, &in, &plan, e) != RG_OK)
        return RG_ESTORE;
    for (size_t k = 0; k < plan.n_held; k++) {
        size_t len = strlen(out->held);
        snprintf(out->held + len, sizeof out->held - len, "%s%s", len ? ", " : "", c->steps[plan.held[k]].id);
    }
    out->state = plan.kind == RG_PLAN_CLOSED ? "closed" : plan.kind == RG_PLAN_PRESCRIBED ? "prescribed" : "follows";
    if (plan.kind == RG_PLAN_FIRE) {
        rg_strlcpy(out->next_step, c->steps[plan.fire].id, sizeof out->next_step);
        out->next_due_at = plan.fire_due_at;
    } else if (plan.next_due_at != RG_INSTANT_NONE) {
        /* the pending step that becomes due first */
        for (size_t i = 0; i < c->n_steps; i++) {
            if (rg_progress_find(&prog, c->steps[i].id))
                continue;
            rg_date day = plan.effective_due + c->steps[i].at_days;
            rg_instant t = rg_window_first_open_on_or_after_day(&c->window, eng->calendar, tz, day);
            if (t == plan.next_due_at) {
                rg_strlcpy(out->next_step, c->steps[i].id, sizeof out->next_step);
                break;
            }
        }
        out->next_due_at = plan.next_due_at;
    }
    return RG_OK;
}

/* ---- what the portal shows ---- */

rg_status rg_engine_payable_get(rg_engine *eng, const rg_invoice *inv, const rg_customer *cust, rg_instant now,
                                rg_engine_payable *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    /* the cadence the tick planned it on, else its override or best match
     * (no payment history: the repeat-offender count reads as 0) */
    char stored[64], progress[1024];
    bool found = false;
    if (rg_store_progress_get(eng->store, inv->id, stored, sizeof stored, progress, sizeof progress, &found, e) !=
        RG_OK)
        return RG_ESTORE;
    const rg_cadence *c = found && !inv->cadence_override[0] ? rg_cadence_set_find(eng->cadences, stored) : NULL;
    if (!c)
        c = cadence_for(eng, inv, cust, NULL, NULL);
    static const rg_cadence no_cadence; /* no terms of its own: the invoice's, else the legal rate */
    if (!c)
        c = &no_cadence;
    customer_ctx cx;
    memset(&cx, 0, sizeof cx);
    cx.eng = eng;
    cx.now = now;
    cx.reader = eng->store;
    cx.tz = rg_engine_zone(eng, cust, c == &no_cadence ? NULL : c);
    cx.consumer = cust->kind == RG_KIND_PF;
    int sod;
    rg_tz_local(cx.tz, now, &cx.today, &sod);
    rg_render_invoice ri;
    offer_view ov;
    fill_render_invoice(&cx, c, inv, NULL, &ri, &ov);
    out->today = cx.today;
    out->balance = ri.amount;
    out->fine = ri.fine;
    out->interest = ri.interest;
    out->amount = ri.updated_amount;
    out->days_late = ri.days_late;
    out->due_date = ri.due_date;
    if (ov.present) {
        out->offer = true;
        out->offer_waived = ov.waived;
        out->offer_valid_until = ov.o.valid_until;
        out->offer_last_day = rg_tz_date(cx.tz, ov.o.valid_until - 1);
        rg_offer_describe(&ov.o, out->offer_text, sizeof out->offer_text);
    }
    letter_boleto lb;
    letter_enclosure(&cx, c, inv, NULL, &lb);
    if (lb.present) {
        out->boleto = true;
        out->boleto_generated = lb.generated;
        rg_strlcpy(out->barcode, lb.barcode, sizeof out->barcode);
        rg_strlcpy(out->linha, lb.linha, sizeof out->linha);
        out->boleto_due = lb.due;
        out->boleto_amount = lb.amount;
    }
    if (inv->pix_code[0])
        pix_with_amount(inv->pix_code, out->amount, out->pix, sizeof out->pix, true);
    return RG_OK;
}
