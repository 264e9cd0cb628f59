/*
 * The evaluation input stream: every policy (or one) with its receipts known
 * by a day, its reinstatement agreements, its cancellation and its payment
 * holidays, in one COPY
 * out, unpacked into the core's eval_input. The SQL that packs the stream and
 * the C that unpacks it live together in store/evaluation.c. The views passed
 * to the callback are the store's, valid only during the call; the callback
 * must not use the connection (the COPY is still running).
 */
#ifndef RECON_STORE_EVALUATION_H
#define RECON_STORE_EVALUATION_H

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

typedef recon_status (*store_policy_fn)(void *ctx, const policy_view *p, const eval_input *in,
                                        err_t *err);

/* policy_no NULL: all policies, in policy_no order. Receipts counted for a
 * policy: CNY money matched to it, not a settlement, known by as_of
 * (receipts_known; not yet processed counts as known), without reversed pairs. */
recon_status store_policy_inputs(db_t *db, date_t as_of, const char *policy_no,
                                 store_policy_fn fn, void *ctx, err_t *err);

/* As store_policy_inputs for every policy, but only those listed in the
 * temporary table eval_dirty (store_mark_dirty, store/process.h) in this
 * transaction. */
recon_status store_dirty_policy_inputs(db_t *db, date_t as_of, store_policy_fn fn, void *ctx,
                                       err_t *err);

/* Refuses (RECON_EDATA) a day whose money could overflow a sum: the receipts
 * known by as_of, amounts and fees in absolute value, must add up within
 * MONEY_MAX_SUM_FEN; summed in numeric by the server, the message names the
 * largest receipts. */
recon_status store_money_check_day(db_t *db, date_t as_of, err_t *err);

#endif
