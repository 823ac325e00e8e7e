/* regua event TYPE (--invoice ID | --customer ID) [--at INSTANT] [--data JSON] [--json]
 * regua event --file FILE [--json] */
#include <jansson.h>
#include <string.h>

#include "cli/cli.h"
#include "model/event.h"
#include "service/event_file.h"
#include "service/json_tasks.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_event = {
    "event",
    "regua event TYPE (--invoice EXTERNAL_ID | --customer EXTERNAL_ID) [--at INSTANT] [--data JSON] [--json]\n"
    "       regua event --file FILE [--json]",
    "Record an event (the customer visited the portal, opened an e-mail, promised to pay...)",
    "Records one event, as the API and the providers' webhooks do, and what it sets off: each\n"
    "trigger of the invoice's cadence that waits on this type starts a timer (it fires at the\n"
    "first tick at or after --at plus its `wait`, inside the customer's window), and waiting\n"
    "timers whose `unless` names this type are cancelled (docs/engine.md, \"Events and triggers\").\n"
    "An event about the customer as a whole (--customer) concerns every open invoice of it.\n"
    "--data is a JSON object stored with the event. Three types do more:\n"
    "  promise.made      {\"date\": \"AAAA-MM-DD\", \"amount\": \"123.45\"} makes a promise to pay\n"
    "                    (the amount defaults to the invoice's open balance)\n"
    "  payment.received  {\"amount\": \"123.45\", \"reference\": \"...\", \"method\": \"pix\"} records\n"
    "                    the payment as 'regua pay' does (--invoice only)\n"
    "  optout            {\"channel\": \"whatsapp\"} opts the customer out of that channel (as a\n"
    "                    reply SAIR does; 'customer show' lists it, how: cli)\n"
    "Types regua records itself (invoice.*, promise.broken) are refused. An unknown type,\n"
    "invoice or customer, or bad JSON: exit 1, nothing stored.\n"
    "--file records many events in one transaction (a tracking export, a day's portal log):\n"
    "one JSON object a line, {\"type\": \"portal.visited\", \"invoice\": \"F1\", \"at\": \"...\",\n"
    "\"data\": {...}} (\"customer\" instead of \"invoice\"; \"at\" and \"data\" optional), each\n"
    "recorded as above; - reads standard input. All or nothing: the first bad line is named\n"
    "as FILE:LINE and nothing is stored. Far faster than one command per event.",
    run,
};

static void print_types(rg_cli *cli)
{
    fprintf(cli->out, "\nEvent types (--invoice: about one invoice; either: --invoice or --customer):\n");
    for (int i = 0; i < RG_EV__COUNT; i++) {
        rg_event_type t = (rg_event_type)i;
        if (rg_event_type_origin(t) == RG_EVO_REGUA)
            continue;
        fprintf(cli->out, "  %-20s %-9s %s\n", rg_event_type_name(t),
                rg_event_type_scope(t) == RG_EVS_INVOICE ? "--invoice" : "either", rg_event_type_description(t));
    }
}

/* The service names the request's field; on the command line it is an
 * option (or the TYPE argument). */
static void name_option(rg_err *e)
{
    static const char *const map[][2] = {
        {"type", "TYPE"}, {"invoice", "--invoice"}, {"customer", "--customer"}, {"at", "--at"}, {"data", "--data"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(e->where, map[i][0])) {
            rg_strlcpy(e->where, map[i][1], sizeof e->where);
            return;
        }
}

/* regua event --file FILE */
static int run_file(rg_cli *cli, const char *file, bool json)
{
    const rg_event_env *env = rg_cli_events(cli);
    if (!env)
        return 3;
    rg_event_file_report r;
    rg_err e;
    rg_err_clear(&e);
    if (rg_event_submit_file(env, file, rg_cli_tz(cli), rg_cli_now(cli), "cli", &r, &e) != RG_OK)
        return rg_cli_fail(cli, &e);
    if (json)
        return rg_cli_print_json(cli, json_pack("{s:I, s:I, s:I, s:I, s:I}", "events", (json_int_t)r.events,
                                                "timers_started", (json_int_t)r.timers_started, "timers_cancelled",
                                                (json_int_t)r.timers_cancelled, "promises", (json_int_t)r.promises,
                                                "payments", (json_int_t)r.payments));
    fprintf(cli->out, "recorded %lld event%s from %s: %lld timer%s started, %lld cancelled", (long long)r.events,
            r.events == 1 ? "" : "s", file, (long long)r.timers_started, r.timers_started == 1 ? "" : "s",
            (long long)r.timers_cancelled);
    if (r.promises)
        fprintf(cli->out, ", %lld promise%s", (long long)r.promises, r.promises == 1 ? "" : "s");
    if (r.payments)
        fprintf(cli->out, ", %lld payment%s", (long long)r.payments, r.payments == 1 ? "" : "s");
    fputc('\n', cli->out);
    return 0;
}

static int run(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"invoice", true, "EXTERNAL_ID", "the invoice the event is about", false, NULL},
        {"customer", true, "EXTERNAL_ID", "the customer, for an event about the customer as a whole", false, NULL},
        {"at", true, "WHEN", "when it happened: an ISO-8601 instant or a date (noon where the company is);"
                             " default now", false, NULL},
        {"data", true, "JSON", "the event's data, a JSON object (see above)", false, NULL},
        {"file", true, "FILE", "record the events of FILE (JSON lines, - for standard input) in one transaction",
         false, NULL},
        {"json", false, NULL, "print the result as JSON", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[1];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &rg_cmd_event, argc - 1, argv + 1, opts, pos, 1, &npos, &help) < 0)
        return 2;
    if (help) {
        print_types(cli);
        return 0;
    }
    const char *file = rg_cli_opt(opts, "file")->value;
    if (file) {
        if (npos || rg_cli_opt(opts, "invoice")->set || rg_cli_opt(opts, "customer")->set ||
            rg_cli_opt(opts, "at")->set || rg_cli_opt(opts, "data")->set)
            return rg_cli_usage_error(cli, "event", "--file takes each event's type, invoice or customer, at and data"
                                                    " from the file: give none of them on the command line");
        return run_file(cli, file, rg_cli_opt(opts, "json")->set);
    }
    if (npos != 1)
        return rg_cli_usage_error(cli, "event", "name the event type (e.g. portal.visited)");
    const char *invoice = rg_cli_opt(opts, "invoice")->value, *customer = rg_cli_opt(opts, "customer")->value;
    if (!invoice == !customer)
        return rg_cli_usage_error(cli, "event", "give --invoice or --customer (one of them)");
    rg_event_request rq;
    memset(&rq, 0, sizeof rq);
    rq.type = pos[0];
    rq.invoice = invoice;
    rq.customer = customer;
    rq.data = rg_cli_opt(opts, "data")->value;
    rq.source = "cli";
    rq.now = rg_cli_now(cli);
    rq.at = rq.now;
    const char *at = rg_cli_opt(opts, "at")->value;
    if (at && !rg_cli_moment(cli, "event", "at", at, &rq.at))
        return 2;
    const rg_event_env *env = rg_cli_events(cli);
    if (!env)
        return 3;
    rg_event_result out;
    rg_err e;
    rg_err_clear(&e);
    if (rg_event_submit(env, &rq, &out, &e) != RG_OK) {
        name_option(&e);
        return rg_cli_fail(cli, &e);
    }
    if (rg_cli_opt(opts, "json")->set)
        return rg_cli_print_json(cli, rg_event_result_json(rq.type, &out));
    if (out.payment_id && !out.payment_recorded) {
        fprintf(cli->out, "payment already recorded: nothing changed\n");
        return 0;
    }
    fprintf(cli->out, "recorded %s (event %lld) on %s %s", rq.type, (long long)out.event.event_id,
            invoice ? "invoice" : "customer", invoice ? invoice : customer);
    if (out.promise_id)
        fprintf(cli->out, ", promise %lld", (long long)out.promise_id);
    fprintf(cli->out, ": %lld timer%s started, %lld cancelled\n", (long long)out.event.timers_started,
            out.event.timers_started == 1 ? "" : "s", (long long)out.event.timers_cancelled);
    return 0;
}
