#include "store/process.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sql_text.h"

recon_status store_process_prepare(db_t *db, err_t *err)
{
    bool stale = true;
    recon_status st = db_exec(db, "SET LOCAL work_mem = '256MB'", err);
    if (st == RECON_OK)
        st = db_query_bool(db, sql_process_statistics_stale, 0, NULL, &stale, err);
    if (st == RECON_OK)
        st = db_exec(db, stale ? "ANALYZE receipts, statement_files" : "ANALYZE statement_files",
                     err);
    return st;
}

recon_status store_stamp_night(db_t *db, date_t as_of, err_t *err)
{
    char day[DATE_STR_SIZE];
    date_format(as_of, day);
    const char *params[] = {day};
    recon_status st = db_command(db, sql_process_stamp_receipts, 1, params, NULL, err);
    return st != RECON_OK ? st : db_command(db, sql_process_stamp_files, 1, params, NULL, err);
}

recon_status store_mark_dirty(db_t *db, date_t as_of, const char *rules, bool *full,
                              long *count, err_t *err)
{
    char day[DATE_STR_SIZE], night[DATE_STR_SIZE] = "", at[64] = "";
    date_format(as_of, day);
    PGresult *res = NULL;
    recon_status st = db_exec(db,
                              "CREATE TEMP TABLE eval_dirty (policy_no text PRIMARY KEY) "
                              "ON COMMIT DROP",
                              err);
    if (st != RECON_OK ||
        (st = db_query(db, "SELECT night, evaluated_at, rules FROM evaluation_night", 0, NULL, 3,
                       &res, err)) != RECON_OK)
        return st;
    /* Nothing stored yet, other rules, or an earlier night than the last one
     * processed (its reports must show what that night saw): everything. */
    if (!*full && (PQntuples(res) == 0 || strcmp(PQgetvalue(res, 0, 2), rules) != 0 ||
                   strcmp(PQgetvalue(res, 0, 0), day) > 0))
        *full = true;
    if (!*full) {
        /* What the last night evaluated was new to it, not to a later night: from the day
         * after it (its receipts, decisions, re-matches and policies known that day were in
         * its evaluation, and those recorded after it started are found by time). A rerun of
         * that same night looks from the night itself, so that its receipts' allocations are
         * stored again. Counting that night's receipts once more made the night after a
         * catch-up evaluate the whole book again. */
        date_t last = DATE_NONE;
        const char *text = PQgetvalue(res, 0, 0);
        if (!date_parse(text, strlen(text), &last)) {
            PQclear(res);
            return err_set(err, RECON_EINTERNAL, "unexpected night from the database");
        }
        date_format(last < as_of ? last + 1 : last, night);
        snprintf(at, sizeof at, "%s", PQgetvalue(res, 0, 1));
    }
    PQclear(res);
    const char *params[] = {day, night, at};
    if (!*full)
        st = db_query_bool(db, sql_process_many_fresh, 2, params + 1, full, err);
    if (st == RECON_OK && *full)
        st = db_command(db, "INSERT INTO eval_dirty SELECT policy_no FROM policies", 0, NULL,
                        count, err);
    else if (st == RECON_OK) {
        long unstated = 0;
        bool some_unstated = true;
        /* Every policy has a state when the states stored are as many as the policies (a
         * state is only ever stored for a registered policy, and none is deleted): then
         * the search of every policy for one without a state (1.3 s at 1M) is skipped. */
        if ((st = db_command(db, sql_process_mark_dirty, 3, params, count, err)) == RECON_OK &&
            (st = db_query_bool(db,
                                "SELECT (SELECT policies FROM evaluation_night) IS DISTINCT FROM "
                                "(SELECT count(*) FROM policies)",
                                0, NULL, &some_unstated, err)) == RECON_OK &&
            some_unstated &&
            (st = db_command(db, sql_process_mark_unstated, 0, NULL, &unstated, err)) ==
                RECON_OK)
            *count += unstated;
    }
    return st != RECON_OK ? st : db_exec(db, "ANALYZE eval_dirty", err);
}

/* Streams a spooled file into COPY in 32 KiB pieces; *rows (may be NULL): how many. */
static recon_status copy_file(db_t *db, const char *sql, FILE *f, long *rows, err_t *err)
{
    recon_status st = db_copy_in_begin(db, sql, err);
    if (st != RECON_OK)
        return st;
    rewind(f);
    char chunk[32768];
    size_t n;
    buf_t *b = db_copy_buffer(db);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (!buf_append(b, chunk, n))
            return err_set(err, RECON_EINTERNAL, "out of memory");
        if ((st = db_copy_in_flush(db, false, err)) != RECON_OK)
            return st;
    }
    if (ferror(f))
        return err_set(err, RECON_EOUTPUT, "cannot read temporary file: %s", strerror(errno));
    return db_copy_in_end(db, rows, err);
}

recon_status store_write_results(db_t *db, date_t as_of, const char *rules, bool full,
                                 const store_results *r, long *new_events, long *closed_events,
                                 err_t *err)
{
    char day[DATE_STR_SIZE], stored_text[24], dropped_text[24];
    date_format(as_of, day);
    const char *params[] = {day};
    long stored = 0, dropped = 0;
    recon_status st;
    /* Allocations are those of the receipts first known tonight, whose policies
     * are all evaluated tonight. */
    if (full)
        st = db_exec(db, "TRUNCATE policy_state, allocations, refunds_due", err);
    else if ((st = db_exec(db, "TRUNCATE allocations", err)) == RECON_OK &&
             (st = db_command(db,
                              "DELETE FROM policy_state WHERE policy_no IN "
                              "(SELECT policy_no FROM eval_dirty)",
                              0, NULL, &dropped, err)) == RECON_OK)
        st = db_exec(db,
                     "DELETE FROM refunds_due WHERE policy_no IN (SELECT policy_no FROM eval_dirty)",
                     err);
    if (st != RECON_OK ||
        (st = copy_file(db,
                        "COPY policy_state (policy_no, evaluated_on, status, status_since, "
                        "next_due_date, oldest_unpaid_due_date, arrears, credit, "
                        "paid_installments, total_installments, next_change) FROM STDIN",
                        r->status, &stored, err)) != RECON_OK)
        return st;
    snprintf(stored_text, sizeof stored_text, "%ld", stored);
    snprintf(dropped_text, sizeof dropped_text, "%ld", dropped);
    const char *night_params[] = {day, rules, stored_text, dropped_text, full ? "t" : "f"};
    if ((st = db_command(db, sql_process_night, 5, night_params, NULL, err)) != RECON_OK ||
        (st = copy_file(db,
                        "COPY allocations (policy_no, receipt_id, installment, amount, as_of) "
                        "FROM STDIN",
                        r->allocations, NULL, err)) != RECON_OK ||
        (st = copy_file(db,
                        "COPY refunds_due (policy_no, reason, amount, due_by, detail, as_of) "
                        "FROM STDIN",
                        r->refunds, NULL, err)) != RECON_OK)
        return st;
    /* Rerunning an earlier night than the latest processed one (an auditor's
     * rerun, a demo run twice) recomputes that night's snapshot for its
     * reports, but history already recorded after it stays as it was known. */
    bool later_known = false;
    if ((st = db_query_bool(db, sql_process_later_known, 1, params, &later_known, err)) !=
        RECON_OK)
        return st;
    if (later_known)
        return RECON_OK;
    if ((st = db_exec(db,
                      "CREATE TEMP TABLE events_new (policy_no text, seq int, effective_date date, "
                      "from_status text, to_status text, reason text) ON COMMIT DROP",
                      err)) != RECON_OK ||
        (st = copy_file(db, "COPY events_new FROM STDIN", r->events, NULL, err)) != RECON_OK)
        return st;
    /* Close what is no longer true, then add what is new: both as of this run. */
    if ((st = db_command(db, sql_process_close_events, 1, params, closed_events, err)) !=
        RECON_OK)
        return st;
    return db_command(db, sql_process_add_events, 1, params, new_events, err);
}

recon_status store_policies_kept(db_t *db, long *count, err_t *err)
{
    long long n = 0;
    recon_status st = db_query_int(db, sql_process_policies_kept, 0, NULL, &n, err);
    *count = (long)n;
    return st;
}
