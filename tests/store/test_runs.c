/*
 * store/runs against the suite's server: a run is recorded with its own
 * session, the sweep marks a 'running' row whose session is gone (and only
 * that one) abandoned, naming it, a finished run keeps its outcome and counts,
 * and the last completed nightly is the latest ok or partial one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "store/runs.h"
#include "tests/store/storedb.h"

static int setup(void **state)
{
    *state = storedb_available() ? storedb_fresh("t_store_runs") : NULL;
    return 0;
}

static int teardown(void **state)
{
    db_close(*state);
    return 0;
}

static int marked;
static char marked_text[256];

static void on_abandoned(const store_abandoned_run *r)
{
    marked++;
    snprintf(marked_text, sizeof marked_text, "%s %s %s %s", r->run_id, r->command, r->as_of,
             r->where);
}

static date_t day(const char *text)
{
    date_t d = DATE_NONE;
    assert_true(date_parse(text, 10, &d));
    return d;
}

static void test_runs(void **state)
{
    db_t *db = *state;
    if (db == NULL)
        skip();
    err_t err;
    char v[512];
    date_t night = day("2000-01-01");
    assert_int_equal(store_last_completed_nightly(db, &night, &err), RECON_OK);
    assert_int_equal(night, DATE_NONE);

    long long first = 0, second = 0;
    assert_int_equal(store_run_start(db, "nightly", day("2026-06-01"), "box", 4242, &first, &err),
                     RECON_OK);
    assert_true(first > 0);
    assert_true(storedb_value(db, "SELECT outcome || ' ' || as_of || ' ' || host || ':' || pid || "
                                  "' ' || (backend_pid = pg_backend_pid()) FROM job_runs",
                              v, sizeof v));
    assert_string_equal(v, "running 2026-06-01 box:4242 true");

    /* a run from a session that is gone (no such backend) */
    assert_int_equal(db_exec(db,
                             "INSERT INTO job_runs (command, as_of, backend_pid, host, pid) "
                             "VALUES ('nightly', '2026-05-31', 2000000000, 'old', 7)",
                             &err),
                     RECON_OK);
    assert_int_equal(store_run_start(db, "retain", DATE_NONE, NULL, 1, &second, &err), RECON_OK);
    marked = 0;
    assert_int_equal(store_runs_mark_abandoned(db, second, on_abandoned, &err), RECON_OK);
    assert_int_equal(marked, 1);
    char want[256];
    snprintf(want, sizeof want, "%lld nightly 2026-05-31 old:7", second - 1);
    assert_string_equal(marked_text, want);
    snprintf(want, sizeof want, "SELECT outcome || ' ' || (message LIKE '%%marked by run %lld') "
                                "FROM job_runs WHERE run_id = %lld",
             second, second - 1);
    assert_true(storedb_value(db, want, v, sizeof v));
    assert_string_equal(v, "abandoned true");
    assert_true(storedb_value(db, "SELECT count(*) FROM job_runs WHERE outcome = 'running'", v,
                              sizeof v));
    assert_string_equal(v, "2"); /* both live runs are left alone */

    store_run_counts c = {1, 2, 3, 4, 5};
    assert_int_equal(store_run_finish(db, first, "partial", 65, &c, "1 file rejected", &err),
                     RECON_OK);
    snprintf(want, sizeof want, "SELECT outcome || ' ' || exit_code || ' ' || files_ingested || "
                                "files_rejected || receipts || policies || events || ' ' || "
                                "message || ' ' || (finished_at IS NOT NULL) FROM job_runs "
                                "WHERE run_id = %lld",
             first);
    assert_true(storedb_value(db, want, v, sizeof v));
    assert_string_equal(v, "partial 65 12345 1 file rejected true");
    assert_int_equal(store_last_completed_nightly(db, &night, &err), RECON_OK);
    assert_int_equal(night, day("2026-06-01"));
    /* a failed night does not count as completed */
    long long third = 0;
    assert_int_equal(store_run_start(db, "nightly", day("2026-06-02"), NULL, 1, &third, &err),
                     RECON_OK);
    assert_int_equal(store_run_finish(db, third, "failed", 69, &c, "lost", &err), RECON_OK);
    assert_int_equal(store_last_completed_nightly(db, &night, &err), RECON_OK);
    assert_int_equal(night, day("2026-06-01"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_runs, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
