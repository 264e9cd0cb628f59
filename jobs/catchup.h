/*
 * Nights a nightly run missed (the server was down; a Persistent timer fires
 * once for several days) and running one night under its own job_runs row.
 * Nothing here allocates; the caller owns the connection and the job lock.
 */
#ifndef RECON_JOBS_CATCHUP_H
#define RECON_JOBS_CATCHUP_H

#include "common/err.h"
#include "core/date.h"
#include "db/client.h"
#include "jobs/jobs.h"
#include "jobs/nightly.h"

/* At most this many missed nights are run before the asked one: a year. A
 * longer gap is an operator's decision (a date typo, a restored backup). */
#define CATCHUP_MAX_NIGHTS 366

/* The first missed night before as_of: the night after the latest one a
 * nightly completed (job_runs outcome ok or partial), if that is before
 * as_of; DATE_NONE when nothing was missed or no nightly ever completed.
 * RECON_EUSAGE, with a hint, when more than CATCHUP_MAX_NIGHTS were missed. */
recon_status catchup_first_missed(db_t *db, date_t as_of, date_t *first, err_t *err);

/* The nightly of one night (files dated on or before it, and the register inbox's
 * files not applied yet), recorded as its own job_runs row. RECON_EDATA when files
 * were rejected (the night is otherwise complete); *rejected grows by the night's
 * rejected files. */
recon_status catchup_run_night(db_t *db, const job_options *o, const inbox_files *files,
                               const inbox_files *registers, date_t night, long *rejected,
                               err_t *err);

#endif
