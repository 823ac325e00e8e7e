/*
 * lint — the rules a cadence must follow beyond its shape: the law (CDC
 * art. 42, 42-A, 43 §2, 52 §1; Lei 14.905/2024), common sense (duplicate
 * or overlapping steps, references to steps that do not exist) and the
 * outside world (channels and template files), which the caller supplies
 * through rg_lint_env so that this module stays pure.
 *
 * rg_cadence_lint() only appends diagnostics; rg_cadence_load() is parse +
 * lint and hands out a cadence only when no error was found (warnings and
 * infos do not stop it). Every rule id, its severity and the reason behind
 * it are listed in docs/cadences.md.
 */
#ifndef RG_LINT_H
#define RG_LINT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "cadence/cadence.h"
#include "cadence/diag.h"

/* Who sends a template, for the template checks that depend on it (a
 * variable filled only by some senders). */
typedef struct rg_lint_template_use {
    bool offer;   /* every sender is a trigger with `offer:` (offer.* filled) */
    bool promise; /* every sender is a trigger on promise.made or promise.broken */
} rg_lint_template_use;

/* What lint needs to know about the installation. Every callback may be
 * NULL; ctx is passed back untouched. */
typedef struct rg_lint_env {
    void *ctx;
    /* Is `channel` a channel this installation can send through? NULL: the
     * built-ins (rg_channel_builtin). */
    bool (*channel_known)(void *ctx, const char *channel);
    /* Is there a template file NAME.CHANNEL? NULL: not checked. */
    bool (*template_exists)(void *ctx, const char *name, const char *channel);
    /* Appends to `d` every problem of template NAME.CHANNEL as `use` sends
     * it, each with its own FILE:LINE:COLUMN and rule (docs/internals/
     * templates.md: all its load errors, a variable that may be empty
     * outside its guard, the creditor, rendering...). Asked once per
     * template and channel of a cadence, only for templates that exist.
     * NULL: not checked. */
    void (*template_check)(void *ctx, const char *name, const char *channel, const rg_lint_template_use *use,
                           rg_diags *d);
    /* Is `name` a webhook of regua.yaml `webhooks:` (a trigger's `webhook:`
     * action)? NULL: not checked. */
    bool (*webhook_known)(void *ctx, const char *name);
} rg_lint_env;

/* email, whatsapp, sms, voice, letter. */
bool rg_channel_builtin(const char *channel);

/* Appends to `d` every rule `c` breaks (see the rule list in
 * docs/cadences.md), in file order. env may be NULL. */
void rg_cadence_lint(const rg_cadence *c, const rg_lint_env *env, rg_diags *d);

/*
 * Parse + lint of one text. The diagnostics of this text are appended to
 * `d`, sorted by line. *out receives the cadence (owned; rg_cadence_free)
 * when there is no error, and NULL otherwise. Returns RG_OK, RG_EINVAL (the
 * cadence has errors) or RG_ENOMEM.
 */
rg_status rg_cadence_load(const char *text, size_t len, const char *file, rg_cadence_format fmt,
                          const rg_lint_env *env, rg_diags *d, rg_cadence **out);

#endif
