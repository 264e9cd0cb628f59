/*
 * Where a policy's receipts came from, for `recon status`. The strings of a
 * row are the store's, valid only during the callback.
 */
#ifndef RECON_STORE_SOURCES_H
#define RECON_STORE_SOURCES_H

#include "core/date.h"
#include "core/money.h"
#include "db/client.h"

typedef struct receipt_source {
    const char *receipt_id, *booking_date, *currency;
    fen_t amount;
    const char *file_name; /* "manual entry" for a receipt entered by hand */
    const char *position, *note;
    const char *also_in; /* "FILE POSITION; ..." of its duplicates, "" when none */
} receipt_source;

typedef void (*receipt_source_fn)(void *ctx, const receipt_source *s);

/* Each receipt matched to policy_no and booked by as_of, by booking date and
 * receipt number; *count says how many. */
recon_status store_receipt_sources(db_t *db, const char *policy_no, date_t as_of,
                                   receipt_source_fn fn, void *ctx, int *count, err_t *err);

#endif
