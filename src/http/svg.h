/*
 * svg — bar charts drawn by the server as inline SVG for the dashboard's
 * pages (no script, nothing from the internet; docs/dashboard.md).
 *
 * One chart is a <figure>: the <svg> (role="img", labelled by its <title>
 * and <desc>; each bar carries a <title> with its category, series and
 * value), a <figcaption>, and the same numbers as a <table> inside a
 * <details> ("Ver os números") — the chart's text alternative. Bars are
 * vertical and grouped (n_series bars per category, a legend when there
 * is more than one series) or horizontal (one series: a funnel). The value
 * axis starts at 0 and ends at a round number (1, 2, 2.5 or 5 × 10^k) at
 * or above the largest value; negative values are drawn as 0 but printed as
 * they are. Money is written "R$ 1.234,56", counts "1.234".
 *
 * Everything is borrowed from the caller for the call only; text is
 * HTML-escaped here.
 */
#ifndef RG_HTTP_SVG_H
#define RG_HTTP_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

typedef enum rg_svg_unit { RG_SVG_COUNT, RG_SVG_MONEY } rg_svg_unit;

#define RG_SVG_MAX_SERIES 4

typedef struct rg_svg_chart {
    const char *id;      /* unique in the page ([a-z0-9-]): the ids of title and desc */
    const char *title;   /* the chart's title (also the figcaption) */
    const char *desc;    /* one sentence saying what it shows */
    const char *cat_header; /* the table's first column header ("Faixa", "Semana") */
    bool horizontal;     /* one bar per row, label at the left (a funnel) */
    rg_svg_unit unit;
    size_t n_cats, n_series; /* n_series 1..RG_SVG_MAX_SERIES */
    const char *const *cats;   /* n_cats labels */
    const char *const *series; /* n_series names (legend, table headers) */
    const int64_t *values;     /* n_cats * n_series, category by category */
    const char *const *notes;  /* NULL, or n_cats texts printed after a horizontal bar's value and as a
                                * last table column (e.g. "62,5% das enviadas") */
    const char *notes_header;  /* that column's header */
} rg_svg_chart;

/* Appends the chart's <figure>. */
void rg_svg_chart_write(rg_buf *b, const rg_svg_chart *c);

/* The value axis' end: the smallest 1, 2, 2.5 or 5 × 10^k at or above max
 * (1 for max <= 0). */
int64_t rg_svg_axis_max(int64_t max);

/* "1.234.567" / "-12" (buf >= 32). */
char *rg_svg_count_br(int64_t v, char *buf, size_t n);

#endif
