/*
 * load — reading cadence files and directories, and the rules that span
 * files (duplicate names, switch_cadence targets). See load.h.
 */
#include "cadence/load.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"

static bool ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

rg_cadence_format rg_cadence_format_for_path(const char *path)
{
    return path && ends_with(path, ".json") ? RG_CADENCE_JSON : RG_CADENCE_YAML;
}

/* Reads at most RG_CADENCE_MAX_BYTES + 1 bytes of `path` into *out. */
static rg_status read_file(const char *path, rg_diags *d, rg_buf *out)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        rg_diags_add(d, RG_SEV_ERROR, path, 0, 0, "io", "cannot open the file: %s",
                     strerror(errno));
        return RG_EIO;
    }
    rg_status st = RG_OK;
    char chunk[8192];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        rg_buf_append(out, chunk, got);
        if (out->len > RG_CADENCE_MAX_BYTES)
            break;
    }
    if (ferror(f)) {
        rg_diags_add(d, RG_SEV_ERROR, path, 0, 0, "io", "cannot read the file: %s",
                     strerror(errno));
        st = RG_EIO;
    } else if (out->oom) {
        st = RG_ENOMEM;
    }
    fclose(f);
    return st;
}

/* One file through parse and lint; *parsed gets the struct whenever the
 * parser produced one (errors or not), *has_errors says which. */
/* Parses and lints the file at path, or, when given (given != NULL), the
 * text given[0..given_len) named path in the diagnostics. */
static rg_status examine(const char *path, const char *given, size_t given_len, rg_cadence_format given_fmt,
                         const rg_lint_env *env, rg_diags *d, rg_cadence **parsed, bool *has_errors)
{
    rg_buf text = RG_BUF_INIT;
    size_t start = d->n;
    *parsed = NULL;
    *has_errors = true;
    rg_status st = given ? RG_OK : read_file(path, d, &text);
    if (st == RG_OK) {
        st = given ? rg_cadence_parse(given, given_len, path, given_fmt, d, parsed)
                   : rg_cadence_parse(rg_buf_cstr(&text), text.len, path, rg_cadence_format_for_path(path), d,
                                      parsed);
        if (st == RG_OK)
            rg_cadence_lint(*parsed, env, d);
        rg_diags_sort(d, start);
        if (st == RG_EINVAL)
            st = RG_OK; /* reported; the caller looks at has_errors */
    }
    if (d->oom)
        st = RG_ENOMEM;
    *has_errors = rg_diags_count(d, start, RG_SEV_ERROR) > 0;
    rg_buf_free(&text);
    return st;
}

rg_status rg_cadence_load_file(const char *path, const rg_lint_env *env, rg_diags *d,
                               rg_cadence **out)
{
    rg_diags local = RG_DIAGS_INIT;
    rg_diags *dd = d ? d : &local;
    rg_cadence *c = NULL;
    bool errors = true;
    size_t start = dd->n;
    *out = NULL;
    rg_status st = examine(path, NULL, 0, RG_CADENCE_YAML, env, dd, &c, &errors);
    if (st == RG_OK && errors) {
        st = RG_EINVAL;
        for (size_t i = start; i < dd->n; i++)
            if (dd->items[i].rule && strcmp(dd->items[i].rule, "io") == 0)
                st = RG_EIO;
    }
    if (st == RG_OK) {
        *out = c;
        c = NULL;
    }
    rg_cadence_free(c);
    rg_diags_free(&local);
    return st;
}

/* ---- batches of files ---------------------------------------------- */

typedef struct entry {
    char *path;
    const char *text; /* non-NULL: this text (borrowed), named path */
    size_t len;
    rg_cadence_format fmt;
    rg_cadence *c; /* NULL when the parser could not produce one */
    bool errors;
} entry;

typedef struct batch {
    entry *e;
    size_t n, cap;
    bool oom;
} batch;

static void batch_add_path(batch *b, const char *path)
{
    if (b->oom)
        return;
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 8;
        entry *p = realloc(b->e, cap * sizeof *p);
        if (!p) {
            b->oom = true;
            return;
        }
        b->e = p;
        b->cap = cap;
    }
    char *s = rg_strdup(path);
    if (!s) {
        b->oom = true;
        return;
    }
    b->e[b->n++] = (entry){.path = s, .c = NULL, .errors = true};
}

static void batch_free(batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->e[i].path);
        rg_cadence_free(b->e[i].c);
    }
    free(b->e);
    memset(b, 0, sizeof *b);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool cadence_file_name(const char *name)
{
    return name[0] != '.' &&
           (ends_with(name, ".yaml") || ends_with(name, ".yml") || ends_with(name, ".json"));
}

/* Adds the cadence files of `dir`, in name order. */
static rg_status add_dir(batch *b, const char *dir, rg_diags *d)
{
    DIR *dh = opendir(dir);
    if (!dh) {
        rg_diags_add(d, RG_SEV_ERROR, dir, 0, 0, "io", "cannot open the directory: %s",
                     strerror(errno));
        return RG_EIO;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    rg_status st = RG_OK;
    struct dirent *de;
    while ((de = readdir(dh)) != NULL) {
        if (!cadence_file_name(de->d_name))
            continue;
        rg_buf path = RG_BUF_INIT;
        rg_buf_printf(&path, "%s%s%s", dir, ends_with(dir, "/") ? "" : "/", de->d_name);
        struct stat sb;
        if (path.oom || stat(rg_buf_cstr(&path), &sb) != 0 || !S_ISREG(sb.st_mode)) {
            bool oom = path.oom;
            rg_buf_free(&path);
            if (oom) {
                st = RG_ENOMEM;
                break;
            }
            continue;
        }
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            char **p = realloc(names, nc * sizeof *p);
            if (!p) {
                rg_buf_free(&path);
                st = RG_ENOMEM;
                break;
            }
            names = p;
            cap = nc;
        }
        names[n++] = rg_buf_detach(&path);
        if (!names[n - 1]) {
            n--;
            st = RG_ENOMEM;
            break;
        }
    }
    closedir(dh);
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        if (st == RG_OK)
            batch_add_path(b, names[i]);
        free(names[i]);
    }
    free(names);
    if (b->oom)
        st = RG_ENOMEM;
    return st;
}

/* Parses and lints every file of the batch, then applies the rules that
 * span files. `switch_sev` is the severity of a dangling switch_cadence. */
static rg_status run_batch(batch *b, const rg_lint_env *env, rg_diags *d, rg_severity switch_sev)
{
    size_t start = d->n;
    for (size_t i = 0; i < b->n; i++) {
        rg_status st =
            examine(b->e[i].path, b->e[i].text, b->e[i].len, b->e[i].fmt, env, d, &b->e[i].c, &b->e[i].errors);
        if (st == RG_ENOMEM)
            return st;
    }
    /* a template two cadences use is listed once (each cadence still says
     * it cannot use it, at its own line) */
    rg_diags_dedupe(d, start);
    /* Two files, one name: which one is meant is unknown, so neither runs. */
    for (size_t i = 0; i < b->n; i++) {
        entry *x = &b->e[i];
        if (!x->c || !x->c->name)
            continue;
        for (size_t j = 0; j < b->n; j++) {
            entry *y = &b->e[j];
            if (i == j || !y->c || !y->c->name || strcmp(x->c->name, y->c->name) != 0)
                continue;
            rg_diags_add(d, RG_SEV_ERROR, x->path, x->c->name_line, 0, "duplicate-cadence",
                         "cadence `%s` is also defined in %s:%d; a name must be unique, so "
                         "neither file is loaded",
                         x->c->name, y->path, y->c->name_line);
            x->errors = true;
            break;
        }
    }
    /* switch_cadence targets, until no more cadences drop out. */
    bool changed = true;
    while (changed) {
        changed = false;
        for (size_t i = 0; i < b->n; i++) {
            entry *x = &b->e[i];
            if (!x->c || x->errors)
                continue;
            for (size_t t = 0; t < x->c->n_triggers; t++) {
                const rg_cadence_trigger *tr = &x->c->triggers[t];
                if (!tr->switch_cadence)
                    continue;
                bool found = false, exists = false;
                for (size_t j = 0; j < b->n && !found; j++) {
                    const entry *y = &b->e[j];
                    if (y->c && y->c->name && strcmp(y->c->name, tr->switch_cadence) == 0) {
                        exists = true;
                        found = !y->errors;
                    }
                }
                if (found)
                    continue;
                rg_diags_add(d, switch_sev, x->path, tr->switch_cadence_line, 0,
                             "unknown-cadence",
                             "trigger `%s` switches to cadence `%s`, which %s", tr->id ? tr->id : "?",
                             tr->switch_cadence,
                             exists ? "has errors and is not loaded"
                                    : switch_sev == RG_SEV_ERROR ? "is not defined"
                                                                 : "is not among the files linted");
                if (switch_sev == RG_SEV_ERROR) {
                    x->errors = true;
                    changed = true;
                }
            }
        }
    }
    return d->oom ? RG_ENOMEM : RG_OK;
}

rg_status rg_cadence_set_load_dir(const char *dir, const rg_lint_env *env, rg_diags *d,
                                  rg_cadence_set **out)
{
    rg_diags local = RG_DIAGS_INIT;
    rg_diags *dd = d ? d : &local;
    batch b = {0};
    rg_cadence_set *set = NULL;
    *out = NULL;
    rg_status st = add_dir(&b, dir, dd);
    if (st == RG_OK)
        st = run_batch(&b, env, dd, RG_SEV_ERROR);
    if (st != RG_OK)
        goto out;
    set = calloc(1, sizeof *set);
    if (!set || (b.n && !(set->items = calloc(b.n, sizeof *set->items)))) {
        st = RG_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < b.n; i++) {
        if (b.e[i].c && !b.e[i].errors) {
            set->items[set->n++] = b.e[i].c;
            b.e[i].c = NULL;
        }
    }
    *out = set;
    set = NULL;
out:
    if (st == RG_ENOMEM)
        dd->oom = true;
    rg_cadence_set_free(set);
    batch_free(&b);
    rg_diags_free(&local);
    return st;
}

/* Lints the batch as one set, lint's way (a switch_cadence outside it is a
 * warning: only part of a set may have been named); st: how gathering it
 * went. Frees the batch. RG_EINVAL when any error was reported from start. */
static rg_status lint_batch(batch *b, const rg_lint_env *env, rg_diags *d, size_t start, rg_status st)
{
    if (st == RG_OK)
        st = run_batch(b, env, d, RG_SEV_WARNING);
    if (st == RG_OK && rg_diags_count(d, start, RG_SEV_ERROR) > 0)
        st = RG_EINVAL;
    if (st == RG_ENOMEM)
        d->oom = true;
    batch_free(b);
    return st;
}

rg_status rg_cadence_lint_paths(const char *const *paths, size_t n, const rg_lint_env *env, rg_diags *d,
                                size_t *files)
{
    rg_diags local = RG_DIAGS_INIT;
    if (!d)
        d = &local;
    batch b = {0};
    size_t start = d->n;
    rg_status st = RG_OK;
    for (size_t i = 0; i < n && st != RG_ENOMEM; i++) {
        struct stat sb;
        if (stat(paths[i], &sb) == 0 && S_ISDIR(sb.st_mode))
            st = add_dir(&b, paths[i], d) == RG_ENOMEM ? RG_ENOMEM : RG_OK;
        else
            batch_add_path(&b, paths[i]);
        if (b.oom)
            st = RG_ENOMEM;
    }
    if (files)
        *files = b.n;
    st = lint_batch(&b, env, d, start, st);
    rg_diags_free(&local);
    return st;
}

rg_status rg_cadence_lint_text(const char *text, size_t len, const char *name, rg_cadence_format fmt,
                               const rg_lint_env *env, rg_diags *d)
{
    batch b = {0};
    size_t start = d->n;
    batch_add_path(&b, name);
    if (!b.oom) {
        b.e[0].text = text ? text : "";
        b.e[0].len = len;
        b.e[0].fmt = fmt;
    }
    return lint_batch(&b, env, d, start, b.oom ? RG_ENOMEM : RG_OK);
}

const rg_cadence *rg_cadence_set_find(const rg_cadence_set *s, const char *name)
{
    if (!s || !name)
        return NULL;
    for (size_t i = 0; i < s->n; i++)
        if (s->items[i]->name && strcmp(s->items[i]->name, name) == 0)
            return s->items[i];
    return NULL;
}

const rg_cadence *rg_cadence_set_choose(const rg_cadence_set *s, const rg_match_subject *m)
{
    if (!s)
        return NULL;
    return rg_cadence_choose((const rg_cadence *const *)s->items, s->n, m);
}

void rg_cadence_set_free(rg_cadence_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        rg_cadence_free(s->items[i]);
    free(s->items);
    free(s);
}
