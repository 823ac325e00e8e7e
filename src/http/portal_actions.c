/*
 * What the debtor does on the portal page (docs/portal.md, "What the
 * customer can do"): the forms of each open invoice — "Prometer
 * pagamento", "Aceitar oferta", "Prorrogar vencimento", "Contestar
 * cobrança" — and the page's "Como prefere ser avisado" (leave or come
 * back to a channel, the preferred channel). Each POST handler parses
 * its fields, makes ONE call of service/portal_actions.h and answers 303
 * back to the page with a flash code (portal.c portal_flashes[]); a
 * refusal about a field also names the invoice (?i=) so the page shows
 * the error next to that field.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/money.h"
#include "engine/engine.h"
#include "http/http_int.h"
#include "service/holds.h"
#include "service/portal_actions.h"

/* The channels a customer can leave or prefer, with their pt-BR names. */
static const struct {
    const char *name, *label;
} portal_channels[] = {
    {"email", "E-mail"}, {"whatsapp", "WhatsApp"}, {"sms", "SMS"}, {"voice", "Ligação"}, {"letter", "Carta"},
};
#define N_PORTAL_CHANNELS (sizeof portal_channels / sizeof *portal_channels)

rg_event_env rg_portal_env(const rg_portal_ctx *ctx)
{
    rg_event_env env = *ctx->r->srv->events;
    env.store = ctx->store;
    return env;
}

enum MHD_Result rg_portal_failed(rg_portal_ctx *ctx, const char *what, rg_status rc, const rg_err *e)
{
    if (rc == RG_ENOTFOUND)
        return rg_portal_redirect(ctx, "fatura", NULL);
    if (rc == RG_EBUSY)
        rg_warn("POST /p/%s: customer %s: the database was busy", what, ctx->customer.external_id);
    else
        rg_error("POST /p/%s: customer %s: %s: %s", what, ctx->customer.external_id, e->where, e->msg);
    return rg_portal_redirect(ctx, "ocupado", NULL);
}

/* A date field (AAAA-MM-DD, as <input type="date"> sends it); RG_DATE_NONE when absent or bad. */
static rg_date date_field(const rg_portal_ctx *ctx, const char *name)
{
    const char *v = rg_portal_form_value(ctx, name);
    rg_date d;
    if (!v || !rg_date_parse(v, strlen(v), &d))
        return RG_DATE_NONE;
    return d;
}

/* ---- POST handlers ---- */

enum MHD_Result rg_portal_action_promise(rg_portal_ctx *ctx)
{
    const char *inv = rg_portal_form_value(ctx, "invoice");
    rg_date date = date_field(ctx, "date");
    if (date == RG_DATE_NONE)
        return rg_portal_redirect_invoice(ctx, "promessa-data", inv);
    rg_event_env env = rg_portal_env(ctx);
    rg_promise p;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_portal_promise(&env, ctx->customer.id, inv, date, ctx->r->srv->config->portal.promise_max_days,
                                     ctx->now, &p, NULL, &e);
    if (rc == RG_OK)
        return rg_portal_redirect_invoice(ctx, "promessa", inv);
    if (rc == RG_EINVAL && !strcmp(e.where, "date"))
        return rg_portal_redirect_invoice(ctx, "promessa-data", inv);
    if (rc == RG_ECONFLICT && !strcmp(e.where, "promise"))
        return rg_portal_redirect_invoice(ctx, "promessa-ja", inv);
    if (rc == RG_ECONFLICT)
        return rg_portal_redirect(ctx, "fatura", NULL);
    return rg_portal_failed(ctx, "promessa", rc, &e);
}

enum MHD_Result rg_portal_action_offer(rg_portal_ctx *ctx)
{
    const char *inv = rg_portal_form_value(ctx, "invoice");
    rg_event_env env = rg_portal_env(ctx);
    rg_portal_offer_result r;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_portal_offer_accept(&env, ctx->customer.id, inv, ctx->now, &r, &e);
    if (rc == RG_OK)
        return rg_portal_redirect_invoice(ctx, "oferta", inv);
    if (rc == RG_ECONFLICT)
        return rg_portal_redirect_invoice(ctx, "sem-oferta", inv);
    return rg_portal_failed(ctx, "oferta", rc, &e);
}

enum MHD_Result rg_portal_action_extend(rg_portal_ctx *ctx)
{
    const char *inv = rg_portal_form_value(ctx, "invoice");
    rg_date date = date_field(ctx, "date");
    if (date == RG_DATE_NONE)
        return rg_portal_redirect_invoice(ctx, "prorrogar-data", inv);
    rg_event_env env = rg_portal_env(ctx);
    rg_portal_extend_result r;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_portal_extend(&env, ctx->customer.id, inv, date, ctx->r->srv->config->portal.extend_max_days,
                                    ctx->now, &r, &e);
    if (rc == RG_OK)
        return rg_portal_redirect_invoice(ctx, "prorrogado", inv);
    if (rc == RG_EINVAL && !strcmp(e.where, "date"))
        return rg_portal_redirect_invoice(ctx, "prorrogar-data", inv);
    if (rc == RG_ECONFLICT && strstr(e.msg, "extended before"))
        return rg_portal_redirect_invoice(ctx, "prorrogar-ja", inv);
    if (rc == RG_ECONFLICT)
        return rg_portal_redirect(ctx, "fatura", NULL);
    return rg_portal_failed(ctx, "prorrogar", rc, &e);
}

enum MHD_Result rg_portal_action_dispute(rg_portal_ctx *ctx)
{
    const char *inv = rg_portal_form_value(ctx, "invoice");
    const char *reason = rg_portal_form_value(ctx, "reason");
    rg_event_env env = rg_portal_env(ctx);
    rg_portal_dispute_result r;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_portal_dispute(&env, ctx->customer.id, inv, reason, ctx->now, &r, &e);
    if (rc == RG_OK)
        return rg_portal_redirect_invoice(ctx, "contestado", inv);
    if (rc == RG_EINVAL && !strcmp(e.where, "reason"))
        return rg_portal_redirect_invoice(ctx, "motivo", inv);
    if (rc == RG_ECONFLICT)
        return rg_portal_redirect(ctx, "fatura", NULL);
    return rg_portal_failed(ctx, "contestar", rc, &e);
}

static const char *known_channel(const char *v)
{
    for (size_t i = 0; v && i < N_PORTAL_CHANNELS; i++)
        if (!strcmp(v, portal_channels[i].name))
            return portal_channels[i].name;
    return NULL;
}

/* Leave (out=1) or come back to (out=0) a channel. */
enum MHD_Result rg_portal_action_channel(rg_portal_ctx *ctx)
{
    const char *ch = known_channel(rg_portal_form_value(ctx, "channel"));
    const char *out = rg_portal_form_value(ctx, "out");
    if (!ch || !out || (strcmp(out, "1") && strcmp(out, "0")))
        return rg_portal_redirect(ctx, "canal", "avisos");
    rg_event_env env = rg_portal_env(ctx);
    rg_optout_result r;
    rg_err e;
    rg_err_clear(&e);
    bool leave = !strcmp(out, "1");
    rg_status rc = rg_portal_channel(&env, ctx->customer.id, ch, leave, ctx->now, &r, &e);
    if (rc == RG_OK)
        return rg_portal_redirect(ctx, leave ? "canal-saiu" : "canal-voltou", "avisos");
    return rg_portal_failed(ctx, "canal", rc, &e);
}

enum MHD_Result rg_portal_action_preferred(rg_portal_ctx *ctx)
{
    const char *v = rg_portal_form_value(ctx, "channel");
    const char *ch = v && !v[0] ? "" : known_channel(v);
    if (!ch)
        return rg_portal_redirect(ctx, "canal", "avisos");
    rg_event_env env = rg_portal_env(ctx);
    bool changed = false;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_portal_preferred(&env, ctx->customer.id, ch, ctx->now, &changed, &e);
    if (rc == RG_OK)
        return rg_portal_redirect(ctx, "preferido", "avisos");
    return rg_portal_failed(ctx, "preferido", rc, &e);
}

/* ---- the page ---- */

/* The error of the last POST about this invoice's field `code`, if it was this invoice's. */
static bool field_error(const rg_portal_ctx *ctx, const rg_invoice *inv, const char *code)
{
    const char *m = rg_http_query(ctx->r, "m"), *i = rg_http_query(ctx->r, "i");
    return m && i && !strcmp(m, code) && !strcmp(i, inv->external_id);
}

static void error_text(rg_buf *b, const char *id, const char *text)
{
    if (id[0])
        rg_buf_printf(b, "<p class=\"field-err\" id=\"%s\">", id);
    else
        rg_buf_puts(b, "<p class=\"field-err\">");
    rg_html_escape(b, text);
    rg_buf_puts(b, "</p>");
}

static void date_input(rg_buf *b, const char *id, rg_date min, rg_date max, bool err, const char *err_id)
{
    char d1[16], d2[16];
    rg_buf_printf(b, "<input type=\"date\" id=\"%s\" name=\"date\" required min=\"%s\" max=\"%s\"%s%s%s>", id,
                  rg_date_format_iso(min, d1, sizeof d1), rg_date_format_iso(max, d2, sizeof d2),
                  err ? " aria-invalid=\"true\" aria-describedby=\"" : "", err ? err_id : "", err ? "\"" : "");
}

void rg_portal_render_invoice_actions(rg_buf *b, const rg_portal_ctx *ctx, size_t i, const rg_invoice *inv,
                                      const rg_engine_payable *p)
{
    const rg_config *cfg = ctx->r->srv->config;
    rg_err e;
    char id[32], err_id[40], d1[16], d2[16], text[160];
    rg_date extended_from = RG_DATE_NONE;
    bool disputed = false;
    char why[64] = "";
    rg_portal_invoice_state st = {.promised = RG_DATE_NONE};
    if (rg_store_invoice_extended_from(ctx->store, inv->id, &extended_from, &e) != RG_OK ||
        rg_holds_check(ctx->store, inv->id, NULL, &disputed, why, sizeof why, &e) != RG_OK ||
        rg_portal_invoice_state_get(ctx->store, inv, ctx->now, &st, &e) != RG_OK)
        rg_warn("GET /p: invoice %s: %s", inv->external_id, e.msg);
    disputed = disputed && strstr(why, RG_HOLD_DISPUTE);

    /* under dispute: collection held, nothing to do but pay (the PIX and boleto above) */
    if (disputed) {
        rg_buf_puts(b, "<p class=\"offer\">Contestação em análise: a cobrança desta fatura está suspensa até a "
                       "nossa equipe responder.</p>");
        return;
    }
    if (p->offer && st.offer_accepted) {
        char m[40];
        rg_buf_printf(b, "<p class=\"n\">Oferta aceita: pague %s até %s.</p>",
                      rg_money_format_brl(p->amount, m, sizeof m), rg_date_format_br(p->offer_last_day, d2, sizeof d2));
    } else if (p->offer) {
        rg_portal_form_open(b, ctx, "oferta", inv->external_id, NULL);
        rg_buf_puts(b, "<button type=\"submit\">Aceitar oferta</button></form>");
        if (field_error(ctx, inv, "sem-oferta"))
            error_text(b, "", "Esta oferta não vale mais.");
    }

    /* Prometer pagamento (one pending promise at a time) */
    rg_date last = p->today + cfg->portal.promise_max_days;
    bool err = field_error(ctx, inv, "promessa-data");
    snprintf(id, sizeof id, "f%zu-promessa", i);
    snprintf(err_id, sizeof err_id, "%s-err", id);
    if (st.promised != RG_DATE_NONE) {
        rg_buf_printf(b, "<p class=\"n\">Pagamento prometido para %s.</p>",
                      rg_date_format_br(st.promised, d1, sizeof d1));
    } else {
        rg_buf_printf(b, "<details%s><summary>Prometer pagamento</summary>", err ? " open" : "");
        rg_portal_form_open(b, ctx, "promessa", inv->external_id, NULL);
        rg_buf_printf(b, "<label for=\"%s\">Data em que vou pagar (até %s)</label>", id,
                      rg_date_format_br(last, d1, sizeof d1));
        date_input(b, id, p->today, last, err, err_id);
        if (err) {
            snprintf(text, sizeof text, "Escolha uma data de hoje até %s.", d1);
            error_text(b, err_id, text);
        }
        rg_buf_puts(b, "<button type=\"submit\">Prometer pagamento</button></form></details>");
    }

    /* Prorrogar vencimento */
    if (extended_from != RG_DATE_NONE) {
        rg_buf_printf(b, "<p class=\"n\">Vencimento prorrogado de %s para %s.</p>",
                      rg_date_format_br(extended_from, d1, sizeof d1), rg_date_format_br(inv->due_date, d2, sizeof d2));
    } else if (inv->due_date + cfg->portal.extend_max_days >= p->today) {
        rg_date first = inv->due_date + 1 > p->today ? inv->due_date + 1 : p->today;
        rg_date latest = inv->due_date + cfg->portal.extend_max_days;
        err = field_error(ctx, inv, "prorrogar-data");
        snprintf(id, sizeof id, "f%zu-prorrogar", i);
        snprintf(err_id, sizeof err_id, "%s-err", id);
        rg_buf_printf(b, "<details%s><summary>Prorrogar vencimento</summary>", err ? " open" : "");
        rg_portal_form_open(b, ctx, "prorrogar", inv->external_id, NULL);
        rg_buf_printf(b, "<label for=\"%s\">Nova data de vencimento (até %s; só uma vez)</label>", id,
                      rg_date_format_br(latest, d1, sizeof d1));
        date_input(b, id, first, latest, err, err_id);
        if (err) {
            snprintf(text, sizeof text, "Escolha uma data de %s até %s.", rg_date_format_br(first, d2, sizeof d2),
                     d1);
            error_text(b, err_id, text);
        }
        rg_buf_puts(b, "<button type=\"submit\">Prorrogar vencimento</button></form></details>");
    }

    /* Contestar cobrança */
    err = field_error(ctx, inv, "motivo");
    snprintf(id, sizeof id, "f%zu-motivo", i);
    snprintf(err_id, sizeof err_id, "%s-err", id);
    rg_buf_printf(b, "<details%s><summary>Contestar cobrança</summary>", err ? " open" : "");
    rg_portal_form_open(b, ctx, "contestar", inv->external_id, NULL);
    rg_buf_printf(b, "<label for=\"%s\">Motivo da contestação</label>", id);
    rg_buf_printf(b, "<textarea id=\"%s\" name=\"reason\" rows=\"4\" maxlength=\"%d\" required%s%s%s></textarea>", id,
                  RG_PORTAL_REASON_MAX, err ? " aria-invalid=\"true\" aria-describedby=\"" : "", err ? err_id : "",
                  err ? "\"" : "");
    if (err)
        error_text(b, err_id, "Conte o motivo da contestação, em até 500 caracteres.");
    rg_buf_puts(b, "<button type=\"submit\">Contestar cobrança</button></form></details>");
}

typedef struct optouts_seen {
    bool out[N_PORTAL_CHANNELS];
} optouts_seen;

static rg_status seen_optout(void *p, const char *channel, const char *how, rg_instant at)
{
    (void)how;
    (void)at;
    optouts_seen *o = p;
    for (size_t i = 0; i < N_PORTAL_CHANNELS; i++)
        if (!strcmp(channel, portal_channels[i].name))
            o->out[i] = true;
    return RG_OK;
}

/* Whether the configuration has the channel (a customer is offered only those). */
static bool configured(const rg_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_channels; i++)
        if (!strcmp(cfg->channels[i].name, name))
            return true;
    return false;
}

void rg_portal_render_page_actions(rg_buf *b, const rg_portal_ctx *ctx)
{
    const rg_config *cfg = ctx->r->srv->config;
    optouts_seen o;
    memset(&o, 0, sizeof o);
    rg_err e;
    if (rg_store_optout_each(ctx->store, ctx->customer.id, seen_optout, &o, &e) != RG_OK) {
        rg_warn("GET /p: customer %s: %s", ctx->customer.external_id, e.msg);
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < N_PORTAL_CHANNELS; i++)
        n += configured(cfg, portal_channels[i].name);
    if (!n)
        return;
    rg_buf_puts(b, "<section class=\"card\" id=\"avisos\" aria-labelledby=\"avisos-t\">"
                   "<h2 id=\"avisos-t\">Como prefere ser avisado</h2>");
    const char *m = rg_http_query(ctx->r, "m");
    if (m && !strcmp(m, "canal"))
        error_text(b, "", "Escolha um dos canais da lista.");
    /* the preferred channel */
    rg_portal_form_open(b, ctx, "preferido", NULL, NULL);
    rg_buf_puts(b, "<label for=\"preferido\">Canal preferido</label><select id=\"preferido\" name=\"channel\">"
                   "<option value=\"\">Sem preferência</option>");
    for (size_t i = 0; i < N_PORTAL_CHANNELS; i++) {
        if (!configured(cfg, portal_channels[i].name))
            continue;
        rg_buf_printf(b, "<option value=\"%s\"%s>%s</option>", portal_channels[i].name,
                      !strcmp(ctx->customer.preferred_channel, portal_channels[i].name) ? " selected" : "",
                      portal_channels[i].label);
    }
    rg_buf_puts(b, "</select><button type=\"submit\">Salvar canal preferido</button></form>");
    /* leave or come back, per channel */
    for (size_t i = 0; i < N_PORTAL_CHANNELS; i++) {
        if (!configured(cfg, portal_channels[i].name))
            continue;
        rg_buf_printf(b, "<p class=\"n\">%s: %s</p>", portal_channels[i].label,
                      o.out[i] ? "você não recebe mensagens por aqui." : "você recebe mensagens por aqui.");
        rg_portal_form_open(b, ctx, "canal", NULL, NULL);
        rg_buf_printf(b, "<input type=\"hidden\" name=\"channel\" value=\"%s\">"
                         "<input type=\"hidden\" name=\"out\" value=\"%d\">"
                         "<button type=\"submit\" class=\"btn alt\">%s %s</button></form>",
                      portal_channels[i].name, o.out[i] ? 0 : 1,
                      o.out[i] ? "Voltar a receber por" : "Não receber mais por", portal_channels[i].label);
    }
    rg_buf_puts(b, "</section>\n");
}
