/*
 * `recon retain --before DATE`: the retention job of rules.md section 9. Personal
 * data of policies whose cover ended more than RECON_RETENTION_YEARS (default 5,
 * o->config.retention_years) years before DATE is anonymised: the holder's name, ID number and payer account
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
#include "jobs/jobs.h"
#include "jobs/pipeline.h"
#include "store/retain.h"

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

static recon_status retain_work(db_t *db, void *ctx, run_tally *tally, err_t *err)
{
    const job_options *o = ctx;
    int years = o->config.retention_years;
    date_t cutoff = years_before(o->before, years);
    char before_text[DATE_STR_SIZE], cutoff_text[DATE_STR_SIZE];
    date_format(o->before, before_text);
    date_format(cutoff, cutoff_text);
    long policies = 0, receipts = 0;
    recon_status st = store_retain_anonymise(db, cutoff, &policies, &receipts, err);
    if (st != RECON_OK)
        return st;
    tally->policies = policies;
    tally->receipts = receipts;
    fprintf(o->out,
            "retain: anonymised %ld policies and %ld receipts whose cover ended before %s "
            "(%d years before %s)\n",
            policies, receipts, cutoff_text, years, before_text);
    return RECON_OK;
}

recon_status cmd_retain(const job_options *o, err_t *err)
{
    if (o->before == DATE_NONE || o->arg_count != 0)
        return err_set(err, RECON_EUSAGE, "usage: recon retain --before DATE");
    return run_recorded(o, "retain", o->before, retain_work, (void *)o, err);
}
