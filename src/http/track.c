/*
 * Links that leave regua in messages: the open pixel (/t/o/TOKEN.gif),
 * click tracking (/t/c/TOKEN) and one-click unsubscribe (/u/TOKEN). Each
 * token is HMAC-signed (service/token.h) with its kind, so the redirect
 * goes only to the URL signed into a click token — never an open redirect —
 * and an unsubscribe happens only on POST (RFC 8058), never on the GET a
 * mail scanner makes when it follows the link.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "http/http_int.h"
#include "service/inbound.h"
#include "service/token.h"

/* The longest token payload read (a click token carries its URL). */
#define PAYLOAD_MAX 4096

/* A transparent 1x1 GIF (43 bytes): header, a 2-colour table, a graphic
 * control extension marking colour 0 transparent, one LZW-coded pixel. */
static const unsigned char pixel_gif[43] = {
    'G',  'I',  'F',  '8',  '9',  'a',  0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00,
    0x00, 0xFF, 0xFF, 0xFF, 0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B,
};

static const char *const no_cache[] = {
    "Cache-Control", "no-cache, no-store, must-revalidate, private", "Pragma", "no-cache", "Expires",
    "Thu, 01 Jan 1970 00:00:00 GMT", NULL,
};

/* Verifies the route's token of `kind`; on success payload holds it and
 * *id the message id before the first '|' (rest points after it, or to ""). */
static bool read_token(rg_http_request *r, const char *kind, char *payload, size_t n, int64_t *id, const char **rest)
{
    rg_err e;
    *id = 0;
    *rest = "";
    const char *secret = rg_config_secret(r->srv->config);
    if (rg_token_verify(secret, kind, r->params[0].p, r->params[0].n, payload, n, &e) != RG_OK)
        return false;
    char *bar = strchr(payload, '|');
    rg_slice digits = {payload, bar ? (size_t)(bar - payload) : strlen(payload)};
    if (!rg_parse_i64(digits, 1, INT64_MAX, id))
        return false;
    *rest = bar ? bar + 1 : "";
    return true;
}

/* Runs one inbound call (it owns its transaction) on this connection's store; store
 * errors are logged (a tracking hit never fails the customer's request: an
 * open or click that found the write lock taken for longer than
 * server.write_wait_ms is logged as not recorded). */
typedef rg_status (*track_fn)(const rg_event_env *env, int64_t id, const char *arg, rg_instant now, bool *flag, rg_err *e);

static rg_status call(rg_http_request *r, const char *what, track_fn fn, int64_t id, const char *arg, bool *flag)
{
    rg_err e;
    rg_err_clear(&e);
    rg_store *s = rg_http_store(r, &e);
    rg_event_env env = *r->srv->events;
    env.store = s;
    rg_status rc = s ? fn(&env, id, arg, rg_http_now(r), flag, &e) : e.code;
    /* the path is not logged: it holds the token */
    char text[700];
    if (rc == RG_EBUSY)
        rg_warn("%s of message %lld not recorded: the database's write lock stayed with another writer for %d ms",
                what, (long long)id, r->srv->write_wait_ms);
    else if (rc != RG_OK && rc != RG_ENOTFOUND)
        rg_error("%s of message %lld not recorded: %s", what, (long long)id, rg_err_text(&e, text, sizeof text));
    return rc;
}

static rg_status do_open(const rg_event_env *env, int64_t id, const char *arg, rg_instant now, bool *flag, rg_err *e)
{
    (void)arg;
    (void)flag;
    return rg_inbound_open(env, id, now, e);
}

static rg_status do_click(const rg_event_env *env, int64_t id, const char *arg, rg_instant now, bool *flag, rg_err *e)
{
    (void)flag;
    return rg_inbound_click(env, id, arg, now, e);
}

static rg_status do_unsubscribe(const rg_event_env *env, int64_t id, const char *arg, rg_instant now, bool *flag, rg_err *e)
{
    return rg_inbound_unsubscribe(env, id, arg, now, flag, e);
}

enum MHD_Result rg_http_track_open(rg_http_request *r)
{
    char payload[64];
    int64_t id;
    const char *rest;
    /* the pixel is answered whatever the token: an e-mail shows no broken image */
    if (read_token(r, "o", payload, sizeof payload, &id, &rest) && !*rest && strcmp(r->method, "HEAD") != 0)
        call(r, "open", do_open, id, NULL, NULL);
    return rg_http_send(r, MHD_HTTP_OK, "image/gif", pixel_gif, sizeof pixel_gif, no_cache);
}

/* An absolute http(s) URL without spaces or control characters (nothing
 * that could split a header or run script). */
static bool web_url(const char *u)
{
    if (strncasecmp(u, "https://", 8) != 0 && strncasecmp(u, "http://", 7) != 0)
        return false;
    const char *host = u + (u[4] == ':' ? 7 : 8);
    if (!*host || *host == '/')
        return false;
    for (const unsigned char *p = (const unsigned char *)u; *p; p++)
        if (*p <= 0x20 || *p == 0x7F)
            return false;
    return true;
}

/* ---- small pt-BR pages ---- */

/* Sends a page: title, then body_html (already escaped) after the head;
 * with Retry-After when retry_after is non-NULL. */
static enum MHD_Result send_page_h(rg_http_request *r, unsigned status, const char *title, const char *body_html,
                                   const char *retry_after)
{
    rg_buf b = RG_BUF_INIT;
    rg_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"pt-BR\"><head><meta charset=\"utf-8\">"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                    "<meta name=\"robots\" content=\"noindex\"><title>");
    rg_html_escape(&b, title);
    rg_buf_puts(&b, "</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;"
                    "padding:0 1rem;color:#222;line-height:1.5}button{font-size:1rem;padding:.6rem 1.2rem;"
                    "border:0;border-radius:.4rem;background:#b3261e;color:#fff;cursor:pointer}"
                    ".n{color:#666;font-size:.9rem}</style></head><body><h1>");
    rg_html_escape(&b, title);
    rg_buf_puts(&b, "</h1>\n");
    rg_buf_puts(&b, body_html);
    rg_buf_puts(&b, "\n</body></html>\n");
    const char *retry[] = {"Retry-After", retry_after, NULL};
    enum MHD_Result ret = rg_http_send_html(r, status, &b, NULL, retry_after ? retry : NULL);
    rg_buf_free(&b);
    return ret;
}

static enum MHD_Result send_page(rg_http_request *r, unsigned status, const char *title, const char *body_html)
{
    return send_page_h(r, status, title, body_html, NULL);
}

static enum MHD_Result invalid_link(rg_http_request *r)
{
    return send_page(r, MHD_HTTP_FORBIDDEN, "Link inválido",
                     "<p>Este link não é válido ou foi alterado. Use o link exatamente como veio na mensagem.</p>");
}

enum MHD_Result rg_http_track_click(rg_http_request *r)
{
    char *payload = malloc(PAYLOAD_MAX);
    int64_t id;
    const char *url;
    enum MHD_Result ret;
    if (!payload)
        return MHD_NO;
    if (!read_token(r, "c", payload, PAYLOAD_MAX, &id, &url) || !web_url(url)) {
        rg_info("GET /t/c: refused a click token that is not signed by us");
        ret = invalid_link(r);
        goto out;
    }
    if (strcmp(r->method, "HEAD") != 0)
        call(r, "click", do_click, id, url, NULL); /* an unknown message still gets its signed URL */
    const char *headers[] = {"Location", url, NULL};
    static const char body[] = "<!DOCTYPE html><title>Redirecionando</title>";
    ret = rg_http_send(r, MHD_HTTP_FOUND, "text/html; charset=utf-8", body, sizeof body - 1, headers);
out:
    free(payload);
    return ret;
}

/* The company and channel, escaped, for the unsubscribe pages. */
static void whom(rg_http_request *r, const char *channel, rg_buf *b)
{
    const char *company = r->srv->config->company.name;
    rg_buf_puts(b, "mensagens de cobrança");
    if (company[0]) {
        rg_buf_puts(b, " de <b>");
        rg_html_escape(b, company);
        rg_buf_puts(b, "</b>");
    }
    rg_buf_puts(b, " por ");
    rg_html_escape(b, rg_inbound_channel_label(channel));
}

static bool channel_ok(const char *channel)
{
    size_t n = strlen(channel);
    if (n == 0 || n > RG_CHANNEL_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((channel[i] >= 'a' && channel[i] <= 'z') || (channel[i] >= '0' && channel[i] <= '9') ||
              channel[i] == '_' || channel[i] == '-'))
            return false;
    return true;
}

enum MHD_Result rg_http_unsubscribe_page(rg_http_request *r)
{
    char payload[128];
    int64_t id;
    const char *channel;
    if (!read_token(r, "u", payload, sizeof payload, &id, &channel) || !channel_ok(channel))
        return invalid_link(r);
    /* A GET never unsubscribes: mail scanners follow links. The button POSTs
     * to this same address with the RFC 8058 body. */
    rg_buf b = RG_BUF_INIT;
    rg_buf_puts(&b, "<p>Você não quer mais receber ");
    whom(r, channel, &b);
    rg_buf_puts(&b, "?</p>\n<form method=\"post\"><input type=\"hidden\" name=\"List-Unsubscribe\" "
                    "value=\"One-Click\"><button type=\"submit\">Não quero mais receber</button></form>\n"
                    "<p class=\"n\">As faturas em aberto continuam valendo e podem ser pagas normalmente.</p>");
    enum MHD_Result ret = b.oom ? MHD_NO : send_page(r, MHD_HTTP_OK, "Cancelar o recebimento", b.p);
    rg_buf_free(&b);
    return ret;
}

enum MHD_Result rg_http_unsubscribe(rg_http_request *r)
{
    char payload[128];
    int64_t id;
    const char *channel;
    if (!read_token(r, "u", payload, sizeof payload, &id, &channel) || !channel_ok(channel))
        return invalid_link(r);
    /* RFC 8058 clients send "List-Unsubscribe=One-Click"; our own page does
     * too. The signed token is what authorises the request, so any POST
     * body is accepted. */
    bool already = false;
    rg_status rc = call(r, "unsubscribe", do_unsubscribe, id, channel, &already);
    unsigned status = (unsigned)rg_status_http(rc); /* 404, 503 (busy), 500 */
    if (rc == RG_ENOTFOUND)
        return send_page(r, status, "Link expirado",
                         "<p>Não encontramos a mensagem deste link. Fale com a gente para deixar de receber.</p>");
    if (rc == RG_EBUSY)
        return send_page_h(r, status, "Tente de novo",
                           "<p>Não conseguimos registrar seu pedido agora. Tente de novo em alguns instantes.</p>",
                           RG_HTTP_RETRY_AFTER);
    if (rc != RG_OK)
        return send_page(r, status, "Tente de novo",
                         "<p>Não conseguimos registrar seu pedido agora. Tente de novo em alguns minutos.</p>");
    rg_buf b = RG_BUF_INIT;
    rg_buf_puts(&b, "<p>Você não receberá mais ");
    whom(r, channel, &b);
    rg_buf_puts(&b, ".</p>");
    enum MHD_Result ret = b.oom ? MHD_NO : send_page(r, MHD_HTTP_OK, "Pronto", b.p);
    rg_buf_free(&b);
    return ret;
}
