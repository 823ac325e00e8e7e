/* regua invoice list|show */
#include <jansson.h>
#include <string.h>

#include "base/utf8.h"
#include "base/width.h"
#include "br/fees.h"
#include "cli/cli.h"
#include "cli/engine_cli.h"
#include "engine/progress.h"
#include "service/events.h"
#include "service/holds.h"
#include "service/json_model.h"
#include "service/json_tasks.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_invoice = {
    "invoice",
    "regua invoice list [--customer ID] [--status S] [--due-from DATE] [--due-to DATE] [--limit N] [--json]\n"
    "       regua invoice show EXTERNAL_ID [--json]",
    "List invoices or show one with its payments, promises, holds, offers, bureau listing and events",
    "Status is one of open, paid, cancelled, renegotiated, written_off. show prints the\n"
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

typedef struct show_ctx {
    rg_cli *cli;
    json_t *payments;
    json_t *events;
    json_t *promises;
    json_t *holds;
    json_t *offers;
    const char *invoice; /* its external id, to name a record JSON cannot hold */
    rg_err *e;
} show_ctx;

static rg_status show_promise(void *p, const rg_promise *pr)
{
    show_ctx *sc = p;
    if (sc->promises)
        return rg_json_append(sc->promises, rg_promise_json(pr), "promise on invoice", sc->invoice, sc->e);
    char d[16], amount[40];
    fprintf(sc->cli->out, "  promise   %s  %s  %s (%s", rg_date_format_iso(pr->promised_date, d, sizeof d),
            rg_money_format_brl(pr->amount, amount, sizeof amount), pr->status, pr->source);
    if (pr->grace_days)
        fprintf(sc->cli->out, "; %lld days of grace", (long long)pr->grace_days);
    fprintf(sc->cli->out, ")\n");
    return RG_OK;
}

static rg_status show_hold(void *p, const rg_hold *h)
{
    show_ctx *sc = p;
    if (sc->holds)
        return rg_json_append(sc->holds, rg_hold_json(h), "hold on invoice", sc->invoice, sc->e);
    char t1[40], t2[40];
    fprintf(sc->cli->out, "  hold      %s  %s  since %s", h->step[0] ? h->step : "every step", h->reason,
            rg_cli_time(sc->cli, h->created_at, t1, sizeof t1));
    if (h->released_at != RG_INSTANT_NONE)
        fprintf(sc->cli->out, ", released %s (%s)", rg_cli_time(sc->cli, h->released_at, t2, sizeof t2),
                h->released_by);
    fprintf(sc->cli->out, "\n");
    return RG_OK;
}

static rg_status show_offer(void *p, const rg_offer *o)
{
    show_ctx *sc = p;
    if (sc->offers)
        return rg_json_append(sc->offers, rg_offer_json(o), "offer on invoice", sc->invoice, sc->e);
    char t[40], what[128], waived[40];
    fprintf(sc->cli->out, "  offer     %s, valid until %s, %s (%s)", rg_offer_describe(o, what, sizeof what),
            rg_cli_time(sc->cli, o->valid_until, t, sizeof t), o->status, o->source);
    if (o->waived)
        fprintf(sc->cli->out, ": %s waived", rg_money_format_brl(o->waived, waived, sizeof waived));
    fprintf(sc->cli->out, "\n");
    return RG_OK;
}

/* The waiting trigger timers that concern the invoice: its own and those
 * about its customer as a whole (an event with no invoice in view), with
 * the `unless` of their trigger as the loaded cadences say (eng may be
 * NULL: then no `unless` is known). */
static rg_status waiting_timers(rg_store *s, const rg_invoice *inv, rg_timer_list *w, rg_err *e)
{
    rg_timer_list all = {0};
    rg_status rc = rg_store_timer_waiting_for_customer(s, inv->customer_id, rg_timer_list_keep, &all, e);
    if (rc == RG_ENOMEM)
        rc = rg_err_set(e, RG_ENOMEM, "invoice", "out of memory");
    for (size_t i = 0; rc == RG_OK && i < all.n; i++)
        if (all.v[i].invoice_id == inv->id || all.v[i].invoice_id == 0)
            if ((rc = rg_timer_list_keep(w, &all.v[i])) == RG_ENOMEM)
                rc = rg_err_set(e, RG_ENOMEM, "invoice", "out of memory");
    free(all.v);
    return rc;
}

static const rg_cadence_trigger *timer_trigger(const rg_engine *eng, const rg_timer *t)
{
    const rg_cadence *c = eng ? rg_cadence_set_find(rg_engine_cadences(eng), t->cadence) : NULL;
    for (size_t i = 0; c && i < c->n_triggers; i++)
        if (!strcmp(c->triggers[i].id, t->trigger_id))
            return &c->triggers[i];
    return NULL;
}

static json_t *timer_json(const rg_timer *t, const rg_cadence_trigger *tg)
{
    char fire[32], at[32];
    json_t *unless = json_array();
    for (size_t k = 0; tg && k < tg->n_unless; k++)
        json_array_append_new(unless, json_string(rg_event_type_name(tg->unless[k])));
    return json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:o, s:s}", "id", (json_int_t)t->id, "cadence",
                     t->cadence, "trigger", t->trigger_id, "about", t->invoice_id ? "invoice" : "customer", "event_id",
                     (json_int_t)t->event_id, "event_type", t->event_type, "event_at",
                     rg_instant_format(t->event_at, at, sizeof at), "fire_at",
                     rg_instant_format(t->fire_at, fire, sizeof fire), "unless", unless, "reason", t->reason);
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

static rg_status show_payment(void *p, const rg_payment *pay)
{
    show_ctx *sc = p;
    if (sc->payments)
        return rg_json_append(sc->payments, rg_payment_json(pay), "payment on invoice", sc->invoice, sc->e);
    char at[40], amount[40];
    fprintf(sc->cli->out, "  payment   %s  %s  %s %s (%s)\n", rg_cli_time(sc->cli, pay->paid_at, at, sizeof at),
            rg_money_format_brl(pay->amount, amount, sizeof amount), rg_payment_source_name(pay->source),
            pay->method, pay->reference);
    return RG_OK;
}

static rg_status show_event(void *p, const rg_event *ev)
{
    show_ctx *sc = p;
    if (sc->events)
        return rg_json_append(sc->events, rg_event_json(ev, NULL), "event on invoice", sc->invoice, sc->e);
    char local[40];
    fprintf(sc->cli->out, "  event     %s  %-20s %s\n", rg_cli_time(sc->cli, ev->at, local, sizeof local), ev->type,
            ev->source);
    return RG_OK;
}

static int run(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"customer", true, "ID", "only this customer's invoices (external id)", false, NULL},
        {"status", true, "S", "only invoices with this status", false, NULL},
        {"due-from", true, "DATE", "due on or after DATE", false, NULL},
        {"due-to", true, "DATE", "due on or before DATE", false, NULL},
        {"limit", true, "N", "print at most N invoices", false, NULL},
        {"json", false, NULL, "print JSON (an array for list)", false, NULL},
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
        return rg_cli_usage_error(cli, "invoice", "say 'list' or 'show EXTERNAL_ID'");
    bool json = rg_cli_opt(opts, "json")->set;
    rg_err e;
    rg_err_clear(&e);
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
        rg_store *s = rg_cli_store(cli);
        if (!s)
            return 3;
        rg_invoice inv;
        if (rg_store_invoice_get(s, pos[1], &inv, &e) != RG_OK)
            return rg_cli_fail(cli, &e);
        /* the cadence it follows, its progress and what comes next */
        rg_invoice_explain ex;
        bool have_ex = false;
        rg_engine *eng = NULL;
        rg_customer cust;
        if (rg_store_customer_get_by_id(s, inv.customer_id, &cust, &e) != RG_OK)
            return rg_cli_fail(cli, &e);
        if (rg_cli_engine_open(cli, true, RG_CLI_ENGINE_QUIET, &eng) == 0 &&
            rg_engine_explain(eng, &inv, &cust, rg_cli_now(cli), &ex, &e) == RG_OK)
            have_ex = true;
        /* its waiting trigger timers (eng, when open, names their `unless`) */
        rg_timer_list timers = {0};
        rg_status trc = waiting_timers(s, &inv, &timers, &e);
        json_t *tj = json_array();
        for (size_t i = 0; trc == RG_OK && i < timers.n; i++)
            trc = rg_json_append(tj, timer_json(&timers.v[i], timer_trigger(eng, &timers.v[i])), "timer of invoice",
                                 inv.external_id, &e);
        free(timers.v);
        rg_engine_close(eng);
        if (trc != RG_OK) {
            json_decref(tj);
            return rg_cli_fail(cli, &e);
        }
        /* the override as charged: a consumer's fine is at most 2% (CDC art. 52 §1) */
        bool fine_capped = cust.kind == RG_KIND_PF && inv.fine_pct > RG_FEE_FINE_MAX_PF;
        int64_t fine_applied = fine_capped ? RG_FEE_FINE_MAX_PF : inv.fine_pct;
        show_ctx sc = {cli, NULL, NULL, NULL, NULL, NULL, inv.external_id, &e};
        json_t *o = NULL;
        rg_bureau_listing bl;
        bool has_bureau = false;
        rg_instant agenda_at = RG_INSTANT_NONE; /* when the tick looks at it again (open invoices only) */
        if (rg_store_bureau_get(s, inv.id, &bl, &has_bureau, &e) != RG_OK ||
            (inv.status == RG_INV_OPEN && rg_store_invoice_agenda(s, inv.id, &agenda_at, &e) != RG_OK)) {
            json_decref(tj);
            return rg_cli_fail(cli, &e);
        }
        if (json) {
            o = rg_invoice_json(&inv);
            char pct[32];
            if (o && (json_object_set_new(o, "fine_pct_applied",
                                          fine_applied < 0 ? json_null()
                                                           : json_string(rg_pct_format(fine_applied, pct, sizeof pct))) ||
                      json_object_set_new(o, "fine_capped",
                                          fine_capped ? json_string("CDC art. 52 §1: a consumer's fine is at most 2%")
                                                      : json_null()))) {
                json_decref(o);
                o = NULL;
            }
            sc.payments = json_array();
            sc.events = json_array();
            sc.promises = json_array();
            sc.holds = json_array();
            sc.offers = json_array();
        } else {
            char due[16], amount[40], paid[40], balance[40];
            FILE *f = cli->out;
            fprintf(f, "Invoice %s (customer %s)\n", inv.external_id, inv.customer_external_id);
            if (inv.description[0])
                fprintf(f, "  description: %s\n", inv.description);
            fprintf(f, "  due:         %s\n  amount:      %s\n  paid:        %s\n  balance:     %s\n  status:      %s\n",
                    rg_date_format_br(inv.due_date, due, sizeof due),
                    rg_money_format_brl(inv.amount, amount, sizeof amount),
                    rg_money_format_brl(inv.paid, paid, sizeof paid),
                    rg_money_format_brl(rg_invoice_balance(&inv), balance, sizeof balance),
                    rg_invoice_status_name(inv.status));
            if (rg_invoice_credit(&inv) > 0) {
                char credit[40];
                fprintf(f, "  credit:      %s — paid beyond the amount; refund it or apply it\n",
                        rg_money_format_brl(rg_invoice_credit(&inv), credit, sizeof credit));
            }
            if (inv.fine_pct >= 0) {
                char pct[32], applied[32];
                fprintf(f, "  fine:        %s%% (this invoice's own)", rg_pct_format(inv.fine_pct, pct, sizeof pct));
                if (fine_capped)
                    fprintf(f, " — charged as %s%%: a consumer's fine is at most 2%% (CDC art. 52 §1)",
                            rg_pct_format(fine_applied, applied, sizeof applied));
                fputc('\n', f);
            }
            if (inv.linha_digitavel[0])
                fprintf(f, "  boleto:      %s %s\n", inv.boleto_bank, inv.linha_digitavel);
            if (inv.pix_code[0])
                fprintf(f, "  pix:         %s\n", inv.pix_code);
            if (inv.payment_url[0])
                fprintf(f, "  pay at:      %s\n", inv.payment_url);
            if (have_ex) {
                char eff[16], next[40];
                if (!strcmp(ex.state, "no-cadence"))
                    fprintf(f, "  cadence:     none — no loaded cadence matches this invoice\n");
                else
                    fprintf(f, "  cadence:     %s (version %s)%s\n", ex.cadence, ex.version,
                            !strcmp(ex.state, "prescribed") ? " — stopped: the debt is over five years past due"
                                                            " (prescribed, CC art. 206 §5 I); it is not collected"
                            : !strcmp(ex.state, "closed") ? " — stopped: the invoice is not open"
                                                          : "");
                fprintf(f, "  effective due: %s\n", rg_date_format_br(ex.effective_due, eff, sizeof eff));
                rg_progress prog;
                rg_progress_parse(ex.progress, &prog);
                for (size_t i = 0; i < prog.n; i++)
                    fprintf(f, "  step        %-14s %-10s %s%s%s\n", prog.items[i].step_id,
                            rg_step_state_reason(prog.items[i].state),
                            prog.items[i].at != RG_INSTANT_NONE ? rg_cli_time(cli, prog.items[i].at, next, sizeof next)
                                                                : "",
                            prog.items[i].state != RG_STEP_DONE ? " — " : "",
                            prog.items[i].state != RG_STEP_DONE ? rg_step_state_text(prog.items[i].state) : "");
                if (ex.held[0])
                    fprintf(f, "  held:        %s (due, waiting on a hold below)\n", ex.held);
                if (ex.next_step[0])
                    fprintf(f, "  next step:   %s at %s\n", ex.next_step, rg_cli_time(cli, ex.next_due_at, next, sizeof next));
            }
            if (inv.status == RG_INV_OPEN) {
                char t[40];
                if (agenda_at == RG_INSTANT_NONE)
                    fprintf(f, "  agenda:      nothing planned (looked at again when something changes it)\n");
                else if (agenda_at <= rg_cli_now(cli))
                    fprintf(f, "  agenda:      due: the next tick plans it\n");
                else
                    fprintf(f, "  agenda:      planned again at %s\n", rg_cli_time(cli, agenda_at, t, sizeof t));
            }
            if (has_bureau)
                print_bureau(cli, &bl);
            for (size_t i = 0; i < json_array_size(tj); i++) {
                json_t *t = json_array_get(tj, i);
                rg_instant fire = RG_INSTANT_NONE;
                const char *ft = json_string_value(json_object_get(t, "fire_at"));
                rg_instant_parse(ft, strlen(ft), &fire);
                char when[40], unless[512] = "";
                json_t *u = json_object_get(t, "unless");
                for (size_t k = 0; k < json_array_size(u); k++)
                    snprintf(unless + strlen(unless), sizeof unless - strlen(unless), "%s%s", k ? ", " : "",
                             json_string_value(json_array_get(u, k)));
                fprintf(f, "  timer:       %s (%s) fires %s, on %s (event %lld%s)%s%s\n",
                        json_string_value(json_object_get(t, "trigger")),
                        json_string_value(json_object_get(t, "cadence")), rg_cli_time(cli, fire, when, sizeof when),
                        json_string_value(json_object_get(t, "event_type")),
                        (long long)json_integer_value(json_object_get(t, "event_id")),
                        json_object_get(t, "about") && !strcmp(json_string_value(json_object_get(t, "about")), "customer")
                            ? ", about the customer"
                            : "",
                        unless[0] ? " unless " : "", unless);
            }
            json_decref(tj);
            tj = NULL;
        }
        if (rg_store_payment_each(s, inv.id, show_payment, &sc, &e) != RG_OK ||
            rg_store_promise_each_for_invoice(s, inv.id, show_promise, &sc, &e) != RG_OK ||
            rg_store_hold_each(s, inv.id, false, show_hold, &sc, &e) != RG_OK ||
            rg_store_offer_each(s, inv.id, show_offer, &sc, &e) != RG_OK ||
            rg_store_event_each_for_invoice(s, inv.id, show_event, &sc, &e) != RG_OK) {
            json_decref(o);
            json_decref(sc.payments);
            json_decref(sc.events);
            json_decref(sc.promises);
            json_decref(sc.holds);
            json_decref(sc.offers);
            json_decref(tj);
            return rg_cli_fail(cli, &e);
        }
        if (json) {
            /* every part must be written, or nothing is: never a shorter record */
            int bad = !o;
            if (have_ex) {
                char eff[16], t[32];
                json_t *steps = json_array();
                rg_progress prog;
                rg_progress_parse(ex.progress, &prog);
                for (size_t i = 0; i < prog.n; i++)
                    bad |= json_array_append_new(
                        steps, json_pack("{s:s, s:s, s:s, s:o}", "step", prog.items[i].step_id, "state",
                                         rg_step_state_reason(prog.items[i].state), "description",
                                         rg_step_state_text(prog.items[i].state), "at",
                                         prog.items[i].at != RG_INSTANT_NONE
                                             ? json_string(rg_instant_format(prog.items[i].at, t, sizeof t))
                                             : json_null()));
                json_t *held = json_array();
                for (const char *h = ex.held; *h;) {
                    const char *comma = strstr(h, ", ");
                    size_t len = comma ? (size_t)(comma - h) : strlen(h);
                    bad |= json_array_append_new(held, json_stringn(h, len));
                    h += len + (comma ? 2 : 0);
                }
                bad |= json_object_set_new(o, "cadence",
                                    json_pack("{s:o, s:o, s:o, s:s, s:s, s:o, s:o, s:o}", "held", held, "name",
                                              ex.cadence[0] ? json_string(ex.cadence) : json_null(), "version",
                                              ex.version[0] ? json_string(ex.version) : json_null(), "state", ex.state,
                                              "effective_due_date", rg_date_format_iso(ex.effective_due, eff, sizeof eff),
                                              "steps", steps, "next_step",
                                              ex.next_step[0] ? json_string(ex.next_step) : json_null(), "next_due_at",
                                              ex.next_due_at != RG_INSTANT_NONE
                                                  ? json_string(rg_instant_format(ex.next_due_at, t, sizeof t))
                                                  : json_null()));
            }
            char at_text[32];
            bad |= json_object_set_new(o, "agenda_at",
                                       agenda_at != RG_INSTANT_NONE
                                           ? json_string(rg_instant_format(agenda_at, at_text, sizeof at_text))
                                           : json_null());
            bad |= json_object_set_new(o, "bureau", has_bureau ? rg_bureau_listing_json(&bl) : json_null());
            bad |= json_object_set_new(o, "promises", sc.promises);
            bad |= json_object_set_new(o, "holds", sc.holds);
            bad |= json_object_set_new(o, "offers", sc.offers);
            bad |= json_object_set_new(o, "payments", sc.payments);
            bad |= json_object_set_new(o, "events", sc.events);
            bad |= json_object_set_new(o, "timers", tj);
            if (bad) {
                json_decref(o);
                rg_err_set(&e, RG_EINVAL, "invoice",
                           "%s cannot be written as JSON: one of its texts is not valid UTF-8 (or memory ran out);"
                           " nothing was printed",
                           rg_utf8_valid(inv.external_id, strlen(inv.external_id)) ? inv.external_id : "the invoice");
                return rg_cli_fail(cli, &e);
            }
            return rg_cli_print_json(cli, o);
        }
        return 0;
    }
    return rg_cli_usage_error(cli, "invoice", "unknown subcommand '%s' (list, show)", pos[0]);
}
