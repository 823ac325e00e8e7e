#include "service/invoice_boleto.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "br/campo_livre.h"
#include "br/doc.h"
#include "br/fees.h"

/* Reads the account data a campo livre carries, per the layouts of
 * br/campo_livre.c (positions 0-based within the 25 digits):
 *   341 Itaú       carteira[0,3) NN[3,11) DAC[11] agência[12,16) conta[16,21) DAC[21]
 *                  (carteiras 106 107 122 142 143 195 196 198 carry no agência)
 *   237 Bradesco   agência[0,4) carteira[4,6) NN[6,17) conta[17,24)
 *   756 Sicoob     carteira[0] cooperativa[1,5) modalidade[5,7) cliente[7,14)
 *   033 Santander  "9" beneficiário[1,8) ... carteira[22,25)
 *   104 Caixa      beneficiário[0,6) DV[6] ... modalidade[10] (1 RG, 2 SR)
 *   001 BB         convênio 4/6: agência[11,15) conta[15,23) carteira[23,25);
 *                  convênio 7 ("000000" first): carteira[23,25); the 17-digit
 *                  NN layout (ends "21") carries neither. */
void rg_invoice_boleto_account(const char *bank, const char *campo_livre, char ag[40], char cart[8])
{
    static const char *const itau_special[] = {"106", "107", "122", "142", "143", "195", "196", "198"};
    const char *cl = campo_livre;
    ag[0] = '\0';
    cart[0] = '\0';
    if (!bank || !cl || strlen(cl) != 25 || strspn(cl, "0123456789") != 25)
        return;
    if (!strcmp(bank, "341")) {
        snprintf(cart, 8, "%.3s", cl);
        for (size_t i = 0; i < sizeof itau_special / sizeof itau_special[0]; i++)
            if (!strncmp(cl, itau_special[i], 3))
                return;
        snprintf(ag, 40, "%.4s / %.5s-%c", cl + 12, cl + 16, cl[21]);
    } else if (!strcmp(bank, "237")) {
        snprintf(cart, 8, "%.2s", cl + 4);
        snprintf(ag, 40, "%.4s / %.7s", cl, cl + 17);
    } else if (!strcmp(bank, "756")) {
        snprintf(cart, 8, "%.1s", cl);
        snprintf(ag, 40, "%.4s / %.7s", cl + 1, cl + 7);
    } else if (!strcmp(bank, "033")) {
        if (cl[0] != '9')
            return;
        snprintf(cart, 8, "%.3s", cl + 22);
        snprintf(ag, 40, "%.7s", cl + 1);
    } else if (!strcmp(bank, "104")) {
        if (cl[10] == '1' || cl[10] == '2')
            snprintf(cart, 8, "%s", cl[10] == '1' ? "RG" : "SR");
        snprintf(ag, 40, "%.6s-%c", cl, cl[6]);
    } else if (!strcmp(bank, "001")) {
        if (!strncmp(cl, "000000", 6)) {
            snprintf(cart, 8, "%.2s", cl + 23);
        } else if (strcmp(cl + 23, "21") != 0) {
            snprintf(cart, 8, "%.2s", cl + 23);
            snprintf(ag, 40, "%.4s / %.8s", cl + 11, cl + 15);
        }
    }
}

/* "2,00%" */
static void pct_br(int64_t hundredths, char *buf, size_t n)
{
    snprintf(buf, n, "%" PRId64 ",%02" PRId64 "%%", hundredths / 100, hundredths % 100);
}

/* Appends a piece to an address line, separated by sep when not first. */
static void addr_add(char *line, size_t cap, const char *sep, const char *piece)
{
    if (!piece || !piece[0])
        return;
    size_t used = strlen(line);
    if (used >= cap - 1)
        return;
    snprintf(line + used, cap - used, "%s%s", used ? sep : "", piece);
}

static void pagador_address(const rg_address *a, char *l1, size_t n1, char *l2, size_t n2)
{
    l1[0] = l2[0] = '\0';
    addr_add(l1, n1, "", a->street);
    addr_add(l1, n1, ", ", a->number);
    addr_add(l1, n1, " - ", a->complement);
    addr_add(l1, n1, " - ", a->district);
    char cep[16] = "", city[96] = "";
    if (strlen(a->zip) == 8)
        snprintf(cep, sizeof cep, "CEP %.5s-%.3s", a->zip, a->zip + 5);
    else if (a->zip[0])
        snprintf(cep, sizeof cep, "CEP %s", a->zip);
    addr_add(city, sizeof city, "", a->city);
    addr_add(city, sizeof city, "/", a->state);
    addr_add(l2, n2, "", cep);
    addr_add(l2, n2, " - ", city);
}

rg_status rg_invoice_boleto_prepare(const rg_invoice *inv, const rg_customer *c, const rg_config *cfg,
                                    rg_date today, rg_invoice_boleto *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    const char *code = inv->barcode[0] ? inv->barcode : inv->linha_digitavel;
    const char *form = inv->barcode[0] ? "barcode" : "linha digitável";
    char where[120];
    snprintf(where, sizeof where, "invoice %s", inv->external_id);
    if (!code[0])
        return rg_err_set(e, RG_EINVAL, where, "has no boleto (neither a linha digitável nor a barcode)");
    rg_boleto b;
    if (rg_boleto_decode(code, strlen(code), today, &b, e) != RG_OK) {
        char w[200];
        snprintf(w, sizeof w, "%s: %s", where, form);
        rg_err_prefix(e, w);
        return RG_EINVAL;
    }
    if (inv->barcode[0] && inv->linha_digitavel[0]) {
        char bc[45] = "";
        if (strlen(inv->linha_digitavel) != 47 ||
            rg_boleto_linha_to_barcode(inv->linha_digitavel, bc, e) != RG_OK || strcmp(bc, b.barcode) != 0)
            return rg_err_set(e, RG_EINVAL, where,
                              "its linha digitável and its barcode are different codes");
    }
    if (inv->boleto_bank[0] && strcmp(inv->boleto_bank, b.bank) != 0)
        return rg_err_set(e, RG_EINVAL, where,
                          "boleto_bank is %s but its boleto's code is from bank %s", inv->boleto_bank,
                          b.bank);

    out->code = b;
    rg_boleto_pdf *p = &out->pdf;
    p->bank_code = out->code.bank;
    p->bank_name = rg_campo_livre_bank_name(out->code.bank);
    p->barcode = out->code.barcode;
    p->linha_digitavel = out->code.linha_digitavel;

    /* The barcode is what the bank collects: its date and amount win; a
     * code without them (factor 0000, amount 0) prints the invoice's. */
    if (b.due_date != RG_DATE_NONE)
        p->due_date = b.due_date;
    else
        p->due_date = inv->reissued_due_date != RG_DATE_NONE ? inv->reissued_due_date : inv->due_date;
    if (b.amount_cents > 0)
        p->valor_documento = b.amount_cents;
    else
        p->valor_documento = inv->reissued_due_date != RG_DATE_NONE && inv->reissued_amount > 0
                                 ? inv->reissued_amount
                                 : inv->amount;
    p->document_date = inv->issue_date;
    p->processing_date = today;

    p->beneficiario_nome = cfg->company.name;
    p->beneficiario_doc = cfg->company.cnpj_formatted[0] ? cfg->company.cnpj_formatted : cfg->company.cnpj;
    p->beneficiario_endereco = cfg->company.address;
    rg_invoice_boleto_account(out->code.bank, out->code.campo_livre, out->agencia_codigo, out->carteira);
    p->agencia_codigo = out->agencia_codigo;
    p->carteira = out->carteira;

    p->numero_documento = inv->external_id;
    p->nosso_numero = inv->nosso_numero;

    if (c) {
        p->pagador_nome = c->name;
        rg_doc d;
        if (c->document[0] && rg_doc_parse(c->document, strlen(c->document), &d, NULL))
            snprintf(out->pagador_doc, sizeof out->pagador_doc, "%s", d.formatted);
        else
            snprintf(out->pagador_doc, sizeof out->pagador_doc, "%s", c->document);
        p->pagador_doc = out->pagador_doc;
        pagador_address(&c->address, out->pagador_endereco1, sizeof out->pagador_endereco1,
                        out->pagador_endereco2, sizeof out->pagador_endereco2);
        p->pagador_endereco1 = out->pagador_endereco1;
        p->pagador_endereco2 = out->pagador_endereco2;
    }

    char *ins = out->instrucoes;
    size_t cap = sizeof out->instrucoes;
    if (inv->description[0])
        snprintf(ins + strlen(ins), cap - strlen(ins), "Referente a: %s\n", inv->description);
    char pct[32];
    /* a consumer's fine is at most 2% (CDC art. 52 §1), whatever is stored */
    int64_t fine_pct = c && c->kind == RG_KIND_PF && inv->fine_pct > RG_FEE_FINE_MAX_PF ? RG_FEE_FINE_MAX_PF
                                                                                         : inv->fine_pct;
    if (fine_pct > 0) {
        pct_br(fine_pct, pct, sizeof pct);
        snprintf(ins + strlen(ins), cap - strlen(ins), "Após o vencimento, cobrar multa de %s.\n", pct);
    }
    if (inv->interest_month_pct > 0) {
        pct_br(inv->interest_month_pct, pct, sizeof pct);
        snprintf(ins + strlen(ins), cap - strlen(ins),
                 "Após o vencimento, cobrar juros de mora de %s ao mês (pro rata die).\n", pct);
    }
    if (inv->pix_code[0]) {
        out->hibrido = true;
        p->pix_copia_cola = inv->pix_code;
        snprintf(ins + strlen(ins), cap - strlen(ins),
                 "Pague também com Pix: QR Code e Pix Copia e Cola no recibo do pagador.\n");
    }
    p->instrucoes = ins;
    return RG_OK;
}
