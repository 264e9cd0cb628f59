#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "common/vargs.h"

static void format_into(char *out, size_t cap, const char *fmt, ...)
{
    VARGS_FORMAT(out, cap, fmt);
}

/* The arguments after fmt are formatted in order; a small buffer keeps the front, always
 * NUL-terminated; the macro is one statement (it can stand as an if's body). */
static void test_format(void **state)
{
    (void)state;
    char out[16];
    format_into(out, sizeof out, "%s %d %lld", "line", 7, (long long)-3);
    assert_string_equal(out, "line 7 -3");
    format_into(out, 6, "%s", "abcdefgh");
    assert_string_equal(out, "abcde");
    memset(out, 'x', sizeof out);
    format_into(out, 1, "%s", "abc");
    assert_int_equal(out[0], '\0');
    if (out[0] == '\0')
        format_into(out, sizeof out, "no arguments");
    else
        fail();
    assert_string_equal(out, "no arguments");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
