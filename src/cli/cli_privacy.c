/* regua customer anonymize (LGPD): parse, call rg_customer_anonymize, print. */
#include <jansson.h>
#include <string.h>

#include "cli/cli.h"
#include "service/privacy.h"

int rg_cli_customer_anonymize(rg_cli *cli, const char *external_id, bool yes, bool json)
{
    if (!yes)
        return rg_cli_usage_error(cli, "customer",
                                  "anonymize erases %s's personal data for good: say --yes to go on", external_id);
    const rg_event_env *env = rg_cli_events(cli);
    if (!env)
        return 3;
    rg_anonymize_result r;
    rg_err e;
    rg_err_clear(&e);
    if (rg_customer_anonymize(env, external_id, "cli", rg_cli_now(cli), &r, &e) != RG_OK)
        return rg_cli_fail(cli, &e);
    const rg_anonymize_counts *c = &r.counts;
    if (json)
        return rg_cli_print_json(
            cli, json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "customer", external_id, "name",
                           RG_ANONYMIZED_NAME, "event_id", (json_int_t)r.event_id, "messages_cancelled",
                           (json_int_t)c->messages_cancelled, "messages_erased", (json_int_t)c->messages_erased,
                           "events_erased", (json_int_t)c->events_erased, "task_notes_erased",
                           (json_int_t)c->task_notes_erased, "tasks_cancelled", (json_int_t)c->tasks_cancelled,
                           "timers_cancelled", (json_int_t)c->timers_cancelled));
    fprintf(cli->out,
            "%s anonymized: name now \"%s\"; e-mail, phones, address and tags erased;\n"
            "  %lld message text(s) and %lld event payload(s) erased, %lld task note(s);\n"
            "  cancelled: %lld message(s) still to go, %lld task(s), %lld trigger timer(s).\n"
            "  Kept: the external id, the document, invoices, payments, promises and opt-outs.\n",
            external_id, RG_ANONYMIZED_NAME, (long long)c->messages_erased, (long long)c->events_erased,
            (long long)c->task_notes_erased, (long long)c->messages_cancelled, (long long)c->tasks_cancelled,
            (long long)c->timers_cancelled);
    return 0;
}
