#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/parse.h"
#include "tests/support/testutil.h"

#define FIX "fixtures/statements/wechat/"

typedef struct want_receipt {
    const char *position, *source, *key, *date;
    fen_t amount;
    receipt_direction direction;
    bool reversal;
    const char *reversal_of, *order, *provider_txn, *payer_account, *remittance;
    fen_t fee;
} want_receipt;

static void check_receipt(const receipt_t *r, const want_receipt *w)
{
    char date[DATE_STR_SIZE];
    date_format(r->booking_date, date);
    assert_string_equal(r->position, w->position);
    assert_string_equal(r->source, w->source);
    assert_string_equal(r->transaction_key, w->key);
    assert_string_equal(date, w->date);
    assert_int_equal(r->value_date, DATE_NONE);
    assert_int_equal(r->amount, w->amount);
    assert_string_equal(r->currency, "CNY");
    assert_int_equal(r->direction, w->direction);
    assert_int_equal(r->reversal, w->reversal);
    assert_string_equal(r->reversal_of, w->reversal_of);
    assert_string_equal(r->merchant_order_no, w->order);
    assert_string_equal(r->provider_txn_id, w->provider_txn);
    assert_string_equal(r->payer_account, w->payer_account);
    assert_string_equal(r->remittance, w->remittance);
    assert_true(r->has_fee);
    assert_int_equal(r->fee, w->fee);
    assert_string_equal(r->payer, "");
}

/* Parses path with format detection; returns the status, the error in err. */
static recon_status run(const char *path, collector *c, err_t *err)
{
    receipt_sink sink;
    collector_init(c, &sink);
    err_clear(err);
    stmt_format fmt = FORMAT_UNKNOWN;
    recon_status st = parse_file(path, NULL, &sink, &fmt, err);
    if (st == RECON_OK || c->count > 0)
        assert_int_equal(fmt, FORMAT_WECHAT);
    return st;
}

static void test_detect(void **state)
{
    (void)state;
    static const struct {
        const char *head;
        bool want;
    } cases[] = {
        {"交易时间,公众账号ID,商户号,微信订单号,商户订单号\n`2019", true},
        {"\xEF\xBB\xBF交易时间,公众账号ID,商户号,微信订单号,交易状态\r\n", true},
        {"交易时间,公众账号ID,商户号\n,微信订单号,", false}, /* second column on line 2 */
        {"交易时间,商户号,微信订单号\n", false},
        {"支付宝交易号,商户订单号\n", false},
        {"", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (wechat_detect((const unsigned char *)cases[i].head, strlen(cases[i].head)) !=
            cases[i].want)
            fail_msg("wechat_detect case %zu: want %d", i, cases[i].want);
}

static const want_receipt all_mixed[] = {
    {"line 2", "1900000109", "4200001234202603011234567890", "2026-03-01", 25000, RECEIPT_CREDIT,
     false, "", "P2026000123-202603", "4200001234202603011234567890",
     "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "保费 P2026000123; policy=P2026000123", 150},
    /* fee 0.00600 rounds half-up to 1 fen; quoted 商品名称 keeps its comma */
    {"line 3", "1900000109", "4200001234202603019999999999", "2026-03-01", 100, RECEIPT_CREDIT,
     false, "", "P2026000456-202603", "4200001234202603019999999999",
     "oUpF8uMuAJO_M2pxb1Q9zNjWe456", "月缴保费, 三月", 1},
    {"line 4", "1900000109", "50000000012026030100000001", "2026-03-01", -10000, RECEIPT_DEBIT,
     true, "4200001234202603011234567890", "P2026000123-202603", "50000000012026030100000001",
     "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "保费 P2026000123; policy=P2026000123", -60},
};

static void test_fixtures_ok(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        const want_receipt *want;
        size_t n;
        const char *stmt_position, *from, *to;
        fen_t credits, debits;
    } cases[] = {
        /* BOM + CRLF */
        {FIX "all_mixed.csv", all_mixed, 3, "line 6", "2026-03-01", "2026-03-01", 25100, 10000},
        {FIX "all_mixed.csv.gz", all_mixed, 3, "line 6", "2026-03-01", "2026-03-01", 25100,
         10000},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        collector c;
        err_t err;
        recon_status st = run(cases[i].path, &c, &err);
        if (st != RECON_OK)
            fail_msg("%s: %s", cases[i].path, err.msg);
        assert_int_equal(c.count, cases[i].n);
        for (size_t k = 0; k < c.count; k++)
            check_receipt(&c.receipts[k], &cases[i].want[k]);
        assert_int_equal(c.stmt_count, 1);
        const statement_summary *s = &c.statements[0];
        char from[DATE_STR_SIZE], to[DATE_STR_SIZE], sd[DATE_STR_SIZE];
        date_format(s->period_from, from);
        date_format(s->period_to, to);
        date_format(s->statement_date, sd);
        assert_string_equal(s->position, cases[i].stmt_position);
        assert_string_equal(s->source, "1900000109");
        assert_string_equal(s->currency, "CNY");
        assert_string_equal(from, cases[i].from);
        assert_string_equal(to, cases[i].to);
        assert_string_equal(sd, cases[i].to);
        assert_int_equal(s->entry_count, (long)cases[i].n);
        assert_int_equal(s->credit_total, cases[i].credits);
        assert_int_equal(s->debit_total, cases[i].debits);
        assert_false(s->has_opening);
        assert_false(s->has_closing);
        collector_free(&c);
    }
}

static void test_refund_layout(void **state)
{
    (void)state;
    /* booking date is the day the refund succeeded (退款成功时间), not the request day */
    static const want_receipt want = {
        "line 2", "1900000109", "50000000012026033100000002", "2026-04-01", -3000, RECEIPT_DEBIT,
        true, "4200001234202603311111111111", "P2026000789-202603", "50000000012026033100000002",
        "oUser789", "保费 P2026000789", -18};
    collector c;
    err_t err;
    if (run(FIX "refund_layout.csv", &c, &err) != RECON_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(c.count, 1);
    check_receipt(&c.receipts[0], &want);
    assert_int_equal(c.stmt_count, 1);
    assert_int_equal(c.statements[0].debit_total, 3000);
    collector_free(&c);
}

static void test_empty_bill(void **state)
{
    (void)state;
    collector c;
    err_t err;
    if (run(FIX "empty_bill.csv", &c, &err) != RECON_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(c.count, 0);
    assert_int_equal(c.stmt_count, 1);
    assert_int_equal(c.statements[0].entry_count, 0);
    assert_string_equal(c.statements[0].position, "line 3");
    collector_free(&c);
}

static void test_fixtures_rejected(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        size_t pushed; /* receipts streamed before the fault was found */
        const char *msg;
    } cases[] = {
        {"bad_count.csv", 2,
         "line 5: summary 总交易单数 says 3 rows but the bill has 2; hint: truncated or edited bill"},
        {"bad_total.csv", 3,
         "line 6: summary 应结订单总金额 is 251.01 but the rows' 应结订单金额 add up to 251.00"},
        {"bad_fee_total.csv", 3,
         "line 6: summary 手续费总金额 is 0.905 but the rows' 手续费 add up to 0.906"},
        {"truncated.csv", 2,
         "line 3: bill ends without its summary (总交易单数 header and values); hint: truncated "
         "download?"},
        {"bad_date.csv", 0,
         "line 2: 交易时间 '2026-02-30 09:15:02' is not a date and time like 2019-08-29 09:45:50"},
        {"bad_time.csv", 0,
         "line 2: 交易时间 '2026-03-01 24:15:02' is not a date and time like 2019-08-29 09:45:50"},
        {"bad_amount.csv", 0, "line 2: 应结订单金额 '250.005' has fractions of a fen"},
        {"long_field.csv", 0, "line 2: 商户订单号 longer than 139 bytes"},
        {"field_count.csv", 0,
         "line 2: 28 fields where the header has 27; hint: a field containing a comma?"},
        {"refund_pending.csv", 0,
         "line 2: refund status 'PROCESSING' is not final; hint: download the bill again once the "
         "refund has settled"},
        {"two_merchants.csv", 1,
         "line 3: 商户号 1900000999 differs from 1900000109 on earlier rows; hint: one bill per "
         "merchant"},
        {"after_summary.csv", 1, "line 5: unexpected text after the summary"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[256], want[1024];
        snprintf(path, sizeof path, FIX "%s", cases[i].file);
        snprintf(want, sizeof want, "%s: %s", path, cases[i].msg);
        collector c;
        err_t err;
        recon_status st = run(path, &c, &err);
        if (st != RECON_EDATA)
            fail_msg("%s: status %d, want RECON_EDATA", path, st);
        assert_string_equal(err.msg, want);
        assert_int_equal(c.count, cases[i].pushed);
        assert_int_equal(c.stmt_count, 0);
        collector_free(&c);
    }
}

static void test_legacy_sample(void **state)
{
    (void)state;
    const char *dir = testutil_samples_dir();
    if (dir == NULL)
        skip();
    char path[512];
    snprintf(path, sizeof path, "%s/wechatpay/wxjava__ALL_legacy_2014_docsample.csv", dir);
    static const want_receipt want[] = {
        {"line 2", "10000100", "1001690740201411100005734289", "2014-11-10", 1, RECEIPT_CREDIT,
         false, "", "1415640626", "1001690740201411100005734289", "085e9858e3ba5186aafcbaed1",
         "被扫支付测试; 订单额外描述", 0},
        {"line 3", "10000100", "1002780740201411100005729794", "2014-11-10", 1, RECEIPT_CREDIT,
         false, "", "1415635270", "1002780740201411100005729794", "085e9858e90ca40c0b5aee463",
         "被扫支付测试; 订单额外描述", 0},
    };
    collector c;
    err_t err;
    if (run(path, &c, &err) != RECON_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(c.count, 2);
    for (size_t k = 0; k < 2; k++)
        check_receipt(&c.receipts[k], &want[k]);
    assert_int_equal(c.stmt_count, 1);
    assert_string_equal(c.statements[0].position, "line 5");
    assert_string_equal(c.statements[0].source, "10000100");
    assert_int_equal(c.statements[0].entry_count, 2);
    assert_int_equal(c.statements[0].credit_total, 2);
    assert_int_equal(c.statements[0].debit_total, 0);
    collector_free(&c);
}

/* The 2019 samples are excerpts whose summaries still count the full bill (48, 31
 * and 4 orders for 1 row each), so the summary check must reject them; the row
 * before the summary is streamed first and is checked here field by field. */
static void test_excerpt_samples(void **state)
{
    (void)state;
    const char *dir = testutil_samples_dir();
    if (dir == NULL)
        skip();
    static const struct {
        const char *file;
        want_receipt want;
        const char *msg;
    } cases[] = {
        {"wxjava__ALL_2019_excerpt.csv",
         {"line 2", "XXXXXXXX", "XXXXXXXXXXXXX", "2019-07-25", 600, RECEIPT_CREDIT, false, "",
          "XXXXXXXXXX", "XXXXXXXXXXXXX", "XXXXXXXXXXX", "XXXXXX; XXXXXXX", 4},
         "line 4: summary 总交易单数 says 48 rows but the bill has 1; hint: truncated or edited bill"},
        {"wxjava__SUCCESS_2019_excerpt.csv",
         {"line 2", "XXX", "XXX", "2019-07-23", 1, RECEIPT_CREDIT, false, "", "XXX", "XXX", "XXX",
          "XXX; XXXX", 0},
         "line 4: summary 总交易单数 says 31 rows but the bill has 1; hint: truncated or edited bill"},
        {"wxjava__REFUND_2019_excerpt.csv",
         {"line 2", "xxx", "xxxx", "2019-07-23", -1, RECEIPT_DEBIT, true, "xxx", "xxxx", "xxxx",
          "xxxxx", "xxxx; xxxx", 0},
         "line 4: summary 总交易单数 says 4 rows but the bill has 1; hint: truncated or edited bill"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[512], want[1024];
        snprintf(path, sizeof path, "%s/wechatpay/%s", dir, cases[i].file);
        snprintf(want, sizeof want, "%s: %s", path, cases[i].msg);
        collector c;
        err_t err;
        assert_int_equal(run(path, &c, &err), RECON_EDATA);
        assert_string_equal(err.msg, want);
        assert_int_equal(c.count, 1);
        check_receipt(&c.receipts[0], &cases[i].want);
        assert_int_equal(c.stmt_count, 0);
        collector_free(&c);
    }
}

/* all_mixed.csv with the first occurrence of `find` replaced by `repl` (rlen bytes),
 * parsed from memory as "m.csv"; *column is the 1-based byte of the replacement
 * within its line. */
static recon_status run_patched(const char *find, const char *repl, size_t rlen, collector *c,
                                err_t *err, size_t *column)
{
    FILE *fp = fopen(FIX "all_mixed.csv", "rb");
    assert_non_null(fp);
    char orig[8192];
    size_t len = fread(orig, 1, sizeof orig, fp);
    fclose(fp);
    assert_true(len < sizeof orig);
    orig[len] = '\0';
    const char *at = strstr(orig, find);
    assert_non_null(at);
    size_t pos = (size_t)(at - orig), flen = strlen(find);
    char *data = malloc(len - flen + rlen);
    memcpy(data, orig, pos);
    memcpy(data + pos, repl, rlen);
    memcpy(data + pos + rlen, orig + pos + flen, len - pos - flen);
    size_t bol = pos;
    while (bol > 0 && orig[bol - 1] != '\n')
        bol--;
    *column = pos - bol + 1;

    receipt_sink sink;
    collector_init(c, &sink);
    err_clear(err);
    instream_t *in = NULL;
    assert_int_equal(instream_open_memory("m.csv", data, len - flen + rlen, &in, err), RECON_OK);
    recon_status st = parse_stream(in, FORMAT_WECHAT, NULL, &sink, err);
    instream_close(in);
    free(data);
    return st;
}

/* A NUL byte used to cut the order id short ("42000012\0..." stored as "42000012"). */
static void test_nul_rejected(void **state)
{
    (void)state;
    collector c;
    err_t err;
    size_t col = 0;
    static const char repl[] = "42000012\0\0342";
    recon_status st = run_patched("4200001234202603011234567890", repl, sizeof repl - 1, &c,
                                  &err, &col);
    assert_int_equal(st, RECON_EDATA);
    char want[256];
    snprintf(want, sizeof want,
             "m.csv: line 2: NUL byte at column %zu; hint: the file is damaged or not text",
             col + 8);
    assert_string_equal(err.msg, want);
    assert_int_equal(c.count, 0);
    assert_int_equal(c.stmt_count, 0);
    collector_free(&c);
}

/* Text fields are stored and printed as they are: they must be UTF-8. */
static void test_invalid_utf8_rejected(void **state)
{
    (void)state;
    static const struct {
        const char *find, *repl;
        size_t bad_at; /* first invalid byte within repl */
        const char *line;
        size_t pushed;
    } cases[] = {
        {"保费 P2026000123", "\xE4\xBF P2026000123", 0, "line 2", 0}, /* 商品名称, cut short */
        {"policy=P2026000123", "policy=\xFF", 7, "line 2", 0},        /* 商户数据包 */
        {"oUpF8uMuAJO_M2pxb1Q9zNjWe456", "oUpF8u\xC0\xAF", 6, "line 3", 1}, /* overlong '/' */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        collector c;
        err_t err;
        size_t col = 0;
        recon_status st = run_patched(cases[i].find, cases[i].repl, strlen(cases[i].repl), &c,
                                      &err, &col);
        if (st != RECON_EDATA)
            fail_msg("case %zu: status %d (%s)", i, st, err.msg);
        size_t bad = col + cases[i].bad_at;
        char want[256];
        snprintf(want, sizeof want, "m.csv: %s: invalid UTF-8 byte sequence at byte %zu",
                 cases[i].line, bad);
        assert_string_equal(err.msg, want);
        assert_int_equal(c.count, cases[i].pushed);
        assert_int_equal(c.stmt_count, 0);
        collector_free(&c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detect),          cmocka_unit_test(test_fixtures_ok),
        cmocka_unit_test(test_refund_layout),   cmocka_unit_test(test_empty_bill),
        cmocka_unit_test(test_fixtures_rejected), cmocka_unit_test(test_legacy_sample),
        cmocka_unit_test(test_excerpt_samples), cmocka_unit_test(test_nul_rejected),
        cmocka_unit_test(test_invalid_utf8_rejected),
    };
    return cmocka_run_group_tests_name("parsers/wechat", tests, NULL, NULL);
}
