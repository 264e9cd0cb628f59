#include "parsers/csvreader.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/charset.h"
#include "parsers/linereader.h"

#define ROW_QUEUE 64

typedef struct pending_row {
    char *storage;          /* all fields, NUL-separated */
    size_t offsets[CSVREADER_MAX_FIELDS];
    size_t count;
    long line;
} pending_row;

struct csvreader {
    struct csv_parser parser;
    instream_t *in;
    linereader_t *lines;
    long lineno;
    /* the row being assembled by libcsv callbacks */
    char *cur;
    size_t cur_len, cur_cap;
    size_t cur_offsets[CSVREADER_MAX_FIELDS];
    size_t cur_count;
    /* rows completed by the last csv_parse call, handed out one by one */
    pending_row queue[ROW_QUEUE];
    size_t queued, next;
    bool eof;
    err_t *err;             /* where callbacks report limits */
    recon_status cb_status;
};

static void on_field(void *data, size_t len, void *ctx)
{
    csvreader_t *r = ctx;
    if (r->cb_status != RECON_OK)
        return;
    if (len > CSVREADER_MAX_FIELD) {
        r->cb_status = err_set(r->err, RECON_EDATA, "%s: line %ld: field longer than %d bytes",
                               instream_name(r->in), r->lineno, CSVREADER_MAX_FIELD);
        return;
    }
    if (r->cur_count == CSVREADER_MAX_FIELDS) {
        r->cb_status = err_set(r->err, RECON_EDATA, "%s: line %ld: more than %d fields",
                               instream_name(r->in), r->lineno, CSVREADER_MAX_FIELDS);
        return;
    }
    if (r->cur_len + len + 1 > r->cur_cap) {
        size_t cap = (r->cur_len + len + 1) * 2;
        char *p = realloc(r->cur, cap);
        if (p == NULL) {
            r->cb_status = err_set(r->err, RECON_EINTERNAL, "out of memory");
            return;
        }
        r->cur = p;
        r->cur_cap = cap;
    }
    r->cur_offsets[r->cur_count++] = r->cur_len;
    if (len)
        memcpy(r->cur + r->cur_len, data, len);
    r->cur_len += len;
    r->cur[r->cur_len++] = '\0';
}

static void on_row(int term, void *ctx)
{
    (void)term;
    csvreader_t *r = ctx;
    if (r->cb_status != RECON_OK)
        return;
    if (r->queued == ROW_QUEUE) {
        r->cb_status = err_set(r->err, RECON_EDATA, "%s: line %ld: too many rows on one line",
                               instream_name(r->in), r->lineno);
        return;
    }
    pending_row *p = &r->queue[r->queued++];
    free(p->storage);
    p->storage = malloc(r->cur_len ? r->cur_len : 1);
    if (p->storage == NULL) {
        r->cb_status = err_set(r->err, RECON_EINTERNAL, "out of memory");
        return;
    }
    memcpy(p->storage, r->cur, r->cur_len);
    memcpy(p->offsets, r->cur_offsets, r->cur_count * sizeof p->offsets[0]);
    p->count = r->cur_count;
    p->line = r->lineno;
    r->cur_len = 0;
    r->cur_count = 0;
}

recon_status csvreader_new(instream_t *in, csvreader_t **out, err_t *err)
{
    csvreader_t *r = calloc(1, sizeof *r);
    if (r == NULL)
        return err_set(err, RECON_EINTERNAL, "out of memory");
    r->in = in;
    if (csv_init(&r->parser, CSV_STRICT | CSV_APPEND_NULL | CSV_EMPTY_IS_NULL) != 0) {
        free(r);
        return err_set(err, RECON_EINTERNAL, "out of memory");
    }
    recon_status st = linereader_new(in, CSVREADER_MAX_FIELD * 4, &r->lines, err);
    if (st != RECON_OK) {
        csv_free(&r->parser);
        free(r);
        return st;
    }
    *out = r;
    return RECON_OK;
}

static recon_status fill_queue(csvreader_t *r, err_t *err)
{
    r->queued = 0;
    r->next = 0;
    r->err = err;
    r->cb_status = RECON_OK;
    while (r->queued == 0 && !r->eof) {
        const char *line = NULL;
        size_t len = 0;
        recon_status st = linereader_next(r->lines, &line, &len, err);
        if (st != RECON_OK)
            return st;
        if (line == NULL) {
            r->eof = true;
            if (csv_fini(&r->parser, on_field, on_row, r) != 0)
                return err_set(err, RECON_EDATA, "%s: line %ld: unterminated quoted field",
                               instream_name(r->in), r->lineno);
            break;
        }
        r->lineno = linereader_lineno(r->lines);
        size_t bad = 0;
        if (!utf8_valid(line, len, &bad))
            return err_set(err, RECON_EDATA, "%s: line %ld: invalid UTF-8 at byte %zu",
                           instream_name(r->in), r->lineno, bad + 1);
        if (csv_parse(&r->parser, line, len, on_field, on_row, r) != len ||
            csv_parse(&r->parser, "\n", 1, on_field, on_row, r) != 1)
            return err_set(err, RECON_EDATA, "%s: line %ld: malformed csv (%s)",
                           instream_name(r->in), r->lineno,
                           csv_strerror(csv_error(&r->parser)));
        if (r->cb_status != RECON_OK)
            return r->cb_status;
    }
    return r->cb_status;
}

recon_status csvreader_next(csvreader_t *r, csv_row *row, err_t *err)
{
    row->count = 0;
    for (;;) {
        if (r->next == r->queued) {
            recon_status st = fill_queue(r, err);
            if (st != RECON_OK)
                return st;
            if (r->queued == 0)
                return RECON_OK;
        }
        pending_row *p = &r->queue[r->next++];
        /* libcsv reports a blank line as a row with one empty field */
        if (p->count == 1 && p->storage[p->offsets[0]] == '\0')
            continue;
        for (size_t i = 0; i < p->count; i++)
            row->fields[i] = p->storage + p->offsets[i];
        row->count = p->count;
        row->line = p->line;
        return RECON_OK;
    }
}

void csvreader_free(csvreader_t *r)
{
    if (r == NULL)
        return;
    csv_free(&r->parser);
    linereader_free(r->lines);
    for (size_t i = 0; i < ROW_QUEUE; i++)
        free(r->queue[i].storage);
    free(r->cur);
    free(r);
}
