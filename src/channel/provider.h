/*
 * provider — what the HTTP provider drivers (http, whatsapp_cloud) share:
 * request templates with escaping chosen by the body's type, the variables
 * a message offers them, ${ENV} expansion of secret header values, JSON
 * pointers into answers, Retry-After, the response collector and the
 * outcome of a transfer (2xx ok; 408, 429, 5xx and network errors
 * transient; other statuses permanent).
 *
 * Ownership: rg_ptpl_compile() returns an owned template (rg_ptpl_free());
 * rg_provider_vars borrows every string it points to for the duration of
 * one render; rg_provider_resp owns its buffers (rg_provider_resp_free()).
 * Nothing here logs: values may hold secrets or personal data.
 */
#ifndef RG_CHANNEL_PROVIDER_H
#define RG_CHANNEL_PROVIDER_H

#include <curl/curl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "channel/channel.h"

/* How a value is escaped where a template puts it. */
typedef enum rg_pesc {
    RG_PESC_JSON = 0, /* inside a JSON string: \" \\ \n \u00XX (params_json goes in raw) */
    RG_PESC_FORM,     /* application/x-www-form-urlencoded: space as '+', others %XX */
    RG_PESC_URL       /* a URL: %XX for everything but unreserved characters and '+' */
} rg_pesc;

#define RG_PROVIDER_MAX_PARAMS 20

/* The variables a request template may use ({{name}}). */
typedef struct rg_provider_vars {
    const char *to;                   /* the address as stored (E.164 "+55...") */
    char to_digits[32];               /* the same, digits only */
    const char *body;
    const char *subject;
    const char *idempotency_key;
    char message_id[24];
    const char *channel;
    const char *template_name;
    const char *customer_external_id;
    const char *customer_name;
    const char *invoice_ids;
    /* from the message's payload (approved WhatsApp template) */
    const char *wa_template;
    const char *wa_lang;
    const char *params[RG_PROVIDER_MAX_PARAMS];
    size_t n_params;
    json_t *payload; /* owned by the vars (rg_provider_vars_clear) */
} rg_provider_vars;

/* Fills vars from an outgoing message (parses its payload). */
void rg_provider_vars_init(rg_provider_vars *v, const rg_outgoing *out);
void rg_provider_vars_clear(rg_provider_vars *v);

typedef struct rg_ptpl rg_ptpl;
/* Compiles a template: text with {{name}} holes. Unknown names and
 * unclosed holes are errors naming the place. */
rg_status rg_ptpl_compile(const char *text, rg_pesc esc, const char *where, rg_ptpl **out, rg_err *e);
void rg_ptpl_free(rg_ptpl *t);
/* Appends the rendering to b (check b->oom). */
void rg_ptpl_render(const rg_ptpl *t, const rg_provider_vars *v, rg_buf *b);

/* Escapes s for esc into b. */
void rg_provider_escape(rg_buf *b, const char *s, rg_pesc esc);

/* Replaces each ${NAME} in s with the environment variable NAME into dst;
 * fails naming NAME when it is unset (never its value). */
rg_status rg_provider_expand_env(const char *s, const char *where, char *dst, size_t n, rg_err *e);

/* The value at an RFC 6901 JSON pointer ("" is the whole document);
 * NULL when absent. Borrowed from root. */
json_t *rg_json_pointer(json_t *root, const char *ptr);

/* The answer of a transfer: body (capped at 64 KiB) for the write callback. */
typedef struct rg_provider_resp {
    rg_buf body;
    bool truncated;
} rg_provider_resp;
size_t rg_provider_write_cb(char *p, size_t size, size_t n, void *ud);
void rg_provider_resp_free(rg_provider_resp *r);

/* Seconds a Retry-After value asks for: delta-seconds, or an HTTP-date
 * (IMF-fixdate, RFC 9110 §5.6.7) measured against the answer's Date
 * header (no clock is read). 0 when absent or unreadable. */
int rg_provider_retry_after(const char *retry_after, const char *date);
/* Parses an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"); false when not one. */
bool rg_provider_http_date(const char *s, rg_instant *out);

/* Sets the common transfer options: no signals, timeouts, our buffers. */
void rg_provider_easy_common(CURL *easy, long timeout_ms, rg_provider_resp *resp);

/* The generic outcome of a transfer into res: ok for 2xx; transient for
 * network errors, 408, 425, 429 (with Retry-After) and 5xx; permanent
 * otherwise. The error text names the status and the start of the answer. */
void rg_provider_outcome(CURL *easy, int curl_code, long http_status, const rg_provider_resp *resp,
                         rg_send_result *res);
/* A short, printable excerpt of an answer for error texts. */
void rg_provider_excerpt(const char *s, size_t len, char *out, size_t n);

/* Parses a whole number of seconds (1..600) from a "timeout" setting; the
 * default when NULL. */
rg_status rg_provider_timeout(const rg_channel_config *cfg, long default_ms, long *ms, rg_err *e);

#endif
