/*
 * What a night's processing writes: the receipts and files it now owns, and
 * the evaluation's results (status snapshot, allocations, refunds due, status
 * history). Runs in the caller's transaction; the spooled files are the
 * caller's, read from their start; the counts returned are the caller's.
 */
#ifndef RECON_STORE_PROCESS_H
#define RECON_STORE_PROCESS_H

#include <stdbool.h>
#include <stdio.h>

#include "core/date.h"
#include "db/client.h"

/* Room for the one sort that groups every policy's receipts, and fresh
 * statistics when receipts grew by a tenth since they were gathered: ingest
 * may just have doubled the receipts. */
recon_status store_process_prepare(db_t *db, err_t *err);

/* Stamps the receipts entered by hand and the statement files no night has
 * owned yet with as_of. */
recon_status store_stamp_night(db_t *db, date_t as_of, err_t *err);

/* Lists in the temporary table eval_dirty (dropped at commit) the policies
 * as_of must evaluate: every policy when *full, when nothing was processed yet,
 * when the last process used other rules (rules: the caller's text of them) or
 * was for a later night, or so many receipts are new that finding the ones they
 * touch costs more (sql/process_many_fresh.sql); else those whose inputs are new
 * or changed since the last process or whose next_change has come
 * (sql/process_mark_dirty.sql).
 * Sets *full when everything is listed and *count to the policies listed. */
recon_status store_mark_dirty(db_t *db, date_t as_of, const char *rules, bool *full,
                              long *count, err_t *err);

/* The evaluation's results, as COPY text rows spooled in files; status rows
 * are policy_state's columns in the order of store_write_results' COPY. */
typedef struct store_results {
    FILE *status, *events, *allocations, *refunds;
} store_results;

/* Replaces the stored state and refunds due of the policies in eval_dirty (all
 * when full) and the allocations with r's, records as_of and rules as the night
 * last processed, and records the history of those policies: events no longer
 * produced are closed and new ones known from as_of, unless history was
 * recorded after as_of (a rerun of an earlier night). */
recon_status store_write_results(db_t *db, date_t as_of, const char *rules, bool full,
                                 const store_results *r, long *new_events, long *closed_events,
                                 err_t *err);

/* How many policies have a stored state (the snapshot the reports read). */
recon_status store_policies_kept(db_t *db, long *count, err_t *err);

#endif
