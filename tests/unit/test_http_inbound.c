/*
 * Inbound HTTP: the WhatsApp and SMS webhooks, the open pixel, click
 * tracking and one-click unsubscribe, driven through the real server
 * (libmicrohttpd on 127.0.0.1, a free port) with a raw-socket client, and
 * the pure parts (payload parsers, signatures, the opt-out words) directly.
 *
 * Payload shapes follow Meta's WhatsApp Cloud API webhook reference
 * (developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components) and
 * Twilio's messaging webhook and status callback parameters; the
 * one-click body is RFC 8058's "List-Unsubscribe=One-Click".
 */
#include "test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/health.h"
#include "channel/scrub.h"
#include "http/server.h"
#include "http/webhooks.h"
#include "service/inbound.h"
#include "service/token.h"

#define NOW 1795521600 /* 2026-11-24T12:00:00Z */
#define TS "1795520000" /* a provider's timestamp, before NOW */
#define APP_SECRET "meta-app-secret"
#define VERIFY_TOKEN "verify-me-please"
#define SMS_SECRET "sms-webhook-secret"
#define TOKEN_SECRET "0123456789abcdef-token-secret"

static const char config_yaml[] =
    "company:\n"
    "  name: Exemplo Serviços Ltda\n"
    "  cnpj: 11.222.333/0001-81\n"
    "secret_env: RG_TEST_TOKEN_SECRET\n"
    "server: {write_wait_ms: 200, max_connections_per_ip: 6}\n"
    "channels:\n"
    "  whatsapp: {driver: whatsapp_cloud, base_url: 'http://127.0.0.1:9', phone_number_id: '1',"
    " token_env: RG_TEST_WA_TOKEN, app_secret_env: RG_TEST_WA_APP_SECRET, verify_token_env: RG_TEST_WA_VERIFY}\n"
    "  sms: {driver: http, url: 'http://127.0.0.1:9/sms', webhook_secret_env: RG_TEST_SMS_SECRET}\n"
    "  voice: {driver: http, url: 'http://127.0.0.1:9/voice'}\n"
    "  email: {driver: log, path: email.jsonl}\n";

static rg_config cfg;
static rg_store *store;     /* the server's handle */
static sqlite3 *db;         /* the test's own connection, for assertions */
static rg_http_server *srv;
static unsigned port;
static int64_t c1, c2, c3, f1, m_wa_a, m_wa_b, m_email, m_sms;

/* ---- a tiny HTTP/1.1 client ---- */

typedef struct resp {
    int status;
    char head[8192];
    rg_buf body;
} resp;

static void resp_free(resp *r)
{
    rg_buf_free(&r->body);
}

/* Sends raw bytes and reads the answer until the server closes. */
static void http_raw(const char *req, size_t len, resp *out)
{
    memset(out, 0, sizeof *out);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    for (size_t off = 0; off < len;) {
        ssize_t k = send(fd, req + off, len - off, MSG_NOSIGNAL);
        if (k <= 0)
            break; /* the server may answer (413) and close before reading it all */
        off += (size_t)k;
    }
    rg_buf all = RG_BUF_INIT;
    char chunk[16384];
    ssize_t k;
    while ((k = recv(fd, chunk, sizeof chunk, 0)) > 0)
        rg_buf_append(&all, chunk, (size_t)k);
    close(fd);
    const char *text = rg_buf_cstr(&all);
    const char *end = strstr(text, "\r\n\r\n");
    assert_non_null(end);
    assert_true((size_t)(end - text) < sizeof out->head);
    memcpy(out->head, text, (size_t)(end - text));
    out->head[end - text] = '\0';
    int64_t st = 0;
    assert_true(strncmp(text, "HTTP/1.1 ", 9) == 0);
    assert_true(rg_parse_i64((rg_slice){text + 9, 3}, 100, 599, &st));
    out->status = (int)st;
    rg_buf_append(&out->body, end + 4, all.len - (size_t)(end + 4 - text));
    rg_buf_free(&all);
}

/* method path, optional extra header lines ("Name: v\r\n"...), optional body. */
static void http(const char *method, const char *path, const char *headers, const char *body, resp *out)
{
    rg_buf req = RG_BUF_INIT;
    rg_buf_printf(&req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s", method, path,
                  headers ? headers : "");
    if (body)
        rg_buf_printf(&req, "Content-Length: %zu\r\n", strlen(body));
    rg_buf_puts(&req, "\r\n");
    if (body)
        rg_buf_puts(&req, body);
    http_raw(req.p, req.len, out);
    rg_buf_free(&req);
}

/* A response header's value (copied into a static buffer), or NULL. */
static const char *header(const resp *r, const char *name)
{
    static char value[2048];
    size_t n = strlen(name);
    for (const char *line = strstr(r->head, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
        const char *l = line + 2;
        if (!strncasecmp(l, name, n) && l[n] == ':') {
            const char *v = l + n + 1;
            while (*v == ' ')
                v++;
            const char *e = strstr(v, "\r\n");
            size_t len = e ? (size_t)(e - v) : strlen(v);
            assert_true(len < sizeof value);
            memcpy(value, v, len);
            value[len] = '\0';
            return value;
        }
    }
    return NULL;
}

/* ---- database assertions ---- */

static int64_t q_int(const char *sql)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

static const char *q_text(const char *sql)
{
    static char out[4096];
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    out[0] = '\0';
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        rg_strlcpy(out, (const char *)sqlite3_column_text(st, 0), sizeof out);
    else
        rg_strlcpy(out, "(none)", sizeof out);
    sqlite3_finalize(st);
    return out;
}

static int64_t events(const char *type)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM events WHERE type = '%s'", type);
    return q_int(sql);
}

/* ---- fixtures ---- */

static int64_t add_customer(const char *ext, const char *email, const char *phone, const char *whatsapp)
{
    rg_customer c;
    rg_customer_init(&c);
    rg_strlcpy(c.external_id, ext, sizeof c.external_id);
    rg_strlcpy(c.name, "Cliente", sizeof c.name);
    rg_strlcpy(c.email, email, sizeof c.email);
    rg_strlcpy(c.phone, phone, sizeof c.phone);
    rg_strlcpy(c.whatsapp, whatsapp, sizeof c.whatsapp);
    rg_upsert_result res;
    rg_err e;
    assert_int_equal(rg_store_customer_upsert(store, &c, RG_CF_ALL, NOW, &res, &e), RG_OK);
    return c.id;
}

static int64_t add_message_st(const char *key, int64_t customer, int64_t invoice, const char *channel,
                              const char *provider_id, rg_message_status status)
{
    rg_message m;
    memset(&m, 0, sizeof m);
    rg_strlcpy(m.idempotency_key, key, sizeof m.idempotency_key);
    m.customer_id = customer;
    m.invoice_id = invoice;
    rg_strlcpy(m.source_kind, "step", sizeof m.source_kind);
    rg_strlcpy(m.source_id, "lembrete", sizeof m.source_id);
    rg_strlcpy(m.channel, channel, sizeof m.channel);
    rg_strlcpy(m.provider_id, provider_id, sizeof m.provider_id);
    m.body = "Olá";
    m.status = status;
    m.planned_for = NOW - 7200;
    m.sent_at = status == RG_MSG_SENT ? NOW - 7200 : 0;
    m.created_at = NOW - 7200;
    bool inserted;
    rg_err e;
    assert_int_equal(rg_store_message_insert(store, &m, &inserted, &e), RG_OK);
    assert_true(inserted);
    return m.id;
}

static int64_t add_message(const char *key, int64_t customer, int64_t invoice, const char *channel,
                           const char *provider_id)
{
    return add_message_st(key, customer, invoice, channel, provider_id, RG_MSG_SENT);
}

static int64_t m_queued;

static int setup(void **state)
{
    (void)state;
    rg_err e;
    setenv("RG_TEST_TOKEN_SECRET", TOKEN_SECRET, 1);
    setenv("RG_TEST_WA_APP_SECRET", APP_SECRET, 1);
    setenv("RG_TEST_WA_VERIFY", VERIFY_TOKEN, 1);
    setenv("RG_TEST_SMS_SECRET", SMS_SECRET, 1);
    rg_config_defaults(&cfg);
    if (rg_config_parse(&cfg, "test.yaml", rg_test_tmpdir(), config_yaml, strlen(config_yaml), &e) != RG_OK) {
        fprintf(stderr, "config: %s\n", e.msg);
        return -1;
    }
    const char *path = rg_test_path("inbound.db");
    if (rg_store_open(path, &store, &e) != RG_OK || sqlite3_open(path, &db) != SQLITE_OK)
        return -1;
    sqlite3_busy_timeout(db, 5000);
    c1 = add_customer("C1", "maria@exemplo.com.br", "", "+5511987654321");
    c2 = add_customer("C2", "joao@exemplo.com.br", "+5521998765432", "");
    c3 = add_customer("C3", "", "", "+5531991112222"); /* SMS reaches her WhatsApp number */
    rg_invoice inv;
    rg_invoice_init(&inv);
    rg_strlcpy(inv.external_id, "F1", sizeof inv.external_id);
    inv.customer_id = c1;
    inv.amount = 12345;
    inv.due_date = rg_date_from_ymd(2026, 11, 20);
    rg_upsert_result res;
    if (rg_store_invoice_upsert(store, &inv, RG_IF_ALL, NOW, &res, &e) != RG_OK)
        return -1;
    f1 = inv.id;
    m_wa_a = add_message("k-wa-a", c1, f1, "whatsapp", "wamid.AAA");
    m_wa_b = add_message("k-wa-b", c1, f1, "whatsapp", "wamid.BBB");
    m_email = add_message("k-email", c1, f1, "email", "");
    m_sms = add_message("k-sms", c2, 0, "sms", "SM0001");
    m_queued = add_message_st("k-wa-c", c1, f1, "whatsapp", "wamid.CCC", RG_MSG_SENDING);
    static rg_event_env events;
    events = (rg_event_env){NULL, rg_test_zones(), NULL};
    rg_http_options o = {.listen = "127.0.0.1:0", .store = store, .config = &cfg, .events = &events,
                         .clock = rg_clock_fixed(NOW)};
    if (rg_http_start(&o, &srv, &e) != RG_OK) {
        fprintf(stderr, "start: %s\n", e.msg);
        return -1;
    }
    port = rg_http_port(srv);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rg_http_stop(srv);
    rg_store_close(store);
    sqlite3_close(db);
    return 0;
}

/* ---- helpers for signed posts ---- */

static void post_whatsapp(const char *body, resp *out)
{
    rg_buf h = RG_BUF_INIT;
    rg_buf_puts(&h, "Content-Type: application/json\r\nX-Hub-Signature-256: ");
    rg_hook_signature(APP_SECRET, body, strlen(body), &h);
    rg_buf_puts(&h, "\r\n");
    http("POST", "/hooks/whatsapp", h.p, body, out);
    rg_buf_free(&h);
}

static void post_sms(const char *channel, const char *content_type, const char *body, resp *out)
{
    rg_buf h = RG_BUF_INIT, path = RG_BUF_INIT;
    rg_buf_printf(&h, "Content-Type: %s\r\nX-Regua-Signature: ", content_type);
    rg_hook_signature(SMS_SECRET, body, strlen(body), &h);
    rg_buf_puts(&h, "\r\n");
    rg_buf_printf(&path, "/hooks/sms/%s", channel);
    http("POST", path.p, h.p, body, out);
    rg_buf_free(&h);
    rg_buf_free(&path);
}

static char *wa_statuses(const char *statuses)
{
    rg_buf b = RG_BUF_INIT;
    rg_buf_printf(&b,
                  "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"WABA\",\"changes\":[{\"field\":"
                  "\"messages\",\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"phone_number_id\":\"1\"},"
                  "\"statuses\":[%s]}}]}]}",
                  statuses);
    return rg_buf_detach(&b);
}

static char *wa_text(const char *from, const char *id, const char *text)
{
    rg_buf b = RG_BUF_INIT;
    rg_buf_printf(&b,
                  "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"WABA\",\"changes\":[{\"field\":"
                  "\"messages\",\"value\":{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"wa_id\":\"%s\"}],"
                  "\"messages\":[{\"from\":\"%s\",\"id\":\"%s\",\"timestamp\":\"" TS
                  "\",\"type\":\"text\",\"text\":{\"body\":\"%s\"}}]}}]}]}",
                  from, from, id, text);
    return rg_buf_detach(&b);
}

static char *token(const char *kind, const char *payload)
{
    rg_buf t = RG_BUF_INIT;
    rg_err e;
    assert_int_equal(rg_token_sign(TOKEN_SECRET, kind, payload, strlen(payload), &t, &e), RG_OK);
    return rg_buf_detach(&t);
}

/* ---- the server ---- */

static void test_routes(void **state)
{
    (void)state;
    resp r;
    http("GET", "/healthz", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.p, "\"status\":\"ok\",\"reasons\":[]"));
    resp_free(&r);
    http("GET", "/nope", NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    http("DELETE", "/hooks/whatsapp", NULL, NULL, &r);
    assert_int_equal(r.status, 405);
    resp_free(&r);
    http("GET", "/hooks/sms/sms", NULL, NULL, &r);
    assert_int_equal(r.status, 405);
    resp_free(&r);
    /* a parameter must not be empty, and the pixel needs its .gif */
    http("GET", "/t/c/", NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    http("GET", "/t/o/abc", NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    resp_free(&r);
}

/* /healthz reads the health registry: degraded with the reasons, still 200. */
static void test_healthz_degraded(void **state)
{
    (void)state;
    resp r;
    rg_health_set("cadences", "cadences/x.yaml:3: unknown key 'dayz'");
    rg_health_set("channel:email", "SMTP 535 at AUTH: the channel is paused");
    http("GET", "/healthz", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.p, "\"status\":\"degraded\",\"reasons\":[{\"component\":\"cadences\","
                                     "\"reason\":\"cadences/x.yaml:3: unknown key 'dayz'\"},{\"component\":"
                                     "\"channel:email\",\"reason\":\"SMTP 535 at AUTH: the channel is paused\"}]"));
    assert_non_null(strstr(r.body.p, "\"store\":{\"status\":\"ok\""));
    resp_free(&r);
    rg_health_clear("cadences");
    rg_health_clear("channel:email");
    http("GET", "/healthz", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.p, "\"status\":\"ok\",\"reasons\":[]"));
    resp_free(&r);
}

static void test_whatsapp_handshake(void **state)
{
    (void)state;
    resp r;
    http("GET", "/hooks/whatsapp?hub.mode=subscribe&hub.verify_token=" VERIFY_TOKEN "&hub.challenge=1158201444",
         NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body.p, "1158201444");
    assert_string_equal(header(&r, "Content-Type"), "text/plain; charset=utf-8");
    resp_free(&r);
    http("GET", "/hooks/whatsapp?hub.mode=subscribe&hub.verify_token=wrong-token&hub.challenge=1158201444", NULL,
         NULL, &r);
    assert_int_equal(r.status, 403);
    assert_null(strstr(r.body.p, "1158201444"));
    resp_free(&r);
    http("GET", "/hooks/whatsapp?hub.mode=subscribe&hub.verify_token=" VERIFY_TOKEN "x&hub.challenge=1", NULL, NULL,
         &r);
    assert_int_equal(r.status, 403);
    resp_free(&r);
    http("GET", "/hooks/whatsapp?hub.mode=unsubscribe&hub.verify_token=" VERIFY_TOKEN "&hub.challenge=1", NULL, NULL,
         &r);
    assert_int_equal(r.status, 400);
    resp_free(&r);
    http("GET", "/hooks/whatsapp", NULL, NULL, &r);
    assert_int_equal(r.status, 400);
    resp_free(&r);
}

static void test_whatsapp_signature(void **state)
{
    (void)state;
    resp r;
    char *body = wa_statuses("{\"id\":\"wamid.NOPE\",\"status\":\"delivered\",\"timestamp\":\"" TS "\"}");
    int64_t before = q_int("SELECT count(*) FROM events");
    http("POST", "/hooks/whatsapp", "Content-Type: application/json\r\n", body, &r);
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(r.body.p, "X-Hub-Signature-256 is missing"));
    resp_free(&r);
    /* signed with another secret */
    rg_buf h = RG_BUF_INIT;
    rg_buf_puts(&h, "X-Hub-Signature-256: ");
    rg_hook_signature("not-the-app-secret", body, strlen(body), &h);
    rg_buf_puts(&h, "\r\n");
    http("POST", "/hooks/whatsapp", h.p, body, &r);
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(r.body.p, "does not match"));
    resp_free(&r);
    rg_buf_free(&h);
    http("POST", "/hooks/whatsapp", "X-Hub-Signature-256: sha256=zz\r\n", body, &r);
    assert_int_equal(r.status, 403);
    resp_free(&r);
    assert_int_equal(q_int("SELECT count(*) FROM events"), before);
    post_whatsapp(body, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body.p, "{\"channel\":\"whatsapp\",\"statuses\":0,\"duplicates\":0,\"unknown\":1,"
                                  "\"replies\":0,\"optouts\":0,\"ignored\":0}");
    resp_free(&r);
    free(body);
}

/* A status about a message whose answer the dispatcher lost (no provider id
 * recorded) finds it by the key Meta echoes in biz_opaque_callback_data: an
 * `uncertain` message is settled (and its review task closed), one still
 * `sending` under a dead dispatcher's lease is `sent` before any recovery
 * could call it uncertain. */
static void test_whatsapp_reconciles(void **state)
{
    (void)state;
    int64_t unc = add_message_st("k-wa-lost", c1, f1, "whatsapp", "", RG_MSG_UNCERTAIN);
    int64_t flying = add_message_st("k-wa-flying", c1, f1, "whatsapp", "", RG_MSG_SENDING);
    rg_task t;
    memset(&t, 0, sizeof t);
    rg_strlcpy(t.kind, "review", sizeof t.kind);
    t.customer_id = c1;
    t.due_at = t.created_at = NOW;
    bool inserted;
    rg_err e;
    assert_int_equal(rg_store_task_insert_for_message(store, &t, unc, "check", &inserted, &e), RG_OK);
    resp r;
    char *body = wa_statuses("{\"id\":\"wamid.LOST\",\"status\":\"delivered\",\"timestamp\":\"" TS
                             "\",\"biz_opaque_callback_data\":\"k-wa-lost\"},"
                             "{\"id\":\"wamid.FLY\",\"status\":\"sent\",\"timestamp\":\"" TS
                             "\",\"biz_opaque_callback_data\":\"k-wa-flying\"},"
                             "{\"id\":\"wamid.NONE\",\"status\":\"sent\",\"timestamp\":\"" TS
                             "\",\"biz_opaque_callback_data\":\"no-such-key\"}");
    post_whatsapp(body, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.p, "\"statuses\":2,\"duplicates\":0,\"unknown\":1"));
    resp_free(&r);
    free(body);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT status || ' ' || provider_id FROM messages WHERE id = %lld", (long long)unc);
    assert_string_equal(q_text(sql), "delivered wamid.LOST");
    snprintf(sql, sizeof sql, "SELECT status || ' ' || outcome || ' / ' || note FROM tasks WHERE message_id = %lld",
             (long long)unc);
    assert_string_equal(q_text(sql), "done reconciled / the provider reported delivered at 2026-11-24T11:33:20Z");
    snprintf(sql, sizeof sql, "SELECT status || ' ' || provider_id FROM messages WHERE id = %lld", (long long)flying);
    assert_string_equal(q_text(sql), "sent wamid.FLY");
}

static void test_whatsapp_statuses(void **state)
{
    (void)state;
    resp r;
    char *body = wa_statuses("{\"id\":\"wamid.AAA\",\"status\":\"delivered\",\"timestamp\":\"" TS
                             "\",\"recipient_id\":\"5511987654321\"}");
    post_whatsapp(body, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.p, "\"statuses\":1,\"duplicates\":0"));
    resp_free(&r);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT status || ' ' || delivered_at FROM messages WHERE id = %lld", (long long)m_wa_a);
    assert_string_equal(q_text(sql), "delivered " TS);
    assert_int_equal(events("message.delivered"), 1);
    snprintf(sql, sizeof sql,
             "SELECT customer_id || ' ' || invoice_id || ' ' || message_id || ' ' || at || ' ' || payload FROM events"
             " WHERE type = 'message.delivered'");
    char want[512];
    snprintf(want, sizeof want,
             "%lld %lld %lld " TS " {\"channel\":\"whatsapp\",\"provider_id\":\"wamid.AAA\",\"status\":\"delivered\"}",
             (long long)c1, (long long)f1, (long long)m_wa_a);
    assert_string_equal(q_text(sql), want);
    /* Meta delivers a webhook again when unsure: no second event */
    post_whatsapp(body, &r);
    assert_non_null(strstr(r.body.p, "\"statuses\":0,\"duplicates\":1"));
    resp_free(&r);
    assert_int_equal(events("message.delivered"), 1);
    free(body);

    /* read, then a late failure that must not move it back */
    body = wa_statuses("{\"id\":\"wamid.AAA\",\"status\":\"read\",\"timestamp\":\"1795520100\"},"
                       "{\"id\":\"wamid.AAA\",\"status\":\"failed\",\"timestamp\":\"1795520200\"}");
    post_whatsapp(body, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.p, "\"statuses\":1,\"duplicates\":1"));
    resp_free(&r);
    free(body);
    snprintf(sql, sizeof sql, "SELECT status || ' ' || read_at || ' ' || delivered_at FROM messages WHERE id = %lld",
             (long long)m_wa_a);
    assert_string_equal(q_text(sql), "read 1795520100 " TS);
    assert_int_equal(events("message.read"), 1);
    assert_int_equal(events("message.failed"), 0);

    /* failed with the provider's reason; an unknown status is ignored */
    body = wa_statuses("{\"id\":\"wamid.BBB\",\"status\":\"failed\",\"timestamp\":\"" TS "\",\"errors\":[{\"code\":"
                       "131047,\"title\":\"Re-engagement message\",\"error_data\":{\"details\":\"more than 24 hours\"}}]},"
                       "{\"id\":\"wamid.BBB\",\"status\":\"deleted\"}");
    post_whatsapp(body, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.p, "\"statuses\":1,"));
    assert_non_null(strstr(r.body.p, "\"ignored\":1}"));
    resp_free(&r);
    free(body);
    snprintf(sql, sizeof sql, "SELECT status || ' / ' || reason FROM messages WHERE id = %lld", (long long)m_wa_b);
    assert_string_equal(q_text(sql), "failed / 131047: Re-engagement message (more than 24 hours)");
    assert_string_equal(q_text("SELECT payload FROM events WHERE type = 'message.failed'"),
                        "{\"channel\":\"whatsapp\",\"provider_id\":\"wamid.BBB\",\"status\":\"failed\","
                        "\"reason\":\"131047: Re-engagement message (more than 24 hours)\"}");
}

/* A provider's failure reason quoting our token (or any Authorization
 * header) reaches neither the message's reason nor the event's payload. */
static void test_whatsapp_status_scrubbed(void **state)
{
    (void)state;
    rg_scrub_register("EAAG-inbound-token-77");
    int64_t m = add_message("k-wa-scrub", c1, f1, "whatsapp", "wamid.SCRUB");
    resp r;
    char *body = wa_statuses("{\"id\":\"wamid.SCRUB\",\"status\":\"failed\",\"timestamp\":\"" TS "\",\"errors\":"
                             "[{\"code\":190,\"title\":\"token EAAG-inbound-token-77 expired\",\"error_data\":"
                             "{\"details\":\"Authorization: Bearer EAAG-other-99\"}}]}");
    post_whatsapp(body, &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    free(body);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT status || ' / ' || reason FROM messages WHERE id = %lld", (long long)m);
    assert_string_equal(q_text(sql), "failed / 190: token [redacted] expired (Authorization: Bearer [redacted])");
    snprintf(sql, sizeof sql, "SELECT payload FROM events WHERE type = 'message.failed' AND message_id = %lld",
             (long long)m);
    assert_string_equal(q_text(sql), "{\"channel\":\"whatsapp\",\"provider_id\":\"wamid.SCRUB\",\"status\":\"failed\","
                                     "\"reason\":\"190: token [redacted] expired (Authorization: Bearer [redacted])\"}");
    rg_scrub_reset();
}

/* Reports arrive out of order: sent, then read, then a late delivered. */
static void test_whatsapp_out_of_order(void **state)
{
    (void)state;
    resp r;
    char sql[200];
    int64_t delivered = events("message.delivered"), read = events("message.read");
    char *body = wa_statuses("{\"id\":\"wamid.CCC\",\"status\":\"sent\",\"timestamp\":\"1795520000\"}");
    post_whatsapp(body, &r);
    assert_non_null(strstr(r.body.p, "\"statuses\":1,"));
    resp_free(&r);
    free(body);
    snprintf(sql, sizeof sql, "SELECT status || ' ' || sent_at || ' ' || coalesce(delivered_at, '-') FROM messages"
                              " WHERE id = %lld", (long long)m_queued);
    assert_string_equal(q_text(sql), "sent 1795520000 -");
    body = wa_statuses("{\"id\":\"wamid.CCC\",\"status\":\"read\",\"timestamp\":\"1795520300\"},"
                       "{\"id\":\"wamid.CCC\",\"status\":\"delivered\",\"timestamp\":\"1795520100\"},"
                       "{\"id\":\"wamid.CCC\",\"status\":\"sent\",\"timestamp\":\"1795520000\"}");
    post_whatsapp(body, &r);
    assert_non_null(strstr(r.body.p, "\"statuses\":1,\"duplicates\":2,"));
    resp_free(&r);
    free(body);
    snprintf(sql, sizeof sql, "SELECT status || ' ' || sent_at || ' ' || delivered_at || ' ' || read_at FROM messages"
                              " WHERE id = %lld", (long long)m_queued);
    assert_string_equal(q_text(sql), "read 1795520000 1795520300 1795520300");
    assert_int_equal(events("message.read"), read + 1);
    assert_int_equal(events("message.delivered"), delivered);
    /* a time in the future is taken as now */
    body = wa_statuses("{\"id\":\"wamid.BBB\",\"status\":\"read\",\"timestamp\":\"1999999999\"}");
    post_whatsapp(body, &r);
    resp_free(&r);
    free(body);
    snprintf(sql, sizeof sql, "SELECT read_at FROM messages WHERE id = %lld", (long long)m_wa_b);
    assert_int_equal(q_int(sql), NOW);
}

static void test_whatsapp_stop(void **state)
{
    (void)state;
    resp r;
    /* an ordinary reply: an event, no opt-out */
    char *body = wa_text("5511987654321", "wamid.IN1", "Vou pagar amanhã");
    post_whatsapp(body, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.p, "\"replies\":1,\"optouts\":0"));
    resp_free(&r);
    free(body);
    assert_int_equal(events("message.replied"), 1);
    char want[512];
    snprintf(want, sizeof want,
             "%lld %lld {\"channel\":\"whatsapp\",\"from\":\"+5511987654321\",\"type\":\"text\",\"text\":\"Vou pagar "
             "amanhã\",\"provider_id\":\"wamid.IN1\"}",
             (long long)c1, (long long)f1);
    assert_string_equal(q_text("SELECT customer_id || ' ' || invoice_id || ' ' || payload FROM events WHERE type ="
                               " 'message.replied'"),
                        want);
    assert_int_equal(q_int("SELECT count(*) FROM customer_optouts"), 0);

    /* SAIR: opted out, one confirmation; the number comes without the
     * ninth digit, as WhatsApp reports some Brazilian mobiles */
    body = wa_text("551187654321", "wamid.IN2", " Sair ");
    post_whatsapp(body, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.p, "\"replies\":1,\"optouts\":1"));
    resp_free(&r);
    free(body);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT channel || ' ' || how || ' ' || at FROM customer_optouts WHERE customer_id = %lld",
             (long long)c1);
    assert_string_equal(q_text(sql), "whatsapp reply " TS);
    assert_int_equal(events("optout"), 1);
    snprintf(want, sizeof want, "optout-confirm:%lld:whatsapp", (long long)c1);
    snprintf(sql, sizeof sql,
             "SELECT idempotency_key || ' ' || status || ' ' || channel || ' ' || body FROM messages WHERE source_id"
             " = 'optout-confirm'");
    char row[512];
    snprintf(row, sizeof row,
             "%s queued whatsapp Pronto: você não receberá mais mensagens de cobrança de Exemplo Serviços Ltda por "
             "WhatsApp. Se mudar de ideia, é só falar com a gente.",
             want);
    assert_string_equal(q_text(sql), row);

    /* PARAR afterwards (another message): still exactly one confirmation */
    body = wa_text("5511987654321", "wamid.IN3", "PÁRAR!");
    post_whatsapp(body, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.p, "\"replies\":1,\"optouts\":0"));
    resp_free(&r);
    free(body);
    assert_int_equal(q_int("SELECT count(*) FROM messages WHERE source_id = 'optout-confirm'"), 1);
    assert_int_equal(events("optout"), 1);
    assert_int_equal(events("message.replied"), 3);

    /* a stranger: the reply is kept without a customer; nobody opts out */
    body = wa_text("5511900000000", "wamid.IN4", "STOP");
    post_whatsapp(body, &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    free(body);
    assert_int_equal(q_int("SELECT count(*) FROM events WHERE type = 'message.replied' AND customer_id IS NULL"), 1);
    assert_int_equal(q_int("SELECT count(*) FROM customer_optouts"), 1);
}

static void test_sms(void **state)
{
    (void)state;
    resp r;
    const char *delivered = "MessageSid=SM0001&MessageStatus=delivered&From=%2B551140001234&To=%2B5521998765432";
    post_sms("nope", "application/x-www-form-urlencoded", delivered, &r);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    /* a channel without webhook_secret_env refuses everything */
    post_sms("voice", "application/x-www-form-urlencoded", delivered, &r);
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(r.body.p, "webhook_secret_env"));
    resp_free(&r);
    http("POST", "/hooks/sms/sms", "Content-Type: application/x-www-form-urlencoded\r\n", delivered, &r);
    assert_int_equal(r.status, 403);
    resp_free(&r);
    http("POST", "/hooks/sms/sms", "X-Regua-Signature: sha256=0000000000000000000000000000000000000000000000000000000000000000\r\n",
         delivered, &r);
    assert_int_equal(r.status, 403);
    resp_free(&r);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT status FROM messages WHERE id = %lld", (long long)m_sms);
    assert_string_equal(q_text(sql), "sent");

    /* Twilio's status callback */
    post_sms("sms", "application/x-www-form-urlencoded", delivered, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body.p, "{\"channel\":\"sms\",\"statuses\":1,\"duplicates\":0,\"unknown\":0,\"replies\":0,"
                                  "\"optouts\":0,\"ignored\":0}");
    resp_free(&r);
    assert_string_equal(q_text(sql), "delivered");
    snprintf(sql, sizeof sql, "SELECT delivered_at FROM messages WHERE id = %lld", (long long)m_sms);
    assert_int_equal(q_int(sql), NOW); /* no time in the callback: when regua heard of it */

    /* a reply by form (Twilio) and by JSON: STOP opts out of sms only */
    post_sms("sms", "application/x-www-form-urlencoded",
             "MessageSid=SMin1&From=%2B5521998765432&To=%2B551140001234&Body=stop&NumMedia=0", &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.p, "\"replies\":1,\"optouts\":1"));
    resp_free(&r);
    snprintf(sql, sizeof sql, "SELECT channel || ' ' || how FROM customer_optouts WHERE customer_id = %lld",
             (long long)c2);
    assert_string_equal(q_text(sql), "sms reply");
    post_sms("sms", "application/json", "{\"id\":\"in-2\",\"from\":\"21998765432\",\"text\":\"Cancelar\"}", &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.p, "\"replies\":1,\"optouts\":0"));
    resp_free(&r);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM messages WHERE idempotency_key = 'optout-confirm:%lld:sms'",
             (long long)c2);
    assert_int_equal(q_int(sql), 1);
    /* a customer without a phone is reached by SMS at her WhatsApp number */
    post_sms("sms", "application/json", "[{\"from\":\"+5531991112222\",\"text\":\"PARAR\"}]", &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    snprintf(sql, sizeof sql, "SELECT channel FROM customer_optouts WHERE customer_id = %lld", (long long)c3);
    assert_string_equal(q_text(sql), "sms");

    /* the simple JSON report */
    post_sms("sms", "application/json", "{\"id\":\"SM0001\",\"status\":\"failed\",\"error\":\"carrier said no\"}",
             &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.p, "\"statuses\":0,\"duplicates\":1")); /* delivered already */
    resp_free(&r);
}

static void test_bad_bodies(void **state)
{
    (void)state;
    resp r;
    post_whatsapp("{\"object\":\"whatsapp_business_account\",\"entry\":", &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body.p, "\"code\":\"bad_request\""));
    assert_non_null(strstr(r.body.p, "not valid JSON"));
    resp_free(&r);
    post_whatsapp("{\"object\":\"whatsapp_business_account\",\"entry\":{}}", &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(r.body.p,
                        "{\"error\":{\"code\":\"bad_request\",\"message\":\"body: 'entry' must be an array\"}}");
    resp_free(&r);
    char *body = wa_statuses("{\"id\":7,\"status\":\"read\"}");
    post_whatsapp(body, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body.p, "entry[0].changes[0].value.statuses[0]: 'id' must be a string"));
    resp_free(&r);
    free(body);
    post_whatsapp("", &r);
    assert_int_equal(r.status, 400);
    resp_free(&r);
    /* a body that is not UTF-8 is refused whole, with where it breaks */
    char *latin1 = wa_statuses("{\"id\":\"wamid.n\xe3o\",\"status\":\"read\"}");
    post_whatsapp(latin1, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body.p, "not valid JSON at line 1 column"));
    resp_free(&r);
    free(latin1);
    post_sms("sms", "application/x-www-form-urlencoded", "Foo=bar", &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body.p, "expected MessageStatus (a status callback) or Body (a reply)"));
    resp_free(&r);
    post_sms("sms", "application/json", "42", &r);
    assert_int_equal(r.status, 400);
    resp_free(&r);

    /* too large, announced by Content-Length: refused before the body */
    const char *big = "POST /hooks/whatsapp HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2000000\r\n\r\n";
    http_raw(big, strlen(big), &r);
    assert_int_equal(r.status, 413);
    assert_non_null(strstr(r.body.p, "larger than 1048576 bytes"));
    resp_free(&r);
    /* too large, chunked: read, dropped and refused */
    rg_buf req = RG_BUF_INIT;
    rg_buf_puts(&req, "POST /hooks/sms/sms HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n");
    char chunk[65536];
    memset(chunk, 'a', sizeof chunk);
    for (int i = 0; i < 17; i++) { /* 17 x 64 KiB > 1 MiB */
        rg_buf_printf(&req, "%zx\r\n", sizeof chunk);
        rg_buf_append(&req, chunk, sizeof chunk);
        rg_buf_puts(&req, "\r\n");
    }
    rg_buf_puts(&req, "0\r\n\r\n");
    http_raw(req.p, req.len, &r);
    assert_int_equal(r.status, 413);
    resp_free(&r);
    rg_buf_free(&req);
}

static void test_open_pixel(void **state)
{
    (void)state;
    resp r;
    char id[32], path[256];
    snprintf(id, sizeof id, "%lld", (long long)m_email);
    char *t = token("o", id);
    snprintf(path, sizeof path, "/t/o/%s.gif", t);
    http("GET", path, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(header(&r, "Content-Type"), "image/gif");
    assert_string_equal(header(&r, "Cache-Control"), "no-cache, no-store, must-revalidate, private");
    assert_int_equal(r.body.len, 43);
    assert_memory_equal(r.body.p, "GIF89a\x01\x00\x01\x00", 10);
    assert_int_equal((unsigned char)r.body.p[42], 0x3B);
    resp_free(&r);
    char want[128], sql[200];
    snprintf(want, sizeof want, "%lld %lld %lld %d tracking", (long long)c1, (long long)f1, (long long)m_email, NOW);
    snprintf(sql, sizeof sql, "SELECT customer_id || ' ' || invoice_id || ' ' || message_id || ' ' || at || ' ' ||"
                              " source FROM events WHERE type = 'email.opened'");
    assert_string_equal(q_text(sql), want);
    /* a tampered token still gets the image, but no event */
    t[1] = t[1] == 'A' ? 'B' : 'A';
    snprintf(path, sizeof path, "/t/o/%s.gif", t);
    http("GET", path, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body.len, 43);
    resp_free(&r);
    http("GET", "/t/o/garbage.gif", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    assert_int_equal(events("email.opened"), 1);
    free(t);
}

static void test_click(void **state)
{
    (void)state;
    resp r;
    char payload[256], path[512];
    snprintf(payload, sizeof payload, "%lld|https://exemplo.com.br/pagar?f=F1&x=1", (long long)m_email);
    char *t = token("c", payload);
    snprintf(path, sizeof path, "/t/c/%s", t);
    http("GET", path, NULL, NULL, &r);
    assert_int_equal(r.status, 302);
    assert_string_equal(header(&r, "Location"), "https://exemplo.com.br/pagar?f=F1&x=1");
    resp_free(&r);
    assert_string_equal(q_text("SELECT payload FROM events WHERE type = 'link.clicked'"),
                        "{\"channel\":\"email\",\"url\":\"https://exemplo.com.br/pagar?f=F1&x=1\"}");
    /* tampered payload, tampered signature, another kind, no signature */
    char *bad = rg_strdup(t);
    bad[2] = bad[2] == 'A' ? 'B' : 'A';
    snprintf(path, sizeof path, "/t/c/%s", bad);
    http("GET", path, NULL, NULL, &r);
    assert_int_equal(r.status, 403);
    assert_null(header(&r, "Location"));
    resp_free(&r);
    free(bad);
    bad = rg_strdup(t);
    bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == 'A' ? 'B' : 'A';
    snprintf(path, sizeof path, "/t/c/%s", bad);
    http("GET", path, NULL, NULL, &r);
    assert_int_equal(r.status, 403);
    assert_null(header(&r, "Location"));
    resp_free(&r);
    free(bad);
    free(t);
    t = token("o", payload);
    snprintf(path, sizeof path, "/t/c/%s", t);
    http("GET", path, NULL, NULL, &r);
    assert_int_equal(r.status, 403);
    assert_null(header(&r, "Location"));
    resp_free(&r);
    free(t);
    /* base64url("1|https://evil.example") with no signature */
    http("GET", "/t/c/MXxodHRwczovL2V2aWwuZXhhbXBsZQ", NULL, NULL, &r);
    assert_int_equal(r.status, 403);
    assert_null(header(&r, "Location"));
    assert_non_null(strstr(r.body.p, "Link inválido"));
    resp_free(&r);
    /* even a signed URL must be a web address */
    snprintf(payload, sizeof payload, "%lld|javascript:alert(1)", (long long)m_email);
    t = token("c", payload);
    snprintf(path, sizeof path, "/t/c/%s", t);
    http("GET", path, NULL, NULL, &r);
    assert_int_equal(r.status, 403);
    assert_null(header(&r, "Location"));
    resp_free(&r);
    free(t);
    assert_int_equal(events("link.clicked"), 1);
}

static void test_unsubscribe(void **state)
{
    (void)state;
    resp r;
    char payload[64], path[256];
    snprintf(payload, sizeof payload, "%lld|email", (long long)m_email);
    char *t = token("u", payload);
    snprintf(path, sizeof path, "/u/%s", t);
    int64_t optouts = q_int("SELECT count(*) FROM customer_optouts");
    /* GET shows a confirmation form and changes nothing */
    http("GET", path, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(header(&r, "Content-Type"), "text/html; charset=utf-8");
    assert_non_null(strstr(r.body.p, "<form method=\"post\">"));
    assert_non_null(strstr(r.body.p, "name=\"List-Unsubscribe\" value=\"One-Click\""));
    assert_non_null(strstr(r.body.p, "de <b>Exemplo Serviços Ltda</b> por e-mail?"));
    resp_free(&r);
    assert_int_equal(q_int("SELECT count(*) FROM customer_optouts"), optouts);
    /* the RFC 8058 POST opts out */
    http("POST", path, "Content-Type: application/x-www-form-urlencoded\r\n", "List-Unsubscribe=One-Click", &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.p, "Você não receberá mais mensagens de cobrança de <b>Exemplo Serviços Ltda</b> por e-mail."));
    resp_free(&r);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT how FROM customer_optouts WHERE customer_id = %lld AND channel = 'email'",
             (long long)c1);
    assert_string_equal(q_text(sql), "unsubscribe");
    int64_t n = events("optout");
    assert_string_equal(q_text("SELECT payload FROM events WHERE type = 'optout' ORDER BY id DESC"),
                        "{\"channel\":\"email\",\"how\":\"unsubscribe\"}");
    /* again: still fine, no second event */
    http("POST", path, NULL, "List-Unsubscribe=One-Click", &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    assert_int_equal(events("optout"), n);
    /* a tampered token */
    t[0] = t[0] == 'M' ? 'N' : 'M';
    snprintf(path, sizeof path, "/u/%s", t);
    http("POST", path, NULL, "List-Unsubscribe=One-Click", &r);
    assert_int_equal(r.status, 403);
    resp_free(&r);
    http("GET", path, NULL, NULL, &r);
    assert_int_equal(r.status, 403);
    resp_free(&r);
    free(t);
    /* a signed token for a message that does not exist */
    t = token("u", "999999|email");
    snprintf(path, sizeof path, "/u/%s", t);
    http("POST", path, NULL, "List-Unsubscribe=One-Click", &r);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    free(t);
}

/* ---- the pure parts ---- */

static void test_stop_words(void **state)
{
    (void)state;
    const char *yes[] = {"SAIR", "sair", " Sair ", "sair.", "PARAR!", "Parar", "stop", "STOP", "Cancelar",
                         "cancelar!!", "\"SAIR\"", "SAÍR", "párar", "\xC2\xA0sair\xC2\xA0", "\nsair\r\n"};
    const char *no[] = {"", "sai", "sairr", "quero sair", "não", "stopp", "s a i r", "SAIR agora", "ok", "\xC3",
                        "cancela", "\xC3\xA9"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        if (!rg_inbound_is_stop_word(yes[i], strlen(yes[i])))
            fail_msg("'%s' should be an opt-out word", yes[i]);
    }
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
        if (rg_inbound_is_stop_word(no[i], strlen(no[i])))
            fail_msg("'%s' should not be an opt-out word", no[i]);
    }
}

static void test_signature(void **state)
{
    (void)state;
    rg_buf s = RG_BUF_INIT;
    /* RFC 4231 test case 2: HMAC-SHA-256 of "what do ya want for nothing?" with key "Jefe" */
    rg_hook_signature("Jefe", "what do ya want for nothing?", 28, &s);
    assert_string_equal(s.p, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    assert_true(rg_hook_signature_ok("Jefe", s.p, "what do ya want for nothing?", 28));
    assert_true(rg_hook_signature_ok("Jefe", "sha256=5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843",
                                     "what do ya want for nothing?", 28));
    assert_false(rg_hook_signature_ok("Jefe", s.p, "what do ya want for nothing!", 28));
    assert_false(rg_hook_signature_ok("jefe", s.p, "what do ya want for nothing?", 28));
    assert_false(rg_hook_signature_ok("Jefe", s.p + 7, "what do ya want for nothing?", 28));
    assert_false(rg_hook_signature_ok("Jefe", NULL, "what do ya want for nothing?", 28));
    assert_false(rg_hook_signature_ok(NULL, s.p, "what do ya want for nothing?", 28));
    assert_false(rg_hook_signature_ok("Jefe", "sha256=5bdcc1", "what do ya want for nothing?", 28));
    assert_false(rg_hook_signature_ok("Jefe", "sha1=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                                      "what do ya want for nothing?", 28));
    rg_buf_free(&s);
    assert_true(rg_hook_secret_equal("abc", "abc"));
    assert_false(rg_hook_secret_equal("abc", "abd"));
    assert_false(rg_hook_secret_equal("abc", "abcd"));
    assert_false(rg_hook_secret_equal("", ""));
    assert_false(rg_hook_secret_equal("abc", NULL));
}

static void test_form(void **state)
{
    (void)state;
    rg_buf v = RG_BUF_INIT;
    const char *f = "From=%2B5511987654321&Body=Ol%C3%A1+mundo&Empty=&Flag&Body=second&Bad=%zz%4";
    assert_true(rg_form_get(f, strlen(f), "From", &v));
    assert_string_equal(v.p, "+5511987654321");
    assert_true(rg_form_get(f, strlen(f), "Body", &v));
    assert_string_equal(v.p, "Olá mundo");
    assert_true(rg_form_get(f, strlen(f), "Empty", &v));
    assert_string_equal(rg_buf_cstr(&v), "");
    assert_true(rg_form_get(f, strlen(f), "Flag", &v));
    assert_string_equal(rg_buf_cstr(&v), "");
    assert_true(rg_form_get(f, strlen(f), "Bad", &v));
    assert_string_equal(v.p, "%zz%4");
    assert_false(rg_form_get(f, strlen(f), "body", &v));
    assert_false(rg_form_get("", 0, "Body", &v));
    rg_buf_free(&v);
}

static void test_parse_whatsapp(void **state)
{
    (void)state;
    rg_hook_batch b;
    rg_err e;
    const char *ok =
        "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"1\",\"changes\":["
        "{\"field\":\"messages\",\"value\":{\"statuses\":[{\"id\":\"wamid.1\",\"status\":\"sent\",\"timestamp\":"
        "\"1700000000\"}],\"messages\":[{\"from\":\"5511987654321\",\"id\":\"wamid.2\",\"type\":\"button\","
        "\"button\":{\"text\":\"Sair\",\"payload\":\"x\"}},{\"from\":\"5511987654321\",\"id\":\"wamid.3\","
        "\"type\":\"image\",\"image\":{\"id\":\"m\"}},{\"from\":\"5511987654321\",\"id\":\"wamid.4\",\"type\":"
        "\"interactive\",\"interactive\":{\"type\":\"list_reply\",\"list_reply\":{\"id\":\"a\",\"title\":\"Parar\"}}}]}},"
        "{\"field\":\"message_template_status_update\",\"value\":{\"event\":\"APPROVED\"}}]}]}";
    assert_int_equal(rg_hook_parse_whatsapp(ok, strlen(ok), &b, &e), RG_OK);
    assert_int_equal(b.n, 4);
    assert_int_equal(b.ignored, 1);
    assert_int_equal(b.v[0].kind, RG_HOOK_STATUS);
    assert_string_equal(b.v[0].provider_id, "wamid.1");
    assert_int_equal(b.v[0].status, RG_MSG_SENT);
    assert_int_equal(b.v[0].at, 1700000000);
    assert_int_equal(b.v[1].kind, RG_HOOK_MESSAGE);
    assert_string_equal(b.v[1].type, "button");
    assert_string_equal(b.v[1].text, "Sair");
    assert_string_equal(b.v[1].from, "5511987654321");
    assert_int_equal(b.v[1].at, 0);
    assert_string_equal(b.v[2].type, "image");
    assert_null(b.v[2].text);
    assert_string_equal(b.v[3].text, "Parar");
    rg_hook_batch_free(&b);
    rg_hook_batch_free(&b); /* safe twice */

    static const struct {
        const char *body, *err;
    } bad[] = {
        {"[]", "body: expected a JSON object"},
        {"{\"object\":\"page\",\"entry\":[]}", "object: expected \"whatsapp_business_account\""},
        {"{\"object\":\"whatsapp_business_account\"}", "body: 'entry' is missing (expected an array)"},
        {"{\"entry\":[1]}", "entry[0]: expected an object"},
        {"{\"entry\":[{\"changes\":[{\"value\":[]}]}]}", "entry[0].changes[0]: 'value' must be an object"},
        {"{\"entry\":[{\"changes\":[{\"field\":1}]}]}", "entry[0].changes[0]: 'field' must be a string"},
        {"{\"entry\":[{\"changes\":[{\"value\":{\"statuses\":{}}}]}]}", "entry[0].changes[0].value: 'statuses' must be an array"},
        {"{\"entry\":[{\"changes\":[{\"value\":{\"statuses\":[{\"id\":\"x\"}]}}]}]}",
         "entry[0].changes[0].value.statuses[0]: 'status' is missing (expected a string)"},
        {"{\"entry\":[{\"changes\":[{\"value\":{\"statuses\":[{\"id\":\"x\",\"status\":\"read\",\"timestamp\":\"soon\"}]}}]}]}",
         "entry[0].changes[0].value.statuses[0]: 'timestamp' must be Unix seconds (a number or a string of digits)"},
        {"{\"entry\":[{\"changes\":[{\"value\":{\"messages\":[{\"from\":\"1\",\"type\":\"text\"}]}}]}]}",
         "entry[0].changes[0].value.messages[0]: a text message needs 'text.body' (a string)"},
        {"{\"entry\":[{\"changes\":[{\"value\":{\"messages\":[{\"type\":\"text\"}]}}]}]}",
         "entry[0].changes[0].value.messages[0]: 'from' is missing (expected a string)"},
        {"{\"entry\":[],\"entry\":[]}", "body: not valid JSON at line 1 column 19: duplicate object key near '\"entry\"'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        rg_err_clear(&e);
        if (rg_hook_parse_whatsapp(bad[i].body, strlen(bad[i].body), &b, &e) != RG_EINVAL)
            fail_msg("accepted: %s", bad[i].body);
        char text[700];
        assert_string_equal(rg_err_text(&e, text, sizeof text), bad[i].err);
        assert_int_equal(b.n, 0);
        assert_null(b.v);
    }
    /* jansson refuses \u0000 in strings (texts are C strings downstream) */
    const char *nul = "{\"entry\":[{\"changes\":[{\"value\":{\"messages\":[{\"from\":\"1\",\"text\":{\"body\":\"a\\u0000b\"}}]}}]}]}";
    assert_int_equal(rg_hook_parse_whatsapp(nul, strlen(nul), &b, &e), RG_EINVAL);
    assert_string_equal(e.where, "body");
    assert_non_null(strstr(e.msg, "not valid JSON at line 1 column 81"));
    /* a long id is refused, not cut */
    char body[600];
    char id[200];
    memset(id, 'x', 150);
    id[150] = '\0';
    snprintf(body, sizeof body, "{\"entry\":[{\"changes\":[{\"value\":{\"statuses\":[{\"id\":\"%s\",\"status\":\"read\"}]}}]}]}", id);
    assert_int_equal(rg_hook_parse_whatsapp(body, strlen(body), &b, &e), RG_EINVAL);
    assert_string_equal(e.msg, "'id' is longer than 127 bytes");
}

static void test_parse_sms(void **state)
{
    (void)state;
    rg_hook_batch b;
    rg_err e;
    const char *f = "MessageSid=SM1&MessageStatus=undelivered&ErrorCode=30003&ErrorMessage=Unreachable+handset";
    assert_int_equal(rg_hook_parse_sms("application/x-www-form-urlencoded; charset=utf-8", f, strlen(f), &b, &e), RG_OK);
    assert_int_equal(b.n, 1);
    assert_int_equal(b.v[0].status, RG_MSG_FAILED);
    assert_string_equal(b.v[0].reason, "30003: Unreachable handset");
    rg_hook_batch_free(&b);
    f = "MessageSid=SM2&MessageStatus=queued";
    assert_int_equal(rg_hook_parse_sms(NULL, f, strlen(f), &b, &e), RG_OK);
    assert_int_equal(b.n, 0);
    assert_int_equal(b.ignored, 1);
    rg_hook_batch_free(&b);
    f = "MessageStatus=delivered";
    assert_int_equal(rg_hook_parse_sms(NULL, f, strlen(f), &b, &e), RG_EINVAL);
    assert_string_equal(e.where, "MessageSid");
    f = "SmsStatus=received&Body=oi";
    assert_int_equal(rg_hook_parse_sms(NULL, f, strlen(f), &b, &e), RG_EINVAL);
    assert_string_equal(e.msg, "missing (a reply names its sender)");
    f = "From=%2B1&Body=a%00b";
    assert_int_equal(rg_hook_parse_sms(NULL, f, strlen(f), &b, &e), RG_EINVAL);
    assert_string_equal(e.msg, "contains a NUL byte");
    /* text that is not UTF-8 (a latin1 "não"), percent-encoded or raw, is refused */
    f = "From=%2B5511987654321&Body=n%E3o";
    assert_int_equal(rg_hook_parse_sms(NULL, f, strlen(f), &b, &e), RG_EINVAL);
    assert_string_equal(e.where, "Body");
    assert_string_equal(e.msg, "is not valid UTF-8");
    assert_int_equal(b.n, 0);
    f = "MessageSid=SM%E3&MessageStatus=delivered";
    assert_int_equal(rg_hook_parse_sms(NULL, f, strlen(f), &b, &e), RG_EINVAL);
    assert_string_equal(e.where, "MessageSid");
    assert_string_equal(e.msg, "is not valid UTF-8");
    f = "[{\"from\":\"+5511987654321\",\"text\":\"n\xe3o\"}]";
    assert_int_equal(rg_hook_parse_sms("application/json", f, strlen(f), &b, &e), RG_EINVAL);
    assert_string_equal(e.where, "body");
    assert_non_null(strstr(e.msg, "not valid JSON at line 1 column"));
    assert_int_equal(b.n, 0);
    /* JSON is recognised without a content type */
    f = " [{\"id\":\"a\",\"status\":\"delivered\",\"timestamp\":1700000000},{\"from\":\"+5511\",\"text\":\"oi\"}]";
    assert_int_equal(rg_hook_parse_sms(NULL, f, strlen(f), &b, &e), RG_OK);
    assert_int_equal(b.n, 2);
    assert_int_equal(b.v[0].at, 1700000000);
    assert_string_equal(b.v[1].text, "oi");
    rg_hook_batch_free(&b);
    f = "[{\"id\":\"a\",\"status\":\"delivered\"},{\"text\":\"oi\"}]";
    assert_int_equal(rg_hook_parse_sms("application/json", f, strlen(f), &b, &e), RG_EINVAL);
    char text[700];
    assert_string_equal(rg_err_text(&e, text, sizeof text), "[1]: 'from' is missing (expected a string)");
    assert_int_equal(b.n, 0);
    f = "{\"status\":\"read\"}";
    assert_int_equal(rg_hook_parse_sms("application/json", f, strlen(f), &b, &e), RG_EINVAL);
    assert_string_equal(rg_err_text(&e, text, sizeof text), "body: 'id' is missing (expected a string)");
    /* at most RG_HOOK_MAX_ITEMS items in one body */
    rg_buf many = RG_BUF_INIT;
    rg_buf_putc(&many, '[');
    for (int i = 0; i <= RG_HOOK_MAX_ITEMS; i++)
        rg_buf_printf(&many, "%s{\"id\":\"m%d\",\"status\":\"sent\"}", i ? "," : "", i);
    rg_buf_putc(&many, ']');
    assert_int_equal(rg_hook_parse_sms(NULL, many.p, many.len, &b, &e), RG_EINVAL);
    assert_string_equal(e.msg, "more than 1000 statuses and messages in one request");
    assert_int_equal(b.n, 0);
    rg_buf_free(&many);
    f = "{\"id\":\"a\",\"status\":\"read\",\"timestamp\":-5}";
    assert_int_equal(rg_hook_parse_sms("application/json", f, strlen(f), &b, &e), RG_EINVAL);
    assert_string_equal(rg_err_text(&e, text, sizeof text), "body: 'timestamp' is out of range: -5");
}

/* ---- the store under another writer ---- */

/* While another process holds the database's write lock, /healthz and the
 * pixel still answer (reads never wait), a webhook answers 503 busy with
 * Retry-After once server.write_wait_ms (200 ms here) has passed, and
 * stores nothing; the provider's retry after the lock is free is applied. */
static void test_busy_store(void **state)
{
    (void)state;
    resp r;
    char *body = wa_statuses("{\"id\":\"wamid.BUSY\",\"status\":\"delivered\",\"timestamp\":\"" TS "\"}");
    int64_t events_before = q_int("SELECT count(*) FROM events");
    assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);

    http("GET", "/healthz", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.p, "\"store\":{\"status\":\"ok\""));
    resp_free(&r);

    post_whatsapp(body, &r);
    assert_int_equal(r.status, 503);
    assert_string_equal(header(&r, "Retry-After"), "5");
    assert_non_null(strstr(r.body.p, "\"code\":\"busy\""));
    resp_free(&r);

    /* the pixel is answered (its open is logged as not recorded) */
    char id[32], path[256];
    snprintf(id, sizeof id, "%lld", (long long)m_sms);
    char *t = token("o", id);
    snprintf(path, sizeof path, "/t/o/%s.gif", t);
    http("GET", path, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body.len, 43);
    resp_free(&r);
    free(t);

    /* one-click unsubscribe: a page saying to try again, 503 + Retry-After */
    char payload[64];
    snprintf(payload, sizeof payload, "%lld|sms", (long long)m_sms);
    t = token("u", payload);
    snprintf(path, sizeof path, "/u/%s", t);
    http("POST", path, "Content-Type: application/x-www-form-urlencoded\r\n", "List-Unsubscribe=One-Click", &r);
    assert_int_equal(r.status, 503);
    assert_string_equal(header(&r, "Retry-After"), "5");
    assert_non_null(strstr(r.body.p, "Tente de novo"));
    resp_free(&r);
    free(t);

    assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(q_int("SELECT count(*) FROM events"), events_before);
    /* the retry goes through */
    post_whatsapp(body, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.p, "\"unknown\":1"));
    resp_free(&r);
    free(body);
}

/* ---- request framing and connection limits ---- */

static void test_content_length_framing(void **state)
{
    (void)state;
    resp r;
    /* two different Content-Length headers: 400, and the connection is
     * closed (the bytes after the first length are never read as a request) */
    static const char two[] = "POST /hooks/sms/sms HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                              "Content-Length: 5\r\nContent-Length: 45\r\n\r\n"
                              "helloGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    http_raw(two, sizeof two - 1, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body.p, "two different Content-Length headers"));
    assert_null(strstr(r.body.p, "HTTP/1.1")); /* no second answer */
    assert_string_equal(header(&r, "Connection"), "close");
    resp_free(&r);
    /* Content-Length beside Transfer-Encoding: 400 */
    static const char both[] = "POST /hooks/sms/sms HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                               "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
    http_raw(both, sizeof both - 1, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body.p, "both Content-Length and Transfer-Encoding"));
    resp_free(&r);
    /* the same length twice is one length: the request goes on (403: unsigned) */
    static const char same[] = "POST /hooks/sms/sms HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                               "Content-Type: text/plain\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello";
    http_raw(same, sizeof same - 1, &r);
    assert_int_equal(r.status, 403);
    resp_free(&r);
}

/* The connection's memory (MHD_OPTION_CONNECTION_MEMORY_LIMIT, 32 KiB:
 * docs/internals/http.md) holds the request's headers: 16 KiB of them are
 * served, 48 KiB are refused with 431 before any handler runs. */
static void test_header_memory(void **state)
{
    (void)state;
    resp r;
    rg_buf h = RG_BUF_INIT;
    rg_buf_puts(&h, "X-Pad: ");
    for (int i = 0; i < 16 * 1024; i++)
        rg_buf_puts(&h, "a");
    rg_buf_puts(&h, "\r\n");
    http("GET", "/healthz", h.p, NULL, &r);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    rg_buf_free(&h);
    rg_buf_puts(&h, "X-Pad: ");
    for (int i = 0; i < 48 * 1024; i++)
        rg_buf_puts(&h, "a");
    rg_buf_puts(&h, "\r\n");
    http("GET", "/healthz", h.p, NULL, &r);
    assert_int_equal(r.status, 431);
    resp_free(&r);
    rg_buf_free(&h);
}

static int connect_to_server(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

/* Whether the server answers /healthz on fd (else it closed it unanswered). */
static bool answers(int fd)
{
    static const char req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    if (send(fd, req, sizeof req - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof req - 1))
        return false;
    char buf[16];
    ssize_t k = recv(fd, buf, sizeof buf, 0);
    return k >= 12 && !memcmp(buf, "HTTP/1.1 200", 12);
}

/* server.max_connections_per_ip (6 here): a 7th connection from the same
 * address is closed unanswered; once one closes, a new one is served. */
static void test_per_ip_limit(void **state)
{
    (void)state;
    int fd[6];
    for (int i = 0; i < 6; i++) {
        fd[i] = connect_to_server();
        assert_true(answers(fd[i])); /* keep-alive: each stays open */
    }
    int extra = connect_to_server();
    assert_false(answers(extra));
    close(extra);
    close(fd[0]);
    /* the server notices the close on its own time: try until served */
    bool served = false;
    for (int attempt = 0; attempt < 200 && !served; attempt++) {
        int again = connect_to_server();
        served = answers(again);
        close(again);
        if (!served)
            usleep(10000);
    }
    assert_true(served);
    for (int i = 1; i < 6; i++)
        close(fd[i]);
}

/* rg_inbound_apply_batch owns its transaction: a refused item leaves none
 * of the batch stored and no transaction open; the same batch without it
 * is applied. */
static void test_batch_all_or_nothing(void **state)
{
    (void)state;
    int64_t m = add_message("k-batch", c2, 0, "sms", "SMBATCH");
    rg_event_env env = {store, rg_test_zones(), NULL};
    rg_inbound_item items[2];
    memset(items, 0, sizeof items);
    items[0].status = (rg_inbound_status){"sms", "SMBATCH", RG_MSG_DELIVERED, NOW - 60, NULL, NULL};
    items[1].status = (rg_inbound_status){"sms", "SMBATCH", RG_MSG_SENDING, NOW - 30, NULL, NULL};
    rg_inbound_batch_result out;
    rg_err e;
    int64_t before = events("message.delivered");
    assert_int_equal(rg_inbound_apply_batch(&env, &cfg, items, 2, NOW, &out, &e), RG_EINVAL);
    assert_string_equal(e.where, "status");
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT status FROM messages WHERE id = %lld", (long long)m);
    assert_string_equal(q_text(sql), "sent");
    assert_int_equal(events("message.delivered"), before);
    assert_int_equal(rg_store_begin(store, &e), RG_OK); /* nothing left open */
    rg_store_rollback(store);
    assert_int_equal(rg_inbound_apply_batch(&env, &cfg, items, 1, NOW, &out, &e), RG_OK);
    assert_int_equal(out.statuses, 1);
    assert_string_equal(q_text(sql), "delivered");
    assert_int_equal(events("message.delivered"), before + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routes),        cmocka_unit_test(test_healthz_degraded),
        cmocka_unit_test(test_whatsapp_handshake),
        cmocka_unit_test(test_whatsapp_signature), cmocka_unit_test(test_whatsapp_statuses),
        cmocka_unit_test(test_whatsapp_out_of_order), cmocka_unit_test(test_whatsapp_status_scrubbed),
        cmocka_unit_test(test_whatsapp_reconciles),
        cmocka_unit_test(test_whatsapp_stop), cmocka_unit_test(test_sms),
        cmocka_unit_test(test_bad_bodies),    cmocka_unit_test(test_open_pixel),
        cmocka_unit_test(test_click),         cmocka_unit_test(test_unsubscribe),
        cmocka_unit_test(test_stop_words),    cmocka_unit_test(test_signature),
        cmocka_unit_test(test_form),          cmocka_unit_test(test_parse_whatsapp),
        cmocka_unit_test(test_parse_sms),
        cmocka_unit_test(test_busy_store),    cmocka_unit_test(test_content_length_framing),
        cmocka_unit_test(test_header_memory),
        cmocka_unit_test(test_per_ip_limit),  cmocka_unit_test(test_batch_all_or_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
