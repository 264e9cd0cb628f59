/* Every worked example of rules.md sections 1-8, as table rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "core/evaluate.h"

#define MAX_RECEIPTS 16

typedef struct pay {
    const char *date;
    fen_t amount;
} pay;

typedef struct scenario {
    const char *name;
    const char *start, *end; /* end NULL: default period */
    payment_mode mode;
    fen_t premium, net;
    pay receipts[MAX_RECEIPTS];
    const char *agreements[4];
    const char *cancel;
    const char *as_of;
    const char *history;      /* "date from>to; ..." */
    const char *status;
    fen_t refund_cancel;      /* expected cancellation refund, -1 none */
    const char *refund_due_by;
    fen_t refund_excess;      /* expected excess refund, -1 none */
    fen_t arrears;
} scenario;

static date_t D(const char *s)
{
    date_t d = DATE_NONE;
    if (s == NULL)
        return DATE_NONE;
    if (!date_parse(s, strlen(s), &d))
        fail_msg("bad date in test table: %s", s);
    return d;
}

static void history_string(const eval_result *r, buf_t *b)
{
    for (size_t i = 0; i < r->event_count; i++) {
        char d[DATE_STR_SIZE];
        date_format(r->events[i].date, d);
        buf_printf(b, "%s%s %s>%s", i ? "; " : "", d, policy_status_name(r->events[i].from),
                   policy_status_name(r->events[i].to));
    }
}

static void run_scenario(const scenario *s, eval_result *r)
{
    eval_receipt receipts[MAX_RECEIPTS];
    date_t agreements[4];
    size_t nr = 0, na = 0;
    for (; nr < MAX_RECEIPTS && s->receipts[nr].date; nr++)
        receipts[nr] = (eval_receipt){D(s->receipts[nr].date), s->receipts[nr].amount,
                                      (int64_t)nr + 1, false};
    for (; na < 4 && s->agreements[na]; na++)
        agreements[na] = D(s->agreements[na]);
    eval_input in = {0};
    in.terms.start_date = D(s->start);
    in.terms.end_date = s->end ? D(s->end) : policy_default_end(in.terms.start_date);
    in.terms.mode = s->mode;
    in.terms.premium = s->premium;
    in.terms.net_premium = s->net ? s->net : s->premium;
    in.receipts = receipts;
    in.receipt_count = nr;
    in.agreements = agreements;
    in.agreement_count = na;
    in.cancellation = D(s->cancel);
    in.as_of = D(s->as_of);
    eval_config cfg;
    eval_config_default(&cfg);
    err_t err;
    err_clear(&err);
    if (eval_policy(&in, &cfg, r, &err) != RECON_OK)
        fail_msg("%s: eval failed: %s", s->name, err.msg);
}

/* Monthly 30.00 from 2026-01-15, paid on each due date through `last`. */
#define PAID_JAN_FEB {"2026-01-15", 3000}, {"2026-02-15", 3000}

static const scenario scenarios[] = {
    {.name = "3: monthly first installment paid on start -> in force",
     .start = "2026-01-15", .mode = PAYMENT_MONTHLY, .premium = 3000,
     .receipts = {{"2026-01-15", 3000}}, .as_of = "2026-01-20",
     .history = "2026-01-15 pending>in_force", .status = "in_force",
     .refund_cancel = -1, .refund_excess = -1},
    {.name = "3: monthly first installment paid the day after start -> not effective",
     .start = "2026-01-15", .mode = PAYMENT_MONTHLY, .premium = 3000,
     .receipts = {{"2026-01-16", 3000}}, .as_of = "2026-01-20",
     .history = "2026-01-15 pending>not_effective", .status = "not_effective",
     .refund_cancel = -1, .refund_excess = 3000},
    {.name = "3: single premium short by one fen -> not effective, all refunded",
     .start = "2026-01-15", .mode = PAYMENT_SINGLE, .premium = 36500,
     .receipts = {{"2026-01-10", 36499}}, .as_of = "2026-02-01",
     .history = "2026-01-15 pending>not_effective", .status = "not_effective",
     .refund_cancel = -1, .refund_excess = 36499},
    {.name = "3: before the start the policy is pending",
     .start = "2026-01-15", .mode = PAYMENT_MONTHLY, .premium = 3000,
     .receipts = {{"2026-01-10", 3000}}, .as_of = "2026-01-14",
     .history = "", .status = "pending", .refund_cancel = -1, .refund_excess = -1},
    {.name = "4: due 03-15 unpaid -> grace 03-16, suspended 04-15",
     .start = "2026-01-15", .mode = PAYMENT_MONTHLY, .premium = 3000,
     .receipts = {PAID_JAN_FEB}, .as_of = "2026-04-30",
     .history = "2026-01-15 pending>in_force; 2026-03-16 in_force>grace; "
                "2026-04-15 grace>suspended",
     .status = "suspended", .refund_cancel = -1, .refund_excess = -1, .arrears = 6000},
    {.name = "4: due 02-15 unpaid -> suspension starts 03-18",
     .start = "2026-01-15", .mode = PAYMENT_MONTHLY, .premium = 3000,
     .receipts = {{"2026-01-15", 3000}}, .as_of = "2026-03-18",
     .history = "2026-01-15 pending>in_force; 2026-02-16 in_force>grace; "
                "2026-03-18 grace>suspended",
     .status = "suspended", .refund_cancel = -1, .refund_excess = -1, .arrears = 6000},
    {.name = "4: paid on D+30 (with the next one) -> grace then back in force",
     .start = "2026-01-15", .mode = PAYMENT_MONTHLY, .premium = 3000,
     .receipts = {{"2026-01-15", 3000}, {"2026-03-17", 6000}}, .as_of = "2026-03-20",
     .history = "2026-01-15 pending>in_force; 2026-02-16 in_force>grace; "
                "2026-03-17 grace>in_force",
     .status = "in_force", .refund_cancel = -1, .refund_excess = -1},
    {.name = "7: paid on D+1 never puts the policy in grace",
     .start = "2026-01-15", .mode = PAYMENT_MONTHLY, .premium = 3000,
     .receipts = {{"2026-01-15", 3000}, {"2026-02-16", 3000}}, .as_of = "2026-03-01",
     .history = "2026-01-15 pending>in_force", .status = "in_force",
     .refund_cancel = -1, .refund_excess = -1},
    {.name = "4: a partial payment is not payment",
     .start = "2026-01-15", .mode = PAYMENT_MONTHLY, .premium = 3000,
     .receipts = {{"2026-01-15", 3000}, {"2026-02-15", 2999}}, .as_of = "2026-03-18",
     .history = "2026-01-15 pending>in_force; 2026-02-16 in_force>grace; "
                "2026-03-18 grace>suspended",
     .status = "suspended", .refund_cancel = -1, .refund_excess = -1, .arrears = 3001},
    {.name = "4: credit paid in advance covers later installments",
     .start = "2026-01-15", .mode = PAYMENT_MONTHLY, .premium = 3000,
     .receipts = {{"2026-01-15", 9000}}, .as_of = "2026-03-15",
     .history = "2026-01-15 pending>in_force", .status = "in_force",
     .refund_cancel = -1, .refund_excess = -1},
    {.name = "4: D+31 after the end date cannot suspend; expires in arrears",
     .start = "2026-01-15", .mode = PAYMENT_MONTHLY, .premium = 3000,
     .receipts = {{"2026-01-15", 33000}}, .as_of = "2027-02-01",
     .history = "2026-01-15 pending>in_force; 2026-12-16 in_force>grace; "
                "2027-01-15 grace>expired",
     .status = "expired", .refund_cancel = -1, .refund_excess = -1, .arrears = 3000},
    {.name = "1: fully paid policy expires on end_date + 1",
     .start = "2026-01-15", .mode = PAYMENT_MONTHLY, .premium = 3000,
     .receipts = {{"2026-01-15", 36000}}, .as_of = "2027-03-01",
     .history = "2026-01-15 pending>in_force; 2027-01-15 in_force>expired",
     .status = "expired", .refund_cancel = -1, .refund_excess = -1},
    {.name = "5: reinstated on the day the back premium arrives after the agreement",
     .start = "2026-01-15", .mode = PAYMENT_MONTHLY, .premium = 3000,
     .receipts = {PAID_JAN_FEB, {"2026-05-10", 6000}}, .agreements = {"2026-05-01"},
     .as_of = "2026-05-15",
     .history = "2026-01-15 pending>in_force; 2026-03-16 in_force>grace; "
                "2026-04-15 grace>suspended; 2026-05-10 suspended>in_force",
     .status = "in_force", .refund_cancel = -1, .refund_excess = -1},
    {.name = "5: money before the agreement is held; reinstated on the agreement date",
     .start = "2026-01-15", .mode = PAYMENT_MONTHLY, .premium = 3000,
     .receipts = {PAID_JAN_FEB, {"2026-04-20", 3000}, {"2026-04-25", 3000}},
     .agreements = {"2026-05-03"}, .as_of = "2026-05-10",
     .history = "2026-01-15 pending>in_force; 2026-03-16 in_force>grace; "
                "2026-04-15 grace>suspended; 2026-05-03 suspended>in_force",
     .status = "in_force", .refund_cancel = -1, .refund_excess = -1},
    {.name = "5: back premium includes installments that fell due while suspended",
     .start = "2026-01-15", .mode = PAYMENT_MONTHLY, .premium = 3000,
     .receipts = {PAID_JAN_FEB, {"2026-05-20", 6000}, {"2026-05-25", 3000}},
     .agreements = {"2026-05-01"}, .as_of = "2026-06-01",
     .history = "2026-01-15 pending>in_force; 2026-03-16 in_force>grace; "
                "2026-04-15 grace>suspended; 2026-05-25 suspended>in_force",
     .status = "in_force", .refund_cancel = -1, .refund_excess = -1},
    {.name = "7: reinstated on D+31 has both events on that date",
     .start = "2026-01-15", .mode = PAYMENT_MONTHLY, .premium = 3000,
     .receipts = {PAID_JAN_FEB, {"2026-04-15", 6000}}, .agreements = {"2026-04-15"},
     .as_of = "2026-04-20",
     .history = "2026-01-15 pending>in_force; 2026-03-16 in_force>grace; "
                "2026-04-15 grace>suspended; 2026-04-15 suspended>in_force",
     .status = "in_force", .refund_cancel = -1, .refund_excess = -1},
    {.name = "5: still suspended at the end -> terminated on end_date + 1",
     .start = "2026-01-15", .mode = PAYMENT_MONTHLY, .premium = 3000,
     .receipts = {PAID_JAN_FEB, {"2026-06-01", 1000}}, .as_of = "2027-02-01",
     .history = "2026-01-15 pending>in_force; 2026-03-16 in_force>grace; "
                "2026-04-15 grace>suspended; 2027-01-15 suspended>terminated",
     .status = "terminated", .refund_cancel = -1, .refund_excess = 1000},
    {.name = "5: after reinstatement a later unpaid installment suspends again",
     .start = "2026-01-15", .mode = PAYMENT_MONTHLY, .premium = 3000,
     .receipts = {PAID_JAN_FEB, {"2026-05-10", 6000}}, .agreements = {"2026-05-01"},
     .as_of = "2026-07-01",
     .history = "2026-01-15 pending>in_force; 2026-03-16 in_force>grace; "
                "2026-04-15 grace>suspended; 2026-05-10 suspended>in_force; "
                "2026-05-16 in_force>grace; 2026-06-15 grace>suspended",
     .status = "suspended", .refund_cancel = -1, .refund_excess = -1, .arrears = 6000},
    {.name = "5: an agreement without the money does not reinstate",
     .start = "2026-01-15", .mode = PAYMENT_MONTHLY, .premium = 3000,
     .receipts = {PAID_JAN_FEB}, .agreements = {"2026-04-20"}, .as_of = "2026-05-01",
     .history = "2026-01-15 pending>in_force; 2026-03-16 in_force>grace; "
                "2026-04-15 grace>suspended",
     .status = "suspended", .refund_cancel = -1, .refund_excess = -1, .arrears = 6000},
    {.name = "6: monthly cancellation refund 21.00 due 04-23",
     .start = "2026-01-15", .mode = PAYMENT_MONTHLY, .premium = 3100, .net = 3100,
     .receipts = {{"2026-01-15", 3100}, {"2026-02-15", 3100}, {"2026-03-15", 3100}},
     .cancel = "2026-03-24", .as_of = "2026-03-31",
     .history = "2026-01-15 pending>in_force; 2026-03-24 in_force>cancelled",
     .status = "cancelled", .refund_cancel = 2100, .refund_due_by = "2026-04-23",
     .refund_excess = -1},
    {.name = "6: single cancellation refund 197.00",
     .start = "2026-01-15", .mode = PAYMENT_SINGLE, .premium = 36500, .net = 36500,
     .receipts = {{"2026-01-15", 36500}}, .cancel = "2026-07-01", .as_of = "2026-07-02",
     .history = "2026-01-15 pending>in_force; 2026-07-01 in_force>cancelled",
     .status = "cancelled", .refund_cancel = 19700, .refund_due_by = "2026-07-31",
     .refund_excess = -1},
    {.name = "6: nothing refunded for a period whose installment was not paid",
     .start = "2026-01-15", .mode = PAYMENT_MONTHLY, .premium = 3100,
     .receipts = {{"2026-01-15", 3100}, {"2026-02-15", 3100}},
     .cancel = "2026-03-24", .as_of = "2026-03-31",
     .history = "2026-01-15 pending>in_force; 2026-03-16 in_force>grace; "
                "2026-03-24 grace>cancelled",
     .status = "cancelled", .refund_cancel = -1, .refund_excess = -1},
    {.name = "6+8: prepaid installments after cancellation are refunded as excess",
     .start = "2026-01-15", .mode = PAYMENT_MONTHLY, .premium = 3100, .net = 3100,
     .receipts = {{"2026-01-15", 3100 * 4}}, .cancel = "2026-02-20", .as_of = "2026-03-01",
     .history = "2026-01-15 pending>in_force; 2026-02-20 in_force>cancelled",
     .status = "cancelled", .refund_cancel = 2436, .refund_due_by = "2026-03-22",
     .refund_excess = 6200},
    {.name = "8: money beyond the whole premium is refund due",
     .start = "2026-01-15", .mode = PAYMENT_MONTHLY, .premium = 3000,
     .receipts = {{"2026-01-15", 40000}}, .as_of = "2026-02-01",
     .history = "2026-01-15 pending>in_force", .status = "in_force",
     .refund_cancel = -1, .refund_excess = 4000},
    {.name = "8: a payment after expiry with nothing owed is refund due",
     .start = "2026-01-15", .mode = PAYMENT_MONTHLY, .premium = 3000,
     .receipts = {{"2026-01-15", 36000}, {"2027-02-01", 3000}}, .as_of = "2027-02-10",
     .history = "2026-01-15 pending>in_force; 2027-01-15 in_force>expired",
     .status = "expired", .refund_cancel = -1, .refund_due_by = NULL, .refund_excess = 3000},
    {.name = "8: a payment after expiry settles arrears first",
     .start = "2026-01-15", .mode = PAYMENT_MONTHLY, .premium = 3000,
     .receipts = {{"2026-01-15", 33000}, {"2027-02-01", 3500}}, .as_of = "2027-02-10",
     .history = "2026-01-15 pending>in_force; 2026-12-16 in_force>grace; "
                "2027-01-15 grace>expired",
     .status = "expired", .refund_cancel = -1, .refund_excess = 500},
    {.name = "7: late receipt (booking date in the past) corrects the history",
     .start = "2026-01-15", .mode = PAYMENT_MONTHLY, .premium = 3000,
     .receipts = {{"2026-01-15", 3000}, {"2026-02-14", 3000}}, .as_of = "2026-03-01",
     .history = "2026-01-15 pending>in_force", .status = "in_force",
     .refund_cancel = -1, .refund_excess = -1},
    {.name = "2: start 2026-01-31, due 03-01 unpaid -> grace 03-02, suspended 04-01",
     .start = "2026-01-31", .mode = PAYMENT_MONTHLY, .premium = 3000,
     .receipts = {{"2026-01-31", 3000}}, .as_of = "2026-04-10",
     .history = "2026-01-31 pending>in_force; 2026-03-02 in_force>grace; "
                "2026-04-01 grace>suspended",
     .status = "suspended", .refund_cancel = -1, .refund_excess = -1, .arrears = 6000},
};

static void test_rules_examples(void **state)
{
    (void)state;
    eval_result r;
    eval_result_init(&r);
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
        const scenario *s = &scenarios[i];
        run_scenario(s, &r);
        buf_t h = BUF_INIT;
        buf_append_str(&h, "");
        history_string(&r, &h);
        if (strcmp(h.data, s->history) != 0)
            fail_msg("%s:\n  history %s\n  want    %s", s->name, h.data, s->history);
        buf_free(&h);
        if (strcmp(policy_status_name(r.status), s->status) != 0)
            fail_msg("%s: status %s, want %s", s->name, policy_status_name(r.status), s->status);
        fen_t cancel = -1, excess = -1;
        date_t cancel_due = DATE_NONE;
        for (size_t k = 0; k < r.refund_count; k++) {
            if (r.refunds[k].reason == REFUND_CANCELLATION) {
                cancel = r.refunds[k].amount;
                cancel_due = r.refunds[k].due_by;
            } else {
                excess = r.refunds[k].amount;
            }
        }
        if (cancel != s->refund_cancel)
            fail_msg("%s: cancellation refund %lld, want %lld", s->name, (long long)cancel,
                     (long long)s->refund_cancel);
        if (s->refund_due_by && cancel_due != D(s->refund_due_by))
            fail_msg("%s: refund due date wrong", s->name);
        if (excess != s->refund_excess)
            fail_msg("%s: excess refund %lld, want %lld", s->name, (long long)excess,
                     (long long)s->refund_excess);
        if (r.arrears != s->arrears)
            fail_msg("%s: arrears %lld, want %lld", s->name, (long long)r.arrears,
                     (long long)s->arrears);
    }
    eval_result_free(&r);
}

static void test_reasons_name_installment_and_receipt(void **state)
{
    (void)state;
    const scenario *s = &scenarios[12]; /* reinstated on the day the back premium arrives */
    eval_result r;
    eval_result_init(&r);
    run_scenario(s, &r);
    assert_int_equal(r.event_count, 4);
    assert_string_equal(r.events[0].reason,
                        "installment 1 due 2026-01-15 paid in full by receipt 1 on 2026-01-15");
    assert_string_equal(r.events[1].reason,
                        "installment 3 due 2026-03-15 unpaid (received 0.00 of 30.00)");
    assert_string_equal(r.events[2].reason,
                        "installment 3 due 2026-03-15 not paid in full by 2026-04-14 "
                        "(due date + 30 days; received 0.00 of 30.00)");
    assert_string_equal(r.events[3].reason,
                        "reinstated: back premium for installments 3-4 (60.00) covered by "
                        "receipt 3 on 2026-05-10; agreement 2026-05-01");
    eval_result_free(&r);
}

static void test_installments_and_allocation(void **state)
{
    (void)state;
    const scenario s = {.name = "partial then top-up", .start = "2026-01-15",
                        .mode = PAYMENT_MONTHLY, .premium = 3000,
                        .receipts = {{"2026-01-15", 4000}, {"2026-02-20", 2500}},
                        .as_of = "2026-03-20"};
    eval_result r;
    eval_result_init(&r);
    run_scenario(&s, &r);
    assert_int_equal(r.installment_count, 12);
    assert_int_equal(r.installments[0].state, INSTALLMENT_PAID);
    assert_int_equal(r.installments[1].state, INSTALLMENT_PAID);
    assert_int_equal(r.installments[1].paid_date, D("2026-02-20"));
    assert_int_equal(r.installments[1].paid_by, 2);
    assert_int_equal(r.installments[2].state, INSTALLMENT_UNPAID);
    assert_int_equal(r.installments[2].paid, 500);
    assert_int_equal(r.installments[3].state, INSTALLMENT_FUTURE);
    assert_int_equal(r.oldest_unpaid_due_date, D("2026-03-15"));
    assert_int_equal(r.days_overdue, 5);
    assert_int_equal(r.next_due_date, D("2026-04-15"));
    assert_int_equal(r.arrears, 2500);
    assert_int_equal(r.paid_installments, 2);
    /* receipt 1: 30.00 to #1, 10.00 to #2; receipt 2: 20.00 to #2, 5.00 to #3 */
    assert_int_equal(r.allocation_count, 4);
    assert_int_equal(r.allocations[1].installment, 2);
    assert_int_equal(r.allocations[1].amount, 1000);
    assert_int_equal(r.allocations[3].installment, 3);
    assert_int_equal(r.allocations[3].amount, 500);
    eval_result_free(&r);
}

static void test_default_period(void **state)
{
    (void)state;
    assert_int_equal(policy_default_end(D("2026-01-15")), D("2027-01-14"));
    assert_int_equal(policy_default_end(D("2024-02-29")), D("2025-02-28"));
}

static void test_due_date_tables(void **state)
{
    (void)state;
    static const struct {
        const char *start;
        const char *dues[12];
    } rows[] = {
        {"2026-01-15", {"2026-01-15", "2026-02-15", "2026-03-15", "2026-04-15", "2026-05-15",
                        "2026-06-15", "2026-07-15", "2026-08-15", "2026-09-15", "2026-10-15",
                        "2026-11-15", "2026-12-15"}},
        {"2026-01-31", {"2026-01-31", "2026-03-01", "2026-03-31", "2026-05-01", "2026-05-31",
                        "2026-07-01", "2026-07-31", "2026-08-31", "2026-10-01", "2026-10-31",
                        "2026-12-01", "2026-12-31"}},
        {"2024-01-30", {"2024-01-30", "2024-03-01", "2024-03-30", "2024-04-30", "2024-05-30",
                        "2024-06-30", "2024-07-30", "2024-08-30", "2024-09-30", "2024-10-30",
                        "2024-11-30", "2024-12-30"}},
        {"2026-03-29", {"2026-03-29", "2026-04-29", "2026-05-29", "2026-06-29", "2026-07-29",
                        "2026-08-29", "2026-09-29", "2026-10-29", "2026-11-29", "2026-12-29",
                        "2027-01-29", "2027-03-01"}},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        policy_terms t = {.start_date = D(rows[i].start), .mode = PAYMENT_MONTHLY,
                          .premium = 1, .net_premium = 1};
        t.end_date = policy_default_end(t.start_date);
        date_t due[SCHEDULE_MAX_INSTALLMENTS];
        size_t n = 0;
        assert_true(schedule_due_dates(&t, due, SCHEDULE_MAX_INSTALLMENTS, &n));
        assert_int_equal(n, 12);
        for (size_t k = 0; k < 12; k++) {
            char got[DATE_STR_SIZE];
            date_format(due[k], got);
            if (strcmp(got, rows[i].dues[k]) != 0)
                fail_msg("start %s due %zu: %s, want %s", rows[i].start, k + 1, got,
                         rows[i].dues[k]);
        }
        /* the last period runs to the end date */
        assert_int_equal(schedule_period_end(&t, due, n, 11), t.end_date);
        assert_int_equal(schedule_period_end(&t, due, n, 0), due[1] - 1);
    }
}

static void test_invalid_terms(void **state)
{
    (void)state;
    eval_result r;
    eval_result_init(&r);
    eval_input in = {0};
    in.terms = (policy_terms){.start_date = D("2026-01-15"), .end_date = D("2026-01-01"),
                              .premium = 100, .net_premium = 100};
    in.cancellation = DATE_NONE;
    in.as_of = D("2026-02-01");
    eval_config cfg;
    eval_config_default(&cfg);
    err_t err;
    assert_int_equal(eval_policy(&in, &cfg, &r, &err), RECON_EDATA);
    assert_string_equal(err.msg, "end date before start date");
    in.terms.end_date = D("2027-01-14");
    in.terms.premium = 0;
    assert_int_equal(eval_policy(&in, &cfg, &r, &err), RECON_EDATA);
    assert_string_equal(err.msg, "premium must be positive");
    eval_result_free(&r);
}

/* Issue 11: 100 receipts of 999999999999999.99 wrapped the 64-bit sum and the policy
 * came out not_effective. Such money is refused, naming the largest receipts; money up to
 * the sum bound is evaluated exactly. */
static void test_overflowing_money_refused(void **state)
{
    (void)state;
    enum { N = 100 };
    eval_receipt receipts[N];
    for (int i = 0; i < N; i++)
        receipts[i] = (eval_receipt){D("2026-01-15"), 99999999999999999LL, 101 + i, false};
    receipts[7].amount = -99999999999999999LL; /* a debit is as big in magnitude */
    eval_input in = {0};
    in.terms = (policy_terms){.mode = PAYMENT_MONTHLY, .start_date = D("2026-01-15"),
                              .end_date = D("2027-01-14"), .premium = 3000, .net_premium = 3000};
    in.receipts = receipts;
    in.receipt_count = N;
    in.cancellation = DATE_NONE;
    in.as_of = D("2026-06-30");
    eval_config cfg;
    eval_config_default(&cfg);
    eval_result r;
    eval_result_init(&r);
    err_t err;
    err_clear(&err);
    assert_int_equal(eval_policy(&in, &cfg, &r, &err), RECON_EDATA);
    assert_non_null(strstr(err.msg, "its 100 receipts adds up beyond 2^62 fen"));
    assert_non_null(strstr(err.msg, "not evaluated"));
    assert_non_null(strstr(err.msg, "receipts 101 (999999999999999.99), 102 (999999999999999.99)"));
    assert_null(strstr(err.msg, "108 ("));
    /* money after the as-of date is not counted, so it cannot refuse the day */
    in.as_of = D("2026-01-14");
    assert_int_equal(eval_policy(&in, &cfg, &r, &err), RECON_OK);
    assert_string_equal(policy_status_name(r.status), "pending");

    /* Just within the bound: 46116 receipts of 10^14 fen are 4.6116e18 fen. */
    enum { M = 46116 };
    static eval_receipt many[M + 1];
    for (int i = 0; i < M; i++)
        many[i] = (eval_receipt){D("2026-01-15"), MONEY_MAX_FEN, i + 1, false};
    in.receipts = many;
    in.receipt_count = M;
    in.as_of = D("2026-06-30");
    assert_int_equal(eval_policy(&in, &cfg, &r, &err), RECON_OK);
    assert_int_equal(r.received, (fen_t)M * MONEY_MAX_FEN);
    assert_string_equal(policy_status_name(r.status), "in_force");
    assert_int_equal(r.paid_installments, 12);
    assert_int_equal(r.refund_count, 1);
    assert_int_equal(r.refunds[0].amount, (fen_t)M * MONEY_MAX_FEN - 12 * 3000);
    /* one more fen of magnitude and it is refused */
    many[M] = (eval_receipt){D("2026-01-16"), -MONEY_MAX_FEN, M + 1, false};
    in.receipt_count = M + 1;
    assert_int_equal(eval_policy(&in, &cfg, &r, &err), RECON_EDATA);
    assert_non_null(strstr(err.msg, "its 46117 receipts adds up beyond 2^62 fen"));
    eval_result_free(&r);
}

static void test_unbounded_terms_refused(void **state)
{
    (void)state;
    eval_input in = {0};
    in.terms = (policy_terms){.mode = PAYMENT_MONTHLY, .start_date = D("2026-01-15"),
                              .end_date = D("2035-12-31"), .premium = INT64_MAX / 60,
                              .net_premium = 0};
    in.cancellation = DATE_NONE;
    in.as_of = D("2026-06-30");
    eval_config cfg;
    eval_config_default(&cfg);
    eval_result r;
    eval_result_init(&r);
    err_t err;
    err_clear(&err);
    /* 120 installments of it would wrap: refused before any arithmetic */
    assert_int_equal(eval_policy(&in, &cfg, &r, &err), RECON_EDATA);
    assert_non_null(strstr(err.msg, "premium 1537228672809129.30 is beyond 1000000000000.00"));
    in.terms.premium = MONEY_MAX_FEN;
    assert_int_equal(eval_policy(&in, &cfg, &r, &err), RECON_OK);
    assert_int_equal(r.installment_count, 120);
    cfg.tolerance = MONEY_MAX_FEN + 1;
    assert_int_equal(eval_policy(&in, &cfg, &r, &err), RECON_EDATA);
    assert_string_equal(err.msg, "tolerance must be between 0 and 1000000000000.00");
    eval_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules_examples),
        cmocka_unit_test(test_reasons_name_installment_and_receipt),
        cmocka_unit_test(test_installments_and_allocation),
        cmocka_unit_test(test_default_period),
        cmocka_unit_test(test_due_date_tables),
        cmocka_unit_test(test_invalid_terms),
        cmocka_unit_test(test_overflowing_money_refused),
        cmocka_unit_test(test_unbounded_terms_refused),
    };
    return cmocka_run_group_tests_name("core/evaluate", tests, NULL, NULL);
}
