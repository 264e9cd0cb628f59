#include "store/runs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql_text.h"

recon_status store_last_completed_nightly(db_t *db, date_t *night, err_t *err)
{
    *night = DATE_NONE;
    char text[DATE_STR_SIZE + 8];
    bool none = true;
    recon_status st = db_query_text(db, sql_last_completed_nightly, 0, NULL, text, sizeof text,
                                    &none, err);
    if (st == RECON_OK && !none && !date_parse(text, strlen(text), night))
        st = err_set(err, RECON_EINTERNAL, "job_runs: unexpected date '%s'", text);
    return st;
}

recon_status store_run_start(db_t *db, const char *command, date_t as_of, const char *host,
                             long pid, long long *run_id, err_t *err)
{
    *run_id = 0;
    char day[DATE_STR_SIZE], pid_text[32];
    date_format(as_of, day);
    snprintf(pid_text, sizeof pid_text, "%ld", pid);
    const char *params[] = {command, as_of == DATE_NONE ? NULL : day, host, pid_text};
    PGresult *res = NULL;
    recon_status st = db_exec(db, sql_runs_check_dead_clients, err);
    if (st == RECON_OK)
        st = db_query(db, sql_runs_start, 4, params, 1, &res, err);
    if (st != RECON_OK)
        return st;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return err_set(err, RECON_EINTERNAL, "job_runs: own session not in pg_stat_activity");
    }
    *run_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return RECON_OK;
}

recon_status store_runs_mark_abandoned(db_t *db, long long by_run_id,
                                       void (*each)(const store_abandoned_run *r), err_t *err)
{
    char by[32];
    snprintf(by, sizeof by, "%lld", by_run_id);
    const char *params[] = {by};
    PGresult *res = NULL;
    recon_status st = db_query(db, sql_runs_mark_abandoned, 1, params, 5, &res, err);
    if (st != RECON_OK)
        return st;
    for (int i = 0; each != NULL && i < PQntuples(res); i++) {
        store_abandoned_run r = {PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
                                 PQgetvalue(res, i, 2), PQgetvalue(res, i, 3),
                                 PQgetvalue(res, i, 4)};
        each(&r);
    }
    PQclear(res);
    return RECON_OK;
}

recon_status store_run_finish(db_t *db, long long run_id, const char *outcome, int exit_code,
                              const store_run_counts *c, const char *message, err_t *err)
{
    char id[32], code[16], fi[32], fr[32], r[32], p[32], e[32];
    snprintf(id, sizeof id, "%lld", run_id);
    snprintf(code, sizeof code, "%d", exit_code);
    snprintf(fi, sizeof fi, "%ld", c->files_ingested);
    snprintf(fr, sizeof fr, "%ld", c->files_rejected);
    snprintf(r, sizeof r, "%ld", c->receipts);
    snprintf(p, sizeof p, "%ld", c->policies);
    snprintf(e, sizeof e, "%ld", c->events);
    const char *params[] = {id, outcome, code, fi, fr, r, p, e, message};
    return db_command(db, sql_runs_finish, 9, params, NULL, err);
}
