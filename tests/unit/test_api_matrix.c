/*
 * The authorization matrix of the REST API: every route of api.c's table ×
 * no key, a revoked key, a key of another kind ("Basic"), and each role,
 * through the real server (libmicrohttpd on 127.0.0.1, a free port). A
 * route added to the table is covered without touching this test: a role
 * below the route's is 403, at or above it neither 401 nor 403; no key or a
 * revoked one is 401 with WWW-Authenticate. Also the table's own rule:
 * viewer only reads (every POST/PATCH needs operator or admin).
 */
#include "test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "http/http_int.h"
#include "http/server.h"
#include "service/apikeys.h"

#define NOW 1795521600 /* 2026-11-24T12:00:00Z */

static rg_config cfg;
static rg_store *store;
static rg_http_server *srv;
static unsigned port;
static char keys[RG_ROLE_ADMIN + 1][RG_APIKEY_TEXT_MAX]; /* by role */
static char revoked[RG_APIKEY_TEXT_MAX];

typedef struct resp {
    int status;
    char head[8192];
} resp;

/* One request on its own connection; the status and the head. */
static void http(const char *method, const char *path, const char *auth, const char *body, resp *out)
{
    memset(out, 0, sizeof *out);
    rg_buf req = RG_BUF_INIT;
    rg_buf_printf(&req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n", method, path);
    if (auth)
        rg_buf_printf(&req, "Authorization: %s\r\n", auth);
    if (body)
        rg_buf_printf(&req, "Content-Type: application/json\r\nContent-Length: %zu\r\n", strlen(body));
    rg_buf_puts(&req, "\r\n");
    if (body)
        rg_buf_puts(&req, body);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(send(fd, req.p, req.len, MSG_NOSIGNAL), (ssize_t)req.len);
    rg_buf_free(&req);
    rg_buf all = RG_BUF_INIT;
    char chunk[16384];
    ssize_t k;
    while ((k = recv(fd, chunk, sizeof chunk, 0)) > 0)
        rg_buf_append(&all, chunk, (size_t)k);
    close(fd);
    const char *text = rg_buf_cstr(&all);
    const char *end = strstr(text, "\r\n\r\n");
    assert_non_null(end);
    size_t n = (size_t)(end - text) < sizeof out->head - 1 ? (size_t)(end - text) : sizeof out->head - 1;
    memcpy(out->head, text, n);
    int64_t st = 0;
    assert_true(rg_parse_i64((rg_slice){text + 9, 3}, 100, 599, &st));
    out->status = (int)st;
    rg_buf_free(&all);
}

static bool has_header(const resp *r, const char *line)
{
    for (const char *p = r->head; (p = strstr(p, "\r\n")); p += 2)
        if (!strncasecmp(p + 2, line, strlen(line)))
            return true;
    return false;
}

static int setup(void **state)
{
    (void)state;
    rg_err e;
    rg_config_defaults(&cfg);
    static const char yaml[] = "company: {name: Exemplo Ltda, cnpj: 11.222.333/0001-81}\n";
    if (rg_config_parse(&cfg, "test.yaml", rg_test_tmpdir(), yaml, strlen(yaml), &e) != RG_OK)
        return -1;
    if (rg_store_open(rg_test_path("matrix.db"), &store, &e) != RG_OK)
        return -1;
    rg_apikey_row k;
    for (rg_api_role r = RG_ROLE_VIEWER; r <= RG_ROLE_ADMIN; r++)
        if (rg_apikey_create(store, r, rg_api_role_name(r), NOW, &k, keys[r], &e) != RG_OK)
            return -1;
    if (rg_apikey_create(store, RG_ROLE_ADMIN, "old", NOW, &k, revoked, &e) != RG_OK ||
        rg_apikey_revoke(store, k.id, NOW, &k, &e) != RG_OK)
        return -1;
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
    return 0;
}

/* The route's pattern with each "{}" filled with an id nothing has. */
static void path_of(const rg_api_route *rt, char *buf, size_t n)
{
    rg_buf b = RG_BUF_INIT;
    for (const char *p = rt->pattern; *p;) {
        if (p[0] == '{' && p[1] == '}') {
            rg_buf_puts(&b, "NAO-EXISTE-9");
            p += 2;
        } else {
            rg_buf_putc(&b, *p++);
        }
    }
    rg_strlcpy(buf, rg_buf_cstr(&b), n);
    rg_buf_free(&b);
}

static const char *body_of(const rg_api_route *rt)
{
    return rt->body == RG_API_JSON ? "{}" : NULL;
}

static void test_table_rules(void **state)
{
    (void)state;
    size_t n = 0;
    const rg_api_route *rt = rg_api_routes(&n);
    assert_true(n >= 3);
    for (size_t i = 0; i < n; i++) {
        bool read = !strcmp(rt[i].method, "GET");
        if (!read && rt[i].role < RG_ROLE_OPERATOR)
            fail_msg("%s %s: a write needs operator or admin (viewer only reads)", rt[i].method, rt[i].pattern);
        if (strncmp(rt[i].pattern, "/v1/", 4) != 0)
            fail_msg("%s: not under /v1/", rt[i].pattern);
    }
}

static void test_matrix(void **state)
{
    (void)state;
    size_t n = 0;
    const rg_api_route *rt = rg_api_routes(&n);
    char path[512], auth[128];
    resp r;
    for (size_t i = 0; i < n; i++) {
        path_of(&rt[i], path, sizeof path);
        const char *body = body_of(&rt[i]);
        if (rt[i].role == RG_ROLE_NONE) {
            http(rt[i].method, path, NULL, body, &r);
            if (r.status == 401 || r.status == 403)
                fail_msg("%s %s is open to anyone but answered %d", rt[i].method, path, r.status);
            continue;
        }
        http(rt[i].method, path, NULL, body, &r);
        if (r.status != 401 || !has_header(&r, "WWW-Authenticate: Bearer"))
            fail_msg("%s %s without a key: %d, want 401 with WWW-Authenticate", rt[i].method, path, r.status);
        snprintf(auth, sizeof auth, "Bearer %s", revoked);
        http(rt[i].method, path, auth, body, &r);
        if (r.status != 401)
            fail_msg("%s %s with a revoked key: %d, want 401", rt[i].method, path, r.status);
        snprintf(auth, sizeof auth, "Basic %s", keys[RG_ROLE_ADMIN]);
        http(rt[i].method, path, auth, body, &r);
        if (r.status != 401)
            fail_msg("%s %s with Basic: %d, want 401", rt[i].method, path, r.status);
        snprintf(auth, sizeof auth, "Bearer rk_%043d", 0);
        http(rt[i].method, path, auth, body, &r);
        if (r.status != 401)
            fail_msg("%s %s with an unknown key: %d, want 401", rt[i].method, path, r.status);
        for (rg_api_role role = RG_ROLE_VIEWER; role <= RG_ROLE_ADMIN; role++) {
            snprintf(auth, sizeof auth, "Bearer %s", keys[role]);
            http(rt[i].method, path, auth, body, &r);
            if (role < rt[i].role && (r.status != 403 || !has_header(&r, "Content-Type: application/problem+json")))
                fail_msg("%s %s as %s: %d, want 403 problem+json", rt[i].method, path, rg_api_role_name(role),
                         r.status);
            if (role >= rt[i].role && (r.status == 401 || r.status == 403))
                fail_msg("%s %s as %s: %d, want neither 401 nor 403", rt[i].method, path, rg_api_role_name(role),
                         r.status);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_rules),
        cmocka_unit_test(test_matrix),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
