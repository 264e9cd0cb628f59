/*
 * A tiny deterministic SVG and HTML writer for the report pages: every coordinate is a whole
 * number, every number is printed by the same integer formats, so the same figures give the
 * same bytes; every text is escaped for HTML. The svg_out owns its buffer until the caller
 * frees out->buf; a failed append (memory) is remembered in out->failed.
 */
#ifndef RECON_REPORTS_SVG_H
#define RECON_REPORTS_SVG_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"

typedef struct svg_out {
    buf_t buf;
    bool failed;
} svg_out;

void svg_printf(svg_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s escaped for HTML text and attribute values (& < > " ' and control bytes). */
void svg_text(svg_out *o, const char *s);

/* How a chart prints its values: whole counts, or fen shown as yuan with two places. */
typedef enum svg_unit { SVG_COUNT, SVG_FEN } svg_unit;

typedef struct svg_chart {
    const char *id;    /* element id, [a-z-] only */
    const char *title; /* the chart's <title> and visible heading */
    const char *desc;  /* its <desc>: what it shows, in a sentence */
    svg_unit unit;
} svg_chart;

/* One bar of a horizontal bar chart: its label, value (negative values draw as 0) and the
 * text printed after it (e.g. "3 · 60.00"). */
typedef struct svg_bar {
    const char *label;
    long long value;
    const char *text;
} svg_bar;

void svg_hbars(svg_out *o, const svg_chart *c, const svg_bar *bars, size_t n);

/* One series of a time chart: n values, one per x label. */
typedef struct svg_series {
    const char *name;
    const long long *v;
} svg_series;

/* Series stacked on each other as areas over the x labels (a legend names them). */
void svg_stacked(svg_out *o, const svg_chart *c, const char *const *x, size_t n,
                 const svg_series *s, size_t ns);
/* One series as a line over the x labels. */
void svg_line(svg_out *o, const svg_chart *c, const char *const *x, size_t n, const long long *v);
/* One series as a column per x label. */
void svg_columns(svg_out *o, const svg_chart *c, const char *const *x, size_t n,
                 const long long *v);

#endif
