/*
 * The health registry (base/health.h): set, replace, clear, order, the
 * copies' limits and UTF-8 hygiene, the overflow report, and concurrent
 * use from several threads.
 */
#include "test.h"

#include <pthread.h>

#include "base/health.h"

static int reset(void **state)
{
    (void)state;
    rg_health_reset();
    return 0;
}

static void test_set_clear(void **state)
{
    (void)state;
    rg_health_reason r[4];
    assert_int_equal(rg_health_snapshot(r, 4), 0);
    rg_health_set("cadences", "cadences/x.yaml:3: unknown key 'dayz'");
    rg_health_setf("channel:email", "SMTP %d at AUTH: %s", 535, "wrong password");
    assert_int_equal(rg_health_snapshot(r, 4), 2);
    assert_string_equal(r[0].component, "cadences");
    assert_string_equal(r[0].reason, "cadences/x.yaml:3: unknown key 'dayz'");
    assert_string_equal(r[1].component, "channel:email");
    assert_string_equal(r[1].reason, "SMTP 535 at AUTH: wrong password");
    /* setting again replaces the reason and keeps the order */
    rg_health_set("cadences", "cadences/y.yaml:1: not a mapping");
    assert_int_equal(rg_health_snapshot(r, 4), 2);
    assert_string_equal(r[0].reason, "cadences/y.yaml:1: not a mapping");
    char why[64];
    assert_true(rg_health_get("channel:email", why, sizeof why));
    assert_string_equal(why, "SMTP 535 at AUTH: wrong password");
    assert_false(rg_health_get("channel:sms", NULL, 0));
    /* a short buffer: the total is still reported */
    assert_int_equal(rg_health_snapshot(r, 1), 2);
    assert_string_equal(r[0].component, "cadences");
    rg_health_clear("cadences");
    rg_health_clear("never-set"); /* nothing happens */
    assert_int_equal(rg_health_snapshot(r, 4), 1);
    assert_string_equal(r[0].component, "channel:email");
    rg_health_clear("channel:email");
    assert_int_equal(rg_health_snapshot(r, 4), 0);
    /* no reason reads "degraded" */
    rg_health_set("x", NULL);
    assert_int_equal(rg_health_snapshot(r, 4), 1);
    assert_string_equal(r[0].reason, "degraded");
}

static void test_text_hygiene(void **state)
{
    (void)state;
    rg_health_reason r[2];
    /* bytes that are not UTF-8 and control characters become '?' */
    rg_health_set("smtp", "535 5.7.8 \xff\xfe bad\r\ncredentials \xc3\xa7");
    assert_int_equal(rg_health_snapshot(r, 2), 1);
    assert_string_equal(r[0].reason, "535 5.7.8 ?? bad??credentials \xc3\xa7");
    rg_health_reset();
    /* a long reason is cut at a character boundary, never inside one */
    char big[2000];
    size_t o = 0;
    while (o + 2 < sizeof big) {
        big[o++] = '\xc3';
        big[o++] = '\xa7'; /* ç */
    }
    big[o] = '\0';
    rg_health_set("long", big);
    assert_int_equal(rg_health_snapshot(r, 2), 1);
    size_t len = strlen(r[0].reason);
    assert_true(len <= RG_HEALTH_REASON_MAX);
    assert_true(len >= RG_HEALTH_REASON_MAX - 1);
    assert_int_equal(len % 2, 0);
    assert_int_equal((unsigned char)r[0].reason[len - 1], 0xa7);
}

static void test_overflow(void **state)
{
    (void)state;
    char name[32];
    for (int i = 0; i < RG_HEALTH_MAX + 3; i++) {
        snprintf(name, sizeof name, "c%d", i);
        rg_health_set(name, "down");
    }
    rg_health_reason r[RG_HEALTH_MAX + 1];
    assert_int_equal(rg_health_snapshot(r, RG_HEALTH_MAX + 1), RG_HEALTH_MAX + 1);
    assert_string_equal(r[RG_HEALTH_MAX].component, "health");
    assert_non_null(strstr(r[RG_HEALTH_MAX].reason, "3 components could not be recorded"));
    /* clearing every recorded one leaves the overflow visible */
    for (int i = 0; i < RG_HEALTH_MAX; i++) {
        snprintf(name, sizeof name, "c%d", i);
        rg_health_clear(name);
    }
    assert_int_equal(rg_health_snapshot(r, RG_HEALTH_MAX + 1), 1);
    assert_string_equal(r[0].component, "health");
}

static void *hammer(void *p)
{
    const char *name = p;
    for (int i = 0; i < 20000; i++) {
        if (i % 2 == 0)
            rg_health_setf(name, "round %d", i);
        else
            rg_health_clear(name);
        rg_health_reason r[RG_HEALTH_MAX + 1];
        size_t n = rg_health_snapshot(r, RG_HEALTH_MAX + 1);
        if (n > 4)
            return (void *)1;
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    static const char *names[4] = {"a", "b", "c", "d"};
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, hammer, (void *)names[i]), 0);
    for (int i = 0; i < 4; i++) {
        void *ret = (void *)1;
        pthread_join(t[i], &ret);
        assert_null(ret);
    }
    /* each thread ended on a clear */
    rg_health_reason r[4];
    assert_int_equal(rg_health_snapshot(r, 4), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_set_clear, reset),
        cmocka_unit_test_setup(test_text_hygiene, reset),
        cmocka_unit_test_setup(test_overflow, reset),
        cmocka_unit_test_setup(test_threads, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
