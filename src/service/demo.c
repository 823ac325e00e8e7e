#include "service/demo.h"

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "br/doc.h"
#include "service/payments.h"

static const char *const first_names[] = {
    "Ana", "Bruno", "Camila", "Diego", "Eduarda", "Felipe", "Gabriela", "Henrique", "Isabela",
    "João", "Juliana", "Lucas", "Mariana", "Mateus", "Natália", "Otávio", "Patrícia", "Rafael",
    "Sabrina", "Thiago", "Vanessa", "Vinícius", "Beatriz", "Carlos", "Débora", "Fernanda",
    "Gustavo", "Larissa", "Marcelo", "Renata", "Sérgio", "Tatiane", "Leonardo", "Priscila"};
static const char *const last_names[] = {
    "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima",
    "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes",
    "Vieira", "Barbosa", "Rocha", "Dias", "Nascimento", "Andrade", "Moreira", "Nunes", "Marques",
    "Machado", "Mendes", "Freitas", "Cardoso", "Ramos", "Teixeira", "Correia"};
static const char *const company_kinds[] = {"Comércio de Alimentos", "Distribuidora", "Clínica Médica",
                                            "Escola de Idiomas", "Materiais de Construção", "Papelaria",
                                            "Auto Peças", "Transportes", "Farmácia", "Academia"};
typedef struct city {
    const char *name, *uf, *ddd, *zip_prefix;
} city;
static const city cities[] = {
    {"São Paulo", "SP", "11", "01"},     {"Campinas", "SP", "19", "13"},
    {"Rio de Janeiro", "RJ", "21", "20"}, {"Belo Horizonte", "MG", "31", "30"},
    {"Curitiba", "PR", "41", "80"},      {"Porto Alegre", "RS", "51", "90"},
    {"Salvador", "BA", "71", "40"},      {"Recife", "PE", "81", "50"},
    {"Fortaleza", "CE", "85", "60"},     {"Goiânia", "GO", "62", "74"},
    {"Manaus", "AM", "92", "69"},        {"Florianópolis", "SC", "48", "88"},
};
static const char *const streets[] = {"Rua das Flores", "Avenida Brasil", "Rua XV de Novembro",
                                      "Rua São João", "Avenida Paulista", "Rua da Praia",
                                      "Rua Sete de Setembro", "Avenida Getúlio Vargas",
                                      "Rua Dom Pedro II", "Rua das Acácias"};
static const char *const districts[] = {"Centro", "Jardim América", "Vila Nova", "Boa Vista",
                                        "Santa Cecília", "Liberdade", "Bela Vista", "São José"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t next(rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 2685821657736338717ull;
}

static int pick(rng *r, int n)
{
    return (int)(next(r) % (uint64_t)n);
}

static void ascii_lower(const char *in, char *out, size_t n)
{
    /* e-mail local parts without accents: fold the few we use */
    static const char *const from[] = {"á", "ã", "â", "é", "ê", "í", "ó", "ô", "ú", "ç"};
    static const char to[] = {'a', 'a', 'a', 'e', 'e', 'i', 'o', 'o', 'u', 'c'};
    size_t o = 0;
    while (*in && o + 1 < n) {
        bool done = false;
        for (size_t i = 0; i < COUNT(from); i++) {
            size_t l = strlen(from[i]);
            if (!strncmp(in, from[i], l)) {
                out[o++] = to[i];
                in += l;
                done = true;
                break;
            }
        }
        if (done)
            continue;
        char c = *in++;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            out[o++] = c;
        else if (c == ' ')
            out[o++] = '.';
    }
    out[o] = '\0';
}

static void make_cpf(rng *r, char *out)
{
    char base[9], dv[2];
    do {
        for (int i = 0; i < 9; i++)
            base[i] = (char)('0' + pick(r, 10));
    } while (base[0] == base[1] && base[1] == base[2]);
    rg_cpf_check_digits(base, dv);
    memcpy(out, base, 9);
    out[9] = dv[0];
    out[10] = dv[1];
    out[11] = '\0';
}

static void make_cnpj(rng *r, char *out)
{
    char base[12], dv[2];
    for (int i = 0; i < 8; i++)
        base[i] = (char)('0' + pick(r, 10));
    memcpy(base + 8, "0001", 4);
    rg_cnpj_check_digits(base, dv);
    memcpy(out, base, 12);
    out[12] = dv[0];
    out[13] = dv[1];
    out[14] = '\0';
}

rg_status rg_demo_populate(const rg_event_env *env, rg_instant now, int n_customers, rg_demo_stats *out, rg_err *e)
{
    rg_store *s = env->store;
    rg_zones *zones = env->zones;
    rng r = {0x9E3779B97F4A7C15ull};
    rg_status rc;
    memset(out, 0, sizeof *out);
    /* today where the company is, so due dates sit around the local date */
    const rg_tz *tz = rg_zones_company(zones);
    rg_date today = rg_tz_date(tz, now);
    if ((rc = rg_store_begin(s, e)) != RG_OK)
        return rc;
    for (int i = 0; i < n_customers; i++) {
        rg_customer c;
        rg_customer_init(&c);
        bool pj = i % 8 == 7;
        const city *ct = &cities[pick(&r, (int)COUNT(cities))];
        snprintf(c.external_id, sizeof c.external_id, "CLI-%05d", i + 1);
        char local[64];
        if (pj) {
            const char *ln = last_names[pick(&r, (int)COUNT(last_names))];
            snprintf(c.name, sizeof c.name, "%s %s Ltda", company_kinds[pick(&r, (int)COUNT(company_kinds))], ln);
            make_cnpj(&r, c.document);
            c.kind = RG_KIND_PJ;
            ascii_lower(ln, local, sizeof local);
            snprintf(c.email, sizeof c.email, "financeiro@%s%d.exemplo.com.br", local, i + 1);
            rg_strlcpy(c.tags, "b2b", sizeof c.tags);
        } else {
            const char *fn = first_names[pick(&r, (int)COUNT(first_names))];
            const char *ln1 = last_names[pick(&r, (int)COUNT(last_names))];
            const char *ln2 = last_names[pick(&r, (int)COUNT(last_names))];
            snprintf(c.name, sizeof c.name, "%s %s %s", fn, ln1, ln2);
            make_cpf(&r, c.document);
            c.kind = RG_KIND_PF;
            char tmp[96];
            snprintf(tmp, sizeof tmp, "%s %s %d", fn, ln2, i + 1);
            ascii_lower(tmp, local, sizeof local);
            if (pick(&r, 10) != 0)
                snprintf(c.email, sizeof c.email, "%s@exemplo.com.br", local);
            rg_strlcpy(c.tags, pick(&r, 10) < 7 ? "plano-mensal" : "avulso", sizeof c.tags);
        }
        snprintf(c.phone, sizeof c.phone, "+55%s9%04d%04d", ct->ddd, 1000 + pick(&r, 9000), pick(&r, 10000));
        if (pick(&r, 5) != 0)
            rg_strlcpy(c.whatsapp, c.phone, sizeof c.whatsapp);
        static const char *const prefs[] = {"", "", "whatsapp", "email", "sms"};
        rg_strlcpy(c.preferred_channel, prefs[pick(&r, 5)], sizeof c.preferred_channel);
        if (!strcmp(ct->uf, "AM"))
            rg_strlcpy(c.timezone, "America/Manaus", sizeof c.timezone);
        rg_strlcpy(c.address.street, streets[pick(&r, (int)COUNT(streets))], sizeof c.address.street);
        snprintf(c.address.number, sizeof c.address.number, "%d", 10 + pick(&r, 2000));
        if (pick(&r, 4) == 0)
            snprintf(c.address.complement, sizeof c.address.complement, "Apto %d", 11 + pick(&r, 180));
        rg_strlcpy(c.address.district, districts[pick(&r, (int)COUNT(districts))], sizeof c.address.district);
        rg_strlcpy(c.address.city, ct->name, sizeof c.address.city);
        rg_strlcpy(c.address.state, ct->uf, sizeof c.address.state);
        snprintf(c.address.zip, sizeof c.address.zip, "%s%03d%03d", ct->zip_prefix, pick(&r, 1000), pick(&r, 1000));
        rg_upsert_result res;
        if ((rc = rg_store_customer_upsert(s, &c, RG_CF_ALL, now, &res, e)) != RG_OK ||
            (res == RG_UPSERT_UPDATED && (rc = rg_store_customer_wake(s, c.id, RG_WAKE_NOW, e)) != RG_OK))
            goto fail;
        out->customers++;

        int n_inv = 1 + pick(&r, 3);
        int day = 1 + pick(&r, 28); /* the customer's billing day */
        for (int k = 0; k < n_inv; k++) {
            rg_invoice inv;
            rg_invoice_init(&inv);
            snprintf(inv.external_id, sizeof inv.external_id, "FAT-%05d-%d", i + 1, k + 1);
            inv.customer_id = c.id;
            /* monthly bills: the k-th one is k months before the next due date */
            int y, m, d;
            rg_date_to_ymd(today, &y, &m, &d);
            m += 1 - k;
            while (m < 1) {
                m += 12;
                y--;
            }
            while (m > 12) {
                m -= 12;
                y++;
            }
            int dd = day > rg_days_in_month(y, m) ? rg_days_in_month(y, m) : day;
            inv.due_date = rg_date_from_ymd(y, m, dd);
            if (inv.due_date > today + 30)
                inv.due_date -= 30;
            inv.issue_date = inv.due_date - 10;
            if (pj) {
                inv.amount = 120000 + (rg_cents)pick(&r, 2400000);
                snprintf(inv.description, sizeof inv.description, "Pedido %d — fornecimento mensal", 4000 + i * 4 + k);
            } else {
                static const rg_cents plans[] = {4990, 8990, 12990, 19990, 34990, 59900, 89900};
                inv.amount = plans[pick(&r, (int)COUNT(plans))];
                snprintf(inv.description, sizeof inv.description, "Mensalidade %02d/%04d", m, y);
            }
            rg_strlcpy(inv.tags, c.tags, sizeof inv.tags);
            if (k > 0 && pick(&r, 40) == 0)
                inv.status = RG_INV_CANCELLED;
            if ((rc = rg_store_invoice_upsert(s, &inv, RG_IF_ALL, now, &res, e)) != RG_OK ||
                (res == RG_UPSERT_UPDATED && (rc = rg_store_invoice_wake(s, inv.id, RG_WAKE_NOW, e)) != RG_OK))
                goto fail;
            out->invoices++;
            /* most past bills were paid, some late; recent ones less often */
            if (inv.status == RG_INV_OPEN && inv.due_date < today) {
                int late = pick(&r, 100);
                int chance = (int)(today - inv.due_date) > 35 ? 80 : 55;
                if (late < chance) {
                    rg_payment p;
                    rg_payment_init(&p);
                    rg_strlcpy(p.invoice_external_id, inv.external_id, sizeof p.invoice_external_id);
                    p.amount = inv.amount;
                    int delay = pick(&r, 4) == 0 ? pick(&r, 12) : -pick(&r, 3);
                    rg_date paid_on = inv.due_date + delay;
                    if (paid_on > today)
                        paid_on = today;
                    int hour = 10 + pick(&r, 8), minute = pick(&r, 60);
                    p.paid_at = rg_tz_to_utc(tz, paid_on, (hour * 60 + minute) * 60);
                    p.source = pick(&r, 2) ? RG_PAY_PIX : RG_PAY_CNAB;
                    rg_strlcpy(p.method, p.source == RG_PAY_PIX ? "pix" : "boleto", sizeof p.method);
                    snprintf(p.reference, sizeof p.reference, "DEMO-%s", inv.external_id);
                    rg_payment_outcome po;
                    if ((rc = rg_payment_record(env, &p, now, &po, e)) != RG_OK)
                        goto fail;
                    out->payments++;
                }
            }
        }
    }
    return rg_store_commit(s, e);
fail:
    rg_store_rollback(s);
    return rc;
}
