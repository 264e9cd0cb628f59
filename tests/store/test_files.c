/*
 * store/files and store/receipts against the suite's server: a rejection is
 * found only when asked for, a stored file takes the next id (an earlier
 * rejection of the same bytes keeps its id, the same bytes twice store nothing),
 * statements and receipts are copied in file order under consecutive ids, and
 * a transaction already stored from another file is kept as a duplicate of its
 * first sighting, matched to nothing; a receipt keeps its parse note (a
 * duplicate too), a file its warnings line, a statement its period and the ids
 * of its receipts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "store/files.h"
#include "store/receipts.h"
#include "tests/store/storedb.h"

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define SHA_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

static int setup(void **state)
{
    *state = storedb_available() ? storedb_fresh("t_store_files") : NULL;
    return 0;
}

static int teardown(void **state)
{
    db_close(*state);
    return 0;
}

static void receipt(receipt_t *r, const char *key, fen_t amount, const char *payer)
{
    receipt_init(r);
    snprintf(r->position, sizeof r->position, "line %s", key);
    snprintf(r->source, sizeof r->source, "CN0001");
    snprintf(r->transaction_key, sizeof r->transaction_key, "%s", key);
    date_parse("2026-06-01", 10, &r->booking_date);
    r->amount = amount;
    r->direction = amount < 0 ? RECEIPT_DEBIT : RECEIPT_CREDIT;
    snprintf(r->currency, sizeof r->currency, "CNY");
    snprintf(r->payer, sizeof r->payer, "%s", payer);
}

/* Stores one file of receipts rs (their keys and spooled rows, as ingest does) with
 * warnings, and returns its id; *dups gets the duplicates found. The file has two
 * statements: the first yields no receipt, the second all. */
static long long store_warned(db_t *db, const char *sha, const receipt_t *rs, long n,
                              const char *warnings, long *dups)
{
    err_t err;
    FILE *spool = tmpfile();
    buf_t row = BUF_INIT;
    assert_non_null(spool);
    assert_int_equal(store_file_begin(db, &err), RECON_OK);
    buf_t keys = BUF_INIT;
    for (long i = 0; i < n; i++) {
        assert_true(store_receipt_row(&row, &rs[i], rs[i].direction, NULL, NULL, ""));
        assert_int_equal(fwrite(row.data, 1, row.len, spool), row.len);
        assert_true(store_receipt_key(&keys, i + 1, rs[i].source, rs[i].transaction_key));
    }
    assert_int_equal(store_receipts_keys_copy(db, &keys, &err), RECON_OK);
    buf_free(&keys);
    store_sightings seen;
    assert_int_equal(store_receipts_sightings(db, &seen, &err), RECON_OK);
    *dups = seen.count;
    store_file_row fr = {sha,  "f.sta", "mt940", DATE_NONE, DATE_NONE, DATE_NONE, n, 0, 0,
                         warnings, seen.count};
    long long id = 0, base = -1;
    assert_int_equal(store_file_record(db, &fr, &id, &base, &err), RECON_OK);
    if (id != 0) {
        statement_summary s[2];
        statement_summary_init(&s[0]);
        statement_summary_init(&s[1]);
        snprintf(s[0].source, sizeof s[0].source, "CN0001");
        snprintf(s[1].source, sizeof s[1].source, "CN0001");
        snprintf(s[1].statement_id, sizeof s[1].statement_id, "second");
        date_parse("2026-05-31", 10, &s[1].period_from);
        date_parse("2026-06-01", 10, &s[1].period_to);
        long ends[2] = {0, n};
        assert_true(base >= 0);
        assert_int_equal(store_receipts_copy(db, spool, n, id, base, &seen, &err), RECON_OK);
        assert_int_equal(store_statements_copy(db, id, s, ends, 2, base, &err), RECON_OK);
    }
    store_sightings_free(&seen);
    assert_int_equal(db_commit(db, &err), RECON_OK);
    buf_free(&row);
    fclose(spool);
    return id;
}

static long long store(db_t *db, const char *sha, const receipt_t *rs, long n, long *dups)
{
    return store_warned(db, sha, rs, n, "", dups);
}

static void test_files_and_receipts(void **state)
{
    db_t *db = *state;
    if (db == NULL)
        skip();
    err_t err;
    char v[512];
    store_known_file k;
    long count = -1;
    assert_int_equal(store_files_count(db, &count, &err), RECON_OK);
    assert_int_equal(count, 0);
    assert_int_equal(store_file_find(db, SHA_A, true, &k, &err), RECON_OK);
    assert_int_equal(k.id, 0);

    /* a rejection: found only with any_status */
    assert_int_equal(store_file_reject(db, SHA_A, "a.sta", "unknown", "a.sta: bad", &err),
                     RECON_OK);
    assert_int_equal(store_file_find(db, SHA_A, false, &k, &err), RECON_OK);
    assert_int_equal(k.id, 0);
    assert_int_equal(store_file_find(db, SHA_A, true, &k, &err), RECON_OK);
    assert_int_equal(k.id, 1);
    assert_true(k.rejected);
    assert_string_equal(k.reason, "a.sta: bad");
    assert_int_equal(k.night, DATE_NONE);
    /* rejected again: restated, same row */
    assert_int_equal(store_file_reject(db, SHA_A, "a2.sta", "mt940", "a2.sta: worse", &err),
                     RECON_OK);
    assert_int_equal(store_file_find(db, SHA_A, true, &k, &err), RECON_OK);
    assert_int_equal(k.id, 1);
    assert_string_equal(k.reason, "a2.sta: worse");

    /* a stored file takes the next id; its receipts follow in file order */
    receipt_t rs[3];
    receipt(&rs[0], "T1", 10000, "张三");
    receipt(&rs[1], "T2", -500, "李四\tand a tab");
    long dups = -1;
    assert_int_equal(store(db, SHA_B, rs, 2, &dups), 2);
    assert_int_equal(dups, 0);
    assert_true(storedb_value(db, "SELECT string_agg(receipt_id || ':' || file_id || ':' || "
                                  "transaction_key || ':' || amount || ':' || direction || ':' || "
                                  "payer || ':' || coalesce(match_result, '-'), ',' ORDER BY "
                                  "receipt_id) FROM receipts",
                              v, sizeof v));
    assert_string_equal(v, "1:2:T1:10000:credit:张三:-,2:2:T2:-500:debit:李四\tand a tab:-");
    assert_true(storedb_value(db, "SELECT string_agg(seq || ':' || statement_id || ':' || "
                                  "coalesce(period_from || '..' || period_to, '-') || ':' || "
                                  "coalesce(receipts_from || '..' || receipts_to, '-'), ',' "
                                  "ORDER BY seq) FROM statements WHERE file_id = 2",
                              v, sizeof v));
    assert_string_equal(v, "1::-:-,2:second:2026-05-31..2026-06-01:1..2");

    /* the same bytes again store nothing */
    assert_int_equal(store(db, SHA_B, rs, 2, &dups), 0);
    /* a file rejected before, now stored: keeps its id; a repeat of T1 is a duplicate */
    receipt(&rs[2], "T3", 700, "王五");
    receipt_t again[2] = {rs[0], rs[2]};
    receipt_note(&again[0], "no booking date: value date used");
    receipt_note(&again[1], "tab\tin a note");
    assert_int_equal(store_warned(db, SHA_A, again, 2, "dos end-of-file byte ignored (line 9)",
                                  &dups),
                     1);
    assert_int_equal(dups, 1);
    assert_true(storedb_value(db, "SELECT string_agg(receipt_id || ':' || file_id || ':' || "
                                  "coalesce(duplicate_of::text, '-') || ':' || "
                                  "coalesce(match_result, '-') || ':' || match_note || ':' || "
                                  "parse_note, ',' ORDER BY receipt_id) FROM receipts "
                                  "WHERE receipt_id > 2",
                              v, sizeof v));
    assert_string_equal(v, "3:1:1:duplicate:duplicate of receipt 1:no booking date: value date "
                           "used,4:1:-:-::tab\tin a note");
    assert_true(storedb_value(db, "SELECT string_agg(file_id || ':' || warnings, ',' ORDER BY "
                                  "file_id) FROM statement_files",
                              v, sizeof v));
    assert_string_equal(v, "1:dos end-of-file byte ignored (line 9),2:");
    assert_true(storedb_value(db, "SELECT receipts_from || '..' || receipts_to FROM statements "
                                  "WHERE file_id = 1 AND seq = 2",
                              v, sizeof v));
    assert_string_equal(v, "3..4");
    assert_true(storedb_value(db, "SELECT status || ':' || duplicate_count || ':' || "
                                  "receipt_count FROM statement_files WHERE file_id = 1",
                              v, sizeof v));
    assert_string_equal(v, "stored:1:2");
    assert_int_equal(store_file_find(db, SHA_A, false, &k, &err), RECON_OK);
    assert_int_equal(k.id, 1);
    assert_false(k.rejected);
    /* a stored file is never turned back into a rejection */
    assert_int_equal(store_file_reject(db, SHA_B, "b.sta", "unknown", "b.sta: no", &err),
                     RECON_OK);
    assert_int_equal(store_file_find(db, SHA_B, false, &k, &err), RECON_OK);
    assert_int_equal(k.id, 2);
    assert_int_equal(store_file_reject(db, SHA_C, "c.sta", "unknown", "c.sta: no", &err),
                     RECON_OK);
    assert_int_equal(store_files_count(db, &count, &err), RECON_OK);
    assert_int_equal(count, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_files_and_receipts, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
