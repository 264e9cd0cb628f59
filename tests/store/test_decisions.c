/*
 * store/decisions against the suite's server: staged rows are resolved and
 * checked (each bad line once, its first problem), a good file is stored with
 * its bytes and found again by hash, approvals attach to the refund they
 * approve, and decisions_in_effect sees a decision only from its night (an
 * approved one from the approval's), never after its release.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "store/decisions.h"
#include "tests/store/storedb.h"

static int setup(void **state)
{
    *state = storedb_available() ? storedb_fresh("t_store_decisions") : NULL;
    return 0;
}

static int teardown(void **state)
{
    db_close(*state);
    return 0;
}

static char problems[2048];

static void on_problem(void *ctx, const char *line, const char *reason)
{
    (void)ctx;
    size_t n = strlen(problems);
    snprintf(problems + n, sizeof problems - n, "%s: %s\n", line, reason);
}

/* Stages COPY text rows (line, decided_on, receipt_id, source, key, action,
 * policy, amount, reason, decided_by, rid) and returns the problems found. */
static long stage(db_t *db, const char *rows)
{
    err_t err;
    long count = 0;
    problems[0] = '\0';
    assert_int_equal(db_begin(db, &err), RECON_OK);
    assert_int_equal(store_register_stage(db, STORE_REGISTER_DECISIONS, &err), RECON_OK);
    assert_true(buf_append_str(db_copy_buffer(db), rows));
    assert_int_equal(db_copy_in_end(db, NULL, &err), RECON_OK);
    assert_int_equal(store_register_problems(db, STORE_REGISTER_DECISIONS, on_problem, NULL, &count, &err), RECON_OK);
    return count;
}

static void store(db_t *db, const char *sha, fen_t below, long expect)
{
    err_t err;
    long stored = -1;
    assert_int_equal(store_decisions_merge(db, "d.csv", (const unsigned char *)"a,b\n", 4, sha,
                                           below, &stored, &err),
                     RECON_OK);
    assert_int_equal(stored, expect);
    assert_int_equal(db_commit(db, &err), RECON_OK);
}

static const char *value(db_t *db, const char *sql)
{
    static char v[512];
    assert_true(storedb_value(db, sql, v, sizeof v));
    return v;
}

static int listed;
static recon_status on_row(void *ctx, const decision_row *d, err_t *err)
{
    (void)ctx;
    (void)err;
    listed++;
    if (strcmp(d->action, "refund") == 0)
        assert_string_equal(d->state, "approved by bob on 2026-02-03");
    return RECON_OK;
}

static void test_decisions(void **state)
{
    db_t *db = *state;
    if (db == NULL)
        skip();
    err_t err;
    recon_status st =
        db_exec(db,
                "INSERT INTO policies (policy_no, holder_name, payment_mode, start_date, end_date, "
                "premium, net_premium) VALUES ('P1', 'A', 'monthly', '2026-01-15', '2027-01-14', "
                "3000, 3000); "
                "INSERT INTO receipts (receipt_id, source, transaction_key, booking_date, amount, currency, "
                "direction, business_date, match_result) VALUES "
                "(1, 's', 'K1', '2026-01-15', 6000, 'CNY', 'credit', '2026-01-31', 'unidentified'), "
                "(2, 's', 'K2', '2026-01-16', 20000, 'CNY', 'credit', '2026-01-31', 'unidentified')",
                &err);
    if (st != RECON_OK)
        fail_msg("%s", err.msg);

    /* bad rows: each line once, in line order */
    assert_int_equal(stage(db, "2\t2026-02-01\t\\N\ts\tK1\tassign\tP1\t7000\tr\ta\t\\N\n"
                               "3\t2026-02-01\t\\N\ts\tK1\tassign\tP9\t2000\tr\ta\t\\N\n"
                               "4\t2026-02-01\t77\t\t\trefund\t\\N\t\\N\tr\ta\t\\N\n"),
                     3);
    assert_string_equal(problems, "2: assigned and refunded amounts of receipt 1 come to 70.00 by "
                                  "this line, more than its 60.00\n"
                                  "3: unknown policy 'P9'\n"
                                  "4: unknown receipt 77\n");
    db_rollback(db);

    /* night 02-01: half of K1 to P1, K2 refunded (20000 fen: above 100.00, waits) */
    assert_int_equal(stage(db, "2\t2026-02-01\t\\N\ts\tK1\tassign\tP1\t3000\tr\ta\t\\N\n"
                               "3\t2026-02-01\t2\t\t\trefund\t\\N\t\\N\tr\ta\t\\N\n"),
                     0);
    char sha1[65], sha2[65], sha3[65];
    memset(sha1, '1', 64), memset(sha2, '2', 64), memset(sha3, '3', 64);
    sha1[64] = sha2[64] = sha3[64] = '\0';
    store(db, sha1, 10000, 2);
    bool known = false;
    assert_int_equal(store_decisions_file_known(db, sha1, &known, &err), RECON_OK);
    assert_true(known);
    assert_int_equal(store_decisions_file_known(db, sha2, &known, &err), RECON_OK);
    assert_false(known);
    assert_string_equal(value(db, "SELECT encode(content, 'escape') || file_name FROM "
                                  "decision_files"),
                        "a,b\nd.csv");
    assert_string_equal(value(db, "SELECT string_agg(receipt_id || action || needs_approval, ' ' "
                                  "ORDER BY line) FROM decisions"),
                        "1assignfalse 2refundtrue");

    /* the same bytes again: nothing stored */
    assert_int_equal(stage(db, "2\t2026-02-01\t\\N\ts\tK2\tassign\tP1\t3000\tr\ta\t\\N\n"), 1);
    assert_string_equal(problems, "2: receipt 2 already decided (refund on line 3 of d.csv); "
                                  "hint: release it first\n");
    db_rollback(db);

    /* night 02-03: bob approves the refund */
    assert_int_equal(stage(db, "2\t2026-02-03\t2\t\t\tapprove\t\\N\t\\N\tok\tbob\t\\N\n"), 0);
    store(db, sha2, 10000, 1);
    assert_string_equal(value(db, "SELECT approves FROM decisions WHERE action = 'approve'"), "2");
    assert_string_equal(
        value(db, "SELECT string_agg(action || ' ' || amount || ' ' || effective_on, ', ' ORDER BY "
                  "decision_id) FROM decisions_in_effect('2026-01-31')"),
        "");
    assert_string_equal(
        value(db, "SELECT string_agg(action || ' ' || amount || ' ' || effective_on, ', ' ORDER BY "
                  "decision_id) FROM decisions_in_effect('2026-02-02')"),
        "assign 3000 2026-02-01");
    assert_string_equal(
        value(db, "SELECT string_agg(action || ' ' || amount || ' ' || effective_on, ', ' ORDER BY "
                  "decision_id) FROM decisions_in_effect('2026-02-03')"),
        "assign 3000 2026-02-01, refund 20000 2026-02-03");
    assert_string_equal(value(db, "SELECT due_by FROM decision_refunds('2026-02-03')"),
                        "2026-03-05");

    /* night 02-05: K1 released; before that night it still counts */
    assert_int_equal(stage(db, "2\t2026-02-05\t1\t\t\trelease\t\\N\t\\N\tr\ta\t\\N\n"), 0);
    store(db, sha3, 10000, 1);
    assert_string_equal(value(db, "SELECT count(*) FROM decisions_in_effect('2026-02-04') WHERE "
                                  "receipt_id = 1"),
                        "1");
    assert_string_equal(value(db, "SELECT count(*) FROM decisions_in_effect('2026-02-05') WHERE "
                                  "receipt_id = 1"),
                        "0");
    assert_string_equal(value(db, "SELECT receipt_decided(1)::text || receipt_decided(2)::text"),
                        "falsetrue");

    int count = 0;
    listed = 0;
    assert_int_equal(store_decisions_list(db, "", "2", on_row, NULL, &count, &err), RECON_OK);
    assert_int_equal(count, 2);
    assert_int_equal(listed, 2);
    assert_int_equal(store_decisions_list(db, "P1", "", on_row, NULL, &count, &err), RECON_OK);
    assert_int_equal(count, 2); /* the assignment and its release */

    /* append-only, for the owner too */
    assert_int_not_equal(db_exec(db, "UPDATE decisions SET reason = 'x'", &err), RECON_OK);
    assert_non_null(strstr(err.msg, "decisions is append-only: UPDATE refused"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_decisions, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
