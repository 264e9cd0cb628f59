/*
 * Evaluates every policy (or one) as of a day: the store streams each
 * policy's input (store/evaluation.h), the core evaluates it with the rules
 * of recon_config, and the callback gets borrowed views valid only during the
 * call; it must not use the database connection (the COPY is still running).
 */
#ifndef RECON_JOBS_EVALUATE_ALL_H
#define RECON_JOBS_EVALUATE_ALL_H

#include "core/evaluate.h"
#include "db/client.h"
#include "store/evaluation.h"

typedef recon_status (*policy_result_fn)(void *ctx, const policy_view *p, const eval_input *in,
                                         const eval_result *r, err_t *err);


/* policy_no NULL: all policies, in policy_no order. */
recon_status evaluate_policies(db_t *db, const eval_config *cfg, date_t as_of,
                               const char *policy_no, policy_result_fn fn, void *ctx, err_t *err);

/* The policies listed in eval_dirty (store_mark_dirty), in policy_no order. */
recon_status evaluate_dirty_policies(db_t *db, const eval_config *cfg, date_t as_of,
                                     policy_result_fn fn, void *ctx, err_t *err);

#endif
