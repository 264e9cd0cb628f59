#include "store/files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/interrupt.h"
#include "sql_text.h"

recon_status store_known_find(db_t *db, const char *sql, int nparams, const char *const *params,
                              store_known_file *k, err_t *err)
{
    PGresult *res = NULL;
    memset(k, 0, sizeof *k);
    k->night = DATE_NONE;
    recon_status st = db_query(db, sql, nparams, params, 4, &res, err);
    if (st != RECON_OK)
        return st;
    if (PQntuples(res) == 1) {
        k->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        k->rejected = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
        const char *night = PQgetvalue(res, 0, 2);
        if (!PQgetisnull(res, 0, 2) && !date_parse(night, strlen(night), &k->night))
            k->night = DATE_NONE;
        snprintf(k->reason, sizeof k->reason, "%s", PQgetvalue(res, 0, 3));
    }
    PQclear(res);
    return RECON_OK;
}

recon_status store_file_find(db_t *db, const char *sha, bool any_status, store_known_file *k,
                             err_t *err)
{
    const char *params[] = {sha, any_status ? "t" : "f"};
    return store_known_find(db, sql_files_find, 2, params, k, err);
}

recon_status store_file_reject(db_t *db, const char *sha, const char *name, const char *format,
                               const char *reason, err_t *err)
{
    const char *params[] = {sha, name, format, reason};
    recon_status st = db_begin(db, err);
    if (st != RECON_OK)
        return st;
    if ((st = db_exec(db, "LOCK TABLE statement_files IN SHARE ROW EXCLUSIVE MODE", err)) ==
        RECON_OK)
        st = db_command(db, sql_files_record_rejected, 4, params, NULL, err);
    return db_end(db, st, err);
}

static void date_param(date_t d, char out[DATE_STR_SIZE], const char **param)
{
    date_format(d, out);
    *param = d == DATE_NONE ? NULL : out;
}

recon_status store_file_begin(db_t *db, err_t *err)
{
    recon_status st = interrupt_check(err);
    if (st != RECON_OK)
        return st;
    /* File and receipt numbers continue from the highest stored, under a lock
     * that concurrent ingests share, so they never depend on a sequence that a
     * rolled-back or killed run advanced: a rerun or replay numbers alike. One
     * round trip for all that every stored file starts with. */
    st = db_exec(db,
                 "BEGIN; SELECT receipts_keys_ready(); "
                 "LOCK TABLE statement_files, receipts IN SHARE ROW EXCLUSIVE MODE",
                 err);
    if (st != RECON_OK)
        db_rollback(db); /* BEGIN went through when what followed failed */
    return st;
}

recon_status store_file_record(db_t *db, const store_file_row *row, long long *file_id,
                               long long *base, err_t *err)
{
    *file_id = 0;
    *base = 0;
    char d_stmt[DATE_STR_SIZE], d_from[DATE_STR_SIZE], d_to[DATE_STR_SIZE];
    char count[32], credit[32], debit[32], dups[32];
    snprintf(count, sizeof count, "%ld", row->receipts);
    snprintf(credit, sizeof credit, "%lld", (long long)row->credit_total);
    snprintf(debit, sizeof debit, "%lld", (long long)row->debit_total);
    snprintf(dups, sizeof dups, "%ld", row->duplicates);
    const char *params[11] = {row->sha, row->name, row->format};
    date_param(row->statement_date, d_stmt, &params[3]);
    date_param(row->period_from, d_from, &params[4]);
    date_param(row->period_to, d_to, &params[5]);
    params[6] = count;
    params[7] = credit;
    params[8] = debit;
    params[9] = row->warnings ? row->warnings : "";
    params[10] = dups;
    PGresult *r = NULL;
    recon_status st = db_query(db, sql_files_record_stored, 11, params, 2, &r, err);
    if (st != RECON_OK)
        return st;
    if (PQntuples(r) == 1) {
        *file_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        *base = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
    }
    PQclear(r);
    return RECON_OK;
}

recon_status store_statements_copy(db_t *db, long long file_id, const statement_summary *s,
                                   const long *ends, size_t count, long long base,
                                   err_t *err)
{
    recon_status st = db_copy_in_begin(db, sql_files_copy_statements, err);
    if (st != RECON_OK)
        return st;
    buf_t *b = db_copy_buffer(db);
    for (size_t i = 0; i < count; i++, s++) {
        long from = i > 0 ? ends[i - 1] + 1 : 1, to = ends[i];
        bool ok = db_copy_int(b, file_id, false) && db_copy_int(b, (long long)i + 1, false) &&
                  db_copy_field(b, s->source, false) &&
                  db_copy_field(b, s->statement_id, false) &&
                  db_copy_field(b, s->currency, false) && db_copy_date(b, s->statement_date, false) &&
                  (s->has_opening ? db_copy_int(b, s->opening_balance, false)
                                  : db_copy_null(b, false)) &&
                  (s->has_closing ? db_copy_int(b, s->closing_balance, false)
                                  : db_copy_null(b, false)) &&
                  db_copy_int(b, s->entry_count, false) && db_copy_int(b, s->credit_total, false) &&
                  db_copy_int(b, s->debit_total, false) &&
                  db_copy_date(b, s->period_from, false) && db_copy_date(b, s->period_to, false) &&
                  (from <= to ? db_copy_int(b, base + from, false) && db_copy_int(b, base + to, true)
                              : db_copy_null(b, false) && db_copy_null(b, true));
        if (!ok)
            return err_set(err, RECON_EINTERNAL, "out of memory");
        if ((st = db_copy_in_flush(db, false, err)) != RECON_OK)
            return st;
    }
    return db_copy_in_end(db, NULL, err);
}

recon_status store_files_count(db_t *db, long *count, err_t *err)
{
    long long n = 0;
    recon_status st = db_query_int(db, "SELECT count(*) FROM statement_files", 0, NULL, &n, err);
    *count = (long)n;
    return st;
}
