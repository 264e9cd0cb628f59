/*
 * Transaction keys for statements that carry no transaction id: a hash of
 * source, booking date, amount and reference plus an occurrence counter, so two
 * identical payments on one day in one file stay two. The caller owns the table.
 */
#ifndef RECON_PARSERS_FINGERPRINT_H
#define RECON_PARSERS_FINGERPRINT_H

#include <stdbool.h>

#include "common/err.h"
#include "parsers/receipt.h"

typedef struct fingerprint_table fingerprint_table;

fingerprint_table *fingerprint_table_new(void);
void fingerprint_table_free(fingerprint_table *t);

/* Sets r->transaction_key to "fp-<16 hex>-<occurrence>" from r->source,
 * booking date, amount and the given reference (may be NULL or ""). */
recon_status fingerprint_assign(fingerprint_table *t, receipt_t *r, const char *reference,
                                err_t *err);

#endif
