/*
 * The streaming JSON writer (service/json_write.h) writes what jansson's
 * json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER) writes for the same values
 * — strings (escapes, UTF-8), integers, null, booleans, nesting — refuses
 * the texts jansson refuses, and the invoice's one writer
 * (rg_invoice_json_write) makes the document the jansson builder it
 * replaced made.
 */
#include "test.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/date.h"
#include "base/money.h"
#include "service/json_model.h"
#include "service/json_tasks.h"
#include "service/json_write.h"

/* jansson's compact text of v (consumed). */
static char *jansson_text(json_t *v)
{
    assert_non_null(v);
    char *t = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    json_decref(v);
    assert_non_null(t);
    return t;
}

static void assert_string_like_jansson(const char *s, size_t n)
{
    rg_buf b = RG_BUF_INIT;
    rg_jw w;
    rg_jw_init(&w, &b);
    rg_jw_stringn(&w, s, n);
    assert_true(rg_jw_ok(&w));
    char *want = jansson_text(json_stringn(s, n));
    assert_string_equal(rg_buf_cstr(&b), want);
    free(want);
    rg_buf_free(&b);
}

static void test_strings_as_jansson_writes_them(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "",
        "plain ascii 123",
        "quote \" backslash \\ slash / tilde ~ del \x7f",
        "Jo\xc3\xa3o da Concei\xc3\xa7\xc3\xa3o, S\xc3\xa3o Paulo",      /* 2-byte UTF-8 */
        "\xe2\x82\xac 1.000,00 \xe2\x80\xa8 line separator \xef\xbf\xbd", /* 3-byte, U+2028, U+FFFD */
        "\xf0\x9f\x92\xb8 \xf4\x8f\xbf\xbf",                             /* 4-byte, U+10FFFF */
        "tab\there\nnewline\rreturn\bbs\fff",
        "\"\\\"\\",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        assert_string_like_jansson(texts[i], strlen(texts[i]));
    /* every control character, alone and inside text */
    for (int c = 1; c < 0x20; c++) {
        char one[8] = {'a', (char)c, 'b', 0};
        assert_string_like_jansson(one, 3);
        assert_string_like_jansson(one + 1, 1);
    }
}

/* Texts that are not UTF-8: jansson refuses them (json_stringn NULL), so
 * does the writer (bad, sticky), and what it wrote is still well formed. */
static void test_refuses_what_jansson_refuses(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t n;
    } bad[] = {
        {"\x80", 1},             /* a continuation byte alone */
        {"a\xc3", 2},            /* truncated 2-byte */
        {"\xe2\x82", 2},         /* truncated 3-byte */
        {"\xc0\x80", 2},         /* overlong NUL */
        {"\xc1\xbf", 2},         /* overlong */
        {"\xe0\x80\xaf", 3},     /* overlong "/" */
        {"\xed\xa0\x80", 3},     /* a surrogate */
        {"\xf4\x90\x80\x80", 4}, /* above U+10FFFF */
        {"\xf5\x80\x80\x80", 4},
        {"S\xe3o", 3}, /* latin1 */
        {"\xff", 1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        json_t *j = json_stringn(bad[i].s, bad[i].n);
        assert_null(j);
        rg_buf b = RG_BUF_INIT;
        rg_jw w;
        rg_jw_init(&w, &b);
        rg_jw_array(&w);
        rg_jw_stringn(&w, bad[i].s, bad[i].n);
        rg_jw_string(&w, "ok");
        rg_jw_array_end(&w);
        assert_true(w.bad);
        assert_false(rg_jw_ok(&w));
        json_t *back = json_loads(rg_buf_cstr(&b), 0, NULL);
        assert_non_null(back);
        json_decref(back);
        rg_buf_free(&b);
    }
}

static void test_numbers_null_booleans_and_nesting(void **state)
{
    (void)state;
    static const int64_t nums[] = {0, 1, -1, 9, 10, -10, 123456789, INT64_MAX, INT64_MIN, INT64_MIN + 1};
    rg_buf b = RG_BUF_INIT;
    rg_jw w;
    rg_jw_init(&w, &b);
    json_t *ref = json_object();
    rg_jw_object(&w);
    rg_jw_key(&w, "nums");
    rg_jw_array(&w);
    json_t *a = json_array();
    for (size_t i = 0; i < sizeof nums / sizeof *nums; i++) {
        rg_jw_int(&w, nums[i]);
        json_array_append_new(a, json_integer(nums[i]));
    }
    rg_jw_array_end(&w);
    json_object_set_new(ref, "nums", a);
    rg_jw_key(&w, "empty");
    rg_jw_array(&w);
    rg_jw_array_end(&w);
    json_object_set_new(ref, "empty", json_array());
    rg_jw_key(&w, "obj");
    rg_jw_object(&w);
    rg_jw_object_end(&w);
    json_object_set_new(ref, "obj", json_object());
    rg_jw_key(&w, "t");
    rg_jw_bool(&w, true);
    json_object_set_new(ref, "t", json_true());
    rg_jw_key(&w, "f");
    rg_jw_bool(&w, false);
    json_object_set_new(ref, "f", json_false());
    rg_jw_kopt_string(&w, "none", "");
    json_object_set_new(ref, "none", json_null());
    rg_jw_kopt_string(&w, "null_ptr", NULL);
    json_object_set_new(ref, "null_ptr", json_null());
    rg_jw_key(&w, "rows");
    rg_jw_array(&w);
    json_t *rows = json_array();
    for (int i = 0; i < 3; i++) {
        rg_jw_object(&w);
        rg_jw_kint(&w, "i", i);
        rg_jw_kstring(&w, "s", "x");
        rg_jw_key(&w, "inner");
        rg_jw_array(&w);
        rg_jw_null(&w);
        rg_jw_array(&w);
        rg_jw_array_end(&w);
        rg_jw_array_end(&w);
        rg_jw_object_end(&w);
        json_array_append_new(rows, json_pack("{s:i, s:s, s:[n, []]}", "i", i, "s", "x", "inner"));
    }
    rg_jw_array_end(&w);
    json_object_set_new(ref, "rows", rows);
    /* a jansson value written in place (the models not streamed yet) */
    json_t *j = json_pack("{s:s, s:[i, n]}", "k", "v\n", "l", 1);
    rg_jw_key(&w, "jansson");
    rg_jw_json(&w, j);
    json_object_set(ref, "jansson", j);
    json_decref(j);
    rg_jw_object_end(&w);
    assert_true(rg_jw_ok(&w));
    char *want = jansson_text(ref);
    assert_string_equal(rg_buf_cstr(&b), want);
    free(want);
    rg_buf_free(&b);
}

/* ---- the invoice: the jansson builder rg_invoice_json was before it was
 * streamed, kept here as the reference ---- */

static json_t *ref_money(rg_cents v)
{
    char b[32];
    return json_string(rg_money_format_plain(v, b, sizeof b));
}

static json_t *ref_date(rg_date d)
{
    char b[16];
    return d == RG_DATE_NONE ? json_null() : json_string(rg_date_format_iso(d, b, sizeof b));
}

static json_t *ref_instant(rg_instant t)
{
    char b[32];
    return t == 0 || t == RG_INSTANT_NONE ? json_null() : json_string(rg_instant_format(t, b, sizeof b));
}

static json_t *ref_opt(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static json_t *ref_tags(const char *tags)
{
    json_t *a = json_array();
    for (const char *p = tags; *p;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n)
            json_array_append_new(a, json_stringn(p, n));
        p += n + (bar ? 1 : 0);
    }
    return a;
}

static json_t *ref_invoice(const rg_invoice *inv)
{
    json_t *o = json_pack(
        "{s:s, s:s, s:o, s:o, s:I, s:o, s:I, s:o, s:I, s:o, s:o, s:s}", "external_id", inv->external_id,
        "customer_external_id", inv->customer_external_id, "description", ref_opt(inv->description), "amount",
        ref_money(inv->amount), "amount_cents", (json_int_t)inv->amount, "paid", ref_money(inv->paid),
        "paid_cents", (json_int_t)inv->paid, "balance", ref_money(rg_invoice_balance(inv)), "balance_cents",
        (json_int_t)rg_invoice_balance(inv), "issue_date", ref_date(inv->issue_date), "due_date",
        ref_date(inv->due_date), "status", rg_invoice_status_name(inv->status));
    json_object_set_new(o, "boleto_bank", ref_opt(inv->boleto_bank));
    json_object_set_new(o, "nosso_numero", ref_opt(inv->nosso_numero));
    json_object_set_new(o, "barcode", ref_opt(inv->barcode));
    json_object_set_new(o, "linha_digitavel", ref_opt(inv->linha_digitavel));
    json_object_set_new(o, "pix_code", ref_opt(inv->pix_code));
    json_object_set_new(o, "payment_url", ref_opt(inv->payment_url));
    json_object_set_new(o, "fine_pct", inv->fine_pct < 0 ? json_null() : ref_money(inv->fine_pct));
    json_object_set_new(o, "interest_month_pct",
                        inv->interest_month_pct < 0 ? json_null() : ref_money(inv->interest_month_pct));
    json_object_set_new(o, "credit", ref_money(rg_invoice_credit(inv)));
    json_object_set_new(o, "credit_cents", json_integer((json_int_t)rg_invoice_credit(inv)));
    json_object_set_new(o, "tags", ref_tags(inv->tags));
    json_object_set_new(o, "reissued_due_date", ref_date(inv->reissued_due_date));
    json_object_set_new(o, "created_at", ref_instant(inv->created_at));
    json_object_set_new(o, "updated_at", ref_instant(inv->updated_at));
    return o;
}

static void assert_invoice_like_jansson(const rg_invoice *inv)
{
    char *want = jansson_text(ref_invoice(inv));
    rg_buf b = RG_BUF_INIT;
    rg_jw w;
    rg_jw_init(&w, &b);
    rg_invoice_json_write(&w, inv);
    assert_true(rg_jw_ok(&w));
    assert_string_equal(rg_buf_cstr(&b), want);
    /* and rg_invoice_json, the same document as a jansson object */
    char *back = jansson_text(rg_invoice_json(inv));
    assert_string_equal(back, want);
    free(back);
    free(want);
    rg_buf_free(&b);
}

static void test_invoice_as_the_jansson_builder_wrote_it(void **state)
{
    (void)state;
    rg_invoice inv;
    rg_invoice_init(&inv); /* every optional part absent */
    rg_strlcpy(inv.external_id, "F1", sizeof inv.external_id);
    rg_strlcpy(inv.customer_external_id, "C1", sizeof inv.customer_external_id);
    assert_invoice_like_jansson(&inv);

    rg_strlcpy(inv.description, "Mensalidade \"mar\xc3\xa7o\"\t\\ 12/2026\x01", sizeof inv.description);
    inv.amount = 123456789;
    inv.paid = 123456790; /* beyond the amount: a credit, balance 0 */
    inv.issue_date = rg_date_from_ymd(2026, 1, 2);
    inv.due_date = rg_date_from_ymd(2026, 12, 31);
    inv.status = RG_INV_PAID;
    rg_strlcpy(inv.boleto_bank, "341", sizeof inv.boleto_bank);
    rg_strlcpy(inv.nosso_numero, "00012345", sizeof inv.nosso_numero);
    rg_strlcpy(inv.barcode, "34191790010104351004791020150008291070026000", sizeof inv.barcode);
    rg_strlcpy(inv.linha_digitavel, "34191.79001 01043.510047 91020.150008 2 91070026000",
               sizeof inv.linha_digitavel);
    rg_strlcpy(inv.pix_code, "00020101021226...6304ABCD", sizeof inv.pix_code);
    rg_strlcpy(inv.payment_url, "https://pay.example/f/1?a=1&b=\xe2\x82\xac", sizeof inv.payment_url);
    inv.fine_pct = 200;
    inv.interest_month_pct = 0;
    rg_strlcpy(inv.tags, "vip||atraso|S\xc3\xa3o Paulo|", sizeof inv.tags);
    inv.reissued_due_date = rg_date_from_ymd(2027, 2, 28);
    inv.created_at = 1794916800;
    inv.updated_at = 1794916801;
    assert_invoice_like_jansson(&inv);

    inv.status = RG_INV_OPEN;
    inv.paid = 1;
    inv.amount = 0;
    rg_strlcpy(inv.tags, "|", sizeof inv.tags);
    assert_invoice_like_jansson(&inv);
}

static void test_invoice_with_a_text_not_utf8_is_not_written(void **state)
{
    (void)state;
    rg_invoice inv;
    rg_invoice_init(&inv);
    rg_strlcpy(inv.external_id, "F1", sizeof inv.external_id);
    rg_strlcpy(inv.customer_external_id, "C1", sizeof inv.customer_external_id);
    rg_strlcpy(inv.tags, "ok|S\xe3o", sizeof inv.tags);
    rg_buf b = RG_BUF_INIT;
    rg_jw w;
    rg_jw_init(&w, &b);
    rg_invoice_json_write(&w, &inv);
    assert_false(rg_jw_ok(&w));
    assert_null(rg_invoice_json(&inv));
    rg_buf_free(&b);
}

/* The models' money and dates are formatted without snprintf (five and
 * three per invoice of a page): the same text snprintf wrote, truncation
 * in small buffers included. */
static void test_money_and_dates_as_snprintf_wrote_them(void **state)
{
    (void)state;
    static const int64_t cents[] = {0, 1, 9, 10, 99, 100, 101, 999, 1000, 123456, -1, -9, -10, -99, -100, -123456,
                                    INT64_MAX, INT64_MIN, INT64_MIN + 1};
    for (size_t i = 0; i < sizeof cents / sizeof *cents; i++) {
        int64_t v = cents[i];
        unsigned long long a = v < 0 ? (unsigned long long)(-(v + 1)) + 1u : (unsigned long long)v;
        for (size_t n = 1; n <= 32; n += 3) {
            char want[32], got[32];
            snprintf(want, n, "%s%llu.%02llu", v < 0 ? "-" : "", a / 100, a % 100);
            assert_string_equal(rg_money_format_plain(v, got, n), want);
        }
    }
    for (int y = -5; y <= 10005; y += 7) {
        for (int m = 1; m <= 12; m += 5) {
            rg_date d = rg_date_from_ymd(y, m, m == 1 ? 31 : 9);
            int yy, mm, dd;
            rg_date_to_ymd(d, &yy, &mm, &dd);
            for (size_t n = 4; n <= 16; n += 6) {
                char want[16], got[16];
                snprintf(want, n, "%04d-%02d-%02d", yy, mm, dd);
                assert_string_equal(rg_date_format_iso(d, got, n), want);
            }
        }
    }
}

/* What recording an event did (POST /v1/events, regua event --json): the
 * streamed text is the document the jansson builder it replaced made, in
 * its three shapes (an event; a promise; a payment, recorded or not). */
static void test_event_result_as_the_jansson_builder_wrote_it(void **state)
{
    (void)state;
    rg_event_result r;
    memset(&r, 0, sizeof r);
    r.event.event_id = 269186;
    r.event.timers_started = 1;
    char *t = rg_event_result_json_text("portal.visited", &r);
    assert_string_equal(t, "{\"type\":\"portal.visited\",\"event_id\":269186,\"timers_started\":1,"
                           "\"timers_cancelled\":0}");
    free(t);
    r.promise_id = 7;
    r.event.timers_cancelled = 2;
    t = rg_event_result_json_text("promise.made", &r);
    assert_string_equal(t, "{\"type\":\"promise.made\",\"event_id\":269186,\"timers_started\":1,"
                           "\"timers_cancelled\":2,\"promise_id\":7}");
    free(t);
    r.promise_id = 0;
    r.payment_id = 12;
    r.payment_recorded = false;
    r.balance = -150;
    t = rg_event_result_json_text("payment.received", &r);
    assert_string_equal(t, "{\"type\":\"payment.received\",\"event_id\":269186,\"timers_started\":1,"
                           "\"timers_cancelled\":2,\"payment_id\":12,\"payment_recorded\":false,"
                           "\"balance_cents\":-150}");
    /* the CLI's document is the same text */
    char *cli = jansson_text(rg_event_result_json("payment.received", &r));
    assert_string_equal(cli, t);
    free(cli);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings_as_jansson_writes_them),
        cmocka_unit_test(test_refuses_what_jansson_refuses),
        cmocka_unit_test(test_numbers_null_booleans_and_nesting),
        cmocka_unit_test(test_invoice_as_the_jansson_builder_wrote_it),
        cmocka_unit_test(test_invoice_with_a_text_not_utf8_is_not_written),
        cmocka_unit_test(test_money_and_dates_as_snprintf_wrote_them),
        cmocka_unit_test(test_event_result_as_the_jansson_builder_wrote_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
