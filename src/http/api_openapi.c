/*
 * GET /v1/openapi.json (no key, no store): the API's OpenAPI 3.1 document,
 * docs/openapi.json, built into the binary (scripts/embed.py writes
 * build/gen/openapi_json.c; the build fails on a document that is not
 * JSON). tests/unit/test_openapi.c keeps it and the route table equal.
 * The compact text is made once per process (parsing and dumping the
 * document per request cost ~8 ms) and each answer is a copy of it.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "http/http_int.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char *compact; /* the document as the API writes JSON; NULL: it did not load (no memory) */
static size_t compact_len;

static void make_compact(void)
{
    json_error_t je;
    json_t *doc = json_loadb(rg_openapi_json, rg_openapi_json_len, 0, &je);
    if (!doc) { /* the build checked it: only no memory */
        rg_error("GET /v1/openapi.json: the built-in document does not load: %s", je.text);
        return;
    }
    compact = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    compact_len = compact ? strlen(compact) : 0;
    json_decref(doc);
}

void rg_api_openapi(rg_api_call *c)
{
    pthread_once(&once, make_compact);
    char *copy = compact ? malloc(compact_len + 1) : NULL;
    if (copy)
        memcpy(copy, compact, compact_len + 1);
    rg_api_reply_text(c, 200, copy);
}
