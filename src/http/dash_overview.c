/*
 * The dashboard's Visão geral (`/`): the KPIs and the charts, every figure
 * from the reports (service/reports.h, the same rg_report_run behind
 * `regua report --json` and GET /v1/reports/NAME) over the last 30 days
 * (the reports' default period), and the task queue's size. Charts are
 * SVG drawn here (svg.h), each with its numbers as a table.
 * docs/dashboard.md says which report each figure comes from.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/money.h"
#include "base/tz.h"
#include "base/zones.h"
#include "http/dash.h"
#include "http/svg.h"
#include "service/reports.h"

/* The recovery chart's weeks (this one and the 11 before it). */
#define CHART_WEEKS 12

typedef struct overview {
    rg_report aging, recovery, weeks, channels, promises;
    int64_t tasks_open, tasks_claimed;
    rg_date today;
} overview;

static void overview_free(overview *o)
{
    rg_report_free(&o->aging);
    rg_report_free(&o->recovery);
    rg_report_free(&o->weeks);
    rg_report_free(&o->channels);
    rg_report_free(&o->promises);
}

/* Runs the reports: the defaults of `regua report NAME` (today, the last
 * 30 days), and recovery by week for the chart. */
static rg_status overview_load(const rg_dash *d, overview *o, rg_err *e)
{
    rg_http_server *srv = d->r->srv;
    const rg_triggers *tr = srv->events->triggers;
    rg_report_params p = {srv->config, tr ? tr->calendar : NULL, rg_zones_company(srv->events->zones),
                          srv->events->zones, d->now, RG_DATE_NONE, RG_DATE_NONE, RG_DATE_NONE, RG_PERIOD_DAY};
    o->today = rg_tz_date(p.tz, d->now);
    rg_status rc;
    if ((rc = rg_report_run(d->store, "aging", &p, &o->aging, e)) != RG_OK ||
        (rc = rg_report_run(d->store, "recovery", &p, &o->recovery, e)) != RG_OK ||
        (rc = rg_report_run(d->store, "channels", &p, &o->channels, e)) != RG_OK ||
        (rc = rg_report_run(d->store, "promises", &p, &o->promises, e)) != RG_OK ||
        (rc = rg_report_open_tasks(d->store, &o->tasks_open, &o->tasks_claimed, e)) != RG_OK)
        return rc;
    rg_report_params w = p;
    w.period = RG_PERIOD_WEEK;
    w.to = o->today;
    w.from = o->today - (rg_date)((rg_date_weekday(o->today) + 6) % 7) - 7 * (CHART_WEEKS - 1); /* a Monday */
    return rg_report_run(d->store, "recovery", &w, &o->weeks, e);
}

/* ---- numbers as the page writes them ---- */

static const char *money(rg_cents v, char *buf, size_t n)
{
    return rg_money_format_brl(v, buf, n);
}

/* The decimal point of a number printf wrote, made a comma (pt-BR). */
static const char *comma(char *buf)
{
    char *dot = strchr(buf, '.');
    if (dot)
        *dot = ',';
    return buf;
}

/* A fraction as a percentage with two decimals, "45,31%" (the JSON's 4
 * decimals); "—" when there is none. */
static const char *pct(bool ok, double v, char *buf, size_t n)
{
    if (!ok)
        snprintf(buf, n, "—");
    else
        snprintf(buf, n, "%.2f%%", round(v * 10000.0) / 100.0);
    return comma(buf);
}

static const char *count(int64_t v, char *buf, size_t n)
{
    return rg_svg_count_br(v, buf, n);
}

/* One KPI: a link to the page (or section) behind it, the figure, its
 * name and a line of detail (escaped). */
static void kpi(rg_buf *b, const char *id, const char *href, const char *figure, const char *name,
                const char *detail)
{
    rg_buf_printf(b, "<a class=\"kpi\" id=\"kpi-%s\" href=\"", id);
    rg_html_escape(b, href);
    rg_buf_puts(b, "\"><b>");
    rg_html_escape(b, figure);
    rg_buf_puts(b, "</b><span class=\"kpi-name\">");
    rg_html_escape(b, name);
    rg_buf_puts(b, "</span>");
    if (detail && *detail) {
        rg_buf_puts(b, "<small>");
        rg_html_escape(b, detail);
        rg_buf_puts(b, "</small>");
    }
    rg_buf_puts(b, "</a>");
}

static void kpis(rg_buf *b, const overview *o)
{
    char f[64], t[160], c1[32], c2[32], day[16];
    const rg_report *ag = &o->aging, *rec = &o->recovery, *pr = &o->promises;
    rg_report_amount open = {0, 0}, overdue = {0, 0};
    for (int i = 0; i < RG_AGING_BUCKETS; i++) {
        open.count += ag->buckets[i].count;
        open.amount += ag->buckets[i].amount;
        if (i > 0) {
            overdue.count += ag->buckets[i].count;
            overdue.amount += ag->buckets[i].amount;
        }
    }
    rg_buf_puts(b, "<div class=\"kpis\">");
    snprintf(t, sizeof t, "%s faturas", count(open.count, c1, sizeof c1));
    kpi(b, "saldo-aberto", "/faturas?status=open", money(open.amount, f, sizeof f), "Saldo em aberto", t);
    char href[64];
    snprintf(href, sizeof href, "/faturas?status=open&ate=%s", rg_date_format_iso(o->today - 1, day, sizeof day));
    snprintf(t, sizeof t, "%s faturas após o vencimento", count(overdue.count, c1, sizeof c1));
    kpi(b, "saldo-vencido", href, money(overdue.amount, f, sizeof f), "Saldo vencido", t);
    snprintf(t, sizeof t, "%s pagamentos de faturas vencidas", count(rec->total.recovered.count, c1, sizeof c1));
    kpi(b, "recuperado", "#recuperacao", money(rec->total.recovered.amount, f, sizeof f), "Recuperado em 30 dias", t);
    double v = 0;
    bool ok = rg_recovery_rate(&rec->total, &v);
    snprintf(t, sizeof t, "do que venceu em 30 dias (%s), já pago", money(rec->total.overdue.amount, c1, sizeof c1));
    kpi(b, "taxa-recuperacao", "#recuperacao", pct(ok, v, f, sizeof f), "Taxa de recuperação", t);
    if (rg_report_dso(rec, &v))
        snprintf(f, sizeof f, "%.1f dias", round(v * 10.0) / 10.0);
    else
        snprintf(f, sizeof f, "—");
    comma(f);
    snprintf(t, sizeof t, "saldo em aberto ÷ faturado em 30 dias (%s) × 30", money(rec->billed, c1, sizeof c1));
    kpi(b, "dso", "#recuperacao", f, "DSO (prazo médio de recebimento)", t);
    snprintf(t, sizeof t, "%s entregues", count(o->channels.funnel_total.delivered, c1, sizeof c1));
    kpi(b, "mensagens", "#funil", count(o->channels.funnel_total.sent, f, sizeof f), "Mensagens enviadas em 30 dias",
        t);
    snprintf(t, sizeof t, "%s assumidas por alguém", count(o->tasks_claimed, c1, sizeof c1));
    kpi(b, "tarefas", "/tarefas", count(o->tasks_open + o->tasks_claimed, f, sizeof f), "Tarefas abertas", t);
    ok = rg_promises_kept_rate(pr, &v);
    snprintf(f, sizeof f, "%s / %s", count(pr->by_status[1].count, c1, sizeof c1),
             count(pr->by_status[2].count, c2, sizeof c2));
    char rate[32];
    snprintf(t, sizeof t, "%s cumpridas das resolvidas; %s pendentes", pct(ok, v, rate, sizeof rate),
             count(pr->by_status[0].count, c1, sizeof c1));
    kpi(b, "promessas", "#promessas", f, "Promessas cumpridas / quebradas (30 dias)", t);
    snprintf(t, sizeof t, "%s; %s ativos, %s quebrados", money(pr->agreements_made.amount, c1, sizeof c1),
             count(pr->agreements_by_status[0].count, c2, sizeof c2),
             count(pr->agreements_by_status[2].count, rate, sizeof rate));
    kpi(b, "acordos", "#promessas", count(pr->agreements_made.count, f, sizeof f), "Acordos feitos em 30 dias", t);
    rg_buf_puts(b, "</div>");
}

/* ---- the charts ---- */

static const char *const AGING_LABELS[RG_AGING_BUCKETS] = {"A vencer", "1 a 30 dias", "31 a 60 dias",
                                                           "61 a 90 dias", "Mais de 90 dias"};

static void aging_chart(rg_buf *b, const overview *o)
{
    int64_t values[RG_AGING_BUCKETS];
    char counts[RG_AGING_BUCKETS][32];
    const char *notes[RG_AGING_BUCKETS];
    for (int i = 0; i < RG_AGING_BUCKETS; i++) {
        values[i] = o->aging.buckets[i].amount;
        notes[i] = count(o->aging.buckets[i].count, counts[i], sizeof counts[i]);
    }
    static const char *const series[] = {"Saldo"};
    rg_svg_chart c = {.id = "grafico-atraso",
                      .title = "Saldo em aberto por dias de atraso",
                      .desc = "Barras: o saldo das faturas em aberto em cada faixa de dias após o vencimento "
                              "efetivo, hoje.",
                      .cat_header = "Faixa",
                      .unit = RG_SVG_MONEY,
                      .n_cats = RG_AGING_BUCKETS,
                      .n_series = 1,
                      .cats = AGING_LABELS,
                      .series = series,
                      .values = values,
                      .notes = notes,
                      .notes_header = "Faturas"};
    rg_buf_puts(b, "<section id=\"atraso\" aria-labelledby=\"atraso-h\"><h2 id=\"atraso-h\">Saldo por atraso</h2>");
    rg_svg_chart_write(b, &c);
    rg_buf_puts(b, "</section>");
}

static void recovery_chart(rg_buf *b, const overview *o)
{
    const rg_report *w = &o->weeks;
    size_t n = w->n_rows;
    int64_t values[2 * (CHART_WEEKS + 1)];
    char labels[CHART_WEEKS + 1][16];
    const char *cats[CHART_WEEKS + 1];
    if (n > CHART_WEEKS + 1)
        n = CHART_WEEKS + 1;
    for (size_t i = 0; i < n; i++) {
        int y, m, dd;
        rg_date_to_ymd(w->rows[i].start, &y, &m, &dd);
        snprintf(labels[i], sizeof labels[i], "%02d/%02d", dd, m);
        cats[i] = labels[i];
        values[2 * i] = w->rows[i].overdue.amount;
        values[2 * i + 1] = w->rows[i].recovered.amount;
    }
    static const char *const series[] = {"Venceu na semana", "Recuperado na semana"};
    rg_svg_chart c = {.id = "grafico-recuperacao",
                      .title = "Vencido e recuperado por semana",
                      .desc = "Por semana (de segunda a domingo; o rótulo é a segunda-feira): o valor das faturas "
                              "que venceram sem pagamento e o valor pago de faturas já vencidas.",
                      .cat_header = "Semana de",
                      .unit = RG_SVG_MONEY,
                      .n_cats = n,
                      .n_series = 2,
                      .cats = cats,
                      .series = series,
                      .values = values};
    char f[48], day1[16], day2[16];
    rg_buf_puts(b, "<section id=\"recuperacao\" aria-labelledby=\"recuperacao-h\">"
                   "<h2 id=\"recuperacao-h\">Vencido e recuperado</h2>");
    rg_svg_chart_write(b, &c);
    const rg_report *r = &o->recovery;
    rg_buf_printf(b, "<p class=\"muted\">Nos 30 dias de %s a %s venceram sem pagamento ",
                  rg_dash_date(r->from, day1, sizeof day1), rg_dash_date(r->to, day2, sizeof day2));
    rg_html_escape(b, money(r->total.overdue.amount, f, sizeof f));
    rg_buf_puts(b, " (");
    rg_html_escape(b, count(r->total.overdue.count, f, sizeof f));
    rg_buf_puts(b, " faturas), dos quais ");
    rg_html_escape(b, money(r->total.overdue_recovered, f, sizeof f));
    rg_buf_puts(b, " já foram pagos; foram pagos ");
    rg_html_escape(b, money(r->total.recovered.amount, f, sizeof f));
    rg_buf_puts(b, " de faturas vencidas. O DSO divide o saldo em aberto de hoje (");
    rg_html_escape(b, money(r->open_balance, f, sizeof f));
    rg_buf_puts(b, ") pelo que venceu nesses 30 dias (");
    rg_html_escape(b, money(r->billed, f, sizeof f));
    rg_buf_puts(b, ") e multiplica por 30.</p></section>");
}

static void funnel(rg_buf *b, const overview *o)
{
    const rg_report *ch = &o->channels;
    const rg_funnel_row *t = &ch->funnel_total;
    int64_t values[5] = {t->sent, t->delivered, t->engaged, t->paid_7d, t->paid};
    static const char *const cats[5] = {"Enviadas", "Entregues", "Lidas, abertas ou clicadas", "Pagas em 7 dias",
                                        "Pagas"};
    char notes_buf[5][32];
    const char *notes[5];
    for (int i = 0; i < 5; i++) {
        double v = t->sent > 0 ? (double)values[i] / (double)t->sent : 0;
        pct(t->sent > 0, v, notes_buf[i], sizeof notes_buf[i]);
        notes[i] = notes_buf[i];
    }
    static const char *const series[] = {"Mensagens"};
    rg_svg_chart c = {.id = "grafico-funil",
                      .title = "Funil das mensagens enviadas em 30 dias",
                      .desc = "Das mensagens enviadas nos últimos 30 dias: quantas foram entregues, lidas ou "
                              "abertas, e quantas tiveram a fatura paga em até 7 dias e depois.",
                      .cat_header = "Etapa",
                      .horizontal = true,
                      .unit = RG_SVG_COUNT,
                      .n_cats = 5,
                      .n_series = 1,
                      .cats = cats,
                      .series = series,
                      .values = values,
                      .notes = notes,
                      .notes_header = "Das enviadas"};
    rg_buf_puts(b, "<section id=\"funil\" aria-labelledby=\"funil-h\"><h2 id=\"funil-h\">Funil</h2>");
    rg_svg_chart_write(b, &c);
    rg_buf_puts(b, "<table id=\"canais\"><caption>Por canal, 30 dias (o pagamento vai, inteiro, para a última "
                   "mensagem antes dele)</caption><thead><tr><th scope=\"col\">Canal</th>"
                   "<th scope=\"col\" class=\"n\">Enviadas</th><th scope=\"col\" class=\"n\">Entregues</th>"
                   "<th scope=\"col\" class=\"n\">Lidas/abertas</th><th scope=\"col\" class=\"n\">Pagas em 7 dias"
                   "</th><th scope=\"col\" class=\"n\">Custo</th><th scope=\"col\" class=\"n\">Recuperado "
                   "atribuído</th><th scope=\"col\" class=\"n\">R$ por R$ 1 gasto</th></tr></thead><tbody>");
    for (size_t i = 0; i <= ch->n_funnel; i++) {
        const rg_funnel_row *f = i < ch->n_funnel ? &ch->funnel[i] : t;
        char a[32], bb[32], cc[32], dd[32], m1[48], m2[48], ret[32];
        double v = 0;
        bool ok = rg_funnel_return(f, &v);
        if (ok) /* reais per real, as money without the R$: "1.234,56" */
            rg_report_money_br((rg_cents)llround(v * 100.0), ret, sizeof ret);
        else
            snprintf(ret, sizeof ret, "—");
        rg_buf_puts(b, i < ch->n_funnel ? "<tr><th scope=\"row\">" : "<tr class=\"total\"><th scope=\"row\">");
        rg_html_escape(b, i < ch->n_funnel ? f->channel : "Total");
        rg_buf_printf(b, "</th><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
                         "<td class=\"n\">%s</td><td class=\"n\">",
                      count(f->sent, a, sizeof a), count(f->delivered, bb, sizeof bb),
                      count(f->engaged, cc, sizeof cc), count(f->paid_7d, dd, sizeof dd));
        rg_html_escape(b, money(f->cost, m1, sizeof m1));
        rg_buf_puts(b, "</td><td class=\"n\">");
        rg_html_escape(b, money(f->attributed.amount, m2, sizeof m2));
        rg_buf_printf(b, "</td><td class=\"n\">%s</td></tr>", ret);
    }
    rg_buf_puts(b, "</tbody></table></section>");
}

static void promises(rg_buf *b, const overview *o)
{
    const rg_report *pr = &o->promises;
    static const char *const P[] = {"Feitas", "Pendentes", "Cumpridas", "Quebradas", "Canceladas"};
    static const char *const A[] = {"Feitos", "Ativos", "Concluídos", "Quebrados", "Cancelados"};
    rg_buf_puts(b, "<section id=\"promessas\" aria-labelledby=\"promessas-h\"><h2 id=\"promessas-h\">Promessas e "
                   "acordos (30 dias)</h2><table id=\"tabela-promessas\"><caption>Feitos nos últimos 30 dias, pela "
                   "situação de hoje</caption><thead><tr><th scope=\"col\">Situação</th><th scope=\"col\" class=\"n\">"
                   "Quantidade</th><th scope=\"col\" class=\"n\">Valor</th></tr></thead><tbody>");
    for (int g = 0; g < 2; g++)
        for (int i = -1; i < 4; i++) {
            const rg_report_amount *a = g == 0 ? (i < 0 ? &pr->made : &pr->by_status[i])
                                               : (i < 0 ? &pr->agreements_made : &pr->agreements_by_status[i]);
            char c[32], m[48];
            rg_buf_printf(b, "<tr><th scope=\"row\">%s: %s</th><td class=\"n\">%s</td><td class=\"n\">",
                          g == 0 ? "Promessas" : "Acordos", (g == 0 ? P : A)[i + 1], count(a->count, c, sizeof c));
            rg_html_escape(b, money(a->amount, m, sizeof m));
            rg_buf_puts(b, "</td></tr>");
        }
    rg_buf_puts(b, "</tbody></table><p class=\"muted\">O valor de um acordo é o total combinado (entrada e "
                   "parcelas, com juros).</p></section>");
}

enum MHD_Result rg_http_dash_home(rg_http_request *r)
{
    rg_dash d;
    enum MHD_Result ret;
    if (!rg_dash_open(r, &d, RG_ROLE_VIEWER, &ret))
        return ret;
    overview o;
    memset(&o, 0, sizeof o);
    rg_err e;
    rg_err_clear(&e);
    if (overview_load(&d, &o, &e) != RG_OK) {
        ret = rg_dash_store_error(&d, "overview", &e);
        goto out;
    }
    rg_buf b = RG_BUF_INIT;
    rg_dash_start(&b, &d, "Visão geral", "/");
    char day1[16], day2[16], now[32];
    rg_buf_printf(&b, "<p class=\"muted\">Em %s. Períodos: os últimos 30 dias, de %s a %s (datas no fuso da empresa); "
                      "os mesmos números de <code>regua report</code>.</p>",
                  rg_dash_time(&d, d.now, now, sizeof now), rg_dash_date(o.recovery.from, day1, sizeof day1),
                  rg_dash_date(o.recovery.to, day2, sizeof day2));
    kpis(&b, &o);
    rg_buf_puts(&b, "<div class=\"charts\">");
    aging_chart(&b, &o);
    recovery_chart(&b, &o);
    rg_buf_puts(&b, "</div>");
    funnel(&b, &o);
    promises(&b, &o);
    ret = rg_dash_finish(&d, &b, MHD_HTTP_OK);
out:
    overview_free(&o);
    rg_dash_close(&d);
    return ret;
}
