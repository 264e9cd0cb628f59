#include "parsers/linereader.h"

#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define CHUNK 65536

struct linereader {
    instream_t *in;
    size_t max_line;
    char *chunk;           /* raw bytes read, not yet consumed; CHUNK bytes */
    size_t chunk_len, chunk_pos;
    char *line;            /* a line that spans chunks is assembled here; max_line + 1 bytes */
    size_t line_len;
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

size_t linereader_text_len(const char *s, size_t n)
{
    const char *lf = memchr(s, '\n', n);
    size_t end = lf ? (size_t)(lf - s) : n;
    const char *cr = memchr(s, '\r', end);
    return cr ? (size_t)(cr - s) : end;
}

/* Index of the first LF, CR or NUL in s[0, n), or n: one pass for what three memchr
 * calls per line looked for (they showed in profiles of the bills, issue 16). */
static size_t first_stop(const char *s, size_t n)
{
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i nul = _mm_setzero_si128(), cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
    for (; n - i >= 16; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, nul),
                                   _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));
        unsigned mask = (unsigned)_mm_movemask_epi8(hit);
        if (mask != 0)
            return i + (size_t)__builtin_ctz(mask);
    }
#endif
    while (i < n && s[i] != '\n' && s[i] != '\r' && s[i] != '\0')
        i++;
    return i;
}

static recon_status too_long(const linereader_t *lr, err_t *err)
{
    return err_set(err, RECON_EDATA, "%s: line %ld: line longer than %zu bytes",
                   instream_name(lr->in), lr->lineno + 1, lr->max_line);
}

/* Lines become C strings, so a NUL byte would silently cut the field it falls in
 * short (an order id "42000012\0..." read as "42000012"): refuse the file instead.
 * s[0..n) continues the lr->line_len bytes of the line already assembled. */
static recon_status check_nul(const linereader_t *lr, const char *s, size_t n, err_t *err)
{
    const char *nul = memchr(s, '\0', n);
    if (nul == NULL)
        return RECON_OK;
    return err_set(err, RECON_EDATA,
                   "%s: line %ld: NUL byte at column %zu; hint: the file is damaged or not text",
                   instream_name(lr->in), lr->lineno + 1, lr->line_len + (size_t)(nul - s) + 1);
}

recon_status linereader_next(linereader_t *lr, const char **line, size_t *len, err_t *err)
{
    bool any = false; /* bytes of a line seen: an unterminated last line still counts */
    *line = NULL;
    *len = 0;
    lr->line_len = 0;
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
        if (lr->skip_lf) {
            lr->skip_lf = false;
            if (lr->chunk[lr->chunk_pos] == '\n') {
                lr->chunk_pos++;
                continue;
            }
        }
        any = true;
        char *s = lr->chunk + lr->chunk_pos;
        size_t avail = lr->chunk_len - lr->chunk_pos;
        size_t n = first_stop(s, avail);
        /* A NUL: the line's end is found as before, then the checks in their order. */
        bool nul = n < avail && s[n] == '\0';
        if (nul)
            n = linereader_text_len(s, avail);
        if (lr->line_len + n > lr->max_line)
            return too_long(lr, err);
        recon_status st = nul ? check_nul(lr, s, n, err) : RECON_OK;
        if (st != RECON_OK)
            return st;
        if (n == avail) {
            /* No terminator in this chunk: keep the text and read on. */
            memcpy(lr->line + lr->line_len, s, n);
            lr->line_len += n;
            lr->chunk_pos = lr->chunk_len;
            continue;
        }
        lr->skip_lf = s[n] == '\r';
        lr->chunk_pos += n + 1;
        lr->lineno++;
        if (lr->line_len == 0) {
            /* The whole line lies in this chunk: hand it out in place, its
             * terminator overwritten, instead of copying it. */
            s[n] = '\0';
            *line = s;
            *len = n;
            return RECON_OK;
        }
        memcpy(lr->line + lr->line_len, s, n);
        lr->line_len += n;
        goto assembled;
    }
    if (!any)
        return RECON_OK;
    lr->lineno++;
assembled:
    lr->line[lr->line_len] = '\0';
    *line = lr->line;
    *len = lr->line_len;
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
