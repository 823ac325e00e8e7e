/* regua invoice list|show|create|update|cancel */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/width.h"
#include "cli/cli.h"
#include "cli/engine_cli.h"
#include "engine/progress.h"
#include "service/events.h"
#include "service/import.h"
#include "service/holds.h"
#include "service/json_model.h"
#include "service/json_tasks.h"
#include "service/json_views.h"
#include "service/views.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_invoice = {
    "invoice",
    "regua invoice list [--customer ID] [--status S] [--due-from DATE] [--due-to DATE] [--limit N] [--json]\n"
    "       regua invoice show EXTERNAL_ID [--json]\n"
    "       regua invoice create EXTERNAL_ID --customer ID --amount A --due-date DATE [--COLUMN VALUE ...] [--json]\n"
    "       regua invoice update EXTERNAL_ID [--COLUMN VALUE ...] [--clear COLUMNS] [--json]\n"
    "       regua invoice cancel EXTERNAL_ID [--json]",
    "List invoices, show one with its payments, promises, holds, offers, bureau listing and events, or write one",
    "Status is one of open, paid, cancelled, renegotiated, written_off.\n"
    "create, update and cancel write one invoice as a one-row `regua import invoices` would\n"
    "(the same checks, events and re-planning; POST /v1/invoices, PATCH /v1/invoices/{id} and\n"
    "POST /v1/invoices/{id}/cancel do the same): each flag is a column of the invoices CSV\n"
    "(docs/import.md) with '-' for '_' (--due-date, --fine-pct), --customer for\n"
    "customer_external_id. create refuses an existing id; update changes only the columns\n"
    "given (--clear a,b empties optional ones); cancel sets status cancelled. A closed invoice\n"
    "(any status but open) cannot be cancelled, nor its status, amount, due date or customer\n"
    "changed (exit 1 naming its status). Every bad column is printed (exit 1, nothing written);\n"
    "then the invoice is printed as show prints it (--json: the document of show --json).\n"
    "show prints the\n"
    "invoice's credit when it was paid beyond its amount, and its own fine with the rate\n"
    "charged (a consumer's fine is at most 2%, CDC art. 52 §1). Times are printed where the\n"
    "company is (`timezone`), with the offset; --json prints them in UTC. show also lists the\n"
    "trigger timers waiting for the invoice or its customer (`timer:`; \"timers\" in --json): the\n"
    "trigger, when it fires, the event that started it and the events that would cancel it (unless).",
    run,
};

typedef struct list_ctx {
    rg_cli *cli;
    json_t *array;
    rg_err *e;
} list_ctx;

static rg_status print_row(void *p, const rg_invoice *inv)
{
    list_ctx *lc = p;
    if (lc->array)
        return rg_json_append(lc->array, rg_invoice_json(inv), "invoice", inv->external_id, lc->e);
    char due[16], amount[40], balance[40];
    FILE *f = lc->cli->out;
    rg_cli_cell(f, inv->external_id, 16, false);
    rg_cli_cell(f, inv->customer_external_id, 16, false);
    fprintf(f, "%10s %15s %15s  ", rg_date_format_iso(inv->due_date, due, sizeof due),
            rg_money_format_brl(inv->amount, amount, sizeof amount),
            rg_money_format_brl(rg_invoice_balance(inv), balance, sizeof balance));
    rg_cli_cell(f, rg_invoice_status_name(inv->status), 12, false);
    rg_buf d = RG_BUF_INIT;
    rg_buf_cell(&d, inv->description, 40, true); /* the last column: cut, never padded wider */
    size_t n = d.len;
    while (n && d.p[n - 1] == ' ')
        n--;
    if (!d.oom)
        fwrite(d.p, 1, n, f);
    fputc('\n', f);
    rg_buf_free(&d);
    return RG_OK;
}

static void print_promise(rg_cli *cli, const rg_promise *pr)
{
    char d[16], amount[40];
    fprintf(cli->out, "  promise   %s  %s  %s (%s", rg_date_format_iso(pr->promised_date, d, sizeof d),
            rg_money_format_brl(pr->amount, amount, sizeof amount), pr->status, pr->source);
    if (pr->grace_days)
        fprintf(cli->out, "; %lld days of grace", (long long)pr->grace_days);
    fprintf(cli->out, ")\n");
}

static void print_hold(rg_cli *cli, const rg_hold *h)
{
    char t1[40], t2[40];
    fprintf(cli->out, "  hold      %s  %s  since %s", h->step[0] ? h->step : "every step", h->reason,
            rg_cli_time(cli, h->created_at, t1, sizeof t1));
    if (h->released_at != RG_INSTANT_NONE)
        fprintf(cli->out, ", released %s (%s)", rg_cli_time(cli, h->released_at, t2, sizeof t2), h->released_by);
    fprintf(cli->out, "\n");
}

static void print_offer(rg_cli *cli, const rg_offer *o)
{
    char t[40], what[128], waived[40];
    fprintf(cli->out, "  offer     %s, valid until %s, %s (%s)", rg_offer_describe(o, what, sizeof what),
            rg_cli_time(cli, o->valid_until, t, sizeof t), o->status, o->source);
    if (o->waived)
        fprintf(cli->out, ": %s waived", rg_money_format_brl(o->waived, waived, sizeof waived));
    fprintf(cli->out, "\n");
}

/* "listed (requested 2026-..., listed 2026-...)" */
static void print_bureau(rg_cli *cli, const rg_bureau_listing *l)
{
    FILE *f = cli->out;
    static const char *const names[] = {"notice", "requested", "listed", "removal requested", "removed"};
    const rg_instant at[] = {l->notice_at, l->requested_at, l->listed_at, l->removal_requested_at, l->removed_at};
    fprintf(f, "  bureau:      %s (", l->status);
    bool first = true;
    for (size_t i = 0; i < 5; i++) {
        if (at[i] == RG_INSTANT_NONE)
            continue;
        char t[40];
        fprintf(f, "%s%s %s", first ? "" : ", ", names[i], rg_cli_time(cli, at[i], t, sizeof t));
        first = false;
    }
    fprintf(f, ")");
    if (l->last_error[0])
        fprintf(f, "; last attempt failed: %s", l->last_error);
    fputc('\n', f);
}

static void print_payment(rg_cli *cli, const rg_payment *pay)
{
    char at[40], amount[40];
    fprintf(cli->out, "  payment   %s  %s  %s %s (%s)\n", rg_cli_time(cli, pay->paid_at, at, sizeof at),
            rg_money_format_brl(pay->amount, amount, sizeof amount), rg_payment_source_name(pay->source),
            pay->method, pay->reference);
}

static void print_event(rg_cli *cli, const rg_event *ev)
{
    char local[40];
    fprintf(cli->out, "  event     %s  %-20s %s\n", rg_cli_time(cli, ev->at, local, sizeof local), ev->type,
            ev->source);
}

static void print_timer(rg_cli *cli, const rg_view_timer *vt)
{
    const rg_timer *t = &vt->timer;
    char when[40], unless[512] = "";
    for (size_t k = 0; k < vt->n_unless; k++)
        snprintf(unless + strlen(unless), sizeof unless - strlen(unless), "%s%s", k ? ", " : "",
                 rg_event_type_name(vt->unless[k]));
    fprintf(cli->out, "  timer:       %s (%s) fires %s, on %s (event %lld%s)%s%s\n", t->trigger_id, t->cadence,
            rg_cli_time(cli, t->fire_at, when, sizeof when), t->event_type, (long long)t->event_id,
            t->invoice_id ? "" : ", about the customer", unless[0] ? " unless " : "", unless);
}

static void print_explain(rg_cli *cli, const rg_invoice_explain *ex)
{
    FILE *f = cli->out;
    char eff[16], next[40];
    if (!strcmp(ex->state, "no-cadence"))
        fprintf(f, "  cadence:     none — no loaded cadence matches this invoice\n");
    else
        fprintf(f, "  cadence:     %s (version %s)%s\n", ex->cadence, ex->version,
                !strcmp(ex->state, "prescribed") ? " — stopped: the debt is over five years past due"
                                                   " (prescribed, CC art. 206 §5 I); it is not collected"
                : !strcmp(ex->state, "closed") ? " — stopped: the invoice is not open"
                                               : "");
    fprintf(f, "  effective due: %s\n", rg_date_format_br(ex->effective_due, eff, sizeof eff));
    rg_progress prog;
    rg_progress_parse(ex->progress, &prog);
    for (size_t i = 0; i < prog.n; i++)
        fprintf(f, "  step        %-14s %-10s %s%s%s\n", prog.items[i].step_id, rg_step_state_reason(prog.items[i].state),
                prog.items[i].at != RG_INSTANT_NONE ? rg_cli_time(cli, prog.items[i].at, next, sizeof next) : "",
                prog.items[i].state != RG_STEP_DONE ? " — " : "",
                prog.items[i].state != RG_STEP_DONE ? rg_step_state_text(prog.items[i].state) : "");
    if (ex->held[0])
        fprintf(f, "  held:        %s (due, waiting on a hold below)\n", ex->held);
    if (ex->next_step[0])
        fprintf(f, "  next step:   %s at %s\n", ex->next_step, rg_cli_time(cli, ex->next_due_at, next, sizeof next));
}

/* `invoice show` as text: what the view holds, in the order it always had. */
static void print_view(rg_cli *cli, const rg_invoice_view *v)
{
    const rg_invoice *inv = &v->invoice;
    char due[16], amount[40], paid[40], balance[40];
    FILE *f = cli->out;
    fprintf(f, "Invoice %s (customer %s)\n", inv->external_id, inv->customer_external_id);
    if (inv->description[0])
        fprintf(f, "  description: %s\n", inv->description);
    fprintf(f, "  due:         %s\n  amount:      %s\n  paid:        %s\n  balance:     %s\n  status:      %s\n",
            rg_date_format_br(inv->due_date, due, sizeof due), rg_money_format_brl(inv->amount, amount, sizeof amount),
            rg_money_format_brl(inv->paid, paid, sizeof paid),
            rg_money_format_brl(rg_invoice_balance(inv), balance, sizeof balance), rg_invoice_status_name(inv->status));
    if (rg_invoice_credit(inv) > 0) {
        char credit[40];
        fprintf(f, "  credit:      %s — paid beyond the amount; refund it or apply it\n",
                rg_money_format_brl(rg_invoice_credit(inv), credit, sizeof credit));
    }
    if (inv->fine_pct >= 0) {
        char pct[32], applied[32];
        fprintf(f, "  fine:        %s%% (this invoice's own)", rg_pct_format(inv->fine_pct, pct, sizeof pct));
        if (v->fine_capped)
            fprintf(f, " — charged as %s%%: a consumer's fine is at most 2%% (CDC art. 52 §1)",
                    rg_pct_format(v->fine_pct_applied, applied, sizeof applied));
        fputc('\n', f);
    }
    if (inv->linha_digitavel[0])
        fprintf(f, "  boleto:      %s %s\n", inv->boleto_bank, inv->linha_digitavel);
    if (inv->pix_code[0])
        fprintf(f, "  pix:         %s\n", inv->pix_code);
    if (inv->payment_url[0])
        fprintf(f, "  pay at:      %s\n", inv->payment_url);
    if (v->has_explain)
        print_explain(cli, &v->explain);
    if (inv->status == RG_INV_OPEN) {
        char t[40];
        if (v->agenda_at == RG_INSTANT_NONE)
            fprintf(f, "  agenda:      nothing planned (looked at again when something changes it)\n");
        else if (v->agenda_at <= rg_cli_now(cli))
            fprintf(f, "  agenda:      due: the next tick plans it\n");
        else
            fprintf(f, "  agenda:      planned again at %s\n", rg_cli_time(cli, v->agenda_at, t, sizeof t));
    }
    if (v->has_bureau)
        print_bureau(cli, &v->bureau);
    for (size_t i = 0; i < v->n_timers; i++)
        print_timer(cli, &v->timers[i]);
    for (size_t i = 0; i < v->n_payments; i++)
        print_payment(cli, &v->payments[i]);
    for (size_t i = 0; i < v->n_promises; i++)
        print_promise(cli, &v->promises[i]);
    for (size_t i = 0; i < v->n_holds; i++)
        print_hold(cli, &v->holds[i]);
    for (size_t i = 0; i < v->n_offers; i++)
        print_offer(cli, &v->offers[i]);
    for (size_t i = 0; i < v->n_events; i++)
        print_event(cli, &v->events[i]);
}

/* Shows invoice id: its document with --json, else as `invoice show`. */
static int show_invoice(rg_cli *cli, const char *id, bool json)
{
    rg_store *s = rg_cli_store(cli);
    if (!s)
        return 3;
    rg_err e;
    rg_err_clear(&e);
    /* the engine explains the cadence it follows; without one (a cadence
     * that does not load) the rest is still shown */
    rg_engine *eng = NULL;
    if (rg_cli_engine_open(cli, true, RG_CLI_ENGINE_QUIET, &eng) != 0)
        eng = NULL;
    rg_invoice_view v;
    rg_status rc = rg_invoice_view_get(s, eng, id, rg_cli_now(cli), &v, &e);
    rg_engine_close(eng);
    if (rc != RG_OK)
        return rg_cli_fail(cli, &e);
    int code = 0;
    if (json) {
        void *o = NULL;
        code = rg_invoice_view_json(&v, &o, &e) == RG_OK ? rg_cli_print_json(cli, o) : rg_cli_fail(cli, &e);
    } else {
        print_view(cli, &v);
    }
    rg_invoice_view_free(&v);
    return code;
}

/* The flags of create and update: the invoices CSV's columns but
 * external_id (the argument), each as --column with '-' for '_';
 * --customer for customer_external_id. */
static const char *const write_flags[] = {
    "customer", "description", "amount", "issue-date", "due-date", "status", "boleto-bank", "linha-digitavel",
    "pix-code", "payment-url", "tags", "nosso-numero", "fine-pct", "interest-month-pct", NULL,
};
/* The flags that only list takes. */
static const char *const list_flags[] = {"due-from", "due-to", "limit", NULL};

/* A flag's column ('-' -> '_'; "customer" is customer_external_id), and back (to = '-'). */
static void flag_column(const char *name, char to, char *buf, size_t n)
{
    if (!strcmp(name, to == '_' ? "customer" : "customer_external_id")) {
        rg_strlcpy(buf, to == '_' ? "customer_external_id" : "customer", n);
        return;
    }
    size_t i = 0;
    for (; name[i] && i + 1 < n; i++)
        buf[i] = name[i] == '-' || name[i] == '_' ? to : name[i];
    buf[i] = '\0';
}

#define WRITE_FIELDS (sizeof write_flags / sizeof *write_flags + 8)

/* regua invoice create|update|cancel ID: rg_invoice_write_one, then the invoice as show prints it. */
static int write_invoice(rg_cli *cli, rg_opt *opts, rg_invoice_write mode, const char *sub, const char *id, bool json)
{
    for (size_t i = 0; list_flags[i]; i++)
        if (rg_cli_opt(opts, list_flags[i])->set)
            return rg_cli_usage_error(cli, "invoice", "--%s is a filter of list, not of %s", list_flags[i], sub);
    char columns[WRITE_FIELDS][32];
    rg_import_field f[WRITE_FIELDS];
    size_t n = 0;
    for (size_t i = 0; write_flags[i]; i++) {
        rg_opt *o = rg_cli_opt(opts, write_flags[i]);
        if (!o->set)
            continue;
        if (mode == RG_INVOICE_CANCEL)
            return rg_cli_usage_error(cli, "invoice", "cancel takes no --%s (it sets status cancelled)", o->name);
        flag_column(o->name, '_', columns[n], sizeof columns[n]);
        f[n] = (rg_import_field){columns[n], o->value};
        n++;
    }
    const char *clear = rg_cli_opt(opts, "clear")->value;
    if (clear && mode != RG_INVOICE_UPDATE)
        return rg_cli_usage_error(cli, "invoice", "--clear is for update");
    for (const char *c = clear; c && *c;) { /* --clear a,b: each a column given as NULL */
        size_t len = strcspn(c, ",");
        char flag[32];
        if (len == 0 || len >= sizeof flag || n >= WRITE_FIELDS)
            return rg_cli_usage_error(cli, "invoice", "--clear takes columns separated by commas (e.g. tags,description)");
        memcpy(flag, c, len);
        flag[len] = '\0';
        flag_column(flag, '_', columns[n], sizeof columns[n]);
        for (size_t k = 0; k < n; k++)
            if (!strcmp(f[k].column, columns[n]))
                return rg_cli_usage_error(cli, "invoice", "--clear %s and a value for it together: say one", flag);
        f[n] = (rg_import_field){columns[n], NULL};
        n++;
        c += len + (c[len] == ',');
    }
    if (strlen(id) > RG_EXTID_MAX)
        return rg_cli_usage_error(cli, "invoice", "the external id is longer than %d characters", RG_EXTID_MAX);
    const rg_event_env *env = rg_cli_events(cli);
    if (!env)
        return 3;
    rg_import_options io;
    rg_import_options_init(&io, rg_cli_zones(cli), rg_cli_now(cli));
    rg_import_report rep;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_invoice_write_one(env, mode, id, f, n, &io, &rep, &e);
    for (size_t i = 0; rc == RG_EINVAL && i < rep.n_items; i++) { /* every bad column, by its flag */
        const rg_import_problem *p = &rep.items[i];
        char flag[40] = "";
        if (p->column)
            flag_column(p->column, '-', flag, sizeof flag);
        fprintf(cli->err, "regua: invoice %s: %s%s%s%.*s\n", sub, p->column ? "--" : "", flag, p->column ? ": " : "",
                (int)p->msg_len, rep.text.p + p->msg_off);
    }
    rg_import_report_free(&rep);
    if (rc != RG_OK) {
        if (rc == RG_ECONFLICT && mode == RG_INVOICE_CANCEL) {
            snprintf(e.where, sizeof e.where, "invoice cancel");
        } else if (rc == RG_ECONFLICT && strcmp(e.where, "external_id") != 0 && e.where[0]) { /* a column: by its flag */
            char flag[40];
            flag_column(e.where, '-', flag, sizeof flag);
            snprintf(e.where, sizeof e.where, "--%s", flag);
        }
        return rg_cli_fail(cli, &e);
    }
    return show_invoice(cli, id, json);
}

static int run(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"customer", true, "ID", "list: only this customer's invoices; create, update: customer_external_id", false, NULL},
        {"status", true, "S", "list: only invoices with this status; create, update: the status column", false, NULL},
        {"due-from", true, "DATE", "due on or after DATE", false, NULL},
        {"due-to", true, "DATE", "due on or before DATE", false, NULL},
        {"limit", true, "N", "print at most N invoices", false, NULL},
        {"json", false, NULL, "print JSON (an array for list)", false, NULL},
        {"description", true, "TEXT", "create, update: the description column", false, NULL},
        {"amount", true, "A", "create, update: the amount (1234.56 or 1.234,56)", false, NULL},
        {"issue-date", true, "DATE", "create, update: issue_date", false, NULL},
        {"due-date", true, "DATE", "create, update: due_date", false, NULL},
        {"boleto-bank", true, "NNN", "create, update: boleto_bank", false, NULL},
        {"linha-digitavel", true, "DIGITS", "create, update: linha_digitavel", false, NULL},
        {"pix-code", true, "TEXT", "create, update: pix_code (PIX copia-e-cola)", false, NULL},
        {"payment-url", true, "URL", "create, update: payment_url", false, NULL},
        {"tags", true, "A|B", "create, update: tags", false, NULL},
        {"nosso-numero", true, "N", "create, update: nosso_numero", false, NULL},
        {"fine-pct", true, "PCT", "create, update: fine_pct", false, NULL},
        {"interest-month-pct", true, "PCT", "create, update: interest_month_pct", false, NULL},
        {"clear", true, "COLUMNS", "update: empty these optional columns (e.g. tags,description)", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[2];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &rg_cmd_invoice, argc - 1, argv + 1, opts, pos, 2, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    if (npos < 1)
        return rg_cli_usage_error(cli, "invoice", "say 'list', or show, create, update or cancel EXTERNAL_ID");
    bool json = rg_cli_opt(opts, "json")->set;
    rg_err e;
    rg_err_clear(&e);
    static const struct {
        const char *name;
        rg_invoice_write mode;
    } writes[] = {{"create", RG_INVOICE_CREATE}, {"update", RG_INVOICE_UPDATE}, {"cancel", RG_INVOICE_CANCEL}};
    for (size_t i = 0; i < sizeof writes / sizeof *writes; i++)
        if (!strcmp(pos[0], writes[i].name)) {
            if (npos != 2)
                return rg_cli_usage_error(cli, "invoice", "%s needs the invoice's EXTERNAL_ID", writes[i].name);
            return write_invoice(cli, opts, writes[i].mode, writes[i].name, pos[1], json);
        }
    bool writing = rg_cli_opt(opts, "clear")->set;
    for (size_t i = 0; write_flags[i]; i++)
        if (strcmp(write_flags[i], "customer") != 0 && strcmp(write_flags[i], "status") != 0)
            writing |= rg_cli_opt(opts, write_flags[i])->set;
    if (writing)
        return rg_cli_usage_error(cli, "invoice", "the columns' flags are for create and update");
    if (!strcmp(pos[0], "list")) {
        if (npos != 1)
            return rg_cli_usage_error(cli, "invoice", "list takes no arguments");
        rg_invoice_filter f;
        rg_invoice_filter_init(&f);
        f.customer_external_id = rg_cli_opt(opts, "customer")->value;
        const char *v;
        if ((v = rg_cli_opt(opts, "status")->value)) {
            rg_invoice_status st;
            if (!rg_invoice_status_parse(v, &st))
                return rg_cli_usage_error(cli, "invoice",
                                          "--status is one of open, paid, cancelled, renegotiated, written_off");
            f.status = (int)st;
        }
        if ((v = rg_cli_opt(opts, "due-from")->value) && !rg_date_parse(v, strlen(v), &f.due_from))
            return rg_cli_usage_error(cli, "invoice", "--due-from takes a date (2026-12-10 or 10/12/2026)");
        if ((v = rg_cli_opt(opts, "due-to")->value) && !rg_date_parse(v, strlen(v), &f.due_to))
            return rg_cli_usage_error(cli, "invoice", "--due-to takes a date (2026-12-10 or 10/12/2026)");
        if ((v = rg_cli_opt(opts, "limit")->value) && !rg_parse_i64(rg_slice_cstr(v), 1, INT64_MAX, &f.limit))
            return rg_cli_usage_error(cli, "invoice", "--limit takes a positive whole number");
        rg_store *s = rg_cli_store(cli);
        if (!s)
            return 3;
        list_ctx lc = {cli, json ? json_array() : NULL, &e};
        if (rg_store_invoice_each(s, &f, print_row, &lc, &e) != RG_OK) {
            json_decref(lc.array);
            return rg_cli_fail(cli, &e);
        }
        return json ? rg_cli_print_json(cli, lc.array) : 0;
    }
    if (!strcmp(pos[0], "show")) {
        if (npos != 2)
            return rg_cli_usage_error(cli, "invoice", "show needs the invoice's EXTERNAL_ID");
        return show_invoice(cli, pos[1], json);
    }
    return rg_cli_usage_error(cli, "invoice", "unknown subcommand '%s' (list, show, create, update, cancel)", pos[0]);
}
