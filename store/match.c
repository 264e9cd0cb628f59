#include "store/match.h"

#include <stdlib.h>
#include <string.h>

#include "sql_text.h"
#include "store/report.h"

enum { F_ID, F_CURRENCY, F_REVERSAL, F_CREDREF, F_E2E, F_ORDER, F_REMIT, F_PAYER_ACCOUNT,
       F_COUNT };

/* One receipt of sql_match_undecided as a match_in row. */
static bool decide_row(store_decide_fn decide, void *ctx, char **f, buf_t *out)
{
    match_fields in = {f[F_CURRENCY],  strcmp(f[F_REVERSAL], "t") == 0,
                       f[F_CREDREF],   f[F_E2E],
                       f[F_ORDER],     f[F_REMIT],
                       f[F_PAYER_ACCOUNT]};
    match_decision d;
    decide(ctx, &in, &d);
    return db_copy_field(out, f[F_ID], false) &&
           (d.policy_no[0] ? db_copy_field(out, d.policy_no, false) : db_copy_null(out, false)) &&
           (d.result ? db_copy_field(out, d.result, false) : db_copy_null(out, false)) &&
           db_copy_field(out, d.note, true);
}

/* The decisions of the undecided receipts, as COPY rows for match_in. */
static recon_status decide_undecided(db_t *db, store_decide_fn decide, void *ctx, buf_t *rows,
                                     err_t *err)
{
    recon_status st = db_copy_out_begin(db, sql_match_undecided, err);
    bool failed = false;
    while (st == RECON_OK) {
        const char *line = NULL;
        size_t len = 0;
        if ((st = db_copy_out_next(db, &line, &len, err)) != RECON_OK || line == NULL)
            break;
        char *f[F_COUNT];
        if (failed)
            continue;
        if (!db_copy_split((char *)line, f, F_COUNT)) {
            failed = true;
            err_set(err, RECON_EINTERNAL, "unexpected receipt row shape");
            continue;
        }
        if (!decide_row(decide, ctx, f, rows)) {
            failed = true;
            err_set(err, RECON_EINTERNAL, "out of memory");
        }
    }
    if (st == RECON_OK && failed)
        st = err->status;
    return st;
}

/* Whether the receipts in suspense are tried again on night day: not when a
 * later night was already processed (a rerun of an earlier night). */
static recon_status retry_allowed(db_t *db, const char *day, bool *allowed, err_t *err)
{
    const char *params[] = {day};
    bool later = true;
    recon_status st = db_query_bool(db, sql_match_later_night, 1, params, &later, err);
    *allowed = !later;
    return st;
}

recon_status store_match_undecided(db_t *db, store_decide_fn decide, void *ctx, date_t night,
                                   bool retry_always, long *rematched, err_t *err)
{
    char day[DATE_STR_SIZE];
    date_format(night, day);
    const char *params[] = {day};
    *rematched = 0;
    buf_t rows = BUF_INIT;
    bool retry = false;
    recon_status st;
    /* receipts_known shows the receipts as known on this night to the
     * evaluation that follows in the same transaction */
    if ((st = store_as_of(db, night, true, err)) != RECON_OK)
        goto out;
    if ((st = retry_allowed(db, day, &retry, err)) != RECON_OK ||
        (retry && !retry_always &&
         (st = db_query_bool(db, sql_match_retry_needed, 0, NULL, &retry, err)) != RECON_OK) ||
        (st = decide_undecided(db, decide, ctx, &rows, err)) != RECON_OK)
        goto out;
    if (rows.len == 0 && !retry)
        goto out;
    if ((st = db_exec(db,
                      "CREATE TEMP TABLE match_in (receipt_id bigint PRIMARY KEY, candidate text, "
                      "result text, note text, suspense text, retry boolean NOT NULL DEFAULT "
                      "false) ON COMMIT DROP",
                      err)) != RECON_OK)
        goto out;
    if (rows.len > 0) {
        if ((st = db_copy_in_begin(db, "COPY match_in (receipt_id, candidate, result, note) FROM "
                                       "STDIN",
                                   err)) != RECON_OK)
            goto out;
        if (!buf_append(db_copy_buffer(db), rows.data, rows.len)) {
            st = err_set(err, RECON_EINTERNAL, "out of memory");
            goto out;
        }
        if ((st = db_copy_in_end(db, NULL, err)) != RECON_OK)
            goto out;
    }
    if (retry && (st = db_command(db, sql_match_retry, 1, params, NULL, err)) != RECON_OK)
        goto out;
    const char *const steps[] = {
        "ANALYZE match_in",
        sql_match_by_payer_account,
        "UPDATE match_in SET result = 'unidentified', note = 'no policy number or known payer "
        "account', suspense = 'payer_account' WHERE result IS NULL",
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0] && st == RECON_OK; i++)
        st = db_exec(db, steps[i], err);
    if (st == RECON_OK && retry)
        st = db_command(db, sql_match_record_rematches, 1, params, rematched, err);
    if (st == RECON_OK)
        st = db_exec(db, sql_match_apply, err);
    if (st == RECON_OK)
        st = db_exec(db, "DROP TABLE match_in", err);
out:
    buf_free(&rows);
    return st;
}

recon_status store_match_unknown_policies(db_t *db, err_t *err)
{
    const char *params[] = {MATCH_UNKNOWN_RESULT, MATCH_UNKNOWN_NOTE};
    return db_command(db, sql_match_unknown_policy, 2, params, NULL, err);
}

recon_status store_match_counts(db_t *db, match_counts *counts, err_t *err)
{
    memset(counts, 0, sizeof *counts);
    PGresult *res = NULL;
    recon_status st = db_query(db, sql_match_counts, 0, NULL, 6, &res, err);
    if (st != RECON_OK)
        return st;
    long *fields[] = {&counts->identified, &counts->unidentified, &counts->ambiguous,
                      &counts->currency,   &counts->settlement,   &counts->reversal};
    for (int i = 0; i < 6; i++) {
        *fields[i] = strtol(PQgetvalue(res, 0, i), NULL, 10);
        counts->examined += *fields[i];
    }
    PQclear(res);
    return RECON_OK;
}

recon_status store_pair_reversals(db_t *db, bool full, long *paired, err_t *err)
{
    *paired = 0;
    long long seen = 0, through = 0;
    bool some = false;
    char seen_text[24], through_text[24];
    /* Read before pairing: a receipt committed after this read is numbered higher and is
     * tried again next night, whether or not the pairing below saw it. */
    recon_status st = db_query_int(db, "SELECT coalesce(max(receipt_id), 0) FROM receipts", 0,
                                   NULL, &through, err);
    if (st == RECON_OK && !full)
        st = db_query_int(db,
                          "SELECT coalesce((SELECT checked_through FROM reversal_pairing), 0)",
                          0, NULL, &seen, err);
    if (st != RECON_OK)
        return st;
    snprintf(seen_text, sizeof seen_text, "%lld", seen);
    snprintf(through_text, sizeof through_text, "%lld", through);
    const char *params[] = {seen_text};
    /* Old reversals are worth trying only against receipts stored since the mark, which the
     * highest receipt read above already tells. */
    const char *since[] = {through > seen ? "t" : "f"};
    if ((st = db_command(db, sql_match_unpaired, 1, params, NULL, err)) != RECON_OK ||
        (st = db_query_bool(db,
                            "SELECT EXISTS (SELECT 1 FROM unpaired WHERE fresh) OR "
                            "($1::boolean AND EXISTS (SELECT 1 FROM unpaired))",
                            1, since, &some, err)) != RECON_OK)
        return st;
    if (some && ((st = db_exec(db, "ANALYZE unpaired", err)) != RECON_OK ||
                  (st = db_command(db, sql_match_pair_reversals, 1, params, paired, err)) !=
                      RECON_OK))
        return st;
    const char *mark[] = {through_text};
    if ((st = db_command(db,
                         "INSERT INTO reversal_pairing (checked_through) VALUES ($1::bigint) "
                         "ON CONFLICT (one) DO UPDATE SET checked_through = excluded.checked_through",
                         1, mark, NULL, err)) != RECON_OK)
        return st;
    return db_exec(db, "DROP TABLE unpaired", err);
}
