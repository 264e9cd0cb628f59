#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/sha256.h"

static void hex_of(const void *data, size_t len, char out[SHA256_HEX_SIZE])
{
    err_t err;
    err_clear(&err);
    assert_int_equal(sha256_buf_hex(data, len, out, &err), RECON_OK);
}

static void init_ok(sha256_ctx *c)
{
    err_t err;
    err_clear(&err);
    assert_int_equal(sha256_init(c, &err), RECON_OK);
    assert_non_null(c->md);
}

static void final_hex(sha256_ctx *c, char out[SHA256_HEX_SIZE])
{
    unsigned char d[SHA256_DIGEST_SIZE];
    err_t err;
    err_clear(&err);
    assert_int_equal(sha256_final(c, d, &err), RECON_OK);
    assert_null(c->md); /* the final released the context */
    sha256_hex(d, out);
}

/* FIPS 180-4 / NIST example vectors. */
static void test_vectors(void **state)
{
    (void)state;
    static const struct {
        const char *msg;
        const char *hex;
    } v[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char hex[SHA256_HEX_SIZE];
        hex_of(v[i].msg, strlen(v[i].msg), hex);
        assert_string_equal(hex, v[i].hex);
    }
}

/* One million 'a', fed in uneven pieces so block boundaries fall mid-update. */
static void test_million_a(void **state)
{
    (void)state;
    static char chunk[997];
    memset(chunk, 'a', sizeof chunk);
    sha256_ctx c;
    init_ok(&c);
    size_t left = 1000000;
    size_t step = 1;
    while (left) {
        size_t n = step < left ? step : left;
        if (n > sizeof chunk)
            n = sizeof chunk;
        sha256_update(&c, chunk, n);
        left -= n;
        step = step * 7 % 1001 + 1;
    }
    char hex[SHA256_HEX_SIZE];
    final_hex(&c, hex);
    sha256_free(&c); /* after a final: nothing left, nothing done */
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Lengths around the 55/56/64-byte padding edges agree whether fed whole or bytewise. */
static void test_padding_edges(void **state)
{
    (void)state;
    unsigned char msg[130];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (unsigned char)(i * 31 + 7);
    for (size_t len = 50; len <= sizeof msg; len++) {
        char whole[SHA256_HEX_SIZE], bytewise[SHA256_HEX_SIZE];
        hex_of(msg, len, whole);
        sha256_ctx c;
        init_ok(&c);
        for (size_t i = 0; i < len; i++)
            sha256_update(&c, msg + i, 1);
        final_hex(&c, bytewise);
        assert_string_equal(whole, bytewise);
    }
}

/* A digest abandoned half-way is released by sha256_free (LeakSanitizer checks), which is
 * also harmless twice, on a zeroed context and after a final; a context reused after its
 * free starts afresh. */
static void test_release(void **state)
{
    (void)state;
    sha256_ctx zero = SHA256_CTX_INIT;
    sha256_free(&zero);
    sha256_free(&zero);
    assert_null(zero.md);

    sha256_ctx c;
    init_ok(&c);
    sha256_update(&c, "ab", 2);
    sha256_free(&c);
    assert_null(c.md);
    sha256_free(&c);

    init_ok(&c);
    sha256_update(&c, "abc", 3);
    char hex[SHA256_HEX_SIZE];
    final_hex(&c, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* Bytes fed to a context holding no digest are not silently dropped: the final fails. */
static void test_final_without_digest(void **state)
{
    (void)state;
    sha256_ctx c = SHA256_CTX_INIT;
    sha256_update(&c, "abc", 3);
    unsigned char d[SHA256_DIGEST_SIZE];
    err_t err;
    err_clear(&err);
    assert_int_equal(sha256_final(&c, d, &err), RECON_EINTERNAL);
    assert_non_null(strstr(err.msg, "SHA-256"));
    assert_null(c.md);
    assert_false(c.failed);
}

static void test_file(void **state)
{
    (void)state;
    char path[] = "/tmp/recon-sha256-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "abc", 3), 3);
    close(fd);
    char hex[SHA256_HEX_SIZE];
    err_t err;
    err_clear(&err);
    assert_int_equal(sha256_file_hex(path, hex, &err), RECON_OK);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    unlink(path);
    assert_int_equal(sha256_file_hex(path, hex, &err), RECON_ENOINPUT);
    assert_non_null(strstr(err.msg, path));
    /* a read error after the digest began: reported, and the abandoned digest holds nothing
     * to release (ASan checks) */
    assert_int_equal(sha256_file_hex("/tmp", hex, &err), RECON_ENOINPUT);
    assert_non_null(strstr(err.msg, "/tmp: read error"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_million_a),
        cmocka_unit_test(test_padding_edges),
        cmocka_unit_test(test_release),
        cmocka_unit_test(test_final_without_digest),
        cmocka_unit_test(test_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
