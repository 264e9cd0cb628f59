/*
 * A byte stream over a statement file: plain or gzip (detected from the bytes,
 * via zlib), with a cap on decompressed size against decompression bombs.
 * instream_open returns a stream the caller owns and releases with instream_close.
 */
#ifndef RECON_PARSERS_INSTREAM_H
#define RECON_PARSERS_INSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/err.h"

typedef struct instream instream_t;

/* Default cap on bytes produced by one stream (decompressed): 8 GiB; instream_set_limit
 * changes it (callers pass RECON_MAX_INPUT, read once by main). */
#define INSTREAM_DEFAULT_LIMIT ((uint64_t)8 << 30)

recon_status instream_open(const char *path, instream_t **out, err_t *err);
/* A stream over caller-owned memory (tests, zip members already inflated). */
recon_status instream_open_memory(const char *name, const void *data, size_t len,
                                  instream_t **out, err_t *err);
/* A stream whose bytes come from read_fn (returns bytes, 0 at end, -1 with err
 * filled); used for zip members. ctx stays owned by the caller and must outlive
 * the stream. The size limit applies as for files. */
typedef ssize_t (*instream_read_fn)(void *ctx, void *dst, size_t cap, err_t *err);
recon_status instream_open_callback(const char *name, instream_read_fn read_fn, void *ctx,
                                    instream_t **out, err_t *err);
/* Reads up to cap bytes; returns bytes read, 0 at end, -1 on error (err filled). */
ssize_t instream_read(instream_t *in, void *dst, size_t cap, err_t *err);
/* Peeks at the first bytes (decompressed) without consuming them. */
recon_status instream_peek(instream_t *in, const unsigned char **bytes, size_t *len, err_t *err);
const char *instream_name(const instream_t *in);
bool instream_was_gzip(const instream_t *in);
void instream_set_limit(instream_t *in, uint64_t max_bytes);
void instream_close(instream_t *in);

#endif
