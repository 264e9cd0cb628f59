/*
 * The register tables as the loaders write them (policies, reinstatement agreements,
 * cancellation requests and payment holidays, manual receipts): a file's validated rows
 * are staged by COPY in a temporary table of the open transaction, checked against the
 * stored register, then merged. Counts are plain values the caller owns; problem rows go to the caller's callback.
 */
#ifndef RECON_STORE_REGISTER_H
#define RECON_STORE_REGISTER_H

#include "common/err.h"
#include "db/client.h"

typedef enum store_register_file {
    STORE_REGISTER_POLICIES,
    STORE_REGISTER_EVENTS,
    STORE_REGISTER_RECEIPTS,
    STORE_REGISTER_DECISIONS, /* checked by store/decisions.c */
} store_register_file;

/* Creates the staging table of the file's kind and begins the COPY into it (COPY text
 * rows: line, then the columns in file order as the loader writes them). */
recon_status store_register_stage(db_t *db, store_register_file kind, err_t *err);

/* Called once per problem row: the file's line and the reason. */
typedef void (*store_register_problem_fn)(void *ctx, const char *line, const char *reason);
/* Runs the checks of the staged rows that need the register (duplicates within the file,
 * unknown policies, dates outside a policy); *count is increased per problem row. */
recon_status store_register_problems(db_t *db, store_register_file kind,
                                     store_register_problem_fn fn, void *ctx, long *count,
                                     err_t *err);

/* Inserts the new policies and updates the changed ones; *inserted counts the new. */
recon_status store_policies_merge(db_t *db, long *inserted, err_t *err);
/* Stores the new agreements, cancellation requests and payment holidays, counting each. */
recon_status store_events_merge(db_t *db, long *agreements, long *cancellations,
                               long *holidays, err_t *err);
/* Stores the manual receipts not stored yet, numbered on from the highest receipt id. */
recon_status store_manual_receipts_merge(db_t *db, long *inserted, err_t *err);

#endif
