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
 * so the manifest itself is byte-identical across runs; a name holding a backslash, LF or CR
 * is escaped as sha256sum does (line starts with '\\'). RECON_EINTERNAL for an empty name, a
 * duplicate or malformed hex; RECON_EOUTPUT "cannot write DIR/FILENAME: <strerror>" when writing
 * fails. */
recon_status manifest_write(const char *dir, const char *filename, const manifest_entry *entries,
                            size_t n, err_t *err);

/* A manifest read back: entries in file order. The list owns its names; free it with
 * manifest_list_free. */
typedef struct manifest_list {
    manifest_entry *entries;
    size_t count;
    char *text; /* the file's bytes, which the names point into */
} manifest_list;

/* Reads PATH written by manifest_write (escaped names come back unescaped). RECON_ENOINPUT
 * when it cannot be read,
 * RECON_EDATA naming the line when a line is not "<64 hex>  <name>". */
recon_status manifest_read(const char *path, manifest_list *list, err_t *err);
void manifest_list_free(manifest_list *list);

#endif
