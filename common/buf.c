#include "common/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool buf_reserve(buf_t *b, size_t extra)
{
    if (extra > ((size_t)-1) / 2 - b->len)
        return false;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (p == NULL)
        return false;
    b->data = p;
    b->cap = cap;
    return true;
}

bool buf_append(buf_t *b, const void *bytes, size_t n)
{
    if (!buf_reserve(b, n))
        return false;
    if (n > 0)
        memcpy(b->data + b->len, bytes, n);
    b->len += n;
    b->data[b->len] = '\0';
    return true;
}

bool buf_append_str(buf_t *b, const char *s) { return buf_append(b, s, strlen(s)); }

bool buf_append_char(buf_t *b, char c) { return buf_append(b, &c, 1); }

bool buf_printf(buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !buf_reserve(b, (size_t)n))
        return false;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return true;
}

bool buf_append_csv_field(buf_t *b, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL)
        return buf_append_str(b, s);
    if (!buf_append_char(b, '"'))
        return false;
    for (const char *p = s; *p; p++) {
        if (*p == '"' && !buf_append_char(b, '"'))
            return false;
        if (!buf_append_char(b, *p))
            return false;
    }
    return buf_append_char(b, '"');
}

void buf_reset(buf_t *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void buf_free(buf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
