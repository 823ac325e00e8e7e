/* Tests for src/render: the template compiler and renderer (template.c),
 * the variable model (vars.c), the template files and lint
 * (template_file.c), SMS sizing (sms.c), and the example templates in
 * templates/. */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/buf.h"
#include "base/err.h"
#include "render/sms.h"
#include "render/template.h"
#include "render/template_file.h"
#include "render/vars.h"

/* ---- helpers ------------------------------------------------------------- */

static rg_template *compile_ok(const char *src, rg_template_kind kind)
{
    rg_template_opts o = {kind, "t", 0, 0, NULL, NULL};
    rg_template *t = NULL;
    rg_err e;
    rg_err_clear(&e);
    rg_status st = rg_template_compile(src, strlen(src), &o, &t, NULL, &e);
    if (st)
        fprintf(stderr, "compile %s: %s: %s\n", src, e.where, e.msg);
    assert_int_equal(st, RG_OK);
    assert_non_null(t);
    return t;
}

/* Renders src with v and compares the output exactly. */
static void renders_kind(const char *src, rg_template_kind kind, const rg_render_vars *v, const char *want)
{
    rg_template *t = compile_ok(src, kind);
    rg_buf b = RG_BUF_INIT;
    rg_err e;
    rg_err_clear(&e);
    rg_status st = rg_template_render(t, v, &b, &e);
    if (st)
        fprintf(stderr, "render %s: %s: %s\n", src, e.where, e.msg);
    assert_int_equal(st, RG_OK);
    assert_string_equal(rg_buf_cstr(&b), want);
    rg_buf_free(&b);
    rg_template_free(t);
}

static void renders(const char *src, const char *want)
{
    renders_kind(src, RG_TEMPLATE_TEXT, rg_render_vars_sample(), want);
}

static void renders_html(const char *src, const char *want)
{
    renders_kind(src, RG_TEMPLATE_HTML, rg_render_vars_sample(), want);
}

/* Compiling src fails at line:col with rule, and exactly this message. */
static void compile_fails(const char *src, int line, int col, const char *rule, const char *msg)
{
    rg_template_opts o = {RG_TEMPLATE_TEXT, "t", 0, 0, NULL, NULL};
    rg_template *t = (rg_template *)1;
    rg_template_errpos pos;
    rg_err e;
    rg_err_clear(&e);
    assert_int_equal(rg_template_compile(src, strlen(src), &o, &t, &pos, &e), RG_EINVAL);
    assert_null(t);
    assert_int_equal(pos.line, line);
    assert_int_equal(pos.col, col);
    assert_string_equal(pos.rule, rule);
    char where[64];
    snprintf(where, sizeof where, "t:%d:%d", line, col);
    assert_string_equal(e.where, where);
    assert_string_equal(e.msg, msg);
}

/* A message with only what the planner always fills: one invoice, no
 * boleto, no PIX, no links, no optional company data. */
static rg_render_invoice min_inv;
static rg_render_vars min_vars;

static const rg_render_vars *minimal(void)
{
    rg_render_invoice_init(&min_inv);
    min_inv.external_id = "A-1";
    min_inv.amount = 10000;
    min_inv.updated_amount = 10000;
    min_inv.fine = 0;
    min_inv.interest = 0;
    min_inv.due_date = rg_date_from_ymd(2026, 12, 10);
    min_inv.days_late = 0;
    rg_render_vars_init(&min_vars);
    min_vars.customer.name = "JOSÉ PEREIRA";
    min_vars.invoices = &min_inv;
    min_vars.n_invoices = 1;
    min_vars.company.name = "Acme Telecom Ltda";
    min_vars.company.cnpj = "12345678000195";
    return &min_vars;
}

/* ---- tags ------------------------------------------------------------------ */

static void test_variables(void **state)
{
    (void)state;
    renders("", "");
    renders("plain text, no tags { } }}", "plain text, no tags { } }}");
    renders("Olá, {{customer.first_name}}!", "Olá, Maria!");
    renders("{{customer.name}}", "MARIA DA SILVA SANTOS");
    renders("{{invoice.amount}} em {{invoice.due_date}}", "R$ 1.234,56 em 10/12/2026");
    renders("{{invoice.updated_amount}} = {{invoice.amount}} + {{invoice.fine}} + {{invoice.interest}}",
            "R$ 1.260,48 = R$ 1.234,56 + R$ 24,69 + R$ 1,23");
    renders("{{invoice.days_late}} dias", "3 dias");
    renders("{{totals.amount}} / {{totals.updated_amount}} / {{totals.invoice_count}}",
            "R$ 1.369,46 / R$ 1.397,27 / 3");
    renders("{{customer.document}} {{company.cnpj}}", "123.456.789-09 12.345.678/0001-95");
    renders("{{customer.phone}} {{company.phone}}", "(11) 98765-4321 (11) 4000-1234");
    renders("{{offer.valid_until}} {{offer.amount}} {{offer.discount}} {{offer.description}}",
            "18/12/2026 R$ 1.369,46 R$ 27,81 sem multa e sem juros");
    renders("{{promise.date}} {{promise.amount}} {{bureau.listing_date}}", "19/12/2026 R$ 1.397,27 19/01/2027");
    /* whitespace inside tags, all three output forms */
    renders("{{ customer.first_name }}|{{{ customer.first_name }}}|{{&customer.first_name}}|{{& customer.first_name}}",
            "Maria|Maria|Maria|Maria");
    renders("{{\tcustomer.first_name\n}}", "Maria");
    /* braces that are not tags */
    renders("{ {{customer.first_name}} }", "{ Maria }");
}

static void test_escaping(void **state)
{
    (void)state;
    rg_render_invoice inv;
    rg_render_invoice_init(&inv);
    inv.external_id = "X";
    inv.description = "<b>\"Tom\" & 'Jerry'</b>";
    rg_render_vars v;
    rg_render_vars_init(&v);
    v.invoices = &inv;
    v.n_invoices = 1;
    const char *src = "{{invoice.description}}|{{{invoice.description}}}|{{& invoice.description}}";
    renders_kind(src, RG_TEMPLATE_HTML, &v,
                 "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;|<b>\"Tom\" & 'Jerry'</b>|"
                 "<b>\"Tom\" & 'Jerry'</b>");
    /* text templates never escape */
    renders_kind(src, RG_TEMPLATE_TEXT, &v,
                 "<b>\"Tom\" & 'Jerry'</b>|<b>\"Tom\" & 'Jerry'</b>|<b>\"Tom\" & 'Jerry'</b>");
    /* literal template text is never escaped, in either kind */
    renders_html("<p>a & b</p>", "<p>a & b</p>");
    /* the sample's third invoice has markup in its description */
    renders_html("{{#invoices}}{{#invoice.fine}}{{/invoice.fine}}{{^invoice.fine}}{{invoice.description}}{{/invoice.fine}}{{/invoices}}",
                 "Serviço adicional &lt;Wi-Fi&gt; &amp; suporte");
}

static void test_sections(void **state)
{
    (void)state;
    /* over the list: once per invoice, invoice.* is the current one */
    renders("{{#invoices}}[{{invoice.external_id}} {{invoice.amount}}]{{/invoices}}",
            "[NF-2026-0042 R$ 1.234,56][NF-2026-0043 R$ 89,90][NF-2026-0051 R$ 45,00]");
    /* outside the list, invoice.* is the first invoice; top-level names resolve inside */
    renders("{{invoice.external_id}}:{{#invoices}}{{customer.first_name}}{{/invoices}}:{{invoice.external_id}}",
            "NF-2026-0042:MariaMariaMaria:NF-2026-0042");
    /* over a value: once when truthy; money 0 and int 0 are false */
    renders("{{#portal_url}}Portal: {{portal_url}}{{/portal_url}}", "Portal: https://portal.example.com/c/8Xk2");
    renders("{{#invoices}}{{#invoice.fine}}+{{invoice.fine}}{{/invoice.fine}}{{/invoices}}", "+R$ 24,69+R$ 1,80");
    renders("{{#invoices}}{{#invoice.days_late}}{{invoice.days_late}}d {{/invoice.days_late}}{{/invoices}}", "3d 3d ");
    renders("{{#invoice.due_date}}due{{/invoice.due_date}}", "due");
    /* inverted */
    renders("{{#invoices}}{{^invoice.fine}}sem multa: {{invoice.external_id}}{{/invoice.fine}}{{/invoices}}",
            "sem multa: NF-2026-0051");
    renders("{{^portal_url}}no portal{{/portal_url}}", "");
    renders("{{^invoices}}nothing due{{/invoices}}", "");
    /* nested: list > value > value */
    renders("{{#invoices}}{{#invoice.fine}}{{invoice.external_id}}{{#invoice.interest}}({{invoice.interest}})"
            "{{/invoice.interest}};{{/invoice.fine}}{{/invoices}}",
            "NF-2026-0042(R$ 1,23);NF-2026-0043(R$ 0,09);");
    /* inverted invoices inside invoices is allowed (and never renders) */
    renders("{{#invoices}}.{{^invoices}}x{{/invoices}}{{/invoices}}", "...");
    /* comments */
    renders("a{{! a comment }}b{{!multi\nline}}c", "abc");

    /* with no invoices and no optional values */
    rg_render_vars v;
    rg_render_vars_init(&v);
    v.customer.name = "ana";
    renders_kind("{{^invoices}}nada{{/invoices}}{{#invoices}}x{{/invoices}}|{{^portal_url}}sem portal{{/portal_url}}"
                 "|{{customer.first_name}}",
                 RG_TEMPLATE_TEXT, &v, "nada|sem portal|Ana");
    /* blank text counts as no value */
    v.portal_url = "  ";
    renders_kind("{{^portal_url}}blank{{/portal_url}}", RG_TEMPLATE_TEXT, &v, "blank");
}

static void test_standalone_lines(void **state)
{
    (void)state;
    /* section, inverted, close and comment tags alone on a line take the line */
    renders("Faturas:\n{{#invoices}}\n- {{invoice.external_id}}\n{{/invoices}}\nFim",
            "Faturas:\n- NF-2026-0042\n- NF-2026-0043\n- NF-2026-0051\nFim");
    renders("a\n  {{! note }}  \nb", "a\nb");
    renders("a\r\n\t{{#portal_url}} \r\nP\r\n{{/portal_url}}\r\nb", "a\r\nP\r\nb");
    renders("{{#portal_url}}\nP\n{{/portal_url}}", "P\n");
    renders("a\n{{^portal_url}}\nnone\n{{/portal_url}}\nb", "a\nb");
    /* not alone: the line stays */
    renders("a {{#portal_url}}P{{/portal_url}}\nb", "a P\nb");
    renders("{{#portal_url}}{{/portal_url}}\nb", "\nb");
    renders("x{{! c }}\ny", "x\ny");
    /* variables are never standalone */
    renders("a\n{{invoice.days_late}}\nb", "a\n3\nb");
}

static void test_compile_errors(void **state)
{
    (void)state;
    compile_fails("Olá {{customer.name", 1, 5, RG_RULE_TEMPLATE_SYNTAX,
                  "unclosed tag: expected '}}' before the end of the template");
    compile_fails("Olá {{", 1, 5, RG_RULE_TEMPLATE_SYNTAX,
                  "unclosed tag: expected a variable name and '}}' before the end of the template");
    compile_fails("x\n\n  {{#invoices}}\n{{invoice.amount}}", 3, 3, RG_RULE_TEMPLATE_SYNTAX,
                  "unclosed section '{{#invoices}}': expected '{{/invoices}}' before the end of the template");
    compile_fails("{{^portal_url}}x", 1, 1, RG_RULE_TEMPLATE_SYNTAX,
                  "unclosed section '{{^portal_url}}': expected '{{/portal_url}}' before the end of the template");
    compile_fails("{{#invoices}}\n{{#invoice.fine}}{{/invoices}}", 2, 18, RG_RULE_TEMPLATE_SYNTAX,
                  "mismatched '{{/invoices}}': expected {{/invoice.fine}} to close the section opened at 2:1");
    compile_fails("ok {{/invoices}}", 1, 4, RG_RULE_TEMPLATE_SYNTAX,
                  "'{{/invoices}}' closes nothing: no section is open");
    compile_fails("a\n  {{invoice.valor}}", 2, 5, RG_RULE_TEMPLATE_UNKNOWN_VARIABLE,
                  "unknown variable 'invoice.valor'; see docs/internals/templates.md for the list");
    compile_fails("{{invoice.amout}}", 1, 3, RG_RULE_TEMPLATE_UNKNOWN_VARIABLE,
                  "unknown variable 'invoice.amout' (did you mean 'invoice.amount'?); "
                  "see docs/internals/templates.md for the list");
    compile_fails("{{ first_name }}", 1, 4, RG_RULE_TEMPLATE_UNKNOWN_VARIABLE,
                  "unknown variable 'first_name' (did you mean 'customer.first_name'?); "
                  "see docs/internals/templates.md for the list");
    compile_fails("{{#Invoices}}{{/Invoices}}", 1, 4, RG_RULE_TEMPLATE_UNKNOWN_VARIABLE,
                  "unknown variable 'Invoices' (did you mean 'invoices'?); "
                  "see docs/internals/templates.md for the list");
    compile_fails("{{.}}", 1, 3, RG_RULE_TEMPLATE_UNKNOWN_VARIABLE,
                  "unknown variable '.'; see docs/internals/templates.md for the list");
    compile_fails("é{{}}", 1, 4, RG_RULE_TEMPLATE_SYNTAX, "empty tag: expected a variable name before '}}'");
    compile_fails("{{#}}", 1, 4, RG_RULE_TEMPLATE_SYNTAX, "empty tag: expected a variable name before '}}'");
    compile_fails("{{ @x }}", 1, 4, RG_RULE_TEMPLATE_SYNTAX,
                  "unexpected '@' in tag: expected a variable name (letters, digits, '_', '.')");
    compile_fails("{{portal_url x}}", 1, 14, RG_RULE_TEMPLATE_SYNTAX, "unexpected 'x' in tag: expected '}}'");
    compile_fails("{{{portal_url}}", 1, 14, RG_RULE_TEMPLATE_SYNTAX, "expected '}}}' to close '{{{', found '}}'");
    compile_fails("{{{portal_url}", 1, 1, RG_RULE_TEMPLATE_SYNTAX,
                  "unclosed tag: expected '}}}' before the end of the template");
    compile_fails("{{> footer}}", 1, 1, RG_RULE_TEMPLATE_SYNTAX, "partials '{{>name}}' are not supported");
    compile_fails("{{=<% %>=}}", 1, 1, RG_RULE_TEMPLATE_SYNTAX, "set-delimiter tags '{{=...=}}' are not supported");
    compile_fails("x {{! never closed", 1, 3, RG_RULE_TEMPLATE_SYNTAX,
                  "unclosed comment: expected '}}' to close '{{!' before the end of the template");
    compile_fails("{{invoices}}", 1, 3, RG_RULE_TEMPLATE_SYNTAX,
                  "'invoices' is a list: write {{#invoices}}...{{/...}} around what repeats for each item");
    compile_fails("{{#invoices}}{{#invoice.fine}}{{#invoices}}", 1, 31, RG_RULE_TEMPLATE_SYNTAX,
                  "{{#invoices}} cannot be nested inside another {{#invoices}}");

    /* nesting limit */
    rg_buf b = RG_BUF_INIT;
    for (int i = 0; i < RG_TEMPLATE_MAX_DEPTH; i++)
        rg_buf_puts(&b, "{{#portal_url}}");
    rg_buf_puts(&b, "x");
    for (int i = 0; i < RG_TEMPLATE_MAX_DEPTH; i++)
        rg_buf_puts(&b, "{{/portal_url}}");
    rg_template *t = compile_ok(rg_buf_cstr(&b), RG_TEMPLATE_TEXT);
    rg_template_free(t);
    rg_buf_reset(&b);
    for (int i = 0; i <= RG_TEMPLATE_MAX_DEPTH; i++)
        rg_buf_puts(&b, "{{#portal_url}}");
    compile_fails(rg_buf_cstr(&b), 1, 1 + 15 * RG_TEMPLATE_MAX_DEPTH, RG_RULE_TEMPLATE_SYNTAX,
                  "sections nested deeper than 32 levels");
    rg_buf_free(&b);

    /* positions follow opts.line / opts.col (a Subject line, a WhatsApp parameter) */
    rg_template_opts o = {RG_TEMPLATE_TEXT, "atraso.email", 7, 10, NULL, NULL};
    rg_template_errpos pos;
    rg_err e;
    assert_int_equal(rg_template_compile("ab {{x}}", 8, &o, &t, &pos, &e), RG_EINVAL);
    assert_int_equal(pos.line, 7);
    assert_int_equal(pos.col, 15);
    assert_string_equal(e.where, "atraso.email:7:15");
    assert_int_equal(rg_template_compile("ab\n{{x}}", 8, &o, &t, &pos, &e), RG_EINVAL);
    assert_string_equal(e.where, "atraso.email:8:3");
    /* no errpos, no err: still fails cleanly */
    assert_int_equal(rg_template_compile("{{x}}", 5, NULL, &t, NULL, NULL), RG_EINVAL);
    assert_null(t);
}

static void test_render_missing_value(void **state)
{
    (void)state;
    const rg_render_vars *v = minimal();
    rg_template *t = compile_ok("Olá {{customer.first_name}},\nboleto: {{invoice.linha_digitavel}}", RG_TEMPLATE_TEXT);
    rg_buf b = RG_BUF_INIT;
    rg_buf_puts(&b, "keep");
    rg_err e;
    assert_int_equal(rg_template_render(t, v, &b, &e), RG_EINVAL);
    assert_string_equal(rg_buf_cstr(&b), "keep"); /* nothing half-rendered */
    assert_string_equal(e.where, "t:2:9");
    assert_string_equal(e.msg, "variable invoice.linha_digitavel has no value; to make it optional, write "
                               "{{#invoice.linha_digitavel}}...{{invoice.linha_digitavel}}...{{/invoice.linha_digitavel}}");
    rg_template_free(t);

    /* guarded, it is fine */
    renders_kind("Olá {{customer.first_name}}{{#invoice.linha_digitavel}}, boleto: {{invoice.linha_digitavel}}"
                 "{{/invoice.linha_digitavel}}.",
                 RG_TEMPLATE_TEXT, v, "Olá José.");

    /* inside the list, each item is checked on its own */
    rg_render_invoice inv[2];
    rg_render_invoice_init(&inv[0]);
    rg_render_invoice_init(&inv[1]);
    inv[0].external_id = "A";
    inv[0].pix_code = "PIX-A";
    inv[1].external_id = "B";
    rg_render_vars v2 = *v;
    v2.invoices = inv;
    v2.n_invoices = 2;
    renders_kind("{{#invoices}}{{invoice.external_id}}{{#invoice.pix_code}}={{invoice.pix_code}}{{/invoice.pix_code}};"
                 "{{/invoices}}",
                 RG_TEMPLATE_TEXT, &v2, "A=PIX-A;B;");
    t = compile_ok("{{#invoices}}\n{{invoice.external_id}}: {{invoice.pix_code}}\n{{/invoices}}", RG_TEMPLATE_TEXT);
    rg_buf_reset(&b);
    assert_int_equal(rg_template_render(t, &v2, &b, &e), RG_EINVAL);
    assert_string_equal(rg_buf_cstr(&b), "");
    assert_string_equal(e.where, "t:2:26");
    rg_template_free(t);

    /* a required variable the planner left empty */
    rg_render_vars v3 = *v;
    v3.invoices = NULL;
    v3.n_invoices = 0;
    t = compile_ok("Total {{totals.amount}}", RG_TEMPLATE_TEXT);
    assert_int_equal(rg_template_render(t, &v3, &b, &e), RG_EINVAL);
    assert_string_equal(e.where, "t:1:7");
    assert_string_equal(e.msg, "variable totals.amount has no value (it is always required)");
    rg_template_free(t);
    /* one regua.yaml does not set */
    v3 = *v;
    v3.company.cnpj = NULL;
    t = compile_ok("CNPJ {{company.cnpj}}", RG_TEMPLATE_TEXT);
    assert_int_equal(rg_template_render(t, &v3, &b, &e), RG_EINVAL);
    assert_string_equal(e.where, "t:1:6");
    assert_string_equal(e.msg, "variable company.cnpj has no value: set it in regua.yaml, or write "
                               "{{#company.cnpj}}...{{company.cnpj}}...{{/company.cnpj}}");
    /* no invoices: invoice.* has no value */
    v3 = *v;
    v3.n_invoices = 0;
    v3.invoices = NULL;
    rg_template_free(t);
    t = compile_ok("{{invoice.amount}}", RG_TEMPLATE_TEXT);
    assert_int_equal(rg_template_render(t, &v3, &b, NULL), RG_EINVAL);
    rg_template_free(t);
    rg_buf_free(&b);
}

static void test_refs(void **state)
{
    (void)state;
    rg_template *t = compile_ok("{{portal_url}}\n{{#portal_url}}{{portal_url}}{{/portal_url}}"
                                "{{#invoice.pix_code}}{{#invoices}}{{invoice.pix_code}}{{/invoices}}{{/invoice.pix_code}}"
                                "{{#invoices}}{{company.cnpj}}{{/invoices}}{{^portal_url}}{{company.name}}{{/portal_url}}",
                                RG_TEMPLATE_TEXT);
    size_t n;
    const rg_template_ref *r = rg_template_refs(t, &n);
    assert_int_equal(n, 10);
    assert_int_equal(r[0].var, RG_V_PORTAL_URL);
    assert_int_equal(r[0].kind, RG_REF_OUTPUT);
    assert_int_equal(r[0].line, 1);
    assert_int_equal(r[0].col, 1);
    assert_false(r[0].guarded);
    assert_false(r[0].conditional);
    assert_int_equal(r[1].kind, RG_REF_SECTION);
    assert_int_equal(r[2].var, RG_V_PORTAL_URL); /* inside its own guard */
    assert_int_equal(r[2].line, 2);
    assert_int_equal(r[2].col, 16);
    assert_true(r[2].guarded);
    assert_true(r[2].conditional);
    /* the guard on the first invoice does not cover the loop's items */
    assert_int_equal(r[5].var, RG_V_INVOICE_PIX_CODE);
    assert_false(r[5].guarded);
    /* inside {{#invoices}} only: unconditional */
    assert_int_equal(r[7].var, RG_V_COMPANY_CNPJ);
    assert_false(r[7].conditional);
    assert_int_equal(r[8].kind, RG_REF_INVERTED);
    assert_int_equal(r[9].var, RG_V_COMPANY_NAME);
    assert_true(r[9].conditional);
    assert_true(rg_template_outputs(t, RG_V_COMPANY_CNPJ, true));
    assert_false(rg_template_outputs(t, RG_V_COMPANY_NAME, true));
    assert_true(rg_template_outputs(t, RG_V_COMPANY_NAME, false));
    assert_false(rg_template_outputs(t, RG_V_INVOICES, false));
    rg_template_free(t);

    t = compile_ok("Olá, {{customer.first_name}}! Acme{{#portal_url}} Beta{{/portal_url}}", RG_TEMPLATE_HTML);
    assert_int_equal(rg_template_kind_of(t), RG_TEMPLATE_HTML);
    assert_int_equal(rg_template_static_chars(t), 16); /* "Olá, " "! Acme" " Beta" */
    assert_true(rg_template_text_contains(t, "acme", true));
    assert_false(rg_template_text_contains(t, "beta", true));
    assert_true(rg_template_text_contains(t, "beta", false));
    assert_false(rg_template_text_contains(t, "", false));
    size_t len;
    assert_string_equal(rg_template_source(t, &len), "Olá, {{customer.first_name}}! Acme{{#portal_url}} Beta{{/portal_url}}");
    assert_int_equal(len, strlen("Olá, {{customer.first_name}}! Acme{{#portal_url}} Beta{{/portal_url}}"));
    rg_template_free(t);
    t = compile_ok("{{! only a comment }}", RG_TEMPLATE_TEXT);
    assert_int_equal(rg_template_node_count(t), 0);
    rg_template_free(t);
    rg_template_free(NULL);
}

/* ---- variables ----------------------------------------------------------------- */

static void first_name(const char *in, const char *want)
{
    rg_buf b = RG_BUF_INIT;
    rg_render_first_name(in, &b);
    assert_string_equal(rg_buf_cstr(&b), want);
    rg_buf_free(&b);
}

static void document(const char *in, const char *want)
{
    rg_buf b = RG_BUF_INIT;
    rg_render_document(in, &b);
    assert_string_equal(rg_buf_cstr(&b), want);
    rg_buf_free(&b);
}

static void phone(const char *in, const char *want)
{
    rg_buf b = RG_BUF_INIT;
    rg_render_phone(in, &b);
    assert_string_equal(rg_buf_cstr(&b), want);
    rg_buf_free(&b);
}

static void test_formatting(void **state)
{
    (void)state;
    first_name("MARIA DA SILVA", "Maria");
    first_name("maria da silva", "Maria");
    first_name("  joão  pedro", "João");
    first_name("ÂNGELA MARIA", "Ângela");
    first_name("ÉRICA", "Érica");
    first_name("ana-clara souza", "Ana-Clara");
    first_name("McDonald Jr", "McDonald"); /* mixed case is kept as written */
    first_name("Maria", "Maria");
    first_name("JOSÉ", "José");
    first_name("", "");
    first_name("   ", "");
    first_name(NULL, "");

    document("12345678909", "123.456.789-09");
    document("12345678000195", "12.345.678/0001-95");
    document("12ABC34501DE35", "12.ABC.345/01DE-35"); /* alphanumeric CNPJ, IN RFB 2.229/2024 */
    document("123.456.789-09", "123.456.789-09");      /* already formatted */
    document("1234", "1234");

    phone("+5511987654321", "(11) 98765-4321");
    phone("+551140001234", "(11) 4000-1234");
    phone("0800 123 4567", "0800 123 4567");
    phone("+14155550100", "+14155550100");

    rg_render_vars v;
    rg_render_vars_init(&v);
    rg_render_invoice inv[2];
    rg_render_invoice_init(&inv[0]);
    rg_render_invoice_init(&inv[1]);
    inv[0].amount = 0;
    inv[0].updated_amount = -50;
    inv[0].due_date = rg_date_from_ymd(2027, 1, 2);
    inv[0].days_late = 0;
    inv[1].amount = 100000000;
    inv[1].updated_amount = RG_RENDER_NO_MONEY;
    v.invoices = inv;
    v.n_invoices = 2;
    rg_buf b = RG_BUF_INIT;
    assert_true(rg_var_format(&v, NULL, RG_V_INVOICE_AMOUNT, &b));
    assert_string_equal(rg_buf_cstr(&b), "R$ 0,00");
    assert_false(rg_var_truthy(&v, NULL, RG_V_INVOICE_AMOUNT)); /* present, but R$ 0,00 is false */
    rg_buf_reset(&b);
    assert_true(rg_var_format(&v, NULL, RG_V_INVOICE_UPDATED_AMOUNT, &b));
    assert_string_equal(rg_buf_cstr(&b), "-R$ 0,50");
    rg_buf_reset(&b);
    assert_true(rg_var_format(&v, NULL, RG_V_INVOICE_ORIGINAL_DUE_DATE, &b)); /* falls back to the due date */
    assert_string_equal(rg_buf_cstr(&b), "02/01/2027");
    rg_buf_reset(&b);
    assert_true(rg_var_format(&v, &inv[1], RG_V_INVOICE_AMOUNT, &b));
    assert_string_equal(rg_buf_cstr(&b), "R$ 1.000.000,00");
    rg_buf_reset(&b);
    assert_true(rg_var_format(&v, NULL, RG_V_TOTALS_AMOUNT, &b));
    assert_string_equal(rg_buf_cstr(&b), "R$ 1.000.000,00");
    rg_buf_reset(&b);
    assert_false(rg_var_format(&v, NULL, RG_V_TOTALS_UPDATED_AMOUNT, &b)); /* one item has none */
    assert_false(rg_var_format(&v, &inv[1], RG_V_INVOICE_DUE_DATE, &b));
    assert_false(rg_var_format(&v, &inv[1], RG_V_INVOICE_DAYS_LATE, &b));
    assert_false(rg_var_format(&v, NULL, RG_V_INVOICES, &b)); /* a list has no text */
    assert_false(rg_var_format(&v, NULL, RG_V_OFFER_AMOUNT, &b));
    assert_false(rg_var_format(&v, NULL, RG_V_CUSTOMER_FIRST_NAME, &b));
    assert_int_equal(b.len, 0);
    assert_true(rg_var_format(&v, NULL, RG_V_TOTALS_INVOICE_COUNT, &b));
    assert_string_equal(rg_buf_cstr(&b), "2");
    assert_true(rg_var_truthy(&v, NULL, RG_V_INVOICES));
    assert_false(rg_var_truthy(&v, NULL, RG_V_INVOICE_DAYS_LATE));
    /* overflowing sum: no value rather than a wrong total */
    inv[0].amount = INT64_MAX;
    rg_buf_reset(&b);
    assert_false(rg_var_format(&v, NULL, RG_V_TOTALS_AMOUNT, &b));
    /* no invoices */
    v.n_invoices = 0;
    assert_false(rg_var_format(&v, NULL, RG_V_TOTALS_AMOUNT, &b));
    assert_false(rg_var_truthy(&v, NULL, RG_V_INVOICES));
    assert_true(rg_var_format(&v, NULL, RG_V_TOTALS_INVOICE_COUNT, &b));
    assert_string_equal(rg_buf_cstr(&b), "0");
    rg_buf_free(&b);
}

static void test_var_table(void **state)
{
    (void)state;
    size_t n;
    const rg_var_info *t = rg_var_table(&n);
    assert_int_equal(n, RG_V__COUNT);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(t[i].id, (rg_var_id)i);
        assert_ptr_equal(rg_var_info_of(t[i].id), &t[i]);
        assert_ptr_equal(rg_var_find(t[i].name, strlen(t[i].name)), &t[i]);
        assert_true(strlen(t[i].description) > 10);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(t[i].name, t[j].name);
        /* every variable of the table has a value in the sample */
        if (t[i].type != RG_VAR_LIST) {
            rg_buf b = RG_BUF_INIT;
            assert_true(rg_var_format(rg_render_vars_sample(), NULL, t[i].id, &b));
            rg_buf_free(&b);
        }
    }
    assert_null(rg_var_find("invoice", 7));
    assert_null(rg_var_info_of(RG_V__COUNT));
    assert_string_equal(rg_var_type_name(RG_VAR_MONEY), "money");
    assert_string_equal(rg_var_type_name(RG_VAR_LIST), "list");
    assert_string_equal(rg_var_need_name(RG_VAR_MAY), "may be empty");
    assert_string_equal(rg_var_need_name(RG_VAR_CONFIG), "configuration");
    /* the PRODUCT.md §3 names */
    const char *product[] = {"customer.first_name", "invoice.amount", "invoice.due_date", "invoice.days_late",
                             "invoice.updated_amount", "invoice.linha_digitavel", "invoice.pix_code", "portal_url",
                             "company.name", "company.cnpj", "invoices"};
    for (size_t i = 0; i < sizeof product / sizeof product[0]; i++)
        assert_non_null(rg_var_find(product[i], strlen(product[i])));

    /* after init, nothing has a value (but the count of no invoices is 0) */
    rg_render_vars v;
    rg_render_vars_init(&v);
    for (size_t i = 0; i < n; i++) {
        rg_buf b = RG_BUF_INIT;
        assert_int_equal(rg_var_format(&v, NULL, t[i].id, &b), t[i].id == RG_V_TOTALS_INVOICE_COUNT);
        rg_buf_free(&b);
    }
}

/* docs/internals/templates.md holds exactly the generated table. */
static void test_doc_lists_every_variable(void **state)
{
    (void)state;
    const char *root = getenv("REGUA_ROOT");
    char path[512];
    snprintf(path, sizeof path, "%s/docs/internals/templates.md", root ? root : ".");
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    rg_buf doc = RG_BUF_INIT;
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        rg_buf_append(&doc, chunk, got);
    fclose(f);
    const char *begin = strstr(rg_buf_cstr(&doc), "<!-- vars:begin -->\n");
    const char *end = strstr(rg_buf_cstr(&doc), "<!-- vars:end -->");
    assert_non_null(begin);
    assert_non_null(end);
    begin += strlen("<!-- vars:begin -->\n");
    rg_buf want = RG_BUF_INIT;
    rg_var_doc_table(&want);
    if (end < begin || (size_t)(end - begin) != want.len || memcmp(begin, want.p, want.len) != 0)
        fprintf(stderr, "docs/internals/templates.md: the variable table should read:\n%s", rg_buf_cstr(&want));
    assert_true(end >= begin);
    assert_int_equal((size_t)(end - begin), want.len);
    assert_memory_equal(begin, want.p, want.len);
    rg_buf_free(&want);
    rg_buf_free(&doc);
}

/* ---- sms ---------------------------------------------------------------------------- */

static void sms(const char *text, bool gsm7, size_t units, size_t segments)
{
    rg_sms_info si;
    rg_sms_measure(text, strlen(text), &si);
    assert_int_equal(si.gsm7, gsm7);
    assert_int_equal(si.units, units);
    assert_int_equal(si.segments, segments);
}

static void test_sms_measure(void **state)
{
    (void)state;
    /* GSM 03.38 default alphabet and extension table (3GPP TS 23.038 §6.2.1) */
    sms("", true, 0, 0);
    sms("Ola, Maria! R$ 1.234,56 @ 10/12", true, 31, 1);
    sms("é è à ü Ç Ñ £ ¥ § ¿ ¡ Δ", true, 23, 1);
    sms("{x}", true, 5, 1);  /* braces are escape + char */
    sms("€5", true, 3, 1);
    sms("Olá", false, 3, 1); /* á is not GSM-7: the whole text goes UCS-2 */
    sms("Não", false, 3, 1);
    sms("a`b", false, 3, 1); /* nor is the backtick */
    sms("\xF0\x9F\x98\x80", false, 2, 1); /* outside the BMP: a surrogate pair */
    sms("\xC3", false, 1, 1);               /* malformed UTF-8 counts as one replacement char */
    rg_buf b = RG_BUF_INIT;
    for (int i = 0; i < 160; i++)
        rg_buf_putc(&b, 'a');
    sms(rg_buf_cstr(&b), true, 160, 1);
    rg_buf_putc(&b, 'a');
    sms(rg_buf_cstr(&b), true, 161, 2); /* concatenated: 153 per part */
    rg_buf_reset(&b);
    for (int i = 0; i < 306; i++)
        rg_buf_putc(&b, 'a');
    sms(rg_buf_cstr(&b), true, 306, 2);
    rg_buf_putc(&b, 'a');
    sms(rg_buf_cstr(&b), true, 307, 3);
    rg_buf_reset(&b);
    for (int i = 0; i < 70; i++)
        rg_buf_puts(&b, "ã");
    sms(rg_buf_cstr(&b), false, 70, 1);
    rg_buf_puts(&b, "ã");
    sms(rg_buf_cstr(&b), false, 71, 2); /* 67 per part */
    rg_buf_free(&b);
}

/* ---- files ---------------------------------------------------------------------- */

static rg_template_set *set_of(const char *files[][2], size_t n)
{
    rg_template_set *s = NULL;
    rg_err e;
    assert_int_equal(rg_template_set_new(&s, &e), RG_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(rg_template_set_add(s, files[i][0], files[i][1], strlen(files[i][1]), &e), RG_OK);
    return s;
}

/* Lint as an installation whose regua.yaml sets the creditor's `name` and
 * `cnpj` (NULL: the sample's, Acme Telecom Ltda) and the sample's address,
 * phone, e-mail and contact; every sender fills offer.* and promise.*. */
static void lint(const rg_template_set *s, const char *name, const char *cnpj, rg_template_diags *d)
{
    rg_render_vars company;
    rg_render_vars_init(&company);
    company.company = rg_render_vars_sample()->company;
    if (name)
        company.company.name = name;
    if (cnpj)
        company.company.cnpj = cnpj;
    rg_template_use use = {&company, true, true};
    rg_err e;
    assert_int_equal(rg_template_set_lint(s, &use, d, &e), RG_OK);
}

static void expect_diag(const rg_template_diags *d, size_t i, rg_diag_level level, const char *text)
{
    char buf[1024];
    assert_true(i < d->n);
    assert_int_equal(d->v[i].level, level);
    assert_string_equal(rg_template_diag_text(&d->v[i], buf, sizeof buf), text);
}

#define FOOTER "\n{{company.name}} CNPJ {{company.cnpj}}"

static void test_email_file(void **state)
{
    (void)state;
    const char *files[][2] = {
        {"atraso.email", "\xEF\xBB\xBFSubject:  Fatura {{invoice.external_id}} de {{customer.first_name}}  \r\n"
                         "\r\n"
                         "Olá, {{customer.first_name}}!\r\n"
                         "Valor: {{invoice.updated_amount}}" FOOTER "\r\n{{#company.address}}{{company.address}}"
                         "{{/company.address}}\r\n\r\n\r\n"},
        {"atraso.email.html", "<p>Olá, {{customer.first_name}} &amp; {{#invoice.description}}{{invoice.description}}"
                              "{{/invoice.description}}</p>\n"
                              "<p>{{company.name}} CNPJ {{company.cnpj}}</p>\n"},
    };
    rg_template_set *s = set_of(files, 2);
    assert_int_equal(rg_template_set_count(s), 1);
    assert_true(rg_template_set_exists(s, "atraso", "email"));
    assert_false(rg_template_set_exists(s, "atraso", "sms"));
    const rg_message_template *mt = rg_template_set_get(s, "atraso", "email");
    assert_non_null(mt);
    assert_ptr_equal(rg_template_set_at(s, 0), mt);
    assert_null(rg_template_set_at(s, 1));
    assert_string_equal(rg_message_template_name(mt), "atraso");
    assert_string_equal(rg_message_template_channel(mt), "email");
    assert_non_null(rg_message_template_subject(mt));
    assert_non_null(rg_message_template_body(mt));
    assert_non_null(rg_message_template_html(mt));
    assert_null(rg_message_template_wa_name(mt));
    assert_null(rg_message_template_wa_lang(mt));
    assert_true(rg_message_template_identifies_creditor(mt, NULL, NULL));

    rg_rendered r;
    rg_err e;
    assert_int_equal(rg_message_render(mt, rg_render_vars_sample(), &r, &e), RG_OK);
    assert_string_equal(r.subject, "Fatura NF-2026-0042 de Maria");
    assert_string_equal(r.text, "Olá, Maria!\nValor: R$ 1.260,48\nAcme Telecom Ltda CNPJ 12.345.678/0001-95\n"
                                "Rua das Flores, 100, Centro, São Paulo/SP, 01001-000");
    assert_string_equal(r.html, "<p>Olá, Maria &amp; Mensalidade dezembro/2026</p>\n"
                                "<p>Acme Telecom Ltda CNPJ 12.345.678/0001-95</p>");
    assert_null(r.wa_template);
    assert_null(r.params);
    rg_rendered_free(&r);
    assert_null(r.text);
    rg_rendered_free(NULL);

    /* a value with a line break cannot break the Subject header */
    rg_render_invoice inv = rg_render_vars_sample()->invoices[0];
    inv.external_id = "A\r\nBcc: x@example.com";
    rg_render_vars v = *rg_render_vars_sample();
    v.invoices = &inv;
    v.n_invoices = 1;
    assert_int_equal(rg_message_render(mt, &v, &r, &e), RG_OK);
    assert_string_equal(r.subject, "Fatura A Bcc: x@example.com de Maria");
    rg_rendered_free(&r);

    /* missing value: an error naming it, with its line in the file */
    inv.external_id = NULL;
    memset(&r, 0x5a, sizeof r);
    assert_int_equal(rg_message_render(mt, &v, &r, &e), RG_EINVAL);
    assert_null(r.subject);
    assert_null(r.text);
    assert_string_equal(e.where, "atraso.email:1:18");
    assert_string_equal(e.msg, "variable invoice.external_id has no value (it is always required)");

    rg_template_diags d = {0};
    lint(s, NULL, NULL, &d);
    assert_int_equal(d.n, 0);
    rg_template_diags_free(&d);
    rg_template_set_free(s);
}

static void test_email_errors(void **state)
{
    (void)state;
    const char *files[][2] = {
        {"a.email", "Olá\n\ncorpo" FOOTER},
        {"b.email", "Subject:   \ncorpo" FOOTER},
        {"c.email", "Subject: Oi {{customer.nome}}\n\nLinha 3\n{{#invoices}}\n" FOOTER},
        {"d.email", "Subject: só assunto\n\n"},
        {"e.email.html", "<p>{{company.name}} {{company.cnpj}}</p>"},
        {"f.email", "subject: ok {{customer.first_name}}\ntexto sem linha em branco" FOOTER},
    };
    rg_template_set *s = set_of(files, 6);
    rg_template_diags d = {0};
    lint(s, NULL, NULL, &d);
    if (d.n != 7) {
        char buf[1024];
        for (size_t i = 0; i < d.n; i++)
            fprintf(stderr, "%s\n", rg_template_diag_text(&d.v[i], buf, sizeof buf));
    }
    assert_int_equal(d.n, 7);
    assert_int_equal(rg_template_diags_errors(&d), 6);
    expect_diag(&d, 0, RG_DIAG_ERROR,
                "a.email:1:1: error: template-no-subject: the first line of an e-mail template must be "
                "'Subject: ...', found 'Olá'");
    expect_diag(&d, 1, RG_DIAG_ERROR,
                "b.email:1:12: error: template-no-subject: empty subject: expected text after 'Subject:'");
    expect_diag(&d, 2, RG_DIAG_ERROR,
                "c.email:1:15: error: template-unknown-variable: unknown variable 'customer.nome' "
                "(did you mean 'customer.name'?); see docs/internals/templates.md for the list");
    expect_diag(&d, 3, RG_DIAG_ERROR,
                "c.email:4:1: error: template-syntax: unclosed section '{{#invoices}}': expected "
                "'{{/invoices}}' before the end of the template");
    expect_diag(&d, 4, RG_DIAG_ERROR, "d.email: error: template-empty: no body after the Subject line");
    expect_diag(&d, 5, RG_DIAG_ERROR,
                "e.email.html: error: template-html-without-text: e.email.html needs e.email, which holds the "
                "subject and the plain-text body");
    expect_diag(&d, 6, RG_DIAG_WARNING,
                "f.email: warning: template-no-creditor-address: CDC art. 42-A also asks for the creditor's "
                "address in collection documents: add {{#company.address}}{{company.address}}{{/company.address}}");
    rg_template_diags_free(&d);

    /* present but broken: exists, not usable, and find says why */
    assert_true(rg_template_set_exists(s, "a", "email"));
    assert_null(rg_template_set_get(s, "a", "email"));
    const rg_message_template *mt = (const rg_message_template *)1;
    rg_err e;
    assert_int_equal(rg_template_set_find(s, "a", "email", &mt, &e), RG_EINVAL);
    assert_null(mt);
    assert_string_equal(e.where, "a.email");
    assert_string_equal(e.msg, "template a.email has errors (`regua cadence lint` on a cadence that uses it shows them)");
    assert_int_equal(rg_template_set_find(s, "zzz", "sms", &mt, &e), RG_ENOTFOUND);
    assert_string_equal(e.msg, "no template zzz.sms in the templates directory");
    assert_true(rg_template_set_exists(s, "e", "email"));
    assert_int_equal(rg_template_set_find(s, "e", "email", &mt, &e), RG_ENOTFOUND);
    assert_string_equal(e.msg, "no template e.email (there is e.email.html, but the subject and text body live "
                               "in e.email)");
    assert_int_equal(rg_template_set_find(s, "f", "email", &mt, &e), RG_OK);
    assert_non_null(mt);
    /* a broken template does not render */
    rg_rendered r;
    assert_int_equal(rg_message_render(rg_template_set_at(s, 0), rg_render_vars_sample(), &r, &e), RG_EINVAL);
    assert_string_equal(e.msg, "template a.email has errors (`regua cadence lint` on a cadence that uses it shows them)");
    assert_false(rg_template_set_identifies_creditor(s, "a", "email", NULL, NULL));
    rg_template_set_free(s);
}

static void test_whatsapp_file(void **state)
{
    (void)state;
    const char *files[][2] = {
        {"aprovado.whatsapp", "Template: cobranca_atraso\n"
                              "{{! corpo aprovado: Olá [1], a Acme (CNPJ [2]) ... }}\n"
                              "{{customer.first_name}}\n"
                              "\n"
                              "  {{company.cnpj}}  \n"
                              "{{#invoices}}{{#invoice.description}}{{invoice.description}}; {{/invoice.description}}"
                              "{{/invoices}}\n"},
        {"en.whatsapp", "Template: reminder_v2 en_US\n{{company.name}}\n{{company.cnpj}}"},
        {"livre.whatsapp", "Olá, {{customer.first_name}}!\n{{company.name}} – CNPJ {{company.cnpj}}"},
    };
    rg_template_set *s = set_of(files, 3);
    const rg_message_template *mt = rg_template_set_get(s, "aprovado", "whatsapp");
    assert_non_null(mt);
    assert_string_equal(rg_message_template_wa_name(mt), "cobranca_atraso");
    assert_string_equal(rg_message_template_wa_lang(mt), "pt_BR");
    assert_int_equal(rg_message_template_wa_param_count(mt), 3);
    assert_null(rg_message_template_body(mt));
    assert_non_null(rg_message_template_wa_param(mt, 2));
    assert_null(rg_message_template_wa_param(mt, 3));
    /* the name is only in the comment quoting the approved body: it counts when configured */
    assert_false(rg_message_template_identifies_creditor(mt, NULL, NULL));
    assert_true(rg_message_template_identifies_creditor(mt, "ACME", NULL));

    rg_render_invoice inv[2] = {rg_render_vars_sample()->invoices[0], rg_render_vars_sample()->invoices[1]};
    inv[1].description = "Taxa\tde\n\ninstalação    extra";
    rg_render_vars v = *rg_render_vars_sample();
    v.invoices = inv;
    v.n_invoices = 2;
    rg_rendered r;
    rg_err e;
    assert_int_equal(rg_message_render(mt, &v, &r, &e), RG_OK);
    assert_string_equal(r.wa_template, "cobranca_atraso");
    assert_string_equal(r.wa_lang, "pt_BR");
    assert_int_equal(r.n_params, 3);
    assert_string_equal(r.params[0], "Maria");
    assert_string_equal(r.params[1], "12.345.678/0001-95");
    assert_string_equal(r.params[2], "Mensalidade dezembro/2026; Taxa de instalação extra;");
    assert_string_equal(r.text, "Maria\n12.345.678/0001-95\nMensalidade dezembro/2026; Taxa de instalação extra;");
    assert_null(r.subject);
    rg_rendered_free(&r);

    /* a parameter that renders blank is an error, never an empty parameter */
    const char *blank[][2] = {{"x.whatsapp", "Template: x\n{{company.name}} {{company.cnpj}}\n"
                                             "{{#portal_url}}{{portal_url}}{{/portal_url}}"}};
    rg_template_set *s2 = set_of(blank, 1);
    v.portal_url = NULL;
    assert_int_equal(rg_message_render(rg_template_set_get(s2, "x", "whatsapp"), &v, &r, &e), RG_EINVAL);
    assert_string_equal(e.where, "x.whatsapp");
    assert_string_equal(e.msg, "the parameter 2 renders blank; a message is never sent empty");
    rg_template_set_free(s2);

    mt = rg_template_set_get(s, "en", "whatsapp");
    assert_string_equal(rg_message_template_wa_lang(mt), "en_US");
    assert_true(rg_message_template_identifies_creditor(mt, NULL, NULL));
    mt = rg_template_set_get(s, "livre", "whatsapp");
    assert_null(rg_message_template_wa_name(mt));
    assert_int_equal(rg_message_render(mt, rg_render_vars_sample(), &r, &e), RG_OK);
    assert_string_equal(r.text, "Olá, Maria!\nAcme Telecom Ltda – CNPJ 12.345.678/0001-95");
    assert_null(r.wa_template);
    rg_rendered_free(&r);

    rg_template_diags d = {0};
    lint(s, "Acme", NULL, &d);
    assert_int_equal(d.n, 0);
    lint(s, NULL, NULL, &d);
    assert_int_equal(d.n, 1);
    expect_diag(&d, 0, RG_DIAG_ERROR,
                "aprovado.whatsapp: error: template-no-creditor: does not identify the creditor: every collection "
                "message names it and its CNPJ (CDC art. 42-A); use {{company.name}} and {{company.cnpj}} outside "
                "optional sections");
    rg_template_diags_free(&d);
    rg_template_set_free(s);

    const char *bad[][2] = {
        {"a.whatsapp", "Template:\nx"},
        {"b.whatsapp", "Template: Cobranca-Atraso pt_BR"},
        {"c.whatsapp", "Template: cobranca pt-br"},
        {"d.whatsapp", "Template: cobranca pt_BR extra"},
        {"e.whatsapp", "Template: cobranca\n{{company.name}}\n{{#invoices}}\n{{/invoices}}"},
    };
    s = set_of(bad, 5);
    lint(s, NULL, NULL, &d);
    assert_int_equal(d.n, 6);
    expect_diag(&d, 0, RG_DIAG_ERROR,
                "a.whatsapp:1:10: error: template-whatsapp: expected the approved template's name after 'Template:'");
    expect_diag(&d, 1, RG_DIAG_ERROR,
                "b.whatsapp:1:11: error: template-whatsapp: bad approved template name 'Cobranca-Atraso': expected "
                "lowercase letters, digits and '_'");
    expect_diag(&d, 2, RG_DIAG_ERROR,
                "c.whatsapp:1:20: error: template-whatsapp: bad language 'pt-br': expected a code like pt_BR or en_US");
    expect_diag(&d, 3, RG_DIAG_ERROR,
                "d.whatsapp:1:26: error: template-whatsapp: unexpected 'extra': expected 'Template: APPROVED_NAME "
                "[LANG]'");
    /* each parameter line is a template of its own: sections cannot span lines */
    expect_diag(&d, 4, RG_DIAG_ERROR,
                "e.whatsapp:3:1: error: template-syntax: unclosed section '{{#invoices}}': expected '{{/invoices}}' "
                "before the end of the template");
    expect_diag(&d, 5, RG_DIAG_ERROR,
                "e.whatsapp:4:1: error: template-syntax: '{{/invoices}}' closes nothing: no section is open");
    rg_template_diags_free(&d);
    rg_template_set_free(s);
}

static void test_file_names_and_encoding(void **state)
{
    (void)state;
    const char *files[][2] = {
        {".hidden.email", "x"},
        {"atraso.email~", "x"},
        {"Atraso.sms", "x"},
        {"atraso", "x"},
        {"atraso.telegram", "x"},
        {"x.sms", "ok\n{{company.name}} caf\xC3\n"},
        {"y.sms", "a\0b"},
        {"z.letter", "\n\n  \n"},
        {"w.voice", "Olá {{company.name}} {{company.cnpj}}"},
        {"w.voice", "again"},
    };
    rg_template_set *s = NULL;
    rg_err e;
    assert_int_equal(rg_template_set_new(&s, &e), RG_OK);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t len = strcmp(files[i][0], "y.sms") == 0 ? 3 : strlen(files[i][1]);
        assert_int_equal(rg_template_set_add(s, files[i][0], files[i][1], len, &e), RG_OK);
    }
    rg_template_diags d = {0};
    lint(s, NULL, NULL, &d);
    assert_int_equal(d.n, 7);
    expect_diag(&d, 0, RG_DIAG_ERROR,
                "Atraso.sms: error: template-file-name: ignored: a template file is NAME.CHANNEL with NAME made of "
                "a-z, 0-9, '_' and '-' (at most 64)");
    expect_diag(&d, 1, RG_DIAG_ERROR,
                "atraso: error: template-file-name: ignored: a template file is NAME.CHANNEL with NAME made of "
                "a-z, 0-9, '_' and '-' (at most 64)");
    expect_diag(&d, 2, RG_DIAG_ERROR,
                "atraso.telegram: error: template-unknown-channel: unknown channel 'telegram': expected email, "
                "email.html, whatsapp, sms, voice, letter, task or log");
    expect_diag(&d, 3, RG_DIAG_ERROR, "w.voice: error: template-file-name: added twice; the first one is kept");
    expect_diag(&d, 4, RG_DIAG_ERROR,
                "x.sms:2:21: error: template-encoding: invalid UTF-8 byte 0xC3: template files are UTF-8 text");
    expect_diag(&d, 5, RG_DIAG_ERROR, "y.sms:1:2: error: template-encoding: NUL byte 0x00: template files are UTF-8 text");
    expect_diag(&d, 6, RG_DIAG_ERROR, "z.letter: error: template-empty: the file is empty");
    rg_template_diags_free(&d);
    assert_false(rg_template_set_exists(s, "atraso", "email"));
    assert_false(rg_template_set_exists(s, "atraso", "telegram"));
    assert_true(rg_template_set_exists(s, "z", "letter"));
    assert_null(rg_template_set_get(s, "z", "letter"));
    assert_non_null(rg_template_set_get(s, "w", "voice"));
    assert_true(rg_template_channel_known("task"));
    assert_false(rg_template_channel_known("email.html"));

    /* too large */
    size_t big = RG_TEMPLATE_FILE_MAX + 1;
    char *text = malloc(big);
    assert_non_null(text);
    memset(text, 'a', big);
    assert_int_equal(rg_template_set_add(s, "big.sms", text, big, &e), RG_OK);
    free(text);
    lint(s, NULL, NULL, &d);
    assert_int_equal(d.n, 8);
    expect_diag(&d, 3, RG_DIAG_ERROR, "big.sms: error: template-too-large: the file has 262145 bytes; a template "
                                      "file may have at most 262144 (256 KiB)");
    rg_template_diags_free(&d);
    /* a file too large exists — it is broken, with the limit named — not missing */
    assert_true(rg_template_set_exists(s, "big", "sms"));
    assert_null(rg_template_set_get(s, "big", "sms"));
    assert_int_equal(rg_template_set_check(s, "big", "sms", NULL, &d, &e), RG_OK);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.v[0].rule, RG_RULE_TEMPLATE_TOO_LARGE);
    assert_non_null(strstr(d.v[0].msg, "a template file may have at most 262144 (256 KiB)"));
    rg_template_diags_free(&d);
    rg_template_set_free(s);
    rg_template_set_free(NULL);
}

static void test_lint_rules(void **state)
{
    (void)state;
    const char *files[][2] = {
        /* creditor only inside an optional section: not enough */
        {"a.sms", "Oi {{customer.first_name}}{{#portal_url}} {{company.name}} {{company.cnpj}}{{/portal_url}}"},
        /* literal creditor, accepted when it is the configured one */
        {"b.sms", "ACME TELECOM LTDA, CNPJ 12.345.678/0001-95: pague {{totals.amount}}"},
        /* optional variables used without a guard */
        {"c.whatsapp", "{{company.name}} {{company.cnpj}}\n"
                       "PIX: {{invoice.pix_code}}\n{{#invoices}}{{invoice.boleto_url}}{{/invoices}}\n"
                       "{{#invoice.linha_digitavel}}{{invoice.linha_digitavel}}{{/invoice.linha_digitavel}}"},
        /* too long for one SMS with the sample data */
        {"d.sms", "{{company.name}} CNPJ {{company.cnpj}}: Olá, {{customer.first_name}}! "
                  "{{#invoices}}{{invoice.description}} {{invoice.updated_amount}}; {{/invoices}}"},
        /* renders blank */
        {"e.log", "{{company.name}}{{company.cnpj}}{{#offer.amount}}{{/offer.amount}}"},
        {"f.log", "{{^invoices}}{{company.name}} {{company.cnpj}}{{/invoices}}"},
    };
    rg_template_set *s = set_of(files, 6);
    rg_template_diags d = {0};
    lint(s, "Outra Empresa S.A.", "11222333000181", &d);
    assert_int_equal(d.n, 8);
    const char *no_creditor = "does not identify the creditor: every collection message names it and its CNPJ "
                              "(CDC art. 42-A); use {{company.name}} and {{company.cnpj}} outside optional sections";
    char want[1024];
    snprintf(want, sizeof want, "a.sms: error: template-no-creditor: %s", no_creditor);
    expect_diag(&d, 0, RG_DIAG_ERROR, want);
    snprintf(want, sizeof want, "b.sms: error: template-no-creditor: %s", no_creditor);
    expect_diag(&d, 1, RG_DIAG_ERROR, want);
    expect_diag(&d, 2, RG_DIAG_ERROR,
                "c.whatsapp:2:6: error: template-may-be-empty: {{invoice.pix_code}} may be empty when a message is "
                "sent; then the message is suppressed, never sent: put it inside "
                "{{#invoice.pix_code}}...{{/invoice.pix_code}}");
    expect_diag(&d, 3, RG_DIAG_ERROR,
                "c.whatsapp:3:14: error: template-may-be-empty: {{invoice.boleto_url}} may be empty when a message "
                "is sent; then the message is suppressed, never sent: put it inside "
                "{{#invoice.boleto_url}}...{{/invoice.boleto_url}}");
    /* "Outra Empresa S.A. CNPJ 11.222.333/0001-81: Olá, Maria! " (56) + "Mensalidade dezembro/2026
     * R$ 1.260,48; " (39) + "Taxa de instalação R$ 91,79; " (29) + "Serviço adicional <Wi-Fi> &
     * suporte R$ 45,00; " (46) = 170, UCS-2 because of the accents: 3 parts of 67 */
    expect_diag(&d, 4, RG_DIAG_WARNING,
                "d.sms: warning: template-sms-length: renders to 170 UCS-2 characters with the sample data, 3 SMS "
                "parts (one holds 70); its fixed text alone is 18 characters (accents such as a-tilde or "
                "c-cedilla force UCS-2)");
    expect_diag(&d, 5, RG_DIAG_ERROR,
                "d.sms:1:84: error: template-may-be-empty: {{invoice.description}} may be empty when a message is "
                "sent; then the message is suppressed, never sent: put it inside "
                "{{#invoice.description}}...{{/invoice.description}}");
    snprintf(want, sizeof want, "f.log: error: template-no-creditor: %s", no_creditor);
    expect_diag(&d, 6, RG_DIAG_ERROR, want);
    expect_diag(&d, 7, RG_DIAG_ERROR,
                "f.log: error: template-render: does not render with the sample data: f.log: the body renders "
                "blank; a message is never sent empty");
    rg_template_diags_free(&d);

    /* with the configured creditor, b.sms is fine (bare CNPJ matches the formatted text) */
    lint(s, "Acme Telecom Ltda", "12345678000195", &d);
    assert_int_equal(d.n, 7);
    assert_string_equal(d.v[0].file, "a.sms");
    assert_string_equal(d.v[1].file, "c.whatsapp");
    rg_template_diags_free(&d);
    assert_true(rg_template_set_identifies_creditor(s, "b", "sms", "acme telecom", "12.345.678/0001-95"));
    assert_false(rg_template_set_identifies_creditor(s, "b", "sms", "acme telecom", "99999999000199"));
    assert_false(rg_template_set_identifies_creditor(s, "a", "sms", NULL, NULL));
    assert_false(rg_template_set_identifies_creditor(s, "nope", "sms", NULL, NULL));
    rg_template_set_free(s);
}

static void test_load_directory(void **state)
{
    (void)state;
    rg_template_set *s = (rg_template_set *)1;
    rg_err e;
    assert_int_equal(rg_template_set_load(rg_test_path("no-such-dir"), &s, &e), RG_ENOTFOUND);
    assert_null(s);
    assert_string_equal(e.msg, "cannot open the templates directory: No such file or directory");

    char cmd[600];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/sub.email'", rg_test_path("tpl"));
    assert_int_equal(system(cmd), 0);
    rg_test_write("tpl/oi.sms", "{{company.name}} CNPJ {{company.cnpj}}: oi {{customer.first_name}}\n");
    rg_test_write("tpl/oi.email", "Subject: Oi\n\n{{company.name}} {{company.cnpj}} {{company.address}}\n");
    rg_test_write("tpl/.oi.sms.swp", "junk");
    assert_int_equal(rg_template_set_load(rg_test_path("tpl"), &s, &e), RG_OK);
    assert_int_equal(rg_template_set_count(s), 2);
    assert_string_equal(rg_message_template_channel(rg_template_set_at(s, 0)), "email");
    assert_string_equal(rg_message_template_channel(rg_template_set_at(s, 1)), "sms");
    rg_rendered r;
    assert_int_equal(rg_message_render(rg_template_set_get(s, "oi", "sms"), rg_render_vars_sample(), &r, &e), RG_OK);
    assert_string_equal(r.text, "Acme Telecom Ltda CNPJ 12.345.678/0001-95: oi Maria");
    rg_rendered_free(&r);
    rg_template_diags d = {0};
    /* every company.* the configuration sets: nothing to say */
    lint(s, NULL, NULL, &d);
    assert_int_equal(d.n, 0);
    /* a regua.yaml with no company.address: every e-mail would be
     * suppressed, and lint says so where the variable is */
    rg_render_vars company;
    rg_render_vars_init(&company);
    company.company.name = "Acme Telecom Ltda";
    company.company.cnpj = "12345678000195";
    rg_template_use use = {&company, false, false};
    assert_int_equal(rg_template_set_lint(s, &use, &d, &e), RG_OK);
    assert_int_equal(d.n, 1);
    expect_diag(&d, 0, RG_DIAG_ERROR,
                "oi.email:3:35: error: template-may-be-empty: {{company.address}} is empty: regua.yaml sets no "
                "`company.address`; then the message is suppressed, never sent: put it inside "
                "{{#company.address}}...{{/company.address}}, or set it in regua.yaml");
    rg_template_diags_free(&d);
    /* no company at all: the creditor's name and CNPJ are missing too */
    assert_int_equal(rg_template_set_lint(s, NULL, &d, &e), RG_OK);
    assert_int_equal(d.n, 5);
    assert_string_equal(d.v[0].rule, RG_RULE_TEMPLATE_MAY_BE_EMPTY);
    assert_string_equal(d.v[3].file, "oi.sms");
    assert_int_equal(d.v[3].col, 1);
    assert_non_null(strstr(d.v[3].msg, "{{company.name}} is empty: regua.yaml sets no `company.name`"));
    rg_template_diags_free(&d);
    /* one template alone */
    assert_int_equal(rg_template_set_check(s, "oi", "sms", &use, &d, &e), RG_OK);
    assert_int_equal(d.n, 0);
    assert_int_equal(rg_template_set_check(s, "oi", "whatsapp", &use, &d, &e), RG_ENOTFOUND);
    rg_template_set_free(s);
}

/* Every error of a template, in source order, with its position: the
 * compiler goes on after each one. */
static char errs_seen[16384];

static void collect_error(void *ctx, const rg_template_errpos *pos, const char *msg)
{
    (void)ctx;
    size_t n = strlen(errs_seen);
    snprintf(errs_seen + n, sizeof errs_seen - n, "%d:%d %s: %s\n", pos->line, pos->col, pos->rule, msg);
}

static void test_every_compile_error(void **state)
{
    (void)state;
    const char *src = "Olá {{customer.nmae}}!\n"                          /* unknown */
                      "{{#portal}}Portal: {{portal_url}}{{/portal}}\n"    /* unknown section, its close is fine */
                      "{{invoices}} e {{}}\n"                             /* a list as a value; empty tag */
                      "{{>parcial}} {{/portal_url}}\n"                    /* partial; closes nothing */
                      "{{#invoice.pix_code}}{{#portal_url}}x{{/invoice.pix_code}}\n" /* mismatched */
                      "{{company.name}} {{company.cnpj}} {{#invoices}}{{invoice.amount}}\n"; /* unclosed */
    rg_template_opts o = {RG_TEMPLATE_TEXT, "t", 0, 0, collect_error, NULL};
    rg_template *t = (rg_template *)1;
    rg_template_errpos pos;
    rg_err e;
    errs_seen[0] = '\0';
    assert_int_equal(rg_template_compile(src, strlen(src), &o, &t, &pos, &e), RG_EINVAL);
    assert_null(t);
    /* the first is also what e and pos say */
    assert_string_equal(e.where, "t:1:7");
    assert_int_equal(pos.line, 1);
    assert_string_equal(
        errs_seen,
        "1:7 template-unknown-variable: unknown variable 'customer.nmae' (did you mean 'customer.name'?); see "
        "docs/internals/templates.md for the list\n"
        "2:4 template-unknown-variable: unknown variable 'portal'; see docs/internals/templates.md for the list\n"
        "3:3 template-syntax: 'invoices' is a list: write {{#invoices}}...{{/...}} around what repeats for each "
        "item\n"
        "3:18 template-syntax: empty tag: expected a variable name before '}}'\n"
        "4:1 template-syntax: partials '{{>name}}' are not supported\n"
        "4:14 template-syntax: '{{/portal_url}}' closes nothing: no section is open\n"
        "5:38 template-syntax: mismatched '{{/invoice.pix_code}}': expected {{/portal_url}} to close the section "
        "opened at 5:22\n"
        "6:35 template-syntax: unclosed section '{{#invoices}}': expected '{{/invoices}}' before the end of the "
        "template\n");

    /* a file in a set keeps every one as a diagnostic */
    const char *files[][2] = {{"x.sms", src}};
    rg_template_set *s = set_of(files, 1);
    rg_template_diags d = {0};
    lint(s, NULL, NULL, &d);
    assert_int_equal(d.n, 8);
    char buf[600];
    assert_string_equal(rg_template_diag_text(&d.v[7], buf, sizeof buf),
                        "x.sms:6:35: error: template-syntax: unclosed section '{{#invoices}}': expected "
                        "'{{/invoices}}' before the end of the template");
    rg_template_diags_free(&d);
    rg_template_set_free(s);

    /* at most 50, then a last word */
    rg_buf many = RG_BUF_INIT;
    for (int i = 0; i < 60; i++)
        rg_buf_puts(&many, "{{nada}}\n");
    errs_seen[0] = '\0';
    assert_int_equal(rg_template_compile(many.p, many.len, &o, &t, &pos, &e), RG_EINVAL);
    size_t lines = 0;
    for (const char *p = errs_seen; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 51);
    assert_non_null(strstr(errs_seen, "0:0 template-syntax: too many errors; the rest of the template was not "
                                      "checked\n"));
    rg_buf_free(&many);
}

/* vars.def's NEED column, applied: what may be empty when a message goes. */
static void test_may_be_empty(void **state)
{
    (void)state;
    rg_render_vars co;
    rg_render_vars_init(&co);
    co.company.name = "Acme";
    co.company.address = "   "; /* blank is no value */
    rg_var_context email = {"email", &co, false, false};
    rg_var_context sms = {"sms", &co, false, false};
    rg_var_context wa = {"whatsapp", NULL, true, false};
    rg_var_context letter = {"letter", &co, false, true};
    assert_false(rg_var_may_be_empty(RG_V_INVOICE_AMOUNT, NULL));
    assert_false(rg_var_may_be_empty(RG_V_TOTALS_UPDATED_AMOUNT, &sms));
    assert_true(rg_var_may_be_empty(RG_V_INVOICE_LINHA_DIGITAVEL, &email));
    assert_true(rg_var_may_be_empty(RG_V_PORTAL_URL, &email));
    assert_true(rg_var_may_be_empty(RG_V_CUSTOMER_DOCUMENT, &letter));
    /* configuration: as set */
    assert_false(rg_var_may_be_empty(RG_V_COMPANY_NAME, &email));
    assert_true(rg_var_may_be_empty(RG_V_COMPANY_CNPJ, &email));
    assert_true(rg_var_may_be_empty(RG_V_COMPANY_ADDRESS, &email));
    assert_true(rg_var_may_be_empty(RG_V_COMPANY_NAME, &wa)); /* nothing configured */
    /* the channel's own address is there */
    assert_false(rg_var_may_be_empty(RG_V_CUSTOMER_EMAIL, &email));
    assert_true(rg_var_may_be_empty(RG_V_CUSTOMER_EMAIL, &sms));
    assert_false(rg_var_may_be_empty(RG_V_CUSTOMER_PHONE, &sms));
    assert_false(rg_var_may_be_empty(RG_V_CUSTOMER_PHONE, &wa));
    assert_true(rg_var_may_be_empty(RG_V_CUSTOMER_PHONE, &letter));
    assert_true(rg_var_may_be_empty(RG_V_CUSTOMER_PHONE, NULL));
    /* what the sending trigger fills */
    assert_false(rg_var_may_be_empty(RG_V_OFFER_AMOUNT, &wa));
    assert_true(rg_var_may_be_empty(RG_V_OFFER_AMOUNT, &letter));
    assert_false(rg_var_may_be_empty(RG_V_PROMISE_DATE, &letter));
    assert_true(rg_var_may_be_empty(RG_V_PROMISE_DATE, &wa));
    assert_true(rg_var_may_be_empty(RG_V__COUNT, NULL));

    /* in a template: unguarded on the wrong channel is an error, guarded
     * or on its own channel it is not */
    const char *files[][2] = {
        {"a.sms", "{{company.name}} {{company.cnpj}} {{customer.phone}} {{customer.email}}"},
        {"a.email", "Subject: oi\n{{company.name}} {{company.cnpj}} {{customer.email}} "
                    "{{#customer.phone}}{{customer.phone}}{{/customer.phone}}"},
        {"b.whatsapp", "{{company.name}} {{company.cnpj}} {{offer.amount}} {{promise.date}}"},
    };
    rg_template_set *s = set_of(files, 3);
    rg_render_vars c2;
    rg_render_vars_init(&c2);
    c2.company = rg_render_vars_sample()->company;
    rg_template_use offer = {&c2, true, false};
    rg_template_diags d = {0};
    rg_err e;
    assert_int_equal(rg_template_set_check(s, "a", "sms", &offer, &d, &e), RG_OK);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.v[0].rule, RG_RULE_TEMPLATE_MAY_BE_EMPTY);
    assert_int_equal(d.v[0].col, 54);
    assert_string_equal(d.v[0].msg, "{{customer.email}} is empty for customers without an e-mail address, and sms "
                                    "messages reach them; then the message is suppressed, never sent: put it inside "
                                    "{{#customer.email}}...{{/customer.email}}");
    rg_template_diags_free(&d);
    assert_int_equal(rg_template_set_check(s, "a", "email", &offer, &d, &e), RG_OK);
    assert_int_equal(rg_template_diags_errors(&d), 0);
    rg_template_diags_free(&d);
    assert_int_equal(rg_template_set_check(s, "b", "whatsapp", &offer, &d, &e), RG_OK);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.v[0].msg, "{{promise.date}} is filled only when a trigger on promise.made or "
                                    "promise.broken sends the message, and this template is sent otherwise; then the "
                                    "message is suppressed, never sent: put it inside "
                                    "{{#promise.date}}...{{/promise.date}}");
    rg_template_diags_free(&d);
    rg_template_use step = {&c2, false, false};
    assert_int_equal(rg_template_set_check(s, "b", "whatsapp", &step, &d, &e), RG_OK);
    assert_int_equal(d.n, 2);
    assert_non_null(strstr(d.v[0].msg, "{{offer.amount}} is filled only when a trigger with `offer:` sends"));
    rg_template_diags_free(&d);
    rg_template_set_free(s);
}

/* ---- the example templates in templates/ ---------------------------------------- */

static const char *const examples[] = {
    "lembrete.email",       "vence-amanha.whatsapp",   "vence-amanha.sms",         "vence-hoje.whatsapp",
    "vence-hoje.email",     "atraso.whatsapp",         "atraso.sms",               "atraso.email",
    "segunda-via.email",    "segunda-via.whatsapp",    "aviso-negativacao.email",  "aviso-negativacao.letter",
    "oferta.whatsapp",      "outro-canal.whatsapp",    "outro-canal.sms",          "aguardando.whatsapp",
    "aguardando.email",     "promessa-quebrada.whatsapp", "promessa-quebrada.email",
};

static rg_template_set *load_examples(void)
{
    const char *root = getenv("REGUA_ROOT");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/templates", root ? root : ".");
    rg_template_set *s = NULL;
    rg_err e;
    rg_status st = rg_template_set_load(dir, &s, &e);
    if (st)
        fprintf(stderr, "%s: %s\n", e.where, e.msg);
    assert_int_equal(st, RG_OK);
    return s;
}

static void test_examples(void **state)
{
    (void)state;
    rg_template_set *s = load_examples();
    assert_int_equal(rg_template_set_count(s), sizeof examples / sizeof examples[0]);
    rg_template_diags d = {0};
    lint(s, NULL, NULL, &d);
    char buf[1024];
    for (size_t i = 0; i < d.n; i++)
        fprintf(stderr, "  %s\n", rg_template_diag_text(&d.v[i], buf, sizeof buf));
    assert_int_equal(d.n, 0); /* no error and no warning */
    lint(s, "Outra Empresa S.A.", "11222333000181", &d);
    assert_int_equal(d.n, 0);
    rg_template_diags_free(&d);
    assert_non_null(rg_message_template_html(rg_template_set_get(s, "lembrete", "email")));

    /* the sample with only what is always there (no boleto, PIX, links, address...),
     * plus what the sending trigger provides: every example still renders */
    rg_render_vars v = *minimal();
    v.offer.description = "sem juros";
    v.offer.valid_until = rg_date_from_ymd(2026, 12, 18);
    v.offer.discount = 500;
    v.offer.amount = 9500;
    v.promise.date = rg_date_from_ymd(2026, 12, 19);
    v.promise.amount = 10000;
    for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s", examples[i]);
        char *dot = strchr(name, '.');
        *dot = '\0';
        const char *channel = dot + 1;
        const rg_message_template *mt = rg_template_set_get(s, name, channel);
        if (!mt)
            fprintf(stderr, "example %s\n", examples[i]);
        assert_non_null(mt);
        assert_true(rg_message_template_identifies_creditor(mt, NULL, NULL));
        assert_true(rg_template_set_identifies_creditor(s, name, channel, NULL, NULL));
        rg_rendered r;
        rg_err e;
        const rg_render_vars *both[2] = {rg_render_vars_sample(), &v};
        for (int k = 0; k < 2; k++) {
            rg_status st = rg_message_render(mt, both[k], &r, &e);
            if (st)
                fprintf(stderr, "example %s: %s: %s\n", examples[i], e.where, e.msg);
            assert_int_equal(st, RG_OK);
            /* the creditor, and the money, are in what the customer reads */
            assert_non_null(strstr(r.text, "Acme Telecom Ltda"));
            assert_non_null(strstr(r.text, "12.345.678/0001-95"));
            assert_non_null(strstr(r.text, "R$ "));
            if (r.html)
                assert_non_null(strstr(r.html, "12.345.678/0001-95"));
            if (strcmp(channel, "email") == 0)
                assert_non_null(r.subject);
            if (strcmp(channel, "sms") == 0) {
                rg_sms_info si;
                rg_sms_measure(r.text, strlen(r.text), &si);
                assert_true(si.gsm7);
                assert_int_equal(si.segments, 1);
            }
            rg_rendered_free(&r);
        }
    }
    rg_template_set_free(s);
}

static void test_example_outputs(void **state)
{
    (void)state;
    rg_template_set *s = load_examples();
    rg_rendered r;
    rg_err e;
    assert_int_equal(rg_message_render(rg_template_set_get(s, "atraso", "sms"), rg_render_vars_sample(), &r, &e),
                     RG_OK);
    assert_string_equal(r.text, "Acme Telecom Ltda CNPJ 12.345.678/0001-95: Maria, ainda nao identificamos o "
                                "pagamento de R$ 1.397,27. Pague em https://portal.example.com/c/8Xk2");
    rg_rendered_free(&r);

    const rg_message_template *mt = rg_template_set_get(s, "vence-amanha", "whatsapp");
    assert_string_equal(rg_message_template_wa_name(mt), "lembrete_vence_amanha");
    assert_int_equal(rg_message_render(mt, minimal(), &r, &e), RG_OK);
    assert_string_equal(r.wa_lang, "pt_BR");
    assert_int_equal(r.n_params, 6);
    assert_string_equal(r.params[0], "José");
    assert_string_equal(r.params[1], "Acme Telecom Ltda");
    assert_string_equal(r.params[2], "12.345.678/0001-95");
    assert_string_equal(r.params[3], "R$ 100,00");
    assert_string_equal(r.params[4], "10/12/2026");
    assert_string_equal(r.params[5], "use o boleto que enviamos por e-mail");
    rg_rendered_free(&r);

    assert_int_equal(rg_message_render(rg_template_set_get(s, "promessa-quebrada", "whatsapp"), rg_render_vars_sample(),
                                       &r, &e),
                     RG_OK);
    assert_string_equal(r.text,
                        "Olá, Maria, tudo bem?\n"
                        "\n"
                        "Combinamos o pagamento de R$ 1.397,27 para 19/12/2026, mas ainda não o identificamos. "
                        "Aconteceu algum imprevisto?\n"
                        "\n"
                        "Sem problema: responda esta mensagem e vemos juntos uma nova data ou outra forma de pagamento.\n"
                        "\n"
                        "Se preferir pagar agora: https://portal.example.com/c/8Xk2\n"
                        "\n"
                        "Se já pagou, desconsidere esta mensagem.\n"
                        "\n"
                        "Acme Telecom Ltda – CNPJ 12.345.678/0001-95\n"
                        "Para não receber mais mensagens por aqui, responda SAIR.");
    rg_rendered_free(&r);
    rg_template_set_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_variables),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_sections),
        cmocka_unit_test(test_standalone_lines),
        cmocka_unit_test(test_compile_errors),
        cmocka_unit_test(test_render_missing_value),
        cmocka_unit_test(test_refs),
        cmocka_unit_test(test_formatting),
        cmocka_unit_test(test_var_table),
        cmocka_unit_test(test_doc_lists_every_variable),
        cmocka_unit_test(test_sms_measure),
        cmocka_unit_test(test_email_file),
        cmocka_unit_test(test_email_errors),
        cmocka_unit_test(test_whatsapp_file),
        cmocka_unit_test(test_file_names_and_encoding),
        cmocka_unit_test(test_lint_rules),
        cmocka_unit_test(test_every_compile_error),
        cmocka_unit_test(test_may_be_empty),
        cmocka_unit_test(test_load_directory),
        cmocka_unit_test(test_examples),
        cmocka_unit_test(test_example_outputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
