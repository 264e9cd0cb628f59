#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/bankcsv.h"
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
         "no bank profile 'nosuch' (looked for profiles/nosuch.profile); hint: --profile with "
         "the path to a .profile file"},
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

/* The row reader goes on after a refused row (what `recon profile check` shows) and maps
 * every profile key to its header column. */
static void test_rows(void **state)
{
    (void)state;
    static const char csv[] = "日期,金额,对方\n"
                              "2026-03-01,10.00,甲\n"
                              "2026-03-32,1.00,乙\n"
                              ",,\n"
                              "2026-03-02,0.00,丙\n"
                              "2026-03-02,-2.50,丁\n";
    instream_t *in = NULL;
    err_t err;
    err_clear(&err);
    assert_int_equal(instream_open_memory("t.csv", csv, sizeof csv - 1, &in, &err), RECON_OK);
    parse_options opts = {FORMAT_BANKCSV, "tests/parsers/fixtures/bankcsv/profiles/ref.profile",
                          NULL, 0};
    bankcsv_t *b = NULL;
    assert_int_equal(bankcsv_open(in, &opts, &b, &err), RECON_OK);
    static bankcsv_row row;
    static const bankcsv_row_kind want[] = {BANKCSV_HEADER,  BANKCSV_RECEIPT, BANKCSV_REFUSED,
                                            BANKCSV_BLANK,   BANKCSV_ZERO,    BANKCSV_RECEIPT,
                                            BANKCSV_END};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_int_equal(bankcsv_next_row(b, &row, &err), RECON_OK);
        assert_int_equal(row.kind, want[i]);
        if (row.kind == BANKCSV_REFUSED) {
            assert_string_equal(row.why, "date '2026-03-32' is not a valid yyyy-mm-dd date");
            assert_false(row.fatal);
        }
        if (row.kind == BANKCSV_HEADER) {
            const bankcsv_column *cols;
            size_t n = bankcsv_columns(b, &cols);
            assert_int_equal(n, 4);
            assert_string_equal(cols[0].key, "date_column");
            assert_int_equal(cols[0].index, 0);
            assert_string_equal(cols[2].key, "reference_column");
            assert_int_equal(cols[2].index, -1); /* optional: read as empty, warned */
            assert_false(cols[2].required);
            const char *const *w;
            assert_int_equal(bankcsv_warnings(b, &w), 1);
            assert_string_equal(w[0], "header column '流水号' of the profile is missing: read "
                                      "without it");
        }
    }
    assert_int_equal(row.line, 0);
    const statement_summary *sum = bankcsv_summary(b);
    assert_int_equal(sum->entry_count, 2);
    assert_int_equal(sum->credit_total, 1000);
    assert_int_equal(sum->debit_total, 250);
    bankcsv_close(b);
    instream_close(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detect_samples),
        cmocka_unit_test(test_profile_errors),
        cmocka_unit_test(test_rows),
    };
    return cmocka_run_group_tests_name("parsers/bankcsv", tests, NULL, NULL);
}
