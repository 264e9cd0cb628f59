/*
 * The scan of one statement file for `recon ingest`: each parsed receipt is
 * checked, tallied, matched by its own references and spooled, its key
 * kept for the store's lookup of repeats; the scan needs no database, so it may run on a
 * thread of its own (jobs/ingest_ahead.c). Statement summaries are kept for the balance check
 * and the store, the parse's warnings tallied for the file's row. An
 * ingest_scan owns its spool, lists and tally until
 * ingest_scan_free; the match rules and cancel flag stay the caller's.
 */
#ifndef RECON_JOBS_INGEST_SCAN_H
#define RECON_JOBS_INGEST_SCAN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

#include "common/buf.h"
#include "common/err.h"
#include "core/date.h"
#include "core/money.h"
#include "db/client.h"
#include "jobs/match.h"
#include "jobs/pipeline.h"
#include "parsers/parse.h"
#include "parsers/warnings.h"

typedef struct ingest_scan {
    const char *path;  /* as shown in messages */
    const match_rules *rules;
    bool progress;             /* the parse is the main thread's: it draws the progress line */
    const atomic_bool *cancel; /* NULL, or set when the parse is no longer wanted */
    FILE *spool;       /* the receipts' rows, without the columns known only at store time */
    buf_t row;
    buf_t keys;        /* (ord, source, transaction_key) per receipt (store_receipt_key) */
    long receipts;
    date_t first_booking, last_booking;
    fen_t credit_total, debit_total; /* debits positive, as in statement_summary */
    statement_summary *stmts;
    long *stmt_ends; /* receipts read when each statement ended (its own are the last) */
    size_t stmt_count, stmt_cap;
    parse_warnings *warnings;
} ingest_scan;

/* Ready to scan path (shown as such) with a fresh temporary spool; RECON_EOUTPUT when
 * the spool cannot be created, RECON_EINTERNAL when memory is short. */
recon_status ingest_scan_init(ingest_scan *f, const char *path, const match_rules *rules,
                              bool progress, const atomic_bool *cancel, err_t *err);
void ingest_scan_free(ingest_scan *f);
/* The sink a parse feeds; it stops at a stop request (interrupt_check) or once cancel is set. */
receipt_sink ingest_scan_sink(ingest_scan *f);

/* Statement integrity (camt.053, MT940): opening + credits - debits = closing. */
recon_status ingest_scan_balances(const ingest_scan *f, stmt_format format, err_t *err);
/* The file's date: that of its latest statement, else its last booking date. */
date_t ingest_scan_date(const ingest_scan *f);

/* Stores the scanned file (statement_files row with its warnings, statements, receipts with
 * their notes) inside the caller's open transaction, its keys already copied
 * (store_receipts_keys_copy); res gets its id and counts, and outcome INGEST_SKIPPED when a
 * concurrent run stored the same bytes first. res->format and statement_date are set. */
recon_status ingest_scan_store(db_t *db, const ingest_scan *f, const char *sha,
                               ingest_result *res, err_t *err);

/* Replaces each occurrence of from in e's message by to (the parser's path by the one shown). */
void ingest_restate(err_t *e, const char *from, const char *to);

#endif
