/*
 * The smtp driver against a real SMTP server on 127.0.0.1
 * (tests/support/smtp_sink.py, python3-aiosmtpd): the message as received
 * (headers, both parts, tracking tokens), the outcome mapping, AUTH with a
 * password from the environment, STARTTLS and implicit TLS with a test CA
 * made by the openssl command line (skipped when openssl is missing); and
 * the dispatcher over it: what each failure makes of a message (retry,
 * failed with the server's words, a paused channel, resend or review).
 */
#include "test.h"

#include "base/health.h"
#include "channel/dispatcher.h"
#include "service/import.h"
#include "store/store.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "channel/channel.h"
#include "service/token.h"

#define SECRET "test-secret-0123456789abcdef"
#define PASSWORD "s3nh@-Secreta!"

/* ---- the sink ---- */

typedef struct sink {
    pid_t pid;
    int port;
    char dir[512];
} sink;

static int sink_count;

static void sink_start(sink *k, const char *const *args, const char *password)
{
    char port_file[600];
    snprintf(k->dir, sizeof k->dir, "%s/sink%d", rg_test_tmpdir(), ++sink_count);
    assert_int_equal(mkdir(k->dir, 0755), 0);
    snprintf(port_file, sizeof port_file, "%s.port", k->dir);
    const char *root = getenv("REGUA_ROOT") ? getenv("REGUA_ROOT") : ".";
    char script[600];
    snprintf(script, sizeof script, "%s/tests/support/smtp_sink.py", root);
    const char *argv[32] = {"/usr/bin/python3", script, "--dir", k->dir, "--port-file", port_file, "--lifetime", "60"};
    size_t n = 8;
    for (size_t i = 0; args && args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    k->pid = fork();
    assert_true(k->pid >= 0);
    if (k->pid == 0) {
        if (password)
            setenv("SINK_PASSWORD", password, 1);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    for (int i = 0; i < 300; i++) { /* up to 15 s */
        FILE *f = fopen(port_file, "r");
        if (f) {
            char line[16] = "";
            if (!fgets(line, sizeof line, f))
                line[0] = '\0';
            fclose(f);
            int64_t p;
            line[strcspn(line, "\n")] = '\0';
            if (rg_parse_i64(rg_slice_cstr(line), 1, 65535, &p)) {
                k->port = (int)p;
                return;
            }
        }
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    fail_msg("the SMTP sink did not start");
}

static void sink_stop(sink *k)
{
    if (k->pid > 0) {
        kill(k->pid, SIGTERM);
        waitpid(k->pid, NULL, 0);
        k->pid = 0;
    }
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    rg_buf b = RG_BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rg_buf_append(&b, chunk, n);
    fclose(f);
    return b.p ? rg_buf_detach(&b) : rg_strdup("");
}

/* The n-th message the sink stored (1-based) and its envelope. */
static char *sink_file(const sink *k, int n, const char *ext)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%06d.%s", k->dir, n, ext);
    return slurp(path);
}

static int sink_messages(const sink *k)
{
    int n = 0;
    for (;;) {
        char path[600];
        snprintf(path, sizeof path, "%s/%06d.eml", k->dir, n + 1);
        if (access(path, F_OK) != 0)
            return n;
        n++;
    }
}

/* ---- reading a message ---- */

typedef struct mail {
    char *raw;
    char *head; /* header block, unfolded, "\n"-separated "Name: value" */
    char *parts[2][2]; /* [part][0 = headers, 1 = decoded body] */
} mail;

static void mail_free(mail *m)
{
    free(m->raw);
    free(m->head);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            free(m->parts[i][j]);
    memset(m, 0, sizeof *m);
}

static char *unfold(const char *s, size_t n)
{
    rg_buf b = RG_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') {
            if (i + 2 < n && (s[i + 2] == ' ' || s[i + 2] == '\t')) {
                i++; /* folded: drop the CRLF, keep the space */
                continue;
            }
            rg_buf_putc(&b, '\n');
            i++;
        } else {
            rg_buf_putc(&b, s[i]);
        }
    }
    return b.p ? rg_buf_detach(&b) : rg_strdup("");
}

static char *qp_decode(const char *s, size_t n)
{
    rg_buf b = RG_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '=' && i + 2 < n && s[i + 1] == '\r' && s[i + 2] == '\n') {
            i += 2;
        } else if (s[i] == '=' && i + 2 < n) {
            char hex[3] = {s[i + 1], s[i + 2], 0};
            rg_buf_putc(&b, (char)strtol(hex, NULL, 16));
            i += 2;
        } else {
            rg_buf_putc(&b, s[i]);
        }
    }
    return b.p ? rg_buf_detach(&b) : rg_strdup("");
}

/* The value of header `name` in an unfolded block, or NULL. */
static char *header(const char *head, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = head; p && *p;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > n + 1 && !strncasecmp(p, name, n) && p[n] == ':') {
            const char *v = p + n + 1;
            while (*v == ' ')
                v++;
            rg_slice s = {v, (size_t)(p + len - v)};
            return rg_slice_dup(s);
        }
        p = eol ? eol + 1 : NULL;
    }
    return NULL;
}

/* Header names in order, "From,To,...". */
static char *header_names(const char *head)
{
    rg_buf b = RG_BUF_INIT;
    for (const char *p = head; p && *p;) {
        const char *colon = strchr(p, ':');
        const char *eol = strchr(p, '\n');
        if (colon && (!eol || colon < eol)) {
            if (b.len)
                rg_buf_putc(&b, ',');
            rg_buf_append(&b, p, (size_t)(colon - p));
        }
        p = eol ? eol + 1 : NULL;
    }
    return rg_buf_detach(&b);
}

static void mail_read(const sink *k, int n, mail *m)
{
    memset(m, 0, sizeof *m);
    m->raw = sink_file(k, n, "eml");
    assert_non_null(m->raw);
    const char *end = strstr(m->raw, "\r\n\r\n");
    assert_non_null(end);
    m->head = unfold(m->raw, (size_t)(end - m->raw) + 2);
    char *ct = header(m->head, "Content-Type");
    assert_non_null(ct);
    assert_true(!strncmp(ct, "multipart/alternative; boundary=", 32));
    char delim[128];
    snprintf(delim, sizeof delim, "\r\n--%s", ct + 32);
    free(ct);
    const char *p = strstr(end, delim);
    for (int i = 0; i < 2; i++) {
        assert_non_null(p);
        p += strlen(delim) + 2; /* CRLF after the delimiter */
        const char *hend = strstr(p, "\r\n\r\n");
        assert_non_null(hend);
        m->parts[i][0] = unfold(p, (size_t)(hend - p) + 2);
        const char *body = hend + 4;
        const char *next = strstr(body, delim);
        assert_non_null(next);
        m->parts[i][1] = qp_decode(body, (size_t)(next - body));
        p = next;
    }
    assert_true(!strncmp(p + strlen(delim), "--", 2));
}

/* Decodes "=?UTF-8?B?...?= =?UTF-8?B?...?=" (the form the driver writes). */
static char *decode_words(const char *v)
{
    rg_buf b = RG_BUF_INIT;
    while (*v) {
        if (*v == ' ') {
            v++;
            continue;
        }
        if (strncmp(v, "=?UTF-8?B?", 10))
            return NULL;
        const char *end = strstr(v + 10, "?=");
        unsigned char bin[256];
        size_t len;
        if (!end || sodium_base642bin(bin, sizeof bin, v + 10, (size_t)(end - v - 10), NULL, &len, NULL,
                                      sodium_base64_VARIANT_ORIGINAL))
            return NULL;
        rg_buf_append(&b, (const char *)bin, len);
        v = end + 2;
    }
    return rg_buf_detach(&b);
}

/* ---- channel fixtures ---- */

static void set(rg_channel_config *ch, const char *key, const char *value)
{
    rg_setting *s = &ch->settings[ch->n_settings++];
    rg_strlcpy(s->key, key, sizeof s->key);
    rg_strlcpy(s->value, value, sizeof s->value);
}

static void channel_config(rg_channel_config *ch, int port)
{
    memset(ch, 0, sizeof *ch);
    rg_strlcpy(ch->name, "email", sizeof ch->name);
    rg_strlcpy(ch->driver, "smtp", sizeof ch->driver);
    char url[64];
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", port);
    set(ch, "url", url);
    set(ch, "from", "Cobrança Exemplo <cobranca@exemplo.com.br>");
    set(ch, "timeout_seconds", "10");
}

static rg_config config;

static rg_channel *open_channel(const rg_channel_config *ch, const char *public_url, const char *secret)
{
    rg_config_defaults(&config);
    rg_strlcpy(config.company.name, "Exemplo Ltda", sizeof config.company.name);
    rg_strlcpy(config.public_url, public_url, sizeof config.public_url);
    rg_channel_env env = {&config, secret, NULL};
    rg_channel *c = NULL;
    rg_err e;
    rg_status rc = rg_channel_open(ch, &env, &c, &e);
    if (rc != RG_OK)
        fail_msg("open: %s: %s", e.where, e.msg);
    return c;
}

static rg_customer customer;

static void message(rg_message *m, int64_t id, const char *html)
{
    memset(m, 0, sizeof *m);
    m->id = id;
    rg_strlcpy(m->idempotency_key, "mensal-pf/lembrete-d3/F1001/2026-12-07", sizeof m->idempotency_key);
    rg_strlcpy(m->channel, "email", sizeof m->channel);
    rg_strlcpy(m->template_name, "lembrete", sizeof m->template_name);
    m->subject = "Sua fatura vence em 3 dias — ação necessária";
    m->body = "Olá, Maria José!\n\nSua fatura de R$ 1.234,56 vence em 10/12/2026.\n"
              "Pague em https://pagar.exemplo.com.br/f/F1001?a=1&b=2.\n";
    m->html = html;
    m->planned_for = rg_instant_from_civil(rg_date_from_ymd(2026, 12, 7), 12, 30, 5);
    m->created_at = rg_instant_from_civil(rg_date_from_ymd(2026, 12, 1), 3, 0, 0);
    rg_customer_init(&customer);
    rg_strlcpy(customer.external_id, "C1", sizeof customer.external_id);
    rg_strlcpy(customer.name, "Maria José da Silva", sizeof customer.name);
    rg_strlcpy(customer.email, "maria@cliente.test", sizeof customer.email);
}

static rg_status send_to(rg_channel *c, const rg_message *m, const char *to, rg_send_result *res, rg_err *e)
{
    rg_outgoing og = {m, &customer, to, "F1001"};
    return rg_channel_send(c, &og, res, e);
}

static char *token(const char *kind, const char *payload)
{
    rg_buf b = RG_BUF_INIT;
    assert_int_equal(rg_token_sign(SECRET, kind, payload, strlen(payload), &b, NULL), RG_OK);
    return rg_buf_detach(&b);
}

#define HTML                                                                                                      \
    "<html><body><p>Ol\xc3\xa1 <b>Maria</b></p>\n"                                                                \
    "<p><a href=\"https://pagar.exemplo.com.br/f/F1001?a=1&amp;b=2\">Pagar</a> "                                  \
    "<A class=x HREF='http://exemplo.com.br/ajuda'>Ajuda</A> "                                                   \
    "<a href=\"mailto:financeiro@exemplo.com.br\">e-mail</a></p>\n"                                              \
    "<img src=\"https://exemplo.com.br/logo.png\" alt=\"logo\">\n"                                                \
    "</body></html>\n"

/* ---- tests ---- */

static void test_message_as_received(void **state)
{
    (void)state;
    sink k;
    sink_start(&k, NULL, NULL);
    rg_channel_config ch;
    channel_config(&ch, k.port);
    set(&ch, "reply_to", "Financeiro <financeiro@exemplo.com.br>");
    set(&ch, "unsubscribe_mailto", "descadastro@exemplo.com.br");
    rg_channel *c = open_channel(&ch, "https://regua.exemplo.com.br/", SECRET);
    rg_message m;
    message(&m, 42, HTML);
    rg_send_result res;
    rg_err e;
    assert_int_equal(send_to(c, &m, "maria@cliente.test", &res, &e), RG_OK);
    assert_int_equal(res.outcome, RG_SEND_OK);
    assert_string_equal(res.error, "");

    mail ml;
    mail_read(&k, 1, &ml);
    char *names = header_names(ml.head);
    /* libcurl writes the multipart Content-Type first */
    assert_string_equal(names, "Content-Type,From,To,Reply-To,Subject,Date,Message-ID,MIME-Version,"
                               "List-Unsubscribe,List-Unsubscribe-Post,X-Regua-Idempotency-Key");
    free(names);
    char *v;
    assert_string_equal(v = header(ml.head, "From"), "=?UTF-8?B?Q29icmFuw6dhIEV4ZW1wbG8=?= <cobranca@exemplo.com.br>");
    free(v);
    assert_string_equal(v = header(ml.head, "To"), "=?UTF-8?B?TWFyaWEgSm9zw6kgZGEgU2lsdmE=?= <maria@cliente.test>");
    free(v);
    assert_string_equal(v = header(ml.head, "Reply-To"), "Financeiro <financeiro@exemplo.com.br>");
    free(v);
    /* RFC 2047: two B words of whole UTF-8 characters, folded */
    assert_non_null(strstr(ml.raw, "Subject: =?UTF-8?B?U3VhIGZhdHVyYSB2ZW5jZSBlbSAzIGRpYXMg4oCUIGHDp8OjbyBu?=\r\n"
                                   " =?UTF-8?B?ZWNlc3PDoXJpYQ==?=\r\n"));
    assert_string_equal(v = header(ml.head, "Subject"),
                        "=?UTF-8?B?U3VhIGZhdHVyYSB2ZW5jZSBlbSAzIGRpYXMg4oCUIGHDp8OjbyBu?= =?UTF-8?B?ZWNlc3PDoXJpYQ==?=");
    char *subject = decode_words(v);
    assert_string_equal(subject, m.subject);
    free(subject);
    free(v);
    assert_string_equal(v = header(ml.head, "Date"), "Mon, 07 Dec 2026 12:30:05 +0000");
    free(v);
    /* BLAKE2b-64 of the idempotency key */
    unsigned char h[8];
    char hex[17], want_id[128];
    crypto_generichash(h, sizeof h, (const unsigned char *)m.idempotency_key, strlen(m.idempotency_key), NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(want_id, sizeof want_id, "<regua-42-%s@exemplo.com.br>", hex);
    assert_string_equal(v = header(ml.head, "Message-ID"), want_id);
    free(v);
    assert_string_equal(res.provider_id, want_id);
    assert_string_equal(v = header(ml.head, "MIME-Version"), "1.0");
    free(v);
    char *tu = token("u", "42|email"), *to = token("o", "42"),
         *tc1 = token("c", "42|https://pagar.exemplo.com.br/f/F1001?a=1&b=2"),
         *tc2 = token("c", "42|http://exemplo.com.br/ajuda");
    char want[2048];
    snprintf(want, sizeof want,
             "<mailto:descadastro@exemplo.com.br?subject=unsubscribe-%s>, <https://regua.exemplo.com.br/u/%s>", tu,
             tu);
    assert_string_equal(v = header(ml.head, "List-Unsubscribe"), want);
    free(v);
    assert_string_equal(v = header(ml.head, "List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
    free(v);
    assert_string_equal(v = header(ml.head, "X-Regua-Idempotency-Key"), m.idempotency_key);
    free(v);

    /* text/plain as written (CRLF line breaks), links untouched */
    assert_string_equal(ml.parts[0][0], "Content-Type: text/plain; charset=utf-8\n"
                                        "Content-Transfer-Encoding: quoted-printable\n");
    assert_string_equal(ml.parts[0][1], "Ol\xc3\xa1, Maria Jos\xc3\xa9!\r\n\r\nSua fatura de R$ 1.234,56 vence em "
                                        "10/12/2026.\r\nPague em https://pagar.exemplo.com.br/f/F1001?a=1&b=2.\r\n");
    /* text/html: http(s) links tracked, mailto and images untouched, the pixel before </body> */
    assert_string_equal(ml.parts[1][0], "Content-Type: text/html; charset=utf-8\n"
                                        "Content-Transfer-Encoding: quoted-printable\n");
    snprintf(want, sizeof want,
             "<html><body><p>Ol\xc3\xa1 <b>Maria</b></p>\r\n"
             "<p><a href=\"https://regua.exemplo.com.br/t/c/%s\">Pagar</a> "
             "<A class=x href=\"https://regua.exemplo.com.br/t/c/%s\">Ajuda</A> "
             "<a href=\"mailto:financeiro@exemplo.com.br\">e-mail</a></p>\r\n"
             "<img src=\"https://exemplo.com.br/logo.png\" alt=\"logo\">\r\n"
             "<img src=\"https://regua.exemplo.com.br/t/o/%s.gif\" width=\"1\" height=\"1\" alt=\"\">"
             "</body></html>\r\n",
             tc1, tc2, to);
    assert_string_equal(ml.parts[1][1], want);

    /* the tokens in the message verify and carry (message id, original URL) */
    char payload[512];
    const char *p = strstr(ml.parts[1][1], "/t/c/") + 5;
    assert_int_equal(rg_token_verify(SECRET, "c", p, strcspn(p, "\""), payload, sizeof payload, &e), RG_OK);
    assert_string_equal(payload, "42|https://pagar.exemplo.com.br/f/F1001?a=1&b=2");
    p = strstr(ml.parts[1][1], "/t/o/") + 5;
    assert_int_equal(rg_token_verify(SECRET, "o", p, strcspn(p, "."), payload, sizeof payload, &e), RG_EPERM);
    assert_int_equal(rg_token_verify(SECRET, "o", p, strcspn(p, "\"") - 4, payload, sizeof payload, &e), RG_OK);
    assert_string_equal(payload, "42");
    assert_int_equal(rg_token_verify(SECRET, "u", tu, strlen(tu), payload, sizeof payload, &e), RG_OK);
    assert_string_equal(payload, "42|email");

    /* the envelope */
    char *env = sink_file(&k, 1, "env");
    assert_string_equal(env, "EHLO:exemplo.com.br\nMAIL FROM:cobranca@exemplo.com.br\nRCPT TO:maria@cliente.test\nAUTH:\nTLS:no\n");
    free(env);
    free(tu);
    free(to);
    free(tc1);
    free(tc2);
    mail_free(&ml);
    rg_channel_close(c);
    sink_stop(&k);
}

static void test_retry_keeps_message_id(void **state)
{
    (void)state;
    sink k;
    sink_start(&k, NULL, NULL);
    rg_channel_config ch;
    channel_config(&ch, k.port);
    rg_channel *c = open_channel(&ch, "", NULL);
    rg_message m;
    message(&m, 7, HTML);
    rg_send_result r1, r2, r3;
    assert_int_equal(send_to(c, &m, "maria@cliente.test", &r1, NULL), RG_OK);
    assert_int_equal(send_to(c, &m, "maria@cliente.test", &r2, NULL), RG_OK); /* a retry */
    rg_message other;
    message(&other, 8, HTML);
    assert_int_equal(send_to(c, &other, "maria@cliente.test", &r3, NULL), RG_OK);
    assert_string_equal(r1.provider_id, r2.provider_id);
    assert_true(strncmp(r1.provider_id, "<regua-7-", 9) == 0);
    assert_true(strncmp(r3.provider_id, "<regua-8-", 9) == 0);
    /* same key, other id: other Message-ID; the hash part is the same */
    assert_string_equal(strchr(r1.provider_id + 7, '-'), strchr(r3.provider_id + 7, '-'));
    assert_int_equal(sink_messages(&k), 3);
    rg_channel_close(c);
    /* the EHLO name: the sender's domain by default (also after a bare '/'), else the URL's path */
    static const char *const paths[][2] = {{"/", "exemplo.com.br"}, {"/mta.exemplo.com.br", "mta.exemplo.com.br"}};
    for (int i = 0; i < 2; i++) {
        snprintf(ch.settings[0].value, sizeof ch.settings[0].value, "smtp://127.0.0.1:%d%s", k.port, paths[i][0]);
        c = open_channel(&ch, "", NULL);
        assert_int_equal(send_to(c, &m, "maria@cliente.test", &r2, NULL), RG_OK);
        rg_channel_close(c);
        char *env = sink_file(&k, 4 + i, "env"), want[128];
        snprintf(want, sizeof want, "EHLO:%s\n", paths[i][1]);
        assert_true(!strncmp(env, want, strlen(want)));
        free(env);
    }
    mail a, b;
    mail_read(&k, 1, &a);
    mail_read(&k, 2, &b);
    char *ia = header(a.head, "Message-ID"), *ib = header(b.head, "Message-ID");
    assert_string_equal(ia, r1.provider_id);
    assert_string_equal(ia, ib);
    free(ia);
    free(ib);
    mail_free(&a);
    mail_free(&b);
    sink_stop(&k);
}

static void test_no_tracking_without_public_url_or_secret(void **state)
{
    (void)state;
    sink k;
    sink_start(&k, NULL, NULL);
    rg_channel_config ch;
    channel_config(&ch, k.port);
    set(&ch, "unsubscribe_mailto", "mailto:descadastro@exemplo.com.br");
    rg_message m;
    message(&m, 42, HTML);
    m.planned_for = 0; /* the Date falls back to created_at */
    /* no public_url (with or without the secret): the mailto form only */
    const char *const cases[2][2] = {{"", SECRET}, {"", NULL}};
    for (int i = 0; i < 2; i++) {
        rg_channel *c = open_channel(&ch, cases[i][0], cases[i][1]);
        rg_send_result res;
        assert_int_equal(send_to(c, &m, "maria@cliente.test", &res, NULL), RG_OK);
        rg_channel_close(c);
        mail ml;
        mail_read(&k, i + 1, &ml);
        char *names = header_names(ml.head), *v;
        assert_string_equal(names, "Content-Type,From,To,Subject,Date,Message-ID,MIME-Version,List-Unsubscribe,"
                                   "X-Regua-Idempotency-Key");
        free(names);
        assert_string_equal(v = header(ml.head, "List-Unsubscribe"),
                            "<mailto:descadastro@exemplo.com.br?subject=unsubscribe>");
        free(v);
        assert_string_equal(v = header(ml.head, "Date"), "Tue, 01 Dec 2026 03:00:00 +0000");
        free(v);
        assert_string_equal(ml.parts[1][1],
                            "<html><body><p>Ol\xc3\xa1 <b>Maria</b></p>\r\n"
                            "<p><a href=\"https://pagar.exemplo.com.br/f/F1001?a=1&amp;b=2\">Pagar</a> "
                            "<A class=x HREF='http://exemplo.com.br/ajuda'>Ajuda</A> "
                            "<a href=\"mailto:financeiro@exemplo.com.br\">e-mail</a></p>\r\n"
                            "<img src=\"https://exemplo.com.br/logo.png\" alt=\"logo\">\r\n"
                            "</body></html>\r\n");
        mail_free(&ml);
    }
    /* no unsubscribe address and no tracking: no List-Unsubscribe at all;
     * the From name defaults to the company; no subject, no dates */
    channel_config(&ch, k.port);
    rg_strlcpy(ch.settings[1].value, "cobranca@exemplo.com.br", sizeof ch.settings[1].value);
    rg_channel *c = open_channel(&ch, "", NULL);
    m.subject = NULL;
    m.planned_for = m.created_at = 0;
    rg_send_result res;
    assert_int_equal(send_to(c, &m, "maria@cliente.test", &res, NULL), RG_OK);
    rg_channel_close(c);
    mail ml;
    mail_read(&k, 3, &ml);
    char *names = header_names(ml.head), *v;
    assert_string_equal(names, "Content-Type,From,To,Subject,Message-ID,MIME-Version,X-Regua-Idempotency-Key");
    free(names);
    assert_string_equal(v = header(ml.head, "From"), "Exemplo Ltda <cobranca@exemplo.com.br>");
    free(v);
    assert_non_null(strstr(ml.raw, "\r\nSubject: \r\n"));
    mail_free(&ml);
    sink_stop(&k);
}

static void test_text_only_gets_html(void **state)
{
    (void)state;
    sink k;
    sink_start(&k, NULL, NULL);
    rg_channel_config ch;
    channel_config(&ch, k.port);
    rg_message m;
    message(&m, 42, NULL);
    m.body = "Olá <Maria> & cia,\n\nPague em https://pagar.exemplo.com.br/f/F1001?a=1&b=2.\nObrigado.";
    for (int tracked = 0; tracked < 2; tracked++) {
        rg_channel *c = open_channel(&ch, tracked ? "https://regua.exemplo.com.br" : "", SECRET);
        rg_send_result res;
        assert_int_equal(send_to(c, &m, "maria@cliente.test", &res, NULL), RG_OK);
        rg_channel_close(c);
        mail ml;
        mail_read(&k, tracked + 1, &ml);
        char want[2048];
        char *tc = token("c", "42|https://pagar.exemplo.com.br/f/F1001?a=1&b=2"), *to = token("o", "42");
        char link[512], pixel[256];
        if (tracked) {
            snprintf(link, sizeof link, "https://regua.exemplo.com.br/t/c/%s", tc);
            snprintf(pixel, sizeof pixel,
                     "<img src=\"https://regua.exemplo.com.br/t/o/%s.gif\" width=\"1\" height=\"1\" alt=\"\">", to);
        } else {
            rg_strlcpy(link, "https://pagar.exemplo.com.br/f/F1001?a=1&amp;b=2", sizeof link);
            pixel[0] = '\0';
        }
        snprintf(want, sizeof want,
                 "<!DOCTYPE html>\r\n<html><head><meta charset=\"utf-8\"></head><body>\r\n"
                 "<p>Olá &lt;Maria&gt; &amp; cia,</p>\r\n"
                 "<p>Pague em <a href=\"%s\">https://pagar.exemplo.com.br/f/F1001?a=1&amp;b=2</a>.<br>\r\n"
                 "Obrigado.</p>\r\n%s</body></html>\r\n",
                 link, pixel);
        assert_string_equal(ml.parts[1][1], want);
        assert_string_equal(ml.parts[0][1], "Olá <Maria> & cia,\r\n\r\nPague em "
                                            "https://pagar.exemplo.com.br/f/F1001?a=1&b=2.\r\nObrigado.");
        free(tc);
        free(to);
        mail_free(&ml);
    }
    sink_stop(&k);
}

/* A port nobody listens on. */
static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static void test_outcomes(void **state)
{
    (void)state;
    sink k;
    const char *const args[] = {"--rcpt", "*@bounce.test=550 5.1.1 Mailbox unavailable",
                                "--rcpt", "*@later.test=451 4.3.0 Try again later",
                                "--rcpt", "bad@syntax.test=553 5.1.3 Bad recipient address syntax",
                                "--data", "*@spam.test=554 5.7.1 Rejected as spam",
                                "--data", "*@full.test=452 4.3.1 Insufficient system storage",
                                "--drop", "*@cut.test",
                                NULL};
    sink_start(&k, args, NULL);
    rg_channel_config ch;
    channel_config(&ch, k.port);
    rg_channel *c = open_channel(&ch, "https://regua.exemplo.com.br", SECRET);
    rg_message m;
    message(&m, 42, HTML);
    /* reach: what a failure can have done — nothing before the message itself
     * went (refusals included); maybe, when it went and no final reply came */
    static const struct {
        const char *to;
        rg_status rc;
        rg_send_outcome outcome;
        rg_send_reach reach;
        const char *error;
    } cases[] = {
        {"maria@bounce.test", RG_EPERMANENT, RG_SEND_PERMANENT, RG_REACH_NONE,
         "RCPT TO refused: 550 5.1.1 Mailbox unavailable"},
        {"maria@later.test", RG_ETRANSIENT, RG_SEND_TRANSIENT, RG_REACH_NONE, "RCPT TO refused: 451 4.3.0 Try again later"},
        {"bad@syntax.test", RG_EPERMANENT, RG_SEND_PERMANENT, RG_REACH_NONE,
         "RCPT TO refused: 553 5.1.3 Bad recipient address syntax"},
        {"maria@spam.test", RG_EPERMANENT, RG_SEND_PERMANENT, RG_REACH_NONE,
         "end of message refused: 554 5.7.1 Rejected as spam"},
        {"maria@full.test", RG_ETRANSIENT, RG_SEND_TRANSIENT, RG_REACH_NONE,
         "end of message refused: 452 4.3.1 Insufficient system storage"},
        {"maria@cliente.test", RG_OK, RG_SEND_OK, RG_REACH_UNKNOWN, ""},
        {"not an address", RG_EPERMANENT, RG_SEND_PERMANENT, RG_REACH_UNKNOWN,
         "'not an address' is not a valid e-mail address"},
        {"maria@cliente.test\r\nBcc: x@y.test", RG_EPERMANENT, RG_SEND_PERMANENT, RG_REACH_UNKNOWN, NULL},
        {"maria@bounce.test", RG_EPERMANENT, RG_SEND_PERMANENT, RG_REACH_NONE,
         "RCPT TO refused: 550 5.1.1 Mailbox unavailable"},
        {"maria@cliente.test", RG_OK, RG_SEND_OK, RG_REACH_UNKNOWN, ""},
        /* the server took the message and closed without a final reply */
        {"maria@cut.test", RG_ETRANSIENT, RG_SEND_TRANSIENT, RG_REACH_MAYBE, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rg_send_result res;
        rg_err e;
        rg_err_clear(&e);
        rg_status rc = send_to(c, &m, cases[i].to, &res, &e);
        if (rc != cases[i].rc || res.outcome != cases[i].outcome || res.reach != cases[i].reach ||
            res.channel_fault)
            fail_msg("case %zu (%s): rc %d outcome %d reach %d fault %d error %s", i, cases[i].to, rc, res.outcome,
                     res.reach, res.channel_fault, res.error);
        if (cases[i].error) {
            assert_string_equal(res.error, cases[i].error);
            assert_string_equal(e.msg, cases[i].error);
        }
        if (rc == RG_OK)
            assert_true(!strncmp(res.provider_id, "<regua-42-", 10));
        else
            assert_string_equal(res.provider_id, "");
    }
    assert_int_equal(sink_messages(&k), 3); /* the cut one reached the server */
    rg_channel_close(c);
    sink_stop(&k);

    /* connection refused: not sent */
    channel_config(&ch, closed_port());
    c = open_channel(&ch, "", NULL);
    rg_send_result res;
    rg_err e;
    assert_int_equal(send_to(c, &m, "maria@cliente.test", &res, &e), RG_ETRANSIENT);
    assert_int_equal(res.outcome, RG_SEND_TRANSIENT);
    assert_int_equal(res.reach, RG_REACH_NONE);
    assert_true(!strncmp(res.error, "connection: ", 12));
    rg_channel_close(c);

    /* a server that accepts the connection and never greets: timeout */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 4), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    channel_config(&ch, ntohs(a.sin_port));
    ch.n_settings--; /* timeout_seconds */
    set(&ch, "timeout_seconds", "1");
    c = open_channel(&ch, "", NULL);
    assert_int_equal(send_to(c, &m, "maria@cliente.test", &res, &e), RG_ETRANSIENT);
    assert_int_equal(res.outcome, RG_SEND_TRANSIENT);
    assert_true(!strncmp(res.error, "connection: ", 12));
    assert_non_null(strstr(res.error, "timed out"));
    rg_channel_close(c);
    close(fd);
}

/* Refusals before DATA that are about the channel, not the customer. */
static void test_reach(void **state)
{
    (void)state;
    sink k;
    rg_channel_config ch;
    rg_channel *c;
    rg_message m;
    message(&m, 42, HTML);

    /* a 5xx before DATA about our sender (MAIL FROM) is not the customer's: temporary, not sent */
    const char *const sender[] = {"--mail", "cobranca@*=550 5.7.1 Sender not allowed", NULL};
    sink_start(&k, sender, NULL);
    channel_config(&ch, k.port);
    c = open_channel(&ch, "", NULL);
    rg_send_result res;
    rg_err e;
    assert_int_equal(send_to(c, &m, "maria@cliente.test", &res, &e), RG_ETRANSIENT);
    assert_int_equal(res.outcome, RG_SEND_TRANSIENT);
    assert_int_equal(res.reach, RG_REACH_NONE);
    assert_false(res.channel_fault);
    assert_string_equal(res.error, "MAIL FROM refused: 550 5.7.1 Sender not allowed");
    rg_channel_close(c);
    sink_stop(&k);

    /* 535: the channel's credentials, not the message: a channel fault */
    const char *const auth[] = {"--auth", "regua", NULL};
    sink_start(&k, auth, PASSWORD);
    channel_config(&ch, k.port);
    setenv("RG_TEST_SMTP_USER", "regua", 1);
    setenv("RG_TEST_SMTP_PASS", "wrong-" PASSWORD, 1);
    set(&ch, "username_env", "RG_TEST_SMTP_USER");
    set(&ch, "password_env", "RG_TEST_SMTP_PASS");
    set(&ch, "starttls", "off");
    c = open_channel(&ch, "", NULL);
    assert_int_equal(send_to(c, &m, "maria@cliente.test", &res, &e), RG_ETRANSIENT);
    assert_true(res.channel_fault);
    assert_int_equal(res.reach, RG_REACH_NONE);
    assert_string_equal(res.error, "AUTH refused: 535 5.7.8 Authentication credentials invalid");
    rg_channel_close(c);
    sink_stop(&k);
}

static void test_auth(void **state)
{
    (void)state;
    sink k;
    /* the sink answers RCPT for echo.test with a text holding the password
     * (a hostile server): it must not reach the error message */
    const char *const args[] = {"--auth", "regua", "--rcpt", "*@echo.test=550 5.1.1 no " PASSWORD " here", NULL};
    sink_start(&k, args, PASSWORD);
    setenv("RG_TEST_SMTP_USER", "regua", 1);
    setenv("RG_TEST_SMTP_PASS", PASSWORD, 1);
    rg_channel_config ch;
    channel_config(&ch, k.port);
    set(&ch, "username_env", "RG_TEST_SMTP_USER");
    set(&ch, "password_env", "RG_TEST_SMTP_PASS");
    rg_message m;
    message(&m, 42, HTML);
    rg_send_result res;
    rg_err e;

    /* with credentials, STARTTLS is required by default: this sink has none */
    rg_channel *c = open_channel(&ch, "", NULL);
    assert_int_equal(send_to(c, &m, "maria@cliente.test", &res, &e), RG_ETRANSIENT);
    assert_int_equal(res.outcome, RG_SEND_TRANSIENT);
    assert_true(!strncmp(res.error, "STARTTLS: ", 10) || !strncmp(res.error, "EHLO: ", 6));
    assert_null(strstr(res.error, PASSWORD));
    rg_channel_close(c);

    set(&ch, "starttls", "off");
    c = open_channel(&ch, "", NULL);
    assert_int_equal(send_to(c, &m, "maria@cliente.test", &res, &e), RG_OK);
    char *env = sink_file(&k, 1, "env");
    assert_string_equal(env, "EHLO:exemplo.com.br\nMAIL FROM:cobranca@exemplo.com.br\nRCPT TO:maria@cliente.test\nAUTH:regua\nTLS:no\n");
    free(env);
    assert_int_equal(send_to(c, &m, "maria@echo.test", &res, &e), RG_EPERMANENT);
    assert_string_equal(res.error, "RCPT TO refused: 550 5.1.1 no [redacted] here");
    assert_string_equal(e.msg, res.error);
    rg_channel_close(c);

    /* a wrong password: transient (the channel's problem, not the customer's) */
    setenv("RG_TEST_SMTP_PASS", "wrong-" PASSWORD, 1);
    c = open_channel(&ch, "", NULL);
    assert_int_equal(send_to(c, &m, "maria@cliente.test", &res, &e), RG_ETRANSIENT);
    assert_int_equal(res.outcome, RG_SEND_TRANSIENT);
    assert_string_equal(res.error, "AUTH refused: 535 5.7.8 Authentication credentials invalid");
    assert_null(strstr(e.msg, PASSWORD));
    rg_channel_close(c);

    /* the variable is missing: named, no value shown */
    unsetenv("RG_TEST_SMTP_PASS");
    rg_config_defaults(&config);
    rg_channel_env cenv = {&config, NULL, NULL};
    assert_int_equal(rg_channel_open(&ch, &cenv, &c, &e), RG_EUSAGE);
    assert_null(c);
    assert_string_equal(e.where, "email: password_env");
    assert_string_equal(e.msg, "the environment variable RG_TEST_SMTP_PASS is not set");
    assert_int_equal(sink_messages(&k), 1);
    sink_stop(&k);

    /* AUTH LOGIN (user and password on lines of their own) */
    const char *const login[] = {"--auth", "regua", "--auth-exclude", "PLAIN", NULL};
    sink_start(&k, login, PASSWORD);
    channel_config(&ch, k.port);
    set(&ch, "username_env", "RG_TEST_SMTP_USER");
    set(&ch, "password_env", "RG_TEST_SMTP_PASS");
    set(&ch, "starttls", "try");
    setenv("RG_TEST_SMTP_PASS", PASSWORD, 1);
    c = open_channel(&ch, "", NULL);
    assert_int_equal(send_to(c, &m, "maria@cliente.test", &res, &e), RG_OK);
    rg_channel_close(c);
    /* a password whose base64 line reads "DATA": still the AUTH stage (transient, not permanent) */
    setenv("RG_TEST_SMTP_PASS", "\x0c\x04\xc0", 1);
    c = open_channel(&ch, "", NULL);
    assert_int_equal(send_to(c, &m, "maria@cliente.test", &res, &e), RG_ETRANSIENT);
    assert_string_equal(res.error, "AUTH refused: 535 5.7.8 Authentication credentials invalid");
    rg_channel_close(c);
    env = sink_file(&k, 1, "env");
    assert_string_equal(env, "EHLO:exemplo.com.br\nMAIL FROM:cobranca@exemplo.com.br\nRCPT TO:maria@cliente.test\n"
                             "AUTH:regua\nTLS:no\n");
    free(env);
    assert_int_equal(sink_messages(&k), 1);
    sink_stop(&k);
}

/* ---- the dispatcher over SMTP ---- */

#define T0 "2026-12-07T13:00:00Z"

typedef struct dsp {
    rg_config cfg;
    rg_store *store;
    rg_dispatcher *d;
    int64_t ids[4];
    size_t n;
} dsp;

static rg_instant when(const char *iso)
{
    rg_instant t;
    assert_true(rg_instant_parse(iso, strlen(iso), &t));
    return t;
}

/* A store with one queued e-mail per address (to[]), and a dispatcher
 * (no re-check) over channel ch. */
static void dsp_open(dsp *x, const rg_channel_config *ch, const char *const *to)
{
    static int seq;
    memset(x, 0, sizeof *x);
    rg_config_defaults(&x->cfg);
    rg_strlcpy(x->cfg.company.name, "Exemplo Ltda", sizeof x->cfg.company.name);
    snprintf(x->cfg.database, sizeof x->cfg.database, "%s/dsp%d.db", rg_test_tmpdir(), ++seq);
    unlink(x->cfg.database);
    x->cfg.channels[0] = *ch;
    x->cfg.n_channels = 1;
    rg_err e;
    assert_int_equal(rg_store_open(x->cfg.database, &x->store, &e), RG_OK);
    rg_buf csv = RG_BUF_INIT;
    rg_buf_puts(&csv, "external_id;name;email\n");
    for (size_t i = 0; to[i]; i++)
        rg_buf_printf(&csv, "D%zu;Cliente %zu;%s\n", i, i, to[i]);
    rg_import_report r;
    rg_status rc = rg_import_csv_buffer(&(rg_event_env){x->store, rg_test_zones(), NULL}, RG_IMPORT_CUSTOMERS, "c.csv",
                                        csv.p, csv.len, rg_test_import_options(false, when(T0)), &r, &e);
    if (rc != RG_OK)
        fail_msg("import: %s", rg_buf_cstr(&r.text));
    rg_import_report_free(&r);
    rg_buf_free(&csv);
    for (size_t i = 0; to[i]; i++) {
        char ext[16];
        snprintf(ext, sizeof ext, "D%zu", i);
        rg_customer c;
        assert_int_equal(rg_store_customer_get(x->store, ext, &c, &e), RG_OK);
        rg_message m;
        memset(&m, 0, sizeof m);
        snprintf(m.idempotency_key, sizeof m.idempotency_key, "manual:dsp:%zu", i);
        m.customer_id = c.id;
        rg_strlcpy(m.source_kind, "manual", sizeof m.source_kind);
        rg_strlcpy(m.source_id, "teste", sizeof m.source_id);
        rg_strlcpy(m.channel, "email", sizeof m.channel);
        m.subject = "Lembrete";
        m.body = "Sua fatura vence amanhã.";
        m.status = RG_MSG_QUEUED;
        m.planned_for = m.created_at = m.updated_at = when(T0);
        bool ins;
        assert_int_equal(rg_store_message_insert(x->store, &m, &ins, &e), RG_OK);
        x->ids[x->n++] = m.id;
    }
    rg_dispatch_options o;
    memset(&o, 0, sizeof o);
    o.store = x->store;
    o.config = &x->cfg;
    o.seed = 1;
    if (rg_dispatcher_open(&o, &x->d, &e) != RG_OK)
        fail_msg("dispatcher: %s: %s", e.where, e.msg);
}

static void dsp_close(dsp *x)
{
    rg_dispatcher_close(x->d);
    rg_store_close(x->store);
}

static rg_dispatch_stats dsp_drain(dsp *x, const char *iso)
{
    rg_clock clock = rg_clock_fixed(when(iso));
    rg_dispatch_stats st;
    rg_err e;
    if (rg_dispatcher_drain(x->d, &clock, &st, &e) != RG_OK)
        fail_msg("drain: %s: %s", e.where, e.msg);
    return st;
}

typedef struct found_msg {
    int64_t id;
    rg_message m;
} found_msg;

static rg_status on_msg(void *p, const rg_message *m)
{
    found_msg *f = p;
    if (m->id == f->id) {
        f->m = *m;
        f->m.subject = f->m.body = f->m.html = f->m.payload = NULL;
    }
    return RG_OK;
}

static rg_message dsp_msg(dsp *x, size_t i)
{
    found_msg f;
    memset(&f, 0, sizeof f);
    f.id = x->ids[i];
    rg_message_filter flt;
    rg_message_filter_init(&flt);
    rg_err e;
    assert_int_equal(rg_store_message_each(x->store, &flt, on_msg, &f, &e), RG_OK);
    assert_int_equal(f.m.id, x->ids[i]);
    return f.m;
}

static void assert_prefix(const char *s, const char *prefix)
{
    if (strncmp(s, prefix, strlen(prefix)) != 0)
        fail_msg("'%s' does not start with '%s'", s, prefix);
}

static rg_status count_review(void *p, const rg_task_view *t)
{
    if (!strcmp(t->task.kind, "review") && t->message_id)
        (*(int *)p)++;
    return RG_OK;
}

/* The Message-ID header of the sink's n-th message. */
static void eml_message_id(const sink *k, int n, char *out, size_t size)
{
    char *eml = sink_file(k, n, "eml");
    assert_non_null(eml);
    const char *h = strstr(eml, "Message-ID: ");
    assert_non_null(h);
    h += 12;
    size_t l = strcspn(h, "\r\n");
    snprintf(out, size, "%.*s", (int)l, h);
    free(eml);
}

static void test_dispatch_smtp(void **state)
{
    (void)state;
    sink k;
    rg_channel_config ch;
    dsp x;

    /* a 5xx at MAIL FROM (before DATA: nothing went) is retried with backoff;
     * after max_attempts the message fails with the server's words */
    const char *const sender[] = {"--mail", "cobranca@*=550 5.7.1 Sender not allowed", NULL};
    sink_start(&k, sender, NULL);
    channel_config(&ch, k.port);
    set(&ch, "max_attempts", "2");
    dsp_open(&x, &ch, (const char *const[]){"maria@cliente.test", NULL});
    rg_dispatch_stats st = dsp_drain(&x, T0);
    assert_int_equal(st.retried, 1);
    assert_int_equal(st.failed + st.uncertain, 0);
    rg_message m = dsp_msg(&x, 0);
    assert_int_equal(m.status, RG_MSG_QUEUED);
    assert_int_equal(m.attempts, 1);
    assert_prefix(m.reason, "email: attempt 1 failed (MAIL FROM refused: 550 5.7.1 Sender not allowed); retrying at ");
    st = dsp_drain(&x, "2026-12-07T15:00:00Z");
    assert_int_equal(st.failed, 1);
    m = dsp_msg(&x, 0);
    assert_int_equal(m.status, RG_MSG_FAILED);
    assert_int_equal(m.attempts, 2);
    assert_string_equal(m.reason, "email: gave up after 2 attempts (MAIL FROM refused: 550 5.7.1 Sender not allowed)");
    dsp_close(&x);
    sink_stop(&k);

    /* 535 pauses the channel: no message fails, /healthz says so, and the
     * first send that goes clears it */
    rg_health_reset();
    const char *const auth[] = {"--auth", "regua", "--auth-fail", "2", NULL};
    sink_start(&k, auth, PASSWORD);
    channel_config(&ch, k.port);
    setenv("RG_TEST_SMTP_USER", "regua", 1);
    setenv("RG_TEST_SMTP_PASS", PASSWORD, 1);
    set(&ch, "username_env", "RG_TEST_SMTP_USER");
    set(&ch, "password_env", "RG_TEST_SMTP_PASS");
    set(&ch, "starttls", "off");
    set(&ch, "max_in_flight", "2");
    dsp_open(&x, &ch, (const char *const[]){"ana@cliente.test", "rui@cliente.test", NULL});
    st = dsp_drain(&x, T0);
    assert_int_equal(st.paused, 2);
    assert_int_equal(st.sent + st.failed + st.uncertain + st.retried, 0);
    for (size_t i = 0; i < 2; i++) {
        m = dsp_msg(&x, i);
        assert_int_equal(m.status, RG_MSG_QUEUED);
        assert_int_equal(m.attempts, 0);
        assert_prefix(m.reason, "email: channel paused (AUTH refused: 535 5.7.8 Authentication credentials invalid);"
                                " waiting until 2026-12-07T13:00:");
    }
    char why[RG_HEALTH_REASON_MAX + 1];
    assert_true(rg_health_get("channel:email", why, sizeof why));
    assert_prefix(why, "email paused until 2026-12-07T13:00:");
    assert_non_null(strstr(why, "AUTH refused: 535"));
    /* still paused a second later: nothing is claimed */
    assert_int_equal(dsp_drain(&x, "2026-12-07T13:00:01Z").claimed, 0);
    st = dsp_drain(&x, "2026-12-07T14:00:00Z");
    assert_int_equal(st.sent, 2);
    assert_false(rg_health_get("channel:email", NULL, 0));
    assert_int_equal(dsp_msg(&x, 1).attempts, 1);
    dsp_close(&x);
    sink_stop(&k);

    /* the server takes the message and never answers: maybe delivered. E-mail
     * resends by default, with the same Message-ID */
    const char *const cut[] = {"--drop", "*@cut.test=1", NULL};
    sink_start(&k, cut, NULL);
    channel_config(&ch, k.port);
    dsp_open(&x, &ch, (const char *const[]){"maria@cut.test", NULL});
    st = dsp_drain(&x, T0);
    assert_int_equal(st.retried, 1);
    m = dsp_msg(&x, 0);
    assert_int_equal(m.status, RG_MSG_QUEUED);
    assert_prefix(m.reason, "email: attempt 1 may have reached the provider (end of message: ");
    assert_non_null(strstr(m.reason, " with the same Message-ID"));
    assert_int_equal(dsp_drain(&x, "2026-12-07T14:00:00Z").sent, 1);
    assert_int_equal(sink_messages(&k), 2);
    char id1[200], id2[200];
    eml_message_id(&k, 1, id1, sizeof id1);
    eml_message_id(&k, 2, id2, sizeof id2);
    assert_string_equal(id1, id2);
    dsp_close(&x);
    sink_stop(&k);

    /* on_uncertain: review: status uncertain and an operator task, not resent */
    sink_start(&k, cut, NULL);
    channel_config(&ch, k.port);
    set(&ch, "on_uncertain", "review");
    dsp_open(&x, &ch, (const char *const[]){"maria@cut.test", NULL});
    st = dsp_drain(&x, T0);
    assert_int_equal(st.uncertain, 1);
    m = dsp_msg(&x, 0);
    assert_int_equal(m.status, RG_MSG_UNCERTAIN);
    assert_prefix(m.reason, "uncertain: attempt 1 on email ended with 'end of message: ");
    int tasks = 0;
    rg_err e;
    assert_int_equal(rg_store_task_view_each(x.store, false, count_review, &tasks, &e), RG_OK);
    assert_int_equal(tasks, 1);
    assert_int_equal(dsp_drain(&x, "2026-12-07T14:00:00Z").claimed, 0);
    assert_int_equal(sink_messages(&k), 1);
    dsp_close(&x);
    sink_stop(&k);
}

/* A self-signed certificate for 127.0.0.1 (its own CA); false without openssl. */
static bool make_cert(char *cert, char *key, size_t n)
{
    if (access("/usr/bin/openssl", X_OK) != 0)
        return false;
    snprintf(cert, n, "%s/cert.pem", rg_test_tmpdir());
    snprintf(key, n, "%s/key.pem", rg_test_tmpdir());
    if (access(cert, R_OK) == 0)
        return true;
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2"
             " -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout '%s' -out '%s' >/dev/null 2>&1",
             key, cert);
    return system(cmd) == 0;
}

static void test_tls(void **state)
{
    (void)state;
    char cert[512], key[512];
    if (!make_cert(cert, key, sizeof cert))
        skip();
    rg_message m;
    message(&m, 42, HTML);
    rg_send_result res;
    rg_err e;
    setenv("RG_TEST_SMTP_USER", "regua", 1);
    setenv("RG_TEST_SMTP_PASS", PASSWORD, 1);

    /* STARTTLS (required by default with credentials) + AUTH */
    sink k;
    const char *const starttls[] = {"--cert", cert, "--key", key, "--require-starttls", "--auth", "regua", NULL};
    sink_start(&k, starttls, PASSWORD);
    rg_channel_config ch;
    channel_config(&ch, k.port);
    set(&ch, "username_env", "RG_TEST_SMTP_USER");
    set(&ch, "password_env", "RG_TEST_SMTP_PASS");
    set(&ch, "ca_file", cert);
    rg_channel *c = open_channel(&ch, "", NULL);
    assert_int_equal(send_to(c, &m, "maria@cliente.test", &res, &e), RG_OK);
    rg_channel_close(c);
    char *env = sink_file(&k, 1, "env");
    assert_string_equal(env, "EHLO:exemplo.com.br\nMAIL FROM:cobranca@exemplo.com.br\nRCPT TO:maria@cliente.test\nAUTH:regua\nTLS:yes\n");
    free(env);
    /* the certificate is not trusted without ca_file: transient, no password */
    channel_config(&ch, k.port);
    set(&ch, "username_env", "RG_TEST_SMTP_USER");
    set(&ch, "password_env", "RG_TEST_SMTP_PASS");
    c = open_channel(&ch, "", NULL);
    assert_int_equal(send_to(c, &m, "maria@cliente.test", &res, &e), RG_ETRANSIENT);
    assert_true(!strncmp(res.error, "STARTTLS: ", 10));
    assert_null(strstr(res.error, PASSWORD));
    rg_channel_close(c);
    /* starttls: try without credentials also upgrades when offered */
    channel_config(&ch, k.port);
    set(&ch, "ca_file", cert);
    c = open_channel(&ch, "", NULL);
    assert_int_equal(send_to(c, &m, "maria@cliente.test", &res, &e), RG_ETRANSIENT); /* the sink wants AUTH */
    assert_string_equal(res.error, "MAIL FROM refused: 530 5.7.0 Authentication required");
    rg_channel_close(c);
    sink_stop(&k);

    /* implicit TLS (smtps://) */
    const char *const implicit[] = {"--cert", cert, "--key", key, "--implicit-tls", NULL};
    sink_start(&k, implicit, NULL);
    channel_config(&ch, k.port);
    char url[64];
    snprintf(url, sizeof url, "smtps://127.0.0.1:%d", k.port);
    rg_strlcpy(ch.settings[0].value, url, sizeof ch.settings[0].value);
    set(&ch, "ca_file", cert);
    c = open_channel(&ch, "", NULL);
    assert_int_equal(send_to(c, &m, "maria@cliente.test", &res, &e), RG_OK);
    rg_channel_close(c);
    env = sink_file(&k, 1, "env");
    assert_string_equal(env, "EHLO:exemplo.com.br\nMAIL FROM:cobranca@exemplo.com.br\nRCPT TO:maria@cliente.test\nAUTH:\nTLS:yes\n");
    free(env);
    sink_stop(&k);
}

static void expect_open_error(const rg_channel_config *ch, const char *where, const char *msg)
{
    rg_config_defaults(&config);
    rg_channel_env env = {&config, NULL, NULL};
    rg_channel *c = (rg_channel *)1;
    rg_err e;
    rg_status rc = rg_channel_open(ch, &env, &c, &e);
    if (rc == RG_OK)
        fail_msg("opened, expected %s", msg);
    assert_null(c);
    assert_string_equal(e.where, where);
    assert_string_equal(e.msg, msg);
}

/* public_url set: every e-mail carries the signed unsubscribe link (the
 * one-click header only for https), so the secret is required. */
static void test_unsubscribe_whenever_public_url(void **state)
{
    (void)state;
    sink k;
    sink_start(&k, NULL, NULL);
    rg_channel_config ch;
    channel_config(&ch, k.port);
    /* without the secret the link cannot be signed: the channel does not open */
    rg_config_defaults(&config);
    rg_strlcpy(config.public_url, "https://regua.exemplo.com.br", sizeof config.public_url);
    rg_channel_env env = {&config, NULL, NULL};
    rg_channel *c = (rg_channel *)1;
    rg_err e;
    assert_int_equal(rg_channel_open(&ch, &env, &c, &e), RG_EINVAL);
    assert_null(c);
    assert_string_equal(e.where, "email: public_url");
    assert_string_equal(e.msg, "public_url is set, so every e-mail carries a List-Unsubscribe link to it, which must "
                               "be signed: set the token secret in $REGUA_SECRET (at least 16 bytes)");
    /* http: the link, without one-click (RFC 8058 asks for https); no
     * unsubscribe_mailto needed */
    c = open_channel(&ch, "http://127.0.0.1:8080/", SECRET);
    rg_message m;
    message(&m, 7, HTML);
    rg_send_result res;
    assert_int_equal(send_to(c, &m, "maria@cliente.test", &res, NULL), RG_OK);
    rg_channel_close(c);
    mail ml;
    mail_read(&k, 1, &ml);
    char *names = header_names(ml.head), *v;
    assert_string_equal(names, "Content-Type,From,To,Subject,Date,Message-ID,MIME-Version,List-Unsubscribe,"
                               "X-Regua-Idempotency-Key");
    free(names);
    char *tu = token("u", "7|email"), want[512];
    snprintf(want, sizeof want, "<http://127.0.0.1:8080/u/%s>", tu);
    assert_string_equal(v = header(ml.head, "List-Unsubscribe"), want);
    free(v);
    free(tu);
    mail_free(&ml);
    sink_stop(&k);
}

static void test_open_errors(void **state)
{
    (void)state;
    rg_channel_config ch;
    memset(&ch, 0, sizeof ch);
    rg_strlcpy(ch.name, "email", sizeof ch.name);
    rg_strlcpy(ch.driver, "smtp", sizeof ch.driver);
    expect_open_error(&ch, "email: from", "the smtp driver needs 'from' (addr or \"Name <addr>\")");
    set(&ch, "from", "Cobrança <cobranca@exemplo>");
    expect_open_error(&ch, "email: url", "the smtp driver needs 'url' (smtp://host:587 or smtps://host:465)");
    ch.n_settings = 0;
    set(&ch, "from", "Cobrança cobranca@exemplo.com.br");
    expect_open_error(&ch, "email: from",
                      "'Cobrança cobranca@exemplo.com.br' is not an e-mail address (want addr@domain or Name "
                      "<addr@domain>)");
    static const struct {
        const char *key, *value, *where, *msg;
    } cases[] = {
        {"url", "http://mail.exemplo.com.br", "email: url",
         "'http://mail.exemplo.com.br' must start with smtp:// (STARTTLS) or smtps:// (implicit TLS)"},
        {"url", "smtp://user:pw@mail.exemplo.com.br", "email: url",
         "credentials do not belong in the url: name the environment variables in username_env and password_env"},
        {"url", "smtp:///x", "email: url", "'smtp:///x' has no host"},
        {"reply_to", "Financeiro <financeiro@>", "email: reply_to",
         "'Financeiro <financeiro@>' is not an e-mail address (want addr@domain or Name <addr@domain>)"},
        {"unsubscribe_mailto", "mailto:sair", "email: unsubscribe_mailto",
         "'sair' is not an e-mail address (want addr@domain or Name <addr@domain>)"},
        {"ca_file", "/nonexistent/ca.pem", "email: ca_file", "cannot read '/nonexistent/ca.pem'"},
        {"starttls", "sometimes", "email: starttls", "'sometimes' must be try, required or off"},
        {"timeout_seconds", "0", "email: timeout_seconds", "'0' must be a whole number of seconds from 1 to 600"},
        {"username_env", "RG_TEST_SMTP_USER", "email: password_env", "AUTH needs both username_env and password_env"},
    };
    setenv("RG_TEST_SMTP_USER", "regua", 1);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        channel_config(&ch, 25);
        if (!strcmp(cases[i].key, "url"))
            ch.n_settings = 0, set(&ch, "from", "cobranca@exemplo.com.br");
        if (!strcmp(cases[i].key, "timeout_seconds"))
            ch.n_settings--; /* replaces the fixture's */
        set(&ch, cases[i].key, cases[i].value);
        expect_open_error(&ch, cases[i].where, cases[i].msg);
    }
    channel_config(&ch, 25);
    rg_strlcpy(ch.settings[0].value, "smtps://127.0.0.1:465", sizeof ch.settings[0].value);
    set(&ch, "starttls", "off");
    expect_open_error(&ch, "email: starttls", "'off' must be required with smtps:// (TLS from the first byte)");
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_message_as_received),
        cmocka_unit_test(test_retry_keeps_message_id),
        cmocka_unit_test(test_no_tracking_without_public_url_or_secret),
        cmocka_unit_test(test_unsubscribe_whenever_public_url),
        cmocka_unit_test(test_text_only_gets_html),
        cmocka_unit_test(test_outcomes),
        cmocka_unit_test(test_reach),
        cmocka_unit_test(test_dispatch_smtp),
        cmocka_unit_test(test_auth),
        cmocka_unit_test(test_tls),
        cmocka_unit_test(test_open_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
