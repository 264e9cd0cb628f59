/*
 * Receipt -> policy matching (interface.md outcomes) with the settings of
 * recon_config: the core decides from a receipt's own fields (core/match.h),
 * the store settles what needs the register (store/match.h). Runs inside the
 * caller's transaction; counts are returned in a caller struct.
 */
#ifndef RECON_JOBS_MATCH_H
#define RECON_JOBS_MATCH_H

#include "core/date.h"
#include "core/match.h"
#include "db/client.h"
#include "jobs/config.h"
#include "store/match.h"

/* The core's rules from RECON_POLICY_PATTERN and RECON_SETTLEMENT_ACCOUNTS
 * (config_is_settlement; config must outlive the rules); released with
 * match_rules_free. */
recon_status match_rules_for(match_rules **out, const recon_config *config, err_t *err);

/* Completes matching on night: receipts not yet decided (hand-entered, or
 * left to the payer account) are decided by match_decide and then by payer
 * account, receipts in suspense are tried again against the register as it is
 * now (on an incremental night only when the register or a decision changed:
 * full, as --full, always), and new receipts naming a policy the register lacks
 * become unidentified. */
recon_status match_receipts(db_t *db, const recon_config *config, date_t night, bool full,
                            match_counts *counts, err_t *err);

/* Recomputes settlement_checks: each settlement credit from a PROVIDER:ACCOUNT
 * of the settlement accounts against that provider's statement rows booked
 * settlement_lag_days earlier: gross - fees = credited, with what was known by
 * as_of. */
recon_status settlement_check(db_t *db, const recon_config *config, date_t as_of,
                              long *differences, err_t *err);

#endif
