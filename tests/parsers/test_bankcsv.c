#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/bankprofile.h"
#include "parsers/parse.h"
#include "tests/support/testutil.h"

/* Files parsed whole are fixture cases (tests/parsers/fixtures/bankcsv) and samples.list
 * lines, run by test_fixtures.sh; here: detection, rows built in memory, profiles. */
#define FIX "tests/parsers/fixtures/bankcsv/profiles/"

static recon_status parse_text(const char *text, size_t len, const char *profile, collector *c,
                               err_t *err)
{
    parse_options opts = {.bank_profile = profile, .profile_dir = "profiles"};
    return testutil_parse_memory("m.csv", text, len, FORMAT_BANKCSV, &opts, c, err);
}

static void test_detect_samples(void **state)
{
    (void)state;
    static const char *const files[] = {
        "deg__abc_debit_example-abc_debit-records.csv",
        "deg__boc_debit_example-boc-records.csv",
        "deg__cmb_debit_example-cmb-records.csv",
        "deg__icbc_debit-v2_example-icbc-debit-v2-records.csv",
    };
    const char *dir = testutil_samples_dir();
    if (dir == NULL)
        skip();
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/cn_bank_csv/%s", dir, files[i]);
        instream_t *in = NULL;
        err_t err;
        const unsigned char *head;
        size_t len;
        assert_int_equal(instream_open(path, &in, &err), RECON_OK);
        assert_int_equal(instream_peek(in, &head, &len, &err), RECON_OK);
        assert_true(bankcsv_detect(head, len));
        assert_int_equal(format_detect(head, len), FORMAT_BANKCSV);
        instream_close(in);
    }
    static const char other[] = "交易时间,金额\n2026-01-01,1.00\n";
    assert_false(bankcsv_detect((const unsigned char *)other, sizeof other - 1));
}

static size_t to_gbk(const char *utf8, char *out, size_t cap)
{
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    char *in = (char *)utf8, *o = out;
    size_t in_left = strlen(utf8), out_left = cap;
    size_t r = iconv(cd, &in, &in_left, &o, &out_left);
    iconv_close(cd);
    assert_true(r != (size_t)-1);
    return cap - out_left;
}

static void test_failures(void **state)
{
    (void)state;
    static const char plain_head[] = "日期,时间,收入,支出,余额,对方,摘要\n";
    static const char dir_head[] = "t\n账号:1\n日期,借贷标志,金额,币种,流水号,对方户名,用途\n";
    static const struct {
        const char *profile, *head, *body, *want;
        size_t pushed;
    } cases[] = {
        {"plain", "", "日期,时间,收入,支出,余额,对方\n",
         "m.csv: line 1: header has no column '摘要' of bank profile plain; hint: check "
         "skip_lines in " FIX "plain.profile", 0},
        {"plain", plain_head, "2026-02-30,,1.00,,,x,y\n",
         "m.csv: line 2: date '2026-02-30' is not a valid yyyy-mm-dd date", 0},
        {"plain", plain_head, "2026-02-01,,1.005,,,x,y\n",
         "m.csv: line 2: 收入 '1.005': not a decimal amount", 0},
        {"plain", plain_head, "2026-02-01,,1.00,2.00,,x,y\n",
         "m.csv: line 2: both 收入 and 支出 hold an amount", 0},
        {"plain", plain_head, "2026-02-01,,,,,x,y\n",
         "m.csv: line 2: neither 收入 nor 支出 holds an amount", 0},
        {"plain", plain_head, "2026-02-01,25:00:00,1.00,,,x,y\n",
         "m.csv: line 2: time '25:00:00' is not hhmmss or hh:mm:ss", 0},
        {"plain", plain_head, "2026-02-01,,1.00,,abc,x,y\n",
         "m.csv: line 2: 余额 'abc': not a decimal amount", 0},
        {"plain", plain_head, "2026-02-01,,\"1.00,,,x,y\n",
         "m.csv: line 2: malformed CSV (stray or unclosed quote)", 0},
        {"plain", plain_head, "2026-02-01,,1.00,,,\xff,y\n",
         "m.csv: line 2: invalid UTF-8 byte sequence at byte 20", 0},
        {"plain", plain_head, "2026-02-01,,1.00,,,x,y\n合计,,5.00,0.00,,,\n",
         "m.csv: line 3: trailer total 5.00 of 收入 does not match the rows' 1.00; hint: the "
         "file may be truncated or edited", 1},
        {"plain", plain_head, "2026-02-01,,1.00,,,x,y\n2026-02-02,,2.00,,,x,y\n",
         "m.csv: line 3: no trailer line (合计); hint: the file may be truncated", 2},
        {"plain", plain_head, "2026-02-01,,1.00,,,x,y\n2026-02-01,,-1.00,,,x,y\n",
         "m.csv: line 3: negative amount in 收入", 1},
        {"dirccy", dir_head, "2026/01/15,贷,USD 13.50,人民币,S1,a,b\n",
         "m.csv: line 4: 金额 'USD 13.50' is in USD, the row in CNY", 0},
        {"dirccy", dir_head, "2026/01/15,收,13.50,CNY,S1,a,b\n",
         "m.csv: line 4: 借贷标志 '收' is neither a credit nor a debit value of bank profile "
         "dirccy", 0},
        {"dirccy", dir_head, "2026/01/15,贷,-13.50,CNY,S1,a,b\n",
         "m.csv: line 4: 金额 '-13.50' is signed although 借贷标志 gives the direction", 0},
        {"dirccy", dir_head, "2026-01-15,贷,13.50,CNY,S1,a,b\n",
         "m.csv: line 4: date '2026-01-15' is not a valid yyyy/mm/dd date", 0},
        {"dirccy", dir_head, "2026/01/15,贷,13.50,元,S1,a,b\n",
         "m.csv: line 4: unknown currency '元'", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[4096], profile[256];
        size_t len;
        snprintf(profile, sizeof profile, FIX "%s.profile", cases[i].profile);
        snprintf(text, sizeof text, "%s%s", cases[i].head, cases[i].body);
        if (strcmp(cases[i].profile, "dirccy") == 0) {
            char gbk[4096];
            len = to_gbk(text, gbk, sizeof gbk);
            memcpy(text, gbk, len);
        } else {
            len = strlen(text);
        }
        collector c;
        err_t err;
        err_clear(&err);
        recon_status st = parse_text(text, len, profile, &c, &err);
        if (st != RECON_EDATA)
            fail_msg("case %zu: status %d (%s)", i, st, err.msg);
        if (strcmp(err.msg, cases[i].want) != 0)
            fail_msg("case %zu: got \"%s\", want \"%s\"", i, err.msg, cases[i].want);
        assert_int_equal(c.count, cases[i].pushed);
        assert_int_equal(c.stmt_count, 0);
        collector_free(&c);
    }

    /* invalid GB18030 and an over-long payer */
    {
        char text[4096];
        size_t len = to_gbk(dir_head, text, sizeof text);
        memcpy(text + len, "\x81\x20,x\n", 5);
        collector c;
        err_t err;
        assert_int_equal(parse_text(text, len + 5, FIX "dirccy.profile", &c, &err), RECON_EDATA);
        assert_string_equal(err.msg, "m.csv: line 4: invalid GB18030 byte sequence at byte 1");
        collector_free(&c);
    }
    /* a NUL byte used to cut the payer "甲\0公司" short to "甲" */
    {
        static const char row[] = "2026-02-01,,1.00,,,甲\0公司,y\n";
        char text[4096];
        size_t hl = strlen(plain_head);
        memcpy(text, plain_head, hl);
        memcpy(text + hl, row, sizeof row - 1);
        collector c;
        err_t err;
        assert_int_equal(parse_text(text, hl + sizeof row - 1, FIX "plain.profile", &c, &err),
                         RECON_EDATA);
        assert_string_equal(err.msg, "m.csv: line 2: NUL byte at column 23; hint: the file is "
                                     "damaged or not text");
        assert_int_equal(c.count, 0);
        collector_free(&c);
    }
    /* ... also in the export notes after the trailer, which are not data */
    {
        static const char rows[] = "2026-02-01,,1.00,,,x,y\n合计,,1.00,0.00,,,\n导出\0说明\n";
        char text[4096];
        size_t hl = strlen(plain_head);
        memcpy(text, plain_head, hl);
        memcpy(text + hl, rows, sizeof rows - 1);
        collector c;
        err_t err;
        assert_int_equal(parse_text(text, hl + sizeof rows - 1, FIX "plain.profile", &c, &err),
                         RECON_EDATA);
        assert_string_equal(err.msg, "m.csv: line 4: NUL byte at column 7; hint: the file is "
                                     "damaged or not text");
        assert_int_equal(c.stmt_count, 0);
        collector_free(&c);
    }
    {
        char text[4096];
        int n = snprintf(text, sizeof text, "%s2026-02-01,,1.00,,,%0300d,y\n", plain_head, 0);
        collector c;
        err_t err;
        assert_int_equal(parse_text(text, (size_t)n, FIX "plain.profile", &c, &err), RECON_EDATA);
        assert_string_equal(err.msg, "m.csv: line 2: payer longer than 279 bytes");
        collector_free(&c);
    }
}

static void test_profile_errors(void **state)
{
    (void)state;
    /* broken profile files: fixture cases bankcsv/profile_* */
    static const struct {
        const char *name;
        recon_status status;
        const char *want;
    } cases[] = {
        {"nosuch", RECON_EUSAGE,
         "no bank profile 'nosuch' (looked for profiles/nosuch.profile); hint: --profile-dir DIR "
         "or a path to a .profile file"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bankprofile_t *p = NULL;
        err_t err;
        err_clear(&err);
        assert_int_equal(bankprofile_find(cases[i].name, "profiles", &p, &err), cases[i].status);
        assert_null(p);
        assert_string_equal(err.msg, cases[i].want);
    }
    /* every shipped profile loads */
    bankprofile_t **all = NULL;
    size_t count = 0;
    err_t err;
    assert_int_equal(bankprofile_load_all("profiles", &all, &count, &err), RECON_OK);
    assert_int_equal(count, 4);
    assert_string_equal(all[0]->name, "abc");
    assert_string_equal(all[3]->name, "icbc");
    assert_int_equal(all[3]->skip_lines, 6);
    assert_string_equal(all[3]->balance_masks.item[0], "xx,yyyy.zz");
    assert_true(bankprofile_column_eq("日 志 号", "日志号"));
    bankprofile_free_all(all, count);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detect_samples),
        cmocka_unit_test(test_failures),
        cmocka_unit_test(test_profile_errors),
    };
    return cmocka_run_group_tests_name("parsers/bankcsv", tests, NULL, NULL);
}
