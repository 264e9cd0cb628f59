#include "store/runs.h"

#include <string.h>

#include "sql_text.h"

recon_status store_last_completed_nightly(db_t *db, date_t *night, err_t *err)
{
    *night = DATE_NONE;
    PGresult *res = NULL;
    recon_status st = db_query(db, sql_last_completed_nightly, 0, NULL, 1, &res, err);
    if (st != RECON_OK)
        return st;
    if (!PQgetisnull(res, 0, 0)) {
        const char *text = PQgetvalue(res, 0, 0);
        if (!date_parse(text, strlen(text), night))
            st = err_set(err, RECON_EINTERNAL, "job_runs: unexpected date '%s'", text);
    }
    PQclear(res);
    return st;
}
