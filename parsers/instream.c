#include "parsers/instream.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define PEEK_SIZE 65536

struct instream {
    char *name;
    int fd;                  /* a plain (not gzip) regular file read as is, else -1 */
    gzFile gz;               /* gzip or not a regular file; NULL for the others */
    const unsigned char *mem;
    size_t mem_len, mem_pos;
    instream_read_fn cb;     /* callback streams (zip members) */
    void *cb_ctx;
    unsigned char peek[PEEK_SIZE];
    size_t peek_len, peek_pos;
    bool peeked;
    uint64_t produced, limit;
};

static instream_t *alloc_stream(const char *name)
{
    instream_t *in = calloc(1, sizeof *in);
    if (in == NULL)
        return NULL;
    in->name = strdup(name);
    if (in->name == NULL) {
        free(in);
        return NULL;
    }
    in->limit = INSTREAM_DEFAULT_LIMIT;
    in->fd = -1;
    return in;
}

/* A regular file that does not open with the gzip magic: zlib would only copy it, one
 * more pass over every byte (issue 16), so it is read with read(2). Anything else
 * (gzip, pipes, what cannot be read at offset 0) goes through zlib as before. */
static bool plain_file(int fd)
{
    struct stat sb;
    unsigned char magic[2];
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
        return false;
    ssize_t n = pread(fd, magic, sizeof magic, 0);
    if (n < 0)
        return false;
    return n < 2 || magic[0] != 0x1f || magic[1] != 0x8b;
}

recon_status instream_open(const char *path, instream_t **out, err_t *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set(err, RECON_ENOINPUT, "%s: cannot open: %s", path, strerror(errno));
    instream_t *in = alloc_stream(path);
    if (in == NULL) {
        close(fd);
        return err_set(err, RECON_EINTERNAL, "%s: out of memory", path);
    }
    if (plain_file(fd)) {
        in->fd = fd;
        *out = in;
        return RECON_OK;
    }
    in->gz = gzdopen(fd, "rb");
    if (in->gz == NULL) {
        close(fd);
        instream_close(in);
        return err_set(err, RECON_EINTERNAL, "%s: cannot open stream", path);
    }
    gzbuffer(in->gz, 65536);
    *out = in;
    return RECON_OK;
}

/* The one constructor of streams that read no file: bytes in memory, or a callback. */
static recon_status open_source(const char *name, const void *data, size_t len,
                                instream_read_fn read_fn, void *ctx, instream_t **out,
                                err_t *err)
{
    instream_t *in = alloc_stream(name);
    if (in == NULL)
        return err_set(err, RECON_EINTERNAL, "%s: out of memory", name);
    in->mem = data;
    in->mem_len = len;
    in->cb = read_fn;
    in->cb_ctx = ctx;
    *out = in;
    return RECON_OK;
}

recon_status instream_open_memory(const char *name, const void *data, size_t len,
                                  instream_t **out, err_t *err)
{
    return open_source(name, data, len, NULL, NULL, out, err);
}

recon_status instream_open_callback(const char *name, instream_read_fn read_fn, void *ctx,
                                    instream_t **out, err_t *err)
{
    return open_source(name, NULL, 0, read_fn, ctx, out, err);
}

/* Up to cap bytes of src[*pos..len) into dst, *pos moved past them: how bytes already in
 * memory (a memory stream, the peeked head) are read. */
static ssize_t take(const unsigned char *src, size_t len, size_t *pos, void *dst, size_t cap)
{
    size_t n = len - *pos;
    if (n > cap)
        n = cap;
    memcpy(dst, src + *pos, n);
    *pos += n;
    return (ssize_t)n;
}

static ssize_t raw_read(instream_t *in, void *dst, size_t cap, err_t *err)
{
    if (in->cb != NULL)
        return in->cb(in->cb_ctx, dst, cap, err);
    if (in->fd >= 0) {
        ssize_t n;
        do
            n = read(in->fd, dst, cap);
        while (n < 0 && errno == EINTR);
        if (n < 0)
            err_set(err, RECON_EDATA, "%s: cannot read: %s", in->name, strerror(errno));
        return n;
    }
    if (in->gz == NULL) {
        return take(in->mem, in->mem_len, &in->mem_pos, dst, cap);
    }
    unsigned want = cap > (1u << 30) ? (1u << 30) : (unsigned)cap;
    int n = gzread(in->gz, dst, want);
    if (n < 0) {
        int code = 0;
        const char *msg = gzerror(in->gz, &code);
        err_set(err, RECON_EDATA, "%s: corrupt compressed data: %s", in->name, msg);
        return -1;
    }
    if (n == 0 && !gzeof(in->gz)) {
        int code = 0;
        const char *msg = gzerror(in->gz, &code);
        if (code != Z_OK) {
            err_set(err, RECON_EDATA, "%s: truncated or corrupt compressed data: %s", in->name,
                    msg);
            return -1;
        }
    }
    return n;
}

static ssize_t counted_read(instream_t *in, void *dst, size_t cap, err_t *err)
{
    ssize_t n = raw_read(in, dst, cap, err);
    if (n > 0) {
        in->produced += (uint64_t)n;
        if (in->produced > in->limit) {
            err_set(err, RECON_EDATA,
                    "%s: input exceeds the size limit of %" PRIu64
                    " bytes (decompression bomb?); hint: RECON_MAX_INPUT raises it",
                    in->name, in->limit);
            return -1;
        }
    }
    return n;
}

recon_status instream_peek(instream_t *in, const unsigned char **bytes, size_t *len, err_t *err)
{
    if (!in->peeked) {
        in->peeked = true;
        while (in->peek_len < PEEK_SIZE) {
            ssize_t n = counted_read(in, in->peek + in->peek_len, PEEK_SIZE - in->peek_len, err);
            if (n < 0)
                return err->status;
            if (n == 0)
                break;
            in->peek_len += (size_t)n;
        }
    }
    *bytes = in->peek + in->peek_pos;
    *len = in->peek_len - in->peek_pos;
    return RECON_OK;
}

ssize_t instream_read(instream_t *in, void *dst, size_t cap, err_t *err)
{
    if (in->peek_pos < in->peek_len) {
        return take(in->peek, in->peek_len, &in->peek_pos, dst, cap);
    }
    return counted_read(in, dst, cap, err);
}

const char *instream_name(const instream_t *in) { return in->name; }

bool instream_was_gzip(const instream_t *in) { return in->gz != NULL && !gzdirect(in->gz); }

void instream_set_limit(instream_t *in, uint64_t max_bytes) { in->limit = max_bytes; }

void instream_close(instream_t *in)
{
    if (in == NULL)
        return;
    if (in->gz)
        gzclose(in->gz);
    if (in->fd >= 0)
        close(in->fd);
    free(in->name);
    free(in);
}
