/* regua cnab import FILE [--dry-run] [--accept-partial] [--json] */
#include <jansson.h>
#include <string.h>

#include "cli/cli.h"
#include "service/cnab_import.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_cnab = {
    "cnab",
    "regua cnab import FILE [--dry-run] [--accept-partial] [--json]",
    "Import a bank return file (CNAB 400 Itaú/Bradesco, CNAB 240): record boleto payments",
    "The layout and bank are detected from the header. Each liquidation is matched to its\n"
    "invoice by nosso número (leading zeros ignored), else by the document number (= the\n"
    "invoice's external id), and recorded as a payment (source cnab, method boleto, dated\n"
    "the credit date). Importing the same file again records nothing new. Entries,\n"
    "rejections and write-offs are reported, not recorded. A corrupt line is reported with\n"
    "its line number and the rest of the file is still imported; the trailer's totals are\n"
    "checked. All of a file is recorded in one transaction. A file without its trailer (cut\n"
    "in transfer, mid-line or not) records nothing and exits 1 — its report shows what it\n"
    "holds — unless --accept-partial, which records its complete lines. Exit 0 when the file\n"
    "was processed (read the report: unmatched and corrupt lines are listed there), 1 when it\n"
    "is not a supported return file or is incomplete, 3 on a database or I/O failure. See\n"
    "docs/cnab.md.",
    run,
};

#define LIST_MAX 50 /* lines listed per section in the text report; --json lists all */

static const char *bank_name(const char *bank)
{
    if (!strcmp(bank, "341"))
        return " (Itaú)";
    if (!strcmp(bank, "237"))
        return " (Bradesco)";
    return "";
}

static void sum_line(FILE *f, const char *label, const rg_cnab_import_sum *s)
{
    char m[40];
    fprintf(f, "  %-20s %8lld  %s\n", label, (long long)s->count, rg_money_format_brl(s->cents, m, sizeof m));
}

static void more(FILE *f, size_t shown, size_t total)
{
    if (total > shown)
        fprintf(f, "    ... and %zu more (--json lists them all)\n", total - shown);
}

static void print_items(FILE *f, const rg_tz *tz, const rg_cnab_import_report *r, rg_cnab_outcome o, int kind,
                        bool partial_only, bool not_open_only)
{
    size_t shown = 0, total = 0;
    char m1[40], m2[40], d[16];
    for (size_t i = 0; i < r->n_items; i++) {
        const rg_cnab_import_item *it = &r->items[i];
        if (it->outcome != o || (kind >= 0 && (int)it->kind != kind))
            continue;
        if (partial_only && !(it->was_open && it->status == RG_INV_OPEN))
            continue;
        if (not_open_only && it->was_open)
            continue;
        if (++total > LIST_MAX)
            continue;
        shown++;
        fprintf(f, "    line %zu: ", it->line);
        switch (o) {
        case RG_CNABI_UNMATCHED:
            fprintf(f, "nosso número %s, document %s, %s paid on %s\n", it->nosso_numero[0] ? it->nosso_numero : "-",
                    it->documento[0] ? it->documento : "-", rg_money_format_brl(it->amount, m1, sizeof m1),
                    rg_date_format_br(rg_tz_date(tz, it->paid_at), d, sizeof d));
            break;
        case RG_CNABI_DUPLICATE:
            fprintf(f, "%s %s, already recorded as %s\n", it->invoice, rg_money_format_brl(it->amount, m1, sizeof m1),
                    it->duplicate_of);
            break;
        case RG_CNABI_RECORDED:
            fprintf(f, "%s %s paid, balance %s, status %s", it->invoice,
                    rg_money_format_brl(it->amount, m1, sizeof m1), rg_money_format_brl(it->balance, m2, sizeof m2),
                    rg_invoice_status_name(it->status));
            if (it->discount)
                fprintf(f, " (the bank granted %s desconto/abatimento)", rg_money_format_brl(it->discount, m1, sizeof m1));
            fputc('\n', f);
            break;
        default:
            fprintf(f, "occurrence %s, nosso número %s, document %s", it->occurrence,
                    it->nosso_numero[0] ? it->nosso_numero : "-", it->documento[0] ? it->documento : "-");
            if (it->matched)
                fprintf(f, ", invoice %s (%s)", it->invoice, rg_invoice_status_name(it->status));
            if (it->reasons[0])
                fprintf(f, ", reasons %s", it->reasons);
            fputc('\n', f);
            break;
        }
    }
    more(f, shown, total);
}

static void print_text(rg_cli *cli, const rg_cnab_import_report *r)
{
    FILE *f = cli->out;
    char m1[40], m2[40], d[16];
    const char *name = r->file_name;
    fprintf(f, "%s: CNAB %d, bank %s%s", name, (int)r->layout, r->bank, bank_name(r->bank));
    if (r->generated != RG_DATE_NONE)
        fprintf(f, ", generated %s", rg_date_format_br(r->generated, d, sizeof d));
    fprintf(f, ", %zu lines\n", r->n_lines);
    if (r->incomplete && !r->accept_partial)
        fprintf(f, "INCOMPLETE: the file has no readable trailer; nothing was recorded. This is what\n"
                   "--accept-partial would record:\n");
    else if (r->dry_run)
        fprintf(f, "DRY RUN: nothing was recorded; this is what the import would do.\n");
    else if (r->incomplete)
        fprintf(f, "INCOMPLETE: the file has no readable trailer; its complete lines were recorded"
                   " (--accept-partial).\n");

    fprintf(f, "Liquidations:\n");
    sum_line(f, "recorded", &r->recorded);
    if (r->recorded.count)
        fprintf(f, "    %lld invoice(s) now paid, %lld partial, %lld on invoices that were not open\n",
                (long long)r->paid_in_full, (long long)r->partial, (long long)r->not_open);
    sum_line(f, "already recorded", &r->already);
    if (r->duplicate.count)
        sum_line(f, "duplicates", &r->duplicate);
    sum_line(f, "unmatched", &r->unmatched);
    if (r->unmatched.count) {
        fprintf(f, "Unmatched liquidations (no invoice with this nosso número or document number):\n");
        print_items(f, rg_cli_tz(cli), r, RG_CNABI_UNMATCHED, -1, false, false);
    }
    if (r->partial) {
        fprintf(f, "Partial payments (the invoice stays open):\n");
        print_items(f, rg_cli_tz(cli), r, RG_CNABI_RECORDED, -1, true, false);
    }
    if (r->not_open) {
        fprintf(f, "Payments recorded on invoices that were not open (check them):\n");
        print_items(f, rg_cli_tz(cli), r, RG_CNABI_RECORDED, -1, false, true);
    }
    if (r->duplicate.count) {
        fprintf(f, "Duplicates (the same payment came in another file; not recorded again):\n");
        print_items(f, rg_cli_tz(cli), r, RG_CNABI_DUPLICATE, -1, false, false);
    }

    static const struct {
        rg_cnab_kind kind;
        const char *label;
    } kinds[] = {{RG_CNAB_ENTRY_CONFIRMED, "entries confirmed"},
                 {RG_CNAB_REJECTED, "rejections"},
                 {RG_CNAB_WRITE_OFF, "write-offs (baixa)"},
                 {RG_CNAB_OTHER, "other"}};
    bool any = false;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        any |= r->occurrences[kinds[k].kind].count > 0;
    if (any) {
        fprintf(f, "Other occurrences (reported, nothing recorded):\n");
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            if (!r->occurrences[kinds[k].kind].count)
                continue;
            sum_line(f, kinds[k].label, &r->occurrences[kinds[k].kind]);
            print_items(f, rg_cli_tz(cli), r, RG_CNABI_OCCURRENCE, (int)kinds[k].kind, false, false);
        }
    }

    char t[400];
    if (r->n_corrupt_total) {
        fprintf(f, "Corrupt lines: %zu, skipped (the rest of the file was processed):\n", r->n_corrupt_total);
        for (size_t i = 0; i < r->n_corrupt && i < LIST_MAX; i++)
            fprintf(f, "    %s:%zu: %s: %s\n", name, r->corrupt[i].line, r->corrupt[i].field, r->corrupt[i].msg);
        more(f, r->n_corrupt < LIST_MAX ? r->n_corrupt : LIST_MAX, r->n_corrupt_total);
    } else {
        fprintf(f, "Corrupt lines: none\n");
    }
    const rg_cnab_totals *tt = &r->totals;
    if (tt->ok)
        fprintf(f, "Trailer: ok (%lld títulos, %s)\n", (long long)tt->declared_count,
                rg_money_format_brl(tt->declared_total, m1, sizeof m1));
    else if (!tt->present)
        fprintf(f, "Trailer: MISSING or unreadable: the file may be incomplete\n");
    else
        fprintf(f, "Trailer: MISMATCH: declares %lld títulos, %s; the file has %lld, %s\n",
                (long long)tt->declared_count, rg_money_format_brl(tt->declared_total, m1, sizeof m1),
                (long long)tt->counted, rg_money_format_brl(tt->summed, m2, sizeof m2));
    for (size_t i = 0; i < r->n_trailer_issues; i++) {
        snprintf(t, sizeof t, "%s:%zu: %s: %s", name, r->trailer_issues[i].line, r->trailer_issues[i].field,
                 r->trailer_issues[i].msg);
        fprintf(f, "    %s\n", t);
    }
}

static int run(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"dry-run", false, NULL, "do everything, report it, and record nothing", false, NULL},
        {"accept-partial", false, NULL, "record the complete lines of a file without its trailer", false, NULL},
        {"json", false, NULL, "print the report as JSON", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[2];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &rg_cmd_cnab, argc - 1, argv + 1, opts, pos, 2, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    if (npos < 1 || strcmp(pos[0], "import"))
        return rg_cli_usage_error(cli, "cnab", "say 'import FILE', e.g. 'regua cnab import CN16036A.RET'");
    if (npos != 2)
        return rg_cli_usage_error(cli, "cnab", "import needs the return FILE");
    const rg_event_env *env = rg_cli_events(cli);
    if (!env)
        return 3;
    rg_cnab_import_report r;
    rg_err e;
    rg_err_clear(&e);
    unsigned flags = (rg_cli_opt(opts, "dry-run")->set ? RG_CNABI_DRY_RUN : 0u) |
                     (rg_cli_opt(opts, "accept-partial")->set ? RG_CNABI_ACCEPT_PARTIAL : 0u);
    rg_status rc = rg_cnab_import_file(env, pos[1], flags, rg_cli_now(cli), &r, &e);
    bool refused = rc == RG_EINVAL && r.incomplete; /* the report says what the file holds */
    if (rc != RG_OK && !refused) {
        rg_cnab_import_report_free(&r);
        return rg_cli_fail(cli, &e);
    }
    int jrc = 0;
    if (rg_cli_opt(opts, "json")->set)
        jrc = rg_cli_print_json(cli, rg_cnab_import_report_json(&r));
    else
        print_text(cli, &r);
    if (refused) {
        rg_cnab_import_report_free(&r);
        return rg_cli_fail(cli, &e);
    }
    if (!rg_cnab_import_clean(&r))
        fprintf(cli->err, "%s: %s: %zu corrupt line(s) skipped, trailer %s; see the report\n", cli->prog,
                r.file_name, r.n_corrupt_total, r.totals.ok ? "ok" : r.totals.present ? "does not match" : "missing");
    rg_cnab_import_report_free(&r);
    return jrc;
}
