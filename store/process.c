#include "store/process.h"

#include <errno.h>
#include <string.h>

#include "sql_text.h"

recon_status store_process_prepare(db_t *db, err_t *err)
{
    recon_status st = db_exec(db, "SET LOCAL work_mem = '256MB'", err);
    return st != RECON_OK ? st : db_exec(db, "ANALYZE receipts, statement_files", err);
}

recon_status store_stamp_night(db_t *db, date_t as_of, err_t *err)
{
    char day[DATE_STR_SIZE];
    date_format(as_of, day);
    const char *params[] = {day};
    recon_status st = db_command(db, sql_process_stamp_receipts, 1, params, NULL, err);
    return st != RECON_OK ? st : db_command(db, sql_process_stamp_files, 1, params, NULL, err);
}

/* Streams a spooled file into COPY in 32 KiB pieces. */
static recon_status copy_file(db_t *db, const char *sql, FILE *f, err_t *err)
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
    return db_copy_in_end(db, NULL, err);
}

recon_status store_write_results(db_t *db, date_t as_of, const store_results *r,
                                 long *new_events, long *closed_events, err_t *err)
{
    char day[DATE_STR_SIZE];
    date_format(as_of, day);
    const char *params[] = {day};
    recon_status st;
    if ((st = db_exec(db, "TRUNCATE policy_status, allocations, refunds_due", err)) != RECON_OK ||
        (st = copy_file(db, "COPY policy_status FROM STDIN", r->status, err)) != RECON_OK ||
        (st = copy_file(db,
                        "COPY allocations (policy_no, receipt_id, installment, amount, as_of) "
                        "FROM STDIN",
                        r->allocations, err)) != RECON_OK ||
        (st = copy_file(db,
                        "COPY refunds_due (policy_no, reason, amount, due_by, detail, as_of) "
                        "FROM STDIN",
                        r->refunds, err)) != RECON_OK)
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
        (st = copy_file(db, "COPY events_new FROM STDIN", r->events, err)) != RECON_OK)
        return st;
    /* Close what is no longer true, then add what is new: both as of this run. */
    if ((st = db_command(db, sql_process_close_events, 1, params, closed_events, err)) !=
        RECON_OK)
        return st;
    return db_command(db, sql_process_add_events, 1, params, new_events, err);
}
