#include "tests/support/pgtest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/migrations.h"

db_t *pgtest_empty(const char *name)
{
    const char *ok = getenv("RECON_TEST_DB_OK"), *home = getenv("RECON_HOME");
    if (ok == NULL || strcmp(ok, "1") != 0 || home == NULL)
        return NULL;
    char conninfo[1024], sql[256];
    snprintf(conninfo, sizeof conninfo, "host=%s/pg dbname=postgres user=postgres", home);
    db_t *admin = NULL, *db = NULL;
    err_t err = {0};
    assert_int_equal(db_connect(conninfo, &admin, &err), RECON_OK);
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", name);
    assert_int_equal(db_exec(admin, sql, &err), RECON_OK);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    assert_int_equal(db_exec(admin, sql, &err), RECON_OK);
    db_close(admin);
    snprintf(conninfo, sizeof conninfo, "host=%s/pg dbname=%s user=postgres", home, name);
    assert_int_equal(db_connect(conninfo, &db, &err), RECON_OK);
    return db;
}

db_t *pgtest_open(const char *name)
{
    db_t *db = pgtest_empty(name);
    if (db == NULL)
        return NULL;
    err_t err = {0};
    int applied = 0;
    if (migrate_apply(db, &applied, &err) != RECON_OK)
        fail_msg("migrate: %s", err.msg);
    return db;
}

int pgtest_setup(void **state, const char *name, const char *sql)
{
    db_t *db = pgtest_open(name);
    if (db != NULL)
        pgtest_exec(db, sql);
    *state = db;
    return 0;
}

int pgtest_teardown(void **state)
{
    if (*state)
        db_close(*state);
    return 0;
}

void pgtest_exec(db_t *db, const char *sql)
{
    err_t err = {0};
    if (db_exec(db, sql, &err) != RECON_OK)
        fail_msg("%s: %s", sql, err.msg);
}

const char *pgtest_value(db_t *db, const char *sql)
{
    static char value[1024];
    err_t err = {0};
    PGresult *res = NULL;
    if (db_query(db, sql, 0, NULL, 1, &res, &err) != RECON_OK)
        fail_msg("%s: %s", sql, err.msg);
    assert_int_equal(PQntuples(res), 1);
    snprintf(value, sizeof value, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return value;
}
