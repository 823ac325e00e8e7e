/* libFuzzer harness for src/render: the first byte picks what the rest is
 * (a text template, an HTML template, or a NAME.CHANNEL file), which is
 * compiled, linted and rendered with the full sample and with a sparse
 * one. Any crash, leak or sanitizer report is a bug. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "render/sms.h"
#include "render/template.h"
#include "render/template_file.h"
#include "render/vars.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void render_both(const rg_template *t)
{
    rg_render_invoice inv;
    rg_render_invoice_init(&inv);
    inv.external_id = "X";
    inv.amount = 0;
    rg_render_vars sparse;
    rg_render_vars_init(&sparse);
    sparse.customer.name = "ÉDER";
    sparse.invoices = &inv;
    sparse.n_invoices = 1;
    rg_buf b = RG_BUF_INIT;
    rg_err e;
    (void)rg_template_render(t, rg_render_vars_sample(), &b, &e);
    (void)rg_template_render(t, &sparse, &b, &e);
    rg_sms_info si;
    rg_sms_measure(rg_buf_cstr(&b), b.len, &si);
    rg_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"a.email", "a.email.html", "a.whatsapp", "a.sms", "a.letter", "B.x"};
    if (size < 1)
        return 0;
    unsigned mode = data[0] % 8;
    const char *src = (const char *)data + 1;
    size_t len = size - 1;
    if (mode < 2) {
        rg_template_opts o = {mode ? RG_TEMPLATE_HTML : RG_TEMPLATE_TEXT, "fuzz", 1, 1, NULL, NULL};
        rg_template *t = NULL;
        rg_template_errpos pos;
        rg_err e;
        if (rg_template_compile(src, len, &o, &t, &pos, &e) == RG_OK) {
            size_t n;
            (void)rg_template_refs(t, &n);
            (void)rg_template_text_contains(t, "acme", true);
            render_both(t);
        }
        rg_template_free(t);
        return 0;
    }
    rg_template_set *s = NULL;
    rg_err e;
    if (rg_template_set_new(&s, &e))
        return 0;
    const char *name = names[(mode - 2) % (sizeof names / sizeof names[0])];
    (void)rg_template_set_add(s, name, src, len, &e);
    if (mode == 3) /* the text part too, so the HTML one is usable */
        (void)rg_template_set_add(s, "a.email", "Subject: x\n\ny", 14, &e);
    rg_template_diags d = {0};
    rg_template_use use = {rg_render_vars_sample(), mode % 2 == 0, mode % 4 < 2};
    (void)rg_template_set_lint(s, &use, &d, &e);
    rg_template_diags_free(&d);
    for (size_t i = 0; i < rg_template_set_count(s); i++) {
        const rg_message_template *mt = rg_template_set_at(s, i);
        rg_rendered r;
        if (rg_message_render(mt, rg_render_vars_sample(), &r, &e) == RG_OK)
            rg_rendered_free(&r);
        (void)rg_message_template_identifies_creditor(mt, "Acme", NULL);
    }
    rg_template_set_free(s);
    return 0;
}
