#include "reports/readback.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "common/buf.h"

typedef struct reader {
    const char *name;
    buf_t bytes; /* the row's fields, each NUL-terminated */
    size_t off[READBACK_MAX_FIELDS];
    size_t n;
    bool overflow;
    long row;
    readback_fn fn;
    void *ctx;
    recon_status st;
    err_t *err;
} reader;

static void on_field(void *s, size_t len, void *data)
{
    reader *r = data;
    if (r->st != RECON_OK)
        return;
    if (r->n == READBACK_MAX_FIELDS) {
        r->overflow = true;
        return;
    }
    r->off[r->n++] = r->bytes.len;
    if (!buf_append(&r->bytes, s, len) || !buf_append_char(&r->bytes, '\0'))
        r->st = err_set(r->err, RECON_EINTERNAL, "out of memory");
}

static void on_row(int c, void *data)
{
    (void)c;
    reader *r = data;
    char *f[READBACK_MAX_FIELDS];
    if (r->st == RECON_OK && r->overflow)
        r->st = err_set(r->err, RECON_EINTERNAL, "%s: row %ld has more than %d fields", r->name,
                        r->row + 1, READBACK_MAX_FIELDS);
    for (size_t i = 0; r->st == RECON_OK && i < r->n; i++)
        f[i] = r->bytes.data + r->off[i];
    if (r->st == RECON_OK)
        r->st = r->fn(r->ctx, r->row, f, r->n, r->err);
    r->row++;
    r->n = 0;
    r->overflow = false;
    buf_reset(&r->bytes);
}

recon_status readback_rows(int dirfd, const char *dir, const char *name, readback_fn fn,
                           void *ctx, err_t *err)
{
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        recon_status st = err_set(err, RECON_EOUTPUT, "cannot read %s/%s back: %s", dir, name,
                                  fd < 0 ? strerror(errno) : "not a regular file");
        if (fd >= 0)
            close(fd);
        return st;
    }
    gzFile gz = gzdopen(fd, "rb");
    if (gz == NULL) {
        close(fd);
        return err_set(err, RECON_EINTERNAL, "out of memory");
    }
    reader r = {.name = name, .bytes = BUF_INIT, .fn = fn, .ctx = ctx, .err = err};
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        gzclose(gz);
        return err_set(err, RECON_EINTERNAL, "out of memory");
    }
    char chunk[16384];
    for (;;) {
        int got = gzread(gz, chunk, sizeof chunk);
        if (got < 0) {
            int zerr = 0;
            r.st = err_set(err, RECON_EOUTPUT, "cannot read %s/%s back: %s", dir, name,
                           gzerror(gz, &zerr));
        }
        if (got <= 0 || r.st != RECON_OK)
            break;
        if (csv_parse(&p, chunk, (size_t)got, on_field, on_row, &r) != (size_t)got &&
            r.st == RECON_OK)
            r.st = err_set(err, RECON_EINTERNAL, "%s: %s", name, csv_strerror(csv_error(&p)));
    }
    if (r.st == RECON_OK && csv_fini(&p, on_field, on_row, &r) != 0 && r.st == RECON_OK)
        r.st = err_set(err, RECON_EINTERNAL, "%s: %s", name, csv_strerror(csv_error(&p)));
    csv_free(&p);
    gzclose(gz);
    buf_free(&r.bytes);
    return r.st;
}
