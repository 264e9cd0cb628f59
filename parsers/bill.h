/*
 * One reader for line-based bills (WeChat Pay, Alipay, bank CSV exports): lines with
 * their numbers, the charset (UTF-8 checked, or GB18030 converted), the byte order mark
 * on line 1, CSV fields through the one tokeniser (libcsv, a quoted field within its
 * line), header-to-column mapping and the "FILE: line N: " error prefix. Format files
 * keep only their column tables, row meaning and total checks.
 *
 * The reader borrows its instream (the caller closes it after bill_close). Lines and
 * fields point into storage the reader or tokeniser owns, writable and NUL-terminated,
 * valid until the next bill_next or bill_csv_split call.
 */
#ifndef RECON_PARSERS_BILL_H
#define RECON_PARSERS_BILL_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "parsers/instream.h"
#include "parsers/receipt.h"

/* ---- the CSV tokeniser -------------------------------------------------------------- */

typedef struct bill_field {
    char *s;
    size_t len;
} bill_field;

typedef enum bill_csv_result {
    BILL_CSV_OK = 0,
    BILL_CSV_TOO_MANY,   /* more fields than the caller's maximum */
    BILL_CSV_TOO_LONG,   /* a field longer than the tokeniser's maximum */
    BILL_CSV_OPEN_QUOTE, /* quoted field not closed before the end of the line */
    BILL_CSV_BAD_QUOTE,  /* text after a closing quote, or a quote inside an unquoted field */
    BILL_CSV_NOMEM,
} bill_csv_result;

typedef struct bill_csv bill_csv;

/* max_field: longest field accepted in bytes, 0 for no limit but the line's. NULL when
 * out of memory. */
bill_csv *bill_csv_new(size_t max_field);
/* Splits one line (no line break inside) into at most max fields, unquoted and with ""
 * unescaped; blanks around unquoted fields and between a closing quote and the separator
 * are dropped. An empty line has no field. */
bill_csv_result bill_csv_split(bill_csv *t, const char *line, size_t len, bill_field *fields,
                               size_t max, size_t *n);
void bill_csv_free(bill_csv *t);
/* "too many fields", "quoted field not closed on its line", "stray quote in field"... */
const char *bill_csv_result_str(bill_csv_result r);

/* Drops ASCII spaces and TABs at both ends (Alipay ends id fields with a TAB). */
void bill_field_trim(bill_field *f);
/* Drops one leading character c when present (WeChat's backtick prefix). */
void bill_field_strip_prefix(bill_field *f, char c);
/* True when the field equals the NUL-terminated s exactly. */
bool bill_field_eq(const bill_field *f, const char *s);

/* col[c] = index of the first field equal to names[c], -1 when none (names[c] NULL: -1). */
void bill_map_columns(const bill_field *f, size_t n, const char *const *names, size_t ncols,
                      int *col);
/* The field of column c, or an empty field when the header has no such column. */
const bill_field *bill_column(const bill_field *f, const int *col, int c);

/* Length of a UTF-8 byte order mark at the start of s: 3, or 0 when there is none. */
size_t bill_bom_len(const void *s, size_t n);

/* ---- the line reader ---------------------------------------------------------------- */

typedef struct bill bill_t;

/* charset: "UTF-8" (checked) or "GB18030" (converted; use for GBK); max_line caps a
 * raw line in bytes; max_fields caps bill_split. */
recon_status bill_open(instream_t *in, const char *charset, size_t max_line, size_t max_fields,
                       bill_t **out, err_t *err);
/* The next line in UTF-8 without its terminator (and without a BOM on line 1); *line is
 * NULL at the end. Invalid bytes fail naming the line. */
recon_status bill_next(bill_t *b, char **line, size_t *len, err_t *err);
/* For a bill opened as UTF-8: bill_next then returns a line with bytes that are not
 * UTF-8 as U+FFFD instead of failing, and bill_line_replaced says so; the caller refuses
 * what must stay exact (keys, accounts: bill_field_has_replacement) and notes the rest. */
void bill_replace_invalid_utf8(bill_t *b);
bool bill_line_replaced(const bill_t *b);
bool bill_field_has_replacement(const bill_field *f);
/* Reads the remaining lines unconverted, so that a damaged tail (a NUL byte) is still
 * refused after the last line a format needs. */
recon_status bill_drain(bill_t *b, err_t *err);
/* Splits a line as bill_csv_split; a malformed one fails with the line's prefix and the
 * tokeniser's wording. Fields stay valid until the next split. */
recon_status bill_split(bill_t *b, const char *line, size_t len, bill_field **fields, size_t *n,
                        err_t *err);
/* The next record of a file whose quoted fields may span lines (the register files): its
 * fields, at most max_fields, none longer than max_field bytes; blank records are
 * skipped and *n is 0 at the end. bill_lineno then names the line the record ends on. */
recon_status bill_next_record(bill_t *b, size_t max_field, bill_field **fields, size_t *n,
                              err_t *err);
/* 1-based number of the line last returned (0 before the first). */
long bill_lineno(const bill_t *b);
/* Reports a tolerance on the file at the current line ("line N") through the sink. */
recon_status bill_warn(const bill_t *b, const receipt_sink *sink, err_t *err, const char *fmt,
                       ...) __attribute__((format(printf, 4, 5)));
const char *bill_name(const bill_t *b);
/* RECON_EDATA with "FILE: line N: " before the formatted message. */
recon_status bill_fail(const bill_t *b, err_t *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A data row has as many fields as the header (header_n); else fails naming both. */
recon_status bill_check_width(const bill_t *b, err_t *err, size_t n, size_t header_n);
/* How many of a row's n fields past the header's header_n are all empty (a spreadsheet's
 * trailing commas): 0 when any of them holds text, which bill_check_width then refuses. */
size_t bill_trailing_empty(const bill_field *f, size_t n, size_t header_n);
/* Copies s into a receipt field of cap bytes (receipt_set_field); a longer text fails
 * as "WHAT longer than N bytes". */
recon_status bill_set_text(const bill_t *b, err_t *err, char *dst, size_t cap, const char *s,
                           size_t n, const char *what);
void bill_close(bill_t *b);

#endif
