#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"

/* Input bytes quoted in a message must not split it: the message is stored as a
 * rejection reason and printed into line-based reports (tests/fuzz/README.md). */
static void test_set_folds_line_breaks(void **state)
{
    (void)state;
    err_t err;
    err_clear(&err);
    assert_int_equal(err_set(&err, RECON_EDATA, "f.xml: ToDtTm '%s' is not a date", "2\r\n:"),
                     RECON_EDATA);
    assert_int_equal(err.status, RECON_EDATA);
    assert_string_equal(err.msg, "f.xml: ToDtTm '2 :' is not a date");

    err_set(&err, RECON_EDATA, "a\nb\rc\td\x01" "e\x7f" "f");
    assert_string_equal(err.msg, "a b c d e f");
}

static void test_set_drops_trailing_breaks(void **state)
{
    (void)state;
    err_t err;
    /* libxml2 and libpq end their messages with a newline */
    err_set(&err, RECON_EINTERNAL, "%s", "parser error : Opening and ending tag mismatch\n");
    assert_string_equal(err.msg, "parser error : Opening and ending tag mismatch");
    err_set(&err, RECON_EDATA, "\r\n");
    assert_string_equal(err.msg, "");
}

static void test_set_keeps_utf8(void **state)
{
    (void)state;
    err_t err;
    err_set(&err, RECON_EDATA, "line %d: 交易时间 '%s'", 2, "2026-02-30");
    assert_string_equal(err.msg, "line 2: 交易时间 '2026-02-30'");
}

static void test_prefix_folds_line_breaks(void **state)
{
    (void)state;
    err_t err;
    err_set(&err, RECON_EDATA, "line 3: bad amount");
    assert_int_equal(err_prefix(&err, "%s: ", "in\nbox/x.csv"), RECON_EDATA);
    assert_string_equal(err.msg, "in box/x.csv: line 3: bad amount");

    /* a message filled without err_set is folded when context is added */
    err_clear(&err);
    err.status = RECON_EDATA;
    snprintf(err.msg, sizeof err.msg, "%s", "forged\nREJECTED line");
    err_prefix(&err, "x: ");
    assert_string_equal(err.msg, "x: forged REJECTED line");
}

static void test_prefix_truncates_at_the_end(void **state)
{
    (void)state;
    err_t err;
    char long_msg[ERR_MSG_MAX + 100];
    memset(long_msg, 'm', sizeof long_msg - 1);
    long_msg[sizeof long_msg - 1] = '\0';
    err_set(&err, RECON_EDATA, "%s", long_msg);
    assert_int_equal(strlen(err.msg), ERR_MSG_MAX - 1);
    err_prefix(&err, "file.csv: ");
    assert_int_equal(strlen(err.msg), ERR_MSG_MAX - 1);
    assert_memory_equal(err.msg, "file.csv: mmm", 13);
}

static void test_null_err(void **state)
{
    (void)state;
    assert_int_equal(err_set(NULL, RECON_EDATA, "x\n"), RECON_EDATA);
    assert_int_equal(err_prefix(NULL, "y"), RECON_EINTERNAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_folds_line_breaks),
        cmocka_unit_test(test_set_drops_trailing_breaks),
        cmocka_unit_test(test_set_keeps_utf8),
        cmocka_unit_test(test_prefix_folds_line_breaks),
        cmocka_unit_test(test_prefix_truncates_at_the_end),
        cmocka_unit_test(test_null_err),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
