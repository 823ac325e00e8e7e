/* regua pix encode|decode|qr */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "br/pix.h"
#include "br/qr.h"
#include "cli/cli.h"

static int run(rg_cli *cli, int argc, char **argv);

const rg_command rg_cmd_pix = {
    "pix",
    "regua pix encode (--key KEY | --url URL) --name NAME --city CITY [--amount A] [--txid T]\n"
    "                 [--description D]\n"
    "       regua pix decode PAYLOAD [--json]\n"
    "       regua pix qr PAYLOAD --out FILE.png|FILE.svg",
    "Build, check and draw PIX BR Codes (copia e cola)",
    "encode  builds a BR Code (the PIX copia-e-cola text) as the Banco Central's manual says.\n"
    "decode  checks a BR Code (structure, CRC16, the PIX fields) and prints what it says.\n"
    "qr      draws a BR Code as a QR code image (PNG or SVG).\n\n"
    "Run 'regua pix SUBCOMMAND --help' for a subcommand's options.",
    run,
};

static const rg_command cmd_encode = {
    "pix encode",
    "regua pix encode (--key KEY | --url URL) --name NAME --city CITY [--amount A] [--txid T]\n"
    "                 [--description D]",
    "Build a PIX BR Code (copia e cola) and print it",
    "A static code carries the receiver's PIX key: a CPF or CNPJ (check digits verified), a\n"
    "phone as +55 and digits, an e-mail or a random key (EVP, a UUID). A dynamic code carries\n"
    "instead the URL of its payload at the receiver's PSP (--url; 'https://' is dropped) and\n"
    "no txid. Name (up to 25 characters) and city (up to 15) lose their accents, as the\n"
    "manual asks; longer values are cut. Without --amount the payer types the amount.\n"
    "--txid: up to 25 letters and digits (default ***, none).",
    NULL,
};

static const rg_command cmd_decode = {
    "pix decode",
    "regua pix decode PAYLOAD [--json]",
    "Check a PIX BR Code and say what it holds",
    "Checks every field's id and length, the CRC16 (tag 63) and the PIX fields (GUI\n"
    "br.gov.bcb.pix, key or URL, currency 986, country BR, name, city, txid); a malformed or\n"
    "CRC-invalid code exits 1 naming the tag and the problem. Quote the payload: it may\n"
    "contain spaces.\n"
    "JSON: {\"type\": \"static\"|\"dynamic\", \"key\", \"url\", \"description\", \"merchant_name\",\n"
    "\"merchant_city\", \"amount_cents\", \"txid\", \"crc\"}; a field the code does not carry is\n"
    "null (amount_cents null: the payer types the amount).",
    NULL,
};

static const rg_command cmd_qr = {
    "pix qr",
    "regua pix qr PAYLOAD --out FILE.png|FILE.svg",
    "Draw a PIX BR Code as a QR code image",
    "The payload is checked first (as 'regua pix decode' does). The image format follows the\n"
    "file's extension: .png (8 pixels per module) or .svg; error correction level M, a\n"
    "quiet zone of 4 modules.",
    NULL,
};

/* "label:" padded to a column (counting UTF-8 characters, not bytes). */
static void line(rg_cli *cli, const char *label, const char *value)
{
    size_t chars = 0;
    for (const char *p = label; *p; p++)
        chars += ((unsigned char)*p & 0xC0) != 0x80;
    fprintf(cli->out, "%s:%*s%s\n", label, (int)(chars < 15 ? 15 - chars : 1), "", value);
}

static int encode(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"key", true, "KEY", "the receiver's PIX key (static code)", false, NULL},
        {"url", true, "URL", "the payload's location at the PSP (dynamic code)", false, NULL},
        {"name", true, "NAME", "the receiver's name (required, up to 25 characters)", false, NULL},
        {"city", true, "CITY", "the receiver's city (required, up to 15 characters)", false, NULL},
        {"amount", true, "A", "the amount, 1234.56 or 1.234,56", false, NULL},
        {"txid", true, "T", "the transaction id (static codes; up to 25 letters and digits)", false, NULL},
        {"description", true, "D", "a description for the payer (static codes)", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[1];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &cmd_encode, argc, argv, opts, pos, 0, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    rg_pix_params p;
    memset(&p, 0, sizeof p);
    p.key = rg_cli_opt(opts, "key")->value;
    p.url = rg_cli_opt(opts, "url")->value;
    p.merchant_name = rg_cli_opt(opts, "name")->value;
    p.merchant_city = rg_cli_opt(opts, "city")->value;
    p.txid = rg_cli_opt(opts, "txid")->value;
    p.description = rg_cli_opt(opts, "description")->value;
    if ((p.key != NULL) == (p.url != NULL))
        return rg_cli_usage_error(cli, cmd_encode.name, "give --key (static code) or --url (dynamic code)");
    if (!p.merchant_name || !p.merchant_city)
        return rg_cli_usage_error(cli, cmd_encode.name, "--name and --city are required");
    rg_err e;
    rg_err_clear(&e);
    const char *amount = rg_cli_opt(opts, "amount")->value;
    if (amount) {
        const char *why = NULL;
        if (!rg_money_parse(amount, strlen(amount), false, &p.amount_cents, &why) || p.amount_cents == 0) {
            rg_err_set(&e, RG_EINVAL, "--amount", "'%s' is not a positive amount%s%s", amount,
                       why ? ": " : "", why ? why : "");
            return rg_cli_fail(cli, &e);
        }
        p.has_amount = true;
    }
    char payload[RG_PIX_PAYLOAD_MAX];
    if (rg_pix_build(&p, payload, sizeof payload, &e) != RG_OK)
        return rg_cli_fail(cli, &e);
    fprintf(cli->out, "%s\n", payload);
    return 0;
}

static const char *or_null(const char *s)
{
    return s && s[0] ? s : NULL;
}

static int decode(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"json", false, NULL, "print the result as JSON", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[1];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &cmd_decode, argc, argv, opts, pos, 1, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    if (npos != 1)
        return rg_cli_usage_error(cli, cmd_decode.name, "give the payload (quoted)");
    rg_err e;
    rg_err_clear(&e);
    rg_pix x;
    if (rg_pix_parse(pos[0], strlen(pos[0]), &x, &e) != RG_OK)
        return rg_cli_fail(cli, &e);
    if (rg_cli_opt(opts, "json")->set) {
        rg_cli_print_json(cli, json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:o, s:s?, s:s}", "type",
                                         rg_pix_type_name(x.type), "key", or_null(x.key), "url",
                                         or_null(x.url), "description", or_null(x.description),
                                         "merchant_name", or_null(x.merchant_name), "merchant_city",
                                         or_null(x.merchant_city), "amount_cents",
                                         x.has_amount ? json_integer(x.amount_cents) : json_null(), "txid",
                                         or_null(x.txid), "crc", x.crc));
        return 0;
    }
    char amt[40];
    line(cli, "type", x.type == RG_PIX_STATIC ? "static (the key is in the code)"
                                              : "dynamic (the payload is at the URL)");
    if (x.key[0])
        line(cli, "key", x.key);
    if (x.url[0])
        line(cli, "url", x.url);
    if (x.description[0])
        line(cli, "description", x.description);
    line(cli, "merchant name", x.merchant_name);
    line(cli, "merchant city", x.merchant_city);
    line(cli, "amount", x.has_amount ? rg_money_format_brl(x.amount_cents, amt, sizeof amt)
                                     : "none (the payer types it)");
    line(cli, "txid", x.txid[0] ? x.txid : "none");
    char crc[32];
    snprintf(crc, sizeof crc, "%s (valid)", x.crc);
    line(cli, "crc", crc);
    return 0;
}

static int qr(rg_cli *cli, int argc, char **argv)
{
    rg_opt opts[] = {
        {"out", true, "FILE", "the image to write: FILE.png or FILE.svg (required)", false, NULL},
        {NULL, false, NULL, NULL, false, NULL},
    };
    const char *pos[1];
    int npos;
    bool help;
    if (rg_cli_parse(cli, &cmd_qr, argc, argv, opts, pos, 1, &npos, &help) < 0)
        return 2;
    if (help)
        return 0;
    if (npos != 1)
        return rg_cli_usage_error(cli, cmd_qr.name, "give the payload (quoted)");
    const char *path = rg_cli_opt(opts, "out")->value;
    if (!path || !path[0])
        return rg_cli_usage_error(cli, cmd_qr.name, "--out FILE.png|FILE.svg is required");
    rg_err e;
    rg_err_clear(&e);
    rg_pix x;
    if (rg_pix_parse(pos[0], strlen(pos[0]), &x, &e) != RG_OK)
        return rg_cli_fail(cli, &e);
    /* the code as parsed: without the whitespace around it */
    char *text = rg_slice_dup(rg_slice_trim(rg_slice_cstr(pos[0])));
    if (!text) {
        rg_err_set(&e, RG_ENOMEM, "pix qr", "out of memory");
        return rg_cli_fail(cli, &e);
    }
    rg_status st = rg_qr_write_file(text, path, &e);
    free(text);
    if (st != RG_OK)
        return rg_cli_fail(cli, &e);
    fprintf(cli->out, "wrote %s\n", path);
    return 0;
}

static int run(rg_cli *cli, int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        rg_cli_print_help(cli, &rg_cmd_pix, NULL);
        return 0;
    }
    if (argc < 2)
        return rg_cli_usage_error(cli, "pix", "say encode, decode or qr");
    if (!strcmp(argv[1], "encode"))
        return encode(cli, argc - 2, argv + 2);
    if (!strcmp(argv[1], "decode"))
        return decode(cli, argc - 2, argv + 2);
    if (!strcmp(argv[1], "qr"))
        return qr(cli, argc - 2, argv + 2);
    return rg_cli_usage_error(cli, "pix", "unknown subcommand '%s' (encode, decode, qr)", argv[1]);
}
