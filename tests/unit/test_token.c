#include "test.h"

#include <stdlib.h>

#include "service/token.h"

static void test_round_trip_and_tampering(void **state)
{
    (void)state;
    const char *secret = "0123456789abcdef-secret";
    rg_buf t = RG_BUF_INIT;
    rg_err e;
    const char *payload = "42|https://exemplo.com.br/pagar?x=1";
    assert_int_equal(rg_token_sign(secret, "c", payload, strlen(payload), &t, &e), RG_OK);
    char out[256];
    assert_int_equal(rg_token_verify(secret, "c", t.p, t.len, out, sizeof out, &e), RG_OK);
    assert_string_equal(out, payload);
    /* another kind, another secret, a changed payload or signature: refused */
    assert_int_equal(rg_token_verify(secret, "o", t.p, t.len, out, sizeof out, &e), RG_EPERM);
    assert_int_equal(rg_token_verify("another-secret-0123", "c", t.p, t.len, out, sizeof out, &e), RG_EPERM);
    char *tampered = rg_strdup(t.p);
    tampered[3] = tampered[3] == 'A' ? 'B' : 'A';
    assert_int_equal(rg_token_verify(secret, "c", tampered, strlen(tampered), out, sizeof out, &e), RG_EPERM);
    assert_string_equal(out, "");
    free(tampered);
    tampered = rg_strdup(t.p);
    tampered[t.len - 2] = tampered[t.len - 2] == 'A' ? 'B' : 'A';
    assert_int_equal(rg_token_verify(secret, "c", tampered, strlen(tampered), out, sizeof out, &e), RG_EPERM);
    free(tampered);
    assert_int_equal(rg_token_verify(secret, "c", "garbage", 7, out, sizeof out, &e), RG_EPERM);
    assert_int_equal(rg_token_verify(NULL, "c", t.p, t.len, out, sizeof out, &e), RG_EPERM);
    rg_buf_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_round_trip_and_tampering)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
