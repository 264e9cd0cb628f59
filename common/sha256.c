#include "common/sha256.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A digest cannot be allowed to come out wrong (it decides whether a file is already
 * stored), and the API has no error path for a library context that cannot be made:
 * without memory for it the process stops. */
static void check(int ok)
{
    if (!ok)
        abort();
}

void sha256_init(sha256_ctx *c)
{
    c->md = EVP_MD_CTX_new();
    check(c->md != NULL);
    check(EVP_DigestInit_ex(c->md, EVP_sha256(), NULL));
}

void sha256_update(sha256_ctx *c, const void *data, size_t len)
{
    check(EVP_DigestUpdate(c->md, data, len));
}

void sha256_final(sha256_ctx *c, unsigned char digest[SHA256_DIGEST_SIZE])
{
    unsigned int n = 0;
    check(EVP_DigestFinal_ex(c->md, digest, &n) && n == SHA256_DIGEST_SIZE);
    EVP_MD_CTX_free(c->md);
    c->md = NULL;
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

recon_status sha256_file_hex(const char *path, char out[SHA256_HEX_SIZE], err_t *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(err, RECON_ENOINPUT, "%s: cannot open: %s", path, strerror(errno));
    sha256_ctx c;
    sha256_init(&c);
    unsigned char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        sha256_update(&c, chunk, n);
    recon_status st = RECON_OK;
    if (ferror(f))
        st = err_set(err, RECON_ENOINPUT, "%s: read error: %s", path, strerror(errno));
    fclose(f);
    unsigned char digest[SHA256_DIGEST_SIZE];
    sha256_final(&c, digest); /* also on error: it releases the context */
    if (st == RECON_OK)
        sha256_hex(digest, out);
    return st;
}
