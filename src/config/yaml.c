#include "config/yaml.h"

#include <libfyaml.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

typedef struct capture {
    char msg[400];
    bool have;
} capture;

static void capture_output(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
    (void)diag;
    capture *c = user;
    if (c->have)
        return;
    size_t n = len < sizeof c->msg - 1 ? len : sizeof c->msg - 1;
    memcpy(c->msg, buf, n);
    c->msg[n] = '\0';
    /* keep only the first line of the diagnostic */
    char *nl = strchr(c->msg, '\n');
    if (nl)
        *nl = '\0';
    c->have = true;
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

rg_status rg_yaml_load(rg_yaml *y, const char *file, const char *text, size_t len, rg_err *e)
{
    capture cap;
    memset(&cap, 0, sizeof cap);
    y->doc = NULL;
    y->file = file;
    if (blank_document(text, len))
        return RG_OK;
    struct fy_diag_cfg dcfg;
    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL;
    dcfg.output_fn = capture_output;
    dcfg.user = &cap;
    dcfg.level = FYET_ERROR;
    dcfg.colorize = false;
    dcfg.show_source = false;
    dcfg.show_position = true;
    dcfg.show_type = false;
    dcfg.show_module = false;
    struct fy_diag *diag = fy_diag_create(&dcfg);
    if (!diag)
        return rg_err_set(e, RG_ENOMEM, file, "out of memory");
    struct fy_parse_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.flags = FYPCF_QUIET | FYPCF_DEFAULT_PARSE;
    cfg.diag = diag;
    y->doc = fy_document_build_from_string(&cfg, text, len);
    fy_diag_destroy(diag);
    if (!y->doc && !cap.have)
        return RG_OK; /* an empty document: no root */
    if (!y->doc) {
        /* libfyaml prints "<input>:line:col: error: message"; make it file:line */
        int line = 0, col = 0;
        const char *m = cap.msg;
        const char *p = m;
        const char *gt = strstr(m, ">:");
        if (gt)
            p = gt + 2;
        while (*p == ' ')
            p++;
        char *endp;
        long l = strtol(p, &endp, 10);
        if (endp != p && *endp == ':') {
            line = (int)l;
            long c = strtol(endp + 1, &endp, 10);
            col = (int)c;
            if (*endp == ':')
                endp++;
            while (*endp == ' ')
                endp++;
            if (!strncmp(endp, "error: ", 7))
                endp += 7;
            m = endp;
        }
        char where[200];
        if (line)
            snprintf(where, sizeof where, "%s:%d", file, line);
        else
            snprintf(where, sizeof where, "%s", file);
        (void)col;
        return rg_err_set(e, RG_EINVAL, where, "YAML syntax error: %s", m);
    }
    return RG_OK;
}

void rg_yaml_free(rg_yaml *y)
{
    if (y && y->doc) {
        fy_document_destroy(y->doc);
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
