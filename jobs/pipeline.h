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
#include "jobs/config.h"
#include "parsers/parse.h"

/* The last component of path (the name an inbox lists it under). */
const char *job_base_name(const char *path);
/* reason, with a leading "PATH:" restated as "NAME:", so what is stored or
 * kept names the file as the inbox does, not by the path one run used; points
 * into reason. */
const char *job_reason_by_name(const char *path, const char *reason);
/* mkdir 0755 unless it exists; RECON_EOUTPUT naming the path otherwise. */
recon_status job_make_dir(const char *path, err_t *err);
/* OUT/SUB for writing: OUT checked (safefile_check_root: created if missing; owned by this
 * user or root; not world-writable without the sticky bit), OUT/SUB created 0750 when missing,
 * else it must be a real directory (not a link) of this user that group and others cannot
 * write. Fills path (cap bytes) with OUT/SUB and *dirfd with it opened; RECON_EOUTPUT with a
 * clear refusal otherwise. The caller closes *dirfd. */
recon_status job_out_dir(const char *out_dir, const char *sub, char *path, size_t cap,
                         int *dirfd, err_t *err);
/* Output temporaries older than this were left by a killed run (safefile_sweep); a day, so
 * that a report still being written by another `recon report` is never taken. */
#define JOB_STALE_TEMP_SECONDS 86400L

/* Names as they are shown and stored. A name is accepted when it is valid UTF-8 without
 * control characters (C0, DEL, C1) or backslashes; otherwise why (cap bytes) says what is
 * wrong and where. */
bool job_name_ok(const char *name, char *why, size_t cap);
/* Room for any escaped file name (4 bytes per byte of a 255-byte name). */
#define JOB_NAME_SHOWN 1024
/* s with every byte that is not part of a printable UTF-8 character written as an escape:
 * \\ \n \t \r or \xHH (C1 characters as their two bytes), so the result holds no control
 * character and a backslash only ever starts an escape. Unchanged for accepted names. False
 * when out (cap bytes, always terminated) was too small. */
bool job_escape(const char *s, char *out, size_t cap);
/* Name of a refused file's copy in OUT/quarantine/: its escaped name, or for one longer than
 * 200 bytes its first 160 and "~" and 16 hex digits of the SHA-256 of the raw name, so the
 * copy, NAME.reason and a temporary stay under NAME_MAX. Deterministic. */
#define JOB_QNAME_SIZE 256
recon_status job_quarantine_name(const char *name, char out[JOB_QNAME_SIZE], err_t *err);
/* The key a refusal is recorded under in statement_files.sha256 when the content is not what
 * was refused: SHA-256 of a fixed tag, why ("name", or what the entry is) and the raw name,
 * plus content_sha (may be NULL: an entry that is never read). */
recon_status job_refusal_sha(const char *why, const char *raw_name, const char *content_sha,
                             char out[65], err_t *err);

/* An inbox entry judged without following a link or blocking on it. */
typedef enum inbox_kind {
    INBOX_REGULAR,
    INBOX_LINK,
    INBOX_FIFO,
    INBOX_DEVICE,
    INBOX_SOCKET,
    INBOX_DIRECTORY,
    INBOX_OTHER,
} inbox_kind;
/* "a symbolic link", "a FIFO", ... */
const char *inbox_kind_text(inbox_kind kind);
/* Opens path for reading only when it is a regular file named directly (no link in its last
 * component): lstat, open O_NOFOLLOW|O_NONBLOCK (a FIFO never blocks), fstat the descriptor
 * and check it is the same regular file. *fd (the caller's to close) is -1 and *kind says
 * what it is for anything else, which is never read. RECON_ENOINPUT naming path when it is
 * gone or cannot be opened. */
recon_status inbox_open(const char *path, int *fd, inbox_kind *kind, err_t *err);
/* SHA-256 of what fd reads to its end (then rewound); RECON_ENOINPUT naming shown. */
recon_status inbox_hash_fd(int fd, const char *shown, char out[65], err_t *err);
/* The SHA-256 nightly records an inbox entry under (its bytes; for one refused for its name
 * or kind, job_refusal_sha), so a replay finds archived inputs by it. Never follows a link or
 * opens a FIFO. RECON_ENOINPUT when it cannot be read. */
recon_status inbox_sha256(const char *path, char out[65], err_t *err);

/* What a CSV file's header row (its first line; a UTF-8 byte order mark, quotes and spaces
 * around names ignored) says it is: the policy system's register or events file, a person's
 * decisions file, or anything else. Recognised by the header, never by the name. */
typedef enum inbox_content {
    INBOX_CONTENT_OTHER,
    INBOX_CONTENT_POLICIES,  /* policy_no,holder_name,... */
    INBOX_CONTENT_EVENTS,    /* policy_no,event,date[,...] */
    INBOX_CONTENT_DECISIONS, /* decided_on,receipt_id,... */
} inbox_content;
/* Reads the start of fd (pread: its offset is left alone). RECON_ENOINPUT naming shown when
 * it cannot be read. */
recon_status inbox_content_of(int fd, const char *shown, inbox_content *content, err_t *err);
/* A register, events or decisions file found in the statement inbox: true and reason (its
 * message "SHOWN: ...; hint: ..." says where the file belongs); false for other content. */
bool inbox_misdelivered(inbox_content content, const char *shown, err_t *reason);

/* Keeps a refused inbox entry beside the reports, in OUT/quarantine/ (job_out_dir): a copy
 * of path's bytes, read without following a link and written mode (source mode & 0640) through
 * a unique temporary, unless unread, and NAME.reason holding reason (its leading "PATH:",
 * escaped as job_escape shows it, restated as "NAME:"). Names are
 * job_quarantine_name's. With only_missing, a copy or reason already there is kept (a rerun
 * restores what a failed run could not write); *restored (may be NULL) tells whether anything
 * was written. An entry that cannot be read gets its reason only. */
recon_status quarantine_keep(const char *out_dir, const char *path, const char *reason,
                             bool unread, bool only_missing, bool *restored, err_t *err);

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
    char name[JOB_NAME_SHOWN]; /* the file's name as shown and stored (escaped when odd) */
    bool unread;         /* refused for what it is (a link, FIFO...): nothing to copy */
    /* INGEST_SKIPPED of bytes (or an entry) rejected before: reason holds that rejection and
     * rejected_on the night that reported it (DATE_NONE: no night has yet, e.g. the run that
     * recorded it stopped before processing). */
    bool rejected_before;
    date_t rejected_on;
} ingest_result;

typedef struct ingest_request {
    const parse_options *parse;
    date_t not_after;      /* DATE_NONE: any statement date */
    bool skip_rejected;    /* bytes rejected before are not tried again */
    bool inbox;            /* inbox rules: only regular files, never through a link */
    const recon_config *config; /* the matching settings (match_rules_for) */
} ingest_request;

/* What a caller does with each file's outcome, in the order given, before the next file
 * is judged; a status other than RECON_OK ends the run with it. */
typedef recon_status (*ingest_each_fn)(void *ctx, const char *path, ingest_result *res,
                                       err_t *err);

/* Ingests each file in its own transaction, in order (the parse of the next file overlaps
 * the store of this one: jobs/ingest_ahead.c). RECON_OK when every file was stored,
 * skipped, rejected or left for later; any other status (database lost, out of memory, a
 * stop request, or each's) means the run must stop. A file whose name job_name_ok refuses
 * (and, with req->inbox, an entry that is not a regular file) is rejected unparsed and
 * recorded under job_refusal_sha with its escaped name, unless its bytes are already
 * stored. Messages show the path escaped (job_escape). */
recon_status ingest_files(db_t *db, const ingest_request *req, char *const *paths,
                          size_t count, ingest_each_fn each, void *ctx, err_t *err);

typedef struct process_counts {
    long receipts, identified, unidentified, ambiguous, reversal, settlement, currency;
    long policies, new_events, closed_events, settlement_differences, rematched;
    long evaluated; /* policies evaluated tonight; the rest of policies kept their state */
    bool full;      /* every policy was evaluated */
} process_counts;

/* Matches, evaluates as of as_of the policies whose inputs changed or whose
 * state the calendar moves (every policy when full, or when the stored state
 * cannot be trusted: store_mark_dirty) and stores the results, in one
 * transaction. process_day: process_night, not full. */
recon_status process_night(db_t *db, const recon_config *config, date_t as_of, bool full,
                           process_counts *c, err_t *err);
recon_status process_day(db_t *db, const recon_config *config, date_t as_of, process_counts *c,
                         err_t *err);
void process_counts_print(FILE *out, date_t as_of, const process_counts *c);

/* Writes the reports of as_of under out_dir/as_of/ (created as needed), compressed at gzip
 * level config->report_level, notices config->notice_days ahead. */
recon_status report_day(db_t *db, const char *out_dir, date_t as_of, bool unmasked,
                        const recon_config *config, err_t *err);

/* Stores the decisions file at path as `recon decide` does (the same checks; refused whole
 * or stored whole, committed), on a connection the caller holds; a file stored before (same
 * SHA-256) is skipped with *stored 0. What it did is printed on out. */
recon_status decide_apply(db_t *db, const recon_config *config, const char *path, FILE *out,
                          long *stored, err_t *err);

/* Copies the decisions files stored for as_of into out_dir/as_of/decisions/ (0640, through
 * unique temporaries), as INPUTS.sha256 lists them (decisions/NAME), inside the report's
 * transaction on db. No folder for a night without decisions. */
recon_status inputs_copy_decisions(db_t *db, const char *out_dir, date_t as_of, err_t *err);

/* job_runs bookkeeping, outside the work's transactions so failures are recorded. */
typedef struct run_tally {
    long files_ingested, files_rejected, receipts, policies, events;
} run_tally;
recon_status run_started(db_t *db, const char *command, date_t as_of, long long *run_id,
                         err_t *err);
void run_finished(db_t *db, long long run_id, recon_status outcome, const run_tally *t,
                  const char *message);

#endif
