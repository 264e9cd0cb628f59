#include "reports/svg.h"

#include <stdarg.h>
#include <stdio.h>

#include "core/money.h"

/* Colours that stay apart for the common kinds of colour blindness (Okabe-Ito). */
static const char *const palette[] = {"#0072b2", "#e69f00", "#009e73", "#d55e00",
                                      "#cc79a7", "#56b4e9", "#f0e442", "#000000"};
#define PALETTE_N (sizeof palette / sizeof palette[0])

void svg_printf(svg_out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[512];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        o->failed = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        if (!buf_append(&o->buf, small, (size_t)n))
            o->failed = true;
        return;
    }
    if (!buf_reserve(&o->buf, (size_t)n + 1)) {
        o->failed = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(o->buf.data + o->buf.len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    o->buf.len += (size_t)n;
}

void svg_text(svg_out *o, const char *s)
{
    for (; s != NULL && *s; s++) {
        const char *rep = NULL;
        switch (*s) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default:
            /* Control bytes have no business in a page (and NUL-like ones confuse readers). */
            if ((unsigned char)*s < 0x20 || *s == 0x7f)
                rep = " ";
        }
        bool ok = rep ? buf_append_str(&o->buf, rep) : buf_append_char(&o->buf, *s);
        if (!ok)
            o->failed = true;
    }
}

/* v scaled into 0..span for a maximum of max, rounded; negative values give 0. */
static long scale(long long v, long long max, long span)
{
    if (v <= 0 || max <= 0)
        return 0;
    return (long)((long double)v * (long double)span / (long double)max + 0.5L);
}

static void value_text(char *out, size_t cap, svg_unit unit, long long v)
{
    if (unit == SVG_FEN) {
        char m[MONEY_STR_SIZE];
        money_format(v, m);
        snprintf(out, cap, "%s", m);
    } else {
        snprintf(out, cap, "%lld", v);
    }
}

static void open_svg(svg_out *o, const svg_chart *c, int width, int height)
{
    svg_printf(o,
               "<figure class=\"chart\"><figcaption>");
    svg_text(o, c->title);
    svg_printf(o,
               "</figcaption>\n<svg id=\"%s\" role=\"img\" aria-labelledby=\"%s-t %s-d\" "
               "viewBox=\"0 0 %d %d\" width=\"100%%\" preserveAspectRatio=\"xMinYMin meet\" "
               "xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\"%s-t\">",
               c->id, c->id, c->id, width, height, c->id);
    svg_text(o, c->title);
    svg_printf(o, "</title>\n<desc id=\"%s-d\">", c->id);
    svg_text(o, c->desc);
    svg_printf(o, "</desc>\n");
}

static void close_svg(svg_out *o) { svg_printf(o, "</svg></figure>\n"); }

#define HB_WIDTH 520
#define HB_LABEL 130 /* right edge of the labels */
#define HB_BAR0 136
#define HB_SPAN 210
#define HB_ROW 28

void svg_hbars(svg_out *o, const svg_chart *c, const svg_bar *bars, size_t n)
{
    long long max = 0;
    for (size_t i = 0; i < n; i++)
        if (bars[i].value > max)
            max = bars[i].value;
    open_svg(o, c, HB_WIDTH, (int)n * HB_ROW + 8);
    for (size_t i = 0; i < n; i++) {
        long y = (long)i * HB_ROW + 4;
        long w = scale(bars[i].value, max, HB_SPAN);
        svg_printf(o, "<text x=\"%d\" y=\"%ld\" text-anchor=\"end\" class=\"l\">", HB_LABEL, y + 18);
        svg_text(o, bars[i].label);
        svg_printf(o, "</text><rect x=\"%d\" y=\"%ld\" width=\"%ld\" height=\"20\" fill=\"%s\"/>",
                   HB_BAR0, y + 3, w, palette[0]);
        svg_printf(o, "<text x=\"%ld\" y=\"%ld\" class=\"v\">", HB_BAR0 + w + 6, y + 18);
        svg_text(o, bars[i].text);
        svg_printf(o, "</text>\n");
    }
    close_svg(o);
}

/* Time charts: the plot is X0..X1 by Y0..Y1 in a TW-wide picture. */
#define TW 720
#define X0 92
#define X1 704
#define Y0 16
#define Y1 236

static long x_at(size_t i, size_t n)
{
    if (n <= 1)
        return (X0 + X1) / 2;
    return X0 + (long)(i * (size_t)(X1 - X0) / (n - 1));
}

/* Axes with 0, half and the maximum on the left, and the first, middle and last x labels. */
static void axes(svg_out *o, const svg_chart *c, const char *const *x, size_t n, long long max)
{
    for (int k = 0; k <= 2; k++) {
        long long v = max / 2 * k;
        if (k == 2)
            v = max;
        long y = Y1 - scale(v, max, Y1 - Y0);
        char t[64];
        value_text(t, sizeof t, c->unit, v);
        svg_printf(o,
                   "<line x1=\"%d\" y1=\"%ld\" x2=\"%d\" y2=\"%ld\" class=\"g\"/>"
                   "<text x=\"%d\" y=\"%ld\" text-anchor=\"end\" class=\"a\">%s</text>\n",
                   X0, y, X1, y, X0 - 6, y + 5, t);
    }
    size_t picks[3] = {0, n / 2, n ? n - 1 : 0};
    size_t shown = n >= 3 ? 3 : n;
    const char *anchor[3] = {"start", "middle", "end"};
    for (size_t k = 0; k < shown; k++) {
        size_t i = shown == 3 ? picks[k] : k;
        const char *a = n == 1 ? "middle" : shown == 3 ? anchor[k] : anchor[k * 2];
        svg_printf(o, "<text x=\"%ld\" y=\"%d\" text-anchor=\"%s\" class=\"a\">", x_at(i, n),
                   Y1 + 20, a);
        svg_text(o, x[i]);
        svg_printf(o, "</text>\n");
    }
}

static long long sat_add(long long a, long long b)
{
    long long r;
    return __builtin_add_overflow(a, b, &r) ? (b > 0 ? __LONG_LONG_MAX__ : a) : r;
}

void svg_stacked(svg_out *o, const svg_chart *c, const char *const *x, size_t n,
                 const svg_series *s, size_t ns)
{
    long long max = 0;
    for (size_t i = 0; i < n; i++) {
        long long t = 0;
        for (size_t k = 0; k < ns; k++)
            t = sat_add(t, s[k].v[i] > 0 ? s[k].v[i] : 0);
        if (t > max)
            max = t;
    }
    size_t rows = (ns + 4) / 5;
    open_svg(o, c, TW, Y1 + 34 + (int)rows * 22);
    axes(o, c, x, n, max);
    /* One point is drawn as a short band so that it shows. */
    size_t m = n == 1 ? 2 : n;
    for (size_t k = 0; k < ns && n > 0; k++) {
        svg_printf(o, "<polygon fill=\"%s\" fill-opacity=\"0.85\" points=\"", palette[k % PALETTE_N]);
        for (size_t pass = 0; pass < 2; pass++)
            for (size_t jj = 0; jj < m; jj++) {
                size_t j = pass == 0 ? jj : m - 1 - jj;
                size_t i = n == 1 ? 0 : j;
                long long below = 0;
                for (size_t q = 0; q < k; q++)
                    below = sat_add(below, s[q].v[i] > 0 ? s[q].v[i] : 0);
                long long top = sat_add(below, s[k].v[i] > 0 ? s[k].v[i] : 0);
                long px = n == 1 ? x_at(0, 1) - 20 + 40 * (long)j : x_at(i, n);
                long py = Y1 - scale(pass == 0 ? top : below, max, Y1 - Y0);
                svg_printf(o, "%s%ld,%ld", jj || pass ? " " : "", px, py);
            }
        svg_printf(o, "\"><title>");
        svg_text(o, s[k].name);
        svg_printf(o, "</title></polygon>\n");
    }
    for (size_t k = 0; k < ns; k++) {
        long lx = X0 + (long)(k % 5) * 122, ly = Y1 + 36 + (long)(k / 5) * 22;
        svg_printf(o, "<rect x=\"%ld\" y=\"%ld\" width=\"14\" height=\"14\" fill=\"%s\"/>"
                      "<text x=\"%ld\" y=\"%ld\" class=\"a\">", lx, ly - 12, palette[k % PALETTE_N],
                   lx + 18, ly);
        svg_text(o, s[k].name);
        svg_printf(o, "</text>\n");
    }
    close_svg(o);
}

static long long max_of(const long long *v, size_t n)
{
    long long max = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i] > max)
            max = v[i];
    return max;
}

void svg_line(svg_out *o, const svg_chart *c, const char *const *x, size_t n, const long long *v)
{
    long long max = max_of(v, n);
    open_svg(o, c, TW, Y1 + 30);
    axes(o, c, x, n, max);
    svg_printf(o, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"3\" points=\"", palette[0]);
    for (size_t i = 0; i < n; i++)
        svg_printf(o, "%s%ld,%ld", i ? " " : "", x_at(i, n), Y1 - scale(v[i], max, Y1 - Y0));
    svg_printf(o, "\"/>\n");
    for (size_t i = 0; i < n; i++) {
        char t[64];
        value_text(t, sizeof t, c->unit, v[i]);
        svg_printf(o, "<circle cx=\"%ld\" cy=\"%ld\" r=\"3\" fill=\"%s\"><title>", x_at(i, n),
                   Y1 - scale(v[i], max, Y1 - Y0), palette[0]);
        svg_text(o, x[i]);
        svg_printf(o, ": %s</title></circle>\n", t);
    }
    close_svg(o);
}

void svg_columns(svg_out *o, const svg_chart *c, const char *const *x, size_t n,
                 const long long *v)
{
    long long max = max_of(v, n);
    open_svg(o, c, TW, Y1 + 30);
    axes(o, c, x, n, max);
    long slot = n ? (X1 - X0) / (long)n : 0;
    long w = slot > 40 ? 32 : slot > 2 ? slot - 1 : 1;
    for (size_t i = 0; i < n; i++) {
        long h = scale(v[i], max, Y1 - Y0);
        long cx = n == 1 ? x_at(0, 1) : X0 + slot * (long)i + slot / 2;
        char t[64];
        value_text(t, sizeof t, c->unit, v[i]);
        svg_printf(o, "<rect x=\"%ld\" y=\"%ld\" width=\"%ld\" height=\"%ld\" fill=\"%s\"><title>",
                   cx - w / 2, Y1 - h, w, h, palette[1]);
        svg_text(o, x[i]);
        svg_printf(o, ": %s</title></rect>\n", t);
    }
    close_svg(o);
}
