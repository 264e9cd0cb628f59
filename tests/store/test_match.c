#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "tests/support/pgtest.h"
#include "store/match.h"

/* Stands in for the core: the remittance, when there is one, names the policy. */
static void by_remittance(void *ctx, const match_fields *f, match_decision *d)
{
    (*(int *)ctx)++;
    memset(d, 0, sizeof *d);
    if (*f->remittance) {
        d->result = f->reversal ? "reversal" : "identified";
        strncpy(d->policy_no, f->remittance, sizeof d->policy_no - 1);
        strncpy(d->note, "policy number in remittance text", sizeof d->note - 1);
    }
}

static const char setup_sql[] =
    "INSERT INTO policies (policy_no, holder_name, payment_mode, start_date, end_date, premium, "
    "net_premium, payer_account) VALUES "
    "('P1', 'A', 'monthly', '2026-01-01', '2026-12-31', 100, 0, 'ACC1'), "
    "('P2', 'B', 'monthly', '2026-01-01', '2026-12-31', 100, 0, 'SHARED'), "
    "('P3', 'C', 'monthly', '2026-01-01', '2026-12-31', 100, 0, 'SHARED');"
    "INSERT INTO statement_files (file_id, sha256, file_name, format, status, business_date) "
    "VALUES (1, repeat('a', 64), 'new.sta', 'mt940', 'stored', NULL), "
    "(2, repeat('b', 64), 'old.sta', 'mt940', 'stored', '2026-03-01');"
    "INSERT INTO receipts (receipt_id, source, transaction_key, file_id, booking_date, amount, "
    "currency, direction, reversal, reversal_of, payer_account, end_to_end_id, remittance, "
    "policy_no, match_result) VALUES "
    /* decided at ingest, naming a policy the register lacks: new, then known */
    "(1, 'bank', 'T1', 1, '2026-03-02', 100, 'CNY', 'credit', false, '', '', '', '', 'P9', "
    "'identified'), "
    "(2, 'bank', 'T2', 2, '2026-03-01', 100, 'CNY', 'credit', false, '', '', '', '', 'P8', "
    "'identified'), "
    /* undecided */
    "(3, 'bank', 'T3', 1, '2026-03-02', 100, 'CNY', 'credit', false, '', '', '', 'P1', NULL, NULL), "
    "(4, 'bank', 'T4', 1, '2026-03-02', 100, 'CNY', 'credit', false, '', '', '', 'P7', NULL, NULL), "
    "(5, 'bank', 'T5', 1, '2026-03-02', 100, 'CNY', 'credit', false, '', 'ACC1', '', '', NULL, "
    "NULL), "
    "(6, 'bank', 'T6', 1, '2026-03-02', 100, 'CNY', 'credit', false, '', 'SHARED', '', '', NULL, "
    "NULL), "
    "(7, 'bank', 'T7', 1, '2026-03-02', 100, 'CNY', 'credit', false, '', '', '', '', NULL, NULL), "
    "(8, 'bank', 'T8', 1, '2026-03-02', -100, 'CNY', 'debit', true, '', 'ACC1', '', '', NULL, "
    "NULL), "
    /* reversals to pair, known before */
    "(10, 'bank', 'T10', 2, '2026-03-01', 100, 'CNY', 'credit', false, '', '', 'E2E10', '', "
    "NULL, 'unidentified'), "
    "(11, 'bank', 'T11', 2, '2026-03-01', -100, 'CNY', 'debit', true, 'T10', '', '', '', NULL, "
    "'reversal'), "
    "(12, 'bank', 'T12', 2, '2026-03-01', -100, 'CNY', 'debit', true, 'E2E10', '', '', '', NULL, "
    "'reversal'), "
    "(13, 'other', 'T13', 2, '2026-03-01', -100, 'CNY', 'debit', true, 'T10', '', '', '', NULL, "
    "'reversal')";

static int setup(void **state) { return pgtest_setup(state, "store_match_test", setup_sql); }

#define MATCH_OF(id)                                                                          \
    "SELECT coalesce(policy_no, '-') || ' ' || coalesce(match_result, '-') || ' ' || "       \
    "match_note FROM receipts WHERE receipt_id = " #id

/* A night of March 2026. */
#define NIGHT(day) date_from_ymd(2026, 3, day)

static void test_matching(void **state)
{
    db_t *db = *state;
    if (db == NULL)
        skip();
    err_t err = {0};
    int decided = 0;
    long rematched = -1;
    assert_int_equal(db_begin(db, &err), RECON_OK);
    assert_int_equal(store_match_undecided(db, by_remittance, &decided, NIGHT(2), true, &rematched, &err),
                     RECON_OK);
    assert_int_equal(decided, 6);
    assert_int_equal(rematched, 0);
    assert_int_equal(store_match_unknown_policies(db, &err), RECON_OK);
    assert_string_equal(pgtest_value(db, MATCH_OF(1)), "- unidentified unknown policy P9");
    /* known on an earlier night: not this run's to change */
    assert_string_equal(pgtest_value(db, MATCH_OF(2)), "P8 identified ");
    assert_string_equal(pgtest_value(db, MATCH_OF(3)),
                        "P1 identified policy number in remittance text");
    /* the decision named a number the register lacks: the same one rule */
    assert_string_equal(pgtest_value(db, MATCH_OF(4)), "- unidentified unknown policy P7");
    assert_string_equal(pgtest_value(db, MATCH_OF(5)), "P1 identified payer account");
    assert_string_equal(pgtest_value(db, MATCH_OF(6)),
                        "- ambiguous payer account held by several policies");
    assert_string_equal(pgtest_value(db, MATCH_OF(7)),
                        "- unidentified no policy number or known payer account");
    assert_string_equal(pgtest_value(db, MATCH_OF(8)), "P1 reversal payer account");
    match_counts c;
    assert_int_equal(store_match_counts(db, &c, &err), RECON_OK);
    assert_int_equal(c.examined, 7);
    assert_int_equal(c.identified, 2);
    assert_int_equal(c.unidentified, 3);
    assert_int_equal(c.ambiguous, 1);
    assert_int_equal(c.reversal, 1);
    assert_int_equal(c.settlement + c.currency, 0);
    /* a second pass finds nothing left to decide */
    decided = 0;
    assert_int_equal(store_match_undecided(db, by_remittance, &decided, NIGHT(2), true, &rematched, &err),
                     RECON_OK);
    assert_int_equal(decided, 0);
    assert_int_equal(rematched, 0);
    assert_int_equal(db_commit(db, &err), RECON_OK);
}

static void test_reversals(void **state)
{
    db_t *db = *state;
    if (db == NULL)
        skip();
    err_t err = {0};
    long paired = -1;
    assert_int_equal(db_begin(db, &err), RECON_OK);
    assert_int_equal(store_pair_reversals(db, false, &paired, &err), RECON_OK);
    assert_int_equal(paired, 2);
    /* by transaction key and by end-to-end id; another source never pairs */
    assert_string_equal(pgtest_value(db, "SELECT string_agg(receipt_id || '>' || "
                                         "coalesce(reverses::text, '-'), ' ' ORDER BY receipt_id) "
                                         "FROM receipts WHERE reversal AND receipt_id > 10"),
                        "11>10 12>10 13>-");
    assert_int_equal(store_pair_reversals(db, false, &paired, &err), RECON_OK);
    assert_int_equal(paired, 0);
    assert_int_equal(db_commit(db, &err), RECON_OK);
}

/* A reversal left unpaired finds an original stored on a later night (tried then only
 * against the receipts stored since), the lowest numbered when two share the reference;
 * a new reversal still finds an old original. */
static void test_reversals_later(void **state)
{
    db_t *db = *state;
    if (db == NULL)
        skip();
    err_t err = {0};
    long paired = -1;
    assert_int_equal(db_begin(db, &err), RECON_OK);
    assert_int_equal(store_pair_reversals(db, false, &paired, &err), RECON_OK);
    assert_string_equal(pgtest_value(db, "SELECT (SELECT checked_through FROM reversal_pairing) "
                                         "= (SELECT max(receipt_id) FROM receipts)"),
                        "t");
    assert_string_equal(pgtest_value(db, "SELECT coalesce(reverses::text, '-') FROM receipts "
                                         "WHERE receipt_id = 13"),
                        "-");
    /* nothing new: nothing tried, nothing paired */
    assert_int_equal(store_pair_reversals(db, false, &paired, &err), RECON_OK);
    assert_int_equal(paired, 0);
    pgtest_exec(db, "INSERT INTO receipts (receipt_id, source, transaction_key, file_id, "
                    "booking_date, amount, currency, direction, reversal, reversal_of, "
                    "merchant_order_no, policy_no, match_result) VALUES "
                    "(31, 'other', 'T10', 2, '2026-03-03', 100, 'CNY', 'credit', false, '', '', "
                    "NULL, 'unidentified'), "
                    "(30, 'other', 'X30', 2, '2026-03-03', 100, 'CNY', 'credit', false, '', "
                    "'T10', NULL, 'unidentified'), "
                    "(32, 'bank', 'R32', 2, '2026-03-03', -100, 'CNY', 'debit', true, 'E2E10', "
                    "'', NULL, 'reversal')");
    assert_int_equal(store_pair_reversals(db, false, &paired, &err), RECON_OK);
    assert_int_equal(paired, 2);
    assert_string_equal(pgtest_value(db, "SELECT string_agg(receipt_id || '>' || "
                                         "coalesce(reverses::text, '-'), ' ' ORDER BY receipt_id) "
                                         "FROM receipts WHERE receipt_id IN (13, 32)"),
                        "13>30 32>10");
    assert_string_equal(pgtest_value(db, "SELECT checked_through FROM reversal_pairing"), "32");
    db_rollback(db);
}

/* The match of receipt id as receipts_known shows it to night (recon.as_of). */
static const char *known_on(db_t *db, const char *night, int id)
{
    char sql[256];
    err_t err = {0};
    snprintf(sql, sizeof sql, "SELECT set_config('recon.as_of', '%s', true)", night);
    assert_int_equal(db_exec(db, sql, &err), RECON_OK);
    snprintf(sql, sizeof sql,
             "SELECT coalesce(policy_no, '-') || ' ' || match_result FROM receipts_known "
             "WHERE receipt_id = %d",
             id);
    return pgtest_value(db, sql);
}

/* After test_matching: receipts in suspense are tried again against the register as it is
 * on a later night, recorded with that night, and left alone when a person decided them or
 * when the night is earlier than one already re-matched. */
static void test_rematch(void **state)
{
    db_t *db = *state;
    if (db == NULL)
        skip();
    err_t err = {0};
    int decided = 0;
    long rematched = -1;
    assert_int_equal(db_begin(db, &err), RECON_OK);
    /* P9 registered; SHARED now held by P2 alone; receipt 4 (naming P7) decided by a person */
    assert_int_equal(
        db_exec(db,
                "INSERT INTO policies (policy_no, holder_name, payment_mode, start_date, "
                "end_date, premium, net_premium) VALUES ('P9', 'D', 'single', '2026-01-01', "
                "'2026-12-31', 100, 0), ('P7', 'E', 'single', '2026-01-01', '2026-12-31', 100, 0);"
                "UPDATE policies SET payer_account = 'OTHER' WHERE policy_no = 'P3';"
                /* whatever decisions_active is, a decision on receipt 4 stands in its place */
                "ALTER VIEW decisions_active RENAME TO decisions_kept;"
                "CREATE VIEW decisions_active AS SELECT 4::bigint AS receipt_id, "
                "'2026-03-03'::date AS decided_on;"
                "UPDATE statement_files SET business_date = '2026-03-02' WHERE file_id = 1",
                &err),
        RECON_OK);
    assert_int_equal(store_match_undecided(db, by_remittance, &decided, NIGHT(3), true, &rematched, &err),
                     RECON_OK);
    assert_int_equal(rematched, 2);
    assert_string_equal(pgtest_value(db, MATCH_OF(1)), "P9 identified policy P9 registered later");
    assert_string_equal(pgtest_value(db, MATCH_OF(6)), "P2 identified payer account");
    assert_string_equal(pgtest_value(db, MATCH_OF(4)), "- unidentified unknown policy P7");
    assert_string_equal(pgtest_value(db, MATCH_OF(7)),
                        "- unidentified no policy number or known payer account");
    assert_string_equal(pgtest_value(db, "SELECT string_agg(receipt_id || ' ' || night || ' ' || "
                                         "coalesce(policy_no, '-') || ' ' || match_result, ', ' "
                                         "ORDER BY receipt_id) FROM receipt_rematches"),
                        "1 2026-03-03 - unidentified, 6 2026-03-03 - ambiguous");
    /* the match as known on each night */
    assert_string_equal(known_on(db, "2026-03-02", 1), "- unidentified");
    assert_string_equal(known_on(db, "2026-03-02", 6), "- ambiguous");
    assert_string_equal(known_on(db, "2026-03-03", 1), "P9 identified");
    assert_string_equal(known_on(db, "2026-03-03", 6), "P2 identified");
    /* again on the same night: nothing changes */
    assert_int_equal(store_match_undecided(db, by_remittance, &decided, NIGHT(3), true, &rematched, &err),
                     RECON_OK);
    assert_int_equal(rematched, 0);
    /* the decision withdrawn, a rerun of an earlier night rewrites no past */
    assert_int_equal(db_exec(db,
                             "DROP VIEW decisions_active;"
                             "ALTER VIEW decisions_kept RENAME TO decisions_active",
                             &err),
                     RECON_OK);
    assert_int_equal(store_match_undecided(db, by_remittance, &decided, NIGHT(2), true, &rematched, &err),
                     RECON_OK);
    assert_int_equal(rematched, 0);
    assert_string_equal(pgtest_value(db, MATCH_OF(4)), "- unidentified unknown policy P7");
    /* the next night takes it */
    assert_int_equal(store_match_undecided(db, by_remittance, &decided, NIGHT(4), true, &rematched, &err),
                     RECON_OK);
    assert_int_equal(rematched, 1);
    assert_string_equal(pgtest_value(db, MATCH_OF(4)), "P7 identified policy P7 registered later");
    assert_int_equal(db_commit(db, &err), RECON_OK);
}

/* An incremental night (retry_always false) tries the suspense again only when the register
 * or a decision changed since the last process: the same register gives the same match. */
static void test_retry_on_change(void **state)
{
    db_t *db = *state;
    if (db == NULL)
        skip();
    err_t err = {0};
    int decided = 0;
    long rematched = -1;
    assert_int_equal(db_begin(db, &err), RECON_OK);
    /* P9 (which receipt 1 names) registered before the last process, which left receipt 1 in
     * suspense: nothing has changed since */
    assert_int_equal(
        db_exec(db,
                "INSERT INTO policies (policy_no, holder_name, payment_mode, start_date, "
                "end_date, premium, net_premium) VALUES ('P9', 'D', 'single', '2026-01-01', "
                "'2026-12-31', 100, 0);"
                "INSERT INTO evaluation_night (night, evaluated_at, rules) "
                "VALUES ('2026-03-02', now() + interval '1 hour', '');"
                "UPDATE statement_files SET business_date = '2026-03-02' WHERE file_id = 1",
                &err),
        RECON_OK);
    assert_int_equal(store_match_undecided(db, by_remittance, &decided, NIGHT(3), false,
                                           &rematched, &err),
                     RECON_OK);
    assert_int_equal(rematched, 0);
    assert_string_equal(pgtest_value(db, MATCH_OF(1)), "- unidentified unknown policy P9");
    /* the register loaded again after it: tried, and matched */
    assert_int_equal(db_exec(db,
                             "UPDATE policies SET loaded_at = now() + interval '2 hours' "
                             "WHERE policy_no = 'P9'",
                             &err),
                     RECON_OK);
    assert_int_equal(store_match_undecided(db, by_remittance, &decided, NIGHT(3), false,
                                           &rematched, &err),
                     RECON_OK);
    assert_true(rematched >= 1);
    assert_string_equal(pgtest_value(db, MATCH_OF(1)), "P9 identified policy P9 registered later");
    db_rollback(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matching),
        cmocka_unit_test(test_reversals),
        cmocka_unit_test(test_reversals_later),
        cmocka_unit_test(test_retry_on_change),
        cmocka_unit_test(test_rematch),
    };
    return cmocka_run_group_tests(tests, setup, pgtest_teardown);
}
