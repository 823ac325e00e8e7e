/*
 * libFuzzer harness for what the HTTP provider drivers parse: request
 * templates ({{var}} holes, rendered with each escaping), JSON pointers
 * into answers, and Retry-After values (delta-seconds or IMF-fixdate).
 * The input is split at the first NUL byte: template | pointer/date.
 * Invariants: no crash; a rendered JSON-escaped value is valid inside a
 * JSON string; retry delays stay within a week.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "channel/provider.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *a = malloc(size + 1);
    if (!a)
        return 0;
    memcpy(a, data, size);
    a[size] = '\0';
    const char *b = strlen(a) < size ? a + strlen(a) + 1 : "";

    rg_message m;
    memset(&m, 0, sizeof m);
    memcpy(m.idempotency_key, "k", 2);
    m.body = b;
    m.subject = a;
    m.payload = b;
    rg_customer c;
    rg_customer_init(&c);
    rg_outgoing og = {&m, &c, b, a};
    rg_provider_vars v;
    rg_provider_vars_init(&v, &og);
    for (int esc = RG_PESC_JSON; esc <= RG_PESC_URL; esc++) {
        rg_ptpl *t = NULL;
        rg_err e;
        if (rg_ptpl_compile(a, (rg_pesc)esc, "fuzz", &t, &e) != RG_OK) {
            if (t || !e.msg[0])
                abort();
            continue;
        }
        rg_buf out = RG_BUF_INIT;
        rg_ptpl_render(t, &v, &out);
        rg_ptpl_free(t);
        rg_buf_free(&out);
    }
    /* a value escaped for JSON reads back as itself */
    rg_buf j = RG_BUF_INIT;
    rg_buf_putc(&j, '"');
    rg_provider_escape(&j, b, RG_PESC_JSON);
    rg_buf_putc(&j, '"');
    json_t *s = json_loadb(rg_buf_cstr(&j), j.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (s && strcmp(json_string_value(s), b) != 0)
        abort();
    json_decref(s);
    rg_buf_free(&j);
    rg_provider_vars_clear(&v);

    json_t *doc = json_loads(a, JSON_DECODE_ANY, NULL);
    (void)rg_json_pointer(doc, b);
    json_decref(doc);
    int ra = rg_provider_retry_after(a, b);
    if (ra < 0 || ra > 7 * 86400)
        abort();
    rg_instant t;
    (void)rg_provider_http_date(a, &t);
    free(a);
    return 0;
}
