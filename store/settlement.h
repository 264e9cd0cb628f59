/*
 * The provider settlement check as stored in settlement_checks. Inputs are
 * the caller's plain values; the count returned is the caller's.
 */
#ifndef RECON_STORE_SETTLEMENT_H
#define RECON_STORE_SETTLEMENT_H

#include "core/date.h"
#include "db/client.h"

/* A provider's settlement account (provider "wechat" or "alipay"). */
typedef struct store_settlement_account {
    const char *provider, *account;
} store_settlement_account;

/* Replaces settlement_checks: each settlement credit known by as_of from one of
 * the n accounts, against its provider's bill rows booked lag_days before it;
 * *differences counts the checks that do not add up or found no bill. */
recon_status store_settlement_check(db_t *db, const store_settlement_account *accounts,
                                    size_t n, int lag_days, date_t as_of, long *differences,
                                    err_t *err);

#endif
