/*
 * The server's HTML pages (track.c's unsubscribe pages, portal.c): escaping
 * and sending. Pages never run script from elsewhere: the default
 * Content-Security-Policy allows no script at all and inline styles only;
 * a page that has its own script (the portal's copy button) passes a policy
 * that allows it from this server.
 */
#include <string.h>

#include "http/http_int.h"

void rg_html_escape(rg_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': rg_buf_puts(b, "&amp;"); break;
        case '<': rg_buf_puts(b, "&lt;"); break;
        case '>': rg_buf_puts(b, "&gt;"); break;
        case '"': rg_buf_puts(b, "&quot;"); break;
        case '\'': rg_buf_puts(b, "&#39;"); break;
        default: rg_buf_putc(b, *s);
        }
    }
}

#define DEFAULT_CSP "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"

enum MHD_Result rg_http_send_html(rg_http_request *r, unsigned status, const rg_buf *page, const char *csp,
                                  const char *const *extra)
{
    if (page->oom)
        return rg_http_send_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", "out of memory");
    const char *headers[16] = {"Content-Security-Policy", csp ? csp : DEFAULT_CSP, "X-Frame-Options", "DENY"};
    size_t n = 4;
    for (size_t i = 0; extra && extra[i] && n + 2 < sizeof headers / sizeof *headers; i += 2) {
        headers[n++] = extra[i];
        headers[n++] = extra[i + 1];
    }
    headers[n] = NULL;
    return rg_http_send(r, status, "text/html; charset=utf-8", page->p, page->len, headers);
}
