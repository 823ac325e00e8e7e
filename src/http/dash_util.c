/*
 * Pieces the dashboard's pages share: money, links carrying the filters,
 * filter inputs, labels of statuses. docs/dashboard.md.
 */
#include <stdio.h>
#include <string.h>

#include "base/money.h"
#include "http/dash.h"

void rg_dash_money(rg_buf *b, rg_cents v)
{
    char m[40];
    rg_html_escape(b, rg_money_format_brl(v, m, sizeof m));
}

void rg_dash_url_escape(rg_buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-_.~", c))
            rg_buf_putc(b, (char)c);
        else
            rg_buf_printf(b, "%%%02X", c);
    }
}

void rg_dash_option(rg_buf *b, const char *value, const char *label, const char *selected)
{
    rg_buf_puts(b, "<option value=\"");
    rg_html_escape(b, value);
    rg_buf_printf(b, "\"%s>", selected && !strcmp(selected, value) ? " selected" : "");
    rg_html_escape(b, label);
    rg_buf_puts(b, "</option>");
}

bool rg_dash_date_param(const rg_dash *d, const char *name, rg_date *out)
{
    const char *v = rg_http_query(d->r, name);
    *out = RG_DATE_NONE;
    return !v || !*v || rg_date_parse(v, strlen(v), out);
}

const char *rg_dash_query(const rg_dash *d, const char *name)
{
    const char *v = rg_http_query(d->r, name);
    return v ? v : "";
}

void rg_dash_filter_input(rg_buf *b, const rg_dash *d, const char *name, const char *label, const char *type)
{
    rg_buf_printf(b, "<div><label for=\"f-%s\">", name);
    rg_html_escape(b, label);
    rg_buf_printf(b, "</label><input id=\"f-%s\" name=\"%s\"%s%s%s value=\"", name, name, type ? " type=\"" : "",
                  type ? type : "", type ? "\"" : "");
    rg_html_escape(b, rg_dash_query(d, name));
    rg_buf_puts(b, "\"></div>");
}

static void link_query(rg_buf *b, const rg_dash *d, const char *path, const char *const *names)
{
    rg_buf_puts(b, path);
    char sep = '?';
    for (size_t i = 0; names && names[i]; i++) {
        const char *v = rg_dash_query(d, names[i]);
        if (!*v)
            continue;
        rg_buf_printf(b, "%s%s=", sep == '?' ? "?" : "&amp;", names[i]);
        rg_dash_url_escape(b, v);
        sep = '&';
    }
}

void rg_dash_csv_link(rg_buf *b, const rg_dash *d, const char *path, const char *const *names)
{
    rg_buf_puts(b, "<p class=\"pager\"><a class=\"btn sec\" download href=\"");
    link_query(b, d, path, names);
    rg_buf_puts(b, "\">Exportar CSV</a></p>");
}

void rg_dash_next_link(rg_buf *b, const rg_dash *d, const char *path, const char *const *names, int64_t after)
{
    rg_buf_puts(b, "<p class=\"pager\"><a rel=\"next\" href=\"");
    size_t before = b->len;
    link_query(b, d, path, names);
    rg_buf_printf(b, "%sdepois=%lld\">Próxima página</a></p>", b->len - before > strlen(path) ? "&amp;" : "?",
                  (long long)after);
}

enum MHD_Result rg_dash_bad_filter(rg_dash *d, const char *why)
{
    return rg_dash_error(d, MHD_HTTP_BAD_REQUEST, "Filtro inválido", why);
}

const char *rg_dash_invoice_status_label(rg_invoice_status s)
{
    return rg_invoice_status_label_pt(s);
}

const char *rg_dash_message_status_label(rg_message_status s)
{
    switch (s) {
    case RG_MSG_PLANNED: return "planejada";
    case RG_MSG_QUEUED: return "na fila";
    case RG_MSG_SENDING: return "enviando";
    case RG_MSG_SENT: return "enviada";
    case RG_MSG_DELIVERED: return "entregue";
    case RG_MSG_READ: return "lida";
    case RG_MSG_FAILED: return "falhou";
    case RG_MSG_CANCELLED: return "cancelada";
    case RG_MSG_SUPPRESSED: return "suprimida";
    case RG_MSG_UNCERTAIN: return "incerta (a revisar)";
    }
    return "";
}
