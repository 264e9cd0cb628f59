/*
 * The job log as the commands need it: which nights ran. The store is the only
 * code that knows the domain's tables; its queries live in sql/. Results are
 * plain values the caller owns.
 */
#ifndef RECON_STORE_RUNS_H
#define RECON_STORE_RUNS_H

#include "common/err.h"
#include "core/date.h"
#include "db/client.h"

/* The latest night a nightly completed (outcome ok or partial), DATE_NONE before the first. */
recon_status store_last_completed_nightly(db_t *db, date_t *night, err_t *err);

#endif
