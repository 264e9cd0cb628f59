/*
 * The match decision for one receipt (interface.md outcomes), from its own
 * fields alone: another currency, a provider settlement credit, the policy
 * number a structured reference or else the remittance text names, or nothing
 * (then the payer account decides, against the register). Pure: the register
 * is the store's; a named number it lacks is MATCH_UNKNOWN_RESULT.
 * match_rules_new's result is the caller's, released with match_rules_free.
 */
#ifndef RECON_CORE_MATCH_H
#define RECON_CORE_MATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"

typedef struct match_rules match_rules;

/* Whether account is a payment provider's settlement account. */
typedef bool (*match_settlement_fn)(const void *ctx, const char *account);

/* What a receipt's own fields say. */
typedef struct match_fields {
    const char *currency;
    bool reversal;
    const char *creditor_reference, *end_to_end_id, *merchant_order_no, *remittance;
    const char *payer_account;
} match_fields;

/* result: identified, reversal, ambiguous, currency, settlement, unidentified,
 * or NULL when only the payer account can tell. policy_no is the number the
 * references name, not yet checked against the register. */
typedef struct match_decision {
    const char *result;
    char policy_no[64];
    char note[160];
} match_decision;

/* pattern: POSIX extended, every match a policy number (RECON_POLICY_PATTERN);
 * is_settlement(ctx, account) says which payers are settlement accounts (NULL:
 * none). RECON_EUSAGE naming RECON_POLICY_PATTERN when it does not compile. */
recon_status match_rules_new(match_rules **out, const char *pattern,
                             match_settlement_fn is_settlement, const void *ctx, err_t *err);
void match_rules_free(match_rules *m);
void match_decide(const match_rules *m, const match_fields *f, match_decision *d);

/* The one rule for a named policy number the register lacks (applied by the
 * store, which holds the register): the money stays unidentified, and the note
 * is this prefix and the number. */
#define MATCH_UNKNOWN_RESULT "unidentified"
#define MATCH_UNKNOWN_NOTE "unknown policy "

#endif
