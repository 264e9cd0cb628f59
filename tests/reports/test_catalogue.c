#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "reports/catalogue.h"

/* Every CSV report the workbook shows is found by its name, with its own header; anything
 * else is not a report of the catalogue. */
static void test_find(void **state)
{
    (void)state;
    for (size_t i = 0; i < CATALOGUE_TABLES; i++)
        assert_ptr_equal(catalogue_find(catalogue_tables[i].name), &catalogue_tables[i]);
    assert_ptr_equal(catalogue_find("notices.csv.gz"), &catalogue_notices);
    assert_ptr_equal(catalogue_find("receipts.csv.gz"), &catalogue_receipts);
    assert_string_equal(catalogue_find("refunds.csv.gz")->header,
                        "policy_no,reason,amount,due_by,currency");
    assert_null(catalogue_find("summary.txt.gz"));
    assert_null(catalogue_find("receipts.csv"));
    assert_null(catalogue_find(""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_find),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
