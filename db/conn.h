/*
 * The libpq connection under a db_t, for the db/ modules only: code outside db/ talks
 * to the server through db/client.h and never holds a raw PGconn. The connection stays
 * owned by the db_t.
 */
#ifndef RECON_DB_CONN_H
#define RECON_DB_CONN_H

#include <libpq-fe.h>

#include "db/client.h"

PGconn *db_pgconn(db_t *db);

#endif
