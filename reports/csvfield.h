/*
 * The CSV field writer of `recon parse`'s rows, measured in one pass and then
 * copied: per-field and per-row calls were a third of a parse (issue 5), so
 * these are inline. Nothing here allocates; fields borrow the caller's arrays.
 */
#ifndef RECON_REPORTS_CSVFIELD_H
#define RECON_REPORTS_CSVFIELD_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Bytes that stop the scan of a field: its end, and the four that force quoting. */
static const unsigned char csv_stop[256] = {
    [0] = 1, [','] = 1, ['"'] = 1, ['\r'] = 1, ['\n'] = 1,
};

/* Index of the first stop byte in s[i, cap), or cap. Reads only inside the
 * cap bytes, so cap must be the size of s's array, every byte initialised. */
static inline size_t csv_next_stop(const char *s, size_t i, size_t cap)
{
#if defined(__SSE2__)
    /* 16 bytes a step: byte by byte, scanning was a sixth of a WeChat parse. */
    const __m128i nul = _mm_setzero_si128(), comma = _mm_set1_epi8(','),
                  quote = _mm_set1_epi8('"'), cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
    for (; cap - i >= 16; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i hit = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, nul), _mm_cmpeq_epi8(v, comma)),
            _mm_or_si128(_mm_cmpeq_epi8(v, quote),
                         _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf))));
        unsigned mask = (unsigned)_mm_movemask_epi8(hit);
        if (mask != 0)
            return i + (size_t)__builtin_ctz(mask);
    }
#endif
    while (i < cap && !csv_stop[(unsigned char)s[i]])
        i++;
    return i;
}

/* One field of a row, measured by csv_scan before the row is written. */
typedef struct csv_field {
    const char *s;
    size_t len;  /* bytes of s */
    size_t cap;  /* bytes of s's array, all readable */
    bool quoted; /* holds a comma, quote, CR or LF */
} csv_field;

/* Measures the string in s's cap-byte array in one pass (instead of strpbrk,
 * then strlen) and returns the bytes it will take in the row: with quotes
 * around it and inner quotes doubled when it needs them, as
 * buf_append_csv_field writes it. An unterminated array ends at cap rather
 * than running into the next field. */
static inline size_t csv_scan(csv_field *f, const char *s, size_t cap)
{
    size_t i = 0, quotes = 0;
    bool quoted = false;
    for (;;) {
        i = csv_next_stop(s, i, cap);
        if (i == cap || s[i] == '\0')
            break;
        quoted = true;
        quotes += s[i] == '"';
        i++;
    }
    f->s = s;
    f->len = i;
    f->cap = cap;
    f->quoted = quoted;
    return quoted ? i + quotes + 2 : i;
}

/* Writes f at p, which has the room csv_scan counted plus ROW_SLACK bytes;
 * returns the end. Bytes past the end may be overwritten. */
static inline char *csv_put(char *p, const csv_field *f)
{
    if (!f->quoted) {
        /* Whole 16-byte blocks when the array holds them: fixed-size copies are
         * inlined, where a memcpy call per (mostly short) field was not. The
         * extra bytes land where the next field or the slack goes. */
        size_t blocks = (f->len + 15) / 16;
        if (blocks * 16 <= f->cap) {
            for (size_t k = 0; k < blocks; k++)
                memcpy(p + 16 * k, f->s + 16 * k, 16);
        } else {
            memcpy(p, f->s, f->len);
        }
        return p + f->len;
    }
    *p++ = '"';
    for (size_t i = 0; i < f->len; i++) {
        if (f->s[i] == '"')
            *p++ = '"';
        *p++ = f->s[i];
    }
    *p++ = '"';
    return p;
}

#endif
