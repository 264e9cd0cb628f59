/*
 * SHA-256 (FIPS 180-4), used to recognise a statement file already stored, computed by
 * OpenSSL's libcrypto through its EVP interface (which uses the CPU's SHA instructions
 * where it has them). A started digest owns a libcrypto context: sha256_final releases
 * it, and a digest abandoned before its final (an error, a report stopped by a signal)
 * must be released with sha256_free, which is also safe on a zeroed, failed, finished or
 * already freed context. The one-shot helpers leave nothing to release.
 */
#ifndef RECON_COMMON_SHA256_H
#define RECON_COMMON_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "common/err.h"

#define SHA256_DIGEST_SIZE 32
#define SHA256_HEX_SIZE 65 /* 64 lowercase hex digits + NUL */

typedef struct sha256_ctx {
    EVP_MD_CTX *md; /* NULL when not started, finished or freed */
    bool failed;    /* an update failed: the final reports it */
} sha256_ctx;

/* A context that holds nothing (what sha256_free leaves). */
#define SHA256_CTX_INIT {NULL, false}

/* Starts a digest in c (which must hold no started one). RECON_EINTERNAL when libcrypto
 * cannot (out of memory, SHA-256 unavailable); c then holds nothing. */
recon_status sha256_init(sha256_ctx *c, err_t *err);
/* Adds bytes; a failure is kept and reported by sha256_final. */
void sha256_update(sha256_ctx *c, const void *data, size_t len);
/* Writes the digest and releases the context, whether or not it succeeds. */
recon_status sha256_final(sha256_ctx *c, unsigned char digest[SHA256_DIGEST_SIZE], err_t *err);
/* Releases a digest abandoned before its final; a no-op on a context holding nothing. */
void sha256_free(sha256_ctx *c);

/* Lowercase hex of a digest. */
void sha256_hex(const unsigned char digest[SHA256_DIGEST_SIZE], char out[SHA256_HEX_SIZE]);

/* Hex digest of len bytes at data, in one call. */
recon_status sha256_buf_hex(const void *data, size_t len, char out[SHA256_HEX_SIZE], err_t *err);

/* Hex digest of a file's raw bytes (compressed files are hashed as stored).
 * RECON_ENOINPUT when the file cannot be opened or read. */
recon_status sha256_file_hex(const char *path, char out[SHA256_HEX_SIZE], err_t *err);

#endif
