#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "parsers/parse.h"
#include "tests/support/testutil.h"

#define FIX "fixtures/statements/alipay/"

typedef struct want_receipt {
    const char *position, *key, *date;
    fen_t amount;
    bool reversal;
    const char *reversal_of, *order, *provider_txn, *payer, *payer_account, *remittance;
    bool has_fee;
    fen_t fee;
} want_receipt;

typedef struct want_statement {
    const char *source, *position, *from, *to;
    long entries;
    fen_t credits, debits;
} want_statement;

static void check_receipt(const receipt_t *r, const char *source, const want_receipt *w)
{
    char date[DATE_STR_SIZE];
    date_format(r->booking_date, date);
    assert_string_equal(r->position, w->position);
    assert_string_equal(r->source, source);
    if (strcmp(w->key, "fp-") == 0) /* no refund batch number: a fingerprint key */
        assert_true(strncmp(r->transaction_key, "fp-", 3) == 0 && strlen(r->transaction_key) > 20);
    else
        assert_string_equal(r->transaction_key, w->key);
    assert_string_equal(date, w->date);
    assert_int_equal(r->amount, w->amount);
    assert_string_equal(r->currency, "CNY");
    assert_int_equal(r->direction, w->amount < 0 ? RECEIPT_DEBIT : RECEIPT_CREDIT);
    assert_int_equal(r->reversal, w->reversal);
    assert_string_equal(r->reversal_of, w->reversal_of);
    assert_string_equal(r->merchant_order_no, w->order);
    assert_string_equal(r->provider_txn_id, w->provider_txn);
    assert_string_equal(r->payer, w->payer);
    assert_string_equal(r->payer_account, w->payer_account);
    assert_string_equal(r->remittance, w->remittance);
    assert_int_equal(r->has_fee, w->has_fee);
    assert_int_equal(r->fee, w->fee);
}

static void check_statement(const statement_summary *s, const want_statement *w)
{
    char from[DATE_STR_SIZE], to[DATE_STR_SIZE], sd[DATE_STR_SIZE];
    date_format(s->period_from, from);
    date_format(s->period_to, to);
    date_format(s->statement_date, sd);
    assert_string_equal(s->source, w->source);
    assert_string_equal(s->position, w->position);
    assert_string_equal(from, w->from);
    assert_string_equal(to, w->to);
    assert_string_equal(sd, w->to);
    assert_string_equal(s->currency, "CNY");
    assert_int_equal(s->entry_count, w->entries);
    assert_int_equal(s->credit_total, w->credits);
    assert_int_equal(s->debit_total, w->debits);
}

static recon_status run(const char *path, collector *c, err_t *err)
{
    receipt_sink sink;
    collector_init(c, &sink);
    err_clear(err);
    stmt_format fmt = FORMAT_UNKNOWN;
    recon_status st = parse_file(path, NULL, &sink, &fmt, err);
    if (st == RECON_OK || c->count > 0)
        assert_int_equal(fmt, FORMAT_ALIPAY);
    return st;
}

static void run_ok(const char *path, const want_receipt *want, size_t n, const want_statement *ws)
{
    collector c;
    err_t err;
    if (run(path, &c, &err) != RECON_OK)
        fail_msg("%s: %s", path, err.msg);
    if (c.count != n)
        fail_msg("%s: %zu receipts, want %zu", path, c.count, n);
    for (size_t k = 0; k < n; k++)
        check_receipt(&c.receipts[k], ws->source, &want[k]);
    assert_int_equal(c.stmt_count, 1);
    check_statement(&c.statements[0], ws);
    collector_free(&c);
}

static void test_detect(void **state)
{
    (void)state;
    static const struct {
        const char *head;
        bool want;
    } cases[] = {
        {"#支付宝业务明细查询\n#账号：[1]\n", true},
        {"\xEF\xBB\xBF#支付宝账务明细查询\r\n", true},
        {"#\xD6\xA7\xB8\xB6\xB1\xA6\xD2\xB5\xCE\xF1\n", true}, /* GBK */
        {"支付宝交易号,商户订单号\n", false},
        {"#账号：[1]\n", false},
        {"", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (alipay_detect((const unsigned char *)cases[i].head, strlen(cases[i].head)) !=
            cases[i].want)
            fail_msg("alipay_detect case %zu: want %d", i, cases[i].want);
}

#define T1 "2026030122001400001000000001"
#define T2 "2026030122001400001000000002"
static const want_receipt trade_want[] = {
    {"line 6", T1, "2026-03-01", 30000, false, "", "P2026000123-202603", T1, "张三",
     "zhang***@163.com", "保费 P2026000123; 保单 P2026000123", true, 180},
    /* full-width brackets around the account; 备注 equal to 商品名称 is not repeated */
    {"line 7", T2, "2026-03-01", 20000, false, "", "P2026000456-202603", T2, "李四", "138****0000",
     "保费 P2026000456", true, 120},
    /* two partial refunds of one trade, kept apart by their batch numbers */
    {"line 8", T1 "-RF-P2026000123-1", "2026-03-01", -10000, true, T1, "P2026000123-202603", T1,
     "张三", "zhang***@163.com", "保费 P2026000123", true, -60},
    {"line 9", T1 "-RF-P2026000123-2", "2026-03-01", -5000, true, T1, "P2026000123-202603", T1,
     "张三", "zhang***@163.com", "保费 P2026000123", true, -30},
    /* refund without a batch number; counterparty without a name */
    {"line 10", "fp-", "2026-03-01", -1000, true, T2, "P2026000456-202603", T2, "",
     "2088102122524333", "保费 P2026000456", true, -6},
};
static const want_statement trade_stmt = {"20889876543210980156", "line 13", "2026-03-01",
                                          "2026-03-01", 5, 50000, 16000};

static void test_trade_fixtures(void **state)
{
    (void)state;
    /* the same bill as UTF-8, GBK, and gzip-compressed GBK parses identically */
    static const char *const paths[] = {FIX "trade.csv", FIX "trade.gbk.csv",
                                        FIX "trade.gbk.csv.gz"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        run_ok(paths[i], trade_want, sizeof trade_want / sizeof trade_want[0], &trade_stmt);
}

static void test_ledger_fixture(void **state)
{
    (void)state;
    static const want_receipt want[] = {
        {"line 6", "20260301100010010001000000001", "2026-03-01", 30000, false, "",
         "P2026000123-202603", T1, "", "zhang***@163.com", "保费 P2026000123", false, 0},
        /* a service fee booking: a debit but not a reversal */
        {"line 7", "20260301100010010001000000002", "2026-03-01", -180, false, "",
         "P2026000123-202603", T1, "", "",
         "保费 P2026000123; 服务费[2026030122001400001000000001]", false, 0},
        {"line 8", "20260301100010010001000000003", "2026-03-01", -10000, true, T1,
         "P2026000123-202603", T1, "", "zhang***@163.com", "保费 P2026000123", false, 0},
    };
    static const want_statement ws = {"20889876543210980156", "line 11", "2026-03-01",
                                      "2026-03-01", 3, 30000, 10180};
    run_ok(FIX "ledger.csv", want, sizeof want / sizeof want[0], &ws);
}

static void test_rejected(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        size_t pushed;
        const char *msg;
    } cases[] = {
        {"bad_footer_count.csv", 4,
         "line 12: footer 退款合计 says 3 rows but the bill has 2; hint: truncated or edited bill"},
        {"bad_footer_amount.csv", 5,
         "line 12: footer 交易合计 商家实收 is 500.01 but the rows add up to 500.00"},
        {"bad_footer_discount.csv", 5,
         "line 13: footer 退款合计 商家优惠 is -1.00 but the rows add up to 0.00"},
        {"ledger_bad_total.csv", 3,
         "line 10: footer 支出合计 total is -100.00 but the rows add up to -101.80"},
        {"truncated.csv", 3,
         "line 8: bill ends without its #交易合计 footer; hint: truncated download?"},
        {"bad_date.csv", 0,
         "line 6: 完成时间 '2026-03-32 09:00:09' is not a date and time like 2019-09-16 10:55:23"},
        {"no_account.csv", 0,
         "line 4: no #账号：[...] line before the header; the account is unknown"},
        {"bad_type.csv", 0, "line 6: unsupported 业务类型 '冻结' (expected 交易 or 退款)"},
        {"positive_refund.csv", 0,
         "line 6: positive 商家实收 on a 退款 row; refunds are negative"},
        {"row_after_end.csv", 5, "line 12: data row after the end of the list"},
        {"bad_amount.csv", 0, "line 6: 商家实收 '300.001': not a decimal amount"},
        {"bad_gbk.csv", 2, "line 8: invalid GB18030 byte sequence at byte 122"},
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

/* A NUL byte used to cut the 支付宝交易号 short (or leave it empty, first in the field). */
static void test_nul_rejected(void **state)
{
    (void)state;
    FILE *fp = fopen(FIX "trade.csv", "rb");
    assert_non_null(fp);
    char data[8192];
    size_t len = fread(data, 1, sizeof data, fp);
    fclose(fp);
    assert_true(len < sizeof data);
    data[len] = '\0';
    char *id = strstr(data, "2026030122001400001000000001");
    assert_non_null(id);
    static const size_t at[] = {8, 0};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        char copy[8192];
        memcpy(copy, data, len);
        copy[(size_t)(id - data) + at[i]] = '\0';
        receipt_sink sink;
        collector c;
        collector_init(&c, &sink);
        err_t err;
        instream_t *in = NULL;
        assert_int_equal(instream_open_memory("m.csv", copy, len, &in, &err), RECON_OK);
        assert_int_equal(parse_stream(in, FORMAT_ALIPAY, NULL, &sink, &err), RECON_EDATA);
        instream_close(in);
        char want[256];
        snprintf(want, sizeof want,
                 "m.csv: line 6: NUL byte at column %zu; hint: the file is damaged or not text",
                 at[i] + 1);
        assert_string_equal(err.msg, want);
        assert_int_equal(c.count, 0);
        collector_free(&c);
    }
}

#define S1 "2019091622001458860515315453"
#define S2 "2019091622001458860513822558"
#define S3 "2019091622001458860516395930"
#define S4 "2019091622001458860516993488"
#define S5 "2019091622001465870515233238"
#define S6 "2019091622001458860517860493"
#define JS "*津水", "602***@qq.com"
static void test_samples(void **state)
{
    (void)state;
    const char *dir = testutil_samples_dir();
    if (dir == NULL)
        skip();
    static const want_receipt want[] = {
        {"line 6", S1, "2019-09-16", 1, false, "", "service_1568601259302", S1, JS, "下单测试",
         true, 0},
        {"line 7", S1 "-re_test_1568602607356", "2019-09-16", -1, true, S1,
         "service_1568601259302", S1, JS, "下单测试", true, 0},
        {"line 8", S2, "2019-09-16", 1, false, "", "service_1568603173853", S2, JS, "下单测试",
         true, 0},
        {"line 9", S2 "-re_test_1568604414433", "2019-09-16", -1, true, S2,
         "service_1568603173853", S2, JS, "下单测试", true, 0},
        {"line 10", S3, "2019-09-16", 1, false, "", "service_1568613406000", S3, JS, "下单测试",
         true, 0},
        {"line 11", S3 "-re_test_1568614511552", "2019-09-16", -1, true, S3,
         "service_1568613406000", S3, JS, "下单测试", true, 0},
        {"line 12", S4, "2019-09-16", 1, false, "", "qd_201909161455139634Sjad2vy", S4, JS,
         "RPC_GENERAL接口测试", true, 0},
        {"line 13", S4 "-re_20190916150216125q8Lmiodp", "2019-09-16", -1, true, S4,
         "qd_201909161455139634Sjad2vy", S4, JS, "RPC_GENERAL接口测试", true, 0},
        {"line 14", S5, "2019-09-16", 1, false, "", "20190916165659224L3VUQRL9", S5, "*庚辰",
         "182****01", "千丁订单INSURANCE88100011909161658423172", true, 0},
        {"line 15", S6, "2019-09-16", 1, false, "", "qd_201909161844073417CB0wPzR", S6, JS,
         "RPC_GENERAL接口测试", true, 0},
    };
    static const want_statement ws = {"20880211096256330156", "line 18", "2019-09-16",
                                      "2019-09-16", 10, 6, 4};
    static const char *const files[] = {
        "qdingnet__trade_业务明细_2019-09-16.utf8.csv",
        "qdingnet__trade_业务明细_2019-09-16.DERIVED-gbk.csv",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/alipay/%s", dir, files[i]);
        run_ok(path, want, sizeof want / sizeof want[0], &ws);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detect),         cmocka_unit_test(test_trade_fixtures),
        cmocka_unit_test(test_ledger_fixture), cmocka_unit_test(test_rejected),
        cmocka_unit_test(test_samples),        cmocka_unit_test(test_nul_rejected),
    };
    return cmocka_run_group_tests_name("parsers/alipay", tests, NULL, NULL);
}
