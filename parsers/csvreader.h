/*
 * Reads a CSV file row by row through libcsv, with physical line numbers and
 * hard limits on field size and field count. Row fields point into the
 * reader's storage and stay valid until the next csvreader_next call.
 */
#ifndef RECON_PARSERS_CSVREADER_H
#define RECON_PARSERS_CSVREADER_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "parsers/instream.h"

#define CSVREADER_MAX_FIELDS 64
#define CSVREADER_MAX_FIELD 4096

typedef struct csvreader csvreader_t;

typedef struct csv_row {
    const char *fields[CSVREADER_MAX_FIELDS];
    size_t count;
    long line;      /* physical line on which the row ends */
} csv_row;

/* The reader borrows `in`; the caller closes it after csvreader_free. */
recon_status csvreader_new(instream_t *in, csvreader_t **out, err_t *err);
/* Fills row; returns RECON_OK with row->count == 0 at end of input. Blank lines are skipped. */
recon_status csvreader_next(csvreader_t *r, csv_row *row, err_t *err);
void csvreader_free(csvreader_t *r);

#endif
