/*
 * channel/mail: addresses, RFC 2047 header text, RFC 5322 dates, the
 * Message-ID, text -> HTML and tracking, with exact outputs.
 * Encoded-words follow RFC 2047 §2 and §5 (at most 75 characters, whole
 * characters per word); the date format is RFC 5322 §3.3.
 */
#include "test.h"

#include <sodium.h>
#include <stdlib.h>

#include "channel/mail.h"
#include "service/token.h"

#define SECRET "mail-test-secret-0123456789"

static void test_addresses(void **state)
{
    (void)state;
    static const char *const good[] = {"a@b.c", "maria.silva+cobranca@cliente.com.br", "x@localhost",
                                       "o'neil@ex-ample.test", "a!#$%&'*+-/=?^_`{|}~@x.test"};
    static const char *const bad[] = {"", "a@", "@b.test", "ab.test", "a@@b.test", "a b@c.test", ".a@b.test",
                                      "a.@b.test", "a..b@c.test", "a@b..test", "a@-b.test", "a@b-.test",
                                      "a@b_c.test", "\"a\"@b.test", "a@[127.0.0.1]", "jos\xc3\xa9@b.test",
                                      "a@b.test\r\nBcc: c@d.test", "a<b@c.test", "a,b@c.test", "a@b.test."};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        if (!rg_mail_addr_valid(good[i]))
            fail_msg("refused %s", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (rg_mail_addr_valid(bad[i]))
            fail_msg("accepted %s", bad[i]);
    char local[80], addr[400];
    memset(local, 'a', 64);
    local[64] = '\0';
    snprintf(addr, sizeof addr, "%s@x.test", local);
    assert_true(rg_mail_addr_valid(addr));
    snprintf(addr, sizeof addr, "a%s@x.test", local); /* local part of 65 */
    assert_false(rg_mail_addr_valid(addr));
    char label[70];
    memset(label, 'b', 64);
    label[64] = '\0';
    snprintf(addr, sizeof addr, "a@%s.test", label); /* label of 64 */
    assert_false(rg_mail_addr_valid(addr));
}

static void test_parse_mailbox(void **state)
{
    (void)state;
    char name[RG_MAIL_NAME_MAX + 1], addr[RG_MAIL_ADDR_MAX + 1];
    rg_err e;
    static const struct {
        const char *in, *name, *addr;
    } ok[] = {
        {"cobranca@exemplo.com.br", "", "cobranca@exemplo.com.br"},
        {"  Cobran\xc3\xa7" "a Exemplo   < cobranca@exemplo.com.br >  ", "Cobran\xc3\xa7" "a Exemplo",
         "cobranca@exemplo.com.br"},
        {"\"Financeiro, Exemplo \\\"SA\\\"\" <fin@exemplo.com.br>", "Financeiro, Exemplo \"SA\"", "fin@exemplo.com.br"},
        {"<fin@exemplo.com.br>", "", "fin@exemplo.com.br"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        assert_int_equal(rg_mail_parse_mailbox(ok[i].in, "from", name, addr, &e), RG_OK);
        assert_string_equal(name, ok[i].name);
        assert_string_equal(addr, ok[i].addr);
    }
    assert_int_equal(rg_mail_parse_mailbox("Nome fin@exemplo.com.br", "from", name, addr, &e), RG_EINVAL);
    assert_string_equal(e.where, "from");
    assert_string_equal(e.msg, "'Nome fin@exemplo.com.br' is not an e-mail address (want addr@domain or Name "
                               "<addr@domain>)");
    assert_string_equal(name, "");
    assert_string_equal(addr, "");
    assert_int_equal(rg_mail_parse_mailbox("Nome fin@exemplo.com.br>", "reply_to", name, addr, &e), RG_EINVAL);
    assert_string_equal(e.msg, "'Nome fin@exemplo.com.br>' has a '>' without '<'");
    assert_int_equal(rg_mail_parse_mailbox("Nome\r\nBcc: x@y.test <fin@exemplo.com.br>", "from", name, addr, &e),
                     RG_EINVAL);
    assert_string_equal(e.msg, "the name in 'Nome\r\nBcc: x@y.test <fin@exemplo.com.br>' is too long or has control "
                               "characters");
    assert_string_equal(addr, "");
}

static char *text(const char *v)
{
    rg_buf b = RG_BUF_INIT;
    rg_mail_put_text(&b, v);
    return rg_buf_detach(&b);
}

static char *mailbox(const char *name, const char *addr)
{
    rg_buf b = RG_BUF_INIT;
    rg_mail_put_mailbox(&b, name, addr);
    return rg_buf_detach(&b);
}

#define EXPECT(call, want)                                                                                        \
    do {                                                                                                          \
        char *got_ = (call);                                                                                      \
        assert_string_equal(got_, want);                                                                          \
        free(got_);                                                                                               \
    } while (0)

static void test_header_text(void **state)
{
    (void)state;
    EXPECT(text("Fatura vencida"), "Fatura vencida");
    EXPECT(text("linha 1\r\nBcc: x@y.test\tfim"), "linha 1  Bcc: x@y.test fim"); /* no header injection */
    EXPECT(text("A\xc3\xa7\xc3\xa3o"), "=?UTF-8?B?QcOnw6Nv?=");
    EXPECT(text("=?UTF-8?B?QQ==?="), "=?UTF-8?B?PT9VVEYtOD9CP1FRPT0/PQ==?="); /* would decode otherwise */
    /* 39 bytes per word, never inside a character: 13 x "ção" (5 bytes each) */
    char many[128] = "";
    for (int i = 0; i < 13; i++)
        rg_strlcpy(many + strlen(many), "\xc3\xa7\xc3\xa3o", sizeof many - strlen(many));
    EXPECT(text(many), "=?UTF-8?B?w6fDo2/Dp8Ojb8Onw6Nvw6fDo2/Dp8Ojb8Onw6Nvw6fDo2/Dp8Oj?=\r\n"
                       " =?UTF-8?B?b8Onw6Nvw6fDo2/Dp8Ojb8Onw6Nvw6fDo28=?=");
    /* a 4-byte character at the boundary moves to the next word */
    char emoji[64];
    memset(emoji, 'a', 37);
    rg_strlcpy(emoji + 37, "\xf0\x9f\x92\xb0", sizeof emoji - 37);
    EXPECT(text(emoji), "=?UTF-8?B?YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYQ==?=\r\n =?UTF-8?B?8J+SsA==?=");
    /* long ASCII is encoded too, so that it is folded */
    char *longv = malloc(1001);
    memset(longv, 'x', 1000);
    longv[1000] = '\0';
    char *enc = text(longv);
    assert_int_equal(strlen(enc), 25 * 64 + 48 + 25 * 3); /* 25 words of 39 bytes, one of 25, 25 folds */
    free(enc);
    free(longv);

    EXPECT(mailbox("", "a@b.test"), "a@b.test");
    EXPECT(mailbox("Exemplo Ltda", "a@b.test"), "Exemplo Ltda <a@b.test>");
    EXPECT(mailbox("Exemplo, Ltda. \"X\"", "a@b.test"), "\"Exemplo, Ltda. \\\"X\\\"\" <a@b.test>");
    EXPECT(mailbox(" lead", "a@b.test"), "\" lead\" <a@b.test>");
    EXPECT(mailbox("Jos\xc3\xa9", "a@b.test"), "=?UTF-8?B?Sm9zw6k=?= <a@b.test>");
    EXPECT(mailbox("a=?b", "a@b.test"), "=?UTF-8?B?YT0/Yg==?= <a@b.test>");
}

static void test_date_and_message_id(void **state)
{
    (void)state;
    char d[40];
    assert_string_equal(rg_mail_date(0, d, sizeof d), "Thu, 01 Jan 1970 00:00:00 +0000");
    assert_string_equal(rg_mail_date(rg_instant_from_civil(rg_date_from_ymd(2028, 2, 29), 23, 59, 59), d, sizeof d),
                        "Tue, 29 Feb 2028 23:59:59 +0000");
    assert_string_equal(rg_mail_date(rg_instant_from_civil(rg_date_from_ymd(2026, 12, 10), 9, 5, 0), d, sizeof d),
                        "Thu, 10 Dec 2026 09:05:00 +0000");

    rg_buf b = RG_BUF_INIT;
    rg_mail_message_id(&b, 42, "k1", "exemplo.com.br");
    unsigned char h[8];
    char hex[17], want[96];
    crypto_generichash(h, sizeof h, (const unsigned char *)"k1", 2, NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(want, sizeof want, "<regua-42-%s@exemplo.com.br>", hex);
    assert_string_equal(b.p, want);
    rg_buf_reset(&b);
    rg_mail_message_id(&b, 42, "k1", "exemplo.com.br");
    assert_string_equal(b.p, want); /* stable */
    rg_buf_reset(&b);
    rg_mail_message_id(&b, 42, "k2", "exemplo.com.br");
    assert_string_not_equal(b.p, want);
    rg_buf_free(&b);
}

static char *crlf(const char *s)
{
    rg_buf b = RG_BUF_INIT;
    rg_mail_crlf(&b, s, strlen(s));
    return b.p ? rg_buf_detach(&b) : rg_strdup("");
}

static char *to_html(const char *s)
{
    rg_buf b = RG_BUF_INIT;
    rg_mail_text_to_html(&b, s, strlen(s));
    return rg_buf_detach(&b);
}

#define HEAD "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n"
#define TAIL "</body></html>\n"

static void test_crlf_and_text_to_html(void **state)
{
    (void)state;
    EXPECT(crlf(""), "");
    EXPECT(crlf("a\nb\r\nc\rd\n\ne"), "a\r\nb\r\nc\r\nd\r\n\r\ne");
    EXPECT(crlf("\r\n\r"), "\r\n\r\n");

    EXPECT(to_html(""), HEAD TAIL);
    EXPECT(to_html("a\r\nb\rc\n\n\n d <e> & 'f' \"g\""),
           HEAD "<p>a<br>\nb<br>\nc</p>\n<p> d &lt;e&gt; &amp; &#39;f&#39; &quot;g&quot;</p>\n" TAIL);
    EXPECT(to_html("Veja https://x.test/a_(b)). Ou (https://y.test/p?a=1&b=2). http://z.test, fim"),
           HEAD "<p>Veja <a href=\"https://x.test/a_(b)\">https://x.test/a_(b)</a>). Ou (<a "
                "href=\"https://y.test/p?a=1&amp;b=2\">https://y.test/p?a=1&amp;b=2</a>). <a "
                "href=\"http://z.test\">http://z.test</a>, fim</p>\n" TAIL);
    EXPECT(to_html("xhttp://no.test HTTPS://YES.TEST http:// https://\"q\""),
           HEAD "<p>xhttp://no.test <a href=\"HTTPS://YES.TEST\">HTTPS://YES.TEST</a> http:// "
                "https://&quot;q&quot;</p>\n" TAIL);
}

static char *tok(const char *kind, const char *payload)
{
    rg_buf b = RG_BUF_INIT;
    assert_int_equal(rg_token_sign(SECRET, kind, payload, strlen(payload), &b, NULL), RG_OK);
    return rg_buf_detach(&b);
}

static char *track(const char *html)
{
    rg_buf b = RG_BUF_INIT;
    rg_mail_tracking t = {"https://r.test/", SECRET, 9};
    rg_err e;
    assert_int_equal(rg_mail_track_html(&b, html, strlen(html), &t, &e), RG_OK);
    return rg_buf_detach(&b);
}

static void test_list_unsubscribe(void **state)
{
    (void)state;
    rg_buf b = RG_BUF_INIT;
    bool oc = true;
    /* neither: nothing */
    rg_mail_list_unsubscribe(&b, NULL, NULL, NULL, &oc);
    assert_int_equal(b.len, 0);
    assert_false(oc);
    rg_mail_list_unsubscribe(&b, "", "https://x.test", NULL, &oc); /* a URL needs its token */
    assert_int_equal(b.len, 0);
    assert_false(oc);
    /* mailto alone, with and without a token */
    rg_mail_list_unsubscribe(&b, "sair@exemplo.com.br", NULL, NULL, &oc);
    assert_string_equal(rg_buf_cstr(&b), "<mailto:sair@exemplo.com.br?subject=unsubscribe>");
    assert_false(oc);
    rg_buf_reset(&b);
    rg_mail_list_unsubscribe(&b, "sair@exemplo.com.br", NULL, "TOK", &oc);
    assert_string_equal(rg_buf_cstr(&b), "<mailto:sair@exemplo.com.br?subject=unsubscribe-TOK>");
    assert_false(oc);
    /* the URL: one-click only for https; trailing slashes dropped */
    rg_buf_reset(&b);
    rg_mail_list_unsubscribe(&b, NULL, "http://127.0.0.1:8080//", "TOK", &oc);
    assert_string_equal(rg_buf_cstr(&b), "<http://127.0.0.1:8080/u/TOK>");
    assert_false(oc);
    rg_buf_reset(&b);
    rg_mail_list_unsubscribe(&b, "sair@exemplo.com.br", "HTTPS://cobranca.exemplo.com.br/", "TOK", &oc);
    assert_string_equal(rg_buf_cstr(&b),
                        "<mailto:sair@exemplo.com.br?subject=unsubscribe-TOK>, <HTTPS://cobranca.exemplo.com.br/u/TOK>");
    assert_true(oc);
    rg_buf_reset(&b);
    rg_mail_list_unsubscribe(&b, NULL, "https://c.test", "T", NULL); /* one_click may be NULL */
    assert_string_equal(rg_buf_cstr(&b), "<https://c.test/u/T>");
    rg_buf_free(&b);
}

static void test_tracking(void **state)
{
    (void)state;
    char *o = tok("o", "9");
    char pixel[160], want[4096];
    snprintf(pixel, sizeof pixel, "<img src=\"https://r.test/t/o/%s.gif\" width=\"1\" height=\"1\" alt=\"\">", o);

    /* no </body>: the pixel goes at the end */
    snprintf(want, sizeof want, "<p>x</p>%s", pixel);
    EXPECT(track("<p>x</p>"), want);
    snprintf(want, sizeof want, "%s", pixel);
    EXPECT(track(""), want);

    /* the last </body> (any case); comments and scripts untouched; unquoted values */
    char *a = tok("c", "9|http://a.test/x");
    snprintf(want, sizeof want,
             "<a href=\"https://r.test/t/c/%s\">y</a><!-- <a href=\"http://c.test\"> --></BODY>"
             "<script>var s='<a href=\"http://d.test\">';</script>%s</body >",
             a, pixel);
    EXPECT(track("<a href=http://a.test/x>y</a><!-- <a href=\"http://c.test\"> --></BODY>"
                 "<script>var s='<a href=\"http://d.test\">';</script></body >"),
           want);
    free(a);

    /* entities decoded and spaces trimmed before signing; only a/area href;
     * already-tracked links, non-http(s), empty and bare-scheme values kept */
    char *b = tok("c", "9|https://b.test/ab&c"), *up = tok("c", "9|HTTPS://UP.TEST"),
         *map = tok("c", "9|http://map.test"), *u = tok("c", "9|https://r.test/u/x"),
         *ent = tok("c", "9|https://e.test/?q=\xc3\xa7=&#0;&#xD800;&bogus;");
    snprintf(want, sizeof want,
             "<a data-href=\"http://a.test\" href=\"https://r.test/t/c/%s\" >x</a>"
             "<a href=\"https://r.test/t/c/abc\">t</a><a href>z</a><a href=\"https://r.test/t/c/%s\">u</a>"
             "<a href=\"http://\">e</a><a href=\"https://r.test/t/c/%s\">e</a>"
             "<area href=\"https://r.test/t/c/%s\"><link href=\"http://css.test\">"
             "<img src=\"http://img.test/a.png\"><a href=\"mailto:a@b.test\">m</a><a href=\"#top\">t</a>"
             "<a href=\"https://r.test/t/c/%s\">n</a>%s",
             b, u, up, map, ent, pixel);
    EXPECT(track("<a data-href=\"http://a.test\" href = ' https://b.test/&#97;&#x62;&amp;c ' >x</a>"
                 "<a href=\"https://r.test/t/c/abc\">t</a><a href>z</a><a href=\"https://r.test/u/x\">u</a>"
                 "<a href=\"http://\">e</a><a href=\"HTTPS://UP.TEST\">e</a>"
                 "<area href=\"http://map.test\"><link href=\"http://css.test\">"
                 "<img src=\"http://img.test/a.png\"><a href=\"mailto:a@b.test\">m</a><a href=\"#top\">t</a>"
                 "<a href=\"https://e.test/?q=&#xE7;&#x3d;&#0;&#xD800;&bogus;\">n</a>"),
           want);

    /* odd markup: '/' between attributes, a lone '=', an unterminated value,
     * control characters in the URL (left alone), a '<' that is no tag */
    char *x = tok("c", "9|http://x.test"), *y = tok("c", "9|http://y.test");
    snprintf(want, sizeof want,
             "1 < 2 <3 <a href=\"http://a.test/\tx\">tab</a><a = href=\"https://r.test/t/c/%s\">w</a>"
             "<a/href=\"https://r.test/t/c/%s\">s</a><a href=\"http://trunc%s",
             x, y, pixel);
    EXPECT(track("1 < 2 <3 <a href=\"http://a.test/\tx\">tab</a><a = href=\"http://x.test\">w</a>"
                 "<a/href=\"http://y.test\">s</a><a href=\"http://trunc"),
           want);

    /* a URL longer than RG_MAIL_TRACK_URL_MAX stays as it is */
    char *big = malloc(RG_MAIL_TRACK_URL_MAX + 64);
    snprintf(big, RG_MAIL_TRACK_URL_MAX + 64, "<a href=\"https://l.test/");
    size_t n = strlen(big);
    memset(big + n, 'q', RG_MAIL_TRACK_URL_MAX);
    rg_strlcpy(big + n + RG_MAIL_TRACK_URL_MAX - 14, "\">l</a>", 16); /* a URL of MAX + 1 */
    char *got = track(big);
    assert_int_equal(strncmp(got, big, strlen(big)), 0);
    assert_string_equal(got + strlen(big), pixel);
    free(got);
    free(big);

    /* every click token verifies and carries the original URL */
    char payload[256];
    rg_err e;
    assert_int_equal(rg_token_verify(SECRET, "c", ent, strlen(ent), payload, sizeof payload, &e), RG_OK);
    assert_string_equal(payload, "9|https://e.test/?q=\xc3\xa7=&#0;&#xD800;&bogus;");

    /* no secret: an error, nothing half-written is relied on */
    rg_buf out = RG_BUF_INIT;
    rg_mail_tracking t = {"https://r.test", NULL, 9};
    assert_int_equal(rg_mail_track_html(&out, "<a href=\"http://a.test\">", 24, &t, &e), RG_EUSAGE);
    assert_string_equal(e.msg, "no token secret configured");
    rg_buf_free(&out);
    free(o);
    free(b);
    free(up);
    free(map);
    free(u);
    free(ent);
    free(x);
    free(y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addresses),         cmocka_unit_test(test_parse_mailbox),
        cmocka_unit_test(test_header_text),       cmocka_unit_test(test_date_and_message_id),
        cmocka_unit_test(test_crlf_and_text_to_html), cmocka_unit_test(test_tracking),
        cmocka_unit_test(test_list_unsubscribe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
