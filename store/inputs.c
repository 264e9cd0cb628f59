#include "store/inputs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql_text.h"

recon_status store_register_input_find(db_t *db, const char *sha, store_register_input *k,
                                       err_t *err)
{
    const char *params[] = {sha};
    return store_known_find(db, sql_inputs_register_find, 1, params, k, err);
}

recon_status store_register_input_record(db_t *db, const store_register_input_row *row,
                                         bool in_transaction, err_t *err)
{
    char rows[32], night[DATE_STR_SIZE];
    snprintf(rows, sizeof rows, "%ld", row->rows);
    date_format(row->night, night);
    const char *params[] = {row->sha,  row->name, row->kind, row->reason ? "rejected" : "applied",
                            row->reason, rows,    night};
    if (in_transaction)
        return db_command(db, sql_inputs_register_record, 7, params, NULL, err);
    recon_status st = db_begin(db, err);
    if (st != RECON_OK)
        return st;
    return db_end(db, db_command(db, sql_inputs_register_record, 7, params, NULL, err), err);
}

recon_status store_register_inputs_count(db_t *db, long *count, err_t *err)
{
    long long n = 0;
    recon_status st = db_query_int(db, "SELECT count(*) FROM register_files", 0, NULL, &n, err);
    *count = (long)n;
    return st;
}

recon_status store_night_decision_files(db_t *db, date_t night, store_decision_file_fn fn,
                                        void *ctx, err_t *err)
{
    char day[DATE_STR_SIZE];
    date_format(night, day);
    const char *params[] = {day};
    PGresult *res = NULL;
    recon_status st = db_query(
        db, "SELECT sha256, file_name, content FROM night_decision_files($1::date)", 1, params,
        3, &res, err);
    if (st != RECON_OK)
        return st;
    for (int i = 0; i < PQntuples(res) && st == RECON_OK; i++) {
        size_t len = 0;
        unsigned char *bytes =
            PQunescapeBytea((const unsigned char *)PQgetvalue(res, i, 2), &len);
        if (bytes == NULL) {
            st = err_set(err, RECON_EINTERNAL, "out of memory");
            break;
        }
        st = fn(ctx, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), bytes, len, err);
        PQfreemem(bytes);
    }
    PQclear(res);
    return st;
}

recon_status store_register_new_policies(db_t *db, err_t *err)
{
    return db_exec(db, sql_inputs_policies_new, err);
}

recon_status store_register_stamp_policies(db_t *db, date_t night, err_t *err)
{
    char day[DATE_STR_SIZE];
    date_format(night, day);
    const char *params[] = {day};
    return db_command(db, sql_inputs_policies_stamp, 1, params, NULL, err);
}
