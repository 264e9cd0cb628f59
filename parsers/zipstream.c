#include "parsers/zipstream.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unzip.h>

#include "common/grow.h"
#include "parsers/charset.h"

#define ZIP_NAME_MAX 512

typedef struct zip_member {
    char name[ZIP_NAME_MAX];
    unz64_file_pos pos;
} zip_member;

typedef struct zip_reader {
    unzFile uf;
    const char *stream_name;
    uint64_t declared, produced;
    uint64_t *total, max_total;
} zip_reader;

bool zipstream_is_zip(const unsigned char *head, size_t len)
{
    return len >= 4 && memcmp(head, "PK\x03\x04", 4) == 0;
}

static int member_cmp(const void *a, const void *b)
{
    return strcmp(((const zip_member *)a)->name, ((const zip_member *)b)->name);
}

/* Names without the UTF-8 flag are often GBK: show undecodable bytes as '?'. */
static void printable_name(char *s)
{
    size_t len = strlen(s), bad = 0;
    while (!utf8_valid(s, len, &bad))
        s[bad] = '?';
    for (char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = '?';
}

static ssize_t member_read(void *ctx, void *dst, size_t cap, err_t *err)
{
    zip_reader *zr = ctx;
    unsigned want = cap > (1u << 30) ? (1u << 30) : (unsigned)cap;
    int n = unzReadCurrentFile(zr->uf, dst, want);
    if (n < 0) {
        err_set(err, RECON_EDATA, "%s: corrupt zip member (minizip error %d)", zr->stream_name,
                n);
        return -1;
    }
    zr->produced += (uint64_t)n;
    *zr->total += (uint64_t)n;
    if (zr->produced > zr->declared) {
        err_set(err, RECON_EDATA, "%s: member inflates beyond its declared size of %" PRIu64
                " bytes", zr->stream_name, zr->declared);
        return -1;
    }
    if (*zr->total > zr->max_total) {
        err_set(err, RECON_EDATA,
                "%s: archive inflates beyond the size limit of %" PRIu64
                " bytes (zip bomb?); hint: RECON_MAX_INPUT raises it",
                zr->stream_name, zr->max_total);
        return -1;
    }
    if (n == 0 && zr->produced != zr->declared) {
        err_set(err, RECON_EDATA, "%s: member is truncated (%" PRIu64 " of %" PRIu64 " bytes)",
                zr->stream_name, zr->produced, zr->declared);
        return -1;
    }
    return n;
}

static recon_status list_members(const char *path, unzFile uf, size_t max_members,
                                 uint64_t max_total, zip_member **out, size_t *count, err_t *err)
{
    zip_member *m = NULL;
    size_t n = 0, cap = 0;
    uint64_t declared_total = 0;
    recon_status st = RECON_OK;
    int rc = unzGoToFirstFile(uf);
    for (; rc == UNZ_OK; rc = unzGoToNextFile(uf)) {
        unz_file_info64 info;
        char name[ZIP_NAME_MAX];
        if (unzGetCurrentFileInfo64(uf, &info, name, sizeof name, NULL, 0, NULL, 0) != UNZ_OK) {
            st = err_set(err, RECON_EDATA, "%s: unreadable zip directory entry", path);
            goto out;
        }
        if (info.size_filename >= sizeof name) {
            st = err_set(err, RECON_EDATA, "%s: zip member name longer than %zu bytes", path,
                         sizeof name - 1);
            goto out;
        }
        printable_name(name);
        size_t len = strlen(name);
        if (len > 0 && name[len - 1] == '/')
            continue; /* directory */
        /* Unix-made archives keep st_mode in the high half of external attributes. */
        unsigned long mode = (unsigned long)(info.external_fa >> 16);
        if ((info.version >> 8) == 3 && S_ISLNK(mode)) {
            st = err_set(err, RECON_EDATA, "%s: member %s is a symbolic link", path, name);
            goto out;
        }
        if (info.flag & 1u) {
            st = err_set(err, RECON_EDATA, "%s: member %s is encrypted", path, name);
            goto out;
        }
        if (n == max_members) {
            st = err_set(err, RECON_EDATA, "%s: more than %zu members in the archive", path,
                         max_members);
            goto out;
        }
        declared_total += info.uncompressed_size;
        if (info.uncompressed_size > max_total || declared_total > max_total) {
            st = err_set(err, RECON_EDATA,
                         "%s: archive declares more than the size limit of %" PRIu64
                         " bytes (zip bomb?); hint: RECON_MAX_INPUT raises it",
                         path, max_total);
            goto out;
        }
        if (!GROW(m, cap, n + 1)) {
            st = err_set(err, RECON_EINTERNAL, "out of memory");
            goto out;
        }
        memcpy(m[n].name, name, len + 1);
        if (unzGetFilePos64(uf, &m[n].pos) != UNZ_OK) {
            st = err_set(err, RECON_EDATA, "%s: unreadable zip directory entry", path);
            goto out;
        }
        n++;
    }
    if (rc != UNZ_END_OF_LIST_OF_FILE) {
        st = err_set(err, RECON_EDATA, "%s: corrupt zip directory", path);
        goto out;
    }
    qsort(m, n, sizeof *m, member_cmp);
    *out = m;
    *count = n;
    m = NULL;
out:
    free(m);
    return st;
}

recon_status zipstream_foreach_limited(const char *path, size_t max_members, uint64_t max_total,
                                       zipstream_member_fn fn, void *ctx, err_t *err)
{
    zip_member *members = NULL;
    size_t count = 0;
    uint64_t total = 0;
    instream_t *in = NULL;
    bool opened = false;
    recon_status st = RECON_OK;
    unzFile uf = unzOpen64(path);
    if (uf == NULL)
        return err_set(err, RECON_EDATA, "%s: not a readable zip archive", path);
    if ((st = list_members(path, uf, max_members, max_total, &members, &count, err)) != RECON_OK)
        goto out;
    for (size_t i = 0; i < count; i++) {
        char stream_name[ZIP_NAME_MAX + 4096];
        snprintf(stream_name, sizeof stream_name, "%s:%s", path, members[i].name);
        unz_file_info64 info;
        if (unzGoToFilePos64(uf, &members[i].pos) != UNZ_OK ||
            unzGetCurrentFileInfo64(uf, &info, NULL, 0, NULL, 0, NULL, 0) != UNZ_OK ||
            unzOpenCurrentFile(uf) != UNZ_OK) {
            st = err_set(err, RECON_EDATA, "%s: cannot open zip member", stream_name);
            goto out;
        }
        opened = true;
        zip_reader zr = {uf, stream_name, info.uncompressed_size, 0, &total, max_total};
        if ((st = instream_open_callback(stream_name, member_read, &zr, &in, err)) != RECON_OK)
            goto out;
        instream_set_limit(in, max_total);
        if ((st = fn(ctx, in, members[i].name, err)) != RECON_OK)
            goto out;
        instream_close(in);
        in = NULL;
        opened = false;
        /* minizip checks the CRC only once the whole member has been read. */
        int crc = unzCloseCurrentFile(uf);
        if (crc == UNZ_CRCERROR) {
            st = err_set(err, RECON_EDATA, "%s: crc mismatch; corrupt archive", stream_name);
            goto out;
        }
    }
out:
    instream_close(in);
    if (opened)
        unzCloseCurrentFile(uf);
    unzClose(uf);
    free(members);
    return st;
}

recon_status zipstream_foreach(const char *path, zipstream_member_fn fn, void *ctx, err_t *err)
{
    return zipstream_foreach_limited(path, ZIPSTREAM_MAX_MEMBERS, ZIPSTREAM_DEFAULT_MAX_TOTAL, fn,
                                     ctx, err);
}
