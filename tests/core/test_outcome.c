#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/outcome.h"
#include "core/schedule.h"

static date_t day(const char *s)
{
    date_t d = DATE_NONE;
    assert_true(date_parse(s, strlen(s), &d));
    return d;
}

static policy_terms monthly(const char *start, const char *end)
{
    policy_terms t = {0};
    t.mode = PAYMENT_MONTHLY;
    t.start_date = day(start);
    t.end_date = day(end);
    return t;
}

/* The due dates are core/schedule's: the cache gives what schedule_due_dates gives, also
 * when terms that hash alike replace each other in a slot. */
static void test_due_dates_are_the_schedule(void **state)
{
    (void)state;
    outcome_schedules *c = outcome_schedules_new();
    assert_non_null(c);
    policy_terms t = monthly("2024-01-31", "2025-01-30");
    date_t due[SCHEDULE_MAX_INSTALLMENTS];
    size_t n = 0;
    assert_true(schedule_due_dates(&t, due, SCHEDULE_MAX_INSTALLMENTS, &n));
    assert_int_equal(n, 12);
    for (size_t k = 0; k < n; k++)
        assert_int_equal(outcome_due_date(c, &t, (long long)k + 1), due[k]);
    assert_int_equal(outcome_due_date(c, &t, 2), day("2024-03-01")); /* no 31 February */
    assert_int_equal(outcome_due_date(c, &t, 0), DATE_NONE);
    assert_int_equal(outcome_due_date(c, &t, 13), DATE_NONE);
    /* a thousand and more different terms, each right, then the first again */
    for (int i = 0; i < 1500; i++) {
        policy_terms u = t;
        u.start_date = t.start_date + i;
        u.end_date = t.end_date + i;
        assert_true(schedule_due_dates(&u, due, SCHEDULE_MAX_INSTALLMENTS, &n));
        assert_int_equal(outcome_due_date(c, &u, 5), due[4]);
    }
    assert_int_equal(outcome_due_date(c, &t, 12), day("2024-12-31"));
    policy_terms single = t;
    single.mode = PAYMENT_SINGLE;
    assert_int_equal(outcome_due_date(c, &single, 1), t.start_date);
    assert_int_equal(outcome_due_date(c, &single, 2), DATE_NONE);
    /* more installments than a schedule holds: none has a due date */
    policy_terms long_terms = monthly("2000-01-01", "2020-12-31");
    assert_int_equal(outcome_due_date(c, &long_terms, 1), DATE_NONE);
    outcome_schedules_free(c);
}

static const char *outcome_of(long long installment, fen_t amount, const char *due,
                              long long paid, bool excess, const char *as_of)
{
    outcome_allocs a = OUTCOME_ALLOCS_INIT;
    assert_true(outcome_add(&a, installment, amount, due ? day(due) : DATE_NONE, paid));
    return receipt_outcome("", excess, &a, day(as_of));
}

static void test_outcomes(void **state)
{
    (void)state;
    outcome_allocs none = OUTCOME_ALLOCS_INIT;
    /* what matching decided wins */
    assert_string_equal(receipt_outcome("duplicate", true, &none, day("2026-06-01")),
                        "duplicate");
    assert_string_equal(receipt_outcome("unidentified", false, &none, day("2026-06-01")),
                        "unidentified");
    /* nothing allocated, nothing open: matched */
    assert_string_equal(receipt_outcome("", false, &none, day("2026-06-01")), "matched");
    /* paid an installment due, fully (paid 3 >= 3), or still short (paid 2 < 3) */
    assert_string_equal(outcome_of(3, 10000, "2026-05-15", 3, false, "2026-06-01"), "matched");
    assert_string_equal(outcome_of(3, 5000, "2026-05-15", 2, false, "2026-06-01"), "partial");
    /* a policy's paid installments unknown: not partial */
    assert_string_equal(outcome_of(3, 5000, "2026-05-15", -1, false, "2026-06-01"), "matched");
    /* all to installments not yet due: prepaid (the day itself is due) */
    assert_string_equal(outcome_of(4, 10000, "2026-06-15", 4, false, "2026-06-01"), "prepaid");
    assert_string_equal(outcome_of(4, 10000, "2026-06-01", 4, false, "2026-06-01"), "matched");
    /* unapplied money: overpaid, or refund_due when the policy has an excess refund */
    assert_string_equal(outcome_of(0, 100, NULL, -1, false, "2026-06-01"), "overpaid");
    assert_string_equal(outcome_of(0, 100, NULL, -1, true, "2026-06-01"), "refund_due");
    assert_string_equal(outcome_of(0, 0, NULL, -1, true, "2026-06-01"), "matched");
    /* paid what was due and some not yet due: overpaid */
    outcome_allocs a = OUTCOME_ALLOCS_INIT;
    assert_true(outcome_add(&a, 5, 10000, day("2026-05-15"), 6));
    assert_true(outcome_add(&a, 6, 10000, day("2026-06-15"), 6));
    assert_int_equal(a.allocated, 20000);
    assert_int_equal(a.earliest_due, day("2026-05-15"));
    assert_int_equal(a.latest_due, day("2026-06-15"));
    assert_string_equal(receipt_outcome("", false, &a, day("2026-06-01")), "overpaid");
    assert_string_equal(receipt_outcome("", false, &a, day("2026-06-15")), "matched");
    /* an installment the schedule lacks counts as money, not as a date */
    outcome_allocs b = OUTCOME_ALLOCS_INIT;
    assert_true(outcome_add(&b, 99, 700, DATE_NONE, 0));
    assert_int_equal(b.allocated, 700);
    assert_int_equal(b.latest_due, DATE_NONE);
    assert_false(b.open_installment);
}

static void test_overflow(void **state)
{
    (void)state;
    outcome_allocs a = OUTCOME_ALLOCS_INIT;
    assert_true(outcome_add(&a, 1, INT64_MAX, day("2026-01-01"), 1));
    assert_false(outcome_add(&a, 2, 1, day("2026-02-01"), 1));
    assert_true(outcome_add(&a, 0, INT64_MAX, DATE_NONE, 1));
    assert_false(outcome_add(&a, 0, 1, DATE_NONE, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_due_dates_are_the_schedule),
        cmocka_unit_test(test_outcomes),
        cmocka_unit_test(test_overflow),
    };
    return cmocka_run_group_tests_name("core/outcome", tests, NULL, NULL);
}
