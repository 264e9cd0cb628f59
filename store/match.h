/*
 * Matching as the store does it, around the core's decision (core/match.h):
 * streaming the undecided receipts out, storing the decisions, the payer
 * account and unknown-policy steps that need the register, the day's counts,
 * and reversal pairing. Everything runs inside the caller's transaction; the
 * counts are plain values the caller owns.
 */
#ifndef RECON_STORE_MATCH_H
#define RECON_STORE_MATCH_H

#include "core/date.h"
#include "core/match.h"
#include "db/client.h"

/* Decides one receipt from its own fields (match_decide, with the caller's rules). */
typedef void (*store_decide_fn)(void *ctx, const match_fields *f, match_decision *d);

/* Every receipt without a stored decision is decided by decide; those it
 * leaves open go to the payer account (exactly one policy holding it), and the
 * rest are unidentified; the decisions are stored on the receipts. Receipts in
 * suspense (a named policy the register lacked, a payer account held by no
 * policy or several) not governed by a person's decision are tried again
 * against the register as it is now, unless a night after night was already
 * processed, or (retry_always false) neither the register nor a decision changed
 * since the last process tried them (the same register gives the same match: a
 * full read of the suspense and its receipts saved on most nights); each whose
 * match changes is recorded with night (rematched counts them). Sets recon.as_of to night for the rest of the transaction:
 * receipts_known then shows receipts as known on night. */
recon_status store_match_undecided(db_t *db, store_decide_fn decide, void *ctx, date_t night,
                                   bool retry_always, long *rematched, err_t *err);

/* New receipts naming a policy the register lacks become MATCH_UNKNOWN_RESULT. */
recon_status store_match_unknown_policies(db_t *db, err_t *err);

typedef struct match_counts {
    long examined, identified, unidentified, ambiguous, currency, settlement, reversal;
    long rematched; /* receipts in suspense matched again (not in examined) */
} match_counts;

/* The outcomes of the receipts no night has processed yet. */
recon_status store_match_counts(db_t *db, match_counts *counts, err_t *err);

/* Pairs each reversal not yet paired with the receipt it takes back: same
 * source, and its reversal_of equal to the original's transaction key,
 * provider transaction id, end-to-end id or merchant order number. Unless full,
 * a reversal tried on an earlier night is tried only against the receipts stored
 * since (schema 025). */
recon_status store_pair_reversals(db_t *db, bool full, long *paired, err_t *err);

#endif
