#include "store/register.h"

#include <stddef.h>

#include "sql_text.h"
#include "store/decisions.h"

static const struct {
    const char *create, *copy, *analyze;
} staging[] = {
    [STORE_REGISTER_POLICIES] = {sql_register_policies_in, "COPY policies_in FROM STDIN",
                                 "ANALYZE policies_in (policy_no)"},
    [STORE_REGISTER_EVENTS] = {sql_register_events_in, "COPY events_in FROM STDIN",
                               "ANALYZE events_in (policy_no)"},
    [STORE_REGISTER_RECEIPTS] = {sql_register_receipts_in, "COPY receipts_in FROM STDIN",
                                 "ANALYZE receipts_in (source, transaction_key, policy_no)"},
    [STORE_REGISTER_DECISIONS] = {sql_decide_in, "COPY decisions_in FROM STDIN",
                                  "ANALYZE decisions_in"},
};

recon_status store_register_stage(db_t *db, store_register_file kind, err_t *err)
{
    recon_status st = db_exec(db, staging[kind].create, err);
    return st != RECON_OK ? st : db_copy_in_begin(db, staging[kind].copy, err);
}

static recon_status problems(db_t *db, const char *sql, store_register_problem_fn fn, void *ctx,
                             long *count, err_t *err)
{
    PGresult *res = NULL;
    recon_status st = db_query(db, sql, 0, NULL, 2, &res, err);
    if (st != RECON_OK)
        return st;
    int n = PQntuples(res);
    for (int i = 0; i < n; i++) {
        (*count)++;
        fn(ctx, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
    }
    PQclear(res);
    return RECON_OK;
}

recon_status store_register_problems(db_t *db, store_register_file kind,
                                     store_register_problem_fn fn, void *ctx, long *count,
                                     err_t *err)
{
    /* A temporary table has no statistics until it is analyzed: the checks and merges were
     * planned for a few hundred rows (a sort merge and JIT compiling for a self-join of
     * 100k policies, 4x a hash join). The row count and the joined columns are what the
     * plans need; sampling them costs a fraction of the COPY. */
    recon_status ast = db_exec(db, staging[kind].analyze, err);
    if (ast != RECON_OK)
        return ast;
    if (kind == STORE_REGISTER_DECISIONS) {
        /* rows name receipts by id or by source and key: resolved before they are judged */
        recon_status st = db_command(db, sql_decide_resolve, 0, NULL, NULL, err);
        return st != RECON_OK ? st : problems(db, sql_decide_problems, fn, ctx, count, err);
    }
    static const char *const policies[] = {sql_register_policy_duplicates, NULL};
    /* In this order: a line's first problem is reported first. */
    static const char *const events[] = {
        sql_register_event_unknown_policy, sql_register_event_outside_period,
        sql_register_event_holiday_outside_period, sql_register_event_second_cancellation,
        sql_register_event_cancellation_stored, NULL};
    static const char *const receipts[] = {sql_register_receipt_unknown_policy, NULL};
    const char *const *checks = kind == STORE_REGISTER_POLICIES ? policies
                                : kind == STORE_REGISTER_EVENTS ? events
                                                                : receipts;
    recon_status st = RECON_OK;
    for (size_t i = 0; checks[i] != NULL && st == RECON_OK; i++)
        st = problems(db, checks[i], fn, ctx, count, err);
    return st;
}

recon_status store_policies_merge(db_t *db, long *inserted, err_t *err)
{
    /* The update first: it joins the file with the policies stored before it, which on a
     * first load are none (the join ends at once), and the insert then skips them. */
    recon_status st = db_command(db, sql_register_policies_update, 0, NULL, NULL, err);
    return st != RECON_OK ? st
                          : db_command(db, sql_register_policies_insert, 0, NULL, inserted, err);
}

recon_status store_events_merge(db_t *db, long *agreements, long *cancellations,
                               long *holidays, err_t *err)
{
    recon_status st = db_command(db, sql_register_agreements_insert, 0, NULL, agreements, err);
    if (st == RECON_OK)
        st = db_command(db, sql_register_cancellations_insert, 0, NULL, cancellations, err);
    return st != RECON_OK ? st
                          : db_command(db, sql_register_holidays_insert, 0, NULL, holidays, err);
}

recon_status store_manual_receipts_merge(db_t *db, long *inserted, err_t *err)
{
    recon_status st = db_exec(db, "LOCK TABLE receipts IN SHARE ROW EXCLUSIVE MODE", err);
    return st != RECON_OK ? st
                          : db_command(db, sql_register_receipts_insert, 0, NULL, inserted, err);
}
