#include "jobs/evaluate_all.h"

typedef struct evaluation {
    const eval_config *cfg;
    eval_result res;
    policy_result_fn fn;
    void *ctx;
} evaluation;

static recon_status evaluate_one(void *ctx, const policy_view *p, const eval_input *in,
                                 err_t *err)
{
    evaluation *e = ctx;
    if (eval_policy(in, e->cfg, &e->res, err) != RECON_OK)
        return err_prefix(err, "policy %s: ", p->policy_no);
    return e->fn(e->ctx, p, in, &e->res, err);
}

static recon_status evaluate_stream(db_t *db, const eval_config *cfg, date_t as_of,
                                    const char *policy_no, bool dirty, policy_result_fn fn,
                                    void *ctx, err_t *err)
{
    evaluation e = {cfg, {0}, fn, ctx};
    eval_result_init(&e.res);
    recon_status st = dirty ? store_dirty_policy_inputs(db, as_of, evaluate_one, &e, err)
                            : store_policy_inputs(db, as_of, policy_no, evaluate_one, &e, err);
    eval_result_free(&e.res);
    return st;
}

recon_status evaluate_policies(db_t *db, const eval_config *cfg, date_t as_of,
                               const char *policy_no, policy_result_fn fn, void *ctx, err_t *err)
{
    return evaluate_stream(db, cfg, as_of, policy_no, false, fn, ctx, err);
}

recon_status evaluate_dirty_policies(db_t *db, const eval_config *cfg, date_t as_of,
                                     policy_result_fn fn, void *ctx, err_t *err)
{
    return evaluate_stream(db, cfg, as_of, NULL, true, fn, ctx, err);
}
