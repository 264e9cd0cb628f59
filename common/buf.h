/*
 * A growable byte buffer, always NUL-terminated. The buf_t owns its bytes until
 * buf_free; pointers into it are invalidated by any append.
 */
#ifndef RECON_COMMON_BUF_H
#define RECON_COMMON_BUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct buf {
    char *data;
    size_t len;
    size_t cap;
} buf_t;

#define BUF_INIT {NULL, 0, 0}

/* Each returns false only when memory is exhausted. */
bool buf_reserve(buf_t *b, size_t extra);
bool buf_append(buf_t *b, const void *bytes, size_t n);
bool buf_append_str(buf_t *b, const char *s);
bool buf_append_char(buf_t *b, char c);
bool buf_printf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a CSV field: quoted when it holds a comma, quote, CR or LF. */
bool buf_append_csv_field(buf_t *b, const char *s);
void buf_reset(buf_t *b);
void buf_free(buf_t *b);

#endif
