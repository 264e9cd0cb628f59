/* The tolerances a parse reports: receipt notes, file warnings and their tally. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "parsers/receipt.h"
#include "parsers/warnings.h"

static void test_note_clauses(void **state)
{
    (void)state;
    receipt_t r;
    receipt_init(&r);
    assert_string_equal(r.note, "");
    receipt_note(&r, "booking date taken from the value date");
    receipt_note(&r, "type code %s read as %s", "NOV", "unknown");
    assert_string_equal(r.note,
                        "booking date taken from the value date; type code NOV read as unknown");
}

static void test_note_overflow(void **state)
{
    (void)state;
    receipt_t r;
    receipt_init(&r);
    char clause[200];
    memset(clause, 'x', sizeof clause - 1);
    clause[sizeof clause - 1] = '\0';
    for (int i = 0; i < 10; i++)
        receipt_note(&r, "%s", clause);
    size_t len = strlen(r.note);
    assert_true(len < sizeof r.note);
    assert_memory_equal(r.note + len - 5, "; ...", 5);
    receipt_note(&r, "more");
    assert_int_equal(strlen(r.note), len); /* a full note stays as it is */
}

typedef struct seen {
    char lines[8][200];
    int n;
} seen;

static recon_status keep_warning(void *ctx, const char *position, const char *text, err_t *err)
{
    (void)err;
    seen *s = ctx;
    snprintf(s->lines[s->n++], sizeof s->lines[0], "%s|%s", position, text);
    return RECON_OK;
}

static void test_warn_through_sink(void **state)
{
    (void)state;
    seen s = {0};
    receipt_sink sink = {&s, NULL, NULL, keep_warning};
    err_t err;
    err_clear(&err);
    assert_int_equal(receipt_warn(&sink, "line 4", &err, "summary says %d rows", 48), RECON_OK);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.lines[0], "line 4|summary says 48 rows");
    receipt_sink quiet = {&s, NULL, NULL, NULL};
    assert_int_equal(receipt_warn(&quiet, "line 5", &err, "ignored"), RECON_OK);
    assert_int_equal(s.n, 1);
}

static void test_tally(void **state)
{
    (void)state;
    parse_warnings *w = parse_warnings_new();
    assert_non_null(w);
    char out[512];
    parse_warnings_summary(w, out, sizeof out);
    assert_string_equal(out, "");
    assert_int_equal(parse_warnings_add(w, "line 3", "no decimal comma"), 1);
    assert_int_equal(parse_warnings_add(w, "line 9", "dos end-of-file byte"), 1);
    assert_int_equal(parse_warnings_add(w, "line 5", "no decimal comma"), 2);
    assert_int_equal(parse_warnings_kinds(w), 2);
    const char *pos = NULL;
    long count = 0;
    assert_string_equal(parse_warnings_get(w, 0, &pos, &count), "no decimal comma");
    assert_string_equal(pos, "line 3");
    assert_int_equal(count, 2);
    parse_warnings_summary(w, out, sizeof out);
    assert_string_equal(out, "no decimal comma (2 times, first at line 3); dos end-of-file "
                             "byte (line 9)");
    parse_warnings_summary(w, out, 40);
    assert_string_equal(out, "...");
    parse_warnings_summary(w, out, 60);
    assert_string_equal(out, "no decimal comma (2 times, first at line 3); ...");
    parse_warnings_reset(w);
    assert_int_equal(parse_warnings_kinds(w), 0);
    parse_warnings_free(w);
}

static void test_tally_bound(void **state)
{
    (void)state;
    parse_warnings *w = parse_warnings_new();
    char text[32];
    for (int i = 0; i < PARSE_WARNINGS_KINDS + 5; i++) {
        snprintf(text, sizeof text, "kind %d", i);
        parse_warnings_add(w, "x", text);
    }
    assert_int_equal(parse_warnings_kinds(w), PARSE_WARNINGS_KINDS);
    assert_int_equal(parse_warnings_other(w), 5);
    char out[8192];
    parse_warnings_summary(w, out, sizeof out);
    assert_non_null(strstr(out, "; 5 more of other kinds"));
    parse_warnings_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_note_clauses),     cmocka_unit_test(test_note_overflow),
        cmocka_unit_test(test_warn_through_sink), cmocka_unit_test(test_tally),
        cmocka_unit_test(test_tally_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
