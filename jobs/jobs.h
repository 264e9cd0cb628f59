/*
 * Command entry points. main.c parses options into job_options and calls one
 * command; commands return a status and fill err, and only main prints it.
 * Strings in job_options point into argv and are owned by main.
 */
#ifndef RECON_JOBS_JOBS_H
#define RECON_JOBS_JOBS_H

#include <stdbool.h>
#include <stdio.h>

#include "common/err.h"
#include "core/date.h"
#include "core/evaluate.h"
#include "jobs/config.h"
#include "parsers/parse.h"
#include "db/client.h"

typedef struct job_options {
    const char *db;          /* --db CONNINFO */
    date_t as_of;            /* --as-of, DATE_NONE if not given; today/yesterday resolved */
    date_t from, to;         /* replay range */
    date_t before;           /* retain --before */
    const char *archive;     /* replay --archive: earlier nightly output to compare */
    const char *out_dir;
    const char *inbox;
    const char *register_inbox; /* nightly/replay --register-inbox: register and events files */
    const char *format;
    const char *profile;
    const char *receipt;     /* status --receipt ID */
    bool unmasked;
    bool no_catch_up;        /* nightly --no-catch-up: only the night asked */
    bool full;               /* process --full: evaluate every policy */
    long rows;               /* profile check --rows N: data rows shown; -1: not given */
    char **args;             /* positional arguments after the command words */
    int arg_count;
    FILE *out;               /* stdout: tables and CSV */
    recon_config config;     /* every RECON_* setting, read once by main */
} job_options;

/* Opens the database named by --db, RECON_DB, the libpq environment, or the
 * embedded cluster (started on demand). */
recon_status job_connect(const job_options *o, db_t **db, err_t *err);
/* Connects and checks the schema is current; hint to run `recon init` if not. */
recon_status job_connect_ready(const job_options *o, db_t **db, err_t *err);
/* A recorded run's work on the locked connection; fills *tally (also when it fails). */
typedef struct run_tally run_tally;
typedef recon_status (*run_work_fn)(db_t *db, void *ctx, run_tally *tally, err_t *err);
/* A recorded run: connects, takes the job lock, records the run in job_runs (never without
 * the lock), does the work, records how it ended, disconnects. */
recon_status run_recorded(const job_options *o, const char *command, date_t as_of,
                          run_work_fn work, void *ctx, err_t *err);

recon_status cmd_init(const job_options *o, err_t *err);
recon_status cmd_db(const job_options *o, const char *action, err_t *err);
recon_status cmd_policies_load(const job_options *o, err_t *err);
recon_status cmd_events_load(const job_options *o, err_t *err);
recon_status cmd_receipts_load(const job_options *o, err_t *err);
recon_status cmd_status(const job_options *o, err_t *err);
/* Today's date in China time (UTC+8). */
date_t job_today_china(void);
recon_status cmd_demo(const job_options *o, err_t *err);
recon_status cmd_parse(const job_options *o, err_t *err);
/* `recon profile check`: how a bank CSV profile reads a file (jobs/profile.c). */
recon_status cmd_profile_check(const job_options *o, err_t *err);
/* The parse options of --format, --profile and RECON_MAX_INPUT; 64 for an unknown format. */
recon_status job_parse_options(const job_options *o, parse_options *popts, err_t *err);
recon_status cmd_ingest(const job_options *o, err_t *err);
recon_status cmd_process(const job_options *o, err_t *err);
recon_status cmd_report(const job_options *o, err_t *err);
recon_status cmd_nightly(const job_options *o, err_t *err);
recon_status cmd_replay(const job_options *o, err_t *err);
recon_status cmd_retain(const job_options *o, err_t *err);
recon_status cmd_decide(const job_options *o, err_t *err);

/* The text of `recon --help` (jobs/usage.c). */
extern const char job_usage_text[];

#endif
