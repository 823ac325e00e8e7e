/*
 * "Parcelar" on the portal page (docs/portal.md, "Parcelar"): the
 * customer's active agreements — their installments (the down payment
 * first) and the originals they renegotiated — and the section that turns
 * selected open invoices into one: a GET form picks the invoices (all of
 * those that may enter by default), the page lists the plans on offer for
 * them (service/agreements.h rg_agreement_plans, under the terms of the
 * cadence of the first invoice), and the POST `parcelar` makes the chosen
 * plan with rg_agreement_create — the same call as `regua agreement
 * create` and POST /v1/agreements, source "portal" — then answers 303.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/money.h"
#include "base/tz.h"
#include "http/http_int.h"
#include "service/agreements.h"

/* ---- the active agreements ---- */

typedef struct agreement_ids {
    int64_t v[RG_PORTAL_AGREEMENTS_SHOWN];
    size_t n;
} agreement_ids;

static rg_status keep_agreement(void *p, const rg_agreement *a)
{
    agreement_ids *ids = p;
    if (ids->n < RG_PORTAL_AGREEMENTS_SHOWN)
        ids->v[ids->n++] = a->id;
    return RG_OK;
}

static void render_agreement(rg_buf *b, const rg_portal_ctx *ctx, const rg_agreement_view *v)
{
    const rg_agreement *a = &v->agreement;
    char d[16], m[40], m2[40];
    rg_date made = rg_tz_date(rg_zones_company(ctx->r->srv->events->zones), a->created_at);
    rg_buf_printf(b,
                  "<section class=\"card\" id=\"acordo-%lld\" aria-labelledby=\"acordo-%lld-t\">"
                  "<h2 id=\"acordo-%lld-t\">Seu acordo nº %lld</h2><p class=\"n\">Feito em %s · total %s",
                  (long long)a->id, (long long)a->id, (long long)a->id, (long long)a->id,
                  rg_date_format_br(made, d, sizeof d), rg_money_format_brl(a->total, m, sizeof m));
    if (a->interest)
        rg_buf_printf(b, " (juros %s)", rg_money_format_brl(a->interest, m2, sizeof m2));
    rg_buf_puts(b, "</p><h3>Parcelas</h3><ol class=\"parcelas\">");
    for (size_t i = 0; i < v->n_items; i++) {
        const rg_agreement_item *it = &v->items[i];
        if (strcmp(it->role, "installment") != 0)
            continue;
        rg_buf_puts(b, "<li>");
        if (it->seq == 0)
            rg_buf_puts(b, "<strong>Entrada</strong>");
        else
            rg_buf_printf(b, "<strong>Parcela %lld de %lld</strong>", (long long)it->seq, (long long)a->installments);
        rg_buf_printf(b, " · vence %s · %s · %s</li>", rg_date_format_br(it->invoice.due_date, d, sizeof d),
                      rg_money_format_brl(it->amount, m, sizeof m), rg_invoice_status_label_pt(it->invoice.status));
    }
    rg_buf_puts(b, "</ol><h3>Faturas renegociadas neste acordo</h3><ul class=\"parcelas\">");
    for (size_t i = 0; i < v->n_items; i++) {
        const rg_agreement_item *it = &v->items[i];
        if (strcmp(it->role, "original") != 0)
            continue;
        rg_buf_puts(b, "<li>");
        rg_html_escape(b, it->invoice.description[0] ? it->invoice.description : "Fatura");
        rg_buf_puts(b, " (fatura ");
        rg_html_escape(b, it->invoice.external_id);
        rg_buf_printf(b, ") · %s · %s</li>", rg_money_format_brl(it->amount, m, sizeof m),
                      rg_invoice_status_label_pt(it->invoice.status));
    }
    rg_buf_puts(b, "</ul><p class=\"n\">Pague cada parcela pelo código PIX ou pelo boleto dela, nas faturas abaixo. "
                   "Uma parcela muito atrasada desfaz o acordo e a dívida volta para as faturas originais.</p>"
                   "</section>\n");
}

void rg_portal_render_agreements(rg_buf *b, const rg_portal_ctx *ctx)
{
    agreement_ids ids = {.n = 0};
    rg_err e;
    rg_err_clear(&e);
    if (rg_agreement_list(ctx->store, ctx->customer.external_id, "active", 0, RG_PORTAL_AGREEMENTS_SHOWN,
                          keep_agreement, &ids, &e) != RG_OK) {
        rg_warn("GET /p: customer %s: agreements: %s", ctx->customer.external_id, e.msg);
        return;
    }
    for (size_t i = 0; i < ids.n; i++) {
        rg_agreement_view v;
        if (rg_agreement_load(ctx->store, ids.v[i], &v, &e) != RG_OK) {
            rg_warn("GET /p: customer %s: agreement %lld: %s", ctx->customer.external_id, (long long)ids.v[i], e.msg);
            continue;
        }
        render_agreement(b, ctx, &v);
        rg_agreement_view_free(&v);
    }
}

/* ---- Parcelar: the selection and the plans ---- */

typedef struct selection {
    const rg_invoice *const *eligible;
    size_t n;
    bool *chosen;
} selection;

/* Marks the eligible invoices named by ?sel= (repeated). */
static enum MHD_Result mark_selected(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    selection *s = cls;
    if (key && value && !strcmp(key, "sel"))
        for (size_t i = 0; i < s->n; i++)
            if (!strcmp(s->eligible[i]->external_id, value))
                s->chosen[i] = true;
    return MHD_YES;
}

/* "Entrada de R$ 100,00 em 02/12/2026 + 3 parcelas mensais de R$ 137,33 (a última R$ 137,35). Total ...". */
static void plan_text(rg_buf *b, const rg_agreement_plan *p)
{
    char d[16], m[40];
    if (p->down_payment)
        rg_buf_printf(b, "Entrada de %s em %s + ", rg_money_format_brl(p->down_payment, m, sizeof m),
                      rg_date_format_br(p->due[0], d, sizeof d));
    rg_buf_printf(b, "<strong>%lld %s de %s</strong>", (long long)p->installments,
                  p->installments == 1 ? "parcela" : "parcelas mensais",
                  rg_money_format_brl(p->installment, m, sizeof m));
    if (p->installments > 1 && p->last_installment != p->installment)
        rg_buf_printf(b, " (a última de %s)", rg_money_format_brl(p->last_installment, m, sizeof m));
    if (!p->down_payment)
        rg_buf_printf(b, ", a primeira em %s", rg_date_format_br(p->due[1], d, sizeof d));
    rg_buf_printf(b, ". Total %s, ", rg_money_format_brl(p->total, m, sizeof m));
    if (p->interest)
        rg_buf_printf(b, "juros de %s.", rg_money_format_brl(p->interest, m, sizeof m));
    else
        rg_buf_puts(b, "sem juros.");
}

void rg_portal_render_parcelar(rg_buf *b, const rg_portal_ctx *ctx, const rg_invoice *inv, size_t n)
{
    rg_err e;
    rg_err_clear(&e);
    const rg_invoice **eligible = calloc(n ? n : 1, sizeof *eligible);
    bool *chosen = calloc(n ? n : 1, sizeof *chosen);
    const char **names = calloc(n ? n : 1, sizeof *names);
    if (!eligible || !chosen || !names)
        goto out;
    size_t ne = 0;
    for (size_t i = 0; i < n; i++) {
        rg_err ce;
        if (rg_invoice_balance(&inv[i]) > 0 && rg_agreement_portal_check(ctx->store, &inv[i], &ce) == RG_OK)
            eligible[ne++] = &inv[i];
    }
    if (!ne)
        goto out;
    selection sel = {eligible, ne, chosen};
    bool asked = rg_http_query(ctx->r, "v") != NULL;
    if (asked)
        MHD_get_connection_values(ctx->r->conn, MHD_GET_ARGUMENT_KIND, mark_selected, &sel);
    else
        for (size_t i = 0; i < ne; i++)
            chosen[i] = true;

    char m[40], tok[RG_PORTAL_TOKEN_MAX + 1];
    size_t tl = ctx->token_len < sizeof tok ? ctx->token_len : sizeof tok - 1;
    memcpy(tok, ctx->token, tl);
    tok[tl] = '\0';
    rg_buf_puts(b, "<section class=\"card\" id=\"parcelar\" aria-labelledby=\"parcelar-t\">"
                   "<h2 id=\"parcelar-t\">Parcelar</h2>"
                   "<p>Junte faturas em aberto num acordo: uma entrada e parcelas mensais, cada uma com o seu "
                   "código PIX e o seu boleto.</p>");
    const char *flash = rg_http_query(ctx->r, "m");
    if (flash && !strcmp(flash, "parcelar-plano"))
        rg_buf_puts(b, "<p class=\"field-err\">Escolha um dos planos da lista.</p>");
    else if (flash && !strcmp(flash, "parcelar-faturas"))
        rg_buf_puts(b, "<p class=\"field-err\">Uma das faturas escolhidas não pode mais entrar num acordo. "
                       "Escolha de novo.</p>");
    /* 1: which invoices (a GET: only the page changes) */
    rg_buf_printf(b, "<form method=\"get\" action=\"/p/%s#parcelar\"><input type=\"hidden\" name=\"v\" value=\"1\">"
                     "<fieldset><legend>Faturas do acordo</legend>",
                  tok);
    size_t nsel = 0;
    rg_cents principal = 0;
    for (size_t i = 0; i < ne; i++) {
        rg_buf_printf(b, "<div class=\"opt\"><input type=\"checkbox\" name=\"sel\" id=\"sel-%zu\" value=\"", i);
        rg_html_escape(b, eligible[i]->external_id);
        rg_buf_printf(b, "\"%s><label for=\"sel-%zu\">", chosen[i] ? " checked" : "", i);
        rg_html_escape(b, eligible[i]->description[0] ? eligible[i]->description : "Fatura");
        rg_buf_puts(b, " (fatura ");
        rg_html_escape(b, eligible[i]->external_id);
        rg_buf_printf(b, ") · %s</label></div>", rg_money_format_brl(rg_invoice_balance(eligible[i]), m, sizeof m));
        if (chosen[i]) {
            names[nsel++] = eligible[i]->external_id;
            principal += rg_invoice_balance(eligible[i]);
        }
    }
    rg_buf_puts(b, "</fieldset><button type=\"submit\" class=\"btn alt\">Ver planos</button></form>");
    if (!nsel) {
        rg_buf_puts(b, "<p>Escolha ao menos uma fatura e toque em “Ver planos”.</p></section>\n");
        goto out;
    }
    /* 2: the plans for them */
    rg_event_env env = rg_portal_env(ctx);
    rg_agreement_plan *plans = NULL;
    size_t np = 0;
    rg_status rc = rg_agreement_plans(&env, ctx->r->srv->config, ctx->customer.external_id, names, nsel, ctx->now,
                                      &plans, &np, &e);
    if (rc != RG_OK) {
        rg_warn("GET /p: customer %s: plans: %s: %s", ctx->customer.external_id, e.where, e.msg);
        rg_buf_puts(b, "<p>Não conseguimos calcular os planos agora. Tente de novo em alguns instantes.</p>");
    } else if (!np) {
        rg_buf_printf(b, "<p>O valor escolhido (%s) é pequeno demais para parcelar. Escolha mais faturas ou pague "
                         "à vista.</p>",
                      rg_money_format_brl(principal, m, sizeof m));
    } else {
        rg_portal_form_open(b, ctx, "parcelar", NULL, NULL);
        for (size_t i = 0; i < nsel; i++) {
            rg_buf_puts(b, "<input type=\"hidden\" name=\"invoice\" value=\"");
            rg_html_escape(b, names[i]);
            rg_buf_puts(b, "\">");
        }
        rg_buf_printf(b, "<fieldset><legend>Planos para %s (%zu %s)</legend>",
                      rg_money_format_brl(principal, m, sizeof m), nsel, nsel == 1 ? "fatura" : "faturas");
        for (size_t i = 0; i < np; i++) {
            rg_buf_printf(b,
                          "<div class=\"opt\"><input type=\"radio\" name=\"installments\" id=\"plano-%lld\" "
                          "value=\"%lld\" required><label for=\"plano-%lld\">",
                          (long long)plans[i].installments, (long long)plans[i].installments,
                          (long long)plans[i].installments);
            plan_text(b, &plans[i]);
            rg_buf_puts(b, "</label></div>");
        }
        rg_buf_puts(b, "</fieldset><p class=\"n\">Ao fazer o acordo, as faturas escolhidas ficam renegociadas: "
                       "você passa a pagar a entrada e as parcelas.</p>"
                       "<button type=\"submit\">Fazer acordo</button></form>");
    }
    free(plans);
    rg_buf_puts(b, "</section>\n");
out:
    free(eligible);
    free(chosen);
    free(names);
}

/* ---- POST /p/TOKEN/parcelar: invoice (repeated), installments ---- */

enum MHD_Result rg_portal_action_agreement(rg_portal_ctx *ctx)
{
    const char *names[RG_PORTAL_MAX_FIELDS];
    size_t n = 0;
    for (size_t i = 0; i < ctx->n_fields; i++)
        if (!strcmp(ctx->fields[i].name, "invoice"))
            names[n++] = ctx->fields[i].value;
    const char *v = rg_portal_form_value(ctx, "installments");
    char *end = NULL;
    long long k = v && *v >= '1' && *v <= '9' ? strtoll(v, &end, 10) : 0;
    if (!end || *end || k < 1 || k > RG_AGREEMENT_MAX_INSTALLMENTS)
        return rg_portal_redirect(ctx, "parcelar-plano", "parcelar");
    if (!n)
        return rg_portal_redirect(ctx, "parcelar-faturas", "parcelar");
    rg_event_env env = rg_portal_env(ctx);
    rg_agreement_request rq = {ctx->customer.external_id, names, n, k, "portal", ctx->now};
    rg_agreement_view out;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_agreement_create(&env, ctx->r->srv->config, &rq, &out, &e);
    if (rc == RG_OK) {
        char anchor[40];
        snprintf(anchor, sizeof anchor, "acordo-%lld", (long long)out.agreement.id);
        rg_info("POST /p/parcelar: customer %s: agreement %lld (%lld installments)", ctx->customer.external_id,
                (long long)out.agreement.id, k);
        rg_agreement_view_free(&out);
        return rg_portal_redirect(ctx, "acordo", anchor);
    }
    if (rc == RG_EINVAL && !strcmp(e.where, "installments"))
        return rg_portal_redirect(ctx, "parcelar-plano", "parcelar");
    if ((rc == RG_EINVAL || rc == RG_ECONFLICT || rc == RG_ENOTFOUND) && !strcmp(e.where, "invoices"))
        return rg_portal_redirect(ctx, "parcelar-faturas", "parcelar");
    return rg_portal_failed(ctx, "parcelar", rc, &e);
}
