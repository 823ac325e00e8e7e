/*
 * The dashboard's Faturas (list, filters, keyset pages), an invoice's
 * timeline and Tarefas (the operator queue: claim, close with an outcome,
 * register a promise). docs/dashboard.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/money.h"
#include "base/tz.h"
#include "base/zones.h"
#include "http/dash.h"
#include "service/tasks.h"
#include "service/views.h"

#define PAGE_ROWS RG_DASH_PAGE_ROWS

static const char *task_status_label(const char *s)
{
    return !strcmp(s, "open")        ? "aberta"
           : !strcmp(s, "claimed")   ? "assumida"
           : !strcmp(s, "done")      ? "concluída"
           : !strcmp(s, "cancelled") ? "cancelada"
                                     : s;
}

static void flash(rg_buf *b, const rg_dash *d)
{
    static const struct {
        const char *code, *text;
        bool error;
    } FLASHES[] = {
        {"assumida", "Tarefa assumida.", false},
        {"concluida", "Tarefa concluída.", false},
        {"promessa", "Tarefa concluída e promessa de pagamento registrada.", false},
    };
    const char *m = rg_http_query(d->r, "m");
    for (size_t i = 0; m && i < sizeof FLASHES / sizeof *FLASHES; i++)
        if (!strcmp(m, FLASHES[i].code))
            rg_buf_printf(b, "<p class=\"flash%s\" role=\"status\">%s</p>", FLASHES[i].error ? " err" : "",
                          FLASHES[i].text);
}

/* ---- Faturas ---- */

typedef struct list_ctx {
    rg_buf *b;
    const rg_dash *d;
    int64_t n, last_id;
} list_ctx;

static rg_status invoice_row(void *p, const rg_invoice *inv)
{
    list_ctx *lc = p;
    if (lc->n++ == PAGE_ROWS)
        return RG_OK; /* the one past the page: there is a next page */
    lc->last_id = inv->id;
    rg_buf *b = lc->b;
    char day[16];
    rg_buf_puts(b, "<tr><td><a href=\"/faturas/");
    rg_dash_url_escape(b, inv->external_id);
    rg_buf_puts(b, "\">");
    rg_html_escape(b, inv->external_id);
    rg_buf_puts(b, "</a></td><td>");
    rg_html_escape(b, inv->customer_external_id);
    rg_buf_puts(b, "</td><td>");
    rg_html_escape(b, inv->description);
    rg_buf_printf(b, "</td><td>%s</td><td class=\"n\">", rg_dash_date(inv->due_date, day, sizeof day));
    rg_dash_money(b, inv->amount);
    rg_buf_puts(b, "</td><td class=\"n\">");
    rg_dash_money(b, inv->paid);
    rg_buf_printf(b, "</td><td>%s</td></tr>", rg_dash_invoice_status_label(inv->status));
    return RG_OK;
}

const char *const rg_dash_invoice_params[] = {"status", "cliente", "de", "ate", NULL};

bool rg_dash_invoice_filter(const rg_dash *d, rg_invoice_filter *f, const char **bad)
{
    rg_invoice_filter_init(f);
    const char *status = rg_http_query(d->r, "status"), *customer = rg_http_query(d->r, "cliente");
    const char *after = rg_http_query(d->r, "depois");
    *bad = NULL;
    if (status && *status) {
        rg_invoice_status st = RG_INV_OPEN;
        if (!rg_invoice_status_parse(status, &st))
            *bad = "status: escolha um dos estados da lista";
        f->status = (int)st;
    }
    if (customer && *customer) {
        if (strlen(customer) > RG_EXTID_MAX)
            *bad = "cliente: o código do cliente é longo demais";
        f->customer_external_id = customer;
    }
    if (!rg_dash_date_param(d, "de", &f->due_from))
        *bad = "vencimento de: use uma data como 2026-12-31";
    if (!rg_dash_date_param(d, "ate", &f->due_to))
        *bad = "vencimento até: use uma data como 2026-12-31";
    if (after && *after && !rg_parse_i64(rg_slice_cstr(after), 0, INT64_MAX, &f->after_id))
        *bad = "depois: não é uma posição da lista";
    return *bad == NULL;
}

enum MHD_Result rg_http_dash_invoices(rg_http_request *r)
{
    rg_dash d;
    enum MHD_Result ret;
    if (!rg_dash_open(r, &d, RG_ROLE_VIEWER, &ret))
        return ret;
    rg_invoice_filter f;
    const char *bad = NULL;
    const char *status = rg_http_query(r, "status"), *customer = rg_http_query(r, "cliente");
    if (!rg_dash_invoice_filter(&d, &f, &bad)) {
        ret = rg_dash_bad_filter(&d, bad);
        rg_dash_close(&d);
        return ret;
    }
    f.limit = PAGE_ROWS + 1;
    rg_buf b = RG_BUF_INIT;
    rg_dash_start(&b, &d, "Faturas", "/faturas");
    rg_buf_puts(&b, "<form class=\"filters\" method=\"get\" action=\"/faturas\"><div><label for=\"f-status\">"
                    "Situação</label><select id=\"f-status\" name=\"status\">");
    rg_dash_option(&b, "", "todas", status ? status : "");
    static const char *const statuses[] = {"open", "paid", "cancelled", "renegotiated", "written_off"};
    for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++) {
        rg_invoice_status st;
        rg_invoice_status_parse(statuses[i], &st);
        rg_dash_option(&b, statuses[i], rg_dash_invoice_status_label(st), status);
    }
    rg_buf_puts(&b, "</select></div><div><label for=\"f-cliente\">Cliente (código)</label>"
                    "<input id=\"f-cliente\" name=\"cliente\" value=\"");
    rg_html_escape(&b, customer ? customer : "");
    rg_buf_puts(&b, "\"></div><div><label for=\"f-de\">Vencimento de</label><input id=\"f-de\" name=\"de\" "
                    "type=\"date\" value=\"");
    rg_html_escape(&b, rg_http_query(r, "de") ? rg_http_query(r, "de") : "");
    rg_buf_puts(&b, "\"></div><div><label for=\"f-ate\">até</label><input id=\"f-ate\" name=\"ate\" type=\"date\" "
                    "value=\"");
    rg_html_escape(&b, rg_http_query(r, "ate") ? rg_http_query(r, "ate") : "");
    rg_buf_puts(&b, "\"></div><button type=\"submit\">Filtrar</button></form>");
    rg_buf_puts(&b, "<table><caption class=\"muted\">Faturas por ordem de cadastro</caption><thead><tr>"
                    "<th scope=\"col\">Fatura</th><th scope=\"col\">Cliente</th><th scope=\"col\">Descrição</th>"
                    "<th scope=\"col\">Vencimento</th><th scope=\"col\" class=\"n\">Valor</th>"
                    "<th scope=\"col\" class=\"n\">Pago</th><th scope=\"col\">Situação</th></tr></thead><tbody>");
    list_ctx lc = {&b, &d, 0, 0};
    rg_err e;
    rg_err_clear(&e);
    if (rg_store_invoice_each(d.store, &f, invoice_row, &lc, &e) != RG_OK) {
        rg_buf_free(&b);
        ret = rg_dash_store_error(&d, "invoices", &e);
        rg_dash_close(&d);
        return ret;
    }
    if (lc.n == 0)
        rg_buf_puts(&b, "<tr><td colspan=\"7\">Nenhuma fatura com estes filtros.</td></tr>");
    rg_buf_puts(&b, "</tbody></table>");
    if (lc.n > PAGE_ROWS)
        rg_dash_next_link(&b, &d, "/faturas", rg_dash_invoice_params, lc.last_id);
    rg_dash_csv_link(&b, &d, "/faturas.csv", rg_dash_invoice_params);
    ret = rg_dash_finish(&d, &b, MHD_HTTP_OK);
    rg_dash_close(&d);
    return ret;
}

/* ---- an invoice's timeline ---- */

typedef enum item_kind { IT_MESSAGE, IT_EVENT, IT_PAYMENT, IT_PROMISE, IT_TASK, IT_BUREAU } item_kind;

typedef struct item {
    rg_instant at;
    item_kind kind;
    int64_t seq; /* ties: the order they were read in */
    char *html;  /* owned */
} item;

typedef struct timeline {
    item *v;
    size_t n, cap;
    bool oom;
    const rg_dash *d;
    const char *invoice_ext;
} timeline;

static void add(timeline *t, rg_instant at, item_kind kind, rg_buf *html)
{
    if (html->oom || t->oom) {
        t->oom = true;
        rg_buf_free(html);
        return;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 32;
        item *v = realloc(t->v, cap * sizeof *v);
        if (!v) {
            t->oom = true;
            rg_buf_free(html);
            return;
        }
        t->v = v;
        t->cap = cap;
    }
    rg_buf_putc(html, '\0');
    t->v[t->n] = (item){at, kind, (int64_t)t->n, html->p};
    t->n++;
    *html = (rg_buf)RG_BUF_INIT;
}

static int by_time(const void *a, const void *b)
{
    const item *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void head(rg_buf *b, const timeline *t, rg_instant at, const char *what)
{
    char when[40];
    rg_buf_printf(b, "<time>%s</time><strong>", rg_dash_time(t->d, at, when, sizeof when));
    rg_html_escape(b, what);
    rg_buf_puts(b, "</strong> ");
}

static rg_status message_item(void *p, const rg_message *m)
{
    timeline *t = p;
    rg_buf b = RG_BUF_INIT;
    rg_instant at = m->sent_at ? m->sent_at : m->planned_for;
    char what[128];
    snprintf(what, sizeof what, "Mensagem por %s", m->channel);
    head(&b, t, at, what);
    rg_buf_printf(&b, "— %s", rg_dash_message_status_label(m->status));
    if (m->reason[0]) {
        rg_buf_puts(&b, " (");
        rg_html_escape(&b, m->reason);
        rg_buf_puts(&b, ")");
    }
    rg_buf_puts(&b, " <span class=\"muted\">");
    rg_html_escape(&b, m->cadence);
    rg_buf_puts(&b, " / ");
    rg_html_escape(&b, m->source_id);
    rg_buf_puts(&b, "</span>");
    if (m->subject && *m->subject) {
        rg_buf_puts(&b, "<br>Assunto: ");
        rg_html_escape(&b, m->subject);
    }
    if (m->body && *m->body) {
        rg_buf_puts(&b, "<pre class=\"msg\">");
        rg_html_escape(&b, m->body);
        rg_buf_puts(&b, "</pre>");
    }
    add(t, at, IT_MESSAGE, &b);
    return t->oom ? RG_ENOMEM : RG_OK;
}

static rg_status task_item(void *p, const rg_task_view *tv)
{
    timeline *t = p;
    if (strcmp(tv->invoice_external_id, t->invoice_ext) != 0)
        return RG_OK;
    rg_buf b = RG_BUF_INIT;
    char what[96];
    snprintf(what, sizeof what, "Tarefa %s", tv->task.kind);
    head(&b, t, tv->task.created_at, what);
    rg_buf_printf(&b, "— %s", task_status_label(tv->task.status));
    if (tv->task.assignee[0]) {
        rg_buf_puts(&b, ", com ");
        rg_html_escape(&b, tv->task.assignee);
    }
    if (tv->task.outcome[0]) {
        rg_buf_puts(&b, "; resultado: ");
        rg_html_escape(&b, tv->task.outcome);
    }
    if (tv->task.note[0]) {
        rg_buf_puts(&b, "<br>");
        rg_html_escape(&b, tv->task.note);
    }
    add(t, tv->task.created_at, IT_TASK, &b);
    return t->oom ? RG_ENOMEM : RG_OK;
}

static void view_items(timeline *t, const rg_invoice_view *v)
{
    for (size_t i = 0; i < v->n_events; i++) {
        const rg_event *ev = &v->events[i];
        rg_buf b = RG_BUF_INIT;
        head(&b, t, ev->at, "Evento");
        rg_html_escape(&b, ev->type);
        rg_buf_puts(&b, " <span class=\"muted\">(");
        rg_html_escape(&b, ev->source);
        rg_buf_puts(&b, ")</span>");
        if (ev->payload && strcmp(ev->payload, "{}") != 0) {
            rg_buf_puts(&b, "<br><code>");
            rg_html_escape(&b, ev->payload);
            rg_buf_puts(&b, "</code>");
        }
        add(t, ev->at, IT_EVENT, &b);
    }
    for (size_t i = 0; i < v->n_payments; i++) {
        const rg_payment *p = &v->payments[i];
        rg_buf b = RG_BUF_INIT;
        head(&b, t, p->paid_at, "Pagamento");
        rg_dash_money(&b, p->amount);
        rg_buf_puts(&b, " — ");
        rg_html_escape(&b, p->method[0] ? p->method : rg_payment_source_name(p->source));
        if (p->reference[0]) {
            rg_buf_puts(&b, " <span class=\"muted\">ref. ");
            rg_html_escape(&b, p->reference);
            rg_buf_puts(&b, "</span>");
        }
        add(t, p->paid_at, IT_PAYMENT, &b);
    }
    for (size_t i = 0; i < v->n_promises; i++) {
        const rg_promise *p = &v->promises[i];
        rg_buf b = RG_BUF_INIT;
        char day[16];
        head(&b, t, p->created_at, "Promessa de pagamento");
        rg_dash_money(&b, p->amount);
        rg_buf_printf(&b, " até %s — ", rg_dash_date(p->promised_date, day, sizeof day));
        rg_html_escape(&b, !strcmp(p->status, "pending")  ? "pendente"
                           : !strcmp(p->status, "kept")   ? "cumprida"
                           : !strcmp(p->status, "broken") ? "quebrada"
                                                          : "cancelada");
        add(t, p->created_at, IT_PROMISE, &b);
    }
    if (v->has_bureau) {
        const rg_bureau_listing *l = &v->bureau;
        const struct {
            rg_instant at;
            const char *what;
        } steps[] = {
            {l->notice_at, "Negativação: aviso enviado"},
            {l->requested_at, "Negativação: pedida ao birô"},
            {l->listed_at, "Negativação: incluída"},
            {l->removal_requested_at, "Negativação: retirada pedida"},
            {l->removed_at, "Negativação: retirada"},
        };
        for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
            if (steps[i].at == RG_INSTANT_NONE || steps[i].at == 0)
                continue;
            rg_buf b = RG_BUF_INIT;
            head(&b, t, steps[i].at, steps[i].what);
            add(t, steps[i].at, IT_BUREAU, &b);
        }
    }
}

static const char *const ITEM_CLASS[] = {"message", "event", "payment", "promise", "task", "bureau"};

enum MHD_Result rg_http_dash_invoice(rg_http_request *r)
{
    rg_dash d;
    enum MHD_Result ret;
    if (!rg_dash_open(r, &d, RG_ROLE_VIEWER, &ret))
        return ret;
    char ext[RG_EXTID_MAX + 1];
    if (r->params[0].n > RG_EXTID_MAX) {
        ret = rg_dash_error(&d, MHD_HTTP_NOT_FOUND, "Não encontrado", "Não há fatura com este código.");
        rg_dash_close(&d);
        return ret;
    }
    memcpy(ext, r->params[0].p, r->params[0].n);
    ext[r->params[0].n] = '\0';
    rg_err e;
    rg_err_clear(&e);
    rg_invoice_view v;
    rg_status rc = rg_invoice_view_get(d.store, NULL, ext, d.now, &v, &e);
    if (rc != RG_OK) {
        ret = rg_dash_store_error(&d, "invoice", &e);
        rg_dash_close(&d);
        return ret;
    }
    timeline t = {0};
    t.d = &d;
    t.invoice_ext = ext;
    view_items(&t, &v);
    rg_message_filter mf;
    rg_message_filter_init(&mf);
    mf.invoice_external_id = ext;
    if ((rc = rg_store_message_each(d.store, &mf, message_item, &t, &e)) == RG_OK)
        rc = rg_store_task_view_each(d.store, true, task_item, &t, &e);
    if (rc == RG_OK && t.oom)
        rc = rg_err_set(&e, RG_ENOMEM, "invoice", "out of memory");
    rg_buf b = RG_BUF_INIT;
    if (rc == RG_OK) {
        qsort(t.v, t.n, sizeof *t.v, by_time);
        char title[RG_EXTID_MAX + 16], day[16];
        snprintf(title, sizeof title, "Fatura %s", ext);
        rg_dash_start(&b, &d, title, "/faturas");
        rg_buf_puts(&b, "<div class=\"kpis\"><div class=\"kpi\"><b>");
        rg_dash_money(&b, v.invoice.amount);
        rg_buf_puts(&b, "</b>valor</div><div class=\"kpi\"><b>");
        rg_dash_money(&b, rg_invoice_balance(&v.invoice));
        rg_buf_printf(&b, "</b>em aberto</div><div class=\"kpi\"><b>%s</b>vencimento</div>"
                          "<div class=\"kpi\"><b>%s</b>situação</div></div><p>Cliente: <strong>",
                      rg_dash_date(v.invoice.due_date, day, sizeof day), rg_dash_invoice_status_label(v.invoice.status));
        rg_html_escape(&b, v.customer.name);
        rg_buf_puts(&b, "</strong> (");
        rg_html_escape(&b, v.customer.external_id);
        rg_buf_puts(&b, ")");
        if (v.invoice.description[0]) {
            rg_buf_puts(&b, " — ");
            rg_html_escape(&b, v.invoice.description);
        }
        rg_buf_puts(&b, "</p><h2>Linha do tempo</h2>");
        if (t.n == 0)
            rg_buf_puts(&b, "<p>Nada aconteceu com esta fatura ainda.</p>");
        else {
            rg_buf_puts(&b, "<ol class=\"timeline\">");
            for (size_t i = 0; i < t.n; i++)
                rg_buf_printf(&b, "<li class=\"%s\">%s</li>", ITEM_CLASS[t.v[i].kind], t.v[i].html);
            rg_buf_puts(&b, "</ol>");
        }
        ret = rg_dash_finish(&d, &b, MHD_HTTP_OK);
    } else
        ret = rg_dash_store_error(&d, "invoice timeline", &e);
    for (size_t i = 0; i < t.n; i++)
        free(t.v[i].html);
    free(t.v);
    rg_invoice_view_free(&v);
    rg_dash_close(&d);
    return ret;
}

/* ---- Tarefas ---- */

typedef struct task_ctx {
    rg_buf *b;
    const rg_dash *d;
    bool can_change;
    int64_t n, last_id;
} task_ctx;

static const char *const OUTCOMES[][2] = {
    {"promised", "prometeu pagar"},   {"no_answer", "não atendeu"},     {"wrong_number", "número errado"},
    {"refused", "recusou"},           {"paid", "disse que já pagou"},   {"callback", "pediu retorno"},
};

static rg_status task_row(void *p, const rg_task_view *tv)
{
    task_ctx *tc = p;
    if (tc->n++ == PAGE_ROWS)
        return RG_OK;
    tc->last_id = tv->task.id;
    rg_buf *b = tc->b;
    char when[40];
    rg_buf_printf(b, "<tr id=\"tarefa-%lld\"><td>%s</td><td>", (long long)tv->task.id,
                  rg_dash_time(tc->d, tv->task.due_at, when, sizeof when));
    rg_html_escape(b, tv->task.kind);
    rg_buf_puts(b, "</td><td>");
    rg_html_escape(b, tv->customer_name);
    rg_buf_puts(b, "<br><span class=\"muted\">");
    rg_html_escape(b, tv->customer_phone);
    rg_buf_puts(b, "</span></td><td>");
    if (tv->invoice_external_id[0]) {
        rg_buf_puts(b, "<a href=\"/faturas/");
        rg_dash_url_escape(b, tv->invoice_external_id);
        rg_buf_puts(b, "\">");
        rg_html_escape(b, tv->invoice_external_id);
        rg_buf_puts(b, "</a>");
    }
    rg_buf_printf(b, "</td><td>%s", task_status_label(tv->task.status));
    if (tv->task.assignee[0]) {
        rg_buf_puts(b, " por ");
        rg_html_escape(b, tv->task.assignee);
    }
    if (tv->held[0])
        rg_buf_puts(b, "<br><span class=\"muted\">suspensa: contestação</span>");
    rg_buf_puts(b, "</td><td>");
    if (tv->text && *tv->text) {
        rg_buf_puts(b, "<pre class=\"msg\">");
        rg_html_escape(b, tv->text);
        rg_buf_puts(b, "</pre>");
    }
    if (tc->can_change && !tv->held[0]) {
        long long id = (long long)tv->task.id;
        if (!strcmp(tv->task.status, "open")) {
            rg_buf_printf(b, "<form class=\"inline\" method=\"post\" action=\"/tarefas/%lld/assumir\">", id);
            rg_dash_csrf_field(b, tc->d);
            rg_buf_puts(b, "<button type=\"submit\">Assumir</button></form>");
        }
        rg_buf_printf(b, "<details><summary>Concluir</summary><form method=\"post\" action=\"/tarefas/%lld/concluir\">",
                      id);
        rg_dash_csrf_field(b, tc->d);
        rg_buf_printf(b, "<label for=\"o-%lld\">Resultado</label><select id=\"o-%lld\" name=\"resultado\" required>",
                      id, id);
        for (size_t i = 0; i < sizeof OUTCOMES / sizeof *OUTCOMES; i++)
            rg_buf_printf(b, "<option value=\"%s\">%s</option>", OUTCOMES[i][0], OUTCOMES[i][1]);
        rg_buf_printf(b, "</select><label for=\"n-%lld\">Anotação</label><input id=\"n-%lld\" name=\"nota\" "
                         "maxlength=\"500\"><label for=\"d-%lld\">Promessa: pagar até</label><input id=\"d-%lld\" "
                         "name=\"promessa_data\" type=\"date\"><label for=\"a-%lld\">Valor prometido (vazio: o "
                         "saldo)</label><input id=\"a-%lld\" name=\"promessa_valor\" inputmode=\"decimal\">"
                         "<p><button type=\"submit\">Concluir tarefa</button></p></form></details>",
                      id, id, id, id, id, id);
    }
    rg_buf_puts(b, "</td></tr>");
    return RG_OK;
}

enum MHD_Result rg_http_dash_tasks(rg_http_request *r)
{
    rg_dash d;
    enum MHD_Result ret;
    if (!rg_dash_open(r, &d, RG_ROLE_VIEWER, &ret))
        return ret;
    int64_t after = 0;
    const char *a = rg_http_query(r, "depois");
    if (a && *a && !rg_parse_i64(rg_slice_cstr(a), 0, INT64_MAX, &after)) {
        ret = rg_dash_error(&d, MHD_HTTP_BAD_REQUEST, "Filtro inválido", "depois: não é uma posição da lista");
        rg_dash_close(&d);
        return ret;
    }
    rg_buf b = RG_BUF_INIT;
    rg_dash_start(&b, &d, "Tarefas", "/tarefas");
    flash(&b, &d);
    rg_buf_puts(&b, "<table><caption class=\"muted\">Tarefas abertas e assumidas, por ordem de criação</caption>"
                    "<thead><tr><th scope=\"col\">Prazo</th><th scope=\"col\">Tipo</th><th scope=\"col\">Cliente</th>"
                    "<th scope=\"col\">Fatura</th><th scope=\"col\">Situação</th><th scope=\"col\">Texto e ações</th>"
                    "</tr></thead><tbody>");
    task_ctx tc = {&b, &d, rg_dash_can_change(&d), 0, 0};
    rg_err e;
    rg_err_clear(&e);
    if (rg_store_task_view_page(d.store, false, after, PAGE_ROWS + 1, task_row, &tc, &e) != RG_OK) {
        rg_buf_free(&b);
        ret = rg_dash_store_error(&d, "tasks", &e);
        rg_dash_close(&d);
        return ret;
    }
    if (tc.n == 0)
        rg_buf_puts(&b, "<tr><td colspan=\"6\">Nenhuma tarefa aberta.</td></tr>");
    rg_buf_puts(&b, "</tbody></table>");
    if (tc.n > PAGE_ROWS)
        rg_buf_printf(&b, "<p class=\"pager\"><a rel=\"next\" href=\"/tarefas?depois=%lld\">Próxima página</a></p>",
                      (long long)tc.last_id);
    rg_dash_csv_link(&b, &d, "/tarefas.csv", NULL);
    ret = rg_dash_finish(&d, &b, MHD_HTTP_OK);
    rg_dash_close(&d);
    return ret;
}

/* The task id of /tarefas/{id}/...; false after sending a 404 page. */
static bool task_id(rg_dash *d, int64_t *id, enum MHD_Result *ret)
{
    if (rg_parse_i64(d->r->params[0], 1, INT64_MAX, id))
        return true;
    *ret = rg_dash_error(d, MHD_HTTP_NOT_FOUND, "Não encontrado", "Não há tarefa com este número.");
    return false;
}

/* Who works a task: the user's email (the task's assignee holds 63 bytes:
 * a longer email is cut at its '@'). */
static void assignee_of(const rg_dash *d, char *out, size_t n)
{
    rg_strlcpy(out, d->session.user.email, n);
    if (strlen(d->session.user.email) >= n) {
        char *at = strchr(out, '@');
        if (at)
            *at = '\0';
    }
}

static enum MHD_Result back_to_tasks(rg_dash *d, const char *code, int64_t id)
{
    char to[96];
    snprintf(to, sizeof to, "/tarefas?m=%s#tarefa-%lld", code, (long long)id);
    const char *headers[] = {"Location", to, "Cache-Control", "no-store", NULL};
    return rg_http_send(d->r, MHD_HTTP_SEE_OTHER, "text/plain; charset=utf-8", "", 0, headers);
}

enum MHD_Result rg_http_dash_task_claim(rg_http_request *r)
{
    rg_dash d;
    enum MHD_Result ret;
    if (!rg_dash_open(r, &d, RG_ROLE_OPERATOR, &ret))
        return ret;
    int64_t id;
    if (task_id(&d, &id, &ret)) {
        char who[64];
        assignee_of(&d, who, sizeof who);
        rg_task_view tv;
        rg_err e;
        rg_err_clear(&e);
        if (rg_task_claim(d.store, id, who, d.now, &tv, &e) != RG_OK)
            ret = rg_dash_store_error(&d, "task claim", &e);
        else
            ret = back_to_tasks(&d, "assumida", id);
    }
    rg_dash_close(&d);
    return ret;
}

typedef struct problems {
    rg_buf *b;
    size_t n;
} problems;

static const char *field_label(const char *field)
{
    return !strcmp(field, "outcome")          ? "Resultado"
           : !strcmp(field, "note")           ? "Anotação"
           : !strcmp(field, "promise_date")   ? "Promessa: pagar até"
           : !strcmp(field, "promise_amount") ? "Valor prometido"
                                              : field;
}

static void problem(void *ctx, const char *field, const char *msg)
{
    problems *p = ctx;
    rg_buf_puts(p->b, "<li>");
    rg_html_escape(p->b, field_label(field));
    rg_buf_puts(p->b, ": ");
    rg_html_escape(p->b, msg);
    rg_buf_puts(p->b, "</li>");
    p->n++;
}

enum MHD_Result rg_http_dash_task_done(rg_http_request *r)
{
    rg_dash d;
    enum MHD_Result ret;
    if (!rg_dash_open(r, &d, RG_ROLE_OPERATOR, &ret))
        return ret;
    int64_t id;
    if (!task_id(&d, &id, &ret)) {
        rg_dash_close(&d);
        return ret;
    }
    const rg_tz *tz = rg_zones_company(r->srv->events->zones);
    rg_date today = rg_tz_date(tz, d.now);
    char who[64];
    assignee_of(&d, who, sizeof who);
    rg_task_done_params p = {0};
    p.outcome = rg_dash_form(&d, "resultado");
    p.note = rg_dash_form(&d, "nota");
    if (p.note && !*p.note)
        p.note = NULL;
    p.assignee = who;
    p.promise_date = RG_DATE_NONE;
    p.promise_amount = -1;
    p.source = "dashboard";
    rg_buf bad = RG_BUF_INIT;
    problems pr = {&bad, 0};
    const char *date = rg_dash_form(&d, "promessa_data"), *amount = rg_dash_form(&d, "promessa_valor");
    if (date && *date && !rg_date_parse(date, strlen(date), &p.promise_date))
        problem(&pr, "promise_date", "use uma data como 2026-12-31");
    if (amount && *amount) {
        if (!date || !*date)
            problem(&pr, "promise_amount", "informe também a data da promessa");
        else if (!rg_money_parse(amount, strlen(amount), false, &p.promise_amount, NULL))
            problem(&pr, "promise_amount", "use um valor como 150,00");
    }
    if (pr.n == 0)
        rg_task_done_check(&p, today, problem, &pr);
    if (pr.n) {
        rg_buf b = RG_BUF_INIT;
        rg_dash_start(&b, &d, "Não foi possível concluir a tarefa", "/tarefas");
        rg_buf_puts(&b, "<div class=\"flash err\" role=\"alert\"><ul>");
        rg_buf_puts(&b, bad.p ? bad.p : "");
        rg_buf_printf(&b, "</ul></div><p><a href=\"/tarefas#tarefa-%lld\">Voltar às tarefas</a></p>", (long long)id);
        rg_buf_free(&bad);
        ret = rg_dash_finish(&d, &b, MHD_HTTP_UNPROCESSABLE_CONTENT);
        rg_dash_close(&d);
        return ret;
    }
    rg_buf_free(&bad);
    rg_event_env env = *r->srv->events;
    env.store = d.store;
    rg_task_done_result res;
    rg_err e;
    rg_err_clear(&e);
    if (rg_task_done(&env, id, &p, today, d.now, &res, &e) != RG_OK)
        ret = rg_dash_store_error(&d, "task done", &e);
    else
        ret = back_to_tasks(&d, res.promised ? "promessa" : "concluida", id);
    rg_dash_close(&d);
    return ret;
}
