/*
 * The job log as the commands need it: which nights ran, which runs began,
 * how they ended, and which died without saying. The store is the only code
 * that knows the domain's tables; its queries live in sql/. Results are plain
 * values the caller owns (a callback's arguments only during the call).
 */
#ifndef RECON_STORE_RUNS_H
#define RECON_STORE_RUNS_H

#include "common/err.h"
#include "core/date.h"
#include "db/client.h"

/* The latest night a nightly completed (outcome ok or partial), DATE_NONE before the first. */
recon_status store_last_completed_nightly(db_t *db, date_t *night, err_t *err);

/* Records a run beginning (as_of DATE_NONE: none; host NULL: unknown) with this database
 * session, after asking the server to notice a dead client within a second. */
recon_status store_run_start(db_t *db, const char *command, date_t as_of, const char *host,
                             long pid, long long *run_id, err_t *err);

/* A run marked abandoned: as_of "" when it had none, where "HOST:PID" or "". */
typedef struct store_abandoned_run {
    const char *run_id, *command, *as_of, *started_utc, *where;
} store_abandoned_run;

/* Marks 'running' rows whose database session is gone abandoned, by run by_run_id,
 * calling each (may be NULL) for every row marked. The caller holds the job lock. */
recon_status store_runs_mark_abandoned(db_t *db, long long by_run_id,
                                       void (*each)(const store_abandoned_run *r), err_t *err);

/* What a run did, as job_runs keeps it. */
typedef struct store_run_counts {
    long files_ingested, files_rejected, receipts, policies, events;
} store_run_counts;

/* Records a run's end: outcome ("ok", "partial", "interrupted", "failed"), exit code,
 * counts and message. */
recon_status store_run_finish(db_t *db, long long run_id, const char *outcome, int exit_code,
                              const store_run_counts *c, const char *message, err_t *err);

#endif
