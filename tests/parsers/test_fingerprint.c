#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/fingerprint.h"

static void make(receipt_t *r, const char *source, int day, fen_t amount)
{
    receipt_init(r);
    snprintf(r->source, sizeof r->source, "%s", source);
    r->booking_date = date_from_ymd(2026, 3, day);
    r->amount = amount;
}

/* Keys are stored in the database and must match across files and releases: the
 * same transaction in a later file dedups only if it hashes the same as before. */
static void test_keys_are_stable(void **state)
{
    (void)state;
    fingerprint_table *t = fingerprint_table_new();
    assert_non_null(t);
    err_t err;
    err_clear(&err);
    receipt_t r;
    make(&r, "6222020200001234567", 1, 3000);
    assert_int_equal(fingerprint_assign(t, &r, "P2026000000123", &err), RECON_OK);
    assert_string_equal(r.transaction_key, "fp-b5e9bc503564e364-1");
    /* the same payment again in the same file is a second payment */
    assert_int_equal(fingerprint_assign(t, &r, "P2026000000123", &err), RECON_OK);
    assert_string_equal(r.transaction_key, "fp-b5e9bc503564e364-2");
    make(&r, "6222020200001234567", 1, 3000);
    assert_int_equal(fingerprint_assign(t, &r, NULL, &err), RECON_OK);
    assert_string_equal(r.transaction_key, "fp-08c34f6ddd76914e-1");
    fingerprint_table_free(t);
}

/* Many distinct tuples and a few repeated ones: every occurrence number is right
 * however the table grows. */
static void test_many(void **state)
{
    (void)state;
    enum { N = 300000 };
    fingerprint_table *t = fingerprint_table_new();
    assert_non_null(t);
    err_t err;
    err_clear(&err);
    receipt_t r;
    char ref[32];
    for (int pass = 1; pass <= 3; pass++) {
        for (int i = 0; i < N; i++) {
            /* every 1000th tuple repeats on each pass, the others only on the first */
            if (pass > 1 && i % 1000 != 0)
                continue;
            make(&r, "CN0001", 1 + i % 28, 100 + i);
            snprintf(ref, sizeof ref, "REF%d", i);
            assert_int_equal(fingerprint_assign(t, &r, ref, &err), RECON_OK);
            size_t n = strlen(r.transaction_key);
            char want[16];
            snprintf(want, sizeof want, "-%d", pass);
            if (n < 3 || strcmp(r.transaction_key + n - 2, want) != 0)
                fail_msg("pass %d tuple %d: key %s", pass, i, r.transaction_key);
        }
    }
    fingerprint_table_free(t);
    fingerprint_table_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_are_stable),
        cmocka_unit_test(test_many),
    };
    return cmocka_run_group_tests_name("parsers/fingerprint", tests, NULL, NULL);
}
