/*
 * What a night's processing writes: the receipts and files it now owns, and
 * the evaluation's results (status snapshot, allocations, refunds due, status
 * history). Runs in the caller's transaction; the spooled files are the
 * caller's, read from their start; the counts returned are the caller's.
 */
#ifndef RECON_STORE_PROCESS_H
#define RECON_STORE_PROCESS_H

#include <stdio.h>

#include "core/date.h"
#include "db/client.h"

/* Room for the one sort that groups every policy's receipts, and fresh
 * statistics: ingest may just have doubled the receipts. */
recon_status store_process_prepare(db_t *db, err_t *err);

/* Stamps the receipts entered by hand and the statement files no night has
 * owned yet with as_of. */
recon_status store_stamp_night(db_t *db, date_t as_of, err_t *err);

/* The evaluation's results, as COPY text rows spooled in files. */
typedef struct store_results {
    FILE *status, *events, *allocations, *refunds;
} store_results;

/* Replaces the snapshot, allocations and refunds due with r's, and records the
 * history: events no longer produced are closed and new ones known from as_of,
 * unless history was recorded after as_of (a rerun of an earlier night). */
recon_status store_write_results(db_t *db, date_t as_of, const store_results *r,
                                 long *new_events, long *closed_events, err_t *err);

#endif
