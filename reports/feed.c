#include "reports/feed.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Rows travel in chunks, so the two threads meet once per chunk, not once per row. */
#define FEED_CHUNK (256 * 1024)

enum { REC_BEGIN = 'B', REC_ROW = 'R', REC_END = 'E' };

/* Records, back to back: a type byte, a field count (uint32), then each field as its length
 * (uint32), its bytes and a NUL, so the consumer's fields point into the chunk itself. */
typedef struct chunk {
    struct chunk *next;
    size_t len, cap;
    char data[];
} chunk;

struct feed {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* Under mu. */
    chunk *head, *tail;
    size_t capacity, in_flight;
    bool finished; /* feed_finish: no record follows the queued ones */
    bool aborted;  /* feed_abort */
    bool failed;   /* feed_fail */
    /* The producer's own: the chunk being filled. */
    chunk *fill;
    /* The consumer's own: the chunk being read and where. */
    chunk *read;
    size_t at;
};

feed_t *feed_new(size_t capacity)
{
    feed_t *f = calloc(1, sizeof *f);
    if (f == NULL)
        return NULL;
    if (pthread_mutex_init(&f->mu, NULL) != 0) {
        free(f);
        return NULL;
    }
    if (pthread_cond_init(&f->cv, NULL) != 0) {
        pthread_mutex_destroy(&f->mu);
        free(f);
        return NULL;
    }
    f->capacity = capacity;
    return f;
}

static void free_chunks(chunk *c)
{
    while (c != NULL) {
        chunk *next = c->next;
        free(c);
        c = next;
    }
}

void feed_free(feed_t *f)
{
    if (f == NULL)
        return;
    free_chunks(f->head);
    free(f->fill);
    free(f->read);
    pthread_cond_destroy(&f->cv);
    pthread_mutex_destroy(&f->mu);
    free(f);
}

static recon_status stopped(err_t *err)
{
    return err_set(err, RECON_EOUTPUT, "the workbook stopped");
}

/* Hands the chunk being filled to the consumer, waiting while too much is in flight. */
static recon_status flush(feed_t *f, err_t *err)
{
    chunk *c = f->fill;
    if (c == NULL)
        return RECON_OK;
    f->fill = NULL;
    pthread_mutex_lock(&f->mu);
    while (!f->failed && f->in_flight > 0 && f->in_flight + c->len > f->capacity)
        pthread_cond_wait(&f->cv, &f->mu);
    bool failed = f->failed;
    if (!failed) {
        if (f->tail != NULL)
            f->tail->next = c;
        else
            f->head = c;
        f->tail = c;
        f->in_flight += c->len;
        pthread_cond_broadcast(&f->cv);
    }
    pthread_mutex_unlock(&f->mu);
    if (failed) {
        free(c);
        return stopped(err);
    }
    return RECON_OK;
}

static void put_u32(char *p, uint32_t v)
{
    memcpy(p, &v, sizeof v);
}

static uint32_t get_u32(const char *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static recon_status put(feed_t *f, char type, const char *const *fields, size_t n, err_t *err)
{
    size_t need = 1 + 4, lens[READBACK_MAX_FIELDS];
    if (n > READBACK_MAX_FIELDS) /* the consumer reads no wider row */
        return err_set(err, RECON_EINTERNAL, "a report row of %zu fields", n);
    for (size_t i = 0; i < n; i++) {
        lens[i] = fields[i] ? strlen(fields[i]) : 0;
        if (lens[i] > UINT32_MAX - 1)
            return err_set(err, RECON_EINTERNAL, "a report field of %zu bytes", lens[i]);
        need += 4 + lens[i] + 1;
    }
    if (f->fill != NULL && f->fill->cap - f->fill->len < need) {
        recon_status st = flush(f, err);
        if (st != RECON_OK)
            return st;
    }
    if (f->fill == NULL) {
        size_t cap = need > FEED_CHUNK ? need : FEED_CHUNK;
        f->fill = malloc(sizeof *f->fill + cap);
        if (f->fill == NULL)
            return err_set(err, RECON_EINTERNAL, "out of memory");
        *f->fill = (chunk){.cap = cap};
    }
    char *p = f->fill->data + f->fill->len;
    *p++ = type;
    put_u32(p, (uint32_t)n);
    p += 4;
    for (size_t i = 0; i < n; i++) {
        put_u32(p, (uint32_t)lens[i]);
        p += 4;
        if (lens[i] > 0)
            memcpy(p, fields[i], lens[i]);
        p[lens[i]] = '\0';
        p += lens[i] + 1;
    }
    f->fill->len += need;
    return RECON_OK;
}

recon_status feed_begin(feed_t *f, const char *file, err_t *err)
{
    return put(f, REC_BEGIN, &file, 1, err);
}

recon_status feed_row(feed_t *f, const char *const *fields, size_t n, err_t *err)
{
    return put(f, REC_ROW, fields, n, err);
}

recon_status feed_end(feed_t *f, err_t *err)
{
    recon_status st = put(f, REC_END, NULL, 0, err);
    return st == RECON_OK ? flush(f, err) : st; /* the file's last rows go now, not later */
}

recon_status feed_finish(feed_t *f, err_t *err)
{
    recon_status st = flush(f, err);
    if (st != RECON_OK)
        return st;
    pthread_mutex_lock(&f->mu);
    f->finished = true;
    bool failed = f->failed;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    return failed ? stopped(err) : RECON_OK;
}

bool feed_abort(feed_t *f)
{
    pthread_mutex_lock(&f->mu);
    f->aborted = true;
    bool failed = f->failed;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    return failed;
}

void feed_fail(feed_t *f)
{
    pthread_mutex_lock(&f->mu);
    f->failed = true;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

/* The next record for the consumer: *type 0 when the feed is finished and read to its end. */
static recon_status next_record(feed_t *f, char *type, char **fields, size_t *n, err_t *err)
{
    while (f->read == NULL || f->at == f->read->len) {
        free(f->read);
        f->read = NULL;
        pthread_mutex_lock(&f->mu);
        while (f->head == NULL && !f->finished && !f->aborted)
            pthread_cond_wait(&f->cv, &f->mu);
        bool aborted = f->aborted;
        chunk *c = aborted ? NULL : f->head;
        if (c != NULL) {
            f->head = c->next;
            if (f->head == NULL)
                f->tail = NULL;
            f->in_flight -= c->len;
            pthread_cond_broadcast(&f->cv);
        }
        pthread_mutex_unlock(&f->mu);
        if (aborted)
            return err_set(err, RECON_EOUTPUT, "the reports stopped");
        if (c == NULL) {
            *type = 0;
            return RECON_OK;
        }
        f->read = c;
        f->at = 0;
    }
    char *p = f->read->data + f->at;
    *type = *p++;
    uint32_t count = get_u32(p);
    p += 4;
    if (count > READBACK_MAX_FIELDS)
        return err_set(err, RECON_EINTERNAL, "a report row of %u fields", (unsigned)count);
    for (uint32_t i = 0; i < count; i++) {
        uint32_t len = get_u32(p);
        fields[i] = p + 4;
        p += 4 + (size_t)len + 1;
    }
    *n = count;
    f->at = (size_t)(p - f->read->data);
    return RECON_OK;
}

recon_status feed_rows(feed_t *f, const char *file, readback_fn fn, void *ctx, err_t *err)
{
    char type = 0, *fields[READBACK_MAX_FIELDS];
    size_t n = 0;
    recon_status st = next_record(f, &type, fields, &n, err);
    if (st != RECON_OK)
        return st;
    if (file == NULL)
        return type == 0 ? RECON_OK
                         : err_set(err, RECON_EINTERNAL, "the reports sent more than was read");
    if (type != REC_BEGIN || n != 1 || strcmp(fields[0], file) != 0)
        return err_set(err, RECON_EINTERNAL, "the reports sent %s where %s was expected",
                       type == REC_BEGIN && n == 1 ? fields[0] : "no file", file);
    for (long row = 0;; row++) {
        if ((st = next_record(f, &type, fields, &n, err)) != RECON_OK)
            return st;
        if (type == REC_END)
            return RECON_OK;
        if (type != REC_ROW)
            return err_set(err, RECON_EINTERNAL, "%s: the reports ended inside it", file);
        if ((st = fn(ctx, row, fields, n, err)) != RECON_OK)
            return st;
    }
}
