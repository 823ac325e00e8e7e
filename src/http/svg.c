/*
 * Bar charts as inline SVG (svg.h): the geometry, the axis, the legend, the
 * bars' tooltips and the table that says the same.
 */
#include "http/svg.h"

#include <stdio.h>
#include <string.h>

#include "base/money.h"
#include "http/http_int.h"

/* The series' colours (fills): blue, orange, green, purple — each at least
 * 3:1 against the white background. */
static const char *const COLOURS[RG_SVG_MAX_SERIES] = {"#12355b", "#b35c00", "#1e7b34", "#7b1fa2"};
#define TEXT "#1d1d1f"
#define GRID "#d0d5db"
#define FONT "font-family=\"system-ui,sans-serif\""

int64_t rg_svg_axis_max(int64_t max)
{
    if (max <= 0)
        return 1;
    static const int64_t steps[] = {10, 20, 25, 50};
    for (int64_t p = 1;; p *= 10) {
        for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
            if (steps[i] * p / 10 >= max && steps[i] * p / 10 > 0)
                return steps[i] * p / 10;
        if (p > INT64_MAX / 100)
            return max;
    }
}

char *rg_svg_count_br(int64_t v, char *buf, size_t n)
{
    char digits[32];
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    int len = snprintf(digits, sizeof digits, "%llu", (unsigned long long)u);
    char out[40];
    size_t o = 0;
    if (v < 0)
        out[o++] = '-';
    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            out[o++] = '.';
        out[o++] = digits[i];
    }
    out[o] = '\0';
    snprintf(buf, n, "%s", out);
    return buf;
}

/* A value as the chart's unit says: "R$ 1.234,56" or "1.234". */
static const char *value_text(rg_svg_unit unit, int64_t v, char *buf, size_t n)
{
    return unit == RG_SVG_MONEY ? rg_money_format_brl(v, buf, n) : rg_svg_count_br(v, buf, n);
}

/* An axis tick: money in whole reais when it is whole ("R$ 12.500"). */
static const char *tick_text(rg_svg_unit unit, int64_t v, char *buf, size_t n)
{
    value_text(unit, v, buf, n);
    size_t len = strlen(buf);
    if (unit == RG_SVG_MONEY && len > 3 && !strcmp(buf + len - 3, ",00"))
        buf[len - 3] = '\0';
    return buf;
}

/* How many divisions the axis gets: 5 for 2.5 and 5 × 10^k, else 4 — or
 * 5, 2, 1 when that would not fall on whole units (a count axis of 10). */
static int divisions(int64_t axis)
{
    int64_t lead = axis;
    while (lead >= 100 && lead % 10 == 0)
        lead /= 10;
    int want = lead == 25 || lead == 5 || lead == 50 ? 5 : 4;
    return axis % want == 0 ? want : axis % 5 == 0 ? 5 : axis % 2 == 0 ? 2 : 1;
}

static int64_t value_at(const rg_svg_chart *c, size_t cat, size_t s)
{
    return c->values[cat * c->n_series + s];
}

static void bar(rg_buf *b, const rg_svg_chart *c, size_t cat, size_t s, double x, double y, double w, double h)
{
    char v[48];
    rg_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>", x, y, w, h,
                  COLOURS[s]);
    rg_html_escape(b, c->cats[cat]);
    if (c->n_series > 1) {
        rg_buf_puts(b, " — ");
        rg_html_escape(b, c->series[s]);
    }
    rg_buf_puts(b, ": ");
    rg_html_escape(b, value_text(c->unit, value_at(c, cat, s), v, sizeof v));
    rg_buf_puts(b, "</title></rect>");
}

static double clamp0(int64_t v)
{
    return v < 0 ? 0.0 : (double)v;
}

#define W 640.0

/* <svg> W wide and h high (its width the container's), an image named by
 * its <title> and <desc>; attrs: more attributes (" style=...") or "". */
static void svg_open(rg_buf *b, const rg_svg_chart *c, double h, const char *attrs)
{
    rg_buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" width=\"100%%\"%s "
                     "role=\"img\" aria-labelledby=\"%s-t %s-d\" " FONT " font-size=\"12\">",
                  W, h, attrs, c->id, c->id);
    rg_buf_printf(b, "<title id=\"%s-t\">", c->id);
    rg_html_escape(b, c->title);
    rg_buf_printf(b, "</title><desc id=\"%s-d\">", c->id);
    rg_html_escape(b, c->desc);
    rg_buf_puts(b, "</desc>");
}

static void vertical(rg_buf *b, const rg_svg_chart *c, int64_t axis)
{
    const double left = 96, right = 12, top = c->n_series > 1 ? 34 : 14, bottom = 44, plot_h = 200;
    const double h = top + plot_h + bottom, plot_w = W - left - right;
    svg_open(b, c, h, "");
    /* the grid and the axis' labels */
    int div = divisions(axis);
    for (int i = 0; i <= div; i++) {
        double y = top + plot_h - plot_h * i / div;
        char t[48];
        rg_buf_printf(b, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>", left, W - right, y,
                      y, i ? GRID : TEXT);
        rg_buf_printf(b, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" fill=\"%s\">", left - 6, y + 4, TEXT);
        rg_html_escape(b, tick_text(c->unit, axis * i / div, t, sizeof t));
        rg_buf_puts(b, "</text>");
    }
    /* the legend */
    for (size_t s = 0; c->n_series > 1 && s < c->n_series; s++) {
        double x = left + (double)s * 190;
        rg_buf_printf(b, "<rect x=\"%.0f\" y=\"8\" width=\"12\" height=\"12\" fill=\"%s\"/>", x, COLOURS[s]);
        rg_buf_printf(b, "<text x=\"%.0f\" y=\"18\" fill=\"%s\">", x + 17, TEXT);
        rg_html_escape(b, c->series[s]);
        rg_buf_puts(b, "</text>");
    }
    double group = plot_w / (double)c->n_cats, bw = group * 0.7 / (double)c->n_series;
    bool labels = c->n_cats * c->n_series <= 8;
    for (size_t k = 0; k < c->n_cats; k++) {
        double gx = left + group * (double)k + group * 0.15;
        for (size_t s = 0; s < c->n_series; s++) {
            double bh = plot_h * clamp0(value_at(c, k, s)) / (double)axis, x = gx + bw * (double)s;
            bar(b, c, k, s, x, top + plot_h - bh, bw, bh);
            if (labels) {
                char v[48];
                rg_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"%s\">", x + bw / 2,
                              top + plot_h - bh - 4, TEXT);
                rg_html_escape(b, value_text(c->unit, value_at(c, k, s), v, sizeof v));
                rg_buf_puts(b, "</text>");
            }
        }
        rg_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"%s\">", left + group * (double)k
                      + group / 2, top + plot_h + 18, TEXT);
        rg_html_escape(b, c->cats[k]);
        rg_buf_puts(b, "</text>");
    }
    rg_buf_puts(b, "</svg>");
}

static void horizontal(rg_buf *b, const rg_svg_chart *c, int64_t axis)
{
    const double left = 170, right = 230, row = 30, top = 8;
    const double h = top * 2 + row * (double)c->n_cats, plot_w = W - left - right;
    svg_open(b, c, h, " style=\"max-width:48rem\"");
    for (size_t k = 0; k < c->n_cats; k++) {
        double y = top + row * (double)k, bw = plot_w * clamp0(value_at(c, k, 0)) / (double)axis;
        char v[48];
        rg_buf_printf(b, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" fill=\"%s\">", left - 8, y + 19, TEXT);
        rg_html_escape(b, c->cats[k]);
        rg_buf_puts(b, "</text>");
        bar(b, c, k, 0, left, y + 4, bw, row - 8);
        rg_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\">", left + bw + 6, y + 19, TEXT);
        rg_html_escape(b, value_text(c->unit, value_at(c, k, 0), v, sizeof v));
        if (c->notes && c->notes[k] && *c->notes[k]) {
            rg_buf_puts(b, " (");
            rg_html_escape(b, c->notes[k]);
            rg_buf_puts(b, ")");
        }
        rg_buf_puts(b, "</text>");
    }
    rg_buf_printf(b, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"%s\"/></svg>", left, left, top,
                  h - top, TEXT);
}

static void table(rg_buf *b, const rg_svg_chart *c)
{
    rg_buf_printf(b, "<details><summary>Ver os números</summary><table id=\"%s-tabela\"><caption>", c->id);
    rg_html_escape(b, c->title);
    rg_buf_puts(b, "</caption><thead><tr><th scope=\"col\">");
    rg_html_escape(b, c->cat_header ? c->cat_header : "");
    rg_buf_puts(b, "</th>");
    for (size_t s = 0; s < c->n_series; s++) {
        rg_buf_puts(b, "<th scope=\"col\" class=\"n\">");
        rg_html_escape(b, c->series[s]);
        rg_buf_puts(b, "</th>");
    }
    if (c->notes) {
        rg_buf_puts(b, "<th scope=\"col\" class=\"n\">");
        rg_html_escape(b, c->notes_header ? c->notes_header : "");
        rg_buf_puts(b, "</th>");
    }
    rg_buf_puts(b, "</tr></thead><tbody>");
    for (size_t k = 0; k < c->n_cats; k++) {
        rg_buf_puts(b, "<tr><th scope=\"row\">");
        rg_html_escape(b, c->cats[k]);
        rg_buf_puts(b, "</th>");
        for (size_t s = 0; s < c->n_series; s++) {
            char v[48];
            rg_buf_puts(b, "<td class=\"n\">");
            rg_html_escape(b, value_text(c->unit, value_at(c, k, s), v, sizeof v));
            rg_buf_puts(b, "</td>");
        }
        if (c->notes) {
            rg_buf_puts(b, "<td class=\"n\">");
            rg_html_escape(b, c->notes[k] ? c->notes[k] : "");
            rg_buf_puts(b, "</td>");
        }
        rg_buf_puts(b, "</tr>");
    }
    rg_buf_puts(b, "</tbody></table></details>");
}

void rg_svg_chart_write(rg_buf *b, const rg_svg_chart *c)
{
    size_t n_series = c->horizontal ? 1 : c->n_series;
    if (n_series < 1 || n_series > RG_SVG_MAX_SERIES)
        n_series = 1;
    rg_svg_chart cc = *c;
    cc.n_series = n_series;
    int64_t max = 0;
    for (size_t i = 0; i < cc.n_cats * cc.n_series; i++)
        if (cc.values[i] > max)
            max = cc.values[i];
    if (cc.unit == RG_SVG_COUNT && max < 5)
        max = 5;
    int64_t axis = rg_svg_axis_max(max);
    rg_buf_printf(b, "<figure class=\"chart\" id=\"%s\">", cc.id);
    if (cc.n_cats == 0) {
        rg_buf_puts(b, "<figcaption>");
        rg_html_escape(b, cc.title);
        rg_buf_puts(b, "</figcaption><p class=\"muted\">Nada a mostrar neste período.</p></figure>");
        return;
    }
    if (cc.horizontal)
        horizontal(b, &cc, axis);
    else
        vertical(b, &cc, axis);
    rg_buf_puts(b, "<figcaption>");
    rg_html_escape(b, cc.title);
    rg_buf_puts(b, "</figcaption>");
    table(b, &cc);
    rg_buf_puts(b, "</figure>");
}
