#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/match.h"

static bool settles(const void *ctx, const char *account)
{
    return strcmp((const char *)ctx, account) == 0;
}

static void decide(const char *pattern, const match_fields *f, match_decision *d)
{
    match_rules *m = NULL;
    err_t err = {0};
    assert_int_equal(match_rules_new(&m, pattern, settles, "TENPAY0001", &err), RECON_OK);
    match_decide(m, f, d);
    match_rules_free(m);
}

#define P "P[0-9]{13}"

static void test_outcomes(void **state)
{
    (void)state;
    static const struct {
        match_fields f;
        const char *result, *policy_no, *note;
    } cases[] = {
        {{"USD", false, "P0000000000001", "", "", "", ""}, "currency", "",
         "currency USD is not applied"},
        {{"CNY", false, "P0000000000001", "", "", "", "TENPAY0001"}, "settlement", "",
         "credit from a payment-provider settlement account"},
        {{"CNY", false, "P0000000000001", "", "", "P0000000000002", ""}, "identified",
         "P0000000000001", "policy number in reference"},
        {{"CNY", false, "", "", "", "premium P0000000000002 june", ""}, "identified",
         "P0000000000002", "policy number in remittance text"},
        {{"CNY", true, "", "", "P0000000000003", "", ""}, "reversal", "P0000000000003",
         "policy number in reference"},
        {{"CNY", false, "P0000000000001", "P0000000000001", "", "", ""}, "identified",
         "P0000000000001", "policy number in reference"},
        {{"CNY", false, "P0000000000001", "P0000000000002", "", "", ""}, "ambiguous", "",
         "reference names P0000000000001 and P0000000000002"},
        {{"CNY", false, "", "", "", "P0000000000001 P0000000000002", ""}, "ambiguous", "",
         "remittance text names P0000000000001 and P0000000000002"},
        {{"CNY", true, "", "", "", "", "6222"}, "reversal", "", ""},
        {{"CNY", false, "", "", "", "no number", "6222"}, NULL, "", ""},
        /* an empty payer account is never a settlement account */
        {{"CNY", false, "", "", "", "", ""}, NULL, "", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        match_decision d;
        decide(P, &cases[i].f, &d);
        if (cases[i].result == NULL)
            assert_null(d.result);
        else
            assert_string_equal(d.result, cases[i].result);
        assert_string_equal(d.policy_no, cases[i].policy_no);
        assert_string_equal(d.note, cases[i].note);
    }
}

/* RECON_POLICY_PATTERN decides what a policy number is. */
static void test_pattern(void **state)
{
    (void)state;
    match_fields f = {"CNY", false, "", "", "", "pay for HX-123456", ""};
    match_decision d;
    decide(P, &f, &d);
    assert_null(d.result);
    decide("HX-[0-9]{6}", &f, &d);
    assert_string_equal(d.result, "identified");
    assert_string_equal(d.policy_no, "HX-123456");
}

static void test_bad_pattern(void **state)
{
    (void)state;
    match_rules *m = NULL;
    err_t err = {0};
    assert_int_equal(match_rules_new(&m, "P[0-9", NULL, NULL, &err), RECON_EUSAGE);
    assert_null(m);
    assert_non_null(strstr(err.msg, "RECON_POLICY_PATTERN"));
}

/* Without a settlement predicate no payer is a settlement account. */
static void test_no_settlements(void **state)
{
    (void)state;
    match_rules *m = NULL;
    err_t err = {0};
    assert_int_equal(match_rules_new(&m, P, NULL, NULL, &err), RECON_OK);
    match_fields f = {"CNY", false, "P0000000000001", "", "", "", "TENPAY0001"};
    match_decision d;
    match_decide(m, &f, &d);
    assert_string_equal(d.result, "identified");
    match_rules_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outcomes),
        cmocka_unit_test(test_pattern),
        cmocka_unit_test(test_bad_pattern),
        cmocka_unit_test(test_no_settlements),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
