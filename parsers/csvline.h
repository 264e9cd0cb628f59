/*
 * Splits one CSV line in place into fields (RFC 4180 quoting within the line;
 * a quoted field cannot span lines). Fields point into the caller's line buffer,
 * which the caller owns; nothing is allocated.
 *
 * Usage: copy the line into a writable buffer of len + 1 bytes, then
 *     csvline_field f[64]; size_t n;
 *     if (csvline_split(buf, len, ',', f, 64, &n) != CSVLINE_OK) ... error ...
 * Each f[i].s is NUL-terminated (the separator or closing quote is overwritten);
 * quoted fields are unquoted and their "" unescaped. csvline_trim drops ASCII
 * spaces and TABs at both ends (Alipay ends id fields with a TAB).
 */
#ifndef RECON_PARSERS_CSVLINE_H
#define RECON_PARSERS_CSVLINE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct csvline_field {
    char *s;
    size_t len;
} csvline_field;

typedef enum csvline_result {
    CSVLINE_OK = 0,
    CSVLINE_TOO_MANY,   /* more than max fields */
    CSVLINE_OPEN_QUOTE, /* quoted field not closed before the end of the line */
    CSVLINE_BAD_QUOTE,  /* text after a closing quote, or a quote inside an unquoted field */
} csvline_result;

/* line must have len + 1 writable bytes; sep is usually ','. */
csvline_result csvline_split(char *line, size_t len, char sep, csvline_field *fields,
                             size_t max, size_t *n);
const char *csvline_result_str(csvline_result r);

void csvline_trim(csvline_field *f);
/* Drops one leading character c when present (WeChat's backtick prefix). */
void csvline_strip_prefix(csvline_field *f, char c);
/* True when the field equals the NUL-terminated s exactly. */
bool csvline_eq(const csvline_field *f, const char *s);

#endif
