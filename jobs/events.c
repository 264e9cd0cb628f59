/*
 * `recon events load FILE.csv`: reinstatement agreements, cancellation requests and
 * payment holidays of policies in the register. The file is `policy_no,event,date` with an
 * optional trailing `until`, which a grace_extension needs and no other event may have.
 */
#include <stdio.h>
#include <string.h>

#include "jobs/register.h"

static const char *const event_columns[] = {"policy_no", "event", "date"};

/* The payment holiday's last day: required for grace_extension, refused elsewhere. */
static recon_status until_field(const char *file, const register_row *row, const char *event,
                                date_t from, date_t *until, err_t *err)
{
    const char *v = register_field(row, 3);
    *until = DATE_NONE;
    if (strcmp(event, "grace_extension") != 0) {
        if (*v)
            return register_bad_field(err, file, row, "until", v,
                                      "only a grace_extension has an until date; hint: leave it "
                                      "empty");
        return RECON_OK;
    }
    if (!*v)
        return register_bad_field(err, file, row, "until", v,
                                  "a grace_extension needs the last day of the payment holiday");
    recon_status st = register_date(file, row, "until", v, until, err);
    if (st == RECON_OK && *until < from)
        return register_bad_field(err, file, row, "until", v, "before the grace_extension's date");
    return st;
}

static recon_status event_row(const char *file, const register_row *row, buf_t *copy,
                              err_t *err)
{
    const char *no = register_field(row, 0), *event = register_field(row, 1);
    date_t d, until;
    if (!register_policy_no_valid(no))
        return register_bad_field(err, file, row, "policy_no", no,
                                  "expected 1-40 letters, digits, '-' or '_'");
    if (strcmp(event, "reinstatement_agreement") != 0 &&
        strcmp(event, "cancellation_request") != 0 && strcmp(event, "grace_extension") != 0)
        return register_bad_field(err, file, row, "event", event,
                                  "expected reinstatement_agreement, cancellation_request or "
                                  "grace_extension");
    recon_status st = register_date(file, row, "date", register_field(row, 2), &d, err);
    if (st == RECON_OK)
        st = until_field(file, row, event, d, &until, err);
    if (st != RECON_OK)
        return st;
    bool ok = db_copy_int(copy, row->line, false) && db_copy_field(copy, no, false) &&
              db_copy_field(copy, event, false) && db_copy_date(copy, d, false) &&
              (until == DATE_NONE ? db_copy_null(copy, true) : db_copy_date(copy, until, true));
    return ok ? RECON_OK : err_set(err, RECON_EINTERNAL, "out of memory");
}

const register_file register_events_file =
    REGISTER_FILE(event_columns, event_row, STORE_REGISTER_EVENTS);

static recon_status events_merge(db_t *db, long rows, char *summary, size_t cap, err_t *err)
{
    long agreements = 0, cancellations = 0, holidays = 0;
    recon_status st = store_events_merge(db, &agreements, &cancellations, &holidays, err);
    snprintf(summary, cap,
             "%ld rows; %ld new agreements, %ld new cancellation requests, %ld new payment "
             "holidays",
             rows, agreements, cancellations, holidays);
    return st;
}

recon_status cmd_events_load(const job_options *o, err_t *err)
{
    return register_load(o, &register_events_file, "usage: recon events load FILE.csv",
                         events_merge, err);
}
