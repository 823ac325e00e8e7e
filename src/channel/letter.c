/*
 * The `letter` driver (inline): a postal letter in the day's print-ready
 * batch (channel/letter_batch.h) in the directory `dir`. send() lays out
 * the letter — the creditor's letterhead (company name, CNPJ, address and
 * contacts from the configuration), the customer's name and postal address
 * in the window-envelope field, the date, the rendered text — followed by
 * a boleto page for each invoice still open (looked up in the store:
 * rg_channel_env.store) that has a boleto the customer can pay: the ones
 * the message's payload names ({"boletos": [{"invoice", "barcode",
 * "pix"}]}, chosen by the engine — the current boleto, or one generated
 * with the updated amount when it is past due), exactly those; a message
 * without that list encloses each invoice's own boleto only while its
 * effective due date has not passed on the letter's date. It adds
 * it to the batch of the message's local date (the configuration's time
 * zone, at sent_at, else planned_for). The same idempotency key is never
 * added twice. close() rebuilds the combined PDF and manifest of every day
 * it added to; `regua letters build` does it on demand.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/tz.h"
#include "br/holidays.h"
#include "channel/channel.h"
#include "channel/letter_batch.h"
#include "service/invoice_boleto.h"

#define MAX_INVOICES 64
#define MAX_DAYS 16

typedef struct letter_state {
    char dir[RG_CONFIG_PATH_MAX];
    const rg_config *config;
    rg_store *store;
    rg_tz *tz;
    rg_calendar *calendar; /* national and bank holidays: a boleto's effective due date */
    rg_date days[MAX_DAYS]; /* days added to, to rebuild at close */
    size_t n_days;
} letter_state;

static rg_status letter_open(const rg_channel_config *cfg, const rg_channel_env *env, void **state, rg_err *e)
{
    const char *dir = rg_channel_setting(cfg, "dir");
    if (!dir || !*dir)
        return rg_err_set(e, RG_EINVAL, "dir", "the letter driver needs 'dir' (where the daily batches go)");
    if (!env || !env->store || !env->config)
        return rg_err_set(e, RG_EINTERNAL, "letter",
                          "the letter driver needs the store and the configuration (rg_channel_env)");
    letter_state *s = calloc(1, sizeof *s);
    if (!s)
        return rg_err_set(e, RG_ENOMEM, "letter", "out of memory");
    if (!rg_strlcpy(s->dir, dir, sizeof s->dir) || strlen(dir) > RG_LETTER_PATH_MAX - 100) {
        free(s);
        return rg_err_set(e, RG_EINVAL, "dir", "longer than %d bytes", RG_LETTER_PATH_MAX - 100);
    }
    s->config = env->config;
    s->store = env->store;
    const char *zone = env->config->default_timezone[0] ? env->config->default_timezone : "America/Sao_Paulo";
    rg_status rc = rg_tz_load(zone, &s->tz, e);
    if (rc != RG_OK) {
        free(s);
        return rc;
    }
    if (!(s->calendar = rg_calendar_new())) {
        rg_tz_free(s->tz);
        free(s);
        return rg_err_set(e, RG_ENOMEM, "letter", "out of memory");
    }
    if (env->config->calendar_file[0] && (rc = rg_calendar_load(s->calendar, env->config->calendar_file, e)) != RG_OK) {
        rg_calendar_free(s->calendar);
        rg_tz_free(s->tz);
        free(s);
        return rc;
    }
    *state = s;
    return RG_OK;
}

/* Appends a piece to a line, with sep when the line is not empty. */
static void add_piece(char *line, size_t cap, const char *sep, const char *piece)
{
    if (!piece || !piece[0])
        return;
    size_t used = strlen(line);
    if (used + 1 >= cap)
        return;
    snprintf(line + used, cap - used, "%s%s", used ? sep : "", piece);
}

typedef struct letter_parts {
    char sender[4][320];
    char return_line[400];
    char addr1[256]; /* street, number complement */
    char addr2[96];  /* district */
    char cep[12];
    char last[160];  /* "CEP 01310-100  São Paulo - SP" */
    char reference[320];
} letter_parts;

static void compose(const letter_state *s, const rg_outgoing *out, letter_parts *p, rg_letter *l)
{
    const rg_config *cfg = s->config;
    const rg_customer *c = out->customer;
    const rg_address *a = &c->address;
    memset(p, 0, sizeof *p);
    size_t ns = 0;
    snprintf(p->sender[ns++], sizeof p->sender[0], "%s", cfg->company.name[0] ? cfg->company.name : "(empresa)");
    if (cfg->company.cnpj[0])
        snprintf(p->sender[ns++], sizeof p->sender[0], "CNPJ %s",
                 cfg->company.cnpj_formatted[0] ? cfg->company.cnpj_formatted : cfg->company.cnpj);
    if (cfg->company.address[0])
        snprintf(p->sender[ns++], sizeof p->sender[0], "%s", cfg->company.address);
    char contact[320] = "";
    add_piece(contact, sizeof contact, " · ", cfg->company.phone);
    add_piece(contact, sizeof contact, " · ", cfg->company.email);
    if (contact[0])
        snprintf(p->sender[ns++], sizeof p->sender[0], "%s", contact);
    snprintf(p->return_line, sizeof p->return_line, "Remetente: %s", p->sender[0]);
    if (cfg->company.address[0])
        add_piece(p->return_line, sizeof p->return_line, " · ", cfg->company.address);

    add_piece(p->addr1, sizeof p->addr1, "", a->street);
    add_piece(p->addr1, sizeof p->addr1, ", ", a->number);
    add_piece(p->addr1, sizeof p->addr1, " ", a->complement);
    add_piece(p->addr2, sizeof p->addr2, "", a->district);
    if (strlen(a->zip) == 8)
        snprintf(p->cep, sizeof p->cep, "%.5s-%.3s", a->zip, a->zip + 5);
    else
        snprintf(p->cep, sizeof p->cep, "%.11s", a->zip);
    snprintf(p->last, sizeof p->last, "CEP %s  %s - %s", p->cep, a->city, a->state);
    snprintf(p->reference, sizeof p->reference, "Ref. mensagem %lld · %s", (long long)out->message->id,
             out->message->idempotency_key);

    memset(l, 0, sizeof *l);
    l->reference = p->reference;
    for (size_t i = 0; i < ns; i++)
        l->sender[i] = p->sender[i];
    l->n_sender = ns;
    l->return_line = p->return_line;
    size_t nr = 0;
    l->recipient[nr++] = c->name;
    l->recipient[nr++] = p->addr1;
    if (p->addr2[0])
        l->recipient[nr++] = p->addr2;
    l->recipient[nr++] = p->last;
    l->n_recipient = nr;
    l->subject = out->message->subject;
    l->body = out->message->body;
}

static void fail(rg_send_result *res, rg_send_outcome o, const rg_err *e)
{
    res->outcome = o;
    snprintf(res->error, sizeof res->error, "%s%s%s", e->where[0] ? e->where : "", e->where[0] ? ": " : "",
             e->msg);
}

static void remember_day(letter_state *s, rg_date day)
{
    for (size_t i = 0; i < s->n_days; i++)
        if (s->days[i] == day)
            return;
    if (s->n_days < MAX_DAYS) {
        s->days[s->n_days++] = day;
        return;
    }
    /* more days than we track: build the oldest now and take its place */
    rg_letter_build_report rep;
    rg_err e;
    if (rg_letter_batch_build(s->dir, s->days[0], &rep, &e) != RG_OK)
        rg_warn("letter: cannot build the batch: %s: %s", e.where, e.msg);
    memmove(s->days, s->days + 1, (MAX_DAYS - 1) * sizeof *s->days);
    s->days[MAX_DAYS - 1] = day;
}

static rg_status letter_send(void *state, const rg_outgoing *out, rg_send_result *res, rg_err *e)
{
    letter_state *s = state;
    const rg_message *m = out->message;
    const rg_customer *c = out->customer;
    rg_status rc = RG_OK;
    rg_invoice *invs = NULL;
    rg_invoice_boleto *ibs = NULL;
    rg_boleto_pdf *pdfs = NULL;
    bool *enclose = NULL;

    rg_instant at = m->sent_at > 0 ? m->sent_at : m->planned_for;
    rg_date day;
    int sod;
    rg_tz_local(s->tz, at, &day, &sod);
    char key[200];
    if (m->idempotency_key[0])
        rg_strlcpy(key, m->idempotency_key, sizeof key);
    else
        snprintf(key, sizeof key, "message:%lld", (long long)m->id);

    bool found = false;
    char rel[128];
    if ((rc = rg_letter_batch_find(s->dir, key, &found, rel, sizeof rel, e)) != RG_OK) {
        fail(res, RG_SEND_TRANSIENT, e);
        return rc;
    }
    if (found) {
        snprintf(res->provider_id, sizeof res->provider_id, "letter:%s", rel);
        return RG_OK;
    }
    const rg_address *a = &c->address;
    if (!a->street[0] || !a->city[0] || !a->state[0] || !a->zip[0]) {
        rc = rg_err_set(e, RG_EINVAL, c->external_id,
                        "no postal address (street, city, state and zip are needed for a letter)");
        fail(res, RG_SEND_PERMANENT, e);
        return rc;
    }

    /* the invoices' boletos */
    const char *ids = out->invoice_ids ? out->invoice_ids : "";
    invs = calloc(MAX_INVOICES, sizeof *invs);
    ibs = calloc(MAX_INVOICES, sizeof *ibs);
    pdfs = calloc(MAX_INVOICES, sizeof *pdfs);
    if (!invs || !ibs || !pdfs) {
        rc = rg_err_set(e, RG_ENOMEM, "letter", "out of memory");
        fail(res, RG_SEND_TRANSIENT, e);
        goto out;
    }
    size_t n_inv = 0, n_bol = 0;
    if (!ids[0] && m->invoice_id) {
        if ((rc = rg_store_invoice_get_by_id(s->store, m->invoice_id, &invs[0], e)) != RG_OK) {
            fail(res, RG_SEND_TRANSIENT, e);
            goto out;
        }
        n_inv = 1;
    }
    for (const char *p = ids; *p && n_inv < MAX_INVOICES;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        char ext[RG_EXTID_MAX + 1];
        if (len > 0 && len <= RG_EXTID_MAX) {
            memcpy(ext, p, len);
            ext[len] = '\0';
            rc = rg_store_invoice_get(s->store, ext, &invs[n_inv], e);
            if (rc == RG_OK)
                n_inv++;
            else if (rc != RG_ENOTFOUND) {
                fail(res, RG_SEND_TRANSIENT, e);
                goto out;
            }
            rc = RG_OK;
        }
        p += len + (bar ? 1 : 0);
    }
    /* which boletos: the payload's list (the engine chose what can be paid
     * now), else each invoice's own while not past due */
    json_t *pl = m->payload && m->payload[0] ? json_loads(m->payload, 0, NULL) : NULL;
    json_t *listed = json_is_object(pl) ? json_object_get(pl, "boletos") : NULL;
    if (!json_is_array(listed))
        listed = NULL;
    enclose = calloc(n_inv ? n_inv : 1, sizeof *enclose);
    if (!enclose) {
        json_decref(pl);
        rc = rg_err_set(e, RG_ENOMEM, "letter", "out of memory");
        fail(res, RG_SEND_TRANSIENT, e);
        goto out;
    }
    for (size_t i = 0; i < n_inv; i++) {
        rg_invoice *inv = &invs[i];
        if (listed) {
            size_t k;
            json_t *it;
            json_array_foreach(listed, k, it) {
                const char *ext = json_string_value(json_object_get(it, "invoice"));
                const char *bc = json_string_value(json_object_get(it, "barcode"));
                const char *pix = json_string_value(json_object_get(it, "pix"));
                if (!ext || !bc || strcmp(ext, inv->external_id) != 0 || strlen(bc) >= sizeof inv->barcode)
                    continue;
                rg_strlcpy(inv->barcode, bc, sizeof inv->barcode);
                inv->linha_digitavel[0] = '\0';
                if (pix && strlen(pix) < sizeof inv->pix_code)
                    rg_strlcpy(inv->pix_code, pix, sizeof inv->pix_code);
                enclose[i] = true;
            }
        } else if (inv->barcode[0] || inv->linha_digitavel[0]) {
            rg_date due = inv->reissued_due_date != RG_DATE_NONE ? inv->reissued_due_date : inv->due_date;
            rg_boleto b;
            rg_err de;
            const char *code = inv->barcode[0] ? inv->barcode : inv->linha_digitavel;
            if (rg_boleto_decode(code, strlen(code), day, &b, &de) != RG_OK)
                enclose[i] = true; /* a bad code: refused below, naming the failing check */
            else
                enclose[i] = rg_effective_due_date(s->calendar, b.due_date != RG_DATE_NONE ? b.due_date : due) >= day;
            /* never an expired boleto */
        }
    }
    json_decref(pl);
    for (size_t i = 0; i < n_inv; i++) {
        const rg_invoice *inv = &invs[i];
        if (!enclose[i] || inv->status != RG_INV_OPEN || rg_invoice_balance(inv) <= 0 ||
            (!inv->barcode[0] && !inv->linha_digitavel[0]))
            continue;
        if ((rc = rg_invoice_boleto_prepare(inv, c, s->config, day, &ibs[n_bol], e)) != RG_OK) {
            fail(res, RG_SEND_PERMANENT, e);
            goto out;
        }
        pdfs[n_bol] = ibs[n_bol].pdf;
        n_bol++;
    }

    letter_parts parts;
    rg_letter l;
    compose(s, out, &parts, &l);
    l.date = day;
    l.boletos = pdfs;
    l.n_boletos = n_bol;
    rg_letter_manifest man;
    memset(&man, 0, sizeof man);
    man.message_id = m->id;
    man.idempotency_key = key;
    man.customer_external_id = c->external_id;
    man.name = c->name;
    man.address_line1 = parts.addr1;
    man.address_line2 = parts.addr2;
    man.city = a->city;
    man.state = a->state;
    man.cep = parts.cep;
    man.invoice_ids = ids[0] ? ids : (n_inv ? invs[0].external_id : "");
    bool added = false;
    if ((rc = rg_letter_batch_add(s->dir, day, &l, &man, &added, rel, sizeof rel, e)) != RG_OK) {
        fail(res, rc == RG_EINVAL ? RG_SEND_PERMANENT : RG_SEND_TRANSIENT, e);
        goto out;
    }
    if (added)
        remember_day(s, day);
    snprintf(res->provider_id, sizeof res->provider_id, "letter:%s", rel);
out:
    free(enclose);
    free(invs);
    free(ibs);
    free(pdfs);
    return rc;
}

static void letter_close(void *state)
{
    letter_state *s = state;
    if (!s)
        return;
    for (size_t i = 0; i < s->n_days; i++) {
        rg_letter_build_report rep;
        rg_err e;
        rg_err_clear(&e);
        if (rg_letter_batch_build(s->dir, s->days[i], &rep, &e) != RG_OK)
            rg_warn("letter: cannot build the batch: %s: %s", e.where, e.msg);
        else
            rg_info("letter: %s: %zu letters, %d pages", rep.pdf, rep.letters, rep.pages);
    }
    rg_tz_free(s->tz);
    rg_calendar_free(s->calendar);
    free(s);
}

const rg_channel_driver rg_driver_letter = {
    .name = "letter",
    .inline_send = true,
    .open = letter_open,
    .send = letter_send,
    .close = letter_close,
};
