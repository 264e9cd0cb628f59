/*
 * The job lock and the job_runs table: what schedulers and people look at to
 * see whether last night's run happened, how it ended and what it did. A run
 * records its database session; a later run marks a 'running' row whose
 * session is gone 'abandoned' and says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/interrupt.h"
#include "common/log.h"
#include "jobs/jobs.h"
#include "jobs/pipeline.h"
#include "store/runs.h"

#define RECON_LOCK_KEY 0x7265636f6e4a4f42LL /* "reconJOB" */

recon_status job_lock(db_t *db, err_t *err)
{
    bool got = false;
    recon_status st = db_try_lock(db, RECON_LOCK_KEY, &got, err);
    if (st == RECON_OK && !got)
        st = err_set(err, RECON_ELOCKED, "another recon run holds the lock; try later");
    return st;
}

static void warn_abandoned(const store_abandoned_run *r)
{
    log_warn("run %s (%s%s%s, started %s%s%s) did not finish; marked abandoned", r->run_id,
             r->command, *r->as_of ? " " : "", r->as_of, r->started_utc, *r->where ? " by " : "",
             r->where);
}

/* Rows still 'running' whose session is gone belong to runs that died: nothing else can
 * finish them (sql/runs_mark_abandoned.sql says how a live run is told apart). */
recon_status run_started(db_t *db, const char *command, date_t as_of, long long *run_id,
                         err_t *err)
{
    char host[256] = "";
    if (gethostname(host, sizeof host - 1) != 0)
        host[0] = '\0';
    recon_status st =
        store_run_start(db, command, as_of, *host ? host : NULL, (long)getpid(), run_id, err);
    if (st != RECON_OK)
        return st;
    return store_runs_mark_abandoned(db, *run_id, warn_abandoned, err);
}

static recon_status run_begin(const job_options *o, const char *command, date_t as_of,
                              db_t **db, long long *run_id, err_t *err)
{
    *run_id = 0;
    recon_status st = job_connect_ready(o, db, err);
    if (st != RECON_OK)
        return st;
    if ((st = job_lock(*db, err)) != RECON_OK ||
        (st = run_started(*db, command, as_of, run_id, err)) != RECON_OK) {
        db_close(*db);
        *db = NULL;
    }
    return st;
}

void run_finished(db_t *db, long long run_id, recon_status outcome, const run_tally *t,
                  const char *message)
{
    if (run_id == 0)
        return;
    err_t stop;
    err_clear(&stop);
    /* A run a signal stopped is 'interrupted' whatever its step's own error was
     * (a cancelled statement, a write cut short). */
    recon_status stopped = interrupt_outcome(outcome, &stop);
    if (stopped != outcome) {
        outcome = stopped;
        message = stop.msg;
    }
    const char *result = outcome == RECON_OK                                ? "ok"
                         : outcome == RECON_EDATA || outcome == RECON_EDIFF   ? "partial"
                         : interrupt_name(outcome) != NULL                  ? "interrupted"
                                                                            : "failed";
    store_run_counts counts = {t->files_ingested, t->files_rejected, t->receipts, t->policies,
                               t->events};
    err_t ignored;
    /* Best effort: the run's own error is what the caller reports; a lost
     * connection leaves the row 'running', and the next run marks it abandoned.
     * A cancel sent by the signal handler can still land on this statement:
     * then it is sent again, once the cancel is spent. */
    for (int attempt = 0; attempt < 3; attempt++) {
        if (store_run_finish(db, run_id, result, (int)outcome, &counts, message, &ignored) ==
            RECON_OK)
            return;
        if (interrupt_signal() == 0)
            break;
        db_rollback(db);
    }
    log_warn("could not record the end of run %lld: %s", run_id, ignored.msg);
}

recon_status run_recorded(const job_options *o, const char *command, date_t as_of,
                          run_work_fn work, void *ctx, err_t *err)
{
    db_t *db = NULL;
    long long run_id = 0;
    recon_status st = run_begin(o, command, as_of, &db, &run_id, err);
    if (st != RECON_OK)
        return st;
    run_tally tally = {0};
    st = work(db, ctx, &tally, err);
    run_finished(db, run_id, st, &tally, st == RECON_OK ? "" : err->msg);
    db_close(db);
    return st;
}
