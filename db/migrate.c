#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "db/client.h"
#include "db/conn.h"
#include "db/migrations.h"

/* Serialises concurrent `recon init` runs (any constant unique to recon). */
#define MIGRATION_LOCK_KEY "7265636f6e01"
/* How long an init waits for another one before giving up with 75. */
#define MIGRATION_LOCK_WAIT "10min"

static const char version_table_sql[] =
    "CREATE SCHEMA IF NOT EXISTS recon;\n"
    "CREATE TABLE IF NOT EXISTS recon.schema_version (\n"
    "    version int PRIMARY KEY,\n"
    "    name text NOT NULL,\n"
    "    applied_at timestamptz NOT NULL DEFAULT now())";

/* The version table cannot be read: the command cannot use this database, whatever the
 * server's reason (a stop request keeps its own status). */
static recon_status unreadable(recon_status st, err_t *err)
{
    if (st == RECON_EINTERNAL || st == RECON_EDATA)
        err->status = st = RECON_EUNAVAIL;
    return st;
}

recon_status migrate_current_version(db_t *db, int *version, err_t *err)
{
    *version = 0;
    bool exists = false;
    long long v = 0;
    recon_status st = db_query_bool(db, "SELECT to_regclass('recon.schema_version') IS NOT NULL",
                                    0, NULL, &exists, err);
    if (st == RECON_OK && exists)
        st = db_query_int(db, "SELECT coalesce(max(version), 0) FROM recon.schema_version", 0,
                          NULL, &v, err);
    if (st != RECON_OK)
        return unreadable(st, err);
    *version = (int)v;
    return RECON_OK;
}

static recon_status apply_one(db_t *db, const migration_file *m, err_t *err)
{
    char version[16];
    snprintf(version, sizeof version, "%d", m->version);
    const char *params[] = {version, m->name};
    recon_status st = db_begin(db, err);
    if (st != RECON_OK)
        return st;
    /* Inside the transaction: a second runner waits here, then sees the row. */
    if ((st = db_exec(db, "SELECT pg_advisory_xact_lock(x'" MIGRATION_LOCK_KEY "'::bigint)",
                      err)) != RECON_OK)
        goto fail;
    PGresult *res = NULL;
    if ((st = db_query(db, "SELECT 1 FROM recon.schema_version WHERE version = $1::int", 1,
                       params, 1, &res, err)) != RECON_OK)
        goto fail;
    bool done = PQntuples(res) > 0;
    PQclear(res);
    if (done) {
        db_rollback(db);
        return RECON_OK;
    }
    if ((st = db_exec(db, m->sql, err)) != RECON_OK) {
        err_prefix(err, "migration %s: ", m->name);
        goto fail;
    }
    if ((st = db_command(db, "INSERT INTO recon.schema_version (version, name) VALUES ($1::int, $2)",
                         2, params, NULL, err)) != RECON_OK)
        goto fail;
    if ((st = db_commit(db, err)) != RECON_OK)
        goto fail;
    log_info("applied migration %s", m->name);
    return RECON_OK;
fail:
    db_rollback(db);
    return st;
}

/* Waits (up to MIGRATION_LOCK_WAIT) for the session migration lock, taken before
 * anything is created: two first inits would otherwise both run CREATE SCHEMA IF
 * NOT EXISTS and one would fail on pg_namespace's unique index. */
static recon_status take_migration_lock(db_t *db, err_t *err)
{
    /* The raw connection: a lock timeout is told apart by its SQLSTATE. */
    PGconn *conn = db_pgconn(db);
    PGresult *res = PQexec(conn, "SET lock_timeout = '" MIGRATION_LOCK_WAIT "'");
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (ok) {
        res = PQexec(conn, "SELECT pg_advisory_lock(x'" MIGRATION_LOCK_KEY "'::bigint)");
        ok = PQresultStatus(res) == PGRES_TUPLES_OK;
        const char *state = ok ? NULL : PQresultErrorField(res, PG_DIAG_SQLSTATE);
        if (state && strcmp(state, "55P03") == 0) {
            PQclear(res);
            return err_set(err, RECON_ELOCKED,
                           "another recon init has held the schema migration lock for "
                           MIGRATION_LOCK_WAIT "; hint: try later");
        }
        PQclear(res);
    }
    if (ok) {
        res = PQexec(conn, "RESET lock_timeout");
        ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        PQclear(res);
    }
    if (!ok) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(conn));
        msg[strcspn(msg, "\n")] = '\0';
        return err_set(err, RECON_EUNAVAIL, "cannot take the schema migration lock: %s", msg);
    }
    return RECON_OK;
}

static recon_status migrate_locked(db_t *db, int *applied, err_t *err)
{
    int count = 0;
    recon_status st = db_exec(db, version_table_sql, err);
    if (st != RECON_OK)
        return st;
    int current = 0;
    if ((st = migrate_current_version(db, &current, err)) != RECON_OK)
        return st;
    /* RECON_SCHEMA_TARGET stops at an older version: how upgrades are tested. */
    long target = 0;
    const char *t = getenv("RECON_SCHEMA_TARGET");
    if (t && *t)
        target = strtol(t, NULL, 10);
    for (int i = 0; i < migration_file_count; i++) {
        const migration_file *m = &migration_files[i];
        if (m->version <= current || (target > 0 && m->version > target))
            continue;
        if ((st = apply_one(db, m, err)) != RECON_OK)
            return st;
        count++;
    }
    if (applied)
        *applied = count;
    return RECON_OK;
}

recon_status migrate_apply(db_t *db, int *applied, err_t *err)
{
    recon_status st = take_migration_lock(db, err);
    if (st != RECON_OK)
        return st;
    st = migrate_locked(db, applied, err);
    /* Released with the session anyway; unlocked here for callers that go on. */
    err_t ignored;
    (void)db_exec(db, "SELECT pg_advisory_unlock(x'" MIGRATION_LOCK_KEY "'::bigint)", &ignored);
    /* No input is read here: a broken constraint means another migrator (an older
     * recon without this lock) got in between, so "try later", never "rejected". */
    if (st == RECON_EDATA) {
        err_prefix(err, "schema migration raced another: ");
        err->status = st = RECON_ELOCKED;
    }
    return st;
}
