/*
 * Evaluates every policy (or one) in a single streaming pass: one COPY out of
 * policies with their receipts, agreements and cancellation, evaluated by the
 * core in C. The callback gets borrowed views valid only during the call, and
 * must not use the database connection (the COPY is still running).
 */
#ifndef RECON_JOBS_EVALUATE_ALL_H
#define RECON_JOBS_EVALUATE_ALL_H

#include "core/evaluate.h"
#include "db/client.h"

typedef struct policy_view {
    const char *policy_no;
    const char *holder_name;
    const char *payer_account;
    policy_terms terms;
    /* parallel to the eval_input's receipts: first known on the evaluation
     * date (the receipts that night's reports list) */
    const bool *receipt_is_new;
} policy_view;

typedef recon_status (*policy_result_fn)(void *ctx, const policy_view *p, const eval_input *in,
                                         const eval_result *r, err_t *err);

/* policy_no NULL: all policies, in policy_no order. */
recon_status evaluate_policies(db_t *db, const eval_config *cfg, date_t as_of,
                               const char *policy_no, policy_result_fn fn, void *ctx, err_t *err);

#endif
