/* The work list's rules: ageing buckets, suspension_soon dates and payment holidays
 * (grace_extension) in the policy state machine (rules.md sections 4 and 11). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "core/evaluate.h"
#include "core/worklist.h"

static date_t D(const char *s)
{
    date_t d = DATE_NONE;
    if (!date_parse(s, strlen(s), &d))
        fail_msg("bad date in test table: %s", s);
    return d;
}

static void test_ageing_buckets(void **state)
{
    (void)state;
    static const struct {
        int days;
        const char *bucket;
    } rows[] = {{-3, "current"}, {0, "current"}, {1, "1-30"},   {30, "1-30"},  {31, "31-60"},
                {60, "31-60"},   {61, "61-90"},  {90, "61-90"}, {91, "90+"},   {400, "90+"}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const char *got = worklist_ageing_name(worklist_ageing(rows[i].days));
        if (strcmp(got, rows[i].bucket) != 0)
            fail_msg("%d days overdue: %s, want %s", rows[i].days, got, rows[i].bucket);
        size_t back = 99;
        assert_true(worklist_ageing_from_name(got, &back));
        assert_int_equal(back, worklist_ageing(rows[i].days));
    }
    size_t b;
    assert_false(worklist_ageing_from_name("91+", &b));
    assert_string_equal(worklist_ageing_name(WORKLIST_AGEING_BUCKETS), "unknown");
}

static void test_suspense_age_buckets(void **state)
{
    (void)state;
    static const struct {
        long long days;
        const char *bucket;
    } rows[] = {{-1, "0-7"},    {0, "0-7"},    {7, "0-7"},    {8, "8-30"}, {30, "8-30"},
                {31, "31-90"}, {90, "31-90"}, {91, "90+"}, {5000, "90+"}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const char *got = worklist_suspense_age_name(worklist_suspense_age(rows[i].days));
        if (strcmp(got, rows[i].bucket) != 0)
            fail_msg("%lld days in suspense: %s, want %s", rows[i].days, got, rows[i].bucket);
    }
}

static void test_suspension_day(void **state)
{
    (void)state;
    payment_holiday h[] = {{D("2026-04-21"), D("2026-04-25")}, {D("2026-04-10"), D("2026-04-20")}};
    assert_int_equal(policy_suspension_day(D("2026-04-15"), NULL, 0), D("2026-04-15"));
    /* adjoining holidays, given in any order, are passed as one */
    assert_int_equal(policy_suspension_day(D("2026-04-15"), h, 2), D("2026-04-26"));
    assert_int_equal(policy_suspension_day(D("2026-04-09"), h, 2), D("2026-04-09"));
    assert_int_equal(policy_suspension_day(D("2026-04-25"), h, 2), D("2026-04-26"));
    assert_int_equal(policy_suspension_day(D("2026-04-26"), h, 2), D("2026-04-26"));
}

static void test_suspension_soon_dates(void **state)
{
    (void)state;
    date_t due = D("2026-03-15"), end = D("2027-01-14"), on = DATE_NONE;
    /* D+31 = 04-15; 7 days before is 04-08, and only that night */
    assert_true(worklist_suspension_soon(due, end, NULL, 0, 7, D("2026-04-08"), &on));
    assert_int_equal(on, D("2026-04-15"));
    assert_false(worklist_suspension_soon(due, end, NULL, 0, 7, D("2026-04-07"), &on));
    assert_false(worklist_suspension_soon(due, end, NULL, 0, 7, D("2026-04-09"), &on));
    assert_true(worklist_suspension_soon(due, end, NULL, 0, 1, D("2026-04-14"), &on));
    assert_true(worklist_suspension_soon(due, end, NULL, 0, 30, D("2026-03-16"), &on));
    /* a payment holiday moves the suspension, and the notice with it */
    payment_holiday h = {D("2026-04-10"), D("2026-04-30")};
    assert_false(worklist_suspension_soon(due, end, &h, 1, 7, D("2026-04-08"), &on));
    assert_true(worklist_suspension_soon(due, end, &h, 1, 7, D("2026-04-24"), &on));
    assert_int_equal(on, D("2026-05-01"));
    /* no notice for a suspension the end of the period forestalls */
    assert_false(worklist_suspension_soon(due, D("2026-04-14"), NULL, 0, 7, D("2026-04-08"), &on));
    assert_true(worklist_suspension_soon(due, D("2026-04-15"), NULL, 0, 7, D("2026-04-08"), &on));
    assert_false(worklist_suspension_soon(DATE_NONE, end, NULL, 0, 7, D("2026-04-08"), &on));
}

/* Monthly 30.00 from 2026-01-15 (due 01-15, 02-15, 03-15, 04-15, ...), installments 1-2
 * paid on their due dates, then nothing unless listed. */
typedef struct holiday_case {
    const char *name;
    const char *end; /* NULL: default period */
    payment_holiday holidays[2];
    size_t holiday_count;
    const char *late_pay, *as_of;
    fen_t late_amount;
    const char *history;
} holiday_case;

static void run_case(const holiday_case *hc, eval_result *r)
{
    eval_receipt receipts[3] = {{D("2026-01-15"), 3000, 1, false}, {D("2026-02-15"), 3000, 2, false}};
    size_t nr = 2;
    if (hc->late_pay)
        receipts[nr++] = (eval_receipt){D(hc->late_pay), hc->late_amount, 3, false};
    eval_input in = {0};
    in.terms.start_date = D("2026-01-15");
    in.terms.end_date = hc->end ? D(hc->end) : policy_default_end(in.terms.start_date);
    in.terms.mode = PAYMENT_MONTHLY;
    in.terms.premium = in.terms.net_premium = 3000;
    in.receipts = receipts;
    in.receipt_count = nr;
    in.cancellation = DATE_NONE;
    in.as_of = D(hc->as_of);
    in.holidays = hc->holidays;
    in.holiday_count = hc->holiday_count;
    eval_config cfg;
    eval_config_default(&cfg);
    err_t err;
    err_clear(&err);
    if (eval_policy(&in, &cfg, r, &err) != RECON_OK)
        fail_msg("%s: eval failed: %s", hc->name, err.msg);
}

static void history_string(const eval_result *r, buf_t *b)
{
    buf_append_str(b, "");
    for (size_t i = 0; i < r->event_count; i++) {
        char d[DATE_STR_SIZE];
        date_format(r->events[i].date, d);
        buf_printf(b, "%s%s %s>%s", i ? "; " : "", d, policy_status_name(r->events[i].from),
                   policy_status_name(r->events[i].to));
    }
}

#define H(a, b) {D(a), D(b)}

static void test_grace_extension_state_machine(void **state)
{
    (void)state;
    const holiday_case cases[] = {
        {"no holiday: due 03-15 unpaid suspends 04-15", NULL, {{0}}, 0, NULL, "2026-05-10", 0,
         "2026-01-15 pending>in_force; 2026-03-16 in_force>grace; 2026-04-15 grace>suspended"},
        {"holiday over D+31: suspended from until + 1", NULL, {H("2026-04-10", "2026-04-30")}, 1,
         NULL, "2026-05-10", 0,
         "2026-01-15 pending>in_force; 2026-03-16 in_force>grace; 2026-05-01 grace>suspended"},
        {"not yet at until + 1: still in grace", NULL, {H("2026-04-10", "2026-04-30")}, 1, NULL,
         "2026-04-30", 0, "2026-01-15 pending>in_force; 2026-03-16 in_force>grace"},
        {"paid inside the holiday: never suspended", NULL, {H("2026-04-10", "2026-04-30")}, 1,
         "2026-04-25", "2026-05-10", 6000,
         "2026-01-15 pending>in_force; 2026-03-16 in_force>grace; 2026-04-25 grace>in_force"},
        {"holiday ended before D+31: no effect", NULL, {H("2026-03-01", "2026-03-31")}, 1, NULL,
         "2026-05-10", 0,
         "2026-01-15 pending>in_force; 2026-03-16 in_force>grace; 2026-04-15 grace>suspended"},
        {"one-day holiday on D+31", NULL, {H("2026-04-15", "2026-04-15")}, 1, NULL, "2026-05-10",
         0, "2026-01-15 pending>in_force; 2026-03-16 in_force>grace; 2026-04-16 grace>suspended"},
        {"adjoining holidays", NULL, {H("2026-04-21", "2026-04-25"), H("2026-04-10", "2026-04-20")},
         2, NULL, "2026-05-10", 0,
         "2026-01-15 pending>in_force; 2026-03-16 in_force>grace; 2026-04-26 grace>suspended"},
        {"already suspended before the holiday: stays suspended", NULL,
         {H("2026-04-20", "2026-05-31")}, 1, NULL, "2026-05-10", 0,
         "2026-01-15 pending>in_force; 2026-03-16 in_force>grace; 2026-04-15 grace>suspended"},
        {"holiday past the end of the period: expires in arrears", "2026-04-30",
         {H("2026-04-10", "2026-05-20")}, 1, NULL, "2026-06-01", 0,
         "2026-01-15 pending>in_force; 2026-03-16 in_force>grace; 2026-05-01 grace>expired"},
    };
    eval_result r;
    eval_result_init(&r);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_case(&cases[i], &r);
        buf_t h = BUF_INIT;
        history_string(&r, &h);
        if (strcmp(h.data, cases[i].history) != 0)
            fail_msg("%s:\n  history %s\n  want    %s", cases[i].name, h.data, cases[i].history);
        buf_free(&h);
    }
    /* the reason says the suspension waited for the holiday; without one it reads as before */
    run_case(&cases[1], &r);
    assert_string_equal(r.events[2].reason,
                        "installment 3 due 2026-03-15 not paid in full by 2026-04-30 (due date + "
                        "30 days, payment holiday to 2026-04-30; received 0.00 of 30.00)");
    run_case(&cases[0], &r);
    assert_string_equal(r.events[2].reason,
                        "installment 3 due 2026-03-15 not paid in full by 2026-04-14 (due date + "
                        "30 days; received 0.00 of 30.00)");
    eval_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ageing_buckets),
        cmocka_unit_test(test_suspense_age_buckets),
        cmocka_unit_test(test_suspension_day),
        cmocka_unit_test(test_suspension_soon_dates),
        cmocka_unit_test(test_grace_extension_state_machine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
