/*
 * Retention in the store: the personal data of policies whose cover ended
 * before a cutoff, and of their receipts, anonymised (sql/retain_anonymise.sql
 * holds the rule). Counts are plain values the caller owns.
 */
#ifndef RECON_STORE_RETAIN_H
#define RECON_STORE_RETAIN_H

#include "common/err.h"
#include "core/date.h"
#include "db/client.h"

/* Anonymises, in one transaction of its own, every policy whose last day of cover is
 * before cutoff and the receipts matched to it; *policies and *receipts count the rows
 * changed (0 and 0 when run again). */
recon_status store_retain_anonymise(db_t *db, date_t cutoff, long *policies, long *receipts,
                                    err_t *err);

#endif
