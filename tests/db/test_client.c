#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/client.h"

/* Against the suite's server (tests/run.sh): its socket is in $RECON_HOME/pg. */
static const char *home(void)
{
    const char *ok = getenv("RECON_TEST_DB_OK");
    const char *h = getenv("RECON_HOME");
    return ok != NULL && strcmp(ok, "1") == 0 && h != NULL ? h : NULL;
}

/* The start of every test here: skipped without the suite's server, else connected as its
 * superuser (a test closes the connection itself). */
#define ADMIN_OR_SKIP(name)                                                                     \
    if (home() == NULL) {                                                                       \
        skip();                                                                                 \
        return;                                                                                 \
    }                                                                                           \
    db_t *name = admin()

static db_t *admin(void)
{
    char conninfo[4096];
    snprintf(conninfo, sizeof conninfo, "host=%s/pg dbname=postgres user=postgres", home());
    db_t *db = NULL;
    err_t err;
    assert_int_equal(db_connect(conninfo, &db, &err), RECON_OK);
    return db;
}

static char *one(db_t *db, const char *sql)
{
    PGresult *res = NULL;
    err_t err;
    assert_int_equal(db_query(db, sql, 0, NULL, 1, &res, &err), RECON_OK);
    assert_int_equal(PQntuples(res), 1);
    char *v = strdup(PQgetvalue(res, 0, 0));
    PQclear(res);
    return v;
}

static void check(db_t *db, const char *sql, const char *want)
{
    char *got = one(db, sql);
    assert_string_equal(got, want);
    free(got);
}

/* A database whose name holds quotes, a backslash, spaces and '=': a clone reaches it with
 * the same user, settings and search_path, because the parameters travel as values. */
#define ODD_DB "recon clone 'q' \\ x=y"

static void test_clone_same_database(void **state)
{
    (void)state;
    ADMIN_OR_SKIP(a);
    err_t err;
    db_exec(a, "DROP DATABASE IF EXISTS \"" ODD_DB "\"", &err);
    assert_int_equal(db_exec(a, "CREATE DATABASE \"" ODD_DB "\"", &err), RECON_OK);

    char host[4096];
    snprintf(host, sizeof host, "%s/pg", home());
    /* a conninfo string for db_connect, quoted as libpq wants */
    char conninfo[8192];
    snprintf(conninfo, sizeof conninfo,
             "host='%s' dbname='recon clone \\'q\\' \\\\ x=y' user=postgres "
             "application_name=clonetest",
             host);
    db_t *db = NULL, *copy = NULL;
    assert_int_equal(db_connect(conninfo, &db, &err), RECON_OK);
    check(db, "SELECT current_database()", ODD_DB);
    assert_int_equal(db_clone(db, &copy, &err), RECON_OK);
    check(copy, "SELECT current_database()", ODD_DB);
    check(copy, "SELECT current_user", "postgres");
    check(copy, "SELECT current_setting('application_name')", "clonetest");
    check(copy, "SELECT current_setting('search_path')", "recon,pg_catalog");
    check(copy, "SELECT current_setting('client_encoding')", "UTF8");
    /* two sessions, not one */
    char *p1 = one(db, "SELECT pg_backend_pid()::text"), *p2 = one(copy, "SELECT pg_backend_pid()::text");
    assert_string_not_equal(p1, p2);
    free(p1);
    free(p2);
    /* a clone of a clone too */
    db_t *again = NULL;
    assert_int_equal(db_clone(copy, &again, &err), RECON_OK);
    check(again, "SELECT current_database()", ODD_DB);
    db_close(again);
    db_close(copy);
    db_close(db);
    assert_int_equal(db_exec(a, "DROP DATABASE \"" ODD_DB "\"", &err), RECON_OK);
    db_close(a);
}

/* A clone that the server refuses fails as unavailable, and never shows the password. */
static void test_clone_refused(void **state)
{
    (void)state;
    ADMIN_OR_SKIP(a);
    err_t err;
    db_exec(a, "DROP ROLE IF EXISTS recon_clone_test", &err);
    assert_int_equal(db_exec(a, "CREATE ROLE recon_clone_test LOGIN PASSWORD 'Sekrit-Pass-42'",
                             &err),
                     RECON_OK);
    char conninfo[4096];
    snprintf(conninfo, sizeof conninfo,
             "host=%s/pg dbname=postgres user=recon_clone_test password=Sekrit-Pass-42",
             home());
    db_t *db = NULL, *copy = NULL;
    assert_int_equal(db_connect(conninfo, &db, &err), RECON_OK);
    assert_int_equal(db_exec(a, "ALTER ROLE recon_clone_test NOLOGIN", &err), RECON_OK);
    assert_int_equal(db_clone(db, &copy, &err), RECON_EUNAVAIL);
    assert_null(copy);
    assert_non_null(strstr(err.msg, "database unavailable: "));
    assert_non_null(strstr(err.msg, "recon_clone_test"));
    assert_null(strstr(err.msg, "Sekrit"));
    db_close(db);
    assert_int_equal(db_exec(a, "DROP ROLE recon_clone_test", &err), RECON_OK);
    db_close(a);
}

/* One value of one row, typed: what each query returns is checked, never read past. */
static void test_query_values(void **state)
{
    (void)state;
    ADMIN_OR_SKIP(a);
    err_t err;
    long long n = 0;
    bool b = false, null = false;
    char text[8];
    const char *params[] = {"41"};
    assert_int_equal(db_query_int(a, "SELECT $1::int + 1", 1, params, &n, &err), RECON_OK);
    assert_int_equal(n, 42);
    assert_int_equal(db_query_bool(a, "SELECT 2 > 1", 0, NULL, &b, &err), RECON_OK);
    assert_true(b);
    assert_int_equal(db_query_text(a, "SELECT NULL::text", 0, NULL, text, sizeof text, &null,
                                   &err),
                     RECON_OK);
    assert_true(null);
    assert_int_equal(db_query_text(a, "SELECT 'abc'", 0, NULL, text, sizeof text, &null, &err),
                     RECON_OK);
    assert_false(null);
    assert_string_equal(text, "abc");
    /* No row, two rows, a NULL where none may be, text past the buffer, not a number. */
    assert_int_equal(db_query_int(a, "SELECT 1 WHERE false", 0, NULL, &n, &err), RECON_EINTERNAL);
    assert_non_null(strstr(err.msg, "0 rows, expected 1"));
    assert_int_equal(db_query_int(a, "SELECT 1 UNION ALL SELECT 2", 0, NULL, &n, &err),
                     RECON_EINTERNAL);
    assert_int_equal(db_query_int(a, "SELECT NULL::int", 0, NULL, &n, &err), RECON_EINTERNAL);
    assert_int_equal(db_query_text(a, "SELECT 'abcdefgh'", 0, NULL, text, sizeof text, NULL,
                                   &err),
                     RECON_EINTERNAL);
    assert_int_equal(db_query_int(a, "SELECT '12x'", 0, NULL, &n, &err), RECON_EINTERNAL);
    assert_int_equal(db_query_bool(a, "SELECT 'yes'", 0, NULL, &b, &err), RECON_EINTERNAL);
    db_close(a);
}

typedef struct seen_rows {
    int calls, stop_at;
    char text[64];
} seen_rows;

static recon_status see_row(void *ctx, const char *const *v, err_t *err)
{
    seen_rows *s = ctx;
    s->calls++;
    size_t len = strlen(s->text);
    snprintf(s->text + len, sizeof s->text - len, "%s=%s;", v[0], v[1]);
    if (s->calls == s->stop_at)
        return err_set(err, RECON_EDATA, "row %d refused", s->calls);
    return RECON_OK;
}

/* db_query_each hands every row's values in order (NULL as ""), says how many rows there
 * were, and stops at the first row its callback refuses, returning that error. */
static void test_query_each(void **state)
{
    (void)state;
    ADMIN_OR_SKIP(a);
    err_t err;
    const char *rows_sql = "SELECT n::text, CASE WHEN n = 2 THEN NULL ELSE 'v' || n END "
                           "FROM generate_series(1, $1::int) n ORDER BY n";
    const char *three[] = {"3"}, *none[] = {"0"};
    seen_rows s = {0, 0, ""};
    int rows = -1;
    assert_int_equal(db_query_each(a, rows_sql, 1, three, 2, see_row, &s, &rows, &err), RECON_OK);
    assert_int_equal(rows, 3);
    assert_string_equal(s.text, "1=v1;2=;3=v3;");
    s = (seen_rows){0, 2, ""};
    assert_int_equal(db_query_each(a, rows_sql, 1, three, 2, see_row, &s, NULL, &err), RECON_EDATA);
    assert_string_equal(err.msg, "row 2 refused");
    assert_int_equal(s.calls, 2);
    s = (seen_rows){0, 0, ""};
    assert_int_equal(db_query_each(a, rows_sql, 1, none, 2, see_row, &s, &rows, &err), RECON_OK);
    assert_int_equal(rows, 0);
    assert_int_equal(s.calls, 0);
    /* the wrong number of columns, or more than a row holds, is refused before any row */
    assert_int_equal(db_query_each(a, rows_sql, 1, three, 3, see_row, &s, &rows, &err),
                     RECON_EINTERNAL);
    assert_int_equal(db_query_each(a, rows_sql, 1, three, DB_ROW_MAX_COLUMNS + 1, see_row, &s,
                                   &rows, &err),
                     RECON_EINTERNAL);
    assert_int_equal(s.calls, 0);
    db_close(a);
}

/* db_end commits a step that succeeded and rolls back one that failed, keeping its status. */
static void test_end(void **state)
{
    (void)state;
    ADMIN_OR_SKIP(a);
    err_t err;
    long long n = 0;
    assert_int_equal(db_exec(a, "CREATE TEMP TABLE recon_end_test (x int)", &err), RECON_OK);
    assert_int_equal(db_begin(a, &err), RECON_OK);
    recon_status st = db_exec(a, "INSERT INTO recon_end_test VALUES (1)", &err);
    assert_int_equal(db_end(a, st, &err), RECON_OK);
    assert_int_equal(db_begin(a, &err), RECON_OK);
    st = db_exec(a, "INSERT INTO recon_end_test VALUES (2)", &err);
    assert_int_equal(st, RECON_OK);
    assert_int_equal(db_end(a, RECON_EDATA, &err), RECON_EDATA);
    assert_int_equal(db_query_int(a, "SELECT sum(x) FROM recon_end_test", 0, NULL, &n, &err),
                     RECON_OK);
    assert_int_equal(n, 1);
    db_close(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clone_same_database),
        cmocka_unit_test(test_clone_refused),
        cmocka_unit_test(test_query_values),
        cmocka_unit_test(test_query_each),
        cmocka_unit_test(test_end),
    };
    return cmocka_run_group_tests_name("db/client", tests, NULL, NULL);
}
