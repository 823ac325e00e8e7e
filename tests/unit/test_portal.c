/* service/portal (links, form secrets) and base/ratelimit. */
#include "test.h"

#include <stdlib.h>

#include "base/ratelimit.h"
#include "service/portal.h"
#include "service/token.h"

static const char *secret = "0123456789abcdef-secret";

static void test_link_round_trip(void **state)
{
    (void)state;
    rg_config c;
    rg_config_defaults(&c);
    rg_buf b = RG_BUF_INIT;
    rg_err e;
    /* no public_url: refused naming it */
    assert_int_equal(rg_portal_link(&c, 7, 1800000000, &b, &e), RG_EUSAGE);
    assert_string_equal(e.where, "public_url");
    rg_strlcpy(c.public_url, "https://cobranca.exemplo.com.br/", sizeof c.public_url);
    rg_strlcpy(c.secret_env, "RG_TEST_PORTAL_SECRET", sizeof c.secret_env);
    unsetenv("RG_TEST_PORTAL_SECRET");
    assert_int_equal(rg_portal_link(&c, 7, 1800000000, &b, &e), RG_EUSAGE);
    assert_string_equal(e.where, "RG_TEST_PORTAL_SECRET");
    setenv("RG_TEST_PORTAL_SECRET", secret, 1);
    rg_buf_reset(&b);
    assert_int_equal(rg_portal_link(&c, 1234567, 1800000000, &b, &e), RG_OK);
    const char *prefix = "https://cobranca.exemplo.com.br/p/"; /* one '/' before p */
    assert_memory_equal(b.p, prefix, strlen(prefix));
    const char *tok = b.p + strlen(prefix);
    size_t n = strlen(tok);
    assert_int_equal(n, 47); /* a 7-digit customer id: 24 + "." + 22 (docs/portal.md) */
    int64_t id;
    rg_instant exp;
    assert_int_equal(rg_portal_token_read(secret, tok, n, &id, &exp, &e), RG_OK);
    assert_int_equal(id, 1234567);
    assert_int_equal(exp, 1800000000);
    /* tampered, another secret, another kind: not a portal link */
    char *t = rg_strdup(tok);
    t[1] = t[1] == 'A' ? 'B' : 'A';
    assert_int_equal(rg_portal_token_read(secret, t, n, &id, &exp, &e), RG_EPERM);
    assert_int_equal(id, 0);
    free(t);
    assert_int_equal(rg_portal_token_read("another-secret-0123", tok, n, &id, &exp, &e), RG_EPERM);
    rg_buf other = RG_BUF_INIT;
    assert_int_equal(rg_token_sign(secret, "u", "7.1800000000", 12, &other, &e), RG_OK);
    assert_int_equal(rg_portal_token_read(secret, other.p, other.len, &id, &exp, &e), RG_EPERM);
    /* signed, but not "ID.EXPIRES" */
    rg_buf_reset(&other);
    assert_int_equal(rg_token_sign(secret, "p", "x.1800000000", 12, &other, &e), RG_OK);
    assert_int_equal(rg_portal_token_read(secret, other.p, other.len, &id, &exp, &e), RG_EPERM);
    rg_buf_free(&other);
    rg_buf_free(&b);
    unsetenv("RG_TEST_PORTAL_SECRET");
}

static void test_form_secret(void **state)
{
    (void)state;
    char f[RG_PORTAL_FORM_SECRET_LEN], g[RG_PORTAL_FORM_SECRET_LEN];
    assert_true(rg_portal_form_secret(secret, "abc.def", 7, f));
    assert_int_equal(strlen(f), RG_PORTAL_FORM_SECRET_LEN - 1);
    assert_true(rg_portal_form_secret_ok(secret, "abc.def", 7, f));
    assert_true(rg_portal_form_secret(secret, "abc.deg", 7, g));
    assert_string_not_equal(f, g); /* per link */
    assert_false(rg_portal_form_secret_ok(secret, "abc.deg", 7, f));
    assert_false(rg_portal_form_secret_ok(secret, "abc.def", 7, NULL));
    assert_false(rg_portal_form_secret_ok(secret, "abc.def", 7, ""));
    assert_false(rg_portal_form_secret_ok(NULL, "abc.def", 7, f));
    /* not the link's own signature: knowing the token is not knowing the form secret */
    assert_false(rg_portal_form_secret_ok(secret, "abc.def", 7, "def"));
}

static void test_rate_limit(void **state)
{
    (void)state;
    rg_rate *r = rg_rate_new();
    assert_non_null(r);
    rg_instant t = 1800000000 - 1800000000 % 60; /* a minute's start */
    for (int i = 0; i < 3; i++)
        assert_true(rg_rate_hit(r, "a", 1, 3, t + i));
    assert_false(rg_rate_hit(r, "a", 1, 3, t + 30)); /* the 4th in the minute */
    assert_true(rg_rate_hit(r, "b", 1, 3, t + 30));  /* another key counts alone */
    assert_true(rg_rate_hit(r, "a", 1, 3, t + 60));  /* the next minute starts again */
    assert_true(rg_rate_hit(r, "a", 1, 0, t + 61));  /* 0: no limit */
    rg_rate_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_link_round_trip),
        cmocka_unit_test(test_form_secret),
        cmocka_unit_test(test_rate_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
