/* The amount bound every parser's receipts and statements pass (parse_stream). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "parsers/receipt.h"

static void test_receipt_bounds(void **state)
{
    (void)state;
    receipt_t r;
    receipt_init(&r);
    receipt_position_line(r.position, 12);
    err_t err;
    err_clear(&err);
    r.amount = MONEY_MAX_FEN;
    assert_int_equal(receipt_check_bounds("bank.csv", &r, &err), RECON_OK);
    r.amount = -MONEY_MAX_FEN;
    assert_int_equal(receipt_check_bounds("bank.csv", &r, &err), RECON_OK);
    r.amount = -MONEY_MAX_FEN - 1;
    assert_int_equal(receipt_check_bounds("bank.csv", &r, &err), RECON_EDATA);
    assert_string_equal(err.msg, "bank.csv: line 12: amount -1000000000000.01 is beyond "
                                 "1000000000000.00, the largest amount recon accepts (10^12 "
                                 "yuan); file rejected");
    r.amount = 3000;
    r.fee = INT64_MAX;
    assert_int_equal(receipt_check_bounds("bank.csv", &r, &err), RECON_EDATA);
    assert_non_null(strstr(err.msg, "bank.csv: line 12: fee 92233720368547758.07 is beyond"));
}

static void test_statement_bounds(void **state)
{
    (void)state;
    statement_summary s;
    statement_summary_init(&s);
    snprintf(s.position, sizeof s.position, "Stmt[2]");
    err_t err;
    err_clear(&err);
    s.opening_balance = INT64_MIN; /* not read: has_opening is false */
    assert_int_equal(statement_check_bounds("a.xml", &s, &err), RECON_OK);
    s.has_opening = true;
    assert_int_equal(statement_check_bounds("a.xml", &s, &err), RECON_EDATA);
    assert_non_null(strstr(err.msg, "a.xml: Stmt[2]: opening balance -92233720368547758.08"));
    s.opening_balance = 0;
    s.has_closing = true;
    s.closing_balance = MONEY_MAX_FEN + 1;
    assert_int_equal(statement_check_bounds("a.xml", &s, &err), RECON_EDATA);
    assert_non_null(strstr(err.msg, "a.xml: Stmt[2]: closing balance 1000000000000.01 is beyond"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_receipt_bounds),
        cmocka_unit_test(test_statement_bounds),
    };
    return cmocka_run_group_tests_name("parsers/receipt_bounds", tests, NULL, NULL);
}
