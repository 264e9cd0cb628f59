/*
 * A bank CSV export read row by row with its profile: the one code path of
 * bankcsv_parse and `recon profile check`. The reader owns every row, cell and
 * column mapping it hands out; they stay valid until the next bankcsv_next_row
 * (the mapping: until bankcsv_close).
 */
#ifndef RECON_PARSERS_BANKCSV_H
#define RECON_PARSERS_BANKCSV_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "parsers/bankprofile.h"
#include "parsers/instream.h"
#include "parsers/parse.h"
#include "parsers/receipt.h"

typedef struct bankcsv bankcsv_t;

typedef enum bankcsv_row_kind {
    BANKCSV_END = 0,  /* no more rows; the statement summary is complete */
    BANKCSV_TITLE,    /* one of the profile's skip_lines before the header */
    BANKCSV_HEADER,   /* the header row: the column mapping is set */
    BANKCSV_BLANK,    /* a data row with every cell empty */
    BANKCSV_ZERO,     /* a row of amount 0.00 (interest tax and the like): no receipt */
    BANKCSV_TRAILER,  /* the trailer line: the data ends here, what follows is not read */
    BANKCSV_RECEIPT,  /* a data row read: row->receipt */
    BANKCSV_REFUSED,  /* a row that cannot be read: row->why */
} bankcsv_row_kind;

typedef struct bankcsv_row {
    bankcsv_row_kind kind;
    long line;
    const char *text; /* the line as read (UTF-8), text_len bytes; NULL at the end */
    size_t text_len;
    /* REFUSED: the reason, without the "FILE: line N: " prefix. fatal: nothing after
     * this row can be read (the header lacks a column the money needs). */
    char why[ERR_MSG_MAX];
    bool fatal;
    receipt_t receipt;
} bankcsv_row;

/* One profile key naming a column, and where the header has it. */
typedef struct bankcsv_column {
    const char *key;    /* "date_column", "remittance_columns"... */
    const char *name;   /* the column name the profile gives */
    int index;          /* 0-based in the header, -1 when not in it */
    bool required;      /* money, direction, currency or date: missing refuses the file */
} bankcsv_column;

/* Picks the profile (opts->bank_profile, else detection) and starts reading. */
recon_status bankcsv_open(instream_t *in, const parse_options *opts, bankcsv_t **out,
                          err_t *err);
const bankprofile_t *bankcsv_profile(const bankcsv_t *b);

/* The next row. A status other than RECON_OK is a failure of the file itself (bytes that
 * are not text, no header, no trailer where totals are checked); a row that cannot be
 * read is a BANKCSV_REFUSED row, and reading can go on after it unless it is fatal. */
recon_status bankcsv_next_row(bankcsv_t *b, bankcsv_row *row, err_t *err);

/* The profile's column keys and their header positions (after the header row). */
size_t bankcsv_columns(const bankcsv_t *b, const bankcsv_column **cols);
/* Tolerances of the file as a whole found so far (optional columns missing...). */
size_t bankcsv_warnings(const bankcsv_t *b, const char *const **texts);
/* The trimmed cell of the last row at a 0-based header index ("" when the row is short). */
const char *bankcsv_cell(const bankcsv_t *b, int index, size_t *n);
/* Totals of the receipts read so far; complete after BANKCSV_END. */
const statement_summary *bankcsv_summary(const bankcsv_t *b);
void bankcsv_close(bankcsv_t *b);

#endif
