/*
 * bench_smtp — e-mails per second through the smtp driver to a local SMTP
 * sink, the way the dispatcher runs it: prepare() per message, a curl multi
 * of our own with up to CONNS transfers at once (connections reused), then
 * complete(). Every message is a full one: UTF-8 subject, text and an HTML
 * part with three links, tracking on (click tokens, open pixel, one-click
 * unsubscribe).
 *
 * Usage: bench_smtp [messages] [connections] [sink]
 *   connections 0: the blocking send() one message after another instead
 *   (connections kept between calls)
 *   sink "python" (default): tests/support/smtp_sink.py --discard (aiosmtpd)
 *   sink "c": a minimal SMTP responder in a thread of this process, to
 *   measure regua's side without the Python server as the bottleneck.
 * Prints messages/s and the process's peak RSS.
 */
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "channel/channel.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the in-process sink: enough SMTP for libcurl, nothing stored ---- */

#define SINK_MAX 256

typedef struct client {
    int fd;
    bool data;  /* inside DATA */
    int eom;    /* progress through "\r\n.\r\n" */
    char line[1024];
    size_t len;
} client;

typedef struct csink {
    int lfd;
    volatile int stop;
    long messages;
} csink;

static void reply(int fd, const char *s)
{
    size_t n = strlen(s);
    if (write(fd, s, n) != (ssize_t)n)
        return;
}

static void on_line(client *c, long *messages)
{
    (void)messages;
    if (!strncasecmp(c->line, "EHLO", 4))
        reply(c->fd, "250-sink\r\n250 8BITMIME\r\n");
    else if (!strncasecmp(c->line, "DATA", 4)) {
        reply(c->fd, "354 go ahead\r\n");
        c->data = true;
        c->eom = 2; /* the body may end at once with ".\r\n" */
    } else if (!strncasecmp(c->line, "QUIT", 4)) {
        reply(c->fd, "221 bye\r\n");
    } else
        reply(c->fd, "250 ok\r\n");
}

static void *sink_run(void *arg)
{
    csink *k = arg;
    static client cl[SINK_MAX];
    struct pollfd pf[SINK_MAX + 1];
    size_t n = 0;
    while (!k->stop) {
        pf[0] = (struct pollfd){k->lfd, POLLIN, 0};
        for (size_t i = 0; i < n; i++)
            pf[i + 1] = (struct pollfd){cl[i].fd, POLLIN, 0};
        if (poll(pf, n + 1, 100) <= 0)
            continue;
        if (pf[0].revents & POLLIN) {
            int fd = accept(k->lfd, NULL, NULL);
            if (fd >= 0 && n < SINK_MAX) {
                cl[n] = (client){.fd = fd};
                n++;
                reply(fd, "220 sink ESMTP\r\n");
            } else if (fd >= 0) {
                close(fd);
            }
        }
        for (size_t i = 0; i < n; i++) {
            if (!(pf[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            client *c = &cl[i];
            char buf[65536];
            ssize_t r = read(c->fd, buf, sizeof buf);
            if (r <= 0) {
                close(c->fd);
                c->fd = -1;
                continue;
            }
            for (ssize_t j = 0; j < r; j++) {
                char ch = buf[j];
                if (c->data) {
                    static const char eom[] = "\r\n.\r\n";
                    c->eom = ch == eom[c->eom] ? c->eom + 1 : ch == '\r' ? 1 : 0;
                    if (c->eom == 5) {
                        c->data = false;
                        c->eom = 0;
                        c->len = 0;
                        __atomic_add_fetch(&k->messages, 1, __ATOMIC_RELAXED);
                        reply(c->fd, "250 queued\r\n");
                    }
                    continue;
                }
                if (ch == '\n') {
                    c->line[c->len] = '\0';
                    on_line(c, &k->messages);
                    c->len = 0;
                } else if (c->len + 1 < sizeof c->line) {
                    c->line[c->len++] = ch;
                }
            }
        }
        size_t w = 0; /* drop closed clients */
        for (size_t i = 0; i < n; i++)
            if (cl[i].fd >= 0)
                cl[w++] = cl[i];
        n = w;
    }
    for (size_t i = 0; i < n; i++)
        close(cl[i].fd);
    return NULL;
}

static int listen_any(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 256) ||
        getsockname(fd, (struct sockaddr *)&a, &len))
        return -1;
    *port = ntohs(a.sin_port);
    return fd;
}

/* ---- the Python sink ---- */

static pid_t python_sink(int *port)
{
    char dir[] = "/tmp/regua-bench-smtp-XXXXXX";
    if (!mkdtemp(dir))
        return -1;
    char port_file[64];
    snprintf(port_file, sizeof port_file, "%s/port", dir);
    pid_t pid = fork();
    if (pid == 0) {
        execl("/usr/bin/python3", "python3", "tests/support/smtp_sink.py", "--discard", "--port-file", port_file,
              "--lifetime", "600", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 200 && pid > 0; i++) {
        FILE *f = fopen(port_file, "r");
        if (f) {
            char line[16] = "";
            if (fgets(line, sizeof line, f))
                *port = (int)strtol(line, NULL, 10);
            fclose(f);
            unlink(port_file);
            rmdir(dir);
            return pid;
        }
        usleep(50000);
    }
    return -1;
}

/* ---- the bench ---- */

static const char *const html_body =
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>"
    "<h1>Exemplo Ltda</h1><p>Ol\xc3\xa1, Maria Jos\xc3\xa9 da Silva,</p>"
    "<p>Identificamos que a fatura <b>F1001</b>, no valor de <b>R$ 1.234,56</b>, venceu em 10/12/2026 e ainda "
    "n\xc3\xa3o consta como paga. O valor atualizado com multa e juros \xc3\xa9 <b>R$ 1.262,78</b>.</p>"
    "<p><a href=\"https://pagar.exemplo.com.br/f/F1001?utm_source=email&amp;utm_campaign=d3\">Pagar agora</a></p>"
    "<p>Linha digit\xc3\xa1vel: 34191.09008 63571.277308 71444.640008 5 10230000123456</p>"
    "<p>D\xc3\xbavidas? <a href=\"https://exemplo.com.br/ajuda\">Central de ajuda</a> ou responda este e-mail.</p>"
    "<p style=\"font-size:small\">Se j\xc3\xa1 pagou, desconsidere. <a href=\"https://exemplo.com.br/privacidade\">"
    "Privacidade</a></p></body></html>";

static const char *const text_body =
    "Olá, Maria José da Silva,\n\nIdentificamos que a fatura F1001, no valor de R$ 1.234,56, venceu em "
    "10/12/2026 e ainda não consta como paga. O valor atualizado com multa e juros é R$ 1.262,78.\n\n"
    "Pague em https://pagar.exemplo.com.br/f/F1001\n\nLinha digitável: 34191.09008 63571.277308 71444.640008 5 "
    "10230000123456\n\nSe já pagou, desconsidere.\nExemplo Ltda\n";

int main(int argc, char **argv)
{
    long total = argc > 1 ? strtol(argv[1], NULL, 10) : 20000;
    long conns = argc > 2 ? strtol(argv[2], NULL, 10) : 8;
    const char *kind = argc > 3 ? argv[3] : "python";
    if (total < 1 || conns < 0 || conns > 128)
        return 2;
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);

    int port = 0;
    pid_t pid = -1;
    csink k = {0};
    pthread_t th;
    if (!strcmp(kind, "c")) {
        if ((k.lfd = listen_any(&port)) < 0 || pthread_create(&th, NULL, sink_run, &k))
            return 1;
    } else if ((pid = python_sink(&port)) < 0) {
        fprintf(stderr, "bench_smtp: the Python sink did not start (run from the repository root)\n");
        return 1;
    }

    rg_channel_config ch;
    memset(&ch, 0, sizeof ch);
    rg_strlcpy(ch.name, "email", sizeof ch.name);
    rg_strlcpy(ch.driver, "smtp", sizeof ch.driver);
    char url[64];
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", port);
    const char *settings[][2] = {{"url", url},
                                 {"from", "Cobrança Exemplo <cobranca@exemplo.com.br>"},
                                 {"reply_to", "financeiro@exemplo.com.br"},
                                 {"unsubscribe_mailto", "descadastro@exemplo.com.br"},
                                 {"starttls", "off"}};
    for (size_t i = 0; i < sizeof settings / sizeof *settings; i++) {
        rg_strlcpy(ch.settings[i].key, settings[i][0], sizeof ch.settings[i].key);
        rg_strlcpy(ch.settings[i].value, settings[i][1], sizeof ch.settings[i].value);
        ch.n_settings++;
    }
    static rg_config config;
    rg_config_defaults(&config);
    rg_strlcpy(config.public_url, "https://regua.exemplo.com.br", sizeof config.public_url);
    rg_channel_env env = {&config, "bench-secret-0123456789abcdef", NULL};
    rg_channel *chan = NULL;
    rg_err e;
    if (rg_channel_open(&ch, &env, &chan, &e) != RG_OK) {
        fprintf(stderr, "%s: %s\n", e.where, e.msg);
        return 1;
    }
    const rg_channel_driver *d = rg_channel_driver_of(chan);
    void *state = rg_channel_state(chan);

    rg_customer cust;
    rg_customer_init(&cust);
    rg_strlcpy(cust.name, "Maria José da Silva", sizeof cust.name);
    rg_message m;
    memset(&m, 0, sizeof m);
    rg_strlcpy(m.channel, "email", sizeof m.channel);
    m.subject = "Fatura F1001 vencida há 3 dias — atualize seu pagamento";
    m.body = text_body;
    m.html = html_body;
    m.planned_for = 1796000000;

    long started = 0, done = 0, ok = 0, inflight = 0;
    double t0 = now_s(), prep = 0;
    for (; conns == 0 && done < total; done++) {
        m.id = done + 1;
        snprintf(m.idempotency_key, sizeof m.idempotency_key, "bench/d3/F%ld/2026-12-13", done + 1);
        char to[64];
        snprintf(to, sizeof to, "cliente%ld@cliente.test", done + 1);
        rg_outgoing og = {&m, &cust, to, "F1001"};
        rg_send_result res;
        if (rg_channel_send(chan, &og, &res, &e) == RG_OK)
            ok++;
        else if (done - ok < 5)
            fprintf(stderr, "failed: %s\n", res.error);
    }
    CURLM *multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, conns);
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, conns);
    while (done < total) {
        while (inflight < conns && started < total) {
            m.id = started + 1;
            snprintf(m.idempotency_key, sizeof m.idempotency_key, "bench/d3/F%ld/2026-12-13", started + 1);
            char to[64];
            snprintf(to, sizeof to, "cliente%ld@cliente.test", started + 1);
            rg_outgoing og = {&m, &cust, to, "F1001"};
            void *easy, *req;
            double p0 = now_s();
            if (d->prepare(state, &og, &easy, &req, &e) != RG_OK) {
                fprintf(stderr, "prepare: %s\n", e.msg);
                return 1;
            }
            prep += now_s() - p0;
            curl_easy_setopt(easy, CURLOPT_PRIVATE, req);
            curl_multi_add_handle(multi, easy);
            started++;
            inflight++;
        }
        int running;
        curl_multi_perform(multi, &running);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(multi, &left))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            CURL *easy = msg->easy_handle;
            CURLcode cc = msg->data.result;
            long code = 0;
            void *req = NULL;
            curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
            curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&req);
            curl_multi_remove_handle(multi, easy);
            rg_send_result res;
            d->complete(state, easy, req, (int)cc, code, &res);
            if (res.outcome == RG_SEND_OK)
                ok++;
            else if (done - ok < 5)
                fprintf(stderr, "failed: %s\n", res.error);
            done++;
            inflight--;
        }
        /* wait only when there is nothing to start: a freed slot is refilled at once */
        if (done < total && (inflight == conns || started == total))
            curl_multi_poll(multi, NULL, 0, 100, NULL);
    }
    double t1 = now_s();
    curl_multi_cleanup(multi);
    rg_channel_close(chan);

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("sink: %s, %s\n", !strcmp(kind, "c") ? "in-process C responder" : "aiosmtpd --discard",
           conns ? "curl multi" : "blocking send()");
    if (conns)
        printf("connections: %ld, prepare: %.1f us/e-mail\n", conns, prep / (double)total * 1e6);
    printf("sent: %ld of %ld in %.3f s = %.0f e-mails/s\n", ok, total, t1 - t0, (double)ok / (t1 - t0));
    printf("peak RSS: %ld KB\n", ru.ru_maxrss);
    if (pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    } else {
        k.stop = 1;
        pthread_join(th, NULL);
        close(k.lfd);
        printf("sink counted: %ld\n", k.messages);
    }
    curl_global_cleanup();
    return ok == total ? 0 : 1;
}
