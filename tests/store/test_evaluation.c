#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "store/evaluation.h"
#include "tests/support/pgtest.h"

static const char setup_sql[] =
    "INSERT INTO policies (policy_no, holder_name, payment_mode, start_date, end_date, premium, "
    "net_premium, payer_account) VALUES "
    "('P1', 'A', 'monthly', '2026-01-01', '2026-12-31', 3000, 0, 'ACC1'), "
    "('P2', 'B', 'single', '2026-01-01', '2026-12-31', 50000, 40000, '');"
    "INSERT INTO reinstatement_agreements VALUES ('P1', '2026-02-20'), ('P1', '2026-02-10');"
    "INSERT INTO cancellation_requests VALUES ('P2', '2026-02-15');"
    "INSERT INTO statement_files (file_id, sha256, file_name, format, status, business_date) "
    "VALUES (1, repeat('a', 64), 'one.sta', 'mt940', 'stored', '2026-03-01'), "
    "(2, repeat('b', 64), 'two.sta', 'mt940', 'stored', '2026-03-02'), "
    "(3, repeat('c', 64), 'three.sta', 'mt940', 'stored', NULL);"
    "INSERT INTO receipts (receipt_id, source, transaction_key, file_id, booking_date, amount, "
    "currency, direction, reversal, reverses, policy_no, match_result) VALUES "
    "(1, 'bank', 'T1', 1, '2026-01-01', 3000, 'CNY', 'credit', false, NULL, 'P1', 'identified'), "
    "(2, 'bank', 'T2', 2, '2026-02-01', 3000, 'CNY', 'credit', false, NULL, 'P1', 'identified'), "
    /* not yet processed: counts as known */
    "(3, 'bank', 'T3', 3, '2026-02-15', 3000, 'CNY', 'credit', false, NULL, 'P1', 'identified'), "
    "(4, 'bank', 'T4', 1, '2026-01-02', 3000, 'USD', 'credit', false, NULL, 'P1', 'currency'), "
    "(5, 'bank', 'T5', 1, '2026-01-03', 3000, 'CNY', 'credit', false, NULL, 'P1', 'settlement'), "
    /* a reversal known a night after its original */
    "(6, 'bank', 'T6', 1, '2026-01-05', 500, 'CNY', 'credit', false, NULL, 'P1', 'identified'), "
    "(7, 'bank', 'T7', 2, '2026-01-06', -500, 'CNY', 'debit', true, 6, 'P1', 'reversal')";

static int setup(void **state) { return pgtest_setup(state, "store_evaluation_test", setup_sql); }

/* Each policy's input written out as one line. */
static recon_status describe(void *ctx, const policy_view *p, const eval_input *in, err_t *err)
{
    (void)err;
    char *out = ctx, day[DATE_STR_SIZE];
    size_t o = strlen(out);
    o += (size_t)snprintf(out + o, 1024 - o, "%s %s %s %lld/%lld:", p->policy_no,
                          payment_mode_name(p->terms.mode), p->payer_account,
                          (long long)p->terms.premium, (long long)p->terms.net_premium);
    for (size_t i = 0; i < in->receipt_count; i++) {
        date_format(in->receipts[i].date, day);
        o += (size_t)snprintf(out + o, 1024 - o, " %lld@%s=%lld%s", (long long)in->receipts[i].id,
                              day, (long long)in->receipts[i].amount,
                              p->receipt_is_new[i] ? "n" : "");
    }
    for (size_t i = 0; i < in->agreement_count; i++) {
        date_format(in->agreements[i], day);
        o += (size_t)snprintf(out + o, 1024 - o, " a%s", day);
    }
    date_format(in->cancellation, day);
    snprintf(out + o, 1024 - o, " c%s;", day);
    return RECON_OK;
}

static const char *inputs(db_t *db, const char *day, const char *policy_no)
{
    static char out[1024];
    out[0] = '\0';
    date_t d;
    assert_true(date_parse(day, strlen(day), &d));
    err_t err = {0};
    assert_int_equal(store_policy_inputs(db, d, policy_no, describe, out, &err), RECON_OK);
    return out;
}

static void test_stream(void **state)
{
    db_t *db = *state;
    if (db == NULL)
        skip();
    /* on 03-01 the reversal is not yet known: its original counts */
    assert_string_equal(inputs(db, "2026-03-01", NULL),
                        "P1 monthly ACC1 3000/0: 1@2026-01-01=3000n 3@2026-02-15=3000 "
                        "6@2026-01-05=500n a2026-02-10 a2026-02-20 c;"
                        "P2 single  50000/40000: c2026-02-15;");
    /* on 03-02 the pair cancels out; the receipt first known that night is new */
    assert_string_equal(inputs(db, "2026-03-02", NULL),
                        "P1 monthly ACC1 3000/0: 1@2026-01-01=3000 2@2026-02-01=3000n "
                        "3@2026-02-15=3000 a2026-02-10 a2026-02-20 c;"
                        "P2 single  50000/40000: c2026-02-15;");
    /* one policy by its key: the same input as the pass */
    assert_string_equal(inputs(db, "2026-03-01", "P1"),
                        "P1 monthly ACC1 3000/0: 1@2026-01-01=3000n 3@2026-02-15=3000 "
                        "6@2026-01-05=500n a2026-02-10 a2026-02-20 c;");
    assert_string_equal(inputs(db, "2026-03-02", "P1"),
                        "P1 monthly ACC1 3000/0: 1@2026-01-01=3000 2@2026-02-01=3000n "
                        "3@2026-02-15=3000 a2026-02-10 a2026-02-20 c;");
    assert_string_equal(inputs(db, "2026-03-02", "P9"), "");
}

static void test_money_check(void **state)
{
    db_t *db = *state;
    if (db == NULL)
        skip();
    err_t err = {0};
    date_t d;
    assert_true(date_parse("2026-03-02", 10, &d));
    assert_int_equal(store_money_check_day(db, d, &err), RECON_OK);
    assert_int_equal(db_begin(db, &err), RECON_OK);
    /* 2^62 fen more, known only from 03-02 */
    pgtest_exec(db, "INSERT INTO receipts (receipt_id, source, transaction_key, file_id, "
                    "booking_date, amount, currency, direction) VALUES (20, 'bank', 'BIG', 2, "
                    "'2026-03-02', 4611686018427387904, 'CNY', 'credit')");
    assert_int_equal(store_money_check_day(db, d - 1, &err), RECON_OK);
    assert_int_equal(store_money_check_day(db, d, &err), RECON_EDATA);
    assert_non_null(strstr(err.msg, "2026-03-02: the money of the 8 receipts known by then"));
    assert_non_null(strstr(err.msg, "largest: receipt 20 (bank BIG, 46116860184273879.04)"));
    db_rollback(db);
    /* Receipt numbers so high that the quick bound (2 x 10^9 fen a receipt) cannot vouch for
     * the day: the exact sum is taken, and it is within. */
    assert_int_equal(db_begin(db, &err), RECON_OK);
    pgtest_exec(db, "INSERT INTO receipts (receipt_id, source, transaction_key, file_id, "
                    "booking_date, amount, currency, direction) VALUES (3000000000, 'bank', "
                    "'HIGH', 2, '2026-03-01', 100, 'CNY', 'credit')");
    assert_int_equal(store_money_check_day(db, d, &err), RECON_OK);
    db_rollback(db);
    /* Large receipts (beyond 10^9 fen) count in the bound whatever their night: within it
     * together, the day passes; one more is beyond it, found by the exact sum. */
    assert_int_equal(db_begin(db, &err), RECON_OK);
    pgtest_exec(db, "INSERT INTO receipts (receipt_id, source, transaction_key, file_id, "
                    "booking_date, amount, fee, currency, direction) SELECT 100 + i, 'bank', "
                    "'L' || i, 2, '2026-03-01', 2000000000000000000, 1000000001, 'CNY', 'credit' "
                    "FROM generate_series(1, 2) i");
    assert_int_equal(store_money_check_day(db, d, &err), RECON_OK);
    pgtest_exec(db, "INSERT INTO receipts (receipt_id, source, transaction_key, file_id, "
                    "booking_date, amount, currency, direction) VALUES (103, 'bank', 'L3', 2, "
                    "'2026-03-01', -700000000000000000, 'CNY', 'debit')");
    assert_int_equal(store_money_check_day(db, d, &err), RECON_EDATA);
    assert_non_null(strstr(err.msg, "largest: receipt 101 (bank L1, 20000000000000000.00)"));
    db_rollback(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream),
        cmocka_unit_test(test_money_check),
    };
    return cmocka_run_group_tests(tests, setup, pgtest_teardown);
}
