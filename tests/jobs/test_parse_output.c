#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "core/mask.h"
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

/* A small deterministic generator, so a failure reproduces. */
static unsigned long rng_state;

static unsigned rng(unsigned n)
{
    rng_state = rng_state * 6364136223846793005UL + 1442695040888963407UL;
    return (unsigned)((rng_state >> 33) % n);
}

/* Fills field (cap bytes) with a random string biased to what CSV quoting and
 * the 16-byte scan care about: the four special bytes, UTF-8, lengths around
 * multiples of 16 and up to the full array. */
static void random_field(char *field, size_t cap)
{
    static const char *const pieces[] = {"a", "Z", "7", " ", ",", "\"", "\r", "\n", "张", "é", ";"};
    size_t len;
    switch (rng(4)) {
    case 0:
        len = 0;
        break;
    case 1:
        len = cap - 1; /* full array, terminator in the last byte */
        break;
    default:
        len = rng((unsigned)cap);
    }
    /* Mostly plain fields, as in real statements; some with special bytes. */
    unsigned spread = rng(3) == 0 ? 11 : 4;
    size_t n = 0;
    while (n < len) {
        const char *p = pieces[rng(spread)];
        size_t pl = strlen(p);
        if (n + pl > len)
            p = "x", pl = 1;
        memcpy(field + n, p, pl);
        n += pl;
    }
    field[n] = '\0';
}

static void random_receipt(receipt_t *r)
{
    receipt_init(r);
    random_field(r->position, sizeof r->position);
    random_field(r->source, sizeof r->source);
    random_field(r->transaction_key, sizeof r->transaction_key);
    r->booking_date = rng(5) == 0 ? DATE_NONE : (date_t)(20000 + rng(3));
    r->value_date = rng(2) == 0 ? DATE_NONE : (date_t)(20000 + rng(400));
    r->amount = (fen_t)rng(2000000) - 1000000;
    random_field(r->currency, sizeof r->currency);
    r->direction = r->amount < 0 ? RECEIPT_DEBIT : RECEIPT_CREDIT;
    r->reversal = rng(2) == 0;
    random_field(r->reversal_of, sizeof r->reversal_of);
    random_field(r->payer, sizeof r->payer);
    random_field(r->payer_account, sizeof r->payer_account);
    random_field(r->end_to_end_id, sizeof r->end_to_end_id);
    random_field(r->creditor_reference, sizeof r->creditor_reference);
    random_field(r->merchant_order_no, sizeof r->merchant_order_no);
    random_field(r->provider_txn_id, sizeof r->provider_txn_id);
    random_field(r->remittance, sizeof r->remittance);
    r->has_fee = rng(2) == 0;
    r->fee = (fen_t)rng(1000);
}

/* The row as the writer built it before issue 5 (buf_append_csv_field per
 * field), the oracle for the one-pass writer. */
static void expected_row(buf_t *b, const char *file, const receipt_t *r, bool unmasked)
{
    char booking[DATE_STR_SIZE], value[DATE_STR_SIZE], amount[MONEY_STR_SIZE],
        fee[MONEY_STR_SIZE], payer[RECEIPT_NAME_MAX + 2], account[RECEIPT_ACCOUNT_MAX];
    date_format(r->booking_date, booking);
    date_format(r->value_date, value);
    money_format(r->amount, amount);
    if (r->has_fee)
        money_format(r->fee, fee);
    else
        fee[0] = '\0';
    if (unmasked) {
        snprintf(payer, sizeof payer, "%s", r->payer);
        snprintf(account, sizeof account, "%s", r->payer_account);
    } else {
        assert_true(mask_name(r->payer, payer, sizeof payer));
        assert_true(mask_account(r->payer_account, account, sizeof account));
    }
    const char *fields[] = {file, r->position, r->source, r->transaction_key, booking, value,
                            amount, r->currency, r->direction == RECEIPT_DEBIT ? "debit" : "credit",
                            r->reversal ? "true" : "false", r->reversal_of, payer, account,
                            r->end_to_end_id, r->creditor_reference, r->merchant_order_no,
                            r->provider_txn_id, r->remittance, fee};
    size_t n = sizeof fields / sizeof fields[0];
    for (size_t i = 0; i < n; i++) {
        assert_true(buf_append_csv_field(b, fields[i]));
        assert_true(buf_append_char(b, i + 1 < n ? ',' : '\n'));
    }
}

/* Random rows through the sink, with out and diag one stream: the bytes must
 * be the old writer's, over many buffer chunks, and each statement line must
 * follow the rows before it. */
static void test_rows_match_old_writer(void **state)
{
    (void)state;
    static const char *const files[] = {"plain.csv", "with,comma \"quoted\".csv",
                                        "a/long/path/to/the/inbox/2026-06-01_wechat.csv"};
    for (int unmasked = 0; unmasked <= 1; unmasked++) {
        rng_state = 42;
        char *text = NULL;
        size_t text_len = 0;
        FILE *o = open_memstream(&text, &text_len);
        assert_non_null(o);
        parse_output po;
        parse_output_init(&po, o, o, unmasked);
        buf_t want = BUF_INIT;
        assert_true(buf_append_str(&want, PARSE_OUTPUT_HEADER "\n"));
        err_t err;
        receipt_t r;
        for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
            receipt_sink sink = parse_output_sink(&po, files[k]);
            for (int i = 0; i < 1500; i++) {
                random_receipt(&r);
                assert_int_equal(sink.on_receipt(sink.ctx, &r, &err), RECON_OK);
                expected_row(&want, files[k], &r, unmasked);
                if (i % 700 == 699) {
                    statement_summary s;
                    statement_summary_init(&s);
                    char line[1024];
                    parse_output_statement_line(&po, &s, line, sizeof line);
                    assert_int_equal(sink.on_statement(sink.ctx, &s, &err), RECON_OK);
                    assert_true(buf_append_str(&want, line) && buf_append_char(&want, '\n'));
                }
            }
        }
        assert_int_equal(parse_output_finish(&po, &err), RECON_OK);
        parse_output_free(&po);
        fclose(o);
        /* several chunks, or the flushing is not exercised */
        assert_true(want.len > 4 * PARSE_OUTPUT_CHUNK);
        assert_int_equal(text_len, want.len);
        assert_memory_equal(text, want.data, want.len);
        free(text);
        buf_free(&want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_masked_wechat),
        cmocka_unit_test(test_payer_masking_and_two_files),
        cmocka_unit_test(test_header_without_rows),
        cmocka_unit_test(test_rows_match_old_writer),
    };
    return cmocka_run_group_tests_name("jobs/parse_output", tests, NULL, NULL);
}
