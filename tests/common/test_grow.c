#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "common/grow.h"

/* Room is made once per doubling, every item kept, and need within the room changes nothing. */
static void test_grow_doubles_and_keeps(void **state)
{
    (void)state;
    long *a = NULL;
    size_t cap = 0;
    assert_true(GROW(a, cap, 1));
    assert_int_equal(cap, 8);
    for (size_t i = 0; i < 100; i++) {
        assert_true(GROW(a, cap, i + 1));
        a[i] = (long)i * 3;
    }
    assert_int_equal(cap, 128);
    for (size_t i = 0; i < 100; i++)
        assert_int_equal(a[i], (long)i * 3);
    long *before = a;
    assert_true(GROW(a, cap, 128));
    assert_ptr_equal(a, before);
    assert_true(GROW(a, cap, 1000));
    assert_int_equal(cap, 1000);
    free(a);
}

/* A size that would overflow is refused, leaving the array as it was. */
static void test_grow_overflow(void **state)
{
    (void)state;
    char *a = NULL;
    size_t cap = 0;
    assert_true(GROW(a, cap, 10));
    size_t was = cap;
    assert_false(grow_array(&a, &cap, SIZE_MAX / 2, 4));
    assert_int_equal(cap, was);
    assert_non_null(a);
    free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grow_doubles_and_keeps),
        cmocka_unit_test(test_grow_overflow),
    };
    return cmocka_run_group_tests_name("common/grow", tests, NULL, NULL);
}
