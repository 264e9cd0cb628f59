/* Properties of the rules over thousands of generated policies (seeded, reproducible). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/evaluate.h"

#define POLICIES 4000
#define MAX_R 40

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static int rng_range(int lo, int hi) { return lo + (int)(rng() % (uint64_t)(hi - lo + 1)); }

/* Start dates 2000-2100, a third of them on the 29th, 30th or 31st. */
static date_t random_start(void)
{
    int y = rng_range(2000, 2099), m = rng_range(1, 12);
    int d = rng() % 3 == 0 ? rng_range(29, 31) : rng_range(1, 28);
    while (!date_valid(y, m, d))
        d--;
    return date_from_ymd(y, m, d);
}

static void random_policy(policy_terms *t)
{
    t->start_date = random_start();
    t->end_date = policy_default_end(t->start_date);
    t->mode = rng() % 5 == 0 ? PAYMENT_SINGLE : PAYMENT_MONTHLY;
    t->premium = rng_range(1, 50000);
    t->net_premium = t->premium - rng_range(0, (int)t->premium / 4);
}

static size_t random_receipts(const policy_terms *t, eval_receipt *r)
{
    size_t n = (size_t)rng_range(0, MAX_R - 1);
    for (size_t i = 0; i < n; i++) {
        r[i].date = t->start_date + rng_range(-20, 400);
        /* mostly whole installments, sometimes odd amounts or money taken back */
        int kind = rng_range(0, 9);
        if (kind < 6)
            r[i].amount = t->premium * rng_range(1, 2);
        else if (kind < 9)
            r[i].amount = rng_range(1, (int)t->premium);
        else
            r[i].amount = -rng_range(1, (int)t->premium);
        r[i].id = (int64_t)(rng() % 1000000);
        r[i].write_off = false;
    }
    return n;
}

static void evaluate(const policy_terms *t, const eval_receipt *r, size_t n, const date_t *ag,
                     size_t na, date_t cancel, date_t as_of, eval_result *out)
{
    eval_input in = {.terms = *t, .receipts = r, .receipt_count = n, .agreements = ag,
                     .agreement_count = na, .cancellation = cancel, .as_of = as_of};
    eval_config cfg;
    eval_config_default(&cfg);
    err_t err;
    if (eval_policy(&in, &cfg, out, &err) != RECON_OK)
        fail_msg("eval failed: %s", err.msg);
}

static void test_due_dates(void **state)
{
    (void)state;
    for (int i = 0; i < POLICIES * 5; i++) {
        policy_terms t;
        random_policy(&t);
        t.mode = PAYMENT_MONTHLY;
        date_t due[SCHEDULE_MAX_INSTALLMENTS];
        size_t n = 0;
        assert_true(schedule_due_dates(&t, due, SCHEDULE_MAX_INSTALLMENTS, &n));
        assert_int_equal(n, 12);
        assert_int_equal(due[0], t.start_date);
        int sy, sm, sd;
        date_to_ymd(t.start_date, &sy, &sm, &sd);
        for (size_t k = 0; k < n; k++) {
            int y, m, d;
            date_to_ymd(due[k], &y, &m, &d);
            assert_true(d == sd || d == 1);
            assert_true(due[k] <= t.end_date);
            if (k > 0)
                assert_true(due[k] > due[k - 1]);
        }
    }
}

static bool same_history(const eval_result *a, const eval_result *b)
{
    if (a->event_count != b->event_count || a->status != b->status ||
        a->arrears != b->arrears || a->credit != b->credit || a->refund_count != b->refund_count)
        return false;
    for (size_t i = 0; i < a->event_count; i++)
        if (a->events[i].date != b->events[i].date || a->events[i].to != b->events[i].to ||
            strcmp(a->events[i].reason, b->events[i].reason) != 0)
            return false;
    for (size_t i = 0; i < a->refund_count; i++)
        if (a->refunds[i].amount != b->refunds[i].amount)
            return false;
    return true;
}

static void test_receipt_order_does_not_matter(void **state)
{
    (void)state;
    eval_result a, b;
    eval_result_init(&a);
    eval_result_init(&b);
    for (int i = 0; i < POLICIES; i++) {
        policy_terms t;
        random_policy(&t);
        eval_receipt r[MAX_R], shuffled[MAX_R];
        size_t n = random_receipts(&t, r);
        /* ids unique so that the order of ties is defined */
        for (size_t k = 0; k < n; k++)
            r[k].id = (int64_t)k * 7 + 1;
        memcpy(shuffled, r, sizeof r);
        for (size_t k = n; k > 1; k--) {
            size_t j = (size_t)(rng() % k);
            eval_receipt tmp = shuffled[k - 1];
            shuffled[k - 1] = shuffled[j];
            shuffled[j] = tmp;
        }
        date_t ag[1] = {t.start_date + rng_range(40, 300)};
        date_t cancel = rng() % 4 == 0 ? t.start_date + rng_range(0, 365) : DATE_NONE;
        date_t as_of = t.start_date + rng_range(-5, 420);
        evaluate(&t, r, n, ag, 1, cancel, as_of, &a);
        evaluate(&t, shuffled, n, ag, 1, cancel, as_of, &b);
        if (!same_history(&a, &b))
            fail_msg("policy %d: shuffled receipts changed the history", i);
    }
    eval_result_free(&a);
    eval_result_free(&b);
}

static void test_suspension_exactly_31_days_after_unpaid_due(void **state)
{
    (void)state;
    eval_result r;
    eval_result_init(&r);
    size_t suspensions = 0;
    for (int i = 0; i < POLICIES; i++) {
        policy_terms t;
        random_policy(&t);
        t.mode = PAYMENT_MONTHLY;
        eval_receipt rc[MAX_R];
        size_t n = random_receipts(&t, rc);
        for (size_t k = 0; k < n; k++)
            if (rc[k].amount < 0)
                rc[k].amount = -rc[k].amount; /* no money taken back here */
        date_t ag[1] = {t.start_date + rng_range(40, 300)};
        evaluate(&t, rc, n, ag, 1, DATE_NONE, t.end_date + 10, &r);
        date_t due[SCHEDULE_MAX_INSTALLMENTS];
        size_t nd = 0;
        schedule_due_dates(&t, due, SCHEDULE_MAX_INSTALLMENTS, &nd);
        for (size_t e = 0; e < r.event_count; e++) {
            if (r.events[e].to != STATUS_SUSPENDED)
                continue;
            suspensions++;
            bool found = false;
            for (size_t k = 0; k < nd; k++)
                if (due[k] + 31 == r.events[e].date) {
                    /* that installment was not paid in full by D+30 */
                    fen_t by = 0;
                    for (size_t j = 0; j < n; j++)
                        if (rc[j].date <= due[k] + 30)
                            by += rc[j].amount;
                    assert_true(by < (fen_t)(k + 1) * t.premium);
                    found = true;
                }
            if (!found)
                fail_msg("policy %d: suspension not 31 days after a due date", i);
            assert_true(r.events[e].date <= t.end_date);
        }
    }
    assert_true(suspensions > 100); /* the generator does exercise suspension */
    eval_result_free(&r);
}

static void test_paying_on_due_dates_never_grace(void **state)
{
    (void)state;
    eval_result r;
    eval_result_init(&r);
    for (int i = 0; i < POLICIES; i++) {
        policy_terms t;
        random_policy(&t);
        date_t due[SCHEDULE_MAX_INSTALLMENTS];
        size_t nd = 0;
        schedule_due_dates(&t, due, SCHEDULE_MAX_INSTALLMENTS, &nd);
        eval_receipt rc[SCHEDULE_MAX_INSTALLMENTS];
        for (size_t k = 0; k < nd; k++)
            rc[k] = (eval_receipt){due[k], t.premium, (int64_t)k, false};
        evaluate(&t, rc, nd, NULL, 0, DATE_NONE, t.end_date + 1, &r);
        for (size_t e = 0; e < r.event_count; e++)
            assert_true(r.events[e].to != STATUS_GRACE && r.events[e].to != STATUS_SUSPENDED);
        assert_int_equal(r.status, STATUS_EXPIRED);
        assert_int_equal(r.arrears, 0);
        assert_int_equal(r.paid_installments, (int)nd);
    }
    eval_result_free(&r);
}

static void test_money_is_conserved(void **state)
{
    (void)state;
    eval_result r;
    eval_result_init(&r);
    for (int i = 0; i < POLICIES; i++) {
        policy_terms t;
        random_policy(&t);
        eval_receipt rc[MAX_R];
        size_t n = random_receipts(&t, rc);
        date_t cancel = rng() % 3 == 0 ? t.start_date + rng_range(0, 365) : DATE_NONE;
        evaluate(&t, rc, n, NULL, 0, cancel, t.start_date + rng_range(0, 420), &r);
        fen_t allocated = 0;
        for (size_t k = 0; k < r.allocation_count; k++)
            allocated += r.allocations[k].amount;
        assert_int_equal(allocated, r.received);
        for (size_t k = 0; k < r.installment_count; k++) {
            assert_true(r.installments[k].paid >= 0);
            assert_true(r.installments[k].paid <= t.premium);
        }
        /* events are in date order and each starts where the previous ended */
        for (size_t e = 1; e < r.event_count; e++) {
            assert_true(r.events[e].date >= r.events[e - 1].date);
            assert_int_equal(r.events[e].from, r.events[e - 1].to);
        }
    }
    eval_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_due_dates),
        cmocka_unit_test(test_receipt_order_does_not_matter),
        cmocka_unit_test(test_suspension_exactly_31_days_after_unpaid_due),
        cmocka_unit_test(test_paying_on_due_dates_never_grace),
        cmocka_unit_test(test_money_is_conserved),
    };
    return cmocka_run_group_tests_name("core/properties", tests, NULL, NULL);
}
