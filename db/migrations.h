/*
 * The numbered schema migrations, embedded from schema/NNN_name.sql at build time, and
 * the runner that applies the missing ones. The table is static; nothing to free.
 */
#ifndef RECON_DB_MIGRATIONS_H
#define RECON_DB_MIGRATIONS_H

#include "common/err.h"
#include "db/client.h"

typedef struct migration_file {
    int version;
    const char *name;
    const char *sql;
} migration_file;

extern const migration_file migration_files[];
extern const int migration_file_count;

/* Applies every migration newer than the recorded version, each in its own
 * transaction with its version row; safe to run concurrently and repeatedly.
 * *applied (may be NULL) receives how many were applied. */
recon_status migrate_apply(db_t *db, int *applied, err_t *err);

/* Highest version recorded in the database, 0 for an empty database. */
recon_status migrate_current_version(db_t *db, int *version, err_t *err);

#endif
