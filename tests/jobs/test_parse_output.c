#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/parse_output.h"
#include "parsers/parse.h"

#define WX "fixtures/statements/wechat/all_mixed.csv"
#define AP "fixtures/statements/alipay/trade.csv"

/* Runs `recon parse`'s writer over files; returns stdout and stderr text (caller frees). */
static void run(const char *const *files, size_t n, bool unmasked, char **out, char **diag)
{
    size_t out_len = 0, diag_len = 0;
    FILE *o = open_memstream(out, &out_len), *d = open_memstream(diag, &diag_len);
    assert_non_null(o);
    assert_non_null(d);
    parse_output po;
    parse_output_init(&po, o, d, unmasked);
    err_t err;
    for (size_t i = 0; i < n; i++) {
        receipt_sink sink = parse_output_sink(&po, files[i]);
        if (parse_file(files[i], NULL, &sink, NULL, &err) != RECON_OK)
            fail_msg("%s", err.msg);
    }
    assert_int_equal(parse_output_finish(&po, &err), RECON_OK);
    parse_output_free(&po);
    fclose(o);
    fclose(d);
}

static void test_masked_wechat(void **state)
{
    (void)state;
    static const char *const files[] = {WX};
    char *out = NULL, *diag = NULL;
    run(files, 1, false, &out, &diag);
    assert_string_equal(
        out,
        PARSE_OUTPUT_HEADER "\n"
        WX ",line 2,1900000109,4200001234202603011234567890,2026-03-01,,250.00,CNY,credit,false,,,"
        "oUpF********************eS6o,,,P2026000123-202603,4200001234202603011234567890,"
        "保费 P2026000123; policy=P2026000123,1.50\n"
        WX ",line 3,1900000109,4200001234202603019999999999,2026-03-01,,1.00,CNY,credit,false,,,"
        "oUpF********************e456,,,P2026000456-202603,4200001234202603019999999999,"
        "\"月缴保费, 三月\",0.01\n"
        WX ",line 4,1900000109,50000000012026030100000001,2026-03-01,,-100.00,CNY,debit,true,"
        "4200001234202603011234567890,,oUpF********************eS6o,,,P2026000123-202603,"
        "50000000012026030100000001,保费 P2026000123; policy=P2026000123,-0.60\n");
    assert_string_equal(diag, "recon: statement 1900000109: date 2026-03-01 opening - closing - "
                              "credits 2/251.00 debits 1/100.00 (" WX " line 6)\n");
    free(out);
    free(diag);
}

/* Returns the n-th (0-based) CSV row after the header, without its newline. */
static void nth_row(const char *text, size_t n, char *row, size_t cap)
{
    const char *p = strchr(text, '\n');
    assert_non_null(p);
    for (size_t i = 0; i < n; i++) {
        p = strchr(p + 1, '\n');
        assert_non_null(p);
    }
    const char *end = strchr(p + 1, '\n');
    assert_non_null(end);
    snprintf(row, cap, "%.*s", (int)(end - p - 1), p + 1);
}

static void test_payer_masking_and_two_files(void **state)
{
    (void)state;
    static const char *const files[] = {AP, WX};
    static const struct {
        bool unmasked;
        const char *row0;
    } cases[] = {
        {false, AP ",line 6,20889876543210980156,2026030122001400001000000001,2026-03-01,,300.00,"
                "CNY,credit,false,,张*,zhan********.com,,,P2026000123-202603,"
                "2026030122001400001000000001,保费 P2026000123; 保单 P2026000123,1.80"},
        {true, AP ",line 6,20889876543210980156,2026030122001400001000000001,2026-03-01,,300.00,"
               "CNY,credit,false,,张三,zhang***@163.com,,,P2026000123-202603,"
               "2026030122001400001000000001,保费 P2026000123; 保单 P2026000123,1.80"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = NULL, *diag = NULL, row[1024];
        run(files, 2, cases[i].unmasked, &out, &diag);
        assert_true(strncmp(out, PARSE_OUTPUT_HEADER "\n", sizeof PARSE_OUTPUT_HEADER) == 0);
        nth_row(out, 0, row, sizeof row);
        assert_string_equal(row, cases[i].row0);
        /* one header for both files: 5 alipay + 3 wechat rows */
        size_t lines = 0;
        for (const char *p = out; *p; p++)
            lines += *p == '\n';
        assert_int_equal(lines, 1 + 5 + 3);
        assert_string_equal(diag,
                            "recon: statement 20889876543210980156: date 2026-03-01 opening - "
                            "closing - credits 2/500.00 debits 3/160.00 (" AP " line 13)\n"
                            "recon: statement 1900000109: date 2026-03-01 opening - closing - "
                            "credits 2/251.00 debits 1/100.00 (" WX " line 6)\n");
        free(out);
        free(diag);
    }
}

static void test_header_without_rows(void **state)
{
    (void)state;
    char *out = NULL, *diag = NULL;
    run(NULL, 0, false, &out, &diag);
    assert_string_equal(out, PARSE_OUTPUT_HEADER "\n");
    assert_string_equal(diag, "");
    free(out);
    free(diag);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_masked_wechat),
        cmocka_unit_test(test_payer_masking_and_two_files),
        cmocka_unit_test(test_header_without_rows),
    };
    return cmocka_run_group_tests_name("jobs/parse_output", tests, NULL, NULL);
}
