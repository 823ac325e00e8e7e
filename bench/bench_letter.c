/* Measures the letter batch: adding N letters (letter page + boleto page,
 * each rendered alone and kept as PDF + JSON) to a day's directory, then
 * building the day's combined PDF and manifest. Usage: bench_letter [N]
 * (default 500); writes under /tmp/regua-bench-letter-XXXXXX and removes
 * it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "br/boleto.h"
#include "channel/letter_batch.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *BODY =
    "Prezado(a) cliente,\n\nNão identificamos até o momento o pagamento dos valores abaixo:\n\n"
    "- Mensalidade de dezembro, vencimento 10/12/2026, valor atualizado R$ 153,20\n\n"
    "Conforme o art. 43, § 2º, do Código de Defesa do Consumidor, comunicamos que, se o pagamento não for "
    "realizado ou negociado nos próximos dias, o débito poderá ser informado aos cadastros de proteção ao "
    "crédito.\n\nO boleto atualizado segue junto com esta carta.\n\nAtenciosamente,\n\nExemplo Serviços Ltda\n";

int main(int argc, char **argv)
{
    int64_t n = 500;
    if (argc > 1 && !rg_parse_i64(rg_slice_cstr(argv[1]), 1, 100000, &n))
        return 2;
    char dir[] = "/tmp/regua-bench-letter-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    rg_err e;
    rg_boleto bol;
    if (rg_boleto_encode("341", '9', rg_date_from_ymd(2026, 12, 10), 15320, "1091234567800057123457000", &bol, &e) !=
        RG_OK)
        return 1;
    rg_boleto_pdf b;
    memset(&b, 0, sizeof b);
    b.bank_code = "341";
    b.barcode = bol.barcode;
    b.linha_digitavel = bol.linha_digitavel;
    b.due_date = rg_date_from_ymd(2026, 12, 10);
    b.document_date = b.processing_date = RG_DATE_NONE;
    b.valor_documento = 15320;
    b.beneficiario_nome = "Exemplo Serviços Ltda";
    b.pagador_nome = "Maria José da Conceição";
    rg_letter l;
    memset(&l, 0, sizeof l);
    l.date = rg_date_from_ymd(2026, 12, 14);
    l.sender[0] = "Exemplo Serviços Ltda";
    l.sender[1] = "CNPJ 11.222.333/0001-81";
    l.n_sender = 2;
    l.return_line = "Remetente: Exemplo Serviços Ltda";
    l.recipient[0] = "Maria José da Conceição";
    l.recipient[1] = "Rua das Acácias, 123 apto 45";
    l.recipient[2] = "CEP 01452-000  São Paulo - SP";
    l.n_recipient = 3;
    l.body = BODY;
    l.boletos = &b;
    l.n_boletos = 1;
    rg_date day = l.date;
    double t0 = now_s();
    for (int64_t i = 0; i < n; i++) {
        char key[64], ref[96];
        snprintf(key, sizeof key, "step:bench:aviso:%lld", (long long)i);
        snprintf(ref, sizeof ref, "Ref. mensagem %lld · %s", (long long)i, key);
        l.reference = ref;
        rg_letter_manifest m = {i + 1, key, "C1", "Maria José da Conceição", "Rua das Acácias, 123 apto 45",
                                "Jardim Paulistano", "São Paulo", "SP", "01452-000", "F1"};
        bool added;
        char rel[128];
        if (rg_letter_batch_add(dir, day, &l, &m, &added, rel, sizeof rel, &e) != RG_OK || !added) {
            fprintf(stderr, "%s: %s\n", e.where, e.msg);
            return 1;
        }
    }
    double t1 = now_s();
    rg_letter_build_report r;
    if (rg_letter_batch_build(dir, day, &r, &e) != RG_OK) {
        fprintf(stderr, "%s: %s\n", e.where, e.msg);
        return 1;
    }
    double t2 = now_s();
    struct stat st;
    long long size = stat(r.pdf, &st) == 0 ? (long long)st.st_size : -1;
    printf("add %lld letters: %.2f s (%.1f ms/letter)\n", (long long)n, t1 - t0, (t1 - t0) * 1e3 / (double)n);
    printf("build the batch: %.2f s — %zu letters, %d pages, %.1f MB PDF\n", t2 - t1, r.letters, r.pages,
           (double)size / 1e6);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
