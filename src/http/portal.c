/*
 * The customer's self-service portal (docs/portal.md): GET /p/TOKEN, the
 * page; GET /p/TOKEN/boleto/INVOICE.pdf, the boleto of the amount updated
 * today; POST /p/TOKEN/ACTION, the page's forms (portal_actions[] below).
 *
 * Every request goes through rg_portal_open(): the per-address limit, the
 * token (signed, kind "p": service/portal.h), the per-link limit, the
 * expiry, the customer. A POST then passes the form secret check (CSRF)
 * before its action runs, and every action answers 303 back to the page
 * with a flash code (no resubmission on reload). The page reads without
 * JavaScript; /static/portal.js only makes "Copiar código PIX" copy in
 * place. Everything the customer does is recorded through the event
 * service (rg_event_submit), so cadences' triggers hear it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "base/log.h"
#include "base/money.h"
#include "base/ratelimit.h"
#include "br/boleto_pdf.h"
#include "http/http_int.h"
#include "service/events.h"
#include "service/invoice_boleto.h"
#include "service/portal.h"
#include "service/views.h"

/* The most open invoices a page lists (the oldest due first). */
#define PORTAL_MAX_INVOICES 50

/* The portal's pages may run their one script, from this server. */
#define PORTAL_CSP                                                                                                    \
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; "   \
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

/* ---- flash messages: what a redirect after a POST says on the page ---- */

typedef struct portal_flash {
    const char *code;
    bool error;
    const char *text; /* pt-BR, HTML-safe as written */
} portal_flash;

/* portal-actions: add your codes here. */
static const portal_flash portal_flashes[] = {
    {"pix", false, "Selecione o código PIX no campo e copie para pagar no app do seu banco."},
    {"pix-copiado", false, "Código PIX copiado. Cole no app do seu banco para pagar."},
    {"fatura", true, "Não encontramos essa fatura em aberto."},
    {"formulario", true, "O formulário expirou. Tente de novo a partir desta página."},
    {"ocupado", true, "Não conseguimos registrar seu pedido agora. Tente de novo em alguns instantes."},
    /* portal_actions.c */
    {"promessa", false, "Promessa registrada. Obrigado! Vamos aguardar o pagamento até a data que você escolheu."},
    {"promessa-data", true, "A data da promessa não vale: veja o campo da fatura."},
    {"promessa-ja", true, "Você já prometeu pagar esta fatura. Aguardamos o pagamento até a data prometida."},
    {"oferta", false, "Oferta aceita. Pague o valor com a oferta pelo PIX ou pelo boleto até o último dia dela."},
    {"sem-oferta", true, "Esta oferta não vale mais."},
    {"prorrogado", false, "Vencimento prorrogado. O boleto e o código PIX da fatura já têm a nova data."},
    {"prorrogar-data", true, "A nova data de vencimento não vale: veja o campo da fatura."},
    {"prorrogar-ja", true, "O vencimento desta fatura já foi prorrogado uma vez."},
    {"contestado", false, "Recebemos sua contestação. A cobrança desta fatura fica suspensa até a nossa equipe "
                          "analisar, e vamos entrar em contato."},
    {"motivo", true, "Conte o motivo da contestação: veja o campo da fatura."},
    {"canal-saiu", false, "Pronto: você não vai mais receber mensagens por esse canal."},
    {"canal-voltou", false, "Pronto: você voltará a receber mensagens por esse canal."},
    {"preferido", false, "Canal preferido salvo."},
    {"canal", true, "Escolha um dos canais da lista."},
    /* portal_agreements.c */
    {"acordo", false, "Acordo feito. Pague a entrada pelo código PIX ou pelo boleto até o vencimento dela; as "
                      "parcelas vencem uma por mês."},
    {"parcelar-plano", true, "O acordo não foi feito: escolha um dos planos da seção Parcelar."},
    {"parcelar-faturas", true, "O acordo não foi feito: uma das faturas escolhidas não pode entrar num acordo."},
};

static const portal_flash *find_flash(const char *code)
{
    for (size_t i = 0; code && i < sizeof portal_flashes / sizeof *portal_flashes; i++)
        if (!strcmp(portal_flashes[i].code, code))
            return &portal_flashes[i];
    return NULL;
}

/* ---- pages ---- */

static const char style[] =
    "<style>"
    "*{box-sizing:border-box}"
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#1b1b1b;"
    "background:#f4f5f7;line-height:1.5;font-size:1rem}"
    "header,main,footer{max-width:42rem;margin:0 auto;padding:1rem}"
    "header{background:#0b3d91;color:#fff;max-width:none}"
    "header div{max-width:42rem;margin:0 auto}"
    "header p{margin:.2rem 0 0;font-size:.9rem;color:#dfe6f5}"
    "h1{font-size:1.3rem;margin:0}h2{font-size:1.1rem;margin:0 0 .5rem}"
    ".card{background:#fff;border-radius:.6rem;padding:1rem;margin:0 0 1rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}"
    "dl{margin:0 0 .8rem}dl div{display:flex;justify-content:space-between;gap:.8rem;padding:.15rem 0}"
    "dt{color:#4a4a4a}dd{margin:0;text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    ".total dt,.total dd{font-weight:700;font-size:1.1rem;color:#1b1b1b}"
    ".offer{background:#e7f5ea;border-left:4px solid #1e7b34;padding:.5rem .8rem;margin:0 0 .8rem}"
    "label{display:block;font-weight:600;margin:.6rem 0 .2rem}"
    "textarea{width:100%;font-family:ui-monospace,monospace;font-size:.85rem;padding:.5rem;border:1px solid #767676;"
    "border-radius:.3rem;resize:none;background:#fafafa;color:#1b1b1b}"
    "button,.btn{display:block;width:100%;font-size:1rem;font-weight:600;padding:.75rem 1rem;margin:.5rem 0 0;"
    "border:0;border-radius:.4rem;background:#0b3d91;color:#fff;cursor:pointer;text-align:center;"
    "text-decoration:none}"
    ".btn.alt{background:#fff;color:#0b3d91;border:2px solid #0b3d91}"
    ".linha{font-family:ui-monospace,monospace;font-size:.85rem;word-break:break-all;color:#333}"
    ".flash{padding:.75rem 1rem;border-radius:.4rem;background:#e7f5ea;border:1px solid #1e7b34;margin:0 0 1rem}"
    ".flash.err{background:#fdecea;border-color:#b3261e}"
    ".n{color:#4a4a4a;font-size:.9rem}"
    ".field-err{color:#b3261e;font-weight:600;margin:.3rem 0 0}"
    "details{margin:.8rem 0 0;border-top:1px solid #ddd;padding-top:.5rem}"
    "summary{cursor:pointer;font-weight:600;color:#0b3d91;padding:.3rem 0}"
    "input[type=date],select{width:100%;font-size:1rem;padding:.5rem;border:1px solid #767676;border-radius:.3rem;"
    "background:#fff;color:#1b1b1b}"
    "details textarea{font-family:inherit;font-size:1rem}"
    "h3{font-size:1rem;margin:.8rem 0 .3rem}"
    ".parcelas{margin:0 0 .6rem;padding-left:1.3rem}.parcelas li{margin:.2rem 0}"
    "fieldset{border:1px solid #c4c4c4;border-radius:.4rem;margin:.6rem 0 0;padding:.4rem .8rem .6rem}"
    "legend{font-weight:600;padding:0 .3rem}"
    ".opt{display:flex;gap:.6rem;align-items:flex-start;padding:.35rem 0}"
    ".opt label{font-weight:400;margin:0}"
    ".opt input{width:1.25rem;height:1.25rem;margin:.15rem 0 0;flex:none}"
    "footer{font-size:.9rem;color:#4a4a4a}"
    "@media(min-width:48rem){header,main,footer{padding:1.5rem}}"
    "</style>";

/* The page's head and the header with the company's name and CNPJ. */
static void page_begin(rg_buf *b, const rg_config *cfg, const char *title)
{
    rg_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"pt-BR\"><head><meta charset=\"utf-8\">"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                   "<meta name=\"robots\" content=\"noindex\"><link rel=\"icon\" href=\"data:,\"><title>");
    rg_html_escape(b, title);
    if (cfg->company.name[0]) {
        rg_buf_puts(b, " — ");
        rg_html_escape(b, cfg->company.name);
    }
    rg_buf_puts(b, "</title>");
    rg_buf_puts(b, style);
    rg_buf_puts(b, "</head><body><header><div><h1>");
    rg_html_escape(b, cfg->company.name[0] ? cfg->company.name : "Portal de pagamentos");
    rg_buf_puts(b, "</h1>");
    if (cfg->company.cnpj_formatted[0]) {
        rg_buf_puts(b, "<p>CNPJ ");
        rg_html_escape(b, cfg->company.cnpj_formatted);
        rg_buf_puts(b, "</p>");
    }
    rg_buf_puts(b, "</div></header>\n<main>");
}

/* The company's contact (every page, the error pages too). */
static void page_end(rg_buf *b, const rg_config *cfg, bool script)
{
    rg_buf_puts(b, "</main>\n<footer><p>");
    bool any = false;
    if (cfg->company.contact[0]) {
        rg_html_escape(b, cfg->company.contact);
        any = true;
    }
    if (cfg->company.phone[0]) {
        rg_buf_puts(b, any ? "<br>" : "");
        rg_buf_puts(b, "Telefone: ");
        rg_html_escape(b, cfg->company.phone);
        any = true;
    }
    if (cfg->company.email[0]) {
        rg_buf_puts(b, any ? "<br>" : "");
        rg_buf_puts(b, "E-mail: ");
        rg_html_escape(b, cfg->company.email);
        any = true;
    }
    if (!any)
        rg_buf_puts(b, "Em caso de dúvida, responda à mensagem que trouxe este link.");
    rg_buf_puts(b, "</p></footer>");
    if (script)
        rg_buf_puts(b, "<script src=\"/static/portal.js\" defer></script>");
    rg_buf_puts(b, "</body></html>\n");
}

/* A page with no customer data: a title, a paragraph, the contact. */
static enum MHD_Result send_notice(rg_http_request *r, unsigned status, const char *title, const char *text,
                                   const char *retry_after)
{
    rg_buf b = RG_BUF_INIT;
    page_begin(&b, r->srv->config, title);
    rg_buf_puts(&b, "<div class=\"card\"><h2>");
    rg_html_escape(&b, title);
    rg_buf_puts(&b, "</h2><p>");
    rg_html_escape(&b, text);
    rg_buf_puts(&b, "</p></div>");
    page_end(&b, r->srv->config, false);
    const char *retry[] = {"Retry-After", retry_after, NULL};
    enum MHD_Result ret = rg_http_send_html(r, status, &b, PORTAL_CSP, retry_after ? retry : NULL);
    rg_buf_free(&b);
    return ret;
}

static enum MHD_Result invalid_link(rg_http_request *r)
{
    return send_notice(r, MHD_HTTP_NOT_FOUND, "Link inválido",
                       "Não encontramos este link. Confira se ele foi copiado inteiro, exatamente como veio na "
                       "mensagem, ou fale com a gente pelos contatos abaixo.",
                       NULL);
}

static enum MHD_Result busy_page(rg_http_request *r)
{
    return send_notice(r, MHD_HTTP_SERVICE_UNAVAILABLE, "Tente de novo",
                       "Não conseguimos abrir sua página agora. Tente de novo em alguns instantes.",
                       RG_HTTP_RETRY_AFTER);
}

/* ---- opening a request ---- */

/* The client's address as bytes (for its rate limit). */
static size_t client_address(rg_http_request *r, unsigned char *out, size_t n)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return 0;
    const struct sockaddr *sa = ci->client_addr;
    size_t len = sa->sa_family == AF_INET6 ? 24 : 8; /* family, port, address (v4) or more of it (v6) */
    if (len > n)
        len = n;
    memcpy(out, sa, len);
    if (len >= 4)
        out[2] = out[3] = 0; /* not the port */
    return len;
}

bool rg_portal_open(rg_http_request *r, rg_portal_ctx *ctx, enum MHD_Result *ret)
{
    memset(ctx, 0, sizeof *ctx);
    clock_gettime(CLOCK_MONOTONIC, &ctx->started);
    ctx->r = r;
    ctx->now = rg_http_now(r);
    const rg_config *cfg = r->srv->config;
    unsigned char addr[32];
    size_t alen = client_address(r, addr, sizeof addr);
    if (alen && !rg_rate_hit(r->srv->portal_rate, addr, alen, cfg->portal.rate_ip_per_min, ctx->now)) {
        rg_info("%s /p: refused (429): more than %lld requests a minute from one address", r->method,
                (long long)cfg->portal.rate_ip_per_min);
        *ret = send_notice(r, MHD_HTTP_TOO_MANY_REQUESTS, "Muitos acessos",
                           "Recebemos muitos acessos em pouco tempo. Espere um minuto e tente de novo.", "60");
        return false;
    }
    ctx->token = r->params[0].p;
    ctx->token_len = r->params[0].n;
    rg_err e;
    rg_err_clear(&e);
    const char *secret = rg_config_secret(cfg);
    int64_t customer_id;
    if (rg_portal_token_read(secret, ctx->token, ctx->token_len, &customer_id, &ctx->expires, &e) != RG_OK) {
        rg_info("%s /p: refused a link that is not signed by us (404)", r->method); /* the path holds the token */
        *ret = invalid_link(r);
        return false;
    }
    /* the per-link limit: a key of its own kind (a token is not an address) */
    char key[RG_PORTAL_TOKEN_MAX + 2] = "t:";
    memcpy(key + 2, ctx->token, ctx->token_len);
    if (!rg_rate_hit(r->srv->portal_rate, key, ctx->token_len + 2, cfg->portal.rate_token_per_min, ctx->now)) {
        rg_info("%s /p: customer %lld refused (429): more than %lld requests a minute on one link", r->method,
                (long long)customer_id, (long long)cfg->portal.rate_token_per_min);
        *ret = send_notice(r, MHD_HTTP_TOO_MANY_REQUESTS, "Muitos acessos",
                           "Recebemos muitos acessos a este link em pouco tempo. Espere um minuto e tente de novo.",
                           "60");
        return false;
    }
    if (ctx->now >= ctx->expires) {
        rg_info("%s /p: customer %lld: an expired link (410)", r->method, (long long)customer_id);
        *ret = send_notice(r, MHD_HTTP_GONE, "Link expirado",
                           "Este link não vale mais. Peça um novo pelos contatos abaixo ou use o link da mensagem "
                           "mais recente que você recebeu.",
                           NULL);
        return false;
    }
    if (!(ctx->store = rg_http_store(r, &e))) {
        rg_error("%s /p: no database connection: %s", r->method, e.msg);
        *ret = busy_page(r);
        return false;
    }
    rg_status rc = rg_store_customer_get_by_id(ctx->store, customer_id, &ctx->customer, &e);
    if (rc == RG_ENOTFOUND) {
        rg_info("%s /p: customer %lld of a signed link does not exist (404)", r->method, (long long)customer_id);
        *ret = invalid_link(r);
        return false;
    }
    if (rc != RG_OK) {
        rg_error("%s /p: customer %lld: %s", r->method, (long long)customer_id, e.msg);
        *ret = busy_page(r);
        return false;
    }
    rg_portal_form_secret(secret, ctx->token, ctx->token_len, ctx->form_secret);
    return true;
}

void rg_portal_close(rg_portal_ctx *ctx, const char *what, unsigned status)
{
    struct timespec end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    double ms = (double)(end.tv_sec - ctx->started.tv_sec) * 1e3 + (double)(end.tv_nsec - ctx->started.tv_nsec) / 1e6;
    rg_info("%s /p %s: customer %s: %u in %.2f ms", ctx->r->method, what, ctx->customer.external_id, status, ms);
    free(ctx->form);
    ctx->form = NULL;
}

/* ---- forms ---- */

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes an application/x-www-form-urlencoded part in place ('+' is a
 * space); false for a bad escape or a NUL. */
static bool form_decode(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (*p == '+') {
            *o++ = ' ';
        } else if (*p == '%') {
            int hi = hexval(p[1]), lo = hi >= 0 ? hexval(p[2]) : -1;
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return false;
            *o++ = (char)(hi * 16 + lo);
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return true;
}

bool rg_portal_form_parse(char *form, rg_portal_field *fields, size_t max, size_t *n)
{
    *n = 0;
    for (char *p = form; p && *p;) {
        char *amp = strchr(p, '&');
        if (amp)
            *amp = '\0';
        char *eq = strchr(p, '=');
        if (*p) {
            if (*n == max)
                return false;
            if (eq)
                *eq = '\0';
            if (!form_decode(p) || (eq && !form_decode(eq + 1)))
                return false;
            fields[*n].name = p;
            fields[*n].value = eq ? eq + 1 : "";
            (*n)++;
        }
        p = amp ? amp + 1 : NULL;
    }
    return true;
}

/* Parses the POST body into ctx's fields; false when it is not a form. */
static bool form_parse(rg_portal_ctx *ctx)
{
    rg_http_request *r = ctx->r;
    if (!(ctx->form = malloc(r->body_len + 1)))
        return false;
    memcpy(ctx->form, r->body, r->body_len);
    ctx->form[r->body_len] = '\0';
    /* a NUL in the body would hide what follows it: not a form */
    if (memchr(ctx->form, '\0', r->body_len))
        return false;
    return rg_portal_form_parse(ctx->form, ctx->fields, RG_PORTAL_MAX_FIELDS, &ctx->n_fields);
}

const char *rg_portal_form_value(const rg_portal_ctx *ctx, const char *name)
{
    for (size_t i = 0; i < ctx->n_fields; i++)
        if (!strcmp(ctx->fields[i].name, name))
            return ctx->fields[i].value;
    return NULL;
}

void rg_portal_form_open(rg_buf *b, const rg_portal_ctx *ctx, const char *action, const char *invoice,
                         const char *attrs)
{
    rg_buf_puts(b, "<form method=\"post\" action=\"/p/");
    rg_buf_append(b, ctx->token, ctx->token_len); /* base64url and '.': nothing to escape */
    rg_buf_putc(b, '/');
    rg_html_escape(b, action);
    rg_buf_putc(b, '"');
    if (attrs) {
        rg_buf_putc(b, ' ');
        rg_buf_puts(b, attrs);
    }
    rg_buf_puts(b, "><input type=\"hidden\" name=\"csrf\" value=\"");
    rg_buf_puts(b, ctx->form_secret);
    rg_buf_puts(b, "\">");
    if (invoice) {
        rg_buf_puts(b, "<input type=\"hidden\" name=\"invoice\" value=\"");
        rg_html_escape(b, invoice);
        rg_buf_puts(b, "\">");
    }
}

/* Appends s percent-encoded but for the unreserved characters. */
static void pct_encode(rg_buf *b, const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' ||
            *c == '_' || *c == '.' || *c == '~')
            rg_buf_putc(b, (char)*c);
        else
            rg_buf_printf(b, "%%%02X", *c);
    }
}

static enum MHD_Result redirect(rg_portal_ctx *ctx, const char *flash, const char *invoice, const char *anchor);

enum MHD_Result rg_portal_redirect(rg_portal_ctx *ctx, const char *flash, const char *anchor)
{
    return redirect(ctx, flash, NULL, anchor);
}

enum MHD_Result rg_portal_redirect_invoice(rg_portal_ctx *ctx, const char *flash, const char *invoice)
{
    return redirect(ctx, flash, invoice && invoice[0] ? invoice : NULL, NULL);
}

static enum MHD_Result redirect(rg_portal_ctx *ctx, const char *flash, const char *invoice, const char *anchor)
{
    rg_buf loc = RG_BUF_INIT;
    rg_buf_puts(&loc, "/p/");
    rg_buf_append(&loc, ctx->token, ctx->token_len);
    if (flash) {
        rg_buf_puts(&loc, "?m=");
        rg_buf_puts(&loc, flash); /* codes are [a-z-] */
        if (invoice) {
            rg_buf_puts(&loc, "&i=");
            pct_encode(&loc, invoice);
        }
    }
    if (anchor) {
        rg_buf_putc(&loc, '#');
        rg_buf_puts(&loc, anchor);
    }
    enum MHD_Result ret;
    if (loc.oom) {
        ret = MHD_NO;
    } else if (rg_http_header(ctx->r, "X-Regua-Fetch")) {
        /* the page's script (the copy button): nothing to show, no page to load */
        ret = rg_http_send(ctx->r, MHD_HTTP_NO_CONTENT, NULL, "", 0, NULL);
    } else {
        const char *headers[] = {"Location", rg_buf_cstr(&loc), NULL};
        static const char body[] = "<!DOCTYPE html><title>Redirecionando</title>";
        ret = rg_http_send(ctx->r, MHD_HTTP_SEE_OTHER, "text/html; charset=utf-8", body, sizeof body - 1, headers);
    }
    rg_buf_free(&loc);
    return ret;
}

/* ---- the customer's open invoices ---- */

typedef struct invoice_list {
    rg_invoice *v;
    size_t n, cap;
} invoice_list;

static rg_status keep_invoice(void *p, const rg_invoice *inv)
{
    invoice_list *l = p;
    if (l->n == l->cap && !rg_array_grow((void **)&l->v, l->n, &l->cap, sizeof *l->v))
        return RG_ENOMEM;
    l->v[l->n++] = *inv;
    return RG_OK;
}

static rg_status open_invoices(rg_portal_ctx *ctx, invoice_list *l, rg_err *e)
{
    rg_invoice_filter f;
    rg_invoice_filter_init(&f);
    f.customer_external_id = ctx->customer.external_id;
    f.status = RG_INV_OPEN;
    f.limit = PORTAL_MAX_INVOICES;
    return rg_store_invoice_each(ctx->store, &f, keep_invoice, l, e);
}

/* The open invoice `ext` of ctx's customer; RG_ENOTFOUND when it is not
 * one (another customer's too). */
rg_status rg_portal_invoice(rg_portal_ctx *ctx, const char *ext, rg_invoice *out, rg_err *e)
{
    rg_status rc = ext ? rg_store_invoice_get(ctx->store, ext, out, e) : RG_ENOTFOUND;
    if (rc == RG_OK && (out->customer_id != ctx->customer.id || out->status != RG_INV_OPEN))
        rc = RG_ENOTFOUND;
    if (rc == RG_ENOTFOUND)
        rg_err_set(e, RG_ENOTFOUND, "invoice", "no open invoice '%s' of this customer", ext ? ext : "");
    return rc;
}

/* Records one event of the customer (invoice NULL: about the customer)
 * through the event service, in its own transaction; failures are logged
 * (the customer's page never fails for it). */
rg_status rg_portal_record(rg_portal_ctx *ctx, const char *type, const char *invoice, const char *data)
{
    rg_http_request *r = ctx->r;
    rg_event_env env = *r->srv->events;
    env.store = ctx->store;
    rg_event_request rq = {
        .type = type,
        .invoice = invoice,
        .customer = invoice ? NULL : ctx->customer.external_id,
        .at = ctx->now,
        .data = data,
        .source = "portal",
        .now = ctx->now,
    };
    rg_event_result res;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_event_submit(&env, &rq, &res, &e);
    if (rc == RG_EBUSY)
        rg_warn("portal: %s of customer %s not recorded: the database's write lock stayed with another writer for "
                "%d ms",
                type, ctx->customer.external_id, r->srv->write_wait_ms);
    else if (rc != RG_OK)
        rg_error("portal: %s of customer %s not recorded: %s", type, ctx->customer.external_id, e.msg);
    return rc;
}

/* The engine that computes amounts (one per connection, reloaded when the
 * cadence files change). */
static rg_engine *portal_engine(rg_portal_ctx *ctx)
{
    rg_http_conn *cx = ctx->r->cx;
    return rg_view_engine_reuse(ctx->store, ctx->r->srv->config, &cx->view_engine, &cx->view_sig);
}

/* ---- GET /p/TOKEN ---- */

static void money_row(rg_buf *b, const char *label, rg_cents v, bool total)
{
    char m[40];
    rg_buf_printf(b, "<div%s><dt>%s</dt><dd>%s</dd></div>", total ? " class=\"total\"" : "", label,
                  rg_money_format_brl(v, m, sizeof m));
}

static void render_invoice(rg_buf *b, const rg_portal_ctx *ctx, size_t i, const rg_invoice *inv,
                           const rg_engine_payable *p)
{
    char d[16], m[40];
    rg_buf_printf(b, "<section class=\"card\" id=\"f%zu\" aria-labelledby=\"f%zu-t\"><h2 id=\"f%zu-t\">", i, i, i);
    rg_html_escape(b, inv->description[0] ? inv->description : "Fatura");
    rg_buf_puts(b, "</h2><p class=\"n\">Fatura ");
    rg_html_escape(b, inv->external_id);
    rg_buf_printf(b, " · vencimento %s", rg_date_format_br(p->due_date, d, sizeof d));
    if (p->days_late > 0)
        rg_buf_printf(b, " · %lld %s em atraso", (long long)p->days_late, p->days_late == 1 ? "dia" : "dias");
    rg_buf_puts(b, "</p><dl>");
    money_row(b, "Valor original", p->balance, false);
    if (p->fine)
        money_row(b, "Multa", p->fine, false);
    if (p->interest)
        money_row(b, "Juros", p->interest, false);
    /* the offer's discount on what is shown (a waived fine or interest is not shown at all) */
    rg_cents discount = p->balance + p->fine + p->interest - p->amount;
    if (p->offer && discount > 0)
        money_row(b, "Desconto da oferta", -discount, false);
    money_row(b, p->offer ? "Valor com a oferta" : "Valor atualizado hoje", p->amount, true);
    rg_buf_puts(b, "</dl>");
    if (p->offer) {
        rg_buf_puts(b, "<p class=\"offer\">Oferta: ");
        rg_html_escape(b, p->offer_text);
        rg_buf_printf(b, ". Pague %s até %s.</p>", rg_money_format_brl(p->amount, m, sizeof m),
                      rg_date_format_br(p->offer_last_day, d, sizeof d));
    }
    if (p->pix[0]) {
        rg_buf_printf(b, "<label for=\"f%zu-pix\">Código PIX copia e cola (%s)</label>", i,
                      rg_money_format_brl(p->amount, m, sizeof m));
        rg_buf_printf(b, "<textarea id=\"f%zu-pix\" rows=\"5\" readonly>", i);
        rg_html_escape(b, p->pix);
        rg_buf_puts(b, "</textarea>");
        char attrs[64];
        snprintf(attrs, sizeof attrs, "data-copy=\"f%zu-pix\"", i);
        rg_portal_form_open(b, ctx, "pix", inv->external_id, attrs);
        rg_buf_printf(b, "<button type=\"submit\">Copiar código PIX</button>"
                         "<p class=\"n\" role=\"status\" id=\"f%zu-pix-st\"></p></form>",
                      i);
    }
    if (p->boleto) {
        rg_buf_puts(b, "<p class=\"n\">Linha digitável");
        if (p->boleto_generated)
            rg_buf_printf(b, " (boleto atualizado, vence %s, %s)", rg_date_format_br(p->boleto_due, d, sizeof d),
                          rg_money_format_brl(p->boleto_amount, m, sizeof m));
        rg_buf_puts(b, ":<br><span class=\"linha\">");
        rg_html_escape(b, p->linha);
        rg_buf_puts(b, "</span></p><a class=\"btn alt\" href=\"/p/");
        rg_buf_append(b, ctx->token, ctx->token_len);
        rg_buf_puts(b, "/boleto/");
        /* an external id as one path segment: percent-encode what is not unreserved */
        pct_encode(b, inv->external_id);
        rg_buf_puts(b, ".pdf\" download>Baixar boleto (PDF)</a>");
    }
    if (!p->pix[0] && !p->boleto && inv->payment_url[0]) {
        rg_buf_puts(b, "<a class=\"btn\" href=\"");
        rg_html_escape(b, inv->payment_url);
        rg_buf_puts(b, "\" rel=\"noopener noreferrer\">Pagar</a>");
    }
    /* the forms of what the customer can do about it (portal_actions.c) */
    rg_portal_render_invoice_actions(b, ctx, i, inv, p);
    rg_buf_puts(b, "</section>\n");
}

static enum MHD_Result render_page(rg_portal_ctx *ctx, rg_engine *eng, unsigned *status)
{
    rg_http_request *r = ctx->r;
    const rg_config *cfg = r->srv->config;
    invoice_list l = {0};
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = open_invoices(ctx, &l, &e);
    if (rc != RG_OK) {
        free(l.v);
        rg_error("GET /p: customer %s: %s", ctx->customer.external_id, e.msg);
        *status = MHD_HTTP_SERVICE_UNAVAILABLE;
        return busy_page(r);
    }
    rg_engine_payable *pay = calloc(l.n ? l.n : 1, sizeof *pay);
    if (!pay) {
        free(l.v);
        return MHD_NO;
    }
    rg_cents total = 0;
    for (size_t i = 0; i < l.n && rc == RG_OK; i++) {
        rc = rg_engine_payable_get(eng, &l.v[i], &ctx->customer, ctx->now, &pay[i], &e);
        total += pay[i].amount;
    }
    if (rc != RG_OK) {
        free(l.v);
        free(pay);
        rg_error("GET /p: customer %s: %s", ctx->customer.external_id, e.msg);
        *status = MHD_HTTP_SERVICE_UNAVAILABLE;
        return busy_page(r);
    }
    rg_buf b = RG_BUF_INIT;
    page_begin(&b, cfg, "Suas faturas");
    const portal_flash *fl = find_flash(rg_http_query(r, "m"));
    if (fl)
        rg_buf_printf(&b, "<p class=\"flash%s\" role=\"%s\">%s</p>", fl->error ? " err" : "",
                      fl->error ? "alert" : "status", fl->text);
    rg_buf_puts(&b, "<section class=\"card\" aria-labelledby=\"ola\"><h2 id=\"ola\">Olá");
    if (ctx->customer.name[0]) {
        rg_buf_puts(&b, ", ");
        rg_html_escape(&b, ctx->customer.name);
    }
    rg_buf_puts(&b, "</h2>");
    char m[40];
    if (l.n == 0)
        rg_buf_puts(&b, "<p>Você não tem faturas em aberto. Obrigado!</p>");
    else
        rg_buf_printf(&b, "<p>Você tem %zu %s em aberto, no total de <strong>%s</strong> hoje.</p>", l.n,
                      l.n == 1 ? "fatura" : "faturas", rg_money_format_brl(total, m, sizeof m));
    rg_buf_puts(&b, "</section>\n");
    rg_portal_render_agreements(&b, ctx);
    for (size_t i = 0; i < l.n; i++)
        render_invoice(&b, ctx, i, &l.v[i], &pay[i]);
    /* page-level sections: Parcelar, channel preferences */
    rg_portal_render_parcelar(&b, ctx, l.v, l.n);
    rg_portal_render_page_actions(&b, ctx);
    page_end(&b, cfg, l.n > 0);
    free(l.v);
    free(pay);
    *status = MHD_HTTP_OK;
    enum MHD_Result ret = rg_http_send_html(r, MHD_HTTP_OK, &b, PORTAL_CSP, NULL);
    rg_buf_free(&b);
    return ret;
}

enum MHD_Result rg_http_portal_page(rg_http_request *r)
{
    rg_portal_ctx ctx;
    enum MHD_Result ret;
    if (!rg_portal_open(r, &ctx, &ret))
        return ret;
    unsigned status = MHD_HTTP_SERVICE_UNAVAILABLE;
    rg_engine *eng = portal_engine(&ctx);
    if (!eng) {
        rg_error("GET /p: the cadences could not be loaded: no amounts to show");
        ret = busy_page(r);
    } else {
        /* a visit after a redirect (?m=) or a new choice of invoices to
         * split (?v=) is the same visit: recorded once */
        if (strcmp(r->method, "HEAD") != 0 && !rg_http_query(r, "m") && !rg_http_query(r, "v"))
            rg_portal_record(&ctx, "portal.visited", NULL, NULL);
        ret = render_page(&ctx, eng, &status);
    }
    rg_portal_close(&ctx, "page", status);
    return ret;
}

/* ---- GET /p/TOKEN/boleto/INVOICE.pdf ---- */

enum MHD_Result rg_http_portal_boleto(rg_http_request *r)
{
    rg_portal_ctx ctx;
    enum MHD_Result ret;
    if (!rg_portal_open(r, &ctx, &ret))
        return ret;
    char ext[RG_EXTID_MAX + 1];
    unsigned status = MHD_HTTP_NOT_FOUND;
    rg_err e;
    rg_err_clear(&e);
    rg_invoice inv;
    rg_engine_payable p;
    rg_engine *eng = NULL;
    rg_status rc = RG_ENOTFOUND;
    if (r->params[1].n < sizeof ext) {
        memcpy(ext, r->params[1].p, r->params[1].n);
        ext[r->params[1].n] = '\0';
        rc = rg_portal_invoice(&ctx, ext, &inv, &e);
    }
    if (rc == RG_OK && !(eng = portal_engine(&ctx)))
        rc = RG_EINTERNAL;
    if (rc == RG_OK)
        rc = rg_engine_payable_get(eng, &inv, &ctx.customer, ctx.now, &p, &e);
    if (rc == RG_OK && !p.boleto) {
        ret = send_notice(r, MHD_HTTP_NOT_FOUND, "Fatura sem boleto",
                          "Esta fatura não tem boleto. Pague pelo código PIX na página das suas faturas.", NULL);
        goto out;
    }
    if (rc == RG_ENOTFOUND) {
        ret = send_notice(r, MHD_HTTP_NOT_FOUND, "Fatura não encontrada",
                          "Não encontramos essa fatura em aberto. Volte à página das suas faturas.", NULL);
        goto out;
    }
    if (rc != RG_OK) {
        rg_error("GET /p/boleto: customer %s: %s", ctx.customer.external_id, e.msg);
        status = MHD_HTTP_SERVICE_UNAVAILABLE;
        ret = busy_page(r);
        goto out;
    }
    /* the boleto of the amount payable now: the invoice with that code */
    rg_invoice printed = inv;
    rg_strlcpy(printed.barcode, p.barcode, sizeof printed.barcode);
    printed.linha_digitavel[0] = '\0';
    rg_strlcpy(printed.pix_code, p.pix, sizeof printed.pix_code);
    rg_invoice_boleto *ib = malloc(sizeof *ib);
    rg_buf pdf = RG_BUF_INIT;
    if (!ib || rg_invoice_boleto_prepare(&printed, &ctx.customer, r->srv->config, p.today, ib, &e) != RG_OK ||
        rg_boleto_pdf_render(&ib->pdf, 1, &pdf, &e) != RG_OK || pdf.oom) {
        rg_error("GET /p/boleto: invoice %s: the boleto could not be drawn: %s", inv.external_id, e.msg);
        status = MHD_HTTP_INTERNAL_SERVER_ERROR;
        ret = send_notice(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "Boleto indisponível",
                          "Não conseguimos gerar o boleto agora. Use o código PIX ou fale com a gente.", NULL);
    } else {
        if (strcmp(r->method, "HEAD") != 0)
            rg_portal_record(&ctx, "boleto.downloaded", inv.external_id, NULL);
        char disp[RG_EXTID_MAX + 64];
        char safe[RG_EXTID_MAX + 1];
        size_t k = 0;
        for (const char *c = inv.external_id; *c && k < sizeof safe - 1; c++)
            safe[k++] = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
                                *c == '-' || *c == '_'
                            ? *c
                            : '_';
        safe[k] = '\0';
        snprintf(disp, sizeof disp, "attachment; filename=\"boleto-%s.pdf\"", safe);
        const char *headers[] = {"Content-Disposition", disp, NULL};
        status = MHD_HTTP_OK;
        ret = rg_http_send(r, MHD_HTTP_OK, "application/pdf", pdf.p, pdf.len, headers);
    }
    free(ib);
    rg_buf_free(&pdf);
out:
    rg_portal_close(&ctx, "boleto", status);
    return ret;
}

/* ---- POST /p/TOKEN/ACTION ---- */

/* "Copiar código PIX": the copy itself happens in the browser (the page's
 * script) or by hand; the click is recorded. */
static enum MHD_Result action_pix(rg_portal_ctx *ctx)
{
    rg_invoice inv;
    rg_err e;
    rg_err_clear(&e);
    const char *ext = rg_portal_form_value(ctx, "invoice");
    rg_status rc = rg_portal_invoice(ctx, ext, &inv, &e);
    if (rc == RG_ENOTFOUND)
        return rg_portal_redirect(ctx, "fatura", NULL);
    if (rc != RG_OK)
        return rg_portal_redirect(ctx, "ocupado", NULL);
    rc = rg_portal_record(ctx, "pix.copied", inv.external_id, NULL);
    return rg_portal_redirect(ctx, rc == RG_OK ? "pix" : "ocupado", NULL);
}

typedef struct portal_action {
    const char *name;
    enum MHD_Result (*fn)(rg_portal_ctx *ctx);
} portal_action;

/* portal-actions: add your rows here. */
static const portal_action portal_actions[] = {
    {"pix", action_pix},
    {"promessa", rg_portal_action_promise},
    {"oferta", rg_portal_action_offer},
    {"prorrogar", rg_portal_action_extend},
    {"contestar", rg_portal_action_dispute},
    {"canal", rg_portal_action_channel},
    {"preferido", rg_portal_action_preferred},
    {"parcelar", rg_portal_action_agreement},
};

enum MHD_Result rg_http_portal_post(rg_http_request *r)
{
    rg_portal_ctx ctx;
    enum MHD_Result ret;
    if (!rg_portal_open(r, &ctx, &ret))
        return ret;
    unsigned status = MHD_HTTP_SEE_OTHER;
    const portal_action *act = NULL;
    for (size_t i = 0; i < sizeof portal_actions / sizeof *portal_actions; i++)
        if (rg_slice_eq(r->params[1], portal_actions[i].name))
            act = &portal_actions[i];
    if (!act) {
        status = MHD_HTTP_NOT_FOUND;
        ret = send_notice(r, status, "Página não encontrada", "Volte à página das suas faturas.", NULL);
    } else if (r->body_len > RG_PORTAL_BODY_MAX) {
        status = MHD_HTTP_CONTENT_TOO_LARGE;
        ret = send_notice(r, status, "Pedido grande demais", "Volte à página das suas faturas e tente de novo.",
                          NULL);
    } else if (!form_parse(&ctx)) {
        status = MHD_HTTP_BAD_REQUEST;
        ret = send_notice(r, status, "Pedido inválido", "Volte à página das suas faturas e tente de novo.", NULL);
    } else if (!rg_portal_form_secret_ok(rg_config_secret(r->srv->config), ctx.token, ctx.token_len,
                                         rg_portal_form_value(&ctx, "csrf"))) {
        rg_info("POST /p: customer %s: refused a form without this link's form secret (403)",
                ctx.customer.external_id);
        status = MHD_HTTP_FORBIDDEN;
        ret = send_notice(r, status, "Formulário expirado",
                          "Não conseguimos confirmar que este pedido saiu da sua página. Volte à página das suas "
                          "faturas e tente de novo.",
                          NULL);
    } else {
        ret = act->fn(&ctx);
    }
    rg_portal_close(&ctx, act ? act->name : "?", status);
    return ret;
}

/* ---- GET /static/portal.js ---- */

/* "Copiar código PIX" without leaving the page: copies the field, says so,
 * and records the click with the same form's POST (X-Regua-Fetch: the
 * answer is 204, no page). Without the clipboard the form is sent as it
 * is (the page then asks to copy by hand). */
static const char portal_js[] =
    "'use strict';\n"
    "document.addEventListener('submit', function (ev) {\n"
    "  var f = ev.target, id = f.getAttribute('data-copy');\n"
    "  if (!id || !navigator.clipboard || !window.fetch) return;\n"
    "  ev.preventDefault();\n"
    "  var field = document.getElementById(id), st = document.getElementById(id + '-st');\n"
    "  navigator.clipboard.writeText(field.value).then(function () {\n"
    "    st.textContent = 'Código PIX copiado. Cole no app do seu banco para pagar.';\n"
    "    return fetch(f.action, {method: 'POST', body: new URLSearchParams(new FormData(f)),\n"
    "      headers: {'X-Regua-Fetch': '1'}, credentials: 'same-origin'});\n"
    "  }, function () {\n"
    "    field.focus(); field.select();\n"
    "    st.textContent = 'Selecione o código no campo e copie.';\n"
    "  });\n"
    "});\n";

enum MHD_Result rg_http_portal_js(rg_http_request *r)
{
    static const char *const headers[] = {"Cache-Control", "public, max-age=3600", NULL};
    return rg_http_send(r, MHD_HTTP_OK, "text/javascript; charset=utf-8", portal_js, sizeof portal_js - 1, headers);
}
