#include "test.h"

#include "config/config.h"

static rg_status parse(rg_config *c, const char *text, rg_err *e)
{
    rg_config_defaults(c);
    rg_err_clear(e);
    return rg_config_parse(c, "regua.yaml", "/etc/regua", text, strlen(text), e);
}

static void test_defaults(void **state)
{
    (void)state;
    rg_config c;
    rg_err e;
    assert_int_equal(parse(&c, "", &e), RG_OK);
    assert_string_equal(c.database, "/etc/regua/regua.db");
    assert_string_equal(c.listen, "127.0.0.1:8080");
    assert_string_equal(c.default_timezone, "America/Sao_Paulo");
    assert_int_equal(c.server.max_connections, 256);
    assert_int_equal(c.server.max_connections_per_ip, 32);
    assert_int_equal(c.server.write_wait_ms, 5000);
    rg_config_defaults(&c);
    assert_int_equal(rg_config_load(&c, rg_test_path("absent.yaml"), false, &e), RG_OK);
    assert_false(c.from_file);
    assert_int_equal(rg_config_load(&c, rg_test_path("absent.yaml"), true, &e), RG_EIO);
}

static void test_full(void **state)
{
    (void)state;
    rg_config c;
    rg_err e;
    const char *text = "database: dados/regua.db\n"
                       "listen: 0.0.0.0:9000\n"
                       "public_url: https://cobranca.exemplo.com.br\n"
                       "company:\n"
                       "  name: Exemplo Serviços Ltda\n"
                       "  cnpj: 11.222.333/0001-81\n"
                       "  email: financeiro@exemplo.com.br\n"
                       "cadences: cadences\n"
                       "templates: /srv/templates\n"
                       "legal_interest_month_pct: 0.45\n"
                       "channels:\n"
                       "  email: {driver: smtp, url: 'smtp://127.0.0.1:2525', from: 'cobranca@exemplo.com.br',\n"
                       "          password_env: SMTP_PASSWORD, max_in_flight: 4, ca_file: tls/ca.pem,\n"
                       "          starttls: required, timeout_seconds: 20}\n"
                       "  sms:\n"
                       "    driver: http\n"
                       "    url: http://127.0.0.1:9999/sms\n"
                       "    headers: {Authorization: 'Bearer ${SMS_TOKEN}', X-Test: '1'}\n"
                       "  whatsapp: {driver: log, path: out/whatsapp.jsonl, on_uncertain: review}\n";
    assert_int_equal(parse(&c, text, &e), RG_OK);
    assert_string_equal(c.database, "/etc/regua/dados/regua.db");
    assert_string_equal(c.listen, "0.0.0.0:9000");
    assert_string_equal(c.company.name, "Exemplo Serviços Ltda");
    assert_string_equal(c.company.cnpj, "11222333000181");
    assert_string_equal(c.company.cnpj_formatted, "11.222.333/0001-81");
    assert_string_equal(c.cadences_dir, "/etc/regua/cadences");
    assert_string_equal(c.templates_dir, "/srv/templates");
    assert_int_equal(c.legal_interest_month_pct, 45);
    assert_int_equal(c.n_channels, 3);
    const rg_channel_config *em = rg_config_channel(&c, "email");
    assert_non_null(em);
    assert_string_equal(em->driver, "smtp");
    assert_string_equal(rg_channel_setting(em, "password_env"), "SMTP_PASSWORD");
    assert_string_equal(rg_channel_setting(em, "ca_file"), "/etc/regua/tls/ca.pem"); /* relative to the file */
    assert_string_equal(rg_channel_setting(em, "starttls"), "required");
    assert_string_equal(rg_channel_setting(em, "timeout_seconds"), "20");
    const rg_channel_config *sms = rg_config_channel(&c, "sms");
    assert_string_equal(rg_channel_setting(sms, "headers"), "Authorization: Bearer ${SMS_TOKEN}\nX-Test: 1\n");
    assert_string_equal(rg_channel_setting(rg_config_channel(&c, "whatsapp"), "on_uncertain"), "review");
    assert_string_equal(rg_channel_setting(rg_config_channel(&c, "whatsapp"), "path"),
                        "/etc/regua/out/whatsapp.jsonl");
}

static void expect_error(const char *text, const char *where, const char *needle)
{
    rg_config c;
    rg_err e;
    assert_int_equal(parse(&c, text, &e), RG_EINVAL);
    if (strcmp(e.where, where) != 0 || !strstr(e.msg, needle)) {
        fprintf(stderr, "got %s: %s\n", e.where, e.msg);
        fail();
    }
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("database: x.db\ndatabse: y.db\n", "regua.yaml:2", "unknown key 'databse'");
    expect_error("company:\n  name: X\n  cnpj: 11.222.333/0001-82\n", "regua.yaml:3", "not a valid CNPJ");
    expect_error("company:\n  nome: X\n", "regua.yaml:2", "unknown key 'nome' in company");
    expect_error("channels:\n  email: {driver: carrier-pigeon}\n", "regua.yaml:2", "unknown driver");
    expect_error("channels:\n  email:\n    driver: smtp\n    password: hunter2\n", "regua.yaml:4",
                 "unknown key 'password'");
    expect_error("channels:\n  email:\n    url: smtp://x\n", "regua.yaml:2", "needs a 'driver'");
    expect_error("channels:\n  sms: {driver: http, max_in_flight: lots}\n", "regua.yaml:2", "whole number");
    expect_error("channels:\n  sms: {driver: http, on_uncertain: retry}\n", "regua.yaml:2",
                 "'on_uncertain' must be resend (send again with the same Message-ID or idempotency key) or review"
                 " (status uncertain and a task), not 'retry'");
    expect_error("database: [a, b]\n", "regua.yaml:1", "single value");
    expect_error("database: x\n  bad indent: [\n", "regua.yaml:1", "YAML syntax error: invalid multiline plain key");
    expect_error("a: 1\n---\nb: 2\n", "regua.yaml:3", "more than one YAML document");
    expect_error("public_url: ftp://x\n", "regua.yaml", "public_url");
    expect_error("timezone: America/Sao_Paolo\n", "regua.yaml:1", "timezone 'America/Sao_Paolo' is not an IANA time zone");
    expect_error("timezone: ../etc/passwd\n", "regua.yaml:1", "is not an IANA time zone");
    /* a Latin-1 file, and the malformed directive that made libfyaml loop */
    expect_error("company:\n  name: Cobran\xe7" "a\n", "regua.yaml:2", "not valid UTF-8");
    expect_error("%company: {name: 'A''''''', x: 2.2x\xdd" "0'\n", "regua.yaml:1", "not valid UTF-8");
    /* the server's limits */
    expect_error("server:\n  max_connections_per_ip: -1\n", "regua.yaml:2",
                 "server.max_connections_per_ip must be a whole number from 0 to 10000");
    expect_error("server:\n  max_connections: 0\n", "regua.yaml:2", "from 1 to 10000");
    expect_error("server:\n  write_wait: 10\n", "regua.yaml:2", "unknown key 'write_wait' in server");
    expect_error("server: 5\n", "regua.yaml:1", "'server' must be a mapping");
    /* quoted values are decoded by regua itself (libfyaml 0.7.12 leaks on these) */
    rg_config c;
    rg_err e;
    assert_int_equal(parse(&c, "company:\n  name: 'Padaria ''''''''''Sol'\n", &e), RG_OK);
    assert_string_equal(c.company.name, "Padaria '''''Sol");
    assert_int_equal(parse(&c, "server: {max_connections: 64, max_connections_per_ip: 0, write_wait_ms: 250}\n", &e),
                     RG_OK);
    assert_int_equal(c.server.max_connections, 64);
    assert_int_equal(c.server.max_connections_per_ip, 0);
    assert_int_equal(c.server.write_wait_ms, 250);
}

/* portal: the bounds of the portal's promise and extension (docs/portal.md) */
static void test_portal_bounds(void **state)
{
    (void)state;
    rg_config c;
    rg_err e;
    assert_int_equal(parse(&c, "", &e), RG_OK);
    assert_int_equal(c.portal.promise_max_days, 10);
    assert_int_equal(c.portal.extend_max_days, 7);
    assert_int_equal(parse(&c, "portal: {promise_max_days: 30, extend_max_days: 3}\n", &e), RG_OK);
    assert_int_equal(c.portal.promise_max_days, 30);
    assert_int_equal(c.portal.extend_max_days, 3);
    expect_error("portal:\n  promise_max_days: 91\n", "regua.yaml:2", "promise_max_days must be a whole number from 1 to 90");
    expect_error("portal:\n  extend_max_days: 0\n", "regua.yaml:2", "extend_max_days must be a whole number from 1 to 60");
}

/* webhooks: [{name, url, secret_env, events}] (docs/configuration.md) */
static void test_webhooks(void **state)
{
    (void)state;
    rg_config c;
    rg_err e;
    const char *text = "webhooks:\n"
                       "  - name: erp\n"
                       "    url: https://erp.exemplo.com.br/ganchos/regua\n"
                       "    secret_env: ERP_WEBHOOK_SECRET\n"
                       "    events: [payment.received, promise.made]\n"
                       "  - {name: bi_2, url: 'http://127.0.0.1:9000/x', secret_env: BI, events: [optout],\n"
                       "     timeout_seconds: 3}\n";
    assert_int_equal(parse(&c, text, &e), RG_OK);
    assert_int_equal(c.n_webhooks, 2);
    const rg_webhook_config *w = rg_config_webhook(&c, "erp");
    assert_non_null(w);
    assert_string_equal(w->url, "https://erp.exemplo.com.br/ganchos/regua");
    assert_string_equal(w->secret_env, "ERP_WEBHOOK_SECRET");
    assert_true(w->events[RG_EV_PAYMENT_RECEIVED]);
    assert_true(w->events[RG_EV_PROMISE_MADE]);
    assert_false(w->events[RG_EV_OPTOUT]);
    assert_int_equal(w->timeout_seconds, 10);
    assert_int_equal(w->line, 2);
    w = rg_config_webhook(&c, "bi_2");
    assert_non_null(w);
    assert_true(w->events[RG_EV_OPTOUT]);
    assert_int_equal(w->timeout_seconds, 3);
    assert_null(rg_config_webhook(&c, "other"));

    const char *ok = "    url: https://x.example/h\n    secret_env: S\n    events: [payment.received]\n";
    char buf[512];
    snprintf(buf, sizeof buf, "webhooks:\n  - name: a\n%s  - name: a\n%s", ok, ok);
    expect_error(buf, "regua.yaml:6", "duplicate webhook name 'a' (first at line 2)");
    expect_error("webhooks:\n  - name: a\n    url: https://x/h\n    secret_env: S\n    events: [payment.recieved]\n",
                 "regua.yaml:5", "webhook 'a': unknown event type 'payment.recieved'");
    expect_error("webhooks:\n  - name: a\n    url: ftp://x/h\n    secret_env: S\n    events: [optout]\n",
                 "regua.yaml:3", "url 'ftp://x/h' must be an http:// or https:// URL");
    expect_error("webhooks:\n  - name: a\n    url: 'https://x/a b'\n    secret_env: S\n    events: [optout]\n",
                 "regua.yaml:3", "no spaces");
    expect_error("webhooks:\n  - name: a\n    url: https://x/h\n    events: [optout]\n", "regua.yaml:2",
                 "webhook 'a' needs 'secret_env'");
    expect_error("webhooks:\n  - name: a\n    url: https://x/h\n    secret_env: S\n", "regua.yaml:2",
                 "webhook 'a' needs 'events'");
    expect_error("webhooks:\n  - name: a\n    url: https://x/h\n    secret_env: S\n    events: []\n",
                 "regua.yaml:5", "lists no event type");
    expect_error("webhooks:\n  - url: https://x/h\n    secret_env: S\n    events: [optout]\n", "regua.yaml:2",
                 "a webhook needs a 'name'");
    expect_error("webhooks:\n  - name: ERP\n    url: https://x/h\n    secret_env: S\n    events: [optout]\n",
                 "regua.yaml:2", "webhook name 'ERP' may only hold");
    expect_error("webhooks:\n  - name: a\n    secret: x\n", "regua.yaml:3", "unknown key 'secret' in a webhook");
    expect_error("webhooks:\n  - name: a\n    url: https://x/h\n    secret_env: S\n    events: [optout]\n"
                 "    timeout_seconds: 0\n",
                 "regua.yaml:6", "timeout_seconds must be a whole number from 1 to 120");
    expect_error("webhooks: {name: a}\n", "regua.yaml:1", "'webhooks' must be a list");
    expect_error("webhooks:\n  - erp\n", "regua.yaml:2", "each webhook must be a mapping");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_full),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_webhooks),
        cmocka_unit_test(test_portal_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
