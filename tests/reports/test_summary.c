#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/summary.h"

/* Rows as the report files give them: raw text fields, money also in fen at the same index. */
static void receipt_in(summary_figures *s, const char *currency, const char *outcome,
                       const char *direction, fen_t amount, fen_t allocated, fen_t unapplied)
{
    char *f[13] = {0};
    fen_t fen[13] = {0};
    f[5] = (char *)currency;
    f[6] = (char *)direction;
    f[9] = (char *)outcome;
    fen[4] = amount;
    fen[10] = allocated;
    fen[11] = unapplied;
    err_t err;
    assert_int_equal(summary_receipt(s, f, fen, &err), RECON_OK);
}

static void receipt(summary_figures *s, const char *outcome, const char *direction, fen_t amount,
                    fen_t allocated, fen_t unapplied)
{
    receipt_in(s, "CNY", outcome, direction, amount, allocated, unapplied);
}

/* An exception row with its hidden last field, the amount's currency. */
static void exception_in(summary_figures *s, const char *currency, const char *kind,
                         const char *id, const char *policy, fen_t amount, const char *age_days)
{
    char *f[8] = {(char *)kind, (char *)id,       (char *)policy, (char *)"",
                  (char *)"",   (char *)"",       (char *)age_days, (char *)currency};
    fen_t fen[8] = {0, 0, 0, amount, 0, 0, 0, 0};
    err_t err;
    assert_int_equal(summary_exception(s, f, fen, &err), RECON_OK);
}

static void exception_aged(summary_figures *s, const char *kind, const char *id,
                           const char *policy, fen_t amount, const char *age_days)
{
    exception_in(s, "CNY", kind, id, policy, amount, age_days);
}

static void exception(summary_figures *s, const char *kind, const char *id, const char *policy,
                      fen_t amount)
{
    exception_aged(s, kind, id, policy, amount, "0");
}

static void status_aged(summary_figures *s, const char *name, fen_t arrears, const char *ageing)
{
    char *f[11] = {(char *)"P1", (char *)name};
    fen_t fen[11] = {0};
    f[10] = (char *)ageing;
    fen[6] = arrears;
    err_t err;
    assert_int_equal(summary_policy(s, f, fen, &err), RECON_OK);
}

static void status(summary_figures *s, const char *name, fen_t arrears)
{
    status_aged(s, name, arrears, arrears > 0 ? "1-30" : "current");
}

static void refund_in(summary_figures *s, const char *currency, const char *reason,
                      fen_t amount)
{
    char *f[5] = {(char *)"P1", (char *)reason, (char *)"", (char *)"", (char *)currency};
    fen_t fen[5] = {0, 0, amount, 0, 0};
    err_t err;
    assert_int_equal(summary_refund(s, f, fen, &err), RECON_OK);
}

static void refund(summary_figures *s, const char *reason, fen_t amount)
{
    refund_in(s, "CNY", reason, amount);
}

static const store_report_lines no_lines = {0};

static char *text_of(summary_figures *s, const summary_lists *lists)
{
    buf_t b = BUF_INIT;
    err_t err;
    assert_int_equal(summary_text(s, "2026-06-01", lists, &b, &err), RECON_OK);
    assert_true(buf_append_char(&b, '\0'));
    return b.data;
}

static void test_whole_text(void **state)
{
    (void)state;
    summary_figures s;
    memset(&s, 0, sizeof s);
    status(&s, "in_force", 0);
    status(&s, "grace", 12345);
    status(&s, "in_force", 0);
    receipt(&s, "matched", "credit", 10000, 10000, 0);
    receipt(&s, "duplicate", "credit", 10000, 0, 0); /* not money in */
    receipt(&s, "overpaid", "credit", 25050, 20000, 5050);
    receipt(&s, "reversal", "debit", -3000, 0, 0);  /* a debit is not money in */
    exception(&s, "ambiguous", "7", "", 500);
    exception(&s, "refund_due", "", "P0000000000009", -250);
    refund(&s, "excess", 5050);
    store_report_line files[] = {
        {"icbc.csv", "bankcsv", "3 receipts, 1 duplicates", ""},
        {"ing.sta", "mt940", "4 receipts, 2 duplicates",
         "repeats statement 42 of ing-old.sta: 2 entries already stored, 2 new\n"
         "warnings: transaction type 'NOV' read as unknown (2 times, first at line 4)"},
        {"old.xml", "REJECTED", "old.xml: Stmt[1]: no currency", NULL}};
    store_report_line balances[] = {{"icbc 42", "balanced", "0", NULL},
                                    {"icbc 43", "no balances", "", NULL}};
    store_report_lines fl = {files, 3, NULL}, bl = {balances, 2, NULL};
    summary_lists lists = {&fl, &bl, &no_lines};
    char *got = text_of(&s, &lists);
    const char *want =
        "recon daily summary for 2026-06-01\n"
        "\n"
        "policies by status\n"
        "  grace                                             1           123.45\n"
        "  in_force                                          2             0.00\n"
        "\n"
        "policies by ageing (days overdue; arrears)\n"
        "  current                                           2             0.00\n"
        "  1-30                                              1           123.45\n"
        "  31-60                                             0             0.00\n"
        "  61-90                                             0             0.00\n"
        "  90+                                               0             0.00\n"
        "\n"
        "receipts of the day by outcome\n"
        "  duplicate                                         1           100.00\n"
        "  matched                                           1           100.00\n"
        "  overpaid                                          1           250.50\n"
        "  reversal                                          1           -30.00\n"
        "\n"
        "money of the day (in, allocated to installments, unapplied)\n"
        "  money in                                                      350.50\n"
        "  allocated                                                     300.00\n"
        "  unapplied                                                      50.50\n"
        "\n"
        "money in suspense (unidentified, ambiguous, other currency)\n"
        "  ambiguous                                         1             5.00\n"
        "\n"
        "money in suspense by age (days since booking)\n"
        "  0-7                                               1             5.00\n"
        "  8-30                                              0             0.00\n"
        "  31-90                                             0             0.00\n"
        "  90+                                               0             0.00\n"
        "\n"
        "refunds due\n"
        "  excess                                            1            50.50\n"
        "\n"
        "statement files of the day\n"
        "  icbc.csv                                    bankcsv  3 receipts, 1 duplicates\n"
        "  ing.sta                                       mt940  4 receipts, 2 duplicates\n"
        "    repeats statement 42 of ing-old.sta: 2 entries already stored, 2 new\n"
        "    warnings: transaction type 'NOV' read as unknown (2 times, first at line 4)\n"
        "  old.xml                                    REJECTED  old.xml: Stmt[1]: no currency\n"
        "\n"
        "statement balance checks (opening + credits - debits = closing)\n"
        "  icbc 42                                    balanced             0.00\n"
        "  icbc 43                                  no balances                 \n"
        "\n"
        "provider settlements (credited = provider gross - fees)\n"
        "  none\n"
        "\n"
        "top exceptions (largest amounts first)\n"
        "  ambiguous receipt 7                                             5.00\n"
        "  refund_due P0000000000009                                      -2.50\n"
        "\n";
    if (strcmp(got, want) != 0)
        fprintf(stderr, "got:\n%s", got);
    assert_string_equal(got, want);
    free(got);
}

/* The ten largest by absolute amount; among equal amounts the earlier row stays. */
static void test_top_exceptions(void **state)
{
    (void)state;
    summary_figures s;
    memset(&s, 0, sizeof s);
    char ids[12][8];
    for (int i = 0; i < 12; i++) {
        snprintf(ids[i], sizeof ids[i], "%d", i);
        exception(&s, "unidentified", ids[i], "", i == 3 ? -900 : 100); /* 3 is the largest */
    }
    assert_int_equal(s.top_n, SUMMARY_TOP);
    assert_string_equal(s.top[0].label, "unidentified receipt 3");
    assert_int_equal(s.top[0].amount, -900);
    assert_string_equal(s.top[1].label, "unidentified receipt 0");
    assert_string_equal(s.top[9].label, "unidentified receipt 9"); /* 10 and 11 lost the tie */
    assert_int_equal(s.suspense.n, 1);
    assert_int_equal(s.suspense.g[0].count, 12);
    exception(&s, "settlement", "20", "", 100000); /* not suspense, but the largest */
    assert_string_equal(s.top[0].label, "settlement receipt 20");
    assert_int_equal(s.suspense.g[0].count, 12);
}

/* Policies and arrears per ageing bucket; suspense (and only suspense) by age. */
static void test_buckets(void **state)
{
    (void)state;
    summary_figures s;
    memset(&s, 0, sizeof s);
    status_aged(&s, "in_force", 0, "current");
    status_aged(&s, "grace", 3000, "1-30");
    status_aged(&s, "suspended", 6000, "31-60");
    status_aged(&s, "suspended", 9000, "61-90");
    status_aged(&s, "expired", 12000, "90+");
    status_aged(&s, "suspended", 7000, "90+");
    static const long long counts[] = {1, 1, 1, 1, 2};
    static const fen_t arrears[] = {0, 3000, 6000, 9000, 19000};
    for (size_t b = 0; b < WORKLIST_AGEING_BUCKETS; b++) {
        assert_int_equal(s.ageing_count[b], counts[b]);
        assert_int_equal(s.ageing_arrears[b], arrears[b]);
    }
    exception_aged(&s, "unidentified", "1", "", 100, "0");
    exception_aged(&s, "unidentified", "2", "", 200, "7");
    exception_aged(&s, "ambiguous", "3", "", 300, "8");
    exception_aged(&s, "currency", "4", "", 400, "30");
    exception_aged(&s, "unidentified", "5", "", 500, "31");
    exception_aged(&s, "unidentified", "6", "", 600, "90");
    exception_aged(&s, "unidentified", "7", "", 700, "91");
    exception_aged(&s, "refund_due", "", "P1", 5000, "400"); /* not suspense */
    exception_aged(&s, "settlement", "8", "", 9000, "400");   /* not suspense */
    static const long long scounts[] = {2, 2, 2, 1};
    static const fen_t sfen[] = {300, 700, 1100, 700};
    for (size_t b = 0; b < WORKLIST_SUSPENSE_BUCKETS; b++) {
        assert_int_equal(s.suspense_age_count[b], scounts[b]);
        assert_int_equal(s.suspense_age_fen[b], sfen[b]);
    }
    /* a bucket name or an age the reports never write */
    char *f[11] = {(char *)"P1", (char *)"grace"};
    fen_t fen[11] = {0};
    f[10] = (char *)"91+";
    err_t err;
    assert_int_equal(summary_policy(&s, f, fen, &err), RECON_EINTERNAL);
    char *e[8] = {(char *)"unidentified", (char *)"9", (char *)"", (char *)"", (char *)"",
                  (char *)"", (char *)"", (char *)"CNY"};
    assert_int_equal(summary_exception(&s, e, fen, &err), RECON_EINTERNAL);
}

/* Money in another currency than CNY is tallied by name and currency, never added to yuan:
 * refunds by reason, suspense by kind and by age, the day's money and the largest exceptions. */
static void test_currencies(void **state)
{
    (void)state;
    summary_figures s;
    memset(&s, 0, sizeof s);
    refund_in(&s, "USD", "decision", 10000);
    refund_in(&s, "CNY", "decision", 2000);
    refund_in(&s, "CNY", "excess", 4000);
    refund_in(&s, "USD", "decision", 500);
    exception_in(&s, "USD", "currency", "23", "", 10000, "10");
    exception_in(&s, "EUR", "currency", "24", "", 700, "10");
    exception_in(&s, "USD", "currency", "25", "", 300, "95");
    exception_in(&s, "CNY", "unidentified", "26", "", 5000, "10");
    exception_in(&s, "USD", "refund_due", "23", "", 10000, "28");
    exception_in(&s, "CNY", "refund_due", "", "P2", 4000, "3");
    receipt_in(&s, "USD", "currency", "credit", 10000, 0, 0);
    receipt_in(&s, "CNY", "matched", "credit", 3000, 3000, 0);
    receipt_in(&s, "USD", "duplicate", "credit", 10000, 0, 0); /* not money in */
    char *got = text_of(&s, &(summary_lists){&no_lines, &no_lines, &no_lines});
    const char *want =
        "receipts of the day by outcome\n"
        "  currency USD                                      1           100.00\n"
        "  duplicate USD                                     1           100.00\n"
        "  matched                                           1            30.00\n"
        "\n"
        "money of the day (in, allocated to installments, unapplied)\n"
        "  money in                                                       30.00\n"
        "  allocated                                                      30.00\n"
        "  unapplied                                                       0.00\n"
        "  money in USD                                                  100.00\n"
        "\n"
        "money in suspense (unidentified, ambiguous, other currency)\n"
        "  currency EUR                                      1             7.00\n"
        "  currency USD                                      2           103.00\n"
        "  unidentified                                      1            50.00\n"
        "\n"
        "money in suspense by age (days since booking)\n"
        "  0-7                                               0             0.00\n"
        "  8-30                                              1            50.00\n"
        "  31-90                                             0             0.00\n"
        "  90+                                               0             0.00\n"
        "  8-30 EUR                                          1             7.00\n"
        "  8-30 USD                                          1           100.00\n"
        "  90+ USD                                           1             3.00\n"
        "\n"
        "refunds due\n"
        "  decision                                          1            20.00\n"
        "  decision USD                                      2           105.00\n"
        "  excess                                            1            40.00\n"
        "\n";
    assert_non_null(strstr(got, want));
    assert_non_null(
        strstr(got, "top exceptions (largest amounts first)\n"
                    "  currency receipt 23 USD                                       100.00\n"
                    "  refund_due USD                                                100.00\n"
                    "  unidentified receipt 26                                        50.00\n"
                    "  refund_due P2                                                  40.00\n"));
    free(got);
    memset(&s, 0, sizeof s);
    /* a currency the reports never write, and more currencies than the summary lists */
    char *f[5] = {(char *)"P1", (char *)"excess", (char *)"", (char *)"", (char *)"usd"};
    fen_t fen[5] = {0, 0, 100, 0, 0};
    err_t err;
    assert_int_equal(summary_refund(&s, f, fen, &err), RECON_EINTERNAL);
    char code[SUMMARY_GROUPS + 1][4];
    recon_status st = RECON_OK;
    for (int i = 0; i <= SUMMARY_GROUPS && st == RECON_OK; i++) {
        snprintf(code[i], sizeof code[i], "X%c%c", 'A' + i / 26, 'A' + i % 26);
        f[4] = code[i];
        st = summary_refund(&s, f, fen, &err);
    }
    assert_int_equal(st, RECON_EDATA);
    assert_int_equal(s.refunds.n, SUMMARY_GROUPS);
}

static void test_refusals(void **state)
{
    (void)state;
    summary_figures s;
    memset(&s, 0, sizeof s);
    char *f[5] = {(char *)"P1", (char *)"excess", (char *)"", (char *)"", (char *)"CNY"};
    fen_t fen[5] = {0, 0, INT64_MAX, 0, 0};
    err_t err;
    assert_int_equal(summary_refund(&s, f, fen, &err), RECON_OK);
    assert_int_equal(summary_refund(&s, f, fen, &err), RECON_EDATA);
    assert_string_equal(err.msg, "summary: the total of 'excess' overflows 64 bits; hint: the "
                                 "data changed since recon process; run it again for this day");
    /* a group name beyond the fixed lists */
    char *g[5] = {(char *)"P1", (char *)"a_reason_name_much_longer_than_any_known", (char *)"",
                  (char *)"", (char *)"CNY"};
    fen[2] = 1;
    assert_int_equal(summary_refund(&s, g, fen, &err), RECON_EINTERNAL);
    /* an amount in a list beyond 64 bits */
    store_report_line big[] = {{"wechat 2026-05-31 receipt 4", "DIFFERENCE",
                                "99999999999999999999", NULL}};
    store_report_lines bl = {big, 1, NULL};
    summary_lists lists = {&no_lines, &no_lines, &bl};
    buf_t b = BUF_INIT;
    assert_int_equal(summary_text(&s, "2026-06-01", &lists, &b, &err), RECON_EDATA);
    assert_string_equal(err.msg, "summary: wechat 2026-05-31 receipt 4: amount "
                                 "99999999999999999999 fen is beyond 64 bits");
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_text),
        cmocka_unit_test(test_top_exceptions),
        cmocka_unit_test(test_buckets),
        cmocka_unit_test(test_currencies),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests_name("reports/summary", tests, NULL, NULL);
}
