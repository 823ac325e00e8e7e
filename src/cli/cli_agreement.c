/* regua agreement plans|create|list|show|cancel: installment agreements (acordos;
 * docs/agreements.md; POST/GET /v1/agreements). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "service/agreements.h"
#include "service/json_model.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_agreement = {
    "agreement",
    "regua agreement plans CUSTOMER INVOICE... [--json]\n"
    "       regua agreement create CUSTOMER INVOICE... --installments N [--json]\n"
    "       regua agreement list [--customer ID] [--status S] [--limit N] [--json]\n"
    "       regua agreement show ID [--json]\n"
    "       regua agreement cancel ID [--json]",
    "Installment agreements (acordos): plans on offer, create, list, show, cancel",
    "An agreement turns a customer's open invoices into a down payment (entrada) due in\n"
    "portal.agreements.down_payment_days bank business days and N monthly installments,\n"
    "each a new invoice ACORDO-{id}-{k} (k = 0 the down payment, 1..N) tagged acordo, so\n"
    "it follows the cadence that matches tags: [acordo]; the originals become\n"
    "renegotiated. Amounts are exact in centavos: D = round(P x down_payment_pct), simple\n"
    "interest J = round((P - D) x interest_month_pct x N), each installment\n"
    "floor((P - D + J) / N), the rounding remainder on the last (docs/agreements.md).\n"
    "The terms are regua.yaml's portal.agreements, each key the cadence of the first\n"
    "invoice states (portal: {agreements: ...} in the cadence file) replacing it.\n"
    "The customer's portal page makes the same (\"Parcelar\", source portal), but never\n"
    "with an installment of an agreement or an invoice under dispute (docs/portal.md).\n"
    "plans prints the plans on offer for the invoices named (1..max_installments, those\n"
    "whose installment reaches min_installment). create makes the agreement of N\n"
    "installments (an installment below min_installment or N above max_installments is\n"
    "refused, exit 1). list shows agreements by id (--status: active, completed, broken,\n"
    "cancelled); show one with its invoices. Each tick completes an agreement whose\n"
    "installments are all paid (agreement.completed) and breaks one with an installment\n"
    "more than break_after_days late (agreement.broken: open installments cancelled, the\n"
    "amount paid credited to the originals, those still owing reopened on their cadence).\n"
    "cancel ends an active agreement at once the same way (agreement.cancelled): its open\n"
    "installments are cancelled, the paid ones stay paid and what was paid is credited to\n"
    "the originals (oldest due first, method acordo), which are reopened on their cadence\n"
    "with what they still owe (or paid); a completed, broken or cancelled one: exit 1.\n"
    "--json prints the documents of POST /v1/agreements (create), GET /v1/agreements'\n"
    "items (list), GET /v1/agreements/{id} (show), POST /v1/agreements/{id}/cancel (cancel),\n"
    "and a list of plans (plans).",
    run,
};

static int print_view(rg_cli *cli, const rg_agreement_view *v, bool json)
{
    if (json)
        return rg_cli_print_json(cli, rg_agreement_json(&v->agreement, v));
    const rg_agreement *a = &v->agreement;
    char m1[32], m2[32], m3[32], d[16], t[64];
    FILE *f = cli->out;
    fprintf(f, "agreement %lld  customer %s  %s\n", (long long)a->id, a->customer_external_id, a->status);
    fprintf(f, "  debt %s  down payment %s  interest %s  total %s  (%lld installments)\n",
            rg_money_format_brl(a->principal, m1, sizeof m1), rg_money_format_brl(a->down_payment, m2, sizeof m2),
            rg_money_format_brl(a->interest, m3, sizeof m3), rg_money_format_brl(a->total, t, sizeof t),
            (long long)a->installments);
    for (size_t i = 0; i < v->n_items; i++) {
        const rg_agreement_item *it = &v->items[i];
        bool orig = !strcmp(it->role, "original");
        fprintf(f, "  %-11s ", orig ? "original" : it->seq == 0 ? "entrada" : "installment");
        rg_cli_cell(f, it->invoice.external_id, 18, false);
        fprintf(f, "%10s %15s  %s\n", rg_date_format_iso(it->invoice.due_date, d, sizeof d),
                rg_money_format_brl(it->amount, m1, sizeof m1), rg_invoice_status_name(it->invoice.status));
    }
    return 0;
}

typedef struct list_ctx {
    rg_cli *cli;
    json_t *array;
    size_t n;
    rg_err *e;
} list_ctx;

static rg_status print_agreement(void *p, const rg_agreement *a)
{
    list_ctx *lc = p;
    lc->n++;
    char id[24], m[32], t[64];
    snprintf(id, sizeof id, "%lld", (long long)a->id);
    if (lc->array)
        return rg_json_append(lc->array, rg_agreement_json(a, NULL), "agreement", id, lc->e);
    fprintf(lc->cli->out, "%6lld  ", (long long)a->id);
    rg_cli_cell(lc->cli->out, a->customer_external_id, 16, false);
    fprintf(lc->cli->out, "%-9s %3lld x  %15s  %s\n", a->status, (long long)a->installments,
            rg_money_format_brl(a->total, m, sizeof m), rg_cli_time(lc->cli, a->created_at, t, sizeof t));
    return RG_OK;
}

static int plans(rg_cli *cli, const char **pos, int npos, bool json)
{
    const rg_event_env *env = rg_cli_events(cli);
    if (!env)
        return 3;
    rg_agreement_plan *v;
    size_t n;
    rg_err e;
    rg_err_clear(&e);
    if (rg_agreement_plans(env, &cli->config, pos[1], pos + 2, (size_t)(npos - 2), rg_cli_now(cli), &v, &n, &e) !=
        RG_OK)
        return rg_cli_fail(cli, &e);
    if (json) {
        json_t *a = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(a, rg_agreement_plan_json(&v[i]));
        free(v);
        return rg_cli_print_json(cli, a);
    }
    if (n == 0)
        fprintf(cli->out, "no plan: the debt is too small for an installment of the minimum\n");
    for (size_t i = 0; i < n; i++) {
        char m1[32], m2[32], m3[32], m4[32], d[16];
        fprintf(cli->out, "%2lld x %15s (last %s)  down payment %s due %s  total %s\n", (long long)v[i].installments,
                rg_money_format_brl(v[i].installment, m1, sizeof m1),
                rg_money_format_brl(v[i].last_installment, m2, sizeof m2),
                rg_money_format_brl(v[i].down_payment, m3, sizeof m3),
                rg_date_format_iso(v[i].down_payment_due, d, sizeof d), rg_money_format_brl(v[i].total, m4, sizeof m4));
    }
    free(v);
    return 0;
}

static int run(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"installments", true, "N", "create: the number of monthly installments after the down payment", false, NULL},
        {"customer", true, "ID", "list: only this customer's agreements (external id)", false, NULL},
        {"status", true, "S", "list: only agreements with this status: active, completed, broken, cancelled", false,
         NULL},
        {"limit", true, "N", "list: print at most N agreements", false, NULL},
        {"json", false, NULL, "print JSON (the API's documents)", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[RG_AGREEMENT_MAX_INVOICES + 2];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &rg_cmd_agreement, argc - 1, argv + 1, opts, pos, RG_AGREEMENT_MAX_INVOICES + 2, &npos,
                     &help) < 0)
        return 2;
    if (help)
        return 0;
    if (npos < 1)
        return rg_cli_usage_error(cli, "agreement", "say plans, create, list, show or cancel");
    bool json = rg_cli_opt(opts, "json")->set;
    const char *sub = pos[0];
    rg_err e;
    rg_err_clear(&e);
    if (!strcmp(sub, "plans") || !strcmp(sub, "create")) {
        if (npos < 3)
            return rg_cli_usage_error(cli, "agreement", "%s takes CUSTOMER and at least one INVOICE", sub);
        if (sub[0] == 'p')
            return plans(cli, pos, npos, json);
        const char *nv = rg_cli_opt(opts, "installments")->value;
        int64_t n;
        if (!nv)
            return rg_cli_usage_error(cli, "agreement", "create needs --installments N");
        if (!rg_parse_i64(rg_slice_cstr(nv), 1, RG_AGREEMENT_MAX_INSTALLMENTS, &n))
            return rg_cli_usage_error(cli, "agreement", "--installments takes a whole number from 1 to %d",
                                      RG_AGREEMENT_MAX_INSTALLMENTS);
        const rg_event_env *env = rg_cli_events(cli);
        if (!env)
            return 3;
        rg_agreement_request rq = {pos[1], pos + 2, (size_t)(npos - 2), n, "cli", rg_cli_now(cli)};
        rg_agreement_view v;
        if (rg_agreement_create(env, &cli->config, &rq, &v, &e) != RG_OK) {
            if (!strcmp(e.where, "installments"))
                rg_strlcpy(e.where, "--installments", sizeof e.where);
            return rg_cli_fail(cli, &e);
        }
        int rc = print_view(cli, &v, json);
        rg_agreement_view_free(&v);
        return rc;
    }
    if (!strcmp(sub, "cancel")) {
        int64_t id;
        if (npos != 2 || !rg_parse_i64(rg_slice_cstr(pos[1]), 1, INT64_MAX, &id))
            return rg_cli_usage_error(cli, "agreement", "cancel takes one agreement id (a number)");
        const rg_event_env *env = rg_cli_events(cli);
        if (!env)
            return 3;
        rg_agreement_view v;
        if (rg_agreement_cancel(env, id, "cli", rg_cli_now(cli), &v, &e) != RG_OK)
            return rg_cli_fail(cli, &e);
        int rc = print_view(cli, &v, json);
        rg_agreement_view_free(&v);
        return rc;
    }
    if (!strcmp(sub, "show")) {
        int64_t id;
        if (npos != 2 || !rg_parse_i64(rg_slice_cstr(pos[1]), 1, INT64_MAX, &id))
            return rg_cli_usage_error(cli, "agreement", "show takes one agreement id (a number)");
        rg_store *s = rg_cli_store(cli);
        if (!s)
            return 3;
        rg_agreement_view v;
        if (rg_agreement_load(s, id, &v, &e) != RG_OK)
            return rg_cli_fail(cli, &e);
        int rc = print_view(cli, &v, json);
        rg_agreement_view_free(&v);
        return rc;
    }
    if (strcmp(sub, "list") != 0)
        return rg_cli_usage_error(cli, "agreement", "unknown subcommand '%s' (plans, create, list, show, cancel)", sub);
    if (npos != 1)
        return rg_cli_usage_error(cli, "agreement", "list takes no arguments (--customer ID filters)");
    int64_t limit = 0;
    const char *lv = rg_cli_opt(opts, "limit")->value;
    if (lv && !rg_parse_i64(rg_slice_cstr(lv), 1, INT64_MAX, &limit))
        return rg_cli_usage_error(cli, "agreement", "--limit takes a positive whole number");
    rg_store *s = rg_cli_store(cli);
    if (!s)
        return 3;
    list_ctx lc = {cli, json ? json_array() : NULL, 0, &e};
    rg_status rc = rg_agreement_list(s, rg_cli_opt(opts, "customer")->value, rg_cli_opt(opts, "status")->value, 0,
                                     limit, print_agreement, &lc, &e);
    if (rc != RG_OK) {
        json_decref(lc.array);
        if (rc == RG_EINVAL && !strcmp(e.where, "status"))
            rg_strlcpy(e.where, "--status", sizeof e.where);
        return rg_cli_fail(cli, &e);
    }
    if (json)
        return rg_cli_print_json(cli, lc.array);
    if (lc.n == 0)
        fprintf(cli->out, "no agreements\n");
    return 0;
}
