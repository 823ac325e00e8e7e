/*
 * Tests for src/cadence/{cadence,lint,load,diag}: the PRODUCT.md §2 example
 * parses to the exact struct (YAML and JSON alike), every rule fires on a
 * minimal bad file at the exact line, match/choose, the directory loader.
 */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "cadence/cadence.h"
#include "cadence/diag.h"
#include "cadence/lint.h"
#include "cadence/load.h"

/* The example of PRODUCT.md §2, verbatim: it is the interface. */
static const char EXAMPLE[] =
    "cadence: mensal-pf\n"
    "match: {priority: 10, customer_kind: PF, tags_any: [plano-mensal], max_amount: 5000.00}\n"
    "timezone: America/Sao_Paulo          # for customers without their own\n"
    "window: {weekdays: \"08:00-20:00\", saturday: \"08:00-14:00\", sunday: closed, holidays: "
    "closed}\n"
    "caps: {per_customer: {max: 3, days: 7}}   # all channels, all invoices of the customer\n"
    "fees: {fine_pct: 2.00, interest_month_pct: 1.00}\n"
    "consolidate: true                    # one message per customer and channel per day, "
    "listing all due invoices\n"
    "steps:\n"
    "  - {id: lembrete,   at: D-5,  send: {channels: [email], template: lembrete}}\n"
    "  - {id: vespera,    at: D-1,  send: {channels: [whatsapp, sms], template: vence-amanha}}\n"
    "  - {id: hoje,       at: D0,   send: {channels: [whatsapp, email], template: vence-hoje}}\n"
    "  - {id: atraso-1,   at: D+1,  send: {channels: [whatsapp, sms, email], template: atraso}}\n"
    "  - {id: atraso-3,   at: D+3,  send: {channels: [whatsapp, sms], template: atraso}}\n"
    "  - {id: atraso-7,   at: D+7,  send: {channels: [email, sms], template: atraso}}\n"
    "  - {id: segunda-via, at: D+15, action: reissue, reissue: {due_in_business_days: 3},\n"
    "     send: {channels: [email, whatsapp], template: segunda-via}}\n"
    "  - {id: ligar,      at: D+20, action: task, task: {kind: call}}\n"
    "  - {id: aviso,      at: D+25, send: {channels: [letter, email], template: "
    "aviso-negativacao}}\n"
    "  - {id: negativar,  at: D+40, action: bureau_listing, requires_notice: aviso}\n"
    "triggers:\n"
    "  - {id: portal-sem-download, on: portal.visited, wait: 3h,\n"
    "     unless: [boleto.downloaded, pix.copied, payment.received, promise.made],\n"
    "     send: {channels: [whatsapp], template: oferta}, offer: {waive_interest: true, "
    "valid_days: 3}}\n"
    "  - {id: abriu-sem-retorno, on: email.opened, wait: 48h,\n"
    "     unless: [message.replied, payment.received, portal.visited],\n"
    "     send: {channels: [whatsapp, sms], template: outro-canal}}\n"
    "  - {id: promessa, on: promise.made, pause: [ligar, negativar], pause_grace_days: 2,\n"
    "     send: {channels: [whatsapp, email], template: aguardando}}\n"
    "  - {id: promessa-quebrada, on: promise.broken, send: {channels: [whatsapp], template: "
    "promessa-quebrada}}\n";

/* ---- helpers ---------------------------------------------------------- */

static const char *root(void)
{
    const char *r = getenv("REGUA_ROOT");
    return r && *r ? r : ".";
}

static char *slurp(const char *rel, size_t *n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", root(), rel);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    rg_buf b = RG_BUF_INIT;
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        rg_buf_append(&b, chunk, got);
    fclose(f);
    *n = b.len;
    return rg_buf_detach(&b);
}

/* The fake installation: the built-in channels plus "telegram"; every
 * template exists except names starting "nao-existe"; every template shows
 * the creditor except names starting "sem-credor". */
static int calls_exists, calls_check;
/* the last uses checked: "NAME.CHANNEL offer promise" lines */
static char uses_seen[2048];

static bool fk_channel(void *ctx, const char *ch)
{
    (void)ctx;
    return rg_channel_builtin(ch) || strcmp(ch, "telegram") == 0;
}

static bool fk_exists(void *ctx, const char *name, const char *ch)
{
    (void)ctx;
    (void)ch;
    calls_exists++;
    return strncmp(name, "nao-existe", 10) != 0;
}

/* "sem-credor*" templates lack the creditor; "quebrado*" ones have two
 * syntax errors: each reported at the template's own file:line:column. */
static void fk_check(void *ctx, const char *name, const char *ch, const rg_lint_template_use *use, rg_diags *d)
{
    (void)ctx;
    calls_check++;
    size_t n = strlen(uses_seen);
    snprintf(uses_seen + n, sizeof uses_seen - n, "%s.%s %d %d\n", name, ch, use->offer, use->promise);
    char file[128];
    snprintf(file, sizeof file, "tpl/%s.%s", name, ch);
    if (strncmp(name, "quebrado", 8) == 0) {
        rg_diags_add(d, RG_SEV_ERROR, file, 2, 5, "template-syntax", "unclosed tag");
        rg_diags_add(d, RG_SEV_ERROR, file, 4, 1, "template-unknown-variable", "unknown variable 'x'");
    } else if (strncmp(name, "sem-credor", 10) == 0) {
        rg_diags_add(d, RG_SEV_ERROR, file, 0, 0, "template-no-creditor", "does not identify the creditor");
    }
}

/* the installation's webhooks: any name but "nao-existe*" */
static bool fk_webhook(void *ctx, const char *name)
{
    (void)ctx;
    return strncmp(name, "nao-existe", 10) != 0;
}

static const rg_lint_env ENV = {NULL, fk_channel, fk_exists, fk_check, fk_webhook};

static rg_cadence *parse_ok(const char *text, rg_cadence_format fmt, rg_diags *d)
{
    rg_cadence *c = NULL;
    assert_int_equal(rg_cadence_parse(text, strlen(text), "t.yaml", fmt, d, &c), RG_OK);
    assert_non_null(c);
    return c;
}

static void dump(const rg_diags *d)
{
    rg_buf b = RG_BUF_INIT;
    rg_diags_format(d, &b);
    print_message("%s", rg_buf_cstr(&b));
    rg_buf_free(&b);
}

static const rg_diag *find(const rg_diags *d, const char *rule, int line)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->items[i].rule, rule) == 0 && d->items[i].line == line)
            return &d->items[i];
    return NULL;
}

static void assert_strlist(const rg_strlist *l, const char *const *want, size_t n)
{
    assert_int_equal(l->n, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(l->v[i], want[i]);
}
#define STRS(...) ((const char *const[]){__VA_ARGS__}), (sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

/* ---- the example -------------------------------------------------------- */

static void check_send(const rg_cadence_send *s, const char *tpl, const char *const *ch, size_t n)
{
    assert_true(s->present);
    assert_string_equal(s->template_name, tpl);
    assert_strlist(&s->channels, ch, n);
}

static void check_step(const rg_cadence_step *s, const char *id, int at, rg_step_action a, int line)
{
    assert_string_equal(s->id, id);
    assert_int_equal(s->at_days, at);
    assert_int_equal(s->action, a);
    assert_int_equal(s->line, line);
    assert_int_equal(s->at_line, line);
}

/* Every field of the PRODUCT.md example; `lines` also checks the YAML lines. */
static void check_example(const rg_cadence *c, bool lines)
{
    assert_string_equal(c->name, "mensal-pf");
    assert_int_equal(strlen(c->version), 16);
    const rg_cadence_match *m = &c->match;
    assert_true(m->present);
    assert_int_equal(m->priority, 10);
    assert_int_equal(m->customer_kind, RG_KIND_PF);
    assert_strlist(&m->tags_any, STRS("plano-mensal"));
    assert_int_equal(m->tags_all.n, 0);
    assert_false(m->has_min_amount);
    assert_true(m->has_max_amount);
    assert_int_equal(m->max_amount, 500000);
    assert_int_equal(m->late_count_12m_min, 0);
    assert_string_equal(c->timezone, "America/Sao_Paulo");
    assert_true(c->window.weekdays.open);
    assert_int_equal(c->window.weekdays.from_min, 480);
    assert_int_equal(c->window.weekdays.to_min, 1200);
    assert_true(c->window.saturday.open);
    assert_int_equal(c->window.saturday.from_min, 480);
    assert_int_equal(c->window.saturday.to_min, 840);
    assert_false(c->window.sunday.open);
    assert_false(c->window.holidays_open);
    assert_int_equal(c->caps.max, 3);
    assert_int_equal(c->caps.days, 7);
    assert_int_equal(c->fees.fine_pct, 200);
    assert_true(c->fees.interest_stated);
    assert_int_equal(c->fees.interest_month_pct, 100);
    assert_true(c->consolidate);

    assert_int_equal(c->n_steps, 10);
    const rg_cadence_step *s = c->steps;
    if (lines) {
        assert_int_equal(c->name_line, 1);
        assert_int_equal(m->line, 2);
        assert_int_equal(c->timezone_line, 3);
        assert_int_equal(c->window_line, 4);
        assert_int_equal(c->caps.line, 5);
        assert_int_equal(c->fees.fine_line, 6);
        check_step(&s[0], "lembrete", -5, RG_ACTION_SEND, 9);
        check_step(&s[1], "vespera", -1, RG_ACTION_SEND, 10);
        check_step(&s[2], "hoje", 0, RG_ACTION_SEND, 11);
        check_step(&s[3], "atraso-1", 1, RG_ACTION_SEND, 12);
        check_step(&s[4], "atraso-3", 3, RG_ACTION_SEND, 13);
        check_step(&s[5], "atraso-7", 7, RG_ACTION_SEND, 14);
        check_step(&s[6], "segunda-via", 15, RG_ACTION_REISSUE, 15);
        assert_int_equal(s[6].send.line, 16);
        check_step(&s[7], "ligar", 20, RG_ACTION_TASK, 17);
        check_step(&s[8], "aviso", 25, RG_ACTION_SEND, 18);
        check_step(&s[9], "negativar", 40, RG_ACTION_BUREAU_LISTING, 19);
        assert_int_equal(s[9].requires_notice_line, 19);
        assert_int_equal(c->triggers[0].line, 21);
        assert_int_equal(c->triggers[0].unless_line[0], 22);
        assert_int_equal(c->triggers[1].line, 24);
        assert_int_equal(c->triggers[2].line, 27);
        assert_int_equal(c->triggers[3].line, 29);
    }
    static const char *const ids[] = {"lembrete", "vespera",     "hoje",  "atraso-1", "atraso-3",
                                      "atraso-7", "segunda-via", "ligar", "aviso",    "negativar"};
    static const int at[] = {-5, -1, 0, 1, 3, 7, 15, 20, 25, 40};
    for (size_t i = 0; i < 10; i++) {
        assert_string_equal(s[i].id, ids[i]);
        assert_int_equal(s[i].at_days, at[i]);
    }
    check_send(&s[0].send, "lembrete", STRS("email"));
    check_send(&s[1].send, "vence-amanha", STRS("whatsapp", "sms"));
    check_send(&s[2].send, "vence-hoje", STRS("whatsapp", "email"));
    check_send(&s[3].send, "atraso", STRS("whatsapp", "sms", "email"));
    check_send(&s[4].send, "atraso", STRS("whatsapp", "sms"));
    check_send(&s[5].send, "atraso", STRS("email", "sms"));
    assert_int_equal(s[6].action, RG_ACTION_REISSUE);
    assert_int_equal(s[6].reissue_due_in_business_days, 3);
    check_send(&s[6].send, "segunda-via", STRS("email", "whatsapp"));
    assert_int_equal(s[7].action, RG_ACTION_TASK);
    assert_string_equal(s[7].task_kind, "call");
    assert_false(s[7].send.present);
    check_send(&s[8].send, "aviso-negativacao", STRS("letter", "email"));
    assert_int_equal(s[9].action, RG_ACTION_BUREAU_LISTING);
    assert_string_equal(s[9].requires_notice, "aviso");
    assert_false(s[9].send.present);
    for (size_t i = 0; i < 10; i++) {
        if (i != 7)
            assert_null(s[i].task_kind);
        if (i != 9)
            assert_null(s[i].requires_notice);
    }

    assert_int_equal(c->n_triggers, 4);
    const rg_cadence_trigger *t = c->triggers;
    assert_string_equal(t[0].id, "portal-sem-download");
    assert_int_equal(t[0].on, RG_EV_PORTAL_VISITED);
    assert_int_equal(t[0].wait_seconds, 3 * 3600);
    assert_int_equal(t[0].n_unless, 4);
    assert_int_equal(t[0].unless[0], RG_EV_BOLETO_DOWNLOADED);
    assert_int_equal(t[0].unless[1], RG_EV_PIX_COPIED);
    assert_int_equal(t[0].unless[2], RG_EV_PAYMENT_RECEIVED);
    assert_int_equal(t[0].unless[3], RG_EV_PROMISE_MADE);
    check_send(&t[0].send, "oferta", STRS("whatsapp"));
    assert_true(t[0].offer.present);
    assert_true(t[0].offer.waive_interest);
    assert_false(t[0].offer.waive_fine);
    assert_int_equal(t[0].offer.discount_pct, 0);
    assert_int_equal(t[0].offer.valid_days, 3);

    assert_string_equal(t[1].id, "abriu-sem-retorno");
    assert_int_equal(t[1].on, RG_EV_EMAIL_OPENED);
    assert_int_equal(t[1].wait_seconds, 48 * 3600);
    assert_int_equal(t[1].n_unless, 3);
    assert_int_equal(t[1].unless[0], RG_EV_MESSAGE_REPLIED);
    assert_int_equal(t[1].unless[1], RG_EV_PAYMENT_RECEIVED);
    assert_int_equal(t[1].unless[2], RG_EV_PORTAL_VISITED);
    check_send(&t[1].send, "outro-canal", STRS("whatsapp", "sms"));
    assert_false(t[1].offer.present);

    assert_string_equal(t[2].id, "promessa");
    assert_int_equal(t[2].on, RG_EV_PROMISE_MADE);
    assert_int_equal(t[2].wait_seconds, 0);
    assert_int_equal(t[2].n_unless, 0);
    assert_strlist(&t[2].pause, STRS("ligar", "negativar"));
    assert_int_equal(t[2].resume.n, 0);
    assert_int_equal(t[2].pause_grace_days, 2);
    check_send(&t[2].send, "aguardando", STRS("whatsapp", "email"));

    assert_string_equal(t[3].id, "promessa-quebrada");
    assert_int_equal(t[3].on, RG_EV_PROMISE_BROKEN);
    check_send(&t[3].send, "promessa-quebrada", STRS("whatsapp"));
    for (size_t i = 0; i < 4; i++) {
        assert_null(t[i].switch_cadence);
        assert_null(t[i].task_kind);
        assert_null(t[i].webhook);
    }
}

static void test_example_parses(void **state)
{
    (void)state;
    rg_diags d = RG_DIAGS_INIT;
    rg_cadence *c = parse_ok(EXAMPLE, RG_CADENCE_YAML, &d);
    assert_int_equal(d.n, 0);
    check_example(c, true);
    assert_string_equal(c->file, "t.yaml");

    /* Lint with every template present: not one diagnostic. */
    calls_exists = calls_check = 0;
    rg_cadence_lint(c, &ENV, &d);
    if (d.n)
        dump(&d);
    assert_int_equal(d.n, 0);
    /* 18 distinct template.channel pairs, each asked once. */
    assert_int_equal(calls_exists, 18);
    assert_int_equal(calls_check, 18);

    /* The repository's example file is the same document. */
    size_t n;
    char *text = slurp("cadences/mensal-pf.yaml", &n);
    rg_cadence *f = NULL;
    assert_int_equal(rg_cadence_load(text, n, "cadences/mensal-pf.yaml", RG_CADENCE_YAML, &ENV, &d,
                                     &f),
                     RG_OK);
    assert_int_equal(d.n, 0);
    check_example(f, true);
    assert_string_equal(f->version, c->version);
    free(text);
    rg_cadence_free(f);
    rg_cadence_free(c);
    rg_diags_free(&d);
}

static void test_example_as_json(void **state)
{
    (void)state;
    rg_diags d = RG_DIAGS_INIT;
    size_t n;
    char *json = slurp("tests/data/cadence/mensal-pf.json", &n);
    rg_cadence *j = NULL;
    assert_int_equal(rg_cadence_load(json, n, "mensal-pf.json", RG_CADENCE_JSON, &ENV, &d, &j),
                     RG_OK);
    if (d.n)
        dump(&d);
    assert_int_equal(d.n, 0);
    check_example(j, false);
    /* Lines are the JSON file's own. */
    assert_int_equal(j->steps[0].line, 31);
    assert_int_equal(j->steps[9].requires_notice_line, 134);
    /* Same content, same version, whatever the syntax. */
    rg_cadence *y = parse_ok(EXAMPLE, RG_CADENCE_YAML, &d);
    assert_string_equal(j->version, y->version);
    /* The YAML parser reads the JSON text as well (YAML 1.2 is a superset). */
    rg_cadence *jy = NULL;
    assert_int_equal(rg_cadence_parse(json, n, "x", RG_CADENCE_YAML, &d, &jy), RG_OK);
    assert_int_equal(d.n, 0);
    check_example(jy, false);
    assert_string_equal(jy->version, y->version);
    rg_cadence_free(jy);
    rg_cadence_free(y);
    rg_cadence_free(j);
    free(json);
    rg_diags_free(&d);
}

static void test_b2b_example(void **state)
{
    (void)state;
    rg_diags d = RG_DIAGS_INIT;
    rg_cadence *c = NULL;
    char path[1024];
    snprintf(path, sizeof path, "%s/cadences/b2b-pj.yaml", root());
    assert_int_equal(rg_cadence_load_file(path, &ENV, &d, &c), RG_OK);
    if (d.n)
        dump(&d);
    assert_int_equal(d.n, 0);
    assert_string_equal(c->name, "b2b-pj");
    assert_int_equal(c->match.customer_kind, RG_KIND_PJ);
    assert_int_equal(c->match.priority, 20);
    assert_int_equal(c->match.min_amount, 50000);
    assert_int_equal(c->window.weekdays.from_min, 9 * 60);
    assert_int_equal(c->window.weekdays.to_min, 18 * 60);
    assert_false(c->window.saturday.open);
    assert_int_equal(c->caps.max, 2);
    assert_int_equal(c->n_steps, 9);
    assert_int_equal(c->steps[4].action, RG_ACTION_REISSUE);
    assert_int_equal(c->steps[4].reissue_due_in_business_days, 5);
    assert_int_equal(c->steps[8].at_days, 35);
    assert_int_equal(c->n_triggers, 4);
    assert_int_equal(c->triggers[0].wait_seconds, 2 * 86400);
    assert_string_equal(c->triggers[1].task_kind, "review-dispute");
    rg_cadence_free(c);
    rg_diags_free(&d);
}

/* ---- every rule, one minimal file each --------------------------------- */

/* Lines 1-3; the cases start at line 4. `fees` states the rate and `match`
 * is present, so the two info rules stay quiet. */
#define HEAD "cadence: t\nmatch: {}\nfees: {interest_month_pct: 1.00}\n"
#define STEP_OK "  - {id: a, at: D0, send: {channels: [email], template: t}}\n"

typedef struct rule_case {
    const char *text;
    const char *rule;
    rg_severity sev;
    int line;
    size_t total; /* diagnostics expected in all */
} rule_case;

static const rule_case CASES[] = {
    {"cadence: t\nmatch: {priority: 1\nfees: {}\n", "syntax", RG_SEV_ERROR, 3, 1},
    {HEAD "steps:\n  - &s {id: a, at: D0, send: {channels: [email], template: t}}\n  - *s\n",
     "unsupported", RG_SEV_ERROR, 6, 2 /* the anchor at 5, the alias at 6 */},
    {HEAD "timezone: &tz America/Sao_Paulo\n", "unsupported", RG_SEV_ERROR, 4, 1},
    {HEAD "consolidat: true\n", "unknown-key", RG_SEV_ERROR, 4, 1},
    {HEAD "timezone: America/Sao_Paolo\n", "bad-value", RG_SEV_ERROR, 4, 1}, /* a typo: no such zone */
    {HEAD "consolidate: yes\n", "bad-type", RG_SEV_ERROR, 4, 1},
    {HEAD "caps:\n  per_customer:\n    max: 0\n    days: 7\n", "bad-value", RG_SEV_ERROR, 6, 1},
    {"match: {}\nfees: {interest_month_pct: 1.00}\n", "missing-key", RG_SEV_ERROR, 1, 1},
    {HEAD "steps:\n  - {id: a, at: D0, send: {channels: [email]}}\n", "missing-template",
     RG_SEV_ERROR, 5, 1},
    {HEAD "steps:\n  - {id: a, at: D+x, send: {channels: [email], template: t}}\n", "bad-offset",
     RG_SEV_ERROR, 5, 1},
    {HEAD "steps:\n  - id: a\n    at: 5\n    send: {channels: [email], template: t}\n",
     "bad-offset", RG_SEV_ERROR, 6, 1},
    {HEAD "window: {weekdays: \"20:00-08:00\"}\n", "bad-window", RG_SEV_ERROR, 4, 1},
    {HEAD "triggers:\n  - {id: x, on: portal.seen, task: {kind: call}}\n", "unknown-event",
     RG_SEV_ERROR, 5, 1},
    {HEAD "steps:\n  - {id: a, at: D0, task: {kind: call}}\n", "action-mismatch", RG_SEV_ERROR, 5,
     2 /* and: does nothing */},
    {HEAD "triggers:\n  - {id: x, on: optout}\n", "empty-trigger", RG_SEV_ERROR, 5, 1},
    {HEAD "steps:\n  - {id: a, at: D0, send: {channels: [email, fax], template: t}}\n",
     "unknown-channel", RG_SEV_ERROR, 5, 1},
    {HEAD "steps:\n  - {id: a, at: D0,\n     send: {channels: [email], template: nao-existe}}\n",
     "unknown-template", RG_SEV_ERROR, 6, 1},
    {HEAD "triggers:\n  - id: x\n    on: payment.received\n    webhook: nao-existe\n", "unknown-webhook",
     RG_SEV_ERROR, 7, 1},
    /* a template's own problems are listed at its file:line, and the
     * cadence says once that it cannot use it */
    {HEAD "steps:\n  - {id: a, at: D0, send: {channels: [sms], template: sem-credor}}\n",
     "template-broken", RG_SEV_ERROR, 5, 2},
    {HEAD "steps:\n  - {id: a, at: D0, send: {channels: [sms], template: quebrado-sem-credor}}\n",
     "template-broken", RG_SEV_ERROR, 5, 3},
    {HEAD "steps:\n" STEP_OK "  - {id: a, at: D+1, send: {channels: [email], template: t}}\n",
     "duplicate-step", RG_SEV_ERROR, 6, 1},
    {HEAD "steps:\n" STEP_OK "  - {id: b,\n     at: D0, send: {channels: [email], template: t}}\n",
     "overlapping-steps", RG_SEV_ERROR, 7, 1},
    {HEAD "triggers:\n  - {id: x, on: optout, task: {kind: call}}\n"
          "  - {id: x, on: optout, task: {kind: call}}\n",
     "duplicate-trigger", RG_SEV_ERROR, 6, 1},
    {HEAD "steps:\n" STEP_OK "triggers:\n  - {id: x, on: promise.made,\n     pause: [a, b]}\n",
     "unknown-step-ref", RG_SEV_ERROR, 8, 1},
    {"cadence: t\nmatch: {}\nfees: {fine_pct: 2.01, interest_month_pct: 1.00}\n", "fine-above-cdc",
     RG_SEV_ERROR, 3, 1},
    {HEAD "steps:\n  - {id: n, at: D+30, action: bureau_listing}\n", "bureau-without-notice",
     RG_SEV_ERROR, 5, 1},
    {HEAD "steps:\n  - {id: n, at: D+30, action: bureau_listing, requires_notice: t}\n"
          "  - {id: t, at: D+1, action: task, task: {kind: call}}\n",
     "bureau-without-notice", RG_SEV_ERROR, 5, 1},
    {HEAD "steps:\n  - {id: aviso, at: D+25, send: {channels: [letter], template: t}}\n"
          "  - {id: n, at: D+34, action: bureau_listing,\n     requires_notice: aviso}\n",
     "notice-too-late", RG_SEV_ERROR, 7, 1},
    {HEAD "steps:\n  - {id: n, at: D+34, action: bureau_listing, requires_notice: zz}\n",
     "unknown-step-ref", RG_SEV_ERROR, 5, 1},
    {HEAD "steps:\n  - {id: aviso, at: D+20, send: {channels: [email, sms], template: t}}\n"
          "  - {id: n, at: D+34, action: bureau_listing, requires_notice: aviso}\n",
     "notice-not-by-letter", RG_SEV_ERROR, 5, 1},
    /* channels are a fallback list: [email, letter] sends only the e-mail
     * to a customer who has one */
    {HEAD "steps:\n  - {id: aviso, at: D+20,\n     send: {channels: [email, letter], template: t}}\n"
          "  - {id: n, at: D+34, action: bureau_listing, requires_notice: aviso}\n",
     "notice-not-by-letter", RG_SEV_ERROR, 6, 1},
    /* a cadence with no customer_kind can match PF too */
    {"cadence: t\nmatch: {tags_any: [x]}\nfees: {interest_month_pct: 1.00}\nsteps:\n"
     "  - {id: aviso, at: D+20, send: {channels: [whatsapp, letter], template: t}}\n"
     "  - {id: n, at: D+34, action: bureau_listing, requires_notice: aviso}\n",
     "notice-not-by-letter", RG_SEV_ERROR, 5, 1},
    {HEAD "window: {weekdays: \"07:59-20:00\"}\n", "window-early", RG_SEV_ERROR, 4, 1},
    {HEAD "window:\n  saturday: \"08:00-20:01\"\n", "window-late", RG_SEV_ERROR, 5, 1},
    {HEAD "window:\n  sunday: \"09:00-12:00\"\n", "sunday-open", RG_SEV_ERROR, 5, 1},
    /* with a stated reason they are warnings that quote it */
    {HEAD "window: {weekdays: \"07:00-20:00\"}\nallow_contact_outside_hours: \"turno da madrugada\"\n",
     "window-early", RG_SEV_WARNING, 4, 1},
    {HEAD "window:\n  sunday: \"09:00-12:00\"\nallow_contact_outside_hours: \"feira de domingo\"\n",
     "sunday-open", RG_SEV_WARNING, 5, 1},
    /* a reason with nothing to allow does nothing: said so */
    {HEAD "allow_contact_outside_hours: \"por via das duvidas\"\n", "allow-outside-unused",
     RG_SEV_WARNING, 4, 1},
    {HEAD "allow_contact_outside_hours: true\n", "bad-type", RG_SEV_ERROR, 4, 1},
    {HEAD "allow_contact_outside_hours: \"  \"\n", "bad-value", RG_SEV_ERROR, 4, 1},
    {HEAD "allow_contact_outside_hours: \"a\\nb\"\n", "bad-value", RG_SEV_ERROR, 4, 1},
    {HEAD "window:\n  sunday: closed\n  holidays: open\n", "holidays-open", RG_SEV_WARNING, 6, 1},
    {"cadence: t\nmatch: {}\n", "legal-default-interest", RG_SEV_INFO, 1, 1},
    {"cadence: t\nmatch: {}\nfees: {fine_pct: 2}\n", "legal-default-interest", RG_SEV_INFO, 3, 1},
    {"cadence: t\nfees: {interest_month_pct: 1.00}\n", "no-match", RG_SEV_INFO, 1, 1},
    {HEAD "triggers:\n  - {id: x, on: email.opened, unless: [payment.received], task: {kind: "
          "call}}\n",
     "unless-without-wait", RG_SEV_WARNING, 5, 1},
    {HEAD "triggers:\n  - {id: x, on: optout, switch_cadence: t}\n", "bad-value", RG_SEV_ERROR, 5,
     1},
};

static void test_every_rule(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        const rule_case *k = &CASES[i];
        rg_diags d = RG_DIAGS_INIT;
        rg_cadence *c = (rg_cadence *)0x1;
        rg_status st =
            rg_cadence_load(k->text, strlen(k->text), "t.yaml", RG_CADENCE_YAML, &ENV, &d, &c);
        const rg_diag *g = find(&d, k->rule, k->line);
        if (!g || g->severity != k->sev || d.n != k->total) {
            print_message("case %zu (%s): expected %s at line %d, %zu in all; got:\n", i, k->rule,
                          rg_severity_name(k->sev), k->line, k->total);
            dump(&d);
            fail();
        }
        assert_int_equal(g->column == 0 || g->column > 0, 1);
        assert_string_equal(g->file, "t.yaml");
        if (k->sev == RG_SEV_ERROR) {
            assert_int_equal(st, RG_EINVAL);
            assert_null(c); /* a cadence with errors is never loaded */
        } else {
            assert_int_equal(st, RG_OK); /* one with warnings is */
            assert_non_null(c);
        }
        rg_cadence_free(c);
        rg_diags_free(&d);
    }
}

/* The edges of the law rules: exactly at the limit is fine. */
static const char *const CLEAN[] = {
    "cadence: t\nmatch: {}\nfees: {fine_pct: 2.00, interest_month_pct: 1}\n",
    /* A PJ-only cadence may have a larger fine (CDC art. 52 §1 is for consumers). */
    "cadence: t\nmatch: {customer_kind: PJ}\nfees: {fine_pct: 10, interest_month_pct: 1}\n",
    HEAD "steps:\n  - {id: aviso, at: D+25, send: {channels: [letter], template: t}}\n"
         "  - {id: n, at: D+35, action: bureau_listing, requires_notice: aviso}\n",
    /* For PJ only, a notice by e-mail is not flagged. */
    "cadence: t\nmatch: {customer_kind: pj}\nfees: {interest_month_pct: 1}\nsteps:\n"
    "  - {id: aviso, at: D+20, send: {channels: [email], template: t}}\n"
    "  - {id: n, at: D+30, action: bureau_listing, requires_notice: aviso}\n",
    HEAD "window: {weekdays: \"08:00-20:00\", saturday: \"8:00-20:00\", sunday: closed, holidays: "
         "closed}\n",
    HEAD "triggers:\n  - {id: x, on: email.opened, wait: 30m, unless: [payment.received], send: "
         "{channels: [telegram], template: t}}\n",
    HEAD "steps:\n" STEP_OK "triggers:\n  - {id: x, on: promise.made, pause: [a], resume: [a], "
         "pause_grace_days: 0}\n",
    HEAD "triggers:\n  - {id: x, on: optout, switch_cadence: outra}\n",
};

static void test_clean_edges(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof CLEAN / sizeof CLEAN[0]; i++) {
        rg_diags d = RG_DIAGS_INIT;
        rg_cadence *c = NULL;
        rg_status st =
            rg_cadence_load(CLEAN[i], strlen(CLEAN[i]), "t.yaml", RG_CADENCE_YAML, &ENV, &d, &c);
        if (st != RG_OK || d.n) {
            print_message("clean case %zu:\n", i);
            dump(&d);
            fail();
        }
        rg_cadence_free(c);
        rg_diags_free(&d);
    }
}

/* Messages name the key, the expected type and what was found. */
static void test_messages(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *msg;
    } M[] = {
        {HEAD "consolidat: true\n",
         "unknown key `consolidat` in the cadence; allowed: cadence, match, timezone, window, caps, "
         "fees, consolidate, steps, triggers, allow_contact_outside_hours, portal"},
        {HEAD "steps:\n  - {id: a, at: D0, sned: {}}\n",
         "unknown key `sned` in step; allowed: id, at, send, action, reissue, task, "
         "requires_notice, offer"},
        {"cadence: t\nmatch: {priority: x}\n", "`priority` must be a whole number; found the text \"x\""},
        {"cadence: t\nmatch: {priority: 2000000}\n",
         "`priority` must be between -1000000 and 1000000; found 2000000"},
        {"cadence: [t]\n", "`cadence` must be a text; found a list"},
        {"cadence: t\nconsolidate: \"true\"\n",
         "`consolidate` must be true or false; found the text \"true\""},
        {"cadence: t\nmatch: {max_amount: 5000.001}\n",
         "`max_amount` must be an amount in reais like 5000.00; found \"5000.001\" (more than two "
         "decimal places)"},
        {"cadence: t\nfees: {fine_pct: 101}\n", "`fine_pct` must be at most 100.00; found 101"},
        {"cadence: t\nsteps: {a: 1}\n",
         "`steps` must be a list of mappings (- {id: ..., ...}); found a mapping"},
        {"cadence: t\nsteps:\n  - 3\n", "each step must be a mapping ({id: ..., ...}); found the number 3"},
        {"cadence: t\nwindow: {saturday: \"8h-14h\"}\n",
         "`saturday: 8h-14h`: expected \"HH:MM-HH:MM\" (00:00 to 24:00) or closed"},
        {"cadence: t\nwindow: {holidays: true}\n",
         "`holidays` must be closed or open; found the boolean true"},
        {"cadence: t\nsteps:\n  - {id: a, at: d+1, send: {channels: [email], template: t}}\n",
         "`at` must be D-N, D0 or D+N (calendar days from the due date, N up to 1830); found the "
         "text \"d+1\""},
        {"cadence: t\nsteps:\n  - {id: a b, at: D0, send: {channels: [email], template: t}}\n",
         "`id` must be a name of at most 64 letters, digits, '-' and '_' (starting with a letter "
         "or digit); found \"a b\""},
        {"cadence: t\nsteps:\n  - {id: a, at: D0, send: {channels: [Email], template: t}}\n",
         "`channels` must be a name of at most 64 lowercase letters, digits, '-' and '_' "
         "(starting with a letter or digit); found \"Email\""},
        {"cadence: t\ntriggers:\n  - {id: x, on: optout, wait: 3, task: {kind: call}}\n",
         "`wait` must be a duration like 30m, 3h, 48h or 2d (at most 365d); found the number 3"},
        {"cadence: t\nsteps:\n  - {id: aviso, at: D+25, send: {channels: [letter], template: t}}\n"
         "  - {id: n, at: D+30, action: bureau_listing, requires_notice: aviso}\n",
         "the notice `aviso` (D+25) comes 5 days before the listing `n` (D+30); it must come at "
         "least 10 days before (CDC art. 43 §2)"},
        {"cadence: t\nsteps:\n  - {id: a, at: D0, send: {channels: [email], template: t}}\n"
         "  - {id: b, at: D0, send: {channels: [email], template: t}}\n",
         "steps `a` (line 3) and `b` both run at D0; give each day one step (a step may send on "
         "several channels)"},
        {"cadence: t\nfees: {fine_pct: 10}\n",
         "a fine of 10.00% is above the 2% that CDC art. 52 §1 allows for consumers, and this "
         "cadence can match PF customers (set `match: {customer_kind: PJ}` if it is only for "
         "companies)"},
        {"cadence: t\nsteps:\n  - {id: a, at: D0, send: {channels: [sms], template: sem-credor}}\n",
         "template sem-credor.sms cannot be used (1 error, listed at its own line); the first: "
         "tpl/sem-credor.sms: error[template-no-creditor]: does not identify the creditor"},
        {"cadence: t\nsteps:\n  - {id: a, at: D0, send: {channels: [sms], template: quebrado}}\n",
         "template quebrado.sms cannot be used (2 errors, each listed at its own line); the first: "
         "tpl/quebrado.sms:2:5: error[template-syntax]: unclosed tag"},
        {"cadence: t\nsteps:\n  - {id: a, at: D0, send: {channels: [sms], template: nao-existe}}\n",
         "no template `nao-existe` for channel sms: create the file nao-existe.sms (every channel "
         "of a send needs one)"},
        {"cadence: t\nsteps:\n  - id: a\n    at: |\n      D+1\n    send: {channels: [email], template: t}\n",
         "`at` must be D-N, D0 or D+N (calendar days from the due date, N up to 1830); found the "
         "text \"D+1 \""},
        {"cadence: t\nmatch: {min_amount: 10, max_amount: 5}\n",
         "`max_amount` (5.00) is below `min_amount` (10.00): nothing can match"},
    };
    for (size_t i = 0; i < sizeof M / sizeof M[0]; i++) {
        rg_diags d = RG_DIAGS_INIT;
        rg_cadence *c = NULL;
        rg_cadence_load(M[i].text, strlen(M[i].text), "t.yaml", RG_CADENCE_YAML, &ENV, &d, &c);
        bool found = false;
        for (size_t j = 0; j < d.n && !found; j++)
            found = strcmp(d.items[j].message, M[i].msg) == 0;
        if (!found) {
            print_message("message case %zu: want \"%s\"; got:\n", i, M[i].msg);
            dump(&d);
            fail();
        }
        rg_cadence_free(c);
        rg_diags_free(&d);
    }
}

/* Syntax errors, encodings and the rest of what makes a file unreadable. */
static void test_syntax(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t len; /* 0: strlen */
        rg_cadence_format fmt;
        int line;
        const char *msg; /* NULL: not checked */
    } S[] = {
        {"", 0, RG_CADENCE_YAML, 0,
         "the file is empty; expected a mapping that starts with `cadence:`"},
        {"# nothing\n", 0, RG_CADENCE_YAML, 0, NULL},
        {"- a\n", 0, RG_CADENCE_YAML, 1,
         "expected a mapping that starts with `cadence:`; found a list"},
        {"cadence: x\n---\ncadence: y\n", 0, RG_CADENCE_YAML, 3,
         "the file holds more than one YAML document (---); put one cadence per file"},
        {"cadence: x\ncadence: y\n", 0, RG_CADENCE_YAML, 2, "duplicate key 'cadence' (first at line 1)"},
        {"cadence: x\nmatch: \"abc\n", 0, RG_CADENCE_YAML, 2, NULL},
        {"cadence: x\n\xc3\x28: 1\n", 0, RG_CADENCE_YAML, 2,
         "the file is not valid UTF-8 text (check the encoding)"},
        {"cadence: x\n\0", 12, RG_CADENCE_YAML, 2, NULL},
        {"{\"cadence\": \"x\",}", 0, RG_CADENCE_JSON, 1, NULL},
        {"{cadence: x}", 0, RG_CADENCE_JSON, 1, NULL},
        {"{\"cadence\": \"x\", \"cadence\": \"y\"}", 0, RG_CADENCE_JSON, 1,
         "duplicate key 'cadence' (first at line 1)"},
        {"cadence: !!str x\n", 0, RG_CADENCE_YAML, 1,
         "YAML tags (!!type) are not supported in a cadence"},
    };
    for (size_t i = 0; i < sizeof S / sizeof S[0]; i++) {
        rg_diags d = RG_DIAGS_INIT;
        rg_cadence *c = (rg_cadence *)0x1;
        size_t len = S[i].len ? S[i].len : strlen(S[i].text);
        rg_status st = rg_cadence_parse(S[i].text, len, "t.yaml", S[i].fmt, &d, &c);
        if (st != RG_EINVAL || c || d.n != 1 || d.items[0].line != S[i].line ||
            (S[i].msg && strcmp(d.items[0].message, S[i].msg) != 0)) {
            print_message("syntax case %zu: want line %d \"%s\"; got:\n", i, S[i].line,
                          S[i].msg ? S[i].msg : "");
            dump(&d);
            fail();
        }
        rg_diags_free(&d);
    }
    /* Found by fuzz_cadence: an alias at the very end of an input that is
     * not NUL-terminated made libfyaml read past it while formatting the
     * error. The input sits in an exact-size heap block so that `make
     * sanitize` would see any overread. */
    static const char regress[] = "cadencu: t\nmatch: {}\nsteps:\n  - &s {id: a, at: D0, send: "
                                  "{channels: [email], template: t}}\n  - *s\v";
    for (int fmt = 0; fmt < 2; fmt++) {
        size_t rn = sizeof regress - 1;
        char *r = malloc(rn);
        assert_non_null(r);
        memcpy(r, regress, rn);
        rg_diags rd = RG_DIAGS_INIT;
        rg_cadence *rc = NULL;
        assert_int_equal(rg_cadence_parse(r, rn, "r.yaml", (rg_cadence_format)fmt, &rd, &rc),
                         RG_EINVAL);
        assert_null(rc);
        assert_true(rd.n >= 1);
        assert_string_equal(rd.items[0].rule, "syntax");
        rg_diags_free(&rd);
        free(r);
    }

    /* Found by fuzz_cadence: libfyaml's fy_token_get_text() leaked the text
     * of this error token (a quoted scalar with escapes); `make sanitize`
     * reports a leak if it is ever called again. */
    {
        static const char q[] = "cadence: t\nmatch: []''''''''''''\n";
        rg_diags qd = RG_DIAGS_INIT;
        rg_cadence *qc = NULL;
        assert_int_equal(rg_cadence_parse(q, sizeof q - 1, "q.yaml", RG_CADENCE_YAML, &qd, &qc),
                         RG_EINVAL);
        assert_int_equal(qd.n, 1);
        assert_string_equal(qd.items[0].rule, "syntax");
        assert_int_equal(qd.items[0].line, 2);
        assert_string_equal(qd.items[0].message, "invalid value after mapping (at `''''''''''`)");
        rg_diags_free(&qd);
    }

    /* Too large: refused before parsing. */
    size_t big = RG_CADENCE_MAX_BYTES + 1;
    char *t = malloc(big);
    assert_non_null(t);
    memset(t, '#', big);
    rg_diags d = RG_DIAGS_INIT;
    rg_cadence *c = NULL;
    assert_int_equal(rg_cadence_parse(t, big, "big.yaml", RG_CADENCE_YAML, &d, &c), RG_EINVAL);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.items[0].rule, "syntax");
    free(t);
    rg_diags_free(&d);
}

/* Value syntaxes: offsets, windows, durations, money and percentages. */
static void test_values(void **state)
{
    (void)state;
    static const struct {
        const char *at;
        int days;
        bool ok;
    } A[] = {{"D-5", -5, true},    {"D0", 0, true},     {"D+0", 0, true},   {"D-0", 0, true},
             {"D+1830", 1830, true}, {"D-1830", -1830, true}, {"D+1831", 0, false},
             {"D5", 0, false},     {"D", 0, false},     {"d+1", 0, false},  {"D+ 1", 0, false},
             {"D+1d", 0, false},   {"D+00001", 0, false}, {"\"D+3\"", 3, true}};
    for (size_t i = 0; i < sizeof A / sizeof A[0]; i++) {
        char text[256];
        snprintf(text, sizeof text,
                 "cadence: t\nsteps:\n  - {id: a, at: %s, send: {channels: [email], template: t}}\n",
                 A[i].at);
        rg_diags d = RG_DIAGS_INIT;
        rg_cadence *c = parse_ok(text, RG_CADENCE_YAML, &d);
        if (A[i].ok) {
            assert_int_equal(d.n, 0);
            assert_int_equal(c->steps[0].at_days, A[i].days);
            assert_int_equal(c->steps[0].at_line, 3);
        } else {
            assert_int_equal(d.n, 1);
            assert_string_equal(d.items[0].rule, "bad-offset");
            assert_int_equal(c->steps[0].at_line, 0);
        }
        rg_cadence_free(c);
        rg_diags_free(&d);
    }

    static const struct {
        const char *w;
        bool ok, open;
        int from, to;
    } W[] = {{"\"08:00-20:00\"", true, true, 480, 1200}, {"8:00-14:00", true, true, 480, 840},
             {"\"00:00-24:00\"", true, true, 0, 1440},    {"\"09:30 - 12:15\"", true, true, 570, 735},
             {"closed", true, false, 0, 0},               {"\"20:00-08:00\"", false, false, 0, 0},
             {"\"10:00-10:00\"", false, false, 0, 0},     {"\"24:00-24:00\"", false, false, 0, 0},
             {"\"25:00-26:00\"", false, false, 0, 0},     {"\"08:60-09:00\"", false, false, 0, 0},
             {"\"08:00\"", false, false, 0, 0},           {"open", false, false, 0, 0},
             {"\"080:00-09:00\"", false, false, 0, 0}};
    for (size_t i = 0; i < sizeof W / sizeof W[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, "cadence: t\nwindow: {saturday: %s}\n", W[i].w);
        rg_diags d = RG_DIAGS_INIT;
        rg_cadence *c = parse_ok(text, RG_CADENCE_YAML, &d);
        if (W[i].ok) {
            assert_int_equal(d.n, 0);
            assert_int_equal(c->window.saturday.open, W[i].open);
            assert_int_equal(c->window.saturday.from_min, W[i].from);
            assert_int_equal(c->window.saturday.to_min, W[i].to);
            /* The other days keep the default. */
            assert_int_equal(c->window.weekdays.from_min, 480);
            assert_int_equal(c->window.weekdays.to_min, 1200);
        } else {
            assert_int_equal(d.n, 1);
            assert_string_equal(d.items[0].rule, "bad-window");
            assert_int_equal(d.items[0].line, 2);
        }
        rg_cadence_free(c);
        rg_diags_free(&d);
    }

    static const struct {
        const char *w;
        int64_t secs;
    } D[] = {{"30m", 1800},  {"3h", 10800},       {"48h", 172800},     {"2d", 172800},
             {"1h30m", 5400}, {"90s", 90},        {"0m", 0},           {"365d", 31536000},
             {"366d", -1},   {"3", -1},           {"h", -1},           {"3x", -1},
             {"\"3h \"", -1},    {"-3h", -1},         {"1234567890s", -1}, {"\"2d\"", 172800}};
    for (size_t i = 0; i < sizeof D / sizeof D[0]; i++) {
        char text[256];
        snprintf(text, sizeof text,
                 "cadence: t\ntriggers:\n  - {id: x, on: optout, wait: %s, task: {kind: call}}\n",
                 D[i].w);
        rg_diags d = RG_DIAGS_INIT;
        rg_cadence *c = parse_ok(text, RG_CADENCE_YAML, &d);
        if (D[i].secs >= 0) {
            assert_int_equal(d.n, 0);
            assert_int_equal(c->triggers[0].wait_seconds, D[i].secs);
        } else {
            assert_int_equal(d.n, 1);
            assert_string_equal(d.items[0].rule, "bad-value");
            assert_int_equal(d.items[0].line, 3);
        }
        rg_cadence_free(c);
        rg_diags_free(&d);
    }

    /* Money in reais (both notations, number or text) and percentages. */
    rg_diags d = RG_DIAGS_INIT;
    rg_cadence *c = parse_ok("cadence: t\nmatch: {min_amount: \"1.234,56\", max_amount: 5000, "
                             "late_count_12m_min: 2, tags_all: [a, b]}\n"
                             "fees: {fine_pct: \"1,5\", interest_month_pct: 0.33}\n"
                             "caps: {per_customer: {max: 1, days: 1}}\n"
                             "timezone: America/Manaus\nconsolidate: false\n",
                             RG_CADENCE_YAML, &d);
    assert_int_equal(d.n, 0);
    assert_true(c->match.has_min_amount);
    assert_int_equal(c->match.min_amount, 123456);
    assert_int_equal(c->match.max_amount, 500000);
    assert_int_equal(c->match.late_count_12m_min, 2);
    assert_int_equal(c->match.customer_kind, RG_KIND_ANY);
    assert_strlist(&c->match.tags_all, STRS("a", "b"));
    assert_int_equal(c->fees.fine_pct, 150);
    assert_int_equal(c->fees.interest_month_pct, 33);
    assert_int_equal(c->caps.max, 1);
    assert_string_equal(c->timezone, "America/Manaus");
    assert_false(c->consolidate);
    rg_cadence_free(c);

    /* Defaults when keys are absent. */
    c = parse_ok("cadence: t\n", RG_CADENCE_YAML, &d);
    assert_int_equal(d.n, 0);
    assert_false(c->match.present);
    assert_string_equal(c->timezone, ""); /* none: the company's zone, not São Paulo's */
    rg_window def = RG_WINDOW_DEFAULT;
    assert_int_equal(c->window.weekdays.open, def.weekdays.open);
    assert_int_equal(c->window.weekdays.from_min, def.weekdays.from_min);
    assert_int_equal(c->window.weekdays.to_min, def.weekdays.to_min);
    assert_int_equal(c->window.saturday.open, def.saturday.open);
    assert_int_equal(c->window.saturday.from_min, def.saturday.from_min);
    assert_int_equal(c->window.saturday.to_min, def.saturday.to_min);
    assert_false(c->window.sunday.open);
    assert_false(c->window.holidays_open);
    assert_int_equal(c->caps.max, 0);
    assert_int_equal(c->fees.fine_pct, 0);
    assert_false(c->fees.interest_stated);
    assert_false(c->consolidate);
    assert_int_equal(c->n_steps, 0);
    assert_int_equal(c->n_triggers, 0);
    rg_cadence_free(c);

    /* Step and trigger defaults and optional parts. */
    c = parse_ok("cadence: t\nsteps:\n  - {id: r, at: D+1, action: reissue}\n"
                 "triggers:\n  - {id: x, on: dispute.opened, offer: {discount_pct: 10.5, "
                 "waive_fine: true}, resume: [r], switch_cadence: outra, webhook: "
                 "erp, task: {kind: review}}\n",
                 RG_CADENCE_YAML, &d);
    assert_int_equal(d.n, 0);
    assert_int_equal(c->steps[0].action, RG_ACTION_REISSUE);
    assert_int_equal(c->steps[0].reissue_due_in_business_days, 3);
    assert_false(c->steps[0].send.present);
    const rg_cadence_trigger *t = &c->triggers[0];
    assert_int_equal(t->on, RG_EV_DISPUTE_OPENED);
    assert_true(t->offer.waive_fine);
    assert_false(t->offer.waive_interest);
    assert_int_equal(t->offer.discount_pct, 1050);
    assert_int_equal(t->offer.valid_days, 3);
    assert_strlist(&t->resume, STRS("r"));
    assert_string_equal(t->switch_cadence, "outra");
    assert_string_equal(t->webhook, "erp");
    assert_string_equal(t->task_kind, "review");
    assert_int_equal(t->pause_grace_days, 0);
    rg_cadence_free(c);

    /* Bad timezone, bad webhook, bad kind. */
    c = parse_ok("cadence: t\ntimezone: ../etc/passwd\nmatch: {customer_kind: PX}\n"
                 "triggers:\n  - {id: x, on: optout, webhook: \"https://erp/x\"}\n",
                 RG_CADENCE_YAML, &d);
    assert_non_null(find(&d, "bad-value", 2));
    assert_non_null(find(&d, "bad-value", 3));
    assert_non_null(find(&d, "bad-value", 5));
    assert_string_equal(c->timezone, "");
    assert_null(c->triggers[0].webhook);
    rg_cadence_free(c);
    rg_diags_free(&d);
}

/* Bounds: at most 200 steps or triggers, 100 entries in a list. */
static void test_bounds(void **state)
{
    (void)state;
    rg_buf b = RG_BUF_INIT;
    rg_buf_puts(&b, "cadence: t\nsteps:\n");
    for (int i = 0; i < 201; i++)
        rg_buf_printf(&b, "  - {id: s%d, at: D+%d, send: {channels: [email], template: t}}\n", i, i);
    rg_diags d = RG_DIAGS_INIT;
    rg_cadence *c = parse_ok(rg_buf_cstr(&b), RG_CADENCE_YAML, &d);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.items[0].message, "`steps` has 201 entries; a cadence may have at most 200");
    assert_int_equal(d.items[0].line, 2);
    assert_int_equal(c->n_steps, 0);
    rg_cadence_free(c);
    rg_diags_free(&d);
    /* 200 is fine. */
    rg_buf_reset(&b);
    rg_buf_puts(&b, "cadence: t\nsteps:\n");
    for (int i = 0; i < 200; i++)
        rg_buf_printf(&b, "  - {id: s%d, at: D+%d, send: {channels: [email], template: t}}\n", i, i);
    c = parse_ok(rg_buf_cstr(&b), RG_CADENCE_YAML, &d);
    assert_int_equal(d.n, 0);
    assert_int_equal(c->n_steps, 200);
    assert_int_equal(c->steps[199].line, 202);
    rg_cadence_free(c);
    rg_buf_reset(&b);
    rg_buf_puts(&b, "cadence: t\nmatch:\n  tags_any: [");
    for (int i = 0; i < 101; i++)
        rg_buf_printf(&b, "%st%d", i ? ", " : "", i);
    rg_buf_puts(&b, "]\n");
    c = parse_ok(rg_buf_cstr(&b), RG_CADENCE_YAML, &d);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.items[0].message, "`tags_any` lists 101 entries; at most 100 are allowed");
    assert_int_equal(d.items[0].line, 3);
    rg_cadence_free(c);
    rg_diags_free(&d);
    /* At most 100 problems per file, then one line saying so. */
    rg_buf_reset(&b);
    rg_buf_puts(&b, "cadence: t\n");
    for (int i = 0; i < 150; i++)
        rg_buf_printf(&b, "k%d: 1\n", i);
    c = parse_ok(rg_buf_cstr(&b), RG_CADENCE_YAML, &d);
    assert_int_equal(d.n, 101);
    assert_string_equal(d.items[99].message,
                        "unknown key `k99` in the cadence; allowed: cadence, match, timezone, "
                        "window, caps, fees, consolidate, steps, triggers, allow_contact_outside_hours, portal");
    assert_int_equal(d.items[100].line, 102);
    assert_string_equal(d.items[100].message, "more than 100 problems; the rest are not reported");
    rg_cadence_free(c);
    rg_diags_free(&d);
    rg_buf_free(&b);
}

static void test_action_consistency(void **state)
{
    (void)state;
    static const struct {
        const char *step;
        const char *rule;
    } K[] = {
        {"{id: a, at: D0, reissue: {due_in_business_days: 2}, send: {channels: [email], template: "
         "t}}",
         "action-mismatch"},
        {"{id: a, at: D0, requires_notice: b, send: {channels: [email], template: t}}",
         "action-mismatch"},
        {"{id: a, at: D0, action: task, task: {kind: call}, send: {channels: [email], template: "
         "t}}",
         "action-mismatch"},
        {"{id: a, at: D0, action: task}", "missing-key"},
        {"{id: a, at: D0, action: task, task: {}}", "missing-key"},
        {"{id: a, at: D0}", "missing-key"},
        {"{at: D0, send: {channels: [email], template: t}}", "missing-key"},
        {"{id: a, send: {channels: [email], template: t}}", "missing-key"},
        {"{id: a, at: D0, send: {template: t}}", "missing-key"},
        {"{id: a, at: D0, send: {channels: [], template: t}}", "bad-value"},
        {"{id: a, at: D0, send: {channels: email, template: t}}", "bad-type"},
        {"{id: a, at: D0, action: fly}", "bad-value"},
    };
    for (size_t i = 0; i < sizeof K / sizeof K[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, "cadence: t\nsteps:\n  - %s\n", K[i].step);
        rg_diags d = RG_DIAGS_INIT;
        rg_cadence *c = parse_ok(text, RG_CADENCE_YAML, &d);
        if (d.n != 1 || strcmp(d.items[0].rule, K[i].rule) != 0 || d.items[0].line != 3) {
            print_message("step case %zu: want %s at 3; got:\n", i, K[i].rule);
            dump(&d);
            fail();
        }
        rg_cadence_free(c);
        rg_diags_free(&d);
    }
    static const struct {
        const char *trig;
        const char *rule;
    } T[] = {
        {"{on: optout, task: {kind: call}}", "missing-key"},
        {"{id: x, task: {kind: call}}", "missing-key"},
        {"{id: x, on: optout, pause_grace_days: 2, task: {kind: call}}", "action-mismatch"},
        {"{id: x, on: optout, offer: {valid_days: 2}}", "bad-value"},
        {"{id: x, on: optout, offer: {discount_pct: 100.01}}", "bad-value"},
        {"{id: x, on: optout, offer: {waive_fine: 1}}", "bad-type"},
        {"{id: x, on: [optout], task: {kind: call}}", "bad-type"},
        {"{id: x, on: optout, unless: payment.received, task: {kind: call}}", "bad-type"},
        {"{id: x, on: optout, wait: 1h, unless: [payment.recieved], task: {kind: call}}",
         "unknown-event"},
        {"{id: x, on: optout, pause: []}", "bad-value"},
        {"{id: x, on: optout, task: {}}", "missing-key"},
        {"{id: x, on: optout, webhook: \"https://erp/h\"}", "bad-value"}, /* a name, not a URL */
        {"{id: x, on: optout, webhook: ERP}", "bad-value"},
    };
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++) {
        char text[512];
        snprintf(text, sizeof text, "cadence: t\ntriggers:\n  - %s\n", T[i].trig);
        rg_diags d = RG_DIAGS_INIT;
        rg_cadence *c = parse_ok(text, RG_CADENCE_YAML, &d);
        if (d.n != 1 || strcmp(d.items[0].rule, T[i].rule) != 0 || d.items[0].line != 3) {
            print_message("trigger case %zu: want %s at 3; got:\n", i, T[i].rule);
            dump(&d);
            fail();
        }
        rg_cadence_free(c);
        rg_diags_free(&d);
    }
}

/* Channels: the built-ins without an env; the env's own list with one. */
static void test_channels_and_templates(void **state)
{
    (void)state;
    assert_true(rg_channel_builtin("email"));
    assert_true(rg_channel_builtin("whatsapp"));
    assert_true(rg_channel_builtin("sms"));
    assert_true(rg_channel_builtin("voice"));
    assert_true(rg_channel_builtin("letter"));
    assert_false(rg_channel_builtin("telegram"));
    assert_false(rg_channel_builtin(NULL));
    const char *text = "cadence: t\nmatch: {}\nfees: {interest_month_pct: 1}\nsteps:\n"
                       "  - {id: a, at: D0, send: {channels: [telegram, email], template: "
                       "nao-existe}}\n"
                       "  - {id: b, at: D1x, send: {channels: [email], template: nao-existe}}\n"
                       "  - {id: c, at: D+2, send: {channels: [sms, email], template: "
                       "nao-existe}}\n";
    /* No env: telegram is unknown; templates are not checked. */
    rg_diags d = RG_DIAGS_INIT;
    rg_cadence *c = parse_ok(text, RG_CADENCE_YAML, &d);
    rg_cadence_lint(c, NULL, &d);
    assert_int_equal(d.n, 2);
    assert_non_null(find(&d, "bad-offset", 6));
    assert_non_null(find(&d, "unknown-channel", 5));
    rg_diags_free(&d);
    /* With the env: telegram is known; each missing NAME.CHANNEL once. */
    rg_cadence_lint(c, &ENV, &d);
    assert_int_equal(d.n, 3);
    assert_string_equal(d.items[0].message,
                        "no template `nao-existe` for channel telegram: create the file "
                        "nao-existe.telegram (every channel of a send needs one)");
    assert_int_equal(d.items[0].line, 5);
    assert_non_null(strstr(d.items[1].message, "nao-existe.email"));
    assert_int_equal(d.items[1].line, 5);
    assert_non_null(strstr(d.items[2].message, "nao-existe.sms"));
    assert_int_equal(d.items[2].line, 7);
    rg_diags_free(&d);
    /* An env without template callbacks checks only channels. */
    rg_lint_env only_ch = {NULL, fk_channel, NULL, NULL, NULL};
    rg_cadence_lint(c, &only_ch, &d);
    assert_int_equal(d.n, 0);
    rg_cadence_free(c);
    rg_diags_free(&d);
}

/* Each template and channel is checked once, told what every one of its
 * senders fills: offer.* only when all are triggers with `offer:`,
 * promise.* only when all react to promise.made / promise.broken. */
static void test_template_uses(void **state)
{
    (void)state;
    const char *text =
        "cadence: t\nmatch: {}\nfees: {interest_month_pct: 1}\nsteps:\n"
        "  - {id: a, at: D0, send: {channels: [email], template: passo}}\n"
        "  - {id: b, at: D+1, send: {channels: [email], template: misto}}\n"
        "triggers:\n"
        "  - {id: o1, on: portal.visited, send: {channels: [whatsapp], template: oferta}, offer: {valid_days: 3, waive_interest: true}}\n"
        "  - {id: o2, on: pix.copied, send: {channels: [whatsapp], template: oferta}, offer: {valid_days: 2, waive_fine: true}}\n"
        "  - {id: o3, on: email.opened, send: {channels: [email], template: misto}, offer: {valid_days: 2, waive_fine: true}}\n"
        "  - {id: p1, on: promise.made, send: {channels: [email, sms], template: promessa}}\n"
        "  - {id: p2, on: promise.broken, send: {channels: [email], template: promessa}}\n"
        "  - {id: p3, on: optout, send: {channels: [sms], template: promessa}}\n";
    rg_diags d = RG_DIAGS_INIT;
    rg_cadence *c = parse_ok(text, RG_CADENCE_YAML, &d);
    uses_seen[0] = '\0';
    calls_check = 0;
    rg_cadence_lint(c, &ENV, &d);
    if (d.n)
        dump(&d);
    assert_int_equal(d.n, 0);
    assert_string_equal(uses_seen, "passo.email 0 0\n"
                                   "misto.email 0 0\n"
                                   "oferta.whatsapp 1 0\n"
                                   "promessa.email 0 1\n"
                                   "promessa.sms 0 0\n");
    assert_int_equal(calls_check, 5);
    rg_cadence_free(c);
    rg_diags_free(&d);
}

/* ---- match and choose ------------------------------------------------ */

static rg_cadence *cad(const char *text)
{
    rg_diags d = RG_DIAGS_INIT;
    rg_cadence *c = NULL;
    assert_int_equal(rg_cadence_parse(text, strlen(text), "m.yaml", RG_CADENCE_YAML, &d, &c), RG_OK);
    assert_int_equal(rg_diags_count(&d, 0, RG_SEV_ERROR), 0);
    rg_diags_free(&d);
    return c;
}

static void test_match(void **state)
{
    (void)state;
    rg_cadence *pf = cad(EXAMPLE);
    const char *tags[] = {"cliente-antigo", "PLANO-MENSAL"};
    rg_match_subject s = {RG_KIND_PF, tags, 2, 500000, 0};
    assert_true(rg_cadence_matches(pf, &s)); /* tags: case-insensitive; max inclusive */
    s.amount = 500001;
    assert_false(rg_cadence_matches(pf, &s));
    s.amount = 1000;
    s.kind = RG_KIND_PJ;
    assert_false(rg_cadence_matches(pf, &s));
    s.kind = RG_KIND_PF;
    s.n_tags = 1; /* only "cliente-antigo" */
    assert_false(rg_cadence_matches(pf, &s));
    s.n_tags = 0;
    assert_false(rg_cadence_matches(pf, &s));
    assert_false(rg_cadence_matches(NULL, &s));
    assert_false(rg_cadence_matches(pf, NULL));

    rg_cadence *all = cad("cadence: todas\nmatch: {}\n");
    rg_cadence *none = cad("cadence: sem-match\n");
    rg_cadence *rep = cad("cadence: reincidente\nmatch: {priority: 30, late_count_12m_min: 3, "
                          "tags_all: [a, b], min_amount: 100.00}\n");
    const char *ab[] = {"b", "x", "a"};
    rg_match_subject r = {RG_KIND_PJ, ab, 3, 10000, 3};
    assert_true(rg_cadence_matches(all, &r));
    assert_false(rg_cadence_matches(none, &r)); /* no `match`: never chosen by itself */
    assert_true(rg_cadence_matches(rep, &r));
    r.late_count_12m = 2;
    assert_false(rg_cadence_matches(rep, &r));
    r.late_count_12m = 5;
    r.amount = 9999; /* min inclusive: 10000 matched, 9999 does not */
    assert_false(rg_cadence_matches(rep, &r));
    r.amount = 10000;
    r.n_tags = 2; /* "b", "x": lacks "a" */
    assert_false(rg_cadence_matches(rep, &r));
    r.n_tags = 3;

    /* choose: highest priority; ties by the smaller name; none -> NULL. */
    rg_cadence *tie_b = cad("cadence: b-empate\nmatch: {priority: 30}\n");
    rg_cadence *tie_a = cad("cadence: a-empate\nmatch: {priority: 30}\n");
    const rg_cadence *set1[] = {all, none, rep};
    assert_ptr_equal(rg_cadence_choose(set1, 3, &r), rep);
    const rg_cadence *set2[] = {tie_b, rep, tie_a, all, NULL};
    assert_ptr_equal(rg_cadence_choose(set2, 5, &r), tie_a); /* a-empate < b-empate < reincidente */
    const rg_cadence *set3[] = {tie_b, rep, all};
    assert_ptr_equal(rg_cadence_choose(set3, 3, &r), tie_b);
    r.late_count_12m = 0;
    const rg_cadence *set4[] = {rep, none, pf};
    assert_null(rg_cadence_choose(set4, 3, &r)); /* the invoice follows no cadence */
    assert_null(rg_cadence_choose(NULL, 0, &r));
    /* Negative priorities are below the default 0. */
    rg_cadence *neg = cad("cadence: aaa\nmatch: {priority: -1}\n");
    const rg_cadence *set5[] = {neg, all};
    assert_ptr_equal(rg_cadence_choose(set5, 2, &r), all);

    assert_int_equal(rg_cadence_step_index(pf, "aviso"), 8);
    assert_int_equal(rg_cadence_step_index(pf, "nada"), -1);
    assert_int_equal(rg_cadence_step_index(pf, NULL), -1);

    rg_cadence_free(neg);
    rg_cadence_free(tie_a);
    rg_cadence_free(tie_b);
    rg_cadence_free(rep);
    rg_cadence_free(none);
    rg_cadence_free(all);
    rg_cadence_free(pf);
}

/* ---- version ------------------------------------------------------------ */

static void test_version(void **state)
{
    (void)state;
    rg_cadence *a = cad("cadence: v\nmatch: {priority: 1, tags_any: [x]}\nsteps:\n"
                        "  - {id: a, at: D0, send: {channels: [email], template: t}}\n");
    /* Comments, spacing, key order, block vs flow, quoting: same version. */
    rg_cadence *b = cad("# a comment\nsteps:\n  - send:\n      template: \"t\"\n"
                        "      channels:\n        - email\n    at: 'D0'\n    id: a\n"
                        "match:\n  tags_any: [x]   # tag\n  priority: 1\ncadence: v\n");
    rg_cadence *c = cad("cadence: v\nmatch: {priority: 2, tags_any: [x]}\nsteps:\n"
                        "  - {id: a, at: D0, send: {channels: [email], template: t}}\n");
    rg_cadence *e = cad("cadence: v\nmatch: {priority: 1, tags_any: [x]}\nsteps:\n"
                        "  - {id: a, at: D0, send: {channels: [email, sms], template: t}}\n");
    /* The reason for contact outside hours is recorded with the version:
     * stating it, or changing it, is a new version. */
    rg_cadence *r1 = cad("cadence: v\nmatch: {priority: 1, tags_any: [x]}\nsteps:\n"
                         "  - {id: a, at: D0, send: {channels: [email], template: t}}\n"
                         "allow_contact_outside_hours: \"plantão das 21h\"\n");
    rg_cadence *r2 = cad("cadence: v\nmatch: {priority: 1, tags_any: [x]}\nsteps:\n"
                         "  - {id: a, at: D0, send: {channels: [email], template: t}}\n"
                         "allow_contact_outside_hours: \"plantão das 22h\"\n");
    assert_string_equal(r1->allow_contact_outside_hours, "plantão das 21h");
    assert_int_equal(r1->allow_outside_line, 5);
    assert_null(a->allow_contact_outside_hours);
    assert_string_not_equal(a->version, r1->version);
    assert_string_not_equal(r1->version, r2->version);
    rg_cadence_free(r1);
    rg_cadence_free(r2);
    assert_string_equal(a->version, b->version);
    assert_string_not_equal(a->version, c->version);
    assert_string_not_equal(a->version, e->version);
    for (int i = 0; i < 16; i++)
        assert_non_null(strchr("0123456789abcdef", a->version[i]));
    rg_cadence_free(a);
    rg_cadence_free(b);
    rg_cadence_free(c);
    rg_cadence_free(e);
}

/* ---- diagnostics ---------------------------------------------------------- */

static void test_diag_format(void **state)
{
    (void)state;
    rg_diags d = RG_DIAGS_INIT;
    rg_diags_add(&d, RG_SEV_WARNING, "b.yaml", 9, 3, "window-late", "late %d", 1);
    rg_diags_add(&d, RG_SEV_ERROR, "b.yaml", 2, 0, "unknown-key", "x");
    rg_diags_add(&d, RG_SEV_INFO, "b.yaml", 0, 0, "legal-default-interest", "y");
    rg_diags_add(&d, RG_SEV_ERROR, "b.yaml", 2, 0, "bad-type", "z");
    assert_int_equal(rg_diags_count(&d, 0, RG_SEV_ERROR), 2);
    assert_int_equal(rg_diags_count(&d, 1, RG_SEV_WARNING), 0);
    rg_diags_sort(&d, 0);
    rg_buf b = RG_BUF_INIT;
    rg_diags_format(&d, &b);
    assert_string_equal(rg_buf_cstr(&b), "b.yaml: info[legal-default-interest]: y\n"
                                         "b.yaml:2: error[unknown-key]: x\n"
                                         "b.yaml:2: error[bad-type]: z\n"
                                         "b.yaml:9:3: warning[window-late]: late 1\n");
    assert_int_equal(d.items[3].column, 3);
    rg_diags_truncate(&d, 1);
    assert_int_equal(d.n, 1);
    /* Long messages are kept whole. */
    char longmsg[3000];
    memset(longmsg, 'm', sizeof longmsg - 1);
    longmsg[sizeof longmsg - 1] = '\0';
    rg_diags_add(&d, RG_SEV_ERROR, NULL, 1, 0, "x", "%s", longmsg);
    assert_int_equal(strlen(d.items[1].message), sizeof longmsg - 1);
    assert_string_equal(d.items[1].file, "");
    rg_diags_add(&d, RG_SEV_ERROR, "f", 1, 0, "x", "a\nb\tc\033[31md\x7f");
    assert_string_equal(d.items[2].message, "a b c?[31md?");
    /* Sorting groups files in the order they first appear (a cadence
     * before the templates it names), then line and column. */
    rg_diags_free(&d);
    rg_diags_add(&d, RG_SEV_ERROR, "c.yaml", 7, 0, "template-broken", "1");
    rg_diags_add(&d, RG_SEV_ERROR, "t/b.sms", 3, 2, "template-syntax", "2");
    rg_diags_add(&d, RG_SEV_ERROR, "t/b.sms", 1, 9, "template-syntax", "3");
    rg_diags_add(&d, RG_SEV_ERROR, "c.yaml", 2, 0, "bad-type", "4");
    rg_diags_add(&d, RG_SEV_WARNING, "t/a.sms", 0, 0, "template-sms-length", "5");
    rg_diags_sort(&d, 0);
    rg_buf_reset(&b);
    for (size_t i = 0; i < d.n; i++)
        rg_buf_puts(&b, d.items[i].message);
    assert_string_equal(rg_buf_cstr(&b), "41325");
    /* ... and exact repeats (a template two cadences use) go. */
    rg_diags_add(&d, RG_SEV_ERROR, "t/b.sms", 3, 2, "template-syntax", "2");
    rg_diags_add(&d, RG_SEV_ERROR, "t/b.sms", 3, 2, "template-syntax", "2 bis");
    rg_diags_add(&d, RG_SEV_WARNING, "t/a.sms", 0, 0, "template-sms-length", "5");
    rg_diags_dedupe(&d, 0);
    assert_int_equal(d.n, 6);
    assert_string_equal(d.items[5].message, "2 bis");
    rg_buf_free(&b);
    rg_diags_free(&d);
    rg_diags_free(&d); /* idempotent */
    rg_diags_free(NULL);
    assert_string_equal(rg_severity_name(RG_SEV_INFO), "info");

    /* Event names round-trip. */
    for (int i = 0; i < RG_EV__COUNT; i++) {
        rg_event_type t;
        const char *n = rg_event_type_name((rg_event_type)i);
        assert_true(rg_event_type_parse(n, strlen(n), &t));
        assert_int_equal(t, i);
    }
    assert_null(rg_event_type_name(RG_EV__COUNT));
    rg_event_type t;
    assert_false(rg_event_type_parse("optout.", 7, &t));
    assert_string_equal(rg_event_type_name(RG_EV_OPTOUT), "optout");
    assert_string_equal(rg_step_action_name(RG_ACTION_BUREAU_LISTING), "bureau_listing");
}

/* ---- loader ----------------------------------------------------------- */

static void mkdir_p(const char *p)
{
    assert_true(mkdir(p, 0700) == 0);
}

static void test_load_dir(void **state)
{
    (void)state;
    mkdir_p(rg_test_path("cad"));
    rg_test_write("cad/a.yaml", EXAMPLE);
    rg_test_write("cad/b.yml", "cadence: dup\nmatch: {}\nfees: {interest_month_pct: 1}\n");
    rg_test_write("cad/c.json",
                  "{\"cadence\": \"dup\", \"match\": {}, \"fees\": {\"interest_month_pct\": 1}}");
    rg_test_write("cad/d.yaml", "cadence: quebrada\nmatch: {}\nfees: {fine_pct: 5}\n");
    rg_test_write("cad/e.yaml", "cadence: troca\nmatch: {priority: 1}\nfees: "
                                "{interest_month_pct: 1}\ntriggers:\n"
                                "  - {id: x, on: optout, switch_cadence: quebrada}\n");
    rg_test_write("cad/f.yaml", "cadence: troca-ok\nmatch: {priority: 1}\nfees: "
                                "{interest_month_pct: 1}\ntriggers:\n"
                                "  - {id: x, on: optout, switch_cadence: mensal-pf}\n");
    rg_test_write("cad/g.yaml", "cadence: avisada\nfees: {interest_month_pct: 1}\n"
                                "window: {sunday: \"09:00-12:00\"}\n"
                                "allow_contact_outside_hours: \"plantão de domingo pedido pelos clientes\"\n");
    rg_test_write("cad/notes.txt", "not a cadence");
    rg_test_write("cad/.hidden.yaml", "garbage: [");
    mkdir_p(rg_test_path("cad/sub.yaml"));

    rg_diags d = RG_DIAGS_INIT;
    rg_cadence_set *set = NULL;
    assert_int_equal(rg_cadence_set_load_dir(rg_test_path("cad"), &ENV, &d, &set), RG_OK);
    assert_non_null(set);
    /* Loaded: a (mensal-pf), f (troca-ok), g (avisada, warnings only). */
    assert_int_equal(set->n, 3);
    assert_string_equal(set->items[0]->name, "mensal-pf");
    assert_string_equal(set->items[1]->name, "troca-ok");
    assert_string_equal(set->items[2]->name, "avisada");
    assert_non_null(rg_cadence_set_find(set, "avisada"));
    assert_null(rg_cadence_set_find(set, "dup"));
    assert_null(rg_cadence_set_find(set, "quebrada"));
    assert_null(rg_cadence_set_find(set, "troca"));
    assert_null(rg_cadence_set_find(NULL, "x"));

    /* The diagnostics, file by file. */
    size_t dups = 0, unk = 0, fine = 0, sunday = 0, nomatch = 0;
    for (size_t i = 0; i < d.n; i++) {
        const rg_diag *g = &d.items[i];
        if (strcmp(g->rule, "duplicate-cadence") == 0) {
            dups++;
            assert_int_equal(g->line, 1);
            assert_true(strstr(g->file, "b.yml") || strstr(g->file, "c.json"));
        } else if (strcmp(g->rule, "unknown-cadence") == 0) {
            unk++;
            assert_non_null(strstr(g->file, "e.yaml"));
            assert_int_equal(g->line, 5);
            assert_int_equal(g->severity, RG_SEV_ERROR);
            assert_non_null(strstr(g->message, "has errors and is not loaded"));
        } else if (strcmp(g->rule, "fine-above-cdc") == 0) {
            fine++;
            assert_non_null(strstr(g->file, "d.yaml"));
        } else if (strcmp(g->rule, "sunday-open") == 0) {
            sunday++;
        } else if (strcmp(g->rule, "no-match") == 0 || strcmp(g->rule, "legal-default-interest") == 0) {
            nomatch++;
        } else {
            dump(&d);
            fail();
        }
    }
    assert_int_equal(dups, 2);
    assert_int_equal(unk, 1);
    assert_int_equal(fine, 1);
    assert_int_equal(sunday, 1);
    assert_int_equal(nomatch, 2); /* g: no-match; d: legal-default-interest */

    rg_match_subject s = {RG_KIND_PF, (const char *const[]){"plano-mensal"}, 1, 1000, 0};
    assert_string_equal(rg_cadence_set_choose(set, &s)->name, "mensal-pf");
    s.n_tags = 0;
    assert_string_equal(rg_cadence_set_choose(set, &s)->name, "troca-ok");
    assert_null(rg_cadence_set_choose(NULL, &s));
    rg_cadence_set_free(set);
    rg_cadence_set_free(NULL);
    rg_diags_free(&d);

    /* A missing directory. */
    set = (rg_cadence_set *)0x1;
    assert_int_equal(rg_cadence_set_load_dir(rg_test_path("nope"), NULL, &d, &set), RG_EIO);
    assert_null(set);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.items[0].rule, "io");
    rg_diags_free(&d);

    /* An empty directory is an empty set. */
    mkdir_p(rg_test_path("empty"));
    assert_int_equal(rg_cadence_set_load_dir(rg_test_path("empty"), NULL, NULL, &set), RG_OK);
    assert_int_equal(set->n, 0);
    rg_cadence_set_free(set);
}

static void test_load_file_and_lint_paths(void **state)
{
    (void)state;
    rg_diags d = RG_DIAGS_INIT;
    rg_cadence *c = (rg_cadence *)0x1;
    assert_int_equal(rg_cadence_load_file(rg_test_path("missing.yaml"), NULL, &d, &c), RG_EIO);
    assert_null(c);
    assert_string_equal(d.items[0].rule, "io");
    rg_diags_free(&d);

    const char *bad = rg_test_write("l-bad.yaml", "cadence: l\nmatch: {}\nfees: {fine_pct: 3}\n");
    assert_int_equal(rg_cadence_load_file(bad, NULL, &d, &c), RG_EINVAL);
    assert_null(c);
    rg_diags_free(&d);
    const char *json = rg_test_write("l.json", "{\"cadence\": \"l2\", \"match\": {},\n"
                                               " \"fees\": {\"interest_month_pct\": 1},\n"
                                               " \"bogus\": 1}");
    assert_int_equal(rg_cadence_load_file(json, NULL, &d, &c), RG_EINVAL);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.items[0].line, 3);
    assert_string_equal(d.items[0].rule, "unknown-key");
    rg_diags_free(&d);
    assert_int_equal(rg_cadence_format_for_path("x.json"), RG_CADENCE_JSON);
    assert_int_equal(rg_cadence_format_for_path("x.yml"), RG_CADENCE_YAML);

    /* `regua cadence lint`: files and directories as one set. */
    const char *good = rg_test_write("l-good.yaml", "cadence: lg\nmatch: {}\nfees: "
                                                    "{interest_month_pct: 1}\ntriggers:\n"
                                                    "  - {id: x, on: optout, switch_cadence: "
                                                    "elsewhere}\n");
    const char *p1[] = {good};
    assert_int_equal(rg_cadence_lint_paths(p1, 1, &ENV, &d, NULL), RG_OK);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.items[0].rule, "unknown-cadence");
    assert_int_equal(d.items[0].severity, RG_SEV_WARNING);
    assert_string_equal(d.items[0].message, "trigger `x` switches to cadence `elsewhere`, which is "
                                            "not among the files linted");
    rg_diags_free(&d);
    const char *p2[] = {good, bad, rg_test_path("missing.yaml")};
    rg_status st = rg_cadence_lint_paths(p2, 3, &ENV, &d, NULL);
    assert_int_equal(st, RG_EINVAL);
    assert_int_equal(rg_status_exit_code(st), 1);
    assert_non_null(find(&d, "fine-above-cdc", 3));
    assert_non_null(find(&d, "io", 0));
    rg_diags_free(&d);
    char repo_cad[1024];
    snprintf(repo_cad, sizeof repo_cad, "%s/cadences", root());
    const char *p3[] = {repo_cad};
    assert_int_equal(rg_cadence_lint_paths(p3, 1, &ENV, &d, NULL), RG_OK);
    if (d.n)
        dump(&d);
    assert_int_equal(d.n, 0);
    /* The same file twice: a duplicate name. */
    char mensal[1024];
    snprintf(mensal, sizeof mensal, "%s/cadences/mensal-pf.yaml", root());
    const char *p4[] = {repo_cad, mensal};
    assert_int_equal(rg_cadence_lint_paths(p4, 2, &ENV, &d, NULL), RG_EINVAL);
    assert_int_equal(rg_diags_count(&d, 0, RG_SEV_ERROR), 2);
    assert_string_equal(d.items[0].rule, "duplicate-cadence");
    rg_diags_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example_parses),
        cmocka_unit_test(test_example_as_json),
        cmocka_unit_test(test_b2b_example),
        cmocka_unit_test(test_every_rule),
        cmocka_unit_test(test_clean_edges),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_syntax),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_action_consistency),
        cmocka_unit_test(test_channels_and_templates),
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_diag_format),
        cmocka_unit_test(test_load_dir),
        cmocka_unit_test(test_load_file_and_lint_paths),
        cmocka_unit_test(test_template_uses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
