/* regua task list|claim|done: the operator task queue. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/tz.h"
#include "cli/cli.h"
#include "service/json_model.h"
#include "service/json_tasks.h"
#include "service/tasks.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_task = {
    "task",
    "regua task list [--all] [--json]\n"
    "       regua task claim TASK_ID --as NAME [--json]\n"
    "       regua task done TASK_ID --outcome OUTCOME [--note TEXT] [--as NAME]\n"
    "                       [--promise-date DATE [--promise-amount A]] [--json]",
    "The operator task queue: list, claim and close tasks (calls, reviews, messages)",
    "Tasks come from cadence steps with `action: task` (kind call, review, ...) and from the\n"
    "`task` channel (kind message, carrying the rendered text). `list` shows open and\n"
    "claimed tasks by due time (--all: done and cancelled too). `claim` takes a task for\n"
    "NAME. `done` closes it with an OUTCOME (lowercase, e.g. promised, no_answer, paid,\n"
    "refused, wrong_number), an optional note and, when the customer promised to pay, a\n"
    "--promise-date (today up to 90 days ahead) and --promise-amount (default: the\n"
    "invoice's open balance): that records a pending promise and a promise.made event.\n"
    "A done task cannot be claimed or closed again (exit 1). A task of an invoice under dispute\n"
    "is listed as `held` (\"held\": \"dispute\" in --json) and cannot be claimed, nor closed\n"
    "unless it was claimed before, until dispute.resolved (exit 1). NAME and the note are UTF-8\n"
    "text; anything else (a latin1 terminal) is refused (exit 1), never stored.",
    run,
};

typedef struct list_ctx {
    rg_cli *cli;
    json_t *array;
    size_t n;
    rg_err *e;
} list_ctx;

/* Prints s cut to `width` characters (UTF-8 aware, "…" when cut) and
 * padded with spaces to that width, then one space. */
static rg_status print_task(void *p, const rg_task_view *v)
{
    list_ctx *lc = p;
    lc->n++;
    if (lc->array) {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)v->task.id);
        return rg_json_append(lc->array, rg_task_view_json(v), "task", id, lc->e);
    }
    const rg_task *t = &v->task;
    FILE *f = lc->cli->out;
    char due[40];
    fprintf(f, "%5lld  %s  %-8s %-8s ", (long long)t->id, rg_cli_time(lc->cli, t->due_at, due, sizeof due),
            v->held[0] ? "held" : t->status, t->kind);
    rg_cli_cell(f, v->customer_external_id, 12, true);
    rg_cli_cell(f, v->customer_name, 24, true);
    rg_cli_cell(f, v->customer_phone[0] ? v->customer_phone : "-", 15, true);
    rg_cli_cell(f, v->invoice_external_id[0] ? v->invoice_external_id : "-", 12, true);
    rg_cli_cell(f, t->assignee[0] ? t->assignee : "-", 10, true);
    fprintf(f, "%s\n", t->source);
    if (v->held[0])
        fprintf(f, "       held: %s — not to be claimed until it is lifted%s\n", v->held,
                !strcmp(v->held, "dispute") ? " (dispute.resolved)" : "");
    if (t->outcome[0] || t->note[0])
        fprintf(f, "       outcome: %s%s%s\n", t->outcome[0] ? t->outcome : "-", t->note[0] ? " — " : "", t->note);
    if (v->text && v->text[0]) {
        /* the first line of a message task's text */
        char first[512];
        size_t n = strcspn(v->text, "\n");
        snprintf(first, sizeof first, "%.*s", (int)(n < sizeof first ? n : sizeof first - 1), v->text);
        fputs("       ", f);
        rg_cli_cell(f, first, 100, true);
        fputc('\n', f);
    }
    return RG_OK;
}

static bool parse_id(const char *s, int64_t *id)
{
    return s && rg_parse_i64(rg_slice_cstr(s), 1, INT64_MAX, id);
}

static int list(rg_cli *cli, bool all, bool json)
{
    rg_store *s = rg_cli_store(cli);
    if (!s)
        return 3;
    rg_err e;
    rg_err_clear(&e);
    list_ctx lc = {cli, json ? json_array() : NULL, 0, &e};
    if (rg_store_task_view_each(s, all, print_task, &lc, &e) != RG_OK) {
        json_decref(lc.array);
        return rg_cli_fail(cli, &e);
    }
    if (json)
        return rg_cli_print_json(cli, lc.array);
    if (lc.n == 0)
        fprintf(cli->out, "no %stasks\n", all ? "" : "open ");
    return 0;
}

static int claim(rg_cli *cli, int64_t id, const char *as, bool json)
{
    if (!as)
        return rg_cli_usage_error(cli, "task", "claim needs --as NAME (who takes the task)");
    rg_store *s = rg_cli_store(cli);
    if (!s)
        return 3;
    rg_err e;
    rg_err_clear(&e);
    rg_task_view v;
    if (rg_task_claim(s, id, as, rg_cli_now(cli), &v, &e) != RG_OK)
        return rg_cli_fail(cli, &e);
    if (json)
        return rg_cli_print_json(cli, rg_task_view_json(&v));
    fprintf(cli->out, "task %lld (%s, customer %s%s%s) claimed by %s\n", (long long)id, v.task.kind,
                v.customer_external_id, v.invoice_external_id[0] ? ", invoice " : "", v.invoice_external_id,
                v.task.assignee);
    return 0;
}

static int done(rg_cli *cli, int64_t id, rg_opt *opts, bool json)
{
    rg_task_done_params p;
    memset(&p, 0, sizeof p);
    p.outcome = rg_cli_opt(opts, "outcome")->value;
    p.note = rg_cli_opt(opts, "note")->value;
    p.assignee = rg_cli_opt(opts, "as")->value;
    p.promise_date = RG_DATE_NONE;
    p.promise_amount = -1;
    p.source = "cli";
    if (!p.outcome)
        return rg_cli_usage_error(cli, "task", "done needs --outcome OUTCOME (e.g. promised, no_answer, paid)");
    const char *v;
    if ((v = rg_cli_opt(opts, "promise-date")->value) && !rg_date_parse(v, strlen(v), &p.promise_date))
        return rg_cli_usage_error(cli, "task", "--promise-date takes a date (2026-12-10 or 10/12/2026)");
    if ((v = rg_cli_opt(opts, "promise-amount")->value)) {
        if (p.promise_date == RG_DATE_NONE)
            return rg_cli_usage_error(cli, "task", "--promise-amount goes with --promise-date");
        const char *why = NULL;
        if (!rg_money_parse(v, strlen(v), false, &p.promise_amount, &why)) {
            rg_err e;
            rg_err_set(&e, RG_EINVAL, "promise-amount", "'%s': %s", v, why ? why : "not an amount");
            return rg_cli_fail(cli, &e);
        }
    }
    const rg_event_env *env = rg_cli_events(cli);
    if (!env)
        return 3;
    rg_err e;
    rg_err_clear(&e);
    rg_task_done_result r;
    if (rg_task_done(env, id, &p, rg_cli_today(cli), rg_cli_now(cli), &r, &e) != RG_OK)
        return rg_cli_fail(cli, &e);
    if (json)
        return rg_cli_print_json(cli, rg_task_done_json(&r));
    fprintf(cli->out, "task %lld done: %s", (long long)id, r.task.task.outcome);
    if (r.promised) {
        char d[16], amount[40];
        fprintf(cli->out, "; promise of %s for %s recorded (promise %lld)",
                rg_money_format_brl(r.promise.amount, amount, sizeof amount),
                rg_date_format_br(r.promise.promised_date, d, sizeof d), (long long)r.promise.id);
    }
    fputc('\n', cli->out);
    return 0;
}

static int run(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"all", false, NULL, "list: every task, done and cancelled too", false, NULL},
        {"as", true, "NAME", "claim: who takes it; done: who did it", false, NULL},
        {"outcome", true, "OUTCOME", "done: what came of it (promised, no_answer, paid, refused, ...)", false, NULL},
        {"note", true, "TEXT", "done: a note", false, NULL},
        {"promise-date", true, "DATE", "done: the date the customer promised to pay", false, NULL},
        {"promise-amount", true, "A", "done: the amount promised (default: the open balance)", false, NULL},
        {"json", false, NULL, "print JSON", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[3];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &rg_cmd_task, argc - 1, argv + 1, opts, pos, 3, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    if (npos < 1)
        return rg_cli_usage_error(cli, "task", "say list, claim TASK_ID or done TASK_ID");
    bool json = rg_cli_opt(opts, "json")->set;
    const char *sub = pos[0];
    if (!strcmp(sub, "list")) {
        if (npos != 1)
            return rg_cli_usage_error(cli, "task", "list takes no arguments");
        return list(cli, rg_cli_opt(opts, "all")->set, json);
    }
    if (strcmp(sub, "claim") != 0 && strcmp(sub, "done") != 0)
        return rg_cli_usage_error(cli, "task", "unknown subcommand '%s' (list, claim, done)", sub);
    int64_t id;
    if (npos != 2 || !parse_id(pos[1], &id))
        return rg_cli_usage_error(cli, "task", "%s needs a TASK_ID (a positive number, see 'regua task list')", sub);
    if (!strcmp(sub, "claim"))
        return claim(cli, id, rg_cli_opt(opts, "as")->value, json);
    return done(cli, id, opts, json);
}
