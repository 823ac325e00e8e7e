/*
 * libFuzzer harness for the REST API's request handling without a socket
 * (src/http/api.c): the first byte picks what the rest is —
 *   0: "METHOD PATH": /v1 routing (a route found matches the path and has
 *      the method, or GET for HEAD; else 404 or 405), and its parameters'
 *      percent-decoding (UTF-8 text without NUL, or refused saying why);
 *   1: a ?after= cursor: refused, or an id >= 1 whose cursor is this text
 *      (one cursor per id);
 *   2: a JSON body: parsed as the layer parses it, then read by the field
 *      helpers (rg_api_str, rg_api_no_other_fields) into field errors that
 *      are well-formed {"field", "message"} objects.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "http/http_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void routing(const char *text)
{
    const char *sp = strchr(text, ' ');
    if (!sp)
        return;
    char method[16];
    size_t mn = (size_t)(sp - text);
    if (mn >= sizeof method)
        return;
    memcpy(method, text, mn);
    method[mn] = '\0';
    const char *path = sp + 1;
    unsigned fail = 0;
    const rg_api_route *rt = rg_api_find(method, path, &fail);
    if (rt) {
        rg_slice params[RG_HTTP_MAX_PARAMS];
        size_t n = 0;
        if (!rg_http_match(rt->pattern, path, params, &n) || !rg_api_is_api_path(path))
            abort();
        if (strcmp(rt->method, method) != 0 && !(strcmp(method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0))
            abort();
        size_t raw = 0;
        for (size_t i = 0; i < n; i++) {
            if (params[i].n == 0 || memchr(params[i].p, '/', params[i].n))
                abort();
            raw += params[i].n;
        }
        /* each decoded id is text no longer than it was sent, or refused with a reason */
        char buf[4096], why[200];
        if (raw + n < sizeof buf) {
            why[0] = '\0';
            if (rg_http_decode_params(params, n, buf, why, sizeof why)) {
                size_t dec = 0;
                for (size_t i = 0; i < n; i++) {
                    if (memchr(params[i].p, '\0', params[i].n) || params[i].p[params[i].n] != '\0' ||
                        !rg_utf8_valid(params[i].p, params[i].n))
                        abort();
                    dec += params[i].n;
                }
                if (dec > raw)
                    abort();
            } else if (!why[0]) {
                abort();
            }
        }
    } else if (fail != 404 && fail != 405) {
        abort();
    }
}

static void cursor(const char *text)
{
    int64_t id = 0;
    if (!rg_api_cursor_parse(text, &id))
        return;
    if (id < 1)
        abort();
    char back[64];
    if (strcmp(rg_api_cursor_make(id, back, sizeof back), text) != 0)
        abort();
}

static void body(const char *text, size_t len)
{
    json_error_t je;
    json_t *parsed = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(parsed)) {
        json_decref(parsed);
        return;
    }
    rg_api_call c = {.body = parsed};
    static const char *const known[] = {"type", "invoice", "customer", "occurred_at", "data", NULL};
    const char *v = rg_api_str(&c, "type", true);
    if (v)
        (void)strlen(v);
    rg_api_str(&c, "invoice", false);
    rg_api_no_other_fields(&c, known);
    size_t i;
    json_t *one;
    json_array_foreach(c.errors, i, one) {
        if (!json_is_string(json_object_get(one, "field")) || !json_is_string(json_object_get(one, "message")))
            abort();
    }
    json_decref(c.errors);
    json_decref(c.doc);
    json_decref(parsed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65536)
        return 0;
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    switch (data[0] % 3) {
    case 0: routing(text); break;
    case 1: cursor(text); break;
    default: body(text, size - 1); break;
    }
    free(text);
    return 0;
}
