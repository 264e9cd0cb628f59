/*
 * SHA-256 (FIPS 180-4), used to recognise a statement file already stored.
 * Small and dependency-free on purpose: recon needs only this one digest and
 * should not pull in a crypto library for it. The context lives on the
 * caller's stack; nothing here allocates.
 */
#ifndef RECON_COMMON_SHA256_H
#define RECON_COMMON_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define SHA256_DIGEST_SIZE 32
#define SHA256_HEX_SIZE 65 /* 64 lowercase hex digits + NUL */

typedef struct sha256_ctx {
    uint32_t state[8];
    uint64_t bytes;          /* message length so far */
    unsigned char block[64]; /* pending input, bytes % 64 of it used */
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t len);
void sha256_final(sha256_ctx *c, unsigned char digest[SHA256_DIGEST_SIZE]);

/* Lowercase hex of a digest. */
void sha256_hex(const unsigned char digest[SHA256_DIGEST_SIZE], char out[SHA256_HEX_SIZE]);

/* Hex digest of a file's raw bytes (compressed files are hashed as stored).
 * RECON_ENOINPUT when the file cannot be opened or read. */
recon_status sha256_file_hex(const char *path, char out[SHA256_HEX_SIZE], err_t *err);

#endif
