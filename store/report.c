#include "store/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql_text.h"

/* Planner settings for the report's transactions. JIT compilation costs more than it saves on
 * these scans (a fifth of a second per large statement), and parallel workers would only
 * compete with recon's own threads and connections on the two-core machines it runs on. */
#define REPORT_SETTINGS "SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0"

static const char *const stream_sql[] = {
    [STORE_REPORT_POLICIES] = sql_report_policies,
    [STORE_REPORT_EVENTS] = sql_report_events,
    [STORE_REPORT_EXCEPTIONS] = sql_report_exceptions,
    [STORE_REPORT_REFUNDS] = sql_report_refunds,
    [STORE_REPORT_DAY_RECEIPTS] = sql_report_day_receipts,
    [STORE_REPORT_DAY_ALLOCATIONS] = sql_report_day_allocations,
    [STORE_REPORT_NOTICES] = sql_report_notices,
};

/* The date travels as a parameter into a setting that the COPY statements read, since COPY
 * itself takes no parameters. */
static recon_status set_day(db_t *db, const char *day, bool local, err_t *err)
{
    const char *params[] = {day};
    char old[64];
    return db_query_text(db,
                         local ? "SELECT set_config('recon.as_of', $1::date::text, true)"
                               : "SELECT set_config('recon.as_of', $1::date::text, false)",
                         1, params, old, sizeof old, NULL, err);
}

recon_status store_as_of(db_t *db, date_t night, bool local, err_t *err)
{
    char day[DATE_STR_SIZE];
    date_format(night, day);
    return set_day(db, day, local, err);
}

recon_status store_report_begin(db_t *db, date_t as_of, err_t *err)
{
    char day[DATE_STR_SIZE];
    date_format(as_of, day);
    const char *params[] = {day};
    bool stale = false;
    recon_status st = set_day(db, day, false, err);
    /* policy_status is every stored state against the one evaluation night, so it is stale
     * exactly when that night differs and a state exists: asked of the view, the question
     * read all the states of the right night (0.24 s at 1M) to find none. */
    if (st != RECON_OK ||
        (st = db_query_bool(db,
                            "SELECT EXISTS (SELECT 1 FROM evaluation_night "
                            "WHERE night <> $1::date) AND EXISTS (SELECT 1 FROM policy_status)",
                            1, params, &stale, err)) != RECON_OK)
        return st;
    if (stale)
        return err_set(err, RECON_EDATA,
                       "the stored evaluation is not as of %s; hint: run recon process --as-of %s "
                       "first",
                       day, day);
    if ((st = db_exec(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err)) == RECON_OK &&
        (st = db_exec(db, REPORT_SETTINGS, err)) != RECON_OK)
        db_rollback(db);
    return st;
}

recon_status store_report_twin(db_t *db, date_t as_of, db_t **twin, err_t *err)
{
    *twin = NULL;
    char snapshot[80];
    recon_status st = db_query_text(db, "SELECT pg_export_snapshot()", 0, NULL, snapshot,
                                    sizeof snapshot, NULL, err);
    if (st != RECON_OK)
        return st;
    /* SET TRANSACTION SNAPSHOT takes no parameters, so the server's snapshot name is the one
     * value spelled into SQL here: it must look like one ("0000000A-0000001F-1"), nothing
     * that could end the literal. */
    size_t len = strlen(snapshot);
    if (len == 0 || len > 64 || strspn(snapshot, "0123456789ABCDEFabcdef-") != len)
        return err_set(err, RECON_EINTERNAL, "unexpected snapshot name '%s'", snapshot);
    if ((st = db_clone(db, twin, err)) != RECON_OK) {
        err_prefix(err, "report: another connection: ");
        return st;
    }
    char sql[128], day[DATE_STR_SIZE];
    snprintf(sql, sizeof sql, "SET TRANSACTION SNAPSHOT '%s'", snapshot);
    date_format(as_of, day);
    if ((st = db_exec(*twin, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err)) != RECON_OK ||
        (st = db_exec(*twin, sql, err)) != RECON_OK ||
        (st = db_exec(*twin, REPORT_SETTINGS, err)) != RECON_OK ||
        (st = set_day(*twin, day, true, err)) != RECON_OK) {
        db_close(*twin);
        *twin = NULL;
    }
    return st;
}

recon_status store_report_notices_due_by(db_t *db, date_t due_by, err_t *err)
{
    char day[DATE_STR_SIZE], old[64];
    date_format(due_by, day);
    const char *params[] = {day};
    return db_query_text(db, "SELECT set_config('recon.notice_due_by', $1::date::text, true)", 1,
                         params, old, sizeof old, NULL, err);
}

recon_status store_report_copy(db_t *db, store_report_stream which, err_t *err)
{
    return db_copy_out_begin(db, stream_sql[which], err);
}

/* The estimates of the receipts streams cannot know the day (the date is a setting, and a
 * night may hold every receipt or a handful), so nested loops are ruled out: a nested loop
 * over a day of a million receipts is what made this report take minutes. */
recon_status store_report_send_day_receipts(db_t *db, err_t *err)
{
    recon_status st = db_exec(db, "SET LOCAL enable_nestloop = off", err);
    if (st == RECON_OK)
        st = db_copy_out_send(db, sql_report_day_receipts, err);
    return st;
}

recon_status store_report_send_day_allocations(db_t *db, bool *sent, err_t *err)
{
    *sent = false;
    PGresult *res = NULL;
    recon_status st = db_exec(db, "SET LOCAL enable_nestloop = off", err);
    if (st != RECON_OK ||
        (st = db_query(db, sql_report_day_receipt_range, 0, NULL, 2, &res, err)) != RECON_OK)
        return st;
    if (!PQgetisnull(res, 0, 0)) {
        const char *range[] = {PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1)};
        PGresult *set = NULL;
        st = db_query(db,
                      "SELECT set_config('recon.first_receipt', $1::bigint::text, true), "
                      "set_config('recon.last_receipt', $2::bigint::text, true)",
                      2, range, 2, &set, err);
        PQclear(set);
        if (st == RECON_OK && (st = db_copy_out_send(db, sql_report_day_allocations, err)) == RECON_OK)
            *sent = true;
    }
    PQclear(res);
    return st;
}

recon_status store_report_started(db_t *db, store_report_stream which, err_t *err)
{
    return db_copy_out_started(db, stream_sql[which], err);
}

recon_status store_report_list_read(db_t *db, store_report_list which, store_report_lines *out,
                                    err_t *err)
{
    static const struct {
        const char *sql;
        int columns;
    } lists[] = {
        [STORE_REPORT_FILES] = {sql_report_summary_files, 4},
        [STORE_REPORT_BALANCES] = {sql_report_summary_balances, 3},
        [STORE_REPORT_SETTLEMENTS] = {sql_report_summary_settlements, 3},
        [STORE_REPORT_INPUTS] = {sql_report_inputs, 2},
    };
    *out = (store_report_lines){0};
    PGresult *res = NULL;
    int columns = lists[which].columns;
    recon_status st = db_query(db, lists[which].sql, 0, NULL, columns, &res, err);
    if (st != RECON_OK)
        return st;
    size_t n = (size_t)PQntuples(res);
    out->lines = calloc(n + 1, sizeof *out->lines);
    if (out->lines == NULL) {
        PQclear(res);
        return err_set(err, RECON_EINTERNAL, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        int r = (int)i;
        out->lines[i].label = PQgetvalue(res, r, 0);
        out->lines[i].count = PQgetvalue(res, r, 1);
        out->lines[i].value = columns > 2 ? PQgetvalue(res, r, 2) : "";
        out->lines[i].detail = columns > 3 ? PQgetvalue(res, r, 3) : "";
    }
    out->count = n;
    out->owner = res;
    return RECON_OK;
}

void store_report_lines_free(store_report_lines *l)
{
    PQclear(l->owner);
    free(l->lines);
    *l = (store_report_lines){0};
}
