/* The report queries of a quiet night read what the night changed and what their files
 * list, not the whole book (issue 16, schema/026), and so do a night's reads of its new
 * files' receipts (schema/027: the night's receipt range, the new receipts named to a policy
 * the register lacks, the dirty search's reversal originals): run under EXPLAIN ANALYZE on a
 * book of BOOK policies where the night changed a few, no scan of a book-sized table returns
 * or throws away more than FEW rows, under PostgreSQL's default planner costs and tuned ones
 * alike. Row counts, never times: the plans' shape is what the test holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql_text.h"
#include "tests/support/pgtest.h"

#define BOOK 20000
#define FEW 500

/* BOOK monthly policies in force since 2026-01-01, each with its first status change known
 * from then; the night of 2026-06-30 put 20 of them in grace (their installment due 06-01
 * unpaid; each also in grace once before, a history a later night closed) and left 20
 * refunds due. Grace policies wait on installments due from 05-31 to 06-19, so some are a
 * week from suspension. 20 of the book's receipts (one file of 06-01) are in suspense. */
static const char setup_sql[] =
    "INSERT INTO policies (policy_no, holder_name, payment_mode, start_date, end_date, premium, "
    "net_premium) SELECT 'P' || lpad(i::text, 6, '0'), 'h', 'monthly', '2026-01-01', "
    "'2026-12-31', 1200, 1200 FROM generate_series(1, 20000) i;"
    "INSERT INTO evaluation_night (night, evaluated_at, rules) VALUES ('2026-06-30', now(), 'r');"
    "INSERT INTO policy_state (policy_no, status, status_since, next_due_date, "
    "oldest_unpaid_due_date, arrears, total_installments, evaluated_on, next_change) "
    "SELECT 'P' || lpad(i::text, 6, '0'), CASE WHEN i % 1000 = 0 THEN 'grace' ELSE 'in_force' "
    "END, '2026-01-01', '2026-07-01', CASE WHEN i % 1000 = 0 THEN date '2026-05-30' + i / 1000 "
    "END, CASE WHEN i % 1000 = 0 THEN 100 ELSE 0 END, 12, '2026-06-30', '2026-07-01' "
    "FROM generate_series(1, 20000) i;"
    "INSERT INTO status_events (policy_no, effective_date, seq, from_status, to_status, reason, "
    "known_from, known_until) "
    "SELECT 'P' || lpad(i::text, 6, '0'), date '2026-01-01', 1, 'pending', 'in_force', 'paid', "
    "date '2026-01-01', NULL::date FROM generate_series(1, 20000) i "
    "UNION ALL SELECT 'P' || lpad(i::text, 6, '0'), '2026-03-02', 2, 'in_force', 'grace', "
    "'installment 2 due 2026-02-01 unpaid', '2026-03-02', '2026-03-05' "
    "FROM generate_series(1000, 20000, 1000) i "
    "UNION ALL SELECT 'P' || lpad(i::text, 6, '0'), '2026-06-30', 2, 'in_force', 'grace', "
    "'installment 6 due 2026-06-01 unpaid', '2026-06-30', NULL "
    "FROM generate_series(1000, 20000, 1000) i;"
    "INSERT INTO refunds_due (policy_no, reason, amount, due_by, detail, as_of) "
    "SELECT 'P' || lpad(i::text, 6, '0'), 'excess', 50, '2026-07-30', 'paid twice', "
    "'2026-06-30' FROM generate_series(500, 20000, 1000) i;"
    "INSERT INTO statement_files (file_id, sha256, file_name, format, status, business_date) "
    "VALUES (1, repeat('a', 64), 'bank.sta', 'mt940', 'stored', '2026-06-01');"
    "INSERT INTO receipts (receipt_id, source, transaction_key, file_id, booking_date, amount, "
    "currency, direction, policy_no, match_result) "
    "SELECT i, 'bank', 'T' || i, 1, '2026-06-01', 100, 'CNY', 'credit', "
    "CASE WHEN i % 1000 = 0 THEN NULL ELSE 'P' || lpad(i::text, 6, '0') END, "
    "CASE WHEN i % 1000 = 0 THEN 'unidentified' ELSE 'manual' END "
    "FROM generate_series(1, 20000) i;"
    /* A night's files: one stored on 06-30 (12 receipts) and one not yet owned by a night
     * (10 receipts: 7 paying policies, 2 naming P999999, which the register lacks, and a
     * reversal of receipt 5). */
    "INSERT INTO statement_files (file_id, sha256, file_name, format, status, business_date) "
    "VALUES (2, repeat('b', 64), 'bank2.sta', 'mt940', 'stored', '2026-06-30'), "
    "(3, repeat('c', 64), 'bank3.sta', 'mt940', 'stored', NULL);"
    "INSERT INTO receipts (receipt_id, source, transaction_key, file_id, booking_date, amount, "
    "currency, direction, policy_no, match_result) "
    "SELECT 20000 + i, 'bank', 'N' || i, 2, date '2026-06-30', 100, 'CNY', 'credit', "
    "'P' || lpad(i::text, 6, '0'), 'identified' FROM generate_series(1, 12) i "
    "UNION ALL SELECT 20100 + i, 'bank', 'M' || i, 3, date '2026-07-01', 100, 'CNY', 'credit', "
    "CASE WHEN i > 7 THEN 'P999999' ELSE 'P' || lpad((100 + i)::text, 6, '0') END, "
    "'identified' FROM generate_series(1, 9) i;"
    "INSERT INTO receipts (receipt_id, source, transaction_key, file_id, booking_date, amount, "
    "currency, direction, policy_no, match_result, reversal, reversal_of, reverses) "
    "VALUES (20110, 'bank', 'R1', 3, '2026-07-01', -100, 'CNY', 'debit', 'P000005', "
    "'reversal', true, 'T5', 5);"
    "ANALYZE";

static int setup(void **state) { return pgtest_setup(state, "store_report_plans_test", setup_sql); }

static const char *const book_tables[] = {"policies", "policy_state", "status_events", "receipts"};

/* The table a plan line scans when it is one of the book's, else NULL. */
static const char *book_scan(const char *line)
{
    if (strstr(line, "Scan") == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof book_tables / sizeof book_tables[0]; i++) {
        char on[64];
        snprintf(on, sizeof on, " on %s ", book_tables[i]);
        if (strstr(line, on) != NULL)
            return book_tables[i];
    }
    return NULL;
}

static long field(const char *line, const char *name)
{
    const char *p = strstr(line, name);
    return p == NULL ? -1 : strtol(p + strlen(name), NULL, 10);
}

/* EXPLAIN ANALYZE of the first len bytes of query (n parameters); returns the rows its top
 * node gave. */
static long check_query(db_t *db, const char *query, size_t len, int n, const char *const *params,
                        const char *what)
{
    size_t cap = len + 64;
    char *sql = malloc(cap);
    assert_non_null(sql);
    snprintf(sql, cap, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) %.*s", (int)len, query);
    PGresult *res = NULL;
    err_t err = {0};
    if (db_query(db, sql, n, params, 1, &res, &err) != RECON_OK)
        fail_msg("%s: %s", what, err.msg);
    free(sql);
    long top = -1;
    for (int i = 0; i < PQntuples(res); i++) {
        const char *line = PQgetvalue(res, i, 0);
        if (i == 0)
            top = field(line, "actual rows=");
        const char *table = book_scan(line);
        long removed = field(line, "Rows Removed by Filter: ");
        if (table != NULL && field(line, "actual rows=") * field(line, "loops=") > FEW)
            fail_msg("%s reads the book's %s: %s", what, table, line);
        if (removed > FEW)
            fail_msg("%s filters the book: %s (line %d)", what, line, i + 1);
    }
    PQclear(res);
    return top;
}

/* The same for a report's COPY statement: the query inside it. */
static long check_plan(db_t *db, const char *copy_sql, const char *what)
{
    const char *from = strstr(copy_sql, "COPY (");
    const char *to = strstr(copy_sql, ") TO STDOUT");
    assert_non_null(from);
    assert_non_null(to);
    from += strlen("COPY (");
    return check_query(db, from, (size_t)(to - from), 0, NULL, what);
}

/* A night's reads of its files' receipts; the writes among them are rolled back. */
static void check_night_files(db_t *db)
{
    /* the range of the 12 receipts of 06-30's file */
    check_query(db, sql_report_day_receipt_range, strlen(sql_report_day_receipt_range), 0, NULL,
                "the night's receipt range");
    char range[1024];
    snprintf(range, sizeof range, "SELECT lo || '-' || hi FROM (%s) x (lo, hi)",
             sql_report_day_receipt_range);
    assert_string_equal(pgtest_value(db, range), "20001-20012");
    pgtest_exec(db, "BEGIN");
    const char *unknown[] = {"unidentified", "policy not in register: "};
    check_query(db, sql_match_unknown_policy, strlen(sql_match_unknown_policy), 2, unknown,
                "the new receipts naming an unknown policy");
    assert_string_equal(pgtest_value(db, "SELECT string_agg(receipt_id::text, ',' ORDER BY "
                                         "receipt_id) FROM receipts WHERE named_policy = "
                                         "'P999999'"),
                        "20108,20109");
    pgtest_exec(db, "CREATE TEMP TABLE eval_dirty (policy_no text PRIMARY KEY) ON COMMIT DROP");
    /* new since 07-01 and since the last night started: the unowned file only; no state
     * changes by the calendar on 06-30 */
    const char *night[] = {"2026-06-30", "2026-07-01", "infinity"};
    check_query(db, sql_process_mark_dirty, strlen(sql_process_mark_dirty), 3, night,
                "the dirty search");
    /* the 7 paying policies and the reversal's and its original's (P000005); the two
     * receipts naming P999999 were put in suspense above */
    assert_string_equal(pgtest_value(db, "SELECT count(*) FROM eval_dirty"), "8");
    pgtest_exec(db, "ROLLBACK");
}

static void check_reports(db_t *db)
{
    /* 20 grace_started, the 7 candidates due by 06-06 and the 20 refunds' lookups finding
     * none of tonight's policies */
    assert_int_equal(check_plan(db, sql_report_notices, "notices.csv.gz"), 27);
    /* 20 receipts in suspense, 20 refunds */
    assert_int_equal(check_plan(db, sql_report_exceptions, "exceptions.csv.gz"), 40);
    assert_int_equal(check_plan(db, sql_report_refunds, "refunds.csv.gz"), 20);
}

static void test_quiet_night(void **state)
{
    db_t *db = *state;
    if (db == NULL)
        skip();
    pgtest_exec(db, "SELECT set_config('recon.as_of', '2026-06-30', false), "
                    "set_config('recon.notice_due_by', '2026-06-06', false), "
                    "set_config('max_parallel_workers_per_gather', '0', false)");
    pgtest_exec(db, "SET random_page_cost = 4"); /* PostgreSQL's default */
    check_reports(db);
    check_night_files(db);
    pgtest_exec(db, "SET random_page_cost = 1.1"); /* a server tuned for SSDs */
    check_reports(db);
    check_night_files(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_quiet_night, setup, pgtest_teardown),
    };
    return cmocka_run_group_tests_name("store/report_plans", tests, NULL, NULL);
}
