/*
 * The inputs of a night besides statement files: the register and events files
 * the nightly applied (or refused) from its register inbox, found by SHA-256,
 * and counted for replay's empty-database check. Results are plain values the
 * caller owns.
 */
#ifndef RECON_STORE_INPUTS_H
#define RECON_STORE_INPUTS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "core/date.h"
#include "db/client.h"
#include "store/files.h"

/* A register file as recorded: the same facts a statement file has (night: the night that
 * found it). */
typedef store_known_file store_register_input;

/* The register file recorded under sha (applied or refused); id 0 when none. */
recon_status store_register_input_find(db_t *db, const char *sha, store_register_input *k,
                                       err_t *err);

/* A register file as recorded: kind "policies", "events" or "unknown" (refused before its
 * kind was known); reason NULL when applied. */
typedef struct store_register_input_row {
    const char *sha, *name, *kind, *reason;
    long rows;
    date_t night;
} store_register_input_row;

/* Records the row inside the caller's transaction (an applied file: the one its rows were
 * merged in), or, for a refusal, in a short transaction of its own when in_transaction is
 * false. A row already recorded under the same SHA-256 is left alone. */
recon_status store_register_input_record(db_t *db, const store_register_input_row *row,
                                         bool in_transaction, err_t *err);

/* Called once per decisions file stored for a night (schema 014's decision_files, whose
 * decided_on is the night): its SHA-256, the name its copy gets (unique within the night, no
 * '/') and its bytes, valid during the call only. */
typedef recon_status (*store_decision_file_fn)(void *ctx, const char *sha, const char *name,
                                               const unsigned char *bytes, size_t len,
                                               err_t *err);
/* The decisions files of night, in name order, inside the caller's transaction (the report's
 * snapshot); none while the decisions tables do not exist. */
recon_status store_night_decision_files(db_t *db, date_t night, store_decision_file_fn fn,
                                        void *ctx, err_t *err);

/* Around the merge of a staged policy register file (policies_in) in the caller's
 * transaction: before, notes the policies it adds; after, stamps them as known from night,
 * so a night run again later evaluates only the policies it knew. */
recon_status store_register_new_policies(db_t *db, err_t *err);
recon_status store_register_stamp_policies(db_t *db, date_t night, err_t *err);

/* How many register files (applied or refused) the database holds. */
recon_status store_register_inputs_count(db_t *db, long *count, err_t *err);

#endif
