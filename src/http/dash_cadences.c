/*
 * The dashboard's Réguas: each installed cadence drawn as a timeline (SVG
 * drawn here) from its first to its last step — day offsets from the due
 * date, channels, firm or not — with each step's funnel (the `steps`
 * report over a period), the lint's diagnostics as `regua cadence lint`
 * prints them, and a link to the 30-day forecast (/reguas/previsao: the
 * `forecast` report per cadence and channel). docs/dashboard.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/tz.h"
#include "base/zones.h"
#include "cadence/diag.h"
#include "http/dash.h"
#include "service/cadences.h"
#include "service/reports.h"
#include "service/views.h"

/* A firm step: the bureau listing (negativação) or a letter. */
static bool firm(const rg_cadence_step *s)
{
    if (s->action == RG_ACTION_BUREAU_LISTING)
        return true;
    for (size_t i = 0; i < s->send.channels.n; i++)
        if (!strcmp(s->send.channels.v[i], "letter"))
            return true;
    return false;
}

static const char *action_label(rg_step_action a)
{
    switch (a) {
    case RG_ACTION_SEND: return "mensagem";
    case RG_ACTION_REISSUE: return "nova via (boleto/PIX)";
    case RG_ACTION_TASK: return "tarefa para a equipe";
    case RG_ACTION_BUREAU_LISTING: return "negativação";
    }
    return "";
}

static void offset_label(char *out, size_t n, int days)
{
    if (days == 0)
        snprintf(out, n, "D0");
    else
        snprintf(out, n, "D%+d", days);
}

static void channels_text(rg_buf *b, const rg_cadence_step *s)
{
    if (s->action == RG_ACTION_TASK && s->task_kind) {
        rg_buf_puts(b, "tarefa ");
        rg_html_escape(b, s->task_kind);
        return;
    }
    if (s->action == RG_ACTION_BUREAU_LISTING && !s->send.channels.n) {
        rg_buf_puts(b, "birô de crédito");
        return;
    }
    for (size_t i = 0; i < s->send.channels.n; i++) {
        if (i)
            rg_buf_puts(b, " → ");
        rg_html_escape(b, s->send.channels.v[i]);
    }
}

/* The timeline: a line from the first step's day to the last's (and the
 * due date), a dot per step (firm ones dark red), its day above, its
 * channels below. */
static void timeline_svg(rg_buf *b, const rg_cadence *c)
{
    int lo = 0, hi = 0;
    for (size_t i = 0; i < c->n_steps; i++) {
        lo = c->steps[i].at_days < lo ? c->steps[i].at_days : lo;
        hi = c->steps[i].at_days > hi ? c->steps[i].at_days : hi;
    }
    const int w = 900, pad = 60, y = 60; /* the dots' line; day labels above, channels below */
    double span = hi > lo ? (double)(hi - lo) : 1.0;
#define X(d) (hi > lo ? pad + (int)((double)((d) - lo) / span * (w - 2 * pad)) : w / 2)
    rg_buf_printf(b, "<svg class=\"timeline\" viewBox=\"0 0 %d 150\" role=\"img\" aria-label=\"Linha do tempo da "
                     "régua ",
                  w);
    rg_html_escape(b, c->name);
    char first[16], last[16];
    offset_label(first, sizeof first, lo);
    offset_label(last, sizeof last, hi);
    rg_buf_printf(b, ": %zu etapas de %s a %s\">", c->n_steps, first, last);
    rg_buf_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#8a949e\" stroke-width=\"2\"/>", X(lo), y,
                  X(hi), y);
    rg_buf_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#12355b\" stroke-width=\"2\" "
                     "stroke-dasharray=\"4 3\"/><text x=\"%d\" y=\"145\" text-anchor=\"middle\" font-size=\"12\" "
                     "fill=\"#12355b\">vencimento</text>",
                  X(0), y - 30, X(0), y + 30, X(0));
    for (size_t i = 0; i < c->n_steps; i++) {
        const rg_cadence_step *s = &c->steps[i];
        int x = X(s->at_days);
        /* steps close to an earlier one stack their labels */
        int stack = 0;
        for (size_t k = 0; k < i; k++) {
            int dx = X(c->steps[k].at_days) - x;
            stack += dx > -70 && dx < 70;
        }
        stack %= 3;
        char day[16];
        offset_label(day, sizeof day, s->at_days);
        rg_buf_printf(b, "<circle cx=\"%d\" cy=\"%d\" r=\"7\" fill=\"%s\"><title>", x, y,
                      firm(s) ? "#a50e0e" : "#0b57d0");
        rg_html_escape(b, s->id);
        rg_buf_printf(b, " (%s)</title></circle><text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"12\" "
                         "fill=\"#1d1d1f\">%s</text><text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"11\" "
                         "fill=\"#5b6670\">",
                      day, x, 44 - 14 * stack, day, x, 80 + 14 * stack);
        channels_text(b, s);
        rg_buf_puts(b, "</text>");
    }
#undef X
    rg_buf_puts(b, "</svg>");
}

static const rg_funnel_row *funnel_of(const rg_report *r, const char *cadence, const char *step)
{
    for (size_t i = 0; i < r->n_funnel; i++)
        if (!strcmp(r->funnel[i].cadence, cadence) && !strcmp(r->funnel[i].step, step))
            return &r->funnel[i];
    return NULL;
}

static void funnel_cells(rg_buf *b, const rg_funnel_row *f)
{
    static const rg_funnel_row none = {0};
    if (!f)
        f = &none;
    rg_buf_printf(b, "<td class=\"n\">%lld</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td>"
                     "<td class=\"n\">%lld</td><td class=\"n\">%lld</td><td class=\"n\">",
                  (long long)f->sent, (long long)f->delivered, (long long)f->engaged, (long long)f->paid_7d,
                  (long long)f->paid);
    rg_dash_money(b, f->attributed.amount);
    rg_buf_puts(b, "</td><td class=\"n\">");
    rg_dash_money(b, f->cost);
    rg_buf_puts(b, "</td>");
}

static const char FUNNEL_HEAD[] = "<th scope=\"col\" class=\"n\">Enviadas</th><th scope=\"col\" class=\"n\">Entregues</th>"
                                  "<th scope=\"col\" class=\"n\">Lidas, abertas ou clicadas</th>"
                                  "<th scope=\"col\" class=\"n\">Pagas em 7 dias</th><th scope=\"col\" class=\"n\">"
                                  "Pagas</th><th scope=\"col\" class=\"n\">Valor atribuído</th>"
                                  "<th scope=\"col\" class=\"n\">Custo</th>";

static void cadence_section(rg_buf *b, const rg_cadence *c, const rg_report *steps, const rg_diags *d,
                            bool *diag_shown)
{
    rg_buf_puts(b, "<section class=\"cadence\" id=\"regua-");
    rg_html_escape(b, c->name);
    rg_buf_puts(b, "\"><h2>");
    rg_html_escape(b, c->name);
    rg_buf_puts(b, " <span class=\"muted\">versão ");
    rg_html_escape(b, c->version);
    rg_buf_puts(b, " · ");
    rg_html_escape(b, c->file);
    rg_buf_printf(b, "%s</span></h2>", c->consolidate ? " · consolida as faturas do cliente" : "");
    timeline_svg(b, c);
    rg_buf_puts(b, "<table><caption class=\"muted\">Etapas, do vencimento (D0) em dias corridos; firme = negativação "
                   "ou carta. Funil: mensagens enviadas no período</caption><thead><tr><th scope=\"col\">Etapa</th>"
                   "<th scope=\"col\">Quando</th><th scope=\"col\">Ação</th><th scope=\"col\">Canais</th>"
                   "<th scope=\"col\">Firme</th>");
    rg_buf_puts(b, FUNNEL_HEAD);
    rg_buf_puts(b, "</tr></thead><tbody>");
    for (size_t i = 0; i < c->n_steps; i++) {
        const rg_cadence_step *s = &c->steps[i];
        char day[16];
        offset_label(day, sizeof day, s->at_days);
        rg_buf_puts(b, "<tr><th scope=\"row\">");
        rg_html_escape(b, s->id);
        rg_buf_printf(b, "</th><td>%s</td><td>%s</td><td>", day, action_label(s->action));
        channels_text(b, s);
        rg_buf_printf(b, "</td><td>%s</td>", firm(s) ? "sim" : "não");
        funnel_cells(b, funnel_of(steps, c->name, s->id));
        rg_buf_puts(b, "</tr>");
    }
    for (size_t i = 0; i < c->n_triggers; i++) {
        const rg_cadence_trigger *t = &c->triggers[i];
        rg_buf_puts(b, "<tr><th scope=\"row\">");
        rg_html_escape(b, t->id);
        rg_buf_puts(b, "</th><td>gatilho</td><td>");
        rg_html_escape(b, rg_event_type_name(t->on));
        rg_buf_puts(b, "</td><td>");
        for (size_t k = 0; k < t->send.channels.n; k++) {
            if (k)
                rg_buf_puts(b, " → ");
            rg_html_escape(b, t->send.channels.v[k]);
        }
        rg_buf_puts(b, "</td><td>não</td>");
        funnel_cells(b, funnel_of(steps, c->name, t->id));
        rg_buf_puts(b, "</tr>");
    }
    rg_buf_puts(b, "</tbody></table><h3>Verificação (regua cadence lint)</h3>");
    rg_buf lines = RG_BUF_INIT;
    size_t n = 0;
    for (size_t i = 0; i < d->n; i++)
        if (d->items[i].file && !strcmp(d->items[i].file, c->file)) {
            rg_diag_format(&d->items[i], &lines);
            diag_shown[i] = true;
            n++;
        }
    if (n == 0)
        rg_buf_puts(b, "<p>Nenhum problema.</p>");
    else {
        rg_buf_puts(b, "<pre class=\"lint\">");
        rg_html_escape(b, lines.p ? lines.p : "");
        rg_buf_puts(b, "</pre>");
    }
    rg_buf_free(&lines);
    rg_buf_puts(b, "<p><a href=\"/reguas/previsao#regua-");
    rg_dash_url_escape(b, c->name);
    rg_buf_puts(b, "\">Previsão dos próximos 30 dias</a></p></section>");
}

static void params_init(const rg_dash *d, rg_report_params *p)
{
    const rg_triggers *tr = d->r->srv->events->triggers;
    *p = (rg_report_params){d->r->srv->config, tr ? tr->calendar : NULL,
                            rg_zones_company(d->r->srv->events->zones), d->r->srv->events->zones, d->now,
                            RG_DATE_NONE, RG_DATE_NONE, RG_DATE_NONE, RG_PERIOD_DAY};
}

/* The funnel's period from de/ate (default: the 30 days up to today). */
static bool period(rg_dash *d, rg_report_params *p, enum MHD_Result *ret)
{
    params_init(d, p);
    const char *bad = NULL;
    if (!rg_dash_date_param(d, "de", &p->from))
        bad = "de: use uma data como 2026-12-31";
    else if (!rg_dash_date_param(d, "ate", &p->to))
        bad = "ate: use uma data como 2026-12-31";
    else if (p->from != RG_DATE_NONE && p->to != RG_DATE_NONE && p->from > p->to)
        bad = "de: a data inicial vem depois da final (ate)";
    else if (p->from != RG_DATE_NONE && p->to != RG_DATE_NONE && p->to - p->from >= 3660)
        bad = "de: no máximo 3660 dias entre de e ate";
    if (!bad)
        return true;
    *ret = rg_dash_bad_filter(d, bad);
    return false;
}

enum MHD_Result rg_http_dash_cadences(rg_http_request *r)
{
    rg_dash d;
    enum MHD_Result ret;
    if (!rg_dash_open(r, &d, RG_ROLE_VIEWER, &ret))
        return ret;
    rg_report_params p;
    if (!period(&d, &p, &ret)) {
        rg_dash_close(&d);
        return ret;
    }
    rg_http_conn *cx = r->cx;
    rg_engine *eng = rg_view_engine_reuse(d.store, r->srv->config, &cx->view_engine, &cx->view_sig);
    rg_report steps;
    rg_err e;
    rg_err_clear(&e);
    if (rg_report_run(d.store, "steps", &p, &steps, &e) != RG_OK) {
        ret = rg_dash_store_error(&d, "cadences: steps", &e);
        rg_dash_close(&d);
        return ret;
    }
    const char *dir = r->srv->config->cadences_dir;
    rg_diags diags = RG_DIAGS_INIT;
    size_t files = 0;
    rg_err te;
    rg_err_clear(&te);
    rg_cadence_lint_input in = {.paths = &dir, .n_paths = 1};
    rg_cadences_lint(r->srv->config, &in, &diags, &files, &te);
    bool *shown = calloc(diags.n + 1, sizeof *shown);
    if (!shown) {
        rg_diags_free(&diags);
        rg_report_free(&steps);
        rg_err_set(&e, RG_ENOMEM, "cadences", "out of memory");
        ret = rg_dash_store_error(&d, "cadences", &e);
        rg_dash_close(&d);
        return ret;
    }
    rg_buf b = RG_BUF_INIT;
    rg_dash_start(&b, &d, "Réguas", "/reguas");
    char from[16], to[16];
    rg_buf_printf(&b, "<form class=\"filters\" method=\"get\" action=\"/reguas\">");
    rg_dash_filter_input(&b, &d, "de", "Funil de", "date");
    rg_dash_filter_input(&b, &d, "ate", "até", "date");
    rg_buf_printf(&b, "<button type=\"submit\">Ver período</button></form><p class=\"muted\">Funil das mensagens "
                      "enviadas de %s a %s (relatório <code>steps</code>; o pagamento é atribuído ao último contato "
                      "antes dele, docs/reports.md).</p>",
                  rg_dash_date(steps.from, from, sizeof from), rg_dash_date(steps.to, to, sizeof to));
    const rg_cadence_set *set = eng ? rg_engine_cadences(eng) : NULL;
    if (!set || set->n == 0)
        rg_buf_puts(&b, "<p>Nenhuma régua carregada (veja a verificação abaixo).</p>");
    for (size_t i = 0; set && i < set->n; i++)
        cadence_section(&b, set->items[i], &steps, &diags, shown);
    size_t rest = 0;
    rg_buf lines = RG_BUF_INIT;
    for (size_t i = 0; i < diags.n; i++)
        if (!shown[i]) {
            rg_diag_format(&diags.items[i], &lines);
            rest++;
        }
    if (rest || te.code != RG_OK) {
        rg_buf_puts(&b, "<h2>Outros problemas da verificação</h2>");
        if (te.code != RG_OK) {
            rg_buf_puts(&b, "<p>Os modelos de mensagem não foram lidos (");
            rg_html_escape(&b, te.msg);
            rg_buf_puts(&b, "): todos contam como ausentes.</p>");
        }
        if (rest) {
            rg_buf_puts(&b, "<pre class=\"lint\">");
            rg_html_escape(&b, lines.p ? lines.p : "");
            rg_buf_puts(&b, "</pre>");
        }
    }
    static const char *const csv_params[] = {"de", "ate", NULL};
    rg_dash_csv_link(&b, &d, "/reguas.csv", csv_params);
    rg_buf_printf(&b, "<p class=\"muted\">%zu arquivo(s) verificados: %zu erro(s), %zu aviso(s).</p>", files,
                  rg_diags_count(&diags, 0, RG_SEV_ERROR), rg_diags_count(&diags, 0, RG_SEV_WARNING));
    rg_buf_free(&lines);
    free(shown);
    rg_diags_free(&diags);
    rg_report_free(&steps);
    ret = rg_dash_finish(&d, &b, MHD_HTTP_OK);
    rg_dash_close(&d);
    return ret;
}

/* ---- the 30-day forecast ---- */

enum MHD_Result rg_http_dash_forecast(rg_http_request *r)
{
    rg_dash d;
    enum MHD_Result ret;
    if (!rg_dash_open(r, &d, RG_ROLE_VIEWER, &ret))
        return ret;
    rg_report_params p;
    params_init(&d, &p);
    rg_report f;
    rg_err e;
    rg_err_clear(&e);
    if (rg_report_run(d.store, "forecast", &p, &f, &e) != RG_OK) {
        ret = rg_dash_store_error(&d, "cadences: forecast", &e);
        rg_dash_close(&d);
        return ret;
    }
    rg_buf b = RG_BUF_INIT;
    rg_dash_start(&b, &d, "Previsão dos próximos 30 dias", "/reguas");
    char from[16], to[16];
    rg_buf_printf(&b, "<p>O que as réguas farão de %s a %s se ninguém pagar (relatório <code>forecast</code>: "
                      "<code>regua simulate</code> numa cópia do banco). Custo = mensagens × "
                      "<code>cost_per_message</code> do canal.</p>",
                  rg_dash_date(f.from, from, sizeof from), rg_dash_date(f.to, to, sizeof to));
    int64_t total = 0;
    rg_cents cost = 0;
    for (size_t i = 0; i < f.n_forecast_by_cadence;) {
        const char *cad = f.forecast_by_cadence[i].cadence;
        rg_buf_puts(&b, "<section id=\"regua-");
        rg_html_escape(&b, cad);
        rg_buf_puts(&b, "\"><h2>");
        rg_html_escape(&b, *cad ? cad : "sem régua");
        rg_buf_puts(&b, "</h2><table><thead><tr><th scope=\"col\">Canal</th><th scope=\"col\" class=\"n\">Mensagens"
                        "</th><th scope=\"col\" class=\"n\">Custo</th></tr></thead><tbody>");
        int64_t n = 0;
        rg_cents c = 0;
        for (; i < f.n_forecast_by_cadence && !strcmp(f.forecast_by_cadence[i].cadence, cad); i++) {
            const rg_forecast_row *x = &f.forecast_by_cadence[i];
            rg_buf_puts(&b, "<tr><td>");
            rg_html_escape(&b, x->channel);
            rg_buf_printf(&b, "</td><td class=\"n\">%lld</td><td class=\"n\">", (long long)x->count);
            rg_dash_money(&b, x->cost);
            rg_buf_puts(&b, "</td></tr>");
            n += x->count;
            c += x->cost;
        }
        rg_buf_printf(&b, "</tbody><tfoot><tr><th scope=\"row\">total</th><td class=\"n\">%lld</td><td class=\"n\">",
                      (long long)n);
        rg_dash_money(&b, c);
        rg_buf_puts(&b, "</td></tr></tfoot></table></section>");
        total += n;
        cost += c;
    }
    if (f.n_forecast_by_cadence == 0)
        rg_buf_puts(&b, "<p>Nenhuma mensagem prevista para os próximos 30 dias.</p>");
    rg_buf_printf(&b, "<p id=\"previsao-total\">Total: <strong>%lld</strong> mensagens, custo <strong>",
                  (long long)total);
    rg_dash_money(&b, cost);
    rg_buf_puts(&b, "</strong>.</p><p><a href=\"/reguas\">Voltar às réguas</a></p>");
    rg_report_free(&f);
    ret = rg_dash_finish(&d, &b, MHD_HTTP_OK);
    rg_dash_close(&d);
    return ret;
}

/* ---- Réguas as CSV: each cadence's steps and triggers with the funnel ---- */

static void funnel_csv(rg_buf *rows, const char *cadence, const char *id, const char *when, const char *action,
                       const char *channels, bool is_firm, const rg_funnel_row *f)
{
    static const rg_funnel_row none = {0};
    if (!f)
        f = &none;
    char n[5][24], attributed[32], cost[32];
    const int64_t v[5] = {f->sent, f->delivered, f->engaged, f->paid_7d, f->paid};
    for (int i = 0; i < 5; i++)
        snprintf(n[i], sizeof n[i], "%lld", (long long)v[i]);
    rg_report_money_br(f->attributed.amount, attributed, sizeof attributed);
    rg_report_money_br(f->cost, cost, sizeof cost);
    const char *cells[] = {cadence, id,   when, action, channels, is_firm ? "sim" : "não", n[0], n[1],
                           n[2],    n[3], n[4], attributed, cost};
    rg_report_csv_row(rows, cells, sizeof cells / sizeof *cells);
}

static void channel_list(char *out, size_t size, const rg_strlist *l)
{
    out[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < l->n; i++) {
        int w = snprintf(out + used, size - used, "%s%s", i ? "," : "", l->v[i]);
        if (w < 0 || (size_t)w >= size - used)
            break;
        used += (size_t)w;
    }
}

enum MHD_Result rg_http_dash_cadences_csv(rg_http_request *r)
{
    rg_dash d;
    enum MHD_Result ret;
    if (!rg_dash_open(r, &d, RG_ROLE_VIEWER, &ret))
        return ret;
    rg_report_params p;
    if (!period(&d, &p, &ret)) {
        rg_dash_close(&d);
        return ret;
    }
    rg_http_conn *cx = r->cx;
    rg_engine *eng = rg_view_engine_reuse(d.store, r->srv->config, &cx->view_engine, &cx->view_sig);
    rg_report steps;
    rg_err e;
    rg_err_clear(&e);
    if (rg_report_run(d.store, "steps", &p, &steps, &e) != RG_OK) {
        ret = rg_dash_store_error(&d, "cadences csv", &e);
        rg_dash_close(&d);
        return ret;
    }
    static const char *const cols[] = {"régua",    "etapa",     "quando",  "ação",  "canais",
                                       "firme",    "enviadas",  "entregues", "lidas, abertas ou clicadas",
                                       "pagas em 7 dias", "pagas", "valor atribuído", "custo"};
    rg_buf rows = RG_BUF_INIT;
    const rg_cadence_set *set = eng ? rg_engine_cadences(eng) : NULL;
    for (size_t i = 0; set && i < set->n; i++) {
        const rg_cadence *c = set->items[i];
        for (size_t k = 0; k < c->n_steps; k++) {
            const rg_cadence_step *s = &c->steps[k];
            char day[16], channels[256];
            offset_label(day, sizeof day, s->at_days);
            if (s->action == RG_ACTION_TASK && s->task_kind)
                snprintf(channels, sizeof channels, "tarefa %s", s->task_kind);
            else
                channel_list(channels, sizeof channels, &s->send.channels);
            funnel_csv(&rows, c->name, s->id, day, action_label(s->action), channels, firm(s),
                       funnel_of(&steps, c->name, s->id));
        }
        for (size_t k = 0; k < c->n_triggers; k++) {
            const rg_cadence_trigger *t = &c->triggers[k];
            char channels[256];
            channel_list(channels, sizeof channels, &t->send.channels);
            funnel_csv(&rows, c->name, t->id, "gatilho", rg_event_type_name(t->on), channels, false,
                       funnel_of(&steps, c->name, t->id));
        }
    }
    rg_report_free(&steps);
    ret = rg_dash_send_csv(&d, "reguas", cols, sizeof cols / sizeof *cols, &rows);
    rg_buf_free(&rows);
    rg_dash_close(&d);
    return ret;
}
