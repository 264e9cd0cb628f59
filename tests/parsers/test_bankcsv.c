#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/bankprofile.h"
#include "parsers/parse.h"
#include "tests/support/testutil.h"

#define FIX "fixtures/statements/bankcsv/"

typedef struct want_row {
    const char *position, *date;
    fen_t amount;
    const char *key; /* "fp-" when the file has no serial */
    const char *payer, *payer_account, *remittance;
} want_row;

static recon_status parse_with(instream_t *in, const char *profile, collector *c, err_t *err)
{
    receipt_sink sink;
    collector_init(c, &sink);
    parse_options opts = {.bank_profile = profile, .profile_dir = "profiles"};
    return bankcsv_parse(in, &opts, &sink, err);
}

static recon_status parse_path(const char *path, const char *profile, collector *c, err_t *err)
{
    instream_t *in = NULL;
    recon_status st = instream_open(path, &in, err);
    if (st != RECON_OK) {
        receipt_sink sink;
        collector_init(c, &sink);
        return st;
    }
    st = parse_with(in, profile, c, err);
    instream_close(in);
    return st;
}

static recon_status parse_text(const char *text, size_t len, const char *profile, collector *c,
                               err_t *err)
{
    instream_t *in = NULL;
    recon_status st = instream_open_memory("m.csv", text, len, &in, err);
    if (st != RECON_OK)
        return st;
    st = parse_with(in, profile, c, err);
    instream_close(in);
    return st;
}

static void check_rows(const collector *c, const want_row *want, size_t n, const char *source)
{
    assert_int_equal(c->count, n);
    for (size_t i = 0; i < n; i++) {
        const receipt_t *r = &c->receipts[i];
        char d[DATE_STR_SIZE];
        date_format(r->booking_date, d);
        assert_string_equal(r->position, want[i].position);
        assert_string_equal(d, want[i].date);
        assert_int_equal(r->amount, want[i].amount);
        assert_int_equal(r->direction, want[i].amount > 0 ? RECEIPT_CREDIT : RECEIPT_DEBIT);
        assert_string_equal(r->source, source);
        assert_string_equal(r->currency, "CNY");
        if (strcmp(want[i].key, "fp-") == 0) {
            assert_true(strncmp(r->transaction_key, "fp-", 3) == 0);
            assert_string_equal(r->provider_txn_id, "");
        } else {
            assert_string_equal(r->transaction_key, want[i].key);
            assert_string_equal(r->provider_txn_id, want[i].key);
        }
        assert_string_equal(r->payer, want[i].payer);
        assert_string_equal(r->payer_account, want[i].payer_account);
        assert_string_equal(r->remittance, want[i].remittance);
        /* keys are unique within the file */
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(r->transaction_key, c->receipts[j].transaction_key);
    }
}

static void check_totals(const collector *c, fen_t credit, fen_t debit)
{
    assert_int_equal(c->stmt_count, 1);
    assert_int_equal(c->statements[0].entry_count, (long)c->count);
    assert_int_equal(c->statements[0].credit_total, credit);
    assert_int_equal(c->statements[0].debit_total, debit);
}

static const char *sample(char *buf, size_t cap, const char *name)
{
    const char *dir = testutil_samples_dir();
    if (dir == NULL)
        return NULL;
    snprintf(buf, cap, "%s/cn_bank_csv/%s", dir, name);
    return buf;
}

static void run_sample(const char *file, const char *profile, const want_row *want, size_t n,
                       const char *source, fen_t credit, fen_t debit)
{
    char path[512];
    if (sample(path, sizeof path, file) == NULL)
        skip();
    collector c;
    err_t err;
    err_clear(&err);
    recon_status st = parse_path(path, profile, &c, &err);
    if (st != RECON_OK)
        fail_msg("%s", err.msg);
    check_rows(&c, want, n, source);
    check_totals(&c, credit, debit);
    collector_free(&c);
}

static void test_abc_sample(void **state)
{
    (void)state;
    /* line 6 (利息税 +0.00) moves no money and is skipped; line 5's 日志号 0000000000
     * and '--' counterparty are placeholders; line 4 is a short row. */
    static const want_row want[] = {
        {"line 2", "2024-01-01", 1000000, "369396693", "哈哈", "", "转存 转账"},
        {"line 3", "2024-01-02", -1000, "369333999", "微信支付北京一卡通", "",
         "财付通 UA01234123412341234微信支付-北京一卡通"},
        {"line 4", "2024-01-03", -1234589, "111222333", "12341234123412341", "", "正常还款"},
        {"line 5", "2024-01-04", 1, "fp-", "", "", "结息 个人活期结息"},
    };
    run_sample("deg__abc_debit_example-abc_debit-records.csv", "abc", want, 4, "abc", 1000001,
               1235589);
}

static void test_cmb_sample(void **state)
{
    (void)state;
    static const want_row want[] = {
        {"line 2", "2024-01-01", 123400, "fp-", "北京住房公积金管理中心1111111111", "",
         "代发住房公积金 01月01日约定提取"},
        {"line 3", "2024-01-01", -100000, "fp-", "张三 66666666666666", "", "转账汇款 转账"},
        {"line 4", "2024-01-27", -300, "fp-", "国网电力有限公司99999999999999", "",
         "一网通支付 供电"},
        {"line 5", "2024-01-20", -100000, "fp-", "", "", "银联ATM取款 银联 ATM 取款，中国银行"},
        {"line 6", "2024-01-23", -1014, "fp-", "抖音电商商家888888888", "",
         "快捷支付 抖音支付-抖音电商商家"},
    };
    run_sample("deg__cmb_debit_example-cmb-records.csv", "cmb", want, 5, "cmb", 123400, 201314);
}

static void test_boc_sample(void **state)
{
    (void)state;
    static const want_row want[] = {
        {"line 3", "2025-08-22", -7189, "fp-", "张三", "6226******5669", "无卡支付"},
        {"line 4", "2025-08-22", -32600, "fp-", "支付宝-李四", "Z200******010N",
         "网上快捷支付 支付宝-李四"},
        {"line 5", "2025-08-22", 5000, "fp-", "支付宝-李四", "8000******1303",
         "网上快捷退款 支付宝-李四"},
        {"line 6", "2025-08-22", -5000, "fp-", "支付宝-李四", "Z200******010N",
         "网上快捷支付 支付宝-李四"},
        {"line 7", "2025-08-19", -6000, "fp-", "支付宝-郑六", "Z200******010N",
         "网上快捷支付 支付宝-郑六"},
        {"line 8", "2025-08-14", -20680, "fp-", "张三", "6222******4664", "无卡支付"},
        {"line 9", "2025-08-14", -6814, "fp-", "张三", "6225******4294", "无卡支付"},
        {"line 10", "2025-08-12", -260000, "fp-", "上海十企业管理顾问有限公司", "3101******6787",
         "跨行转账 数据有限公司"},
        {"line 11", "2025-08-09", -1350, "fp-", "支付宝", "Z200******010N", "网上快捷支付 支付宝"},
        {"line 12", "2025-08-07", -1548, "fp-", "支付宝-李一", "4888******N",
         "网上快捷支付 支付宝-李一"},
        {"line 13", "2025-08-06", -1600, "fp-", "支付宝-朱二慈", "4888******N",
         "网上快捷支付 支付宝-朱二慈"},
        {"line 14", "2025-08-05", 577100, "fp-", "美金数据有限公司", "4520******1924", "工资"},
        {"line 15", "2025-08-04", -276959, "fp-", "张三", "6226******5669", "无卡支付"},
        {"line 16", "2025-08-04", 300000, "fp-", "支付宝-张三", "2088******0156",
         "网上快捷提现 支付宝-张三-张三支付宝余额提现-张三"},
        {"line 17", "2025-08-03", -19690, "fp-", "支付宝-朱十琦", "Z200******010N",
         "网上快捷支付 支付宝-朱十琦"},
        {"line 18", "2025-08-01", -300000, "fp-", "张林", "6205******2260", "无卡支付"},
        {"line 19", "2025-08-01", 100000, "fp-", "张三", "6222******0258", "银联入账 转账"},
    };
    run_sample("deg__boc_debit_example-boc-records.csv", "boc", want, 17, "boc",
               5000 + 577100 + 300000 + 100000,
               7189 + 32600 + 5000 + 6000 + 20680 + 6814 + 260000 + 1350 + 1548 + 1600 + 276959 +
                   19690 + 300000);
}

static const want_row icbc_want[] = {
    {"line 8", "2023-05-02", -1340, "fp-", "深圳市财付通支付科技有限公司", "1234****9876",
     "消费 广东三元麦当劳食品有"},
    {"line 9", "2023-04-25", -123456, "fp-", "张三", "1234****9876",
     "自动还款 广东XX分行银行卡中心"},
    {"line 10", "2023-04-22", 123456, "fp-", "李四", "1234****9876", "他行汇入"},
    {"line 11", "2023-04-20", -123456, "fp-", "银联无卡支付业务((特约)掌上生活还款)",
     "1234****9876", "银联消费"},
    {"line 12", "2023-04-14", 123456, "fp-", "ABC公司", "1234****9876", "工资"},
    {"line 13", "2023-04-14", -50000, "fp-", "王五", "1234****9876", "网转 手机银行"},
    {"line 14", "2023-02-28", 34158, "fp-", "支付宝（中国）网络技术有限公司", "1234****9876",
     "蚂蚁基金赎回到银行 支付宝"},
    {"line 15", "2023-02-20", -123456, "fp-", "张三", "1234****9876", "跨行汇款 手机银行"},
    {"line 16", "2023-02-10", 3000, "fp-", "总行信用卡合伙人", "1234****9876", "合伙人返现"},
    {"line 17", "2023-02-09", -2400, "fp-", "深圳市财付通支付科技有限公司", "1234****9876",
     "消费 财付通-群收款"},
    {"line 18", "2023-02-08", 104, "fp-", "深圳市财付通支付科技有限公司", "1234****9876",
     "退款 财付通-微信红包"},
};

static void test_icbc_sample(void **state)
{
    (void)state;
    /* Title-line card number as source, TAB-padded cells, '-' placeholders, masked
     * balance, 人民币合计 trailer (the shipped profile ignores its placeholder totals). */
    run_sample("deg__icbc_debit-v2_example-icbc-debit-v2-records.csv", "icbc",
               icbc_want, 11, "1234****9876", 284174, 424108);
}

static void test_icbc_sample_trailer_mismatch(void **state)
{
    (void)state;
    char path[512];
    if (sample(path, sizeof path, "deg__icbc_debit-v2_example-icbc-debit-v2-records.csv") == NULL)
        skip();
    collector c;
    err_t err;
    err_clear(&err);
    /* A profile that checks the trailer: the public sample's totals are placeholders. */
    assert_int_equal(parse_path(path, FIX "icbc_checktotals.profile", &c, &err), RECON_EDATA);
    char want[1024];
    snprintf(want, sizeof want,
             "%s: line 20: trailer total 1234.56 of 记账金额(收入) does not match the rows' "
             "2841.74; hint: the file may be truncated or edited",
             path);
    assert_string_equal(err.msg, want);
    assert_int_equal(c.count, 11); /* rows before the trailer were pushed, no statement */
    assert_int_equal(c.stmt_count, 0);
    collector_free(&c);
}

static void test_detect_samples(void **state)
{
    (void)state;
    static const struct {
        const char *file, *profile;
    } cases[] = {
        {"deg__abc_debit_example-abc_debit-records.csv", "abc"},
        {"deg__boc_debit_example-boc-records.csv", "boc"},
        {"deg__cmb_debit_example-cmb-records.csv", "cmb"},
        {"deg__icbc_debit-v2_example-icbc-debit-v2-records.csv", "icbc"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[512];
        if (sample(path, sizeof path, cases[i].file) == NULL)
            skip();
        instream_t *in = NULL;
        err_t err;
        const unsigned char *head;
        size_t len;
        assert_int_equal(instream_open(path, &in, &err), RECON_OK);
        assert_int_equal(instream_peek(in, &head, &len, &err), RECON_OK);
        assert_true(bankcsv_detect(head, len));
        assert_int_equal(format_detect(head, len), FORMAT_BANKCSV);
        /* No profile named: the one whose header matches is used. */
        collector c;
        receipt_sink sink;
        collector_init(&c, &sink);
        parse_options opts = {0};
        recon_status st = bankcsv_parse(in, &opts, &sink, &err);
        if (st != RECON_OK)
            fail_msg("%s", err.msg);
        assert_string_equal(c.statements[0].statement_id, cases[i].profile);
        collector_free(&c);
        instream_close(in);
    }
    static const char other[] = "交易时间,金额\n2026-01-01,1.00\n";
    assert_false(bankcsv_detect((const unsigned char *)other, sizeof other - 1));
}

static void test_dirccy_fixture(void **state)
{
    (void)state;
    /* GB18030, account from title line, yyyy/mm/dd, 借/贷 column, "CNY 13.50", quoted
     * "CNY 1,200.00", 人民币 -> CNY, '-' serial -> fingerprint, short row, blank line,
     * identical rows kept apart, trailer then a note that is not data. */
    static const want_row want[] = {
        {"line 4", "2026-01-15", 1350, "SN001", "张三", "", "保单 P2026-0001 保费"},
        {"line 5", "2026-01-16", -120000, "SN002", "李四", "", "退费"},
        {"line 7", "2026-01-16", 2500, "fp-", "王五", "", ""},
        {"line 8", "2026-01-16", 2500, "fp-", "王五", "", ""},
    };
    collector c;
    err_t err;
    err_clear(&err);
    recon_status st = parse_path(FIX "dirccy.csv", FIX "dirccy.profile", &c, &err);
    if (st != RECON_OK)
        fail_msg("%s", err.msg);
    check_rows(&c, want, 4, "6222000011112222");
    check_totals(&c, 5000 + 1350, 120000);
    /* identical rows: same fingerprint, different occurrence */
    const char *k1 = c.receipts[2].transaction_key, *k2 = c.receipts[3].transaction_key;
    assert_int_equal(strlen(k1), strlen(k2));
    assert_memory_equal(k1, k2, strlen(k1) - 1);
    assert_string_equal(k1 + strlen(k1) - 2, "-1");
    assert_string_equal(k2 + strlen(k2) - 2, "-2");
    collector_free(&c);
}

static void test_plain_fixture(void **state)
{
    (void)state;
    /* UTF-8 BOM, income/expense pair, masked balance, trailer totals that match. */
    static const want_row want[] = {
        {"line 2", "2026-02-01", 100000, "fp-", "甲公司", "", "保费"},
        {"line 3", "2026-02-02", -20050, "fp-", "乙", "", "手续费"},
    };
    collector c;
    err_t err;
    err_clear(&err);
    recon_status st = parse_path(FIX "plain_ok.csv", FIX "plain.profile", &c, &err);
    if (st != RECON_OK)
        fail_msg("%s", err.msg);
    check_rows(&c, want, 2, "plain");
    check_totals(&c, 100000, 20050);
    collector_free(&c);
}

static size_t to_gbk(const char *utf8, char *out, size_t cap)
{
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    char *in = (char *)utf8, *o = out;
    size_t in_left = strlen(utf8), out_left = cap;
    size_t r = iconv(cd, &in, &in_left, &o, &out_left);
    iconv_close(cd);
    assert_true(r != (size_t)-1);
    return cap - out_left;
}

static void test_failures(void **state)
{
    (void)state;
    static const char plain_head[] = "日期,时间,收入,支出,余额,对方,摘要\n";
    static const char dir_head[] = "t\n账号:1\n日期,借贷标志,金额,币种,流水号,对方户名,用途\n";
    static const struct {
        const char *profile, *head, *body, *want;
        size_t pushed;
    } cases[] = {
        {"plain", "", "日期,时间,收入,支出,余额,对方\n",
         "m.csv: line 1: header has no column '摘要' of bank profile plain; hint: check "
         "skip_lines in " FIX "plain.profile", 0},
        {"plain", plain_head, "2026-02-30,,1.00,,,x,y\n",
         "m.csv: line 2: date '2026-02-30' is not a valid yyyy-mm-dd date", 0},
        {"plain", plain_head, "2026-02-01,,1.005,,,x,y\n",
         "m.csv: line 2: 收入 '1.005': not a decimal amount", 0},
        {"plain", plain_head, "2026-02-01,,1.00,2.00,,x,y\n",
         "m.csv: line 2: both 收入 and 支出 hold an amount", 0},
        {"plain", plain_head, "2026-02-01,,,,,x,y\n",
         "m.csv: line 2: neither 收入 nor 支出 holds an amount", 0},
        {"plain", plain_head, "2026-02-01,25:00:00,1.00,,,x,y\n",
         "m.csv: line 2: time '25:00:00' is not hhmmss or hh:mm:ss", 0},
        {"plain", plain_head, "2026-02-01,,1.00,,abc,x,y\n",
         "m.csv: line 2: 余额 'abc': not a decimal amount", 0},
        {"plain", plain_head, "2026-02-01,,\"1.00,,,x,y\n",
         "m.csv: line 2: malformed CSV (stray or unclosed quote)", 0},
        {"plain", plain_head, "2026-02-01,,1.00,,,\xff,y\n",
         "m.csv: line 2: invalid UTF-8 byte sequence at byte 20", 0},
        {"plain", plain_head, "2026-02-01,,1.00,,,x,y\n合计,,5.00,0.00,,,\n",
         "m.csv: line 3: trailer total 5.00 of 收入 does not match the rows' 1.00; hint: the "
         "file may be truncated or edited", 1},
        {"plain", plain_head, "2026-02-01,,1.00,,,x,y\n2026-02-02,,2.00,,,x,y\n",
         "m.csv: line 3: no trailer line (合计); hint: the file may be truncated", 2},
        {"plain", plain_head, "2026-02-01,,1.00,,,x,y\n2026-02-01,,-1.00,,,x,y\n",
         "m.csv: line 3: negative amount in 收入", 1},
        {"dirccy", dir_head, "2026/01/15,贷,USD 13.50,人民币,S1,a,b\n",
         "m.csv: line 4: 金额 'USD 13.50' is in USD, the row in CNY", 0},
        {"dirccy", dir_head, "2026/01/15,收,13.50,CNY,S1,a,b\n",
         "m.csv: line 4: 借贷标志 '收' is neither a credit nor a debit value of bank profile "
         "dirccy", 0},
        {"dirccy", dir_head, "2026/01/15,贷,-13.50,CNY,S1,a,b\n",
         "m.csv: line 4: 金额 '-13.50' is signed although 借贷标志 gives the direction", 0},
        {"dirccy", dir_head, "2026-01-15,贷,13.50,CNY,S1,a,b\n",
         "m.csv: line 4: date '2026-01-15' is not a valid yyyy/mm/dd date", 0},
        {"dirccy", dir_head, "2026/01/15,贷,13.50,元,S1,a,b\n",
         "m.csv: line 4: unknown currency '元'", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[4096], profile[256];
        size_t len;
        snprintf(profile, sizeof profile, FIX "%s.profile", cases[i].profile);
        snprintf(text, sizeof text, "%s%s", cases[i].head, cases[i].body);
        if (strcmp(cases[i].profile, "dirccy") == 0) {
            char gbk[4096];
            len = to_gbk(text, gbk, sizeof gbk);
            memcpy(text, gbk, len);
        } else {
            len = strlen(text);
        }
        collector c;
        err_t err;
        err_clear(&err);
        recon_status st = parse_text(text, len, profile, &c, &err);
        if (st != RECON_EDATA)
            fail_msg("case %zu: status %d (%s)", i, st, err.msg);
        if (strcmp(err.msg, cases[i].want) != 0)
            fail_msg("case %zu: got \"%s\", want \"%s\"", i, err.msg, cases[i].want);
        assert_int_equal(c.count, cases[i].pushed);
        assert_int_equal(c.stmt_count, 0);
        collector_free(&c);
    }

    /* invalid GB18030 and an over-long payer */
    {
        char text[4096];
        size_t len = to_gbk(dir_head, text, sizeof text);
        memcpy(text + len, "\x81\x20,x\n", 5);
        collector c;
        err_t err;
        assert_int_equal(parse_text(text, len + 5, FIX "dirccy.profile", &c, &err), RECON_EDATA);
        assert_string_equal(err.msg, "m.csv: line 4: invalid GB18030 byte sequence at byte 1");
        collector_free(&c);
    }
    /* a NUL byte used to cut the payer "甲\0公司" short to "甲" */
    {
        static const char row[] = "2026-02-01,,1.00,,,甲\0公司,y\n";
        char text[4096];
        size_t hl = strlen(plain_head);
        memcpy(text, plain_head, hl);
        memcpy(text + hl, row, sizeof row - 1);
        collector c;
        err_t err;
        assert_int_equal(parse_text(text, hl + sizeof row - 1, FIX "plain.profile", &c, &err),
                         RECON_EDATA);
        assert_string_equal(err.msg, "m.csv: line 2: NUL byte at column 23; hint: the file is "
                                     "damaged or not text");
        assert_int_equal(c.count, 0);
        collector_free(&c);
    }
    /* ... also in the export notes after the trailer, which are not data */
    {
        static const char rows[] = "2026-02-01,,1.00,,,x,y\n合计,,1.00,0.00,,,\n导出\0说明\n";
        char text[4096];
        size_t hl = strlen(plain_head);
        memcpy(text, plain_head, hl);
        memcpy(text + hl, rows, sizeof rows - 1);
        collector c;
        err_t err;
        assert_int_equal(parse_text(text, hl + sizeof rows - 1, FIX "plain.profile", &c, &err),
                         RECON_EDATA);
        assert_string_equal(err.msg, "m.csv: line 4: NUL byte at column 7; hint: the file is "
                                     "damaged or not text");
        assert_int_equal(c.stmt_count, 0);
        collector_free(&c);
    }
    {
        char text[4096];
        int n = snprintf(text, sizeof text, "%s2026-02-01,,1.00,,,%0300d,y\n", plain_head, 0);
        collector c;
        err_t err;
        assert_int_equal(parse_text(text, (size_t)n, FIX "plain.profile", &c, &err), RECON_EDATA);
        assert_string_equal(err.msg, "m.csv: line 2: payer longer than 279 bytes");
        collector_free(&c);
    }
}

static void test_profile_errors(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        recon_status status;
        const char *want;
    } cases[] = {
        {FIX "bad_key.profile", RECON_EDATA, FIX "bad_key.profile: line 5: unknown key 'colour'"},
        {FIX "bad_datefmt.profile", RECON_EDATA,
         FIX "bad_datefmt.profile: line 4: date_format must be yyyymmdd, yyyy-mm-dd or "
             "yyyy/mm/dd"},
        {FIX "bad_noamount.profile", RECON_EDATA,
         FIX "bad_noamount.profile: give either amount_column or both income_column and "
             "expense_column"},
        {"nosuch", RECON_EUSAGE,
         "no bank profile 'nosuch' (looked for profiles/nosuch.profile); hint: --profile-dir DIR "
         "or a path to a .profile file"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bankprofile_t *p = NULL;
        err_t err;
        err_clear(&err);
        assert_int_equal(bankprofile_find(cases[i].name, "profiles", &p, &err), cases[i].status);
        assert_null(p);
        assert_string_equal(err.msg, cases[i].want);
    }
    /* every shipped profile loads */
    bankprofile_t **all = NULL;
    size_t count = 0;
    err_t err;
    assert_int_equal(bankprofile_load_all("profiles", &all, &count, &err), RECON_OK);
    assert_int_equal(count, 4);
    assert_string_equal(all[0]->name, "abc");
    assert_string_equal(all[3]->name, "icbc");
    assert_int_equal(all[3]->skip_lines, 6);
    assert_string_equal(all[3]->balance_masks.item[0], "xx,yyyy.zz");
    assert_true(bankprofile_column_eq("日 志 号", "日志号"));
    bankprofile_free_all(all, count);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_abc_sample),
        cmocka_unit_test(test_cmb_sample),
        cmocka_unit_test(test_boc_sample),
        cmocka_unit_test(test_icbc_sample),
        cmocka_unit_test(test_icbc_sample_trailer_mismatch),
        cmocka_unit_test(test_detect_samples),
        cmocka_unit_test(test_dirccy_fixture),
        cmocka_unit_test(test_plain_fixture),
        cmocka_unit_test(test_failures),
        cmocka_unit_test(test_profile_errors),
    };
    return cmocka_run_group_tests_name("parsers/bankcsv", tests, NULL, NULL);
}
