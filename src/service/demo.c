#include "service/demo.h"

#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "br/boleto.h"
#include "br/campo_livre.h"
#include "br/doc.h"
#include "br/pix.h"
#include "service/agreements.h"
#include "service/inbound.h"
#include "service/payments.h"
#include "service/users.h"
#include <sodium.h>
#include <stdlib.h>

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

/* One invoice of the history: who, when, and how its customer behaves. */
typedef enum {
    PAYS_ON_TIME,   /* pays a few days before the due date */
    PAYS_ON_NUDGE,  /* pays 1-3 days after a reminder (before or after the due date) */
    PAYS_LATE,      /* pays 10-50 days after the due date, whatever we send */
    PAYS_IF_OVERDUE, /* pays 1-3 days after a message once overdue */
    PROMISES_KEEPS, /* promises through the portal once overdue, and pays on that date */
    PROMISES_BREAKS, /* promises, does not pay by then; later pays on a nudge */
    DISPUTES,       /* contests the bill once overdue, never pays */
    AGREES,         /* a week overdue, splits it in installments (acordo) */
    NEVER_PAYS      /* the tail */
} behaviour;

typedef struct demo_invoice {
    int customer;
    char ext[40];
    rg_date issue, due;
    rg_cents amount;
    const char *tags;
    int64_t id;     /* 0 until issued */
    behaviour how;
    rg_date pay_on; /* RG_DATE_NONE: not decided (yet) */
    bool paid, acted; /* acted: promised or disputed already */
} demo_invoice;

typedef struct demo {
    const rg_event_env *env;
    rng r;
    rg_date today, start;
    const rg_tz *tz;
    char (*cust_ext)[16];
    demo_invoice *inv;
    size_t n_inv, cap_inv;
    size_t *by_id; /* invoice id -> index + 1 */
    int64_t n_by_id;
    rg_message *msgs;
    size_t n_msgs, cap_msgs;
    int64_t last_msg;
    rg_demo_stats *st;
    const rg_config *config;
} demo;

static demo_invoice *new_invoice(demo *d, rg_err *e)
{
    if (d->n_inv == d->cap_inv) {
        d->cap_inv = d->cap_inv ? d->cap_inv * 2 : 1024;
        demo_invoice *v = realloc(d->inv, d->cap_inv * sizeof *v);
        if (!v) {
            rg_err_set(e, RG_ENOMEM, "demo", "out of memory");
            return NULL;
        }
        d->inv = v;
    }
    demo_invoice *iv = &d->inv[d->n_inv++];
    memset(iv, 0, sizeof *iv);
    return iv;
}

static rg_status map_id(demo *d, int64_t id, size_t k, rg_err *e)
{
    if (id >= d->n_by_id) {
        int64_t n = id * 2 + 64;
        size_t *v = realloc(d->by_id, (size_t)n * sizeof *v);
        if (!v)
            return rg_err_set(e, RG_ENOMEM, "demo", "out of memory");
        memset(v + d->n_by_id, 0, (size_t)(n - d->n_by_id) * sizeof *v);
        d->by_id = v;
        d->n_by_id = n;
    }
    d->by_id[id] = k + 1;
    return RG_OK;
}

static rg_status make_customer(demo *d, int i, rg_instant at, rg_err *e)
{
    rng *r = &d->r;
    rg_customer c;
    rg_customer_init(&c);
    bool pj = i % 8 == 7;
    const city *ct = &cities[pick(r, (int)COUNT(cities))];
    snprintf(c.external_id, sizeof c.external_id, "CLI-%05d", i + 1);
    rg_strlcpy(d->cust_ext[i], c.external_id, sizeof d->cust_ext[i]);
    char local[64];
    if (pj) {
        const char *ln = last_names[pick(r, (int)COUNT(last_names))];
        snprintf(c.name, sizeof c.name, "%s %s Ltda", company_kinds[pick(r, (int)COUNT(company_kinds))], ln);
        make_cnpj(r, c.document);
        c.kind = RG_KIND_PJ;
        ascii_lower(ln, local, sizeof local);
        snprintf(c.email, sizeof c.email, "financeiro@%s%d.exemplo.com.br", local, i + 1);
        rg_strlcpy(c.tags, "b2b", sizeof c.tags);
    } else {
        const char *fn = first_names[pick(r, (int)COUNT(first_names))];
        const char *ln1 = last_names[pick(r, (int)COUNT(last_names))];
        const char *ln2 = last_names[pick(r, (int)COUNT(last_names))];
        snprintf(c.name, sizeof c.name, "%s %s %s", fn, ln1, ln2);
        make_cpf(r, c.document);
        c.kind = RG_KIND_PF;
        char tmp[96];
        snprintf(tmp, sizeof tmp, "%s %s %d", fn, ln2, i + 1);
        ascii_lower(tmp, local, sizeof local);
        if (pick(r, 10) != 0)
            snprintf(c.email, sizeof c.email, "%s@exemplo.com.br", local);
        rg_strlcpy(c.tags, pick(r, 10) < 7 ? "plano-mensal" : "avulso", sizeof c.tags);
    }
    snprintf(c.phone, sizeof c.phone, "+55%s9%04d%04d", ct->ddd, 1000 + pick(r, 9000), pick(r, 10000));
    if (pick(r, 5) != 0)
        rg_strlcpy(c.whatsapp, c.phone, sizeof c.whatsapp);
    static const char *const prefs[] = {"", "", "whatsapp", "email", "sms"};
    rg_strlcpy(c.preferred_channel, prefs[pick(r, 5)], sizeof c.preferred_channel);
    if (!strcmp(ct->uf, "AM"))
        rg_strlcpy(c.timezone, "America/Manaus", sizeof c.timezone);
    rg_strlcpy(c.address.street, streets[pick(r, (int)COUNT(streets))], sizeof c.address.street);
    snprintf(c.address.number, sizeof c.address.number, "%d", 10 + pick(r, 2000));
    if (pick(r, 4) == 0)
        snprintf(c.address.complement, sizeof c.address.complement, "Apto %d", 11 + pick(r, 180));
    rg_strlcpy(c.address.district, districts[pick(r, (int)COUNT(districts))], sizeof c.address.district);
    rg_strlcpy(c.address.city, ct->name, sizeof c.address.city);
    rg_strlcpy(c.address.state, ct->uf, sizeof c.address.state);
    snprintf(c.address.zip, sizeof c.address.zip, "%s%03d%03d", ct->zip_prefix, pick(r, 1000), pick(r, 1000));
    rg_upsert_result res;
    rg_status rc = rg_store_customer_upsert(d->env->store, &c, RG_CF_ALL, at, &res, e);
    if (rc != RG_OK)
        return rc;
    d->st->customers++;

    /* monthly bills on the customer's billing day, issued 10 days before
     * their due date, from the start of the history to a month ahead */
    int day = 1 + pick(r, 28);
    static const rg_cents plans[] = {4990, 8990, 12990, 19990, 34990, 59900, 89900};
    rg_cents plan = plans[pick(r, (int)COUNT(plans))];
    int y, m, dd;
    rg_date_to_ymd(d->start, &y, &m, &dd);
    for (int k = 0; k < 7; k++, m++) {
        if (m > 12) {
            m = 1;
            y++;
        }
        rg_date due = rg_date_from_ymd(y, m, day > rg_days_in_month(y, m) ? rg_days_in_month(y, m) : day);
        bool skip = pj ? false : pick(r, 6) == 0; /* some months without a bill */
        if (due - 10 < d->start || due - 10 > d->today || skip)
            continue;
        demo_invoice *iv = new_invoice(d, e);
        if (!iv)
            return RG_ENOMEM;
        iv->customer = i;
        snprintf(iv->ext, sizeof iv->ext, "FAT-%05d-%04d%02d", i + 1, y, m);
        iv->due = due;
        iv->issue = due - 10;
        if (pj) {
            iv->amount = 120000 + (rg_cents)pick(r, 2400000);
            iv->tags = "b2b";
        } else {
            iv->amount = plan;
            iv->tags = c.tags[0] == 'p' ? "plano-mensal" : "avulso";
        }
        int b = pick(r, 100);
        iv->how = b < 38   ? PAYS_ON_TIME
                  : b < 60 ? PAYS_ON_NUDGE
                  : b < 72 ? PAYS_LATE
                  : b < 82 ? PAYS_IF_OVERDUE
                  : b < 86 ? PROMISES_KEEPS
                  : b < 89 ? PROMISES_BREAKS
                  : b < 90 ? DISPUTES
                  : b < 93 ? AGREES
                           : NEVER_PAYS;
        iv->pay_on = iv->how == PAYS_ON_TIME ? due - pick(r, 4)
                     : iv->how == PAYS_LATE  ? due + 10 + pick(r, 41)
                                             : RG_DATE_NONE;
    }
    return RG_OK;
}

/* An instant on a local date of the company's zone. */
static rg_instant at_local(const demo *d, rg_date day, int hour, int minute)
{
    return rg_tz_to_utc(d->tz, day, (hour * 60 + minute) * 60);
}

/* The bill's boleto (Itaú, carteira 109, nosso número = its sequence)
 * and its PIX code (a static BR Code with the amount, to the company's
 * CNPJ key) — fictitious, but every check digit right. */
static rg_status payment_codes(rg_invoice *inv, size_t seq, rg_err *e)
{
    char nn[9];
    snprintf(nn, sizeof nn, "%08zu", seq);
    rg_boleto_fields f = {.agencia = "1234", .conta = "56789", .carteira = "109", .nosso_numero = nn};
    rg_campo_livre cl;
    rg_boleto b;
    rg_status rc;
    if ((rc = rg_campo_livre_build("341", &f, &cl, e)) != RG_OK ||
        (rc = rg_boleto_encode("341", '9', inv->due_date, inv->amount, cl.campo_livre, &b, e)) != RG_OK)
        return rc;
    rg_strlcpy(inv->boleto_bank, "341", sizeof inv->boleto_bank);
    rg_strlcpy(inv->nosso_numero, cl.nosso_numero, sizeof inv->nosso_numero);
    rg_strlcpy(inv->barcode, b.barcode, sizeof inv->barcode);
    rg_strlcpy(inv->linha_digitavel, b.linha_digitavel, sizeof inv->linha_digitavel);
    char txid[26];
    size_t o = 0;
    for (const char *c = inv->external_id; *c && o + 1 < sizeof txid; c++)
        if ((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9'))
            txid[o++] = *c;
    txid[o] = '\0';
    rg_pix_params pp = {.key = "11222333000181",
                        .merchant_name = "Exemplo Servicos Ltda",
                        .merchant_city = "Sao Paulo",
                        .txid = txid,
                        .has_amount = true,
                        .amount_cents = inv->amount};
    return rg_pix_build(&pp, inv->pix_code, sizeof inv->pix_code, e);
}

static rg_status issue_invoices(demo *d, rg_date day, rg_err *e)
{
    rg_instant at = at_local(d, day, 8, 0);
    for (size_t k = 0; k < d->n_inv; k++) {
        demo_invoice *iv = &d->inv[k];
        if (iv->issue != day)
            continue;
        rg_invoice inv;
        rg_invoice_init(&inv);
        rg_strlcpy(inv.external_id, iv->ext, sizeof inv.external_id);
        rg_customer c;
        rg_status rc = rg_store_customer_get(d->env->store, d->cust_ext[iv->customer], &c, e);
        if (rc != RG_OK)
            return rc;
        inv.customer_id = c.id;
        inv.issue_date = iv->issue;
        inv.due_date = iv->due;
        inv.amount = iv->amount;
        int y, m, dd;
        rg_date_to_ymd(iv->due, &y, &m, &dd);
        if (!strcmp(iv->tags, "b2b"))
            snprintf(inv.description, sizeof inv.description, "Pedido %d — fornecimento mensal",
                     4000 + iv->customer * 12 + m);
        else
            snprintf(inv.description, sizeof inv.description, "Mensalidade %02d/%04d", m, y);
        rg_strlcpy(inv.tags, iv->tags, sizeof inv.tags);
        if ((rc = payment_codes(&inv, k + 1, e)) != RG_OK)
            return rc;
        rg_upsert_result res;
        if ((rc = rg_store_invoice_upsert(d->env->store, &inv, RG_IF_ALL, at, &res, e)) != RG_OK)
            return rc;
        iv->id = inv.id;
        if ((rc = map_id(d, inv.id, k, e)) != RG_OK)
            return rc;
        d->st->invoices++;
    }
    return RG_OK;
}

static rg_status pay_due(demo *d, rg_date day, rg_err *e)
{
    for (size_t k = 0; k < d->n_inv; k++) {
        demo_invoice *iv = &d->inv[k];
        if (!iv->id || iv->paid || iv->pay_on != day)
            continue;
        rg_payment p;
        rg_payment_init(&p);
        rg_strlcpy(p.invoice_external_id, iv->ext, sizeof p.invoice_external_id);
        p.amount = iv->amount;
        p.paid_at = at_local(d, day, 13 + pick(&d->r, 6), pick(&d->r, 60));
        p.source = pick(&d->r, 3) ? RG_PAY_PIX : RG_PAY_CNAB;
        rg_strlcpy(p.method, p.source == RG_PAY_PIX ? "pix" : "boleto", sizeof p.method);
        snprintf(p.reference, sizeof p.reference, "DEMO-%s", iv->ext);
        rg_payment_outcome po;
        rg_status rc = rg_payment_record(d->env, &p, p.paid_at, &po, e);
        if (rc != RG_OK)
            return rc;
        iv->paid = true;
        d->st->payments++;
    }
    return RG_OK;
}

static rg_status keep_message(void *ctx, const rg_message *m)
{
    demo *d = ctx;
    if (d->n_msgs == d->cap_msgs) {
        size_t n = d->cap_msgs ? d->cap_msgs * 2 : 256;
        rg_message *v = realloc(d->msgs, n * sizeof *v);
        if (!v)
            return RG_ENOMEM;
        d->msgs = v;
        d->cap_msgs = n;
    }
    rg_message *c = &d->msgs[d->n_msgs++];
    *c = *m;
    c->subject = c->body = c->html = c->payload = NULL;
    return RG_OK;
}

/* The customer of d->inv[k] splits it through the portal into 2
 * installments after the down payment (fewer when the terms' minimum
 * installment asks for it); every other agreement leaves its
 * installments unpaid after the down payment (the tick then records agreement.broken). */
static rg_status agree(demo *d, size_t k, rg_instant at, rg_err *e)
{
    const char *ext = d->inv[k].ext;
    rg_agreement_request rq = {.customer = d->cust_ext[d->inv[k].customer],
                               .invoices = &ext,
                               .n_invoices = 1,
                               .installments = 2,
                               .source = "portal",
                               .now = at};
    rg_agreement_view v;
    rg_status rc;
    /* the most installments up to 2 that the terms allow for this amount */
    for (;;) {
        memset(&v, 0, sizeof v);
        rc = rg_agreement_create(d->env, d->config, &rq, &v, e);
        if (rc == RG_OK)
            break;
        rg_agreement_view_free(&v);
        if (rc != RG_EINVAL || strcmp(e->where, "installments") != 0)
            return rc;
        rg_err_clear(e);
        if (--rq.installments < 1)
            return RG_OK; /* too small to split: it stays unpaid */
    }
    d->inv[k].acted = true;
    d->inv[k].pay_on = RG_DATE_NONE;
    bool breaks = d->st->agreements % 2 == 1;
    d->st->agreements++;
    for (size_t i = 0; i < v.n_items && rc == RG_OK; i++) {
        const rg_agreement_item *it = &v.items[i];
        if (strcmp(it->role, "installment") != 0)
            continue;
        int customer = d->inv[k].customer;
        demo_invoice *iv = new_invoice(d, e);
        if (!iv) {
            rc = RG_ENOMEM;
            break;
        }
        iv->customer = customer;
        rg_strlcpy(iv->ext, it->invoice.external_id, sizeof iv->ext);
        iv->issue = RG_DATE_NONE; /* issued by the agreement */
        iv->due = it->invoice.due_date;
        iv->amount = it->amount;
        iv->id = it->invoice.id;
        iv->how = PAYS_ON_TIME;
        iv->pay_on = breaks && it->seq >= 1 ? RG_DATE_NONE : iv->due - pick(&d->r, 3);
        if (iv->pay_on != RG_DATE_NONE && iv->pay_on <= rg_tz_date(d->tz, at))
            iv->pay_on = rg_tz_date(d->tz, at) + 1;
        rc = map_id(d, iv->id, d->n_inv - 1, e);
    }
    rg_agreement_view_free(&v);
    return rc;
}

static rg_status submit(demo *d, const char *type, const char *invoice, const char *data, rg_instant at, rg_err *e)
{
    rg_event_request rq = {.type = type, .invoice = invoice, .at = at, .data = data, .source = "portal", .now = at};
    rg_event_result out;
    return rg_event_submit(d->env, &rq, &out, e);
}

/* What the customers do on `day` about the messages the day's tick sent. */
static rg_status react(demo *d, rg_date day, rg_err *e)
{
    rg_message_filter f;
    rg_message_filter_init(&f);
    f.after_id = d->last_msg;
    d->n_msgs = 0;
    rg_status rc = rg_store_message_each(d->env->store, &f, keep_message, d, e);
    if (rc != RG_OK)
        return rc == RG_ENOMEM ? rg_err_set(e, RG_ENOMEM, "demo", "out of memory") : rc;
    rng *r = &d->r;
    for (size_t k = 0; k < d->n_msgs; k++) {
        const rg_message *m = &d->msgs[k];
        if (m->id > d->last_msg)
            d->last_msg = m->id;
        if (m->status != RG_MSG_SENT)
            continue;
        d->st->messages++;
        rg_instant at = at_local(d, day, 11, pick(r, 60));
        if (!strcmp(m->channel, "email")) {
            if (pick(r, 100) < 55) {
                if ((rc = rg_inbound_open(d->env, m->id, at, e)) != RG_OK)
                    return rc;
                d->st->opens++;
                if (pick(r, 100) < 35) {
                    if ((rc = rg_inbound_click(d->env, m->id, "https://exemplo.com.br/segunda-via", at + 60, e)) !=
                        RG_OK)
                        return rc;
                    d->st->clicks++;
                }
            }
        } else if (!strcmp(m->channel, "whatsapp") || !strcmp(m->channel, "sms")) {
            int roll = pick(r, 100);
            rg_inbound_status s = {.channel = m->channel,
                                   .provider_id = m->provider_id,
                                   .status = roll < 4 ? RG_MSG_FAILED : RG_MSG_DELIVERED,
                                   .at = at,
                                   .reason = roll < 4 ? "número inexistente" : NULL,
                                   .key = m->idempotency_key};
            rg_inbound_outcome oc;
            if ((rc = rg_inbound_apply_status(d->env, &s, at, &oc, e)) != RG_OK)
                return rc;
            if (roll >= 4 && !strcmp(m->channel, "whatsapp") && roll < 70) {
                s.status = RG_MSG_READ;
                s.at = at + 300;
                if ((rc = rg_inbound_apply_status(d->env, &s, at + 300, &oc, e)) != RG_OK)
                    return rc;
            }
        }
        if (!m->invoice_id || m->invoice_id >= d->n_by_id || !d->by_id[m->invoice_id])
            continue;
        demo_invoice *iv = &d->inv[d->by_id[m->invoice_id] - 1];
        if (iv->paid || (iv->pay_on != RG_DATE_NONE && iv->pay_on > day))
            continue;
        bool overdue = day > iv->due;
        /* some read the message and open the portal */
        if (pick(r, 100) < 20) {
            if ((rc = submit(d, "portal.visited", iv->ext, NULL, at + 120, e)) != RG_OK)
                return rc;
            d->st->portal_visits++;
            if (pick(r, 2) && (rc = submit(d, pick(r, 2) ? "pix.copied" : "boleto.downloaded", iv->ext, NULL,
                                           at + 180, e)) != RG_OK)
                return rc;
        }
        switch (iv->how) {
        case PAYS_ON_NUDGE:
            if (pick(r, 100) < 60)
                iv->pay_on = day + 1 + pick(r, 3);
            break;
        case PAYS_IF_OVERDUE:
            if (overdue && pick(r, 100) < 50)
                iv->pay_on = day + 1 + pick(r, 3);
            break;
        case PROMISES_KEEPS:
        case PROMISES_BREAKS:
            if (overdue && !iv->acted) {
                char data[64], ymd[11];
                rg_date promised = day + 3 + pick(r, 5);
                rg_date_format_iso(promised, ymd, sizeof ymd);
                snprintf(data, sizeof data, "{\"date\": \"%s\"}", ymd);
                if ((rc = submit(d, "promise.made", iv->ext, data, at + 240, e)) != RG_OK)
                    return rc;
                iv->acted = true;
                d->st->promises++;
                if (iv->how == PROMISES_KEEPS)
                    iv->pay_on = promised - pick(r, 2);
            } else if (iv->acted && iv->how == PROMISES_BREAKS && day > iv->due + 30 && pick(r, 100) < 30) {
                iv->pay_on = day + 2; /* broke the promise, paid in the end */
            }
            break;
        case DISPUTES:
            if (overdue && !iv->acted) {
                if ((rc = submit(d, "dispute.opened", iv->ext,
                                 "{\"reason\": \"Serviço não prestado no mês\"}", at + 240, e)) != RG_OK)
                    return rc;
                iv->acted = true;
                d->st->disputes++;
            }
            break;
        case AGREES:
            if (day > iv->due + 7 && !iv->acted && d->config)
                if ((rc = agree(d, d->by_id[m->invoice_id] - 1, at + 300, e)) != RG_OK)
                    return rc; /* iv is stale from here on */
            break;
        default:
            break;
        }
    }
    return RG_OK;
}

rg_status rg_demo_build(const rg_demo_params *p, rg_demo_stats *out, rg_err *e)
{
    demo d = {0};
    d.env = p->env;
    d.config = p->config;
    d.r.s = p->seed ? p->seed : 0x9E3779B97F4A7C15ull;
    d.tz = rg_zones_company(p->env->zones);
    d.today = rg_tz_date(d.tz, p->now);
    d.start = d.today - p->days;
    d.st = out;
    memset(out, 0, sizeof *out);
    rg_status rc = RG_OK;
    d.cust_ext = calloc((size_t)p->customers, sizeof *d.cust_ext);
    if (!d.cust_ext)
        return rg_err_set(e, RG_ENOMEM, "demo", "out of memory");
    rg_store *s = p->env->store;
    if ((rc = rg_store_begin(s, e)) != RG_OK)
        goto done;
    for (int i = 0; i < p->customers && rc == RG_OK; i++)
        rc = make_customer(&d, i, at_local(&d, d.start, 7, 0), e);
    if (rc != RG_OK || (rc = rg_store_commit(s, e)) != RG_OK) {
        if (rc != RG_OK)
            rg_store_rollback(s);
        goto done;
    }
    /* day by day: the day's bills, the cadences at 10:00, the customers'
     * answers to what went out, and the day's payments in the afternoon */
    for (rg_date day = d.start; day < d.today; day++) {
        if ((rc = rg_store_begin(s, e)) != RG_OK)
            goto done;
        if ((rc = issue_invoices(&d, day, e)) != RG_OK || (rc = rg_store_commit(s, e)) != RG_OK) {
            rg_store_rollback(s);
            goto done;
        }
        if (p->tick && (rc = p->tick(p->tick_ctx, at_local(&d, day, 10, 0), e)) != RG_OK)
            goto done;
        if ((rc = react(&d, day, e)) != RG_OK)
            goto done;
        if ((rc = rg_store_begin(s, e)) != RG_OK)
            goto done;
        if ((rc = pay_due(&d, day, e)) != RG_OK || (rc = rg_store_commit(s, e)) != RG_OK) {
            rg_store_rollback(s);
            goto done;
        }
        out->days++;
    }
    /* today's bills; the caller ticks at the real now */
    if ((rc = rg_store_begin(s, e)) != RG_OK)
        goto done;
    if ((rc = issue_invoices(&d, d.today, e)) != RG_OK || (rc = rg_store_commit(s, e)) != RG_OK)
        rg_store_rollback(s);
done:
    free(d.cust_ext);
    free(d.inv);
    free(d.by_id);
    free(d.msgs);
    return rc;
}

rg_status rg_demo_user(rg_store *s, rg_instant now, char *password, rg_err *e)
{
    static const char alphabet[] = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789";
    if (sodium_init() < 0)
        return rg_err_set(e, RG_EINTERNAL, "demo", "libsodium could not start");
    for (int i = 0; i < RG_DEMO_PASSWORD_SIZE - 1; i++)
        password[i] = alphabet[randombytes_uniform((uint32_t)(sizeof alphabet - 1))];
    password[RG_DEMO_PASSWORD_SIZE - 1] = '\0';
    rg_user_row u;
    return rg_user_create(s, RG_DEMO_EMAIL, RG_ROLE_ADMIN, password, now, &u, e);
}
