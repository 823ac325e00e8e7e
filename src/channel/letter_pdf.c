#include "channel/letter_pdf.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

/* Geometry in millimetres from the top-left corner of an A4 page. */
#define MM (72.0f / 25.4f)
#define PAGE_W_MM 210.0f
#define PAGE_H_MM 297.0f
#define LEFT_MM 25.0f
#define RIGHT_MM 190.0f /* 20 mm right margin */
#define TEXT_W_MM (RIGHT_MM - LEFT_MM)
/* DIN 5008 form B address field */
#define WIN_LEFT_MM 20.0f
#define WIN_TOP_MM 45.0f
#define WIN_W_MM 85.0f
#define WIN_H_MM 45.0f
#define WIN_PAD_MM 5.0f
#define DATE_MM 100.0f
#define SUBJECT_MM 110.0f
#define CONT_TOP_MM 25.0f /* first body line on a continuation page */
#define BOTTOM_MM 272.0f  /* no body line below this */
#define FOOT_MM 287.0f

#define BODY_PT 10.5f
#define BODY_LEAD_MM 5.2f
#define SUBJECT_PT 11.0f
#define SUBJECT_LEAD_MM 5.6f
#define PARA_GAP_MM 2.6f

typedef struct pen {
    HPDF_Page page;
    HPDF_Font reg;
    HPDF_Font bold;
} pen;

typedef struct line {
    int page;      /* 0-based within the letter */
    float top_mm;  /* baseline */
    bool bold;
    size_t off;    /* into the CP1252 text */
    size_t len;
} line;

typedef struct layout {
    char *text; /* subject and body in CP1252, one string per source line, NUL-separated */
    size_t text_len;
    line *lines;
    size_t n, cap;
    int pages;
    bool oom;
} layout;

static const char *const months[] = {"janeiro", "fevereiro", "março",    "abril",   "maio",     "junho",
                                     "julho",   "agosto",    "setembro", "outubro", "novembro", "dezembro"};

char *rg_letter_date_text(rg_date d, char *buf, size_t n)
{
    int y, m, dd;
    rg_date_to_ymd(d, &y, &m, &dd);
    snprintf(buf, n, "%d de %s de %d", dd, months[m - 1], y);
    return buf;
}

static float pdf_y(float top_mm)
{
    return (PAGE_H_MM - top_mm) * MM;
}

static float text_width(HPDF_Font f, float size, const char *s, size_t len)
{
    if (!len)
        return 0;
    HPDF_TextWidth tw = HPDF_Font_TextWidth(f, (const HPDF_BYTE *)s, (HPDF_UINT)len);
    return (float)tw.width * size / 1000.0f;
}

/* Draws a CP1252 string (len bytes) at x mm, baseline top mm. */
static void draw_raw(const pen *p, HPDF_Font f, float size, float x_mm, float top_mm, const char *s, size_t len)
{
    char buf[1024];
    if (len >= sizeof buf)
        len = sizeof buf - 1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    HPDF_Page_SetFontAndSize(p->page, f, size);
    HPDF_Page_BeginText(p->page);
    HPDF_Page_TextOut(p->page, x_mm * MM, pdf_y(top_mm), buf);
    HPDF_Page_EndText(p->page);
}

/* Draws UTF-8 text on one line, cut (with "…") to max_w_mm; right-aligned
 * at x_mm when right is set. */
static void draw_line(const pen *p, HPDF_Font f, float size, float x_mm, float top_mm, const char *utf8,
                      float max_w_mm, bool right)
{
    char s[1024];
    rg_boleto_pdf_cp1252(utf8 ? utf8 : "", s, sizeof s - 2);
    size_t len = strlen(s);
    float max_w = max_w_mm * MM;
    if (text_width(f, size, s, len) > max_w) {
        float ell = text_width(f, size, "\x85", 1);
        while (len > 0 && text_width(f, size, s, len) + ell > max_w)
            len--;
        s[len++] = '\x85';
        s[len] = '\0';
    }
    float x = x_mm * MM;
    if (right)
        x -= text_width(f, size, s, len);
    HPDF_Page_SetFontAndSize(p->page, f, size);
    HPDF_Page_BeginText(p->page);
    HPDF_Page_TextOut(p->page, x, pdf_y(top_mm), s);
    HPDF_Page_EndText(p->page);
}

static void hline(const pen *p, float x0_mm, float x1_mm, float top_mm, float width)
{
    HPDF_Page_SetLineWidth(p->page, width);
    HPDF_Page_MoveTo(p->page, x0_mm * MM, pdf_y(top_mm));
    HPDF_Page_LineTo(p->page, x1_mm * MM, pdf_y(top_mm));
    HPDF_Page_Stroke(p->page);
}

/* ---- layout ---- */

static void add_line(layout *L, int page, float top, bool bold, size_t off, size_t len)
{
    if (L->n == L->cap) {
        size_t cap = L->cap ? L->cap * 2 : 64;
        line *v = realloc(L->lines, cap * sizeof *v);
        if (!v) {
            L->oom = true;
            return;
        }
        L->lines = v;
        L->cap = cap;
    }
    L->lines[L->n++] = (line){page, top, bold, off, len};
}

/* Converts one UTF-8 source line to CP1252 into L->text; returns its offset. */
static size_t push_text(layout *L, rg_buf *store, const char *utf8, size_t n)
{
    char *tmp = malloc(n + 1);
    size_t cap = n + 1; /* CP1252 never takes more bytes than UTF-8 */
    char *out = malloc(cap);
    size_t off = store->len;
    if (!tmp || !out) {
        L->oom = true;
        free(tmp);
        free(out);
        return off;
    }
    memcpy(tmp, utf8, n);
    tmp[n] = '\0';
    rg_boleto_pdf_cp1252(tmp, out, cap);
    rg_buf_append(store, out, strlen(out) + 1);
    free(tmp);
    free(out);
    return off;
}

/* Wraps the CP1252 string at off into lines of at most width_mm. */
static void wrap(layout *L, const rg_buf *store, size_t off, HPDF_Font f, float size, float lead_mm, bool bold,
                 int *page, float *top)
{
    const char *s = store->p + off;
    size_t len = strlen(s);
    size_t pos = 0;
    float width = TEXT_W_MM * MM;
    while (pos < len) {
        if (pos > 0)
            while (pos < len && s[pos] == ' ')
                pos++;
        if (pos >= len)
            break;
        HPDF_REAL real;
        HPDF_UINT n = HPDF_Font_MeasureText(f, (const HPDF_BYTE *)s + pos, (HPDF_UINT)(len - pos), width, size, 0,
                                            0, HPDF_TRUE, &real);
        if (n == 0) /* one word wider than the line: break it */
            n = HPDF_Font_MeasureText(f, (const HPDF_BYTE *)s + pos, (HPDF_UINT)(len - pos), width, size, 0, 0,
                                      HPDF_FALSE, &real);
        if (n == 0)
            n = 1;
        size_t take = n;
        while (take > 0 && s[pos + take - 1] == ' ')
            take--;
        if (*top > BOTTOM_MM) {
            (*page)++;
            *top = CONT_TOP_MM;
        }
        add_line(L, *page, *top, bold, off + pos, take);
        *top += lead_mm;
        pos += n;
    }
}

static void do_layout(layout *L, rg_buf *store, const pen *p, const rg_letter *l)
{
    int page = 0;
    float top = SUBJECT_MM;
    if (l->subject && l->subject[0]) {
        size_t off = push_text(L, store, l->subject, strlen(l->subject));
        if (store->oom || L->oom)
            return;
        wrap(L, store, off, p->bold, SUBJECT_PT, SUBJECT_LEAD_MM, true, &page, &top);
        top += BODY_LEAD_MM;
    }
    const char *b = l->body ? l->body : "";
    bool pending_gap = false;
    while (*b) {
        const char *nl = strchr(b, '\n');
        size_t n = nl ? (size_t)(nl - b) : strlen(b);
        if (n > 0 && b[n - 1] == '\r')
            n--;
        bool blank = true;
        for (size_t i = 0; i < n; i++)
            blank &= b[i] == ' ' || b[i] == '\t';
        if (blank) {
            pending_gap = true;
        } else {
            if (pending_gap && top > CONT_TOP_MM + 0.01f)
                top += PARA_GAP_MM + BODY_LEAD_MM * 0.5f;
            pending_gap = false;
            size_t off = push_text(L, store, b, n);
            if (store->oom || L->oom)
                return;
            wrap(L, store, off, p->reg, BODY_PT, BODY_LEAD_MM, false, &page, &top);
        }
        b += nl ? (size_t)(nl - b) + 1 : strlen(b);
    }
    L->pages = page + 1;
}

/* ---- drawing ---- */

static void draw_first_page_head(const pen *p, const rg_letter *l)
{
    /* letterhead */
    float top = 18.0f;
    for (size_t i = 0; i < l->n_sender && i < RG_LETTER_MAX_LINES; i++) {
        if (i == 0) {
            draw_line(p, p->bold, 12.0f, LEFT_MM, top, l->sender[0], TEXT_W_MM, false);
            top += 5.0f;
        } else {
            draw_line(p, p->reg, 8.5f, LEFT_MM, top, l->sender[i], TEXT_W_MM, false);
            top += 3.8f;
        }
    }
    /* the address field of a window envelope */
    float x = WIN_LEFT_MM + WIN_PAD_MM;
    float w = WIN_W_MM - 2 * WIN_PAD_MM;
    if (l->return_line && l->return_line[0]) {
        draw_line(p, p->reg, 6.5f, x, WIN_TOP_MM + 4.5f, l->return_line, w, false);
        hline(p, x, x + w, WIN_TOP_MM + 5.6f, 0.3f);
    }
    top = WIN_TOP_MM + 11.5f;
    for (size_t i = 0; i < l->n_recipient && i < RG_LETTER_MAX_LINES; i++) {
        draw_line(p, i == 0 ? p->bold : p->reg, 10.0f, x, top, l->recipient[i], w, false);
        top += 4.6f;
    }
    if (l->date != RG_DATE_NONE) {
        char d[64];
        draw_line(p, p->reg, 10.0f, RIGHT_MM, DATE_MM, rg_letter_date_text(l->date, d, sizeof d), TEXT_W_MM, true);
    }
}

static void draw_marks(const pen *p)
{
    hline(p, 4.0f, 9.0f, 105.0f, 0.3f);
    hline(p, 4.0f, 9.0f, 210.0f, 0.3f);
    hline(p, 4.0f, 7.0f, 148.5f, 0.3f);
}

static void draw_foot(const pen *p, const rg_letter *l, int page, int pages)
{
    if (l->reference && l->reference[0])
        draw_line(p, p->reg, 7.0f, LEFT_MM, FOOT_MM, l->reference, TEXT_W_MM * 0.7f, false);
    char pg[48];
    snprintf(pg, sizeof pg, "página %d de %d", page + 1, pages);
    draw_line(p, p->reg, 7.0f, RIGHT_MM, FOOT_MM, pg, TEXT_W_MM * 0.3f, true);
}

static rg_status libharu_error(HPDF_Doc doc, rg_err *e, const char *what)
{
    HPDF_STATUS err = HPDF_GetError(doc);
    unsigned long detail = (unsigned long)HPDF_GetErrorDetail(doc);
    HPDF_ResetError(doc);
    return rg_err_set(e, RG_EINTERNAL, "letter_pdf", "libharu failed %s: error 0x%04lX, detail %lu", what,
                      (unsigned long)err, detail);
}

rg_status rg_letter_pdf_add(HPDF_Doc doc, const rg_letter *l, int *pages, rg_err *e)
{
    rg_status rc = RG_OK;
    layout L;
    memset(&L, 0, sizeof L);
    rg_buf store = RG_BUF_INIT;
    *pages = 0;
    if (!doc || !l)
        return rg_err_set(e, RG_EINTERNAL, "letter_pdf", "rg_letter_pdf_add: NULL argument");
    if (l->n_recipient == 0 || !l->recipient[0] || !l->recipient[0][0])
        return rg_err_set(e, RG_EINVAL, "letter", "a letter needs a recipient (name and postal address)");
    pen p;
    memset(&p, 0, sizeof p);
    p.reg = HPDF_GetFont(doc, "Helvetica", "WinAnsiEncoding");
    p.bold = HPDF_GetFont(doc, "Helvetica-Bold", "WinAnsiEncoding");
    if (!p.reg || !p.bold)
        return libharu_error(doc, e, "loading the Helvetica fonts");
    do_layout(&L, &store, &p, l);
    if (L.oom || store.oom) {
        rc = rg_err_set(e, RG_ENOMEM, "letter_pdf", "out of memory");
        goto out;
    }
    size_t li = 0;
    for (int pg = 0; pg < L.pages; pg++) {
        p.page = HPDF_AddPage(doc);
        if (!p.page) {
            rc = libharu_error(doc, e, "adding a page");
            goto out;
        }
        HPDF_Page_SetSize(p.page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
        HPDF_Page_SetRGBStroke(p.page, 0, 0, 0);
        HPDF_Page_SetRGBFill(p.page, 0, 0, 0);
        if (pg == 0)
            draw_first_page_head(&p, l);
        draw_marks(&p);
        for (; li < L.n && L.lines[li].page == pg; li++) {
            const line *ln = &L.lines[li];
            draw_raw(&p, ln->bold ? p.bold : p.reg, ln->bold ? SUBJECT_PT : BODY_PT, LEFT_MM, ln->top_mm,
                     store.p + ln->off, ln->len);
        }
        draw_foot(&p, l, pg, L.pages);
        if (HPDF_GetError(doc) != HPDF_OK) {
            rc = libharu_error(doc, e, "drawing the letter");
            goto out;
        }
        (*pages)++;
    }
    for (size_t i = 0; i < l->n_boletos; i++) {
        if ((rc = rg_boleto_pdf_add_page(doc, &l->boletos[i], e)) != RG_OK) {
            char pre[32];
            snprintf(pre, sizeof pre, "boleto %zu", i + 1);
            rg_err_prefix(e, pre);
            goto out;
        }
        (*pages)++;
    }
out:
    free(L.lines);
    rg_buf_free(&store);
    return rc;
}
