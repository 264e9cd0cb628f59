/*
 * Receipt -> policy matching (interface.md outcomes): a structured reference,
 * else the remittance text, else a payer account held by exactly one policy.
 * Runs inside the caller's transaction; counts are returned in a caller struct.
 */
#ifndef RECON_JOBS_MATCH_H
#define RECON_JOBS_MATCH_H

#include "core/date.h"
#include "db/client.h"

typedef struct match_counts {
    long examined, identified, unidentified, ambiguous, currency, settlement, reversal;
} match_counts;

/* Pattern from RECON_POLICY_PATTERN (POSIX extended), default P[0-9]{13};
 * settlement accounts from RECON_SETTLEMENT_ACCOUNTS (comma-separated, each
 * ACCOUNT or PROVIDER:ACCOUNT with PROVIDER wechat or alipay). */
recon_status match_receipts(db_t *db, match_counts *counts, err_t *err);

/* Pairs each reversal not yet paired with the receipt it takes back: same
 * source, and its reversal_of equal to the original's transaction key,
 * provider transaction id, end-to-end id or merchant order number. */
recon_status match_reversals(db_t *db, long *paired, err_t *err);

/* Recomputes settlement_checks: each settlement credit from a PROVIDER:ACCOUNT
 * of RECON_SETTLEMENT_ACCOUNTS against that provider's statement rows booked
 * RECON_SETTLEMENT_LAG_DAYS (default 1) earlier: gross - fees = credited, with
 * what was known by as_of (receipts stamped with a business date up to it). */
recon_status settlement_check(db_t *db, date_t as_of, long *differences, err_t *err);

#endif
