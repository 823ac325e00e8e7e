/*
 * libFuzzer harness for the cadence parser and lint: the input is parsed
 * as YAML and as strict JSON, every parsed cadence is linted with fake
 * template callbacks, matched against a subject, and the diagnostics are
 * formatted. Any crash, leak or sanitizer report is a bug.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "cadence/cadence.h"
#include "cadence/diag.h"
#include "cadence/lint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool fk_channel(void *ctx, const char *ch)
{
    (void)ctx;
    return rg_channel_builtin(ch) || strcmp(ch, "telegram") == 0;
}

static bool fk_exists(void *ctx, const char *name, const char *ch)
{
    (void)ctx;
    return strlen(name) % 3 != 0 || ch[0] == 'e';
}

/* A template whose name starts with 's' has a problem, reported the way
 * the real check reports one (its own file:line:column and rule). */
static void fk_check(void *ctx, const char *name, const char *ch, const rg_lint_template_use *use, rg_diags *d)
{
    (void)ctx;
    if (name[0] == 's')
        rg_diags_add(d, RG_SEV_ERROR, name, 1, 1, "template-may-be-empty", "%s.%s: offer=%d promise=%d", name,
                     ch, use ? use->offer : -1, use ? use->promise : -1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const rg_lint_env env = {NULL, fk_channel, fk_exists, fk_check, NULL};
    static const char *const tags[] = {"plano-mensal", "vip"};
    const rg_match_subject subj = {RG_KIND_PF, tags, 2, 10000, 1};
    for (int fmt = 0; fmt < 2; fmt++) {
        rg_diags d = RG_DIAGS_INIT;
        rg_cadence *c = NULL;
        rg_cadence_parse((const char *)data, size, "fuzz", (rg_cadence_format)fmt, &d, &c);
        if (c) {
            rg_cadence_lint(c, &env, &d);
            rg_cadence_lint(c, NULL, &d);
            const rg_cadence *arr[] = {c};
            (void)rg_cadence_choose(arr, 1, &subj);
        }
        rg_diags_sort(&d, 0);
        rg_buf b = RG_BUF_INIT;
        rg_diags_format(&d, &b);
        rg_buf_free(&b);
        rg_cadence_free(c);
        rg_diags_free(&d);
        /* rg_cadence_load must agree: a cadence only without errors. */
        rg_cadence *l = NULL;
        rg_cadence_load((const char *)data, size, "fuzz", (rg_cadence_format)fmt, &env, &d, &l);
        if (l && rg_diags_count(&d, 0, RG_SEV_ERROR) != 0)
            __builtin_trap();
        rg_cadence_free(l);
        rg_diags_free(&d);
    }
    return 0;
}
