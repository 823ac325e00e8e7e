/*
 * The REST API's foundation without a server: API keys (hashing, create,
 * authenticate, revoke), Idempotency-Keys (claim, replay, mismatch, a
 * running request, expiry, an abandoned claim, per API key), list cursors
 * and the one status → HTTP mapping. The server side is
 * tests/e2e/test_api_auth.sh.
 */
#include "test.h"

#include <stdlib.h>

#include "http/http_int.h"
#include "service/apikeys.h"
#include "store/store.h"

#define NOW 1795521600 /* 2026-11-24T12:00:00Z */

static rg_store *open_store(void)
{
    rg_store *s = NULL;
    rg_err e;
    assert_int_equal(rg_store_open(":memory:", &s, &e), RG_OK);
    return s;
}

static void test_hash(void **state)
{
    (void)state;
    char hex[65];
    rg_apikey_hash("abc", 3, hex); /* FIPS 180-2's example */
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    rg_apikey_hash("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_roles(void **state)
{
    (void)state;
    assert_int_equal(rg_api_role_parse("viewer"), RG_ROLE_VIEWER);
    assert_int_equal(rg_api_role_parse("operator"), RG_ROLE_OPERATOR);
    assert_int_equal(rg_api_role_parse("admin"), RG_ROLE_ADMIN);
    assert_int_equal(rg_api_role_parse("Admin"), RG_ROLE_NONE);
    assert_int_equal(rg_api_role_parse(NULL), RG_ROLE_NONE);
    assert_true(RG_ROLE_VIEWER < RG_ROLE_OPERATOR && RG_ROLE_OPERATOR < RG_ROLE_ADMIN);
    assert_string_equal(rg_api_role_name(RG_ROLE_OPERATOR), "operator");
}

static void test_keys(void **state)
{
    (void)state;
    rg_store *s = open_store();
    rg_err e;
    rg_apikey_row k, k2, got;
    char key[RG_APIKEY_TEXT_MAX], key2[RG_APIKEY_TEXT_MAX];
    assert_int_equal(rg_apikey_create(s, RG_ROLE_OPERATOR, "erp", NOW, &k, key, &e), RG_OK);
    assert_int_equal(strlen(key), 46);
    assert_memory_equal(key, "rk_", 3);
    for (size_t i = 3; i < 46; i++)
        assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", key[i]));
    assert_int_equal(strncmp(k.prefix, key, 11), 0);
    assert_int_equal(strlen(k.prefix), 11);
    assert_string_equal(k.role, "operator");
    assert_int_equal(rg_apikey_create(s, RG_ROLE_VIEWER, NULL, NOW, &k2, key2, &e), RG_OK);
    assert_string_not_equal(key, key2);
    assert_int_equal(k2.id, k.id + 1);

    assert_int_equal(rg_apikey_authenticate(s, key, strlen(key), NOW + 5, &got, &e), RG_OK);
    assert_int_equal(got.id, k.id);
    assert_string_equal(got.name, "erp");
    assert_int_equal(got.last_used_at, NOW + 5);
    /* within a minute last_used_at is not written again */
    assert_int_equal(rg_apikey_authenticate(s, key, strlen(key), NOW + 30, &got, &e), RG_OK);
    assert_int_equal(got.last_used_at, NOW + 5);
    assert_int_equal(rg_apikey_authenticate(s, key, strlen(key), NOW + 65, &got, &e), RG_OK);
    assert_int_equal(got.last_used_at, NOW + 65);
    /* a key one character off, cut short, or without the prefix */
    char bad[RG_APIKEY_TEXT_MAX];
    rg_strlcpy(bad, key, sizeof bad);
    bad[20] = bad[20] == 'A' ? 'B' : 'A';
    assert_int_equal(rg_apikey_authenticate(s, bad, strlen(bad), NOW, &got, &e), RG_EPERM);
    assert_string_equal(e.msg, "unknown API key");
    assert_int_equal(rg_apikey_authenticate(s, key, 45, NOW, &got, &e), RG_EPERM);
    assert_int_equal(rg_apikey_authenticate(s, key + 3, 43, NOW, &got, &e), RG_EPERM);
    assert_int_equal(rg_apikey_authenticate(s, "", 0, NOW, &got, &e), RG_EPERM);

    assert_int_equal(rg_apikey_revoke(s, k.id, NOW + 100, &got, &e), RG_OK);
    assert_int_equal(got.revoked_at, NOW + 100);
    assert_int_equal(rg_apikey_authenticate(s, key, strlen(key), NOW + 101, &got, &e), RG_EPERM);
    assert_non_null(strstr(e.msg, "revoked"));
    assert_int_equal(rg_apikey_revoke(s, k.id, NOW + 200, &got, &e), RG_ECONFLICT);
    assert_int_equal(rg_apikey_revoke(s, 999, NOW, &got, &e), RG_ENOTFOUND);
    /* the other key still works */
    assert_int_equal(rg_apikey_authenticate(s, key2, strlen(key2), NOW, &got, &e), RG_OK);

    assert_int_equal(rg_apikey_create(s, RG_ROLE_NONE, "x", NOW, &k, key, &e), RG_EINVAL);
    assert_string_equal(e.where, "role");
    assert_int_equal(rg_apikey_create(s, RG_ROLE_ADMIN, "a\nb", NOW, &k, key, &e), RG_EINVAL);
    assert_string_equal(e.where, "name");
    assert_string_equal(key, "");
    char longname[200];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_int_equal(rg_apikey_create(s, RG_ROLE_ADMIN, longname, NOW, &k, key, &e), RG_EINVAL);
    assert_int_equal(rg_apikey_create(s, RG_ROLE_ADMIN, "\xff", NOW, &k, key, &e), RG_EINVAL);
    rg_store_close(s);
}

/* A server's cache of checked keys: a key is read from the store at most
 * once a second; a revoke from elsewhere is seen from the next second on,
 * one through the cache (forget) at once; failures are never kept. */
static void test_key_cache(void **state)
{
    (void)state;
    rg_store *s = open_store();
    rg_err e;
    rg_apikey_row k, k2, got;
    char key[RG_APIKEY_TEXT_MAX], key2[RG_APIKEY_TEXT_MAX];
    rg_apikey_cache c;
    rg_apikey_cache_init(&c);
    assert_int_equal(rg_apikey_create(s, RG_ROLE_OPERATOR, "erp", NOW, &k, key, &e), RG_OK);
    assert_int_equal(rg_apikey_create(s, RG_ROLE_ADMIN, "ops", NOW, &k2, key2, &e), RG_OK);

    assert_int_equal(rg_apikey_authenticate_cached(&c, s, key, strlen(key), NOW, &got, &e), RG_OK);
    assert_int_equal(got.id, k.id);
    assert_string_equal(got.role, "operator");
    /* revoked by another process (not through this cache) */
    assert_int_equal(rg_apikey_revoke(s, k.id, NOW, &got, &e), RG_OK);
    /* within the second it was checked, the row read then answers ... */
    assert_int_equal(rg_apikey_authenticate_cached(&c, s, key, strlen(key), NOW, &got, &e), RG_OK);
    assert_int_equal(got.id, k.id);
    /* ... from the next second the store's: revoked */
    assert_int_equal(rg_apikey_authenticate_cached(&c, s, key, strlen(key), NOW + RG_APIKEY_TRUST_SECONDS, &got, &e),
                     RG_EPERM);
    assert_non_null(strstr(e.msg, "revoked"));
    /* and so it stays, in the same second too (a refusal is not kept) */
    assert_int_equal(rg_apikey_authenticate_cached(&c, s, key, strlen(key), NOW + RG_APIKEY_TRUST_SECONDS, &got, &e),
                     RG_EPERM);

    /* a revoke through this server: forgotten, refused at once */
    assert_int_equal(rg_apikey_authenticate_cached(&c, s, key2, strlen(key2), NOW + 10, &got, &e), RG_OK);
    assert_int_equal(rg_apikey_revoke(s, k2.id, NOW + 10, &got, &e), RG_OK);
    rg_apikey_cache_forget(&c, k2.id);
    assert_int_equal(rg_apikey_authenticate_cached(&c, s, key2, strlen(key2), NOW + 10, &got, &e), RG_EPERM);

    /* a clock set back checks again */
    char key3[RG_APIKEY_TEXT_MAX];
    rg_apikey_row k3;
    assert_int_equal(rg_apikey_create(s, RG_ROLE_VIEWER, "v", NOW, &k3, key3, &e), RG_OK);
    assert_int_equal(rg_apikey_authenticate_cached(&c, s, key3, strlen(key3), NOW + 20, &got, &e), RG_OK);
    assert_int_equal(rg_apikey_revoke(s, k3.id, NOW + 20, &got, &e), RG_OK);
    assert_int_equal(rg_apikey_authenticate_cached(&c, s, key3, strlen(key3), NOW + 19, &got, &e), RG_EPERM);

    /* unknown keys are refused each time; more good keys than slots all answer */
    char bad[RG_APIKEY_TEXT_MAX];
    rg_strlcpy(bad, key3, sizeof bad);
    bad[20] = bad[20] == 'A' ? 'B' : 'A';
    assert_int_equal(rg_apikey_authenticate_cached(&c, s, bad, strlen(bad), NOW + 30, &got, &e), RG_EPERM);
    assert_int_equal(rg_apikey_authenticate_cached(&c, s, bad, strlen(bad), NOW + 30, &got, &e), RG_EPERM);
    enum { MANY = RG_APIKEY_CACHE_SLOTS + 4 };
    static char many[MANY][RG_APIKEY_TEXT_MAX];
    int64_t ids[MANY];
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < MANY; i++) {
            if (round == 0) {
                assert_int_equal(rg_apikey_create(s, RG_ROLE_VIEWER, "m", NOW, &got, many[i], &e), RG_OK);
                ids[i] = got.id;
            }
            assert_int_equal(rg_apikey_authenticate_cached(&c, s, many[i], strlen(many[i]), NOW + 40, &got, &e), RG_OK);
            assert_int_equal(got.id, ids[i]);
        }
    rg_apikey_cache_destroy(&c);
    rg_store_close(s);
}

static void test_idempotency(void **state)
{
    (void)state;
    rg_store *s = open_store();
    rg_err e;
    rg_apikey_row a, b;
    char ka[RG_APIKEY_TEXT_MAX], kb[RG_APIKEY_TEXT_MAX];
    assert_int_equal(rg_apikey_create(s, RG_ROLE_ADMIN, "a", NOW, &a, ka, &e), RG_OK);
    assert_int_equal(rg_apikey_create(s, RG_ROLE_ADMIN, "b", NOW, &b, kb, &e), RG_OK);
    rg_idem_outcome out;
    rg_idem_answer ans;
    const char *body = "{\"type\":\"x\"}";
    assert_int_equal(rg_idem_begin(s, a.id, "k1", "POST", "/v1/events", body, strlen(body), NOW, &out, &ans, &e),
                     RG_OK);
    assert_int_equal(out, RG_IDEM_NEW);
    /* the same request while the first runs */
    assert_int_equal(rg_idem_begin(s, a.id, "k1", "POST", "/v1/events", body, strlen(body), NOW, &out, &ans, &e),
                     RG_OK);
    assert_int_equal(out, RG_IDEM_RUNNING);
    assert_int_equal(rg_idem_end(s, a.id, "k1", NOW, 201, "application/json", "{\"id\":7}", 8, &e), RG_OK);
    assert_int_equal(rg_idem_begin(s, a.id, "k1", "POST", "/v1/events", body, strlen(body), NOW + 10, &out, &ans, &e),
                     RG_OK);
    assert_int_equal(out, RG_IDEM_REPLAY);
    assert_int_equal(ans.status, 201);
    assert_string_equal(ans.content_type, "application/json");
    assert_int_equal(ans.body.len, 8);
    assert_memory_equal(ans.body.p, "{\"id\":7}", 8);
    rg_buf_free(&ans.body);
    /* another body, path or method with the key */
    assert_int_equal(rg_idem_begin(s, a.id, "k1", "POST", "/v1/events", "{}", 2, NOW, &out, &ans, &e), RG_OK);
    assert_int_equal(out, RG_IDEM_MISMATCH);
    assert_int_equal(rg_idem_begin(s, a.id, "k1", "POST", "/v1/payments", body, strlen(body), NOW, &out, &ans, &e),
                     RG_OK);
    assert_int_equal(out, RG_IDEM_MISMATCH);
    assert_int_equal(rg_idem_begin(s, a.id, "k1", "PATCH", "/v1/events", body, strlen(body), NOW, &out, &ans, &e),
                     RG_OK);
    assert_int_equal(out, RG_IDEM_MISMATCH);
    /* keys are per API key */
    assert_int_equal(rg_idem_begin(s, b.id, "k1", "POST", "/v1/events", "{}", 2, NOW, &out, &ans, &e), RG_OK);
    assert_int_equal(out, RG_IDEM_NEW);
    /* a 5xx gives the key up: the retry runs */
    assert_int_equal(rg_idem_end(s, b.id, "k1", NOW, 503, "application/problem+json", "{}", 2, &e), RG_OK);
    assert_int_equal(rg_idem_begin(s, b.id, "k1", "POST", "/v1/events", "{}", 2, NOW, &out, &ans, &e), RG_OK);
    assert_int_equal(out, RG_IDEM_NEW);
    /* a claim left running by a process that stopped is taken over after 10 minutes */
    assert_int_equal(rg_idem_begin(s, b.id, "k1", "POST", "/v1/events", "{}", 2,
                                   NOW + RG_IDEM_ABANDONED_SECONDS - 1, &out, &ans, &e),
                     RG_OK);
    assert_int_equal(out, RG_IDEM_RUNNING);
    assert_int_equal(rg_idem_begin(s, b.id, "k1", "POST", "/v1/events", "{}", 2, NOW + RG_IDEM_ABANDONED_SECONDS + 1,
                                   &out, &ans, &e),
                     RG_OK);
    assert_int_equal(out, RG_IDEM_NEW);
    /* after 24 hours the key is new again, for any request */
    assert_int_equal(rg_idem_begin(s, a.id, "k1", "POST", "/v1/other", "{}", 2, NOW + RG_IDEM_TTL_SECONDS - 1, &out,
                                   &ans, &e),
                     RG_OK);
    assert_int_equal(out, RG_IDEM_MISMATCH);
    assert_int_equal(rg_idem_begin(s, a.id, "k1", "POST", "/v1/other", "{}", 2, NOW + RG_IDEM_TTL_SECONDS + 1, &out,
                                   &ans, &e),
                     RG_OK);
    assert_int_equal(out, RG_IDEM_NEW);
    /* bad keys */
    assert_int_equal(rg_idem_begin(s, a.id, "", "POST", "/v1/x", "", 0, NOW, &out, &ans, &e), RG_EINVAL);
    assert_string_equal(e.where, "Idempotency-Key");
    assert_int_equal(rg_idem_begin(s, a.id, "a b", "POST", "/v1/x", "", 0, NOW, &out, &ans, &e), RG_EINVAL);
    char long_key[300];
    memset(long_key, 'k', sizeof long_key - 1);
    long_key[sizeof long_key - 1] = '\0';
    assert_int_equal(rg_idem_begin(s, a.id, long_key, "POST", "/v1/x", "", 0, NOW, &out, &ans, &e), RG_EINVAL);
    long_key[RG_IDEM_KEY_MAX] = '\0';
    assert_int_equal(rg_idem_begin(s, a.id, long_key, "POST", "/v1/x", "", 0, NOW, &out, &ans, &e), RG_OK);
    assert_int_equal(out, RG_IDEM_NEW);
    rg_store_close(s);
}

/* The row of (api key, key): status and created_at. */
static void idem_row(rg_store *s, int64_t api_key_id, const char *key, int *status, rg_instant *created_at)
{
    rg_idem_row row;
    bool found = false;
    rg_err e;
    assert_int_equal(rg_store_idem_get(s, api_key_id, key, &row, NULL, &found, &e), RG_OK);
    assert_true(found);
    *status = row.status;
    *created_at = row.created_at;
}

/* One write transaction on s, as a service's: an API key revoked. */
static rg_status a_write(rg_store *s, int64_t id, rg_err *e)
{
    rg_apikey_row k;
    return rg_apikey_revoke(s, id, NOW, &k, e);
}

/* The operation's own commit marks the key carried out: a process that
 * stops before recording the answer leaves a key that is never carried
 * out again (before: it was taken over after 10 minutes and run twice). */
static void test_idempotency_carried_out(void **state)
{
    (void)state;
    rg_store *s = open_store();
    rg_err e;
    rg_apikey_row a, v1, v2, v3;
    char k[RG_APIKEY_TEXT_MAX];
    assert_int_equal(rg_apikey_create(s, RG_ROLE_ADMIN, "a", NOW, &a, k, &e), RG_OK);
    assert_int_equal(rg_apikey_create(s, RG_ROLE_VIEWER, "v1", NOW, &v1, k, &e), RG_OK);
    assert_int_equal(rg_apikey_create(s, RG_ROLE_VIEWER, "v2", NOW, &v2, k, &e), RG_OK);
    assert_int_equal(rg_apikey_create(s, RG_ROLE_VIEWER, "v3", NOW, &v3, k, &e), RG_OK);
    rg_idem_outcome out;
    rg_idem_answer ans;
    int status;
    rg_instant at;
    /* claimed, carried out (committed), then the process stops */
    assert_int_equal(rg_idem_begin(s, a.id, "c1", "POST", "/v1/x", "{}", 2, NOW, &out, &ans, &e), RG_OK);
    assert_int_equal(out, RG_IDEM_NEW);
    assert_int_equal(ans.claimed_at, NOW);
    assert_true(rg_store_idem_armed(s));
    idem_row(s, a.id, "c1", &status, &at);
    assert_int_equal(status, 0);
    assert_int_equal(a_write(s, v1.id, &e), RG_OK);
    idem_row(s, a.id, "c1", &status, &at);
    assert_int_equal(status, RG_IDEM_CARRIED_OUT);
    rg_store_idem_disarm(s); /* the "crash": no rg_idem_end */
    /* soon after: still its first request's (retry) */
    assert_int_equal(rg_idem_begin(s, a.id, "c1", "POST", "/v1/x", "{}", 2, NOW + 5, &out, &ans, &e), RG_OK);
    assert_int_equal(out, RG_IDEM_RUNNING);
    /* long after: not taken over, not run again: unanswered */
    assert_int_equal(rg_idem_begin(s, a.id, "c1", "POST", "/v1/x", "{}", 2, NOW + RG_IDEM_ABANDONED_SECONDS + 1, &out,
                                   &ans, &e),
                     RG_OK);
    assert_int_equal(out, RG_IDEM_UNANSWERED);
    assert_false(rg_store_idem_armed(s));
    /* the same request with another body is still another request */
    assert_int_equal(rg_idem_begin(s, a.id, "c1", "POST", "/v1/x", "{ }", 3, NOW + RG_IDEM_ABANDONED_SECONDS + 1,
                                   &out, &ans, &e),
                     RG_OK);
    assert_int_equal(out, RG_IDEM_MISMATCH);
    /* a claim that was NOT carried out (stopped before its commit) is taken over */
    assert_int_equal(rg_idem_begin(s, a.id, "c2", "POST", "/v1/x", "{}", 2, NOW, &out, &ans, &e), RG_OK);
    assert_int_equal(out, RG_IDEM_NEW);
    rg_store_idem_disarm(s);
    assert_int_equal(rg_idem_begin(s, a.id, "c2", "POST", "/v1/x", "{}", 2, NOW + RG_IDEM_ABANDONED_SECONDS + 1, &out,
                                   &ans, &e),
                     RG_OK);
    assert_int_equal(out, RG_IDEM_NEW);
    assert_int_equal(ans.claimed_at, NOW + RG_IDEM_ABANDONED_SECONDS + 1);
    /* ... and the first one, still running after all, cannot commit any more */
    rg_store_idem_arm(s, a.id, "c2", NOW);
    assert_int_equal(a_write(s, v2.id, &e), RG_ECONFLICT);
    assert_string_equal(e.where, "Idempotency-Key");
    rg_apikey_row after;
    bool found;
    assert_int_equal(rg_store_apikey_get(s, NULL, v2.id, &after, &found, &e), RG_OK);
    assert_int_equal(after.revoked_at, RG_INSTANT_NONE); /* nothing of it written */
    /* nor record an answer over the new claim's */
    assert_int_equal(rg_idem_end(s, a.id, "c2", NOW, 200, "application/json", "{}", 2, &e), RG_OK);
    idem_row(s, a.id, "c2", &status, &at);
    assert_int_equal(status, 0);
    assert_int_equal(at, NOW + RG_IDEM_ABANDONED_SECONDS + 1);
    /* a 5xx after the operation was carried out does not give the key up */
    assert_int_equal(rg_idem_begin(s, a.id, "c3", "POST", "/v1/x", "{}", 2, NOW, &out, &ans, &e), RG_OK);
    assert_int_equal(a_write(s, v3.id, &e), RG_OK);
    assert_int_equal(rg_idem_end(s, a.id, "c3", NOW, 500, "application/problem+json", "{}", 2, &e), RG_OK);
    assert_false(rg_store_idem_armed(s));
    idem_row(s, a.id, "c3", &status, &at);
    assert_int_equal(status, RG_IDEM_CARRIED_OUT);
    /* reads end without marking: a read transaction, or nothing */
    assert_int_equal(rg_idem_begin(s, a.id, "c4", "POST", "/v1/x", "{}", 2, NOW, &out, &ans, &e), RG_OK);
    assert_int_equal(rg_store_begin_read(s, &e), RG_OK);
    assert_int_equal(rg_store_apikey_get(s, NULL, v3.id, &after, &found, &e), RG_OK);
    assert_int_equal(rg_store_commit(s, &e), RG_OK);
    idem_row(s, a.id, "c4", &status, &at);
    assert_int_equal(status, 0);
    /* the answer recorded normally: replayed */
    assert_int_equal(rg_idem_end(s, a.id, "c4", NOW, 404, "application/problem+json", "{}", 2, &e), RG_OK);
    assert_int_equal(rg_idem_begin(s, a.id, "c4", "POST", "/v1/x", "{}", 2, NOW + 1, &out, &ans, &e), RG_OK);
    assert_int_equal(out, RG_IDEM_REPLAY);
    assert_int_equal(ans.status, 404);
    rg_buf_free(&ans.body);
    rg_store_close(s);
}

static void test_cursor(void **state)
{
    (void)state;
    char buf[64];
    int64_t id = 0;
    const int64_t ids[] = {1, 2, 50, 123456789, INT64_MAX};
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
        rg_api_cursor_make(ids[i], buf, sizeof buf);
        assert_true(strlen(buf) > 0);
        assert_null(strpbrk(buf, "+/=&?# "));
        assert_true(rg_api_cursor_parse(buf, &id));
        assert_int_equal(id, ids[i]);
    }
    rg_api_cursor_make(2, buf, sizeof buf);
    assert_string_equal(buf, "aWQ6Mg"); /* base64url("id:2"): what the e2e test saw */
    const char *bad[] = {"", "2", "aWQ6", "aWQ6MA", "aWQ6LTE", "aWQ6MDI", "aWQ6Mg==", "aWQ6Mg!", "eDoy",
                         "aWQ6OTIyMzM3MjAzNjg1NDc3NTgwOA", "aWQ6MiA"};
    /* "id:" alone, "id:0", "id:-1", "id:02", padding, a stray character,
     * "x:2", "id:" INT64_MAX+1, "id:2 " */
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (rg_api_cursor_parse(bad[i], &id))
            fail_msg("cursor '%s' was accepted", bad[i]);
    }
    /* a buffer too small gets "" */
    char small[4];
    rg_api_cursor_make(7, small, sizeof small);
    assert_string_equal(small, "");
}

static void test_status_http(void **state)
{
    (void)state;
    assert_int_equal(rg_status_http(RG_EINVAL), 422);
    assert_int_equal(rg_status_http(RG_ENOTFOUND), 404);
    assert_int_equal(rg_status_http(RG_ECONFLICT), 409);
    assert_int_equal(rg_status_http(RG_EPERM), 403);
    assert_int_equal(rg_status_http(RG_EBUSY), 503);
    assert_int_equal(rg_status_http(RG_ESTORE), 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash),       cmocka_unit_test(test_roles),  cmocka_unit_test(test_keys),
        cmocka_unit_test(test_key_cache),
        cmocka_unit_test(test_idempotency), cmocka_unit_test(test_idempotency_carried_out),
        cmocka_unit_test(test_cursor), cmocka_unit_test(test_status_http),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
