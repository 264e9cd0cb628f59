/*
 * A person's decisions on receipts (schema/014_decisions.sql): the checks of a
 * staged decisions file against what is stored, storing a good file with its
 * bytes, and the listings `recon status` shows. Strings passed to the
 * callbacks are the store's, valid only during the call.
 */
#ifndef RECON_STORE_DECISIONS_H
#define RECON_STORE_DECISIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "core/date.h"
#include "core/money.h"
#include "db/client.h"
#include "store/register.h"

/* Whether the session's login may decide: a member of recon_decider, or a
 * superuser (the embedded cluster's owner). *login receives its name. */
recon_status store_decisions_may_decide(db_t *db, bool *may, char *login, size_t cap,
                                        err_t *err);

/* The session's login (into login) and whether it is a superuser. */
recon_status store_decisions_login(db_t *db, char *login, size_t cap, bool *superuser,
                                   err_t *err);

/* Whether a decisions file with this SHA-256 is stored already. */
recon_status store_decisions_file_known(db_t *db, const char *sha256, bool *known, err_t *err);

/* Stores the staged rows with their file (name, bytes, SHA-256) in the open
 * transaction; refunds and write-offs of four_eyes_below fen or more wait for
 * approval. *stored is 0 when the same file was stored meanwhile. */
recon_status store_decisions_merge(db_t *db, const char *name, const unsigned char *bytes,
                                   size_t len, const char *sha256, fen_t four_eyes_below,
                                   long *stored, err_t *err);

/* One stored decision as `recon status` lists it; fields are text as stored. */
typedef struct decision_row {
    const char *decided_on, *action, *receipt_id, *policy_no, *amount, *decided_by, *reason;
    const char *file_name, *line, *state;
} decision_row;
typedef recon_status (*decision_row_fn)(void *ctx, const decision_row *d, err_t *err);

/* The decisions of a policy (policy_no) or of a receipt (receipt_id), in the
 * order stored; the other argument is "". *count says how many. A callback's error
 * stops the listing and is returned (so for every listing here). */
recon_status store_decisions_list(db_t *db, const char *policy_no, const char *receipt_id,
                                  decision_row_fn fn, void *ctx, int *count, err_t *err);

/* A receipt's life as of a night: fields as the columns of sql/decide_receipt_life.sql. */
typedef struct receipt_life {
    const char *receipt_id, *source, *transaction_key, *booking_date, *amount, *currency;
    const char *direction, *file_name, *position, *known_on, *match_result, *note;
    const char *matched_policy, *reversal, *in_effect;
    const char *counts_for; /* comma-separated policies it counts for that night */
} receipt_life;
typedef recon_status (*receipt_life_fn)(void *ctx, const receipt_life *l, err_t *err);

/* Calls fn once with receipt_id's life as of as_of; *found false when no such receipt. */
recon_status store_receipt_life(db_t *db, const char *receipt_id, date_t as_of,
                                receipt_life_fn fn, void *ctx, bool *found, err_t *err);

/* Where a policy's receipts came from. */
typedef struct receipt_source {
    const char *receipt_id, *booking_date, *currency;
    fen_t amount;
    const char *file_name; /* "manual entry" for a receipt entered by hand */
    const char *position, *note;
    const char *also_in; /* "FILE POSITION; ..." of its duplicates, "" when none */
} receipt_source;
typedef recon_status (*receipt_source_fn)(void *ctx, const receipt_source *s, err_t *err);

/* Each receipt matched to policy_no and booked by as_of, by booking date and
 * receipt number; *count says how many. */
recon_status store_receipt_sources(db_t *db, const char *policy_no, date_t as_of,
                                   receipt_source_fn fn, void *ctx, int *count, err_t *err);

#endif
