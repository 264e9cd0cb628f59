#include "reports/gzcsv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "common/buf.h"

/* gzip header OS field: 3 = Unix. Fixed rather than left to zlib's build-time OS_CODE so the
 * bytes do not depend on where recon was compiled. */
#define GZIP_OS_UNIX 3

struct gzcsv {
    int fd;           /* temp file, -1 once closed */
    bool renamed;     /* the temp file now lives under the final name: do not unlink it */
    bool zs_ready;    /* deflateInit2 succeeded, so deflateEnd is owed */
    char *dir;        /* for the directory fsync after rename */
    char *final_path; /* DIR/NAME, also the path shown in messages */
    char *tmp_path;   /* DIR/.NAME.tmp */
    z_stream zs;
    gz_header gzh; /* zlib keeps a pointer to it until the header is written */
    sha256_ctx sha;
    buf_t row;      /* one formatted CSV record, reused */
    err_t err;      /* first failure; sticky, so a half-written stream is never finished */
    size_t in_len;  /* bytes pending in in[] */
    unsigned char in[GZCSV_CHUNK];
    unsigned char out[GZCSV_CHUNK];
};

/* Builds DIR/NAME and DIR/.NAME.tmp. The leading dot keeps the temp file out of `ls` and out
 * of globs like *.csv.gz, so nobody picks up a report that is still being written. */
static recon_status make_paths(const char *dir, const char *name, char **final_path,
                               char **tmp_path, err_t *err)
{
    recon_status st = RECON_OK;
    buf_t f = BUF_INIT, t = BUF_INIT;
    *final_path = *tmp_path = NULL;
    if (name == NULL || name[0] == '\0' || strchr(name, '/') != NULL || strcmp(name, ".") == 0 ||
        strcmp(name, "..") == 0) {
        st = err_set(err, RECON_EINTERNAL, "invalid report file name '%s'", name ? name : "");
        goto done;
    }
    size_t dlen = strlen(dir);
    /* "out/" and "out" name the same directory; avoid "out//x" in messages. */
    const char *sep = (dlen > 0 && dir[dlen - 1] == '/') ? "" : "/";
    if (!buf_printf(&f, "%s%s%s", dir, sep, name) || !buf_printf(&t, "%s%s.%s.tmp", dir, sep, name)) {
        st = err_set(err, RECON_EINTERNAL, "out of memory");
        goto done;
    }
    *final_path = f.data;
    *tmp_path = t.data;
    f = (buf_t)BUF_INIT;
    t = (buf_t)BUF_INIT;
done:
    buf_free(&f);
    buf_free(&t);
    return st;
}

/* Retries short writes and EINTR; returns 0 or an errno value. */
static int write_all(int fd, const void *data, size_t len)
{
    const unsigned char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        p += (size_t)n;
        len -= (size_t)n;
    }
    return 0;
}

/* A rename is only durable once the directory entry itself reaches the disk. Some file systems
 * cannot fsync a directory (EINVAL); there is nothing more to do on those, so it is not an error. */
static recon_status fsync_dir(const char *dir, const char *shown, err_t *err)
{
    int fd = open(dir[0] ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return err_set(err, RECON_EOUTPUT, "cannot write %s: %s", shown, strerror(errno));
    recon_status st = RECON_OK;
    if (fsync(fd) != 0 && errno != EINVAL)
        st = err_set(err, RECON_EOUTPUT, "cannot write %s: %s", shown, strerror(errno));
    close(fd);
    return st;
}

/* Makes the fully written temp file the report: fsync, close, rename, fsync DIR. Always closes
 * *fd (sets it to -1); sets *renamed once the final name holds the new file. */
static recon_status commit_file(int *fd, const char *dir, const char *tmp_path,
                                const char *final_path, bool *renamed, err_t *err)
{
    recon_status st = RECON_OK;
    int f = *fd;
    *fd = -1;
    /* Data must be on disk before the rename, or a crash could leave a complete-looking name
     * pointing at an empty or partial file. */
    if (fsync(f) != 0) {
        st = err_set(err, RECON_EOUTPUT, "cannot write %s: %s", final_path, strerror(errno));
        close(f);
        goto done;
    }
    if (close(f) != 0) {
        st = err_set(err, RECON_EOUTPUT, "cannot write %s: %s", final_path, strerror(errno));
        goto done;
    }
    if (rename(tmp_path, final_path) != 0) {
        st = err_set(err, RECON_EOUTPUT, "cannot write %s: %s", final_path, strerror(errno));
        goto done;
    }
    *renamed = true;
    st = fsync_dir(dir, final_path, err);
done:
    return st;
}

static int open_tmp(const char *tmp_path)
{
    /* O_TRUNC rather than O_EXCL: a temp file left by a crashed run is garbage to overwrite;
     * concurrent runs are already excluded by the run lock. */
    return open(tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

/* Writes the compressed bytes gathered in out[] and hashes exactly what went to disk. */
static recon_status flush_out(gzcsv_t *g)
{
    size_t n = GZCSV_CHUNK - g->zs.avail_out;
    if (n > 0) {
        int e = write_all(g->fd, g->out, n);
        if (e != 0)
            return err_set(&g->err, RECON_EOUTPUT, "cannot write %s: %s", g->final_path,
                           strerror(e));
        sha256_update(&g->sha, g->out, n);
    }
    g->zs.next_out = g->out;
    g->zs.avail_out = GZCSV_CHUNK;
    return RECON_OK;
}

/* Compresses the pending input. Output is written only when out[] is full (or at the end),
 * so the file grows in whole 64 KiB chunks. */
static recon_status pump(gzcsv_t *g, int flush)
{
    g->zs.next_in = g->in;
    g->zs.avail_in = (uInt)g->in_len;
    for (;;) {
        int rc = deflate(&g->zs, flush);
        if (rc == Z_STREAM_ERROR)
            return err_set(&g->err, RECON_EINTERNAL, "cannot write %s: zlib stream error",
                           g->final_path);
        if (g->zs.avail_out == 0) {
            if (flush_out(g) != RECON_OK)
                return g->err.status;
            continue; /* deflate may hold more output */
        }
        /* Room left in out[]: all input is consumed, and with Z_FINISH the stream ended. */
        if (flush != Z_FINISH)
            break;
        if (rc != Z_STREAM_END) /* cannot happen per zlib.h; guards against looping forever */
            return err_set(&g->err, RECON_EINTERNAL, "cannot write %s: zlib error %d",
                           g->final_path, rc);
        if (flush_out(g) != RECON_OK)
            return g->err.status;
        break;
    }
    g->in_len = 0;
    return RECON_OK;
}

static recon_status feed(gzcsv_t *g, const void *data, size_t len)
{
    const unsigned char *p = data;
    while (len > 0) {
        size_t take = GZCSV_CHUNK - g->in_len;
        if (take > len)
            take = len;
        memcpy(g->in + g->in_len, p, take);
        g->in_len += take;
        p += take;
        len -= take;
        if (g->in_len == GZCSV_CHUNK && pump(g, Z_NO_FLUSH) != RECON_OK)
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

static recon_status read_level(int *level, err_t *err)
{
    const char *v = getenv("RECON_REPORT_LEVEL");
    *level = GZCSV_LEVEL_DEFAULT;
    if (v == NULL || v[0] == '\0')
        return RECON_OK;
    /* Strict: a typo must not silently change the archived files' size or bytes. */
    if (v[0] < '1' || v[0] > '9' || v[1] != '\0')
        return err_set(err, RECON_EUSAGE, "RECON_REPORT_LEVEL must be 1-9, got '%s'", v);
    *level = v[0] - '0';
    return RECON_OK;
}

static void destroy(gzcsv_t *g)
{
    if (g->fd >= 0)
        close(g->fd);
    if (!g->renamed && g->tmp_path != NULL)
        unlink(g->tmp_path);
    if (g->zs_ready)
        deflateEnd(&g->zs);
    buf_free(&g->row);
    free(g->dir);
    free(g->final_path);
    free(g->tmp_path);
    free(g);
}

recon_status gzcsv_open(const char *dir, const char *name, gzcsv_t **out, err_t *err)
{
    recon_status st = RECON_OK;
    *out = NULL;
    int level;
    st = read_level(&level, err);
    if (st != RECON_OK)
        return st;
    gzcsv_t *g = calloc(1, sizeof *g);
    if (g == NULL)
        return err_set(err, RECON_EINTERNAL, "out of memory");
    g->fd = -1;
    g->row = (buf_t)BUF_INIT;
    err_clear(&g->err);
    sha256_init(&g->sha);
    st = make_paths(dir, name, &g->final_path, &g->tmp_path, err);
    if (st != RECON_OK)
        goto fail;
    g->dir = strdup(dir);
    if (g->dir == NULL) {
        st = err_set(err, RECON_EINTERNAL, "out of memory");
        goto fail;
    }
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
    g->fd = open_tmp(g->tmp_path);
    if (g->fd < 0) {
        st = err_set(err, RECON_EOUTPUT, "cannot write %s: %s", g->final_path, strerror(errno));
        free(g->tmp_path); /* never created: nothing to unlink */
        g->tmp_path = NULL;
        goto fail;
    }
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
    st = pump(g, Z_FINISH);
    if (st != RECON_OK)
        goto done;
    st = commit_file(&g->fd, g->dir, g->tmp_path, g->final_path, &g->renamed, &g->err);
    if (st != RECON_OK)
        goto done;
    unsigned char digest[SHA256_DIGEST_SIZE];
    sha256_final(&g->sha, digest);
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
    char *final_path = NULL, *tmp_path = NULL;
    int fd = -1;
    bool created = false, renamed = false;
    recon_status st = make_paths(dir, name, &final_path, &tmp_path, err);
    if (st != RECON_OK)
        goto done;
    fd = open_tmp(tmp_path);
    if (fd < 0) {
        st = err_set(err, RECON_EOUTPUT, "cannot write %s: %s", final_path, strerror(errno));
        goto done;
    }
    created = true;
    int e = write_all(fd, data, len);
    if (e != 0) {
        st = err_set(err, RECON_EOUTPUT, "cannot write %s: %s", final_path, strerror(e));
        goto done;
    }
    st = commit_file(&fd, dir, tmp_path, final_path, &renamed, err);
done:
    if (fd >= 0)
        close(fd);
    if (created && !renamed)
        unlink(tmp_path);
    free(final_path);
    free(tmp_path);
    return st;
}
