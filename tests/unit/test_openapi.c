/*
 * docs/openapi.json, as built into the binary (GET /v1/openapi.json), and
 * api.c's route table are the same API: every route is an operation of the
 * document with its method, and every operation of the document is a
 * route ("{}" in a route's pattern is "{name}" in the document's path);
 * each operation's `security` names the route's least role (none: []);
 * its path parameters are declared, with an example (the e2e test sends
 * it); a request body exactly when the route takes one; a 2xx answer whose
 * schema is in components/schemas; errors only of the documented kinds, as
 * the shared Problem; and every $ref resolves. The server's side (each
 * operation called, its answer checked against the schema) is
 * tests/e2e/test_api_openapi.sh.
 */
#include "test.h"

#include <stdlib.h>
#include <strings.h>

#include "base/buf.h"
#include "http/http_int.h"

/* ---- the checker: appends one line per disagreement to out ---- */

static const char *const methods[] = {"get", "post", "patch", "put", "delete", NULL};
static const char *const statuses[] = {"200", "201", "202", "204", "400", "401", "403",
                                       "404", "409", "413", "422", "503", NULL};

static bool in_list(const char *const *list, const char *s)
{
    for (size_t i = 0; list[i]; i++)
        if (!strcmp(list[i], s))
            return true;
    return false;
}

/* "/v1/customers/{id}/export" -> "/v1/customers/{}/export" */
static void pattern_of(const char *path, char *buf, size_t n)
{
    rg_buf b = RG_BUF_INIT;
    for (const char *p = path; *p;) {
        if (*p == '{') {
            const char *end = strchr(p, '}');
            rg_buf_puts(&b, "{}");
            p = end ? end + 1 : p + strlen(p);
        } else {
            rg_buf_putc(&b, *p++);
        }
    }
    rg_strlcpy(buf, rg_buf_cstr(&b), n);
    rg_buf_free(&b);
}

/* The object a local "$ref" ("#/components/...") names, or NULL. */
static json_t *deref(json_t *doc, const char *ref)
{
    if (strncmp(ref, "#/", 2) != 0)
        return NULL;
    json_t *at = doc;
    char part[128];
    for (const char *p = ref + 2; at && *p;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n >= sizeof part)
            return NULL;
        memcpy(part, p, n);
        part[n] = '\0';
        at = json_object_get(at, part);
        p += n + (slash ? 1 : 0);
    }
    return at;
}

/* v itself, or what its "$ref" names. */
static json_t *resolved(json_t *doc, json_t *v)
{
    json_t *ref = json_object_get(v, "$ref");
    return json_is_string(ref) ? deref(doc, json_string_value(ref)) : v;
}

static void check_refs(json_t *doc, json_t *v, const char *where, rg_buf *out)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x) {
            if (!strcmp(k, "$ref") && (!json_is_string(x) || !deref(doc, json_string_value(x))))
                rg_buf_printf(out, "%s: $ref %s names nothing in the document\n", where,
                              json_is_string(x) ? json_string_value(x) : "(not a string)");
            else
                check_refs(doc, x, where, out);
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) check_refs(doc, x, where, out);
    }
}

/* The parameter `name` in `in` of the operation, else of its path item. */
static json_t *param(json_t *doc, json_t *item, json_t *op, const char *name, const char *in)
{
    json_t *lists[2] = {json_object_get(op, "parameters"), json_object_get(item, "parameters")};
    for (size_t l = 0; l < 2; l++) {
        size_t i;
        json_t *p;
        json_array_foreach(lists[l], i, p) {
            json_t *r = resolved(doc, p);
            if (r && json_is_string(json_object_get(r, "name")) &&
                !strcmp(json_string_value(json_object_get(r, "name")), name) &&
                !strcmp(json_string_value(json_object_get(r, "in")) ? json_string_value(json_object_get(r, "in")) : "",
                        in))
                return r;
        }
    }
    return NULL;
}

static void check_security(const rg_api_route *rt, json_t *op, const char *what, rg_buf *out)
{
    json_t *sec = json_object_get(op, "security");
    if (!json_is_array(sec)) {
        rg_buf_printf(out, "%s: no `security` (want %s)\n", what,
                      rt->role == RG_ROLE_NONE ? "[] (no key)" : rg_api_role_name(rt->role));
        return;
    }
    if (rt->role == RG_ROLE_NONE) {
        if (json_array_size(sec) != 0)
            rg_buf_printf(out, "%s: the route needs no key: `security` must be []\n", what);
        return;
    }
    json_t *roles = json_object_get(json_array_get(sec, 0), "bearer");
    if (json_array_size(sec) != 1 || json_array_size(roles) != 1 ||
        !json_is_string(json_array_get(roles, 0)) ||
        strcmp(json_string_value(json_array_get(roles, 0)), rg_api_role_name(rt->role)) != 0)
        rg_buf_printf(out, "%s: `security` must be [{\"bearer\": [\"%s\"]}] (the route's least role)\n", what,
                      rg_api_role_name(rt->role));
}

static void check_params(json_t *doc, const char *path, json_t *item, json_t *op, const char *what, rg_buf *out)
{
    size_t n_in_path = 0;
    for (const char *p = strchr(path, '{'); p; p = strchr(p + 1, '{')) {
        const char *end = strchr(p, '}');
        char name[64];
        if (!end || (size_t)(end - p - 1) >= sizeof name) {
            rg_buf_printf(out, "%s: a bad {name} in the path\n", what);
            return;
        }
        memcpy(name, p + 1, (size_t)(end - p - 1));
        name[end - p - 1] = '\0';
        n_in_path++;
        json_t *pr = param(doc, item, op, name, "path");
        if (!pr)
            rg_buf_printf(out, "%s: path parameter {%s} is not declared (\"in\": \"path\")\n", what, name);
        else if (!json_is_true(json_object_get(pr, "required")))
            rg_buf_printf(out, "%s: path parameter {%s} must be \"required\": true\n", what, name);
        else if (!json_object_get(pr, "example"))
            rg_buf_printf(out, "%s: path parameter {%s} needs an \"example\" (the e2e test calls with it)\n", what,
                          name);
    }
    json_t *lists[2] = {json_object_get(op, "parameters"), json_object_get(item, "parameters")};
    size_t declared = 0;
    for (size_t l = 0; l < 2; l++) {
        size_t i;
        json_t *p;
        json_array_foreach(lists[l], i, p) {
            json_t *r = resolved(doc, p);
            const char *in = r ? json_string_value(json_object_get(r, "in")) : NULL;
            if (!r || !in || !json_is_string(json_object_get(r, "name")))
                rg_buf_printf(out, "%s: a parameter without name and in\n", what);
            else if (!strcmp(in, "path"))
                declared++;
        }
    }
    if (declared > n_in_path)
        rg_buf_printf(out, "%s: a path parameter is declared that the path does not have\n", what);
}

static void check_body(const rg_api_route *rt, json_t *doc, json_t *op, const char *what, rg_buf *out)
{
    json_t *rb = resolved(doc, json_object_get(op, "requestBody"));
    json_t *content = json_object_get(rb, "content");
    bool required = json_is_true(json_object_get(rb, "required"));
    switch (rt->body) {
    case RG_API_NO_BODY:
        if (rb)
            rg_buf_printf(out, "%s: the route takes no body, the document gives a requestBody\n", what);
        break;
    case RG_API_JSON:
    case RG_API_JSON_OPT:
        if (!json_object_get(content, "application/json"))
            rg_buf_printf(out, "%s: the route takes a JSON object: requestBody content application/json\n", what);
        else if (required != (rt->body == RG_API_JSON))
            rg_buf_printf(out, "%s: requestBody \"required\" must be %s\n", what,
                          rt->body == RG_API_JSON ? "true" : "false (the body is optional)");
        else if (required && !json_object_get(json_object_get(content, "application/json"), "example"))
            rg_buf_printf(out, "%s: a required JSON body needs an \"example\" (the e2e test sends it)\n", what);
        break;
    case RG_API_RAW:
        if (!json_is_object(content) || json_object_size(content) == 0)
            rg_buf_printf(out, "%s: the route takes a body: requestBody with its content type\n", what);
        break;
    }
}

static void check_responses(json_t *doc, json_t *op, const char *what, bool keyed, rg_buf *out)
{
    json_t *resp = json_object_get(op, "responses");
    if (!json_is_object(resp) || json_object_size(resp) == 0) {
        rg_buf_printf(out, "%s: no responses\n", what);
        return;
    }
    size_t ok = 0;
    const char *code;
    json_t *r;
    json_object_foreach(resp, code, r) {
        if (!in_list(statuses, code)) {
            rg_buf_printf(out, "%s: response %s is not one of the API's statuses\n", what, code);
            continue;
        }
        json_t *rr = resolved(doc, r);
        json_t *content = json_object_get(rr, "content");
        if (!json_is_string(json_object_get(rr, "description")))
            rg_buf_printf(out, "%s: response %s has no description\n", what, code);
        if (code[0] == '2') {
            ok++;
            json_t *schema = json_object_get(json_object_get(content, "application/json"), "schema");
            json_t *ref = json_object_get(schema, "$ref");
            if (strcmp(code, "204") != 0 &&
                (!json_is_string(ref) || strncmp(json_string_value(ref), "#/components/schemas/", 21) != 0))
                rg_buf_printf(out, "%s: response %s: application/json with a schema $ref to components/schemas\n",
                              what, code);
        } else {
            json_t *schema = json_object_get(json_object_get(content, "application/problem+json"), "schema");
            json_t *ref = json_object_get(schema, "$ref");
            if (!json_is_string(ref) || strcmp(json_string_value(ref), "#/components/schemas/Problem") != 0)
                rg_buf_printf(out, "%s: response %s: application/problem+json with the Problem schema\n", what,
                              code);
        }
    }
    if (ok == 0)
        rg_buf_printf(out, "%s: no 2xx response\n", what);
    if (keyed && (!json_object_get(resp, "401") || !json_object_get(resp, "403")))
        rg_buf_printf(out, "%s: a route that needs a key answers 401 and 403: list them\n", what);
}

/* Compares the document with the route table; the number of problems. */
static size_t check(json_t *doc, const rg_api_route *rt, size_t n, rg_buf *out)
{
    size_t before = out->len;
    if (!json_is_string(json_object_get(doc, "openapi")) ||
        strcmp(json_string_value(json_object_get(doc, "openapi")), "3.1.0") != 0)
        rg_buf_puts(out, "openapi: must be \"3.1.0\"\n");
    json_t *bearer = json_object_get(json_object_get(json_object_get(doc, "components"), "securitySchemes"), "bearer");
    if (!json_is_string(json_object_get(bearer, "scheme")) ||
        strcmp(json_string_value(json_object_get(bearer, "scheme")), "bearer") != 0)
        rg_buf_puts(out, "components/securitySchemes/bearer: must be the http bearer scheme\n");
    check_refs(doc, doc, "document", out);

    /* every route is an operation */
    json_t *paths = json_object_get(doc, "paths");
    for (size_t i = 0; i < n; i++) {
        char m[16];
        size_t k = 0;
        for (; rt[i].method[k] && k < sizeof m - 1; k++)
            m[k] = (char)(rt[i].method[k] | 0x20);
        m[k] = '\0';
        bool found = false;
        const char *path;
        json_t *item;
        json_object_foreach(paths, path, item) {
            char pat[256];
            pattern_of(path, pat, sizeof pat);
            json_t *op = json_object_get(item, m);
            if (strcmp(pat, rt[i].pattern) != 0 || !op)
                continue;
            found = true;
            char what[300];
            snprintf(what, sizeof what, "%s %s", rt[i].method, path);
            check_security(&rt[i], op, what, out);
            check_params(doc, path, item, op, what, out);
            check_body(&rt[i], doc, op, what, out);
            check_responses(doc, op, what, rt[i].role != RG_ROLE_NONE, out);
            if (!json_is_string(json_object_get(op, "operationId")))
                rg_buf_printf(out, "%s: no operationId\n", what);
        }
        if (!found)
            rg_buf_printf(out, "route %s %s is not in docs/openapi.json (add its operation)\n", rt[i].method,
                          rt[i].pattern);
    }
    /* every operation is a route */
    const char *path;
    json_t *item;
    json_object_foreach(paths, path, item) {
        char pat[256];
        pattern_of(path, pat, sizeof pat);
        const char *key;
        json_t *op;
        json_object_foreach(item, key, op) {
            if (!in_list(methods, key))
                continue;
            bool found = false;
            for (size_t i = 0; i < n && !found; i++)
                found = !strcmp(rt[i].pattern, pat) && !strcasecmp(rt[i].method, key);
            if (!found)
                rg_buf_printf(out, "docs/openapi.json: %s %s is not a route of the server (api.c's api_routes)\n",
                              key, path);
        }
    }
    size_t problems = 0;
    for (size_t i = before; i < out->len; i++)
        problems += out->p[i] == '\n';
    return problems;
}

/* ---- tests ---- */

static json_t *built_in(void)
{
    json_error_t je;
    json_t *doc = json_loadb(rg_openapi_json, rg_openapi_json_len, JSON_REJECT_DUPLICATES, &je);
    if (!doc)
        fail_msg("docs/openapi.json: line %d: %s", je.line, je.text);
    return doc;
}

static void test_document_is_the_route_table(void **state)
{
    (void)state;
    json_t *doc = built_in();
    size_t n = 0;
    const rg_api_route *rt = rg_api_routes(&n);
    assert_true(n >= 6);
    rg_buf out = RG_BUF_INIT;
    size_t problems = check(doc, rt, n, &out);
    if (problems)
        fail_msg("docs/openapi.json and the routes disagree (%zu):\n%s", problems, rg_buf_cstr(&out));
    /* the errors' shared shape */
    json_t *problem = deref(doc, "#/components/schemas/Problem");
    json_t *req = json_object_get(problem, "required");
    assert_int_equal(json_array_size(req), 4);
    rg_buf_free(&out);
    json_decref(doc);
}

/* The checker finds each kind of disagreement (so a passing check means something). */
static void test_checker_finds_disagreements(void **state)
{
    (void)state;
    size_t n = 0;
    const rg_api_route *rt = rg_api_routes(&n);
    rg_buf out = RG_BUF_INIT;

    json_t *doc = built_in(); /* a route missing from the document */
    json_object_del(json_object_get(doc, "paths"), "/v1/apikeys");
    assert_int_equal(check(doc, rt, n, &out), 1);
    assert_non_null(strstr(rg_buf_cstr(&out), "route GET /v1/apikeys is not in docs/openapi.json"));
    json_decref(doc);

    rg_buf_reset(&out); /* an operation that is no route */
    doc = built_in();
    json_object_set_new(json_object_get(json_object_get(doc, "paths"), "/v1/customers"), "delete",
                        json_deep_copy(json_object_get(json_object_get(json_object_get(doc, "paths"), "/v1/customers"),
                                                       "get")));
    assert_int_equal(check(doc, rt, n, &out), 1);
    assert_non_null(strstr(rg_buf_cstr(&out), "delete /v1/customers is not a route"));
    json_decref(doc);

    rg_buf_reset(&out); /* another role, no key, an undeclared path parameter, a body, a bad $ref, a 500 */
    doc = built_in();
    json_t *paths = json_object_get(doc, "paths");
    json_t *list = json_object_get(json_object_get(paths, "/v1/customers"), "get");
    json_object_set_new(list, "security", json_pack("[{s:[s]}]", "bearer", "admin"));
    json_t *openapi = json_object_get(json_object_get(paths, "/v1/openapi.json"), "get");
    json_object_set_new(openapi, "security", json_pack("[{s:[s]}]", "bearer", "viewer"));
    json_t *exp = json_object_get(json_object_get(paths, "/v1/customers/{id}/export"), "get");
    json_object_set_new(exp, "parameters", json_array());
    json_object_set_new(exp, "requestBody", json_pack("{s:{s:{}}}", "content", "application/json"));
    json_object_set_new(json_object_get(list, "responses"), "500",
                        json_pack("{s:s}", "$ref", "#/components/responses/Nothing"));
    assert_int_equal(check(doc, rt, n, &out), 6);
    const char *text = rg_buf_cstr(&out);
    assert_non_null(strstr(text, "GET /v1/customers: `security` must be [{\"bearer\": [\"viewer\"]}]"));
    assert_non_null(strstr(text, "GET /v1/openapi.json: the route needs no key"));
    assert_non_null(strstr(text, "path parameter {id} is not declared"));
    assert_non_null(strstr(text, "the route takes no body"));
    assert_non_null(strstr(text, "$ref #/components/responses/Nothing names nothing"));
    assert_non_null(strstr(text, "response 500 is not one of the API's statuses"));
    json_decref(doc);

    rg_buf_reset(&out); /* a list's 2xx without its schema; an error not a Problem */
    doc = built_in();
    json_t *resp = json_object_get(json_object_get(json_object_get(json_object_get(doc, "paths"), "/v1/apikeys"), "get"),
                                   "responses");
    json_object_set_new(resp, "200", json_pack("{s:s}", "description", "keys"));
    json_object_set_new(resp, "404", json_pack("{s:s}", "description", "none"));
    assert_int_equal(check(doc, rt, n, &out), 2);
    json_decref(doc);
    rg_buf_free(&out);
}

/* pattern_of: the document's {name} is the table's {} */
static void test_pattern_of(void **state)
{
    (void)state;
    char b[64];
    pattern_of("/v1/customers/{id}/export", b, sizeof b);
    assert_string_equal(b, "/v1/customers/{}/export");
    pattern_of("/v1/optouts/{customer}/{channel}", b, sizeof b);
    assert_string_equal(b, "/v1/optouts/{}/{}");
    pattern_of("/v1/openapi.json", b, sizeof b);
    assert_string_equal(b, "/v1/openapi.json");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_document_is_the_route_table),
        cmocka_unit_test(test_checker_finds_disagreements),
        cmocka_unit_test(test_pattern_of),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
