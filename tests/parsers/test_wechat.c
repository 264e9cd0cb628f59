#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/parse.h"
#include "tests/support/testutil.h"

/* Files parsed whole are fixture cases (tests/parsers/fixtures/wechat, run by
 * test_fixtures.sh); here: detection and bytes patched in memory. */

#define FIX "tests/parsers/fixtures/wechat/"

static void test_detect(void **state)
{
    (void)state;
    static const struct {
        const char *head;
        bool want;
    } cases[] = {
        {"交易时间,公众账号ID,商户号,微信订单号,商户订单号\n`2019", true},
        {"\xEF\xBB\xBF交易时间,公众账号ID,商户号,微信订单号,交易状态\r\n", true},
        {"交易时间,公众账号ID,商户号\n,微信订单号,", false}, /* second column on line 2 */
        {"交易时间,商户号,微信订单号\n", false},
        {"支付宝交易号,商户订单号\n", false},
        {"", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (wechat_detect((const unsigned char *)cases[i].head, strlen(cases[i].head)) !=
            cases[i].want)
            fail_msg("wechat_detect case %zu: want %d", i, cases[i].want);
}

/* all_mixed.csv with the first occurrence of `find` replaced by `repl` (rlen bytes),
 * parsed from memory as "m.csv"; *column is the 1-based byte of the replacement
 * within its line. */
static recon_status run_patched(const char *find, const char *repl, size_t rlen, collector *c,
                                err_t *err, size_t *column)
{
    FILE *fp = fopen(FIX "all_mixed.csv", "rb");
    assert_non_null(fp);
    char orig[8192];
    size_t len = fread(orig, 1, sizeof orig, fp);
    fclose(fp);
    assert_true(len < sizeof orig);
    orig[len] = '\0';
    const char *at = strstr(orig, find);
    assert_non_null(at);
    size_t pos = (size_t)(at - orig), flen = strlen(find);
    char *data = malloc(len - flen + rlen);
    memcpy(data, orig, pos);
    memcpy(data + pos, repl, rlen);
    memcpy(data + pos + rlen, orig + pos + flen, len - pos - flen);
    size_t bol = pos;
    while (bol > 0 && orig[bol - 1] != '\n')
        bol--;
    *column = pos - bol + 1;

    recon_status st =
        testutil_parse_memory("m.csv", data, len - flen + rlen, FORMAT_WECHAT, NULL, c, err);
    free(data);
    return st;
}

/* A NUL byte used to cut the order id short ("42000012\0..." stored as "42000012"). */
static void test_nul_rejected(void **state)
{
    (void)state;
    collector c;
    err_t err;
    size_t col = 0;
    static const char repl[] = "42000012\0\0342";
    recon_status st = run_patched("4200001234202603011234567890", repl, sizeof repl - 1, &c,
                                  &err, &col);
    assert_int_equal(st, RECON_EDATA);
    char want[256];
    snprintf(want, sizeof want,
             "m.csv: line 2: NUL byte at column %zu; hint: the file is damaged or not text",
             col + 8);
    assert_string_equal(err.msg, want);
    assert_int_equal(c.count, 0);
    assert_int_equal(c.stmt_count, 0);
    collector_free(&c);
}

/* Text fields are stored and printed as they are: they must be UTF-8. */
static void test_invalid_utf8_rejected(void **state)
{
    (void)state;
    static const struct {
        const char *find, *repl;
        size_t bad_at; /* first invalid byte within repl */
        const char *line;
        size_t pushed;
    } cases[] = {
        {"保费 P2026000123", "\xE4\xBF P2026000123", 0, "line 2", 0}, /* 商品名称, cut short */
        {"policy=P2026000123", "policy=\xFF", 7, "line 2", 0},        /* 商户数据包 */
        {"oUpF8uMuAJO_M2pxb1Q9zNjWe456", "oUpF8u\xC0\xAF", 6, "line 3", 1}, /* overlong '/' */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        collector c;
        err_t err;
        size_t col = 0;
        recon_status st = run_patched(cases[i].find, cases[i].repl, strlen(cases[i].repl), &c,
                                      &err, &col);
        if (st != RECON_EDATA)
            fail_msg("case %zu: status %d (%s)", i, st, err.msg);
        size_t bad = col + cases[i].bad_at;
        char want[256];
        snprintf(want, sizeof want, "m.csv: %s: invalid UTF-8 byte sequence at byte %zu",
                 cases[i].line, bad);
        assert_string_equal(err.msg, want);
        assert_int_equal(c.count, cases[i].pushed);
        assert_int_equal(c.stmt_count, 0);
        collector_free(&c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detect),
        cmocka_unit_test(test_nul_rejected),
        cmocka_unit_test(test_invalid_utf8_rejected),
    };
    return cmocka_run_group_tests_name("parsers/wechat", tests, NULL, NULL);
}
