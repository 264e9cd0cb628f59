/*
 * A fresh database on the suite's server for cmocka tests of store/ and db/:
 * created (dropped first) and migrated, or NULL when the suite has no server
 * (RECON_TEST_DB_OK != 1), then the test skips. The db_t is the caller's.
 */
#ifndef RECON_TESTS_PGTEST_H
#define RECON_TESTS_PGTEST_H

#include "db/client.h"

db_t *pgtest_open(const char *name);
/* The same database created empty, not migrated (for tests of the migrations). */
db_t *pgtest_empty(const char *name);

/* cmocka group fixtures: *state is pgtest_open(name) with sql run in it
 * (NULL when there is no server: each test then skips); teardown closes it. */
int pgtest_setup(void **state, const char *name, const char *sql);
int pgtest_teardown(void **state);

/* Runs sql (no parameters) and fails the test on error. */
void pgtest_exec(db_t *db, const char *sql);

/* The single value sql returns, as text ("" for NULL), in a static buffer. */
const char *pgtest_value(db_t *db, const char *sql);

#endif
