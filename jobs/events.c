/*
 * `recon events load FILE.csv`: reinstatement agreements and cancellation requests of
 * policies in the register.
 */
#include <stdio.h>
#include <string.h>

#include "jobs/register.h"

static const char *const event_columns[] = {"policy_no", "event", "date"};

static recon_status event_row(const char *file, const register_row *row, buf_t *copy,
                              err_t *err)
{
    const char *no = register_field(row, 0), *event = register_field(row, 1);
    date_t d;
    if (!register_policy_no_valid(no))
        return register_bad_field(err, file, row, "policy_no", no,
                                  "expected 1-40 letters, digits, '-' or '_'");
    if (strcmp(event, "reinstatement_agreement") != 0 && strcmp(event, "cancellation_request") != 0)
        return register_bad_field(err, file, row, "event", event,
                                  "expected reinstatement_agreement or cancellation_request");
    recon_status st = register_date(file, row, "date", register_field(row, 2), &d, err);
    if (st != RECON_OK)
        return st;
    bool ok = db_copy_int(copy, row->line, false) && db_copy_field(copy, no, false) &&
              db_copy_field(copy, event, false) && db_copy_date(copy, d, true);
    return ok ? RECON_OK : err_set(err, RECON_EINTERNAL, "out of memory");
}

const register_file register_events_file = {
    NULL, event_columns, sizeof event_columns / sizeof event_columns[0], event_row,
    STORE_REGISTER_EVENTS, NULL};

recon_status cmd_events_load(const job_options *o, err_t *err)
{
    if (o->arg_count != 1)
        return err_set(err, RECON_EUSAGE, "usage: recon events load FILE.csv");
    register_file f = register_events_file;
    f.file = o->args[0];
    db_t *db = NULL;
    long rows = 0, agreements = 0, cancellations = 0;
    recon_status st = register_stage(o, &f, &rows, &db, err);
    if (st != RECON_OK)
        return st;
    if ((st = store_events_merge(db, &agreements, &cancellations, err)) != RECON_OK ||
        (st = db_commit(db, err)) != RECON_OK)
        db_rollback(db);
    else
        fprintf(o->out, "%s: %ld rows; %ld new agreements, %ld new cancellation requests\n",
                f.file, rows, agreements, cancellations);
    db_close(db);
    return st;
}
