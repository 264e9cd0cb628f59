/*
 * Receipt -> policy matching (interface.md outcomes): a structured reference,
 * else the remittance text, else a payer account held by exactly one policy.
 * Runs inside the caller's transaction; counts are returned in a caller struct.
 */
#ifndef RECON_JOBS_MATCH_H
#define RECON_JOBS_MATCH_H

#include "core/date.h"
#include "db/client.h"

/* The policy-number pattern and settlement accounts, from the environment;
 * owned by the caller, released with match_rules_free. */
typedef struct match_rules match_rules;

/* What a receipt's own fields say, decided in C while its file is stored. */
typedef struct match_fields {
    const char *currency;
    bool reversal;
    const char *creditor_reference, *end_to_end_id, *merchant_order_no, *remittance;
    const char *payer_account;
} match_fields;

/* result: identified, reversal, ambiguous, currency, settlement, or NULL when
 * only the payer account can tell (decided in SQL at process time). policy_no
 * is the number the references name, not yet checked against the register. */
typedef struct match_decision {
    const char *result;
    char policy_no[64];
    char note[160];
} match_decision;

/* Pattern from RECON_POLICY_PATTERN (POSIX extended), default P[0-9]{13};
 * settlement accounts from RECON_SETTLEMENT_ACCOUNTS (comma-separated, each
 * ACCOUNT or PROVIDER:ACCOUNT with PROVIDER wechat or alipay). */
recon_status match_rules_new(match_rules **out, err_t *err);
void match_rules_free(match_rules *m);
void match_decide(const match_rules *m, const match_fields *f, match_decision *d);

typedef struct match_counts {
    long examined, identified, unidentified, ambiguous, currency, settlement, reversal;
} match_counts;

/* Completes matching: receipts naming a policy the register lacks become
 * unidentified, and receipts not yet matched (hand-entered, or stored without
 * a decision) are decided by match_decide and then by payer account. */
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
