/*
 * template_file — the message templates of a TEMPLATES_DIR, loaded once.
 *
 * Files are TEMPLATES_DIR/NAME.CHANNEL with NAME in [a-z0-9_-]+ (at most
 * 64) and CHANNEL one of email, whatsapp, sms, voice, letter, task, log:
 *   NAME.email       first line `Subject: ...` (required), an optional
 *                    blank line, then the plain-text body
 *   NAME.email.html  optional HTML body of the same e-mail ({{var}} escaped)
 *   NAME.whatsapp    free text, or, when the first line is
 *                    `Template: APPROVED_NAME [LANG]` (LANG default pt_BR),
 *                    an approved WhatsApp template: every following
 *                    non-blank line is one body parameter, itself a
 *                    template (a line holding only {{! comments}} is not a
 *                    parameter)
 *   others           plain text
 * Files are UTF-8 (a BOM and CRLF line ends are accepted); trailing blank
 * lines are dropped. Hidden files (".x") and backups ("x~") are ignored.
 *
 * Loading never stops at a bad file: it records a diagnostic and keeps the
 * file as present-but-broken (rg_template_set_exists() is true, get() is
 * NULL), so lint can report every problem at once.
 *
 * Memory: a rg_template_set owns everything it returns by pointer (message
 * templates, their compiled parts, names), valid until
 * rg_template_set_free(). rg_rendered and rg_template_diags are owned by
 * the caller and released with their _free(). A loaded set is read-only and
 * may be shared between threads.
 */
#ifndef RG_RENDER_TEMPLATE_FILE_H
#define RG_RENDER_TEMPLATE_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "render/template.h"
#include "render/vars.h"

#define RG_TEMPLATE_NAME_MAX 64
#define RG_TEMPLATE_FILE_MAX (256 * 1024)

/* Lint rule ids, besides RG_RULE_TEMPLATE_SYNTAX / _UNKNOWN_VARIABLE. */
#define RG_RULE_TEMPLATE_FILE_NAME "template-file-name"
#define RG_RULE_TEMPLATE_UNKNOWN_CHANNEL "template-unknown-channel"
#define RG_RULE_TEMPLATE_ENCODING "template-encoding"
#define RG_RULE_TEMPLATE_IO "template-io"
#define RG_RULE_TEMPLATE_TOO_LARGE "template-too-large"
#define RG_RULE_TEMPLATE_NO_SUBJECT "template-no-subject"
#define RG_RULE_TEMPLATE_WHATSAPP "template-whatsapp"
#define RG_RULE_TEMPLATE_EMPTY "template-empty"
#define RG_RULE_TEMPLATE_HTML_WITHOUT_TEXT "template-html-without-text"
#define RG_RULE_TEMPLATE_NO_CREDITOR "template-no-creditor"
#define RG_RULE_TEMPLATE_NO_CREDITOR_ADDRESS "template-no-creditor-address"
#define RG_RULE_TEMPLATE_MAY_BE_EMPTY "template-may-be-empty"
#define RG_RULE_TEMPLATE_RENDER "template-render"
#define RG_RULE_TEMPLATE_SMS_LENGTH "template-sms-length"
#define RG_RULE_TEMPLATE_WHATSAPP_LENGTH "template-whatsapp-length"

typedef enum rg_diag_level { RG_DIAG_ERROR, RG_DIAG_WARNING } rg_diag_level;

typedef struct rg_template_diag {
    rg_diag_level level;
    char file[96];    /* file name in the templates directory, "atraso.email" */
    int line;         /* 0 when about the whole file */
    int col;
    const char *rule; /* one of the RG_RULE_TEMPLATE_* strings */
    char msg[512];
} rg_template_diag;

typedef struct rg_template_diags {
    rg_template_diag *v;
    size_t n;
    size_t cap;
} rg_template_diags;

void rg_template_diags_free(rg_template_diags *d); /* NULL-safe; leaves it empty */
size_t rg_template_diags_errors(const rg_template_diags *d);
/* "atraso.email:3:7: error: template-syntax: ..." into buf. */
const char *rg_template_diag_text(const rg_template_diag *d, char *buf, size_t n);

/* One NAME.CHANNEL (with its .email.html, for e-mail). */
typedef struct rg_message_template rg_message_template;

const char *rg_message_template_name(const rg_message_template *mt);
const char *rg_message_template_channel(const rg_message_template *mt);
/* The compiled parts; NULL where the template has none. */
const rg_template *rg_message_template_subject(const rg_message_template *mt);
const rg_template *rg_message_template_body(const rg_message_template *mt); /* NULL for approved WhatsApp */
const rg_template *rg_message_template_html(const rg_message_template *mt);
/* Approved WhatsApp template: its name and language, else NULL. */
const char *rg_message_template_wa_name(const rg_message_template *mt);
const char *rg_message_template_wa_lang(const rg_message_template *mt);
size_t rg_message_template_wa_param_count(const rg_message_template *mt);
const rg_template *rg_message_template_wa_param(const rg_message_template *mt, size_t i);

/* Whether every body the customer may read (text, HTML, or the WhatsApp
 * parameters taken together) names the creditor and its CNPJ (CDC art.
 * 42-A): it outputs {{company.name}} and {{company.cnpj}} outside optional
 * sections, or contains company_name / company_cnpj (bare or formatted)
 * literally in such text. company_name and company_cnpj may be NULL. */
bool rg_message_template_identifies_creditor(const rg_message_template *mt, const char *company_name,
                                             const char *company_cnpj);

/* A rendered message; every string is malloc'd and owned by the struct. */
typedef struct rg_rendered {
    char *subject;     /* e-mail: one line, CR/LF/TAB made spaces; else NULL */
    char *text;        /* plain body; for an approved WhatsApp template, the
                          parameters one per line (a preview for logs) */
    char *html;        /* e-mail with NAME.email.html; else NULL */
    char *wa_template; /* approved WhatsApp template name; else NULL */
    char *wa_lang;
    char **params;     /* its body parameters: one line each, blanks collapsed */
    size_t n_params;
} rg_rendered;

/* Renders every part. Fails (naming the variable and where) when a variable
 * has no value, and when the body, subject or a parameter comes out blank:
 * a message is never sent with a hole. *out is zeroed on failure. */
rg_status rg_message_render(const rg_message_template *mt, const rg_render_vars *v, rg_rendered *out, rg_err *e);
void rg_rendered_free(rg_rendered *r); /* NULL-safe; leaves it zeroed */

typedef struct rg_template_set rg_template_set;

rg_status rg_template_set_new(rg_template_set **out, rg_err *e);
/* Adds one file's contents under its file name (no I/O). A bad file
 * becomes diagnostics, not a failure; fails only for lack of memory. */
rg_status rg_template_set_add(rg_template_set *s, const char *file_name, const char *text, size_t len, rg_err *e);
/* Reads every file of dir (sorted by name) into a new set. Fails when the
 * directory cannot be read; a bad file is a diagnostic. */
rg_status rg_template_set_load(const char *dir, rg_template_set **out, rg_err *e);
void rg_template_set_free(rg_template_set *s); /* NULL-safe */

/* A file NAME.CHANNEL is there (even if it has errors). */
bool rg_template_set_exists(const rg_template_set *s, const char *name, const char *channel);
/* The usable template, or NULL when missing or broken. */
const rg_message_template *rg_template_set_get(const rg_template_set *s, const char *name, const char *channel);
/* Like get, with an error saying why not (RG_ENOTFOUND or RG_EINVAL). */
rg_status rg_template_set_find(const rg_template_set *s, const char *name, const char *channel,
                               const rg_message_template **out, rg_err *e);
/* False when missing, broken or not identifying the creditor. */
bool rg_template_set_identifies_creditor(const rg_template_set *s, const char *name, const char *channel,
                                         const char *company_name, const char *company_cnpj);
/* Every NAME.CHANNEL, sorted by name then channel (broken ones included:
 * their parts are NULL). */
size_t rg_template_set_count(const rg_template_set *s);
const rg_message_template *rg_template_set_at(const rg_template_set *s, size_t i);

/* How a template is sent, for lint: the company.* values the engine fills
 * from the configuration (company may be NULL: none configured; only its
 * company.* fields are read; their name and CNPJ, found literally in a
 * template, also count as identifying the creditor and replace the
 * sample's when rendering), and whether every sender fills offer.* (a
 * trigger with `offer:`) and promise.* (a trigger on promise.made or
 * promise.broken). A NULL use means none of these. */
typedef struct rg_template_use {
    const rg_render_vars *company;
    bool offer;
    bool promise;
} rg_template_use;

/* Every diagnostic of NAME.CHANNEL (with its NAME.email.html), appended to
 * *out sorted by file, line, column: all its load errors; and, when it
 * loads, the checks of docs/internals/templates.md for `use` (a variable
 * that may be empty outside its guard, the creditor, rendering with the
 * sample data, lengths). RG_ENOTFOUND when there is no such file. */
rg_status rg_template_set_check(const rg_template_set *s, const char *name, const char *channel,
                                const rg_template_use *use, rg_template_diags *out, rg_err *e);

/* The same for every file of the set (and the set's own load errors,
 * such as bad file names), each template checked for its own channel. */
rg_status rg_template_set_lint(const rg_template_set *s, const rg_template_use *use, rg_template_diags *out,
                               rg_err *e);

/* Whether channel is one templates exist for. */
bool rg_template_channel_known(const char *channel);

#endif
