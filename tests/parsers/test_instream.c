#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "parsers/instream.h"

/* A temporary file holding data; the caller unlinks path. */
static void write_temp(char path[32], const void *data, size_t len)
{
    static const char pattern[] = "/tmp/recon-instream-XXXXXX";
    memcpy(path, pattern, sizeof pattern);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
}

/* Everything the stream of path yields, read 7 bytes at a time after a peek. */
static size_t read_file(const char *path, char *out, size_t cap, bool *gz)
{
    instream_t *in = NULL;
    err_t err;
    err_clear(&err);
    assert_int_equal(instream_open(path, &in, &err), RECON_OK);
    const unsigned char *head = NULL;
    size_t head_len = 0;
    assert_int_equal(instream_peek(in, &head, &head_len, &err), RECON_OK);
    size_t total = 0;
    for (;;) {
        ssize_t n = instream_read(in, out + total, cap - total < 7 ? cap - total : 7, &err);
        assert_true(n >= 0);
        if (n == 0)
            break;
        total += (size_t)n;
    }
    *gz = instream_was_gzip(in);
    instream_close(in);
    return total;
}

/* Plain files are read as they are (read(2), not through zlib), whatever they hold:
 * also one lone gzip magic byte, or a file that is only "\x1f\x8a". */
static void test_plain_files(void **state)
{
    (void)state;
    static const char *const contents[] = {"", "\x1f", "\x1f\x8a rest", "line 1\nline 2\n"};
    for (size_t i = 0; i < sizeof contents / sizeof contents[0]; i++) {
        size_t len = strlen(contents[i]);
        char path[32], got[256];
        write_temp(path, contents[i], len);
        bool gz = true;
        size_t n = read_file(path, got, sizeof got, &gz);
        unlink(path);
        assert_int_equal(n, len);
        assert_memory_equal(got, contents[i], len);
        assert_false(gz);
    }
    /* bigger than a peek and a read: 200 KiB of numbered lines */
    size_t big = 200 * 1024;
    char *data = malloc(big), *got = malloc(big + 16);
    for (size_t i = 0; i < big; i++)
        data[i] = (char)('a' + i % 26);
    char path[32];
    write_temp(path, data, big);
    bool gz = true;
    assert_int_equal(read_file(path, got, big + 16, &gz), big);
    unlink(path);
    assert_memory_equal(got, data, big);
    assert_false(gz);
    free(data);
    free(got);
}

static void test_gzip_file(void **state)
{
    (void)state;
    static const char text[] = "compressed statement\n";
    char path[32];
    write_temp(path, "", 0);
    gzFile g = gzopen(path, "wb");
    assert_non_null(g);
    assert_int_equal(gzwrite(g, text, sizeof text - 1), (int)(sizeof text - 1));
    assert_int_equal(gzclose(g), Z_OK);
    char got[64];
    bool gz = false;
    size_t n = read_file(path, got, sizeof got, &gz);
    unlink(path);
    assert_int_equal(n, sizeof text - 1);
    assert_memory_equal(got, text, n);
    assert_true(gz);
}

/* The size limit counts bytes read from plain files too. */
static void test_limit_on_plain_file(void **state)
{
    (void)state;
    char path[32];
    write_temp(path, "0123456789", 10);
    instream_t *in = NULL;
    err_t err;
    err_clear(&err);
    assert_int_equal(instream_open(path, &in, &err), RECON_OK);
    instream_set_limit(in, 5);
    char buf[16];
    assert_int_equal(instream_read(in, buf, sizeof buf, &err), -1);
    assert_non_null(strstr(err.msg, "input exceeds the size limit of 5 bytes"));
    instream_close(in);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_files),
        cmocka_unit_test(test_gzip_file),
        cmocka_unit_test(test_limit_on_plain_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
