#include "store/settlement.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "sql_text.h"

/* Appends one element to a PostgreSQL array literal, quoted. */
static bool array_add(buf_t *b, const char *s)
{
    if (!buf_append(b, b->len > 1 ? ",\"" : "\"", b->len > 1 ? 2 : 1))
        return false;
    for (; *s; s++) {
        if ((*s == '"' || *s == '\\') && !buf_append(b, "\\", 1))
            return false;
        if (!buf_append(b, s, 1))
            return false;
    }
    return buf_append(b, "\"", 1);
}

recon_status store_settlement_check(db_t *db, const store_settlement_account *accounts,
                                    size_t n, int lag_days, date_t as_of, long *differences,
                                    err_t *err)
{
    buf_t providers = BUF_INIT, names = BUF_INIT;
    recon_status st = RECON_OK;
    bool ok = buf_append(&providers, "{", 1) && buf_append(&names, "{", 1);
    for (size_t i = 0; i < n && ok; i++)
        ok = array_add(&providers, accounts[i].provider) && array_add(&names, accounts[i].account);
    if (!ok || !buf_append(&providers, "}", 1) || !buf_append(&names, "}", 1)) {
        st = err_set(err, RECON_EINTERNAL, "out of memory");
        goto out;
    }
    char day[DATE_STR_SIZE], lag[16];
    date_format(as_of, day);
    snprintf(lag, sizeof lag, "%d", lag_days);
    const char *params[] = {providers.data, names.data, lag, day};
    if ((st = db_exec(db, "DELETE FROM settlement_checks", err)) != RECON_OK ||
        (st = db_command(db, sql_settlement_check, 4, params, NULL, err)) != RECON_OK)
        goto out;
    long long count = 0;
    st = db_query_int(db,
                      "SELECT count(*) FROM settlement_checks WHERE difference <> 0 OR "
                      "provider_rows = 0",
                      0, NULL, &count, err);
    *differences = (long)count;
out:
    buf_free(&providers);
    buf_free(&names);
    return st;
}
