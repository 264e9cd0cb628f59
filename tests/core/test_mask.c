#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/mask.h"

typedef bool (*mask_fn)(const char *, char *, size_t);

static void test_table(void **state)
{
    (void)state;
    static const struct {
        const char *fn, *in, *want;
    } cases[] = {
        {"name", "张三丰", "张*"},
        {"name", "Li Wei", "L*"},
        {"name", "*津水", "**"},
        {"name", "", ""},
        {"account", "6222021234567890123", "6222***********0123"},
        {"account", "zhang***@163.com", "zhan********.com"},
        {"account", "123456789", "1234*6789"},
        {"account", "12345678", "****5678"},
        {"account", "12345", "*2345"},
        {"account", "1234", "****"},
        {"account", "12", "**"},
        {"account", "", ""},
        {"account", "账户一二三四五六七", "账户一二*四五六七"},
        {"id", "110101199003071234", "110***********1234"},
        {"id", "11010119900307123X", "110***********123X"},
        {"id", "12345678", "123*5678"},
        {"id", "1234567", "*******"},
        {"id", "", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mask_fn fn = strcmp(cases[i].fn, "name") == 0      ? mask_name
                     : strcmp(cases[i].fn, "account") == 0 ? mask_account
                                                           : mask_id_number;
        char out[64];
        if (!fn(cases[i].in, out, sizeof out))
            fail_msg("mask_%s(\"%s\") failed", cases[i].fn, cases[i].in);
        if (strcmp(out, cases[i].want) != 0)
            fail_msg("mask_%s(\"%s\") = \"%s\", want \"%s\"", cases[i].fn, cases[i].in, out,
                     cases[i].want);
    }
}

static void test_small_buffer(void **state)
{
    (void)state;
    char out[8];
    assert_false(mask_account("6222021234567890", out, sizeof out));
    assert_string_equal(out, "");
    assert_true(mask_account("1234567", out, sizeof out)); /* 7 bytes + NUL fits */
    assert_string_equal(out, "***4567");
    assert_false(mask_name("张三", out, 4)); /* 3 bytes + '*' + NUL needs 5 */
    assert_true(mask_name("张三", out, 5));
    assert_string_equal(out, "张*");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_small_buffer),
    };
    return cmocka_run_group_tests_name("core/mask", tests, NULL, NULL);
}
