/*
 * Writer of MANIFEST.sha256 / INPUTS.sha256 (`sha256sum -c` format); entries and their strings
 * stay owned by the caller, and the file is published atomically like every report.
 */
#ifndef RECON_REPORTS_MANIFEST_H
#define RECON_REPORTS_MANIFEST_H

#include <stddef.h>

#include "common/err.h"
#include "common/sha256.h" /* also provides sha256_file_hex() for files hashed after the fact */

typedef struct manifest_entry {
    const char *name;                /* path relative to the manifest's directory */
    char sha256_hex[SHA256_HEX_SIZE]; /* 64 lowercase hex digits, e.g. from gzcsv_close */
} manifest_entry;

/* Writes DIR/FILENAME with one "<64 hex>  <name>\n" line per entry, sorted by name (bytewise)
 * so the manifest itself is byte-identical across runs. RECON_EINTERNAL for an entry that
 * `sha256sum -c` could not read back (empty name, newline or backslash in it, a duplicate,
 * malformed hex); RECON_EOUTPUT "cannot write DIR/FILENAME: <strerror>" when writing fails. */
recon_status manifest_write(const char *dir, const char *filename, const manifest_entry *entries,
                            size_t n, err_t *err);

#endif
