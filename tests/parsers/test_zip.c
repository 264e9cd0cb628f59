#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "parsers/parse.h"
#include "parsers/zipstream.h"
#include "tests/support/testutil.h"

/* A member to write: content from a file, from a literal, or n zero bytes. */
typedef struct zsrc {
    const char *name;
    const char *file;
    const char *text;
    size_t zeros;
} zsrc;

static char tmpdir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/recon-test-zip.XXXXXX");
    return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_member(zipFile zf, const zsrc *m)
{
    zip_fileinfo zi;
    memset(&zi, 0, sizeof zi);
    assert_int_equal(zipOpenNewFileInZip64(zf, m->name, &zi, NULL, 0, NULL, 0, NULL, Z_DEFLATED,
                                           Z_DEFAULT_COMPRESSION, 0),
                     ZIP_OK);
    if (m->file) {
        FILE *f = fopen(m->file, "rb");
        assert_non_null(f);
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0)
            assert_int_equal(zipWriteInFileInZip(zf, buf, (unsigned)n), ZIP_OK);
        fclose(f);
    } else if (m->text) {
        assert_int_equal(zipWriteInFileInZip(zf, m->text, (unsigned)strlen(m->text)), ZIP_OK);
    } else {
        static const char zero[4096];
        for (size_t left = m->zeros; left > 0;) {
            size_t n = left < sizeof zero ? left : sizeof zero;
            assert_int_equal(zipWriteInFileInZip(zf, zero, (unsigned)n), ZIP_OK);
            left -= n;
        }
    }
    assert_int_equal(zipCloseFileInZip(zf), ZIP_OK);
}

static void make_zip(char *path, size_t cap, const char *name, const zsrc *members, size_t n)
{
    snprintf(path, cap, "%s/%s", tmpdir, name);
    zipFile zf = zipOpen64(path, APPEND_STATUS_CREATE);
    assert_non_null(zf);
    for (size_t i = 0; i < n; i++)
        write_member(zf, &members[i]);
    assert_int_equal(zipClose(zf, NULL), ZIP_OK);
}

/* Records each member's name, size and line count. */
typedef struct listing {
    char names[8][128];
    uint64_t sizes[8];
    long lines[8];
    char head[8][16];
    size_t n;
} listing;

static recon_status list_cb(void *ctx, instream_t *member, const char *name, err_t *err)
{
    listing *l = ctx;
    assert_true(l->n < 8);
    snprintf(l->names[l->n], sizeof l->names[0], "%s", name);
    char buf[1000];
    ssize_t got;
    uint64_t size = 0;
    long lines = 0;
    while ((got = instream_read(member, buf, sizeof buf, err)) > 0) {
        if (size == 0)
            snprintf(l->head[l->n], sizeof l->head[0], "%.12s", buf);
        size += (uint64_t)got;
        for (ssize_t i = 0; i < got; i++)
            lines += buf[i] == '\n';
    }
    if (got < 0)
        return err->status;
    l->sizes[l->n] = size;
    l->lines[l->n] = lines;
    l->n++;
    return RECON_OK;
}

static void test_unionpay_sample_members(void **state)
{
    (void)state;
    const char *dir = testutil_samples_dir();
    if (dir == NULL)
        skip();
    char path[512];
    snprintf(path, sizeof path, "%s/unionpay/chenzuolin__802310048993424_20150905.zip", dir);
    listing l;
    memset(&l, 0, sizeof l);
    err_t err;
    err_clear(&err);
    if (zipstream_foreach(path, list_cb, &l, &err) != RECON_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.names[0], "INN15090588ZM_802310048993424");
    assert_int_equal(l.sizes[0], 4872); /* 8 records of 607 chars + CRLF */
    assert_int_equal(l.lines[0], 8);
    assert_string_equal(l.head[0], "S56 88022900");
    assert_string_equal(l.names[1], "RD201015090501_802310048993424");
    assert_int_equal(l.sizes[1], 2312);
}

static void test_name_order_and_dirs(void **state)
{
    (void)state;
    static const zsrc members[] = {
        {"z.txt", NULL, "last\n", 0},
        {"dir/", NULL, "", 0},
        {"a.txt", NULL, "first\nline two\n", 0},
        {"dir/m.txt", NULL, "", 0},
    };
    char path[256];
    make_zip(path, sizeof path, "order.zip", members, 4);
    listing l;
    memset(&l, 0, sizeof l);
    err_t err;
    if (zipstream_foreach(path, list_cb, &l, &err) != RECON_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(l.n, 3);
    static const struct {
        const char *name;
        uint64_t size;
        long lines;
    } want[] = {{"a.txt", 15, 2}, {"dir/m.txt", 0, 0}, {"z.txt", 5, 1}};
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(l.names[i], want[i].name);
        assert_int_equal(l.sizes[i], want[i].size);
        assert_int_equal(l.lines[i], want[i].lines);
    }
}

static void test_limits(void **state)
{
    (void)state;
    char bomb[256], many[256], want[512];
    static const zsrc bomb_members[] = {{"a.csv", NULL, NULL, 100}, {"zeros.bin", NULL, NULL, 1 << 20}};
    static const zsrc many_members[] = {
        {"1", NULL, "x", 0}, {"2", NULL, "x", 0}, {"3", NULL, "x", 0}};
    make_zip(bomb, sizeof bomb, "bomb.zip", bomb_members, 2);
    make_zip(many, sizeof many, "many.zip", many_members, 3);
    listing l;
    err_t err;

    /* declared sizes over the cap are refused before anything is inflated */
    memset(&l, 0, sizeof l);
    assert_int_equal(zipstream_foreach_limited(bomb, 16, 65536, list_cb, &l, &err), RECON_EDATA);
    snprintf(want, sizeof want,
             "%s: archive declares more than the size limit of 65536 bytes (zip bomb?); hint: "
             "RECON_MAX_INPUT raises it",
             bomb);
    assert_string_equal(err.msg, want);
    assert_int_equal(l.n, 0);

    memset(&l, 0, sizeof l);
    assert_int_equal(zipstream_foreach_limited(many, 2, 65536, list_cb, &l, &err), RECON_EDATA);
    snprintf(want, sizeof want, "%s: more than 2 members in the archive", many);
    assert_string_equal(err.msg, want);

    memset(&l, 0, sizeof l);
    assert_int_equal(zipstream_foreach_limited(many, 3, 65536, list_cb, &l, &err), RECON_OK);
    assert_int_equal(l.n, 3);

    /* not a zip at all */
    char junk[256];
    snprintf(junk, sizeof junk, "%s/junk.zip", tmpdir);
    FILE *f = fopen(junk, "wb");
    assert_non_null(f);
    fputs("PK\x03\x04 truncated", f);
    fclose(f);
    assert_int_equal(zipstream_foreach(junk, list_cb, &l, &err), RECON_EDATA);
    snprintf(want, sizeof want, "%s: not a readable zip archive", junk);
    assert_string_equal(err.msg, want);
}

static void test_parse_file_zip(void **state)
{
    (void)state;
    static const zsrc two_bills[] = {
        {"b_refunds.csv", "fixtures/statements/wechat/refund_layout.csv", NULL, 0},
        {"a_all.csv", "fixtures/statements/wechat/all_mixed.csv", NULL, 0},
        {"empty.txt", NULL, "", 0},
    };
    char path[256];
    make_zip(path, sizeof path, "bills.zip", two_bills, 3);
    collector c;
    receipt_sink sink;
    collector_init(&c, &sink);
    err_t err;
    stmt_format fmt = FORMAT_UNKNOWN;
    if (parse_file(path, NULL, &sink, &fmt, &err) != RECON_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(fmt, FORMAT_WECHAT);
    /* members in name order: a_all.csv (3 rows), then b_refunds.csv (1 row) */
    static const struct {
        const char *position, *key;
        fen_t amount;
    } want[] = {
        {"line 2", "4200001234202603011234567890", 25000},
        {"line 3", "4200001234202603019999999999", 100},
        {"line 4", "50000000012026030100000001", -10000},
        {"line 2", "50000000012026033100000002", -3000},
    };
    assert_int_equal(c.count, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(c.receipts[i].position, want[i].position);
        assert_string_equal(c.receipts[i].transaction_key, want[i].key);
        assert_int_equal(c.receipts[i].amount, want[i].amount);
    }
    assert_int_equal(c.stmt_count, 2);
    collector_free(&c);

    /* an alipay GBK bill inside a zip, as Alipay delivers it */
    static const zsrc alipay[] = {
        {"20889876543210980156_20260301_业务明细.csv", "fixtures/statements/alipay/trade.gbk.csv",
         NULL, 0}};
    make_zip(path, sizeof path, "alipay.zip", alipay, 1);
    collector_init(&c, &sink);
    if (parse_file(path, NULL, &sink, &fmt, &err) != RECON_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(fmt, FORMAT_ALIPAY);
    assert_int_equal(c.count, 5);
    assert_int_equal(c.receipts[0].amount, 30000);
    assert_string_equal(c.receipts[0].source, "20889876543210980156");
    collector_free(&c);
}

static void test_parse_file_zip_rejected(void **state)
{
    (void)state;
    static const struct {
        const char *zip;
        zsrc members[2];
        size_t n;
        const char *msg; /* after "ZIP:" */
    } cases[] = {
        {"readme.zip",
         {{"bill.csv", "fixtures/statements/wechat/all_mixed.csv", NULL, 0},
          {"readme.txt", NULL, "this archive holds the march bill\n", 0}},
         2,
         "readme.txt: unrecognised statement format; hint: --format "
         "camt052|camt053|camt054|mt940|wechat|alipay|unionpay|bankcsv"},
        {"bad_member.zip",
         {{"bill.csv", "fixtures/statements/wechat/truncated.csv", NULL, 0}},
         1,
         "bill.csv: line 3: bill ends without its summary (总交易单数 header and values); hint: "
         "truncated download?"},
        {"only_empty.zip", {{"empty.csv", NULL, "", 0}}, 1, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[256], want[1024];
        make_zip(path, sizeof path, cases[i].zip, cases[i].members, cases[i].n);
        if (cases[i].msg)
            snprintf(want, sizeof want, "%s:%s", path, cases[i].msg);
        else
            snprintf(want, sizeof want, "%s: zip archive holds no statement", path);
        collector c;
        receipt_sink sink;
        collector_init(&c, &sink);
        err_t err;
        assert_int_equal(parse_file(path, NULL, &sink, NULL, &err), RECON_EDATA);
        assert_string_equal(err.msg, want);
        collector_free(&c);
    }
}

/* RECON_MAX_INPUT reaches the parsers as parse_options.max_input (read once by main): it
 * caps a plain file and a zip archive alike; 0 keeps the default. */
static void test_max_input_option(void **state)
{
    (void)state;
    static const zsrc one_bill[] = {
        {"a_all.csv", "fixtures/statements/wechat/all_mixed.csv", NULL, 0},
    };
    char zip[256], want[512];
    make_zip(zip, sizeof zip, "capped.zip", one_bill, 1);
    const char *plain = "fixtures/statements/wechat/all_mixed.csv";
    collector c;
    receipt_sink sink;
    err_t err;

    parse_options small = {FORMAT_UNKNOWN, NULL, NULL, 100};
    collector_init(&c, &sink);
    assert_int_equal(parse_file(plain, &small, &sink, NULL, &err), RECON_EDATA);
    collector_free(&c);
    snprintf(want, sizeof want,
             "%s: input exceeds the size limit of 100 bytes (decompression bomb?); hint: "
             "RECON_MAX_INPUT raises it",
             plain);
    assert_string_equal(err.msg, want);
    collector_init(&c, &sink);
    assert_int_equal(parse_file(zip, &small, &sink, NULL, &err), RECON_EDATA);
    collector_free(&c);
    assert_non_null(strstr(err.msg, "the size limit of 100 bytes"));

    parse_options roomy = {FORMAT_UNKNOWN, NULL, NULL, 1 << 20}, unset = {0};
    collector_init(&c, &sink);
    if (parse_file(plain, &roomy, &sink, NULL, &err) != RECON_OK)
        fail_msg("%s", err.msg);
    collector_free(&c);
    collector_init(&c, &sink);
    if (parse_file(zip, &unset, &sink, NULL, &err) != RECON_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(c.count, 3);
    collector_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unionpay_sample_members),
        cmocka_unit_test(test_name_order_and_dirs),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_parse_file_zip),
        cmocka_unit_test(test_parse_file_zip_rejected),
        cmocka_unit_test(test_max_input_option),
    };
    return cmocka_run_group_tests_name("parsers/zip", tests, setup, teardown);
}
