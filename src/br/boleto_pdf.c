#include "br/boleto_pdf.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "br/qr.h"

/* ---- text: UTF-8 -> CP1252 ---- */

/* CP1252 bytes 0x80..0x9F and the code points they stand for (0 = unused). */
static const unsigned short cp1252_high[32] = {
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
    0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E,
    0x0178,
};

static unsigned char to_cp1252(unsigned cp)
{
    if (cp < 0x20 || cp == 0x7f)
        return ' ';
    if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF))
        return (unsigned char)cp;
    for (unsigned i = 0; i < 32; i++)
        if (cp1252_high[i] && cp1252_high[i] == cp)
            return (unsigned char)(0x80 + i);
    return '?';
}

/* Decodes one UTF-8 sequence at s; returns its length (>= 1) and the code
 * point in *cp, or 0xFFFD for an invalid sequence (length 1 then). */
static size_t utf8_next(const unsigned char *s, unsigned *cp)
{
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        min = 0x80;
        c &= 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        min = 0x800;
        c &= 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        min = 0x10000;
        c &= 0x07;
    } else {
        *cp = 0xFFFD;
        return 1;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = c;
    return n;
}

char *rg_boleto_pdf_cp1252(const char *utf8, char *out, size_t cap)
{
    if (!out || cap == 0)
        return out;
    size_t k = 0;
    const unsigned char *s = (const unsigned char *)(utf8 ? utf8 : "");
    while (*s && k + 1 < cap) {
        unsigned cp;
        s += utf8_next(s, &cp);
        out[k++] = (char)to_cp1252(cp);
    }
    out[k] = '\0';
    return out;
}

/* ---- bank check digit ---- */

typedef struct bank_dv {
    char code[4];
    char dv;
} bank_dv;

/* COMPE check digits as banks print them; they do not all follow one rule
 * (104 prints 0 where modulo 11 gives 10, 748 prints X). */
static const bank_dv bank_dvs[] = {
    {"001", '9'}, {"033", '7'}, {"041", '8'}, {"070", '1'}, {"077", '9'}, {"104", '0'}, {"136", '8'},
    {"212", '7'}, {"237", '2'}, {"260", '7'}, {"341", '7'}, {"399", '9'}, {"422", '7'}, {"745", '5'},
    {"748", 'X'}, {"756", '0'},
};

char rg_boleto_pdf_bank_dv(const char *code)
{
    if (!code || strlen(code) != 3)
        return '\0';
    for (int i = 0; i < 3; i++)
        if (code[i] < '0' || code[i] > '9')
            return '\0';
    for (size_t i = 0; i < sizeof bank_dvs / sizeof bank_dvs[0]; i++)
        if (memcmp(bank_dvs[i].code, code, 3) == 0)
            return bank_dvs[i].dv;
    int sum = (code[2] - '0') * 2 + (code[1] - '0') * 3 + (code[0] - '0') * 4;
    int d = 11 - sum % 11;
    if (d == 11)
        return '0';
    if (d == 10)
        return 'X';
    return (char)('0' + d);
}

/* ---- ITF ---- */

/* Wide (1) / narrow (0) for the five elements of each digit. */
static const char itf_patterns[10][6] = {
    "00110", "10001", "01001", "11000", "00101", "10100", "01100", "00011", "10010", "01010",
};

size_t rg_boleto_pdf_itf(const char *digits, size_t n, unsigned char *widths, size_t cap)
{
    if (!digits || n % 2 != 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (digits[i] < '0' || digits[i] > '9')
            return 0;
    size_t total = 4 + 5 * n + 3;
    size_t k = 0;
#define EMIT(w)                                                                                                   \
    do {                                                                                                          \
        if (widths && k < cap)                                                                                    \
            widths[k] = (unsigned char)(w);                                                                       \
        k++;                                                                                                      \
    } while (0)
    for (int i = 0; i < 4; i++)
        EMIT(1);
    for (size_t i = 0; i < n; i += 2) {
        const char *bars = itf_patterns[digits[i] - '0'];
        const char *spaces = itf_patterns[digits[i + 1] - '0'];
        for (int j = 0; j < 5; j++) {
            EMIT(bars[j] == '1' ? 3 : 1);
            EMIT(spaces[j] == '1' ? 3 : 1);
        }
    }
    EMIT(3);
    EMIT(1);
    EMIT(1);
#undef EMIT
    return total;
}

/* ---- drawing ---- */

#define MM(x) ((float)(x) * 72.0f / 25.4f)
#define PAGE_W 595.276f
#define PAGE_H 841.89f
#define LEFT 30.0f
#define WIDTH 535.0f
#define RIGHT_COL 130.0f
#define ROW 22.0f
#define ITF_NARROW MM(0.254)
#define ITF_HEIGHT MM(13)

typedef struct pen {
    HPDF_Page page;
    HPDF_Font reg;
    HPDF_Font bold;
} pen;

static float pdf_y(float top)
{
    return PAGE_H - top;
}

/* Writes CP1252 text truncated with "..." to fit max_w; align 0 left,
 * 1 right (x is then the right edge), 2 centred (x is the centre). */
static void text(const pen *p, HPDF_Font font, float size, float x, float baseline, const char *utf8, float max_w,
                 int align)
{
    char s[512];
    rg_boleto_pdf_cp1252(utf8, s, sizeof s);
    HPDF_Page_SetFontAndSize(p->page, font, size);
    size_t n = strlen(s);
    float w = HPDF_Page_TextWidth(p->page, s);
    if (max_w > 0 && w > max_w) {
        while (n > 0) {
            n--;
            if (n + 4 > sizeof s)
                continue;
            memcpy(s + n, "...", 4);
            w = HPDF_Page_TextWidth(p->page, s);
            if (w <= max_w)
                break;
        }
    }
    float tx = align == 1 ? x - w : align == 2 ? x - w / 2 : x;
    HPDF_Page_BeginText(p->page);
    HPDF_Page_TextOut(p->page, tx, pdf_y(baseline), s);
    HPDF_Page_EndText(p->page);
}

static void hline(const pen *p, float x0, float x1, float top, float width)
{
    HPDF_Page_SetLineWidth(p->page, width);
    HPDF_Page_MoveTo(p->page, x0, pdf_y(top));
    HPDF_Page_LineTo(p->page, x1, pdf_y(top));
    HPDF_Page_Stroke(p->page);
}

static void vline(const pen *p, float x, float top0, float top1, float width)
{
    HPDF_Page_SetLineWidth(p->page, width);
    HPDF_Page_MoveTo(p->page, x, pdf_y(top0));
    HPDF_Page_LineTo(p->page, x, pdf_y(top1));
    HPDF_Page_Stroke(p->page);
}

/* A labelled box: small label at its top-left, the value on its last line. */
static void cell(const pen *p, float x, float top, float w, float h, const char *label, const char *value, bool bold,
                 bool right)
{
    HPDF_Page_SetLineWidth(p->page, 0.5f);
    HPDF_Page_Rectangle(p->page, x, pdf_y(top + h), w, h);
    HPDF_Page_Stroke(p->page);
    text(p, p->reg, 5.5f, x + 2, top + 7, label, w - 4, 0);
    if (value && value[0]) {
        if (right)
            text(p, bold ? p->bold : p->reg, 9, x + w - 3, top + h - 4.5f, value, w - 6, 1);
        else
            text(p, bold ? p->bold : p->reg, 9, x + 3, top + h - 4.5f, value, w - 6, 0);
    }
}

/* The header line of each part: bank name | code-dv | right text. */
static void bank_header(const pen *p, float top, const char *bank_name, const char *code_dv, const char *right)
{
    text(p, p->bold, 10, LEFT + 2, top + 16, bank_name, 124, 0);
    vline(p, LEFT + 130, top + 4, top + 22, 1.5f);
    vline(p, LEFT + 180, top + 4, top + 22, 1.5f);
    text(p, p->bold, 14, LEFT + 155, top + 17, code_dv, 48, 2);
    text(p, p->bold, 10.5f, LEFT + WIDTH - 2, top + 16.5f, right, WIDTH - 186, 1);
    hline(p, LEFT, LEFT + WIDTH, top + 22, 1.5f);
}

/* "1.234,56" (the boleto prints amounts without "R$"); blank for 0. */
static const char *money(rg_cents v, char *buf, size_t n)
{
    char tmp[40];
    buf[0] = '\0';
    if (v == 0)
        return buf;
    rg_money_format_brl(v, tmp, sizeof tmp);
    if (strncmp(tmp, "R$ ", 3) == 0)
        snprintf(buf, n, "%s", tmp + 3);
    else if (strncmp(tmp, "-R$ ", 4) == 0)
        snprintf(buf, n, "-%s", tmp + 4);
    else
        snprintf(buf, n, "%s", tmp);
    return buf;
}

static const char *date_br(rg_date d, char *buf, size_t n)
{
    if (d == RG_DATE_NONE) {
        buf[0] = '\0';
        return buf;
    }
    return rg_date_format_br(d, buf, n);
}

static const char *nz(const char *s, const char *dflt)
{
    return s && s[0] ? s : dflt;
}

/* The ITF barcode with its left edge at x and its top at top. */
static void barcode(const pen *p, float x, float top, const unsigned char *w, size_t n)
{
    float cx = x;
    for (size_t i = 0; i < n; i++) {
        float ew = (float)w[i] * ITF_NARROW;
        if (i % 2 == 0)
            HPDF_Page_Rectangle(p->page, cx, pdf_y(top + ITF_HEIGHT), ew, ITF_HEIGHT);
        cx += ew;
    }
    HPDF_Page_Fill(p->page);
}

/* The QR code as filled squares (runs of dark modules merged per row),
 * `size` points wide including its quiet zone, top-left at (x, top). */
static void qr_draw(const pen *p, const rg_qr *q, float x, float top, float size)
{
    float m = size / (float)(q->width + 2 * RG_QR_QUIET);
    for (int y = 0; y < q->width; y++) {
        int xs = 0;
        while (xs < q->width) {
            if (!rg_qr_dark(q, xs, y)) {
                xs++;
                continue;
            }
            int xe = xs;
            while (xe < q->width && rg_qr_dark(q, xe, y))
                xe++;
            float rx = x + (float)(xs + RG_QR_QUIET) * m;
            float ry = top + (float)(y + RG_QR_QUIET) * m;
            HPDF_Page_Rectangle(p->page, rx, pdf_y(ry + m), (float)(xe - xs) * m, m);
            xs = xe;
        }
    }
    HPDF_Page_Fill(p->page);
}

/* Breaks s into lines of at most max_w points at font/size; each line into
 * lines[i] (cap bytes each, CP1252 already). Returns the number of lines. */
static int wrap_chars(const pen *p, HPDF_Font font, float size, const char *utf8, float max_w, char lines[][96],
                      int max_lines)
{
    char s[1024];
    rg_boleto_pdf_cp1252(utf8, s, sizeof s);
    HPDF_Page_SetFontAndSize(p->page, font, size);
    int nl = 0;
    const char *c = s;
    while (*c && nl < max_lines) {
        size_t len = strlen(c);
        size_t take = len < 95 ? len : 95;
        char tmp[96];
        for (;;) {
            memcpy(tmp, c, take);
            tmp[take] = '\0';
            if (take <= 1 || HPDF_Page_TextWidth(p->page, tmp) <= max_w)
                break;
            take--;
        }
        memcpy(lines[nl], tmp, take + 1);
        nl++;
        c += take;
    }
    return nl;
}

/* Writes already-CP1252 text (no conversion). */
static void raw_text(const pen *p, HPDF_Font font, float size, float x, float baseline, const char *s)
{
    HPDF_Page_SetFontAndSize(p->page, font, size);
    HPDF_Page_BeginText(p->page);
    HPDF_Page_TextOut(p->page, x, pdf_y(baseline), s);
    HPDF_Page_EndText(p->page);
}

/* ---- validation ---- */

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* The 47 digits of a linha digitável written with or without '.' and ' '. */
static bool linha_digits(const char *s, char out[48])
{
    size_t k = 0;
    for (; *s; s++) {
        if (*s == '.' || *s == ' ')
            continue;
        if (*s < '0' || *s > '9' || k == 47)
            return false;
        out[k++] = *s;
    }
    out[k] = '\0';
    return k == 47;
}

static rg_status validate(const rg_boleto_pdf *b, char linha[48], rg_err *e)
{
    if (!b->bank_code || strlen(b->bank_code) != 3 || !all_digits(b->bank_code, 3))
        return rg_err_set(e, RG_EINVAL, "boleto_pdf: bank_code", "expected three digits, found \"%s\"",
                          b->bank_code ? b->bank_code : "");
    if (!b->barcode || strlen(b->barcode) != 44 || !all_digits(b->barcode, 44))
        return rg_err_set(e, RG_EINVAL, "boleto_pdf: barcode", "expected 44 digits, found \"%.60s\"",
                          b->barcode ? b->barcode : "");
    if (!b->linha_digitavel || !linha_digits(b->linha_digitavel, linha))
        return rg_err_set(e, RG_EINVAL, "boleto_pdf: linha_digitavel",
                          "expected 47 digits (dots and spaces allowed), found \"%.80s\"",
                          b->linha_digitavel ? b->linha_digitavel : "");
    /* barcode = bank+moeda (linha 1-4), DV (33), fator+valor (34-47),
     * campo livre (linha 5-9, 11-20, 22-31). */
    char rebuilt[45];
    memcpy(rebuilt, linha, 4);
    rebuilt[4] = linha[32];
    memcpy(rebuilt + 5, linha + 33, 14);
    memcpy(rebuilt + 19, linha + 4, 5);
    memcpy(rebuilt + 24, linha + 10, 10);
    memcpy(rebuilt + 34, linha + 21, 10);
    rebuilt[44] = '\0';
    if (memcmp(rebuilt, b->barcode, 44) != 0)
        return rg_err_set(e, RG_EINVAL, "boleto_pdf: linha_digitavel",
                          "does not match the barcode: the linha gives %s, the barcode is %s", rebuilt, b->barcode);
    if (memcmp(b->barcode, b->bank_code, 3) != 0)
        return rg_err_set(e, RG_EINVAL, "boleto_pdf: bank_code", "is %s but the barcode starts with %.3s",
                          b->bank_code, b->barcode);
    if (b->due_date == RG_DATE_NONE)
        return rg_err_set(e, RG_EINVAL, "boleto_pdf: due_date", "a boleto needs a vencimento");
    return RG_OK;
}

/* ---- the page ---- */

static rg_status libharu_status(HPDF_Doc doc, rg_err *e, const char *what)
{
    HPDF_STATUS err = HPDF_GetError(doc);
    if (err == HPDF_OK)
        return RG_OK;
    unsigned long detail = (unsigned long)HPDF_GetErrorDetail(doc);
    HPDF_ResetError(doc);
    return rg_err_set(e, RG_EINTERNAL, "boleto_pdf", "libharu failed %s: error 0x%04lX, detail %lu", what,
                      (unsigned long)err, detail);
}

rg_status rg_boleto_pdf_new_doc(HPDF_Doc *out, rg_err *e)
{
    if (!out)
        return rg_err_set(e, RG_EINTERNAL, "boleto_pdf", "rg_boleto_pdf_new_doc: NULL argument");
    *out = HPDF_New(NULL, NULL);
    if (!*out)
        return rg_err_set(e, RG_ENOMEM, "boleto_pdf", "libharu could not create a document");
    if (HPDF_SetCompressionMode(*out, HPDF_COMP_ALL) != HPDF_OK) {
        HPDF_Free(*out);
        *out = NULL;
        return rg_err_set(e, RG_EINTERNAL, "boleto_pdf", "libharu: cannot enable compression");
    }
    return RG_OK;
}

rg_status rg_boleto_pdf_add_page(HPDF_Doc doc, const rg_boleto_pdf *b, rg_err *e)
{
    rg_status st = RG_OK;
    rg_qr qr = {0};
    char linha[48];
    if (!doc || !b)
        return rg_err_set(e, RG_EINTERNAL, "boleto_pdf", "rg_boleto_pdf_add_page: NULL argument");
    st = validate(b, linha, e);
    if (st != RG_OK)
        return st;
    bool hibrido = b->pix_copia_cola && b->pix_copia_cola[0];
    if (hibrido) {
        st = rg_qr_encode(b->pix_copia_cola, &qr, e);
        if (st != RG_OK) {
            rg_err_prefix(e, "boleto_pdf: pix_copia_cola");
            return st;
        }
    }

    unsigned char bars[4 + 5 * 44 + 3];
    size_t nbars = rg_boleto_pdf_itf(b->barcode, 44, bars, sizeof bars);

    pen p = {0};
    p.page = HPDF_AddPage(doc);
    p.reg = HPDF_GetFont(doc, "Helvetica", "WinAnsiEncoding");
    p.bold = HPDF_GetFont(doc, "Helvetica-Bold", "WinAnsiEncoding");
    if (!p.page || !p.reg || !p.bold) {
        st = libharu_status(doc, e, "adding a page");
        if (st == RG_OK)
            st = rg_err_set(e, RG_EINTERNAL, "boleto_pdf", "libharu failed adding a page");
        goto out;
    }
    HPDF_Page_SetSize(p.page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    HPDF_Page_SetRGBStroke(p.page, 0, 0, 0);
    HPDF_Page_SetRGBFill(p.page, 0, 0, 0);

    char code_dv[8], fmt_linha[64], bank_name[64], due[16], docdate[16], procdate[16];
    char v_doc[32], v_desc[32], v_mora[32], v_cobr[32], pag[400], ben[400];
    snprintf(code_dv, sizeof code_dv, "%s-%c", b->bank_code, rg_boleto_pdf_bank_dv(b->bank_code));
    snprintf(fmt_linha, sizeof fmt_linha, "%.5s.%.5s %.5s.%.6s %.5s.%.6s %c %.14s", linha, linha + 5, linha + 10,
             linha + 15, linha + 21, linha + 26, linha[32], linha + 33);
    snprintf(bank_name, sizeof bank_name, "Banco %s", b->bank_code);
    const char *bname = nz(b->bank_name, bank_name);
    date_br(b->due_date, due, sizeof due);
    date_br(b->document_date, docdate, sizeof docdate);
    date_br(b->processing_date, procdate, sizeof procdate);
    money(b->valor_documento, v_doc, sizeof v_doc);
    money(b->desconto, v_desc, sizeof v_desc);
    money(b->mora_multa, v_mora, sizeof v_mora);
    money(b->valor_cobrado, v_cobr, sizeof v_cobr);
    snprintf(pag, sizeof pag, "%s%s%s", nz(b->pagador_nome, ""), b->pagador_doc && b->pagador_doc[0] ? " - CPF/CNPJ: " : "",
             nz(b->pagador_doc, ""));
    snprintf(ben, sizeof ben, "%s%s%s", nz(b->beneficiario_nome, ""),
             b->beneficiario_doc && b->beneficiario_doc[0] ? " - CPF/CNPJ: " : "", nz(b->beneficiario_doc, ""));
    const float L = LEFT, W = WIDTH, LW = WIDTH - RIGHT_COL, RX = LEFT + WIDTH - RIGHT_COL;

    /* ---------------- recibo do pagador ---------------- */
    float top = 30;
    bank_header(&p, top, bname, code_dv, fmt_linha);
    top += 22;
    cell(&p, L, top, LW, ROW, "Beneficiário", ben, false, false);
    cell(&p, RX, top, RIGHT_COL, ROW, "Vencimento", due, true, true);
    top += ROW;
    cell(&p, L, top, 150, ROW, "Agência / Código do Beneficiário", b->agencia_codigo, false, false);
    cell(&p, L + 150, top, 125, ROW, "Nosso Número", b->nosso_numero, false, false);
    cell(&p, L + 275, top, LW - 275, ROW, "Nº do Documento", b->numero_documento, false, false);
    cell(&p, RX, top, RIGHT_COL, ROW, "(=) Valor do Documento", v_doc, true, true);
    top += ROW;
    cell(&p, L, top, 100, ROW, "Data do Documento", docdate, false, false);
    cell(&p, L + 100, top, 100, ROW, "(-) Desconto / Abatimento", v_desc, false, true);
    cell(&p, L + 200, top, 100, ROW, "(+) Mora / Multa", v_mora, false, true);
    cell(&p, L + 300, top, LW - 300, ROW, "Espécie", "R$", false, false);
    cell(&p, RX, top, RIGHT_COL, ROW, "(=) Valor Cobrado", v_cobr, true, true);
    top += ROW;
    cell(&p, L, top, W, ROW, "Pagador", pag, false, false);
    top += ROW;
    text(&p, p.reg, 6, L + W, top + 8, "Autenticação mecânica - Recibo do Pagador", 0, 1);
    if (hibrido) {
        const float qs = 100;
        qr_draw(&p, &qr, L, top + 4, qs);
        text(&p, p.bold, 9, L + qs + 6, top + 24, "Pague com Pix", 0, 0);
        text(&p, p.reg, 7, L + qs + 6, top + 35,
             "Aponte a câmera do app do seu banco para o QR Code ou use o Pix Copia e Cola:", 300, 0);
        char lines[6][96];
        int nl = wrap_chars(&p, p.reg, 6, b->pix_copia_cola, 300, lines, 6);
        for (int i = 0; i < nl; i++)
            raw_text(&p, p.reg, 6, L + qs + 6, top + 45 + (float)i * 7.5f, lines[i]);
    }
    top += 112;

    /* ---------------- cut line ---------------- */
    text(&p, p.reg, 6, L + W, top - 3, "Corte na linha pontilhada", 0, 1);
    {
        HPDF_UINT16 dash[] = {3, 2};
        HPDF_Page_SetDash(p.page, dash, 2, 0);
        hline(&p, L, L + W, top, 0.5f);
        HPDF_Page_SetDash(p.page, NULL, 0, 0);
    }
    top += 16;

    /* ---------------- ficha de compensação ---------------- */
    bank_header(&p, top, bname, code_dv, fmt_linha);
    top += 22;
    cell(&p, L, top, LW, ROW, "Local de Pagamento", nz(b->local_pagamento, "Pagável em qualquer banco até o vencimento"),
         false, false);
    cell(&p, RX, top, RIGHT_COL, ROW, "Vencimento", due, true, true);
    top += ROW;
    {
        /* two lines: name and CPF/CNPJ, then the address */
        const float bh = ROW + 9;
        cell(&p, L, top, LW, bh, "Beneficiário", "", false, false);
        text(&p, p.reg, 9, L + 3, top + 16, ben, LW - 6, 0);
        text(&p, p.reg, 7.5f, L + 3, top + 26.5f, nz(b->beneficiario_endereco, ""), LW - 6, 0);
        cell(&p, RX, top, RIGHT_COL, bh, "Agência / Código do Beneficiário", b->agencia_codigo, false, true);
        top += bh;
    }
    cell(&p, L, top, 80, ROW, "Data do Documento", docdate, false, false);
    cell(&p, L + 80, top, 110, ROW, "Nº do Documento", b->numero_documento, false, false);
    cell(&p, L + 190, top, 55, ROW, "Espécie Doc.", nz(b->especie_doc, "DM"), false, false);
    cell(&p, L + 245, top, 40, ROW, "Aceite", nz(b->aceite, "N"), false, false);
    cell(&p, L + 285, top, LW - 285, ROW, "Data do Processamento", procdate, false, false);
    cell(&p, RX, top, RIGHT_COL, ROW, "Nosso Número", b->nosso_numero, false, true);
    top += ROW;
    cell(&p, L, top, 80, ROW, "Uso do Banco", "", false, false);
    cell(&p, L + 80, top, 55, ROW, "Carteira", b->carteira, false, false);
    cell(&p, L + 135, top, 55, ROW, "Espécie", "R$", false, false);
    cell(&p, L + 190, top, 100, ROW, "Quantidade", "", false, false);
    cell(&p, L + 290, top, LW - 290, ROW, "(x) Valor", "", false, false);
    cell(&p, RX, top, RIGHT_COL, ROW, "(=) Valor do Documento", v_doc, true, true);
    top += ROW;
    {
        const float ih = 5 * ROW;
        cell(&p, L, top, LW, ih, "Instruções (texto de responsabilidade do beneficiário)", "", false, false);
        if (b->instrucoes) {
            const char *s = b->instrucoes;
            for (int i = 0; i < 8 && *s; i++) {
                const char *nl = strchr(s, '\n');
                size_t n = nl ? (size_t)(nl - s) : strlen(s);
                char one[300];
                if (n >= sizeof one)
                    n = sizeof one - 1;
                memcpy(one, s, n);
                one[n] = '\0';
                text(&p, p.reg, 8, L + 3, top + 18 + (float)i * 11.5f, one, LW - 6, 0);
                s = nl ? nl + 1 : s + strlen(s);
            }
        }
        cell(&p, RX, top, RIGHT_COL, ROW, "(-) Desconto / Abatimento", v_desc, false, true);
        cell(&p, RX, top + ROW, RIGHT_COL, ROW, "(-) Outras Deduções", "", false, true);
        cell(&p, RX, top + 2 * ROW, RIGHT_COL, ROW, "(+) Mora / Multa", v_mora, false, true);
        cell(&p, RX, top + 3 * ROW, RIGHT_COL, ROW, "(+) Outros Acréscimos", "", false, true);
        cell(&p, RX, top + 4 * ROW, RIGHT_COL, ROW, "(=) Valor Cobrado", v_cobr, true, true);
        top += ih;
    }
    {
        const float ph = 46;
        cell(&p, L, top, W, ph, "Pagador", "", false, false);
        text(&p, p.reg, 8.5f, L + 3, top + 16, pag, W - 6, 0);
        text(&p, p.reg, 8.5f, L + 3, top + 26, nz(b->pagador_endereco1, ""), W - 6, 0);
        text(&p, p.reg, 8.5f, L + 3, top + 36, nz(b->pagador_endereco2, ""), W - 6, 0);
        top += ph;
        text(&p, p.reg, 6, L + 2, top + 8, "Sacador / Avalista:", 0, 0);
        text(&p, p.reg, 7, L + 62, top + 8, nz(b->sacador_avalista, ""), 300, 0);
        text(&p, p.reg, 6, L + W, top + 8, "Autenticação mecânica - Ficha de Compensação", 0, 1);
    }
    top += 14;
    /* the quiet zone: LEFT (30 pt) of white page to the left, nothing drawn
     * within 20 pt to the right or 10 pt above and below */
    barcode(&p, L, top, bars, nbars);

    st = libharu_status(doc, e, "drawing the boleto");
out:
    rg_qr_free(&qr);
    return st;
}

static rg_status render_doc(const rg_boleto_pdf *b, size_t n, HPDF_Doc *out, rg_err *e)
{
    HPDF_Doc doc = NULL;
    *out = NULL;
    if (!b || n == 0)
        return rg_err_set(e, RG_EINVAL, "boleto_pdf", "no boleto to render");
    rg_status st = rg_boleto_pdf_new_doc(&doc, e);
    if (st != RG_OK)
        return st;
    for (size_t i = 0; i < n; i++) {
        st = rg_boleto_pdf_add_page(doc, &b[i], e);
        if (st != RG_OK) {
            if (n > 1) {
                char pre[32];
                snprintf(pre, sizeof pre, "boleto %zu", i + 1);
                rg_err_prefix(e, pre);
            }
            HPDF_Free(doc);
            return st;
        }
    }
    *out = doc;
    return RG_OK;
}

rg_status rg_boleto_pdf_render(const rg_boleto_pdf *b, size_t n, rg_buf *out, rg_err *e)
{
    HPDF_Doc doc = NULL;
    if (!out)
        return rg_err_set(e, RG_EINTERNAL, "boleto_pdf", "rg_boleto_pdf_render: NULL argument");
    rg_status st = render_doc(b, n, &doc, e);
    if (st != RG_OK)
        return st;
    if (HPDF_SaveToStream(doc) != HPDF_OK) {
        st = libharu_status(doc, e, "saving the document");
        goto out;
    }
    HPDF_UINT32 size = HPDF_GetStreamSize(doc);
    if (!rg_buf_reserve(out, size)) {
        st = rg_err_set(e, RG_ENOMEM, "boleto_pdf", "out of memory");
        goto out;
    }
    HPDF_UINT32 got = size;
    HPDF_STATUS rs = HPDF_ReadFromStream(doc, (HPDF_BYTE *)out->p + out->len, &got);
    if ((rs != HPDF_OK && rs != HPDF_STREAM_EOF) || got != size) {
        st = rg_err_set(e, RG_EINTERNAL, "boleto_pdf", "libharu: read %u of %u bytes from the stream",
                        (unsigned)got, (unsigned)size);
        goto out;
    }
    out->len += got;
    out->p[out->len] = '\0';
out:
    HPDF_Free(doc);
    return st;
}

rg_status rg_boleto_pdf_write_file(const rg_boleto_pdf *b, size_t n, const char *path, rg_err *e)
{
    rg_buf pdf = RG_BUF_INIT;
    FILE *fp = NULL;
    if (!path)
        return rg_err_set(e, RG_EINTERNAL, "boleto_pdf", "rg_boleto_pdf_write_file: NULL path");
    rg_status st = rg_boleto_pdf_render(b, n, &pdf, e);
    if (st != RG_OK)
        goto out;
    fp = fopen(path, "wb");
    if (!fp) {
        st = rg_err_set(e, RG_EIO, path, "cannot create the PDF file");
        goto out;
    }
    bool wrote = fwrite(pdf.p, 1, pdf.len, fp) == pdf.len;
    bool closed = fclose(fp) == 0;
    fp = NULL;
    if (!wrote || !closed) {
        st = rg_err_set(e, RG_EIO, path, "cannot write the PDF file");
        goto out;
    }
out:
    if (fp)
        fclose(fp);
    rg_buf_free(&pdf);
    return st;
}
