/* The dispatcher and the HTTP provider drivers against a real local peer:
 * tests/support/fake_http.py (a fake SMS API and WhatsApp Cloud API that
 * records what it receives and answers 2xx, 4xx, 5xx, 429 or hangs as its
 * rules say). The engine is the re-check: payments, windows, caps and
 * opt-outs between planning and sending. */
#include "test.h"

#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "channel/channel.h"
#include "channel/dispatcher.h"
#include "channel/provider.h"
#include "engine/engine.h"
#include "service/import.h"
#include "service/payments.h"
#include "store/store.h"

#define CREDITOR "{{company.name}} (CNPJ {{company.cnpj}})"

static rg_instant at(const char *iso)
{
    rg_instant t;
    assert_true(rg_instant_parse(iso, strlen(iso), &t));
    return t;
}

/* ---- the fake provider ---- */

typedef struct fake {
    pid_t pid;
    int port;
    char log[512];
} fake;

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void fake_start(fake *f, const char *dir, const char *rules)
{
    char pf[512], rf[512], script[512];
    snprintf(pf, sizeof pf, "%s/fake.port", dir);
    snprintf(rf, sizeof rf, "%s/rules.json", dir);
    snprintf(f->log, sizeof f->log, "%s/fake.jsonl", dir);
    unlink(pf);
    write_file(rf, rules ? rules : "[]");
    const char *root = getenv("REGUA_ROOT");
    snprintf(script, sizeof script, "%s/tests/support/fake_http.py", root && *root ? root : ".");
    f->pid = fork();
    assert_true(f->pid >= 0);
    if (f->pid == 0) {
        execl("/usr/bin/python3", "python3", script, "--port-file", pf, "--log", f->log, "--rules", rf, "--timeout",
              "90", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 500; i++) {
        FILE *p = fopen(pf, "r");
        if (p) {
            char buf[16] = "";
            size_t n = fread(buf, 1, sizeof buf - 1, p);
            fclose(p);
            buf[n] = '\0';
            int64_t port;
            if (rg_parse_i64(rg_slice_cstr(buf), 1, 65535, &port)) {
                f->port = (int)port;
                return;
            }
        }
        usleep(20000);
    }
    fail_msg("the fake provider did not start (%s)", script);
}

static void fake_stop(fake *f)
{
    if (f->pid > 0) {
        kill(f->pid, SIGTERM);
        waitpid(f->pid, NULL, 0);
        f->pid = 0;
    }
}

/* Every request the fake recorded, in order. */
static json_t *fake_requests(const fake *f)
{
    json_t *a = json_array();
    FILE *fp = fopen(f->log, "r");
    if (!fp)
        return a;
    char line[65536];
    while (fgets(line, sizeof line, fp)) {
        json_t *o = json_loads(line, 0, NULL);
        if (o)
            json_array_append_new(a, o);
    }
    fclose(fp);
    return a;
}

/* Requests for an idempotency key: deliveries (not replays) and replays. */
static void fake_count(const fake *f, const char *key, int *deliveries, int *replays)
{
    json_t *a = fake_requests(f);
    size_t i;
    json_t *r;
    *deliveries = *replays = 0;
    json_array_foreach(a, i, r)
    {
        const char *k = json_string_value(json_object_get(r, "key"));
        if (!k || strcmp(k, key) != 0)
            continue;
        if (json_is_true(json_object_get(r, "replay")))
            (*replays)++;
        else
            (*deliveries)++;
    }
    json_decref(a);
}

/* The last request whose key is `key` (a new reference), or NULL. */
static json_t *fake_last(const fake *f, const char *key)
{
    json_t *a = fake_requests(f), *found = NULL;
    size_t i;
    json_t *r;
    json_array_foreach(a, i, r)
    {
        const char *k = json_string_value(json_object_get(r, "key"));
        if (k && !strcmp(k, key)) {
            json_decref(found);
            found = json_incref(r);
        }
    }
    json_decref(a);
    return found;
}

/* ---- configuration ---- */

static rg_channel_config *add_channel(rg_config *c, const char *name, const char *driver)
{
    rg_channel_config *ch = &c->channels[c->n_channels++];
    memset(ch, 0, sizeof *ch);
    rg_strlcpy(ch->name, name, sizeof ch->name);
    rg_strlcpy(ch->driver, driver, sizeof ch->driver);
    return ch;
}

static void set(rg_channel_config *ch, const char *key, const char *value)
{
    for (size_t i = 0; i < ch->n_settings; i++)
        if (!strcmp(ch->settings[i].key, key)) {
            rg_strlcpy(ch->settings[i].value, value, sizeof ch->settings[i].value);
            return;
        }
    rg_setting *s = &ch->settings[ch->n_settings++];
    rg_strlcpy(s->key, key, sizeof s->key);
    rg_strlcpy(s->value, value, sizeof s->value);
}

static const char *SMS_BODY =
    "{\"from\": \"regua\", \"to\": \"{{to_digits}}\", \"contents\": [{\"type\": \"text\", \"text\": \"{{body}}\"}]}";

/* ---- pure helpers ---- */

static void test_backoff(void **state)
{
    (void)state;
    /* equal jitter: half the doubled delay fixed, half random (r mod half+1) */
    assert_int_equal(rg_dispatch_backoff(1, 30, 3600, 0, 0), 15);
    assert_int_equal(rg_dispatch_backoff(1, 30, 3600, 0, 15), 30);
    assert_int_equal(rg_dispatch_backoff(1, 30, 3600, 0, 16), 15);
    assert_int_equal(rg_dispatch_backoff(2, 30, 3600, 0, 0), 30);
    assert_int_equal(rg_dispatch_backoff(3, 30, 3600, 0, 30), 90);
    assert_int_equal(rg_dispatch_backoff(20, 30, 3600, 0, 0), 1800); /* capped at 3600, halved */
    assert_int_equal(rg_dispatch_backoff(1, 30, 3600, 500, 0), 500); /* Retry-After wins when longer */
    assert_int_equal(rg_dispatch_backoff(3, 30, 3600, 10, 0), 60);
    assert_int_equal(rg_dispatch_backoff(0, 1, 3600, 0, 0), 1);
}

static void render(const char *tpl, rg_pesc esc, const rg_outgoing *og, char *out, size_t n)
{
    rg_ptpl *t;
    rg_err e;
    assert_int_equal(rg_ptpl_compile(tpl, esc, "body", &t, &e), RG_OK);
    rg_provider_vars v;
    rg_provider_vars_init(&v, og);
    rg_buf b = RG_BUF_INIT;
    rg_ptpl_render(t, &v, &b);
    assert_false(b.oom);
    rg_strlcpy(out, rg_buf_cstr(&b), n);
    rg_buf_free(&b);
    rg_provider_vars_clear(&v);
    rg_ptpl_free(t);
}

static void test_templates(void **state)
{
    (void)state;
    rg_message m;
    memset(&m, 0, sizeof m);
    m.id = 42;
    rg_strlcpy(m.idempotency_key, "step:c:s:1", sizeof m.idempotency_key);
    rg_strlcpy(m.channel, "sms", sizeof m.channel);
    m.body = "Olá \"Maria\"\nR$ 1.234,56 & 50%";
    m.payload = "{\"wa_template\":\"cobranca\",\"wa_lang\":\"pt_BR\",\"params\":[\"Maria\",\"R$ 10,00\"]}";
    rg_customer c;
    rg_customer_init(&c);
    rg_strlcpy(c.external_id, "C1", sizeof c.external_id);
    rg_strlcpy(c.name, "Maria", sizeof c.name);
    rg_outgoing og = {&m, &c, "+55 (11) 98765-4321", "F1|F2"};
    char out[1024];
    render("{\"to\":\"{{to_digits}}\",\"text\":\"{{ body }}\",\"k\":\"{{idempotency_key}}\",\"id\":{{message_id}}}",
           RG_PESC_JSON, &og, out, sizeof out);
    assert_string_equal(out, "{\"to\":\"5511987654321\",\"text\":\"Olá \\\"Maria\\\"\\nR$ 1.234,56 & 50%\","
                             "\"k\":\"step:c:s:1\",\"id\":42}");
    render("To={{to}}&Body={{body}}&Ref={{invoice_ids}}", RG_PESC_FORM, &og, out, sizeof out);
    assert_string_equal(out, "To=%2B55+%2811%29+98765-4321&Body=Ol%C3%A1+%22Maria%22%0AR%24+1.234%2C56+%26+50%25"
                             "&Ref=F1%7CF2");
    render("{\"t\":\"{{wa_template}}\",\"l\":\"{{wa_lang}}\",\"p\":{{params_json}},\"p2\":\"{{params.2}}\","
           "\"p3\":\"{{params.3}}\"}",
           RG_PESC_JSON, &og, out, sizeof out);
    assert_string_equal(out, "{\"t\":\"cobranca\",\"l\":\"pt_BR\",\"p\":[\"Maria\",\"R$ 10,00\"],\"p2\":\"R$ 10,00\","
                             "\"p3\":\"\"}");
    render("http://x/send?to={{to_digits}}&c={{customer_external_id}}", RG_PESC_URL, &og, out, sizeof out);
    assert_string_equal(out, "http://x/send?to=5511987654321&c=C1");
    rg_ptpl *t = NULL;
    rg_err e;
    assert_int_equal(rg_ptpl_compile("{\"a\": \"{{boddy}}\"}", RG_PESC_JSON, "body", &t, &e), RG_EINVAL);
    assert_null(t);
    assert_string_equal(e.where, "body");
    assert_non_null(strstr(e.msg, "unknown variable {{boddy}}"));
    assert_int_equal(rg_ptpl_compile("x {{body", RG_PESC_JSON, "body", &t, &e), RG_EINVAL);
    assert_string_equal(e.msg, "'{{' at offset 2 is never closed with '}}'");
    assert_int_equal(rg_ptpl_compile("{{params.21}}", RG_PESC_JSON, "body", &t, &e), RG_EINVAL);
}

static void test_json_pointer_and_dates(void **state)
{
    (void)state;
    json_t *doc = json_loads("{\"messages\":[{\"id\":\"wamid.1\"}],\"a/b\":{\"m~n\":7},\"\":1}", 0, NULL);
    assert_string_equal(json_string_value(rg_json_pointer(doc, "/messages/0/id")), "wamid.1");
    assert_int_equal(json_integer_value(rg_json_pointer(doc, "/a~1b/m~0n")), 7); /* RFC 6901 §4 escapes */
    assert_int_equal(json_integer_value(rg_json_pointer(doc, "/")), 1);
    assert_ptr_equal(rg_json_pointer(doc, ""), doc);
    assert_null(rg_json_pointer(doc, "/messages/1/id"));
    assert_null(rg_json_pointer(doc, "/messages/01"));
    assert_null(rg_json_pointer(doc, "messages"));
    assert_null(rg_json_pointer(doc, "/a~2b"));
    json_decref(doc);

    /* RFC 9110 §5.6.7's example IMF-fixdate */
    rg_instant t;
    assert_true(rg_provider_http_date("Sun, 06 Nov 1994 08:49:37 GMT", &t));
    assert_int_equal(t, 784111777);
    assert_false(rg_provider_http_date("Sunday, 06-Nov-94 08:49:37 GMT", &t));
    assert_false(rg_provider_http_date("Sun, 31 Feb 1994 08:49:37 GMT", &t));
    assert_int_equal(rg_provider_retry_after("120", NULL), 120);
    assert_int_equal(rg_provider_retry_after(" 7 ", NULL), 7);
    assert_int_equal(rg_provider_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", "Sun, 06 Nov 1994 08:49:37 GMT"), 30);
    assert_int_equal(rg_provider_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", NULL), 0);
    assert_int_equal(rg_provider_retry_after("soon", NULL), 0);
    assert_int_equal(rg_provider_retry_after(NULL, NULL), 0);

    char out[64];
    rg_err e;
    setenv("RG_TEST_SECRET", "s3cr3t", 1);
    unsetenv("RG_TEST_MISSING");
    assert_int_equal(rg_provider_expand_env("Bearer ${RG_TEST_SECRET}!", "h", out, sizeof out, &e), RG_OK);
    assert_string_equal(out, "Bearer s3cr3t!");
    assert_int_equal(rg_provider_expand_env("${RG_TEST_MISSING}", "headers: X", out, sizeof out, &e), RG_EINVAL);
    assert_string_equal(e.msg, "the environment variable RG_TEST_MISSING is not set");
    assert_int_equal(rg_provider_expand_env("${", "h", out, sizeof out, &e), RG_EINVAL);
}

/* ---- the drivers, blocking ---- */

typedef struct drv_env {
    char dir[256];
    fake fk;
    rg_config config;
} drv_env;

static void drv_setup(drv_env *v, const char *name, const char *rules)
{
    snprintf(v->dir, sizeof v->dir, "%s/%s", rg_test_tmpdir(), name);
    mkdir(v->dir, 0755);
    fake_start(&v->fk, v->dir, rules);
    rg_config_defaults(&v->config);
}

static rg_channel *open_ok(drv_env *v, rg_channel_config *cc)
{
    rg_channel_env cenv = {&v->config, NULL, NULL};
    rg_channel *ch = NULL;
    rg_err e;
    rg_err_clear(&e);
    if (rg_channel_open(cc, &cenv, &ch, &e) != RG_OK)
        fail_msg("open %s: %s: %s", cc->name, e.where, e.msg);
    return ch;
}

static void outgoing(rg_message *m, rg_customer *c, const char *key, const char *body, const char *payload)
{
    memset(m, 0, sizeof *m);
    m->id = 7;
    rg_strlcpy(m->idempotency_key, key, sizeof m->idempotency_key);
    rg_strlcpy(m->channel, "sms", sizeof m->channel);
    m->body = body;
    m->payload = payload;
    rg_customer_init(c);
    rg_strlcpy(c->external_id, "C1", sizeof c->external_id);
    rg_strlcpy(c->name, "Maria", sizeof c->name);
}

static void test_http_driver(void **state)
{
    (void)state;
    drv_env v;
    drv_setup(&v, "http_driver",
              "[{\"match\": \"5511900000400\", \"status\": 400, \"message\": \"invalid number\"},"
              " {\"match\": \"5511900000429\", \"status\": 429, \"retry_after\": \"42\"},"
              " {\"match\": \"5511900000500\", \"status\": 500},"
              " {\"match\": \"5511900000999\", \"hang\": 5}]");
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/sms", v.fk.port);
    setenv("RG_TEST_SMS_TOKEN", "tok-123", 1);
    rg_channel_config *cc = add_channel(&v.config, "sms", "http");
    set(cc, "url", url);
    set(cc, "body", SMS_BODY);
    set(cc, "headers", "X-API-TOKEN: ${RG_TEST_SMS_TOKEN}\n");
    set(cc, "timeout", "1");
    rg_channel *ch = open_ok(&v, cc);
    assert_true(rg_channel_takes_key(ch));
    assert_false(rg_channel_is_inline(ch));

    rg_message m;
    rg_customer c;
    rg_send_result res;
    rg_err e;
    outgoing(&m, &c, "k-ok", "Olá \"Maria\"", NULL);
    rg_outgoing og = {&m, &c, "+5511900000001", "F1"};
    assert_int_equal(rg_channel_send(ch, &og, &res, &e), RG_OK);
    assert_int_equal(res.outcome, RG_SEND_OK);
    assert_string_equal(res.provider_id, "sms-1");
    json_t *r = fake_last(&v.fk, "k-ok");
    assert_non_null(r);
    assert_string_equal(json_string_value(json_object_get(r, "idempotency_header")), "k-ok");
    assert_string_equal(json_string_value(json_object_get(r, "content_type")), "application/json");
    assert_string_equal(json_string_value(json_object_get(json_object_get(r, "json"), "to")), "5511900000001");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(json_object_get(r, "json"), "contents"), 0), "text")),
                        "Olá \"Maria\"");
    json_decref(r);
    /* the same key again: the provider deduplicates (same id) */
    assert_int_equal(rg_channel_send(ch, &og, &res, &e), RG_OK);
    assert_string_equal(res.provider_id, "sms-1");

    outgoing(&m, &c, "k-400", "x", NULL);
    og.to = "+5511900000400";
    assert_int_equal(rg_channel_send(ch, &og, &res, &e), RG_EPERMANENT);
    assert_int_equal(res.outcome, RG_SEND_PERMANENT);
    assert_string_equal(res.error, "HTTP 400: {\"error\": \"invalid number\", \"code\": 400}");

    outgoing(&m, &c, "k-429", "x", NULL);
    og.to = "+5511900000429";
    assert_int_equal(rg_channel_send(ch, &og, &res, &e), RG_ETRANSIENT);
    assert_int_equal(res.outcome, RG_SEND_TRANSIENT);
    assert_int_equal(res.retry_after, 42);

    outgoing(&m, &c, "k-500", "x", NULL);
    og.to = "+5511900000500";
    assert_int_equal(rg_channel_send(ch, &og, &res, &e), RG_ETRANSIENT);
    assert_int_equal(res.retry_after, 0);

    outgoing(&m, &c, "k-hang", "x", NULL);
    og.to = "+5511900000999";
    assert_int_equal(rg_channel_send(ch, &og, &res, &e), RG_ETRANSIENT);
    assert_non_null(strstr(res.error, "Timeout"));
    rg_channel_close(ch);

    /* a form body, basic authentication, no idempotency key */
    setenv("RG_TEST_USER", "AC123", 1);
    setenv("RG_TEST_PASS", "pw", 1);
    cc = add_channel(&v.config, "voice", "http");
    set(cc, "url", url);
    set(cc, "content_type", "form");
    set(cc, "body", "To={{to}}&Body={{body}}");
    set(cc, "username_env", "RG_TEST_USER");
    set(cc, "password_env", "RG_TEST_PASS");
    set(cc, "idempotency_header", "none");
    set(cc, "id_pointer", "/status");
    ch = open_ok(&v, cc);
    assert_false(rg_channel_takes_key(ch));
    outgoing(&m, &c, "k-form", "a b&c", NULL);
    og.to = "+5511900000002";
    assert_int_equal(rg_channel_send(ch, &og, &res, &e), RG_OK);
    assert_string_equal(res.provider_id, "accepted");
    json_t *all = fake_requests(&v.fk);
    r = json_array_get(all, json_array_size(all) - 1);
    assert_string_equal(json_string_value(json_object_get(r, "body")), "To=%2B5511900000002&Body=a+b%26c");
    assert_string_equal(json_string_value(json_object_get(r, "auth")), "Basic QUMxMjM6cHc="); /* AC123:pw */
    assert_true(json_is_null(json_object_get(r, "idempotency_header")));
    assert_string_equal(json_string_value(json_object_get(r, "content_type")), "application/x-www-form-urlencoded");
    json_decref(all);
    rg_channel_close(ch);

    /* configuration errors name the setting */
    rg_channel_env cenv = {&v.config, NULL, NULL};
    cc = add_channel(&v.config, "bad", "http");
    set(cc, "url", url);
    set(cc, "body", "{{nope}}");
    assert_int_equal(rg_channel_open(cc, &cenv, &ch, &e), RG_EINVAL);
    assert_string_equal(e.where, "bad: body");
    set(cc, "body", "x");
    set(cc, "headers", "Authorization: Bearer ${RG_TEST_MISSING}\n");
    unsetenv("RG_TEST_MISSING");
    assert_int_equal(rg_channel_open(cc, &cenv, &ch, &e), RG_EINVAL);
    assert_string_equal(e.msg, "the environment variable RG_TEST_MISSING is not set");
    set(cc, "headers", "");
    set(cc, "method", "GET");
    assert_int_equal(rg_channel_open(cc, &cenv, &ch, &e), RG_EINVAL);
    assert_string_equal(e.msg, "'method' must be POST, PUT or PATCH, not 'GET'");
    set(cc, "method", "PUT");
    set(cc, "timeout", "0");
    assert_int_equal(rg_channel_open(cc, &cenv, &ch, &e), RG_EINVAL);
    assert_string_equal(e.where, "bad: timeout");
    fake_stop(&v.fk);
}

static void test_whatsapp_driver(void **state)
{
    (void)state;
    drv_env v;
    drv_setup(&v, "wa_driver",
              "[{\"match\": \"5511900000047\", \"status\": 400, \"code\": 131047, \"message\": \"Re-engagement\"},"
              " {\"match\": \"5511900000429\", \"status\": 400, \"code\": 130429, \"message\": \"Rate limit hit\"},"
              " {\"match\": \"5511900000026\", \"status\": 400, \"code\": 131026, \"message\": \"Undeliverable\"}]");
    char base[128];
    snprintf(base, sizeof base, "http://127.0.0.1:%d/v21.0/", v.fk.port);
    rg_channel_config *cc = add_channel(&v.config, "whatsapp", "whatsapp_cloud");
    set(cc, "base_url", base);
    set(cc, "phone_number_id", "1234567890");
    set(cc, "token_env", "RG_TEST_WA_TOKEN");
    rg_channel_env cenv = {&v.config, NULL, NULL};
    rg_channel *ch = NULL;
    rg_err e;
    unsetenv("RG_TEST_WA_TOKEN");
    assert_int_equal(rg_channel_open(cc, &cenv, &ch, &e), RG_EINVAL);
    assert_string_equal(e.msg, "the environment variable RG_TEST_WA_TOKEN (named by token_env) is not set");
    setenv("RG_TEST_WA_TOKEN", "EAAG-test", 1);
    ch = open_ok(&v, cc);
    assert_false(rg_channel_takes_key(ch));

    rg_message m;
    rg_customer c;
    rg_send_result res;
    outgoing(&m, &c, "k-tpl", "Maria\nR$ 10,00",
             "{\"wa_template\":\"cobranca_vence_hoje\",\"wa_lang\":\"pt_BR\",\"params\":[\"Maria\",\"R$ 10,00\"]}");
    rg_outgoing og = {&m, &c, "+55 11 90000-0001", "F1"};
    assert_int_equal(rg_channel_send(ch, &og, &res, &e), RG_OK);
    assert_string_equal(res.provider_id, "wamid.1");
    json_t *r = fake_last(&v.fk, "k-tpl");
    assert_string_equal(json_string_value(json_object_get(r, "path")), "/v21.0/1234567890/messages");
    assert_string_equal(json_string_value(json_object_get(r, "auth")), "Bearer EAAG-test");
    assert_string_equal(json_string_value(json_object_get(r, "body")),
                        "{\"messaging_product\":\"whatsapp\",\"recipient_type\":\"individual\",\"to\":\"5511900000001\","
                        "\"type\":\"template\",\"template\":{\"name\":\"cobranca_vence_hoje\",\"language\":{\"code\":"
                        "\"pt_BR\"},\"components\":[{\"type\":\"body\",\"parameters\":[{\"type\":\"text\",\"text\":"
                        "\"Maria\"},{\"type\":\"text\",\"text\":\"R$ 10,00\"}]}]},\"biz_opaque_callback_data\":"
                        "\"k-tpl\"}");
    json_decref(r);

    outgoing(&m, &c, "k-text", "Olá, Maria", "{}");
    og.to = "+5511900000002";
    assert_int_equal(rg_channel_send(ch, &og, &res, &e), RG_OK);
    r = fake_last(&v.fk, "k-text");
    assert_string_equal(json_string_value(json_object_get(r, "body")),
                        "{\"messaging_product\":\"whatsapp\",\"recipient_type\":\"individual\",\"to\":\"5511900000002\","
                        "\"type\":\"text\",\"text\":{\"preview_url\":false,\"body\":\"Olá, Maria\"},"
                        "\"biz_opaque_callback_data\":\"k-text\"}");
    json_decref(r);

    /* free text outside the 24-hour window: permanent, the step falls back */
    outgoing(&m, &c, "k-47", "Olá", "{}");
    og.to = "+5511900000047";
    assert_int_equal(rg_channel_send(ch, &og, &res, &e), RG_EPERMANENT);
    assert_string_equal(res.error, "WhatsApp error 131047: outside the customer's 24-hour service window (free text"
                                   " needs a customer message in the last 24 hours; use an approved template)");
    /* throttling answered with 400 is still worth retrying */
    outgoing(&m, &c, "k-429", "Olá", "{}");
    og.to = "+5511900000429";
    assert_int_equal(rg_channel_send(ch, &og, &res, &e), RG_ETRANSIENT);
    assert_string_equal(res.error, "WhatsApp error 130429 (HTTP 400): Rate limit hit — Rate limit hit");
    outgoing(&m, &c, "k-26", "Olá", "{}");
    og.to = "+5511900000026";
    assert_int_equal(rg_channel_send(ch, &og, &res, &e), RG_EPERMANENT);
    /* no number */
    og.to = "";
    assert_int_equal(rg_channel_send(ch, &og, &res, &e), RG_EINVAL);
    assert_string_equal(e.msg, "no WhatsApp number to send to");
    rg_channel_close(ch);
    fake_stop(&v.fk);
}

/* ---- the dispatcher with the engine ---- */

static const char *CADENCE =
    "cadence: teste\n"
    "match: {priority: 1}\n"
    "timezone: America/Sao_Paulo\n"
    "window: {weekdays: \"08:00-20:00\", saturday: closed, sunday: closed, holidays: closed}\n"
    "caps: {per_customer: {max: 1, days: 1}}\n"
    "steps:\n"
    "  - {id: hoje, at: D0, send: {channels: [whatsapp, sms, email], template: hoje}}\n";

static const char *TEXT_CADENCE =
    "cadence: texto\n"
    "match: {priority: 5, tags_any: [texto]}\n"
    "window: {weekdays: \"08:00-20:00\", saturday: closed, sunday: closed, holidays: closed}\n"
    "steps:\n"
    "  - {id: hoje, at: D0, send: {channels: [whatsapp, sms], template: livre}}\n";

static const char *LIST_CADENCE =
    "cadence: lista\n"
    "match: {priority: 6, tags_any: [consolida]}\n"
    "window: {weekdays: \"08:00-20:00\", saturday: closed, sunday: closed, holidays: closed}\n"
    "consolidate: true\n"
    "steps:\n"
    "  - {id: hoje, at: D0, send: {channels: [sms], template: lista}}\n";

typedef struct env {
    char dir[256];
    fake fk;
    rg_config config;
    rg_store *store;
    rg_engine *engine;
    rg_dispatcher *d;
    rg_channel_config *sms;
    rg_channel_config *wa;
} env;

static void setup(env *v, const char *name, const char *rules)
{
    memset(v, 0, sizeof *v);
    snprintf(v->dir, sizeof v->dir, "%s/%s", rg_test_tmpdir(), name);
    mkdir(v->dir, 0755);
    fake_start(&v->fk, v->dir, rules);
    char p[512];
    snprintf(p, sizeof p, "%s/cadences", v->dir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/cadences/teste.yaml", v->dir);
    write_file(p, CADENCE);
    snprintf(p, sizeof p, "%s/cadences/texto.yaml", v->dir);
    write_file(p, TEXT_CADENCE);
    snprintf(p, sizeof p, "%s/cadences/lista.yaml", v->dir);
    write_file(p, LIST_CADENCE);
    snprintf(p, sizeof p, "%s/templates", v->dir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/templates/hoje.whatsapp", v->dir);
    write_file(p, "Template: cobranca_vence_hoje pt_BR\n{{customer.first_name}}\n{{invoice.amount}}\n"
                  "{{company.name}} {{company.cnpj}}\n");
    snprintf(p, sizeof p, "%s/templates/hoje.sms", v->dir);
    write_file(p, "Hoje vence {{invoice.external_id}}: {{invoice.amount}}. " CREDITOR "\n");
    snprintf(p, sizeof p, "%s/templates/hoje.email", v->dir);
    write_file(p, "Subject: Vence hoje {{invoice.external_id}}\nHoje vence {{invoice.amount}}. " CREDITOR "\n");
    snprintf(p, sizeof p, "%s/templates/livre.whatsapp", v->dir);
    write_file(p, "Oi {{customer.first_name}}, {{invoice.external_id}} vence hoje. " CREDITOR "\n");
    snprintf(p, sizeof p, "%s/templates/livre.sms", v->dir);
    write_file(p, "SMS: {{invoice.external_id}} vence hoje. " CREDITOR "\n");
    snprintf(p, sizeof p, "%s/templates/lista.sms", v->dir);
    write_file(p, "Vencem hoje:{{#invoices}} {{invoice.external_id}}={{invoice.amount}};{{/invoices}} " CREDITOR "\n");

    rg_config_defaults(&v->config);
    snprintf(v->config.database, sizeof v->config.database, "%s/regua.db", v->dir);
    snprintf(v->config.cadences_dir, sizeof v->config.cadences_dir, "%s/cadences", v->dir);
    snprintf(v->config.templates_dir, sizeof v->config.templates_dir, "%s/templates", v->dir);
    rg_strlcpy(v->config.company.name, "Exemplo Ltda", sizeof v->config.company.name);
    rg_strlcpy(v->config.company.cnpj, "11222333000181", sizeof v->config.company.cnpj);
    setenv("RG_TEST_WA_TOKEN", "EAAG-test", 1);
    char url[160];
    v->wa = add_channel(&v->config, "whatsapp", "whatsapp_cloud");
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v21.0", v->fk.port);
    set(v->wa, "base_url", url);
    set(v->wa, "phone_number_id", "1234567890");
    set(v->wa, "token_env", "RG_TEST_WA_TOKEN");
    set(v->wa, "timeout", "1");
    v->sms = add_channel(&v->config, "sms", "http");
    snprintf(url, sizeof url, "http://127.0.0.1:%d/sms", v->fk.port);
    set(v->sms, "url", url);
    set(v->sms, "body", SMS_BODY);
    set(v->sms, "timeout", "1");
    rg_channel_config *em = add_channel(&v->config, "email", "log");
    snprintf(p, sizeof p, "%s/out/email.jsonl", v->dir);
    set(em, "path", p);
    rg_err e;
    assert_int_equal(rg_store_open(v->config.database, &v->store, &e), RG_OK);
}

static void open_all(env *v)
{
    rg_engine_options o = {v->store, &v->config, false, 0, 0};
    rg_diags d = RG_DIAGS_INIT;
    rg_err e;
    rg_err_clear(&e);
    rg_status rc = rg_engine_open(&o, &v->engine, &d, &e);
    if (rc != RG_OK || rg_diags_count(&d, 0, RG_SEV_ERROR)) {
        rg_buf b = RG_BUF_INIT;
        rg_diags_format(&d, &b);
        fail_msg("engine: %s: %s\n%s", e.where, e.msg, rg_buf_cstr(&b));
    }
    rg_diags_free(&d);
    rg_dispatch_options dopt;
    memset(&dopt, 0, sizeof dopt);
    dopt.store = v->store;
    dopt.config = &v->config;
    dopt.check = rg_engine_dispatch_check;
    dopt.check_ctx = v->engine;
    dopt.seed = 1;
    if (rg_dispatcher_open(&dopt, &v->d, &e) != RG_OK)
        fail_msg("dispatcher: %s: %s", e.where, e.msg);
}

static void teardown(env *v)
{
    rg_dispatcher_close(v->d);
    rg_engine_close(v->engine);
    rg_store_close(v->store);
    fake_stop(&v->fk);
}

static void import(env *v, rg_import_kind kind, const char *csv)
{
    rg_import_report r;
    rg_err e;
    rg_status rc = rg_import_csv_buffer(&(rg_event_env){v->store, rg_test_zones(), NULL}, kind, "t.csv", csv, strlen(csv), rg_test_import_options(false, at("2026-11-01T12:00:00Z")), &r, &e);
    if (rc != RG_OK)
        fail_msg("import: %s", rg_buf_cstr(&r.text));
    rg_import_report_free(&r);
}

static void pay(env *v, const char *invoice, rg_cents amount, const char *when)
{
    rg_payment p;
    rg_payment_init(&p);
    rg_strlcpy(p.invoice_external_id, invoice, sizeof p.invoice_external_id);
    p.amount = amount;
    p.paid_at = at(when);
    rg_strlcpy(p.reference, when, sizeof p.reference);
    rg_payment_outcome out;
    rg_err e;
    assert_int_equal(rg_store_begin(v->store, &e), RG_OK);
    assert_int_equal(rg_payment_record(&(rg_event_env){v->store, rg_test_zones(), NULL}, &p, p.paid_at, &out, &e), RG_OK);
    assert_int_equal(rg_store_commit(v->store, &e), RG_OK);
}

static void tick(env *v, const char *when)
{
    rg_tick_stats st;
    rg_err e;
    if (rg_engine_tick(v->engine, at(when), &st, &e) != RG_OK)
        fail_msg("tick: %s: %s", e.where, e.msg);
}

static rg_dispatch_stats drain(env *v, const char *when)
{
    rg_clock clock = rg_clock_fixed(at(when));
    rg_dispatch_stats st;
    rg_err e;
    rg_err_clear(&e);
    if (rg_dispatcher_drain(v->d, &clock, &st, &e) != RG_OK)
        fail_msg("drain: %s: %s", e.where, e.msg);
    return st;
}

/* One message (by customer) as the store has it. */
typedef struct msg_view {
    char customer[16];
    rg_message m;
    char body[512];
    char reason[256];
    char payload[512];
    bool found;
} msg_view;

static rg_status find_msg(void *p, const rg_message *m)
{
    msg_view *mv = p;
    if (strcmp(m->customer_external_id, mv->customer) != 0 || strcmp(m->source_kind, "manual") == 0)
        return RG_OK;
    mv->m = *m;
    rg_strlcpy(mv->body, m->body ? m->body : "", sizeof mv->body);
    rg_strlcpy(mv->payload, m->payload ? m->payload : "", sizeof mv->payload);
    /* the row's texts die with the callback: keep only the copies */
    mv->m.subject = mv->m.body = mv->m.html = mv->m.payload = NULL;
    mv->found = true;
    return RG_OK;
}

static msg_view message_of(env *v, const char *customer)
{
    msg_view mv;
    memset(&mv, 0, sizeof mv);
    rg_strlcpy(mv.customer, customer, sizeof mv.customer);
    rg_message_filter f;
    rg_message_filter_init(&f);
    rg_err e;
    assert_int_equal(rg_store_message_each(v->store, &f, find_msg, &mv, &e), RG_OK);
    assert_true(mv.found);
    return mv;
}

/* Message id's review task: exactly one, open, kind review, whose text
 * starts with `prefix` (a format taking the message id). */
typedef struct task_seen {
    int64_t message_id;
    int n;
    rg_task_view t;
    char text[800];
} task_seen;

static rg_status on_task(void *p, const rg_task_view *t)
{
    task_seen *ts = p;
    if (t->message_id != ts->message_id)
        return RG_OK;
    ts->n++;
    ts->t = *t;
    rg_strlcpy(ts->text, t->text ? t->text : "", sizeof ts->text);
    ts->t.text = NULL;
    return RG_OK;
}

static void review_task_of(env *v, int64_t message_id, const char *prefix)
{
    task_seen ts;
    memset(&ts, 0, sizeof ts);
    ts.message_id = message_id;
    rg_err e;
    assert_int_equal(rg_store_task_view_each(v->store, true, on_task, &ts, &e), RG_OK);
    assert_int_equal(ts.n, 1);
    assert_string_equal(ts.t.task.kind, "review");
    assert_string_equal(ts.t.task.status, "open");
    char want[256];
    snprintf(want, sizeof want, prefix, (long long)message_id);
    if (strncmp(ts.text, want, strlen(want)) != 0)
        fail_msg("task text '%s' does not start with '%s'", ts.text, want);
}

static rg_status count_one(void *p, const rg_message *m)
{
    (void)m;
    (*(int *)p)++;
    return RG_OK;
}

/* How many messages have this status (the filter `messages list --status` uses). */
static int count_status(env *v, rg_message_status status)
{
    rg_message_filter f;
    rg_message_filter_init(&f);
    f.status = (int)status;
    int n = 0;
    rg_err e;
    assert_int_equal(rg_store_message_each(v->store, &f, count_one, &n, &e), RG_OK);
    return n;
}

static const char *CUSTOMERS =
    "external_id;name;document;email;whatsapp;phone;tags\n"
    "C1;Maria da Silva;529.982.247-25;maria@x.com.br;+5511987650001;+5511987650001;\n"
    "C2;Joao Souza;111.444.777-35;joao@x.com.br;+5511911110002;+5511933330002;\n"
    "C3;Ana Lima;390.533.447-05;ana@x.com.br;;+5511922220003;\n"
    "C4;Rui Costa;123.456.789-09;rui@x.com.br;+5511900000047;+5511944440004;texto\n";

static const char *INVOICES = "external_id,customer_external_id,description,amount,issue_date,due_date\n"
                              "F1,C1,Mensalidade,100.00,2026-11-01,2026-11-24\n"
                              "F2,C2,Mensalidade,200.00,2026-11-01,2026-11-24\n"
                              "F3,C3,Mensalidade,300.00,2026-11-01,2026-11-24\n"
                              "F4,C4,Mensalidade,400.00,2026-11-01,2026-11-24\n";

#define TICK_AT "2026-11-24T12:00:00Z" /* a Tuesday, 09:00 in São Paulo */

static void test_send_fallback_retry(void **state)
{
    (void)state;
    env v;
    setup(&v, "flow",
          "[{\"match\": \"5511911110002\", \"status\": 400, \"code\": 131026, \"message\": \"Undeliverable\"},"
          " {\"match\": \"5511922220003\", \"status\": 503, \"times\": 1, \"retry_after\": \"600\"},"
          " {\"match\": \"5511900000047\", \"status\": 400, \"code\": 131047, \"message\": \"Re-engagement message\"}]");
    open_all(&v);
    import(&v, RG_IMPORT_CUSTOMERS, CUSTOMERS);
    import(&v, RG_IMPORT_INVOICES, INVOICES);
    tick(&v, TICK_AT);
    rg_dispatch_stats st = drain(&v, TICK_AT);
    /* C1 sent; C2 and C4 moved to sms and sent; C3 waits for a retry */
    assert_int_equal(st.sent, 3);
    assert_int_equal(st.rerouted, 2);
    assert_int_equal(st.retried, 1);
    assert_int_equal(st.claimed, 6);
    assert_int_equal(st.failed + st.uncertain + st.cancelled + st.waiting, 0);

    msg_view c1 = message_of(&v, "C1");
    assert_int_equal(c1.m.status, RG_MSG_SENT);
    assert_string_equal(c1.m.channel, "whatsapp");
    assert_int_equal(c1.m.attempts, 1);
    assert_int_equal(c1.m.sent_at, at(TICK_AT));
    json_t *r = fake_last(&v.fk, c1.m.idempotency_key);
    assert_string_equal(c1.m.provider_id, json_string_value(json_object_get(r, "id")));
    json_t *tpl = json_object_get(json_object_get(r, "json"), "template");
    assert_string_equal(json_string_value(json_object_get(tpl, "name")), "cobranca_vence_hoje");
    json_t *params = json_object_get(json_array_get(json_object_get(tpl, "components"), 0), "parameters");
    assert_int_equal(json_array_size(params), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(params, 1), "text")), "R$ 100,00");
    json_decref(r);

    /* a permanent failure falls back to the next channel, rendered from its own template */
    msg_view c2 = message_of(&v, "C2");
    assert_int_equal(c2.m.status, RG_MSG_SENT);
    assert_string_equal(c2.m.channel, "sms");
    assert_string_equal(c2.m.fallbacks, "email");
    assert_string_equal(c2.body, "Hoje vence F2: R$ 200,00. Exemplo Ltda (CNPJ 11.222.333/0001-81)");
    assert_string_equal(c2.m.reason, "whatsapp: WhatsApp error 131026 (HTTP 400): Undeliverable — Undeliverable;"
                                     " falling back to sms");
    int del, rep;
    fake_count(&v.fk, c2.m.idempotency_key, &del, &rep);
    assert_int_equal(del, 2); /* the refused WhatsApp request and the SMS */
    r = fake_last(&v.fk, c2.m.idempotency_key);
    assert_string_equal(json_string_value(json_object_get(r, "path")), "/sms");
    assert_string_equal(json_string_value(json_object_get(json_object_get(r, "json"), "to")), "5511933330002");
    assert_string_equal(json_string_value(json_object_get(r, "idempotency_header")), c2.m.idempotency_key);
    json_decref(r);

    /* free text outside the 24-hour window (131047) falls back too */
    msg_view c4 = message_of(&v, "C4");
    assert_int_equal(c4.m.status, RG_MSG_SENT);
    assert_string_equal(c4.m.channel, "sms");
    assert_string_equal(c4.body, "SMS: F4 vence hoje. Exemplo Ltda (CNPJ 11.222.333/0001-81)");

    /* a transient failure waits (Retry-After: 600 beats the 15..30 s backoff) */
    msg_view c3 = message_of(&v, "C3");
    assert_int_equal(c3.m.status, RG_MSG_QUEUED);
    assert_string_equal(c3.m.channel, "sms");
    assert_int_equal(c3.m.attempts, 1);
    assert_string_equal(c3.m.reason, "sms: attempt 1 failed (HTTP 503: {\"error\": \"fake error 503\", \"code\": 503});"
                                     " retrying at 2026-11-24T12:10:00Z");
    st = drain(&v, "2026-11-24T12:05:00Z"); /* not yet due */
    assert_int_equal(st.claimed, 0);
    st = drain(&v, "2026-11-24T12:10:00Z");
    assert_int_equal(st.sent, 1);
    c3 = message_of(&v, "C3");
    assert_int_equal(c3.m.status, RG_MSG_SENT);
    assert_int_equal(c3.m.attempts, 2);
    assert_int_equal(c3.m.sent_at, at("2026-11-24T12:10:00Z"));
    fake_count(&v.fk, c3.m.idempotency_key, &del, &rep);
    assert_int_equal(del, 2);
    assert_int_equal(rep, 0);
    /* nothing left; a second drain sends nothing */
    st = drain(&v, "2026-11-24T13:00:00Z");
    assert_int_equal(st.claimed, 0);
    teardown(&v);
}

static void test_paid_before_sending(void **state)
{
    (void)state;
    env v;
    setup(&v, "paid", NULL);
    open_all(&v);
    import(&v, RG_IMPORT_CUSTOMERS, CUSTOMERS);
    import(&v, RG_IMPORT_INVOICES, INVOICES);
    tick(&v, TICK_AT);
    assert_int_equal(message_of(&v, "C1").m.status, RG_MSG_QUEUED);
    pay(&v, "F1", 10000, "2026-11-24T12:00:30Z");
    pay(&v, "F2", 5000, "2026-11-24T12:00:30Z"); /* partial: still owed */
    rg_dispatch_stats st = drain(&v, "2026-11-24T12:01:00Z");
    assert_int_equal(st.cancelled, 1);
    msg_view c1 = message_of(&v, "C1");
    assert_int_equal(c1.m.status, RG_MSG_CANCELLED);
    assert_string_equal(c1.m.reason, "not sent: invoice F1 paid (checked at send time)");
    assert_int_equal(c1.m.attempts, 0);
    int del, rep;
    fake_count(&v.fk, c1.m.idempotency_key, &del, &rep);
    assert_int_equal(del + rep, 0); /* the provider never heard of it */
    assert_int_equal(message_of(&v, "C2").m.status, RG_MSG_SENT);
    teardown(&v);
}

static void test_window_cap_optout(void **state)
{
    (void)state;
    env v;
    setup(&v, "window", NULL);
    open_all(&v);
    import(&v, RG_IMPORT_CUSTOMERS, CUSTOMERS);
    import(&v, RG_IMPORT_INVOICES, INVOICES);
    tick(&v, TICK_AT);
    rg_customer c;
    rg_err e;
    /* C2 opted out of WhatsApp after planning: the SMS goes instead */
    assert_int_equal(rg_store_customer_get(v.store, "C2", &c, &e), RG_OK);
    assert_int_equal(rg_store_optout_set(v.store, c.id, "whatsapp", "reply SAIR", at(TICK_AT), &e), RG_OK);
    /* C1 already got a message today: the cap (1 a day) holds it */
    assert_int_equal(rg_store_customer_get(v.store, "C1", &c, &e), RG_OK);
    rg_message m;
    memset(&m, 0, sizeof m);
    rg_strlcpy(m.idempotency_key, "manual:1", sizeof m.idempotency_key);
    m.customer_id = c.id;
    rg_strlcpy(m.source_kind, "manual", sizeof m.source_kind);
    rg_strlcpy(m.source_id, "x", sizeof m.source_id);
    rg_strlcpy(m.channel, "email", sizeof m.channel);
    m.status = RG_MSG_SENT;
    m.planned_for = m.created_at = m.updated_at = m.sent_at = at("2026-11-24T11:30:00Z");
    bool ins;
    assert_int_equal(rg_store_message_insert(v.store, &m, &ins, &e), RG_OK);
    /* 20:30 in São Paulo: the window is closed for everyone */
    rg_dispatch_stats st = drain(&v, "2026-11-24T23:30:00Z");
    assert_int_equal(st.waiting, 4);
    assert_int_equal(st.sent, 0);
    msg_view c3 = message_of(&v, "C3");
    assert_int_equal(c3.m.status, RG_MSG_QUEUED);
    assert_string_equal(c3.m.reason, "outside the contact window (waiting until 2026-11-25T11:00:00Z)");
    assert_int_equal(drain(&v, "2026-11-25T10:59:00Z").claimed, 0);
    st = drain(&v, "2026-11-25T11:00:00Z");
    /* a new local day: the window is open, but "vence hoje" the day after
     * the due date would be false — the re-check cancels it (issue 9) */
    assert_int_equal(st.sent, 0);
    assert_int_equal(st.cancelled, 4);
    msg_view c2 = message_of(&v, "C2");
    assert_int_equal(c2.m.status, RG_MSG_CANCELLED);
    assert_string_equal(c2.m.reason, "not sent: F2: hoje: the effective due date 24/11/2026 has passed (checked at "
                                     "send time)");
    teardown(&v);

    /* the opt-out after planning, inside the window: the SMS goes instead */
    setup(&v, "optout", NULL);
    open_all(&v);
    import(&v, RG_IMPORT_CUSTOMERS, CUSTOMERS);
    import(&v, RG_IMPORT_INVOICES, INVOICES);
    tick(&v, TICK_AT);
    assert_int_equal(rg_store_customer_get(v.store, "C2", &c, &e), RG_OK);
    assert_int_equal(rg_store_optout_set(v.store, c.id, "whatsapp", "reply SAIR", at(TICK_AT), &e), RG_OK);
    st = drain(&v, TICK_AT);
    assert_int_equal(st.sent, 4);
    c2 = message_of(&v, "C2");
    assert_string_equal(c2.m.channel, "sms");
    assert_string_equal(c2.m.reason, "whatsapp: opted out; falling back to sms");
    assert_string_equal(c2.body, "Hoje vence F2: R$ 200,00. Exemplo Ltda (CNPJ 11.222.333/0001-81)");
    teardown(&v);

    /* the cap at send time, inside the window */
    setup(&v, "cap", NULL);
    open_all(&v);
    import(&v, RG_IMPORT_CUSTOMERS, CUSTOMERS);
    import(&v, RG_IMPORT_INVOICES, INVOICES);
    tick(&v, TICK_AT);
    assert_int_equal(rg_store_customer_get(v.store, "C1", &c, &e), RG_OK);
    m.customer_id = c.id;
    assert_int_equal(rg_store_message_insert(v.store, &m, &ins, &e), RG_OK);
    st = drain(&v, TICK_AT);
    assert_int_equal(st.waiting, 1);
    msg_view c1 = message_of(&v, "C1");
    assert_int_equal(c1.m.status, RG_MSG_QUEUED);
    assert_string_equal(c1.m.reason, "cap of 1 messages in 1 days reached (waiting until 2026-11-25T11:00:00Z)");
    /* the next day it would say "vence hoje" a day late: cancelled */
    assert_int_equal(drain(&v, "2026-11-25T11:00:00Z").cancelled, 1);
    teardown(&v);
}

static void test_retries_exhausted_and_uncertain(void **state)
{
    (void)state;
    env v;
    setup(&v, "exhausted",
          "[{\"match\": \"5511922220003\", \"status\": 503},"
          " {\"match\": \"5511987650001\", \"status\": 500},"
          " {\"match\": \"5511911110002\", \"status\": 400, \"code\": 130429, \"message\": \"Rate limit hit\","
          "   \"times\": 1}]");
    set(v.sms, "max_attempts", "2");
    open_all(&v);
    import(&v, RG_IMPORT_CUSTOMERS, CUSTOMERS);
    import(&v, RG_IMPORT_INVOICES, INVOICES);
    tick(&v, TICK_AT);
    rg_dispatch_stats st = drain(&v, TICK_AT);
    /* C1: WhatsApp answered 500 — it may have sent it, and takes no key: not resent,
     * left for review (status uncertain, with an operator task), never `failed` */
    msg_view c1 = message_of(&v, "C1");
    assert_int_equal(c1.m.status, RG_MSG_UNCERTAIN);
    assert_string_equal(c1.m.channel, "whatsapp");
    assert_string_equal(c1.m.reason, "uncertain: attempt 1 on whatsapp ended with 'WhatsApp error 100 (HTTP 500): fake"
                                     " error 500 — fake error 500' after the request may have reached the provider;"
                                     " not resent (on_uncertain: review)");
    assert_int_equal(st.uncertain, 1);
    review_task_of(&v, c1.m.id, "Message %lld on whatsapp may have reached the customer: uncertain: attempt 1");
    /* C2: WhatsApp throttled it (HTTP 400, code 130429): surely not sent, so retried */
    msg_view c2 = message_of(&v, "C2");
    assert_int_equal(c2.m.status, RG_MSG_QUEUED);
    assert_string_equal(c2.m.channel, "whatsapp");
    /* C3: SMS 503, retried up to max_attempts (2), then the next channel */
    msg_view c3 = message_of(&v, "C3");
    assert_int_equal(c3.m.status, RG_MSG_QUEUED);
    assert_int_equal(c3.m.attempts, 1);
    st = drain(&v, "2026-11-24T13:00:00Z");
    c3 = message_of(&v, "C3");
    assert_int_equal(c3.m.status, RG_MSG_SENT);
    assert_string_equal(c3.m.channel, "email");
    assert_string_equal(c3.m.reason, "sms: gave up after 2 attempts (HTTP 503: {\"error\": \"fake error 503\","
                                     " \"code\": 503}); falling back to email");
    assert_string_equal(c3.m.provider_id, "log:3");
    c2 = message_of(&v, "C2");
    assert_int_equal(c2.m.status, RG_MSG_SENT);
    assert_int_equal(c2.m.attempts, 2);
    int del, rep;
    fake_count(&v.fk, c1.m.idempotency_key, &del, &rep);
    assert_int_equal(del, 1);
    teardown(&v);
}

static void test_timeout_is_transient(void **state)
{
    (void)state;
    env v;
    setup(&v, "timeout", "[{\"match\": \"5511922220003\", \"hang\": 4, \"times\": 1}]");
    open_all(&v);
    import(&v, RG_IMPORT_CUSTOMERS, CUSTOMERS);
    import(&v, RG_IMPORT_INVOICES, INVOICES);
    tick(&v, TICK_AT);
    drain(&v, TICK_AT);
    msg_view c3 = message_of(&v, "C3");
    assert_int_equal(c3.m.status, RG_MSG_QUEUED);
    /* the request went and no answer came: maybe received; the SMS API takes
     * the idempotency key, so it is resent with the same key */
    assert_non_null(strstr(c3.m.reason, "sms: attempt 1 may have reached the provider (Timeout was reached);"
                                        " resending at "));
    assert_non_null(strstr(c3.m.reason, " with the same idempotency key"));
    assert_int_equal(drain(&v, "2026-11-24T13:00:00Z").sent, 1);
    assert_int_equal(message_of(&v, "C3").m.status, RG_MSG_SENT);
    teardown(&v);
}

/* A request that never left (here: the TLS handshake with a server that
 * speaks plain HTTP fails before one byte of it is sent) is not sent, even
 * on a channel without a key: retried, not left for review. */
static void test_request_never_left(void **state)
{
    (void)state;
    env v;
    setup(&v, "never_left", NULL);
    char url[160];
    snprintf(url, sizeof url, "https://127.0.0.1:%d/sms", v.fk.port);
    set(v.sms, "url", url);
    set(v.sms, "idempotency_header", "none");
    open_all(&v);
    import(&v, RG_IMPORT_CUSTOMERS, CUSTOMERS);
    import(&v, RG_IMPORT_INVOICES, INVOICES);
    tick(&v, TICK_AT);
    rg_dispatch_stats st = drain(&v, TICK_AT);
    assert_int_equal(st.uncertain, 0);
    msg_view c3 = message_of(&v, "C3");
    assert_int_equal(c3.m.status, RG_MSG_QUEUED);
    assert_int_equal(c3.m.attempts, 1);
    assert_non_null(strstr(c3.m.reason, "sms: attempt 1 failed ("));
    assert_int_equal(count_status(&v, RG_MSG_UNCERTAIN), 0);
    teardown(&v);
}

typedef struct claimed {
    int64_t ids[16];
    size_t n;
} claimed;

static rg_status on_claimed(void *p, const rg_message *m)
{
    claimed *c = p;
    c->ids[c->n++] = m->id;
    return RG_OK;
}

static pid_t dead_pid(void)
{
    pid_t p = fork();
    if (p == 0)
        _exit(0);
    waitpid(p, NULL, 0);
    return p;
}

static void test_crash_recovery(void **state)
{
    (void)state;
    env v;
    setup(&v, "crash", NULL);
    open_all(&v);
    import(&v, RG_IMPORT_CUSTOMERS, CUSTOMERS);
    import(&v, RG_IMPORT_INVOICES, INVOICES);
    tick(&v, TICK_AT);
    rg_err e;
    char host[64], owner[128];
    gethostname(host, sizeof host);
    snprintf(owner, sizeof owner, "%s:%ld:deadbeef", host, (long)dead_pid());
    rg_instant now = at(TICK_AT);
    /* a dispatcher that died after sending C3's SMS and before recording it:
     * the fake has it; its lease is still valid but its process is gone */
    claimed cl = {{0}, 0};
    assert_int_equal(rg_store_outbox_claim(v.store, "sms", NULL, owner, now, now + 900, 10, on_claimed, &cl, &e), RG_OK);
    assert_int_equal(cl.n, 1);
    msg_view c3 = message_of(&v, "C3");
    assert_int_equal(c3.m.status, RG_MSG_SENDING);
    {
        rg_channel_env cenv = {&v.config, NULL, NULL};
        rg_channel *ch = NULL;
        assert_int_equal(rg_channel_open(v.sms, &cenv, &ch, &e), RG_OK);
        rg_customer cust;
        assert_int_equal(rg_store_customer_get(v.store, "C3", &cust, &e), RG_OK);
        c3.m.body = c3.body;
        c3.m.payload = c3.payload;
        rg_outgoing og = {&c3.m, &cust, "+5511922220003", "F3"};
        rg_send_result res;
        assert_int_equal(rg_channel_send(ch, &og, &res, &e), RG_OK);
        rg_channel_close(ch);
    }
    /* another died after handing C1's WhatsApp template (no idempotency key) */
    cl.n = 0;
    assert_int_equal(rg_store_outbox_claim(v.store, "whatsapp", NULL, "elsewhere:1:cafe", now, now + 900, 1,
                                           on_claimed, &cl, &e),
                     RG_OK);
    assert_int_equal(cl.n, 1);
    bool held;
    assert_int_equal(rg_store_outbox_handed(v.store, cl.ids[0], "elsewhere:1:cafe", now, &held, &e), RG_OK);
    assert_true(held);
    /* before its lease expires (another host, alive as far as we know) nothing moves */
    rg_dispatch_stats st = drain(&v, TICK_AT);
    assert_int_equal(st.recovered, 1); /* C3's: its process is gone */
    assert_int_equal(st.uncertain, 0);
    msg_view c1 = message_of(&v, "C1");
    assert_int_equal(c1.m.status, RG_MSG_SENDING);
    c3 = message_of(&v, "C3");
    assert_int_equal(c3.m.status, RG_MSG_SENT);
    /* resent with the same key: the provider answered with the first delivery's id */
    int del, rep;
    fake_count(&v.fk, c3.m.idempotency_key, &del, &rep);
    assert_int_equal(del, 1);
    assert_int_equal(rep, 1);
    assert_string_equal(c3.m.provider_id, "sms-1");
    assert_int_equal(c3.m.attempts, 1);
    /* the lease expires: uncertain, not resent */
    st = drain(&v, "2026-11-24T12:20:00Z");
    assert_int_equal(st.uncertain, 1);
    c1 = message_of(&v, "C1");
    assert_int_equal(c1.m.status, RG_MSG_UNCERTAIN);
    assert_non_null(strstr(c1.m.reason, "uncertain: the dispatcher elsewhere:1:cafe stopped after handing attempt 1"
                                        " to whatsapp (2026-11-24T12:00:00Z)"));
    review_task_of(&v, c1.m.id, "Message %lld on whatsapp may have reached the customer: uncertain: the dispatcher");
    fake_count(&v.fk, c1.m.idempotency_key, &del, &rep);
    assert_int_equal(del + rep, 0);
    /* a late answer from the presumed-dead dispatcher changes nothing */
    rg_outbox_result r;
    memset(&r, 0, sizeof r);
    r.id = cl.ids[0];
    r.owner = "elsewhere:1:cafe";
    r.status = RG_MSG_SENT;
    assert_int_equal(rg_store_outbox_finish(v.store, &r, now, &held, &e), RG_OK);
    assert_false(held);
    assert_int_equal(message_of(&v, "C1").m.status, RG_MSG_UNCERTAIN);
    teardown(&v);
}

/* POSTs the fake received whose body holds `needle`. */
static int posts_with(const fake *f, const char *needle)
{
    json_t *a = fake_requests(f);
    size_t i;
    json_t *r;
    int n = 0;
    json_array_foreach(a, i, r)
    {
        const char *m = json_string_value(json_object_get(r, "method"));
        const char *b = json_string_value(json_object_get(r, "body"));
        if (m && !strcmp(m, "POST") && b && strstr(b, needle))
            n++;
    }
    json_decref(a);
    return n;
}

/* Reconciliation on a key-less http channel with lookup_url (Twilio's
 * message list): before an attempt that may have gone is called uncertain,
 * the dispatcher asks the provider. Found: sent, with the provider's id,
 * no task, not resent. Not listed, or the list did not answer: uncertain
 * with a task, the reason saying which. Both after a crash (recovery) and
 * after a lost answer (a timeout). */
static void test_lookup_reconciles(void **state)
{
    (void)state;
    env v;
    /* L3's answer never comes (its release file is never made): the 1 s timeout ends the wait, whatever the load */
    char rules[700];
    snprintf(rules, sizeof rules,
             "[{\"match\": \"GET /Messages.json\", \"status\": 500, \"times\": 1},"
             " {\"match\": \"5511955550003\", \"until\": \"%s/lookup/never\", \"times\": 1}]",
             rg_test_tmpdir());
    setup(&v, "lookup", rules);
    char url[200];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/2010-04-01/Accounts/AC1/Messages.json?To={{to}}&PageSize=50",
             v.fk.port);
    set(v.sms, "idempotency_header", "none");
    set(v.sms, "lookup_url", url);
    open_all(&v);
    import(&v, RG_IMPORT_CUSTOMERS, "external_id;name;phone\nL0;Lia Zero;+5511955550000\n"
                                    "L1;Lia Um;+5511955550001\nL2;Lia Dois;+5511955550002\n"
                                    "L3;Lia Tres;+5511955550003\n");
    import(&v, RG_IMPORT_INVOICES, "external_id,customer_external_id,amount,due_date\nG0,L0,10.00,2026-11-24\n"
                                   "G1,L1,11.00,2026-11-24\nG2,L2,12.00,2026-11-24\nG3,L3,13.00,2026-11-24\n");
    tick(&v, TICK_AT);
    rg_err e;
    char host[64], owner[128];
    gethostname(host, sizeof host);
    snprintf(owner, sizeof owner, "%s:%ld:deadbeef", host, (long)dead_pid());
    rg_instant now = at(TICK_AT);
    /* a dispatcher handed L0's, L1's and L2's SMS and died; only L1's reached the provider */
    claimed cl = {{0}, 0};
    assert_int_equal(rg_store_outbox_claim(v.store, "sms", NULL, owner, now, now + 900, 3, on_claimed, &cl, &e), RG_OK);
    assert_int_equal(cl.n, 3);
    for (size_t i = 0; i < cl.n; i++) {
        bool held;
        assert_int_equal(rg_store_outbox_handed(v.store, cl.ids[i], owner, now, &held, &e), RG_OK);
        assert_true(held);
    }
    msg_view l1 = message_of(&v, "L1");
    {
        rg_channel_env cenv = {&v.config, NULL, NULL};
        rg_channel *ch = NULL;
        assert_int_equal(rg_channel_open(v.sms, &cenv, &ch, &e), RG_OK);
        assert_true(rg_channel_can_lookup(ch));
        rg_customer cust;
        assert_int_equal(rg_store_customer_get(v.store, "L1", &cust, &e), RG_OK);
        l1.m.body = l1.body;
        l1.m.payload = l1.payload;
        rg_outgoing og = {&l1.m, &cust, "+5511955550001", "G1"};
        rg_send_result res;
        assert_int_equal(rg_channel_send(ch, &og, &res, &e), RG_OK);
        rg_channel_close(ch);
    }
    /* L3's is sent now; the provider takes it (listed) and never answers */
    rg_dispatch_stats st = drain(&v, TICK_AT);
    assert_int_equal(st.reconciled, 2);
    assert_int_equal(st.uncertain, 2);
    msg_view m = message_of(&v, "L0");
    assert_int_equal(m.m.status, RG_MSG_UNCERTAIN);
    assert_non_null(strstr(m.m.reason, "before recording the answer; the provider could not be asked (lookup failed:"
                                       " HTTP 500"));
    review_task_of(&v, m.m.id, "Message %lld on sms may have reached the customer: uncertain: the dispatcher");
    m = message_of(&v, "L1");
    assert_int_equal(m.m.status, RG_MSG_SENT);
    assert_int_equal(m.m.attempts, 1);
    assert_string_equal(m.m.provider_id, "sms-1");
    assert_non_null(strstr(m.m.reason, "before recording the answer; the provider has it as sms-1 (reconciled by"
                                       " lookup)"));
    assert_int_equal(posts_with(&v.fk, "5511955550001"), 1); /* not resent */
    m = message_of(&v, "L2");
    assert_int_equal(m.m.status, RG_MSG_UNCERTAIN);
    assert_non_null(strstr(m.m.reason, "the answer; the provider's message list does not have it (lookup); not"
                                       " resent (on_uncertain: review)"));
    review_task_of(&v, m.m.id, "Message %lld on sms may have reached the customer: uncertain: the dispatcher");
    assert_int_equal(posts_with(&v.fk, "5511955550002"), 0);
    m = message_of(&v, "L3");
    assert_int_equal(m.m.status, RG_MSG_SENT);
    assert_non_null(strstr(m.m.reason, "attempt 1 on sms ended with '"));
    assert_non_null(strstr(m.m.reason, "(reconciled by lookup)"));
    assert_non_null(strstr(m.m.reason, m.m.provider_id));
    assert_int_equal(strncmp(m.m.provider_id, "sms-", 4), 0);
    assert_int_equal(m.m.attempts, 1); /* not resent */
    assert_int_equal(posts_with(&v.fk, "5511955550003"), 0); /* the fake logs a request once answered: never */
    assert_int_equal(count_status(&v, RG_MSG_UNCERTAIN), 2);
    /* the lookup's settings are checked when the channel opens */
    {
        rg_channel_config bad = *v.sms;
        rg_channel_env cenv = {&v.config, NULL, NULL};
        rg_channel *ch = NULL;
        set(&bad, "lookup_url", "");
        set(&bad, "lookup_list", "/messages");
        assert_int_equal(rg_channel_open(&bad, &cenv, &ch, &e), RG_EINVAL);
        assert_string_equal(e.msg, "'lookup_list' needs 'lookup_url'");
        bad = *v.sms;
        set(&bad, "lookup_body", "body");
        assert_int_equal(rg_channel_open(&bad, &cenv, &ch, &e), RG_EINVAL);
        assert_string_equal(e.msg, "'lookup_body' must be a JSON pointer such as /body");
        bad = *v.sms;
        set(&bad, "lookup_url", "ftp://x/list");
        assert_int_equal(rg_channel_open(&bad, &cenv, &ch, &e), RG_EINVAL);
        bad = *v.sms;
        set(&bad, "lookup_url", "");
        assert_int_equal(rg_channel_open(&bad, &cenv, &ch, &e), RG_OK);
        assert_false(rg_channel_can_lookup(ch));
        rg_channel_close(ch);
    }
    teardown(&v);
}

static void test_consolidated_partial_payment(void **state)
{
    (void)state;
    env v;
    setup(&v, "consolidated", NULL);
    open_all(&v);
    import(&v, RG_IMPORT_CUSTOMERS, "external_id;name;document;email;whatsapp;phone;tags\n"
                                    "C5;Lia Mota;529.982.247-25;lia@x.com.br;;+5511955550005;consolida\n");
    import(&v, RG_IMPORT_INVOICES, "external_id,customer_external_id,description,amount,issue_date,due_date\n"
                                   "F5,C5,Um,10.00,2026-11-01,2026-11-24\n"
                                   "F6,C5,Dois,20.00,2026-11-01,2026-11-24\n");
    tick(&v, TICK_AT);
    msg_view c5 = message_of(&v, "C5");
    assert_string_equal(c5.body, "Vencem hoje: F5=R$ 10,00; F6=R$ 20,00; Exemplo Ltda (CNPJ 11.222.333/0001-81)");
    pay(&v, "F5", 1000, "2026-11-24T12:00:10Z");
    assert_int_equal(drain(&v, TICK_AT).sent, 1);
    c5 = message_of(&v, "C5");
    assert_int_equal(c5.m.status, RG_MSG_SENT);
    assert_string_equal(c5.body, "Vencem hoje: F6=R$ 20,00; Exemplo Ltda (CNPJ 11.222.333/0001-81)");
    assert_string_equal(c5.m.reason, "re-rendered without F5 paid");
    json_t *r = fake_last(&v.fk, c5.m.idempotency_key);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(json_object_get(r, "json"), "contents"), 0), "text")),
                        "Vencem hoje: F6=R$ 20,00; Exemplo Ltda (CNPJ 11.222.333/0001-81)");
    json_decref(r);
    teardown(&v);
}

static double elapsed_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void many(env *v, int n)
{
    rg_buf c = RG_BUF_INIT, f = RG_BUF_INIT;
    rg_buf_puts(&c, "external_id;name;phone\n");
    rg_buf_puts(&f, "external_id,customer_external_id,amount,due_date\n");
    for (int i = 0; i < n; i++) {
        rg_buf_printf(&c, "M%d;Cliente %d;+55119%08d\n", i, i, i);
        rg_buf_printf(&f, "G%d,M%d,10.00,2026-11-24\n", i, i);
    }
    import(v, RG_IMPORT_CUSTOMERS, rg_buf_cstr(&c));
    import(v, RG_IMPORT_INVOICES, rg_buf_cstr(&f));
    rg_buf_free(&c);
    rg_buf_free(&f);
}

/* A provider's status webhook that settles a message while the dispatcher
 * still waits for the provider's answer: the store keeps the webhook's
 * word; the dispatcher's log says nothing when it agrees (delivered after
 * our sent) and names what the message is when it does not.
 *
 * No sleeps decide the order: the fake provider holds both answers until
 * the release file exists; the webhook thread waits until both requests
 * arrived (so both handed marks are written: a mark is durable before its
 * transfer starts), settles the two messages from a peer store, then lets
 * the answers go. */
typedef struct webhook_race {
    rg_store *peer;
    const char *release; /* the fake answers once this file exists */
    int64_t ids[2];      /* M0's, M1's */
    bool arrived;        /* both requests reached the provider */
    rg_status rc[2];
    bool changed[2];
} webhook_race;

static int lines_of(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int n = 0, ch;
    while ((ch = fgetc(f)) != EOF)
        n += ch == '\n';
    fclose(f);
    return n;
}

static void *race_thread(void *p)
{
    webhook_race *w = p;
    char arrived[600];
    snprintf(arrived, sizeof arrived, "%s.arrived", w->release);
    /* bounded: a dispatcher that never sends fails the test, it does not hang it */
    for (int i = 0; i < 3000 && !(w->arrived = lines_of(arrived) >= 2); i++) {
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (w->arrived) {
        rg_instant now = at(TICK_AT);
        for (int k = 0; k < 2; k++) {
            rg_err e;
            /* M0: delivered (agrees with the dispatcher's sent); M1: failed */
            w->rc[k] = rg_store_message_track(w->peer, w->ids[k], k == 0 ? RG_MSG_DELIVERED : RG_MSG_FAILED,
                                              k == 0 ? NULL : "30003: Unreachable destination handset", now, now,
                                              &w->changed[k], &e);
        }
    }
    FILE *f = fopen(w->release, "w"); /* no cmocka assert off the test's thread */
    if (f)
        fclose(f);
    return NULL;
}

static char race_log[4096];

static void capture_log(char *line, size_t size)
{
    (void)size;
    size_t l = strlen(race_log);
    snprintf(race_log + l, sizeof race_log - l, "%s", line);
}

static void test_webhook_settles_first(void **state)
{
    (void)state;
    char release[512], arrived[600], rules[700];
    snprintf(release, sizeof release, "%s/webhook_first/release", rg_test_tmpdir());
    snprintf(arrived, sizeof arrived, "%s.arrived", release);
    unlink(release);
    unlink(arrived);
    snprintf(rules, sizeof rules, "[{\"match\": \"\", \"until\": \"%s\"}]", release);
    env v;
    setup(&v, "webhook_first", rules);
    set(v.sms, "timeout", "10");
    open_all(&v);
    many(&v, 2);
    tick(&v, TICK_AT);
    rg_err e;
    webhook_race w;
    memset(&w, 0, sizeof w);
    w.release = release;
    w.ids[0] = message_of(&v, "M0").m.id;
    w.ids[1] = message_of(&v, "M1").m.id;
    assert_int_equal(rg_store_open_peer(v.store, 5000, &w.peer, &e), RG_OK);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, race_thread, &w), 0);
    race_log[0] = '\0';
    rg_log_set_filter(capture_log);
    rg_clock clock = rg_clock_fixed(at(TICK_AT));
    rg_dispatch_stats st;
    rg_status rc = rg_dispatcher_drain(v.d, &clock, &st, &e);
    rg_log_set_filter(NULL);
    pthread_join(th, NULL);
    assert_int_equal(rc, RG_OK);
    assert_true(w.arrived);
    for (int k = 0; k < 2; k++) {
        assert_int_equal(w.rc[k], RG_OK);
        assert_true(w.changed[k]);
    }
    assert_int_equal(st.lost, 2);
    assert_int_equal(message_of(&v, "M0").m.status, RG_MSG_DELIVERED);
    assert_int_equal(message_of(&v, "M1").m.status, RG_MSG_FAILED);
    char want[200];
    snprintf(want, sizeof want, "message %lld: already failed (a provider status webhook or another dispatcher settled"
             " it first); outcome sent not recorded", (long long)w.ids[1]);
    if (!strstr(race_log, want))
        fail_msg("log '%s' lacks '%s'", race_log, want);
    snprintf(want, sizeof want, "message %lld:", (long long)w.ids[0]);
    if (strstr(race_log, want))
        fail_msg("log '%s' speaks of the delivered message", race_log);
    assert_null(strstr(race_log, "lease taken over"));
    rg_store_close(w.peer);
    teardown(&v);
}

static void test_limits(void **state)
{
    (void)state;
    /* max_in_flight 2 against a provider that takes 0.3 s: 6 SMS need 3 rounds */
    env v;
    setup(&v, "in_flight", "[{\"match\": \"\", \"sleep\": 0.3}]");
    set(v.sms, "max_in_flight", "2");
    open_all(&v);
    many(&v, 6);
    tick(&v, TICK_AT);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(drain(&v, TICK_AT).sent, 6);
    double el = elapsed_since(&t0);
    assert_true(el >= 0.85);
    teardown(&v);

    /* rate_per_second 10: 25 SMS take at least 1.5 s (10 at once, then 10 a second) */
    setup(&v, "rate", NULL);
    set(v.sms, "rate_per_second", "10");
    set(v.sms, "max_in_flight", "50");
    open_all(&v);
    many(&v, 25);
    tick(&v, TICK_AT);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rg_dispatch_stats dst = drain(&v, TICK_AT);
    assert_int_equal(dst.sent, 25);
    el = elapsed_since(&t0);
    assert_true(el >= 1.4);
    teardown(&v);
}

static void test_stop(void **state)
{
    (void)state;
    env v;
    setup(&v, "stop", NULL);
    open_all(&v);
    many(&v, 5);
    tick(&v, TICK_AT);
    rg_dispatcher_stop(v.d);
    rg_dispatch_stats st = drain(&v, TICK_AT);
    assert_int_equal(st.claimed, 0);
    int64_t queued, sending;
    rg_err e;
    assert_int_equal(rg_store_outbox_counts(v.store, &queued, &sending, &e), RG_OK);
    assert_int_equal(queued, 5);
    assert_int_equal(sending, 0);
    teardown(&v);
}

/* ---- a store held by another writer ---- */

typedef struct busy {
    rg_engine *engine;
    rg_store *holder; /* another handle: takes the write lock at the first re-check */
    rg_dispatcher *d;
    bool taken;
    bool stop;   /* the thread asks the dispatcher to stop instead of releasing */
    int hold_ms;
    pthread_t th;
} busy;

static void *busy_thread(void *p)
{
    busy *b = p;
    struct timespec ts = {b->hold_ms / 1000, (long)(b->hold_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    rg_err e;
    if (b->stop)
        rg_dispatcher_stop(b->d);
    else
        rg_store_commit(b->holder, &e);
    return NULL;
}

/* The engine's re-check, after which the other writer takes the lock: the
 * transfers start, and their outcomes find the store busy. */
static rg_status busy_check(void *ctx, const rg_message *m, const rg_customer *c, rg_instant now, const char *failed,
                            rg_dispatch_verdict *out, rg_err *e)
{
    busy *b = ctx;
    if (!b->taken) {
        b->taken = true;
        assert_int_equal(rg_store_begin(b->holder, e), RG_OK);
        assert_int_equal(pthread_create(&b->th, NULL, busy_thread, b), 0);
    }
    return rg_engine_dispatch_check(b->engine, m, c, now, failed, out, e);
}

static void test_store_busy(void **state)
{
    (void)state;
    for (int round = 0; round < 2; round++) {
        env v;
        setup(&v, round ? "busy_stop" : "busy", NULL);
        open_all(&v);
        many(&v, 6);
        tick(&v, TICK_AT);
        rg_err e;
        /* the dispatcher's own handle waits 200 ms for the lock; the other
         * writer holds it for 1.5 s */
        rg_store *peer = NULL;
        busy b;
        memset(&b, 0, sizeof b);
        b.engine = v.engine;
        b.stop = round == 1;
        b.hold_ms = round ? 500 : 1500;
        assert_int_equal(rg_store_open_peer(v.store, 200, &peer, &e), RG_OK);
        assert_int_equal(rg_store_open_peer(v.store, 10000, &b.holder, &e), RG_OK);
        rg_dispatch_options o;
        memset(&o, 0, sizeof o);
        o.store = peer;
        o.config = &v.config;
        o.check = busy_check;
        o.check_ctx = &b;
        o.seed = 1;
        o.stop_grace_ms = 300;
        assert_int_equal(rg_dispatcher_open(&o, &b.d, &e), RG_OK);
        rg_clock clock = rg_clock_fixed(at(TICK_AT));
        rg_dispatch_stats st;
        rg_err_clear(&e);
        rg_status rc = rg_dispatcher_drain(b.d, &clock, &st, &e);
        pthread_join(b.th, NULL);
        assert_true(b.taken);
        assert_int_equal(st.busy_waits, 1);
        if (round == 0) {
            /* the outcomes waited in memory and were written once the lock was free */
            assert_int_equal(rc, RG_OK);
            assert_int_equal(st.sent, 6);
        } else {
            /* asked to stop while the store stays busy: the drain gives up after
             * the grace, with the outcomes still held */
            assert_int_equal(rc, RG_EBUSY);
            assert_int_equal(count_status(&v, RG_MSG_SENDING), 6);
            assert_int_equal(rg_store_commit(b.holder, &e), RG_OK);
            /* the next drain, long after the leases expired, writes them first
             * and takes none of its own leases back */
            clock = rg_clock_fixed(at("2026-11-24T14:00:00Z"));
            assert_int_equal(rg_dispatcher_drain(b.d, &clock, &st, &e), RG_OK);
            assert_int_equal(st.recovered + st.uncertain + st.lost, 0);
        }
        assert_int_equal(st.lost, 0);
        assert_int_equal(count_status(&v, RG_MSG_SENT), 6);
        /* each went once: nothing was resent */
        json_t *a = fake_requests(&v.fk);
        assert_int_equal(json_array_size(a), 6);
        size_t i;
        json_t *r;
        json_array_foreach(a, i, r) assert_false(json_is_true(json_object_get(r, "replay")));
        json_decref(a);
        rg_dispatcher_close(b.d);
        rg_store_close(b.holder);
        rg_store_close(peer);
        teardown(&v);
    }
}

/* ---- leases are renewed while a dispatcher still holds its messages ---- */

typedef struct rival {
    rg_store *store;
    const rg_config *config;
    rg_dispatch_stats st;
    rg_status rc;
} rival;

/* Another dispatcher (same host, this live process) starts 5.2 s in: it
 * recovers expired leases, and claims nothing (stopped). */
static void *rival_thread(void *p)
{
    rival *r = p;
    struct timespec ts = {5, 200000000L};
    nanosleep(&ts, NULL);
    rg_dispatch_options o;
    memset(&o, 0, sizeof o);
    o.store = r->store;
    o.config = r->config;
    rg_dispatcher *d = NULL;
    rg_err e;
    if ((r->rc = rg_dispatcher_open(&o, &d, &e)) != RG_OK)
        return NULL;
    rg_dispatcher_stop(d);
    rg_clock clock = rg_clock_system();
    r->rc = rg_dispatcher_drain(d, &clock, &r->st, &e);
    rg_dispatcher_close(d);
    return NULL;
}

static void test_lease_renewed(void **state)
{
    (void)state;
    env v;
    /* the provider takes 6.5 s; the lease is 4 s */
    setup(&v, "renew", "[{\"match\": \"\", \"sleep\": 6.5}]");
    set(v.sms, "timeout", "30");
    open_all(&v);
    many(&v, 3);
    tick(&v, TICK_AT);
    rg_err e;
    rival r;
    memset(&r, 0, sizeof r);
    r.config = &v.config;
    assert_int_equal(rg_store_open_peer(v.store, 10000, &r.store, &e), RG_OK);
    rg_dispatch_options o;
    memset(&o, 0, sizeof o);
    o.store = v.store;
    o.config = &v.config; /* no re-check: the real clock is past the cadence's dates */
    o.lease_seconds = 4;
    rg_dispatcher *d = NULL;
    assert_int_equal(rg_dispatcher_open(&o, &d, &e), RG_OK);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, rival_thread, &r), 0);
    rg_clock clock = rg_clock_system();
    rg_dispatch_stats st;
    assert_int_equal(rg_dispatcher_drain(d, &clock, &st, &e), RG_OK);
    pthread_join(th, NULL);
    assert_int_equal(r.rc, RG_OK);
    /* the leases were still ours when the rival looked: nothing taken over, nothing resent */
    assert_int_equal(r.st.recovered + r.st.uncertain, 0);
    assert_int_equal(st.lost, 0);
    assert_int_equal(st.sent, 3);
    assert_int_equal(count_status(&v, RG_MSG_SENT), 3);
    rg_dispatcher_close(d);
    rg_store_close(r.store);
    teardown(&v);
}

/* ---- the uncertain window after a crash ---- */

static void test_crash_window(void **state)
{
    (void)state;
    env v;
    /* the provider holds the first three requests; it takes no key, so
     * on_uncertain defaults to review */
    setup(&v, "window_bound", "[{\"match\": \"\", \"hang\": 30, \"times\": 3}]");
    set(v.sms, "idempotency_header", "none");
    set(v.sms, "max_in_flight", "3");
    set(v.sms, "timeout", "60");
    open_all(&v);
    many(&v, 9);
    tick(&v, TICK_AT);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* a dispatcher process of its own, killed while its transfers hang */
        rg_store *s = NULL;
        rg_engine *en = NULL;
        rg_dispatcher *dd = NULL;
        rg_err e;
        rg_diags dg = RG_DIAGS_INIT;
        if (rg_store_open(v.config.database, &s, &e) != RG_OK)
            _exit(2);
        rg_engine_options eo = {s, &v.config, false, 0, 0};
        if (rg_engine_open(&eo, &en, &dg, &e) != RG_OK)
            _exit(3);
        rg_dispatch_options o;
        memset(&o, 0, sizeof o);
        o.store = s;
        o.config = &v.config;
        o.check = rg_engine_dispatch_check;
        o.check_ctx = en;
        if (rg_dispatcher_open(&o, &dd, &e) != RG_OK)
            _exit(4);
        rg_clock clock = rg_clock_fixed(at(TICK_AT));
        rg_dispatch_stats st;
        rg_dispatcher_drain(dd, &clock, &st, &e);
        _exit(0);
    }
    size_t seen = 0;
    for (int i = 0; i < 600 && seen < 3; i++) {
        usleep(50000);
        json_t *a = fake_requests(&v.fk);
        seen = json_array_size(a);
        json_decref(a);
    }
    assert_int_equal(seen, 3);
    usleep(200000); /* a fourth request, if the bound did not hold, would show */
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    assert_int_equal(count_status(&v, RG_MSG_SENDING), 3);
    rg_dispatch_stats st = drain(&v, TICK_AT);
    assert_int_equal(st.uncertain, 3); /* at most max_in_flight */
    assert_int_equal(st.sent, 6);
    assert_int_equal(count_status(&v, RG_MSG_UNCERTAIN), 3);
    assert_int_equal(count_status(&v, RG_MSG_SENT), 6);
    /* nine keys, each delivered once */
    json_t *a = fake_requests(&v.fk);
    assert_int_equal(json_array_size(a), 9);
    json_decref(a);
    teardown(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_templates),
        cmocka_unit_test(test_json_pointer_and_dates),
        cmocka_unit_test(test_http_driver),
        cmocka_unit_test(test_whatsapp_driver),
        cmocka_unit_test(test_send_fallback_retry),
        cmocka_unit_test(test_paid_before_sending),
        cmocka_unit_test(test_window_cap_optout),
        cmocka_unit_test(test_retries_exhausted_and_uncertain),
        cmocka_unit_test(test_timeout_is_transient),
        cmocka_unit_test(test_request_never_left),
        cmocka_unit_test(test_crash_recovery),
        cmocka_unit_test(test_lookup_reconciles),
        cmocka_unit_test(test_webhook_settles_first),
        cmocka_unit_test(test_consolidated_partial_payment),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_stop),
        cmocka_unit_test(test_store_busy),
        cmocka_unit_test(test_crash_window),
        cmocka_unit_test(test_lease_renewed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
