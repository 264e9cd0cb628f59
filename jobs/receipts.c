/*
 * `recon receipts load FILE.csv`: receipts entered by hand (money no statement file
 * carries). A receipt of zero records no money and is refused; the same transaction
 * seen twice counts once.
 */
#include <stdio.h>
#include <string.h>

#include "core/currency.h"
#include "jobs/register.h"

static const char *const receipt_columns[] = {"source",   "transaction_key", "booking_date",
                                              "amount",   "currency",        "policy_no",
                                              "payer",    "remittance"};

static recon_status receipt_row(const char *file, const register_row *row, buf_t *copy,
                                err_t *err)
{
    const char *source = register_field(row, 0), *key = register_field(row, 1);
    const char *amount_s = register_field(row, 3), *currency = register_field(row, 4);
    const char *policy = register_field(row, 5);
    date_t d;
    fen_t amount;
    recon_status st;
    if (*source == '\0' || strlen(source) > 140)
        return register_bad_field(err, file, row, "source", source, "expected 1-140 characters");
    if (*key == '\0' || strlen(key) > 140)
        return register_bad_field(err, file, row, "transaction_key", key,
                                  "expected 1-140 characters");
    if ((st = register_date(file, row, "booking_date", register_field(row, 2), &d, err)))
        return st;
    if ((st = register_money(file, row, "amount", amount_s, &amount, err)))
        return st;
    if (amount == 0)
        return register_bad_field(err, file, row, "amount", amount_s,
                                  "a receipt of zero records no money; remove the line");
    if (!currency_code_valid(currency))
        return register_bad_field(err, file, row, "currency", currency,
                                  "expected an ISO 4217 code");
    if (*policy && !register_policy_no_valid(policy))
        return register_bad_field(err, file, row, "policy_no", policy,
                                  "expected 1-40 letters, digits, '-' or '_'");
    bool ok = db_copy_int(copy, row->line, false) && db_copy_field(copy, source, false) &&
              db_copy_field(copy, key, false) && db_copy_date(copy, d, false) &&
              db_copy_int(copy, amount, false) && db_copy_field(copy, currency, false) &&
              (*policy ? db_copy_field(copy, policy, false) : db_copy_null(copy, false)) &&
              db_copy_field(copy, register_field(row, 6), false) &&
              db_copy_field(copy, register_field(row, 7), true);
    return ok ? RECON_OK : err_set(err, RECON_EINTERNAL, "out of memory");
}

static const register_file receipts_file =
    REGISTER_FILE(receipt_columns, receipt_row, STORE_REGISTER_RECEIPTS);

static recon_status receipts_merge(db_t *db, long rows, char *summary, size_t cap, err_t *err)
{
    long inserted = 0;
    recon_status st = store_manual_receipts_merge(db, &inserted, err);
    snprintf(summary, cap, "%ld receipts, %ld new, %ld already stored", rows, inserted,
             rows - inserted);
    return st;
}

recon_status cmd_receipts_load(const job_options *o, err_t *err)
{
    return register_load(o, &receipts_file, "usage: recon receipts load FILE.csv",
                         receipts_merge, err);
}
