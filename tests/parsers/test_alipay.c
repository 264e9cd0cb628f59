#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "parsers/parse.h"
#include "tests/support/testutil.h"

/* Files parsed whole are fixture cases (tests/parsers/fixtures/alipay, run by
 * test_fixtures.sh); here: detection and bytes patched in memory. */

#define FIX "tests/parsers/fixtures/alipay/"

static void test_detect(void **state)
{
    (void)state;
    static const struct {
        const char *head;
        bool want;
    } cases[] = {
        {"#支付宝业务明细查询\n#账号：[1]\n", true},
        {"\xEF\xBB\xBF#支付宝账务明细查询\r\n", true},
        {"#\xD6\xA7\xB8\xB6\xB1\xA6\xD2\xB5\xCE\xF1\n", true}, /* GBK */
        {"支付宝交易号,商户订单号\n", false},
        {"#账号：[1]\n", false},
        {"", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (alipay_detect((const unsigned char *)cases[i].head, strlen(cases[i].head)) !=
            cases[i].want)
            fail_msg("alipay_detect case %zu: want %d", i, cases[i].want);
}

/* A NUL byte used to cut the 支付宝交易号 short (or leave it empty, first in the field). */
static void test_nul_rejected(void **state)
{
    (void)state;
    FILE *fp = fopen(FIX "trade.csv", "rb");
    assert_non_null(fp);
    char data[8192];
    size_t len = fread(data, 1, sizeof data, fp);
    fclose(fp);
    assert_true(len < sizeof data);
    data[len] = '\0';
    char *id = strstr(data, "2026030122001400001000000001");
    assert_non_null(id);
    static const size_t at[] = {8, 0};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        char copy[8192];
        memcpy(copy, data, len);
        copy[(size_t)(id - data) + at[i]] = '\0';
        collector c;
        err_t err;
        assert_int_equal(testutil_parse_memory("m.csv", copy, len, FORMAT_ALIPAY, NULL, &c, &err),
                         RECON_EDATA);
        char want[256];
        snprintf(want, sizeof want,
                 "m.csv: line 6: NUL byte at column %zu; hint: the file is damaged or not text",
                 at[i] + 1);
        assert_string_equal(err.msg, want);
        assert_int_equal(c.count, 0);
        collector_free(&c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detect),
        cmocka_unit_test(test_nul_rejected),
    };
    return cmocka_run_group_tests_name("parsers/alipay", tests, NULL, NULL);
}
