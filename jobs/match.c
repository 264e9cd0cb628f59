#include "jobs/match.h"

static bool is_settlement(const void *ctx, const char *account)
{
    return config_is_settlement(ctx, account);
}

recon_status match_rules_for(match_rules **out, const recon_config *config, err_t *err)
{
    return match_rules_new(out, config->policy_pattern, is_settlement, config, err);
}

static void decide(void *ctx, const match_fields *f, match_decision *d)
{
    match_decide(ctx, f, d);
}

recon_status match_receipts(db_t *db, const recon_config *config, date_t night, bool full,
                            match_counts *counts, err_t *err)
{
    match_rules *rules = NULL;
    long rematched = 0;
    recon_status st = match_rules_for(&rules, config, err);
    if (st != RECON_OK)
        return st;
    /* Ingest took the policy number from the references without the register;
     * the unknown ones are set apart once every new receipt is decided. */
    if ((st = store_match_undecided(db, decide, rules, night, full, &rematched, err)) == RECON_OK &&
        (st = store_match_unknown_policies(db, err)) == RECON_OK &&
        (st = store_match_counts(db, counts, err)) == RECON_OK)
        counts->rematched = rematched;
    match_rules_free(rules);
    return st;
}
