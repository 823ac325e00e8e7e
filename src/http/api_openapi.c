/*
 * GET /v1/openapi.json (no key): the API's OpenAPI 3.1 document,
 * docs/openapi.json, built into the binary (scripts/embed.py writes
 * build/gen/openapi_json.c; the build fails on a document that is not
 * JSON). tests/unit/test_openapi.c keeps it and the route table equal.
 */
#include "base/log.h"
#include "http/http_int.h"

void rg_api_openapi(rg_api_call *c)
{
    json_error_t je;
    json_t *doc = json_loadb(rg_openapi_json, rg_openapi_json_len, 0, &je);
    if (!doc) { /* the build checked it: only no memory */
        rg_error("GET /v1/openapi.json: the built-in document does not load: %s", je.text);
        return rg_api_problem(c, 500, "the server could not complete the request (see its log)");
    }
    rg_api_reply(c, 200, doc);
}
