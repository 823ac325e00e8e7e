/* regua boleto encode|decode|pdf */
#include <jansson.h>
#include <string.h>

#include "br/boleto.h"
#include "br/boleto_pdf.h"
#include "br/campo_livre.h"
#include "cli/cli.h"
#include "service/invoice_boleto.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_boleto = {
    "boleto",
    "regua boleto encode --bank NNN --due DATE --amount A (--campo-livre 25DIGITS | BANK FIELDS) [--json]\n"
    "       regua boleto decode CODE [--json]\n"
    "       regua boleto pdf INVOICE_EXTERNAL_ID --out FILE.pdf",
    "Build, check and print boletos (barcode, linha digitável, PDF)",
    "encode  builds the 44-digit barcode and the 47-digit linha digitável of a boleto\n"
    "        bancário from its bank, due date, amount and campo livre (given, or built from\n"
    "        the bank's fields: Banco do Brasil, Santander, Caixa, Bradesco, Itaú, Sicoob).\n"
    "decode  reads a barcode or linha digitável (boleto or arrecadação), checks every\n"
    "        check digit and prints what it says.\n"
    "pdf     prints an invoice's boleto (with the PIX QR code when it has one) as a PDF.\n\n"
    "Run 'regua boleto SUBCOMMAND --help' for a subcommand's options.",
    run,
};

static const rg_command cmd_encode = {
    "boleto encode",
    "regua boleto encode --bank NNN --due DATE --amount A (--campo-livre 25DIGITS | BANK FIELDS) [--json]",
    "Build a boleto's barcode and linha digitável",
    "The due date becomes the fator de vencimento (days since 1997-10-07; it restarted at 1000\n"
    "on 2025-02-22); '--due none' gives factor 0000 (no due date). The amount accepts 1234.56\n"
    "or 1.234,56 (0 leaves it to the payer). Give either the 25-digit campo livre or the bank's\n"
    "fields, without their check digits:\n"
    "  001 Banco do Brasil  --convenio (4, 6 or 7 digits) --nosso-numero --carteira,\n"
    "                       and --agencia --conta for convênios of 4 or 6 digits\n"
    "  033 Santander        --codigo-beneficiario --nosso-numero --carteira\n"
    "  104 Caixa (SIGCB)    --codigo-beneficiario --nosso-numero [--carteira 1|2]\n"
    "  237 Bradesco         --agencia --carteira --nosso-numero --conta\n"
    "  341 Itaú             --carteira --nosso-numero --agencia --conta (carteiras 106, 107,\n"
    "                       122, 142, 143, 195, 196, 198 also --seu-numero --codigo-beneficiario)\n"
    "  756 Sicoob           --agencia (cooperativa) --codigo-beneficiario --nosso-numero\n"
    "                       [--carteira 1] [--modalidade 01] [--parcela 001]\n"
    "The nosso número is printed as the bank prints it (with its check digit).\n"
    "JSON: {\"barcode\", \"linha_digitavel\", \"nosso_numero\"} (null with --campo-livre).",
    NULL,
};

static const rg_command cmd_decode = {
    "boleto decode",
    "regua boleto decode CODE [--json]",
    "Check a barcode or linha digitável and say what it holds",
    "CODE is a boleto bancário's barcode (44 digits) or linha digitável (47), or an\n"
    "arrecadação code (48 digits starting with 8, or its 44-digit barcode); dots, spaces\n"
    "and hyphens are ignored, so a pasted linha may even be split over several arguments.\n"
    "Every check digit is verified; a wrong one exits 1 naming the check, the expected and\n"
    "the found digit. The fator de vencimento names one date per 9000-day cycle; the cycle\n"
    "is the one inside FEBRABAN's window around today (Brasília date of the clock, so\n"
    "--now changes it).\n"
    "JSON (boleto): {\"type\": \"bancario\", \"bank\", \"currency\", \"due_date\" (null for factor\n"
    "0000), \"amount_cents\", \"campo_livre\", \"barcode\", \"linha_digitavel\"}.\n"
    "JSON (arrecadação): {\"type\": \"arrecadacao\", \"segment\", \"value_type\" (real or\n"
    "reference), \"amount_cents\" (null unless the value is money), \"barcode\",\n"
    "\"linha_digitavel\"}.",
    NULL,
};

static const rg_command cmd_pdf = {
    "boleto pdf",
    "regua boleto pdf INVOICE_EXTERNAL_ID --out FILE.pdf",
    "Print an invoice's boleto as a PDF",
    "The invoice's linha digitável (or barcode) comes from the database and is checked again;\n"
    "an invoice without one exits 1. Beneficiário: the config's company (name, CNPJ,\n"
    "address); pagador: the customer (name, CPF/CNPJ, postal address). An invoice with a\n"
    "PIX copia-e-cola gets its QR code too (boleto híbrido). One A4 page: recibo do pagador\n"
    "and ficha de compensação with the ITF barcode — the page the letters use.",
    NULL,
};

/* "label:" padded to a column (counting UTF-8 characters, not bytes). */
static void line(rg_cli *cli, const char *label, const char *value)
{
    size_t chars = 0;
    for (const char *p = label; *p; p++)
        chars += ((unsigned char)*p & 0xC0) != 0x80;
    fprintf(cli->out, "%s:%*s%s\n", label, (int)(chars < 17 ? 17 - chars : 1), "", value);
}

static int encode(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"bank", true, "NNN", "the bank's 3-digit code (required)", false, NULL},
        {"due", true, "DATE", "due date, 2026-12-10 or 10/12/2026, or 'none' (required)", false, NULL},
        {"amount", true, "A", "the amount, 1234.56 or 1.234,56 (required)", false, NULL},
        {"campo-livre", true, "25DIGITS", "the campo livre as the bank gave it", false, NULL},
        {"agencia", true, "N", "agência (cooperativa for Sicoob), without DV", false, NULL},
        {"conta", true, "N", "conta corrente, without DV", false, NULL},
        {"carteira", true, "N", "carteira", false, NULL},
        {"nosso-numero", true, "N", "nosso número, without DV", false, NULL},
        {"convenio", true, "N", "convênio (Banco do Brasil)", false, NULL},
        {"codigo-beneficiario", true, "N", "código do beneficiário / do cliente", false, NULL},
        {"seu-numero", true, "N", "seu número (Itaú special carteiras)", false, NULL},
        {"modalidade", true, "N", "modalidade (Sicoob, default 01)", false, NULL},
        {"parcela", true, "N", "parcela (Sicoob, default 001)", false, NULL},
        {"json", false, NULL, "print the result as JSON", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    static const char *const field_opts[] = {"agencia",  "conta",      "carteira",   "nosso-numero",
                                             "convenio", "codigo-beneficiario", "seu-numero",
                                             "modalidade", "parcela"};
    const char *pos[1];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &cmd_encode, argc, argv, opts, pos, 0, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    const char *bank = rg_cli_opt(opts, "bank")->value;
    const char *due_s = rg_cli_opt(opts, "due")->value;
    const char *amount_s = rg_cli_opt(opts, "amount")->value;
    const char *cl_s = rg_cli_opt(opts, "campo-livre")->value;
    if (!bank || !due_s || !amount_s)
        return rg_cli_usage_error(cli, cmd_encode.name, "--bank, --due and --amount are required");
    bool any_field = false;
    for (size_t i = 0; i < sizeof field_opts / sizeof field_opts[0]; i++)
        any_field = any_field || rg_cli_opt(opts, field_opts[i])->set;
    if (cl_s && any_field)
        return rg_cli_usage_error(cli, cmd_encode.name,
                                  "give either --campo-livre or the bank's fields, not both");
    if (!cl_s && !any_field)
        return rg_cli_usage_error(cli, cmd_encode.name,
                                  "give --campo-livre or the bank's fields (--agencia, --conta, "
                                  "--carteira, --nosso-numero, ...)");
    rg_err e;
    rg_err_clear(&e);
    rg_date due = RG_DATE_NONE;
    if (strcmp(due_s, "none") != 0 && !rg_date_parse(due_s, strlen(due_s), &due)) {
        rg_err_set(&e, RG_EINVAL, "--due", "'%s' is not a date (2026-12-10 or 10/12/2026) nor 'none'", due_s);
        return rg_cli_fail(cli, &e);
    }
    rg_cents amount = 0;
    const char *why = NULL;
    if (!rg_money_parse(amount_s, strlen(amount_s), false, &amount, &why)) {
        rg_err_set(&e, RG_EINVAL, "--amount", "'%s' is not an amount%s%s", amount_s, why ? ": " : "",
                   why ? why : "");
        return rg_cli_fail(cli, &e);
    }
    rg_campo_livre built;
    memset(&built, 0, sizeof built);
    const char *campo_livre = cl_s;
    if (!cl_s) {
        rg_boleto_fields f = {
            rg_cli_opt(opts, "agencia")->value,      rg_cli_opt(opts, "conta")->value,
            rg_cli_opt(opts, "carteira")->value,     rg_cli_opt(opts, "nosso-numero")->value,
            rg_cli_opt(opts, "convenio")->value,     rg_cli_opt(opts, "codigo-beneficiario")->value,
            rg_cli_opt(opts, "seu-numero")->value,   rg_cli_opt(opts, "modalidade")->value,
            rg_cli_opt(opts, "parcela")->value,
        };
        if (rg_campo_livre_build(bank, &f, &built, &e) != RG_OK)
            return rg_cli_fail(cli, &e);
        campo_livre = built.campo_livre;
    }
    rg_boleto b;
    if (rg_boleto_encode(bank, '9', due, amount, campo_livre, &b, &e) != RG_OK)
        return rg_cli_fail(cli, &e);
    if (rg_cli_opt(opts, "json")->set) {
        rg_cli_print_json(cli, json_pack("{s:s, s:s, s:s?}", "barcode", b.barcode, "linha_digitavel",
                                         b.linha_digitavel, "nosso_numero",
                                         cl_s ? NULL : built.nosso_numero));
        return 0;
    }
    line(cli, "barcode", b.barcode);
    line(cli, "linha digitável", b.linha_formatted);
    if (!cl_s)
        line(cli, "nosso número", built.nosso_numero);
    return 0;
}

static int decode(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"json", false, NULL, "print the result as JSON", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[12];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &cmd_decode, argc, argv, opts, pos, 12, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    if (npos < 1)
        return rg_cli_usage_error(cli, cmd_decode.name, "give the barcode or linha digitável");
    /* the pieces of a code split by the shell, rejoined */
    char code[256] = "";
    for (int i = 0; i < npos; i++) {
        size_t used = strlen(code);
        if (snprintf(code + used, sizeof code - used, "%s%s", i ? " " : "", pos[i]) >=
            (int)(sizeof code - used)) {
            rg_err e;
            rg_err_set(&e, RG_EINVAL, "code", "too long for a payment code (%zu characters or more)",
                       sizeof code);
            return rg_cli_fail(cli, &e);
        }
    }
    rg_err e;
    rg_err_clear(&e);
    rg_code c;
    if (rg_code_decode(code, strlen(code), rg_cli_today(cli), &c, &e) != RG_OK)
        return rg_cli_fail(cli, &e);
    bool json = rg_cli_opt(opts, "json")->set;
    char buf[64], amt[40];
    if (c.type == RG_CODE_ARRECADACAO) {
        const rg_arrecadacao *a = &c.arrec;
        if (json) {
            rg_cli_print_json(cli, json_pack("{s:s, s:s, s:s, s:o, s:s, s:s}", "type", "arrecadacao",
                                             "segment", a->segment, "value_type",
                                             rg_arrec_value_type_name(a->value_id[0]), "amount_cents",
                                             a->value_is_money ? json_integer(a->amount_cents) : json_null(),
                                             "barcode", a->barcode, "linha_digitavel", a->linha_digitavel));
            return 0;
        }
        line(cli, "type", "arrecadação (convênio)");
        snprintf(buf, sizeof buf, "%s (%s)", a->segment, rg_arrec_segment_name(a->segment[0]));
        line(cli, "segment", buf);
        if (a->value_is_money) {
            line(cli, "value type", "real (the value is the amount)");
            line(cli, "amount", rg_money_format_brl(a->amount_cents, amt, sizeof amt));
        } else {
            line(cli, "value type", "reference (the value is not money)");
            snprintf(buf, sizeof buf, "%lld", (long long)a->value);
            line(cli, "value", buf);
        }
        line(cli, "company", a->company);
        line(cli, "barcode", a->barcode);
        line(cli, "linha digitável", a->linha_formatted);
        return 0;
    }
    const rg_boleto *b = &c.boleto;
    char due[16] = "";
    if (b->due_date != RG_DATE_NONE)
        rg_date_format_iso(b->due_date, due, sizeof due);
    if (json) {
        rg_cli_print_json(cli, json_pack("{s:s, s:s, s:s, s:s?, s:I, s:s, s:s, s:s}", "type", "bancario",
                                         "bank", b->bank, "currency", b->currency, "due_date",
                                         due[0] ? due : NULL, "amount_cents", (json_int_t)b->amount_cents,
                                         "campo_livre", b->campo_livre, "barcode", b->barcode,
                                         "linha_digitavel", b->linha_digitavel));
        return 0;
    }
    line(cli, "type", "boleto bancário");
    const char *bank_name = rg_campo_livre_bank_name(b->bank);
    snprintf(buf, sizeof buf, "%s%s%s", b->bank, bank_name ? " " : "", bank_name ? bank_name : "");
    line(cli, "bank", buf);
    line(cli, "currency", b->currency[0] == '9' ? "9 (real)" : "0 (other currency)");
    if (due[0])
        snprintf(buf, sizeof buf, "%s (fator %04d)", due, b->factor);
    else
        snprintf(buf, sizeof buf, "none (fator 0000)");
    line(cli, "due date", buf);
    line(cli, "amount", b->amount_cents ? rg_money_format_brl(b->amount_cents, amt, sizeof amt)
                                        : "none (the payer fills it in)");
    line(cli, "campo livre", b->campo_livre);
    line(cli, "barcode", b->barcode);
    line(cli, "linha digitável", b->linha_formatted);
    return 0;
}

static int pdf(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"out", true, "FILE.pdf", "where to write the PDF (required)", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[1];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &cmd_pdf, argc, argv, opts, pos, 1, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    if (npos != 1)
        return rg_cli_usage_error(cli, cmd_pdf.name, "name the invoice by its external id");
    const char *path = rg_cli_opt(opts, "out")->value;
    if (!path || !path[0])
        return rg_cli_usage_error(cli, cmd_pdf.name, "--out FILE.pdf is required");
    rg_store *s = rg_cli_store(cli);
    if (!s)
        return 3;
    rg_err e;
    rg_err_clear(&e);
    rg_invoice inv;
    rg_customer cust;
    if (rg_store_invoice_get(s, pos[0], &inv, &e) != RG_OK ||
        rg_store_customer_get_by_id(s, inv.customer_id, &cust, &e) != RG_OK)
        return rg_cli_fail(cli, &e);
    rg_invoice_boleto ib;
    if (rg_invoice_boleto_prepare(&inv, &cust, &cli->config, rg_cli_today(cli), &ib, &e) != RG_OK ||
        rg_boleto_pdf_write_file(&ib.pdf, 1, path, &e) != RG_OK)
        return rg_cli_fail(cli, &e);
    char due[16], amt[40];
    fprintf(cli->out, "wrote %s: invoice %s, bank %s, due %s, %s%s\n", path, inv.external_id, ib.code.bank,
            rg_date_format_br(ib.pdf.due_date, due, sizeof due),
            rg_money_format_brl(ib.pdf.valor_documento, amt, sizeof amt),
            ib.hibrido ? ", with the PIX QR code (boleto híbrido)" : "");
    return 0;
}

static int run(rg_cli *cli, int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        rg_cli_print_help(cli, &rg_cmd_boleto, NULL);
        return 0;
    }
    if (argc < 2)
        return rg_cli_usage_error(cli, "boleto", "say encode, decode or pdf");
    if (!strcmp(argv[1], "encode"))
        return encode(cli, argc - 2, argv + 2);
    if (!strcmp(argv[1], "decode"))
        return decode(cli, argc - 2, argv + 2);
    if (!strcmp(argv[1], "pdf"))
        return pdf(cli, argc - 2, argv + 2);
    return rg_cli_usage_error(cli, "boleto", "unknown subcommand '%s' (encode, decode, pdf)", argv[1]);
}
