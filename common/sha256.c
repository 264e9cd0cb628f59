#include "common/sha256.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void sha256_init(sha256_ctx *c) { SHA256_Init(&c->c); }

void sha256_update(sha256_ctx *c, const void *data, size_t len) { SHA256_Update(&c->c, data, len); }

void sha256_final(sha256_ctx *c, unsigned char digest[SHA256_DIGEST_SIZE])
{
    SHA256_Final(digest, &c->c);
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
    if (st == RECON_OK) {
        unsigned char digest[SHA256_DIGEST_SIZE];
        sha256_final(&c, digest);
        sha256_hex(digest, out);
    }
    return st;
}
