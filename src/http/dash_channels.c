/*
 * The dashboard's Canais: each channel's status — configured or not, its
 * driver, cost per message, messages by status, last send and last failure
 * — and, for an admin, a test send through the real channel code
 * (service/channels.h): POST /canais/NAME/teste, then 303 back here with
 * the result. docs/dashboard.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "http/dash.h"
#include "service/channels.h"
#include "service/reports.h"

static void count_cell(rg_buf *b, int64_t n)
{
    rg_buf_printf(b, "<td class=\"n\">%lld</td>", (long long)n);
}

static void test_result(rg_buf *b, const rg_dash *d)
{
    const char *t = rg_dash_query(d, "teste"), *ch = rg_dash_query(d, "canal");
    const char *to = rg_dash_query(d, "para"), *detail = rg_dash_query(d, "detalhe");
    bool ok = !strcmp(t, "ok");
    if (!ok && strcmp(t, "falhou") != 0)
        return;
    rg_buf_printf(b, "<div class=\"flash%s\" role=\"status\" id=\"resultado-teste\"><p>", ok ? "" : " err");
    rg_buf_puts(b, ok ? "Mensagem de teste enviada pelo canal <strong>" : "O envio de teste pelo canal <strong>");
    rg_html_escape(b, ch);
    rg_buf_puts(b, "</strong>");
    rg_buf_puts(b, ok ? " para " : " para ");
    rg_html_escape(b, to);
    rg_buf_puts(b, ok ? "." : " falhou.");
    rg_buf_puts(b, "</p>");
    if (*detail) {
        rg_buf_puts(b, ok ? "<p>Identificador do provedor: <code>" : "<p>Motivo: <code>");
        rg_html_escape(b, detail);
        rg_buf_puts(b, "</code></p>");
    }
    rg_buf_puts(b, "</div>");
}

enum MHD_Result rg_http_dash_channels(rg_http_request *r)
{
    rg_dash d;
    enum MHD_Result ret;
    if (!rg_dash_open(r, &d, RG_ROLE_VIEWER, &ret))
        return ret;
    rg_channel_status *v = NULL;
    size_t n = 0;
    rg_err e;
    rg_err_clear(&e);
    if (rg_channels_status(d.store, r->srv->config, &v, &n, &e) != RG_OK) {
        ret = rg_dash_store_error(&d, "channels", &e);
        rg_dash_close(&d);
        return ret;
    }
    bool admin = d.session.role >= RG_ROLE_ADMIN;
    rg_buf b = RG_BUF_INIT;
    rg_dash_start(&b, &d, "Canais", "/canais");
    test_result(&b, &d);
    rg_buf_puts(&b, "<table><caption class=\"muted\">Canais da configuração (regua.yaml) e os que só aparecem em "
                    "mensagens antigas</caption><thead><tr><th scope=\"col\">Canal</th><th scope=\"col\">Driver</th>"
                    "<th scope=\"col\" class=\"n\">Custo por mensagem</th><th scope=\"col\" class=\"n\">Mensagens</th>"
                    "<th scope=\"col\" class=\"n\">Enviadas</th><th scope=\"col\" class=\"n\">Entregues</th>"
                    "<th scope=\"col\" class=\"n\">Lidas</th><th scope=\"col\" class=\"n\">Na fila</th>"
                    "<th scope=\"col\" class=\"n\">Falharam</th><th scope=\"col\" class=\"n\">Outras</th>"
                    "<th scope=\"col\">Último envio</th><th scope=\"col\">Última falha</th></tr></thead><tbody>");
    for (size_t i = 0; i < n; i++) {
        const rg_channel_status *c = &v[i];
        const int64_t *s = c->stats.by_status;
        int64_t queued = s[RG_MSG_PLANNED] + s[RG_MSG_QUEUED] + s[RG_MSG_SENDING];
        int64_t other = s[RG_MSG_CANCELLED] + s[RG_MSG_SUPPRESSED] + s[RG_MSG_UNCERTAIN];
        char when[40];
        rg_buf_puts(&b, "<tr id=\"canal-");
        rg_html_escape(&b, c->stats.channel);
        rg_buf_puts(&b, "\"><th scope=\"row\">");
        rg_html_escape(&b, c->stats.channel);
        rg_buf_puts(&b, "</th><td>");
        if (c->configured)
            rg_html_escape(&b, c->driver);
        else
            rg_buf_puts(&b, "<span class=\"muted\">não configurado</span>");
        rg_buf_puts(&b, "</td><td class=\"n\">");
        if (c->configured)
            rg_dash_money(&b, c->cost_per_message);
        else
            rg_buf_puts(&b, "—");
        rg_buf_puts(&b, "</td>");
        count_cell(&b, c->total);
        count_cell(&b, s[RG_MSG_SENT] + s[RG_MSG_DELIVERED] + s[RG_MSG_READ]);
        count_cell(&b, s[RG_MSG_DELIVERED] + s[RG_MSG_READ]);
        count_cell(&b, s[RG_MSG_READ]);
        count_cell(&b, queued);
        count_cell(&b, s[RG_MSG_FAILED]);
        count_cell(&b, other);
        rg_buf_printf(&b, "<td>%s</td><td>", rg_dash_time(&d, c->stats.last_sent, when, sizeof when));
        rg_buf_puts(&b, rg_dash_time(&d, c->stats.last_failed, when, sizeof when));
        if (c->stats.last_failure[0]) {
            rg_buf_puts(&b, "<br><span class=\"muted\">");
            rg_html_escape(&b, c->stats.last_failure);
            rg_buf_puts(&b, "</span>");
        }
        rg_buf_puts(&b, "</td></tr>");
    }
    if (n == 0)
        rg_buf_puts(&b, "<tr><td colspan=\"12\">Nenhum canal configurado nem mensagem enviada.</td></tr>");
    rg_buf_puts(&b, "</tbody></table><p class=\"muted\">Enviadas inclui as entregues e as lidas; entregues inclui "
                    "as lidas. Na fila: planejadas, na fila e enviando. Outras: canceladas, suprimidas e incertas.</p>");
    rg_dash_csv_link(&b, &d, "/canais.csv", NULL);
    if (admin) {
        rg_buf_puts(&b, "<h2>Envio de teste</h2><p>Manda uma mensagem de teste pelo código real do canal (o mesmo "
                        "do disparo), sem cliente nem fatura, e mostra a resposta do provedor. Nada fica "
                        "registrado nas mensagens.</p>");
        bool any = false;
        for (size_t i = 0; i < n; i++) {
            const rg_channel_status *c = &v[i];
            if (!c->can_test)
                continue;
            any = true;
            rg_buf_puts(&b, "<form class=\"filters\" method=\"post\" action=\"/canais/");
            rg_dash_url_escape(&b, c->stats.channel);
            rg_buf_puts(&b, "/teste\">");
            rg_dash_csrf_field(&b, &d);
            rg_buf_puts(&b, "<div><label for=\"t-");
            rg_html_escape(&b, c->stats.channel);
            rg_buf_puts(&b, "\">");
            rg_html_escape(&b, c->stats.channel);
            const char *kind = rg_channel_test_address(r->srv->config, c->stats.channel);
            rg_buf_puts(&b, !strcmp(kind, "email")   ? ": e-mail de destino"
                            : !strcmp(kind, "phone") ? ": telefone de destino (com DDD)"
                                                     : ": destino");
            rg_buf_puts(&b, "</label><input id=\"t-");
            rg_html_escape(&b, c->stats.channel);
            rg_buf_printf(&b, "\" name=\"destino\" required maxlength=\"254\"%s></div>"
                              "<button type=\"submit\">Enviar teste</button></form>",
                          !strcmp(kind, "email") ? " type=\"email\"" : !strcmp(kind, "phone") ? " type=\"tel\"" : "");
        }
        if (!any)
            rg_buf_puts(&b, "<p>Nenhum canal configurado aceita teste (só smtp, http, whatsapp_cloud e log).</p>");
    }
    free(v);
    ret = rg_dash_finish(&d, &b, MHD_HTTP_OK);
    rg_dash_close(&d);
    return ret;
}

enum MHD_Result rg_http_dash_channel_test(rg_http_request *r)
{
    rg_dash d;
    enum MHD_Result ret;
    if (!rg_dash_open(r, &d, RG_ROLE_ADMIN, &ret))
        return ret;
    char name[RG_CHANNEL_MAX + 1];
    if (r->params[0].n > RG_CHANNEL_MAX) {
        ret = rg_dash_error(&d, MHD_HTTP_NOT_FOUND, "Não encontrado", "Não há canal com este nome.");
        rg_dash_close(&d);
        return ret;
    }
    memcpy(name, r->params[0].p, r->params[0].n);
    name[r->params[0].n] = '\0';
    const char *to = rg_dash_form(&d, "destino");
    rg_channel_test t;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_channel_test_send(r->srv->config, d.store, name, to, d.now, &t, &e);
    if (rc == RG_EINVAL && !strcmp(e.where, "destino")) {
        ret = rg_dash_error(&d, MHD_HTTP_UNPROCESSABLE_CONTENT, "Destino inválido",
                            "destino: informe um endereço válido para o canal (um e-mail, ou um telefone com DDD).");
        rg_dash_close(&d);
        return ret;
    }
    if (rc != RG_OK) {
        ret = rg_dash_store_error(&d, "channel test", &e);
        rg_dash_close(&d);
        return ret;
    }
    rg_info("dashboard: %s sent a test through channel %s: %s", d.session.user.email, name,
            t.sent ? "accepted" : t.result.error);
    rg_buf to_url = RG_BUF_INIT;
    rg_buf_puts(&to_url, t.sent ? "/canais?teste=ok&canal=" : "/canais?teste=falhou&canal=");
    rg_dash_url_escape(&to_url, name);
    rg_buf_puts(&to_url, "&para=");
    rg_dash_url_escape(&to_url, t.to);
    rg_buf_puts(&to_url, "&detalhe=");
    rg_dash_url_escape(&to_url, t.sent ? t.result.provider_id : t.result.error);
    rg_buf_puts(&to_url, "#resultado-teste");
    const char *headers[] = {"Location", to_url.oom ? "/canais" : to_url.p, "Cache-Control", "no-store", NULL};
    ret = rg_http_send(r, MHD_HTTP_SEE_OTHER, "text/plain; charset=utf-8", "", 0, headers);
    rg_buf_free(&to_url);
    rg_dash_close(&d);
    return ret;
}

/* Canais as CSV: every status on its own column. */
enum MHD_Result rg_http_dash_channels_csv(rg_http_request *r)
{
    rg_dash d;
    enum MHD_Result ret;
    if (!rg_dash_open(r, &d, RG_ROLE_VIEWER, &ret))
        return ret;
    rg_channel_status *v = NULL;
    size_t n = 0;
    rg_err e;
    rg_err_clear(&e);
    if (rg_channels_status(d.store, r->srv->config, &v, &n, &e) != RG_OK) {
        ret = rg_dash_store_error(&d, "channels csv", &e);
        rg_dash_close(&d);
        return ret;
    }
    static const char *const cols[] = {"canal",      "driver",    "configurado", "custo por mensagem", "mensagens",
                                       "planejadas", "na fila",   "enviando",    "enviadas",           "entregues",
                                       "lidas",      "falharam",  "canceladas",  "suprimidas",         "incertas",
                                       "último envio", "última falha", "motivo da última falha"};
    rg_buf rows = RG_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        const rg_channel_status *c = &v[i];
        char num[RG_MSG_STATUS_COUNT + 1][24], cost[32], sent[40] = "", failed[40] = "";
        snprintf(num[0], sizeof num[0], "%lld", (long long)c->total);
        for (int k = 0; k < RG_MSG_STATUS_COUNT; k++)
            snprintf(num[k + 1], sizeof num[k + 1], "%lld", (long long)c->stats.by_status[k]);
        rg_report_money_br(c->cost_per_message, cost, sizeof cost);
        if (c->stats.last_sent != RG_INSTANT_NONE)
            rg_dash_time(&d, c->stats.last_sent, sent, sizeof sent);
        if (c->stats.last_failed != RG_INSTANT_NONE)
            rg_dash_time(&d, c->stats.last_failed, failed, sizeof failed);
        /* by_status is in rg_message_status order: planned, queued, sending,
         * sent, delivered, read, failed, cancelled, suppressed, uncertain */
        const char *cells[] = {c->stats.channel, c->driver,  c->configured ? "sim" : "não",
                               c->configured ? cost : "", num[0], num[1], num[2], num[3], num[4], num[5], num[6],
                               num[7], num[8], num[9], num[10], sent, failed, c->stats.last_failure};
        rg_report_csv_row(&rows, cells, sizeof cells / sizeof *cells);
    }
    free(v);
    ret = rg_dash_send_csv(&d, "canais", cols, sizeof cols / sizeof *cols, &rows);
    rg_buf_free(&rows);
    rg_dash_close(&d);
    return ret;
}
