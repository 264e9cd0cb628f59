/*
 * Catch-up of missed nights for `recon nightly`: every night has its reports
 * even when the scheduler did not run on it, each night as a plain nightly of
 * that night would have made them (files dated on or before it, its own
 * job_runs row), so a caught-up night and one run on time are byte-identical.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/catchup.h"
#include "jobs/pipeline.h"
#include "store/runs.h"

recon_status catchup_first_missed(db_t *db, date_t as_of, date_t *first, err_t *err)
{
    *first = DATE_NONE;
    date_t last = DATE_NONE;
    recon_status st = store_last_completed_nightly(db, &last, err);
    if (st != RECON_OK || last == DATE_NONE || last >= as_of - 1)
        return st;
    long missed = (long)as_of - (long)last - 1;
    if (missed > CATCHUP_MAX_NIGHTS) {
        char last_day[DATE_STR_SIZE], day[DATE_STR_SIZE];
        date_format(last, last_day);
        date_format(as_of, day);
        return err_set(err, RECON_EUSAGE,
                       "%ld nights missed between the last completed nightly (%s) and %s, more "
                       "than %d; hint: run an earlier night first (each catches up at most %d), "
                       "or add --no-catch-up to run only %s",
                       missed, last_day, day, CATCHUP_MAX_NIGHTS, CATCHUP_MAX_NIGHTS, day);
    }
    *first = last + 1;
    return RECON_OK;
}

recon_status catchup_run_night(db_t *db, const job_options *o, const inbox_files *files,
                               const inbox_files *registers, date_t night, long *rejected,
                               err_t *err)
{
    long long run_id = 0;
    night_tally t = {0};
    recon_status st = run_started(db, "nightly", night, &run_id, err);
    if (st != RECON_OK)
        return st;
    nightly_input in = {night,        night,        o->out_dir,          o->profile,
                        files->paths, files->count, registers->paths, registers->count, NULL, 0};
    st = nightly_day(db, &o->config, &in, o->out, &t, err);
    if (st == RECON_OK && t.rejected)
        st = err_set(err, RECON_EDATA, "%ld inbox file%s rejected; see %s/quarantine", t.rejected,
                     t.rejected == 1 ? "" : "s", o->out_dir);
    run_tally rt = {t.stored, t.rejected, t.receipts, t.policies, t.events};
    run_finished(db, run_id, st, &rt, st == RECON_OK ? "" : err->msg);
    *rejected += t.rejected;
    return st;
}
