/*
 * Statement files as the store keeps them: one statement_files row per file
 * (stored, or rejected with its reason), found by the SHA-256 of its bytes,
 * and the statement summaries of a stored file. Results are plain values the
 * caller owns.
 */
#ifndef RECON_STORE_FILES_H
#define RECON_STORE_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "core/date.h"
#include "core/money.h"
#include "db/client.h"
#include "parsers/receipt.h"

typedef struct store_known_file {
    long long id;  /* 0: not known */
    bool rejected;
    date_t night;  /* business_date: the night that reported it, or DATE_NONE */
    char reason[ERR_MSG_MAX];
} store_known_file;

/* Runs a query answering id, rejected, night, reason for one input (at most one row)
 * into k; id 0 when no row. Statement files and register files are found this way. */
recon_status store_known_find(db_t *db, const char *sql, int nparams, const char *const *params,
                              store_known_file *k, err_t *err);

/* The stored (or, with any_status, also rejected) file with this hash; id 0 when none. */
recon_status store_file_find(db_t *db, const char *sha, bool any_status, store_known_file *k,
                             err_t *err);

/* Records a rejection in its own short transaction (the caller's is over): a row already
 * stored under the same hash (a concurrent run) is left alone. */
recon_status store_file_reject(db_t *db, const char *sha, const char *name, const char *format,
                               const char *reason, err_t *err);

/* What a fully parsed file adds up to, as statement_files keeps it. */
typedef struct store_file_row {
    const char *sha, *name, *format;
    date_t statement_date, period_from, period_to;
    long receipts;
    fen_t credit_total, debit_total;
    const char *warnings; /* the parse's warnings on one line (parse_warnings_summary), or "" */
    long duplicates;      /* receipts already stored from another file */
} store_file_row;

/* How much of a file's warnings line to keep (the tally cuts it with "..."): one kind
 * per distinct quirk keeps it short, only a file of many kinds gets near. */
#define STORE_FILE_WARNINGS_MAX 2000

/* A safe point (interrupt_check), then in one round trip: BEGIN, the session's table of keys
 * made ready (store_receipts_keys_copy) and the lock under which file and receipt ids are
 * allocated taken (held to the transaction's end, shared with concurrent ingests). The caller
 * ends the transaction; on failure none is left open. */
recon_status store_file_begin(db_t *db, err_t *err);

/* Under that lock: stores the file's row under the next id, replacing an earlier
 * rejection; *base gets the highest receipt id stored (the file's receipts follow it).
 * *file_id is 0 when a concurrent run stored the same bytes first. */
recon_status store_file_record(db_t *db, const store_file_row *row, long long *file_id,
                               long long *base, err_t *err);

/* Writes the statement summaries of a stored file through COPY, numbered from 1. ends[i]
 * is how many of the file's receipts had been read when statement i ended (its own follow
 * those of statement i-1) and base the id before the file's first receipt
 * (store_file_record), which make the statement's range of receipt ids. */
recon_status store_statements_copy(db_t *db, long long file_id, const statement_summary *s,
                                   const long *ends, size_t count, long long base,
                                   err_t *err);

/* How many statement files (stored or rejected) the database holds. */
recon_status store_files_count(db_t *db, long *count, err_t *err);

#endif
