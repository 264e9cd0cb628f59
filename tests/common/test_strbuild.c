#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "common/strbuild.h"

/* "Stmt[12]/Ntry[-3]" built piece by piece into cap bytes, as the callers build positions. */
static void build(char *out, size_t cap, const char *name, long a, long b)
{
    strbuild sb = strbuild_start(out, cap);
    strbuild_str(&sb, name);
    strbuild_char(&sb, '[');
    strbuild_long(&sb, a);
    strbuild_str(&sb, "]/Ntry[");
    strbuild_long(&sb, b);
    strbuild_char(&sb, ']');
    assert_true(cap == 0 || sb.len == strlen(out));
}

/* Every size from 0 to past the whole: the same bytes and the same cut as snprintf. */
static void test_same_as_snprintf(void **state)
{
    (void)state;
    const long values[][2] = {{1, 3}, {12, -3}, {0, 0}, {LONG_MAX, LONG_MIN}, {-1, 987654321}};
    for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
        char whole[128];
        int n = snprintf(whole, sizeof whole, "%s[%ld]/Ntry[%ld]", "Stmt", values[v][0],
                         values[v][1]);
        assert_true(n > 0 && (size_t)n < sizeof whole);
        for (size_t cap = 0; cap <= (size_t)n + 2; cap++) {
            char want[128], got[128];
            memset(want, 'x', sizeof want);
            memset(got, 'x', sizeof got);
            snprintf(want, cap, "%s[%ld]/Ntry[%ld]", "Stmt", values[v][0], values[v][1]);
            build(got, cap, "Stmt", values[v][0], values[v][1]);
            assert_memory_equal(want, got, sizeof want); /* nothing written past cap either */
        }
    }
}

static void test_mem_stops_at_cap(void **state)
{
    (void)state;
    char out[6];
    strbuild sb = strbuild_start(out, sizeof out);
    strbuild_mem(&sb, "abc", 3);
    strbuild_mem(&sb, "defgh", 5);
    strbuild_str(&sb, "ijk");
    assert_string_equal(out, "abcde");
    assert_int_equal(sb.len, 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_snprintf),
        cmocka_unit_test(test_mem_stops_at_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
