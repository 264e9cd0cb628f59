/*
 * The job lock and the job_runs table: what schedulers and people look at to
 * see whether last night's run happened, how it ended and what it did.
 */
#include <stdio.h>
#include <stdlib.h>

#include "common/log.h"
#include "jobs/pipeline.h"

#define RECON_LOCK_KEY 0x7265636f6e4a4f42LL /* "reconJOB" */

recon_status job_lock(db_t *db, err_t *err)
{
    bool got = false;
    recon_status st = db_try_lock(db, RECON_LOCK_KEY, &got, err);
    if (st == RECON_OK && !got)
        st = err_set(err, RECON_ELOCKED, "another recon run holds the lock; try later");
    return st;
}

recon_status run_started(db_t *db, const char *command, date_t as_of, long long *run_id,
                         err_t *err)
{
    char day[DATE_STR_SIZE];
    date_format(as_of, day);
    const char *params[] = {command, as_of == DATE_NONE ? NULL : day};
    PGresult *res = NULL;
    recon_status st = db_query(db,
                               "INSERT INTO job_runs (command, as_of) VALUES ($1, $2::date) "
                               "RETURNING run_id",
                               2, params, 1, &res, err);
    if (st != RECON_OK)
        return st;
    *run_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return RECON_OK;
}

void run_finished(db_t *db, long long run_id, recon_status outcome, const run_tally *t,
                  const char *message)
{
    if (run_id == 0)
        return;
    char id[32], code[16], fi[32], fr[32], r[32], p[32], e[32];
    snprintf(id, sizeof id, "%lld", run_id);
    snprintf(code, sizeof code, "%d", (int)outcome);
    snprintf(fi, sizeof fi, "%ld", t->files_ingested);
    snprintf(fr, sizeof fr, "%ld", t->files_rejected);
    snprintf(r, sizeof r, "%ld", t->receipts);
    snprintf(p, sizeof p, "%ld", t->policies);
    snprintf(e, sizeof e, "%ld", t->events);
    const char *result = outcome == RECON_OK                              ? "ok"
                         : outcome == RECON_EDATA || outcome == RECON_EDIFF ? "partial"
                                                                            : "failed";
    const char *params[] = {id, result, code, fi, fr, r, p, e, message};
    err_t ignored;
    /* Best effort: the run's own error is what the caller reports; a lost
     * connection leaves the row 'running', which is itself the record. */
    if (db_command(db,
                   "UPDATE job_runs SET finished_at = now(), outcome = $2, exit_code = $3::int, "
                   "files_ingested = $4::int, files_rejected = $5::int, receipts = $6::int, "
                   "policies = $7::int, events = $8::int, message = $9 WHERE run_id = $1::bigint",
                   9, params, NULL, &ignored) != RECON_OK)
        log_warn("could not record the end of run %s: %s", id, ignored.msg);
}
