/*
 * SHA-256 (FIPS 180-4), used to recognise a statement file already stored, through
 * libcrypto's EVP interface (which uses the CPU's SHA instructions where it has them).
 * The context lives on the caller's stack and holds a library context from
 * sha256_init until sha256_final, which every sha256_init must be paired with.
 */
#ifndef RECON_COMMON_SHA256_H
#define RECON_COMMON_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "common/err.h"

#define SHA256_DIGEST_SIZE 32
#define SHA256_HEX_SIZE 65 /* 64 lowercase hex digits + NUL */

typedef struct sha256_ctx {
    EVP_MD_CTX *md;
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
