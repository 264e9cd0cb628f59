#include "parsers/bill.h"

#include <csv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/names.h"
#include "common/buf.h"
#include "common/vargs.h"
#include "parsers/charset.h"
#include "parsers/linereader.h"
#include "parsers/receipt.h"

/* ---- the CSV tokeniser -------------------------------------------------------------- */

struct bill_csv {
    struct csv_parser p;
    bool ready;
    size_t max_field;
    char *store; /* the fields of the last line, NUL-separated */
    size_t store_len, store_cap;
    bill_field *fields;
    size_t max, count;
    bool too_many, too_long;
};

static bool csv_start(bill_csv *t)
{
    t->ready = csv_init(&t->p, CSV_STRICT | CSV_STRICT_FINI) == 0;
    return t->ready;
}

bill_csv *bill_csv_new(size_t max_field)
{
    bill_csv *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    t->max_field = max_field;
    if (!csv_start(t)) {
        free(t);
        return NULL;
    }
    return t;
}

void bill_csv_free(bill_csv *t)
{
    if (t == NULL)
        return;
    if (t->ready)
        csv_free(&t->p);
    free(t->store);
    free(t);
}

static bool blank(char c) { return c == ' ' || c == '\t'; }

/* Both paths keep a field here: the caller's maximum count, the longest field. */
static void keep_field(bill_csv *t, char *s, size_t n)
{
    if (t->max_field > 0 && n > t->max_field) {
        t->too_long = true;
        n = 0;
        s[0] = '\0';
    }
    t->fields[t->count].s = s;
    t->fields[t->count].len = n;
    t->count++;
}

static void on_field(void *s, size_t n, void *data)
{
    bill_csv *t = data;
    if (t->count == t->max) {
        t->too_many = true;
        return;
    }
    /* Cannot overflow: fields come from one line and the store holds the line plus a
     * terminator per field. */
    char *dst = t->store + t->store_len;
    if (n > 0)
        memcpy(dst, s, n);
    dst[n] = '\0';
    t->store_len += n + 1;
    keep_field(t, dst, n);
}

/*
 * A line with no quote and no line break has nothing to unquote, and is cut here at its
 * commas, in place in one copy of the line; false leaves any other line to libcsv. libcsv
 * takes every byte through its state machine: on the bench world's WeChat bills that
 * alone cost more instructions than the whole parse did before it, and bills quote
 * almost nothing. The fields are those libcsv gives such a line in strict mode
 * (test_bill compares the two over generated lines): blanks around a field are dropped,
 * and a line of blanks only has no field.
 */
static bool split_plain(bill_csv *t, const char *line, size_t len)
{
    char *s = t->store, *end = t->store + len;
    memcpy(s, line, len);
    *end = '\0';
    /* A NUL inside the line stops the scan early, and libcsv takes the line. */
    if (strcspn(s, "\"\r\n") != len)
        return false;
    while (s < end && blank(*s))
        s++;
    if (s == end)
        return true;
    for (;;) {
        char *sep = memchr(s, ',', (size_t)(end - s));
        char *stop = sep != NULL ? sep : end;
        while (s < stop && blank(*s))
            s++;
        char *z = stop;
        while (z > s && blank(z[-1]))
            z--;
        *z = '\0';
        if (t->count == t->max)
            t->too_many = true;
        else
            keep_field(t, s, (size_t)(z - s));
        if (sep == NULL)
            return true;
        s = sep + 1;
    }
}

bill_csv_result bill_csv_split(bill_csv *t, const char *line, size_t len, bill_field *fields,
                               size_t max, size_t *n)
{
    *n = 0;
    if (!t->ready && !csv_start(t))
        return BILL_CSV_NOMEM;
    size_t need = len + max + 1;
    if (need > t->store_cap) {
        char *p = realloc(t->store, need);
        if (p == NULL)
            return BILL_CSV_NOMEM;
        t->store = p;
        t->store_cap = need;
    }
    t->store_len = 0;
    t->fields = fields;
    t->max = max;
    t->count = 0;
    t->too_many = t->too_long = false;
    bill_csv_result r = BILL_CSV_OK;
    if (!split_plain(t, line, len)) {
        if (csv_parse(&t->p, line, len, on_field, NULL, t) != len)
            r = csv_error(&t->p) == CSV_EPARSE ? BILL_CSV_BAD_QUOTE : BILL_CSV_NOMEM;
        else if (csv_fini(&t->p, on_field, NULL, t) != 0)
            r = csv_error(&t->p) == CSV_EPARSE ? BILL_CSV_OPEN_QUOTE : BILL_CSV_NOMEM;
    }
    if (r != BILL_CSV_OK) {
        /* libcsv keeps its error state: start afresh for the next line */
        csv_free(&t->p);
        csv_start(t);
        return r;
    }
    if (t->too_many)
        return BILL_CSV_TOO_MANY;
    if (t->too_long)
        return BILL_CSV_TOO_LONG;
    *n = t->count;
    return BILL_CSV_OK;
}

static const char *const bill_csv_result_names[] = {
    [BILL_CSV_OK] = "ok",
    [BILL_CSV_TOO_MANY] = "too many fields",
    [BILL_CSV_TOO_LONG] = "field too long",
    [BILL_CSV_OPEN_QUOTE] = "quoted field not closed on its line",
    [BILL_CSV_BAD_QUOTE] = "stray quote in field",
    [BILL_CSV_NOMEM] = "out of memory",
};

const char *bill_csv_result_str(bill_csv_result r)
{
    return NAME_OF(bill_csv_result_names, r, "malformed csv");
}

void bill_field_trim(bill_field *f)
{
    while (f->len > 0 && blank(f->s[0])) {
        f->s++;
        f->len--;
    }
    while (f->len > 0 && blank(f->s[f->len - 1]))
        f->len--;
    f->s[f->len] = '\0';
}

void bill_field_strip_prefix(bill_field *f, char c)
{
    if (f->len > 0 && f->s[0] == c) {
        f->s++;
        f->len--;
    }
}

bool bill_field_eq(const bill_field *f, const char *s)
{
    size_t n = strlen(s);
    return f->len == n && memcmp(f->s, s, n) == 0;
}

void bill_map_columns(const bill_field *f, size_t n, const char *const *names, size_t ncols,
                      int *col)
{
    for (size_t c = 0; c < ncols; c++)
        col[c] = -1;
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < ncols; c++)
            if (col[c] < 0 && names[c] != NULL && bill_field_eq(&f[i], names[c]))
                col[c] = (int)i;
}

const bill_field *bill_column(const bill_field *f, const int *col, int c)
{
    static bill_field empty = {(char *)"", 0};
    return col[c] >= 0 ? &f[col[c]] : &empty;
}

size_t bill_bom_len(const void *s, size_t n)
{
    return n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

/* ---- the line reader ---------------------------------------------------------------- */

struct bill {
    instream_t *in;
    linereader_t *lines;
    charset_t *cs;
    bill_csv *csv;
    bill_field *fields;
    size_t max_fields, max_line;
    buf_t line;
    buf_t record; /* lines of a record with a quoted field spanning them */
    long lineno;
    bool utf8, replace_invalid, replaced;
};

recon_status bill_open(instream_t *in, const char *charset, size_t max_line, size_t max_fields,
                       bill_t **out, err_t *err)
{
    bill_t *b = calloc(1, sizeof *b);
    recon_status st = RECON_OK;
    if (b == NULL || (b->csv = bill_csv_new(0)) == NULL ||
        (b->fields = calloc(max_fields ? max_fields : 1, sizeof *b->fields)) == NULL) {
        st = err_set(err, RECON_EINTERNAL, "out of memory");
        goto fail;
    }
    b->in = in;
    b->max_fields = max_fields;
    b->max_line = max_line;
    b->utf8 = strcmp(charset, "UTF-8") == 0;
    if ((st = charset_open(charset, &b->cs, err)) != RECON_OK ||
        (st = linereader_new(in, max_line, &b->lines, err)) != RECON_OK)
        goto fail;
    *out = b;
    return RECON_OK;
fail:
    bill_close(b);
    return st;
}

void bill_replace_invalid_utf8(bill_t *b) { b->replace_invalid = b->utf8; }

bool bill_line_replaced(const bill_t *b) { return b->replaced; }

bool bill_field_has_replacement(const bill_field *f)
{
    return f->len >= 3 && memmem(f->s, f->len, "\xEF\xBF\xBD", 3) != NULL;
}

/* Appends s to out with each byte that starts no valid UTF-8 sequence as U+FFFD. */
static bool append_replaced(buf_t *out, const char *s, size_t n)
{
    size_t bad = 0;
    while (!utf8_valid(s, n, &bad)) {
        if (!buf_append(out, s, bad) || !buf_append(out, "\xEF\xBF\xBD", 3))
            return false;
        s += bad + 1;
        n -= bad + 1;
    }
    return buf_append(out, s, n);
}

recon_status bill_next(bill_t *b, char **line, size_t *len, err_t *err)
{
    const char *raw = NULL;
    size_t raw_len = 0;
    *line = NULL;
    *len = 0;
    recon_status st = linereader_next(b->lines, &raw, &raw_len, err);
    if (st != RECON_OK || raw == NULL)
        return st;
    b->lineno = linereader_lineno(b->lines);
    buf_reset(&b->line);
    bool valid = b->replace_invalid && utf8_valid(raw, raw_len, NULL);
    b->replaced = b->replace_invalid && !valid;
    if (b->replaced) {
        if (!append_replaced(&b->line, raw, raw_len))
            return err_set(err, RECON_EINTERNAL, "out of memory");
    } else if (valid) {
        /* Checked just above: converting would only check the same bytes again. */
        if (!buf_append(&b->line, raw, raw_len))
            return err_set(err, RECON_EINTERNAL, "out of memory");
    } else if ((st = charset_convert(b->cs, raw, raw_len, &b->line, instream_name(b->in),
                                     b->lineno, err)) != RECON_OK) {
        return st;
    }
    if (b->line.data == NULL && !buf_append(&b->line, "", 0))
        return err_set(err, RECON_EINTERNAL, "out of memory");
    char *s = b->line.data;
    size_t n = b->line.len;
    if (b->lineno == 1) {
        size_t bom = bill_bom_len(s, n);
        s += bom;
        n -= bom;
    }
    *line = s;
    *len = n;
    return RECON_OK;
}

recon_status bill_drain(bill_t *b, err_t *err)
{
    for (;;) {
        const char *raw = NULL;
        size_t len = 0;
        recon_status st = linereader_next(b->lines, &raw, &len, err);
        if (st != RECON_OK || raw == NULL)
            return st;
    }
}

recon_status bill_split(bill_t *b, const char *line, size_t len, bill_field **fields, size_t *n,
                        err_t *err)
{
    bill_csv_result r = bill_csv_split(b->csv, line, len, b->fields, b->max_fields, n);
    if (r == BILL_CSV_NOMEM)
        return err_set(err, RECON_EINTERNAL, "out of memory");
    if (r != BILL_CSV_OK)
        return bill_fail(b, err, "%s", bill_csv_result_str(r));
    *fields = b->fields;
    return RECON_OK;
}

recon_status bill_next_record(bill_t *b, size_t max_field, bill_field **fields, size_t *n,
                              err_t *err)
{
    *n = 0;
    *fields = b->fields;
    b->csv->max_field = max_field;
    buf_reset(&b->record);
    bool open = false;
    for (;;) {
        char *line = NULL;
        size_t len = 0;
        recon_status st = bill_next(b, &line, &len, err);
        if (st != RECON_OK)
            return st;
        if (line == NULL)
            return open ? bill_fail(b, err, "unterminated quoted field") : RECON_OK;
        if ((open && !buf_append_char(&b->record, '\n')) || !buf_append(&b->record, line, len))
            return err_set(err, RECON_EINTERNAL, "out of memory");
        bill_csv_result r =
            bill_csv_split(b->csv, b->record.data, b->record.len, b->fields, b->max_fields, n);
        switch (r) {
        case BILL_CSV_OK:
            /* a blank line is no record */
            if (*n == 0 || (*n == 1 && b->fields[0].len == 0)) {
                buf_reset(&b->record);
                *n = 0;
                continue;
            }
            return RECON_OK;
        case BILL_CSV_OPEN_QUOTE:
            /* The quoted field goes on on the next line, within the length of a line. */
            if (b->record.len > b->max_line)
                return bill_fail(b, err, "unterminated quoted field");
            open = true;
            continue;
        case BILL_CSV_TOO_MANY:
            return bill_fail(b, err, "more than %zu fields", b->max_fields);
        case BILL_CSV_TOO_LONG:
            return bill_fail(b, err, "field longer than %zu bytes", max_field);
        case BILL_CSV_BAD_QUOTE:
            return bill_fail(b, err, "malformed csv (%s)", csv_strerror(CSV_EPARSE));
        case BILL_CSV_NOMEM:
            break;
        }
        return err_set(err, RECON_EINTERNAL, "out of memory");
    }
}

long bill_lineno(const bill_t *b) { return b->lineno; }

const char *bill_name(const bill_t *b) { return instream_name(b->in); }

recon_status bill_fail(const bill_t *b, err_t *err, const char *fmt, ...)
{
    char msg[ERR_MSG_MAX];
    VARGS_FORMAT(msg, sizeof msg, fmt);
    return err_set(err, RECON_EDATA, "%s: line %ld: %s", instream_name(b->in), b->lineno, msg);
}

recon_status bill_check_width(const bill_t *b, err_t *err, size_t n, size_t header_n)
{
    if (n != header_n)
        return bill_fail(b, err, "%zu fields where the header has %zu; hint: a field "
                         "containing a comma?", n, header_n);
    return RECON_OK;
}

size_t bill_trailing_empty(const bill_field *f, size_t n, size_t header_n)
{
    if (n <= header_n)
        return 0;
    for (size_t i = header_n; i < n; i++)
        for (size_t k = 0; k < f[i].len; k++)
            if (!blank(f[i].s[k]))
                return 0;
    return n - header_n;
}

recon_status bill_set_text(const bill_t *b, err_t *err, char *dst, size_t cap, const char *s,
                           size_t n, const char *what)
{
    if (!receipt_set_field(dst, cap, s, n))
        return bill_fail(b, err, "%s longer than %zu bytes", what, cap - 1);
    return RECON_OK;
}

void bill_close(bill_t *b)
{
    if (b == NULL)
        return;
    linereader_free(b->lines);
    charset_close(b->cs);
    bill_csv_free(b->csv);
    free(b->fields);
    buf_free(&b->line);
    buf_free(&b->record);
    free(b);
}

recon_status bill_warn(const bill_t *b, const receipt_sink *sink, err_t *err, const char *fmt,
                       ...)
{
    char pos[RECEIPT_POSITION_MAX], text[RECEIPT_NOTE_MAX];
    receipt_position_line(pos, bill_lineno(b));
    VARGS_FORMAT(text, sizeof text, fmt);
    return receipt_warn(sink, pos, err, "%s", text);
}
