#include "service/agreements.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/date.h"
#include "base/money.h"
#include "base/tz.h"
#include "br/boleto.h"
#include "br/pix.h"
#include "service/holds.h"

/* round(a x b / d), half up, for a, b >= 0 */
static rg_cents mul_div_round(rg_cents a, int64_t b, int64_t d)
{
    return (rg_cents)(((__int128)a * b * 2 + d) / (2 * (__int128)d));
}

static rg_date add_months(rg_date d, int64_t k)
{
    int y, m, dd;
    rg_date_to_ymd(d, &y, &m, &dd);
    int64_t mi = (int64_t)y * 12 + (m - 1) + k;
    int ny = (int)(mi / 12), nm = (int)(mi % 12) + 1;
    int last = rg_days_in_month(ny, nm);
    return rg_date_from_ymd(ny, nm, dd > last ? last : dd);
}

rg_status rg_agreement_plan_make(const rg_agreement_config *cfg, const rg_calendar *cal, rg_cents principal,
                                 int64_t n, rg_date today, rg_agreement_plan *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    if (principal <= 0)
        return rg_err_set(e, RG_EINVAL, "invoices", "the selected invoices owe nothing: no agreement to make");
    int64_t max = cfg->max_installments < RG_AGREEMENT_MAX_INSTALLMENTS ? cfg->max_installments
                                                                        : RG_AGREEMENT_MAX_INSTALLMENTS;
    if (n < 1 || n > max)
        return rg_err_set(e, RG_EINVAL, "installments", "%lld installments: choose from 1 to %lld (max_installments)",
                          (long long)n, (long long)max);
    out->installments = n;
    out->principal = principal;
    out->down_payment = mul_div_round(principal, cfg->down_payment_pct, 10000);
    out->financed = principal - out->down_payment;
    out->interest = mul_div_round(out->financed, cfg->interest_month_pct * n, 10000);
    rg_cents rest = out->financed + out->interest;
    out->installment = rest / n;
    out->last_installment = rest - (n - 1) * out->installment;
    out->total = out->down_payment + rest;
    if (out->installment < cfg->min_installment) {
        /* the largest N whose installment still reaches the minimum */
        int64_t fit = 0;
        for (int64_t k = n - 1; k >= 1 && !fit; k--) {
            rg_cents j = mul_div_round(out->financed, cfg->interest_month_pct * k, 10000);
            if ((out->financed + j) / k >= cfg->min_installment)
                fit = k;
        }
        char a[32], m[32];
        rg_money_format_brl(out->installment, a, sizeof a);
        rg_money_format_brl(cfg->min_installment, m, sizeof m);
        if (fit)
            return rg_err_set(e, RG_EINVAL, "installments",
                              "%lld installments of %s are below the minimum installment %s: at most %lld", (long long)n,
                              a, m, (long long)fit);
        return rg_err_set(e, RG_EINVAL, "installments",
                          "%lld installments of %s are below the minimum installment %s: the debt is too small to"
                          " split", (long long)n, a, m);
    }
    out->down_payment_due = rg_add_bank_business_days(cal, today, (int)cfg->down_payment_days);
    if (out->down_payment_due == RG_DATE_NONE)
        return rg_err_set(e, RG_EINVAL, "installments", "no bank business day follows today");
    out->due[0] = out->down_payment_due;
    for (int64_t k = 1; k <= n; k++)
        out->due[k] = add_months(out->down_payment_due, k);
    return RG_OK;
}

rg_cents rg_agreement_plan_amount(const rg_agreement_plan *p, int64_t k)
{
    return k == 0 ? p->down_payment : k == p->installments ? p->last_installment : p->installment;
}

void rg_agreement_view_free(rg_agreement_view *v)
{
    free(v->items);
    memset(v, 0, sizeof *v);
}

static rg_status keep_item(void *ctx, const rg_agreement_item *it)
{
    rg_agreement_view *v = ctx;
    if (!rg_array_grow((void **)&v->items, v->n_items, &v->cap_items, sizeof *v->items))
        return RG_ENOMEM;
    v->items[v->n_items++] = *it;
    return RG_OK;
}

rg_status rg_agreement_load(rg_store *s, int64_t id, rg_agreement_view *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    rg_status rc = rg_store_agreement_get(s, id, &out->agreement, e);
    if (rc == RG_OK && (rc = rg_store_agreement_items(s, id, keep_item, out, e)) == RG_ENOMEM)
        rg_err_set(e, RG_ENOMEM, "agreement", "out of memory");
    if (rc != RG_OK)
        rg_agreement_view_free(out);
    return rc;
}

static bool status_ok(const char *s)
{
    return !strcmp(s, "active") || !strcmp(s, "completed") || !strcmp(s, "broken") || !strcmp(s, "cancelled");
}

rg_status rg_agreement_list(rg_store *s, const char *customer, const char *status, int64_t after_id, int64_t limit,
                            rg_agreement_fn fn, void *ctx, rg_err *e)
{
    if (status && !status_ok(status))
        return rg_err_set(e, RG_EINVAL, "status", "'%s' is not a status (active, completed, broken, cancelled)",
                          status);
    int64_t cid = 0;
    if (customer) {
        rg_customer c;
        rg_status rc = rg_store_customer_get(s, customer, &c, e);
        if (rc == RG_ENOTFOUND)
            return rg_err_set(e, RG_ENOTFOUND, "customer", "no customer '%s'", customer);
        if (rc != RG_OK)
            return rc;
        cid = c.id;
    }
    return rg_store_agreement_each(s, cid, status, after_id, limit, fn, ctx, e);
}

static const rg_calendar *calendar_of(const rg_event_env *env)
{
    return env->triggers ? env->triggers->calendar : NULL;
}

/* The installment's boleto and PIX, from the first original that has
 * them: the same bank and campo livre, the same PIX key; this amount and
 * due date. */
static void instruments(const rg_invoice *src_boleto, const rg_invoice *src_pix, int64_t agreement_id, int64_t k,
                        rg_date today, rg_invoice *inv)
{
    rg_err e;
    if (src_boleto) {
        const char *code = src_boleto->barcode[0] ? src_boleto->barcode : src_boleto->linha_digitavel;
        rg_boleto old, nb;
        if (rg_boleto_decode(code, strlen(code), today, &old, &e) == RG_OK &&
            rg_boleto_encode(old.bank, old.currency[0], inv->due_date, inv->amount, old.campo_livre, &nb, &e) ==
                RG_OK) {
            rg_strlcpy(inv->barcode, nb.barcode, sizeof inv->barcode);
            rg_strlcpy(inv->linha_digitavel, nb.linha_digitavel, sizeof inv->linha_digitavel);
            rg_strlcpy(inv->boleto_bank, src_boleto->boleto_bank[0] ? src_boleto->boleto_bank : old.bank,
                       sizeof inv->boleto_bank);
            rg_strlcpy(inv->nosso_numero, src_boleto->nosso_numero, sizeof inv->nosso_numero);
        }
    }
    if (src_pix) {
        rg_pix px;
        if (rg_pix_parse(src_pix->pix_code, strlen(src_pix->pix_code), &px, &e) == RG_OK &&
            px.type == RG_PIX_STATIC) {
            char txid[32];
            snprintf(txid, sizeof txid, "ACORDO%lldN%lld", (long long)agreement_id, (long long)k);
            rg_pix_params pp;
            memset(&pp, 0, sizeof pp);
            pp.key = px.key;
            pp.description = px.description;
            pp.merchant_name = px.merchant_name;
            pp.merchant_city = px.merchant_city;
            pp.txid = txid;
            pp.has_amount = true;
            pp.amount_cents = inv->amount;
            if (rg_pix_build(&pp, inv->pix_code, sizeof inv->pix_code, &e) != RG_OK)
                inv->pix_code[0] = '\0';
        }
    }
}

static rg_status record(const rg_event_env *env, rg_event_type t, rg_instant at, const char *source, int64_t customer,
                        int64_t invoice, json_t *payload, rg_err *e)
{
    char *text = payload ? json_dumps(payload, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(payload);
    if (!text)
        return rg_err_set(e, RG_ENOMEM, "agreement", "out of memory");
    rg_event_in ev = {t, at, source, customer, invoice, 0, text};
    rg_status rc = rg_event_record(env, &ev, NULL, e);
    free(text);
    return rc;
}

static json_t *money(rg_cents v)
{
    char b[32];
    return json_string(rg_money_format_plain(v, b, sizeof b));
}

bool rg_agreement_is_installment(const rg_invoice *inv)
{
    size_t n = strlen(RG_AGREEMENT_TAG);
    for (const char *t = inv->tags; *t;) {
        const char *bar = strchr(t, '|');
        size_t len = bar ? (size_t)(bar - t) : strlen(t);
        if (len == n && !memcmp(t, RG_AGREEMENT_TAG, n))
            return true;
        t += len + (bar ? 1 : 0);
    }
    return false;
}

rg_status rg_agreement_portal_check(rg_store *s, const rg_invoice *inv, rg_err *e)
{
    if (rg_agreement_is_installment(inv))
        return rg_err_set(e, RG_ECONFLICT, "invoices",
                          "invoice %s is an installment of an agreement (tag acordo): not from the portal",
                          inv->external_id);
    bool held = false;
    char why[64] = "";
    rg_status rc = rg_holds_check(s, inv->id, NULL, &held, why, sizeof why, e);
    if (rc == RG_OK && held && strstr(why, RG_HOLD_DISPUTE))
        rc = rg_err_set(e, RG_ECONFLICT, "invoices", "invoice %s is under dispute: not from the portal",
                        inv->external_id);
    return rc;
}

/* The customer and the invoices named: each the customer's, open and
 * owing (and, from the portal, rg_agreement_portal_check); *principal
 * their balances. orig holds n invoices. */
static rg_status select_originals(rg_store *s, const char *customer, const char *const *ids, size_t n, bool portal,
                                  rg_customer *c, rg_invoice *orig, rg_cents *principal, rg_err *e)
{
    rg_status rc;
    *principal = 0;
    if (!customer || !customer[0])
        return rg_err_set(e, RG_EINVAL, "customer", "name the customer (external id)");
    if ((rc = rg_store_customer_get(s, customer, c, e)) == RG_ENOTFOUND)
        return rg_err_set(e, RG_ENOTFOUND, "customer", "no customer '%s'", customer);
    if (rc != RG_OK)
        return rc;
    if (n == 0)
        return rg_err_set(e, RG_EINVAL, "invoices", "name at least one open invoice of customer %s", c->external_id);
    if (n > RG_AGREEMENT_MAX_INVOICES)
        return rg_err_set(e, RG_EINVAL, "invoices", "at most %d invoices in one agreement", RG_AGREEMENT_MAX_INVOICES);
    for (size_t i = 0; i < n; i++) {
        const char *id = ids[i];
        for (size_t j = 0; j < i; j++)
            if (!strcmp(ids[j], id))
                return rg_err_set(e, RG_EINVAL, "invoices", "invoice %s is named twice", id);
        if ((rc = rg_store_invoice_get(s, id, &orig[i], e)) == RG_ENOTFOUND)
            return rg_err_set(e, RG_ENOTFOUND, "invoices", "no invoice '%s'", id);
        if (rc != RG_OK)
            return rc;
        if (orig[i].customer_id != c->id)
            return rg_err_set(e, RG_ECONFLICT, "invoices", "invoice %s is customer %s's, not %s's", id,
                              orig[i].customer_external_id, c->external_id);
        if (orig[i].status != RG_INV_OPEN)
            return rg_err_set(e, RG_ECONFLICT, "invoices", "invoice %s is %s: only open invoices enter an agreement",
                              id, rg_invoice_status_name(orig[i].status));
        if (rg_invoice_balance(&orig[i]) <= 0)
            return rg_err_set(e, RG_ECONFLICT, "invoices", "invoice %s owes nothing", id);
        if (portal && (rc = rg_agreement_portal_check(s, &orig[i], e)) != RG_OK)
            return rc;
        *principal += rg_invoice_balance(&orig[i]);
    }
    return RG_OK;
}

/* The terms for these invoices: regua.yaml's portal.agreements, each key
 * the cadence of the first invoice states (`portal: {agreements: ...}`)
 * replaced by the cadence's. */
static void terms_of(const rg_event_env *env, const rg_config *cfg, const rg_invoice *first, const rg_customer *c,
                     rg_instant now, rg_agreement_config *out)
{
    *out = cfg->portal.agreements;
    const rg_cadence *cad = NULL;
    rg_err e;
    if (!env->triggers || !env->triggers->cadences ||
        rg_triggers_cadence_of(env->triggers, env->store, first, c, now, &cad, &e) != RG_OK || !cad)
        return;
    const rg_cadence_agreements *a = &cad->agreements;
    int64_t *dst[RG_CADENCE_AG__COUNT] = {&out->max_installments,   &out->min_installment,
                                          &out->down_payment_pct,   &out->interest_month_pct,
                                          &out->down_payment_days,  &out->break_after_days};
    for (int i = 0; i < RG_CADENCE_AG__COUNT; i++)
        if (a->has[i])
            *dst[i] = a->v[i];
}

rg_status rg_agreement_plans(const rg_event_env *env, const rg_config *cfg, const char *customer,
                             const char *const *invoices, size_t n, rg_instant now, rg_agreement_plan **plans,
                             size_t *n_plans, rg_err *e)
{
    *plans = NULL;
    *n_plans = 0;
    rg_customer c;
    rg_cents principal;
    rg_invoice *orig = calloc(n ? n : 1, sizeof *orig);
    if (!orig)
        return rg_err_set(e, RG_ENOMEM, "agreement", "out of memory");
    rg_status rc = select_originals(env->store, customer, invoices, n, false, &c, orig, &principal, e);
    rg_agreement_config terms;
    if (rc == RG_OK)
        terms_of(env, cfg, &orig[0], &c, now, &terms);
    free(orig);
    if (rc != RG_OK)
        return rc;
    const rg_agreement_config *ac = &terms;
    rg_date today = rg_tz_date(rg_zones_company(env->zones), now);
    rg_agreement_plan *v = calloc((size_t)ac->max_installments, sizeof *v);
    if (!v)
        return rg_err_set(e, RG_ENOMEM, "agreement", "out of memory");
    for (int64_t k = 1; k <= ac->max_installments; k++) {
        rg_err pe;
        if (rg_agreement_plan_make(ac, calendar_of(env), principal, k, today, &v[*n_plans], &pe) == RG_OK)
            (*n_plans)++;
    }
    *plans = v;
    return RG_OK;
}

static rg_status create_in(const rg_event_env *env, const rg_config *cfg, const rg_agreement_request *rq,
                           rg_agreement_view *out, rg_err *e)
{
    rg_store *s = env->store;
    rg_customer c;
    rg_cents principal = 0;
    rg_invoice *orig = calloc(rq->n_invoices ? rq->n_invoices : 1, sizeof *orig);
    if (!orig)
        return rg_err_set(e, RG_ENOMEM, "agreement", "out of memory");
    rg_status rc = select_originals(s, rq->customer, rq->invoices, rq->n_invoices,
                                    rq->source && !strcmp(rq->source, "portal"), &c, orig, &principal, e);
    const rg_invoice *src_boleto = NULL, *src_pix = NULL;
    for (size_t i = 0; rc == RG_OK && i < rq->n_invoices; i++) {
        if (!src_boleto && (orig[i].barcode[0] || orig[i].linha_digitavel[0]))
            src_boleto = &orig[i];
        if (!src_pix && orig[i].pix_code[0])
            src_pix = &orig[i];
    }
    rg_date today = rg_tz_date(rg_zones_company(env->zones), rq->now);
    rg_agreement_config terms = cfg->portal.agreements;
    if (rc == RG_OK)
        terms_of(env, cfg, &orig[0], &c, rq->now, &terms);
    rg_agreement_plan *plan = rc == RG_OK ? malloc(sizeof *plan) : NULL;
    if (rc == RG_OK && !plan)
        rc = rg_err_set(e, RG_ENOMEM, "agreement", "out of memory");
    if (rc == RG_OK)
        rc = rg_agreement_plan_make(&terms, calendar_of(env), principal, rq->installments, today,
                                    plan, e);
    rg_agreement a;
    memset(&a, 0, sizeof a);
    if (rc == RG_OK) {
        a.customer_id = c.id;
        a.installments = plan->installments;
        a.principal = plan->principal;
        a.down_payment = plan->down_payment;
        a.interest = plan->interest;
        a.total = plan->total;
        a.down_payment_pct = terms.down_payment_pct;
        a.interest_month_pct = terms.interest_month_pct;
        a.break_after_days = terms.break_after_days;
        rg_strlcpy(a.source, rq->source ? rq->source : "", sizeof a.source);
        a.created_at = rq->now;
        rc = rg_store_agreement_insert(s, &a, e);
    }
    json_t *ids = json_array(), *orig_ids = json_array();
    for (size_t i = 0; i < rq->n_invoices && rc == RG_OK; i++) {
        rg_invoice *o = &orig[i];
        json_array_append_new(orig_ids, json_string(o->external_id));
        if ((rc = rg_store_agreement_link(s, a.id, o->id, "original", 0, rg_invoice_balance(o), e)) == RG_OK &&
            (rc = rg_store_invoice_set_paid(s, o->id, o->paid, RG_INV_RENEGOTIATED, RG_DATE_NONE, rq->now, e)) ==
                RG_OK &&
            (rc = rg_store_invoice_wake(s, o->id, RG_WAKE_NOW, e)) == RG_OK)
            rc = record(env, RG_EV_INVOICE_UPDATED, rq->now, rq->source ? rq->source : "cli", c.id, o->id,
                        json_pack("{s:s, s:I}", "status", "renegotiated", "agreement", (json_int_t)a.id), e);
    }
    for (int64_t k = plan && plan->down_payment ? 0 : 1; rc == RG_OK && k <= plan->installments; k++) {
        rg_invoice inv;
        rg_invoice_init(&inv);
        snprintf(inv.external_id, sizeof inv.external_id, "ACORDO-%lld-%lld", (long long)a.id, (long long)k);
        rg_invoice exists;
        rg_err ge;
        if (rg_store_invoice_get(s, inv.external_id, &exists, &ge) == RG_OK) {
            rc = rg_err_set(e, RG_ECONFLICT, "invoices", "an invoice %s exists already", inv.external_id);
            break;
        }
        inv.customer_id = c.id;
        rg_strlcpy(inv.customer_external_id, c.external_id, sizeof inv.customer_external_id);
        if (k == 0)
            snprintf(inv.description, sizeof inv.description, "Acordo %lld - entrada", (long long)a.id);
        else
            snprintf(inv.description, sizeof inv.description, "Acordo %lld - parcela %lld/%lld", (long long)a.id,
                     (long long)k, (long long)plan->installments);
        inv.amount = rg_agreement_plan_amount(plan, k);
        inv.issue_date = today;
        inv.due_date = plan->due[k];
        inv.status = RG_INV_OPEN;
        rg_strlcpy(inv.tags, RG_AGREEMENT_TAG, sizeof inv.tags);
        instruments(src_boleto, src_pix, a.id, k, today, &inv);
        rg_upsert_result res;
        if ((rc = rg_store_invoice_upsert(s, &inv, RG_IF_ALL, rq->now, &res, e)) != RG_OK ||
            (rc = rg_store_agreement_link(s, a.id, inv.id, "installment", k, inv.amount, e)) != RG_OK ||
            (rc = rg_store_invoice_wake(s, inv.id, RG_WAKE_NOW, e)) != RG_OK)
            break;
        json_array_append_new(ids, json_string(inv.external_id));
        rc = record(env, RG_EV_INVOICE_CREATED, rq->now, rq->source ? rq->source : "cli", c.id, inv.id,
                    json_pack("{s:I}", "agreement", (json_int_t)a.id), e);
    }
    if (rc == RG_OK)
        rc = record(env, RG_EV_AGREEMENT_CREATED, rq->now, rq->source ? rq->source : "cli", c.id, 0,
                    json_pack("{s:I, s:I, s:o, s:o, s:o, s:O, s:O}", "agreement", (json_int_t)a.id, "installments",
                              (json_int_t)a.installments, "down_payment", money(a.down_payment), "interest",
                              money(a.interest), "total", money(a.total), "originals", orig_ids, "invoices", ids),
                    e);
    json_decref(ids);
    json_decref(orig_ids);
    free(plan);
    free(orig);
    if (rc == RG_OK)
        rc = rg_agreement_load(s, a.id, out, e);
    return rc;
}

rg_status rg_agreement_create(const rg_event_env *env, const rg_config *cfg, const rg_agreement_request *rq,
                              rg_agreement_view *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    rg_status rc = rg_store_begin(env->store, e);
    if (rc == RG_OK)
        rc = create_in(env, cfg, rq, out, e);
    rc = rg_store_end(env->store, rc, e);
    if (rc != RG_OK)
        rg_agreement_view_free(out);
    return rc;
}

/* ---- the tick ---- */

typedef struct active_list {
    rg_agreement *v;
    size_t n, cap;
} active_list;

static rg_status keep_agreement(void *ctx, const rg_agreement *a)
{
    active_list *l = ctx;
    if (!rg_array_grow((void **)&l->v, l->n, &l->cap, sizeof *l->v))
        return RG_ENOMEM;
    l->v[l->n++] = *a;
    return RG_OK;
}

static int by_due(const void *a, const void *b)
{
    const rg_agreement_item *x = *(const rg_agreement_item *const *)a, *y = *(const rg_agreement_item *const *)b;
    if (x->invoice.due_date != y->invoice.due_date)
        return x->invoice.due_date < y->invoice.due_date ? -1 : 1;
    return x->invoice.id < y->invoice.id ? -1 : x->invoice.id > y->invoice.id;
}

/* The agreement ends unpaid — broken by the tick (status "broken", source
 * "engine", `late` the late installment) or cancelled by the operator
 * ("cancelled", the operator's source, late NULL): cancel its open
 * installments, credit what was paid on it to the originals (oldest due
 * first), reopen those still owing, and record agreement.broken or
 * agreement.cancelled. */
static rg_status unwind(const rg_event_env *env, rg_agreement_view *v, const char *status, const char *source,
                        const rg_agreement_item *late, rg_instant now, rg_date today, rg_err *e)
{
    rg_store *s = env->store;
    rg_status rc = RG_OK;
    rg_cents paid = 0;
    size_t n_orig = 0;
    rg_agreement_item **orig = calloc(v->n_items ? v->n_items : 1, sizeof *orig);
    if (!orig)
        return rg_err_set(e, RG_ENOMEM, "agreement", "out of memory");
    json_t *cancelled = json_array(), *reopened = json_array();
    for (size_t i = 0; i < v->n_items && rc == RG_OK; i++) {
        rg_agreement_item *it = &v->items[i];
        if (!strcmp(it->role, "original")) {
            orig[n_orig++] = it;
            continue;
        }
        paid += it->invoice.paid;
        if (it->invoice.status == RG_INV_OPEN) {
            if ((rc = rg_store_invoice_set_paid(s, it->invoice.id, it->invoice.paid, RG_INV_CANCELLED, RG_DATE_NONE,
                                                now, e)) == RG_OK &&
                (rc = rg_store_invoice_wake(s, it->invoice.id, RG_WAKE_NOW, e)) == RG_OK)
                rc = record(env, RG_EV_INVOICE_CANCELLED, now, source, it->invoice.customer_id, it->invoice.id,
                            json_pack("{s:I}", "agreement", (json_int_t)v->agreement.id), e);
            json_array_append_new(cancelled, json_string(it->invoice.external_id));
        }
    }
    qsort(orig, n_orig, sizeof *orig, by_due);
    int64_t first_open = 0;
    char ref[48];
    snprintf(ref, sizeof ref, "ACORDO-%lld", (long long)v->agreement.id);
    for (size_t i = 0; i < n_orig && rc == RG_OK; i++) {
        rg_invoice *o = &orig[i]->invoice;
        if (o->status != RG_INV_RENEGOTIATED)
            continue; /* changed since by an import: left as it is */
        rg_cents owed = rg_invoice_balance(o);
        rg_cents credit = paid < owed ? paid : owed;
        paid -= credit;
        rg_cents now_paid = o->paid;
        if (credit > 0) {
            rg_payment p;
            memset(&p, 0, sizeof p);
            p.invoice_id = o->id;
            rg_strlcpy(p.invoice_external_id, o->external_id, sizeof p.invoice_external_id);
            p.amount = credit;
            p.paid_at = now;
            rg_strlcpy(p.method, "acordo", sizeof p.method);
            p.source = RG_PAY_MANUAL;
            rg_strlcpy(p.reference, ref, sizeof p.reference);
            bool inserted;
            if ((rc = rg_store_payment_insert(s, &p, now, &inserted, e)) != RG_OK)
                break;
            now_paid += credit;
        }
        bool settled = now_paid >= o->amount;
        if ((rc = rg_store_invoice_set_paid(s, o->id, now_paid, settled ? RG_INV_PAID : RG_INV_OPEN,
                                            settled ? today : RG_DATE_NONE, now, e)) != RG_OK ||
            (rc = rg_store_invoice_wake(s, o->id, RG_WAKE_NOW, e)) != RG_OK ||
            (rc = record(env, RG_EV_INVOICE_UPDATED, now, source, o->customer_id, o->id,
                         json_pack("{s:s, s:I}", "status", settled ? "paid" : "open", "agreement",
                                   (json_int_t)v->agreement.id),
                         e)) != RG_OK)
            break;
        if (!settled) {
            json_array_append_new(reopened, json_string(o->external_id));
            if (!first_open)
                first_open = o->id;
        }
    }
    if (rc == RG_OK)
        rc = rg_store_agreement_close(s, v->agreement.id, status, now, e);
    if (rc == RG_OK && late)
        rc = record(env, RG_EV_AGREEMENT_BROKEN, now, source, v->agreement.customer_id, first_open,
                    json_pack("{s:I, s:s, s:O, s:O}", "agreement", (json_int_t)v->agreement.id, "late_invoice",
                              late->invoice.external_id, "cancelled", cancelled, "reopened", reopened),
                    e);
    else if (rc == RG_OK)
        rc = record(env, RG_EV_AGREEMENT_CANCELLED, now, source, v->agreement.customer_id, first_open,
                    json_pack("{s:I, s:O, s:O}", "agreement", (json_int_t)v->agreement.id, "cancelled", cancelled,
                              "reopened", reopened),
                    e);
    json_decref(cancelled);
    json_decref(reopened);
    free(orig);
    return rc;
}

rg_status rg_agreements_check(const rg_event_env *env, rg_instant now, rg_agreement_check_stats *st, rg_err *e)
{
    active_list l = {0};
    rg_status rc = rg_store_agreement_each(env->store, 0, "active", 0, 0, keep_agreement, &l, e);
    if (rc == RG_ENOMEM)
        rc = rg_err_set(e, RG_ENOMEM, "agreement", "out of memory");
    rg_date today = rg_tz_date(rg_zones_company(env->zones), now);
    for (size_t i = 0; i < l.n && rc == RG_OK; i++) {
        rg_agreement_view v;
        if ((rc = rg_agreement_load(env->store, l.v[i].id, &v, e)) != RG_OK)
            break;
        bool all_paid = true;
        const rg_agreement_item *late = NULL;
        for (size_t j = 0; j < v.n_items; j++) {
            const rg_agreement_item *it = &v.items[j];
            if (strcmp(it->role, "installment") != 0)
                continue;
            if (it->invoice.status != RG_INV_PAID)
                all_paid = false;
            if (it->invoice.status == RG_INV_OPEN && !late &&
                rg_effective_due_date(calendar_of(env), it->invoice.due_date) + v.agreement.break_after_days < today)
                late = it;
        }
        if (all_paid) {
            if ((rc = rg_store_agreement_close(env->store, v.agreement.id, "completed", now, e)) == RG_OK)
                rc = record(env, RG_EV_AGREEMENT_COMPLETED, now, "engine", v.agreement.customer_id, 0,
                            json_pack("{s:I, s:o}", "agreement", (json_int_t)v.agreement.id, "total",
                                      money(v.agreement.total)),
                            e);
            if (rc == RG_OK && st)
                st->completed++;
        } else if (late) {
            rc = unwind(env, &v, "broken", "engine", late, now, today, e);
            if (rc == RG_OK && st)
                st->broken++;
        }
        rg_agreement_view_free(&v);
    }
    free(l.v);
    return rc;
}

rg_status rg_agreement_cancel(const rg_event_env *env, int64_t id, const char *source, rg_instant now,
                              rg_agreement_view *out, rg_err *e)
{
    memset(out, 0, sizeof *out);
    rg_status rc = rg_store_begin(env->store, e);
    if (rc != RG_OK)
        return rc;
    rg_agreement_view v;
    if ((rc = rg_agreement_load(env->store, id, &v, e)) == RG_OK) {
        if (strcmp(v.agreement.status, "active") != 0)
            rc = rg_err_set(e, RG_ECONFLICT, "agreement", "agreement %lld is %s: only an active agreement can be "
                            "cancelled", (long long)id, v.agreement.status);
        else
            rc = unwind(env, &v, "cancelled", source ? source : "cli", NULL, now,
                        rg_tz_date(rg_zones_company(env->zones), now), e);
        rg_agreement_view_free(&v);
    }
    if (rc == RG_OK)
        rc = rg_agreement_load(env->store, id, out, e);
    rc = rg_store_end(env->store, rc, e);
    if (rc != RG_OK)
        rg_agreement_view_free(out);
    return rc;
}

/* ---- the writer ---- */

static json_t *instant(rg_instant t)
{
    char b[32];
    return t == 0 || t == RG_INSTANT_NONE ? json_null() : json_string(rg_instant_format(t, b, sizeof b));
}

static json_t *date(rg_date d)
{
    char b[16];
    return d == RG_DATE_NONE ? json_null() : json_string(rg_date_format_iso(d, b, sizeof b));
}

void *rg_agreement_json(const rg_agreement *a, const rg_agreement_view *v)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:I, s:s, s:o, s:o}", "id",
                          (json_int_t)a->id, "customer", a->customer_external_id, "status", a->status, "installments",
                          (json_int_t)a->installments, "principal", money(a->principal), "down_payment",
                          money(a->down_payment), "interest", money(a->interest), "total", money(a->total),
                          "total_cents", (json_int_t)a->total, "down_payment_pct",
                          json_real((double)a->down_payment_pct / 100.0), "interest_month_pct",
                          json_real((double)a->interest_month_pct / 100.0), "break_after_days",
                          (json_int_t)a->break_after_days, "source", a->source, "created_at", instant(a->created_at),
                          "closed_at", instant(a->closed_at));
    if (!o || !v)
        return o;
    json_t *orig = json_array(), *inst = json_array();
    for (size_t i = 0; i < v->n_items; i++) {
        const rg_agreement_item *it = &v->items[i];
        json_t *x = json_pack("{s:s, s:s, s:o, s:o, s:o}", "external_id", it->invoice.external_id, "status",
                              rg_invoice_status_name(it->invoice.status), "amount", money(it->amount), "paid",
                              money(it->invoice.paid), "due_date", date(it->invoice.due_date));
        if (!strcmp(it->role, "installment")) {
            json_object_set_new(x, "number", json_integer((json_int_t)it->seq));
            json_object_set_new(x, "down_payment", json_boolean(it->seq == 0));
            json_array_append_new(inst, x);
        } else {
            json_array_append_new(orig, x);
        }
    }
    json_object_set_new(o, "originals", orig);
    json_object_set_new(o, "invoices", inst);
    return o;
}

void *rg_agreement_plan_json(const rg_agreement_plan *p)
{
    json_t *sched = json_array();
    for (int64_t k = p->down_payment ? 0 : 1; k <= p->installments; k++)
        json_array_append_new(sched, json_pack("{s:I, s:b, s:o, s:o}", "number", (json_int_t)k, "down_payment", k == 0,
                                               "due_date", date(p->due[k]), "amount",
                                               money(rg_agreement_plan_amount(p, k))));
    return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "installments", (json_int_t)p->installments,
                     "principal", money(p->principal), "down_payment", money(p->down_payment), "down_payment_due",
                     date(p->down_payment_due), "interest", money(p->interest), "total", money(p->total),
                     "installment", money(p->installment), "last_installment", money(p->last_installment), "schedule",
                     sched);
}
