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

/* Text is stored and printed as UTF-8: bytes that are not become U+FFFD in free text
 * (noted), while an identifier or account with such bytes refuses the file. */
static void test_invalid_utf8(void **state)
{
    (void)state;
    static const struct {
        const char *find, *repl;
        const char *msg;   /* NULL: read */
        const char *remit; /* first receipt's remittance when read */
        size_t pushed;
    } cases[] = {
        {"保费 P2026000123", "\xE4\xBF P2026000123", NULL,
         "\xEF\xBF\xBD\xEF\xBF\xBD P2026000123; policy=P2026000123", 3}, /* 商品名称, cut short */
        {"policy=P2026000123", "policy=\xFF", NULL, "保费 P2026000123; policy=\xEF\xBF\xBD", 3},
        {"oUpF8uMuAJO_M2pxb1Q9zNjWe456", "oUpF8u\xC0\xAF", /* overlong '/' in 用户标识 */
         "m.csv: line 3: invalid UTF-8 in 用户标识; hint: GBK text in a UTF-8 file?", NULL, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        collector c;
        err_t err;
        size_t col = 0;
        recon_status st = run_patched(cases[i].find, cases[i].repl, strlen(cases[i].repl), &c,
                                      &err, &col);
        if (cases[i].msg == NULL) {
            if (st != RECON_OK)
                fail_msg("case %zu: status %d (%s)", i, st, err.msg);
            assert_string_equal(c.receipts[0].remittance, cases[i].remit);
            assert_string_equal(c.receipts[0].note,
                                "invalid utf-8 in the row's text replaced with U+FFFD");
            assert_string_equal(c.receipts[1].note, "");
            assert_int_equal(c.stmt_count, 1);
        } else {
            assert_int_equal(st, RECON_EDATA);
            assert_string_equal(err.msg, cases[i].msg);
            assert_int_equal(c.stmt_count, 0);
        }
        assert_int_equal(c.count, cases[i].pushed);
        collector_free(&c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detect),
        cmocka_unit_test(test_nul_rejected),
        cmocka_unit_test(test_invalid_utf8),
    };
    return cmocka_run_group_tests_name("parsers/wechat", tests, NULL, NULL);
}
