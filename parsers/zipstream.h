/*
 * Iterates the regular members of a zip archive (minizip) in name order, handing
 * each to a callback as an instream that inflates on demand. The member streams
 * are owned here and valid only during the callback; nothing is returned to free.
 */
#ifndef RECON_PARSERS_ZIPSTREAM_H
#define RECON_PARSERS_ZIPSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "parsers/instream.h"

/* Defaults against zip bombs; parse_file passes RECON_MAX_INPUT as the total. */
#define ZIPSTREAM_MAX_MEMBERS 256
#define ZIPSTREAM_DEFAULT_MAX_TOTAL INSTREAM_DEFAULT_LIMIT

typedef recon_status (*zipstream_member_fn)(void *ctx, instream_t *member,
                                            const char *member_name, err_t *err);

/* True when the bytes start a zip local file header ("PK\3\4"). */
bool zipstream_is_zip(const unsigned char *head, size_t len);

/* With the default caps. Member streams are named "PATH:MEMBER" so errors point into the archive.
 * Directories are skipped; encrypted or symlink members are errors. */
recon_status zipstream_foreach(const char *path, zipstream_member_fn fn, void *ctx, err_t *err);
/* Same with explicit caps on member count and total decompressed bytes (also the cap of
 * each member stream). */
recon_status zipstream_foreach_limited(const char *path, size_t max_members, uint64_t max_total,
                                       zipstream_member_fn fn, void *ctx, err_t *err);

#endif
