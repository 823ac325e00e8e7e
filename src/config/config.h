/*
 * config — regua.yaml: where the database is, where the server listens,
 * who the creditor is, where cadences and templates live, and how each
 * channel is delivered. Secrets never live here: a channel names the
 * environment variable that holds each one (`password_env`, `token_env`).
 *
 * A missing file means the defaults. Unknown keys, wrong types and bad
 * values are errors with file:line. Relative paths are taken relative to
 * the directory of the config file. rg_config is plain data (no heap).
 */
#ifndef RG_CONFIG_H
#define RG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/money.h"
#include "model/event.h"

#define RG_CONFIG_PATH_MAX 512
#define RG_CONFIG_MAX_CHANNELS 16
#define RG_CONFIG_MAX_SETTINGS 24
#define RG_CONFIG_MAX_WEBHOOKS 16

/* One outgoing webhook (`webhooks:` in regua.yaml; docs/api.md, "Outgoing
 * webhooks"): the events of the listed types are POSTed to `url`, signed
 * with the secret held by the environment variable `secret_env`. */
typedef struct rg_webhook_config {
    char name[48];       /* [a-z0-9_-], unique; deliveries and `webhook:` trigger actions name it */
    char url[512];       /* http:// or https:// */
    char secret_env[64]; /* the variable holding the HMAC secret (never the secret itself) */
    bool events[RG_EV__COUNT]; /* the types it receives (at least one) */
    int64_t timeout_seconds;   /* one attempt's time limit (default 10, 1-120) */
    int line;
} rg_webhook_config;

typedef struct rg_setting {
    char key[32];
    char value[1024]; /* scalars as text; `headers` as "Name: value" lines */
    int line;
} rg_setting;

typedef struct rg_channel_config {
    char name[24];   /* email, whatsapp, sms, voice, letter, task, ... */
    char driver[24]; /* log, smtp, whatsapp_cloud, http, letter, bureau, task */
    int line;
    size_t n_settings;
    rg_setting settings[RG_CONFIG_MAX_SETTINGS];
} rg_channel_config;

/* Installment agreements (acordos; `portal: {agreements: ...}` in
 * regua.yaml; docs/agreements.md): the plans the operator and the portal
 * may offer. Percentages in hundredths of a percent. */
typedef struct rg_agreement_config {
    int64_t max_installments;    /* monthly installments after the down payment, at most (1-60; default 6) */
    rg_cents min_installment;    /* the smallest installment allowed (default 50.00) */
    int64_t down_payment_pct;    /* the down payment's share of the debt (0-90%; default 20%) */
    int64_t interest_month_pct;  /* simple interest per month on the financed part (0-10%; default 1.0%) */
    int64_t down_payment_days;   /* the down payment is due this many bank business days ahead (1-3; default 3) */
    int64_t break_after_days;    /* an installment this many days late breaks the agreement (1-90; default 10) */
} rg_agreement_config;

typedef struct rg_config {
    char file[RG_CONFIG_PATH_MAX]; /* the file read, "" when defaults */
    bool from_file;
    char database[RG_CONFIG_PATH_MAX];
    char listen[64]; /* host:port */
    /* the HTTP server (`server:` in regua.yaml; docs/configuration.md) */
    struct {
        int64_t max_connections;        /* at once, all clients (default 256) */
        int64_t max_connections_per_ip; /* at once, from one address; 0 no limit (default 32) */
        int64_t write_wait_ms;          /* how long a request waits for the write lock before 503 (default 5000) */
    } server;
    char public_url[256];
    char default_timezone[48];
    char cadences_dir[RG_CONFIG_PATH_MAX];
    char templates_dir[RG_CONFIG_PATH_MAX];
    char calendar_file[RG_CONFIG_PATH_MAX]; /* extra state/city holidays; "" none */
    char secret_env[64]; /* the environment variable holding the HMAC secret of tokens (links, tracking) */
    struct {
        char name[160];
        char cnpj[20]; /* normalised */
        char cnpj_formatted[24];
        char email[254];
        char phone[24];
        char address[256];
        char contact[256]; /* how to reach the creditor, free text ({{company.contact}}) */
    } company;
    /* Lei 14.905/2024: the legal default monthly interest (Selic - IPCA),
     * used when neither the cadence nor the invoice states a contract rate;
     * hundredths of a percent, -1 when not configured. */
    int64_t legal_interest_month_pct;
    /* the customer's portal (`portal:`; docs/portal.md, docs/agreements.md) */
    struct {
        rg_agreement_config agreements;
        int64_t link_days;          /* how long a link from `regua portal link` / {{portal_url}} lasts (default 30) */
        int64_t rate_token_per_min; /* requests per link per minute before 429 (default 60; 0: no limit) */
        int64_t rate_ip_per_min;    /* requests per client address per minute before 429 (default 300; 0: no limit) */
        int64_t promise_max_days;   /* "Prometer pagamento": at most this many days from today (default 10, 1-90) */
        int64_t extend_max_days;    /* "Prorrogar vencimento": at most this many days after the due date (default 7, 1-60) */
    } portal;
    size_t n_channels;
    rg_channel_config channels[RG_CONFIG_MAX_CHANNELS];
    size_t n_webhooks;
    rg_webhook_config webhooks[RG_CONFIG_MAX_WEBHOOKS];
} rg_config;

void rg_config_defaults(rg_config *c);

/* Loads path; a missing file leaves the defaults when `required` is false.
 * RG_EINVAL with file:line for bad content, RG_EIO for an unreadable file. */
rg_status rg_config_load(rg_config *c, const char *path, bool required, rg_err *e);

/* Parses YAML text as if read from `name` (relative paths against base_dir). */
rg_status rg_config_parse(rg_config *c, const char *name, const char *base_dir, const char *text,
                          size_t len, rg_err *e);

const rg_channel_config *rg_config_channel(const rg_config *c, const char *name);
/* The token secret from the environment variable named by secret_env
 * (default REGUA_SECRET), or NULL when unset or shorter than 16 bytes. */
const char *rg_config_secret(const rg_config *c);
/* The webhook called `name`, or NULL. */
const rg_webhook_config *rg_config_webhook(const rg_config *c, const char *name);
/* A webhook's signing secret from its secret_env variable, or NULL when
 * that variable is unset or empty. */
const char *rg_webhook_secret(const rg_webhook_config *w);
/* A setting's value or NULL. */
const char *rg_channel_setting(const rg_channel_config *ch, const char *key);
/* The channel's cost_per_message in centavos (0 when not set or not
 * configured): recorded on each message it sends. */
rg_cents rg_config_channel_cost(const rg_config *c, const char *name);

#endif
