#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "jobs/config.h"

/* A fake environment: NAME=VALUE pairs, NULL-terminated. */
static const char *const *fake_env;

static const char *lookup(const char *name)
{
    size_t n = strlen(name);
    for (const char *const *e = fake_env; e && *e; e++)
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
            return *e + n + 1;
    return NULL;
}

static recon_status read_with(const char *const *env, recon_config *c, err_t *err)
{
    fake_env = env;
    err_clear(err);
    return config_read(c, lookup, err);
}

static void test_defaults(void **state)
{
    (void)state;
    recon_config c;
    err_t err;
    const char *const env[] = {NULL};
    assert_int_equal(read_with(env, &c, &err), RECON_OK);
    assert_string_equal(c.policy_pattern, CONFIG_POLICY_PATTERN_DEFAULT);
    assert_int_equal(c.settlement_count, 0);
    assert_int_equal(c.settlement_lag_days, 1);
    assert_int_equal(c.retention_years, 5);
    assert_int_equal(c.report_level, 6);
    assert_int_equal(c.notice_days, 7);
    assert_true(c.max_input == CONFIG_MAX_INPUT_DEFAULT);
    assert_null(c.db);
    assert_false(c.libpq_env);
    assert_int_equal(c.rules.tolerance, 0);
    assert_int_equal(c.four_eyes_below, 10000);
    assert_false(c.full_evaluation);
}

static void test_values_taken(void **state)
{
    (void)state;
    recon_config c;
    err_t err;
    const char *const env[] = {"RECON_TOLERANCE=0.05",
                               "RECON_FIRST_PAYMENT_WINDOW=10",
                               "RECON_PAYMENT_IS_AGREEMENT=1",
                               "RECON_POLICY_PATTERN=Q[0-9]{4}",
                               "RECON_SETTLEMENT_ACCOUNTS=6222000011112222,wechat:WX1,alipay:AP1",
                               "RECON_SETTLEMENT_LAG_DAYS=3",
                               "RECON_RETENTION_YEARS=7",
                               "RECON_MAX_INPUT=1024",
                               "RECON_REPORT_LEVEL=1",
                               "RECON_FOUR_EYES_BELOW=250.50",
                               "RECON_NOTICE_DAYS=30",
                               "RECON_EVALUATION=full",
                               "RECON_DB=dbname=x",
                               "PGHOST=/tmp",
                               NULL};
    assert_int_equal(read_with(env, &c, &err), RECON_OK);
    assert_int_equal(c.rules.tolerance, 5);
    assert_int_equal(c.rules.first_payment_window, 10);
    assert_true(c.rules.payment_is_agreement);
    assert_string_equal(c.policy_pattern, "Q[0-9]{4}");
    assert_int_equal(c.settlement_count, 3);
    assert_string_equal(c.settlements[0].provider, "");
    assert_string_equal(c.settlements[0].account, "6222000011112222");
    assert_string_equal(c.settlements[1].provider, "wechat");
    assert_string_equal(c.settlements[2].account, "AP1");
    assert_true(config_is_settlement(&c, "WX1"));
    assert_false(config_is_settlement(&c, "WX"));
    assert_false(config_is_settlement(&c, ""));
    assert_int_equal(c.settlement_lag_days, 3);
    assert_int_equal(c.retention_years, 7);
    assert_true(c.max_input == 1024);
    assert_int_equal(c.report_level, 1);
    assert_int_equal(c.four_eyes_below, 25050);
    assert_int_equal(c.notice_days, 30);
    assert_true(c.full_evaluation);
    assert_string_equal(c.db, "dbname=x");
    assert_true(c.libpq_env);
}

/* Each bad value is refused with 64 and a message naming its variable. */
static void test_bad_values(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "RECON_TOLERANCE=-1",          "RECON_TOLERANCE=abc",
        "RECON_FIRST_PAYMENT_WINDOW=28", "RECON_FIRST_PAYMENT_WINDOW=1x",
        "RECON_PAYMENT_IS_AGREEMENT=yes", "RECON_POLICY_PATTERN=P[0-9",
        "RECON_SETTLEMENT_ACCOUNTS=bank:123", "RECON_SETTLEMENT_ACCOUNTS=wechat:",
        "RECON_SETTLEMENT_ACCOUNTS=A,,B", "RECON_SETTLEMENT_LAG_DAYS=32",
        "RECON_SETTLEMENT_LAG_DAYS=-1", "RECON_RETENTION_YEARS=101",
        "RECON_MAX_INPUT=0",           "RECON_MAX_INPUT=-5",
        "RECON_MAX_INPUT=12k",         "RECON_REPORT_LEVEL=0",
        "RECON_REPORT_LEVEL=10",       "RECON_FOUR_EYES_BELOW=-1",
        "RECON_FOUR_EYES_BELOW=100,00",
        "RECON_NOTICE_DAYS=0",
        "RECON_NOTICE_DAYS=31",        "RECON_NOTICE_DAYS=7d",
        "RECON_EVALUATION=fast",       "RECON_EVALUATION=FULL",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *const env[] = {bad[i], NULL};
        recon_config c;
        err_t err;
        assert_int_equal(read_with(env, &c, &err), RECON_EUSAGE);
        size_t name_len = (size_t)(strchr(bad[i], '=') - bad[i]);
        assert_true(strncmp(err.msg, bad[i], name_len) == 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_values_taken),
        cmocka_unit_test(test_bad_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
