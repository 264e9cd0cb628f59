#include "db/cluster.h"
#include "db/migrations.h"
#include "jobs/jobs.h"

recon_status job_connect(const job_options *o, db_t **db, err_t *err)
{
    if (o->db)
        return db_connect(o->db, db, err);
    if (o->config.db)
        return db_connect(o->config.db, db, err);
    if (o->config.libpq_env)
        return db_connect("", db, err);
    cluster_t c;
    recon_status st = cluster_locate(&c, err);
    if (st == RECON_OK)
        st = cluster_ensure_running(&c, err);
    if (st != RECON_OK)
        return st;
    char conninfo[CLUSTER_PATH_MAX * 2 + 64];
    cluster_conninfo(&c, CLUSTER_DBNAME, conninfo, sizeof conninfo);
    return db_connect(conninfo, db, err);
}

recon_status job_connect_ready(const job_options *o, db_t **db, err_t *err)
{
    recon_status st = job_connect(o, db, err);
    if (st != RECON_OK)
        return st;
    int version = 0;
    st = migrate_current_version(*db, &version, err);
    if (st == RECON_OK && version < migration_files[migration_file_count - 1].version)
        st = err_set(err, RECON_EUNAVAIL,
                     "database schema is at version %d, this recon needs %d; hint: run recon init",
                     version, migration_files[migration_file_count - 1].version);
    if (st != RECON_OK) {
        db_close(*db);
        *db = NULL;
    }
    return st;
}
