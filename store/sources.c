#include "store/sources.h"

#include <stdlib.h>

#include "sql_text.h"

recon_status store_receipt_sources(db_t *db, const char *policy_no, date_t as_of,
                                   receipt_source_fn fn, void *ctx, int *count, err_t *err)
{
    char day[DATE_STR_SIZE];
    date_format(as_of, day);
    const char *params[] = {policy_no, day};
    PGresult *res = NULL;
    *count = 0;
    recon_status st = db_query(db, sql_status_receipt_sources, 2, params, 8, &res, err);
    if (st != RECON_OK)
        return st;
    *count = PQntuples(res);
    for (int i = 0; i < *count; i++) {
        receipt_source s = {PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 3),
                            strtoll(PQgetvalue(res, i, 2), NULL, 10), PQgetvalue(res, i, 4),
                            PQgetvalue(res, i, 5), PQgetvalue(res, i, 6), PQgetvalue(res, i, 7)};
        fn(ctx, &s);
    }
    PQclear(res);
    return RECON_OK;
}
