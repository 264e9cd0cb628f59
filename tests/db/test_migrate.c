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
#include "tests/support/pgtest.h"

#define MIGRATE_DB "recon_migrate_test"

static int version_of(db_t *db)
{
    int v = -1;
    err_t err = {0};
    assert_int_equal(migrate_current_version(db, &v, &err), RECON_OK);
    return v;
}

static int apply(db_t *db)
{
    int applied = -1;
    err_t err = {0};
    if (migrate_apply(db, &applied, &err) != RECON_OK)
        fail_msg("migrate: %s", err.msg);
    return applied;
}

static bool has_installments(db_t *db)
{
    return strcmp(pgtest_value(db, "SELECT to_regclass('recon.installments') IS NOT NULL"),
                  "t") == 0;
}

static int last_version(void) { return migration_files[migration_file_count - 1].version; }

/* An empty database is at version 0; one run applies every migration, a second none. */
static void test_fresh_database(void **state)
{
    (void)state;
    db_t *db = pgtest_empty(MIGRATE_DB);
    if (db == NULL) {
        skip();
        return;
    }
    assert_int_equal(version_of(db), 0);
    assert_int_equal(apply(db), migration_file_count);
    assert_int_equal(version_of(db), last_version());
    assert_int_equal(apply(db), 0);
    assert_false(has_installments(db)); /* 012 */
    db_close(db);
}

/* A database left at any earlier version, holding a policy (and, before 012, its stored
 * schedule), upgrades to the newest version and keeps its register. */
static void test_upgrade_from_every_version(void **state)
{
    (void)state;
    for (int i = 0; i + 1 < migration_file_count; i++) {
        db_t *db = pgtest_empty(MIGRATE_DB);
        if (db == NULL) {
            skip();
            return;
        }
        int from = migration_files[i].version;
        char target[16];
        snprintf(target, sizeof target, "%d", from);
        assert_int_equal(setenv("RECON_SCHEMA_TARGET", target, 1), 0);
        assert_int_equal(apply(db), i + 1);
        assert_int_equal(unsetenv("RECON_SCHEMA_TARGET"), 0);
        assert_int_equal(version_of(db), from);
        pgtest_exec(db, "INSERT INTO recon.policies (policy_no, holder_name, payment_mode, "
                        "start_date, end_date, premium, net_premium) VALUES ('P1', 'a', "
                        "'single', '2026-01-01', '2026-12-31', 100, 100)");
        if (has_installments(db))
            pgtest_exec(db, "INSERT INTO recon.installments VALUES ('P1', 1, '2026-01-01', "
                            "'2026-12-31', 100)");
        assert_int_equal(apply(db), migration_file_count - 1 - i);
        assert_int_equal(version_of(db), last_version());
        assert_false(has_installments(db));
        assert_string_equal(pgtest_value(db, "SELECT count(*) FROM recon.policies"), "1");
        db_close(db);
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
