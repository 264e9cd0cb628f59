/*
 * receipts.csv.gz: the merge, in receipt order, of two COPY streams on
 * connections of their own sharing the report's snapshot: the day's receipts
 * (wide rows) and their allocations with what the outcome needs of the policy
 * (narrow rows). A receipt's outcome (core/outcome) depends on the due dates of
 * the installments it paid; those come from the rules core (the schedule over
 * the policy's terms, the same function that made the schedule the evaluation
 * allocated against) instead of a join with installments, which at a million
 * policies is ten million rows. Each stream is a scan with hash joins against
 * small or narrow inputs, so the server prepares both at once: at a million
 * policies they take 5 s of server time together, one query joining
 * everything 12 s. The connections stay the caller's.
 */
#ifndef RECON_REPORTS_MERGE_H
#define RECON_REPORTS_MERGE_H

#include <stdbool.h>

#include "reports/catalogue.h"

/* One stream of the merge: a COPY in progress and its current row, split. */
typedef struct merge_stream {
    db_t *db;
    const char *name; /* for messages */
    store_report_stream which;
    size_t columns;
    bool sent; /* sent, not yet known to have started */
    bool done; /* not started, or read to its end */
    long long id; /* receipt_id of the current row */
    char *f[CATALOGUE_MAX_COLUMNS];
} merge_stream;

typedef struct merge_streams {
    merge_stream day;    /* STORE_REPORT_DAY_RECEIPTS */
    merge_stream allocs; /* STORE_REPORT_DAY_ALLOCATIONS; done from the start when the day is
                          * empty */
} merge_streams;

/* Sends both queries and returns without reading: the servers sort and join while the other
 * reports are written. */
recon_status merge_send(merge_streams *rs, db_t *day_db, db_t *alloc_db, err_t *err);

/* Merges the two streams into receipts.csv.gz, tallying each row into sum. On failure the
 * streams may be left unread: their connections are to be closed, not reused. */
recon_status merge_write(merge_streams *rs, const report_target *t, date_t as_of,
                         summary_figures *sum, manifest_entry *entry, err_t *err);

#endif
