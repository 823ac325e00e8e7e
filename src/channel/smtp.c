/*
 * The `smtp` driver: e-mail through any SMTP server with libcurl — STARTTLS
 * (smtp://) or implicit TLS (smtps://), AUTH with credentials from the
 * environment, a multipart/alternative body (text/plain and text/html,
 * UTF-8, quoted-printable) built with curl_mime, a Message-ID stable per
 * message, List-Unsubscribe (mailto when configured; whenever public_url
 * is set, the signed PUBLIC_URL/u/TOKEN link, with RFC 8058 one-click when
 * it is https — so public_url needs the token secret, or open() fails), and
 * with public_url an open pixel and click-tracked links (see
 * channel/mail.h and docs/internals/tokens.md).
 *
 * prepare() builds one easy handle per message; complete() reads the SMTP
 * stage and reply the debug callback saw and maps them to an outcome (the
 * table is in docs/channels.md). send() runs the two around
 * curl_easy_perform, sharing connections between calls through a CURLSH
 * (one thread at a time). The password lives only in this state; it is
 * never logged, and every error text goes through channel/scrub (which
 * knows the password, its base64 and the AUTH PLAIN blob) before it is cut.
 */
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/buf.h"
#include "channel/channel.h"
#include "channel/mail.h"
#include "channel/scrub.h"
#include "service/token.h"

#define DEFAULT_TIMEOUT 30L
#define CONNECT_TIMEOUT_MAX 10L

typedef struct smtp_state {
    char url[1200];
    char from_name[RG_MAIL_NAME_MAX + 1];
    char from_addr[RG_MAIL_ADDR_MAX + 1];
    const char *domain; /* inside from_addr */
    char reply_name[RG_MAIL_NAME_MAX + 1];
    char reply_addr[RG_MAIL_ADDR_MAX + 1];
    char unsubscribe[RG_MAIL_ADDR_MAX + 1];
    char ca_file[RG_CONFIG_PATH_MAX];
    char *username;
    char *password;
    long use_ssl;       /* CURLUSESSL_* for smtp:// */
    long timeout;
    bool tracking;  /* public_url (and so the secret) is set */
    char public_url[256]; /* without the trailing slash; "" unless tracking */
    char *secret;
    CURLSH *share; /* connections kept between blocking sends */
} smtp_state;

/* Where the SMTP dialogue was when it ended; drives the outcome. */
typedef enum {
    ST_CONNECT = 0,
    ST_HELLO,
    ST_STARTTLS,
    ST_AUTH,
    ST_MAIL,
    ST_RCPT,
    ST_DATA,
    ST_MESSAGE
} smtp_stage;

static const char *const stage_names[] = {"connection", "EHLO",    "STARTTLS", "AUTH",
                                          "MAIL FROM",  "RCPT TO", "DATA",     "end of message"};

typedef struct smtp_req {
    curl_mime *mime;
    struct curl_slist *headers;
    struct curl_slist *rcpt;
    smtp_stage stage;
    bool quitting; /* QUIT sent: later replies are not about this message */
    bool in_auth;  /* between AUTH and its final reply: lines sent are credentials */
    char reply[513]; /* the server's last reply line (RFC 5321: at most 512 with CRLF) */
    char message_id[RG_MAIL_ADDR_MAX + 64];
    char errbuf[CURL_ERROR_SIZE];
} smtp_req;

/* ---- open ---- */

static rg_status secret_from_env(const rg_channel_config *cfg, const char *key, char **out, rg_err *e)
{
    *out = NULL;
    const char *var = rg_channel_setting(cfg, key);
    if (!var || !*var)
        return RG_OK;
    const char *v = getenv(var);
    if (!v || !*v)
        return rg_err_set(e, RG_EUSAGE, key, "the environment variable %s is not set", var);
    if (!(*out = rg_strdup(v)))
        return rg_err_set(e, RG_ENOMEM, key, "out of memory");
    return RG_OK;
}

static void smtp_close(void *state)
{
    smtp_state *s = state;
    if (!s)
        return;
    if (s->share)
        curl_share_cleanup(s->share);
    if (s->password) {
        sodium_memzero(s->password, strlen(s->password));
        free(s->password);
    }
    free(s->username);
    free(s->secret);
    free(s);
    curl_global_cleanup();
}

/* url: smtp:// or smtps://, no credentials in it; the path (the EHLO
 * name) defaults to the sender's domain. */
static rg_status parse_url(smtp_state *s, const char *url, bool *implicit, rg_err *e)
{
    size_t skip;
    if (!strncasecmp(url, "smtp://", 7))
        skip = 7, *implicit = false;
    else if (!strncasecmp(url, "smtps://", 8))
        skip = 8, *implicit = true;
    else
        return rg_err_set(e, RG_EINVAL, "url", "'%s' must start with smtp:// (STARTTLS) or smtps:// (implicit TLS)",
                          url);
    const char *host = url + skip;
    size_t hl = strcspn(host, "/?#");
    if (hl == 0)
        return rg_err_set(e, RG_EINVAL, "url", "'%s' has no host", url);
    if (memchr(host, '@', hl))
        return rg_err_set(e, RG_EINVAL, "url",
                          "credentials do not belong in the url: name the environment variables in"
                          " username_env and password_env");
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= 0x20 || *p == 0x7f)
            return rg_err_set(e, RG_EINVAL, "url", "the url has a space or control character");
    bool no_path = !host[hl] || (host[hl] == '/' && !host[hl + 1]);
    int n = no_path ? snprintf(s->url, sizeof s->url, "%.*s/%s", (int)(skip + hl), url, s->domain)
                    : snprintf(s->url, sizeof s->url, "%s", url);
    if (n < 0 || (size_t)n >= sizeof s->url)
        return rg_err_set(e, RG_EINVAL, "url", "the url is too long");
    return RG_OK;
}

static rg_status smtp_open(const rg_channel_config *cfg, const rg_channel_env *env, void **state, rg_err *e)
{
    *state = NULL;
    rg_status rc = RG_OK;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return rg_err_set(e, RG_EINTERNAL, "smtp", "libcurl failed to initialise");
    smtp_state *s = calloc(1, sizeof *s);
    if (!s) {
        curl_global_cleanup();
        return rg_err_set(e, RG_ENOMEM, "smtp", "out of memory");
    }
    const char *v;
    char name[RG_MAIL_NAME_MAX + 1];

    if (!(v = rg_channel_setting(cfg, "from")) || !*v) {
        rc = rg_err_set(e, RG_EINVAL, "from", "the smtp driver needs 'from' (addr or \"Name <addr>\")");
        goto out;
    }
    if ((rc = rg_mail_parse_mailbox(v, "from", s->from_name, s->from_addr, e)) != RG_OK)
        goto out;
    s->domain = strrchr(s->from_addr, '@') + 1;
    if (!s->from_name[0] && env && env->config)
        rg_strlcpy(s->from_name, env->config->company.name, sizeof s->from_name);

    bool implicit = false;
    if (!(v = rg_channel_setting(cfg, "url")) || !*v) {
        rc = rg_err_set(e, RG_EINVAL, "url", "the smtp driver needs 'url' (smtp://host:587 or smtps://host:465)");
        goto out;
    }
    if ((rc = parse_url(s, v, &implicit, e)) != RG_OK)
        goto out;

    if ((v = rg_channel_setting(cfg, "reply_to")) && *v &&
        (rc = rg_mail_parse_mailbox(v, "reply_to", s->reply_name, s->reply_addr, e)) != RG_OK)
        goto out;
    if ((v = rg_channel_setting(cfg, "unsubscribe_mailto")) && *v) {
        if (!strncasecmp(v, "mailto:", 7))
            v += 7;
        if ((rc = rg_mail_parse_mailbox(v, "unsubscribe_mailto", name, s->unsubscribe, e)) != RG_OK)
            goto out;
    }
    if ((v = rg_channel_setting(cfg, "ca_file")) && *v) {
        if (access(v, R_OK) != 0) {
            rc = rg_err_set(e, RG_EINVAL, "ca_file", "cannot read '%s'", v);
            goto out;
        }
        rg_strlcpy(s->ca_file, v, sizeof s->ca_file);
    }

    if ((rc = secret_from_env(cfg, "username_env", &s->username, e)) != RG_OK ||
        (rc = secret_from_env(cfg, "password_env", &s->password, e)) != RG_OK)
        goto out;
    if (!s->username != !s->password) {
        rc = rg_err_set(e, RG_EINVAL, s->username ? "password_env" : "username_env",
                        "AUTH needs both username_env and password_env");
        goto out;
    }
    /* credentials are never sent in the clear unless asked for */
    s->use_ssl = implicit ? CURLUSESSL_ALL : s->username ? CURLUSESSL_ALL : CURLUSESSL_TRY;
    if ((v = rg_channel_setting(cfg, "starttls")) && *v) {
        if (!strcmp(v, "required"))
            s->use_ssl = CURLUSESSL_ALL;
        else if (!strcmp(v, "try") && !implicit)
            s->use_ssl = CURLUSESSL_TRY;
        else if (!strcmp(v, "off") && !implicit)
            s->use_ssl = CURLUSESSL_NONE;
        else {
            rc = rg_err_set(e, RG_EINVAL, "starttls", "'%s' must be %s", v,
                            implicit ? "required with smtps:// (TLS from the first byte)"
                                     : "try, required or off");
            goto out;
        }
    }
    s->timeout = DEFAULT_TIMEOUT;
    if ((v = rg_channel_setting(cfg, "timeout_seconds")) && *v) {
        int64_t t;
        if (!rg_parse_i64(rg_slice_cstr(v), 1, 600, &t)) {
            rc = rg_err_set(e, RG_EINVAL, "timeout_seconds", "'%s' must be a whole number of seconds from 1 to 600",
                            v);
            goto out;
        }
        s->timeout = (long)t;
    }

    if (env && env->config && env->config->public_url[0]) {
        /* every e-mail then carries the signed unsubscribe link */
        if (!env->token_secret || !env->token_secret[0]) {
            rc = rg_err_set(e, RG_EINVAL, "public_url",
                            "public_url is set, so every e-mail carries a List-Unsubscribe link to it, which "
                            "must be signed: set the token secret in $%s (at least 16 bytes)",
                            env->config->secret_env[0] ? env->config->secret_env : "REGUA_SECRET");
            goto out;
        }
        s->tracking = true;
        rg_strlcpy(s->public_url, env->config->public_url, sizeof s->public_url);
        size_t n = strlen(s->public_url);
        while (n && s->public_url[n - 1] == '/')
            s->public_url[--n] = '\0';
        if (!(s->secret = rg_strdup(env->token_secret))) {
            rc = rg_err_set(e, RG_ENOMEM, "smtp", "out of memory");
            goto out;
        }
    }

    if (!(s->share = curl_share_init()) ||
        curl_share_setopt(s->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT) != CURLSHE_OK ||
        curl_share_setopt(s->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) != CURLSHE_OK) {
        rc = rg_err_set(e, RG_EINTERNAL, "smtp", "libcurl cannot share connections");
        goto out;
    }
out:
    if (rc != RG_OK)
        smtp_close(s);
    else
        *state = s;
    return rc;
}

/* ---- prepare ---- */

/* Adds the header built in h to the list and empties h. */
static bool add_header(struct curl_slist **list, rg_buf *h)
{
    if (h->oom)
        return false;
    struct curl_slist *l = curl_slist_append(*list, rg_buf_cstr(h));
    rg_buf_reset(h);
    if (!l)
        return false;
    *list = l;
    return true;
}

static int on_debug(CURL *easy, curl_infotype type, char *data, size_t size, void *userp)
{
    (void)easy;
    smtp_req *r = userp;
    if (r->quitting)
        return 0;
    if (type == CURLINFO_HEADER_OUT) {
        if (r->in_auth)
            return 0;
        if (size >= 4 && !strncasecmp(data, "QUIT", 4)) {
            r->quitting = true;
            return 0;
        }
        /* only the verb is looked at: AUTH lines carry credentials */
        static const struct {
            const char *verb;
            smtp_stage stage;
        } verbs[] = {{"EHLO", ST_HELLO}, {"HELO", ST_HELLO}, {"STARTTLS", ST_STARTTLS}, {"AUTH", ST_AUTH},
                     {"MAIL", ST_MAIL},  {"RCPT", ST_RCPT},  {"DATA", ST_DATA}};
        for (size_t i = 0; i < sizeof verbs / sizeof *verbs; i++) {
            size_t n = strlen(verbs[i].verb);
            if (size > n && !strncasecmp(data, verbs[i].verb, n) &&
                (data[n] == ' ' || data[n] == '\r' || data[n] == '\n')) {
                r->stage = verbs[i].stage;
                r->in_auth = r->stage == ST_AUTH;
                break;
            }
        }
    } else if (type == CURLINFO_HEADER_IN) {
        /* keep the last line, printable characters only */
        while (size && (data[size - 1] == '\n' || data[size - 1] == '\r'))
            size--;
        size_t start = size;
        while (start && data[start - 1] != '\n')
            start--;
        if (start == size)
            return 0;
        size_t o = 0;
        for (size_t i = start; i < size && o + 1 < sizeof r->reply; i++)
            r->reply[o++] = ((unsigned char)data[i] < 0x20 || data[i] == 0x7f) ? ' ' : data[i];
        r->reply[o] = '\0';
        if (!strncmp(r->reply, "354", 3))
            r->stage = ST_MESSAGE;
        if (strncmp(r->reply, "334", 3))
            r->in_auth = false; /* AUTH finished (any reply but a challenge) */
    }
    return 0;
}

static void req_free(smtp_req *r)
{
    if (!r)
        return;
    curl_mime_free(r->mime);
    curl_slist_free_all(r->headers);
    curl_slist_free_all(r->rcpt);
    free(r);
}

static bool instant_set(rg_instant t)
{
    return t != 0 && t != RG_INSTANT_NONE;
}

/* List-Unsubscribe: mailto (when configured) and the signed URL (whenever
 * public_url is set); nothing when neither. */
static rg_status put_unsubscribe(const smtp_state *s, const rg_message *m, rg_buf *h, bool *one_click, rg_err *e)
{
    rg_buf tok = RG_BUF_INIT;
    rg_status rc = RG_OK;
    *one_click = false;
    if (s->tracking) {
        char payload[64];
        snprintf(payload, sizeof payload, "%lld|%s", (long long)m->id, m->channel[0] ? m->channel : "email");
        if ((rc = rg_token_sign(s->secret, "u", payload, strlen(payload), &tok, e)) != RG_OK)
            goto out;
    }
    rg_mail_list_unsubscribe(h, s->unsubscribe, s->tracking ? s->public_url : NULL, tok.len ? tok.p : NULL,
                             one_click);
out:
    rg_buf_free(&tok);
    return rc;
}

#define SET(opt, val)                                                                                             \
    do {                                                                                                          \
        if (cc == CURLE_OK)                                                                                       \
            cc = curl_easy_setopt(c, opt, val);                                                                   \
    } while (0)

static rg_status smtp_prepare(void *state, const rg_outgoing *out, void **easy, void **req, rg_err *e)
{
    *easy = NULL;
    *req = NULL;
    smtp_state *s = state;
    const rg_message *m = out->message;
    rg_status rc = RG_OK;
    rg_buf h = RG_BUF_INIT, text = RG_BUF_INIT, html = RG_BUF_INIT, gen = RG_BUF_INIT;
    CURL *c = NULL;
    smtp_req *r = NULL;
    const char *to = out->to ? out->to : "";

    if (!rg_mail_addr_valid(to)) {
        rc = rg_err_set(e, RG_EPERMANENT, "to", "'%s' is not a valid e-mail address", to);
        goto out;
    }
    if (!(r = calloc(1, sizeof *r)) || !(c = curl_easy_init()) || !(r->mime = curl_mime_init(c)))
        goto oom;

    /* headers */
    rg_mail_message_id(&h, m->id, m->idempotency_key, s->domain);
    if (h.oom || !rg_strlcpy(r->message_id, rg_buf_cstr(&h), sizeof r->message_id)) {
        rc = rg_err_set(e, RG_EINVAL, "from", "the sender's domain is too long for a Message-ID");
        goto out;
    }
    rg_buf_reset(&h);
    rg_buf_puts(&h, "From: ");
    rg_mail_put_mailbox(&h, s->from_name, s->from_addr);
    if (!add_header(&r->headers, &h))
        goto oom;
    rg_buf_puts(&h, "To: ");
    rg_mail_put_mailbox(&h, out->customer ? out->customer->name : "", to);
    if (!add_header(&r->headers, &h))
        goto oom;
    if (s->reply_addr[0]) {
        rg_buf_puts(&h, "Reply-To: ");
        rg_mail_put_mailbox(&h, s->reply_name, s->reply_addr);
        if (!add_header(&r->headers, &h))
            goto oom;
    }
    rg_buf_puts(&h, "Subject: ");
    rg_mail_put_text(&h, m->subject ? m->subject : "");
    if (!add_header(&r->headers, &h))
        goto oom;
    rg_instant when = instant_set(m->planned_for) ? m->planned_for : m->created_at;
    if (instant_set(when)) {
        char date[40];
        rg_buf_printf(&h, "Date: %s", rg_mail_date(when, date, sizeof date));
        if (!add_header(&r->headers, &h))
            goto oom;
    }
    rg_buf_printf(&h, "Message-ID: %s", r->message_id);
    if (!add_header(&r->headers, &h))
        goto oom;
    rg_buf_puts(&h, "MIME-Version: 1.0");
    if (!add_header(&r->headers, &h))
        goto oom;
    rg_buf_puts(&h, "Content-Type: multipart/alternative");
    if (!add_header(&r->headers, &h))
        goto oom;
    rg_buf_puts(&h, "List-Unsubscribe: ");
    bool one_click;
    size_t before = h.len;
    if ((rc = put_unsubscribe(s, m, &h, &one_click, e)) != RG_OK)
        goto out;
    if (h.len > before && !add_header(&r->headers, &h))
        goto oom;
    rg_buf_reset(&h);
    if (one_click) {
        rg_buf_puts(&h, "List-Unsubscribe-Post: List-Unsubscribe=One-Click");
        if (!add_header(&r->headers, &h))
            goto oom;
    }
    rg_buf_puts(&h, "X-Regua-Idempotency-Key: ");
    rg_mail_put_text(&h, m->idempotency_key);
    if (!add_header(&r->headers, &h))
        goto oom;

    /* body: text/plain and text/html */
    const char *body = m->body ? m->body : "";
    rg_mail_crlf(&text, body, strlen(body));
    const char *src = m->html;
    size_t src_len = src ? strlen(src) : 0;
    if (!src_len) {
        rg_mail_text_to_html(&gen, body, strlen(body));
        src = rg_buf_cstr(&gen);
        src_len = gen.len;
    }
    if (s->tracking) {
        rg_buf tracked = RG_BUF_INIT;
        rg_mail_tracking t = {s->public_url, s->secret, m->id};
        rc = rg_mail_track_html(&tracked, src, src_len, &t, e);
        if (rc == RG_OK)
            rg_mail_crlf(&html, rg_buf_cstr(&tracked), tracked.len);
        rg_buf_free(&tracked);
        if (rc != RG_OK)
            goto out;
    } else {
        rg_mail_crlf(&html, src, src_len);
    }
    if (text.oom || html.oom || gen.oom)
        goto oom;
    curl_mimepart *p;
    if (!(p = curl_mime_addpart(r->mime)) || curl_mime_data(p, rg_buf_cstr(&text), text.len) ||
        curl_mime_type(p, "text/plain; charset=utf-8") || curl_mime_encoder(p, "quoted-printable") ||
        !(p = curl_mime_addpart(r->mime)) || curl_mime_data(p, rg_buf_cstr(&html), html.len) ||
        curl_mime_type(p, "text/html; charset=utf-8") || curl_mime_encoder(p, "quoted-printable"))
        goto oom;

    /* envelope and transfer */
    rg_buf_printf(&h, "<%s>", to);
    if (!add_header(&r->rcpt, &h))
        goto oom;
    rg_buf_printf(&h, "<%s>", s->from_addr);
    if (h.oom)
        goto oom;
    CURLcode cc = CURLE_OK;
    SET(CURLOPT_URL, s->url);
    SET(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    SET(CURLOPT_MAIL_FROM, h.p);
    SET(CURLOPT_MAIL_RCPT, r->rcpt);
    SET(CURLOPT_HTTPHEADER, r->headers);
    SET(CURLOPT_MIMEPOST, r->mime);
    SET(CURLOPT_USE_SSL, s->use_ssl);
    if (s->ca_file[0])
        SET(CURLOPT_CAINFO, s->ca_file);
    if (s->username) {
        SET(CURLOPT_USERNAME, s->username);
        SET(CURLOPT_PASSWORD, s->password);
    }
    SET(CURLOPT_CONNECTTIMEOUT, s->timeout < CONNECT_TIMEOUT_MAX ? s->timeout : CONNECT_TIMEOUT_MAX);
    SET(CURLOPT_TIMEOUT, s->timeout);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_ERRORBUFFER, r->errbuf);
    SET(CURLOPT_DEBUGFUNCTION, on_debug);
    SET(CURLOPT_DEBUGDATA, r);
    SET(CURLOPT_VERBOSE, 1L);
    if (cc != CURLE_OK) {
        rc = rg_err_set(e, RG_EINTERNAL, "smtp", "libcurl refused an option: %s", curl_easy_strerror(cc));
        goto out;
    }
    *easy = c;
    *req = r;
    c = NULL;
    r = NULL;
    goto out;
oom:
    rc = rg_err_set(e, RG_ENOMEM, "smtp", "out of memory");
out:
    if (c)
        curl_easy_cleanup(c);
    req_free(r);
    rg_buf_free(&h);
    rg_buf_free(&text);
    rg_buf_free(&html);
    rg_buf_free(&gen);
    return rc;
}

/* ---- complete ---- */

/* Sorts a failed dialogue by what can have happened (docs/channels.md):
 * - before the message itself went (greeting, EHLO, STARTTLS, AUTH,
 *   MAIL FROM, RCPT TO, the DATA command) nothing can have reached anyone:
 *   "not sent". A 5xx about the recipient or the message (RCPT TO, DATA,
 *   the end of the message) is permanent: the next channel. A 5xx at AUTH
 *   (535: our credentials) is the channel's fault, not the message's: the
 *   dispatcher pauses the channel. Any other 5xx before DATA (the greeting,
 *   EHLO, STARTTLS, MAIL FROM: our server, our sender) and every 4xx are
 *   temporary: retried with backoff (after max_attempts, failed with the
 *   server's words);
 * - after the server said 354 and the message was sent, a final 4xx or 5xx
 *   is a refusal ("not sent"), but no final answer (timeout, connection
 *   closed) means the server may have taken it: uncertain. */
static void classify(smtp_stage stage, long code, rg_send_result *res)
{
    bool has_code = code >= 400 && code < 600;
    res->reach = stage == ST_MESSAGE && !has_code ? RG_REACH_MAYBE : RG_REACH_NONE;
    res->outcome = RG_SEND_TRANSIENT;
    if (code >= 500 && code < 600) {
        if (stage == ST_RCPT || stage == ST_DATA || stage == ST_MESSAGE)
            res->outcome = RG_SEND_PERMANENT;
        else if (stage == ST_AUTH)
            res->channel_fault = true;
    }
}

static void smtp_complete(void *state, void *easy, void *req, int curl_code, long http_status, rg_send_result *res)
{
    (void)state;
    smtp_req *r = req;
    memset(res, 0, sizeof *res);
    long code = http_status;
    if (r->reply[0] >= '1' && r->reply[0] <= '5' && r->reply[1] >= '0' && r->reply[1] <= '9' &&
        r->reply[2] >= '0' && r->reply[2] <= '9')
        code = (r->reply[0] - '0') * 100 + (r->reply[1] - '0') * 10 + (r->reply[2] - '0');
    if (curl_code == CURLE_OK) {
        res->outcome = RG_SEND_OK;
        rg_strlcpy(res->provider_id, r->message_id, sizeof res->provider_id);
    } else {
        classify(r->stage, code, res);
        /* composed whole, scrubbed, then cut to size: a cut never leaves part of a secret */
        char msg[1024];
        const char *stage = stage_names[r->stage];
        if (code >= 400 && code < 600 && r->reply[0])
            snprintf(msg, sizeof msg, "%s refused: %s", stage, r->reply);
        else
            snprintf(msg, sizeof msg, "%s: %s", stage,
                     r->errbuf[0] ? r->errbuf : curl_easy_strerror((CURLcode)curl_code));
        rg_scrub_copy(res->error, sizeof res->error, msg);
    }
    curl_easy_cleanup(easy);
    req_free(r);
}

static rg_status smtp_send(void *state, const rg_outgoing *out, rg_send_result *res, rg_err *e)
{
    smtp_state *s = state;
    void *easy = NULL, *req = NULL;
    rg_err pe;
    memset(res, 0, sizeof *res);
    rg_status rc = smtp_prepare(state, out, &easy, &req, &pe);
    if (rc != RG_OK) {
        res->outcome = rc == RG_EPERMANENT ? RG_SEND_PERMANENT : RG_SEND_TRANSIENT;
        rg_strlcpy(res->error, pe.msg, sizeof res->error);
        if (e)
            *e = pe;
        return rc;
    }
    CURLcode cc = curl_easy_setopt(easy, CURLOPT_SHARE, s->share);
    if (cc == CURLE_OK)
        cc = curl_easy_perform(easy);
    long code = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
    smtp_complete(state, easy, req, (int)cc, code, res);
    if (res->outcome == RG_SEND_OK)
        return RG_OK;
    return rg_err_set(e, res->outcome == RG_SEND_PERMANENT ? RG_EPERMANENT : RG_ETRANSIENT, "smtp", "%s",
                      res->error);
}

const rg_channel_driver rg_driver_smtp = {
    .name = "smtp",
    .inline_send = false,
    .open = smtp_open,
    .send = smtp_send,
    .prepare = smtp_prepare,
    .complete = smtp_complete,
    .close = smtp_close,
};
