/* The dashboard's users and sessions (service/users): email rules, Argon2id
 * hashes, sessions hashed and expiring, CSRF tokens, disabling, and the
 * login rate limit per email and per address with its window. */
#include "test.h"

#include <sodium.h>

#include "service/users.h"
#include "store/store.h"

static rg_store *open_store(void)
{
    rg_store *s = NULL;
    rg_err e;
    assert_int_equal(rg_store_open(":memory:", &s, &e), RG_OK);
    return s;
}

static void test_email_rules(void **state)
{
    (void)state;
    char out[RG_EMAIL_MAX + 1];
    rg_err e;
    assert_int_equal(rg_user_email_norm("Ana.Silva@Example.COM", "email", out, &e), RG_OK);
    assert_string_equal(out, "ana.silva@example.com");
    const char *bad[] = {"", "ab", "ana", "@example.com", "ana@", "a@b@c", "ana silva@example.com", "ana\t@x.com"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        rg_err_clear(&e);
        assert_int_equal(rg_user_email_norm(bad[i], "email", out, &e), RG_EINVAL);
        assert_string_equal(e.where, "email");
    }
    char longer[300];
    memset(longer, 'a', sizeof longer);
    memcpy(longer + 280, "@example.com", 13);
    assert_int_equal(rg_user_email_norm(longer, "email", out, &e), RG_EINVAL);
}

static void test_create_and_disable(void **state)
{
    (void)state;
    rg_store *s = open_store();
    rg_err e;
    rg_user_row u;
    assert_int_equal(rg_user_create(s, "Ana@Example.com", RG_ROLE_OPERATOR, "senha-boa-123", 100, &u, &e), RG_OK);
    assert_true(u.id > 0);
    assert_string_equal(u.email, "ana@example.com");
    assert_string_equal(u.role, "operator");
    char hash[256];
    bool found = false;
    assert_int_equal(rg_store_user_get(s, "ana@example.com", &u, hash, sizeof hash, &found, &e), RG_OK);
    assert_true(found);
    assert_int_equal(strncmp(hash, "$argon2id$", 10), 0);
    assert_int_equal(crypto_pwhash_str_verify(hash, "senha-boa-123", 13), 0);

    assert_int_equal(rg_user_create(s, "ANA@example.com", RG_ROLE_VIEWER, "outra-senha-1", 100, &u, &e), RG_ECONFLICT);
    assert_int_equal(rg_user_create(s, "bia@example.com", RG_ROLE_VIEWER, "123456789", 100, &u, &e), RG_EINVAL);
    assert_non_null(strstr(e.msg, "at least 10"));
    assert_int_equal(rg_user_create(s, "bia@example.com", RG_ROLE_NONE, "1234567890", 100, &u, &e), RG_EINVAL);
    assert_string_equal(e.where, "role");

    rg_login_outcome o;
    rg_session sess;
    assert_int_equal(rg_user_login(s, "ana@example.com", "senha-boa-123", "10.0.0.1", 200, &o, &sess, &e), RG_OK);
    assert_int_equal(o, RG_LOGIN_OK);
    char token[RG_SESSION_TOKEN_MAX];
    rg_strlcpy(token, sess.token, sizeof token);
    bool valid = false;
    assert_int_equal(rg_user_session(s, token, 300, &sess, &valid, &e), RG_OK);
    assert_true(valid);
    assert_int_equal(rg_user_disable(s, "Ana@example.com", 400, &u, &e), RG_OK);
    assert_int_equal(u.disabled_at, 400);
    assert_int_equal(rg_user_session(s, token, 500, &sess, &valid, &e), RG_OK);
    assert_false(valid);
    assert_int_equal(rg_user_disable(s, "ana@example.com", 500, &u, &e), RG_ECONFLICT);
    assert_int_equal(rg_user_disable(s, "zeca@example.com", 500, &u, &e), RG_ENOTFOUND);
    assert_int_equal(rg_user_login(s, "ana@example.com", "senha-boa-123", "10.0.0.1", 600, &o, &sess, &e), RG_OK);
    assert_int_equal(o, RG_LOGIN_BAD);
    rg_store_close(s);
}

static void test_sessions(void **state)
{
    (void)state;
    rg_store *s = open_store();
    rg_err e;
    rg_user_row u;
    assert_int_equal(rg_user_create(s, "v@example.com", RG_ROLE_VIEWER, "senha-boa-123", 0, &u, &e), RG_OK);
    rg_login_outcome o;
    rg_session a, b, got;
    assert_int_equal(rg_user_login(s, "v@example.com", "senha-boa-123", "ip", 1000, &o, &a, &e), RG_OK);
    assert_int_equal(o, RG_LOGIN_OK);
    assert_int_equal(a.role, RG_ROLE_VIEWER);
    assert_int_equal(a.expires_at, 1000 + RG_SESSION_SECONDS);
    assert_int_equal(strlen(a.token), 43);
    assert_int_equal(rg_user_login(s, "v@example.com", "senha-boa-123", "ip", 1000, &o, &b, &e), RG_OK);
    assert_string_not_equal(a.token, b.token);
    assert_string_not_equal(a.csrf, b.csrf);
    char csrf[65];
    rg_session_csrf(a.token, csrf);
    assert_string_equal(csrf, a.csrf);

    bool valid = false;
    assert_int_equal(rg_user_session(s, a.token, 1000 + RG_SESSION_SECONDS - 1, &got, &valid, &e), RG_OK);
    assert_true(valid);
    assert_string_equal(got.csrf, a.csrf);
    assert_string_equal(got.user.email, "v@example.com");
    assert_int_equal(rg_user_session(s, a.token, 1000 + RG_SESSION_SECONDS, &got, &valid, &e), RG_OK);
    assert_false(valid); /* expired */
    const char *junk[] = {"", "x", "abc/def", "' OR 1=1 --"};
    for (size_t i = 0; i < sizeof junk / sizeof *junk; i++) {
        assert_int_equal(rg_user_session(s, junk[i], 1001, &got, &valid, &e), RG_OK);
        assert_false(valid);
    }
    assert_int_equal(rg_user_logout(s, b.token, &e), RG_OK);
    assert_int_equal(rg_user_session(s, b.token, 1001, &got, &valid, &e), RG_OK);
    assert_false(valid);
    rg_store_close(s);
}

static void test_rate_limit(void **state)
{
    (void)state;
    rg_store *s = open_store();
    rg_err e;
    rg_user_row u;
    assert_int_equal(rg_user_create(s, "v@example.com", RG_ROLE_VIEWER, "senha-boa-123", 0, &u, &e), RG_OK);
    rg_login_outcome o;
    rg_session sess;
    rg_instant t = 10000;
    for (int i = 0; i < RG_LOGIN_MAX_PER_EMAIL; i++) {
        assert_int_equal(rg_user_login(s, "v@example.com", "errada-errada", "1.1.1.1", t + i, &o, &sess, &e), RG_OK);
        assert_int_equal(o, RG_LOGIN_BAD);
    }
    /* the right password waits out the window, from any address */
    assert_int_equal(rg_user_login(s, "V@example.com", "senha-boa-123", "2.2.2.2", t + 10, &o, &sess, &e), RG_OK);
    assert_int_equal(o, RG_LOGIN_LIMITED);
    assert_int_equal(rg_user_login(s, "v@example.com", "senha-boa-123", "2.2.2.2", t + RG_LOGIN_WINDOW_SECONDS, &o,
                                   &sess, &e),
                     RG_OK);
    assert_int_equal(o, RG_LOGIN_LIMITED);
    /* the window counts from each failure: one second later the first has left it */
    assert_int_equal(rg_user_login(s, "v@example.com", "senha-boa-123", "2.2.2.2", t + RG_LOGIN_WINDOW_SECONDS + 1,
                                   &o, &sess, &e),
                     RG_OK);
    assert_int_equal(o, RG_LOGIN_OK);
    /* a good login forgets the email's failures */
    int64_t by_email = -1, by_ip = -1;
    assert_int_equal(rg_store_login_failures(s, "v@example.com", "1.1.1.1", 0, &by_email, &by_ip, &e), RG_OK);
    assert_int_equal(by_email, 0);
    assert_int_equal(by_ip, RG_LOGIN_MAX_PER_EMAIL);

    /* per address: RG_LOGIN_MAX_PER_IP failures over many emails */
    t = 100000;
    for (int i = 0; i < RG_LOGIN_MAX_PER_IP; i++) {
        char email[64];
        snprintf(email, sizeof email, "x%d@example.com", i);
        assert_int_equal(rg_user_login(s, email, "errada-errada", "3.3.3.3", t, &o, &sess, &e), RG_OK);
        assert_int_equal(o, RG_LOGIN_BAD);
    }
    assert_int_equal(rg_user_login(s, "v@example.com", "senha-boa-123", "3.3.3.3", t + 1, &o, &sess, &e), RG_OK);
    assert_int_equal(o, RG_LOGIN_LIMITED);
    assert_int_equal(rg_user_login(s, "v@example.com", "senha-boa-123", "4.4.4.4", t + 1, &o, &sess, &e), RG_OK);
    assert_int_equal(o, RG_LOGIN_OK);
    /* failures older than a day are deleted when the next one is recorded */
    assert_int_equal(rg_user_login(s, "v@example.com", "errada-errada", "5.5.5.5", t + 86400 + 1, &o, &sess, &e),
                     RG_OK);
    assert_int_equal(rg_store_login_failures(s, "x0@example.com", "3.3.3.3", 0, &by_email, &by_ip, &e), RG_OK);
    assert_int_equal(by_ip, 0);
    rg_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_email_rules),
        cmocka_unit_test(test_create_and_disable),
        cmocka_unit_test(test_sessions),
        cmocka_unit_test(test_rate_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
