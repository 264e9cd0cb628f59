/*
 * The provider settlement check. A WeChat Pay or Alipay settlement reaches the
 * bank as one credit for a day's trade; that credit is not a premium, but it
 * must equal what the provider's own bill says it owed (gross minus fees),
 * else money went missing between provider and bank.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "jobs/match.h"

#define MAX_LAG_DAYS 31

/* Appends one element to a PostgreSQL array literal, quoted. */
static bool array_add(buf_t *b, const char *s, size_t n)
{
    if (!buf_append(b, b->len > 1 ? ",\"" : "\"", b->len > 1 ? 2 : 1))
        return false;
    for (size_t i = 0; i < n; i++) {
        if ((s[i] == '"' || s[i] == '\\') && !buf_append(b, "\\", 1))
            return false;
        if (!buf_append(b, &s[i], 1))
            return false;
    }
    return buf_append(b, "\"", 1);
}

static recon_status parse_accounts(const char *list, buf_t *providers, buf_t *accounts,
                                   err_t *err)
{
    if (!buf_append(providers, "{", 1) || !buf_append(accounts, "{", 1))
        return err_set(err, RECON_EINTERNAL, "out of memory");
    for (const char *p = list ? list : ""; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *colon = memchr(p, ':', len);
        if (colon) {
            size_t plen = (size_t)(colon - p);
            if (!((plen == 6 && memcmp(p, "wechat", 6) == 0) ||
                  (plen == 6 && memcmp(p, "alipay", 6) == 0)))
                return err_set(err, RECON_EUSAGE,
                               "RECON_SETTLEMENT_ACCOUNTS: provider '%.*s' is not wechat or alipay",
                               (int)plen, p);
            if (!array_add(providers, p, plen) ||
                !array_add(accounts, colon + 1, len - plen - 1))
                return err_set(err, RECON_EINTERNAL, "out of memory");
        }
        p = end ? end + 1 : p + len;
    }
    if (!buf_append(providers, "}", 1) || !buf_append(accounts, "}", 1))
        return err_set(err, RECON_EINTERNAL, "out of memory");
    return RECON_OK;
}

recon_status settlement_check(db_t *db, date_t as_of, long *differences, err_t *err)
{
    const char *lag_text = getenv("RECON_SETTLEMENT_LAG_DAYS");
    char lag[16] = "1";
    if (lag_text && *lag_text) {
        char *end = NULL;
        long v = strtol(lag_text, &end, 10);
        if (*end || v < 0 || v > MAX_LAG_DAYS)
            return err_set(err, RECON_EUSAGE,
                           "RECON_SETTLEMENT_LAG_DAYS: '%s' is not a number of days 0-%d",
                           lag_text, MAX_LAG_DAYS);
        snprintf(lag, sizeof lag, "%ld", v);
    }
    buf_t providers = BUF_INIT, accounts = BUF_INIT;
    recon_status st =
        parse_accounts(getenv("RECON_SETTLEMENT_ACCOUNTS"), &providers, &accounts, err);
    if (st != RECON_OK)
        goto out;
    char day[DATE_STR_SIZE];
    date_format(as_of, day);
    const char *params[] = {providers.data, accounts.data, lag, day};
    if ((st = db_exec(db, "DELETE FROM settlement_checks", err)) != RECON_OK ||
        (st = db_command(
             db,
             "WITH bills AS (SELECT f.format, p.booking_date, count(*)::int AS n, "
             "sum(p.amount) AS gross, sum(p.fee) AS fees FROM receipts p JOIN statement_files f "
             "ON f.file_id = p.file_id WHERE f.format IN ('wechat', 'alipay') AND p.currency = "
             "'CNY' AND p.duplicate_of IS NULL AND f.business_date <= $4::date GROUP BY 1, 2) "
             "INSERT INTO settlement_checks (receipt_id, provider, settled_day, credited, "
             "provider_rows, gross, fees, difference) "
             "SELECT r.receipt_id, m.provider, r.booking_date - $3::int, r.amount, "
             "coalesce(b.n, 0), coalesce(b.gross, 0), coalesce(b.fees, 0), r.amount - "
             "(coalesce(b.gross, 0) - coalesce(b.fees, 0)) "
             "FROM receipts_known r JOIN unnest($1::text[], $2::text[]) AS m(provider, account) "
             "ON r.payer_account = m.account LEFT JOIN bills b ON b.format = m.provider AND "
             "b.booking_date = r.booking_date - $3::int "
             "WHERE r.match_result = 'settlement' AND r.duplicate_of IS NULL AND "
             "r.known_on <= $4::date",
             4, params, NULL, err)) != RECON_OK)
        goto out;
    PGresult *res = NULL;
    if ((st = db_query(db,
                       "SELECT count(*) FROM settlement_checks WHERE difference <> 0 OR "
                       "provider_rows = 0",
                       0, NULL, 1, &res, err)) != RECON_OK)
        goto out;
    *differences = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
out:
    buf_free(&providers);
    buf_free(&accounts);
    return st;
}
