/*
 * dash — what the dashboard's page files (dash*.c) share: the request's
 * session (service/users.h) and form, the layout, errors as pages.
 * docs/dashboard.md.
 */
#ifndef RG_DASH_H
#define RG_DASH_H

#include "http/http_int.h"
#include "service/users.h"

#define RG_DASH_MAX_FIELDS 32

typedef struct rg_dash_field {
    const char *name, *value; /* decoded, in rg_dash.form */
} rg_dash_field;

typedef struct rg_dash {
    rg_http_request *r;
    rg_store *store; /* the connection's, outside any transaction */
    rg_session session;
    rg_instant now;
    char *form; /* owned: a POST's decoded body */
    rg_dash_field fields[RG_DASH_MAX_FIELDS];
    size_t n_fields;
} rg_dash;

/* Opens a dashboard request: the session from its cookie (none or expired:
 * 303 to /login), for a POST its form and CSRF token (403 page when it is
 * not the session's), the role (403 page below `need`). False when an
 * answer was sent (*ret). */
bool rg_dash_open(rg_http_request *r, rg_dash *d, rg_api_role need, enum MHD_Result *ret);
void rg_dash_close(rg_dash *d);
/* A POST's form field, or NULL. */
const char *rg_dash_form(const rg_dash *d, const char *name);
/* Whether the user may change things (operator or admin): a viewer's pages
 * show no button that changes anything. */
bool rg_dash_can_change(const rg_dash *d);
/* The layout: head, the header with the pages and the user, <main><h1>title.
 * active: the path of the current page in the navigation (NULL none). */
void rg_dash_start(rg_buf *b, const rg_dash *d, const char *title, const char *active);
/* The hidden CSRF input every form carries. */
void rg_dash_csrf_field(rg_buf *b, const rg_dash *d);
/* Closes the layout and sends b (freed). */
enum MHD_Result rg_dash_finish(rg_dash *d, rg_buf *b, unsigned status);
/* A page saying text (escaped) with the status. */
enum MHD_Result rg_dash_error(rg_dash *d, unsigned status, const char *title, const char *text);
/* A service error as a page: busy 503 + Retry-After, not found 404, bad input or conflict 422, else 500 (logged). */
enum MHD_Result rg_dash_store_error(rg_dash *d, const char *what, const rg_err *e);
const char *rg_dash_role_label(rg_api_role role);
/* "31/12/2026 14:05" in the company's zone; "—" for RG_INSTANT_NONE. */
const char *rg_dash_time(const rg_dash *d, rg_instant t, char *buf, size_t n);
/* "31/12/2026"; "—" for RG_DATE_NONE. */
const char *rg_dash_date(rg_date day, char *buf, size_t n);

/* ---- dash_util.c: pieces the pages share ---- */

#define RG_DASH_PAGE_ROWS 50 /* rows on a list page */
/* "R$ 1.234,56", escaped into b. */
void rg_dash_money(rg_buf *b, rg_cents v);
/* Appends s percent-encoded for a URL's query or path segment. */
void rg_dash_url_escape(rg_buf *b, const char *s);
/* <option value="value">label</option>, selected when it equals `selected`. */
void rg_dash_option(rg_buf *b, const char *value, const char *label, const char *selected);
/* The query parameter `name` as a date (AAAA-MM-DD): "" or absent is
 * RG_DATE_NONE; false when it is not a date. */
bool rg_dash_date_param(const rg_dash *d, const char *name, rg_date *out);
/* The query parameter `name`, "" when absent. */
const char *rg_dash_query(const rg_dash *d, const char *name);
/* A filter's text input: <div><label for=id>label</label><input id name value [type]></div>. */
void rg_dash_filter_input(rg_buf *b, const rg_dash *d, const char *name, const char *label, const char *type);
/* The "Exportar CSV" link: path (e.g. "/faturas.csv") with the request's
 * query parameters `names` (NULL-terminated) carried over. */
void rg_dash_csv_link(rg_buf *b, const rg_dash *d, const char *path, const char *const *names);
/* The "Próxima página" link: path with `names` carried over and depois=after. */
void rg_dash_next_link(rg_buf *b, const rg_dash *d, const char *path, const char *const *names, int64_t after);
/* A 400 page "Filtro inválido" saying why (which names the field). */
enum MHD_Result rg_dash_bad_filter(rg_dash *d, const char *why);
const char *rg_dash_invoice_status_label(rg_invoice_status s);
const char *rg_dash_message_status_label(rg_message_status s);

/* dash_csv.c: a small table's CSV export (Réguas, Canais): the BOM, the
 * header row cols and rows (records written with rg_report_csv_row) as the
 * download NAME-AAAA-MM-DD.csv. The big tables stream instead. */
enum MHD_Result rg_dash_send_csv(rg_dash *d, const char *name, const char *const *cols, size_t n_cols,
                                 const rg_buf *rows);

/* ---- the pages' filters, shared by a page and its CSV export ---- */

/* Clientes (dash_customers.c): nome, documento, codigo, depois. doc holds
 * the normalised document. False with *bad (naming the field). */
extern const char *const rg_dash_customer_params[]; /* the filters' names, NULL-terminated */
bool rg_dash_customer_filter(const rg_dash *d, rg_customer_filter *f, char doc[RG_DOC_MAX + 1], const char **bad);
/* Faturas (dash_pages.c): status, cliente, de, ate, depois. */
extern const char *const rg_dash_invoice_params[];
bool rg_dash_invoice_filter(const rg_dash *d, rg_invoice_filter *f, const char **bad);
/* Mensagens (dash_messages.c): canal, status, regua, cliente, de, ate (the
 * company's days), depois. */
extern const char *const rg_dash_message_params[];
bool rg_dash_message_filter(const rg_dash *d, rg_message_filter *f, const char **bad);

#endif
