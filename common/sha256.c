#include "common/sha256.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

/* libcrypto's reason for the last failure, and its error queue emptied (the queue is
 * per thread and would otherwise name this failure in an unrelated later one). */
static recon_status crypto_failed(err_t *err, const char *what)
{
    char why[256] = "unknown reason";
    unsigned long e = ERR_peek_last_error();
    if (e != 0)
        ERR_error_string_n(e, why, sizeof why);
    ERR_clear_error();
    return err_set(err, RECON_EINTERNAL, "SHA-256 %s failed in libcrypto: %s", what, why);
}

recon_status sha256_init(sha256_ctx *c, err_t *err)
{
    c->failed = false;
    c->md = EVP_MD_CTX_new();
    if (c->md == NULL)
        return crypto_failed(err, "context");
    if (EVP_DigestInit_ex2(c->md, EVP_sha256(), NULL) != 1) {
        sha256_free(c);
        return crypto_failed(err, "start");
    }
    return RECON_OK;
}

void sha256_update(sha256_ctx *c, const void *data, size_t len)
{
    if (c->md == NULL || EVP_DigestUpdate(c->md, data, len) != 1)
        c->failed = true;
}

recon_status sha256_final(sha256_ctx *c, unsigned char digest[SHA256_DIGEST_SIZE], err_t *err)
{
    unsigned int n = 0;
    bool ok = c->md != NULL && !c->failed && EVP_DigestFinal_ex(c->md, digest, &n) == 1 &&
              n == SHA256_DIGEST_SIZE;
    sha256_free(c);
    return ok ? RECON_OK : crypto_failed(err, "digest");
}

void sha256_free(sha256_ctx *c)
{
    EVP_MD_CTX_free(c->md);
    c->md = NULL;
    c->failed = false;
}

void sha256_hex(const unsigned char digest[SHA256_DIGEST_SIZE], char out[SHA256_HEX_SIZE])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[2 * SHA256_DIGEST_SIZE] = '\0';
}

recon_status sha256_buf_hex(const void *data, size_t len, char out[SHA256_HEX_SIZE], err_t *err)
{
    sha256_ctx c;
    unsigned char digest[SHA256_DIGEST_SIZE];
    recon_status st = sha256_init(&c, err);
    if (st != RECON_OK)
        return st;
    sha256_update(&c, data, len);
    if ((st = sha256_final(&c, digest, err)) == RECON_OK)
        sha256_hex(digest, out);
    return st;
}

recon_status sha256_file_hex(const char *path, char out[SHA256_HEX_SIZE], err_t *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(err, RECON_ENOINPUT, "%s: cannot open: %s", path, strerror(errno));
    sha256_ctx c = SHA256_CTX_INIT;
    recon_status st = sha256_init(&c, err);
    unsigned char chunk[65536];
    size_t n;
    while (st == RECON_OK && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        sha256_update(&c, chunk, n);
    if (st == RECON_OK && ferror(f))
        st = err_set(err, RECON_ENOINPUT, "%s: read error: %s", path, strerror(errno));
    fclose(f);
    if (st == RECON_OK) {
        unsigned char digest[SHA256_DIGEST_SIZE];
        if ((st = sha256_final(&c, digest, err)) == RECON_OK)
            sha256_hex(digest, out);
    }
    sha256_free(&c);
    return st;
}
