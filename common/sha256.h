/*
 * SHA-256 (FIPS 180-4), used to recognise a statement file already stored, computed by
 * OpenSSL's libcrypto (which uses the CPU's SHA instructions where it has them). The
 * context lives on the caller's stack and nothing here allocates, so a caller may
 * abandon a digest half-way (a report stopped by a signal does): that is why the
 * stack-held SHA256_CTX is used rather than EVP, whose context is allocated.
 */
#ifndef RECON_COMMON_SHA256_H
#define RECON_COMMON_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* SHA256_Init and friends are marked deprecated in OpenSSL 3 in favour of EVP; they
 * remain supported and run the same code. */
#ifndef OPENSSL_SUPPRESS_DEPRECATED
#define OPENSSL_SUPPRESS_DEPRECATED
#endif
#include <openssl/sha.h>

#include "common/err.h"

#define SHA256_DIGEST_SIZE 32
#define SHA256_HEX_SIZE 65 /* 64 lowercase hex digits + NUL */

typedef struct sha256_ctx {
    SHA256_CTX c;
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
