#include "config/yaml.h"

#include <libfyaml.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "config/yaml_quoted.h"

/* The decoded value of a quoted scalar, hung on its node as meta data and
 * freed with the document. */
typedef struct quoted_value {
    size_t len;
    char text[];
} quoted_value;

static void free_quoted_value(struct fy_node *n, void *meta, void *user)
{
    (void)n;
    (void)user;
    free(meta);
}

/* Decodes a quoted scalar from the source bytes between its marks (see
 * yaml_quoted.h for why libfyaml is not asked). */
static bool attach_quoted_value(struct fy_node *n, const char *text, size_t len)
{
    struct fy_token *t = fy_node_get_scalar_token(n);
    if (!t)
        return true;
    enum fy_scalar_style style = fy_token_scalar_style(t);
    if (style != FYSS_SINGLE_QUOTED && style != FYSS_DOUBLE_QUOTED)
        return true;
    const struct fy_mark *start = fy_token_start_mark(t);
    const struct fy_mark *end = fy_token_end_mark(t);
    if (!start || !end || start->input_pos > end->input_pos || end->input_pos > len)
        return true;
    rg_buf value = RG_BUF_INIT;
    rg_yaml_unquote(style == FYSS_SINGLE_QUOTED ? RG_YAML_SINGLE_QUOTED : RG_YAML_DOUBLE_QUOTED,
                    text + start->input_pos, end->input_pos - start->input_pos, &value);
    quoted_value *q = value.oom ? NULL : malloc(sizeof *q + value.len + 1);
    if (!q) {
        rg_buf_free(&value);
        return false;
    }
    q->len = value.len;
    memcpy(q->text, rg_buf_cstr(&value), value.len + 1);
    rg_buf_free(&value);
    if (fy_node_set_meta(n, q) != 0) {
        free(q);
        return false;
    }
    return true;
}

bool rg_yaml_decode_quoted(struct fy_document *doc, const char *text, size_t len)
{
    if (fy_document_register_meta(doc, free_quoted_value, NULL) != 0)
        return false;
    size_t top = 0, cap = 64;
    struct fy_node **stack = malloc(cap * sizeof *stack);
    if (!stack)
        return false;
    bool ok = true;
    struct fy_node *root = fy_document_root(doc);
    if (root)
        stack[top++] = root;
    while (ok && top > 0) {
        struct fy_node *n = stack[--top];
        void *it = NULL;
        switch (fy_node_get_type(n)) {
        case FYNT_SCALAR:
            ok = attach_quoted_value(n, text, len);
            break;
        case FYNT_SEQUENCE:
        case FYNT_MAPPING:
            for (;;) {
                struct fy_node *children[2] = {NULL, NULL};
                if (fy_node_get_type(n) == FYNT_SEQUENCE) {
                    children[0] = fy_node_sequence_iterate(n, &it);
                    if (!children[0])
                        break;
                } else {
                    struct fy_node_pair *p = fy_node_mapping_iterate(n, &it);
                    if (!p)
                        break;
                    children[0] = fy_node_pair_key(p);
                    children[1] = fy_node_pair_value(p);
                }
                if (top + 2 > cap) {
                    struct fy_node **grown = realloc(stack, 2 * cap * sizeof *stack);
                    if (!grown) {
                        ok = false;
                        break;
                    }
                    stack = grown;
                    cap *= 2;
                }
                for (int k = 0; k < 2; k++)
                    if (children[k])
                        stack[top++] = children[k];
            }
            break;
        }
    }
    free(stack);
    return ok;
}

/* True when text holds only blank lines and comments (libfyaml refuses an
 * empty stream; for regua it is an empty document). */
static bool blank_document(const char *text, size_t len)
{
    bool line_start = true, in_comment = false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '\n') {
            line_start = true;
            in_comment = false;
        } else if (in_comment || c == ' ' || c == '\t' || c == '\r') {
            continue;
        } else if (c == '#' && line_start) {
            in_comment = true;
        } else {
            return false;
        }
    }
    return true;
}

/* Line (1-based) of the first byte that is not valid UTF-8 (NUL, overlong
 * forms and surrogates included), or 0 when the text is clean. */
static int bad_utf8_line(const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    int line = 1;
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c == '\n') {
            line++;
            i++;
            continue;
        }
        if (c == 0)
            return line;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t k;
        uint32_t cp;
        if (c >= 0xc2 && c <= 0xdf)
            k = 1, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
            k = 2, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
            k = 3, cp = c & 0x07;
        else
            return line;
        if (i + k >= n)
            return line;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return line;
            cp = (cp << 6) | (s[i + j] & 0x3f);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return line;
        i += k + 1;
    }
    return 0;
}

/* ---- keys: duplicates and the cap, checked by regua ---- */

typedef struct key_slot {
    const char *p; /* NULL: empty slot */
    size_t n;
    bool alias;
    struct fy_node *node;
} key_slot;

static uint64_t fnv1a(const char *p, size_t n, bool alias)
{
    uint64_t h = alias ? 0x9e3779b97f4a7c15ull : 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static void key_error(rg_yaml_reader *r, struct fy_node *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void key_error(rg_yaml_reader *r, struct fy_node *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->key_error, sizeof r->key_error, fmt, ap);
    va_end(ap);
    r->key_error_line = rg_yaml_line(at);
    if (r->key_error_line <= 0)
        r->key_error_line = 1;
}

/* Checks one mapping's keys with a hash of their decoded text (slots[]
 * has cap entries, a power of two at least twice the pairs). False with
 * r->key_error set at the first key that is not a single value or repeats
 * an earlier one. */
static bool mapping_keys_ok(rg_yaml_reader *r, struct fy_node *map, key_slot *slots, size_t cap)
{
    memset(slots, 0, cap * sizeof *slots);
    void *it = NULL;
    struct fy_node_pair *pr;
    while ((pr = fy_node_mapping_iterate(map, &it)) != NULL) {
        struct fy_node *k = fy_node_pair_key(pr);
        size_t n;
        const char *text = k ? rg_yaml_scalar(k, &n) : NULL;
        if (!text) {
            key_error(r, k ? k : map, "a key must be a single value, not a list or mapping");
            return false;
        }
        bool alias = fy_node_get_style(k) == FYNS_ALIAS;
        for (size_t i = fnv1a(text, n, alias) & (cap - 1);; i = (i + 1) & (cap - 1)) {
            if (!slots[i].p) {
                slots[i] = (key_slot){text, n, alias, k};
                break;
            }
            if (slots[i].n == n && slots[i].alias == alias && !memcmp(slots[i].p, text, n)) {
                key_error(r, k, "duplicate key '%.*s' (first at line %d)", n > 60 ? 60 : (int)n, text,
                          rg_yaml_line(slots[i].node));
                return false;
            }
        }
    }
    return true;
}

/* Walks the document (without recursion): every mapping's keys are
 * checked, and all of them counted against RG_YAML_MAX_KEYS. False when
 * out of memory; a finding goes to r->key_error. */
static bool check_keys(rg_yaml_reader *r, struct fy_document *doc)
{
    struct fy_node *root = fy_document_root(doc);
    if (!root)
        return true;
    size_t top = 0, cap = 64, slots_cap = 0, keys = 0;
    struct fy_node **stack = malloc(cap * sizeof *stack);
    key_slot *slots = NULL;
    bool ok = stack != NULL;
    if (ok)
        stack[top++] = root;
    while (ok && top > 0 && !r->key_error_line) {
        struct fy_node *n = stack[--top];
        enum fy_node_type type = fy_node_get_type(n);
        if (type == FYNT_SCALAR)
            continue;
        size_t pairs = 0;
        void *it = NULL;
        for (;;) {
            struct fy_node *children[2] = {NULL, NULL};
            if (type == FYNT_SEQUENCE) {
                if (!(children[0] = fy_node_sequence_iterate(n, &it)))
                    break;
            } else {
                struct fy_node_pair *p = fy_node_mapping_iterate(n, &it);
                if (!p)
                    break;
                if (++keys > RG_YAML_MAX_KEYS) {
                    key_error(r, fy_node_pair_key(p),
                              "more than %d keys in one file (the limit for a YAML file); split it or"
                              " remove keys",
                              RG_YAML_MAX_KEYS);
                    break;
                }
                pairs++;
                children[0] = fy_node_pair_key(p);
                children[1] = fy_node_pair_value(p);
            }
            if (top + 2 > cap) {
                struct fy_node **grown = realloc(stack, 2 * cap * sizeof *stack);
                if (!grown) {
                    ok = false;
                    break;
                }
                stack = grown;
                cap *= 2;
            }
            for (int k = 0; k < 2; k++)
                if (children[k] && fy_node_get_type(children[k]) != FYNT_SCALAR)
                    stack[top++] = children[k];
        }
        if (!ok || r->key_error_line || type != FYNT_MAPPING || pairs == 0)
            continue;
        size_t need = 4;
        while (need < 2 * pairs)
            need *= 2;
        if (need > slots_cap) {
            key_slot *grown = realloc(slots, need * sizeof *slots);
            if (!grown) {
                ok = false;
                break;
            }
            slots = grown;
            slots_cap = need;
        }
        mapping_keys_ok(r, n, slots, need);
    }
    free(slots);
    free(stack);
    return ok;
}

/* The 1-based line holding byte `at` of text. */
static int line_at(const char *text, size_t at)
{
    int line = 1;
    for (size_t i = 0; i < at; i++)
        line += text[i] == '\n';
    return line;
}

rg_status rg_yaml_reader_open(rg_yaml_reader *r, const char *text, size_t len, bool json)
{
    memset(r, 0, sizeof *r);
    if (len > RG_YAML_MAX_BYTES) {
        r->refused_line = line_at(text, RG_YAML_MAX_BYTES);
        snprintf(r->refused, sizeof r->refused,
                 "the file has %zu bytes; a YAML file may have at most %d (1 MiB): the limit is passed on this line",
                 len, RG_YAML_MAX_BYTES);
        return RG_EINVAL;
    }
    /* libfyaml 0.7.12 can loop forever on a malformed byte (found by
     * fuzz_config) */
    r->bad_utf8_line = bad_utf8_line(text, len);
    if (r->bad_utf8_line) {
        r->refused_line = r->bad_utf8_line;
        snprintf(r->refused, sizeof r->refused, "the file is not valid UTF-8 text (check the encoding)");
        return RG_EINVAL;
    }
    struct fy_diag_cfg dcfg;
    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL;
    dcfg.colorize = false;
    r->diag = fy_diag_create(&dcfg);
    if (!r->diag)
        return RG_ENOMEM;
    /* errors are collected, never printed: printing one with its source
     * line crashes 0.7.12 on some inputs (found by fuzz_config) */
    fy_diag_set_collect_errors(r->diag, true);
    struct fy_parse_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    /* duplicate keys are found by check_keys(): libfyaml's own check is
     * quadratic in the keys of a mapping */
    cfg.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG | FYPCF_ALLOW_DUPLICATE_KEYS |
                (json ? FYPCF_JSON_FORCE : FYPCF_JSON_NONE);
    cfg.diag = r->diag;
    /* it may also read a byte past the end of the input when it formats
     * an error token at the very end (found by fuzz_cadence): it reads a
     * copy followed by NUL padding, which lives as long as the document */
    r->copy = malloc(len + 8);
    if (!r->copy) {
        rg_yaml_reader_close(r);
        return RG_ENOMEM;
    }
    if (len)
        memcpy(r->copy, text, len);
    memset(r->copy + len, 0, 8);
    r->len = len;
    r->parser = fy_parser_create(&cfg);
    if (!r->parser || fy_parser_set_string(r->parser, r->copy, len) != 0) {
        rg_yaml_reader_close(r);
        return RG_ENOMEM;
    }
    r->doc = fy_parse_load_document(r->parser);
    if (r->doc)
        r->extra = fy_parse_load_document(r->parser);
    void *it = NULL;
    rg_yaml_syntax_error se;
    if (r->doc && !rg_yaml_reader_next_error(r, &it, &se) &&
        (!rg_yaml_decode_quoted(r->doc, r->copy, len) || !check_keys(r, r->doc))) {
        rg_yaml_reader_close(r);
        return RG_ENOMEM;
    }
    return RG_OK;
}

bool rg_yaml_reader_next_error(rg_yaml_reader *r, void **iter, rg_yaml_syntax_error *out)
{
    struct fy_diag_error *e;
    /* regua's own finding on the keys comes after libfyaml's errors; *iter
     * pointing at the reader marks it as given */
    if (*iter == (void *)r)
        return false;
    while (r->diag && (e = fy_diag_errors_iterate(r->diag, iter)) != NULL) {
        if (e->type < FYET_ERROR)
            continue;
        memset(out, 0, sizeof *out);
        out->line = e->line > 0 ? e->line : 0;
        out->column = e->column > 0 ? e->column : 0;
        out->msg = e->msg && e->msg[0] ? e->msg : "malformed YAML";
        /* the token is quoted from the input through its marks:
         * fy_token_get_text() leaks for some error tokens in 0.7.12 */
        const struct fy_mark *sm = e->fyt ? fy_token_start_mark(e->fyt) : NULL;
        const struct fy_mark *em = e->fyt ? fy_token_end_mark(e->fyt) : NULL;
        if (sm && em && sm->input_pos < em->input_pos && em->input_pos <= r->len) {
            out->token = r->copy + sm->input_pos;
            out->token_len = em->input_pos - sm->input_pos;
        }
        return true;
    }
    if (r->key_error_line) {
        memset(out, 0, sizeof *out);
        out->line = r->key_error_line;
        out->msg = r->key_error;
        *iter = (void *)r;
        return true;
    }
    return false;
}

void rg_yaml_reader_close(rg_yaml_reader *r)
{
    if (r->extra)
        fy_parse_document_destroy(r->parser, r->extra);
    if (r->doc)
        fy_parse_document_destroy(r->parser, r->doc);
    if (r->parser)
        fy_parser_destroy(r->parser);
    if (r->diag)
        fy_diag_destroy(r->diag);
    free(r->copy);
    memset(r, 0, sizeof *r);
}

rg_status rg_yaml_load(rg_yaml *y, const char *file, const char *text, size_t len, rg_err *e)
{
    memset(y, 0, sizeof *y);
    y->file = file;
    if (blank_document(text, len))
        return RG_OK;
    char where[200];
    rg_status st = rg_yaml_reader_open(&y->reader, text, len, false);
    if (st == RG_EINVAL) {
        snprintf(where, sizeof where, "%s:%d", file, y->reader.refused_line);
        rg_err_set(e, RG_EINVAL, where, "%s", y->reader.refused);
        rg_yaml_free(y);
        return RG_EINVAL;
    }
    if (st != RG_OK)
        return rg_err_set(e, st, file, "out of memory");
    void *it = NULL;
    rg_yaml_syntax_error se;
    if (rg_yaml_reader_next_error(&y->reader, &it, &se)) {
        if (se.line)
            snprintf(where, sizeof where, "%s:%d", file, se.line);
        else
            snprintf(where, sizeof where, "%s", file);
        /* regua's own findings on keys are not syntax errors */
        rg_err_set(e, RG_EINVAL, where, "%s%s", se.msg == y->reader.key_error ? "" : "YAML syntax error: ", se.msg);
        rg_yaml_free(y);
        return RG_EINVAL;
    }
    if (y->reader.extra) {
        snprintf(where, sizeof where, "%s:%d", file, rg_yaml_line(fy_document_root(y->reader.extra)));
        rg_yaml_free(y);
        return rg_err_set(e, RG_EINVAL, where, "the file holds more than one YAML document (---)");
    }
    y->doc = y->reader.doc;
    return RG_OK;
}

void rg_yaml_free(rg_yaml *y)
{
    if (y) {
        rg_yaml_reader_close(&y->reader);
        y->doc = NULL;
    }
}

struct fy_node *rg_yaml_root(const rg_yaml *y)
{
    return y->doc ? fy_document_root(y->doc) : NULL;
}

/* libfyaml 0.7 exposes marks only on tokens: a scalar has its own; a
 * collection is placed at its first element (a mapping at its first key). */
int rg_yaml_line(struct fy_node *n)
{
    void *it = NULL;
    if (!n)
        return 0;
    switch (fy_node_get_type(n)) {
    case FYNT_SCALAR: {
        struct fy_token *t = fy_node_get_scalar_token(n);
        const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
        return m ? m->line + 1 : 0;
    }
    case FYNT_MAPPING: {
        struct fy_node_pair *p = fy_node_mapping_iterate(n, &it);
        return p ? rg_yaml_line(fy_node_pair_key(p)) : 0;
    }
    case FYNT_SEQUENCE:
        return rg_yaml_line(fy_node_sequence_iterate(n, &it));
    }
    return 0;
}

bool rg_yaml_is_map(struct fy_node *n)
{
    return n && fy_node_get_type(n) == FYNT_MAPPING;
}

bool rg_yaml_is_seq(struct fy_node *n)
{
    return n && fy_node_get_type(n) == FYNT_SEQUENCE;
}

bool rg_yaml_is_scalar(struct fy_node *n)
{
    return n && fy_node_get_type(n) == FYNT_SCALAR;
}

const char *rg_yaml_scalar(struct fy_node *n, size_t *len)
{
    if (!rg_yaml_is_scalar(n)) {
        *len = 0;
        return NULL;
    }
    const quoted_value *q = fy_node_get_meta(n);
    if (q) {
        *len = q->len;
        return q->text;
    }
    const char *s = fy_node_get_scalar(n, len);
    if (!s) {
        *len = 0;
        return "";
    }
    return s;
}

rg_status rg_yaml_error(const rg_yaml *y, struct fy_node *n, rg_err *e, const char *fmt, ...)
{
    char where[200];
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(where, sizeof where, "%s:%d", y->file, rg_yaml_line(n));
    return rg_err_set(e, RG_EINVAL, where, "%s", msg);
}

rg_status rg_yaml_copy(const rg_yaml *y, struct fy_node *n, const char *key, char *dst, size_t size,
                       rg_err *e)
{
    size_t len;
    const char *s = rg_yaml_scalar(n, &len);
    dst[0] = '\0';
    if (!s)
        return rg_yaml_error(y, n, e, "'%s' must be a single value, not a list or mapping", key);
    if (len >= size)
        return rg_yaml_error(y, n, e, "'%s' is longer than %zu characters", key, size - 1);
    memcpy(dst, s, len);
    dst[len] = '\0';
    return RG_OK;
}

bool rg_yaml_map_next(struct fy_node *map, void **iter, struct fy_node **key, struct fy_node **value)
{
    struct fy_node_pair *p = fy_node_mapping_iterate(map, iter);
    if (!p)
        return false;
    *key = fy_node_pair_key(p);
    *value = fy_node_pair_value(p);
    return true;
}

struct fy_node *rg_yaml_seq_next(struct fy_node *seq, void **iter)
{
    return fy_node_sequence_iterate(seq, iter);
}
