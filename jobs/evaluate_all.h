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

/* Refuses (RECON_EDATA) a day whose money could overflow a sum: the receipts
 * known by as_of (hand-entered ones not yet processed included), amounts and
 * fees in absolute value, must add up within MONEY_MAX_SUM_FEN. Every total
 * that process, the settlement check and the day's reports take of them is
 * then exact in 64 bits. Summed in numeric by the server, so the check itself
 * cannot overflow; the message names the largest receipts (id, source,
 * transaction key, amount). */
recon_status money_check_day(db_t *db, date_t as_of, err_t *err);

/* policy_no NULL: all policies, in policy_no order. */
recon_status evaluate_policies(db_t *db, const eval_config *cfg, date_t as_of,
                               const char *policy_no, policy_result_fn fn, void *ctx, err_t *err);

#endif
