/*
 * cadence — YAML/JSON text to rg_cadence. See cadence.h for the contract
 * and docs/internals/cadence.md for the rules.
 *
 * The text is parsed by libfyaml into a document tree; we then walk the
 * tree with a table of allowed keys per mapping, so that every unknown key
 * and every type mismatch becomes one diagnostic with its line. Line
 * numbers come from the scalar tokens (libfyaml 0.7.12 exposes no start
 * mark for collections, so a collection's line is the line of its first
 * key or item, or of the key that holds it).
 */
#include "cadence/cadence.h"

#include <libfyaml.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/tz.h"
#include "config/yaml.h"

/* ---- tables --------------------------------------------------------- */

static const char *const action_names[] = {"send", "reissue", "task", "bureau_listing"};

static const char *const top_keys[] = {"cadence", "match",       "timezone", "window",
                                       "caps",    "fees",        "consolidate", "steps",
                                       "triggers", "allow_contact_outside_hours", "portal", NULL};
enum {
    T_CADENCE, T_MATCH, T_TIMEZONE, T_WINDOW, T_CAPS, T_FEES, T_CONSOLIDATE, T_STEPS, T_TRIGGERS,
    T_ALLOW_OUTSIDE, T_PORTAL
};
static const char *const portal_keys[] = {"agreements", NULL};
/* in RG_CADENCE_AG_* order */
static const char *const agreement_keys[] = {"max_installments",   "min_installment",   "down_payment_pct",
                                             "interest_month_pct", "down_payment_days", "break_after_days", NULL};

static const char *const match_keys[] = {"priority",   "customer_kind", "tags_any",
                                         "tags_all",   "min_amount",    "max_amount",
                                         "late_count_12m_min", NULL};
enum { M_PRIORITY, M_KIND, M_TAGS_ANY, M_TAGS_ALL, M_MIN, M_MAX, M_LATE };

static const char *const window_keys[] = {"weekdays", "saturday", "sunday", "holidays", NULL};
enum { W_WEEKDAYS, W_SATURDAY, W_SUNDAY, W_HOLIDAYS };

static const char *const caps_keys[] = {"per_customer", NULL};
static const char *const per_customer_keys[] = {"max", "days", NULL};
static const char *const fees_keys[] = {"fine_pct", "interest_month_pct", NULL};
static const char *const send_keys[] = {"channels", "template", NULL};

static const char *const step_keys[] = {"id",   "at",   "send",           "action",
                                        "reissue", "task", "requires_notice", "offer", NULL};
enum { S_ID, S_AT, S_SEND, S_ACTION, S_REISSUE, S_TASK, S_NOTICE, S_OFFER };

static const char *const reissue_keys[] = {"due_in_business_days", NULL};
static const char *const task_keys[] = {"kind", NULL};

static const char *const trigger_keys[] = {
    "id",    "on",     "wait",             "unless",         "send", "offer", "pause",
    "resume", "pause_grace_days", "switch_cadence", "task", "webhook", "postpone", NULL};
enum {
    G_ID, G_ON, G_WAIT, G_UNLESS, G_SEND, G_OFFER, G_PAUSE, G_RESUME, G_GRACE, G_SWITCH, G_TASK,
    G_WEBHOOK, G_POSTPONE
};
static const char *const postpone_keys[] = {"steps", "days", NULL};

static const char *const offer_keys[] = {"waive_interest", "waive_fine", "discount_pct",
                                         "valid_days", NULL};

#define MAX_FIELDS 16
/* Bounds that keep every check linear-ish on hostile input (the API takes
 * cadences too): far above any real cadence. */
#define MAX_ITEMS 200 /* steps, triggers */
#define MAX_LIST 100  /* channels, tags, unless, pause, resume */
#define MAX_ERRORS 100 /* parse errors reported per file */

const char *rg_step_action_name(rg_step_action a)
{
    if ((int)a < 0 || (size_t)a >= sizeof action_names / sizeof action_names[0])
        return "?";
    return action_names[a];
}

/* ---- parse context and diagnostics ---------------------------------- */

typedef struct pctx {
    rg_diags *d;
    const char *file;
    bool oom;
    int nerr;
} pctx;

static void perr(pctx *p, int line, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void perr(pctx *p, int line, const char *rule, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    if (++p->nerr > MAX_ERRORS) {
        if (p->nerr == MAX_ERRORS + 1)
            rg_diags_add(p->d, RG_SEV_ERROR, p->file, line, 0, "syntax",
                         "more than %d problems; the rest are not reported", MAX_ERRORS);
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rg_diags_add(p->d, RG_SEV_ERROR, p->file, line, 0, rule, "%s", msg);
}

static char *xdup(pctx *p, const char *s, size_t n)
{
    char *r = malloc(n + 1);
    if (!r) {
        p->oom = true;
        return NULL;
    }
    memcpy(r, s, n);
    r[n] = '\0';
    return r;
}

/* ---- nodes ---------------------------------------------------------- */

/* 1-based line of a node, or `fallback` when the node has no position. */
static int node_line(struct fy_node *n, int fallback)
{
    if (!n)
        return fallback;
    switch (fy_node_get_type(n)) {
    case FYNT_SCALAR: {
        struct fy_token *t = fy_node_get_scalar_token(n);
        const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
        return m && m->line >= 0 ? m->line + 1 : fallback;
    }
    case FYNT_MAPPING: {
        void *it = NULL;
        struct fy_node_pair *pr = fy_node_mapping_iterate(n, &it);
        return pr ? node_line(fy_node_pair_key(pr), fallback) : fallback;
    }
    case FYNT_SEQUENCE: {
        void *it = NULL;
        struct fy_node *c = fy_node_sequence_iterate(n, &it);
        return c ? node_line(c, fallback) : fallback;
    }
    }
    return fallback;
}

enum skind { SK_NULL, SK_BOOL, SK_INT, SK_FLOAT, SK_STR, SK_MAP, SK_SEQ };

static bool all_digits(const char *s, size_t n)
{
    if (!n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static bool eq(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* YAML 1.2 core schema resolution of a plain scalar; quoted and block
 * scalars are always text. */
static enum skind node_kind(struct fy_node *n)
{
    if (!n)
        return SK_NULL;
    if (fy_node_get_type(n) == FYNT_MAPPING)
        return SK_MAP;
    if (fy_node_get_type(n) == FYNT_SEQUENCE)
        return SK_SEQ;
    if (fy_node_get_style(n) != FYNS_PLAIN)
        return SK_STR;
    size_t len = 0;
    const char *s = rg_yaml_scalar(n, &len);
    if (!s || len == 0 || eq(s, len, "~") || eq(s, len, "null") || eq(s, len, "Null") ||
        eq(s, len, "NULL"))
        return SK_NULL;
    if (eq(s, len, "true") || eq(s, len, "True") || eq(s, len, "TRUE") || eq(s, len, "false") ||
        eq(s, len, "False") || eq(s, len, "FALSE"))
        return SK_BOOL;
    size_t i = 0;
    if (s[0] == '-' || s[0] == '+')
        i = 1;
    if (all_digits(s + i, len - i))
        return SK_INT;
    /* [-+]? ( . digits | digits ( . digits? )? ) ( [eE] [-+]? digits )? */
    size_t j = i, d1 = 0, d2 = 0;
    while (j < len && s[j] >= '0' && s[j] <= '9')
        j++, d1++;
    if (j < len && s[j] == '.') {
        j++;
        while (j < len && s[j] >= '0' && s[j] <= '9')
            j++, d2++;
    }
    if (d1 + d2 > 0 && j < len && (s[j] == 'e' || s[j] == 'E')) {
        j++;
        if (j < len && (s[j] == '-' || s[j] == '+'))
            j++;
        size_t d3 = 0;
        while (j < len && s[j] >= '0' && s[j] <= '9')
            j++, d3++;
        if (!d3)
            return SK_STR;
    }
    if (d1 + d2 > 0 && j == len)
        return SK_FLOAT;
    return SK_STR;
}

static const char *scalar(struct fy_node *n, size_t *len)
{
    const char *s = rg_yaml_scalar(n, len);
    return s ? s : "";
}

/* "a mapping", "a list", "the text \"abc\"", "the number 12", ... */
static const char *describe(struct fy_node *n, char *buf, size_t sz)
{
    size_t len;
    const char *s = scalar(n, &len);
    int w = len > 40 ? 40 : (int)len;
    const char *ell = len > 40 ? "..." : "";
    switch (node_kind(n)) {
    case SK_MAP:
        return "a mapping";
    case SK_SEQ:
        return "a list";
    case SK_NULL:
        return "nothing (null)";
    case SK_BOOL:
        snprintf(buf, sz, "the boolean %.*s", w, s);
        return buf;
    case SK_INT:
    case SK_FLOAT:
        snprintf(buf, sz, "the number %.*s%s", w, s, ell);
        return buf;
    case SK_STR:
        snprintf(buf, sz, "the text \"%.*s%s\"", w, s, ell);
        return buf;
    }
    return "something else";
}

static void type_error(pctx *p, struct fy_node *n, int line, const char *key, const char *expected)
{
    char b[96];
    perr(p, node_line(n, line), "bad-type", "`%s` must be %s; found %s", key, expected,
         describe(n, b, sizeof b));
}

/* Values of the allowed keys of one mapping, and the line of each key. */
typedef struct fields {
    struct fy_node *v[MAX_FIELDS];
    bool has[MAX_FIELDS];
    int line[MAX_FIELDS];
} fields;

static void allowed_list(const char *const *allowed, char *buf, size_t sz)
{
    size_t k = 0;
    buf[0] = '\0';
    for (size_t i = 0; allowed[i]; i++) {
        int w = snprintf(buf + k, sz - k, "%s%s", i ? ", " : "", allowed[i]);
        if (w < 0 || (size_t)w >= sz - k)
            break;
        k += (size_t)w;
    }
}

/* Reads the keys of mapping `map` (what: "step", "match", ...). Unknown keys
 * are reported; the known ones are stored by index of `allowed`. */
static void get_fields(pctx *p, struct fy_node *map, int map_line, const char *what,
                       const char *const *allowed, fields *f)
{
    memset(f, 0, sizeof *f);
    void *it = NULL;
    struct fy_node_pair *pr;
    while ((pr = fy_node_mapping_iterate(map, &it)) != NULL) {
        struct fy_node *k = fy_node_pair_key(pr);
        struct fy_node *v = fy_node_pair_value(pr);
        int kl = node_line(k, node_line(v, map_line));
        size_t len;
        const char *ks = scalar(k, &len);
        if (!k || fy_node_get_type(k) != FYNT_SCALAR || len == 0) {
            char al[400];
            allowed_list(allowed, al, sizeof al);
            perr(p, kl, "unknown-key", "a key in %s must be a plain name; allowed: %s", what, al);
            continue;
        }
        size_t i = 0;
        for (; allowed[i]; i++)
            if (eq(ks, len, allowed[i]))
                break;
        if (!allowed[i]) {
            char al[400];
            allowed_list(allowed, al, sizeof al);
            int w = len > 60 ? 60 : (int)len;
            perr(p, kl, "unknown-key", "unknown key `%.*s` in %s; allowed: %s", w, ks, what, al);
            continue;
        }
        f->v[i] = v;
        f->has[i] = true;
        f->line[i] = kl;
    }
}

static bool is_map(pctx *p, struct fy_node *n, int line, const char *key)
{
    if (node_kind(n) == SK_MAP)
        return true;
    type_error(p, n, line, key, "a mapping ({key: value, ...})");
    return false;
}

/* An item of `steps` or `triggers` must be a mapping. */
static bool is_item_map(pctx *p, struct fy_node *n, int line, const char *what)
{
    if (node_kind(n) == SK_MAP)
        return true;
    char b[96];
    perr(p, node_line(n, line), "bad-type", "each %s must be a mapping ({id: ..., ...}); found %s",
         what, describe(n, b, sizeof b));
    return false;
}

/* A name used as an id or file name part: [A-Za-z0-9_-], starting with a
 * letter or digit, at most 64 bytes. `dot` also allows '.' (events). */
static bool ident_ok(const char *s, size_t n, bool lower_only)
{
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     (!lower_only && c >= 'A' && c <= 'Z');
        if (!alnum && (i == 0 || (c != '-' && c != '_')))
            return false;
    }
    return true;
}

enum strkind { STR_ANY, STR_IDENT, STR_LOWER };

/* A non-empty scalar as an owned string; NULL (diagnosed) otherwise. */
static char *read_string(pctx *p, struct fy_node *n, int line, const char *key, enum strkind sk)
{
    enum skind k = node_kind(n);
    if (k == SK_MAP || k == SK_SEQ || k == SK_NULL) {
        type_error(p, n, line, key, "a text");
        return NULL;
    }
    size_t len;
    const char *s = scalar(n, &len);
    int l = node_line(n, line);
    if (len == 0) {
        perr(p, l, "bad-value", "`%s` must not be empty", key);
        return NULL;
    }
    if (sk != STR_ANY && !ident_ok(s, len, sk == STR_LOWER)) {
        int w = len > 60 ? 60 : (int)len;
        perr(p, l, "bad-value",
             "`%s` must be a name of at most 64 %sletters, digits, '-' and '_' "
             "(starting with a letter or digit); found \"%.*s\"",
             key, sk == STR_LOWER ? "lowercase " : "", w, s);
        return NULL;
    }
    return xdup(p, s, len);
}

static bool read_int(pctx *p, struct fy_node *n, int line, const char *key, int64_t min,
                     int64_t max, int64_t *out)
{
    if (node_kind(n) != SK_INT) {
        type_error(p, n, line, key, "a whole number");
        return false;
    }
    size_t len;
    const char *s = scalar(n, &len);
    int64_t v;
    if (!rg_parse_i64((rg_slice){s, len}, min, max, &v)) {
        int w = len > 40 ? 40 : (int)len;
        perr(p, node_line(n, line), "bad-value",
             "`%s` must be between %lld and %lld; found %.*s", key, (long long)min,
             (long long)max, w, s);
        return false;
    }
    *out = v;
    return true;
}

static bool read_bool(pctx *p, struct fy_node *n, int line, const char *key, bool *out)
{
    if (node_kind(n) != SK_BOOL) {
        type_error(p, n, line, key, "true or false");
        return false;
    }
    size_t len;
    const char *s = scalar(n, &len);
    *out = s[0] == 't' || s[0] == 'T';
    return true;
}

/* Reais with up to two decimals ("5000.00", 5000, "5.000,00") -> cents. */
static bool read_money(pctx *p, struct fy_node *n, int line, const char *key, rg_cents *out)
{
    enum skind k = node_kind(n);
    if (k != SK_INT && k != SK_FLOAT && k != SK_STR) {
        type_error(p, n, line, key, "an amount in reais like 5000.00");
        return false;
    }
    size_t len;
    const char *s = scalar(n, &len);
    const char *why = NULL;
    rg_cents v = 0;
    if (!rg_money_parse(s, len, false, &v, &why)) {
        int w = len > 40 ? 40 : (int)len;
        perr(p, node_line(n, line), "bad-value",
             "`%s` must be an amount in reais like 5000.00; found \"%.*s\" (%s)", key, w, s,
             why ? why : "malformed");
        return false;
    }
    *out = v;
    return true;
}

/* A percentage with up to two decimals -> hundredths, at most `max`. */
static bool read_pct(pctx *p, struct fy_node *n, int line, const char *key, int64_t max,
                     int64_t *out)
{
    enum skind k = node_kind(n);
    if (k != SK_INT && k != SK_FLOAT && k != SK_STR) {
        type_error(p, n, line, key, "a percentage like 2.00");
        return false;
    }
    size_t len;
    const char *s = scalar(n, &len);
    const char *why = NULL;
    int64_t v = 0;
    int w = len > 40 ? 40 : (int)len;
    if (!rg_pct_parse(s, len, &v, &why)) {
        perr(p, node_line(n, line), "bad-value",
             "`%s` must be a percentage with up to two decimals like 2.00; found \"%.*s\" (%s)",
             key, w, s, why ? why : "malformed");
        return false;
    }
    if (v > max) {
        char b[32];
        perr(p, node_line(n, line), "bad-value", "`%s` must be at most %s; found %.*s", key,
             rg_pct_format(max, b, sizeof b), w, s);
        return false;
    }
    *out = v;
    return true;
}

static void strlist_free(rg_strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    free(l->line);
    memset(l, 0, sizeof *l);
}

/* A list of names; `nonempty` rejects []. Entries that fail are dropped
 * (diagnosed); duplicates are reported when `unique`. */
static void read_strlist(pctx *p, struct fy_node *n, int line, const char *key, enum strkind sk,
                         bool nonempty, bool unique, rg_strlist *out)
{
    memset(out, 0, sizeof *out);
    if (node_kind(n) != SK_SEQ) {
        type_error(p, n, line, key, "a list like [a, b]");
        return;
    }
    int cnt = fy_node_sequence_item_count(n);
    if (cnt <= 0) {
        if (nonempty)
            perr(p, line, "bad-value", "`%s` must list at least one entry", key);
        return;
    }
    if (cnt > MAX_LIST) {
        perr(p, line, "bad-value", "`%s` lists %d entries; at most %d are allowed", key, cnt,
             MAX_LIST);
        return;
    }
    out->v = calloc((size_t)cnt, sizeof *out->v);
    out->line = calloc((size_t)cnt, sizeof *out->line);
    if (!out->v || !out->line) {
        p->oom = true;
        strlist_free(out);
        return;
    }
    void *it = NULL;
    struct fy_node *c;
    while ((c = fy_node_sequence_iterate(n, &it)) != NULL && out->n < (size_t)cnt) {
        int l = node_line(c, line);
        char *s = read_string(p, c, l, key, sk);
        if (!s)
            continue;
        bool dup = false;
        for (size_t i = 0; unique && i < out->n; i++)
            if (strcmp(out->v[i], s) == 0)
                dup = true;
        if (dup) {
            perr(p, l, "bad-value", "`%s` lists `%s` twice", key, s);
            free(s);
            continue;
        }
        out->line[out->n] = l;
        out->v[out->n++] = s;
    }
}

/* ---- value syntaxes ------------------------------------------------- */

/* "D-5", "D0", "D+3" -> days. At most five years either way. */
static bool parse_offset(const char *s, size_t n, int *days)
{
    if (n < 2 || s[0] != 'D')
        return false;
    if (n == 2 && s[1] == '0') {
        *days = 0;
        return true;
    }
    if (s[1] != '+' && s[1] != '-')
        return false;
    if (!all_digits(s + 2, n - 2) || n - 2 > 4)
        return false;
    int64_t v;
    if (!rg_parse_i64((rg_slice){s + 2, n - 2}, 0, 1830, &v))
        return false;
    *days = s[1] == '-' ? -(int)v : (int)v;
    return true;
}

/* "8:00", "08:00", "24:00" -> minutes since midnight. */
static bool parse_hhmm(const char *s, size_t n, int *min)
{
    if (n != 4 && n != 5)
        return false;
    size_t hl = n - 3;
    if (s[hl] != ':' || !all_digits(s, hl) || !all_digits(s + hl + 1, 2))
        return false;
    int h = hl == 1 ? s[0] - '0' : (s[0] - '0') * 10 + (s[1] - '0');
    int m = (s[hl + 1] - '0') * 10 + (s[hl + 2] - '0');
    if (h > 24 || m > 59 || (h == 24 && m != 0))
        return false;
    *min = h * 60 + m;
    return true;
}

/* "HH:MM-HH:MM" or "closed". */
static bool parse_day_window(const char *s, size_t n, rg_day_window *w, const char **why)
{
    if (eq(s, n, "closed")) {
        *w = (rg_day_window){false, 0, 0};
        return true;
    }
    const char *dash = memchr(s, '-', n);
    if (!dash) {
        *why = "expected \"HH:MM-HH:MM\" or closed";
        return false;
    }
    rg_slice a = rg_slice_trim((rg_slice){s, (size_t)(dash - s)});
    rg_slice b = rg_slice_trim((rg_slice){dash + 1, n - (size_t)(dash - s) - 1});
    int from, to;
    if (!parse_hhmm(a.p, a.n, &from) || !parse_hhmm(b.p, b.n, &to)) {
        *why = "expected \"HH:MM-HH:MM\" (00:00 to 24:00) or closed";
        return false;
    }
    if (from >= to || from >= 1440) {
        *why = "the window must open before it closes, on the same day";
        return false;
    }
    *w = (rg_day_window){true, (int16_t)from, (int16_t)to};
    return true;
}

/* "30m", "3h", "48h", "2d", "1h30m", "90s" -> seconds; at most 365 days. */
static bool parse_duration(const char *s, size_t n, int64_t *secs)
{
    int64_t total = 0;
    size_t i = 0;
    if (n == 0)
        return false;
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] >= '0' && s[j] <= '9')
            j++;
        if (j == i || j == n || j - i > 9)
            return false;
        int64_t v;
        if (!rg_parse_i64((rg_slice){s + i, j - i}, 0, 999999999, &v))
            return false;
        int64_t mul;
        switch (s[j]) {
        case 's':
            mul = 1;
            break;
        case 'm':
            mul = 60;
            break;
        case 'h':
            mul = 3600;
            break;
        case 'd':
            mul = 86400;
            break;
        default:
            return false;
        }
        total += v * mul;
        if (total > 365 * 86400)
            return false;
        i = j + 1;
    }
    *secs = total;
    return true;
}

static bool tz_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64 || s[0] == '/' || strstr(s, ".."))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '/' || c == '_' || c == '-' || c == '+'))
            return false;
    }
    return true;
}

/* ---- sections -------------------------------------------------------- */

static void parse_match(pctx *p, struct fy_node *n, int line, rg_cadence_match *m)
{
    m->present = true;
    m->line = line;
    if (!is_map(p, n, line, "match"))
        return;
    fields f;
    get_fields(p, n, line, "match", match_keys, &f);
    if (f.has[M_PRIORITY])
        read_int(p, f.v[M_PRIORITY], f.line[M_PRIORITY], "priority", -1000000, 1000000,
                 &m->priority);
    if (f.has[M_KIND]) {
        m->customer_kind_line = f.line[M_KIND];
        char *k = read_string(p, f.v[M_KIND], f.line[M_KIND], "customer_kind", STR_ANY);
        if (k) {
            rg_slice ks = rg_slice_cstr(k);
            if (rg_slice_eq_nocase(ks, "PF"))
                m->customer_kind = RG_KIND_PF;
            else if (rg_slice_eq_nocase(ks, "PJ"))
                m->customer_kind = RG_KIND_PJ;
            else
                perr(p, node_line(f.v[M_KIND], f.line[M_KIND]), "bad-value",
                     "`customer_kind` must be PF or PJ; found \"%.40s\"", k);
            free(k);
        }
    }
    if (f.has[M_TAGS_ANY])
        read_strlist(p, f.v[M_TAGS_ANY], f.line[M_TAGS_ANY], "tags_any", STR_ANY, false, true,
                     &m->tags_any);
    if (f.has[M_TAGS_ALL])
        read_strlist(p, f.v[M_TAGS_ALL], f.line[M_TAGS_ALL], "tags_all", STR_ANY, false, true,
                     &m->tags_all);
    if (f.has[M_MIN])
        m->has_min_amount = read_money(p, f.v[M_MIN], f.line[M_MIN], "min_amount", &m->min_amount);
    if (f.has[M_MAX])
        m->has_max_amount = read_money(p, f.v[M_MAX], f.line[M_MAX], "max_amount", &m->max_amount);
    if (m->has_min_amount && m->has_max_amount && m->min_amount > m->max_amount) {
        char a[32], b[32];
        perr(p, f.line[M_MAX], "bad-value",
             "`max_amount` (%s) is below `min_amount` (%s): nothing can match",
             rg_money_format_plain(m->max_amount, a, sizeof a),
             rg_money_format_plain(m->min_amount, b, sizeof b));
    }
    if (f.has[M_LATE])
        read_int(p, f.v[M_LATE], f.line[M_LATE], "late_count_12m_min", 0, 1000,
                 &m->late_count_12m_min);
}

static void parse_window(pctx *p, struct fy_node *n, int line, rg_cadence *c)
{
    c->window_line = line;
    if (!is_map(p, n, line, "window"))
        return;
    fields f;
    get_fields(p, n, line, "window", window_keys, &f);
    rg_day_window *days[3] = {&c->window.weekdays, &c->window.saturday, &c->window.sunday};
    for (int i = 0; i < 3; i++) {
        if (!f.has[i])
            continue;
        c->window_day_line[i] = f.line[i];
        int l = node_line(f.v[i], f.line[i]);
        if (node_kind(f.v[i]) != SK_STR) {
            type_error(p, f.v[i], f.line[i], window_keys[i], "\"HH:MM-HH:MM\" or closed");
            continue;
        }
        size_t len;
        const char *s = scalar(f.v[i], &len);
        const char *why = NULL;
        if (!parse_day_window(s, len, days[i], &why)) {
            int w = len > 40 ? 40 : (int)len;
            perr(p, l, "bad-window", "`%s: %.*s`: %s", window_keys[i], w, s, why);
        }
    }
    if (f.has[W_HOLIDAYS]) {
        c->holidays_line = f.line[W_HOLIDAYS];
        size_t len;
        const char *s = scalar(f.v[W_HOLIDAYS], &len);
        if (node_kind(f.v[W_HOLIDAYS]) == SK_STR && eq(s, len, "closed"))
            c->window.holidays_open = false;
        else if (node_kind(f.v[W_HOLIDAYS]) == SK_STR && eq(s, len, "open"))
            c->window.holidays_open = true;
        else
            type_error(p, f.v[W_HOLIDAYS], f.line[W_HOLIDAYS], "holidays", "closed or open");
    }
}

static void parse_caps(pctx *p, struct fy_node *n, int line, rg_cadence_caps *caps)
{
    caps->line = line;
    if (!is_map(p, n, line, "caps"))
        return;
    fields f;
    get_fields(p, n, line, "caps", caps_keys, &f);
    if (!f.has[0])
        return;
    if (!is_map(p, f.v[0], f.line[0], "per_customer"))
        return;
    caps->line = f.line[0];
    fields g;
    get_fields(p, f.v[0], f.line[0], "caps.per_customer", per_customer_keys, &g);
    if (!g.has[0] || !g.has[1]) {
        perr(p, f.line[0], "missing-key",
             "`per_customer` needs both `max` (messages) and `days` (the period), "
             "e.g. {max: 3, days: 7}");
        return;
    }
    int64_t mx = 0, dy = 0;
    bool ok = read_int(p, g.v[0], g.line[0], "max", 1, 1000, &mx);
    ok = read_int(p, g.v[1], g.line[1], "days", 1, 366, &dy) && ok;
    if (ok) {
        caps->max = mx;
        caps->days = dy;
    }
}

static void parse_fees(pctx *p, struct fy_node *n, int line, rg_cadence_fees *fees)
{
    fees->line = line;
    if (!is_map(p, n, line, "fees"))
        return;
    fields f;
    get_fields(p, n, line, "fees", fees_keys, &f);
    if (f.has[0]) {
        fees->fine_line = f.line[0];
        read_pct(p, f.v[0], f.line[0], "fine_pct", 10000, &fees->fine_pct);
    }
    if (f.has[1]) {
        fees->interest_line = f.line[1];
        fees->interest_stated = true;
        if (!read_pct(p, f.v[1], f.line[1], "interest_month_pct", 10000,
                      &fees->interest_month_pct))
            fees->interest_stated = false;
    }
}

/* portal: {agreements: {...}}, each key in the range regua.yaml allows. */
static void parse_portal(pctx *p, struct fy_node *n, int line, rg_cadence_agreements *a)
{
    if (!is_map(p, n, line, "portal"))
        return;
    fields f;
    get_fields(p, n, line, "portal", portal_keys, &f);
    if (!f.has[0] || !is_map(p, f.v[0], f.line[0], "agreements"))
        return;
    a->line = f.line[0];
    fields g;
    get_fields(p, f.v[0], f.line[0], "agreements", agreement_keys, &g);
    static const int64_t lo[] = {1, 1, 0, 0, 1, 1}, hi[] = {60, 0, 9000, 1000, 3, 90};
    for (int i = 0; i < RG_CADENCE_AG__COUNT; i++) {
        if (!g.has[i])
            continue;
        const char *key = agreement_keys[i];
        int64_t v = 0;
        bool ok;
        if (i == RG_CADENCE_AG_MIN_INSTALLMENT) {
            ok = read_money(p, g.v[i], g.line[i], key, &v);
            if (ok && v < 1) {
                perr(p, node_line(g.v[i], g.line[i]), "bad-value", "`min_installment` must be above zero");
                ok = false;
            }
        } else if (i == RG_CADENCE_AG_DOWN_PAYMENT_PCT || i == RG_CADENCE_AG_INTEREST_MONTH_PCT) {
            ok = read_pct(p, g.v[i], g.line[i], key, hi[i], &v);
        } else {
            ok = read_int(p, g.v[i], g.line[i], key, lo[i], hi[i], &v);
        }
        if (ok) {
            a->has[i] = true;
            a->v[i] = v;
        }
    }
}

static void parse_send(pctx *p, struct fy_node *n, int line, rg_cadence_send *s)
{
    s->present = true;
    s->line = line;
    if (!is_map(p, n, line, "send"))
        return;
    fields f;
    get_fields(p, n, line, "send", send_keys, &f);
    if (f.has[0])
        read_strlist(p, f.v[0], f.line[0], "channels", STR_LOWER, true, true, &s->channels);
    else
        perr(p, line, "missing-key", "`send` needs `channels`, e.g. [email, whatsapp]");
    if (f.has[1]) {
        s->template_line = f.line[1];
        s->template_name = read_string(p, f.v[1], f.line[1], "template", STR_IDENT);
    } else {
        perr(p, line, "missing-template",
             "`send` has no `template`: name the template whose NAME.CHANNEL files hold the text");
    }
}

/* `offer: {waive_interest, waive_fine, discount_pct, valid_days}` of a
 * trigger or a step (`what` and `id` name it in the diagnostics). */
static void parse_offer(pctx *p, struct fy_node *n, int line, const char *what, const char *id, rg_cadence_offer *o)
{
    if (!is_map(p, n, line, "offer"))
        return;
    o->present = true;
    o->line = line;
    o->valid_days = 3;
    fields g;
    get_fields(p, n, line, "offer", offer_keys, &g);
    bool ok = true;
    if (g.has[0])
        ok = read_bool(p, g.v[0], g.line[0], "waive_interest", &o->waive_interest) && ok;
    if (g.has[1])
        ok = read_bool(p, g.v[1], g.line[1], "waive_fine", &o->waive_fine) && ok;
    if (g.has[2])
        ok = read_pct(p, g.v[2], g.line[2], "discount_pct", 10000, &o->discount_pct) && ok;
    if (g.has[3])
        read_int(p, g.v[3], g.line[3], "valid_days", 1, 90, &o->valid_days);
    if (ok && !o->waive_interest && !o->waive_fine && o->discount_pct == 0)
        perr(p, o->line, "bad-value",
             "%s `%s`: the offer gives nothing; set waive_interest, waive_fine or discount_pct", what, id);
}

static void parse_step(pctx *p, struct fy_node *n, int line, rg_cadence_step *st)
{
    st->line = line;
    st->reissue_due_in_business_days = 3;
    fields f;
    get_fields(p, n, line, "step", step_keys, &f);
    if (f.has[S_ID])
        st->id = read_string(p, f.v[S_ID], f.line[S_ID], "id", STR_IDENT);
    else
        perr(p, line, "missing-key", "a step needs an `id`");
    if (f.has[S_AT]) {
        st->at_line = f.line[S_AT];
        enum skind k = node_kind(f.v[S_AT]);
        size_t len;
        const char *s = scalar(f.v[S_AT], &len);
        if ((k != SK_STR) || !parse_offset(s, len, &st->at_days)) {
            char b[96];
            st->at_line = 0;
            st->at_days = 0;
            perr(p, node_line(f.v[S_AT], f.line[S_AT]), "bad-offset",
                 "`at` must be D-N, D0 or D+N (calendar days from the due date, N up to 1830); "
                 "found %s",
                 describe(f.v[S_AT], b, sizeof b));
        }
    } else {
        perr(p, line, "missing-key", "step `%s` needs `at` (D-N, D0 or D+N)",
             st->id ? st->id : "?");
    }
    bool action_bad = false;
    if (f.has[S_ACTION]) {
        st->action_line = f.line[S_ACTION];
        size_t len;
        const char *s = scalar(f.v[S_ACTION], &len);
        size_t i = 0;
        for (; i < sizeof action_names / sizeof action_names[0]; i++)
            if (node_kind(f.v[S_ACTION]) == SK_STR && eq(s, len, action_names[i]))
                break;
        if (i < sizeof action_names / sizeof action_names[0]) {
            st->action = (rg_step_action)i;
        } else {
            char b[96];
            action_bad = true;
            perr(p, node_line(f.v[S_ACTION], f.line[S_ACTION]), "bad-value",
                 "`action` must be send, reissue, task or bureau_listing; found %s",
                 describe(f.v[S_ACTION], b, sizeof b));
        }
    }
    if (f.has[S_SEND])
        parse_send(p, f.v[S_SEND], f.line[S_SEND], &st->send);
    if (f.has[S_REISSUE] && is_map(p, f.v[S_REISSUE], f.line[S_REISSUE], "reissue")) {
        fields g;
        get_fields(p, f.v[S_REISSUE], f.line[S_REISSUE], "reissue", reissue_keys, &g);
        if (g.has[0])
            read_int(p, g.v[0], g.line[0], "due_in_business_days", 1, 60,
                     &st->reissue_due_in_business_days);
    }
    if (f.has[S_TASK] && is_map(p, f.v[S_TASK], f.line[S_TASK], "task")) {
        fields g;
        get_fields(p, f.v[S_TASK], f.line[S_TASK], "task", task_keys, &g);
        if (g.has[0])
            st->task_kind = read_string(p, g.v[0], g.line[0], "kind", STR_IDENT);
        else
            perr(p, f.line[S_TASK], "missing-key", "`task` needs a `kind`, e.g. {kind: call}");
    }
    if (f.has[S_NOTICE]) {
        st->requires_notice_line = f.line[S_NOTICE];
        st->requires_notice = read_string(p, f.v[S_NOTICE], f.line[S_NOTICE], "requires_notice",
                                          STR_IDENT);
    }
    if (f.has[S_OFFER]) {
        parse_offer(p, f.v[S_OFFER], f.line[S_OFFER], "step", st->id ? st->id : "?", &st->offer);
        if (!f.has[S_SEND])
            perr(p, f.line[S_OFFER], "action-mismatch",
                 "step `%s` has an `offer` but no `send`: an offer is made with the message that tells it",
                 st->id ? st->id : "?");
    }

    /* One step, one action: the blocks must agree with `action`. */
    const char *id = st->id ? st->id : "?";
    const char *an = action_names[st->action];
    if (action_bad)
        return;
    if (f.has[S_REISSUE] && st->action != RG_ACTION_REISSUE)
        perr(p, f.line[S_REISSUE], "action-mismatch",
             "step `%s` has `reissue` but its action is %s; add `action: reissue`", id, an);
    if (f.has[S_TASK] && st->action != RG_ACTION_TASK)
        perr(p, f.line[S_TASK], "action-mismatch",
             "step `%s` has `task` but its action is %s; add `action: task`", id, an);
    if (f.has[S_NOTICE] && st->action != RG_ACTION_BUREAU_LISTING)
        perr(p, f.line[S_NOTICE], "action-mismatch",
             "step `%s`: `requires_notice` belongs to `action: bureau_listing` steps", id);
    if (f.has[S_SEND] &&
        (st->action == RG_ACTION_TASK || st->action == RG_ACTION_BUREAU_LISTING))
        perr(p, f.line[S_SEND], "action-mismatch",
             "step `%s` (action %s) cannot also send; put the message in a step of its own", id,
             an);
    if (st->action == RG_ACTION_SEND && !f.has[S_SEND])
        perr(p, line, "missing-key",
             "step `%s` does nothing: give it `send` or an `action` (reissue, task, "
             "bureau_listing)",
             id);
    if (st->action == RG_ACTION_TASK && !f.has[S_TASK])
        perr(p, st->action_line ? st->action_line : line, "missing-key",
             "step `%s` (action task) needs `task: {kind: ...}`", id);
}

static void parse_event(pctx *p, struct fy_node *n, int line, const char *key, rg_event_type *out,
                        bool *ok)
{
    *ok = false;
    if (node_kind(n) != SK_STR) {
        type_error(p, n, line, key, "an event name like payment.received");
        return;
    }
    size_t len;
    const char *s = scalar(n, &len);
    if (rg_event_type_parse(s, len, out)) {
        *ok = true;
        return;
    }
    char al[1024];
    size_t k = 0;
    al[0] = '\0';
    for (int i = 0; i < RG_EV__COUNT; i++) {
        int w = snprintf(al + k, sizeof al - k, "%s%s", i ? ", " : "", rg_event_type_name((rg_event_type)i));
        if (w > 0 && (size_t)w < sizeof al - k)
            k += (size_t)w;
    }
    int w = len > 60 ? 60 : (int)len;
    perr(p, node_line(n, line), "unknown-event", "unknown event `%.*s` in `%s`; known events: %s",
         w, s, key, al);
}

static void parse_trigger(pctx *p, struct fy_node *n, int line, rg_cadence_trigger *t)
{
    t->line = line;
    fields f;
    get_fields(p, n, line, "trigger", trigger_keys, &f);
    if (f.has[G_ID])
        t->id = read_string(p, f.v[G_ID], f.line[G_ID], "id", STR_IDENT);
    else
        perr(p, line, "missing-key", "a trigger needs an `id`");
    const char *id = t->id ? t->id : "?";
    if (f.has[G_ON]) {
        bool ok;
        t->on_line = f.line[G_ON];
        parse_event(p, f.v[G_ON], f.line[G_ON], "on", &t->on, &ok);
    } else {
        perr(p, line, "missing-key", "trigger `%s` needs `on` (the event it reacts to)", id);
    }
    if (f.has[G_WAIT]) {
        t->wait_line = f.line[G_WAIT];
        size_t len;
        const char *s = scalar(f.v[G_WAIT], &len);
        if (node_kind(f.v[G_WAIT]) != SK_STR || !parse_duration(s, len, &t->wait_seconds)) {
            char b[96];
            perr(p, node_line(f.v[G_WAIT], f.line[G_WAIT]), "bad-value",
                 "`wait` must be a duration like 30m, 3h, 48h or 2d (at most 365d); found %s",
                 describe(f.v[G_WAIT], b, sizeof b));
            t->wait_seconds = 0;
        }
    }
    if (f.has[G_UNLESS]) {
        struct fy_node *u = f.v[G_UNLESS];
        if (node_kind(u) != SK_SEQ) {
            type_error(p, u, f.line[G_UNLESS], "unless", "a list of events like [payment.received]");
        } else {
            int cnt = fy_node_sequence_item_count(u);
            if (cnt > MAX_LIST)
                perr(p, f.line[G_UNLESS], "bad-value",
                     "`unless` lists %d events; at most %d are allowed", cnt, MAX_LIST);
            else if (cnt > 0) {
                t->unless = calloc((size_t)cnt, sizeof *t->unless);
                t->unless_line = calloc((size_t)cnt, sizeof *t->unless_line);
                if (!t->unless || !t->unless_line) {
                    p->oom = true;
                } else {
                    void *it = NULL;
                    struct fy_node *c;
                    while ((c = fy_node_sequence_iterate(u, &it)) != NULL &&
                           t->n_unless < (size_t)cnt) {
                        bool ok;
                        rg_event_type ev = RG_EV_PAYMENT_RECEIVED;
                        int l = node_line(c, f.line[G_UNLESS]);
                        parse_event(p, c, l, "unless", &ev, &ok);
                        if (!ok)
                            continue;
                        t->unless_line[t->n_unless] = l;
                        t->unless[t->n_unless++] = ev;
                    }
                }
            }
        }
    }
    if (f.has[G_SEND])
        parse_send(p, f.v[G_SEND], f.line[G_SEND], &t->send);
    if (f.has[G_OFFER])
        parse_offer(p, f.v[G_OFFER], f.line[G_OFFER], "trigger", id, &t->offer);
    if (f.has[G_PAUSE])
        read_strlist(p, f.v[G_PAUSE], f.line[G_PAUSE], "pause", STR_IDENT, true, true, &t->pause);
    if (f.has[G_RESUME])
        read_strlist(p, f.v[G_RESUME], f.line[G_RESUME], "resume", STR_IDENT, true, true,
                     &t->resume);
    if (f.has[G_GRACE]) {
        read_int(p, f.v[G_GRACE], f.line[G_GRACE], "pause_grace_days", 0, 90,
                 &t->pause_grace_days);
        if (!f.has[G_PAUSE])
            perr(p, f.line[G_GRACE], "action-mismatch",
                 "trigger `%s`: `pause_grace_days` only applies with `pause`", id);
    }
    if (f.has[G_SWITCH]) {
        t->switch_cadence_line = f.line[G_SWITCH];
        t->switch_cadence =
            read_string(p, f.v[G_SWITCH], f.line[G_SWITCH], "switch_cadence", STR_IDENT);
    }
    if (f.has[G_TASK] && is_map(p, f.v[G_TASK], f.line[G_TASK], "task")) {
        t->task_line = f.line[G_TASK];
        fields g;
        get_fields(p, f.v[G_TASK], f.line[G_TASK], "task", task_keys, &g);
        if (g.has[0])
            t->task_kind = read_string(p, g.v[0], g.line[0], "kind", STR_IDENT);
        else
            perr(p, f.line[G_TASK], "missing-key", "`task` needs a `kind`, e.g. {kind: call}");
    }
    if (f.has[G_WEBHOOK]) {
        t->webhook_line = f.line[G_WEBHOOK];
        /* the name of a webhook of regua.yaml `webhooks:` (lint checks it is one) */
        t->webhook = read_string(p, f.v[G_WEBHOOK], f.line[G_WEBHOOK], "webhook", STR_LOWER);
    }
    if (f.has[G_POSTPONE] && is_map(p, f.v[G_POSTPONE], f.line[G_POSTPONE], "postpone")) {
        t->postpone_line = f.line[G_POSTPONE];
        fields g;
        get_fields(p, f.v[G_POSTPONE], f.line[G_POSTPONE], "postpone", postpone_keys, &g);
        if (g.has[0])
            read_strlist(p, g.v[0], g.line[0], "steps", STR_IDENT, true, true, &t->postpone);
        else
            perr(p, f.line[G_POSTPONE], "missing-key", "`postpone` needs `steps`, e.g. {steps: [ligar], days: 5}");
        if (g.has[1])
            read_int(p, g.v[1], g.line[1], "days", 1, 365, &t->postpone_days);
        else
            perr(p, f.line[G_POSTPONE], "missing-key", "`postpone` needs `days`, e.g. {steps: [ligar], days: 5}");
    }
    if (!f.has[G_SEND] && !f.has[G_OFFER] && !f.has[G_PAUSE] && !f.has[G_RESUME] &&
        !f.has[G_SWITCH] && !f.has[G_TASK] && !f.has[G_WEBHOOK] && !f.has[G_POSTPONE])
        perr(p, line, "empty-trigger",
             "trigger `%s` does nothing: give it send, offer, pause, resume, postpone, switch_cadence, "
             "task or webhook",
             id);
}

/* steps / triggers: a list of mappings. Returns the number of items
 * allocated in *arr (elements of size `sz`), all zeroed. */
static size_t alloc_list(pctx *p, struct fy_node *n, int line, const char *key, size_t sz,
                         void **arr)
{
    *arr = NULL;
    if (node_kind(n) != SK_SEQ) {
        type_error(p, n, line, key, "a list of mappings (- {id: ..., ...})");
        return 0;
    }
    int cnt = fy_node_sequence_item_count(n);
    if (cnt <= 0)
        return 0;
    if (cnt > MAX_ITEMS) {
        perr(p, line, "bad-value", "`%s` has %d entries; a cadence may have at most %d", key, cnt,
             MAX_ITEMS);
        return 0;
    }
    *arr = calloc((size_t)cnt, sz);
    if (!*arr) {
        p->oom = true;
        return 0;
    }
    return (size_t)cnt;
}

/* ---- unsupported YAML features, normalization, hashing --------------- */

/* Anchors, aliases (and so merge keys) and explicit tags change what a
 * value means far from where it is written; a cadence spells everything
 * out. Reports each and returns false if any. */
static bool check_plain(pctx *p, struct fy_node *n, int line)
{
    if (!n)
        return true;
    bool ok = true;
    int l = node_line(n, line);
    if (fy_node_get_type(n) == FYNT_SCALAR && fy_node_get_style(n) == FYNS_ALIAS) {
        perr(p, l, "unsupported", "aliases (*name) are not supported in a cadence; write the value out");
        return false;
    }
    if (fy_node_get_anchor(n)) {
        perr(p, l, "unsupported", "anchors (&name) are not supported in a cadence; write each value out");
        ok = false;
    }
    size_t tl = 0;
    if (fy_node_get_tag(n, &tl) && tl > 0) {
        perr(p, l, "unsupported", "YAML tags (!!type) are not supported in a cadence");
        ok = false;
    }
    if (fy_node_get_type(n) == FYNT_MAPPING) {
        void *it = NULL;
        struct fy_node_pair *pr;
        while ((pr = fy_node_mapping_iterate(n, &it)) != NULL) {
            ok = check_plain(p, fy_node_pair_key(pr), l) && ok;
            ok = check_plain(p, fy_node_pair_value(pr), l) && ok;
        }
    } else if (fy_node_get_type(n) == FYNT_SEQUENCE) {
        void *it = NULL;
        struct fy_node *c;
        while ((c = fy_node_sequence_iterate(n, &it)) != NULL)
            ok = check_plain(p, c, l) && ok;
    }
    return ok;
}

typedef struct kv {
    const char *k;
    size_t kn;
    struct fy_node *v;
} kv;

static int kv_cmp(const void *a, const void *b)
{
    const kv *x = a, *y = b;
    size_t n = x->kn < y->kn ? x->kn : y->kn;
    int c = memcmp(x->k, y->k, n);
    if (c)
        return c;
    return x->kn < y->kn ? -1 : x->kn > y->kn;
}

/* A canonical text of the document: mappings with keys sorted, scalars by
 * resolved kind and length-prefixed text. Comments, spacing, quoting, key
 * order and YAML vs JSON do not change it. */
static void canon(rg_buf *b, struct fy_node *n)
{
    size_t len;
    const char *s;
    switch (node_kind(n)) {
    case SK_NULL:
        rg_buf_putc(b, '~');
        return;
    case SK_BOOL:
        s = scalar(n, &len);
        rg_buf_putc(b, (s[0] == 't' || s[0] == 'T') ? 't' : 'f');
        return;
    case SK_INT:
    case SK_FLOAT:
    case SK_STR:
        s = scalar(n, &len);
        rg_buf_printf(b, "%zu:", len);
        rg_buf_append(b, s, len);
        return;
    case SK_SEQ: {
        void *it = NULL;
        struct fy_node *c;
        rg_buf_putc(b, '[');
        while ((c = fy_node_sequence_iterate(n, &it)) != NULL)
            canon(b, c);
        rg_buf_putc(b, ']');
        return;
    }
    case SK_MAP: {
        int cnt = fy_node_mapping_item_count(n);
        kv *arr = cnt > 0 ? calloc((size_t)cnt, sizeof *arr) : NULL;
        if (cnt > 0 && !arr) {
            b->oom = true;
            return;
        }
        size_t m = 0;
        void *it = NULL;
        struct fy_node_pair *pr;
        while ((pr = fy_node_mapping_iterate(n, &it)) != NULL && m < (size_t)cnt) {
            arr[m].k = scalar(fy_node_pair_key(pr), &arr[m].kn);
            arr[m].v = fy_node_pair_value(pr);
            m++;
        }
        if (m > 1)
            qsort(arr, m, sizeof *arr, kv_cmp);
        rg_buf_putc(b, '{');
        for (size_t i = 0; i < m; i++) {
            rg_buf_printf(b, "%zu:", arr[i].kn);
            rg_buf_append(b, arr[i].k, arr[i].kn);
            canon(b, arr[i].v);
        }
        rg_buf_putc(b, '}');
        free(arr);
        return;
    }
    }
}

static bool version_of(struct fy_node *root, char out[17])
{
    rg_buf b = RG_BUF_INIT;
    canon(&b, root);
    bool ok = !b.oom;
    if (ok) {
        unsigned char h[16];
        if (sodium_init() < 0 ||
            crypto_generichash(h, sizeof h, (const unsigned char *)rg_buf_cstr(&b), b.len, NULL,
                               0) != 0)
            ok = false;
        else
            sodium_bin2hex(out, 17, h, 8);
    }
    rg_buf_free(&b);
    return ok;
}

/* ---- allow_contact_outside_hours -------------------------------------- */

/* The reason a cadence contacts outside 08:00-20:00 or on Sunday: one line
 * of text that says why (a `true` would record no reason). */
static void parse_allow_outside(pctx *p, struct fy_node *n, int line, rg_cadence *c)
{
    static const char key[] = "allow_contact_outside_hours";
    c->allow_outside_line = line;
    enum skind k = node_kind(n);
    if (k != SK_STR) {
        type_error(p, n, line, key, "a text saying why, in quotes (\"the customer asked for calls at 21h\")");
        return;
    }
    size_t len;
    const char *s = scalar(n, &len);
    size_t blank = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f) {
            perr(p, node_line(n, line), "bad-value", "`%s` must be one line of text", key);
            return;
        }
        if (ch == ' ')
            blank++;
    }
    if (blank == len) {
        perr(p, node_line(n, line), "bad-value",
             "`%s` must say why the cadence contacts customers outside 08:00-20:00 or on Sunday", key);
        return;
    }
    if (len > RG_CADENCE_REASON_MAX) {
        perr(p, node_line(n, line), "bad-value", "`%s` is %zu bytes; at most %d", key, len,
             RG_CADENCE_REASON_MAX);
        return;
    }
    c->allow_contact_outside_hours = xdup(p, s, len);
}

/* ---- the whole document --------------------------------------------- */

static void fill(pctx *p, struct fy_node *root, rg_cadence *c)
{
    fields f;
    get_fields(p, root, 1, "the cadence", top_keys, &f);

    if (f.has[T_CADENCE]) {
        c->name_line = f.line[T_CADENCE];
        c->name = read_string(p, f.v[T_CADENCE], f.line[T_CADENCE], "cadence", STR_IDENT);
    } else {
        perr(p, node_line(root, 1), "missing-key",
             "the file needs `cadence: NAME` (the cadence's name)");
    }
    if (f.has[T_MATCH])
        parse_match(p, f.v[T_MATCH], f.line[T_MATCH], &c->match);
    if (f.has[T_TIMEZONE]) {
        c->timezone_line = f.line[T_TIMEZONE];
        char *tz = read_string(p, f.v[T_TIMEZONE], f.line[T_TIMEZONE], "timezone", STR_ANY);
        if (tz && !tz_ok(tz)) {
            perr(p, node_line(f.v[T_TIMEZONE], f.line[T_TIMEZONE]), "bad-value",
                 "`timezone` must be an IANA zone name like America/Sao_Paulo; found \"%.60s\"",
                 tz);
            free(tz);
            tz = NULL;
        }
        /* a well-formed name that is not a zone (a typo: America/Sao_Paolo)
         * would put every window in another zone: an error, like the
         * company's `timezone` in regua.yaml */
        rg_tz *zone = NULL;
        rg_err te;
        if (tz && rg_tz_load(tz, &zone, &te) != RG_OK) {
            perr(p, node_line(f.v[T_TIMEZONE], f.line[T_TIMEZONE]), "bad-value",
                 "`timezone` \"%.60s\" is not an IANA time zone installed here (%s); e.g. America/Sao_Paulo, or"
                 " leave it out to use the company's `timezone`",
                 tz, te.msg);
            free(tz);
            tz = NULL;
        }
        rg_tz_free(zone);
        if (tz) {
            free(c->timezone);
            c->timezone = tz;
        }
    }
    if (f.has[T_WINDOW])
        parse_window(p, f.v[T_WINDOW], f.line[T_WINDOW], c);
    if (f.has[T_CAPS])
        parse_caps(p, f.v[T_CAPS], f.line[T_CAPS], &c->caps);
    if (f.has[T_FEES])
        parse_fees(p, f.v[T_FEES], f.line[T_FEES], &c->fees);
    if (f.has[T_CONSOLIDATE])
        read_bool(p, f.v[T_CONSOLIDATE], f.line[T_CONSOLIDATE], "consolidate", &c->consolidate);
    if (f.has[T_ALLOW_OUTSIDE])
        parse_allow_outside(p, f.v[T_ALLOW_OUTSIDE], f.line[T_ALLOW_OUTSIDE], c);
    if (f.has[T_PORTAL])
        parse_portal(p, f.v[T_PORTAL], f.line[T_PORTAL], &c->agreements);

    if (f.has[T_STEPS]) {
        void *arr;
        size_t cnt = alloc_list(p, f.v[T_STEPS], f.line[T_STEPS], "steps", sizeof(rg_cadence_step),
                                &arr);
        c->steps = arr;
        void *it = NULL;
        struct fy_node *s;
        int prev = f.line[T_STEPS];
        while (cnt && (s = fy_node_sequence_iterate(f.v[T_STEPS], &it)) != NULL &&
               c->n_steps < cnt) {
            int l = node_line(s, prev);
            prev = l;
            if (!is_item_map(p, s, l, "step"))
                continue;
            parse_step(p, s, l, &c->steps[c->n_steps++]);
        }
    }
    if (f.has[T_TRIGGERS]) {
        void *arr;
        size_t cnt = alloc_list(p, f.v[T_TRIGGERS], f.line[T_TRIGGERS], "triggers",
                                sizeof(rg_cadence_trigger), &arr);
        c->triggers = arr;
        void *it = NULL;
        struct fy_node *s;
        int prev = f.line[T_TRIGGERS];
        while (cnt && (s = fy_node_sequence_iterate(f.v[T_TRIGGERS], &it)) != NULL &&
               c->n_triggers < cnt) {
            int l = node_line(s, prev);
            prev = l;
            if (!is_item_map(p, s, l, "trigger"))
                continue;
            parse_trigger(p, s, l, &c->triggers[c->n_triggers++]);
        }
    }
}

/* libfyaml's collected errors as `syntax` diagnostics, quoting the
 * offending token when it is short. */
static void collect_syntax_errors(pctx *p, rg_yaml_reader *r, size_t *count)
{
    void *it = NULL;
    rg_yaml_syntax_error se;
    while (rg_yaml_reader_next_error(r, &it, &se)) {
        bool show = se.token && se.token_len <= 60 && !memchr(se.token, '\n', se.token_len);
        rg_diags_add(p->d, RG_SEV_ERROR, p->file, se.line, se.column, "syntax", "%s%s%.*s%s",
                     se.msg, show ? " (at `" : "", show ? (int)se.token_len : 0,
                     show ? se.token : "", show ? "`)" : "");
        (*count)++;
    }
}

rg_status rg_cadence_parse(const char *text, size_t len, const char *file, rg_cadence_format fmt,
                           rg_diags *diags, rg_cadence **out)
{
    rg_status st = RG_EINVAL;
    pctx p = {diags, file ? file : "", false, 0};
    rg_yaml_reader reader;
    memset(&reader, 0, sizeof reader);
    rg_cadence *c = NULL;
    size_t start = diags ? diags->n : 0;
    *out = NULL;

    if (len > RG_CADENCE_MAX_BYTES) {
        perr(&p, 0, "syntax", "the file has %zu bytes; a cadence may have at most %d", len,
             RG_CADENCE_MAX_BYTES);
        goto out;
    }
    rg_status rst = rg_yaml_reader_open(&reader, text, len, fmt == RG_CADENCE_JSON);
    if (rst == RG_EINVAL) {
        perr(&p, reader.refused_line, "syntax", "%s", reader.refused);
        goto out;
    }
    if (rst != RG_OK) {
        st = rst;
        goto out;
    }
    size_t nerr = 0;
    collect_syntax_errors(&p, &reader, &nerr);
    if (nerr)
        goto out;
    struct fy_document *doc = reader.doc, *doc2 = reader.extra;
    struct fy_node *root = doc ? fy_document_root(doc) : NULL;
    if (!root) {
        perr(&p, 0, "syntax", "the file is empty; expected a mapping that starts with `cadence:`");
        goto out;
    }
    if (doc2) {
        perr(&p, node_line(fy_document_root(doc2), 0), "syntax",
             "the file holds more than one YAML document (---); put one cadence per file");
        goto out;
    }
    if (!check_plain(&p, root, 1))
        goto out;
    if (node_kind(root) != SK_MAP) {
        char b[96];
        perr(&p, node_line(root, 1), "syntax",
             "expected a mapping that starts with `cadence:`; found %s", describe(root, b, sizeof b));
        goto out;
    }

    c = calloc(1, sizeof *c);
    if (!c) {
        st = RG_ENOMEM;
        goto out;
    }
    c->window = (rg_window)RG_WINDOW_DEFAULT;
    c->timezone = rg_strdup(""); /* none stated: the company's `timezone` (regua.yaml) */
    c->file = rg_strdup(p.file);
    if (!c->timezone || !c->file || !version_of(root, c->version)) {
        st = RG_ENOMEM;
        goto out;
    }
    fill(&p, root, c);
    if (p.oom || (diags && diags->oom)) {
        st = RG_ENOMEM;
        goto out;
    }
    *out = c;
    c = NULL;
    st = RG_OK;
out:
    if (st == RG_EINVAL && diags && rg_diags_count(diags, start, RG_SEV_ERROR) == 0)
        perr(&p, 0, "syntax", "could not read the file as %s", fmt == RG_CADENCE_JSON ? "JSON" : "YAML");
    if (st == RG_ENOMEM && diags)
        diags->oom = true;
    rg_cadence_free(c);
    rg_yaml_reader_close(&reader);
    return st;
}

static void send_free(rg_cadence_send *s)
{
    strlist_free(&s->channels);
    free(s->template_name);
}

void rg_cadence_free(rg_cadence *c)
{
    if (!c)
        return;
    free(c->name);
    free(c->file);
    free(c->timezone);
    free(c->allow_contact_outside_hours);
    strlist_free(&c->match.tags_any);
    strlist_free(&c->match.tags_all);
    for (size_t i = 0; i < c->n_steps; i++) {
        rg_cadence_step *s = &c->steps[i];
        free(s->id);
        send_free(&s->send);
        free(s->task_kind);
        free(s->requires_notice);
    }
    free(c->steps);
    for (size_t i = 0; i < c->n_triggers; i++) {
        rg_cadence_trigger *t = &c->triggers[i];
        free(t->id);
        free(t->unless);
        free(t->unless_line);
        send_free(&t->send);
        strlist_free(&t->pause);
        strlist_free(&t->resume);
        strlist_free(&t->postpone);
        free(t->switch_cadence);
        free(t->task_kind);
        free(t->webhook);
    }
    free(c->triggers);
    free(c);
}

int rg_cadence_step_index(const rg_cadence *c, const char *id)
{
    if (!c || !id)
        return -1;
    for (size_t i = 0; i < c->n_steps; i++)
        if (c->steps[i].id && strcmp(c->steps[i].id, id) == 0)
            return (int)i;
    return -1;
}

/* ---- match ------------------------------------------------------------ */

static bool has_tag(const rg_match_subject *s, const char *tag)
{
    rg_slice t = rg_slice_cstr(tag);
    for (size_t i = 0; i < s->n_tags; i++)
        if (s->tags[i] && rg_slice_eq_nocase(t, s->tags[i]))
            return true;
    return false;
}

size_t rg_match_tags(const char *customer_tags, const char *invoice_tags, char *buf, size_t bufn, const char **out,
                     size_t max)
{
    size_t n = 0;
    snprintf(buf, bufn, "%s|%s", customer_tags, invoice_tags);
    for (char *p = buf; p && *p && n < max;) {
        char *bar = strchr(p, '|');
        if (bar)
            *bar = '\0';
        if (*p)
            out[n++] = p;
        p = bar ? bar + 1 : NULL;
    }
    return n;
}

bool rg_cadence_matches(const rg_cadence *c, const rg_match_subject *s)
{
    if (!c || !s || !c->match.present)
        return false;
    const rg_cadence_match *m = &c->match;
    if (m->customer_kind != RG_KIND_ANY && m->customer_kind != s->kind)
        return false;
    if (m->tags_any.n) {
        bool any = false;
        for (size_t i = 0; i < m->tags_any.n && !any; i++)
            any = has_tag(s, m->tags_any.v[i]);
        if (!any)
            return false;
    }
    for (size_t i = 0; i < m->tags_all.n; i++)
        if (!has_tag(s, m->tags_all.v[i]))
            return false;
    if (m->has_min_amount && s->amount < m->min_amount)
        return false;
    if (m->has_max_amount && s->amount > m->max_amount)
        return false;
    if (s->late_count_12m < m->late_count_12m_min)
        return false;
    return true;
}

const rg_cadence *rg_cadence_choose(const rg_cadence *const *cadences, size_t n,
                                    const rg_match_subject *s)
{
    const rg_cadence *best = NULL;
    for (size_t i = 0; i < n; i++) {
        const rg_cadence *c = cadences[i];
        if (!c || !rg_cadence_matches(c, s))
            continue;
        if (!best || c->match.priority > best->match.priority ||
            (c->match.priority == best->match.priority &&
             strcmp(c->name ? c->name : "", best->name ? best->name : "") < 0))
            best = c;
    }
    return best;
}
