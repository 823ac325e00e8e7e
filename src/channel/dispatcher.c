#include "channel/dispatcher.h"

#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/health.h"
#include "base/log.h"
#include "base/money.h"
#include "channel/channel.h"
#include "channel/scrub.h"

#define MAX_CHANNELS RG_CONFIG_MAX_CHANNELS

typedef struct chan {
    rg_channel *ch; /* owned */
    const char *name;
    bool takes_key;
    bool resend;       /* on_uncertain: resend (else review) */
    bool mark;         /* write the handed mark before each transfer (async, review) */
    bool async;        /* prepare/complete in the multi handle */
    int max_in_flight; /* async only: transfers running plus outcomes not yet written */
    int unrecorded;    /* transfers that ended and whose outcome is not yet written */
    int max_attempts;
    int64_t rate_milli; /* tokens (messages) per second x 1000; 0: unlimited */
    int64_t tokens_milli;
    int64_t last_ms;
    int in_flight;
    bool exhausted; /* the last claim found fewer due messages than asked */
    /* paused (the provider refuses the channel itself: SMTP 535) */
    int pauses;             /* consecutive pauses; 0: working */
    rg_instant paused_until;
    char health[RG_CHANNEL_MAX + 16]; /* "channel:NAME" */
} chan;

/* One claimed message, from claim to the recorded outcome. */
typedef struct job {
    struct job *next;
    rg_message m; /* its strings point to the owned copies below */
    char *subject, *body, *html, *payload;
    rg_customer cust;
    char to[300];
    int chan; /* index; -1: channel not configured */
    rg_dispatch_verdict v; /* the check's (content overrides) */
    rg_dispatch_verdict fb; /* the fallback's (rerouted content) */
    void *easy;
    void *req;
    /* the outcome to record */
    rg_outbox_result res;
    bool lease_lost; /* the handed mark found the lease taken over */
    bool unrecorded; /* counted in its channel's unrecorded */
    bool task;       /* status uncertain: an operator task goes with it */
    char reason[512];
    char provider_id[128];
} job;

typedef struct job_list {
    job *head, *tail;
} job_list;

struct rg_dispatcher {
    rg_store *store;
    const rg_config *config;
    rg_channel_env env;
    rg_dispatch_check_fn check;
    void *check_ctx;
    int lease_seconds, batch, backoff_base, backoff_max;
    int stop_grace_ms; /* how long a stopping drain waits for a busy store */
    uint64_t rng;
    char owner[128];
    char host[64];
    char names[MAX_CHANNELS * (RG_CHANNEL_MAX + 2)]; /* "email|sms" */
    chan chans[MAX_CHANNELS];
    size_t n_chans;
    CURLM *multi;
    bool curl_ready; /* curl_global_init() succeeded: pair it with cleanup */
    atomic_int stop;
    job_list ready;  /* claimed, not started */
    job_list hand;   /* prepared, to be marked handed before they start */
    job_list done;   /* outcomes to record (kept until written: never dropped) */
    rg_instant renew_at; /* renew the leases held from then on; 0: none held */
    rg_dispatch_stats *st;
};

/* ---- small helpers ---- */

static void list_push(job_list *l, job *j)
{
    j->next = NULL;
    if (l->tail)
        l->tail->next = j;
    else
        l->head = j;
    l->tail = j;
}

static job *list_pop(job_list *l)
{
    job *j = l->head;
    if (j) {
        l->head = j->next;
        if (!l->head)
            l->tail = NULL;
        j->next = NULL;
    }
    return j;
}

static void job_free(job *j)
{
    if (!j)
        return;
    free(j->subject);
    free(j->body);
    free(j->html);
    free(j->payload);
    rg_dispatch_verdict_clear(&j->v);
    rg_dispatch_verdict_clear(&j->fb);
    free(j);
}

void rg_dispatch_verdict_clear(rg_dispatch_verdict *v)
{
    if (!v)
        return;
    free(v->subject);
    free(v->body);
    free(v->html);
    free(v->payload);
    memset(v, 0, sizeof *v);
}

static int64_t mono_ms(void)
{
    /* pacing only (rate limits); business time comes from the caller's clock */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t next_rand(rg_dispatcher *d)
{
    /* xorshift64* */
    uint64_t x = d->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    d->rng = x;
    return x * 0x2545F4914F6CDD1DULL;
}

int64_t rg_dispatch_backoff(int attempt, int base, int max, int retry_after, uint64_t r)
{
    if (attempt < 1)
        attempt = 1;
    int64_t delay = base > 0 ? base : 1;
    for (int i = 1; i < attempt && delay < max; i++)
        delay *= 2;
    if (delay > max)
        delay = max;
    delay = delay / 2 + (int64_t)(r % (uint64_t)(delay / 2 + 1));
    if (delay < 1)
        delay = 1;
    if (retry_after > delay)
        delay = retry_after;
    return delay;
}

static chan *chan_of(rg_dispatcher *d, const char *name)
{
    for (size_t i = 0; i < d->n_chans; i++)
        if (!strcmp(d->chans[i].name, name))
            return &d->chans[i];
    return NULL;
}

/* ---- open / close ---- */

static rg_status setup_chan(chan *c, const rg_channel_config *cfg, rg_err *e)
{
    const rg_channel_driver *drv = rg_channel_driver_of(c->ch);
    c->name = rg_channel_name(c->ch);
    c->async = !drv->inline_send && drv->prepare && drv->complete;
    c->takes_key = rg_channel_takes_key(c->ch);
    c->resend = rg_channel_resends_uncertain(c->ch);
    c->mark = c->async && !c->resend;
    snprintf(c->health, sizeof c->health, "channel:%s", c->name);
    c->max_in_flight = 8;
    c->max_attempts = 5;
    int64_t v;
    const char *s = rg_channel_setting(cfg, "max_in_flight");
    if (s && rg_parse_i64(rg_slice_cstr(s), 1, 10000, &v))
        c->max_in_flight = (int)v;
    if ((s = rg_channel_setting(cfg, "max_attempts")) && rg_parse_i64(rg_slice_cstr(s), 1, 10000, &v))
        c->max_attempts = (int)v;
    if ((s = rg_channel_setting(cfg, "rate_per_second"))) {
        rg_cents cents;
        if (!rg_money_parse(s, strlen(s), false, &cents, NULL) || cents <= 0)
            return rg_err_set(e, RG_EINVAL, cfg->name, "'rate_per_second' must be a positive number, not '%s'", s);
        c->rate_milli = cents * 10;
        c->tokens_milli = c->rate_milli > 1000 ? c->rate_milli : 1000;
        c->last_ms = mono_ms();
    }
    return RG_OK;
}

rg_status rg_dispatcher_open(const rg_dispatch_options *o, rg_dispatcher **out, rg_err *e)
{
    *out = NULL;
    rg_status rc = RG_OK;
    rg_dispatcher *d = calloc(1, sizeof *d);
    if (!d)
        return rg_err_set(e, RG_ENOMEM, "dispatcher", "out of memory");
    d->store = o->store;
    d->config = o->config;
    d->env.config = o->config;
    d->env.token_secret = rg_config_secret(o->config);
    d->env.store = o->store; /* letter and task read and write through it */
    d->check = o->check;
    d->check_ctx = o->check_ctx;
    d->lease_seconds = o->lease_seconds > 0 ? o->lease_seconds : 900;
    d->batch = o->batch > 0 ? o->batch : 64;
    d->backoff_base = o->backoff_base > 0 ? o->backoff_base : 30;
    d->backoff_max = o->backoff_max > 0 ? o->backoff_max : 3600;
    d->stop_grace_ms = o->stop_grace_ms > 0 ? o->stop_grace_ms : 30000;
    atomic_init(&d->stop, 0);
    uint32_t nonce = 0;
    if (getrandom(&nonce, sizeof nonce, 0) != (ssize_t)sizeof nonce)
        nonce = (uint32_t)mono_ms() ^ (uint32_t)(uintptr_t)d;
    if (gethostname(d->host, sizeof d->host) != 0 || !d->host[0])
        rg_strlcpy(d->host, "localhost", sizeof d->host);
    d->host[sizeof d->host - 1] = '\0';
    for (char *p = d->host; *p; p++)
        if (*p == ':')
            *p = '_';
    snprintf(d->owner, sizeof d->owner, "%s:%ld:%08x", d->host, (long)getpid(), nonce);
    d->rng = o->seed ? o->seed : ((uint64_t)getpid() * 0x9E3779B97F4A7C15ULL) ^ nonce ^ 0x5DEECE66DULL;
    if (!d->rng)
        d->rng = 1;
    d->curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    if (!d->curl_ready || !(d->multi = curl_multi_init())) {
        rc = rg_err_set(e, RG_EINTERNAL, "dispatcher", "libcurl could not be initialised");
        goto fail;
    }
    curl_multi_setopt(d->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 0L);
    for (size_t i = 0; i < o->config->n_channels; i++) {
        const rg_channel_config *cfg = &o->config->channels[i];
        chan *c = &d->chans[d->n_chans];
        if ((rc = rg_channel_open(cfg, &d->env, &c->ch, e)) != RG_OK)
            goto fail;
        d->n_chans++;
        if ((rc = setup_chan(c, cfg, e)) != RG_OK)
            goto fail;
        size_t l = strlen(d->names);
        snprintf(d->names + l, sizeof d->names - l, "%s%s", l ? "|" : "", c->name);
    }
    *out = d;
    return RG_OK;
fail:
    rg_dispatcher_close(d);
    return rc;
}

static void free_list(job_list *l)
{
    job *j;
    while ((j = list_pop(l)))
        job_free(j);
}

void rg_dispatcher_close(rg_dispatcher *d)
{
    if (!d)
        return;
    free_list(&d->ready);
    free_list(&d->hand);
    size_t n = 0;
    for (job *j = d->done.head; j; j = j->next)
        n++;
    if (n)
        rg_warn("dispatcher: closing with %zu outcomes the store never took; their leases expire and they are"
                " recovered as after a crash (on_uncertain)",
                n);
    free_list(&d->done);
    for (size_t i = 0; i < d->n_chans; i++)
        if (d->chans[i].pauses)
            rg_health_clear(d->chans[i].health);
    for (size_t i = 0; i < d->n_chans; i++)
        rg_channel_close(d->chans[i].ch);
    if (d->multi)
        curl_multi_cleanup(d->multi);
    if (d->curl_ready)
        curl_global_cleanup();
    free(d);
}

void rg_dispatcher_stop(rg_dispatcher *d)
{
    atomic_store(&d->stop, 1);
    if (d->multi)
        curl_multi_wakeup(d->multi);
}

const char *rg_dispatcher_owner(const rg_dispatcher *d)
{
    return d->owner;
}

static bool stopping(rg_dispatcher *d)
{
    return atomic_load(&d->stop) != 0;
}

/* ---- recording ---- */

static int in_flight(const rg_dispatcher *d);

/* Queues the outcome of j: status plus the fields set in j->res. */
static void finish(rg_dispatcher *d, job *j, rg_message_status st)
{
    j->res.id = j->m.id;
    j->res.owner = d->owner;
    j->res.status = st;
    /* no secret reaches the store, whatever a provider echoed (column: 256 bytes) */
    rg_scrub(j->reason, 256);
    rg_scrub(j->provider_id, sizeof j->provider_id);
    list_push(&d->done, j);
}

static void set_reason(job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_reason(job *j, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->reason, sizeof j->reason, fmt, ap);
    va_end(ap);
    /* the column is read into 256 bytes: keep it whole UTF-8 there */
    if (strlen(j->reason) > 255) {
        size_t k = 255;
        while (k > 0 && ((unsigned char)j->reason[k] & 0xC0) == 0x80)
            k--;
        j->reason[k] = '\0';
    }
    j->res.reason = j->reason;
}

/* The operator task of a message left `uncertain` (review). */
static rg_status review_task(rg_dispatcher *d, int64_t message_id, int64_t customer_id, int64_t invoice_id,
                             const char *channel, const char *reason, rg_instant now, rg_err *e)
{
    rg_task t;
    memset(&t, 0, sizeof t);
    rg_strlcpy(t.kind, "review", sizeof t.kind);
    t.customer_id = customer_id;
    t.invoice_id = invoice_id;
    snprintf(t.source, sizeof t.source, "dispatcher:uncertain:%s", channel);
    t.due_at = now;
    t.created_at = now;
    char text[768];
    snprintf(text, sizeof text,
             "Message %lld on %s may have reached the customer: %s. Check with the provider or the customer"
             " before sending it again.",
             (long long)message_id, channel, reason);
    bool inserted;
    return rg_store_task_insert_for_message(d->store, &t, message_id, text, &inserted, e);
}

static bool went_out(rg_message_status st)
{
    return st == RG_MSG_SENT || st == RG_MSG_DELIVERED || st == RG_MSG_READ;
}

/* An outcome the store did not take: the message left this dispatcher's
 * lease. Usually a provider's status webhook settled it first (sent,
 * delivered, read): nothing to say when that agrees with ours; otherwise
 * the log says what the message is now. */
static void warn_lost(rg_dispatcher *d, const job *j)
{
    rg_message_ref ref;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_store_message_ref(d->store, j->m.id, &ref, &e);
    if (rc == RG_OK && went_out(ref.status) && went_out(j->res.status))
        return; /* the provider's webhook said it first */
    if (rc != RG_OK) {
        rg_warn("dispatcher: message %lld: its lease was taken over; outcome %s not recorded (the message could not"
                " be read: %s)",
                (long long)j->m.id, rg_message_status_name(j->res.status), e.msg);
        return;
    }
    if (ref.status == RG_MSG_SENDING)
        rg_warn("dispatcher: message %lld: another dispatcher took its lease over; outcome %s not recorded (that"
                " dispatcher records its own)",
                (long long)j->m.id, rg_message_status_name(j->res.status));
    else
        rg_warn("dispatcher: message %lld: already %s (a provider status webhook or another dispatcher settled it"
                " first); outcome %s not recorded",
                (long long)j->m.id, rg_message_status_name(ref.status), rg_message_status_name(j->res.status));
}

/* Writes every queued outcome (and the handed marks) in one transaction.
 * On failure nothing is dropped: the outcomes stay queued for the next
 * try (the caller tells a busy store, e->code RG_EBUSY, from others). */
static rg_status flush(rg_dispatcher *d, rg_instant now, rg_err *e)
{
    if (!d->done.head && !d->hand.head)
        return RG_OK;
    rg_status rc = rg_store_begin(d->store, e);
    if (rc != RG_OK)
        return rc;
    for (job *j = d->hand.head; j && rc == RG_OK; j = j->next) {
        bool held;
        rc = rg_store_outbox_handed(d->store, j->m.id, d->owner, now, &held, e);
        j->lease_lost = rc == RG_OK && !held;
    }
    int64_t lost = 0;
    for (job *j = d->done.head; j && rc == RG_OK; j = j->next) {
        bool held;
        rc = rg_store_outbox_finish(d->store, &j->res, now, &held, e);
        j->lease_lost = rc == RG_OK && !held;
        if (j->lease_lost)
            lost++;
        else if (rc == RG_OK && j->task)
            rc = review_task(d, j->m.id, j->m.customer_id, j->m.invoice_id, j->m.channel, j->reason, now, e);
    }
    if (rc == RG_OK)
        rc = rg_store_commit(d->store, e);
    if (rc != RG_OK) {
        rg_store_rollback(d->store);
        return rc;
    }
    d->st->lost += lost;
    job *j;
    while ((j = list_pop(&d->done))) {
        if (j->unrecorded)
            d->chans[j->chan].unrecorded--;
        if (j->lease_lost)
            warn_lost(d, j);
        job_free(j);
    }
    if (!d->hand.head && !in_flight(d))
        d->renew_at = 0;
    /* handed jobs start now that the mark is durable */
    while ((j = list_pop(&d->hand))) {
        chan *c = &d->chans[j->chan];
        if (j->lease_lost) {
            /* another dispatcher took it over: never send it from here */
            rg_send_result res;
            rg_channel_driver_of(c->ch)->complete(rg_channel_state(c->ch), j->easy, j->req, CURLE_FAILED_INIT, 0,
                                                 &res);
            c->in_flight--;
            d->st->lost++;
            rg_warn("dispatcher: message %lld: lease taken over before sending; not sent from here",
                    (long long)j->m.id);
            job_free(j);
            continue;
        }
        CURLMcode mc = curl_multi_add_handle(d->multi, j->easy);
        if (mc != CURLM_OK) {
            /* never reached the network: a plain retry is safe */
            rg_send_result res;
            rg_channel_driver_of(c->ch)->complete(rg_channel_state(c->ch), j->easy, j->req, CURLE_FAILED_INIT, 0,
                                                 &res);
            c->in_flight--;
            j->easy = j->req = NULL;
            j->res.attempts = j->m.attempts;
            j->res.next_attempt_at = now + 1;
            set_reason(j, "could not start the transfer: %s", curl_multi_strerror(mc));
            finish(d, j, RG_MSG_QUEUED);
        }
    }
    return RG_OK;
}

/* ---- outcomes ---- */

/* Whether a transient HTTP failure proves the provider did not act: it
 * said so (4xx, 429, 503), the connection was never made, or not one byte
 * of the request left (request_size 0). */
static bool surely_not_processed(int curl_code, long http_status, long request_size)
{
    if (http_status >= 400 && http_status < 500)
        return true;
    if (http_status == 503)
        return true;
    if (http_status == 0 && request_size == 0 && curl_code != CURLE_OK)
        return true;
    return http_status == 0 && (curl_code == CURLE_COULDNT_RESOLVE_HOST || curl_code == CURLE_COULDNT_RESOLVE_PROXY ||
                                curl_code == CURLE_COULDNT_CONNECT || curl_code == CURLE_FAILED_INIT);
}

static void apply_rerender(job *j)
{
    /* content re-rendered by the check (a consolidated message lost an invoice) */
    if (j->v.reason[0] && j->v.action == RG_DISPATCH_SEND)
        set_reason(j, "%s", j->v.reason);
    j->res.subject = j->v.subject;
    j->res.body = j->v.body;
    j->res.html = j->v.html;
    j->res.payload = j->v.payload;
}

/* The message may have reached the provider and will not be sent again
 * from here: status uncertain, with an operator task (written with it). */
static void review(rg_dispatcher *d, job *j, int attempts, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void review(rg_dispatcher *d, job *j, int attempts, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    set_reason(j, "%s", text);
    j->res.attempts = attempts;
    j->task = true;
    d->st->uncertain++;
    finish(d, j, RG_MSG_UNCERTAIN);
}

/* The current channel failed for good: the next one, or failed. `maybe`:
 * the last attempt may have reached the provider, so an end without a
 * next channel is `uncertain` (review), never `failed` or `cancelled`. */
static void fall_back(rg_dispatcher *d, job *j, rg_instant now, const char *why, bool maybe)
{
    int attempts = j->m.attempts + 1;
    j->res.attempts = attempts;
    if (!d->check) {
        if (maybe) {
            review(d, j, attempts, "uncertain: %s; it may have reached the provider", why);
            return;
        }
        set_reason(j, "%s", why);
        d->st->failed++;
        finish(d, j, RG_MSG_FAILED);
        return;
    }
    rg_err e;
    rg_err_clear(&e);
    rg_dispatch_verdict *v = &j->fb;
    rg_dispatch_verdict_clear(v);
    if (d->check(d->check_ctx, &j->m, &j->cust, now, why, v, &e) != RG_OK) {
        if (maybe) {
            review(d, j, attempts, "uncertain: %s; it may have reached the provider (the fallback could not be"
                                   " chosen: %s)", why, e.msg);
            return;
        }
        set_reason(j, "%s; the fallback could not be chosen: %s", why, e.msg);
        d->st->failed++;
        finish(d, j, RG_MSG_FAILED);
        return;
    }
    if (maybe && v->action != RG_DISPATCH_REROUTE) {
        review(d, j, attempts, "uncertain: %s; it may have reached the provider (%s)", why,
               v->reason[0] ? v->reason : "no channel left");
        return;
    }
    switch (v->action) {
    case RG_DISPATCH_REROUTE: {
        set_reason(j, "%s", v->reason[0] ? v->reason : why);
        j->res.attempts = 0;
        j->res.next_attempt_at = now;
        j->res.channel = v->channel;
        j->res.fallbacks = v->fallbacks;
        j->res.subject = v->subject;
        j->res.body = v->body;
        j->res.html = v->html;
        j->res.payload = v->payload;
        chan *c = chan_of(d, v->channel);
        if (c)
            c->exhausted = false;
        d->st->rerouted++;
        finish(d, j, RG_MSG_QUEUED);
        return;
    }
    case RG_DISPATCH_CANCEL:
        set_reason(j, "%s", v->reason);
        d->st->cancelled++;
        finish(d, j, RG_MSG_CANCELLED);
        return;
    default:
        set_reason(j, "%s", v->reason[0] ? v->reason : why);
        d->st->failed++;
        finish(d, j, RG_MSG_FAILED);
        return;
    }
}

/* The provider refuses the channel itself (SMTP 535: our credentials):
 * the channel pauses (with backoff, then one message at a time until one
 * goes), /healthz says so, and the message waits without losing an
 * attempt: no message fails for it. */
static void pause_channel(rg_dispatcher *d, chan *c, job *j, const char *error, rg_instant now)
{
    char at[32];
    if (c->paused_until <= now) { /* not already paused by a transfer that ran beside this one */
        c->pauses++;
        int64_t delay = rg_dispatch_backoff(c->pauses, d->backoff_base, d->backoff_max, 0, next_rand(d));
        c->paused_until = now + delay;
        rg_instant_format(c->paused_until, at, sizeof at);
        rg_error("dispatcher: channel %s paused until %s: %s; its messages wait (none is failed for it): check"
                 " the channel's credentials and settings",
                 c->name, at, error);
        rg_health_setf(c->health, "%s paused until %s: %s", c->name, at, error);
    }
    rg_instant_format(c->paused_until, at, sizeof at);
    j->res.attempts = j->m.attempts; /* not this message's failure */
    j->res.next_attempt_at = c->paused_until;
    set_reason(j, "%s: channel paused (%s); waiting until %s", c->name, error, at);
    d->st->paused++;
    finish(d, j, RG_MSG_QUEUED);
}

/* What makes a resend recognisable downstream. */
static const char *resend_id(const chan *c)
{
    return !strcmp(rg_channel_driver_of(c->ch)->name, "smtp") ? "Message-ID" : "idempotency key";
}

/* A send went through: a paused channel works again. */
static void channel_works(chan *c)
{
    if (!c->pauses)
        return;
    c->pauses = 0;
    c->paused_until = 0;
    rg_health_clear(c->health);
    rg_info("dispatcher: channel %s works again", c->name);
}

/* Reconciliation: before an attempt is called uncertain on a channel that
 * can ask its provider (lookup_url), the dispatcher asks. FOUND: the
 * provider has it (pid, not already another message's id); ABSENT: its
 * list has no such message; FAILED: the lookup did not answer, or answered
 * with an id regua already gave another message (why says which). */
typedef enum { LOOKUP_NONE, LOOKUP_FOUND, LOOKUP_ABSENT, LOOKUP_FAILED } lookup_verdict;

static lookup_verdict reconcile(rg_dispatcher *d, chan *c, const rg_outgoing *og, char *pid, size_t pid_n, char *why,
                                size_t why_n)
{
    pid[0] = why[0] = '\0';
    if (!c || !rg_channel_can_lookup(c->ch))
        return LOOKUP_NONE;
    rg_err e;
    rg_err_clear(&e);
    bool found = false;
    if (rg_channel_lookup(c->ch, og, &found, pid, pid_n, &e) != RG_OK) {
        snprintf(why, why_n, "%s", e.msg);
        rg_scrub(why, why_n);
        return LOOKUP_FAILED;
    }
    if (!found)
        return LOOKUP_ABSENT;
    rg_message_ref other;
    rg_status rc = rg_store_message_by_provider_id(d->store, pid, &other, &e);
    if (rc == RG_OK && other.id != og->message->id) {
        snprintf(why, why_n, "the provider's matching message %s is already message %lld's", pid, (long long)other.id);
        return LOOKUP_FAILED;
    }
    if (rc != RG_OK && rc != RG_ENOTFOUND) {
        snprintf(why, why_n, "%s", e.msg);
        return LOOKUP_FAILED;
    }
    d->st->reconciled++;
    return LOOKUP_FOUND;
}

/* What a lookup that did not find the message adds to its uncertain reason. */
static const char *lookup_note(lookup_verdict lv, const char *why, char *buf, size_t n)
{
    if (lv == LOOKUP_ABSENT)
        snprintf(buf, n, "; the provider's message list does not have it (lookup)");
    else if (lv == LOOKUP_FAILED)
        snprintf(buf, n, "; the provider could not be asked (%s)", why);
    else
        buf[0] = '\0';
    return buf;
}

static void outcome(rg_dispatcher *d, job *j, const rg_send_result *res, int curl_code, long http_status,
                    long request_size, rg_instant now)
{
    chan *c = &d->chans[j->chan];
    int attempt = j->m.attempts + 1;
    char why[400];
    if (res->outcome == RG_SEND_OK) {
        rg_strlcpy(j->provider_id, res->provider_id, sizeof j->provider_id);
        j->res.provider_id = j->provider_id;
        j->res.attempts = attempt;
        j->res.sent_at = now;
        j->res.cost = rg_config_channel_cost(d->config, c->name); /* cost_per_message, for the reports */
        apply_rerender(j);
        d->st->sent++;
        channel_works(c);
        finish(d, j, RG_MSG_SENT);
        return;
    }
    if (res->channel_fault) {
        pause_channel(d, c, j, res->error, now);
        return;
    }
    bool maybe = res->reach == RG_REACH_MAYBE ||
                 (res->reach == RG_REACH_UNKNOWN && !surely_not_processed(curl_code, http_status, request_size));
    if (res->outcome != RG_SEND_TRANSIENT) {
        snprintf(why, sizeof why, "%s: %s", c->name, res->error);
        fall_back(d, j, now, why, false); /* a refusal: the provider did not take it */
        return;
    }
    if (maybe && !c->resend) {
        rg_outgoing og = {&j->m, &j->cust, j->to, j->m.invoice_external_ids};
        char pid[128], lwhy[256], note[320];
        lookup_verdict lv = reconcile(d, c, &og, pid, sizeof pid, lwhy, sizeof lwhy);
        if (lv == LOOKUP_FOUND) {
            rg_strlcpy(j->provider_id, pid, sizeof j->provider_id);
            j->res.provider_id = j->provider_id;
            j->res.attempts = attempt;
            j->res.sent_at = now;
            j->res.cost = rg_config_channel_cost(d->config, c->name);
            apply_rerender(j);
            set_reason(j, "attempt %d on %s ended with '%s'; the provider has it as %s (reconciled by lookup)",
                       attempt, c->name, res->error, pid);
            d->st->sent++;
            finish(d, j, RG_MSG_SENT);
            return;
        }
        review(d, j, attempt,
               "uncertain: attempt %d on %s ended with '%s' after the request may have reached the provider%s;"
               " not resent (on_uncertain: review)",
               attempt, c->name, res->error, lookup_note(lv, lwhy, note, sizeof note));
        return;
    }
    if (attempt < c->max_attempts) {
        int64_t delay = rg_dispatch_backoff(attempt, d->backoff_base, d->backoff_max, res->retry_after, next_rand(d));
        char at[32];
        j->res.attempts = attempt;
        j->res.next_attempt_at = now + delay;
        rg_instant_format(now + delay, at, sizeof at);
        if (maybe)
            set_reason(j, "%s: attempt %d may have reached the provider (%s); resending at %s with the same %s",
                       c->name, attempt, res->error, at, resend_id(c));
        else
            set_reason(j, "%s: attempt %d failed (%s); retrying at %s", c->name, attempt, res->error, at);
        d->st->retried++;
        finish(d, j, RG_MSG_QUEUED);
        return;
    }
    snprintf(why, sizeof why, "%s: gave up after %d attempts (%s)", c->name, attempt, res->error);
    fall_back(d, j, now, why, maybe);
}

/* ---- claiming and starting ---- */

typedef struct claim_ctx {
    rg_dispatcher *d;
    int64_t n;
    bool oom;
} claim_ctx;

static char *dup_text(const char *s)
{
    return rg_strdup(s ? s : "");
}

static rg_status on_claim(void *p, const rg_message *m)
{
    claim_ctx *cx = p;
    job *j = calloc(1, sizeof *j);
    if (!j) {
        cx->oom = true;
        return RG_OK; /* keep reading: the lease expires and the row is recovered */
    }
    j->m = *m;
    j->subject = dup_text(m->subject);
    j->body = dup_text(m->body);
    j->html = dup_text(m->html);
    j->payload = dup_text(m->payload);
    if (!j->subject || !j->body || !j->html || !j->payload) {
        job_free(j);
        cx->oom = true;
        return RG_OK;
    }
    j->m.subject = j->subject;
    j->m.body = j->body;
    j->m.html = j->html;
    j->m.payload = j->payload;
    j->chan = -1;
    list_push(&cx->d->ready, j);
    cx->n++;
    return RG_OK;
}

static rg_status claim(rg_dispatcher *d, const char *channel, int64_t limit, rg_instant now, int64_t *n, rg_err *e)
{
    claim_ctx cx = {d, 0, false};
    rg_status rc = rg_store_outbox_claim(d->store, channel, d->names, d->owner, now, now + d->lease_seconds, limit,
                                         on_claim, &cx, e);
    *n = cx.n;
    d->st->claimed += cx.n;
    if (cx.n && !d->renew_at)
        d->renew_at = now + (d->lease_seconds / 2 > 0 ? d->lease_seconds / 2 : 1);
    if (rc == RG_OK && cx.oom)
        rc = rg_err_set(e, RG_ENOMEM, "dispatcher", "out of memory");
    return rc;
}

/* Hands j to its driver: inline and blocking drivers at once; network
 * drivers into the multi handle (after the handed mark when the provider
 * takes no key). */
static void start(rg_dispatcher *d, job *j, rg_instant now)
{
    chan *c = &d->chans[j->chan];
    if (j->v.subject)
        j->m.subject = j->v.subject;
    if (j->v.body)
        j->m.body = j->v.body;
    if (j->v.html)
        j->m.html = j->v.html;
    if (j->v.payload)
        j->m.payload = j->v.payload;
    rg_outgoing og = {&j->m, &j->cust, j->to, j->m.invoice_external_ids};
    rg_err e;
    rg_err_clear(&e);
    if (!c->async) {
        rg_send_result res;
        memset(&res, 0, sizeof res);
        if (rg_channel_send(c->ch, &og, &res, &e) != RG_OK && res.outcome == RG_SEND_OK) {
            res.outcome = RG_SEND_PERMANENT;
            rg_strlcpy(res.error, e.msg, sizeof res.error);
        }
        outcome(d, j, &res, 0, 0, -1, now);
        return;
    }
    const rg_channel_driver *drv = rg_channel_driver_of(c->ch);
    if (drv->prepare(rg_channel_state(c->ch), &og, &j->easy, &j->req, &e) != RG_OK) {
        char why[400];
        snprintf(why, sizeof why, "%s: %s", c->name, e.msg);
        j->easy = j->req = NULL;
        fall_back(d, j, now, why, false);
        return;
    }
    curl_easy_setopt(j->easy, CURLOPT_PRIVATE, j);
    c->in_flight++;
    if (c->mark) {
        list_push(&d->hand, j);
        return;
    }
    CURLMcode mc = curl_multi_add_handle(d->multi, j->easy);
    if (mc != CURLM_OK) {
        rg_send_result res;
        drv->complete(rg_channel_state(c->ch), j->easy, j->req, CURLE_FAILED_INIT, 0, &res);
        c->in_flight--;
        j->easy = j->req = NULL;
        j->res.attempts = j->m.attempts;
        j->res.next_attempt_at = now + 1;
        set_reason(j, "could not start the transfer: %s", curl_multi_strerror(mc));
        finish(d, j, RG_MSG_QUEUED);
    }
}

/* Checks a claimed message and starts it, or records why not. */
static rg_status process(rg_dispatcher *d, job *j, rg_instant now, rg_err *e)
{
    rg_err ce;
    rg_err_clear(&ce);
    rg_status rc = rg_store_customer_get_by_id(d->store, j->m.customer_id, &j->cust, &ce);
    j->res.attempts = j->m.attempts;
    if (rc == RG_ENOTFOUND) {
        set_reason(j, "the customer no longer exists");
        d->st->suppressed++;
        finish(d, j, RG_MSG_SUPPRESSED);
        return RG_OK;
    }
    if (rc != RG_OK) {
        *e = ce;
        job_free(j);
        return rc;
    }
    if (d->check) {
        rc = d->check(d->check_ctx, &j->m, &j->cust, now, NULL, &j->v, &ce);
        if (rc != RG_OK) {
            /* leave it queued: a failing check must not send nor drop */
            rg_warn("dispatcher: message %lld: re-check failed: %s", (long long)j->m.id, ce.msg);
            set_reason(j, "re-check failed: %s", ce.msg);
            j->res.next_attempt_at = now + 60;
            d->st->waiting++;
            finish(d, j, RG_MSG_QUEUED);
            return RG_OK;
        }
        switch (j->v.action) {
        case RG_DISPATCH_SEND:
            break;
        case RG_DISPATCH_WAIT: {
            char at[32];
            j->res.next_attempt_at = j->v.until > now ? j->v.until : now + 1;
            set_reason(j, "%s (waiting until %s)", j->v.reason,
                       rg_instant_format(j->res.next_attempt_at, at, sizeof at));
            d->st->waiting++;
            finish(d, j, RG_MSG_QUEUED);
            return RG_OK;
        }
        case RG_DISPATCH_CANCEL:
            set_reason(j, "%s", j->v.reason);
            d->st->cancelled++;
            finish(d, j, RG_MSG_CANCELLED);
            return RG_OK;
        case RG_DISPATCH_SUPPRESS:
            set_reason(j, "%s", j->v.reason);
            d->st->suppressed++;
            finish(d, j, RG_MSG_SUPPRESSED);
            return RG_OK;
        case RG_DISPATCH_REROUTE: {
            chan *c = chan_of(d, j->v.channel);
            if (c)
                c->exhausted = false;
            set_reason(j, "%s", j->v.reason);
            j->res.next_attempt_at = now;
            j->res.channel = j->v.channel;
            j->res.fallbacks = j->v.fallbacks;
            apply_rerender(j);
            j->res.attempts = 0;
            d->st->rerouted++;
            finish(d, j, RG_MSG_QUEUED);
            return RG_OK;
        }
        }
    }
    chan *c = chan_of(d, j->m.channel);
    if (!c) {
        set_reason(j, "channel %s is not configured", j->m.channel[0] ? j->m.channel : "(none)");
        d->st->suppressed++;
        finish(d, j, RG_MSG_SUPPRESSED);
        return RG_OK;
    }
    j->chan = (int)(c - d->chans);
    if (!rg_channel_address(j->m.channel, &j->cust, j->to, sizeof j->to)[0]) {
        char why[128];
        snprintf(why, sizeof why, "%s: no address", c->name);
        fall_back(d, j, now, why, false);
        return RG_OK;
    }
    start(d, j, now);
    return RG_OK;
}

/* ---- recovery ---- */

typedef struct lease_vec {
    rg_outbox_lease *v;
    size_t n, cap;
    bool oom;
} lease_vec;

static rg_status on_lease(void *p, const rg_outbox_lease *l)
{
    lease_vec *lv = p;
    if (lv->n == lv->cap) {
        size_t cap = lv->cap ? lv->cap * 2 : 64;
        rg_outbox_lease *nv = realloc(lv->v, cap * sizeof *nv);
        if (!nv) {
            lv->oom = true;
            return RG_ENOMEM;
        }
        lv->v = nv;
        lv->cap = cap;
    }
    lv->v[lv->n++] = *l;
    return RG_OK;
}

/* Whether the lease's owner is a process on this host that is gone. */
static bool owner_dead(const rg_dispatcher *d, const char *owner)
{
    const char *last = strrchr(owner, ':');
    if (!last || last == owner)
        return false;
    const char *mid = last - 1;
    while (mid > owner && *mid != ':')
        mid--;
    if (*mid != ':')
        return false;
    size_t hlen = (size_t)(mid - owner);
    if (hlen != strlen(d->host) || memcmp(owner, d->host, hlen) != 0)
        return false;
    int64_t pid;
    if (!rg_parse_i64((rg_slice){mid + 1, (size_t)(last - mid - 1)}, 1, INT32_MAX, &pid))
        return false;
    return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* Whether the outcome of message id waits in memory (written by flush). */
static bool holds(const rg_dispatcher *d, int64_t id)
{
    for (const job *j = d->done.head; j; j = j->next)
        if (j->m.id == id)
            return true;
    return false;
}

/* Takes back the leases of dispatchers that are gone (their process on
 * this host no longer exists, or the lease expired). This dispatcher's own
 * leases are never taken back while their outcome waits in memory. An
 * attempt handed to a provider that cannot de-duplicate (the handed mark)
 * follows the channel's on_uncertain; any other lease is queued again (its
 * attempt was not made, or a resend is recognised). */
/* Whether the lease l is to be taken back now. */
static bool recoverable(const rg_dispatcher *d, const rg_outbox_lease *l, rg_instant now)
{
    bool mine = !strcmp(l->owner, d->owner);
    if (l->lease_until >= now && (mine || !owner_dead(d, l->owner)))
        return false;
    return !(mine && holds(d, l->id));
}

typedef struct one_message {
    rg_message m;
    char *body, *subject, *payload;
    bool got;
} one_message;

static rg_status on_one_message(void *p, const rg_message *m)
{
    one_message *x = p;
    if (x->got)
        return RG_OK;
    x->m = *m;
    x->body = dup_text(m->body);
    x->subject = dup_text(m->subject);
    x->payload = dup_text(m->payload);
    x->m.body = x->body;
    x->m.subject = x->subject;
    x->m.payload = x->payload;
    x->m.html = "";
    x->got = true;
    return (x->body && x->subject && x->payload) ? RG_OK : RG_ENOMEM;
}

/* Reconciliation of a dead dispatcher's handed attempt (before calling it
 * uncertain): the message as stored, to its customer's address. */
static lookup_verdict reconcile_lease(rg_dispatcher *d, const rg_outbox_lease *l, char *pid, size_t pid_n, char *why,
                                      size_t why_n)
{
    pid[0] = why[0] = '\0';
    chan *c = chan_of(d, l->channel);
    if (!c || !rg_channel_can_lookup(c->ch))
        return LOOKUP_NONE;
    one_message x;
    memset(&x, 0, sizeof x);
    rg_message_filter f;
    rg_message_filter_init(&f);
    f.after_id = l->id - 1;
    f.limit = 1;
    rg_err e;
    rg_err_clear(&e);
    lookup_verdict v = LOOKUP_FAILED;
    rg_customer cust;
    char to[300];
    if (rg_store_message_each(d->store, &f, on_one_message, &x, &e) != RG_OK || !x.got || x.m.id != l->id)
        snprintf(why, why_n, "the message could not be read: %s", x.got ? e.msg : "not found");
    else if (rg_store_customer_get_by_id(d->store, x.m.customer_id, &cust, &e) != RG_OK)
        snprintf(why, why_n, "the customer could not be read: %s", e.msg);
    else if (!rg_channel_address(l->channel, &cust, to, sizeof to)[0])
        snprintf(why, why_n, "the customer has no address on %s any more", l->channel);
    else {
        rg_outgoing og = {&x.m, &cust, to, x.m.invoice_external_ids};
        v = reconcile(d, c, &og, pid, pid_n, why, why_n);
    }
    free(x.body);
    free(x.subject);
    free(x.payload);
    return v;
}

static rg_status recover(rg_dispatcher *d, rg_instant now, rg_err *e)
{
    lease_vec lv = {NULL, 0, 0, false};
    rg_status rc = rg_store_outbox_leases(d->store, on_lease, &lv, e);
    if (lv.oom)
        rc = rg_err_set(e, RG_ENOMEM, "dispatcher", "out of memory");
    /* the provider is asked first, outside the transaction */
    typedef struct {
        lookup_verdict v;
        char pid[128], why[256];
    } asked;
    asked *ask = rc == RG_OK && lv.n ? calloc(lv.n, sizeof *ask) : NULL;
    if (rc == RG_OK && lv.n && !ask)
        rc = rg_err_set(e, RG_ENOMEM, "dispatcher", "out of memory");
    for (size_t i = 0; rc == RG_OK && i < lv.n; i++) {
        const rg_outbox_lease *l = &lv.v[i];
        const chan *c = chan_of(d, l->channel);
        if (recoverable(d, l, now) && l->handed_at && !(c && c->resend))
            ask[i].v = reconcile_lease(d, l, ask[i].pid, sizeof ask[i].pid, ask[i].why, sizeof ask[i].why);
    }
    bool in_tx = false;
    for (size_t i = 0; rc == RG_OK && i < lv.n; i++) {
        const rg_outbox_lease *l = &lv.v[i];
        if (!recoverable(d, l, now))
            continue;
        if (!in_tx) {
            if ((rc = rg_store_begin(d->store, e)) != RG_OK)
                break;
            in_tx = true;
        }
        rg_outbox_result r;
        memset(&r, 0, sizeof r);
        char reason[256], at[32];
        r.id = l->id;
        r.owner = l->owner;
        const chan *c = chan_of(d, l->channel);
        bool review = l->handed_at && !(c && c->resend);
        bool found = review && ask[i].v == LOOKUP_FOUND;
        if (found) {
            review = false;
            snprintf(reason, sizeof reason,
                     "the dispatcher %s stopped after handing attempt %d to %s (%s) and before recording the"
                     " answer; the provider has it as %s (reconciled by lookup)",
                     l->owner, l->attempts + 1, l->channel, rg_instant_format(l->handed_at, at, sizeof at),
                     ask[i].pid);
            r.status = RG_MSG_SENT;
            r.reason = reason;
            r.provider_id = ask[i].pid;
            r.attempts = l->attempts + 1;
            r.sent_at = l->handed_at;
            r.cost = rg_config_channel_cost(d->config, l->channel);
        } else if (review) {
            char note[320];
            snprintf(reason, sizeof reason,
                     "uncertain: the dispatcher %s stopped after handing attempt %d to %s (%s) and before recording"
                     " the answer%s; not resent (on_uncertain: review)",
                     l->owner, l->attempts + 1, l->channel, rg_instant_format(l->handed_at, at, sizeof at),
                     lookup_note(ask[i].v, ask[i].why, note, sizeof note));
            r.status = RG_MSG_UNCERTAIN;
            r.reason = reason;
            r.attempts = l->attempts + 1;
        } else if (l->handed_at) {
            snprintf(reason, sizeof reason,
                     "the dispatcher %s stopped after handing attempt %d to %s (%s) and before recording the"
                     " answer; resent with the same %s (on_uncertain: resend)",
                     l->owner, l->attempts + 1, l->channel, rg_instant_format(l->handed_at, at, sizeof at),
                     resend_id(c));
            r.status = RG_MSG_QUEUED;
            r.reason = reason;
            r.attempts = l->attempts + 1;
            r.next_attempt_at = now;
        } else {
            r.status = RG_MSG_QUEUED;
            r.attempts = l->attempts; /* an interrupted attempt is not the provider's failure */
            r.next_attempt_at = now;
        }
        bool held;
        if ((rc = rg_store_outbox_finish(d->store, &r, now, &held, e)) != RG_OK)
            break;
        if (held && review)
            rc = review_task(d, l->id, l->customer_id, l->invoice_id, l->channel, reason, now, e);
        if (held) {
            if (review)
                d->st->uncertain++;
            else if (found)
                d->st->sent++;
            else
                d->st->recovered++;
            rg_info("dispatcher: message %lld: recovered the lease of %s (%s)", (long long)l->id, l->owner,
                    review ? "uncertain, not resent" : found ? "sent: found at the provider" : "queued again");
        }
    }
    free(ask);
    if (in_tx) {
        if (rc == RG_OK)
            rc = rg_store_commit(d->store, e);
        if (rc != RG_OK)
            rg_store_rollback(d->store);
    }
    free(lv.v);
    return rc;
}

/* ---- the drain ---- */

static void refill(chan *c, int64_t now_ms)
{
    if (!c->rate_milli)
        return;
    int64_t cap = c->rate_milli > 1000 ? c->rate_milli : 1000;
    int64_t el = now_ms - c->last_ms;
    if (el > 0) {
        c->tokens_milli += el * c->rate_milli / 1000;
        if (c->tokens_milli > cap)
            c->tokens_milli = cap;
        c->last_ms = now_ms;
    }
}

/* Collects finished transfers. */
static void reap(rg_dispatcher *d, rg_instant now)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(d->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *easy = msg->easy_handle;
        int code = (int)msg->data.result;
        job *j = NULL;
        long status = 0, request_size = 0;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&j);
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &request_size);
        curl_multi_remove_handle(d->multi, easy);
        chan *c = &d->chans[j->chan];
        rg_send_result res;
        memset(&res, 0, sizeof res);
        rg_channel_driver_of(c->ch)->complete(rg_channel_state(c->ch), easy, j->req, code, status, &res);
        j->easy = j->req = NULL;
        c->in_flight--;
        c->unrecorded++; /* still counts against max_in_flight until written */
        j->unrecorded = true;
        outcome(d, j, &res, code, status, request_size, now);
    }
}

static int in_flight(const rg_dispatcher *d)
{
    int n = 0;
    for (size_t i = 0; i < d->n_chans; i++)
        n += d->chans[i].in_flight;
    return n;
}

/* Gives back what was claimed or prepared but never reached the network. */
static void release_unstarted(rg_dispatcher *d)
{
    job *j;
    while ((j = list_pop(&d->ready))) {
        j->res.attempts = j->m.attempts;
        finish(d, j, RG_MSG_QUEUED);
    }
    while ((j = list_pop(&d->hand))) {
        chan *c = &d->chans[j->chan];
        rg_send_result res;
        rg_channel_driver_of(c->ch)->complete(rg_channel_state(c->ch), j->easy, j->req, CURLE_FAILED_INIT, 0, &res);
        j->easy = j->req = NULL;
        c->in_flight--;
        j->res.attempts = j->m.attempts;
        finish(d, j, RG_MSG_QUEUED);
    }
}

/* Extends this dispatcher's leases when half of one has passed and it
 * still holds messages (transfers under way, outcomes not yet written), so
 * no other dispatcher takes them for a dead one's. A busy store is no
 * danger meanwhile: taking a lease over needs the write lock too. */
static void renew_if_due(rg_dispatcher *d, rg_instant now)
{
    if (!d->renew_at || now < d->renew_at)
        return;
    int64_t n;
    rg_err e;
    if (rg_store_outbox_renew(d->store, d->owner, now + d->lease_seconds, &n, &e) == RG_OK)
        d->renew_at = now + (d->lease_seconds / 2 > 0 ? d->lease_seconds / 2 : 1);
}

/* Writes the queued outcomes and handed marks; while the store is held
 * by another writer (RG_EBUSY) keeps them, lets the transfers under way
 * finish (their outcomes join the queue), renews this dispatcher's leases
 * when it can, and tries again. Returns another store error as it comes
 * (nothing dropped), or RG_EBUSY when stopping for longer than the grace. */
static rg_status settle(rg_dispatcher *d, const rg_clock *clock, rg_err *e)
{
    int64_t since = -1;
    for (;;) {
        rg_instant now = rg_clock_now(clock);
        rg_status rc = flush(d, now, e);
        if (rc == RG_OK || e->code != RG_EBUSY)
            return rc;
        int64_t ms = mono_ms();
        if (since < 0) {
            since = ms;
            d->st->busy_waits++;
            rg_warn("dispatcher: the store is busy (%s); keeping the outcomes of this round and trying again", e->msg);
        }
        if (stopping(d) && ms - since > d->stop_grace_ms)
            return rc;
        renew_if_due(d, now);
        int running;
        curl_multi_poll(d->multi, NULL, 0, 100, NULL);
        curl_multi_perform(d->multi, &running);
        reap(d, rg_clock_now(clock));
    }
}

rg_status rg_dispatcher_drain(rg_dispatcher *d, const rg_clock *clock, rg_dispatch_stats *st, rg_err *e)
{
    memset(st, 0, sizeof *st);
    d->st = st;
    job *j;
    rg_instant now = rg_clock_now(clock);
    /* outcomes a previous drain could not write go first: their leases are ours */
    rg_status rc = settle(d, clock, e);
    if (rc == RG_OK)
        rc = recover(d, now, e);
    for (size_t i = 0; i < d->n_chans; i++)
        d->chans[i].exhausted = false;
    bool sweep = true; /* messages on channels that are not configured */
    while (rc == RG_OK) {
        now = rg_clock_now(clock);
        /* outcomes first: a message moved to another channel is claimable again */
        if ((rc = settle(d, clock, e)) != RG_OK)
            break;
        bool again = false;   /* a claim got all it asked for: there may be more now */
        bool blocked = false; /* a channel with due messages is full or out of tokens */
        int64_t wait_ms = -1; /* until the next rate token */
        if (stopping(d)) {
            release_unstarted(d);
        } else {
            int64_t ms = mono_ms();
            for (size_t i = 0; i < d->n_chans && rc == RG_OK; i++) {
                chan *c = &d->chans[i];
                if (c->exhausted || c->paused_until > now)
                    continue;
                int64_t want = d->batch;
                /* a paused channel tries one message at a time until one goes */
                int64_t room = c->pauses ? 1 : c->max_in_flight;
                if (c->async && room - c->in_flight - c->unrecorded < want)
                    want = room - c->in_flight - c->unrecorded;
                if (want > 0 && c->rate_milli) {
                    refill(c, ms);
                    if (c->tokens_milli / 1000 < want)
                        want = c->tokens_milli / 1000;
                    if (want <= 0) {
                        int64_t w = (1000 - c->tokens_milli) * 1000 / c->rate_milli + 1;
                        if (wait_ms < 0 || w < wait_ms)
                            wait_ms = w;
                    }
                }
                if (want <= 0) {
                    blocked = true;
                    continue;
                }
                int64_t got;
                if ((rc = claim(d, c->name, want, now, &got, e)) != RG_OK)
                    break;
                if (c->rate_milli)
                    c->tokens_milli -= got * 1000;
                if (got < want)
                    c->exhausted = true;
                else
                    again = true;
            }
            if (rc == RG_OK && sweep) {
                int64_t got;
                rc = claim(d, NULL, d->batch, now, &got, e);
                sweep = got == d->batch;
                again |= sweep;
            }
        }
        while (rc == RG_OK && (j = list_pop(&d->ready)))
            rc = process(d, j, now, e);
        if (rc == RG_OK)
            rc = settle(d, clock, e);
        if (rc != RG_OK)
            break;
        int running = 0;
        curl_multi_perform(d->multi, &running);
        reap(d, rg_clock_now(clock));
        renew_if_due(d, rg_clock_now(clock));
        int inflight = in_flight(d);
        if (!inflight && !d->done.head && !again && (!blocked || stopping(d)))
            break;
        int timeout = 200;
        if (again || d->done.head)
            timeout = 0;
        else if (wait_ms >= 0 && wait_ms < timeout)
            timeout = (int)wait_ms;
        if (timeout > 0) {
            curl_multi_poll(d->multi, NULL, 0, timeout, NULL);
            curl_multi_perform(d->multi, &running);
            reap(d, rg_clock_now(clock));
        }
    }
    if (rc != RG_OK) {
        /* transfers under way finish; their outcomes stay queued until the store takes them */
        release_unstarted(d);
        while (in_flight(d)) {
            int running;
            curl_multi_poll(d->multi, NULL, 0, 200, NULL);
            curl_multi_perform(d->multi, &running);
            reap(d, rg_clock_now(clock));
        }
        rg_err fe;
        rg_err_clear(&fe);
        if (flush(d, rg_clock_now(clock), &fe) != RG_OK)
            rg_warn("dispatcher: %s; the outcomes are kept for the next drain", fe.msg);
    }
    d->st = NULL;
    return rc;
}
