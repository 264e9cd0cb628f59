#include "reports/gzcsv.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "common/buf.h"
#include "common/safefile.h"

/* gzip header OS field: 3 = Unix. Fixed rather than left to zlib's build-time OS_CODE so the
 * bytes do not depend on where recon was compiled. */
#define GZIP_OS_UNIX 3

/* Compression runs in a worker thread, one per open writer: deflate at level 6 is most of a
 * report's CPU time, and on the two-core machines recon runs on it can then overlap the
 * database producing rows and the caller formatting them. The caller fills 64 KiB input blocks
 * from a ring of GZCSV_BLOCKS; the worker compresses them strictly in order, making exactly the
 * deflate() calls a single-threaded writer would make (64 KiB of input each, Z_FINISH with the
 * last partial block), so the bytes are the same as without the thread and the same on every
 * run: threads change when the work happens, never what is written. The ring bounds memory (1
 * MiB per writer) and makes the caller wait when compression falls behind. */
#define GZCSV_BLOCKS 16

struct gzcsv {
    /* Owned by the caller's thread. */
    bool zs_ready;    /* deflateInit2 succeeded, so deflateEnd is owed */
    bool sync_ready;  /* mu and cv initialised */
    bool worker_on;   /* the worker runs and must be joined */
    int dirfd;        /* DIR, opened without following a link and checked; -1 when closed */
    char *final_path; /* DIR/NAME, the path shown in messages */
    gz_header gzh;    /* zlib keeps a pointer to it until the header is written */
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
    bool discard;                  /* abort: drop queued blocks unread */
    bool worker_failed;            /* werr is set; read by the caller under mu */
    size_t len[GZCSV_BLOCKS];      /* bytes in each queued block */
    bool last[GZCSV_BLOCKS];       /* the block that ends the stream (Z_FINISH) */
    unsigned char (*in)[GZCSV_CHUNK];

    /* Owned by the worker from gzcsv_open until it is joined. */
    safefile_t sf; /* the unique temporary DIR/.NAME.XXXXXX; sf.fd is -1 once closed */
    z_stream zs;
    sha256_ctx sha;
    err_t werr; /* the worker's first failure */
    unsigned char out[GZCSV_CHUNK];
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

/* Writes the compressed bytes gathered in out[] and hashes exactly what went to disk. */
static recon_status flush_out(gzcsv_t *g)
{
    size_t n = GZCSV_CHUNK - g->zs.avail_out;
    if (n > 0) {
        if (safefile_write(&g->sf, g->out, n, &g->werr) != RECON_OK)
            return g->werr.status;
        sha256_update(&g->sha, g->out, n);
    }
    g->zs.next_out = g->out;
    g->zs.avail_out = GZCSV_CHUNK;
    return RECON_OK;
}

/* Worker: compresses one block. Output is written only when out[] is full (or at the end), so
 * the file grows in whole 64 KiB chunks. */
static recon_status pump(gzcsv_t *g, unsigned char *data, size_t len, int flush)
{
    g->zs.next_in = data;
    g->zs.avail_in = (uInt)len;
    for (;;) {
        int rc = deflate(&g->zs, flush);
        if (rc == Z_STREAM_ERROR)
            return err_set(&g->werr, RECON_EINTERNAL, "cannot write %s: zlib stream error",
                           g->final_path);
        if (g->zs.avail_out == 0) {
            if (flush_out(g) != RECON_OK)
                return g->werr.status;
            continue; /* deflate may hold more output */
        }
        /* Room left in out[]: all input is consumed, and with Z_FINISH the stream ended. */
        if (flush != Z_FINISH)
            break;
        if (rc != Z_STREAM_END) /* cannot happen per zlib.h; guards against looping forever */
            return err_set(&g->werr, RECON_EINTERNAL, "cannot write %s: zlib error %d",
                           g->final_path, rc);
        return flush_out(g);
    }
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
        pthread_mutex_unlock(&g->mu);
        if (!skip && pump(g, g->in[b], g->len[b], last ? Z_FINISH : Z_NO_FLUSH) != RECON_OK)
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
        size_t take = GZCSV_CHUNK - g->in_len;
        if (take > len)
            take = len;
        memcpy(g->in[g->fill] + g->in_len, p, take);
        g->in_len += take;
        p += take;
        len -= take;
        if (g->in_len == GZCSV_CHUNK && submit(g, false) != RECON_OK)
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
    if (g->zs_ready)
        deflateEnd(&g->zs);
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
    /* 15+16: 32 KiB window with a gzip wrapper; memLevel 8 and the default strategy are
     * zlib's defaults, fixed here because they change the compressed bytes. */
    if (deflateInit2(&g->zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        st = err_set(err, RECON_EINTERNAL, "cannot write %s: zlib init failed", g->final_path);
        goto fail;
    }
    g->zs_ready = true;
    /* No MTIME, no FNAME, no comment, no extra field: the header is the same on every run. */
    memset(&g->gzh, 0, sizeof g->gzh);
    g->gzh.time = 0;
    g->gzh.os = GZIP_OS_UNIX;
    if (deflateSetHeader(&g->zs, &g->gzh) != Z_OK) {
        st = err_set(err, RECON_EINTERNAL, "cannot write %s: zlib header failed", g->final_path);
        goto fail;
    }
    g->zs.next_out = g->out;
    g->zs.avail_out = GZCSV_CHUNK;
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
    join_worker(g); /* the stream is complete (or failed); fd, zs and sha are ours again */
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
