/*
 * `recon policies load FILE.csv`: upserts the policy register. Each policy's due-date
 * schedule (rules.md section 2) is checked here and computed again by the core wherever
 * it is needed; it is not stored.
 */
#include <stdio.h>
#include <string.h>

#include "core/schedule.h"
#include "jobs/register.h"

static const char *const policy_columns[] = {
    "policy_no", "holder_name", "holder_id_no", "payment_mode", "start_date",
    "end_date",  "premium",     "net_premium",  "currency",     "payer_account",
};

/* The terms of a row, checked, including that its schedule fits (the core computes it
 * again from these terms wherever it is needed). */
static recon_status policy_terms_of(const char *file, const register_row *row,
                                    policy_terms *t_out, err_t *err)
{
    date_t due[SCHEDULE_MAX_INSTALLMENTS];
    size_t n = 0;
    const char *no = register_field(row, 0), *name = register_field(row, 1);
    const char *mode_s = register_field(row, 3), *end_s = register_field(row, 5);
    const char *premium_s = register_field(row, 6), *net_s = register_field(row, 7);
    policy_terms t = {0};
    recon_status st;
    if (!register_policy_no_valid(no))
        return register_bad_field(err, file, row, "policy_no", no,
                                  "expected 1-40 letters, digits, '-' or '_'");
    if (*name == '\0')
        return register_bad_field(err, file, row, "holder_name", name, "must not be empty");
    if (!payment_mode_from_name(mode_s, &t.mode))
        return register_bad_field(err, file, row, "payment_mode", mode_s,
                                  "expected monthly or single");
    if ((st = register_date(file, row, "start_date", register_field(row, 4), &t.start_date,
                            err)))
        return st;
    t.end_date = policy_default_end(t.start_date);
    if (*end_s && (st = register_date(file, row, "end_date", end_s, &t.end_date, err)))
        return st;
    if (t.end_date < t.start_date)
        return register_bad_field(err, file, row, "end_date", end_s, "before start_date");
    if ((st = register_money(file, row, "premium", premium_s, &t.premium, err)))
        return st;
    if (t.premium <= 0)
        return register_bad_field(err, file, row, "premium", premium_s, "must be positive");
    t.net_premium = t.premium;
    if (*net_s && (st = register_money(file, row, "net_premium", net_s, &t.net_premium, err)))
        return st;
    if (t.net_premium < 0 || t.net_premium > t.premium)
        return register_bad_field(err, file, row, "net_premium", net_s,
                                  "must be between 0 and premium");
    const char *currency = *register_field(row, 8) ? register_field(row, 8) : "CNY";
    if (strcmp(currency, "CNY") != 0)
        return register_bad_field(err, file, row, "currency", currency, "policies are in CNY");
    if (!schedule_due_dates(&t, due, SCHEDULE_MAX_INSTALLMENTS, &n))
        return register_bad_field(err, file, row, "end_date", end_s,
                                  "period longer than 120 monthly installments");
    *t_out = t;
    return RECON_OK;
}

static recon_status policy_row(const char *file, const register_row *row, buf_t *copy,
                               err_t *err)
{
    policy_terms t;
    recon_status st = policy_terms_of(file, row, &t, err);
    if (st != RECON_OK)
        return st;
    const char *currency = *register_field(row, 8) ? register_field(row, 8) : "CNY";
    bool ok = db_copy_int(copy, row->line, false) &&
              db_copy_field(copy, register_field(row, 0), false) &&
              db_copy_field(copy, register_field(row, 1), false) &&
              db_copy_field(copy, register_field(row, 2), false) &&
              db_copy_field(copy, payment_mode_name(t.mode), false) &&
              db_copy_date(copy, t.start_date, false) && db_copy_date(copy, t.end_date, false) &&
              db_copy_int(copy, t.premium, false) && db_copy_int(copy, t.net_premium, false) &&
              db_copy_field(copy, currency, false) &&
              db_copy_field(copy, register_field(row, 9), true);
    return ok ? RECON_OK : err_set(err, RECON_EINTERNAL, "out of memory");
}

const register_file register_policies_file =
    REGISTER_FILE(policy_columns, policy_row, STORE_REGISTER_POLICIES);

static recon_status policies_merge(db_t *db, long rows, char *summary, size_t cap, err_t *err)
{
    long inserted = 0;
    recon_status st = store_policies_merge(db, &inserted, err);
    snprintf(summary, cap, "%ld policies loaded (%ld new, %ld updated or unchanged)", rows,
             inserted, rows - inserted);
    return st;
}

recon_status cmd_policies_load(const job_options *o, err_t *err)
{
    return register_load(o, &register_policies_file, "usage: recon policies load FILE.csv",
                         policies_merge, err);
}
