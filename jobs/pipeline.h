/*
 * The steps a nightly run is made of, each working on a connection the caller
 * owns and holds the job lock on: ingest one file, process a day, write a
 * day's reports. The single commands (ingest, process, report) and the
 * composed ones (nightly, replay) share them.
 */
#ifndef RECON_JOBS_PIPELINE_H
#define RECON_JOBS_PIPELINE_H

#include <stdbool.h>
#include <stdio.h>

#include "common/err.h"
#include "core/date.h"
#include "core/evaluate.h"
#include "db/client.h"
#include "parsers/parse.h"

/* The last component of path (the name an inbox lists it under). */
const char *job_base_name(const char *path);
/* reason, with a leading "PATH:" restated as "NAME:", so what is stored or
 * kept names the file as the inbox does, not by the path one run used; points
 * into reason. */
const char *job_reason_by_name(const char *path, const char *reason);
/* mkdir 0755 unless it exists; RECON_EOUTPUT naming the path otherwise. */
recon_status job_make_dir(const char *path, err_t *err);

/* Session-level advisory lock shared by process, nightly and replay: two runs
 * never overlap. RECON_ELOCKED when another session holds it. */
recon_status job_lock(db_t *db, err_t *err);

typedef enum ingest_outcome {
    INGEST_STORED,
    INGEST_SKIPPED,  /* the same bytes are already stored (or, when asked, rejected) */
    INGEST_REJECTED, /* reason in res->reason; a statement_files row remembers it */
    INGEST_LATER,    /* statement date after not_after: left for a later night */
} ingest_outcome;

typedef struct ingest_result {
    ingest_outcome outcome;
    stmt_format format;
    long receipts, duplicates;
    long long file_id;
    date_t statement_date;
    char sha256[65];
    char reason[ERR_MSG_MAX];
} ingest_result;

typedef struct ingest_request {
    const parse_options *parse;
    date_t not_after;      /* DATE_NONE: any statement date */
    bool skip_rejected;    /* bytes rejected before are not tried again */
} ingest_request;

/* Ingests one file in its own transaction. RECON_OK for stored, skipped,
 * rejected and later files; any other status (database lost, out of memory)
 * means the run must stop. */
recon_status ingest_file(db_t *db, const ingest_request *req, const char *path,
                         ingest_result *res, err_t *err);

typedef struct process_counts {
    long receipts, identified, unidentified, ambiguous, reversal, settlement, currency;
    long policies, new_events, closed_events, settlement_differences;
} process_counts;

/* Matches, evaluates every policy as of as_of and stores the results, in one
 * transaction. */
recon_status process_day(db_t *db, const eval_config *rules, date_t as_of, process_counts *c,
                         err_t *err);
void process_counts_print(FILE *out, date_t as_of, const process_counts *c);

/* Writes the reports of as_of under out_dir/as_of/ (created as needed). */
recon_status report_day(db_t *db, const char *out_dir, date_t as_of, bool unmasked, err_t *err);

/* job_runs bookkeeping, outside the work's transactions so failures are recorded. */
typedef struct run_tally {
    long files_ingested, files_rejected, receipts, policies, events;
} run_tally;
recon_status run_started(db_t *db, const char *command, date_t as_of, long long *run_id,
                         err_t *err);
void run_finished(db_t *db, long long run_id, recon_status outcome, const run_tally *t,
                  const char *message);

#endif
