/*
 * The embedded PostgreSQL cluster: created (initdb, UTF-8, locale C) and started
 * on first use, Unix socket only. An ordinary user's cluster lives in
 * $RECON_HOME/pg (default ./var/pg) and runs as that user. As root the server runs
 * as the postgres system user: in $RECON_HOME/pg when that user can reach it, else
 * under $RECON_CLUSTER_ROOT (default /var/lib/recon) in a folder keyed by a hash of
 * the resolved RECON_HOME. Every data directory records the RECON_HOME it belongs
 * to, so a copied or moved home never drives another home's server.
 * A cluster_t is a plain value owned by the caller.
 */
#ifndef RECON_DB_CLUSTER_H
#define RECON_DB_CLUSTER_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "common/err.h"

#define CLUSTER_DBNAME "recon"
#define CLUSTER_ROOT_DEFAULT "/var/lib/recon"
/* File in the data directory naming the resolved RECON_HOME it belongs to. */
#define CLUSTER_HOME_RECORD "recon_home"
/* File in root's RECON_HOME naming its data directory under RECON_CLUSTER_ROOT. */
#define CLUSTER_LOCATION "pg.location"

/* Socket paths are limited to 107 bytes anyway; bounded fields keep snprintf exact. */
#define CLUSTER_PATH_MAX 1024

typedef struct cluster {
    char home[CLUSTER_PATH_MAX];
    char datadir[CLUSTER_PATH_MAX + 8];
    char sockdir[CLUSTER_PATH_MAX + 8]; /* the server's Unix socket directory */
    char bindir[CLUSTER_PATH_MAX];
    char root[CLUSTER_PATH_MAX];        /* RECON_CLUSTER_ROOT (used only when in_root) */
    char key[17];                       /* first 16 hex of SHA-256 of home */
    bool in_root;           /* as root, postgres cannot reach home: datadir is root/key */
    bool drop_privileges;   /* running as root: act as the postgres user */
    uid_t uid;
    gid_t gid;
} cluster_t;

/* Resolves paths and server binaries and decides where the cluster lives;
 * creates nothing but RECON_HOME itself. */
recon_status cluster_locate(cluster_t *c, err_t *err);
/* Creates and starts the cluster if needed and makes sure the database exists. */
recon_status cluster_ensure_running(cluster_t *c, err_t *err);
recon_status cluster_stop(cluster_t *c, bool *was_running, err_t *err);
/* *state: 0 running, 1 stopped, 2 not created. RECON_EUNAVAIL when the data
 * directory was copied from a home whose server still runs on it. */
recon_status cluster_state(cluster_t *c, int *state, err_t *err);
/* "host='SOCKDIR' port=5432 dbname=DBNAME user=postgres" with quoting. */
void cluster_conninfo(const cluster_t *c, const char *dbname, char *out, size_t cap);

#endif
