#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unzip.h>

#include "parsers/parse.h"
#include "tests/support/testutil.h"

#define SAMPLE_ZIP "unionpay/chenzuolin__802310048993424_20150905.zip"
#define SAMPLE_MEMBER "INN15090588ZM_802310048993424"
#define QUIRKS "tests/parsers/fixtures/unionpay/zm_quirks.zm"

/* Inflates one zip member into memory (the zip layer is not this parser's concern). */
static unsigned char *unzip_member(const char *zip, const char *member, size_t *len)
{
    unzFile z = unzOpen64(zip);
    unsigned char *data = NULL;
    if (z == NULL)
        return NULL;
    unz_file_info64 info;
    if (unzLocateFile(z, member, 1) != UNZ_OK ||
        unzGetCurrentFileInfo64(z, &info, NULL, 0, NULL, 0, NULL, 0) != UNZ_OK ||
        info.uncompressed_size > (1u << 20) || unzOpenCurrentFile(z) != UNZ_OK)
        goto out;
    data = malloc(info.uncompressed_size + 1);
    if (data == NULL)
        goto close;
    int n = unzReadCurrentFile(z, data, (unsigned)info.uncompressed_size);
    if (n < 0 || (uint64_t)n != info.uncompressed_size) {
        free(data);
        data = NULL;
        goto close;
    }
    *len = (size_t)n;
close:
    unzCloseCurrentFile(z);
out:
    unzClose(z);
    return data;
}

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    unsigned char *data = malloc(1 << 16);
    *len = fread(data, 1, 1 << 16, f);
    fclose(f);
    return data;
}

static recon_status parse_mem(const char *name, const void *data, size_t len, collector *c,
                              err_t *err)
{
    return testutil_parse_memory(name, data, len, FORMAT_UNIONPAY, NULL, c, err);
}

static void date_eq(date_t d, const char *want)
{
    char s[DATE_STR_SIZE];
    date_format(d, s);
    assert_string_equal(s, want);
}

static void test_sample(void **state)
{
    (void)state;
    const char *dir = testutil_samples_dir();
    if (dir == NULL)
        skip();
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, SAMPLE_ZIP);
    size_t len = 0;
    unsigned char *data = unzip_member(path, SAMPLE_MEMBER, &len);
    assert_non_null(data);
    assert_true(unionpay_detect(data, len));
    assert_int_equal(format_detect(data, len), FORMAT_UNIONPAY);

    /* The receipts (hand-read from the sample's bytes) are checked by samples.list through
     * `recon parse`; the statement period, which it does not print, here. */
    collector c;
    err_t err;
    recon_status st = parse_mem(SAMPLE_MEMBER, data, len, &c, &err);
    if (st != RECON_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(c.count, 8);
    assert_int_equal(c.stmt_count, 1);
    date_eq(c.statements[0].period_from, "2015-09-06");
    collector_free(&c);

    /* The RD printable summary in the same zip is recognised and yields nothing. */
    unsigned char *rd = unzip_member(path, "RD201015090501_802310048993424", &len);
    assert_non_null(rd);
    assert_true(unionpay_detect(rd, len));
    assert_int_equal(parse_mem("rd", rd, len, &c, &err), RECON_OK);
    assert_int_equal(c.count, 0);
    assert_int_equal(c.stmt_count, 0);
    collector_free(&c);
    free(rd);
    free(data);
}

static void test_quirks(void **state)
{
    (void)state;
    size_t len = 0;
    unsigned char *data = read_file(QUIRKS, &len);
    assert_non_null(data);
    assert_int_equal(format_detect(data, len), FORMAT_UNIONPAY);
    collector c;
    err_t err;
    recon_status st = parse_mem(QUIRKS, data, len, &c, &err);
    if (st != RECON_OK)
        fail_msg("%s", err.msg);
    /* receipts: the fixture case unionpay/zm_quirks; the period is not printed */
    assert_int_equal(c.count, 3);
    assert_int_equal(c.stmt_count, 1);
    date_eq(c.statements[0].period_from, "2025-12-31");
    date_eq(c.statements[0].period_to, "2026-01-03");
    collector_free(&c);
    free(data);
}

/* Each case patches bytes of the first record of the quirks fixture (offsets from the
 * ZM layout) and expects the exact error. */
static void test_failures(void **state)
{
    (void)state;
    static const struct {
        size_t offset;
        const char *bytes; /* NULL: truncate the record at offset */
        const char *want;
    } cases[] = {
        {66, "00000025000x", "t.zm: line 1: 交易金额 '00000025000x' is not 12 digits of fen"},
        {166, "X000000001500",
         "t.zm: line 1: 商户手续费 'X000000001500' is not C/D followed by 12 digits of fen"},
        {180, "C000000248400",
         "t.zm: line 1: 结算金额 2484.00 is not 交易金额 2500.00 less 商户手续费 15.00"},
        {215, "02",
         "t.zm: line 1: unsupported 交易类型 '02'; hint: expected 01, 03 (credits) or 04, 31, "
         "33 (refunds and cancellations)"},
        {87, "ABCDEFGH", "t.zm: line 1: 查询流水号 'ABCDEFGH0000010001011' is not 21 digits"},
        {87, "20261399",
         "t.zm: line 1: cannot tell the year of 交易传输时间 '1231235958': 查询流水号 "
         "'202613990000010001011' does not start with a yyyymmdd date; hint: ZM records carry "
         "no year of their own"},
        {87, "20260301",
         "t.zm: line 1: 交易传输时间 '1231235958' is not within a week of the date in "
         "查询流水号 '202603010000010001011'"},
        {35, "1331235958", "t.zm: line 1: 交易传输时间 '1331235958' is not MMDDhhmmss"},
        {45, "x", "t.zm: line 1: no space after 交易传输时间 at byte 46"},
        {420, "\x81\x20", "t.zm: line 1: invalid GB18030 byte sequence at byte 421"},
        {500, NULL,
         "t.zm: line 1: record is 500 bytes, a ZM record is 607; hint: truncated or not a "
         "UnionPay ZM file"},
        {609 + 293, "898110248990002",
         "t.zm: line 2: 商户代码 '898110248990002' differs from '898110248990001' of the "
         "first record; hint: a ZM file belongs to one merchant"},
    };
    size_t len = 0;
    unsigned char *orig = read_file(QUIRKS, &len);
    assert_non_null(orig);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned char *data = malloc(len);
        memcpy(data, orig, len);
        size_t n = len;
        if (cases[i].bytes == NULL) {
            memmove(data + cases[i].offset, data + 607, len - 607);
            n = len - (607 - cases[i].offset);
        } else {
            memcpy(data + cases[i].offset, cases[i].bytes, strlen(cases[i].bytes));
        }
        collector c;
        err_t err;
        err_clear(&err);
        recon_status st = parse_mem("t.zm", data, n, &c, &err);
        assert_int_equal(st, RECON_EDATA);
        assert_string_equal(err.msg, cases[i].want);
        /* an error on line 1 pushes nothing; on line 2 only line 1 was pushed */
        assert_int_equal(c.count, strstr(cases[i].want, "line 2") ? 1 : 0);
        assert_int_equal(c.stmt_count, 0);
        collector_free(&c);
        free(data);
    }

    /* a NUL byte used to cut the field it fell in short */
    {
        unsigned char *data = malloc(len);
        memcpy(data, orig, len);
        data[609 + 100] = '\0';
        collector c;
        err_t err;
        assert_int_equal(parse_mem("t.zm", data, len, &c, &err), RECON_EDATA);
        assert_string_equal(err.msg, "t.zm: line 2: NUL byte at column 101; hint: the file is "
                                     "damaged or not text");
        assert_int_equal(c.count, 1);
        collector_free(&c);
        free(data);
    }
    free(orig);
}

static void test_detect(void **state)
{
    (void)state;
    size_t len = 0;
    unsigned char *data = read_file(QUIRKS, &len);
    assert_non_null(data);
    assert_true(unionpay_detect(data, len));
    assert_true(unionpay_detect(data, 607)); /* one record without its newline */
    assert_false(unionpay_detect(data, 300));
    data[607 + 2 + 15] = '_'; /* second record loses a separator */
    assert_false(unionpay_detect(data, len));
    static const char csv[] = "交易日期,交易金额\n20240101,1.00\n";
    assert_false(unionpay_detect((const unsigned char *)csv, sizeof csv - 1));
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample),
        cmocka_unit_test(test_quirks),
        cmocka_unit_test(test_failures),
        cmocka_unit_test(test_detect),
    };
    return cmocka_run_group_tests_name("parsers/unionpay", tests, NULL, NULL);
}
