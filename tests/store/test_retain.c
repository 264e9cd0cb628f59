/*
 * store/retain against the suite's server: the personal data of a policy
 * whose cover ended before the cutoff (by its end date, a cancellation request
 * or a cancelled status) goes, with that of its receipts and of later copies of
 * them; a policy ending on the cutoff day keeps it; amounts stay; a second run
 * changes nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "store/retain.h"
#include "tests/store/storedb.h"

static int setup(void **state)
{
    *state = storedb_available() ? storedb_fresh("t_store_retain") : NULL;
    return 0;
}

static int teardown(void **state)
{
    db_close(*state);
    return 0;
}

static void test_retain(void **state)
{
    db_t *db = *state;
    if (db == NULL)
        skip();
    err_t err;
    char v[512];
    assert_int_equal(
        db_exec(db,
                "INSERT INTO policies (policy_no, holder_name, holder_id_no, payment_mode, "
                "start_date, end_date, premium, net_premium, payer_account) VALUES "
                "('ENDED', 'A', 'IDA', 'single', '2020-01-01', '2020-12-31', 100, 100, 'ACC-A'), "
                "('ONCUT', 'B', 'IDB', 'single', '2020-01-01', '2021-01-01', 100, 100, 'ACC-B'), "
                "('CANCELLED', 'C', 'IDC', 'single', '2020-01-01', '2030-12-31', 100, 100, ''), "
                "('LIVE', 'D', 'IDD', 'single', '2020-01-01', '2030-12-31', 100, 100, 'ACC-D');"
                "INSERT INTO cancellation_requests (policy_no, received_on) "
                "VALUES ('CANCELLED', '2020-06-01');"
                "INSERT INTO receipts (receipt_id, source, transaction_key, booking_date, amount, "
                "currency, direction, payer, payer_account, remittance, policy_no, match_result) "
                "VALUES (1, 'S', 'K1', '2020-02-01', 100, 'CNY', 'credit', 'A', 'ACC-A', 'ENDED', "
                "'ENDED', 'identified'), (2, 'S', 'K2', '2020-02-01', 100, 'CNY', 'credit', 'D', "
                "'ACC-D', 'LIVE', 'LIVE', 'identified');"
                "INSERT INTO receipts (receipt_id, source, transaction_key, booking_date, amount, "
                "currency, direction, payer, payer_account, remittance, match_result, "
                "duplicate_of) VALUES (3, 'S', 'K1', '2020-02-01', 100, 'CNY', 'credit', 'A', "
                "'ACC-A', 'ENDED', 'duplicate', 1)",
                &err),
        RECON_OK);
    date_t cutoff;
    assert_true(date_parse("2021-01-01", 10, &cutoff));
    long policies = -1, receipts = -1;
    assert_int_equal(store_retain_anonymise(db, cutoff, &policies, &receipts, &err), RECON_OK);
    assert_int_equal(policies, 2);
    assert_int_equal(receipts, 2);
    assert_true(storedb_value(db, "SELECT string_agg(policy_no || ':' || holder_name || ':' || "
                                  "holder_id_no || ':' || payer_account || ':' || premium, ',' "
                                  "ORDER BY policy_no) FROM policies",
                              v, sizeof v));
    assert_string_equal(v, "CANCELLED::::100,ENDED::::100,LIVE:D:IDD:ACC-D:100,ONCUT:B:IDB:ACC-B:100");
    assert_true(storedb_value(db, "SELECT string_agg(receipt_id || ':' || payer || ':' || "
                                  "payer_account || ':' || remittance || ':' || amount, ',' "
                                  "ORDER BY receipt_id) FROM receipts",
                              v, sizeof v));
    assert_string_equal(v, "1::::100,2:D:ACC-D:LIVE:100,3::::100");
    assert_int_equal(store_retain_anonymise(db, cutoff, &policies, &receipts, &err), RECON_OK);
    assert_int_equal(policies, 0);
    assert_int_equal(receipts, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_retain, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
