/*
 * Building a short string in a fixed array the caller owns, piece by piece, with
 * the bytes and the truncation snprintf would give (the first cap - 1 bytes of the
 * whole, NUL-terminated) but without a format string: done per receipt, snprintf's
 * parsing showed in profiles (issue 16). Inline; nothing allocates.
 *
 * Usage: strbuild b = strbuild_start(out, cap);
 *        strbuild_str(&b, "Stmt"); strbuild_char(&b, '['); strbuild_long(&b, 3); ...
 */
#ifndef RECON_COMMON_STRBUILD_H
#define RECON_COMMON_STRBUILD_H

#include <stddef.h>
#include <string.h>

typedef struct strbuild {
    char *out;
    size_t cap, len; /* len < cap whenever cap > 0; out[len] is '\0' */
} strbuild;

static inline strbuild strbuild_start(char *out, size_t cap)
{
    if (cap > 0)
        out[0] = '\0';
    return (strbuild){out, cap, 0};
}

/* Appends n bytes of s, as many as fit. */
static inline void strbuild_mem(strbuild *b, const char *s, size_t n)
{
    if (b->cap == 0)
        return;
    size_t room = b->cap - 1 - b->len;
    if (n > room)
        n = room;
    memcpy(b->out + b->len, s, n);
    b->len += n;
    b->out[b->len] = '\0';
}

static inline void strbuild_str(strbuild *b, const char *s) { strbuild_mem(b, s, strlen(s)); }

static inline void strbuild_char(strbuild *b, char c) { strbuild_mem(b, &c, 1); }

/* Appends s with every occurrence of from (when not empty) written as to: a message that
 * names a file one way restated to name it another. */
static inline void strbuild_replacing(strbuild *b, const char *s, const char *from, const char *to)
{
    size_t flen = from ? strlen(from) : 0, tlen = to ? strlen(to) : 0;
    while (*s && b->len + 1 < b->cap) {
        if (flen > 0 && strncmp(s, from, flen) == 0) {
            if (tlen > 0)
                strbuild_mem(b, to, tlen);
            s += flen;
        } else {
            strbuild_mem(b, s++, 1);
        }
    }
}

/* Appends v in decimal, as "%ld" writes it. */
static inline void strbuild_long(strbuild *b, long v)
{
    char digits[24];
    size_t nd = sizeof digits;
    unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
    do {
        digits[--nd] = (char)('0' + u % 10);
        u /= 10;
    } while (u > 0);
    if (v < 0)
        digits[--nd] = '-';
    strbuild_mem(b, digits + nd, sizeof digits - nd);
}

#endif
