#include "parsers/linereader.h"

#include <stdlib.h>
#include <string.h>

#define CHUNK 65536

struct linereader {
    instream_t *in;
    size_t max_line;
    char *chunk;           /* raw bytes read, not yet consumed */
    size_t chunk_len, chunk_pos;
    char *line;            /* current line, max_line + 1 bytes */
    long lineno;
    bool eof;
    bool skip_lf;          /* previous line ended in CR: an LF right after belongs to it */
};

recon_status linereader_new(instream_t *in, size_t max_line, linereader_t **out, err_t *err)
{
    linereader_t *lr = calloc(1, sizeof *lr);
    if (lr == NULL)
        return err_set(err, RECON_EINTERNAL, "out of memory");
    lr->in = in;
    lr->max_line = max_line ? max_line : LINEREADER_DEFAULT_MAX;
    lr->chunk = malloc(CHUNK);
    lr->line = malloc(lr->max_line + 1);
    if (lr->chunk == NULL || lr->line == NULL) {
        linereader_free(lr);
        return err_set(err, RECON_EINTERNAL, "out of memory");
    }
    *out = lr;
    return RECON_OK;
}

static recon_status fill(linereader_t *lr, err_t *err)
{
    ssize_t n = instream_read(lr->in, lr->chunk, CHUNK, err);
    if (n < 0)
        return err->status;
    lr->chunk_len = (size_t)n;
    lr->chunk_pos = 0;
    if (n == 0)
        lr->eof = true;
    return RECON_OK;
}

recon_status linereader_next(linereader_t *lr, const char **line, size_t *len, err_t *err)
{
    size_t n = 0;
    bool any = false;
    *line = NULL;
    *len = 0;
    for (;;) {
        if (lr->chunk_pos == lr->chunk_len) {
            if (lr->eof)
                break;
            recon_status st = fill(lr, err);
            if (st != RECON_OK)
                return st;
            if (lr->eof)
                break;
        }
        char c = lr->chunk[lr->chunk_pos++];
        if (lr->skip_lf) {
            lr->skip_lf = false;
            if (c == '\n')
                continue;
        }
        any = true;
        if (c == '\n' || c == '\r') {
            lr->skip_lf = c == '\r';
            goto done;
        }
        if (n == lr->max_line)
            return err_set(err, RECON_EDATA, "%s: line %ld: line longer than %zu bytes",
                           instream_name(lr->in), lr->lineno + 1, lr->max_line);
        lr->line[n++] = c;
    }
    if (!any)
        return RECON_OK;
done:
    lr->line[n] = '\0';
    lr->lineno++;
    *line = lr->line;
    *len = n;
    return RECON_OK;
}

long linereader_lineno(const linereader_t *lr) { return lr->lineno; }

void linereader_free(linereader_t *lr)
{
    if (lr == NULL)
        return;
    free(lr->chunk);
    free(lr->line);
    free(lr);
}
