/*
 * The dashboard's Clientes: the list (filters by name, document and code;
 * keyset pages) and a customer's page (contact data, its invoices, its
 * opt-outs). docs/dashboard.md.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "br/doc.h"
#include "http/dash.h"
#include "service/views.h"

const char *const rg_dash_customer_params[] = {"nome", "documento", "codigo", NULL};

bool rg_dash_customer_filter(const rg_dash *d, rg_customer_filter *f, char doc[RG_DOC_MAX + 1], const char **bad)
{
    memset(f, 0, sizeof *f);
    const char *name = rg_dash_query(d, "nome"), *document = rg_dash_query(d, "documento");
    const char *code = rg_dash_query(d, "codigo"), *after = rg_dash_query(d, "depois");
    if (*name) {
        if (strlen(name) > RG_NAME_MAX) {
            *bad = "nome: use no máximo 160 caracteres";
            return false;
        }
        f->name = name;
    }
    if (*document) {
        size_t n = 0;
        for (const char *p = document; *p; p++) {
            if (strchr(".-/ ", *p))
                continue;
            if (!isalnum((unsigned char)*p) || n == RG_DOC_MAX) {
                *bad = "documento: use os números do CPF ou do CNPJ (pontos, traços e barra são ignorados)";
                return false;
            }
            doc[n++] = (char)toupper((unsigned char)*p);
        }
        doc[n] = '\0';
        if (n)
            f->document = doc;
    }
    if (*code) {
        if (strlen(code) > RG_EXTID_MAX) {
            *bad = "codigo: o código do cliente é longo demais";
            return false;
        }
        f->external_id = code;
    }
    if (*after && !rg_parse_i64(rg_slice_cstr(after), 0, INT64_MAX, &f->after_id)) {
        *bad = "depois: não é uma posição da lista";
        return false;
    }
    return true;
}

typedef struct list_ctx {
    rg_buf *b;
    int64_t n, last_id;
} list_ctx;

static void customer_link(rg_buf *b, const char *ext, const char *text)
{
    rg_buf_puts(b, "<a href=\"/clientes/");
    rg_dash_url_escape(b, ext);
    rg_buf_puts(b, "\">");
    rg_html_escape(b, text);
    rg_buf_puts(b, "</a>");
}

static void document_text(rg_buf *b, const rg_customer *c)
{
    rg_doc doc;
    rg_err e;
    if (c->document[0] && rg_doc_parse(c->document, strlen(c->document), &doc, &e))
        rg_html_escape(b, doc.formatted);
    else
        rg_html_escape(b, c->document);
}

static rg_status customer_row(void *p, const rg_customer *c)
{
    list_ctx *lc = p;
    if (lc->n++ == RG_DASH_PAGE_ROWS)
        return RG_OK; /* the one past the page: there is a next page */
    lc->last_id = c->id;
    rg_buf *b = lc->b;
    rg_buf_puts(b, "<tr><td>");
    customer_link(b, c->external_id, c->external_id);
    rg_buf_puts(b, "</td><td>");
    rg_html_escape(b, c->name);
    rg_buf_puts(b, "</td><td>");
    document_text(b, c);
    rg_buf_puts(b, "</td><td>");
    rg_html_escape(b, c->email);
    rg_buf_puts(b, "</td><td>");
    rg_html_escape(b, c->phone[0] ? c->phone : c->whatsapp);
    rg_buf_puts(b, "</td></tr>");
    return RG_OK;
}

enum MHD_Result rg_http_dash_customers(rg_http_request *r)
{
    rg_dash d;
    enum MHD_Result ret;
    if (!rg_dash_open(r, &d, RG_ROLE_VIEWER, &ret))
        return ret;
    rg_customer_filter f;
    char doc[RG_DOC_MAX + 1];
    const char *bad = NULL;
    if (!rg_dash_customer_filter(&d, &f, doc, &bad)) {
        ret = rg_dash_bad_filter(&d, bad);
        rg_dash_close(&d);
        return ret;
    }
    f.limit = RG_DASH_PAGE_ROWS + 1;
    rg_buf b = RG_BUF_INIT;
    rg_dash_start(&b, &d, "Clientes", "/clientes");
    rg_buf_puts(&b, "<form class=\"filters\" method=\"get\" action=\"/clientes\">");
    rg_dash_filter_input(&b, &d, "nome", "Nome (parte)", NULL);
    rg_dash_filter_input(&b, &d, "documento", "CPF ou CNPJ (início)", NULL);
    rg_dash_filter_input(&b, &d, "codigo", "Código", NULL);
    rg_buf_puts(&b, "<button type=\"submit\">Filtrar</button></form>");
    rg_buf_puts(&b, "<table><caption class=\"muted\">Clientes por ordem de cadastro</caption><thead><tr>"
                    "<th scope=\"col\">Código</th><th scope=\"col\">Nome</th><th scope=\"col\">Documento</th>"
                    "<th scope=\"col\">E-mail</th><th scope=\"col\">Telefone</th></tr></thead><tbody>");
    list_ctx lc = {&b, 0, 0};
    rg_err e;
    rg_err_clear(&e);
    if (rg_store_customer_each(d.store, &f, customer_row, &lc, &e) != RG_OK) {
        rg_buf_free(&b);
        ret = rg_dash_store_error(&d, "customers", &e);
        rg_dash_close(&d);
        return ret;
    }
    if (lc.n == 0)
        rg_buf_puts(&b, "<tr><td colspan=\"5\">Nenhum cliente com estes filtros.</td></tr>");
    rg_buf_puts(&b, "</tbody></table>");
    if (lc.n > RG_DASH_PAGE_ROWS)
        rg_dash_next_link(&b, &d, "/clientes", rg_dash_customer_params, lc.last_id);
    rg_dash_csv_link(&b, &d, "/clientes.csv", rg_dash_customer_params);
    ret = rg_dash_finish(&d, &b, MHD_HTTP_OK);
    rg_dash_close(&d);
    return ret;
}

/* ---- a customer ---- */

static void dl_item(rg_buf *b, const char *term, const char *value)
{
    rg_buf_puts(b, "<dt>");
    rg_html_escape(b, term);
    rg_buf_puts(b, "</dt><dd>");
    rg_html_escape(b, value && *value ? value : "—");
    rg_buf_puts(b, "</dd>");
}

static rg_status invoice_row(void *p, const rg_invoice *inv)
{
    list_ctx *lc = p;
    if (lc->n++ == RG_DASH_PAGE_ROWS)
        return RG_OK;
    rg_buf *b = lc->b;
    char day[16];
    rg_buf_puts(b, "<tr><td><a href=\"/faturas/");
    rg_dash_url_escape(b, inv->external_id);
    rg_buf_puts(b, "\">");
    rg_html_escape(b, inv->external_id);
    rg_buf_puts(b, "</a></td><td>");
    rg_html_escape(b, inv->description);
    rg_buf_printf(b, "</td><td>%s</td><td class=\"n\">", rg_dash_date(inv->due_date, day, sizeof day));
    rg_dash_money(b, inv->amount);
    rg_buf_puts(b, "</td><td class=\"n\">");
    rg_dash_money(b, rg_invoice_balance(inv));
    rg_buf_printf(b, "</td><td>%s</td></tr>", rg_dash_invoice_status_label(inv->status));
    return RG_OK;
}

static void contact(rg_buf *b, const rg_customer *c)
{
    rg_buf_puts(b, "<h2>Contato</h2><dl class=\"facts\">");
    rg_buf b2 = RG_BUF_INIT;
    document_text(&b2, c);
    rg_buf_puts(b, "<dt>Documento</dt><dd>");
    rg_buf_puts(b, b2.len ? b2.p : "—"); /* already escaped */
    rg_buf_free(&b2);
    rg_buf_puts(b, "</dd>");
    dl_item(b, "Tipo", rg_customer_kind_name(c->kind));
    dl_item(b, "E-mail", c->email);
    dl_item(b, "Telefone", c->phone);
    dl_item(b, "WhatsApp", c->whatsapp);
    dl_item(b, "Canal preferido", c->preferred_channel);
    char addr[512] = "";
    if (c->address.street[0])
        snprintf(addr, sizeof addr, "%s, %s%s%s — %s, %s/%s, CEP %s", c->address.street, c->address.number,
                 c->address.complement[0] ? " " : "", c->address.complement, c->address.district, c->address.city,
                 c->address.state, c->address.zip);
    dl_item(b, "Endereço", addr);
    char tags[RG_TAGS_MAX + 1];
    rg_strlcpy(tags, c->tags, sizeof tags);
    for (char *t = tags; *t; t++)
        if (*t == '|')
            *t = ',';
    dl_item(b, "Etiquetas", tags);
    dl_item(b, "Fuso horário", c->timezone[0] ? c->timezone : "o da empresa");
    rg_buf_puts(b, "</dl>");
}

static const char *optout_source_label(const char *how)
{
    return !strncmp(how, "reply", 5)          ? "resposta (SAIR)"
           : !strcmp(how, "unsubscribe")      ? "link de descadastro"
           : !strcmp(how, "link")             ? "link de descadastro"
           : !strcmp(how, "cli")              ? "linha de comando"
           : !strcmp(how, "api")              ? "API"
           : !strcmp(how, "portal")           ? "portal do cliente"
                                              : how;
}

enum MHD_Result rg_http_dash_customer(rg_http_request *r)
{
    rg_dash d;
    enum MHD_Result ret;
    if (!rg_dash_open(r, &d, RG_ROLE_VIEWER, &ret))
        return ret;
    char ext[RG_EXTID_MAX + 1];
    if (r->params[0].n > RG_EXTID_MAX) {
        ret = rg_dash_error(&d, MHD_HTTP_NOT_FOUND, "Não encontrado", "Não há cliente com este código.");
        rg_dash_close(&d);
        return ret;
    }
    memcpy(ext, r->params[0].p, r->params[0].n);
    ext[r->params[0].n] = '\0';
    rg_err e;
    rg_err_clear(&e);
    rg_customer_view v;
    if (rg_customer_view_get(d.store, ext, &v, &e) != RG_OK) {
        ret = rg_dash_store_error(&d, "customer", &e);
        rg_dash_close(&d);
        return ret;
    }
    rg_buf b = RG_BUF_INIT;
    char title[RG_NAME_MAX + 16], when[40];
    snprintf(title, sizeof title, "Cliente %s", v.customer.name);
    rg_dash_start(&b, &d, title, "/clientes");
    rg_buf_puts(&b, "<p>Código: <strong>");
    rg_html_escape(&b, v.customer.external_id);
    rg_buf_puts(&b, "</strong></p>");
    contact(&b, &v.customer);
    rg_buf_puts(&b, "<h2>Faturas</h2><table><thead><tr><th scope=\"col\">Fatura</th><th scope=\"col\">Descrição</th>"
                    "<th scope=\"col\">Vencimento</th><th scope=\"col\" class=\"n\">Valor</th>"
                    "<th scope=\"col\" class=\"n\">Em aberto</th><th scope=\"col\">Situação</th></tr></thead><tbody>");
    rg_invoice_filter f;
    rg_invoice_filter_init(&f);
    f.customer_external_id = v.customer.external_id;
    f.limit = RG_DASH_PAGE_ROWS + 1;
    list_ctx lc = {&b, 0, 0};
    if (rg_store_invoice_each(d.store, &f, invoice_row, &lc, &e) != RG_OK) {
        rg_buf_free(&b);
        rg_customer_view_free(&v);
        ret = rg_dash_store_error(&d, "customer invoices", &e);
        rg_dash_close(&d);
        return ret;
    }
    if (lc.n == 0)
        rg_buf_puts(&b, "<tr><td colspan=\"6\">Nenhuma fatura.</td></tr>");
    rg_buf_puts(&b, "</tbody></table>");
    rg_buf_puts(&b, "<p class=\"pager\">");
    if (lc.n > RG_DASH_PAGE_ROWS) {
        rg_buf_puts(&b, "<a href=\"/faturas?cliente=");
        rg_dash_url_escape(&b, v.customer.external_id);
        rg_buf_puts(&b, "\">Todas as faturas do cliente</a>");
    }
    rg_buf_puts(&b, "<a class=\"btn sec\" download href=\"/faturas.csv?cliente=");
    rg_dash_url_escape(&b, v.customer.external_id);
    rg_buf_puts(&b, "\">Exportar CSV</a></p>");
    rg_buf_puts(&b, "<h2>Descadastros (opt-outs)</h2>");
    if (v.n_optouts == 0)
        rg_buf_puts(&b, "<p>O cliente não pediu para sair de nenhum canal.</p>");
    else {
        rg_buf_puts(&b, "<table id=\"optouts\"><thead><tr><th scope=\"col\">Canal</th><th scope=\"col\">Como</th>"
                        "<th scope=\"col\">Quando</th></tr></thead><tbody>");
        for (size_t i = 0; i < v.n_optouts; i++) {
            rg_buf_puts(&b, "<tr><td>");
            rg_html_escape(&b, v.optouts[i].channel);
            rg_buf_puts(&b, "</td><td>");
            rg_html_escape(&b, optout_source_label(v.optouts[i].how));
            rg_buf_printf(&b, "</td><td>%s</td></tr>", rg_dash_time(&d, v.optouts[i].at, when, sizeof when));
        }
        rg_buf_puts(&b, "</tbody></table>");
    }
    rg_buf_puts(&b, "<p class=\"pager\"><a href=\"/mensagens?cliente=");
    rg_dash_url_escape(&b, v.customer.external_id);
    rg_buf_puts(&b, "\">Mensagens do cliente</a></p>");
    rg_customer_view_free(&v);
    ret = rg_dash_finish(&d, &b, MHD_HTTP_OK);
    rg_dash_close(&d);
    return ret;
}
