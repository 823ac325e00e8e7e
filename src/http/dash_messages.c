/*
 * The dashboard's Mensagens: every message with its status, reason and
 * cost, filtered by channel, status, cadence, customer and a date range in
 * the company's zone; keyset pages; each links to its invoice's timeline.
 * docs/dashboard.md.
 */
#include <stdio.h>
#include <string.h>

#include "base/tz.h"
#include "base/zones.h"
#include "http/dash.h"

const char *const rg_dash_message_params[] = {"canal", "status", "regua", "cliente", "de", "ate", NULL};

static bool name_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
            return false;
    return true;
}

bool rg_dash_message_filter(const rg_dash *d, rg_message_filter *f, const char **bad)
{
    rg_message_filter_init(f);
    const char *channel = rg_dash_query(d, "canal"), *status = rg_dash_query(d, "status");
    const char *cadence = rg_dash_query(d, "regua"), *customer = rg_dash_query(d, "cliente");
    const char *after = rg_dash_query(d, "depois");
    *bad = NULL;
    if (*channel) {
        if (!name_ok(channel, RG_CHANNEL_MAX))
            *bad = "canal: use o nome de um canal (letras minúsculas, números, _ e -)";
        f->channel = channel;
    }
    if (*status) {
        rg_message_status st = RG_MSG_PLANNED;
        if (!rg_message_status_parse(status, &st))
            *bad = "status: escolha uma das situações da lista";
        f->status = (int)st;
    }
    if (*cadence) {
        if (strlen(cadence) > 64)
            *bad = "regua: o nome da régua é longo demais";
        f->cadence = cadence;
    }
    if (*customer) {
        if (strlen(customer) > RG_EXTID_MAX)
            *bad = "cliente: o código do cliente é longo demais";
        f->customer_external_id = customer;
    }
    rg_date from, to;
    if (!rg_dash_date_param(d, "de", &from))
        *bad = "de: use uma data como 2026-12-31";
    if (!rg_dash_date_param(d, "ate", &to))
        *bad = "ate: use uma data como 2026-12-31";
    if (!*bad && from != RG_DATE_NONE && to != RG_DATE_NONE && from > to)
        *bad = "de: a data inicial vem depois da final (ate)";
    const rg_tz *tz = rg_zones_company(d->r->srv->events->zones);
    if (from != RG_DATE_NONE)
        f->from = rg_tz_to_utc(tz, from, 0);
    if (to != RG_DATE_NONE)
        f->to = rg_tz_to_utc(tz, to + 1, 0);
    if (*after && !rg_parse_i64(rg_slice_cstr(after), 0, INT64_MAX, &f->after_id))
        *bad = "depois: não é uma posição da lista";
    return *bad == NULL;
}

typedef struct list_ctx {
    rg_buf *b;
    const rg_dash *d;
    int64_t n, last_id;
} list_ctx;

static rg_status message_row(void *p, const rg_message *m)
{
    list_ctx *lc = p;
    if (lc->n++ == RG_DASH_PAGE_ROWS)
        return RG_OK; /* the one past the page: there is a next page */
    lc->last_id = m->id;
    rg_buf *b = lc->b;
    char when[40];
    rg_buf_printf(b, "<tr id=\"mensagem-%lld\"><td>%s%s</td><td>", (long long)m->id,
                  rg_dash_time(lc->d, m->sent_at ? m->sent_at : m->planned_for, when, sizeof when),
                  m->sent_at ? "" : " <span class=\"muted\">(planejada)</span>");
    rg_html_escape(b, m->channel);
    rg_buf_printf(b, "</td><td>%s</td><td>", rg_dash_message_status_label(m->status));
    rg_html_escape(b, m->reason);
    rg_buf_puts(b, "</td><td><a href=\"/clientes/");
    rg_dash_url_escape(b, m->customer_external_id);
    rg_buf_puts(b, "\">");
    rg_html_escape(b, m->customer_external_id);
    rg_buf_puts(b, "</a></td><td>");
    /* "F1|F2": each invoice's timeline */
    char ids[sizeof m->invoice_external_ids];
    rg_strlcpy(ids, m->invoice_external_ids, sizeof ids);
    char *save = NULL;
    bool first = true;
    for (char *t = strtok_r(ids, "|", &save); t; t = strtok_r(NULL, "|", &save)) {
        rg_buf_puts(b, first ? "<a href=\"/faturas/" : ", <a href=\"/faturas/");
        first = false;
        rg_dash_url_escape(b, t);
        rg_buf_puts(b, "\">");
        rg_html_escape(b, t);
        rg_buf_puts(b, "</a>");
    }
    rg_buf_puts(b, "</td><td>");
    rg_html_escape(b, m->cadence);
    if (m->source_id[0]) {
        rg_buf_puts(b, " / ");
        rg_html_escape(b, m->source_id);
    }
    rg_buf_puts(b, "</td><td class=\"n\">");
    rg_dash_money(b, m->cost);
    rg_buf_puts(b, "</td></tr>");
    return RG_OK;
}

static const char *const STATUSES[] = {"planned", "queued", "sending", "sent",      "delivered",
                                       "read",    "failed", "cancelled", "suppressed", "uncertain"};

enum MHD_Result rg_http_dash_messages(rg_http_request *r)
{
    rg_dash d;
    enum MHD_Result ret;
    if (!rg_dash_open(r, &d, RG_ROLE_VIEWER, &ret))
        return ret;
    rg_message_filter f;
    const char *bad = NULL;
    if (!rg_dash_message_filter(&d, &f, &bad)) {
        ret = rg_dash_bad_filter(&d, bad);
        rg_dash_close(&d);
        return ret;
    }
    f.limit = RG_DASH_PAGE_ROWS + 1;
    rg_buf b = RG_BUF_INIT;
    rg_dash_start(&b, &d, "Mensagens", "/mensagens");
    rg_buf_puts(&b, "<form class=\"filters\" method=\"get\" action=\"/mensagens\">");
    rg_buf_puts(&b, "<div><label for=\"f-canal\">Canal</label><select id=\"f-canal\" name=\"canal\">");
    const char *channel = rg_dash_query(&d, "canal");
    rg_dash_option(&b, "", "todos", channel);
    const rg_config *cfg = r->srv->config;
    bool listed = !*channel;
    for (size_t i = 0; i < cfg->n_channels; i++) {
        rg_dash_option(&b, cfg->channels[i].name, cfg->channels[i].name, channel);
        listed |= !strcmp(cfg->channels[i].name, channel);
    }
    if (!listed) /* a channel no longer configured: keep it selectable */
        rg_dash_option(&b, channel, channel, channel);
    rg_buf_puts(&b, "</select></div><div><label for=\"f-status\">Situação</label><select id=\"f-status\" "
                    "name=\"status\">");
    const char *status = rg_dash_query(&d, "status");
    rg_dash_option(&b, "", "todas", status);
    for (size_t i = 0; i < sizeof STATUSES / sizeof *STATUSES; i++) {
        rg_message_status st;
        rg_message_status_parse(STATUSES[i], &st);
        rg_dash_option(&b, STATUSES[i], rg_dash_message_status_label(st), status);
    }
    rg_buf_puts(&b, "</select></div>");
    rg_dash_filter_input(&b, &d, "regua", "Régua", NULL);
    rg_dash_filter_input(&b, &d, "cliente", "Cliente (código)", NULL);
    rg_dash_filter_input(&b, &d, "de", "De", "date");
    rg_dash_filter_input(&b, &d, "ate", "até", "date");
    rg_buf_puts(&b, "<button type=\"submit\">Filtrar</button></form>");
    rg_buf_puts(&b, "<table><caption class=\"muted\">Mensagens por ordem de criação; a data é a do envio (ou a "
                    "planejada, se não saiu)</caption><thead><tr><th scope=\"col\">Quando</th>"
                    "<th scope=\"col\">Canal</th><th scope=\"col\">Situação</th><th scope=\"col\">Motivo</th>"
                    "<th scope=\"col\">Cliente</th><th scope=\"col\">Fatura</th><th scope=\"col\">Régua / passo</th>"
                    "<th scope=\"col\" class=\"n\">Custo</th></tr></thead><tbody>");
    list_ctx lc = {&b, &d, 0, 0};
    rg_err e;
    rg_err_clear(&e);
    if (rg_store_message_each(d.store, &f, message_row, &lc, &e) != RG_OK) {
        rg_buf_free(&b);
        ret = rg_dash_store_error(&d, "messages", &e);
        rg_dash_close(&d);
        return ret;
    }
    if (lc.n == 0)
        rg_buf_puts(&b, "<tr><td colspan=\"8\">Nenhuma mensagem com estes filtros.</td></tr>");
    rg_buf_puts(&b, "</tbody></table>");
    if (lc.n > RG_DASH_PAGE_ROWS)
        rg_dash_next_link(&b, &d, "/mensagens", rg_dash_message_params, lc.last_id);
    rg_dash_csv_link(&b, &d, "/mensagens.csv", rg_dash_message_params);
    ret = rg_dash_finish(&d, &b, MHD_HTTP_OK);
    rg_dash_close(&d);
    return ret;
}
