/*
 * The dashboard's CSV exports: every table's "Exportar CSV" (/faturas.csv,
 * /clientes.csv, /tarefas.csv, /mensagens.csv) with the page's filters,
 * streamed — rows are read 500 at a time by keyset as the client takes
 * them, so no export holds a whole table — and written by the reports' CSV
 * rules (service/reports.h rg_report_csv_row: `;`, UTF-8 BOM, CRLF;
 * pt-BR numbers 1.234,56 and dates 31/12/2026, times in the company's
 * zone). Each batch is its own short read: a slow download never holds a
 * snapshot that would pin the write-ahead log (docs/internals/wal.md), so
 * a row changed during an export shows as its batch read it.
 * docs/dashboard.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/tz.h"
#include "base/zones.h"
#include "br/doc.h"
#include "http/dash.h"
#include "service/reports.h"

#define CSV_BATCH 500

typedef struct csv_stream csv_stream;
/* Appends up to CSV_BATCH rows after cs->after to cs->buf; sets cs->after to
 * the last one's key and *n to how many. */
typedef rg_status (*csv_batch_fn)(csv_stream *cs, int64_t *n, rg_err *e);

struct csv_stream {
    rg_store *store;
    const rg_tz *tz;
    csv_batch_fn batch;
    rg_buf buf;
    size_t off;
    int64_t after, n;
    bool done;
    /* the filters, copied (the request's strings do not outlive it) */
    rg_invoice_filter inv;
    rg_customer_filter cust;
    rg_message_filter msg;
    char *strings[8];
    size_t n_strings;
};

/* A copy of s owned by cs (NULL stays NULL). */
static const char *keep(csv_stream *cs, const char *s)
{
    if (!s)
        return NULL;
    char *c = cs->strings[cs->n_strings++] = strdup(s);
    if (!c)
        cs->buf.oom = true; /* the export fails rather than lose a filter */
    return c;
}

static void stream_free(void *p)
{
    csv_stream *cs = p;
    if (!cs)
        return;
    rg_buf_free(&cs->buf);
    for (size_t i = 0; i < cs->n_strings; i++)
        free(cs->strings[i]);
    free(cs);
}

static ssize_t stream_read(void *p, uint64_t pos, char *out, size_t max)
{
    (void)pos;
    csv_stream *cs = p;
    while (cs->off == cs->buf.len) {
        if (cs->done)
            return MHD_CONTENT_READER_END_OF_STREAM;
        rg_buf_reset(&cs->buf);
        cs->off = 0;
        int64_t n = 0;
        rg_err e;
        rg_err_clear(&e);
        if (cs->batch(cs, &n, &e) != RG_OK || cs->buf.oom) {
            rg_error("dashboard: csv export: %s: %s", e.where, e.msg);
            return MHD_CONTENT_READER_END_WITH_ERROR;
        }
        cs->done = n < CSV_BATCH;
    }
    size_t n = cs->buf.len - cs->off < max ? cs->buf.len - cs->off : max;
    memcpy(out, cs->buf.p + cs->off, n);
    cs->off += n;
    return (ssize_t)n;
}

static void date_cell(char *out, size_t n, rg_date day)
{
    if (day == RG_DATE_NONE) {
        out[0] = '\0';
        return;
    }
    int y, m, d;
    rg_date_to_ymd(day, &y, &m, &d);
    snprintf(out, n, "%02d/%02d/%04d", d, m, y);
}

static void time_cell(const csv_stream *cs, char *out, size_t n, rg_instant t)
{
    if (t == RG_INSTANT_NONE || t == 0) {
        out[0] = '\0';
        return;
    }
    rg_date day;
    int sec, y, m, d;
    rg_tz_local(cs->tz, t, &day, &sec);
    rg_date_to_ymd(day, &y, &m, &d);
    snprintf(out, n, "%02d/%02d/%04d %02d:%02d", d, m, y, sec / 3600, sec / 60 % 60);
}

/* ---- each table's rows ---- */

typedef struct batch_ctx {
    csv_stream *cs;
    int64_t n;
} batch_ctx;

static rg_status invoice_csv(void *p, const rg_invoice *inv)
{
    batch_ctx *bc = p;
    char issue[16], due[16], amount[32], paid[32], open[32];
    date_cell(issue, sizeof issue, inv->issue_date);
    date_cell(due, sizeof due, inv->due_date);
    rg_report_money_br(inv->amount, amount, sizeof amount);
    rg_report_money_br(inv->paid, paid, sizeof paid);
    rg_report_money_br(rg_invoice_balance(inv), open, sizeof open);
    const char *cells[] = {inv->external_id, inv->customer_external_id, inv->description, issue, due, amount,
                           paid, open, rg_dash_invoice_status_label(inv->status)};
    rg_report_csv_row(&bc->cs->buf, cells, sizeof cells / sizeof *cells);
    bc->cs->after = inv->id;
    bc->n++;
    return RG_OK;
}

static rg_status invoice_batch(csv_stream *cs, int64_t *n, rg_err *e)
{
    batch_ctx bc = {cs, 0};
    cs->inv.after_id = cs->after;
    cs->inv.limit = CSV_BATCH;
    rg_status rc = rg_store_invoice_each(cs->store, &cs->inv, invoice_csv, &bc, e);
    *n = bc.n;
    return rc;
}

static rg_status customer_csv(void *p, const rg_customer *c)
{
    batch_ctx *bc = p;
    rg_doc doc;
    rg_err e;
    const char *document = c->document[0] && rg_doc_parse(c->document, strlen(c->document), &doc, &e)
                               ? doc.formatted
                               : c->document;
    char tags[RG_TAGS_MAX + 1], created[24];
    rg_strlcpy(tags, c->tags, sizeof tags);
    for (char *t = tags; *t; t++)
        if (*t == '|')
            *t = ',';
    time_cell(bc->cs, created, sizeof created, c->created_at);
    const char *cells[] = {c->external_id, c->name,      document, rg_customer_kind_name(c->kind), c->email,
                           c->phone,       c->whatsapp, c->preferred_channel, tags, c->address.city,
                           c->address.state, created};
    rg_report_csv_row(&bc->cs->buf, cells, sizeof cells / sizeof *cells);
    bc->cs->after = c->id;
    bc->n++;
    return RG_OK;
}

static rg_status customer_batch(csv_stream *cs, int64_t *n, rg_err *e)
{
    batch_ctx bc = {cs, 0};
    cs->cust.after_id = cs->after;
    cs->cust.limit = CSV_BATCH;
    rg_status rc = rg_store_customer_each(cs->store, &cs->cust, customer_csv, &bc, e);
    *n = bc.n;
    return rc;
}

static rg_status task_csv(void *p, const rg_task_view *tv)
{
    batch_ctx *bc = p;
    char id[24], due[24], created[24];
    snprintf(id, sizeof id, "%lld", (long long)tv->task.id);
    time_cell(bc->cs, due, sizeof due, tv->task.due_at);
    time_cell(bc->cs, created, sizeof created, tv->task.created_at);
    const char *cells[] = {id, created, due, tv->task.kind, tv->customer_external_id, tv->customer_name,
                           tv->customer_phone, tv->invoice_external_id, tv->task.status, tv->task.assignee,
                           tv->held[0] ? tv->held : "", tv->text ? tv->text : ""};
    rg_report_csv_row(&bc->cs->buf, cells, sizeof cells / sizeof *cells);
    bc->cs->after = tv->task.id;
    bc->n++;
    return RG_OK;
}

static rg_status task_batch(csv_stream *cs, int64_t *n, rg_err *e)
{
    batch_ctx bc = {cs, 0};
    rg_status rc = rg_store_task_view_page(cs->store, false, cs->after, CSV_BATCH, task_csv, &bc, e);
    *n = bc.n;
    return rc;
}

static rg_status message_csv(void *p, const rg_message *m)
{
    batch_ctx *bc = p;
    char id[24], when[24], planned[24], cost[32];
    snprintf(id, sizeof id, "%lld", (long long)m->id);
    time_cell(bc->cs, planned, sizeof planned, m->planned_for);
    time_cell(bc->cs, when, sizeof when, m->sent_at);
    rg_report_money_br(m->cost, cost, sizeof cost);
    char invoices[sizeof m->invoice_external_ids];
    rg_strlcpy(invoices, m->invoice_external_ids, sizeof invoices);
    for (char *t = invoices; *t; t++)
        if (*t == '|')
            *t = ',';
    const char *cells[] = {id, planned, when, m->channel, rg_dash_message_status_label(m->status), m->reason,
                           m->customer_external_id, invoices, m->cadence, m->source_id, cost,
                           m->subject ? m->subject : ""};
    rg_report_csv_row(&bc->cs->buf, cells, sizeof cells / sizeof *cells);
    bc->cs->after = m->id;
    bc->n++;
    return RG_OK;
}

static rg_status message_batch(csv_stream *cs, int64_t *n, rg_err *e)
{
    batch_ctx bc = {cs, 0};
    cs->msg.after_id = cs->after;
    cs->msg.limit = CSV_BATCH;
    rg_status rc = rg_store_message_each(cs->store, &cs->msg, message_csv, &bc, e);
    *n = bc.n;
    return rc;
}

/* ---- the answer ---- */

/* Sends resp (taken) as the download NAME-AAAA-MM-DD.csv (today, the
 * company's). */
static enum MHD_Result queue_csv(rg_dash *d, struct MHD_Response *resp, const char *name)
{
    char disposition[128];
    int y, m, dd;
    rg_date_to_ymd(rg_tz_date(rg_zones_company(d->r->srv->events->zones), d->now), &y, &m, &dd);
    snprintf(disposition, sizeof disposition, "attachment; filename=\"%s-%04d-%02d-%02d.csv\"", name, y, m, dd);
    MHD_add_response_header(resp, "Content-Type", "text/csv; charset=utf-8");
    MHD_add_response_header(resp, "Content-Disposition", disposition);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    enum MHD_Result ret = MHD_queue_response(d->r->conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Starts the stream: the BOM and the header row, and the response. Takes
 * cs. */
static enum MHD_Result send_stream(rg_dash *d, csv_stream *cs, const char *name, const char *const *cols,
                                   size_t n_cols)
{
    cs->store = d->store;
    cs->tz = rg_zones_company(d->r->srv->events->zones);
    rg_buf_puts(&cs->buf, RG_CSV_BOM);
    rg_report_csv_row(&cs->buf, cols, n_cols);
    struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, stream_read, cs,
                                                                  stream_free);
    if (!resp) {
        stream_free(cs);
        return MHD_NO;
    }
    return queue_csv(d, resp, name);
}

enum MHD_Result rg_dash_send_csv(rg_dash *d, const char *name, const char *const *cols, size_t n_cols,
                                 const rg_buf *rows)
{
    rg_buf b = RG_BUF_INIT;
    rg_buf_puts(&b, RG_CSV_BOM);
    rg_report_csv_row(&b, cols, n_cols);
    if (rows->len)
        rg_buf_append(&b, rows->p, rows->len);
    if (b.oom || rows->oom) {
        rg_buf_free(&b);
        return rg_dash_error(d, MHD_HTTP_INTERNAL_SERVER_ERROR, "Erro interno", "Sem memória para a exportação.");
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(b.len, b.p, MHD_RESPMEM_MUST_COPY);
    rg_buf_free(&b);
    return resp ? queue_csv(d, resp, name) : MHD_NO;
}

static csv_stream *stream_new(rg_dash *d, enum MHD_Result *ret)
{
    csv_stream *cs = calloc(1, sizeof *cs);
    if (!cs)
        *ret = rg_dash_error(d, MHD_HTTP_INTERNAL_SERVER_ERROR, "Erro interno", "Sem memória para a exportação.");
    return cs;
}

static enum MHD_Result bad(rg_dash *d, const char *why)
{
    enum MHD_Result ret = rg_dash_bad_filter(d, why);
    rg_dash_close(d);
    return ret;
}

enum MHD_Result rg_http_dash_invoices_csv(rg_http_request *r)
{
    rg_dash d;
    enum MHD_Result ret;
    if (!rg_dash_open(r, &d, RG_ROLE_VIEWER, &ret))
        return ret;
    rg_invoice_filter f;
    const char *why = NULL;
    if (!rg_dash_invoice_filter(&d, &f, &why))
        return bad(&d, why);
    csv_stream *cs = stream_new(&d, &ret);
    if (cs) {
        cs->inv = f;
        cs->inv.customer_external_id = keep(cs, f.customer_external_id);
        cs->after = f.after_id;
        cs->batch = invoice_batch;
        static const char *const cols[] = {"fatura",   "cliente", "descrição", "emissão", "vencimento",
                                           "valor",    "pago",    "em aberto", "situação"};
        ret = send_stream(&d, cs, "faturas", cols, sizeof cols / sizeof *cols);
    }
    rg_dash_close(&d);
    return ret;
}

enum MHD_Result rg_http_dash_customers_csv(rg_http_request *r)
{
    rg_dash d;
    enum MHD_Result ret;
    if (!rg_dash_open(r, &d, RG_ROLE_VIEWER, &ret))
        return ret;
    rg_customer_filter f;
    char doc[RG_DOC_MAX + 1];
    const char *why = NULL;
    if (!rg_dash_customer_filter(&d, &f, doc, &why))
        return bad(&d, why);
    csv_stream *cs = stream_new(&d, &ret);
    if (cs) {
        cs->cust = f;
        cs->cust.name = keep(cs, f.name);
        cs->cust.document = keep(cs, f.document);
        cs->cust.external_id = keep(cs, f.external_id);
        cs->after = f.after_id;
        cs->batch = customer_batch;
        static const char *const cols[] = {"código",   "nome",     "documento",       "tipo",
                                           "e-mail",   "telefone", "whatsapp",        "canal preferido",
                                           "etiquetas", "cidade",  "uf",              "cadastrado em"};
        ret = send_stream(&d, cs, "clientes", cols, sizeof cols / sizeof *cols);
    }
    rg_dash_close(&d);
    return ret;
}

enum MHD_Result rg_http_dash_tasks_csv(rg_http_request *r)
{
    rg_dash d;
    enum MHD_Result ret;
    if (!rg_dash_open(r, &d, RG_ROLE_VIEWER, &ret))
        return ret;
    int64_t after = 0;
    const char *a = rg_dash_query(&d, "depois");
    if (*a && !rg_parse_i64(rg_slice_cstr(a), 0, INT64_MAX, &after))
        return bad(&d, "depois: não é uma posição da lista");
    csv_stream *cs = stream_new(&d, &ret);
    if (cs) {
        cs->after = after;
        cs->batch = task_batch;
        static const char *const cols[] = {"tarefa",   "criada em", "prazo",   "tipo",        "cliente",
                                           "nome",     "telefone",  "fatura",  "situação",    "responsável",
                                           "suspensa", "texto"};
        ret = send_stream(&d, cs, "tarefas", cols, sizeof cols / sizeof *cols);
    }
    rg_dash_close(&d);
    return ret;
}

enum MHD_Result rg_http_dash_messages_csv(rg_http_request *r)
{
    rg_dash d;
    enum MHD_Result ret;
    if (!rg_dash_open(r, &d, RG_ROLE_VIEWER, &ret))
        return ret;
    rg_message_filter f;
    const char *why = NULL;
    if (!rg_dash_message_filter(&d, &f, &why))
        return bad(&d, why);
    csv_stream *cs = stream_new(&d, &ret);
    if (cs) {
        cs->msg = f;
        cs->msg.channel = keep(cs, f.channel);
        cs->msg.cadence = keep(cs, f.cadence);
        cs->msg.customer_external_id = keep(cs, f.customer_external_id);
        cs->after = f.after_id;
        cs->batch = message_batch;
        static const char *const cols[] = {"mensagem", "planejada para", "enviada em", "canal", "situação",
                                           "motivo",   "cliente",        "faturas",    "régua", "passo",
                                           "custo",    "assunto"};
        ret = send_stream(&d, cs, "mensagens", cols, sizeof cols / sizeof *cols);
    }
    rg_dash_close(&d);
    return ret;
}
