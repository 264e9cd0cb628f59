/*
 * A fresh database of its own for a store test, on the suite's server
 * (tests/run.sh: RECON_TEST_DB_OK=1, the socket under $RECON_HOME/pg), with
 * the schema applied. Header-only: each test binary of tests/store includes it.
 * The db_t returned is the caller's (db_close).
 */
#ifndef RECON_TESTS_STORE_STOREDB_H
#define RECON_TESTS_STORE_STOREDB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/client.h"
#include "db/migrations.h"

static bool storedb_available(void)
{
    const char *ok = getenv("RECON_TEST_DB_OK");
    return ok != NULL && strcmp(ok, "1") == 0 && getenv("RECON_HOME") != NULL;
}

/* Drops and creates database name (a plain identifier), applies every migration;
 * NULL (after printing why) when it cannot. */
static db_t *storedb_fresh(const char *name)
{
    char conninfo[1024], sql[256];
    err_t err;
    db_t *admin = NULL, *db = NULL;
    snprintf(conninfo, sizeof conninfo, "host=%s/pg dbname=postgres user=postgres",
             getenv("RECON_HOME"));
    if (db_connect(conninfo, &admin, &err) != RECON_OK)
        goto fail;
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", name);
    if (db_exec(admin, sql, &err) != RECON_OK)
        goto fail;
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    if (db_exec(admin, sql, &err) != RECON_OK)
        goto fail;
    db_close(admin);
    admin = NULL;
    snprintf(conninfo, sizeof conninfo, "host=%s/pg dbname=%s user=postgres",
             getenv("RECON_HOME"), name);
    int applied = 0;
    if (db_connect(conninfo, &db, &err) != RECON_OK || migrate_apply(db, &applied, &err) != RECON_OK)
        goto fail;
    return db;
fail:
    fprintf(stderr, "storedb %s: %s\n", name, err.msg);
    db_close(admin);
    db_close(db);
    return NULL;
}

/* The single value a query returns, as text ("" for NULL), into out. */
static bool storedb_value(db_t *db, const char *sql, char *out, size_t cap)
{
    err_t err;
    PGresult *res = NULL;
    if (db_query(db, sql, 0, NULL, 1, &res, &err) != RECON_OK) {
        fprintf(stderr, "%s: %s\n", sql, err.msg);
        return false;
    }
    bool one = PQntuples(res) == 1;
    snprintf(out, cap, "%s", one ? PQgetvalue(res, 0, 0) : "");
    PQclear(res);
    return one;
}

#endif
