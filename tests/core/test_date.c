#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/date.h"

static void test_parse_strict(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int ok;
    } cases[] = {
        {"2026-01-15", 1}, {"2024-02-29", 1}, {"2026-02-29", 0}, {"2026-02-30", 0},
        {"2026-13-01", 0}, {"2026-00-10", 0}, {"2026-1-15", 0},  {"2026/01/15", 0},
        {"20260115", 0},   {"", 0},           {"2026-01-15x", 0}, {"2100-02-29", 0},
        {"2000-02-29", 1}, {"2026-04-31", 0}, {"2026-12-31", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        date_t d;
        int ok = date_parse(cases[i].text, strlen(cases[i].text), &d);
        if (ok != cases[i].ok)
            fail_msg("date_parse(\"%s\") = %d, want %d", cases[i].text, ok, cases[i].ok);
        if (ok) {
            char out[DATE_STR_SIZE];
            date_format(d, out);
            assert_string_equal(out, cases[i].text);
        }
    }
}

static void test_roundtrip_every_day(void **state)
{
    (void)state;
    date_t start = date_from_ymd(1990, 1, 1), end = date_from_ymd(2110, 12, 31);
    int py = 1989, pm = 12, pd = 31;
    for (date_t d = start; d <= end; d++) {
        int y, m, dd;
        date_to_ymd(d, &y, &m, &dd);
        assert_int_equal(date_from_ymd(y, m, dd), d);
        /* consecutive days advance the calendar by exactly one day */
        if (dd == 1)
            assert_true(pd == date_days_in_month(py, pm));
        else
            assert_int_equal(dd, pd + 1);
        py = y;
        pm = m;
        pd = dd;
    }
    assert_int_equal(date_from_ymd(1970, 1, 1), 0);
}

static void test_add_months_clause(void **state)
{
    (void)state;
    static const struct {
        const char *start;
        int months;
        const char *want;
    } cases[] = {
        {"2026-01-15", 1, "2026-02-15"}, {"2026-01-31", 1, "2026-03-01"},
        {"2026-01-31", 2, "2026-03-31"}, {"2026-01-31", 3, "2026-05-01"},
        {"2024-01-30", 1, "2024-03-01"}, {"2024-01-29", 1, "2024-02-29"},
        {"2026-03-29", 11, "2027-03-01"}, {"2026-12-15", 1, "2027-01-15"},
        {"2024-02-29", 12, "2025-03-01"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        date_t d;
        assert_true(date_parse(cases[i].start, 10, &d));
        char out[DATE_STR_SIZE];
        date_format(date_add_months_clause(d, cases[i].months), out);
        assert_string_equal(out, cases[i].want);
    }
}

static void test_digits(void **state)
{
    (void)state;
    int v = -1;
    assert_true(date_digits("2026", 4, &v));
    assert_int_equal(v, 2026);
    assert_true(date_digits("0907x", 2, &v)); /* only n bytes are read */
    assert_int_equal(v, 9);
    assert_true(date_digits("123456789", 9, &v));
    assert_int_equal(v, 123456789);
    v = -1;
    assert_false(date_digits("2a", 2, &v));
    assert_false(date_digits(" 1", 2, &v));
    assert_false(date_digits("-1", 2, &v));
    assert_int_equal(v, -1); /* untouched on failure */
    assert_true(date_digits("", 0, &v));
    assert_int_equal(v, 0);
}

static void test_parse_datetime(void **state)
{
    (void)state;
    enum { PLAIN = 0, SHORT = DATE_TIME_SECONDS_OPTIONAL, WIDE = DATE_TIME_WIDE_COLON };
    static const struct {
        const char *text;
        unsigned flags;
        const char *want; /* NULL: refused */
    } cases[] = {
        {"2019-08-29 09:45:50", PLAIN, "2019-08-29"},
        {"2019-08-29 23:59:59", PLAIN, "2019-08-29"},
        {"2019-08-29 00:00:00", PLAIN, "2019-08-29"},
        {"2019-08-29 24:00:00", PLAIN, NULL},
        {"2019-08-29 09:60:00", PLAIN, NULL},
        {"2019-08-29 09:45:60", PLAIN, NULL},
        {"2019-02-29 09:45:50", PLAIN, NULL},
        {"2019-08-29T09:45:50", PLAIN, NULL},
        {"2019-08-29  09:45:50", PLAIN, NULL},
        {"2019-08-29 9:45:50", PLAIN, NULL},
        {"2019-08-29 09:45:50 ", PLAIN, NULL},
        {"2019-08-29 09:45:5", PLAIN, NULL},
        {"2019-08-29 09-45-50", PLAIN, NULL},
        {"2019-08-29", PLAIN, NULL},
        {"2019-08-29 ", PLAIN, NULL},
        {"", PLAIN, NULL},
        /* seconds may be left off where the bill does so (Alipay) */
        {"2019-09-16 10:55", PLAIN, NULL},
        {"2019-09-16 10:55", SHORT, "2019-09-16"},
        {"2019-09-16 10:55:23", SHORT, "2019-09-16"},
        {"2019-09-16 10:55:", SHORT, NULL},
        {"2019-09-16 10:55:2", SHORT, NULL},
        {"2019-09-16 10", SHORT, NULL},
        {"2019-09-16 10:55：23", SHORT, NULL},
        /* full-width colons where the bill writes them (WeChat 2014) */
        {"2014-10-21 09：05：07", WIDE, "2014-10-21"},
        {"2014-10-21 09:05：07", WIDE, "2014-10-21"},
        {"2014-10-21 09：05：07", PLAIN, NULL},
        {"2014-10-21 09：05", WIDE, NULL},
        {"2014-10-21 09\xEF\xBC" "", WIDE, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        date_t d = DATE_NONE;
        bool ok = date_parse_datetime(cases[i].text, strlen(cases[i].text), cases[i].flags, &d);
        if (ok != (cases[i].want != NULL))
            fail_msg("date_parse_datetime(\"%s\", %u) = %d", cases[i].text, cases[i].flags, ok);
        char out[DATE_STR_SIZE];
        date_format(d, out);
        assert_string_equal(out, ok ? cases[i].want : "");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_strict),
        cmocka_unit_test(test_roundtrip_every_day),
        cmocka_unit_test(test_add_months_clause),
        cmocka_unit_test(test_parse_datetime),
        cmocka_unit_test(test_digits),
    };
    return cmocka_run_group_tests_name("core/date", tests, NULL, NULL);
}
