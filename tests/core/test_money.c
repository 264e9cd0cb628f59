#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/money.h"

static void test_parse(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        money_result want;
        fen_t fen;
    } cases[] = {
        {"30", MONEY_OK, 3000},           {"30.5", MONEY_OK, 3050},
        {"30.50", MONEY_OK, 3050},        {"1,234.56", MONEY_OK, 123456},
        {"-30.00", MONEY_OK, -3000},      {"+13.50", MONEY_OK, 1350},
        {"0.01", MONEY_OK, 1},            {".5", MONEY_OK, 50},
        {"1,234,567.00", MONEY_OK, 123456700},
        {"30.005", MONEY_SYNTAX, 0},      {"abc", MONEY_SYNTAX, 0},
        {"", MONEY_SYNTAX, 0},            {"-", MONEY_SYNTAX, 0},
        {"1,23.00", MONEY_SYNTAX, 0},     {"12,3456", MONEY_SYNTAX, 0},
        {"30.00.1", MONEY_SYNTAX, 0},     {"30 ", MONEY_SYNTAX, 0},
        {"99999999999999999999", MONEY_RANGE, 0},
        {"1000000000000000.01", MONEY_RANGE, 0},
        /* the load bound: 10^12 yuan, in either direction */
        {"1000000000000.00", MONEY_OK, 100000000000000},
        {"-1000000000000", MONEY_OK, -100000000000000},
        {"1000000000000.01", MONEY_RANGE, 0},
        {"-1000000000000.01", MONEY_RANGE, 0},
        {"999999999999999.99", MONEY_RANGE, 0},
        {"1,000,000,000,000.01", MONEY_RANGE, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fen_t v = 0;
        money_result r = money_parse(cases[i].text, strlen(cases[i].text), &v);
        if (r != cases[i].want)
            fail_msg("money_parse(\"%s\") = %s, want %s", cases[i].text, money_result_str(r),
                     money_result_str(cases[i].want));
        if (r == MONEY_OK)
            assert_int_equal(v, cases[i].fen);
    }
}

static void test_parse_options(void **state)
{
    (void)state;
    money_format_opts mt940 = {',', 0, false, 2};
    money_format_opts camt = {'.', 0, false, 5};
    fen_t v = 0;
    assert_int_equal(money_parse_opts("15,", 3, &mt940, &v), MONEY_OK);
    assert_int_equal(v, 1500);
    assert_int_equal(money_parse_opts("00,12", 5, &mt940, &v), MONEY_OK);
    assert_int_equal(v, 12);
    assert_int_equal(money_parse_opts("30.50000", 8, &camt, &v), MONEY_OK);
    assert_int_equal(v, 3050);
    assert_int_equal(money_parse_opts("30.005", 6, &camt, &v), MONEY_PRECISION);
    assert_int_equal(money_parse_opts("30.000001", 9, &camt, &v), MONEY_SYNTAX);
}

static void test_format(void **state)
{
    (void)state;
    static const struct {
        fen_t v;
        const char *text;
    } cases[] = {{0, "0.00"}, {1, "0.01"}, {-1, "-0.01"}, {3050, "30.50"},
                 {-123456, "-1234.56"}, {INT64_MIN, "-92233720368547758.08"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[MONEY_STR_SIZE];
        money_format(cases[i].v, out);
        assert_string_equal(out, cases[i].text);
    }
}

static void test_mul_div_round_half_up(void **state)
{
    (void)state;
    assert_int_equal(money_mul_div_round(3100, 21, 31), 2100);
    assert_int_equal(money_mul_div_round(36500, 197, 365), 19700);
    assert_int_equal(money_mul_div_round(1, 1, 2), 1);      /* 0.5 fen rounds up */
    assert_int_equal(money_mul_div_round(3, 1, 2), 2);      /* 1.5 -> 2 */
    assert_int_equal(money_mul_div_round(1, 1, 3), 0);      /* 0.33 -> 0 */
    assert_int_equal(money_mul_div_round(-1, 1, 2), -1);    /* half away from zero */
    assert_int_equal(money_mul_div_round(MONEY_MAX_FEN, 365, 365), MONEY_MAX_FEN);
}

static void test_add(void **state)
{
    (void)state;
    static const struct {
        fen_t total, v;
        bool ok;
        fen_t result; /* the total after the call: unchanged on overflow */
    } cases[] = {{0, 3000, true, 3000},
                 {3000, -5000, true, -2000},
                 {INT64_MAX - 1, 1, true, INT64_MAX},
                 {INT64_MAX, 1, false, INT64_MAX},
                 {INT64_MIN + 1, -1, true, INT64_MIN},
                 {INT64_MIN, -1, false, INT64_MIN},
                 {INT64_MIN, INT64_MAX, true, -1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fen_t total = cases[i].total;
        assert_int_equal(money_add(&total, cases[i].v), cases[i].ok);
        assert_int_equal(total, cases[i].result);
    }
}

static void test_add_magnitude(void **state)
{
    (void)state;
    fen_t total = 0;
    assert_true(money_add_magnitude(&total, -3000));
    assert_true(money_add_magnitude(&total, 1000));
    assert_int_equal(total, 4000);
    total = MONEY_MAX_SUM_FEN - 1;
    assert_true(money_add_magnitude(&total, -1));
    assert_int_equal(total, MONEY_MAX_SUM_FEN);
    assert_false(money_add_magnitude(&total, 1));
    assert_int_equal(total, MONEY_MAX_SUM_FEN);
    total = 0;
    assert_false(money_add_magnitude(&total, INT64_MIN));
    assert_false(money_add_magnitude(&total, INT64_MAX));
    assert_int_equal(total, 0);
    /* the overflow measured in issue 11: 100 receipts of 999999999999999.99 */
    total = 0;
    bool ok = true;
    for (int i = 0; i < 100 && ok; i++)
        ok = money_add_magnitude(&total, 99999999999999999LL);
    assert_false(ok);
    assert_true(total <= MONEY_MAX_SUM_FEN);
}

static void test_bound(void **state)
{
    (void)state;
    assert_true(money_within_bound(MONEY_MAX_FEN));
    assert_true(money_within_bound(-MONEY_MAX_FEN));
    assert_false(money_within_bound(MONEY_MAX_FEN + 1));
    assert_false(money_within_bound(-MONEY_MAX_FEN - 1));
    assert_false(money_within_bound(INT64_MIN));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_parse_options),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_mul_div_round_half_up),
        cmocka_unit_test(test_add),
        cmocka_unit_test(test_add_magnitude),
        cmocka_unit_test(test_bound),
    };
    return cmocka_run_group_tests_name("core/money", tests, NULL, NULL);
}
