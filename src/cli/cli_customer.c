/* regua customer list|show|anonymize */
#include <jansson.h>
#include <string.h>

#include "br/doc.h"
#include "cli/cli.h"
#include "service/json_model.h"
#include "service/json_views.h"
#include "service/views.h"

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

/* `customer show` as text. */
static void print_view(rg_cli *cli, const rg_customer_view *v)
{
    const rg_customer *c = &v->customer;
    rg_doc doc;
    FILE *o = cli->out;
    fprintf(o, "Customer %s\n  name:      %s\n", c->external_id, c->name);
    if (c->document[0] && rg_doc_parse(c->document, strlen(c->document), &doc, NULL))
        fprintf(o, "  document:  %s (%s)\n", doc.formatted, rg_customer_kind_name(c->kind));
    fprintf(o, "  email:     %s\n  phone:     %s\n  whatsapp:  %s\n", c->email, c->phone, c->whatsapp);
    fprintf(o, "  preferred: %s\n  timezone:  %s\n  tags:      %s\n", c->preferred_channel,
            c->timezone[0] ? c->timezone : cli->config.default_timezone, c->tags);
    if (c->address.street[0] || c->address.city[0])
        fprintf(o, "  address:   %s, %s%s%s - %s, %s/%s, CEP %s\n", c->address.street, c->address.number,
                c->address.complement[0] ? " " : "", c->address.complement, c->address.district, c->address.city,
                c->address.state, c->address.zip);
    char t[40];
    for (size_t i = 0; i < v->n_optouts; i++)
        fprintf(o, "  opt-out   %-9s %s  %s\n", v->optouts[i].channel, rg_cli_time(cli, v->optouts[i].at, t, sizeof t),
                v->optouts[i].how);
    for (size_t i = 0; i < v->n_events; i++) {
        const rg_view_event *ve = &v->events[i];
        fprintf(o, "  event     %s  %-20s %-10s %s\n", rg_cli_time(cli, ve->event.at, t, sizeof t), ve->event.type,
                ve->invoice[0] ? ve->invoice : "-", ve->event.source);
    }
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
        rg_customer_view v;
        if (rg_customer_view_get(s, pos[1], &v, &e) != RG_OK)
            return rg_cli_fail(cli, &e);
        int code = 0;
        if (json) {
            void *j = NULL;
            code = rg_customer_view_json(&v, &j, &e) == RG_OK ? rg_cli_print_json(cli, j) : rg_cli_fail(cli, &e);
        } else {
            print_view(cli, &v);
        }
        rg_customer_view_free(&v);
        return code;
    }
    if (!strcmp(pos[0], "anonymize")) {
        if (npos != 2)
            return rg_cli_usage_error(cli, "customer", "anonymize needs the customer's EXTERNAL_ID");
        return rg_cli_customer_anonymize(cli, pos[1], rg_cli_opt(opts, "yes")->set, json);
    }
    return rg_cli_usage_error(cli, "customer", "unknown subcommand '%s' (list, show, anonymize)", pos[0]);
}
