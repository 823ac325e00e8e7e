/*
 * libFuzzer harness for channel/mail: header text and mailboxes never carry
 * a bare CR or LF (no header injection) and keep lines under 998 bytes; a
 * parsed mailbox re-encodes to the same name and address; CRLF
 * normalisation leaves no lone CR or LF; text -> HTML and tracking accept
 * anything and always add the open pixel.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "channel/mail.h"
#include "service/token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_header(const rg_buf *b)
{
    size_t line = 0;
    for (size_t i = 0; i < b->len; i++) {
        char c = b->p[i];
        if (c == '\r') {
            if (i + 2 >= b->len || b->p[i + 1] != '\n' || b->p[i + 2] != ' ')
                abort();
            i++;
            line = 0;
        } else if (c == '\n' || ++line > 998) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    size_t n = strlen(s);
    rg_buf b = RG_BUF_INIT;

    rg_mail_put_text(&b, s);
    check_header(&b);
    rg_buf_reset(&b);
    rg_mail_put_mailbox(&b, s, "a@b.test");
    check_header(&b);
    rg_buf_reset(&b);

    char name[RG_MAIL_NAME_MAX + 1], addr[RG_MAIL_ADDR_MAX + 1];
    rg_err e;
    if (rg_mail_parse_mailbox(s, "from", name, addr, &e) == RG_OK) {
        if (!rg_mail_addr_valid(addr))
            abort();
        rg_mail_put_mailbox(&b, name, addr);
        check_header(&b);
        bool ascii = true;
        for (const char *p = name; *p; p++)
            ascii &= (unsigned char)*p < 0x80;
        char name2[RG_MAIL_NAME_MAX + 1], addr2[RG_MAIL_ADDR_MAX + 1];
        if (ascii && !strstr(name, "=?") &&
            (rg_mail_parse_mailbox(rg_buf_cstr(&b), "x", name2, addr2, &e) != RG_OK || strcmp(addr, addr2) ||
             strcmp(name, name2)))
            abort();
        rg_buf_reset(&b);
    } else if (name[0] || addr[0] || !e.msg[0]) {
        abort();
    }

    rg_mail_crlf(&b, (const char *)data, size);
    for (size_t i = 0; i < b.len; i++)
        if ((b.p[i] == '\r' && (i + 1 == b.len || b.p[i + 1] != '\n')) ||
            (b.p[i] == '\n' && (i == 0 || b.p[i - 1] != '\r')))
            abort();
    rg_buf_reset(&b);

    rg_mail_text_to_html(&b, (const char *)data, size);
    rg_buf_reset(&b);

    rg_mail_tracking t = {"https://r.test", "fuzz-secret-0123456789", 7};
    if (rg_mail_track_html(&b, s, n, &t, &e) != RG_OK || b.oom)
        abort();
    rg_buf pixel = RG_BUF_INIT;
    rg_buf_puts(&pixel, "<img src=\"https://r.test/t/o/");
    if (rg_token_sign(t.secret, "o", "7", 1, &pixel, &e) != RG_OK)
        abort();
    rg_buf_puts(&pixel, ".gif\" width=\"1\" height=\"1\" alt=\"\">");
    if (!strstr(rg_buf_cstr(&b), rg_buf_cstr(&pixel)))
        abort();
    rg_buf_free(&pixel);
    rg_buf_free(&b);
    free(s);
    return 0;
}
