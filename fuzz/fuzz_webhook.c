/*
 * libFuzzer harness for the webhook readers (src/http/webhooks.c): any body
 * is either refused with a message or read into a batch whose items are
 * well-formed (bounded, NUL-terminated, a known kind and status). The first
 * byte picks the reader: WhatsApp JSON, SMS JSON, SMS form, or SMS sniffed.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/webhooks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const rg_hook_batch *b)
{
    if (b->n > RG_HOOK_MAX_ITEMS)
        abort();
    for (size_t i = 0; i < b->n; i++) {
        const rg_hook_item *it = &b->v[i];
        if (strnlen(it->provider_id, sizeof it->provider_id) == sizeof it->provider_id ||
            strnlen(it->from, sizeof it->from) == sizeof it->from ||
            strnlen(it->type, sizeof it->type) == sizeof it->type ||
            strnlen(it->reason, sizeof it->reason) == sizeof it->reason)
            abort();
        if (it->kind == RG_HOOK_STATUS) {
            if (it->status != RG_MSG_SENT && it->status != RG_MSG_DELIVERED && it->status != RG_MSG_READ &&
                it->status != RG_MSG_FAILED)
                abort();
            if (!it->provider_id[0] || it->text)
                abort();
        } else if (it->kind == RG_HOOK_MESSAGE) {
            if (!it->from[0] || !it->type[0])
                abort();
            if (it->text)
                (void)strlen(it->text);
        } else {
            abort();
        }
        if (it->at < 0)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const char *const types[] = {NULL, "application/json", "application/x-www-form-urlencoded", NULL};
    unsigned mode = data[0] & 3;
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    rg_hook_batch b;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = mode == 0 ? rg_hook_parse_whatsapp(body, len, &b, &e)
                             : rg_hook_parse_sms(types[mode], body, len, &b, &e);
    if (rc != RG_OK) {
        if (b.n != 0 || b.v != NULL || e.msg[0] == '\0')
            abort();
        return 0;
    }
    check(&b);
    rg_hook_batch_free(&b);
    /* the form reader on arbitrary bytes */
    rg_buf v = RG_BUF_INIT;
    rg_form_get(body, len, "Body", &v);
    rg_buf_free(&v);
    return 0;
}
