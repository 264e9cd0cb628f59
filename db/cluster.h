/*
 * The embedded PostgreSQL cluster: created (initdb, UTF-8, locale C) and started
 * on first use under $RECON_HOME/pg (default ./var/pg), Unix socket only. As
 * root the files belong to, and the server runs as, the postgres system user.
 * A cluster_t is a plain value owned by the caller.
 */
#ifndef RECON_DB_CLUSTER_H
#define RECON_DB_CLUSTER_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "common/err.h"

#define CLUSTER_DBNAME "recon"

/* Socket paths are limited to 107 bytes anyway; bounded fields keep snprintf exact. */
#define CLUSTER_PATH_MAX 1024

typedef struct cluster {
    char home[CLUSTER_PATH_MAX];
    char datadir[CLUSTER_PATH_MAX + 8];
    char bindir[CLUSTER_PATH_MAX];
    bool drop_privileges;  /* running as root: act as the postgres user */
    uid_t uid;
    gid_t gid;
} cluster_t;

/* Resolves paths and server binaries; creates nothing. */
recon_status cluster_locate(cluster_t *c, err_t *err);
/* Creates and starts the cluster if needed and makes sure the database exists. */
recon_status cluster_ensure_running(cluster_t *c, err_t *err);
recon_status cluster_stop(cluster_t *c, bool *was_running, err_t *err);
/* *state: 0 running, 1 stopped, 2 not created. */
recon_status cluster_state(cluster_t *c, int *state, err_t *err);
/* "host='DATADIR' dbname=recon user=postgres" with quoting. */
void cluster_conninfo(const cluster_t *c, const char *dbname, char *out, size_t cap);

#endif
