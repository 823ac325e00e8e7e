/* regua customer list|show|anonymize */
#include <jansson.h>
#include <string.h>

#include "br/doc.h"
#include "cli/cli.h"
#include "service/json_model.h"
#include "service/json_tasks.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_customer = {
    "customer",
    "regua customer list [--tag T] [--search TEXT] [--limit N] [--json]\n"
    "       regua customer show EXTERNAL_ID [--json]\n"
    "       regua customer anonymize EXTERNAL_ID --yes [--json]",
    "List customers, show one with its opt-outs and events, or anonymize one (LGPD)",
    "list prints every customer (or the first N with --limit), in import order;\n"
    "--search matches part of the name, or the exact external id or document.\n"
    "show lists the customer's opt-outs (channel, how, when) and its events, newest first:\n"
    "those about the customer as a whole (portal.visited) and those of its invoices.\n"
    "anonymize erases the customer's personal data for good (LGPD; docs/privacy.md): the name\n"
    "becomes \"Titular anonimizado\"; e-mail, phones, address and tags, the texts of its messages,\n"
    "its events' payloads and task notes are erased; messages still to go, open tasks and waiting\n"
    "trigger timers are cancelled. The external id, document, invoices, payments, promises and\n"
    "opt-outs stay (the financial records). Refused while it has open invoices; needs --yes.",
    run,
};

typedef struct list_ctx {
    rg_cli *cli;
    bool json;
    json_t *array;
    rg_err *e;
} list_ctx;

static rg_status print_row(void *p, const rg_customer *c)
{
    list_ctx *lc = p;
    if (lc->json)
        return rg_json_append(lc->array, rg_customer_json(c), "customer", c->external_id, lc->e);
    rg_doc doc;
    const char *docf = c->document;
    if (c->document[0] && rg_doc_parse(c->document, strlen(c->document), &doc, NULL))
        docf = doc.formatted;
    FILE *f = lc->cli->out;
    rg_cli_cell(f, c->external_id, 16, false);
    rg_cli_cell(f, c->name, 32, true);
    rg_cli_cell(f, rg_customer_kind_name(c->kind), 2, false);
    rg_cli_cell(f, docf, 18, false);
    rg_cli_cell(f, c->email, 28, true);
    fprintf(f, "%s\n", c->whatsapp[0] ? c->whatsapp : c->phone);
    return RG_OK;
}

typedef struct history_ctx {
    rg_cli *cli;
    json_t *array; /* NULL: text */
    const char *customer;
    rg_err *e;
} history_ctx;

static rg_status show_optout(void *p, const char *channel, const char *how, rg_instant at)
{
    history_ctx *h = p;
    char t[40];
    if (h->array)
        return rg_json_append(h->array,
                              json_pack("{s:s, s:s, s:s}", "channel", channel, "source", how, "at",
                                        rg_instant_format(at, t, sizeof t)),
                              "opt-out of customer", h->customer, h->e);
    fprintf(h->cli->out, "  opt-out   %-9s %s  %s\n", channel, rg_cli_time(h->cli, at, t, sizeof t), how);
    return RG_OK;
}

static rg_status show_event(void *p, const rg_event *ev, const char *invoice)
{
    history_ctx *h = p;
    if (h->array)
        return rg_json_append(h->array, rg_event_json(ev, invoice), "event of customer", h->customer, h->e);
    char t[40];
    fprintf(h->cli->out, "  event     %s  %-20s %-10s %s\n", rg_cli_time(h->cli, ev->at, t, sizeof t), ev->type,
            invoice[0] ? invoice : "-", ev->source);
    return RG_OK;
}

static int run(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"tag", true, "TAG", "only customers with this tag", false, NULL},
        {"search", true, "TEXT", "part of the name, or the exact external id or document", false, NULL},
        {"limit", true, "N", "print at most N customers", false, NULL},
        {"json", false, NULL, "print JSON (an array for list)", false, NULL},
        {"yes", false, NULL, "anonymize: confirm that the data is erased for good", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[2];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &rg_cmd_customer, argc - 1, argv + 1, opts, pos, 2, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    if (npos < 1)
        return rg_cli_usage_error(cli, "customer", "say 'list' or 'show EXTERNAL_ID'");
    bool json = rg_cli_opt(opts, "json")->set;
    rg_err e;
    rg_err_clear(&e);
    if (!strcmp(pos[0], "list")) {
        if (npos != 1)
            return rg_cli_usage_error(cli, "customer", "list takes no arguments");
        rg_customer_filter f;
        memset(&f, 0, sizeof f);
        f.tag = rg_cli_opt(opts, "tag")->value;
        f.search = rg_cli_opt(opts, "search")->value;
        const char *limit = rg_cli_opt(opts, "limit")->value;
        if (limit && !rg_parse_i64(rg_slice_cstr(limit), 1, INT64_MAX, &f.limit))
            return rg_cli_usage_error(cli, "customer", "--limit takes a positive whole number");
        rg_store *s = rg_cli_store(cli);
        if (!s)
            return 3;
        list_ctx lc = {cli, json, json ? json_array() : NULL, &e};
        if (rg_store_customer_each(s, &f, print_row, &lc, &e) != RG_OK) {
            json_decref(lc.array);
            return rg_cli_fail(cli, &e);
        }
        return json ? rg_cli_print_json(cli, lc.array) : 0;
    }
    if (!strcmp(pos[0], "show")) {
        if (npos != 2)
            return rg_cli_usage_error(cli, "customer", "show needs the customer's EXTERNAL_ID");
        rg_store *s = rg_cli_store(cli);
        if (!s)
            return 3;
        rg_customer c;
        if (rg_store_customer_get(s, pos[1], &c, &e) != RG_OK)
            return rg_cli_fail(cli, &e);
        if (json) {
            json_t *o = rg_customer_json(&c);
            history_ctx ho = {cli, json_array(), c.external_id, &e}, he = {cli, json_array(), c.external_id, &e};
            if (rg_store_optout_each(s, c.id, show_optout, &ho, &e) != RG_OK ||
                rg_store_event_each_for_customer(s, c.id, 0, show_event, &he, &e) != RG_OK) {
                json_decref(o);
                json_decref(ho.array);
                json_decref(he.array);
                return rg_cli_fail(cli, &e);
            }
            if (!o) {
                json_decref(ho.array);
                json_decref(he.array);
                return rg_cli_print_json(cli, NULL);
            }
            json_object_set_new(o, "optouts", ho.array);
            json_object_set_new(o, "events", he.array);
            return rg_cli_print_json(cli, o);
        }
        rg_doc doc;
        FILE *o = cli->out;
        fprintf(o, "Customer %s\n  name:      %s\n", c.external_id, c.name);
        if (c.document[0] && rg_doc_parse(c.document, strlen(c.document), &doc, NULL))
            fprintf(o, "  document:  %s (%s)\n", doc.formatted, rg_customer_kind_name(c.kind));
        fprintf(o, "  email:     %s\n  phone:     %s\n  whatsapp:  %s\n", c.email, c.phone, c.whatsapp);
        fprintf(o, "  preferred: %s\n  timezone:  %s\n  tags:      %s\n", c.preferred_channel,
                c.timezone[0] ? c.timezone : cli->config.default_timezone, c.tags);
        if (c.address.street[0] || c.address.city[0])
            fprintf(o, "  address:   %s, %s%s%s - %s, %s/%s, CEP %s\n", c.address.street,
                    c.address.number, c.address.complement[0] ? " " : "", c.address.complement,
                    c.address.district, c.address.city, c.address.state, c.address.zip);
        history_ctx h = {cli, NULL, c.external_id, &e};
        if (rg_store_optout_each(s, c.id, show_optout, &h, &e) != RG_OK ||
            rg_store_event_each_for_customer(s, c.id, 0, show_event, &h, &e) != RG_OK)
            return rg_cli_fail(cli, &e);
        return 0;
    }
    if (!strcmp(pos[0], "anonymize")) {
        if (npos != 2)
            return rg_cli_usage_error(cli, "customer", "anonymize needs the customer's EXTERNAL_ID");
        return rg_cli_customer_anonymize(cli, pos[1], rg_cli_opt(opts, "yes")->set, json);
    }
    return rg_cli_usage_error(cli, "customer", "unknown subcommand '%s' (list, show, anonymize)", pos[0]);
}
