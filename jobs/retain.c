/*
 * `recon retain --before DATE`: the retention job of rules.md section 9. Personal
 * data of policies whose cover ended more than RECON_RETENTION_YEARS (default 5)
 * years before DATE is anonymised: the holder's name, ID number and payer account
 * in the register, and the payer, payer account and remittance text of the
 * receipts matched to those policies (and of later copies of those receipts).
 * Amounts, dates, policy numbers, allocations and status history stay, so the
 * non-personal figures of every report and replay still add up the same.
 *
 * DATE is the reference date ("as if run on DATE", normally today), not the
 * cutoff itself: the cutoff is DATE minus the retention period, so that a
 * scheduler can pass today's date and the period lives in one setting. A policy
 * is past retention when its last day of cover is before the cutoff. The last day
 * of cover is end_date (also for terminated and expired policies, whose status
 * starts the day after), or the day before a cancellation took effect when that
 * is earlier (cancellation_requests, or a cancelled snapshot in policy_status).
 *
 * Anonymised fields become empty strings: nothing made up, and the job is
 * idempotent (a second run finds nothing left to change). Everything happens in
 * one transaction under the job lock, with every value sent as a parameter.
 */
#include <stdlib.h>
#include <string.h>

#include "jobs/jobs.h"
#include "jobs/pipeline.h"

#define RETENTION_DEFAULT_YEARS 5
#define RETENTION_MAX_YEARS 100

/* Policy numbers past retention; $1 is the cutoff date. */
#define PAST_RETENTION_SQL                                                                   \
    "SELECT p.policy_no FROM policies p "                                                    \
    "LEFT JOIN cancellation_requests c ON c.policy_no = p.policy_no "                        \
    "LEFT JOIN policy_status s ON s.policy_no = p.policy_no "                                \
    "WHERE LEAST(p.end_date, c.received_on - 1, "                                            \
    "            CASE WHEN s.status = 'cancelled' THEN s.status_since - 1 END) < $1::date"

static const char anonymise_policies_sql[] =
    "UPDATE policies SET holder_name = '', holder_id_no = '', payer_account = '' "
    "WHERE policy_no IN (" PAST_RETENTION_SQL ") "
    "AND (holder_name <> '' OR holder_id_no <> '' OR payer_account <> '')";

/* A receipt seen again in a later file is kept as a row of its own pointing at
 * the first (duplicate_of) and carries the same payer, so it goes too. */
static const char anonymise_receipts_sql[] =
    "UPDATE receipts SET payer = '', payer_account = '', remittance = '' "
    "WHERE (policy_no IN (" PAST_RETENTION_SQL ") "
    "    OR duplicate_of IN (SELECT receipt_id FROM receipts WHERE policy_no IN ("
    PAST_RETENTION_SQL "))) "
    "AND (payer <> '' OR payer_account <> '' OR remittance <> '')";

static recon_status retention_years(int *years, err_t *err)
{
    *years = RETENTION_DEFAULT_YEARS;
    const char *v = getenv("RECON_RETENTION_YEARS");
    if (v == NULL || *v == '\0')
        return RECON_OK;
    char *end = NULL;
    long n = strtol(v, &end, 10);
    if (*end != '\0' || end == v || n < 0 || n > RETENTION_MAX_YEARS)
        return err_set(err, RECON_EUSAGE,
                       "RECON_RETENTION_YEARS: '%s' is not a number of years 0-%d", v,
                       RETENTION_MAX_YEARS);
    *years = (int)n;
    return RECON_OK;
}

/* The same day `years` years earlier; 29 February becomes the 28th, so a
 * period never ends short of its full years. */
static date_t years_before(date_t d, int years)
{
    int y, m, day;
    date_to_ymd(d, &y, &m, &day);
    y -= years;
    if (y < DATE_MIN_YEAR)
        return date_from_ymd(DATE_MIN_YEAR, 1, 1);
    if (!date_valid(y, m, day))
        day = date_days_in_month(y, m);
    return date_from_ymd(y, m, day);
}

recon_status cmd_retain(const job_options *o, err_t *err)
{
    if (o->before == DATE_NONE || o->arg_count != 0)
        return err_set(err, RECON_EUSAGE, "usage: recon retain --before DATE");
    int years = 0;
    recon_status st = retention_years(&years, err);
    if (st != RECON_OK)
        return st;
    date_t cutoff = years_before(o->before, years);
    char before_text[DATE_STR_SIZE], cutoff_text[DATE_STR_SIZE];
    date_format(o->before, before_text);
    date_format(cutoff, cutoff_text);

    db_t *db = NULL;
    if ((st = job_connect_ready(o, &db, err)) != RECON_OK)
        return st;
    long long run_id = 0;
    run_tally tally = {0};
    if ((st = job_lock(db, err)) != RECON_OK ||
        (st = run_started(db, "retain", o->before, &run_id, err)) != RECON_OK)
        goto out;
    const char *params[] = {cutoff_text};
    long policies = 0, receipts = 0;
    /* Policies first, then receipts: both statements find the same policies,
     * since the first changes no column the second selects on. */
    if ((st = db_begin(db, err)) != RECON_OK)
        goto done;
    if ((st = db_command(db, anonymise_policies_sql, 1, params, &policies, err)) != RECON_OK ||
        (st = db_command(db, anonymise_receipts_sql, 1, params, &receipts, err)) != RECON_OK ||
        (st = db_commit(db, err)) != RECON_OK) {
        db_rollback(db);
        goto done;
    }
    tally.policies = policies;
    tally.receipts = receipts;
    fprintf(o->out,
            "retain: anonymised %ld policies and %ld receipts whose cover ended before %s "
            "(%d years before %s)\n",
            policies, receipts, cutoff_text, years, before_text);
done:
    run_finished(db, run_id, st, &tally, st == RECON_OK ? "" : err->msg);
out:
    db_close(db);
    return st;
}
