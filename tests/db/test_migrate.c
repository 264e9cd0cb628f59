#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/client.h"
#include "db/migrations.h"

#define MIGRATE_DB "recon_migrate_test"

/* Against the suite's server (tests/run.sh): its socket is in $RECON_HOME/pg. */
static const char *home(void)
{
    const char *ok = getenv("RECON_TEST_DB_OK");
    const char *h = getenv("RECON_HOME");
    return ok != NULL && strcmp(ok, "1") == 0 && h != NULL ? h : NULL;
}

static db_t *connect_to(const char *dbname)
{
    char conninfo[4096];
    snprintf(conninfo, sizeof conninfo, "host=%s/pg dbname=%s user=postgres", home(), dbname);
    db_t *db = NULL;
    err_t err;
    assert_int_equal(db_connect(conninfo, &db, &err), RECON_OK);
    return db;
}

/* A new empty database, connected. */
static db_t *fresh(void)
{
    db_t *admin = connect_to("postgres");
    err_t err;
    assert_int_equal(db_exec(admin, "DROP DATABASE IF EXISTS " MIGRATE_DB, &err), RECON_OK);
    assert_int_equal(db_exec(admin, "CREATE DATABASE " MIGRATE_DB, &err), RECON_OK);
    db_close(admin);
    return connect_to(MIGRATE_DB);
}

static void drop(db_t *db)
{
    db_close(db);
    db_t *admin = connect_to("postgres");
    err_t err;
    assert_int_equal(db_exec(admin, "DROP DATABASE " MIGRATE_DB, &err), RECON_OK);
    db_close(admin);
}

static int version_of(db_t *db)
{
    int v = -1;
    err_t err;
    assert_int_equal(migrate_current_version(db, &v, &err), RECON_OK);
    return v;
}

static bool has_table(db_t *db, const char *name)
{
    const char *params[] = {name};
    PGresult *res = NULL;
    err_t err;
    assert_int_equal(db_query(db, "SELECT to_regclass('recon.' || $1) IS NOT NULL", 1, params, 1,
                              &res, &err),
                     RECON_OK);
    bool yes = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    return yes;
}

static int last_version(void) { return migration_files[migration_file_count - 1].version; }

/* An empty database is at version 0; one run applies every migration, a second none. */
static void test_fresh_database(void **state)
{
    (void)state;
    if (home() == NULL) {
        skip();
        return;
    }
    db_t *db = fresh();
    assert_int_equal(version_of(db), 0);
    int applied = -1;
    err_t err;
    assert_int_equal(migrate_apply(db, &applied, &err), RECON_OK);
    assert_int_equal(applied, migration_file_count);
    assert_int_equal(version_of(db), last_version());
    assert_int_equal(migrate_apply(db, &applied, &err), RECON_OK);
    assert_int_equal(applied, 0);
    assert_true(has_table(db, "policies"));
    assert_false(has_table(db, "installments")); /* 012 */
    drop(db);
}

/* A database left at any earlier version, holding a policy (and, before 012, its stored
 * schedule), upgrades to the newest version and keeps its register. */
static void test_upgrade_from_every_version(void **state)
{
    (void)state;
    if (home() == NULL) {
        skip();
        return;
    }
    for (int i = 0; i + 1 < migration_file_count; i++) {
        int from = migration_files[i].version;
        char target[16];
        snprintf(target, sizeof target, "%d", from);
        db_t *db = fresh();
        err_t err;
        int applied = -1;
        assert_int_equal(setenv("RECON_SCHEMA_TARGET", target, 1), 0);
        assert_int_equal(migrate_apply(db, &applied, &err), RECON_OK);
        assert_int_equal(unsetenv("RECON_SCHEMA_TARGET"), 0);
        assert_int_equal(applied, i + 1);
        assert_int_equal(version_of(db), from);
        assert_int_equal(db_exec(db,
                                 "INSERT INTO recon.policies (policy_no, holder_name, payment_mode, "
                                 "start_date, end_date, premium, net_premium) VALUES ('P1', 'a', "
                                 "'single', '2026-01-01', '2026-12-31', 100, 100)",
                                 &err),
                         RECON_OK);
        if (has_table(db, "installments"))
            assert_int_equal(db_exec(db,
                                     "INSERT INTO recon.installments VALUES ('P1', 1, "
                                     "'2026-01-01', '2026-12-31', 100)",
                                     &err),
                             RECON_OK);
        if (migrate_apply(db, &applied, &err) != RECON_OK)
            fail_msg("upgrade from %d: %s", from, err.msg);
        assert_int_equal(applied, migration_file_count - 1 - i);
        assert_int_equal(version_of(db), last_version());
        assert_false(has_table(db, "installments"));
        PGresult *res = NULL;
        assert_int_equal(db_query(db, "SELECT count(*) FROM recon.policies", 0, NULL, 1, &res,
                                  &err),
                         RECON_OK);
        assert_string_equal(PQgetvalue(res, 0, 0), "1");
        PQclear(res);
        drop(db);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fresh_database),
        cmocka_unit_test(test_upgrade_from_every_version),
    };
    return cmocka_run_group_tests_name("db/migrate", tests, NULL, NULL);
}
