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

/* Rows still 'running' whose database session no longer exists belong to runs
 * that died (SIGKILL, a crash, the server stopped under them): nothing can
 * finish them. A live run's session is in pg_stat_activity with the pid and
 * start time it recorded, so it is never touched; where this role may not see
 * another's start time (NULL), the pid alone keeps the row. Rows from before
 * sessions were recorded (backend_pid NULL) are proven dead by the job lock the
 * caller holds, which every run that writes job_runs takes first. */
static recon_status mark_abandoned(db_t *db, const char *by, err_t *err)
{
    const char *params[] = {by};
    PGresult *res = NULL;
    recon_status st = db_query(
        db,
        "UPDATE job_runs j SET outcome = 'abandoned', finished_at = now(), "
        "message = 'did not finish: its database session ended without recording an outcome "
        "(process killed, server stopped or crashed); marked by run ' || $1 "
        "WHERE j.outcome = 'running' AND (j.backend_pid IS NULL OR NOT EXISTS "
        "(SELECT 1 FROM pg_stat_activity a WHERE a.pid = j.backend_pid AND "
        "(a.backend_start = j.backend_start OR a.backend_start IS NULL))) "
        "RETURNING j.run_id, j.command, coalesce(j.as_of::text, ''), "
        "to_char(j.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
        "coalesce(j.host || ':' || j.pid, '')",
        1, params, 5, &res, err);
    if (st != RECON_OK)
        return st;
    for (int i = 0; i < PQntuples(res); i++) {
        const char *as_of = PQgetvalue(res, i, 2), *where = PQgetvalue(res, i, 4);
        log_warn("run %s (%s%s%s, started %s%s%s) did not finish; marked abandoned",
                 PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), *as_of ? " " : "", as_of,
                 PQgetvalue(res, i, 3), *where ? " by " : "", where);
    }
    PQclear(res);
    return RECON_OK;
}

recon_status run_started(db_t *db, const char *command, date_t as_of, long long *run_id,
                         err_t *err)
{
    char day[DATE_STR_SIZE], host[256] = "", pid[32];
    date_format(as_of, day);
    if (gethostname(host, sizeof host - 1) != 0)
        host[0] = '\0';
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    const char *params[] = {command, as_of == DATE_NONE ? NULL : day, *host ? host : NULL, pid};
    PGresult *res = NULL;
    /* The server ends the session of a client that died within a second, even in
     * the middle of a long statement (PostgreSQL 14+): the lock it held is freed
     * and the run found abandoned soon after a SIGKILL, not when the statement ends. */
    recon_status st = db_exec(db,
                              "SELECT CASE WHEN current_setting('server_version_num')::int >= "
                              "140000 THEN set_config('client_connection_check_interval', "
                              "'1000', false) END",
                              err);
    if (st == RECON_OK)
        st = db_query(db,
                      "INSERT INTO job_runs (command, as_of, backend_pid, backend_start, host, "
                      "pid) SELECT $1, $2::date, a.pid, a.backend_start, $3, $4::int FROM "
                      "pg_stat_activity a WHERE a.pid = pg_backend_pid() RETURNING run_id",
                      4, params, 1, &res, err);
    if (st != RECON_OK)
        return st;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return err_set(err, RECON_EINTERNAL, "job_runs: own session not in pg_stat_activity");
    }
    *run_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    char by[32];
    snprintf(by, sizeof by, "%lld", *run_id);
    PQclear(res);
    return mark_abandoned(db, by, err);
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
    char id[32], code[16], fi[32], fr[32], r[32], p[32], e[32];
    snprintf(id, sizeof id, "%lld", run_id);
    snprintf(code, sizeof code, "%d", (int)outcome);
    snprintf(fi, sizeof fi, "%ld", t->files_ingested);
    snprintf(fr, sizeof fr, "%ld", t->files_rejected);
    snprintf(r, sizeof r, "%ld", t->receipts);
    snprintf(p, sizeof p, "%ld", t->policies);
    snprintf(e, sizeof e, "%ld", t->events);
    const char *result = outcome == RECON_OK                                ? "ok"
                         : outcome == RECON_EDATA || outcome == RECON_EDIFF   ? "partial"
                         : interrupt_name(outcome) != NULL                  ? "interrupted"
                                                                            : "failed";
    const char *params[] = {id, result, code, fi, fr, r, p, e, message};
    err_t ignored;
    /* Best effort: the run's own error is what the caller reports; a lost
     * connection leaves the row 'running', and the next run marks it abandoned.
     * A cancel sent by the signal handler can still land on this statement:
     * then it is sent again, once the cancel is spent. */
    for (int attempt = 0; attempt < 3; attempt++) {
        if (db_command(db,
                       "UPDATE job_runs SET finished_at = now(), outcome = $2, exit_code = "
                       "$3::int, files_ingested = $4::int, files_rejected = $5::int, receipts = "
                       "$6::int, policies = $7::int, events = $8::int, message = $9 WHERE "
                       "run_id = $1::bigint",
                       9, params, NULL, &ignored) == RECON_OK)
            return;
        if (interrupt_signal() == 0)
            break;
        db_rollback(db);
    }
    log_warn("could not record the end of run %s: %s", id, ignored.msg);
}
