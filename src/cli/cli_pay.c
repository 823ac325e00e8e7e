/* regua pay INVOICE --amount A [--at T] [--reference R] */
#include <jansson.h>
#include <string.h>

#include "cli/cli.h"
#include "service/json_tasks.h"
#include "service/payments.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_pay = {
    "pay",
    "regua pay INVOICE_EXTERNAL_ID --amount A [--at INSTANT] [--method M] [--reference R] [--json]",
    "Record a payment against an invoice",
    "The amount accepts 1234.56 or 1.234,56. The same payment recorded twice (same invoice\n"
    "and reference) is one payment; without --reference, one is derived from the instant and\n"
    "amount. An invoice whose payments cover its amount becomes paid, and its cadence stops.\n"
    "Money beyond what was open (an invoice already paid, or more than its balance) is\n"
    "recorded with a warning and shown as a credit by 'regua invoice show'. While an offer on\n"
    "the invoice is valid, a payment of the offer's amount settles it: the rest is recorded as\n"
    "waived (\"waived_cents\" in --json). A bare date for\n"
    "--at (2027-01-13 or 13/01/2027) is that day where the company is. --method and\n"
    "--reference are UTF-8 text; anything else is refused (exit 1) and nothing is recorded.",
    run,
};

static int run(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"amount", true, "A", "the amount paid (required)", false, NULL},
        {"at", true, "WHEN", "when it was paid: a date (2027-01-13 or 13/01/2027, that day where the"
                             " company is) or an ISO-8601 instant; default now", false, NULL},
        {"method", true, "M", "how it was paid: pix, boleto, cartao, ted, dinheiro, ...", false, NULL},
        {"reference", true, "R", "the payment's reference (bank, PIX end-to-end id, ...)", false, NULL},
        {"json", false, NULL, "print the result as JSON", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[1];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &rg_cmd_pay, argc - 1, argv + 1, opts, pos, 1, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    if (npos != 1)
        return rg_cli_usage_error(cli, "pay", "name the invoice by its external id");
    const char *amount = rg_cli_opt(opts, "amount")->value;
    if (!amount)
        return rg_cli_usage_error(cli, "pay", "--amount is required");
    rg_payment p;
    rg_payment_init(&p);
    p.source = RG_PAY_MANUAL;
    rg_err e;
    rg_err_clear(&e);
    const char *why = NULL;
    if (!rg_money_parse(amount, strlen(amount), false, &p.amount, &why) || p.amount == 0) {
        rg_err_set(&e, RG_EINVAL, "--amount", "'%s' is not a positive amount%s%s", amount, why ? ": " : "",
                   why ? why : "");
        return rg_cli_fail(cli, &e);
    }
    if (!rg_strlcpy(p.invoice_external_id, pos[0], sizeof p.invoice_external_id)) {
        rg_err_set(&e, RG_EINVAL, "invoice", "external id too long");
        return rg_cli_fail(cli, &e);
    }
    const char *at = rg_cli_opt(opts, "at")->value;
    p.paid_at = rg_cli_now(cli);
    if (at && !rg_cli_moment(cli, "pay", "at", at, &p.paid_at))
        return 2;
    const char *v;
    if ((v = rg_cli_opt(opts, "method")->value) && !rg_strlcpy(p.method, v, sizeof p.method))
        return rg_cli_usage_error(cli, "pay", "--method is too long");
    if ((v = rg_cli_opt(opts, "reference")->value) && !rg_strlcpy(p.reference, v, sizeof p.reference))
        return rg_cli_usage_error(cli, "pay", "--reference is too long");
    const rg_event_env *env = rg_cli_events(cli);
    if (!env)
        return 3;
    rg_payment_outcome out;
    if (rg_payment_submit(env, &p, rg_cli_now(cli), &out, &e) != RG_OK)
        return rg_cli_fail(cli, &e);
    char bal[40], amt[40], over[40], credit[40];
    if (out.overpaid > 0) {
        rg_money_format_brl(out.overpaid, over, sizeof over);
        rg_money_format_brl(out.credit > 0 ? out.credit : out.overpaid, credit, sizeof credit);
        if (out.overpaid == p.amount)
            fprintf(cli->err,
                    "%s: warning: %s was already %s: this payment of %s is recorded as a credit of the customer"
                    " (the invoice's credit is now %s: refund it or apply it)\n",
                    cli->prog, p.invoice_external_id, rg_invoice_status_name(out.status), over, credit);
        else
            fprintf(cli->err,
                    "%s: warning: %s: %s more than the open balance was paid; recorded, the invoice shows a"
                    " credit of %s (refund it or apply it)\n",
                    cli->prog, p.invoice_external_id, over, credit);
    }
    if (rg_cli_opt(opts, "json")->set)
        return rg_cli_print_json(cli, rg_payment_outcome_json(&p, &out));
    else if (out.recorded && out.waived > 0)
        fprintf(cli->out, "recorded %s on %s: settled under its offer, %s waived; status %s\n",
                rg_money_format_brl(p.amount, amt, sizeof amt), p.invoice_external_id,
                rg_money_format_brl(out.waived, bal, sizeof bal), rg_invoice_status_name(out.status));
    else if (out.recorded)
        fprintf(cli->out, "recorded %s on %s: balance %s, status %s\n",
                rg_money_format_brl(p.amount, amt, sizeof amt), p.invoice_external_id,
                rg_money_format_brl(out.balance, bal, sizeof bal), rg_invoice_status_name(out.status));
    else
        fprintf(cli->out, "already recorded (reference %s): nothing changed\n", p.reference);
    return 0;
}
