/*
 * Receipts as a statement file brings them in: while the file is parsed each
 * row is spooled (store_receipt_row) and its key kept (store_receipt_key); once the
 * file is parsed whole its keys go into the session's temporary table, its repeats are
 * looked up and its rows copied in under the next receipt ids, a transaction already stored from another file kept as a duplicate of
 * its first sighting. The spool and buffers are the caller's.
 */
#ifndef RECON_STORE_RECEIPTS_H
#define RECON_STORE_RECEIPTS_H

#include <stdbool.h>
#include <stdio.h>

#include "common/buf.h"
#include "common/err.h"
#include "db/client.h"
#include "parsers/receipt.h"

/* The key of the ord-th receipt of a file (from 1) as a row of keys, which the parse may
 * build away from the database; false when memory is short. */
bool store_receipt_key(buf_t *keys, long ord, const char *source, const char *key);
/* Inside the transaction store_file_begin opened (which made the session's keys table
 * ready, emptied at each commit): copies the file's keys (store_receipt_key) into it. */
recon_status store_receipts_keys_copy(db_t *db, const buf_t *keys, err_t *err);

/* The columns of r known while parsing (its note too), as one COPY text row
 * (tab-separated, newline-terminated) in b, which is reset first: dir is the direction stored,
 * policy_no and result the match decided from its fields (NULL: none yet). */
bool store_receipt_row(buf_t *b, const receipt_t *r, receipt_direction dir,
                       const char *policy_no, const char *result, const char *note);

/* The file's receipts that repeat a transaction stored from another file: (place in the
 * file, first sighting) by place. Owned by the caller until store_sightings_free. */
typedef struct store_sightings {
    PGresult *rows;
    long count;
} store_sightings;

/* Looks the keys copied in (store_receipts_keys_copy) up among the stored receipts; the
 * caller holds the id lock (store_file_begin). */
recon_status store_receipts_sightings(db_t *db, store_sightings *s, err_t *err);
void store_sightings_free(store_sightings *s);

/* Copies the count rows spooled (store_receipt_row) into receipts under file_id, ids
 * following base (store_file_record) in file order; a repeat of a stored transaction (s) is
 * matched to nothing and points at its first sighting. */
recon_status store_receipts_copy(db_t *db, FILE *spool, long count, long long file_id,
                                 long long base, const store_sightings *s, err_t *err);

#endif
