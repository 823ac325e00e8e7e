/*
 * mail — the pure parts of composing an e-mail, shared by the smtp driver,
 * its tests and fuzzers: addresses ("Nome <addr>"), header text (RFC 2047
 * encoded-words, RFC 5322 dates), the stable Message-ID, the minimal HTML
 * made from a text body, and tracking (an open pixel and click-tracked
 * links signed with service/token). No I/O, no clock.
 *
 * Every function appends to a caller-owned rg_buf; the caller checks the
 * buffer's sticky `oom` once at the end. Inputs are borrowed for the call.
 * Header values produced here never contain a bare CR or LF (no header
 * injection): control characters in the input become spaces.
 */
#ifndef RG_MAIL_H
#define RG_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/date.h"
#include "base/err.h"

#define RG_MAIL_ADDR_MAX 254
#define RG_MAIL_NAME_MAX 160
/* Longest original URL a click token carries; longer links stay untracked. */
#define RG_MAIL_TRACK_URL_MAX 2048

/* True for a plain ASCII addr-spec "local@domain" (dot-atom on both sides,
 * local part up to 64 bytes, domain labels of letters, digits and '-'). No
 * quoted local parts, no IP literals, no SMTPUTF8. */
bool rg_mail_addr_valid(const char *addr);

/* Splits "Nome <addr>", "\"Nome, Ltda\" <addr>" or "addr" into the display
 * name (unquoted, "" when absent) and the address, which must pass
 * rg_mail_addr_valid. RG_EINVAL naming `what` otherwise; outputs "" then. */
rg_status rg_mail_parse_mailbox(const char *s, const char *what, char name[RG_MAIL_NAME_MAX + 1],
                                char addr[RG_MAIL_ADDR_MAX + 1], rg_err *e);

/* Appends an unstructured header value (Subject): as is when it is short
 * printable ASCII, else as UTF-8 B encoded-words (RFC 2047) of at most 64
 * characters, each holding whole characters, folded with CRLF SP. */
void rg_mail_put_text(rg_buf *out, const char *value);

/* Appends a mailbox: "addr", "Nome <addr>", "\"Nome, Ltda\" <addr>" or
 * "=?UTF-8?B?...?= <addr>" (RFC 5322 phrase; RFC 2047 when not ASCII, or
 * longer than RG_MAIL_NAME_MAX). */
void rg_mail_put_mailbox(rg_buf *out, const char *name, const char *addr);

/* "Thu, 10 Dec 2026 12:30:00 +0000" (RFC 5322 date-time, UTC); buf of at
 * least 32 bytes. */
char *rg_mail_date(rg_instant t, char *buf, size_t n);

/* Appends "<regua-ID-HASH@domain>": HASH is 16 hex digits of BLAKE2b over
 * the idempotency key, so the same message always has the same Message-ID
 * (a retried send can be deduplicated by the receiver). */
void rg_mail_message_id(rg_buf *out, int64_t message_id, const char *idempotency_key, const char *domain);

/* Appends text with every line break (LF, CRLF or a lone CR) as CRLF. */
void rg_mail_crlf(rg_buf *out, const char *text, size_t len);

/* Appends a minimal HTML document for a text body: HTML-escaped, blank
 * lines separate paragraphs, single line breaks become <br>, and http(s)
 * URLs become links (so click tracking works on text-only templates). */
void rg_mail_text_to_html(rg_buf *out, const char *text, size_t len);

/* Appends the value of a List-Unsubscribe header (RFC 2369): the mailto
 * form "<mailto:MAILTO?subject=unsubscribe[-TOKEN]>" when mailto is set,
 * and the URL form "<PUBLIC_URL/u/TOKEN>" when public_url and token are
 * (trailing slashes of public_url dropped), separated by ", ". Appends
 * nothing when neither applies. *one_click (may be NULL) is true when the
 * URL form is there and https, the case where RFC 8058 one-click applies
 * (List-Unsubscribe-Post: List-Unsubscribe=One-Click). */
void rg_mail_list_unsubscribe(rg_buf *out, const char *mailto, const char *public_url, const char *token,
                              bool *one_click);

/* What tracking needs: the public base URL (no trailing slash), the token
 * secret and the message id the tokens are about. */
typedef struct rg_mail_tracking {
    const char *public_url;
    const char *secret;
    int64_t message_id;
} rg_mail_tracking;

/* Appends html with tracking: every <a>/<area> href that is an http(s) URL
 * (entities decoded) becomes PUBLIC_URL/t/c/TOKEN, TOKEN signing kind "c"
 * payload "ID|URL"; links already under PUBLIC_URL/t/ and URLs longer than
 * RG_MAIL_TRACK_URL_MAX stay as they are. The open pixel
 * <img src="PUBLIC_URL/t/o/TOKEN.gif" width="1" height="1" alt=""> (kind
 * "o", payload "ID") goes before the last </body>, or at the end. Comments,
 * <script> and <style> are copied untouched. Errors only from signing. */
rg_status rg_mail_track_html(rg_buf *out, const char *html, size_t len, const rg_mail_tracking *t, rg_err *e);

#endif
