/*
 * Reading back a report this run has just written: the workbook and the page are made from
 * the CSV files themselves, so they hold exactly their rows, masked the same way. Fields
 * belong to the reader and are valid during the callback only.
 */
#ifndef RECON_REPORTS_READBACK_H
#define RECON_REPORTS_READBACK_H

#include <stddef.h>

#include "common/err.h"

#define READBACK_MAX_FIELDS 32

/* Called for each row, the header first (row 0), with its fields (NUL-terminated) and their
 * count; a status other than RECON_OK stops the reading and is returned. */
typedef recon_status (*readback_fn)(void *ctx, long row, char **f, size_t n, err_t *err);

/* Streams the rows of DIR/NAME to fn: opened in dirfd (the checked OUT/DATE) without
 * following a link, a regular file only, gunzipped and split by libcsv (strict).
 * RECON_EOUTPUT naming the file when it cannot be read; RECON_EINTERNAL for malformed CSV
 * or a row of more than READBACK_MAX_FIELDS fields. */
recon_status readback_rows(int dirfd, const char *dir, const char *name, readback_fn fn,
                           void *ctx, err_t *err);

#endif
