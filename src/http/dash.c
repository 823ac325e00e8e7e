/*
 * The team's web dashboard: login, logout, sessions, CSRF and the pages'
 * layout (docs/dashboard.md). Pages are server-rendered pt-BR HTML with no
 * script (the default Content-Security-Policy of page.c); every form posts
 * a CSRF token derived from the session (service/users.h) and every change
 * needs the operator role, checked here whatever the page showed.
 */
#include "http/dash.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/tz.h"
#include "base/zones.h"

#define SESSION_COOKIE "rg_session"
#define LOGIN_COOKIE "rg_login"

/* ---- forms ---- */

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes application/x-www-form-urlencoded text in place ('+' is a space). */
static void form_decode(char *s)
{
    char *o = s;
    for (; *s; s++) {
        int hi, lo;
        if (*s == '+')
            *o++ = ' ';
        else if (*s == '%' && (hi = hex_digit(s[1])) >= 0 && (lo = hex_digit(s[2])) >= 0) {
            *o++ = (char)(hi * 16 + lo);
            s += 2;
        } else
            *o++ = *s;
    }
    *o = '\0';
}

static void form_parse(rg_dash *d)
{
    d->form = strndup(d->r->body, d->r->body_len);
    if (!d->form)
        return;
    for (char *p = d->form; *p && d->n_fields < RG_DASH_MAX_FIELDS;) {
        char *amp = strchrnul(p, '&');
        bool last = *amp == '\0';
        *amp = '\0';
        char *eq = strchr(p, '=');
        if (eq) {
            *eq = '\0';
            form_decode(p);
            form_decode(eq + 1);
            d->fields[d->n_fields++] = (rg_dash_field){p, eq + 1};
        }
        if (last)
            break;
        p = amp + 1;
    }
}

const char *rg_dash_form(const rg_dash *d, const char *name)
{
    for (size_t i = 0; i < d->n_fields; i++)
        if (!strcmp(d->fields[i].name, name))
            return d->fields[i].value;
    return NULL;
}

/* ---- small page pieces ---- */

static const char *cookie(const rg_http_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

static bool secure_cookies(const rg_http_request *r)
{
    return strncmp(r->srv->config->public_url, "https://", 8) == 0;
}

static void set_cookie(char *out, size_t n, const rg_http_request *r, const char *name, const char *value,
                       long max_age, const char *path)
{
    snprintf(out, n, "%s=%s; Path=%s; Max-Age=%ld; HttpOnly; SameSite=Lax%s", name, value, path, max_age,
             secure_cookies(r) ? "; Secure" : "");
}

static enum MHD_Result redirect(rg_http_request *r, const char *to, const char *cookie_header)
{
    const char *headers[] = {"Location", to, "Cache-Control", "no-store", cookie_header ? "Set-Cookie" : NULL,
                             cookie_header, NULL};
    return rg_http_send(r, MHD_HTTP_SEE_OTHER, "text/plain; charset=utf-8", "", 0, headers);
}

static const char STYLE[] =
    "*{box-sizing:border-box}body{margin:0;font-family:system-ui,sans-serif;color:#1d1d1f;background:#f5f6f8;"
    "line-height:1.45}a{color:#0b57d0}header{background:#12355b;color:#fff;display:flex;flex-wrap:wrap;"
    "align-items:center;gap:1rem;padding:.5rem 1rem}header .brand{font-weight:700;font-size:1.1rem;color:#fff;"
    "text-decoration:none}nav{display:flex;flex-wrap:wrap;gap:.25rem}nav a{color:#dfe7f1;text-decoration:none;"
    "padding:.35rem .6rem;border-radius:.3rem}nav a[aria-current=page]{background:#fff;color:#12355b}"
    "header .who{margin-left:auto;display:flex;gap:.5rem;align-items:center;font-size:.9rem}"
    "main{max-width:72rem;margin:0 auto;padding:1rem}h1{font-size:1.5rem;margin:.5rem 0 1rem}"
    "h2{font-size:1.15rem;margin:1.5rem 0 .5rem}table{border-collapse:collapse;width:100%;background:#fff}"
    "th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #e1e4e8;vertical-align:top}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    "button,.btn{font:inherit;padding:.35rem .8rem;border:1px solid #12355b;border-radius:.3rem;background:#12355b;"
    "color:#fff;cursor:pointer;text-decoration:none;display:inline-block}button.sec,.btn.sec{background:#fff;"
    "color:#12355b}input,select,textarea{font:inherit;padding:.3rem .4rem;border:1px solid #8a949e;"
    "border-radius:.3rem}label{display:block;margin:.4rem 0 .15rem;font-weight:600}form.inline{display:inline}"
    ".filters{display:flex;flex-wrap:wrap;gap:.75rem;align-items:flex-end;margin-bottom:1rem}"
    ".filters label{margin:0 0 .15rem}.kpis{display:flex;flex-wrap:wrap;gap:1rem}.kpi{background:#fff;"
    "border:1px solid #e1e4e8;border-radius:.4rem;padding:.75rem 1rem;min-width:12rem}.kpi b{display:block;"
    "font-size:1.4rem}.muted{color:#5b6670}.flash{padding:.6rem .8rem;border-radius:.3rem;background:#e6f4ea;"
    "border:1px solid #8bc79a;margin-bottom:1rem}.flash.err{background:#fce8e6;border-color:#e0a39d}"
    ".login{max-width:24rem;margin:4rem auto;background:#fff;padding:1.5rem;border:1px solid #e1e4e8;"
    "border-radius:.5rem}.login input{width:100%}.login button{margin-top:1rem;width:100%}"
    "ol.timeline{list-style:none;padding:0;margin:0}ol.timeline li{background:#fff;border-left:4px solid #12355b;"
    "margin:.4rem 0;padding:.5rem .75rem}ol.timeline li.payment{border-color:#1e8e3e}"
    "ol.timeline li.promise{border-color:#b06000}ol.timeline li.task{border-color:#7b1fa2}"
    "ol.timeline time{color:#5b6670;font-size:.85rem;margin-right:.5rem}pre.msg{white-space:pre-wrap;"
    "background:#f5f6f8;padding:.5rem;margin:.4rem 0 0;font-family:inherit}.pager{margin:1rem 0;display:flex;gap:1rem}"
    /* Clientes, Réguas (dash_customers.c, dash_cadences.c): contact facts, timelines, lint */
    "dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;background:#fff;padding:.75rem 1rem;"
    "margin:0}dl.facts dt{font-weight:600}dl.facts dd{margin:0}svg.timeline{width:100%;height:auto;background:#fff;"
    "border:1px solid #e1e4e8;border-radius:.4rem;margin:.25rem 0 .75rem}section.cadence{margin-bottom:2rem}"
    "pre.lint{white-space:pre-wrap;background:#fff8e1;border:1px solid #e0c46c;padding:.5rem;font-size:.85rem}"
    "h3{font-size:1rem;margin:1rem 0 .4rem}"
    /* Visão geral (dash_overview.c): KPIs as links, charts (svg.c) */
    "a.kpi{color:inherit;text-decoration:none;flex:1 1 13rem}a.kpi:hover,a.kpi:focus{border-color:#0b57d0}"
    ".kpi small{display:block;color:#5b6670}.kpi b{white-space:nowrap}.charts{display:grid;grid-template-columns:repeat(auto-fit,"
    "minmax(min(100%,30rem),1fr));gap:1rem}figure.chart{background:#fff;border:1px solid #e1e4e8;"
    "border-radius:.4rem;padding:.75rem;margin:0 0 1rem}figure.chart figcaption{font-weight:600;margin:.25rem 0}"
    "details summary{cursor:pointer;color:#0b57d0}caption{text-align:left;font-weight:600;padding:.4rem 0}"
    "tr.total{font-weight:700}";

static void page_head(rg_buf *b, const char *title)
{
    rg_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"pt-BR\"><head><meta charset=\"utf-8\">"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                   "<meta name=\"robots\" content=\"noindex\"><title>");
    rg_html_escape(b, title);
    rg_buf_puts(b, " · régua</title><style>");
    rg_buf_puts(b, STYLE);
    rg_buf_puts(b, "</style></head><body>");
}

static const struct {
    const char *path, *label;
} NAV[] = {
    {"/", "Visão geral"},
    {"/faturas", "Faturas"},
    {"/tarefas", "Tarefas"},
    {"/clientes", "Clientes"},
    {"/mensagens", "Mensagens"},
    {"/reguas", "Réguas"},
    {"/canais", "Canais"},
};

void rg_dash_csrf_field(rg_buf *b, const rg_dash *d)
{
    rg_buf_puts(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
    rg_buf_puts(b, d->session.csrf);
    rg_buf_puts(b, "\">");
}

void rg_dash_start(rg_buf *b, const rg_dash *d, const char *title, const char *active)
{
    page_head(b, title);
    rg_buf_puts(b, "<header><a class=\"brand\" href=\"/\">régua</a><nav aria-label=\"Páginas\">");
    for (size_t i = 0; i < sizeof NAV / sizeof *NAV; i++)
        rg_buf_printf(b, "<a href=\"%s\"%s>%s</a>", NAV[i].path,
                       active && !strcmp(active, NAV[i].path) ? " aria-current=\"page\"" : "", NAV[i].label);
    rg_buf_puts(b, "</nav><div class=\"who\"><span>");
    rg_html_escape(b, d->session.user.email);
    rg_buf_printf(b, " (%s)</span><form class=\"inline\" method=\"post\" action=\"/logout\">",
                   rg_dash_role_label(d->session.role));
    rg_dash_csrf_field(b, d);
    rg_buf_puts(b, "<button class=\"sec\" type=\"submit\">Sair</button></form></div></header><main><h1>");
    rg_html_escape(b, title);
    rg_buf_puts(b, "</h1>");
}

enum MHD_Result rg_dash_finish(rg_dash *d, rg_buf *b, unsigned status)
{
    rg_buf_puts(b, "</main></body></html>\n");
    static const char *const no_store[] = {"Cache-Control", "no-store", NULL};
    enum MHD_Result ret = rg_http_send_html(d->r, status, b, NULL, no_store);
    rg_buf_free(b);
    return ret;
}

const char *rg_dash_role_label(rg_api_role role)
{
    switch (role) {
    case RG_ROLE_ADMIN: return "administrador";
    case RG_ROLE_OPERATOR: return "operador";
    case RG_ROLE_VIEWER: return "leitura";
    case RG_ROLE_NONE: break;
    }
    return "";
}

const char *rg_dash_time(const rg_dash *d, rg_instant t, char *buf, size_t n)
{
    if (t == RG_INSTANT_NONE) {
        rg_strlcpy(buf, "—", n);
        return buf;
    }
    const rg_tz *tz = rg_zones_company(d->r->srv->events->zones);
    rg_date day;
    int sec;
    rg_tz_local(tz, t, &day, &sec);
    int y, m, dd;
    rg_date_to_ymd(day, &y, &m, &dd);
    snprintf(buf, n, "%02d/%02d/%04d %02d:%02d", dd, m, y, sec / 3600, sec / 60 % 60);
    return buf;
}

const char *rg_dash_date(rg_date day, char *buf, size_t n)
{
    if (day == RG_DATE_NONE) {
        rg_strlcpy(buf, "—", n);
        return buf;
    }
    int y, m, dd;
    rg_date_to_ymd(day, &y, &m, &dd);
    snprintf(buf, n, "%02d/%02d/%04d", dd, m, y);
    return buf;
}

/* A page alone (no session's header): errors before the session is known. */
static enum MHD_Result bare_page(rg_http_request *r, unsigned status, const char *title, const char *html,
                                 const char *const *extra)
{
    rg_buf b = RG_BUF_INIT;
    page_head(&b, title);
    rg_buf_puts(&b, "<main><div class=\"login\"><h1>");
    rg_html_escape(&b, title);
    rg_buf_puts(&b, "</h1>");
    rg_buf_puts(&b, html);
    rg_buf_puts(&b, "</div></main></body></html>\n");
    enum MHD_Result ret = rg_http_send_html(r, status, &b, NULL, extra);
    rg_buf_free(&b);
    return ret;
}

enum MHD_Result rg_dash_error(rg_dash *d, unsigned status, const char *title, const char *text)
{
    rg_buf b = RG_BUF_INIT;
    rg_dash_start(&b, d, title, NULL);
    rg_buf_puts(&b, "<p>");
    rg_html_escape(&b, text);
    rg_buf_puts(&b, "</p><p><a href=\"/\">Voltar à visão geral</a></p>");
    return rg_dash_finish(d, &b, status);
}

enum MHD_Result rg_dash_store_error(rg_dash *d, const char *what, const rg_err *e)
{
    if (e->code == RG_EBUSY) {
        rg_buf b = RG_BUF_INIT;
        rg_dash_start(&b, d, "Tente de novo", NULL);
        rg_buf_puts(&b, "<p>O banco de dados está ocupado. Tente de novo em alguns segundos.</p>");
        rg_buf_puts(&b, "</main></body></html>\n");
        const char *const extra[] = {"Retry-After", RG_HTTP_RETRY_AFTER, "Cache-Control", "no-store", NULL};
        enum MHD_Result ret = rg_http_send_html(d->r, MHD_HTTP_SERVICE_UNAVAILABLE, &b, NULL, extra);
        rg_buf_free(&b);
        return ret;
    }
    rg_error("dashboard: %s: %s: %s", what, e->where, e->msg);
    if (e->code == RG_ENOTFOUND)
        return rg_dash_error(d, MHD_HTTP_NOT_FOUND, "Não encontrado", e->msg);
    if (e->code == RG_EINVAL || e->code == RG_ECONFLICT)
        return rg_dash_error(d, MHD_HTTP_UNPROCESSABLE_CONTENT, "Não foi possível", e->msg);
    return rg_dash_error(d, MHD_HTTP_INTERNAL_SERVER_ERROR, "Erro interno",
                         "Algo falhou do nosso lado; o registro do servidor tem os detalhes.");
}

/* ---- sessions ---- */

bool rg_dash_open(rg_http_request *r, rg_dash *d, rg_api_role need, enum MHD_Result *ret)
{
    memset(d, 0, sizeof *d);
    d->r = r;
    d->now = rg_http_now(r);
    rg_err e;
    rg_err_clear(&e);
    d->store = rg_http_store(r, &e);
    if (!d->store) {
        *ret = bare_page(r, MHD_HTTP_SERVICE_UNAVAILABLE, "Tente de novo",
                         "<p>O servidor está sem conexões livres. Tente de novo em alguns segundos.</p>", NULL);
        return false;
    }
    bool valid = false;
    const char *token = cookie(r, SESSION_COOKIE);
    if (token && rg_user_session(d->store, token, d->now, &d->session, &valid, &e) != RG_OK) {
        rg_error("dashboard: reading a session: %s", e.msg);
        *ret = bare_page(r, MHD_HTTP_SERVICE_UNAVAILABLE, "Tente de novo",
                         "<p>Não foi possível ler a sessão. Tente de novo em alguns segundos.</p>", NULL);
        return false;
    }
    bool post = !strcmp(r->method, "POST");
    if (!valid) {
        *ret = redirect(r, "/login", NULL);
        return false;
    }
    if (post) {
        form_parse(d);
        const char *csrf = rg_dash_form(d, "csrf");
        if (!csrf || strlen(csrf) != 64 || sodium_memcmp(csrf, d->session.csrf, 64) != 0) {
            *ret = rg_dash_error(d, MHD_HTTP_FORBIDDEN, "Formulário expirado",
                                 "Este formulário não vale mais (a sessão mudou). Volte, recarregue a página e "
                                 "tente de novo.");
            rg_dash_close(d);
            return false;
        }
    }
    if (d->session.role < need) {
        *ret = rg_dash_error(d, MHD_HTTP_FORBIDDEN, "Sem permissão",
                             "Seu usuário só pode consultar: esta ação pede o papel de operador ou administrador.");
        rg_dash_close(d);
        return false;
    }
    return true;
}

void rg_dash_close(rg_dash *d)
{
    free(d->form);
    d->form = NULL;
    sodium_memzero(&d->session, sizeof d->session);
}

bool rg_dash_can_change(const rg_dash *d)
{
    return d->session.role >= RG_ROLE_OPERATOR;
}

/* ---- login and logout ---- */

static void client_ip(const rg_http_request *r, char *out, size_t n)
{
    rg_strlcpy(out, "?", n);
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, (socklen_t)n);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, (socklen_t)n);
}

static enum MHD_Result login_form(rg_http_request *r, unsigned status, const char *flash, const char *email,
                                  const char *retry_after)
{
    /* the login form's CSRF token: a random value in a cookie and in the
     * form (double submit); SameSite=Lax keeps other sites' posts without it */
    unsigned char raw[24];
    char value[64], set[256];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(value, sizeof value, raw, sizeof raw);
    set_cookie(set, sizeof set, r, LOGIN_COOKIE, value, 3600, "/login");
    rg_buf b = RG_BUF_INIT;
    if (flash) {
        rg_buf_puts(&b, "<p class=\"flash err\" role=\"alert\">");
        rg_html_escape(&b, flash);
        rg_buf_puts(&b, "</p>");
    }
    rg_buf_puts(&b, "<form method=\"post\" action=\"/login\"><input type=\"hidden\" name=\"csrf\" value=\"");
    rg_buf_puts(&b, value);
    rg_buf_puts(&b, "\"><label for=\"email\">E-mail</label><input id=\"email\" name=\"email\" type=\"email\" "
                    "autocomplete=\"username\" required value=\"");
    rg_html_escape(&b, email ? email : "");
    rg_buf_puts(&b, "\"><label for=\"password\">Senha</label><input id=\"password\" name=\"password\" "
                    "type=\"password\" autocomplete=\"current-password\" required>"
                    "<button type=\"submit\">Entrar</button></form>");
    const char *extra[] = {"Set-Cookie", set, "Cache-Control", "no-store", retry_after ? "Retry-After" : NULL,
                           retry_after, NULL};
    enum MHD_Result ret = b.oom ? MHD_NO : bare_page(r, status, "Entrar", b.p, extra);
    rg_buf_free(&b);
    return ret;
}

enum MHD_Result rg_http_dash_login_page(rg_http_request *r)
{
    rg_err e;
    rg_store *s = rg_http_store(r, &e);
    const char *token = cookie(r, SESSION_COOKIE);
    if (s && token) {
        rg_session sess;
        bool valid = false;
        if (rg_user_session(s, token, rg_http_now(r), &sess, &valid, &e) == RG_OK && valid) {
            sodium_memzero(&sess, sizeof sess);
            return redirect(r, "/", NULL);
        }
    }
    return login_form(r, MHD_HTTP_OK, NULL, NULL, NULL);
}

enum MHD_Result rg_http_dash_login(rg_http_request *r)
{
    rg_dash d;
    memset(&d, 0, sizeof d);
    d.r = r;
    form_parse(&d);
    const char *csrf = rg_dash_form(&d, "csrf"), *want = cookie(r, LOGIN_COOKIE);
    const char *email = rg_dash_form(&d, "email"), *password = rg_dash_form(&d, "password");
    enum MHD_Result ret;
    if (!csrf || !want || strlen(csrf) != strlen(want) || sodium_memcmp(csrf, want, strlen(want)) != 0) {
        ret = login_form(r, MHD_HTTP_FORBIDDEN, "O formulário expirou. Tente entrar de novo.", email, NULL);
        goto out;
    }
    if (!email || !*email || !password || !*password) {
        ret = login_form(r, MHD_HTTP_UNPROCESSABLE_CONTENT, "Informe o e-mail e a senha.", email, NULL);
        goto out;
    }
    rg_err e;
    rg_err_clear(&e);
    rg_store *s = rg_http_store(r, &e);
    char ip[64];
    client_ip(r, ip, sizeof ip);
    rg_login_outcome outcome = RG_LOGIN_BAD;
    rg_session sess;
    if (!s || rg_user_login(s, email, password, ip, rg_http_now(r), &outcome, &sess, &e) != RG_OK) {
        rg_error("dashboard: login: %s", e.msg);
        ret = login_form(r, MHD_HTTP_SERVICE_UNAVAILABLE, "Não foi possível entrar agora. Tente de novo em "
                                                          "alguns segundos.", email, RG_HTTP_RETRY_AFTER);
        goto out;
    }
    if (outcome == RG_LOGIN_LIMITED) {
        char secs[16];
        snprintf(secs, sizeof secs, "%d", RG_LOGIN_WINDOW_SECONDS);
        rg_info("dashboard: login refused (too many failures) from %s", ip);
        ret = login_form(r, MHD_HTTP_TOO_MANY_REQUESTS,
                         "Muitas tentativas sem sucesso. Espere 15 minutos e tente de novo.", email, secs);
        goto out;
    }
    if (outcome == RG_LOGIN_BAD) {
        rg_info("dashboard: failed login from %s", ip);
        ret = login_form(r, MHD_HTTP_UNAUTHORIZED, "E-mail ou senha incorretos.", email, NULL);
        goto out;
    }
    char set[256];
    set_cookie(set, sizeof set, r, SESSION_COOKIE, sess.token, RG_SESSION_SECONDS, "/");
    rg_info("dashboard: %s logged in", sess.user.email);
    sodium_memzero(&sess, sizeof sess);
    ret = redirect(r, "/", set);
    sodium_memzero(set, sizeof set);
out:
    rg_dash_close(&d);
    return ret;
}

enum MHD_Result rg_http_dash_logout(rg_http_request *r)
{
    rg_dash d;
    enum MHD_Result ret;
    if (!rg_dash_open(r, &d, RG_ROLE_VIEWER, &ret))
        return ret;
    rg_err e;
    rg_err_clear(&e);
    if (rg_user_logout(d.store, d.session.token, &e) != RG_OK) {
        ret = rg_dash_store_error(&d, "logout", &e);
        rg_dash_close(&d);
        return ret;
    }
    rg_dash_close(&d);
    char set[256];
    set_cookie(set, sizeof set, r, SESSION_COOKIE, "", 0, "/");
    return redirect(r, "/login", set);
}
