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

#endif
