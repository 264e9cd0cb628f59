#include "reports/gzcsv.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libdeflate.h>

#include "common/buf.h"
#include "common/safefile.h"

/* gzip header OS field: 3 = Unix. Fixed rather than taken from a library's build so the bytes
 * do not depend on where recon was compiled. */
#define GZIP_OS_UNIX 3
#define GZIP_HEADER_SIZE 10
#define GZIP_TRAILER_SIZE 8

/* Blocks in the ring between the caller and the compression thread: one being filled, one
 * being compressed, one queued, so neither side waits for the other on a short stall. */
#define GZCSV_BLOCKS 3

/* Why members and a thread: deflate at level 6 is most of a report's CPU time. libdeflate at
 * the same level compresses 2-3x faster than zlib (and a little smaller), but it compresses
 * whole buffers only, so the report is cut into GZCSV_MEMBER-byte pieces of input, each
 * compressed on its own into one gzip member (RFC 1952 section 2.2: a gzip file is a series of
 * members; gzip, zcat and Python's gzip module read them as one stream). A worker thread
 * compresses piece N while the caller formats piece N+1. The cut points depend only on the
 * byte count, and each member only on its own piece, so the file is the same on every run
 * whatever the threads' timing; the ring bounds memory (GZCSV_BLOCKS pieces plus one output
 * buffer per writer) and makes the caller wait when compression falls behind. */
struct gzcsv {
    /* Owned by the caller's thread. */
    bool sync_ready;  /* mu and cv initialised */
    bool worker_on;   /* the worker runs and must be joined */
    int dirfd;        /* DIR, opened without following a link and checked; -1 when closed */
    char *final_path; /* DIR/NAME, the path shown in messages */
    buf_t row;        /* one formatted CSV record, reused */
    err_t err;        /* first failure; sticky, so a half-written stream is never finished */
    size_t fill;      /* the block being filled */
    size_t in_len;    /* bytes in that block */
    pthread_t worker;

    /* Shared, under mu: blocks handed over and not yet compressed are queued blocks starting at
     * next; the caller waits on cv for a free block, the worker for a queued one. */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t next, queued;
    bool discard;             /* abort: drop queued blocks unread */
    bool worker_failed;       /* werr is set; read by the caller under mu */
    size_t len[GZCSV_BLOCKS]; /* bytes in each queued block */
    bool last[GZCSV_BLOCKS];  /* the block that ends the stream */
    unsigned char (*in)[GZCSV_MEMBER];

    /* Owned by the worker from gzcsv_open until it is joined. */
    int level;
    safefile_t sf; /* the unique temporary DIR/.NAME.XXXXXX; sf.fd is -1 once closed */
    struct libdeflate_compressor *zc;
    sha256_ctx sha;
    err_t werr;       /* the worker's first failure */
    bool wrote_any;   /* a member was written: an empty report still gets one (empty) member */
    unsigned char *out; /* header + deflate bound of one piece + trailer */
    size_t out_cap;
};

/* Builds DIR/NAME, the path messages show. */
static recon_status make_path(const char *dir, const char *name, char **final_path, err_t *err)
{
    *final_path = NULL;
    if (name == NULL || name[0] == '\0' || strchr(name, '/') != NULL || strcmp(name, ".") == 0 ||
        strcmp(name, "..") == 0)
        return err_set(err, RECON_EINTERNAL, "invalid report file name '%s'", name ? name : "");
    buf_t f = BUF_INIT;
    size_t dlen = strlen(dir);
    /* "out/" and "out" name the same directory; avoid "out//x" in messages. */
    const char *sep = (dlen > 0 && dir[dlen - 1] == '/') ? "" : "/";
    if (!buf_printf(&f, "%s%s%s", dir, sep, name)) {
        buf_free(&f);
        return err_set(err, RECON_EINTERNAL, "out of memory");
    }
    *final_path = f.data;
    return RECON_OK;
}

static void put_le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* Worker: writes one piece of input as one gzip member (header without name or time, raw
 * deflate, CRC-32 and length) and hashes exactly what went to disk. */
static recon_status write_member(gzcsv_t *g, const unsigned char *data, size_t len)
{
    unsigned char *o = g->out;
    o[0] = 0x1f;
    o[1] = 0x8b;
    o[2] = 8;             /* deflate */
    o[3] = 0;             /* no FTEXT, FHCRC, FEXTRA, FNAME, FCOMMENT */
    put_le32(o + 4, 0);   /* MTIME: none */
    o[8] = g->level >= 9 ? 2 : g->level < 2 ? 4 : 0; /* XFL as zlib sets it */
    o[9] = GZIP_OS_UNIX;
    size_t n = libdeflate_deflate_compress(g->zc, data, len, o + GZIP_HEADER_SIZE,
                                           g->out_cap - GZIP_HEADER_SIZE - GZIP_TRAILER_SIZE);
    if (n == 0) /* cannot happen with the bound's room; guards against a truncated member */
        return err_set(&g->werr, RECON_EINTERNAL, "cannot write %s: deflate output too large",
                       g->final_path);
    put_le32(o + GZIP_HEADER_SIZE + n, libdeflate_crc32(0, data, len));
    put_le32(o + GZIP_HEADER_SIZE + n + 4, (uint32_t)len); /* ISIZE: length mod 2^32 */
    n += GZIP_HEADER_SIZE + GZIP_TRAILER_SIZE;
    if (safefile_write(&g->sf, o, n, &g->werr) != RECON_OK)
        return g->werr.status;
    sha256_update(&g->sha, o, n);
    g->wrote_any = true;
    return RECON_OK;
}

/* Worker: compresses queued blocks in order until the last one. After a failure it keeps
 * taking blocks without compressing them, so the caller never waits for a free block forever. */
static void *compress_worker(void *arg)
{
    gzcsv_t *g = arg;
    bool failed = false;
    pthread_mutex_lock(&g->mu);
    for (;;) {
        while (g->queued == 0)
            pthread_cond_wait(&g->cv, &g->mu);
        size_t b = g->next;
        bool last = g->last[b];
        bool skip = failed || g->discard;
        size_t len = g->len[b];
        pthread_mutex_unlock(&g->mu);
        /* A full piece is cut without waiting for more, so the last block may be empty; it
         * only makes a member when the report would otherwise have none. */
        if (!skip && (len > 0 || (last && !g->wrote_any)) &&
            write_member(g, g->in[b], len) != RECON_OK)
            failed = true;
        pthread_mutex_lock(&g->mu);
        if (failed)
            g->worker_failed = true;
        g->next = (b + 1) % GZCSV_BLOCKS;
        g->queued--;
        pthread_cond_broadcast(&g->cv);
        if (last)
            break;
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

/* Hands the block being filled to the worker and waits for a free one. Returns the writer's
 * status: a worker failure becomes the caller's sticky error here. */
static recon_status submit(gzcsv_t *g, bool last)
{
    pthread_mutex_lock(&g->mu);
    g->len[g->fill] = g->in_len;
    g->last[g->fill] = last;
    g->queued++;
    pthread_cond_broadcast(&g->cv);
    while (!last && g->queued == GZCSV_BLOCKS)
        pthread_cond_wait(&g->cv, &g->mu);
    bool failed = g->worker_failed;
    pthread_mutex_unlock(&g->mu);
    g->fill = (g->fill + 1) % GZCSV_BLOCKS;
    g->in_len = 0;
    /* The worker wrote werr before setting worker_failed under mu and never touches it again. */
    if (failed && g->err.status == RECON_OK)
        g->err = g->werr;
    return g->err.status;
}

/* Waits for the worker to end (after it took a last block) and frees its thread. */
static void join_worker(gzcsv_t *g)
{
    if (g->worker_on) {
        pthread_join(g->worker, NULL);
        g->worker_on = false;
    }
}

static recon_status feed(gzcsv_t *g, const void *data, size_t len)
{
    const unsigned char *p = data;
    while (len > 0) {
        size_t take = GZCSV_MEMBER - g->in_len;
        if (take > len)
            take = len;
        memcpy(g->in[g->fill] + g->in_len, p, take);
        g->in_len += take;
        p += take;
        len -= take;
        if (g->in_len == GZCSV_MEMBER && submit(g, false) != RECON_OK)
            return g->err.status;
    }
    return RECON_OK;
}

/* Reports the writer's (sticky) status to the caller's err. */
static recon_status report(const gzcsv_t *g, err_t *err)
{
    if (g->err.status != RECON_OK && err != NULL)
        *err = g->err;
    return g->err.status;
}

static void destroy(gzcsv_t *g)
{
    if (g->worker_on) {
        /* Abandoned midway: the worker drops what is queued and ends at an empty last block
         * (there is always a free block: submit only returns with one). */
        pthread_mutex_lock(&g->mu);
        g->discard = true;
        pthread_mutex_unlock(&g->mu);
        g->in_len = 0;
        submit(g, true);
        join_worker(g);
    }
    if (g->sync_ready) {
        pthread_cond_destroy(&g->cv);
        pthread_mutex_destroy(&g->mu);
    }
    safefile_discard(&g->sf);
    if (g->dirfd >= 0)
        close(g->dirfd);
    libdeflate_free_compressor(g->zc);
    free(g->out);
    buf_free(&g->row);
    sha256_free(&g->sha);
    free(g->in);
    free(g->final_path);
    free(g);
}

recon_status gzcsv_open(const char *dir, const char *name, int level, gzcsv_t **out, err_t *err)
{
    recon_status st = RECON_OK;
    *out = NULL;
    /* The setting is checked where it is read (jobs/config); a caller passing anything else
     * is a bug, never a silent change of the archived files' bytes. */
    if (level < 1 || level > 9)
        return err_set(err, RECON_EINTERNAL, "cannot write %s: gzip level %d is not 1-9", name,
                       level);
    gzcsv_t *g = calloc(1, sizeof *g);
    if (g == NULL)
        return err_set(err, RECON_EINTERNAL, "out of memory");
    g->sf.fd = -1;
    g->sf.tmp[0] = '\0';
    g->dirfd = -1;
    g->row = (buf_t)BUF_INIT;
    err_clear(&g->err);
    err_clear(&g->werr);
    if ((st = sha256_init(&g->sha, err)) != RECON_OK ||
        (st = make_path(dir, name, &g->final_path, err)) != RECON_OK)
        goto fail;
    g->level = level;
    /* libdeflate's levels 1-9 are zlib's scale (it adds 10-12 above them). */
    g->zc = libdeflate_alloc_compressor(level);
    if (g->zc == NULL) {
        st = err_set(err, RECON_EINTERNAL, "out of memory");
        goto fail;
    }
    g->out_cap = GZIP_HEADER_SIZE + libdeflate_deflate_compress_bound(g->zc, GZCSV_MEMBER) +
                 GZIP_TRAILER_SIZE;
    g->out = malloc(g->out_cap);
    if (g->out == NULL) {
        st = err_set(err, RECON_EINTERNAL, "out of memory");
        goto fail;
    }
    if ((st = safefile_open_dir(dir, g->final_path, &g->dirfd, err)) != RECON_OK ||
        (st = safefile_create(g->dirfd, name, SAFEFILE_MODE, g->final_path, &g->sf, err)) !=
            RECON_OK)
        goto fail;
    g->in = malloc(GZCSV_BLOCKS * sizeof *g->in);
    if (g->in == NULL) {
        st = err_set(err, RECON_EINTERNAL, "out of memory");
        goto fail;
    }
    if (pthread_mutex_init(&g->mu, NULL) != 0) {
        st = err_set(err, RECON_EINTERNAL, "cannot write %s: no mutex", g->final_path);
        goto fail;
    }
    if (pthread_cond_init(&g->cv, NULL) != 0) {
        pthread_mutex_destroy(&g->mu);
        st = err_set(err, RECON_EINTERNAL, "cannot write %s: no condition variable",
                     g->final_path);
        goto fail;
    }
    g->sync_ready = true;
    int e = pthread_create(&g->worker, NULL, compress_worker, g);
    if (e != 0) {
        st = err_set(err, RECON_EINTERNAL, "cannot write %s: cannot start a thread: %s",
                     g->final_path, strerror(e));
        goto fail;
    }
    g->worker_on = true;
    *out = g;
    return RECON_OK;
fail:
    destroy(g);
    return st;
}

recon_status gzcsv_row(gzcsv_t *g, const char *const *fields, size_t n, err_t *err)
{
    if (g->err.status != RECON_OK)
        return report(g, err);
    buf_reset(&g->row);
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        if (i > 0)
            ok = buf_append_char(&g->row, ',');
        if (ok)
            ok = buf_append_csv_field(&g->row, fields[i] ? fields[i] : "");
    }
    if (ok)
        ok = buf_append_char(&g->row, '\n');
    if (!ok)
        err_set(&g->err, RECON_EINTERNAL, "out of memory");
    else
        feed(g, g->row.data, g->row.len);
    return report(g, err);
}

recon_status gzcsv_header(gzcsv_t *g, const char *const *fields, size_t n, err_t *err)
{
    return gzcsv_row(g, fields, n, err);
}

recon_status gzcsv_write_text(gzcsv_t *g, const char *text, size_t len, err_t *err)
{
    if (g->err.status == RECON_OK)
        feed(g, text, len);
    return report(g, err);
}

recon_status gzcsv_close(gzcsv_t *g, char hex_out[SHA256_HEX_SIZE], err_t *err)
{
    recon_status st = g->err.status;
    if (st != RECON_OK)
        goto done;
    submit(g, true);
    join_worker(g); /* the stream is complete (or failed); fd and sha are ours again */
    if (g->werr.status != RECON_OK)
        g->err = g->werr;
    st = g->err.status;
    if (st != RECON_OK)
        goto done;
    /* The digest first: a report is only committed with its hash. */
    unsigned char digest[SHA256_DIGEST_SIZE];
    if ((st = sha256_final(&g->sha, digest, &g->err)) != RECON_OK ||
        (st = safefile_commit(&g->sf, &g->err)) != RECON_OK)
        goto done;
    if (hex_out != NULL)
        sha256_hex(digest, hex_out);
done:
    report(g, err);
    destroy(g);
    return st;
}

void gzcsv_abort(gzcsv_t *g)
{
    if (g != NULL)
        destroy(g);
}

recon_status report_write_atomic(const char *dir, const char *name, const void *data, size_t len,
                                 err_t *err)
{
    char *final_path = NULL;
    int dirfd = -1;
    recon_status st = make_path(dir, name, &final_path, err);
    if (st == RECON_OK && (st = safefile_open_dir(dir, final_path, &dirfd, err)) == RECON_OK)
        st = safefile_write_whole(dirfd, name, SAFEFILE_MODE, final_path, data, len, err);
    if (dirfd >= 0)
        close(dirfd);
    free(final_path);
    return st;
}
