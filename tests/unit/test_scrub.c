/*
 * channel/scrub: secrets and their encodings (percent, JSON, base64 alone
 * and at every alignment inside a longer base64 text, the AUTH PLAIN and
 * Basic blobs), authentication header values, texts cut inside a secret,
 * registration from a configuration, the log filter. The base64 the tests
 * compare against comes from libsodium, not from the module's encoder.
 */
#include "test.h"

#include <sodium.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "channel/scrub.h"
#include "config/config.h"

#define SECRET "EAAG-t0k3n/with+Special=chars"

static int reset(void **state)
{
    (void)state;
    rg_scrub_reset();
    return 0;
}

/* base64 (standard, padded) of n bytes, by libsodium. */
static char *b64(const void *p, size_t n)
{
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *out = malloc(cap);
    assert_non_null(out);
    sodium_bin2base64(out, cap, p, n, sodium_base64_VARIANT_ORIGINAL);
    return out;
}

/* The characters of the encoding of `a` bytes then s that depend on s alone. */
static char *core(const char *s, size_t a)
{
    size_t n = strlen(s);
    unsigned char buf[256] = {0};
    memcpy(buf + a, s, n);
    char *all = b64(buf, a + n);
    size_t i0 = (8 * a + 5) / 6, i1 = 8 * (a + n) / 6;
    memmove(all, all + i0, i1 - i0);
    all[i1 - i0] = '\0';
    return all;
}

static void test_literal_and_encodings(void **state)
{
    (void)state;
    rg_scrub_register(SECRET);
    char t[256];
    snprintf(t, sizeof t, "HTTP 401: invalid token %s (code 190)", SECRET);
    assert_int_equal(rg_scrub(t, sizeof t), 1);
    assert_string_equal(t, "HTTP 401: invalid token [redacted] (code 190)");
    /* percent-encoded in a query string, JSON-escaped with \/ */
    snprintf(t, sizeof t, "GET /x?access=EAAG-t0k3n%%2Fwith%%2BSpecial%%3Dchars&y=1");
    assert_int_equal(rg_scrub(t, sizeof t), 1);
    assert_string_equal(t, "GET /x?access=[redacted]&y=1");
    snprintf(t, sizeof t, "{\"echo\":\"EAAG-t0k3n\\/with+Special=chars\"}");
    assert_int_equal(rg_scrub(t, sizeof t), 1);
    assert_string_equal(t, "{\"echo\":\"[redacted]\"}");
    /* scrubbing twice changes nothing more */
    assert_int_equal(rg_scrub(t, sizeof t), 0);
    /* an unrelated text is untouched */
    snprintf(t, sizeof t, "nothing to see: EAAG-other");
    assert_int_equal(rg_scrub(t, sizeof t), 0);
    assert_string_equal(t, "nothing to see: EAAG-other");
}

static void test_base64_everywhere(void **state)
{
    (void)state;
    rg_scrub_register(SECRET);
    char *alone = b64(SECRET, strlen(SECRET));
    char t[512];
    snprintf(t, sizeof t, "AUTH LOGIN answer: %s.", alone);
    assert_true(rg_scrub(t, sizeof t) >= 1);
    assert_string_equal(t, "AUTH LOGIN answer: [redacted].");
    free(alone);
    /* inside longer base64 texts, with 0..8 bytes before and after */
    for (size_t pre = 0; pre < 9; pre++) {
        for (size_t post = 0; post < 4; post++) {
            unsigned char blob[128];
            size_t n = 0;
            for (size_t i = 0; i < pre; i++)
                blob[n++] = (unsigned char)(0x41 + i * 7);
            memcpy(blob + n, SECRET, strlen(SECRET));
            n += strlen(SECRET);
            for (size_t i = 0; i < post; i++)
                blob[n++] = (unsigned char)(0xF0 - i);
            char *enc = b64(blob, n);
            snprintf(t, sizeof t, "535 5.7.8 bad credentials %s", enc);
            assert_true(rg_scrub(t, sizeof t) >= 1);
            char *c = core(SECRET, pre % 3);
            assert_null(strstr(t, c));
            assert_non_null(strstr(t, "[redacted]"));
            free(c);
            free(enc);
        }
    }
}

static void test_login_blobs(void **state)
{
    (void)state;
    rg_scrub_register_login("cobranca@exemplo.com.br", "s3nh@-Secreta!");
    char plain[128], t[512];
    size_t n = (size_t)snprintf(plain, sizeof plain, "cobranca@exemplo.com.br%c", 0);
    n += (size_t)snprintf(plain + n, sizeof plain - n, "cobranca@exemplo.com.br%c", 0);
    n += (size_t)snprintf(plain + n, sizeof plain - n, "s3nh@-Secreta!");
    char *blob = b64(plain, n);
    snprintf(t, sizeof t, "535 5.7.8 AUTH PLAIN %s rejected", blob);
    assert_int_equal(rg_scrub(t, sizeof t), 1);
    assert_string_equal(t, "535 5.7.8 AUTH PLAIN [redacted] rejected");
    free(blob);
    char *basic = b64("cobranca@exemplo.com.br:s3nh@-Secreta!", 38);
    snprintf(t, sizeof t, "{\"echo\": \"Basic %s\"}", basic);
    assert_int_equal(rg_scrub(t, sizeof t), 1);
    assert_string_equal(t, "{\"echo\": \"Basic [redacted]\"}");
    free(basic);
    /* the user name alone is not a secret */
    snprintf(t, sizeof t, "from cobranca@exemplo.com.br");
    assert_int_equal(rg_scrub(t, sizeof t), 0);
}

static void test_headers(void **state)
{
    (void)state;
    /* nothing registered: the header rule holds anyway */
    char t[512];
    snprintf(t, sizeof t, "rejected request with Authorization: Bearer EAAGxyz.abc_def-1 from 10.0.0.1");
    assert_int_equal(rg_scrub(t, sizeof t), 1);
    assert_string_equal(t, "rejected request with Authorization: Bearer [redacted] from 10.0.0.1");
    snprintf(t, sizeof t, "{\"headers\":{\"authorization\":\"Basic dXNlcjpwYXNz\",\"X-API-TOKEN\":\"k-123\"}}");
    assert_int_equal(rg_scrub(t, sizeof t), 2);
    assert_string_equal(t, "{\"headers\":{\"authorization\":\"Basic [redacted]\",\"X-API-TOKEN\":\"[redacted]\"}}");
    snprintf(t, sizeof t, "echo: \\\"X-Api-Key\\\": \\\"abc\\\" and access_token=zzz&x=1");
    assert_int_equal(rg_scrub(t, sizeof t), 2);
    assert_string_equal(t, "echo: \\\"X-Api-Key\\\": \\\"[redacted]\\\" and access_token=[redacted]&x=1");
    /* a name in prose, without a value, stays */
    snprintf(t, sizeof t, "authorization failed; x-api-token missing; the password was wrong");
    assert_int_equal(rg_scrub(t, sizeof t), 0);
    /* a header a configuration declares secret */
    snprintf(t, sizeof t, "X-Zenvia-Token: zv-9 refused");
    assert_int_equal(rg_scrub(t, sizeof t), 0);
    rg_scrub_register_header("X-Zenvia-Token");
    assert_int_equal(rg_scrub(t, sizeof t), 1);
    assert_string_equal(t, "X-Zenvia-Token: [redacted] refused");
    assert_int_equal(rg_scrub(t, sizeof t), 0);
}

static void test_cut_and_fit(void **state)
{
    (void)state;
    rg_scrub_register(SECRET);
    /* a text cut inside the secret before it got here */
    char t[64];
    snprintf(t, sizeof t, "HTTP 400: bad token EAAG-t0k3n/wi");
    assert_int_equal(rg_scrub(t, sizeof t), 1);
    assert_string_equal(t, "HTTP 400: bad token [redacted]");
    /* the mark is longer than the secret's short forms: the result is cut
     * to the buffer, never inside a UTF-8 character */
    rg_scrub_register("abcd");
    char small[16];
    snprintf(small, sizeof small, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9 abcd");
    assert_int_equal(rg_scrub(small, sizeof small), 1);
    assert_string_equal(small, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9 [redac");
    char tiny[12];
    rg_scrub_copy(tiny, sizeof tiny, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9 abcd");
    assert_string_equal(tiny, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
    /* short values are not secrets: they would blank ordinary words */
    rg_scrub_register("abc");
    char w[32] = "abc abc";
    assert_int_equal(rg_scrub(w, sizeof w), 0);
    /* a buffer grows */
    rg_buf b = RG_BUF_INIT;
    rg_buf_puts(&b, "x abcd abcd y");
    assert_int_equal(rg_scrub_buf(&b), 2);
    assert_string_equal(rg_buf_cstr(&b), "x [redacted] [redacted] y");
    rg_buf_free(&b);
    char *d = rg_scrub_dup("{\"k\": \"abcd\"}");
    assert_string_equal(d, "{\"k\": \"[redacted]\"}");
    free(d);
    assert_null(rg_scrub_dup(NULL));
}

static void test_register_config(void **state)
{
    (void)state;
    rg_config cfg;
    rg_config_defaults(&cfg);
    setenv("RG_SCRUB_T_WA", "wa-token-0001", 1);
    setenv("RG_SCRUB_T_USER", "ACuser42", 1);
    setenv("RG_SCRUB_T_PASS", "sms-pass-0002", 1);
    setenv("RG_SCRUB_T_HDR", "hdr-token-0003", 1);
    setenv("RG_SCRUB_T_APP", "app-secret-0004", 1);
    setenv("RG_SCRUB_T_REGUA", "the-token-secret-0005", 1);
    unsetenv("RG_SCRUB_T_UNSET");
    const char *yaml = "secret_env: RG_SCRUB_T_REGUA\n"
                       "channels:\n"
                       "  whatsapp: {driver: whatsapp_cloud, phone_number_id: '1', token_env: RG_SCRUB_T_WA,"
                       " app_secret_env: RG_SCRUB_T_APP, verify_token_env: RG_SCRUB_T_UNSET}\n"
                       "  sms:\n"
                       "    driver: http\n"
                       "    url: http://x/\n"
                       "    body: '{}'\n"
                       "    username_env: RG_SCRUB_T_USER\n"
                       "    password_env: RG_SCRUB_T_PASS\n"
                       "    headers: {X-Provider-Key: \"k ${RG_SCRUB_T_HDR}\"}\n";
    rg_err e;
    assert_int_equal(rg_config_parse(&cfg, "regua.yaml", ".", yaml, strlen(yaml), &e), RG_OK);
    rg_scrub_register_config(&cfg);
    char t[512];
    char *basic = b64("ACuser42:sms-pass-0002", 22);
    snprintf(t, sizeof t,
             "wa-token-0001 sms-pass-0002 hdr-token-0003 app-secret-0004 the-token-secret-0005 ACuser42 %s"
             " X-Provider-Key: k-other",
             basic);
    free(basic);
    assert_int_equal(rg_scrub(t, sizeof t), 7);
    assert_string_equal(t, "[redacted] [redacted] [redacted] [redacted] [redacted] ACuser42 [redacted]"
                           " X-Provider-Key: [redacted]");
}

static void test_log_filter(void **state)
{
    (void)state;
    const char *path = rg_test_path("log.txt");
    fflush(stderr);
    int saved = dup(2);
    FILE *f = freopen(path, "w", stderr);
    assert_non_null(f);
    rg_scrub_register(SECRET);
    rg_warn("provider said: %s", SECRET);
    fflush(stderr);
    assert_int_not_equal(dup2(saved, 2), -1);
    close(saved);
    FILE *r = fopen(path, "r");
    assert_non_null(r);
    char line[256] = "";
    assert_non_null(fgets(line, sizeof line, r));
    fclose(r);
    assert_string_equal(line, "regua: warning: provider said: [redacted]\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_literal_and_encodings, reset),
        cmocka_unit_test_setup(test_base64_everywhere, reset),
        cmocka_unit_test_setup(test_login_blobs, reset),
        cmocka_unit_test_setup(test_headers, reset),
        cmocka_unit_test_setup(test_cut_and_fit, reset),
        cmocka_unit_test_setup(test_register_config, reset),
        cmocka_unit_test_setup(test_log_filter, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
