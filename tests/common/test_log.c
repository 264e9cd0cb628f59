#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "common/interrupt.h"
#include "common/log.h"
#include "common/progress.h"

static void test_json_escape_quotes_and_controls(void **state)
{
    (void)state;
    char out[256];
    log_json_escape("a \"b\" \\c\nd\te\x01" "f\x7f", out, sizeof out);
    assert_string_equal(out, "a \\\"b\\\" \\\\c\\u000ad\\u0009e\\u0001f\\u007f");
}

static void test_json_escape_keeps_utf8_replaces_invalid(void **state)
{
    (void)state;
    char out[256];
    log_json_escape("\xe4\xbf\x9d\xe5\x8d\x95 ok", out, sizeof out); /* 保单 */
    assert_string_equal(out, "\xe4\xbf\x9d\xe5\x8d\x95 ok");
    /* a lone continuation byte, a GBK pair, an overlong '/', a surrogate, a cut sequence */
    log_json_escape("x\x80y\xb1\xa3z\xc0\xaf\xed\xa0\x80\xe4\xbf", out, sizeof out);
    assert_string_equal(out, "x\\ufffdy\\ufffd\\ufffdz\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd"
                             "\\ufffd\\ufffd");
}

static void test_json_escape_never_overflows(void **state)
{
    (void)state;
    char out[8];
    size_t n = log_json_escape("\n\n\n", out, sizeof out);
    assert_int_equal(n, 6); /* one escape fits, the next would not: cut whole */
    assert_string_equal(out, "\\u000a");
    n = log_json_escape("\xe4\xbf\x9d\xe5\x8d\x95\xe5\x8d\x95", out, sizeof out);
    assert_int_equal(n, 6);
}

static void test_configure_words(void **state)
{
    (void)state;
    err_t err;
    assert_int_equal(log_configure("json,info", &err), RECON_OK);
    assert_true(log_json());
    assert_int_equal(log_get_level(), LOG_INFO);
    assert_int_equal(log_configure("error", &err), RECON_OK);
    assert_int_equal(log_get_level(), LOG_ERROR);
    assert_int_equal(log_configure(NULL, &err), RECON_OK);
    assert_int_equal(log_configure("", &err), RECON_OK);
    assert_int_equal(log_get_level(), LOG_ERROR);
}

static void test_configure_refuses_unknown_words(void **state)
{
    (void)state;
    err_t err;
    assert_int_equal(log_configure("bogus", &err), RECON_EUSAGE);
    assert_non_null(strstr(err.msg, "unknown word 'bogus'"));
    assert_non_null(strstr(err.msg, "hint:"));
    assert_int_equal(log_configure("json,verbose", &err), RECON_EUSAGE);
    assert_non_null(strstr(err.msg, "'verbose'"));
    assert_int_equal(log_configure("info,debug", &err), RECON_EUSAGE);
    assert_int_equal(log_configure("json,json", &err), RECON_EUSAGE);
    assert_int_equal(log_configure("JSON", &err), RECON_EUSAGE);
}

static void test_interrupt_statuses(void **state)
{
    (void)state;
    err_t err;
    err_clear(&err);
    interrupt_reset();
    assert_int_equal(interrupt_check(&err), RECON_OK);
    assert_int_equal(interrupt_outcome(RECON_EINTERNAL, &err), RECON_EINTERNAL);
    interrupt_raise_flag(SIGTERM);
    assert_int_equal(interrupt_status(), 143);
    assert_int_equal(interrupt_check(&err), RECON_ETERMINATED);
    assert_memory_equal(err.msg, "interrupted by SIGTERM; ", 24);
    /* a step that failed because of the stop is reported as the stop */
    err_set(&err, RECON_EINTERNAL, "database error 57014: canceling statement");
    assert_int_equal(interrupt_outcome(RECON_EINTERNAL, &err), RECON_ETERMINATED);
    assert_memory_equal(err.msg, "interrupted by SIGTERM; ", 24);
    /* a run that finished before it noticed keeps its result */
    assert_int_equal(interrupt_outcome(RECON_OK, &err), RECON_OK);
    interrupt_reset();
    interrupt_raise_flag(SIGINT);
    assert_int_equal(interrupt_check(&err), RECON_EINTERRUPTED);
    assert_int_equal(RECON_EINTERRUPTED, 130);
    assert_string_equal(interrupt_name(RECON_EINTERRUPTED), "SIGINT");
    assert_null(interrupt_name(RECON_EDATA));
    interrupt_reset();
}

static void hook(void) {}

static void test_handler_sets_flag_and_resets(void **state)
{
    (void)state;
    interrupt_reset();
    assert_true(interrupt_install(hook));
    raise(SIGTERM);
    assert_int_equal(interrupt_signal(), SIGTERM);
    /* SA_RESETHAND: a second signal would now take the default action */
    struct sigaction now;
    sigaction(SIGTERM, NULL, &now);
    assert_true(now.sa_handler == SIG_DFL);
    signal(SIGINT, SIG_DFL);
    interrupt_reset();
    /* an ignored signal stays ignored */
    signal(SIGINT, SIG_IGN);
    assert_true(interrupt_install(hook));
    sigaction(SIGINT, NULL, &now);
    assert_true(now.sa_handler == SIG_IGN);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
}

static void test_progress_line(void **state)
{
    (void)state;
    char line[200];
    progress_enable(true);
    progress_context("night %d of %d", 2, 5);
    progress_format(line, sizeof line, 1200, "rows", 2.0);
    assert_string_equal(line, "recon: night 2 of 5, 1200 rows (600/s)");
    progress_context("bad\nname");
    progress_format(line, sizeof line, 10, "rows", 0.5);
    assert_string_equal(line, "recon: bad?name, 10 rows");
    progress_context(NULL);
    progress_enable(false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_escape_quotes_and_controls),
        cmocka_unit_test(test_json_escape_keeps_utf8_replaces_invalid),
        cmocka_unit_test(test_json_escape_never_overflows),
        cmocka_unit_test(test_configure_words),
        cmocka_unit_test(test_configure_refuses_unknown_words),
        cmocka_unit_test(test_interrupt_statuses),
        cmocka_unit_test(test_handler_sets_flag_and_resets),
        cmocka_unit_test(test_progress_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
