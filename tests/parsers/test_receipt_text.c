/* How a value past its receipt field's size is kept: free text cut at a character
 * boundary, identifiers shortened with a hash of the whole, bytes that are not UTF-8 in
 * free text replaced; each noted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "parsers/charset.h"
#include "parsers/receipt.h"

static void test_text_cut_at_character(void **state)
{
    (void)state;
    receipt_t r;
    receipt_init(&r);
    char src[RECEIPT_NAME_MAX + 8];
    size_t n = 0;
    while (n + 4 <= sizeof src - 1) { /* a 4-byte character: 279 is not a multiple of 4 */
        memcpy(src + n, "\xF0\x9F\x98\x80", 4);
        n += 4;
    }
    assert_false(receipt_set_text(&r, r.payer, sizeof r.payer, src, n, "payer name"));
    assert_int_equal(strlen(r.payer), 276);
    assert_true(utf8_valid(r.payer, strlen(r.payer), NULL));
    assert_string_equal(r.note, "payer name cut at 276 bytes");
    /* what fits is copied, trimmed, with no note */
    receipt_init(&r);
    assert_true(receipt_set_text(&r, r.payer, sizeof r.payer, "  A. Jansen ", 12, "payer name"));
    assert_string_equal(r.payer, "A. Jansen");
    assert_string_equal(r.note, "");
}

static void test_key_stays_unique(void **state)
{
    (void)state;
    char a[RECEIPT_ID_MAX + 40], b[RECEIPT_ID_MAX + 40];
    memset(a, 'K', sizeof a - 1);
    a[sizeof a - 1] = '\0';
    memcpy(b, a, sizeof b);
    b[sizeof b - 2] = 'L'; /* differs only past the field's size */
    char ka[RECEIPT_ID_MAX], ka2[RECEIPT_ID_MAX], kb[RECEIPT_ID_MAX];
    assert_false(receipt_set_key(ka, sizeof ka, a, strlen(a)));
    assert_false(receipt_set_key(ka2, sizeof ka2, a, strlen(a)));
    assert_false(receipt_set_key(kb, sizeof kb, b, strlen(b)));
    assert_int_equal(strlen(ka), RECEIPT_ID_MAX - 1);
    assert_string_equal(ka, ka2);
    assert_string_not_equal(ka, kb);
    assert_int_equal(ka[RECEIPT_ID_MAX - 18], '~');
    assert_memory_equal(ka, a, RECEIPT_ID_MAX - 18);
    /* a key that fits is kept as written: keys of files read before do not change */
    assert_true(receipt_set_key(ka, sizeof ka, "4200001234202603011234567890", 28));
    assert_string_equal(ka, "4200001234202603011234567890");
}

static void test_scrub_free_text(void **state)
{
    (void)state;
    receipt_t r;
    receipt_init(&r);
    snprintf(r.payer, sizeof r.payer, "CAF\xC9");
    snprintf(r.remittance, sizeof r.remittance, "P2024000017");
    snprintf(r.merchant_order_no, sizeof r.merchant_order_no, "\xC0\xAF" "1");
    snprintf(r.transaction_key, sizeof r.transaction_key, "K\xFF");
    assert_false(receipt_text_valid(&r));
    assert_true(receipt_scrub_text(&r));
    assert_true(receipt_text_valid(&r));
    assert_string_equal(r.payer, "CAF\xEF\xBF\xBD");
    assert_string_equal(r.remittance, "P2024000017");
    assert_string_equal(r.merchant_order_no, "\xEF\xBF\xBD\xEF\xBF\xBD" "1");
    assert_string_equal(r.transaction_key, "K\xFF"); /* keys are not touched: ingest refuses */
    assert_string_equal(r.note, "invalid utf-8 in the payer name replaced with U+FFFD; invalid "
                                "utf-8 in the merchant order number replaced with U+FFFD");
    /* a remittance full of bad bytes still ends within its field, on a character */
    receipt_init(&r);
    memset(r.remittance, 0xFF, sizeof r.remittance - 1);
    assert_true(receipt_scrub_text(&r));
    assert_true(strlen(r.remittance) < sizeof r.remittance);
    assert_int_equal(strlen(r.remittance) % 3, 0);
    assert_true(utf8_valid(r.remittance, strlen(r.remittance), NULL));
    receipt_init(&r);
    assert_false(receipt_scrub_text(&r));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_cut_at_character),
        cmocka_unit_test(test_key_stays_unique),
        cmocka_unit_test(test_scrub_free_text),
    };
    return cmocka_run_group_tests_name("parsers/receipt_text", tests, NULL, NULL);
}
