#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/bankprofile.h"
#include "parsers/parse.h"
#include "tests/support/testutil.h"

/* Files parsed whole, broken rows (bankcsv/fail_*) and broken profiles included, are
 * fixture cases (tests/parsers/fixtures/bankcsv) and samples.list lines, run by
 * test_fixtures.sh; here: detection and the profile loader. */

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
        cmocka_unit_test(test_profile_errors),
    };
    return cmocka_run_group_tests_name("parsers/bankcsv", tests, NULL, NULL);
}
