#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/currency.h"

static void test_codes(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        bool ok;
    } cases[] = {
        {"CNY", true},  {"USD", true},  {"XXX", true},   {"cny", false}, {"Cny", false},
        {"CN", false},  {"CNYY", false}, {"", false},    {"C1Y", false}, {"CN ", false},
        {"人", false},  {"ＣNY", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (currency_code_valid(cases[i].text) != cases[i].ok)
            fail_msg("currency_code_valid(\"%s\") = %d, want %d", cases[i].text, !cases[i].ok,
                     cases[i].ok);
        if (currency_code_valid_n(cases[i].text, strlen(cases[i].text)) != cases[i].ok)
            fail_msg("currency_code_valid_n(\"%s\") disagrees", cases[i].text);
    }
}

static void test_counted_prefix(void **state)
{
    (void)state;
    /* "CNY 13.50": the code is judged on its own three bytes. */
    assert_true(currency_code_valid_n("CNY 13.50", 3));
    assert_false(currency_code_valid_n("CNY 13.50", 4));
    assert_false(currency_code_valid_n("13.50", 3));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codes),
        cmocka_unit_test(test_counted_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
