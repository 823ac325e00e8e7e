/* regua customer export|anonymize (LGPD): parse, call the privacy service, print. */
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
        return rg_cli_print_json(cli, rg_anonymize_result_json(external_id, &r));
    fprintf(cli->out,
            "%s anonymized: name now \"%s\"; e-mail, phones, address and tags erased;\n"
            "  %lld message text(s), %lld event payload(s), %lld webhook copies and %lld task note(s) erased;\n"
            "  cancelled: %lld message(s) still to go, %lld task(s), %lld trigger timer(s).\n"
            "  Kept: the external id, the document, invoices, payments, promises and opt-outs.\n",
            external_id, RG_ANONYMIZED_NAME, (long long)c->messages_erased, (long long)c->events_erased,
            (long long)c->webhook_bodies_erased, (long long)c->task_notes_erased, (long long)c->messages_cancelled, (long long)c->tasks_cancelled,
            (long long)c->timers_cancelled);
    return 0;
}

int rg_cli_customer_export(rg_cli *cli, const char *external_id)
{
    rg_store *s = rg_cli_store(cli);
    if (!s)
        return 3;
    void *doc = NULL;
    rg_err e;
    rg_err_clear(&e);
    if (rg_customer_export(s, &cli->config, external_id, rg_cli_now(cli), &doc, &e) != RG_OK)
        return rg_cli_fail(cli, &e);
    return rg_cli_print_json(cli, doc);
}
