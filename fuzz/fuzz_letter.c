/*
 * libFuzzer harness for the letter layout (channel/letter_pdf): any text —
 * the first line is the subject, the rest the body, the recipient's name
 * taken from the second line — must lay out without crashing, on at least
 * one page, into a fresh libharu document.
 */
#include <hpdf.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "channel/letter_pdf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 20000)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char *body = strchr(text, '\n');
    if (body)
        *body++ = '\0';
    else
        body = text + strlen(text);
    char name[128];
    size_t n = strcspn(body, "\n");
    if (n >= sizeof name)
        n = sizeof name - 1;
    memcpy(name, body, n);
    name[n] = '\0';
    rg_letter l;
    memset(&l, 0, sizeof l);
    l.reference = text;
    l.date = (rg_date)(size % 40000);
    l.sender[0] = text;
    l.sender[1] = name;
    l.n_sender = 2;
    l.return_line = name;
    l.recipient[0] = name[0] ? name : "x";
    l.recipient[1] = text;
    l.n_recipient = 2;
    l.subject = text;
    l.body = body;
    HPDF_Doc doc;
    rg_err e;
    if (rg_boleto_pdf_new_doc(&doc, &e) == RG_OK) {
        int pages = 0;
        if (rg_letter_pdf_add(doc, &l, &pages, &e) != RG_OK || pages < 1)
            abort();
        HPDF_Free(doc);
    }
    free(text);
    return 0;
}
