#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "reports/page.h"
#include "reports/svg.h"

static const char good[] = "<head>" PAGE_FIGURES_BEGIN "date 2026-06-01\n"
                           "money_in 8000\nallocated 7000\nsuspense -5\nrefunds 0\npolicies 13\n"
                           "files 2\nrefused 1\n"
                           "status pending 0\nstatus in_force 9\nstatus grace 1\n"
                           "status suspended 1\nstatus terminated 0\nstatus expired 0\n"
                           "status not_effective 1\nstatus cancelled 1\n" PAGE_FIGURES_END;

static const char *parse_with(const char *from, const char *to)
{
    char text[sizeof good + 64];
    const char *at = strstr(good, from);
    assert_non_null(at);
    snprintf(text, sizeof text, "%.*s%s%s", (int)(at - good), good, to, at + strlen(from));
    page_figures f;
    return page_figures_parse(text, strlen(text), "2026-06-01", &f);
}

static void figures_block_read_back(void **state)
{
    (void)state;
    page_figures f;
    assert_null(page_figures_parse(good, strlen(good), "2026-06-01", &f));
    assert_int_equal(f.v[0], 8000);
    assert_int_equal(f.v[2], -5);
    assert_int_equal(f.v[6], 1);
    assert_int_equal(f.status[1], 9);
    assert_int_equal(f.status[7], 1);
}

static void figures_block_refused(void **state)
{
    (void)state;
    page_figures f;
    assert_non_null(page_figures_parse(good, strlen(good), "2026-06-02", &f));
    assert_non_null(page_figures_parse(good, strlen(good) - 3, "2026-06-01", &f)); /* cut */
    assert_non_null(page_figures_parse("<html>", 6, "2026-06-01", &f));
    assert_non_null(parse_with("money_in 8000", "money_in 99999999999999999999"));
    assert_non_null(parse_with("money_in 8000", "money_in 9223372036854775808"));
    assert_non_null(parse_with("money_in 8000", "money_in 80x0"));
    assert_non_null(parse_with("money_in 8000", "money_in "));
    assert_non_null(parse_with("money_in 8000", "money_in -"));
    assert_non_null(parse_with("money_in 8000\nallocated", "allocated 1\nmoney_in 8000\nx"));
    assert_non_null(parse_with("status grace 1", "status grace -1"));
    assert_non_null(parse_with("status grace 1", "status sleeping 1"));
    assert_non_null(parse_with("refused 1\n", "refused 1\r\n"));
    assert_null(parse_with("money_in 8000", "money_in 9223372036854775807"));
}

static void text_is_escaped(void **state)
{
    (void)state;
    svg_out o = {BUF_INIT, false};
    svg_text(&o, "<script>alert('x')</script> & \"q\"\x01\xe5\xbc\xa0");
    assert_false(o.failed);
    assert_string_equal(o.buf.data, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; "
                                     "&quot;q&quot; \xe5\xbc\xa0");
    buf_free(&o.buf);
}

static void chart_labels_escaped_and_stable(void **state)
{
    (void)state;
    svg_out a = {BUF_INIT, false}, b = {BUF_INIT, false};
    svg_bar bars[2] = {{"<b>", 3, "3 & more"}, {"x", 1, "1"}};
    svg_chart c = {"t", "T<", "D>", SVG_COUNT};
    svg_hbars(&a, &c, bars, 2);
    svg_hbars(&b, &c, bars, 2);
    assert_string_equal(a.buf.data, b.buf.data);
    assert_non_null(strstr(a.buf.data, "&lt;b&gt;"));
    assert_non_null(strstr(a.buf.data, "<title id=\"t-t\">T&lt;</title>"));
    assert_non_null(strstr(a.buf.data, "<desc id=\"t-d\">D&gt;</desc>"));
    /* the largest bar is full length, the other a third of it */
    assert_non_null(strstr(a.buf.data, "width=\"210\""));
    assert_non_null(strstr(a.buf.data, "width=\"70\""));
    assert_null(strstr(a.buf.data, "<b>"));
    buf_free(&a.buf);
    buf_free(&b.buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(figures_block_read_back),
        cmocka_unit_test(figures_block_refused),
        cmocka_unit_test(text_is_escaped),
        cmocka_unit_test(chart_labels_escaped_and_stable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
