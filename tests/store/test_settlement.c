#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "store/settlement.h"
#include "tests/support/pgtest.h"

static const char setup_sql[] =
    "INSERT INTO statement_files (file_id, sha256, file_name, format, status, business_date) "
    "VALUES (1, repeat('a', 64), 'wechat.csv', 'wechat', 'stored', '2026-03-01'), "
    "(2, repeat('b', 64), 'bank.sta', 'mt940', 'stored', '2026-03-02');"
    "INSERT INTO receipts (receipt_id, source, transaction_key, file_id, booking_date, amount, "
    "fee, currency, direction, payer_account, match_result) VALUES "
    "(1, 'wechat', 'W1', 1, '2026-03-01', 10000, 60, 'CNY', 'credit', '', 'identified'), "
    "(2, 'wechat', 'W2', 1, '2026-03-01', 5100, 31, 'CNY', 'credit', '', 'identified'), "
    "(3, 'bank', 'B1', 2, '2026-03-02', 15009, 0, 'CNY', 'credit', 'TENPAY0001', 'settlement'), "
    "(4, 'bank', 'B2', 2, '2026-03-02', 700, 0, 'CNY', 'credit', 'X\"Y\\Z', 'settlement')";

static int setup(void **state) { return pgtest_setup(state, "store_settlement_test", setup_sql); }

static const store_settlement_account accounts[] = {{"wechat", "TENPAY0001"},
                                                    {"alipay", "X\"Y\\Z"}};

static long check(db_t *db, int lag, const char *day)
{
    date_t d;
    assert_true(date_parse(day, 10, &d));
    err_t err = {0};
    long differences = -1;
    assert_int_equal(store_settlement_check(db, accounts, 2, lag, d, &differences, &err),
                     RECON_OK);
    return differences;
}

#define CHECKS                                                                                \
    "SELECT coalesce(string_agg(receipt_id || ' ' || provider || ' ' || settled_day || ' ' || " \
    "provider_rows || ' ' || gross || '-' || fees || ' ' || difference, '; ' ORDER BY "      \
    "receipt_id), '') FROM settlement_checks"

static void test_lag(void **state)
{
    db_t *db = *state;
    if (db == NULL)
        skip();
    /* the WeChat credit agrees with the bill of the day before; the Alipay one
     * (an account that needs quoting) has no bill */
    assert_int_equal(check(db, 1, "2026-03-02"), 1);
    assert_string_equal(pgtest_value(db, CHECKS), "3 wechat 2026-03-01 2 15100-91 0; "
                                                  "4 alipay 2026-03-01 0 0-0 700");
    /* a lag of 0 looks for a bill of the credit's own day */
    assert_int_equal(check(db, 0, "2026-03-02"), 2);
    assert_string_equal(pgtest_value(db, CHECKS), "3 wechat 2026-03-02 0 0-0 15009; "
                                                  "4 alipay 2026-03-02 0 0-0 700");
    /* before the night that knew the credits, nothing to check */
    assert_int_equal(check(db, 1, "2026-03-01"), 0);
    assert_string_equal(pgtest_value(db, CHECKS), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lag),
    };
    return cmocka_run_group_tests(tests, setup, pgtest_teardown);
}
