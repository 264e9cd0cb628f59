/*
 * A bounded channel of report rows from the thread that writes the CSV reports to the thread
 * that writes the workbook, so the workbook is made beside the files instead of after them
 * (reading them back). One producer, one consumer; the feed owns the rows it carries, and the
 * consumer's fields are valid during its callback only.
 *
 * Why a channel and not the files: the workbook was a third to a half of a quiet night, all of
 * it after the CSV files, which mostly wait on the database; fed row by row it runs on the
 * second core while they are written. The rows are the very fields the CSV writer writes
 * (formatted and masked), so the sheets still hold exactly the files' rows.
 */
#ifndef RECON_REPORTS_FEED_H
#define RECON_REPORTS_FEED_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "reports/readback.h"

typedef struct feed feed_t;

/* A feed holding at most about capacity bytes of rows in flight: the producer waits when the
 * consumer is that far behind. NULL when out of memory. */
feed_t *feed_new(size_t capacity);
/* Frees the feed; both sides must be done with it. */
void feed_free(feed_t *f);

/* Producer. A file's rows, its header first, between feed_begin and feed_end; files in the
 * order the consumer asks for them. RECON_EOUTPUT "the workbook stopped" once the consumer has
 * failed (its own error says why). */
recon_status feed_begin(feed_t *f, const char *file, err_t *err);
/* Copies the n fields (NULL reads as ""). */
recon_status feed_row(feed_t *f, const char *const *fields, size_t n, err_t *err);
recon_status feed_end(feed_t *f, err_t *err);
/* Every file sent, and whatever the consumer reads after the feed was made final. */
recon_status feed_finish(feed_t *f, err_t *err);
/* The producer failed: the consumer's reads fail from now on. True when the consumer had
 * failed first (so its error, not the producer's "the workbook stopped", says why). */
bool feed_abort(feed_t *f);

/* Consumer. Streams the rows of file to fn (row 0 the header), as readback_rows does for a
 * file on disk; file NULL waits for feed_finish instead. RECON_EINTERNAL when the producer
 * sent another file; RECON_EOUTPUT "the reports stopped" after feed_abort. */
recon_status feed_rows(feed_t *f, const char *file, readback_fn fn, void *ctx, err_t *err);
/* The consumer failed: the producer's calls fail from now on. */
void feed_fail(feed_t *f);

#endif
