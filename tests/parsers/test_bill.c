#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <csv.h>
#include <stdbool.h>
#include <string.h>

#include "parsers/bill.h"

static bill_csv_result split(bill_csv *t, const char *line, bill_field *f, size_t max, size_t *n)
{
    return bill_csv_split(t, line, strlen(line), f, max, n);
}

static void test_tokeniser(void **state)
{
    (void)state;
    bill_csv *t = bill_csv_new(8);
    assert_non_null(t);
    bill_field f[4];
    size_t n = 0;

    assert_int_equal(split(t, "a,\"b,c\",\"say \"\"hi\"\"\"", f, 4, &n), BILL_CSV_OK);
    assert_int_equal(n, 3);
    assert_string_equal(f[0].s, "a");
    assert_string_equal(f[1].s, "b,c");
    assert_string_equal(f[2].s, "say \"hi\"");
    assert_int_equal(f[2].len, 8);

    /* padding around unquoted fields and after a closing quote is not data */
    assert_int_equal(split(t, " x ,\"y\"  ,", f, 4, &n), BILL_CSV_OK);
    assert_int_equal(n, 3);
    assert_string_equal(f[0].s, "x");
    assert_string_equal(f[1].s, "y");
    assert_int_equal(f[2].len, 0);

    assert_int_equal(split(t, "", f, 4, &n), BILL_CSV_OK);
    assert_int_equal(n, 0);

    assert_int_equal(split(t, "a,b\"c", f, 4, &n), BILL_CSV_BAD_QUOTE);
    assert_int_equal(split(t, "\"a\"b", f, 4, &n), BILL_CSV_BAD_QUOTE);
    assert_int_equal(split(t, "a,\"open", f, 4, &n), BILL_CSV_OPEN_QUOTE);
    assert_string_equal(bill_csv_result_str(BILL_CSV_OPEN_QUOTE),
                        "quoted field not closed on its line");
    /* the tokeniser recovers after an error */
    assert_int_equal(split(t, "1,2,3,4", f, 4, &n), BILL_CSV_OK);
    assert_int_equal(n, 4);
    assert_int_equal(split(t, "1,2,3,4,5", f, 4, &n), BILL_CSV_TOO_MANY);
    assert_int_equal(split(t, "123456789", f, 4, &n), BILL_CSV_TOO_LONG);
    /* the same limits on a line that goes through libcsv */
    assert_int_equal(split(t, "\"1\",2,3,4,5", f, 4, &n), BILL_CSV_TOO_MANY);
    assert_int_equal(split(t, "\"123456789\"", f, 4, &n), BILL_CSV_TOO_LONG);
    assert_int_equal(split(t, " \t ", f, 4, &n), BILL_CSV_OK);
    assert_int_equal(n, 0);
    bill_csv_free(t);
}

/* libcsv in strict mode, as the oracle: the fields of one line, one after another. */
typedef struct oracle {
    char buf[512];
    size_t len[64];
    size_t used, count;
} oracle;

static void oracle_field(void *s, size_t n, void *data)
{
    oracle *o = data;
    assert_true(o->used + n <= sizeof o->buf && o->count < 64);
    if (n > 0)
        memcpy(o->buf + o->used, s, n);
    o->used += n;
    o->len[o->count++] = n;
}

static int oracle_split(const char *line, size_t len, oracle *o)
{
    struct csv_parser p;
    o->used = o->count = 0;
    assert_int_equal(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI), 0);
    int rc = csv_parse(&p, line, len, oracle_field, NULL, o) == len &&
                     csv_fini(&p, oracle_field, NULL, o) == 0
                 ? 0
                 : -1;
    csv_free(&p);
    return rc;
}

/* The fields bill_csv_split gives a line are libcsv's; false when libcsv refuses it. */
static bool same_as_libcsv(bill_csv *t, const char *line, size_t len)
{
    oracle o;
    int want = oracle_split(line, len, &o);
    bill_field f[64];
    size_t n = 0;
    bill_csv_result r = bill_csv_split(t, line, len, f, 64, &n);
    if (want != 0) {
        if (r != BILL_CSV_BAD_QUOTE && r != BILL_CSV_OPEN_QUOTE)
            fail_msg("line [%s]: libcsv refuses it, bill_csv_split gives %d", line, r);
        return false;
    }
    if (r != BILL_CSV_OK || n != o.count)
        fail_msg("line [%s]: %zu fields (result %d), libcsv %zu", line, n, r, o.count);
    const char *w = o.buf;
    for (size_t i = 0; i < n; i++) {
        size_t wl = o.len[i];
        if (f[i].len != wl || memcmp(f[i].s, w, wl) != 0 || f[i].s[f[i].len] != '\0')
            fail_msg("line [%s]: field %zu is [%s], libcsv [%.*s]", line, i, f[i].s, (int)wl, w);
        w += wl;
    }
    return true;
}

/* Lines without a quote skip libcsv (bill.c says why): over many generated lines, with
 * and without quotes, the fields must be exactly libcsv's. */
static void test_tokeniser_matches_libcsv(void **state)
{
    (void)state;
    static const char *const atoms[] = {"a", "7", ",", ",", " ", "\t", "`", "\xE4\xBA\xA4",
                                        "\"", "\"\"", "'", "\\", ";", "\v", "x y", "\n", "\r"};
    size_t natoms = sizeof atoms / sizeof atoms[0];
    bill_csv *t = bill_csv_new(0);
    assert_non_null(t);
    uint64_t seed = 12;
    size_t plain = 0, refused = 0;
    for (int k = 0; k < 50000; k++) {
        char line[256];
        size_t len = 0;
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t parts = (size_t)(seed >> 59); /* 0..31 */
        /* most lines carry no quote at all, as in real bills */
        bool quotes = (seed >> 40) % 4 == 0;
        for (size_t i = 0; i < parts; i++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            const char *a = atoms[(seed >> 33) % natoms];
            if (!quotes && strchr(a, '"') != NULL)
                a = ",";
            size_t n = strlen(a);
            memcpy(line + len, a, n);
            len += n;
        }
        line[len] = '\0';
        plain += memchr(line, '"', len) == NULL;
        refused += !same_as_libcsv(t, line, len);
    }
    /* both paths were taken, and malformed lines were met */
    assert_true(plain > 30000 && plain < 45000);
    assert_true(refused > 100);
    /* a NUL byte is data to libcsv */
    assert_true(same_as_libcsv(t, "a\0 b ,c", 7));
    assert_true(same_as_libcsv(t, "\0", 1));
    bill_csv_free(t);
}

static void test_fields(void **state)
{
    (void)state;
    char a[] = "`\t1900000109 ", b[] = "交易时间", c[] = "商户号";
    bill_field f[3] = {{a, strlen(a)}, {b, strlen(b)}, {c, strlen(c)}};
    bill_field_strip_prefix(&f[0], '`');
    bill_field_trim(&f[0]);
    assert_string_equal(f[0].s, "1900000109");
    assert_int_equal(bill_bom_len("\xEF\xBB\xBF" "a", 4), 3);
    assert_int_equal(bill_bom_len("\xEF\xBB", 2), 0);
    assert_int_equal(bill_bom_len("a\xEF\xBB\xBF", 4), 0);
    assert_true(bill_field_eq(&f[0], "1900000109"));
    assert_false(bill_field_eq(&f[0], "190000010"));
    static const char *const names[] = {"商户号", "交易时间", "手续费"};
    int col[3];
    bill_map_columns(f, 3, names, 3, col);
    assert_int_equal(col[0], 2);
    assert_int_equal(col[1], 1);
    assert_int_equal(col[2], -1);
    assert_int_equal(bill_column(f, col, 2)->len, 0);
    assert_string_equal(bill_column(f, col, 1)->s, "交易时间");
}

static bill_t *open_text(const char *text, const char *charset, instream_t **in)
{
    err_t err;
    bill_t *b = NULL;
    assert_int_equal(instream_open_memory("m.csv", text, strlen(text), in, &err), RECON_OK);
    assert_int_equal(bill_open(*in, charset, 64, 4, &b, &err), RECON_OK);
    return b;
}

static void test_lines(void **state)
{
    (void)state;
    instream_t *in = NULL;
    /* BOM dropped on line 1; GB18030 converted; numbers count every line */
    bill_t *b = open_text("a,b\r\n\n\xD6\xA7\xB8\xB6\xB1\xA6,\"x\"\n", "GB18030", &in);
    err_t err;
    char *line;
    size_t len;
    assert_int_equal(bill_next(b, &line, &len, &err), RECON_OK);
    assert_int_equal(bill_lineno(b), 1);
    assert_string_equal(line, "a,b");
    assert_int_equal(bill_next(b, &line, &len, &err), RECON_OK);
    assert_int_equal(len, 0);
    assert_int_equal(bill_next(b, &line, &len, &err), RECON_OK);
    assert_int_equal(bill_lineno(b), 3);
    assert_string_equal(line, "支付宝,\"x\"");
    bill_field *f;
    size_t n;
    assert_int_equal(bill_split(b, line, len, &f, &n, &err), RECON_OK);
    assert_int_equal(n, 2);
    assert_string_equal(f[1].s, "x");
    assert_int_equal(bill_fail(b, &err, "bad %s", "thing"), RECON_EDATA);
    assert_string_equal(err.msg, "m.csv: line 3: bad thing");
    assert_int_equal(bill_check_width(b, &err, 2, 2), RECON_OK);
    assert_int_equal(bill_check_width(b, &err, 3, 2), RECON_EDATA);
    assert_string_equal(err.msg, "m.csv: line 3: 3 fields where the header has 2; hint: a field "
                                 "containing a comma?");
    char text[4];
    assert_int_equal(bill_set_text(b, &err, text, sizeof text, "abc", 3, "id"), RECON_OK);
    assert_string_equal(text, "abc");
    assert_int_equal(bill_set_text(b, &err, text, sizeof text, "abcd", 4, "id"), RECON_EDATA);
    assert_string_equal(err.msg, "m.csv: line 3: id longer than 3 bytes");
    assert_int_equal(bill_split(b, "\"a", 2, &f, &n, &err), RECON_EDATA);
    assert_string_equal(err.msg, "m.csv: line 3: quoted field not closed on its line");
    assert_int_equal(bill_next(b, &line, &len, &err), RECON_OK);
    assert_null(line);
    bill_close(b);
    instream_close(in);

    b = open_text("\xEF\xBB\xBFok\n\xEF\xBB\xBFx\n\xFF\n", "UTF-8", &in);
    assert_int_equal(bill_next(b, &line, &len, &err), RECON_OK);
    assert_string_equal(line, "ok");
    assert_int_equal(bill_next(b, &line, &len, &err), RECON_OK);
    assert_string_equal(line, "\xEF\xBB\xBFx"); /* not a BOM after line 1 */
    assert_int_equal(bill_next(b, &line, &len, &err), RECON_EDATA);
    assert_string_equal(err.msg, "m.csv: line 3: invalid UTF-8 byte sequence at byte 1");
    bill_close(b);
    instream_close(in);
}

static void test_records(void **state)
{
    (void)state;
    instream_t *in = NULL;
    bill_t *b = open_text("h1,h2\n\n1,\"two\nlines\"\n  \n3,4\n", "UTF-8", &in);
    err_t err;
    bill_field *f;
    size_t n;
    assert_int_equal(bill_next_record(b, 16, &f, &n, &err), RECON_OK);
    assert_int_equal(n, 2);
    assert_int_equal(bill_lineno(b), 1);
    assert_int_equal(bill_next_record(b, 16, &f, &n, &err), RECON_OK);
    assert_int_equal(n, 2);
    assert_string_equal(f[1].s, "two\nlines");
    assert_int_equal(bill_lineno(b), 4); /* where the record ends */
    assert_int_equal(bill_next_record(b, 16, &f, &n, &err), RECON_OK);
    assert_string_equal(f[0].s, "3");
    assert_int_equal(bill_lineno(b), 6);
    assert_int_equal(bill_next_record(b, 16, &f, &n, &err), RECON_OK);
    assert_int_equal(n, 0);
    bill_close(b);
    instream_close(in);

    b = open_text("a,\"never closed\nmore\n", "UTF-8", &in);
    assert_int_equal(bill_next_record(b, 16, &f, &n, &err), RECON_EDATA);
    assert_string_equal(err.msg, "m.csv: line 2: unterminated quoted field");
    bill_close(b);
    instream_close(in);

    b = open_text("a,b,c,d,e\n", "UTF-8", &in);
    assert_int_equal(bill_next_record(b, 16, &f, &n, &err), RECON_EDATA);
    assert_string_equal(err.msg, "m.csv: line 1: more than 4 fields");
    bill_close(b);
    instream_close(in);

    b = open_text("a,0123456789abcdefXYZ\n", "UTF-8", &in);
    assert_int_equal(bill_next_record(b, 16, &f, &n, &err), RECON_EDATA);
    assert_string_equal(err.msg, "m.csv: line 1: field longer than 16 bytes");
    bill_close(b);
    instream_close(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokeniser),
        cmocka_unit_test(test_tokeniser_matches_libcsv),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_records),
    };
    return cmocka_run_group_tests_name("parsers/bill", tests, NULL, NULL);
}
