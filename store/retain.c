#include "store/retain.h"

#include <stdlib.h>

#include "sql_text.h"

recon_status store_retain_anonymise(db_t *db, date_t cutoff, long *policies, long *receipts,
                                    err_t *err)
{
    *policies = *receipts = 0;
    char cutoff_text[DATE_STR_SIZE];
    date_format(cutoff, cutoff_text);
    const char *params[] = {cutoff_text};
    PGresult *res = NULL;
    recon_status st = db_begin(db, err);
    if (st != RECON_OK)
        return st;
    long p = 0, r = 0;
    if ((st = db_query(db, sql_retain_anonymise, 1, params, 2, &res, err)) == RECON_OK) {
        p = strtol(PQgetvalue(res, 0, 0), NULL, 10);
        r = strtol(PQgetvalue(res, 0, 1), NULL, 10);
        PQclear(res);
    }
    if ((st = db_end(db, st, err)) != RECON_OK)
        return st;
    *policies = p;
    *receipts = r;
    return RECON_OK;
}
