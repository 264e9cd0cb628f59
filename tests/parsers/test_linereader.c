#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/linereader.h"

/* The reader fills 64 KiB at a time; lines crossing that boundary take another path. */
#define CHUNK 65536

typedef struct lines {
    char **text;
    size_t *len;
    long *lineno;
    size_t count;
    recon_status status;
    err_t err;
} lines;

static lines read_all(const char *data, size_t len, size_t max_line)
{
    lines out = {0};
    instream_t *in = NULL;
    linereader_t *lr = NULL;
    assert_int_equal(instream_open_memory("t.csv", data, len, &in, &out.err), RECON_OK);
    assert_int_equal(linereader_new(in, max_line, &lr, &out.err), RECON_OK);
    for (;;) {
        const char *line = NULL;
        size_t n = 0;
        out.status = linereader_next(lr, &line, &n, &out.err);
        if (out.status != RECON_OK || line == NULL)
            break;
        assert_int_equal(line[n], '\0');
        out.text = realloc(out.text, (out.count + 1) * sizeof *out.text);
        out.len = realloc(out.len, (out.count + 1) * sizeof *out.len);
        out.lineno = realloc(out.lineno, (out.count + 1) * sizeof *out.lineno);
        out.text[out.count] = malloc(n + 1);
        memcpy(out.text[out.count], line, n + 1);
        out.len[out.count] = n;
        out.lineno[out.count] = linereader_lineno(lr);
        out.count++;
    }
    linereader_free(lr);
    instream_close(in);
    return out;
}

static void lines_free(lines *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->text[i]);
    free(l->text);
    free(l->len);
    free(l->lineno);
}

static void test_terminators(void **state)
{
    (void)state;
    static const char text[] = "a\nbb\r\ncc\rd\n\n\r\r\nlast";
    static const char *const want[] = {"a", "bb", "cc", "d", "", "", "", "last"};
    lines l = read_all(text, sizeof text - 1, 0);
    assert_int_equal(l.status, RECON_OK);
    assert_int_equal(l.count, 8);
    for (size_t i = 0; i < l.count; i++) {
        assert_string_equal(l.text[i], want[i]);
        assert_int_equal(l.lineno[i], (long)i + 1);
    }
    lines_free(&l);

    /* a final terminator ends the last line; it does not start an empty one */
    static const char *const endings[] = {"x\n", "x\r\n", "x\r", "x"};
    for (size_t i = 0; i < 4; i++) {
        l = read_all(endings[i], strlen(endings[i]), 0);
        assert_int_equal(l.status, RECON_OK);
        assert_int_equal(l.count, 1);
        assert_string_equal(l.text[0], "x");
        lines_free(&l);
    }
    l = read_all("", 0, 0);
    assert_int_equal(l.status, RECON_OK);
    assert_int_equal(l.count, 0);
    lines_free(&l);
}

/* Input of `total` bytes: a first line of `first` x's ending in `eol`, then "tail\n". */
static char *crossing(size_t first, const char *eol, size_t *total)
{
    size_t el = strlen(eol);
    *total = first + el + 5;
    char *data = malloc(*total);
    memset(data, 'x', first);
    memcpy(data + first, eol, el);
    memcpy(data + first + el, "tail\n", 5);
    return data;
}

static void test_chunk_boundaries(void **state)
{
    (void)state;
    /* CRLF split by the boundary, a line ending right at it, lines running over it */
    static const struct {
        size_t first;
        const char *eol;
    } cases[] = {
        {CHUNK - 1, "\r\n"}, {CHUNK - 1, "\n"}, {CHUNK - 2, "\r\n"}, {CHUNK, "\r\n"},
        {CHUNK + 10, "\n"},  {CHUNK - 1, "\r"}, {3 * CHUNK + 7, "\r\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t total = 0;
        char *data = crossing(cases[i].first, cases[i].eol, &total);
        lines l = read_all(data, total, 4 * CHUNK);
        if (l.status != RECON_OK)
            fail_msg("case %zu: %s", i, l.err.msg);
        assert_int_equal(l.count, 2);
        assert_int_equal(l.len[0], cases[i].first);
        assert_true(l.text[0][0] == 'x' && l.text[0][cases[i].first - 1] == 'x');
        assert_string_equal(l.text[1], "tail");
        assert_int_equal(l.lineno[1], 2);
        lines_free(&l);
        free(data);
    }
}

static void test_max_line(void **state)
{
    (void)state;
    lines l = read_all("12345\n123456\n", 13, 5);
    assert_int_equal(l.status, RECON_EDATA);
    assert_int_equal(l.count, 1);
    assert_string_equal(l.err.msg, "t.csv: line 2: line longer than 5 bytes");
    lines_free(&l);

    /* the limit holds for a line assembled over several chunks too */
    size_t total = 0;
    char *data = crossing(CHUNK + 100, "\n", &total);
    l = read_all(data, total, CHUNK + 99);
    assert_int_equal(l.status, RECON_EDATA);
    assert_string_equal(l.err.msg, "t.csv: line 1: line longer than 65635 bytes");
    lines_free(&l);
    free(data);
}

/* A NUL byte would cut the C string a field is read into: the line is refused. */
static void test_text_len(void **state)
{
    (void)state;
    assert_int_equal(linereader_text_len("abc\ndef", 7), 3);
    assert_int_equal(linereader_text_len("abc\r\ndef", 8), 3);
    assert_int_equal(linereader_text_len("ab\rc\nd", 6), 2); /* a lone CR ends a line too */
    assert_int_equal(linereader_text_len("abc", 3), 3);
    assert_int_equal(linereader_text_len("abc\n", 2), 2); /* nothing beyond n is read */
    assert_int_equal(linereader_text_len("\n", 1), 0);
    assert_int_equal(linereader_text_len("", 0), 0);
}

static void test_nul_refused(void **state)
{
    (void)state;
    static const char text[] = "ok\r\n42000012\0\0342\r\n";
    lines l = read_all(text, sizeof text - 1, 0);
    assert_int_equal(l.status, RECON_EDATA);
    assert_int_equal(l.count, 1);
    assert_string_equal(l.err.msg,
                        "t.csv: line 2: NUL byte at column 9; hint: the file is damaged or not text");
    lines_free(&l);

    /* the column counts from the start of a line that began in an earlier chunk */
    size_t total = 0;
    char *data = crossing(CHUNK + 10, "\n", &total);
    data[CHUNK + 3] = '\0';
    l = read_all(data, total, 4 * CHUNK);
    assert_int_equal(l.status, RECON_EDATA);
    assert_string_equal(l.err.msg, "t.csv: line 1: NUL byte at column 65540; hint: the file is "
                                   "damaged or not text");
    lines_free(&l);
    free(data);

    /* also in a last line without terminator */
    l = read_all("a\nb\0", 4, 0);
    assert_int_equal(l.status, RECON_EDATA);
    assert_string_equal(l.err.msg,
                        "t.csv: line 2: NUL byte at column 2; hint: the file is damaged or not text");
    lines_free(&l);
}

/* Line ends and NUL bytes found 16 bytes at a time: before, at and after a block's end. */
static void test_stops_in_long_lines(void **state)
{
    (void)state;
    for (size_t at = 0; at < 40; at++) {
        char text[128];
        memset(text, 'a', at);
        memcpy(text + at, "\r\nbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\rc\n", 39);
        lines l = read_all(text, at + 39, 0);
        assert_int_equal(l.status, RECON_OK);
        assert_int_equal(l.count, 3);
        assert_int_equal(l.len[0], at);
        assert_int_equal(l.len[1], 34);
        assert_string_equal(l.text[2], "c");
        lines_free(&l);

        /* a NUL at column at + 1 of the second line is named; one after its end is not */
        char msg[128];
        memcpy(text, "x\n", 2);
        memset(text + 2, 'a', 40);
        text[2 + at] = '\0';
        memcpy(text + 42, "\n", 1);
        l = read_all(text, 43, 0);
        assert_int_equal(l.status, RECON_EDATA);
        snprintf(msg, sizeof msg,
                 "t.csv: line 2: NUL byte at column %zu; hint: the file is damaged or not text",
                 at + 1);
        assert_string_equal(l.err.msg, msg);
        lines_free(&l);
    }
    /* a line too long is named as such even when it also holds a NUL, as before */
    lines l = read_all("aaaaaaaaaaaaaaaaaaaa\0aaaa\n", 26, 20);
    assert_int_equal(l.status, RECON_EDATA);
    assert_string_equal(l.err.msg, "t.csv: line 1: line longer than 20 bytes");
    lines_free(&l);
    /* a NUL on the line after a CR belongs to that next line */
    l = read_all("abcdefghijklmnopqrstu\r\0\n", 24, 0);
    assert_int_equal(l.status, RECON_EDATA);
    assert_int_equal(l.count, 1);
    assert_string_equal(l.err.msg,
                        "t.csv: line 2: NUL byte at column 1; hint: the file is damaged or not text");
    lines_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_terminators),
        cmocka_unit_test(test_chunk_boundaries),
        cmocka_unit_test(test_max_line),
        cmocka_unit_test(test_nul_refused),
        cmocka_unit_test(test_text_len),
        cmocka_unit_test(test_stops_in_long_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
