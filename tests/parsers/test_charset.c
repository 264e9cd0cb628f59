#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "parsers/charset.h"

/* A plain decoder straight from the definition: the code point must need every
 * byte used (no overlong forms), must not be a surrogate and must not pass U+10FFFF.
 * Returns the sequence length, 0 when the bytes at s are not one. */
static size_t reference_sequence(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t cp, min;
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0) {
        n = 2;
        cp = c & 0x1Fu;
        min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3;
        cp = c & 0x0Fu;
        min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4;
        cp = c & 0x07u;
        min = 0x10000;
    } else {
        return 0;
    }
    if (avail < n)
        return 0;
    for (size_t k = 1; k < n; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[k] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

static bool reference_valid(const unsigned char *s, size_t len, size_t *bad)
{
    for (size_t i = 0; i < len;) {
        size_t n = reference_sequence(s + i, len - i);
        if (n == 0) {
            *bad = i;
            return false;
        }
        i += n;
    }
    return true;
}

static void agree(const unsigned char *s, size_t len)
{
    size_t bad = 12345, want_bad = 54321;
    bool got = utf8_valid((const char *)s, len, &bad);
    bool want = reference_valid(s, len, &want_bad);
    if (got != want || (!got && bad != want_bad)) {
        char hex[3 * 32 + 1] = "";
        for (size_t i = 0; i < len && i < 32; i++)
            snprintf(hex + 3 * i, 4, "%02x ", s[i]);
        fail_msg("utf8_valid(%s) = %d at %zu, want %d at %zu", hex, got, bad, want, want_bad);
    }
}

/* Every sequence of up to three bytes, and four-byte ones over every lead byte and
 * second byte: the validator agrees with the definition, offsets included. */
static void test_agrees_with_definition(void **state)
{
    (void)state;
    unsigned char b[4];
    for (unsigned x = 0; x < 0x100; x++) {
        b[0] = (unsigned char)x;
        agree(b, 1);
    }
    for (unsigned x = 0; x < 0x10000; x++) {
        b[0] = (unsigned char)(x >> 8);
        b[1] = (unsigned char)x;
        agree(b, 2);
    }
    for (unsigned x = 0xC00000; x < 0x1000000; x++) {
        b[0] = (unsigned char)(x >> 16);
        b[1] = (unsigned char)(x >> 8);
        b[2] = (unsigned char)x;
        agree(b, 3);
    }
    static const unsigned char tails[] = {0x00, 0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
    for (unsigned x = 0xF000; x < 0x10000; x++)
        for (size_t t = 0; t < sizeof tails; t++)
            for (size_t u = 0; u < sizeof tails; u++) {
                b[0] = (unsigned char)(x >> 8);
                b[1] = (unsigned char)x;
                b[2] = tails[t];
                b[3] = tails[u];
                agree(b, 4);
            }
}

/* ASCII is checked eight bytes at a time: the offset of a bad byte after or inside
 * such a run is still exact, and a sequence cut by the end of the text is refused. */
static void test_offsets_after_ascii(void **state)
{
    (void)state;
    unsigned char text[40];
    for (size_t at = 0; at < 24; at++) {
        static const unsigned char bad[][3] = {{0xFF, 0, 0}, {0xE4, 0xBF, 0}, {0xC0, 0xAF, 0}};
        for (size_t k = 0; k < 3; k++) {
            memset(text, 'a', sizeof text);
            memcpy(text + 2, "\xE4\xBF\x9D", 3); /* 保 */
            memcpy(text + at + 5, bad[k], 3);
            size_t off = 0;
            assert_false(utf8_valid((const char *)text, sizeof text, &off));
            assert_int_equal(off, at + 5);
        }
    }
    size_t off = 0;
    assert_false(utf8_valid("abcdefgh\xE4\xBF", 10, &off));
    assert_int_equal(off, 8);
    assert_true(utf8_valid("abcdefgh\xE4\xBF\x9D", 11, NULL));
    assert_true(utf8_valid("", 0, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agrees_with_definition),
        cmocka_unit_test(test_offsets_after_ascii),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
